"""acsi's PLS against two independent implementations (seminr 0.2.1 and plspm 0.5.7).

Reference values and the script that made them: tests/reference/pls_mobi/ (README.md there).
Each case is fitted with acsi's defaults (tol=1e-7) and compared, one test per quantity:
outer weights, loadings, paths and R² to 1e-4 (absolute), Fornell's index to 0.01 points.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.estimate.pls import fit_pls
from conftest import ECSI_BLOCKS  # the blocks of the ECSI "mobi" data (seminr)

REF = Path(__file__).resolve().parents[1] / "reference" / "pls_mobi"

ECSI_PATHS = [
    ("IMAG", "CUEX"), ("IMAG", "CUSA"), ("IMAG", "CUSL"),
    ("CUEX", "PERQ"), ("CUEX", "PERV"), ("CUEX", "CUSA"),
    ("PERQ", "PERV"), ("PERQ", "CUSA"), ("PERV", "CUSA"),
    ("CUSA", "COMP"), ("CUSA", "CUSL"), ("COMP", "CUSL"),
]
ACSI_BLOCKS = {
    "CE": ["ce1", "ce2", "ce3"], "PQ": ["pq1", "pq2", "pq3"], "PV": ["pv1", "pv2"],
    "CS": ["cs1", "cs2", "cs3"], "CC": ["cc1", "cc2"], "CL": ["cl1", "cl2"],
}
ACSI_PATHS = [("CE", "PQ"), ("CE", "PV"), ("CE", "CS"), ("PQ", "PV"), ("PQ", "CS"), ("PV", "CS"),
              ("CS", "CC"), ("CS", "CL"), ("CC", "CL")]

# case -> (data file, blocks, paths, scheme, mode-B latents, latents whose sign plspm flipped)
CASES = {
    "ecsi_path_seminr": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "path", [], []),
    "ecsi_factorial_seminr": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "factorial", [], []),
    "ecsi_modeb_path_seminr": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "path", ["IMAG", "PERV"], []),
    "ecsi_path_plspm": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "path", [], []),
    "ecsi_factorial_plspm": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "factorial", [], []),
    "ecsi_centroid_plspm": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "centroid", [], []),
    "ecsi_modeb_centroid_plspm": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "centroid", ["IMAG", "PERV"], []),
    "ecsi_modeb_path_plspm": ("mobi", ECSI_BLOCKS, ECSI_PATHS, "path", ["IMAG", "PERV"], []),
    "acsi_path_seminr": ("acsi_sim", ACSI_BLOCKS, ACSI_PATHS, "path", [], []),
    # plspm flips the complaints score (most item-score correlations "negative" by its rule) but
    # not its weights: loadings of CC and paths touching CC come out with the wrong sign.
    "acsi_path_plspm": ("acsi_sim", ACSI_BLOCKS, ACSI_PATHS, "path", [], ["CC"]),
    "acsi_centroid_plspm": ("acsi_sim", ACSI_BLOCKS, ACSI_PATHS, "centroid", [], ["CC"]),
    "acsi_factorial_plspm": ("acsi_sim", ACSI_BLOCKS, ACSI_PATHS, "factorial", [], ["CC"]),
}

TOL = 1e-4
INDEX_TOL = 0.01


@pytest.fixture(scope="module")
def fits():
    data = {name: pd.read_csv(REF / f"{name}.csv") for name in ("mobi", "acsi_sim")}
    out = {}
    for case, (dname, blocks, paths, scheme, mode_b, _) in CASES.items():
        bounds = {it: (1, 10) for its in blocks.values() for it in its}
        out[case] = fit_pls(data[dname], blocks, paths, scheme=scheme, modes={lv: "B" for lv in mode_b},
                            scale_bounds=bounds)
    return out


def _ref(case: str, what: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"{case}_{what}.csv")


@pytest.mark.parametrize("case", list(CASES))
def test_pls_converged(fits, case):
    assert fits[case].converged
    assert 1 <= fits[case].n_iter < 50


@pytest.mark.parametrize("case", list(CASES))
def test_pls_outer_weights_match_reference(fits, case):
    ref = _ref(case, "weights")
    got = np.array([fits[case].outer_weights.loc[it, lv] for lv, it in zip(ref["latent"], ref["item"])])
    np.testing.assert_allclose(got, ref["weight"].to_numpy(), rtol=0, atol=TOL)


@pytest.mark.parametrize("case", list(CASES))
def test_pls_loadings_match_reference(fits, case):
    ref = _ref(case, "weights")
    flipped = CASES[case][5]
    expected = ref["loading"].to_numpy() * np.where(ref["latent"].isin(flipped), -1.0, 1.0)
    got = np.array([fits[case].outer_loadings.loc[it, lv] for lv, it in zip(ref["latent"], ref["item"])])
    np.testing.assert_allclose(got, expected, rtol=0, atol=TOL)


@pytest.mark.parametrize("case", list(CASES))
def test_pls_paths_match_reference(fits, case):
    ref = _ref(case, "paths")
    flipped = set(CASES[case][5])
    sign = np.array([-1.0 if (a in flipped) != (b in flipped) else 1.0 for a, b in zip(ref["from"], ref["to"])])
    got = fits[case].path_table
    assert list(got["from"]) == list(ref["from"]) and list(got["to"]) == list(ref["to"])
    np.testing.assert_allclose(got["est"].to_numpy(), ref["est"].to_numpy() * sign, rtol=0, atol=TOL)


@pytest.mark.parametrize("case", list(CASES))
def test_pls_r2_match_reference(fits, case):
    ref = _ref(case, "r2")
    np.testing.assert_allclose(fits[case].r2.loc[ref["latent"]].to_numpy(), ref["r2"].to_numpy(), rtol=0, atol=TOL)


@pytest.mark.parametrize("case", list(CASES))
def test_pls_index_matches_reference(fits, case):
    ref = _ref(case, "index")
    np.testing.assert_allclose(fits[case].index.loc[ref["latent"]].to_numpy(), ref["index"].to_numpy(),
                               rtol=0, atol=INDEX_TOL)


def test_pls_single_item_block_has_positive_unit_loading(fits):
    """The ECSI complaints block has one item: weight 1 and loading +1 under every scheme."""
    for case, (dname, *_rest) in CASES.items():
        if dname == "mobi":
            assert fits[case].outer_weights.loc["CUSCO", "COMP"] == pytest.approx(1.0, abs=1e-12)
            assert fits[case].outer_loadings.loc["CUSCO", "COMP"] == pytest.approx(1.0, abs=1e-12)
            assert fits[case].unstd_weights["CUSCO"] == 1.0


def test_pls_acsi_complaints_sign_follows_anchor(fits):
    """Unlike plspm, the complaints block keeps positive loadings and a negative CS -> CC path."""
    res = fits["acsi_path_plspm"]
    assert (res.outer_loadings.loc[["cc1", "cc2"], "CC"] > 0).all()
    assert res.path_matrix.loc["CS", "CC"] < 0
