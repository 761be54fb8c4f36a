"""Command-line interface: ``acsi models | fit | demo | aggregate | report | <method>``.

The CLI only parses arguments and calls the public API.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__

__all__ = ["main", "build_parser"]


def _codes(text: str):
    if text.strip().lower() in ("", "none"):
        return ()
    try:
        return tuple(float(c) if "." in c else int(c) for c in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"missing codes must be comma-separated numbers like 98,99; got {text!r}") from None


def _item_map(path: str | None) -> dict[str, str] | None:
    """Read ``--item-map``: a JSON object ``{"column": "item"}`` or a CSV with columns ``column,item``."""
    if not path:
        return None
    import json

    import pandas as pd

    from .errors import DataError

    p = Path(path)
    if not p.exists():
        raise DataError(f"item map {path!r} does not exist; check the path")
    if p.suffix.lower() == ".json":
        mapping = json.loads(p.read_text(encoding="utf-8"))
        if not isinstance(mapping, dict):
            raise DataError(f"item map {path}: expected a JSON object {{\"column_in_file\": \"item_id\"}}")
        return {str(k): str(v) for k, v in mapping.items()}
    table = pd.read_csv(p)
    if not {"column", "item"} <= set(table.columns):
        raise DataError(f"item map {path}: needs the columns 'column' and 'item'; it has {list(table.columns)}")
    return dict(zip(table["column"].astype(str), table["item"].astype(str)))


def cmd_models(args) -> int:
    from .spec import list_models, load_model

    for name in list_models():
        spec = load_model(name)
        if args.verbose:
            print(spec.describe())
            print()
        else:
            print(f"{name:<12} {spec.title}  [{len(spec.latents)} latents, {len(spec.items)} items, headline {spec.headline}]")
    return 0


def cmd_fit(args) -> int:
    from .fitting import fit

    unit = [u for u in args.unit.split(",") if u] if args.unit else None
    if args.missing == "fiml" and args.estimator != "sem":
        print("acsi fit: error: --missing fiml (full-information ML) needs --estimator sem; PLS cannot use "
              "incomplete respondents: use --missing listwise with --estimator pls", file=sys.stderr)
        return 2
    if args.missing == "fiml" and getattr(args, "bootstrap", None):
        print("acsi fit: error: --bootstrap does not support --missing fiml yet; use --missing listwise "
              "to bootstrap, or rely on the FIML standard errors", file=sys.stderr)
        return 2
    res = fit(
        args.survey, args.model, unit=unit, period=args.period, estimator=args.estimator, weight=args.weight,
        item_map=_item_map(args.item_map),
        missing_codes=args.missing_codes, out_of_range=args.out_of_range, missing=args.missing, min_n=args.min_n,
        confidence=args.confidence, n_jobs=args.jobs, progress=not args.quiet,
        options={"engine": args.engine} if args.estimator == "sem" else None,
    )
    paths = res.save(args.out)
    print(res.summary().as_text())
    if getattr(args, "bootstrap", None):
        from .bootstrap_cli import run_after_fit

        paths += run_after_fit(res, args, args.out)
    print(f"\nwrote {len(paths)} files to {Path(args.out).resolve()}")
    return 0


def cmd_demo(args) -> int:
    from .demo import run_demo

    return run_demo(args.out, n_jobs=args.jobs, report=not args.no_report, quiet=args.quiet,
                    published=args.published, lang=args.lang)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="acsi", description="Customer-satisfaction index models: fit, score, aggregate, report.")
    p.add_argument("--version", action="version", version=f"acsi {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    m = sub.add_parser("models", help="list the shipped models")
    m.add_argument("-v", "--verbose", action="store_true", help="show latents, items and paths")
    m.set_defaults(func=cmd_models)

    f = sub.add_parser("fit", help="fit a model per unit and write indexes")
    f.add_argument("survey", help="survey file (.csv, .parquet, .xlsx, .sav, .dta)")
    f.add_argument("--model", default="acsi", help="shipped model name, .toml file or lavaan text file (default: acsi)")
    f.add_argument("--unit", default="company", help="unit column(s), comma-separated (default: company); empty for pooled only")
    f.add_argument("--period", default="auto", help="period column (default: 'period' when present); 'none' to disable")
    f.add_argument("--estimator", choices=["sem", "pls"], default="sem")
    f.add_argument("--engine", choices=["semopy", "mlfast"], default="semopy",
                   help="ML engine for --estimator sem: semopy (default) or acsi's batched Newton solver")
    f.add_argument("--weight", default=None, help="survey-weight column")
    f.add_argument("--item-map", default=None, metavar="FILE",
                   help="rename survey columns to item ids: CSV with columns column,item, or a JSON object")
    f.add_argument("--missing-codes", type=_codes, default=(98, 99), help="codes meaning no answer (default: 98,99)")
    f.add_argument("--out-of-range", choices=["error", "missing"], default="error")
    f.add_argument("--missing", choices=["listwise", "fiml"], default="listwise",
                   help="missing-data policy: listwise deletion (default) or full-information ML (SEM only)")
    f.add_argument("--min-n", type=int, default=30, help="minimum complete respondents per unit (default 30)")
    f.add_argument("--confidence", type=float, default=0.95)
    f.add_argument("--jobs", type=int, default=-1, help="parallel workers (default: all cores)")
    f.add_argument("--quiet", action="store_true", help="no progress bar")
    f.add_argument("--out", required=True, help="output directory")
    from .bootstrap_cli import add_arguments as add_bootstrap_arguments

    add_bootstrap_arguments(f)
    f.set_defaults(func=cmd_fit)

    d = sub.add_parser("demo", help="fit, aggregate and report the bundled synthetic national survey")
    d.add_argument("--out", default="demo-out", help="output directory (default: demo-out)")
    d.add_argument("--jobs", type=int, default=-1)
    d.add_argument("--no-report", action="store_true", help="skip the HTML report")
    d.add_argument("--quiet", action="store_true")
    d.add_argument("--lang", choices=["en", "zh"], default="en", help="report language")
    d.add_argument("--published", default=None,
                   help="CSV of a published national series (period,national_index) to draw in the report")
    d.set_defaults(func=cmd_demo)

    for modname in ("acsi.aggregate.cli", "acsi.methods.cli", "acsi.report.cli", "acsi.production"):
        try:
            mod = __import__(modname, fromlist=["register"])
        except ImportError:
            continue
        if hasattr(mod, "register"):
            mod.register(sub)
    return p


def main(argv=None) -> int:
    from .errors import AcsiError

    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "period", None) in ("none", "None", ""):
        args.period = None
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except AcsiError as exc:
        print(f"acsi {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except ImportError as exc:
        print(f"acsi {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
