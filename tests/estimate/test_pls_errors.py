"""Every error path of acsi.estimate.pls, with its message."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from acsi.errors import DataError, EstimationError, SpecError
from acsi.estimate.pls import fit_pls

BLOCKS = {"A": ["a1", "a2"], "B": ["b1", "b2"], "C": ["c1"]}
PATHS = [("A", "B"), ("B", "C")]


@pytest.fixture(scope="module")
def df():
    rng = np.random.default_rng(0)
    f = rng.standard_normal(100)
    g = 0.5 * f + rng.standard_normal(100)
    h = 0.5 * g + rng.standard_normal(100)
    X = {"a1": f, "a2": f, "b1": g, "b2": g, "c1": h}
    return pd.DataFrame({k: np.clip(np.round(5.5 + 1.5 * (v + rng.standard_normal(100))), 1, 10) for k, v in X.items()})


@pytest.mark.parametrize(
    ("blocks", "paths", "match"),
    [
        ({}, PATHS, "blocks must be a non-empty dict"),
        ({"A": "a1", "B": ["b1"]}, [("A", "B")], "block 'A' must be a non-empty list"),
        ({"A": ["a1"], "B": []}, [("A", "B")], "block 'B' must be a non-empty list"),
        ({"A": ["a1", "b1"], "B": ["b1"]}, [("A", "B")], "item 'b1' is listed in blocks 'A' and 'B'"),
        ({"A": ["a1", "a1"], "B": ["b1"]}, [("A", "B")], r"block 'A' lists an item twice: \['a1', 'a1'\]"),
        ({"a1": ["a1"], "B": ["b1"]}, [("a1", "B")], r"names used both as latent and item: \['a1'\]"),
        (BLOCKS, [("A", "B", "C")], "each path must be a pair"),
        (BLOCKS, ["AB"], "each path must be a pair"),
        (BLOCKS, [("A", "Z")], r"path A -> Z names \['Z'\], which have no block"),
        (BLOCKS, [("A", "A")], "path A -> A is a self-loop"),
        (BLOCKS, [("A", "B"), ("A", "B")], "path A -> B is listed twice"),
        (BLOCKS, [("A", "B"), ("B", "C"), ("C", "A")], "the paths form a cycle through"),
    ],
)
def test_pls_bad_structure(df, blocks, paths, match):
    with pytest.raises(SpecError, match=match):
        fit_pls(df, blocks, paths)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"modes": {"Z": "A"}}, r"modes names latents \['Z'\]"),
        ({"modes": {"A": "C"}}, "mode of latent 'A' must be 'A' .* or 'B' .*; got 'C'"),
        ({"anchors": {"Z": "a1"}}, r"anchors names latents \['Z'\]"),
        ({"anchors": {"A": "b1"}}, r"anchor item 'b1' of latent 'A' is not in its block \['a1', 'a2'\]"),
        ({"scheme": "cenroid"}, r"scheme must be one of \['centroid', 'factorial', 'path'\]; got 'cenroid'"),
        ({"scheme": 3}, "scheme must be one of"),
        ({"tol": 0}, "tol must be a positive number"),
        ({"tol": float("nan")}, "tol must be a positive number"),
        ({"max_iter": 0}, "max_iter must be a positive integer"),
        ({"max_iter": 2.5}, "max_iter must be a positive integer"),
    ],
)
def test_pls_bad_options(df, kwargs, match):
    with pytest.raises(SpecError, match=match):
        fit_pls(df, BLOCKS, PATHS, **kwargs)


def test_pls_mode_is_case_insensitive(df):
    assert fit_pls(df, BLOCKS, PATHS, modes={"A": "b"}).modes["A"] == "B"


def test_pls_data_not_a_frame(df):
    with pytest.raises(DataError, match="data must be a pandas DataFrame"):
        fit_pls(df.to_numpy(), BLOCKS, PATHS)


def test_pls_missing_columns(df):
    with pytest.raises(DataError, match=r"items \['c1'\] of the model are not columns"):
        fit_pls(df.drop(columns="c1"), BLOCKS, PATHS)


def test_pls_non_numeric(df):
    with pytest.raises(DataError, match=r"items \['b2'\] are not numeric"):
        fit_pls(df.assign(b2=df["b2"].astype(str)), BLOCKS, PATHS)


def test_pls_missing_values_named_with_counts(df):
    bad = df.copy()
    bad.loc[[3, 7], "a2"] = np.nan
    bad.loc[5, "c1"] = np.nan
    with pytest.raises(DataError, match=r"missing values in \{'a2': 2, 'c1': 1\}.*listwise deletion"):
        fit_pls(bad, BLOCKS, PATHS)


def test_pls_infinite_values(df):
    with pytest.raises(DataError, match=r"items \['b1'\] contain infinite values"):
        fit_pls(df.assign(b1=df["b1"].replace(df["b1"].iloc[0], np.inf)), BLOCKS, PATHS)


def test_pls_zero_variance_item(df):
    with pytest.raises(DataError, match=r"items \['b2'\] have zero variance"):
        fit_pls(df.assign(b2=7.0), BLOCKS, PATHS)


def test_pls_zero_variance_among_weighted_rows(df):
    v = np.zeros(len(df))
    v[:2] = 1.0
    d = df.copy()
    d.loc[:1, "a1"] = 3.0
    with pytest.raises(DataError, match=r"items \[.*'a1'.*\] have zero variance .*among weighted rows"):
        fit_pls(d, BLOCKS, PATHS, weights=v)


def test_pls_too_few_rows(df):
    with pytest.raises(DataError, match="at least two rows"):
        fit_pls(df.iloc[:1], BLOCKS, PATHS)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (np.ones(3), "weights has 3 values but the data have 100 rows"),
        (np.r_[-1.0, np.ones(99)], r"survey weights must be finite and >= 0; rows \[0\] have \[-1.0\]"),
        (np.r_[np.nan, np.ones(99)], "survey weights must be finite"),
        (np.r_[1.0, np.zeros(99)], "fewer than two rows have a positive survey weight"),
    ],
)
def test_pls_bad_survey_weights(df, weights, match):
    with pytest.raises(DataError, match=match):
        fit_pls(df, BLOCKS, PATHS, weights=weights)


@pytest.mark.parametrize(
    ("bounds", "match"),
    [
        ([(1, 10)], "scale_bounds must be a dict item -> .min, max.; got list"),
        ({"a1": (1, 10)}, r"scale_bounds gives no \(min, max\) for items \['a2', 'b1', 'b2', 'c1'\]"),
        ({k: (1, 10) for k in ["a1", "a2", "b1", "b2"]} | {"c1": 5}, "scale bounds of item 'c1' must be a pair"),
        ({k: (1, 10) for k in ["a1", "a2", "b1", "b2"]} | {"c1": (10, 1)}, "scale bounds of item 'c1' have min 10.0 >= max 1.0"),
        ({k: (1, 10) for k in ["a1", "a2", "b1", "b2"]} | {"c1": (1, 5)}, r"answers outside the items' scale bounds: \{'c1': \["),
    ],
)
def test_pls_bad_scale_bounds(df, bounds, match):
    with pytest.raises(DataError, match=match):
        fit_pls(df, BLOCKS, PATHS, scale_bounds=bounds)


def test_pls_missing_code_outside_bounds_is_named(df):
    d = df.copy()
    d.loc[4, "a1"] = 99
    with pytest.raises(DataError, match=r"\{'a1': \[99.0\]\}.*98/99"):
        fit_pls(d, BLOCKS, PATHS, scale_bounds={k: (1, 10) for k in d.columns})


def test_pls_singular_mode_b_block(df):
    d = df.assign(a2=2 * df["a1"] + 1)
    with pytest.raises(EstimationError, match=r"mode B block 'A': the items \['a1', 'a2'\] are linearly dependent"):
        fit_pls(d, BLOCKS, PATHS, modes={"A": "B"})


def test_pls_collinear_predecessors(df):
    d = df.assign(x1=df["a1"], x2=df["a2"])
    blocks = dict(BLOCKS, X=["x1", "x2"])
    with pytest.raises(EstimationError, match=r"predecessors \['A', 'X'\] of 'B' have \(almost\) perfectly collinear"):
        fit_pls(d, blocks, PATHS + [("X", "B")], scheme="factorial")


def test_pls_nearly_collinear_predecessors(df):
    rng = np.random.default_rng(1)
    d = df.assign(x1=df["a1"] + 1e-7 * rng.standard_normal(len(df)), x2=df["a2"])
    blocks = dict(BLOCKS, X=["x1", "x2"])
    with pytest.raises(EstimationError, match=r"predecessors \['A', 'X'\] of 'B'"):
        fit_pls(d, blocks, PATHS + [("X", "B")], scheme="centroid")


def test_pls_latent_index_unknown(df):
    res = fit_pls(df, BLOCKS, PATHS)
    with pytest.raises(SpecError, match=r"latent 'Z' is not in the model; latents are \['A', 'B', 'C'\]"):
        res.latent_index("Z")


def test_pls_weights_series_aligned_by_index(df):
    v = pd.Series(np.linspace(0.5, 2.0, len(df)), index=df.index)
    a = fit_pls(df, BLOCKS, PATHS, weights=v)
    b = fit_pls(df, BLOCKS, PATHS, weights=v.iloc[::-1])  # same weights, other order
    pd.testing.assert_frame_equal(a.path_matrix, b.path_matrix, rtol=0, atol=1e-12)
    c = fit_pls(df, BLOCKS, PATHS, weights=list(v))  # a list is positional
    pd.testing.assert_frame_equal(a.path_matrix, c.path_matrix, rtol=0, atol=1e-12)


def test_pls_weights_series_missing_rows(df):
    v = pd.Series(1.0, index=df.index[:-2])
    with pytest.raises(DataError, match=r"must have one value per data row, matched by index; rows \[98, 99\] have no weight"):
        fit_pls(df, BLOCKS, PATHS, weights=v)


@pytest.mark.parametrize("scheme", ["centroid", "factorial", "path"])
def test_pls_inner_proxy_vanishes_for_uncorrelated_blocks(scheme):
    """Two blocks with exactly zero cross-correlations: the inner proxy is 0 and PLS cannot go on."""
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((200, 4))
    Z -= Z.mean(axis=0)
    Z = Z @ np.linalg.inv(np.linalg.cholesky(Z.T @ Z / 200)).T  # exactly uncorrelated columns
    d = pd.DataFrame(Z, columns=["a1", "a2", "b1", "b2"])
    with pytest.raises(EstimationError, match=r"the inner proxy of \['A', 'B'\] vanished at iteration 1"):
        fit_pls(d, {"A": ["a1", "a2"], "B": ["b1", "b2"]}, [("A", "B")], scheme=scheme)
