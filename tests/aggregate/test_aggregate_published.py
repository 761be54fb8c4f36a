"""The real published ACSI series (../shared/data) used as example data.

Sales weights are not published with these tables, so industry scores cannot be recomputed
exactly; what can be checked is the property every sales-weighted mean has: each published
industry score lies within [min, max] of its companies' scores ("All Others" counts as a
company), and the aggregation of the published national quarters with a four-quarter window.
Scores are published rounded to integers (national: one decimal), so bounds are exact.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.aggregate import aggregate
from acsi.errors import AggregationError

DATA = Path(__file__).resolve().parent / "data"  # copies of ../shared/data (see data/README.md)
INDUSTRY_FILES = {
    "acsi_airlines_annual_baseline_2008.csv": "Airlines (industry)",
    "acsi_internet_portals_annual_baseline_2008.csv": "Internet Portals/Search Engines (industry)",
}
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"published ACSI data folder {DATA} is absent")


def _read(name):
    return pd.read_csv(DATA / name, dtype={"period": str, "company": str})


@pytest.mark.parametrize("name", sorted(INDUSTRY_FILES))
def test_published_industry_within_its_companies(name):
    d = _read(name)
    wide = d.pivot(index="period", columns="company", values="score")
    industry = wide.pop(INDUSTRY_FILES[name])
    checkable = industry.notna() & wide.notna().any(axis=1)
    assert checkable.sum() >= 9  # airlines: baseline + 1995-2008; portals: 2000-2008
    lo, hi = wide.min(axis=1), wide.max(axis=1)
    outside = checkable & ((industry < lo) | (industry > hi))
    assert not outside.any(), industry[outside]
    # 'All Others' (the smaller companies surveyed as one unit) is one of the companies
    assert wide.loc[checkable, "All Others"].notna().sum() >= 9


@pytest.mark.parametrize("name", sorted(INDUSTRY_FILES))
def test_aggregating_published_companies(name):
    d = _read(name)
    comp = d.loc[(d["company"] != INDUSTRY_FILES[name]) & (d["period"] != "baseline")]
    idx = comp.rename(columns={"score": "index"}).assign(industry="industry", sector="sector", se=1.0, n=250)
    idx["status"] = np.where(idx["index"].notna(), "ok", "not measured (NM)")
    companies = sorted(idx["company"].unique())
    # any positive sales: the result must stay within the companies' range each year
    sales = pd.DataFrame({"company": companies, "sales": np.linspace(1.0, 10.0, len(companies))})
    res = aggregate(idx, sales, window=1)
    ind = res.table("industry").set_index("period")
    wide = idx.pivot(index="period", columns="company", values="index")
    lo, hi = wide.min(axis=1), wide.max(axis=1)
    assert (ind["index"] >= lo[ind.index] - 1e-9).all() and (ind["index"] <= hi[ind.index] + 1e-9).all()
    # not-measured years are listed, not dropped silently
    assert len(res.excluded) == idx["index"].isna().sum()
    assert set(res.excluded["reason"]) <= {"status 'not measured (NM)'"}
    assert res.options["frequency"] == "Y"


def test_published_company_change_airlines():
    d = _read("acsi_airlines_annual_baseline_2008.csv")
    comp = d.loc[~d["company"].str.endswith("(industry)") & (d["period"] != "baseline")]
    idx = comp.rename(columns={"score": "index"}).assign(industry="airlines", sector="transport", se=1.0, n=250)
    sales = pd.DataFrame({"company": idx["company"].unique(), "sales": 1.0})
    res = aggregate(idx, sales, window=1)
    sw = res.table("company").set_index(["unit", "period"]).loc["Southwest Airlines Co."]
    # published Southwest: 76 in 2007, 79 in 2008 -> +3, i.e. 3/76 = 3.95 %; annual data: yoy = previous year
    assert sw.loc["2008", "change"] == 3.0 and sw.loc["2008", "change_yoy"] == 3.0
    assert sw.loc["2008", "change_pct"] == pytest.approx(300 / 76, rel=1e-12)
    assert sw.loc["2008", "baseline_period"] == "1995" and sw.loc["2008", "change_baseline"] == 79 - 76


def test_published_baseline_label_is_a_malformed_period():
    d = _read("acsi_airlines_annual_baseline_2008.csv")
    idx = d.rename(columns={"score": "index"}).assign(industry="airlines", sector="transport", se=1.0, n=250)
    sales = pd.DataFrame({"company": idx["company"].unique(), "sales": 1.0})
    with pytest.raises(AggregationError, match=r"(?s)9 row\(s\) with a malformed period.*row 0: period='baseline', company='Southwest Airlines Co.'"):
        aggregate(idx, sales, window=1)


@pytest.fixture
def national():
    d = pd.read_csv(DATA / "acsi_national_quarterly_1994_2008.csv", dtype={"period": str})
    idx = pd.DataFrame({"period": d["period"], "company": "ACSI", "industry": "all", "sector": "all",
                        "index": d["national_index"], "se": 0.2, "n": 1})
    return d, idx, pd.DataFrame({"company": ["ACSI"], "sales": [1.0]})


def test_national_series_read_and_rolled(national):
    d, idx, sales = national
    assert len(d) == 56 and d["period"].iloc[0] == "1994Q3" and d["period"].iloc[-1] == "2008Q2"
    # the series moved between 70.7 (1997Q1) and 75.3 (2007Q2)
    s = d.set_index("period")["national_index"]
    assert (s.min(), s.idxmin(), s.max(), s.idxmax()) == (70.7, "1997Q1", 75.3, "2007Q2")
    res = aggregate(idx, sales, window=4)
    nq = res.table("national_quarter").set_index("period")
    np.testing.assert_array_equal(nq["index"].to_numpy(), s.to_numpy())  # one sector: Q_t is the input
    nat = res.table("national").set_index("period")
    assert nat["index"].iloc[:3].isna().all() and not nat["window_full"].iloc[:3].any()
    # first full window 1995Q2: (74.8 + 74.2 + 74.1 + 73.7)/4 = 296.8/4 = 74.2
    assert nat.loc["1995Q2", "index"] == pytest.approx(74.2, abs=1e-12)
    # last: 2008Q2: (74.9 + 75.2 + 75.1 + 75.2)... i.e. 2007Q3..2008Q2 = (75.2 + 74.9 + 75.2 + 75.1)/4 = 75.1
    assert nat.loc["2008Q2", "index"] == pytest.approx(75.1, abs=1e-12)
    np.testing.assert_allclose(nat["index"].to_numpy(), s.rolling(4).mean().to_numpy(), rtol=0, atol=1e-12)
    # a moving average never leaves the range of the series; here 71.2 .. 75.2
    assert 70.7 <= nat["index"].min() and nat["index"].max() <= 75.3
    # independent quarters, se 0.2 each: se = sqrt(4 * 0.04)/4 = 0.1
    np.testing.assert_allclose(nat["se"].dropna(), 0.1, rtol=1e-12)
    # year over year on the rolled series: 2008Q2 vs 2007Q2, windows do not overlap -> var = 0.01 + 0.01
    assert nat.loc["2008Q2", "change_yoy_se"] == pytest.approx(np.sqrt(0.02), rel=1e-12)
    # quarter to quarter: windows share 3 quarters; change = (Q_t - Q_{t-4})/4, se = sqrt(2 * 0.04)/4
    assert nat.loc["2008Q2", "change"] == pytest.approx((75.1 - 75.3) / 4, abs=1e-12)
    assert nat.loc["2008Q2", "change_se"] == pytest.approx(np.sqrt(0.08) / 4, rel=1e-9)


def test_national_series_partial_windows(national):
    _, idx, sales = national
    nat = aggregate(idx, sales, window=4, partial_windows=True).table("national").set_index("period")
    # 1994Q3 alone: 74.8; 1994Q4: (74.8 + 74.2)/2 = 74.5; 1995Q1: (74.8 + 74.2 + 74.1)/3 = 74.3667
    assert nat["index"].iloc[:3].tolist() == pytest.approx([74.8, 74.5, 223.1 / 3], abs=1e-12)
    assert nat["window_periods"].iloc[:4].tolist() == [1, 2, 3, 4]
