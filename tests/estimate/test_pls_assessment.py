"""Blindfolding Q², IPMA, PLSpredict options, the standalone PLS bootstrap and the saveable tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.bootstrap import bootstrap_pls
from acsi.errors import InvalidParameterError
from acsi.estimate.pls import fit_pls
from acsi.estimate.pls_fit import model_fit
from acsi.estimate.pls_ipma import ipma
from acsi.estimate.pls_predict import blindfolding, fold_assignment, plspredict
from acsi.estimate.pls_quality import assess
from conftest import ECSI_BLOCKS

REF = Path(__file__).resolve().parents[1] / "reference"
from test_pls_reference import ECSI_PATHS  # noqa: E402
BOUNDS = {it: (1, 10) for its in ECSI_BLOCKS.values() for it in its}


@pytest.fixture(scope="module")
def mobi():
    return pd.read_csv(REF / "pls_mobi" / "mobi.csv").astype(float)


@pytest.fixture(scope="module")
def res(mobi):
    return fit_pls(mobi, ECSI_BLOCKS, ECSI_PATHS, scale_bounds=BOUNDS)


# --------------------------------------------------------------------------- blindfolding


def test_blindfolding_equals_refitting_each_round_by_hand(mobi, res):
    """The batched rounds equal D separate fits of the mean-replaced data (CUSA, D = 7)."""
    D = 7
    got = blindfolding(res, omission_distance=D).set_index("latent")
    items = ECSI_BLOCKS["CUSA"]
    Z = (mobi - mobi.mean()) / mobi.std(ddof=0)
    n, K = len(mobi), len(items)
    number = (np.arange(K)[None, :] * n + np.arange(n)[:, None]) % D
    sse = sso = 0.0
    for d in range(D):
        Zd = Z.copy()
        Zd[items] = np.where(number == d, 0.0, Z[items].to_numpy())
        fit = fit_pls(Zd, ECSI_BLOCKS, ECSI_PATHS)
        eta = fit.scores[["IMAG", "CUEX", "PERQ", "PERV"]].to_numpy() @ fit.path_matrix.loc[["IMAG", "CUEX", "PERQ", "PERV"], "CUSA"].to_numpy()
        m, s = Zd[items].mean().to_numpy(), Zd[items].std(ddof=0).to_numpy()
        pred = m + s * np.outer(eta, fit.outer_loadings.loc[items, "CUSA"].to_numpy())
        om = number == d
        sse += ((Z[items].to_numpy() - pred) ** 2)[om].sum()
        sso += (Z[items].to_numpy() ** 2)[om].sum()
    assert got.loc["CUSA", "sse"] == pytest.approx(sse, rel=1e-9)
    assert got.loc["CUSA", "sso"] == pytest.approx(sso, rel=1e-12)
    assert got.loc["CUSA", "q2"] == pytest.approx(1 - sse / sso, rel=1e-9)
    # predictive relevance below the in-sample fit
    assert (got["q2"] < res.r2.loc[got.index]).all() and (got["q2"] > 0).all()


def test_blindfolding_refuses_a_distance_dividing_n(res):
    with pytest.raises(InvalidParameterError, match=r"'omission_distance' parameter of blindfolding must not divide the number of rows \(250\).*e\.g\. 6\. Got 5 instead"):
        blindfolding(res, omission_distance=5)
    with pytest.raises(InvalidParameterError, match="'omission_distance' parameter of blindfolding must be an integer >= 2"):
        blindfolding(res, omission_distance=1)


# --------------------------------------------------------------------------- PLSpredict


def test_fold_assignment_is_balanced_and_reproduces_r_cut():
    # R 4.2.2: table(cut(seq(1, 25), breaks = 10)) and table(cut(seq(1, 37), breaks = 7))
    assert np.bincount(fold_assignment(25, 10, order=np.arange(25))).tolist() == [3, 2, 3, 2, 3, 2, 2, 3, 2, 3]
    assert np.bincount(fold_assignment(37, 7, order=np.arange(37))).tolist() == [6, 5, 5, 5, 5, 5, 6]
    g = fold_assignment(250, 10, np.random.default_rng(1))
    assert np.bincount(g).tolist() == [25] * 10


def test_plspredict_repetitions_and_verdict(res):
    p = plspredict(res, k=10, reps=3, seed=4)
    t = p.items
    assert len(t) == 19 and t["rmse_pls_sd"].gt(0).all() and t["q2_predict"].between(-1, 1).all()
    assert p.verdict in ("high", "medium", "low", "none") or p.verdict.startswith("none")
    again = plspredict(res, k=10, reps=3, seed=4)
    pd.testing.assert_frame_equal(p.items, again.items)  # same seed, same numbers
    assert "PLSpredict" in p.summary().as_text()


def test_plspredict_option_errors(res):
    with pytest.raises(InvalidParameterError, match="The 'technique' parameter of plspredict must be 'DA'.*Got 'XX' instead"):
        plspredict(res, technique="XX")
    with pytest.raises(InvalidParameterError, match=r"The 'k' parameter of plspredict must be an integer in \[2, 250\].*Got 1 instead"):
        plspredict(res, k=1)
    with pytest.raises(InvalidParameterError, match=r"The 'reps' parameter of plspredict must be an integer >= 1"):
        plspredict(res, reps=0)
    with pytest.raises(InvalidParameterError, match=r"'folds' parameter of plspredict.*Got shape \(3,\) instead"):
        plspredict(res, folds=np.zeros(3))


# --------------------------------------------------------------------------- IPMA


def test_ipma_importance_is_the_total_effect_of_the_rescaled_scores(res):
    out = ipma(res, "CUSL")
    S = res.index_scores  # 0-100 scores of every latent
    # OLS path model on the rescaled scores: unstandardized paths, then total effects
    lat = list(ECSI_BLOCKS)
    B = np.zeros((7, 7))
    for to in lat:
        preds = [a for a, b in ECSI_PATHS if b == to]
        if preds:
            A = np.column_stack([np.ones(len(S)), S[preds].to_numpy()])
            coef = np.linalg.lstsq(A, S[to].to_numpy(), rcond=None)[0][1:]
            for a, c in zip(preds, coef):
                B[lat.index(a), lat.index(to)] = c
    T = np.linalg.inv(np.eye(7) - B) - np.eye(7)
    c = out.constructs.set_index("latent")
    np.testing.assert_allclose(c["importance"], [T[lat.index(lv), lat.index("CUSL")] for lv in c.index], rtol=1e-9)
    np.testing.assert_allclose(c["performance"], res.index[c.index], rtol=1e-12)
    ind = out.indicators
    np.testing.assert_allclose(ind.groupby("latent")["importance"].sum()[c.index], c["importance"], rtol=1e-12)
    assert ind["performance"].between(0, 100).all()
    np.testing.assert_allclose(ind.loc[ind["item"] == "IMAG1", "performance"],
                               100 * (res.item_means["IMAG1"] - 1) / 9, rtol=1e-12)
    with pytest.raises(InvalidParameterError, match="The 'target' parameter of ipma must be a latent of the model.*Got 'XX' instead"):
        ipma(res, "XX")


# --------------------------------------------------------------------------- bootstrap, tables


def test_bootstrap_pls_is_reproducible_and_reports_its_conventions(res, tmp_path):
    a = bootstrap_pls(res, n_boot=60, seed=3, jackknife_groups=20)
    b = bootstrap_pls(res, n_boot=60, seed=3, jackknife_groups=20)
    np.testing.assert_array_equal(a.replicates, b.replicates)
    e = a.estimates
    assert set(e["op"]) == {"index", "=~", "<~", "~", "r2", "total", "indirect", "htmt"}
    assert e["acceleration"].notna().sum() > 0 and a.counts["n_jackknife"] == 20
    text = a.summary().as_text()
    assert "no sign-change correction" in text and "two-sided" in text and "60 bootstrap replicates" in text
    files = a.save(tmp_path)
    assert all(p.exists() for p in files)
    assert pd.read_csv(tmp_path / "pls_bootstrap_estimates.csv").shape[0] == len(e)
    no_bca = bootstrap_pls(res, n_boot=60, seed=3, bca=False)
    np.testing.assert_array_equal(no_bca.replicates, a.replicates)  # same draws without the jackknife
    assert no_bca.counts["n_jackknife"] == 0


def test_bootstrap_pls_errors(res):
    with pytest.raises(InvalidParameterError, match="'n_boot' parameter of bootstrap_pls must be an integer >= 2"):
        bootstrap_pls(res, n_boot=1)
    with pytest.raises(InvalidParameterError, match="'jackknife_groups' parameter of bootstrap_pls"):
        bootstrap_pls(res, jackknife_groups=2)
    with pytest.raises(InvalidParameterError, match="The 'res' parameter of bootstrap_pls must be a PLSResult.*Got object instead"):
        bootstrap_pls(object())


def test_quality_with_bootstrap_flags_htmt_upper_bounds(res, tmp_path):
    boot = bootstrap_pls(res, n_boot=100, seed=5, bca=False)
    q = assess(res, boot)
    h = q.htmt.set_index(["latent_a", "latent_b"])
    assert (h["boot_upper_95"] >= h["htmt"] - 0.05).all() and h["boot_upper_95"].notna().all()
    upper = q.flags.loc[q.flags["criterion"] == "HTMT bootstrap 95% upper bound"]
    assert len(upper) == len(h)
    # mobi: IMAG / PERQ HTMT 0.93 is flagged at both thresholds
    f = q.flags.set_index(["criterion", "target"])
    assert f.loc[("HTMT (discriminant validity)", "IMAG / PERQ"), "passed"] == False  # noqa: E712
    files = q.save(tmp_path)
    # the project's writer: every table as CSV and Parquet, the summary, and a manifest that verifies
    assert (tmp_path / "pls_quality_flags.csv").exists() and (tmp_path / "pls_quality_flags.parquet").exists()
    assert len(files) == 8 * 2 + 2 and files[-1].name == "pls_quality_manifest.json"
    from acsi.tables import read_manifest, verify_manifest
    assert len(verify_manifest(tmp_path, read_manifest(tmp_path, "pls_quality_manifest.json"))) == 17
    assert "not passed" in q.summary().as_text()


def test_quality_without_bootstrap_says_so_and_never_passes_nan(res):
    q = assess(res)
    assert q.meta["htmt_bootstrap"] is False and "no (no bootstrap given)" in q.summary().as_text()
    assert q.htmt["boot_upper_95"].isna().all()
    assert not (q.flags["passed"].isna() & q.flags["value"].notna()).any()


def test_model_fit_tables(res):
    fit = model_fit(res)
    t = fit.tables()["pls_model_fit"]
    assert list(t["measure"]) == ["srmr", "d_uls", "d_g", "d_g10", "d_ml", "chisq", "nfi"]
    assert (t["saturated"] <= t["estimated"] + 1e-12)[t["measure"].isin(["srmr", "d_uls"])].all()
    assert "SRMR" in fit.summary().as_text()


def test_significance_marks_come_only_from_the_bootstrap_test(res):
    boot = bootstrap_pls(res, n_boot=80, seed=9, bca=False)
    sig = boot.significance()
    assert set(sig["op"]) == {"=~", "<~", "~", "total", "indirect"}
    assert (sig["significant"] == (sig["p_value"] < 0.05)).all()
    assert sig["test"].str.contains("bootstrap t, two-sided, alpha 0.05, 80 replicates").all()


def test_pls_unit_bootstrap_gives_the_unit_view_of_acsi_bootstrap():
    import acsi
    from acsi import bootstrap as bs

    survey = acsi.demo_survey()
    sub = survey.loc[survey["company"].isin(sorted(survey["company"].unique())[:2])]
    fit = acsi.fit(sub, "acsi", unit="company", estimator="pls", pooled=False)
    boot = bs.bootstrap(fit, n_boot=10, seed=2, jackknife_groups=5)
    key = boot.unit_keys[0]
    unit = bs.pls_unit_bootstrap(boot, key)
    mine = unit.paths.set_index(["lhs", "rhs"])
    rows = boot.estimates
    for c, v in zip(boot.groups, key):
        rows = rows.loc[rows[c] == v]
    theirs = rows.loc[rows["op"] == "~"].set_index(["lhs", "rhs"])
    np.testing.assert_allclose(mine.loc[theirs.index, "boot_se"], theirs["boot_se"], rtol=1e-12)
    np.testing.assert_allclose(mine.loc[theirs.index, "bca_lower"], theirs["bca_lower"], rtol=1e-12)
    with pytest.raises(InvalidParameterError, match="'key' parameter of pls_unit_bootstrap"):
        bs.pls_unit_bootstrap(boot, ("nope",))


def test_cross_loading_flags_and_optional_f2_refit(res):
    q = assess(res, refit_f2=False)
    cl = q.flags.loc[q.flags["criterion"] == "cross-loadings: own loading − max other"]
    assert len(cl) == 23  # every item of a multi-item mode A block (COMP has one item)
    XL = res.cross_loadings
    gap = XL.loc["CUEX3", "CUEX"] - XL.loc["CUEX3", [c for c in XL.columns if c != "CUEX"]].abs().max()
    assert cl.set_index("target").loc["CUEX =~ CUEX3", "value"] == pytest.approx(gap, abs=1e-12)
    assert q.f2["f2_refit"].isna().all() and q.f2["f2"].notna().all()
