"""Opening the history store, writing one release in one transaction, reading tables back.

The store is an embedded DuckDB database file (default ``acsi-history.duckdb``). DuckDB lets one
process open a file for writing, or several for reading, at a time; :func:`open_store` turns the
lock error into :class:`StoreLockedError` naming the other process, so two publishers cannot
interleave: the second fails at once. A release is written by :meth:`HistoryStore.write_release`
inside one transaction: if anything raises before the commit (or the process dies), the store
is left exactly as it was.

Examples
--------
>>> with open_store("acsi-history.duckdb", read_only=True) as st:   # doctest: +SKIP
...     st.releases()
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AcsiError, InputFileError
from .schema import CURRENT_DDL, MIGRATIONS, SCHEMA_VERSION, TABLES

__all__ = [
    "DEFAULT_STORE", "HistoryStore", "StoreError", "StoreLockedError", "StoreNotFoundError", "StoreVersionError",
    "ReleaseExistsError",
    "open_store", "as_store",
]

#: Default file name of the history store (``--store``).
DEFAULT_STORE = "acsi-history.duckdb"


class StoreError(AcsiError):
    """The history store cannot be opened, read or written as asked."""


class StoreNotFoundError(StoreError, InputFileError):
    """There is no store at the path given for reading, or its directory does not exist (the command line exits with 3)."""


class StoreLockedError(StoreError):
    """Another process has the store open for writing (or reading, when we want to write)."""


class StoreVersionError(StoreError):
    """The store's schema was written by a newer acsi."""


class ReleaseExistsError(StoreError, ValueError):
    """A release with this id is already in the store (pass ``replace=True`` to supersede it)."""


def _acsi_version() -> str:
    from ..provenance import acsi_version

    return acsi_version()


def _connect(path: Path, read_only: bool):
    import duckdb

    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        msg = str(exc)
        if "lock" in msg.lower():
            m = re.search(r"PID (\d+)", msg)
            who = f"process {m.group(1)}" if m else "another process"
            raise StoreLockedError(
                f"the history store {str(path)!r} is in use by {who} (another `acsi publish`, or a program reading "
                f"it while we need to write, or writing it while we need to read); DuckDB lets one process write a "
                f"store at a time. Wait until that process has finished and run again. ({msg.splitlines()[0]})"
            ) from None
        raise StoreError(f"cannot open the history store {str(path)!r}: {msg.splitlines()[0]}. "
                         "Pass the path of a store written by `acsi publish`, or a new file name.") from None


class HistoryStore:
    """An open history store (use :func:`open_store`); a context manager that closes it.

    Attributes
    ----------
    path : Path
    read_only : bool
    con : duckdb.DuckDBPyConnection
    """

    def __init__(self, path, con, read_only: bool):
        self.path = Path(path)
        self.con = con
        self.read_only = read_only
        self._in_transaction = False

    # ------------------------------------------------------------------ life cycle
    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"HistoryStore({str(self.path)!r}, read_only={self.read_only})"

    @contextmanager
    def transaction(self):
        """``BEGIN`` ... ``COMMIT``; any exception rolls everything back and propagates."""
        self._require_writable("write")
        self.con.execute("BEGIN TRANSACTION")
        self._in_transaction = True
        try:
            yield self
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            self.con.execute("COMMIT")
        finally:
            self._in_transaction = False

    def _require_writable(self, what: str) -> None:
        if self.read_only:
            raise StoreError(f"the history store {str(self.path)!r} was opened read-only; cannot {what}. "
                             "Open it with open_store(path) (read_only=False).")

    # ------------------------------------------------------------------ schema
    def version(self) -> int:
        """The store's schema version (the highest applied)."""
        return int(self.con.execute("SELECT max(version) FROM schema_version").fetchone()[0])

    def query(self, sql: str, params=None) -> pd.DataFrame:
        """Run a read query and return a DataFrame (for analysts; the tables are documented in
        :mod:`acsi.store.schema`)."""
        return self.con.execute(sql, params or []).df()

    # ------------------------------------------------------------------ releases
    def releases(self, *, include_superseded: bool = False) -> pd.DataFrame:
        """Releases in publication order (``release_key``), current ones only by default."""
        where = "" if include_superseded else "WHERE status = 'current'"
        return self.query(f"SELECT * FROM releases {where} ORDER BY release_key")

    def release(self, release_id: str, *, include_superseded: bool = False) -> dict:
        """The current release named ``release_id`` as a dict (JSON columns decoded).

        ``release_id`` may also be ``"#<key>"`` to address any release by its key, superseded ones
        included.
        """
        if isinstance(release_id, str) and release_id.startswith("#") and release_id[1:].isdigit():
            rows = self.query("SELECT * FROM releases WHERE release_key = ?", [int(release_id[1:])])
        else:
            cond = "" if include_superseded else "AND status = 'current'"
            rows = self.query(f"SELECT * FROM releases WHERE release_id = ? {cond} ORDER BY release_key DESC",
                              [str(release_id)])
        if rows.empty:
            have = self.query("SELECT release_id FROM releases WHERE status = 'current' ORDER BY release_key")["release_id"]
            listing = ", ".join(map(str, have.tolist()[-12:])) or "none yet"
            raise StoreError(f"no release {release_id!r} in the history store {str(self.path)!r}; "
                             f"current releases: {listing}. Check the id (`acsi history --store ... --releases`).")
        rec = rows.iloc[0].to_dict()
        for k in ("periods", "options", "versions", "input_hashes", "model_partable"):
            if isinstance(rec.get(k), str):
                rec[k] = json.loads(rec[k])
        return rec

    def release_key(self, release_id: str) -> int:
        return int(self.release(release_id)["release_key"])

    def has_release(self, release_id: str) -> bool:
        n = self.con.execute("SELECT count(*) FROM releases WHERE release_id = ? AND status = 'current'",
                             [str(release_id)]).fetchone()[0]
        return n > 0

    def check_release_id(self, release_id: str, *, replace: bool = False) -> list[tuple]:
        """``[(key, date)]`` of the current release named ``release_id`` (empty if none).

        Raises :class:`ReleaseExistsError` when it exists and ``replace`` is false.
        """
        if not isinstance(release_id, str) or not release_id.strip() or release_id.startswith("#"):
            raise StoreError(f"a release id must be a non-empty name not starting with '#', such as '2025Q4'; "
                             f"got {release_id!r}")
        old = self.con.execute("SELECT release_key, release_date FROM releases WHERE release_id = ? "
                               "AND status = 'current'", [release_id]).fetchall()
        if old and not replace:
            raise ReleaseExistsError(
                f"release {release_id!r} is already in the history store {str(self.path)!r} (published {old[0][1]}); "
                "choose a new release id, or pass replace=True (CLI --replace) to publish it again: the old "
                "release is then kept, marked superseded."
            )
        return old

    def write_release(self, meta: dict, tables: dict[str, pd.DataFrame], *, replace: bool = False,
                      _before_commit=None) -> int:
        """Write one release (its row and all its tables) in one transaction; returns its key.

        ``meta`` holds the ``releases`` columns (JSON columns as Python objects); ``tables`` maps
        table names of :data:`acsi.store.schema.TABLES` to DataFrames without ``release_key``
        (a ``source_release_key`` of -1 means the release being written).
        An existing current release with the same id is refused (:class:`ReleaseExistsError`)
        unless ``replace=True``: then it is kept, marked ``superseded`` by the new one.
        ``_before_commit`` (tests) is called inside the transaction after every insert.
        """
        self._require_writable("write a release")
        rid = str(meta["release_id"])
        unknown = sorted(set(tables) - set(TABLES) - {"releases"})
        if unknown:
            raise StoreError(f"write_release got unknown tables {unknown}; the store has {list(TABLES)}")
        with self.transaction():
            old = self.check_release_id(rid, replace=replace)
            key = int(self.con.execute("SELECT coalesce(max(release_key), 0) + 1 FROM releases").fetchone()[0])
            now = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None, microsecond=0)
            row = dict(meta)
            row.update(release_key=key, release_id=rid, created_at=now, status="current")
            row.setdefault("release_date", now.date())
            for k in ("periods", "options", "versions", "input_hashes", "model_partable"):
                if k in row and row[k] is not None and not isinstance(row[k], str):
                    row[k] = json.dumps(row[k], sort_keys=True, default=str)
            self._insert("releases", pd.DataFrame([row]))
            for okey, _ in old:
                self.con.execute("UPDATE releases SET status = 'superseded', superseded_by = ?, superseded_at = ? "
                                 "WHERE release_key = ?", [key, now, okey])
            for name in TABLES:
                if name == "releases" or name not in tables or tables[name] is None or tables[name].empty:
                    continue
                df = tables[name].copy()
                df.insert(0, "release_key", key)
                if "source_release_key" in df.columns:  # -1: measured by the release being written
                    df["source_release_key"] = np.where(df["source_release_key"].to_numpy() < 0, key,
                                                        df["source_release_key"].to_numpy())
                self._insert(name, df)
            if _before_commit is not None:
                _before_commit(self)
        return key

    def _insert(self, name: str, df: pd.DataFrame) -> None:
        cols = self.columns(name)
        extra = [c for c in df.columns if c not in cols]
        if extra:
            raise StoreError(f"table {name!r} of the history store has no column(s) {extra}; it has {cols}")
        view = f"_acsi_insert_{name}"
        self.con.register(view, df)
        try:
            names = ", ".join(f'"{c}"' for c in df.columns)
            self.con.execute(f"INSERT INTO {name} ({names}) SELECT {names} FROM {view}")
        finally:
            self.con.unregister(view)

    def columns(self, name: str) -> list[str]:
        return [r[0] for r in self.con.execute(f"DESCRIBE {name}").fetchall()]

    # ------------------------------------------------------------------ reading
    def table(self, name: str, release: str | int | None = None) -> pd.DataFrame:
        """One table, all releases or one (``release`` = id or key), in stored order."""
        if name not in TABLES:
            raise StoreError(f"no table {name!r} in the history store; tables: {list(TABLES)}")
        if release is None:
            return self.query(f"SELECT * FROM {name} ORDER BY release_key")
        key = release if isinstance(release, (int, np.integer)) else self.release_key(release)
        df = self.query(f"SELECT * FROM {name} WHERE release_key = ?", [int(key)])
        if name == "replicates" and len(df):
            df["values"] = [np.ma.filled(np.ma.asarray(v, dtype=float), np.nan) for v in df["values"]]
        return df

    def dump(self) -> dict[str, pd.DataFrame]:
        """Every table in a canonical order (to compare two states of a store)."""
        out = {}
        for name in (*TABLES, "schema_version"):
            cols = ", ".join(f'"{c}"' for c in self.columns(name))
            out[name] = self.query(f"SELECT * FROM {name} ORDER BY {cols}")
        return out


def open_store(path=DEFAULT_STORE, *, read_only: bool = False, create: bool = True) -> HistoryStore:
    """Open (or create) the history store at ``path``; migrate an older schema.

    Parameters
    ----------
    path : str or Path
        The DuckDB file (created when missing and ``create`` and not ``read_only``).
    read_only : bool
        Open for reading only: several readers may share the file, but not with a writer.
        An older schema is first migrated through a short write connection.
    create : bool
        Create a new store when the file does not exist.

    Raises
    ------
    StoreLockedError
        Another process holds the file (see the module docstring).
    StoreVersionError
        The store has a newer schema than this acsi knows.
    StoreError
        The file is not an acsi history store, or does not exist (read-only / ``create=False``).
    """
    p = Path(path)
    if p.is_dir():
        raise StoreError(f"the history store path {str(p)!r} is a directory; pass a file name such as {DEFAULT_STORE!r}")
    if not p.exists():
        if read_only or not create:
            raise StoreNotFoundError(f"there is no history store at {str(p)!r}; publish a release first "
                             f"(`acsi publish SURVEY --sales SALES --store {p} --release ID`), or check the path")
        if not p.parent.exists():
            raise StoreNotFoundError(f"cannot create the history store {str(p)!r}: the directory {str(p.parent)!r} "
                                     "does not exist; create it or choose another path")
    con = _connect(p, read_only)
    try:
        version = _check_version(con, p)
        if version is None:
            if read_only:  # pragma: no cover - an empty file cannot be opened read-only by DuckDB
                raise StoreError(f"{str(p)!r} is an empty DuckDB file, not an acsi history store")
            _create(con)
        elif version < SCHEMA_VERSION:
            if read_only:
                con.close()
                open_store(p).close()  # migrate through a short write connection
                return open_store(p, read_only=True)
            _migrate(con, version)
    except BaseException:
        con.close()
        raise
    return HistoryStore(p, con, read_only)


def as_store(store, *, read_only: bool = True):
    """``(HistoryStore, opened_here)`` for a path or an open store (callers close what they opened)."""
    if isinstance(store, HistoryStore):
        if store.con is None:
            raise StoreError(f"the history store {str(store.path)!r} has been closed; open it again with open_store()")
        if not read_only:
            store._require_writable("write")
        return store, False
    if isinstance(store, (str, Path)):
        return open_store(store, read_only=read_only), True
    raise StoreError(f"expected a history store (a path or acsi.store.open_store(...)); got {type(store).__name__}")


def _check_version(con, p: Path) -> int | None:
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if not tables:
        return None
    if "schema_version" not in tables:
        raise StoreError(f"{str(p)!r} is a DuckDB database but not an acsi history store (no schema_version table; "
                         f"it has {sorted(tables)[:8]}). Use another file for the store.")
    row = con.execute("SELECT version, acsi_version FROM schema_version ORDER BY version DESC LIMIT 1").fetchone()
    version, by = int(row[0]), row[1]
    if version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"the history store {str(p)!r} has schema version {version}, written by acsi {by}; this acsi "
            f"({_acsi_version()}) reads schema versions up to {SCHEMA_VERSION}. Upgrade acsi "
            "(pip install -U acsi) to read it; the store was not changed."
        )
    return version


def _create(con) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        for name in (*TABLES, "schema_version"):
            con.execute(CURRENT_DDL[name])
        con.execute("INSERT INTO schema_version VALUES (?, ?, ?, ?)",
                    [SCHEMA_VERSION, _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None), _acsi_version(),
                     "created"])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _migrate(con, version: int) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        for v in range(version, SCHEMA_VERSION):
            MIGRATIONS[v](con)
            con.execute("INSERT INTO schema_version VALUES (?, ?, ?, ?)",
                        [v + 1, _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None), _acsi_version(),
                         f"migrated from version {v}"])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
