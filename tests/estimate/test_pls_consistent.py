"""PLSc, the quality table and the model fit against cSEM's published example; PLSc on exact moments.

Reference: tests/reference/pls_csem_satisfaction (README there: provenance and tolerances).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.errors import SpecError
from acsi.estimate.pls import fit_pls
from acsi.estimate.pls_fit import model_fit
from acsi.estimate.pls_quality import assess
from test_pls_exact import exact_frame

REF = Path(__file__).resolve().parents[1] / "reference" / "pls_csem_satisfaction"
BLOCKS = {"IMAG": ["imag1", "imag2", "imag3"], "EXPE": ["expe1", "expe2", "expe3"],
          "QUAL": ["qual1", "qual2", "qual3", "qual4", "qual5"], "VAL": ["val1", "val2", "val3"],
          "SAT": ["sat1", "sat2", "sat3", "sat4"], "LOY": ["loy1", "loy2", "loy3", "loy4"]}
PATHS = [("IMAG", "EXPE"), ("EXPE", "QUAL"), ("EXPE", "VAL"), ("QUAL", "VAL"), ("IMAG", "SAT"), ("EXPE", "SAT"),
         ("QUAL", "SAT"), ("VAL", "SAT"), ("IMAG", "LOY"), ("SAT", "LOY")]
MODES = {lv: "B" for lv in ("IMAG", "EXPE", "QUAL", "VAL")}
TOL4 = 6e-5  # 4 printed decimals


def statistics_of(res, labels) -> np.ndarray:
    """The statistics of ``labels`` read from a PLSResult (the reference path)."""
    te = res.total_effects.set_index(["from", "to"])
    out = []
    for kind, a, op, b in labels:
        if kind == "index":
            out.append(res._index[a] if not any(p.startswith(f"{a}:") for p in res.index_problems) else np.nan)
        elif op == "=~":
            out.append(res.outer_loadings.loc[b, a])
        elif op == "<~":
            out.append(res.outer_weights.loc[b, a])
        elif op == "~":
            out.append(res.path_matrix.loc[b, a])
        elif op == "r2":
            out.append(res.r2[a])
        elif op in ("total", "indirect"):
            out.append(te.loc[(b, a), op])
        elif op == "htmt":
            out.append(res.htmt.loc[a, b])
    return np.array(out, dtype=float)


@pytest.fixture(scope="module")
def res():
    df = pd.read_csv(REF / "satisfaction.csv")
    return fit_pls(df, BLOCKS, PATHS, modes=MODES, consistent=["SAT", "LOY"], tol=1e-10, max_iter=1000)


@pytest.fixture(scope="module")
def ref():
    return pd.read_csv(REF / "csem_readme_values.csv", keep_default_na=False)


def _rows(ref, table):
    return ref.loc[ref["table"] == table]


def test_plsc_corrects_the_reflective_latents_only(res):
    assert res.consistent == ("SAT", "LOY") and res.problems == ()
    assert np.isnan(res._a.rho_a[:4]).all() and (res._a.rho_a[4:] < 1).all()


@pytest.mark.parametrize("table", ["path", "loading", "weight", "total", "indirect"])
def test_plsc_estimates_equal_csem(res, ref, table):
    rows = _rows(ref, table)
    labels = [("est", lhs, op, rhs) for lhs, op, rhs in zip(rows["lhs"], rows["op"], rows["rhs"])]
    np.testing.assert_allclose(statistics_of(res, labels), rows["value"].astype(float), rtol=0, atol=TOL4)


def test_quality_table_equals_csem_assess(res, ref):
    q = assess(res)
    rel = q.reliability.set_index("latent")
    for _, r in _rows(ref, "quality").iterrows():
        assert rel.loc[r["lhs"], r["op"]] == pytest.approx(float(r["value"]), abs=TOL4)
    r2 = q.r2.set_index("latent")
    for table in ("r2", "r2_adj"):
        for _, r in _rows(ref, table).iterrows():
            assert r2.loc[r["lhs"], table] == pytest.approx(float(r["value"]), abs=TOL4)
    vif = q.inner_vif.set_index(["to", "from"])["vif"]
    for _, r in _rows(ref, "inner_vif").iterrows():
        assert vif[(r["lhs"], r["rhs"])] == pytest.approx(float(r["value"]), abs=TOL4)
    f2 = q.f2.set_index(["to", "from"])["f2"]
    for _, r in _rows(ref, "f2").iterrows():
        assert f2[(r["lhs"], r["rhs"])] == pytest.approx(float(r["value"]), abs=TOL4)
    wv = q.loadings.set_index("item")["vif"]
    for _, r in _rows(ref, "weight_vif").iterrows():
        assert wv[r["rhs"]] == pytest.approx(float(r["value"]), abs=TOL4)
    h = q.htmt.set_index(["latent_a", "latent_b"])
    assert h.loc[("SAT", "LOY"), "htmt"] == pytest.approx(0.7432489, rel=1e-6)
    assert h.loc[("SAT", "LOY"), "htmt2"] == pytest.approx(0.7140046, rel=1e-6)  # cSEM's HTMT2 matrix
    # mode B composites: no reliability, no HTMT row; their weights' VIFs are flagged instead
    assert rel.loc["IMAG", ["alpha", "rho_a", "rho_c", "ave"]].isna().all() and len(q.htmt) == 1
    assert (q.flags["criterion"] == "weight VIF (formative collinearity)").sum() == 14


def test_model_fit_equals_csem_assess(res, ref):
    fit = model_fit(res)
    est = fit.table["estimated"]
    for _, r in _rows(ref, "fit").iterrows():
        assert est[r["op"]] == pytest.approx(float(r["value"]), rel=1e-6)
    assert est["d_g"] == pytest.approx(est["d_g10"] * np.log(10) ** 2, rel=1e-12)
    # the saturated model has more freedom: it fits at least as well
    assert (fit.table.loc[["srmr", "d_uls", "d_ml"], "saturated"] <= fit.table.loc[["srmr", "d_uls", "d_ml"], "estimated"]).all()


def test_flags_name_threshold_rule_and_reference(res):
    q = assess(res)
    bad = q.problems
    assert set(bad["target"]) >= {"LOY =~ loy2", "LOY =~ loy4"}  # loadings 0.58 and 0.49 < 0.708
    assert (bad.loc[bad["target"] == "LOY =~ loy4", "rule"] == ">= 0.708").all()
    assert q.flags["reference"].str.len().gt(5).all()
    assert "4 failed" in q.summary().as_text() or "failed" in q.summary().as_text()


def test_plsc_option_errors(res):
    df = pd.read_csv(REF / "satisfaction.csv")
    with pytest.raises(SpecError, match=r"consistent names latents \['XX'\] that have no block"):
        fit_pls(df, BLOCKS, PATHS, modes=MODES, consistent=["XX"])
    with pytest.raises(SpecError, match=r"\['IMAG'\] are mode B or single items"):
        fit_pls(df, BLOCKS, PATHS, modes=MODES, consistent=["IMAG"])


# --------------------------------------------------------------------------- exact moments


def test_plsc_returns_the_true_parameters_on_exact_moment_data():
    """A reflective model whose data covariance equals the population matrix: PLSc gives the truth.

    Population: ξ -> η1 (0.6), ξ -> η2 (0.3), η1 -> η2 (0.5), standardized latents, loadings below.
    """
    lam = {"X": [0.8, 0.7, 0.6], "Y": [0.9, 0.75, 0.65, 0.7], "Z": [0.85, 0.6, 0.75]}
    b_xy, b_xz, b_yz = 0.6, 0.3, 0.5
    Phi = np.eye(3)
    Phi[0, 1] = Phi[1, 0] = b_xy
    Phi[0, 2] = Phi[2, 0] = b_xz + b_yz * b_xy
    Phi[1, 2] = Phi[2, 1] = b_yz + b_xz * b_xy
    names, Lam = [], np.zeros((10, 3))
    k = 0
    blocks = {}
    for j, lv in enumerate(lam):
        blocks[lv] = []
        for i, val in enumerate(lam[lv]):
            names.append(f"{lv.lower()}{i + 1}")
            blocks[lv].append(names[-1])
            Lam[k, j] = val
            k += 1
    Sigma = Lam @ Phi @ Lam.T
    np.fill_diagonal(Sigma, 1.0)
    df = exact_frame(Sigma, np.full(len(names), 5.0), names, n=400)
    paths = [("X", "Y"), ("X", "Z"), ("Y", "Z")]
    res = fit_pls(df, blocks, paths, consistent=True, tol=1e-13, max_iter=5000)
    np.testing.assert_allclose([res.path_matrix.loc[a, b] for a, b in paths], [b_xy, b_xz, b_yz], rtol=0, atol=1e-9)
    for j, lv in enumerate(lam):
        np.testing.assert_allclose(res.outer_loadings.loc[blocks[lv], lv], lam[lv], rtol=0, atol=1e-9)
    np.testing.assert_allclose(res.latent_cor.to_numpy(), Phi, rtol=0, atol=1e-9)
    # the model is true: the estimated model reproduces the population correlations exactly
    fit = model_fit(res)
    assert fit.table.loc["srmr", "estimated"] == pytest.approx(0.0, abs=1e-9)
    # plain PLS is attenuated: its paths differ from the truth
    plain = fit_pls(df, blocks, paths)
    assert abs(plain.path_matrix.loc["X", "Y"] - b_xy) > 0.05


def test_bootstrap_test_of_exact_fit_rejects_what_csem_rejects(res):
    """cSEM's testOMF rejects this model at 95 % for dG, SRMR, dL and dML (README output)."""
    fit = model_fit(res, n_boot=100, seed=4)
    t = fit.test.set_index("measure")
    assert t.loc[["srmr", "d_uls", "d_g10", "d_ml"], "reject_95"].all()
    assert (t["HI99"] >= t["HI95"]).all() and t["n_used"].gt(50).all()
    # cSEM's 95 % critical values (499 replicates): SRMR 0.0534, dL 0.7225; ours from 100 replicates
    assert 0.04 < t.loc["srmr", "HI95"] < 0.07 and 0.4 < t.loc["d_uls", "HI95"] < 1.1


def test_bootstrap_test_of_exact_fit_keeps_a_true_model():
    lam = [0.8, 0.7, 0.6, 0.75]
    names = [f"{b}{i}" for b in "xy" for i in range(1, 5)]
    L = np.zeros((8, 2))
    L[:4, 0], L[4:, 1] = lam, lam
    Phi = np.array([[1.0, 0.5], [0.5, 1.0]])
    Sigma = L @ Phi @ L.T
    np.fill_diagonal(Sigma, 1.0)
    df = exact_frame(Sigma, np.zeros(8), names, n=300, seed=2)
    r = fit_pls(df, {"X": names[:4], "Y": names[4:]}, [("X", "Y")], consistent=True, tol=1e-12, max_iter=1000)
    t = model_fit(r, n_boot=60, seed=1).test.set_index("measure")
    assert t.loc["srmr", "value"] < 1e-8 and not t["reject_95"].any()


def test_inadmissible_plsc_warns_and_names_the_problem():
    """ECSI on mobi: CUEX (alpha 0.45) and CUSL have low reliability; the corrected construct
    correlations are not positive definite, so PLSc is inadmissible, said in a warning and kept on
    the result (and the unit is 'inadmissible' in acsi.fit)."""
    import warnings

    from acsi.errors import AdmissibilityWarning
    from conftest import ECSI_BLOCKS
    from test_pls_reference import ECSI_PATHS

    df = pd.read_csv(REF.parent / "pls_mobi" / "mobi.csv")
    with pytest.warns(AdmissibilityWarning, match="PLSc construct correlation matrix is not positive definite"):
        r = fit_pls(df, ECSI_BLOCKS, ECSI_PATHS, consistent=True)
    assert r.problems == ("the PLSc construct correlation matrix is not positive definite",)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fit_pls(df, ECSI_BLOCKS, ECSI_PATHS).problems == ()


def test_model_fit_composites_option(res):
    base = model_fit(res)
    assert base.meta["common_factors"] == ["SAT", "LOY"]
    comp = model_fit(res, composites=["LOY"])
    assert comp.meta["common_factors"] == ["SAT"]
    # a composite's block is the observed one: the fit can only improve
    assert comp.table.loc["srmr", "estimated"] < base.table.loc["srmr", "estimated"]
    from acsi.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="'composites' parameter of model_fit must name latents"):
        model_fit(res, composites=["XX"])
    with pytest.raises(InvalidParameterError, match="'n_boot' parameter of model_fit must be an integer >= 0"):
        model_fit(res, n_boot=-1)
