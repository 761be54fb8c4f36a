"""A weighted ACSI sample from two strata with very different weights (tests/reference/_simdata.py).

Run from the repository root::

    python tests/reference/robust_weighted/make_data.py

Writes ``data.csv``: columns ``stratum`` ("business": n = 450 respondents, oversampled;
"leisure": n = 150, undersampled), ``w`` (the design weight: population share / sample share,
business 0.5, leisure 2.5, so the weighted leisure share is 62.5 % against 25 % in the sample)
and 1..10 answers with a ceiling (``center = 8``) for the 15 ACSI items.

Truth (standardized): ``_simdata.ACSI_*`` for business travellers. Leisure travellers differ,
so that weighting changes the estimates: latent shifts CE -0.30 and PQ -0.40 SD, PV -> CS 0.50
(price matters more) instead of 0.30, CS -> CL 0.45 instead of 0.60, and their answers are more
spread (``spread = 2.1`` instead of 1.8). The pooled (weighted or not) sample is therefore a
mixture, as real survey data are, and not multivariate normal.
"""

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from _simdata import ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, survey, write_frame  # noqa: E402

STRATA = {  # stratum: (n, seed, weight)
    "business": (450, 1401, 0.5),
    "leisure": (150, 1402, 2.5),
}
LEISURE_PATHS = {**ACSI_PATHS, ("PV", "CS"): 0.50, ("CS", "CL"): 0.45}
LEISURE_SHIFT = {"CE": -0.30, "PQ": -0.40}


def main():
    n, seed, w = STRATA["business"]
    business, _ = survey(ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, n, seed)
    business = business.assign(stratum="business", w=w)
    n, seed, w = STRATA["leisure"]
    leisure, _ = survey(ACSI_LATENTS, ACSI_LOADINGS, LEISURE_PATHS, n, seed, spread=2.1,
                        shift=LEISURE_SHIFT)
    leisure = leisure.assign(stratum="leisure", w=w)
    df = pd.concat([business, leisure], ignore_index=True)
    df = df[["stratum", "w"] + [c for c in df.columns if c not in ("stratum", "w")]]
    write_frame(HERE / "data.csv", df)
    print(f"wrote {HERE / 'data.csv'}: {df.shape}; weighted leisure share "
          f"{(df['w'] * (df['stratum'] == 'leisure')).sum() / df['w'].sum():.3f}")


if __name__ == "__main__":
    main()
