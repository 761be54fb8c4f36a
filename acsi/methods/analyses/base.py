"""The record every toolkit analysis returns, its saved folder format, and the analysis registry.

A toolkit analysis (``run_analysis("nps", data, columns="ltr")``) returns a
:class:`ToolkitResult`: named tables (the first is the main one), the options it ran with,
its confidence level, notes, warnings and, where one suits, a figure.  Saved with
:meth:`ToolkitResult.save`, an analysis called ``<name>`` writes into one folder::

    <name>_manifest.json             the acsi manifest (kind "toolkit"): analysis, title, tables and
                                     their captions, main table, figure, confidence, notes, warnings,
                                     options, inputs (path, rows, SHA-256), provenance, every file
                                     with its size and SHA-256
    <name>.csv / <name>.parquet      the main table (or <name>_<part>.* for each part)
    <name>.png                       the figure, when the analysis has one

Every table stem starts with the analysis name, so several analyses (and a fit's own
``manifest.json`` and tables) can share one folder without overwriting each other.
:func:`load_toolkit` reads a saved analysis back (the manifest verified first); the report
reads the same folders.
"""

from __future__ import annotations

import fnmatch
import json
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from ...errors import AcsiWarning, MethodError
from ...options import Real, check, OneOf, validate_params
from ...summary import Summary
from ...tables import FORMATS, file_entry, read_manifest, read_saved, require_file, verify_manifest, write_manifest, write_tables

__all__ = ["ANALYSES", "CONFIDENCE", "Analysis", "Output", "ToolkitResult", "analysis", "column_list", "load_toolkit",
           "list_toolkit", "run_analysis", "MANIFEST_SUFFIX", "FIGURE_FORMATS", "groups", "mapping", "numbers",
           "one_column", "strata", "weight_series", "check_figure_path"]

#: The confidence level of every interval: a proportion, not a percent.
CONFIDENCE = Real(0, 1, closed="neither", desc="in (0, 1), e.g. 0.95 (a proportion, not a percent)")
#: File name ending of a saved analysis' manifest: ``<name>_manifest.json``.
MANIFEST_SUFFIX = "_manifest.json"
#: Figure formats :meth:`ToolkitResult.save` writes (matplotlib's, by the file extension).
FIGURE_FORMATS = (".png", ".pdf", ".svg")


# --------------------------------------------------------------------------- the record
@dataclass(frozen=True, eq=False)
class ToolkitResult:
    """What one toolkit analysis produced (read-only; :meth:`table` returns copies).

    Attributes
    ----------
    name : str
        The analysis (a key of :data:`ANALYSES`), also the prefix of every table stem.
    title : str
    tables : mapping stem -> DataFrame
        In order; the first is the main table.
    captions : mapping stem -> str
        What each table holds.
    printed : tuple of str
        Stems shown by :meth:`summary` (long per-respondent tables are saved, not printed).
    options : mapping
        The options the analysis ran with (JSON values).
    confidence : float or None
        Level of the intervals in the tables (None when the analysis has none).
    notes, warnings : tuple of str
        Information for the reader, and the acsi warnings raised while it ran.
    inputs : tuple of mappings
        The input files: ``path``, ``rows``, ``sha256`` (empty for data passed as a table).
    provenance : mapping
        Versions, UTC time, input hash (:func:`acsi.provenance.stamp`).
    figure_file : str or None
        For a result read by :func:`load_toolkit`: the saved figure's file name.
    """

    name: str
    title: str
    tables: Mapping[str, pd.DataFrame]
    captions: Mapping[str, str] = field(default_factory=dict)
    printed: tuple[str, ...] = ()
    options: Mapping = field(default_factory=dict)
    confidence: float | None = None
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    inputs: tuple = ()
    provenance: Mapping = field(default_factory=dict)
    figure_file: str | None = None
    _figure: Callable | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        bad = [s for s in self.tables if s != self.name and not s.startswith(self.name + "_")]
        if bad:  # pragma: no cover - a programming error in a runner
            raise ValueError(f"table stems {bad} of analysis {self.name!r} must start with {self.name!r}")
        object.__setattr__(self, "tables", MappingProxyType(dict(self.tables)))
        object.__setattr__(self, "captions", MappingProxyType(dict(self.captions)))
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))
        object.__setattr__(self, "provenance", MappingProxyType(dict(self.provenance)))

    @property
    def main(self) -> str:
        """Stem of the main table."""
        return next(iter(self.tables))

    @property
    def has_figure(self) -> bool:
        """Whether :meth:`figure` can draw one."""
        return self._figure is not None

    def table(self, stem: str | None = None) -> pd.DataFrame:
        """A copy of one table (default: the main one); ``stem`` may omit the ``<name>_`` prefix."""
        key = self.main if stem is None else stem
        if key not in self.tables and f"{self.name}_{key}" in self.tables:
            key = f"{self.name}_{key}"
        if key not in self.tables:
            raise MethodError(f"{self.name}: no table {stem!r}; the tables are {list(self.tables)}.")
        return self.tables[key].copy()

    def summary(self) -> Summary:
        """Printable summary: the printed tables, then the notes."""
        level = f", {100 * self.confidence:g}% intervals" if self.confidence is not None else ""
        sections: list = [(self.captions.get(s, s), self.tables[s]) for s in (self.printed or tuple(self.tables))]
        hidden = [s for s in self.tables if self.printed and s not in self.printed]
        if hidden:
            sections.append(("Saved, not shown", ", ".join(f"{s} ({len(self.tables[s])} rows)" for s in hidden)))
        if self.notes:
            sections.append(("Notes", "\n".join(self.notes)))
        return Summary(f"{self.title}{level}", sections)

    def figure(self, lang: str = "en"):
        """The analysis' figure (a matplotlib Figure), or None when it has none."""
        check(f"{self.name}.figure", "lang", lang, OneOf("en", "zh"))
        return None if self._figure is None else self._figure(lang)

    def save(self, out_dir: str | Path, *, formats: Sequence[str] = FORMATS, figure: bool | str | Path = True,
             lang: str = "en") -> list[Path]:
        """Write the tables, the figure and ``<name>_manifest.json`` into ``out_dir``; returns the paths.

        ``figure``: True writes ``<name>.png`` when the analysis has a figure, False none,
        a path writes it there (``.png``, ``.pdf`` or ``.svg``; a relative name is inside
        ``out_dir``).  Draw Chinese figures inside ``acsi.report.fonts.font_context("zh")``.
        """
        formats = tuple(formats)
        if not formats:
            raise MethodError(f"{self.name}.save: formats is empty; give 'csv', 'parquet' or both.")
        fig_path = None
        if figure not in (True, False, None) and self._figure is None:
            raise MethodError(f"{self.name}: this result has no figure to draw; save it without figure=.")
        if figure is not False and figure is not None and self._figure is not None:
            fig_path = Path(out_dir) / f"{self.name}.png" if figure is True else Path(out_dir) / Path(figure)
            check_figure_path(fig_path, f"{self.name}.save")
        out = Path(out_dir)
        paths = write_tables(out, {s: t for s, t in self.tables.items()}, formats=formats)
        if fig_path is not None:
            fig_path.parent.mkdir(parents=True, exist_ok=True)
            self.figure(lang).savefig(fig_path, dpi=150, bbox_inches="tight")
            paths.append(fig_path)
        header = {**_json(dict(self.provenance)), "analysis": self.name, "title": self.title,
                  "main": self.main, "tables": {s: self.captions.get(s, "") for s in self.tables},
                  "printed": list(self.printed), "figure": fig_path.name if fig_path is not None else None,
                  "confidence": self.confidence, "notes": list(self.notes), "warnings": list(self.warnings),
                  "options": _json(dict(self.options)), "inputs": _json(list(self.inputs))}
        paths.append(write_manifest(out, f"{self.name}{MANIFEST_SUFFIX}", "toolkit", header,
                                    [p for p in paths if p.parent.resolve() == out.resolve()]))
        return paths


def check_figure_path(path: Path, where: str) -> Path:
    """``path`` if its extension is a figure format acsi writes, else a MethodError naming them."""
    if path.suffix.lower() not in FIGURE_FORMATS:
        raise MethodError(f"{where}: cannot tell the figure format of {str(path)!r} from its extension "
                          f"{path.suffix or '(none)'!r}; use {', '.join(FIGURE_FORMATS)}.")
    return path


def _json(value):
    """A JSON-ready copy: tuples to lists, numpy scalars to Python numbers, NaN to None."""
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


def list_toolkit(directory: str | Path) -> list[str]:
    """Names of the toolkit analyses saved in ``directory`` (their ``<name>_manifest.json``)."""
    d = Path(directory)
    if not d.is_dir():
        raise MethodError(f"list_toolkit: {str(d)!r} is not a directory; pass the folder given to --out.")
    names = []
    for p in sorted(d.glob(f"*{MANIFEST_SUFFIX}")):
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if doc.get("kind") == "toolkit" and doc.get("analysis"):
            names.append(str(doc["analysis"]))
    return names


def load_toolkit(directory: str | Path, name: str | None = None) -> ToolkitResult:
    """Read a saved toolkit analysis back (its manifest verified first).

    ``name`` is the analysis (``"nps"``, ``"servqual"``, ...); it may be omitted when the
    folder holds one analysis.  The figure is not redrawn: ``figure_file`` names the saved one.
    """
    d = Path(directory)
    if not d.exists():
        require_file(d)  # the one missing-input message
    names = list_toolkit(d)
    if name is None:
        if len(names) != 1:
            raise MethodError(f"load_toolkit: {str(d)!r} holds {len(names)} toolkit analyses {names}; "
                              "name the one to read with name=.")
        name = names[0]
    if name not in names:
        raise MethodError(f"load_toolkit: no toolkit analysis {name!r} in {str(d)!r}; it holds {names}.")
    manifest = read_manifest(d, f"{name}{MANIFEST_SUFFIX}")
    verify_manifest(d, manifest)
    tables = {}
    for stem in manifest.get("tables") or {}:
        t = read_saved(d, stem)
        if t is None:
            raise MethodError(f"load_toolkit: table {stem!r} of {name!r} is missing from {str(d)!r}.")
        tables[stem] = t
    prov = {k: manifest.get(k) for k in ("created_utc", "versions", "input_sha256_16")}
    return ToolkitResult(name=name, title=str(manifest.get("title", name)), tables=tables,
                         captions=dict(manifest.get("tables") or {}), printed=tuple(manifest.get("printed") or ()),
                         options=dict(manifest.get("options") or {}), confidence=manifest.get("confidence"),
                         notes=tuple(manifest.get("notes") or ()), warnings=tuple(manifest.get("warnings") or ()),
                         inputs=tuple(manifest.get("inputs") or ()), provenance=prov,
                         figure_file=manifest.get("figure"))


# --------------------------------------------------------------------------- the registry
@dataclass(frozen=True)
class Output:
    """What a runner returns: the tables (stem, table, caption, printed) and optionally a figure and notes."""

    tables: list
    figure: Callable | None = None
    notes: tuple[str, ...] = ()
    confidence: float | None = None


@dataclass(frozen=True)
class Analysis:
    """One registered analysis: its name, title, runner and what input it reads."""

    name: str
    title: str
    run: Callable
    data: str  # "required", "optional" or "none"
    reader: Callable | None
    figure: bool
    reader_options: tuple[str, ...] = ()
    folders: bool = False

    def __call__(self, data=None, **options) -> ToolkitResult:
        return run_analysis(self.name, data, **options)


#: name -> :class:`Analysis`, filled by the ``@analysis`` declarations of the runner modules.
ANALYSES: dict[str, Analysis] = {}


def analysis(name: str, title: str, *, data: str = "required", reader: Callable | None = None, figure: bool = False,
             reader_options: tuple[str, ...] = (), folders: bool = False, **constraints):
    """Register a runner ``f(data, **options) -> Output`` under ``name``, its options declared (acsi.options).

    ``reader(path, **reader_options)`` reads a file (or, with ``folders=True``, a folder) given
    as the data; the options named in ``reader_options`` go to the reader (and to the runner
    when it takes them too).
    """
    def decorate(func):
        checked = validate_params(f"toolkit analysis {name!r}", **constraints)(func) if constraints else func
        ANALYSES[name] = Analysis(name=name, title=title, run=checked, data=data, reader=reader, figure=figure,
                                  reader_options=tuple(reader_options), folders=folders)
        return checked

    return decorate


def _input_entry(path: Path, rows: int | None) -> dict:
    return {"path": str(path), "rows": rows, "sha256": file_entry(path)["sha256"]}


def run_analysis(name: str, data=None, /, **options) -> ToolkitResult:
    """Run the toolkit analysis ``name`` on ``data`` (a DataFrame or a file path) with ``options``.

    Every analysis and its options: :data:`ANALYSES` (``acsi <command> --help`` lists the
    same options with dashes).  A file is read by :func:`acsi.data.read_table` (CSV, Excel,
    Parquet, SPSS, Stata; AHP matrices by :func:`acsi.methods.read_matrix`).

    Examples
    --------
    >>> res = run_analysis("nps", pd.DataFrame({"ltr": [10, 9, 7, 3]}), columns="ltr")
    >>> float(res.table()["nps"].iloc[0])
    25.0
    """
    from ...data import read_table
    from ...provenance import stamp

    check("run_analysis", "name", name, OneOf(*sorted(ANALYSES)))
    a = ANALYSES[name]
    inputs = []
    import inspect

    takes = inspect.signature(a.run).parameters
    run_options = {k: v for k, v in options.items() if k not in a.reader_options or k in takes}
    read_options = {k: v for k, v in options.items() if k in a.reader_options}
    if isinstance(data, (str, Path)):
        path = Path(data)
        if not (a.folders and path.is_dir()):
            path = require_file(path)
        data = a.reader(path, **read_options) if a.reader is not None else read_table(path)
        inputs.append(_input_entry(path, len(data)) if path.is_file() else {"path": str(path), "rows": len(data)})
    elif read_options and any(v is not None for v in read_options.values()):
        raise MethodError(f"{name}: options {sorted(read_options)} apply when the input is a file or folder path.")
    if a.data == "required" and data is None:
        raise MethodError(f"{name}: needs a data table (or a file); none given.")
    if a.data == "none" and data is not None:
        raise MethodError(f"{name}: takes no data table; give its numbers as options.")
    if data is not None and not isinstance(data, pd.DataFrame):
        raise MethodError(f"{name}: data must be a DataFrame or a file path; got {type(data).__name__}.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AcsiWarning)
        out = a.run(data, **run_options)
    texts = tuple(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, AcsiWarning)))
    for w in caught:  # other warnings go on as they came
        if not issubclass(w.category, AcsiWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    level = out.confidence
    return ToolkitResult(
        name=name, title=a.title, tables={s: t for s, t, _, _ in out.tables},
        captions={s: c for s, _, c, _ in out.tables}, printed=tuple(s for s, _, _, p in out.tables if p),
        options=_json(options), confidence=None if level is None else float(level), notes=tuple(out.notes),
        warnings=texts, inputs=tuple(inputs), provenance=stamp(_json(options), data if isinstance(data, pd.DataFrame) else None),
        _figure=out.figure,
    )


# --------------------------------------------------------------------------- shared input helpers
def column_list(data: pd.DataFrame, spec, option: str, where: str, *, min_count: int = 1,
                max_count: int | None = None) -> list[str]:
    """Columns named by ``spec``: a name, a comma-separated string or a list; ``*``/``?`` patterns match names.

    Each missing name (or a pattern matching nothing) is a MethodError naming the option and
    the columns the data have.
    """
    flag = _option(option)
    if spec is None:
        raise MethodError(f"{where}: give the columns ({flag}).")
    parts = [p.strip() for p in spec.split(",")] if isinstance(spec, str) else [str(p).strip() for p in spec]
    parts = [p for p in parts if p]
    cols = [str(c) for c in data.columns]
    out: list[str] = []
    for p in parts:
        if p in cols:
            out.append(p)
        elif any(ch in p for ch in "*?["):
            hits = fnmatch.filter(cols, p)
            if not hits:
                raise MethodError(f"{where}: the pattern {p!r} ({flag}) matches no column; the data have {cols}.")
            out += hits
        else:
            raise MethodError(f"{where}: column {p!r} not found ({flag}); the data have columns {cols}.")
    out = list(dict.fromkeys(out))
    if len(out) < min_count:
        raise MethodError(f"{where}: {flag} needs at least {min_count} column(s); got {out}.")
    if max_count is not None and len(out) > max_count:
        raise MethodError(f"{where}: {flag} takes at most {max_count} column(s); got {out}.")
    return out


def _option(option: str) -> str:
    """How an option is named in messages: the Python keyword and the command-line flag."""
    base = option.split("[")[0]
    return f"{option}= / --{base.replace('_', '-')}"


def one_column(data: pd.DataFrame, spec, option: str, where: str) -> str:
    """The single column named by ``spec`` (see :func:`column_list`)."""
    return column_list(data, spec, option, where, max_count=1)[0]


def weight_series(data: pd.DataFrame, weight, where: str) -> pd.Series | None:
    """The survey-weight column (None without one); missing or non-numeric weights are a MethodError."""
    if weight is None:
        return None
    col = one_column(data, weight, "weight", where)
    w = pd.to_numeric(data[col], errors="coerce")
    bad = data.index[w.isna()]
    if len(bad):
        raise MethodError(f"{where}: weight column {col!r} has missing or non-numeric values at rows {list(bad[:10])}; "
                          "give every respondent a weight (0 to leave one out).")
    return w.astype(float)


def strata(data: pd.DataFrame, by, where: str) -> tuple[list[str], list[tuple[dict, pd.Index]]]:
    """The stratum columns and ``[(key, rows)]``: everyone first (stratum columns NaN), then each stratum in order.

    Respondents with a missing stratum count only in the overall rows (as
    :func:`acsi.methods.describe_items`).
    """
    by_cols = [] if by is None else column_list(data, by, "by", where)
    groups: list[tuple[dict, pd.Index]] = [({b: np.nan for b in by_cols}, data.index)]
    if by_cols:
        for key, part in data.groupby(by_cols, sort=True, dropna=True):
            key = key if isinstance(key, tuple) else (key,)
            groups.append((dict(zip(by_cols, key)), part.index))
    return by_cols, groups


def numbers(spec, option: str, where: str, *, count: int | None = None) -> list[float]:
    """A list of numbers from a sequence or a comma-separated string (``"1,5"``), with ``count`` checked."""
    if isinstance(spec, str):
        parts = [p.strip() for p in spec.split(",") if p.strip()]
    elif isinstance(spec, (int, float, np.number)):
        parts = [spec]
    else:
        parts = list(spec)
    try:
        vals = [float(p) for p in parts]
    except (TypeError, ValueError):
        raise MethodError(f"{where}: {option} must be numbers (e.g. 1,5); got {spec!r}.") from None
    if count is not None and len(vals) != count:
        raise MethodError(f"{where}: {option} needs {count} numbers; got {spec!r}.")
    return vals


def mapping(spec, option: str, where: str, *, values: str = "number") -> dict:
    """``{"a": 0.4, "b": 0.6}`` from a mapping or the text ``"a=0.4,b=0.6"`` (``values="text"`` keeps strings)."""
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        items = list(spec.items())
    else:
        items = []
        for part in [p.strip() for p in str(spec).split(",") if p.strip()]:
            if "=" not in part:
                raise MethodError(f"{where}: {option} must be name=value pairs separated by commas "
                                  f"(e.g. a=0.4,b=0.6); got {spec!r}.")
            k, v = part.split("=", 1)
            items.append((k.strip(), v.strip()))
    out = {}
    for k, v in items:
        if values == "number":
            try:
                v = float(v)
            except (TypeError, ValueError):
                raise MethodError(f"{where}: {option}: the value of {k!r} must be a number; got {v!r}.") from None
        out[str(k)] = v
    return out


def groups(spec, option: str, where: str) -> dict[str, list[str]]:
    """``{"tangibles": ["p1", "p2"], ...}`` from a mapping, a list of ``"name=c1,c2"`` texts or one text
    ``"name=c1,c2;other=c3"`` (groups separated by semicolons)."""
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        items = [(str(k), v) for k, v in spec.items()]
    else:
        texts = [t for part in ([spec] if isinstance(spec, str) else list(spec)) for t in str(part).split(";")]
        items = []
        for t in [t.strip() for t in texts if t.strip()]:
            if "=" not in t:
                raise MethodError(f"{where}: {option} must look like name=col1,col2 (one group each); got {t!r}.")
            k, v = t.split("=", 1)
            items.append((k.strip(), v))
    out: dict[str, list[str]] = {}
    for k, v in items:
        cols = [c.strip() for c in v.split(",")] if isinstance(v, str) else [str(c).strip() for c in v]
        cols = [c for c in cols if c]
        if not k or not cols:
            raise MethodError(f"{where}: {option}: every group needs a name and at least one column; got {k!r}={v!r}.")
        if k in out:
            raise MethodError(f"{where}: {option}: the group {k!r} is given twice; name each group once.")
        out[k] = cols
    return out
