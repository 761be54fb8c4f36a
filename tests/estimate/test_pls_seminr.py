"""PLS bootstrap, effect sizes, VIFs and PLSpredict against seminr 0.2.1 (tests/reference/pls_seminr_mobi)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.bootstrap import bootstrap_pls
from acsi.estimate import pls_batch as pb
from acsi.estimate.pls import fit_pls
from acsi.estimate.pls_predict import fold_assignment, plspredict
from acsi.estimate.pls_quality import assess
from conftest import ECSI_BLOCKS

REF = Path(__file__).resolve().parents[1] / "reference"
SEM = REF / "pls_seminr_mobi"
from test_pls_reference import ECSI_PATHS  # noqa: E402
BOUNDS = {it: (1, 10) for its in ECSI_BLOCKS.values() for it in its}
NBOOT, SEED = 500, 2026
FAMILY = {"paths": "~", "loadings": "=~", "weights": "<~", "htmt": "htmt", "total": "total"}


@pytest.fixture(scope="module")
def mobi():
    return pd.read_csv(REF / "pls_mobi" / "mobi.csv").astype(float)


@pytest.fixture(scope="module")
def res(mobi):
    return fit_pls(mobi, ECSI_BLOCKS, ECSI_PATHS, scale_bounds=BOUNDS, tol=1e-12, max_iter=10000)


def _key(kind, lhs, rhs):
    """seminr's (column, row) of a statistic -> acsi's label (kind, lhs, op, rhs)."""
    op = FAMILY[kind]
    if kind in ("paths", "total"):
        return ("est", lhs, op, rhs)
    if kind == "htmt":  # seminr's row latent comes first in the model
        return ("est", rhs, op, lhs)
    return ("est", lhs, op, rhs)


@pytest.fixture(scope="module")
def same_resamples(mobi):
    """acsi's batched statistics on seminr's 500 resamples (rebuilt with numpy's PCG64)."""
    items = [it for its in ECSI_BLOCKS.values() for it in its]
    gen = np.random.Generator(np.random.PCG64(SEED))
    n = len(mobi)
    counts = np.stack([np.bincount(gen.integers(0, n, size=n), minlength=n) for _ in range(NBOOT)]).astype(float)
    bm = pb.batch_model(ECSI_BLOCKS, ECSI_PATHS, scale_bounds=BOUNDS, tol=1e-12, max_iter=10000)
    vals, status = pb.replicate_statistics(bm, mobi[items].to_numpy(float), counts)
    assert (status == pb.OK).all()
    return {lab: vals[:, k] for k, lab in enumerate(bm.labels)}


@pytest.mark.parametrize("kind", list(FAMILY))
def test_bootstrap_on_seminr_resamples_equals_seminr(same_resamples, kind):
    ref = pd.read_csv(SEM / f"boot_{kind}.csv")
    got = np.array([same_resamples[_key(kind, a, b)] for a, b in zip(ref["lhs"], ref["rhs"])])
    np.testing.assert_allclose(got.mean(axis=1), ref["boot_mean"], rtol=0, atol=1e-7)
    np.testing.assert_allclose(got.std(axis=1, ddof=1), ref["boot_sd"], rtol=0, atol=1e-7)


def test_bootstrap_pls_se_within_monte_carlo_tolerance_of_seminr(res):
    boot = bootstrap_pls(res, n_boot=NBOOT, seed=7, bca=False)
    est = boot.estimates.assign(lab=[tuple(lab) for lab in boot.labels]).set_index("lab")
    rel = []
    for kind in FAMILY:
        ref = pd.read_csv(SEM / f"boot_{kind}.csv")
        for a, b, sd, e in zip(ref["lhs"], ref["rhs"], ref["boot_sd"], ref["est"]):
            row = est.loc[[_key(kind, a, b)]].iloc[0]
            assert row["estimate"] == pytest.approx(e, abs=1e-8)
            if sd < 1e-10:  # the single item of COMP: weight and loading are 1 in every replicate
                assert row["boot_se"] < 1e-10
                continue
            rel.append(row["boot_se"] / sd - 1)
    rel = np.array(rel)
    assert np.abs(rel).max() < 0.20, np.abs(rel).max()
    assert abs(rel.mean()) < 0.05
    # t and p follow from the SE: t = est / se, two-sided normal p
    paths = boot.paths
    np.testing.assert_allclose(paths["t_stat"], paths["estimate"] / paths["boot_se"], rtol=1e-12)
    assert ((paths["p_value"] < 0.05) == (paths["t_stat"].abs() > 1.959964)).all()
    assert boot.counts["n_used"] == NBOOT


def test_f2_and_inner_vif_equal_seminr(res):
    q = assess(res)
    f2 = q.f2.set_index(["to", "from"])["f2_refit"]  # seminr re-estimates the model without the path
    ref = pd.read_csv(SEM / "fsquare.csv")
    np.testing.assert_allclose([f2[(t, f)] for t, f in zip(ref["to"], ref["from"])], ref["f2"], rtol=0, atol=1e-8)
    vif = q.inner_vif.set_index(["to", "from"])["vif"]
    ref = pd.read_csv(SEM / "antecedent_vif.csv")
    np.testing.assert_allclose([vif[(t, f)] for t, f in zip(ref["to"], ref["from"])], ref["vif"], rtol=0, atol=1e-8)


def test_quality_table_equals_seminr_reliability_and_validity(res):
    q = assess(res)
    rel = q.reliability.set_index("latent")
    ref = pd.read_csv(REF / "reliability_mobi" / "seminr_quality.csv").set_index("latent")
    multi = [lv for lv in ref.index if len(ECSI_BLOCKS[lv]) > 1]
    for col in ("alpha", "rho_a", "rho_c", "ave"):
        np.testing.assert_allclose(rel.loc[multi, col], ref.loc[multi, col], rtol=0, atol=1e-8)
    h = pd.read_csv(REF / "reliability_mobi" / "seminr_htmt.csv")
    got = q.htmt.set_index(["latent_a", "latent_b"])["htmt"]
    a, b = h.columns[:2]
    np.testing.assert_allclose([got[(x, y)] for x, y in zip(h[a], h[b])], h[h.columns[2]], rtol=0, atol=1e-8)


@pytest.mark.parametrize("technique", ["DA", "EA"])
def test_plspredict_equals_seminr_with_the_same_folds(res, technique):
    order = pd.read_csv(SEM / "ordering.csv")["row"].to_numpy()
    pred = plspredict(res, folds=fold_assignment(len(order), 10, order=order), technique=technique)
    got = pred.items.set_index("item")
    ref = pd.read_csv(SEM / f"predict_{technique}.csv").set_index("item")
    for col in ("rmse_pls", "mae_pls", "rmse_lm", "mae_lm"):
        np.testing.assert_allclose(got.loc[ref.index, col], ref[col], rtol=0, atol=1e-8)
