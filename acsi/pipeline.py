"""The per-unit pipeline: estimate, then score, then index, and the status rules.

One unit (a company in a period, or the pooled sample) goes through three stages:

1. **estimate** the model (:mod:`acsi.estimate`: semopy or acsi's own ML engine, FIML for
   incomplete data, or PLS);
2. **score** every respondent on 0-100 with the unit's item weights (:mod:`acsi.score`:
   ``w ∝ λ/θ`` for CB-SEM, Fornell's normalised unstandardised outer weights for PLS);
3. **index**: the survey-weighted mean score per latent with its standard error and
   interval (:func:`acsi.score.unit_index`).

A unit never disappears: whatever goes wrong, :func:`fit_unit` returns a
:class:`UnitOutcome` with a ``status`` (``ok``, ``inadmissible`` or ``failed``) and a
``reason`` the user can read.  The status rules (:func:`unit_status`): ``failed`` when the
headline latent cannot be scored (or the estimation failed), ``inadmissible`` when the
solution has problems (negative variances, non-positive-definite covariances, a latent
whose weights are refused) that leave the headline scorable, ``ok`` otherwise.

PLS results go into the same tables as the SEM engines: ``estimates`` holds the outer
loadings (``=~``), path coefficients (``~``) and R² (``r2`` rows, as lavaan's
``rsquare=TRUE``); PLS has no analytic standard errors (``se``/``z``/``pvalue`` are NaN:
bootstrap them); ``weights`` the normalised unstandardised outer weights (Fornell et al.
1996); ``fit_measures`` R² per endogenous latent, iterations and convergence.

Equivalent R for one unit: ``lavaan::sem(model, data)`` then the 0-100 rescaling of the
factor-score-weighted item means.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import AcsiError, EstimationError
from .estimate.ml import DEFAULT_ENGINE, SEM_ENGINES
from .options import InstanceOf, Integer, OneOf, Real, check, check_keys, invalid
from .score import item_weights, latent_scores, unit_index
from .spec import ModelSpec

__all__ = ["ESTIMATORS", "ESTIMATOR_OPTIONS", "SEM_ENGINES", "UnitOutcome", "check_estimator_options", "fit_unit",
           "unit_status"]

ESTIMATORS = ("sem", "pls")
MISSING_POLICIES = ("listwise", "fiml")

_POSITIVE = (Real(0, None, closed="neither"),)
_ITERATIONS = (Integer(min=1),)

#: The ``options=`` keys each estimator (and SEM engine) honours, with their constraints;
#: anything else is refused, never ignored.
ESTIMATOR_OPTIONS = {
    ("sem", "semopy"): {"engine": (OneOf(*SEM_ENGINES),), "ftol": _POSITIVE, "maxiter": _ITERATIONS},
    ("sem", "mlfast"): {"engine": (OneOf(*SEM_ENGINES),), "xtol": _POSITIVE, "maxiter": _ITERATIONS},
    ("sem", "fiml"): {"gtol": _POSITIVE, "maxiter": _ITERATIONS},
    ("pls", None): {"scheme": (OneOf("centroid", "factorial", "path"),), "tol": _POSITIVE, "max_iter": _ITERATIONS,
                    "modes": (InstanceOf(dict, desc="a dict latent -> 'A' or 'B'"),),
                    "anchors": (InstanceOf(dict, desc="a dict latent -> item"),),
                    "consistent": (InstanceOf(bool, list, tuple, desc="True, False or a list of latents (PLSc)"),)},
}


@dataclass(frozen=True, eq=False)
class UnitOutcome:
    """What one unit's fit produced (plain pandas objects, cheap to pickle); read-only.

    The tables it holds are the record's own: copy them before changing them
    (``FitResult`` tables are copies already).
    """

    key: tuple
    n: int
    status: str = "failed"
    reason: str = ""
    converged: bool = False
    admissible: bool = False
    messages: tuple[str, ...] = ()
    estimates: pd.DataFrame | None = None
    fit_measures: pd.Series | None = None
    weights: pd.DataFrame | None = None
    scores: pd.DataFrame | None = None
    index: pd.DataFrame | None = None
    extra: dict = field(default_factory=dict)


class _Draft:
    """The outcome while the unit runs; :meth:`freeze` makes the read-only :class:`UnitOutcome`."""

    def __init__(self, key: tuple, n: int):
        self.key, self.n = key, n
        self.status, self.reason = "failed", ""
        self.converged = self.admissible = False
        self.messages: tuple[str, ...] = ()
        self.estimates = self.fit_measures = self.weights = self.scores = self.index = None
        self.extra: dict = {}

    def freeze(self) -> UnitOutcome:
        return UnitOutcome(**vars(self))


def check_estimator_options(estimator: str, missing: str, options: dict | None, *, where: str = "acsi.fit") -> dict:
    """Refuse an estimator/missing-data combination or an ``options`` key that would be ignored.

    Returns the options as a plain dict.  The keys each estimator honours are in
    :data:`ESTIMATOR_OPTIONS`.
    """
    check(where, "estimator", estimator, OneOf(*ESTIMATORS))
    check(where, "missing", missing, OneOf(*MISSING_POLICIES))
    options = dict(check(where, "options", options, None, InstanceOf(dict, desc="a dict of estimator options")) or {})
    if missing == "fiml" and estimator != "sem":
        raise _fiml_needs_sem(where, estimator)
    if estimator == "sem":
        if missing == "fiml":
            mode = "fiml"
            if "engine" in options:
                raise invalid(where, "options['engine']",
                              "absent with missing='fiml' (full-information ML has its own engine, "
                              "acsi.estimate.fiml); drop the engine option or use missing='listwise'",
                              options["engine"])
        else:
            mode = check(where, "options['engine']", options.get("engine", DEFAULT_ENGINE), OneOf(*SEM_ENGINES))
        known = ESTIMATOR_OPTIONS[("sem", mode)]
        context = f"for estimator='sem' with {'missing=' + repr(missing) if mode == 'fiml' else 'engine=' + repr(mode)}"
    else:
        known, context = ESTIMATOR_OPTIONS[("pls", None)], "for estimator='pls'"
    check_keys(where, "options", options, known, context=context)
    for key, value in options.items():
        check(where, f"options[{key!r}]", value, *known[key])
    return options


def _fiml_needs_sem(where: str, estimator: str):
    exc = invalid(where, "missing", "'listwise' for the PLS estimator", "fiml")
    exc.args = (
        f"missing='fiml' (full-information ML) needs the covariance-based estimator; estimator={estimator!r} "
        "cannot use incomplete respondents: pass estimator='sem', or missing='listwise' for PLS",
    )
    return exc


def fit_unit(
    key: tuple,
    data: pd.DataFrame,
    spec: ModelSpec,
    *,
    weights: np.ndarray | None = None,
    estimator: str = "sem",
    min_n: int = 30,
    confidence: float = 0.95,
    options: dict | None = None,
    missing: str = "listwise",
) -> UnitOutcome:
    """Estimate ``spec`` on one unit's data, score its respondents and compute its indexes.

    Parameters
    ----------
    key : tuple
        The unit's key (its group values), carried into the outcome.
    data : DataFrame
        The unit's respondents: one float column per item of ``spec`` (other columns are
        ignored).  ``missing="listwise"``: complete; ``missing="fiml"``: unanswered items
        are NaN and the SEM is fitted by full-information ML
        (:func:`acsi.estimate.fiml.fit_sem_fiml`); PLS refuses it.
    weights : array, optional
        Survey weights, one per row of ``data`` (default: all 1).
    """
    n = len(data)
    out = _Draft(key, n)
    if estimator == "pls" and missing == "fiml":  # acsi.fit refuses this; a direct call gets a failed unit
        out.reason = ("the PLS estimator cannot use incomplete respondents (missing='fiml'); "
                      "use estimator='sem' for full-information ML, or missing='listwise'")
        return out.freeze()
    options = check_estimator_options(estimator, missing, options, where="acsi.pipeline.fit_unit")
    v = None if weights is None else np.asarray(weights, dtype=float)
    if v is not None and v.shape != (n,):
        raise invalid("acsi.pipeline.fit_unit", "weights", f"an array of {n} survey weights (one per row)", v.shape)
    if n < min_n:
        what = "with at least one answer" if missing == "fiml" else "with complete answers"
        out.reason = f"too few respondents {what} (n={n} < min_n={min_n})"
        return out.freeze()
    try:
        if estimator == "sem":
            _fit_sem_unit(out, data, spec, options, fiml=missing == "fiml")
        else:
            _fit_pls_unit(out, data, spec, options, v)
    except AcsiError as exc:
        out.status = "failed"
        out.reason = str(exc)
        return out.freeze()
    except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
        out.status = "failed"
        out.reason = f"estimation error: {type(exc).__name__}: {exc}"
        return out.freeze()
    if out.scores is not None:
        out.index = unit_index(out.scores, v, confidence=confidence)
    return out.freeze()


def _fit_sem_unit(out: _Draft, data: pd.DataFrame, spec: ModelSpec, options: dict, *, fiml: bool) -> None:
    engine = options.get("engine", DEFAULT_ENGINE)
    tuning = {k: v for k, v in options.items() if k != "engine"}
    if fiml:
        from .estimate.fiml import fit_sem_fiml

        res = fit_sem_fiml(data, spec, **tuning)
    elif engine == "semopy":
        from .estimate.sem import fit_sem

        res = fit_sem(data, spec, **tuning)
    else:
        from .estimate.mlfast import fit_sem_fast

        res = fit_sem_fast(data, spec, **tuning)
    out.converged = res.converged
    out.admissible = res.admissible
    out.messages = res.messages
    out.estimates = res.estimates
    out.fit_measures = res.fit_measures
    if not res.converged:
        out.status = "failed"
        out.reason = "not converged: " + ("; ".join(res.messages) or "optimizer stopped without success")
        return
    out.weights = item_weights(spec, res.loadings, res.residual_variances, strict=False)
    out.scores = latent_scores(data, spec, out.weights)
    out.status, out.reason = unit_status(spec, out.weights, list(res.problems))


def unit_status(spec: ModelSpec, weights: pd.DataFrame | None, problems: list[str]) -> tuple[str, str]:
    """``(status, reason)``: ``failed`` (headline not scorable), ``inadmissible`` (any problem), ``ok``.

    ``problems`` are the estimator's inadmissibility messages; the ``problem`` column of
    ``weights`` adds the latents whose item weights were refused.  Every reason is listed.
    """
    w = weights
    scoring = [p for p in pd.unique(w["problem"]) if p] if w is not None and "problem" in w else []
    reasons = list(problems) + scoring
    headline_bad = w is not None and w.loc[w["latent"] == spec.headline, "weight"].isna().any()
    if headline_bad:
        status = "failed"
    elif reasons:
        status = "inadmissible"
    else:
        status = "ok"
    return status, "; ".join(reasons)


def _fit_pls_unit(out: _Draft, data: pd.DataFrame, spec: ModelSpec, options: dict, v: np.ndarray | None) -> None:
    from .estimate.pls import fit_pls

    if v is not None and np.allclose(v, 1.0):
        v = None
    res = fit_pls(
        data[list(spec.item_ids)], spec.blocks, list(spec.paths), weights=v,
        scale_bounds=dict(spec.scale_bounds), **options,
    )
    out.converged = bool(res.converged)
    out.admissible = not res.problems  # an inadmissible PLSc solution (consistent=)
    loadings = res.outer_loadings
    rows = [(lv.id, "=~", it, float(loadings.loc[it, lv.id])) for lv in spec.latents for it in lv.item_ids]
    rows += [(r["to"], "~", r["from"], float(r["est"])) for _, r in res.path_table.iterrows()]
    rows += [(lv, "r2", lv, float(r2)) for lv, r2 in res.r2.items() if lv in spec.endogenous]
    est = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est"])
    for c in ("se", "z", "pvalue", "ci_lower", "ci_upper"):
        est[c] = np.nan
    est["std_all"] = est["est"]
    est["free"] = True
    out.estimates = est[["lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all", "free"]]
    fm = {f"r2_{lv}": float(res.r2[lv]) for lv in spec.endogenous if lv in res.r2.index}
    fm.update(n_iter=float(res.n_iter), converged=float(bool(res.converged)), ntotal=float(len(data)))
    out.fit_measures = pd.Series(fm, dtype=float)
    uw = res.unstd_weights
    problems = {p.split(":", 1)[0]: p for p in res.index_problems}
    wrows = []
    for lv in spec.latents:
        for it in lv.item_ids:
            bad = lv.id in problems
            wrows.append({"latent": lv.id, "item": it, "loading": float(loadings.loc[it, lv.id]),
                          "residual_variance": np.nan, "weight": np.nan if bad else float(uw[it]),
                          "problem": problems.get(lv.id, "")})
    out.weights = pd.DataFrame(wrows)
    # the same rescaling as the SEM engines; the (weighted) mean equals PLSResult.index
    out.scores = latent_scores(data, spec, out.weights)
    out.extra["quality"] = res.quality
    if not res.converged:
        out.status = "failed"
        out.reason = f"PLS did not converge in {res.n_iter} iterations; raise max_iter or loosen tol"
        out.scores = None
        return
    out.status, out.reason = unit_status(spec, out.weights, list(res.problems))
