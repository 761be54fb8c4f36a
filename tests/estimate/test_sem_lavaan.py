"""Estimates, standard errors and fit measures against lavaan 0.6-14 (stored fixtures).

Fixtures: tests/reference/<case>/ read with reference.cases.load_case (data.csv, model.lav,
make_reference.R, estimates.csv, fit_measures.csv, provenance.txt). Regenerate with
``Rscript tests/reference/<case>/make_reference.R``.
Tolerances (stated per quantity, passed by keyword):
  estimates, standard errors, std.all: abs 1e-4
  chisq, logl, aic, bic: rel 1e-5;  cfi, tli, rmsea (and CI), srmr: abs 1e-5
"""

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.estimate.sem import fit_sem
from reference.cases import load_case

CASES = ["political_democracy", "acsi_sim", "ccsi_single", "airline_sim"]
EST_ATOL = 1e-4
FIT_RTOL = 1e-5
FIT_ATOL = 1e-5


@pytest.fixture(scope="module", params=CASES)
def case(request):
    c = load_case(request.param)
    headline = "dem65" if request.param == "political_democracy" else "CS"
    spec = acsi.parse_lavaan(c.model_text, name=request.param, headline=headline, scale=(-1e9, 1e9))
    return request.param, fit_sem(c.data, spec), c.parameters, c.fit_measures


def _parameters(res):
    """The parameter rows of our table (the R-square rows are compared in test_rsquare_matches_lavaan)."""
    return res.estimates[res.estimates["op"] != "r2"].reset_index(drop=True)


def _merged(res, ref):
    ours = _parameters(res)
    # lavaan writes a covariance once, in its own orientation; match either way round
    ref = ref.copy()
    key = lambda df: df.apply(lambda r: (r["lhs"], r["op"], r["rhs"]) if r["op"] != "~~" else (min(r["lhs"], r["rhs"]), "~~", max(r["lhs"], r["rhs"])), axis=1)
    ours["key"] = key(ours)
    ref["key"] = key(ref)
    m = ref.merge(ours, on="key", suffixes=("_ref", ""), how="left")
    return m


def test_converged_and_admissible(case):
    _, res, _, _ = case
    assert res.converged and res.admissible


def test_every_lavaan_parameter_is_present(case):
    _, res, ref, _ = case
    m = _merged(res, ref)
    missing = m.loc[m["est"].isna(), "key"].tolist()
    assert not missing, f"parameters in lavaan's table missing from ours: {missing}"
    assert len(_parameters(res)) == len(ref)


def test_rsquare_matches_lavaan(case):
    name, res, _, _ = case
    r2 = load_case(name).rsquare
    ours = res.estimates[res.estimates["op"] == "r2"]
    assert list(ours["lhs"]) == list(r2.index.get_level_values("variable"))
    np.testing.assert_allclose(ours["est"].to_numpy(), r2.to_numpy(), atol=EST_ATOL, rtol=0)


def test_estimates_match_lavaan(case):
    _, res, ref, _ = case
    m = _merged(res, ref)
    np.testing.assert_allclose(m["est"], m["est_ref"], atol=EST_ATOL, rtol=0)


def test_standard_errors_match_lavaan(case):
    _, res, ref, _ = case
    m = _merged(res, ref)
    free = m["free"].astype(bool)
    np.testing.assert_allclose(m.loc[free, "se"], m.loc[free, "se_ref"], atol=EST_ATOL, rtol=0)
    np.testing.assert_allclose(m.loc[free, "pvalue"], m.loc[free, "pvalue_ref"], atol=1e-4, rtol=0)


def test_standardized_solution_matches_lavaan(case):
    _, res, ref, _ = case
    m = _merged(res, ref)
    np.testing.assert_allclose(m["std_all"], m["std_all_ref"].fillna(0.0), atol=EST_ATOL, rtol=0)


@pytest.mark.parametrize("measure", ["chisq", "logl", "unrestricted_logl", "aic", "bic", "baseline_chisq"])
def test_likelihood_measures_match_lavaan(case, measure):
    _, res, _, fm = case
    assert res.fit_measures[measure] == pytest.approx(fm[measure], rel=FIT_RTOL)


@pytest.mark.parametrize("measure", ["npar", "df", "baseline_df", "ntotal"])
def test_counts_match_lavaan(case, measure):
    _, res, _, fm = case
    assert res.fit_measures[measure] == fm[measure]


@pytest.mark.parametrize("measure", ["pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr"])
def test_fit_indexes_match_lavaan(case, measure):
    _, res, _, fm = case
    assert res.fit_measures[measure] == pytest.approx(fm[measure], abs=FIT_ATOL)
