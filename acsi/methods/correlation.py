"""Correlation table with significance tests (相關分析) and a multiple-testing adjustment.

For every pair of items, on the respondents who answered both (pairwise complete):

* ``pearson``: ``r``, the test ``t = r √((n − 2)/(1 − r²))`` on ``n − 2`` df, and the
  Fisher-z interval ``tanh(atanh r ± z_{1−α/2} / √(n − 3))`` (R ``cor.test``);
* ``spearman``: Spearman's ρ with the same ``t`` approximation (R
  ``cor.test(method = "spearman", exact = FALSE)``); no interval (NaN);
* ``kendall``: Kendall's τ-b with the tie-corrected normal approximation (R
  ``cor.test(method = "kendall", exact = FALSE)``); no interval.

The tests come from SciPy (``pearsonr``, ``spearmanr``, ``kendalltau``).  Testing many pairs
at once inflates false positives: with ``m`` tests at level α about ``m α`` come out
"significant" by chance, so the table also carries p-values adjusted over all pairs by
statsmodels' ``multipletests`` (``holm`` by default, also ``bonferroni``, ``fdr_bh``
(Benjamini-Hochberg) or ``none``; R ``p.adjust``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import MethodError
from ..summary import Summary
from ._data import numeric_column, require
from .intervals import check_confidence

__all__ = ["CORRELATION_METHODS", "ADJUSTMENTS", "CorrelationResult", "correlation_table"]

CORRELATION_METHODS: tuple[str, ...] = ("pearson", "spearman", "kendall")
#: acsi name -> statsmodels ``multipletests`` method (R ``p.adjust`` names in brackets).
ADJUSTMENTS: dict[str, str | None] = {"holm": "holm", "bonferroni": "bonferroni", "fdr_bh": "fdr_bh", "BH": "fdr_bh",
                                      "none": None}


@dataclass(frozen=True)
class CorrelationResult:
    """Result of :func:`correlation_table`.

    Attributes
    ----------
    pairs : DataFrame
        One row per pair: ``item1, item2, n, r, statistic, pvalue, p_adjusted, ci_lower,
        ci_upper, significant`` (adjusted p below ``alpha``).
    method, adjust : str
    confidence : float
    note : str
        The multiple-testing note for the report.
    """

    pairs: pd.DataFrame
    method: str
    adjust: str
    confidence: float
    note: str

    def matrix(self, value: str = "r") -> pd.DataFrame:
        """A square table of one column of :attr:`pairs` (``r``, ``pvalue``, ``p_adjusted``, ``n``)."""
        if value not in ("r", "pvalue", "p_adjusted", "n", "statistic"):
            raise MethodError(f"CorrelationResult.matrix: value must be 'r', 'pvalue', 'p_adjusted', 'n' or "
                              f"'statistic'; got {value!r}.")
        items = list(dict.fromkeys(list(self.pairs["item1"]) + list(self.pairs["item2"])))
        pos = {c: i for i, c in enumerate(items)}
        arr = np.full((len(items), len(items)), np.nan)
        for a, b, v in zip(self.pairs["item1"], self.pairs["item2"], self.pairs[value]):
            arr[pos[a], pos[b]] = arr[pos[b], pos[a]] = v
        if value == "r":
            np.fill_diagonal(arr, 1.0)
        return pd.DataFrame(arr, index=items, columns=items)

    def summary(self) -> Summary:
        """Printable summary."""
        return Summary(f"Correlations ({self.method})", [("Pairs", self.pairs), ("Multiple testing", self.note)])


def correlation_table(data: pd.DataFrame, items: Sequence[str] | None = None, *, method: str = "pearson",
                      adjust: str = "holm", confidence: float = 0.95) -> CorrelationResult:
    """Pairwise correlations with tests, intervals and adjusted p-values.

    Parameters
    ----------
    data : DataFrame
        Respondents x items.
    items : sequence of str, optional
        Numeric columns (default: all numeric columns).
    method : {"pearson", "spearman", "kendall"}
    adjust : {"holm", "bonferroni", "fdr_bh", "none"}
        Multiple-testing adjustment over all pairs.
    confidence : float
        Level of the Pearson intervals; ``1 − confidence`` is the ``alpha`` of ``significant``.

    Returns
    -------
    CorrelationResult

    Examples
    --------
    >>> d = pd.DataFrame({"a": [1, 2, 3, 4, 5, 6], "b": [2, 1, 4, 3, 6, 5], "c": [6, 4, 5, 2, 3, 1]})
    >>> res = correlation_table(d)
    >>> res.pairs[["item1", "item2"]].values.tolist()
    [['a', 'b'], ['a', 'c'], ['b', 'c']]
    """
    if method not in CORRELATION_METHODS:
        raise MethodError(f"correlation_table: method must be one of {list(CORRELATION_METHODS)}; got {method!r}.")
    if adjust not in ADJUSTMENTS:
        raise MethodError(f"correlation_table: adjust must be one of {list(ADJUSTMENTS)}; got {adjust!r}.")
    confidence = check_confidence(confidence, "correlation_table")
    if not isinstance(data, pd.DataFrame) or data.size == 0:
        raise MethodError("correlation_table: the data table is empty; give respondents x items.")
    if items is None:
        items = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])]
    items = list(items)
    missing = [c for c in items if c not in data.columns]
    if missing:
        raise MethodError(f"correlation_table: columns {missing} not found; the table has {list(data.columns)}.")
    if len(items) < 2:
        raise MethodError(f"correlation_table: needs at least two numeric items; got {items}.")
    num = {c: numeric_column(data, c, "correlation_table").to_numpy() for c in items}
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    rows = []
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            ok = np.isfinite(num[a]) & np.isfinite(num[b])
            x, y = num[a][ok], num[b][ok]
            n = int(ok.sum())
            if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
                raise MethodError(f"correlation_table: items {a!r} and {b!r} have {n} complete pairs"
                                  f"{' and one is constant' if n >= 3 else ''}; a correlation needs at least 3 pairs "
                                  "and two varying items.")
            lo = hi = np.nan
            if method == "pearson":
                r, pval = stats.pearsonr(x, y)
                stat = r * np.sqrt((n - 2) / (1 - r * r)) if abs(r) < 1 else np.inf * np.sign(r)
                if n > 3:
                    lo, hi = np.tanh(np.arctanh(r) - z / np.sqrt(n - 3)), np.tanh(np.arctanh(r) + z / np.sqrt(n - 3))
            elif method == "spearman":
                r, pval = stats.spearmanr(x, y)
                stat = r * np.sqrt((n - 2) / (1 - r * r)) if abs(r) < 1 else np.inf * np.sign(r)
            else:
                res = stats.kendalltau(x, y, method="asymptotic")
                r, pval = res.statistic, res.pvalue
                stat = np.nan
            rows.append({"item1": a, "item2": b, "n": n, "r": float(r), "statistic": float(stat),
                         "pvalue": float(pval), "ci_lower": float(lo), "ci_upper": float(hi)})
    pairs = pd.DataFrame(rows)
    m = len(pairs)
    how = ADJUSTMENTS[adjust]
    if how is None:
        pairs["p_adjusted"] = pairs["pvalue"]
    else:
        multitest = require("statsmodels.stats.multitest", "correlation_table")
        pairs["p_adjusted"] = multitest.multipletests(pairs["pvalue"].to_numpy(), method=how)[1]
    alpha = 1.0 - confidence
    pairs["significant"] = pairs["p_adjusted"] < alpha
    pairs = pairs[["item1", "item2", "n", "r", "statistic", "pvalue", "p_adjusted", "ci_lower", "ci_upper", "significant"]]
    note = (f"{m} tests; by chance alone about {m * alpha:.2g} would have p < {alpha:g}. "
            + ("p-values are not adjusted." if how is None else
               f"p_adjusted controls {'the false-discovery rate' if how == 'fdr_bh' else 'the family-wise error rate'} "
               f"({adjust}); 'significant' uses p_adjusted < {alpha:g}."))
    return CorrelationResult(pairs=pairs, method=method, adjust=adjust, confidence=confidence, note=note)
