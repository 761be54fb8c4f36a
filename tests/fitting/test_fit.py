"""acsi.fit end to end: units, failures kept with reasons, accounting, outputs (the CLI: tests/cli/test_cli_fit.py)."""

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.errors import DataError
from conftest import ACSI_LAVAAN, two_period_survey


@pytest.fixture(scope="module")
def survey():
    """Two periods × three companies of 1-10 answers, plus a tiny company that must fail."""
    return two_period_survey()


@pytest.fixture(scope="module")
def result(survey):
    with pytest.warns(acsi.ConvergenceWarning, match=r"1 of 7 units failed: 2025Q1/Tiny; they stay in the results"):
        return acsi.fit(survey, acsi.parse_lavaan(ACSI_LAVAAN), unit="company")


def test_one_row_per_unit_and_failed_unit_kept(result):
    idx = result.indexes
    assert len(idx) == 2 * 3 + 1
    assert list(idx.columns[:5]) == ["period", "company", "industry", "sector", "index"]
    tiny = idx.loc[idx["company"] == "Tiny"].iloc[0]
    assert tiny["status"] == "failed"
    assert "too few respondents with complete answers (n=10 < min_n=30)" in tiny["reason"]
    assert np.isnan(tiny["index"])
    ok = idx.loc[idx["status"] == "ok"]
    assert len(ok) == 6
    assert ok["index"].between(0, 100).all()
    assert (ok["ci_lower"] < ok["index"]).all() and (ok["index"] < ok["ci_upper"]).all()


def test_index_equals_mean_of_respondent_scores(result):
    s = result.scores
    sub = s[(s["company"] == "B") & (s["period"] == "2025Q1")]
    row = result.indexes.query("company == 'B' and period == '2025Q1'").iloc[0]
    assert row["index"] == pytest.approx(sub["CS"].mean(), rel=1e-12)
    assert row["n"] == len(sub) == 150 - 1  # one 99 code in this unit


def test_company_ordering_follows_latent_means(result):
    q1 = result.indexes.query("period == '2025Q1' and status == 'ok'").set_index("company")["index"]
    assert q1["B"] > q1["A"] > q1["C"]


def test_accounting_adds_up_including_failed_unit(result, survey):
    acc = result.accounting
    assert acc["rows_read"].sum() == len(survey)
    assert acc["check"].all()
    tiny = acc.loc[acc["company"] == "Tiny"].iloc[0]
    assert tiny["dropped_unit_not_estimated"] == 10 and tiny["rows_used"] == 0
    assert acc["dropped_missing_items"].sum() == 3


def test_tables_are_numeric_and_lavaan_shaped(result):
    est = result.estimates
    assert {"lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"} <= set(est.columns)
    for c in ("est", "se", "z", "pvalue", "std_all"):
        assert pd.api.types.is_float_dtype(est[c])
    fm = result.fit_measures
    assert len(fm) == 6 and {"chisq", "df", "cfi", "rmsea", "srmr", "aic", "bic"} <= set(fm.columns)
    li = result.latent_indexes
    assert set(li["latent"]) == set(acsi.parse_lavaan(ACSI_LAVAAN).latent_ids)


def test_summary_prints_and_renders(result):
    text = str(result.summary())
    assert "7 units" not in text  # the count is spelled per status
    assert "units: 7 (6 ok, 0 inadmissible, 1 failed)" in text
    assert "<table" in result.summary().as_html()


def test_save_writes_csv_parquet_and_manifest(result, tmp_path):
    paths = result.save(tmp_path)
    back = pd.read_parquet(tmp_path / "company_indexes.parquet")
    pd.testing.assert_frame_equal(back, result.indexes, check_dtype=False)
    assert (tmp_path / "manifest.json").read_text().count("semopy") >= 1
    assert all(p.exists() for p in paths)


@pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")
def test_parallel_equals_serial(survey):
    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    a = acsi.fit(survey, spec, unit="company", n_jobs=1, pooled=False)
    b = acsi.fit(survey, spec, unit="company", n_jobs=2, pooled=False)
    pd.testing.assert_frame_equal(a.indexes, b.indexes)


@pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")
def test_unit_with_constant_item_fails_with_reason(survey):
    df = survey.copy()
    df.loc[df["company"] == "A", "pv2"] = 7
    res = acsi.fit(df, acsi.parse_lavaan(ACSI_LAVAAN), unit="company", pooled=False)
    a = res.indexes.loc[res.indexes["company"] == "A"]
    assert (a["status"] == "failed").all()
    assert a["reason"].str.contains("items with no variance.*pv2").all()


def test_unit_in_two_industries_is_an_error(survey):
    df = survey.copy()
    df.loc[5, "industry"] = "Hotels"
    with pytest.raises(DataError, match=r"units listed under more than one industry within the same period: \('2025Q1', 'A'\)"):
        acsi.fit(df, acsi.parse_lavaan(ACSI_LAVAAN), unit="company")


def test_bad_parameter_names_allowed_values():
    with pytest.raises(ValueError, match=r"The 'estimator' parameter of acsi.fit must be one of \['sem', 'pls'\]. Got 'ml' instead."):
        acsi.fit(pd.DataFrame({"a": [1]}), "CS =~ a + b", estimator="ml")


def test_fit_aggregate_shorthand_equals_function(result):
    weights = pd.DataFrame({"company": ["A", "B", "C"], "sales": [100.0, 300.0, 50.0]})
    a = result.aggregate(weights, partial_windows=True)
    b = acsi.aggregate(result.indexes, weights, partial_windows=True)
    pd.testing.assert_frame_equal(a.table(), b.table())
    ind = a.table("industry").query("period == '2025Q1' and unit == 'Airlines'").iloc[0]
    q1 = result.indexes.query("period == '2025Q1'").set_index("company")["index"]
    assert ind["index"] == pytest.approx((100 * q1["A"] + 300 * q1["B"]) / 400)


@pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")
def test_mlfast_engine_equals_semopy(survey):
    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    a = acsi.fit(survey, spec, unit="company", pooled=False, options={"engine": "semopy"})
    b = acsi.fit(survey, spec, unit="company", pooled=False, options={"engine": "mlfast"})  # the default
    np.testing.assert_allclose(a.indexes["index"], b.indexes["index"], atol=1e-6)
    np.testing.assert_allclose(a.estimates["est"], b.estimates["est"], atol=1e-5)
    with pytest.raises(ValueError, match=r"options\['engine'\]\" parameter of acsi.fit must be one of \['semopy', 'mlfast'\]. Got 'fast' instead"):
        acsi.fit(survey, spec, unit="company", options={"engine": "fast"})


def test_summary_can_show_only_extreme_units(result):
    text = result.summary(max_units=2).as_text()
    assert "the 1 highest and 1 lowest of 7 (all in fit.indexes)" in text
    top = result.indexes.sort_values("index", ascending=False).iloc[0]
    assert top["company"] in text


def test_summary_states_policy_and_counts(result):
    text = result.summary().as_text()
    assert "missing-data policy: listwise deletion; missing codes [98, 99]" in text
    # 6 units × 150 + 10 (Tiny) = 910 read; 3 rows with a 98/99 code, 10 rows of the failed unit
    assert "respondents: 910 read, 897 used, 3 missing items, 10 unit not estimated" in text
