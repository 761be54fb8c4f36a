"""Sparse building blocks of the aggregation: window matrices."""

from __future__ import annotations

import numpy as np
from scipy import sparse

__all__ = ["window_matrix"]


def window_matrix(t_rows: np.ndarray, t_cols: np.ndarray, width: int, values=None) -> sparse.csr_matrix:
    """Sparse ``A[r, c] = values[r]`` (default 1) where ``t_rows[r] - width < t_cols[c] <= t_rows[r]``.

    ``t_cols`` must be sorted and distinct (periods). With ``values = 1/n`` a row of ``A @ X``
    is the mean of the rows of ``X`` in its window.
    """
    t_rows = np.asarray(t_rows, dtype=np.int64)
    t_cols = np.asarray(t_cols, dtype=np.int64)
    rows, cols = [], []
    for k in range(width):  # loop over window positions, not over units
        want = t_rows - k
        j = np.searchsorted(t_cols, want)
        hit = j < len(t_cols)
        hit[hit] = t_cols[j[hit]] == want[hit]
        rows.append(np.flatnonzero(hit))
        cols.append(j[hit])
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    vals = np.ones(len(r)) if values is None else np.asarray(values, dtype=float)[r]
    return sparse.csr_matrix((vals, (r, c)), shape=(len(t_rows), len(t_cols)))
