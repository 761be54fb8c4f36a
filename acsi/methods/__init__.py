"""Satisfaction-analysis toolkit: the measurement methods of the source documents (SPEC.md §3).

Importance-performance quadrants (:mod:`.ipa`), SERVQUAL gaps (:mod:`.servqual`),
Kano classification (:mod:`.kano`), AHP weights (:mod:`.ahp`), multi-level fuzzy
comprehensive evaluation (:mod:`.fuzzy`), survey-table scoring and the simple
metrics CSAT/NPS/CES/KCSI/overall CSI (:mod:`.metrics`), sampling design
(:mod:`.sampling`) and descriptive/stratified analysis (:mod:`.descriptive`); the
data-processing list: derived-importance regression with relative weights and Shapley
values (:mod:`.drivers`), PCA and exploratory factor analysis (:mod:`.factor`), cluster
analysis (:mod:`.cluster`), correspondence analysis (:mod:`.correspondence`), correlation
tables (:mod:`.correlation`); customer metrics (:mod:`.customers`) and the interval rules
every figure uses (:mod:`.intervals`).  The multivariate analyses need the ``toolkit``
extra (statsmodels, scikit-learn).
Every function returns pandas objects (or a frozen result record holding them)
and raises :class:`acsi.errors.MethodError` on invalid input.
"""

from __future__ import annotations

from .ahp import RANDOM_INDEX, AHPResult, ahp, random_index, read_matrix
from .cluster import ItemClusters, RespondentClusters, cluster_items, cluster_respondents
from .correlation import CorrelationResult, correlation_table
from .correspondence import CAResult, correspondence
from .customers import (
    BENCHMARKS,
    ParetoResult,
    benchmark_flags,
    churn_rate,
    customer_classes,
    customer_lifetime_value,
    customer_value,
    pareto_customers,
    repurchase_rate,
)
from .descriptive import describe_items
from .drivers import DriverResult, driver_regression, relative_weights, shapley_r2
from .factor import EFAResult, PCAResult, efa, pca
from .fuzzy import FuzzyResult, fuzzy_compose, fuzzy_evaluate, membership_from_answers
from .ipa import importance_performance_map, ipa, ipa_from_answers, ipa_plot
from .intervals import wilson_interval
from .kano import KANO_NAMES, kano, kano_classify, kano_from_long, kano_plot, kano_priority
from .reliability import (
    ave,
    composite_reliability,
    cronbach_alpha,
    fornell_larcker,
    htmt,
    item_vif,
    rho_a,
)
from .metrics import (
    OverallCSI,
    ces,
    csat,
    kcsi_index,
    nps,
    overall_csi,
    overall_csi_from_answers,
    satisfaction_rate,
    survey_table_score,
    top_box,
)
from .sampling import (
    SampleSize,
    allocate,
    sample_size_mean,
    sample_size_proportion,
    simple_random_sample,
    stratified_margin,
    stratified_sample,
    systematic_sample,
)
from .servqual import (
    SERVQUAL_DIMENSIONS,
    ServperfResult,
    ServqualResult,
    ZoneResult,
    pe_ratio,
    servperf,
    servqual,
    servqual_dimensions,
    servqual_zones,
    sq_scores,
)

__all__ = [
    # reliability and validity (shared with the PLS estimator)
    "cronbach_alpha", "composite_reliability", "ave", "rho_a", "htmt", "fornell_larcker", "item_vif",
    # ipa
    "ipa", "ipa_from_answers", "ipa_plot", "importance_performance_map",
    # servqual
    "servqual", "sq_scores", "pe_ratio", "servqual_dimensions", "SERVQUAL_DIMENSIONS", "ServqualResult",
    "servqual_zones", "ZoneResult", "servperf", "ServperfResult",
    # kano
    "kano", "kano_from_long", "kano_classify", "kano_plot", "kano_priority", "KANO_NAMES",
    # ahp
    "ahp", "random_index", "RANDOM_INDEX", "AHPResult", "read_matrix",
    # fuzzy
    "fuzzy_evaluate", "fuzzy_compose", "membership_from_answers", "FuzzyResult",
    # metrics
    "survey_table_score", "satisfaction_rate", "csat", "nps", "ces", "top_box", "kcsi_index",
    "overall_csi", "overall_csi_from_answers", "OverallCSI", "wilson_interval",
    # customer metrics
    "repurchase_rate", "churn_rate", "customer_lifetime_value", "benchmark_flags", "BENCHMARKS", "customer_value",
    "customer_classes", "pareto_customers", "ParetoResult",
    # data-processing list
    "driver_regression", "relative_weights", "shapley_r2", "DriverResult", "pca", "PCAResult", "efa", "EFAResult",
    "cluster_items", "ItemClusters", "cluster_respondents", "RespondentClusters", "correspondence", "CAResult",
    "correlation_table", "CorrelationResult",
    # sampling
    "sample_size_mean", "sample_size_proportion", "allocate", "stratified_margin",
    "simple_random_sample", "systematic_sample", "stratified_sample", "SampleSize",
    # descriptive
    "describe_items",
]
