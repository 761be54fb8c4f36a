"""ACSI survey whose complaint question is one yes/no answer (numpy, tests/reference/_simdata.py).

Run from the repository root::

    python tests/reference/syntax_complaint_observed/make_data.py

Writes ``data.csv``: n = 600 respondents, 1..10 answers with a ceiling (``center = 8``) for the
ACSI items ce1..cl2 except complaints, and ``cc1`` = 1 if the respondent complained (about 12 %).
Truth: ``_simdata.ACSI_*``, with complaints (CC) measured by the single item cc1 (standardized
loading 0.85 before it is dichotomised at the 88 % normal quantile).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _simdata import ACSI_LOADINGS, write_survey  # noqa: E402

LOADINGS = {**ACSI_LOADINGS, "CC": {"cc1": 0.85}}
COMPLAINT_SHARE = 0.12

if __name__ == "__main__":
    df = write_survey(__file__, seed=1101, n=600, loadings=LOADINGS, binary={"cc1": COMPLAINT_SHARE})
    print(f"complaint share {df['cc1'].mean():.3f}")
