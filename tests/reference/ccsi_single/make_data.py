"""Simulate answers from a six-construct CCSI model with a single complaints item (tests/reference/_simdata.py).

Run from the repository root::

    python tests/reference/ccsi_single/make_data.py

Writes ``data.csv`` next to this script: n = 400 respondents, integer answers 1..10 for the
14 items (eq1..cl2); complaints (CC) has ONE item, cc1. The data-generating item cc1 has
measurement error (loading 0.85); the fitted lavaan model treats it as error-free. Model and
true standardized parameters: see ``TRUE_*`` below and the README in this folder.

Generation: as described in ``_simdata`` (``center = 6.5, spread = 1.8``).
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from _simdata import residual_variances, simulate, write_csv  # noqa: E402

SEED = 7
N = 400
# Order matters: every latent comes after its predictors.
LATENTS = ["EQ", "PQ", "PV", "CS", "CC", "CL"]
TRUE_LOADINGS = {  # standardized loadings, first item = marker
    "EQ": {"eq1": 0.80, "eq2": 0.75, "eq3": 0.78},
    "PQ": {"pq1": 0.88, "pq2": 0.85, "pq3": 0.82},
    "PV": {"pv1": 0.90, "pv2": 0.85},
    "CS": {"cs1": 0.90, "cs2": 0.87, "cs3": 0.84},
    "CC": {"cc1": 0.85},
    "CL": {"cl1": 0.85, "cl2": 0.78},
}
TRUE_PATHS = {  # standardized path coefficients, (from, to): beta
    ("EQ", "PQ"): 0.50,
    ("EQ", "PV"): 0.15,
    ("PQ", "PV"): 0.55,
    ("EQ", "CS"): 0.10,
    ("PQ", "CS"): 0.50,
    ("PV", "CS"): 0.30,
    ("CS", "CC"): -0.40,
    ("CS", "CL"): 0.60,
    ("CC", "CL"): -0.15,
}


def main():
    columns, values = simulate(LATENTS, TRUE_LOADINGS, TRUE_PATHS, N, SEED)
    out = HERE / "data.csv"
    write_csv(out, columns, values)
    psi, _ = residual_variances(LATENTS, TRUE_PATHS)
    print(f"wrote {out} ({values.shape[0]} rows x {values.shape[1]} items)")
    print("latent residual variances (standardized):",
          {lat: round(float(p), 6) for lat, p in zip(LATENTS, psi)})


if __name__ == "__main__":
    main()
