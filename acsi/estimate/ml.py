"""acsi's ML engine, front door: a parameter table in, an :class:`~acsi.estimate.SEMResult` out.

* :func:`compile` turns a :class:`acsi.spec.ParTable` into the :class:`~.mlfast.RamModel` the
  batched Newton engine fits (every group, the equality constraints as ``θ = K x + k0``, the
  nonlinear constraints and the ``:=`` definitions);
* :func:`fit_ml` fits it to a DataFrame (complete data, or ``missing="ml"`` for FIML);
* :func:`fit_stats` fits it to sample statistics (:class:`~.samplestats.SampleStats`): a unit's
  moments are all complete-data ML needs; :func:`result_from_theta` assembles the result of
  any engine from its estimate θ̂ (both in :mod:`.assemble`, re-exported here);
* :func:`fit_sem_fast` (a data frame and a ``ModelSpec``, the drop-in for
  :func:`acsi.estimate.sem.fit_sem`) and :func:`sem_result_from_cov` (a covariance matrix).

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
from ..spec import ModelSpec
from .assemble import _group_labels, covariate_positions, fit_stats, result_from_theta
from .mlfast import RamModel, compiled_model
from .result import SEMResult
from .robust import resolve_inference
from .samplestats import SampleStats

__all__ = ["compile", "covariate_positions", "fit_ml", "fit_sem_fast", "fit_stats", "result_from_theta",
           "sem_result_from_cov"]

MISSING = ("listwise", "ml")


def compile(partable) -> RamModel:  # noqa: A001 - the architecture's name: acsi.estimate.ml.compile(pt)
    """Compile a parameter table (or a ``ModelSpec`` with the default identification, cached)."""
    if isinstance(partable, RamModel):
        return partable
    if isinstance(partable, ModelSpec):
        return compiled_model(partable)
    return RamModel(partable)


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


# ============================================================================ fit_sem replacement
def fit_sem_fast(
    data: pd.DataFrame,
    spec: ModelSpec,
    *,
    level: float = 0.95,
    start: np.ndarray | None = None,
    xtol: float = 1e-10,
    maxiter: int = 200,
    model: RamModel | None = None,
    estimator: str = "ml",
    weights=None,
    se: str | None = None,
):
    """Drop-in for :func:`acsi.estimate.sem.fit_sem` using acsi's own engine.

    Returns the same :class:`~acsi.estimate.SEMResult` (estimate table with lavaan's
    columns and expected-information standard errors ``sqrt(diag((2/N) H⁻¹))``, fit measures
    from :func:`acsi.estimate.fitmeasures.fit_measures`, loadings, residual variances, latent
    covariance, admissibility checks with the same messages), without semopy.  The model is
    ``spec``'s default parameter table (:func:`acsi.estimate.ml.fit_ml` takes any table).

    Parameters
    ----------
    data : DataFrame
        Complete item data, one column per item of ``spec``.
    spec : ModelSpec
    level : float
        Level of the Wald intervals.
    start : ndarray, optional
        Start values in ``RamModel(spec).labels`` order (default :func:`start_values`).
    model : RamModel, optional
        A compiled model to reuse across calls.
    estimator, weights, se
        As :func:`fit_ml`: ``"ml"``, ``"mlr"`` or ``"mlm"``; survey weights (a column of
        ``data`` or one value per row); ``se="standard"`` keeps normal-theory SEs.

    Raises
    ------
    EstimationError
        Missing items, incomplete data, fewer than 2 rows, a constant item, or a
        non-positive-definite sample covariance (same checks and messages as ``fit_sem``).

    Examples
    --------
    >>> res = fit_sem_fast(survey_of_one_company, acsi.load_model("acsi"))   # doctest: +SKIP
    >>> res.estimates.query("op == '~'")[["lhs", "rhs", "est", "se"]]          # doctest: +SKIP
    """
    return fit_ml(model or compiled_model(spec), data, level=level, start=start, xtol=xtol, maxiter=maxiter,
                  estimator=estimator, weights=weights, se=se)


def sem_result_from_cov(model: RamModel, S: np.ndarray, n: int, *, level: float = 0.95, start=None,
                        xtol: float = 1e-10, maxiter: int = 200, mean: np.ndarray | None = None):
    """:class:`~acsi.estimate.SEMResult` from a sample covariance (denominator N) and N.

    The sufficient statistics of ML: a unit's fit needs only ``S`` and ``n`` (and the mean
    with a mean structure), so very large surveys can be fitted from per-unit moments without
    holding the rows.
    """
    stats = SampleStats.from_moments(S, n, mean, ov=model.groups[0].ov)
    return fit_stats(model, stats, level=level, start=start, xtol=xtol, maxiter=maxiter)
