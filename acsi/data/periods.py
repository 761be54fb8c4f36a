"""Periods and calendars: the one parser of period labels for the whole package.

A period column (survey waves, unit indexes, sales tables) is read into integer *ordinals* of
one *frequency*, so that equal periods written differently are one period and the aggregation
can do arithmetic on time (the previous quarter, the same quarter a year earlier, the latest
year). Ordinals follow pandas' ``Period.ordinal`` for calendar frequencies:

- years ``Y``: ``year - 1970``;
- quarters ``Q``: ``(year - 1970) * 4 + quarter - 1``;
- months ``M``: ``(year - 1970) * 12 + month - 1``.

Accepted spellings (case and surrounding blanks do not matter)::

    quarters   2024Q1  2024-Q1  2024 Q1  2024q1  2024_Q1  2024/Q1
    months     2024-03  2024-3  2024M03  2024m3  2024/03  2024 03
    years      2024  2024.0  (and integer or integral float columns)
    Periods    pandas Period / PeriodIndex of annual (Dec year end), quarterly (Dec) or monthly freq
    dates      2024-03-15, datetime64 columns, Timestamps: only with ``freq=`` ("Q", "M", "Y"),
               which names the period a date falls in

Canonical labels are ``2024Q1``, ``2024-03`` and ``2024``. Mixed frequencies (``2024`` beside
``2024Q1``), labels that are not periods (``baseline``, ``24Q1``, ``202401``, ``2024-13``) and
dates without a frequency are errors that list the values, their rows and the fix.

A :class:`Calendar` is the ordered run of periods from the first to the last observed one, with
the gaps explicit; :func:`span_periods` turns a span of time (``"1Y"``, ``"4Q"``, ``"12M"``)
into a number of periods of the calendar's frequency.

Examples
--------
>>> import pandas as pd
>>> ords, freq = parse_periods(pd.Series(["2025Q3", "2025 q4", "2025-Q3"]))
>>> freq, ords.tolist(), labels(ords, freq).tolist()
('Q', [222, 223, 222], ['2025Q3', '2025Q4', '2025Q3'])
>>> cal = Calendar.from_ordinals(ords, freq)
>>> cal.labels, cal.gaps, span_periods("1Y", freq)
(('2025Q3', '2025Q4'), (), 4)
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError
from ..frames import arrow_text, factorize
from ._describe import describe_rows

__all__ = [
    "PERIODS_PER_YEAR", "FREQUENCY_NAMES", "MISSING", "Calendar", "parse_periods", "canonical_periods",
    "labels", "span_periods", "span_label", "periods_unchanged",
]

#: Periods per year for each supported frequency (the year-over-year lag).
PERIODS_PER_YEAR = {"Q": 4, "Y": 1, "M": 12}
#: Plural names used in messages.
FREQUENCY_NAMES = {"Y": "years", "Q": "quarters", "M": "months"}
#: Ordinal returned for a missing period when ``allow_missing=True``.
MISSING = np.iinfo(np.int64).min

_MONTHS_PER_PERIOD = {"Y": 12, "Q": 3, "M": 1}
_PANDAS_FREQ = {"Q": "Q-DEC", "Y": "Y-DEC", "M": "M"}
_PATTERNS = {
    "Q": re.compile(r"^(?P<year>\d{4})\s*[-_/. ]?\s*Q(?P<sub>[1-4])$", re.IGNORECASE),
    "M": re.compile(r"^(?P<year>\d{4})\s*(?:[-/ ]|M)\s*(?P<sub>0?[1-9]|1[0-2])$", re.IGNORECASE),
    "Y": re.compile(r"^(?P<year>\d{4})(?:\.0+)?$"),
}
_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T].*)?$")

HOW_TO_FIX = (
    "Write periods as 'YYYYQn' (e.g. '2025Q3') for quarters, 'YYYY-MM' for months or 'YYYY' for years "
    "(other spellings such as '2025-Q3', '2025 q3', '2025M07' are read too), or pass a pandas Period "
    "column; all rows must use the same frequency."
)


def _ordinal(year: np.ndarray, sub: np.ndarray, freq: str) -> np.ndarray:
    year = np.asarray(year, dtype=np.int64) - 1970
    if freq == "Q":
        return year * 4 + np.asarray(sub, dtype=np.int64) - 1
    if freq == "M":
        return year * 12 + np.asarray(sub, dtype=np.int64) - 1
    return year


def labels(ordinals, freq: str) -> np.ndarray:
    """Canonical labels (``"2025Q3"``, ``"2025-07"``, ``"2008"``) of integer ordinals (inverse of
    :func:`parse_periods`; each distinct ordinal is formatted once)."""
    ordinals = np.asarray(ordinals, dtype=np.int64)
    uniq, inv = np.unique(ordinals, return_inverse=True)
    text = np.array([_label(int(o), freq) for o in uniq], dtype=object)  # pandas' own spelling (tested)
    return text[inv.reshape(-1)]


def _label(ordinal: int, freq: str) -> str:
    """The label of one ordinal, as ``pd.Period(ordinal=..., freq=...)`` spells it."""
    if freq == "Q":
        year, sub = divmod(ordinal, 4)
        return f"{year + 1970}Q{sub + 1}"
    if freq == "M":
        year, sub = divmod(ordinal, 12)
        return f"{year + 1970}-{sub + 1:02d}"
    return str(ordinal + 1970)


# ----------------------------------------------------------------------------- spans
_SPAN = re.compile(r"^\s*(?P<n>\d+)\s*(?P<unit>y|yr|yrs|year|years|q|qtr|qtrs|quarter|quarters|m|mo|month|months)\s*$",
                   re.IGNORECASE)


def _span_months(span, error=DataError) -> tuple[int, str]:
    m = _SPAN.match(span) if isinstance(span, str) else None
    if m is None or int(m["n"]) < 1:
        raise error(
            f"The 'span' parameter must be a span of time such as '1Y' (the latest year), '4Q' or '12M'. "
            f"Got {span!r} instead."
        )
    n, unit = int(m["n"]), m["unit"][0].upper()
    return n * _MONTHS_PER_PERIOD[unit], f"{n}{unit}"


def span_label(span, *, error=DataError) -> str:
    """The canonical spelling of a span (``"4 quarters"`` -> ``"4Q"``)."""
    return _span_months(span, error)[1]


def span_periods(span, freq: str, *, error=DataError) -> int:
    """Number of periods of frequency ``freq`` in a span of time.

    ``"1Y"`` is 4 quarters, 12 months or 1 year; the span must be a whole number (>= 1) of
    periods: ``"1Q"`` on annual data or ``"18M"`` on annual data are errors that say why.

    >>> span_periods("1Y", "Q"), span_periods("12 months", "M"), span_periods("2y", "Y")
    (4, 12, 2)
    """
    months, canon = _span_months(span, error)
    per = _MONTHS_PER_PERIOD[freq]
    if months % per:
        whole = ", ".join(f"'{k * per // _MONTHS_PER_PERIOD[freq]}{freq}'" for k in (1, 2))
        raise error(
            f"The span {canon!r} is not a whole number of {FREQUENCY_NAMES[freq]}: the periods of this data are "
            f"{FREQUENCY_NAMES[freq]} ({per} month(s) each). Use a span such as {whole}"
            + (" ('1Y' = the latest year)" if freq == "Y" else f" ('1Y' = {PERIODS_PER_YEAR[freq]} {FREQUENCY_NAMES[freq]})")
            + "."
        )
    return months // per


# ----------------------------------------------------------------------------- calendar
@dataclass(frozen=True)
class Calendar:
    """The ordered periods from the first to the last observed one, gaps included.

    Attributes
    ----------
    freq : {"Y", "Q", "M"}
    first, last : int
        Ordinals of the first and last observed periods.
    observed : tuple of int
        Ordinals with data (sorted, distinct).
    """

    freq: str
    first: int
    last: int
    observed: tuple[int, ...]

    @classmethod
    def from_ordinals(cls, ordinals, freq: str) -> Calendar:
        """The calendar of the (non-missing) ordinals given."""
        o = np.asarray(ordinals, dtype=np.int64)
        o = np.unique(o[o != MISSING])
        if not len(o):
            raise DataError("A calendar needs at least one period; none was given.")
        return cls(freq=freq, first=int(o[0]), last=int(o[-1]), observed=tuple(int(v) for v in o))

    @property
    def periods_per_year(self) -> int:
        return PERIODS_PER_YEAR[self.freq]

    @property
    def ordinals(self) -> np.ndarray:
        """Every ordinal from ``first`` to ``last``."""
        return np.arange(self.first, self.last + 1, dtype=np.int64)

    @property
    def labels(self) -> tuple[str, ...]:
        """Labels of every period from the first to the last, in order."""
        return tuple(labels(self.ordinals, self.freq))

    @property
    def gaps(self) -> tuple[str, ...]:
        """Labels of the periods between the first and the last that have no data."""
        miss = np.setdiff1d(self.ordinals, np.asarray(self.observed, dtype=np.int64))
        return tuple(labels(miss, self.freq)) if len(miss) else ()

    def __len__(self) -> int:
        return self.last - self.first + 1

    def frame(self) -> pd.DataFrame:
        """One row per period: ``period, ordinal, position`` (0-based from the first), ``observed``."""
        o = self.ordinals
        return pd.DataFrame({"period": labels(o, self.freq), "ordinal": o, "position": o - self.first,
                             "observed": np.isin(o, np.asarray(self.observed, dtype=np.int64))})

    def describe(self) -> str:
        """``quarters 2024Q1 to 2025Q2 (6 periods; gaps: 2024Q3)``."""
        lab = self.labels
        gaps = self.gaps
        shown = ", ".join(gaps[:12]) + (" ..." if len(gaps) > 12 else "")
        return (f"{FREQUENCY_NAMES[self.freq]} {lab[0]} to {lab[-1]} ({len(self)} period(s); "
                + (f"gaps: {shown})" if gaps else "no gaps)"))


# ----------------------------------------------------------------------------- parsing
def parse_periods(values, *, table: str = "data", frame: pd.DataFrame | None = None, columns=None,
                  freq: str | None = None, allow_missing: bool = False, error=DataError) -> tuple[np.ndarray, str]:
    """Read a period column into integer ordinals of one frequency.

    Parameters
    ----------
    values : Series or array-like
        Period labels (see the module docstring for the spellings), pandas Periods, years as
        numbers, or dates (with ``freq``).
    table : str
        Name of the table, used in messages (``"the indexes table"``).
    frame, columns : DataFrame, list of str, optional
        Table and columns quoted to identify offending rows (default: the values themselves).
    freq : {"Y", "Q", "M"}, optional
        Expected frequency; required for dates (the period a date falls in).
    allow_missing : bool
        Missing periods (NaN, None, blank) get the ordinal :data:`MISSING` instead of an error.
    error : exception class
        Raised on bad input (:class:`~acsi.errors.DataError` by default; the aggregation passes
        :class:`~acsi.errors.AggregationError`).

    Returns
    -------
    ordinals : ndarray of int64
    freq : {"Y", "Q", "M"}
        For an input with every period missing (``allow_missing``), ``freq`` or ``"Q"``.
    """
    if freq is not None and freq not in PERIODS_PER_YEAR:
        raise error(f"The 'freq' parameter must be one of {sorted(PERIODS_PER_YEAR)} (years, quarters, months). "
                    f"Got {freq!r} instead.")
    s = pd.Series(values).reset_index(drop=True)
    ctx = _Context(s, table, frame, columns, error)
    if isinstance(s.dtype, pd.PeriodDtype):
        return _from_periods(s, ctx, freq, allow_missing)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return _from_dates(s, ctx, freq, allow_missing)
    # Parse each distinct value once (a panel has few periods and many rows).
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    uniq = pd.Series(uniques)
    ords, kind = _classify(uniq, freq)
    out = np.full(len(s), MISSING, dtype=np.int64)
    has = codes >= 0
    out[has] = ords[codes[has]]
    kinds = np.full(len(s), "missing", dtype=object)
    kinds[has] = kind[codes[has]]
    return _resolve(out, kinds, s, ctx, freq, allow_missing)


def canonical_periods(values, *, table: str = "survey", freq: str | None = None, labels_only: bool = False,
                      error=DataError) -> tuple[pd.Series, str | None]:
    """Canonical labels of a period column (missing values stay missing).

    ``2024Q1``, ``2024 Q1`` and ``2024-q1`` all become ``"2024Q1"``. With ``labels_only=True``
    (used by :func:`acsi.fit`) a column in which *no* value is a period (``"wave 1"``,
    ``"spring"``) is returned unchanged with frequency ``None``: such names identify units but
    cannot be put on a calendar. A column with some periods and some other values, or mixed
    frequencies, is an error listing the values.
    """
    s = pd.Series(values)
    if len(s) > 64 and (pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype)):
        fast = _canonical_by_value(s, table=table, freq=freq, labels_only=labels_only, error=error)
        if fast is not None:
            return fast
    if labels_only and not isinstance(s.dtype, pd.PeriodDtype) and not pd.api.types.is_datetime64_any_dtype(s.dtype):
        present = s.dropna()
        present = present[present.astype(str).str.strip() != ""]
        if len(present):
            _, kind = _classify(pd.Series(pd.unique(present), dtype=object), freq)
            if (kind == "bad").all():
                return s, None
    ords, f = parse_periods(s, table=table, freq=freq, allow_missing=True, error=error)
    out = np.full(len(s), None, dtype=object)
    ok = ords != MISSING
    if ok.any():
        out[ok] = labels(ords[ok], f)
    return pd.Series(out, index=s.index, name=s.name, dtype=object), f


def periods_unchanged(values, *, table: str = "survey", freq: str | None = None, labels_only: bool = False,
                      error=DataError) -> bool:
    """Whether :func:`canonical_periods` (same options) would give ``values`` back label for label,
    so that :func:`acsi.fit` keeps the column as it is instead of building it again (issue 17).

    Decided from the distinct values alone, for a text column (pandas 3 ``str``) with no missing
    value: True when each distinct label is already canonical (``2024Q1``, one frequency), or,
    with ``labels_only``, when no label is a period (``"wave 1"``: kept as read).  False in every
    other case, an error included: the full reading then says what is wrong, quoting the rows.
    The codes are the shared ones of :func:`acsi.frames.factorize`; the answer for a tuple of
    distinct labels is kept, so a repeated survey costs one lookup.
    """
    s = values
    if not (isinstance(s, pd.Series) and arrow_text(s)):
        return False
    codes, uniques = factorize(s)
    if not codes.size or codes.min() < 0:  # a hole: the full reading
        return False
    return _labels_unchanged(tuple(np.asarray(uniques, dtype=object).tolist()), table, freq, labels_only, error)


@functools.lru_cache(maxsize=256)
def _labels_unchanged(uniques: tuple, table, freq, labels_only, error) -> bool:
    u = pd.Series(np.array(uniques, dtype=object), dtype=object)
    try:
        lab, f = canonical_periods(u, table=table, freq=freq, labels_only=labels_only, error=error)
    except Exception:  # noqa: BLE001 - the full reading raises it again, quoting the rows
        return False
    return f is None or bool((lab.to_numpy(dtype=object) == u.to_numpy(dtype=object)).all())


def _canonical_by_value(s: pd.Series, **kw) -> tuple[pd.Series, str | None] | None:
    """:func:`canonical_periods` of a text column from its distinct values (a survey has a few
    periods and many rows), or None when they hold an error: the caller then reads the rows,
    so that the message quotes them."""
    codes, uniques = factorize(s)
    if len(uniques) * 4 > len(s):
        return None
    u = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    try:
        lab, f = canonical_periods(u, **kw)
    except Exception:  # noqa: BLE001 - any refusal is raised again by the row-wise reading
        return None
    if f is None:  # no value is a period (labels_only): the column stays as it is
        return s, None
    out = np.full(len(s), None, dtype=object)
    has = codes >= 0
    out[has] = lab.to_numpy(dtype=object)[codes[has]]
    return pd.Series(out, index=s.index, name=s.name, dtype=object), f


class _Context:
    """What error messages need: the values, the table name, the rows to quote, the error class."""

    def __init__(self, values, table, frame, columns, error):
        self.values = values
        self.table = table
        # the frame keeps its index: describe_rows quotes its labels (positions in the table as given)
        self.frame = values.rename(values.name if values.name is not None else "period").to_frame() \
            if frame is None else frame
        self.columns = [self.frame.columns[0]] if columns is None else list(columns)
        self.error = error

    def fail(self, what: str, rows, *, listing: bool = True, fix: str = HOW_TO_FIX):
        rows = np.asarray(rows, dtype=np.int64)
        vals = pd.Series(self.values.to_numpy(dtype=object)[rows], dtype=object)
        counts = vals.map(_show).value_counts(sort=False)
        shown = ", ".join(f"{v} ({n} row{'s' if n > 1 else ''})" for v, n in list(counts.items())[:10])
        more = f" and {len(counts) - 10} more values" if len(counts) > 10 else ""
        head = f"The {self.table} table has {len(rows)} row(s) with {what}: {shown}{more}"
        body = f":\n{describe_rows(self.frame, rows, self.columns)}" if listing else "."
        raise self.error(f"{head}{body}\n{fix}")


def _show(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
        return "<missing>"
    return repr(v) if isinstance(v, str) else repr(str(v))


def _classify(uniq: pd.Series, freq: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Ordinal and kind ("Q", "M", "Y", "date", "bad") of each distinct non-missing value."""
    n = len(uniq)
    ords = np.zeros(n, dtype=np.int64)
    kind = np.full(n, "bad", dtype=object)
    if n == 0:
        return ords, kind
    if pd.api.types.is_bool_dtype(uniq.dtype):
        return ords, kind
    if pd.api.types.is_numeric_dtype(uniq.dtype):
        num = uniq.to_numpy(dtype=float)
        ok = np.isfinite(num) & (num == np.round(num)) & (num >= 1000) & (num <= 9999)
        ords[ok] = _ordinal(num[ok], np.zeros(ok.sum()), "Y")
        kind[ok] = "Y"
        return ords, kind
    objs = uniq.to_numpy(dtype=object)
    for i, v in enumerate(objs):
        if isinstance(v, pd.Period):
            code = _period_code(v.freqstr)
            if code is not None:
                ords[i] = _ordinal(v.year, v.quarter if code == "Q" else v.month, code)
                kind[i] = code
        elif isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "isoformat"):
            kind[i] = "date"
        elif isinstance(v, (int, np.integer, float, np.floating)) and not isinstance(v, (bool, np.bool_)):
            f = float(v)
            if np.isfinite(f) and f == round(f) and 1000 <= f <= 9999:
                ords[i] = int(f) - 1970
                kind[i] = "Y"
        elif isinstance(v, str):
            text = v.strip()
            if not text:
                kind[i] = "missing"
                continue
            for code, pat in _PATTERNS.items():
                m = pat.match(text)
                if m:
                    ords[i] = _ordinal(int(m["year"]), int(m["sub"]) if code != "Y" else 0, code)
                    kind[i] = code
                    break
            else:
                if _DATE.match(text):
                    kind[i] = "date"
    if freq is not None and (kind == "date").any():
        dates = [i for i in range(n) if kind[i] == "date"]
        try:
            ts = pd.to_datetime(pd.Series(objs[dates], dtype=object), format="ISO8601")
        except (ValueError, TypeError):
            ts = pd.to_datetime(pd.Series(objs[dates], dtype=object), errors="coerce", format="mixed")
        for j, i in enumerate(dates):
            if pd.isna(ts.iloc[j]):
                kind[i] = "bad"
            else:
                p = ts.iloc[j].to_period(_PANDAS_FREQ[freq])
                ords[i] = p.ordinal
                kind[i] = freq
    return ords, kind


def _period_code(freqstr: str) -> str | None:
    """'Q' / 'Y' / 'M' for calendar (December year-end) Period frequencies, else None."""
    f = freqstr.upper()
    if f in ("Q", "Q-DEC"):
        return "Q"
    if f in ("Y", "Y-DEC", "A", "A-DEC"):
        return "Y"
    if f == "M":
        return "M"
    return None


def _from_periods(s: pd.Series, ctx: _Context, freq, allow_missing):
    name = str(s.dtype)[len("period["):-1]  # 'Q-DEC', 'Y-DEC', 'M', 'W-SUN', ...
    code = _period_code(name)
    if code is None:
        raise ctx.error(
            f"The {ctx.table} table's periods have the pandas frequency {name!r}, which is not a calendar "
            "year, quarter or month (fiscal quarters and weeks are not supported). Convert them, e.g. with "
            "`.dt.asfreq('Q-DEC')`, or write labels. " + HOW_TO_FIX
        )
    pi = pd.PeriodIndex(s)
    na = np.asarray(pi.isna())
    out = np.full(len(s), MISSING, dtype=np.int64)
    out[~na] = pi.asi8[~na]
    kinds = np.where(na, "missing", code).astype(object)
    return _resolve(out, kinds, s, ctx, freq, allow_missing)


def _from_dates(s: pd.Series, ctx: _Context, freq, allow_missing):
    na = s.isna().to_numpy()
    kinds = np.where(na, "missing", "date").astype(object)
    out = np.full(len(s), MISSING, dtype=np.int64)
    if freq is not None:
        d = s[~na]
        if getattr(d.dt, "tz", None) is not None:
            d = d.dt.tz_localize(None)
        out[~na] = d.dt.to_period(_PANDAS_FREQ[freq]).array.asi8
        kinds[~na] = freq
    return _resolve(out, kinds, s, ctx, freq, allow_missing)


def _resolve(out, kinds, s, ctx: _Context, freq, allow_missing):
    missing = kinds == "missing"  # NaN, None, NaT or a blank string
    out = np.where(missing, MISSING, out)
    if missing.any() and not allow_missing:
        ctx.fail("a malformed period (no period given)", np.flatnonzero(missing), fix="Fill in the period of every row. " + HOW_TO_FIX)
    dates = kinds == "date"
    if dates.any():
        ctx.fail("a date instead of a period", np.flatnonzero(dates),
                 fix="Say which period a date falls in: pass freq='Q' (or 'M', 'Y') where the function offers it, or "
                     "convert the column, e.g. `pd.to_datetime(df['period']).dt.to_period('Q')`.")
    bad = kinds == "bad"
    if bad.any():
        ctx.fail("a malformed period", np.flatnonzero(bad))
    used = [c for c in ("Q", "Y", "M") if (kinds == c).any()]
    if len(used) > 1:
        parts = []
        rows = []
        for c in used:
            m = np.flatnonzero(kinds == c)
            ex = pd.unique(pd.Series(s.to_numpy(dtype=object)[m], dtype=object).map(_show))
            parts.append(f"{FREQUENCY_NAMES[c]}: {len(m)} row(s), e.g. {', '.join(ex[:3])}")
            rows.append(m[:5])
        raise ctx.error(
            f"The {ctx.table} table mixes period frequencies {used} ({'; '.join(parts)}):\n"
            f"{describe_rows(ctx.frame, np.concatenate(rows), ctx.columns)}\n"
            "A period column holds one frequency. Convert the rows to one of them (e.g. the year '2024' of an annual "
            "wave cannot be compared with the quarter '2024Q1'), or analyse the frequencies separately. " + HOW_TO_FIX
        )
    if not used:
        return out, freq or "Q"
    code = used[0]
    if freq is not None and code != freq:
        raise ctx.error(
            f"The {ctx.table} table's periods are {FREQUENCY_NAMES[code]} but {FREQUENCY_NAMES[freq]} (freq={freq!r}) "
            "were expected. Give periods of the expected frequency, or drop freq= to take the data's own."
        )
    return out, code
