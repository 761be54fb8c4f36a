"""Seeded synthetic survey for the toolkit references (numpy only, not acsi).

Run from the repository root: python tests/reference/methods_toolkit/make_data.py
Writes survey.csv (300 respondents) and servqual.csv (80 respondents, P/D/A/E for 6 items).
"""
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
rng = np.random.default_rng(20260115)
n = 300
f = rng.multivariate_normal([0, 0], [[1, 0.45], [0.45, 1]], size=n)
lam = np.array([[.85, 0], [.75, .10], [.70, 0], [0, .80], [.05, .75], [0, .65]])
x = f @ lam.T + rng.normal(scale=0.55, size=(n, 6))
items = ["price", "speed", "staff", "clean", "choice", "comfort"]
ratings = np.clip(np.round(6.5 + 1.6 * x), 1, 10)
overall_lat = 0.45 * x[:, 0] + 0.25 * x[:, 2] + 0.3 * x[:, 3] + rng.normal(scale=0.6, size=n)
df = pd.DataFrame(ratings.astype(int), columns=items)
df["overall"] = np.clip(np.round(6.8 + 1.5 * overall_lat), 1, 10).astype(int)
df["csat5"] = np.clip(np.round(3.6 + 1.0 * overall_lat + rng.normal(scale=0.5, size=n)), 1, 5).astype(int)
df["recommend"] = np.clip(np.round(7.2 + 2.0 * overall_lat + rng.normal(scale=1.0, size=n)), 0, 10).astype(int)
df["effort"] = np.clip(np.round(3.4 - 0.9 * overall_lat + rng.normal(scale=0.9, size=n)), 1, 7).astype(int)
df["repurchased"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-(0.4 + 1.2 * overall_lat)))).astype(int)
df["imp_price"] = rng.choice([1, 2, 3, 4, 5], size=n, p=[.02, .08, .2, .4, .3])
df["imp_speed"] = rng.choice([1, 2, 3, 4, 5], size=n, p=[.05, .1, .3, .35, .2])
df["imp_staff"] = rng.choice([1, 2, 3, 4, 5], size=n, p=[.03, .07, .25, .35, .3])
for it in ("price", "speed", "staff"):
    df[f"sat_{it}"] = np.clip(np.round((df[it] + 1) / 2.2), 1, 5).astype(int)
df["region"] = rng.choice(["north", "south", "east"], size=n, p=[.4, .35, .25])
df["channel"] = rng.choice(["store", "web", "phone", "app"], size=n, p=[.35, .3, .2, .15])
df["weight"] = np.round(np.exp(rng.normal(scale=0.35, size=n)), 4)
# a few missing answers for the pairwise / listwise paths
miss = rng.choice(n, size=12, replace=False)
df.loc[miss[:6], "choice"] = np.nan
df.loc[miss[6:], "recommend"] = np.nan
df["choice"] = df["choice"].astype("Int64")
df["recommend"] = df["recommend"].astype("Int64")
df.to_csv(HERE / "survey.csv", index=False)

m = 80
q = [f"s{i}" for i in range(1, 7)]
base = rng.normal(size=(m, 1))
D = np.clip(np.round(6.0 + 0.6 * rng.normal(size=(m, 6))), 1, 7)
A = np.clip(D - np.round(np.abs(rng.normal(1.5, 0.8, size=(m, 6)))), 1, 7)
E = np.clip(np.round((A + D) / 2 + rng.normal(scale=0.4, size=(m, 6))), 1, 7)
P = np.clip(np.round(5.0 + 0.8 * base + rng.normal(scale=0.8, size=(m, 6)) + np.array([.6, .2, -.3, 0, -.8, .4])), 1, 7)
sq = pd.DataFrame(np.column_stack([P, D, A, E]).astype(int),
                  columns=[f"p_{c}" for c in q] + [f"d_{c}" for c in q] + [f"a_{c}" for c in q] + [f"e_{c}" for c in q])
sq["weight"] = np.round(np.exp(rng.normal(scale=0.3, size=m)), 4)
sq.to_csv(HERE / "servqual.csv", index=False)
print(df.describe().T[["mean", "std"]].round(2))
