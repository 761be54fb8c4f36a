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
Parquet, Excel; the separator, decimal mark and encoding of a text file are detected where
unambiguous, or given); :func:`read_saved` reads a table written by :func:`write_tables`.

Results folders are written whole or not at all
-----------------------------------------------
:func:`write_result` (and every ``save``/``to_csv`` of a result, through
:func:`staged_output`) writes a folder ``DIR`` as follows:

1. :func:`claim_output` takes the lock ``.DIR.acsi-lock`` beside ``DIR`` (an OS lock,
   released when the process ends, however it ends): a second run writing ``DIR`` fails at
   once naming the first (process id, host, command, start time).  It also checks the place
   before any work: not a file, a parent that can be written, enough free space, no files in
   ``DIR`` that acsi did not write (acsi replaces only what its manifests list).
2. The new folder is written into a hidden sibling ``.DIR.acsi-partial-*`` (the same file
   system), every file flushed to disk, the manifest last.
3. The sibling is swapped into place by one rename (``renameat2(RENAME_EXCHANGE)`` on
   Linux; elsewhere two renames), and the previous folder removed.

So a reader sees the previous folder or the new one, never a mix: a run that fails, is
interrupted or killed, or fills the disk leaves ``DIR`` as it was (the next run removes its
partial sibling).  A new fit replaces the folder whole: the files of a previous run
(its bootstrap, an aggregation written into it) go with it, except those that belong to the
same run.  A bootstrap or an aggregation is *added* to a folder: the folder is rebuilt with
the files already listed by its other manifests (hard links, no copy), and only the
previous files of the same kind are replaced.  :func:`verify_folder` checks a folder as a
whole: every manifest's files (size and SHA-256), no result file that no manifest lists, and
a bootstrap that belongs to the fit beside it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

from .errors import AcsiError, DataError, InputFileError, OutputError
from .options import OneOf, check

__all__ = [
    "FORMATS", "MANIFEST_FORMAT", "check_free_space", "check_output_file", "claim_output", "file_entry", "format_size", "folder_manifests", "list_in_manifest", "read_file", "read_manifest",
    "read_saved", "read_text", "require_file", "staged_output", "verify_folder", "verify_input_file", "verify_manifest",
    "write_file_atomic", "write_manifest", "write_result", "write_tables",
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
        key = _relative(Path(f), out)
        if key != name:
            listed[key] = file_entry(Path(f))
    doc = {"format": MANIFEST_FORMAT, "format_version": MANIFEST_VERSION, "kind": kind, **header,
           "files": dict(sorted(listed.items()))}
    path.write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def list_in_manifest(out_dir: str | Path, name: str, files: list[Path]) -> Path:
    """Add ``files`` (in ``out_dir``) to the existing manifest ``out_dir/name``, with size and SHA-256:
    for a file written after the result's own save, inside the same staged folder (a report)."""
    out = Path(out_dir)
    path = out / name
    doc = json.loads(path.read_text(encoding="utf-8"))
    listed = dict(doc.get("files") or {})
    for f in files:
        listed[_relative(Path(f), out)] = file_entry(Path(f))
    doc["files"] = dict(sorted(listed.items()))
    path.write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def write_result(out_dir: str | Path, tables: dict, *, manifest: str, kind: str, header: dict | None = None,
                 texts: dict | None = None, formats: tuple[str, ...] = FORMATS, add: bool | None = None,
                 belongs_to: str | None = None) -> list[Path]:
    """Write one result's folder the one way, whole or not at all (:func:`staged_output`).

    Every table (:func:`write_tables`), the text files ``texts`` (file name -> text, UTF-8), then
    the manifest ``manifest`` of ``kind`` listing all of them (:func:`write_manifest`).  With
    ``add=False`` the folder is replaced whole; with ``add=True`` the files are added to it (a
    bootstrap beside its fit, an aggregation), replacing only an earlier result of the same
    ``manifest`` (files of the same run, ``header["run_id"]``, are kept and listed together:
    ``to_csv`` then ``to_parquet``).  ``belongs_to`` is the run id of the fit this result was
    computed from: a folder holding another fit is refused.  ``add`` defaults to ``False`` for a
    fit (``kind="fit"``, which defines its folder) and ``True`` for every other result (a PLS
    bootstrap, prediction or quality table saved beside a fit adds to its folder, never removes
    it).  Returns the paths written (in ``out_dir``), the manifest last.
    """
    if add is None:
        add = kind != "fit"
    header = dict(header or {})
    out = Path(out_dir)
    with staged_output(out, add=add, manifest=manifest, run_id=header.get("run_id"), belongs_to=belongs_to) as stage:
        paths = write_tables(stage, tables, formats=formats)
        for name, text in (texts or {}).items():
            (stage / name).write_text(text, encoding="utf-8")
            paths.append(stage / name)
        paths.append(write_manifest(stage, manifest, kind, header, paths, merge=add))
    return [out / p.name for p in paths]


# --------------------------------------------------------------------------- results folders
#: Bookkeeping acsi keeps beside a results folder ``DIR`` (in its parent, hidden): the lock
#: ``.DIR.acsi-lock``, the folder being written ``.DIR.acsi-partial-*`` and the previous folder
#: while it is removed ``.DIR.acsi-old-*``.
LOCK_SUFFIX = ".acsi-lock"
PARTIAL_TAG = ".acsi-partial-"
OLD_TAG = ".acsi-old-"
#: Files an operating system drops into folders; not counted as files acsi did not write.
OS_CLUTTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
#: Result files by suffix: an unlisted one beside a manifest is refused by :func:`verify_folder`.
RESULT_SUFFIXES = (".csv", ".parquet", ".json", ".txt", ".toml", ".lav")

_HELD: dict[Path, int] = {}  # folders this process holds the lock of (re-entrant)
_STAGES: set[Path] = set()  # partial folders this process is writing (nested results need no lock)


def _resolve(out_dir) -> Path:
    """The absolute path with symbolic links resolved (the partial folder must sit beside the real folder)."""
    return Path(os.path.realpath(os.path.expanduser(os.fspath(out_dir))))


def _inside_stage(out: Path) -> bool:
    return any(parent in _STAGES for parent in out.parents)


def _lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}{LOCK_SUFFIX}"


def _oserror_text(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _check_place(out: Path) -> None:
    """Refuse, before any work, an output folder that cannot be: a file, inside a file, the working directory."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"the output folder {str(out)!r} is a file, not a folder; give the name of a folder "
                          "(it is created), or move the file")
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"cannot create the output folder {str(out)!r}: {str(parent)!r} is a file")
            break
    cwd = Path(os.getcwd()).resolve()
    if out == cwd or out in cwd.parents:
        raise OutputError(f"the output folder {str(out)!r} is the working directory (or holds it); acsi replaces its "
                          "output folder whole: give a folder of its own, such as results/")
    if out.is_dir() and os.path.ismount(out):
        raise OutputError(f"the output folder {str(out)!r} is a mount point, which cannot be replaced; write into a "
                          "folder inside it")


def _make_parent(out: Path) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {str(out.parent)!r} for the output folder {str(out)!r}: "
                          f"{_oserror_text(exc)}; choose another location") from None


def _holder(lock: Path) -> str:
    try:
        info = json.loads(lock.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another acsi run"
    return (f"another acsi run (process {info.get('pid')} on {info.get('host')}, `{info.get('command', 'acsi')}`, "
            f"started {info.get('started_utc')})")


def _acquire(lock: Path) -> int:
    """Open and lock ``lock`` without waiting (flock; an exclusive create where there is no flock)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: an exclusive create, removed on release
        try:
            return os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise OutputError(f"{_holder(lock)} is writing {str(lock.parent / lock.name[1:-len(LOCK_SUFFIX)])!r}; "
                              f"wait for it to finish, or delete {str(lock)!r} if no such run is going") from None
    for _ in range(5):
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            out = lock.parent / lock.name[1:-len(LOCK_SUFFIX)]
            raise OutputError(f"{_holder(lock)} is writing {str(out)!r}; wait for it to finish or choose another "
                              "output folder (two runs never write one folder at once)") from None
        try:  # the holder may have removed the file between our open and our lock: lock the current file
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)
    raise OutputError(f"could not lock {str(lock)!r}: it keeps being replaced; is another program removing it?")


def _release(lock: Path, fd: int) -> None:
    with contextlib.suppress(OSError):
        os.unlink(lock)  # removed while still locked, so no other run can lock a file that is going away
    with contextlib.suppress(OSError):
        os.close(fd)


@contextlib.contextmanager
def claim_output(out_dir: str | Path, *, command: str | None = None):
    """Hold the lock of the output folder ``out_dir`` and check its place, for the whole block.

    The checks (:func:`_check_place`, and that the parent can be written: the lock file is
    created in it) run before the work, so that a run fails at once, not after a long fit.
    The lock is re-entrant within a process (the command line claims ``--out`` before the fit;
    the saves inside claim it again).  Partial folders left by a killed run are removed.
    Raises :class:`~acsi.errors.OutputError` when another run holds the lock or the place is
    wrong.
    """
    out = _resolve(out_dir)
    _check_place(out)
    if out in _HELD or _inside_stage(out):
        _HELD[out] = _HELD.get(out, 0) + 1
        try:
            yield out
        finally:
            _HELD[out] -= 1
            if not _HELD[out]:
                del _HELD[out]
        return
    _make_parent(out)
    lock = _lock_path(out)
    try:
        fd = _acquire(lock)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write in {str(out.parent)!r} (where the output folder {out.name!r} goes): "
                          f"{_oserror_text(exc)}; choose a folder you can write to") from None
    try:
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started_utc": _utc(),
                "command": command or " ".join(["acsi", *sys.argv[1:]])[:300]}
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(info).encode("utf-8"))
        for stale in out.parent.glob(f".{out.name}{PARTIAL_TAG}*"):  # left by a killed run
            shutil.rmtree(stale, ignore_errors=True)
        for stale in out.parent.glob(f".{out.name}{OLD_TAG}*"):
            shutil.rmtree(stale, ignore_errors=True)
        _refuse_foreign(out)
        _HELD[out] = 1
        yield out
    finally:
        _HELD.pop(out, None)
        _release(lock, fd)


def _utc() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def check_free_space(out_dir: str | Path, needed_bytes: int, *, what: str = "the results") -> None:
    """Refuse, before the work, an output place with less than ``needed_bytes`` free (an estimate)."""
    out = _resolve(out_dir)
    probe = next((p for p in (out, *out.parents) if p.exists()), None)
    if probe is None or needed_bytes <= 0:
        return
    free = shutil.disk_usage(probe).free
    if free < needed_bytes:
        raise OutputError(f"too little free space for {what} in {str(out)!r}: about {format_size(needed_bytes)} needed, "
                          f"{format_size(free)} free on that disk; free some space or choose another output folder")


def format_size(n: float) -> str:
    """``1234567`` -> ``'1.2 MB'`` (decimal units)."""
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1000 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000.0
    return f"{n:.1f} PB"  # pragma: no cover


def folder_manifests(directory: str | Path) -> dict[str, dict]:
    """The acsi manifests directly in ``directory`` (``manifest.json``, ``*_manifest.json``), by file name."""
    d = Path(directory)
    out = {}
    if not d.is_dir():
        return out
    for p in sorted(d.iterdir()):
        if p.is_file() and (p.name == "manifest.json" or p.name.endswith("_manifest.json")):
            try:
                doc = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, ValueError, UnicodeDecodeError):
                raise DataError(f"{str(p)!r} is not a readable acsi manifest (not valid JSON); the results in "
                                f"{str(d)!r} cannot be trusted: re-save them") from None
            if isinstance(doc, dict) and doc.get("format") == MANIFEST_FORMAT:
                out[p.name] = doc
    return out


def _covered(directory: Path) -> tuple[set[str], dict[str, dict]]:
    """Relative paths (POSIX) that the manifests in ``directory``'s tree list, with the top-level manifests."""
    covered: set[str] = set()
    top = {}
    for root, _dirs, files in os.walk(directory):
        rel = Path(root).relative_to(directory)
        if not any(f == "manifest.json" or f.endswith("_manifest.json") for f in files):
            continue
        for name, doc in folder_manifests(root).items():
            if rel == Path("."):
                top[name] = doc
            covered.add((rel / name).as_posix())
            covered.update((rel / f).as_posix() for f in (doc.get("files") or {}))
    return covered, top


def _foreign(directory: Path, covered: set[str], limit: int = 8) -> list[str]:
    """Files in ``directory``'s tree that no manifest lists (at most ``limit``)."""
    found = []
    for root, _dirs, files in os.walk(directory):
        rel = Path(root).relative_to(directory)
        for f in sorted(files):
            if f in OS_CLUTTER:
                continue
            r = (rel / f).as_posix()
            if r not in covered:
                found.append(r)
                if len(found) >= limit:
                    return found
    return found


def _refuse_foreign(out: Path) -> dict[str, dict]:
    """Refuse an existing output folder holding files no acsi manifest lists; returns its top-level manifests."""
    if not out.is_dir():
        return {}
    covered, top = _covered(out)
    foreign = _foreign(out, covered)
    if foreign:
        raise OutputError(
            f"the output folder {str(out)!r} holds files that acsi did not write: {', '.join(foreign)}"
            f"{' ...' if len(foreign) >= 8 else ''}. acsi replaces a results folder whole, so it refuses one with "
            "other files: choose a new or empty folder, or move those files"
        )
    return top


def _carried(out: Path, *, add: bool, manifest: str | None, run_id: str | None,
             belongs_to: str | None) -> list[str]:
    """Files of the existing folder ``out`` that the new folder keeps (relative paths); refuses foreign files."""
    if not out.is_dir():
        return []
    top = _refuse_foreign(out)
    fit = top.get("manifest.json")
    if belongs_to is not None and fit is not None and fit.get("run_id") != belongs_to:
        raise OutputError(
            f"the output folder {str(out)!r} holds the results of another fit (run {fit.get('run_id')}, "
            f"{fit.get('created_utc')}); this result was computed from run {belongs_to}: save it into the folder of "
            "its fit or into a new folder"
        )
    keep: list[str] = []
    for name, doc in top.items():
        same_run = run_id is not None and doc.get("run_id") == run_id
        of_run = run_id is not None and doc.get("fit_run_id") == run_id
        if add:
            if name == manifest and not same_run:
                continue  # an earlier result of this kind: replaced
        elif not of_run:
            continue  # a new result replaces the folder, except what belongs to it (its bootstrap)
        keep.append(name)
        keep.extend(doc.get("files") or {})
    return keep


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _fsync_tree(root: Path) -> None:
    """Flush every file and folder of ``root`` to disk (so a power cut cannot leave a renamed but empty folder)."""
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            fd = os.open(os.path.join(dirpath, f), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where it is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):  # pragma: no cover - old C library
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _swap_into_place(stage: Path, out: Path) -> None:
    """Make ``stage`` the folder ``out`` in one step; the previous ``out`` is removed afterwards."""
    if not os.path.lexists(out):
        os.rename(stage, out)
    elif _exchange(stage, out):
        shutil.rmtree(stage, ignore_errors=True)  # holds the previous folder now
    else:  # two renames: between them ``out`` is briefly absent, never mixed
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}{OLD_TAG}", dir=out.parent))
        os.rmdir(old)
        os.rename(out, old)
        os.rename(stage, out)
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(out.parent)


@contextlib.contextmanager
def staged_output(out_dir: str | Path, *, add: bool = False, manifest: str | None = None, run_id: str | None = None,
                  belongs_to: str | None = None):
    """Write a results folder whole or not at all: yields a partial folder to write into.

    Inside the block, write every file of the new folder into the yielded path (its manifest
    last).  When the block ends normally, the partial folder is flushed and swapped into place
    (see the module docstring); when it raises (an error, Ctrl-C, a full disk), the partial
    folder is removed and ``out_dir`` is left as it was.  ``add``, ``manifest``, ``run_id`` and
    ``belongs_to`` decide which files of the existing folder the new one keeps
    (:func:`write_result`).  An ``OSError`` while writing (no space left, permission denied)
    becomes an :class:`~acsi.errors.OutputError` saying that the folder is unchanged.
    """
    out = _resolve(out_dir)
    if out in _STAGES:  # saving straight into a folder being staged: that folder's swap makes it whole
        yield out
        return
    with claim_output(out):
        keep = _carried(out, add=add, manifest=manifest, run_id=run_id, belongs_to=belongs_to)
        existed = out.is_dir()
        try:
            stage = Path(tempfile.mkdtemp(prefix=f".{out.name}{PARTIAL_TAG}", dir=out.parent))
        except OSError as exc:
            raise OutputError(f"cannot write in {str(out.parent)!r}: {_oserror_text(exc)}; choose a folder you can "
                              "write to") from None
        _STAGES.add(stage)
        try:
            for rel in keep:
                if (out / rel).is_file():
                    _link_or_copy(out / rel, stage / rel)
            yield stage
            _fsync_tree(stage)
            _swap_into_place(stage, out)
        except OSError as exc:
            if isinstance(exc, AcsiError):
                raise
            state = "left as it was" if existed else "not created"
            where = f" ({exc.filename!r})" if getattr(exc, "filename", None) else ""
            hint = ("free some space or choose another output folder" if exc.errno in (errno.ENOSPC, errno.EDQUOT)
                    else "choose another output folder or fix its permissions")
            raise OutputError(f"could not write the results to {str(out)!r}: {_oserror_text(exc)}{where}; the folder "
                              f"is {state}: {hint}") from exc
        finally:
            _STAGES.discard(stage)
            if stage.exists():
                shutil.rmtree(stage, ignore_errors=True)


def check_output_file(path: str | Path) -> Path:
    """Refuse, before the work, an output file that cannot be written: a folder in the way, a file
    where a parent folder should be, or a parent that cannot be written.  Returns the resolved path."""
    out = _resolve(path)
    if out.is_dir():
        raise OutputError(f"{str(out)!r} is a folder; give a file name")
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"cannot write {str(out)!r}: {str(parent)!r} is a file, not a folder")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise OutputError(f"cannot write {str(out)!r}: {str(parent)!r} is not writable; choose a folder you "
                                  "can write to")
            break
    return out


def write_file_atomic(path: str | Path, data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write one file whole or not at all: into a hidden sibling, flushed, then renamed over ``path``."""
    out = _resolve(path)
    if out.is_dir():
        raise OutputError(f"{str(out)!r} is a folder; give a file name")
    _make_parent(out)
    payload = data.encode(encoding) if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}{PARTIAL_TAG}", dir=out.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {str(out)!r}: {_oserror_text(exc)}; choose a folder you can write to") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(f"could not write {str(out)!r}: {_oserror_text(exc)}; the file is unchanged") from exc
        raise
    return out


def verify_folder(directory: str | Path, *, manifests: dict[str, dict] | None = None) -> dict[str, dict]:
    """Check a results folder as a whole; returns its manifests by file name.

    Every manifest's files must match (size and SHA-256, :func:`verify_manifest`); no result file
    (``.csv``, ``.parquet``, ``.json``, ``.txt``, ``.toml``, ``.lav``) may sit in the folder without a
    manifest listing it (a file from another run); a bootstrap must belong to the fit beside it (its
    ``fit_run_id`` is the fit's ``run_id``).  Raises :class:`~acsi.errors.DataError` naming the files.
    """
    d = Path(directory)
    found = folder_manifests(d) if manifests is None else manifests
    for doc in found.values():
        verify_manifest(d, doc)
    covered, _ = _covered(d)
    stray = [f for f in _foreign(d, covered, limit=50) if f.endswith(RESULT_SUFFIXES) and "/" not in f]
    if found and stray:
        raise DataError(
            f"{str(d)!r} holds result files that no manifest lists: {', '.join(stray[:8])}"
            f"{' ...' if len(stray) > 8 else ''} (left by another run, or copied in); nothing mixed is read: remove "
            "them, or re-run to write the folder whole"
        )
    fit = found.get("manifest.json")
    for name, doc in found.items():
        parent = doc.get("fit_run_id")
        if parent is not None and fit is not None and fit.get("run_id") is not None and fit["run_id"] != parent:
            raise DataError(
                f"{str(d / name)!r} belongs to another fit (run {parent}) than the one in {str(d / 'manifest.json')!r} "
                f"(run {fit['run_id']}, {fit.get('created_utc')}); the folder mixes two runs: re-run the bootstrap, "
                "or keep each run in its own folder"
            )
    return found


def verify_input_file(path: str | Path) -> None:
    """When ``path`` sits in a results folder (beside an acsi manifest), check that folder (:func:`verify_folder`)
    and that a manifest lists the file; a file of the user's own is not checked."""
    p = Path(path)
    found = folder_manifests(p.parent) if p.parent.is_dir() else {}
    if not found:
        return
    verify_folder(p.parent, manifests=found)
    if not any(p.name in (doc.get("files") or {}) for doc in found.values()):
        raise DataError(f"{str(p)!r} sits in a results folder but no manifest there lists it (a file from another "
                        f"run?); pass a file that {', '.join(found)} lists, or move it out of the folder")


def _relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` in POSIX form (``figures/national.png``); its name when outside ``root``."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


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


#: Separators tried when a text table does not say (comma, semicolon, tab, bar), in this order.
SEPARATORS = (",", ";", "\t", "|")
_SNIFF_BYTES = 1 << 18  # the first 256 kB decide the separator and the decimal mark


def _sample(p: Path) -> bytes:
    """The first bytes of a text table, decompressed (``.gz``, ``.bz2``, ``.xz``, ``.zip``); b"" if unknown."""
    suffix = p.suffix.lower()
    try:
        if suffix == ".gz":
            import gzip

            with gzip.open(p, "rb") as fh:
                return fh.read(_SNIFF_BYTES)
        if suffix == ".bz2":
            import bz2

            with bz2.open(p, "rb") as fh:
                return fh.read(_SNIFF_BYTES)
        if suffix == ".xz":
            import lzma

            with lzma.open(p, "rb") as fh:
                return fh.read(_SNIFF_BYTES)
        if suffix == ".zip":
            import zipfile

            with zipfile.ZipFile(p) as z:
                names = [n for n in z.namelist() if not n.endswith("/")]
                if len(names) != 1:
                    return b""
                with z.open(names[0]) as fh:
                    return fh.read(_SNIFF_BYTES)
        if suffix in (".zst", ".tar"):
            return b""
        with open(p, "rb") as fh:
            return fh.read(_SNIFF_BYTES)
    except (OSError, EOFError, ValueError):
        return b""


def _guess_encoding(raw: bytes) -> str:
    """A hint for a text that is not UTF-8: GBK or Big5 when it reads as Chinese, else the Western code pages."""
    for enc, name, what in (("gb18030", "gbk", "GBK (Simplified Chinese)"), ("big5", "big5", "Big5 (Traditional Chinese)")):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if any("\u4e00" <= ch <= "\u9fff" for ch in text):
            return f"it reads as {what}: pass encoding='{name}' (command line: --encoding {name})"
    return ("it may be Windows-1252 or Latin-1 (Western European): pass encoding='cp1252' (command line: "
            "--encoding cp1252)")


def _not_utf8(p: Path, exc: UnicodeDecodeError, raw: bytes) -> DataError:
    return DataError(
        f"could not read {str(p)!r}: it is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position {exc.start}); "
        f"{_guess_encoding(raw)}, or save the file as UTF-8"
    )


def read_text(path: str | Path, *, what: str = "file", encoding: str | None = None) -> str:
    """The text of a small input file (a model, an item map), UTF-8 by default.

    A file that is not UTF-8 is a :class:`~acsi.errors.DataError` naming the byte and the
    likely encoding (Latin-1/cp1252, GBK, Big5), never a codec traceback.
    """
    p = require_file(path)
    raw = p.read_bytes()
    if encoding is None:
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DataError(
                f"could not read the {what} {str(p)!r}: it is not UTF-8 text (byte 0x{raw[exc.start]:02x} at position "
                f"{exc.start}); {_guess_encoding(raw).split(': pass')[0]}: save it as UTF-8"
            ) from None
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise DataError(f"could not read the {what} {str(p)!r} as {encoding}: {exc}") from None


def _detect_encoding(p: Path, raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    import codecs

    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=False)
    except UnicodeDecodeError as exc:
        raise _not_utf8(p, exc, raw) from None
    return "utf-8"


def _lines(text: str, limit: int = 200) -> list[str]:
    lines = text.splitlines()
    if len(text) >= _SNIFF_BYTES - 8 and lines:
        lines = lines[:-1]  # the last line may be cut
    return [ln for ln in lines if ln.strip()][:limit]


def _detect_sep(p: Path, lines: list[str]) -> str:
    """The one separator that splits every sampled line into the same number (> 1) of fields."""
    import csv

    fits = {}
    for sep in SEPARATORS:
        counts = {len(row) for row in csv.reader(lines, delimiter=sep)}
        if len(counts) == 1 and (n := counts.pop()) > 1:
            fits[sep] = n
    if not fits:
        return ","  # one column (or ragged lines: the reader says which)
    best = max(fits.values())
    top = [s for s, n in fits.items() if n == best]
    if len(top) > 1:
        names = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}
        raise DataError(f"cannot tell the column separator of {str(p)!r}: {' and '.join(names[s] for s in top)} both "
                        f"split every line into {best} fields; pass sep=... (command line: --sep)")
    return top[0]


def _detect_decimal(p: Path, lines: list[str], sep: str) -> str:
    """',' when numbers are written 5,5 (and none 5.5), '.' otherwise; both kinds is an error."""
    if sep == ",":
        return "."
    import csv
    import re

    comma = re.compile(r"^[+-]?\d+,\d+$")
    dot = re.compile(r"^[+-]?\d+\.\d+$")
    n_comma = n_dot = 0
    ex_comma = ex_dot = ""
    for row in csv.reader(lines[1:], delimiter=sep):
        for field in row:
            f = field.strip()
            if comma.match(f):
                n_comma += 1
                ex_comma = ex_comma or f
            elif dot.match(f):
                n_dot += 1
                ex_dot = ex_dot or f
    if n_comma and n_dot:
        raise DataError(f"cannot tell the decimal mark of {str(p)!r}: numbers are written both as {ex_comma!r} and as "
                        f"{ex_dot!r}; pass decimal=',' or decimal='.' (command line: --decimal)")
    return "," if n_comma else "."


def _text_format(p: Path, *, sep, decimal, encoding, tsv: bool) -> dict:
    """How to read the text table ``p``: ``{"sep", "decimal", "encoding", "detected": [...]}``."""
    raw = _sample(p)
    detected = []
    if encoding is None:
        encoding = _detect_encoding(p, raw) if raw else "utf-8"
    try:
        text = raw.decode(encoding, errors="strict") if raw else ""
    except UnicodeDecodeError:
        text = raw[: max(len(raw) - 4, 0)].decode(encoding, errors="replace")
    except LookupError:
        raise DataError(f"unknown text encoding {encoding!r} for {str(p)!r}; use a Python codec name such as "
                        "'utf-8', 'gbk', 'big5', 'cp1252' or 'latin-1'") from None
    lines = _lines(text)
    if sep is None:
        if tsv:
            sep = "\t"
        else:
            sep = _detect_sep(p, lines)
            if sep != ",":
                detected.append("sep")
    if decimal is None:
        decimal = _detect_decimal(p, lines, sep)
        if decimal != ".":
            detected.append("decimal")
    if sep == decimal:
        raise DataError(f"{str(p)!r}: the separator and the decimal mark are both {sep!r}; give different ones")
    return {"sep": sep, "decimal": decimal, "encoding": encoding, "detected": detected, "header": lines[:1]}


def _duplicate_columns(p: Path, header: list[str], sep: str) -> None:
    """Refuse a text table whose header names a column twice (pandas would rename the second one ``x.1``)."""
    if not header:
        return
    import csv

    names = [n.strip() for n in next(csv.reader(header, delimiter=sep))]
    _refuse_duplicate_names(p, names)


def _refuse_duplicate_names(p, names) -> None:
    seen: dict[str, list[int]] = {}
    for i, n in enumerate(names, start=1):
        seen.setdefault(str(n), []).append(i)
    dups = {n: pos for n, pos in seen.items() if len(pos) > 1 and n != ""}
    if dups:
        desc = "; ".join(f"{n!r} (columns {', '.join(map(str, pos))})" for n, pos in list(dups.items())[:8])
        raise DataError(f"{str(p)!r} names a column more than once: {desc}; each column needs its own name "
                        "(rename or drop the copies), so that no answer is silently ignored")


def read_file(path: str | Path, *, text_columns=(), sheet: str | int = 0, readers: dict | None = None,
              sep: str | None = None, decimal: str | None = None, encoding: str | None = None):
    """Read one table: ``.csv``/``.txt`` (optionally ``.gz``/``.zip``...), ``.tsv``, ``.parquet``, ``.xlsx``/``.xls``.

    ``text_columns`` are read as text from CSV (so that the period ``2008`` stays ``"2008"``).
    ``readers`` maps further extensions to functions ``path -> DataFrame`` (the data layer
    adds SPSS and Stata).

    Text tables: ``sep``, ``decimal`` and ``encoding`` default to what the file shows where
    that is unambiguous: the one separator among ``, ; tab |`` that splits every line of the
    first 256 kB into the same number of fields; the decimal comma when numbers are written
    ``5,5`` and never ``5.5`` (with a separator other than the comma); UTF-8 (a BOM is
    skipped).  Anything else is an error naming what to pass (a file that is not UTF-8 gets a
    hint: GBK when it reads as Chinese).  What was used is in ``df.attrs["read_as"]``
    (``sep``, ``decimal``, ``encoding`` and ``detected``, the ones not given).  A header that
    names a column twice is an error (pandas would rename the copy and an answer would be
    silently ignored).

    Raises :class:`~acsi.errors.InputFileError` for a missing file and
    :class:`~acsi.errors.DataError` for an unknown extension or an unreadable file.
    """
    import pandas as pd

    p = require_file(path)
    suffixes = [s.lower() for s in p.suffixes[-2:]]
    suffix = p.suffix.lower()
    text = suffix in _TEXT_SUFFIXES or (len(suffixes) == 2 and suffixes[0] in _TEXT_SUFFIXES)
    given = [n for n, v in (("sep", sep), ("decimal", decimal), ("encoding", encoding)) if v is not None]
    if given and not text:
        raise DataError(f"{' and '.join(given)} apply to text tables (.csv, .tsv, .txt, optionally compressed); "
                        f"{str(p)!r} is not one (its format stores them): drop "
                        f"{', '.join('--' + n for n in given)}")
    readers = dict(readers or {})
    try:
        if suffix in readers:
            df = readers[suffix](p)
        elif text:
            fmt = _text_format(p, sep=sep, decimal=decimal, encoding=encoding, tsv=".tsv" in suffixes)
            _duplicate_columns(p, fmt["header"], fmt["sep"])
            kw = {"sep": fmt["sep"], "decimal": fmt["decimal"], "encoding": fmt["encoding"]}
            head = pd.read_csv(p, nrows=0, **kw)
            dtype = {c: str for c in head.columns if c in set(text_columns)}
            df = pd.read_csv(p, dtype=dtype or None, **kw)
            df.attrs["read_as"] = {"format": "text", "sep": fmt["sep"], "decimal": fmt["decimal"],
                                   "encoding": fmt["encoding"], "detected": fmt["detected"]}
        elif suffix in (".parquet", ".pq"):
            df = pd.read_parquet(p)
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            _refuse_duplicate_names(p, list(pd.read_excel(p, sheet_name=sheet, header=None, nrows=1).iloc[0])
                                    if p.stat().st_size else [])
            df = pd.read_excel(p, sheet_name=sheet)
        else:
            df = None
    except (ImportError, DataError):
        raise
    except UnicodeDecodeError as exc:
        if encoding is None:
            raise _not_utf8(p, exc, _sample(p)) from None
        raise DataError(f"could not read {str(p)!r} as {encoding}: {exc}; check the encoding (command line: "
                        "--encoding)") from None
    except Exception as exc:
        raise DataError(f"could not read {str(p)!r}: {exc}") from exc
    if df is not None:
        _refuse_duplicate_names(p, list(df.columns))
        return df
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
        return read_file(csv, sep=",", decimal=".", encoding="utf-8")  # as write_tables wrote it
    return None
