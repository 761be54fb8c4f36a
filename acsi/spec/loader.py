"""Reading model specifications: shipped TOML files and lavaan-style text.

Errors name the file, the line and the problem, and quote the source line
with a caret under the offending spot, in the manner of lavaan's parser.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path

from ..errors import SpecError
from .model import Item, Latent, ModelSpec

__all__ = ["load_model", "list_models", "parse_lavaan", "read_toml", "resolve_model"]

_PATH_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*->\s*([A-Za-z_][A-Za-z0-9_.]*)\s*$")


def _models_dir():
    return resources.files("acsi.models")


def list_models() -> list[str]:
    """Names of the models shipped with acsi (``models/*.toml``)."""
    return sorted(p.name[:-5] for p in _models_dir().iterdir() if p.name.endswith(".toml"))


def load_model(name: str | Path) -> ModelSpec:
    """Load a shipped model by name, or a model file by path.

    Parameters
    ----------
    name : str or Path
        A shipped model name (see :func:`list_models`), a path to a ``.toml``
        model file, or a path to a lavaan-syntax text file (``.lav``/``.txt``).

    Examples
    --------
    >>> spec = load_model("acsi")
    >>> spec.headline
    'CS'
    """
    p = Path(str(name))
    if p.suffix.lower() == ".toml" or (p.suffix and p.exists()):
        if not p.exists():
            raise SpecError(f"model file {str(p)!r} does not exist; check the path")
        if p.suffix.lower() == ".toml":
            return read_toml(p.read_text(encoding="utf-8"), source=str(p))
        return parse_lavaan(p.read_text(encoding="utf-8"), name=p.stem, source=str(p))
    key = str(name).lower()
    if key in list_models():
        res = _models_dir().joinpath(f"{key}.toml")
        return read_toml(res.read_text(encoding="utf-8"), source=f"models/{key}.toml")
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
    loc = f"{source}, line {line}" if line else source
    out = f"{loc}: {msg}"
    if text is not None and line:
        src = text.splitlines()[line - 1]
        out += f"\n    {src}"
        if col is not None:
            out += "\n    " + " " * col + "^"
    return SpecError(out)


def read_toml(text: str, *, source: str = "<string>") -> ModelSpec:
    """Parse a model file in acsi's TOML format (see ``models/acsi.toml``)."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = int(m.group(1)) if m else None
        raise _err(source, line, f"invalid TOML: {exc}", text) from None
    # ``paths = [...]`` written after the [[latent]] tables lands, by TOML's rules,
    # inside the last latent table; accept it there too, since that is where people write it.
    if "paths" not in doc and isinstance(doc.get("latent"), list):
        for lv in doc["latent"]:
            if isinstance(lv, dict) and "paths" in lv:
                doc["paths"] = lv.pop("paths")
    for key in ("name", "latent", "paths", "headline"):
        if key not in doc:
            raise _err(source, None, f"missing required key {key!r}; a model file needs name, headline, [[latent]] tables and paths")
    scale = doc.get("scale", {"min": 1, "max": 10})
    try:
        dmin, dmax = float(scale["min"]), float(scale["max"])
    except (KeyError, TypeError, ValueError):
        raise _err(source, _line_of(text, "scale"), "scale must be a table like { min = 1, max = 10 }", text) from None
    latents = []
    if not isinstance(doc["latent"], list):
        raise _err(source, _line_of(text, "latent"), "latent must be an array of tables ([[latent]])", text)
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
            items.append(
                Item(
                    id=str(it["id"]),
                    text=str(it.get("text", "")),
                    text_zh=str(it.get("text_zh", "")),
                    min=float(it.get("min", dmin)),
                    max=float(it.get("max", dmax)),
                )
            )
        latents.append(Latent(id=str(lv["id"]), items=tuple(items), name=str(lv.get("name", "")), name_zh=str(lv.get("name_zh", ""))))
    paths = []
    for p in doc["paths"]:
        m = _PATH_RE.match(str(p))
        if not m:
            line = _line_of(text, str(p))
            raise _err(source, line, f"path {p!r} is not of the form \"FROM -> TO\"", text)
        paths.append((m.group(1), m.group(2)))
    covs = []
    for c in doc.get("covariances", []):
        parts = [s.strip() for s in str(c).split("~~")]
        if len(parts) != 2 or not all(parts):
            raise _err(source, _line_of(text, str(c)), f"covariance {c!r} is not of the form \"A ~~ B\"", text)
        covs.append((parts[0], parts[1]))
    extra = {k: v for k, v in doc.items() if k not in {"name", "title", "description", "reference", "headline", "scale", "latent", "paths", "covariances"}}
    try:
        return ModelSpec(
            name=str(doc["name"]),
            latents=tuple(latents),
            paths=tuple(paths),
            headline=str(doc["headline"]),
            covariances=tuple(covs),
            title=str(doc.get("title", "")),
            description=str(doc.get("description", "")),
            reference=str(doc.get("reference", "")),
            source=source,
            extra=extra,
        )
    except SpecError as exc:
        # point at the line that mentions the first quoted name in the message
        m = re.search(r"'([^']+)'", str(exc).split(":", 1)[-1])
        line = _line_of(text, m.group(1)) if m else None
        if line:
            raise SpecError(f"{exc}\n  (see {source}, line {line}: {text.splitlines()[line - 1].strip()})") from None
        raise


_TOKEN_OPS = ("=~", "~~", "~")


def parse_lavaan(
    text: str,
    *,
    name: str = "custom",
    headline: str | None = None,
    scale: tuple[float, float] = (1, 10),
    source: str = "<string>",
) -> ModelSpec:
    """Build a :class:`ModelSpec` from lavaan-style model syntax.

    Supported operators: ``=~`` (measurement), ``~`` (structural regression
    between latents) and ``~~`` (free covariance).  Statements may be split by
    newlines or ``;``; a line ending in ``+`` continues on the next line;
    ``#`` starts a comment.  A comment ``# headline: CS`` names the headline
    latent; otherwise ``CS`` is used when present, or the ``headline`` argument.
    Fixed values and labels (``a*x``) are not supported, except ``x ~~ 0*x``
    for the single indicator of a latent, which acsi writes itself.

    Parameters
    ----------
    scale : (min, max)
        Scale bounds given to every item (for the 0-100 rescaling).

    Examples
    --------
    >>> spec = parse_lavaan("CS =~ cs1 + cs2\\nCL =~ cl1 + cl2\\nCL ~ CS")
    >>> spec.paths
    (('CS', 'CL'),)
    """
    lines = text.splitlines()
    statements: list[tuple[int, str, int]] = []  # (line no, statement, col offset)
    pending: tuple[int, str, int] | None = None
    for ln, raw in enumerate(lines, start=1):
        hm = re.match(r"^\s*#\s*headline\s*:\s*([A-Za-z_][A-Za-z0-9_.]*)\s*$", raw)
        if hm and headline is None:
            headline = hm.group(1)
        code = raw.split("#", 1)[0]
        offset = 0
        for part in code.split(";"):
            stmt = part
            if pending is not None:
                pln, ptext, pcol = pending
                stmt_full = ptext + " " + stmt
                pending = None
                if stmt_full.rstrip().endswith("+"):
                    pending = (pln, stmt_full, pcol)
                else:
                    statements.append((pln, stmt_full, pcol))
            elif stmt.strip():
                if stmt.rstrip().endswith("+"):
                    pending = (ln, stmt, offset)
                else:
                    statements.append((ln, stmt, offset))
            offset += len(part) + 1
    if pending is not None:
        raise _err(source, pending[0], "statement ends with '+' but nothing follows", text)
    if not statements:
        raise _err(source, None, "model text contains no statements; expected lines like 'CS =~ cs1 + cs2 + cs3'")

    measurement: dict[str, list[str]] = {}
    zero_resid: list[tuple[str, int]] = []
    regressions: list[tuple[str, str, int]] = []
    covs: list[tuple[str, str]] = []
    ident = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
    for ln, stmt, col in statements:
        op = next((o for o in _TOKEN_OPS if o in stmt), None)
        if op is None:
            c = col + len(stmt) - len(stmt.lstrip())
            raise _err(source, ln, "no operator found; expected one of '=~', '~', '~~'", text, c)
        lhs, rhs = stmt.split(op, 1)
        lhs = lhs.strip()
        op_col = col + stmt.index(op)
        if not ident.match(lhs):
            raise _err(source, ln, f"left-hand side {lhs!r} of '{op}' is not a variable name", text, col + len(stmt) - len(stmt.lstrip()))
        terms = [t.strip() for t in rhs.split("+")]
        if op == "~~" and len(terms) == 1 and re.fullmatch(r"0(\.0*)?\s*\*\s*" + re.escape(lhs), terms[0]):
            # "x ~~ 0*x": the zero residual of a single indicator, which acsi writes itself
            zero_resid.append((lhs, ln))
            continue
        for t in terms:
            if not t:
                raise _err(source, ln, f"empty term on the right-hand side of '{op}'", text, op_col + len(op))
            if "*" in t:
                raise _err(
                    source, ln,
                    f"fixed values and labels ({t!r}) are not supported; acsi fixes the first loading to 1 itself",
                    text, col + stmt.index(t),
                )
            if not ident.match(t):
                raise _err(source, ln, f"{t!r} is not a variable name", text, col + stmt.index(t))
        if op == "=~":
            if lhs in measurement:
                measurement[lhs].extend(terms)
            else:
                measurement[lhs] = list(terms)
        elif op == "~":
            for t in terms:
                regressions.append((t, lhs, ln))
        else:
            for t in terms:
                covs.append((lhs, t))
    latent_ids = list(measurement)
    for a, b, ln in regressions:
        for end in (a, b):
            if end not in measurement:
                raise _err(
                    source, ln,
                    f"regression {b} ~ {a} involves {end!r}, which is not a latent variable "
                    "(acsi's structural model links latents defined with '=~')",
                    text,
                )
    singles = {items[0] for items in measurement.values() if len(items) == 1}
    for x, ln in zero_resid:
        if x not in singles:
            raise _err(
                source, ln,
                f"'{x} ~~ 0*{x}' fixes a residual variance to zero; acsi allows this only for the single "
                "indicator of a latent (where it is applied automatically)",
                text,
            )
    if headline is None:
        if "CS" in measurement:
            headline = "CS"
        else:
            raise SpecError(
                f"{source}: cannot tell which latent is the headline index; pass headline=... "
                f"or add a comment '# headline: NAME' (latents: {', '.join(latent_ids)})"
            )
    lo, hi = float(scale[0]), float(scale[1])
    latents = tuple(
        Latent(id=lv, items=tuple(Item(id=i, min=lo, max=hi) for i in items)) for lv, items in measurement.items()
    )
    return ModelSpec(
        name=name,
        latents=latents,
        paths=tuple((a, b) for a, b, _ in regressions),
        headline=headline,
        covariances=tuple(covs),
        title=name,
        source=source,
    )
