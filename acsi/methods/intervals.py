"""Point and interval estimates for the toolkit's figures (the documents' "點估計與區間估計").

One place for the three interval rules every metric uses:

* **Proportions** (satisfaction rate, CSAT, top-box, repurchase, churn): the Wilson score
  interval (Wilson 1927)

      (p̂ + z²/2n ± z √(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n),

  equal to R's ``prop.test(x, n, correct = FALSE)$conf.int``.  With survey weights
  ``p̂ = Σ w_i x_i / Σ w_i`` and ``n`` is Kish's effective sample size
  ``n_eff = (Σ w_i)² / Σ w_i²`` (Kish 1965, §11.7).
* **Means** (CES, survey-table score, SERVQUAL gaps, graded-answer CSI and any smooth
  function of several means): linearisation (Taylor / delta method).  For item ``a`` with
  answers ``y_ia`` and weights ``w_i`` (1 without weights) the mean is
  ``ȳ_a = Σ w_i y_ia / Σ w_i`` over the respondents who answered it, and its influence
  values are ``z_ia = w_i (y_ia − ȳ_a) / Σ_{answered a} w_i`` (0 where ``y_ia`` is missing).
  For ``θ = f(ȳ_1..ȳ_m)`` with gradient ``g`` the variance is

      V(θ̂) = n/(n − 1) · Σ_i (Σ_a g_a z_ia)²,

  ``n`` the respondents with at least one answer; the interval is ``θ̂ ± t_{n−1} √V``.
  Unweighted and for one mean this is the textbook ``ȳ ± t_{n−1} s/√n`` (R ``t.test``); with
  weights it is the with-replacement linearisation of R's ``survey`` package
  (``svymean`` / ``svycontrast`` / ``svyratio`` on ``svydesign(ids = ~1, weights = ~w)``,
  ``confint(..., df = degf(design))``).
* **NPS**: the multinomial variance (promoters +1, passives 0, detractors −1, times 100)

      V(NPS) = (p_P + p_D − (p_P − p_D)²) / n · 100²,

  a Wald interval ``NPS ± z √V``; with weights the same linearisation without the
  ``n/(n − 1)`` factor (so that unweighted it is exactly the multinomial formula) and
  ``z`` the normal quantile.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*JASA* 22, 209-212.
Kish, L. (1965). *Survey Sampling*. Wiley.
Wolter, K. M. (2007). *Introduction to Variance Estimation*, 2nd ed., ch. 6 (Taylor series).
Rocks, B. (2016). Interval estimation for the "net promoter score". *The American
Statistician* 70(4), 365-372 (the multinomial variance of NPS).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import MethodError

__all__ = ["check_confidence", "wilson_interval", "proportion_estimate", "mean_estimate",
           "linearized_estimate", "aligned_weights"]


def check_confidence(confidence, where: str) -> float:
    """The confidence level as a float in (0, 1), or a :class:`MethodError` naming it."""
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.floating)) \
            or not (0.0 < float(confidence) < 1.0):
        raise MethodError(f"{where}: confidence must be between 0 and 1 (a number such as 0.95); got {confidence!r}.")
    return float(confidence)


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def wilson_interval(successes, n, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``successes / n`` (both may be non-integer).

    Returns ``(lower, upper)`` as proportions (0-1); NaN when ``n == 0``.

    Examples
    --------
    >>> lo, hi = wilson_interval(45, 60)
    >>> round(lo, 4), round(hi, 4)   # R: prop.test(45, 60, correct = FALSE)$conf.int
    (0.6277, 0.8422)
    """
    confidence = check_confidence(confidence, "wilson_interval")
    n = float(n)
    k = float(successes)
    if not (np.isfinite(n) and np.isfinite(k)) or n < 0 or k < 0 or k > n * (1 + 1e-12):
        raise MethodError(f"wilson_interval: need 0 <= successes <= n; got successes={successes!r}, n={n!r}.")
    if n == 0:
        return (np.nan, np.nan)
    z = _z(confidence)
    p = min(k / n, 1.0)
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (float(max(centre - half, 0.0)), float(min(centre + half, 1.0)))


def aligned_weights(weights, index: pd.Index, where: str) -> np.ndarray | None:
    """Survey weights aligned with ``index``: finite, non-negative, not all zero.

    ``weights`` is ``None`` (no weights), a Series (aligned on its index, which must cover
    ``index``) or a sequence of the same length.
    """
    if weights is None:
        return None
    if isinstance(weights, pd.DataFrame):
        raise MethodError(f"{where}: weights must be one column (a Series or a sequence); got a table "
                          f"with columns {list(weights.columns)}.")
    if isinstance(weights, pd.Series):
        missing = index.difference(weights.index)
        if len(missing):
            raise MethodError(f"{where}: weights have no value for rows {list(missing[:10])}; "
                              "give one weight per respondent (the same index as the answers).")
        w = pd.to_numeric(weights.loc[index], errors="coerce").to_numpy(dtype=float)
    else:
        try:
            w = np.asarray(weights, dtype=float).ravel()
        except (TypeError, ValueError):
            raise MethodError(f"{where}: weights must be numbers; got {weights!r}.") from None
        if len(w) != len(index):
            raise MethodError(f"{where}: {len(w)} weights for {len(index)} respondents; give one weight each.")
    bad = [index[i] for i in np.where(~np.isfinite(w) | (w < 0))[0][:10]]
    if bad:
        raise MethodError(f"{where}: weights must be finite and non-negative; not so at rows {bad}.")
    if w.sum() <= 0:
        raise MethodError(f"{where}: the weights sum to 0; give positive survey weights.")
    return w


def proportion_estimate(x: np.ndarray, weights: np.ndarray | None, confidence: float) -> dict:
    """Share of ``x`` (0/1 values, no NaN) with its Wilson interval (Kish ``n_eff`` if weighted).

    Returns ``estimate, se, ci_lower, ci_upper, n, n_eff`` (proportions 0-1; ``se`` is
    ``√(p̂(1 − p̂)/n_eff)``, shown for reference: the interval is Wilson's, not ``± z·se``).
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    if weights is None:
        k, n_eff, p = float(x.sum()), float(n), float(x.mean()) if n else np.nan
    else:
        w = np.asarray(weights, dtype=float)
        sw = w.sum()
        p = float(w @ x / sw)
        n_eff = float(sw * sw / (w @ w))
        k = p * n_eff
    lo, hi = wilson_interval(k, n_eff, confidence) if n else (np.nan, np.nan)
    se = float(np.sqrt(p * (1 - p) / n_eff)) if n else np.nan
    return {"estimate": p, "se": se, "ci_lower": lo, "ci_upper": hi, "n": float(n), "n_eff": n_eff}


def linearized_estimate(values: np.ndarray, weights: np.ndarray | None, func: Callable[[np.ndarray], float],
                        confidence: float, *, gradient: Callable[[np.ndarray], np.ndarray] | np.ndarray | None = None,
                        ddof: int = 1, dist: str = "t") -> dict:
    """``θ = func(means)`` of the columns of ``values`` (respondents x m, NaN = not answered).

    The variance is the linearisation in the module notes; ``gradient`` is a constant
    vector (linear ``func``), a function of the means, or ``None`` (central differences).
    ``ddof=1`` applies ``n/(n − 1)``, ``ddof=0`` not (the multinomial form of NPS);
    ``dist`` ``"t"`` (df ``n − 1``) or ``"normal"``.

    Returns ``estimate, se, ci_lower, ci_upper, n, df``.
    """
    y = np.asarray(values, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    answered = np.isfinite(y)
    keep = answered.any(axis=1)
    y, answered = y[keep], answered[keep]
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)[keep]
    n = len(y)
    wa = w[:, None] * answered
    tot = wa.sum(axis=0)
    if n == 0 or np.any(tot <= 0):
        return {"estimate": np.nan, "se": np.nan, "ci_lower": np.nan, "ci_upper": np.nan, "n": float(n), "df": np.nan}
    y0 = np.where(answered, y, 0.0)
    means = (wa * y0).sum(axis=0) / tot
    est = float(func(means))
    if callable(gradient):
        g = np.asarray(gradient(means), dtype=float)
    elif gradient is not None:
        g = np.asarray(gradient, dtype=float)
    else:
        g = np.empty(len(means))
        for a in range(len(means)):
            h = 1e-6 * max(1.0, abs(means[a]))
            up, dn = means.copy(), means.copy()
            up[a] += h
            dn[a] -= h
            g[a] = (func(up) - func(dn)) / (2 * h)
    z = wa * (y0 - means) / tot
    u = z @ g
    if n - ddof <= 0:
        return {"estimate": est, "se": np.nan, "ci_lower": np.nan, "ci_upper": np.nan, "n": float(n), "df": np.nan}
    var = n / (n - ddof) * float(u @ u)
    se = float(np.sqrt(var))
    df = float(n - 1)
    q = float(stats.t.ppf(0.5 + confidence / 2.0, df)) if dist == "t" else _z(confidence)
    return {"estimate": est, "se": se, "ci_lower": est - q * se, "ci_upper": est + q * se, "n": float(n), "df": df}


def mean_estimate(y: np.ndarray, weights: np.ndarray | None, confidence: float) -> dict:
    """(Weighted) mean with its linearisation ``t`` interval (``t.test`` when unweighted)."""
    return linearized_estimate(y, weights, lambda m: float(m[0]), confidence, gradient=np.ones(1))
