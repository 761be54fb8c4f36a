"""``acsi compare``: measurement invariance, path differences and indexes across groups.

    acsi compare survey.csv --by period --model acsi [--estimator pls] --out dir/

writes ``invariance.csv`` (the invariance sequence, or MICOM for PLS), ``paths.csv`` (the
tests of every structural path), ``indexes.csv`` (0-100 indexes by group, each difference
with the invariance it rests on), ``latent_means.csv``, ``score_tests.csv``,
``accounting.csv``, ``summary.txt``, the figure ``comparison.png`` and the page
``compare.html`` (``--lang en|zh``).  The command only parses arguments and calls
:func:`acsi.compare`.
"""

from __future__ import annotations

from pathlib import Path

from .models import add_model_arguments, model_from_args

__all__ = ["register", "run"]


def _list(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def run(args) -> int:
    from ..comparison import compare
    from ..report.compare import write_comparison_report
    from ..tables import claim_output, list_in_manifest, staged_output

    with claim_output(args.out, command=f"acsi compare {args.survey} --out {args.out}"):  # checked before the work
        res = compare(
            args.survey, model_from_args(args), by=args.by, groups=_list(args.groups) if args.groups else None,
            estimator=args.estimator, weight=args.weight, missing_codes=args.missing_codes,
            out_of_range=args.out_of_range, min_n=args.min_n, levels=tuple(_list(args.levels)), rule=args.rule,
            alpha=args.alpha, n_perm=args.perm, n_boot=args.boot, seed=args.seed, n_jobs=args.jobs,
            confidence=args.confidence,
        )
        with staged_output(args.out) as stage:  # the tables and the report appear together, whole
            res.save(stage)
            html = write_comparison_report(res, stage / "compare.html", lang=args.lang)
            list_in_manifest(stage, "manifest.json", [html])
        paths = sorted(p for p in Path(args.out).iterdir() if p.is_file())
    if not args.quiet:
        print(res.summary())
    print(f"\nwrote {len(paths)} files to {Path(args.out).resolve()}")
    return 0


def register(sub):
    """Add the ``compare`` command to the ``acsi`` sub-parsers."""
    from .fit import _codes  # the one parser of --missing-codes

    c = sub.add_parser("compare", help="measurement invariance, path differences and indexes across groups",
                       description=__doc__.split("\n\n")[0] + " (CB-SEM: configural -> metric -> scalar -> strict with "
                       "partial invariance, lavaan's tests; PLS: MICOM, permutation and Henseler's MGA).")
    c.add_argument("survey", help="survey file (.csv, .parquet, .xlsx, .sav, .dta)")
    c.add_argument("--by", required=True, help="column whose values are the groups (e.g. period, segment)")
    add_model_arguments(c)
    c.add_argument("--groups", default=None,
                   help="groups to compare, comma-separated, the first the reference (default: all; periods in time order)")
    c.add_argument("--estimator", choices=["sem", "pls"], default="sem")
    c.add_argument("--weight", default=None, help="survey-weight column")
    c.add_argument("--missing-codes", type=_codes, default=(98, 99), help="codes meaning no answer (default: 98,99)")
    c.add_argument("--out-of-range", choices=["error", "missing"], default="error")
    c.add_argument("--min-n", type=int, default=30, help="minimum complete respondents per group (default 30)")
    c.add_argument("--levels", default="configural,metric,scalar,strict",
                   help="invariance levels to test, in order (default: configural,metric,scalar,strict)")
    c.add_argument("--rule", choices=["both", "chisq", "fit"], default="both",
                   help="when a level holds: both the chi-square difference test and the change in fit (default), "
                        "the chi-square test alone, or the change in fit alone")
    c.add_argument("--alpha", type=float, default=0.05, help="level of the tests (default 0.05)")
    c.add_argument("--perm", type=int, default=1000, help="PLS: permutations (default 1000)")
    c.add_argument("--boot", type=int, default=1000, help="PLS: bootstrap replicates per group for Henseler's MGA "
                                                          "(default 1000; 0 skips it)")
    c.add_argument("--seed", type=int, default=None, help="PLS: random seed (default: a fresh one, recorded)")
    c.add_argument("--jobs", type=int, default=1, help="PLS: parallel workers (results do not depend on it)")
    c.add_argument("--confidence", type=float, default=0.95, help="level of the index intervals")
    c.add_argument("--lang", choices=["en", "zh", "zh-hans", "zh-hant"], default="en",
                   help="language of compare.html (zh is Simplified, zh-hant Traditional)")
    c.add_argument("--quiet", action="store_true", help="do not print the summary")
    c.add_argument("--out", required=True, help="output directory")
    c.set_defaults(func=run)
    return c
