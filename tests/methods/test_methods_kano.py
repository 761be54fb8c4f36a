"""Kano classification against tests/reference/methods_kano (Berger et al. 1993 table)."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from acsi.errors import MethodError
from acsi.methods import kano, kano_classify, kano_from_long, kano_plot
from acsi.methods.kano import KANO_TABLE

REF = Path(__file__).resolve().parents[1] / "reference" / "methods_kano"
CODES = {"like": 1, "must-be": 2, "neutral": 3, "live-with": 4, "dislike": 5}


@pytest.fixture(scope="module")
def answers():
    return pd.read_csv(REF / "answers.csv")


@pytest.fixture(scope="module")
def expected():
    return pd.read_csv(REF / "expected.csv").set_index("attribute")


def check_against(table, expected):
    assert list(table.index) == list(expected.index)
    for col in ["A", "O", "M", "I", "R", "Q", "n"]:
        assert table[col].tolist() == expected[col].tolist(), col
    assert table["category"].tolist() == expected["category"].tolist()
    assert table["tie"].tolist() == expected["tie"].tolist()
    np.testing.assert_allclose(table["better"], expected["better"], atol=1e-12)
    np.testing.assert_allclose(table["worse"], expected["worse"], atol=1e-12)


def test_long_labels_match_reference(answers, expected):
    check_against(kano_from_long(answers), expected)


def test_wide_codes_match_reference(answers, expected):
    f = answers.pivot(index="respondent", columns="attribute", values="functional").map(CODES.get)
    d = answers.pivot(index="respondent", columns="attribute", values="dysfunctional").map(CODES.get)
    order = list(expected.index)
    check_against(kano(f[order], d[order]), expected)


def test_tie_rule_m_over_o_over_a_over_i(expected):
    assert expected.loc["lounge", "category"] == "O" and bool(expected.loc["lounge", "tie"])
    f = pd.DataFrame({"x": [1, 3], "y": [1, 1], "z": [1, 3]})
    d = pd.DataFrame({"x": [3, 5], "y": [5, 3], "z": [3, 3]})
    t = kano(f, d)
    assert t["category"].tolist() == ["M", "O", "A"]  # A/M tie -> M; O/A tie -> O; A/I tie -> A
    assert t["tie"].all()


def test_evaluation_table_shape():
    assert KANO_TABLE[0] == "QAAAO" and KANO_TABLE[4] == "RRRRQ"
    assert all(row == "RIIIM" for row in KANO_TABLE[1:4])


def test_classify_labels_variants_and_missing():
    out = kano_classify(["Like", "must be", "I can live with it", 1, None], ["dislike", "DISLIKE", "dislike", "5", 5])
    assert out.iloc[:4].tolist() == ["O", "M", "M", "O"]
    assert pd.isna(out.iloc[4])


def test_missing_pairs_are_skipped():
    f = pd.DataFrame({"x": [1, np.nan, 2]})
    d = pd.DataFrame({"x": [5, 5, np.nan]})
    t = kano(f, d)
    assert t.loc["x", "n"] == 1 and t.loc["x", "O"] == 1


def test_better_worse_nan_when_only_r_q():
    t = kano(pd.DataFrame({"x": [5, 1]}), pd.DataFrame({"x": [1, 1]}))
    assert np.isnan(t.loc["x", "better"]) and np.isnan(t.loc["x", "worse"])


def test_plot(answers):
    fig = kano_plot(kano_from_long(answers))
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert {"safety", "wifi"} <= {t.get_text() for t in ax.texts}
    lo, hi = ax.get_xlim()
    assert lo < 0 and hi > 1  # the whole 0-1 range is visible


def test_inputs_not_mutated(answers):
    before = answers.copy()
    kano_from_long(answers)
    pd.testing.assert_frame_equal(answers, before)


def test_unknown_answers_named_with_rows():
    f = pd.DataFrame({"wifi": [1, "love it", 2], "tv": [1, 1, 7]})
    d = pd.DataFrame({"wifi": [5, 5, 5], "tv": [5, 5, 5]})
    with pytest.raises(MethodError, match=r"unknown Kano answers: attribute wifi functional row 1: 'love it'; "
                                          r"attribute tv functional row 2: 7"):
        kano(f, d)


def test_unknown_answers_long():
    data = pd.DataFrame({"attribute": ["a"], "functional": ["like"], "dysfunctional": ["hate"]})
    with pytest.raises(MethodError, match="attribute a dysfunctional row 0: 'hate'"):
        kano_from_long(data)
    with pytest.raises(MethodError, match="unknown Kano answers"):
        kano_classify([0], [1])


@pytest.mark.parametrize("f, d, pattern", [
    (pd.DataFrame(), pd.DataFrame(), "empty"),
    (pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [1]}), "differ from dysfunctional columns"),
    (pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}, index=[5]), "different rows"),
    ([1], [1], "must be DataFrames"),
    (pd.DataFrame({"a": [np.nan]}), pd.DataFrame({"a": [1]}), "no complete answer pair"),
])
def test_kano_errors(f, d, pattern):
    with pytest.raises(MethodError, match=pattern):
        kano(f, d)


def test_long_and_plot_errors():
    with pytest.raises(MethodError, match=r"columns \['functional'\] not found"):
        kano_from_long(pd.DataFrame({"attribute": ["a"], "f": [1], "dysfunctional": [1]}))
    with pytest.raises(MethodError, match="empty"):
        kano_from_long(pd.DataFrame())
    with pytest.raises(MethodError, match="1 functional and 2 dysfunctional"):
        kano_classify([1], [1, 2])
    with pytest.raises(MethodError, match="better"):
        kano_plot(pd.DataFrame({"x": [1]}))
