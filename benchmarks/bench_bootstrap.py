"""Benchmark: bootstrap replicates per second, the demo survey end to end, and memory at 1M respondents.

Sections (each writes rows to ``benchmarks/results/bootstrap.csv``):

1. ``one_company``: one company at n = 250 and n = 2,500.  The same resamples are refitted by
   a plain semopy loop (``semopy.Model(syntax).fit(resample)`` with its defaults, as a user
   would write it), by a semopy loop reusing one Model (warm start), by acsi's semopy wrapper
   (``fit_sem``, ftol 1e-12), and by :func:`acsi.bootstrap.bootstrap` (the fast engine,
   warm-started, batched; replicates carried through scoring).  Baselines are timed on a
   subset of the replicates and reported per replicate.  The maximum absolute difference of
   the estimates between acsi's replicates and each refit is reported next to the speed.
2. ``demo``: the bundled demo survey (``acsi.demo_survey()``, 120 company-quarters) fitted and
   bootstrapped with 1,000 replicates per unit end to end (jackknife for BCa, aggregation to
   industry, sector and national), on 2 local workers.
3. ``memory``: a 1,000,000-respondent survey (400 companies × 2,500) fitted from per-unit
   sufficient statistics (:func:`acsi.estimate.ml.sem_result_from_cov`); peak memory
   from ``resource.getrusage`` and ``tracemalloc`` in a fresh subprocess.
4. ``unit_fit``: one per-unit fit with every output table (estimates with SEs, fit measures):
   ``fit_sem`` (semopy) against ``fit_sem_fast`` (the proposed fast path for the core).
5. ``memory_core``: the same survey through ``acsi.fit`` (semopy per unit, 2 workers), for
   comparison.
6. ``constraints``: one company bootstrapped with the ACSI model plus lavaan constraints (two
   equal loadings, ``a == 2*b``) and a defined parameter (``ind := b*d``), and with a
   nonlinear constraint (``c == a*b``), against the plain semopy loop on the unconstrained
   model (semopy cannot fit constraints): acsi's replicates per second with constraints, as a
   multiple of semopy's without.

Run from the repository root (about 10 minutes on 2 cores)::

    python benchmarks/bench_bootstrap.py            # all sections
    python benchmarks/bench_bootstrap.py one_company memory
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the same single-threaded BLAS for every method
os.environ.setdefault("OMP_NUM_THREADS", "1")

import json
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import acsi
from acsi import bootstrap as bs

from bench_fit import simulate  # noqa: E402  (same directory; the ACSI answers every benchmark uses)

OUT = Path(__file__).parent / "results" / "bootstrap.csv"
COLUMNS = ["section", "case", "n", "method", "replicates", "seconds", "replicates_per_second", "ratio_vs_plain_semopy",
           "max_abs_diff_estimates", "peak_rss_mb", "peak_tracemalloc_mb", "note"]


def _row(**kw) -> dict:
    return {c: kw.get(c, np.nan if c not in ("section", "case", "method", "note") else "") for c in COLUMNS}


# ------------------------------------------------------------------------------------ section 1
def one_company(n: int, n_boot: int, n_semopy: int, n_tight: int) -> list[dict]:
    import semopy

    from acsi.estimate.sem import fit_sem

    spec = acsi.load_model("acsi")
    syntax = spec.to_lavaan()
    data = simulate(spec, n, seed=n)
    data.insert(0, "company", "X")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = acsi.fit(data, spec, unit="company")
    items = list(spec.item_ids)
    t = time.perf_counter()
    boot = bs.bootstrap(fit, n_boot=n_boot, seed=1, bca=False, failed="keep")
    t_acsi = time.perf_counter() - t
    est_cols = [i for i, lab in enumerate(boot.stat_labels) if lab[0] == "est"]
    labels = [boot.stat_labels[i][1:] for i in est_cols]
    mine = boot.replicates[0][est_cols]  # parameters × replicates

    # the same resamples for the baselines
    ctx, units = _context(fit, n_boot)
    u = units[0]
    counts = np.concatenate([bs._block_counts(ctx, u, "boot", b) for b in range(-(-n_semopy // bs.BLOCK))])
    frames = [pd.DataFrame(u.X[np.repeat(np.arange(u.n), c.astype(int))], columns=items) for c in counts[:n_semopy]]

    def est_of(model_or_res):
        if hasattr(model_or_res, "estimates"):
            e = model_or_res.estimates.set_index(["lhs", "op", "rhs"])["est"]
            return np.array([e.loc[lab] for lab in labels])
        ins = model_or_res.inspect(mode="list")
        look = {}
        for _, r in ins.iterrows():
            lval, op, rval = str(r["lval"]), str(r["op"]), str(r["rval"])
            key = (rval, "=~", lval) if op == "~" and rval in spec.latent_ids and lval not in spec.latent_ids else (lval, op, rval)
            look[key] = float(r["Estimate"])
            if op == "~~":
                look[(rval, op, lval)] = float(r["Estimate"])
        return np.array([look[lab] for lab in labels])

    rows = []
    # plain semopy loop (defaults)
    t = time.perf_counter()
    plain = []
    for f in frames:
        m = semopy.Model(syntax)
        m.fit(f)
        plain.append(m)
    t_plain = (time.perf_counter() - t) / len(frames)
    d_plain = max(np.abs(est_of(m) - mine[:, r]).max() for r, m in enumerate(plain))
    # semopy reusing one Model (warm start from the previous replicate)
    warm = semopy.Model(syntax)
    t = time.perf_counter()
    for f in frames:
        warm.fit(f)
    t_warm = (time.perf_counter() - t) / len(frames)
    # acsi's semopy wrapper (unbounded, ftol 1e-12), and semopy at ftol 1e-14
    t = time.perf_counter()
    wrapped = [fit_sem(f, spec) for f in frames[:n_tight]]
    t_wrap = (time.perf_counter() - t) / n_tight
    d_wrap = max(np.abs(est_of(res) - mine[:, r]).max() for r, res in enumerate(wrapped))
    tight = [fit_sem(f, spec, ftol=1e-14) for f in frames[:n_tight]]
    d_tight = max(np.abs(est_of(res) - mine[:, r]).max() for r, res in enumerate(tight))

    rate_acsi = n_boot / t_acsi
    base = 1.0 / t_plain
    case = f"one company, n = {n}"
    rows.append(_row(section="one_company", case=case, n=n, method="semopy plain loop (Model(syntax).fit, defaults)",
                     replicates=len(frames), seconds=t_plain * len(frames), replicates_per_second=base,
                     ratio_vs_plain_semopy=1.0, max_abs_diff_estimates=d_plain,
                     note="semopy's default SLSQP tolerance and zero bounds: stops early"))
    rows.append(_row(section="one_company", case=case, n=n, method="semopy loop reusing one Model (warm start)",
                     replicates=len(frames), seconds=t_warm * len(frames), replicates_per_second=1 / t_warm,
                     ratio_vs_plain_semopy=t_plain / t_warm))
    rows.append(_row(section="one_company", case=case, n=n, method="acsi fit_sem loop (semopy, ftol 1e-12, unbounded)",
                     replicates=n_tight, seconds=t_wrap * n_tight, replicates_per_second=1 / t_wrap,
                     ratio_vs_plain_semopy=t_plain / t_wrap, max_abs_diff_estimates=d_wrap,
                     note="semopy's SLSQP stops this far from the optimum at ftol 1e-12"))
    rows.append(_row(section="one_company", case=case, n=n, method="semopy ftol 1e-14 (accuracy check only)",
                     replicates=n_tight, max_abs_diff_estimates=d_tight,
                     note="tighter semopy converges onto acsi's replicates"))
    rows.append(_row(section="one_company", case=case, n=n, method="acsi bootstrap (batched Newton, warm start, scored)",
                     replicates=n_boot, seconds=t_acsi, replicates_per_second=rate_acsi,
                     ratio_vs_plain_semopy=rate_acsi / base,
                     note=f"bca=False; {int(boot.counts['n_inadmissible'].iloc[0])} inadmissible replicates kept"))
    # BCa adds a jackknife: report the full cost too
    t = time.perf_counter()
    bs.bootstrap(fit, n_boot=n_boot, seed=1, failed="keep")
    t_bca = time.perf_counter() - t
    rows.append(_row(section="one_company", case=case, n=n, method="acsi bootstrap with BCa jackknife",
                     replicates=n_boot, seconds=t_bca, replicates_per_second=n_boot / t_bca,
                     ratio_vs_plain_semopy=(n_boot / t_bca) / base,
                     note=f"plus {min(n, 1000)} jackknife refits"))
    return rows


def _context(fit, n_boot):
    from acsi.estimate.mlfast import RamModel

    spec = fit.spec
    model = RamModel(spec)
    units, _ = bs._collect_units(fit, spec, None, 1000, model)
    labels, ei, si = bs._stat_labels(spec, "sem", model, fit.outcomes)
    ctx = bs._Context(spec=spec, estimator="sem", model=model, seed_entropy=1, n_boot=n_boot, failed="keep", options={},
                      stat_labels=labels, est_index=ei, std_index=si,
                      lo=np.array([spec.scale_bounds[i][0] for i in spec.item_ids]),
                      hi=np.array([spec.scale_bounds[i][1] for i in spec.item_ids]))
    return ctx, units


def unit_fit(n: int, repeat: int) -> list[dict]:
    """One full per-unit fit with lavaan-style outputs: semopy (fit_sem) vs mlfast (fit_sem_fast)."""
    import semopy

    from acsi.estimate.ml import fit_sem_fast
    from acsi.estimate.sem import fit_sem

    spec = acsi.load_model("acsi")
    data = simulate(spec, n, seed=n + 1)
    out = {}
    for name, fn in (("semopy plain (Model(syntax).fit, defaults)", lambda: semopy.Model(spec.to_lavaan()).fit(data)),
                     ("acsi fit_sem (semopy, ftol 1e-12, tables)", lambda: fit_sem(data, spec)),
                     ("acsi fit_sem_fast (mlfast, cold start, tables)", lambda: fit_sem_fast(data, spec))):
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            res = fn()
            times.append(time.perf_counter() - t)
        out[name] = (float(np.median(times)), res)
    a = out["acsi fit_sem (semopy, ftol 1e-12, tables)"][1].estimates["est"].to_numpy()
    b = out["acsi fit_sem_fast (mlfast, cold start, tables)"][1].estimates["est"].to_numpy()
    base = out["semopy plain (Model(syntax).fit, defaults)"][0]
    rows = []
    for name, (t, _) in out.items():
        rows.append(_row(section="unit_fit", case=f"one unit fit, n = {n}", n=n, method=name, replicates=repeat,
                         seconds=t, replicates_per_second=1 / t, ratio_vs_plain_semopy=base / t,
                         max_abs_diff_estimates=float(np.abs(a - b).max()) if "fast" in name else np.nan,
                         note="median of repeats; diff = fit_sem_fast vs fit_sem" if "fast" in name else ""))
    return rows


# ------------------------------------------------------------------------------------ section 2
def demo(n_boot: int = 1000, n_jobs: int = 2) -> list[dict]:
    survey = acsi.demo_survey()
    sales = acsi.demo_sales()
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = acsi.fit(survey, "acsi", unit="company", weight="weight", n_jobs=n_jobs, progress=False)
    t_fit = time.perf_counter() - t
    t = time.perf_counter()
    boot = bs.bootstrap(fit, n_boot=n_boot, seed=7, n_jobs=n_jobs, weights=sales,
                        aggregate_options={"partial_windows": True}, progress=False)
    tables = boot.tables()  # force every summary (units, parameters, changes, aggregates)
    t_boot = time.perf_counter() - t
    c = boot.counts[["n_boot", "n_used", "n_not_converged", "n_inadmissible", "n_unscorable"]].sum()
    n_units = len(boot.unit_keys)
    note = (f"{n_units} units; fit (semopy, acsi.fit) {t_fit:.1f} s; replicates used {int(c['n_used'])}/{int(c['n_boot'])}, "
            f"{int(c['n_not_converged'])} not converged, {int(c['n_inadmissible'])} inadmissible, "
            f"{int(c['n_unscorable'])} unscorable; tables: " + ", ".join(f"{k} {len(v)}" for k, v in tables.items()))
    return [_row(section="demo", case=f"demo survey, {len(survey)} respondents", n=len(survey),
                 method=f"acsi bootstrap, {n_jobs} joblib workers, BCa, aggregates", replicates=n_boot * n_units,
                 seconds=t_boot, replicates_per_second=n_boot * n_units / t_boot, note=note),
            _row(section="demo", case=f"demo survey, {len(survey)} respondents", n=len(survey),
                 method="fit + bootstrap end to end", replicates=n_boot * n_units, seconds=t_fit + t_boot,
                 note="acsi.fit (semopy per unit) then 1,000 replicates per unit")]


# ------------------------------------------------------------------------------------ section 3
_MEMORY_CHILD = r"""
import json, resource, time, tracemalloc, sys
import numpy as np, pandas as pd
sys.path.insert(0, {bench_dir!r})
import acsi
from bench_bootstrap import simulate
from acsi.estimate.ml import sem_result_from_cov
from acsi.estimate.mlfast import RamModel, fit_covariances, start_values
tracemalloc.start()
spec = acsi.load_model("acsi")
model = RamModel(spec)
n_units, n_per = 400, 2500
t0 = time.perf_counter()
# the survey: 1,000,000 rows x 15 items (plus company), generated unit by unit
frames = []
for u in range(n_units):
    d = simulate(spec, n_per, seed=u)
    d.insert(0, "company", f"c{{u:03d}}")
    frames.append(d)
survey = pd.concat(frames, ignore_index=True)
del frames
t_gen = time.perf_counter() - t0
t0 = time.perf_counter()
# sufficient statistics per unit: n, item means, covariance (denominator n)
items = list(spec.item_ids)
X = survey[items].to_numpy(dtype=float)
codes, uniq = pd.factorize(survey["company"])
n = np.bincount(codes).astype(float)
S = np.empty((len(uniq), len(items), len(items)))
for g in range(len(uniq)):
    Xg = X[codes == g]
    Xc = Xg - Xg.mean(axis=0)
    S[g] = Xc.T @ Xc / len(Xg)
t_stats = time.perf_counter() - t0
t0 = time.perf_counter()
start = start_values(model, S.mean(axis=0))
bf = fit_covariances(model, S, start)
t_fit = time.perf_counter() - t0
t0 = time.perf_counter()
results = [sem_result_from_cov(model, S[g], int(n[g]), start=bf.theta[g]) for g in range(len(uniq))]
t_tables = time.perf_counter() - t0
cur, peak = tracemalloc.get_traced_memory()
print(json.dumps(dict(rows=len(survey), units=len(uniq), converged=int(bf.converged.sum()),
                      t_gen=t_gen, t_stats=t_stats, t_fit=t_fit, t_tables=t_tables,
                      peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      peak_tracemalloc_mb=peak / 2**20)))
"""


_CORE_CHILD = r"""
import json, resource, time, sys, warnings
import pandas as pd
sys.path.insert(0, {bench_dir!r})
import acsi
from bench_bootstrap import simulate
spec = acsi.load_model("acsi")
frames = []
for u in range(400):
    d = simulate(spec, 2500, seed=u)
    d.insert(0, "company", f"c{{u:03d}}")
    frames.append(d)
survey = pd.concat(frames, ignore_index=True)
del frames
t0 = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    fit = acsi.fit(survey, spec, unit="company", n_jobs=2, progress=False, pooled=False)
t_fit = time.perf_counter() - t0
ok = int((fit.units["status"] != "failed").sum())
print(json.dumps(dict(rows=len(survey), t_fit=t_fit, units_ok=ok,
                      peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      peak_rss_children_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)))
"""


def memory_core() -> list[dict]:
    """The core path for comparison: ``acsi.fit`` (semopy per unit, 2 joblib workers) on the same survey."""
    code = _CORE_CHILD.format(bench_dir=str(Path(__file__).parent))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    note = (f"acsi.fit(survey, 'acsi', unit='company', n_jobs=2, pooled=False): {r['units_ok']} units estimated; "
            f"peak RSS of the largest worker {r['peak_rss_children_mb']:.0f} MB")
    return [_row(section="memory_core", case="1,000,000 respondents", n=r["rows"],
                 method="acsi.fit (semopy per unit, 2 workers)", replicates=400, seconds=r["t_fit"],
                 peak_rss_mb=r["peak_rss_mb"], note=note)]


def constraints(n: int, n_boot: int, n_semopy: int) -> list[dict]:
    import semopy

    from bench_fit import CONSTRAINED

    nonlinear = CONSTRAINED.replace("a == 2*b", "c == a*b")
    spec = acsi.load_model("acsi")
    syntax = spec.to_lavaan()
    data = simulate(spec, n, seed=n)
    data.insert(0, "company", "X")
    items = list(spec.item_ids)
    rng = np.random.default_rng(3)
    frames = [data[items].iloc[rng.integers(0, n, n)] for _ in range(n_semopy)]
    t = time.perf_counter()
    for f in frames:
        semopy.Model(syntax).fit(f)
    base = len(frames) / (time.perf_counter() - t)
    case = f"one company, n = {n}"
    rows = [_row(section="constraints", case=case, n=n, method="semopy plain loop, unconstrained ACSI model",
                 replicates=len(frames), replicates_per_second=base, ratio_vs_plain_semopy=1.0)]
    for label, text in (("unconstrained ACSI model (the same run)", None),
                        ("equal loadings, a == 2*b, ind := b*d", CONSTRAINED), ("nonlinear c == a*b, ind := b*d", nonlinear)):
        cspec = spec if text is None else acsi.parse_lavaan(text, name="constrained", headline="CS", scale=(1, 10))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = acsi.fit(data, cspec, unit="company", options={"engine": "mlfast"})
        t = time.perf_counter()
        boot = bs.bootstrap(fit, n_boot=n_boot, seed=1, bca=False, failed="keep")
        dt = time.perf_counter() - t
        used = int(boot.counts["n_used"].iloc[0]) if "n_used" in boot.counts else n_boot
        rows.append(_row(section="constraints", case=case, n=n, method=f"acsi bootstrap, {label}", replicates=n_boot,
                         seconds=dt, replicates_per_second=n_boot / dt, ratio_vs_plain_semopy=(n_boot / dt) / base,
                         note=f"{used} replicates used"))
    return rows


def memory() -> list[dict]:
    code = _MEMORY_CHILD.format(bench_dir=str(Path(__file__).parent))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    note = (f"{r['units']} companies x 2,500; simulate {r['t_gen']:.1f} s, sufficient statistics {r['t_stats']:.1f} s, "
            f"batched fit of all units {r['t_fit']:.2f} s ({r['converged']} converged), full result tables "
            f"{r['t_tables']:.1f} s; peak includes the 1M-row DataFrame")
    return [_row(section="memory", case="1,000,000 respondents", n=r["rows"],
                 method="fit per unit from sufficient statistics (mlfast)", replicates=r["units"],
                 seconds=r["t_stats"] + r["t_fit"] + r["t_tables"], peak_rss_mb=r["peak_rss_mb"],
                 peak_tracemalloc_mb=r["peak_tracemalloc_mb"], note=note)]


def main(argv: list[str]) -> None:
    sections = argv or ["one_company", "unit_fit", "constraints", "demo", "memory", "memory_core"]
    rows = []
    if "one_company" in sections:
        rows += one_company(250, n_boot=1000, n_semopy=50, n_tight=10)
        rows += one_company(2500, n_boot=1000, n_semopy=30, n_tight=5)
    if "unit_fit" in sections:
        rows += unit_fit(250, repeat=15)
        rows += unit_fit(2500, repeat=7)
    if "constraints" in sections:
        rows += constraints(250, n_boot=500, n_semopy=30)
    if "demo" in sections:
        rows += demo()
    if "memory" in sections:
        rows += memory()
    if "memory_core" in sections:
        rows += memory_core()
    new = pd.DataFrame(rows, columns=COLUMNS)
    new["machine"] = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    if OUT.exists() and argv:  # partial run: replace only the sections that were run
        old = pd.read_csv(OUT)
        new = pd.concat([old.loc[~old["section"].isin(sections)], new], ignore_index=True)
    new.to_csv(OUT, index=False)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 60):
        print(new.drop(columns=["note", "machine"]).to_string(index=False))
    print(f"\nwrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1:])
