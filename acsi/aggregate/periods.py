"""Period labels for the aggregation: :mod:`acsi.data.periods` with :class:`AggregationError`.

The parser, the calendar and the spans live in :mod:`acsi.data.periods` (one parser for the
whole package: the fit and the aggregation read a period the same way). This module keeps the
aggregation's historical names (``parse_periods``, ``labels``, ``PERIODS_PER_YEAR``) and raises
:class:`~acsi.errors.AggregationError`.

>>> import pandas as pd
>>> ords, freq = parse_periods(pd.Series(["2025Q3", "2025 Q4"]))
>>> freq, ords.tolist(), labels(ords, freq).tolist()
('Q', [222, 223], ['2025Q3', '2025Q4'])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import periods as _p
from ..data.periods import FREQUENCY_NAMES, PERIODS_PER_YEAR, Calendar, labels
from ..errors import AggregationError

__all__ = ["parse_periods", "labels", "span_periods", "PERIODS_PER_YEAR", "FREQUENCY_NAMES", "Calendar"]


def parse_periods(values, *, table: str = "indexes", frame: pd.DataFrame | None = None,
                  columns: list[str] | None = None, freq: str | None = None) -> tuple[np.ndarray, str]:
    """:func:`acsi.data.periods.parse_periods` raising :class:`AggregationError` (no missing periods)."""
    return _p.parse_periods(values, table=table, frame=frame, columns=columns, freq=freq, error=AggregationError)


def span_periods(span, freq: str) -> int:
    """:func:`acsi.data.periods.span_periods` raising :class:`AggregationError`."""
    return _p.span_periods(span, freq, error=AggregationError)
