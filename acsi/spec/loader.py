"""Reading model specifications: shipped TOML files and lavaan-style text.

Errors name the file, the line and the problem, and quote the source line with a caret
under the offending spot (and its column), in the manner of lavaan's parser.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

from ..errors import InvalidParameterError, SpecError
from ..options import invalid
from ..tables import read_text
from .model import Item, Latent, ModelSpec, Observed
from .syntax import CONSTRAINT_OPS, Statement, merge_statements, parse_syntax, syntax_error

__all__ = ["load_model", "list_models", "model_options", "parse_lavaan", "read_toml", "resolve_model"]

_PATH_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*->\s*([A-Za-z_][A-Za-z0-9_.]*)\s*$")
_HEADLINE_RE = re.compile(r"^\s*#\s*headline\s*:\s*(\S+)\s*$")
_SCALE_RE = re.compile(r"^\s*#\s*scale\s*:\s*(.*?)\s*$")
_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"

#: Top-level keys of a model file (others are kept in ``spec.extra``).
TOML_KEYS = frozenset({
    "name", "title", "description", "reference", "headline", "scale", "latent", "paths", "covariances",
    "observed", "covariate", "demographics", "syntax", "option", "loaded_with",
})


def _models_dir():
    return resources.files("acsi.models")


def list_models() -> list[str]:
    """Names of the models shipped with acsi (``models/*.toml``)."""
    return sorted(p.name[:-5] for p in _models_dir().iterdir() if p.name.endswith(".toml"))


def model_options(name: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The options a shipped model declares (its ``[option.NAME]`` tables): ``{NAME: (default, values)}``.

    >>> model_options("acsi")["complaint"]
    ('scale', ('scale', 'yes_no'))
    """
    key = str(name).lower()
    if key not in list_models():
        raise SpecError(f"unknown model {str(name)!r}: shipped models are {', '.join(list_models())}")
    doc = tomllib.loads(_models_dir().joinpath(f"{key}.toml").read_text(encoding="utf-8"))
    return {opt: (str(t.get("default")), _option_values(t))
            for opt, t in (doc.get("option") or {}).items() if isinstance(t, Mapping)}


def _option_values(table: Mapping) -> tuple[str, ...]:
    """The values of an ``[option.NAME]`` table: its sub-tables ``[option.NAME.VALUE]``."""
    return tuple(k for k, v in table.items() if isinstance(v, Mapping))


def load_model(name: str | Path, **options) -> ModelSpec:
    """Load a shipped model by name, or a model file by path.

    Parameters
    ----------
    name : str or Path
        A shipped model name (see :func:`list_models`), a path to a ``.toml`` model file,
        or a path to a lavaan-syntax text file (``.lav``/``.txt``).
    **options
        For TOML models: ``covariates`` (``True`` for every declared covariate that
        predicts something, or a list of covariate ids) switches covariates on, and the
        model's own options (``[option.NAME]`` tables of the file, e.g.
        ``complaint="yes_no"`` for the shipped ACSI model).

    Examples
    --------
    >>> spec = load_model("acsi")
    >>> spec.headline
    'CS'
    >>> load_model("acsi", complaint="yes_no").structural_observed
    ('cc1',)
    """
    p = Path(str(name))
    if p.suffix.lower() == ".toml" or (p.suffix and p.exists()):
        if not p.exists():
            raise SpecError(f"model file {str(p)!r} does not exist; check the path")
        if p.suffix.lower() == ".toml":
            return read_toml(read_text(p, what="model file"), source=str(p), **options)
        if options:
            raise InvalidParameterError(
                f"The {sorted(options)[0]!r} parameter of load_model applies to TOML models only; "
                f"{str(p)!r} is lavaan text. Got {options[sorted(options)[0]]!r} instead."
            )
        return parse_lavaan(read_text(p, what="model file"), name=p.stem, source=str(p))
    key = str(name).lower()
    if key in list_models():
        res = _models_dir().joinpath(f"{key}.toml")
        return read_toml(res.read_text(encoding="utf-8"), source=f"models/{key}.toml", **options)
    raise SpecError(
        f"unknown model {str(name)!r}: shipped models are {', '.join(list_models())}; "
        "or pass a path to a .toml model file or lavaan-syntax text"
    )


def resolve_model(model) -> ModelSpec:
    """Accept a ModelSpec, a shipped model name, a file path or lavaan text."""
    if isinstance(model, ModelSpec):
        return model
    if isinstance(model, (str, Path)):
        text = str(model)
        if "=~" in text:
            return parse_lavaan(text)
        return load_model(model)
    raise SpecError(f"model must be a ModelSpec, a model name, a file path or lavaan text; got {type(model).__name__}")


def _line_of(text: str, needle: str) -> int | None:
    for i, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return i
    return None


def _err(source: str, line: int | None, msg: str, text: str | None = None, col: int | None = None) -> SpecError:
    return syntax_error(source, text, line, None if col is None else col + 1, msg)


# --------------------------------------------------------------------------------------
# TOML
# --------------------------------------------------------------------------------------
_LIFTED = ("paths", "covariances", "syntax")
_TABLE_KEYS = {
    "latent": {"id", "name", "name_zh", "items"},
    "observed": {"id", "text", "text_zh", "name", "name_zh", "min", "max"},
    "covariate": {"id", "text", "text_zh", "name", "name_zh", "min", "max", "predicts"},
}
_ITEM_KEYS = {"id", "text", "text_zh", "min", "max"}


def _check_keys(source: str, text: str, doc: dict) -> None:
    """Refuse unknown keys in [[latent]], [[observed]], [[covariate]] tables and items."""
    for array, allowed in _TABLE_KEYS.items():
        entries = doc.get(array, [])
        if not isinstance(entries, list):
            raise _err(source, _line_of(text, array), f"{array} must be an array of tables ([[{array}]])", text)
        for k, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                continue
            bad = sorted(set(entry) - allowed)
            if bad:
                ident = entry.get("id", f"number {k}")
                raise _err(source, _line_of(text, f"{bad[0]} ="), f"[[{array}]] {ident!r} has unknown key(s) {bad}; "
                           f"allowed: {', '.join(sorted(allowed))}", text)
            for it in entry.get("items", []) if array == "latent" else []:
                if isinstance(it, dict):
                    bad = sorted(set(it) - _ITEM_KEYS)
                    if bad:
                        raise _err(source, _line_of(text, f"{bad[0]} ="), f"item {it.get('id')!r} of latent "
                                   f"{entry.get('id')!r} has unknown key(s) {bad}; allowed: {', '.join(sorted(_ITEM_KEYS))}", text)


def _scale_of(source, text, table, default, what) -> tuple[float, float] | tuple[None, None]:
    lo, hi = table.get("min", default[0]), table.get("max", default[1])
    if lo is None and hi is None:
        return None, None
    try:
        return float(lo), float(hi)
    except (TypeError, ValueError):
        raise _err(source, _line_of(text, str(table.get("id", what))), f"{what}: min/max must be numbers; got {lo!r}, {hi!r}", text) from None


def _observed_table(source, text, raw, covariate: bool) -> Observed:
    if isinstance(raw, str):
        raw = {"id": raw}
    kind = "[[covariate]]" if covariate else "[[observed]]"
    if not isinstance(raw, Mapping) or "id" not in raw:
        raise _err(source, None, f"a {kind} table has no id: {raw!r}")
    lo, hi = _scale_of(source, text, raw, (None, None), f"{kind} {raw['id']!r}")
    predicts = raw.get("predicts", ())
    if isinstance(predicts, str):
        predicts = (predicts,)
    return Observed(
        id=str(raw["id"]), text=str(raw.get("text", "")), text_zh=str(raw.get("text_zh", "")),
        name=str(raw.get("name", "")), name_zh=str(raw.get("name_zh", "")), min=lo, max=hi,
        covariate=covariate, predicts=tuple(str(x) for x in predicts),
    )


def _demographics(source, text, demo, taken: set[str]) -> list[Observed]:
    """The compact ``[demographics]`` table: names, names_zh, predicts = { id = [targets] }."""
    line = _line_of(text, "[demographics]")
    if not isinstance(demo, Mapping) or not isinstance(demo.get("names", []), list):
        raise _err(source, line, "[demographics] needs names = [...] (and optionally names_zh, predicts)", text)
    names = [str(n) for n in demo.get("names", [])]
    names_zh = list(demo.get("names_zh", []))
    predicts = demo.get("predicts", {})
    if not isinstance(predicts, Mapping):
        raise _err(source, line, "[demographics] predicts must be a table like { age = [\"CS\"] }", text)
    bad = sorted(set(predicts) - set(names))
    if bad:
        raise _err(source, line, f"[demographics] predicts names {bad}, which are not in its names {names}", text)
    out = []
    for k, nm in enumerate(names):
        if nm in taken:
            continue
        targets = predicts.get(nm, ())
        targets = (targets,) if isinstance(targets, str) else tuple(str(t) for t in targets)
        out.append(Observed(id=nm, name_zh=str(names_zh[k]) if k < len(names_zh) else "", covariate=True,
                            predicts=targets))
    return out


def _paths_of(source, text, raw) -> list[tuple[str, str]]:
    out = []
    for p in raw:
        m = _PATH_RE.match(str(p))
        if not m:
            raise _err(source, _line_of(text, str(p)), f"path {p!r} is not of the form \"FROM -> TO\"", text)
        out.append((m.group(1), m.group(2)))
    return out


def _covs_of(source, text, raw) -> list[tuple[str, str]]:
    out = []
    for c in raw:
        parts = [s.strip() for s in str(c).split("~~")]
        if len(parts) != 2 or not all(parts):
            raise _err(source, _line_of(text, str(c)), f"covariance {c!r} is not of the form \"A ~~ B\"", text)
        out.append((parts[0], parts[1]))
    return out


def _apply_option(source, doc: dict, name: str, value) -> dict:
    """Apply ``[option.NAME.VALUE]`` of a model file: drop latents, add observed, paths, syntax."""
    table = doc["option"][name]
    values = _option_values(table)
    if not isinstance(value, str) or value not in values:
        raise InvalidParameterError(
            f"The {name!r} parameter of load_model must be one of {', '.join(map(repr, values))} for model "
            f"{doc.get('name')!r} ({source}). Got {value!r} instead."
        )
    change = table[value]
    unknown = sorted(set(change) - {"drop", "observed", "paths", "covariances", "syntax", "description"})
    if unknown:
        raise SpecError(f"{source}: [option.{name}.{value}] has unknown key(s) {unknown}; use drop, observed, paths, covariances, syntax")
    drop = set(change.get("drop", ()))
    latents = [lv for lv in doc["latent"] if lv.get("id") not in drop]
    missing = drop - {lv.get("id") for lv in doc["latent"]}
    if missing:
        raise SpecError(f"{source}: [option.{name}.{value}] drops {sorted(missing)}, which are not latents of the model")
    gone = drop | {it if isinstance(it, str) else it.get("id") for lv in doc["latent"] if lv.get("id") in drop
                   for it in lv.get("items", [])}
    out = dict(doc)
    out["latent"] = latents
    out["paths"] = [p for p in doc.get("paths", []) if not (set(re.split(r"\s*->\s*", str(p).strip())) & gone)]
    out["paths"] += list(change.get("paths", []))
    out["covariances"] = [c for c in doc.get("covariances", []) if not ({s.strip() for s in str(c).split("~~")} & gone)]
    out["covariances"] += list(change.get("covariances", []))
    out["observed"] = list(doc.get("observed", [])) + list(change.get("observed", []))
    if "syntax" in change:
        out["syntax"] = (str(doc.get("syntax", "")) + "\n" + str(change["syntax"])).strip() + "\n"
    return out


def read_toml(text: str, *, source: str = "<string>", covariates=None, **options) -> ModelSpec:
    """Parse a model file in acsi's TOML format (documented in ``models/acsi.toml``).

    Parameters
    ----------
    text : str
        The file's content.
    source : str
        File name for messages.
    covariates : None, bool or list of str
        Covariates to switch on (``True``: every declared covariate with ``predicts``).
    **options
        The model's options (``[option.NAME]`` tables): ``NAME=VALUE``.
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = int(m.group(1)) if m else None
        raise _err(source, line, f"invalid TOML: {exc}", text) from None
    # ``paths = [...]`` (or ``covariances``, ``syntax``) written after the [[latent]] /
    # [[observed]] / [[covariate]] tables lands, by TOML's rules, inside the last table; accept
    # it there too, since that is where people write it.
    for key in _LIFTED:
        if key in doc:
            continue
        for array in ("latent", "observed", "covariate"):
            entries = doc.get(array)
            if isinstance(entries, list) and entries and isinstance(entries[-1], dict) and key in entries[-1]:
                doc[key] = entries[-1].pop(key)
                break
    _check_keys(source, text, doc)
    for key in ("name", "latent", "paths", "headline"):
        if key not in doc:
            raise _err(source, None, f"missing required key {key!r}; a model file needs name, headline, [[latent]] tables and paths")
    if not isinstance(doc["latent"], list):
        raise _err(source, _line_of(text, "latent"), "latent must be an array of tables ([[latent]])", text)

    # model options: the file's [option.NAME] tables, each with a default
    declared = doc.get("option", {}) or {}
    if not isinstance(declared, Mapping):
        raise _err(source, _line_of(text, "[option"), "option must be tables [option.NAME] with a default and one table per value", text)
    unknown = sorted(set(options) - set(declared))
    if unknown:
        raise InvalidParameterError(
            f"The {unknown[0]!r} parameter of load_model is not an option of model {doc['name']!r} ({source}); "
            f"its options are {', '.join(sorted(declared)) or 'none'} (and covariates). Got {options[unknown[0]]!r} instead."
        )
    applied = {}
    for opt, table in declared.items():
        if not isinstance(table, Mapping) or not isinstance(table.get(table.get("default"), None), Mapping):
            raise _err(source, _line_of(text, f"[option.{opt}"),
                       f"[option.{opt}] needs a default value and a table [option.{opt}.VALUE] for each value", text)
        value = options.get(opt, table["default"])
        doc = _apply_option(source, doc, opt, value)
        if value != table["default"]:
            applied[opt] = value

    scale = doc.get("scale", {"min": 1, "max": 10})
    try:
        dmin, dmax = float(scale["min"]), float(scale["max"])
    except (KeyError, TypeError, ValueError):
        raise _err(source, _line_of(text, "scale"), "scale must be a table like { min = 1, max = 10 }", text) from None
    latents = []
    for k, lv in enumerate(doc["latent"], start=1):
        if "id" not in lv:
            raise _err(source, None, f"[[latent]] number {k} has no id")
        raw_items = lv.get("items", [])
        if not isinstance(raw_items, list) or not raw_items:
            raise _err(source, _line_of(text, f'"{lv["id"]}"'), f"latent {lv['id']!r} needs a non-empty items list", text)
        items = []
        for it in raw_items:
            if isinstance(it, str):
                it = {"id": it}
            if not isinstance(it, dict) or "id" not in it:
                raise _err(source, _line_of(text, f'"{lv["id"]}"'), f"an item of latent {lv['id']!r} has no id: {it!r}", text)
            lo, hi = _scale_of(source, text, it, (dmin, dmax), f"item {it['id']!r}")
            items.append(Item(id=str(it["id"]), text=str(it.get("text", "")), text_zh=str(it.get("text_zh", "")), min=lo, max=hi))
        latents.append(Latent(id=str(lv["id"]), items=tuple(items), name=str(lv.get("name", "")), name_zh=str(lv.get("name_zh", ""))))
    observed = [_observed_table(source, text, o, covariate=False) for o in doc.get("observed", [])]
    covs_declared = [_observed_table(source, text, o, covariate=True) for o in doc.get("covariate", [])]
    demo = doc.get("demographics")
    if demo is not None:
        covs_declared += _demographics(source, text, demo, {c.id for c in covs_declared})
    paths = _paths_of(source, text, doc["paths"])
    covs = _covs_of(source, text, doc.get("covariances", []))

    # covariates switched on
    if covariates not in (None, False):
        switchable = [c.id for c in covs_declared if c.predicts]
        if covariates is True:
            chosen = switchable
        elif isinstance(covariates, Sequence) and not isinstance(covariates, (str, bytes)):
            chosen = [str(c) for c in covariates]
            bad = [c for c in chosen if c not in switchable]
            if bad:
                raise InvalidParameterError(
                    f"The 'covariates' parameter of load_model must list covariates of model {doc['name']!r} that "
                    f"predict something ({', '.join(switchable) or 'none'}). Got {bad[0]!r} instead."
                )
        else:
            raise InvalidParameterError(
                f"The 'covariates' parameter of load_model must be None, True or a list of covariate ids. "
                f"Got {covariates!r} instead."
            )
        for c in covs_declared:
            if c.id in chosen:
                paths += [(c.id, t) for t in c.predicts if (c.id, t) not in paths]
        applied["covariates"] = tuple(chosen)
    extra = {k: v for k, v in doc.items() if k not in TOML_KEYS}
    name, headline = str(doc["name"]), str(doc["headline"])
    all_observed = tuple(observed + covs_declared)
    if "loaded_with" in doc:  # a model written by ModelSpec.to_toml from a spec loaded with options
        if applied or not isinstance(doc["loaded_with"], Mapping):
            raise _err(source, _line_of(text, "loaded_with"), "loaded_with records the options a written model was "
                       "loaded with; it is a table and cannot be combined with options", text)
        applied = dict(doc["loaded_with"])
    try:
        base = ModelSpec(
            name=name, latents=tuple(latents), paths=tuple(paths), headline=headline, covariances=tuple(covs),
            title=str(doc.get("title", "")), description=str(doc.get("description", "")),
            reference=str(doc.get("reference", "")), source=source, observed=all_observed,
            options=applied, extra=extra,
        )
        syntax = str(doc.get("syntax", "") or "")
        if syntax.strip():
            return _with_syntax(base, syntax, text, source)
        return base
    except SpecError as exc:
        # point at the line that mentions the first quoted name in the message
        m = re.search(r"'([^']+)'", str(exc).split(":", 1)[-1])
        line = _line_of(text, m.group(1)) if m else None
        if line:
            raise SpecError(f"{exc}\n  (see {source}, line {line}: {text.splitlines()[line - 1].strip()})") from None
        raise


def _with_syntax(base: ModelSpec, syntax: str, text: str, source: str) -> ModelSpec:
    """Add a TOML ``syntax`` block: the statements the tables imply come first, except those the
    block restates (``CS ~ a*PQ`` labels the path PQ -> CS), then the block's statements."""
    line0 = _line_of(text, "syntax") or 0
    block = parse_syntax(syntax, source=f"{source} (syntax block starting on line {line0})")
    return _rebuild(base, tuple(merge_statements(base.statements, block)))


def _other_names(statements, measured: set[str]) -> list[str]:
    """Variables of the statements outside ``measured`` (latents and items), in order of appearance."""
    out: dict[str, None] = {}
    for s in statements:
        if s.op not in CONSTRAINT_OPS:
            for v in (s.lhs, s.rhs):
                if v and v not in measured:
                    out.setdefault(v)
    return list(out)


def _rebuild(base: ModelSpec, statements: tuple[Statement, ...]) -> ModelSpec:
    """``base`` with ``statements``: paths/covariances/observed follow the statements."""
    latents = set(base.latent_ids)
    items = set(base.item_ids)
    paths = [(s.rhs, s.lhs) for s in statements if s.op == "~"]
    covs = [(s.lhs, s.rhs) for s in statements if s.op == "~~" and s.lhs != s.rhs
            and (s.fixed is None or all(math.isnan(v) for v in s.fixed))]
    declared = {o.id for o in base.observed}
    new = [Observed(id=v) for v in _other_names(statements, latents | items) if v not in declared]
    # observed variables of the structural model first, then covariates (the TOML layout)
    observed = [o for o in base.observed if not o.covariate] + new + [o for o in base.observed if o.covariate]
    return ModelSpec(
        name=base.name, latents=base.latents, paths=tuple(paths), headline=base.headline, covariances=tuple(covs),
        title=base.title, description=base.description, reference=base.reference, source=base.source,
        observed=tuple(observed), statements=statements, options=base.options, extra=base.extra,
    )


# --------------------------------------------------------------------------------------
# lavaan text
# --------------------------------------------------------------------------------------
def _directives(text: str, source: str) -> tuple[str | None, dict[str, tuple[float, float]]]:
    headline = None
    scales: dict[str, tuple[float, float]] = {}
    for ln, raw in enumerate(text.splitlines(), start=1):
        hm = _HEADLINE_RE.match(raw)
        if hm:
            headline = hm.group(1)
            continue
        sm = _SCALE_RE.match(raw)
        if sm:
            m = re.fullmatch(rf"((?:[A-Za-z_][A-Za-z0-9_.]*\s+)+)({_NUM})\s+({_NUM})", sm.group(1))
            if not m:
                raise syntax_error(source, text, ln, raw.index("scale") + 1,
                                   "a scale directive is '# scale: NAME [NAME ...] MIN MAX', e.g. '# scale: cc1 0 1'")
            lo, hi = float(m.group(2)), float(m.group(3))
            for nm in m.group(1).split():
                scales[nm] = (lo, hi)
    return headline, scales


def parse_lavaan(
    text: str,
    *,
    name: str = "custom",
    headline: str | None = None,
    scale: tuple[float, float] = (1, 10),
    scales: Mapping[str, tuple[float, float]] | None = None,
    source: str = "<string>",
) -> ModelSpec:
    """Build a :class:`ModelSpec` from lavaan model syntax.

    The whole of lavaan's syntax that acsi estimates is accepted (see
    :mod:`acsi.spec.syntax`): ``=~``, ``~``, ``~~``, ``~ 1``, ``:=``, ``==``, ``<``, ``>``,
    the modifiers ``0.8*x``, ``NA*x``, ``a*x``, ``start(v)*x``, ``equal("a")*x``,
    ``c(...)*x``, and observed variables anywhere in ``~`` and ``~~`` (outcomes, predictors,
    exogenous covariates). Constructs that acsi cannot estimate are refused naming the line,
    the column and the construct. Comment directives: ``# headline: CS`` names the
    headline latent (else ``CS`` when present, or the ``headline`` argument);
    ``# scale: cc1 0 1`` gives variables their scale.

    A single indicator's ``x ~~ 0*x`` restates lavaan's ``auto.fix.single`` rule (and is
    what :meth:`ModelSpec.to_lavaan` writes for semopy), so it is read as that default.

    Parameters
    ----------
    scale : (min, max)
        Scale bounds of every item (for the 0-100 rescaling and the range checks).
    scales : dict, optional
        Per-variable scales ``{"cc1": (0, 1)}`` (items or observed variables); they win over
        ``scale`` and the ``# scale:`` directives. Observed variables outside the
        measurement model have no scale unless given one.

    Examples
    --------
    >>> spec = parse_lavaan("CS =~ cs1 + cs2\\nCL =~ cl1 + cl2\\nCL ~ CS")
    >>> spec.paths
    (('CS', 'CL'),)
    >>> spec = parse_lavaan("CS =~ cs1 + cs2\\nCL =~ cl1 + cl2\\ncc1 ~ CS\\nCL ~ CS + cc1",
    ...                     scales={"cc1": (0, 1)})
    >>> spec.structural_observed, spec.scale_bounds["cc1"]
    (('cc1',), (0.0, 1.0))
    """
    if not isinstance(text, str):
        raise invalid("parse_lavaan", "text", "lavaan model text (a str such as 'CS =~ cs1 + cs2'; for a file use "
                      "acsi.load_model(path))", text)
    dir_headline, dir_scales = _directives(text, source)
    if headline is None:
        headline = dir_headline
    statements = list(parse_syntax(text, source=source))
    if not any(s.op not in CONSTRAINT_OPS for s in statements):
        raise _err(source, None, "model text contains no statements; expected lines like 'CS =~ cs1 + cs2 + cs3'")

    def fail(s: Statement, msg: str) -> SpecError:
        return syntax_error(source, text, s.line, s.column, msg)

    def fail_lhs(s: Statement, msg: str) -> SpecError:
        src_line = text.splitlines()[s.line - 1] if 0 < s.line <= len(text.splitlines()) else ""
        m = re.search(rf"(?<![A-Za-z0-9_.]){re.escape(s.lhs)}(?![A-Za-z0-9_.])", src_line)
        return syntax_error(source, text, s.line, m.start() + 1 if m else s.column, msg)

    measurement: dict[str, list[str]] = {}
    item_of: dict[str, str] = {}
    item_stmt: dict[str, Statement] = {}
    for s in statements:
        if s.op != "=~":
            continue
        if s.rhs in measurement:
            raise fail(s, f"{s.rhs!r} is a latent variable: second-order factors (a latent measured by latents) are "
                          "not supported")
        if s.lhs in item_of:
            raise fail_lhs(s, f"{s.lhs!r} is an item of {item_of[s.lhs]!r} (line {item_stmt[s.lhs].line}); it cannot "
                          "also be a latent variable measured with '=~' (second-order factors are not supported)")
        if s.rhs in item_of:
            raise fail(s, f"item {s.rhs!r} is listed under both {item_of[s.rhs]!r} and {s.lhs!r}; each item "
                          "measures exactly one latent (cross-loadings are not supported)")
        measurement.setdefault(s.lhs, []).append(s.rhs)
        item_of[s.rhs] = s.lhs
        item_stmt[s.rhs] = s
    if not measurement:
        raise _err(source, None, "the model has no latent variable: define at least one with 'NAME =~ item1 + item2'")
    singles = {items[0] for items in measurement.values() if len(items) == 1}
    kept = []
    for s in statements:
        if (s.op == "~~" and s.lhs == s.rhs and s.lhs in singles and s.fixed == (0.0,) and s.label is None
                and s.start is None):
            continue  # restates auto.fix.single
        kept.append(s)
    statements = kept
    # observed variables outside the measurement model, in order of first appearance
    obs_order = _other_names(statements, set(measurement) | set(item_of))
    # exogenous observed predictors are covariates (lavaan's ov.x)
    outcomes = {s.lhs for s in statements if s.op == "~"}
    predictors = {s.rhs for s in statements if s.op == "~"}
    regressed_only = {v for v in obs_order if v in predictors and v not in outcomes}
    if headline is None:
        if "CS" in measurement:
            headline = "CS"
        else:
            raise SpecError(
                f"{source}: cannot tell which latent is the headline index; pass headline=... "
                f"or add a comment '# headline: NAME' (latents: {', '.join(measurement)})"
            )
    if headline not in measurement:
        raise SpecError(f"{source}: headline {headline!r} is not a latent of the model (latents: {', '.join(measurement)})")
    all_scales = dict(dir_scales)
    for k, v in (scales or {}).items():
        try:
            lo, hi = float(v[0]), float(v[1])
        except (TypeError, ValueError, IndexError):
            raise InvalidParameterError(
                f"The 'scales' parameter of parse_lavaan must map variable names to (min, max). Got {k!r}: {v!r} instead."
            ) from None
        all_scales[str(k)] = (lo, hi)
    unknown = [k for k in all_scales if k not in item_of and k not in obs_order]
    if unknown:
        raise SpecError(
            f"{source}: scales are given for {', '.join(map(repr, unknown))}, which is not an observed variable of "
            f"the model (items: {', '.join(item_of)}; other observed: {', '.join(obs_order) or 'none'})"
        )
    lo, hi = float(scale[0]), float(scale[1])
    latent_objs = tuple(
        Latent(id=lv, items=tuple(Item(id=i, min=all_scales.get(i, (lo, hi))[0], max=all_scales.get(i, (lo, hi))[1])
                                  for i in its))
        for lv, its in measurement.items()
    )
    # structural observed variables first, then covariates (the order to_toml writes)
    obs_order = [v for v in obs_order if v not in regressed_only] + [v for v in obs_order if v in regressed_only]
    observed = tuple(
        Observed(id=v, min=all_scales[v][0] if v in all_scales else None,
                 max=all_scales[v][1] if v in all_scales else None, covariate=v in regressed_only)
        for v in obs_order
    )
    paths = [(s.rhs, s.lhs) for s in statements if s.op == "~"]
    covs = [(s.lhs, s.rhs) for s in statements if s.op == "~~" and s.lhs != s.rhs
            and (s.fixed is None or all(math.isnan(v) for v in s.fixed))]
    try:
        return ModelSpec(
            name=name, latents=latent_objs, paths=tuple(paths), headline=headline, covariances=tuple(covs),
            title=name, source=source, observed=observed, statements=tuple(statements),
        )
    except SpecError as exc:
        # name the line of the first statement the message quotes
        m = re.search(r"path (\S+) -> (\S+)", str(exc))
        if m:
            s = next((s for s in statements if s.op == "~" and (s.rhs, s.lhs) == (m.group(1), m.group(2))), None)
            if s is not None:
                raise fail(s, str(exc).split(": ", 1)[-1]) from None
        raise
