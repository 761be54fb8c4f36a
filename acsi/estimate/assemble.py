"""Assembling an ML result: fitting a compiled model to sample statistics and building the
:class:`~acsi.estimate.SEMResult` of any engine from its estimate θ̂.

* :func:`fit_stats` fits a compiled model to sample statistics
  (:class:`~.samplestats.SampleStats`): a unit's moments are all complete-data ML needs;
* :func:`result_from_theta` assembles the result of any engine from its estimate θ̂: the
  estimate table (:mod:`.table`), lavaan's expected-information standard errors
  (:func:`~.mlfast.parameter_vcov`) or the robust ones and the scaled test of
  :mod:`.robust`, the fit measures (:mod:`.fitmeasures`) and the admissibility checks.
  acsi's engine (:mod:`.ml`), semopy (:mod:`.sem`) and FIML (:mod:`.fiml`) use it, so every
  engine reports the same numbers the same way.

This module sits below :mod:`.ml` (the front door, which dispatches to FIML) and :mod:`.fiml`
so that neither imports the other (no import cycle in the estimation layer).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import EstimationError
from .fitmeasures import fit_measures, scaled_measures
from .mlfast import RamModel, _simple_start, fit_covariances, implied_moments, parameter_vcov, start_values
from .result import SEMResult
from .robust import Inference, resolve_inference, robust_inference
from .samplestats import SampleStats
from .table import admissibility_problems, estimate_table

__all__ = ["covariate_positions", "fit_stats", "result_from_theta"]


def covariate_positions(model: RamModel) -> list[np.ndarray]:
    """Per group, the positions (in ``ov``) of the exogenous observed covariates (lavaan's
    ``ov.x``, the table layout's ``ov_x``)."""
    return list(model.ov_x)


def _group_labels(model: RamModel):
    return list(model.group_labels) if model.group_labels else None


def fit_stats(model: RamModel, stats: SampleStats, *, level: float = 0.95, start=None, xtol: float = 1e-10,
              maxiter: int = 200, inference: Inference | None = None) -> SEMResult:
    """Fit ``model`` to sample statistics (the sufficient statistics of complete-data ML).

    A cold start comes from :func:`~.mlfast.start_values`; if that does not converge, a second
    one from a cruder, very stable start.  ``inference`` (default: lavaan's for the statistics,
    robust when they are weighted) decides the standard errors and the test.
    """
    if len(stats.groups) != len(model.groups):
        raise EstimationError(f"the model has {len(model.groups)} groups, the sample statistics {len(stats.groups)}")
    S = [g.cov for g in stats.groups]
    means = [g.mean for g in stats.groups] if model.meanstructure else None
    w = stats.weights
    kw = dict(means=None if means is None else [m[None] for m in means], weights=w, xtol=xtol, maxiter=maxiter,
              keep_information=True, final_gradient=True)
    th0 = start_values(model, S, means) if start is None else np.asarray(start, dtype=float)
    bf = fit_covariances(model, [s[None] for s in S], th0, **kw)
    if not bf.converged[0] and start is None:
        alt = _simple_start(model, S, means)
        bf2 = fit_covariances(model, [s[None] for s in S], alt, **kw)
        if bf2.converged[0] or bf2.fmin[0] < bf.fmin[0]:
            bf = bf2
    converged = bool(bf.converged[0])
    what = "SLSQP" if model.has_nonlinear else "Newton/Fisher scoring"
    messages = [] if converged else [
        f"{what} did not converge in {maxiter} iterations (max |gradient| {bf.grad_max[0]:.3g})"
    ]
    return result_from_theta(model, stats, bf.theta[0], info=bf.info[0] if converged else None, converged=converged,
                             messages=messages, n_iter=int(bf.n_iter[0]), objective=float(bf.fmin[0]), level=level,
                             inference=inference)


def result_from_theta(model: RamModel, stats: SampleStats, theta: np.ndarray, *, info: np.ndarray | None,
                      converged: bool, messages=(), n_iter: int = 0, objective: float = np.nan, level: float = 0.95,
                      engine: str = "mlfast", vcov: np.ndarray | None = None, fit: pd.Series | None = None,
                      extra: dict | None = None, inference: Inference | None = None) -> SEMResult:
    """Assemble an :class:`SEMResult` from an estimate θ̂ (see the module docstring).

    ``info`` is the expected information of F over θ at θ̂ (standard errors from
    :func:`~.mlfast.parameter_vcov`), or pass ``vcov`` directly (FIML's observed
    information); ``fit`` replaces the complete-data fit measures (FIML's).  ``inference``
    (default: normal-theory, or robust for weighted statistics) adds the robust standard errors
    and the scaled test of :func:`acsi.estimate.robust.robust_inference` (complete data; FIML
    passes its own ``vcov`` and ``fit``).
    """
    messages = list(messages)
    theta = np.asarray(theta, dtype=float)
    N = stats.ntotal
    if inference is None:
        inference = resolve_inference("ml", weighted=stats.weighted)
    imp = implied_moments(model, theta, stats)
    rob, robust_failed = None, False
    if fit is None:
        fit = _fit_measures(model, stats, theta, objective, imp)
        if inference.needs_rows and converged:
            try:
                rob = robust_inference(model, theta, stats, inference, df=float(fit["df"]),
                                       baseline_df=float(fit["baseline_df"]))
            except np.linalg.LinAlgError:
                robust_failed = True
                messages.append("robust standard errors and scaled test unavailable: singular information matrix")
            if rob is not None:
                if rob.vcov is not None and vcov is None:
                    vcov = rob.vcov
                if rob.test:
                    fit = _with_scaled(fit, rob.test, len(model.groups))
    if vcov is None and info is not None and not (robust_failed and inference.robust_se):
        try:
            vcov = parameter_vcov(model, info, N, theta)
        except np.linalg.LinAlgError:
            messages.append("standard errors unavailable: singular information matrix")
    exo = [gm.exo_values(st.cov[None], st.mean[None]) for gm, st in zip(model.groups, stats.groups)]
    estimates = estimate_table(model, theta, vcov, exo, level=level)
    if vcov is not None and not np.isfinite(estimates["se"].to_numpy()[estimates["free"].to_numpy()]).all():
        messages.append("some standard errors could not be computed (information matrix not invertible)")
    mats = [tuple(a[0] for a in model.matrices_of(theta[None], g, exo[g])) for g in range(len(model.groups))]
    labels = stats.labels
    problems = admissibility_problems(model, mats, labels if len(labels) > 1 else None)
    groups = []
    for g, gm in enumerate(model.groups):
        L, B, P, T = mats[g][:4]
        C = np.linalg.inv(np.eye(gm.m) - B)
        A = C @ P @ C.T
        st = stats.groups[g]
        groups.append({
            "label": labels[g] if g < len(labels) else g + 1,
            "loadings": pd.DataFrame(L, index=gm.ov, columns=gm.lv),
            "residual_variances": pd.Series(np.diag(T), index=gm.ov),
            "latent_cov": pd.DataFrame(A, index=gm.lv, columns=gm.lv),
            "sample_cov": pd.DataFrame(st.cov, index=gm.ov, columns=gm.ov),
            "implied_cov": pd.DataFrame(imp[g][0], index=gm.ov, columns=gm.ov),
            "sample_mean": pd.Series(st.mean, index=gm.ov) if model.meanstructure else None,
            "implied_mean": pd.Series(imp[g][1], index=gm.ov) if model.meanstructure else None,
        })
    names = [f"{a}{o}{b}" + (f".g{g}" if len(model.groups) > 1 else "")
             for (a, o, b), g in zip(model.labels, model.param_group)]
    first = groups[0]
    return SEMResult(
        estimates=estimates,
        fit_measures=fit,
        loadings=first["loadings"],
        residual_variances=first["residual_variances"],
        latent_cov=first["latent_cov"],
        sample_cov=first["sample_cov"],
        implied_cov=first["implied_cov"],
        n=int(N),
        converged=bool(converged),
        admissible=not problems,
        problems=tuple(problems),
        messages=tuple(messages),
        n_iter=int(n_iter),
        objective=float(objective),
        extra={"engine": engine, "theta": theta, "labels": list(model.labels), "inference": inference,
               **(extra or {})},
        vcov=None if vcov is None else pd.DataFrame(vcov, index=names, columns=names),
        groups=tuple(groups),
    )


def _fit_measures(model: RamModel, stats: SampleStats, theta: np.ndarray, objective: float, imp=None) -> pd.Series:
    """The complete-data fit measures at θ̂ (:func:`~.fitmeasures.fit_measures`)."""
    if imp is None:
        imp = implied_moments(model, theta, stats)
    S = [st.cov for st in stats.groups]
    sig = [s for s, _ in imp]
    # at an exact fit the minimum of F is 0 up to rounding and can come out as -1e-16;
    # Σ then reproduces S to rounding, so the fit measures are those of Σ = S (chisq 0)
    if objective <= 0 and np.isfinite(objective):
        sig = S
    return fit_measures(
        S, sig, [st.n for st in stats.groups], model.npar,
        mean=[st.mean for st in stats.groups] if model.meanstructure else None,
        mu=[m for _, m in imp] if model.meanstructure else None,
        x=covariate_positions(model), fixed_x=model.fixed_x,
        eq_rank=model.equality_rank(theta),
    )


def _with_scaled(fit: pd.Series, test: dict, ngroups: int, robust: tuple | None = None) -> pd.Series:
    """The fit measures with lavaan's scaled and robust ones added (after the standard ones)."""
    extra = scaled_measures(float(fit["chisq"]), float(fit["df"]), float(fit["baseline_chisq"]),
                            float(fit["baseline_df"]), float(fit["ntotal"]), c=test["chisq_scaling_factor"],
                            c_b=test["baseline_chisq_scaling_factor"], ngroups=ngroups, robust=robust)
    for k in ("scaling_factor_h1", "scaling_factor_h0"):
        if k in test:
            extra[k] = test[k]
    return pd.concat([fit, pd.Series(extra, dtype=float)])
