"""The data-processing analyses against R (tests/reference/methods_toolkit/make_reference.R).

lm + sandwich::vcovHC (drivers), Johnson's relative weights and the Shapley value by all
720 orders of entry (written in R), prcomp, factanal, psych::fa, stats::varimax/promax,
GPArotation::oblimin, psych::KMO/cortest.bartlett, hclust/cutree, kmeans (Lloyd), ca::ca on
Greenacre's smoking table, cor.test and p.adjust.  Signs and orders of components and factors
are arbitrary in both programs: compared after aligning each column to the reference's sign.
"""
import numpy as np
import pandas as pd
import pytest
from toolkit_reference import ref, smoke, sq_data, survey  # noqa: F401  (fixtures)

from acsi.methods import (cluster_items, cluster_respondents, correlation_table, correspondence, driver_regression,
                          efa, pca)


ATTRS = ["price", "speed", "staff", "clean", "choice", "comfort"]


def _complete(survey):
    return survey.dropna(subset=["overall"] + ATTRS)


def _align(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Flip each column of ``got`` to the sign of ``want``'s (sign is arbitrary)."""
    s = np.sign((got * want).sum(axis=0))
    s[s == 0] = 1
    return got * s


def _cols(v, p):
    return np.asarray(v).reshape(-1, p).T  # R writes matrices column-major


@pytest.mark.parametrize("weighted", [False, True])
def test_driver_regression(ref, survey, weighted):
    key = "weighted" if weighted else "unweighted"
    res = driver_regression(survey, "overall", ATTRS, weights="weight" if weighted else None)
    assert res.fit["n"] == ref.get("drivers", "n") and res.fit["n_dropped"] == len(survey) - ref.get("drivers", "n")
    np.testing.assert_allclose(res.coefficients["coef"], ref.get("drivers", f"{key}.coef"), atol=1e-10)
    np.testing.assert_allclose(res.coefficients["se"], ref.get("drivers", f"{key}.se_hc3"), atol=1e-10)
    assert res.fit["r2"] == pytest.approx(ref.get("drivers", f"{key}.r2"), abs=1e-12)
    assert res.fit["adj_r2"] == pytest.approx(ref.get("drivers", f"{key}.adj_r2"), abs=1e-12)
    assert res.fit["f"] == pytest.approx(ref.get("drivers", f"{key}.f"), rel=1e-10)
    imp = res.importance
    np.testing.assert_allclose(imp["vif"], ref.get("drivers", f"{key}.vif"), rtol=1e-10)
    np.testing.assert_allclose(imp["relative_weight"], ref.get("drivers", f"{key}.relative_weights"), atol=1e-12)
    np.testing.assert_allclose(imp["shapley"], ref.get("drivers", f"{key}.shapley"), atol=1e-12)
    assert imp["relative_weight"].sum() == pytest.approx(res.fit["r2"], abs=1e-12)
    assert imp["shapley"].sum() == pytest.approx(res.fit["r2"], abs=1e-12)
    hc1 = driver_regression(survey, "overall", ATTRS, weights="weight" if weighted else None, cov_type="HC1")
    np.testing.assert_allclose(hc1.coefficients["se"], ref.get("drivers", f"{key}.se_hc1"), atol=1e-10)
    const = driver_regression(survey, "overall", ATTRS, weights="weight" if weighted else None, cov_type="nonrobust")
    np.testing.assert_allclose(const.coefficients["se"], ref.get("drivers", f"{key}.se_const"), atol=1e-10)
    assert "Derived importance" in str(res.summary())


def test_pca_against_prcomp(ref, survey):
    res = pca(_complete(survey), ATTRS, n_components=2)
    np.testing.assert_allclose(res.eigenvalues["eigenvalue"], ref.get("pca", "eigenvalues"), rtol=1e-10)
    want = _cols(ref.get("pca", "rotation"), 6)
    got = _align(res.rotation.to_numpy(), want)
    np.testing.assert_allclose(got, want, atol=1e-10)
    sign = np.sign((res.rotation.to_numpy() * want).sum(axis=0))
    scores = res.scores.to_numpy()[:5] * sign
    np.testing.assert_allclose(scores, _cols(ref.get("pca", "scores_first5"), 5), atol=1e-10)
    np.testing.assert_allclose(res.loadings.to_numpy(), res.rotation.to_numpy() * np.sqrt(res.eigenvalues["eigenvalue"][:2].to_numpy()))
    default = pca(_complete(survey), ATTRS)
    assert default.loadings.shape[1] == int((res.eigenvalues["eigenvalue"] > 1).sum())


@pytest.mark.parametrize("rotation, key", [("varimax", "varimax"), ("promax", "promax"), ("oblimin", "oblimin")])
def test_efa_ml_against_factanal(ref, survey, rotation, key):
    res = efa(_complete(survey), ATTRS, n_factors=2, method="ml", rotation=rotation)
    assert res.converged and not res.problems
    np.testing.assert_allclose(res.communalities["uniqueness"], ref.get("efa_ml", "uniquenesses"), atol=1e-6)
    want = _cols(ref.get("efa_ml", key), 6)
    got = res.loadings.to_numpy()
    # acsi orders factors by sum of squares; match R's columns by their best correlation
    perm = [int(np.argmax(np.abs(want.T @ got[:, j]))) for j in range(2)]
    assert sorted(perm) == [0, 1]
    want = want[:, perm]
    np.testing.assert_allclose(_align(got, want), want, atol=2e-6)
    if rotation != "varimax":
        phi = _cols(ref.get("efa_ml", f"{key}_phi"), 2)[np.ix_(perm, perm)]
        assert abs(res.phi.iloc[0, 1]) == pytest.approx(abs(phi[0, 1]), abs=2e-6)
    assert res.fit["chi2"] == pytest.approx(ref.get("efa_ml", "statistic"), rel=1e-5)
    assert res.fit["df"] == ref.get("efa_ml", "dof")
    assert res.fit["pvalue"] == pytest.approx(ref.get("efa_ml", "pvalue"), abs=1e-6)


def test_efa_pa_and_adequacy(ref, survey):
    res = efa(_complete(survey), ATTRS, n_factors=2, method="pa", rotation="varimax")
    np.testing.assert_allclose(res.communalities["communality"], ref.get("efa_pa", "communalities"), atol=1e-8)
    want = _cols(ref.get("efa_pa", "varimax"), 6)
    got = res.loadings.to_numpy()
    perm = [int(np.argmax(np.abs(want.T @ got[:, j]))) for j in range(2)]
    np.testing.assert_allclose(_align(got, want[:, perm]), want[:, perm], atol=1e-6)  # varimax's flat optimum
    assert res.fit["kmo"] == pytest.approx(ref.get("adequacy", "kmo"), abs=1e-12)
    np.testing.assert_allclose(res.communalities["kmo"], ref.get("adequacy", "kmo_items"), atol=1e-12)
    assert res.fit["bartlett_chi2"] == pytest.approx(ref.get("adequacy", "bartlett_chi2"), rel=1e-12)
    assert res.fit["bartlett_df"] == ref.get("adequacy", "bartlett_df")
    assert np.isnan(res.fit["chi2"])


def _same_partition(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return all(len(set(b[a == k])) == 1 for k in set(a)) and len(set(a)) == len(set(b))


def test_cluster_items_against_hclust(ref, survey):
    res = cluster_items(_complete(survey), ATTRS, n_clusters=2)
    np.testing.assert_allclose(np.sort(res.merges["height"]), np.sort(ref.get("cluster_items", "heights")), atol=1e-12)
    assert _same_partition(res.clusters["cluster"], ref.get("cluster_items", "cut2"))
    three = cluster_items(_complete(survey), ATTRS, n_clusters=3)
    assert _same_partition(three.clusters["cluster"], ref.get("cluster_items", "cut3"))
    comp = cluster_items(_complete(survey), ATTRS, n_clusters=2, linkage="complete")
    np.testing.assert_allclose(np.sort(comp.merges["height"]), np.sort(ref.get("cluster_items", "complete_heights")), atol=1e-12)
    assert res.plot() is not None


def test_kmeans_against_r_lloyd(ref, survey):
    data = _complete(survey)
    X = data[ATTRS].to_numpy(float)
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    res = cluster_respondents(data, ATTRS, n_clusters=3, init=Z[:3])
    assert _same_partition(res.labels, ref.get("kmeans", "cluster"))
    assert res.fit["within_ss"] == pytest.approx(ref.get("kmeans", "tot_withinss"), rel=1e-10)
    assert res.fit["total_ss"] == pytest.approx(ref.get("kmeans", "totss"), rel=1e-10)
    sizes = res.centers["size"].tolist()
    assert sizes == sorted(sizes, reverse=True)
    again = cluster_respondents(data, ATTRS, n_clusters=3, seed=5)
    assert again.labels.equals(cluster_respondents(data, ATTRS, n_clusters=3, seed=5).labels)  # same seed, same bits


def test_correspondence_against_ca(ref, smoke):
    res = correspondence(smoke)
    np.testing.assert_allclose(res.eigenvalues["singular_value"], ref.get("ca", "sv"), atol=1e-12)
    K = len(res.eigenvalues)
    rows = _cols(ref.get("ca", "rowcoord"), smoke.shape[0])[:, :K]
    cols = _cols(ref.get("ca", "colcoord"), smoke.shape[1])[:, :K]
    got_r = res.row_standard.to_numpy()
    sign = np.sign((got_r * rows).sum(axis=0))
    np.testing.assert_allclose(got_r * sign, rows, atol=1e-10)
    np.testing.assert_allclose(res.column_standard.to_numpy() * sign, cols, atol=1e-10)
    np.testing.assert_allclose(res.rows["mass"], ref.get("ca", "rowmass"), atol=1e-14)
    np.testing.assert_allclose(res.rows["inertia"] * res.fit["total_inertia"], ref.get("ca", "rowinertia"), atol=1e-14)
    np.testing.assert_allclose(res.columns["inertia"] * res.fit["total_inertia"], ref.get("ca", "colinertia"), atol=1e-14)
    assert res.fit["chi2"] == pytest.approx(ref.get("ca", "chisq"), rel=1e-12)
    np.testing.assert_allclose(res.rows[[c for c in res.rows.columns if c.startswith("cos2")]].sum(axis=1), 1.0, atol=1e-12)
    assert res.plot() is not None


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_correlation_table_against_cor_test(ref, survey, method):
    res = correlation_table(survey, ["price", "speed", "choice", "recommend"], method=method, adjust="holm")
    np.testing.assert_allclose(res.pairs["r"], ref.get("correlation", f"{method}.estimate"), atol=1e-12)
    np.testing.assert_allclose(res.pairs["pvalue"], ref.get("correlation", f"{method}.pvalue"), rtol=1e-8, atol=1e-300)
    np.testing.assert_allclose(res.pairs["p_adjusted"], ref.get("correlation", f"{method}.holm"), rtol=1e-8, atol=1e-300)
    bh = correlation_table(survey, ["price", "speed", "choice", "recommend"], method=method, adjust="fdr_bh")
    np.testing.assert_allclose(bh.pairs["p_adjusted"], ref.get("correlation", f"{method}.BH"), rtol=1e-8, atol=1e-300)
    if method == "pearson":
        np.testing.assert_allclose(res.pairs["ci_lower"], ref.get("correlation", "pearson.lower"), atol=1e-12)
        np.testing.assert_allclose(res.pairs["ci_upper"], ref.get("correlation", "pearson.upper"), atol=1e-12)
    assert "6 tests" in res.note
    m = res.matrix()
    assert m.shape == (4, 4) and m.loc["price", "speed"] == m.loc["speed", "price"]
