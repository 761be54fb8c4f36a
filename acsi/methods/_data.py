"""Input checks shared by the multivariate toolkit methods (drivers, factor, cluster, correlation)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import MethodError
from .intervals import aligned_weights

__all__ = ["numeric_block", "numeric_column", "require", "weighted_corr"]


def require(module: str, where: str):
    """Import an optional dependency of the toolkit or raise a MethodError saying how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:  # pragma: no cover - the test extra installs them
        raise MethodError(f"{where}: needs the optional package {module.split('.')[0]!r}; "
                          "install it with pip install 'acsi[toolkit]'.") from None


def numeric_column(data: pd.DataFrame, column, where: str) -> pd.Series:
    """``data[column]`` as floats (NaN kept); a non-numeric entry is a MethodError naming its rows."""
    num = pd.to_numeric(data[column], errors="coerce")
    bad = data[column][num.isna() & data[column].notna()]
    if len(bad):
        raise MethodError(f"{where}: column {column!r} has non-numeric values at rows {list(bad.index[:10])}: "
                          f"{bad.iloc[:10].tolist()}; recode them or mark them missing.")
    return num.astype(float)


def numeric_block(data: pd.DataFrame, columns: Sequence[str] | None, where: str, *, weights=None,
                  min_columns: int = 1, min_rows: int = 2) -> tuple[pd.DataFrame, np.ndarray | None, int]:
    """Numeric columns of ``data`` after listwise deletion, the aligned weights, and rows dropped.

    ``columns=None`` takes every numeric column (except a weight column named by ``weights``).
    ``weights`` may be a column name, a Series or a sequence.  Errors name the offending
    columns and rows.
    """
    if not isinstance(data, pd.DataFrame) or data.size == 0:
        raise MethodError(f"{where}: the data table is empty; give respondents x items.")
    weight_col = weights if isinstance(weights, str) else None
    if weight_col is not None:
        if weight_col not in data.columns:
            raise MethodError(f"{where}: weight column {weight_col!r} not found; columns are {list(data.columns)}.")
        weights = data[weight_col]
    if columns is None:
        columns = [c for c in data.columns if c != weight_col and pd.api.types.is_numeric_dtype(data[c])]
    columns = list(columns)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise MethodError(f"{where}: columns {missing} not found; the table has {list(data.columns)}.")
    dups = sorted({str(c) for c in columns if columns.count(c) > 1})
    if dups:
        raise MethodError(f"{where}: columns {dups} are named more than once; name each once.")
    if weight_col is not None and weight_col in columns:
        raise MethodError(f"{where}: {weight_col!r} is the weight column; do not list it among the items.")
    if len(columns) < min_columns:
        raise MethodError(f"{where}: needs at least {min_columns} numeric columns; got {columns}.")
    df = pd.DataFrame({c: numeric_column(data, c, where) for c in columns}, index=data.index)
    w = aligned_weights(weights, data.index, where)
    keep = np.isfinite(df.to_numpy()).all(axis=1)
    if w is not None:
        keep &= w > 0
    dropped = int((~keep).sum())
    df = df[keep]
    w = None if w is None else w[keep]
    if len(df) < min_rows:
        raise MethodError(f"{where}: only {len(df)} complete rows (of {len(data)}) after dropping rows with a "
                          f"missing answer; needs at least {min_rows}.")
    const = [c for c in columns if np.ptp(df[c].to_numpy()) == 0]
    if const:
        raise MethodError(f"{where}: columns {const} have the same value for every complete row; "
                          "drop them (a constant has no variance).")
    return df, w, dropped


def weighted_corr(x: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Pearson correlation matrix of the columns of ``x`` (weighted when ``w`` is given)."""
    if w is None:
        return np.corrcoef(x, rowvar=False)
    w = w / w.sum()
    xc = x - w @ x
    cov = (xc * w[:, None]).T @ xc
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)
