"""Standard errors, intervals and change tests for aggregated indexes.

Every aggregate produced by :func:`acsi.aggregate.aggregate` is a *fixed linear combination*
of unit measurements (one measurement = one unit's index in one period, estimated from its own
independent sample)::

    A = Σ_m c_Am · I_m          (c_Am: coefficient of measurement m in aggregate A)

so, with fixed weights and independent measurements,

    Var(A)     = Σ_m c_Am² · se_m²
    Cov(A, B)  = Σ_m c_Am · c_Bm · se_m²

These two lines contain every special case stated in the issue:

- weighted mean of independent units with fixed weights w_f:
  ``se² = Σ_f (w_f / Σ_g w_g)² · se_f²``;
- the W-quarter national mean of quarterly values Q_q resting on *different* samples:
  ``se² = (1/W²) Σ_q se_q²`` (no measurement is shared, so the cross terms vanish);
- with carry-forward, the same measurement enters several quarters of the window; its
  coefficients add up (``c_Am = (1/W) Σ_q c_qm``) and the variance is computed from the summed
  coefficient, which is the correct covariance-aware result (the naive quarterly formula
  would understate it).

Changes between two aggregates (previous period, same period a year earlier) use the same
covariance, so two overlapping four-quarter national means (they share three quarters of
measurements) are not treated as independent.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import sparse, stats

__all__ = ["ChangeTest", "change_test", "z_test", "interval", "variances", "covariances", "difference_variances"]


class ChangeTest(NamedTuple):
    """Result of :func:`change_test`: difference ``b - a``, its SE, z and two-sided p."""

    difference: np.ndarray | float
    se: np.ndarray | float
    z: np.ndarray | float
    p: np.ndarray | float


def change_test(a_index, a_se, b_index, b_se, *, cov=0.0) -> ChangeTest:
    """Test whether the change from estimate ``a`` (earlier) to ``b`` (later) is significant.

    Formula::

        d  = b - a
        se = sqrt(a_se² + b_se² - 2·cov)       (cov = 0 for independent estimates)
        z  = d / se
        p  = 2 · (1 - Φ(|z|))                  (two-sided, normal reference)

    When ``se`` is 0 (both estimates rest on the very same measurements, e.g. a carried-forward
    value compared with itself) the change has no sampling variance: ``z`` and ``p`` are NaN.

    Parameters
    ----------
    a_index, a_se, b_index, b_se : float or array-like
        Estimates and standard errors (broadcast together).
    cov : float or array-like, default 0
        Covariance of the two estimates (keyword only).

    Returns
    -------
    ChangeTest
        Named tuple ``(difference, se, z, p)``; scalars for scalar input.

    References
    ----------
    Standard large-sample test of a difference of two estimates (e.g. Cochran, *Sampling
    Techniques*, 3rd ed., 1977, sec. 2.10); ACSI reports change significance at 95 %.

    Examples
    --------
    >>> r = change_test(72.0, 0.6, 74.0, 0.8)
    >>> round(r.difference, 3), round(r.se, 3), round(r.z, 3), round(r.p, 4)
    (2.0, 1.0, 2.0, 0.0455)
    """
    a_var = np.asarray(a_se, dtype=float) ** 2
    b_var = np.asarray(b_se, dtype=float) ** 2
    var = a_var + b_var - 2 * np.asarray(cov, dtype=float)
    # Rounding can leave a tiny non-zero variance when both sides share everything.
    scale = np.where(np.isfinite(a_var + b_var), a_var + b_var, 0.0)
    var = np.where(var <= 1e-12 * scale, 0.0, var)
    return z_test(np.asarray(b_index, dtype=float) - np.asarray(a_index, dtype=float), np.sqrt(var))


def z_test(difference, se) -> ChangeTest:
    """``z = difference / se`` and two-sided ``p = 2(1 - Φ(|z|))``; NaN where ``se`` is 0 or NaN.

    Used by :func:`change_test` and by :func:`aggregate`, which computes the SE of a change
    directly as ``Var(B - A) = Σ_m (c_Bm - c_Am)² se_m²`` (no cancellation, exactly 0 when
    both rest on the same measurements with the same coefficients).
    """
    d = np.asarray(difference, dtype=float)
    se = np.asarray(se, dtype=float)
    zero = ~(se > 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = np.where(zero, np.nan, d / np.where(zero, 1.0, se))
    p = np.where(np.isnan(z), np.nan, 2.0 * stats.norm.sf(np.abs(z)))
    if np.ndim(d) == 0 and np.ndim(se) == 0:
        return ChangeTest(float(d), float(se), float(z), float(p))
    return ChangeTest(d, se, z, p)


def interval(index, se, confidence: float):
    """Normal interval ``index ± z_(1+confidence)/2 · se`` (1.959964 for 95 %)."""
    q = stats.norm.ppf(0.5 + confidence / 2.0)
    index = np.asarray(index, dtype=float)
    se = np.asarray(se, dtype=float)
    return index - q * se, index + q * se


def variances(C: sparse.csr_matrix, se: np.ndarray) -> np.ndarray:
    """``Var(A) = Σ_m c_Am² se_m²`` for every row of the coefficient matrix ``C``.

    A measurement with unknown (NaN) se makes the variance of every aggregate using it NaN.
    """
    return np.asarray(C.power(2) @ (np.asarray(se, dtype=float) ** 2)).ravel()


def covariances(C: sparse.csr_matrix, se: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``Cov(A_a, A_b) = Σ_m c_am c_bm se_m²`` for paired rows ``a[i]``, ``b[i]`` of ``C``."""
    if len(a) == 0:
        return np.zeros(0)
    prod = C[a].multiply(C[b]).tocsr()
    return np.asarray(prod @ (np.asarray(se, dtype=float) ** 2)).ravel()


def difference_variances(C: sparse.csr_matrix, se: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``Var(A_b - A_a) = Σ_m (c_bm - c_am)² se_m²`` (= Var A_a + Var A_b - 2 Cov) for paired rows."""
    if len(a) == 0:
        return np.zeros(0)
    diff = (C[b] - C[a]).tocsr()
    return np.asarray(diff.power(2) @ (np.asarray(se, dtype=float) ** 2)).ravel()
