"""Helpers that quote offending rows in error messages (data and aggregation layers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_ROWS = 10


def describe_rows(frame: pd.DataFrame, positions, columns, *, max_rows: int = MAX_ROWS) -> str:
    """One line per offending row: ``row 3: period='2025Q1', company='A'``.

    ``positions`` are 0-based positions in ``frame``; each line shows the row's index label (its
    position in the table as given when the caller reset the index; a subset of a table keeps
    the labels of the whole table). At most ``max_rows`` lines are shown, followed by ``... and N more``.
    """
    positions = np.asarray(positions, dtype=np.int64)
    columns = [c for c in columns if c in frame.columns]
    lines = []
    for pos in positions[:max_rows]:
        row = frame.iloc[int(pos)]
        cells = ", ".join(f"{c}={_fmt(row[c])}" for c in columns)
        label = frame.index[int(pos)]
        lines.append(f"  row {int(label) if isinstance(label, (int, np.integer)) else label}: {cells}")
    if len(positions) > max_rows:
        lines.append(f"  ... and {len(positions) - max_rows} more")
    return "\n".join(lines)


def describe_keys(keys: pd.DataFrame, *, max_rows: int = MAX_ROWS) -> str:
    """One line per key combination (a small DataFrame without a meaningful index)."""
    lines = []
    for rec in keys.head(max_rows).to_dict("records"):
        lines.append("  " + ", ".join(f"{k}={_fmt(v)}" for k, v in rec.items()))
    if len(keys) > max_rows:
        lines.append(f"  ... and {len(keys) - max_rows} more")
    return "\n".join(lines)


def _fmt(value) -> str:
    if isinstance(value, float):
        return "NaN" if np.isnan(value) else f"{value:g}"
    if value is None or value is pd.NA:
        return "<missing>"
    return repr(value) if isinstance(value, str) else str(value)
