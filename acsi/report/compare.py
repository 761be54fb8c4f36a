"""The group-comparison section of the report (``acsi compare``), in English and Chinese.

:func:`comparison_figure` draws the 0-100 index of every latent per group (with its interval)
next to the structural paths per group; :func:`comparison_section` formats the invariance (or
MICOM) table, the index table with what each difference rests on, the path tests and the
latent mean differences for the template (``_compare_section.html.j2``), used by
:func:`render_comparison` (a self-contained page) and by the main report
(:func:`acsi.report.render.render_report` with ``comparison=``, through the comparison's own
``report_section``, so that the renderer does not import this module).  The comparison object is
read by its tables (``indexes``, ``paths``, ``invariance``, ``latent_means``, ``groups``,
``estimator``, ``spec``, ``by``, ``level``, ``notes``), as :class:`acsi.comparison.ComparisonResult`
has them.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from . import fonts
from .figures import ReportFigure, figure_png
from .i18n import check_lang, html_lang, is_chinese, latent_label, t, to_script

__all__ = ["comparison_figure", "comparison_section", "figure_png", "render_comparison", "section_figure",
           "write_comparison_report"]

_COLORS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6")


def _num(v, digits=3) -> str:
    return "" if v is None or not np.isfinite(v) else f"{v:.{digits}f}"


def _p(v) -> str:
    if v is None or not np.isfinite(v):
        return ""
    return "< 0.001" if v < 0.001 else f"{v:.3f}"


def comparison_figure(cmp, lang: str = "en") -> Figure:
    """Indexes per latent and group (interval ``index ± z se``) and paths per group."""
    flang = fonts.figure_lang(lang, warn=False)  # the section says so when Chinese glyphs are missing
    ix = cmp.indexes
    groups = list(cmp.groups)
    latents = list(dict.fromkeys(ix["latent"]))
    z = 1.959963984540054
    vals = {}
    ref = groups[0]
    for _, r in ix.iterrows():
        vals.setdefault((r["latent"], r["reference"]), (r["reference_index"], r["reference_se"]))
        vals[(r["latent"], r["group"])] = (r["index"], r["se"])
    width = 0.8 / len(groups)
    y = np.arange(len(latents))
    with fonts.font_context(flang):  # every text object (ticks too) is created inside: the CJK font sticks
        fig = Figure(figsize=(11, 4.6), layout="constrained")
        a1, a2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
        for k, g in enumerate(groups):
            est = np.array([vals.get((lv, g), (np.nan, np.nan))[0] for lv in latents], float)
            se = np.array([vals.get((lv, g), (np.nan, np.nan))[1] for lv in latents], float)
            a1.errorbar(est, y + (k - (len(groups) - 1) / 2) * width, xerr=z * np.nan_to_num(se), fmt="o",
                        color=_COLORS[k % len(_COLORS)], label=str(g), capsize=2, ms=4)
        a1.set_yticks(y)
        lv_inv = dict(zip(ix["latent"], ix["invariance"]))
        a1.set_yticklabels([f"{latent_label(cmp.spec, lv, flang)}\n[{_level_text(lv_inv[lv], flang)}]" for lv in latents],
                           fontsize=8)
        a1.invert_yaxis()
        a1.set_xlabel(t("cmp_index", flang) + " (0-100)")
        a1.set_title(t("cmp_indexes", flang))
        a1.legend(fontsize=8, loc="best")
        a1.grid(axis="x", alpha=0.3)
        pt = cmp.paths
        labels = [f"{a} → {b}" for a, b in dict.fromkeys(zip(pt["from"], pt["to"]))]
        yy = np.arange(len(labels))
        if cmp.estimator == "sem":
            for k, g in enumerate(groups):
                est = pt[f"est_{g}"].to_numpy(float)
                se = pt[f"se_{g}"].to_numpy(float)
                a2.errorbar(est, yy + (k - (len(groups) - 1) / 2) * width, xerr=z * np.nan_to_num(se), fmt="o",
                            color=_COLORS[k % len(_COLORS)], label=str(g), capsize=2, ms=4)
            sig = pt["wald_p"].to_numpy(float) < 0.05
        else:
            first = pt[pt["group"] == groups[1]]
            for k, g in enumerate(groups):
                if k == 0:
                    est, se = first["est_1"].to_numpy(float), first["boot_se_1"].to_numpy(float)
                else:
                    sub = pt[pt["group"] == g]
                    est, se = sub["est_2"].to_numpy(float), sub["boot_se_2"].to_numpy(float)
                a2.errorbar(est, yy + (k - (len(groups) - 1) / 2) * width, xerr=z * np.nan_to_num(se), fmt="o",
                            color=_COLORS[k % len(_COLORS)], label=str(g), capsize=2, ms=4)
            sig = (pt.groupby(["from", "to"], sort=False)["p_permutation"].min().to_numpy(float) < 0.05)
        a2.set_yticks(yy)
        a2.set_yticklabels([lab + (" *" if s else "") for lab, s in zip(labels, sig)], fontsize=8)
        a2.invert_yaxis()
        a2.axvline(0, color="#888", lw=0.6)
        a2.set_title(t("cmp_paths", flang) + " (* p < 0.05)")
        a2.grid(axis="x", alpha=0.3)
        fig.suptitle(f"{cmp.spec.name}: {cmp.by} ({ref} = {t('cmp_reference', flang)})", fontsize=10)
    return fig


def _keys():
    from .i18n import TEXT

    return TEXT


def _table(headers, rows, num=()):
    from .render import _table as table

    return table(headers, rows, num=set(num))


def _level_text(level: str, lang: str) -> str:
    key = f"cmp_lvl_{level}"
    return t(key, lang) if key in _keys() else level


def _invariance_rows(cmp, lang):
    tab = cmp.invariance
    yes, no = t("cmp_yes", lang), t("cmp_no", lang)
    if cmp.estimator == "sem":
        headers = [t("cmp_step", lang), "npar", "χ²", "df", "CFI", "RMSEA", "SRMR", "Δχ²", "Δdf", "p", "ΔCFI", "ΔRMSEA",
                   t("cmp_holds", lang), t("cmp_verdict", lang)]
        rows = []
        for _, r in tab.iterrows():
            if is_chinese(lang):
                if r["step"] == "configural":
                    v = t("cmp_zh_configural", lang, cfi=_num(r["cfi"]), rmsea=_num(r["rmsea"]), srmr=_num(r["srmr"]))
                elif np.isfinite(r["chisq"]):
                    v = t("cmp_zh_holds" if r["holds"] else "cmp_zh_fails", lang, chisq=_num(r["chisq_diff"], 2),
                          df=_num(r["df_diff"], 0), p=_p(r["pvalue_diff"]), dcfi=_num(r["delta_cfi"], 4),
                          drmsea=_num(r["delta_rmsea"], 4))
                else:
                    v = to_script("未檢驗", lang)
            else:
                v = r["verdict"]
            step = r["step"]
            rows.append([step if lang == "en" else _level_text(r["level"], lang) + ("" if step == r["level"] else f"（{step}）"),
                         _num(r["npar"], 0), _num(r["chisq"], 2), _num(r["df"], 0), _num(r["cfi"]), _num(r["rmsea"]),
                         _num(r["srmr"]), _num(r["chisq_diff"], 2), _num(r["df_diff"], 0), _p(r["pvalue_diff"]),
                         _num(r["delta_cfi"], 4), _num(r["delta_rmsea"], 4), yes if r["holds"] else no, v])
        return _table(headers, rows, num=range(1, 12))
    headers = [t("cmp_group", lang), t("cmp_latent", lang), "c", "c (5%)", t("cmp_p", lang), "Δ mean", t("cmp_p", lang),
               "log var ratio", t("cmp_p", lang), t("cmp_invariance_col", lang)]
    rows = [[r["group"], latent_label(cmp.spec, r["latent"], lang), _num(r["c"], 4), _num(r["c_quantile"], 4),
             _p(r["p_composition"]), _num(r["mean_diff"]), _p(r["p_mean"]), _num(r["logvar_ratio"]), _p(r["p_var"]),
             _level_text(r["invariance"], lang)] for _, r in tab.iterrows()]
    return _table(headers, rows, num=range(2, 9))


def _rests_on(r, cmp, lang):
    if lang == "en":
        return r["rests_on"]
    key = f"cmp_rests_{r['invariance']}"
    if key in _keys():
        return t(key, lang, latent=latent_label(cmp.spec, r["latent"], lang))
    return r["rests_on"]


def comparison_section(cmp, lang: str = "en", figure: ReportFigure | None = None) -> dict:
    """The section's context for ``_compare_section.html.j2`` (strings already formatted)."""
    check_lang(lang, "comparison_section")
    ix = cmp.indexes
    irows = [[latent_label(cmp.spec, r["latent"], lang), str(r["group"]), _num(r["index"], 1), _num(r["reference_index"], 1),
              _num(r["difference"], 1), _num(r["difference_se"], 2), f"[{_num(r['ci_lower'], 1)}, {_num(r['ci_upper'], 1)}]",
              _p(r["pvalue"]), _level_text(r["invariance"], lang), _rests_on(r, cmp, lang)] for _, r in ix.iterrows()]
    idx = _table([t("cmp_latent", lang), t("cmp_group", lang), t("cmp_index", lang),
                  f"{t('cmp_reference', lang)} ({cmp.groups[0]})", t("cmp_difference", lang), t("cmp_se", lang),
                  t("cmp_ci", lang), t("cmp_p", lang), t("cmp_invariance_col", lang), t("cmp_rests_on", lang)],
                 irows, num=range(2, 8))
    pt = cmp.paths
    if cmp.estimator == "sem":
        heads = [t("cmp_path", lang)] + [f"{g}" for g in cmp.groups] + [t("cmp_wald_p", lang), t("cmp_lrt_p", lang)]
        prow = [[f"{r['from']} → {r['to']}"] + [_num(r[f"est_{g}"]) for g in cmp.groups] + [_p(r["wald_p"]), _p(r["lrt_p"])]
                for _, r in pt.iterrows()]
        pnote = t("cmp_paths_note_sem", lang, model=str(pt["model"].iloc[0]) if len(pt) else "")
        paths = _table(heads, prow, num=range(1, len(cmp.groups) + 3))
    else:
        heads = [t("cmp_group", lang), t("cmp_path", lang), cmp.groups[0], t("cmp_group", lang), t("cmp_difference", lang),
                 t("cmp_perm_p", lang), t("cmp_henseler_p", lang)]
        prow = [[r["group"], f"{r['from']} → {r['to']}", _num(r["est_1"]), _num(r["est_2"]), _num(r["difference"]),
                 _p(r["p_permutation"]), _p(r["p_henseler_two_sided"])] for _, r in pt.iterrows()]
        pnote = t("cmp_paths_note_pls", lang)
        paths = _table(heads, prow, num=range(2, 7))
    lm = None
    if cmp.latent_means is not None and len(cmp.latent_means):
        lm = _table([t("cmp_latent", lang), t("cmp_group", lang), t("cmp_difference", lang), t("cmp_se", lang),
                     t("cmp_p", lang), "d"],
                    [[latent_label(cmp.spec, r["latent"], lang), r["group"], _num(r["difference"]), _num(r["se"]),
                      _p(r["pvalue"]), _num(r["std_difference"])] for _, r in cmp.latent_means.iterrows()],
                    num=range(2, 6))
    groups = ", ".join(str(g) for g in cmp.groups)
    return {
        "title": t("comparison", lang),
        "intro": t("cmp_intro", lang, model=cmp.spec.name, by=cmp.by, groups=groups,
                   estimator="CB-SEM (ML)" if cmp.estimator == "sem" else "PLS"),
        "invariance_title": t("cmp_invariance", lang) if cmp.estimator == "sem" else t("cmp_micom", lang),
        "invariance_note": t("cmp_invariance_note", lang) if cmp.estimator == "sem" else t("cmp_micom_note", lang),
        "level": t("cmp_level", lang, level=_level_text(cmp.level, lang)),
        "invariance": _invariance_rows(cmp, lang),
        "indexes_title": t("cmp_indexes", lang), "indexes_note": t("cmp_indexes_note", lang), "indexes": idx,
        "paths_title": t("cmp_paths", lang), "paths_note": pnote, "paths": paths,
        "latent_means_title": t("cmp_latent_means", lang), "latent_means": lm,
        "notes_title": t("cmp_notes", lang),
        "notes": list(cmp.notes) + ([t("figure_font_note", lang)] if is_chinese(lang) and fonts.find_cjk_font() is None
                                    else []),
        "figure": figure,
    }


def section_figure(cmp, lang: str = "en") -> ReportFigure:
    """The comparison figure as a report figure (PNG)."""
    return ReportFigure(name="comparison", title=t("cmp_figure", lang), png=figure_png(comparison_figure(cmp, lang)),
                        section="comparison")


def render_comparison(cmp, *, lang: str = "en", title: str | None = None) -> str:
    """A self-contained HTML page with the comparison section (figure embedded)."""
    from ..provenance import acsi_version
    from .render import _environment

    check_lang(lang, "render_comparison")
    section = comparison_section(cmp, lang, section_figure(cmp, lang))
    ctx = {
        "lang": lang, "html_lang": html_lang(lang), "t": lambda key, **kw: t(key, lang, **kw),
        "title": title or t("cmp_title", lang), "subtitle": f"{cmp.spec.name} · {cmp.by}",
        "generated": t("generated", lang, version=acsi_version(),
                       date=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        "comparison": section,
    }
    return _environment().get_template("compare.html.j2").render(**ctx)


def write_comparison_report(cmp, path, *, lang: str = "en") -> Path:
    """Write :func:`render_comparison` to ``path`` (parents created)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_comparison(cmp, lang=lang), encoding="utf-8")
    return out
