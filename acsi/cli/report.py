"""``acsi report RESULTS_DIR --out report.html [--lang en|zh-hans|zh-hant] [--toolkit toolkit.toml]``: rebuild the
HTML report from saved files."""

from __future__ import annotations

from pathlib import Path

__all__ = ["register", "run"]


def register(sub):
    r = sub.add_parser(
        "report",
        help="write a self-contained HTML report from saved results",
        description="Rebuild the HTML report from the files written by `acsi fit --out DIR` (and `acsi aggregate` / "
        "`acsi demo`). RESULTS_DIR is the fit's output directory or the root of a demo run.",
    )
    r.add_argument("results", metavar="RESULTS_DIR", help="directory with manifest.json, or a run root with results/ and aggregate/")
    r.add_argument("--out", default="report.html", help="output HTML file (default: report.html)")
    r.add_argument("--lang", choices=["en", "zh", "zh-hans", "zh-hant"], default="en",
                   help="report language: en, zh-hans (Simplified; also zh) or zh-hant (Traditional) (default: en)")
    r.add_argument("--aggregate", default=None, metavar="DIR",
                   help="aggregation output directory (default: aggregate/ beside or inside RESULTS_DIR)")
    r.add_argument("--published", default=None, metavar="CSV",
                   help="published national series to draw for reference (period and score columns)")
    r.add_argument("--figures", default=None, metavar="DIR",
                   help="also save every figure as PNG here (default: <out stem>_figures/ beside the report)")
    r.add_argument("--no-figures", action="store_true", help="do not save the figures as separate PNG files")
    r.add_argument("--title", default=None, help="report title")
    r.add_argument("--toolkit", default=None, metavar="TOML",
                   help="toolkit.toml listing the toolkit analyses and stratified tables to add to the report "
                        "(see acsi.report.toolkit; e.g. [[analysis]] name = \"nps\" columns = \"ltr\")")
    r.set_defaults(func=run)
    return r


def run(args) -> int:
    """Read the saved results (verified against their manifest, with the saved model) and write the report."""
    import contextlib

    from ..report import load_results, write_report
    from ..tables import check_output_file, claim_output

    out = Path(args.out)
    check_output_file(out)  # before reading and drawing anything
    figures = None if args.no_figures else Path(args.figures) if args.figures else out.with_name(out.stem + "_figures")
    if getattr(args, "steps", None) is not None:  # the report and its figures are each written whole
        args.steps.unchanged = str(out.resolve())
    with claim_output(figures) if figures is not None else contextlib.nullcontext():  # its place, before the work
        data = load_results(args.results)
        path = write_report(data, args.aggregate, out, lang=args.lang, published=args.published, figures_dir=figures,
                            title=args.title, toolkit=args.toolkit)
    print(f"wrote {path.resolve()}")
    if figures is not None:
        n = len(list(Path(figures).glob("*.png")))
        print(f"wrote {n} figures to {Path(figures).resolve()}")
    return 0
