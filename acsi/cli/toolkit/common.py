"""What every toolkit command shares: its arguments, their types, and the one way a command runs.

A command parses its arguments into the options of one analysis of
:mod:`acsi.methods.analyses` and calls :func:`execute`, which runs it, prints its summary
(warnings on stderr as ``warning: ...``) and, with ``--out DIR``, writes its tables (CSV and
Parquet), its figure and ``<analysis>_manifest.json`` through :mod:`acsi.tables`.  The
library checks every option value (:mod:`acsi.options`); errors reach the one handler of
:func:`acsi.cli.main`.

Metavars say what an option takes (the generic option test relies on them): ``FILE`` an
input file, ``DIR`` an output folder, ``COL`` one column, ``COLS`` comma-separated columns
(``*`` and ``?`` patterns allowed), ``GROUP`` ``name=col1,col2``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["EXAMPLES", "FIGURE_FORMATS", "add_confidence", "add_file", "add_outputs", "add_by", "add_weight",
           "add_tail", "execute", "figure_file", "group", "leaf", "number_list", "runs"]

#: Figure formats by extension (as :data:`acsi.methods.analyses.FIGURE_FORMATS`; kept here so that
#: ``acsi --help`` does not import the library).
FIGURE_FORMATS = (".png", ".pdf", ".svg")
EXAMPLES = "examples:\n"
DATA_HELP = "data file: .csv/.tsv (optionally compressed), .xlsx, .parquet, .sav or .dta"


def figure_file(text: str) -> Path:
    """``--figure`` value: a file name ending in .png, .pdf or .svg."""
    p = Path(text)
    if p.suffix.lower() not in FIGURE_FORMATS:
        raise argparse.ArgumentTypeError(f"cannot tell the figure format of {text!r} from its extension; "
                                         f"use {', '.join(FIGURE_FORMATS)}")
    return p


def number_list(count: int | None = None, *, integer: bool = False):
    """An argparse type for comma-separated numbers (``1,5``), ``count`` of them when given."""
    def parse(text: str):
        try:
            vals = [int(v) if integer else float(v) for v in text.split(",") if v.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected comma-separated {'whole ' if integer else ''}numbers "
                                             f"such as 1,5; got {text!r}") from None
        if count is not None and len(vals) != count:
            raise argparse.ArgumentTypeError(f"expected {count} comma-separated numbers; got {text!r}")
        return vals

    parse.__name__ = "numbers"
    return parse


def group(sub, name: str, help: str, description: str, dest: str):
    """A command with sub-commands (``acsi metrics nps``); returns the sub-command adder."""
    p = sub.add_parser(name, help=help, description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    return p.add_subparsers(dest=dest, metavar="METHOD", required=True, parser_class=type(p))


def leaf(sub, name: str, help: str, description: str, examples: list[str], func):
    """A runnable command with its ``--help`` examples; ``func(args)`` runs it."""
    epilog = EXAMPLES + "\n".join(f"  {e}" for e in examples)
    p = sub.add_parser(name, help=help, description=description, epilog=epilog,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=func)
    return p


def add_file(p, help: str = DATA_HELP, *, optional: bool = False) -> None:
    """The input file (positional ``FILE``)."""
    if optional:
        p.add_argument("file", metavar="FILE", nargs="?", default=None, help=help + " (optional)")
    else:
        p.add_argument("file", metavar="FILE", help=help)


def add_weight(p) -> None:
    p.add_argument("--weight", metavar="COL", default=None, help="survey-weight column (weighted estimates and intervals)")


def add_confidence(p) -> None:
    p.add_argument("--confidence", type=float, default=None, help="level of the intervals, in (0, 1) (default 0.95)")


def add_by(p, *, repeat: bool = False) -> None:
    if repeat:
        p.add_argument("--by", metavar="COLS", action="append", default=None,
                       help="stratum column(s): each --by gives its own table; 'a,b' crosses two columns")
    else:
        p.add_argument("--by", metavar="COLS", default=None,
                       help="also per stratum of these columns (everyone first, then each stratum)")


def add_tail(p, *, weight: bool = True, confidence: bool = True, figure: bool = False) -> None:
    """``--weight``, ``--confidence`` and the output options (with a figure: ``--figure``, ``--lang``)."""
    if weight:
        add_weight(p)
    if confidence:
        add_confidence(p)
    add_outputs(p, figure=figure, lang=figure)


def add_outputs(p, *, figure: bool, lang: bool = True) -> None:
    """``--out DIR``, ``--format``, and with a figure ``--figure FILE``, ``--no-figure``, ``--lang``."""
    g = p.add_argument_group("output")
    g.add_argument("--out", metavar="DIR", default=None,
                   help="write the tables (CSV and Parquet), the figure and the manifest into this folder")
    g.add_argument("--format", choices=("both", "csv", "parquet"), default=None, help="table format with --out (default both)")
    if figure:
        g.add_argument("--figure", metavar="FILE", type=figure_file, default=None,
                       help="write the figure to this file (.png, .pdf, .svg); with --out default DIR/<analysis>.png")
        g.add_argument("--no-figure", action="store_true", help="do not draw the figure")
    if lang:
        g.add_argument("--lang", choices=("en", "zh"), default="en", help="language of labels and figure (default en)")


def _figure_lang(lang: str) -> str:
    """The figure's language: Chinese needs a CJK font, else English with a warning (the report's rule,
    :func:`acsi.report.fonts.figure_lang`); the tables keep the language asked for."""
    if lang != "zh":
        return lang
    import warnings

    from ...report.fonts import figure_lang

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = figure_lang(lang)
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    return out


def _font(lang: str):
    from contextlib import nullcontext

    if lang != "zh":
        return nullcontext()
    from ...report.fonts import font_context

    return font_context("zh")


def runs(analysis: str, *options: str, data: str | None = None, **computed):
    """A command's function: run ``analysis`` with the arguments of the same names as its options
    (``computed``: option -> ``f(args)`` for the others); ``data`` names the input argument (default ``file``)."""
    def func(args) -> int:
        opts = {o: getattr(args, o) for o in options}
        opts.update({k: f(args) for k, f in computed.items()})
        return execute(args, analysis, opts, data=getattr(args, data) if data else None)

    func.__name__ = f"run_{analysis}"
    return func


def execute(args, name: str, options: dict, *, data=None) -> int:
    """Run analysis ``name`` on ``data`` (default ``args.file``) with ``options`` (None values dropped), print, save."""
    from ...errors import InvalidParameterError
    from ...methods.analyses import run_analysis

    out = getattr(args, "out", None)
    fig = getattr(args, "figure", None)
    if getattr(args, "format", None) is not None and out is None:
        raise InvalidParameterError("--format is the format of the tables written with --out DIR; give --out or drop "
                                    "--format")
    if fig is not None and getattr(args, "no_figure", False):
        raise InvalidParameterError("--figure and --no-figure contradict each other; give one")
    formats = {"both": ("csv", "parquet"), "csv": ("csv",), "parquet": ("parquet",)}[getattr(args, "format", None) or "both"]
    source = getattr(args, "file", None) if data is None else data
    lang = getattr(args, "lang", "en") or "en"
    res = run_analysis(name, source, **{k: v for k, v in options.items() if v is not None})
    print(res.summary().as_text())
    for w in res.warnings:
        print(f"warning: {w}", file=sys.stderr)
    draws = res.has_figure and not getattr(args, "no_figure", False) and (out is not None or fig is not None)
    lang = _figure_lang(lang) if draws else lang
    with _font(lang):
        if out is not None:
            paths = res.save(out, formats=formats, lang=lang,
                             figure=False if getattr(args, "no_figure", False) else (fig.resolve() if fig else True))
            print(f"\nwrote {len(paths)} files to {Path(out).resolve()}: " + ", ".join(p.name for p in paths))
        elif fig is not None:
            if not res.has_figure:
                from ...errors import MethodError

                raise MethodError(f"{name}: this result has no figure to draw; drop --figure.")
            fig.parent.mkdir(parents=True, exist_ok=True)
            res.figure(lang).savefig(fig, dpi=150, bbox_inches="tight")
            print(f"wrote {fig.resolve()}")
    return 0
