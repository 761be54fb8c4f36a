"""``acsi fit SURVEY --out DIR [--estimator pls --consistent --predict K ...] [--bootstrap N --seed S --sales FILE ...]``:
fit, save, optionally bootstrap."""

from __future__ import annotations

import argparse
from pathlib import Path

from .models import add_model_arguments, model_from_args

__all__ = ["register", "run", "add_bootstrap_arguments", "add_pls_arguments", "run_bootstrap"]


def _codes(text: str):
    """``--missing-codes 98,99`` (or ``-9,-8``, ``none``): the one parser of missing codes."""
    from ..data.prepare import missing_codes_of
    from ..errors import InvalidParameterError

    if text.strip().lower() in ("", "none"):
        return ()
    try:
        return missing_codes_of(text)
    except InvalidParameterError:
        raise argparse.ArgumentTypeError(f"missing codes must be comma-separated numbers like 98,99 or -9,-8; "
                                         f"got {text!r}") from None


def _separator(text: str) -> str:
    """``--sep ';'`` (``tab`` or ``\\t`` for a tab): one character."""
    value = {"tab": "\t", "\\t": "\t"}.get(text.strip().lower(), text)
    if len(value) != 1 or value in "\"\r\n":
        raise argparse.ArgumentTypeError(f"--sep takes one character such as ';', '|' or tab; got {text!r}")
    return value


def _replicates(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of replicates such as 1000; got {text!r}") from None
    if v < 0 or v == 1:
        raise argparse.ArgumentTypeError(f"--bootstrap needs 0 (off) or at least 2 replicates; got {v}")
    return v


def register(sub) -> argparse.ArgumentParser:
    f = sub.add_parser("fit", help="fit a model per unit and write indexes",
                       description="Fit the model per unit (company x period) and write every table, the model, "
                                   "the summary and the manifest to --out; optionally bootstrap.")
    f.add_argument("survey", help="survey file (.csv, .parquet, .xlsx, .sav, .dta)")
    add_model_arguments(f)
    f.add_argument("--unit", default="company", help="unit column(s), comma-separated (default: company); empty for pooled only")
    f.add_argument("--period", default="auto", help="period column (default: 'period' when present); 'none' to disable")
    f.add_argument("--estimator", choices=["sem", "mlr", "mlm", "pls"], default="sem",
                   help="sem: ML (robust standard errors and scaled test with --weight, as lavaan); mlr: ML with "
                        "robust (Huber-White) standard errors and the Yuan-Bentler scaled test, for skewed answers; "
                        "mlm: Satorra-Bentler (complete, unweighted data); pls: PLS path modelling")
    f.add_argument("--se", choices=["standard", "robust"], default=None,
                   help="override the standard errors of the covariance-based estimator (standard: normal theory)")
    f.add_argument("--engine", choices=["semopy", "mlfast"], default=None,
                   help="ML engine for the covariance-based estimators: mlfast, acsi's own (default), or semopy")
    f.add_argument("--std-lv", action="store_true",
                   help="covariance-based estimators: latent variances fixed to 1, every loading free (lavaan's "
                        "std.lv = TRUE)")
    f.add_argument("--free-x", action="store_true",
                   help="covariance-based estimators: estimate the (co)variances of exogenous observed covariates "
                        "(lavaan's fixed.x = FALSE; default: fixed at their sample values)")
    f.add_argument("--weight", default=None,
                   help="survey-weight column: weights the estimation (the SEM fits the weighted moments, lavaan's "
                        "sampling.weights) and the index means")
    f.add_argument("--item-map", default=None, metavar="FILE",
                   help="rename survey columns to item ids: CSV with columns column,item, or a JSON object")
    f.add_argument("--missing-codes", type=_codes, default=(98, 99), help="codes meaning no answer (default: 98,99)")
    f.add_argument("--out-of-range", choices=["error", "missing"], default="error")
    f.add_argument("--missing", choices=["listwise", "fiml"], default="listwise",
                   help="missing-data policy: listwise deletion (default) or full-information ML (SEM only)")
    f.add_argument("--min-n", type=int, default=30, help="minimum complete respondents per unit (default 30)")
    f.add_argument("--confidence", type=float, default=0.95, help="level of the intervals, in (0, 1) (default 0.95)")
    f.add_argument("--jobs", type=int, default=-1, help="parallel workers (default: all cores)")
    f.add_argument("--quiet", action="store_true", help="no progress bar")
    f.add_argument("--id", default=None, metavar="COLUMN", dest="id_column",
                   help="respondent-id column: an id used twice, or a row without one, is an error")
    f.add_argument("--sep", type=_separator, default=None, metavar="CHAR",
                   help="column separator of a text survey (default: detected among , ; tab |)")
    f.add_argument("--decimal", choices=[".", ","], default=None,
                   help="decimal mark of a text survey (default: detected; ',' when numbers are written 5,5)")
    f.add_argument("--encoding", default=None, metavar="NAME",
                   help="text encoding of the survey, e.g. gbk, big5, cp1252 (default: UTF-8)")
    f.add_argument("--out", required=True,
                   help="output directory: written whole or not at all; a new fit replaces it (see the README)")
    add_pls_arguments(f)
    add_bootstrap_arguments(f)
    f.set_defaults(func=run)
    return f


def add_pls_arguments(fit_parser: argparse.ArgumentParser) -> None:
    """Add the PLS options (``--scheme --consistent --predict K ...``; :mod:`acsi.estimate.pls_evidence`)."""
    g = fit_parser.add_argument_group("PLS (--estimator pls; the quality table, effects, model fit and IPMA are always written)")
    g.add_argument("--scheme", choices=["path", "centroid", "factorial"], default=None,
                   help="inner weighting scheme (default: path)")
    g.add_argument("--consistent", action="store_true",
                   help="consistent PLS (PLSc, Dijkstra-Henseler) for every reflective latent with two or more items")
    g.add_argument("--predict", type=int, default=None, metavar="K",
                   help="PLSpredict with K folds: RMSE/MAE per indicator against the linear benchmark, Q2_predict")
    g.add_argument("--predict-reps", type=int, default=None, metavar="R",
                   help="repetitions of PLSpredict with new folds (default 10)")
    g.add_argument("--predict-technique", choices=["DA", "EA"], default=None,
                   help="predict from the direct (DA, default) or the earliest antecedents (EA)")
    g.add_argument("--blindfolding", type=int, default=None, metavar="D",
                   help="Stone-Geisser Q2 by blindfolding with omission distance D (5 to 12 is usual; must not divide n)")
    g.add_argument("--fit-test", type=int, default=None, metavar="N",
                   help="bootstrap test of exact fit (SRMR, d_ULS, d_G) with N replicates")
    g.add_argument("--no-f2-refit", action="store_true",
                   help="f2 only from the regression on the scores (skip one re-estimation per path)")


#: argparse destination -> options= key of the PLS estimator
_PLS_FLAGS = {"scheme": "scheme", "predict": "predict", "predict_reps": "predict_reps",
              "predict_technique": "predict_technique", "blindfolding": "blindfolding", "fit_test": "fit_test"}


def _pls_options(args: argparse.Namespace) -> dict:
    """The ``options=`` of ``acsi.fit`` from the PLS flags (refused for --estimator sem, never ignored)."""
    from ..errors import InvalidParameterError

    opts = {key: getattr(args, dest) for dest, key in _PLS_FLAGS.items() if getattr(args, dest, None) is not None}
    if getattr(args, "consistent", False):
        opts["consistent"] = True
    if getattr(args, "no_f2_refit", False):
        opts["refit_f2"] = False
    if opts and args.estimator != "pls":
        given = [f"--{k.replace('_', '-')}" for k in opts if k not in ("consistent", "refit_f2")]
        given += ["--consistent"] * ("consistent" in opts) + ["--no-f2-refit"] * ("refit_f2" in opts)
        raise InvalidParameterError(f"{', '.join(given)} appl{'ies' if len(given) == 1 else 'y'} to --estimator pls only; "
                                    "add --estimator pls or drop "
                                    f"{'it' if len(given) == 1 else 'them'}")
    if opts.get("predict") is not None or opts.get("fit_test") is not None:
        if getattr(args, "seed", None) is not None:
            opts["seed"] = args.seed  # the folds and the exact-fit draws; recorded in the manifest either way
    return opts


def add_bootstrap_arguments(fit_parser: argparse.ArgumentParser) -> None:
    """Add ``--bootstrap N --seed S --scheduler ADDR --bootstrap-failed --strata --sales --window --partial-windows``."""
    g = fit_parser.add_argument_group("bootstrap")
    g.add_argument("--bootstrap", type=_replicates, default=0, metavar="N",
                   help="bootstrap replicates per unit (default 0: no bootstrap)")
    g.add_argument("--seed", type=int, default=None, metavar="S",
                   help="random seed; the same seed gives the same numbers for any --jobs or --scheduler")
    g.add_argument("--scheduler", default=None, metavar="ADDR",
                   help="run the unit fits and the bootstrap on a Dask cluster, e.g. tcp://host:8786 "
                        "(needs dask[distributed]); the same numbers as a local run")
    g.add_argument("--bootstrap-failed", choices=["exclude", "refit", "keep"], default="exclude",
                   help="replicates that fail to converge or are inadmissible: exclude (default), refit with "
                        "another start, or keep the inadmissible ones; always counted in the output")
    g.add_argument("--strata", default=None, metavar="COLUMN",
                   help="also resample within the groups of this survey column inside every unit (e.g. region)")
    g.add_argument("--sales", default=None, metavar="FILE",
                   help="sales weights (company, sales[, period][, industry]): also bootstrap industry, sector "
                        "and national indexes")
    g.add_argument("--window", type=int, default=None, metavar="K",
                   help="periods in the national window of the bootstrapped aggregates (default: one year; 1: none)")
    g.add_argument("--partial-windows", action="store_true",
                   help="publish national figures before the window is full (flagged)")


def _item_map(path: str | None) -> dict[str, str] | None:
    """Read ``--item-map``: a JSON object ``{"column": "item"}`` or a CSV with columns ``column,item``."""
    if not path:
        return None
    import json

    from ..data import read_table
    from ..errors import DataError
    from ..tables import read_text

    p = Path(path)
    if p.suffix.lower() == ".json":
        try:  # read_text: the one message for a missing input file, or one that is not UTF-8
            mapping = json.loads(read_text(p, what="item map"))
        except json.JSONDecodeError as exc:
            raise DataError(f"item map {path} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
                            "expected an object such as {\"Q1\": \"cs1\", \"Q2\": \"cs2\"}") from None
        if not isinstance(mapping, dict):
            raise DataError(f"item map {path}: expected a JSON object {{\"column_in_file\": \"item_id\"}}")
        return {str(k): str(v) for k, v in mapping.items()}
    table = read_table(p, text_columns=("column", "item"))
    if not {"column", "item"} <= set(table.columns):
        raise DataError(f"item map {path}: needs the columns 'column' and 'item'; it has {list(table.columns)}")
    return dict(zip(table["column"].astype(str), table["item"].astype(str)))


def _table_options(args: argparse.Namespace) -> dict:
    """The parameter table's identification options of acsi.fit from --std-lv and --free-x."""
    options = {}
    if getattr(args, "std_lv", False):
        options["std_lv"] = True
    if getattr(args, "free_x", False):
        options["fixed_x"] = False
    return options


def _check_before_the_fit(args: argparse.Namespace) -> None:
    """The bootstrap options that can be refused before the fit: the seed, a replicate count whose
    results cannot fit in memory, an unreachable scheduler (it also runs the unit fits)."""
    from ..bootstrap import bootstrap, check_replicate_memory, check_scheduler

    if getattr(args, "scheduler", None):
        check_scheduler(args.scheduler)
    if not args.bootstrap:
        return
    from ..options import check

    where, declared = bootstrap.__acsi_options__
    if args.seed is not None:
        check(where, "seed", args.seed, *declared["seed"])
    check_replicate_memory(args.bootstrap)  # a lower bound (one unit, one statistic); the bootstrap checks again


def _expected_bytes(survey: str) -> int:
    """A rough size of a fit's results folder: the scores table has a row per respondent, in CSV and
    Parquet, so about twice the survey file, plus the small tables."""
    try:
        return 2 * Path(survey).stat().st_size + (1 << 20)
    except OSError:
        return 0


def _read_as(df) -> str:
    how = df.attrs.get("read_as") or {}
    if not how.get("detected") and how.get("encoding", "utf-8") in ("utf-8", "utf-8-sig"):
        return ""
    names = {",": "','", ";": "';'", "\t": "tab", "|": "'|'", ".": "'.'"}
    detected = set(how.get("detected") or ())
    parts = [f"separator {names.get(how['sep'], repr(how['sep']))}{' (detected)' if 'sep' in detected else ''}",
             f"decimal mark {names.get(how['decimal'], repr(how['decimal']))}"
             f"{' (detected)' if 'decimal' in detected else ''}",
             f"encoding {how['encoding']}"]
    return "read the survey with " + ", ".join(parts)


def run(args: argparse.Namespace) -> int:
    from ..data import read_survey
    from ..errors import InvalidParameterError
    from ..fitting import fit
    from ..tables import check_free_space, claim_output

    if args.missing == "fiml" and args.estimator == "pls":
        raise InvalidParameterError("--missing fiml (full-information ML) needs --estimator sem; PLS cannot use "
                                    "incomplete respondents: use --missing listwise with --estimator pls")
    if args.missing == "fiml" and args.bootstrap:
        raise InvalidParameterError("--bootstrap does not support --missing fiml yet; use --missing listwise "
                                    "to bootstrap, or rely on the FIML standard errors")
    if args.missing == "fiml" and args.engine:
        raise InvalidParameterError("--engine does not apply to --missing fiml (full-information ML has its own "
                                    "engine); drop --engine or use --missing listwise")
    if args.engine and args.estimator == "pls":
        raise InvalidParameterError(f"--engine applies to the covariance-based estimators only; drop it for "
                                    f"--estimator {args.estimator}")
    if args.se and args.estimator == "pls":
        raise InvalidParameterError("--se applies to the covariance-based estimators (sem, mlr, mlm) only; PLS has "
                                    "no analytic standard errors: drop --se and use --bootstrap")
    if (args.std_lv or args.free_x) and args.estimator == "pls":
        raise InvalidParameterError("--std-lv and --free-x apply to the covariance-based estimators only (they "
                                    f"identify the CB-SEM model); drop them for --estimator {args.estimator}")
    estimator = "sem" if args.estimator in ("mlr", "mlm") else args.estimator
    options = {k: v for k, v in (("engine", args.engine), ("se", args.se)) if v}
    if args.estimator in ("mlr", "mlm"):  # the ML variants are an option of the covariance-based estimator
        options["estimator"] = args.estimator
    options.update(_table_options(args))
    options.update(_pls_options(args))  # PLS flags with --estimator sem are refused here
    _check_before_the_fit(args)
    item_map = _item_map(args.item_map)
    steps = getattr(args, "steps", None)
    out = Path(args.out).resolve()
    with claim_output(args.out, command=f"acsi fit {args.survey} --out {args.out}"):  # place, lock: before the work
        check_free_space(args.out, _expected_bytes(args.survey), what="the fit's results")
        if steps is not None:
            steps.unchanged = str(out)
            steps.doing("the fit")
        unit = [u for u in args.unit.split(",") if u] if args.unit else None
        period = None if args.period in ("none", "None", "") else args.period
        survey = read_survey(args.survey, sep=args.sep, decimal=args.decimal, encoding=args.encoding)
        if how := _read_as(survey):
            print(how)
        res = fit(
            survey, model_from_args(args), unit=unit, period=period, estimator=estimator, weight=args.weight,
            item_map=item_map, missing_codes=args.missing_codes, out_of_range=args.out_of_range, missing=args.missing,
            min_n=args.min_n, confidence=args.confidence, n_jobs=args.jobs, scheduler=getattr(args, "scheduler", None),
            progress=not args.quiet, options=options or None, id_column=args.id_column,
        )
        paths = res.save(args.out)
        if steps is not None:
            steps.saved(f"the fit ({len(paths)} files) in {out}")
        print(res.summary().as_text())
        if steps is not None and args.bootstrap:
            steps.doing("the bootstrap")
        paths += run_bootstrap(res, args, args.out, survey=survey)
        if steps is not None and args.bootstrap:
            steps.saved("the bootstrap")
    print(f"\nwrote {len(paths)} files to {out}")
    pooled = res.pooled_index
    if not res.indexes["index"].notna().any() and (pooled is None or not pooled["index"].notna().any()):
        from ..errors import NoIndexError

        what = (f"{len(res.indexes)} unit(s), every one failed: see the 'reason' column of "
                f"{out / 'company_indexes.csv'}" if len(res.indexes) else "the pooled fit failed: see summary.txt")
        raise NoIndexError(f"no unit produced an index ({what}); the results are saved")
    return 0


def run_bootstrap(fit_result, args: argparse.Namespace, out_dir, *, survey=None) -> list[Path]:
    """Bootstrap ``fit_result`` when ``args.bootstrap`` > 0 and write ``bootstrap_*`` files to ``out_dir``.

    Returns the paths written (empty when no bootstrap was asked for).
    """
    n = int(getattr(args, "bootstrap", 0) or 0)
    if n == 0:
        return []
    from ..data import read_survey, read_table
    from ..errors import DataError

    weights = read_table(args.sales, text_columns=("period", "company", "industry", "sector")) if args.sales else None
    strata = getattr(args, "strata", None)
    if strata and strata not in fit_result.prepared.data.columns and getattr(args, "survey", None):
        # a survey column that the fit did not keep: one value per row of the original file
        if survey is None:
            survey = read_survey(args.survey, sep=getattr(args, "sep", None), decimal=getattr(args, "decimal", None),
                                 encoding=getattr(args, "encoding", None))
        if strata not in survey.columns:
            raise DataError(f"--strata {strata!r} is not a column of {args.survey}; columns are {list(survey.columns)}")
        strata = survey[strata].to_numpy()
    jobs = getattr(args, "jobs", 1)
    res = fit_result.bootstrap(
        n_boot=n, seed=getattr(args, "seed", None), n_jobs=jobs if jobs else 1,
        scheduler=getattr(args, "scheduler", None), failed=getattr(args, "bootstrap_failed", "exclude"),
        strata=strata, weights=weights,
        aggregate_options={"window": getattr(args, "window", None),
                           "partial_windows": bool(getattr(args, "partial_windows", False))} if weights is not None else None,
        progress=not getattr(args, "quiet", False),
    )
    paths = res.save(out_dir)
    print(res.summary().as_text())
    print(f"\nwrote {len(paths)} bootstrap files to {Path(out_dir).resolve()} (seed {res.seed})")
    return paths
