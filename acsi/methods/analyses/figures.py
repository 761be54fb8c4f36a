"""Figures of the toolkit analyses that have no plot function of their own.

Each function returns a :class:`matplotlib.figure.Figure` (no pyplot state).  The Kano,
IPA, correspondence-analysis and dendrogram figures are the methods' own
(:func:`acsi.methods.kano_plot`, :func:`acsi.methods.ipa_plot`, :meth:`CAResult.plot`,
:meth:`ItemClusters.plot`).  ``lang="zh"`` labels the axes in Chinese; draw such figures
inside ``acsi.report.fonts.font_context("zh")`` so that the glyphs are found.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["interval_chart", "scree_chart", "pareto_chart", "classes_chart", "importance_chart", "zone_chart"]

_ZH = {
    "estimate": "估計值", "interval": "區間", "component": "成分", "eigenvalue": "特徵值",
    "customers": "顧客累計比例", "revenue share": "收入累計比例", "revenue": "收入", "cost to serve": "服務成本",
    "share of R²": "R² 佔比 (%)", "zone of tolerance": "容忍區間", "perception": "感知", "relative weight": "相對權重", "Shapley": "Shapley 值",
}


def _t(text: str, lang: str) -> str:
    return _ZH.get(text, text) if lang == "zh" else text


def interval_chart(table: pd.DataFrame, *, estimate: str, label: str | list[str], lower: str = "ci_lower",
                   upper: str = "ci_upper", title: str = "", xlabel: str | None = None,
                   reference: float | None = None, confidence: float | None = None, lang: str = "en") -> Figure:
    """Dots with interval bars, one row per line of ``table`` (labels from the ``label`` column(s)).

    ``reference`` draws a vertical line (a benchmark or zero gap); ``confidence`` is stated
    under the axis.  Rows without an interval are drawn as dots alone; an empty stratum
    label (the everyone rows of a stratified table) reads "all".
    """
    labels_cols = [label] if isinstance(label, str) else list(label)
    everyone = "全部" if lang == "zh" else "all"

    def text(v):
        return everyone if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)

    names = [" / ".join(text(v) for v in row) for row in table[labels_cols].itertuples(index=False)]
    est = table[estimate].to_numpy(dtype=float)
    lo = table[lower].to_numpy(dtype=float) if lower in table.columns else np.full(len(est), np.nan)
    hi = table[upper].to_numpy(dtype=float) if upper in table.columns else np.full(len(est), np.nan)
    fig = Figure(figsize=(6.4, max(2.2, 0.38 * len(est) + 1.2)))
    ax = fig.add_subplot(1, 1, 1)
    y = np.arange(len(est))[::-1]
    ok = np.isfinite(lo) & np.isfinite(hi)
    ax.errorbar(est[ok], y[ok], xerr=[est[ok] - lo[ok], hi[ok] - est[ok]], fmt="o", color="tab:blue",
                ecolor="tab:blue", capsize=3, zorder=3)
    ax.plot(est[~ok], y[~ok], "o", color="tab:blue", zorder=3)
    if reference is not None:
        ax.axvline(reference, color="0.4", linestyle="--", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(names, fontsize=8)
    level = "" if confidence is None else (f" ({100 * confidence:g}% 區間)" if lang == "zh"
                                           else f" (bars: {100 * confidence:g}% intervals)")
    ax.set_xlabel((xlabel or _t("estimate", lang)) + level)
    ax.set_title(title)
    ax.grid(axis="x", color="0.9")
    return fig


def scree_chart(eigenvalues, *, title: str = "Scree plot", kaiser: bool = True, lang: str = "en") -> Figure:
    """Eigenvalues against their component number, with Kaiser's line at 1."""
    lam = np.asarray(eigenvalues, dtype=float)
    fig = Figure(figsize=(5.6, 4.0))
    ax = fig.add_subplot(1, 1, 1)
    k = np.arange(1, len(lam) + 1)
    ax.plot(k, lam, "o-", color="tab:blue")
    if kaiser:
        ax.axhline(1.0, color="0.4", linestyle="--", linewidth=0.8)
    ax.set_xticks(k)
    ax.set_xlabel(_t("component", lang))
    ax.set_ylabel(_t("eigenvalue", lang))
    ax.set_title(title)
    return fig


def pareto_chart(table: pd.DataFrame, *, share: float, title: str = "Pareto analysis of customers",
                 lang: str = "en") -> Figure:
    """Cumulative revenue share against the cumulative share of customers (the key customers marked)."""
    x = np.concatenate([[0.0], table["customer_share"].to_numpy(dtype=float)])
    y = np.concatenate([[0.0], table["cumulative_share"].to_numpy(dtype=float)])
    key = np.concatenate([[False], table["key"].to_numpy(dtype=bool)])
    fig = Figure(figsize=(5.6, 4.4))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(x, y, "-", color="tab:blue")
    ax.plot(x[key], y[key], "o", color="tab:red", markersize=4, zorder=3)
    ax.plot([0, 1], [0, 1], ":", color="0.6")
    ax.axhline(share, color="0.4", linestyle="--", linewidth=0.8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(_t("customers", lang))
    ax.set_ylabel(_t("revenue share", lang))
    ax.set_title(title)
    return fig


def classes_chart(table: pd.DataFrame, *, revenue: str, cost: str, title: str = "Customer classes",
                  lang: str = "en") -> Figure:
    """Customers by cost to serve (x) and revenue (y), the cuts dashed, each class coloured."""
    colors = {"A": "tab:green", "B": "tab:blue", "C": "tab:gray", "D": "tab:red"}
    fig = Figure(figsize=(6.0, 5.0))
    ax = fig.add_subplot(1, 1, 1)
    for cls, part in table.groupby("class", sort=True):
        ax.scatter(part[cost], part[revenue], s=14, color=colors.get(cls, "k"), label=cls, zorder=3)
    ax.axvline(float(table["cost_cut"].iloc[0]), color="0.4", linestyle="--", linewidth=0.8)
    ax.axhline(float(table["revenue_cut"].iloc[0]), color="0.4", linestyle="--", linewidth=0.8)
    ax.legend(title="class", fontsize=8)
    ax.set_xlabel(_t("cost to serve", lang))
    ax.set_ylabel(_t("revenue", lang))
    ax.set_title(title)
    return fig


def importance_chart(importance: pd.DataFrame, *, title: str = "Derived importance", lang: str = "en") -> Figure:
    """Relative-weight and Shapley shares of R² per attribute (bars, largest first)."""
    t = importance.sort_values("rw_share", ascending=True)
    y = np.arange(len(t))
    fig = Figure(figsize=(6.4, max(2.4, 0.42 * len(t) + 1.2)))
    ax = fig.add_subplot(1, 1, 1)
    ax.barh(y + 0.2, t["rw_share"], height=0.4, color="tab:blue", label=_t("relative weight", lang))
    if t["shapley_share"].notna().any():
        ax.barh(y - 0.2, t["shapley_share"], height=0.4, color="tab:orange", label=_t("Shapley", lang))
    ax.set_yticks(y)
    ax.set_yticklabels(t["attribute"].astype(str), fontsize=8)
    ax.set_xlabel(_t("share of R²", lang))
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig


def zone_chart(items: pd.DataFrame, *, title: str = "Zone of tolerance", lang: str = "en") -> Figure:
    """Per item the zone between adequate and desired service (a bar) and the perception (a dot)."""
    y = np.arange(len(items))[::-1]
    lo = items["adequate"].to_numpy(dtype=float)
    hi = items["desired"].to_numpy(dtype=float)
    p = items["perception"].to_numpy(dtype=float)
    colors = {"below": "tab:red", "within": "tab:blue", "above": "tab:green"}
    fig = Figure(figsize=(6.4, max(2.4, 0.38 * len(items) + 1.2)))
    ax = fig.add_subplot(1, 1, 1)
    ax.barh(y, hi - lo, left=lo, height=0.5, color="0.85", label=_t("zone of tolerance", lang))
    ax.scatter(p, y, color=[colors.get(s, "k") for s in items["position"]], zorder=3, label=_t("perception", lang))
    ax.set_yticks(y)
    ax.set_yticklabels(items["item"].astype(str), fontsize=8)
    ax.legend(fontsize=8)
    ax.set_title(title)
    return fig
