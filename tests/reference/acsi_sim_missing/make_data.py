"""Punch MCAR holes into ``../acsi_sim/data.csv`` for the FIML reference case.

Every cell is set missing independently with probability 0.08 (numpy seed 20261125);
rows left with no answer at all are dropped (none are expected).  Writes ``data.csv``
here with empty cells for the missing answers (R reads them as NA).

Usage (from the repository root): ``python tests/reference/acsi_sim_missing/make_data.py``
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
RATE = 0.08
SEED = 20261125


def main() -> None:
    data = pd.read_csv(HERE.parent / "acsi_sim" / "data.csv").astype(float)
    rng = np.random.default_rng(SEED)
    holes = rng.random(data.shape) < RATE
    out = data.mask(holes)
    out = out[out.notna().any(axis=1)]
    out.to_csv(HERE / "data.csv", index=False, float_format="%.17g")


if __name__ == "__main__":
    main()
