"""Covariance-based SEM through semopy: the only module that imports semopy.

semopy's known defects (measured on 2.3.11) are handled here so that they never
reach users:

* its default SLSQP tolerance stops early: we pass ``ftol=1e-12``;
* variances are bounded at zero, hiding Heywood cases: we remove every bound,
  as lavaan does, and report negative variances as inadmissible by name;
* non-convergence is only logged: we capture semopy's log records and set
  ``converged=False`` with the optimizer's message;
* rows with NaN are used pairwise without a word: we refuse incomplete data
  (the caller applies the documented missing-data policy first);
* a non-positive-definite sample covariance is silently replaced by a nearby
  matrix: we refuse it and name the items;
* its fit statistics are wrong (AIC/BIC, GFI, RMSEA): we compute our own
  (:mod:`acsi.estimate.fitmeasures`);
* its ``inspect`` table holds ``'-'`` strings: we build a numeric table with
  lavaan's columns.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import EstimationError
from ..spec import ModelSpec
from .fitmeasures import fit_measures

__all__ = ["SEMResult", "fit_sem", "semopy_version"]

ESTIMATE_COLUMNS = ["lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]


def semopy_version() -> str:
    import semopy

    return getattr(semopy, "__version__", "unknown")


@dataclass(frozen=True)
class SEMResult:
    """One covariance-based ML fit.

    Attributes
    ----------
    estimates : DataFrame
        lavaan's ``parameterEstimates(standardized=TRUE)`` columns in snake_case:
        ``lhs, op, rhs, est, se, z, pvalue, ci_lower, ci_upper, std_all``, plus
        ``free`` (bool).
    fit_measures : Series
        See :func:`acsi.estimate.fitmeasures.fit_measures`.
    loadings : DataFrame
        Items × latents (Λ).
    residual_variances : Series
        Item residual variances (diagonal of Θ).
    latent_cov : DataFrame
        Model-implied covariance of the latent variables.
    converged, admissible : bool
    problems : tuple of str
        Inadmissibility found (negative variances, non-PD covariance), by name.
    messages : tuple of str
        Optimizer and semopy messages.
    """

    estimates: pd.DataFrame
    fit_measures: pd.Series
    loadings: pd.DataFrame
    residual_variances: pd.Series
    latent_cov: pd.DataFrame
    sample_cov: pd.DataFrame
    implied_cov: pd.DataFrame
    n: int
    converged: bool
    admissible: bool
    problems: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    n_iter: int = 0
    objective: float = np.nan
    extra: dict = field(default_factory=dict, repr=False)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


def _check_sample_cov(S: np.ndarray, items: list[str]) -> None:
    var = np.diag(S)
    flat = [items[i] for i in np.flatnonzero(var <= 1e-12)]
    if flat:
        raise EstimationError(
            f"items with no variance (every respondent gave the same answer): {', '.join(flat)}; "
            "a covariance model cannot be fitted: collect more varied data or drop these items from the model"
        )
    ev = np.linalg.eigvalsh(S / np.sqrt(np.outer(var, var)))
    if ev.min() <= 1e-10:
        raise EstimationError(
            "the sample covariance matrix is not positive definite (items are linearly dependent or "
            f"there are fewer respondents than items: smallest eigenvalue {ev.min():.3g}); "
            "semopy would silently replace it by a nearby matrix; check for duplicated items or too few respondents"
        )


def fit_sem(
    data: pd.DataFrame,
    spec: ModelSpec,
    *,
    ftol: float = 1e-12,
    maxiter: int = 10000,
    level: float = 0.95,
) -> SEMResult:
    """Fit ``spec`` by maximum likelihood (lavaan's ML, no mean structure).

    Parameters
    ----------
    data : DataFrame
        Complete item data (no missing values), one column per item of ``spec``.
    spec : ModelSpec
    ftol : float
        SLSQP function tolerance. semopy's default stops early (up to 1.2e-2
        from lavaan); 1e-12 brings estimates within 1e-6.
    level : float
        Confidence level of the Wald intervals.

    Returns
    -------
    SEMResult

    Notes
    -----
    Equivalent R: ``lavaan::sem(spec.to_lavaan(), data)`` with default options;
    standard errors from the expected information with N.
    """
    import semopy

    items = list(spec.item_ids)
    missing_cols = [c for c in items if c not in data.columns]
    if missing_cols:
        raise EstimationError(f"data lack the model's items {missing_cols}")
    X = data[items].to_numpy(dtype=float)
    if np.isnan(X).any():
        bad = [items[j] for j in np.flatnonzero(np.isnan(X).any(axis=0))]
        raise EstimationError(
            f"incomplete data passed to the SEM backend (missing values in {', '.join(bad)}); "
            "apply a missing-data policy first (acsi.fit does listwise deletion)"
        )
    n = X.shape[0]
    if n < 2:
        raise EstimationError(f"cannot fit a model to {n} respondent(s)")
    Xc = X - X.mean(axis=0)
    S = Xc.T @ Xc / n
    _check_sample_cov(S, items)

    model = semopy.Model(spec.to_lavaan())
    for p in model.parameters.values():
        p.bound = (None, None)
    cap = _Capture()
    root = logging.getLogger()
    root.addHandler(cap)
    try:
        frame = pd.DataFrame(X, columns=items)
        res = model.fit(frame, obj="MLW", solver="SLSQP", options={"ftol": ftol, "maxiter": maxiter})
        converged = bool(res.success) and np.all(np.isfinite(res.x))
        obs = list(model.vars["observed"])
        order = [items.index(o) for o in obs]
        S_obs = S[np.ix_(order, order)]
        sigma, _ = model.calc_sigma()
        se_cells = _standard_errors(model, cap.records)
    finally:
        root.removeHandler(cap)
    messages = [str(res.message)] if not res.success else []
    messages += cap.records

    lam_rows, lam_cols = model.names_lambda
    Lam = pd.DataFrame(model.mx_lambda, index=lam_rows, columns=lam_cols)
    beta_names = model.names_beta[0]
    B = model.mx_beta
    Psi = model.mx_psi
    Theta = pd.DataFrame(model.mx_theta, index=model.names_theta[0], columns=model.names_theta[1])
    C = np.linalg.inv(np.eye(B.shape[0]) - B)
    lat_cov = pd.DataFrame(C @ Psi @ C.T, index=beta_names, columns=beta_names)
    implied = pd.DataFrame(sigma, index=obs, columns=obs)
    latents = list(spec.latent_ids)

    estimates = _estimate_table(se_cells, model, spec, Lam, pd.DataFrame(Psi, index=beta_names, columns=beta_names), Theta, lat_cov, implied, level)
    npar = int(sum(1 for p in model.parameters.values() if p.active))
    fm = fit_measures(S_obs, sigma, n, npar)

    problems = []
    theta_d = pd.Series(np.diag(Theta.values), index=Theta.index)
    for it, v in theta_d.items():
        if v < 0:
            problems.append(f"negative residual variance of item {it} ({v:.4g})")
    psi_d = pd.Series(np.diag(Psi), index=beta_names)
    for lv, v in psi_d.items():
        if v < 0:
            problems.append(f"negative (residual) variance of latent {lv} ({v:.4g})")
    lc = lat_cov.loc[latents, latents].to_numpy()
    if np.linalg.eigvalsh(lc).min() <= 0:
        problems.append("the covariance matrix of the latent variables is not positive definite")
    if not np.isfinite(estimates.loc[estimates["free"], "se"]).all():
        messages.append("some standard errors could not be computed (information matrix not invertible)")

    return SEMResult(
        estimates=estimates,
        fit_measures=fm,
        loadings=Lam.loc[items, latents],
        residual_variances=theta_d.loc[items],
        latent_cov=lat_cov.loc[latents, latents],
        sample_cov=pd.DataFrame(S, index=items, columns=items),
        implied_cov=implied.loc[items, items],
        n=n,
        converged=converged,
        admissible=not problems,
        problems=tuple(problems),
        messages=tuple(messages),
        n_iter=int(res.n_it) if np.isfinite(res.n_it) else 0,
        objective=float(res.fun),
    )


def _standard_errors(model, messages: list[str]) -> dict[tuple[str, str, str], float]:
    """Standard errors from the expected information (lavaan's default), by matrix cell.

    ``se = sqrt(diag(I⁻¹))`` with ``I = N/2 · tr(Σ⁻¹ ∂Σ/∂θ_i Σ⁻¹ ∂Σ/∂θ_k)``; the
    result maps ``(matrix, row name, column name)`` to the SE of the free
    parameter found there (semopy's parameter order is its active parameters).
    """
    try:
        _, fim_inv = model.calc_fim(inverse=True)
        se_vec = np.sqrt(np.clip(np.diag(fim_inv), 0, None))
    except Exception as exc:  # singular information matrix
        messages.append(f"standard errors unavailable: {exc}")
        return {}
    mats = {
        id(model.mx_lambda): ("lambda", model.names_lambda),
        id(model.mx_beta): ("beta", model.names_beta),
        id(model.mx_psi): ("psi", model.names_psi),
        id(model.mx_theta): ("theta", model.names_theta),
    }
    out: dict[tuple[str, str, str], float] = {}
    active = [p for p in model.parameters.values() if p.active]
    for k, p in enumerate(active):
        for loc in p.locations:
            kind, (rows, cols) = mats.get(id(loc.matrix), (None, (None, None)))
            if kind is None:
                continue
            i, j = loc.indices
            out[(kind, rows[i], cols[j])] = float(se_vec[k])
            if kind in ("psi", "theta"):
                out[(kind, rows[j], cols[i])] = float(se_vec[k])
    return out


class _Named:
    """A matrix read by row and column names (pandas .loc is too slow per cell here)."""

    __slots__ = ("a", "r", "c")

    def __init__(self, a, rows, cols):
        self.a = np.asarray(a)
        self.r = {k: i for i, k in enumerate(rows)}
        self.c = {k: i for i, k in enumerate(cols)}

    @classmethod
    def of(cls, df: pd.DataFrame) -> "_Named":
        return cls(df.to_numpy(), df.index, df.columns)

    def __getitem__(self, key) -> float:
        return float(self.a[self.r[key[0]], self.c[key[1]]])


def _estimate_table(se_cells, model, spec, Lam, Psi, Theta, lat_cov, implied, level) -> pd.DataFrame:
    """lavaan-ordered parameter table with standardized (std.all) values.

    Estimates are read from the fitted matrices, standard errors from
    :func:`_standard_errors`.  std.all follows lavaan with ``cov.std = TRUE``:
    loadings λ·sd(η)/sd(y); regressions β·sd(η_from)/sd(η_to); variances divided
    by the total (model-implied) variance; residual covariances divided by the
    square roots of the residual variances.
    """
    latents = set(spec.latent_ids)
    B = _Named(model.mx_beta, model.names_beta[0], model.names_beta[1])
    Lam, Psi, Theta = _Named.of(Lam), _Named.of(Psi), _Named.of(Theta)
    sd_obs = dict(zip(implied.index, np.sqrt(np.diag(implied.to_numpy()))))
    lat_var = dict(zip(lat_cov.index, np.diag(lat_cov.to_numpy())))
    sd_lat = {k: float(np.sqrt(max(v, 0.0))) for k, v in lat_var.items()}

    rows = []
    se = lambda kind, a, b: se_cells.get((kind, a, b), np.nan)
    for lv in spec.latents:
        for k, it in enumerate(lv.item_ids):
            est = float(Lam[it, lv.id])
            free = k > 0
            rows.append((lv.id, "=~", it, est, se("lambda", it, lv.id) if free else np.nan, free,
                         est * sd_lat[lv.id] / sd_obs[it]))
    for lv in spec.latent_ids:
        for pred in spec.predecessors(lv):
            est = float(B[lv, pred])
            rows.append((lv, "~", pred, est, se("beta", lv, pred), True, est * sd_lat[pred] / sd_lat[lv]))
    for a, b in spec.covariances:
        if a in latents:
            est = float(Psi[a, b])
            std = est / np.sqrt(Psi[a, a] * Psi[b, b])
            rows.append((a, "~~", b, est, se("psi", a, b), True, std))
        else:
            est = float(Theta[a, b])
            std = est / np.sqrt(Theta[a, a] * Theta[b, b])
            rows.append((a, "~~", b, est, se("theta", a, b), True, std))
    single = {lv.items[0].id for lv in spec.latents if len(lv.items) == 1}
    for it in spec.item_ids:
        if it in single:
            rows.append((it, "~~", it, 0.0, np.nan, False, 0.0))
            continue
        est = float(Theta[it, it])
        rows.append((it, "~~", it, est, se("theta", it, it), True, est / sd_obs[it] ** 2))
    exo = spec.exogenous
    for lv in spec.latent_ids:
        est = float(Psi[lv, lv])
        rows.append((lv, "~~", lv, est, se("psi", lv, lv), True, est / lat_var[lv]))
    for i, a in enumerate(exo):
        for b in exo[i + 1:]:
            est = float(Psi[a, b])
            rows.append((a, "~~", b, est, se("psi", a, b), True, est / (sd_lat[a] * sd_lat[b])))

    df = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est", "se", "free", "std_all"])
    z = df["est"] / df["se"]
    q = stats.norm.ppf(1 - (1 - level) / 2)
    df["z"] = z
    df["pvalue"] = 2 * stats.norm.sf(np.abs(z))
    df["ci_lower"] = np.where(df["free"], df["est"] - q * df["se"], df["est"])
    df["ci_upper"] = np.where(df["free"], df["est"] + q * df["se"], df["est"])
    return df[ESTIMATE_COLUMNS + ["free"]]
