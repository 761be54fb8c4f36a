"""Calendars and the national window as a span of time (issue 13 item 2, issue 16).

Annual, quarterly and monthly panels whose national values are computed by hand in the
comments; the published annual airline table; mixed frequencies; spellings of one period.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.aggregate import aggregate
from acsi.errors import AggregationError, InvalidParameterError

ATOL = 1e-9
DATA = Path(__file__).resolve().parent / "data"


def _panel(periods, values_a, values_b, sales=(1.0, 1.0)):
    """Two companies A and B in one industry; one row per (period, company)."""
    idx = pd.DataFrame({"period": list(periods) * 2, "company": ["A"] * len(periods) + ["B"] * len(periods),
                        "industry": "i", "sector": "s", "index": list(values_a) + list(values_b), "se": 1.0, "n": 100})
    return idx, pd.DataFrame({"company": ["A", "B"], "sales": list(sales)})


def test_annual_panel_default_window_is_one_year():
    # A: 70, 72, 75; B: 80, 80, 81; sales 1 and 3 -> national = (A + 3 B)/4 every year
    idx, sales = _panel(["2006", "2007", "2008"], [70.0, 72.0, 75.0], [80.0, 80.0, 81.0], sales=(1.0, 3.0))
    res = aggregate(idx, sales)
    nat = res.table("national").set_index("period")
    # 2006: (70 + 240)/4 = 77.5; 2007: (72 + 240)/4 = 78; 2008: (75 + 243)/4 = 79.5 -- each year on its own
    assert nat["index"].tolist() == pytest.approx([77.5, 78.0, 79.5], abs=ATOL)
    assert nat["window_periods"].tolist() == [1, 1, 1] and nat["window_full"].all()
    assert (res.options["frequency"], res.options["span"], res.options["window"]) == ("Y", "1Y", 1)
    # year over year = previous year on annual data: 79.5 - 78 = 1.5
    assert nat.loc["2008", "change_yoy"] == pytest.approx(1.5, abs=ATOL) == nat.loc["2008", "change"]
    # the old meaning of window= (periods of the data's frequency) still works, and says what it is
    four = aggregate(idx, sales, window=2)
    assert four.options["span"] == "2Y" and four.table("national")["index"].iloc[-1] == pytest.approx((78 + 79.5) / 2)
    assert "national window 2 period(s) (span 2Y: 2 years)" in str(four.summary())


def test_quarterly_panel_default_window_is_four_quarters_with_an_explicit_gap():
    # quarters 2024Q1..2025Q2 without 2024Q3; A = B (one value per quarter), equal sales
    q = ["2024Q1", "2024Q2", "2024Q4", "2025Q1", "2025Q2"]
    v = [70.0, 71.0, 73.0, 74.0, 76.0]
    res = aggregate(*_panel(q, v, v), partial_windows=True)
    assert res.calendar.gaps == ("2024Q3",) and res.options["gaps"] == ["2024Q3"]
    assert "gaps: 2024Q3" in res.options["periods"] and "Gaps in the calendar" in str(res.summary())
    nat = res.table("national").set_index("period")
    # the gap quarter has no per-period value but is inside the windows of 2024Q3..2025Q2
    assert nat.index.tolist() == ["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2"]
    # 2024Q4: Q1, Q2, Q4 (3 of 4 periods) = (70 + 71 + 73)/3; 2025Q2: Q4, Q1, Q2 -> (73 + 74 + 76)/3
    assert nat.loc["2024Q4", "index"] == pytest.approx(214 / 3, abs=ATOL)
    assert nat.loc["2025Q2", "index"] == pytest.approx(223 / 3, abs=ATOL)
    assert nat["window_periods"].tolist() == [1, 2, 2, 3, 3, 3] and not nat["window_full"].any()
    assert (nat["status"] == "ok").all() and nat["reason"].str.contains("partial window").all()
    without = aggregate(*_panel(q, v, v), window=2).table("national").set_index("period")
    # 2024Q3 (gap) and 2024Q4 have one period with data in their 2-quarter window: not published
    assert without.loc["2024Q4", "status"] == "not published" and np.isnan(without.loc["2024Q4", "index"])
    assert without.loc["2024Q4", "reason"] == "partial window: periods with data 1 of 2"
    assert without.loc["2025Q2", "index"] == pytest.approx(75.0, abs=ATOL)


def test_monthly_panel_default_window_is_twelve_months():
    # 14 months 2024-01..2025-02; A = 60 + m (m = 0..13), B = 70, equal sales -> Q_m = 65 + m/2
    months = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01", "2025-02"]
    res = aggregate(*_panel(months, [60.0 + m for m in range(14)], [70.0] * 14))
    nat = res.table("national").set_index("period")
    assert nat["index"].iloc[:11].isna().all() and res.options["window"] == 12
    # 2024-12: mean of 65 + m/2 for m = 0..11 = 65 + 5.5/2 = 67.75; 2025-02: m = 2..13 -> 65 + 7.5/2 = 68.75
    assert nat.loc["2024-12", "index"] == pytest.approx(67.75, abs=ATOL)
    assert nat.loc["2025-02", "index"] == pytest.approx(68.75, abs=ATOL)
    # independent months, se 1 per company, weights 1/2: se(Q)^2 = 1/2; twelve of them: 12 * (1/2) / 144
    assert nat.loc["2025-02", "se"] ** 2 == pytest.approx(6 / 144, abs=ATOL)
    # year over year on months: 2025-02 vs 2024-02 for company A: 73 - 61 = 12
    assert res.table("company").set_index(["unit", "period"]).loc[("A", "2025-02"), "change_yoy"] == pytest.approx(12.0)
    # spans are time: '1Y' == '12M' == '4Q' on monthly data
    for span in ("1Y", "12M", "4Q", "12 months"):
        np.testing.assert_allclose(aggregate(*_panel(months, [60.0 + m for m in range(14)], [70.0] * 14),
                                             span=span).table("national")["index"], nat["index"], atol=ATOL)


def test_spans_that_are_not_whole_periods_or_given_twice_are_errors():
    idx, sales = _panel(["2006", "2007"], [70.0, 72.0], [80.0, 80.0])
    with pytest.raises(AggregationError, match=r"span '1Q' is not a whole number of years.*'1Y'"):
        aggregate(idx, sales, span="1Q")
    with pytest.raises(AggregationError, match=r"span '18M' is not a whole number of years"):
        aggregate(idx, sales, span="18M")
    with pytest.raises(AggregationError, match=r"'span' parameter must be a span of time such as '1Y'.*Got 'a year'"):
        aggregate(idx, sales, span="a year")
    with pytest.raises(AggregationError, match=r"Give the national window once: span='1Y'.*or window=4"):
        aggregate(idx, sales, span="1Y", window=4)
    # a bad option value is an InvalidParameterError naming the function (acsi.options, issue 10)
    with pytest.raises(InvalidParameterError, match=r"'national' parameter of acsi.aggregate must be one of \['mean', 'latest'\]"):
        aggregate(idx, sales, national="rolling")


def test_one_period_written_several_ways_is_one_period():
    idx = pd.DataFrame({"period": ["2024Q1", "2024 Q1", "2024-q1", "2024Q2", "2024_Q2", "2024 q2"],
                        "company": ["A", "B", "C"] * 2, "industry": "i", "sector": "s",
                        "index": [70.0, 80.0, 90.0, 71.0, 81.0, 91.0], "se": 1.0, "n": 10})
    sales = pd.DataFrame({"company": ["A", "B", "C"], "sales": 1.0})
    res = aggregate(idx, sales, window=1)
    ind = res.table("industry").set_index("period")
    assert ind.index.tolist() == ["2024Q1", "2024Q2"] and ind["n_units"].tolist() == [3, 3]
    assert ind["index"].tolist() == pytest.approx([80.0, 81.0], abs=ATOL)
    # written two ways for one company: the same period twice -> a duplicate, named
    dup = pd.concat([idx, idx.iloc[[0]].assign(period="2024 q1")], ignore_index=True)
    with pytest.raises(AggregationError, match=r"(?s)2 duplicate row\(s\) for the same \(period, company\).*row 0: period='2024Q1'.*row 6: period='2024 q1'"):
        aggregate(dup, sales, window=1)


def test_mixed_frequencies_list_the_values():
    idx = pd.DataFrame({"period": ["2024Q1", "2024-02", "2024Q2", "2024-05"], "company": ["A", "B", "A", "B"],
                        "industry": "i", "sector": "s", "index": [70.0, 80.0, 71.0, 81.0], "se": 1.0, "n": 10})
    sales = pd.DataFrame({"company": ["A", "B"], "sales": 1.0})
    with pytest.raises(AggregationError, match=r"(?s)mixes period frequencies \['Q', 'M'\] \(quarters: 2 row\(s\), "
                                               r"e\.g\. '2024Q1', '2024Q2'; months: 2 row\(s\), e\.g\. '2024-02', '2024-05'\)"
                                               r".*row 1: period='2024-02', company='B'.*one frequency"):
        aggregate(idx, sales, window=1)


def _airlines():
    d = pd.read_csv(DATA / "acsi_airlines_annual_baseline_2008.csv", dtype={"period": str, "company": str})
    comp = d.loc[~d["company"].str.endswith("(industry)") & (d["period"] != "baseline")]
    idx = comp.rename(columns={"score": "index"}).assign(industry="airlines", sector="transport", se=1.0, n=250)
    companies = sorted(idx["company"].unique())
    return idx, pd.DataFrame({"company": companies, "sales": np.arange(1.0, len(companies) + 1)})


def test_published_annual_airline_table_national_1997_is_that_year():
    # issue 13: with the old default (window=4 periods) the annual "national" 1997 was the mean of
    # four years and 1995-1997 were blank. The default is now one year.
    idx, sales = _airlines()
    res = aggregate(idx, sales)
    nat = res.table("national").set_index("period")
    q = res.table("national_quarter").set_index("period")["index"]
    assert nat.index.tolist() == [str(y) for y in range(1995, 2009)] and nat["index"].notna().all()
    np.testing.assert_allclose(nat["index"], q, rtol=0, atol=ATOL)
    # 1997 by hand: sales 1..8 in alphabetical order of the companies (All Others 1, American 2, Continental 3,
    # Delta 4, Northwest 5, Southwest 6, US Airways 7, United 8); scores 70, 62, 64, 69, 64, 76, 68, 68
    y97 = (1 * 70 + 2 * 62 + 3 * 64 + 4 * 69 + 5 * 64 + 6 * 76 + 7 * 68 + 8 * 68) / 36
    assert nat.loc["1997", "index"] == pytest.approx(y97, abs=ATOL)
    assert nat.loc["1997", "window_periods"] == 1 and bool(nat.loc["1997", "window_full"])
    # asking for the old four-period window is explicit, and the options say it is four years
    four = aggregate(idx, sales, window=4)
    assert four.options["span"] == "4Y" and np.isnan(four.table("national").set_index("period").loc["1997", "index"])
    assert four.table("national").set_index("period").loc["1998", "index"] == pytest.approx(q.loc["1995":"1998"].mean())
