"""SERVQUAL gap scores (P − E model) and the perception/expectation ratio.

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
from ._weights import checked_weights

__all__ = ["SERVQUAL_DIMENSIONS", "ServqualResult", "servqual", "servqual_dimensions", "sq_scores", "pe_ratio"]

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


@dataclass(frozen=True)
class ServqualResult:
    """Result of :func:`servqual`.

    Attributes
    ----------
    items : DataFrame
        ``item, dimension, n, perception, expectation, gap, ratio`` (means).
    dimensions : DataFrame
        ``dimension, n_items, perception, expectation, gap, ratio, weight, weighted_gap``.
    overall : Series
        ``unweighted_sq`` (mean of dimension gaps), ``weighted_sq`` (Σ W_d gap_d,
        NaN without weights), ``mean_item_gap``, ``ratio`` (mean P / mean E).
    """

    items: pd.DataFrame
    dimensions: pd.DataFrame
    overall: pd.Series


def servqual(perceptions: pd.DataFrame, expectations: pd.DataFrame, dimensions: Mapping[str, Sequence[str]] | None = None,
             weights=None, *, normalize: bool = False, atol: float = 1e-6) -> ServqualResult:
    """SERVQUAL gap analysis: item gaps, dimension gaps, unweighted and weighted SQ.

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

    Returns
    -------
    ServqualResult

    Notes
    -----
    item gap ``g_j = mean_i(P_ij − E_ij)``; dimension gap = mean of its item
    gaps; unweighted SQ = mean of the dimension gaps (Parasuraman et al. 1988);
    weighted SQ = ``Σ_d W_d gap_d``; ratio ``C = mean P / mean E``.

    Examples
    --------
    >>> p = pd.DataFrame({"t1": [5, 6], "r1": [4, 4]}); e = pd.DataFrame({"t1": [6, 6], "r1": [6, 5]})
    >>> res = servqual(p, e, {"tangibles": ["t1"], "reliability": ["r1"]}, {"tangibles": 0.4, "reliability": 0.6})
    >>> round(float(res.overall["weighted_sq"]), 3)
    -1.1
    """
    p, e = _check_tables(perceptions, expectations, "servqual")
    cols = list(p.columns)
    if dimensions is None:
        if len(cols) != 22:
            raise MethodError(f"servqual: {len(cols)} items; without dimensions= acsi assumes the standard 22-item scale. "
                              "Pass dimensions={'tangibles': [...], ...}.")
        dimensions = servqual_dimensions(cols)
    dims = {str(d): list(items) for d, items in dimensions.items()}
    seen: dict = {}
    for d, items in dims.items():
        if len(items) == 0:
            raise MethodError(f"servqual: dimension {d!r} has no items.")
        for it in items:
            if it not in cols:
                raise MethodError(f"servqual: item {it!r} of dimension {d!r} is not a column; columns are {cols}.")
            if it in seen:
                raise MethodError(f"servqual: item {it!r} is in dimensions {seen[it]!r} and {d!r}; assign it once.")
            seen[it] = d
    unassigned = [c for c in cols if c not in seen]
    if unassigned:
        raise MethodError(f"servqual: items {unassigned} belong to no dimension; add them to dimensions= or drop the columns.")
    both = p.notna() & e.notna()
    pm = p.where(both)
    em = e.where(both)
    gap = pm - em
    n = both.sum()
    empty = [c for c in cols if n[c] == 0]
    if empty:
        raise MethodError(f"servqual: items {empty} have no respondent with both perception and expectation.")
    items = pd.DataFrame({
        "item": cols,
        "dimension": [seen[c] for c in cols],
        "n": n.to_numpy(dtype=int),
        "perception": pm.mean().to_numpy(),
        "expectation": em.mean().to_numpy(),
        "gap": gap.mean().to_numpy(),
    })
    items["ratio"] = items["perception"] / items["expectation"]
    drows = []
    for d, its in dims.items():
        sub = items.set_index("item").loc[its]
        drows.append({"dimension": d, "n_items": len(its), "perception": sub["perception"].mean(),
                      "expectation": sub["expectation"].mean(), "gap": sub["gap"].mean()})
    dim = pd.DataFrame(drows)
    dim["ratio"] = dim["perception"] / dim["expectation"]
    if weights is not None:
        w = _weights(weights, list(dims), normalize=normalize, atol=atol, where="servqual")
        dim["weight"] = w.to_numpy()
        dim["weighted_gap"] = dim["weight"] * dim["gap"]
        weighted = float(dim["weighted_gap"].sum())
    else:
        dim["weight"] = np.nan
        dim["weighted_gap"] = np.nan
        weighted = np.nan
    overall = pd.Series({
        "unweighted_sq": float(dim["gap"].mean()),
        "weighted_sq": weighted,
        "mean_item_gap": float(items["gap"].mean()),
        "ratio": float(items["perception"].mean() / items["expectation"].mean()),
    }, name="servqual")
    return ServqualResult(items=items, dimensions=dim, overall=overall)


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
