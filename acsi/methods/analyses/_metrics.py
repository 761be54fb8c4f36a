"""Runners of the metrics: NPS, CSAT, top-box, CES, satisfaction rate, survey-table score, overall CSI,
KCSI and the benchmark flags (:mod:`acsi.methods.metrics`, :func:`acsi.methods.benchmark_flags`).

Each metric of answer columns can be computed per stratum (``by=``): the rows for everyone
come first (stratum columns empty), then one block per stratum; a stratum whose answers
cannot give the metric (all missing) stays in the table with its reason in ``note``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import MethodError
from ...options import Boolean, InstanceOf, Integer, Text
from ..intervals import mean_estimate
from ..customers import benchmark_flags, churn_rate, repurchase_rate
from ..metrics import ces, csat, kcsi_index, nps, overall_csi_from_answers, satisfaction_rate, survey_table_score, top_box
from .base import CONFIDENCE, Output, analysis, column_list, mapping, numbers, one_column, strata, weight_series
from .figures import interval_chart

COLUMNS = (Text(), InstanceOf(list, tuple, desc="a list of column names"))
OPT_COLUMNS = (None,) + COLUMNS
SCALE = (Text(), InstanceOf(list, tuple, desc="two numbers (lowest, highest)"))
DEFAULT_POINTS = "5=100,4=80,3=60,2=40,1=20"


def _scale(spec, where: str, *, integer: bool = True) -> tuple:
    lo, hi = numbers(spec, "scale", where, count=2)
    if not lo < hi:
        raise MethodError(f"{where}: scale must be (lowest, highest) with lowest < highest; got {spec!r}.")
    return (int(lo), int(hi)) if integer and lo == int(lo) and hi == int(hi) else (lo, hi)


def per_stratum(data: pd.DataFrame, columns, by, weight, where: str, func) -> tuple[pd.DataFrame, list[str]]:
    """``func(answers, weights) -> Series`` for every column and stratum: one row each.

    Returns the table (stratum columns, ``column``, the metric's fields, ``note``) and the
    label columns (for figures).
    """
    cols = column_list(data, columns, "columns", where)
    w = weight_series(data, weight, where)
    if weight is not None and str(weight) in cols:
        raise MethodError(f"{where}: {weight!r} is the weight column; do not list it among the columns.")
    by_cols, groups = strata(data, by, where)
    overlap = [c for c in by_cols if c in cols]
    if overlap:
        raise MethodError(f"{where}: {overlap} are stratum columns (by) and answer columns at once; use each once.")
    rows = []
    for i, (key, idx) in enumerate(groups):
        for c in cols:
            try:
                r = func(data.loc[idx, c], None if w is None else w.loc[idx]).to_dict()
                note = ""
            except MethodError as exc:
                if i == 0:  # everyone: the data cannot give the metric at all
                    raise
                r, note = {}, str(exc)
            rows.append({**key, "column": c, **r, "note": note})
    out = pd.DataFrame(rows)
    if not out["note"].astype(bool).any():
        out = out.drop(columns="note")
    return out, by_cols + ["column"]


def _metric_output(name: str, table: pd.DataFrame, labels: list[str], estimate: str, caption: str, confidence: float,
                   *, reference: float | None = None, xlabel: str | None = None) -> Output:
    table = table.assign(confidence=confidence)

    def figure(lang):
        return interval_chart(table, estimate=estimate, label=labels, title=caption, reference=reference,
                              xlabel=xlabel, confidence=confidence, lang=lang)

    return Output([(name, table, caption, True)], figure=figure, confidence=confidence)


@analysis("nps", "Net Promoter Score", figure=True, columns=COLUMNS, weight=(None, Text()), confidence=CONFIDENCE,
          by=OPT_COLUMNS)
def run_nps(data, *, columns, weight=None, confidence=0.95, by=None) -> Output:
    """NPS of 0-10 answers with the multinomial interval (:func:`acsi.methods.nps`)."""
    t, labels = per_stratum(data, columns, by, weight, "nps", lambda s, w: nps(s, weights=w, confidence=confidence))
    return _metric_output("nps", t, labels, "nps", "NPS (promoters 9-10 minus detractors 0-6, points)", confidence,
                          reference=0.0, xlabel="NPS")


@analysis("csat", "Customer satisfaction score (CSAT)", figure=True, columns=COLUMNS, scale=SCALE,
          top=Integer(min=1), weight=(None, Text()), confidence=CONFIDENCE, by=OPT_COLUMNS)
def run_csat(data, *, columns, scale="1,5", top=2, weight=None, confidence=0.95, by=None) -> Output:
    """Percent of answers in the top ``top`` boxes with the Wilson interval (:func:`acsi.methods.csat`)."""
    sc = _scale(scale, "csat")
    t, labels = per_stratum(data, columns, by, weight, "csat",
                            lambda s, w: csat(s, scale=sc, top=top, weights=w, confidence=confidence))
    return _metric_output("csat", t, labels, "csat", f"CSAT: % of answers in the top {top} of {sc[0]}-{sc[1]}",
                          confidence, xlabel="%")


@analysis("top_box", "Top-box share", figure=True, columns=COLUMNS, scale=SCALE, top=Integer(min=1),
          weight=(None, Text()), confidence=CONFIDENCE, by=OPT_COLUMNS)
def run_top_box(data, *, columns, scale="1,5", top=2, weight=None, confidence=0.95, by=None) -> Output:
    """Percent of answers in the top ``top`` categories with the Wilson interval (:func:`acsi.methods.top_box`)."""
    sc = _scale(scale, "top_box")
    t, labels = per_stratum(data, columns, by, weight, "top_box",
                            lambda s, w: top_box(s, scale=sc, top=top, weights=w, confidence=confidence))
    return _metric_output("top_box", t, labels, "top_box", f"Top-{top}-box share of {sc[0]}-{sc[1]} (%)", confidence,
                          xlabel="%")


@analysis("ces", "Customer effort score (CES)", figure=True, columns=COLUMNS, scale=SCALE, weight=(None, Text()),
          confidence=CONFIDENCE, by=OPT_COLUMNS)
def run_ces(data, *, columns, scale="1,7", weight=None, confidence=0.95, by=None) -> Output:
    """Mean effort with its t (weighted: linearised) interval (:func:`acsi.methods.ces`)."""
    sc = _scale(scale, "ces", integer=False)
    t, labels = per_stratum(data, columns, by, weight, "ces",
                            lambda s, w: ces(s, scale=sc, weights=w, confidence=confidence))
    return _metric_output("ces", t, labels, "ces", f"CES: mean effort on {sc[0]:g}-{sc[1]:g}", confidence,
                          xlabel="CES")


def _rate(name: str, func, data, column, count, total, weight, confidence, by, what: str) -> Output:
    if data is None:
        if count is None or total is None:
            raise MethodError(f"{name}: give a data table with the 0/1 column (column=), or the counts count= and total=.")
        r = func(count, total, confidence=confidence)
        t = pd.DataFrame([r.to_dict()])
        labels = []
        t.insert(0, "column", "counts")
        labels = ["column"]
    else:
        if count is not None or total is not None:
            raise MethodError(f"{name}: count= and total= are for counts without data; with a data table give column=.")
        if column is None:
            raise MethodError(f"{name}: give the 0/1 column of the data table (column=).")
        t, labels = per_stratum(data, column, by, weight, name,
                                lambda s, w: func(s, weights=w, confidence=confidence))
    return _metric_output(name, t, labels, "rate", what, confidence, xlabel="%")


@analysis("repurchase", "Repurchase rate", data="optional", figure=True, column=OPT_COLUMNS, weight=(None, Text()),
          confidence=CONFIDENCE, by=OPT_COLUMNS)
def run_repurchase(data=None, *, column=None, count=None, total=None, weight=None, confidence=0.95, by=None) -> Output:
    """Repurchase rate (%) with the Wilson interval, from a 0/1 column or counts (:func:`acsi.methods.repurchase_rate`)."""
    return _rate("repurchase", repurchase_rate, data, column, count, total, weight, confidence, by,
                 "Repurchase rate (% of the period's customers who bought again)")


@analysis("churn", "Churn rate", data="optional", figure=True, column=OPT_COLUMNS, weight=(None, Text()),
          confidence=CONFIDENCE, by=OPT_COLUMNS)
def run_churn(data=None, *, column=None, count=None, total=None, weight=None, confidence=0.95, by=None) -> Output:
    """Churn rate (%) with the Wilson interval, from a 0/1 column or counts (:func:`acsi.methods.churn_rate`)."""
    return _rate("churn", churn_rate, data, column, count, total, weight, confidence, by,
                 "Churn rate (% of the customers at the start lost by the end)")


@analysis("satisfaction_rate", "Satisfaction rate", data="optional", figure=True, confidence=CONFIDENCE,
          label=(None, Text()))
def run_satisfaction_rate(data=None, *, satisfied, targeted, label=None, confidence=0.95) -> Output:
    """``T = S / C × 100%`` with the Wilson interval (:func:`acsi.methods.satisfaction_rate`): two numbers, or the
    count columns of a table (one rate per row, named by the ``label`` column)."""
    where = "satisfaction_rate"
    if data is None:
        if label is not None:
            raise MethodError(f"{where}: label= names a column of a data table; without data give the numbers only.")
        s, c = numbers(satisfied, "satisfied", where, count=1)[0], numbers(targeted, "targeted", where, count=1)[0]
        t = satisfaction_rate(s, c, confidence=confidence).to_frame().T.reset_index(drop=True)
        t.insert(0, "label", "counts")
    else:
        sc, cc = one_column(data, satisfied, "satisfied", where), one_column(data, targeted, "targeted", where)
        lab = data[one_column(data, label, "label", where)].astype(str).to_numpy() if label else \
            [f"row {i + 1}" for i in range(len(data))]
        num = {k: pd.to_numeric(data[col], errors="coerce") for k, col in (("s", sc), ("c", cc))}
        bad = data.index[num["s"].isna() | num["c"].isna()]
        if len(bad):
            raise MethodError(f"{where}: missing or non-numeric counts in {sc!r}/{cc!r} at rows {list(bad[:10])}.")
        t = satisfaction_rate(num["s"].reset_index(drop=True), num["c"].reset_index(drop=True), confidence=confidence)
        t.insert(0, "label", lab)
    return _metric_output(where, t, ["label"], "rate", "Satisfaction rate S / C (%)", confidence, xlabel="%")


@analysis("survey_score", "Survey-table score", figure=True, items=OPT_COLUMNS, counts=Boolean(),
          weight=(None, Text()), confidence=CONFIDENCE, label=(None, Text()))
def run_survey_score(data, *, items=None, counts=False, codes="5,4,3,2,1", points=None, lowest=20, label=None,
                     weight=None, confidence=0.95) -> Output:
    """Mean grade points per item (100/80/60/40/``lowest``) with intervals (:func:`acsi.methods.survey_table_score`).

    ``counts=False``: ``data`` are answers coded ``codes`` (best first) in the ``items`` columns.
    ``counts=True``: ``data`` is a count table, one row per item (its name in ``label``, default
    the first text column), the grade columns best first in ``items`` (default every numeric column).
    """
    where = "survey_score"
    pts = None if points is None else numbers(points, "points", where)
    low = numbers(lowest, "lowest", where, count=1)[0]
    if not counts and label is not None:
        raise MethodError(f"{where}: label= names the item column of a count table; it needs counts=True.")
    if counts:
        if weight is not None:
            raise MethodError(f"{where}: weight= needs raw answers; a count table is already totals.")
        grade_cols = column_list(data, items, "items", where) if items is not None else \
            [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c]) and c != label]
        text = [c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])]
        lab = one_column(data, label, "label", where) if label else (text[0] if text else None)
        table = data[grade_cols].copy()
        table.index = data[lab].astype(str).to_numpy() if lab else [f"row {i + 1}" for i in range(len(data))]
        res = survey_table_score(table, points=pts, lowest=low, confidence=confidence)
    else:
        if items is None:
            raise MethodError(f"{where}: name the answer columns (items=), or pass counts=True for a count table.")
        cols = column_list(data, items, "items", where)
        cds = numbers(codes, "codes", where)
        cds = [int(c) if c == int(c) else c for c in cds]
        w = weight_series(data, weight, where)
        res = survey_table_score(answers=data[cols], codes=cds, points=pts, lowest=low, weights=w, confidence=confidence)
    t = res.reset_index(names="item")
    return _metric_output(where, t, ["item"], "score", "Survey-table score (grade points, 0-100)", confidence,
                          xlabel="score")


def _points(spec, option: str, where: str) -> dict:
    m = mapping(spec, option, where)
    try:
        return {(int(float(k)) if float(k) == int(float(k)) else float(k)): v for k, v in m.items()}
    except ValueError:
        raise MethodError(f"{where}: {option} must map answer codes to points, e.g. {DEFAULT_POINTS}; got {spec!r}.") from None


@analysis("overall_csi", "Overall CSI from graded answers", figure=False, importance=COLUMNS, satisfaction=COLUMNS,
          weight=(None, Text()), confidence=CONFIDENCE)
def run_overall_csi(data, *, importance, satisfaction, importance_points=DEFAULT_POINTS,
                    satisfaction_points=DEFAULT_POINTS, weight=None, confidence=0.95) -> Output:
    """``CSI = Σ I_i P_i / (x_k Σ I_i)`` with its delta-method interval (:func:`acsi.methods.overall_csi_from_answers`).

    ``importance`` and ``satisfaction`` list the attributes' columns in the same order; the
    attributes are named by the satisfaction columns.
    """
    where = "overall_csi"
    ic = column_list(data, importance, "importance", where)
    sc = column_list(data, satisfaction, "satisfaction", where)
    if len(ic) != len(sc):
        raise MethodError(f"{where}: {len(ic)} importance columns {ic} but {len(sc)} satisfaction columns {sc}; "
                          "give one of each per attribute, in the same order.")
    imp = data[ic].set_axis(sc, axis=1)
    w = weight_series(data, weight, where)
    res = overall_csi_from_answers(imp, data[sc], _points(importance_points, "importance_points", where),
                                   _points(satisfaction_points, "satisfaction_points", where),
                                   survey_weights=w, confidence=confidence)
    head = pd.DataFrame([{"csi": res.csi, "index": 100 * res.csi, "se": res.se, "ci_lower": res.ci_lower,
                          "ci_upper": res.ci_upper, "index_ci_lower": 100 * res.ci_lower,
                          "index_ci_upper": 100 * res.ci_upper, "top_points": res.top_points, "n": len(data),
                          "confidence": confidence}])
    attrs = res.table.reset_index(names="attribute")
    return Output([("overall_csi", head, "Overall CSI (share of the top grade; index = 100 x CSI)", True),
                   ("overall_csi_attributes", attrs, "Attributes: importance I, satisfaction P, weight", True)],
                  confidence=confidence)


@analysis("kcsi", "KCSI (top-2-box index)", figure=False, overall=Text(), attributes=COLUMNS, repurchase=Text(),
          scale=SCALE, top=Integer(min=1), weight=(None, Text()), confidence=CONFIDENCE)
def run_kcsi(data, *, overall, attributes, repurchase, scale="1,7", top=2, weights="0.3,0.5,0.2",
             attribute_weights=None, weight=None, confidence=0.95) -> Output:
    """KMAC's KCSI ``w_o overall + w_a attributes + w_r repurchase`` of top-box shares (:func:`acsi.methods.kcsi_index`)."""
    where = "kcsi"
    o, r = one_column(data, overall, "overall", where), one_column(data, repurchase, "repurchase", where)
    a = column_list(data, attributes, "attributes", where)
    comp = numbers(weights, "weights", where, count=3)
    aw = None
    if attribute_weights is not None:
        m = mapping(attribute_weights, "attribute_weights", where) if "=" in str(attribute_weights) else None
        aw = m if m is not None else numbers(attribute_weights, "attribute_weights", where, count=len(a))
    w = weight_series(data, weight, where)
    k = kcsi_index(data[o], data[a], data[r], attribute_weights=aw, weights=comp, scale=_scale(scale, where), top=top,
                   survey_weights=w, confidence=confidence)
    head = pd.DataFrame([{key: k[key] for key in ("kcsi", "se", "ci_lower", "ci_upper", "n", "overall", "attributes",
                                                 "repurchase")} | {"confidence": confidence}])
    parts = pd.DataFrame({"question": [o, *a, r], "part": ["overall"] + ["attribute"] * len(a) + ["repurchase"],
                          "top_box": [k["overall"], *[k[f"attr_{c}"] for c in a], k["repurchase"]]})
    return Output([("kcsi", head, "KCSI (top-box index, 0-100)", True),
                   ("kcsi_questions", parts, "Top-box share of each question (%)", True)], confidence=confidence)


def _value_or_column(data, spec, option: str, where: str, compute):
    """A benchmark input: a column of ``data`` (computed with ``compute``) or numbers ``value[,lo,hi]``."""
    if spec is None:
        return None
    if data is not None and str(spec) in map(str, data.columns):
        return compute(str(spec))
    vals = numbers(spec, option, where)
    if len(vals) not in (1, 3):
        raise MethodError(f"{where}: {option} must be a column of the data or a number, optionally with its interval "
                          f"(value,lower,upper); got {spec!r}.")
    return vals[0] if len(vals) == 1 else tuple(vals)


@analysis("benchmarks", "Benchmark flags", data="optional", figure=False, weight=(None, Text()), confidence=CONFIDENCE)
def run_benchmarks(data=None, *, nps=None, ces=None, csi=None, repurchase=None, churn=None, ces_scale=None,
                   thresholds=None, weight=None, confidence=0.95) -> Output:
    """The documents' benchmarks (NPS > 0, CES < 5, CSI > 70, repurchase > 50 %, churn < 5 %), honest about intervals.

    Each metric is a column of ``data`` (computed here with its interval) or a number, optionally
    ``value,lower,upper``.  See :func:`acsi.methods.benchmark_flags`.
    """
    from .. import metrics as m

    where = "benchmarks"
    if ces_scale is not None and ces is None:
        raise MethodError(f"{where}: ces_scale= applies to the CES column (ces=); none given.")
    if weight is not None and data is None:
        raise MethodError(f"{where}: weight= names a column of a data table; none given.")
    ces_scale = "1,7" if ces_scale is None else ces_scale
    w = weight_series(data, weight, where) if data is not None else None
    given = {
        "nps": _value_or_column(data, nps, "nps", where, lambda c: m.nps(data[c], weights=w, confidence=confidence)),
        "ces": _value_or_column(data, ces, "ces", where, lambda c: m.ces(data[c], scale=_scale(ces_scale, where, integer=False),
                                                                      weights=w, confidence=confidence)),
        "csi": _value_or_column(data, csi, "csi", where, lambda c: pd.Series(mean_estimate(
            pd.to_numeric(data[c], errors="coerce").to_numpy(dtype=float), None if w is None else w.to_numpy(), confidence))),
        "repurchase": _value_or_column(data, repurchase, "repurchase", where,
                                       lambda c: repurchase_rate(data[c], weights=w, confidence=confidence)),
        "churn": _value_or_column(data, churn, "churn", where, lambda c: churn_rate(data[c], weights=w, confidence=confidence)),
    }
    t = benchmark_flags(**given, thresholds=mapping(thresholds, "thresholds", where) or None)
    specs = {"nps": nps, "ces": ces, "csi": csi, "repurchase": repurchase, "churn": churn}
    computed = [data is not None and str(specs[m]) in map(str, data.columns) for m in t["metric"]]
    t["source"] = [f"column {specs[m]!r}" if c else "given" for m, c in zip(t["metric"], computed)]
    t["confidence"] = [confidence if c else float("nan") for c in computed]
    return Output([("benchmarks", t, "Benchmarks: met / missed / undecided (interval "
                    "across the threshold)", True)], confidence=confidence)
