"""Estimation backends: covariance-based ML through semopy (:mod:`.sem`) and PLS (:mod:`.pls`)."""

from .fitmeasures import fit_measures
from .pls import PLSResult, fit_pls
from .sem import SEMResult, fit_sem
from .units import ESTIMATORS, UnitOutcome, fit_unit

__all__ = ["ESTIMATORS", "PLSResult", "SEMResult", "UnitOutcome", "fit_measures", "fit_pls", "fit_sem", "fit_unit"]
