"""Analytic hierarchy process (AHP, 層次分析法): weights from pairwise comparisons.

A pairwise-comparison matrix ``A`` (``a_ij`` = how much more important item ``i``
is than item ``j`` on Saaty's 1-9 scale) is *positive* and *reciprocal*
(``a_ji = 1 / a_ij``, ``a_ii = 1``).  The weights are its principal (Perron)
eigenvector ``w`` normalised to sum to one, ``A w = λmax w``.  Consistency:

    CI = (λmax − n) / (n − 1),        CR = CI / RI(n),

``RI`` Saaty's random index (mean CI of random reciprocal matrices).  A ratio
``CR < 0.1`` is acceptable (Saaty 1980); otherwise acsi issues a
:class:`~acsi.errors.ConsistencyWarning` naming the ratio.  For ``n <= 2`` every
reciprocal matrix is consistent and ``CI = CR = 0``.

References
----------
Saaty, T. L. (1977). A scaling method for priorities in hierarchical structures.
*Journal of Mathematical Psychology* 15, 234-281.
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
Saaty, T. L. (1990). How to make a decision: the analytic hierarchy process.
*European Journal of Operational Research* 48, 9-26.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConsistencyWarning, MethodError

__all__ = ["RANDOM_INDEX", "AHPResult", "ahp", "random_index", "parse_judgement", "read_matrix"]

#: Saaty's random consistency index RI(n), n = 1..15 (Saaty 1980; values for
#: n = 11..15 as extended in Saaty 1990/2000, the table used by Expert Choice).
RANDOM_INDEX: dict[int, float] = {
    1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41,
    9: 1.45, 10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59,
}

#: The usual acceptance threshold for the consistency ratio.
CR_THRESHOLD = 0.1


def random_index(n: int) -> float:
    """Saaty's random index ``RI(n)`` for ``1 <= n <= 15``.

    Examples
    --------
    >>> random_index(3)
    0.58
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n not in RANDOM_INDEX:
        raise MethodError(
            f"random_index: n must be an integer from 1 to 15 (Saaty's table); got {n!r}. "
            "Split a larger set of items into clusters of at most 15."
        )
    return RANDOM_INDEX[int(n)]


@dataclass(frozen=True)
class AHPResult:
    """Result of :func:`ahp` (read-only).

    Attributes
    ----------
    weights : Series
        Normalised principal eigenvector (sums to one), indexed by item.
    lambda_max : float
        Principal eigenvalue.
    ci, ri, cr : float
        Consistency index, random index and ratio (0 when n <= 2).
    n : int
        Number of items.
    matrix : DataFrame
        A copy of the validated comparison matrix.
    """

    weights: pd.Series
    lambda_max: float
    ci: float
    ri: float
    cr: float
    n: int
    matrix: pd.DataFrame

    @property
    def consistent(self) -> bool:
        """``True`` when ``CR < 0.1``."""
        return bool(self.cr < CR_THRESHOLD)

    def summary(self) -> pd.Series:
        """The scalar results as a Series (``n, lambda_max, ci, ri, cr, consistent``)."""
        return pd.Series(
            {"n": self.n, "lambda_max": self.lambda_max, "ci": self.ci, "ri": self.ri,
             "cr": self.cr, "consistent": self.consistent},
            dtype=object,
        )

    def table(self) -> pd.DataFrame:
        """Weights as a DataFrame with columns ``item, weight, rank``."""
        w = self.weights
        return pd.DataFrame({
            "item": list(w.index),
            "weight": w.to_numpy(dtype=float),
            "rank": w.rank(ascending=False, method="min").astype(int).to_numpy(),
        })


def _as_matrix(matrix) -> pd.DataFrame:
    if isinstance(matrix, pd.DataFrame):
        df = matrix.copy()
    else:
        try:
            arr = np.asarray(matrix, dtype=float)
        except (TypeError, ValueError) as exc:
            raise MethodError(f"ahp: the comparison matrix is not numeric ({exc}); pass a square array of positive numbers.") from None
        if arr.ndim != 2:
            raise MethodError(f"ahp: the comparison matrix must be 2-dimensional; got shape {arr.shape}.")
        df = pd.DataFrame(arr, index=[f"c{i + 1}" for i in range(arr.shape[0])],
                          columns=[f"c{j + 1}" for j in range(arr.shape[1])])
    return df


def ahp(matrix, *, rtol: float = 5e-2, warn: bool = True) -> AHPResult:
    """Weights and consistency of a pairwise-comparison matrix (principal eigenvector).

    Parameters
    ----------
    matrix : array-like or DataFrame, shape (n, n)
        Positive reciprocal matrix, ``a_ij`` the importance of row item ``i``
        over column item ``j``.  A DataFrame's index names the items (its columns
        must carry the same names in the same order).
    rtol : float, keyword-only
        Relative tolerance of the reciprocity check ``|a_ij a_ji − 1| <= rtol``
        and of the unit diagonal.  The default 5e-2 accepts reciprocals rounded
        to two decimals (0.33 for 1/3, 0.14 for 1/7, 0.13 for 1/8: off by <= 4%).
    warn : bool
        Issue a :class:`ConsistencyWarning` when ``CR >= 0.1`` (default).

    Returns
    -------
    AHPResult
        ``weights`` (Series summing to one), ``lambda_max``, ``ci``, ``ri``, ``cr``.

    Notes
    -----
    ``A w = λmax w``; ``CI = (λmax − n)/(n − 1)``; ``CR = CI / RI(n)`` with
    :data:`RANDOM_INDEX`.  For n <= 2, CI = CR = 0 by definition.

    Examples
    --------
    Saaty's (1977) light-intensity example (CR = 0.145, so ``warn=False``):

    >>> res = ahp([[1, 5, 6, 7], [1/5, 1, 4, 6], [1/6, 1/4, 1, 4], [1/7, 1/6, 1/4, 1]], warn=False)
    >>> round(res.lambda_max, 2), res.weights.round(2).tolist()
    (4.39, [0.62, 0.24, 0.1, 0.05])
    """
    df = _as_matrix(matrix)
    n_rows, n_cols = df.shape
    if n_rows == 0:
        raise MethodError("ahp: the comparison matrix is empty; give at least one item (a 1x1 matrix [[1]]).")
    if n_rows != n_cols:
        raise MethodError(f"ahp: the comparison matrix must be square; got {n_rows} rows and {n_cols} columns.")
    if isinstance(matrix, pd.DataFrame) and [str(c) for c in df.columns] != [str(i) for i in df.index]:
        raise MethodError(
            f"ahp: the matrix's row labels {list(df.index)} and column labels {list(df.columns)} differ; "
            "label rows and columns with the same items in the same order."
        )
    if n_rows > 15:
        raise MethodError(f"ahp: {n_rows} items; Saaty's random index is tabulated for n <= 15. Split the items into clusters.")
    try:
        a = df.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise MethodError("ahp: the comparison matrix has non-numeric entries; use numbers such as 3 or 1/3 (0.3333).") from None
    if not np.all(np.isfinite(a)):
        bad = [(df.index[i], df.columns[j]) for i, j in zip(*np.where(~np.isfinite(a)))]
        raise MethodError(f"ahp: missing or infinite entries at {bad}; fill every judgement.")
    if np.any(a <= 0):
        bad = [(df.index[i], df.columns[j], float(a[i, j])) for i, j in zip(*np.where(a <= 0))]
        raise MethodError(f"ahp: entries must be positive; got {bad}. Use 1/x for 'x times less important'.")
    diag = np.diag(a)
    if not np.allclose(diag, 1.0, rtol=0, atol=rtol):
        bad = [(df.index[i], float(diag[i])) for i in np.where(~np.isclose(diag, 1.0, rtol=0, atol=rtol))[0]]
        raise MethodError(f"ahp: the diagonal must be 1 (an item compared with itself); got {bad}.")
    prod = a * a.T
    off = np.abs(prod - 1.0) > rtol
    if off.any():
        bad = [(df.index[i], df.columns[j], float(a[i, j]), float(a[j, i])) for i, j in zip(*np.where(np.triu(off, 1)))]
        raise MethodError(
            "ahp: the matrix is not reciprocal (a_ji must equal 1/a_ij within rtol="
            f"{rtol:g}); offending pairs (row, column, a_ij, a_ji): {bad}. Set a_ji = 1/a_ij."
        )
    n = n_rows
    eigval, eigvec = np.linalg.eig(a)
    k = int(np.argmax(eigval.real))
    lam = float(eigval[k].real)
    vec = np.abs(eigvec[:, k].real)
    w = vec / vec.sum()
    if n <= 2:
        lam_report = float(n)  # exactly consistent; avoid round-off such as 2.0000000000000004
        ci = ri = cr = 0.0
        lam = lam_report
    else:
        ci = (lam - n) / (n - 1)
        ri = RANDOM_INDEX[n]
        cr = ci / ri
    result = AHPResult(
        weights=pd.Series(w, index=df.index, name="weight"),
        lambda_max=lam, ci=float(ci), ri=float(ri), cr=float(cr), n=n,
        matrix=pd.DataFrame(a, index=df.index, columns=df.columns),
    )
    if warn and cr >= CR_THRESHOLD:
        warnings.warn(
            f"ahp: consistency ratio CR = {cr:.3f} >= {CR_THRESHOLD} (lambda_max = {lam:.4f}, "
            f"CI = {ci:.4f}, RI = {ri}); the judgements are not acceptably consistent. Revise the "
            "most inconsistent comparisons, or pass warn=False to silence this warning.",
            ConsistencyWarning,
            stacklevel=2,
        )
    return result


def parse_judgement(value) -> float:
    """One comparison-matrix entry as a float: a number, or a fraction such as ``"1/3"``.

    Raises :class:`ValueError` for anything else (``read_matrix`` turns it into a
    :class:`MethodError` naming the cell).

    Examples
    --------
    >>> parse_judgement("1/3"), parse_judgement(" 5 "), parse_judgement(0.25)
    (0.3333333333333333, 5.0, 0.25)
    """
    if isinstance(value, bool):
        raise ValueError(f"not a judgement: {value!r}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip().replace("\u2044", "/").replace("\uff0f", "/")
    if not text:
        raise ValueError("empty cell")
    if "/" in text:
        num, _, den = text.partition("/")
        return float(Fraction(num.strip()) / Fraction(den.strip()))
    return float(text)


def read_matrix(path) -> pd.DataFrame:
    """Read a pairwise-comparison matrix from a CSV or Excel file.

    The header row and the first column name the items (in the same order); entries are
    numbers or fractions such as ``1/3`` (Saaty's reciprocals).  The result goes straight
    into :func:`ahp`.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (comma, semicolon or tab separated; detected) or ``.xlsx``/``.xls``.

    Returns
    -------
    DataFrame of floats, indexed and labelled by the items.

    Raises
    ------
    MethodError
        Missing file, an entry that is neither a number nor a fraction (naming the row,
        the column and the text), or a file with no items.
    """
    p = Path(path)
    if not p.is_file():
        raise MethodError(f"read_matrix: file not found: {str(path)!r}; give the path of a CSV or Excel matrix.")
    try:
        if p.suffix.lower() in (".xlsx", ".xls", ".xlsm"):
            raw = pd.read_excel(p, index_col=0, dtype=str)
        else:
            raw = pd.read_csv(p, index_col=0, dtype=str, sep=None, engine="python", skipinitialspace=True)
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise MethodError(f"read_matrix: cannot read {str(path)!r} as a matrix ({exc}); the first row and the first "
                          "column must name the items.") from None
    if raw.shape[0] == 0 or raw.shape[1] == 0:
        raise MethodError(f"read_matrix: {str(path)!r} has no items; the first row and the first column must name them.")
    raw.index = [str(i).strip() for i in raw.index]
    raw.columns = [str(c).strip() for c in raw.columns]
    out = np.empty(raw.shape)
    bad = []
    for i, row in enumerate(raw.index):
        for j, col in enumerate(raw.columns):
            v = raw.iat[i, j]
            try:
                out[i, j] = parse_judgement(v) if not (isinstance(v, float) and np.isnan(v)) else np.nan
            except (ValueError, ZeroDivisionError):
                bad.append((row, col, v))
    if bad:
        raise MethodError(f"read_matrix: {str(path)!r} has entries that are neither numbers nor fractions "
                          f"(row, column, text): {bad[:10]}; write judgements as 3, 0.5 or 1/3.")
    return pd.DataFrame(out, index=raw.index, columns=raw.columns)
