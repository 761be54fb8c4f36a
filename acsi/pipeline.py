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
``reason`` the user can read, for the unit and for each of its latent indexes.

Status rules
------------
Each latent index has its own status and reason (:func:`latent_status`), so a problem in
one block does not withdraw a sound index of another (issue 13: an inadmissible loyalty
block must not take the unit's satisfaction index out of the aggregation):

==========================================================  ==========================  ============
problem                                                     indexes it invalidates      status
==========================================================  ==========================  ============
estimation failed (error, not converged, too few rows)      every latent                failed
a latent's item weights refused (negative or undefined)     that latent (no index)      failed
negative residual variance of an item                       the latent it measures      inadmissible
negative (residual) variance of a latent                    that latent                 inadmissible
latent covariance matrix not positive definite              the latents of its improper inadmissible
                                                            directions (eigenvectors of
                                                            eigenvalues <= 0, component
                                                            >= 0.1 in absolute value)
any other problem (an observed structural variable's        every latent (it cannot be  inadmissible
negative variance, PLS's inadmissible PLSc solution)        tied to one block)
==========================================================  ==========================  ============

An item's residual variance enters exactly its own latent's weights (``w ∝ λ/θ``), so it
invalidates that index and no other.  A ``failed`` latent has no index (NaN); an
``inadmissible`` one keeps its computed value with the reason, and the aggregation leaves it
out (only ``ok`` indexes are aggregated).  The unit's status (:func:`unit_status`) is
``failed`` when the estimation failed or the headline latent cannot be scored,
``inadmissible`` when any index is not ``ok``, and ``ok`` otherwise; its reason lists every
problem.

Survey weights and robust ML
----------------------------
With survey weights the covariance-based estimator fits the weighted moments (lavaan's
``sampling.weights``) with lavaan's inference for weighted data (robust standard errors,
the Yuan-Bentler scaled test); ``options["estimator"]`` chooses ``"ml"``, ``"mlr"``
(robust for non-normal answers) or ``"mlm"`` (Satorra-Bentler), ``options["se"]``
``"standard"`` or ``"robust"`` (:mod:`acsi.estimate.robust`).  The indexes are the
survey-weighted means of the respondents' scores either way.

PLS results go into the same tables as the SEM engines: ``estimates`` holds the outer
loadings (``=~``), path coefficients (``~``) and R² (``r2`` rows, as lavaan's
``rsquare=TRUE``); PLS has no analytic standard errors (``se``/``z``/``pvalue`` are NaN:
bootstrap them); ``weights`` the normalised unstandardised outer weights (Fornell et al.
1996); ``fit_measures`` R² per endogenous latent, iterations and convergence.

Equivalent R for one unit: ``lavaan::sem(model, data)`` then the 0-100 rescaling of the
factor-score-weighted item means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import AcsiError, EstimationError
from .estimate.ml import DEFAULT_ENGINE, SEM_ENGINES
from .estimate.pls_evidence import OPTIONS as PLS_EVIDENCE_OPTIONS
from .estimate.pls_evidence import check_dependencies as _check_pls_evidence
from .estimate.semtables import UNIT_TABLES
from .frames import arrays_table, column_arrays, table, text
from .options import Boolean, InstanceOf, Integer, OneOf, Real, check, check_keys, invalid
from .score import item_weights, latent_scores, observed_scores, unit_index
from .spec import ModelSpec

__all__ = ["ESTIMATORS", "ESTIMATOR_OPTIONS", "ML_ESTIMATORS", "PLS_FIT_OPTIONS", "SEM_ENGINES", "StackedOutcomes",
           "UnitOutcome", "stacked_table",
           "check_estimator_options", "fit_unit", "latent_status", "sem_problem_latents", "unit_status"]

ESTIMATORS = ("sem", "pls")
#: The maximum-likelihood variants of the covariance-based estimator (:mod:`acsi.estimate.robust`),
#: chosen by ``options={"estimator": "mlr"}`` (the command line's ``--estimator mlr``).
ML_ESTIMATORS = ("ml", "mlr", "mlm")
MISSING_POLICIES = ("listwise", "fiml")

_POSITIVE = (Real(0, None, closed="neither"),)
_ITERATIONS = (Integer(min=1),)
#: Identification options of the parameter table (:func:`acsi.spec.build_partable`) that every
#: CB-SEM engine honours: ``std_lv`` (latent variances 1, every loading free; lavaan's
#: ``std.lv = TRUE``) and ``fixed_x`` (exogenous observed covariates fixed at their sample
#: moments, lavaan's default ``fixed.x = TRUE``; ``False`` estimates their (co)variances).
TABLE_OPTIONS = {"std_lv": (Boolean(),), "fixed_x": (Boolean(),)}

_ML = {"estimator": (OneOf(*ML_ESTIMATORS, desc="normal-theory ML, robust MLR or Satorra-Bentler MLM"),),
       "se": (OneOf("standard", "robust"),)}

#: The ``options=`` keys each estimator (and SEM engine) honours, with their constraints;
#: anything else is refused, never ignored.
ESTIMATOR_OPTIONS = {
    ("sem", "semopy"): {"engine": (OneOf(*SEM_ENGINES),), "ftol": _POSITIVE, "maxiter": _ITERATIONS, **_ML,
                        **TABLE_OPTIONS},
    ("sem", "mlfast"): {"engine": (OneOf(*SEM_ENGINES),), "xtol": _POSITIVE, "maxiter": _ITERATIONS, **_ML,
                        **TABLE_OPTIONS},
    ("sem", "fiml"): {"gtol": _POSITIVE, "maxiter": _ITERATIONS, **_ML, **TABLE_OPTIONS},
    ("pls", None): {"scheme": (OneOf("centroid", "factorial", "path"),), "tol": _POSITIVE, "max_iter": _ITERATIONS,
                    "modes": (InstanceOf(dict, desc="a dict latent -> 'A' or 'B'"),),
                    "anchors": (InstanceOf(dict, desc="a dict latent -> item"),),
                    "consistent": (InstanceOf(bool, list, tuple, desc="True, False or a list of latents (PLSc)"),),
                    **PLS_EVIDENCE_OPTIONS},
}
#: The PLS options of the estimation itself (:func:`acsi.estimate.pls.fit_pls`); the others ask for evidence
#: (:mod:`acsi.estimate.pls_evidence`: prediction, blindfolding, the exact-fit test, f² by refits).
PLS_FIT_OPTIONS = ("scheme", "tol", "max_iter", "modes", "anchors", "consistent")


@dataclass(frozen=True, eq=False)
class UnitOutcome:
    """What one unit's fit produced (plain pandas objects); read-only.

    The tables it holds are the record's own: copy them before changing them
    (``FitResult`` tables are copies already).  Outcomes that came back from a worker in a
    :class:`StackedOutcomes` read their rows of the chunk's tables on first access.
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
    latents: pd.DataFrame | None = None  # latent, status, reason: each index's own (latent_status)

    def __getattribute__(self, name):
        value = object.__getattribute__(self, name)
        if type(value) in _DEFERRED:  # a unit's rows of a chunk's table, or a table made on first access: read once
            value = value.read()
            object.__setattr__(self, name, value)
        return value

    def __reduce__(self):  # whole tables of its own, never the chunk's
        return (_outcome, tuple(getattr(self, f) for f in _OUTCOME_FIELDS))


def _outcome(*values) -> UnitOutcome:
    values = list(values)
    values[_OUTCOME_FIELDS.index("extra")] = dict(values[_OUTCOME_FIELDS.index("extra")])
    return UnitOutcome(*values)


_OUTCOME_FIELDS = ("key", "n", "status", "reason", "converged", "admissible", "messages", "estimates",
                   "fit_measures", "weights", "scores", "index", "extra", "latents")
#: The tables of an outcome that :class:`StackedOutcomes` stacks (and the ``extra`` tables).
_TABLE_FIELDS = ("estimates", "fit_measures", "weights", "scores", "index", "latents")


class _Lazy:
    """A table of one unit made on first access from the numbers the unit computed (``make(*args)``,
    a deterministic function of them: the same table whenever it is read).  The value is kept, so
    outcomes that share the record (the pooled outcome of a one-unit fit) read the same object."""

    __slots__ = ("make", "args", "value")

    def __init__(self, make, *args):
        self.make, self.args, self.value = make, args, None

    def read(self):
        if self.make is not None:
            self.value = self.make(*self.args)
            self.make = self.args = None
        return self.value


class _Rows:
    """One unit's rows of a table stacked over the units of a chunk; :meth:`read` gives the
    unit's own table (a frame with its own 0..n-1 index, or a Series for a stacked Series)."""

    __slots__ = ("stack", "start", "stop")

    def __init__(self, stack, start: int, stop: int):
        self.stack, self.start, self.stop = stack, start, stop

    def read(self):
        if self.stack.series:
            return pd.Series(self.stack.table.iloc[self.start].to_numpy(copy=True), index=self.stack.table.columns)
        return self.stack.table.iloc[self.start:self.stop].reset_index(drop=True)


class _Stack:
    """The frames (or Series, as rows) of one table of every unit of a chunk, in one table."""

    __slots__ = ("table", "series", "bounds", "arrays", "lists")

    def __init__(self, table: pd.DataFrame, series: bool, bounds: list):
        self.table, self.series, self.bounds, self.arrays, self.lists = table, series, bounds, None, {}

    def columns(self) -> dict:
        """The stacked table's columns as arrays (read them, never change them), read once."""
        if self.arrays is None:
            self.arrays = dict(zip(self.table.columns, column_arrays(self.table)))
        return self.arrays

    def column_list(self, name) -> list:
        """One stacked column as a Python list, made once (a unit's values are a slice of it)."""
        got = self.lists.get(name)
        if got is None:
            got = self.lists[name] = self.columns()[name].tolist()
        return got


def table_columns(outcome: UnitOutcome, name: str) -> dict | None:
    """The columns of ``outcome``'s table ``name`` (a frame field) as ``{column: array}``: a unit
    that came back in a chunk and has not read the table gets slices of the chunk's columns (no
    frame of its own is made); otherwise the arrays of its frame.  None for no table.  Read the
    arrays, never change them."""
    raw = object.__getattribute__(outcome, name)
    if type(raw) is _Rows and not raw.stack.series:
        return {c: a[raw.start:raw.stop] for c, a in raw.stack.columns().items()}
    value = getattr(outcome, name)
    return None if value is None else dict(zip(value.columns, column_arrays(value)))


def table_lists(outcome: UnitOutcome, name: str, columns) -> list[list] | None:
    """The columns ``columns`` of ``outcome``'s table ``name`` as Python lists (``[frame[c].tolist()
    for c in columns]``): a unit that came back in a chunk gets slices of the chunk's lists, each
    made once for all its units.  None for no table."""
    raw = object.__getattribute__(outcome, name)
    if type(raw) is _Rows and not raw.stack.series:
        return [raw.stack.column_list(c)[raw.start:raw.stop] for c in columns]
    value = getattr(outcome, name)
    return None if value is None else [value[c].tolist() for c in columns]


def _stackable(values: list):
    """A :class:`_Stack` of the non-None ``values`` when they are frames of the same columns,
    dtypes and default index (or Series of the same index and dtype); None otherwise."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    first = present[0]
    if all(type(v) is pd.Series for v in present):
        if not all(v.dtype == first.dtype and v.name is None and v.index.equals(first.index) for v in present):
            return None
        table = pd.DataFrame(np.vstack([v.to_numpy() for v in present]), columns=first.index)
        series = True
    elif all(type(v) is pd.DataFrame for v in present):
        # the dtypes from the columns' arrays, the labels by Index.equals (the same values; the units'
        # tables share their label indexes, so mostly an identity check): no Series of dtypes per unit
        cols, parts = first.columns, [column_arrays(v) for v in present]
        dtypes = [a.dtype for a in parts[0]]
        for v, arrays in zip(present, parts):
            ix = v.index
            if not (isinstance(ix, pd.RangeIndex) and ix.start == 0 and ix.step == 1 and ix.name is None
                    and v.columns.equals(cols) and [a.dtype for a in arrays] == dtypes and v.columns.name is None):
                return None
        joined = _joined(parts)  # column by column: pd.concat's table without its per-frame plan
        table = pd.concat(present, ignore_index=True) if joined is None else arrays_table(dict(zip(cols.tolist(), joined)))
        if _dtypes(table) != dtypes:
            return None
        series = False
    else:
        return None
    bounds, at = [], 0
    for v in values:
        if v is None:
            bounds.append(None)
            continue
        k = 1 if series else len(v)
        bounds.append((at, at + k))
        at += k
    return _Stack(table, series, bounds)


def _joined(parts: list[list]) -> list | None:
    """Each column of equal-dtype frames (``parts``: their column arrays) joined end to end
    (:func:`_concat`), or None when a column cannot be."""
    out = []
    for j in range(len(parts[0])):
        col = _concat([p[j] for p in parts])
        if col is None:
            return None
        out.append(col)
    return out


def _concat(parts: list):
    """One column's arrays joined end to end: numpy arrays of numbers of one dtype
    (``np.concatenate``), or extension arrays of one type and dtype (``_concat_same_type``, what
    ``pd.concat`` uses); None for any other kind or a mix."""
    first = parts[0]
    if isinstance(first, np.ndarray) and first.dtype.kind in "biufc":
        if not all(isinstance(a, np.ndarray) and a.dtype == first.dtype and a.ndim == 1 for a in parts):
            return None
        return np.concatenate(parts)
    if isinstance(first, pd.api.extensions.ExtensionArray):
        if not all(type(a) is type(first) and a.dtype == first.dtype for a in parts):
            return None
        return type(first)._concat_same_type(parts)
    return None


def _dtypes(frame: pd.DataFrame) -> list:
    """``list(frame.dtypes)`` from the columns' arrays (no Series made)."""
    return [a.dtype for a in column_arrays(frame)]


def _lazy_columns(value, *, make: bool = False):
    """The columns a lazy table is made from (:func:`acsi.estimate.semtables.frame` of a dict of
    columns, directly or through :func:`_quality_table`), or None.  A table whose columns are
    still to be made (:func:`_unread`, or a chunk's :class:`_UnreadTable`) gives them with
    ``make``, else None."""
    from .estimate.semtables import Deferred, frame

    if type(value) is _UnreadTable:
        return value.columns() if make else None
    if type(value) is not _Lazy or value.make is None or (not make and _unread(value)):
        return None
    if value.make is frame and len(value.args) == 1:
        cols = value.args[0]
        if isinstance(cols, Deferred):
            cols = cols.columns()
    elif value.make is _quality_table and len(value.args) == 2:
        cols = value.args[0].read()[value.args[1]]
    else:
        return None
    return cols if isinstance(cols, dict) else None


def _unread(value) -> bool:
    """Whether ``value`` (an outcome's extra) is a table whose columns are made on first read from
    a few numbers that pickle as they are (the effects' and impacts' standard errors:
    :class:`~acsi.estimate.semtables.Deferred`; R², reliability, HTMT:
    :class:`~acsi.estimate.semtables.QualityColumns`), not made yet.  A worker sends such a table
    back unread: making it there would cost the chunk ~0.75 ms a unit that a fit in one process
    spends only on the tables it reads; whoever reads it makes it, with the same arithmetic."""
    from .estimate.semtables import Deferred, QualityColumns, frame

    if type(value) is not _Lazy or value.make is None or len(value.args) not in (1, 2):
        return False
    source = value.args[0]
    if value.make is frame and len(value.args) == 1:
        return type(source) is Deferred and source.pending
    return value.make is _quality_table and type(source) is QualityColumns and source.pending


def _stack_columns(values: list):
    """A :class:`_Stack` of lazy tables (:func:`_lazy_columns`) of every unit, made from their
    columns joined (:func:`joined_columns`): the table ``pd.concat`` of the units' tables gives,
    without making a table per unit; None when any unit's value is another kind or the columns
    differ in names, dtypes or lengths."""
    from .estimate.semtables import frame

    cols = [_lazy_columns(v) for v in values]
    if not cols or any(c is None for c in cols):
        return None
    got = joined_columns(cols)
    return None if got is None else _Stack(frame(got[0]), False, got[1])


def joined_columns(cols: list[dict]):
    """``(joined, bounds)``: the units' tables given as dicts of columns, joined column by column
    (numpy arrays of one dtype, or extension arrays of one type; ``frame(joined)`` is the frame
    ``pd.concat`` of their frames gives) and each unit's ``(start, stop)`` rows; None when the
    columns differ in names, kinds, dtypes or lengths."""
    names = list(cols[0])
    joined, bounds, at = {}, [], 0
    for c in cols:
        if list(c) != names:
            return None
        lengths = {len(a) for a in c.values()}
        if len(lengths) > 1:
            return None
        k = lengths.pop() if lengths else 0
        bounds.append((at, at + k))
        at += k
    for name in names:
        joined[name] = _concat([c[name] for c in cols])
        if joined[name] is None:
            return None
    return joined, bounds


def extra_columns(outcomes, name: str) -> list | None:
    """Each outcome's table ``name`` of its ``extra`` (a CB-SEM table) as a dict of columns
    (:func:`_lazy_columns`, made now when still unread) without the unit's frame; None for an
    outcome without the table.  None when any outcome's table is already a frame or of another
    kind (the long table is then built frame by frame)."""
    out = []
    for o in outcomes:
        raw = dict.get(object.__getattribute__(o, "extra"), name)
        cols = None if raw is None else _lazy_columns(raw, make=True)
        if raw is not None and cols is None:
            return None
        out.append(cols)
    return out


class StackedOutcomes:
    """The outcomes of a chunk of units as one table per kind of table (what a worker sends back).

    Pickling a dozen small frames per unit cost more than its fit on two workers (1,600 units:
    about 2 ms to write and 2 ms to read per unit, 53 MB); one table per kind per chunk is read
    and written at memory speed.  :meth:`outcomes` gives the units' :class:`UnitOutcome` records,
    each reading its rows on first access; :func:`stacked_table` hands the long tables of
    :class:`~acsi.results.FitResult` the chunk's table as it is.  A kind whose frames differ in
    columns or dtypes between units travels unit by unit.  The CB-SEM tables still to be made
    (effects, impacts, R², reliability, HTMT) travel unread, as the numbers they are made from
    (:attr:`unread`, :func:`_unread_chunk`): a worker makes none of what a fit in one process
    makes only when it is read.
    """

    def __init__(self, outcomes: list[UnitOutcome]):
        self.head = [tuple(getattr(o, f) for f in _OUTCOME_FIELDS[:7]) for o in outcomes]
        self.stacks: dict[str, _Stack] = {}
        self.own: list[dict] = [{} for _ in outcomes]  # per unit: tables and extras that travel as they are
        # the CB-SEM tables still to be made, as the numbers they are made from (one array per kind)
        self.unread = _unread_chunk(outcomes)
        unread = () if self.unread is None else self.unread.names
        extra_keys = [k for k in dict.fromkeys(k for o in outcomes for k in o.extra) if k not in unread]
        for name in (*_TABLE_FIELDS, *(f"extra:{k}" for k in extra_keys)):
            st = None
            if name.startswith("extra:"):
                # a table every unit makes on first access from its columns: one table of the
                # units' columns, without a frame per unit (_stack_columns); else read them
                raw = [dict.get(o.extra, name[6:]) for o in outcomes]
                st = _stack_columns(raw)
                # unless stacked, a table still to be made goes back as it is (_unread), the others read
                values = None if st is not None else [v if _unread(v) else o.extra.get(name[6:])
                                                      for v, o in zip(raw, outcomes)]
            else:
                values = [getattr(o, name) for o in outcomes]
            if st is None:
                st = _stackable(values)
            if st is None:
                for own, v, o in zip(self.own, values, outcomes):
                    if not name.startswith("extra:") or name[6:] in o.extra:
                        own[name] = v
            else:
                self.stacks[name] = st
                for own, o in zip(self.own, outcomes):  # keys present with a None value stay present
                    if name.startswith("extra:") and name[6:] in o.extra and dict.get(o.extra, name[6:]) is None:
                        own[name] = None
        self.extra_order = [list(o.extra) for o in outcomes]

    def outcomes(self) -> list[UnitOutcome]:
        out = []
        for i, head in enumerate(self.head):
            own = self.own[i]

            def value(name, i=i, own=own):
                if name in own:
                    return own[name]
                if self.unread is not None and name.startswith("extra:") and name[6:] in self.unread.names:
                    return _UnreadTable(self.unread, self.unread.rows[i], name[6:])
                st = self.stacks.get(name)
                b = None if st is None else st.bounds[i]
                return None if b is None else _Rows(st, *b)

            extra = _LazyExtra({k: value(f"extra:{k}") for k in self.extra_order[i]})
            fields = dict(zip(_OUTCOME_FIELDS[:7], head))
            fields.update({f: value(f) for f in _TABLE_FIELDS}, extra=extra)
            out.append(UnitOutcome(**fields))
        return out


class _UnreadChunk:
    """A chunk's :class:`~acsi.estimate.semtables.UnreadStack` and the units' tables-to-be made
    from it so far (a unit's five tables share one ``EffectsAt`` and one quality record)."""

    __slots__ = ("stack", "rows", "made", "n_jobs")
    names = UNIT_TABLES  # the tables it holds

    def __init__(self, stack, rows: dict):
        self.stack, self.rows, self.made = stack, rows, {}  # rows: unit of the chunk -> its row of the stack
        self.n_jobs = 1  # the joblib workers that fitted it (acsi.fitting._run): they make its tables (make_unread)

    def __reduce__(self):
        return (_UnreadChunk, (self.stack, self.rows))

    def columns(self, i: int, name: str) -> dict | None:
        """Row ``i``'s table ``name`` as a dict of columns (made once; None: no impacts)."""
        parts = self.made.get(i)
        if parts is None:
            parts = self.made[i] = self.stack.unit(i)
        effects, impacts, quality = parts
        if name == "effects":
            return effects.columns()
        if name == "impacts":
            return None if impacts is None else impacts.columns()
        return quality.read()[name]


class _UnreadTable:
    """Row ``i``'s table ``name`` of a chunk's unread CB-SEM tables, made when first read."""

    __slots__ = ("chunk", "i", "name")

    def __init__(self, chunk: _UnreadChunk, i: int, name: str):
        self.chunk, self.i, self.name = chunk, i, name

    def columns(self) -> dict:
        return self.chunk.columns(self.i, self.name)

    def read(self) -> pd.DataFrame:
        from .estimate.semtables import frame

        return frame(self.columns())


def make_unread(outcomes) -> None:
    """Make the unread CB-SEM tables of ``outcomes``' chunks (:class:`_UnreadChunk`) on the joblib
    workers that fitted them, a chunk a task, when there are several such chunks: what a long
    table of every unit (``FitResult.effects``, ``save``) needs, at the cost the workers would
    have paid to send them made, instead of this process making them one after another.  Each
    table is the one this process would make (the same arithmetic on the same numbers, one BLAS
    thread everywhere); tables already made stay as they are."""
    from .estimate.semtables import made_columns
    from .parallel import MIN_UNITS_PER_FRESH_WORKER, run_tasks, worker_count, workers_running

    chunks = {}
    for o in outcomes:
        raw = dict.get(object.__getattribute__(o, "extra"), UNIT_TABLES[0])
        if type(raw) is _UnreadTable and len(raw.chunk.made) < len(raw.chunk.stack):
            chunks.setdefault(id(raw.chunk), raw.chunk)
    todo = list(chunks.values())
    n_jobs = max((c.n_jobs for c in todo), default=1)
    if len(todo) < 2 or n_jobs == 1:
        return
    workers = worker_count(n_jobs)
    if not workers_running(workers) and sum(len(c.stack) for c in todo) < MIN_UNITS_PER_FRESH_WORKER * workers:
        return  # the workers have stopped (idle): these few are made here, faster than starting them again
    done = run_tasks(_unread_tables, None, [c.stack for c in todo], n_jobs=n_jobs)
    for chunk, tables in zip(todo, done):
        for i in range(len(chunk.stack)):
            if i not in chunk.made:
                cols = {name: _row_columns(tables[name], i) for name in UNIT_TABLES}
                chunk.made[i] = made_columns(cols["effects"], cols["impacts"],
                                             {k: cols[k] for k in UNIT_TABLES[2:]})


def _unread_tables(_, stack) -> dict:
    """The tables of every row of ``stack`` (a task of :func:`make_unread`): per table, its rows'
    columns joined (:func:`joined_columns`) with each row's bounds (None: the row has no such
    table), or the rows' columns as they are when they do not join; a few long arrays travel
    back, not a dozen small ones a row."""
    chunk = _UnreadChunk(stack, {})
    out = {}
    for name in UNIT_TABLES:
        cols = [chunk.columns(i, name) for i in range(len(stack))]
        present = [c for c in cols if c is not None]
        got = joined_columns(present) if present else None
        if got is None:
            out[name] = ("rows", cols)
            continue
        bounds, it = [], iter(got[1])
        for c in cols:
            bounds.append(None if c is None else next(it))
        out[name] = ("joined", got[0], bounds)
    return out


def _row_columns(table: tuple, i: int) -> dict | None:
    """Row ``i``'s columns of a table of :func:`_unread_tables` (slices of the joined columns)."""
    if table[0] == "rows":
        return table[1][i]
    b = table[2][i]
    return None if b is None else {c: a[b[0]:b[1]] for c, a in table[1].items()}


def _unread_chunk(outcomes) -> _UnreadChunk | None:
    """The chunk's effects, impacts, R², reliability and HTMT, every unit's still to be made
    (:func:`_unread`), as one :func:`~acsi.estimate.semtables.stack_unread` (a unit without any
    of them, one that failed, has no row); None when any unit's are otherwise (some made or
    missing, of another model), and they travel table by table."""
    from .estimate.semtables import stack_unread

    effects, impacts, quality, rows = [], [], [], {}
    for i, o in enumerate(outcomes):
        if not any(k in o.extra for k in UNIT_TABLES):
            continue
        # every table unread; impacts may be absent (not computable: a message of the fit)
        raw = [dict.get(o.extra, k) for k in UNIT_TABLES]
        no_impacts = "impacts" not in o.extra
        if not all(map(_unread, [raw[0], *raw[2:]] if no_impacts else raw)):
            return None
        q = {id(v.args[0]) for v in raw[2:]}
        if len(q) != 1 or any(v.args[1] != k for v, k in zip(raw[2:], UNIT_TABLES[2:])):
            return None
        rows[i] = len(effects)
        effects.append(raw[0].args[0])
        impacts.append(None if no_impacts else raw[1].args[0])
        quality.append(raw[2].args[0])
    stack = stack_unread(effects, impacts, quality)
    return None if stack is None else _UnreadChunk(stack, rows)


#: The values an outcome reads on first access.
_DEFERRED = (_Rows, _Lazy, _UnreadTable)


class _LazyExtra(dict):
    """``UnitOutcome.extra`` whose stacked tables (and tables made on first access) are read on first access."""

    def __getitem__(self, key):
        value = dict.__getitem__(self, key)
        if type(value) in _DEFERRED:
            value = value.read()
            dict.__setitem__(self, key, value)
        return value

    def get(self, key, default=None):
        return self[key] if key in self else default

    def items(self):
        return [(k, self[k]) for k in self]

    def values(self):
        return [self[k] for k in self]

    def __reduce__(self):
        return (dict, (dict(self.items()),))


def stacked_table(outcomes, name: str):
    """``(stacks, lengths)``: the chunk tables of ``name`` (a field, or ``extra:<key>``) that hold
    ``outcomes``' tables in order, each whole, and each outcome's number of rows (None without one);
    None unless every outcome's table is still unread rows of such tables."""
    stacks, lengths = [], []
    current, expect = None, 0
    for o in outcomes:
        if name.startswith("extra:"):
            ex = object.__getattribute__(o, "extra")
            raw = dict.get(ex, name[6:]) if isinstance(ex, dict) else None
        else:
            raw = object.__getattribute__(o, name)
        if raw is None:
            lengths.append(None)
            continue
        if type(raw) is not _Rows:
            return None
        if raw.stack is not current:
            if current is not None and expect != len(current.table):
                return None
            current, expect = raw.stack, 0
            stacks.append(current)
        if raw.start != expect:
            return None
        lengths.append(raw.stop - raw.start)
        expect = raw.stop
    if current is not None and expect != len(current.table):
        return None
    return stacks, lengths


class _Draft:
    """The outcome while the unit runs; :meth:`freeze` makes the read-only :class:`UnitOutcome`."""

    def __init__(self, key: tuple, n: int, latent_ids=()):
        self.key, self.n = key, n
        self.status, self.reason = "failed", ""
        self.converged = self.admissible = False
        self.messages: tuple[str, ...] = ()
        self.estimates = self.fit_measures = self.weights = self.scores = self.index = None
        self.extra: dict = _LazyExtra()
        self.latents = None
        self._latent_ids = tuple(latent_ids)

    def freeze(self) -> UnitOutcome:
        fields = {k: v for k, v in vars(self).items() if not k.startswith("_")}
        if fields["latents"] is None and self.status == "failed":  # a failed estimation fails every index
            fields["latents"] = pd.DataFrame({"latent": list(self._latent_ids), "status": "failed",
                                              "reason": self.reason}, columns=["latent", "status", "reason"])
        return UnitOutcome(**fields)


def check_estimator_options(estimator: str, missing: str, options: dict | None, *, where: str = "acsi.fit",
                            weighted: bool = False) -> dict:
    """Refuse an estimator/missing-data combination or an ``options`` key that would be ignored.

    Returns the options as a plain dict.  The keys each estimator honours are in
    :data:`ESTIMATOR_OPTIONS`.  ``weighted``: survey weights are used (Satorra-Bentler's MLM
    cannot honour them).
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
            if mode == "semopy":  # the optional extra: refused before the work, saying how to install it
                from .estimate.sem import require_semopy

                require_semopy()
        known = ESTIMATOR_OPTIONS[("sem", mode)]
        context = f"for estimator='sem' with {'missing=' + repr(missing) if mode == 'fiml' else 'engine=' + repr(mode)}"
    else:
        known, context = ESTIMATOR_OPTIONS[("pls", None)], "for estimator='pls'"
    check_keys(where, "options", options, known, context=context)
    for key, value in options.items():
        check(where, f"options[{key!r}]", value, *known[key])
    if options.get("estimator") == "mlm":
        if missing == "fiml":
            raise invalid(where, "options['estimator']",
                          "'ml' or 'mlr' with missing='fiml' (Satorra-Bentler's MLM needs complete data, as lavaan's "
                          "\"MLM\"; 'mlr' gives robust standard errors and a scaled test with FIML)", "mlm")
        if weighted:
            raise invalid(where, "options['estimator']",
                          "'ml' or 'mlr' with survey weights (Satorra-Bentler's MLM uses unweighted fourth moments, "
                          "so it cannot honour the weights; 'mlr' is lavaan's default for weighted data)", "mlm")
    if estimator == "pls":
        _check_pls_evidence(options, where)
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
        Survey weights, one per row of ``data`` (default: none).  With weights the SEM is fitted
        to the weighted moments (lavaan's ``sampling.weights``; robust standard errors and the
        scaled test by default) and the indexes are weighted means; PLS is weighted too.
    """
    n = len(data)
    out = _Draft(key, n, spec.latent_ids)
    if estimator == "pls" and missing == "fiml":  # acsi.fit refuses this; a direct call gets a failed unit
        out.reason = ("the PLS estimator cannot use incomplete respondents (missing='fiml'); "
                      "use estimator='sem' for full-information ML, or missing='listwise'")
        return out.freeze()
    options = check_estimator_options(estimator, missing, options, where="acsi.pipeline.fit_unit",
                                      weighted=weights is not None)
    v = None if weights is None else np.asarray(weights, dtype=float)
    if v is not None and v.shape != (n,):
        raise invalid("acsi.pipeline.fit_unit", "weights", f"an array of {n} survey weights (one per row)", v.shape)
    if n < min_n:
        what = "with at least one answer" if missing == "fiml" else "with complete answers"
        out.reason = f"too few respondents {what} (n={n} < min_n={min_n})"
        return out.freeze()
    try:
        if estimator == "sem":
            _fit_sem_unit(out, data, spec, options, fiml=missing == "fiml", weights=v)
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


def _fit_sem_unit(out: _Draft, data: pd.DataFrame, spec: ModelSpec, options: dict, *, fiml: bool,
                  weights: np.ndarray | None = None) -> None:
    engine = options.get("engine", DEFAULT_ENGINE)
    table = {k: v for k, v in options.items() if k in TABLE_OPTIONS}
    # ML variant, se, tolerances
    tuning = {k: v for k, v in options.items() if k != "engine" and k not in TABLE_OPTIONS}
    from .estimate.mlfast import compiled_model

    model = compiled_model(spec, **({"meanstructure": True} if fiml else {}), **table)
    if fiml:
        from .estimate.fiml import fit_sem_fiml

        res = fit_sem_fiml(data, spec, model=model, weights=weights, **tuning)
    elif engine == "semopy":
        from .estimate.sem import fit_sem

        res = fit_sem(data, spec.partable(**table) if table else spec, weights=weights, **tuning)
    else:
        from .estimate.ml import fit_sem_fast

        res = fit_sem_fast(data, spec, model=model, weights=weights, **tuning)
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
    # latents, then observed structural outcomes on their own scale (a 0/1 complaint: its rate in %)
    scores, observed = latent_scores(data, spec, out.weights), observed_scores(data, spec)
    out.scores = pd.concat([scores, observed], axis=1) if len(observed.columns) else scores
    problems = sem_problem_latents(spec, res)
    out.latents = latent_status(spec, out.weights, problems)
    out.status, out.reason = unit_status(spec, out.weights, [p for p, _ in problems])
    _add_sem_tables(out, spec, model, res)


def _add_sem_tables(out: _Draft, spec: ModelSpec, model, res) -> None:
    """Effects, ACSI impacts, R², reliability and HTMT into ``out.extra``
    (:func:`acsi.estimate.semtables.unit_tables`); a table that cannot be computed is named in
    the messages."""
    from .estimate.semtables import QUALITY_TABLES, QualityColumns, _weights_of, effect_columns, frame

    try:  # the effects and impacts now (one that cannot be computed is a message now), their frames on first access
        tables, notes = effect_columns(spec, model, res, _weights_of(out.weights))
    except (AcsiError, np.linalg.LinAlgError, ValueError) as exc:
        tables, notes = None, [f"effects, impacts and reliability not computed: {exc}"]
    if tables is not None:
        out.extra.update({name: _Lazy(frame, cols) for name, cols in tables.items()})
        # R², reliability, HTMT: arithmetic on the estimate table and sample covariance, on first access
        quality = QualityColumns(spec, model, res.estimates, res.groups[0])  # its covariance array
        out.extra.update({name: _Lazy(_quality_table, quality, name) for name in QUALITY_TABLES})
    out.messages = tuple(out.messages) + tuple(notes)


def _quality_table(columns, name: str) -> pd.DataFrame:
    from .estimate.semtables import frame

    return frame(columns.read()[name])


_ITEM = re.compile(r"negative residual variance of item (\S+) ")
_LATENT = re.compile(r"negative \(residual\) variance of latent (\S+) ")


def sem_problem_latents(spec: ModelSpec, res) -> list[tuple[str, tuple | None]]:
    """The SEM solution's inadmissibility problems (``res.problems``), each with the latents
    whose indexes it invalidates (``None``: every latent), by the rules of the module docstring."""
    item_of = {it: lv.id for lv in spec.latents for it in lv.item_ids}
    latent_ids = set(spec.latent_ids)
    out = []
    for p in res.problems:
        m = _ITEM.match(p)
        if m and m.group(1) in item_of:
            out.append((p, (item_of[m.group(1)],)))
            continue
        m = _LATENT.match(p)
        if m and m.group(1) in latent_ids:
            out.append((p, (m.group(1),)))
            continue
        if "covariance matrix of the latent variables is not positive definite" in p:
            involved = _improper_latents(res.latent_cov, latent_ids)
            if involved:
                out.append((f"{p} (improper in {', '.join(involved)})", tuple(involved)))
                continue
        out.append((p, None))
    return out


def _improper_latents(latent_cov: pd.DataFrame, latent_ids: set) -> list[str]:
    """Declared latents with a component of at least 0.1 (absolute) in an eigenvector of an
    eigenvalue <= 0 of the latent covariance matrix: the directions that make it improper."""
    A = latent_cov.to_numpy(dtype=float)
    ev, vec = np.linalg.eigh(0.5 * (A + A.T))
    bad = vec[:, ev <= 0]
    names = list(latent_cov.index)
    return [names[j] for j in range(len(names)) if names[j] in latent_ids and bad.size
            and np.abs(bad[j]).max() >= 0.1]


def latent_status(spec: ModelSpec, weights: pd.DataFrame | None, problems) -> pd.DataFrame:
    """Each latent index's ``status`` and ``reason`` (the table in the module docstring).

    ``weights``: the item weights with their ``problem`` column (refused weights fail that
    latent); ``problems``: ``(message, latents)`` pairs (``None``: every latent).
    """
    status = {lv: "ok" for lv in spec.latent_ids}
    reasons: dict[str, list[str]] = {lv: [] for lv in spec.latent_ids}
    for lv, prob in _refused_weights(weights):
        status[lv] = "failed"
        reasons[lv].append(prob)
    for msg, lats in problems:
        for lv in (spec.latent_ids if lats is None else lats):
            if status[lv] == "ok":
                status[lv] = "inadmissible"
            if msg not in reasons[lv]:
                reasons[lv].append(msg)
    return table({"latent": text(spec.latent_ids), "status": text([status[lv] for lv in spec.latent_ids]),
                  "reason": text(["; ".join(reasons[lv]) for lv in spec.latent_ids])})


def _refused_weights(weights: pd.DataFrame | None) -> list[tuple[str, str]]:
    """``(latent, problem)`` of every latent whose item weights were refused (a non-empty
    ``problem`` in :func:`acsi.score.item_weights`), each pair once, in table order."""
    if weights is None or "problem" not in weights:
        return []
    pairs = zip(weights["latent"].tolist(), weights["problem"].tolist())
    return list(dict.fromkeys((lv, p) for lv, p in pairs if isinstance(p, str) and p))


def unit_status(spec: ModelSpec, weights: pd.DataFrame | None, problems: list[str]) -> tuple[str, str]:
    """The unit's ``(status, reason)``: ``failed`` (headline not scorable), ``inadmissible`` (any
    problem), ``ok``; each index's own status is :func:`latent_status`.

    ``problems`` are the estimator's inadmissibility messages; the ``problem`` column of
    ``weights`` adds the latents whose item weights were refused.  Every reason is listed.
    """
    w = weights
    scoring = list(dict.fromkeys(p for _, p in _refused_weights(w)))
    reasons = list(problems) + scoring
    headline_bad = w is not None and any(lv == spec.headline and not (x == x) for lv, x in
                                         zip(w["latent"].tolist(), w["weight"].tolist()))  # a NaN weight
    if headline_bad:
        status = "failed"
    elif reasons:
        status = "inadmissible"
    else:
        status = "ok"
    return status, "; ".join(reasons)


def _fit_pls_unit(out: _Draft, data: pd.DataFrame, spec: ModelSpec, options: dict, v: np.ndarray | None) -> None:
    """PLS for one unit; the fit is kept (``extra["pls"]``, a :class:`~acsi.estimate.pls.PLSResult`) with
    its evidence tables (``extra["pls_tables"]``, :func:`acsi.estimate.pls_evidence.evidence` for the
    headline; what this unit's sample cannot give is named in ``messages``)."""
    from .estimate.pls import fit_pls
    from .estimate.pls_evidence import evidence

    if v is not None and np.allclose(v, 1.0):
        v = None
    res = fit_pls(
        data[list(spec.item_ids)], spec.blocks, list(spec.paths), weights=v,
        scale_bounds=dict(spec.scale_bounds), **{k: x for k, x in options.items() if k in PLS_FIT_OPTIONS},
    )
    out.extra["pls"] = res
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
    if not res.converged:
        out.status = "failed"
        out.reason = f"PLS did not converge in {res.n_iter} iterations; raise max_iter or loosen tol"
        out.scores = None
        return
    ev = evidence(res, target=spec.headline, strict=False, **{k: x for k, x in options.items() if k not in PLS_FIT_OPTIONS})
    out.extra["pls_tables"] = ev.tables()
    out.messages = ev.messages
    out.latents = latent_status(spec, out.weights, [(p, None) for p in res.problems])
    out.status, out.reason = unit_status(spec, out.weights, list(res.problems))
