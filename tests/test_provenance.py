"""The input hash of a fit (``provenance.hash_tables``) is pinned: it identifies the input across
runs and in the history store, so a faster computation must give the same 16 hex digits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from acsi.provenance import hash_tables, stamp


def _survey() -> pd.DataFrame:
    """A fixed survey (no random numbers): integer answers, float answers with holes, text, categories."""
    n = 40
    i = np.arange(n)
    return pd.DataFrame({
        "company": np.where(i % 3 == 0, "a", np.where(i % 3 == 1, "b", "c")),
        "period": pd.Categorical(np.where(i < 20, "2024Q1", "2024Q2")),
        "cs1": (i * 7) % 10 + 1,
        "cs2": np.where(i % 11 == 0, np.nan, ((i * 3) % 10 + 1).astype(float)),
        "cl1": ((i * 5) % 10 + 1).astype(float),
        "weight": 0.5 + (i % 4) / 4,
        "id": [f"r{k:03d}" for k in i],
    })


#: Values computed by the code of main at 1664721 (pandas.util.hash_pandas_object, index=False).
PINNED = {
    "numbers": "80ba52c6a88a0450",
    "survey": "3005f6eb0c45621f",
    "two tables and None": "bc21b48c3fc9ea89",
    "text with missing": "453320aae1b06c29",
    "nullable and dates": "d623d0fed2ddac12",
    "unhashable cells (CSV text)": "f45baae129ae8e1d",
    "no rows": "ca978112ca1bbdca",
}


def _tables(case):
    if case == "numbers":
        return (pd.DataFrame({"x": [1, 2, 3], "y": [0.5, np.nan, 2.0]}),)
    if case == "survey":
        return (_survey(),)
    if case == "two tables and None":
        return (_survey(), None, pd.DataFrame({"x": [1, 2]}))
    if case == "text with missing":
        return (pd.DataFrame({"s": ["a", None, "c"], "t": ["1", "2", " "]}),)
    if case == "nullable and dates":
        return (pd.DataFrame({"i": pd.array([1, None, 3], dtype="Int64"),
                              "d": pd.to_datetime(["2024-01-01", None, "2024-03-31"])}),)
    if case == "unhashable cells (CSV text)":
        return (pd.DataFrame({"x": [[1], [2]]}),)
    if case == "no rows":
        return (pd.DataFrame({"a": []}),)
    raise KeyError(case)


@pytest.mark.parametrize("case", sorted(PINNED))
def test_the_input_hash_is_the_value_recorded_before(case):
    assert hash_tables(*_tables(case)) == PINNED[case]


def test_the_hash_ignores_the_index_and_follows_names_order_and_cells():
    df = _survey()
    h = hash_tables(df)
    assert hash_tables(df.set_axis(np.arange(len(df))[::-1] * 3)) == h  # the index is not the input
    assert hash_tables(df.rename(columns={"cs1": "q1"})) != h
    assert hash_tables(df[list(df.columns)[::-1]]) != h
    changed = df.copy()
    changed.loc[5, "cs2"] = 3.0
    assert hash_tables(changed) != h
    assert stamp({"k": 1}, df)["input_sha256_16"] == h


def test_the_row_hashes_are_pandas_hashes_for_every_kind_of_column():
    from acsi.provenance import _CHUNK, _row_hashes

    n = _CHUNK + 1234  # more cells than one piece, within one column and across columns
    rng = np.random.default_rng(0)
    x = rng.normal(size=n)
    x[::97] = np.nan
    x[::101] = -0.0
    x[5] = np.inf
    df = pd.DataFrame({
        "f64": x, "i64": rng.integers(-5, 5, n), "f32": x.astype(np.float32), "u8": rng.integers(0, 9, n).astype(np.uint8),
        "f64b": np.round(x * 3), "b": rng.random(n) < 0.5, "s": rng.choice(["a", "b", None], n),
        "o": pd.Series(rng.choice([1, "x", 2.5], n), dtype=object), "cat": pd.Categorical(rng.choice(["p", "q"], n)),
        "d": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 100, n), unit="D"),
        "n": pd.array(rng.integers(0, 3, n), dtype="Int64"), "c": x + 1j,
    })
    for frame in (df, df[["f64", "f64b"]], df[["i64"]], df.iloc[:7], df.iloc[:0]):
        want = pd.util.hash_pandas_object(frame, index=False).to_numpy()
        np.testing.assert_array_equal(_row_hashes(frame), want)
