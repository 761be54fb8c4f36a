"""Batched PLS replicates (acsi.estimate.pls_batch) equal one fit per replicate on the resampled rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi import bootstrap as bs
from acsi.estimate import pls_batch as pb
from acsi.estimate.pls import fit_pls
from conftest import ECSI_BLOCKS

REF = Path(__file__).resolve().parents[1] / "reference"
from test_pls_consistent import BLOCKS as SAT_BLOCKS  # the cSEM satisfaction example
from test_pls_consistent import MODES as SAT_MODES
from test_pls_consistent import PATHS as SAT_PATHS
from test_pls_consistent import statistics_of as _one_at_a_time
from test_pls_reference import ECSI_PATHS


@pytest.fixture(scope="module")
def mobi():
    return pd.read_csv(REF / "pls_mobi" / "mobi.csv").astype(float)


@pytest.fixture(scope="module")
def satisfaction():
    return pd.read_csv(REF / "pls_csem_satisfaction" / "satisfaction.csv")


def _counts(n: int, reps: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(reps)]).astype(float)


@pytest.mark.parametrize("case", ["ecsi_path", "ecsi_centroid_modeb", "ecsi_factorial_weighted", "satisfaction_plsc"])
def test_batched_replicates_equal_refits_of_the_resampled_rows(mobi, satisfaction, case):
    if case.startswith("satisfaction"):
        df, blocks, paths, kw = satisfaction, SAT_BLOCKS, SAT_PATHS, {"modes": SAT_MODES, "consistent": True}
        bounds = {it: (0, 10) for its in blocks.values() for it in its}
    else:
        df, blocks, paths = mobi, ECSI_BLOCKS, ECSI_PATHS
        kw = {"ecsi_path": {}, "ecsi_centroid_modeb": {"scheme": "centroid", "modes": {"IMAG": "B", "PERV": "B"}},
              "ecsi_factorial_weighted": {"scheme": "factorial"}}[case]
        bounds = {it: (1, 10) for its in blocks.values() for it in its}
    items = [it for its in blocks.values() for it in its]
    n = len(df)
    v = 0.5 + (np.arange(n) % 4) / 2.0 if case.endswith("weighted") else np.ones(n)
    bm = pb.batch_model(blocks, paths, scale_bounds=bounds, **kw)
    counts = _counts(n, 12, seed=3)
    vals, status = pb.replicate_statistics(bm, df[items].to_numpy(float), counts * v)
    assert (status != pb.NOT_ESTIMATED).all()
    for r in range(len(counts)):
        rows = np.repeat(np.arange(n), counts[r].astype(np.int64))
        res = fit_pls(df.iloc[rows], blocks, paths, scale_bounds=bounds,
                      weights=None if not case.endswith("weighted") else v[rows], **kw)
        np.testing.assert_allclose(vals[r], _one_at_a_time(res, bm.labels), rtol=0, atol=1e-10)


def test_full_sample_statistics_equal_the_fit(mobi):
    bounds = {it: (1, 10) for its in ECSI_BLOCKS.values() for it in its}
    bm = pb.batch_model(ECSI_BLOCKS, ECSI_PATHS, scale_bounds=bounds, headline="CUSA")
    items = [it for its in ECSI_BLOCKS.values() for it in its]
    vals, status = pb.replicate_statistics(bm, mobi[items].to_numpy(float), np.ones((1, len(mobi))))
    res = fit_pls(mobi, ECSI_BLOCKS, ECSI_PATHS, scale_bounds=bounds)
    np.testing.assert_allclose(vals[0], _one_at_a_time(res, bm.labels), rtol=0, atol=1e-12)
    assert status[0] == pb.OK
    # one label per statistic family member
    ops = pd.Series([lab[2] for lab in bm.labels]).value_counts()
    assert ops["=~"] == ops["<~"] == 24 and ops["~"] == 12 and ops["r2"] == 6 and ops["htmt"] == 21
    assert ops["total"] == len(res.total_effects) and ops["indirect"] == int((res.total_effects["indirect"] != 0).sum())


def test_status_codes_are_the_bootstrap_codes():
    assert (pb.OK, pb.NOT_ESTIMATED, pb.NEGATIVE_WEIGHT, pb.UNSCORABLE) == (
        bs.OK, bs.NOT_CONVERGED, bs.INADMISSIBLE, bs.UNSCORABLE)


def test_failed_replicates_are_marked_not_raised(mobi):
    """A replicate with a constant item (zero variance) fails alone; the others are estimated."""
    items = [it for its in ECSI_BLOCKS.values() for it in its]
    X = mobi[items].to_numpy(float)
    bm = pb.batch_model(ECSI_BLOCKS, ECSI_PATHS)
    counts = _counts(len(X), 3, seed=1)
    counts[1] = 0.0
    counts[1, :3] = 1.0
    counts[1, np.flatnonzero(X[:, items.index("CUSCO")] == X[0, items.index("CUSCO")])[:3]] = 1.0
    X2 = X.copy()
    X2[np.flatnonzero(counts[1] > 0), items.index("CUSCO")] = 7.0  # constant in replicate 1 only
    vals, status = pb.replicate_statistics(bm, X2, counts)
    assert status[1] == pb.NOT_ESTIMATED and np.isnan(vals[1]).all()
    assert (status[[0, 2]] == pb.OK).all() and np.isfinite(vals[[0, 2], len(ECSI_BLOCKS):]).all()


def test_bootstrap_pls_path_equals_the_one_at_a_time_path():
    """acsi.bootstrap's batched PLS blocks equal the generic refit of every replicate (1e-10)."""
    survey = acsi.demo_survey()
    sub = survey.loc[survey["company"].isin(sorted(survey["company"].unique())[:2])]
    fit = acsi.fit(sub, "acsi", unit="company", estimator="pls", pooled=False)
    boot = bs.bootstrap(fit, n_boot=8, seed=11, jackknife_groups=6)
    assert tuple(boot.stat_labels) == bs._pls_model(fit.spec, {}).labels
    # the generic path: one fit_unit per replicate (ctx.model None), labels from the unit tables
    labels, est_index, std_index = bs._stat_labels(fit.spec, "pls", None, bs._outcomes(fit))
    units, _ = bs._collect_units(fit, fit.spec, None, 6, None)
    ctx = bs._Context(spec=fit.spec, estimator="pls", model=None, seed_entropy=11, n_boot=8, failed="exclude",
                      options={}, stat_labels=labels, est_index=est_index, std_index=std_index,
                      lo=np.zeros(1), hi=np.ones(1))
    cols = [boot.stat_labels.index(lab) for lab in labels]
    for i, u in enumerate(units):
        (_, _, _, vals, st, _), = bs._run_blocks(ctx, bs._Task(unit=u, blocks=[("boot", 0)]))
        np.testing.assert_array_equal(st, boot.status[i])
        used = (st == bs.OK)[:, None]
        np.testing.assert_allclose(np.where(used, boot.replicates[i][cols].T, 0.0), np.where(used, vals, 0.0),
                                   rtol=0, atol=1e-10)


@pytest.mark.slow  # starts joblib worker processes
def test_pls_bootstrap_same_bits_for_any_worker_count():
    survey = acsi.demo_survey()
    sub = survey.loc[survey["company"].isin(sorted(survey["company"].unique())[:3])]
    fit = acsi.fit(sub, "acsi", unit="company", estimator="pls", pooled=False)
    one = bs.bootstrap(fit, n_boot=60, seed=5, jackknife_groups=8)
    two = bs.bootstrap(fit, n_boot=60, seed=5, jackknife_groups=8, n_jobs=2)
    np.testing.assert_array_equal(one.replicates, two.replicates)
    np.testing.assert_array_equal(one.jack_m2, two.jack_m2)
    np.testing.assert_array_equal(one.status, two.status)


def test_replicate_moments_do_not_depend_on_the_memory_layout_of_the_items():
    """A pooled fit's items arrive column-major (a pandas block), a unit's row-major (rows taken
    from the survey); the BLAS kernel must not see the difference, or the pooled bootstrap of a
    fit with units and of a pooled-only fit part in the last bits (seen on an AMD EPYC)."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(240, 15))
    W = rng.poisson(1.0, size=(7, 240)) * rng.uniform(0.5, 2.0, size=240)
    c_mean, c_S = pb.weighted_covariances(np.ascontiguousarray(X), W)
    f_mean, f_S = pb.weighted_covariances(np.asfortranarray(X), W)
    np.testing.assert_array_equal(c_mean, f_mean)
    np.testing.assert_array_equal(c_S, f_S)
