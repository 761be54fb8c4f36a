"""Produce the AHP reference values (independent of acsi: power iteration in numpy).

Run: python tests/reference/methods_ahp/make_reference.py
Writes house.csv, light.csv, consistent.csv and expected.json next to this file.
"""
import json
from pathlib import Path

import numpy as np
import scipy

HERE = Path(__file__).resolve().parent
RI = {3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}

# Saaty (1990), EJOR 48, 9-26, Table 2: criteria of the house purchase.
HOUSE_ITEMS = ["size", "transportation", "neighborhood", "age", "yard", "modern_facilities",
               "general_condition", "financing"]
HOUSE = [[1, 5, 3, 7, 6, 6, 1/3, 1/4],
         [1/5, 1, 1/3, 5, 3, 3, 1/5, 1/7],
         [1/3, 3, 1, 6, 3, 4, 6, 1/5],
         [1/7, 1/5, 1/6, 1, 1/3, 1/4, 1/7, 1/8],
         [1/6, 1/3, 1/3, 3, 1, 1/2, 1/5, 1/6],
         [1/6, 1/3, 1/4, 4, 2, 1, 1/5, 1/6],
         [3, 5, 1/6, 7, 5, 5, 1, 1/2],
         [4, 7, 5, 8, 6, 6, 2, 1]]
# Saaty (1977), J. Math. Psych. 15, 234-281: relative light intensity of four chairs.
LIGHT_ITEMS = ["chair1", "chair2", "chair3", "chair4"]
LIGHT = [[1, 5, 6, 7], [1/5, 1, 4, 6], [1/6, 1/4, 1, 4], [1/7, 1/6, 1/4, 1]]
# A perfectly consistent matrix a_ij = w_i / w_j with w = (0.5, 0.3, 0.2).
W = np.array([0.5, 0.3, 0.2])
CONSISTENT = (W[:, None] / W[None, :]).tolist()


def power(a, tol=1e-15, maxit=100000):
    a = np.asarray(a, float)
    x = np.ones(len(a)) / len(a)
    for _ in range(maxit):
        y = a @ x
        y /= y.sum()
        if np.max(np.abs(y - x)) < tol:
            break
        x = y
    lam = float(np.mean((a @ y) / y))
    n = len(a)
    ci = (lam - n) / (n - 1)
    return {"weights": y.tolist(), "lambda_max": lam, "ci": ci, "cr": ci / RI[n]}


out = {}
for name, items, mat in [("house", HOUSE_ITEMS, HOUSE), ("light", LIGHT_ITEMS, LIGHT),
                         ("consistent", ["a", "b", "c"], CONSISTENT)]:
    import pandas as pd
    pd.DataFrame(mat, index=items, columns=items).to_csv(HERE / f"{name}.csv", float_format="%.17g")
    out[name] = {"items": items, **power(mat)}
out["published"] = {
    "house": {"source": "Saaty (1990) EJOR 48:9-26, Table 2 and text",
              "weights": [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333],
              "lambda_max": 9.669, "ci": 0.238, "cr": 0.169},
    "light": {"source": "Saaty (1977) J Math Psych 15:234-281; Saaty (1980) The AHP, ch. 2",
              "lambda_max": 4.39},
}
out["_meta"] = {"numpy": np.__version__, "scipy": scipy.__version__, "method": "power iteration, tol 1e-15"}
(HERE / "expected.json").write_text(json.dumps(out, indent=2))
print(json.dumps(out, indent=2))
