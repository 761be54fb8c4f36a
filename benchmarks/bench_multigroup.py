"""Benchmark: multigroup comparisons (issue 12), every tool measured in the same run.

Tasks (the ACSI model: CE, PQ, PV, CS, CC, CL; 15 items on 1-10; 9 paths; data from the one
seeded simulator ``tests/reference/_simdata.survey``, two groups from one population):

* ``sem_configural``, ``sem_scalar``: one joint ML fit of 2 groups x 1,000 respondents,
  configural and scalar (``group_equal = loadings, intercepts``): acsi's
  :func:`acsi.estimate.multigroup.fit_groups` (estimates, SEs, fit measures) against lavaan
  0.6-14's ``sem(model, data, group = "g", group.equal = ...)`` timed by ``Rscript`` in the
  same run (data read once; median of repeated ``sem()`` calls);
* ``sem_sequence``: the whole invariance sequence with partial invariance and score tests
  (:func:`acsi.estimate.invariance.invariance`) against lavaan fitting the four levels and
  ``lavTestLRT`` + ``lavTestScore`` on the scalar fit;
* ``pls_micom_mga``: MICOM steps 2-3 and the permutation test of every path with 5,000
  permutations, 2 groups x 500 (:func:`acsi.estimate.pls_mga.pls_mga`, ``n_boot=0``: the
  permutations as batched replicates of the PLS kernel) against a plain loop that refits
  :func:`acsi.estimate.pls.fit_pls` on both permuted groups for every permutation and computes
  the same statistics (c, mean and log variance differences, path differences).

Usage::

    python benchmarks/bench_multigroup.py              # writes benchmarks/results/multigroup.csv
    python benchmarks/bench_multigroup.py --quick      # fewer repetitions, 1,000-permutation loop

``ratio`` is the other tool's time divided by acsi's for the same task in the same run (> 1:
acsi is faster).  BLAS is limited to one thread (threadpoolctl) for acsi, as its fits do; R
uses its reference BLAS.  The machine is shared: the load average is recorded.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "reference"))
sys.path.insert(0, str(ROOT))

import acsi  # noqa: E402
from acsi.estimate.invariance import invariance  # noqa: E402
from acsi.estimate.multigroup import fit_groups  # noqa: E402
from acsi.estimate.pls import fit_pls  # noqa: E402
from acsi.estimate.pls_mga import pls_mga  # noqa: E402

SPEC = acsi.load_model("acsi")


def simulate(n_per_group: int, seed: int) -> pd.DataFrame:
    from _simdata import ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, survey

    a, rng = survey(ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, n_per_group, seed)
    b, _ = survey(ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, n_per_group, seed, rng=rng)
    return pd.concat([a.assign(g="a"), b.assign(g="b")], ignore_index=True)


def _median(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


R_SCRIPT = r"""
suppressPackageStartupMessages(library(lavaan))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); reps <- as.integer(args[2])
m <- paste(readLines(args[3]), collapse = "\n")
med <- function(f) { t <- numeric(reps); for (i in seq_len(reps)) t[i] <- system.time(f())[["elapsed"]]; median(t) }
conf <- med(function() sem(m, d, group = "g"))
scal <- med(function() sem(m, d, group = "g", group.equal = c("loadings", "intercepts")))
sq <- med(function() {
  f0 <- sem(m, d, group = "g")
  f1 <- sem(m, d, group = "g", group.equal = "loadings")
  f2 <- sem(m, d, group = "g", group.equal = c("loadings", "intercepts"))
  f3 <- sem(m, d, group = "g", group.equal = c("loadings", "intercepts", "residuals"))
  lavTestLRT(f0, f1, f2, f3); lavTestScore(f2, cumulative = TRUE)
})
cat(sprintf("%s,%.6f\n", c("sem_configural", "sem_scalar", "sem_sequence"), c(conf, scal, sq)), sep = "")
cat(sprintf("lavaan_version,%s\n", as.character(packageVersion("lavaan"))))
"""


def lavaan_times(data: pd.DataFrame, reps: int) -> tuple[dict, str]:
    if shutil.which("Rscript") is None:
        return {}, "unavailable"
    with tempfile.TemporaryDirectory() as tmp:
        csv, model, script = Path(tmp, "d.csv"), Path(tmp, "m.lav"), Path(tmp, "b.R")
        data.to_csv(csv, index=False)
        model.write_text(SPEC.to_lavaan())
        script.write_text(R_SCRIPT)
        out = subprocess.run(["Rscript", str(script), str(csv), str(reps), str(model)], capture_output=True, text=True,
                             check=False)
    if out.returncode != 0:
        return {}, f"failed: {out.stderr.strip()[:200]}"
    vals = dict(line.split(",", 1) for line in out.stdout.strip().splitlines())
    version = vals.pop("lavaan_version", "?")
    return {k: float(v) for k, v in vals.items()}, version


def plain_loop(data: pd.DataFrame, n_perm: int, seed: int) -> None:
    """The same MICOM/permutation statistics by refitting PLS on the permuted groups."""
    items = list(SPEC.item_ids)
    X = data[items]
    n, n1 = len(data), int((data["g"] == "a").sum())
    pooled = fit_pls(X, dict(SPEC.blocks), list(SPEC.paths), scale_bounds=dict(SPEC.scale_bounds))
    R = pooled.item_cor.to_numpy()
    S = pooled.scores.to_numpy()
    rng = np.random.default_rng(seed)
    for _ in range(n_perm):
        sel = np.zeros(n, bool)
        sel[rng.permutation(n)[:n1]] = True
        f1 = fit_pls(X[sel], dict(SPEC.blocks), list(SPEC.paths), scale_bounds=dict(SPEC.scale_bounds))
        f2 = fit_pls(X[~sel], dict(SPEC.blocks), list(SPEC.paths), scale_bounds=dict(SPEC.scale_bounds))
        W1, W2 = f1.outer_weights.to_numpy(), f2.outer_weights.to_numpy()
        _c = np.einsum("pj,pq,qj->j", W1, R, W2)
        _d = f1.path_table["est"].to_numpy() - f2.path_table["est"].to_numpy()
        _m = S[sel].mean(0) - S[~sel].mean(0)
        _v = np.log(S[sel].var(0) / S[~sel].var(0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(HERE / "results" / "multigroup.csv"))
    args = ap.parse_args()
    reps = 3 if args.quick else 7
    rows = []
    load0 = os.getloadavg()[0]

    from acsi.estimate.mlfast import blas_single_thread

    sem_data = simulate(1000, 1401)
    with blas_single_thread():
        fit_groups(SPEC, sem_data, "g")  # compile caches, imports
        t_conf = _median(lambda: fit_groups(SPEC, sem_data, "g"), reps)
        t_scal = _median(lambda: fit_groups(SPEC, sem_data, "g", group_equal=("loadings", "intercepts")), reps)
        t_seq = _median(lambda: invariance(SPEC, sem_data, "g"), max(3, reps // 2))
    lav, lav_version = lavaan_times(sem_data, reps)
    for task, t in (("sem_configural", t_conf), ("sem_scalar", t_scal), ("sem_sequence", t_seq)):
        other = lav.get(task, np.nan)
        rows.append({"task": task, "n": "2 x 1000", "acsi_s": t, "other": f"lavaan {lav_version}", "other_s": other,
                     "ratio": other / t if np.isfinite(other) else np.nan})

    pls_data = simulate(500, 1402)
    n_perm = 5000
    with blas_single_thread():
        pls_mga(SPEC, pls_data, "g", n_perm=200, n_boot=0, seed=1)  # warm up
        t_pls = _median(lambda: pls_mga(SPEC, pls_data, "g", n_perm=n_perm, n_boot=0, seed=1), 3 if not args.quick else 1)
        loop_perm = 1000 if args.quick else n_perm
        t0 = time.perf_counter()
        plain_loop(pls_data, loop_perm, 1)
        t_loop = (time.perf_counter() - t0) * n_perm / loop_perm
    rows.append({"task": "pls_micom_mga", "n": "2 x 500", "acsi_s": t_pls,
                 "other": f"plain loop refitting fit_pls ({loop_perm} permutations timed"
                          + (", scaled to 5000)" if loop_perm != n_perm else ")"),
                 "other_s": t_loop, "ratio": t_loop / t_pls})
    load1 = os.getloadavg()[0]
    df = pd.DataFrame(rows)
    df["machine"] = f"{platform.machine()} {os.cpu_count()} cores, load {load0:.1f} -> {load1:.1f} (shared)"
    df["python"] = platform.python_version()
    df["numpy"] = np.__version__
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.out, index=False)
    print(df.to_string(index=False))


if __name__ == "__main__":
    main()
