"""Figures of satisfaction-index results: ``acsi.plot`` is :mod:`acsi.report.plot` under its short name.

>>> import acsi.plot
>>> acsi.plot.path_diagram is acsi.report.plot.path_diagram
True
"""

from .report.plot import (
    indexes_industries, ipa_chart, league_baseline, league_table, path_diagram, structure_depths, timeseries,
)

__all__ = ["path_diagram", "timeseries", "league_table", "league_baseline", "ipa_chart", "structure_depths",
           "indexes_industries"]
