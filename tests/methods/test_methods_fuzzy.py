"""Fuzzy comprehensive evaluation against tests/reference/methods_fuzzy."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.errors import MethodError
from acsi.methods import ahp, fuzzy_compose, fuzzy_evaluate, membership_from_answers

REF = Path(__file__).resolve().parents[1] / "reference" / "methods_fuzzy"
EXP = json.loads((REF / "expected.json").read_text())
CL = EXP["clothing"]
TWO = EXP["two_level"]


def clothing_R():
    return pd.DataFrame(CL["R"], index=CL["factors"], columns=CL["grades"])


def test_clothing_maxmin_textbook():
    b = fuzzy_compose(CL["A"], clothing_R(), operator="M(^,v)")
    np.testing.assert_allclose(b.to_numpy(), CL["published_B_maxmin"], atol=1e-12)
    assert list(b.index) == CL["grades"]
    res = fuzzy_evaluate(clothing_R(), CL["A"], operator="M(∧,∨)", grade_points=[4, 3, 2, 1])
    assert res.grade == "not_very_popular"
    assert res.score == pytest.approx(0.2 * 4 + 0.3 * 3 + 0.4 * 2 + 0.1 * 1)


def test_clothing_weighted():
    b = fuzzy_compose(pd.Series(CL["A"], index=CL["factors"]), clothing_R())
    np.testing.assert_allclose(b.to_numpy(), CL["B_weighted"], atol=1e-12)


def two_level_inputs():
    mem = {s: pd.DataFrame(v["R"], index=v["items"], columns=TWO["grades"]) for s, v in TWO["subsets"].items()}
    sub = {s: v["A"] for s, v in TWO["subsets"].items()}
    return mem, TWO["A"], sub


@pytest.mark.parametrize("op", ["M(.,+)", "M(^,v)"])
def test_two_level(op):
    mem, a, sub = two_level_inputs()
    res = fuzzy_evaluate(mem, a, sub, operator=op)
    exp = TWO[op]
    for s, row in exp["first_level"].items():
        np.testing.assert_allclose(res.first_level.loc[s].to_numpy(), row, atol=1e-12)
    np.testing.assert_allclose(res.raw.to_numpy(), exp["raw"], atol=1e-12)
    np.testing.assert_allclose(res.grade_vector.to_numpy(), exp["grade_vector"], atol=1e-12)
    assert res.grade_vector.sum() == pytest.approx(1.0)
    assert res.score == pytest.approx(exp["score"], abs=1e-12)
    assert res.grade == exp["grade"]
    assert res.operator == op
    s = res.summary()
    assert s["grade"] == exp["grade"] and s["score"] == pytest.approx(exp["score"])


def test_weights_from_ahp_and_normalize_levels():
    mem, _, sub = two_level_inputs()
    w = ahp([[1, 2, 3], [1 / 2, 1, 2], [1 / 3, 1 / 2, 1]]).weights
    w.index = list(mem)
    res = fuzzy_evaluate(mem, w, sub, operator="maxmin", normalize_levels=True)
    np.testing.assert_allclose(res.first_level.sum(axis=1), 1.0, atol=1e-12)
    assert res.grade_vector.sum() == pytest.approx(1.0)


def test_membership_from_answers():
    ans = pd.DataFrame({"x": [5, 4, 4, 3, np.nan], "y": [1, 1, 2, 2, 2]})
    m = membership_from_answers(ans)
    assert m.loc["x"].tolist() == [0.0, 0.0, 0.25, 0.5, 0.25]
    assert m.loc["y"].tolist() == [0.4, 0.6, 0.0, 0.0, 0.0]
    assert list(m.columns)[0] == "very dissatisfied"
    res = fuzzy_evaluate(m, [0.5, 0.5])
    assert res.score == pytest.approx(0.5 * (0.25 * 60 + 0.5 * 80 + 0.25 * 100) + 0.5 * (0.4 * 20 + 0.6 * 40))
    m3 = membership_from_answers(pd.DataFrame({"x": ["lo", "hi"]}), grades=["lo", "hi"])
    assert list(m3.columns) == ["lo", "hi"]


def test_tie_reports_lowest_grade():
    r = pd.DataFrame([[0.5, 0.5]], index=["a"], columns=["bad", "good"])
    res = fuzzy_evaluate(r, [1.0], grade_points=[0, 100])
    assert res.grade == "bad" and res.tie


def test_weights_error_says_sum_and_normalize():
    with pytest.raises(MethodError, match=r"sum to 1\.2, not 1.*normalize=True"):
        fuzzy_compose([0.6, 0.6], clothing_R().iloc[:2])
    b = fuzzy_compose([6, 6], clothing_R().iloc[:2], normalize=True)
    np.testing.assert_allclose(b, fuzzy_compose([0.5, 0.5], clothing_R().iloc[:2]))


def test_shares_must_sum_to_one_per_row():
    r = clothing_R().copy()
    r.iloc[1, 0] = 0.9
    with pytest.raises(MethodError, match=r"must sum to 1.*\('style', 1\.2\)"):
        fuzzy_compose(CL["A"], r)


@pytest.mark.parametrize("call, pattern", [
    (lambda: fuzzy_compose([1.0], pd.DataFrame([[1.0]]), operator="M(x,y)"), "unknown operator"),
    (lambda: fuzzy_compose([1.0], pd.DataFrame()), "is empty"),
    (lambda: fuzzy_compose([0.5, 0.5], pd.DataFrame([[1.0]])), "2 entries for 1 factors"),
    (lambda: fuzzy_compose({"z": 1.0}, pd.DataFrame([[1.0]], index=["a"])), r"missing for \['a'\], unknown factors \['z'\]"),
    (lambda: fuzzy_compose([1.0], pd.DataFrame([[1.5, -0.5]])), r"shares in \[0, 1\]"),
    (lambda: fuzzy_compose([-1.0, 2.0], pd.DataFrame([[1.0], [1.0]])), "non-negative"),
    (lambda: fuzzy_evaluate({}, {}), "no membership matrices"),
    (lambda: fuzzy_evaluate({"a": pd.DataFrame([[1.0]])}, {"a": 1.0}), "needs sub_weights"),
    (lambda: fuzzy_evaluate({"a": pd.DataFrame([[1.0]])}, {"a": 1.0}, {"b": [1.0]}), r"missing for subsets \['a'\]"),
    (lambda: fuzzy_evaluate({"a": pd.DataFrame([[1.0, 0]], columns=["x", "y"]), "b": pd.DataFrame([[1.0, 0]], columns=["x", "z"])},
                            {"a": .5, "b": .5}, {"a": [1.0], "b": [1.0]}), "use the same grade columns"),
    (lambda: fuzzy_evaluate(pd.DataFrame([[0.5, 0.5]]), [1.0]), "give grade_points"),
    (lambda: fuzzy_evaluate(pd.DataFrame([[0.5, 0.5]]), [1.0], grade_points=[1, 2, 3]), "3 grade points for 2 grades"),
    (lambda: membership_from_answers(pd.DataFrame()), "empty"),
    (lambda: membership_from_answers(pd.DataFrame({"x": [1, 9]})), r"item 'x' has answers outside the grades.*row 1: 9"),
    (lambda: membership_from_answers(pd.DataFrame({"x": [np.nan]})), "has no answers"),
])
def test_errors(call, pattern):
    with pytest.raises(MethodError, match=pattern):
        call()
