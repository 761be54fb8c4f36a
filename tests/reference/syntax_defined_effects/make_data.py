"""ACSI survey for defined (:=) indirect and total effects (tests/reference/_simdata.py).

Run from the repository root::

    python tests/reference/syntax_defined_effects/make_data.py

Writes ``data.csv``: n = 500, 1..10 answers with a ceiling (``center = 8``) for the 15 ACSI
items; truth ``_simdata.ACSI_*`` (acsi_sim's), another seed.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _simdata import write_survey  # noqa: E402

if __name__ == "__main__":
    write_survey(__file__, seed=1105, n=500)
