"""Correspondence analysis (對應分析) of a two-way contingency table, by a short SVD.

For counts ``N`` (I x J, total ``n``), correspondence matrix ``P = N / n``, row and column
masses ``r = P 1`` and ``c = P' 1``, the standardised residuals

    S = D_r^{-1/2} (P − r c') D_c^{-1/2} = U Σ V'

give the principal inertias ``σ_k²`` (``Σ_k σ_k² = χ² / n``, the total inertia), the
standard coordinates ``Φ = D_r^{-1/2} U`` and ``Γ = D_c^{-1/2} V`` and the principal
coordinates ``F = Φ Σ`` (rows) and ``G = Γ Σ`` (columns); ``min(I, J) − 1`` dimensions.
Per point: mass, inertia (its share of the total), and the quality ``cos²`` of its
representation on each dimension.  Signs are arbitrary in CA; acsi orients each dimension
so that the row with the largest absolute coordinate on it is positive (``ca`` leaves the
signs to LAPACK, so compare with it up to sign).

Equivalent R: ``ca::ca(N)`` (``$sv``, ``$rowcoord``/``$colcoord`` standard coordinates,
``$rowmass``, ``$rowinertia``).

References
----------
Greenacre, M. (2017). *Correspondence Analysis in Practice*, 3rd ed. CRC Press, ch. 4-6 and
appendix A (the SVD computation).
Nenadić, O., & Greenacre, M. (2007). Correspondence analysis in R, with two- and
three-dimensional graphics: the ca package. *Journal of Statistical Software* 20(3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import MethodError
from ..summary import Summary

__all__ = ["CAResult", "correspondence"]


@dataclass(frozen=True)
class CAResult:
    """Result of :func:`correspondence`.

    Attributes
    ----------
    eigenvalues : DataFrame
        ``dimension, singular_value, inertia, proportion, cumulative``.
    rows, columns : DataFrame
        Per category: ``mass, inertia`` (share of the total), principal coordinates
        ``dim1..`` and ``cos2_dim1..``.
    row_standard, column_standard : DataFrame
        Standard coordinates (``ca``'s ``rowcoord``/``colcoord``).
    fit : Series
        ``n, total_inertia, chi2, df, pvalue`` (Pearson's test of independence).
    """

    eigenvalues: pd.DataFrame
    rows: pd.DataFrame
    columns: pd.DataFrame
    row_standard: pd.DataFrame
    column_standard: pd.DataFrame
    fit: pd.Series

    def summary(self) -> Summary:
        """Printable summary."""
        return Summary("Correspondence analysis",
                       [("Fit", self.fit.to_frame("value").reset_index(names="measure")),
                        ("Principal inertias", self.eigenvalues),
                        ("Rows", self.rows.reset_index(names="category")),
                        ("Columns", self.columns.reset_index(names="category"))])

    def plot(self, ax=None, *, dims: tuple[int, int] = (1, 2)):
        """Symmetric map (principal coordinates of rows and columns) as a matplotlib Figure."""
        from matplotlib.figure import Figure
        a, b = (f"dim{d}" for d in dims)
        if a not in self.rows.columns or b not in self.rows.columns:
            raise MethodError(f"CAResult.plot: dimensions {dims} not available; the solution has "
                              f"{len(self.eigenvalues)} dimension(s).")
        if ax is None:
            fig = Figure(figsize=(6.0, 5.0))
            ax = fig.add_subplot(1, 1, 1)
        for tab, colour, marker in ((self.rows, "tab:blue", "o"), (self.columns, "tab:red", "^")):
            ax.scatter(tab[a], tab[b], c=colour, marker=marker, zorder=3)
            for name, x, y in zip(tab.index, tab[a], tab[b]):
                ax.annotate(str(name), (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8, color=colour)
        ax.axhline(0, color="0.6", linewidth=0.8)
        ax.axvline(0, color="0.6", linewidth=0.8)
        ev = self.eigenvalues.set_index("dimension")["proportion"]
        ax.set_xlabel(f"dimension {dims[0]} ({100 * ev.iloc[dims[0] - 1]:.1f}%)")
        ax.set_ylabel(f"dimension {dims[1]} ({100 * ev.iloc[dims[1] - 1]:.1f}%)")
        ax.set_title("Correspondence analysis (symmetric map)")
        return ax.figure


def correspondence(table: pd.DataFrame | None = None, *, data: pd.DataFrame | None = None, row: str | None = None,
                   column: str | None = None, n_dims: int | None = None) -> CAResult:
    """Simple correspondence analysis of a contingency table (or of two categorical columns).

    Parameters
    ----------
    table : DataFrame, optional
        Counts, rows x columns with labels.
    data, row, column : keyword-only, optional
        Instead of ``table``: respondent data and the two categorical columns to cross
        (rows with either missing are left out).
    n_dims : int, optional
        Dimensions to report (default all, ``min(I, J) − 1``).

    Returns
    -------
    CAResult

    Examples
    --------
    >>> t = pd.DataFrame([[20, 5, 5], [5, 20, 5], [5, 5, 20]], index=["north", "south", "east"],
    ...                  columns=["price", "service", "quality"])
    >>> res = correspondence(t)
    >>> round(float(res.fit["total_inertia"]), 4), len(res.eigenvalues)
    (0.5, 2)
    """
    if (table is None) == (data is None):
        raise MethodError("correspondence: give either a contingency table or data= with row= and column=, not both or neither.")
    if data is not None:
        if not isinstance(data, pd.DataFrame):
            raise MethodError("correspondence: data must be a DataFrame.")
        missing = [c for c in (row, column) if c is None or c not in data.columns]
        if missing:
            raise MethodError(f"correspondence: row= and column= must name columns of data; not found: {missing}; "
                              f"columns are {list(data.columns)}.")
        table = pd.crosstab(data[row], data[column])
    if not isinstance(table, pd.DataFrame) or table.shape[0] < 2 or table.shape[1] < 2:
        raise MethodError("correspondence: the table needs at least 2 rows and 2 columns of counts.")
    try:
        N = table.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise MethodError("correspondence: the table must hold numbers (counts).") from None
    if not np.all(np.isfinite(N)) or (N < 0).any():
        raise MethodError("correspondence: counts must be finite and non-negative.")
    empty_r = [table.index[i] for i in np.where(N.sum(axis=1) == 0)[0]]
    empty_c = [table.columns[j] for j in np.where(N.sum(axis=0) == 0)[0]]
    if empty_r or empty_c:
        raise MethodError(f"correspondence: empty rows {empty_r} and columns {empty_c} (all counts 0); drop them.")
    n = N.sum()
    P = N / n
    r, c = P.sum(axis=1), P.sum(axis=0)
    S = (P - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    U, sv, Vt = np.linalg.svd(S, full_matrices=False)
    K = min(N.shape) - 1
    if n_dims is not None:
        if isinstance(n_dims, bool) or not isinstance(n_dims, (int, np.integer)) or not 1 <= n_dims <= K:
            raise MethodError(f"correspondence: n_dims must be an integer from 1 to {K}; got {n_dims!r}.")
        K = int(n_dims)
    U, sv, V = U[:, :K], sv[:K], Vt[:K].T
    flip = np.sign(U[np.argmax(np.abs(U), axis=0), np.arange(K)])
    U, V = U * flip, V * flip
    phi = U / np.sqrt(r)[:, None]
    gam = V / np.sqrt(c)[:, None]
    F, G = phi * sv, gam * sv
    total = float((S ** 2).sum())
    inert = sv ** 2
    dims = [f"dim{k + 1}" for k in range(K)]

    def points(coords, mass, labels):
        resid = (S ** 2).sum(axis=1) if labels is table.index else (S ** 2).sum(axis=0)
        dist2 = resid / mass
        out = pd.DataFrame({"mass": mass, "inertia": resid / total}, index=labels)
        for k, name in enumerate(dims):
            out[name] = coords[:, k]
        for k, name in enumerate(dims):
            out[f"cos2_{name}"] = coords[:, k] ** 2 / dist2
        return out

    chi2 = n * total
    df = (N.shape[0] - 1) * (N.shape[1] - 1)
    eig = pd.DataFrame({"dimension": np.arange(1, K + 1), "singular_value": sv, "inertia": inert,
                        "proportion": inert / total, "cumulative": np.cumsum(inert) / total})
    return CAResult(
        eigenvalues=eig, rows=points(F, r, table.index), columns=points(G, c, table.columns),
        row_standard=pd.DataFrame(phi, index=table.index, columns=dims),
        column_standard=pd.DataFrame(gam, index=table.columns, columns=dims),
        fit=pd.Series({"n": float(n), "total_inertia": total, "chi2": float(chi2), "df": float(df),
                       "pvalue": float(stats.chi2.sf(chi2, df))}, name="fit"),
    )
