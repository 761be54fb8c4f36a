"""Descriptive reference values from statsmodels (t interval) and scipy (mode, IQR), not acsi.

Run: python tests/reference/methods_descriptive/make_reference.py  (needs statsmodels)
Writes data.csv (seeded synthetic 1-10 survey answers with missing values) and expected.csv.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.weightstats import DescrStatsW

HERE = Path(__file__).resolve().parent
rng = np.random.default_rng(20261125)
n = 60
data = pd.DataFrame({
    "region": rng.choice(["north", "south", "west"], size=n),
    "years": rng.choice([1, 3, 5], size=n),
    "q1": rng.integers(1, 11, size=n).astype(float),
    "q2": np.round(rng.normal(7, 1.5, size=n).clip(1, 10)),
})
data.loc[[3, 17, 41], "q1"] = np.nan
data.loc[[5], "q2"] = np.nan
data.to_csv(HERE / "data.csv", index=False)

rows = []


def describe(x, stratum, item):
    x = x[~np.isnan(x)]
    d = DescrStatsW(x)
    lo, hi = d.tconfint_mean(alpha=0.05)
    m = stats.mode(x, keepdims=False)  # smallest of tied modes
    return {"region": stratum, "item": item, "n": len(x), "mean": d.mean, "median": float(np.median(x)),
            "mode": float(m.mode), "sd": d.std_mean * np.sqrt(len(x)),
            "iqr": float(stats.iqr(x)), "range": float(np.ptp(x)), "ci_lower": lo, "ci_upper": hi}


for item in ["q1", "q2"]:
    rows.append(describe(data[item].to_numpy(), "(all)", item))
for region, grp in data.groupby("region"):
    for item in ["q1", "q2"]:
        rows.append(describe(grp[item].to_numpy(), region, item))
pd.DataFrame(rows).to_csv(HERE / "expected.csv", index=False, float_format="%.15g")
print(pd.DataFrame(rows))
print("statsmodels", statsmodels.__version__, "scipy", scipy.__version__)
