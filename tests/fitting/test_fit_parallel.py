"""Fast paths of acsi.fit give the reference path's numbers bit for bit (issue 17).

* one unit holding every row: the pooled fit is that unit's fit, equal to a separate pooled fit;
* chunked joblib workers and a Dask LocalCluster (started here) equal the serial run, every table;
* the chunking keeps the order of the units.
"""

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.parallel import blas_single_thread, chunks, run_tasks
from acsi.pipeline import fit_unit
from acsi.simulate import simulate_survey


def _same_tables(a, b):
    ta, tb = a.tables(), b.tables()
    assert set(ta) == set(tb)
    for name in ta:
        if isinstance(ta[name], pd.DataFrame):
            pd.testing.assert_frame_equal(ta[name], tb[name], check_exact=True, obj=name)


@pytest.fixture(scope="module")
def spec():
    return acsi.load_model("acsi")


@pytest.fixture(scope="module")
def survey(spec):
    return simulate_survey(spec, units=5, n_per_unit=(120, 200), periods=2, seed=17)


@pytest.fixture(scope="module")
def serial(survey, spec):
    return acsi.fit(survey, spec, unit="company", weight="weight", n_jobs=1, progress=False)


def test_one_unit_pooled_fit_is_the_unit_fit_and_equals_a_separate_pooled_fit(spec):
    one = simulate_survey(spec, units=1, n_per_unit=300, periods=1, seed=5, missing_code_rate=0.02)
    res = acsi.fit(one, spec, unit="company", weight="weight", progress=False)
    assert len(res.outcomes) == 1
    unit, pooled = res.outcomes[0], res.pooled
    assert pooled.key == ("<pooled>",) and unit.key != pooled.key
    assert pooled.n == unit.n == len(res.prepared.data) < len(one)  # missing codes dropped, same rows
    # the reference path: a separate fit of the pooled sample, as before the shortcut
    items = list(spec.item_ids)
    with blas_single_thread():
        ref = fit_unit(("<pooled>",), res.prepared.data[items], spec, weights=res.prepared.weights)
    pd.testing.assert_frame_equal(pooled.estimates, ref.estimates, check_exact=True)
    pd.testing.assert_frame_equal(pooled.index, ref.index, check_exact=True)
    pd.testing.assert_series_equal(pooled.fit_measures, ref.fit_measures, check_exact=True)
    pd.testing.assert_frame_equal(pooled.scores, ref.scores, check_exact=True)
    assert (pooled.status, pooled.reason) == (ref.status, ref.reason)
    pd.testing.assert_frame_equal(pooled.index, unit.index, check_exact=True)


def test_two_units_still_get_their_own_pooled_fit(survey, spec, serial):
    assert serial.pooled.n == sum(o.n for o in serial.outcomes) > max(o.n for o in serial.outcomes)
    with blas_single_thread():
        ref = fit_unit(("<pooled>",), serial.prepared.data[list(spec.item_ids)], spec, weights=serial.prepared.weights)
    pd.testing.assert_frame_equal(serial.pooled.estimates, ref.estimates, check_exact=True)


def test_two_workers_in_chunks_equal_the_serial_run_bit_for_bit(survey, spec, serial, monkeypatch):
    import acsi.fitting

    monkeypatch.setattr(acsi.fitting, "MIN_UNITS_PER_WORKER", 1)  # workers even for 10 units
    monkeypatch.setattr(acsi.fitting, "MIN_UNITS_PER_FRESH_WORKER", 1)
    par = acsi.fit(survey, spec, unit="company", weight="weight", n_jobs=2, progress=False)
    assert [o.key for o in par.outcomes] == [o.key for o in serial.outcomes]
    _same_tables(serial, par)


def test_the_same_bits_when_the_caller_gives_blas_two_threads(survey, spec, serial, monkeypatch):
    """acsi holds BLAS to one thread itself: a caller's two-thread BLAS changes no bit (serial or workers)."""
    import acsi.fitting
    from threadpoolctl import threadpool_limits

    monkeypatch.setattr(acsi.fitting, "MIN_UNITS_PER_WORKER", 1)
    monkeypatch.setattr(acsi.fitting, "MIN_UNITS_PER_FRESH_WORKER", 1)
    with threadpool_limits(limits=2, user_api="blas"):
        one = acsi.fit(survey, spec, unit="company", weight="weight", n_jobs=1, progress=False)
        two = acsi.fit(survey, spec, unit="company", weight="weight", n_jobs=2, progress=False)
    _same_tables(serial, one)
    _same_tables(serial, two)


def test_dask_cluster_equals_the_serial_run_bit_for_bit(survey, spec, serial):
    distributed = pytest.importorskip("distributed", reason="dask.distributed is an optional extra")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = acsi.fit(survey, spec, unit="company", weight="weight", scheduler=client, progress=False)
    assert [o.key for o in remote.outcomes] == [o.key for o in serial.outcomes]
    _same_tables(serial, remote)


def test_a_scheduler_of_the_wrong_type_is_refused_before_any_work(survey, spec):
    with pytest.raises(acsi.AcsiError, match=r"scheduler must be None, a 'tcp://host:port' address or a "
                                             r"dask.distributed.Client; got int"):
        acsi.fit(survey, spec, unit="company", scheduler=4)


@pytest.mark.parametrize("n, k", [(0, 3), (1, 4), (7, 3), (10, 10), (10, 40), (1600, 8)])
def test_chunks_keep_every_item_in_order_and_even(n, k):
    items = list(range(n))
    parts = chunks(items, k)
    assert [x for p in parts for x in p] == items
    assert len(parts) == min(max(k, 1), n)
    if parts:
        assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_few_units_are_fitted_in_this_process_whatever_n_jobs(survey, spec, serial, monkeypatch):
    import acsi.fitting

    calls = []
    monkeypatch.setattr(acsi.fitting, "run_tasks", lambda *a, **k: calls.append(k["n_jobs"]) or [])
    acsi.fit(survey, spec, unit="company", weight="weight", n_jobs=2, progress=False, pooled=False)
    assert calls == [1]  # 10 units < 2 x MIN_UNITS_PER_WORKER: no workers started


@pytest.mark.parametrize("running, jobs", [(True, 2), (False, 1)])
def test_workers_take_few_units_only_when_they_are_running_already(survey, spec, monkeypatch, running, jobs):
    """Starting a worker costs about 150-200 unit fits: 10 units go to two workers that run
    already (MIN_UNITS_PER_WORKER, here 5), not to two that would have to be started
    (MIN_UNITS_PER_FRESH_WORKER, here 100)."""
    import acsi.fitting

    calls = []
    monkeypatch.setattr(acsi.fitting, "MIN_UNITS_PER_WORKER", 5)
    monkeypatch.setattr(acsi.fitting, "MIN_UNITS_PER_FRESH_WORKER", 100)
    monkeypatch.setattr(acsi.fitting, "workers_running", lambda n: running)
    monkeypatch.setattr(acsi.fitting, "run_tasks", lambda *a, **k: calls.append(k["n_jobs"]) or [])
    acsi.fit(survey, spec, unit="company", weight="weight", n_jobs=2, progress=False, pooled=False)
    assert calls == [jobs]


def test_workers_running_reads_joblibs_executor():
    from acsi.parallel import run_tasks, workers_running

    assert run_tasks(_square, 2, [1, 2, 3], n_jobs=2) == [2, 8, 18]
    assert workers_running(2) and not workers_running(64)


def _square(shared, x):
    return shared * x * x


def test_run_tasks_same_results_in_task_order_on_every_backend():
    tasks = list(range(9))
    want = [3 * x * x for x in tasks]
    assert run_tasks(_square, 3, tasks) == want
    assert run_tasks(_square, 3, tasks, n_jobs=2) == want
    assert sorted(run_tasks(_square, 3, tasks, n_jobs=2, ordered=False)) == sorted(want)
    assert np.array_equal(run_tasks(_square, 3, [], n_jobs=2), [])
