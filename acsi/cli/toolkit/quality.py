"""``acsi servqual gaps|zones|servperf``, ``acsi fuzzy``, ``acsi kano``, ``acsi ahp``, ``acsi ipa``, ``acsi ipma``.

``ahp``, ``kano`` and ``ipa`` keep their first form: ``kano``/``ipa --out FIG.png`` still write
the figure (``--out DIR`` writes the tables, the figure and the manifest, as every toolkit command).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import FIGURE_FORMATS, add_file, add_tail, figure_file, group, leaf, number_list, runs

__all__ = ["register"]


def _out_or_figure(text: str) -> Path:
    """``kano``/``ipa --out``: a figure file (.png, .pdf, .svg) as before, or a folder (no extension)."""
    p = Path(text)
    if p.suffix and p.suffix.lower() not in FIGURE_FORMATS and not p.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r}: {p.suffix!r} is not a figure format; give a figure file "
                                         f"({', '.join(FIGURE_FORMATS)}) or a folder name without an extension")
    return p


def _legacy_outputs(p) -> None:
    g = p.add_argument_group("output")
    g.add_argument("--out", metavar="DIR|FIG", type=_out_or_figure, default=None,
                   help="a folder for the tables, figure and manifest; or a figure file (.png, .pdf, .svg) as before")
    g.add_argument("--format", choices=("both", "csv", "parquet"), default=None, help="table format with --out (default both)")
    g.add_argument("--figure", metavar="FILE", type=figure_file, default=None,
                   help="write the figure to this file (.png, .pdf, .svg)")
    g.add_argument("--no-figure", action="store_true", help="do not draw the figure")


def _dimension_args(p, *, weights: bool) -> None:
    p.add_argument("--dimension", metavar="GROUP", action="append", default=None,
                   help="a dimension and its items (perception columns), e.g. tangibles=p1,p2,p3 (repeatable; "
                        "default: the five SERVQUAL dimensions for 22 items)")
    if weights:
        p.add_argument("--dimension-weights", metavar="NAME=W,...", default=None,
                       help="dimension weights for the weighted score, e.g. tangibles=20,reliability=30,... ")
        p.add_argument("--normalize", action="store_true", help="divide the dimension weights by their sum (points of 100)")


_servqual = runs("servqual", "perception", "expectation", "dimension", "dimension_weights", "normalize", "weight",
                 "confidence")
_zones = runs("servqual_zones", "perception", "desired", "adequate", "dimension", "weight", "confidence")
_servperf = runs("servperf", "perception", "dimension", "dimension_weights", "normalize", "weight", "confidence")
_fuzzy = runs("fuzzy", "items", "factor_weights", "item_weights", "grades", "grade_names", "grade_points", "operator",
              "normalize", "normalize_levels", factors=lambda a: a.factor)
_ahp = runs("ahp", data="matrix")
_ipma = runs("ipma", "unit", "target", "driver_column", "importance_column", "performance_column", "cut", "importance_cut",
             "performance_cut", "lang")
_IPA = ("attribute_column", "importance_column", "performance_column", "importance_items", "performance_items", "cut",
        "importance_cut", "performance_cut", "lang")
_KANO = ("attribute_column", "functional_column", "dysfunctional_column", "functional_items", "dysfunctional_items")


def _first_form(func):
    """``kano``/``ipa``: a figure file given as ``--out`` (their first form) becomes ``--figure``."""
    def run(args) -> int:
        out = getattr(args, "out", None)
        if out is not None and out.suffix.lower() in FIGURE_FORMATS:
            args.figure, args.out = out, None
        return func(args)

    return run


_kano = _first_form(runs("kano", *_KANO, data="answers"))
_ipa = _first_form(runs("ipa", *_IPA, data="table"))


def _cuts(p) -> None:
    p.add_argument("--cut", choices=("mean", "median"), default="mean", help="cut points of both axes (default mean)")
    for col in ("importance", "performance"):
        p.add_argument(f"--{col}-cut", type=float, default=None, help=f"{col} cut point (default: --cut)")


def register(sub) -> None:
    """Add ``servqual``, ``fuzzy``, ``kano``, ``ahp``, ``ipa``, ``ipma``."""
    g = group(sub, "servqual", "SERVQUAL: gaps (P - E), zones (zone of tolerance), servperf (perceptions only)",
              "SERVQUAL service quality (Parasuraman, Zeithaml & Berry 1988, 1994) and SERVPERF (Cronin & Taylor "
              "1992), every figure with its interval.", "servqual_method")
    p = leaf(g, "gaps", "SERVQUAL gaps P - E per item and dimension, SQ, P/E ratio",
             "Gaps G = P - E of each item (perception and expectation columns paired by position; items named by "
             "the perception columns), dimension gaps, the unweighted and weighted SERVQUAL score and the ratio "
             "C = P/E, with intervals (weighted with --weight).",
             ["acsi servqual gaps sq.csv --perception 'p_*' --expectation 'e_*' --dimension x=p_s1,p_s2,p_s3 "
              "--dimension y=p_s4,p_s5,p_s6", "acsi servqual gaps sq.csv --perception 'p*' --expectation 'e*' "
              "--dimension-weights tangibles=20,reliability=30,responsiveness=20,assurance=15,empathy=15 --normalize"],
             _servqual)
    add_file(p)
    p.add_argument("--perception", metavar="COLS", required=True, help="perception columns (P), one per item")
    p.add_argument("--expectation", metavar="COLS", required=True, help="expectation columns (E), same order")
    _dimension_args(p, weights=True)
    add_tail(p, figure=True)

    p = leaf(g, "zones", "zone of tolerance: adequacy P - A and superiority P - D",
             "Per item and dimension the zone [adequate, desired], the measure of service adequacy MSA = P - A and "
             "of superiority MSS = P - D with intervals, and where the perception sits (below, within, above).",
             ["acsi servqual zones sq.csv --perception 'p_*' --desired 'd_*' --adequate 'a_*' --dimension all=p_s1,p_s2"],
             _zones)
    add_file(p)
    p.add_argument("--perception", metavar="COLS", required=True, help="perception columns (P)")
    p.add_argument("--desired", metavar="COLS", required=True, help="desired-service columns (D), same order")
    p.add_argument("--adequate", metavar="COLS", required=True, help="adequate-service columns (A), same order")
    _dimension_args(p, weights=False)
    add_tail(p, figure=True)

    p = leaf(g, "servperf", "SERVPERF: service quality from perceptions alone",
             "Item, dimension and overall means of the perception items with intervals (Cronin & Taylor 1992).",
             ["acsi servqual servperf sq.csv --perception 'p_*' --dimension x=p_s1,p_s2,p_s3 --dimension y=p_s4,p_s5,p_s6"],
             _servperf)
    add_file(p)
    p.add_argument("--perception", metavar="COLS", required=True, help="perception columns (P)")
    _dimension_args(p, weights=True)
    add_tail(p, figure=True)

    p = leaf(sub, "fuzzy", "multi-level fuzzy comprehensive evaluation of graded answers",
             "Memberships are the shares of respondents giving each grade; B_i = A_i o R_i per factor, then "
             "B = A o [B_1; ...]; the grade of maximum membership and the score sum b_j x_j.  --factor groups the "
             "items (two levels); --items alone is one level.  Without weights every factor and item weighs the "
             "same (said in the notes).",
             ["acsi fuzzy survey.csv --factor service=q1,q2,q3 --factor price=q4,q5 --factor-weights service=0.6,price=0.4",
              "acsi fuzzy survey.csv --items q1,q2,q3 --item-weights 0.5,0.3,0.2 --operator 'M(^,v)'"], _fuzzy)
    add_file(p)
    p.add_argument("--factor", metavar="GROUP", action="append", default=None,
                   help="a factor and its items, e.g. service=q1,q2,q3 (repeatable; two-level evaluation)")
    p.add_argument("--items", metavar="COLS", default=None, help="one-level evaluation of these items")
    p.add_argument("--factor-weights", metavar="W,...|NAME=W,...", default=None, help="weights of the factors")
    p.add_argument("--item-weights", metavar="W,...|COL=W,...", default=None, help="weights of the items")
    p.add_argument("--grades", type=number_list(), default=None, metavar="G1,G2,...",
                   help="answer codes of the grades, lowest first (default 1,2,3,4,5)")
    p.add_argument("--grade-names", metavar="NAME,...", default=None, help="names of the grades, lowest first")
    p.add_argument("--grade-points", type=number_list(), default=None, metavar="P1,P2,...",
                   help="points of the grades for the score (default 20,40,60,80,100)")
    p.add_argument("--operator", choices=("M(.,+)", "M(^,v)"), default="M(.,+)",
                   help="composition: M(.,+) weighted average (default) or M(^,v) Zadeh max-min")
    p.add_argument("--normalize", action="store_true", help="divide every weight vector by its sum")
    p.add_argument("--normalize-levels", action="store_true", help="normalise each B_i before the second level")
    add_tail(p, weight=False, confidence=False)

    p = leaf(sub, "kano", "Kano categories, Better/Worse coefficients and improvement priority",
             "Classify functional/dysfunctional answers (Berger et al. 1993): long answers (one row per respondent "
             "and attribute) or wide ones (--functional-items and --dysfunctional-items paired by position).  The "
             "priority list puts must-be (basic, dissatisfier) first, then one-dimensional, then attractive.",
             ["acsi kano answers.csv --out kano.png", "acsi kano wide.csv --functional-items 'f_*' --dysfunctional-items "
              "'d_*' --out kano/"], _kano)
    p.add_argument("answers", help="answers file (long: attribute, functional, dysfunctional columns; or wide)")
    for col in ("attribute", "functional", "dysfunctional"):
        p.add_argument(f"--{col}-column", metavar="COL", default=None, help=f"long answers: the {col} column (default {col})")
    p.add_argument("--functional-items", metavar="COLS", default=None, help="wide answers: functional columns")
    p.add_argument("--dysfunctional-items", metavar="COLS", default=None, help="wide answers: dysfunctional columns")
    _legacy_outputs(p)

    p = leaf(sub, "ahp", "AHP weights and consistency ratio of a pairwise-comparison matrix",
             "Weights (principal eigenvector), lambda_max, CI and CR of a matrix whose first column and header "
             "row name the items; entries are numbers or fractions such as 1/3.",
             ["acsi ahp matrix.csv", "acsi ahp matrix.xlsx --out ahp/"], _ahp)
    p.add_argument("matrix", help="CSV or Excel file: square positive reciprocal matrix with item names")
    add_tail(p, weight=False, confidence=False)

    p = leaf(sub, "ipa", "importance-performance quadrants (四分圖)",
             "Quadrants A-D from a table with attribute, importance and performance columns, or from raw answers "
             "(--importance-items and --performance-items: stated importance, paired by position).",
             ["acsi ipa table.csv --out ipa.png", "acsi ipa survey.csv --importance-items 'imp_*' --performance-items "
              "'sat_*' --cut median --lang zh --out ipa/"], _ipa)
    p.add_argument("table", help="CSV/Excel table: attribute, importance, performance columns (or raw answers)")
    for col in ("attribute", "importance", "performance"):
        p.add_argument(f"--{col}-column", metavar="COL", default=None, help=f"table input: the {col} column (default {col})")
    p.add_argument("--importance-items", metavar="COLS", default=None, help="raw answers: importance columns")
    p.add_argument("--performance-items", metavar="COLS", default=None, help="raw answers: performance columns")
    _cuts(p)
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of the labels and figure")
    _legacy_outputs(p)

    p = leaf(sub, "ipma", "importance-performance map of a model's drivers (IPMA)",
             "Importance = unstandardised total effect on the target, performance = 0-100 index.  FILE is a table "
             "(driver, importance, performance) or a fit's results folder (acsi fit --out DIR): the pooled fit, or "
             "the unit chosen with --unit.",
             ["acsi ipma results/", "acsi ipma results/ --unit company=A,period=2025Q1 --out ipma/",
              "acsi ipma drivers.csv --driver-column latent --importance-column total_effect"], _ipma)
    add_file(p, "a table (CSV/Excel) or a results folder written by acsi fit --out")
    p.add_argument("--unit", metavar="COL=VALUE,...", default=None, help="with a results folder: the unit (default pooled)")
    p.add_argument("--target", metavar="LATENT", default=None, help="the target construct (default the model's headline)")
    p.add_argument("--driver-column", metavar="COL", default=None, help="table input: the driver column (default driver)")
    p.add_argument("--importance-column", metavar="COL", default=None,
                   help="table input: total effects (default importance)")
    p.add_argument("--performance-column", metavar="COL", default=None,
                   help="table input: 0-100 performance (default performance)")
    _cuts(p)
    add_tail(p, weight=False, confidence=False, figure=True)

