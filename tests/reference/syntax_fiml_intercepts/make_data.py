"""ACSI survey with missing answers for FIML with user intercepts (tests/reference/_simdata.py).

Run from the repository root::

    python tests/reference/syntax_fiml_intercepts/make_data.py

Writes ``data.csv``: n = 500, 1..10 answers with a ceiling (``center = 8``) for the 15 ACSI
items (truth ``_simdata.ACSI_*``), then holes drawn from the same generator:

* completely at random: every answer missing with probability 0.05;
* at random given an observed answer: when ``cs1 <= 6`` (dissatisfied), each loyalty answer
  (cl1, cl2) is missing with probability 0.30 more (the "don't know" of customers who have not
  decided whether to stay). The rule depends on cs1's true answer, which is itself missing
  (MCAR) for about 5 % of respondents, so the mechanism is MAR up to that small part.

Rows left with no answer are dropped (none expected). Empty cells are missing (R reads NA).
"""

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from _simdata import ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, survey, write_frame  # noqa: E402

SEED = 1108
N = 500
MCAR = 0.05
MAR_EXTRA = 0.30


def main():
    df, rng = survey(ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, N, SEED)
    df = df.astype(float)
    dissatisfied = (df["cs1"] <= 6).to_numpy()
    holes = rng.random(df.shape) < MCAR
    extra = rng.random((N, 2)) < MAR_EXTRA
    cl = [df.columns.get_loc(c) for c in ("cl1", "cl2")]
    holes[:, cl] |= extra & dissatisfied[:, None]
    out = df.mask(holes)
    out = out[out.notna().any(axis=1)]
    write_frame(HERE / "data.csv", out)
    print(f"wrote {HERE / 'data.csv'}: {out.shape}, {out.isna().to_numpy().mean():.3%} missing, "
          f"{int(out.notna().all(axis=1).sum())} complete rows; cl1 missing "
          f"{out['cl1'].isna().mean():.3f} (cs1 <= 6: {dissatisfied.mean():.3f} of respondents)")


if __name__ == "__main__":
    main()
