"""Estimation engines: acsi's own ML engine on the parameter table (front door :mod:`.ml`,
batched Newton :mod:`.mlfast`, FIML :mod:`.fiml`), semopy as an optional optimiser (:mod:`.sem`),
PLS (:mod:`.pls`), quality criteria (:mod:`.quality`), effects (:mod:`.effects`), multigroup tests and
invariance (:mod:`.multigroup`, :mod:`.invariance`) and PLS multigroup analysis (:mod:`.pls_mga`).

The per-unit pipeline that runs an engine and then scores the respondents is
:mod:`acsi.pipeline` (a layer above).
"""

from .fitmeasures import fit_measures
from .ml import fit_ml
from .pls import PLSResult, fit_pls
from .result import SEMResult
from .sem import fit_sem

__all__ = ["PLSResult", "SEMResult", "fit_measures", "fit_ml", "fit_pls", "fit_sem"]
