"""Kano priorities, the AHP matrix reader, customer metrics and the interval rules, by hand."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from acsi.errors import MethodError
from acsi.methods import (KANO_NAMES, ahp, benchmark_flags, ces, churn_rate, customer_classes, customer_lifetime_value,
                          customer_value, kano, kano_priority, nps, pareto_customers, read_matrix, repurchase_rate,
                          top_box, wilson_interval)
from acsi.methods.intervals import linearized_estimate


def test_wilson_by_hand_and_edges():
    k, n, z = 7, 20, stats.norm.ppf(0.975)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert wilson_interval(k, n) == pytest.approx((centre - half, centre + half), abs=1e-15)
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and 0 < hi < 0.35
    lo90, hi90 = wilson_interval(7, 20, 0.90)
    assert hi90 - lo90 < 2 * half
    with pytest.raises(MethodError, match="need 0 <= successes <= n"):
        wilson_interval(11, 10)


def test_linearisation_with_missing_answers_is_the_t_interval_of_the_answered():
    y = np.array([3.0, np.nan, 5.0, 4.0, np.nan, 6.0, 2.0])
    iv = linearized_estimate(y, None, lambda m: float(m[0]), 0.95, gradient=np.ones(1))
    x = y[np.isfinite(y)]
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert (iv["ci_lower"], iv["ci_upper"], iv["n"]) == pytest.approx((lo, hi, 5.0), abs=1e-12)
    # the numeric gradient agrees with the analytic one
    num = linearized_estimate(y, None, lambda m: float(m[0]), 0.95)
    assert num["se"] == pytest.approx(iv["se"], rel=1e-8)


def test_nps_interval_by_hand_and_weights_of_one():
    s = pd.Series([10, 9, 9, 8, 7, 6, 3, 10, 0, 9])
    r = nps(s, confidence=0.90)
    pp, pd_ = 0.5, 0.3
    se = 100 * np.sqrt((pp + pd_ - (pp - pd_) ** 2) / 10)
    assert r["se"] == pytest.approx(se) and r["ci_upper"] == pytest.approx(20 + stats.norm.ppf(0.95) * se)
    w = nps(s, weights=np.ones(10), confidence=0.90)
    assert w[["nps", "se", "ci_lower"]].tolist() == pytest.approx(r[["nps", "se", "ci_lower"]].tolist())
    # weights align on the index; answers with a missing value drop their weight
    s2 = pd.Series([10, np.nan, 0], index=["a", "b", "c"])
    assert nps(s2, weights=pd.Series({"c": 3.0, "a": 1.0, "b": 100.0}))["nps"] == pytest.approx(-50.0)


@pytest.mark.parametrize("call, pattern", [
    (lambda: nps([10, 9], weights=[1.0]), "2 respondents"),
    (lambda: nps([10, 9], weights=[1.0, -1.0]), "finite and non-negative"),
    (lambda: nps([10, 9], weights=[0.0, 0.0]), "sum to 0"),
    (lambda: nps(pd.Series([10, 9], index=["a", "b"]), weights=pd.Series({"a": 1.0})), r"no value for rows \['b'\]"),
    (lambda: ces([1, 2], confidence=1.5), "confidence must be between 0 and 1"),
    (lambda: top_box([1, 2], confidence="x"), "got 'x'"),
])
def test_interval_input_errors(call, pattern):
    with pytest.raises(MethodError, match=pattern):
        call()


def test_kano_priority_order_and_names():
    f = pd.DataFrame({"wifi": [1, 1, 1, 3], "safety": [2, 2, 3, 2], "speed": [1, 1, 1, 1], "logo": [3, 3, 3, 3]})
    d = pd.DataFrame({"wifi": [3, 3, 3, 3], "safety": [5, 5, 5, 5], "speed": [5, 5, 5, 3], "logo": [3, 3, 3, 3]})
    table = kano(f, d)
    pri = kano_priority(table)
    assert pri["attribute"].tolist() == ["safety", "speed", "wifi", "logo"]
    assert pri["priority"].tolist()[:3] == [1.0, 2.0, 3.0] and np.isnan(pri["priority"].iloc[3])
    assert pri["document_zh"].tolist()[:3] == ["基本型", "期望型", "興奮型"]
    assert pri["gbz19024"].tolist()[:3] == ["dissatisfier", "satisfier", "delighter"]
    assert set(KANO_NAMES) == {"M", "O", "A"}
    two_m = pd.DataFrame({"category": ["M", "M"], "better": [0.1, 0.2], "worse": [-0.5, -0.9]},
                         index=pd.Index(["a", "b"], name="attribute"))
    assert kano_priority(two_m)["attribute"].tolist() == ["b", "a"]  # larger |Worse| first
    with pytest.raises(MethodError, match=r"unknown categories \['Z'\]"):
        kano_priority(two_m.assign(category=["M", "Z"]))
    with pytest.raises(MethodError, match="expected the table returned by kano"):
        kano_priority(pd.DataFrame({"x": [1]}))


def test_read_matrix_fractions(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text(",a,b,c\na,1,3,1/2\nb,1/3,1,1 / 5\nc,2,5,1\n")
    m = read_matrix(p)
    assert m.loc["b", "a"] == pytest.approx(1 / 3) and m.loc["b", "c"] == pytest.approx(0.2)
    assert ahp(m).weights.index.tolist() == ["a", "b", "c"]
    semi = tmp_path / "s.csv"
    semi.write_text(";a;b\na;1;1/7\nb;7;1\n")
    assert read_matrix(semi).loc["a", "b"] == pytest.approx(1 / 7)
    bad = tmp_path / "bad.csv"
    bad.write_text(",a,b\na,1,three\nb,1/0,1\n")
    with pytest.raises(MethodError, match=r"\('a', 'b', 'three'\).*\('b', 'a', '1/0'\)"):
        read_matrix(bad)
    with pytest.raises(MethodError, match="file not found"):
        read_matrix(tmp_path / "none.csv")


def test_rates_and_clv_by_hand():
    r = churn_rate(3, 60)
    assert r["rate"] == 5.0 and (r["ci_lower"], r["ci_upper"]) == pytest.approx(tuple(100 * x for x in wilson_interval(3, 60)))
    flags = pd.Series([True, False, True, True])
    assert repurchase_rate(flags)["rate"] == 75.0
    w = repurchase_rate([1, 0, 1], weights=[1.0, 2.0, 1.0])
    assert w["rate"] == pytest.approx(50.0) and w["n_eff"] == pytest.approx(16 / 6)
    assert customer_lifetime_value(100.0, 0.8, 0.1, periods=2) == pytest.approx(100 * (1 + 0.8 / 1.1 + 0.64 / 1.21))
    many = customer_lifetime_value(pd.Series([100.0, 50.0]), 0.5, 0.0, acquisition_cost=10.0)
    assert many.tolist() == pytest.approx([190.0, 90.0])
    with pytest.raises(MethodError, match="retention must be below 1 \\+ discount"):
        customer_lifetime_value(1.0, 1.0, 0.0)
    with pytest.raises(MethodError, match="0/1 or True/False"):
        churn_rate([0, 2, 1])
    with pytest.raises(MethodError, match="need 0 <= lost <= customers"):
        churn_rate(7, 5)


def test_benchmarks_use_the_interval():
    t = benchmark_flags(nps=nps([10, 10, 9, 8, 2]), ces=(4.1, 3.8, 4.4), csi=72.0, repurchase=(48.0, 40.0, 56.0),
                        churn=(7.0, 5.5, 9.0)).set_index("metric")
    assert t.loc["ces", "verdict"] == "met" and t.loc["csi", "verdict"] == "met"
    assert t.loc["repurchase", "verdict"] == "undecided" and not t.loc["repurchase", "meets"]
    assert t.loc["churn", "verdict"] == "missed"
    assert t.loc["nps", "rule"] == "> 0" and t.loc["nps", "verdict"] == "undecided"
    assert benchmark_flags(csi=68, thresholds={"csi": 65}).loc[0, "verdict"] == "met"
    with pytest.raises(MethodError, match="no metric given"):
        benchmark_flags()
    with pytest.raises(MethodError, match=r"unknown metrics in thresholds \['x'\]"):
        benchmark_flags(nps=1, thresholds={"x": 1})


def test_customer_value_classes_and_pareto():
    b = pd.DataFrame({"product": [50, 40, 30], "service": [20, 10, 5], "personnel": [5, 5, 5], "image": [5, 0, 0]})
    c = pd.DataFrame({"money": [40, 45, 20], "time": [5, 10, 0], "energy": [1, 1, 1], "psychological": [0, 0, 0]})
    v = customer_value(b, c)
    assert v["value"].tolist() == [34.0, -1.0, 19.0] and v["ratio"].iloc[0] == pytest.approx(80 / 46)
    with pytest.raises(MethodError, match="missing costs"):
        customer_value(b, c.astype(float).assign(time=[np.nan, 1, 1]))
    cust = pd.DataFrame({"id": list("abcdef"), "revenue": [100, 80, 60, 30, 20, 10], "cost_to_serve": [10, 70, 5, 50, 2, 40]})
    cls = customer_classes(cust)
    assert cls["class"].tolist() == ["A", "B", "A", "D", "C", "D"] and cls["profit"].iloc[1] == 10
    assert customer_classes(cust, cut=(50, 30))["class"].tolist() == ["A", "B", "A", "D", "C", "D"]
    with pytest.raises(MethodError, match=r"columns \['sales'\] not found"):
        customer_classes(cust, revenue="sales")
    par = pareto_customers(cust)
    assert par.table["id"].tolist() == list("abcdef")
    assert par.summary_table["key_customers"] == 3  # (100 + 80 + 60) / 300 = 80 %
    assert par.table["key"].tolist() == [True, True, True, False, False, False]
    with pytest.raises(MethodError, match="negative at rows"):
        pareto_customers(cust.assign(revenue=[1, -1, 1, 1, 1, 1]))
    assert "Pareto" in str(par.summary())
