"""acsi's ML engine, front door: a parameter table in, an :class:`~acsi.estimate.SEMResult` out.

* :func:`compile` turns a :class:`acsi.spec.ParTable` into the :class:`~.mlfast.RamModel` the
  batched Newton engine fits (every group, the equality constraints as ``θ = K x + k0``, the
  nonlinear constraints and the ``:=`` definitions);
* :func:`fit_ml` fits it to a DataFrame (complete data, or ``missing="ml"`` for FIML);
* :func:`fit_stats` fits it to sample statistics (:class:`~.samplestats.SampleStats`): a unit's
  moments are all complete-data ML needs;
* :func:`result_from_theta` (:mod:`.mlresult`) assembles the result of any engine from its
  estimate θ̂: the estimate table (:mod:`.table`), lavaan's expected-information standard
  errors (:func:`~.mlfast.parameter_vcov`), the fit measures (:mod:`.fitmeasures`) and the
  admissibility checks.  semopy (:mod:`.sem`) and FIML (:mod:`.fiml`) use it too, so every
  engine reports the same numbers the same way.

Survey weights and robust ML: ``fit_ml(pt, data, weights="w")`` fits the weighted moments
(lavaan's ``sampling.weights``) and, as lavaan does for weighted data, reports Huber-White
standard errors and the Yuan-Bentler scaled test; ``estimator="mlr"`` does the same without
weights and ``"mlm"`` gives Satorra-Bentler's (:mod:`.robust`, applied through
``result_from_theta``'s ``inference``).

Module order (no import cycles): :mod:`.mlresult` (assembly; no engine) <- :mod:`.mlfast`
(the engine, ``fit_stats``, ``fit_sem_fast``) <- :mod:`.robust` <- :mod:`.fiml`, :mod:`.sem`
<- this module.

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
from ..spec import ModelSpec
from .mlfast import RamModel, compile_model, compiled_model, fit_stats, sem_result_from_cov
from .mlresult import group_labels, result_from_theta
from .result import SEMResult
from .robust import resolve_inference
from .samplestats import SampleStats

__all__ = ["DEFAULT_ENGINE", "SEM_ENGINES", "compile", "covariate_positions", "fit_ml", "fit_sem_fast", "fit_stats", "result_from_theta",
           "sem_result_from_cov"]

MISSING = ("listwise", "ml")

#: The covariance-based ML engines: acsi's own (``"mlfast"``: this module and :mod:`.mlfast`)
#: and semopy as an optimiser (:mod:`.sem`).  acsi's engine is the default: it equals lavaan
#: 0.6-14 on every reference case (``tests/estimate/test_ml_reference.py``), fits every table
#: (semopy refuses constraints, ``:=``, groups, means, covariates, observed structural
#: variables) and is faster (``benchmarks/results/fit.csv``).
SEM_ENGINES = ("semopy", "mlfast")
DEFAULT_ENGINE = "mlfast"


def compile(partable) -> RamModel:  # noqa: A001 - the architecture's name: acsi.estimate.ml.compile(pt)
    """Compile a parameter table (or a ``ModelSpec`` with the default identification, cached):
    :func:`acsi.estimate.mlfast.compile_model`."""
    return compile_model(partable)


def covariate_positions(model: RamModel) -> list[np.ndarray]:
    """Per group, the positions (in ``ov``) of the exogenous observed covariates (lavaan's
    ``ov.x``, the table layout's ``ov_x``)."""
    return list(model.ov_x)


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
        stats = SampleStats.from_data(data, ov, group=group, group_labels=group_labels(model) if group else None,
                                      weights=weights, keep_rows=inference.needs_rows)
    elif inference.needs_rows and not stats.has_rows:
        raise InvalidParameterError(f"The 'stats' parameter of fit_ml must keep the respondents' rows for "
                                    f"estimator={estimator!r}{' with weights' if weighted else ''} (casewise scores). "
                                    "Got moments only instead; use SampleStats.from_data(..., keep_rows=True).")
    return fit_stats(model, stats, level=level, start=start, xtol=xtol, maxiter=maxiter, inference=inference)


def fit_sem_fast(data: pd.DataFrame, spec: ModelSpec, *, level: float = 0.95, start: np.ndarray | None = None,
                 xtol: float = 1e-10, maxiter: int = 200, model: RamModel | None = None, estimator: str = "ml",
                 weights=None, se: str | None = None) -> SEMResult:
    """:func:`acsi.estimate.mlfast.fit_sem_fast` (acsi's engine on ``spec``'s default table, the
    drop-in for :func:`acsi.estimate.sem.fit_sem`) with the ML variant, survey weights and
    ``se`` of :func:`fit_ml`: ``fit_ml(model or compiled_model(spec), data, ...)``."""
    return fit_ml(model or compiled_model(spec), data, level=level, start=start, xtol=xtol, maxiter=maxiter,
                  estimator=estimator, weights=weights, se=se)
