"""Profile summaries: where ``acsi.fit`` and the bootstrap spend their time.

Writes the top functions by cumulative time (cProfile, BLAS limited to one thread) for

* a one-unit ``acsi.fit`` at n = 250 and n = 25,000 (the default engine, pooled default);
* a 120-unit run (30 companies x 4 quarters x 250 respondents, ``acsi.simulate``);
* a 200-replicate SEM bootstrap of one unit at n = 250;

to ``benchmarks/results/profile_fit.txt`` and ``profile_bootstrap.txt``::

    python benchmarks/profile_fit.py [--top 30] [--out-dir benchmarks/results]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from pathlib import Path

import acsi
from acsi.simulate import simulate_survey

OUT = Path(__file__).parent / "results"


def _profile(title: str, fn, top: int, repeat: int = 1) -> str:
    fn()  # warm-up: imports and caches are not what we look for
    prof = cProfile.Profile()
    t0 = time.process_time()
    prof.enable()
    for _ in range(repeat):
        fn()
    prof.disable()
    cpu = (time.process_time() - t0) / repeat
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("cumulative").print_stats(top)
    body = buf.getvalue()
    body = body[body.find("   ncalls"):] if "   ncalls" in body else body
    return f"## {title}\n\nCPU per call (profiled, so slower than unprofiled): {cpu * 1000:.1f} ms; {repeat} call(s)\n\n{body}\n"


def main(argv=None) -> None:
    from threadpoolctl import threadpool_limits

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--out-dir", default=str(OUT))
    ap.add_argument("--small", action="store_true", help="small sizes (the test suite's smoke run)")
    args = ap.parse_args(argv)
    threadpool_limits(1)
    spec = acsi.load_model("acsi")
    sizes = (250,) if args.small else (250, 25_000)
    parts = ["# Profile of acsi.fit (cProfile, cumulative time, OPENBLAS 1 thread; shared 2-core machine)\n"]
    for n in sizes:
        one = simulate_survey(spec, units=1, n_per_unit=n, periods=1, seed=1, missing_code_rate=0.0)
        parts.append(_profile(f"one unit, n = {n}: acsi.fit(data, 'acsi', unit=None)",
                              lambda: acsi.fit(one, spec, unit=None, progress=False), args.top,
                              repeat=10 if n <= 2500 else 3))
    companies = 3 if args.small else 30
    many = simulate_survey(spec, units=companies, n_per_unit=250, periods=4, seed=2)
    parts.append(_profile(f"{companies * 4} units x 250: acsi.fit(data, 'acsi', unit='company')",
                          lambda: acsi.fit(many, spec, unit="company", weight="weight", progress=False), args.top))
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "profile_fit.txt").write_text("\n".join(parts))

    one = simulate_survey(spec, units=1, n_per_unit=250, periods=1, seed=3, missing_code_rate=0.0)
    f = acsi.fit(one, spec, unit="company", progress=False)
    reps = 20 if args.small else 200
    boot = _profile(f"bootstrap of one unit, n = 250, {reps} replicates: fit.bootstrap(n_boot={reps}, seed=1)",
                    lambda: f.bootstrap(n_boot=reps, seed=1), args.top)
    (out / "profile_bootstrap.txt").write_text("# Profile of acsi.bootstrap (cProfile, cumulative)\n\n" + boot)


if __name__ == "__main__":
    main()
