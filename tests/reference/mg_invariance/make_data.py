"""Two-segment ACSI survey for measurement invariance and group comparisons (_simdata.py).

Run from the repository root::

    python tests/reference/mg_invariance/make_data.py

Writes ``data.csv``: column ``segment`` ("store": n = 400 in-store customers, then "online":
n = 350) and 1..10 answers with a ceiling (``center = 8``) for the 15 ACSI items.

Truth (standardized, within each segment): ``_simdata.ACSI_*`` in the store segment. Online:

* the same loadings and residual variances (metric and strict invariance hold in the
  population before rounding);
* latent mean differences: CE disturbance mean -0.20, PQ +0.30 (online customers expect less
  and rate quality higher; the downstream latents move through the paths);
* PV -> CS = 0.45 instead of 0.30 (online customers weigh value more): a path difference for
  the Wald and likelihood-ratio tests;
* item pv2 reads differently online: +0.35 on its continuous response before rounding (about
  0.6 answer points), a non-invariant intercept that scalar invariance should reject and
  partial scalar invariance (freeing pv2's intercept) should accept.
"""

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from _simdata import ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, survey, write_frame  # noqa: E402

SEED_STORE, N_STORE = 1201, 400
SEED_ONLINE, N_ONLINE = 1202, 350
ONLINE_PATHS = {**ACSI_PATHS, ("PV", "CS"): 0.45}
ONLINE_SHIFT = {"CE": -0.20, "PQ": 0.30}
ONLINE_ITEM_SHIFT = {"pv2": 0.35}


def main():
    store, _ = survey(ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, N_STORE, SEED_STORE)
    online, _ = survey(ACSI_LATENTS, ACSI_LOADINGS, ONLINE_PATHS, N_ONLINE, SEED_ONLINE,
                       shift=ONLINE_SHIFT, item_shift=ONLINE_ITEM_SHIFT)
    df = pd.concat([store.assign(segment="store"), online.assign(segment="online")], ignore_index=True)
    df = df[["segment"] + [c for c in df.columns if c != "segment"]]
    write_frame(HERE / "data.csv", df)
    print(f"wrote {HERE / 'data.csv'}: {df.shape}")
    print(df.groupby("segment", sort=False).mean().round(2).T)


if __name__ == "__main__":
    main()
