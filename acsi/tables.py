"""The one table writer and reader (CSV / Parquet) and the one manifest format.

Every result directory (``FitResult.save``, ``AggregateResult.to_csv``/``to_parquet``,
``BootstrapResult.save``) is written by :func:`write_tables` and described by a manifest
written by :func:`write_manifest`, in one format::

    {
      "format": "acsi.manifest", "format_version": 1, "kind": "fit",
      "created_utc": "2025-03-01T12:00:00Z", "versions": {"python": ..., "acsi": ...},
      "input_sha256_16": "…", "options": {...},
      "files": {"company_indexes.csv": {"bytes": 1234, "sha256": "…"}, ...},
      ...  (what the kind adds: the model as TOML and lavaan text, groups, row counts)
    }

:func:`verify_manifest` checks that every listed file is there with its size and SHA-256.
:func:`read_file` reads one table by its extension (CSV/TSV, optionally compressed,
Parquet, Excel); :func:`read_saved` reads a table written by :func:`write_tables`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .errors import DataError, InputFileError
from .options import OneOf, check

__all__ = [
    "FORMATS", "MANIFEST_FORMAT", "file_entry", "read_file", "read_manifest", "read_saved", "require_file",
    "verify_manifest",
    "write_manifest", "write_result", "write_tables",
]

FORMATS = ("csv", "parquet")
MANIFEST_FORMAT = "acsi.manifest"
MANIFEST_VERSION = 1
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")


# --------------------------------------------------------------------------- writing
def write_tables(out_dir: str | Path, tables: dict, *, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write every DataFrame of ``tables`` (stem -> frame) as ``out_dir/stem.<format>``; returns the paths."""
    for fmt in formats:
        check("acsi.tables.write_tables", "formats", fmt, OneOf(*FORMATS))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for stem, df in tables.items():
        for fmt in formats:
            path = out / f"{stem}.{fmt}"
            if fmt == "csv":
                df.to_csv(path, index=False)
            else:
                df.to_parquet(path, index=False)
            paths.append(path)
    return paths


def file_entry(path: Path) -> dict:
    """``{"bytes": size, "sha256": hex digest}`` of one file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return {"bytes": path.stat().st_size, "sha256": h.hexdigest()}


def write_manifest(out_dir: str | Path, name: str, kind: str, header: dict, files: list[Path], *,
                   merge: bool = False) -> Path:
    """Write the manifest ``out_dir/name`` describing ``files``.

    ``header`` holds the provenance (``created_utc``, ``versions``, ``input_sha256_16``,
    ``options``) and what the kind adds.  With ``merge=True`` the files listed by an earlier
    manifest of the same kind that still exist stay listed (``to_csv`` then ``to_parquet``
    of one result into one folder); otherwise the manifest lists exactly ``files``.
    """
    out = Path(out_dir)
    path = out / name
    listed: dict[str, dict] = {}
    if merge and path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            old = {}
        if old.get("format") == MANIFEST_FORMAT and old.get("kind") == kind:
            listed = {f: e for f, e in (old.get("files") or {}).items() if (out / f).exists()}
    for f in files:
        if Path(f).name != name:
            listed[Path(f).name] = file_entry(Path(f))
    doc = {"format": MANIFEST_FORMAT, "format_version": MANIFEST_VERSION, "kind": kind, **header,
           "files": dict(sorted(listed.items()))}
    path.write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def write_result(out_dir: str | Path, tables: dict, *, manifest: str, kind: str, header: dict | None = None,
                 texts: dict | None = None, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write one result's files the one way: every table (:func:`write_tables`), the text files
    ``texts`` (file name -> text, UTF-8), then the manifest ``manifest`` of ``kind`` listing all of
    them (:func:`write_manifest`).  Returns the paths written, the manifest last."""
    out = Path(out_dir)
    paths = write_tables(out, tables, formats=formats)
    for name, text in (texts or {}).items():
        (out / name).write_text(text, encoding="utf-8")
        paths.append(out / name)
    paths.append(write_manifest(out, manifest, kind, dict(header or {}), paths))
    return paths


# --------------------------------------------------------------------------- reading
def read_manifest(directory: str | Path, name: str = "manifest.json") -> dict:
    """The manifest ``directory/name`` as a dict (a DataError names a missing or broken file)."""
    path = Path(directory) / name
    if not path.is_file():
        raise InputFileError(f"{str(path)!r} does not exist; pass the directory written by acsi (it holds {name})")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path} is not valid JSON ({exc}); re-save the results") from None


def verify_manifest(directory: str | Path, manifest: dict) -> list[str]:
    """Check the listed files' sizes and SHA-256; returns the names checked.

    Raises :class:`~acsi.errors.DataError` naming every file that is missing or changed.
    A manifest written before the format had a ``files`` list verifies nothing.
    """
    d = Path(directory)
    bad = []
    files = manifest.get("files") or {}
    for fname, entry in files.items():
        p = d / fname
        if not p.is_file():
            bad.append(f"{fname} (missing)")
            continue
        got = file_entry(p)
        if got != {"bytes": entry.get("bytes"), "sha256": entry.get("sha256")}:
            bad.append(f"{fname} (changed: {got['bytes']} bytes, sha256 {got['sha256'][:12]}…, "
                       f"manifest says {entry.get('bytes')} bytes, {str(entry.get('sha256'))[:12]}…)")
    if bad:
        raise DataError(
            f"the files in {str(d)!r} do not match their manifest: {'; '.join(bad)}. Re-save the results, "
            "or restore the original files"
        )
    return list(files)


def require_file(path: str | Path) -> Path:
    """``path`` as a Path if it is an existing file, else :class:`~acsi.errors.InputFileError` (one message)."""
    p = Path(path)
    if not p.is_file():
        what = "is a directory, not a file" if p.is_dir() else "does not exist"
        raise InputFileError(f"input file {str(p)!r} {what}; check the path")
    return p


def read_file(path: str | Path, *, text_columns=(), sheet: str | int = 0, readers: dict | None = None):
    """Read one table: ``.csv``/``.txt`` (optionally ``.gz``/``.zip``...), ``.tsv``, ``.parquet``, ``.xlsx``/``.xls``.

    ``text_columns`` are read as text from CSV (so that the period ``2008`` stays ``"2008"``).
    ``readers`` maps further extensions to functions ``path -> DataFrame`` (the data layer
    adds SPSS and Stata).  Raises :class:`~acsi.errors.InputFileError` for a missing file and
    :class:`~acsi.errors.DataError` for an unknown extension or an unreadable file.
    """
    import pandas as pd

    p = require_file(path)
    suffixes = [s.lower() for s in p.suffixes[-2:]]
    suffix = p.suffix.lower()
    text = suffix in _TEXT_SUFFIXES or (len(suffixes) == 2 and suffixes[0] in _TEXT_SUFFIXES)
    readers = dict(readers or {})
    try:
        if suffix in readers:
            return readers[suffix](p)
        if text:
            sep = "\t" if ".tsv" in suffixes else ","
            head = pd.read_csv(p, nrows=0, sep=sep)
            dtype = {c: str for c in head.columns if c in set(text_columns)}
            return pd.read_csv(p, dtype=dtype or None, sep=sep)
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(p)
        if suffix in (".xlsx", ".xlsm", ".xls"):
            return pd.read_excel(p, sheet_name=sheet)
    except (ImportError, DataError):
        raise
    except Exception as exc:
        raise DataError(f"could not read {str(p)!r}: {exc}") from exc
    known = [".csv", ".parquet", ".xlsx", *[s for s in readers if s not in (".zsav",)]]
    raise DataError(
        f"cannot tell the format of {str(p)!r} from its extension {suffix!r}; use {', '.join(known[:-1])} or "
        f"{known[-1]} (or .tsv for tab-separated text)"
    )


def read_saved(directory: str | Path, stem: str):
    """``directory/stem.parquet`` (or ``.csv`` when there is no Parquet file or it cannot be read), or None."""
    d = Path(directory)
    pq, csv = d / f"{stem}.parquet", d / f"{stem}.csv"
    if pq.exists():
        try:
            return read_file(pq)
        except (DataError, ImportError):
            if not csv.exists():
                raise
    if csv.exists():
        return read_file(csv)
    return None
