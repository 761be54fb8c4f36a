"""prepare_survey's numpy paths (issue 17) give what pandas' grouping of every row gives, and the
prepared frame owns its values (the survey read is never changed through it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.data import prepare_survey


@pytest.fixture(scope="module")
def spec():
    return acsi.parse_lavaan("CS =~ cs1 + cs2\nCL =~ cl1 + cl2\nCL ~ CS\n", name="t")


def _survey(n=60, seed=4):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.integers(1, 11, size=(n, 4)).astype(float), columns=["cs1", "cs2", "cl1", "cl2"])
    df.loc[rng.choice(n, 6, replace=False), "cs2"] = 98  # dropped rows in some units
    return df


LABELS = {
    "text, units out of order": lambda n: np.array(["zeta", "alpha", "Mid", "beta"] * (n // 4), dtype=object),
    "one unit": lambda n: np.array(["c1"] * n, dtype=object),
    "category": lambda n: pd.Categorical(["b", "a", None, "c"] * (n // 4)),
    "numbers with holes": lambda n: np.array([3.0, 1.0, np.nan, 2.0] * (n // 4)),
    "one number": lambda n: np.full(n, 7),
    "text with None and a literal <missing>": lambda n: np.array(["b", None, "<missing>", "a"] * (n // 4), dtype=object),
    "numbers and text": lambda n: np.array([1, "x", 2.5, None] * (n // 4), dtype=object),
    "dates": lambda n: pd.to_datetime(["2024-03-01", "2024-01-01", None, "2023-12-31"] * (n // 4)),
}


@pytest.mark.parametrize("kind", sorted(LABELS))
def test_the_accounting_is_pandas_grouping_of_every_row(spec, kind):
    df = _survey()
    df["unit"] = LABELS[kind](len(df))
    p = prepare_survey(df, spec, groups=["unit"])
    keys = df[["unit"]].astype(object).where(df[["unit"]].notna(), "<missing>")
    ref = keys.assign(rows_read=1).groupby(["unit"], sort=True, dropna=False).sum().reset_index()
    pd.testing.assert_frame_equal(p.accounting[["unit", "rows_read"]], ref, check_exact=True)
    assert (p.accounting["rows_read"] == p.accounting.filter(like="dropped_").sum(axis=1)
            + p.accounting["rows_used"]).all()
    assert int(p.accounting["rows_used"].sum()) == len(p.data)


def test_two_group_columns_are_grouped_as_pandas_groups_them(spec):
    df = _survey(80)
    df["period"] = np.array(["2024Q2", "2024Q1"] * 40, dtype=object)
    df["company"] = np.array(["b", "a", "b", None, "c"] * 16, dtype=object)
    p = prepare_survey(df, spec, groups=["period", "company"])
    keys = df[["period", "company"]].astype(object).where(df[["period", "company"]].notna(), "<missing>")
    ref = keys.assign(rows_read=1).groupby(["period", "company"], sort=True, dropna=False).sum().reset_index()
    pd.testing.assert_frame_equal(p.accounting[["period", "company", "rows_read"]], ref, check_exact=True)
    assert int(p.accounting.loc[p.accounting["company"] == "<missing>", "dropped_missing_unit"].sum()) == 16


def _two_companies(drop: bool) -> pd.DataFrame:
    """Two companies of 30 rows; with ``drop`` some rows carry a missing code (dropped)."""
    df = _survey()
    if not drop:
        df["cs2"] = df["cs2"].where(df["cs2"] != 98, 5.0)
    df["company"] = np.array(["a", "b"] * 30, dtype=object)
    return df


@pytest.mark.parametrize("drop", [False, True])
def test_the_prepared_frame_owns_its_values(spec, drop):
    df = _two_companies(drop)
    before = df.copy()
    p = prepare_survey(df, spec, groups=["company"])
    assert (len(p.data) < len(df)) == drop
    assert not np.shares_memory(p.data["cs1"].to_numpy(), df["cs1"].to_numpy())
    p.data.loc[0, "company"] = "changed"
    p.data.loc[0, "cs1"] = -1.0
    pd.testing.assert_frame_equal(df, before)


@pytest.mark.parametrize("dtype", [object, "str", "string"])
def test_a_blank_unit_label_is_a_missing_unit_whatever_the_text_dtype(spec, dtype):
    # pandas 3 reads text as "str": a label of spaces was a unit of its own there, not a missing unit
    df = _survey(8)
    df["cs2"] = 5.0
    df["company"] = pd.Series(["a", "  ", "a", None, "b", "", "b", "a"], dtype=dtype)
    p = prepare_survey(df, spec, groups=["company"])
    got = p.accounting[["company", "rows_read", "rows_used", "dropped_missing_unit"]].values.tolist()
    assert got == [["", 1, 0, 1], ["  ", 1, 0, 1], ["<missing>", 1, 0, 1], ["a", 3, 3, 0], ["b", 2, 2, 0]]
    assert set(p.data["company"]) == {"a", "b"}


@pytest.mark.parametrize("drop", [False, True])
def test_the_prepared_answers_are_the_frames_own_block_read_only(spec, drop):
    """PreparedData.answers is data[variables] as it sits in the frame (no copy), and cannot be written."""
    p = prepare_survey(_two_companies(drop), spec, groups=["company"])
    want = p.data[list(p.variables)].to_numpy(dtype=float)
    assert np.array_equal(p.answers, want) and p.answers.shape == (len(p.data), len(p.variables))
    assert np.shares_memory(p.answers, p.data["cs1"].to_numpy()) and p.answers.flags.f_contiguous
    with pytest.raises(ValueError, match="read-only"):
        p.answers[0, 0] = 1.0
