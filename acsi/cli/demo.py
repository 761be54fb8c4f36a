"""``acsi demo [--out DIR]``: fit, aggregate and report the bundled synthetic national survey."""

from __future__ import annotations

__all__ = ["register", "run"]


def register(sub):
    d = sub.add_parser("demo", help="fit, aggregate and report the bundled synthetic national survey",
                       description="The whole pipeline on the bundled synthetic survey: fit per company and quarter, "
                                   "aggregate by sales weight, write every table, the figures and report.html.")
    d.add_argument("--out", default="demo-out", help="output directory (default: demo-out)")
    d.add_argument("--jobs", type=int, default=-1, help="parallel workers (default: all cores)")
    d.add_argument("--no-report", action="store_true", help="skip the HTML report")
    d.add_argument("--quiet", action="store_true", help="no progress bar")
    d.add_argument("--lang", choices=["en", "zh"], default="en", help="report language")
    d.add_argument("--published", default=None, metavar="CSV",
                   help="CSV of a published national series (period,national_index) to draw in the report")
    d.set_defaults(func=run)
    return d


def run(args) -> int:
    from pathlib import Path

    from ..demo import run_demo

    if getattr(args, "steps", None) is not None:  # the demo folder is written whole or not at all
        args.steps.unchanged = str(Path(args.out).resolve())
    return run_demo(args.out, n_jobs=args.jobs, report=not args.no_report, quiet=args.quiet,
                    published=args.published, lang=args.lang)
