"""The toolkit commands (:mod:`acsi.methods`): ``ahp``, ``kano``, ``ipa``, ``sample-size``, ``nps``.

* ``ahp MATRIX.csv`` - weights and consistency of a pairwise-comparison matrix
  (first column and header row name the items);
* ``kano ANSWERS.csv`` - Kano categories from long answers (columns
  ``attribute, functional, dysfunctional``, names configurable), optional
  ``--out`` Better-Worse plot;
* ``ipa TABLE.csv`` - quadrants from columns ``attribute, importance,
  performance``, optional ``--out fig.png``;
* ``sample-size --margin 0.05 [--p 0.5 | --sd S] [--population N]``;
* ``nps FILE --column c`` - NPS of one column of a CSV file.

Each prints a table; errors go to the one handler of :func:`acsi.cli.main`.
"""

from __future__ import annotations

import sys

__all__ = ["register"]


def _print(obj) -> None:
    import pandas as pd

    with pd.option_context("display.width", 120, "display.max_columns", 30):
        print(obj.to_string())


def _figure_file(text: str) -> str:
    """``--out fig.png``: a file name whose extension is a figure format, refused before the work."""
    import argparse
    from pathlib import Path

    formats = (".png", ".pdf", ".svg", ".jpg", ".jpeg", ".eps", ".ps", ".tif", ".tiff", ".webp")
    if Path(text).suffix.lower() not in formats:
        raise argparse.ArgumentTypeError(f"{text!r} is not a figure file; give a name ending in "
                                         f"{', '.join(formats[:3])} (or {', '.join(formats[3:])})")
    return text


def _columns(data, path: str, command: str, columns) -> None:
    from ..errors import MethodError

    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise MethodError(f"{command}: columns {missing} not found in {path}; it has {list(data.columns)}.")


def _ahp(args) -> int:
    import warnings

    from ..errors import ConsistencyWarning
    from ..methods.ahp import ahp, read_matrix
    from ..tables import require_file

    matrix = read_matrix(require_file(args.matrix))  # numbers or fractions such as 1/3
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConsistencyWarning)
        res = ahp(matrix)
    _print(res.table())
    print()
    _print(res.summary())
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    return 0


def _kano(args) -> int:
    from ..data import read_table
    from ..methods.kano import kano_from_long, kano_plot

    data = read_table(args.answers)
    table = kano_from_long(data, attribute=args.attribute_column, functional=args.functional_column,
                           dysfunctional=args.dysfunctional_column)
    _print(table)
    if args.out:
        kano_plot(table).savefig(args.out, dpi=150, bbox_inches="tight")
        print(f"wrote {args.out}")
    return 0


def _ipa(args) -> int:
    import pandas as pd

    from ..data import read_table
    from ..methods.ipa import ipa, ipa_plot

    data = read_table(args.table)
    _columns(data, args.table, "ipa", (args.attribute_column, args.importance_column, args.performance_column))
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


def _sample_size(args) -> int:
    from ..methods.sampling import sample_size_mean, sample_size_proportion

    if args.sd is not None:
        res = sample_size_mean(args.sd, args.margin, confidence=args.confidence, population=args.population)
    else:
        res = sample_size_proportion(args.p, args.margin, confidence=args.confidence, population=args.population)
    _print(res.to_series())
    return 0


def _nps(args) -> int:
    from ..data import read_table
    from ..methods.metrics import nps

    data = read_table(args.file)
    if args.column not in data.columns:
        from ..errors import MethodError

        raise MethodError(f"nps: column {args.column!r} not found in {args.file}; it has {list(data.columns)}.")
    _print(nps(data[args.column]))
    return 0


def register(sub) -> None:
    """Add the toolkit commands to an ``argparse`` subparsers object."""
    p = sub.add_parser("ahp", help="AHP weights and consistency ratio of a pairwise-comparison matrix",
                       description="Weights (principal eigenvector), lambda_max, CI and CR of a CSV matrix "
                                   "whose first column and header row name the items.")
    p.add_argument("matrix", help="CSV file: square positive reciprocal matrix with item names")
    p.set_defaults(func=_ahp)

    for name, func, what, table, columns, figure in (
        ("kano", _kano, ("Kano categories and Better/Worse coefficients",
                         "Classify long Kano answers (one row per respondent and attribute)."),
         "answers", ("attribute", "functional", "dysfunctional"), "the Better-Worse plot"),
        ("ipa", _ipa, ("importance-performance quadrants (四分圖)",
                       "Quadrants A-D from a CSV with attribute, importance and performance columns."),
         "table", ("attribute", "importance", "performance"), "the quadrant chart"),
    ):
        p = sub.add_parser(name, help=what[0], description=what[1])
        p.add_argument(table, help=f"CSV file with {', '.join(columns)} columns")
        for col in columns:
            p.add_argument(f"--{col}-column", default=col)
        if name == "ipa":
            for col in ("importance", "performance"):
                p.add_argument(f"--{col}-cut", type=float, default=None, help="cut point (default: the mean)")
            p.add_argument("--lang", choices=("en", "zh"), default="en")
        p.add_argument("--out", type=_figure_file, help=f"write {figure} to this file (png, pdf, svg)")
        p.set_defaults(func=func)

    p = sub.add_parser("sample-size", help="sample size for a proportion or a mean",
                       description="Cochran's sample size with optional finite-population correction; "
                                   "n is the ceiling (385 for +-5%% at 95%%).")
    p.add_argument("--margin", type=float, required=True, help="margin of error (0.05 = +-5 points for a proportion)")
    p.add_argument("--p", type=float, default=0.5, help="anticipated proportion (default 0.5)")
    p.add_argument("--sd", type=float, default=None, help="anticipated standard deviation: size for a mean instead")
    p.add_argument("--confidence", type=float, default=0.95)
    p.add_argument("--population", type=int, default=None, help="population size N (finite-population correction)")
    p.set_defaults(func=_sample_size)

    p = sub.add_parser("nps", help="Net Promoter Score of a 0-10 column",
                       description="NPS = %% promoters (9-10) - %% detractors (0-6).")
    p.add_argument("file", help="CSV file")
    p.add_argument("--column", required=True, help="column with 0-10 answers")
    p.set_defaults(func=_nps)
