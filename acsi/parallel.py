"""Independent tasks run serially, on local joblib workers or on a Dask cluster; BLAS threads.

The one place where acsi runs work in parallel: the per-unit fits (:func:`acsi.fit`, in chunks
of units) and the bootstrap (:func:`acsi.bootstrap`, in blocks of replicates) both call
:func:`run_tasks`, and every computation holds BLAS to one thread (:func:`blas_single_thread`).

Rules
-----
* ``run_tasks(fn, shared, tasks)`` returns ``[fn(shared, t) for t in tasks]`` (in task order,
  or in completion order with ``ordered=False``), whatever the backend: serial
  (``n_jobs=1``), local joblib workers (``n_jobs>1``, ``-1`` all cores) or a Dask cluster
  (``scheduler=`` a ``tcp://host:port`` address or a ``distributed.Client``).
* ``shared`` (the model, options: small) travels with each task on joblib and once per worker
  on Dask (``client.scatter(..., broadcast=True)``); each task carries only its own data, never
  the whole survey, so callers batch their work into a few tasks per worker (:func:`chunks`).
* BLAS runs one thread per task, in the main process and in every worker: parallelism comes
  from the workers, a multi-threaded BLAS on small matrices spends its time synchronising
  (a 50 × 250 by 250 × 120 product: 23 ms with two threads, 0.05 ms with one, on 2 cores) and
  oversubscribes the cores, and a different thread count changes the order of BLAS sums, so
  the last bits of the numbers would depend on the number of workers.  OpenBLAS takes its
  thread count from the calls of the main thread only, so the limit is held in the main thread
  around the whole run (threads of an in-process Dask cluster follow it) and set in each
  worker process around each task.

Same tasks, same numbers: the result of a task depends only on ``shared`` and the task, so a
run is identical bit for bit for any ``n_jobs``, any scheduler and any order of completion.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import threading

from .errors import AcsiError
from .log import progress_bar

__all__ = ["blas_single_thread", "check_scheduler_type", "chunks", "fewer_collections", "run_tasks", "worker_count"]

_CONTROLLER = None
#: First-generation threshold of Python's cyclic garbage collector during a run (default 700):
#: the unit fits allocate many small objects that live until the run ends (their tables), so the
#: default triggers collections that rescan them again and again (measured on 800 units: the
#: outcomes unpickle in 2.6 s with the default and 0.5 s with collection off; benchmarks/README.md).
GC_THRESHOLD0 = 50_000


@contextlib.contextmanager
def fewer_collections():
    """Raise the garbage collector's first threshold to :data:`GC_THRESHOLD0` for the block, and
    restore it after (collection stays on: cyclic garbage is still freed, only less often; the
    numbers cannot change: collection frees unreachable objects only)."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], GC_THRESHOLD0), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def blas_single_thread():
    """Context manager limiting BLAS to one thread (``threadpoolctl``); a no-op without it.

    The libraries are looked up once per process (a lookup scans the loaded shared libraries:
    about 7 ms, against 10 µs for setting the limit), after ``scipy.linalg`` so both numpy's
    and scipy's OpenBLAS are held.  Without ``threadpoolctl`` set ``OPENBLAS_NUM_THREADS=1``.
    """
    global _CONTROLLER
    if _CONTROLLER is None:
        try:
            import scipy.linalg  # noqa: F401  (loads scipy's own BLAS, so the controller sees it)
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - optional
            return contextlib.nullcontext()
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")


def check_scheduler_type(scheduler, where: str = "scheduler"):
    """Refuse, before any work, a ``scheduler`` that is not None, an address or a Dask client."""
    if scheduler is None or isinstance(scheduler, str):
        return scheduler
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise AcsiError(f"{where}: scheduler= needs Dask: pip install 'dask[distributed]' (or run without "
                        "scheduler= to use local workers)") from exc
    if not isinstance(scheduler, Client):
        raise AcsiError(f"{where}: scheduler must be None, a 'tcp://host:port' address or a "
                        f"dask.distributed.Client; got {type(scheduler).__name__}")
    return scheduler


#: Local workers still to be started pay off from this many units (or tasks of a unit's cost)
#: per worker: starting a worker process (importing numpy, scipy, pandas and acsi) costs about as
#: much as 150-200 unit fits, so fewer units are fitted faster in this process (measured with
#: ``acsi fit``, each a fresh process, 2 cores: 100 units 3.3 s serially and 5.1-5.5 s on two new
#: workers, 400 units 8.5 s and 7.6-9.0 s).
MIN_UNITS_PER_FRESH_WORKER = 200


def workers_running(n: int) -> bool:
    """Whether joblib's reusable process executor (what :func:`run_tasks` uses for local workers)
    is up with at least ``n`` live workers, so that tasks given to it pay no start-up.  Read from
    joblib's own state (``loky.reusable_executor._executor``); with a joblib that keeps it
    elsewhere the answer is False, as if the workers had to be started."""
    try:
        from joblib.externals.loky import reusable_executor

        ex = reusable_executor._executor
        if ex is None or getattr(getattr(ex, "_flags", None), "broken", None):
            return False
        return sum(p.is_alive() for p in list(ex._processes.values())) >= n
    except Exception:  # another joblib: assume fresh workers (only the threshold depends on it)
        return False


def worker_count(n_jobs: int = 1, scheduler=None) -> int:
    """Workers a run will use: the Dask cluster's (4 when unknown), all cores for ``n_jobs < 0``."""
    if scheduler is not None:
        info = scheduler.scheduler_info() if hasattr(scheduler, "scheduler_info") else None
        return max(1, len(info.get("workers", {}))) if info else 4
    return (os.cpu_count() or 1) if n_jobs < 0 else max(1, int(n_jobs))


def chunks(items: list, n_chunks: int) -> list[list]:
    """``items`` cut into at most ``n_chunks`` contiguous runs of near-equal length (order kept)."""
    n = len(items)
    k = max(1, min(int(n_chunks), n))
    bounds = [round(i * n / k) for i in range(k + 1)]
    return [items[a:b] for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def _call(fn, shared, task):
    """One task with BLAS held to one thread (in a worker process)."""
    with blas_single_thread(), fewer_collections():
        return fn(shared, task)


def run_tasks(fn, shared, tasks: list, *, n_jobs: int = 1, scheduler=None, progress: bool = False,
              desc: str = "", unit: str = "task", sizes: list[int] | None = None, ordered: bool = True,
              meanwhile=None) -> list:
    """``[fn(shared, t) for t in tasks]`` serially, on joblib workers or on Dask (see the module docstring).

    Parameters
    ----------
    fn : callable
        A module-level function ``fn(shared, task)`` (picklable).
    shared : object
        What every task needs (sent once per worker on Dask).
    tasks : list
    n_jobs : int
        Local joblib workers (``-1``: all cores); ignored with ``scheduler``.
    scheduler : None, str or distributed.Client
        A Dask cluster: an address (a client is opened and closed here) or a client.
    progress : bool
        Show a progress bar; it advances by ``sizes[i]`` when task ``i`` is done (default 1).
    ordered : bool
        Results in task order (default) or in order of completion.
    meanwhile : callable, optional
        Work of this process, called once with no argument while the workers run the tasks
        (after the first ones are dispatched; serially, after the tasks), under the same BLAS
        and collector settings: the caller's own share (``acsi.fit``'s pooled fit) no longer
        waits for the units or leaves a core idle.  Its result is the caller's to keep.

    Raises
    ------
    AcsiError
        ``scheduler`` of the wrong type, or Dask not installed.
    """
    sizes = list(sizes) if sizes is not None else [1] * len(tasks)
    bar = progress_bar(total=sum(sizes), desc=desc, unit=unit, enabled=progress)
    try:
        with blas_single_thread(), fewer_collections():  # the main thread's limit: this process and its threads
            if scheduler is not None:
                return _run_dask(fn, shared, tasks, scheduler, bar, sizes, ordered, meanwhile)
            if n_jobs == 1 or len(tasks) < 2:
                out = []
                for t, s in zip(tasks, sizes):
                    out.append(fn(shared, t))
                    bar.update(s)
                if meanwhile is not None:
                    meanwhile()
                return out
            from joblib import Parallel, delayed

            par = Parallel(n_jobs=n_jobs, return_as="generator" if ordered else "generator_unordered")
            out = []
            with _workers_ignore_interrupts():  # the call starts the workers and dispatches the first tasks
                results = par(delayed(_call)(fn, shared, t) for t in tasks)
            if meanwhile is not None:  # the rest is dispatched as tasks finish, without this thread
                meanwhile()
            for i, res in enumerate(results):
                out.append(res)
                bar.update(sizes[i] if ordered else 1)
            return out
    finally:
        bar.close()


@contextlib.contextmanager
def _workers_ignore_interrupts():
    """Ignore SIGINT in this process while joblib starts its workers, so they inherit it ignored.

    Ctrl-C in a terminal goes to the whole process group: this process answers it (it stops the
    workers and says what was saved, :mod:`acsi.cli`), while a worker still importing numpy would
    die printing a ``KeyboardInterrupt`` traceback.  A process started with SIGINT ignored keeps
    it ignored (Python installs its own handler only when the signal is not ignored).  The window
    is the start of the workers and the first dispatch (milliseconds); workers that already run
    are reused as they are.  Only the main thread may change signal handlers: elsewhere this does
    nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _run_dask(fn, shared, tasks, scheduler, bar, sizes, ordered, meanwhile=None) -> list:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise AcsiError(
            "scheduler= needs Dask: pip install 'dask[distributed]' (or run without scheduler= to use local workers)"
        ) from exc
    own = False
    if isinstance(scheduler, str):
        client = Client(scheduler)
        own = True
    elif isinstance(scheduler, Client):
        client = scheduler
    else:
        raise AcsiError(
            f"scheduler must be None, a 'tcp://host:port' address or a dask.distributed.Client; got {type(scheduler).__name__}"
        )
    try:
        shared_f = client.scatter(shared, broadcast=True)
        futures = [client.submit(_call, fn, shared_f, t, pure=False) for t in tasks]
        if meanwhile is not None:
            meanwhile()
        where = {f.key: i for i, f in enumerate(futures)}
        done: dict[int, object] = {}
        order = []
        for fut in as_completed(futures):
            i = where[fut.key]
            done[i] = fut.result()
            order.append(i)
            bar.update(sizes[i])
        return [done[i] for i in (range(len(tasks)) if ordered else order)]
    finally:
        if own:
            client.close()
