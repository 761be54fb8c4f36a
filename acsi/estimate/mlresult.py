"""The result of an ML fit assembled from its estimate θ̂, for every engine.

acsi's own engine (:func:`acsi.estimate.mlfast.fit_stats`), semopy (:mod:`.sem`) and FIML
(:mod:`.fiml`) each produce θ̂; :func:`result_from_theta` turns it into an
:class:`~acsi.estimate.result.SEMResult`: the estimate table (:mod:`.table`), lavaan's
standard errors (``RamModel.vcov``: expected information, lavaan's augmented information with
constraints), the fit measures (:mod:`.fitmeasures`) and the admissibility checks, so every
engine reports the same numbers the same way.  It works on the compiled model's own methods
and imports none of the engines.  Robust inference (survey weights, MLR, MLM) comes in as an
``inference`` object (:class:`acsi.estimate.robust.Inference`, made by the caller) whose
``apply`` returns the sandwich covariance and the fit measures with the scaled test.

Equivalent R: ``parameterEstimates(fit, standardized = TRUE, rsquare = TRUE)``,
``fitMeasures(fit)``, ``lavInspect(fit, "vcov")``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import EstimationError
from ..frames import labels as labels_of, table
from .fitmeasures import fit_measures
from .result import GroupTables, SEMResult
from .samplestats import SampleStats
from .table import admissibility_problems, estimate_columns

__all__ = ["group_labels", "result_from_theta"]


def group_labels(model):
    """The table's group labels, or None for a single-group table without them."""
    return list(model.group_labels) if model.group_labels else None


def result_from_theta(model: RamModel, stats: SampleStats, theta: np.ndarray, *, info: np.ndarray | None,
                      converged: bool, messages=(), n_iter: int = 0, objective: float = np.nan, level: float = 0.95,
                      engine: str = "mlfast", vcov: np.ndarray | None = None, fit: pd.Series | None = None,
                      extra: dict | None = None, inference=None) -> SEMResult:
    """Assemble an :class:`SEMResult` from an estimate θ̂ (see the module docstring).

    ``info`` is the expected information of F over θ at θ̂ (standard errors from
    :func:`~.mlfast.parameter_vcov`), or pass ``vcov`` directly (FIML's observed
    information); ``fit`` replaces the complete-data fit measures (FIML's).  ``inference``
    (:func:`acsi.estimate.robust.resolve_inference`; required for survey-weighted statistics)
    adds robust standard errors and the scaled test to a complete-data fit; it is recorded in
    ``extra["inference"]``.
    """
    messages = list(messages)
    theta = np.asarray(theta, dtype=float)
    N = stats.ntotal
    if inference is None and stats.weighted:
        raise EstimationError("survey-weighted sample statistics need lavaan's inference for weighted data: fit "
                              "through acsi.estimate.ml.fit_ml(..., weights=...) or pass inference="
                              "acsi.estimate.robust.resolve_inference(weighted=True)")
    exo = [gm.exo_values(st.cov[None], st.mean[None]) for gm, st in zip(model.groups, stats.groups)]
    imp = model.implied_moments(theta, stats)
    robust_failed = False
    if fit is None:
        fit = _fit_measures(model, stats, theta, objective, imp)
        if inference is not None and inference.needs_rows and converged:
            rob_vcov, fit, failure = inference.apply(model, stats, theta, fit)
            if failure:
                messages.append(failure)
                robust_failed = inference.robust_se
            if rob_vcov is not None and vcov is None:
                vcov = rob_vcov
    if vcov is None and info is not None and not robust_failed and not (inference is not None and inference.robust_se):
        try:
            vcov = model.vcov(info, N, theta)
        except np.linalg.LinAlgError:
            messages.append("standard errors unavailable: singular information matrix")
    columns = estimate_columns(model, theta, vcov, exo, level=level)
    if vcov is not None and not np.isfinite(columns["se"][columns["free"]]).all():
        messages.append("some standard errors could not be computed (information matrix not invertible)")
    estimates = table(columns)
    mats = [tuple(a[0] for a in model.matrices_of(theta[None], g, exo[g])) for g in range(len(model.groups))]
    labels = stats.labels
    problems = admissibility_problems(model, mats, labels if len(labels) > 1 else None)
    groups = []
    for g, gm in enumerate(model.groups):  # the frames made when first read (GroupTables)
        L, B, P, T = mats[g][:4]
        st = stats.groups[g]
        arrays = {"L": L, "theta": T, "B": B, "P": P, "S": st.cov, "Sigma": imp[g][0],
                  "mean": st.mean if model.meanstructure else None, "mu": imp[g][1] if model.meanstructure else None}
        # the model's names, built once (acsi.frames); each axis gets its own view
        groups.append(GroupTables(labels[g] if g < len(labels) else g + 1, arrays, labels_of(gm.ov), labels_of(gm.lv),
                                  tuple(gm.ov)))
    names = model.plan.get("vcov_names")  # built once per compiled model
    if names is None:
        names = model.plan["vcov_names"] = labels_of(
            f"{a}{o}{b}" + (f".g{g}" if len(model.groups) > 1 else "")
            for (a, o, b), g in zip(model.labels, model.param_group))
    return SEMResult(
        estimates=estimates,
        fit_measures=fit,
        n=int(N),
        converged=bool(converged),
        admissible=not problems,
        problems=tuple(problems),
        messages=tuple(messages),
        n_iter=int(n_iter),
        objective=float(objective),
        extra={"engine": engine, "theta": theta, "labels": list(model.labels), "inference": inference,
               **(extra or {})},
        vcov_matrix=vcov,
        vcov_names=names.view(),  # its own view of the shared labels
        groups=tuple(groups),
    )


def _fit_measures(model, stats: SampleStats, theta: np.ndarray, objective: float, imp) -> pd.Series:
    """The complete-data fit measures at θ̂ (:func:`~.fitmeasures.fit_measures`)."""
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
        x=list(model.ov_x), fixed_x=model.fixed_x,
        eq_rank=model.equality_rank(theta),
    )
