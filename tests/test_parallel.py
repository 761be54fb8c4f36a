"""acsi.parallel: the runner's garbage-collector setting is held for the run only, and the
results do not depend on it (collection frees unreachable objects only)."""

import gc

import numpy as np

from acsi.parallel import GC_THRESHOLD0, chunks, fewer_collections, run_tasks


def _seen_threshold(shared, task):
    return gc.get_threshold()[0], float(np.sum(np.arange(task) * shared))


def test_fewer_collections_is_restored_even_after_an_error():
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == max(before[0], GC_THRESHOLD0)
        assert gc.get_threshold()[1:] == before[1:]
    assert gc.get_threshold() == before
    try:
        with fewer_collections():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before


def test_runner_holds_the_setting_in_this_process_and_in_workers():
    before = gc.get_threshold()
    serial = run_tasks(_seen_threshold, 2.0, [3, 5, 7], n_jobs=1)
    workers = run_tasks(_seen_threshold, 2.0, [3, 5, 7], n_jobs=2)
    assert gc.get_threshold() == before
    assert {t for t, _ in serial} == {t for t, _ in workers} == {max(before[0], GC_THRESHOLD0)}
    assert [v for _, v in serial] == [v for _, v in workers]


def test_chunks_keep_order_and_cover_everything():
    items = list(range(10))
    parts = chunks(items, 4)
    assert [x for p in parts for x in p] == items and len(parts) == 4
    assert chunks(items, 50) == [[i] for i in items]


def _interrupt_handler(shared, task):
    import signal

    return signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_workers_start_with_ctrl_c_ignored_and_this_process_keeps_its_handler():
    # Ctrl-C goes to the whole process group: only this process answers it (the workers are
    # stopped by joblib), so a worker must never die printing a KeyboardInterrupt traceback
    import signal

    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)  # workers started by this test, not reused ones
    before = signal.getsignal(signal.SIGINT)
    assert run_tasks(_interrupt_handler, None, [1, 2, 3, 4], n_jobs=2) == [True] * 4
    assert signal.getsignal(signal.SIGINT) is before
    assert run_tasks(_interrupt_handler, None, [1, 2], n_jobs=1) == [before is signal.SIG_IGN] * 2


def test_meanwhile_runs_once_in_this_process_while_the_tasks_run():
    import os

    for jobs in (1, 2):
        seen = []
        out = run_tasks(_seen_threshold, 2.0, [3, 5, 7, 9], n_jobs=jobs,
                        meanwhile=lambda: seen.append((os.getpid(), gc.get_threshold()[0])))
        assert seen == [(os.getpid(), max(gc.get_threshold()[0], GC_THRESHOLD0))]
        assert [v for _, v in out] == [float(np.sum(np.arange(t) * 2.0)) for t in (3, 5, 7, 9)]
