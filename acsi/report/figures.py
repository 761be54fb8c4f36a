"""The report's figures: built from :class:`~acsi.report.data.ReportData`, encoded as PNG.

Each figure is produced by a public function of :mod:`acsi.plot`; this module
chooses which figures a report holds, encodes them as PNG (embedded as base64
``data:`` URIs, so the HTML file is self-contained) and saves them as files for
the command line.
"""

from __future__ import annotations

import base64
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import AcsiError, AcsiWarning
from .i18n import t

__all__ = ["ReportFigure", "figure_png", "png_data_uri", "report_figures", "save_figures", "PNG_MAGIC"]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass
class ReportFigure:
    """One figure of the report: a file-safe ``name``, its ``title`` and the PNG bytes."""

    name: str
    title: str
    png: bytes
    section: str

    @property
    def data_uri(self) -> str:
        return png_data_uri(self.png)


def figure_png(fig, *, dpi: int = 110) -> bytes:
    """Render a matplotlib figure to PNG bytes (Agg canvas; no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if fig.canvas is None or not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    from .fonts import quiet_font_log

    buf = io.BytesIO()
    with quiet_font_log():
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def png_data_uri(png: bytes) -> str:
    """``data:image/png;base64,...`` for an ``<img src>``."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _slug(text) -> str:
    s = re.sub(r"[^0-9A-Za-z]+", "_", str(text)).strip("_").lower()
    return s or "x"


def report_figures(data, lang: str = "en", *, published=None, notes: list | None = None) -> list[ReportFigure]:
    """Every figure of the report, in order.

    Parameters
    ----------
    data : ReportData
    lang : {"en", "zh", "zh-hans", "zh-hant"}
    published : DataFrame, optional
        A published index series (:func:`~acsi.report.data.read_published_series`).
    notes : list, optional
        Receives one line per figure that could not be drawn (with the reason);
        the report lists them instead of failing.

    Returns
    -------
    list of ReportFigure
        Sections: ``timeseries``, ``published``, ``league``, ``model``, ``ipa``.
    """
    from . import plot
    from .analysis import league_tables, path_tests, pooled_ipa
    from .numbers import fixed

    out: list[ReportFigure] = []
    notes = notes if notes is not None else []

    def add(name, title, section, make):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", AcsiWarning)  # the font fallback is noted once in the report
                fig = make()
            out.append(ReportFigure(name=name, title=title, png=figure_png(fig), section=section))
        except (AcsiError, ValueError, KeyError, IndexError, TypeError) as exc:
            notes.append(f"{title}: {type(exc).__name__}: {exc}")

    conf = data.confidence
    agg_conf = data.aggregate_confidence
    for level, key in (("national", "national"), ("sector", "sector"), ("industry", "industry")):
        tab = data.level(level)
        if not tab.empty and tab["index"].notna().any():
            add(f"timeseries_{level}", t(key, lang), "timeseries",
                lambda tab=tab, level=level: plot.timeseries(tab, level=level, lang=lang, confidence=agg_conf, rule="z"))
    if data.aggregate.get("aggregate_indexes") is None:
        ci = data.table("company_indexes")
        if data.period_col and not ci.empty and ci[data.period_col].nunique() > 1:
            add("timeseries_company", t("company", lang), "timeseries",
                lambda: plot.timeseries(data, level="company", lang=lang, confidence=conf, rule="t"))
    if published is not None and isinstance(published, pd.DataFrame) and not published.empty:
        add("published_national", t("published_series", lang), "published",
            lambda: plot.timeseries(published, level="national", lang=lang, interval=False,
                                    title=t("fig_published_title", _flang(lang))))
    for k, lt in enumerate(league_tables(data), start=1):
        ind = lt["industry"]
        ref = lt["industry_row"]["index"] if lt["industry_row"] else None
        title = f"{ind}" if ind is not None else t("all_units", lang)
        add(f"league_{k:02d}_{_slug(ind) if ind is not None else 'all'}", title, "league",
            lambda ind=ind, ref=ref, p=lt["period"]: plot.league_table(
                data, ind, period=p, lang=lang, reference=ref, confidence=conf,
                reference_label=(t("industry_row", _flang(lang)) + f" {fixed(ref, 1)}") if ref is not None else None))
    if not data.table("pooled_estimates").empty:
        tests = path_tests(data)
        alpha = 0.05 if tests.empty or tests["level"].iloc[0] is None else 1.0 - float(tests["level"].iloc[0])
        add("path_diagram", t("path_diagram", lang), "model",
            lambda: plot.path_diagram(data, lang=lang, tests=tests, alpha=alpha))
    if not data.table("pooled_estimates").empty and data.pooled_performance is not None:
        tab = pooled_ipa(data, _flang(lang))
        if tab is not None:
            add("ipa", t("ipa", lang), "ipa", lambda: plot.ipa_chart(tab, lang=lang))
    return out


def _flang(lang: str) -> str:
    from . import fonts

    return fonts.figure_lang(lang, warn=False)


def save_figures(figures: list[ReportFigure], out_dir: str | Path) -> list[Path]:
    """Write each figure as ``out_dir/<name>.png``; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in figures:
        p = out / f"{f.name}.png"
        p.write_bytes(f.png)
        paths.append(p)
    return paths
