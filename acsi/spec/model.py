"""The canonical model representation: :class:`ModelSpec`.

Every other representation (lavaan/semopy syntax, the parameter table, PLS blocks,
diagrams) is derived from a ``ModelSpec``. A spec holds two views of one model:

* the user-level view: latents with their items (wording, scales), observed variables of
  the structural model and covariates (wording, scales, role), structural paths, the
  headline, documentation;
* the parsed lavaan statements (:class:`~acsi.spec.syntax.Statement`: lhs, op, rhs,
  modifiers, line, column), in syntax order, from which :func:`acsi.spec.build_partable`
  builds the parameter table. A spec built from latents and paths alone gets the statements
  of :meth:`ModelSpec.to_lavaan`; a spec given both is checked for agreement.

Specs are deep-immutable (tuples and read-only mappings): functions that need a variant
build a new one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from types import MappingProxyType

from ..errors import SpecError
from .syntax import (
    CONSTRAINT_OPS,
    IDENT,
    Statement,
    expression_names,
    format_statements,
    implied_statements,
)

__all__ = ["Item", "Latent", "ModelSpec", "Observed", "Statement", "freeze"]

_IDENT = IDENT
_PLABEL = re.compile(r"^\.p\d+\.$")


def freeze(value):
    """A deep read-only copy: dicts become read-only mappings, lists and sets tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(freeze(v) for v in value))
    return value


def _thawed(value):
    """``value`` with :func:`freeze`'s read-only mappings as dicts (what pickle can write)."""
    if isinstance(value, MappingProxyType):
        return {k: _thawed(v) for k, v in value.items()}
    if type(value) is tuple:
        return tuple(_thawed(v) for v in value)
    return value


#: The fields of a :class:`ModelSpec` that :func:`freeze` makes read-only.
_FROZEN = ("options", "extra")


@dataclass(frozen=True)
class Item:
    """One survey item (observed indicator).

    Parameters
    ----------
    id : str
        Column name of the item in the survey table.
    text, text_zh : str
        Question wording in English and Chinese (may be empty).
    min, max : float
        Scale bounds; the 0-100 rescaling maps ``min`` to 0 and ``max`` to 100.
    """

    id: str
    text: str = ""
    text_zh: str = ""
    min: float = 1.0
    max: float = 10.0


@dataclass(frozen=True)
class Latent:
    """A latent variable (construct) measured by one or more items.

    The first item is the marker: its loading is fixed to 1 in CB-SEM (unless ``std_lv``)
    and it anchors the sign of the construct in PLS.
    """

    id: str
    items: tuple[Item, ...]
    name: str = ""
    name_zh: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Observed:
    """An observed variable outside the measurement model.

    Either a variable of the structural model (``cc1 ~ CS``, ``CL ~ CS + cc1``: a single
    yes/no complaint answer) or a covariate (``age``, ``sex``: an exogenous predictor, or a
    demographic kept for stratified tables). A declared covariate is *active* when the
    model's statements use it; :func:`acsi.load_model` switches covariates on with
    ``covariates=[...]``, adding a path to each of its ``predicts``.

    Parameters
    ----------
    id : str
        Column name in the survey table.
    text, text_zh, name, name_zh : str
        Question wording and short names (may be empty).
    min, max : float or None
        Scale bounds (``None``: no scale, e.g. age in years); checked like an item's.
    covariate : bool
        A covariate (demographic / exogenous predictor) rather than a structural variable.
    predicts : tuple of str
        For a covariate: the latents (or observed variables) it predicts when switched on.
    """

    id: str
    text: str = ""
    text_zh: str = ""
    name: str = ""
    name_zh: str = ""
    min: float | None = None
    max: float | None = None
    covariate: bool = False
    predicts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "predicts", tuple(self.predicts))

    @property
    def label(self) -> str:
        return self.name or self.id

    @property
    def has_scale(self) -> bool:
        return self.min is not None and self.max is not None


@dataclass(frozen=True)
class ModelSpec:
    """A customer-satisfaction index model.

    Parameters
    ----------
    name : str
        Short name (``"acsi"``).
    latents : tuple of Latent
        Constructs with their items, in display order.
    paths : tuple of (str, str)
        Structural paths ``(from, to)``; an end may be a latent, an observed variable of
        :attr:`observed` (``("CS", "cc1")``) or an item used as a predictor.
    headline : str
        Latent id of the headline index (satisfaction for ACSI).
    covariances : tuple of (str, str)
        Extra free (residual) covariances, lavaan ``a ~~ b`` without a fixed value.
    title, description, reference : str
        Documentation carried into reports.
    source : str
        File the spec was read from, or ``"<string>"`` (not compared by ``==``).
    observed : tuple of Observed
        Observed variables outside the measurement model: structural variables and
        covariates (active or only declared).
    statements : tuple of Statement
        The model in lavaan statements (generated from latents/paths/covariances when empty).
    options : mapping
        Model options the spec was loaded with (``{"complaint": "yes_no"}``).
    extra : mapping
        Other keys of the model file (read-only; not compared).
    """

    name: str
    latents: tuple[Latent, ...]
    paths: tuple[tuple[str, str], ...]
    headline: str
    covariances: tuple[tuple[str, str], ...] = ()
    title: str = ""
    description: str = ""
    reference: str = ""
    source: str = field(default="<string>", compare=False)
    observed: tuple[Observed, ...] = ()
    statements: tuple[Statement, ...] = ()
    options: Mapping = field(default_factory=dict, hash=False)
    extra: Mapping = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "latents", tuple(self.latents))
        set_(self, "paths", tuple((str(a), str(b)) for a, b in self.paths))
        set_(self, "covariances", tuple((str(a), str(b)) for a, b in self.covariances))
        set_(self, "observed", tuple(self.observed))
        for name in _FROZEN:
            set_(self, name, freeze(dict(getattr(self, name))))
        _validate(self)
        if not self.statements:
            set_(self, "statements", implied_statements(self))
        else:
            set_(self, "statements", tuple(self.statements))
            _check_agreement(self)
        _validate_statements(self)

    def __hash__(self) -> int:
        """The dataclass's hash (of the fields it hashes), computed once: a model keys the
        caches of its compiled forms and plans, looked up several times per unit fit, and hashing
        its latents, items and statements took ~11 µs a lookup.  Not pickled: the hash of text
        differs between processes."""
        h = self.__dict__.get("_hash")
        if h is None:
            h = hash(tuple(getattr(self, name) for name in _HASHED))
            object.__setattr__(self, "_hash", h)
        return h

    def __getstate__(self) -> dict:
        # without the hash (see above) and the derived views (remade on use); the read-only
        # mappings as dicts (a mappingproxy does not pickle), read-only again in __setstate__
        cls = type(self)
        return {k: _thawed(v) if k in _FROZEN else v for k, v in self.__dict__.items()
                if k != "_hash" and not isinstance(getattr(cls, k, None), cached_property)}

    def __setstate__(self, state: dict) -> None:
        for k, v in state.items():
            object.__setattr__(self, k, freeze(v) if k in _FROZEN else v)

    # ---- derived views -------------------------------------------------
    @cached_property
    def latent_ids(self) -> tuple[str, ...]:
        return tuple(lv.id for lv in self.latents)

    @cached_property
    def items(self) -> tuple[Item, ...]:
        return tuple(it for lv in self.latents for it in lv.items)

    @cached_property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(it.id for it in self.items)

    @cached_property
    def blocks(self) -> Mapping[str, tuple[str, ...]]:
        """Latent id -> tuple of its item ids (the PLS blocks), read-only."""
        return MappingProxyType({lv.id: lv.item_ids for lv in self.latents})

    @cached_property
    def scale_bounds(self) -> Mapping[str, tuple[float, float]]:
        """Item (and scaled observed variable) id -> (scale minimum, scale maximum), read-only."""
        out = {it.id: (it.min, it.max) for it in self.items}
        out.update({o.id: (float(o.min), float(o.max)) for o in self.observed if o.has_scale})
        return MappingProxyType(out)

    @cached_property
    def observed_ids(self) -> tuple[str, ...]:
        """Every observed column the statistical model reads (items, observed structural
        variables, active covariates), in lavaan's order (the parameter table's ``ov``)."""
        from .partable import variable_names

        return variable_names(self.statements).ov

    @cached_property
    def structural_observed(self) -> tuple[str, ...]:
        """Observed variables (not items) that the model's statements use, in declaration order."""
        used = _statement_names(self.statements)
        return tuple(o.id for o in self.observed if o.id in used)

    @cached_property
    def covariate_ids(self) -> tuple[str, ...]:
        """Declared covariates, active or not (columns kept for stratified tables)."""
        return tuple(o.id for o in self.observed if o.covariate)

    @cached_property
    def labels(self) -> tuple[str, ...]:
        """Parameter labels written in the statements, in order of first use."""
        out: dict[str, None] = {}
        for s in self.statements:
            for lab in s.label or ():
                if lab:
                    out.setdefault(lab)
        return tuple(out)

    @cached_property
    def defined(self) -> tuple[str, ...]:
        """Names of the defined parameters (``name := expression``)."""
        return tuple(s.lhs for s in self.statements if s.op == ":=")

    def observed_variable(self, observed_id: str) -> Observed:
        return self._find(self.observed, observed_id, "observed variable (outside its items)")

    def latent(self, latent_id: str) -> Latent:
        return self._find(self.latents, latent_id, "latent variable")

    def _find(self, entries, ident: str, kind: str):
        for x in entries:
            if x.id == ident:
                return x
        raise SpecError(
            f"model {self.name!r} has no {kind} {ident!r}; its {kind.split(' (')[0]}s are "
            f"{', '.join(x.id for x in entries) or 'none'}"
        )

    def predecessors(self, node: str) -> list[str]:
        """Variables with a path into ``node`` (latents or observed), in declaration order."""
        return [a for a, b in self.paths if b == node]

    @cached_property
    def endogenous(self) -> tuple[str, ...]:
        """Latents with at least one path into them."""
        targets = {b for _, b in self.paths}
        return tuple(lv for lv in self.latent_ids if lv in targets)

    @cached_property
    def exogenous(self) -> tuple[str, ...]:
        """Latents with no path into them."""
        targets = {b for _, b in self.paths}
        return tuple(lv for lv in self.latent_ids if lv not in targets)

    def check_columns(self, columns) -> None:
        """Refuse data whose columns include a latent's name (lavaan's check).

        A latent named like a data column is ambiguous: lavaan stops with "some latent
        variable names collide with observed variable names". Raises :class:`SpecError`
        naming the latent and the column.
        """
        cols = [str(c) for c in columns]
        clash = [lv for lv in self.latent_ids if lv in cols]
        if clash:
            raise SpecError(
                f"model {self.name!r}: latent variable(s) {', '.join(repr(c) for c in clash)} have the name of "
                f"data column(s) {', '.join(repr(c) for c in clash)}; a latent must not be named like an observed "
                "column: rename the latent in the model, or the column in the data"
            )

    def partable(self, **options):
        """The parameter table of this model: :func:`acsi.spec.partable.build_partable`.

        Keyword options are those of ``build_partable`` (``std_lv``, ``meanstructure``,
        ``groups``, ``group_equal``, ...). Equivalent R: ``parTable(sem(model, data, ...))``.

        >>> import acsi
        >>> acsi.load_model("acsi").partable().npar
        39
        """
        from .partable import build_partable

        return build_partable(self, **options)

    def to_lavaan(self) -> str:
        """lavaan/semopy model syntax generated from the spec.

        The statements, one line per ``lhs op`` run, after two comment directives that
        :func:`acsi.parse_lavaan` reads back: ``# headline: CS`` and ``# scale: ids min max``
        for scales other than 1-10. Single-indicator latents get their indicator's residual
        variance fixed to zero (``x ~~ 0*x``), as lavaan's ``auto.fix.single`` does, so
        semopy estimates the same model as lavaan.
        """
        head = [f"# headline: {self.headline}"]
        scales: dict[tuple[float, float], list[str]] = {}
        for it in self.items:
            if (it.min, it.max) != (1.0, 10.0):
                scales.setdefault((it.min, it.max), []).append(it.id)
        for o in self.observed:
            if o.has_scale and o.id in self.structural_observed:
                scales.setdefault((float(o.min), float(o.max)), []).append(o.id)
        for (lo, hi), ids in scales.items():
            head.append(f"# scale: {' '.join(ids)} {lo:g} {hi:g}")
        body = format_statements(self.statements)
        zero = []
        written = {(s.lhs, s.rhs) for s in self.statements if s.op == "~~"}
        for lv in self.latents:
            if len(lv.items) == 1:
                x = lv.items[0].id
                if (x, x) not in written:
                    zero.append(f"{x} ~~ 0*{x}")
        return "\n".join(head) + "\n" + body + ("\n".join(zero) + "\n" if zero else "")

    def to_toml(self) -> str:
        """The model in acsi's TOML format (``models/acsi.toml``); ``read_toml`` reads it back
        equal (wording, scales, observed variables, covariates, statements, options)."""
        from .toml_writer import spec_to_toml

        return spec_to_toml(self)

    def describe(self) -> str:
        """A short human-readable description (used by ``acsi models``)."""
        parts = [f"{self.name}: {self.title or self.description}".rstrip(": ")]
        for lv in self.latents:
            mark = " (headline)" if lv.id == self.headline else ""
            parts.append(f"  {lv.id:<6} {lv.label}{mark}: {', '.join(lv.item_ids)}")
        active = set(self.structural_observed)
        for o in self.observed:
            kind = "covariate" if o.covariate else "observed"
            state = "" if o.id in active else " (declared, not in the model)"
            scale = f", scale {o.min:g}-{o.max:g}" if o.has_scale else ""
            parts.append(f"  {o.id:<6} {o.label} [{kind}{scale}]{state}")
        parts.append("  paths: " + ", ".join(f"{a}->{b}" for a, b in self.paths))
        if self.options:
            parts.append("  options: " + ", ".join(f"{k}={v}" for k, v in self.options.items()))
        return "\n".join(parts)


# --------------------------------------------------------------------------------------
# statements <-> latents/paths/covariances
# --------------------------------------------------------------------------------------
#: The fields the dataclass's own hash covers (``hash=True``, or compared and not ``hash=False``).
_HASHED = tuple(f.name for f in fields(ModelSpec) if f.hash or (f.hash is None and f.compare))


def _view(statements) -> tuple[dict[str, list[str]], list[tuple[str, str]], list[tuple[str, str]]]:
    blocks: dict[str, list[str]] = {}
    paths, covs = [], []
    for s in statements:
        if s.op == "=~":
            blocks.setdefault(s.lhs, []).append(s.rhs)
        elif s.op == "~":
            paths.append((s.rhs, s.lhs))
        elif s.op == "~~" and s.lhs != s.rhs and (s.fixed is None or all(math.isnan(v) for v in s.fixed)):
            covs.append((s.lhs, s.rhs))
    return blocks, paths, covs


def _check_agreement(spec: ModelSpec) -> None:
    blocks, paths, covs = _view(spec.statements)
    where = f"model {spec.name!r} ({spec.source})"
    mine = {lv.id: list(lv.item_ids) for lv in spec.latents}
    if blocks != mine or list(blocks) != list(mine):
        raise SpecError(f"{where}: the statements' '=~' terms {blocks} disagree with the latents {mine}")
    if sorted(paths) != sorted(spec.paths):
        raise SpecError(f"{where}: the statements' regressions {sorted(paths)} disagree with the paths {sorted(spec.paths)}")
    if sorted(map(_pair, covs)) != sorted(map(_pair, spec.covariances)):
        raise SpecError(
            f"{where}: the statements' free covariances {sorted(covs)} disagree with the covariances "
            f"{sorted(spec.covariances)}"
        )


def _pair(p: tuple[str, str]) -> tuple[str, str]:
    return tuple(sorted(p))


def _statement_names(statements) -> set[str]:
    out: set[str] = set()
    for s in statements:
        if s.op in CONSTRAINT_OPS:
            continue
        out.add(s.lhs)
        if s.rhs:
            out.add(s.rhs)
    return out


def _validate(spec: ModelSpec) -> None:
    where = f"model {spec.name!r} ({spec.source})"
    if not spec.latents:
        raise SpecError(f"{where}: declares no latent variables; add at least one [[latent]] with items")
    seen_lv: set[str] = set()
    seen_items: dict[str, str] = {}
    for lv in spec.latents:
        if not _IDENT.match(lv.id):
            raise SpecError(f"{where}: latent id {lv.id!r} is not a valid identifier (letters, digits, _; not starting with a digit)")
        if lv.id in seen_lv:
            raise SpecError(f"{where}: latent {lv.id!r} is declared twice; give each latent a unique id")
        seen_lv.add(lv.id)
        if not lv.items:
            raise SpecError(f"{where}: latent {lv.id!r} has no items; list at least one item")
        for it in lv.items:
            if not _IDENT.match(it.id):
                raise SpecError(f"{where}: item id {it.id!r} of latent {lv.id!r} is not a valid identifier")
            if it.id in seen_items:
                raise SpecError(
                    f"{where}: item {it.id!r} is listed under both {seen_items[it.id]!r} and {lv.id!r}; "
                    "each item measures exactly one latent"
                )
            seen_items[it.id] = lv.id
            if not it.max > it.min:
                raise SpecError(f"{where}: item {it.id!r} has scale min {it.min} >= max {it.max}; fix its min/max")
    clash = seen_lv & set(seen_items)
    if clash:
        raise SpecError(f"{where}: names used both as latent and item: {sorted(clash)}; rename one of them")
    seen_obs: set[str] = set()
    for o in spec.observed:
        if not _IDENT.match(o.id):
            raise SpecError(f"{where}: observed variable id {o.id!r} is not a valid identifier")
        if o.id in seen_obs:
            raise SpecError(f"{where}: observed variable {o.id!r} is declared twice; declare it once")
        if o.id in seen_lv or o.id in seen_items:
            kind = "a latent" if o.id in seen_lv else f"an item of {seen_items[o.id]!r}"
            raise SpecError(f"{where}: observed variable {o.id!r} is also {kind}; rename one of them")
        seen_obs.add(o.id)
        if (o.min is None) != (o.max is None):
            raise SpecError(f"{where}: observed variable {o.id!r} gives only one of min/max; give both or neither")
        if o.has_scale and not float(o.max) > float(o.min):
            raise SpecError(f"{where}: observed variable {o.id!r} has scale min {o.min} >= max {o.max}; fix its min/max")
    names = seen_lv | set(seen_items) | seen_obs
    for a, b in spec.paths:
        for end in (a, b):
            if end not in names:
                raise SpecError(
                    f"{where}: path {a} -> {b} names {end!r}, which is not a declared latent "
                    f"(declared: {', '.join(sorted(seen_lv))})"
                    + (f" nor a declared observed variable ({', '.join(sorted(seen_obs))})" if seen_obs else "")
                )
        if a == b:
            raise SpecError(f"{where}: path {a} -> {b} is a self-loop; remove it")
    if len(set(spec.paths)) != len(spec.paths):
        dup = sorted({p for p in spec.paths if spec.paths.count(p) > 1})
        raise SpecError(f"{where}: duplicated paths {dup}; list each path once")
    _check_acyclic(spec, where)
    for a, b in spec.covariances:
        for end in (a, b):
            if end not in names:
                raise SpecError(f"{where}: covariance {a} ~~ {b} names {end!r}, which is neither a latent nor an item")
    if spec.headline not in seen_lv:
        raise SpecError(
            f"{where}: headline {spec.headline!r} is not a declared latent; "
            f"choose one of {', '.join(lv.id for lv in spec.latents)}"
        )
    for o in spec.observed:
        for t in o.predicts:
            if t not in seen_lv and t not in seen_obs:
                raise SpecError(f"{where}: covariate {o.id!r} predicts {t!r}, which is neither a latent nor an observed variable")


def _validate_statements(spec: ModelSpec) -> None:
    """Names in statements are declared; constraints refer to labels and defined parameters."""
    where = f"model {spec.name!r} ({spec.source})"
    known = set(spec.latent_ids) | set(spec.item_ids) | {o.id for o in spec.observed}
    for s in spec.statements:
        if s.op in CONSTRAINT_OPS:
            continue
        for v in (s.lhs, s.rhs):
            if v and v not in known:
                raise SpecError(f"{where}: statement '{s.to_lavaan()}' names {v!r}, which is not a variable of the model")
    labels = set(spec.labels)
    defined: set[str] = set()
    for s in spec.statements:
        if s.op not in CONSTRAINT_OPS:
            continue
        if s.op == ":=":
            if s.lhs in known or s.lhs in labels:
                raise SpecError(
                    f"{where}, line {s.line}: defined parameter {s.lhs!r} has the name of a "
                    f"{'variable' if s.lhs in known else 'label'}; give it a new name"
                )
            if s.lhs in defined:
                raise SpecError(f"{where}, line {s.line}: parameter {s.lhs!r} is defined twice")
        for side in ((s.rhs,) if s.op == ":=" else (s.lhs, s.rhs)):
            for name in expression_names(side):
                if name in labels or name in defined or _PLABEL.match(name):
                    continue
                raise SpecError(
                    f"{where}, line {s.line}: {name!r} in '{s.to_lavaan()}' is not a label of the model"
                    + (" (defined parameters must be defined before they are used)" if name in spec.defined else "")
                    + f"; labels: {', '.join(sorted(labels)) or 'none (label a parameter with a*x)'}"
                )
        if s.op == ":=":
            defined.add(s.lhs)


def _check_acyclic(spec: ModelSpec, where: str) -> None:
    graph: dict[str, list[str]] = {}
    for a, b in spec.paths:
        graph.setdefault(a, []).append(b)
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cyc = stack[stack.index(nxt):] + [nxt] if nxt in stack else [node, nxt]
                raise SpecError(
                    f"{where}: the structural model has a cycle {' -> '.join(cyc)}; "
                    "acsi estimates recursive models only: remove one of these paths"
                )
            if state.get(nxt) is None:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for node in list(graph):
        if state.get(node) is None:
            visit(node, [node])
