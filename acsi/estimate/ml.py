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

Module order (no import cycles): :mod:`.mlresult` (assembly; no engine) <- :mod:`.mlfast`
(the engine, ``fit_stats``, ``fit_sem_fast``) <- :mod:`.fiml`, :mod:`.sem` <- this module.

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
from .mlfast import RamModel, compile_model, compiled_model, fit_sem_fast, fit_stats, sem_result_from_cov
from .mlresult import group_labels, result_from_theta
from .result import SEMResult
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
           missing: str = "listwise", level: float = 0.95, start=None, xtol: float = 1e-10, maxiter: int = 200) -> SEMResult:
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

    Returns
    -------
    SEMResult

    Raises
    ------
    InvalidParameterError
        A bad ``missing``/``level`` or neither/both of ``data`` and ``stats``.
    EstimationError
        Data that do not fit the model (missing columns, constant variables, ...).
    """
    if missing not in MISSING:
        raise InvalidParameterError(f"The 'missing' parameter of fit_ml must be one of {list(MISSING)}. Got {missing!r} instead.")
    if not (isinstance(level, (int, float)) and 0 < level < 1):
        raise InvalidParameterError(f"The 'level' parameter of fit_ml must be a number in (0, 1). Got {level!r} instead.")
    if (data is None) == (stats is None):
        raise InvalidParameterError("The 'data' and 'stats' parameters of fit_ml are exclusive and one is required. "
                                    f"Got data={type(data).__name__}, stats={type(stats).__name__} instead.")
    if missing == "ml" and isinstance(partable, ModelSpec):
        model = compiled_model(partable, meanstructure=True)
    else:
        model = compile(partable)
    if missing == "ml":
        if data is None:
            raise InvalidParameterError("The 'data' parameter of fit_ml must be the raw rows with missing='ml' "
                                        "(FIML needs the missing-data patterns). Got sample statistics instead.")
        from .fiml import fit_fiml

        return fit_fiml(model, data, group=group, level=level)
    if stats is None:
        ov = [gm.ov for gm in model.groups]
        if len(model.groups) > 1 and group is None:
            raise EstimationError(f"the model has {len(model.groups)} groups: name the data's group column (group=...)")
        stats = SampleStats.from_data(data, ov, group=group, group_labels=group_labels(model) if group else None)
    return fit_stats(model, stats, level=level, start=start, xtol=xtol, maxiter=maxiter)
