"""Exact recovery: data whose sample covariance equals the implied matrix return the truth."""

import numpy as np
import pytest

from acsi.estimate.fitmeasures import fit_measures
from acsi.estimate.sem import fit_sem
from conftest import ACSI_TRUTH, exact_data, implied_cov

TOL = 1e-6  # optimizer tolerance ftol=1e-12 gives estimates within 1e-6 of the truth


def test_acsi_parameters_recovered_exactly(acsi_exact, acsi_text_spec):
    data, _ = acsi_exact
    res = fit_sem(data, acsi_text_spec)
    assert res.converged and res.admissible
    est = res.estimates.set_index(["lhs", "op", "rhs"])["est"]
    for it, v in ACSI_TRUTH["loadings"].items():
        lv = it[:2].upper()
        assert est[(lv, "=~", it)] == pytest.approx(v, abs=TOL)
    for (a, b), v in ACSI_TRUTH["paths"].items():
        assert est[(b, "~", a)] == pytest.approx(v, abs=TOL)
    for it, v in ACSI_TRUTH["theta"].items():
        assert est[(it, "~~", it)] == pytest.approx(v, abs=TOL)
    for lv, v in ACSI_TRUTH["psi"].items():
        assert est[(lv, "~~", lv)] == pytest.approx(v, abs=TOL)


def test_exact_fit_measures_are_perfect(acsi_exact, acsi_text_spec):
    data, _ = acsi_exact
    fm = fit_sem(data, acsi_text_spec).fit_measures
    assert fm["chisq"] == pytest.approx(0.0, abs=1e-6)
    assert fm["df"] == 120 - 39
    assert fm["rmsea"] == pytest.approx(0.0, abs=1e-6)
    assert fm["srmr"] == pytest.approx(0.0, abs=1e-6)
    assert fm["cfi"] == pytest.approx(1.0, abs=1e-9)
    assert fm["logl"] == pytest.approx(fm["unrestricted_logl"], abs=1e-5)


def test_exact_data_helper_really_is_exact(acsi_exact):
    data, cov = acsi_exact
    X = data.to_numpy() - data.to_numpy().mean(axis=0)
    np.testing.assert_allclose(X.T @ X / len(X), cov.to_numpy(), atol=1e-10)


def test_heywood_case_is_reported_not_clamped(acsi_text_spec):
    """semopy clamps negative variances at 0 silently; we estimate them and flag them by name."""
    t = {k: dict(v) for k, v in ACSI_TRUTH.items()}
    t["theta"]["cc1"] = -0.05
    cov = implied_cov(acsi_text_spec, t["loadings"], t["paths"], t["theta"], t["psi"])
    assert np.linalg.eigvalsh(cov.to_numpy()).min() > 0
    res = fit_sem(exact_data(cov, 500, seed=3), acsi_text_spec)
    est = res.estimates.set_index(["lhs", "op", "rhs"])["est"]
    assert est[("cc1", "~~", "cc1")] == pytest.approx(-0.05, abs=1e-5)
    assert not res.admissible
    assert any("negative residual variance of item cc1" in p for p in res.problems)


def test_single_indicator_latent_exact(acsi_text_spec):
    import acsi

    spec = acsi.parse_lavaan(
        "CS =~ cs1 + cs2 + cs3\nCC =~ cc1\nCL =~ cl1 + cl2\nCC ~ CS\nCL ~ CS + CC\n", name="single"
    )
    cov = implied_cov(
        spec,
        {"cs1": 1, "cs2": 0.8, "cs3": 1.1, "cc1": 1, "cl1": 1, "cl2": 0.9},
        {("CS", "CC"): -0.5, ("CS", "CL"): 0.6, ("CC", "CL"): -0.2},
        {"cs1": 0.3, "cs2": 0.4, "cs3": 0.35, "cc1": 0.0, "cl1": 0.4, "cl2": 0.45},
        {"CS": 1.0, "CC": 0.7, "CL": 0.5},
    )
    res = fit_sem(exact_data(cov, 300, seed=5), spec)
    est = res.estimates.set_index(["lhs", "op", "rhs"])
    assert est.loc[("CC", "~", "CS"), "est"] == pytest.approx(-0.5, abs=TOL)
    assert est.loc[("cc1", "~~", "cc1"), "est"] == 0.0
    assert not est.loc[("cc1", "~~", "cc1"), "free"]
    # free: 3 loadings + 3 paths + 5 residual variances (cc1 fixed) + 3 latent variances = 14
    assert res.fit_measures["df"] == 21 - 14


def test_fit_measures_of_saturated_model_are_exact():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 4))
    S = A @ A.T + 4 * np.eye(4)
    fm = fit_measures(S, S, n=100, npar=10)
    assert fm["chisq"] == pytest.approx(0.0, abs=1e-10)
    assert fm["df"] == 0
    assert np.isnan(fm["pvalue"])
