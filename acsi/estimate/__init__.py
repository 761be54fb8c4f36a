"""Estimation backends: acsi's ML engine on the parameter table (:mod:`.ml`, :mod:`.mlfast`,
FIML :mod:`.fiml`), semopy as an optional optimiser (:mod:`.sem`) and PLS (:mod:`.pls`)."""

from .fitmeasures import fit_measures
from .ml import fit_ml
from .pls import PLSResult, fit_pls
from .result import SEMResult
from .sem import fit_sem
from .units import ESTIMATORS, UnitOutcome, fit_unit

__all__ = ["ESTIMATORS", "PLSResult", "SEMResult", "UnitOutcome", "fit_measures", "fit_ml", "fit_pls", "fit_sem", "fit_unit"]
