"""Skewed 1-10 ACSI answers for estimator = "MLM": robust_mlr's generator with seed 1502.

Run from the repository root: ``python tests/reference/robust_mlm/make_data.py`` (writes
``data.csv``: n = 500, ``_simdata.ACSI_*`` truth, answers ``clip(floor(8.6 + 1.9 z + 0.5), 1, 10)``;
see ``robust_mlr/make_data.py``). Satorra-Bentler scaling needs complete data: no holes.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _simdata import write_survey  # noqa: E402

if __name__ == "__main__":
    write_survey(__file__, seed=1502, n=500, center=8.6, spread=1.9)
