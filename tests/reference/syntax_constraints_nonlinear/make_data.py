"""ACSI survey for a nonlinear equality and an active inequality (tests/reference/_simdata.py).

Run from the repository root::

    python tests/reference/syntax_constraints_nonlinear/make_data.py

Writes ``data.csv``: n = 500, 1..10 answers with a ceiling (``center = 8``) for the 15 ACSI
items. Truth: ``_simdata.ACSI_*`` with PQ -> PV = 0.60, PV -> CS = 0.50 and PQ -> CS = 0.30,
so that the direct effect of quality on satisfaction equals its indirect effect through value
(0.30 = 0.60 x 0.50; marker scaling keeps the identity, see README), and CE -> CS = -0.10
(expectations lowering satisfaction a little, as some ACSI studies estimate), which the
model's ``e > 0`` then forces to the boundary.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _simdata import ACSI_PATHS, write_survey  # noqa: E402

PATHS = {**ACSI_PATHS, ("PQ", "PV"): 0.60, ("PV", "CS"): 0.50, ("PQ", "CS"): 0.30,
         ("CE", "CS"): -0.10}

if __name__ == "__main__":
    write_survey(__file__, seed=1104, n=500, paths=PATHS)
