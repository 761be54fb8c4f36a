"""``acsi metrics METHOD``: NPS, CSAT, top-box, CES, satisfaction rate, survey-table score, overall CSI, KCSI,
benchmark flags, each with its interval (``--confidence``), survey weights (``--weight``) and strata
(``--by``); ``acsi nps`` is ``acsi metrics nps`` (kept from the first toolkit commands)."""

from __future__ import annotations

from .common import (add_by, add_confidence, add_file, add_outputs, add_tail, add_weight, group, leaf, number_list,
                     runs)

__all__ = ["register", "register_nps"]


def _columns(p, help: str = "answer column(s), comma-separated (patterns such as 'q*' allowed)") -> None:
    p.add_argument("--columns", "--column", dest="columns", metavar="COLS", required=True, help=help)


def _answers(p, *, scale: str | None, top: bool = False, figure: bool = True) -> None:
    add_file(p)
    _columns(p)
    if scale is not None:
        p.add_argument("--scale", type=number_list(2), default=None, metavar="LO,HI", help=f"answer scale (default {scale})")
    if top:
        p.add_argument("--top", type=int, default=2, help="number of top boxes (default 2)")
    add_weight(p)
    add_confidence(p)
    add_by(p)
    add_outputs(p, figure=figure)


_METRIC = ("columns", "weight", "confidence", "by")
_nps = runs("nps", *_METRIC)
_csat = runs("csat", *_METRIC, "scale", "top")
_top_box = runs("top_box", *_METRIC, "scale", "top")
_ces = runs("ces", *_METRIC, "scale")
_satisfaction_rate = runs("satisfaction_rate", "satisfied", "targeted", "label", "confidence")
_survey_score = runs("survey_score", "items", "counts", "codes", "points", "lowest", "label", "weight", "confidence")
_overall_csi = runs("overall_csi", "importance", "satisfaction", "importance_points", "satisfaction_points", "weight",
                    "confidence")
_kcsi = runs("kcsi", "overall", "attributes", "repurchase", "scale", "top", "weights", "attribute_weights", "weight",
             "confidence")
_benchmarks = runs("benchmarks", "nps", "ces", "csi", "repurchase", "churn", "ces_scale", "weight", "confidence",
                   thresholds=lambda a: ",".join(a.threshold) if a.threshold else None)


def register_nps(sub, name: str = "nps", *, legacy: bool = False) -> None:
    p = leaf(sub, name, "Net Promoter Score of 0-10 answers, with its interval" + (" (= acsi metrics nps)" if legacy else ""),
             "NPS = %% promoters (9-10) - %% detractors (0-6), with the multinomial interval "
             "(Rocks 2016); weighted with --weight, per stratum with --by.",
             [f"acsi {'' if legacy else 'metrics '}nps survey.csv --column recommend",
              f"acsi {'' if legacy else 'metrics '}nps survey.csv --column recommend --weight w --by region "
              "--confidence 0.90 --out nps/"], _nps)
    _answers(p, scale=None)


def register(sub) -> None:
    """Add ``acsi metrics ...`` to an argparse subparsers object."""
    g = group(sub, "metrics", "satisfaction metrics with intervals: nps, csat, top-box, ces, satisfaction-rate, "
                              "survey-score, overall-csi, kcsi, benchmarks",
              "Satisfaction metrics of the source documents, each with its point and interval estimate.",
              "metrics_method")
    register_nps(g)

    p = leaf(g, "csat", "CSAT: %% of answers in the top boxes, Wilson interval",
             "Share of answers in the top --top boxes of --scale (top-2 of 1-5 by default) with the Wilson "
             "interval (R prop.test(correct = FALSE); weighted: Kish's effective n).",
             ["acsi metrics csat survey.csv --columns csat5", "acsi metrics csat survey.csv --columns 'sat_*' --scale 1,7 "
              "--top 2 --weight w --out csat/"], _csat)
    _answers(p, scale="1,5", top=True)

    p = leaf(g, "top-box", "top-box share of an integer scale, Wilson interval",
             "Share of answers in the top --top categories of --scale, with the Wilson interval.",
             ["acsi metrics top-box survey.csv --columns q1,q2 --scale 1,10 --top 3"], _top_box)
    _answers(p, scale="1,5", top=True)

    p = leaf(g, "ces", "CES: mean effort with its t interval",
             "Customer effort score: the mean of effort answers on --scale (1-7 by default) with its t interval "
             "(weighted: the linearised interval of R's survey package).",
             ["acsi metrics ces survey.csv --columns effort", "acsi metrics ces survey.csv --columns effort --by channel "
              "--weight w --out ces/"], _ces)
    _answers(p, scale="1,7")

    p = leaf(g, "satisfaction-rate", "satisfaction rate S / C with its Wilson interval",
             "T = S / C x 100%% from two numbers, or from a table with a count of satisfied and of targeted "
             "customers on each row (one rate per row).",
             ["acsi metrics satisfaction-rate --satisfied 45 --targeted 60",
              "acsi metrics satisfaction-rate branches.csv --satisfied sat --targeted surveyed --label branch"],
             _satisfaction_rate)
    add_file(p, "table with count columns", optional=True)
    p.add_argument("--satisfied", metavar="NUM|COL", required=True, help="S: a number, or the count column of FILE")
    p.add_argument("--targeted", metavar="NUM|COL", required=True, help="C: a number, or the count column of FILE")
    p.add_argument("--label", metavar="COL", default=None, help="column naming each row of FILE")
    add_tail(p, weight=False, figure=True)

    p = leaf(g, "survey-score", "survey-table score (grade points 100/80/60/40/20) with intervals",
             "Mean grade points per item: answers coded --codes (best first) in the --items columns, or "
             "with --counts a table of counts per item (rows) and grade (columns, best first).",
             ["acsi metrics survey-score survey.csv --items sat_price,sat_speed",
              "acsi metrics survey-score counts.csv --counts --label item --lowest 0"], _survey_score)
    add_file(p)
    p.add_argument("--items", metavar="COLS", default=None, help="answer columns (with --counts: the grade columns)")
    p.add_argument("--counts", action="store_true", help="FILE is a count table (items x grades), not answers")
    p.add_argument("--codes", type=number_list(), default=None, metavar="C1,C2,...",
                   help="answer codes of the grades, best first (default 5,4,3,2,1)")
    p.add_argument("--points", type=number_list(), default=None, metavar="P1,P2,...",
                   help="grade points, best first (default 100,80,60,40,LOWEST)")
    p.add_argument("--lowest", type=float, default=None, help="points of the lowest grade (default 20; the source's "
                                                              "alternative is 0)")
    p.add_argument("--label", metavar="COL", default=None, help="with --counts: the column naming the items")
    add_tail(p, figure=True)

    p = leaf(g, "overall-csi", "overall CSI from graded importance and satisfaction answers, delta-method interval",
             "CSI = sum I_i P_i / (x_k sum I_i): I_i and P_i the mean points of each attribute's importance and "
             "satisfaction answers (columns paired by position), x_k the top satisfaction points.",
             ["acsi metrics overall-csi survey.csv --importance imp_price,imp_speed --satisfaction sat_price,sat_speed",
              "acsi metrics overall-csi survey.csv --importance 'imp_*' --satisfaction 'sat_*' --weight w --out csi/"],
             _overall_csi)
    add_file(p)
    p.add_argument("--importance", metavar="COLS", required=True, help="importance answer columns, one per attribute")
    p.add_argument("--satisfaction", metavar="COLS", required=True, help="satisfaction answer columns, same order")
    for what in ("importance", "satisfaction"):
        p.add_argument(f"--{what}-points", metavar="CODE=PTS,...", default=None,
                       help=f"points of the {what} codes (default 5=100,4=80,3=60,2=40,1=20)")
    add_tail(p)

    p = leaf(g, "kcsi", "KCSI (KMAC top-2-box index) with its interval",
             "KCSI = 0.3 overall + 0.5 attributes + 0.2 repurchase, each the top-2-box share (6-7 of 1-7) in "
             "percent; the attribute part a weighted mean; the interval linearised (R survey).",
             ["acsi metrics kcsi survey.csv --overall q_overall --attributes q_product,q_service --repurchase q_rebuy",
              "acsi metrics kcsi survey.csv --overall o --attributes 'a_*' --repurchase r --weights 0.4,0.4,0.2 --weight w"],
             _kcsi)
    add_file(p)
    p.add_argument("--overall", metavar="COL", required=True, help="overall-satisfaction column")
    p.add_argument("--attributes", metavar="COLS", required=True, help="attribute (element) satisfaction columns")
    p.add_argument("--repurchase", metavar="COL", required=True, help="repurchase-intention column")
    p.add_argument("--scale", type=number_list(2), default=None, metavar="LO,HI", help="answer scale (default 1,7)")
    p.add_argument("--top", type=int, default=2, help="number of top boxes (default 2)")
    p.add_argument("--weights", type=number_list(3), default=None, metavar="WO,WA,WR",
                   help="weights of overall, attributes, repurchase (default 0.3,0.5,0.2; KMAC 2002: 0.4,0.4,0.2)")
    p.add_argument("--attribute-weights", metavar="W1,W2,...|COL=W,...", default=None,
                   help="importance weights of the attribute items (default equal)")
    add_tail(p)

    p = leaf(g, "benchmarks", "the documents' benchmarks: NPS > 0, CES < 5, CSI > 70, repurchase > 50%%, churn < 5%%",
             "Each metric is computed from a column of FILE (with its interval) or given as a number "
             "VALUE[,LOWER,UPPER]; a benchmark is 'met' or 'missed' only when the whole interval is on one side "
             "of the threshold, otherwise 'undecided'.",
             ["acsi metrics benchmarks survey.csv --nps recommend --ces effort --repurchase rebuy",
              "acsi metrics benchmarks --nps 12,-3,27 --csi 72.4,70.1,74.7 --churn 3.2 --threshold csi=75"], _benchmarks)
    add_file(p, optional=True)
    for m, what in (("nps", "0-10 recommend answers"), ("ces", "effort answers"), ("csi", "0-100 scores"),
                    ("repurchase", "0/1 repurchased"), ("churn", "0/1 lost")):
        p.add_argument(f"--{m}", metavar="COL|V[,LO,HI]", default=None, help=f"column of {what}, or the value")
    p.add_argument("--ces-scale", type=number_list(2), default=None, metavar="LO,HI", help="CES scale (default 1,7)")
    p.add_argument("--threshold", metavar="METRIC=VALUE", action="append", default=None,
                   help="another threshold, e.g. csi=75 (repeatable)")
    add_tail(p)
