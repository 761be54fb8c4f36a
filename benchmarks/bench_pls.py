"""Benchmark: acsi's PLS estimator against seminr (Python port) and plspm, measured in one run.

Tasks, all on the ACSI model (CE, PQ, PV, CS, CC, CL; 15 items; 9 paths; path weighting):

* ``fit``: one PLS fit on simulated 1-10 survey data, n = 250 and n = 2,500;
* ``bootstrap``: 200 bootstrap replicates at n = 2,500 (a simple loop: resample rows, refit,
  keep path coefficients and, for acsi, the CS index).

Two more tasks (``--inference``, written to ``benchmarks/results/pls_inference.csv``):

* ``inference``: 1,000 bootstrap replicates of the ECSI model on seminr's ``mobi`` data
  (n = 250) with all the inference of acsi's PLS: ``bootstrap_pls`` (SE, t, p, percentile and
  BCa intervals of loadings, weights, paths, total and indirect effects, R², HTMT; 250
  jackknife groups), the quality table with HTMT bounds (``pls_quality.assess``) and the model
  fit (``pls_fit.model_fit``), against a plain loop refitting ``seminr.estimate_pls`` on each
  resample (and seminr's own ``bootstrap_model(nboot=1000, cores=1)``);
* ``national``: 4 industries x 200 PLS replicates on a 7,341-respondent ACSI sample simulated like
  the real ACSI 2015 sample (acsi.fit with ``estimator="pls"`` then ``acsi.bootstrap.bootstrap``
  with BCa and 500 jackknife groups per unit), against the one-refit-per-replicate path used
  before (``fit_unit`` per replicate; timed on 50 replicates of one unit and scaled to the run's
  4 x (200 + 500) refits).

acsi runs two bootstrap variants: refitting ``df.iloc[rows]`` (what the other tools do) and
passing the bootstrap counts as survey weights (``weights=np.bincount(rows)``), which is the
same estimator (weighted PLS equals row replication exactly) without copying the frame.
seminr uses its own ``bootstrap_model(nboot=200, cores=1)``; plspm its built-in bootstrap
(``bootstrap=True, bootstrap_iterations=200``) on 1 and 2 processes.

plspm 0.5.7 does not run under pandas 3, so it is timed in a subprocess with the Python of a
separate environment (``--plspm-python``, default ``/tmp/venv_plspm/bin/python``; create it
with ``python3 -m venv /tmp/venv_plspm && /tmp/venv_plspm/bin/pip install plspm==0.5.7
"pandas<2.3"``).  A tool that is not installed is recorded as ``unavailable``.

Usage::

    python benchmarks/bench_pls.py            # writes benchmarks/results/pls.csv
    python benchmarks/bench_pls.py --quick    # fewer repetitions

Timings are medians of repeated runs (wall clock, ``time.perf_counter``); ``ratio`` is the
tool's time divided by acsi's time for the same task in the same run (> 1: acsi is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
BLOCKS = {
    "CE": ["ce1", "ce2", "ce3"], "PQ": ["pq1", "pq2", "pq3"], "PV": ["pv1", "pv2"],
    "CS": ["cs1", "cs2", "cs3"], "CC": ["cc1", "cc2"], "CL": ["cl1", "cl2"],
}
PATHS = [("CE", "PQ"), ("CE", "PV"), ("CE", "CS"), ("PQ", "PV"), ("PQ", "CS"), ("PV", "CS"),
         ("CS", "CC"), ("CS", "CL"), ("CC", "CL")]
TRUE_PATHS = {("CE", "PQ"): 0.5, ("CE", "PV"): 0.15, ("PQ", "PV"): 0.55, ("CE", "CS"): 0.1, ("PQ", "CS"): 0.45,
              ("PV", "CS"): 0.3, ("CS", "CC"): -0.4, ("CS", "CL"): 0.6, ("CC", "CL"): -0.15}
BOUNDS = {it: (1, 10) for its in BLOCKS.values() for it in its}
NBOOT = 200


def simulate(n: int, seed: int = 1) -> pd.DataFrame:
    """ACSI survey on 1-10: standardized latents from the recursive model, items = 0.85 η + noise."""
    rng = np.random.default_rng(seed)
    lat = list(BLOCKS)
    eta = {}
    for lv in lat:  # the block order is a topological order of the paths
        preds = [(a, b) for (a, b) in TRUE_PATHS if b == lv]
        mu = sum(TRUE_PATHS[p] * eta[p[0]] for p in preds) if preds else 0.0
        eta[lv] = mu + rng.standard_normal(n) * (0.8 if preds else 1.0)
    cols = {}
    for lv, its in BLOCKS.items():
        e = (eta[lv] - eta[lv].mean()) / eta[lv].std()
        for it in its:
            z = 0.85 * e + 0.55 * rng.standard_normal(n)
            cols[it] = np.clip(np.round(7.0 + 1.6 * z), 1, 10)
    return pd.DataFrame(cols)


def median_time(fn, reps: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


# --------------------------------------------------------------------------- acsi


def bench_acsi(data: dict[int, pd.DataFrame], reps: dict[int, int], boot_reps: int) -> list[dict]:
    from acsi.estimate.pls import fit_pls

    rows = []
    for n, df in data.items():
        t = median_time(lambda df=df: fit_pls(df, BLOCKS, PATHS, scale_bounds=BOUNDS), reps[n], warmup=3)
        rows.append({"task": "fit", "n": n, "tool": "acsi", "variant": "fit_pls", "seconds": t})
    df = data[2500]
    n = len(df)

    def boot_rows():
        rng = np.random.default_rng(7)
        out = np.empty((NBOOT, len(PATHS)))
        for b in range(NBOOT):
            r = fit_pls(df.iloc[rng.integers(0, n, n)], BLOCKS, PATHS, scale_bounds=BOUNDS)
            out[b] = r.path_table["est"].to_numpy()
            r.latent_index("CS")
        return out

    def boot_counts():
        rng = np.random.default_rng(7)
        out = np.empty((NBOOT, len(PATHS)))
        for b in range(NBOOT):
            counts = np.bincount(rng.integers(0, n, n), minlength=n)
            r = fit_pls(df, BLOCKS, PATHS, weights=counts, scale_bounds=BOUNDS)
            out[b] = r.path_table["est"].to_numpy()
            r.latent_index("CS")
        return out

    # the two variants draw the same replicates, so they must agree exactly
    a, b = boot_rows(), boot_counts()
    if not np.allclose(a, b, rtol=0, atol=1e-9):
        raise RuntimeError("bootstrap by rows and by counts disagree: weighted PLS is not row replication")
    rows.append({"task": "bootstrap", "n": n, "tool": "acsi", "variant": "resampled rows, 1 process",
                 "seconds": median_time(boot_rows, boot_reps, warmup=0)})
    rows.append({"task": "bootstrap", "n": n, "tool": "acsi", "variant": "counts as weights, 1 process",
                 "seconds": median_time(boot_counts, boot_reps, warmup=0)})
    return rows


# --------------------------------------------------------------------------- seminr (same interpreter)


def bench_seminr(data: dict[int, pd.DataFrame], reps: dict[int, int], boot_reps: int) -> list[dict]:
    try:
        import seminr
    except ImportError:
        return [{"task": t, "n": n, "tool": "seminr", "variant": "unavailable", "seconds": np.nan}
                for t, n in (("fit", 250), ("fit", 2500), ("bootstrap", 2500))]
    mm = seminr.constructs(*[seminr.composite(lv, its) for lv, its in BLOCKS.items()])
    sm = seminr.relationships(*[seminr.paths(a, b) for a, b in PATHS])
    rows = []
    for n, df in data.items():
        t = median_time(lambda df=df: seminr.estimate_pls(df, mm, sm), reps[n], warmup=2)
        rows.append({"task": "fit", "n": n, "tool": "seminr", "variant": f"estimate_pls, seminr {seminr.__version__}",
                     "seconds": t})
    model = seminr.estimate_pls(data[2500], mm, sm)
    t = median_time(lambda: seminr.bootstrap_model(model, nboot=NBOOT, seed=7, cores=1), boot_reps, warmup=0)
    rows.append({"task": "bootstrap", "n": 2500, "tool": "seminr", "variant": "bootstrap_model, cores=1", "seconds": t})
    return rows


# --------------------------------------------------------------------------- plspm (subprocess)

PLSPM_SCRIPT = r"""
import json, statistics, sys, time
import numpy as np, pandas as pd
import plspm, plspm.config as c
from plspm.mode import Mode
from plspm.plspm import Plspm
from plspm.scheme import Scheme
args = json.loads(sys.argv[1])
blocks, paths = args["blocks"], args["paths"]
lvs = list(blocks)
pm = pd.DataFrame(0, index=lvs, columns=lvs)
for a, b in paths:
    pm.loc[b, a] = 1
def config():
    cf = c.Config(pm, scaled=False)
    for lv, its in blocks.items():
        cf.add_lv(lv, Mode.A, *[c.MV(i) for i in its])
    return cf
def med(fn, reps, warmup=1):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)
out = []
for n, path in args["files"].items():
    df = pd.read_csv(path)
    df = (df - df.mean()) / df.std(ddof=0)   # plspm 0.5.7's scaled=True does not standardize per item
    t = med(lambda: Plspm(df, config(), Scheme.PATH), args["reps"][n])
    out.append({"task": "fit", "n": int(n), "seconds": t, "variant": "Plspm(scheme=PATH)"})
df = pd.read_csv(args["files"]["2500"]); df = (df - df.mean()) / df.std(ddof=0)
for procs in (1, 2):
    t = med(lambda: Plspm(df, config(), Scheme.PATH, bootstrap=True, bootstrap_iterations=args["nboot"],
                          processes=procs).bootstrap().paths(), args["boot_reps"], warmup=0)
    out.append({"task": "bootstrap", "n": 2500, "seconds": t, "variant": f"built-in bootstrap, {procs} process" + ("es" if procs > 1 else "")})
print(json.dumps(out))
"""


def bench_plspm(files: dict[int, Path], reps: dict[int, int], boot_reps: int, python: str) -> list[dict]:
    unavailable = [{"task": t, "n": n, "tool": "plspm", "variant": "unavailable", "seconds": np.nan}
                   for t, n in (("fit", 250), ("fit", 2500), ("bootstrap", 2500))]
    if not Path(python).exists():
        return unavailable
    args = {"blocks": BLOCKS, "paths": PATHS, "files": {str(n): str(p) for n, p in files.items()},
            "reps": {str(n): r for n, r in reps.items()}, "boot_reps": boot_reps, "nboot": NBOOT}
    proc = subprocess.run([python, "-c", PLSPM_SCRIPT, json.dumps(args)], capture_output=True, text=True)
    if proc.returncode != 0:
        print("plspm failed:\n" + proc.stderr[-2000:], file=sys.stderr)
        return unavailable
    ver = subprocess.run([python, "-c", "import importlib.metadata as m; print(m.version('plspm'))"],
                         capture_output=True, text=True).stdout.strip()
    rows = json.loads(proc.stdout.strip().splitlines()[-1])
    for r in rows:
        r["tool"] = "plspm"
        r["variant"] = f"{r['variant']}, plspm {ver}"
    return rows


# --------------------------------------------------------------------------- inference and national runs


def bench_inference(nboot: int = 1000) -> list[dict]:
    """All PLS inference for 1,000 replicates (ECSI, n = 250) against a seminr refit loop."""
    sys.path.insert(0, str(HERE.parent / "tests" / "reference" / "pls_mobi"))
    from make_reference import ECSI_BLOCKS, ECSI_PATHS

    from acsi.bootstrap import bootstrap_pls
    from acsi.estimate.pls import fit_pls
    from acsi.estimate.pls_fit import model_fit
    from acsi.estimate.pls_quality import assess

    df = pd.read_csv(HERE.parent / "tests" / "reference" / "pls_mobi" / "mobi.csv").astype(float)
    bounds = {it: (1, 10) for its in ECSI_BLOCKS.values() for it in its}

    def acsi_all():
        res = fit_pls(df, ECSI_BLOCKS, ECSI_PATHS, scale_bounds=bounds)
        boot = bootstrap_pls(res, n_boot=nboot, seed=1, jackknife_groups=250)
        q = assess(res, boot)
        f = model_fit(res)
        return boot, q, f

    rows = [{"task": "inference", "n": 250, "tool": "acsi", "variant": f"fit + bootstrap_pls({nboot}, BCa 250 jackknife) "
             "+ quality with HTMT bounds + model fit", "seconds": median_time(acsi_all, 3, warmup=1)}]
    try:
        import seminr
    except ImportError:
        rows.append({"task": "inference", "n": 250, "tool": "seminr", "variant": "unavailable", "seconds": np.nan})
        return rows
    mm = seminr.constructs(*[seminr.composite(lv, its) for lv, its in ECSI_BLOCKS.items()])
    sm = seminr.relationships(*[seminr.paths(a, b) for a, b in ECSI_PATHS])

    def seminr_loop():
        rng = np.random.default_rng(1)
        for _ in range(nboot):
            seminr.estimate_pls(df.iloc[rng.integers(0, len(df), len(df))].reset_index(drop=True), mm, sm)

    rows.append({"task": "inference", "n": 250, "tool": "seminr", "variant": f"plain loop: estimate_pls on {nboot} resamples",
                 "seconds": median_time(seminr_loop, 1, warmup=0)})
    model = seminr.estimate_pls(df, mm, sm)
    rows.append({"task": "inference", "n": 250, "tool": "seminr", "variant": f"bootstrap_model(nboot={nboot}, cores=1)",
                 "seconds": median_time(lambda: seminr.bootstrap_model(model, nboot=nboot, seed=1, cores=1), 1, warmup=0)})
    return rows


def bench_national(nboot: int = 200) -> list[dict]:
    """4 industries x 200 PLS replicates (7,341 respondents), batched against one refit per replicate."""
    import acsi
    from acsi import bootstrap as bs

    sys.path.insert(0, str(HERE))
    from bench_fit import simulate as simulate_acsi

    spec = acsi.load_model("acsi")
    sizes = (2100, 1900, 1741, 1600)  # 7,341 respondents
    frames = []
    for k, n in enumerate(sizes):
        d = simulate_acsi(spec, n, seed=10 + k)
        d.insert(0, "industry", f"industry {k + 1}")
        frames.append(d)
    survey = pd.concat(frames, ignore_index=True)
    t0 = time.perf_counter()
    fit = acsi.fit(survey, spec, unit="industry", estimator="pls", pooled=False, progress=False)
    boot = bs.bootstrap(fit, n_boot=nboot, seed=1, jackknife_groups=500, progress=False)
    batched = time.perf_counter() - t0
    # the previous path: one fit_unit per replicate (ctx.model = None), timed on one block
    labels, est_index, std_index = bs._stat_labels(fit.spec, "pls", None, bs._outcomes(fit))
    units, _ = bs._collect_units(fit, fit.spec, None, 500, None)
    ctx = bs._Context(spec=fit.spec, estimator="pls", model=None, seed_entropy=1, n_boot=nboot, failed="exclude",
                      options={}, stat_labels=labels, est_index=est_index, std_index=std_index,
                      lo=np.zeros(1), hi=np.ones(1))
    t0 = time.perf_counter()
    bs._run_blocks(ctx, bs._Task(unit=units[0], blocks=[("boot", 0)]))
    per = (time.perf_counter() - t0) / bs.BLOCK
    refits = len(units) * (nboot + 500)
    assert int(boot.counts["n_used"].sum()) > 0
    return [
        {"task": "national", "n": len(survey), "tool": "acsi", "variant": f"acsi.fit(pls) + bootstrap({nboot}, BCa 500 "
         "jackknife groups), 4 industries, batched", "seconds": batched},
        {"task": "national", "n": len(survey), "tool": "acsi (before)", "variant": f"one fit_unit per replicate: "
         f"{per * 1000:.1f} ms x {refits} refits (timed on {bs.BLOCK})", "seconds": per * refits},
    ]


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions")
    ap.add_argument("--plspm-python", default="/tmp/venv_plspm/bin/python")
    ap.add_argument("--out", default=str(HERE / "results" / "pls.csv"))
    ap.add_argument("--inference", action="store_true",
                    help="run the inference and national tasks instead (benchmarks/results/pls_inference.csv)")
    opts = ap.parse_args()
    if opts.inference:
        return main_inference(opts.quick)
    reps = {250: 20, 2500: 10} if opts.quick else {250: 100, 2500: 30}
    slow_reps = {250: 5, 2500: 3} if opts.quick else {250: 15, 2500: 7}
    boot_reps = 1 if opts.quick else 3
    data = {250: simulate(250, seed=1), 2500: simulate(2500, seed=2)}
    load_start = os.getloadavg()[0]

    rows = bench_acsi(data, reps, boot_reps)
    rows += bench_seminr(data, slow_reps, 1)
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for n, df in data.items():
            files[n] = Path(tmp) / f"acsi_{n}.csv"
            df.to_csv(files[n], index=False)
        rows += bench_plspm(files, slow_reps, 1, opts.plspm_python)

    res = pd.DataFrame(rows)
    base = {(r.task, r.n): r.seconds for r in res.itertuples() if r.tool == "acsi" and r.variant in
            ("fit_pls", "resampled rows, 1 process")}
    res["ratio"] = [r.seconds / base[(r.task, r.n)] for r in res.itertuples()]
    res["milliseconds"] = res["seconds"] * 1000
    res["machine"] = (f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
                      f"numpy {np.__version__}, load average {load_start:.1f} -> {os.getloadavg()[0]:.1f}")
    res = res[["task", "n", "tool", "variant", "milliseconds", "ratio", "machine"]]
    Path(opts.out).parent.mkdir(parents=True, exist_ok=True)
    res.to_csv(opts.out, index=False, float_format="%.4g")
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(res.drop(columns="machine").to_string(index=False))


def main_inference(quick: bool) -> None:
    load_start = os.getloadavg()[0]
    rows = bench_inference(200 if quick else 1000) + bench_national(20 if quick else 200)
    res = pd.DataFrame(rows)
    base = {r.task: r.seconds for r in res.itertuples() if r.tool == "acsi"}
    res["ratio"] = [r.seconds / base[r.task] for r in res.itertuples()]
    res["machine"] = (f"{platform.machine()} {os.cpu_count()} cores (shared), Python {platform.python_version()}, "
                      f"numpy {np.__version__}, load average {load_start:.1f} -> {os.getloadavg()[0]:.1f}")
    out = HERE / "results" / ("pls_inference_quick.csv" if quick else "pls_inference.csv")
    res.to_csv(out, index=False, float_format="%.4g")
    with pd.option_context("display.width", 220, "display.max_colwidth", 90):
        print(res.drop(columns="machine").to_string(index=False))


if __name__ == "__main__":
    main()
