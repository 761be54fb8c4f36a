"""The toolkit commands: every method of :mod:`acsi.methods` on the command line.

Each command runs one analysis of :mod:`acsi.methods.analyses` (the same ones the report's
toolkit section runs), prints its tables and, with ``--out DIR``, writes them as CSV and
Parquet with a figure where one suits and ``<analysis>_manifest.json`` (:mod:`acsi.tables`).

=====================================  ===================================================
command                                what
=====================================  ===================================================
``acsi metrics nps|csat|top-box|ces``  the metrics with intervals, ``--weight``, ``--by``
``acsi metrics satisfaction-rate|survey-score|overall-csi|kcsi|benchmarks``
``acsi customers repurchase|churn|clv|value|classes|pareto``
``acsi servqual gaps|zones|servperf``  SERVQUAL, zone of tolerance, SERVPERF
``acsi fuzzy``, ``acsi kano``,         fuzzy evaluation, Kano (+ priority), AHP, IPA, IPMA
``acsi ahp``, ``acsi ipa``, ``acsi ipma``
``acsi describe``                      descriptive and stratified tables (``--by``, ``--model``)
``acsi drivers|pca|efa|correspondence|correlation``, ``acsi cluster items|respondents``
``acsi sampling size|allocate|margin|draw``
``acsi nps``, ``acsi sample-size``     the first forms of ``metrics nps`` and ``sampling size``
=====================================  ===================================================
"""

from __future__ import annotations

from . import analysis, customers, metrics, quality, sampling

__all__ = ["register"]


def register(sub) -> None:
    """Add every toolkit command to an ``argparse`` subparsers object (in the order ``acsi --help`` lists them)."""
    metrics.register(sub)
    customers.register(sub)
    quality.register(sub)
    analysis.register(sub)
    sampling.register(sub)
    metrics.register_nps(sub, legacy=True)
