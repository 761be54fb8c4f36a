"""Fixed bootstrap resamples of tests/reference/acsi_sim/data.csv, shared by Python and R.

Writes ``indices.csv.gz``: one row per replicate, one column per draw, 1-based row numbers of
``data.csv`` (R's convention).  numpy does not promise the same Generator stream across
versions, so the file (not this script) is the committed truth.

Usage (from the repository root): python tests/reference/bootstrap_acsi_sim/make_indices.py
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
N = 500  # rows of ../acsi_sim/data.csv
B = 100  # fixed replicates

rng = np.random.default_rng(20261125)
idx = rng.integers(0, N, size=(B, N)) + 1
pd.DataFrame(idx, columns=[f"d{j + 1}" for j in range(N)]).to_csv(HERE / "indices.csv.gz", index=False)
print(f"wrote {B} x {N} indices to {HERE / 'indices.csv.gz'}")
