"""Small labelled tables built fast: their labels are built once and shared.

Every unit of a production gets tables with the same labels: the model's parameter rows, its
latents, its items, the names of its fit measures.  Building those labels again for each unit
was most of the cost of a small pandas table (issue 17: pandas 3 turns every text column into
an Arrow string array and every list of names into an ``Index``, ~20-50 µs each, dozens per
unit).  Here they are built once per distinct tuple of names and reused:

* :func:`labels` gives the ``pd.Index`` of a tuple of names (an Index is immutable, so frames
  and Series can share it safely);
* :func:`text` gives the string column of a tuple of texts, the same ``str`` dtype pandas
  infers for a list of Python strings; a frame built from it copies it (a ``DataFrame`` from a
  dict copies its columns), so changing a table never changes the cached column;
* :func:`table` builds a frame from a dict of such columns and numpy arrays without the
  constructor's inference (the same frame as ``pd.DataFrame(columns)``).

The tables come out equal, dtypes included, to those built from lists (tested in
``tests/test_frames.py``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = ["column_arrays", "float_matrix", "labels", "table", "text"]

_CACHE = 4096  # distinct label tuples kept (a few per model; a production has one model)


@lru_cache(maxsize=_CACHE)
def _labels(names: tuple) -> pd.Index:
    return pd.Index(list(names))


def labels(names) -> pd.Index:
    """The ``pd.Index`` of ``names`` (a sequence of hashable labels), built once per tuple."""
    return _labels(tuple(names))


@lru_cache(maxsize=_CACHE)
def _text(values: tuple):
    return pd.array(np.array(values, dtype=object), dtype="str")


def text(values):
    """The string column of ``values`` (a sequence of ``str``), built once per tuple: what
    ``pd.DataFrame({"c": list_of_str})`` would infer.  Pass it in a dict to ``pd.DataFrame``
    (which copies it); never change it in place."""
    return _text(tuple(values))


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
    frame is made from the arrays directly (pandas' ``DataFrame._from_arrays``; without it, under
    integer labels then relabelled).  The same frame: same columns, dtypes, blocks and RangeIndex.
    Every column is the frame's own (numpy columns are copied into the frame's blocks, label
    arrays copied here), so changing a table changes nothing else."""
    arrays = [a.copy() if isinstance(a, pd.api.extensions.ExtensionArray) else a for a in columns.values()]
    names = labels(tuple(columns))
    index = pd.RangeIndex(len(arrays[0]) if arrays else 0)
    make = getattr(pd.DataFrame, "_from_arrays", None)
    if make is not None:
        try:
            return make(arrays, columns=names, index=index)
        except TypeError:  # another signature: the public constructor below
            pass
    out = pd.DataFrame(dict(enumerate(arrays)), index=index)
    out.columns = names
    return out


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
