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


def _row_hashes(df):
    """``pandas.util.hash_pandas_object(df, index=False)`` as an array, the same uint64 per row.

    The cells of the columns of one numpy number dtype are hashed in one call over one flat
    array, in pieces of 32,768 cells (pandas hashes a column at a time; the hash of a cell depends on the cell alone), the
    other columns one by one as pandas does; the column hashes are then combined in column order
    with pandas' own combiner.
    """
    import numpy as np
    import pandas as pd
    from pandas.core.util.hashing import combine_hash_arrays

    n, p = df.shape
    if p == 0 or n == 0:
        return pd.util.hash_pandas_object(df, index=False).to_numpy()
    cols: list = [None] * p
    by_dtype: dict = {}
    for j, dt in enumerate(df.dtypes):
        if isinstance(dt, np.dtype) and dt.kind in "iuf" and dt.itemsize <= 8:
            by_dtype.setdefault(dt, []).append(j)
    for pos in by_dtype.values():
        block = df.to_numpy() if len(pos) == p else df.iloc[:, pos].to_numpy()  # pandas' block: no copy
        flat = np.asfortranarray(block).ravel(order="F")  # one column after another
        hashed = np.empty(flat.size, dtype=np.uint64)
        for a in range(0, flat.size, _CHUNK):  # in pieces that stay in the cache
            hashed[a:a + _CHUNK] = pd.util.hash_array(flat[a:a + _CHUNK])
        hashed = hashed.reshape(len(pos), n)
        for k, j in enumerate(pos):
            cols[j] = hashed[k]
    for j in range(p):
        if cols[j] is None:
            s = df.iloc[:, j]
            if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
                cols[j] = _text_hashes(s)
                continue
            cols[j] = pd.util.hash_array(s.array if isinstance(s.dtype, pd.api.extensions.ExtensionDtype)
                                         else s.to_numpy()).astype("uint64", copy=False)
    return combine_hash_arrays(iter(cols), p)


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
