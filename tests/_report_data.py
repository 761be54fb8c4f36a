"""Small simulated runs shared by the report tests (not a conftest: keeps the root conftest importable)."""

from __future__ import annotations

import functools
import re
import warnings

import numpy as np
import pandas as pd

import acsi
from conftest import ACSI_LAVAAN, ACSI_TRUTH, two_period_survey

PUBLISHED = "acsi_national_quarterly_1994_2008.csv"


def small_survey(n: int = 120) -> pd.DataFrame:
    """2 quarters × 3 companies in 2 industries (1-10 answers), plus a 10-respondent company that must fail."""
    return two_period_survey(n, companies=("Alpha Air", "Beta Jet", "Gamma Inn"), tiny="Tiny Air", coded_rows=(3, 200))


def small_sales() -> pd.DataFrame:
    return pd.DataFrame({"company": ["Alpha Air", "Beta Jet", "Gamma Inn", "Tiny Air"], "sales": [30.0, 20.0, 10.0, 1.0]})


@functools.lru_cache(maxsize=1)
def small_run():
    """(fit, aggregate result) of :func:`small_survey`; the tiny company fails.

    Cached for the session: the results are read-only records, shared by the report test files.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AcsiWarning)
        fit = acsi.fit(small_survey(), acsi.parse_lavaan(ACSI_LAVAAN, name="acsi_text"), unit="company", n_jobs=1)
        agg = acsi.aggregate(fit.indexes, small_sales(), partial_windows=True)
    return fit, agg


def png_uris(html: str) -> list[bytes]:
    import base64
    import re

    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)]


def fit_truth_r2(spec) -> dict:
    """Population R² of each endogenous latent under ACSI_TRUTH: 1 − ψ_j / Var(η_j)."""
    lat = list(spec.latent_ids)
    B = np.zeros((len(lat), len(lat)))
    for (a, b), v in ACSI_TRUTH["paths"].items():
        B[lat.index(b), lat.index(a)] = v
    C = np.linalg.inv(np.eye(len(lat)) - B)
    P = np.diag([ACSI_TRUTH["psi"][lv] for lv in lat])
    V = C @ P @ C.T
    return {lv: 1 - ACSI_TRUTH["psi"][lv] / V[i, i] for i, lv in enumerate(lat) if lv in {b for _, b in ACSI_TRUTH["paths"]}}


def quiet(fn, *a, **k):
    """``fn(*a, **k)`` with acsi's warnings silenced (the report tests check the page, not the warnings)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AcsiWarning)
        return fn(*a, **k)


def page_text(html: str) -> str:
    """The visible text of a report page: tags and the style sheet removed, white space collapsed."""
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")
