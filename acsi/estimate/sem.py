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

from ..spec import ModelSpec
from .fitmeasures import fit_measures
from .table import ESTIMATE_COLUMNS, admissibility_problems, item_moments, latent_covariance, parameter_table

__all__ = ["ESTIMATE_COLUMNS", "SEMResult", "fit_sem", "semopy_version"]

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
    X, S = item_moments(data, items)
    n = X.shape[0]

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

    latents = list(spec.latent_ids)
    # semopy's matrices, reordered to the spec's item and latent order
    L = _reorder(model.mx_lambda, model.names_lambda, items, latents)
    B = _reorder(model.mx_beta, model.names_beta, latents, latents)
    P = _reorder(model.mx_psi, model.names_psi, latents, latents)
    T = _reorder(model.mx_theta, model.names_theta, items, items)
    A = latent_covariance(B, P)
    estimates = parameter_table(spec, L, B, P, T, se_cells, level=level)
    npar = int(sum(1 for p in model.parameters.values() if p.active))
    fm = fit_measures(S_obs, sigma, n, npar)
    problems = admissibility_problems(spec, T, P, A)
    if not np.isfinite(estimates.loc[estimates["free"], "se"]).all():
        messages.append("some standard errors could not be computed (information matrix not invertible)")
    implied = pd.DataFrame(sigma, index=obs, columns=obs)

    return SEMResult(
        estimates=estimates,
        fit_measures=fm,
        loadings=pd.DataFrame(L, index=items, columns=latents),
        residual_variances=pd.Series(np.diag(T), index=items),
        latent_cov=pd.DataFrame(A, index=latents, columns=latents),
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


def _reorder(mx: np.ndarray, names, rows: list[str], cols: list[str]) -> np.ndarray:
    r = {k: i for i, k in enumerate(names[0])}
    c = {k: i for i, k in enumerate(names[1])}
    return np.asarray(mx)[np.ix_([r[x] for x in rows], [c[x] for x in cols])]


def _standard_errors(model, messages: list[str]) -> dict[tuple[str, str, str], float]:
    """Standard errors from the expected information (lavaan's default), by parameter label.

    ``se = sqrt(diag(I⁻¹))`` with ``I = N/2 · tr(Σ⁻¹ ∂Σ/∂θ_i Σ⁻¹ ∂Σ/∂θ_k)``; semopy's
    parameter order is its active parameters, and each parameter's matrix cell gives
    its lavaan label ``(lhs, op, rhs)``.
    """
    try:
        _, fim_inv = model.calc_fim(inverse=True)
        se_vec = np.sqrt(np.clip(np.diag(fim_inv), 0, None))
    except Exception as exc:  # singular information matrix
        messages.append(f"standard errors unavailable: {exc}")
        return {}
    label = {
        id(model.mx_lambda): (model.names_lambda, lambda a, b: (b, "=~", a)),
        id(model.mx_beta): (model.names_beta, lambda a, b: (a, "~", b)),
        id(model.mx_psi): (model.names_psi, lambda a, b: (a, "~~", b)),
        id(model.mx_theta): (model.names_theta, lambda a, b: (a, "~~", b)),
    }
    out: dict[tuple[str, str, str], float] = {}
    active = [p for p in model.parameters.values() if p.active]
    for k, p in enumerate(active):
        for loc in p.locations:
            if id(loc.matrix) not in label:
                continue
            (rows, cols), make = label[id(loc.matrix)]
            i, j = loc.indices
            out[make(rows[i], cols[j])] = float(se_vec[k])
    return out
