"""Self-contained HTML reports of fitted and aggregated satisfaction indexes.

The report is built from tables (see :mod:`acsi.report.data`), so it can be made
from a live fit or rebuilt later from the saved files::

    import acsi
    from acsi.report import write_report, load_results
    write_report(fit, agg, "report.html", lang="zh")          # live objects
    write_report(load_results("demo-out"), path="report.html")  # saved files

Contents: national, sector and industry indexes with intervals; company league
tables per industry; time-series charts; the path diagram with coefficients and
R²; the importance-performance chart with the "fix first" list; measurement
quality and fit with plain-language flags; the data accounting; a methods
section.  Figures are PNG images embedded as base64 (no external files, CSS or
JavaScript).  English and Chinese (``lang="zh"``).
"""

from .data import ReportData, load_results, read_published_series
from .render import render_report, write_report

__all__ = ["write_report", "render_report", "load_results", "read_published_series", "ReportData"]
