"""acsi's ML engine, front door: a parameter table in, an :class:`~acsi.estimate.SEMResult` out.

* :func:`compile` turns a :class:`acsi.spec.ParTable` into the :class:`~.mlfast.RamModel` the
  batched Newton engine fits (every group, the equality constraints as ``θ = K x + k0``, the
  nonlinear constraints and the ``:=`` definitions);
* :func:`fit_ml` fits it to a DataFrame (complete data, or ``missing="ml"`` for FIML);
* :func:`fit_stats` fits it to sample statistics (:class:`~.samplestats.SampleStats`): a unit's
  moments are all complete-data ML needs;
* :func:`result_from_theta` assembles the result of any engine from its estimate θ̂: the
  estimate table (:mod:`.table`), lavaan's expected-information standard errors
  (:func:`~.mlfast.parameter_vcov`) or the robust ones and the scaled test of
  :mod:`.robust`, the fit measures (:mod:`.fitmeasures`) and the admissibility checks.
  semopy (:mod:`.sem`) and FIML (:mod:`.fiml`) use it too, so every engine reports the same
  numbers the same way.

Survey weights and robust ML: ``fit_ml(pt, data, weights="w")`` fits the weighted moments
(lavaan's ``sampling.weights``) and, as lavaan does for weighted data, reports Huber-White
standard errors and the Yuan-Bentler scaled test; ``estimator="mlr"`` does the same without
weights and ``"mlm"`` gives Satorra-Bentler's (:func:`acsi.estimate.robust.resolve_inference`).

Equivalent R: ``fit <- lavaan::sem(model, data, ...)``; ``parameterEstimates(fit,
standardized = TRUE, rsquare = TRUE)``; ``fitMeasures(fit)``; ``lavInspect(fit, "vcov")``.

Example
-------
>>> import acsi                                                                # doctest: +SKIP
>>> pt = acsi.load_model("acsi").partable()                                    # doctest: +SKIP
>>> res = fit_ml(pt, survey)                                                   # doctest: +SKIP
>>> res.estimates.query("op == '~'")[["lhs", "rhs", "est", "se", "std_all"]]   # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import EstimationError, InvalidParameterError
from .fitmeasures import fit_measures, scaled_measures
from ..spec import ModelSpec
from .mlfast import (
    RamModel,
    compiled_model,
    _simple_start,
    fit_covariances,
    implied_moments,
    parameter_vcov,
    start_values,
)
from .result import SEMResult
from .robust import Inference, resolve_inference, robust_inference
from .samplestats import SampleStats
from .table import admissibility_problems, estimate_table

__all__ = ["compile", "covariate_positions", "fit_ml", "fit_stats", "result_from_theta"]

MISSING = ("listwise", "ml")


def compile(partable) -> RamModel:  # noqa: A001 - the architecture's name: acsi.estimate.ml.compile(pt)
    """Compile a parameter table (or a ``ModelSpec`` with the default identification, cached)."""
    if isinstance(partable, RamModel):
        return partable
    if isinstance(partable, ModelSpec):
        return compiled_model(partable)
    return RamModel(partable)


def covariate_positions(model: RamModel) -> list[np.ndarray]:
    """Per group, the positions (in ``ov``) of the exogenous observed covariates (lavaan's
    ``ov.x``, the table layout's ``ov_x``)."""
    return list(model.ov_x)


def _group_labels(model: RamModel):
    return list(model.group_labels) if model.group_labels else None


def fit_ml(partable, data: pd.DataFrame | None = None, *, stats: SampleStats | None = None, group: str | None = None,
           missing: str = "listwise", level: float = 0.95, start=None, xtol: float = 1e-10, maxiter: int = 200,
           estimator: str = "ml", weights=None, se: str | None = None) -> SEMResult:
    """Fit a parameter table by maximum likelihood (lavaan's ``sem()`` with estimator ML).

    Parameters
    ----------
    partable : ParTable, ModelSpec or RamModel
        The model (a ``ModelSpec`` is compiled with the default identification rules).
    data : DataFrame, optional
        One column per observed variable of the model (and ``group``).
    stats : SampleStats, optional
        Sample statistics instead of ``data`` (complete-data ML).
    group : str, optional
        Column of ``data`` holding the group of each row (multigroup models).
    missing : {"listwise", "ml"}
        ``"listwise"``: complete data (refused otherwise); ``"ml"``: full-information ML on
        incomplete rows (:func:`acsi.estimate.fiml.fit_fiml`, lavaan's ``missing = "ml"``).
    level : float
        Level of the Wald intervals.
    start : ndarray, optional
        Start values θ in ``free`` order.
    estimator : {"ml", "mlr", "mlm"}
        ``"ml"``: normal-theory standard errors and test (robust ones with survey weights, as
        lavaan); ``"mlr"``: Huber-White standard errors and the Yuan-Bentler scaled test;
        ``"mlm"``: Satorra-Bentler's (complete, unweighted data).  Estimates are ML's for all
        three (:mod:`acsi.estimate.robust`).
    weights : str or array, optional
        Survey weights (a column of ``data`` or one value per row; lavaan's
        ``sampling.weights``): the model is fitted to the weighted moments.
    se : {None, "standard", "robust"}
        Override the estimator's standard errors (``"standard"`` keeps normal-theory SEs with
        weights or MLR; the scaled test is still reported, as lavaan does).

    Returns
    -------
    SEMResult
        ``extra["inference"]`` is the resolved :class:`~acsi.estimate.robust.Inference`.

    Raises
    ------
    InvalidParameterError
        A bad ``missing``/``level``/``estimator``/``se``, neither/both of ``data`` and
        ``stats``, MLM with weights or missing data.
    EstimationError
        Data that do not fit the model (missing columns, constant variables, bad weights, ...).
    """
    if missing not in MISSING:
        raise InvalidParameterError(f"The 'missing' parameter of fit_ml must be one of {list(MISSING)}. Got {missing!r} instead.")
    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise InvalidParameterError(f"The 'level' parameter of fit_ml must be a number in (0, 1). Got {level!r} instead.")
    if (data is None) == (stats is None):
        raise InvalidParameterError("The 'data' and 'stats' parameters of fit_ml are exclusive and one is required. "
                                    f"Got data={type(data).__name__}, stats={type(stats).__name__} instead.")
    if stats is not None and weights is not None:
        raise InvalidParameterError("The 'weights' parameter of fit_ml must be None with sample statistics (build "
                                    "them weighted: SampleStats.from_data(..., weights=...)). Got weights instead.")
    weighted = weights is not None or (stats is not None and stats.weighted)
    inference = resolve_inference(estimator, weighted=weighted, missing=missing, se=se)
    if missing == "ml" and isinstance(partable, ModelSpec):
        model = compiled_model(partable, meanstructure=True)
    else:
        model = compile(partable)
    if missing == "ml":
        if data is None:
            raise InvalidParameterError("The 'data' parameter of fit_ml must be the raw rows with missing='ml' "
                                        "(FIML needs the missing-data patterns). Got sample statistics instead.")
        from .fiml import fit_fiml

        return fit_fiml(model, data, group=group, level=level, weights=weights, inference=inference)
    if stats is None:
        ov = [gm.ov for gm in model.groups]
        if len(model.groups) > 1 and group is None:
            raise EstimationError(f"the model has {len(model.groups)} groups: name the data's group column (group=...)")
        stats = SampleStats.from_data(data, ov, group=group, group_labels=_group_labels(model) if group else None,
                                      weights=weights, keep_rows=inference.needs_rows)
    elif inference.needs_rows and not stats.has_rows:
        raise InvalidParameterError(f"The 'stats' parameter of fit_ml must keep the respondents' rows for "
                                    f"estimator={estimator!r}{' with weights' if weighted else ''} (casewise scores). "
                                    "Got moments only instead; use SampleStats.from_data(..., keep_rows=True).")
    return fit_stats(model, stats, level=level, start=start, xtol=xtol, maxiter=maxiter, inference=inference)


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
