"""Weighted and robust ML (acsi.estimate.robust) against lavaan 0.6-14, through both engines.

Cases (``tests/reference/robust_*``): survey weights with lavaan's defaults for weighted data
(Huber-White SEs, Yuan-Bentler scaled test), the same with ``se = "standard"``,
``estimator = "MLR"`` and ``estimator = "MLM"`` on skewed 1-10 answers.  Tolerances (issue 13):
estimates and SEs 1e-4 absolute, fit measures 1e-5 relative (the cases' ``tolerances.json``),
counts exact.  Every measure lavaan reports that acsi computes is compared, scaled and robust
ones included.

At lavaan's own estimates every formula (sandwich, scaling factors, scaled and robust indexes)
must give lavaan's number to 1e-6 relative: that isolates the formulas from the optimiser.
"""

import numpy as np
import pandas as pd
import pytest

from acsi.errors import EstimationError, InvalidParameterError
from acsi.estimate.ml import compile as compile_model
from acsi.estimate.ml import fit_ml, result_from_theta
from acsi.estimate.mlfast import expected_information
from acsi.estimate.robust import resolve_inference
from acsi.estimate.samplestats import SampleStats
from acsi.estimate.sem import fit_sem
from estimate.lavaan_tables import table_from_lavaan
from reference.cases import load_case, match_estimates

# case -> acsi's options for the same lavaan call
CASES = {
    "robust_weighted": {"weights": "w"},
    "robust_weighted/weighted_standard": {"weights": "w", "se": "standard"},
    "robust_mlr": {"estimator": "mlr"},
    "robust_mlm": {"estimator": "mlm"},
    "robust_weighted/unweighted": {},
    "robust_mlr/ml": {},
}
ENGINES = ("mlfast", "semopy")
COUNTS = ("npar", "df", "baseline_df", "ntotal", "df_scaled", "baseline_df_scaled")
SCALED = ("chisq_scaled", "pvalue_scaled", "chisq_scaling_factor", "baseline_chisq_scaled",
          "baseline_chisq_scaling_factor", "cfi_scaled", "tli_scaled", "cfi_robust", "tli_robust", "rmsea_scaled",
          "rmsea_ci_lower_scaled", "rmsea_ci_upper_scaled", "rmsea_robust", "rmsea_ci_lower_robust",
          "rmsea_ci_upper_robust", "rmsea_pvalue_scaled", "rmsea_pvalue_robust")


def _fit(case, engine, opts):
    table = table_from_lavaan(case)
    if engine == "semopy":
        return fit_sem(case.data, table, **opts)
    return fit_ml(table, case.data, **opts)


@pytest.fixture(scope="module", params=[(c, e) for c in CASES for e in ENGINES], ids=lambda p: f"{p[0]}-{p[1]}")
def fitted(request):
    name, engine = request.param
    case = load_case(name)
    return case, _fit(case, engine, CASES[name]), engine


def test_resolved_options_are_lavaans(fitted):
    case, res, _ = fitted
    inf = res.extra["inference"]
    lav = case.lavaan
    assert inf.se == lav["se"]
    tests = lav["test"] if isinstance(lav["test"], list) else [lav["test"]]
    assert inf.test == tests[0]  # weighted with test="standard": lavaan adds the scaled test first
    info = lav["information"][0] if isinstance(lav["information"], list) else lav["information"]
    assert inf.information == info


def test_estimates_and_standard_errors_match_lavaan(fitted):
    case, res, _ = fitted
    assert res.converged, res.messages
    m = match_estimates(case.estimates, res.estimates)
    assert len(m) == len(case.estimates) and m["est"].notna().all()
    tol = case.tol
    np.testing.assert_allclose(m["est"], m["est_ref"], atol=tol["est_atol"], rtol=0)
    free = m["free"].astype(bool)
    np.testing.assert_allclose(m.loc[free, "se"], m.loc[free, "se_ref"], atol=tol["se_atol"], rtol=0)
    for col in ("ci_lower", "ci_upper"):
        np.testing.assert_allclose(m[col], m[f"{col}_ref"], atol=tol["est_atol"], rtol=0)


def test_fit_measures_match_lavaan(fitted):
    case, res, _ = fitted
    fm, ref, tol = res.fit_measures, case.fit_measures, case.tol
    for k in COUNTS:
        if k in ref.index:
            assert fm[k] == ref[k], k
    scaled = "chisq_scaled" in ref.index and np.isfinite(ref["chisq_scaled"])
    assert scaled == ("chisq_scaled" in fm.index)
    compared = 0
    for k in fm.index:
        if k in COUNTS or k not in ref.index or (np.isnan(ref[k]) and np.isnan(fm[k])):
            continue
        assert fm[k] == pytest.approx(ref[k], rel=tol["fit_rtol"], abs=tol["fit_atol"]), k
        compared += 1
    assert compared >= (32 if scaled else 14)
    for k in ("scaling_factor_h1", "scaling_factor_h0"):
        if k in ref.index and np.isfinite(ref[k]):
            assert fm[k] == pytest.approx(ref[k], rel=tol["fit_rtol"]), k


def test_vcov_matches_lavaan(fitted):
    case, res, _ = fitted
    ref = case.vcov.to_numpy()
    V = res.vcov.to_numpy()
    scale = np.sqrt(np.outer(np.diag(ref), np.diag(ref)))
    assert np.abs(V - ref).max() / scale.max() < 1e-3


@pytest.mark.parametrize("name", [c for c in CASES if CASES[c]])
def test_every_formula_is_lavaans_at_lavaans_estimates(name):
    """The sandwich, the scaling factors and every scaled/robust index at lavaan's θ."""
    case = load_case(name)
    opts = CASES[name]
    model = compile_model(table_from_lavaan(case))
    pt = case.partable
    theta = pt[pt["free"] > 0].sort_values("free")["est"].to_numpy(dtype=float)
    inf = resolve_inference(opts.get("estimator", "ml"), weighted="weights" in opts, se=opts.get("se"))
    stats = SampleStats.from_data(case.data, model.groups[0].ov, weights=opts.get("weights"), keep_rows=True)
    res = result_from_theta(model, stats, theta, info=expected_information(model, theta, stats), converged=True,
                            inference=inf)
    m = match_estimates(case.estimates, res.estimates)
    free = m["free"].astype(bool)
    np.testing.assert_allclose(m.loc[free, "se"], m.loc[free, "se_ref"], rtol=1e-6)
    ref = case.fit_measures
    for k in SCALED + ("scaling_factor_h1", "scaling_factor_h0"):
        if k in ref.index and np.isfinite(ref[k]):
            # lavaan's RMSEA intervals come from uniroot (about 1e-8 absolute)
            rel = 1e-5 if "_ci_" in k else 1e-6
            assert res.fit_measures[k] == pytest.approx(ref[k], rel=rel, abs=1e-9), k


# ---------------------------------------------------------------------------- properties
@pytest.fixture(scope="module")
def weighted_case():
    return load_case("robust_weighted")


def test_weights_are_normalised_so_their_scale_does_not_matter(weighted_case):
    c = weighted_case
    table = table_from_lavaan(c)
    a = fit_ml(table, c.data, weights="w")
    b = fit_ml(table, c.data, weights=c.data["w"].to_numpy() * 7.3)
    np.testing.assert_allclose(a.estimates["est"], b.estimates["est"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(a.estimates["se"], b.estimates["se"], rtol=1e-7, atol=1e-12)
    assert a.fit_measures["chisq_scaled"] == pytest.approx(b.fit_measures["chisq_scaled"], rel=1e-8)


def test_equal_weights_give_the_unweighted_estimates_and_mlr_inference(weighted_case):
    c = weighted_case
    table = table_from_lavaan(c)
    ones = fit_ml(table, c.data, weights=np.full(len(c.data), 2.0))
    mlr = fit_ml(table, c.data, estimator="mlr")
    ml = fit_ml(table, c.data)
    np.testing.assert_allclose(ones.estimates["est"], ml.estimates["est"], atol=1e-9)
    np.testing.assert_allclose(ones.estimates["se"], mlr.estimates["se"], rtol=1e-7)
    for k in ("chisq", "chisq_scaled", "cfi_robust", "rmsea_robust"):
        assert ones.fit_measures[k] == pytest.approx(mlr.fit_measures[k], rel=1e-8), k
    assert ml.extra["inference"].se == "standard" and "chisq_scaled" not in ml.fit_measures


def test_weighted_moments_are_lavaans(weighted_case):
    c = weighted_case
    model = compile_model(table_from_lavaan(c))
    st = SampleStats.from_data(c.data, model.groups[0].ov, weights="w")
    np.testing.assert_allclose(st.groups[0].cov, c.sample_cov.to_numpy(), atol=1e-12)
    assert st.weighted and st.ntotal == 600 and st.groups[0].X is not None
    assert st.groups[0].weights.sum() == pytest.approx(600)


def test_casewise_scores_sum_to_the_gradient_and_the_hessian_is_the_numerical_one(weighted_case):
    """Two independent checks of the robust module's building blocks: Σ_r w_r s_r = −(N/2) ∇F
    (the weighted casewise scores add up to the gradient of the discrepancy) and the observed
    information equals the central-difference Hessian of F/2."""
    from acsi.estimate.mlfast import _Batch, gradient_information
    from acsi.estimate.robust import casewise_scores, information

    c = weighted_case
    model = compile_model(table_from_lavaan(c))
    st = SampleStats.from_data(c.data, model.groups[0].ov, weights="w")
    theta = fit_ml(model, stats=st).extra["theta"] * 1.01  # off the optimum: a non-zero gradient
    S = st.groups[0].cov
    batch = _Batch(model, [S[None]], None, None)

    def grad(t):
        _F, sts = batch.value(model.x_of(t[None]), np.arange(1))
        K, M, G, A, L, C = sts[0][:6]
        return gradient_information(model.groups[0], K, S[None], M, G, A, L, C)[0][0]

    sc = casewise_scores(model, theta, st)[0]
    w = st.groups[0].weights
    np.testing.assert_allclose(w @ sc, -0.5 * st.ntotal * grad(theta), rtol=1e-9, atol=1e-9)
    h = 1e-5
    num = np.stack([(grad(theta + h * e) - grad(theta - h * e)) / (2 * h) for e in np.eye(model.npar)], axis=1)
    np.testing.assert_allclose(information(model, theta, st, "observed"), 0.25 * (num + num.T), rtol=1e-5,
                               atol=1e-7)


def test_weights_are_checked_by_name_and_row(weighted_case):
    c = weighted_case
    table = table_from_lavaan(c)
    bad = c.data.copy()
    bad.loc[[3, 17], "w"] = [-1.0, np.nan]
    with pytest.raises(EstimationError, match=r"1 missing or infinite value\(s\) \(row positions \[17\]\)"):
        fit_ml(table, bad, weights="w")
    bad.loc[17, "w"] = 1.0
    with pytest.raises(EstimationError, match=r"column 'w' hold 1 negative value\(s\) \(row positions \[3\]\)"):
        fit_ml(table, bad, weights="w")
    with pytest.raises(EstimationError, match="weight column 'nosuch' is not in the data"):
        fit_ml(table, c.data, weights="nosuch")
    with pytest.raises(EstimationError, match="all 0"):
        fit_ml(table, c.data, weights=np.zeros(len(c.data)))


@pytest.mark.parametrize("kw, match", [
    (dict(estimator="wls"), r"The 'estimator' parameter of fit_ml must be one of \['ml', 'mlr', 'mlm'\]. Got 'wls'"),
    (dict(se="huber"), r"The 'se' parameter of fit_ml must be None or one of \['standard', 'robust'\]"),
    (dict(estimator="mlm", weights="w"), r"'mlr' or 'ml' with survey weights .* Got 'mlm' instead"),
    (dict(estimator="mlm", missing="ml"), r"MLM needs complete data .* Got 'mlm' instead"),
])
def test_options_an_engine_cannot_honour_are_refused(weighted_case, kw, match):
    table = table_from_lavaan(weighted_case)
    with pytest.raises(InvalidParameterError, match=match):
        fit_ml(table, weighted_case.data, **kw)


def test_semopy_refuses_the_same_combinations(weighted_case):
    with pytest.raises(InvalidParameterError, match=r"The 'estimator' parameter of fit_sem .* survey weights"):
        fit_sem(weighted_case.data, table_from_lavaan(weighted_case), estimator="mlm", weights="w")


def test_robust_inference_needs_the_rows():
    c = load_case("robust_mlr")
    model = compile_model(table_from_lavaan(c))
    st = SampleStats.from_data(c.data, model.groups[0].ov)  # moments only
    with pytest.raises(InvalidParameterError, match="must keep the respondents' rows for estimator='mlr'"):
        fit_ml(model, stats=st, estimator="mlr")


def test_robust_inference_refuses_fixed_covariates():
    c = load_case("syntax_covariates_fixedx")
    with pytest.raises(InvalidParameterError, match=r"fixed.x: age, income.*fixed_x=False"):
        fit_ml(table_from_lavaan(c), c.data, estimator="mlr")
    res = fit_ml(table_from_lavaan(load_case("syntax_covariates_fixedx/free_x")), c.data, estimator="mlr")
    assert res.converged and np.isfinite(res.fit_measures["chisq_scaled"])


def test_a_saturated_model_has_no_scaling_factor():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 3)) @ np.array([[1, .5, .3], [0, 1, .4], [0, 0, 1]])
    data = pd.DataFrame(X, columns=["a", "b", "c"])
    import acsi

    res = fit_ml(acsi.parse_lavaan("F =~ a + b + c", headline="F"), data, estimator="mlr")
    assert res.fit_measures["df"] == 0 and np.isnan(res.fit_measures["chisq_scaling_factor"])
    assert np.isfinite(res.estimates.loc[res.estimates["free"], "se"]).all()


# ---------------------------------------------------------------------------- FIML
FIML_CASES = {
    "robust_weighted_fiml": {"weights": "w", "missing": "ml"},
    "robust_weighted_fiml/unweighted": {"missing": "ml"},
}


@pytest.fixture(scope="module", params=list(FIML_CASES))
def fiml_fitted(request):
    case = load_case(request.param)
    return case, fit_ml(table_from_lavaan(case), case.data, **FIML_CASES[request.param])


def test_weighted_fiml_matches_lavaan(fiml_fitted):
    """Weighted FIML (lavaan 0.6-14 supports sampling.weights with missing = "ml"): estimates,
    robust SEs, the scaled test and lavaan's missing-data corrected robust CFI/TLI/RMSEA (also
    reported, with the standard test, for unweighted FIML)."""
    case, res = fiml_fitted
    assert res.converged, res.messages
    inf = res.extra["inference"]
    assert (inf.se, inf.test, inf.information) == (case.lavaan["se"], case.lavaan["test"] if isinstance(
        case.lavaan["test"], str) else case.lavaan["test"][0], case.lavaan["information"][0])
    m = match_estimates(case.estimates, res.estimates)
    tol = case.tol
    np.testing.assert_allclose(m["est"], m["est_ref"], atol=tol["est_atol"], rtol=0)
    free = m["free"].astype(bool)
    np.testing.assert_allclose(m.loc[free, "se"], m.loc[free, "se_ref"], atol=tol["se_atol"], rtol=0)
    fm, ref = res.fit_measures, case.fit_measures
    np.testing.assert_allclose(res.groups[0]["sample_cov"].to_numpy(), case.sample_cov.to_numpy(), atol=1e-5)
    keys = [k for k in fm.index if k in ref.index and np.isfinite(ref[k])]
    assert {"cfi_robust", "tli_robust", "rmsea_robust", "rmsea_ci_upper_robust"} <= set(keys)
    if "w" in FIML_CASES[case.name].get("weights", ""):
        assert {"chisq_scaled", "chisq_scaling_factor", "baseline_chisq_scaling_factor", "cfi_scaled"} <= set(keys)
    for k in keys:
        if k in COUNTS:
            assert fm[k] == ref[k], k
        else:
            # a robust RMSEA interval bound near 0 is compared absolutely
            assert fm[k] == pytest.approx(ref[k], rel=tol["fit_rtol"], abs=1e-5 if "_ci_" in k else tol["fit_atol"]), k


def test_weighted_fiml_on_complete_data_is_weighted_ml():
    """On complete rows FIML is complete-data ML with a mean structure: the same estimates,
    robust SEs and scaled test by two different computations (pattern-wise scores and a
    numerical Hessian against casewise scores and the exact Hessian)."""
    import acsi

    c = load_case("robust_weighted")
    pt = acsi.parse_lavaan(c.model_text).partable(meanstructure=True)
    ml = fit_ml(pt, c.data, weights="w")
    fiml = fit_ml(pt, c.data, weights="w", missing="ml")
    np.testing.assert_allclose(fiml.estimates["est"], ml.estimates["est"], atol=2e-6)
    np.testing.assert_allclose(fiml.estimates["se"], ml.estimates["se"], atol=2e-6)
    for k in ("chisq", "chisq_scaling_factor", "baseline_chisq_scaling_factor", "cfi_scaled", "rmsea_scaled"):
        assert fiml.fit_measures[k] == pytest.approx(ml.fit_measures[k], rel=1e-5), k
    # (the robust CFI/TLI/RMSEA of FIML are lavaan's corrected ones, another estimator of the same thing)
