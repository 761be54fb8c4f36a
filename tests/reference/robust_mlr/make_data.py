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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from _simdata import ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, survey, write_frame  # noqa: E402

SEED = 1501
N = 500
CENTER, SPREAD = 8.6, 1.9


def main():
    df, _ = survey(ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, N, SEED, center=CENTER, spread=SPREAD)
    write_frame(HERE / "data.csv", df)
    print(f"wrote {HERE / 'data.csv'}: {df.shape}; share of 10s {float((df == 10).to_numpy().mean()):.3f}")
    print(f"mean {df.mean().mean():.2f}, skewness {df.skew().mean():.2f}, excess kurtosis {df.kurt().mean():.2f}")


if __name__ == "__main__":
    main()
