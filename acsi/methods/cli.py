"""Command-line subcommands of the toolkit; hooked into ``acsi`` by :mod:`acsi.cli`.

``register(subparsers)`` adds:

* ``ahp MATRIX.csv`` - weights and consistency of a pairwise-comparison matrix
  (first column and header row name the items);
* ``kano ANSWERS.csv`` - Kano categories from long answers (columns
  ``attribute, functional, dysfunctional``, names configurable), optional
  ``--out`` Better-Worse plot;
* ``ipa TABLE.csv`` - quadrants from columns ``attribute, importance,
  performance``, optional ``--out fig.png``;
* ``sample-size --margin 0.05 [--p 0.5 | --sd S] [--population N]``;
* ``nps FILE --column c`` - NPS of one column of a CSV file.

Each handler prints a table and returns 0, or prints the error to stderr and
returns 2 on invalid input (any :class:`acsi.errors.AcsiError`, missing file).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pandas as pd

from ..errors import AcsiError, ConsistencyWarning

__all__ = ["register"]


def _read_csv(path: str, **kw) -> pd.DataFrame:
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"file not found: {path}")
    return pd.read_csv(p, **kw)


def _run(func):
    def wrapper(args) -> int:
        try:
            return func(args)
        except (AcsiError, FileNotFoundError, KeyError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            print(f"error: {msg}", file=sys.stderr)
            return 2
    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def _print(obj) -> None:
    with pd.option_context("display.width", 120, "display.max_columns", 30):
        print(obj.to_string())


@_run
def _cmd_ahp(args) -> int:
    from .ahp import ahp, read_matrix

    matrix = read_matrix(args.matrix)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConsistencyWarning)
        res = ahp(matrix)
    _print(res.table())
    print()
    _print(res.summary())
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    return 0


@_run
def _cmd_kano(args) -> int:
    from .kano import kano_from_long, kano_plot

    data = _read_csv(args.answers)
    table = kano_from_long(data, attribute=args.attribute_column, functional=args.functional_column,
                           dysfunctional=args.dysfunctional_column)
    _print(table)
    if args.out:
        kano_plot(table).savefig(args.out, dpi=150, bbox_inches="tight")
        print(f"wrote {args.out}")
    return 0


@_run
def _cmd_ipa(args) -> int:
    from .ipa import ipa, ipa_plot

    data = _read_csv(args.table)
    missing = [c for c in (args.attribute_column, args.importance_column, args.performance_column) if c not in data.columns]
    if missing:
        raise AcsiError(f"ipa: columns {missing} not found in {args.table}; it has {list(data.columns)}.")
    idx = data[args.attribute_column].astype(str)
    imp = pd.Series(data[args.importance_column].to_numpy(), index=idx)
    perf = pd.Series(data[args.performance_column].to_numpy(), index=idx)
    cut = (args.importance_cut if args.importance_cut is not None else "mean",
           args.performance_cut if args.performance_cut is not None else "mean")
    table = ipa(imp, perf, cut=cut, labels=args.lang)
    _print(table[["attribute", "importance", "performance", "quadrant", "label", "action"]])
    if args.out:
        ipa_plot(table, lang=args.lang).savefig(args.out, dpi=150, bbox_inches="tight")
        print(f"wrote {args.out}")
    return 0


@_run
def _cmd_sample_size(args) -> int:
    from .sampling import sample_size_mean, sample_size_proportion

    if args.sd is not None:
        res = sample_size_mean(args.sd, args.margin, confidence=args.confidence, population=args.population)
    else:
        res = sample_size_proportion(args.p, args.margin, confidence=args.confidence, population=args.population)
    _print(res.to_series())
    return 0


@_run
def _cmd_nps(args) -> int:
    from .metrics import nps

    data = _read_csv(args.file)
    if args.column not in data.columns:
        raise AcsiError(f"nps: column {args.column!r} not found in {args.file}; it has {list(data.columns)}.")
    _print(nps(data[args.column]))
    return 0


def register(subparsers) -> None:
    """Add the toolkit subcommands to an ``argparse`` subparsers object.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="acsi")
    >>> register(parser.add_subparsers(dest="command"))
    >>> parser.parse_args(["sample-size", "--margin", "0.05"]).margin
    0.05
    """
    p = subparsers.add_parser("ahp", help="AHP weights and consistency ratio of a pairwise-comparison matrix",
                              description="Weights (principal eigenvector), lambda_max, CI and CR of a CSV matrix "
                                          "whose first column and header row name the items.")
    p.add_argument("matrix", help="CSV file: square positive reciprocal matrix with item names")
    p.set_defaults(func=_cmd_ahp)

    p = subparsers.add_parser("kano", help="Kano categories and Better/Worse coefficients",
                              description="Classify long Kano answers (one row per respondent and attribute).")
    p.add_argument("answers", help="CSV file with attribute, functional and dysfunctional columns")
    p.add_argument("--attribute-column", default="attribute")
    p.add_argument("--functional-column", default="functional")
    p.add_argument("--dysfunctional-column", default="dysfunctional")
    p.add_argument("--out", help="write the Better-Worse plot to this file (png, pdf, svg)")
    p.set_defaults(func=_cmd_kano)

    p = subparsers.add_parser("ipa", help="importance-performance quadrants (四分圖)",
                              description="Quadrants A-D from a CSV with attribute, importance and performance columns.")
    p.add_argument("table", help="CSV file with attribute, importance, performance columns")
    p.add_argument("--attribute-column", default="attribute")
    p.add_argument("--importance-column", default="importance")
    p.add_argument("--performance-column", default="performance")
    p.add_argument("--importance-cut", type=float, default=None, help="cut point (default: the mean)")
    p.add_argument("--performance-cut", type=float, default=None, help="cut point (default: the mean)")
    p.add_argument("--lang", choices=("en", "zh"), default="en")
    p.add_argument("--out", help="write the quadrant chart to this file (png, pdf, svg)")
    p.set_defaults(func=_cmd_ipa)

    p = subparsers.add_parser("sample-size", help="sample size for a proportion or a mean",
                              description="Cochran's sample size with optional finite-population correction; "
                                          "n is the ceiling (385 for +-5%% at 95%%).")
    p.add_argument("--margin", type=float, required=True, help="margin of error (0.05 = +-5 points for a proportion)")
    p.add_argument("--p", type=float, default=0.5, help="anticipated proportion (default 0.5)")
    p.add_argument("--sd", type=float, default=None, help="anticipated standard deviation: size for a mean instead")
    p.add_argument("--confidence", type=float, default=0.95)
    p.add_argument("--population", type=int, default=None, help="population size N (finite-population correction)")
    p.set_defaults(func=_cmd_sample_size)

    p = subparsers.add_parser("nps", help="Net Promoter Score of a 0-10 column",
                              description="NPS = %% promoters (9-10) - %% detractors (0-6).")
    p.add_argument("file", help="CSV file")
    p.add_argument("--column", required=True, help="column with 0-10 answers")
    p.set_defaults(func=_cmd_nps)
