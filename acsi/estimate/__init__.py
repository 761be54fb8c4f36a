"""Estimation engines: covariance-based ML (semopy adapter :mod:`.sem`, acsi's :mod:`.mlfast`,
FIML :mod:`.fiml`), PLS (:mod:`.pls`), quality criteria (:mod:`.quality`) and effects (:mod:`.effects`).

The per-unit pipeline that runs an engine and then scores the respondents is
:mod:`acsi.pipeline` (a layer above).
"""

from .fitmeasures import fit_measures
from .pls import PLSResult, fit_pls
from .sem import SEMResult, fit_sem

__all__ = ["PLSResult", "SEMResult", "fit_measures", "fit_pls", "fit_sem"]
