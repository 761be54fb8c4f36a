"""Aggregation of unit indexes: industry, sector and national indexes (ACSI's four levels).

>>> import acsi.aggregate as agg
>>> res = agg.aggregate(indexes, weights=sales)            # doctest: +SKIP
>>> res.table("national"); print(res.summary())            # doctest: +SKIP

The module itself is callable as a shortcut for :func:`aggregate`, so that
``acsi.aggregate(indexes, weights=sales)`` works whether ``acsi.aggregate`` names this module
or the function.

See :func:`aggregate` for the formulas and :mod:`acsi.aggregate.uncertainty` for the
standard errors and the change test.
"""

import sys as _sys
import types as _types

from .core import aggregate
from .periods import parse_periods
from .result import LEVELS, AggregateResult, AggregateSummary
from .uncertainty import ChangeTest, change_test

__all__ = ["aggregate", "AggregateResult", "AggregateSummary", "ChangeTest", "change_test", "LEVELS", "parse_periods"]


class _CallableModule(_types.ModuleType):
    """``acsi.aggregate(...)`` calls :func:`acsi.aggregate.aggregate`."""

    def __call__(self, *args, **kwargs) -> AggregateResult:
        return aggregate(*args, **kwargs)


_sys.modules[__name__].__class__ = _CallableModule
