"""Satisfaction-analysis toolkit: the measurement methods of the source documents (SPEC.md §3).

Importance-performance quadrants (:mod:`.ipa`), SERVQUAL gaps (:mod:`.servqual`),
Kano classification (:mod:`.kano`), AHP weights (:mod:`.ahp`), multi-level fuzzy
comprehensive evaluation (:mod:`.fuzzy`), survey-table scoring and the simple
metrics CSAT/NPS/CES/KCSI/overall CSI (:mod:`.metrics`), sampling design
(:mod:`.sampling`) and descriptive/stratified analysis (:mod:`.descriptive`).
Every function returns pandas objects (or a frozen result record holding them)
and raises :class:`acsi.errors.MethodError` on invalid input.
"""

from __future__ import annotations

from .ahp import RANDOM_INDEX, AHPResult, ahp, random_index
from .descriptive import describe_items
from .fuzzy import FuzzyResult, fuzzy_compose, fuzzy_evaluate, membership_from_answers
from .ipa import importance_performance_map, ipa, ipa_from_answers, ipa_plot
from .kano import kano, kano_classify, kano_from_long, kano_plot
from .reliability import (
    ave,
    composite_reliability,
    cronbach_alpha,
    fornell_larcker,
    htmt,
    item_vif,
    rho_a,
)
from .metrics import OverallCSI, ces, csat, kcsi_index, nps, overall_csi, satisfaction_rate, survey_table_score, top_box
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
from .servqual import SERVQUAL_DIMENSIONS, ServqualResult, pe_ratio, servqual, servqual_dimensions, sq_scores

__all__ = [
    # reliability and validity (shared with the PLS estimator)
    "cronbach_alpha", "composite_reliability", "ave", "rho_a", "htmt", "fornell_larcker", "item_vif",
    # ipa
    "ipa", "ipa_from_answers", "ipa_plot", "importance_performance_map",
    # servqual
    "servqual", "sq_scores", "pe_ratio", "servqual_dimensions", "SERVQUAL_DIMENSIONS", "ServqualResult",
    # kano
    "kano", "kano_from_long", "kano_classify", "kano_plot",
    # ahp
    "ahp", "random_index", "RANDOM_INDEX", "AHPResult",
    # fuzzy
    "fuzzy_evaluate", "fuzzy_compose", "membership_from_answers", "FuzzyResult",
    # metrics
    "survey_table_score", "satisfaction_rate", "csat", "nps", "ces", "top_box", "kcsi_index",
    "overall_csi", "OverallCSI",
    # sampling
    "sample_size_mean", "sample_size_proportion", "allocate", "stratified_margin",
    "simple_random_sample", "systematic_sample", "stratified_sample", "SampleSize",
    # descriptive
    "describe_items",
]
