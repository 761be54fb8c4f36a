"""``acsi publish | history | revisions | site | import-published``: the history store on the command line.

The commands parse arguments and call :func:`acsi.production.publish`,
:func:`acsi.production.import_acsi_tables`, :func:`acsi.store.history`,
:func:`acsi.store.revisions` and :func:`acsi.site.build_site`; errors go through the one
handler of :mod:`acsi.cli.app`.
"""

from __future__ import annotations

from pathlib import Path

from .models import add_model_arguments, model_from_args

__all__ = ["register"]

_DEFAULT_STORE = "acsi-history.duckdb"  # acsi.store.DEFAULT_STORE (kept literal: importing the CLI stays light)


def register(subparsers) -> None:
    """Add ``publish``, ``history``, ``revisions``, ``site`` and ``import-published`` to an
    ``argparse`` sub-parser collection (each runs one of the ``run_*`` functions below)."""
    p = subparsers.add_parser("publish", help="fit a survey, aggregate it with the stored history, write one release",
                              description="fit -> aggregate (-> bootstrap) -> one release of the history store, in one "
                                          "transaction. Earlier periods come from the store.")
    p.add_argument("survey", help="survey file of the release's period(s) (.csv, .parquet, .xlsx, .sav, .dta)")
    p.add_argument("--sales", required=True, help="sales weights: company, sales[, period][, industry]")
    add_model_arguments(p)
    p.add_argument("--store", default=_DEFAULT_STORE, help=f"history store file (default {_DEFAULT_STORE})")
    p.add_argument("--release", required=True, help="release id, e.g. 2025Q4")
    p.add_argument("--release-date", default=None, help="publication date YYYY-MM-DD (default today)")
    p.add_argument("--notes", default="", help="release notes (shown on the website)")
    p.add_argument("--replace", action="store_true", help="publish an existing release id again (the old one is kept, superseded)")
    p.add_argument("--method-change", action="store_true",
                   help="allow a model different from the one stored periods were published with")
    p.add_argument("--unit", default="company", help="unit column (default company)")
    p.add_argument("--period", default="period", help="period column (default period)")
    p.add_argument("--weight", default=None, help="survey-weight column")
    p.add_argument("--estimator", choices=["sem", "pls"], default="sem")
    p.add_argument("--engine", choices=["semopy", "mlfast"], default=None,
                   help="ML engine for --estimator sem (default: mlfast, acsi's own, as acsi fit; semopy needs "
                        "pip install 'acsi[semopy]')")
    p.add_argument("--min-n", type=int, default=30, help="minimum complete respondents per unit (default 30)")
    p.add_argument("--confidence", type=float, default=0.95)
    p.add_argument("--span", default=None, help="national window as a span of time: 1Y (default), 4Q, 12M, 2Y...")
    p.add_argument("--window", type=int, default=None, help="national window as a number of periods (instead of --span)")
    p.add_argument("--national", choices=["mean", "latest"], default="mean",
                   help="mean of the window's periods (default), or latest: ACSI's rolling practice")
    p.add_argument("--partial-windows", action="store_true", help="publish national means of incomplete windows (flagged)")
    p.add_argument("--carry-forward", type=int, default=None, metavar="K", help="carry measurements forward up to K periods")
    p.add_argument("--change-test", choices=["matched", "published"], default="matched",
                   help="test changes like-for-like (default) or as published")
    p.add_argument("--sector-weights", default=None, metavar="FILE")
    p.add_argument("--industry-totals", default=None, metavar="FILE")
    p.add_argument("--bootstrap", type=int, default=0, metavar="N", help="bootstrap replicates per unit (default 0)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--jobs", type=int, default=1, help="parallel workers for fitting and bootstrap (default 1)")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run_publish)

    h = subparsers.add_parser("history", help="the series of one unit as published in each release",
                              description="Series of one unit (company, industry, sector or 'national') per release.")
    h.add_argument("--store", default=_DEFAULT_STORE)
    h.add_argument("--unit", default=None, help="unit name (a unique part of it is enough)")
    h.add_argument("--level", default=None, choices=["company", "industry", "sector", "national_quarter", "national"])
    h.add_argument("--latent", default=None, help="latent of company figures (default: the headline)")
    h.add_argument("--published-only", action="store_true",
                   help="only the figures each release itself published (default: the whole series per release)")
    h.add_argument("--releases", action="store_true", help="list the releases instead")
    h.add_argument("--out", default=None, metavar="FILE", help="also write the table (.csv or .parquet)")
    h.set_defaults(func=run_history)

    r = subparsers.add_parser("revisions", help="every figure that changed between two releases, and why")
    r.add_argument("--store", default=_DEFAULT_STORE)
    r.add_argument("--from", dest="from_release", required=True, metavar="RELEASE")
    r.add_argument("--to", dest="to_release", required=True, metavar="RELEASE")
    r.add_argument("--level", default=None, choices=["company", "industry", "sector", "national_quarter", "national"])
    r.add_argument("--out", default=None, metavar="FILE", help="also write the table (.csv or .parquet)")
    r.set_defaults(func=run_revisions)

    s = subparsers.add_parser("site", help="write the static website of the history store")
    s.add_argument("--store", default=_DEFAULT_STORE)
    s.add_argument("--out", required=True, help="output directory")
    s.add_argument("--lang", choices=["en", "zh", "both"], default="both", help="languages (default both)")
    s.add_argument("--title", default=None, help="site title")
    s.set_defaults(func=run_site)

    i = subparsers.add_parser("import-published", help="load the published ACSI tables (1994-2008) as external releases")
    i.add_argument("--store", default=_DEFAULT_STORE)
    i.add_argument("--replace", action="store_true")
    i.set_defaults(func=run_import)


def _write_out(df, out: str | None) -> None:
    if not out:
        return
    p = Path(out)
    if p.suffix.lower() in (".parquet", ".pq"):
        df.to_parquet(p, index=False)
    else:
        df.to_csv(p, index=False)
    print(f"wrote {p.resolve()}")


def run_publish(args) -> int:
    """``acsi publish``: returns the exit code (errors propagate as AcsiError to the CLI handler)."""
    from ..production import publish

    res = publish(
        args.survey, args.sales, model_from_args(args), args.store, args.release, release_date=args.release_date,
        notes=args.notes, replace=args.replace, method_change=args.method_change, unit=args.unit, period=args.period,
        weight=args.weight, estimator=args.estimator, confidence=args.confidence,
        fit_options={"min_n": args.min_n, **({"options": {"engine": args.engine}} if args.engine else {})},
        span=args.span, window=args.window, national=args.national, partial_windows=args.partial_windows,
        carry_forward=args.carry_forward, change_test=args.change_test,
        sector_weights=args.sector_weights, industry_totals=args.industry_totals, bootstrap=args.bootstrap,
        seed=args.seed, n_jobs=args.jobs, progress=not args.quiet,
    )
    print(res.summary())
    return 0


def run_history(args) -> int:
    from ..store import StoreError, history, releases

    if args.releases or not args.unit:
        if not args.releases:
            raise StoreError("acsi history needs --unit NAME (or --releases to list the releases)")
        rel = releases(args.store, include_superseded=True)
        cols = ["release_key", "release_id", "release_date", "kind", "status", "model_name", "frequency", "periods"]
        print(rel[cols].to_string(index=False))
        _write_out(rel, args.out)
        return 0
    df = history(args.store, args.unit, level=args.level, latent=args.latent, vintages=not args.published_only)
    if df.empty:
        print(f"no figures for {args.unit!r}")
        return 0
    unit, level = df["unit"].iloc[0], df["level"].iloc[0]
    print(f"{level} {unit!r}" + (f" (matched {args.unit!r})" if unit != args.unit else "")
          + f": {df['period'].nunique()} periods in {df['release_id'].nunique()} releases")
    wide = df.pivot_table(index="period", columns="release_id", values="index", aggfunc="first", sort=False)
    wide = wide.reindex(index=df.drop_duplicates("period").sort_values("t")["period"],
                        columns=list(dict.fromkeys(df["release_id"])))
    print(wide.to_string(float_format=lambda v: f"{v:.2f}", na_rep="-"))
    _write_out(df, args.out)
    return 0


def run_revisions(args) -> int:
    from ..store import revisions

    df = revisions(args.store, args.from_release, args.to_release, level=args.level)
    if df.empty:
        print(f"no figure changed between {args.from_release} and {args.to_release}")
    else:
        print(f"{len(df)} figure(s) changed between {args.from_release} and {args.to_release}:")
        show = df[["level", "unit", "period", "latent", "index_from", "index_to", "revision", "reason", "detail"]]
        print(show.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    _write_out(df, args.out)
    return 0


def run_site(args) -> int:
    from ..site import build_site

    langs = ("en", "zh") if args.lang == "both" else (args.lang,)
    paths = build_site(args.store, args.out, lang=langs, title=args.title)
    print(f"wrote {len(paths)} files to {Path(args.out).resolve()} (open index.html)")
    return 0


def run_import(args) -> int:
    from ..production import import_acsi_tables

    ids = import_acsi_tables(args.store, replace=args.replace)
    print(f"imported {len(ids)} external releases into {args.store}: {', '.join(ids)}")
    return 0
