"""Benchmark: peak memory (RSS) of ``acsi.fit`` on a large survey, against Python with the same data.

Each case runs in a fresh subprocess under ``/usr/bin/time -v`` (GNU time: "Maximum resident set
size"), so the peak is that of the whole process from start to end:

* ``baseline``: ``import acsi, numpy, pandas`` and making the same survey (what any analysis of it
  holds at least);
* ``one unit``: ``acsi.fit(data, "acsi", unit=None)``, every respondent one unit;
* ``companies``: ``acsi.fit(data, "acsi", unit="company")`` with ``--companies`` companies of
  equal size (400 × 2,500 = 1,000,000 by default).

The survey is ``bench_fit.simulate`` (the ACSI model's 14 items, answers 1-10) with a company
column; BLAS runs on one thread.  The rows are appended to ``benchmarks/results/memory.csv``
(peak RSS in MB, the baseline of the same run beside it)::

    python benchmarks/bench_memory.py --label after
    python benchmarks/bench_memory.py --n 2000 --companies 4 --out /tmp/memory.csv   # smoke size

``--source DIR`` measures another version of the code: ``DIR`` holds an importable ``acsi``
package (``PYTHONPATH`` is not enough: an editable install's import hook comes first)::

    mkdir /tmp/old && git archive 1664721 acsi models | tar -x -C /tmp/old && mv /tmp/old/models /tmp/old/acsi/
    python benchmarks/bench_memory.py --source /tmp/old --label "before (1664721)"
"""

from __future__ import annotations

import argparse
import csv
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "memory.csv"
FIELDS = ["label", "case", "n", "units", "peak_rss_mb", "baseline_rss_mb", "over_baseline_mb", "seconds",
          "python", "machine"]

#: Put the acsi package of another source tree first (the editable install's finder removed).
_SOURCE = """
import sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in (type(f).__name__ + str(getattr(f, "__module__", ""))).lower()]
sys.path.insert(0, {source!r})
"""

_MAKE = """
import sys, warnings
sys.path.insert(0, {bench!r})
from threadpoolctl import threadpool_limits
threadpool_limits(1)
import numpy, pandas, acsi
from bench_fit import simulate
spec = acsi.load_model("acsi")
n, companies = {n}, {companies}
data = simulate(spec, n)
data["company"] = numpy.repeat([f"c{{k:03d}}" for k in range(companies)], -(-n // companies))[:n]
warnings.simplefilter("ignore")
"""

CASES = {
    "baseline": "",
    "one unit": "fit = acsi.fit(data, spec, unit=None)\nassert fit.pooled is not None and fit.pooled.n == n\n",
    "companies": "fit = acsi.fit(data, spec, unit='company')\nassert len(fit.units) == companies\n",
}
_CHECK = "\nimport acsi, os\nassert os.path.dirname(os.path.dirname(acsi.__file__)) == os.path.abspath({source!r}), acsi.__file__\n"


def peak_rss_mb(code: str) -> tuple[float, float]:
    """Peak RSS (MB) and wall seconds of ``python -c code`` in a fresh process (GNU time -v)."""
    t = time.perf_counter()
    run = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-c", code], capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if run.returncode != 0:
        raise RuntimeError(f"the measured process failed ({run.returncode}):\n{run.stderr[-3000:]}")
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr)
    if not found:
        raise RuntimeError("GNU time gave no 'Maximum resident set size': is /usr/bin/time GNU time?")
    return int(found.group(1)) / 1024, seconds


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="respondents")
    ap.add_argument("--companies", type=int, default=400, help="companies of the 'companies' case")
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(CASES))
    ap.add_argument("--label", default="after")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--source", help="a directory holding another version's acsi package, measured instead")
    args = ap.parse_args(argv)
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        ap.error(f"unknown case(s) {unknown}; cases are {list(CASES)}")
    make = _MAKE.format(bench=str(HERE), n=args.n, companies=args.companies)
    if args.source:
        make = _SOURCE.format(source=args.source) + make + _CHECK.format(source=args.source)
    base, _ = peak_rss_mb(make)
    rows = []
    for case in ["baseline"] + [c for c in cases if c != "baseline"]:
        mb, sec = (base, float("nan")) if case == "baseline" else peak_rss_mb(make + CASES[case])
        rows.append({"label": args.label, "case": case, "n": args.n,
                     "units": {"baseline": 0, "one unit": 1}.get(case, args.companies),
                     "peak_rss_mb": round(mb, 1), "baseline_rss_mb": round(base, 1),
                     "over_baseline_mb": round(mb - base, 1), "seconds": round(sec, 2),
                     "python": platform.python_version(), "machine": f"{platform.machine()} (shared 2-core sandbox)"})
        print(f"{case:10s} n={args.n:>9,d} peak RSS {mb:8.1f} MB (baseline {base:.1f} MB, +{mb - base:.1f} MB)")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    new = not out.exists()
    with out.open("a", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        if new:
            w.writeheader()
        w.writerows(rows)
    return rows


if __name__ == "__main__":
    main()
