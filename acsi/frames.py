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
  dict copies its columns), so changing a table never changes the cached column.

The tables come out equal, dtypes included, to those built from lists (tested in
``tests/test_frames.py``).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = ["float_matrix", "labels", "text"]

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
