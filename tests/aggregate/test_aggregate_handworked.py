"""Hand-worked examples: every number below is computed by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from acsi.aggregate import aggregate, change_test
from acsi.errors import AggregationError

ATOL = 1e-9


def _row(tab, level, unit, period):
    sub = tab.loc[(tab["level"] == level) & (tab["unit"] == unit) & (tab["period"] == period)]
    assert len(sub) == 1, (level, unit, period, len(sub))
    return sub.iloc[0]


@pytest.fixture
def one_quarter():
    #  sector transport: industry air (A 70 se 1 sales 30; B 80 se 2 sales 10), rail (C 60 se 1.5 sales 20)
    #  sector retail:    industry shops (D 75 se 1 sales 40)
    idx = pd.DataFrame({
        "period": ["2025Q1"] * 4, "company": ["A", "B", "C", "D"],
        "industry": ["air", "air", "rail", "shops"], "sector": ["transport", "transport", "transport", "retail"],
        "index": [70.0, 80.0, 60.0, 75.0], "se": [1.0, 2.0, 1.5, 1.0], "n": [250, 260, 270, 280],
    })
    sales = pd.DataFrame({"company": ["A", "B", "C", "D"], "sales": [30.0, 10.0, 20.0, 40.0]})
    return idx, sales


def test_industry_level_weighted_mean_and_se(one_quarter):
    res = aggregate(*one_quarter, window=1)
    air = _row(res.table(), "industry", "air", "2025Q1")
    # I = (30*70 + 10*80) / 40 = (2100 + 800) / 40 = 72.5
    assert air["index"] == pytest.approx(72.5, abs=ATOL)
    # se^2 = (30/40)^2 * 1^2 + (10/40)^2 * 2^2 = 0.5625 + 0.25 = 0.8125
    assert air["se"] == pytest.approx(math.sqrt(0.8125), abs=ATOL)
    # 95% interval: 72.5 -/+ 1.959964 * 0.901388
    assert air["ci_lower"] == pytest.approx(72.5 - stats.norm.ppf(0.975) * math.sqrt(0.8125), abs=ATOL)
    assert air["ci_upper"] == pytest.approx(72.5 + stats.norm.ppf(0.975) * math.sqrt(0.8125), abs=ATOL)
    assert air["n_respondents"] == 250 + 260
    assert air["n_units"] == 2
    assert air["weight"] == pytest.approx(40.0, abs=ATOL)  # industry sales = 30 + 10
    assert air["weight_share"] == pytest.approx(40.0 / 60.0, abs=ATOL)  # of the transport sector
    assert air["parent"] == "transport"
    a = _row(res.table(), "company", "A", "2025Q1")
    assert a["weight_share"] == pytest.approx(0.75, abs=ATOL) and a["parent"] == "air"


def test_sector_level(one_quarter):
    res = aggregate(*one_quarter, window=1)
    tr = _row(res.table(), "sector", "transport", "2025Q1")
    # industries air (sales 40, I 72.5) and rail (sales 20, I 60): (40*72.5 + 20*60)/60 = 4100/60
    assert tr["index"] == pytest.approx(4100.0 / 60.0, abs=ATOL)
    # company coefficients A 30/60, B 10/60, C 20/60:
    # se^2 = 0.25*1 + (1/36)*4 + (1/9)*2.25 = 0.25 + 0.111111 + 0.25 = 0.611111
    assert tr["se"] ** 2 == pytest.approx(0.25 + 4.0 / 36.0 + 2.25 / 9.0, abs=ATOL)
    assert tr["n_units"] == 3 and tr["parent"] == "national"


def test_national_quarter_by_sales_and_by_sector_weights(one_quarter):
    res = aggregate(*one_quarter, window=1)
    q = _row(res.table(), "national_quarter", "national", "2025Q1")
    # sectors transport (sales 60, I 4100/60) and retail (sales 40, I 75): (4100 + 3000)/100 = 71.0
    assert q["index"] == pytest.approx(71.0, abs=ATOL)
    # coefficients A .3, B .1, C .2, D .4: se^2 = .09*1 + .01*4 + .04*2.25 + .16*1 = 0.38
    assert q["se"] ** 2 == pytest.approx(0.38, abs=ATOL)
    nat = _row(res.table(), "national", "national", "2025Q1")
    assert nat["index"] == pytest.approx(71.0, abs=ATOL) and bool(nat["window_full"])
    gdp = pd.DataFrame({"sector": ["transport", "retail"], "weight": [0.25, 0.75]})
    res2 = aggregate(*one_quarter, window=1, sector_weights=gdp)
    # 0.25 * 68.3333 + 0.75 * 75 = 17.083333 + 56.25 = 73.333333
    assert _row(res2.table(), "national", "national", "2025Q1")["index"] == pytest.approx(0.25 * 4100 / 60 + 56.25, abs=ATOL)
    assert _row(res2.table(), "sector", "retail", "2025Q1")["weight_share"] == pytest.approx(0.75, abs=ATOL)


def test_industry_totals_replace_unit_sales_sums(one_quarter):
    totals = pd.DataFrame({"industry": ["air", "rail", "shops"], "sales": [100.0, 300.0, 50.0]})
    res = aggregate(*one_quarter, window=1, industry_totals=totals)
    # transport = (100*72.5 + 300*60)/400 = (7250 + 18000)/400 = 63.125
    assert _row(res.table(), "sector", "transport", "2025Q1")["index"] == pytest.approx(63.125, abs=ATOL)
    # the industry itself is still the unit-sales mean: 72.5
    assert _row(res.table(), "industry", "air", "2025Q1")["index"] == pytest.approx(72.5, abs=ATOL)
    # sector weights default to the sum of the industry totals: transport 400, retail 50
    # national = (400*63.125 + 50*75)/450 = (25250 + 3750)/450 = 64.444...
    assert _row(res.table(), "national", "national", "2025Q1")["index"] == pytest.approx(29000 / 450, abs=ATOL)


def _series(values, se=1.0, start="2025Q1"):
    periods = pd.period_range(start, periods=len(values), freq="Q").astype(str)
    idx = pd.DataFrame({"period": periods, "company": "A", "industry": "i", "sector": "s",
                        "index": values, "se": se, "n": 100})
    return idx, pd.DataFrame({"company": ["A"], "sales": [1.0]})


def test_four_quarter_national_average_and_its_change():
    res = aggregate(*_series([70.0, 71.0, 73.0, 74.0, 76.0]))  # window 4
    nat = res.table("national").set_index("period")
    # not published until four quarters are in
    assert nat.loc[["2025Q1", "2025Q2", "2025Q3"], "index"].isna().all()
    assert not nat.loc[["2025Q1", "2025Q2", "2025Q3"], "window_full"].any()
    assert nat.loc[["2025Q1", "2025Q2", "2025Q3"], "window_periods"].tolist() == [1, 2, 3]
    # 2025Q4: (70 + 71 + 73 + 74)/4 = 72.0; 2026Q1: (71 + 73 + 74 + 76)/4 = 73.5
    assert nat.loc["2025Q4", "index"] == pytest.approx(72.0, abs=ATOL)
    assert nat.loc["2026Q1", "index"] == pytest.approx(73.5, abs=ATOL)
    # independent quarters: se^2 = (1/4^2) * (1 + 1 + 1 + 1) = 0.25
    assert nat.loc["2026Q1", "se"] == pytest.approx(0.5, abs=ATOL)
    # change 73.5 - 72.0 = 1.5; the windows share 71, 73, 74: cov = 3 * (1/4)(1/4) * 1 = 0.1875
    # var(change) = 0.25 + 0.25 - 2*0.1875 = 0.125 (= (76 - 70)/4 -> (1 + 1)/16)
    assert nat.loc["2026Q1", "change"] == pytest.approx(1.5, abs=ATOL)
    assert nat.loc["2026Q1", "change_se"] == pytest.approx(math.sqrt(0.125), abs=ATOL)
    assert nat.loc["2026Q1", "change_p"] == pytest.approx(2 * stats.norm.sf(1.5 / math.sqrt(0.125)), rel=1e-9)
    assert bool(nat.loc["2026Q1", "change_significant"])
    assert nat.loc["2026Q1", "change_pct"] == pytest.approx(100 * 1.5 / 72.0, abs=ATOL)
    assert nat.loc["2026Q1", "baseline_period"] == "2025Q4"
    assert nat.loc["2026Q1", "measured_from"] == "2025Q2" and nat.loc["2026Q1", "measured_to"] == "2026Q1"


def test_partial_windows_are_published_and_flagged():
    res = aggregate(*_series([70.0, 71.0, 73.0, 74.0]), partial_windows=True)
    nat = res.table("national").set_index("period")
    # 2025Q1: 70; 2025Q2: (70 + 71)/2 = 70.5; 2025Q3: (70 + 71 + 73)/3 = 71.3333
    assert nat["index"].tolist()[:3] == pytest.approx([70.0, 70.5, 214.0 / 3], abs=ATOL)
    assert nat["window_full"].tolist() == [False, False, False, True]
    # 2025Q3: se^2 = 3 / 9
    assert nat.loc["2025Q3", "se"] == pytest.approx(math.sqrt(1 / 3), abs=ATOL)


def _rotating():
    # A (sector S1) measured 2025Q1 = 70; its 2025Q2 fit failed. B (sector S2) measured 2025Q2 = 80, 2025Q3 = 82.
    idx = pd.DataFrame({
        "period": ["2025Q1", "2025Q2", "2025Q2", "2025Q3"], "company": ["A", "A", "B", "B"],
        "industry": ["i1", "i1", "i2", "i2"], "sector": ["S1", "S1", "S2", "S2"],
        "index": [70.0, np.nan, 80.0, 82.0], "se": [1.0, np.nan, 2.0, 2.0], "n": [100, 0, 100, 100],
        "status": ["ok", "failed", "ok", "ok"], "reason": [None, "not converged", None, None],
    })
    return idx, pd.DataFrame({"company": ["A", "B"], "sales": [1.0, 1.0]})


def test_carry_forward_quarters_and_provenance():
    idx, sales = _rotating()
    plain = aggregate(idx, sales, window=1)
    q = plain.table("national_quarter").set_index("period")["index"]
    # without carry-forward each quarter has only what was measured in it: 70, 80, 82
    assert q.tolist() == pytest.approx([70.0, 80.0, 82.0], abs=ATOL)
    res = aggregate(idx, sales, window=1, carry_forward=1)
    q = res.table("national_quarter").set_index("period")
    # 2025Q2: A carried from 2025Q1 (70) and B (80), equal sales -> 75; 2025Q3: A is 2 quarters old > 1 -> B only, 82
    assert q["index"].tolist() == pytest.approx([70.0, 75.0, 82.0], abs=ATOL)
    assert q["n_carried"].tolist() == [0, 1, 0]
    a2 = _row(res.table(), "company", "A", "2025Q2")
    assert a2["carried_from"] == "2025Q1" and a2["index"] == 70.0 and a2["n_carried"] == 1
    assert a2["change"] == 0.0 and np.isnan(a2["change_p"])  # same measurement: no sampling variance
    h = res.hierarchy
    assert h.loc[(h["company"] == "A") & (h["period"] == "2025Q2"), "measured_period"].tolist() == ["2025Q1"]
    # the failed fit is listed, not dropped
    assert res.excluded[["period", "company", "reason"]].values.tolist() == [["2025Q2", "A", "status 'failed': not converged"]]


def test_carry_forward_se_uses_the_shared_measurement():
    idx, sales = _rotating()
    # national="latest" over two quarters: each unit's latest measurement of the window, once
    res = aggregate(idx, sales, window=2, national="latest", partial_windows=True)
    nat = res.table("national").set_index("period")
    # 2025Q1: A alone (70), the window reaches before the data -> partial; 2025Q2: A carried (70) and B (80) -> 75
    assert nat["index"].tolist()[:2] == pytest.approx([70.0, 75.0], abs=ATOL)
    assert nat["window_full"].tolist() == [False, True, True] and nat["window_periods"].tolist() == [1, 2, 2]
    # se^2 = 0.5^2 * 1 + 0.5^2 * 4 = 1.25
    assert nat.loc["2025Q2", "se"] ** 2 == pytest.approx(1.25, abs=ATOL)
    # the change 2025Q1 -> 2025Q2 shares A's measurement: coefficients A 1 -> 0.5, B 0 -> 0.5
    # var = (0.5 - 1)^2 * 1 + 0.5^2 * 4 = 1.25; treating the quarters as independent would give 1 + 1.25 = 2.25
    assert nat.loc["2025Q2", "change"] == pytest.approx(5.0, abs=ATOL)
    assert nat.loc["2025Q2", "change_se"] ** 2 == pytest.approx(1.25, abs=ATOL)
    c = res.contributions
    c = c.loc[(c["level"] == "national") & (c["period"] == "2025Q2")].set_index("measured_unit")["coefficient"]
    assert c.to_dict() == pytest.approx({"A": 0.5, "B": 0.5}, abs=ATOL)


def test_carry_forward_with_a_multi_period_mean_is_refused():
    idx, sales = _rotating()
    with pytest.raises(AggregationError, match=r"(?s)carry_forward=1 with a national mean over 2 quarters.*smooths twice"
                                               r".*national='latest'.*carry_forward=0"):
        aggregate(idx, sales, window=2, carry_forward=1)
    # a one-period window carries within periods only: allowed
    assert len(aggregate(idx, sales, window=1, carry_forward=1).table("national")) == 3


def test_change_year_over_year_and_baseline():
    # A: 2025Q1 70, 2025Q2 73, ..., 2026Q1 72 (se 1 everywhere, independent)
    res = aggregate(*_series([70.0, 73.0, 71.0, 71.0, 72.0]), window=1)
    a = res.table("company").set_index("period")
    # period over period 2025Q2: 73 - 70 = 3; pct 3/70*100 = 4.2857; z = 3/sqrt(2) = 2.1213, p = 0.0339
    assert a.loc["2025Q2", "change"] == pytest.approx(3.0, abs=ATOL)
    assert a.loc["2025Q2", "change_pct"] == pytest.approx(300.0 / 70.0, abs=ATOL)
    assert a.loc["2025Q2", "change_p"] == pytest.approx(2 * stats.norm.sf(3 / math.sqrt(2)), rel=1e-9)
    assert bool(a.loc["2025Q2", "change_significant"])
    # year over year 2026Q1 vs 2025Q1: 72 - 70 = 2; z = 2/sqrt(2) = 1.414, p = 0.157 -> not significant
    assert a.loc["2026Q1", "change_yoy"] == pytest.approx(2.0, abs=ATOL)
    assert a.loc["2026Q1", "change_yoy_pct"] == pytest.approx(200.0 / 70.0, abs=ATOL)
    assert a.loc["2026Q1", "change_yoy_p"] == pytest.approx(2 * stats.norm.sf(math.sqrt(2)), rel=1e-9)
    assert not bool(a.loc["2026Q1", "change_yoy_significant"])
    assert a["change_yoy"].isna().sum() == 4  # no quarter a year earlier for 2025Q1-Q4
    assert a["change_significant"].isna().tolist() == [True, False, False, False, False]
    # baseline: first measured period 2025Q1 (70); 2026Q1 - baseline = 2
    assert (a["baseline_period"] == "2025Q1").all()
    assert a.loc["2026Q1", "change_baseline"] == pytest.approx(2.0, abs=ATOL)


def test_change_test_formula():
    # d = 74 - 72 = 2, se = sqrt(0.6^2 + 0.8^2) = 1, z = 2, p = 2 * (1 - Phi(2)) = 0.0455
    r = change_test(72.0, 0.6, 74.0, 0.8)
    assert (r.difference, r.se, r.z) == pytest.approx((2.0, 1.0, 2.0), abs=ATOL)
    assert r.p == pytest.approx(0.04550026389635842, rel=1e-12)
    # with covariance 0.5: se = sqrt(1 + 1 - 1) = 1
    assert change_test(70.0, 1.0, 72.0, 1.0, cov=0.5).se == pytest.approx(1.0, abs=ATOL)
    v = change_test(np.array([70.0, 70.0]), np.array([1.0, 0.0]), np.array([71.0, 70.0]), np.array([1.0, 0.0]))
    assert v.z[0] == pytest.approx(1 / math.sqrt(2), abs=ATOL) and np.isnan(v.p[1])


def test_annual_periods_and_period_specific_and_per_industry_weights():
    # X moves from industry air (2024) to rail (2025); its sales are given per industry.
    idx = pd.DataFrame({
        "period": [2024, 2024, 2025, 2025], "company": ["X", "Y", "X", "Y"],
        "industry": ["air", "air", "rail", "air"], "sector": ["t", "t", "t", "t"],
        "index": [60.0, 80.0, 70.0, 90.0], "se": [1.0, 1.0, 1.0, 1.0], "n": [100, 100, 100, 100],
    })
    w = pd.DataFrame({"company": ["X", "X", "Y"], "industry": ["air", "rail", "air"], "sales": [1.0, 3.0, 3.0]})
    res = aggregate(idx, w, window=1)
    t = res.table()
    # 2024 air: (1*60 + 3*80)/4 = 75; 2025 sector: rail 3 (X 70), air 3 (Y 90) -> 80
    assert _row(t, "industry", "air", "2024")["index"] == pytest.approx(75.0, abs=ATOL)
    assert _row(t, "sector", "t", "2025")["index"] == pytest.approx(80.0, abs=ATOL)
    # annual data: year over year is the previous year: 2025 sector vs 2024 sector (75) = +5
    assert _row(t, "sector", "t", "2025")["change_yoy"] == pytest.approx(5.0, abs=ATOL)
    wp = pd.DataFrame({"company": ["X", "Y", "X", "Y"], "period": ["2024", "2024", "2025", "2025"],
                       "sales": [1.0, 1.0, 1.0, 4.0]})
    res2 = aggregate(idx, wp, window=1)
    # 2024 air: (60 + 80)/2 = 70; 2025 sector: (1*70 + 4*90)/5 = 86
    assert _row(res2.table(), "industry", "air", "2024")["index"] == pytest.approx(70.0, abs=ATOL)
    assert _row(res2.table(), "sector", "t", "2025")["index"] == pytest.approx(86.0, abs=ATOL)


def test_excluded_rows_are_listed_with_reasons(one_quarter):
    idx, sales = one_quarter
    idx = idx.assign(status=["ok", "failed: not converged", "ok", "ok"])
    idx.loc[2, "index"] = np.nan
    res = aggregate(idx, sales, window=1)
    ex = res.excluded.set_index("company")
    assert ex.loc["B", "reason"] == "status 'failed: not converged'"
    assert ex.loc["C", "reason"].startswith("index is missing")
    assert ex["row"].tolist() == [1, 2]
    # air = A alone; transport = air only (rail had no valid unit)
    assert _row(res.table(), "sector", "transport", "2025Q1")["index"] == pytest.approx(70.0, abs=ATOL)
    # B and C still have weight rows, listed as unused
    assert sorted(res.unused_weights["company"]) == ["B", "C"]
    assert "Excluded unit rows (2)" in res.summary().as_text()


def test_inputs_are_not_mutated_and_pandas_periods_accepted(one_quarter):
    idx, sales = one_quarter
    before = idx.copy(), sales.copy()
    idx_p = idx.assign(period=pd.PeriodIndex(idx["period"], freq="Q"))
    res = aggregate(idx_p, sales, window=1)
    pd.testing.assert_frame_equal(idx, before[0])
    pd.testing.assert_frame_equal(sales, before[1])
    assert res.table("national")["index"].iloc[0] == pytest.approx(71.0, abs=ATOL)


def test_summary_and_point_estimates_equal_combine(one_quarter):
    res = aggregate(*one_quarter, window=1)
    s = res.summary()
    text = str(s)
    assert "National index" in text and "71.00" in text and s.as_text() == text
    assert "<h3>" in s.as_html()
    np.testing.assert_allclose(res.combine(res.measurements["index"]), res.table()["index"], rtol=0, atol=1e-12)
    assert list(res.table().columns[:14]) == ["period", "level", "unit", "parent", "index", "se", "ci_lower",
                                               "ci_upper", "n_respondents", "n_units", "weight", "weight_share",
                                               "change", "change_pct"]
    assert "change_yoy_p" in res.table().columns and "change_p" in res.table().columns


def test_module_is_callable_like_the_function(one_quarter):
    import acsi.aggregate as agg_module

    res = agg_module(*one_quarter, window=1)
    assert res.table("national")["index"].iloc[0] == pytest.approx(71.0, abs=ATOL)


def test_fit_result_shaped_input_and_object_with_indexes():
    # the columns acsi.fit(...).indexes produces; reason is '' for ok rows
    idx = pd.DataFrame({
        "period": ["2025Q1"] * 3, "company": ["A", "B", "C"], "industry": ["i"] * 3, "sector": ["s"] * 3,
        "index": [70.0, 74.0, 90.0], "se": [1.0, 1.0, 5.0], "ci_lower": [68.0, 72.0, 80.0],
        "ci_upper": [72.0, 76.0, 100.0], "n": [250, 240, 30], "status": ["ok", "ok", "inadmissible"],
        "reason": ["", "", "negative variance (Heywood case)"],
    })
    sales = pd.DataFrame({"company": ["A", "B", "C"], "sales": [1.0, 1.0, 1.0]})

    class FitLike:
        indexes = idx

    res = aggregate(FitLike(), sales, window=1)
    # (70 + 74)/2 = 72; C is listed as excluded, not used
    assert res.table("industry")["index"].iloc[0] == pytest.approx(72.0, abs=ATOL)
    assert res.excluded["reason"].tolist() == ["status 'inadmissible': negative variance (Heywood case)"]


def test_monthly_periods_year_over_year_is_twelve_months():
    periods = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01"]
    idx = pd.DataFrame({"period": periods, "company": "A", "industry": "i", "sector": "s",
                        "index": np.arange(60.0, 73.0), "se": 1.0, "n": 10})
    res = aggregate(idx, pd.DataFrame({"company": ["A"], "sales": [1.0]}), window=3)
    a = res.table("company").set_index("period")
    # 2025-01 (72) vs 2024-01 (60): +12; vs 2024-12 (71): +1
    assert a.loc["2025-01", "change_yoy"] == pytest.approx(12.0, abs=ATOL)
    assert a.loc["2025-01", "change"] == pytest.approx(1.0, abs=ATOL)
    # 3-month national mean for 2025-01: (70 + 71 + 72)/3 = 71
    assert res.table("national").set_index("period").loc["2025-01", "index"] == pytest.approx(71.0, abs=ATOL)


def test_outputs_keep_numbers_numeric(one_quarter, tmp_path):
    res = aggregate(*one_quarter, window=1)
    res.to_csv(tmp_path)
    back = pd.read_csv(tmp_path / "aggregate_indexes.csv")
    for col in ("index", "se", "change", "change_p", "change_yoy", "weight_share"):
        assert pd.api.types.is_float_dtype(back[col]), col
    assert back["change"].isna().all()  # one period: no change, NaN (empty cell), never '-'
    assert "-" not in (tmp_path / "aggregate_indexes.csv").read_text().split("\n")[1].split(",")
