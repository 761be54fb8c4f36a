"""Importance-performance analysis (IPA, 四分圖模型) and the importance-performance map.

Each attribute has an importance ``I`` and a performance (satisfaction) ``P``.
With cut points ``(c_I, c_P)`` (the means by default, Martilla & James 1977)
the attribute falls in one quadrant:

====  ==================  ==================  =========================
code  importance          performance         reading
====  ==================  ==================  =========================
A     high (``>= c_I``)   high (``>= c_P``)   advantage 優勢區: keep up
B     high                low (``< c_P``)     repair 修補區: fix first
C     low (``< c_I``)     low                 opportunity 機會區: low priority
D     low                 high                maintain 維持區: secondary strength
====  ==================  ==================  =========================

A value equal to its cut point counts as *high*.

References
----------
Martilla, J. A., & James, J. C. (1977). Importance-performance analysis.
*Journal of Marketing* 41(1), 77-79.
Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results:
the importance-performance map analysis. *Industrial Management & Data Systems*
116(9), 1865-1886 (the SmartPLS IPMA convention used by
:func:`importance_performance_map`).
"""

from __future__ import annotations


import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..errors import MethodError

__all__ = ["QUADRANTS", "ipa", "ipa_from_answers", "ipa_plot", "importance_performance_map"]

#: Quadrant code -> (English label, Chinese label, English action, Chinese action).
QUADRANTS: dict[str, tuple[str, str, str, str]] = {
    "A": ("advantage", "優勢區", "keep up the good work", "繼續保持"),
    "B": ("repair", "修補區", "concentrate here: improve first", "優先改進"),
    "C": ("opportunity", "機會區", "low priority: leave for now", "暫不處理"),
    "D": ("maintain", "維持區", "secondary strength: maintain, do not over-invest", "維持現狀"),
}


def _to_series(x, name: str) -> pd.Series:
    if isinstance(x, pd.DataFrame):
        if x.shape[1] != 1:
            raise MethodError(f"ipa: {name} must be a Series or a one-column table; got columns {list(x.columns)}.")
        x = x.iloc[:, 0]
    if isinstance(x, pd.Series):
        s = x.copy()
    elif isinstance(x, dict):
        s = pd.Series(x)
    else:
        arr = list(x) if x is not None else []
        s = pd.Series(arr, index=[f"a{i + 1}" for i in range(len(arr))])
    try:
        s = s.astype(float)
    except (TypeError, ValueError):
        raise MethodError(f"ipa: {name} has non-numeric values {s.tolist()}; give numbers.") from None
    return s


def _cut_value(spec, values: pd.Series, name: str) -> float:
    if isinstance(spec, str):
        if spec == "mean":
            return float(values.mean())
        if spec == "median":
            return float(values.median())
        raise MethodError(f"ipa: cut for {name} must be 'mean', 'median' or a number; got {spec!r}.")
    try:
        v = float(spec)
    except (TypeError, ValueError):
        raise MethodError(f"ipa: cut for {name} must be 'mean', 'median' or a number; got {spec!r}.") from None
    if not np.isfinite(v):
        raise MethodError(f"ipa: cut for {name} must be finite; got {spec!r}.")
    return v


def ipa(importance, performance, *, cut=("mean", "mean"), labels: str = "en") -> pd.DataFrame:
    """Place attributes in the four importance-performance quadrants (四分圖).

    Parameters
    ----------
    importance, performance : Series, dict or sequence
        Importance and performance (satisfaction) per attribute, aligned on the
        index (sequences are named ``a1, a2, ...``).  Importance may be stated
        (mean survey answers) or derived (see :func:`importance_performance_map`).
    cut : tuple (importance cut, performance cut), keyword-only
        Each ``"mean"`` (default), ``"median"`` or a number.
    labels : {"en", "zh"}
        Language of the ``label`` and ``action`` columns; ``label_en`` and
        ``label_zh`` are always present.

    Returns
    -------
    DataFrame
        Columns ``attribute, importance, performance, quadrant, label_en, label_zh,
        label, action, importance_cut, performance_cut``; one row per attribute in
        input order.

    Notes
    -----
    Quadrant A: ``I >= c_I`` and ``P >= c_P``; B: ``I >= c_I``, ``P < c_P``;
    C: both low; D: ``I < c_I``, ``P >= c_P`` (Martilla & James 1977).

    Examples
    --------
    >>> t = ipa({"price": 4.5, "speed": 3.0}, {"price": 60, "speed": 80})
    >>> list(t["quadrant"])
    ['B', 'D']
    """
    if labels not in ("en", "zh"):
        raise MethodError(f"ipa: labels must be 'en' or 'zh'; got {labels!r}.")
    imp = _to_series(importance, "importance")
    perf = _to_series(performance, "performance")
    if len(imp) == 0 or len(perf) == 0:
        raise MethodError("ipa: importance and performance are empty; give at least one attribute.")
    if imp.index.has_duplicates or perf.index.has_duplicates:
        dups = sorted({str(i) for i in imp.index[imp.index.duplicated()]} | {str(i) for i in perf.index[perf.index.duplicated()]})
        raise MethodError(f"ipa: duplicated attribute names {dups}; name each attribute once.")
    missing_p = [i for i in imp.index if i not in perf.index]
    missing_i = [i for i in perf.index if i not in imp.index]
    if missing_p or missing_i:
        raise MethodError(
            f"ipa: importance and performance name different attributes (no performance for {missing_p}, "
            f"no importance for {missing_i}); give both for every attribute."
        )
    perf = perf.loc[imp.index]
    nan = [i for i in imp.index if not (np.isfinite(imp[i]) and np.isfinite(perf[i]))]
    if nan:
        raise MethodError(f"ipa: missing or infinite importance/performance for {nan}; drop these attributes or fill them.")
    if not isinstance(cut, (tuple, list)) or len(cut) != 2:
        raise MethodError(f"ipa: cut must be a pair (importance cut, performance cut); got {cut!r}.")
    c_i = _cut_value(cut[0], imp, "importance")
    c_p = _cut_value(cut[1], perf, "performance")
    data_cuts = [c for c in cut if isinstance(c, str)]
    if len(imp) < 2 and data_cuts:
        raise MethodError(
            f"ipa: one attribute ({str(imp.index[0])!r}) with the cut at the {data_cuts[0]} of the attributes: the cut "
            "is the attribute itself, so its quadrant means nothing. Give at least two attributes, or fixed cuts "
            "such as cut=(4.0, 3.5) (command line: --importance-cut 4 --performance-cut 3.5).")
    hi_i = imp.to_numpy() >= c_i
    hi_p = perf.to_numpy() >= c_p
    quad = np.where(hi_i & hi_p, "A", np.where(hi_i, "B", np.where(hi_p, "D", "C")))
    out = pd.DataFrame({
        "attribute": [str(i) for i in imp.index],
        "importance": imp.to_numpy(dtype=float),
        "performance": perf.to_numpy(dtype=float),
        "quadrant": quad,
    })
    out["label_en"] = [QUADRANTS[q][0] for q in quad]
    out["label_zh"] = [QUADRANTS[q][1] for q in quad]
    out["label"] = out["label_en"] if labels == "en" else out["label_zh"]
    out["action"] = [QUADRANTS[q][2] if labels == "en" else QUADRANTS[q][3] for q in quad]
    out["importance_cut"] = c_i
    out["performance_cut"] = c_p
    return out


def ipa_from_answers(importance_answers: pd.DataFrame, performance_answers: pd.DataFrame, *,
                     cut=("mean", "mean"), labels: str = "en") -> pd.DataFrame:
    """:func:`ipa` with stated importance: item means of raw survey answers.

    Parameters
    ----------
    importance_answers, performance_answers : DataFrame
        Respondents x attributes (same attribute columns); each attribute's
        importance and performance is the mean of its non-missing answers.
    cut, labels
        As in :func:`ipa`.

    Returns
    -------
    DataFrame as :func:`ipa`, with extra columns ``n_importance`` and
    ``n_performance`` (answers used).

    Examples
    --------
    >>> imp = pd.DataFrame({"price": [5, 4], "decor": [2, 3]})
    >>> perf = pd.DataFrame({"price": [2, 3], "decor": [4, 4]})
    >>> ipa_from_answers(imp, perf)["quadrant"].tolist()
    ['B', 'D']
    """
    for name, df in (("importance_answers", importance_answers), ("performance_answers", performance_answers)):
        if not isinstance(df, pd.DataFrame) or df.size == 0:
            raise MethodError(f"ipa_from_answers: {name} must be a non-empty DataFrame (respondents x attributes).")
    if list(importance_answers.columns) != list(performance_answers.columns):
        raise MethodError(
            f"ipa_from_answers: importance columns {list(importance_answers.columns)} differ from performance "
            f"columns {list(performance_answers.columns)}; give the same attributes in the same order."
        )
    means = []
    counts = []
    for name, df in (("importance_answers", importance_answers), ("performance_answers", performance_answers)):
        num = df.apply(pd.to_numeric, errors="coerce")
        bad = [(c, r) for c in df.columns for r in df.index[num[c].isna() & df[c].notna()][:5]]
        if bad:
            raise MethodError(f"ipa_from_answers: non-numeric answers in {name} at (column, row) {bad}.")
        empty = [c for c in df.columns if num[c].notna().sum() == 0]
        if empty:
            raise MethodError(f"ipa_from_answers: attributes {empty} have no answers in {name}.")
        means.append(num.mean())
        counts.append(num.notna().sum())
    out = ipa(means[0], means[1], cut=cut, labels=labels)
    out["n_importance"] = counts[0].to_numpy(dtype=int)
    out["n_performance"] = counts[1].to_numpy(dtype=int)
    return out


def importance_performance_map(total_effects: pd.Series, performance: pd.Series, *, target: str | None = None,
                               cut=("mean", "mean"), labels: str = "en") -> pd.DataFrame:
    """Importance-performance map analysis (IPMA, SmartPLS convention).

    A thin wrapper around :func:`ipa` for model-derived importance:

    * importance of driver ``j`` = its **unstandardised total effect** on the
      target construct (direct + indirect effects, from the PLS or SEM fit);
    * performance of driver ``j`` = mean of its latent score rescaled to 0-100
      (``100 · (x − min)/(max − min)`` on the item scale).

    Parameters
    ----------
    total_effects : Series
        Unstandardised total effects on the target, indexed by driver.
    performance : Series
        0-100 performance per driver (may contain more constructs, e.g. the
        target itself; only the drivers in ``total_effects`` are used).
    target : str, optional
        Name of the target construct; dropped from ``total_effects`` if present.
    cut, labels
        As in :func:`ipa`.

    Returns
    -------
    DataFrame
        As :func:`ipa`, one row per driver.

    References
    ----------
    Ringle & Sarstedt (2016), *Industrial Management & Data Systems* 116(9).

    Examples
    --------
    >>> te = pd.Series({"quality": 0.45, "value": 0.20, "expectation": 0.05})
    >>> perf = pd.Series({"quality": 78.0, "value": 64.0, "expectation": 80.0})
    >>> importance_performance_map(te, perf)["quadrant"].tolist()
    ['A', 'C', 'D']
    """
    te = _to_series(total_effects, "total_effects")
    perf = _to_series(performance, "performance")
    if target is not None and target in te.index:
        te = te.drop(index=target)
    if len(te) == 0:
        raise MethodError("importance_performance_map: no total effects given; pass the drivers' total effects on the target.")
    missing = [i for i in te.index if i not in perf.index]
    if missing:
        raise MethodError(
            f"importance_performance_map: no performance for drivers {missing}; performance has {list(perf.index)}."
        )
    perf = perf.loc[te.index]
    out_of_range = [f"{i}={v:g}" for i, v in perf.items() if not (0.0 <= v <= 100.0)]
    if out_of_range:
        raise MethodError(
            f"importance_performance_map: performance must be on 0-100 (rescaled latent means); got {out_of_range}. "
            "Rescale with 100*(x - min)/(max - min) of the item scale."
        )
    return ipa(te, perf, cut=cut, labels=labels)


def ipa_plot(table: pd.DataFrame, ax=None, lang: str = "en", *, title: str | None = None) -> Figure:
    """Draw the quadrant chart of an :func:`ipa` table.

    Performance on the x axis, importance on the y axis, dashed lines at the cut
    points, each point labelled with its attribute, each quadrant with its code
    and label.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`ipa` or :func:`importance_performance_map`.
    ax : matplotlib Axes, optional
        Draw into this axes; otherwise a new :class:`matplotlib.figure.Figure`.
    lang : {"en", "zh"}
        Language of the quadrant labels.  Chinese needs a CJK font: draw inside
        ``acsi.report.fonts.font_context("zh")`` (or set matplotlib's
        ``font.family``) to avoid missing glyphs.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if lang not in ("en", "zh"):
        raise MethodError(f"ipa_plot: lang must be 'en' or 'zh'; got {lang!r}.")
    need = {"attribute", "importance", "performance", "quadrant", "importance_cut", "performance_cut"}
    if not isinstance(table, pd.DataFrame) or not need.issubset(table.columns):
        cols = list(table.columns) if isinstance(table, pd.DataFrame) else type(table).__name__
        raise MethodError(f"ipa_plot: expected the table returned by ipa() with columns {sorted(need)}; got {cols}.")
    if len(table) == 0:
        raise MethodError("ipa_plot: the table is empty; nothing to plot.")
    fig = ax.figure if ax is not None else Figure(figsize=(6.4, 5.2))
    ax = ax if ax is not None else fig.add_subplot(1, 1, 1)
    x = table["performance"].to_numpy(dtype=float)
    y = table["importance"].to_numpy(dtype=float)
    c_p = float(table["performance_cut"].iloc[0])
    c_i = float(table["importance_cut"].iloc[0])
    colors = {"A": "tab:green", "B": "tab:red", "C": "tab:gray", "D": "tab:blue"}
    ax.scatter(x, y, c=[colors[q] for q in table["quadrant"]], zorder=3)
    for xi, yi, name in zip(x, y, table["attribute"]):
        ax.annotate(str(name), (xi, yi), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.axvline(c_p, color="k", linestyle="--", linewidth=0.8)
    ax.axhline(c_i, color="k", linestyle="--", linewidth=0.8)
    span_x = max(np.ptp(np.append(x, c_p)), 1e-9)
    span_y = max(np.ptp(np.append(y, c_i)), 1e-9)
    ax.set_xlim(min(x.min(), c_p) - 0.15 * span_x, max(x.max(), c_p) + 0.15 * span_x)
    ax.set_ylim(min(y.min(), c_i) - 0.15 * span_y, max(y.max(), c_i) + 0.15 * span_y)
    k = 0 if lang == "en" else 1
    corners = {"A": (0.98, 0.98, "right", "top"), "B": (0.02, 0.98, "left", "top"),
               "C": (0.02, 0.02, "left", "bottom"), "D": (0.98, 0.02, "right", "bottom")}
    for q, (cx, cy, ha, va) in corners.items():
        ax.text(cx, cy, f"{q} {QUADRANTS[q][k]}", transform=ax.transAxes, ha=ha, va=va,
                fontsize=9, color=colors[q])
    ax.set_xlabel("performance" if lang == "en" else "滿意度 (performance)")
    ax.set_ylabel("importance" if lang == "en" else "重要性 (importance)")
    ax.set_title(title if title is not None else ("Importance-performance analysis" if lang == "en" else "四分圖 (IPA)"))
    return fig
