"""Covariance-based SEM through semopy: the only module that imports semopy.

semopy is an optimiser here.  Its model syntax is generated from the parameter table
(:func:`semopy_syntax`); after the fit its parameters are mapped back onto the table's free
parameters, and everything reported (estimate table, standard errors, fit measures,
admissibility) comes from :func:`acsi.estimate.ml.result_from_theta`, the code acsi's own
engine uses.  A table semopy cannot honour exactly (constraints, defined parameters, several
groups, a mean structure, covariates fixed at their sample moments, observed variables in the
structural part, a free first loading) is refused with
:class:`~acsi.errors.InvalidParameterError` naming the feature and the engine that fits it
(``"mlfast"``): nothing is silently dropped.  After building semopy's model its free
parameters are checked cell by cell against the table, so a semopy default that differs from
the table is an error too.

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
  lavaan's columns (:mod:`acsi.estimate.table`).

Survey weights and robust ML: semopy fits the survey-weighted covariance matrix (passed as
its ``cov``; the rows only seed its start values); the robust standard errors and the scaled
test are acsi's post-estimation computation (:mod:`acsi.estimate.robust`), the same as for
acsi's own engine.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from .result import SEMResult
from .table import ESTIMATE_COLUMNS

__all__ = ["ESTIMATE_COLUMNS", "SEMResult", "fit_sem", "require_semopy", "semopy_syntax", "semopy_version"]

ENGINE = "semopy"
ALTERNATIVE = "options={'engine': 'mlfast'} (acsi's own ML engine)"


def require_semopy():
    """semopy, or an error saying how to install it (it is the optional ``semopy`` extra)."""
    try:
        import semopy
    except ImportError:
        raise InvalidParameterError(
            "engine 'semopy' needs the optional package semopy, which is not installed: install it with "
            "pip install 'acsi[semopy]', or use " + ALTERNATIVE + ", the default"
        ) from None
    return semopy


def semopy_version() -> str:
    """semopy's version, ``"not installed"`` without it."""
    try:
        import semopy
    except ImportError:
        return "not installed"
    return getattr(semopy, "__version__", "unknown")


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


def _refuse(feature: str) -> InvalidParameterError:
    return InvalidParameterError(
        f"The 'engine' parameter of fit_sem must be an engine that can fit this model: semopy cannot honour "
        f"{feature}. Got {ENGINE!r} instead; use {ALTERNATIVE}."
    )


def _check_semopy_can(model) -> None:
    fr = model.frame
    if len(model.groups) > 1:
        raise _refuse(f"several groups ({len(model.groups)})")
    ops = set(fr["op"])
    if ":=" in ops:
        raise _refuse("defined parameters (:= rows: " + ", ".join(fr.loc[fr["op"] == ":=", "lhs"]) + ")")
    if ops & {"==", "<", ">"}:
        rows = fr[fr["op"].isin(["==", "<", ">"])]
        raise _refuse("constraints (" + "; ".join(f"{a} {o} {b}" for a, o, b in zip(rows["lhs"], rows["op"], rows["rhs"])) + ")")
    if "~1" in ops:
        raise _refuse("a mean structure (~ 1 rows: intercepts)")
    if (fr["exo"] == 1).any():
        names = sorted(set(fr.loc[fr["exo"] == 1, "lhs"]))
        raise _refuse(f"covariates fixed at their sample moments (fixed.x: {', '.join(names)})")
    gm = model.groups[0]
    if gm.phantom.any():
        names = [x for x, ph in zip(gm.lv, gm.phantom) if ph]
        raise _refuse(f"observed variables in the structural part ({', '.join(names)})")


def semopy_syntax(model) -> str:
    """semopy model text generated from the parameter table (every row written out: fixed
    values as ``v*x``, free parameters plain).  Raises ``InvalidParameterError`` for tables
    semopy cannot honour (module docstring)."""
    _check_semopy_can(model)
    lines = []
    for r in model.frame.itertuples(index=False):
        if r.op not in ("=~", "~", "~~"):
            continue
        term = r.rhs if int(r.free) > 0 else f"{float(r.ustart):.17g}*{r.rhs}"
        lines.append(f"{r.lhs} {r.op} {term}")
    return "\n".join(lines) + "\n"


def _cell_map(model, smodel) -> dict:
    """semopy active parameter name -> θ index, checked against the table cell by cell."""
    from .mlfast import LOADING, PATH, PSI, THETA

    gm = model.groups[0]
    mats = {
        id(smodel.mx_lambda): (LOADING, smodel.names_lambda, gm.ov, gm.lv),
        id(smodel.mx_beta): (PATH, smodel.names_beta, gm.lv, gm.lv),
        id(smodel.mx_psi): (PSI, smodel.names_psi, gm.lv, gm.lv),
        id(smodel.mx_theta): (THETA, smodel.names_theta, gm.ov, gm.ov),
    }
    ours = {}
    for n, (k, r, c) in enumerate(zip(gm.kind, gm.row, gm.col)):
        rows, cols = (gm.ov, gm.lv) if k == LOADING else (gm.lv, gm.lv) if k in (PATH, PSI) else (gm.ov, gm.ov)
        key = (k, rows[r], cols[c])
        if k in (PSI, THETA):
            key = (k,) + tuple(sorted(key[1:]))
        ours[key] = int(gm.pidx[n])
    out, seen = {}, set()
    for name, p in smodel.parameters.items():
        cells = []
        for loc in p.locations:
            if id(loc.matrix) not in mats:
                continue
            k, (rows, cols), _, _ = mats[id(loc.matrix)]
            i, j = loc.indices
            key = (k, rows[i], cols[j])
            if k in (PSI, THETA):
                key = (k,) + tuple(sorted(key[1:]))
            cells.append(key)
        idx = {ours.get(c) for c in cells}
        if not p.active:
            if idx - {None}:
                raise _refuse(f"the free parameter {model.labels[next(iter(idx - {None}))]} (semopy fixes it)")
            continue
        if None in idx or len(idx) != 1:
            raise _refuse(f"a parameter the table fixes ({cells[0] if cells else name}; semopy frees it)")
        k = idx.pop()
        out[name] = k
        seen.add(k)
    missing = [model.labels[k] for k in range(model.npar) if k not in seen]
    if missing:
        raise _refuse(f"the free parameters {missing} (semopy does not estimate them)")
    return out


def fit_sem(
    data: pd.DataFrame,
    spec,
    *,
    ftol: float = 1e-12,
    maxiter: int = 10000,
    level: float = 0.95,
    estimator: str = "ml",
    weights=None,
    se: str | None = None,
) -> SEMResult:
    """Fit a model by maximum likelihood with semopy as the optimiser (lavaan's ML).

    Parameters
    ----------
    data : DataFrame
        Complete data (no missing values), one column per observed variable.
    spec : ModelSpec, ParTable or RamModel
        The model; a ``ModelSpec`` with its default parameter table.
    ftol : float
        SLSQP function tolerance. semopy's default stops early (up to 1.2e-2
        from lavaan); 1e-12 brings estimates within 1e-6.
    level : float
        Confidence level of the Wald intervals.
    estimator, weights, se
        As :func:`acsi.estimate.ml.fit_ml`: ``"ml"``, ``"mlr"`` or ``"mlm"``; survey weights
        (a column of ``data`` or one value per row) fitted through the weighted covariance;
        ``se="standard"`` to keep normal-theory standard errors.

    Returns
    -------
    SEMResult

    Raises
    ------
    InvalidParameterError
        The table holds a feature semopy cannot honour (module docstring); a bad
        estimator/``se`` or MLM with weights.

    Notes
    -----
    Equivalent R: ``lavaan::sem(spec.to_lavaan(), data)`` with default options;
    standard errors from the expected information with N (``sampling.weights = "w"``,
    ``estimator = "MLR"``/``"MLM"`` for the robust variants).
    """
    semopy = require_semopy()

    from .mlfast import compile_model, expected_information
    from .mlresult import result_from_theta
    from .robust import resolve_inference
    from .samplestats import SampleStats

    inference = resolve_inference(estimator, weighted=weights is not None, se=se, where="fit_sem")
    model = compile_model(spec)
    syntax = semopy_syntax(model)
    gm = model.groups[0]
    stats = SampleStats.from_data(data, gm.ov, weights=weights, keep_rows=inference.needs_rows)
    smodel = semopy.Model(syntax)
    for p in smodel.parameters.values():
        p.bound = (None, None)
    cap = _Capture()
    root = logging.getLogger()
    root.addHandler(cap)
    try:
        frame = pd.DataFrame(data[gm.ov].to_numpy(dtype=float), columns=gm.ov)
        # weighted: semopy's ML objective on the weighted covariance (the rows seed its start values)
        cov = pd.DataFrame(stats.groups[0].cov, index=gm.ov, columns=gm.ov) if stats.weighted else None
        res = smodel.fit(frame, cov=cov, obj="MLW", solver="SLSQP", options={"ftol": ftol, "maxiter": maxiter})
        cmap = _cell_map(model, smodel)
    finally:
        root.removeHandler(cap)
    theta = np.full(model.npar, np.nan)
    for name, k in cmap.items():
        loc = smodel.parameters[name].locations[0]
        theta[k] = float(loc.matrix[loc.indices])
    converged = bool(res.success) and bool(np.all(np.isfinite(res.x))) and bool(np.isfinite(theta).all())
    messages = [str(res.message)] if not res.success else []
    messages += cap.records
    info = None
    if converged:
        try:
            info = expected_information(model, theta, stats)
        except np.linalg.LinAlgError as exc:
            messages.append(f"standard errors unavailable: {exc}")
    out = result_from_theta(model, stats, theta, info=info, converged=converged, messages=messages,
                            n_iter=int(res.n_it) if np.isfinite(res.n_it) else 0, objective=float(res.fun),
                            level=level, engine=ENGINE, inference=inference)
    return out
