"""Validation, missing codes, out-of-range policy, readers and the data accounting."""

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.data import prepare_survey, read_survey
from acsi.errors import DataError


@pytest.fixture
def spec():
    return acsi.parse_lavaan("CS =~ cs1 + cs2\nCL =~ cl1 + cl2\nCL ~ CS\n", name="t")


@pytest.fixture
def survey():
    return pd.DataFrame(
        {
            "company": ["A", "A", "A", "B", "B", None, "B"],
            "w": [1.0, 2.0, 1.0, 0.0, 1.0, 1.0, 1.0],
            "cs1": [5, 98, 7, 8, 9, 5, 99],
            "cs2": [6, 7, 8, 9, 10, 5, 4],
            "cl1": [5, 6, 7, 8, 9, 5, 3],
            "cl2": [5, 6, 7, 8, 9, 5, 2],
        }
    )


def test_missing_codes_and_accounting_add_up(spec, survey):
    p = prepare_survey(survey, spec, groups=["company"], weight="w")
    acc = p.accounting.set_index("company")
    # A: row 1 has 98 -> missing_items; B: row 3 weight 0 -> invalid_weight, row 6 has 99 -> missing_items
    assert acc.loc["A", "rows_read"] == 3 and acc.loc["A", "rows_used"] == 2
    assert acc.loc["A", "dropped_missing_items"] == 1
    assert acc.loc["B", "dropped_invalid_weight"] == 1 and acc.loc["B", "dropped_missing_items"] == 1
    assert acc.loc["<missing>", "dropped_missing_unit"] == 1
    dropped = acc.filter(like="dropped_").sum(axis=1)
    assert (acc["rows_used"] + dropped == acc["rows_read"]).all()
    assert acc["rows_read"].sum() == len(survey)
    assert p.rows.tolist() == [0, 2, 4]  # row positions are an array, not a column (issue 10)
    im = p.item_missing.set_index("item")
    assert im.loc["cs1", "code_98"] == 1 and im.loc["cs1", "code_99"] == 1


def test_out_of_range_is_an_error_naming_columns_values_rows(spec, survey):
    bad = survey.assign(cs2=[6, 7, 8, 11, 10, 5, 0])
    with pytest.raises(DataError, match=r"cs2 \(scale 1-10\): values \[0\.0, 11\.0\] at rows \[3, 6\].*out_of_range='missing'"):
        prepare_survey(bad, spec, groups=["company"])


def test_out_of_range_as_missing_is_counted(spec, survey):
    bad = survey.assign(cs2=[6, 7, 8, 11, 10, 5, 4])
    p = prepare_survey(bad, spec, groups=["company"], out_of_range="missing")
    acc = p.accounting.set_index("company")
    assert acc.loc["B", "dropped_out_of_range"] == 1
    assert p.item_missing.set_index("item").loc["cs2", "out_of_range"] == 1


def test_missing_item_column_suggests_a_name(spec, survey):
    with pytest.raises(DataError, match=r"lacks item columns of model 't': cl2 \(did you mean 'cl_2'.*item_map"):
        prepare_survey(survey.rename(columns={"cl2": "cl_2"}), spec)


def test_item_map_renames(spec, survey):
    p = prepare_survey(survey.rename(columns={"cl2": "Q12"}), spec, item_map={"Q12": "cl2"})
    assert "cl2" in p.data.columns


def test_non_numeric_answers_are_named(spec, survey):
    bad = survey.astype({"cs2": object})
    bad.loc[2, "cs2"] = "very good"
    with pytest.raises(DataError, match=r"non-numeric answers in item columns: cs2: values \['very good'\] at rows \[2\]"):
        prepare_survey(bad, spec)


def test_unknown_group_column(spec, survey):
    with pytest.raises(DataError, match=r"column 'compnay' is not in the survey \(did you mean 'company'\?\)"):
        prepare_survey(survey, spec, groups=["compnay"])


def test_empty_table(spec):
    with pytest.raises(DataError, match="empty"):
        prepare_survey(pd.DataFrame(columns=["cs1", "cs2", "cl1", "cl2"]), spec)


def test_pairwise_or_imputation_is_refused(spec, survey):
    with pytest.raises(DataError, match="never imputes silently"):
        prepare_survey(survey, spec, missing="pairwise")


def test_readers_roundtrip(tmp_path, survey):
    for name, write in [
        ("s.csv", lambda p: survey.to_csv(p, index=False)),
        ("s.parquet", lambda p: survey.to_parquet(p, index=False)),
        ("s.xlsx", lambda p: survey.to_excel(p, index=False)),
    ]:
        path = tmp_path / name
        write(path)
        back = read_survey(path)
        assert list(back.columns) == list(survey.columns)
        assert back["cs1"].tolist() == survey["cs1"].tolist()


def test_spss_value_labels_become_missing_codes(tmp_path, spec):
    pyreadstat = pytest.importorskip("pyreadstat")
    df = pd.DataFrame({"cs1": [5.0, 97.0, 7.0], "cs2": [6.0, 7.0, 8.0], "cl1": [5.0, 6.0, 7.0], "cl2": [5.0, 6.0, 7.0]})
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(df, str(path), variable_value_labels={"cs1": {97.0: "Don't know", 1.0: "Very poor"}})
    back = read_survey(path)
    assert back.attrs["missing_codes"] == {"cs1": [97.0]}
    p = prepare_survey(back, spec, missing_codes=())
    assert p.accounting["dropped_missing_items"].sum() == 1
    path2 = tmp_path / "s.dta"
    pyreadstat.write_dta(df, str(path2), variable_value_labels={"cs1": {97: "refused"}})
    assert read_survey(path2).attrs["missing_codes"] == {"cs1": [97.0]}


def test_unknown_extension(tmp_path):
    p = tmp_path / "s.json"
    p.write_text("{}")
    with pytest.raises(DataError, match=r"cannot tell the format .*\.csv, \.parquet, \.xlsx, \.sav or \.dta"):
        read_survey(p)


def test_items_named_weight_and_row_are_items(spec):
    """Survey weights and row positions travel as arrays, so an item may be called ``weight`` or ``row``."""
    import acsi

    text = "CS =~ weight + row + cs3\nCL =~ cl1 + cl2\nCL ~ CS\n"
    model = acsi.parse_lavaan(text)
    rng = np.random.default_rng(3)
    f = rng.standard_normal(200)
    g = 0.6 * f + 0.8 * rng.standard_normal(200)
    answers = {"weight": f, "row": f, "cs3": f, "cl1": g, "cl2": g}
    df = pd.DataFrame({k: np.clip(np.round(6 + 1.5 * (v + 0.6 * rng.standard_normal(200))), 1, 10)
                       for k, v in answers.items()})
    df["w"] = np.where(np.arange(200) % 2 == 0, 1.0, 3.0)
    df["company"] = "A"
    p = prepare_survey(df, model, weight="w")
    assert p.data["weight"].tolist() == df["weight"].tolist()  # the item, not the survey weight
    assert p.weights.tolist() == df["w"].tolist() and p.rows.tolist() == list(range(200))
    fit = acsi.fit(df, model, unit="company", weight="w", pooled=False)
    assert fit.outcomes[0].status == "ok"
    # the index is the survey-weighted mean of the scores, with the weights of column w
    s = fit.scores
    assert s["weight"].tolist() == df["w"].tolist() and s["row"].tolist() == list(range(200))
    cs = fit.indexes["index"].iloc[0]
    assert cs == pytest.approx(float(np.average(s["CS"], weights=df["w"])), rel=1e-12)
    assert cs != pytest.approx(float(s["CS"].mean()), rel=1e-6)
