"""Fit measures computed from the ML discrepancy, as lavaan defines them.

semopy's own statistics are not used: its "LogLik" is the fit function, so its
AIC/BIC are wrong; its GFI is NFI; its RMSEA uses N - 1.  Here every measure
follows lavaan (``fitMeasures()``, estimator ML, likelihood "normal", no mean
structure), with ``S`` the sample covariance using denominator N:

* ``F_ML = log|Σ| + tr(S Σ⁻¹) − log|S| − p`` and ``chisq = N · F_ML``,
  ``df = p(p+1)/2 − q`` (q free parameters), ``pvalue = P(χ²_df > chisq)``.
* Baseline (independence) model: ``chisq_b = N (Σ log s_ii − log|S|)``,
  ``df_b = p(p−1)/2``.
* ``CFI = 1 − max(χ²−df, 0) / max(χ²−df, χ²_b−df_b, 0)``;
  ``TLI = (χ²_b/df_b − χ²/df) / (χ²_b/df_b − 1)``.
* ``RMSEA = sqrt(max(χ² − df, 0) / (df · N))`` with the 90 % interval from the
  non-central χ² (Browne & Cudeck 1993): the non-centrality ``λ`` with
  ``P(χ²_df(λ) ≤ χ²) = 0.95`` (lower) and ``0.05`` (upper), ``RMSEA = sqrt(λ/(df·N))``.
* ``SRMR`` (Bentler): root mean square of ``(s_ij − σ_ij)/sqrt(s_ii s_jj)`` over the
  ``p(p+1)/2`` non-duplicated elements.
* ``logl = −N/2 (p log 2π + log|Σ| + tr(S Σ⁻¹))``, ``unrestricted_logl`` the same
  with ``Σ = S``; ``AIC = −2 logl + 2q``; ``BIC = −2 logl + q log N``.

Equivalent R: ``lavaan::fitMeasures(sem(model, data))``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

__all__ = ["ml_discrepancy", "fit_measures", "chisq_measures", "rmsea_ci"]


def _logdet(m: np.ndarray) -> float:
    sign, val = np.linalg.slogdet(m)
    if sign <= 0:
        return np.nan
    return float(val)


def ml_discrepancy(S: np.ndarray, sigma: np.ndarray) -> float:
    """``F_ML = log|Σ| + tr(SΣ⁻¹) − log|S| − p``."""
    p = S.shape[0]
    try:
        inv = np.linalg.inv(sigma)
    except np.linalg.LinAlgError:
        return np.nan
    return _logdet(sigma) + float(np.trace(S @ inv)) - _logdet(S) - p


def rmsea_ci(chisq: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """Confidence interval of the RMSEA by inverting the non-central χ² CDF."""
    if df <= 0 or not np.isfinite(chisq):
        return (np.nan, np.nan)
    chisq = max(chisq, 0.0)  # an exact fit can give -1e-15 by rounding
    upper_p = 1 - (1 - level) / 2  # 0.95
    lower_p = (1 - level) / 2  # 0.05

    def solve(target: float) -> float:
        # scipy.special.chndtr is the non-central χ² CDF (λ = 0 gives the central one)
        f = lambda lam: special.chndtr(chisq, df, lam) - target
        if f(0.0) < 0:  # even λ = 0 is too large
            return 0.0
        hi = max(chisq, 1.0)
        while f(hi) > 0:
            hi *= 2
            if hi > 1e9:
                return np.nan
        return optimize.brentq(f, 0.0, hi, xtol=1e-12, rtol=1e-12, maxiter=500)

    lam_lo = solve(upper_p)
    lam_hi = solve(lower_p)
    return (float(np.sqrt(lam_lo / (df * n))), float(np.sqrt(lam_hi / (df * n))))


def chisq_measures(chisq: float, df: int, base_chisq: float, base_df: int, n: int) -> dict[str, float]:
    """p-value, CFI, TLI, RMSEA and its 90 % CI from the model and baseline chi-squares
    (formulas in the module docstring; shared by complete-data ML and FIML)."""
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan
    d = max(chisq - df, 0.0)
    db = max(base_chisq - base_df, 0.0)
    denom = max(d, db)
    cfi = 1.0 - d / denom if denom > 0 else 1.0
    if df > 0 and base_df > 0:
        tli = (base_chisq / base_df - chisq / df) / (base_chisq / base_df - 1.0)
        rmsea = float(np.sqrt(d / (df * n)))
    else:
        tli = np.nan
        rmsea = 0.0 if df == 0 else np.nan
    lo, hi = rmsea_ci(chisq, df, n)
    return {"pvalue": pvalue, "cfi": cfi, "tli": tli, "rmsea": rmsea, "rmsea_ci_lower": lo, "rmsea_ci_upper": hi}


def fit_measures(S: np.ndarray, sigma: np.ndarray, n: int, npar: int) -> pd.Series:
    """All reported fit measures for one ML fit (see the module docstring)."""
    S = np.asarray(S, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    p = S.shape[0]
    df = p * (p + 1) // 2 - npar
    fml = ml_discrepancy(S, sigma)
    chisq = n * fml
    base_chisq = n * (float(np.sum(np.log(np.diag(S)))) - _logdet(S))
    base_df = p * (p - 1) // 2
    chi = chisq_measures(chisq, df, base_chisq, base_df, n)
    sd = np.sqrt(np.diag(S))
    resid = (S - sigma) / np.outer(sd, sd)
    tri = np.tril_indices(p)
    srmr = float(np.sqrt(np.mean(resid[tri] ** 2)))
    try:
        inv = np.linalg.inv(sigma)
        logl = -n / 2 * (p * np.log(2 * np.pi) + _logdet(sigma) + float(np.trace(S @ inv)))
    except np.linalg.LinAlgError:
        logl = np.nan
    unres = -n / 2 * (p * np.log(2 * np.pi) + _logdet(S) + p)
    return pd.Series(
        {
            "npar": npar,
            "ntotal": n,
            "chisq": chisq,
            "df": df,
            "pvalue": chi["pvalue"],
            "baseline_chisq": base_chisq,
            "baseline_df": base_df,
            "cfi": chi["cfi"],
            "tli": chi["tli"],
            "rmsea": chi["rmsea"],
            "rmsea_ci_lower": chi["rmsea_ci_lower"],
            "rmsea_ci_upper": chi["rmsea_ci_upper"],
            "srmr": srmr,
            "logl": logl,
            "unrestricted_logl": unres,
            "aic": -2 * logl + 2 * npar,
            "bic": -2 * logl + npar * np.log(n),
        },
        dtype=float,
    )
