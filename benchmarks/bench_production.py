"""Benchmark: the national production (fit, scores, indexes, aggregation) and one-unit overhead.

Cases (each timed against a baseline in the same run; the machine is shared, read the ratios):

* **one unit** at n = 250 and 25,000: the whole ``acsi.fit(data, "acsi", unit="company")`` (one
  company, the pooled fit on by default) against a plain ``semopy.Model(syntax).fit(data)``, and
  the same fit followed by reading every table (``fit.tables()``: the tables of effects,
  impacts, R², reliability and HTMT are built when first read);
  CPU time of this process (``process_time``), two ways: methods round-robin (median of the
  rounds; the method right after semopy runs with the caches semopy has just used: a one-unit
  ``acsi.fit`` takes ~35% longer there than back to back), and in blocks of ``BLOCK``
  back-to-back calls per method (the median of each block), the methods' order rotated every
  round (every method warm, as in a loop of fits; the ratios of the goal);
* **national production**: 400 companies x 4 quarters x 250 respondents (1,600 units,
  ``acsi.simulate.simulate_survey``), ``acsi.fit`` then ``fit.scores``, ``fit.indexes`` and
  ``acsi.aggregate`` with sales weights, with ``n_jobs=1`` and ``n_jobs=2``, interleaved
  (1, 2, 1, 2, ...); wall clock (the workers' CPU is not this process's), and the check that
  both runs give the same indexes bit for bit.

The one-unit rows hold BLAS to one thread for every method (semopy's best case: with two
OpenBLAS threads a plain semopy fit takes ~10x longer on this machine); the production rows leave
it alone, acsi holds BLAS to one thread itself.  They also record the CPU time of every process
(this one and the joblib workers, read from ``/proc``): its ratio between 2 workers and 1 is the
cost of parallelism itself (worker start-up, pickling), whatever the other jobs on the machine
take, while the wall-clock ratio also depends on how many cores those jobs leave.  Results go to
``benchmarks/results/production.csv`` (rows with the same ``--label`` replaced)::

    python benchmarks/bench_production.py --label after
    python benchmarks/bench_production.py --companies 20 --rounds 1 --out /tmp/p.csv   # a small run
    python benchmarks/bench_production.py --label boot --skip-one-unit --skip-national --bootstrap 1000

``--bootstrap N`` adds the production with N replicates per unit (the defaults of
:func:`acsi.bootstrap.bootstrap`: BCa with its jackknife, the aggregation bootstrapped with the
sales weights) on two workers, one run (the goal: 1,600 units x 1,000 replicates in 10 minutes).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import acsi
from acsi.simulate import simulate_survey

OUT = Path(__file__).parent / "results" / "production.csv"


def national_units(companies: int, industries: int = 40, sectors: int = 10) -> pd.DataFrame:
    """``companies`` companies spread over industries and sectors (the simulation's unit table)."""
    ind = np.arange(companies) % industries
    return pd.DataFrame({"company": [f"co{i:04d}" for i in range(companies)],
                         "industry": [f"ind{k:02d}" for k in ind],
                         "sector": [f"sec{k % sectors:02d}" for k in ind]})


def sales_for(survey: pd.DataFrame, seed: int = 3) -> pd.DataFrame:
    cells = survey[["period", "company", "industry", "sector"]].drop_duplicates().reset_index(drop=True)
    rng = np.random.default_rng(seed)
    return cells.assign(sales=rng.lognormal(8, 1, len(cells)).round(1))


def cpu_seconds() -> float:
    """CPU time of this process and of its live child processes (the joblib workers), from /proc.

    The workers stay alive between runs (joblib reuses them), so the difference of two readings
    around a run is the CPU the run took in every process; 0 outside Linux.
    """
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    me, total = os.getpid(), 0.0
    for d in Path("/proc").glob("[0-9]*"):
        try:
            f = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(d.name) == me or int(f[1]) == me:  # f[1]: the parent's pid
            total += (int(f[11]) + int(f[12])) / tick  # utime + stime
    return total


def production(survey, spec, sales, n_jobs: int):
    """The production: fit every unit, read the scores and indexes, aggregate."""
    fit = acsi.fit(survey, spec, unit="company", weight="weight", n_jobs=n_jobs, progress=False)
    scores, indexes = fit.scores, fit.indexes
    agg = acsi.aggregate(indexes, sales, window=min(4, indexes["period"].nunique()))
    return fit, scores, indexes, agg


def one_unit_rows(spec, syntax, rounds: int, sizes) -> list[dict]:
    """One-unit rows, BLAS held to one thread for every method (semopy's best case too)."""
    import semopy
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _one_unit_rows(spec, syntax, rounds, sizes, semopy)


def _one_unit_rows(spec, syntax, rounds, sizes, semopy) -> list[dict]:

    rows = []
    for n in sizes:
        data = simulate_survey(spec, units=1, n_per_unit=n, periods=1, seed=1, missing_code_rate=0.0)
        items = data[list(spec.item_ids)].astype(float)
        methods = {
            "semopy Model().fit() (baseline)": lambda: semopy.Model(syntax).fit(items),
            "acsi.fit, one company, pooled default, default engine": lambda: acsi.fit(
                data, spec, unit="company", progress=False),
            "acsi.fit, unit=None (pooled only)": lambda: acsi.fit(data, spec, unit=None, progress=False),
            # the unit's tables are built when first read: this row pays for reading every one
            "acsi.fit, one company, then every table read (fit.tables())": lambda: acsi.fit(
                data, spec, unit="company", progress=False).tables(),
        }
        for fn in methods.values():
            fn()
        # round-robin: each call right after another method's (the first acsi row right after
        # semopy's 12-20 ms of allocations: the cold slot, whose caches semopy has just used)
        times = {k: [] for k in methods}
        for _ in range(rounds):
            for k, fn in methods.items():
                t = time.process_time()
                fn()
                times[k].append(time.process_time() - t)
        # blocks: BLOCK calls of one method back to back (the median of the block), the methods'
        # order rotated every round, so every method runs warm, as in a loop of fits, and drift
        # still cancels
        blocks = {k: [] for k in methods}
        names = list(methods)
        for r in range(rounds):
            for k in names[r % len(names):] + names[:r % len(names)]:
                one = []
                for _ in range(BLOCK):
                    t = time.process_time()
                    methods[k]()
                    one.append(time.process_time() - t)
                blocks[k].append(statistics.median(one))
        for clock, got in (("process_time, round-robin", times), (f"process_time, blocks of {BLOCK}", blocks)):
            base = np.array(got[names[0]])
            for k, v in got.items():
                rows.append({"case": f"one unit, n={n}", "what": k, "clock": clock, "seconds": statistics.median(v),
                             "ratio_to_baseline": float(np.median(np.array(v) / base))})
    return rows


#: Back-to-back calls per method and round in the one-unit blocks.
BLOCK = 5


def national_rows(spec, companies: int, periods: int, n: int, rounds: int) -> list[dict]:
    t = time.perf_counter()
    survey = simulate_survey(spec, units=national_units(companies), n_per_unit=n, periods=periods, seed=11)
    sales = sales_for(survey)
    gen = time.perf_counter() - t
    units = companies * periods
    case = f"national production, {companies} companies x {periods} quarters x {n} = {units} units ({len(survey)} rows)"
    times = {1: [], 2: []}
    cpus = {1: [], 2: []}
    ref = None
    for _ in range(rounds):
        for jobs in (1, 2):
            t, c = time.perf_counter(), cpu_seconds()
            fit, scores, indexes, agg = production(survey, spec, sales, jobs)
            times[jobs].append(time.perf_counter() - t)
            cpus[jobs].append(cpu_seconds() - c)
            if ref is None:
                ref = indexes
            else:
                pd.testing.assert_frame_equal(ref, indexes, check_exact=True)  # same bits, any n_jobs
    base = np.array(times[1])
    rows = [{"case": case, "what": "simulate the survey (not timed below)", "clock": "perf_counter", "seconds": gen,
             "ratio_to_baseline": np.nan}]
    for jobs, label in ((1, "fit + scores + indexes + aggregate, n_jobs=1 (baseline)"),
                        (2, "fit + scores + indexes + aggregate, n_jobs=2")):
        v = np.array(times[jobs])
        rows.append({"case": case, "what": label, "clock": "perf_counter", "seconds": float(np.median(v)),
                     "ratio_to_baseline": float(np.median(v / base))})
    rows.append({"case": case, "what": "speed-up of 2 workers (n_jobs=1 time / n_jobs=2 time)", "clock": "perf_counter",
                 "seconds": np.nan, "ratio_to_baseline": float(np.median(base / np.array(times[2])))})
    cbase = np.array(cpus[1])
    for jobs in (1, 2):
        v = np.array(cpus[jobs])
        rows.append({"case": case, "what": f"CPU of every process (main + workers), n_jobs={jobs}", "clock": "/proc cpu",
                     "seconds": float(np.median(v)), "ratio_to_baseline": float(np.median(v / cbase))})
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else np.nan
    rows.append({"case": case, "what": "load average (1 min) at the end, 2 cores", "clock": "loadavg", "seconds": load,
                 "ratio_to_baseline": np.nan})
    return rows


def bootstrap_rows(spec, companies: int, periods: int, n: int, n_boot: int, jobs: int = 2) -> list[dict]:
    """The national production with ``n_boot`` bootstrap replicates per unit (the defaults: BCa
    with its jackknife, the aggregation bootstrapped with the sales weights), on ``jobs`` workers:
    one run, wall clock and the CPU of every process."""
    survey = simulate_survey(spec, units=national_units(companies), n_per_unit=n, periods=periods, seed=11)
    sales = sales_for(survey)
    units = companies * periods
    case = (f"national production with the bootstrap, {companies} companies x {periods} quarters x {n} = {units} units, "
            f"{n_boot} replicates per unit, n_jobs={jobs}")
    t, c = time.perf_counter(), cpu_seconds()
    fit, scores, indexes, agg = production(survey, spec, sales, jobs)
    fit_s, fit_cpu = time.perf_counter() - t, cpu_seconds() - c
    t, c = time.perf_counter(), cpu_seconds()
    boot = fit.bootstrap(n_boot=n_boot, seed=5, n_jobs=jobs, weights=sales, progress=False,
                         aggregate_options={"window": min(4, periods)})
    boot_s, boot_cpu = time.perf_counter() - t, cpu_seconds() - c
    counts = boot.counts if hasattr(boot, "counts") else None
    used = int(counts["n_boot"].sum()) if counts is not None and "n_boot" in counts else np.nan
    rows = [
        {"case": case, "what": "fit + scores + indexes + aggregate", "clock": "perf_counter", "seconds": fit_s,
         "ratio_to_baseline": np.nan},
        {"case": case, "what": "bootstrap (replicates, BCa jackknife, every table, aggregation)", "clock": "perf_counter",
         "seconds": boot_s, "ratio_to_baseline": np.nan},
        {"case": case, "what": "total (goal < 600 s on 2 cores)", "clock": "perf_counter", "seconds": fit_s + boot_s,
         "ratio_to_baseline": np.nan},
        {"case": case, "what": "CPU of every process, fit and bootstrap", "clock": "/proc cpu",
         "seconds": fit_cpu + boot_cpu, "ratio_to_baseline": np.nan},
        {"case": case, "what": "replicates used (converged and admissible)", "clock": "count", "seconds": used,
         "ratio_to_baseline": np.nan},
    ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else np.nan
    rows.append({"case": case, "what": "load average (1 min) at the end, 2 cores", "clock": "loadavg", "seconds": load,
                 "ratio_to_baseline": np.nan})
    return rows


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--label", default="after")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the national production")
    ap.add_argument("--unit-rounds", type=int, default=15, help="rounds of the one-unit fits")
    ap.add_argument("--sizes", default="250,25000")
    ap.add_argument("--companies", type=int, default=400)
    ap.add_argument("--periods", type=int, default=4)
    ap.add_argument("--n", type=int, default=250, help="respondents per unit")
    ap.add_argument("--skip-one-unit", action="store_true")
    ap.add_argument("--skip-national", action="store_true", help="skip the 1-worker / 2-worker production rounds")
    ap.add_argument("--bootstrap", type=int, default=0, metavar="N",
                    help="also run the production with N bootstrap replicates per unit on 2 workers (one run)")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    spec = acsi.load_model("acsi")
    rows = []
    if not args.skip_one_unit:
        rows += one_unit_rows(spec, spec.to_lavaan(), args.unit_rounds, [int(x) for x in args.sizes.split(",")])
    if not args.skip_national:
        rows += national_rows(spec, args.companies, args.periods, args.n, args.rounds)
    if args.bootstrap:
        rows += bootstrap_rows(spec, args.companies, args.periods, args.n, args.bootstrap)
    df = pd.DataFrame(rows)
    df.insert(0, "code", args.label)
    df["machine"] = f"{platform.machine()} python {sys.version.split()[0]}, 2 cores shared with other jobs"
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        old = pd.read_csv(out)
        df = pd.concat([old[old["code"] != args.label], df], ignore_index=True)
    df.to_csv(out, index=False, float_format="%.6g")
    print(df[df["code"] == args.label].drop(columns=["machine"]).to_string(index=False))


if __name__ == "__main__":
    main()
