"""Fitting one unit (company, period) or the pooled sample: estimation then scoring.

A unit never disappears: whatever goes wrong, :func:`fit_unit` returns an
outcome with a ``status`` (``ok``, ``inadmissible`` or ``failed``) and a
``reason`` the user can read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import AcsiError, EstimationError
from ..score import item_weights, latent_scores, unit_index
from ..spec import ModelSpec

__all__ = ["UnitOutcome", "fit_unit", "ESTIMATORS"]

ESTIMATORS = ("sem", "pls")


@dataclass
class UnitOutcome:
    """What one unit's fit produced (plain pandas objects, cheap to pickle)."""

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


def fit_unit(
    key: tuple,
    data: pd.DataFrame,
    spec: ModelSpec,
    *,
    estimator: str = "sem",
    min_n: int = 30,
    confidence: float = 0.95,
    options: dict | None = None,
    missing: str = "listwise",
) -> UnitOutcome:
    """Estimate ``spec`` on one unit's data and score its respondents.

    ``missing="listwise"``: ``data`` are complete; ``missing="fiml"``: rows may have
    unanswered items (NaN) and the SEM is fitted by full-information ML
    (:func:`acsi.estimate.fiml.fit_sem_fiml`); PLS refuses it.
    """
    options = options or {}
    n = len(data)
    out = UnitOutcome(key=key, n=n)
    if missing not in ("listwise", "fiml"):
        raise EstimationError(f"unknown missing-data policy {missing!r}; use 'listwise' or 'fiml'")
    if n < min_n:
        what = "with at least one answer" if missing == "fiml" else "with complete answers"
        out.reason = f"too few respondents {what} (n={n} < min_n={min_n})"
        return out
    try:
        if estimator == "sem":
            _fit_sem_unit(out, data, spec, dict(options, missing=missing) if missing == "fiml" else options)
        elif estimator == "pls" and missing == "fiml":
            raise EstimationError(
                "the PLS estimator cannot use incomplete respondents (missing='fiml'); "
                "use estimator='sem' for full-information ML, or missing='listwise'"
            )
        elif estimator == "pls":
            _fit_pls_unit(out, data, spec, options)
        else:  # validated by the caller; kept for direct use
            raise EstimationError(f"unknown estimator {estimator!r}; use one of {ESTIMATORS}")
    except AcsiError as exc:
        out.status = "failed"
        out.reason = str(exc)
        return out
    except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
        out.status = "failed"
        out.reason = f"estimation error: {type(exc).__name__}: {exc}"
        return out
    if out.scores is not None:
        v = data["weight"].to_numpy(dtype=float) if "weight" in data else None
        out.index = unit_index(out.scores, v, confidence=confidence)
    return out


def _fit_sem_unit(out: UnitOutcome, data: pd.DataFrame, spec: ModelSpec, options: dict) -> None:
    engine = options.get("engine", "semopy")
    if options.get("missing") == "fiml":
        from .fiml import fit_sem_fiml

        res = fit_sem_fiml(data, spec)
    elif engine == "semopy":
        from .sem import fit_sem

        res = fit_sem(data, spec, **{k: v for k, v in options.items() if k in ("ftol", "maxiter")})
    elif engine == "mlfast":
        from .mlfast import fit_sem_fast

        res = fit_sem_fast(data, spec)
    else:
        raise EstimationError(f"unknown SEM engine {engine!r}; use 'semopy' (default) or 'mlfast'")
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
    _set_status(out, spec, list(res.problems))


def _set_status(out: UnitOutcome, spec: ModelSpec, problems: list[str]) -> None:
    """ok / inadmissible / failed (headline not scorable), with every reason listed."""
    w = out.weights
    scoring = [p for p in pd.unique(w["problem"]) if p] if w is not None and "problem" in w else []
    reasons = problems + scoring
    headline_bad = w is not None and w.loc[w["latent"] == spec.headline, "weight"].isna().any()
    if headline_bad:
        out.status = "failed"
    elif reasons:
        out.status = "inadmissible"
    else:
        out.status = "ok"
    out.reason = "; ".join(reasons)


def _fit_pls_unit(out: UnitOutcome, data: pd.DataFrame, spec: ModelSpec, options: dict) -> None:
    from .pls_adapter import fit_pls_unit

    fit_pls_unit(out, data, spec, options)
