"""Holes in the weighted two-stratum sample for weighted FIML (numpy, pandas).

Run from the repository root (after ``robust_weighted/make_data.py``)::

    python tests/reference/robust_weighted_fiml/make_data.py

Reads ``../robust_weighted/data.csv`` and sets answers missing (``numpy.random.default_rng(1403)``):
every answer with probability 0.06, and each loyalty answer (cl1, cl2) with probability 0.25 more
for respondents whose cs1 answer is 6 or lower (MAR). ``stratum`` and ``w`` are never missing.
Rows left without any answer are dropped (none expected). Writes ``data.csv`` here.
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED, MCAR, MAR_EXTRA = 1403, 0.06, 0.25


def main():
    df = pd.read_csv(HERE.parent / "robust_weighted" / "data.csv")
    items = [c for c in df.columns if c not in ("stratum", "w")]
    answers = df[items].astype(float)
    rng = np.random.default_rng(SEED)
    holes = rng.random(answers.shape) < MCAR
    extra = rng.random((len(df), 2)) < MAR_EXTRA
    cl = [items.index(c) for c in ("cl1", "cl2")]
    holes[:, cl] |= extra & (answers["cs1"] <= 6).to_numpy()[:, None]
    answers = answers.mask(holes)
    out = pd.concat([df[["stratum", "w"]], answers], axis=1)
    out = out[answers.notna().any(axis=1)]
    out.to_csv(HERE / "data.csv", index=False, float_format="%.17g", lineterminator="\n")
    print(f"wrote {HERE / 'data.csv'}: {out.shape}, {answers.isna().to_numpy().mean():.3%} missing, "
          f"{int(answers.notna().all(axis=1).sum())} complete rows")


if __name__ == "__main__":
    main()
