"""Survey-table scoring, satisfaction rate, CSAT, NPS, CES, KCSI and overall CSI (hand-computed)."""
import numpy as np
import pandas as pd
import pytest

from acsi.errors import MethodError
from acsi.methods import ces, csat, kcsi_index, nps, overall_csi, satisfaction_rate, survey_table_score, top_box

COUNTS = pd.DataFrame([[10, 20, 10, 5, 5], [0, 0, 0, 0, 4]], index=["reliability", "empathy"],
                      columns=["very satisfied", "satisfied", "neutral", "dissatisfied", "very dissatisfied"])


def test_survey_table_counts_lowest_20_and_0():
    t = survey_table_score(COUNTS)
    assert t.loc["reliability", "score"] == pytest.approx((1000 + 1600 + 600 + 200 + 100) / 50)
    assert t.loc["empathy", "score"] == pytest.approx(20.0)
    assert t["n"].tolist() == [50, 4]
    t0 = survey_table_score(COUNTS, lowest=0)
    assert t0.loc["reliability", "score"] == pytest.approx(3400 / 50)
    assert t0.loc["empathy", "score"] == 0.0
    tp = survey_table_score(COUNTS, points=[5, 4, 3, 2, 1])
    assert tp.loc["reliability", "score"] == pytest.approx(175 / 50)


def test_survey_table_answers_equal_counts():
    ans = pd.DataFrame({"reliability": [5] * 10 + [4] * 20 + [3] * 10 + [2] * 5 + [1] * 5})
    t = survey_table_score(answers=ans)
    assert t.loc["reliability", "score"] == pytest.approx(70.0)
    t2 = survey_table_score(answers=pd.DataFrame({"x": ["A", "E", None]}), codes=["A", "B", "C", "D", "E"])
    assert t2.loc["x", "score"] == pytest.approx(60.0) and t2.loc["x", "n"] == 2


def test_satisfaction_rate():
    assert satisfaction_rate(45, 60) == 75.0
    s = satisfaction_rate(pd.Series([1, 2]), pd.Series([4, 4]))
    assert s.tolist() == [25.0, 50.0]


def test_csat_top2_and_config():
    r = csat(pd.Series([5, 4, 3, 2, 5, np.nan]))
    assert (r["csat"], r["satisfied"], r["n"]) == (60.0, 3.0, 5.0)
    assert csat([7, 6, 5, 1], scale=(1, 7), top=1)["csat"] == 25.0
    t = csat(pd.DataFrame({"a": [5, 5], "b": [1, 4]}))
    assert t.loc["b", "csat"] == 50.0 and t.loc["a", "csat"] == 100.0


def test_nps():
    r = nps(pd.Series([10, 9, 9, 8, 7, 6, 3, 0, 10, 5]))
    assert r["promoters"] == pytest.approx(40.0)
    assert r["detractors"] == pytest.approx(40.0)
    assert r["passives"] == pytest.approx(20.0)
    assert r["nps"] == pytest.approx(0.0)
    assert r["n"] == 10
    assert nps([10, 10, 8])["nps"] == pytest.approx(200 / 3)
    assert list(r.index) == ["nps", "promoters", "passives", "detractors", "n", "se", "ci_lower", "ci_upper"]


def test_ces():
    r = ces([1, 2, 3, 4, 5])
    assert r["ces"] == 3.0 and r["sd"] == pytest.approx(np.sqrt(2.5)) and r["n"] == 5


def test_kcsi():
    o = pd.Series([7, 6, 5, 7])          # top-2 of 7: 75 %
    r = pd.Series([6, 6, 2, 7])          # 75 %
    a = pd.DataFrame({"product": [7, 5, 5, 6], "service": [6, 6, 6, 3]})  # 50 %, 75 %
    k = kcsi_index(o, a, r)
    assert k["overall"] == 75.0 and k["repurchase"] == 75.0
    assert k["attr_product"] == 50.0 and k["attributes"] == 62.5
    assert k["kcsi"] == pytest.approx(0.3 * 75 + 0.5 * 62.5 + 0.2 * 75)
    k2 = kcsi_index(o, a, r, attribute_weights={"product": 3, "service": 1}, weights=(0.4, 0.4, 0.2))
    assert k2["attributes"] == pytest.approx(0.75 * 50 + 0.25 * 75)
    assert k2["kcsi"] == pytest.approx(0.4 * 75 + 0.4 * 56.25 + 0.2 * 75)


def test_overall_csi_formula():
    # 3 attributes, importance grades (very important..unimportant) points K, satisfaction points x.
    R = pd.DataFrame([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7]], index=["a", "b", "c"])
    Y = pd.DataFrame([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3], [0.3, 0.3, 0.4]], index=["a", "b", "c"])
    K = [5, 3, 1]
    x = [100, 60, 20]
    I = np.array([0.6 * 5 + 0.3 * 3 + 0.1, 0.2 * 5 + 0.5 * 3 + 0.3, 0.1 * 5 + 0.2 * 3 + 0.7])
    P = np.array([50 + 18 + 4, 10 + 36 + 6, 30 + 18 + 8])
    res = overall_csi(R, Y, K, x)
    assert res.csi == pytest.approx((I * P).sum() / (100 * I.sum()))
    np.testing.assert_allclose(res.table["importance"], I)
    np.testing.assert_allclose(res.table["satisfaction"], P)
    assert res.table["contribution"].sum() == pytest.approx(res.csi)
    assert res.top_points == 100


def test_inputs_not_mutated():
    c = COUNTS.copy()
    survey_table_score(c)
    pd.testing.assert_frame_equal(c, COUNTS)


@pytest.mark.parametrize("call, pattern", [
    (lambda: survey_table_score(), "either counts"),
    (lambda: survey_table_score(COUNTS, answers=pd.DataFrame({"a": [1]})), "either counts"),
    (lambda: survey_table_score(pd.DataFrame()), "empty"),
    (lambda: survey_table_score(COUNTS.iloc[:, :4]), "4 grade columns"),
    (lambda: survey_table_score(pd.DataFrame([[0, 0, 0, 0, 0]], index=["x"])), r"items \['x'\] have no answers"),
    (lambda: survey_table_score(pd.DataFrame([[-1, 0, 0, 0, 2]])), "non-negative"),
    (lambda: survey_table_score(answers=pd.DataFrame({"q": [5, 6]})), r"item 'q' has answers outside the codes.*\[1\]: \[6\]"),
    (lambda: survey_table_score(answers=pd.DataFrame()), "answers are empty"),
    (lambda: satisfaction_rate(5, 0), "must be positive"),
    (lambda: satisfaction_rate(7, 5), "within 0..C"),
    (lambda: satisfaction_rate([], []), "no values"),
    (lambda: csat([]), "no answers"),
    (lambda: csat([6, 5]), r"outside the scale 1-5.*rows \[0\]: \[6\.0\]"),
    (lambda: csat([1, 2], top=6), "top must be an integer"),
    (lambda: csat(pd.DataFrame()), "no columns"),
    (lambda: nps([11, 5]), r"outside the scale 0-10.*rows \[0\]"),
    (lambda: nps([9.5]), "integers"),
    (lambda: nps(["x", 9]), r"non-numeric answers at rows \[0\]"),
    (lambda: nps([np.nan]), "every answer is missing"),
    (lambda: nps(pd.DataFrame({"a": [1]})), "one column"),
    (lambda: ces([8]), "outside the scale 1-7"),
    (lambda: kcsi_index([7], pd.DataFrame({"a": [7]}), [7], weights=(0.5, 0.5, 0.5)), "summing to 1"),
    (lambda: kcsi_index([7], pd.DataFrame(), [7]), "non-empty DataFrame"),
    (lambda: kcsi_index([7], pd.DataFrame({"a": [7]}), [7], attribute_weights={"b": 1}), "one weight per attribute"),
    (lambda: overall_csi(pd.DataFrame([[0.5, 0.4]]), pd.DataFrame([[1.0, 0]]), [1, 2], [1, 2]), r"importance_shares must sum to 1.*\(0, 0\.9"),
    (lambda: overall_csi(pd.DataFrame(), pd.DataFrame(), [], []), "empty"),
    (lambda: overall_csi(pd.DataFrame([[1.0]], index=["a"]), pd.DataFrame([[1.0]], index=["b"]), [1], [1]), "differ"),
    (lambda: overall_csi(pd.DataFrame([[1.0]]), pd.DataFrame([[1.0]]), [1, 2], [1]), "2 importance points for 1"),
    (lambda: overall_csi(pd.DataFrame([[1.0]]), pd.DataFrame([[1.0]]), [0], [1]), "total importance"),
])
def test_errors(call, pattern):
    with pytest.raises(MethodError, match=pattern):
        call()


def test_top_box():
    assert top_box([1, 5, 5], top=1)["top_box"] == pytest.approx(200 / 3)
