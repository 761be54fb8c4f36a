"""acsi's ML engine (acsi.estimate.ml) on lavaan's own parameter tables, for every lavaan
reference case: estimates, standard errors, standardized solutions, R-squares, defined
parameters, constraints and fit measures against lavaan 0.6-14.

Two kinds of check per case:

* at lavaan's estimates θ_lavaan (``result_from_theta``): every formula (SEs from the expected
  or observed information, delta-method SEs, std_lv/std_all, R², every fit measure) must give
  lavaan's number to rounding (1e-7 relative), whatever lavaan's optimiser precision;
* at acsi's own optimum: estimates and SEs within the case tolerances (1e-4), the
  likelihood-based measures within 1e-6 relative, the objective no worse than lavaan's, every
  constraint honoured to 1e-8.  SRMR is not stationary at the optimum, so lavaan's stopping
  error (estimates within about 1e-5 of the optimum) shows in it at about 1e-6: it is compared
  at 1e-5 relative here and exactly at θ_lavaan above; the RMSEA interval bounds come from
  lavaan's ``uniroot`` (about 1e-8 absolute) and are compared at 1e-5 relative.

Every case runs twice: on lavaan's own table and on acsi's (``parse_lavaan`` +
``build_partable``), which must number the parameters as lavaan does.

Tables: ``tests/estimate/lavaan_tables.py`` (lavaan's ``parTable()`` with its LISREL cells).
"""

import numpy as np
import pandas as pd
import pytest

from acsi.estimate.ml import compile as compile_model
from acsi.estimate.ml import fit_ml, result_from_theta
from acsi.estimate.mlfast import expected_information
from acsi.estimate.samplestats import SampleStats
from estimate.lavaan_tables import table_from_lavaan, table_from_spec
from reference.cases import load_case

CASES = [
    "political_democracy", "acsi_sim", "acsi_sim/exact", "ccsi_single", "airline_sim", "acsi_sim_missing",
    "syntax_complaint_observed", "syntax_covariates_fixedx", "syntax_covariates_fixedx/free_x",
    "syntax_equality", "syntax_equality/exact", "syntax_equality/unconstrained",
    "syntax_constraints_nonlinear", "syntax_constraints_nonlinear/equality_only", "syntax_defined_effects",
    "syntax_fixed_values", "syntax_std_lv", "syntax_std_lv/marker", "syntax_fiml_intercepts",
    "engine_item_latent_cov", "engine_multigroup",
    "mg_invariance", "mg_invariance/metric", "mg_invariance/scalar", "mg_invariance/strict",
    "mg_invariance/partial_scalar", "mg_invariance/metric_equal_path",
    "mg_exact", "mg_exact/metric", "mg_exact/scalar", "mg_exact/strict", "mg_exact/all_equal",
    "mg_three_groups", "mg_three_groups/metric", "mg_three_groups/scalar", "mg_three_groups/partial_scalar",
]
# lavaan's own table, and the same model through acsi's syntax reader and table builder
SOURCES = {"lavaan": table_from_lavaan, "spec": table_from_spec}
LIKELIHOOD = ("chisq", "logl", "unrestricted_logl", "aic", "bic", "baseline_chisq", "cfi", "tli", "rmsea",
              "rmsea_ci_lower", "rmsea_ci_upper", "pvalue")
COUNTS = ("npar", "df", "baseline_df", "ntotal")


class Fitted:
    def __init__(self, name, source):
        self.case = c = load_case(name)
        self.group = c.options.get("group")
        self.missing = "ml" if c.lavaan.get("missing") == "ml" else "listwise"
        self.table = SOURCES[source](c)
        self.model = compile_model(self.table)
        self.res = fit_ml(self.model, c.data, group=self.group, missing=self.missing)
        pt = c.partable
        free = pt[pt["free"] > 0].sort_values("free")
        self.theta_lavaan = free["est"].to_numpy(dtype=float)


@pytest.fixture(scope="module", params=[(c, s) for c in CASES for s in SOURCES], ids=lambda p: f"{p[0]}-{p[1]}")
def fitted(request):
    return Fitted(*request.param)


def _keyed(df):
    out = df.copy()
    if "group" not in out.columns:
        out["group"] = np.where(out["op"].isin([":=", "==", "<", ">"]), 0, 1)
    out.loc[out["op"].isin([":=", "==", "<", ">"]), "group"] = 0
    return out


def _merged(res, ref):
    ours, ref = _keyed(res.estimates), _keyed(ref)
    ours["k"] = ours.groupby(["lhs", "op", "rhs", "group"]).cumcount()
    ref["k"] = ref.groupby(["lhs", "op", "rhs", "group"]).cumcount()
    return ref.merge(ours, on=["lhs", "op", "rhs", "group", "k"], how="left", suffixes=("_ref", ""))


def _at_lavaan(f: Fitted):
    """Our result assembled at lavaan's estimates (complete data: expected information)."""
    c = f.case
    ov = [gm.ov for gm in f.model.groups]
    stats = SampleStats.from_data(c.data, ov, group=f.group, group_labels=list(f.model.group_labels) if f.group else None)
    info = expected_information(f.model, f.theta_lavaan, stats)
    return result_from_theta(f.model, stats, f.theta_lavaan, info=info, converged=True)


def test_converged_and_same_rows_as_lavaan(fitted):
    res, ref = fitted.res, fitted.case.estimates
    assert res.converged, res.messages
    free = fitted.case.partable.query("free > 0").sort_values("free")
    assert fitted.model.labels == list(zip(free["lhs"], free["op"], free["rhs"]))  # same parameter numbering
    ours = _keyed(res.estimates)[["lhs", "op", "rhs", "group"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, _keyed(ref)[["lhs", "op", "rhs", "group"]].reset_index(drop=True),
                                  check_dtype=False)
    assert list(res.estimates["label"]) == list(ref["label"].fillna(""))


def test_estimates_and_intervals_match_lavaan(fitted):
    m, tol = _merged(fitted.res, fitted.case.estimates), fitted.case.tol
    for col in ("est", "ci_lower", "ci_upper"):
        sel = m[f"{col}_ref"].notna()
        np.testing.assert_allclose(m.loc[sel, col], m.loc[sel, f"{col}_ref"], atol=tol["est_atol"], rtol=0, err_msg=col)


def test_standard_errors_match_lavaan(fitted):
    m, tol = _merged(fitted.res, fitted.case.estimates), fitted.case.tol
    has = m["free"].astype(bool) | (m["op"] == ":=")
    np.testing.assert_allclose(m.loc[has, "se"], m.loc[has, "se_ref"], atol=tol["se_atol"], rtol=0)
    assert m.loc[~has & (m["op"] != "r2"), "se"].isna().all()  # fixed rows: no standard error
    z = has & m["z_ref"].notna()
    np.testing.assert_allclose(m.loc[z, "z"], m.loc[z, "z_ref"], atol=tol["z_atol"], rtol=1e-4)
    assert m.loc[has & m["z_ref"].isna(), "z"].isna().all()  # an SE of 0 (active constraint): no z, as lavaan


def test_standardized_and_rsquare_match_lavaan(fitted):
    m, tol = _merged(fitted.res, fitted.case.estimates), fitted.case.tol
    for col in ("std_lv", "std_all"):
        sel = m[f"{col}_ref"].notna()
        np.testing.assert_allclose(m.loc[sel, col], m.loc[sel, f"{col}_ref"], atol=tol["std_atol"], rtol=0, err_msg=col)
        assert m.loc[~sel, col].isna().all()
    r2 = m["op"] == "r2"
    assert r2.sum() == len(fitted.case.rsquare)
    np.testing.assert_allclose(m.loc[r2, "est"], m.loc[r2, "est_ref"], atol=tol["std_atol"], rtol=0)


def test_fit_measures_match_lavaan(fitted):
    fm, ref = fitted.res.fit_measures, fitted.case.fit_measures
    for k in COUNTS:
        assert fm[k] == ref[k], k
    for k in LIKELIHOOD:
        # the RMSEA interval: lavaan's uniroot stops at about 1e-8 (see below), amplified near 0
        rel = 1e-5 if k.startswith("rmsea_ci") else fitted.case.tol["fit_rtol"]
        assert fm[k] == pytest.approx(ref[k], rel=rel, abs=fitted.case.tol["fit_atol"]), k
    # SRMR moves to first order with lavaan's stopping error (about 1e-8 at an exact fit, mg_exact)
    assert fm["srmr"] == pytest.approx(ref["srmr"], rel=1e-5, abs=1e-7)


def test_every_formula_is_lavaans_at_lavaans_estimates(fitted):
    if fitted.missing == "ml":
        pytest.skip("FIML: the observed information of test_fiml.py")
    at = _at_lavaan(fitted)
    m = _merged(at, fitted.case.estimates)
    has = m["free"].astype(bool) | (m["op"] == ":=")
    np.testing.assert_allclose(m.loc[has, "se"], m.loc[has, "se_ref"], rtol=1e-6, atol=1e-10)
    for col in ("est", "std_lv", "std_all"):
        sel = m[f"{col}_ref"].notna() & ~m["op"].isin(["==", "<", ">"])
        np.testing.assert_allclose(m.loc[sel, col], m.loc[sel, f"{col}_ref"], rtol=1e-7, atol=1e-9, err_msg=col)
    ref = fitted.case.fit_measures
    for k in LIKELIHOOD + ("srmr",):
        # lavaan finds the RMSEA interval by uniroot (tolerance about 1e-8), acsi by brentq to 1e-12
        rel = 1e-5 if k.startswith("rmsea_ci") else 1e-7
        assert at.fit_measures[k] == pytest.approx(ref[k], rel=rel, abs=1e-9), k


def test_optimum_is_no_worse_than_lavaans_and_constraints_hold(fitted):
    model, res = fitted.model, fitted.res
    theta = res.extra["theta"]
    if model.constraints:
        v = np.real(model.constraint_values(theta[None]))[0]
        for (kind, text, _e, _r), val in zip(model.constraints, v):
            assert (abs(val) < 1e-8) if kind == "eq" else (val > -1e-8), (text, val)
    if fitted.missing == "listwise" and not model.has_nonlinear:
        # lavaan's point (a hair off the optimum) gives a larger chi-square
        at = _at_lavaan(fitted)
        assert res.fit_measures["chisq"] <= at.fit_measures["chisq"] + 1e-9


def test_vcov_matches_lavaan(fitted):
    ref = fitted.case.vcov
    if ref is None:
        pytest.skip("no vcov stored")
    V = fitted.res.vcov.to_numpy()
    scale = np.sqrt(np.outer(np.diag(ref.to_numpy()), np.diag(ref.to_numpy()))) + 1e-12
    np.testing.assert_array_less(np.abs(V - ref.to_numpy()) / np.maximum(scale, 1e-4), 5e-3)
