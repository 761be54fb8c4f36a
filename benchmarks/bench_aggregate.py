"""Benchmark of acsi.aggregate: 1,000 companies x 50 industries x 10 sectors x 40 quarters.

Run:  python benchmarks/bench_aggregate.py [--repeats 7] [--out benchmarks/results/aggregate.csv]

Cases
-----
full            every company measured every quarter (40,000 unit indexes), window 4
rotation_carry3 ACSI-like rotation: each sector measured once a year (10,000 unit indexes),
                national="latest": each measurement carried forward up to 3 quarters, every
                unit's latest measurement of the year counted once (ACSI's rolling practice)
replicates_200  the bootstrap plug-in: ``result.combine`` on 200 replicate columns of the
                full case (40,000 x 200 values through the same coefficient matrix)

Baseline (measured in the same run, same data): a plain pandas groupby weighted mean --
industry, sector and national-quarter means by sales weight and a rolling 4-quarter mean --
point estimates only (no validation, carry-forward, standard errors, changes or provenance).
For ``replicates_200`` the baseline is the same plain groupby repeated for 200 replicates.
The script also checks that both give the same national series (max_abs_diff).
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from acsi.aggregate import aggregate
from acsi.aggregate.examples import example_panel

SIZE = dict(n_companies=1000, n_industries=50, n_sectors=10, n_periods=40)


def baseline(idx: pd.DataFrame, sales: pd.DataFrame, window: int = 4) -> pd.Series:
    """Plain pandas: weighted means per level by groupby, then a rolling mean (no carry-forward)."""
    d = idx.merge(sales, on="company")
    d["wx"] = d["sales"] * d["index"]
    ind = d.groupby(["period", "sector", "industry"], sort=False)[["wx", "sales"]].sum()
    ind["index"] = ind["wx"] / ind["sales"]
    ind["wx"] = ind["index"] * ind["sales"]
    sec = ind.groupby(level=["period", "sector"], sort=False)[["wx", "sales"]].sum()
    sec["index"] = sec["wx"] / sec["sales"]
    sec["wx"] = sec["index"] * sec["sales"]
    q = sec.groupby(level="period")[["wx", "sales"]].sum()
    return (q["wx"] / q["sales"]).sort_index().rolling(window).mean()


def timeit(fn, repeats: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "aggregate.csv"))
    args = ap.parse_args(argv)
    rows = []
    meta = {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
            "machine": f"{platform.machine()} {platform.system()}",
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}

    idx, sales = example_panel(**SIZE, seed=0)
    res = aggregate(idx, sales)
    ours_nat = res.table("national").set_index("period")["index"]
    diff = float(np.nanmax(np.abs(ours_nat.to_numpy() - baseline(idx, sales).reindex(ours_nat.index).to_numpy())))
    t_ours = timeit(lambda: aggregate(idx, sales), args.repeats)
    t_base = timeit(lambda: baseline(idx, sales), args.repeats)
    rows.append({"case": "full", "rows": len(idx), **SIZE, "carry_forward": 0, "window": 4,
                 "aggregates": len(res.table()), "seconds_median": statistics.median(t_ours),
                 "seconds_min": min(t_ours), "baseline_seconds_median": statistics.median(t_base),
                 "max_abs_diff_vs_baseline": diff})

    ridx, rsales = example_panel(**SIZE, rotation=True, seed=0)
    rres = aggregate(ridx, rsales, national="latest")
    t_ours = timeit(lambda: aggregate(ridx, rsales, national="latest"), args.repeats)
    t_base = timeit(lambda: baseline(ridx, rsales), args.repeats)
    rows.append({"case": "rotation_carry3", "rows": len(ridx), **SIZE, "carry_forward": 3, "window": 1,
                 "aggregates": len(rres.table()), "seconds_median": statistics.median(t_ours),
                 "seconds_min": min(t_ours), "baseline_seconds_median": statistics.median(t_base),
                 "max_abs_diff_vs_baseline": np.nan})  # baseline has no carry-forward: not comparable

    b = 200
    rng = np.random.default_rng(1)
    m = res.measurements
    reps = m["index"].to_numpy()[:, None] + rng.normal(size=(len(m), b)) * m["se"].to_numpy()[:, None]
    t_ours = timeit(lambda: res.combine(reps), max(1, args.repeats // 2))
    order = idx.set_index(["period", "company"]).index.get_indexer(pd.MultiIndex.from_frame(m[["period", "company"]]))
    rep_frames = [idx.iloc[order].assign(index=reps[:, j]) for j in range(b)]
    t_base = timeit(lambda: [baseline(f, sales) for f in rep_frames], 1)
    last = res.combine(reps)[:, -1][res.table()["level"].to_numpy() == "national"]
    diff = float(np.nanmax(np.abs(last - baseline(rep_frames[-1], sales).reindex(ours_nat.index).to_numpy())))
    rows.append({"case": "replicates_200", "rows": len(idx) * b, **SIZE, "carry_forward": 0, "window": 4,
                 "aggregates": len(res.table()) * b, "seconds_median": statistics.median(t_ours),
                 "seconds_min": min(t_ours), "baseline_seconds_median": statistics.median(t_base),
                 "max_abs_diff_vs_baseline": diff})

    out = pd.DataFrame(rows)
    out["ratio_to_baseline"] = out["seconds_median"] / out["baseline_seconds_median"]
    out["repeats"] = args.repeats
    for k, v in meta.items():
        out[k] = v
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(args.out, index=False, float_format="%.6g")
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(out[["case", "rows", "aggregates", "seconds_median", "baseline_seconds_median", "ratio_to_baseline",
                   "max_abs_diff_vs_baseline"]].to_string(index=False))
    print(f"written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
