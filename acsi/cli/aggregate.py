"""``acsi aggregate INDEXES --weights SALES --out DIR``: the front end of :func:`acsi.aggregate.aggregate`.

::

    acsi aggregate results/company_indexes.csv --weights sales.csv --out results/ \\
        [--span 1Y | --window N] [--national mean|latest] [--partial-windows] [--carry-forward K] \\
        [--change-test matched|published] [--sector-weights FILE] [--industry-totals FILE] \\
        [--unit company] [--latent CS] [--status-column COL] [--confidence 0.95]

Reads CSV, Parquet or Excel tables (:func:`acsi.data.read_table`), writes every result
table as CSV and Parquet into ``--out`` and prints the summary.
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["register", "run", "TEXT_COLUMNS"]

#: Columns read as text from CSV (so that the year ``2008`` stays a period label).
TEXT_COLUMNS = ("period", "company", "industry", "sector", "status", "reason", "headline_status", "headline_reason",
                "latent")


def register(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "aggregate",
        help="aggregate company indexes to industry, sector and national indexes",
        description="Sales-weighted industry, sector and national indexes (ACSI rules), "
                    "the national moving average, changes and their significance.",
    )
    p.add_argument("indexes", help="unit indexes (CSV/Parquet/Excel): period, company, industry, sector, index, se, n[, status]")
    p.add_argument("--weights", required=True, help="sales table: company, sales[, period][, industry]")
    p.add_argument("--out", required=True, help="output directory (CSV and Parquet files)")
    p.add_argument("--span", default=None, metavar="SPAN",
                   help="national window as a span of time: 1Y (default: the latest year), 4Q, 12M, 2Y ...")
    p.add_argument("--window", type=int, default=None, metavar="N",
                   help="national window as N periods of the data's frequency (instead of --span)")
    p.add_argument("--national", default="mean", choices=("mean", "latest"),
                   help="mean: average the per-period values of the window (default); latest: each unit's latest "
                        "measurement of the window, once (ACSI's rolling practice)")
    p.add_argument("--partial-windows", action="store_true", help="also publish national means of incomplete windows")
    p.add_argument("--carry-forward", type=int, default=None, metavar="K",
                   help="carry a unit's latest measurement forward up to K periods (default 0; with --national latest: "
                        "the window)")
    p.add_argument("--change-test", default="matched", choices=("matched", "published"),
                   help="test the significance of changes on the units present in both periods (matched, default) "
                        "or on all units (published)")
    p.add_argument("--sector-weights", default=None, metavar="FILE", help="sector, weight[, period] (e.g. GDP shares)")
    p.add_argument("--industry-totals", default=None, metavar="FILE", help="industry, sales[, period]")
    p.add_argument("--unit", default="company", help="name of the unit column (default company)")
    p.add_argument("--latent", default=None, help="with a per-latent table (column 'latent'): the latent to aggregate")
    p.add_argument("--status-column", default=None, metavar="COL",
                   help="status column deciding which rows are aggregated (default headline_status, else status)")
    p.add_argument("--confidence", type=float, default=0.95, help="interval level (default 0.95)")
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Run the command; errors go to the one handler of :func:`acsi.cli.main`."""
    from ..aggregate import aggregate
    from ..data import read_table
    from ..tables import claim_output, verify_input_file

    text = TEXT_COLUMNS + (args.unit,)
    inputs = [args.indexes, args.weights, args.sector_weights, args.industry_totals]
    for path in filter(None, inputs):  # a table from a results folder: that folder must be whole
        verify_input_file(path)
    with claim_output(args.out, command=f"acsi aggregate {args.indexes} --out {args.out}"):  # before the work
        indexes = read_table(args.indexes, text_columns=text)
        weights = read_table(args.weights, text_columns=text)
        sector_weights = read_table(args.sector_weights, text_columns=text) if args.sector_weights else None
        industry_totals = read_table(args.industry_totals, text_columns=text) if args.industry_totals else None
        res = aggregate(indexes, weights, unit=args.unit, span=args.span, window=args.window, national=args.national,
                        partial_windows=args.partial_windows, carry_forward=args.carry_forward,
                        change_test=args.change_test, sector_weights=sector_weights,
                        industry_totals=industry_totals, latent=args.latent, status=args.status_column,
                        confidence=args.confidence)
        steps = getattr(args, "steps", None)
        if steps is not None:
            steps.unchanged = str(Path(args.out).resolve())
            steps.doing("the CSV tables")
        csv = res.to_csv(args.out)
        if steps is not None:
            steps.saved(f"the CSV tables ({len(csv)} files) in {Path(args.out).resolve()}")
            steps.doing("the Parquet tables")
        paths = list(dict.fromkeys(csv + res.to_parquet(args.out)))
        if steps is not None:
            steps.saved("the Parquet tables")
    print(res.summary().as_text())
    print()
    print(f"Wrote {len(paths)} files to {args.out}: " + ", ".join(p.name for p in paths))
    return 0
