"""SERVQUAL gap scores (P − E model), zone of tolerance, SERVPERF and the P/E ratio.

For respondent ``i`` and attribute ``j``, with perception ``P_ij`` and
expectation ``E_ij`` on the same scale, the gap is ``G_ij = P_ij − E_ij``.
The service-quality score of respondent ``i`` is

    SQ_i = Σ_{j=1..k} W_j (P_ij − E_ij)                              (SPEC §3)

with weights ``W_j`` (all 1/k for the unweighted score).  SERVQUAL groups its
22 items in five dimensions (Parasuraman, Zeithaml & Berry 1988): tangibles
(items 1-4), reliability (5-9), responsiveness (10-13), assurance (14-17),
empathy (18-22).  A dimension's gap is the mean of its items' gaps; the
weighted SERVQUAL score is ``SQ = Σ_d W_d · gap_d`` with dimension weights
(the survey's 100-point allocation, normalised).

Perception/expectation ratio (SPEC §3): ``C = b / a`` (``b`` perceived,
``a`` expected).  Reading: ``C ≈ 1`` fairly satisfied, ``C < 1`` dissatisfied,
``C > 1`` very satisfied; "≈" means ``|C − 1| <= band`` (default 0.05, a
parameter, since the source's range is garbled; most values fall in 0.8-1.2).

Every mean-based figure carries a linearised ``t`` interval and accepts survey weights
(:mod:`acsi.methods.intervals`).  :func:`servqual_zones` gives the zone of tolerance between
adequate (A) and desired (D) service with the adequacy gap ``P − A`` and the superiority gap
``P − D`` (Parasuraman et al. 1994); :func:`servperf` scores perceptions alone (Cronin &
Taylor 1992).

References
----------
Parasuraman, A., Zeithaml, V. A., & Berry, L. L. (1988). SERVQUAL: a multiple-item
scale for measuring consumer perceptions of service quality. *Journal of
Retailing* 64(1), 12-40.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import MethodError
from ..summary import Summary
from ._weights import checked_weights
from .intervals import aligned_weights, check_confidence, linearized_estimate, mean_estimate

__all__ = ["SERVQUAL_DIMENSIONS", "ServqualResult", "ZoneResult", "ServperfResult", "servqual", "servqual_zones",
           "servperf", "servqual_dimensions", "sq_scores", "pe_ratio"]

#: The five SERVQUAL dimensions with their 1-based item positions (1988 scale).
SERVQUAL_DIMENSIONS: dict[str, tuple[int, ...]] = {
    "tangibles": (1, 2, 3, 4),
    "reliability": (5, 6, 7, 8, 9),
    "responsiveness": (10, 11, 12, 13),
    "assurance": (14, 15, 16, 17),
    "empathy": (18, 19, 20, 21, 22),
}


def servqual_dimensions(items: Sequence[str]) -> dict[str, list[str]]:
    """Map 22 item names, in questionnaire order, to the five SERVQUAL dimensions.

    Examples
    --------
    >>> servqual_dimensions([f"q{i}" for i in range(1, 23)])["tangibles"]
    ['q1', 'q2', 'q3', 'q4']
    """
    items = list(items)
    if len(items) != 22:
        raise MethodError(f"servqual_dimensions: the standard SERVQUAL scale has 22 items; got {len(items)}. "
                          "Pass your own dimensions={'name': [items], ...} instead.")
    return {d: [items[p - 1] for p in pos] for d, pos in SERVQUAL_DIMENSIONS.items()}


def _check_tables(perceptions, expectations, where: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    if isinstance(perceptions, pd.Series):
        perceptions = perceptions.to_frame().T
    if isinstance(expectations, pd.Series):
        expectations = expectations.to_frame().T
    if not isinstance(perceptions, pd.DataFrame) or not isinstance(expectations, pd.DataFrame):
        raise MethodError(f"{where}: perceptions and expectations must be DataFrames (respondents x items).")
    if perceptions.size == 0 or expectations.size == 0:
        raise MethodError(f"{where}: perceptions or expectations are empty; give one row per respondent and one column per item.")
    if list(perceptions.columns) != list(expectations.columns):
        raise MethodError(
            f"{where}: perception items {list(perceptions.columns)} differ from expectation items "
            f"{list(expectations.columns)}; give the same items in the same order."
        )
    if perceptions.shape != expectations.shape or not perceptions.index.equals(expectations.index):
        raise MethodError(f"{where}: perceptions ({perceptions.shape[0]} rows) and expectations "
                          f"({expectations.shape[0]} rows) must have the same respondents (index).")
    try:
        p = perceptions.astype(float)
        e = expectations.astype(float)
    except (TypeError, ValueError):
        raise MethodError(f"{where}: perceptions and expectations must be numeric answers.") from None
    return p, e


def _weights(weights, names: list[str], *, normalize: bool, atol: float, where: str) -> pd.Series:
    w = pd.Series(weights, dtype=float) if isinstance(weights, Mapping) else pd.Series(weights).astype(float)
    if not isinstance(weights, (Mapping, pd.Series)):
        if len(w) != len(names):
            raise MethodError(f"{where}: {len(w)} weights for {len(names)} entries {names}.")
        w.index = names
    return checked_weights(w, names, label=where, normalize=normalize, atol=atol,
                           hint=" (e.g. a 100-point allocation)")


def sq_scores(perceptions: pd.DataFrame, expectations: pd.DataFrame, weights=None, *, normalize: bool = False,
              atol: float = 1e-6) -> pd.Series:
    """Per-respondent P-E score ``SQ_i = Σ_j W_j (P_ij − E_ij)``.

    Parameters
    ----------
    perceptions, expectations : DataFrame
        Respondents x attributes, same shape and labels.
    weights : mapping, Series or sequence, optional
        Attribute weights ``W_j`` summing to one (``normalize=True`` rescales
        them); default ``1/k`` each.  A respondent with a missing answer gets NaN.

    Returns
    -------
    Series ``sq`` indexed like the rows.

    Examples
    --------
    >>> p = pd.DataFrame({"a": [5, 4]}); e = pd.DataFrame({"a": [4, 6]})
    >>> sq_scores(p, e).tolist()
    [1.0, -2.0]
    """
    p, e = _check_tables(perceptions, expectations, "sq_scores")
    cols = list(p.columns)
    w = pd.Series(1.0 / len(cols), index=cols) if weights is None else _weights(
        weights, cols, normalize=normalize, atol=atol, where="sq_scores")
    gap = p - e
    return pd.Series(gap.to_numpy() @ w.to_numpy(), index=p.index, name="sq")


def _resolve_dimensions(cols: list, dimensions, where: str) -> tuple[dict[str, list], dict]:
    """Dimension -> items (every item in exactly one dimension) and item -> dimension."""
    if dimensions is None:
        if len(cols) != 22:
            raise MethodError(f"{where}: {len(cols)} items; without dimensions= acsi assumes the standard 22-item scale. "
                              "Pass dimensions={'tangibles': [...], ...}.")
        dimensions = servqual_dimensions(cols)
    dims = {str(d): list(items) for d, items in dimensions.items()}
    seen: dict = {}
    for d, items in dims.items():
        if len(items) == 0:
            raise MethodError(f"{where}: dimension {d!r} has no items.")
        for it in items:
            if it not in cols:
                raise MethodError(f"{where}: item {it!r} of dimension {d!r} is not a column; columns are {cols}.")
            if it in seen:
                raise MethodError(f"{where}: item {it!r} is in dimensions {seen[it]!r} and {d!r}; assign it once.")
            seen[it] = d
    unassigned = [c for c in cols if c not in seen]
    if unassigned:
        raise MethodError(f"{where}: items {unassigned} belong to no dimension; add them to dimensions= or drop the columns.")
    return dims, seen


def _iv_row(iv: dict) -> dict:
    return {"se": iv["se"], "ci_lower": iv["ci_lower"], "ci_upper": iv["ci_upper"]}


def _linear(values: np.ndarray, w, g: np.ndarray, confidence: float) -> dict:
    return linearized_estimate(values, w, lambda m: float(m @ g), confidence, gradient=g)


def _dimension_gradients(cols: list, dims: dict) -> dict[str, np.ndarray]:
    out = {}
    for d, its in dims.items():
        g = np.zeros(len(cols))
        g[[cols.index(i) for i in its]] = 1.0 / len(its)
        out[d] = g
    return out


@dataclass(frozen=True)
class ServqualResult:
    """Result of :func:`servqual`.

    Attributes
    ----------
    items : DataFrame
        ``item, dimension, n, perception, expectation, gap, ratio`` (means) and the
        gap's ``se, ci_lower, ci_upper``.
    dimensions : DataFrame
        ``dimension, n_items, perception, expectation, gap, ratio, weight, weighted_gap``
        and the gap's ``se, ci_lower, ci_upper``.
    overall : Series
        ``unweighted_sq`` (mean of dimension gaps), ``weighted_sq`` (Σ W_d gap_d,
        NaN without weights), ``mean_item_gap``, ``ratio`` (mean P / mean E).
    intervals : DataFrame
        The four overall figures with ``estimate, se, ci_lower, ci_upper, n``
        (linearisation, :mod:`acsi.methods.intervals`).
    confidence : float
    """

    items: pd.DataFrame
    dimensions: pd.DataFrame
    overall: pd.Series
    intervals: pd.DataFrame | None = None
    confidence: float = 0.95

    def summary(self) -> Summary:
        """Printable summary (text in a terminal, HTML in a notebook)."""
        return Summary(f"SERVQUAL gaps (P - E), {100 * self.confidence:g}% intervals",
                       [("Overall", self.intervals.reset_index()), ("Dimensions", self.dimensions),
                        ("Items", self.items)])


def servqual(perceptions: pd.DataFrame, expectations: pd.DataFrame, dimensions: Mapping[str, Sequence[str]] | None = None,
             weights=None, *, normalize: bool = False, atol: float = 1e-6, survey_weights=None,
             confidence: float = 0.95) -> ServqualResult:
    """SERVQUAL gap analysis: item gaps, dimension gaps, unweighted and weighted SQ, with intervals.

    Parameters
    ----------
    perceptions, expectations : DataFrame
        Respondents x items on the same scale (e.g. 1-7).  Means use the
        respondents who answered both P and E of the item.
    dimensions : mapping dimension -> item names, optional
        Default: the standard five dimensions when there are exactly 22 items
        (see :func:`servqual_dimensions`); otherwise required.  Every item must
        belong to exactly one dimension.
    weights : mapping dimension -> weight, optional
        Dimension weights for ``SQ = Σ W_d gap_d``; must sum to 1 (within
        ``atol``) unless ``normalize=True`` (e.g. points out of 100).
    survey_weights : Series or sequence, keyword-only, optional
        Respondent (survey) weights: weighted means and linearised variances.
    confidence : float, keyword-only
        Level of the intervals.

    Returns
    -------
    ServqualResult

    Notes
    -----
    item gap ``g_j = mean_i(P_ij − E_ij)``; dimension gap = mean of its item
    gaps; unweighted SQ = mean of the dimension gaps (Parasuraman et al. 1988);
    weighted SQ = ``Σ_d W_d gap_d``; ratio ``C = mean P / mean E``.  Every figure is
    a smooth function of item means, so its interval is the linearisation
    ``θ ± t_{n−1} se`` (R ``survey::svycontrast`` / ``svyratio``).

    Examples
    --------
    >>> p = pd.DataFrame({"t1": [5, 6], "r1": [4, 4]}); e = pd.DataFrame({"t1": [6, 6], "r1": [6, 5]})
    >>> res = servqual(p, e, {"tangibles": ["t1"], "reliability": ["r1"]}, {"tangibles": 0.4, "reliability": 0.6})
    >>> round(float(res.overall["weighted_sq"]), 3)
    -1.1
    """
    p, e = _check_tables(perceptions, expectations, "servqual")
    confidence = check_confidence(confidence, "servqual")
    cols = list(p.columns)
    dims, seen = _resolve_dimensions(cols, dimensions, "servqual")
    sw = aligned_weights(survey_weights, p.index, "servqual")
    both = p.notna() & e.notna()
    pm = p.where(both)
    em = e.where(both)
    gap = pm - em
    n = both.sum()
    empty = [c for c in cols if n[c] == 0]
    if empty:
        raise MethodError(f"servqual: items {empty} have no respondent with both perception and expectation.")
    G, PM, EM = gap.to_numpy(dtype=float), pm.to_numpy(dtype=float), em.to_numpy(dtype=float)
    item_iv = [mean_estimate(G[:, j], sw, confidence) for j in range(len(cols))]
    p_mean = [mean_estimate(PM[:, j], sw, confidence)["estimate"] for j in range(len(cols))]
    e_mean = [mean_estimate(EM[:, j], sw, confidence)["estimate"] for j in range(len(cols))]
    items = pd.DataFrame({
        "item": cols,
        "dimension": [seen[c] for c in cols],
        "n": n.to_numpy(dtype=int),
        "perception": p_mean,
        "expectation": e_mean,
        "gap": [iv["estimate"] for iv in item_iv],
    })
    items["ratio"] = items["perception"] / items["expectation"]
    items = items.assign(**pd.DataFrame([_iv_row(iv) for iv in item_iv]))
    grads = _dimension_gradients(cols, dims)
    drows = []
    for d, its in dims.items():
        sub = items.set_index("item").loc[its]
        iv = _linear(G, sw, grads[d], confidence)
        drows.append({"dimension": d, "n_items": len(its), "perception": sub["perception"].mean(),
                      "expectation": sub["expectation"].mean(), "gap": iv["estimate"], **_iv_row(iv)})
    dim = pd.DataFrame(drows)
    dim["ratio"] = dim["perception"] / dim["expectation"]
    g_unw = np.mean(list(grads.values()), axis=0)
    if weights is not None:
        w = _weights(weights, list(dims), normalize=normalize, atol=atol, where="servqual")
        dim["weight"] = w.to_numpy()
        dim["weighted_gap"] = dim["weight"] * dim["gap"]
        g_w = np.sum([w[d] * grads[d] for d in dims], axis=0)
        weighted_iv = _linear(G, sw, g_w, confidence)
    else:
        dim["weight"] = np.nan
        dim["weighted_gap"] = np.nan
        weighted_iv = {k: np.nan for k in ("estimate", "se", "ci_lower", "ci_upper", "n")}
    dim = dim[["dimension", "n_items", "perception", "expectation", "gap", "ratio", "weight", "weighted_gap",
               "se", "ci_lower", "ci_upper"]]
    k = len(cols)
    PE = np.column_stack([PM, EM])
    ratio_iv = linearized_estimate(PE, sw, lambda m: float(m[:k].sum() / m[k:].sum()), confidence,
                                   gradient=lambda m: np.concatenate([np.full(k, 1 / m[k:].sum()),
                                                                      np.full(k, -m[:k].sum() / m[k:].sum() ** 2)]))
    ivs = {"unweighted_sq": _linear(G, sw, g_unw, confidence), "weighted_sq": weighted_iv,
           "mean_item_gap": _linear(G, sw, np.full(k, 1.0 / k), confidence), "ratio": ratio_iv}
    intervals = pd.DataFrame({q: {c: iv[c] for c in ("estimate", "se", "ci_lower", "ci_upper", "n")}
                              for q, iv in ivs.items()}).T
    intervals.index.name = "quantity"
    overall = pd.Series({
        "unweighted_sq": float(dim["gap"].mean()),
        "weighted_sq": float(dim["weighted_gap"].sum()) if weights is not None else np.nan,
        "mean_item_gap": float(items["gap"].mean()),
        "ratio": float(items["perception"].mean() / items["expectation"].mean()),
    }, name="servqual")
    return ServqualResult(items=items, dimensions=dim, overall=overall, intervals=intervals, confidence=confidence)


@dataclass(frozen=True)
class ZoneResult:
    """Result of :func:`servqual_zones` (zone of tolerance).

    Attributes
    ----------
    items, dimensions : DataFrame
        ``perception, desired, adequate`` (means), ``tolerance`` (D − A, the zone's width),
        ``msa`` (adequacy gap P − A) and ``mss`` (superiority gap P − D) each with
        ``_se, _ci_lower, _ci_upper``, ``position`` (``below`` the zone: P < A;
        ``within``; ``above``: P > D, from the point estimates), ``clear`` (the intervals
        put the perception on that side of both edges) and, for items, ``n`` and
        ``n_inverted`` (respondents whose adequate level exceeds their desired level).
    confidence : float
    """

    items: pd.DataFrame
    dimensions: pd.DataFrame
    confidence: float

    def summary(self) -> Summary:
        """Printable summary."""
        return Summary(f"SERVQUAL zone of tolerance, {100 * self.confidence:g}% intervals",
                       [("Dimensions", self.dimensions), ("Items", self.items)])


def _zone_columns(msa: dict, mss: dict) -> dict:
    out = {"msa": msa["estimate"], "msa_se": msa["se"], "msa_ci_lower": msa["ci_lower"], "msa_ci_upper": msa["ci_upper"],
           "mss": mss["estimate"], "mss_se": mss["se"], "mss_ci_lower": mss["ci_lower"], "mss_ci_upper": mss["ci_upper"]}
    if msa["estimate"] < 0:
        out["position"], out["clear"] = "below", bool(msa["ci_upper"] < 0)
    elif mss["estimate"] > 0:
        out["position"], out["clear"] = "above", bool(mss["ci_lower"] > 0)
    else:
        out["position"], out["clear"] = "within", bool(msa["ci_lower"] >= 0 and mss["ci_upper"] <= 0)
    return out


def servqual_zones(perceptions: pd.DataFrame, desired: pd.DataFrame, adequate: pd.DataFrame,
                   dimensions: Mapping[str, Sequence[str]] | None = None, *, survey_weights=None,
                   confidence: float = 0.95) -> ZoneResult:
    """Zone of tolerance: adequacy (P − A) and superiority (P − D) gaps per item and dimension.

    Parameters
    ----------
    perceptions, desired, adequate : DataFrame
        Respondents x items: perceived service, desired service (the level the customer
        hopes for, the zone's top) and adequate service (the minimum they accept, its
        bottom), on the same scale and with the same columns and rows.
    dimensions : mapping dimension -> items, optional
        As in :func:`servqual` (default the five dimensions for 22 items).
    survey_weights : Series or sequence, optional
    confidence : float

    Returns
    -------
    ZoneResult

    Notes
    -----
    Parasuraman, Zeithaml & Berry (1994): measure of service adequacy ``MSA = P − A``,
    measure of service superiority ``MSS = P − D``; the zone of tolerance is
    ``[A, D]``.  Means use the respondents who answered all three questions of an item;
    dimension figures are means of their items' figures; intervals are the
    linearisation of :mod:`acsi.methods.intervals`.

    References
    ----------
    Parasuraman, A., Zeithaml, V. A., & Berry, L. L. (1994). Alternative scales for measuring
    service quality: a comparative assessment based on psychometric and diagnostic criteria.
    *Journal of Retailing* 70(3), 201-230.
    Zeithaml, V. A., Berry, L. L., & Parasuraman, A. (1993). The nature and determinants of
    customer expectations of service. *JAMS* 21(1), 1-12.

    Examples
    --------
    >>> p = pd.DataFrame({"a": [5, 6, 6], "b": [3, 2, 3]})
    >>> d = pd.DataFrame({"a": [7, 7, 6], "b": [6, 6, 7]})
    >>> a = pd.DataFrame({"a": [4, 5, 4], "b": [4, 5, 4]})
    >>> servqual_zones(p, d, a, {"x": ["a"], "y": ["b"]}).items["position"].tolist()
    ['within', 'below']
    """
    p, d = _check_tables(perceptions, desired, "servqual_zones")
    _, a = _check_tables(perceptions, adequate, "servqual_zones")
    confidence = check_confidence(confidence, "servqual_zones")
    cols = list(p.columns)
    dims, seen = _resolve_dimensions(cols, dimensions, "servqual_zones")
    sw = aligned_weights(survey_weights, p.index, "servqual_zones")
    ok = p.notna() & d.notna() & a.notna()
    n = ok.sum()
    empty = [c for c in cols if n[c] == 0]
    if empty:
        raise MethodError(f"servqual_zones: items {empty} have no respondent with perception, desired and adequate levels.")
    P, D, A = (x.where(ok).to_numpy(dtype=float) for x in (p, d, a))
    MSA, MSS = P - A, P - D

    def means(X, j):
        return mean_estimate(X[:, j], sw, confidence)["estimate"]

    rows = []
    for j, c in enumerate(cols):
        msa, mss = mean_estimate(MSA[:, j], sw, confidence), mean_estimate(MSS[:, j], sw, confidence)
        rows.append({"item": c, "dimension": seen[c], "n": int(n[c]), "n_inverted": int((A[:, j] > D[:, j]).sum()),
                     "perception": means(P, j), "desired": means(D, j), "adequate": means(A, j),
                     "tolerance": means(D, j) - means(A, j), **_zone_columns(msa, mss)})
    items = pd.DataFrame(rows)
    grads = _dimension_gradients(cols, dims)
    drows = []
    for dname, its in dims.items():
        sub = items.set_index("item").loc[its]
        msa, mss = _linear(MSA, sw, grads[dname], confidence), _linear(MSS, sw, grads[dname], confidence)
        drows.append({"dimension": dname, "n_items": len(its), "perception": sub["perception"].mean(),
                      "desired": sub["desired"].mean(), "adequate": sub["adequate"].mean(),
                      "tolerance": sub["tolerance"].mean(), **_zone_columns(msa, mss)})
    return ZoneResult(items=items, dimensions=pd.DataFrame(drows), confidence=confidence)


@dataclass(frozen=True)
class ServperfResult:
    """Result of :func:`servperf` (perception-only service quality).

    Attributes
    ----------
    items : DataFrame
        ``item, dimension, n, perception, se, ci_lower, ci_upper``.
    dimensions : DataFrame
        ``dimension, n_items, perception, se, ci_lower, ci_upper, weight``.
    overall : DataFrame
        ``unweighted`` (mean of the dimension means) and ``weighted`` (Σ W_d P_d, NaN
        without weights) with ``estimate, se, ci_lower, ci_upper, n``.
    confidence : float
    """

    items: pd.DataFrame
    dimensions: pd.DataFrame
    overall: pd.DataFrame
    confidence: float

    def summary(self) -> Summary:
        """Printable summary."""
        return Summary(f"SERVPERF (perceptions only), {100 * self.confidence:g}% intervals",
                       [("Overall", self.overall.reset_index()), ("Dimensions", self.dimensions), ("Items", self.items)])


def servperf(perceptions: pd.DataFrame, dimensions: Mapping[str, Sequence[str]] | None = None, weights=None, *,
             normalize: bool = False, atol: float = 1e-6, survey_weights=None, confidence: float = 0.95) -> ServperfResult:
    """SERVPERF: service quality from the perception items alone (Cronin & Taylor 1992).

    Parameters
    ----------
    perceptions : DataFrame
        Respondents x items (the 22 SERVQUAL perception items or your own).
    dimensions, weights, normalize, atol
        As in :func:`servqual` (weights are dimension weights).
    survey_weights : Series or sequence, optional
    confidence : float

    Returns
    -------
    ServperfResult

    Notes
    -----
    ``SP = Σ_d W_d P̄_d`` with ``P̄_d`` the mean of the dimension's item means (unweighted:
    the mean of the dimension means).  Intervals: linearisation of
    :mod:`acsi.methods.intervals`.

    References
    ----------
    Cronin, J. J., & Taylor, S. A. (1992). Measuring service quality: a reexamination and
    extension. *Journal of Marketing* 56(3), 55-68.

    Examples
    --------
    >>> p = pd.DataFrame({"a": [5, 6, 7], "b": [3, 4, 5]})
    >>> float(servperf(p, {"x": ["a"], "y": ["b"]}).overall.loc["unweighted", "estimate"])
    5.0
    """
    if isinstance(perceptions, pd.Series):
        perceptions = perceptions.to_frame().T
    if not isinstance(perceptions, pd.DataFrame) or perceptions.size == 0:
        raise MethodError("servperf: perceptions must be a non-empty DataFrame (respondents x items).")
    try:
        p = perceptions.astype(float)
    except (TypeError, ValueError):
        raise MethodError("servperf: perceptions must be numeric answers.") from None
    confidence = check_confidence(confidence, "servperf")
    cols = list(p.columns)
    dims, seen = _resolve_dimensions(cols, dimensions, "servperf")
    sw = aligned_weights(survey_weights, p.index, "servperf")
    n = p.notna().sum()
    empty = [c for c in cols if n[c] == 0]
    if empty:
        raise MethodError(f"servperf: items {empty} have no answers.")
    P = p.to_numpy(dtype=float)
    item_iv = [mean_estimate(P[:, j], sw, confidence) for j in range(len(cols))]
    items = pd.DataFrame({"item": cols, "dimension": [seen[c] for c in cols], "n": n.to_numpy(dtype=int),
                          "perception": [iv["estimate"] for iv in item_iv]})
    items = items.assign(**pd.DataFrame([_iv_row(iv) for iv in item_iv]))
    grads = _dimension_gradients(cols, dims)
    drows = []
    for d, its in dims.items():
        iv = _linear(P, sw, grads[d], confidence)
        drows.append({"dimension": d, "n_items": len(its), "perception": iv["estimate"], **_iv_row(iv)})
    dim = pd.DataFrame(drows)
    keys = ("estimate", "se", "ci_lower", "ci_upper", "n")
    overall = {"unweighted": _linear(P, sw, np.mean(list(grads.values()), axis=0), confidence)}
    if weights is not None:
        w = _weights(weights, list(dims), normalize=normalize, atol=atol, where="servperf")
        dim["weight"] = w.to_numpy()
        overall["weighted"] = _linear(P, sw, np.sum([w[d] * grads[d] for d in dims], axis=0), confidence)
    else:
        dim["weight"] = np.nan
        overall["weighted"] = {k: np.nan for k in keys}
    table = pd.DataFrame({q: {k: iv[k] for k in keys} for q, iv in overall.items()}).T
    table.index.name = "quantity"
    return ServperfResult(items=items, dimensions=dim, overall=table, confidence=confidence)


def pe_ratio(perceived, expected, *, band: float = 0.05) -> pd.DataFrame:
    """Perception/expectation ratio ``C = b / a`` with the documents' reading.

    Parameters
    ----------
    perceived, expected : scalar, Series or sequence
        ``b`` and ``a`` (positive expectations).
    band : float, keyword-only
        ``|C − 1| <= band`` reads "fairly satisfied" (default 0.05).

    Returns
    -------
    DataFrame with columns ``perceived, expected, ratio, reading`` where reading
    is ``"dissatisfied"`` (C < 1 − band), ``"fairly satisfied"`` or
    ``"very satisfied"`` (C > 1 + band).

    Examples
    --------
    >>> pe_ratio([4.2, 5.0, 6.0], [5.0, 5.0, 5.0])["reading"].tolist()
    ['dissatisfied', 'fairly satisfied', 'very satisfied']
    """
    b = perceived.astype(float) if isinstance(perceived, pd.Series) else pd.Series(np.atleast_1d(np.asarray(perceived, dtype=float)))
    a = expected.astype(float) if isinstance(expected, pd.Series) else pd.Series(np.atleast_1d(np.asarray(expected, dtype=float)))
    if len(b) == 0:
        raise MethodError("pe_ratio: no values given.")
    if len(a) != len(b):
        raise MethodError(f"pe_ratio: {len(b)} perceived and {len(a)} expected values; give one of each per attribute.")
    if isinstance(expected, pd.Series) and isinstance(perceived, pd.Series):
        if set(a.index) != set(b.index):
            raise MethodError(f"pe_ratio: perceived {list(b.index)} and expected {list(a.index)} name different attributes.")
        a = a.loc[b.index]
    else:
        a.index = b.index
    if not (band >= 0):
        raise MethodError(f"pe_ratio: band must be >= 0; got {band!r}.")
    bad = [i for i, v in zip(b.index, a.to_numpy()) if not (v > 0)]
    if bad:
        raise MethodError(f"pe_ratio: expected values must be positive; not so for {bad}.")
    c = b.to_numpy() / a.to_numpy()
    reading = np.where(c < 1 - band, "dissatisfied", np.where(c > 1 + band, "very satisfied", "fairly satisfied"))
    return pd.DataFrame({"perceived": b.to_numpy(), "expected": a.to_numpy(), "ratio": c, "reading": reading}, index=b.index)
