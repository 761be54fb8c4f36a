"""Benchmark of the history store (`acsi publish`, `acsi.store.history`).

Run:  python benchmarks/bench_store.py [--rounds 2] [--jobs 2] [--out benchmarks/results/store.csv]
      python benchmarks/bench_store.py --quick        (a small version, to try the script)

Cases
-----
publish_vs_files   one quarter of 100 companies x 250 respondents (simulated from the ACSI model,
                   10 industries, 4 sectors), fitted, aggregated and bootstrapped with 1,000
                   replicates per company:
                   * baseline ``files``: acsi.fit -> acsi.aggregate -> acsi.bootstrap, then the
                     existing file writers (FitResult.save, AggregateResult.to_csv/to_parquet,
                     BootstrapResult.save) into a fresh directory;
                   * ``store``: acsi.production.publish(...) of the same quarter into a fresh
                     store (the same fit, aggregation and bootstrap, then the store's tables and
                     one transaction).
                   Rounds alternate files/store; the ratio is store / files per round. The time
                   the store adds itself (building its tables + the transaction) is also timed
                   inside publish, next to the time of the file writers.
history_40         a store of 40 quarterly releases of the same 100 companies (100 respondents per
                   company and quarter, engine mlfast to build it faster, partial national windows
                   at the start): ``history(store, unit=...)`` for one company (every vintage: up
                   to 40 periods x 40 releases) on an open store, and including opening the file;
                   median of 25 queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import acsi
from acsi import production
from acsi.production import publish
from acsi.simulate import simulate_survey
from acsi.store import HistoryStore, history, open_store


def units_table(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    ind = np.arange(n) % 10
    return pd.DataFrame({"company": [f"company_{i:03d}" for i in range(n)], "industry": [f"industry_{i:02d}" for i in ind],
                         "sector": [f"sector_{i % 4}" for i in ind], "shift": rng.normal(0, 0.3, n)})


def sales_table(units: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(8)
    return pd.DataFrame({"company": units["company"], "sales": np.round(rng.lognormal(3, 1, len(units)), 1)})


def run_files(survey, sales, n_boot, jobs, out: Path) -> dict:
    t0 = time.perf_counter()
    fit = acsi.fit(survey, "acsi", unit="company", n_jobs=jobs, progress=False)
    agg = acsi.aggregate(fit.indexes, sales, partial_windows=True)
    boot = acsi.bootstrap.bootstrap(fit, n_boot=n_boot, seed=1, n_jobs=jobs, progress=False)
    t1 = time.perf_counter()
    fit.save(out / "results")
    agg.to_csv(out / "aggregate")
    agg.to_parquet(out / "aggregate")
    boot.save(out / "bootstrap")
    t2 = time.perf_counter()
    return {"total": t2 - t0, "write": t2 - t1}


def run_store(survey, sales, n_boot, jobs, path: Path) -> dict:
    timed = {"tables": 0.0, "write": 0.0}
    orig_tables, orig_write = production._tables, HistoryStore.write_release

    def tables(*a, **k):
        t = time.perf_counter()
        try:
            return orig_tables(*a, **k)
        finally:
            timed["tables"] += time.perf_counter() - t

    def write(self, *a, **k):
        t = time.perf_counter()
        try:
            return orig_write(self, *a, **k)
        finally:
            timed["write"] += time.perf_counter() - t

    production._tables, HistoryStore.write_release = tables, write
    try:
        t0 = time.perf_counter()
        publish(survey, sales, "acsi", path, "2025Q1", partial_windows=True, bootstrap=n_boot, seed=1, n_jobs=jobs)
        total = time.perf_counter() - t0
    finally:
        production._tables, HistoryStore.write_release = orig_tables, orig_write
    return {"total": total, "write": timed["tables"] + timed["write"], "transaction": timed["write"]}


def bench_publish(n_units, n_resp, n_boot, rounds, jobs, tmp: Path) -> list[dict]:
    units = units_table(n_units)
    survey = simulate_survey("acsi", units=units, n_per_unit=n_resp, periods=["2025Q1"], seed=11)
    sales = sales_table(units)
    rows = []
    warm = tmp / "warm-up"
    warm.mkdir()
    small = survey.loc[survey["company"].isin(units["company"].iloc[:4])]
    run_files(small, sales.iloc[:4], 20, jobs, warm)  # start the workers, import everything
    run_store(small, sales.iloc[:4], 20, jobs, tmp / "warm-up.duckdb")
    for r in range(rounds):
        d = tmp / f"files{r}"
        d.mkdir()
        if r % 2 == 0:  # alternate the order: neither variant always runs first
            f = run_files(survey, sales, n_boot, jobs, d)
            s = run_store(survey, sales, n_boot, jobs, tmp / f"store{r}.duckdb")
        else:
            s = run_store(survey, sales, n_boot, jobs, tmp / f"store{r}.duckdb")
            f = run_files(survey, sales, n_boot, jobs, d)
        size_files = sum(p.stat().st_size for p in d.rglob("*") if p.is_file())
        rows.append({"case": "publish_vs_files", "round": r, "units": n_units, "respondents": n_resp, "n_boot": n_boot,
                     "files_s": f["total"], "store_s": s["total"], "ratio_store_over_files": s["total"] / f["total"],
                     "files_write_s": f["write"], "store_tables_and_transaction_s": s["write"],
                     "store_transaction_s": s["transaction"],
                     "store_added_share_of_files_run": (s["write"] - f["write"]) / f["total"],
                     "files_mb": size_files / 1e6, "store_mb": (tmp / f"store{r}.duckdb").stat().st_size / 1e6})
        print(rows[-1], flush=True)
    return rows


def bench_history(n_units, n_resp, n_releases, tmp: Path, queries: int = 25, keep: Path | None = None) -> list[dict]:
    units = units_table(n_units)
    path = keep or tmp / "history40.duckdb"
    build = float("nan")
    if not path.exists():
        periods = [str(p) for p in pd.period_range("2016Q1", periods=n_releases, freq="Q")]
        survey = simulate_survey("acsi", units=units, n_per_unit=n_resp, periods=periods, seed=12)
        sales = sales_table(units)
        t0 = time.perf_counter()
        for p in periods:
            publish(survey.loc[survey["period"] == p], sales, "acsi", path, p, partial_windows=True,
                    fit_options={"options": {"engine": "mlfast"}})
        build = time.perf_counter() - t0
    unit = units["company"].iloc[n_units // 2]

    def timed(fn):
        fn()  # warm-up
        wall, cpu = [], []
        for _ in range(queries):
            t, c = time.perf_counter(), time.process_time()
            out = fn()
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        return out, 1e3 * statistics.median(wall), 1e3 * statistics.median(cpu)

    with open_store(path, read_only=True) as st:
        n_fig = st.con.execute("SELECT count(*) FROM figures").fetchone()[0]
        n_rel = st.con.execute("SELECT count(*) FROM releases").fetchone()[0]
        h, wall_open, cpu_open = timed(lambda: history(st, unit))
        _, wall_nat, cpu_nat = timed(lambda: history(st, "national"))
    _, wall_cold, cpu_cold = timed(lambda: history(path, unit))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    row = {"case": "history_40", "units": n_units, "respondents": n_resp, "releases": n_rel, "figures": n_fig,
           "history_rows": len(h), "build_s": build, "query_open_store_ms": wall_open, "query_open_store_cpu_ms": cpu_open,
           "query_national_ms": wall_nat, "query_national_cpu_ms": cpu_nat, "query_with_open_ms": wall_cold,
           "query_with_open_cpu_ms": cpu_cold, "load_average_1min": load, "store_mb": path.stat().st_size / 1e6}
    print(row, flush=True)
    return [row]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="10 companies, 100 bootstrap replicates, 8 releases")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "store.csv"))
    ap.add_argument("--history-only", action="store_true", help="only the history case (keeps the other rows of --out)")
    ap.add_argument("--history-store", default=None, metavar="FILE",
                    help="build the 40-release store here and keep it (reused when it exists)")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore", acsi.AcsiWarning)
    tmp = Path(tempfile.mkdtemp(prefix="bench_store_"))
    try:
        keep = Path(args.history_store) if args.history_store else None
        if args.quick:
            rows = bench_publish(10, 120, 100, 1, args.jobs, tmp) + bench_history(10, 60, 8, tmp, queries=5)
        elif args.history_only:
            old = pd.read_csv(args.out) if Path(args.out).exists() else pd.DataFrame()
            old = old.loc[old["case"] != "history_40"] if len(old) else old
            rows = old.to_dict("records") + bench_history(100, 100, 40, tmp, keep=keep)
        else:
            rows = bench_publish(100, 250, 1000, args.rounds, args.jobs, tmp) + bench_history(100, 100, 40, tmp, keep=keep)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    df = pd.DataFrame(rows)
    new = df["python"].isna() if "python" in df else np.ones(len(df), dtype=bool)
    df.loc[new, "python"] = platform.python_version()
    df.loc[new, "machine"] = f"{platform.machine()} {platform.system()}, 2-core container shared with other jobs"
    df.loc[new, "date"] = dt.date.today().isoformat()
    if not args.quick:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        df.to_csv(args.out, index=False)
        print(f"wrote {args.out}")
    print(df.drop(columns=["python", "machine", "date"]).T.to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
