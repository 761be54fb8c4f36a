"""Benchmark: weighted and robust ML fits against an unweighted fit of the same engine (issue 13).

Goal: a weighted (``sampling.weights``: Huber-White SEs, Yuan-Bentler test), MLR or MLM fit
within 1.5x the time of the unweighted normal-theory fit of the same engine.  For each
sample size and engine (acsi's own ``mlfast``, semopy) the methods are timed round-robin (one
run of each per round) in the same process, so a load spike on the shared machine hits every
method of a round alike; the table gives each method's median time and the median over
rounds of its ratio to the unweighted fit of its engine (the first method of its block).

Two levels are timed:

* ``fit_unit``: the per-unit pipeline of ``acsi.fit`` (estimation, item weights, 0-100 scores,
  index) on one unit's respondents: what a user waits for per company;
* the estimation alone (``fit_sem_fast`` / ``fit_sem``).

CPU time (``time.process_time``) by default: steadier than wall time on a shared machine
(BLAS limited to one thread so that CPU time is not inflated by waiting threads)::

    python benchmarks/bench_robust.py                  # writes benchmarks/results/robust.csv
    python benchmarks/bench_robust.py --wall --rounds 5
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
from acsi.estimate.ml import fit_sem_fast
from acsi.estimate.sem import fit_sem
from acsi.pipeline import fit_unit

OUT = Path(__file__).parent / "results" / "robust.csv"


def simulate(spec, n: int, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """ACSI answers 1-10 with a ceiling and two strata with weights 0.5 / 2.5 (as robust_weighted)."""
    rng = np.random.default_rng(seed)
    coef = {("CE", "PQ"): 0.5, ("CE", "PV"): 0.2, ("PQ", "PV"): 0.5, ("CE", "CS"): 0.1, ("PQ", "CS"): 0.5,
            ("PV", "CS"): 0.3, ("CS", "CC"): -0.4, ("CS", "CL"): 0.6, ("CC", "CL"): -0.15}
    eta = {}
    for lv in ("CE", "PQ", "PV", "CS", "CC", "CL"):
        eta[lv] = sum(coef[(a, lv)] * eta[a] for a in spec.predecessors(lv)) + rng.normal(scale=0.7, size=n)
    cols = {}
    for lv in spec.latents:
        for it in lv.item_ids:
            cols[it] = np.clip(np.round(8 + 1.5 * (0.85 * eta[lv.id] + rng.normal(scale=0.5, size=n))), 1, 10)
    w = np.where(rng.random(n) < 0.75, 0.5, 2.5)
    return pd.DataFrame(cols), w


def round_robin(methods: dict, rounds: int, clock) -> dict:
    times = {k: [] for k in methods}
    for fn in methods.values():  # warm-up (imports, caches)
        fn()
    for _ in range(rounds):
        for k, fn in methods.items():
            t = clock()
            fn()
            times[k].append(clock() - t)
    base = list(methods)[0]
    return {k: (statistics.median(v), statistics.median(np.array(v) / np.array(times[base]))) for k, v in times.items()}


def main(argv=None) -> None:
    from threadpoolctl import threadpool_limits

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--sizes", default="250,2500,25000")
    ap.add_argument("--wall", action="store_true", help="wall time instead of CPU time")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    threadpool_limits(1)
    clock = time.perf_counter if args.wall else time.process_time
    spec = acsi.load_model("acsi")
    variants = {
        "unweighted ML (baseline)": dict(),
        "survey weights (robust SEs, Yuan-Bentler)": dict(weighted=True),
        "MLR (robust SEs, Yuan-Bentler)": dict(estimator="mlr"),
        "MLM (Satorra-Bentler)": dict(estimator="mlm"),
    }
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        data, w = simulate(spec, n)
        for engine in ("mlfast", "semopy"):
            if engine == "semopy" and n > 2500:
                continue  # semopy's SLSQP dominates; the robust part is the same code as mlfast's
            for level in ("fit_unit", "estimation"):
                methods = {}
                for name, v in variants.items():
                    weights = w if v.get("weighted") else None
                    opts = {"engine": engine, **({"estimator": v["estimator"]} if "estimator" in v else {})}
                    if level == "fit_unit":
                        methods[name] = (lambda o=opts, ww=weights: fit_unit(("x",), data, spec, weights=ww, options=o))
                    else:
                        est = {k: x for k, x in opts.items() if k == "estimator"}
                        f = fit_sem_fast if engine == "mlfast" else fit_sem
                        methods[name] = (lambda f=f, ww=weights, e=est: f(data, spec, weights=ww, **e))
                rounds = args.rounds if engine == "mlfast" else max(3, args.rounds // 3)
                for what, (sec, ratio) in round_robin(methods, rounds, clock).items():
                    rows.append({"n": n, "engine": engine, "level": level, "what": what, "seconds": sec,
                                 "ratio_to_unweighted": ratio})
                    print(f"n={n:>6} {engine:7} {level:10} {what:45} {sec * 1e3:9.1f} ms  x{ratio:.2f}", flush=True)
    df = pd.DataFrame(rows)
    df["clock"] = "wall" if args.wall else "cpu"
    df["machine"] = (f"{platform.machine()} {os.cpu_count()} cores, shared, load {os.getloadavg()[0]:.1f}; "
                     f"python {sys.version.split()[0]}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=False, float_format="%.6g")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
