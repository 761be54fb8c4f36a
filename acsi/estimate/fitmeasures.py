"""Fit measures computed from the ML discrepancy, as lavaan defines them.

semopy's own statistics are not used: its "LogLik" is the fit function, so its
AIC/BIC are wrong; its GFI is NFI; its RMSEA uses N - 1.  Here every measure
follows lavaan (``fitMeasures()``, estimator ML, likelihood "normal"), with ``S_g`` the
sample covariance of group g (denominator ``n_g``), ``x̄_g`` its mean, ``p_g`` its number of
observed variables, ``N = Σ n_g`` and ``G`` groups:

* ``F_g = log|Σ| + tr(S Σ⁻¹) − log|S| − p + (x̄ − μ)ᵀ Σ⁻¹ (x̄ − μ)`` (the last term with a mean
  structure) and ``chisq = Σ_g n_g F_g``; ``pvalue = P(χ²_df > chisq)``.
* ``ndat = Σ_g [p(p+1)/2 + p·ms − (nx(nx+1)/2 + nx·ms)·fixed_x]`` (``ms`` = 1 with a mean
  structure; the moments of the ``nx`` exogenous covariates fixed at their sample values do
  not count, lavaan's ``lav_partable_ndat``); ``df = ndat − npar + r`` with ``r`` the rank of
  the equality constraints' Jacobian, and the reported ``npar`` is ``npar − r``
  (``lav_model_test``, ``lav_utils_get_npar``; inequalities change neither).
* Baseline (independence) model: free variances (and means) of the variables, with the
  covariates' block saturated (lavaan's baseline keeps the covariances among the exogenous
  covariates): ``chisq_b = Σ_g n_g (Σ_{i∉x} log s_ii + log|S_xx| − log|S|)``,
  ``df_b = ndat − Σ_g [(p − nx)(1 + ms) + (nx(nx+1)/2 + nx·ms)(1 − fixed_x)]``.
* ``CFI = 1 − max(χ²−df, 0) / max(χ²−df, χ²_b−df_b, 0)``;
  ``TLI = (χ²_b/df_b − χ²/df) / (χ²_b/df_b − 1)``.
* ``RMSEA = sqrt(max(χ² − df, 0) / (df · N)) · sqrt(G)`` with the 90 % interval from the
  non-central χ² (Browne & Cudeck 1993): the non-centrality ``λ`` with
  ``P(χ²_df(λ) ≤ χ²) = 0.95`` (lower) and ``0.05`` (upper), ``RMSEA = sqrt(λ/(df·N)) · sqrt(G)``.
* ``SRMR`` (Bentler): per group the root mean square of ``(s_ij − σ_ij)/sqrt(s_ii s_jj)`` over
  the ``p(p+1)/2`` non-duplicated elements (and of ``(x̄_i − μ_i)/sqrt(s_ii)`` with a mean
  structure), then ``Σ_g (n_g/N) SRMR_g``.
* ``logl = Σ_g −n_g/2 (p log 2π + log|Σ| + tr(S Σ⁻¹) + (x̄−μ)ᵀΣ⁻¹(x̄−μ))``; with fixed
  covariates the covariates' own saturated log-likelihood
  ``−n_g/2 (nx log 2π + log|S_xx| + nx)`` is subtracted (the likelihood is conditional on
  them, as lavaan's).  ``unrestricted_logl`` the same with ``Σ = S``, ``μ = x̄``;
  ``AIC = −2 logl + 2 npar``; ``BIC = −2 logl + npar log N``.

Equivalent R: ``lavaan::fitMeasures(sem(model, data))``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

__all__ = ["ml_discrepancy", "fit_measures", "chisq_measures", "rmsea_ci"]

_LOG2PI = float(np.log(2.0 * np.pi))


def _logdet(m: np.ndarray) -> float:
    sign, val = np.linalg.slogdet(m)
    if sign <= 0:
        return np.nan
    return float(val)


def ml_discrepancy(S: np.ndarray, sigma: np.ndarray, mean: np.ndarray | None = None, mu: np.ndarray | None = None) -> float:
    """``F_ML = log|Σ| + tr(SΣ⁻¹) − log|S| − p`` (``+ (x̄ − μ)ᵀΣ⁻¹(x̄ − μ)`` with means)."""
    p = S.shape[0]
    try:
        inv = np.linalg.inv(sigma)
    except np.linalg.LinAlgError:
        return np.nan
    f = _logdet(sigma) + float(np.trace(S @ inv)) - _logdet(S) - p
    if mean is not None and mu is not None:
        d = np.asarray(mean) - np.asarray(mu)
        f += float(d @ inv @ d)
    return f


def rmsea_ci(chisq: float, df: int, n: int, level: float = 0.90, ngroups: int = 1) -> tuple[float, float]:
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
    g = np.sqrt(ngroups)
    return (float(np.sqrt(lam_lo / (df * n)) * g), float(np.sqrt(lam_hi / (df * n)) * g))


def chisq_measures(chisq: float, df: int, base_chisq: float, base_df: int, n: int, ngroups: int = 1) -> dict[str, float]:
    """p-value, CFI, TLI, RMSEA and its 90 % CI from the model and baseline chi-squares
    (formulas in the module docstring; shared by complete-data ML and FIML)."""
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan
    d = max(chisq - df, 0.0)
    db = max(base_chisq - base_df, 0.0)
    denom = max(d, db)
    cfi = 1.0 - d / denom if denom > 0 else 1.0
    if df > 0 and base_df > 0:
        tli = (base_chisq / base_df - chisq / df) / (base_chisq / base_df - 1.0)
        rmsea = float(np.sqrt(d / (df * n)) * np.sqrt(ngroups))
    else:
        tli = np.nan
        rmsea = 0.0 if df == 0 else np.nan
    lo, hi = rmsea_ci(chisq, df, n, ngroups=ngroups)
    return {"pvalue": pvalue, "cfi": cfi, "tli": tli, "rmsea": rmsea, "rmsea_ci_lower": lo, "rmsea_ci_upper": hi}


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def fit_measures(S, sigma, n, npar: int, *, mean=None, mu=None, x=None, fixed_x: bool = False,
                 eq_rank: int = 0) -> pd.Series:
    """All reported fit measures for one ML fit (see the module docstring).

    Parameters
    ----------
    S, sigma : ndarray (p, p), or lists with one per group
        Sample (denominator N) and model-implied covariance matrices.
    n : int or list of int
        Rows per group.
    npar : int
        Free parameters (``max(free)`` of the table, before constraints).
    mean, mu : ndarray (p,) or lists, optional
        Sample and implied means (a mean structure).
    x : list of int arrays, optional
        Per group, the positions of the exogenous observed covariates (``ov.x``).
    fixed_x : bool
        Their moments are fixed at the sample values (``exo`` rows).
    eq_rank : int
        Rank of the Jacobian of the equality constraints.
    """
    Ss, sigmas, ns = _as_list(S), _as_list(sigma), [int(v) for v in _as_list(n)]
    G = len(Ss)
    ms = mean is not None
    means = _as_list(mean) if ms else [None] * G
    mus = _as_list(mu) if ms else [None] * G
    xs = [np.asarray(v, dtype=int) for v in x] if x is not None else [np.zeros(0, int)] * G
    N = sum(ns)
    chisq = logl = unres = base_chisq = 0.0
    ndat = npar_b = 0
    srmr = 0.0
    for Sg, sg, ng, mg, mug, xg in zip(Ss, sigmas, ns, means, mus, xs):
        Sg, sg = np.asarray(Sg, float), np.asarray(sg, float)
        p, nx = Sg.shape[0], xg.size
        ndat += p * (p + 1) // 2 + (p if ms else 0) - ((nx * (nx + 1) // 2 + (nx if ms else 0)) if fixed_x else 0)
        npar_b += (p - nx) * (2 if ms else 1) + (0 if fixed_x else nx * (nx + 1) // 2 + (nx if ms else 0))
        chisq += ng * ml_discrepancy(Sg, sg, mg, mug)
        try:
            inv = np.linalg.inv(sg)
            quad = 0.0
            if ms:
                dv = np.asarray(mg) - np.asarray(mug)
                quad = float(dv @ inv @ dv)
            logl += -ng / 2 * (p * _LOG2PI + _logdet(sg) + float(np.trace(Sg @ inv)) + quad)
        except np.linalg.LinAlgError:
            logl = np.nan
        unres += -ng / 2 * (p * _LOG2PI + _logdet(Sg) + p)
        ld_x = _logdet(Sg[np.ix_(xg, xg)]) if nx else 0.0
        if fixed_x and nx:
            marg = -ng / 2 * (nx * _LOG2PI + ld_x + nx)
            logl -= marg
            unres -= marg
        notx = np.setdiff1d(np.arange(p), xg)
        base_chisq += ng * (float(np.sum(np.log(np.diag(Sg)[notx]))) + ld_x - _logdet(Sg))
        sd = np.sqrt(np.diag(Sg))
        resid = (Sg - sg) / np.outer(sd, sd)
        tri = np.tril_indices(p)
        ss = float(np.sum(resid[tri] ** 2))
        cnt = tri[0].size
        if ms:
            e = (np.asarray(mg) - np.asarray(mug)) / sd
            ss += float(np.sum(e**2))
            cnt += p
        srmr += ng / N * np.sqrt(ss / cnt)
    df = ndat - npar + eq_rank
    base_df = ndat - npar_b
    q = npar - eq_rank
    chi = chisq_measures(chisq, df, base_chisq, base_df, N, ngroups=G)
    return pd.Series(
        {
            "npar": q,
            "ntotal": N,
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
            "aic": -2 * logl + 2 * q,
            "bic": -2 * logl + q * np.log(N),
        },
        dtype=float,
    )
