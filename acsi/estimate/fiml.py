"""Full-information maximum likelihood (FIML) for incomplete data, as lavaan's
``sem(model, data, missing = "ml")``.

Model: any parameter table with a mean structure (``build_partable(spec, meanstructure=True)``:
free intercepts ``ν`` of the observed variables, latent means fixed at 0 unless the table
frees them, user ``~ 1`` rows, constraints), compiled by :class:`~.mlfast.RamModel`:
``Σ(θ)``, ``μ(θ) = ν + Λ (I − B)⁻¹ α`` per group.  Respondent ``r`` answered the variables
``o_r``; the casewise (raw-data) log-likelihood is

    logl(θ) = Σ_r −½ [p_r log 2π + log|Σ_oo| + (x_r,o − μ_o)ᵀ Σ_oo⁻¹ (x_r,o − μ_o)],

computed per missing-data pattern ``g`` (``n_g`` rows answering the same items) from the
pattern's mean ``x̄_g`` and covariance ``C_g`` (denominator ``n_g``):
``S_g = C_g + (x̄_g − μ_o)(x̄_g − μ_o)ᵀ``, ``logl_g = −n_g/2 [p_g log 2π + log|Σ_g| + tr(Σ_g⁻¹ S_g)]``.
The patterns are evaluated in one batch: the missing rows and columns of ``Σ_g`` and
``S_g`` are replaced by those of the identity, which adds exactly ``p − p_g`` to the trace
and nothing to the log-determinant or to the gradient.  Several groups add their logl.

Gradient of ``f = −logl/N``: ``∂f/∂Σ = Σ_g (n_g/2N)(K_g − K_g S_g K_g)`` (``K_g = Σ_g⁻¹``,
embedded in p × p) and ``∂f/∂μ = −Σ_g (n_g/N) K_g (x̄_g − μ_o)``, chained to θ exactly
through the rank-two and rank-one derivatives of :mod:`.mlfast`
(``∂f/∂θ_k = 2 s_k u_kᵀ (∂f/∂Σ) v_k + c_k w_kᵀ (∂f/∂μ)``).  ``f`` is minimised over the free
directions ``x`` of the linear equalities (``θ = K x + k0``) by L-BFGS-B from the
complete-data ML fit to the EM moments, then polished by Newton steps with the Hessian
obtained by central differences of the analytic gradient; nonlinear and inequality
constraints use SLSQP.  Standard errors are lavaan's default for ``missing = "ml"``
(``information = "observed"``, ``observed.information = "hessian"``): ``H`` the Hessian of
``f`` over θ, ``V = (1/N) H⁻¹``, with constraints :func:`~.mlfast.parameter_vcov` on ``2H``.

Fit measures (lavaan ``fitMeasures()`` with ``missing = "ml"``), summed over groups:

* H1: the saturated means and covariance by the EM algorithm (Dempster, Laird & Rubin
  1977; Little & Rubin 2002, ch. 11); ``unrestricted_logl`` is its casewise logl;
* ``chisq = 2 (logl_H1 − logl)``, ``df = Σ p(p+3)/2 − npar + r`` (``r`` the rank of the
  equality constraints; the reported ``npar`` is ``npar − r``);
* baseline: independence with free means and variances, whose FIML estimates are each
  item's mean and variance (denominator ``n_i``) over the respondents who answered it;
  ``df_b = Σ p(p+3)/2 − 2p``;
* ``cfi, tli, rmsea`` (and its 90 % interval) from these as in
  :mod:`.fitmeasures` with N the number of rows; ``aic = −2 logl + 2 npar``,
  ``bic = −2 logl + npar log N``;
* ``srmr`` (lavaan's ``srmr_bentler`` with the mean structure): with ``S, m`` the EM
  moments, ``sqrt((Σ_{i≤j} ((s_ij − σ_ij)/sqrt(s_ii s_jj))² + Σ_i ((m_i − μ_i)/sqrt(s_ii))²)
  / (p(p+1)/2 + p))``, weighted ``n_g/N`` over groups.

Covariates fixed at their sample moments (``exo`` rows, ``fixed_x``) are refused: build the
table with ``fixed_x=False`` (lavaan's ``missing = "ml.x"`` treatment).

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
from scipy import optimize

from ..errors import EstimationError
from ..spec import ModelSpec
from .fitmeasures import chisq_measures
from .mlfast import RamModel, _gram, _implied_full, _mean_coef, compiled_model
from .samplestats import GroupStats, SampleStats, check_sample_cov

__all__ = ["Patterns", "em_moments", "fiml_logl", "fit_fiml", "fit_sem_fiml"]

_LOG2PI = float(np.log(2.0 * np.pi))


class Patterns:
    """The rows of an item matrix grouped by missing-data pattern.

    Attributes: ``obs`` (G × p bool), ``n`` (G,), ``mean`` (G × p, 0 where missing),
    ``cov`` (G × p × p, denominator ``n_g``, 0 where missing), ``N``, ``p``; ``X`` the rows,
    ``inverse`` the pattern of each row, ``weights`` the case weights or None.  With survey
    weights ``w`` (normalised, :func:`acsi.estimate.samplestats.normalize_weights`) a pattern's
    ``n`` is its total weight, its mean and covariance are weighted, and ``N = Σ w``: the
    casewise log-likelihood ``Σ_r w_r l_r`` is then computed from these moments exactly as the
    unweighted one.
    """

    def __init__(self, X: np.ndarray, weights: np.ndarray | None = None):
        X = np.asarray(X, dtype=float)
        rows_n, self.p = X.shape
        obs = ~np.isnan(X)
        keys, inverse = np.unique(obs, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        G = keys.shape[0]
        self.obs = keys
        self.X, self.inverse = X, inverse
        self.weights = None if weights is None else np.asarray(weights, dtype=float)
        w = np.ones(rows_n) if weights is None else self.weights
        self.n = np.bincount(inverse, weights=w, minlength=G).astype(float)
        self.N = rows_n if weights is None else float(w.sum())
        Xz = np.where(obs, X, 0.0)
        self.mean = np.zeros((G, self.p))
        self.cov = np.zeros((G, self.p, self.p))
        for g in range(G):
            sel = inverse == g
            rows, wg = Xz[sel], w[sel]
            mg = wg @ rows / wg.sum()
            d = rows - mg
            self.mean[g] = mg
            self.cov[g] = (d * wg[:, None]).T @ d / wg.sum()
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
    """``f(θ) = −logl/N`` over every group and its analytic gradient over θ (and over the free
    directions ``x`` of the linear equalities)."""

    def __init__(self, model: RamModel, pats: list[Patterns]):
        self.model, self.pats = model, pats
        self.N = float(sum(p.N for p in pats))

    def theta_grad(self, theta: np.ndarray):
        model, N = self.model, self.N
        f = 0.0
        g = np.zeros(model.npar)
        for gi, gm in enumerate(model.groups):
            pat = self.pats[gi]
            sigma, _A, M, G, _L, _C, mu, a = _implied_full(gm, model.cells(theta[None], gi))
            t = _pattern_terms(pat, sigma[0], mu[0])
            if t is None:
                return np.inf, np.zeros(model.npar)
            logl, K, Spat, d = t
            KSK = K @ Spat @ K
            W = np.einsum("g,gij->ij", pat.n / (2.0 * N), np.where(pat.D, K - KSK, 0.0))
            MG = np.concatenate([M, G], axis=2)
            Wc = _gram(gm, W[None], MG)[0]
            gc = 2.0 * gm.scale * Wc[gm.uix, gm.vix]
            r = -np.einsum("g,gij,gj->i", pat.n / N, K, d)
            z = np.concatenate([r, M[0].T @ r, G[0].T @ r])
            gc += _mean_coef(gm, a)[0] * z[gm.m_w]
            f -= logl / N
            if model._identity:
                g += gc
            else:
                g[gm.pidx] += gc
        return f, g

    def value_grad(self, x: np.ndarray):
        f, g = self.theta_grad(self.model.theta_of(x[None])[0])
        return f, (g if self.model.K is None else g @ self.model.K)

    def hessian(self, x: np.ndarray, *, rel_step: float = 1e-5, space: str = "x") -> np.ndarray:
        """Hessian of ``f`` by central differences of the analytic gradient (symmetrised),
        over ``x`` or over θ (``space="theta"``, for the standard errors)."""
        fn = (lambda v: self.value_grad(v)[1]) if space == "x" else (lambda v: self.theta_grad(v)[1])
        k = x.size
        H = np.empty((k, k))
        for j in range(k):
            h = rel_step * max(1.0, abs(x[j]))
            xp, xm = x.copy(), x.copy()
            xp[j] += h
            xm[j] -= h
            H[:, j] = (fn(xp) - fn(xm)) / (2.0 * h)
        return 0.5 * (H + H.T)


def _check_rows(X: np.ndarray, items: list[str], where: str) -> None:
    N, p = X.shape
    if N < 2:
        raise EstimationError(f"cannot fit a model to {N} respondent(s){where}: FIML needs at least 2 rows")
    empty = np.flatnonzero(np.isnan(X).all(axis=1))
    if empty.size:
        raise EstimationError(
            f"{empty.size} row(s) answer none of the model's items (row positions {empty[:10].tolist()}){where}; "
            "drop them first (prepare_survey(..., missing='fiml') does)"
        )
    never = [items[j] for j in np.flatnonzero(np.isnan(X).all(axis=0))]
    if never:
        raise EstimationError(f"no respondent answered the items {never}{where}: drop them from the model")
    flat = [items[j] for j in range(p) if not np.nanvar(X[:, j]) > 1e-12]
    if flat:
        raise EstimationError(
            f"items with no variance (every respondent who answered gave the same answer): {', '.join(flat)}{where}; "
            "a covariance model cannot be fitted: collect more varied data or drop these items from the model"
        )


def fit_sem_fiml(
    data: pd.DataFrame,
    spec: ModelSpec,
    *,
    level: float = 0.95,
    gtol: float = 1e-9,
    maxiter: int = 2000,
    model: RamModel | None = None,
    estimator: str = "ml",
    weights=None,
    se: str | None = None,
):
    """FIML fit of ``spec`` to incomplete item data (lavaan ``sem(..., missing = "ml")``).

    The model is ``spec``'s default parameter table with a mean structure
    (``build_partable(spec, meanstructure=True)``); :func:`fit_fiml` takes any table.

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
        A compiled model (with a mean structure) to reuse.
    estimator, weights, se
        As :func:`acsi.estimate.ml.fit_ml`: ``"ml"`` or ``"mlr"`` (MLM needs complete data);
        survey weights (lavaan's ``sampling.weights`` with ``missing = "ml"``: robust standard
        errors and the Yuan-Bentler test by default); ``se="standard"``.

    Returns
    -------
    SEMResult
        ``estimates`` holds lavaan's rows, the ``~1`` rows (item intercepts, free;
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
    from .robust import resolve_inference

    inference = resolve_inference(estimator, weighted=weights is not None, missing="ml", se=se, where="fit_sem_fiml")
    return fit_fiml(model or compiled_model(spec, meanstructure=True), data, level=level, gtol=gtol, maxiter=maxiter,
                    weights=weights, inference=inference)


def fit_fiml(model: RamModel, data: pd.DataFrame, *, group: str | None = None, level: float = 0.95,
             gtol: float = 1e-9, maxiter: int = 2000, weights=None, inference=None):
    """FIML fit of a compiled parameter table with a mean structure (see the module docstring).

    ``weights``: survey weights (a column of ``data`` or one value per row; lavaan's
    ``sampling.weights`` with ``missing = "ml"``): the weighted casewise log-likelihood, the
    weighted EM moments, and lavaan's defaults for weighted data (robust standard errors, the
    Yuan-Bentler scaled test).  ``inference`` (:func:`acsi.estimate.robust.resolve_inference`)
    chooses the standard errors and the test; the robust CFI/TLI/RMSEA are lavaan's
    missing-data corrected ones (:func:`acsi.estimate.robust.fiml_inference`).
    """
    from .mlfast import _simple_start, fit_stats, parameter_vcov, start_values
    from .mlresult import group_labels, result_from_theta
    from .robust import fiml_inference, resolve_inference, with_scaled
    from .samplestats import case_weights

    w_all = case_weights(data, weights)
    if inference is None:
        inference = resolve_inference("ml", weighted=w_all is not None, missing="ml")

    if not model.meanstructure:
        raise EstimationError("FIML needs a mean structure: build the table with meanstructure=True "
                              "(acsi.spec.build_partable(spec, meanstructure=True))")
    if (model.frame["exo"] == 1).any():
        names = sorted(set(model.frame.loc[model.frame["exo"] == 1, "lhs"]))
        raise EstimationError(
            f"FIML with covariates fixed at their sample moments (fixed.x: {', '.join(names)}) is not supported: "
            "build the table with fixed_x=False so that the covariates are modelled (lavaan's missing='ml.x')"
        )
    if len(model.groups) > 1 and group is None:
        raise EstimationError(f"the model has {len(model.groups)} groups: name the data's group column (group=...)")
    if group is None:
        parts, labels, wparts = [data], (None,), [w_all]
    else:
        if group not in data.columns:
            raise EstimationError(f"the group column {group!r} is not in the data")
        key = data[group].map(lambda v: v if pd.isna(v) else str(v))
        labels = tuple(str(g) for g in (group_labels(model) or sorted(set(key.dropna()))))
        unknown = sorted(set(key.dropna()) - set(labels))
        if unknown or key.isna().any():
            raise EstimationError(f"rows of column {group!r} outside the model's groups {list(labels)}: "
                                  f"{unknown or 'missing values'}; drop them or fix the groups")
        parts = [data[(key == g).to_numpy()] for g in labels]
        wparts = [None if w_all is None else w_all[(key == g).to_numpy()] for g in labels]
    pats, groups = [], []
    for gi, (gm, part, wg) in enumerate(zip(model.groups, parts, wparts)):
        items = list(gm.ov)
        where = "" if group is None else f" in group {labels[gi]!r}"
        missing_cols = [c for c in items if c not in part.columns]
        if missing_cols:
            raise EstimationError(f"data lack the model's items {missing_cols}: add these columns or fix the model")
        X = part[items].to_numpy(dtype=float)
        _check_rows(X, items, where)
        pat = Patterns(X, wg)
        if len(parts) == 1:
            pat.N = X.shape[0]  # the normalised weights of one group sum to its rows exactly
        try:
            mu_h1, S_h1, em_iter = _em(pat)
        except np.linalg.LinAlgError as exc:
            raise EstimationError(
                f"the EM algorithm for the saturated moments failed ({exc}){where}: the answered items are linearly "
                "dependent in some missing-data pattern; check for duplicated items or too few respondents"
            ) from None
        check_sample_cov(S_h1, items)
        if _pattern_terms(pat, S_h1, mu_h1) is None:
            raise EstimationError(f"the EM covariance is not positive definite on some missing-data pattern{where}")
        pats.append(pat)
        groups.append((GroupStats(n=pat.N, mean=mu_h1, cov=S_h1, X=X, weights=wg), em_iter))
    stats = SampleStats(groups=tuple(g for g, _ in groups), ov=tuple(tuple(gm.ov) for gm in model.groups),
                        labels=tuple(labels))
    N = stats.ntotal
    messages: list[str] = []
    try:
        warm = fit_stats(model, stats, inference=resolve_inference("ml"))  # a start: no standard errors needed
        th0 = warm.extra["theta"] if warm.converged else start_values(model, [g.cov for g in stats.groups],
                                                                      [g.mean for g in stats.groups])
    except EstimationError:
        th0 = _simple_start(model, [g.cov for g in stats.groups], [g.mean for g in stats.groups])
    obj = _Objective(model, pats)
    x0 = model.x_of(th0[None])[0]
    n_newton = 0
    if model.has_nonlinear:
        from .mlfast import _fit_constrained_objective

        x, nit, opt_msg = _fit_constrained_objective(model, obj.value_grad, x0, maxiter=maxiter)
        f, g = obj.value_grad(x)
        opt_ok = opt_msg is None
        grad_max = float(np.abs(_projected(model, x, g)).max()) if g.size else 0.0
    else:
        opt = optimize.minimize(obj.value_grad, x0, jac=True, method="L-BFGS-B",
                                options={"maxiter": maxiter, "ftol": 1e-15, "gtol": 1e-11, "maxcor": 30})
        x, nit = opt.x, opt.nit
        f, g = obj.value_grad(x)
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
        grad_max = float(np.abs(g).max()) if g.size else 0.0
        opt_ok, opt_msg = True, opt.message
    converged = bool(np.isfinite(f) and opt_ok and grad_max < max(gtol, 1e-7))
    if not converged:
        messages.append(f"FIML optimisation did not converge (max |gradient| of -logl/N {grad_max:.3g}; {opt_msg})")
    theta = model.theta_of(x[None])[0]
    vcov = None
    Ht = obj.hessian(theta, space="theta")
    logl = -f * N
    fm = _fit_measures(model, pats, stats, theta, logl)
    rob = None
    if converged:
        try:
            rob = fiml_inference(model, theta, pats, stats, inference, hessian=Ht, df=float(fm["df"]),
                                 baseline_df=float(fm["baseline_df"]))
        except np.linalg.LinAlgError:
            messages.append("robust standard errors and the scaled test unavailable: singular information matrix")
    if inference.robust_se:
        vcov = None if rob is None else rob.vcov
    else:
        try:
            vcov = parameter_vcov(model, 2.0 * Ht, N, theta)
        except np.linalg.LinAlgError:
            messages.append("standard errors unavailable: singular observed information matrix")
    se = np.sqrt(np.abs(np.diag(vcov))) if vcov is not None else None
    if se is not None and not (np.isfinite(np.diag(vcov)).all() and (np.diag(vcov) >= 0).all()):
        messages.append("some standard errors could not be computed (observed information not positive definite)")
    if rob is not None:
        x3, c3, x3b, c3b = rob.test["corrected"]
        if inference.scaled:
            fm = with_scaled(fm, rob.test, len(model.groups), robust=rob.test["corrected"])
        else:
            from .fitmeasures import robust_measures

            fm = pd.concat([fm, pd.Series(robust_measures(float(fm["df"]), float(fm["baseline_df"]), float(N), x3=x3,
                                                          c3=c3, x3b=x3b, c3b=c3b, ngroups=len(model.groups)),
                                          dtype=float)])
    nu = []
    for gi, gm in enumerate(model.groups):
        mats = gm.matrices(model.cells(theta[None], gi))
        nu.append(pd.Series(mats[4][0], index=gm.ov))
    return result_from_theta(
        model, stats, theta, info=None, vcov=vcov, converged=converged, messages=messages,
        n_iter=int(nit + n_newton), objective=float(f), level=level, engine="fiml", fit=fm, inference=inference,
        extra={"intercepts": nu[0], "sample_mean": pd.Series(stats.groups[0].mean, index=model.groups[0].ov),
               "n_patterns": int(sum(len(p.n) for p in pats)), "em_iter": int(max(it for _, it in groups)),
               "grad_max": grad_max},
    )


def _projected(model: RamModel, x: np.ndarray, g: np.ndarray) -> np.ndarray:
    from .mlfast import _active_jacobian_x, _active_mask

    J = _active_jacobian_x(model, x, _active_mask(model, x))
    return g - (J.T @ np.linalg.lstsq(J.T, g, rcond=None)[0] if J.shape[0] else 0.0)


def _fit_measures(model: RamModel, pats: list[Patterns], stats: SampleStats, theta: np.ndarray, logl: float) -> pd.Series:
    """lavaan's ``fitMeasures()`` for ``missing = "ml"`` (see the module docstring)."""
    N = stats.ntotal
    ndat = logl_h1 = logl_b = npar_b = 0.0
    srmr = 0.0
    for gi, (gm, pat, st) in enumerate(zip(model.groups, pats, stats.groups)):
        p = pat.p
        ndat += p * (p + 3) // 2
        npar_b += 2 * p
        h1 = _pattern_terms(pat, st.cov, st.mean)
        logl_h1 += h1[0]
        # independence model: per item, ML mean and variance over the respondents who answered it
        for j in range(p):
            o = pat.obs[:, j]
            nj = pat.n[o]
            cnt = nj.sum()
            mj = float(nj @ pat.mean[o, j]) / cnt
            vj = float(nj @ (pat.cov[o, j, j] + (pat.mean[o, j] - mj) ** 2)) / cnt
            logl_b += -0.5 * cnt * (_LOG2PI + np.log(vj) + 1.0)
        sigma, *_rest, mu, _a = _implied_full(gm, model.cells(theta[None], gi))
        sigma, mu = sigma[0], mu[0]
        S, m = st.cov, st.mean
        sd = np.sqrt(np.diag(S))
        resid = (S - sigma) / np.outer(sd, sd)
        tri = np.tril_indices(p)
        e = (m - mu) / sd
        srmr += st.n / N * float(np.sqrt((np.sum(resid[tri] ** 2) + np.sum(e**2)) / (tri[0].size + p)))
    r = model.equality_rank(theta)
    npar = model.npar - r
    df = int(ndat) - model.npar + r
    chisq = 2.0 * (logl_h1 - logl)
    base_chisq = 2.0 * (logl_h1 - logl_b)
    base_df = int(ndat - npar_b)
    chi = chisq_measures(chisq, df, base_chisq, base_df, N, ngroups=len(model.groups))
    return pd.Series(
        {
            "npar": npar, "ntotal": N, "chisq": chisq, "df": df, "pvalue": chi["pvalue"],
            "baseline_chisq": base_chisq, "baseline_df": base_df, "cfi": chi["cfi"], "tli": chi["tli"],
            "rmsea": chi["rmsea"], "rmsea_ci_lower": chi["rmsea_ci_lower"],
            "rmsea_ci_upper": chi["rmsea_ci_upper"], "rmsea_pvalue": chi["rmsea_pvalue"], "srmr": srmr,
            "logl": logl, "unrestricted_logl": logl_h1,
            "aic": -2 * logl + 2 * npar, "bic": -2 * logl + npar * np.log(N),
        },
        dtype=float,
    )
