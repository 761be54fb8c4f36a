"""Full-information ML (acsi.estimate.fiml) against lavaan 0.6-14 ``sem(..., missing = "ml")``.

Fixture: tests/reference/acsi_sim_missing/ read with reference.cases.load_case (8 % MCAR holes
in acsi_sim; make_data.py, make_reference.R, provenance.txt; tolerances in its README.md).
"""


import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.cli import main as cli_main
from acsi.data import prepare_survey
from acsi.errors import EstimationError
from acsi.estimate.fiml import em_moments, fiml_logl, fit_sem_fiml
from acsi.estimate.ml import fit_sem_fast
from acsi.pipeline import fit_unit
from acsi.score import latent_scores, unit_index
from reference.cases import load_case

CASE = load_case("acsi_sim_missing")
EST_ATOL = 1e-4
LIK_RTOL = 1e-5
IDX_ATOL = 1e-5


def _spec(**kw):
    return acsi.parse_lavaan(CASE.model_text, name="acsi_sim", headline="CS", **kw)


@pytest.fixture(scope="module")
def spec():
    return _spec(scale=(-1e9, 1e9))


@pytest.fixture(scope="module")
def data():
    return CASE.data


@pytest.fixture(scope="module")
def res(spec, data):
    return fit_sem_fiml(data, spec)


def _key(df):
    return df.apply(
        lambda r: (r["lhs"], r["op"], r["rhs"]) if r["op"] != "~~"
        else (min(r["lhs"], r["rhs"]), "~~", max(r["lhs"], r["rhs"])), axis=1)


@pytest.fixture(scope="module")
def merged(res):
    ref = CASE.parameters
    ours = res.estimates[res.estimates["op"] != "r2"].copy()  # R-squares: test_rsquare_matches_lavaan
    ours["key"], ref["key"] = _key(ours), _key(ref)
    return ours.merge(ref, on="key", suffixes=("", "_ref"), how="outer", indicator=True)


def test_fixture_has_holes(data):
    frac = data.isna().to_numpy().mean()
    assert 0.06 < frac < 0.10
    assert data.notna().any(axis=1).all()


def test_converged_admissible(res):
    assert res.converged, res.messages
    assert res.admissible, res.problems
    assert res.extra["grad_max"] < 1e-7


def test_same_rows_as_lavaan(merged):
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", "key"].tolist()
    assert (merged["op"] == "~1").sum() == 15 + 6


def test_rsquare_matches_lavaan(res):
    ours = res.estimates[res.estimates["op"] == "r2"]
    assert list(ours["lhs"]) == list(CASE.rsquare.index.get_level_values("variable"))
    np.testing.assert_allclose(ours["est"].to_numpy(), CASE.rsquare.to_numpy(), atol=EST_ATOL, rtol=0)


def test_estimates_match_lavaan(merged):
    np.testing.assert_allclose(merged["est"], merged["est_ref"], atol=EST_ATOL, rtol=0)


def test_standard_errors_match_lavaan(merged):
    free = merged["free"].astype(bool)
    np.testing.assert_allclose(merged.loc[free, "se"], merged.loc[free, "se_ref"], atol=EST_ATOL, rtol=0)
    np.testing.assert_allclose(merged.loc[free, "ci_lower"], merged.loc[free, "ci_lower_ref"], atol=EST_ATOL, rtol=0)
    assert merged.loc[~free, "se"].isna().all()


def test_standardized_match_lavaan(merged):
    np.testing.assert_allclose(merged["std_all"], merged["std_all_ref"].fillna(0.0), atol=EST_ATOL, rtol=0)


@pytest.mark.parametrize("measure", ["chisq", "logl", "unrestricted_logl", "baseline_chisq", "aic", "bic"])
def test_likelihood_measures_match_lavaan(res, measure):
    fm = CASE.fit_measures
    np.testing.assert_allclose(res.fit_measures[measure], fm[measure], rtol=LIK_RTOL, atol=0)


@pytest.mark.parametrize("measure", ["npar", "ntotal", "df", "baseline_df"])
def test_counts_match_lavaan(res, measure):
    fm = CASE.fit_measures
    assert res.fit_measures[measure] == fm[measure]


@pytest.mark.parametrize("measure", ["cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr", "pvalue"])
def test_fit_indexes_match_lavaan(res, measure):
    fm = CASE.fit_measures
    np.testing.assert_allclose(res.fit_measures[measure], fm[measure], atol=IDX_ATOL, rtol=0)


def test_em_moments_match_lavaan_h1(res):
    S = CASE.sample_cov
    m = CASE.sample_mean
    np.testing.assert_allclose(res.sample_cov.loc[S.index, S.columns].to_numpy(), S.to_numpy(), atol=1e-5, rtol=0)
    np.testing.assert_allclose(res.extra["sample_mean"][m.index].to_numpy(), m.to_numpy(), atol=1e-5, rtol=0)


def test_em_is_the_saturated_maximum(data):
    X = data.to_numpy(dtype=float)
    mu, sigma, _ = em_moments(X)
    best = fiml_logl(X, sigma, mu)
    rng = np.random.default_rng(1)
    for _ in range(5):
        e = rng.normal(scale=1e-3, size=sigma.shape)
        assert fiml_logl(X, sigma + (e + e.T) / 2, mu + rng.normal(scale=1e-3, size=mu.shape)) < best


def test_complete_data_fiml_equals_listwise_ml():
    spec = _spec(scale=(-1e9, 1e9))
    full = load_case("acsi_sim").data
    a = fit_sem_fiml(full, spec)
    b = fit_sem_fast(full, spec)
    cov_rows = a.estimates[a.estimates["op"] != "~1"].reset_index(drop=True)
    pd.testing.assert_frame_equal(cov_rows[["lhs", "op", "rhs"]], b.estimates[["lhs", "op", "rhs"]])
    np.testing.assert_allclose(cov_rows["est"], b.estimates["est"], atol=1e-6, rtol=0)
    for m in ("logl", "unrestricted_logl", "chisq"):
        np.testing.assert_allclose(a.fit_measures[m], b.fit_measures[m], rtol=1e-9, atol=1e-7)
    means = a.estimates.loc[(a.estimates["op"] == "~1") & a.estimates["free"]].set_index("lhs")["est"]
    np.testing.assert_allclose(means[full.columns].to_numpy(), full.mean().to_numpy(), atol=1e-6, rtol=0)
    np.testing.assert_allclose(a.sample_cov.to_numpy(), b.sample_cov.to_numpy(), atol=1e-9, rtol=0)


def test_error_paths(spec, data):
    with pytest.raises(EstimationError, match=r"lack the model's items \['cl2'\]"):
        fit_sem_fiml(data.drop(columns="cl2"), spec)
    holes = data.copy()
    holes.iloc[[4, 7], :] = np.nan
    with pytest.raises(EstimationError, match=r"2 row\(s\) answer none .*\[4, 7\]"):
        fit_sem_fiml(holes, spec)
    never = data.copy()
    never["pv2"] = np.nan
    with pytest.raises(EstimationError, match=r"no respondent answered the items \['pv2'\]"):
        fit_sem_fiml(never, spec)
    with pytest.raises(EstimationError, match="at least 2 rows"):
        fit_sem_fiml(data.iloc[:1], spec)
    flat = data.copy()
    flat["ce1"] = 5.0
    with pytest.raises(EstimationError, match="items with no variance .*ce1"):
        fit_sem_fiml(flat, spec)


def test_prepare_survey_fiml_keeps_incomplete_rows(data):
    spec = _spec()
    survey = data.copy()
    survey.iloc[10, :] = np.nan
    survey.iloc[11, :3] = 99
    lw = prepare_survey(survey, spec)
    fi = prepare_survey(survey, spec, missing="fiml")
    assert len(fi.data) == len(survey) - 1
    assert int(fi.accounting["dropped_missing_items"].iloc[0]) == 1
    assert int(fi.accounting["rows_used"].iloc[0]) == len(survey) - 1
    assert len(lw.data) == int(survey.notna().all(axis=1).sum()) - 1
    assert fi.data.loc[fi.rows == 11, ["ce1", "ce2", "ce3"]].isna().all(axis=None)
    with pytest.raises(acsi.errors.DataError, match="'listwise' or 'fiml'"):
        prepare_survey(survey, spec, missing="pairwise")


def test_scores_renormalise_over_answered_items():
    spec = acsi.parse_lavaan("CS =~ a + b + c\nCL =~ d + e\nCL ~ CS", name="t", headline="CS", scale=(1, 10))
    w = pd.DataFrame({"latent": ["CS"] * 3 + ["CL"] * 2, "item": list("abcde"),
                      "weight": [0.5, 0.3, 0.2, 0.6, 0.4]})
    X = pd.DataFrame({"a": [10, np.nan, 1], "b": [4, 7, np.nan], "c": [np.nan, 1, 1],
                      "d": [np.nan, 5, 3], "e": [np.nan, np.nan, 3]})
    s = latent_scores(X, spec, w)
    # row 0, CS: answered a, b: 100 (0.5*9 + 0.3*3) / (0.8 * 9)
    assert s.loc[0, "CS"] == pytest.approx(100 * (0.5 * 9 + 0.3 * 3) / (0.8 * 9), abs=1e-12)
    assert s.loc[1, "CS"] == pytest.approx(100 * (0.3 * 6 + 0.2 * 0) / (0.5 * 9), abs=1e-12)
    assert s.loc[2, "CL"] == pytest.approx(100 * 2 / 9, abs=1e-12)
    assert np.isnan(s.loc[0, "CL"])
    complete = X.fillna(5.0)
    direct = latent_scores(complete, spec, w)
    assert direct.loc[0, "CS"] == pytest.approx(100 * (0.5 * 9 + 0.3 * 3 + 0.2 * 4) / 9, abs=1e-12)
    idx = unit_index(s, np.array([1.0, 2.0, 3.0])).set_index("latent")
    assert idx.loc["CL", "n"] == 2
    assert idx.loc["CL", "index"] == pytest.approx((2 * s.loc[1, "CL"] + 3 * s.loc[2, "CL"]) / 5, abs=1e-12)
    assert idx.loc["CS", "n"] == 3


def test_acsi_fit_fiml_end_to_end(data):
    spec = _spec()
    survey = data.copy()
    survey["company"] = np.where(np.arange(len(survey)) % 2 == 0, "A", "B")
    survey.iloc[3, :15] = np.nan
    fit = acsi.fit(survey, spec, unit="company", missing="fiml", pooled=True)
    assert fit.options["missing"] == "fiml"
    assert int(fit.prepared.accounting["rows_used"].sum()) == len(survey) - 1
    assert fit.pooled.status == "ok"
    assert fit.pooled.n == len(survey) - 1
    est = fit.pooled.estimates
    assert ((est["op"] == "~1") & est["free"]).sum() == 15
    idx = fit.pooled.index.set_index("latent")
    assert (idx["n"] <= len(survey) - 1).all() and (idx["n"] >= len(survey) - 10).all()
    assert np.isfinite(idx["index"]).all()
    from acsi.bootstrap import bootstrap

    with pytest.raises(EstimationError, match="does not support fits with missing='fiml'"):
        bootstrap(fit, 10)


def test_pls_refuses_fiml(data):
    spec = _spec()
    with pytest.raises(ValueError, match="missing='fiml' .* needs the covariance-based estimator"):
        acsi.fit(data, spec, unit=None, missing="fiml", estimator="pls")
    out = fit_unit(("x",), data, spec, estimator="pls", missing="fiml")
    assert out.status == "failed"
    assert "PLS estimator cannot use incomplete respondents" in out.reason


def test_cli_refuses_fiml_with_pls_or_bootstrap(tmp_path, capsys):
    path = tmp_path / "s.csv"
    path.write_text("cs1\n1\n")
    assert cli_main(["fit", str(path), "--missing", "fiml", "--estimator", "pls", "--out", str(tmp_path)]) == 2
    assert "needs --estimator sem" in capsys.readouterr().err
    assert cli_main(["fit", str(path), "--missing", "fiml", "--bootstrap", "10", "--out", str(tmp_path)]) == 2
    assert "--bootstrap does not support --missing fiml" in capsys.readouterr().err
