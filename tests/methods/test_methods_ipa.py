"""Importance-performance analysis and IPMA (hand-computed quadrants)."""
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from acsi.errors import MethodError
from acsi.methods import importance_performance_map, ipa, ipa_from_answers, ipa_plot

IMP = pd.Series({"price": 4.6, "speed": 4.2, "staff": 3.1, "decor": 2.5, "parking": 3.4})
PERF = pd.Series({"price": 3.2, "speed": 4.4, "staff": 4.1, "decor": 2.9, "parking": 3.0})
# means: importance 3.56, performance 3.52


def test_quadrants_at_means():
    t = ipa(IMP, PERF)
    assert t["importance_cut"].iloc[0] == pytest.approx(3.56)
    assert t["performance_cut"].iloc[0] == pytest.approx(3.52)
    assert dict(zip(t["attribute"], t["quadrant"])) == {
        "price": "B", "speed": "A", "staff": "D", "decor": "C", "parking": "C"}
    row = t.set_index("attribute").loc["price"]
    assert (row["label_en"], row["label_zh"]) == ("repair", "修補區")
    assert list(t.columns[:4]) == ["attribute", "importance", "performance", "quadrant"]


def test_numeric_cuts_and_boundary_counts_as_high():
    t = ipa(IMP, PERF, cut=(3.4, 3.0)).set_index("attribute")
    assert t.loc["parking", "quadrant"] == "A"  # exactly on both cuts: high
    assert t.loc["decor", "quadrant"] == "C"


def test_median_cut_and_zh_labels():
    t = ipa(IMP, PERF, cut=("median", "median"), labels="zh")
    assert t["importance_cut"].iloc[0] == pytest.approx(3.4)
    assert set(t["label"]) <= {"優勢區", "修補區", "機會區", "維持區"}
    assert t["action"].str.len().min() > 0


def test_sequences_are_named():
    t = ipa([1, 3], [3, 1])
    assert t["attribute"].tolist() == ["a1", "a2"]
    assert t["quadrant"].tolist() == ["D", "B"]


def test_ipma_wrapper():
    te = pd.Series({"quality": 0.45, "value": 0.20, "expectation": 0.05, "satisfaction": 1.0})
    perf = pd.Series({"quality": 78.0, "value": 64.0, "expectation": 80.0, "satisfaction": 75.0})
    t = importance_performance_map(te, perf, target="satisfaction")
    assert t["attribute"].tolist() == ["quality", "value", "expectation"]
    assert t["quadrant"].tolist() == ["A", "C", "D"]
    assert t["importance_cut"].iloc[0] == pytest.approx(0.7 / 3)


def test_ipma_errors():
    with pytest.raises(MethodError, match=r"0-100.*quality=120"):
        importance_performance_map(pd.Series({"quality": 0.3}), pd.Series({"quality": 120.0}))
    with pytest.raises(MethodError, match=r"no performance for drivers \['value'\]"):
        importance_performance_map(pd.Series({"value": 0.3}), pd.Series({"quality": 50.0}))
    with pytest.raises(MethodError, match="no total effects"):
        importance_performance_map(pd.Series(dtype=float), pd.Series({"quality": 50.0}))


def test_plot_returns_figure():
    t = ipa(IMP, PERF)
    fig = ipa_plot(t)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    texts = {tx.get_text() for tx in ax.texts}
    assert "price" in texts and "B repair" in texts
    assert len(ax.lines) == 2  # the two quadrant lines
    fig2 = ipa_plot(t, lang="zh")
    assert any("修補區" in tx.get_text() for tx in fig2.axes[0].texts)


def test_inputs_not_mutated():
    imp, perf = IMP.copy(), PERF.copy()
    ipa(imp, perf)
    pd.testing.assert_series_equal(imp, IMP)
    pd.testing.assert_series_equal(perf, PERF)


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(importance=[], performance=[]), "empty"),
    (dict(importance={"a": 1, "b": 2}, performance={"a": 1, "c": 2}), r"no performance for \['b'\]"),
    (dict(importance={"a": 1, "b": np.nan}, performance={"a": 1, "b": 2}), r"missing or infinite.*\['b'\]"),
    (dict(importance={"a": "x"}, performance={"a": 1}), "non-numeric"),
    (dict(importance={"a": 1}, performance={"a": 1}, cut=("avg", "mean")), "'mean', 'median' or a number"),
    (dict(importance={"a": 1}, performance={"a": 1}, cut="mean"), "must be a pair"),
    (dict(importance={"a": 1}, performance={"a": 1}, labels="fr"), "'en' or 'zh'"),
])
def test_ipa_errors(kwargs, pattern):
    with pytest.raises(MethodError, match=pattern):
        ipa(**kwargs)


def test_plot_errors():
    with pytest.raises(MethodError, match="expected the table returned by ipa"):
        ipa_plot(pd.DataFrame({"x": [1]}))
    with pytest.raises(MethodError, match="'en' or 'zh'"):
        ipa_plot(ipa(IMP, PERF), lang="de")


def test_stated_importance_from_answers():
    imp = pd.DataFrame({"price": [5, 4, np.nan], "decor": [2, 3, 1], "speed": [4, 4, 5]})
    perf = pd.DataFrame({"price": [2, 3, 2], "decor": [4, 4, 5], "speed": [5, 4, 4]})
    t = ipa_from_answers(imp, perf).set_index("attribute")
    assert t.loc["price", "importance"] == pytest.approx(4.5) and t.loc["price", "n_importance"] == 2
    assert t["quadrant"].to_dict() == {"price": "B", "decor": "D", "speed": "A"}


def test_stated_importance_errors():
    with pytest.raises(MethodError, match="non-empty DataFrame"):
        ipa_from_answers(pd.DataFrame(), pd.DataFrame())
    with pytest.raises(MethodError, match="differ from performance columns"):
        ipa_from_answers(pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [1]}))
    with pytest.raises(MethodError, match=r"non-numeric answers in importance_answers at \(column, row\) \[\('a', 1\)\]"):
        ipa_from_answers(pd.DataFrame({"a": [1, "x"]}), pd.DataFrame({"a": [1, 2]}))
    with pytest.raises(MethodError, match=r"attributes \['a'\] have no answers"):
        ipa_from_answers(pd.DataFrame({"a": [np.nan]}), pd.DataFrame({"a": [1]}))
