"""SERVQUAL gaps against tests/reference/methods_servqual."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.errors import MethodError
from acsi.methods import pe_ratio, servqual, servqual_dimensions, sq_scores

REF = Path(__file__).resolve().parents[1] / "reference" / "methods_servqual"
EXP = json.loads((REF / "expected.json").read_text())
P = pd.read_csv(REF / "perceptions.csv")
E = pd.read_csv(REF / "expectations.csv")


def test_default_dimensions_and_gaps():
    res = servqual(P, E)
    np.testing.assert_allclose(res.items["gap"], EXP["item_gap"], atol=1e-12)
    np.testing.assert_allclose(res.items["perception"], EXP["item_perception"], atol=1e-12)
    dims = res.dimensions.set_index("dimension")
    assert list(dims.index) == ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]
    for d, g in EXP["dimension_gap"].items():
        assert dims.loc[d, "gap"] == pytest.approx(g, abs=1e-12)
        assert dims.loc[d, "ratio"] == pytest.approx(EXP["dimension_ratio"][d], abs=1e-12)
    assert dims["n_items"].tolist() == [4, 5, 4, 4, 5]
    assert res.overall["unweighted_sq"] == pytest.approx(EXP["unweighted_sq"], abs=1e-12)
    assert np.isnan(res.overall["weighted_sq"])


def test_weighted_sq_from_points():
    res = servqual(P, E, weights=EXP["points"], normalize=True)
    assert res.overall["weighted_sq"] == pytest.approx(EXP["weighted_sq"], abs=1e-12)
    assert res.dimensions["weight"].sum() == pytest.approx(1.0)


def test_weights_must_sum_to_one():
    with pytest.raises(MethodError, match=r"weights sum to 100, not 1.*normalize=True"):
        servqual(P, E, weights=EXP["points"])
    with pytest.raises(MethodError, match=r"weights missing for \['empathy'\]"):
        servqual(P, E, weights={k: v for k, v in EXP["points"].items() if k != "empathy"}, normalize=True)


def test_respondent_scores():
    sq = sq_scores(P, E)
    np.testing.assert_allclose(sq, EXP["respondent_sq_equal_weights"], atol=1e-12)
    w = {c: (1.0 if c == "q1" else 0.0) for c in P.columns}
    np.testing.assert_allclose(sq_scores(P, E, w), P["q1"] - E["q1"], atol=1e-12)


def test_dimension_map():
    dims = servqual_dimensions([f"q{i}" for i in range(1, 23)])
    assert dims["empathy"] == ["q18", "q19", "q20", "q21", "q22"]
    with pytest.raises(MethodError, match="22 items; got 3"):
        servqual_dimensions(["a", "b", "c"])


def test_pe_ratio_reading():
    t = pe_ratio([4.0, 4.9, 5.0, 5.3, 6.0], [5.0] * 5)
    assert t["ratio"].tolist() == pytest.approx([0.8, 0.98, 1.0, 1.06, 1.2])
    assert t["reading"].tolist() == ["dissatisfied", "fairly satisfied", "fairly satisfied", "very satisfied",
                                     "very satisfied"]
    assert pe_ratio(5.3, 5.0, band=0.1)["reading"].item() == "fairly satisfied"


def test_inputs_not_mutated():
    p, e = P.copy(), E.copy()
    servqual(p, e)
    pd.testing.assert_frame_equal(p, P)


def test_missing_answers_pairwise():
    p = pd.DataFrame({"a": [5, np.nan, 4], "b": [3, 3, 3]})
    e = pd.DataFrame({"a": [6, 7, np.nan], "b": [4, 4, 4]})
    res = servqual(p, e, {"x": ["a"], "y": ["b"]})
    assert res.items["n"].tolist() == [1, 3]
    assert res.items["gap"].tolist() == [-1.0, -1.0]


@pytest.mark.parametrize("p, e, dims, pattern", [
    (pd.DataFrame(), pd.DataFrame(), None, "empty"),
    (pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [1]}), None, "differ from expectation items"),
    (pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": [1]}), None, "same respondents"),
    (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}), None, "standard 22-item scale"),
    (pd.DataFrame({"a": [1], "b": [2]}), pd.DataFrame({"a": [1], "b": [2]}), {"x": ["a"]}, r"items \['b'\] belong to no dimension"),
    (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}), {"x": ["a"], "y": ["a"]}, "is in dimensions 'x' and 'y'"),
    (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}), {"x": ["z"]}, "item 'z' of dimension 'x' is not a column"),
    (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}), {"x": []}, "has no items"),
    (pd.DataFrame({"a": [np.nan]}), pd.DataFrame({"a": [1]}), {"x": ["a"]}, "no respondent with both"),
])
def test_servqual_errors(p, e, dims, pattern):
    with pytest.raises(MethodError, match=pattern):
        servqual(p, e, dims)


def test_pe_ratio_errors():
    with pytest.raises(MethodError, match=r"expected values must be positive; not so for \[1\]"):
        pe_ratio([1, 2], [1, 0])
    with pytest.raises(MethodError, match="2 perceived and 1 expected"):
        pe_ratio([1, 2], [1])
    with pytest.raises(MethodError, match="band must be >= 0"):
        pe_ratio([1], [1], band=-1)
