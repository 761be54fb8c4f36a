"""The canonical model representation: :class:`ModelSpec`.

Every other representation (lavaan/semopy syntax, PLS blocks, diagrams) is
derived from a ``ModelSpec``.  Specs are frozen: functions that need a variant
build a new one with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from ..errors import SpecError

__all__ = ["Item", "Latent", "ModelSpec"]

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


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

    The first item is the marker: its loading is fixed to 1 in CB-SEM and it
    anchors the sign of the construct in PLS.
    """

    id: str
    items: tuple[Item, ...]
    name: str = ""
    name_zh: str = ""

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    @property
    def label(self) -> str:
        return self.name or self.id


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
        Structural paths ``(from, to)`` between latent ids.
    headline : str
        Latent id of the headline index (satisfaction for ACSI).
    covariances : tuple of (str, str)
        Extra free (residual) covariances between items or latents, lavaan ``~~``.
    title, description, reference : str
        Documentation carried into reports.
    source : str
        File the spec was read from, or ``"<string>"``.
    """

    name: str
    latents: tuple[Latent, ...]
    paths: tuple[tuple[str, str], ...]
    headline: str
    covariances: tuple[tuple[str, str], ...] = ()
    title: str = ""
    description: str = ""
    reference: str = ""
    source: str = "<string>"
    extra: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        _validate(self)

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
    def blocks(self) -> dict[str, list[str]]:
        """Latent id -> list of its item ids (the PLS blocks)."""
        return {lv.id: list(lv.item_ids) for lv in self.latents}

    @cached_property
    def scale_bounds(self) -> dict[str, tuple[float, float]]:
        """Item id -> (scale minimum, scale maximum)."""
        return {it.id: (it.min, it.max) for it in self.items}

    def latent(self, latent_id: str) -> Latent:
        for lv in self.latents:
            if lv.id == latent_id:
                return lv
        raise SpecError(
            f"model {self.name!r} has no latent variable {latent_id!r}; "
            f"its latent variables are {', '.join(self.latent_ids)}"
        )

    def predecessors(self, latent_id: str) -> list[str]:
        """Latents with a path into ``latent_id``, in declaration order."""
        return [a for a, b in self.paths if b == latent_id]

    @cached_property
    def endogenous(self) -> tuple[str, ...]:
        targets = {b for _, b in self.paths}
        return tuple(lv for lv in self.latent_ids if lv in targets)

    @cached_property
    def exogenous(self) -> tuple[str, ...]:
        targets = {b for _, b in self.paths}
        return tuple(lv for lv in self.latent_ids if lv not in targets)

    def to_lavaan(self) -> str:
        """lavaan/semopy model syntax generated from the spec.

        Single-indicator latents get their indicator's residual variance fixed
        to zero (``x ~~ 0*x``), as lavaan's ``auto.fix.single`` does, so both
        programs estimate the same model.
        """
        lines = []
        for lv in self.latents:
            lines.append(f"{lv.id} =~ " + " + ".join(lv.item_ids))
        for lv in self.latent_ids:
            preds = self.predecessors(lv)
            if preds:
                lines.append(f"{lv} ~ " + " + ".join(preds))
        for a, b in self.covariances:
            lines.append(f"{a} ~~ {b}")
        for lv in self.latents:
            if len(lv.items) == 1:
                x = lv.items[0].id
                lines.append(f"{x} ~~ 0*{x}")
        return "\n".join(lines) + "\n"

    def describe(self) -> str:
        """A short human-readable description (used by ``acsi models``)."""
        parts = [f"{self.name}: {self.title or self.description}".rstrip(": ")]
        for lv in self.latents:
            mark = " (headline)" if lv.id == self.headline else ""
            parts.append(f"  {lv.id:<6} {lv.label}{mark}: {', '.join(lv.item_ids)}")
        parts.append("  paths: " + ", ".join(f"{a}->{b}" for a, b in self.paths))
        return "\n".join(parts)


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
    for a, b in spec.paths:
        for end in (a, b):
            if end not in seen_lv:
                raise SpecError(
                    f"{where}: path {a} -> {b} names {end!r}, which is not a declared latent "
                    f"(declared: {', '.join(sorted(seen_lv))})"
                )
        if a == b:
            raise SpecError(f"{where}: path {a} -> {b} is a self-loop; remove it")
    if len(set(spec.paths)) != len(spec.paths):
        dup = sorted({p for p in spec.paths if spec.paths.count(p) > 1})
        raise SpecError(f"{where}: duplicated paths {dup}; list each path once")
    _check_acyclic(spec, where)
    names = seen_lv | set(seen_items)
    for a, b in spec.covariances:
        for end in (a, b):
            if end not in names:
                raise SpecError(f"{where}: covariance {a} ~~ {b} names {end!r}, which is neither a latent nor an item")
    if spec.headline not in seen_lv:
        raise SpecError(
            f"{where}: headline {spec.headline!r} is not a declared latent; "
            f"choose one of {', '.join(spec.latent_ids if hasattr(spec, 'latent_ids') else sorted(seen_lv))}"
        )


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


# ---- written by the architecture change (issue 10): the model as acsi's TOML format ------------
def _to_toml(self: ModelSpec) -> str:
    """The model in acsi's TOML format (``models/acsi.toml``); :func:`acsi.spec.read_toml` reads it back.

    Every item carries its own ``min``/``max``; keys of ``extra`` that TOML can hold are kept.
    ``FitResult.save`` writes it as ``model.toml`` so that saved results reload with their model.

    >>> from acsi.spec import load_model, read_toml
    >>> spec = load_model("acsi")
    >>> back = read_toml(spec.to_toml(), source=spec.source)
    >>> (back.latents, back.paths, back.headline) == (spec.latents, spec.paths, spec.headline)
    True
    """
    import tomli_w

    doc = {"name": self.name, "title": self.title, "description": self.description, "reference": self.reference,
           "headline": self.headline, "paths": [f"{a} -> {b}" for a, b in self.paths]}
    if self.covariances:
        doc["covariances"] = [f"{a} ~~ {b}" for a, b in self.covariances]
    for key, value in (self.extra or {}).items():
        if key not in doc and key != "latent":
            try:
                tomli_w.dumps({key: value})
            except TypeError:
                continue
            doc[key] = value
    doc["latent"] = [
        {"id": lv.id, "name": lv.name, "name_zh": lv.name_zh,
         "items": [{"id": it.id, "text": it.text, "text_zh": it.text_zh, "min": float(it.min), "max": float(it.max)}
                   for it in lv.items]}
        for lv in self.latents
    ]
    return tomli_w.dumps(doc)


ModelSpec.to_toml = _to_toml
