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
    accounting_table, checks, flags, impacts, league_tables, path_tests, pooled_ipa, quality_summary, r_squared,
    unit_fix_first,
)
from .cells import table as _table  # the one table builder, shared with the other sections
from .data import ReportData, from_objects, read_published_series
from .figures import report_figures, save_figures
from ..options import validate_params
from ..provenance import stamp
from ..tables import staged_output, write_file_atomic, write_manifest
from .i18n import LANG, TEXT, column_label, html_lang, is_chinese, latent_label, model_title, t, to_script
from .numbers import (  # noqa: F401  (fmt_* re-exported)
    DASH, bad, fixed, fmt_change, fmt_ci, fmt_coef, fmt_fit, fmt_index, fmt_int, fmt_p, fmt_pct, fmt_se, signed,
)

__all__ = [
    "render_report", "write_report", "build_context",
    "fmt_index", "fmt_se", "fmt_ci", "fmt_coef", "fmt_p", "fmt_int", "fmt_fit", "fmt_change", "fmt_pct",
]

# --------------------------------------------------------------------------- number formats
# (acsi.report.numbers: the one place; fmt_* are re-exported here)
_bad = bad


# --------------------------------------------------------------------------- cells
def _status_cell(status, lang):
    s = str(status) if status is not None and status == status else ""
    key = f"status_{s}"
    return (t(key, lang) if key in TEXT else s, f"status status-{s}")


# --------------------------------------------------------------------------- sections
def _interval_text(lang: str, level: float | None, rule: str) -> str:
    """"95% Student-t intervals" / "90% normal intervals" / "95% bootstrap percentile intervals"."""
    return t(f"interval_{rule}", lang, level=fmt_pct(level)) if level is not None else t("interval_unknown", lang)


def _overview(data: ReportData, lang: str, headline_name: str) -> list[tuple[str, str]]:
    u = data.table("units")
    counts = u["status"].value_counts() if "status" in u else pd.Series(dtype=int)
    items = []
    spec = data.spec
    model = data.manifest.get("model", "")
    title = model_title(spec, lang) if spec is not None else ""
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
    items.append((t("confidence_units", lang), _interval_text(lang, data.confidence, "t")))
    if data.aggregate.get("aggregate_indexes") is not None:
        items.append((t("confidence_aggregates", lang), _interval_text(lang, data.aggregate_confidence, "z")))
    if data.bootstrap_level is not None:
        n_boot = data.bootstrap.n_boot if data.bootstrap is not None else data.bootstrap_meta.get("n_boot")
        items.append((t("bootstrap", lang), t("bootstrap_text", lang, n=fmt_int(n_boot),
                                              level=fmt_pct(data.bootstrap_level))))
    if {"index", "ci_upper"}.issubset(ci.columns):
        half = (ci["ci_upper"] - ci["index"]).dropna()
        if len(half):
            items.append((t("margin_of_error", lang, level=fmt_pct(data.confidence)), f"± {fixed(half.median(), 1)}"))
    nat = data.level("national")
    if not nat.empty and nat["index"].notna().any():
        last = nat.loc[nat["index"].notna()].iloc[-1]
        star = "*" if _is_false(last.get("window_full")) else ""
        items.append((f"{t('national', lang)} {last['period']}",
                      f"{fmt_index(last['index'])}{star} {fmt_ci(last.get('ci_lower'), last.get('ci_upper'))} "
                      f"({fmt_pct(data.aggregate_confidence) if data.aggregate_confidence else '?'})"))
    return items


def _is_false(v) -> bool:
    """True for False / numpy False; False for True, None, NaN and pd.NA."""
    return isinstance(v, (bool, np.bool_)) and not bool(v)


def _change_basis(data: ReportData, tab: pd.DataFrame) -> str | None:
    """Which change the aggregation tested (``matched`` or ``published``), or None when it cannot be told."""
    if data.change_test in ("matched", "published"):
        return data.change_test
    if "change_matched_p" in tab.columns:
        return None  # like-for-like columns but no manifest: do not guess which one was tested
    return "published" if "change_p" in tab.columns else None


def _aggregate_tables(data: ReportData, lang: str) -> list[dict]:
    out = []
    alpha = None if data.aggregate_confidence is None else 1.0 - data.aggregate_confidence
    for level in ("national", "sector", "industry"):
        tab = data.level(level)
        if tab.empty:
            continue
        show_unit = level != "national"
        matched = "change_matched" in tab.columns
        basis = _change_basis(data, tab)
        headers = [column_label("period", lang)]
        if show_unit:
            headers.append(column_label(level, lang))
        if level == "industry" and "parent" in tab:
            headers.append(column_label("sector", lang))
        headers += [column_label(c, lang) for c in ("index", "se", "ci", "n_units", "n_respondents")]
        headers.append(column_label("change_published", lang) if matched else column_label("change", lang))
        if matched:
            headers.append(column_label("change_matched", lang))
        if basis is not None:
            headers.append(t(f"col_p_{basis}", lang))
            if "change_significant" in tab.columns and alpha is not None:
                headers.append(t("col_significant", lang, alpha=fmt_pct(alpha)))
        rows, classes = [], []
        any_comp = False
        for r in tab.to_dict("records"):
            row = [str(r["period"])]
            if show_unit:
                row.append(str(r["unit"]))
            if level == "industry" and "parent" in tab:
                row.append(str(r.get("parent", "")))
            idx = fmt_index(r.get("index"))
            if level == "national" and _is_false(r.get("window_full")) and not bad(r.get("index")):
                idx = (f"{idx}*", "num partial")
            row += [idx, fmt_se(r.get("se")), fmt_ci(r.get("ci_lower"), r.get("ci_upper")), fmt_int(r.get("n_units")),
                    fmt_int(r.get("n_respondents")), fmt_change(r.get("change"))]
            if matched:
                comp = isinstance(r.get("change_composition_changed"), (bool, np.bool_)) and bool(r["change_composition_changed"])
                any_comp |= comp
                row.append((fmt_change(r.get("change_matched")) + ("‡" if comp else ""), "num comp" if comp else "num"))
            if basis is not None:
                row.append(fmt_p(r.get("change_matched_p" if basis == "matched" else "change_p")))
                if "change_significant" in tab.columns and alpha is not None:
                    sig = r.get("change_significant")
                    row.append(DASH if sig is None or sig != sig else t("yes" if bool(sig) else "no", lang))
            rows.append(row)
            classes.append("muted" if bad(r.get("index")) else "")
        first_num = 2 if show_unit else 1
        if level == "industry" and "parent" in tab:
            first_num += 1
        partial = level == "national" and "window_full" in tab and (tab["window_full"] == False).any()  # noqa: E712
        notes = [t("aggregate_caption", lang, intervals=_interval_text(lang, data.aggregate_confidence, "z"))]
        if matched:
            notes.append(t("change_note_matched", lang))
        if any_comp:
            notes.append("‡ " + t("composition_changed", lang))
        if basis is not None:
            notes.append(t("change_tested", lang, basis=t(f"basis_{basis}", lang),
                           alpha=fmt_pct(alpha) if alpha is not None else "?"))
        elif "change_p" in tab.columns:
            notes.append(t("change_untested_basis", lang))
        if partial:
            notes.append(f"* {t('partial_window', lang)}")
        out.append({"level": level, "title": t(level, lang),
                    "table": _table(headers, rows, num=set(range(first_num, len(headers))), row_classes=classes),
                    "note": " ".join(notes)})
    return out


def _league(data: ReportData, lang: str, headline_name: str) -> list[dict]:
    from .plot import league_baseline

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
            classes.append("muted" if bad(r["index"]) else "")
        foot = None
        ir = lt["industry_row"]
        if ir:
            foot = [""] + [t("industry_row", lang) + " †"] + [""] * (len(ucols) - 1) + [
                fmt_index(ir.get("index")), fmt_ci(ir.get("ci_lower"), ir.get("ci_upper")), fmt_se(ir.get("se")),
                fmt_int(ir.get("n_respondents")), fmt_change(ir.get("change")), ""] + ([""] if reasons else [])
        nstart = 1 + len(ucols)
        caption = t("league_caption", lang, headline=headline_name, period=lt["period"] or "",
                    intervals=_interval_text(lang, data.confidence, "t"),
                    base=fixed(league_baseline(tab["index"]), 0))
        if ir:
            caption += " † " + t("league_industry_row", lang, intervals=_interval_text(lang, data.aggregate_confidence, "z"))
        out.append({
            "industry": lt["industry"] if lt["industry"] is not None else t("all_units", lang),
            "period": lt["period"],
            "caption": caption,
            "table": _table(headers, rows, num={0} | set(range(nstart, nstart + 5)), row_classes=classes, foot=foot),
        })
    return out


def _all_indexes(data: ReportData, lang: str) -> dict | None:
    """Every latent index (and observed-outcome index, e.g. the complaint rate) of each unit in
    its latest period, one column per variable; None when the fit has a single latent index."""
    li = data.table("latent_indexes")
    if li.empty or "latent" not in li or li["latent"].nunique() < 2:
        return None
    ucols = [c for c in data.unit_cols if c in li.columns]
    pcol = data.period_col if data.period_col in li.columns else None
    if pcol:
        last = li.groupby(ucols, sort=False, dropna=False)[pcol].transform("max") if ucols else li[pcol].max()
        li = li.loc[li[pcol] == last]
    spec = data.spec
    order = list(dict.fromkeys(li["latent"].astype(str)))
    if spec is not None:
        known = [*spec.latent_ids, *getattr(spec, "structural_observed", ())]
        order = [v for v in known if v in order] + [v for v in order if v not in known]
    outcomes = [v for v in order if spec is not None and v in getattr(spec, "structural_observed", ())]
    keys = ucols + ([pcol] if pcol else [])
    shown = li.assign(shown=np.where(li["status"].isin(["ok", "inadmissible"]) if "status" in li else True,
                                     li["index"], np.nan))
    wide = (shown.pivot_table(index=keys, columns="latent", values="shown", aggfunc="first", dropna=False)
            if keys else shown.set_index("latent")["shown"].to_frame().T)
    wide = wide.reindex(columns=order)
    headers = [column_label(c, lang) for c in keys] + [latent_label(spec, v, lang) for v in order]
    rows = []
    for k, r in wide.iterrows():
        k = k if isinstance(k, tuple) else (k,)
        rows.append([str(x) for x in k][:len(keys)] + [fmt_index(r[v]) for v in order])
    names = ", ".join(latent_label(spec, v, lang) for v in outcomes)
    caption = t("all_indexes_caption", lang, intervals=_interval_text(lang, data.confidence, "t"),
                outcomes=t("all_indexes_outcomes", lang, names=names) if outcomes else "")
    return {"caption": caption,
            "table": _table(headers, rows, num=set(range(len(keys), len(headers))))}


def _path_caption(tests: pd.DataFrame, lang: str) -> str:
    if tests.empty:
        return t("path_caption_untested", lang)
    level = tests["level"].iloc[0]
    alpha = None if level is None or level != level else 1.0 - float(level)
    return t("path_caption_tested", lang, test=t(str(tests["test"].iloc[0]), lang),
             alpha=fmt_pct(alpha) if alpha is not None else "?")


def _paths(data: ReportData, lang: str) -> dict | None:
    est = data.table("pooled_estimates")
    if est.empty:
        return None
    spec = data.spec
    st = est.loc[est["op"] == "~"]
    tests = path_tests(data)
    pmap = {(r.lhs, r.rhs): r.pvalue for r in tests.itertuples(index=False)}
    boot = not tests.empty and tests["test"].iloc[0] == "test_bootstrap"  # then the SE shown is the bootstrap's
    smap = {(r.lhs, r.rhs): r.se for r in tests.itertuples(index=False)} if boot else {}
    heads = ["from", "to", "est", "std", "se"]
    headers = [column_label(c, lang) for c in heads]
    if boot:
        headers[-1] = t("col_se_test_bootstrap", lang)
    if not tests.empty:
        headers.append(t(f"col_p_{tests['test'].iloc[0]}", lang))
    rows = []
    for r in st.to_dict("records"):
        se = smap.get((str(r["lhs"]), str(r["rhs"]))) if boot else r.get("se")
        row = [latent_label(spec, r["rhs"], lang), latent_label(spec, r["lhs"], lang), fmt_coef(r["est"]),
               fmt_coef(r.get("std_all")), fmt_coef(se)]
        if not tests.empty:
            row.append(fmt_p(pmap.get((str(r["lhs"]), str(r["rhs"])))))
        rows.append(row)
    r2 = r_squared(est)
    r2rows = [[latent_label(spec, lv, lang), fmt_coef(v)] for lv, v in r2.items()]
    return {
        "table": _table(headers, rows, num=set(range(2, len(headers)))),
        "r2": _table([column_label("latent", lang), column_label("r2", lang)], r2rows, num={1}),
        "caption": _path_caption(tests, lang),
        "tested": not tests.empty,
    }


def _gap_cell(v, lo, hi) -> str:
    return f"{fmt_coef(v)} {fmt_ci_coef(lo, hi)}"


def fmt_ci_coef(lo, hi) -> str:
    """Interval of a coefficient: ``[0.123, 0.456]``."""
    return DASH if bad(lo) or bad(hi) else f"[{fixed(lo, 3)}, {fixed(hi, 3)}]"


def _ipa(data: ReportData, lang: str) -> dict | None:
    tab = pooled_ipa(data, lang)
    per_unit = unit_fix_first(data, lang)
    imp = impacts(data)
    if tab is None and per_unit.empty and imp.empty:
        return None
    spec = data.spec
    out: dict = {"table": None, "fix_first": [], "quadrant_b": [], "verdict": "", "units": None, "impacts": None,
                 "impacts_note": "", "interval_note": ""}
    if tab is not None:
        level = float(tab["level"].iloc[0])
        method = str(tab["interval"].iloc[0])
        headers = [t("driver", lang), t("importance", lang), t("importance_interval", lang, level=fmt_pct(level)),
                   t("performance", lang), t("performance_interval", lang, level=fmt_pct(level)),
                   t("quadrant", lang), t("separated", lang), t("action", lang)]
        rows, classes = [], []
        for r in tab.to_dict("records"):
            rows.append([latent_label(spec, r["attribute"], lang), fmt_coef(r["importance"]),
                         fmt_ci_coef(r["importance_lower"], r["importance_upper"]), fmt_index(r["performance"]),
                         fmt_ci(r["performance_lower"], r["performance_upper"]),
                         f"{r['quadrant']} {r.get('label', '')}".strip(), t(f"separated_{r['separated'].replace(' ', '_')}", lang),
                         str(r.get("action", "") or "") if r["fix_first"] or r["quadrant"] != "B" else t("action_unsure", lang)])
            classes.append("fix" if r["fix_first"] else "")
        out["table"] = _table(headers, rows, num={1, 2, 3, 4}, row_classes=classes)
        item = lambda r: (f"{latent_label(spec, r['attribute'], lang)}: {t('importance', lang)} {fmt_coef(r['importance'])} "  # noqa: E731
                          f"{fmt_ci_coef(r['importance_lower'], r['importance_upper'])}, {t('performance', lang)} "
                          f"{fmt_index(r['performance'])} {fmt_ci(r['performance_lower'], r['performance_upper'])}")
        ordered = tab.sort_values("importance", ascending=False)
        out["fix_first"] = [item(r) for r in ordered.loc[ordered["fix_first"]].to_dict("records")]
        out["quadrant_b"] = [latent_label(spec, r["attribute"], lang) for r in
                             ordered.loc[(ordered["quadrant"] == "B") & ~ordered["fix_first"]].to_dict("records")]
        if method == "none":
            out["verdict"] = t("fix_first_no_interval", lang)
        elif not out["fix_first"]:
            out["verdict"] = t("fix_first_cannot_separate", lang, level=fmt_pct(level))
        out["interval_note"] = t(f"ipa_interval_{method}", lang, level=fmt_pct(level))
    if not per_unit.empty:
        cols = [c for c in per_unit.columns if c not in ("index", "fix_first", "quadrant_b")]
        headers = [column_label(c, lang) for c in cols] + [column_label("index", lang), column_label("fix_first", lang),
                                                            column_label("quadrant_b", lang)]
        rows = []
        names = lambda v: ", ".join(latent_label(spec, x.strip(), lang) for x in v.split(",")) if v else t("none", lang)  # noqa: E731
        for r in per_unit.to_dict("records"):
            rows.append([str(r[c]) for c in cols] + [fmt_index(r["index"]), names(r["fix_first"]), names(r["quadrant_b"])])
        out["units"] = _table(headers, rows, num={len(cols)}, collapse_after=20, lang=lang)
    if not imp.empty:
        rise = imp["rise"].iloc[0] if "rise" in imp.columns else 5
        lvl = imp["level"].iloc[0] if "level" in imp.columns else data.confidence
        headers = [t("driver", lang), t("impact", lang, rise=fixed(rise, 0)), t("col_se", lang),
                   t("impact_interval", lang, level=fmt_pct(lvl))]
        rows = [[latent_label(spec, r["driver"], lang), fmt_coef(r["impact"]), fmt_coef(r.get("se")),
                 fmt_ci_coef(r.get("ci_lower"), r.get("ci_upper"))] for r in imp.to_dict("records")]
        out["impacts"] = _table(headers, rows, num={1, 2, 3})
        how = str(imp["interval"].iloc[0]) if "interval" in imp.columns else ""
        if how == "none":
            out["impacts_note"] = t("impacts_no_interval", lang)
        elif how == "delta":
            out["impacts_note"] = t("impacts_delta", lang, level=fmt_pct(lvl))
        elif how == "none_ipma":
            out["impacts_note"] = t("impacts_pls_ipma", lang, rise=fixed(rise, 0))
        elif how == "bootstrap percentile":
            out["impacts_note"] = t("impacts_bootstrap", lang, level=fmt_pct(lvl), n=int(imp["n_replicates"].iloc[0]))
    else:
        out["impacts_note"] = t("impacts_absent", lang)
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
        "checks": _checks_text(data, lang, fl),
        "pls": _pls_tables(data, lang),
        "measurement": _table(qheaders, qrows, num=set(range(1, len(qheaders)))),
        "fit": fit_tab,
        "fit_summary": fit_summary,
    }


def _checks_text(data: ReportData, lang: str, fl: pd.DataFrame) -> dict:
    """What the flags rest on: the checks computed (with their thresholds and counts) and those not run."""
    ch = checks(data)
    done = ch.loc[(ch["n_checked"] > 0) & (ch["kind"] != "status")]
    missing = ch.loc[(ch["n_checked"] == 0) & (ch["kind"] != "status")]
    ran = t("list_sep", lang).join(t("check_line", lang, rule=r.threshold, n=fmt_int(r.n_checked), bad=fmt_int(r.n_flagged))
                    + (t("check_not_computable", lang, n=fmt_int(r.n_not_computable)) if r.n_not_computable else "")
                    for r in done.itertuples(index=False))
    not_run = ", ".join(str(r.threshold) for r in missing.itertuples(index=False))
    if fl.empty:
        verdict = t("no_flags_checked", lang, checks=ran) if ran else t("no_checks", lang)
    else:
        verdict = t("checks_run", lang, checks=ran) if ran else ""
    return {"verdict": verdict, "not_run": t("checks_not_run", lang, checks=not_run) if not_run else "",
            "clean": fl.empty and bool(ran)}


#: The PLS evidence tables, in the order of ``acsi.estimate.pls_evidence.TABLES`` (what a PLS fit carries).
PLS_STEMS = ("pls_reliability", "pls_loadings", "pls_htmt", "pls_fornell_larcker", "pls_inner_vif", "pls_r2", "pls_f2",
             "pls_quality_flags", "pls_effects", "pls_model_fit", "pls_exact_fit_test", "pls_ipma_constructs",
             "pls_ipma_indicators", "pls_predict", "pls_blindfolding")


#: The CB-SEM tables a fit carries (acsi.estimate.semtables), shown the same way.
SEM_STEMS = ("reliability", "htmt", "rsquare")


def _pls_tables(data: ReportData, lang: str) -> list[dict]:
    """The PLS evidence tables the fit carries (:data:`PLS_STEMS`: reliability, HTMT, model fit, IPMA, ...),
    shown as they are, each titled in ``lang``."""
    out = []
    for stem in PLS_STEMS + SEM_STEMS:
        for name in (f"pooled_{stem}", stem):
            tab = data.table(name)
            if tab.empty:
                continue
            num = {i for i, c in enumerate(tab.columns) if pd.api.types.is_float_dtype(tab[c])}
            rows = [[fmt_coef(v) if i in num else ("" if v is None or v != v else str(v))
                     for i, v in enumerate(r)] for r in tab.itertuples(index=False)]
            key = f"pls_table_{stem}"
            out.append({"title": (t(key, lang) if key in TEXT else stem) + (f" ({t('pooled', lang)})" if name != stem else ""),
                        "table": _table([column_label(c, lang) for c in tab.columns], rows, num=num, collapse_after=25,
                                        lang=lang)})
    return out


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
    for kind in ("failed", "inadmissible", "ave", "rmsea", "cfi", "srmr", "pls"):
        sub = fl.loc[fl["kind"] == kind]
        if sub.empty:
            continue
        parts = [(lv, g) for lv, g in sub.groupby("latent", sort=False)] if kind == "ave" else [(None, sub)]
        for lv, g in parts:
            n = len(g)
            if kind in ("failed", "inadmissible"):
                summary = t(f"group_{kind}", lang, n=n)
            elif kind == "pls":
                summary = t("group_pls", lang, n=n)
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
        desc = f"{model_title(spec, lang)} ({model}); " + ", ".join(
            f"{latent_label(spec, lv.id, lang)}: {', '.join(lv.item_ids)}" for lv in spec.latents)
        if spec.paths:
            desc += "; " + ", ".join(f"{a} → {b}" for a, b in spec.paths)
        if spec.reference:
            desc += f". {to_script(spec.reference, lang)}"
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
    rules = [t("m_rule_units", lang, intervals=_interval_text(lang, data.confidence, "t"))]
    if data.aggregate.get("aggregate_indexes") is not None:
        rules.append(t("m_rule_aggregates", lang, intervals=_interval_text(lang, data.aggregate_confidence, "z")))
    if data.bootstrap_level is not None:
        rules.append(t("m_rule_bootstrap", lang, level=fmt_pct(data.bootstrap_level)))
    items.append((t("m_confidence", lang), " ".join(rules)))
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
    if is_chinese(lang):
        items.append((t("m_notes", lang), t("m_reasons_en", lang)))
    return items


def build_context(data: ReportData, *, lang: str = "en", published=None, title: str | None = None,
                  figures: list | None = None, notes: list[str] | None = None, comparison=None, toolkit=None) -> dict:
    """Everything the template shows (strings already formatted); ``comparison`` (an
    :func:`acsi.compare` result) adds the group-comparison section (:mod:`.compare`), ``toolkit``
    (a ``toolkit.toml`` path or :class:`~acsi.report.toolkit.ToolkitConfig`) the toolkit section
    (:mod:`.toolkit`)."""
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
    paths = _paths(data, lang)
    league_figs = by_section.get("league", [])
    for k, lt in enumerate(league):
        lt["figure"] = league_figs[k] if k < len(league_figs) else None
    font_note = t("figure_font_note", lang) if is_chinese(lang) and fonts.find_cjk_font() is None else ""
    sections = [("overview", t("overview", lang)), ("aggregate", t("aggregate_indexes", lang)),
                ("timeseries", t("timeseries", lang)), ("league", t("league_tables", lang)),
                ("model", t("path_diagram", lang)), ("ipa", t("ipa", lang)), ("quality", t("quality", lang)),
                ("accounting", t("accounting", lang)), ("methods", t("methods", lang))]
    section = None
    if comparison is not None:  # an acsi.compare() result formats its own section (acsi.report.compare)
        section = comparison.report_section(lang)
        sections.insert(-1, ("comparison", t("comparison", lang)))
    toolkit_section = None
    if toolkit is not None:  # analyses and stratified tables listed in a toolkit.toml (acsi.report.toolkit)
        from .toolkit import toolkit_section as _toolkit_section

        toolkit_section = _toolkit_section(toolkit, data, lang)
        sections.insert(-1, ("toolkit", t("toolkit", lang)))
    ctx = {
        "lang": lang,
        "html_lang": html_lang(lang),
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
        "all_indexes": _all_indexes(data, lang),
        "path_figure": (by_section.get("model") or [None])[0],
        "paths": paths,
        "path_caption": paths["caption"] if paths else "",
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
        "comparison": section,
        "toolkit": toolkit_section,
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
                  figures: list | None = None, bootstrap=None, comparison=None, toolkit=None) -> str:
    """Render the self-contained HTML report and return it as a string.

    Parameters
    ----------
    results : FitResult, ReportData or path
        A live fit, tables from :func:`load_results`, or a results directory.
    agg : AggregateResult, DataFrame or path, optional
        Industry, sector and national indexes (read from the run's ``aggregate/``
        directory when ``results`` is a path).
    lang : {"en", "zh", "zh-hans", "zh-hant"}
        Language of every heading, label and message, figures included: ``zh`` and
        ``zh-hans`` Simplified Chinese, ``zh-hant`` Traditional (:mod:`acsi.report.i18n`).
    published : path or DataFrame, optional
        A published national series to draw for reference (``period`` and a score
        column), e.g. ``../shared/data/acsi_national_quarterly_1994_2008.csv``.
    title : str, optional
    bootstrap : BootstrapResult or PLSBootstrapResult, optional
        The fit's bootstrap (:func:`acsi.bootstrap.bootstrap`): significance marks then come
        from its p-values and "what to improve" from its replicates.  A results directory
        with a ``bootstrap/`` folder (``BootstrapResult.save``) is read without it.
    comparison : ComparisonResult, optional
        An :func:`acsi.compare` result: adds the group-comparison section.
    toolkit : str, Path or ToolkitConfig, optional
        A ``toolkit.toml`` (:mod:`acsi.report.toolkit`): adds the toolkit section (the analyses it
        lists, with their intervals, and the stratified tables of the indexes).

    Returns
    -------
    str
        HTML with every figure embedded as a base64 PNG, no external CSS or JS.

    Examples
    --------
    >>> html = render_report(fit, agg, lang="zh")     # doctest: +SKIP
    """
    data = from_objects(results, agg, bootstrap)
    return _render(data, lang=lang, published=_published(published), title=title, figures=figures,
                   comparison=comparison, toolkit=toolkit)


def _render(data: ReportData, *, lang: str, published, title, figures, notes=None, comparison=None,
            toolkit=None, extra_figures: list | None = None) -> str:
    """The HTML; the toolkit section's figures are appended to ``extra_figures`` when given (to save them)."""
    ctx = build_context(data, lang=lang, published=published, title=title, figures=figures, notes=notes,
                        comparison=comparison, toolkit=toolkit)
    if extra_figures is not None and ctx["toolkit"]:
        extra_figures.extend(b["figure"] for b in ctx["toolkit"]["blocks"] if b["figure"] is not None)
    return _environment().get_template("report.html.j2").render(**ctx)


@validate_params("write_report", lang=LANG)
def write_report(fit, agg=None, path: str | Path = "report.html", *, lang: str = "en", published=None,
                 figures_dir: str | Path | None = None, title: str | None = None, bootstrap=None,
                 comparison=None, toolkit=None) -> Path:
    """Write the HTML report (and optionally every figure as a PNG file).

    Parameters
    ----------
    fit : FitResult, ReportData or path
        The fit, or a results directory (see :func:`load_results`).
    agg : AggregateResult, DataFrame or path, optional
    path : str or Path
        Output HTML file (parent directories are created).
    lang : {"en", "zh", "zh-hans", "zh-hant"}
        ``zh`` is Simplified Chinese (see :mod:`acsi.report.i18n`).
    published : path or DataFrame, optional
        Published national series drawn for reference.
    bootstrap : BootstrapResult or PLSBootstrapResult, optional
        See :func:`render_report`.
    figures_dir : str or Path, optional
        Also save each figure as ``<figures_dir>/<name>.png``.
    comparison : ComparisonResult, optional
        An :func:`acsi.compare` result: adds the group-comparison section.
    toolkit : str, Path or ToolkitConfig, optional
        See :func:`render_report`.

    Returns
    -------
    Path
        The HTML file written.

    Examples
    --------
    >>> write_report(fit, agg, "out/report.html", lang="zh")     # doctest: +SKIP
    """
    data = from_objects(fit, agg, bootstrap)
    pub = _published(published)
    notes: list[str] = []
    figs = report_figures(data, lang, published=pub, notes=notes)
    toolkit_figs: list = []
    html_text = _render(data, lang=lang, published=pub, title=title, figures=figs, notes=notes, comparison=comparison,
                        toolkit=toolkit, extra_figures=toolkit_figs)
    if notes:  # figure problems are listed in the report; repeat them here for the caller
        import warnings

        from ..errors import AcsiWarning

        warnings.warn("some figures could not be drawn: " + "; ".join(notes), AcsiWarning, stacklevel=2)
    out = Path(path)
    if figures_dir is not None:  # whole or not at all, with a manifest (acsi.tables)
        with staged_output(figures_dir) as stage:
            pngs = save_figures(figs + toolkit_figs, stage)
            write_manifest(stage, "figures_manifest.json", "figures", stamp({"lang": lang}), pngs)
    write_file_atomic(out, html_text)
    return out

