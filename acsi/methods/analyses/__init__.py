"""Every toolkit method as one named analysis: ``run_analysis(name, data, **options)``.

The command line (``acsi metrics nps``, ``acsi servqual gaps``, ``acsi pca``, ...) and the
report's toolkit section run the same analyses: one runner per method, options checked by
:mod:`acsi.options`, the result a :class:`ToolkitResult` of named tables (intervals with their
``confidence``), notes and, where one suits, a figure; :meth:`ToolkitResult.save` writes the
tables through :mod:`acsi.tables` with a manifest (``<name>_manifest.json``) and
:func:`load_toolkit` reads them back.

=====================  ==========================================================================
analysis               method
=====================  ==========================================================================
nps, csat, top_box,    :func:`~acsi.methods.nps`, :func:`~acsi.methods.csat`, :func:`~acsi.methods.top_box`,
ces                    :func:`~acsi.methods.ces` (per column and stratum ``by=``; weights; intervals)
satisfaction_rate      :func:`~acsi.methods.satisfaction_rate` (numbers or count columns)
survey_score           :func:`~acsi.methods.survey_table_score` (answers or a count table)
overall_csi, kcsi      :func:`~acsi.methods.overall_csi_from_answers`, :func:`~acsi.methods.kcsi_index`
benchmarks             :func:`~acsi.methods.benchmark_flags` (NPS > 0, CES < 5, CSI > 70, ...)
repurchase, churn      :func:`~acsi.methods.repurchase_rate`, :func:`~acsi.methods.churn_rate`
clv, customer_value    :func:`~acsi.methods.customer_lifetime_value`, :func:`~acsi.methods.customer_value`
customer_classes,      :func:`~acsi.methods.customer_classes`, :func:`~acsi.methods.pareto_customers`
pareto
servqual,              :func:`~acsi.methods.servqual`, :func:`~acsi.methods.servqual_zones`,
servqual_zones,        :func:`~acsi.methods.servperf`
servperf
fuzzy                  :func:`~acsi.methods.fuzzy_evaluate` on memberships from answers
kano, ahp, ipa, ipma   :func:`~acsi.methods.kano` (+ priority), :func:`~acsi.methods.ahp`,
                       :func:`~acsi.methods.ipa`, :func:`~acsi.methods.importance_performance_map`
describe               :func:`~acsi.methods.describe_items` (strata from any column or the model's covariates)
drivers, pca, efa      :func:`~acsi.methods.driver_regression`, :func:`~acsi.methods.pca`, :func:`~acsi.methods.efa`
cluster_items,         :func:`~acsi.methods.cluster_items`, :func:`~acsi.methods.cluster_respondents`
cluster_respondents
correspondence,        :func:`~acsi.methods.correspondence`, :func:`~acsi.methods.correlation_table`
correlation
sample_size,           :func:`~acsi.methods.sample_size_proportion` / ``_mean``, :func:`~acsi.methods.allocate`,
allocation,            :func:`~acsi.methods.stratified_margin`, the samplers
stratified_margin,
sample
=====================  ==========================================================================
"""

from __future__ import annotations

from . import _customers, _metrics, _multivariate, _quality, _sampling  # noqa: F401  (register the analyses)
from .base import ANALYSES, CONFIDENCE, FIGURE_FORMATS, Analysis, ToolkitResult, list_toolkit, load_toolkit, run_analysis

__all__ = ["ANALYSES", "CONFIDENCE", "FIGURE_FORMATS", "Analysis", "ToolkitResult", "list_toolkit", "load_toolkit",
           "run_analysis"]
