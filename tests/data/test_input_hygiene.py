"""Input hygiene (issue 16): missing codes given as text, repeated columns and respondent ids,
text tables with another separator, decimal mark or encoding, option values out of range."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.data import prepare_survey, read_survey
from acsi.data.prepare import missing_codes_of
from acsi.errors import DataError, DataWarning, InvalidParameterError
from acsi.options import JOBS, Real, check


@pytest.fixture
def spec():
    return acsi.parse_lavaan("CS =~ cs1 + cs2\nCL =~ cl1 + cl2\nCL ~ CS\n", name="t")


@pytest.fixture
def survey():
    rng = np.random.default_rng(3)
    df = pd.DataFrame(rng.integers(1, 11, size=(40, 4)), columns=["cs1", "cs2", "cl1", "cl2"])
    df.insert(0, "company", "A")
    df.loc[[0, 1], "cs1"] = [98, 99]
    df.loc[2, "cs2"] = 8  # an 8 and a 9 are answers, not codes
    df.loc[3, "cs2"] = 9
    return df


@pytest.mark.parametrize("codes, expected", [
    ("98", (98,)), ("98,99", (98, 99)), ("-9; -8", (-9, -8)), (" 97 98 ", (97, 98)), (98, (98,)),
    ([98, "99"], (98, 99)), (None, ()), ((), ()), (9.5, (9.5,)), ({"cs1": "97,98"}, {"cs1": (97, 98)}),
])
def test_missing_codes_are_read_as_numbers(codes, expected):
    assert missing_codes_of(codes) == expected


@pytest.mark.parametrize("codes", ["98,x", "nine", True, float("inf"), object(), [98, None]])
def test_missing_codes_that_are_not_numbers_are_refused_naming_the_value(codes):
    with pytest.raises(InvalidParameterError, match="missing_codes") as info:
        missing_codes_of(codes)
    assert "'98,99'" in str(info.value)  # says how to write them


def test_a_text_code_is_never_read_character_by_character(spec, survey):
    # issue 16: missing_codes="98" made every 8 and 9 missing, and 0 of 600 respondents were used
    as_text = prepare_survey(survey, spec, missing_codes="98,99")
    as_numbers = prepare_survey(survey, spec, missing_codes=(98, 99))
    assert len(as_text.data) == len(as_numbers.data) == len(survey) - 2
    one = prepare_survey(survey.drop(index=1), spec, missing_codes="98")
    assert len(one.data) == len(survey) - 2  # only the row with 98: the 8 and the 9 of cs2 are answers
    assert {8.0, 9.0} <= set(one.data["cs2"])


def test_a_column_named_twice_is_an_error_in_a_frame_and_in_a_file(spec, survey, tmp_path):
    twice = pd.concat([survey, survey[["cs1"]]], axis=1)
    with pytest.raises(DataError, match=r"more than once: \['cs1'\]"):
        prepare_survey(twice, spec)
    path = tmp_path / "twice.csv"
    twice.to_csv(path, index=False)  # pandas would read the copy as cs1.1 and ignore it
    with pytest.raises(DataError, match=r"'cs1' \(columns 2, 6\)"):
        read_survey(path)


def test_repeated_ids_warn_with_a_count_or_fail_when_the_id_column_is_declared(spec, survey):
    df = survey.assign(respondent_id=list(range(len(survey) - 3)) + [0, 1, 1])
    with pytest.warns(DataWarning, match=r"2 of its values appear more than once \(5 rows"):
        prepare_survey(df, spec)
    with pytest.raises(DataError, match=r"'respondent_id': 2 id\(s\) appear more than once \(5 rows\)"):
        prepare_survey(df, spec, id_column="respondent_id")
    with pytest.raises(DataError, match=r"1 row\(s\) have no id"):
        prepare_survey(df.assign(respondent_id=df["respondent_id"].astype(object).where(df.index != 4)).drop_duplicates(
            "respondent_id"), spec, id_column="respondent_id")
    with pytest.raises(DataError, match="not in the survey"):
        prepare_survey(df, spec, id_column="no_such")
    unique = survey.assign(respondent_id=range(len(survey)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prepare_survey(unique, spec, id_column="respondent_id")
        prepare_survey(unique, spec)


def test_semicolons_and_decimal_commas_are_detected_and_stated(survey, tmp_path):
    df = survey.assign(w=np.linspace(0.5, 1.5, len(survey)))
    path = tmp_path / "eu.csv"
    df.to_csv(path, index=False, sep=";", decimal=",")
    got = read_survey(path)
    pd.testing.assert_frame_equal(got, df, check_dtype=False)
    assert got.attrs["read_as"] == {"format": "text", "sep": ";", "decimal": ",", "encoding": "utf-8",
                                    "detected": ["sep", "decimal"]}
    plain = tmp_path / "plain.csv"
    df.to_csv(plain, index=False)
    assert read_survey(plain).attrs["read_as"]["detected"] == []


def test_a_mixed_decimal_mark_or_an_ambiguous_separator_asks_for_the_option(tmp_path):
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("a;b\n1,5;2.5\n3,5;4.5\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"decimal mark .*'1,5' and as '2.5'.*--decimal"):
        read_survey(mixed)
    assert read_survey(mixed, decimal=".")["b"].tolist() == [2.5, 4.5]
    both = tmp_path / "both.csv"
    both.write_text("a,b;c\n1,2;3\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"separator .*','.*';'.*--sep"):
        read_survey(both)
    assert list(read_survey(both, sep=";").columns) == ["a,b", "c"]


def test_a_gbk_file_gets_a_hint_and_reads_with_the_encoding(survey, tmp_path):
    df = survey.assign(company="中国国际航空")
    path = tmp_path / "gbk.csv"
    df.to_csv(path, index=False, encoding="gbk")
    with pytest.raises(DataError, match=r"not UTF-8 .*GBK .*--encoding gbk"):
        read_survey(path)
    got = read_survey(path, encoding="gbk")
    assert got["company"].iloc[0] == "中国国际航空" and got.attrs["read_as"]["encoding"] == "gbk"
    with pytest.raises(DataError, match="unknown text encoding 'no-such'"):
        read_survey(path, encoding="no-such")


@pytest.mark.filterwarnings("ignore::acsi.ConvergenceWarning")
def test_the_fit_records_how_its_input_was_read(survey, tmp_path, spec):
    path = tmp_path / "eu.csv"
    survey.to_csv(path, index=False, sep=";")
    res = acsi.fit(read_survey(path), spec, unit="company", min_n=10)
    assert dict(res.provenance["options"]["input"]) == {"sep": ";", "decimal": ".", "encoding": "utf-8",
                                                        "detected": ("sep",)}


@pytest.mark.parametrize("value", [0, -2, -5, 1.5, True])
def test_jobs_is_minus_one_or_a_positive_count(value):
    with pytest.raises(InvalidParameterError, match=r"-1 \(all cores\) or a positive number"):
        check("acsi.fit", "n_jobs", value, JOBS)
    for ok in (-1, 1, 4):
        check("acsi.fit", "n_jobs", ok, JOBS)


def test_a_confidence_of_95_is_read_as_a_percent():
    with pytest.raises(InvalidParameterError, match=r"95 reads as a percent: give 0.95 for 95%"):
        check("acsi.fit", "confidence", 95, Real(0, 1, closed="neither"))
    with pytest.raises(InvalidParameterError) as info:
        check("acsi.fit", "confidence", 1.5, Real(0, 1, closed="neither"))
    assert "percent" not in str(info.value)


# ---------------------------------------------------------------- the other silent cases of issue 16, as they stand
@pytest.fixture(scope="module")
def two_periods():
    from conftest import ACSI_LAVAAN, two_period_survey

    return two_period_survey(), acsi.parse_lavaan(ACSI_LAVAAN)


# std_lv is an option since issue 11 (semwire); another table option acsi.fit does not take stands in
@pytest.mark.parametrize("options, key", [({"auto_fix_first": False}, "auto_fix_first"),
                                          ({"estimator_typo": "MLR"}, "estimator_typo")])
def test_unknown_estimator_options_are_refused_naming_the_known_ones(two_periods, options, key):
    survey, spec = two_periods
    with pytest.raises(InvalidParameterError, match=rf"unknown key\(s\) \['{key}'\].*the known keys are"):
        acsi.fit(survey, spec, unit="company", options=options)


@pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")
def test_one_quarter_written_three_ways_is_one_period(two_periods):
    survey, spec = two_periods
    mixed = survey.copy()
    q2 = mixed.index[mixed["period"] == "2025Q2"]
    mixed.loc[q2[::3], "period"] = "2025 Q2"
    mixed.loc[q2[1::3], "period"] = "2025-Q2"
    a = acsi.fit(mixed, spec, unit="company")
    b = acsi.fit(survey, spec, unit="company")
    assert sorted(a.indexes["period"].unique()) == ["2025Q1", "2025Q2"]
    pd.testing.assert_frame_equal(a.indexes, b.indexes)


@pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_non_finite_sales_are_refused_naming_the_row(two_periods, bad):
    survey, spec = two_periods
    fit = acsi.fit(survey, spec, unit="company")
    sales = pd.DataFrame({"company": ["A", "B", "C"], "sales": [1.0, bad, 2.0]})
    with pytest.raises(acsi.AggregationError, match=r"company='B'"):
        fit.aggregate(sales, partial_windows=True)


@pytest.mark.parametrize("min_n", [0, -1, 1])
def test_min_n_below_two_is_refused(two_periods, min_n):
    survey, spec = two_periods
    with pytest.raises(InvalidParameterError, match=rf"'min_n' parameter of acsi.fit must be an integer >= 2. Got {min_n}"):
        acsi.fit(survey, spec, unit="company", min_n=min_n)


def test_text_options_for_a_binary_table_are_an_error_not_ignored(survey, tmp_path):
    path = tmp_path / "survey.parquet"
    survey.to_parquet(path)
    with pytest.raises(DataError, match=r"sep and encoding apply to text tables .* drop --sep, --encoding"):
        read_survey(path, sep=";", encoding="gbk")
    assert len(read_survey(path)) == len(survey)
