"""Unweighted, strongly skewed 1-10 ACSI answers for estimator = "MLR" (tests/reference/_simdata.py).

Run from the repository root::

    python tests/reference/robust_mlr/make_data.py

Writes ``data.csv``: n = 500, 15 ACSI items, truth ``_simdata.ACSI_*``, answers
``clip(floor(8.6 + 1.9 z + 0.5), 1, 10)``: a third of the answers at the ceiling of 10, means
near 8.35, skewness about -0.8 (the ceiling flattens the upper tail, so excess kurtosis is near
0): the non-normal answers for which robust (sandwich) SEs and a scaled test exist.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _simdata import write_survey  # noqa: E402

if __name__ == "__main__":
    write_survey(__file__, seed=1501, n=500, center=8.6, spread=1.9)
