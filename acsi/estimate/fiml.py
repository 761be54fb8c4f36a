"""Full-information maximum likelihood (FIML) for incomplete item data, as lavaan's
``sem(model, data, missing = "ml")``.

Model: the covariance structure of :mod:`.mlfast` (``Σ(θ)``, lavaan's ``sem()``
parameterisation) with a saturated mean structure: a free intercept ``ν_i`` for every item
and latent means fixed at 0, so ``μ = ν``.  Respondent ``r`` answered the items ``o_r``;
the casewise (raw-data) log-likelihood is

    logl(θ, ν) = Σ_r −½ [p_r log 2π + log|Σ_oo| + (x_r,o − ν_o)ᵀ Σ_oo⁻¹ (x_r,o − ν_o)],

computed per missing-data pattern ``g`` (``n_g`` rows answering the same items) from the
pattern's mean ``x̄_g`` and covariance ``C_g`` (denominator ``n_g``):
``S_g = C_g + (x̄_g − ν_o)(x̄_g − ν_o)ᵀ``, ``logl_g = −n_g/2 [p_g log 2π + log|Σ_g| + tr(Σ_g⁻¹ S_g)]``.
The patterns are evaluated in one batch: the missing rows and columns of ``Σ_g`` and
``S_g`` are replaced by those of the identity, which adds exactly ``p − p_g`` to the trace
and nothing to the log-determinant or to the gradient.

Gradient of ``f = −logl/N``: ``∂f/∂Σ = Σ_g (n_g/2N)(K_g − K_g S_g K_g)`` (``K_g = Σ_g⁻¹``,
embedded in p × p), chained to ``θ`` exactly through the rank-two derivatives of
:mod:`.mlfast` (``∂f/∂θ_k = 2 s_k u_kᵀ (∂f/∂Σ) v_k``); ``∂f/∂ν_o = −Σ_g (n_g/N) K_g (x̄_g − ν_o)``.
``f`` is minimised by L-BFGS-B from the complete-data ML fit to the EM moments, then
polished by Newton steps with the Hessian obtained by central differences of the analytic
gradient.  Standard errors are lavaan's default for ``missing = "ml"`` (``information =
"observed"``, ``observed.information = "hessian"``): ``sqrt(diag(H⁻¹))`` with ``H`` the
Hessian of ``−logl`` over ``(θ, ν)``.

Fit measures (lavaan ``fitMeasures()`` with ``missing = "ml"``):

* H1: the saturated means and covariance by the EM algorithm (Dempster, Laird & Rubin
  1977; Little & Rubin 2002, ch. 11); ``unrestricted_logl`` is its casewise logl;
* ``chisq = 2 (logl_H1 − logl)``, ``df = p(p+3)/2 − npar``, ``npar = q + p`` (the
  intercepts count);
* baseline: independence with free means and variances, whose FIML estimates are each
  item's mean and variance (denominator ``n_i``) over the respondents who answered it;
  ``df_b = p(p+3)/2 − 2p``;
* ``cfi, tli, rmsea`` (and its 90 % interval) from these as in
  :mod:`.fitmeasures` with N the number of rows; ``aic = −2 logl + 2 npar``,
  ``bic = −2 logl + npar log N``;
* ``srmr`` (lavaan's ``srmr_bentler`` with the mean structure): with ``S, m`` the EM
  moments, ``sqrt((Σ_{i≤j} ((s_ij − σ_ij)/sqrt(s_ii s_jj))² + Σ_i ((m_i − μ_i)/sqrt(s_ii))²)
  / (p(p+1)/2 + p))``.

References: Arbuckle (1996) and Enders (2010, ch. 4) for casewise ML; lavaan's
``lav_mvnorm_missing`` for the pattern form.

Example
-------
>>> import acsi                                                          # doctest: +SKIP
>>> res = fit_sem_fiml(incomplete_survey, acsi.load_model("acsi"))       # doctest: +SKIP
>>> res.estimates.query("op == '~1'")[["lhs", "est", "se"]]              # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import EstimationError
from ..spec import ModelSpec
from .fitmeasures import chisq_measures
from .mlfast import RamModel, _gram, implied, sem_result_from_cov, start_values
from .table import (
    ESTIMATE_COLUMNS,
    admissibility_problems,
    check_sample_cov,
    parameter_table,
)

__all__ = ["Patterns", "em_moments", "fiml_logl", "fit_sem_fiml"]

_LOG2PI = float(np.log(2.0 * np.pi))


class Patterns:
    """The rows of an item matrix grouped by missing-data pattern.

    Attributes: ``obs`` (G × p bool), ``n`` (G,), ``mean`` (G × p, 0 where missing),
    ``cov`` (G × p × p, denominator ``n_g``, 0 where missing), ``N``, ``p``.
    """

    def __init__(self, X: np.ndarray):
        X = np.asarray(X, dtype=float)
        self.N, self.p = X.shape
        obs = ~np.isnan(X)
        keys, inverse = np.unique(obs, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        G = keys.shape[0]
        self.obs = keys
        self.n = np.bincount(inverse, minlength=G).astype(float)
        Xz = np.where(obs, X, 0.0)
        self.mean = np.zeros((G, self.p))
        self.cov = np.zeros((G, self.p, self.p))
        for g in range(G):
            rows = Xz[inverse == g]
            mg = rows.mean(axis=0)
            d = rows - mg
            self.mean[g] = mg
            self.cov[g] = d.T @ d / rows.shape[0]
        self.n_obs = self.obs.sum(axis=1)
        self.D = self.obs[:, :, None] & self.obs[:, None, :]
        self.pad = np.zeros((G, self.p, self.p))
        idx = np.arange(self.p)
        self.pad[:, idx, idx] = (~self.obs).astype(float)


def _pattern_terms(pat: Patterns, sigma: np.ndarray, mu: np.ndarray):
    """Per-pattern ``−logl_g`` pieces: (logl total, K_pad, S_pad, d) or None if Σ_g not PD."""
    Sg = np.where(pat.D, sigma[None], 0.0) + pat.pad
    d = np.where(pat.obs, pat.mean - mu[None], 0.0)
    Spat = pat.cov + d[:, :, None] * d[:, None, :] + pat.pad
    try:
        Lc = np.linalg.cholesky(Sg)
    except np.linalg.LinAlgError:
        return None
    Li = np.linalg.inv(Lc)
    K = np.swapaxes(Li, 1, 2) @ Li
    logdet = 2.0 * np.log(np.diagonal(Lc, axis1=1, axis2=2)).sum(axis=1)
    tr = np.einsum("gij,gji->g", K, Spat) - (pat.p - pat.n_obs)
    logl = float(np.sum(-0.5 * pat.n * (pat.n_obs * _LOG2PI + logdet + tr)))
    return logl, K, Spat, d


def fiml_logl(X: np.ndarray, sigma: np.ndarray, mu: np.ndarray) -> float:
    """Casewise normal log-likelihood of incomplete rows ``X`` (NaN = missing) at ``(μ, Σ)``."""
    t = _pattern_terms(Patterns(X), np.asarray(sigma, float), np.asarray(mu, float))
    return np.nan if t is None else t[0]


def em_moments(X: np.ndarray, *, tol: float = 1e-11, maxiter: int = 5000):
    """Saturated ML means and covariance of incomplete normal data by EM.

    E-step per row: missing items replaced by their regression on the answered ones,
    ``x̂_m = μ_m + Σ_mo Σ_oo⁻¹ (x_o − μ_o)``, plus the conditional covariance
    ``Σ_mm − Σ_mo Σ_oo⁻¹ Σ_om`` in the cross products; M-step: ``μ = mean(x̂)``,
    ``Σ = mean(x̂ x̂ᵀ + C) − μ μᵀ``.  Starts from the available-case means and variances.
    Stops when no moment changes by more than ``tol``.

    Returns ``(mu, sigma, n_iter)``.
    """
    X = np.asarray(X, dtype=float)
    pat = Patterns(X)
    return _em(pat, tol=tol, maxiter=maxiter)


def _em(pat: Patterns, *, tol: float = 1e-11, maxiter: int = 5000):
    p, N = pat.p, pat.N
    w = pat.n[:, None] * pat.obs
    cnt = w.sum(axis=0)
    mu = (pat.n[:, None] * pat.mean).sum(axis=0) / cnt
    var = np.zeros(p)
    for g in range(len(pat.n)):
        o = pat.obs[g]
        var[o] += pat.n[g] * (np.diag(pat.cov[g])[o] + (pat.mean[g, o] - mu[o]) ** 2)
    sigma = np.diag(var / cnt)
    groups = [(g, np.flatnonzero(pat.obs[g]), np.flatnonzero(~pat.obs[g])) for g in range(len(pat.n))]
    for it in range(1, maxiter + 1):
        T1 = np.zeros(p)
        T2 = np.zeros((p, p))
        for g, o, m in groups:
            ng = pat.n[g]
            xo = pat.mean[g, o]
            xhat = np.empty(p)
            xhat[o] = xo
            cross = np.zeros((p, p))
            cross[np.ix_(o, o)] = pat.cov[g][np.ix_(o, o)]
            if m.size:
                B = np.linalg.solve(sigma[np.ix_(o, o)], sigma[np.ix_(o, m)]).T  # m × o
                xhat[m] = mu[m] + B @ (xo - mu[o])
                Cmo = B @ pat.cov[g][np.ix_(o, o)]
                cross[np.ix_(m, o)] = Cmo
                cross[np.ix_(o, m)] = Cmo.T
                cross[np.ix_(m, m)] = Cmo @ B.T + sigma[np.ix_(m, m)] - B @ sigma[np.ix_(o, m)]
            T1 += ng * xhat
            T2 += ng * (cross + np.outer(xhat, xhat))
        mu_new = T1 / N
        sigma_new = T2 / N - np.outer(mu_new, mu_new)
        change = max(np.abs(mu_new - mu).max(), np.abs(sigma_new - sigma).max())
        mu, sigma = mu_new, sigma_new
        if change < tol:
            return mu, sigma, it
    raise EstimationError(
        f"the EM algorithm for the saturated means and covariance did not converge in {maxiter} "
        f"iterations (last change {change:.3g}); the data may have too few respondents answering "
        "some pairs of items: check the missing-data patterns"
    )


class _Objective:
    """``f(x) = −logl/N`` and its analytic gradient over ``x = (θ, ν)``."""

    def __init__(self, model: RamModel, pat: Patterns):
        self.model, self.pat = model, pat
        self.q, self.p = model.q, model.p

    def value_grad(self, x: np.ndarray):
        model, pat, q = self.model, self.pat, self.q
        theta, mu = x[:q], x[q:]
        sigma, _A, M, G = (a[0] for a in implied(model, theta[None]))
        t = _pattern_terms(pat, sigma, mu)
        if t is None:
            return np.inf, np.zeros_like(x)
        logl, K, Spat, d = t
        N = pat.N
        KSK = K @ Spat @ K
        W = np.einsum("g,gij->ij", pat.n / (2.0 * N), np.where(pat.D, K - KSK, 0.0))
        MG = np.concatenate([M, G], axis=1)[None]
        Wc = _gram(model, W[None], MG)[0]
        g_theta = 2.0 * model.scale * Wc[model.uix, model.vix]
        g_mu = -np.einsum("g,gij,gj->i", pat.n / N, K, d)
        return -logl / N, np.concatenate([g_theta, g_mu])

    def hessian(self, x: np.ndarray, *, rel_step: float = 1e-5) -> np.ndarray:
        """Hessian of ``f`` by central differences of the analytic gradient (symmetrised)."""
        k = x.size
        H = np.empty((k, k))
        for j in range(k):
            h = rel_step * max(1.0, abs(x[j]))
            xp, xm = x.copy(), x.copy()
            xp[j] += h
            xm[j] -= h
            H[:, j] = (self.value_grad(xp)[1] - self.value_grad(xm)[1]) / (2.0 * h)
        return 0.5 * (H + H.T)


def fit_sem_fiml(
    data: pd.DataFrame,
    spec: ModelSpec,
    *,
    level: float = 0.95,
    gtol: float = 1e-9,
    maxiter: int = 2000,
    model: RamModel | None = None,
):
    """FIML fit of ``spec`` to incomplete item data (lavaan ``sem(..., missing = "ml")``).

    Parameters
    ----------
    data : DataFrame
        One column per item of ``spec``; NaN marks an unanswered item.  Every row must
        answer at least one item.
    spec : ModelSpec
    level : float
        Level of the Wald intervals.
    gtol : float
        Convergence: largest absolute gradient of ``−logl/N`` after the Newton polish.
    maxiter : int
        Iteration limit of L-BFGS-B.
    model : RamModel, optional
        A compiled model to reuse.

    Returns
    -------
    SEMResult
        ``estimates`` holds lavaan's rows plus the ``~1`` rows (item intercepts, free;
        latent means, fixed at 0) in lavaan's order; ``sample_cov`` is the EM (H1)
        covariance; ``extra`` holds ``engine="fiml"``, ``sample_mean`` (EM means),
        ``theta``, ``labels``, ``intercepts`` and ``n_patterns``.

    Raises
    ------
    EstimationError
        Items missing from ``data``, a row with no item answered, fewer than 2 rows, an
        item nobody answered, a constant item or a non-positive-definite EM covariance.

    Examples
    --------
    >>> res = fit_sem_fiml(survey_with_holes, acsi.load_model("acsi"))   # doctest: +SKIP
    >>> res.fit_measures[["chisq", "df", "cfi", "rmsea", "srmr"]]          # doctest: +SKIP
    """
    from .sem import SEMResult

    items = list(spec.item_ids)
    missing_cols = [c for c in items if c not in data.columns]
    if missing_cols:
        raise EstimationError(f"data lack the model's items {missing_cols}: add these columns or fix the model")
    X = data[items].to_numpy(dtype=float)
    N, p = X.shape
    if N < 2:
        raise EstimationError(f"cannot fit a model to {N} respondent(s): FIML needs at least 2 rows")
    empty = np.flatnonzero(np.isnan(X).all(axis=1))
    if empty.size:
        raise EstimationError(
            f"{empty.size} row(s) answer none of the model's items (row positions {empty[:10].tolist()}); "
            "drop them first (prepare_survey(..., missing='fiml') does)"
        )
    never = [items[j] for j in np.flatnonzero(np.isnan(X).all(axis=0))]
    if never:
        raise EstimationError(f"no respondent answered the items {never}: drop them from the model")
    flat = [items[j] for j in range(p) if not np.nanvar(X[:, j]) > 1e-12]
    if flat:
        raise EstimationError(
            f"items with no variance (every respondent who answered gave the same answer): {', '.join(flat)}; "
            "a covariance model cannot be fitted: collect more varied data or drop these items from the model"
        )
    pat = Patterns(X)
    try:
        mu_h1, S_h1, em_iter = _em(pat)
    except np.linalg.LinAlgError as exc:
        raise EstimationError(
            f"the EM algorithm for the saturated moments failed ({exc}): the answered items are linearly "
            "dependent in some missing-data pattern; check for duplicated items or too few respondents"
        ) from None
    check_sample_cov(S_h1, items)
    h1 = _pattern_terms(pat, S_h1, mu_h1)
    if h1 is None:
        raise EstimationError("the EM covariance is not positive definite on some missing-data pattern")
    logl_h1 = h1[0]

    model = model or RamModel(spec)
    q = model.q
    messages: list[str] = []
    try:
        warm = sem_result_from_cov(model, S_h1, N)
        th0 = warm.extra["theta"] if warm.converged else start_values(model, S_h1)
    except EstimationError:
        th0 = start_values(model, S_h1)
    obj = _Objective(model, pat)
    x0 = np.concatenate([th0, mu_h1])
    opt = optimize.minimize(obj.value_grad, x0, jac=True, method="L-BFGS-B",
                            options={"maxiter": maxiter, "ftol": 1e-15, "gtol": 1e-11, "maxcor": 30})
    x = opt.x
    f, g = obj.value_grad(x)
    H = None
    n_newton = 0
    for _ in range(8):
        H = obj.hessian(x)
        try:
            step = -np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)):
            break
        alpha = 1.0
        while alpha > 1e-4:
            fn, gn = obj.value_grad(x + alpha * step)
            if fn <= f + 1e-12 * abs(f):
                break
            alpha *= 0.5
        else:
            break
        x, f, g = x + alpha * step, fn, gn
        n_newton += 1
        if np.abs(g).max() < gtol and np.abs(alpha * step).max() < 1e-9:
            break
    H = obj.hessian(x)
    grad_max = float(np.abs(g).max())
    converged = bool(np.isfinite(f) and grad_max < max(gtol, 1e-7))
    if not converged:
        messages.append(f"FIML optimisation did not converge (max |gradient| of -logl/N {grad_max:.3g}; "
                        f"L-BFGS-B: {opt.message})")
    theta, nu = x[:q], x[q:]
    se_all = np.full(q + p, np.nan)
    try:
        cov = np.linalg.inv(N * H)
        dg = np.diag(cov)
        se_all = np.where(dg >= 0, np.sqrt(np.abs(dg)), np.nan)
    except np.linalg.LinAlgError:
        messages.append("standard errors unavailable: singular observed information matrix")
    if not np.isfinite(se_all).all():
        messages.append("some standard errors could not be computed (observed information not positive definite)")

    L, B, P, T = (a[0] for a in model.matrices(theta[None]))
    sigma, A, _, _ = (a[0] for a in implied(model, theta[None]))
    table = parameter_table(spec, L, B, P, T, dict(zip(model.labels, se_all[:q])), level=level)
    sd_y = np.sqrt(np.clip(np.diag(sigma), 0, None))
    zq = stats.norm.ppf(1 - (1 - level) / 2)
    se_nu = se_all[q:]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = nu / se_nu
        rows = pd.DataFrame({
            "lhs": items, "op": "~1", "rhs": "", "est": nu, "se": se_nu, "z": z,
            "pvalue": 2 * stats.norm.sf(np.abs(z)), "ci_lower": nu - zq * se_nu, "ci_upper": nu + zq * se_nu,
            "std_all": nu / sd_y, "free": True,
        })
    lat = pd.DataFrame({
        "lhs": list(spec.latent_ids), "op": "~1", "rhs": "", "est": 0.0, "se": np.nan, "z": np.nan,
        "pvalue": np.nan, "ci_lower": 0.0, "ci_upper": 0.0, "std_all": 0.0, "free": False,
    })
    estimates = pd.concat([table, rows, lat], ignore_index=True)[ESTIMATE_COLUMNS + ["free"]]

    logl = -f * N
    fm = _fit_measures(pat, S_h1, mu_h1, logl_h1, sigma, nu, logl, q + p)
    problems = admissibility_problems(spec, T, P, A)
    return SEMResult(
        estimates=estimates,
        fit_measures=fm,
        loadings=pd.DataFrame(L, index=items, columns=list(spec.latent_ids)),
        residual_variances=pd.Series(np.diag(T), index=items),
        latent_cov=pd.DataFrame(A, index=list(spec.latent_ids), columns=list(spec.latent_ids)),
        sample_cov=pd.DataFrame(S_h1, index=items, columns=items),
        implied_cov=pd.DataFrame(sigma, index=items, columns=items),
        n=int(N),
        converged=converged,
        admissible=not problems,
        problems=tuple(problems),
        messages=tuple(messages),
        n_iter=int(opt.nit + n_newton),
        objective=float(f),
        extra={"engine": "fiml", "theta": theta, "labels": list(model.labels),
               "intercepts": pd.Series(nu, index=items), "sample_mean": pd.Series(mu_h1, index=items),
               "n_patterns": len(pat.n), "em_iter": int(em_iter), "grad_max": grad_max},
    )


def _fit_measures(pat: Patterns, S: np.ndarray, m: np.ndarray, logl_h1: float, sigma: np.ndarray,
                  mu: np.ndarray, logl: float, npar: int) -> pd.Series:
    """lavaan's ``fitMeasures()`` for ``missing = "ml"`` (see the module docstring)."""
    N, p = pat.N, pat.p
    df = p * (p + 3) // 2 - npar
    chisq = 2.0 * (logl_h1 - logl)
    # independence model: per item, ML mean and variance over the respondents who answered it
    logl_b = 0.0
    for j in range(p):
        o = pat.obs[:, j]
        nj = pat.n[o]
        cnt = nj.sum()
        mj = float(nj @ pat.mean[o, j]) / cnt
        vj = float(nj @ (pat.cov[o, j, j] + (pat.mean[o, j] - mj) ** 2)) / cnt
        logl_b += -0.5 * cnt * (_LOG2PI + np.log(vj) + 1.0)
    base_chisq = 2.0 * (logl_h1 - logl_b)
    base_df = p * (p + 3) // 2 - 2 * p
    chi = chisq_measures(chisq, df, base_chisq, base_df, N)
    sd = np.sqrt(np.diag(S))
    resid = (S - sigma) / np.outer(sd, sd)
    tri = np.tril_indices(p)
    e = (m - mu) / sd
    srmr = float(np.sqrt((np.sum(resid[tri] ** 2) + np.sum(e ** 2)) / (tri[0].size + p)))
    return pd.Series(
        {
            "npar": npar, "ntotal": N, "chisq": chisq, "df": df, "pvalue": chi["pvalue"],
            "baseline_chisq": base_chisq, "baseline_df": base_df, "cfi": chi["cfi"], "tli": chi["tli"],
            "rmsea": chi["rmsea"], "rmsea_ci_lower": chi["rmsea_ci_lower"],
            "rmsea_ci_upper": chi["rmsea_ci_upper"], "srmr": srmr,
            "logl": logl, "unrestricted_logl": logl_h1,
            "aic": -2 * logl + 2 * npar, "bic": -2 * logl + npar * np.log(N),
        },
        dtype=float,
    )
