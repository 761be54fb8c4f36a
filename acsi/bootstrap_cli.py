"""Command-line hooks for ``acsi fit ... --bootstrap 1000 --seed 7 [--scheduler tcp://host:8786]``.

``acsi/cli.py`` calls :func:`add_arguments` on the ``fit`` sub-parser and, after a fit,
:func:`run_after_fit`, which writes the bootstrap tables next to the fit's own tables.
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_arguments", "run_after_fit"]


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of replicates such as 1000; got {text!r}") from None
    if v < 0 or v == 1:
        raise argparse.ArgumentTypeError(f"--bootstrap needs 0 (off) or at least 2 replicates; got {v}")
    return v


def add_arguments(fit_parser: argparse.ArgumentParser) -> None:
    """Add ``--bootstrap N --seed S --scheduler ADDR --bootstrap-failed --sales FILE``."""
    g = fit_parser.add_argument_group("bootstrap")
    g.add_argument("--bootstrap", type=_positive_int, default=0, metavar="N",
                   help="bootstrap replicates per unit (default 0: no bootstrap)")
    g.add_argument("--seed", type=int, default=None, metavar="S",
                   help="random seed; the same seed gives the same numbers for any --jobs or --scheduler")
    g.add_argument("--scheduler", default=None, metavar="ADDR",
                   help="run the bootstrap on a Dask cluster, e.g. tcp://host:8786 (needs dask[distributed])")
    g.add_argument("--bootstrap-failed", choices=["exclude", "refit", "keep"], default="exclude",
                   help="replicates that fail to converge or are inadmissible: exclude (default), refit with "
                        "another start, or keep the inadmissible ones; always counted in the output")
    g.add_argument("--strata", default=None, metavar="COLUMN",
                   help="also resample within the groups of this survey column inside every unit (e.g. region)")
    g.add_argument("--sales", default=None, metavar="FILE",
                   help="sales weights (company, sales[, period][, industry]): also bootstrap industry, sector "
                        "and national indexes")
    g.add_argument("--window", type=_positive_int, default=4, metavar="K",
                   help="quarters in the national moving average of the bootstrapped aggregates (default 4)")
    g.add_argument("--partial-windows", action="store_true",
                   help="publish national figures before the window is full (flagged)")


def run_after_fit(fit_result, args: argparse.Namespace, out_dir) -> list[Path]:
    """Bootstrap ``fit_result`` when ``args.bootstrap`` > 0 and write ``bootstrap_*.csv`` to ``out_dir``.

    Returns the paths written (empty when no bootstrap was asked for).
    """
    n = int(getattr(args, "bootstrap", 0) or 0)
    if n == 0:
        return []
    from .bootstrap import bootstrap

    weights = None
    if getattr(args, "sales", None):
        from .data import read_survey

        weights = read_survey(args.sales)
    strata = getattr(args, "strata", None)
    if strata and strata not in fit_result.prepared.data.columns and getattr(args, "survey", None):
        # a survey column that the fit did not keep: one value per row of the original file
        from .data import read_survey

        survey = read_survey(args.survey)
        if strata not in survey.columns:
            from .errors import DataError

            raise DataError(f"--strata {strata!r} is not a column of {args.survey}; columns are {list(survey.columns)}")
        strata = survey[strata].to_numpy()
    jobs = getattr(args, "jobs", 1)
    res = bootstrap(
        fit_result, n_boot=n, seed=getattr(args, "seed", None), n_jobs=jobs if jobs else 1,
        scheduler=getattr(args, "scheduler", None), failed=getattr(args, "bootstrap_failed", "exclude"),
        strata=strata, weights=weights,
        aggregate_options={"window": getattr(args, "window", 4),
                           "partial_windows": bool(getattr(args, "partial_windows", False))} if weights is not None else None,
        progress=not getattr(args, "quiet", False),
    )
    paths = res.save(out_dir)
    print(res.summary().as_text())
    print(f"\nwrote {len(paths)} bootstrap files to {Path(out_dir).resolve()} (seed {res.seed})")
    return paths
