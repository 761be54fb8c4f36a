"""Provenance stamped on every result when it is computed: versions, UTC time, input hashes.

A result records what produced it at the moment it runs (not when it is saved):

* :func:`versions`: Python and the versions of acsi and of the packages the numbers depend
  on, read from the installed distributions (no package is imported);
* :func:`utc_now`: ISO 8601 time in UTC, e.g. ``2025-03-01T12:00:00Z``;
* :func:`hash_tables`: the first 16 hex digits of a SHA-256 over the tables' column names
  and cell contents (``pandas.util.hash_pandas_object``; a table whose cells cannot be
  hashed that way is hashed through its CSV text), so the same input gives the same hash;
* :func:`stamp`: all of the above with the options and a ``run_id`` (a random 16-hex-digit id
  naming this computation, so that files of one run can be told from another's), as one dict.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import sys
import uuid

__all__ = ["PACKAGES", "acsi_version", "hash_tables", "stamp", "utc_now", "versions"]

#: Distributions whose versions are recorded, besides Python.
PACKAGES = ("acsi", "semopy", "numpy", "scipy", "pandas")


def acsi_version() -> str:
    """The installed acsi version (``0+unknown`` when run from a source tree that is not installed)."""
    import importlib.metadata as md

    try:
        return md.version("acsi")
    except md.PackageNotFoundError:  # pragma: no cover - source tree without installation
        return "0+unknown"


def versions() -> dict[str, str]:
    """``{"python": "3.11.7", "acsi": ..., "semopy": ..., "numpy": ..., "scipy": ..., "pandas": ...}``."""
    return dict(_versions())


@functools.lru_cache(maxsize=1)
def _versions() -> dict[str, str]:  # read once per process: the installed versions do not change under it
    import importlib.metadata as md

    out = {"python": sys.version.split()[0]}
    for pkg in PACKAGES:
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def utc_now() -> str:
    """The current time in UTC, ISO 8601 to the second: ``2025-03-01T12:00:00Z``."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def hash_tables(*tables) -> str:
    """SHA-256 (first 16 hex digits) of the tables' columns and contents; ``None`` entries are skipped.

    >>> import pandas as pd
    >>> a = hash_tables(pd.DataFrame({"x": [1, 2]}))
    >>> a == hash_tables(pd.DataFrame({"x": [1, 2]})) != hash_tables(pd.DataFrame({"x": [2, 1]}))
    True
    """
    import pandas as pd

    h = hashlib.sha256()
    for df in tables:
        if df is None:
            continue
        h.update(",".join(map(str, df.columns)).encode())
        try:
            h.update(_row_hashes(df).tobytes())
        except (TypeError, ValueError):  # unhashable cells (lists, dicts): hash the text
            h.update(df.to_csv(index=False).encode())
    return h.hexdigest()[:16]


_CHUNK = 1 << 15  # cells hashed per call
_ROWS = 1 << 13  # rows combined per piece (the pieces' hashes stay in the cache)


def _row_hashes(df):
    """``pandas.util.hash_pandas_object(df, index=False)`` as an array, the same uint64 per row.

    pandas hashes column by column and combines the column hashes row by row (CPython's tuple
    hash), so the rows can be taken in pieces: here pieces of 8,192 rows, in which each run of
    adjacent columns of one numpy number dtype is hashed in one call over its cells (the
    columns' slices joined, at most 32,768 cells a call); every other column is hashed whole, as
    pandas does (an Arrow text column from its shared codes, :func:`_text_hashes`); each piece's
    column hashes are combined in column order with pandas' own combiner.  The columns are read
    as arrays in one pass (:func:`acsi.frames.column_arrays`), not as a Series each; no array of
    all the cells' hashes is built: a piece's stay in the cache.
    """
    import numpy as np
    import pandas as pd
    from pandas.core.util.hashing import combine_hash_arrays

    from .frames import arrow_text, column_arrays

    n, p = df.shape
    if p == 0 or n == 0:
        return pd.util.hash_pandas_object(df, index=False).to_numpy()
    arrays = column_arrays(df)
    number = [isinstance(x, np.ndarray) and x.dtype.kind in "iuf" and x.dtype.itemsize <= 8 for x in arrays]
    runs, whole = [], {}  # (first column, end); column -> its hashes
    j = 0
    while j < p:
        x = arrays[j]
        if not number[j]:
            whole[j] = (_text_hashes(x) if arrow_text(x) else pd.util.hash_array(x)).astype("uint64", copy=False)
            j += 1
            continue
        k = j + 1
        while k < p and number[k] and arrays[k].dtype == x.dtype:
            k += 1
        runs.append((j, k))
        j = k
    out = np.empty(n, dtype=np.uint64)
    scratch = np.empty(max(_CHUNK, min(n, _ROWS)), dtype=np.uint64)  # a call's cells: at most this many
    cols: list = [None] * p
    for a in range(0, n, _ROWS):
        b = min(n, a + _ROWS)
        m = b - a
        for j, h in whole.items():
            cols[j] = h[a:b]
        width = max(1, _CHUNK // m)  # whole columns per call
        for j, k in runs:
            words = arrays[j].dtype in (np.int64, np.uint64)  # pandas' words are the integers' own bits
            for c in range(j, k, width):
                d = min(width, k - c)
                parts = [arrays[i][a:b] for i in range(c, c + d)]
                if words:  # the cells joined into a fresh array of words, mixed in place (pandas' finaliser)
                    hashed = _mix(np.concatenate(parts).view(np.uint64), scratch).reshape(d, m)
                else:
                    hashed = pd.util.hash_array(parts[0] if d == 1 else np.concatenate(parts)).reshape(d, m)
                for i in range(d):
                    cols[c + i] = hashed[i]
        out[a:b] = combine_hash_arrays(iter(cols), p)
    return out


def _mix(words, scratch):
    """pandas' finaliser of 64-bit words (``pandas.core.util.hashing._hash_ndarray``: splitmix64's),
    in place, its shifts into ``scratch`` (no temporary per step); returns ``words``."""
    import numpy as np

    tmp = scratch[:words.size]
    for shift, mult in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB), (31, None)):
        np.right_shift(words, np.uint64(shift), out=tmp)
        np.bitwise_xor(words, tmp, out=words)
        if mult is not None:
            np.multiply(words, np.uint64(mult), out=words)
    return words


def _text_hashes(s):
    """pandas' hashes of an Arrow string column, from its shared codes (:func:`acsi.frames.factorize`):
    each distinct text hashed once, a missing value ``2**64 - 1``, as pandas' own hook for
    Arrow strings (``ArrowExtensionArray._hash_pandas_object``) does from the dictionary."""
    import numpy as np
    import pandas as pd

    from .frames import factorize

    codes, uniques = factorize(s)
    hashed = pd.util.hash_array(np.asarray(uniques, dtype=object), categorize=False)
    if not len(hashed):
        return np.full(len(codes), np.iinfo(np.uint64).max, dtype=np.uint64)
    if len(hashed) == 1 and codes.size and not codes.any():  # one text in every row
        return np.full(len(codes), hashed[0], dtype=np.uint64)
    out = hashed.take(np.maximum(codes, 0))
    out[codes < 0] = np.iinfo(np.uint64).max
    return out


def stamp(options: dict | None = None, *tables) -> dict:
    """``{"run_id", "created_utc", "versions", "input_sha256_16", "options"}`` for a result computed now."""
    return {
        "run_id": uuid.uuid4().hex[:16],
        "created_utc": utc_now(),
        "versions": versions(),
        "input_sha256_16": hash_tables(*tables) if tables else None,
        "options": dict(options or {}),
    }
