"""acsi.data.periods: the one period parser, canonical labels, calendars, spans; and acsi.fit using it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.data.periods import (
    MISSING,
    PERIODS_PER_YEAR,
    Calendar,
    canonical_periods,
    labels,
    parse_periods,
    span_periods,
)
from acsi.errors import AggregationError, DataError
from conftest import ACSI_LAVAAN, ACSI_TRUTH, exact_data, implied_cov


@pytest.mark.parametrize("text, freq, ordinal", [
    ("2024Q1", "Q", 216), ("2024-Q1", "Q", 216), ("2024 Q1", "Q", 216), ("2024q1", "Q", 216), ("2024_Q1", "Q", 216),
    ("2024/Q4", "Q", 219), (" 2024Q2 ", "Q", 217), ("2024 - q3", "Q", 218),
    ("2024-03", "M", 650), ("2024-3", "M", 650), ("2024M03", "M", 650), ("2024m3", "M", 650), ("2024/12", "M", 659),
    ("2024", "Y", 54), ("2024.0", "Y", 54),
])
def test_spellings(text, freq, ordinal):
    ords, f = parse_periods(pd.Series([text]))
    assert (f, int(ords[0])) == (freq, ordinal)
    # the ordinal is pandas' Period.ordinal of the calendar frequency
    assert pd.Period(labels(ords, f)[0], freq={"Q": "Q", "M": "M", "Y": "Y"}[f]).ordinal == ordinal


def test_canonical_labels_make_one_period_of_many_spellings():
    lab, f = canonical_periods(pd.Series(["2024Q1", "2024 Q1", "2024-q1", None, "", "2024Q2"]))
    assert f == "Q" and lab.tolist() == ["2024Q1", "2024Q1", "2024Q1", None, None, "2024Q2"]
    lab, f = canonical_periods(pd.Series([2023, 2024, np.nan]))
    assert f == "Y" and lab.tolist() == ["2023", "2024", None]
    lab, f = canonical_periods(pd.Series(["2024M1", "2024-01", "2024/1"]))
    assert f == "M" and set(lab) == {"2024-01"}


def test_pandas_periods_and_dates_with_a_frequency():
    q = pd.Series(pd.period_range("2024Q3", periods=3, freq="Q"))
    ords, f = parse_periods(q)
    assert f == "Q" and labels(ords, f).tolist() == ["2024Q3", "2024Q4", "2025Q1"]
    ords, f = parse_periods(pd.Series(list(pd.period_range("2024-11", periods=2, freq="M")), dtype=object))
    assert f == "M" and labels(ords, f).tolist() == ["2024-11", "2024-12"]
    dates = pd.Series(pd.to_datetime(["2024-02-15", "2024-05-01", "2024-06-30"]))
    ords, f = parse_periods(dates, freq="Q")
    assert labels(ords, f).tolist() == ["2024Q1", "2024Q2", "2024Q2"]
    ords, f = parse_periods(pd.Series(["2024-02-15", "2024-11-30T10:00"]), freq="M")
    assert labels(ords, f).tolist() == ["2024-02", "2024-11"]
    with pytest.raises(DataError, match=r"(?s)1 row\(s\) with a date instead of a period: '2024-02-15'.*pass freq='Q'"):
        parse_periods(pd.Series(["2024-02-15"]))
    with pytest.raises(DataError, match=r"pandas frequency 'Q-MAR', which is not a calendar"):
        parse_periods(pd.Series(pd.period_range("2024Q1", periods=2, freq="Q-MAR")))
    with pytest.raises(DataError, match=r"periods are quarters but months \(freq='M'\) were expected"):
        parse_periods(pd.Series(["2024Q1"]), freq="M")


@pytest.mark.parametrize("bad", ["baseline", "24Q1", "202401", "2024-13", "2024Q5", "Q1 2024", "2024H1", "1/2024"])
def test_malformed_labels_are_errors_listing_the_values(bad):
    with pytest.raises(DataError, match=rf"(?s)The survey table has 1 row\(s\) with a malformed period: '{bad}' \(1 row\)"
                                        r".*row 1: period=.*'YYYYQn'"):
        parse_periods(pd.Series(["2024Q1", bad], name="period"), table="survey")


def test_mixed_frequencies_and_missing_values():
    with pytest.raises(DataError, match=r"(?s)mixes period frequencies \['Q', 'Y'\] \(quarters: 2 row\(s\), e\.g\. '2024Q1', "
                                        r"'2024 Q2'; years: 1 row\(s\), e\.g\. '2024'\).*row 2: period='2024'"):
        parse_periods(pd.Series(["2024Q1", "2024 Q2", "2024"], name="period"))
    with pytest.raises(DataError, match=r"(?s)2 row\(s\) with a malformed period \(no period given\): <missing> \(1 row\), ' ' \(1 row\)"
                                        r".*row 2: period=' '.*Fill in the period of every row"):
        parse_periods(pd.Series(["2024Q1", None, " "]))
    ords, f = parse_periods(pd.Series(["2024Q1", None, " "]), allow_missing=True)
    assert f == "Q" and ords.tolist() == [216, MISSING, MISSING]
    # the error class is the caller's (the aggregation raises AggregationError)
    with pytest.raises(AggregationError):
        parse_periods(pd.Series(["x"]), error=AggregationError)


def test_rows_are_quoted_with_their_labels_in_the_table_given():
    frame = pd.DataFrame({"period": ["2024Q1", "nope"], "company": ["A", "B"]}, index=[10, 11])
    with pytest.raises(DataError, match=r"row 11: period='nope', company='B'"):
        parse_periods(frame["period"], frame=frame, columns=["period", "company"])


def test_calendar_gaps_and_spans():
    ords, f = parse_periods(pd.Series(["2024Q1", "2024Q2", "2024Q4", "2025Q2"]))
    cal = Calendar.from_ordinals(ords, f)
    assert cal.labels == ("2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2") and len(cal) == 6
    assert cal.gaps == ("2024Q3", "2025Q1") and cal.periods_per_year == PERIODS_PER_YEAR["Q"] == 4
    fr = cal.frame()
    assert fr["observed"].tolist() == [True, True, False, True, False, True] and fr["position"].tolist() == list(range(6))
    assert cal.describe() == "quarters 2024Q1 to 2025Q2 (6 period(s); gaps: 2024Q3, 2025Q1)"
    assert [span_periods(s, "Q") for s in ("1Y", "4Q", "12M", "2 years", "3 quarters", "6M")] == [4, 4, 4, 8, 3, 2]
    assert [span_periods(s, "M") for s in ("1Y", "1Q", "1M")] == [12, 3, 1]
    assert span_periods("1Y", "Y") == 1
    with pytest.raises(DataError, match=r"span '2M' is not a whole number of quarters"):
        span_periods("2M", "Q")
    with pytest.raises(DataError, match=r"'span' parameter must be a span of time"):
        span_periods("0Y", "Q")


def _survey():
    """Two companies in one quarter, 150 respondents each; half of A's rows write the quarter '2025 Q1'."""
    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    t = ACSI_TRUTH
    cov = implied_cov(spec, t["loadings"], t["paths"], t["theta"], t["psi"])
    frames = []
    for k, company in enumerate(["A", "B"]):
        d = exact_data(cov, 150, mean=6.0 + k * 0.5, seed=k).round().clip(1, 10)
        d.insert(0, "company", company)
        d.insert(0, "period", "2025Q1")
        frames.append(d)
    df = pd.concat(frames, ignore_index=True)
    df.loc[:74, "period"] = "2025 Q1"
    return spec, df


def test_fit_reads_one_quarter_written_two_ways_as_one_unit():
    spec, df = _survey()
    fit = acsi.fit(df, spec, unit="company", pooled=False)
    idx = fit.indexes
    assert idx[["period", "company"]].values.tolist() == [["2025Q1", "A"], ["2025Q1", "B"]]
    assert idx["n"].tolist() == [150, 150]
    # the same numbers as with the labels written one way
    same = acsi.fit(df.assign(period="2025Q1"), spec, unit="company", pooled=False).indexes
    np.testing.assert_allclose(idx["index"], same["index"], rtol=0, atol=1e-12)


def test_fit_refuses_mixed_period_labels_and_keeps_plain_names():
    spec, df = _survey()
    with pytest.raises(DataError, match=r"(?s)survey table mixes period frequencies \['Q', 'Y'\]"):
        acsi.fit(df.assign(period=["2025Q1"] * 150 + ["2025"] * 150), spec, unit="company", pooled=False)
    with pytest.raises(DataError, match=r"(?s)survey table has 150 row\(s\) with a malformed period: 'wave 2'"):
        acsi.fit(df.assign(period=["2025Q1"] * 150 + ["wave 2"] * 150), spec, unit="company", pooled=False)
    # names that are not periods at all identify units as given (they cannot be put on a calendar)
    fit = acsi.fit(df.assign(period=["wave 1"] * 150 + ["wave 2"] * 150), spec, unit="company", pooled=False)
    assert sorted(fit.indexes["period"]) == ["wave 1", "wave 2"]


def test_docstring_examples():
    import doctest

    import acsi.data.periods as mod

    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
