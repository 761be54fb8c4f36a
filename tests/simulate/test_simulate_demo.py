"""The bundled demo survey and sales table (acsi/demo_data), and their generator."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.cli import main
from acsi.simulate import DEMO_PERIODS, DEMO_SEED, demo_frame, demo_sales, demo_units

DEMO_DIR = Path(__file__).resolve().parents[2] / "acsi" / "demo_data"
ITEMS = ["ce1", "ce2", "ce3", "pq1", "pq2", "pq3", "pv1", "pv2", "cs1", "cs2", "cs3", "cc1", "cc2", "cl1", "cl2"]


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    return pd.read_csv(DEMO_DIR / "survey.csv.gz")


@pytest.fixture(scope="module")
def sales() -> pd.DataFrame:
    return pd.read_csv(DEMO_DIR / "sales.csv")


def test_committed_files_are_what_the_generator_makes(survey, sales):
    regenerated = demo_frame(DEMO_SEED)
    pd.testing.assert_frame_equal(survey, regenerated, check_dtype=False)
    pd.testing.assert_frame_equal(sales, demo_sales(DEMO_SEED), check_dtype=False)


def test_demo_is_reproducible_and_seed_dependent():
    a, b = demo_frame(7), demo_frame(7)
    pd.testing.assert_frame_equal(a, b)
    c = demo_frame(8)
    assert not a[ITEMS].head(1000).equals(c[ITEMS].head(1000))


def test_columns_and_ids(survey):
    assert list(survey.columns) == ["respondent_id", "period", "sector", "industry", "company", "weight", *ITEMS]
    assert survey["respondent_id"].is_unique
    assert survey["respondent_id"].tolist() == list(range(1, len(survey) + 1))
    assert all(pd.api.types.is_integer_dtype(survey[c]) for c in ITEMS)


def test_hierarchy_counts(survey):
    assert survey["sector"].nunique() == 3
    assert survey["industry"].nunique() == 8
    assert survey["company"].nunique() == 30
    assert sorted(survey["period"].unique()) == list(DEMO_PERIODS) == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    # each company sits in exactly one industry and one sector; each industry in one sector
    assert (survey.groupby("company")[["industry", "sector"]].nunique() == 1).all().all()
    assert (survey.groupby("industry")["sector"].nunique() == 1).all()
    others = survey.loc[survey["company"].str.startswith("All Others"), ["industry", "company"]].drop_duplicates()
    assert len(others) == 8 and others["industry"].is_unique
    assert set(survey["industry"]) == set(others["industry"])
    assert (others["company"] == "All Others (" + others["industry"] + ")").all()
    assert survey.groupby("industry")["company"].nunique().min() >= 3  # at least two named + All Others


def test_about_250_respondents_per_company_and_quarter(survey):
    n = survey.groupby(["company", "period"]).size()
    assert len(n) == 120
    assert n.between(230, 270).all()
    assert 245 <= n.mean() <= 255
    assert n.nunique() > 10  # sizes vary


def test_answers_on_scale_or_missing_codes(survey):
    vals = survey[ITEMS].to_numpy()
    ok = ((vals >= 1) & (vals <= 10)) | (vals == 98) | (vals == 99)
    assert ok.all()
    rate = np.isin(vals, [98, 99]).mean()
    assert 0.007 < rate < 0.013
    assert (vals == 98).sum() > (vals == 99).sum() > 0


def test_answers_look_like_acsi_data(survey):
    x = survey[ITEMS].where(survey[ITEMS] < 98)
    pos = [c for c in ITEMS if not c.startswith("cc")]
    means = x[pos].mean()
    assert means.between(7.0, 8.5).all(), means.to_dict()
    assert (x[pos].skew() < -0.2).all()  # left-skewed
    assert x[["cc1", "cc2"]].mean().between(3.0, 5.0).all()  # complaints are rare/low
    assert x[["pv1", "pv2"]].mean().mean() < x[["pq1", "pq2", "pq3"]].mean().mean()  # value rated lowest
    assert set(np.unique(x[pos].stack().dropna())) == set(range(1, 11))


def test_weights_mean_one_mild_variation(survey):
    w = survey["weight"]
    assert (w > 0).all()
    per_cell = w.groupby([survey["company"], survey["period"]]).mean()
    assert np.allclose(per_cell, 1.0, atol=2e-3)
    assert 0.15 < w.std() < 0.4


def test_company_indexes_between_65_and_85_and_near_their_targets(survey):
    cs = survey[["cs1", "cs2", "cs3"]].where(survey[["cs1", "cs2", "cs3"]] < 98)
    score = ((cs - 1) / 9 * 100).mean(axis=1)
    idx = score.groupby(survey["company"]).mean()
    assert idx.between(64, 86).all(), idx.to_dict()
    target = demo_units().set_index("company")["target_index"]
    assert (idx - target.loc[idx.index]).abs().max() < 2.5
    assert idx.max() - idx.min() > 15  # companies differ


def test_demo_units_table():
    u = demo_units()
    assert len(u) == 30 and u["is_all_others"].sum() == 8 and (~u["is_all_others"]).sum() == 22
    assert u["target_index"].between(65, 85).all()
    assert u.groupby("industry")["sales_share"].sum().round(10).eq(1.0).all()
    assert (u["sales_share"] > 0).all()
    # a higher target needs a higher latent mean shift
    s = u.sort_values("target_index")
    assert s["shift"].is_monotonic_increasing


def test_sales_positive_and_complete(survey, sales):
    assert list(sales.columns) == ["period", "company", "industry", "sector", "sales"]
    assert (sales["sales"] > 0).all() and sales["sales"].notna().all()
    assert not sales.duplicated(["period", "company"]).any()
    cells = survey[["period", "company", "industry", "sector"]].drop_duplicates()
    merged = cells.merge(sales, on=["period", "company"], how="outer", suffixes=("", "_s"), indicator=True)
    assert (merged["_merge"] == "both").all() and len(merged) == 120
    assert (merged["industry"] == merged["industry_s"]).all() and (merged["sector"] == merged["sector_s"]).all()


def test_all_others_gets_the_industry_remainder(sales):
    u = demo_units().set_index("company")
    tot = sales.groupby(["period", "industry"])["sales"].transform("sum")
    share = sales["sales"] / tot
    expected = u.loc[sales["company"], "sales_share"].to_numpy()
    named = ~sales["company"].str.startswith("All Others").to_numpy()
    # named companies' shares are jittered by exp(N(0, 0.03^2)); All Others takes what is left
    assert np.allclose(share[named], expected[named], rtol=0.12, atol=0)
    assert np.allclose(share[~named], expected[~named], rtol=0, atol=0.05)
    # Q4 is the strongest quarter (seasonal factor 1.08 vs 0.94 in Q1)
    q = sales.groupby("period")["sales"].sum()
    assert q["2025Q4"] > q["2025Q1"]


def test_main_regenerates_files(tmp_path, capsys, survey, sales):
    assert main(["simulate", "--out", str(tmp_path)]) == 0  # was python -m acsi.simulate (issue 10: one CLI)
    out = capsys.readouterr().out
    assert "survey.csv.gz" in out and "sales.csv" in out
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "survey.csv.gz"), survey)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "sales.csv"), sales)
    with gzip.open(tmp_path / "survey.csv.gz", "rb") as a, gzip.open(DEMO_DIR / "survey.csv.gz", "rb") as b:
        assert a.read() == b.read()


def test_files_small_and_documented():
    assert (DEMO_DIR / "survey.csv.gz").stat().st_size < 2_000_000
    readme = (DEMO_DIR / "README.md").read_text(encoding="utf-8")
    assert "acsi simulate" in readme and str(DEMO_SEED) in readme
