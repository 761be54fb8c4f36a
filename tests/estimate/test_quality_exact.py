"""acsi.estimate.quality (reliability and validity): hand-worked values, survey weights, and every error path."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import acsi.estimate.quality as rel
from acsi.errors import MethodError


@pytest.fixture(scope="module")
def small():
    return pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4], "d": [5, 4, 4, 2, 1]},
                        dtype=float)


def test_reliability_docstring_examples_run():
    res = doctest.testmod(rel, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted >= 8
    assert res.failed == 0


def test_reliability_raw_alpha_by_hand(small):
    """Item variances 10, 9.2, 6 (sums of squares), total 69.2: α = 1.5 (1 − 25.2/69.2)."""
    out = rel.cronbach_alpha(small, {"F": ["a", "b", "c"]})
    assert out.loc["F", "alpha"] == pytest.approx(1.5 * (1 - 25.2 / 69.2), abs=1e-12)
    assert out.loc["F", "n_items"] == 3 and out.loc["F", "n_obs"] == 5


def test_reliability_feldt_interval_by_hand(small):
    a = 1.5 * (1 - 25.2 / 69.2)
    out = rel.cronbach_alpha(small, {"F": ["a", "b", "c"]}, level=0.90)
    assert out.loc["F", "ci_lower"] == pytest.approx(1 - (1 - a) * stats.f.ppf(0.95, 4, 8), abs=1e-12)
    assert out.loc["F", "ci_upper"] == pytest.approx(1 - (1 - a) * stats.f.ppf(0.05, 4, 8), abs=1e-12)
    assert out.loc["F", "ci_lower"] < a < out.loc["F", "ci_upper"]


def test_reliability_standardized_alpha_equicorrelated():
    """k items with common correlation r: standardized α = k r / (1 + (k − 1) r)."""
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((400, 4))
    Z -= Z.mean(axis=0)
    Z = Z @ np.linalg.inv(np.linalg.cholesky(Z.T @ Z / 400)).T
    R = np.full((4, 4), 0.3) + 0.7 * np.eye(4)
    df = pd.DataFrame(Z @ np.linalg.cholesky(R).T * [1, 2, 3, 4], columns=list("wxyz"))
    got = rel.cronbach_alpha(df, {"F": list("wxyz")}, standardized=True).loc["F", "alpha"]
    assert got == pytest.approx(4 * 0.3 / (1 + 3 * 0.3), abs=1e-12)
    assert rel.item_vif(df, {"F": list("wxyz")}).to_numpy() == pytest.approx(np.diag(np.linalg.inv(R)), abs=1e-10)


def test_reliability_single_item_block(small):
    out = rel.cronbach_alpha(small, {"F": ["a", "b"], "G": ["c"]})
    assert np.isnan(out.loc["G", "alpha"]) and np.isnan(out.loc["G", "ci_lower"])
    assert rel.item_vif(small, {"G": ["c"]})["c"] == 1.0
    assert np.isnan(rel.rho_a(small, {"G": ["c"]}, pd.Series({"c": 1.0}))["G"])
    s = pd.Series({"c": 1.0})
    assert rel.composite_reliability(s, {"G": ["c"]})["G"] == 1.0 and rel.ave(s, {"G": ["c"]})["G"] == 1.0


def test_reliability_rho_c_ave_by_hand():
    s = pd.Series({"a": 0.9, "b": 0.8, "c": 0.7})
    # (2.4)² / (5.76 + 0.19 + 0.36 + 0.51) = 5.76 / 6.82
    assert rel.composite_reliability(s, {"F": ["a", "b", "c"]})["F"] == pytest.approx(5.76 / 6.82, abs=1e-12)
    assert rel.ave(s, {"F": ["a", "b", "c"]})["F"] == pytest.approx((0.81 + 0.64 + 0.49) / 3, abs=1e-12)
    L = pd.DataFrame({"F": [0.9, 0.8, 0.7, 0.0], "G": [0.0, 0.0, 0.0, 1.0]}, index=list("abcd"))
    assert rel.composite_reliability(L)["F"] == pytest.approx(5.76 / 6.82, abs=1e-12)
    assert rel.ave(L, {"G": ["d"]})["G"] == 1.0


def test_reliability_rho_a_equals_alpha_for_equal_weights_and_equicorrelation():
    """With equal weights and a common correlation r, rho_A = k r / (1 + (k − 1) r) (= standardized alpha)."""
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((300, 3))
    Z -= Z.mean(axis=0)
    Z = Z @ np.linalg.inv(np.linalg.cholesky(Z.T @ Z / 300)).T
    R = np.full((3, 3), 0.4) + 0.6 * np.eye(3)
    df = pd.DataFrame(Z @ np.linalg.cholesky(R).T, columns=list("abc"))
    got = rel.rho_a(df, {"F": list("abc")}, pd.Series({"a": 2.0, "b": 2.0, "c": 2.0}))["F"]
    assert got == pytest.approx(3 * 0.4 / (1 + 2 * 0.4), abs=1e-12)


def test_reliability_htmt_by_hand():
    """Blocks {a, b}, {c, d}: HTMT = mean(|r_ac|, |r_ad|, |r_bc|, |r_bd|) / √(|r_ab| |r_cd|)."""
    rng = np.random.default_rng(2)
    df = pd.DataFrame(rng.standard_normal((50, 4)), columns=list("abcd"))
    r = df.corr().to_numpy()
    expected = np.mean(np.abs([r[0, 2], r[0, 3], r[1, 2], r[1, 3]])) / np.sqrt(abs(r[0, 1]) * abs(r[2, 3]))
    assert rel.htmt(df, {"F": ["a", "b"], "G": ["c", "d"]}).loc["F", "G"] == pytest.approx(expected, abs=1e-12)


def test_reliability_survey_weights_equal_replication(small):
    k = np.array([1, 3, 0, 2, 1])
    rep = small.loc[np.repeat(small.index.to_numpy(), k)].reset_index(drop=True)
    blocks = {"F": ["a", "b", "c"], "G": ["d"]}
    a = rel.cronbach_alpha(small, blocks, weights=k, n_obs=7)
    b = rel.cronbach_alpha(rep, blocks)
    pd.testing.assert_frame_equal(a, b, rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(rel.htmt(small, {"F": ["a", "b"], "G": ["c", "d"]}, weights=k),
                                  rel.htmt(rep, {"F": ["a", "b"], "G": ["c", "d"]}), rtol=0, atol=1e-12)
    pd.testing.assert_series_equal(rel.item_vif(small, blocks, weights=k), rel.item_vif(rep, blocks), rtol=0, atol=1e-12)


def test_reliability_kish_effective_n(small):
    v = np.array([1.0, 2.0, 1.0, 2.0, 4.0])
    out = rel.cronbach_alpha(small, {"F": ["a", "b"]}, weights=v)
    assert out.loc["F", "n_obs"] == pytest.approx(100 / 26)


def test_reliability_weighted_moments():
    m, S = rel.weighted_moments(np.array([[1.0, 2.0], [3.0, 0.0]]), np.array([1.0, 3.0]))
    np.testing.assert_allclose(m, [2.5, 0.5])
    np.testing.assert_allclose(S, [[0.75, -0.75], [-0.75, 0.75]])
    m0, S0 = rel.weighted_moments(np.array([[1.0], [3.0]]))
    assert m0[0] == 2.0 and S0[0, 0] == 1.0


def test_reliability_fornell_larcker_diagonal():
    c = pd.DataFrame([[1, 0.5], [0.5, 1]], index=["F", "G"], columns=["F", "G"], dtype=float)
    out = rel.fornell_larcker(pd.Series({"F": 0.64, "G": 0.49}), c)
    assert out.loc["F", "F"] == pytest.approx(0.8) and out.loc["G", "G"] == pytest.approx(0.7)
    assert out.loc["F", "G"] == 0.5
    assert c.loc["F", "F"] == 1.0  # input not mutated


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("blocks", "match"),
    [
        ({}, "blocks must be a non-empty dict"),
        ({"F": "a"}, "block 'F' must be a non-empty list"),
        ({"F": []}, "block 'F' must be a non-empty list"),
        ({"F": ["a", "a"]}, r"block 'F' lists an item twice"),
        ({"F": ["a"], "G": ["a"]}, "item 'a' is listed in blocks 'F' and 'G'"),
        ({"F": ["a", "zz"]}, r"items \['zz'\] of the blocks are not columns of the data"),
    ],
)
def test_reliability_bad_blocks(small, blocks, match):
    with pytest.raises(MethodError, match=match):
        rel.cronbach_alpha(small, blocks)


def test_reliability_bad_data(small):
    with pytest.raises(MethodError, match="data must be a pandas DataFrame"):
        rel.item_vif(small.to_numpy(), {"F": [0, 1]})
    with pytest.raises(MethodError, match=r"items \['b'\] have missing values"):
        rel.htmt(small.assign(b=[1, np.nan, 2, 3, 4]), {"F": ["a", "b"], "G": ["c"]})
    with pytest.raises(MethodError, match=r"items \['b'\] are not numeric"):
        rel.cronbach_alpha(small.assign(b=list("xyzuv")), {"F": ["a", "b"]})
    with pytest.raises(MethodError, match=r"items \['b'\] have zero variance"):
        rel.cronbach_alpha(small.assign(b=3.0), {"F": ["a", "b"]})


def test_reliability_bad_level_and_weights(small):
    with pytest.raises(MethodError, match="level must be in \\(0, 1\\)"):
        rel.cronbach_alpha(small, {"F": ["a", "b"]}, level=95)
    with pytest.raises(MethodError, match="weights has 2 values but the data have 5 rows"):
        rel.cronbach_alpha(small, {"F": ["a", "b"]}, weights=[1, 2])
    with pytest.raises(MethodError, match=r"weights must be finite and >= 0; rows \[1\]"):
        rel.item_vif(small, {"F": ["a", "b"]}, weights=[1, -2, 1, 1, 1])
    with pytest.raises(MethodError, match="weights sum to zero"):
        rel.item_vif(small, {"F": ["a", "b"]}, weights=np.zeros(5))


def test_reliability_bad_loadings():
    with pytest.raises(MethodError, match="loadings given as a Series .* need blocks="):
        rel.ave(pd.Series({"a": 0.5}))
    with pytest.raises(MethodError, match=r"items \['b'\] of latent 'F' have no loading"):
        rel.ave(pd.Series({"a": 0.5}), {"F": ["a", "b"]})
    with pytest.raises(MethodError, match="loadings must be a DataFrame .* or a Series"):
        rel.composite_reliability([0.5, 0.6], {"F": ["a", "b"]})
    L = pd.DataFrame({"F": [0.7, 0.8]}, index=["a", "b"])
    with pytest.raises(MethodError, match="latent 'G' is not a column of loadings"):
        rel.ave(L, {"G": ["a"]})
    with pytest.raises(MethodError, match=r"items \['c'\] of latent 'F' are not rows of loadings"):
        rel.ave(L, {"F": ["a", "c"]})
    with pytest.raises(MethodError, match="latent 'F' has no non-zero loading"):
        rel.ave(pd.DataFrame({"F": [0.0, 0.0]}, index=["a", "b"]))


def test_reliability_bad_fornell_larcker_input():
    c = pd.DataFrame([[1, 0.5], [0.5, 1]], index=["F", "G"], columns=["F", "G"], dtype=float)
    with pytest.raises(MethodError, match="latent_cor must be a square DataFrame"):
        rel.fornell_larcker(pd.Series({"F": 0.5, "G": 0.5}), c.iloc[:, :1])
    with pytest.raises(MethodError, match=r"latents \['G'\] of latent_cor have no AVE value"):
        rel.fornell_larcker(pd.Series({"F": 0.5}), c)


def test_reliability_singular_block_vif_is_inf():
    df = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 4, 6, 8], "c": [1.0, 3, 2, 4]})
    assert np.isinf(rel.item_vif(df, {"F": ["a", "b"]})).all() or (rel.item_vif(df, {"F": ["a", "b"]}) > 1e12).all()


def test_toolkit_reexports_the_one_implementation():
    import acsi.methods
    import acsi.methods.reliability

    for name in ("cronbach_alpha", "composite_reliability", "ave", "rho_a", "htmt", "fornell_larcker", "item_vif"):
        assert getattr(acsi.methods, name) is getattr(rel, name) is getattr(acsi.methods.reliability, name)
