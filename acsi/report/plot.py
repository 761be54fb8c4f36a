"""Figures of satisfaction-index results, as matplotlib :class:`~matplotlib.figure.Figure` objects.

Each function returns a new figure (or draws into ``ax``) and never touches
pyplot's global state, so it works headless and in notebooks alike.  Every
function takes ``lang="en" | "zh" | "zh-hans" | "zh-hant"`` (``zh`` is Simplified);
Chinese labels are drawn with the font bundled with acsi (:mod:`acsi.report.fonts`),
so they render on machines without a system CJK font.  Every figure says what its
intervals are (level and rule), where its bars start, and which test its marks
come from; numbers are printed without ``-0.0``.

================  ===========================================================
function          figure
================  ===========================================================
path_diagram      latents as ellipses, left to right by path depth; path
                  coefficients on the arrows; R² under endogenous latents
timeseries        index per period with its interval, one line per unit
league_table      companies of one industry ranked by index, with intervals
ipa_chart         importance-performance quadrant chart (四分圖)
================  ===========================================================

Examples
--------
>>> import acsi, acsi.plot   # acsi.plot is acsi.report.plot
>>> fit = acsi.fit(survey, "acsi", unit="company")             # doctest: +SKIP
>>> acsi.plot.path_diagram(fit).savefig("paths.png")            # doctest: +SKIP
>>> agg = acsi.aggregate(fit.indexes, weights=sales)           # doctest: +SKIP
>>> acsi.plot.timeseries(agg, level="industry", lang="zh")      # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, FancyArrowPatch

from ..errors import AcsiError, DataError
from ..methods.ipa import ipa_plot
from . import fonts
from .analysis import ipa_table, pooled_ipa, r_squared
from .data import ReportData, from_objects, load_results
from ..options import OneOf, validate_params
from .i18n import LANG, is_chinese, latent_label, t, to_script
from .numbers import fixed

__all__ = ["path_diagram", "timeseries", "league_table", "league_baseline", "ipa_chart", "structure_depths"]

_EST_COLS = {"lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_lv", "std_all", "free"}


# =========================================================================== helpers
def _new_axes(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot(1, 1, 1)


def _select_unit(est: pd.DataFrame, unit) -> pd.DataFrame:
    """Rows of one unit from a stacked estimates table (group columns first)."""
    keys = [c for c in est.columns if c not in _EST_COLS]
    if not keys:
        return est
    if unit is None:
        n = est[keys].drop_duplicates()
        if len(n) == 1:
            return est
        raise AcsiError(
            f"the estimates hold {len(n)} units (columns {keys}); pass unit= (a dict {{column: value}} or a tuple in "
            f"the order {keys}) to choose one, e.g. unit={tuple(n.iloc[0])!r}, or pass the fit to draw the pooled model"
        )
    if isinstance(unit, dict):
        want = unit
    else:
        vals = unit if isinstance(unit, (tuple, list)) else (unit,)
        if len(vals) != len(keys):
            raise AcsiError(f"unit={unit!r} gives {len(vals)} value(s); the estimates are keyed by {keys}")
        want = dict(zip(keys, vals))
    mask = np.ones(len(est), dtype=bool)
    for k, v in want.items():
        if k not in est.columns:
            raise AcsiError(f"unit= names column {k!r}, which the estimates do not have (keys: {keys})")
        mask &= (est[k].astype(str) == str(v)).to_numpy()
    if not mask.any():
        have = [tuple(r) for r in est[keys].drop_duplicates().head(5).itertuples(index=False)]
        raise AcsiError(f"no estimates for unit {want}; units look like {have}")
    return est.loc[mask].drop(columns=keys).reset_index(drop=True)


def _estimates_and_spec(obj, unit):
    """(one unit's estimates, spec or None) from a FitResult, ReportData, dict, path or DataFrame."""
    if isinstance(obj, (str, Path)):
        obj = load_results(obj)
    if isinstance(obj, ReportData):
        pooled = obj.tables.get("pooled_estimates")
        if unit is None and pooled is not None and not pooled.empty:
            return pooled, obj.spec
        return _select_unit(obj.table("estimates"), unit), obj.spec
    if isinstance(obj, dict):
        pooled = obj.get("pooled_estimates")
        if unit is None and pooled is not None:
            return pooled, obj.get("spec")
        return _select_unit(obj["estimates"], unit), obj.get("spec")
    if isinstance(obj, pd.DataFrame):
        need = {"lhs", "op", "rhs", "est"}
        if not need.issubset(obj.columns):
            raise DataError(f"path_diagram needs a lavaan-style estimates table with columns {sorted(need)}; got {list(obj.columns)}")
        return _select_unit(obj, unit), None
    if hasattr(obj, "estimates") and hasattr(obj, "spec"):
        pooled = getattr(obj, "pooled", None)
        if unit is None and pooled is not None and getattr(pooled, "estimates", None) is not None:
            return pooled.estimates, obj.spec
        return _select_unit(obj.estimates, unit), obj.spec
    raise DataError(
        f"path_diagram takes a FitResult, a ReportData, a results directory or an estimates table; got {type(obj).__name__}"
    )


def structure_depths(paths) -> dict[str, int]:
    """Column of each latent in a left-to-right layout: the longest path reaching it.

    Examples
    --------
    >>> structure_depths([("CE", "PQ"), ("PQ", "CS"), ("CE", "CS")])
    {'CE': 0, 'PQ': 1, 'CS': 2}
    """
    nodes: list[str] = []
    for a, b in paths:
        for x in (a, b):
            if x not in nodes:
                nodes.append(x)
    depth = {n: 0 for n in nodes}
    for _ in range(len(nodes)):  # Bellman-Ford style relaxation; recursive models converge
        changed = False
        for a, b in paths:
            if depth[b] < depth[a] + 1:
                depth[b] = depth[a] + 1
                changed = True
        if not changed:
            break
    return depth


def _layout(latents: list[str], paths: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    depth = structure_depths(paths)
    for lv in latents:
        depth.setdefault(lv, 0)
    cols: dict[int, list[str]] = {}
    for lv in latents:
        cols.setdefault(depth[lv], []).append(lv)
    pos: dict[str, tuple[float, float]] = {}
    dy = 1.7
    tallest = max(len(v) for v in cols.values())
    dx = max(2.6, 0.42 * (tallest - 1) * dy)
    for d in sorted(cols):
        members = cols[d]
        if d > 0:  # order by the mean height of the predecessors (barycentre) to limit crossings
            def bary(lv):
                ys = [pos[a][1] for a, b in paths if b == lv and a in pos]
                return np.mean(ys) if ys else 0.0
            members = sorted(members, key=bary, reverse=True)
        m = len(members)
        # zig-zag single-member columns so arrows that skip a column do not run through a latent
        shift = (0.45 * dy if d % 2 == 0 else -0.45 * dy) if m <= 2 else 0.0
        for j, lv in enumerate(members):
            pos[lv] = (d * dx, (m - 1) / 2 * dy - j * dy + shift)
    return pos


def _arc_points(p0, p2, rad: float, n: int = 25) -> np.ndarray:
    """Points of matplotlib's ``arc3`` curve (quadratic Bézier; control point M + rad·(dy, −dx))."""
    (x1, y1), (x2, y2) = p0, p2
    c = np.array([(x1 + x2) / 2 + rad * (y2 - y1), (y1 + y2) / 2 - rad * (x2 - x1)])
    s = np.linspace(0.12, 0.88, n)[:, None]
    return (1 - s) ** 2 * np.array(p0) + 2 * (1 - s) * s * c + s**2 * np.array(p2)


def _arc_point(p0, p2, rad: float, s: float) -> tuple[float, float]:
    """Point at parameter ``s`` of the ``arc3`` curve from ``p0`` to ``p2``."""
    (x1, y1), (x2, y2) = p0, p2
    c = np.array([(x1 + x2) / 2 + rad * (y2 - y1), (y1 + y2) / 2 - rad * (x2 - x1)])
    q = (1 - s) ** 2 * np.array(p0) + 2 * (1 - s) * s * c + s**2 * np.array(p2)
    return float(q[0]), float(q[1])


def _place_label(p0, p2, rad, frac, placed, pos, axes) -> tuple[float, float]:
    """Where on its arrow a coefficient goes: near ``frac``, off other labels and latents."""
    a, b = axes
    best, best_score = None, -np.inf
    for df in (0.0, -0.1, 0.1, -0.18, 0.18, -0.26, 0.26):
        x, y = _arc_point(p0, p2, rad, frac + df)
        gap_lab = min((max(abs(x - u) / 0.6, abs(y - v) / 0.32) for u, v in placed), default=np.inf)
        gap_lv = min(((x - cx) / (a + 0.15)) ** 2 + ((y - cy) / (b + 0.1)) ** 2 for cx, cy in pos.values())
        if gap_lab > 1.0 and gap_lv > 1.0:
            return x, y
        score = min(gap_lab, gap_lv)
        if score > best_score:
            best, best_score = (x, y), score
    return best


def _route(p0, p2, others, axes, margin: float = 0.18) -> float:
    """Curvature of an arrow: the straightest arc that clears the other latents."""
    a, b = axes
    best, best_clear = 0.0, -np.inf
    for rad in (0.0, 0.12, -0.12, 0.22, -0.22, 0.32, -0.32):
        pts = _arc_points(p0, p2, rad)
        clear = np.inf
        for cx, cy in others:
            d = ((pts[:, 0] - cx) / (a + margin)) ** 2 + ((pts[:, 1] - cy) / (b + margin)) ** 2
            clear = min(clear, float(d.min()))
        if clear > 1.0:
            return rad
        if clear > best_clear:
            best, best_clear = rad, clear
    return best


def _fmt_coef(v: float) -> str:
    return "–" if not np.isfinite(v) else fixed(v, 2)


# =========================================================================== path diagram
@validate_params("path_diagram", lang=LANG, coef=OneOf("std_all", "est"))
def path_diagram(fit_or_tables, *, unit=None, coef: str = "std_all", lang: str = "en", ax=None,
                 title: str | None = None, show_r2: bool = True, alpha: float = 0.05,
                 tests: pd.DataFrame | None = None) -> Figure:
    """Path diagram of a fitted model, drawn with matplotlib only.

    Latent variables are ellipses laid out left to right by path depth (the
    longest chain of paths reaching them); arrows carry the path coefficients;
    each endogenous latent shows its R² underneath.  Arrows whose coefficient is
    not significant at ``alpha`` are dashed, and a note under the diagram names the
    test; without a test (no p-values: a PLS fit without a bootstrap) every arrow is
    solid and the note says that no test was run.

    Parameters
    ----------
    fit_or_tables : FitResult, ReportData, results directory, dict or DataFrame
        A fit (the pooled model is drawn unless ``unit`` is given), the report
        tables, or a lavaan-style estimates table (``lhs, op, rhs, est[, std_all,
        pvalue]``).
    unit : dict, tuple or scalar, optional
        Draw this unit's model instead of the pooled one, e.g. ``{"period":
        "2024Q1", "company": "a"}`` or ``("2024Q1", "a")``.
    coef : {"std_all", "est"}
        Standardised (default) or unstandardised coefficients.
    lang : {"en", "zh"}
        Label language (latent names in Chinese come from the model's ``name_zh``).
    ax : matplotlib Axes, optional
    title : str, optional
    show_r2 : bool
    alpha : float
        Significance level for solid arrows.
    tests : DataFrame, optional
        The test of each path: ``lhs, rhs, pvalue`` and ``test`` (a description, e.g.
        ``"test_bootstrap"``, a key of :mod:`acsi.report.i18n`, or a text), e.g.
        :func:`acsi.report.analysis.path_tests`.
        Default: the estimates' own ``pvalue`` column (the estimator's z test), when it
        has values.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    R² of η is ``1 − std_all(η ~~ η)`` (or the ``r2`` rows of a PLS fit).

    Examples
    --------
    >>> fig = path_diagram(fit)                                   # doctest: +SKIP
    >>> fig = path_diagram(fit.estimates, unit=("2024Q1", "a"))   # doctest: +SKIP
    """
    est, spec = _estimates_and_spec(fit_or_tables, unit)
    if est is None or est.empty:
        raise DataError("path_diagram: the estimates table is empty (the unit failed?); draw the pooled model or another unit")
    if coef not in est.columns:
        coef = "est"
    structural = est.loc[est["op"] == "~"]
    latents = list(spec.latent_ids) if spec is not None else list(pd.unique(est.loc[est["op"] == "=~", "lhs"]))
    for lv in list(structural["lhs"]) + list(structural["rhs"]):
        if lv not in latents:
            latents.append(lv)
    paths = [(r.rhs, r.lhs) for r in structural.itertuples(index=False)]
    pos = _layout(latents, paths)
    r2 = r_squared(est) if show_r2 else pd.Series(dtype=float)
    if tests is None:
        p = pd.to_numeric(structural.get("pvalue"), errors="coerce") if "pvalue" in structural else None
        tests = (structural[["lhs", "rhs"]].assign(pvalue=p, test="test_z")
                 if p is not None and np.isfinite(p).any() else structural[["lhs", "rhs"]].iloc[:0].assign(pvalue=[], test=[]))
    pmap = {(str(r.lhs), str(r.rhs)): float(r.pvalue) for r in tests.itertuples(index=False)
            if r.pvalue is not None and np.isfinite(r.pvalue)}
    a_x, b_y = 1.05, 0.48  # semi-axes of the ellipses (data units)
    arrows = []
    n_in = {lv: sum(1 for _, b in paths if b == lv) for lv in latents}
    for r in structural.itertuples(index=False):
        a, b = r.rhs, r.lhs
        others = [q for lv, q in pos.items() if lv not in (a, b)]
        rad = _route(pos[a], pos[b], others, (a_x, b_y))
        # labels of fans converging on one latent sit nearer their sources, where arrows are apart
        frac = 0.36 if n_in[b] >= 4 else 0.5
        label = _place_label(pos[a], pos[b], rad, frac, [lab for *_, lab in arrows], pos, (a_x, b_y))
        arrows.append((r, a, b, rad, label))
    pts = [np.array([[x - a_x, y - b_y - 0.45], [x + a_x, y + b_y]]) for x, y in pos.values()]
    pts += [_arc_points(pos[a], pos[b], rad) for _, a, b, rad, _ in arrows]
    pts += [np.array([lab]) for *_, lab in arrows]
    allp = np.vstack(pts)
    (x0, y0), (x1_, y1_) = allp.min(axis=0) - 0.25, allp.max(axis=0) + 0.25
    flang = fonts.figure_lang(lang)
    with fonts.font_context(flang):
        scale = min(0.78, 13.0 / (x1_ - x0), 13.0 / (y1_ - y0))  # inches per data unit; big models shrink
        natural = (max(4.5, scale * (x1_ - x0) + 0.3), max(2.6, scale * (y1_ - y0) + 0.6))
        given = ax is not None
        fig, ax = _new_axes(ax, natural)
        fs = 1.0
        if given:  # text does not shrink with the axes: scale it to the room the axes offer
            box = ax.get_position()
            w_in, h_in = box.width * fig.get_figwidth(), box.height * fig.get_figheight()
            fs = float(np.clip(min(w_in / (scale * (x1_ - x0)), h_in / (scale * (y1_ - y0))), 0.45, 1.0))
        patches = {}
        headline = spec.headline if spec is not None else None
        for lv, (x, y) in pos.items():
            face = "#fde9c9" if lv == headline else "#e8f0fb"
            e = Ellipse((x, y), 2 * a_x, 2 * b_y, facecolor=face, edgecolor="#27496d", linewidth=1.3, zorder=2)
            ax.add_patch(e)
            patches[lv] = e
            name = latent_label(spec, lv, flang, with_id=False)
            text = lv if name == lv else f"{name}\n({lv})"
            ax.text(x, y, _wrap(text, 16), ha="center", va="center", fontsize=8.5 * fs, zorder=3)
            if show_r2 and lv in r2.index and np.isfinite(r2[lv]):
                ax.text(x, y - b_y - 0.08, f"R² = {r2[lv]:.2f}", ha="center", va="top", fontsize=8 * fs,
                        color="#444444", zorder=3)
        for r, a, b, rad, (lx, ly) in arrows:
            p = pmap.get((str(r.lhs), str(r.rhs)), np.nan)
            dashed = np.isfinite(p) and p >= alpha
            arrow = FancyArrowPatch(pos[a], pos[b], patchA=patches[a], patchB=patches[b],
                                    connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>", mutation_scale=13 * fs,
                                    linewidth=1.2, color="#27496d", linestyle="--" if dashed else "-", zorder=1)
            ax.add_patch(arrow)
            ax.text(lx, ly, _fmt_coef(float(getattr(r, coef))), ha="center", va="center", fontsize=8.5 * fs,
                    bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none"), zorder=4)
        ax.set_xlim(x0, x1_)
        ax.set_ylim(y0, y1_)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(title if title is not None else t("fig_path_title", flang), fontsize=11 * max(fs, 0.8))
        pct = round(100 * alpha, 6)
        note = (t("fig_path_tested", flang, alpha=fixed(pct, 0 if float(pct).is_integer() else 1),
                  test=_test_name(tests, flang)) if pmap
                else t("fig_path_untested", flang))
        ax.text(0.0, 0.0, note, transform=ax.transAxes, ha="left", va="bottom", fontsize=7 * max(fs, 0.8), color="#555555")
    return fig


def _test_name(tests: pd.DataFrame, lang: str) -> str:
    """The name of the test in ``tests["test"]``: an i18n key (``test_z``, ``test_bootstrap``) or a text."""
    from .i18n import TEXT

    name = str(tests["test"].iloc[0]) if len(tests) else ""
    return t(name, lang) if name in TEXT else to_script(name, lang)


def _wrap(text: str, width: int) -> str:
    """Break a long English latent name on spaces (CJK names are short)."""
    out = []
    for line in text.split("\n"):
        if len(line) <= width or " " not in line:
            out.append(line)
            continue
        cur = ""
        for w in line.split(" "):
            if cur and len(cur) + 1 + len(w) > width:
                out.append(cur)
                cur = w
            else:
                cur = f"{cur} {w}".strip()
        out.append(cur)
    return "\n".join(out)


# =========================================================================== time series
def _period_order(values) -> list[str]:
    labels = list(dict.fromkeys(str(v) for v in values))
    try:
        keys = [pd.Period(v) for v in labels]
        return [lab for _, lab in sorted(zip(keys, labels))]
    except (ValueError, TypeError):
        return labels


def _series_table(obj, level: str) -> pd.DataFrame:
    if isinstance(obj, ReportData):
        if level == "company":
            df = obj.table("company_indexes").copy()
            ucol = obj.unit_cols[0] if obj.unit_cols else None
            if ucol is not None:
                df["unit"] = df[obj.unit_cols].astype(str).agg(" / ".join, axis=1)
            return df.rename(columns={obj.period_col: "period"}) if obj.period_col else df
        return obj.level(level)
    if hasattr(obj, "table") and callable(obj.table):
        return obj.table(level)
    if isinstance(obj, pd.DataFrame):
        df = obj
        if "level" in df.columns:
            df = df.loc[df["level"] == level]
        if "index" not in df.columns:
            for c in ("national_index", "score"):
                if c in df.columns:
                    df = df.rename(columns={c: "index"})
                    break
        return df
    raise DataError(f"timeseries takes an aggregate result, a ReportData or a table; got {type(obj).__name__}")


@validate_params("timeseries", lang=LANG)
def timeseries(table_or_aggregate, level: str = "national", *, units=None, lang: str = "en", ax=None,
               title: str | None = None, interval: bool = True, max_units: int = 12, unit_col: str | None = None,
               confidence: float | None = None, rule: str | None = None) -> Figure:
    """Index per period with its interval band, one line per unit.

    Parameters
    ----------
    table_or_aggregate : AggregateResult, ReportData or DataFrame
        An aggregation result (``.table(level)`` is drawn), the report tables, or a
        table with ``period`` and ``index`` (or ``national_index``/``score``, as in
        published series), optionally ``ci_lower, ci_upper`` and a unit column.
    level : str
        Aggregation level (``"national"``, ``"sector"``, ``"industry"``,
        ``"company"``); also picks the title.
    units : list, optional
        Only these units (default: all, up to ``max_units``, largest last index first).
    lang : {"en", "zh"}
    interval : bool
        Shade ``ci_lower``-``ci_upper`` when present.
    unit_col : str, optional
        Column naming the units (default ``unit``, else ``company``).
    confidence : float, optional
        Level of the intervals in the table, written under the plot (with ``rule``).
    rule : {"t", "z"}, optional
        How the intervals were made: ``"t"`` Student t (unit indexes), ``"z"`` normal
        (aggregates); default: ``"t"`` for ``level="company"``, else ``"z"``.

    Returns
    -------
    matplotlib.figure.Figure
        National rows whose window was not full (``window_full`` False) are drawn as
        hollow markers, named in the legend, as the report's table marks them.

    Examples
    --------
    >>> pub = acsi.report.read_published_series("acsi_national_quarterly_1994_2008.csv")  # doctest: +SKIP
    >>> timeseries(pub, title="ACSI")                                                     # doctest: +SKIP
    """
    df = _series_table(table_or_aggregate, level)
    if not isinstance(df, pd.DataFrame) or "period" not in df.columns or "index" not in df.columns:
        cols = list(df.columns) if isinstance(df, pd.DataFrame) else type(df).__name__
        raise DataError(f"timeseries needs columns 'period' and 'index'; got {cols}")
    df = df.copy()
    df["period"] = df["period"].astype(str)
    ucol = unit_col or next((c for c in ("unit", "company") if c in df.columns), None)
    if ucol is not None and df[ucol].nunique() > 1:
        names = list(pd.unique(df[ucol].astype(str)))
        if units is not None:
            names = [str(u) for u in units]
        elif len(names) > max_units:
            last = df.sort_values("period").groupby(ucol)["index"].last().sort_values(ascending=False)
            names = [str(u) for u in last.index[:max_units]]
        series = [(n, df.loc[df[ucol].astype(str) == n]) for n in names]
    else:
        series = [(None, df)]
    order = _period_order(df["period"])
    xpos = {p: i for i, p in enumerate(order)}
    flang = fonts.figure_lang(lang)
    titles = {"national": "fig_national_title", "national_quarter": "fig_national_title", "sector": "fig_sector_title",
              "industry": "fig_industry_title", "company": "fig_company_title"}
    with fonts.font_context(flang):
        fig, ax = _new_axes(ax, (7.5, 3.8))
        multi = len(series) > 1
        partial_any = False
        for name, s in series:
            s = s.assign(_x=s["period"].map(xpos)).sort_values("_x")
            x = s["_x"].to_numpy(dtype=float)
            y = s["index"].to_numpy(dtype=float)
            ms = 3 if len(x) > 20 else 4
            line, = ax.plot(x, y, marker="o", markersize=ms, linewidth=1.5,
                            label=str(name) if name is not None else None)
            if "window_full" in s.columns:
                part = (s["window_full"].astype("object") == False).to_numpy() & np.isfinite(y)  # noqa: E712
                if part.any():
                    partial_any = True
                    ax.plot(x[part], y[part], linestyle="none", marker="o", markersize=ms + 2.5, markerfacecolor="white",
                            markeredgecolor=line.get_color(), markeredgewidth=1.3, zorder=5,
                            label=t("fig_partial_window", flang) if not multi else None)
            if interval and {"ci_lower", "ci_upper"}.issubset(s.columns):
                lo = s["ci_lower"].to_numpy(dtype=float)
                hi = s["ci_upper"].to_numpy(dtype=float)
                if np.isfinite(lo).any():
                    ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.15 if multi else 0.25, linewidth=0)
        step = max(1, int(np.ceil(len(order) / 12)))
        ticks = list(range(0, len(order), step))
        ax.set_xticks(ticks, [order[i] for i in ticks], rotation=45 if len(order) > 6 else 0, ha="right" if len(order) > 6 else "center")
        ax.set_xlim(-0.5, len(order) - 0.5)
        ax.set_xlabel(t("fig_period", flang))
        ax.set_ylabel(t("fig_index", flang))
        ax.grid(True, axis="y", alpha=0.3)
        if multi:
            ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        elif partial_any:
            ax.legend(fontsize=7, loc="best", frameon=False)
        if interval and {"ci_lower", "ci_upper"}.issubset(df.columns) and confidence is not None:
            rule = rule or ("t" if level == "company" else "z")
            ax.text(0.01, 0.02, t(f"fig_interval_{rule}", flang, level=_pct(confidence)), transform=ax.transAxes,
                    fontsize=7, color="#555555")
        ax.set_title(title if title is not None else t(titles.get(level, "fig_company_title"), flang), fontsize=11)
    return fig


def _pct(level: float) -> str:
    from .numbers import fmt_pct

    return fmt_pct(level)


def league_baseline(values) -> float:
    """Where the bars of a league table start: 10 points below the lowest index, down to a
    multiple of 10, within 0-100 (stated on the figure; the axis is not a 0-100 axis)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not len(v):
        return 0.0
    return float(min(100.0, max(0.0, 10.0 * np.floor((v.min() - 10.0) / 10.0))))


# =========================================================================== league table
def _indexes_table(obj) -> tuple[pd.DataFrame, str | None, list[str]]:
    if isinstance(obj, ReportData):
        return obj.table("company_indexes"), obj.period_col, obj.unit_cols
    if hasattr(obj, "indexes") and hasattr(obj, "options"):
        opts = obj.options
        return obj.indexes, opts.get("period"), list(opts.get("unit") or [])
    if isinstance(obj, pd.DataFrame):
        period = "period" if "period" in obj.columns else None
        unit = [c for c in ("company", "unit") if c in obj.columns][:1]
        return obj, period, unit
    raise DataError(f"league_table takes unit indexes (a DataFrame), a FitResult or a ReportData; got {type(obj).__name__}")


@validate_params("league_table", lang=LANG)
def league_table(indexes, industry=None, *, period=None, lang: str = "en", ax=None, title: str | None = None,
                 unit_col: str | None = None, reference: float | None = None, reference_label: str | None = None,
                 confidence: float | None = None, baseline: float | None = None) -> Figure:
    """Companies of one industry ranked by index, with their intervals.

    Parameters
    ----------
    indexes : DataFrame, FitResult or ReportData
        Unit indexes (``index, ci_lower, ci_upper``, a unit column, optional
        ``industry``, ``period``, ``status``).
    industry : str, optional
        Only the units of this industry (column ``industry``); default all units.
    period : str, optional
        Period to show (default: the latest in the table for that industry).
    reference : float, optional
        A vertical line, e.g. the industry's aggregate index.
    lang : {"en", "zh", "zh-hans", "zh-hant"}
    confidence : float, optional
        Level of the whiskers (Student-t intervals of the unit indexes), written on the figure.
    baseline : float, optional
        Where the bars start (default :func:`league_baseline`); written on the figure, because
        bars that do not start at 0 exaggerate differences.

    Returns
    -------
    matplotlib.figure.Figure
        Units without an index (failed) are listed at the bottom, marked "not estimated".

    Examples
    --------
    >>> league_table(fit.indexes, industry="Airlines")       # doctest: +SKIP
    """
    df, pcol, ucols = _indexes_table(indexes)
    df = df.copy()
    if industry is not None:
        if "industry" not in df.columns:
            raise DataError(f"league_table: industry={industry!r} given but the indexes have no 'industry' column ({list(df.columns)})")
        missing = isinstance(industry, float) and np.isnan(industry)  # the units without an industry
        df = df.loc[df["industry"].isna() if missing else df["industry"].astype(str) == str(industry)]
        if df.empty:
            raise DataError(f"league_table: no units in industry {industry!r}; industries are {sorted(map(str, indexes_industries(indexes)))}")
    if pcol and pcol in df.columns:
        df[pcol] = df[pcol].astype(str)
        period = str(period) if period is not None else _period_order(df[pcol])[-1]
        df = df.loc[df[pcol] == period]
        if df.empty:
            raise DataError(f"league_table: no units in period {period!r}")
    ucol = unit_col or (ucols[0] if ucols else next((c for c in ("company", "unit") if c in df.columns), None))
    if ucol is None or ucol not in df.columns:
        raise DataError(f"league_table: cannot tell which column names the units; pass unit_col= (columns: {list(df.columns)})")
    df = df.sort_values("index", ascending=True, na_position="first", kind="stable").reset_index(drop=True)
    flang = fonts.figure_lang(lang)
    given_ax = ax is not None
    with fonts.font_context(flang):
        fig, ax = _new_axes(ax, (6.4, max(2.0, 0.34 * len(df) + 1.5)))
        y = np.arange(len(df))
        val = df["index"].to_numpy(dtype=float)
        ok = np.isfinite(val)
        base = league_baseline(val) if baseline is None else float(baseline)
        ax.barh(y[ok], val[ok] - base, left=base, color="#7aa6d6", height=0.6, zorder=2)
        if {"ci_lower", "ci_upper"}.issubset(df.columns):
            lo = df["ci_lower"].to_numpy(dtype=float)
            hi = df["ci_upper"].to_numpy(dtype=float)
            good = ok & np.isfinite(lo) & np.isfinite(hi)
            ax.errorbar(val[good], y[good], xerr=[val[good] - lo[good], hi[good] - val[good]], fmt="none",
                        ecolor="#27496d", capsize=2.5, linewidth=1, zorder=3)
        finite = val[ok]
        lo_x = base
        top = np.nanmax(np.r_[finite, df["ci_upper"].to_numpy(dtype=float)[ok]]) if "ci_upper" in df and len(finite) \
            else (finite.max() if len(finite) else 100.0)
        hi_x = min(100.0, np.ceil(top + 6)) if len(finite) else 100.0
        for yi, v in zip(y, val):
            if np.isfinite(v):
                ax.text(v + 0.3, yi + 0.3, fixed(v, 1), va="center", fontsize=7.5, color="#222222", zorder=4)
            else:
                ax.text(lo_x + 0.5, yi, t("fig_not_estimated", flang), va="center", fontsize=7.5, color="#a33", style="italic")
        if reference is not None and np.isfinite(reference):
            ax.axvline(reference, color="#c0392b", linestyle="--", linewidth=1, zorder=1,
                       label=reference_label or fixed(reference, 1))
            ax.legend(fontsize=7, loc="lower right")
        ax.set_yticks(y, [str(u) for u in df[ucol]], fontsize=8)
        ax.set_xlim(lo_x, hi_x)
        ax.set_xlabel(t("fig_index", flang))
        note = t("fig_bars_from", flang, base=fixed(base, 0))
        if confidence is not None and {"ci_lower", "ci_upper"}.issubset(df.columns):
            note += "; " + t("fig_whiskers", flang, level=_pct(confidence))
        if given_ax:
            ax.text(0.99, 0.01, note, transform=ax.transAxes, ha="right", va="bottom", fontsize=6.5, color="#555555")
        else:
            fig.supxlabel(note, fontsize=7, color="#555555")
        ax.grid(True, axis="x", alpha=0.3)
        if title is None:
            title = t("fig_league_title", flang, industry=industry if industry is not None else t("all_units", flang),
                      period=period if period is not None else "")
        ax.set_title(title, fontsize=11)
    return fig


def indexes_industries(obj) -> list:
    df, _, _ = _indexes_table(obj)
    return list(pd.unique(df["industry"])) if "industry" in df.columns else []


# =========================================================================== IPA
@validate_params("ipa_chart", lang=LANG)
def ipa_chart(table_or_fit, *, performance: pd.Series | None = None, headline: str | None = None, lang: str = "en",
              ax=None, title: str | None = None) -> Figure:
    """Importance-performance quadrant chart (四分圖) of the headline's drivers.

    Parameters
    ----------
    table_or_fit : DataFrame, FitResult or ReportData
        An IPA table (columns ``attribute, importance, performance, quadrant,
        importance_cut, performance_cut`` as returned by :func:`acsi.methods.ipa.ipa`),
        or a fit: then importance is each driver's total effect on the headline
        latent, ``T = (I − B)⁻¹ − I`` from the pooled path coefficients, and
        performance its mean 0-100 score.
    performance : Series, optional
        0-100 performance per latent (overrides the fit's pooled means).
    headline : str, optional
        Target latent (default: the model's headline).
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.figure.Figure
        Drawn by :func:`acsi.methods.ipa.ipa_plot`.

    Examples
    --------
    >>> ipa_chart(fit)                                                   # doctest: +SKIP
    """
    flang = fonts.figure_lang(lang)
    if isinstance(table_or_fit, pd.DataFrame) and "quadrant" in table_or_fit.columns:
        table = table_or_fit
    else:
        data = table_or_fit if isinstance(table_or_fit, ReportData) else from_objects(table_or_fit)
        est = data.table("pooled_estimates")
        perf = performance if performance is not None else data.pooled_performance
        target = headline or data.headline
        table = ipa_table(est, perf, target, flang) if performance is not None else pooled_ipa(data, flang, target)
        if table is None:
            raise DataError(
                "ipa_chart: cannot compute the importance-performance table (needs pooled path estimates, the "
                f"headline latent ({target!r}) with at least two drivers, and 0-100 performance per driver)"
            )
    with fonts.font_context(flang):
        fig = ipa_plot(table, ax=ax, lang="zh" if is_chinese(flang) else "en",
                       title=title if title is not None else t("fig_ipa_title", flang))
        axis = ax if ax is not None else fig.axes[0]
        if {"importance_lower", "performance_lower"}.issubset(table.columns):
            x, y = table["performance"].to_numpy(float), table["importance"].to_numpy(float)
            xl, xu = table["performance_lower"].to_numpy(float), table["performance_upper"].to_numpy(float)
            yl, yu = table["importance_lower"].to_numpy(float), table["importance_upper"].to_numpy(float)
            ok = np.isfinite(xl) & np.isfinite(xu) & np.isfinite(yl) & np.isfinite(yu)
            if ok.any():
                axis.errorbar(x[ok], y[ok], xerr=[x[ok] - xl[ok], xu[ok] - x[ok]], yerr=[y[ok] - yl[ok], yu[ok] - y[ok]],
                              fmt="none", ecolor="#888888", elinewidth=0.8, capsize=2, zorder=2)
                for get, set_, lo, hi in ((axis.get_xlim, axis.set_xlim, xl, xu), (axis.get_ylim, axis.set_ylim, yl, yu)):
                    a, b = min(get()[0], np.nanmin(lo[ok])), max(get()[1], np.nanmax(hi[ok]))
                    set_(a - 0.05 * (b - a), b + 0.05 * (b - a))
            if "fix_first" in table.columns and table["fix_first"].any():
                ff = table["fix_first"].to_numpy(bool)
                axis.scatter(x[ff], y[ff], s=140, facecolors="none", edgecolors="tab:red", linewidths=1.5, zorder=4)
            level = float(table["level"].iloc[0]) if "level" in table.columns else None
            method = str(table["interval"].iloc[0]) if "interval" in table.columns else "none"
            axis.text(0.5, 0.01, t(f"fig_ipa_note_{method}", flang, level=_pct(level) if level else ""),
                      transform=axis.transAxes, ha="center", va="bottom", fontsize=6.5, color="#555555")
        for text in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "set_text")):
            label = text.get_text()
            if label and is_chinese(flang):
                text.set_text(to_script(label, flang))
    return fig
