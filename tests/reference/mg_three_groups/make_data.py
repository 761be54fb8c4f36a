"""Three-region ACSI survey for multigroup comparisons with G > 2 (_simdata.py).

Run from the repository root::

    python tests/reference/mg_three_groups/make_data.py

Writes ``data.csv``: column ``region`` ("north": n = 300, "south": n = 280, "west": n = 260, in
that order) and 1..10 answers (``center = 8``) for the 15 ACSI items.

Truth: ``_simdata.ACSI_*`` in every region, except

* south: latent mean shift CE +0.25, and PQ -> CS = 0.50 (instead of the shared value);
* west: item cs3 reads differently (+0.40 on its continuous response before rounding), a
  non-invariant intercept in one group of three; PQ -> CS as north.
"""

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from _simdata import ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, survey, write_frame  # noqa: E402

REGIONS = (("north", 1311, 300, {}, {}, {}), ("south", 1312, 280, {("PQ", "CS"): 0.50}, {"CE": 0.25}, {}),
           ("west", 1313, 260, {}, {}, {"cs3": 0.40}))


def main():
    parts = []
    for name, seed, n, paths, shift, item_shift in REGIONS:
        df, _ = survey(ACSI_LATENTS, ACSI_LOADINGS, {**ACSI_PATHS, **paths}, n, seed, shift=shift or None,
                       item_shift=item_shift or None)
        parts.append(df.assign(region=name))
    df = pd.concat(parts, ignore_index=True)
    df = df[["region"] + [c for c in df.columns if c != "region"]]
    write_frame(HERE / "data.csv", df)
    print(f"wrote {HERE / 'data.csv'}: {df.shape}")


if __name__ == "__main__":
    main()
