"""Simulate survey answers from a six-construct CCSI model with a single complaints item (numpy only).

Run from the repository root::

    python tests/reference/ccsi_single/make_data.py

Writes ``data.csv`` next to this script: n = 400 respondents, integer answers 1..10 for the
14 items (eq1..cl2); complaints (CC) has ONE item, cc1. The data-generating item cc1 has
measurement error (loading 0.85); the fitted lavaan model treats it as error-free. Model and true standardized parameters: see ``TRUE_*`` below and
the README in this folder.

Generation
----------
1. Latent scores on the standardized scale (every latent has variance 1), generated in the
   causal order of the recursive model ``eta = B eta + zeta``: ``EQ ~ N(0, 1)``; each
   endogenous latent is ``sum(beta * parents) + zeta`` with ``var(zeta) = 1 - R^2`` so that
   its population variance is exactly 1.
2. Items ``z_j = lambda_j * eta + e_j``, ``var(e_j) = 1 - lambda_j^2`` (population variance 1).
3. Answers ``x_j = clip(floor(6.5 + 1.8 * z_j + 0.5), 1, 10)`` (round half up).
"""

from pathlib import Path

import numpy as np

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
CENTER, SPREAD, LOW, HIGH = 6.5, 1.8, 1, 10


def beta_matrix(latents, paths):
    """B with B[i, j] = effect of latent j on latent i."""
    idx = {name: k for k, name in enumerate(latents)}
    b = np.zeros((len(latents), len(latents)))
    for (src, dst), value in paths.items():
        b[idx[dst], idx[src]] = value
    return b


def residual_variances(latents, paths):
    """var(zeta_i) making every latent's variance 1 (exogenous: 1).

    Latent covariance Phi = (I - B)^-1 Psi (I - B)^-T; because the model is recursive and
    ``latents`` is in causal order, psi_i = 1 - b_i' Phi_pp b_i for the predictors p of i.
    """
    b = beta_matrix(latents, paths)
    k = len(latents)
    phi = np.zeros((k, k))
    psi = np.zeros(k)
    for i in range(k):
        bi = b[i, :i]
        explained = bi @ phi[:i, :i] @ bi
        psi[i] = 1.0 - explained
        if psi[i] <= 0:
            raise ValueError(f"paths into {latents[i]} explain {explained:.3f} >= 1 of its variance")
        phi[i, :i] = phi[:i, :i] @ bi
        phi[:i, i] = phi[i, :i]
        phi[i, i] = 1.0
    return psi, phi


def simulate(latents, loadings, paths, n, seed):
    rng = np.random.default_rng(seed)
    b = beta_matrix(latents, paths)
    psi, _ = residual_variances(latents, paths)
    k = len(latents)
    zeta = rng.standard_normal((n, k)) * np.sqrt(psi)
    eta = np.zeros((n, k))
    for i in range(k):  # causal order
        eta[:, i] = eta[:, :i] @ b[i, :i] + zeta[:, i]
    columns, values = [], []
    for i, lat in enumerate(latents):
        for item, lam in loadings[lat].items():
            z = lam * eta[:, i] + np.sqrt(1.0 - lam**2) * rng.standard_normal(n)
            columns.append(item)
            values.append(np.clip(np.floor(CENTER + SPREAD * z + 0.5), LOW, HIGH).astype(int))
    return columns, np.column_stack(values)


def write_csv(path, columns, values):
    lines = [",".join(columns)] + [",".join(str(v) for v in row) for row in values]
    path.write_text("\n".join(lines) + "\n")


def main():
    columns, values = simulate(LATENTS, TRUE_LOADINGS, TRUE_PATHS, N, SEED)
    out = Path(__file__).resolve().parent / "data.csv"
    write_csv(out, columns, values)
    psi, _ = residual_variances(LATENTS, TRUE_PATHS)
    print(f"wrote {out} ({values.shape[0]} rows x {values.shape[1]} items)")
    print("latent residual variances (standardized):",
          {lat: round(float(p), 6) for lat, p in zip(LATENTS, psi)})


if __name__ == "__main__":
    main()
