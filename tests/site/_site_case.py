"""One store with the imported ACSI tables and four estimated quarters (one company fails), and its website."""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import acsi
from acsi.production import import_acsi_tables, publish
from acsi.site import build_site
from store_cases import PERIODS, quarter, sales


def tiny_failing(period: str):
    """A company with 12 respondents (below min_n): it fails, keeps its rows, and is not aggregated."""
    q = quarter(period)
    return q.loc[q["company"] == "Alpha Air"].head(12).assign(company="Zeta Air")


@functools.lru_cache(maxsize=1)
def site_case(root: str):
    import pandas as pd

    root = Path(root)
    store = root / "s.duckdb"
    import_acsi_tables(store)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AcsiWarning)
        for p in PERIODS:
            survey = pd.concat([quarter(p), tiny_failing(p)], ignore_index=True)
            s = pd.concat([sales(), pd.DataFrame({"company": ["Zeta Air"], "sales": [1.0]})], ignore_index=True)
            publish(survey, s, "acsi", store, p, partial_windows=True, notes=f"quarterly release {p}")
    site = root / "site"
    files = build_site(store, site)
    return store, site, files


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """(store, site directory, files), built once per session (import this fixture into a test module)."""
    root = tmp_path_factory.getbasetemp() / "site_case"
    root.mkdir(exist_ok=True)
    return site_case(str(root))
