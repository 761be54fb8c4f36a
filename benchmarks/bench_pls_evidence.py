"""Benchmark: what the PLS evidence costs in ``acsi.fit(..., estimator="pls")`` (issue 18).

The demo survey's first quarter (30 company units and the pooled sample, ACSI model); the
baseline, measured in the same run, is a plain loop of :func:`acsi.estimate.pls.fit_pls` over the
same units (the estimation alone).  Variants of ``acsi.fit`` (CPU time, median of ``--repeat`` runs):

* ``default``: every unit and the pooled fit get the quality table (f² also by refits), effects,
  model fit and IPMA;
* ``refit_f2=False``: f² from the scores only (no re-estimation per path);
* ``predict``: PLSpredict with 10 folds × 10 repetitions on top of the default;
* ``blindfolding``: Q² with omission distance 7 on top of the default.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_pls_evidence.py     # writes results/pls_evidence.csv
    python benchmarks/bench_pls_evidence.py --fit-only                 # one number: acsi.fit, default options
                                                                       # (run with PYTHONPATH=<other checkout>
                                                                       # to compare with the code before)
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

import acsi
from acsi.estimate.pls import fit_pls

OUT = Path(__file__).parent / "results" / "pls_evidence.csv"


def survey() -> pd.DataFrame:
    df = acsi.demo_survey()
    return df[df["period"] == sorted(df["period"].unique())[0]].reset_index(drop=True)


def cpu(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--fit-only", action="store_true")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    data = survey()

    def fit(options=None):
        return acsi.fit(data, "acsi", estimator="pls", weight="weight", n_jobs=1, progress=False, options=options)

    fit()  # warm up (imports, caches)
    if args.fit_only:
        print(f"{cpu(fit, args.repeat):.4f}")
        return
    prepared = fit().prepared
    spec = acsi.load_model("acsi")
    items = list(spec.item_ids)
    frame = prepared.data
    units = [(g[items], prepared.weights[g.index]) for _, g in frame.groupby(["period", "company"])]
    units.append((frame[items], prepared.weights))

    def plain():
        for X, w in units:
            fit_pls(X, spec.blocks, list(spec.paths), weights=w, scale_bounds=dict(spec.scale_bounds))

    rows = []
    base = cpu(plain, args.repeat)
    rows.append({"what": f"fit_pls loop over {len(units)} fits (baseline)", "seconds": base, "ratio": 1.0})
    for label, opts in (("acsi.fit, default evidence", None), ("acsi.fit, refit_f2=False", {"refit_f2": False}),
                        ("acsi.fit, + PLSpredict 10 folds x 10", {"predict": 10, "seed": 1}),
                        ("acsi.fit, + blindfolding D=7", {"blindfolding": 7})):
        t = cpu(lambda o=opts: fit(o), args.repeat)
        rows.append({"what": label, "seconds": t, "ratio": t / base})
    out = pd.DataFrame(rows)
    out["units"] = len(units) - 1
    out["respondents"] = len(frame)
    out["machine"] = f"{platform.machine()} {platform.python_version()}, shared 2-core sandbox"
    OUT.parent.mkdir(exist_ok=True)
    out.to_csv(OUT, index=False)
    print(out.to_string(index=False), file=sys.stdout)


if __name__ == "__main__":
    main()
