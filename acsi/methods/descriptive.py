"""Descriptive and stratified analysis of survey items.

Per item (and per stratum: region, customer industry, years of use, ...):
n (non-missing answers), mean, median, mode (the smallest of several modes),
standard deviation (``n − 1``), interquartile range (Q3 − Q1 with linear
interpolation, numpy's/R's type 7), range (max − min), and the ``t`` interval
of the mean ``mean ± t_{n−1, 1−α/2} · sd / √n``.

With survey weights ``w_i`` (``weights=``): the weighted mean ``Σ w y / Σ w``; the
standard deviation ``√(n/(n − 1) · Σ w (y − ȳ)² / Σ w)`` (R ``survey::svyvar``); the
mode the answer with the largest total weight (the smallest of ties); the median and
quartiles from the weighted distribution function ``F`` with the "school" rule
(R ``survey::svyquantile(..., qrule = "school")``: the smallest ``y`` with
``F(y) > p``, or the mid-point of ``y_j`` and the next value when ``F(y_j) = p``
exactly, which with equal weights is the textbook median); the interval is the
linearisation ``ȳ ± t_{n−1} se`` of :mod:`acsi.methods.intervals`
(``svymean`` with ``confint(..., df = degf(design))``).  ``range`` is unweighted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import MethodError
from .intervals import aligned_weights, check_confidence, mean_estimate

__all__ = ["describe_items"]

_COLUMNS = ["n", "mean", "median", "mode", "sd", "iqr", "range", "ci_lower", "ci_upper"]


def _describe(x: np.ndarray, confidence: float) -> dict:
    n = len(x)
    if n == 0:
        return {c: (0 if c == "n" else np.nan) for c in _COLUMNS}
    mean = float(np.mean(x))
    vals, counts = np.unique(x, return_counts=True)
    mode = float(vals[np.argmax(counts)])  # np.unique sorts: the smallest mode wins
    sd = float(np.std(x, ddof=1)) if n > 1 else np.nan
    q1, q3 = np.percentile(x, [25, 75])
    if n > 1:
        half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n))
        lo, hi = mean - half, mean + half
    else:
        lo = hi = np.nan
    return {"n": n, "mean": mean, "median": float(np.median(x)), "mode": mode, "sd": sd,
            "iqr": float(q3 - q1), "range": float(np.max(x) - np.min(x)), "ci_lower": lo, "ci_upper": hi}


def _weighted_quantile(x: np.ndarray, w: np.ndarray, p: float) -> float:
    order = np.argsort(x, kind="stable")
    xs, ws = x[order], w[order]
    vals, start = np.unique(xs, return_index=True)
    wsum = np.add.reduceat(ws, start)
    cdf = np.cumsum(wsum) / wsum.sum()
    hit = np.where(np.isclose(cdf, p, rtol=0, atol=1e-12))[0]
    if len(hit) and hit[0] + 1 < len(vals):
        return float((vals[hit[0]] + vals[hit[0] + 1]) / 2)
    return float(vals[np.argmax(cdf > p - 1e-12)]) if not len(hit) else float(vals[hit[0]])


def _describe_weighted(x: np.ndarray, w: np.ndarray, confidence: float) -> dict:
    n = len(x)
    if n == 0 or w.sum() <= 0:
        return {c: (0 if c == "n" else np.nan) for c in _COLUMNS}
    iv = mean_estimate(x, w, confidence)
    mean = iv["estimate"]
    vals, inv = np.unique(x, return_inverse=True)
    mode = float(vals[np.argmax(np.bincount(inv, weights=w))])
    sd = float(np.sqrt(n / (n - 1) * (w @ (x - mean) ** 2) / w.sum())) if n > 1 else np.nan
    q1, med, q3 = (_weighted_quantile(x, w, p) for p in (0.25, 0.5, 0.75))
    return {"n": n, "mean": mean, "median": med, "mode": mode, "sd": sd, "iqr": q3 - q1,
            "range": float(np.max(x) - np.min(x)), "ci_lower": iv["ci_lower"], "ci_upper": iv["ci_upper"]}


def describe_items(df: pd.DataFrame, items: Sequence[str] | None = None, by: str | Sequence[str] | None = None,
                   confidence: float = 0.95, *, weights=None) -> pd.DataFrame:
    """Central tendency, dispersion and confidence interval per item (and stratum).

    Parameters
    ----------
    df : DataFrame
        Respondents x variables.
    items : sequence of str, optional
        Numeric item columns (default: every numeric column not in ``by``).
    by : str or sequence of str, optional
        Stratum column(s); one block of rows per stratum (respondents with a
        missing stratum count only in the overall rows), after the rows for all
        respondents, whose stratum columns are NaN (so that numeric strata such
        as years of use stay numeric).
    confidence : float
        Level of the ``t`` interval of the mean.
    weights : str, Series or sequence, keyword-only, optional
        Survey weights: a column of ``df`` (then never an item) or one weight per row;
        see the module notes for the weighted statistics.

    Returns
    -------
    DataFrame
        Columns ``[<by>...,] item, n, mean, median, mode, sd, iqr, range,
        ci_lower, ci_upper``.  Missing answers are dropped per item; ``sd`` and
        the interval are NaN when n < 2.

    Examples
    --------
    >>> d = pd.DataFrame({"q1": [1, 2, 2, 5], "region": ["n", "n", "s", "s"]})
    >>> describe_items(d, ["q1"])[["mean", "median", "mode", "range"]].iloc[0].tolist()
    [2.5, 2.0, 2.0, 4.0]
    """
    if not isinstance(df, pd.DataFrame) or len(df) == 0:
        raise MethodError("describe_items: the data table is empty; give respondents x items.")
    confidence = check_confidence(confidence, "describe_items")
    by_cols = [] if by is None else ([by] if isinstance(by, str) else list(by))
    weight_col = None
    if isinstance(weights, str):
        if weights not in df.columns:
            raise MethodError(f"describe_items: weight column {weights!r} not found; columns are {list(df.columns)}.")
        weight_col = weights
        weights = df[weights]
    w_all = aligned_weights(weights, df.index, "describe_items")
    missing_by = [c for c in by_cols if c not in df.columns]
    if missing_by:
        raise MethodError(f"describe_items: stratum columns {missing_by} not found; columns are {list(df.columns)}.")
    if items is None:
        items = [c for c in df.columns if c not in by_cols and c != weight_col and pd.api.types.is_numeric_dtype(df[c])]
        if not items:
            raise MethodError("describe_items: no numeric item columns; name them with items=.")
    items = list(items)
    if not items:
        raise MethodError("describe_items: items is empty; name at least one item column.")
    missing = [c for c in items if c not in df.columns]
    if missing:
        raise MethodError(f"describe_items: items {missing} not found; columns are {list(df.columns)}.")
    data = {}
    for c in items:
        num = pd.to_numeric(df[c], errors="coerce")
        bad = df[c][num.isna() & df[c].notna()]
        if len(bad):
            raise MethodError(f"describe_items: item {c!r} has non-numeric answers at rows {list(bad.index[:10])}: "
                              f"{bad.iloc[:10].tolist()}; recode them or mark them missing.")
        data[c] = num.astype(float)
    num_df = pd.DataFrame(data, index=df.index)
    if weight_col is not None and weight_col in items:
        raise MethodError(f"describe_items: {weight_col!r} is the weight column; remove it from items.")

    def describe(pos: np.ndarray, item: str) -> dict:
        x = num_df[item].to_numpy()[pos]
        ok = np.isfinite(x)
        if w_all is None:
            return _describe(x[ok], confidence)
        return _describe_weighted(x[ok], w_all[pos][ok], confidence)

    everyone = np.arange(len(df))
    rows = []
    if by_cols:
        for item in items:
            rows.append({**{b: np.nan for b in by_cols}, "item": item, **describe(everyone, item)})
        keys = df[by_cols].reset_index(drop=True)
        for key, part in keys.groupby(by_cols, sort=True, dropna=True):
            key = key if isinstance(key, tuple) else (key,)
            pos = part.index.to_numpy()
            for item in items:
                rows.append({**dict(zip(by_cols, key)), "item": item, **describe(pos, item)})
    else:
        for item in items:
            rows.append({"item": item, **describe(everyone, item)})
    out = pd.DataFrame(rows, columns=by_cols + ["item"] + _COLUMNS)
    out["n"] = out["n"].astype(int)
    return out
