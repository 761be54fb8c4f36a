"""Benchmark: one ACSI-model fit at n = 250, 2,500 and 25,000, against a plain semopy fit.

The baseline is a plain ``semopy.Model(syntax).fit(data)`` on the same data in the same run.
The methods are timed round-robin (one run of each per round, BLAS limited to one thread), so
a load spike on the shared machine hits every method of a round alike; the table gives the
median time of each method and the median over rounds of its ratio to the baseline.

Methods:

* semopy plain (baseline, semopy's default tolerance and zero bounds);
* acsi ``fit_sem`` (semopy as the optimiser, tight tolerance, acsi's tables);
* acsi's own engine, ``fit_sem_fast`` (batched Newton, the same tables);
* ``fit_unit`` with each engine: the per-unit pipeline (fit, item weights, scores, index);
* ``acsi.fit`` on one unit, end to end (read checks, accounting, provenance, the record);
* ``fit_ml`` of the ACSI model with constraints and a defined parameter (semopy cannot).

``--cpu`` times CPU (``process_time``) instead of the wall clock: steadier on a shared machine.
``--demo`` adds the demo survey (120 company-quarters) through ``acsi.fit`` against a plain
semopy loop over its units.

``--label`` names the code measured; run it once per code version and the rows are appended to
``benchmarks/results/fit.csv`` (rows with the same label are replaced)::

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_fit.py --label after --cpu
    /path/to/old-venv/bin/python benchmarks/bench_fit.py --label "before (fda7e0c)" --cpu

The "before" code needs its own virtual environment with the old checkout installed
(``pip install -e /path/to/old/checkout``): after ``pip install -e .`` the editable install's
import hook comes before ``PYTHONPATH``, so ``PYTHONPATH=/old/checkout`` measures this checkout
(the earlier before/after rows were taken so and are ratios of the same code to semopy).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import acsi
from acsi.estimate.mlfast import fit_sem_fast
from acsi.estimate.sem import fit_sem

try:  # the per-unit pipeline moved to acsi.pipeline (issue 10)
    from acsi.pipeline import fit_unit
    NEW_PIPELINE = True
except ImportError:  # pragma: no cover - older layout
    from acsi.estimate.units import fit_unit
    NEW_PIPELINE = False

OUT = Path(__file__).parent / "results" / "fit.csv"

#: The ACSI model with lavaan constraints and a defined parameter (semopy cannot fit it).
CONSTRAINED = """CE =~ ce1 + ce2 + ce3
PQ =~ pq1 + pq2 + pq3
PV =~ pv1 + pv2
CS =~ cs1 + l*cs2 + l*cs3
CC =~ cc1 + cc2
CL =~ cl1 + cl2
PQ ~ CE
PV ~ CE + a*PQ
CS ~ CE + c*PQ + b*PV
CC ~ CS
CL ~ d*CS + CC
a == 2*b
ind := b*d
"""


def simulate(spec, n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    eta = {}
    coef = {("CE", "PQ"): 0.5, ("CE", "PV"): 0.2, ("PQ", "PV"): 0.5, ("CE", "CS"): 0.1, ("PQ", "CS"): 0.5,
            ("PV", "CS"): 0.3, ("CS", "CC"): -0.4, ("CS", "CL"): 0.6, ("CC", "CL"): -0.15}
    for lv in ("CE", "PQ", "PV", "CS", "CC", "CL"):
        eta[lv] = sum(coef[(a, lv)] * eta[a] for a in spec.predecessors(lv)) + rng.normal(scale=0.7, size=n)
    cols = {}
    for lv in spec.latents:
        for it in lv.item_ids:
            cols[it] = np.clip(np.round(7 + 1.5 * (0.85 * eta[lv.id] + rng.normal(scale=0.5, size=n))), 1, 10)
    return pd.DataFrame(cols)


CLOCK = time.perf_counter


def round_robin(methods: dict, rounds: int) -> dict:
    """Median seconds and median ratio to the first method, timed one of each per round."""
    times = {k: [] for k in methods}
    for fn in methods.values():  # warm-up (imports, caches)
        fn()
    for _ in range(rounds):
        for k, fn in methods.items():
            t = CLOCK()
            fn()
            times[k].append(CLOCK() - t)
    base = list(methods)[0]
    return {k: (statistics.median(v), statistics.median(np.array(v) / np.array(times[base]))) for k, v in times.items()}


def main(argv=None) -> None:
    global CLOCK
    import semopy
    from threadpoolctl import threadpool_limits

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--label", default="after")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--sizes", default="250,2500,25000")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--cpu", action="store_true", help="CPU time of this process instead of the wall clock")
    ap.add_argument("--demo", action="store_true", help="also the demo survey through acsi.fit")
    args = ap.parse_args(argv)
    if args.cpu:
        CLOCK = time.process_time
    threadpool_limits(1)
    spec = acsi.load_model("acsi")
    syntax = spec.to_lavaan()
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        data = simulate(spec, n)
        unit = data.assign(weight=1.0)

        def unit_fit(engine):
            if NEW_PIPELINE:  # acsi.pipeline.fit_unit takes the weights as an array
                return fit_unit(("x",), data, spec, options={"engine": engine}, weights=np.ones(len(data)))
            return fit_unit(("x",), unit, spec, options={"engine": engine})

        try:
            from acsi.estimate.ml import fit_ml
            constrained = acsi.parse_lavaan(CONSTRAINED, name="constrained", headline="CS", scale=(1, 10))
        except ImportError:  # code before the parameter table: no constraints
            fit_ml = None
        methods = {
            "semopy Model().fit() (baseline, default tolerance)": lambda: semopy.Model(syntax).fit(data),
            "acsi fit_sem (semopy optimiser, ftol 1e-12, acsi tables)": lambda: fit_sem(data, spec),
            "acsi fit_sem_fast (acsi engine, same tables)": lambda: fit_sem_fast(data, spec),
            "acsi fit_unit, engine semopy (+ weights, scores, index)": lambda: unit_fit("semopy"),
            "acsi fit_unit, engine mlfast (+ weights, scores, index)": lambda: unit_fit("mlfast"),
            "acsi.fit, one unit, default engine (read checks, accounting, provenance, record)":
                lambda: acsi.fit(data, spec, unit=None, progress=False),
        }
        if fit_ml is not None:
            methods["acsi fit_ml, ACSI with equal loadings, a == 2*b and ind := b*d"] = lambda: fit_ml(constrained, data)
        for what, (sec, ratio) in round_robin(methods, args.rounds).items():
            rows.append({"code": args.label, "case": f"one ACSI fit, n={n}", "what": what, "seconds": sec,
                         "ratio_to_baseline": ratio})
    if args.demo:
        rows += [dict(r, code=args.label) for r in _demo(spec, syntax, semopy)]
    df = pd.DataFrame(rows)
    df["clock"] = "process_time" if args.cpu else "perf_counter"
    df["machine"] = f"{platform.machine()} {platform.processor() or ''} python {sys.version.split()[0]}".strip()
    df["semopy"] = getattr(semopy, "__version__", "?")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        old = pd.read_csv(out)
        if "code" in old.columns:
            df = pd.concat([old[old["code"] != args.label], df], ignore_index=True)
    df.to_csv(out, index=False, float_format="%.6g")
    print(df[df["code"] == args.label].to_string(index=False))


def _demo(spec, syntax, semopy) -> list[dict]:
    survey = acsi.demo_survey()
    groups = list(survey.groupby(["period", "company"]))
    items = list(spec.item_ids)

    def plain_loop():
        for _, g in groups:
            d = g[items]
            semopy.Model(syntax).fit(d[(d < 98).all(axis=1)])

    case = f"demo survey, {len(groups)} company-quarters, {len(survey)} respondents"
    out = round_robin({"plain semopy loop over units (baseline)": plain_loop,
                       "acsi.fit end to end, n_jobs=1": lambda: acsi.fit(survey, spec, unit="company", weight="weight",
                                                                         n_jobs=1, progress=False)}, 1)
    return [{"code": None, "case": case, "what": k, "seconds": v[0], "ratio_to_baseline": v[1]} for k, v in out.items()]


if __name__ == "__main__":
    main()
