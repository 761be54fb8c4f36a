"""Reliability and validity of multi-item scales: alpha, rho_c, rho_A, AVE, HTMT, Fornell-Larcker, VIF.

The computations live in the estimation layer, :mod:`acsi.estimate.quality` (the PLS
estimator and the report use them too); this module keeps the toolkit's names.
"""

from ..estimate.quality import ave, composite_reliability, cronbach_alpha, fornell_larcker, htmt, item_vif, rho_a
from ..estimate.quality import weighted_moments

__all__ = ["ave", "composite_reliability", "cronbach_alpha", "fornell_larcker", "htmt", "item_vif", "rho_a",
           "weighted_moments"]
