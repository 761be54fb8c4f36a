"""Writing a :class:`~acsi.spec.ModelSpec` in acsi's TOML model format (``models/acsi.toml``).

:func:`spec_to_toml` is the inverse of :func:`acsi.spec.read_toml`:
``read_toml(spec_to_toml(spec)) == spec`` for every spec. The tables hold the user-level
view (latents with items, wording and scales; observed variables; covariates; paths;
covariances); the ``syntax`` block holds the statements the tables do not imply (labels,
fixed values, variances, intercepts, constraints). When the statements are not in the
order the tables imply (a lavaan text written in another order), the block holds every
statement, in order, so that the parameter table keeps lavaan's row order.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping

from .syntax import format_statements, implied_statements, merge_statements

__all__ = ["spec_to_toml", "toml_value"]


def _string(s: str) -> str:
    out = ['"']
    for ch in str(s):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _key(k: str) -> str:
    k = str(k)
    return k if k and all(c.isalnum() or c in "_-" for c in k) and k.isascii() else _string(k)


def toml_value(v) -> str:
    """One TOML value (string, number, bool, array, inline table)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(x)}" for k, x in v.items()) + " }" if v else "{}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} {v!r} as TOML")


def _num(v: float) -> int | float:
    v = float(v)
    return int(v) if v.is_integer() and abs(v) < 2**53 else v


def _block(text: str) -> str:
    if "'''" not in text:
        return "'''\n" + text + "'''"
    return _string(text)


def spec_to_toml(spec, *, syntax: str | None = None) -> str:
    """The TOML text of ``spec`` (see the module docstring).

    ``syntax`` overrides the statements written in the ``syntax`` block (used internally to
    fall back to the full statement list).
    """
    lines: list[str] = [f"# model {spec.name!r} written by acsi (ModelSpec.to_toml)"]
    lines.append(f"name = {_string(spec.name)}")
    for key in ("title", "description", "reference"):
        if getattr(spec, key):
            lines.append(f"{key} = {_string(getattr(spec, key))}")
    lines.append(f"headline = {_string(spec.headline)}")
    scales = Counter((it.min, it.max) for it in spec.items)
    (dmin, dmax), _ = scales.most_common(1)[0]
    lines.append(f"scale = {{ min = {toml_value(_num(dmin))}, max = {toml_value(_num(dmax))} }}")
    lines.append("paths = [" + "".join(f"\n  {_string(f'{a} -> {b}')}," for a, b in spec.paths) + ("\n]" if spec.paths else "]"))
    if spec.covariances:
        lines.append("covariances = [" + "".join(f"\n  {_string(f'{a} ~~ {b}')}," for a, b in spec.covariances) + "\n]")
    if spec.options:
        lines.append(f"loaded_with = {toml_value(dict(spec.options))}")
    if syntax is None:
        syntax = format_statements(_extra_statements(spec))
    if syntax.strip():
        lines.append(f"syntax = {_block(syntax)}")
    for k, v in spec.extra.items():
        if not isinstance(v, Mapping):
            lines.append(f"{_key(k)} = {toml_value(_plain(v))}")
    for lv in spec.latents:
        lines.append("")
        lines.append("[[latent]]")
        lines.append(f"id = {_string(lv.id)}")
        if lv.name:
            lines.append(f"name = {_string(lv.name)}")
        if lv.name_zh:
            lines.append(f"name_zh = {_string(lv.name_zh)}")
        lines.append("items = [")
        for it in lv.items:
            fields = {"id": it.id}
            if it.text:
                fields["text"] = it.text
            if it.text_zh:
                fields["text_zh"] = it.text_zh
            if (it.min, it.max) != (dmin, dmax):
                fields["min"], fields["max"] = _num(it.min), _num(it.max)
            lines.append(f"  {toml_value(fields)},")
        lines.append("]")
    for o in spec.observed:
        lines.append("")
        lines.append("[[covariate]]" if o.covariate else "[[observed]]")
        for key in ("id", "name", "name_zh", "text", "text_zh"):
            if getattr(o, key):
                lines.append(f"{key} = {_string(getattr(o, key))}")
        if o.has_scale:
            lines.append(f"min = {toml_value(_num(o.min))}")
            lines.append(f"max = {toml_value(_num(o.max))}")
        if o.predicts:
            lines.append(f"predicts = {toml_value(list(o.predicts))}")
    for k, v in spec.extra.items():
        if isinstance(v, Mapping):
            lines.append("")
            lines.append(f"[{_key(k)}]")
            for kk, vv in v.items():
                lines.append(f"{_key(kk)} = {toml_value(_plain(vv))}")
    return "\n".join(lines) + "\n"


def _plain(v):
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    return v


def _extra_statements(spec) -> list:
    """Statements the tables do not imply, in order; every statement if the order would change.

    :func:`acsi.spec.read_toml` puts the statements the tables imply first, except those the
    ``syntax`` block restates, then the block's statements in order.
    """
    implied = implied_statements(spec)
    plain = set(implied)
    block = [s for s in spec.statements if s not in plain]
    if merge_statements(implied, block) == list(spec.statements):
        return block
    return list(spec.statements)
