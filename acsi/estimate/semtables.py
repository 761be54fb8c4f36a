"""The tables a CB-SEM unit's record carries besides its estimate table: effects, ACSI impacts,
R², construct reliability and HTMT.

One function, :func:`unit_tables`, computes them from one fitted unit (the compiled model, its
:class:`~acsi.estimate.SEMResult` and item weights), so the per-unit pipeline,
the pooled fit and the bootstrap's point estimates read the same numbers:

* ``effects``: direct, indirect and total effect of every structural variable on every one it
  reaches, unstandardised, ``std_lv`` and ``std_all``, with delta-method SEs
  (:func:`acsi.estimate.effects.effects`; R: ``:=`` rows of ``parameterEstimates``);
* ``impacts``: the ACSI impact of each driver on each target, the change in the target's 0-100
  score from a ``rise``-point (5) rise in the driver's score, from the total effects and the
  unit's own item weights (:func:`acsi.estimate.effects.acsi_impacts`), delta-method SE with
  the weights held fixed.  An observed structural variable (a 0/1 complaint) enters on its own
  scale (weight 1, ``100 / (max − min)`` points per unit); impacts from or on a variable without
  a scale (age in years) are left out, since it has no 0-100 score;
* ``rsquare``: R² of every endogenous variable (latent or observed: the ``r2`` rows of the
  estimate table; R: ``inspect(fit, "r2")``);
* ``reliability``: per latent Cronbach's α (:func:`~acsi.estimate.quality.cronbach_alpha`),
  ρc and AVE from the CB-SEM standardised loadings (``std_all``;
  :func:`~acsi.estimate.quality.rho_c_and_ave`, as ``composite_reliability`` and ``ave``:
  semTools' ``compRelSEM``/``AVE`` for congeneric blocks), ρA (Dijkstra & Henseler 2015,
  :func:`~acsi.estimate.quality.rho_a`) with weights proportional to the standardised loadings
  (the limit of PLS Mode A weights, on which ρA's consistency rests; the unit's λ/θ scoring
  weights are not proportional to λ); α, ρA and HTMT come from the fit's own sample covariance
  of the items (survey-weighted when the fit is; under FIML the EM estimate, which uses every
  answer), so they describe the data the model was fitted to;
* ``htmt``: heterotrait-monotrait ratios, long format (``latent_a``, ``latent_b``, ``htmt``;
  :func:`~acsi.estimate.quality.htmt`, R: ``semTools::htmt``).

A table that cannot be computed (an impact needs every latent on a path to have positive item
weights) is left out and the reason is returned in ``messages``; nothing is filled in.

What does not depend on the fit (the observed variables' scales, which impact rows have an
unscaled end, the blocks' item positions, the label columns) is worked out once per (spec,
compiled model) and reused for every unit; the effects and impacts come from one
:class:`~acsi.estimate.effects.EffectsAt`, and blocks of the same size are computed together
(:func:`~acsi.estimate.quality._alphas_from_covs` and its siblings, whose rows equal the one-block
functions bit for bit).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..errors import AcsiError
from ..spec import ModelSpec
from ..frames import arrays_table
from .effects import EffectsAt, effect_pairs
from .quality import _alphas_from_covs, _cor, block_indicator, _htmt_from_cor, _rho_as_from_cors, _rho_c_and_ave_rows
from .result import GroupTables, positions

__all__ = ["QUALITY_TABLES", "UNIT_TABLES", "Deferred", "effect_columns", "exo_of", "frame", "quality_columns",
           "unit_tables"]

#: The tables :func:`unit_tables` returns (keys of ``UnitOutcome.extra``).
UNIT_TABLES = ("effects", "impacts", "rsquare", "reliability", "htmt")


def _positions(index, names, what: str) -> np.ndarray:
    """Positions of ``names`` in a pandas index (:func:`acsi.estimate.result.positions`)."""
    return positions(tuple(index.tolist()), tuple(names), what)


def _moments(frame: pd.DataFrame, names) -> np.ndarray:
    """``frame.loc[names, names]`` as a float array (a covariance matrix's sub-matrix)."""
    r = _positions(frame.index, names, "the sample covariance")
    c = _positions(frame.columns, names, "the sample covariance")
    return frame.to_numpy(dtype=float)[np.ix_(r, c)]


def exo_of(model, res) -> np.ndarray | None:
    """The first group's covariate moments fixed at their sample values (``fixed_x``), as the
    estimate table used them."""
    gm = model.groups[0]
    if not gm.has_exo:
        return None
    S = _moments(res.sample_cov, gm.ov)
    g = res.groups[0] if res.groups else {}
    mean = g.get("sample_mean")
    mean = None if mean is None else mean.to_numpy(dtype=float)[_positions(mean.index, gm.ov, "the sample mean")][None]
    return gm.exo_values(S[None], mean)[0]


def _scales(spec: ModelSpec, ov) -> tuple[dict, dict, list[str]]:
    """Scale minimum and maximum of each observed variable of ``ov``; an unscaled one gets the
    stand-in ``[0, 1]`` and is listed in the last return value."""
    bounds = spec.scale_bounds
    lo, hi, unscaled = {}, {}, []
    for x in ov:
        if x in bounds:
            lo[x], hi[x] = bounds[x]
        else:
            lo[x], hi[x] = 0.0, 1.0
            unscaled.append(x)
    return lo, hi, unscaled


def _weights_of(weights: pd.DataFrame) -> dict:
    """Item -> weight of an item-weight table (:func:`acsi.score.item_weights`)."""
    return dict(zip(map(str, weights["item"].tolist()), weights["weight"].to_numpy(dtype=float).tolist()))


def impact_inputs(spec: ModelSpec, ov, weights: pd.DataFrame) -> tuple[dict, dict, dict, list[str]]:
    """Item weights and scales for :func:`~acsi.estimate.effects.acsi_impacts` over the model's
    observed variables ``ov``: items their unit weights, an observed structural variable weight 1
    on its scale; an unscaled variable gets a stand-in scale and is returned in the last list so
    its rows can be dropped."""
    w = _weights_of(weights)
    lo, hi, unscaled = _scales(spec, ov)
    return {x: w.get(x, 1.0) for x in ov}, lo, hi, unscaled


class _Plan:
    """What :func:`unit_tables` needs of a (spec, compiled model) besides the fit: the observed
    variables' scales, which impact rows have an unscaled end (dropped), the measurement blocks'
    item positions and the label columns of the reliability and HTMT tables."""

    def __init__(self, spec: ModelSpec, model):
        gm = model.groups[0]
        self.ov = list(gm.ov)
        lo, hi, unscaled = _scales(spec, self.ov)
        self.lo = np.array([float(lo[x]) for x in self.ov])
        self.hi = np.array([float(hi[x]) for x in self.ov])
        drop = set(unscaled)
        keep = np.array([gm.lv[f] not in drop and gm.lv[t] not in drop for f, t in effect_pairs(model)], dtype=bool)
        self.keep = None if keep.all() else keep
        self.layout = _Blocks(spec)


class _Blocks:
    """The measurement blocks of a spec as :func:`_reliability` reads them: item positions in
    ``spec.item_ids``, the sub-matrix selectors, the latent pairs of the HTMT table and the
    label columns."""

    def __init__(self, spec: ModelSpec):
        self.items = list(spec.item_ids)
        self.blocks = {lv: list(items) for lv, items in spec.blocks.items()}
        self.lvs = list(self.blocks)
        pos = {it: i for i, it in enumerate(self.items)}
        self.idx = [np.array([pos[i] for i in self.blocks[lv]]) for lv in self.lvs]
        self.M = block_indicator(self.idx, len(self.items))
        J = len(self.lvs)
        pairs = [(i, k) for i in range(J) for k in range(i + 1, J)]
        self.ia = np.array([i for i, _ in pairs], dtype=np.intp)
        self.ib = np.array([k for _, k in pairs], dtype=np.intp)
        self.latent = _labels(self.lvs)
        self.latent_a = _labels([self.lvs[i] for i in self.ia])
        self.latent_b = _labels([self.lvs[k] for k in self.ib])
        self.n_items = np.array([len(self.blocks[lv]) for lv in self.lvs], dtype=np.int64)
        # blocks of the same size are computed together: (latent positions, their items' positions (n × k))
        by_size: dict[int, list[int]] = {}
        for j, lv in enumerate(self.lvs):
            by_size.setdefault(len(self.blocks[lv]), []).append(j)
        self.sizes = [(np.array(js, dtype=np.intp), np.array([self.idx[j] for j in js], dtype=np.intp).reshape(len(js), k),
                       [self.blocks[self.lvs[j]] for j in js]) for k, js in by_size.items()]


def _labels(values) -> object:
    """A label column as the DataFrame constructor makes it from a list, built once."""
    return pd.Series(list(values), dtype=None if len(values) else object).array


@functools.lru_cache(maxsize=64)
def _cached_plan(spec: ModelSpec, model) -> _Plan:
    return _Plan(spec, model)


def _plan(spec: ModelSpec, model) -> _Plan:
    """The (spec, model)'s :class:`_Plan`, built once (both are immutable once made)."""
    try:
        return _cached_plan(spec, model)
    except TypeError:  # an unhashable spec
        return _Plan(spec, model)


@functools.cache
def _label_dtype():
    """The dtype the DataFrame constructor gives a column of labels (pandas 3: ``str``)."""
    return pd.Series(["x"]).dtype


def _take(col: pd.Series, mask: np.ndarray):
    """The rows ``mask`` of a label column as a table column: the column's own array when it has
    the dtype a list of its labels would get, else the labels as objects (the constructor infers)."""
    if col.dtype == _label_dtype() and col.dtype != object:
        return col.array[np.flatnonzero(mask)]
    return col.to_numpy(dtype=object)[mask]


def unit_tables(spec: ModelSpec, model, res, weights: pd.DataFrame, *, rise: float = 5.0,
                level: float = 0.95) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """``({name: table}, messages)`` for one fitted CB-SEM unit (module docstring).

    ``res`` is the unit's :class:`~acsi.estimate.SEMResult` from ``model``; ``weights`` its item
    weights (:func:`acsi.score.item_weights`).  α, ρA and HTMT use the fit's sample covariance.
    """
    cols, messages = effect_columns(spec, model, res, _weights_of(weights), rise=rise, level=level)
    cols.update(quality_columns(spec, model, res.estimates, res.sample_cov))
    return {name: frame(c) for name, c in cols.items()}, messages


#: The tables of :func:`quality_columns` (the others of :data:`UNIT_TABLES` are :func:`effect_columns`').
QUALITY_TABLES = ("rsquare", "reliability", "htmt")


def frame(columns) -> pd.DataFrame:
    """The table of one entry of :func:`effect_columns` or :func:`quality_columns` (a dict of
    columns, a :class:`Deferred` one, or a frame as it is; :func:`acsi.frames.arrays_table`: numpy
    and pandas arrays as they are, anything else through pandas' conversion)."""
    if isinstance(columns, Deferred):
        columns = columns.columns()
    return columns if isinstance(columns, pd.DataFrame) else arrays_table(columns)


def effect_columns(spec: ModelSpec, model, res, weights: dict, *, rise: float = 5.0,
                   level: float = 0.95) -> tuple[dict, list[str]]:
    """The effects and impacts of :func:`unit_tables` before their frames are made: ``({name: columns},
    messages)``, each entry a dict of columns (``frame(columns)`` is the table), a frame, or the
    columns' :class:`Deferred` (their standard errors, made when first read); ``weights`` maps
    item -> item weight.  The estimates are computed here, so a table that cannot be computed is
    named in ``messages`` whether or not its frame is ever made (the pipeline makes them on first
    access); their delta-method standard errors are arithmetic on those estimates and the
    covariance of θ̂ (a complex-step Jacobian), made with the table."""
    plan = _plan(spec, model)
    out: dict = {}
    messages: list[str] = []
    theta = np.asarray(res.extra["theta"], dtype=float)
    V = None if res.vcov_matrix is None else np.asarray(res.vcov_matrix, dtype=float)
    at = EffectsAt(model, theta, exo=exo_of(model, res))  # effects and impacts share θ̂'s matrices and steps
    eff = at.effect_columns(None, level=level)  # what cannot be computed raises here, not when read
    if V is not None:  # the covariance of the parameters the Jacobians take (what an unread table keeps)
        V = at._vsub(V)
    if eff is None:
        out["effects"] = at.effects(V, level=level)
    else:
        out["effects"] = eff if V is None else Deferred(at.effect_columns, V, level=level)
    impact = dict(weights=np.array([weights.get(x, 1.0) for x in plan.ov]), lo=plan.lo, hi=plan.hi, rise=rise,
                  level=level, keep=plan.keep)
    try:
        cols = at.impact_columns(None, **impact)
        out["impacts"] = cols if V is None else Deferred(at.impact_columns, V, **impact)
    except AcsiError as exc:
        messages.append(f"ACSI impacts not computed: {exc}")
    return out, messages


class Deferred:
    """A table's columns made on first read (:meth:`columns`: ``make(*args, **kwargs)``, then kept):
    :func:`effect_columns`' tables with their standard errors (and, as :class:`QualityColumns`,
    the R², reliability and HTMT)."""

    __slots__ = ("_make", "_args", "_kwargs", "_value")

    def __init__(self, make, *args, **kwargs):
        self._make, self._args, self._kwargs, self._value = make, args, kwargs, None

    @classmethod
    def _of(cls, make, args, value):
        """An instance made by ``make(*args)`` on first read, or (``make`` None) holding ``value``."""
        out = cls.__new__(cls)
        out._make, out._args, out._kwargs, out._value = make, args, {}, value
        return out

    @classmethod
    def given(cls, columns):
        """An instance whose columns are made already: ``columns``."""
        return cls._of(None, None, columns)

    @property
    def pending(self) -> bool:
        """Whether the columns are still to be made."""
        return self._make is not None

    def columns(self) -> dict:
        if self._make is not None:
            self._value = self._make(*self._args, **self._kwargs)
            self._make = self._args = self._kwargs = None
        return self._value


def quality_columns(spec: ModelSpec, model, estimates: pd.DataFrame, sample_cov) -> dict:
    """The R², reliability and HTMT tables of :func:`unit_tables` as dicts of columns, from a unit's
    estimate table and sample covariance of the items (arithmetic only: it raises nothing, so the
    pipeline computes them on first access).  ``sample_cov``: a frame, or the fit's group
    (``SEMResult.groups[0]``, read from its array)."""
    return _quality_from(spec, model, *_quality_inputs(spec, model, estimates, sample_cov))


def _quality_inputs(spec: ModelSpec, model, est: pd.DataFrame, sample_cov) -> tuple:
    """What :func:`quality_columns` reads of the estimate table and the sample covariance:
    ``(R² variables, R² values, {item: std_all loading}, S of the items)``."""
    rows = _table_rows(model, est)
    if rows is not None:  # this model's own estimate table: its rows are known (acsi.estimate.table)
        (r2_rows, variable), (load_rows, load_items) = rows
        r2 = est["est"].to_numpy(dtype=float)[r2_rows]
        std = dict(zip(load_items, est["std_all"].to_numpy(dtype=float)[load_rows]))
    else:
        op, rhs = (est[c].to_numpy(dtype=object) for c in ("op", "rhs"))
        is_r2 = op == "r2"
        variable, r2 = _take(est["lhs"], is_r2), est["est"].to_numpy(dtype=float)[is_r2]
        is_load = op == "=~"
        std = dict(zip(rhs[is_load], est["std_all"].to_numpy(dtype=float)[is_load]))
    items = _plan(spec, model).layout.items
    S = sample_cov.sample_cov_of(items) if isinstance(sample_cov, GroupTables) else _moments(sample_cov, items)
    return variable, r2, std, S


def _quality_from(spec: ModelSpec, model, variable, r2, std: dict, S: np.ndarray) -> dict:
    """:func:`quality_columns` from :func:`_quality_inputs`."""
    out = {"rsquare": {"variable": variable, "r2": r2}}
    out["reliability"], out["htmt"] = _reliability(spec, std, S, _plan(spec, model).layout)
    return out


class QualityColumns(Deferred):
    """:func:`quality_columns` of one unit made on first read (:meth:`read`, then kept).  Pickled
    unread, it travels as what the tables are made from (:func:`_quality_inputs`: the R² and
    standardised loadings of the estimate table, the items' sample covariance), not as the
    estimate table and the fit's group: a worker sends back a few numbers and the process that
    reads the tables makes them, with the arithmetic a fit in that process would use."""

    __slots__ = ()

    def __init__(self, spec: ModelSpec, model, estimates: pd.DataFrame, sample_cov):
        super().__init__(quality_columns, spec, model, estimates, sample_cov)

    def read(self) -> dict:
        return self.columns()

    def __reduce__(self):
        if self._make is quality_columns:
            spec, model = self._args[:2]
            return (QualityColumns._of, (_quality_from, (spec, model, *_quality_inputs(*self._args)), None))
        return (QualityColumns._of, (self._make, self._args, self._value))


class UnreadStack:
    """The unread effects, impacts and quality tables of the units of a chunk (:func:`stack_unread`):
    what each unit's tables are made from, stacked one array per kind (θ̂, the covariance the
    Jacobians take, the item weights, the R², the standardised loadings, the items' sample
    covariance), and what they share (model, level, labels) once.  A worker sends a dozen arrays
    back instead of a dozen objects a unit; :meth:`unit` gives a unit's three tables-to-be again,
    each number a copy of the one the unit had, so a table made from them is the unit's own."""

    def __init__(self, shared: dict, arrays: dict):
        self.shared, self.arrays = shared, arrays

    def __len__(self) -> int:
        return len(self.arrays["theta"])

    def unit(self, i: int) -> tuple[Deferred, Deferred | None, QualityColumns]:
        """Unit ``i``'s ``(effects, impacts, quality)``, unread (impacts None: the unit has none)."""
        sh, a = self.shared, {k: (None if v is None else v[i].copy()) for k, v in self.arrays.items()}
        at = EffectsAt(sh["model"], a["theta"], group=sh["group"], exo=a["exo"])
        effects = Deferred(at.effect_columns, a["V"], **sh["effect_kw"])
        impacts = None
        if a["has_impacts"]:
            impacts = Deferred(at.impact_columns, a["V"], weights=a["weights"], **sh["impact_kw"])
        quality = QualityColumns._of(_quality_from, (sh["spec"], sh["model"], sh["variable"], a["r2"],
                                                     dict(zip(sh["std_items"], a["std"].tolist())), a["S"]), None)
        return effects, impacts, quality


def made_columns(effects: dict, impacts: dict | None, quality: dict) -> tuple:
    """:meth:`UnreadStack.unit`'s three, already made: their columns as given."""
    return (Deferred.given(effects), None if impacts is None else Deferred.given(impacts),
            QualityColumns.given(quality))


def stack_unread(effects: list, impacts: list, quality: list) -> UnreadStack | None:
    """One :class:`UnreadStack` of the units' unread ``effects`` and ``impacts`` (:class:`Deferred`
    of :func:`effect_columns`, one ``EffectsAt`` per unit; an impacts entry None for a unit without
    impacts) and ``quality`` (:class:`QualityColumns`); None unless every unit's are unread and of
    one model, group, level and shape (the pipeline then sends them unit by unit)."""
    present = [d for d in impacts if d is not None]
    if not effects or not all(type(d) is Deferred and d.pending for d in (*effects, *present)):
        return None
    if not all(type(q) is QualityColumns and q._make is quality_columns for q in quality):
        return None
    ats = [getattr(d._make, "__self__", None) for d in effects]
    first, e0, q0 = ats[0], effects[0], quality[0]
    i0 = present[0] if present else None
    if type(first) is not EffectsAt:
        return None
    impact_kw = {} if i0 is None else {k: v for k, v in i0._kwargs.items() if k != "weights"}
    for at, e, imp, q in zip(ats, effects, impacts, quality):
        if not (type(at) is EffectsAt and e._make == at.effect_columns and at.model is first.model
                and at.group == first.group and (at.exo is None) == (first.exo is None)
                and len(e._args) == 1 and e._kwargs == e0._kwargs
                and q._args[0] is q0._args[0] and q._args[1] is first.model):
            return None
        if imp is not None and not (imp._make == at.impact_columns and len(imp._args) == 1
                                    and imp._args[0] is e._args[0] and set(imp._kwargs) == set(i0._kwargs)
                                    and all(_same(imp._kwargs[k], v) for k, v in impact_kw.items())):
            return None
    inputs = [_quality_inputs(*q._args) for q in quality]
    variable, _, std0, _ = inputs[0]
    keys = list(std0)
    if not all(_same(v, variable) and list(std) == keys for v, _, std, _ in inputs):
        return None
    p = len(first.model.groups[first.group - 1].ov)
    try:
        arrays = {"theta": np.stack([at.theta for at in ats]),
                  "exo": None if first.exo is None else np.stack([at.exo for at in ats]),
                  "V": np.stack([e._args[0] for e in effects]),
                  "has_impacts": np.array([imp is not None for imp in impacts]),
                  "weights": np.stack([np.zeros(p) if imp is None else np.asarray(imp._kwargs["weights"], dtype=float)
                                       for imp in impacts]),
                  "r2": np.stack([r2 for _, r2, _, _ in inputs]),
                  "std": np.array([list(std.values()) for _, _, std, _ in inputs], dtype=float),
                  "S": np.stack([S for _, _, _, S in inputs])}
    except ValueError:  # shapes that differ between units
        return None
    shared = {"model": first.model, "group": first.group, "effect_kw": dict(e0._kwargs), "impact_kw": impact_kw,
              "spec": q0._args[0], "variable": variable, "std_items": keys}
    return UnreadStack(shared, arrays)


def _same(a, b) -> bool:
    """``a`` and ``b`` are one object or equal values (arrays: same dtype, shape and elements)."""
    if a is b:
        return True
    arrays = (np.ndarray, pd.api.extensions.ExtensionArray)
    if isinstance(a, arrays) or isinstance(b, arrays):
        try:
            return a.dtype == b.dtype and a.shape == b.shape and bool(np.all(np.asarray(a) == np.asarray(b)))
        except (AttributeError, TypeError, ValueError):
            return False
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _table_rows(model, est: pd.DataFrame):
    """``((r2 rows, their variables), (loading rows, their items))`` of an estimate table made by
    :func:`acsi.estimate.table.estimate_table` for ``model`` and not changed since (its ``op``
    column still holds the model's own label array, which that function shares with every table
    it makes), read once per model; None for any other table (the caller reads the columns)."""
    from .table import _masks

    labels = _masks(model)["labels"]
    try:
        same = est["op"].array._pa_array is labels["op"]._pa_array and len(est) == len(labels["op"])
    except AttributeError:  # not Arrow-backed labels
        return None
    if not same:
        return None
    rows = model.plan.get("quality_rows")
    if rows is None:
        op, lhs, rhs = (np.asarray(labels[c], dtype=object) for c in ("op", "lhs", "rhs"))
        r2, load = np.flatnonzero(op == "r2"), np.flatnonzero(op == "=~")
        lhs_col = pd.Series(labels["lhs"])
        rows = model.plan["quality_rows"] = ((r2, _take(lhs_col, op == "r2")), (load, rhs[load].tolist()))
    return rows


def _reliability(spec: ModelSpec, std: dict, S: np.ndarray, plan: _Blocks | None = None):
    """α, ρc, ρA, AVE per latent and HTMT per pair (the columns of their two tables) from the
    standardised loadings ``std`` (item -> std_all) and the items' sample covariance matrix ``S`` (the matrix forms of
    :mod:`acsi.estimate.quality`, which its DataFrame functions use too); ``plan`` is the
    spec's block layout (:class:`_Blocks`; built here when not given)."""
    if plan is None:
        plan = _Blocks(spec)
    J = len(plan.lvs)
    alpha, rhoa, rho_c, ave = (np.full(J, np.nan) for _ in range(4))
    H = np.full((J, J), np.nan)
    finite = bool(np.isfinite(S).all())
    R = _cor(S) if finite else None
    for js, ix, its in plan.sizes:
        lam = np.array([[std[i] for i in b] for b in its], dtype=float)  # n × k standardised loadings
        rho_c[js], ave[js] = _rho_c_and_ave_rows(lam)
        if finite:
            rows, cols = ix[:, :, None], ix[:, None, :]
            alpha[js] = _alphas_from_covs(S[rows, cols])
            # Mode A's limit: weights proportional to the standardised loadings (the unit's own
            # λ/θ scoring weights are not, and ρA's consistency rests on that proportionality)
            rhoa[js] = _rho_as_from_cors(R[rows, cols], lam)
    if finite:
        H = _htmt_from_cor(R, plan.idx, plan.M)
    ht = {"latent_a": plan.latent_a, "latent_b": plan.latent_b, "htmt": H[plan.ia, plan.ib]}
    rel = {"latent": plan.latent, "alpha": alpha, "rho_c": rho_c, "rho_a": rhoa, "ave": ave, "n_items": plan.n_items}
    return rel, ht
