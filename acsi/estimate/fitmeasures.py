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
* ``rmsea_pvalue`` (close fit): ``P(χ²_df(λ₀) > χ²)`` with ``λ₀ = N df 0.05² / G``.
* Scaled and robust versions (robust ML, :mod:`acsi.estimate.robust`), from the scaling factors
  ``c`` (model) and ``c_b`` (baseline), lavaan's ``lav_fit_*`` rules (:func:`scaled_measures`):
  ``chisq_scaled = χ²/c``, the scaled CFI/TLI are the formulas above with ``χ²/c`` and
  ``χ²_b/c_b``; the robust CFI/TLI (Brosseau-Liard & Savalei 2014) replace ``χ² − df`` by
  ``χ² − c·df`` (and ``χ²_b − c_b·df_b``); ``rmsea_scaled = sqrt(max(0, (χ²/c − df)/(N df)))·sqrt(G)``
  with its interval from the non-central χ² with ``c·df`` degrees of freedom;
  ``rmsea_robust = sqrt(max(0, (χ² − c·df)/(N df)))·sqrt(G)`` (Brosseau-Liard, Savalei & Li
  2012) with its interval from ``χ²/c`` on df, ``RMSEA = sqrt(c λ/(N df))``.
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

import functools

import numpy as np
import pandas as pd
from scipy import optimize, special

from ..frames import labels as labels_of

__all__ = ["ml_discrepancy", "fit_measures", "chisq_measures", "rmsea_ci", "rmsea_pvalue", "robust_measures", "scaled_measures"]

_LOG2PI = float(np.log(2.0 * np.pi))


def _chi2_sf(x: float, df: float) -> float:
    """``P(χ²_df > x)``: ``scipy.stats.chi2.sf`` (``special.chdtrc`` on the support, 1 below
    it: an exact fit's χ² can come out as -1e-15), without the distribution object's overhead."""
    return 1.0 if x < 0 else float(special.chdtrc(df, x))


@functools.lru_cache(maxsize=64)
def _lower_triangle(p: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.tril_indices(p)``, built once per size (read only)."""
    return np.tril_indices(p)


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


def rmsea_ci(chisq: float, df: float, n: float, level: float = 0.90, ngroups: int = 1,
             c_hat: float = 1.0) -> tuple[float, float]:
    """Confidence interval of the RMSEA by inverting the non-central χ² CDF
    (``RMSEA = sqrt(c_hat λ / (df n)) · sqrt(G)``; ``df`` may be fractional, lavaan's scaled
    interval)."""
    if not (df > 0) or not np.isfinite(chisq) or not np.isfinite(c_hat):
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
    return (float(np.sqrt(c_hat * lam_lo / (df * n)) * g), float(np.sqrt(c_hat * lam_hi / (df * n)) * g))


def rmsea_pvalue(chisq: float, df: float, n: float, ngroups: int = 1, c_hat: float = 1.0, h0: float = 0.05) -> float:
    """Test of close fit: ``P(χ²_df(λ₀) > chisq)`` with ``λ₀ = n df h0² / (c_hat G)`` (lavaan's
    ``rmsea.pvalue``)."""
    if not (df > 0) or not np.isfinite(chisq) or not np.isfinite(c_hat):
        return np.nan
    return float(1.0 - special.chndtr(max(chisq, 0.0), df, n * df * h0**2 / (c_hat * ngroups)))


def chisq_measures(chisq: float, df: int, base_chisq: float, base_df: int, n: int, ngroups: int = 1) -> dict[str, float]:
    """p-value, CFI, TLI, RMSEA and its 90 % CI from the model and baseline chi-squares
    (formulas in the module docstring; shared by complete-data ML and FIML)."""
    pvalue = _chi2_sf(chisq, df) if df > 0 else np.nan
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
    return {"pvalue": pvalue, "cfi": cfi, "tli": tli, "rmsea": rmsea, "rmsea_ci_lower": lo, "rmsea_ci_upper": hi,
            "rmsea_pvalue": rmsea_pvalue(chisq, df, n, ngroups)}


def _cfi(x2, df, x2b, dfb, c=1.0, cb=1.0) -> float:
    if not np.isfinite([x2, df, x2b, dfb, c, cb]).all():
        return np.nan
    t1 = max(x2 - c * df, 0.0)
    t2 = max(x2 - c * df, x2b - cb * dfb, 0.0)
    return 1.0 if t1 == 0 and t2 == 0 else 1.0 - t1 / t2


def _tli(x2, df, x2b, dfb, c=1.0, cb=1.0) -> float:
    if not np.isfinite([x2, df, x2b, dfb, c, cb]).all():
        return np.nan
    t1, t2 = (x2 - c * df) * dfb, (x2b - cb * dfb) * df
    return 1.0 - t1 / t2 if df > 0 and abs(t2) > 0 else 1.0


def scaled_measures(chisq: float, df: float, base_chisq: float, base_df: float, n: float, *, c: float, c_b: float,
                    ngroups: int = 1, robust: tuple | None = None) -> dict[str, float]:
    """The scaled and robust fit measures of a robust ML fit (module docstring; lavaan 0.6-14's
    ``lav_fit_cfi_lavobject`` and ``lav_fit_rmsea_lavobject``).

    ``c``, ``c_b``: scaling factors of the model and the baseline test.  ``robust``: the
    ``(chisq, c, base_chisq, c_b)`` the robust indexes use instead (FIML's corrected ones);
    default the model's.
    """
    G = ngroups
    x2s = chisq / c if c > 0 else np.nan
    x2bs = base_chisq / c_b if c_b > 0 else np.nan
    out = {
        "chisq_scaled": x2s, "df_scaled": df, "pvalue_scaled": _chi2_sf(x2s, df) if df > 0 else np.nan,
        "chisq_scaling_factor": c,
        "baseline_chisq_scaled": x2bs, "baseline_df_scaled": base_df,
        "baseline_pvalue_scaled": _chi2_sf(x2bs, base_df) if base_df > 0 else np.nan,
        "baseline_chisq_scaling_factor": c_b,
        "cfi_scaled": _cfi(x2s, df, x2bs, base_df), "tli_scaled": _tli(x2s, df, x2bs, base_df),
    }
    # scaled: the unscaled statistic on c·df degrees of freedom
    df2 = c * df
    ok = df > 0 and np.isfinite(df2) and df2 > 0
    out["rmsea_scaled"] = float(np.sqrt(max((chisq / n) / df2 - 1.0 / n, 0.0)) * np.sqrt(G)) if ok else np.nan
    lo, hi = rmsea_ci(chisq, df2, n, ngroups=G) if ok else (np.nan, np.nan)
    out["rmsea_ci_lower_scaled"], out["rmsea_ci_upper_scaled"] = lo, hi
    out["rmsea_pvalue_scaled"] = rmsea_pvalue(chisq, df2, n, G) if ok else np.nan
    x3, c3, x3b, c3b = robust if robust is not None else (chisq, c, base_chisq, c_b)
    out.update(robust_measures(df, base_df, n, x3=x3, c3=c3, x3b=x3b, c3b=c3b, ngroups=G))
    return out


def robust_measures(df: float, base_df: float, n: float, *, x3: float, c3: float, x3b: float, c3b: float,
                    ngroups: int = 1) -> dict[str, float]:
    """The robust CFI, TLI and RMSEA (module docstring) from a statistic ``x3`` with its
    factor ``c3`` and the baseline's ``x3b``, ``c3b``: the scaled test's, or FIML's corrected
    ones (lavaan reports these for every FIML fit)."""
    G = ngroups
    out = {"cfi_robust": _cfi(x3, df, x3b, base_df, c3, c3b), "tli_robust": _tli(x3, df, x3b, base_df, c3, c3b)}
    # robust: χ² − c·df for the point, χ²/c on df with c in the interval
    ok3 = df > 0 and np.isfinite(c3) and c3 > 0 and np.isfinite(x3)
    out["rmsea_robust"] = float(np.sqrt(max((x3 / n) / df - c3 / n, 0.0)) * np.sqrt(G)) if ok3 else np.nan
    lo, hi = rmsea_ci(x3 / c3, df, n, ngroups=G, c_hat=c3) if ok3 else (np.nan, np.nan)
    out["rmsea_ci_lower_robust"], out["rmsea_ci_upper_robust"] = lo, hi
    out["rmsea_pvalue_robust"] = rmsea_pvalue(x3 / c3, df, n, G, c_hat=c3) if ok3 else np.nan
    return out


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
    Ss, sigmas, ns = _as_list(S), _as_list(sigma), [v if isinstance(v, float) else int(v) for v in _as_list(n)]
    G = len(Ss)
    ms = mean is not None
    means = _as_list(mean) if ms else [None] * G
    mus = _as_list(mu) if ms else [None] * G
    xs = [np.asarray(v, dtype=int) for v in x] if x is not None else [np.zeros(0, int)] * G
    N = sum(ns)
    N = int(round(N)) if abs(N - round(N)) < 1e-8 else N  # weighted groups: shares of N
    chisq = logl = unres = base_chisq = 0.0
    ndat = npar_b = 0
    srmr = 0.0
    for Sg, sg, ng, mg, mug, xg in zip(Ss, sigmas, ns, means, mus, xs):
        Sg, sg = np.asarray(Sg, float), np.asarray(sg, float)
        p, nx = Sg.shape[0], xg.size
        ndat += p * (p + 1) // 2 + (p if ms else 0) - ((nx * (nx + 1) // 2 + (nx if ms else 0)) if fixed_x else 0)
        npar_b += (p - nx) * (2 if ms else 1) + (0 if fixed_x else nx * (nx + 1) // 2 + (nx if ms else 0))
        # F_ML (ml_discrepancy) and the log-likelihoods share Σ⁻¹, log|Σ|, log|S| and tr(SΣ⁻¹)
        ld_s = _logdet(Sg)
        try:
            inv = np.linalg.inv(sg)
        except np.linalg.LinAlgError:
            chisq += np.nan
            logl = np.nan
        else:
            ld_sig, tr = _logdet(sg), float(np.trace(Sg @ inv))
            f = ld_sig + tr - ld_s - p
            quad = 0.0
            if ms:
                dv = np.asarray(mg) - np.asarray(mug)
                quad = float(dv @ inv @ dv)
                if mg is not None and mug is not None:
                    f += quad
            chisq += ng * f
            logl += -ng / 2 * (p * _LOG2PI + ld_sig + tr + quad)
        unres += -ng / 2 * (p * _LOG2PI + ld_s + p)
        ld_x = _logdet(Sg[np.ix_(xg, xg)]) if nx else 0.0
        if fixed_x and nx:
            marg = -ng / 2 * (nx * _LOG2PI + ld_x + nx)
            logl -= marg
            unres -= marg
        diag = np.diag(Sg) if not nx else np.diag(Sg)[np.setdiff1d(np.arange(p), xg)]
        base_chisq += ng * (float(np.sum(np.log(diag))) + ld_x - ld_s)
        sd = np.sqrt(np.diag(Sg))
        resid = (Sg - sg) / np.outer(sd, sd)
        tri = _lower_triangle(p)
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
    values = {
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
        "rmsea_pvalue": chi["rmsea_pvalue"],
        "srmr": srmr,
        "logl": logl,
        "unrestricted_logl": unres,
        "aic": -2 * logl + 2 * q,
        "bic": -2 * logl + q * np.log(N),
    }
    return pd.Series(np.array(list(values.values()), dtype=float), index=labels_of(values))
