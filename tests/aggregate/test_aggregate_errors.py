"""Every bad input gets an AggregationError that names the offending rows and the fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from acsi.aggregate import aggregate
from acsi.errors import AggregationError, InvalidParameterError


@pytest.fixture
def good():
    idx = pd.DataFrame({
        "period": ["2025Q1", "2025Q1", "2025Q2", "2025Q2"], "company": ["A", "B", "A", "B"],
        "industry": ["air", "air", "air", "air"], "sector": ["t", "t", "t", "t"],
        "index": [70.0, 80.0, 71.0, 79.0], "se": [1.0, 1.0, 1.0, 1.0], "n": [100, 100, 100, 100],
    })
    sales = pd.DataFrame({"company": ["A", "B"], "sales": [1.0, 2.0]})
    return idx, sales


def test_good_input_passes(good):
    assert len(aggregate(*good, window=2).table("national")) == 2


def test_units_without_weights(good):
    idx, sales = good
    with pytest.raises(AggregationError, match=r"(?s)no sales weight \(units without weights\).*company='B'.*Add a row per \(company\)"):
        aggregate(idx, sales.iloc[:1], window=2)


def test_units_without_period_weights_mentions_carry_forward(good):
    idx, _ = good
    w = pd.DataFrame({"company": ["A", "B", "A"], "period": ["2025Q1", "2025Q1", "2025Q2"], "sales": [1.0, 1.0, 1.0]})
    with pytest.raises(AggregationError, match=r"(?s)period='2025Q2', company='B'.*carried into"):
        aggregate(idx, w, window=2)


def test_weights_without_units(good):
    idx, sales = good
    extra = pd.concat([sales, pd.DataFrame({"company": ["Zed"], "sales": [5.0]})], ignore_index=True)
    with pytest.raises(AggregationError, match=r"(?s)weights without units.*row 2: company='Zed'.*Remove these rows"):
        aggregate(idx, extra, window=2)


def test_negative_sales(good):
    idx, sales = good
    with pytest.raises(AggregationError, match=r"(?s)negative sales.*row 1: company='B', sales=-2.*>= 0"):
        aggregate(idx, sales.assign(sales=[1.0, -2.0]), window=2)


def test_missing_and_non_numeric_sales(good):
    idx, sales = good
    with pytest.raises(AggregationError, match=r"(?s)'sales' is missing in 1 row.*company='B'"):
        aggregate(idx, sales.assign(sales=[1.0, np.nan]), window=2)
    with pytest.raises(AggregationError, match=r"(?s)non-numeric values.*company='A', sales='lots'"):
        aggregate(idx, sales.assign(sales=["lots", 2.0]), window=2)


def test_zero_total_weight(good):
    idx, sales = good
    with pytest.raises(AggregationError, match=r"(?s)2 industry-period\(s\) have zero total weight.*industry='air'.*positive sales"):
        aggregate(idx, sales.assign(sales=[0.0, 0.0]), window=2)


def test_zero_sector_weights(good):
    idx, sales = good
    with pytest.raises(AggregationError, match=r"(?s)zero total weight.*positive sector weights"):
        aggregate(idx, sales, window=2, sector_weights=pd.DataFrame({"sector": ["t"], "weight": [0.0]}))


def test_unit_under_two_industries(good):
    idx, sales = good
    bad = pd.concat([idx, idx.iloc[[0]].assign(industry="rail")], ignore_index=True)
    with pytest.raises(AggregationError, match=r"(?s)under two industries in the same period.*row 0: period='2025Q1', company='A', industry='air'.*row 4:.*industry='rail'.*own company name"):
        aggregate(bad, sales, window=2)


def test_industry_under_two_sectors(good):
    idx, sales = good
    with pytest.raises(AggregationError, match=r"(?s)same industry under two sectors.*sector='x'"):
        aggregate(idx.assign(sector=["t", "x", "t", "t"]), sales, window=2)


def test_duplicate_rows(good):
    idx, sales = good
    bad = pd.concat([idx, idx.iloc[[3]]], ignore_index=True)
    with pytest.raises(AggregationError, match=r"(?s)2 duplicate row\(s\) for the same \(period, company\).*row 3.*row 4.*Keep one row"):
        aggregate(bad, sales, window=2)


def test_duplicate_weights(good):
    idx, sales = good
    with pytest.raises(AggregationError, match=r"(?s)weights table has 2 duplicate.*company='B'"):
        aggregate(idx, pd.concat([sales, sales.iloc[[1]]], ignore_index=True), window=2)


@pytest.mark.parametrize("label", ["2025Q5", "Q1 2025", "baseline", None])
def test_malformed_periods(good, label):
    idx, sales = good
    bad = idx.astype({"period": object})
    bad.loc[2, "period"] = label
    with pytest.raises(AggregationError, match=r"(?s)1 row\(s\) with a malformed period.*row 2: period=.*'YYYYQn'"):
        aggregate(bad, sales, window=2)


def test_mixed_frequencies(good):
    idx, sales = good
    with pytest.raises(AggregationError, match=r"(?s)mixes period frequencies \['Q', 'Y'\].*row 2: period='2025'"):
        aggregate(idx.assign(period=["2025Q1", "2025Q1", "2025", "2025"]), sales, window=1)


def test_weights_period_frequency_must_match(good):
    idx, sales = good
    w = pd.DataFrame({"company": ["A", "B"], "period": ["2025", "2025"], "sales": [1.0, 1.0]})
    with pytest.raises(AggregationError, match=r"frequency 'Y' but the indexes' have 'Q'"):
        aggregate(idx, w, window=2)


def test_window_longer_than_data(good):
    idx, sales = good
    with pytest.raises(AggregationError, match=r"(?s)window \(4 periods\) is longer than the data.*2 period\(s\) \(2025Q1 to 2025Q2\).*partial_windows=True"):
        aggregate(idx, sales)  # default window 4, two quarters of data
    res = aggregate(idx, sales, partial_windows=True)  # the fix the message names
    assert res.table("national")["window_full"].tolist() == [False, False]


def test_missing_columns(good):
    idx, sales = good
    with pytest.raises(AggregationError, match=r"indexes table lacks the column\(s\) \['sector'\].*set unit="):
        aggregate(idx.drop(columns="sector"), sales)
    with pytest.raises(AggregationError, match=r"weights table lacks the column\(s\) \['sales'\]"):
        aggregate(idx, sales.rename(columns={"sales": "revenue"}), window=2)
    with pytest.raises(AggregationError, match=r"lacks the column\(s\) \['brand'\]"):
        aggregate(idx, sales, unit="brand")


def test_not_a_dataframe_and_empty(good):
    _, sales = good
    with pytest.raises(AggregationError, match="must be a pandas DataFrame. Got list"):
        aggregate([1, 2], sales)
    with pytest.raises(AggregationError, match="indexes table is empty"):
        aggregate(good[0].iloc[:0], sales)


def test_bad_values_in_indexes(good):
    idx, sales = good
    with pytest.raises(AggregationError, match=r"(?s)outside 0-100.*company='B'.*index=180.*rescale"):
        aggregate(idx.assign(index=[70.0, 180.0, 71.0, 79.0]), sales, window=2)
    with pytest.raises(AggregationError, match=r"(?s)negative standard error.*row 0"):
        aggregate(idx.assign(se=[-1.0, 1.0, 1.0, 1.0]), sales, window=2)
    with pytest.raises(AggregationError, match=r"(?s)'index' has non-numeric values.*index='high'"):
        aggregate(idx.assign(index=["high", 80.0, 71.0, 79.0]), sales, window=2)
    with pytest.raises(AggregationError, match=r"(?s)without a 'company' name.*row 1"):
        aggregate(idx.assign(company=["A", None, "A", "B"]), sales, window=2)
    with pytest.raises(AggregationError, match=r"(?s)without an industry or sector.*row 0"):
        aggregate(idx.assign(industry=[None, "air", "air", "air"]), sales, window=2)


def test_all_rows_excluded(good):
    idx, sales = good
    with pytest.raises(AggregationError, match=r"all 4 rows are excluded.*status 'failed'"):
        aggregate(idx.assign(status="failed"), sales, window=2)


@pytest.mark.parametrize("kw, match", [
    ({"window": 0}, "'window' parameter of acsi.aggregate must be a positive integer.*Got 0"),
    ({"window": 2.5}, "'window' parameter.*Got 2.5"),
    ({"carry_forward": -1}, "'carry_forward' parameter of acsi.aggregate must be a non-negative integer.*Got -1"),
    ({"confidence": 1.5}, "'confidence' parameter of acsi.aggregate must be a number strictly between 0 and 1.*Got 1.5"),
    ({"partial_windows": "yes"}, "'partial_windows' parameter of acsi.aggregate must be True or False"),
    ({"unit": ""}, "'unit' parameter of acsi.aggregate must be a column name"),
])
def test_bad_options(good, kw, match):
    # a bad option value is an InvalidParameterError (a ValueError) in every function (issue 10)
    with pytest.raises(InvalidParameterError, match=match):
        aggregate(*good, **{"window": 2, **kw})


def test_sector_weights_and_industry_totals_checks(good):
    idx, sales = good
    with pytest.raises(AggregationError, match=r"(?s)sector_weights table has 1 row\(s\) for sector values that are not in the indexes.*sector='nowhere'"):
        aggregate(idx, sales, window=2, sector_weights=pd.DataFrame({"sector": ["t", "nowhere"], "weight": [1.0, 1.0]}))
    sw = pd.DataFrame({"sector": ["t"], "period": ["2025Q1"], "weight": [1.0]})
    with pytest.raises(AggregationError, match=r"(?s)sector-period\(s\) in sector_weights have no value.*sector='t', period='2025Q2'"):
        aggregate(idx, sales, window=2, sector_weights=sw)
    with pytest.raises(AggregationError, match=r"(?s)industry_totals table has 1 negative"):
        aggregate(idx, sales, window=2, industry_totals=pd.DataFrame({"industry": ["air"], "sales": [-1.0]}))
    with pytest.raises(AggregationError, match=r"industry_totals table lacks the column\(s\) \['sales'\]"):
        aggregate(idx, sales, window=2, industry_totals=pd.DataFrame({"industry": ["air"], "total": [1.0]}))
    with pytest.raises(AggregationError, match=r"(?s)sector_weights table has 2 duplicate"):
        aggregate(idx, sales, window=2, sector_weights=pd.DataFrame({"sector": ["t", "t"], "weight": [1.0, 2.0]}))


def test_carried_measurement_contradicting_hierarchy():
    # industry 'air' is in sector 't' in 2025Q1 but in 'x' in 2025Q2; A's 2025Q1 measurement carried into 2025Q2
    idx = pd.DataFrame({"period": ["2025Q1", "2025Q2"], "company": ["A", "B"], "industry": ["air", "air"],
                        "sector": ["t", "x"], "index": [70.0, 80.0], "se": [1.0, 1.0], "n": [1, 1]})
    sales = pd.DataFrame({"company": ["A", "B"], "sales": [1.0, 1.0]})
    assert len(aggregate(idx, sales, window=1).table("sector")) == 2
    with pytest.raises(AggregationError, match=r"(?s)After carrying measurements forward.*two sectors.*lower carry_forward"):
        aggregate(idx, sales, window=1, carry_forward=1)


def test_table_level_and_combine_errors(good):
    res = aggregate(*good, window=2)
    with pytest.raises(InvalidParameterError, match=r"'level' parameter of AggregateResult.table must be one of \['company'.*Got 'country'"):
        res.table("country")
    with pytest.raises(AggregationError, match=r"one value per measurement \(4 rows"):
        res.combine(np.ones(3))


def test_window_never_full_because_of_gaps():
    # data in 2025Q1, 2025Q2 and 2025Q4: span 4 quarters, but no 3 consecutive quarters with data
    idx = pd.DataFrame({"period": ["2025Q1", "2025Q2", "2025Q4"], "company": "A", "industry": "i", "sector": "s",
                        "index": [70.0, 71.0, 72.0], "se": 1.0, "n": 10})
    sales = pd.DataFrame({"company": ["A"], "sales": [1.0]})
    with pytest.raises(AggregationError, match=r"(?s)No national figure can be published: no run of 3 consecutive.*2025Q1, 2025Q2, 2025Q4.*national='latest'"):
        aggregate(idx, sales, window=3)
    # the fix the message names: each unit's latest measurement of the window (2025Q2 carried into 2025Q3)
    nat = aggregate(idx, sales, window=3, national="latest").table("national").set_index("period")
    assert nat.loc[["2025Q1", "2025Q2"], "index"].isna().all()  # the window reaches before the data
    assert nat.loc["2025Q3", "index"] == pytest.approx(71.0) and nat.loc["2025Q4", "index"] == pytest.approx(72.0)
