"""prepare_survey reads every observed column of the model (issue 11): items, an observed 0/1
complaint in the structural part, covariates, each with its own scale; declared demographics
are carried along; a latent named like a column is refused."""

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.data import prepare_survey, read_survey
from acsi.errors import DataError, SpecError

MODEL = """
# scale: cc1 0 1
CS =~ cs1 + cs2
CL =~ cl1 + cl2
cc1 ~ CS
CL ~ CS + cc1 + age
"""


@pytest.fixture
def survey():
    return pd.DataFrame({
        "cs1": [5, 6, 7, 8, 9, 98], "cs2": [6, 7, 8, 9, 10, 5],
        "cl1": [5, 6, 7, 8, 9, 5], "cl2": [5, 6, 7, 8, 9, 5],
        "cc1": [0, 1, 0, 0, 99, 1], "age": [98, 35, 44, 51, 62, 20],
    })


def test_each_variable_has_its_own_scale_and_codes(survey):
    spec = acsi.parse_lavaan(MODEL)
    p = prepare_survey(survey, spec)
    assert p.variables == spec.observed_ids and set(p.variables) >= {"cc1", "age"}
    # 0/1 cc1 beside 1-10 items is in range; 99 is its missing code; age 98 is an age, not a code
    assert p.accounting["rows_used"].item() == 4 and p.accounting["dropped_missing_items"].item() == 2
    assert p.data["cc1"].tolist() == [0.0, 1.0, 0.0, 0.0] and p.data["age"].tolist() == [98.0, 35.0, 44.0, 51.0]
    im = p.item_missing.set_index("item")
    assert im.loc["cc1", "code_99"] == 1 and im.loc["age"].filter(like="code_").sum() == 0
    # an unscaled variable takes the codes named for it
    p2 = prepare_survey(survey, spec, missing_codes={"cs1": [98], "cc1": [99], "age": [98]})
    assert p2.accounting["rows_used"].item() == 3


def test_a_complaint_answer_outside_its_scale_is_named(survey):
    spec = acsi.parse_lavaan(MODEL)
    with pytest.raises(DataError, match=r"cc1 \(scale 0-1\): values \[2.0\] at rows \[0\]"):
        prepare_survey(survey.assign(cc1=[2, 1, 0, 0, 1, 1]), spec)


def test_a_zero_one_complaint_under_the_item_scale_points_to_the_scale(survey):
    spec = acsi.parse_lavaan("CS =~ cs1 + cs2\nCC =~ cc1\nCL =~ cl1 + cl2\nCC ~ CS\nCL ~ CS + CC\n")
    with pytest.raises(DataError, match=r"scale is wrong, not the answers.*complaint='yes_no'"):
        prepare_survey(survey, spec, out_of_range="missing")


def test_missing_model_columns_are_named(survey):
    spec = acsi.parse_lavaan(MODEL)
    with pytest.raises(DataError, match=r"lacks columns of model .*age"):
        prepare_survey(survey.drop(columns="age"), spec)


def test_a_latent_named_like_a_column_is_refused(survey):
    spec = acsi.parse_lavaan(MODEL)
    with pytest.raises(SpecError, match=r"latent variable\(s\) 'CS' have the name of data column\(s\) 'CS'"):
        prepare_survey(survey.assign(CS=1.0), spec)


def test_declared_demographics_are_carried_as_read():
    spec = acsi.load_model("airline")
    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.integers(1, 11, size=(40, len(spec.item_ids))).astype(float), columns=list(spec.item_ids))
    df = df.assign(sex=np.where(np.arange(len(df)) % 2, "f", "m"), age=np.arange(len(df)) + 18.0)
    p = prepare_survey(df, spec)
    assert "sex" in p.covariates and p.data["sex"].tolist() == df["sex"].tolist()
    assert "sex" not in p.variables


def test_spss_value_labels_give_a_scale(tmp_path, survey):
    pyreadstat = pytest.importorskip("pyreadstat")
    path = tmp_path / "s.sav"
    pyreadstat.write_sav(survey.astype(float), str(path),
                         variable_value_labels={"cc1": {0.0: "no", 1.0: "yes", 99.0: "refused"}})
    back = read_survey(path)
    assert back.attrs["scales"] == {"cc1": (0.0, 1.0)}
    spec = acsi.parse_lavaan(MODEL.replace("# scale: cc1 0 1\n", ""))  # the model gives cc1 no scale
    assert prepare_survey(back, spec).accounting["rows_used"].item() == 4
    bad = back.assign(cc1=[2.0, 1, 0, 0, 1, 1])
    bad.attrs = back.attrs
    with pytest.raises(DataError, match=r"cc1 \(scale 0-1\): values \[2.0\]"):
        prepare_survey(bad, spec)
