"""The fast batched ML engine (acsi.estimate.mlfast) against lavaan, semopy and exact data."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ACSI_TRUTH, exact_data, implied_cov

import acsi
from acsi.errors import EstimationError
from acsi.estimate import ml
from acsi.estimate import mlfast as mf
from reference.cases import load_case

REF = Path(__file__).resolve().parents[1] / "reference"
HEADLINE = {"political_democracy": "dem65"}
CASES = ["acsi_sim", "political_democracy", "ccsi_single"]


def _case(name):
    c = load_case(name)
    spec = acsi.parse_lavaan(c.model_text, name=name, headline=HEADLINE.get(name))
    return spec, c.data


@pytest.fixture(scope="module", params=CASES)
def lavaan_case(request):
    spec, data = _case(request.param)
    return request.param, spec, data, ml.fit_sem_fast(data, spec)


# --------------------------------------------------------------------------- derivatives
def test_gradient_and_exact_hessian_match_finite_differences():
    spec, data = _case("political_democracy")  # has residual covariances between items
    model = mf.RamModel(spec)
    S = mf.sample_moments(data[list(spec.item_ids)].to_numpy())[None]
    logdet = np.linalg.slogdet(S)[1]
    th = mf.start_values(model, S[0])[None]

    def derivs(t):
        F, (K, M, G, A, L, C) = mf._discrepancy(model, t, S, logdet)
        g, _, Hobs = mf.gradient_information(model, K, S, M, G, A, L, C, observed=True)
        return F[0], g[0], Hobs[0]

    _F0, g0, H0 = derivs(th)
    eps = 1e-6
    g_num = np.zeros(model.q)
    H_num = np.zeros((model.q, model.q))
    for k in range(model.q):
        e = np.zeros((1, model.q))
        e[0, k] = eps
        Fp, gp, _ = derivs(th + e)
        Fm, gm, _ = derivs(th - e)
        g_num[k] = (Fp - Fm) / (2 * eps)
        H_num[:, k] = (gp - gm) / (2 * eps)
    np.testing.assert_allclose(g0, g_num, atol=1e-7)
    np.testing.assert_allclose(H0, H_num, atol=1e-7)


def test_expected_information_equals_exact_hessian_when_model_fits_exactly(acsi_exact, acsi_text_spec):
    _data, cov = acsi_exact
    model = mf.RamModel(acsi_text_spec)
    S = cov.to_numpy()[None]
    th = mf.fit_covariances(model, S, mf.start_values(model, S[0])).theta
    _F, (K, M, G, A, L, C) = mf._discrepancy(model, th, S, np.linalg.slogdet(S)[1])
    g, _H, Hobs = mf.gradient_information(model, K, S, M, G, A, L, C, observed=True)
    np.testing.assert_allclose(Hobs, mf.information(model, K, M, G), atol=1e-9)
    assert np.abs(g).max() < 1e-10


# --------------------------------------------------------------------------- exact data
def test_exact_recovery_of_true_parameters(acsi_exact, acsi_text_spec):
    data, _ = acsi_exact
    est = ml.fit_sem_fast(data, acsi_text_spec).estimates.set_index(["lhs", "op", "rhs"])["est"]
    t = ACSI_TRUTH
    for it, v in t["loadings"].items():
        assert est[(it[:2].upper(), "=~", it)] == pytest.approx(v, abs=1e-9)
    for (a, b), v in t["paths"].items():
        assert est[(b, "~", a)] == pytest.approx(v, abs=1e-9)
    for it, v in t["theta"].items():
        assert est[(it, "~~", it)] == pytest.approx(v, abs=1e-9)
    for lv, v in t["psi"].items():
        assert est[(lv, "~~", lv)] == pytest.approx(v, abs=1e-9)


def test_heywood_case_estimated_and_named(acsi_text_spec):
    t = {k: dict(v) for k, v in ACSI_TRUTH.items()}
    t["theta"]["cc1"] = -0.05
    cov = implied_cov(acsi_text_spec, t["loadings"], t["paths"], t["theta"], t["psi"])
    res = ml.fit_sem_fast(exact_data(cov, 500, seed=3), acsi_text_spec)
    est = res.estimates.set_index(["lhs", "op", "rhs"])["est"]
    assert est[("cc1", "~~", "cc1")] == pytest.approx(-0.05, abs=1e-9)
    assert not res.admissible
    assert any("negative residual variance of item cc1" in p for p in res.problems)


# --------------------------------------------------------------------------- lavaan
def test_estimates_match_lavaan(lavaan_case):
    """lavaan 0.6-14 with its default nlminb tolerance is itself within 7e-6 of the optimum."""
    name, _spec, _data, res = lavaan_case
    ref = load_case(name).parameters.set_index(["lhs", "op", "rhs"])
    got = res.estimates.set_index(["lhs", "op", "rhs"]).loc[ref.index]
    np.testing.assert_allclose(got["est"], ref["est"], atol=1e-5)
    np.testing.assert_allclose(got["std_all"], ref["std_all"], atol=1e-5)
    free = ref["se"] > 0
    np.testing.assert_allclose(got.loc[free, "se"], ref.loc[free, "se"], atol=1e-5)


def test_fit_measures_match_lavaan(lavaan_case):
    name, _spec, _data, res = lavaan_case
    ref = load_case(name).fit_measures
    for k in ("npar", "df", "baseline_df", "ntotal"):
        assert res.fit_measures[k] == ref[k]
    for k in ("chisq", "logl", "aic", "bic"):
        assert res.fit_measures[k] == pytest.approx(ref[k], rel=1e-6)
    for k in ("cfi", "tli", "rmsea", "srmr"):
        assert res.fit_measures[k] == pytest.approx(ref[k], abs=1e-6)


def test_each_resample_matches_tight_lavaan_refits():
    """100 fixed resamples refitted by lavaan with Gauss-Newton to 1e-12: the same optimum to 1e-8."""
    spec, data = _case("acsi_sim")
    model = mf.RamModel(spec)
    idx = pd.read_csv(REF / "bootstrap_acsi_sim" / "indices.csv.gz").to_numpy() - 1
    ref = pd.read_csv(REF / "bootstrap_acsi_sim" / "fixed_replicates.csv")
    assert ref["converged"].all()
    X = data[list(spec.item_ids)].to_numpy(dtype=float)
    S = np.stack([mf.sample_moments(X[i]) for i in idx])
    full = mf.fit_covariances(model, mf.sample_moments(X)[None], mf.start_values(model, mf.sample_moments(X))).theta[0]
    bf = mf.fit_covariances(model, S, full)
    assert bf.converged.all()
    cols = [" ".join(lab) for lab in model.labels]
    np.testing.assert_allclose(bf.theta, ref[cols].to_numpy(), atol=1e-8)


# --------------------------------------------------------------------------- semopy
def test_fit_sem_fast_has_the_shape_and_values_of_fit_sem():
    from acsi.estimate.sem import fit_sem

    spec, data = _case("acsi_sim")
    a = fit_sem(data, spec)
    b = ml.fit_sem_fast(data, spec)
    assert list(a.estimates.columns) == list(b.estimates.columns)
    pd.testing.assert_frame_equal(a.estimates[["lhs", "op", "rhs", "free"]], b.estimates[["lhs", "op", "rhs", "free"]])
    for c in ("est", "se", "std_all", "ci_lower", "ci_upper"):
        np.testing.assert_allclose(a.estimates[c], b.estimates[c], atol=1e-5, equal_nan=True)
    np.testing.assert_allclose(a.fit_measures.to_numpy(dtype=float), b.fit_measures.to_numpy(dtype=float), rtol=1e-6, atol=1e-6)
    pd.testing.assert_frame_equal(a.loadings, b.loadings, atol=1e-5)
    pd.testing.assert_frame_equal(a.latent_cov, b.latent_cov, atol=1e-5)
    assert (a.converged, a.admissible, a.n) == (b.converged, b.admissible, b.n)
    assert b.objective == pytest.approx(a.objective, abs=1e-9)
    assert b.objective <= a.objective + 1e-15  # the exact optimum is never worse than semopy's


def test_resamples_match_semopy_refits_with_tight_tolerance():
    """semopy's SLSQP stops 1e-6..4e-6 away at ftol=1e-12; at ftol=1e-14 it agrees to 1e-6."""
    from acsi.estimate.sem import fit_sem

    spec, data = _case("acsi_sim")
    model = mf.RamModel(spec)
    X = data[list(spec.item_ids)].to_numpy(dtype=float)
    S0 = mf.sample_moments(X)
    full = mf.fit_covariances(model, S0[None], mf.start_values(model, S0)).theta[0]
    idx = pd.read_csv(REF / "bootstrap_acsi_sim" / "indices.csv.gz").to_numpy()[:2] - 1
    bf = mf.fit_covariances(model, np.stack([mf.sample_moments(X[i]) for i in idx]), full)
    for r, i in enumerate(idx):
        res = fit_sem(pd.DataFrame(X[i], columns=list(spec.item_ids)), spec, ftol=1e-14)
        est = res.estimates.set_index(["lhs", "op", "rhs"])["est"]
        np.testing.assert_allclose(bf.theta[r], est.loc[model.labels].to_numpy(), atol=1e-6)


# --------------------------------------------------------------------------- batches
def test_a_replicate_does_not_depend_on_its_batch():
    spec, data = _case("acsi_sim")
    model = mf.RamModel(spec)
    X = data[list(spec.item_ids)].to_numpy(dtype=float)
    rng = np.random.default_rng(1)
    S = np.stack([mf.sample_moments(X[rng.integers(0, len(X), len(X))]) for _ in range(7)])
    start = mf.start_values(model, mf.sample_moments(X))
    together = mf.fit_covariances(model, S, start)
    alone = mf.fit_covariances(model, S[3:4], start)
    np.testing.assert_array_equal(together.theta[3], alone.theta[0])
    assert together.converged.all()


def test_fisher_scoring_only_reaches_the_same_optimum():
    spec, data = _case("acsi_sim")
    model = mf.RamModel(spec)
    S = mf.sample_moments(data[list(spec.item_ids)].to_numpy(dtype=float))
    start = mf.start_values(model, S)
    a = mf.fit_covariances(model, S[None], start)
    b = mf.fit_covariances(model, S[None], start, newton=False)
    assert b.converged[0] and b.n_iter[0] > a.n_iter[0]
    np.testing.assert_allclose(a.theta, b.theta, atol=1e-9)


def test_sufficient_statistics_fit_equals_data_fit():
    spec, data = _case("ccsi_single")
    model = mf.RamModel(spec)
    S = mf.sample_moments(data[list(spec.item_ids)].to_numpy(dtype=float))
    a = ml.sem_result_from_cov(model, S, len(data))
    b = ml.fit_sem_fast(data, spec, model=model)
    pd.testing.assert_frame_equal(a.estimates, b.estimates)


# --------------------------------------------------------------------------- errors
def test_not_converged_is_reported():
    spec, data = _case("acsi_sim")
    res = ml.fit_sem_fast(data, spec, maxiter=1)
    assert not res.converged
    assert any("did not converge in 1 iterations" in m for m in res.messages)
    assert res.estimates["se"].isna().all()


def test_item_latent_covariance_is_estimated_as_lavaan():
    """An indicator covarying with a latent (refused before the parameter table) is lavaan's
    phantom-latent model: the fit equals lavaan's (tests/reference/engine_item_latent_cov)."""
    from reference.cases import load_case

    c = load_case("engine_item_latent_cov")
    res = ml.fit_sem_fast(c.data, acsi.parse_lavaan(c.model_text, name="odd"))
    ref = c.parameters.set_index(["lhs", "op", "rhs"])
    got = res.estimates.set_index(["lhs", "op", "rhs"]).loc[ref.index]
    np.testing.assert_allclose(got["est"], ref["est"], atol=1e-6)
    assert res.fit_measures["chisq"] == pytest.approx(c.fit_measures["chisq"], rel=1e-6)


def test_non_positive_definite_batch_is_refused():
    spec, _data = _case("acsi_sim")
    model = mf.RamModel(spec)
    S = np.stack([np.eye(15), np.zeros((15, 15))])
    with pytest.raises(EstimationError, match=r"covariance matrices \[1\] of the batch are not positive definite"):
        mf.fit_covariances(model, S, np.ones(model.q))


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.drop(columns="cs1"), r"data lack the model's items \['cs1'\]"),
        (lambda d: d.assign(cs2=np.where(np.arange(len(d)) == 3, np.nan, d["cs2"])), r"missing values in cs2"),
        (lambda d: d.iloc[:1], r"cannot fit a model to 1 respondent"),
        (lambda d: d.assign(pv1=5.0), r"items with no variance .*: pv1"),
    ],
)
def test_fit_sem_fast_refuses_bad_data(mutate, message):
    spec, data = _case("acsi_sim")
    with pytest.raises(EstimationError, match=message):
        ml.fit_sem_fast(mutate(data), spec)
