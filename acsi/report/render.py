"""Rendering the HTML report: context from :class:`ReportData`, jinja2 templates, number formats.

Numbers stay numeric in every table; only this module rounds them, with the
formatters below (tests format expected values with the same functions).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import numpy as np
import pandas as pd

from .analysis import (
    accounting_table, flags, ipa_table, league_tables, quality_summary, r_squared, unit_fix_first,
)
from .data import ReportData, from_objects, read_published_series
from .figures import report_figures, save_figures
from ..options import validate_params
from .i18n import LANG, TEXT, column_label, latent_label, t
from .numbers import DASH, bad, fixed, signed

__all__ = [
    "render_report", "write_report", "build_context",
    "fmt_index", "fmt_se", "fmt_ci", "fmt_coef", "fmt_p", "fmt_int", "fmt_fit", "fmt_change", "fmt_pct",
]

# --------------------------------------------------------------------------- number formats
_bad = bad


def fmt_index(v) -> str:
    """0-100 index: one decimal (``55.6``); missing -> ``—``."""
    return fixed(v, 1)


def fmt_se(v) -> str:
    """Standard error of an index: two decimals."""
    return fixed(v, 2)


def fmt_ci(lo, hi) -> str:
    """Interval ``[53.3, 57.8]``."""
    return DASH if bad(lo) or bad(hi) else f"[{fixed(lo, 1)}, {fixed(hi, 1)}]"


def fmt_coef(v) -> str:
    """Coefficients, loadings, R², AVE: three decimals."""
    return fixed(v, 3)


def fmt_fit(v) -> str:
    """Fit measures: three decimals."""
    return fmt_coef(v)


def fmt_p(v) -> str:
    """p-values: three decimals, ``<0.001`` below."""
    if bad(v):
        return DASH
    return "<0.001" if float(v) < 0.001 else fixed(v, 3)


def fmt_int(v) -> str:
    """Counts with thousands separators (``1,234``)."""
    return DASH if bad(v) else f"{int(round(float(v))):,}"


def fmt_change(v) -> str:
    """Signed change of an index: ``+1.2`` / ``-0.4``; one that rounds to zero is ``0.0``."""
    return signed(v, 1)


def fmt_pct(v) -> str:
    """A proportion as a percentage (``0.95`` -> ``95%``, ``0.975`` -> ``97.5%``)."""
    if bad(v):
        return DASH
    x = 100 * float(v)
    return f"{fixed(x, 0)}%" if abs(x - round(x)) < 1e-9 else f"{fixed(x, 1)}%"


# --------------------------------------------------------------------------- table helper
def _table(headers: list[str], rows: list[list], *, num: set[int] | None = None, row_classes: list[str] | None = None,
           foot: list | None = None, collapse_after: int | None = None, lang: str = "en") -> dict:
    """A table for the ``table`` macro: headers, rows of (text, css class) cells.

    Tables longer than ``collapse_after`` rows are folded in a ``<details>`` element
    (no JavaScript; the rows stay in the file).
    """
    num = num or set()

    def cell(i, c):
        if isinstance(c, tuple):
            return c
        return (str(c), "num" if i in num else "")

    return {
        "headers": [(h, "num" if i in num else "") for i, h in enumerate(headers)],
        "rows": [{"cells": [cell(i, c) for i, c in enumerate(r)], "cls": (row_classes[k] if row_classes else "")}
                 for k, r in enumerate(rows)],
        "foot": [cell(i, c) for i, c in enumerate(foot)] if foot else None,
        "collapse": t("show_rows", lang, n=len(rows)) if collapse_after is not None and len(rows) > collapse_after else "",
    }


def _status_cell(status, lang):
    s = str(status) if status is not None and status == status else ""
    key = f"status_{s}"
    return (t(key, lang) if key in TEXT else s, f"status status-{s}")


# --------------------------------------------------------------------------- sections
def _overview(data: ReportData, lang: str, headline_name: str) -> list[tuple[str, str]]:
    u = data.table("units")
    counts = u["status"].value_counts() if "status" in u else pd.Series(dtype=int)
    items = []
    spec = data.spec
    model = data.manifest.get("model", "")
    title = spec.title if spec is not None else ""
    items.append((t("model", lang), f"{title} ({model})" if title and title != model else str(model)))
    items.append((t("estimator", lang), str(data.estimator).upper()))
    items.append((t("headline_index", lang), headline_name))
    items.append((t("units", lang), f"{len(u)} (" + ", ".join(
        f"{int(counts.get(s, 0))} {t(f'status_{s}', lang)}" for s in ("ok", "inadmissible", "failed")) + ")"))
    ci = data.table("company_indexes")
    if data.period_col and data.period_col in ci:
        per = sorted(map(str, ci[data.period_col].unique()))
        items.append((t("periods", lang), f"{per[0]} – {per[-1]} ({len(per)})" if len(per) > 1 else per[0]))
    acc = data.table("accounting")
    if not acc.empty:
        items.append((t("respondents_read", lang), fmt_int(acc["rows_read"].sum())))
        items.append((t("respondents_used", lang), fmt_int(acc["rows_used"].sum())))
    items.append((t("confidence_level", lang), fmt_pct(data.confidence)))
    if {"index", "ci_upper"}.issubset(ci.columns):
        half = (ci["ci_upper"] - ci["index"]).dropna()
        if len(half):
            items.append((t("margin_of_error", lang), f"± {float(half.median()):.1f}"))
    nat = data.level("national")
    if not nat.empty and nat["index"].notna().any():
        last = nat.loc[nat["index"].notna()].iloc[-1]
        items.append((f"{t('national', lang)} {last['period']}",
                      f"{fmt_index(last['index'])} {fmt_ci(last.get('ci_lower'), last.get('ci_upper'))}"))
    return items


def _aggregate_tables(data: ReportData, lang: str) -> list[dict]:
    out = []
    for level in ("national", "sector", "industry"):
        tab = data.level(level)
        if tab.empty:
            continue
        show_unit = level != "national"
        headers = [column_label("period", lang)]
        if show_unit:
            headers.append(column_label(level, lang))
        if level == "industry" and "parent" in tab:
            headers.append(column_label("sector", lang))
        headers += [column_label(c, lang) for c in ("index", "se", "ci", "n_units", "n_respondents", "change", "change_p")]
        rows, classes = [], []
        for r in tab.to_dict("records"):
            row = [str(r["period"])]
            if show_unit:
                row.append(str(r["unit"]))
            if level == "industry" and "parent" in tab:
                row.append(str(r.get("parent", "")))
            idx = fmt_index(r.get("index"))
            if level == "national" and r.get("window_full") is False and not _bad(r.get("index")):
                idx = (f"{idx}*", "num partial")
            row += [idx, fmt_se(r.get("se")), fmt_ci(r.get("ci_lower"), r.get("ci_upper")), fmt_int(r.get("n_units")),
                    fmt_int(r.get("n_respondents")), fmt_change(r.get("change")), fmt_p(r.get("change_p"))]
            rows.append(row)
            classes.append("muted" if _bad(r.get("index")) else "")
        first_num = 2 if show_unit else 1
        if level == "industry" and "parent" in tab:
            first_num += 1
        partial = level == "national" and "window_full" in tab and (tab["window_full"] == False).any()  # noqa: E712
        out.append({"level": level, "title": t(level, lang),
                    "table": _table(headers, rows, num=set(range(first_num, len(headers))), row_classes=classes),
                    "note": f"* {t('partial_window', lang)}" if partial else ""})
    return out


def _league(data: ReportData, lang: str, headline_name: str) -> list[dict]:
    out = []
    unit_cols = data.unit_cols
    for lt in league_tables(data):
        tab = lt["table"]
        ucols = [c for c in unit_cols if c in tab.columns] or [c for c in tab.columns if c not in (
            "rank", "index", "se", "ci_lower", "ci_upper", "n", "change", "status", "reason")][:1]
        reasons = "reason" in tab and tab["reason"].fillna("").astype(str).str.len().gt(0).any()
        headers = [column_label("rank", lang)] + [column_label(c, lang) for c in ucols] + [
            column_label(c, lang) for c in ("index", "ci", "se", "n", "change", "status")]
        if reasons:
            headers.append(column_label("reason", lang))
        rows, classes = [], []
        for r in tab.to_dict("records"):
            rows.append([fmt_int(r["rank"])] + [str(r[c]) for c in ucols] + [
                fmt_index(r["index"]), fmt_ci(r.get("ci_lower"), r.get("ci_upper")), fmt_se(r.get("se")),
                fmt_int(r.get("n")), fmt_change(r.get("change")), _status_cell(r.get("status"), lang)]
                + ([(str(r.get("reason") or ""), "reason")] if reasons else []))
            classes.append("muted" if _bad(r["index"]) else "")
        foot = None
        ir = lt["industry_row"]
        if ir:
            foot = [""] + [t("industry_row", lang)] + [""] * (len(ucols) - 1) + [
                fmt_index(ir.get("index")), fmt_ci(ir.get("ci_lower"), ir.get("ci_upper")), fmt_se(ir.get("se")),
                fmt_int(ir.get("n_respondents")), fmt_change(ir.get("change")), ""] + ([""] if reasons else [])
        nstart = 1 + len(ucols)
        out.append({
            "industry": lt["industry"] if lt["industry"] is not None else t("all_units", lang),
            "period": lt["period"],
            "caption": t("league_caption", lang, headline=headline_name, period=lt["period"] or "",
                         level=fmt_pct(data.confidence)),
            "table": _table(headers, rows, num={0} | set(range(nstart, nstart + 5)), row_classes=classes, foot=foot),
        })
    return out


def _paths(data: ReportData, lang: str) -> dict | None:
    est = data.table("pooled_estimates")
    if est.empty:
        return None
    spec = data.spec
    st = est.loc[est["op"] == "~"]
    headers = [column_label(c, lang) for c in ("from", "to", "est", "std", "se", "p")]
    rows = [[latent_label(spec, r["rhs"], lang), latent_label(spec, r["lhs"], lang), fmt_coef(r["est"]),
             fmt_coef(r.get("std_all")), fmt_coef(r.get("se")), fmt_p(r.get("pvalue"))] for r in st.to_dict("records")]
    r2 = r_squared(est)
    r2rows = [[latent_label(spec, lv, lang), fmt_coef(v)] for lv, v in r2.items()]
    return {
        "table": _table(headers, rows, num={2, 3, 4, 5}),
        "r2": _table([column_label("latent", lang), column_label("r2", lang)], r2rows, num={1}),
    }


def _ipa(data: ReportData, lang: str) -> dict | None:
    est = data.table("pooled_estimates")
    headline = data.headline
    tab = ipa_table(est, data.pooled_performance, headline, lang) if not est.empty else None
    per_unit = unit_fix_first(data, lang)
    if tab is None and per_unit.empty:
        return None
    spec = data.spec
    out: dict = {"table": None, "fix_first": [], "units": None}
    if tab is not None:
        headers = [t("driver", lang), t("importance", lang), t("performance", lang), t("quadrant", lang), t("action", lang)]
        rows, classes = [], []
        for r in tab.to_dict("records"):
            rows.append([latent_label(spec, r["attribute"], lang), fmt_coef(r["importance"]), fmt_index(r["performance"]),
                         f"{r['quadrant']} {r.get('label', '')}".strip(), str(r.get("action", "") or "")])
            classes.append("fix" if r["quadrant"] == "B" else "")
        out["table"] = _table(headers, rows, num={1, 2}, row_classes=classes)
        out["fix_first"] = [
            f"{latent_label(spec, r['attribute'], lang)}: {t('importance', lang)} {fmt_coef(r['importance'])}, "
            f"{t('performance', lang)} {fmt_index(r['performance'])}"
            for r in tab.loc[tab["quadrant"] == "B"].sort_values("importance", ascending=False).to_dict("records")
        ]
    if not per_unit.empty:
        cols = [c for c in per_unit.columns if c not in ("index", "fix_first")]
        headers = [column_label(c, lang) for c in cols] + [column_label("index", lang), column_label("fix_first", lang)]
        rows = []
        for r in per_unit.to_dict("records"):
            fix = r["fix_first"]
            names = ", ".join(latent_label(spec, x.strip(), lang) for x in fix.split(",")) if fix else t("none", lang)
            rows.append([str(r[c]) for c in cols] + [fmt_index(r["index"]), names])
        out["units"] = _table(headers, rows, num={len(cols)}, collapse_after=20, lang=lang)
    return out


def _quality(data: ReportData, lang: str) -> dict:
    spec = data.spec
    fl = flags(data, lang)
    q = quality_summary(data.table("estimates"), data.table("pooled_estimates"), data.latents)
    qcols = ["latent", "n_items", "ave_median", "ave_min", "cr_median", "ave_pooled", "cr_pooled"]
    qheaders = [column_label("latent", lang), column_label("items", lang)] + [column_label(c, lang) for c in qcols[2:]]
    qrows, qcls = [], []
    for r in q.to_dict("records"):
        cells = [latent_label(spec, r["latent"], lang), fmt_int(r["n_items"])]
        for c in qcols[2:]:
            v = r[c]
            bad = c.startswith("ave") and not _bad(v) and v < 0.5
            cells.append((fmt_coef(v), "num flag" if bad else "num"))
        qrows.append(cells)
        qcls.append("")
    fm = data.table("fit_measures")
    units = data.table("units")
    fit_tab = None
    fit_summary = None
    measures = [m for m in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr") if m in fm.columns]
    if not measures:  # PLS: no likelihood-based fit; show the R² of the endogenous latents
        measures = [c for c in fm.columns if str(c).startswith("r2_")]
    keys = [g for g in data.groups if g in units.columns] if not units.empty else [g for g in data.groups if g in fm.columns]
    if measures or not units.empty:
        by_key = {}
        if not fm.empty and all(k in fm.columns for k in keys):
            for r in fm.to_dict("records"):
                by_key[tuple(str(r[k]) for k in keys)] = r
        headers = [column_label(k, lang) for k in keys] + [column_label("status", lang)] + [
            f"R² ({m[3:]})" if m.startswith("r2_") else column_label("p" if m == "pvalue" else m, lang) for m in measures]
        rows, classes = [], []
        pooled = data.table("pooled_fit_measures")
        if not pooled.empty and measures:
            pr = pooled.iloc[0].to_dict()
            rows.append([t("pooled", lang)] + [""] * max(len(keys) - 1, 0) + [""] + [_fit_cell(m, pr.get(m)) for m in measures])
            classes.append("")
        # one row per unit, failed ones included (they have no fit measures)
        source = units.to_dict("records") if not units.empty else fm.to_dict("records")
        for r in source:
            k = tuple(str(r[c]) for c in keys)
            f = by_key.get(k, r)
            rows.append([str(r[c]) for c in keys] + [_status_cell(r.get("status"), lang)] +
                        [_fit_cell(m, f.get(m)) for m in measures])
            classes.append("muted" if r.get("status") == "failed" else "")
        fit_tab = _table(headers, rows, num=set(range(len(keys) + 1, len(headers))), row_classes=classes,
                         collapse_after=25, lang=lang)
        if measures:
            fit_summary = _fit_summary(fm, pooled, measures, lang)
    return {
        "flags": fl.to_dict("records"),
        "flag_groups": _flag_groups(fl, data, lang),
        "measurement": _table(qheaders, qrows, num=set(range(1, len(qheaders)))),
        "fit": fit_tab,
        "fit_summary": fit_summary,
    }


def _fit_summary(fm: pd.DataFrame, pooled: pd.DataFrame, measures: list[str], lang: str) -> dict | None:
    """Pooled fit, and the median and worst value of each measure over the units."""
    shown = [m for m in measures if m in ("cfi", "tli", "rmsea", "srmr")]
    if not shown:
        return None
    worst = {"cfi": "min", "tli": "min", "rmsea": "max", "srmr": "max"}
    rows = []
    if not pooled.empty:
        pr = pooled.iloc[0]
        rows.append([t("pooled", lang)] + [_fit_cell(m, pr.get(m)) for m in shown])
    vals = fm[shown].apply(pd.to_numeric, errors="coerce")
    if len(vals.dropna(how="all")):
        rows.append([t("fit_median", lang)] + [_fit_cell(m, vals[m].median()) for m in shown])
        rows.append([t("fit_worst", lang)] + [_fit_cell(m, getattr(vals[m], worst[m])()) for m in shown])
    if not rows:
        return None
    return _table([""] + [column_label(m, lang) for m in shown], rows, num=set(range(1, len(shown) + 1)))


def _flag_groups(fl: pd.DataFrame, data: ReportData, lang: str) -> list[dict]:
    """Flags grouped by kind (and latent for AVE), each with a plain-language summary line."""
    if fl.empty:
        return []
    est = data.table("estimates")
    n_models = (len(est[[c for c in data.groups if c in est.columns]].drop_duplicates()) if not est.empty and data.groups
                else (1 if not est.empty else 0))
    n_models += 0 if data.table("pooled_estimates").empty else 1
    n_fit = len(data.table("fit_measures")) + len(data.table("pooled_fit_measures"))
    spec = data.spec
    groups = []
    for kind in ("failed", "inadmissible", "ave", "rmsea", "cfi", "srmr"):
        sub = fl.loc[fl["kind"] == kind]
        if sub.empty:
            continue
        parts = [(lv, g) for lv, g in sub.groupby("latent", sort=False)] if kind == "ave" else [(None, sub)]
        for lv, g in parts:
            n = len(g)
            if kind in ("failed", "inadmissible"):
                summary = t(f"group_{kind}", lang, n=n)
            elif kind == "ave":
                summary = t("group_ave", lang, latent=latent_label(spec, lv, lang), n=n, total=n_models)
            else:
                summary = t(f"group_{kind}", lang, n=n, total=n_fit)
            groups.append({"kind": kind, "severity": g["severity"].iloc[0], "summary": summary,
                           "messages": list(g["message"]), "open": n <= 5})
    return groups


def _fit_cell(m: str, v):
    from .analysis import THRESHOLDS

    if m == "df":
        return fmt_int(v)
    if m in ("pvalue",):
        return fmt_p(v)
    text = fmt_fit(v)
    if m in THRESHOLDS and not _bad(v):
        op, lim = THRESHOLDS[m]
        if (op == ">" and v > lim) or (op == "<" and v < lim):
            return (text, "num flag")
    return (text, "num")


def _accounting_totals(data: ReportData, lang: str) -> dict | None:
    df, totals = accounting_table(data.table("accounting"))
    if df.empty:
        return None
    nums = list(totals)
    return _table([""] + [column_label(c, lang) for c in nums], [[t("total", lang)] + [fmt_int(totals[c]) for c in nums]],
                  num=set(range(1, len(nums) + 1)))


def _accounting(data: ReportData, lang: str) -> dict | None:
    df, totals = accounting_table(data.table("accounting"))
    if df.empty:
        return None
    keys = [c for c in df.columns if c not in totals]
    nums = list(totals)
    headers = [column_label(c, lang) for c in keys] + [column_label(c, lang) for c in nums]
    rows = [[str(r[c]) for c in keys] + [fmt_int(r[c]) for c in nums] for r in df.to_dict("records")]
    foot = [t("total", lang)] + [""] * (len(keys) - 1) + [fmt_int(totals[c]) for c in nums]
    return _table(headers, rows, num=set(range(len(keys), len(headers))), foot=foot, collapse_after=25, lang=lang)


def _methods(data: ReportData, lang: str, notes: list[str]) -> list[tuple[str, str]]:
    o = data.options
    spec = data.spec
    m = data.manifest
    items = []
    model = str(m.get("model", ""))
    desc = model
    if spec is not None:
        desc = f"{spec.title or spec.name} ({model}); " + ", ".join(
            f"{latent_label(spec, lv.id, lang)}: {', '.join(lv.item_ids)}" for lv in spec.latents)
        if spec.paths:
            desc += "; " + ", ".join(f"{a} → {b}" for a, b in spec.paths)
        if spec.reference:
            desc += f". {spec.reference}"
    else:
        est_t = data.table("pooled_estimates")
        if est_t.empty:
            est_t = data.table("estimates")
        if not est_t.empty:
            meas = est_t.loc[est_t["op"] == "=~"].drop_duplicates(["lhs", "rhs"])
            blocks = [f"{lv}: {', '.join(g['rhs'])}" for lv, g in meas.groupby("lhs", sort=False)]
            st = est_t.loc[est_t["op"] == "~"].drop_duplicates(["lhs", "rhs"])
            desc = f"{model}; " + ", ".join(blocks)
            if len(st):
                desc += "; " + ", ".join(f"{a} → {b}" for a, b in zip(st["rhs"], st["lhs"]))
    items.append((t("m_model", lang), desc))
    est = str(data.estimator)
    items.append((t("m_estimator", lang), t("m_estimator_pls", lang) if est == "pls" else t("m_estimator_sem", lang)))
    items.append((t("m_index", lang), t("m_index_text", lang)))
    items.append((t("m_weights", lang), str(o["weight"]) if o.get("weight") else t("m_unweighted", lang)))
    codes = o.get("missing_codes")
    codes = ", ".join(map(str, codes)) if isinstance(codes, (list, tuple)) else str(codes)
    policy = str(o.get("missing", "listwise"))
    oor = str(o.get("out_of_range", "error"))
    items.append((t("m_missing", lang), t(
        "m_missing_text", lang, policy=t(f"policy_{policy}", lang) if f"policy_{policy}" in TEXT else policy,
        codes=codes or t("none", lang), oor=t(f"oor_{oor}", lang) if f"oor_{oor}" in TEXT else oor,
        min_n=o.get("min_n", ""))))
    items.append((t("m_confidence", lang), fmt_pct(data.confidence)))
    if data.aggregate.get("aggregate_indexes") is not None:
        items.append((t("m_aggregation", lang), t("m_aggregation_text", lang)))
    if data.groups:
        items.append((t("m_groups", lang), ", ".join(data.groups)))
    versions = m.get("versions") or {}
    if versions:
        items.append((t("m_software", lang), ", ".join(f"{k} {v}" for k, v in versions.items())))
    if m.get("data_sha256_16"):
        items.append((t("m_data", lang), f"sha256[:16] {m['data_sha256_16']}"))
    items.append((t("m_source", lang), str(data.source)))
    if lang == "zh":
        items.append((t("m_notes", lang), t("m_reasons_en", lang)))
    return items


def build_context(data: ReportData, *, lang: str = "en", published=None, title: str | None = None,
                  figures: list | None = None, notes: list[str] | None = None) -> dict:
    """Everything the template shows (strings already formatted)."""
    from ..provenance import acsi_version
    from . import fonts

    notes = list(notes or [])
    if figures is None:
        figures = report_figures(data, lang, published=published, notes=notes)
    headline = data.headline
    headline_name = latent_label(data.spec, headline, lang) if headline else ""
    by_section: dict[str, list] = {}
    for f in figures:
        by_section.setdefault(f.section, []).append(f)
    league = _league(data, lang, headline_name)
    league_figs = by_section.get("league", [])
    for k, lt in enumerate(league):
        lt["figure"] = league_figs[k] if k < len(league_figs) else None
    font_note = t("figure_font_note", lang) if lang == "zh" and fonts.find_cjk_font() is None else ""
    sections = [("overview", t("overview", lang)), ("aggregate", t("aggregate_indexes", lang)),
                ("timeseries", t("timeseries", lang)), ("league", t("league_tables", lang)),
                ("model", t("path_diagram", lang)), ("ipa", t("ipa", lang)), ("quality", t("quality", lang)),
                ("accounting", t("accounting", lang)), ("methods", t("methods", lang))]
    ctx = {
        "lang": lang,
        "html_lang": "zh-Hant" if lang == "zh" else "en",
        "t": lambda key, **kw: t(key, lang, **kw),
        "title": title or t("report_title", lang),
        "subtitle": f"{data.manifest.get('model', '')} · {headline_name}",
        "generated": t("generated", lang, version=acsi_version(), date=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        "sections": sections,
        "overview": _overview(data, lang, headline_name),
        "aggregate": _aggregate_tables(data, lang),
        "timeseries_figures": by_section.get("timeseries", []),
        "published_figure": (by_section.get("published") or [None])[0],
        "published_caption": _published_caption(published, lang),
        "league": league,
        "path_figure": (by_section.get("model") or [None])[0],
        "paths": _paths(data, lang),
        "ipa_figure": (by_section.get("ipa") or [None])[0],
        "ipa": _ipa(data, lang),
        "ipa_caption": t("ipa_caption", lang, headline=headline_name),
        "fix_units_caption": t("fix_first_units_caption", lang, headline=headline_name),
        "quality": _quality(data, lang),
        "accounting": _accounting(data, lang),
        "accounting_totals": _accounting_totals(data, lang),
        "methods": _methods(data, lang, notes),
        "notes": notes,
        "font_note": font_note,
    }
    return ctx


def _published_caption(published, lang: str) -> str:
    if published is None:
        return ""
    source = getattr(published, "attrs", {}).get("source")
    return t("published_caption", lang, source=source) if source else t("published_caption_table", lang)


def _environment():
    from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=ChoiceLoader([PackageLoader("acsi.report", "templates")]),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _published(published):
    if published is None or isinstance(published, pd.DataFrame):
        return published
    df = read_published_series(published)
    df.attrs["source"] = Path(published).name
    return df


@validate_params("render_report", lang=LANG)
def render_report(results, agg=None, *, lang: str = "en", published=None, title: str | None = None,
                  figures: list | None = None) -> str:
    """Render the self-contained HTML report and return it as a string.

    Parameters
    ----------
    results : FitResult, ReportData or path
        A live fit, tables from :func:`load_results`, or a results directory.
    agg : AggregateResult, DataFrame or path, optional
        Industry, sector and national indexes (read from the run's ``aggregate/``
        directory when ``results`` is a path).
    lang : {"en", "zh"}
        Language of every heading, label and message (figure labels fall back to
        English when no Chinese font is installed).
    published : path or DataFrame, optional
        A published national series to draw for reference (``period`` and a score
        column), e.g. ``../shared/data/acsi_national_quarterly_1994_2008.csv``.
    title : str, optional

    Returns
    -------
    str
        HTML with every figure embedded as a base64 PNG, no external CSS or JS.

    Examples
    --------
    >>> html = render_report(fit, agg, lang="zh")     # doctest: +SKIP
    """
    data = from_objects(results, agg)
    return _render(data, lang=lang, published=_published(published), title=title, figures=figures)


def _render(data: ReportData, *, lang: str, published, title, figures, notes=None) -> str:
    ctx = build_context(data, lang=lang, published=published, title=title, figures=figures, notes=notes)
    return _environment().get_template("report.html.j2").render(**ctx)


@validate_params("write_report", lang=LANG)
def write_report(fit, agg=None, path: str | Path = "report.html", *, lang: str = "en", published=None,
                 figures_dir: str | Path | None = None, title: str | None = None) -> Path:
    """Write the HTML report (and optionally every figure as a PNG file).

    Parameters
    ----------
    fit : FitResult, ReportData or path
        The fit, or a results directory (see :func:`load_results`).
    agg : AggregateResult, DataFrame or path, optional
    path : str or Path
        Output HTML file (parent directories are created).
    lang : {"en", "zh"}
    published : path or DataFrame, optional
        Published national series drawn for reference.
    figures_dir : str or Path, optional
        Also save each figure as ``<figures_dir>/<name>.png``.

    Returns
    -------
    Path
        The HTML file written.

    Examples
    --------
    >>> write_report(fit, agg, "out/report.html", lang="zh")     # doctest: +SKIP
    """
    data = from_objects(fit, agg)
    pub = _published(published)
    notes: list[str] = []
    figs = report_figures(data, lang, published=pub, notes=notes)
    html_text = _render(data, lang=lang, published=pub, title=title, figures=figs, notes=notes)
    if notes:  # figure problems are listed in the report; repeat them here for the caller
        import warnings

        from ..errors import AcsiWarning

        warnings.warn("some figures could not be drawn: " + "; ".join(notes), AcsiWarning, stacklevel=2)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html_text, encoding="utf-8")
    if figures_dir is not None:
        save_figures(figs, figures_dir)
    return out

