"""Aggregation of unit indexes: industry, sector and national indexes (ACSI's four levels).

>>> import acsi.aggregate as agg
>>> res = agg.aggregate(indexes, weights=sales)            # doctest: +SKIP
>>> res.table("national"); print(res.summary())            # doctest: +SKIP

See :func:`aggregate` for the formulas and :mod:`acsi.aggregate.uncertainty` for the
standard errors and the change test.
"""

from .core import aggregate
from .periods import parse_periods
from .result import LEVELS, AggregateResult, AggregateSummary
from .uncertainty import ChangeTest, change_test

__all__ = ["aggregate", "AggregateResult", "AggregateSummary", "ChangeTest", "change_test", "LEVELS", "parse_periods"]
