"""Benchmark: one ACSI-model fit at n = 250, 2,500, 25,000, and the demo survey per company.

Each timing is the median of repeated runs; the baseline is a plain
``semopy.Model(syntax).fit(data)`` on the same data in the same run, so the
ratio shows acsi's overhead (tight tolerance, unbounded variances, our own fit
measures, lavaan-style tables, scoring).

    python benchmarks/bench_fit.py            # writes benchmarks/results/fit.csv
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_fit.py --cpu   # CPU time: steadier on a shared machine
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import acsi
from acsi.estimate.sem import fit_sem
from acsi.pipeline import fit_unit

OUT = Path(__file__).parent / "results" / "fit.csv"


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


def timeit(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = CLOCK()
        fn()
        times.append(CLOCK() - t)
    return statistics.median(times)


def main() -> None:
    global CLOCK
    import semopy

    if "--cpu" in sys.argv[1:]:
        CLOCK = time.process_time

    spec = acsi.load_model("acsi")
    syntax = spec.to_lavaan()
    rows = []
    for n, repeat in ((250, 20), (2500, 10), (25000, 5)):
        data = simulate(spec, n)
        base = timeit(lambda: semopy.Model(syntax).fit(data), repeat)
        ours = timeit(lambda: fit_sem(data, spec), repeat)
        unit = timeit(lambda: fit_unit(("x",), data, spec, weights=np.ones(len(data))), repeat)
        fast = timeit(lambda: fit_unit(("x",), data, spec, weights=np.ones(len(data)), options={"engine": "mlfast"}), repeat)
        whole = timeit(lambda: acsi.fit(data, spec, unit=None, progress=False), repeat)
        rows += [
            {"case": f"one ACSI fit, n={n}", "what": "semopy Model().fit() (baseline, default tolerance)", "seconds": base, "ratio_to_baseline": 1.0},
            {"case": f"one ACSI fit, n={n}", "what": "acsi fit_sem (ftol 1e-12, fit measures, tables)", "seconds": ours, "ratio_to_baseline": ours / base},
            {"case": f"one ACSI fit, n={n}", "what": "acsi fit_unit (fit_sem + weights + scores + index)", "seconds": unit, "ratio_to_baseline": unit / base},
            {"case": f"one ACSI fit, n={n}", "what": "acsi fit_unit, engine=mlfast (batched Newton, same tables)", "seconds": fast, "ratio_to_baseline": fast / base},
            {"case": f"one ACSI fit, n={n}", "what": "acsi.fit, one unit (read checks, accounting, provenance, record)", "seconds": whole, "ratio_to_baseline": whole / base},
        ]
    try:
        survey = acsi.demo_survey()
    except Exception:  # demo data not built
        survey = None
    if survey is not None:
        groups = list(survey.groupby(["period", "company"]))
        items = list(spec.item_ids)

        def plain_loop():
            for _, g in groups:
                d = g[items]
                d = d[(d < 98).all(axis=1)]
                semopy.Model(syntax).fit(d)

        base = timeit(plain_loop, 1)
        # CPU time counts this process only, not joblib's workers: time n_jobs=2 on the wall clock only
        for jobs in (1,) if CLOCK is time.process_time else (1, 2):
            t = timeit(lambda: acsi.fit(survey, spec, unit="company", weight="weight", n_jobs=jobs, progress=False), 1)
            rows.append({"case": f"demo survey, {len(groups)} company-quarters, {len(survey)} respondents",
                         "what": f"acsi.fit end to end, n_jobs={jobs}", "seconds": t, "ratio_to_baseline": t / base})
        rows.append({"case": f"demo survey, {len(groups)} company-quarters, {len(survey)} respondents",
                     "what": "plain semopy loop over units (baseline)", "seconds": base, "ratio_to_baseline": 1.0})
    df = pd.DataFrame(rows)
    df["machine"] = f"{platform.machine()} {platform.processor() or ''} python {sys.version.split()[0]}".strip()
    df["clock"] = "process_time" if CLOCK is time.process_time else "perf_counter"
    df["semopy"] = semopy.__version__ if hasattr(semopy, "__version__") else "?"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(OUT, index=False, float_format="%.5f")
    print(df.to_string(index=False))


if __name__ == "__main__":
    main()
