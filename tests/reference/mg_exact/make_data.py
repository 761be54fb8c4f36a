"""Two groups from one population with exact sample moments (tests/reference/_simdata.py).

Run from the repository root::

    python tests/reference/mg_exact/make_data.py

Writes

* ``data.csv``: column ``year`` (2024: n = 300, then 2025: n = 250) and the 15 ACSI items as
  continuous values; within each year the sample covariance (denominator N) equals the
  population covariance Sigma and the sample means equal 8 to rounding error
  (``_simdata.exact_sample`` with a different seed per year);
* ``truth.csv`` (columns ``group, lhs, op, rhs, value``): the population parameters in
  lavaan's parameter-table form for both groups: the ``_simdata.ACSI_*`` truth in marker
  scaling with item SD 1.8 (``_simdata.marker_parameters``), item intercepts 8 and latent
  intercepts 0 -- the same in both groups, so every invariance level holds exactly;
* ``population_cov.csv``: Sigma.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from _simdata import (ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, exact_sample, fmt,  # noqa: E402
                      implied_covariance, marker_parameters, write_frame)

GROUPS = {2024: (300, 1301), 2025: (250, 1302)}  # year: (n, seed)
ITEM_SD, ITEM_MEAN = 1.8, 8.0


def main():
    rows = marker_parameters(ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, ITEM_SD)
    items, sigma = implied_covariance(ACSI_LATENTS, ACSI_LOADINGS, rows)
    rows += [(item, "~1", "", ITEM_MEAN) for item in items]
    rows += [(lat, "~1", "", 0.0) for lat in ACSI_LATENTS]
    parts = []
    for year, (n, seed) in GROUPS.items():
        x = exact_sample(sigma, n, seed, mean=ITEM_MEAN)
        parts.append(pd.DataFrame(x, columns=items).assign(year=year))
    df = pd.concat(parts, ignore_index=True)[["year"] + items]
    write_frame(HERE / "data.csv", df)
    lines = ["group,lhs,op,rhs,value"] + [f"{g},{a},{o},{b},{fmt(v)}" for g in (1, 2) for a, o, b, v in rows]
    (HERE / "truth.csv").write_text("\n".join(lines) + "\n")
    lines = ["item," + ",".join(items)]
    lines += [item + "," + ",".join(fmt(v) for v in sigma[k]) for k, item in enumerate(items)]
    (HERE / "population_cov.csv").write_text("\n".join(lines) + "\n")
    back = pd.read_csv(HERE / "data.csv")
    for year, part in back.groupby("year"):
        x = part[items].to_numpy()
        dev_cov = np.max(np.abs(np.cov(x, rowvar=False, bias=True) - sigma))
        dev_mean = np.max(np.abs(x.mean(axis=0) - ITEM_MEAN))
        print(f"{year}: n = {len(x)}, max |cov_N - Sigma| = {dev_cov:.2e}, max |mean - 8| = {dev_mean:.2e}")


if __name__ == "__main__":
    main()
