"""Survey-table scoring and the simple customer metrics (CSAT, NPS, CES, KCSI, overall CSI).

* Survey-table scoring (調查表式, SPEC §3): five grades with points very
  satisfied 100, satisfied 80, neutral 60, dissatisfied 40, very dissatisfied
  ``lowest`` (20 or 0; the source drops the number).  Item score =
  ``Σ_g n_g x_g / Σ_g n_g``.
* Satisfaction rate (顧客滿意率): ``T = S / C × 100%``.
* CSAT: share (%) of answers in the top ``top`` boxes of the scale (top-2-box of
  1-5 by default).
* NPS (Reichheld 2003): % promoters (9-10) − % detractors (0-6) on 0-10.
* CES: mean effort score (1-7 by default; Dixon, Freeman & Toman 2010).
* KCSI-style index (Korea Management Association Consulting, KMAC): each item's
  top-2-box share (6-7 on a 7-point scale) and the weighted sum overall
  satisfaction 30% + attribute (element) satisfaction 50% + repurchase intention
  20% (current KMAC weights, kcsi.kmac.co.kr; 2002 reports used 40/40/20).
* Overall CSI from graded importance and satisfaction shares (SPEC §3):
  ``I_i = Σ_j K_j R_ij``, ``P_i = Σ_j x_j y_ij``,
  ``CSI = Σ_i I_i P_i / (x_k Σ_i I_i)`` (x_k the top satisfaction grade's points).
  The source's formula image is lost; this is SPEC.md's reading from the definitions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import MethodError
from .intervals import (aligned_weights, check_confidence, linearized_estimate, mean_estimate,
                        proportion_estimate, wilson_interval)

__all__ = ["survey_table_score", "satisfaction_rate", "csat", "nps", "ces", "top_box", "kcsi_index",
           "OverallCSI", "overall_csi", "overall_csi_from_answers", "SURVEY_GRADES", "KCSI_WEIGHTS"]

#: Grades of the survey table, best first (the order of the points).
SURVEY_GRADES: tuple[str, ...] = ("very satisfied", "satisfied", "neutral", "dissatisfied", "very dissatisfied")
#: KMAC's KCSI weights: overall satisfaction, attribute satisfaction, repurchase intention.
KCSI_WEIGHTS: tuple[float, float, float] = (0.3, 0.5, 0.2)


def _numeric_series(x, where: str) -> pd.Series:
    if isinstance(x, pd.DataFrame):
        raise MethodError(f"{where}: expected one column of answers (a Series); got a table with columns {list(x.columns)}.")
    s = x.copy() if isinstance(x, pd.Series) else pd.Series(list(np.atleast_1d(x)) if x is not None else [])
    if len(s) == 0:
        raise MethodError(f"{where}: no answers given; pass a non-empty Series of answers.")
    num = pd.to_numeric(s, errors="coerce")
    bad = s[num.isna() & s.notna()]
    if len(bad):
        raise MethodError(f"{where}: non-numeric answers at rows {list(bad.index[:10])}: {bad.iloc[:10].tolist()}.")
    num = num.dropna().astype(float)
    if len(num) == 0:
        raise MethodError(f"{where}: every answer is missing; nothing to compute.")
    return num


def _answers_weights(x, weights, where: str) -> tuple[pd.Series, np.ndarray | None]:
    """Non-missing numeric answers and their survey weights (rows with a missing answer dropped)."""
    if not isinstance(x, (pd.Series, pd.DataFrame)):
        x = pd.Series(list(np.atleast_1d(x)) if x is not None else [])
    num = _numeric_series(x, where)
    if weights is None:
        return num, None
    w = aligned_weights(weights, x.index, where)
    w = w[pd.to_numeric(x, errors="coerce").notna().to_numpy()]
    if w.sum() <= 0:
        raise MethodError(f"{where}: the respondents who answered have weights summing to 0.")
    return num, w


def _check_range(s: pd.Series, lo: float, hi: float, where: str, *, integer: bool = True) -> None:
    bad = s[(s < lo) | (s > hi) | ((s != np.round(s)) if integer else False)]
    if len(bad):
        raise MethodError(
            f"{where}: answers outside the scale {lo:g}-{hi:g}{' (integers)' if integer else ''} at rows "
            f"{list(bad.index[:10])}: {bad.iloc[:10].tolist()}. Recode them or set scale=."
        )


def survey_table_score(counts=None, *, answers=None, points: Sequence[float] | None = None, lowest: float = 20,
                       codes: Sequence = (5, 4, 3, 2, 1), weights=None, confidence: float = 0.95) -> pd.DataFrame:
    """Survey-table score (調查表式): weighted mean of grade points per item, with its interval.

    Parameters
    ----------
    counts : DataFrame or Series, optional
        Counts (or shares) per grade, best grade first: columns ``very satisfied,
        satisfied, neutral, dissatisfied, very dissatisfied`` (any names, five
        columns in that order); rows are items.  A Series is one item.
    answers : DataFrame, keyword-only, optional
        Raw answers instead (respondents x items) coded with ``codes``.
    points : sequence of 5 floats, optional
        Grade points, best first; default ``(100, 80, 60, 40, lowest)``.
    lowest : float
        Points of "very dissatisfied" when ``points`` is not given (20 or 0).
    codes : sequence
        Answer codes of the grades, best first (default 5 = very satisfied ... 1).
    weights : Series or sequence, optional
        Survey weights of the respondents (``answers=`` only).
    confidence : float
        Level of the interval.

    Returns
    -------
    DataFrame indexed by item with ``n``, ``score`` (0-100 scale of the points), ``se``,
    ``ci_lower``, ``ci_upper``.

    Notes
    -----
    The score is the mean of the respondents' grade points, so its interval is the
    mean's (:mod:`acsi.methods.intervals`): ``score ± t_{n−1} s/√n`` from counts or
    unweighted answers, the linearisation with weights.  Counts that are not whole
    numbers (shares) carry no sample size: ``se`` and the interval are NaN then.

    Examples
    --------
    >>> survey_table_score(pd.Series([10, 20, 10, 5, 5], name="speed"))["score"].item()
    70.0
    """
    if (counts is None) == (answers is None):
        raise MethodError("survey_table_score: give either counts (items x grades) or answers= (respondents x items), not both or neither.")
    confidence = check_confidence(confidence, "survey_table_score")
    pts = np.asarray((100.0, 80.0, 60.0, 40.0, float(lowest)) if points is None else points, dtype=float)
    if pts.ndim != 1 or len(pts) == 0:
        raise MethodError(f"survey_table_score: points must be a sequence of numbers; got {points!r}.")
    if weights is not None and answers is None:
        raise MethodError("survey_table_score: weights= need raw answers (answers=); counts are already totals. "
                          "Pass weighted counts as counts= without weights, or the answers with weights=.")
    rows_iv: dict = {}
    if answers is not None:
        if not isinstance(answers, pd.DataFrame) or answers.size == 0:
            raise MethodError("survey_table_score: answers are empty; give respondents x items.")
        codes = list(codes)
        if len(codes) != len(pts):
            raise MethodError(f"survey_table_score: {len(codes)} codes for {len(pts)} grade points.")
        w_all = aligned_weights(weights, answers.index, "survey_table_score")
        rows = {}
        for col in answers.columns:
            s = answers[col].dropna()
            bad = s[~s.isin(codes)]
            if len(bad):
                raise MethodError(f"survey_table_score: item {col!r} has answers outside the codes {codes} at rows "
                                  f"{list(bad.index[:10])}: {bad.iloc[:10].tolist()}.")
            vc = s.value_counts()
            rows[col] = [vc.get(c, 0) for c in codes]
            if w_all is not None:
                y = answers[col].map(dict(zip(codes, pts))).to_numpy(dtype=float)
                rows_iv[col] = mean_estimate(y, w_all, confidence)
        table = pd.DataFrame.from_dict(rows, orient="index", columns=list(SURVEY_GRADES[: len(codes)]) if len(codes) == 5 else [str(c) for c in codes])
    else:
        table = counts.to_frame().T if isinstance(counts, pd.Series) else counts
        if not isinstance(table, pd.DataFrame):
            table = pd.DataFrame(np.atleast_2d(np.asarray(counts, dtype=float)))
        if table.size == 0:
            raise MethodError("survey_table_score: the count table is empty; give items x grades.")
    if table.shape[1] != len(pts):
        raise MethodError(f"survey_table_score: {table.shape[1]} grade columns {list(table.columns)} but {len(pts)} points; "
                          "give one count column per grade, best first.")
    try:
        c = table.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise MethodError("survey_table_score: counts must be numbers.") from None
    if not np.all(np.isfinite(c)) or (c < 0).any():
        raise MethodError("survey_table_score: counts must be finite and non-negative.")
    n = c.sum(axis=1)
    empty = [table.index[i] for i in np.where(n <= 0)[0]]
    if empty:
        raise MethodError(f"survey_table_score: items {empty} have no answers (all counts zero).")
    score = c @ pts / n
    if rows_iv:
        se = np.array([rows_iv[k]["se"] for k in table.index])
        lo = np.array([rows_iv[k]["ci_lower"] for k in table.index])
        hi = np.array([rows_iv[k]["ci_upper"] for k in table.index])
        score = np.array([rows_iv[k]["estimate"] for k in table.index])
    else:
        whole = np.all(c == np.round(c), axis=1) & (n > 1)
        var = np.where(whole, (c * (pts[None, :] - score[:, None]) ** 2).sum(axis=1) / np.maximum(n - 1, 1) / n, np.nan)
        se = np.sqrt(var)
        q = np.array([stats.t.ppf(0.5 + confidence / 2, k - 1) if ok else np.nan for k, ok in zip(n, whole)])
        lo, hi = score - q * se, score + q * se
    return pd.DataFrame({"n": n, "score": score, "se": se, "ci_lower": lo, "ci_upper": hi}, index=table.index)


def satisfaction_rate(satisfied, targeted, *, confidence: float | None = None) -> float | pd.Series | pd.DataFrame:
    """Satisfaction rate (顧客滿意率) ``T = S / C × 100%``, optionally with its Wilson interval.

    Parameters
    ----------
    satisfied : int or Series
        ``S``, satisfied customers.
    targeted : int or Series
        ``C``, customers targeted (surveyed), ``0 <= S <= C``, ``C > 0``.
    confidence : float, optional
        Without it the rate alone (float or Series); with it a Series (one pair of
        counts) or a DataFrame (Series of counts) with ``rate, ci_lower, ci_upper,
        satisfied, targeted`` in percent, the interval Wilson's (R ``prop.test(S, C,
        correct = FALSE)``).

    Returns
    -------
    float, Series or DataFrame in percent.

    Examples
    --------
    >>> satisfaction_rate(45, 60)
    75.0
    >>> satisfaction_rate(45, 60, confidence=0.95)[["ci_lower", "ci_upper"]].round(2).tolist()
    [62.77, 84.22]
    """
    s = pd.Series(satisfied, dtype=float) if isinstance(satisfied, pd.Series) else np.asarray(satisfied, dtype=float)
    c = pd.Series(targeted, dtype=float) if isinstance(targeted, pd.Series) else np.asarray(targeted, dtype=float)
    if np.size(s) == 0 or np.size(c) == 0:
        raise MethodError("satisfaction_rate: no values given.")
    if np.any(np.asarray(c) <= 0) or not np.all(np.isfinite(np.asarray(c))):
        raise MethodError(f"satisfaction_rate: the number of targeted customers C must be positive; got {np.asarray(c).tolist()}.")
    if np.any(np.asarray(s) < 0) or np.any(np.asarray(s) > np.asarray(c)):
        raise MethodError(f"satisfaction_rate: satisfied S must be within 0..C; got S={np.asarray(s).tolist()}, C={np.asarray(c).tolist()}.")
    t = s / c * 100.0
    if confidence is None:
        return t if isinstance(t, pd.Series) else (float(t) if np.ndim(t) == 0 else pd.Series(t))
    confidence = check_confidence(confidence, "satisfaction_rate")
    ss, cc = np.broadcast_arrays(np.atleast_1d(np.asarray(s, dtype=float)), np.atleast_1d(np.asarray(c, dtype=float)))
    ci = np.array([wilson_interval(a, b, confidence) for a, b in zip(ss, cc)]) * 100.0
    out = pd.DataFrame({"rate": ss / cc * 100.0, "ci_lower": ci[:, 0], "ci_upper": ci[:, 1], "satisfied": ss,
                        "targeted": cc}, index=t.index if isinstance(t, pd.Series) else None)
    return out.iloc[0].rename("satisfaction_rate") if np.ndim(t) == 0 else out


def top_box(answers, *, scale: tuple[int, int] = (1, 5), top: int = 2, weights=None,
            confidence: float = 0.95) -> pd.Series:
    """Share (%) of answers in the top ``top`` categories of an integer scale, with its Wilson interval.

    Returns
    -------
    Series ``top_box`` (percent), ``satisfied`` (count; the weighted share times ``n_eff``
    with weights), ``n``, ``n_eff`` (Kish; ``n`` without weights), ``ci_lower``,
    ``ci_upper`` (percent).
    """
    lo, hi = scale
    if not (isinstance(top, (int, np.integer)) and 1 <= top <= hi - lo + 1):
        raise MethodError(f"top_box: top must be an integer from 1 to {hi - lo + 1} for scale {scale}; got {top!r}.")
    confidence = check_confidence(confidence, "top_box")
    s, w = _answers_weights(answers, weights, "top_box")
    _check_range(s, lo, hi, "top_box")
    est = proportion_estimate((s >= hi - top + 1).to_numpy(dtype=float), w, confidence)
    return pd.Series({"top_box": 100.0 * est["estimate"], "satisfied": est["estimate"] * est["n_eff"],
                      "n": est["n"], "n_eff": est["n_eff"], "ci_lower": 100.0 * est["ci_lower"],
                      "ci_upper": 100.0 * est["ci_upper"]})


def csat(answers, *, scale: tuple[int, int] = (1, 5), top: int = 2, weights=None,
         confidence: float = 0.95) -> pd.Series | pd.DataFrame:
    """Customer satisfaction score: % of answers in the top-``top`` boxes (top-2 of 1-5).

    Parameters
    ----------
    answers : Series or DataFrame
        Integer answers; a DataFrame gives one row per column.  Missing answers
        are left out.
    weights : Series or sequence, optional
        Survey weights (the weighted share; the Wilson interval uses Kish's ``n_eff``).
    confidence : float
        Level of the Wilson interval (R ``prop.test(k, n, correct = FALSE)`` unweighted).

    Returns
    -------
    Series ``csat, satisfied, n, n_eff, ci_lower, ci_upper`` (or a DataFrame of them per column).

    Examples
    --------
    >>> float(csat(pd.Series([5, 4, 3, 2, 5]))["csat"])
    60.0
    """
    if isinstance(answers, pd.DataFrame):
        if answers.shape[1] == 0:
            raise MethodError("csat: the answer table has no columns.")
        return pd.DataFrame({c: csat(answers[c], scale=scale, top=top, weights=weights, confidence=confidence)
                             for c in answers.columns}).T
    r = top_box(answers, scale=scale, top=top, weights=weights, confidence=confidence)
    return r.rename({"top_box": "csat"}).rename("csat")


def nps(scores, *, weights=None, confidence: float = 0.95) -> pd.Series:
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6), with its interval.

    Parameters
    ----------
    scores : Series or sequence
        Integer likelihood-to-recommend answers on 0-10 (missing left out).
    weights : Series or sequence, optional
        Survey weights (weighted shares and the linearised variance).
    confidence : float
        Level of the Wald interval from the multinomial variance
        ``(p_P + p_D − (p_P − p_D)²)/n`` (:mod:`acsi.methods.intervals`).

    Returns
    -------
    Series ``nps`` (−100..100), ``promoters``, ``passives``, ``detractors``
    (percent), ``n``, ``se``, ``ci_lower``, ``ci_upper`` (NPS points).

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review* 81(12).
    Rocks, B. (2016). Interval estimation for the "net promoter score". *The American Statistician* 70(4).

    Examples
    --------
    >>> float(nps([10, 9, 8, 7, 6, 0])["nps"])
    0.0
    """
    confidence = check_confidence(confidence, "nps")
    s, w = _answers_weights(scores, weights, "nps")
    _check_range(s, 0, 10, "nps")
    n = len(s)
    ww = np.ones(n) if w is None else w
    pro = 100.0 * float(ww @ (s >= 9).to_numpy()) / ww.sum()
    det = 100.0 * float(ww @ (s <= 6).to_numpy()) / ww.sum()
    pas = 100.0 - pro - det
    y = np.where(s >= 9, 100.0, np.where(s <= 6, -100.0, 0.0))
    iv = linearized_estimate(y, w, lambda m: float(m[0]), confidence, gradient=np.ones(1), ddof=0, dist="normal")
    return pd.Series({"nps": pro - det, "promoters": pro, "passives": pas, "detractors": det, "n": float(n),
                      "se": iv["se"], "ci_lower": iv["ci_lower"], "ci_upper": iv["ci_upper"]}, name="nps")


def ces(answers, *, scale: tuple[float, float] = (1, 7), weights=None, confidence: float = 0.95) -> pd.Series:
    """Customer effort score: mean of the effort answers, with its ``t`` interval.

    Parameters
    ----------
    answers : Series or sequence
        Effort answers on ``scale`` (missing left out).
    weights : Series or sequence, optional
        Survey weights (weighted mean, linearised SE).
    confidence : float
        Level of ``mean ± t_{n−1} se`` (R ``t.test``; with weights ``survey::svymean``).

    Returns
    -------
    Series ``ces`` (mean), ``sd`` (n−1; weighted: ``√(n/(n−1) Σw(y−ȳ)²/Σw)``), ``n``, ``se``,
    ``ci_lower``, ``ci_upper``.

    Examples
    --------
    >>> float(ces([2, 3, 4])["ces"])
    3.0
    """
    confidence = check_confidence(confidence, "ces")
    s, w = _answers_weights(answers, weights, "ces")
    _check_range(s, scale[0], scale[1], "ces", integer=False)
    iv = mean_estimate(s.to_numpy(), w, confidence)
    n = len(s)
    if w is None:
        sd = float(s.std(ddof=1)) if n > 1 else np.nan
    else:
        sd = float(np.sqrt(n / (n - 1) * (w @ (s.to_numpy() - iv["estimate"]) ** 2) / w.sum())) if n > 1 else np.nan
    return pd.Series({"ces": iv["estimate"], "sd": sd, "n": float(n), "se": iv["se"],
                      "ci_lower": iv["ci_lower"], "ci_upper": iv["ci_upper"]}, name="ces")


def kcsi_index(overall, attributes: pd.DataFrame, repurchase, *, attribute_weights=None,
               weights: Sequence[float] = KCSI_WEIGHTS, scale: tuple[int, int] = (1, 7), top: int = 2,
               survey_weights=None, confidence: float = 0.95) -> pd.Series:
    """Top-2-box index in the KCSI manner, with its linearised interval.

    Each question's index is its top-``top``-box share in percent; the attribute
    part is the weighted mean of the attribute items' shares; the overall index
    is ``w_o · overall + w_a · attributes + w_r · repurchase``.

    Parameters
    ----------
    overall : Series
        Overall-satisfaction answers.
    attributes : DataFrame
        Respondents x attribute (element) items (product, service, image, ...).
    repurchase : Series
        Repurchase (re-use) intention answers.  ``overall``, ``attributes`` and
        ``repurchase`` are the same respondents (one row each, aligned on the index).
    attribute_weights : mapping or sequence, optional
        Importance weights of the attribute items (normalised); default equal.
    weights : (w_overall, w_attributes, w_repurchase)
        Default ``(0.3, 0.5, 0.2)`` (KMAC); must sum to 1.
    scale, top
        Answer scale and number of top boxes (7-point, top 2 = answers 6 and 7).
    survey_weights : Series or sequence, optional
        Respondent weights: weighted shares and the weighted linearisation.
    confidence : float
        Level of the interval.

    Returns
    -------
    Series ``kcsi, overall, attributes, repurchase``, ``attr_<item>`` per attribute item,
    ``n`` (respondents with at least one answer), ``se``, ``ci_lower``, ``ci_upper``.

    Notes
    -----
    KCSI is a linear function of the top-box shares ``p_q`` (means of the indicators
    ``1[x_iq >= hi − top + 1]`` over the respondents who answered ``q``):
    ``KCSI = 100 Σ_q c_q p_q`` with ``c = (w_o, w_a a_1/Σa, ..., w_a a_k/Σa, w_r)``.  Its
    variance is the linearisation of :mod:`acsi.methods.intervals` with that gradient and
    the interval ``KCSI ± t_{n−1} se`` (R: ``svycontrast(svymean(~I_o + I_1 + ... + I_r,
    design, na.rm = ...), c)`` on ``svydesign(ids = ~1, weights = ~w)``, each item's mean
    over its own answers, ``confint(df = degf(design))``).

    Examples
    --------
    >>> o = pd.Series([7, 6, 5, 7]); r = pd.Series([6, 6, 2, 7])
    >>> a = pd.DataFrame({"product": [7, 5, 5, 6], "service": [6, 6, 6, 3]})
    >>> float(kcsi_index(o, a, r)["kcsi"])
    68.75
    """
    w = np.asarray(weights, dtype=float)
    if w.shape != (3,) or not np.all(np.isfinite(w)) or (w < 0).any() or abs(w.sum() - 1.0) > 1e-9:
        raise MethodError(f"kcsi_index: weights must be three non-negative numbers summing to 1 "
                          f"(overall, attributes, repurchase); got {list(np.atleast_1d(w))}.")
    if not isinstance(attributes, pd.DataFrame) or attributes.shape[1] == 0 or len(attributes) == 0:
        raise MethodError("kcsi_index: attributes must be a non-empty DataFrame (respondents x attribute items).")
    confidence = check_confidence(confidence, "kcsi_index")
    lo, hi = scale
    if not (isinstance(top, (int, np.integer)) and 1 <= top <= hi - lo + 1):
        raise MethodError(f"kcsi_index: top must be an integer from 1 to {hi - lo + 1} for scale {scale}; got {top!r}.")

    def aligned(x, name):
        s = x if isinstance(x, pd.Series) else pd.Series(list(np.atleast_1d(x)) if x is not None else [])
        if len(s) != len(attributes):
            raise MethodError(f"kcsi_index: {name} has {len(s)} answers but attributes {len(attributes)} rows; give "
                              "the same respondents (one row each) in overall, attributes and repurchase.")
        return s.set_axis(attributes.index)

    o_s, r_s = aligned(overall, "overall"), aligned(repurchase, "repurchase")
    sw = aligned_weights(survey_weights, attributes.index, "kcsi_index")
    columns = {"overall": o_s, **{f"attr_{c}": attributes[c] for c in attributes.columns}, "repurchase": r_s}
    ind = {}
    for key, col in columns.items():
        num = _numeric_series(col, f"kcsi_index ({key})")
        _check_range(num, lo, hi, f"kcsi_index ({key})")
        full = pd.to_numeric(col, errors="coerce")
        ind[key] = np.where(full.notna(), (full >= hi - top + 1).astype(float), np.nan)
    Y = np.column_stack(list(ind.values()))
    attr_names = list(attributes.columns)
    if attribute_weights is None:
        aw = pd.Series(1.0, index=attr_names)
    else:
        aw = pd.Series(attribute_weights, dtype=float) if isinstance(attribute_weights, Mapping) else (
            attribute_weights.astype(float) if isinstance(attribute_weights, pd.Series)
            else pd.Series(np.asarray(attribute_weights, dtype=float), index=attr_names[: len(np.atleast_1d(attribute_weights))]))
        missing = [c for c in attr_names if c not in aw.index]
        if missing or len(aw) != len(attr_names):
            raise MethodError(f"kcsi_index: attribute_weights must give one weight per attribute item {attr_names}; "
                              f"got {aw.to_dict()}.")
        aw = aw.loc[attr_names]
        if (aw < 0).any() or aw.sum() <= 0:
            raise MethodError(f"kcsi_index: attribute_weights must be non-negative with a positive sum; got {aw.to_dict()}.")
    g = 100.0 * np.concatenate([[w[0]], w[1] * aw.to_numpy() / aw.sum(), [w[2]]])
    iv = linearized_estimate(Y, sw, lambda m: float(m @ g), confidence, gradient=g)
    ww = np.ones(len(Y)) if sw is None else sw
    shares = {}
    for j, key in enumerate(ind):
        ok = np.isfinite(Y[:, j])
        shares[key] = 100.0 * float(ww[ok] @ Y[ok, j] / ww[ok].sum()) if ww[ok].sum() > 0 else np.nan
    a = float(sum(shares[f"attr_{c}"] * aw[c] for c in attr_names) / aw.sum())
    out = {"kcsi": float(w[0] * shares["overall"] + w[1] * a + w[2] * shares["repurchase"]),
           "overall": shares["overall"], "attributes": a, "repurchase": shares["repurchase"]}
    out.update({f"attr_{c}": shares[f"attr_{c}"] for c in attr_names})
    out.update({"n": iv["n"], "se": iv["se"], "ci_lower": iv["ci_lower"], "ci_upper": iv["ci_upper"]})
    return pd.Series(out, name="kcsi")


@dataclass(frozen=True)
class OverallCSI:
    """Result of :func:`overall_csi`.

    Attributes
    ----------
    csi : float
        ``Σ I_i P_i / (x_k Σ I_i)`` (a share of the top satisfaction grade; multiply by 100 for a 0-100 index).
    table : DataFrame
        Per attribute: ``importance`` I_i, ``satisfaction`` P_i, ``weight`` I_i/ΣI,
        ``contribution`` weight·P_i/x_k.
    top_points : float
        ``x_k``.
    se, ci_lower, ci_upper : float
        Delta-method standard error and interval of ``csi`` (:func:`overall_csi_from_answers`);
        NaN from shares alone (:func:`overall_csi`), which carry no sample size.
    confidence : float
        Level of the interval (NaN without one).
    """

    csi: float
    table: pd.DataFrame
    top_points: float
    se: float = np.nan
    ci_lower: float = np.nan
    ci_upper: float = np.nan
    confidence: float = np.nan


def _shares(df, name: str, atol: float) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        df = pd.DataFrame(np.atleast_2d(np.asarray(df, dtype=float)))
    if df.size == 0:
        raise MethodError(f"overall_csi: {name} is empty; give attributes x grades shares.")
    try:
        arr = df.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise MethodError(f"overall_csi: {name} must be numeric shares.") from None
    if not np.all(np.isfinite(arr)) or (arr < 0).any():
        raise MethodError(f"overall_csi: {name} must be finite non-negative shares.")
    sums = arr.sum(axis=1)
    bad = [(df.index[i], round(float(sums[i]), 10)) for i in np.where(np.abs(sums - 1.0) > atol)[0]]
    if bad:
        raise MethodError(f"overall_csi: rows of {name} must sum to 1 (atol={atol:g}); rows (attribute, sum): {bad}. "
                          "Divide counts by the number of respondents.")
    return df


def overall_csi(importance_shares: pd.DataFrame, satisfaction_shares: pd.DataFrame,
                importance_points: Sequence[float], satisfaction_points: Sequence[float], *,
                atol: float = 1e-6) -> OverallCSI:
    """Overall satisfaction index from graded importance and satisfaction answers (SPEC §3).

    Parameters
    ----------
    importance_shares : DataFrame
        ``R_ij``: attributes x importance grades, share of customers giving grade j.
    satisfaction_shares : DataFrame
        ``y_ij``: attributes x satisfaction grades (same attributes).
    importance_points, satisfaction_points : sequence of float
        ``K_j`` and ``x_j``, aligned with the columns.

    Returns
    -------
    OverallCSI

    Notes
    -----
    ``I_i = Σ_j K_j R_ij``, ``P_i = Σ_j x_j y_ij``,
    ``CSI = Σ_i I_i P_i / (x_k Σ_i I_i)``, ``x_k = max_j x_j`` (the top grade).
    The source's formula image is lost; this is SPEC.md's reading of it from the
    definitions: an importance-weighted mean satisfaction as a share of the
    maximum, so ``CSI ∈ [min x / x_k, 1]``.

    Examples
    --------
    >>> imp = pd.DataFrame([[0.5, 0.5], [0.0, 1.0]], index=["a", "b"])
    >>> sat = pd.DataFrame([[1.0, 0.0], [0.0, 1.0]], index=["a", "b"])
    >>> round(overall_csi(imp, sat, [10, 5], [100, 50]).csi, 4)
    0.8
    """
    R = _shares(importance_shares, "importance_shares", atol)
    Y = _shares(satisfaction_shares, "satisfaction_shares", atol)
    if list(R.index) != list(Y.index):
        raise MethodError(f"overall_csi: importance attributes {list(R.index)} differ from satisfaction attributes "
                          f"{list(Y.index)}; give the same attributes in the same order.")
    K = np.asarray(importance_points, dtype=float)
    x = np.asarray(satisfaction_points, dtype=float)
    if K.shape != (R.shape[1],):
        raise MethodError(f"overall_csi: {K.size} importance points for {R.shape[1]} importance grades.")
    if x.shape != (Y.shape[1],):
        raise MethodError(f"overall_csi: {x.size} satisfaction points for {Y.shape[1]} satisfaction grades.")
    xk = float(x.max())
    if xk <= 0:
        raise MethodError(f"overall_csi: the top satisfaction grade must have positive points; got {list(x)}.")
    I = R.to_numpy(dtype=float) @ K
    P = Y.to_numpy(dtype=float) @ x
    if I.sum() <= 0:
        raise MethodError("overall_csi: total importance Σ I_i is zero; importance points must be positive.")
    weight = I / I.sum()
    table = pd.DataFrame({"importance": I, "satisfaction": P, "weight": weight, "contribution": weight * P / xk},
                         index=R.index)
    return OverallCSI(csi=float((I * P).sum() / (xk * I.sum())), table=table, top_points=xk)


def _graded_points(answers, points, name: str) -> pd.DataFrame:
    if not isinstance(answers, pd.DataFrame) or answers.size == 0:
        raise MethodError(f"overall_csi_from_answers: {name} must be a non-empty DataFrame (respondents x attributes).")
    if not isinstance(points, Mapping) or not points:
        raise MethodError(f"overall_csi_from_answers: {name[:-8]}_points must map each answer code to its points, "
                          f"e.g. {{5: 100, 4: 80, 3: 60, 2: 40, 1: 20}}; got {points!r}.")
    out = {}
    for col in answers.columns:
        s = answers[col]
        bad = s[s.notna() & ~s.isin(list(points))]
        if len(bad):
            raise MethodError(f"overall_csi_from_answers: {name} column {col!r} has codes outside {list(points)} at rows "
                              f"{list(bad.index[:10])}: {bad.iloc[:10].tolist()}; recode them or mark them missing.")
        out[col] = s.map({k: float(v) for k, v in points.items()}).astype(float)
    return pd.DataFrame(out, index=answers.index)


def overall_csi_from_answers(importance_answers: pd.DataFrame, satisfaction_answers: pd.DataFrame,
                             importance_points: Mapping, satisfaction_points: Mapping, *,
                             survey_weights=None, confidence: float = 0.95) -> OverallCSI:
    """Overall CSI from raw graded answers, with a delta-method interval (SPEC §3).

    Parameters
    ----------
    importance_answers, satisfaction_answers : DataFrame
        Respondents x attributes (the same attribute columns, the same rows): the grade
        each respondent gave each attribute's importance and satisfaction.  Missing
        answers are left out of that attribute's mean.
    importance_points, satisfaction_points : mapping code -> points
        ``K_j`` and ``x_j`` of the grades, e.g. ``{5: 100, 4: 80, 3: 60, 2: 40, 1: 20}``.
    survey_weights : Series or sequence, optional
        Respondent weights.
    confidence : float
        Level of the interval.

    Returns
    -------
    OverallCSI
        As :func:`overall_csi` (the shares ``R_ij``, ``y_ij`` are the answers'), plus
        ``se``, ``ci_lower``, ``ci_upper``.

    Notes
    -----
    ``I_i`` and ``P_i`` are (weighted) means of the points, so
    ``CSI = Σ I_i P_i / (x_k Σ I_i)`` is a smooth function of 2k means.  Its variance is
    the linearisation of :mod:`acsi.methods.intervals` with the gradient
    ``∂CSI/∂I_i = (P_i − x_k CSI) / (x_k Σ I)``, ``∂CSI/∂P_i = I_i / (x_k Σ I)``; the
    interval is ``CSI ± t_{n−1} se`` (R: ``survey::svycontrast`` of the ``svymean`` of the
    2k point columns with this expression).

    Examples
    --------
    >>> imp = pd.DataFrame({"a": [5, 5, 4, 3], "b": [3, 4, 4, 5]})
    >>> sat = pd.DataFrame({"a": [4, 5, 3, 4], "b": [5, 5, 4, 2]})
    >>> pts = {5: 100, 4: 80, 3: 60, 2: 40, 1: 20}
    >>> res = overall_csi_from_answers(imp, sat, pts, pts)
    >>> round(res.csi, 4), round(res.se, 4)
    (0.8, 0.0902)
    """
    confidence = check_confidence(confidence, "overall_csi_from_answers")
    I_ans = _graded_points(importance_answers, importance_points, "importance_answers")
    P_ans = _graded_points(satisfaction_answers, satisfaction_points, "satisfaction_answers")
    if list(I_ans.columns) != list(P_ans.columns):
        raise MethodError(f"overall_csi_from_answers: importance attributes {list(I_ans.columns)} differ from "
                          f"satisfaction attributes {list(P_ans.columns)}; give the same attributes in the same order.")
    if not I_ans.index.equals(P_ans.index):
        raise MethodError("overall_csi_from_answers: importance and satisfaction answers have different rows; "
                          "align them on the respondent index.")
    empty = [c for c in I_ans.columns if I_ans[c].notna().sum() == 0 or P_ans[c].notna().sum() == 0]
    if empty:
        raise MethodError(f"overall_csi_from_answers: attributes {empty} have no importance or no satisfaction answer.")
    w = aligned_weights(survey_weights, I_ans.index, "overall_csi_from_answers")
    xk = float(max(satisfaction_points.values()))
    if xk <= 0:
        raise MethodError(f"overall_csi_from_answers: the top satisfaction grade must have positive points; "
                          f"got {dict(satisfaction_points)}.")
    k = I_ans.shape[1]
    Y = np.column_stack([I_ans.to_numpy(), P_ans.to_numpy()])

    def csi(m):
        return float(m[:k] @ m[k:] / (xk * m[:k].sum()))

    def grad(m):
        i, p = m[:k], m[k:]
        c = csi(m)
        return np.concatenate([(p - xk * c) / (xk * i.sum()), i / (xk * i.sum())])

    iv = linearized_estimate(Y, w, csi, confidence, gradient=grad)
    ww = np.ones(len(Y)) if w is None else w
    means = np.array([float(ww[np.isfinite(Y[:, a])] @ Y[np.isfinite(Y[:, a]), a]) / ww[np.isfinite(Y[:, a])].sum()
                      for a in range(2 * k)])
    I, P = means[:k], means[k:]
    if I.sum() <= 0:
        raise MethodError("overall_csi_from_answers: total importance Σ I_i is zero; importance points must be positive.")
    weight = I / I.sum()
    table = pd.DataFrame({"importance": I, "satisfaction": P, "weight": weight, "contribution": weight * P / xk},
                         index=pd.Index(I_ans.columns, name=None))
    return OverallCSI(csi=iv["estimate"], table=table, top_points=xk, se=iv["se"], ci_lower=iv["ci_lower"],
                      ci_upper=iv["ci_upper"], confidence=confidence)
