"""Seeded survey simulation shared by the reference-case data scripts (numpy only, no acsi).

The case scripts (``tests/reference/<case>/make_data.py``) put this folder on ``sys.path`` and
import this module; what they write (``data.csv``) is the committed truth, because numpy does
not promise the same ``Generator`` normal stream across versions (these files were written with
numpy 2.4.6).

Generation (a recursive model ``eta = B eta + zeta`` on the standardized scale)
-------------------------------------------------------------------------------
1. Variables in causal order. Each is a latent (with items) or an observed structural variable
   (a covariate such as age, or the complaint question): exogenous ones are ``N(0, 1)`` and
   independent unless a path links them; each endogenous one is ``sum(beta * parents) + zeta``
   with ``var(zeta) = 1 - R^2``, so every variable has population variance exactly 1
   (:func:`residual_variances`).
2. Items ``z_j = lambda_j * eta + e_j`` with ``var(e_j) = 1 - lambda_j^2`` (standardized
   loadings, population variance 1), drawn latent by latent, item by item.
3. Answers ``x_j = clip(floor(center + spread * z_j + 0.5), low, high)`` (round half up).
   ``center = 6.5, spread = 1.8`` (the original cases) gives symmetric answers; ``center = 8``
   gives the ceiling at 10 and the left skew of real ACSI answers.

The random draws happen in this order (it fixes the stream): the ``n x k`` matrix of ``zeta``,
then one ``n``-vector of item errors per item in model order; anything a case adds (weights,
missing holes, a 0/1 threshold) is drawn afterwards from the same generator.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

# The ACSI model of tests/reference/acsi_sim (Fornell et al. 1996), standardized truth.
ACSI_LATENTS = ["CE", "PQ", "PV", "CS", "CC", "CL"]  # causal order
ACSI_LOADINGS = {  # standardized loadings, first item = marker
    "CE": {"ce1": 0.80, "ce2": 0.75, "ce3": 0.78},
    "PQ": {"pq1": 0.88, "pq2": 0.85, "pq3": 0.82},
    "PV": {"pv1": 0.90, "pv2": 0.85},
    "CS": {"cs1": 0.90, "cs2": 0.87, "cs3": 0.84},
    "CC": {"cc1": 0.85, "cc2": 0.80},
    "CL": {"cl1": 0.85, "cl2": 0.78},
}
ACSI_PATHS = {  # standardized path coefficients, (from, to): beta
    ("CE", "PQ"): 0.50,
    ("CE", "PV"): 0.15,
    ("PQ", "PV"): 0.55,
    ("CE", "CS"): 0.10,
    ("PQ", "CS"): 0.50,
    ("PV", "CS"): 0.30,
    ("CS", "CC"): -0.40,
    ("CS", "CL"): 0.60,
    ("CC", "CL"): -0.15,
}
ACSI_MODEL = """CE =~ ce1 + ce2 + ce3
PQ =~ pq1 + pq2 + pq3
PV =~ pv1 + pv2
CS =~ cs1 + cs2 + cs3
CC =~ cc1 + cc2
CL =~ cl1 + cl2
PQ ~ CE
PV ~ CE + PQ
CS ~ CE + PQ + PV
CC ~ CS
CL ~ CS + CC
"""
CENTER, SPREAD, LOW, HIGH = 6.5, 1.8, 1, 10


def beta_matrix(names, paths):
    """B with B[i, j] = effect of variable j on variable i."""
    idx = {name: k for k, name in enumerate(names)}
    b = np.zeros((len(names), len(names)))
    for (src, dst), value in paths.items():
        b[idx[dst], idx[src]] = value
    return b


def residual_variances(names, paths):
    """var(zeta_i) making every variable's variance 1 (exogenous: 1), and the correlations Phi.

    Phi = (I - B)^-1 Psi (I - B)^-T; because the model is recursive and ``names`` is in causal
    order, psi_i = 1 - b_i' Phi_pp b_i for the predictors p of i.
    """
    b = beta_matrix(names, paths)
    k = len(names)
    phi = np.zeros((k, k))
    psi = np.zeros(k)
    for i in range(k):
        bi = b[i, :i]
        explained = bi @ phi[:i, :i] @ bi
        psi[i] = 1.0 - explained
        if psi[i] <= 0:
            raise ValueError(f"paths into {names[i]} explain {explained:.3f} >= 1 of its variance")
        phi[i, :i] = phi[:i, :i] @ bi
        phi[:i, i] = phi[i, :i]
        phi[i, i] = 1.0
    return psi, phi


def draw_structural(rng, names, paths, n, *, shift=None):
    """n draws of the standardized structural variables (columns in ``names`` order).

    ``shift`` (name -> value) adds a constant to a variable's disturbance mean (a group or
    segment difference); it is not part of the random stream.
    """
    b = beta_matrix(names, paths)
    psi, _ = residual_variances(names, paths)
    k = len(names)
    zeta = rng.standard_normal((n, k)) * np.sqrt(psi)
    if shift:
        zeta = zeta + np.array([shift.get(name, 0.0) for name in names])
    eta = np.zeros((n, k))
    for i in range(k):  # causal order
        eta[:, i] = eta[:, :i] @ b[i, :i] + zeta[:, i]
    return eta


def draw_items(rng, eta, names, loadings):
    """Continuous standardized items ``lambda * eta + sqrt(1 - lambda^2) e`` (columns, matrix)."""
    n = eta.shape[0]
    columns, values = [], []
    for i, name in enumerate(names):
        for item, lam in loadings.get(name, {}).items():
            columns.append(item)
            values.append(lam * eta[:, i] + np.sqrt(1.0 - lam**2) * rng.standard_normal(n))
    return columns, np.column_stack(values)


def to_answers(z, center=CENTER, spread=SPREAD, low=LOW, high=HIGH):
    """Answers ``clip(floor(center + spread * z + 0.5), low, high)`` as integers."""
    return np.clip(np.floor(center + spread * z + 0.5), low, high).astype(int)


def simulate(latents, loadings, paths, n, seed, *, center=CENTER, spread=SPREAD, low=LOW, high=HIGH):
    """Integer answers for every item: (columns, n x items array). The original cases' generator."""
    rng = np.random.default_rng(seed)
    eta = draw_structural(rng, latents, paths, n)
    columns, z = draw_items(rng, eta, latents, loadings)
    return columns, to_answers(z, center, spread, low, high)


def exact_sample(sigma, n, seed, mean=0.0):
    """n rows whose covariance (denominator n) equals ``sigma`` and whose means equal ``mean``.

    Normals from ``default_rng(seed)``, centred, whitened with the inverse Cholesky factor of
    their own covariance, coloured with the Cholesky factor of ``sigma``, plus ``mean``.
    """
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, sigma.shape[0]))
    z = z - z.mean(axis=0)
    r = np.linalg.cholesky(z.T @ z / n)
    z_white = np.linalg.solve(r, z.T).T  # Z R^-T
    return mean + z_white @ np.linalg.cholesky(sigma).T


def write_csv(path, columns, values):
    """Integer table with a header row (no index column)."""
    lines = [",".join(columns)] + [",".join(str(v) for v in row) for row in values]
    Path(path).write_text("\n".join(lines) + "\n")


def fmt(x):
    """Shortest text that round-trips the double exactly."""
    return repr(float(x))
