"""Seeded 7-point answers for the KCSI reference (numpy only, not acsi).

Run from the repository root: python tests/reference/methods_kcsi/make_data.py
Writes data.csv: 240 respondents, overall satisfaction, three attribute items, repurchase
intention (1-7), a few missing answers, and a survey weight.
"""
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
rng = np.random.default_rng(20260301)
n = 240
f = rng.normal(size=n)


def item(loading: float, centre: float) -> np.ndarray:
    return np.clip(np.round(centre + 1.3 * (loading * f + np.sqrt(1 - loading ** 2) * rng.normal(size=n))), 1, 7)


df = pd.DataFrame({"overall": item(0.8, 5.2), "product": item(0.7, 5.0), "service": item(0.6, 5.4),
                   "image": item(0.5, 4.8), "repurchase": item(0.7, 5.1)}).astype(int)
df["weight"] = np.round(np.exp(rng.normal(scale=0.4, size=n)), 4)
holes = rng.choice(n, size=15, replace=False)
df.loc[holes[:5], "service"] = np.nan
df.loc[holes[5:10], "repurchase"] = np.nan
df.loc[holes[10:], "overall"] = np.nan
for c in ("overall", "service", "repurchase"):
    df[c] = df[c].astype("Int64")
df.to_csv(HERE / "data.csv", index=False)
