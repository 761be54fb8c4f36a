"""Kano model (狩野紀昭 1984): classify requirements from functional/dysfunctional answers.

Each respondent answers, per attribute, a *functional* question ("if the product
has X, how do you feel?") and a *dysfunctional* one ("if it does not have X?"),
each on the five answers 1 like, 2 must-be (expect it), 3 neutral,
4 live-with (tolerate), 5 dislike.  The pair is classified with the standard
evaluation table (Berger et al. 1993, Table 1; rows functional, columns
dysfunctional):

=============  ====  =======  =======  =========  =======
functional     like  must-be  neutral  live-with  dislike
=============  ====  =======  =======  =========  =======
like           Q     A        A        A          O
must-be        R     I        I        I          M
neutral        R     I        I        I          M
live-with      R     I        I        I          M
dislike        R     R        R        R          Q
=============  ====  =======  =======  =========  =======

A attractive (excitement, 魅力), O one-dimensional (performance, 一元),
M must-be (basic, 必備), I indifferent (無差異), R reverse (反向),
Q questionable (可疑).

Category per attribute: the most frequent of the six.  **Tie rule**: among
equally frequent categories the one first in ``M > O > A > I > R > Q`` wins
(Berger et al. 1993; Matzler & Hinterhuber 1998: "if in doubt, must-be before
one-dimensional before attractive before indifferent", i.e. choose the
category with the greatest impact on the product); the ``tie`` column flags
such attributes.

Customer-satisfaction coefficients (Berger et al. 1993):

    Better = (A + O) / (A + O + M + I),     Worse = −(O + M) / (A + O + M + I).

References
----------
Kano, N., Seraku, N., Takahashi, F., Tsuji, S. (1984). Attractive quality and
must-be quality. *Hinshitsu* 14(2), 39-48.
Berger, C. et al. (1993). Kano's methods for understanding customer-defined
quality. *Center for Quality Management Journal* 2(4), 3-36.
Matzler, K., & Hinterhuber, H. H. (1998). How to make product development
projects more successful by integrating Kano's model of customer satisfaction
into quality function deployment. *Technovation* 18(1), 25-38.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..errors import MethodError

__all__ = ["KANO_TABLE", "KANO_CATEGORIES", "KANO_NAMES", "PRIORITY_ORDER", "TIE_ORDER", "kano_classify", "kano",
           "kano_from_long", "kano_plot", "kano_priority"]

#: Evaluation table: KANO_TABLE[functional - 1][dysfunctional - 1].
KANO_TABLE: tuple[str, ...] = ("QAAAO", "RIIIM", "RIIIM", "RIIIM", "RRRRQ")

#: Category codes with English and Chinese names.
KANO_CATEGORIES: dict[str, tuple[str, str]] = {
    "A": ("attractive", "魅力品質"),
    "O": ("one-dimensional", "一元品質"),
    "M": ("must-be", "必備品質"),
    "I": ("indifferent", "無差異品質"),
    "R": ("reverse", "反向品質"),
    "Q": ("questionable", "可疑結果"),
}

#: Other names of the three requirement classes: the source documents' (basic 基本型,
#: expected 期望型, exciting 興奮型) and GB/Z 19024 / ISO/TR 10014's factors (dissatisfiers,
#: satisfiers, delighters).  The Chinese renderings of the GB/Z 19024 names (不滿意因素,
#: 滿意因素, 愉悅因素) are acsi's Traditional-character wording of those terms.
KANO_NAMES: dict[str, dict[str, str]] = {
    "M": {"document": "basic", "document_zh": "基本型", "gbz19024": "dissatisfier", "gbz19024_zh": "不滿意因素"},
    "O": {"document": "expected", "document_zh": "期望型", "gbz19024": "satisfier", "gbz19024_zh": "滿意因素"},
    "A": {"document": "exciting", "document_zh": "興奮型", "gbz19024": "delighter", "gbz19024_zh": "愉悅因素"},
}

#: Improvement priority of the documents: basic (must-be) needs first, then expected
#: (one-dimensional), then exciting (attractive) ones.
PRIORITY_ORDER: tuple[str, ...] = ("M", "O", "A")

#: Tie-breaking priority (first wins).
TIE_ORDER: tuple[str, ...] = ("M", "O", "A", "I", "R", "Q")

_LABELS = {
    "like": 1, "i like it": 1, "i like it that way": 1, "delighted": 1,
    "must-be": 2, "must be": 2, "mustbe": 2, "expect": 2, "expect it": 2, "i expect it": 2,
    "it must be that way": 2,
    "neutral": 3, "i am neutral": 3, "indifferent": 3, "don't care": 3,
    "live-with": 4, "live with": 4, "i can live with it": 4, "tolerate": 4, "can tolerate": 4,
    "dislike": 5, "i dislike it": 5, "i dislike it that way": 5,
}


def _codes(values: pd.Series, what: str, attribute) -> tuple[np.ndarray, list]:
    """Map answers to codes 1..5 (NaN kept); collect unknown answers."""
    out = np.full(len(values), np.nan)
    bad = []
    for pos, (row, v) in enumerate(values.items()):
        if v is None or (not isinstance(v, str) and pd.api.types.is_scalar(v) and pd.isna(v)):
            continue
        code = None
        if isinstance(v, str):
            key = " ".join(v.strip().lower().replace("_", " ").split())
            key2 = key.replace(" ", "-")
            code = _LABELS.get(key, _LABELS.get(key2))
            if code is None and key.isdigit():
                code = int(key) if 1 <= int(key) <= 5 else None
        elif isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            if float(v) == int(v) and 1 <= int(v) <= 5:
                code = int(v)
        if code is None:
            bad.append((attribute, what, row, v))
        else:
            out[pos] = code
    return out, bad


def kano_classify(functional, dysfunctional) -> pd.Series:
    """Classify paired answers with the Kano evaluation table.

    Parameters
    ----------
    functional, dysfunctional : Series or sequence
        Answers as codes 1..5 (1 like, 2 must-be, 3 neutral, 4 live-with,
        5 dislike) or the English labels (case-insensitive).  Missing answers
        give a missing category.

    Returns
    -------
    Series of category codes ``A, O, M, I, R, Q`` (object dtype, NaN if missing).

    Examples
    --------
    >>> kano_classify([1, 2, "like"], [5, 5, "must-be"]).tolist()
    ['O', 'M', 'A']
    """
    f = functional if isinstance(functional, pd.Series) else pd.Series(list(functional), dtype=object)
    d = dysfunctional if isinstance(dysfunctional, pd.Series) else pd.Series(list(dysfunctional), dtype=object)
    if len(f) != len(d):
        raise MethodError(f"kano_classify: {len(f)} functional and {len(d)} dysfunctional answers; give one pair per respondent.")
    if not isinstance(dysfunctional, pd.Series):
        d.index = f.index
    fc, bad_f = _codes(f, "functional", "-")
    dc, bad_d = _codes(d, "dysfunctional", "-")
    _raise_unknown(bad_f + bad_d, "kano_classify")
    cats = [
        KANO_TABLE[int(a) - 1][int(b) - 1] if np.isfinite(a) and np.isfinite(b) else np.nan
        for a, b in zip(fc, dc)
    ]
    return pd.Series(cats, index=f.index, dtype=object, name="category")


def _raise_unknown(bad: list, where: str) -> None:
    if bad:
        shown = "; ".join(f"attribute {a!s} {w} row {r!r}: {v!r}" for a, w, r, v in bad[:20])
        more = f" (and {len(bad) - 20} more)" if len(bad) > 20 else ""
        raise MethodError(
            f"{where}: unknown Kano answers: {shown}{more}. Use codes 1-5 or the labels "
            "'like', 'must-be', 'neutral', 'live-with', 'dislike'."
        )


def kano(functional: pd.DataFrame, dysfunctional: pd.DataFrame) -> pd.DataFrame:
    """Kano category, counts and Better/Worse coefficients per attribute.

    Parameters
    ----------
    functional, dysfunctional : DataFrame
        One row per respondent, one column per attribute (the same columns and
        rows in both); answers as in :func:`kano_classify`.  A respondent with
        either answer missing is left out of that attribute's counts.

    Returns
    -------
    DataFrame indexed by ``attribute`` with columns ``A, O, M, I, R, Q`` (counts),
    ``n`` (classified pairs), ``category`` (code), ``category_name``, ``tie``
    (bool: the category won by the M > O > A > I > R > Q rule), ``better``,
    ``worse`` (NaN when A+O+M+I = 0).

    Notes
    -----
    Better = (A+O)/(A+O+M+I); Worse = −(O+M)/(A+O+M+I) (Berger et al. 1993).

    Examples
    --------
    >>> f = pd.DataFrame({"wifi": [1, 1, 2]}); d = pd.DataFrame({"wifi": [5, 3, 5]})
    >>> t = kano(f, d)  # one O, one A, one M: a three-way tie, M wins
    >>> t.loc["wifi", "category"], bool(t.loc["wifi", "tie"]), round(float(t.loc["wifi", "better"]), 3)
    ('M', True, 0.667)
    """
    if not isinstance(functional, pd.DataFrame) or not isinstance(dysfunctional, pd.DataFrame):
        raise MethodError("kano: functional and dysfunctional must be DataFrames (respondents x attributes); "
                          "for long data use kano_from_long().")
    if functional.shape[1] == 0 or len(functional) == 0:
        raise MethodError("kano: the answer tables are empty; give one column per attribute and one row per respondent.")
    if list(functional.columns) != list(dysfunctional.columns):
        raise MethodError(
            f"kano: functional columns {list(functional.columns)} differ from dysfunctional columns "
            f"{list(dysfunctional.columns)}; give the same attributes in the same order."
        )
    if len(functional) != len(dysfunctional) or not functional.index.equals(dysfunctional.index):
        raise MethodError("kano: functional and dysfunctional tables have different rows; align them on the respondent index.")
    bad: list = []
    coded = {}
    for col in functional.columns:
        fc, bf = _codes(functional[col], "functional", col)
        dc, bd = _codes(dysfunctional[col], "dysfunctional", col)
        bad += bf + bd
        coded[col] = (fc, dc)
    _raise_unknown(bad, "kano")
    rows = []
    for col, (fc, dc) in coded.items():
        ok = np.isfinite(fc) & np.isfinite(dc)
        cats = [KANO_TABLE[int(a) - 1][int(b) - 1] for a, b in zip(fc[ok], dc[ok])]
        counts = {c: cats.count(c) for c in "AOMIRQ"}
        rows.append(_summarise(col, counts))
    return pd.DataFrame(rows).set_index("attribute")


def _summarise(attribute, counts: dict) -> dict:
    n = sum(counts.values())
    if n == 0:
        raise MethodError(f"kano: attribute {attribute!r} has no complete answer pair; remove it or add answers.")
    top = max(counts.values())
    winners = [c for c in TIE_ORDER if counts[c] == top]
    cat = winners[0]
    aomi = counts["A"] + counts["O"] + counts["M"] + counts["I"]
    better = (counts["A"] + counts["O"]) / aomi if aomi else np.nan
    worse = -(counts["O"] + counts["M"]) / aomi if aomi else np.nan
    return {"attribute": attribute, **counts, "n": n, "category": cat,
            "category_name": KANO_CATEGORIES[cat][0], "tie": len(winners) > 1,
            "better": float(better), "worse": float(worse)}


def kano_from_long(data: pd.DataFrame, *, attribute: str = "attribute", functional: str = "functional",
                   dysfunctional: str = "dysfunctional") -> pd.DataFrame:
    """:func:`kano` for long data: one row per (respondent, attribute) pair.

    Parameters
    ----------
    data : DataFrame
        Columns naming the attribute and the two answers.
    attribute, functional, dysfunctional : str
        Column names.

    Returns
    -------
    DataFrame as :func:`kano`, attributes in order of first appearance.
    """
    if not isinstance(data, pd.DataFrame) or len(data) == 0:
        raise MethodError("kano_from_long: the answer table is empty; give one row per respondent and attribute.")
    missing = [c for c in (attribute, functional, dysfunctional) if c not in data.columns]
    if missing:
        raise MethodError(f"kano_from_long: columns {missing} not found; the table has {list(data.columns)}. "
                          "Name them with attribute=, functional=, dysfunctional=.")
    bad: list = []
    rows = []
    for attr, grp in data.groupby(attribute, sort=False):
        fc, bf = _codes(grp[functional], "functional", attr)
        dc, bd = _codes(grp[dysfunctional], "dysfunctional", attr)
        bad += bf + bd
        ok = np.isfinite(fc) & np.isfinite(dc)
        cats = [KANO_TABLE[int(a) - 1][int(b) - 1] for a, b in zip(fc[ok], dc[ok])]
        rows.append((attr, {c: cats.count(c) for c in "AOMIRQ"}))
    _raise_unknown(bad, "kano_from_long")
    return pd.DataFrame([_summarise(a, c) for a, c in rows]).set_index("attribute")


def kano_plot(table: pd.DataFrame, ax=None, *, title: str | None = None) -> Figure:
    """Better-Worse diagram of a :func:`kano` table.

    x axis: ``|Worse|`` (how much satisfaction falls without the attribute),
    y axis: ``Better`` (how much it rises with it), both on 0-1 with lines at
    0.5: upper-left attractive, upper-right one-dimensional, lower-right
    must-be, lower-left indifferent.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(table, pd.DataFrame) or not {"better", "worse"}.issubset(table.columns):
        raise MethodError("kano_plot: expected the table returned by kano() with columns 'better' and 'worse'.")
    t = table.dropna(subset=["better", "worse"])
    if len(t) == 0:
        raise MethodError("kano_plot: no attribute has Better/Worse coefficients; nothing to plot.")
    if ax is None:
        fig = Figure(figsize=(6.0, 5.5))
        ax = fig.add_subplot(1, 1, 1)
    else:
        fig = ax.figure
    x = t["worse"].abs().to_numpy(dtype=float)
    y = t["better"].to_numpy(dtype=float)
    colors = {"A": "tab:green", "O": "tab:blue", "M": "tab:red", "I": "tab:gray", "R": "tab:purple", "Q": "tab:orange"}
    cats = t["category"] if "category" in t.columns else pd.Series("I", index=t.index)
    ax.scatter(x, y, c=[colors.get(c, "k") for c in cats], zorder=3)
    for xi, yi, name in zip(x, y, t.index):
        ax.annotate(str(name), (xi, yi), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.axvline(0.5, color="k", linestyle="--", linewidth=0.8)
    ax.axhline(0.5, color="k", linestyle="--", linewidth=0.8)
    ax.set_xlim(-0.02, 1.08)  # room for points and labels at 0 and 1
    ax.set_ylim(-0.02, 1.08)
    for (cx, cy, ha, va), text in zip(
        [(0.02, 0.98, "left", "top"), (0.98, 0.98, "right", "top"), (0.98, 0.02, "right", "bottom"), (0.02, 0.02, "left", "bottom")],
        ["attractive (A)", "one-dimensional (O)", "must-be (M)", "indifferent (I)"],
    ):
        ax.text(cx, cy, text, transform=ax.transAxes, ha=ha, va=va, fontsize=9, color="0.35")
    ax.set_xlabel("|Worse| = (O+M)/(A+O+M+I)")
    ax.set_ylabel("Better = (A+O)/(A+O+M+I)")
    ax.set_title(title if title is not None else "Kano Better-Worse diagram")
    return fig


def kano_priority(table: pd.DataFrame) -> pd.DataFrame:
    """Improvement priorities from a :func:`kano` table: must-be first, then one-dimensional, then attractive.

    Within a class the attributes are ordered by the coefficient that matters for it:
    must-be by ``|Worse|`` (how much dissatisfaction their absence causes), one-dimensional
    by ``Better + |Worse|``, attractive by ``Better`` (largest first; ties keep the input
    order).  Indifferent, reverse and questionable attributes get no priority.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`kano` or :func:`kano_from_long` (index ``attribute``, columns
        ``category``, ``better``, ``worse``).

    Returns
    -------
    DataFrame
        One row per attribute: ``attribute, priority`` (1, 2, ...; NaN when none),
        ``category, category_name, category_zh``, the documents' name (``document``,
        ``document_zh``), the GB/Z 19024 name (``gbz19024``, ``gbz19024_zh``),
        ``better, worse, advice``; prioritised attributes first.

    Examples
    --------
    >>> t = pd.DataFrame({"category": ["A", "M", "O", "I"], "better": [0.8, 0.1, 0.6, 0.1],
    ...                   "worse": [-0.1, -0.9, -0.6, -0.1]}, index=pd.Index(["wifi", "safety", "speed", "logo"], name="attribute"))
    >>> kano_priority(t)[["attribute", "priority", "document"]].values.tolist()
    [['safety', 1.0, 'basic'], ['speed', 2.0, 'expected'], ['wifi', 3.0, 'exciting'], ['logo', nan, '']]
    """
    need = {"category", "better", "worse"}
    if not isinstance(table, pd.DataFrame) or not need.issubset(table.columns):
        cols = list(table.columns) if isinstance(table, pd.DataFrame) else type(table).__name__
        raise MethodError(f"kano_priority: expected the table returned by kano() with columns {sorted(need)}; got {cols}.")
    unknown = sorted({str(c) for c in table["category"] if c not in KANO_CATEGORIES})
    if unknown:
        raise MethodError(f"kano_priority: unknown categories {unknown}; use the codes {list(KANO_CATEGORIES)}.")
    t = table.reset_index()
    if "attribute" not in t.columns:
        t = t.rename(columns={t.columns[0]: "attribute"})
    better = t["better"].astype(float)
    worse = t["worse"].abs().astype(float)
    key = np.select([t["category"] == "M", t["category"] == "O", t["category"] == "A"],
                    [worse, better + worse, better], default=np.nan)
    rank_class = t["category"].map({c: i for i, c in enumerate(PRIORITY_ORDER)}).fillna(len(PRIORITY_ORDER))
    t = t.assign(_class=rank_class, _key=-np.nan_to_num(key, nan=0.0), _pos=np.arange(len(t)))
    t = t.sort_values(["_class", "_key", "_pos"], kind="stable")
    prio = t["category"].isin(PRIORITY_ORDER).to_numpy()
    advice = {"M": "fulfil first: its absence causes dissatisfaction",
              "O": "improve next: satisfaction rises with performance",
              "A": "add when the basics are met: it delights when present",
              "I": "no priority: customers are indifferent",
              "R": "reconsider: customers prefer its absence",
              "Q": "check the question: contradictory answers"}
    out = pd.DataFrame({
        "attribute": t["attribute"].to_numpy(),
        "priority": np.where(prio, np.cumsum(prio), np.nan),
        "category": t["category"].to_numpy(),
        "category_name": [KANO_CATEGORIES[c][0] for c in t["category"]],
        "category_zh": [KANO_CATEGORIES[c][1] for c in t["category"]],
        "document": [KANO_NAMES.get(c, {}).get("document", "") for c in t["category"]],
        "document_zh": [KANO_NAMES.get(c, {}).get("document_zh", "") for c in t["category"]],
        "gbz19024": [KANO_NAMES.get(c, {}).get("gbz19024", "") for c in t["category"]],
        "gbz19024_zh": [KANO_NAMES.get(c, {}).get("gbz19024_zh", "") for c in t["category"]],
        "better": better.loc[t.index].to_numpy(),
        "worse": t["worse"].astype(float).to_numpy(),
        "advice": [advice[c] for c in t["category"]],
    })
    return out
