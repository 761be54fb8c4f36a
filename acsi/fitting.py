"""``acsi.fit``: from a survey table to unit indexes, step by step.

1. check the options (:mod:`acsi.options`), resolve the model (name, file, lavaan text or
   ModelSpec);
2. read the survey (DataFrame or file) and stamp the provenance (versions, UTC time, input
   hash, options: :mod:`acsi.provenance`);
3. validate and apply the missing-data policy (:func:`acsi.data.prepare_survey`);
4. run every unit (company × period) through the per-unit pipeline
   (:func:`acsi.pipeline.fit_unit`: estimate, score, index), in parallel with joblib;
5. run the pooled sample in this process while the workers fit the units (with one unit holding
   every row, that unit's fit is the pooled fit);
6. assemble the record (:class:`acsi.results.FitResult`).
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .data import DEFAULT_MISSING_CODES, prepare_survey, read_survey
from .data.prepare import missing_codes_of
from .data.periods import canonical_periods, periods_unchanged
from .errors import AdmissibilityWarning, ConvergenceWarning, DataError, InvalidParameterError
from .frames import arrow_text, column_arrays, factorize, labels
from .log import PROGRESS_MIN_ITEMS, get_logger
from .options import JOBS, Boolean, InstanceOf, Integer, OneOf, Real, Text, validate_params
from .parallel import (MIN_UNITS_PER_FRESH_WORKER, blas_single_thread, check_scheduler_type, chunks, run_tasks,
                       worker_count, workers_running)
from .pipeline import ESTIMATORS, MISSING_POLICIES, StackedOutcomes, check_estimator_options, fit_unit
from .provenance import stamp
from .results import FitResult
from .spec import resolve_model

__all__ = ["fit"]

log = get_logger("acsi.fitting")


@validate_params(
    "acsi.fit",
    unit=(None, Text(), InstanceOf(list, tuple, desc="a list of column names")),
    period=(None, Text()),
    estimator=OneOf(*ESTIMATORS),
    weight=(None, Text()),
    item_map=(None, InstanceOf(dict, desc="a dict {column_in_data: item_id}")),
    out_of_range=OneOf("error", "missing"),
    missing=OneOf(*MISSING_POLICIES),
    pooled=Boolean(),
    min_n=Integer(min=2),
    confidence=Real(0, 1, closed="neither"),
    n_jobs=JOBS,
    progress=(None, Boolean()),
    options=(None, InstanceOf(dict, desc="a dict of estimator options")),
    id_column=(None, Text()),
)
def fit(
    data,
    model="acsi",
    *,
    unit: str | list[str] | None = "company",
    period: str | None = "auto",
    estimator: str = "sem",
    weight: str | None = None,
    item_map: dict[str, str] | None = None,
    missing_codes=DEFAULT_MISSING_CODES,
    out_of_range: str = "error",
    missing: str = "listwise",
    pooled: bool = True,
    min_n: int = 30,
    confidence: float = 0.95,
    n_jobs: int = 1,
    scheduler=None,
    progress: bool | None = None,
    options: dict | None = None,
    id_column: str | None = None,
) -> FitResult:
    """Fit a satisfaction-index model per unit and compute 0-100 indexes.

    Parameters
    ----------
    data : DataFrame or path
        Respondent-level survey (CSV, Parquet, Excel, SPSS, Stata).
    model : ModelSpec, str or path
        A shipped model name (``"acsi"``, ``"ecsi"``...), a model file, or lavaan text.
    unit : str or list of str or None
        Column(s) identifying a unit (company).  ``None`` fits only the pooled model.
    period : str, "auto" or None
        Period column.  ``"auto"`` uses a column named ``period`` when present, so
        each company is fitted per period, as ACSI does.
    estimator : {"sem", "pls"}
        Covariance-based ML, or PLS path modelling.  The ML variant is the option
        ``options={"estimator": "mlr"}``: ML with robust (Huber-White) standard errors and the
        Yuan-Bentler scaled chi-square with robust CFI/TLI/RMSEA, lavaan's ``estimator =
        "MLR"``, the choice for skewed 1-10 answers with a ceiling; ``"mlm"``: Satorra-Bentler's
        (complete, unweighted data); ``"ml"`` (default): normal-theory.  The estimates are
        ML's for all three (:mod:`acsi.estimate.robust`); on the command line
        ``--estimator mlr``.
    weight : str, optional
        Survey-weight column.  It weights the estimation (the SEM is fitted to the weighted
        moments, lavaan's ``sampling.weights``, with robust standard errors and the scaled
        test as lavaan's default for weighted data; PLS is weighted too) and the unit index
        means.
    item_map : dict, optional
        ``{column_in_data: item_id}``.
    missing_codes : number, sequence, text or dict
        Codes meaning "no answer" (ACSI: 98 don't know, 99 refused): ``98``, ``[98, 99]``,
        ``"98,99"`` (a text of numbers), or ``{item: codes}``
        (:func:`acsi.data.prepare.missing_codes_of`).
    out_of_range : {"error", "missing"}
    missing : {"listwise", "fiml"}
        Missing-data policy; see :mod:`acsi.data.prepare`.  ``"fiml"`` keeps every
        respondent with at least one item answered and fits the SEM by full-information
        ML (:func:`acsi.estimate.fiml.fit_sem_fiml`, lavaan's ``missing = "ml"``; an
        ``engine`` option is then refused); SEM only.
    pooled : bool
        Also fit one model on all respondents.
    min_n : int
        Units with fewer complete respondents fail with that reason.
    confidence : float
        Level of the index intervals.
    n_jobs : int
        joblib workers for the per-unit fits (-1: all cores), which take the units in chunks
        (:mod:`acsi.parallel`); the numbers are the same bit for bit for any ``n_jobs``.  With
        fewer than :data:`acsi.parallel.MIN_UNITS_PER_FRESH_WORKER` units per worker (200; 40 when this
        process's workers are running already, :data:`MIN_UNITS_PER_WORKER`) the units are
        fitted in this process, which is faster than starting workers.
    scheduler : None, str or dask.distributed.Client
        Fit the units on a Dask cluster instead: its address (``"tcp://host:port"``) or a
        client (``n_jobs`` is then ignored); the same numbers as a serial run.  The bootstrap
        takes the same ``scheduler=`` (:func:`acsi.bootstrap.bootstrap`).
    progress : bool, optional
        Show a progress bar (``tqdm.auto``: a text bar in a terminal, a widget in Jupyter);
        default: when there are 20 units or more.
    id_column : str, optional
        Respondent-id column: an id used twice (or a row without one) is an error.  Without it,
        repeated values in a column named like an id (``id``, ``respondent_id``...) give a
        :class:`~acsi.errors.DataWarning` with the count.
    options : dict, optional
        Estimator options; a key the estimator cannot honour is an error naming the keys it
        knows (:data:`acsi.pipeline.ESTIMATOR_OPTIONS`).  SEM: ``engine`` (``"mlfast"``, the
        default: acsi's own ML engine, equal to lavaan on every reference case and able to fit
        constraints, ``:=``, groups, means and covariates; or ``"semopy"`` as the optimiser, for
        the models semopy can honour), ``estimator`` (``"ml"``, ``"mlr"``, ``"mlm"``), ``se``
        (``"standard"`` or ``"robust"``: override the standard errors), and the engine's
        tolerances (semopy ``ftol``, ``maxiter``; mlfast ``xtol``, ``maxiter``; FIML ``gtol``,
        ``maxiter``); PLS: ``scheme``, ``tol``, ``max_iter``, ``modes``, ``anchors``,
        ``consistent`` (PLSc), and the evidence every unit and the pooled fit get
        (:mod:`acsi.estimate.pls_evidence`; quality table, effects, model fit and IPMA always):
        ``refit_f2``, ``predict`` (PLSpredict folds), ``predict_reps``, ``predict_technique``,
        ``blindfolding`` (omission distance), ``fit_test`` (replicates of the exact-fit test) and
        ``seed`` (drawn and recorded in ``fit.options`` when prediction or the test is asked for
        without one).

    Returns
    -------
    FitResult

    Examples
    --------
    >>> import acsi
    >>> survey = acsi.demo_survey()                                  # doctest: +SKIP
    >>> fit = acsi.fit(survey, "acsi", unit="company")              # doctest: +SKIP
    >>> fit.indexes[["period", "company", "index", "se"]]           # doctest: +SKIP
    """
    options = check_estimator_options(estimator, missing, options, weighted=weight is not None)
    if estimator == "pls" and options.get("seed") is None and (options.get("predict") or options.get("fit_test")):
        options["seed"] = int(np.random.SeedSequence().entropy % (2**63))  # recorded: the same folds again with it
    check_scheduler_type(scheduler, "acsi.fit")
    spec = resolve_model(model)
    if estimator == "pls" and spec.structural_observed:  # PLS has blocks only (ARCHITECTURE section 2)
        raise InvalidParameterError(
            f"The 'estimator' parameter of acsi.fit must be 'sem' for model {spec.name!r}, whose structural part "
            f"uses observed variable(s) {list(spec.structural_observed)} (PLS path modelling estimates blocks of "
            "items only): use estimator='sem', or make each a single-item latent (e.g. 'CC =~ cc1'). "
            "Got 'pls' instead."
        )
    _check_fiml_covariates(spec, missing, options)
    missing_codes = missing_codes_of(missing_codes)
    if isinstance(data, (str, Path)):
        data = read_survey(data)
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a DataFrame or a path to a survey file; got {type(data).__name__}")
    read_as = dict(data.attrs.get("read_as") or {})  # how a text file was read (separator, decimal mark, encoding)
    units = [unit] if isinstance(unit, str) else list(unit or [])
    if period == "auto":
        period = "period" if "period" in data.columns and "period" not in units else None
    kept_periods = False  # the period column is already canonical: kept as it is, not built again
    if period and period in data.columns:  # one parser for the package: '2024Q1' and '2024 Q1' are one unit
        kept_periods = periods_unchanged(data[period], table="survey", labels_only=True)
        if not kept_periods:
            data = data.assign(**{period: canonical_periods(data[period], table="survey", labels_only=True)[0]})
    groups = ([period] if period else []) + units if units else []
    recorded = {
        "unit": units, "period": period, "estimator": estimator, "weight": weight,
        "missing_codes": missing_codes if not isinstance(missing_codes, tuple) else list(missing_codes),
        "out_of_range": out_of_range, "missing": missing, "min_n": min_n,
        "confidence": confidence, "estimator_options": options,
    }
    if id_column is not None:
        recorded["id_column"] = id_column
    if read_as:
        recorded["input"] = {k: read_as[k] for k in ("sep", "decimal", "encoding", "detected") if k in read_as}
    provenance = stamp(recorded, data)
    spec = _with_file_scales(spec, data, item_map)

    prepared = prepare_survey(
        data, spec, groups=groups, weight=weight, item_map=item_map,
        missing_codes=missing_codes, out_of_range=out_of_range, missing=missing,
        carry=("industry", "sector") if units else (), id_column=id_column,
    )
    frame = prepared.data
    if kept_periods and not len(frame) and period in groups:  # as the rebuilt labels give no rows: no text inferred
        frame[period] = frame[period].astype(object)
    # the label columns' arrays, read once (a Series per column and check cost ~10 µs each)
    label_arrays = dict(zip(frame.columns.tolist(), column_arrays(frame))) if groups else {}
    _check_carry(frame, groups, prepared.carry, label_arrays)
    items = list(prepared.variables)  # every observed column of the model (items, cc1, covariates)

    # survey weights reach the estimation only when the user gave a weight column (lavaan's
    # sampling.weights: even constant weights switch to robust inference)
    vw = prepared.weights if weight is not None else None
    # one float matrix, cut per unit: a task carries only its unit's rows, never the survey
    # (each unit's matrix column-major, the layout of a frame's float block, so _fit_chunk wraps it without a copy)
    X = prepared.answers  # the prepared frame's float block of these columns, read-only
    tasks = []
    only = _only_unit(frame, groups, label_arrays)
    if only is not None:  # every row in one unit: its rows are all rows, in order (no grouping, no copy: the
        # prepared block itself, column-major and read-only, as a unit's cut of it is column-major)
        tasks.append((only, X, None if vw is None else vw.copy()))
    elif groups:
        for k, pos in frame.groupby(groups, sort=True, dropna=False).indices.items():
            tasks.append(((k if isinstance(k, tuple) else (k,)), X.T.take(pos, axis=1).T, None if vw is None else vw[pos]))
    # units present in the data whose every row was dropped still get a row
    acc = prepared.accounting
    if not groups or (only is not None and len(acc) == 1):  # no units, or the one unit read is the one fitted
        acc_keys = []
    else:
        acc_keys = list(zip(*(acc[g].tolist() for g in groups)))
    have = {k for k, _, _ in tasks}
    for k in acc_keys:
        if k not in have and "<missing>" not in k:
            tasks.append((k, X[0:0], None if vw is None else vw[0:0]))
    tasks.sort(key=lambda t: tuple(str(x) for x in t[0]))

    kw = dict(estimator=estimator, min_n=min_n, confidence=confidence, options=options, missing=missing)
    log.info("fitting %s (%s) to %d units and %s", spec.name, estimator, len(tasks),
             "the pooled sample" if pooled else "no pooled sample")
    # one unit holding every row: the pooled sample is that unit (the same rows in the same order,
    # the same weights), so its fit is the pooled fit, not a second identical one
    one_unit = len(tasks) == 1 and len(tasks[0][1]) == len(frame)
    pooled_box = []

    def pooled_fit():  # in this process while the workers fit the units (acsi.parallel.run_tasks)
        with blas_single_thread():  # the same one-thread BLAS as every unit fit
            pooled_box.append(fit_unit(("<pooled>",), frame[items], spec, weights=vw, **kw))

    need_pooled = pooled and len(frame) > 0 and not one_unit
    outcomes = _run(tasks, spec, kw, items, n_jobs=n_jobs, scheduler=scheduler, progress=progress,
                    meanwhile=pooled_fit if need_pooled else None)
    pooled_outcome = None
    if pooled and len(frame):
        pooled_outcome = pooled_box[0] if need_pooled else dataclasses.replace(outcomes[0], key=("<pooled>",))

    _warn_units(outcomes, groups)
    return FitResult(
        spec=spec, estimator=estimator, groups=tuple(groups), carry=tuple(prepared.carry), outcomes=tuple(outcomes),
        pooled=pooled_outcome, prepared=prepared, options=recorded, provenance=provenance,
    )


def _only_unit(frame: pd.DataFrame, groups: list[str], arrays: dict | None = None) -> tuple | None:
    """The key of the one unit when every row of ``frame`` has the same label in each group column
    (none missing), as ``frame.groupby(groups).indices`` would name it; else None (no rows, several
    units, or a column that is not text, whose labels the grouping decides).  From the shared codes
    (:func:`acsi.frames.factorize`), which cost nothing more here; ``arrays``: the frame's columns
    by name (:func:`acsi.frames.column_arrays`), read from the frame without it."""
    if not groups or not len(frame):
        return None
    key = []
    for g in groups:
        col = frame[g] if arrays is None else arrays[g]
        if not arrow_text(col):
            return None
        codes, uniques = factorize(col)
        if codes.any():  # a second label (code 1...) or a missing one (-1)
            return None
        key.append(uniques[0])
    return tuple(key)


def _with_file_scales(spec, data: pd.DataFrame, item_map: dict | None = None):
    """``spec`` with the scales an SPSS/Stata file's value labels give (``data.attrs["scales"]``)
    for observed variables the model leaves unscaled (a 0/1 complaint ``cc1``), so they are
    range-checked, scored and indexed on that scale; the saved model records it."""
    from dataclasses import replace

    scales = {(item_map or {}).get(k, k): v for k, v in (data.attrs.get("scales") or {}).items()}
    todo = {o.id for o in spec.observed if not o.has_scale and o.id in scales and not o.covariate}
    if not todo:
        return spec
    observed = tuple(replace(o, min=float(scales[o.id][0]), max=float(scales[o.id][1])) if o.id in todo else o
                     for o in spec.observed)
    log.info("scales from the file's value labels: %s", {k: tuple(scales[k]) for k in sorted(todo)})
    return replace(spec, observed=observed)


def _check_fiml_covariates(spec, missing: str, options: dict) -> None:
    """FIML cannot fix covariates at sample moments that some respondents lack: refuse up front,
    naming the covariates and the option that models them (lavaan's ``fixed.x = FALSE``)."""
    if missing != "fiml" or options.get("fixed_x", True) is False or not spec.covariate_ids:
        return
    ov_x = spec.partable(std_lv=bool(options.get("std_lv", False)), meanstructure=True).layout(1).ov_x
    if ov_x:
        raise InvalidParameterError(
            f"The 'options' parameter of acsi.fit must hold fixed_x=False with missing='fiml' for model "
            f"{spec.name!r}: its exogenous covariates {list(ov_x)} cannot stay fixed at sample moments that some "
            "respondents lack; options={'fixed_x': False} models them (lavaan's fixed.x = FALSE), or use "
            "missing='listwise'. Got " + repr(options or None) + " instead."
        )


def _warn_units(outcomes, groups) -> None:
    """One warning per kind of trouble, naming the first units; details are in ``fit.units``."""
    for status, category in (("failed", ConvergenceWarning), ("inadmissible", AdmissibilityWarning)):
        bad = [o for o in outcomes if o.status == status]
        if bad:
            names = ", ".join("/".join(map(str, o.key)) for o in bad[:5]) + (" ..." if len(bad) > 5 else "")
            warnings.warn(
                f"{len(bad)} of {len(outcomes)} units {status}: {names}; they stay in the results with "
                "their reason (see fit.units and fit.indexes['reason'])",
                category,
                stacklevel=4,
            )


def _check_carry(frame: pd.DataFrame, groups: list[str], carry: list[str], arrays: dict | None = None) -> None:
    if not groups or not carry or _carry_consistent(frame, groups, carry, arrays):
        return
    nun = frame.groupby(groups, sort=False)[carry].nunique(dropna=False)
    bad = nun[(nun > 1).any(axis=1)]
    if len(bad):
        ex = ", ".join(str(k) for k in list(bad.index)[:5])
        cols = [c for c in carry if (bad[c] > 1).any()]
        raise DataError(
            f"units listed under more than one {'/'.join(cols)} within the same period: {ex}; "
            "each company belongs to one industry and sector per period: fix the hierarchy columns"
        )


def _carry_consistent(frame: pd.DataFrame, groups: list[str], carry: list[str], arrays: dict | None = None) -> bool:
    """Whether every unit has one value of each hierarchy column (a missing value counts as one),
    from the columns' integer codes; False also when the codes would not fit one integer key (the
    caller's grouping then decides, and names the units); ``arrays`` as for :func:`_only_unit`."""
    column = (lambda c: frame[c]) if arrays is None else arrays.__getitem__
    key, size = np.zeros(len(frame), dtype=np.int64), 1
    for g in groups:
        codes, uniques = factorize(column(g))  # the codes shared with the rest of the fit
        size *= len(uniques) + 1
        if size > 2**31:
            return False
        key = key * (len(uniques) + 1) + (codes + 1)
    one = not key.size or bool((key == key[0]).all())  # one unit: one value each, nothing to pair
    for c in carry:
        codes, uniques = factorize(column(c))
        if one:
            if codes.size and not (codes == codes[0]).all():
                return False
            continue
        m = len(uniques) + 1
        if size * m > 2**62:
            return False
        pairs = np.unique(key * m + (codes + 1))
        if np.unique(pairs // m).size != pairs.size:
            return False
    return True


#: Chunks per worker: enough to even out units of unequal cost, few enough that start-up and
#: pickling per task stay small (benchmarks/README.md, the national production).
CHUNKS_PER_WORKER = 4
#: Local workers that are running already (joblib's reusable executor, started by an earlier
#: call of this process) take the units from this many units per worker: below it the chunks'
#: transport costs more than the fits it shares out.
MIN_UNITS_PER_WORKER = 40
# Workers still to be started take the units only from acsi.parallel.MIN_UNITS_PER_FRESH_WORKER
# units per worker (imported here, where the fit reads it).  A Dask scheduler is always used when
# given: its workers are running already.


def _fit_chunk(shared, chunk):
    """Fit the units of one chunk (a task of :func:`acsi.parallel.run_tasks`): each unit's rows
    come as a float matrix of the model's observed columns, ``columns``.  In a worker the
    outcomes go back as one :class:`~acsi.pipeline.StackedOutcomes` (one table per kind)."""
    spec, kw, columns, stack = shared
    names = tuple(columns)  # the column labels: one shared Index, a view of it per unit (acsi.frames.labels)
    # a column-major matrix is a frame's float block as it is (the frame the copy would make, same layout)
    out = [fit_unit(k, pd.DataFrame(x, columns=labels(names), copy=not x.flags.f_contiguous), spec, weights=v, **kw)
           for k, x, v in chunk]
    return StackedOutcomes(out) if stack else out


def _run(tasks, spec, kw, columns, *, n_jobs: int, scheduler=None, progress: bool | None, meanwhile=None):
    """Every unit through :func:`acsi.pipeline.fit_unit`, in chunks of units per worker.

    The same numbers bit for bit for any ``n_jobs`` and scheduler: each unit's fit depends only
    on its rows and the options, with BLAS held to one thread everywhere (:mod:`acsi.parallel`).
    """
    if progress is None:
        progress = len(tasks) >= PROGRESS_MIN_ITEMS
    workers = worker_count(n_jobs, scheduler)
    if scheduler is None and workers > 1:
        least = MIN_UNITS_PER_WORKER if workers_running(workers) else MIN_UNITS_PER_FRESH_WORKER
        if len(tasks) < least * workers:
            log.info("%d units: fitted in this process (%s workers pay off from %d units per worker)",
                     len(tasks), "running" if least == MIN_UNITS_PER_WORKER else "new", least)
            workers = n_jobs = 1
    serial = scheduler is None and (workers == 1 or len(tasks) < 2)
    if serial:
        parts = [[t] for t in tasks]  # serial: one unit per step, so the bar moves per unit
    else:
        parts = chunks(tasks, CHUNKS_PER_WORKER * workers)
    done = run_tasks(_fit_chunk, (spec, kw, tuple(columns), not serial), parts, n_jobs=n_jobs, scheduler=scheduler,
                     progress=progress, desc="fitting units", unit="unit", sizes=[len(p) for p in parts],
                     meanwhile=meanwhile)
    if scheduler is None and not serial:  # their tables still to be made are made on these workers (make_unread)
        for part in done:
            if part.unread is not None:
                part.unread.n_jobs = n_jobs
    return [o for part in done for o in (part if serial else part.outcomes())]
