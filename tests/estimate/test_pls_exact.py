"""PLS cases worked out by hand, exact identities, and properties of the estimator."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acsi.errors import ConvergenceWarning, ScoringError
from acsi.estimate.pls import fit_pls
from acsi.methods import reliability as rel

ACSI_SIM = Path(__file__).resolve().parents[1] / "reference" / "pls_mobi" / "acsi_sim.csv"
ACSI_BLOCKS = {
    "CE": ["ce1", "ce2", "ce3"], "PQ": ["pq1", "pq2", "pq3"], "PV": ["pv1", "pv2"],
    "CS": ["cs1", "cs2", "cs3"], "CC": ["cc1", "cc2"], "CL": ["cl1", "cl2"],
}
ACSI_PATHS = [("CE", "PQ"), ("CE", "PV"), ("CE", "CS"), ("PQ", "PV"), ("PQ", "CS"), ("PV", "CS"),
              ("CS", "CC"), ("CS", "CL"), ("CC", "CL")]
BOUNDS = {it: (1, 10) for its in ACSI_BLOCKS.values() for it in its}


def exact_frame(cov: np.ndarray, means: np.ndarray, names: list[str], n: int = 500, seed: int = 0) -> pd.DataFrame:
    """n rows whose covariance (divisor n) and means equal ``cov`` and ``means`` exactly."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, len(names)))
    Z -= Z.mean(axis=0)
    Z = Z @ np.linalg.inv(np.linalg.cholesky(Z.T @ Z / n)).T
    return pd.DataFrame(Z @ np.linalg.cholesky(cov).T + means, columns=names)


@pytest.fixture(scope="module")
def acsi_sim():
    return pd.read_csv(ACSI_SIM)


# --------------------------------------------------------------------------- one block


def test_pls_one_block_equicorrelated_weights_by_hand():
    """3 items, all correlations 0.5, sds 0.5, 1, 0.25: R's first eigenvector is 1/√3 (λ = 2), so
    w = 1/√(3·2) = 0.40825, loading = √(2/3) = 0.81650; unstandardized w ∝ 1/sd = (2, 1, 4)/7."""
    sd = np.array([0.5, 1.0, 0.25])
    R = np.full((3, 3), 0.5) + 0.5 * np.eye(3)
    means = np.array([6.4, 5.5, 5.5])
    df = exact_frame(R * np.outer(sd, sd), means, ["a", "b", "c"])
    res = fit_pls(df, {"F": ["a", "b", "c"]}, [], scale_bounds={k: (1, 10) for k in "abc"})
    np.testing.assert_allclose(res.outer_weights["F"], 1 / np.sqrt(6), rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.outer_loadings["F"], np.sqrt(2 / 3), rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.unstd_weights.to_numpy(), np.array([2, 1, 4]) / 7, rtol=0, atol=1e-12)
    # index = 100 Σ w (x̄ − 1) / 9 = 100 (2·5.4 + 4.5 + 4·4.5) / 63
    assert res.index["F"] == pytest.approx(100 * (2 * 5.4 + 4.5 + 4 * 4.5) / 63, abs=1e-9)
    assert res.quality.loc["F", "alpha"] == pytest.approx(3 / 2 * (1 - 3 / 6), abs=1e-12)  # 0.75
    assert res.quality.loc["F", "ave"] == pytest.approx(2 / 3, abs=1e-12)
    # (Σλ)² = (3√(2/3))² = 6, Σ(1 − λ²) = 3 · 1/3 = 1, so rho_c = 6/7
    assert res.quality.loc["F", "rho_c"] == pytest.approx(6 / 7, abs=1e-12)
    assert np.isnan(res.quality.loc["F", "r2"])


def test_pls_one_block_mode_a_is_first_principal_component():
    R = np.array([[1.0, 0.6, 0.3, 0.2], [0.6, 1.0, 0.4, 0.1], [0.3, 0.4, 1.0, 0.5], [0.2, 0.1, 0.5, 1.0]])
    df = exact_frame(R, np.zeros(4), list("abcd"))
    res = fit_pls(df, {"F": list("abcd")}, [], tol=1e-13, max_iter=2000)
    lam, vec = np.linalg.eigh(R)
    v = vec[:, -1] * np.sign(vec[0, -1])
    np.testing.assert_allclose(res.outer_weights["F"].to_numpy(), v / np.sqrt(lam[-1]), rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.outer_loadings["F"].to_numpy(), v * np.sqrt(lam[-1]), rtol=0, atol=1e-10)


def test_pls_one_block_mode_b_keeps_equal_weights():
    """Mode B on a lone block: w ∝ R⁻¹R w = w, so the unit start stays: w = 1/√(1ᵀR1)."""
    R = np.array([[1.0, 0.6, 0.3], [0.6, 1.0, 0.4], [0.3, 0.4, 1.0]])
    df = exact_frame(R, np.zeros(3), list("abc"))
    res = fit_pls(df, {"F": list("abc")}, [], modes={"F": "B"})
    np.testing.assert_allclose(res.outer_weights["F"], 1 / np.sqrt(R.sum()), rtol=0, atol=1e-12)
    assert res.n_iter == 1


# --------------------------------------------------------------------------- two blocks


R2B = np.array([
    [1.0, 0.5, 0.4, 0.30, 0.20, 0.25],
    [0.5, 1.0, 0.3, 0.35, 0.30, 0.15],
    [0.4, 0.3, 1.0, 0.20, 0.10, 0.30],
    [0.30, 0.35, 0.20, 1.0, 0.45, 0.40],
    [0.20, 0.30, 0.10, 0.45, 1.0, 0.50],
    [0.25, 0.15, 0.30, 0.40, 0.50, 1.0],
])
TWO = {"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"]}


@pytest.fixture(scope="module")
def two_block_data():
    return exact_frame(R2B, np.full(6, 5.0), TWO["X"] + TWO["Y"], n=400, seed=3)


@pytest.mark.parametrize("scheme", ["path", "centroid", "factorial"])
def test_pls_two_blocks_mode_a_singular_vectors(two_block_data, scheme):
    """Mode A on X -> Y: w_X ∝ R_XY w_Y and w_Y ∝ R_YX w_X, so the weights are the first singular
    vectors of R_XY; the path is the correlation of the composites and R² its square."""
    res = fit_pls(two_block_data, TWO, [("X", "Y")], scheme=scheme, tol=1e-13, max_iter=5000)
    Rxx, Ryy, Rxy = R2B[:3, :3], R2B[3:, 3:], R2B[:3, 3:]
    U, s, Vt = np.linalg.svd(Rxy)
    u, v = U[:, 0] * np.sign(U[0, 0]), Vt[0] * np.sign(Vt[0, 0])
    wx, wy = u / np.sqrt(u @ Rxx @ u), v / np.sqrt(v @ Ryy @ v)
    np.testing.assert_allclose(res.outer_weights.loc[TWO["X"], "X"], wx, rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.outer_weights.loc[TWO["Y"], "Y"], wy, rtol=0, atol=1e-10)
    corr = float(wx @ Rxy @ wy)
    assert res.path_matrix.loc["X", "Y"] == pytest.approx(corr, abs=1e-10)
    assert res.r2["Y"] == pytest.approx(corr**2, abs=1e-10)
    # the same correlation, from the scores themselves
    assert res.path_matrix.loc["X", "Y"] == pytest.approx(np.corrcoef(res.scores["X"], res.scores["Y"])[0, 1], abs=1e-12)


def test_pls_two_blocks_mode_b_is_first_canonical_correlation(two_block_data):
    res = fit_pls(two_block_data, TWO, [("X", "Y")], modes={"X": "B", "Y": "B"}, tol=1e-13, max_iter=5000)
    Rxx, Ryy, Rxy = R2B[:3, :3], R2B[3:, 3:], R2B[:3, 3:]
    M = np.linalg.solve(Rxx, Rxy) @ np.linalg.solve(Ryy, Rxy.T)
    rho = float(np.sqrt(np.max(np.linalg.eigvals(M).real)))
    assert res.path_matrix.loc["X", "Y"] == pytest.approx(rho, abs=1e-10)


def test_pls_total_effects_by_hand(acsi_sim):
    res = fit_pls(acsi_sim, ACSI_BLOCKS, ACSI_PATHS)
    P = res.path_matrix
    ce_cs = P.loc["CE", "CS"] + P.loc["CE", "PQ"] * P.loc["PQ", "CS"] + P.loc["CE", "PV"] * P.loc["PV", "CS"] \
        + P.loc["CE", "PQ"] * P.loc["PQ", "PV"] * P.loc["PV", "CS"]
    te = res.total_effects.set_index(["from", "to"])
    assert te.loc[("CE", "CS"), "total"] == pytest.approx(ce_cs, abs=1e-12)
    assert te.loc[("CE", "CS"), "direct"] == pytest.approx(P.loc["CE", "CS"], abs=1e-15)
    cs_cl = P.loc["CS", "CL"] + P.loc["CS", "CC"] * P.loc["CC", "CL"]
    assert te.loc[("CS", "CL"), "total"] == pytest.approx(cs_cl, abs=1e-12)
    assert ("CL", "CS") not in te.index


# --------------------------------------------------------------------------- survey weights


def test_pls_integer_weights_equal_row_replication(acsi_sim):
    df = acsi_sim.iloc[:300].reset_index(drop=True)
    k = np.random.default_rng(5).integers(0, 4, size=len(df))
    rep = df.loc[np.repeat(df.index.to_numpy(), k)].reset_index(drop=True)
    a = fit_pls(df, ACSI_BLOCKS, ACSI_PATHS, weights=k, scale_bounds=BOUNDS)
    b = fit_pls(rep, ACSI_BLOCKS, ACSI_PATHS, scale_bounds=BOUNDS)
    assert a.n_iter == b.n_iter and a.weighted and not b.weighted
    for name in ("outer_weights", "outer_loadings", "path_matrix", "latent_cor", "quality", "htmt", "fornell_larcker"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), rtol=0, atol=1e-10, obj=name)
    for name in ("r2", "index", "unstd_weights", "item_vif", "item_means", "item_sds"):
        pd.testing.assert_series_equal(getattr(a, name), getattr(b, name), rtol=0, atol=1e-10, obj=name)
    # scores of a replicated row equal the weighted fit's score of the original row
    first = np.concatenate([[0], np.cumsum(k)[:-1]])[k > 0]
    np.testing.assert_allclose(a.scores.to_numpy()[k > 0], b.scores.to_numpy()[first], rtol=0, atol=1e-10)
    assert a.n_eff == pytest.approx(k.sum() ** 2 / (k**2).sum())


def test_pls_weighted_index_is_weighted_mean_of_index_scores(acsi_sim):
    v = np.random.default_rng(2).uniform(0.2, 3.0, size=len(acsi_sim))
    res = fit_pls(acsi_sim, ACSI_BLOCKS, ACSI_PATHS, weights=pd.Series(v), scale_bounds=BOUNDS)
    np.testing.assert_allclose((res.index_scores.to_numpy() * v[:, None]).sum(axis=0) / v.sum(),
                               res.index.to_numpy(), rtol=0, atol=1e-10)
    # and the scores are standardized with the weights
    Y = res.scores.to_numpy()
    np.testing.assert_allclose(v @ Y / v.sum(), 0, atol=1e-12)
    np.testing.assert_allclose(v @ Y**2 / v.sum(), 1, atol=1e-12)
    # weighting changes the answer (this is not a no-op)
    plain = fit_pls(acsi_sim, ACSI_BLOCKS, ACSI_PATHS, scale_bounds=BOUNDS)
    assert abs(plain.index["CS"] - res.index["CS"]) > 1e-4


def test_pls_weights_scale_invariant(acsi_sim):
    v = np.random.default_rng(3).uniform(0.5, 2.0, size=len(acsi_sim))
    a = fit_pls(acsi_sim, ACSI_BLOCKS, ACSI_PATHS, weights=v)
    b = fit_pls(acsi_sim, ACSI_BLOCKS, ACSI_PATHS, weights=7.3 * v)
    pd.testing.assert_frame_equal(a.path_matrix, b.path_matrix, rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(a.scores, b.scores, rtol=0, atol=1e-10)


def test_pls_unit_weights_equal_unweighted(acsi_sim):
    a = fit_pls(acsi_sim, ACSI_BLOCKS, ACSI_PATHS, weights=np.ones(len(acsi_sim)))
    b = fit_pls(acsi_sim, ACSI_BLOCKS, ACSI_PATHS)
    pd.testing.assert_frame_equal(a.outer_weights, b.outer_weights, rtol=0, atol=1e-12)


# --------------------------------------------------------------------------- signs and index


def test_pls_single_item_block_loading_is_plus_one_with_negative_path(acsi_sim):
    blocks = dict(ACSI_BLOCKS, CC=["cc1"])
    res = fit_pls(acsi_sim, blocks, ACSI_PATHS)
    assert res.outer_weights.loc["cc1", "CC"] == 1.0
    assert res.outer_loadings.loc["cc1", "CC"] == pytest.approx(1.0, abs=1e-12)
    assert res.path_matrix.loc["CS", "CC"] < 0
    assert res.unstd_weights["cc1"] == 1.0


def test_pls_reversed_single_item_still_loads_plus_one(acsi_sim):
    df = acsi_sim.assign(cc1=11 - acsi_sim["cc1"])
    res = fit_pls(df, dict(ACSI_BLOCKS, CC=["cc1"]), ACSI_PATHS)
    assert res.outer_loadings.loc["cc1", "CC"] == pytest.approx(1.0, abs=1e-12)
    assert res.path_matrix.loc["CS", "CC"] > 0  # the reversed item's direction shows in the path


def test_pls_anchor_chooses_sign(acsi_sim):
    df = acsi_sim.assign(pv2=11 - acsi_sim["pv2"])  # reverse-coded second item
    default = fit_pls(df, ACSI_BLOCKS, ACSI_PATHS)
    assert default.outer_loadings.loc["pv1", "PV"] > 0 and default.outer_loadings.loc["pv2", "PV"] < 0
    anchored = fit_pls(df, ACSI_BLOCKS, ACSI_PATHS, anchors={"PV": "pv2"})
    assert anchored.outer_loadings.loc["pv2", "PV"] > 0 and anchored.outer_loadings.loc["pv1", "PV"] < 0
    assert anchored.path_matrix.loc["PV", "CS"] == pytest.approx(-default.path_matrix.loc["PV", "CS"], abs=1e-12)


def test_pls_negative_weight_refuses_index(acsi_sim):
    df = acsi_sim.assign(pv2=11 - acsi_sim["pv2"])
    res = fit_pls(df, ACSI_BLOCKS, ACSI_PATHS, scale_bounds=BOUNDS)
    assert res.unstd_weights["pv2"] < 0
    assert res.index_problems and res.index_problems[0].startswith("PV:")
    with pytest.raises(ScoringError, match=r"PV: pv2 has normalised weight -"):
        res.index
    with pytest.raises(ScoringError, match="negative item weights"):
        res.index_scores
    with pytest.raises(ScoringError, match="PV"):
        res.latent_index("PV")
    good = fit_pls(acsi_sim, ACSI_BLOCKS, ACSI_PATHS, scale_bounds=BOUNDS)
    assert res.latent_index("CS") == pytest.approx(good.index["CS"], abs=0.5)
    assert res.path_matrix.loc["CE", "PQ"] == pytest.approx(good.path_matrix.loc["CE", "PQ"], abs=1e-6)


def test_pls_index_formula_three_items_one_to_ten(acsi_sim):
    """ACSI's headline: 100 · Σ w̃_i (x̄_i − 1) / 9 with three satisfaction items on 1-10."""
    res = fit_pls(acsi_sim, ACSI_BLOCKS, ACSI_PATHS, scale_bounds=BOUNDS)
    items = ACSI_BLOCKS["CS"]
    w = res.outer_weights.loc[items, "CS"] / acsi_sim[items].std(ddof=0)
    w = w / w.sum()
    assert res.index["CS"] == pytest.approx(100 * float(w @ (acsi_sim[items].mean() - 1)) / 9, abs=1e-10)
    np.testing.assert_allclose(res.index_scores.mean().to_numpy(), res.index.to_numpy(), rtol=0, atol=1e-10)
    assert (res.index_bounds["source"] == "given").all()


def test_pls_index_bounds_default_to_observed_range():
    df = pd.DataFrame({"a": [2.0, 3, 4, 5, 6], "b": [3.0, 2, 5, 6, 4]})
    res = fit_pls(df, {"F": ["a", "b"]}, [])
    assert (res.index_bounds["source"] == "observed").all()
    assert res.index_bounds.loc["a", "min"] == 2.0 and res.index_bounds.loc["b", "max"] == 6.0
    assert 0 <= res.index["F"] <= 100


def test_pls_not_converged_warns(acsi_sim):
    with pytest.warns(ConvergenceWarning, match="did not converge in 1 iterations"):
        res = fit_pls(acsi_sim, ACSI_BLOCKS, ACSI_PATHS, max_iter=1)
    assert not res.converged and res.n_iter == 1 and res.last_change > 1e-7


def test_pls_converged_within_tolerance_of_tight_fit(acsi_sim):
    loose = fit_pls(acsi_sim, ACSI_BLOCKS, ACSI_PATHS, tol=1e-5)
    tight = fit_pls(acsi_sim, ACSI_BLOCKS, ACSI_PATHS, tol=1e-12)
    assert tight.n_iter > loose.n_iter
    pd.testing.assert_frame_equal(loose.outer_weights, tight.outer_weights, rtol=0, atol=1e-4)


def test_pls_quality_agrees_with_reliability_module(acsi_sim):
    res = fit_pls(acsi_sim, ACSI_BLOCKS, ACSI_PATHS)
    alpha = rel.cronbach_alpha(acsi_sim, ACSI_BLOCKS, standardized=True)["alpha"]
    pd.testing.assert_series_equal(res.quality["alpha"], alpha, check_names=False, rtol=0, atol=1e-12)
    pd.testing.assert_series_equal(res.quality["rho_c"], rel.composite_reliability(res.outer_loadings, ACSI_BLOCKS),
                                   check_names=False, rtol=0, atol=1e-12)
    pd.testing.assert_series_equal(res.quality["rho_a"], rel.rho_a(acsi_sim, ACSI_BLOCKS, res.outer_weights),
                                   check_names=False, rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(res.htmt, rel.htmt(acsi_sim, ACSI_BLOCKS), rtol=0, atol=1e-12)
    pd.testing.assert_series_equal(res.item_vif, rel.item_vif(acsi_sim, ACSI_BLOCKS), rtol=0, atol=1e-12)
    fl = rel.fornell_larcker(res.quality["ave"], res.latent_cor)
    pd.testing.assert_frame_equal(res.fornell_larcker, fl, rtol=0, atol=1e-12)
    assert list(res.quality.columns) == ["alpha", "rho_c", "rho_a", "ave", "r2", "n_items"]


def test_pls_result_tables_are_labelled(acsi_sim):
    res = fit_pls(acsi_sim, ACSI_BLOCKS, ACSI_PATHS)
    assert list(res.path_table.columns) == ["from", "to", "est"]
    assert list(res.total_effects.columns) == ["from", "to", "direct", "indirect", "total"]
    assert list(res.outer_table.columns) == ["latent", "item", "weight", "loading", "unstd_weight", "mean", "sd"]
    assert list(res.r2.index) == ["PQ", "PV", "CS", "CC", "CL"]
    assert res.modes == {lv: "A" for lv in ACSI_BLOCKS}
    assert (res.outer_loadings.loc[ACSI_BLOCKS["CE"], "CS"] == 0).all()
    assert res.scores.index.equals(acsi_sim.index)
    with pytest.raises(AttributeError):
        res.n = 3  # frozen


def test_pls_does_not_mutate_inputs(acsi_sim):
    df = acsi_sim.copy()
    blocks = {k: list(v) for k, v in ACSI_BLOCKS.items()}
    paths = list(ACSI_PATHS)
    fit_pls(df, blocks, paths, modes={"CE": "B"}, anchors={"CS": "cs2"})
    pd.testing.assert_frame_equal(df, acsi_sim)
    assert blocks == ACSI_BLOCKS and paths == ACSI_PATHS


# --------------------------------------------------------------------------- properties


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(30, 120), scheme=st.sampled_from(["path", "centroid", "factorial"]),
       mode_b=st.booleans())
def test_pls_results_are_consistent_with_scores(seed, n, scheme, mode_b):
    """Whatever the data: scores have unit variance, loadings are corr(item, score), paths and R² are
    the OLS fit on the scores, and a row permutation changes nothing."""
    rng = np.random.default_rng(seed)
    f = rng.standard_normal((n, 1))
    g = 0.5 * f + rng.standard_normal((n, 1))
    h = 0.3 * f + 0.4 * g + rng.standard_normal((n, 1))
    X = np.hstack([f + rng.standard_normal((n, 3)), g + rng.standard_normal((n, 2)), h + rng.standard_normal((n, 2))])
    df = pd.DataFrame(np.round(X * 2 + 5), columns=["a1", "a2", "a3", "b1", "b2", "c1", "c2"])
    blocks = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2"], "C": ["c1", "c2"]}
    paths = [("A", "B"), ("A", "C"), ("B", "C")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = fit_pls(df, blocks, paths, scheme=scheme, modes={"A": "B"} if mode_b else None, tol=1e-10, max_iter=1000)
    Y = res.scores.to_numpy()
    np.testing.assert_allclose(Y.mean(axis=0), 0, atol=1e-10)
    np.testing.assert_allclose(Y.std(axis=0), 1, atol=1e-10)
    for lv, its in blocks.items():
        for it in its:
            assert res.outer_loadings.loc[it, lv] == pytest.approx(np.corrcoef(df[it], res.scores[lv])[0, 1], abs=1e-9)
        assert res.outer_loadings.loc[its[0], lv] >= 0
    beta, *_ = np.linalg.lstsq(np.column_stack([np.ones(n), Y[:, :2]]), Y[:, 2], rcond=None)
    np.testing.assert_allclose(res.path_matrix.loc[["A", "B"], "C"], beta[1:], rtol=0, atol=1e-9)
    resid = Y[:, 2] - np.column_stack([np.ones(n), Y[:, :2]]) @ beta
    assert res.r2["C"] == pytest.approx(1 - resid.var() / Y[:, 2].var(), abs=1e-9)
    perm = rng.permutation(n)
    res2 = fit_pls(df.iloc[perm], blocks, paths, scheme=scheme, modes={"A": "B"} if mode_b else None, tol=1e-10,
                   max_iter=1000)
    pd.testing.assert_frame_equal(res.path_matrix, res2.path_matrix, rtol=0, atol=1e-9)
    assert res.converged == res2.converged


def test_pls_docstring_examples_run():
    import doctest

    import acsi.estimate.pls as mod

    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted >= 3 and res.failed == 0
