"""SERVQUAL references: item/dimension gaps and SQ with plain numpy loops, not acsi.

Run: python tests/reference/methods_servqual/make_reference.py
Writes perceptions.csv and expectations.csv (seeded synthetic 7-point answers, 22 items
q1..q22 in the order of Parasuraman, Zeithaml & Berry 1988) and expected.json.
Dimension weights are a 100-point allocation (normalised by the method).
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
rng = np.random.default_rng(1988)
n = 40
items = [f"q{i}" for i in range(1, 23)]
E = np.clip(np.round(rng.normal(6.0, 0.8, size=(n, 22))), 1, 7)
P = np.clip(np.round(E - rng.normal(0.8, 1.0, size=(n, 22))), 1, 7)
pd.DataFrame(P, columns=items).to_csv(HERE / "perceptions.csv", index=False)
pd.DataFrame(E, columns=items).to_csv(HERE / "expectations.csv", index=False)
dims = {"tangibles": range(0, 4), "reliability": range(4, 9), "responsiveness": range(9, 13),
        "assurance": range(13, 17), "empathy": range(17, 22)}
points = {"tangibles": 10, "reliability": 32, "responsiveness": 22, "assurance": 19, "empathy": 17}
item_gap = [float(np.mean(P[:, j] - E[:, j])) for j in range(22)]
dim_gap = {d: float(np.mean([item_gap[j] for j in idx])) for d, idx in dims.items()}
w = {d: points[d] / sum(points.values()) for d in dims}
weights_item = np.full(22, 1 / 22)
out = {
    "item_gap": item_gap,
    "item_perception": [float(P[:, j].mean()) for j in range(22)],
    "dimension_gap": dim_gap,
    "dimension_ratio": {d: float(np.mean([P[:, j].mean() for j in idx]) / np.mean([E[:, j].mean() for j in idx]))
                        for d, idx in dims.items()},
    "points": points,
    "unweighted_sq": float(np.mean(list(dim_gap.values()))),
    "weighted_sq": float(sum(w[d] * dim_gap[d] for d in dims)),
    "respondent_sq_equal_weights": [float(sum(weights_item[j] * (P[i, j] - E[i, j]) for j in range(22))) for i in range(n)],
    "_meta": {"numpy": np.__version__},
}
(HERE / "expected.json").write_text(json.dumps(out, indent=2))
print(out["dimension_gap"], out["unweighted_sq"], out["weighted_sq"])
