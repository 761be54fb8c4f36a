"""What writing a results folder whole costs (issue 16): ``FitResult.save`` against plain writes.

``FitResult.save`` writes into a hidden sibling, flushes every file to disk (fsync), writes the
manifest (size and SHA-256 of every file) and swaps the folder into place
(:func:`acsi.tables.staged_output`).  The baseline writes the same tables, texts and manifest
straight into the folder (:func:`acsi.tables.write_tables` + :func:`acsi.tables.write_manifest`,
what ``save`` did before issue 16), in the same run, on the same fit: the demo survey (120
company-quarters), and a bigger survey (the demo four times over: the scores table dominates).
``load_results`` is timed with and without the manifest check.  Round robin, median of 5 rounds,
wall-clock time (the writes are I/O).  Run: ``python benchmarks/bench_save.py``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

import acsi
from acsi.tables import write_manifest, write_tables

ROUNDS = 5
OUT = Path(__file__).parent / "results" / "save.csv"


def plain_save(fit, out: Path) -> None:
    """The same files, written in place without staging, flushing or swapping."""
    out.mkdir(parents=True, exist_ok=True)
    paths = write_tables(out, fit.tables())
    for name, text in {"summary.txt": fit.summary().as_text() + "\n", "model.toml": fit.spec.to_toml(),
                       "model.lav": fit.spec.to_lavaan()}.items():
        (out / name).write_text(text, encoding="utf-8")
        paths.append(out / name)
    write_manifest(out, "manifest.json", "fit", fit.manifest(), paths)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    warnings.simplefilter("ignore")
    survey = acsi.demo_survey()
    cases = {"demo": survey, "demo x4": pd.concat([survey] * 4, ignore_index=True)}
    rows = []
    for name, data in cases.items():
        fit = acsi.fit(data, "acsi", unit="company", weight="weight", n_jobs=1, progress=False)
        work = Path(tempfile.mkdtemp(prefix="acsi-bench-save-"))
        try:
            times = {"plain": [], "staged": [], "load verified": [], "load unverified": []}
            for r in range(ROUNDS):
                shutil.rmtree(work / "plain", ignore_errors=True)
                times["plain"].append(timed(lambda: plain_save(fit, work / "plain")))
                times["staged"].append(timed(lambda: fit.save(work / "staged")))  # replaces the previous round's
                times["load verified"].append(timed(lambda: acsi.load_results(work / "staged")))
                times["load unverified"].append(timed(lambda: acsi.load_results(work / "staged", verify=False)))
            size = sum(p.stat().st_size for p in (work / "staged").iterdir())
        finally:
            shutil.rmtree(work, ignore_errors=True)
        med = {k: statistics.median(v) for k, v in times.items()}
        rows.append({"case": name, "respondents": len(data), "units": len(fit.indexes), "folder_mb": size / 1e6,
                     "plain_s": med["plain"], "staged_s": med["staged"], "staged_over_plain": med["staged"] / med["plain"],
                     "load_verified_s": med["load verified"], "load_unverified_s": med["load unverified"],
                     "verify_over_unverified": med["load verified"] / med["load unverified"],
                     "load_avg_1min": os.getloadavg()[0]})
        print(rows[-1])
    OUT.parent.mkdir(exist_ok=True)
    pd.DataFrame(rows).to_csv(OUT, index=False, float_format="%.4g")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
