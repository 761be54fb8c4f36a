"""describe_items against statsmodels/scipy values (tests/reference/methods_descriptive)."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.errors import MethodError
from acsi.methods import describe_items

REF = Path(__file__).resolve().parents[1] / "reference" / "methods_descriptive"
DATA = pd.read_csv(REF / "data.csv")
EXP = pd.read_csv(REF / "expected.csv")
COLS = ["n", "mean", "median", "mode", "sd", "iqr", "range", "ci_lower", "ci_upper"]


def test_overall_rows():
    got = describe_items(DATA, ["q1", "q2"])
    exp = EXP[EXP["region"] == "(all)"].reset_index(drop=True)
    assert got["item"].tolist() == ["q1", "q2"]
    np.testing.assert_allclose(got[COLS].to_numpy(float), exp[COLS].to_numpy(float), rtol=1e-9)  # t quantiles differ by ~1e-10 between scipy 1.11 and 1.17


def test_by_region():
    got = describe_items(DATA, ["q1", "q2"], by="region")
    assert got["region"].iloc[:2].isna().all()   # overall rows first
    strata = got.dropna(subset=["region"]).reset_index(drop=True)
    exp = EXP[EXP["region"] != "(all)"].reset_index(drop=True)
    assert strata[["region", "item"]].values.tolist() == exp[["region", "item"]].values.tolist()
    np.testing.assert_allclose(strata[COLS].to_numpy(float), exp[COLS].to_numpy(float), rtol=1e-9)  # t quantiles differ by ~1e-10 between scipy 1.11 and 1.17


def test_two_strata_columns_and_default_items():
    got = describe_items(DATA, by=["region", "years"])
    assert set(got["item"]) == {"q1", "q2"}  # numeric columns other than the strata
    sub = got[(got["region"] == "north") & (got["years"] == 3) & (got["item"] == "q2")]
    x = DATA.loc[(DATA["region"] == "north") & (DATA["years"] == 3), "q2"].dropna()
    assert sub["n"].item() == len(x) and sub["mean"].item() == pytest.approx(x.mean())
    assert got["years"].dropna().map(type).eq(float).all() or pd.api.types.is_numeric_dtype(got["years"])


def test_confidence_level_and_small_n():
    d = pd.DataFrame({"q": [1.0, 2.0, 3.0, 4.0]})
    r90 = describe_items(d, ["q"], confidence=0.90).iloc[0]
    r99 = describe_items(d, ["q"], confidence=0.99).iloc[0]
    assert r99["ci_upper"] - r99["ci_lower"] > r90["ci_upper"] - r90["ci_lower"]
    one = describe_items(pd.DataFrame({"q": [5.0]}), ["q"]).iloc[0]
    assert one["n"] == 1 and np.isnan(one["sd"]) and np.isnan(one["ci_lower"]) and one["mean"] == 5.0
    multi = describe_items(pd.DataFrame({"q": [3, 3, 1, 1, 2]}), ["q"]).iloc[0]
    assert multi["mode"] == 1.0  # smallest of the tied modes


def test_input_not_mutated():
    d = DATA.copy()
    describe_items(d, ["q1"], by="region")
    pd.testing.assert_frame_equal(d, DATA)


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(df=pd.DataFrame()), "empty"),
    (dict(df=DATA, items=["q9"]), r"items \['q9'\] not found"),
    (dict(df=DATA, items=[]), "items is empty"),
    (dict(df=DATA, items=["q1"], by="city"), r"stratum columns \['city'\] not found"),
    (dict(df=DATA, items=["q1"], confidence=1.5), "confidence must be between 0 and 1"),
    (dict(df=pd.DataFrame({"q": ["a", "1"]}), items=["q"]), r"non-numeric answers at rows \[0\]: \['a'\]"),
    (dict(df=pd.DataFrame({"r": ["a"]})), "no numeric item columns"),
])
def test_errors(kwargs, pattern):
    with pytest.raises(MethodError, match=pattern):
        describe_items(**kwargs)
