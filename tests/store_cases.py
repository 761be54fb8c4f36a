"""Small simulated productions shared by tests/store, tests/production and tests/site (importable: tests/ is on sys.path)."""

from __future__ import annotations

import contextlib
import functools
import warnings

import pandas as pd

import acsi
from acsi.simulate import simulate_survey

UNITS = pd.DataFrame({
    "company": ["Alpha Air", "Beta Jet", "Gamma Inn", "Delta Suites", "Epsilon Bank"],
    "industry": ["Airlines", "Airlines", "Hotels", "Hotels", "Banks"],
    "sector": ["Transportation", "Transportation", "Accommodation", "Accommodation", "Finance"],
    "shift": [0.0, 0.35, -0.25, 0.1, -0.1],
})
PERIODS = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]


@functools.lru_cache(maxsize=4)
def survey(seed: int = 5, n: int = 110) -> pd.DataFrame:
    """Four quarters × five companies in three industries and three sectors."""
    return simulate_survey("acsi", units=UNITS, n_per_unit=n, periods=PERIODS, seed=seed)


def quarter(period: str, seed: int = 5) -> pd.DataFrame:
    df = survey(seed)
    return df.loc[df["period"] == period].reset_index(drop=True)


def sales(**changes) -> pd.DataFrame:
    """Sales without a period column (the survey's periods); ``changes``: company -> sales."""
    base = {"Alpha Air": 30.0, "Beta Jet": 20.0, "Gamma Inn": 8.0, "Delta Suites": 12.0, "Epsilon Bank": 25.0}
    base.update({k.replace("_", " "): v for k, v in changes.items()})
    return pd.DataFrame({"company": list(base), "sales": list(base.values())})


@contextlib.contextmanager
def quiet():
    """Silence acsi's warnings (units not ok) in tests that do not test them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AcsiWarning)
        yield


def publish_quarters(path, periods=PERIODS[:3], **kw):
    """Publish one release per quarter (partial windows on); returns the PublishResults."""
    from acsi.production import publish

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AcsiWarning)
        for p in periods:
            out.append(publish(quarter(p), sales(), "acsi", path, p, partial_windows=True, **kw))
    return out
