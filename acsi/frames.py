"""Small labelled tables built fast: their labels are built once and shared.

Every unit of a production gets tables with the same labels: the model's parameter rows, its
latents, its items, the names of its fit measures.  Building those labels again for each unit
was most of the cost of a small pandas table (issue 17: pandas 3 turns every text column into
an Arrow string array and every list of names into an ``Index``, ~20-50 µs each, dozens per
unit).  Here they are built once per distinct tuple of names and reused:

* :func:`labels` gives the ``pd.Index`` of a tuple of names (its values are built once and
  shared; each call gets its own view, so naming one table's axis names no other's);
* :func:`text` gives the string column of a tuple of texts, the same ``str`` dtype pandas
  infers for a list of Python strings; a frame built from it copies it (a ``DataFrame`` from a
  dict copies its columns), so changing a table never changes the cached column;
* :func:`table` builds a frame from a dict of such columns and numpy arrays without the
  constructor's inference (the same frame as ``pd.DataFrame(columns)``);
* :func:`labelled_matrix` builds a frame of label columns followed by a float matrix from its
  blocks in one step (the frame ``prepare_survey`` hands on).

The tables come out equal, dtypes included, to those built from lists (tested in
``tests/test_frames.py``).

The text columns of a survey (period, company, industry, sector) are factorized once per
:func:`acsi.fit` and the codes shared (issue 17: the period parser, the input hash, the unit
numbering, the hierarchy check and the grouping each factorized them again, ~0.25 ms per
column at 25,000 rows): :func:`factorize` keeps the codes of an Arrow-backed column keyed on
its Arrow data, which never changes (a column written to gets new Arrow data, hence new codes).
pandas' ``pd.factorize(column)`` (``acsi.fit`` factorized them five times over) is the reference:
``tests/fitting/test_front_fast_paths.py``.
"""

from __future__ import annotations

import weakref
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = ["arrays_table", "arrow_text", "column_arrays", "factorize", "float_matrix", "labelled_matrix", "labels", "table", "text"]

_CACHE = 4096  # distinct label tuples kept (a few per model; a production has one model)


@lru_cache(maxsize=_CACHE)
def _labels(names: tuple) -> pd.Index:
    return pd.Index(list(names))


def labels(names) -> pd.Index:
    """The ``pd.Index`` of ``names`` (a sequence of hashable labels), built once per tuple.

    Each call gets its own view of the cached Index (sharing its values, 0.5 µs): an Index's
    values are immutable but its ``name`` is not, and a name set on one table's axis must not
    reach every later table built from the same labels."""
    return _labels(tuple(names)).view()


@lru_cache(maxsize=_CACHE)
def _text(values: tuple):
    return pd.array(np.array(values, dtype=object), dtype="str")


def text(values):
    """The string column of ``values`` (a sequence of ``str``), built once per tuple: what
    ``pd.DataFrame({"c": list_of_str})`` would infer.  Pass it in a dict to ``pd.DataFrame``
    (which copies it); never change it in place."""
    return _text(tuple(values))


def nan_mask(X: np.ndarray) -> np.ndarray | None:
    """The NaN cells of the float matrix ``X`` (a boolean array of its shape), or None when it has
    none: one sum first, so complete answers (the rule) build no mask of their size."""
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf, or a sum past the largest float
        total = X.sum()
    if np.isfinite(total):
        return None
    mask = np.isnan(X)
    return mask if mask.any() else None


def float_matrix(data: pd.DataFrame, names) -> np.ndarray:
    """``data[names]`` as a float matrix, without the intermediate frame when ``data`` holds
    exactly those columns in that order (as a unit's rows do: selecting them again copies every
    answer)."""
    names = list(names)
    if list(data.columns) == names:
        return data.to_numpy(dtype=float)
    return data[names].to_numpy(dtype=float)


def table(columns: dict) -> pd.DataFrame:
    """``pd.DataFrame(columns)`` (a dict of equal-length columns: numpy arrays or the label
    arrays of :func:`text`), made faster: the column labels' Index is built once per set of
    names (:func:`labels`; in pandas 3 making a string Index costs as much as a column) and the
    frame is made from its blocks (:func:`_blocks`: numpy numbers and Arrow text), else from the
    arrays (pandas' ``DataFrame._from_arrays``; without it, under integer labels then
    relabelled).  The same frame: same columns, dtypes, blocks and RangeIndex.  Every column is the frame's own (numpy columns are copied into the frame's blocks, label
    arrays copied here), so changing a table changes nothing else."""
    arrays = [a.copy() if isinstance(a, pd.api.extensions.ExtensionArray) else a for a in columns.values()]
    names = labels(tuple(columns))
    index = pd.RangeIndex(len(arrays[0]) if arrays else 0)
    blocks = _blocks(arrays)
    if blocks is not None:
        return _from_blocks(blocks, index=index, columns=names)
    make = getattr(pd.DataFrame, "_from_arrays", None)
    if make is not None:
        try:
            return make(arrays, columns=names, index=index)
        except TypeError:  # another signature: the public constructor below
            pass
    out = pd.DataFrame(dict(enumerate(arrays)), index=index)
    out.columns = names
    return out


def _blocks(arrays: list) -> list | None:
    """The blocks pandas' constructor makes of ``arrays`` (equal-length 1-d numpy numbers and
    Arrow text), as ``(values, placement)`` for ``create_dataframe_from_blocks``: the columns of
    one numpy dtype stacked into one block (columns x rows, a copy), in order of the dtypes'
    first appearance; each Arrow column a block of its own, grouped by its dtype object (pandas'
    ``_form_blocks``: tested equal, blocks included).  None for anything else (other extension
    arrays, objects, dates, unequal lengths) or without pandas' block API: the constructor
    decides those (~30 µs a column there, a few µs here)."""
    if _from_blocks is None or not arrays:
        return None
    n = len(arrays[0])
    groups: dict = {}
    for j, a in enumerate(arrays):
        if isinstance(a, np.ndarray):
            if a.ndim != 1 or a.dtype.kind not in "biufc":
                return None
            key = a.dtype
        elif isinstance(a, pd.arrays.ArrowStringArray):
            key = id(a.dtype)
        else:
            return None
        if len(a) != n:
            return None
        groups.setdefault(key, []).append(j)
    out = []
    for cols in groups.values():
        first = arrays[cols[0]]
        if isinstance(first, np.ndarray):
            stacked = np.empty((len(cols), n), dtype=first.dtype)
            for i, j in enumerate(cols):
                stacked[i] = arrays[j]
            out.append((stacked, np.array(cols, dtype=np.intp)))
        else:
            out.extend((arrays[j], np.array([j], dtype=np.intp)) for j in cols)
    return out


try:  # pandas >= 3: a frame from its blocks, no inference (the public low-level constructor)
    from pandas.api.internals import create_dataframe_from_blocks as _from_blocks
except ImportError:  # pragma: no cover - pandas 2: the constructor
    _from_blocks = None


_CODES: dict = {}  # id(Arrow data) -> (weak reference to it, codes, uniques)
_CODES_KEPT = 64  # columns remembered (a fit reads four; the entries go with their data)


def arrow_text(values) -> bool:
    """Whether ``values`` (a Series or array) is an Arrow-backed text column (pandas 3's ``str``,
    ``string[pyarrow]``): the columns whose codes :func:`factorize` keeps."""
    dtype = getattr(values, "dtype", None)
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def factorize(values):
    """``pd.factorize(values, use_na_sentinel=True)`` of a column (Series or array) with the
    uniques as an array: ``(codes, uniques)``, codes in order of first appearance, -1 for a
    missing value.

    The codes of an Arrow-backed column (pandas 3's ``str`` columns) are computed once and
    shared, read-only: they are keyed on the column's Arrow data, which is immutable (writing to
    a column gives it new Arrow data) and is followed by a weak reference, so an entry goes when
    its data does.  Other columns (numpy arrays, which can change in place) are factorized
    each time.
    """
    arr = values.array if isinstance(values, pd.Series) else values
    data = getattr(arr, "_pa_array", None) if isinstance(arr, pd.api.extensions.ExtensionArray) else None
    if data is None:
        codes, uniques = pd.factorize(arr, use_na_sentinel=True)
        return codes, uniques
    key = id(data)
    hit = _CODES.get(key)
    if hit is not None and hit[0]() is data:
        return hit[1], hit[2]
    codes, uniques = arr.factorize(use_na_sentinel=True)
    codes.flags.writeable = False
    if len(_CODES) >= _CODES_KEPT:
        _CODES.pop(next(iter(_CODES)))
    try:
        ref = weakref.ref(data, lambda _r, key=key: _CODES.pop(key, None))  # no other object has the id meanwhile
    except TypeError:  # pragma: no cover - Arrow data without weak references: not kept
        return codes, uniques
    _CODES[key] = (ref, codes, uniques)
    return codes, uniques


def labelled_matrix(columns: dict, matrix: np.ndarray, names) -> pd.DataFrame:
    """A frame of the given label columns (``{name: 1-d array}``, Arrow ones taken as they are: pass copies)
    followed by the float ``matrix`` (rows x len(names), column-major: pandas' own block layout,
    not copied) under ``names``: what ``pd.DataFrame(matrix, columns=names)`` and one
    ``insert(k, name, array)`` per label column give (tested), built in one step from its blocks
    (``pandas.api.internals.create_dataframe_from_blocks``, pandas >= 3; the inserts before)."""
    n, p = matrix.shape
    heads = list(columns)
    try:
        from pandas.api.internals import create_dataframe_from_blocks
    except ImportError:  # pragma: no cover - pandas 2
        create_dataframe_from_blocks = None
    # Arrow columns only: each is one block as it is; pandas infers (and reshapes) the others on insert
    if create_dataframe_from_blocks is None or not all(
            isinstance(a, pd.arrays.ArrowStringArray) or isinstance(getattr(a, "dtype", None), pd.ArrowDtype)
            for a in columns.values()):
        return _inserted(columns, matrix, names)
    k = len(heads)
    blocks = [(columns[h], np.array([j], dtype=np.intp)) for j, h in enumerate(heads)]
    blocks.append((matrix.T, np.arange(k, k + p, dtype=np.intp)))
    return create_dataframe_from_blocks(blocks, index=pd.RangeIndex(n), columns=labels([*heads, *names]))


def _inserted(columns: dict, matrix: np.ndarray, names) -> pd.DataFrame:
    """:func:`labelled_matrix` by pandas' public constructor and inserts."""
    frame = pd.DataFrame(matrix, copy=False)
    for k, (h, a) in enumerate(columns.items()):
        frame.insert(k, -1 - k, a)  # named once below: one index, not one per column inserted
    frame.columns = labels([*columns, *names])
    return frame


def column_arrays(frame: pd.DataFrame) -> list:
    """The arrays of ``frame``'s columns in order (numpy arrays or pandas extension arrays), the
    frame's own (read them, never change them): what :func:`table` takes.  pandas'
    ``DataFrame._iter_column_arrays`` (one pass over the blocks, ~7 µs against ~8 µs a column
    for ``frame[c].array``); without it, column by column."""
    read = getattr(frame, "_iter_column_arrays", None)
    if read is not None:
        try:
            return list(read())
        except TypeError:  # another signature: the public way below
            pass
    return [frame.iloc[:, i].array for i in range(frame.shape[1])]


def _block_ready(a) -> bool:
    """Whether ``a`` is stored as it is by pandas' frame constructor (a numpy bool, integer,
    float or complex array, or a pandas extension array other than a numpy wrapper)."""
    if isinstance(a, np.ndarray):
        return a.ndim == 1 and a.dtype.kind in "biufc"
    return isinstance(a, pd.api.extensions.ExtensionArray) and not isinstance(a, pd.arrays.NumpyExtensionArray)


def arrays_table(columns: dict) -> pd.DataFrame:
    """:func:`table` of columns that need no conversion (every one a numpy bool, integer, float
    or complex array or a pandas extension array, all of one length), without pandas' check and
    conversion of each column (``_from_arrays(..., verify_integrity=False)``: the same frame,
    ~3 µs a column less); any other column: :func:`table`."""
    arrays = list(columns.values())
    make = getattr(pd.DataFrame, "_from_arrays", None)
    n = len(arrays[0]) if arrays else 0
    if make is None or not all(_block_ready(a) and len(a) == n for a in arrays):
        return table(columns)
    arrays = [a.copy() if isinstance(a, pd.api.extensions.ExtensionArray) else a for a in arrays]
    blocks = _blocks(arrays)  # numpy numbers and Arrow text: the constructor's blocks directly
    if blocks is not None:
        return _from_blocks(blocks, index=pd.RangeIndex(n), columns=labels(tuple(columns)))
    try:
        return make(arrays, columns=labels(tuple(columns)), index=pd.RangeIndex(n), verify_integrity=False)
    except TypeError:  # another signature
        return table(columns)
