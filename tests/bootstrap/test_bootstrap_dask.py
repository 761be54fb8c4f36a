"""The Dask backend gives the numbers of the local run (LocalCluster started by the test)."""

import numpy as np
import pandas as pd
import pytest
from conftest import ACSI_LAVAAN, ACSI_TRUTH, exact_data, implied_cov

import acsi
from acsi import bootstrap as bs

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is an optional extra: pip install 'dask[distributed]'"
)


@pytest.fixture(scope="module")
def fit():
    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    t = ACSI_TRUTH
    cov = implied_cov(spec, t["loadings"], t["paths"], t["theta"], t["psi"])
    frames = []
    for k, company in enumerate(["A", "B", "C"]):
        d = exact_data(cov, 140, mean=6.0 + 0.3 * k, seed=40 + k).round().clip(1, 10)
        d.insert(0, "company", company)
        frames.append(d)
    return acsi.fit(pd.concat(frames, ignore_index=True), spec, unit="company", pooled=False)


@pytest.fixture(scope="module")
def local(fit):
    return bs.bootstrap(fit, n_boot=55, seed=11)


def _same(a, b):
    np.testing.assert_array_equal(a.replicates, b.replicates)
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_array_equal(a.jack_m2, b.jack_m2)
    np.testing.assert_array_equal(a.jack_m3, b.jack_m3)
    pd.testing.assert_frame_equal(a.indexes, b.indexes)


def test_dask_threads_cluster_gives_identical_numbers(fit, local):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = bs.bootstrap(fit, n_boot=55, seed=11, scheduler=client)
    assert remote.meta["backend"] == "dask"
    _same(local, remote)


@pytest.mark.slow  # starts two worker processes
def test_dask_process_cluster_by_address_gives_identical_numbers(fit, local):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = bs.bootstrap(fit, n_boot=55, seed=11, scheduler=cluster.scheduler_address)
    assert remote.meta["backend"] == "dask"
    _same(local, remote)
