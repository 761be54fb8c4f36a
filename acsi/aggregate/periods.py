"""Reading period labels ("2025Q3", "2008", "2025-07" or pandas Periods) into integer ordinals.

Aggregation needs arithmetic on periods (the previous quarter, the same quarter a year
earlier, the last four quarters), so every period is turned into an integer ordinal of one
frequency. The ordinals follow pandas' ``Period.ordinal`` for calendar frequencies:

- quarterly ``Q``: ``(year - 1970) * 4 + quarter - 1``;
- annual ``Y``: ``year - 1970``;
- monthly ``M``: ``(year - 1970) * 12 + month - 1``.

Example
-------
>>> import pandas as pd
>>> ords, freq = parse_periods(pd.Series(["2025Q3", "2025Q4"]))
>>> freq, ords.tolist(), labels(ords, freq).tolist()
('Q', [222, 223], ['2025Q3', '2025Q4'])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ._messages import describe_rows

__all__ = ["parse_periods", "labels", "PERIODS_PER_YEAR"]

#: Periods per year for each supported frequency; the year-over-year lag.
PERIODS_PER_YEAR = {"Q": 4, "Y": 1, "M": 12}

_PATTERNS = {
    "Q": r"^\s*(?P<year>\d{4})\s*[-_ ]?\s*[Qq](?P<sub>[1-4])\s*$",
    "Y": r"^\s*(?P<year>\d{4})(?:\.0)?\s*$",
    "M": r"^\s*(?P<year>\d{4})-(?P<sub>0?[1-9]|1[0-2])\s*$",
}

_HOW_TO_FIX = (
    "Write periods as 'YYYYQn' (e.g. '2025Q3') for quarters, 'YYYY' for years or 'YYYY-MM' for "
    "months, or pass a pandas Period column; all rows must use the same frequency."
)


def _ordinal(year: np.ndarray, sub: np.ndarray, freq: str) -> np.ndarray:
    year = year.astype(np.int64) - 1970
    if freq == "Q":
        return year * 4 + sub.astype(np.int64) - 1
    if freq == "M":
        return year * 12 + sub.astype(np.int64) - 1
    return year


def _from_period_index(pi: pd.PeriodIndex) -> tuple[np.ndarray, str]:
    code = pi.freqstr.upper()[:1]
    if code == "A":
        code = "Y"
    if code not in PERIODS_PER_YEAR:
        raise AggregationError(
            f"Periods of frequency {pi.freqstr!r} are not supported. " + _HOW_TO_FIX
        )
    year = np.asarray(pi.year)
    sub = np.asarray(pi.quarter if code == "Q" else pi.month)
    return _ordinal(year, sub, code), code


def parse_periods(values: pd.Series, *, table: str = "indexes", frame: pd.DataFrame | None = None,
                  columns: list[str] | None = None) -> tuple[np.ndarray, str]:
    """Turn a period column into integer ordinals and one frequency code.

    Parameters
    ----------
    values : Series
        Period labels: strings ``"2025Q3"`` / ``"2025-Q3"`` / ``"2025 q3"`` (quarters),
        ``"2008"`` or integers (years), ``"2025-07"`` (months), or pandas ``Period`` values.
    table : str
        Name of the table, used in error messages.
    frame, columns : DataFrame, list of str, optional
        Table and columns quoted in error messages to identify offending rows.

    Returns
    -------
    ordinals : ndarray of int64
        See the module docstring for the formula.
    freq : {"Q", "Y", "M"}

    Raises
    ------
    AggregationError
        When a label cannot be read or the frequencies are mixed; the message lists the rows.
    """
    values = pd.Series(values).reset_index(drop=True)
    if isinstance(values.dtype, pd.PeriodDtype):
        return _parse(values, table, frame, columns)
    # Parse each distinct label once (a panel has few periods and many rows).
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    try:
        ords, freq = _parse(pd.Series(uniques, name=values.name), table, None, None)
    except AggregationError:
        return _parse(values, table, frame, columns)  # re-parse row by row to name the rows
    return ords[codes], freq


def _parse(values: pd.Series, table: str, frame: pd.DataFrame | None, columns: list[str] | None):
    frame = values.to_frame() if frame is None else frame
    columns = [values.name] if columns is None else columns
    if isinstance(values.dtype, pd.PeriodDtype):
        if values.isna().any():
            bad = np.flatnonzero(values.isna().to_numpy())
            raise AggregationError(
                f"The {table} table has missing periods in {len(bad)} row(s):\n"
                f"{describe_rows(frame, bad, columns)}\n{_HOW_TO_FIX}"
            )
        return _from_period_index(pd.PeriodIndex(values))
    if values.dtype == object:
        is_period = values.map(lambda v: isinstance(v, pd.Period)).to_numpy(dtype=bool)
        if is_period.all() and len(values):
            try:
                return _from_period_index(pd.PeriodIndex(list(values)))
            except (ValueError, TypeError) as exc:  # mixed frequencies
                raise AggregationError(
                    f"The {table} table's period column mixes Period frequencies ({exc}). " + _HOW_TO_FIX
                ) from exc
    # Labels as text; an integer (or integral float) year becomes '2008'.
    na = values.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        num = values.to_numpy(dtype=float)
        ok = ~na & (num == np.round(num))
        text = pd.Series(np.where(ok, np.nan_to_num(num).astype(np.int64).astype(str), ""), dtype=object)
        text[~ok & ~na] = values.astype(str).to_numpy(dtype=object)[~ok & ~na]
    else:
        text = pd.Series(values.astype(str).to_numpy(dtype=object), dtype=object)
    text[na] = ""
    found = {}
    for code, pattern in _PATTERNS.items():
        ext = text.str.extract(pattern)
        found[code] = ext
    matched = {code: ext["year"].notna().to_numpy() for code, ext in found.items()}
    any_match = np.zeros(len(text), dtype=bool)
    for m in matched.values():
        any_match |= m
    if not any_match.all():
        bad = np.flatnonzero(~any_match)
        raise AggregationError(
            f"The {table} table has {len(bad)} row(s) with a malformed period:\n"
            f"{describe_rows(frame, bad, columns)}\n{_HOW_TO_FIX}"
        )
    used = [code for code, m in matched.items() if m.any()]
    if len(used) > 1:
        examples = {code: text[matched[code]].iloc[0] for code in used}
        first = {code: np.flatnonzero(matched[code])[:5] for code in used}
        rows = np.concatenate(list(first.values()))
        raise AggregationError(
            f"The {table} table mixes period frequencies {used} (e.g. "
            + ", ".join(f"{c}: {v!r}" for c, v in examples.items())
            + f"):\n{describe_rows(frame, rows, columns)}\n{_HOW_TO_FIX}"
        )
    code = used[0]
    ext = found[code]
    year = ext["year"].astype(np.int64).to_numpy()
    sub = ext["sub"].astype(np.int64).to_numpy() if "sub" in ext else np.zeros_like(year)
    return _ordinal(year, sub, code), code


def labels(ordinals, freq: str) -> np.ndarray:
    """Period labels (``"2025Q3"``, ``"2008"``, ``"2025-07"``) for integer ordinals.

    Inverse of :func:`parse_periods` (each distinct ordinal is formatted once).
    """
    ordinals = np.asarray(ordinals, dtype=np.int64)
    uniq, inv = np.unique(ordinals, return_inverse=True)
    pfreq = {"Q": "Q-DEC", "Y": "Y-DEC", "M": "M"}[freq]
    text = np.asarray(pd.PeriodIndex.from_ordinals(uniq, freq=pfreq).astype(str), dtype=object)
    return text[inv.reshape(-1)]
