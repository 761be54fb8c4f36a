"""Exact-moment data (sample moments equal the population moments): acsi's engine must return
the true parameters, with constraints (syntax_equality/exact) and in every invariance level of a
two-group model (mg_exact), and a chi-square of 0.  Also: constrained bootstrap refits from the
warm start equal cold refits."""

import numpy as np
import pytest

from acsi.estimate import mlfast as mf
from acsi.estimate.ml import compile as compile_model
from acsi.estimate.ml import fit_ml
from estimate.lavaan_tables import table_from_spec
from reference.cases import load_case


def _truth_merged(res, truth):
    est = res.estimates.copy()
    if "group" not in est.columns:
        est["group"] = 1
    if "group" not in truth.columns:
        truth = truth.assign(group=1)
    return truth.merge(est, on=["group", "lhs", "op", "rhs"], how="left")


@pytest.mark.parametrize("name", ["syntax_equality/exact", "mg_exact", "mg_exact/metric", "mg_exact/scalar",
                                  "mg_exact/strict", "mg_exact/all_equal"])
def test_exact_moments_give_the_truth(name):
    c = load_case(name)
    truth = c.truth
    res = fit_ml(table_from_spec(c), c.data, group=c.options.get("group"))
    assert res.converged
    m = _truth_merged(res, truth)
    assert m["est"].notna().all(), m.loc[m["est"].isna(), ["lhs", "op", "rhs"]]
    np.testing.assert_allclose(m["est"], m["value"], atol=1e-8, rtol=0)
    assert abs(res.fit_measures["chisq"]) < 1e-8
    assert res.fit_measures["cfi"] == 1.0 and res.fit_measures["rmsea"] == 0.0


def test_constrained_replicates_warm_equal_cold():
    c = load_case("syntax_constraints_nonlinear")
    model = compile_model(table_from_spec(c))
    full = fit_ml(model, c.data)
    X = c.data[model.groups[0].ov].to_numpy(float)
    rng = np.random.default_rng(7)
    S = np.stack([mf.sample_moments(X[rng.integers(0, len(X), len(X))]) for _ in range(6)])
    warm = mf.fit_covariances(model, S, full.extra["theta"])
    cold = mf.fit_covariances(model, S, mf.start_values(model, S[0]))
    assert warm.converged.all() and cold.converged.all()
    np.testing.assert_allclose(warm.theta, cold.theta, atol=1e-8)
    v = np.real(model.constraint_values(warm.theta))
    assert np.abs(v[:, 0]).max() < 1e-10  # b == a*c
    assert v[:, 1].min() > -1e-10  # e > 0
    # a replicate does not depend on its batch
    alone = mf.fit_covariances(model, S[2:3], full.extra["theta"])
    np.testing.assert_array_equal(alone.theta[0], warm.theta[2])


def test_fiml_with_nonlinear_constraints_on_complete_data_equals_ml():
    """FIML on complete rows is complete-data ML with free intercepts, constraints included."""
    import acsi

    c = load_case("syntax_constraints_nonlinear")
    spec = acsi.parse_lavaan(c.model_text, name="x", scale=(-1e9, 1e9), headline="CS")
    a = fit_ml(spec.partable(meanstructure=True), c.data, missing="ml")
    b = fit_ml(spec.partable(), c.data)
    assert a.converged and a.extra["engine"] == "fiml"
    ea = a.estimates[a.estimates["op"] != "~1"].set_index(["lhs", "op", "rhs"])["est"]
    eb = b.estimates.set_index(["lhs", "op", "rhs"])["est"]
    np.testing.assert_allclose(ea.loc[eb.index], eb, atol=1e-8)
    assert a.fit_measures["chisq"] == pytest.approx(b.fit_measures["chisq"], rel=1e-9)
    assert a.fit_measures["df"] == b.fit_measures["df"] and a.fit_measures["npar"] == b.fit_measures["npar"] + 15
