"""PLS effects, R², AVE, alpha and bootstrap SEs against plspm 0.5.7 (tests/reference/pls_plspm_mobi)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.bootstrap import bootstrap_pls
from acsi.estimate.pls import fit_pls
from acsi.estimate.pls_quality import assess
from conftest import ECSI_BLOCKS
from test_pls_reference import ECSI_PATHS

REF = Path(__file__).resolve().parents[1] / "reference"
PLSPM = REF / "pls_plspm_mobi"
OPS = {"paths": "~", "total": "total", "r2": "r2"}  # plspm's bootstrap loadings: see the README


@pytest.fixture(scope="module")
def res():
    df = pd.read_csv(REF / "pls_mobi" / "mobi.csv").astype(float)
    return fit_pls(df, ECSI_BLOCKS, ECSI_PATHS, scale_bounds={it: (1, 10) for its in ECSI_BLOCKS.values() for it in its},
                   tol=1e-12, max_iter=10000)


def test_effects_equal_plspm(res):
    ref = pd.read_csv(PLSPM / "effects.csv")
    te = res.total_effects.set_index(["from", "to"])
    ref = ref.loc[(ref["total"] != 0) | (ref["direct"] != 0)]
    for col in ("direct", "indirect", "total"):
        np.testing.assert_allclose([te.loc[(a, b), col] for a, b in zip(ref["from"], ref["to"])], ref[col], rtol=0, atol=1e-8)


def test_r2_ave_alpha_equal_plspm(res):
    inner = pd.read_csv(PLSPM / "inner.csv").set_index("latent")
    endo = [lv for lv in inner.index if lv in res.r2.index]
    np.testing.assert_allclose(res.r2[endo], inner.loc[endo, "r2"], rtol=0, atol=1e-8)
    rel = assess(res).reliability.set_index("latent")
    multi = [lv for lv in inner.index if len(ECSI_BLOCKS[lv]) > 1]
    np.testing.assert_allclose(rel.loc[multi, "ave"], inner.loc[multi, "ave"], rtol=0, atol=1e-8)
    alpha = pd.read_csv(PLSPM / "alpha.csv").set_index("latent")
    np.testing.assert_allclose(rel.loc[alpha.index, "alpha"], alpha["alpha"], rtol=0, atol=1e-8)


def test_bootstrap_se_within_monte_carlo_tolerance_of_plspm(res):
    boot = bootstrap_pls(res, n_boot=500, seed=11, bca=False)
    est = boot.estimates.set_index(["lhs", "op", "rhs"])
    rel = []
    for kind, op in OPS.items():
        ref = pd.read_csv(PLSPM / f"boot_{kind}.csv")
        for a, b, e, se in zip(ref["lhs"], ref["rhs"], ref["est"], ref["boot_se"]):
            row = est.loc[(a, op, b)]
            assert row["estimate"] == pytest.approx(e, abs=1e-8)
            if se < 1e-10:
                assert row["boot_se"] < 1e-10
                continue
            rel.append(row["boot_se"] / se - 1)
    rel = np.array(rel)
    assert len(rel) > 35 and np.abs(rel).max() < 0.20 and abs(rel.mean()) < 0.05, (np.abs(rel).max(), rel.mean())
