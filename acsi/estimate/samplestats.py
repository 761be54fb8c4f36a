"""Sample statistics of an ML fit: per group the number of rows, the mean vector and the
covariance matrix (denominator N, lavaan's ``likelihood = "normal"``), and optionally the raw
rows and case weights.

Complete-data ML depends on the data only through ``(n_g, x̄_g, S_g)``, so every engine takes a
:class:`SampleStats` rather than a DataFrame: a unit's fit from stored moments, the bootstrap's
resampled moments and a fit of raw rows all go through the same code.  The raw rows and the case
weights are kept for what needs more than the moments: FIML (missing-data patterns) and robust
standard errors and scaled tests (the casewise scores of :mod:`acsi.estimate.robust`).

Survey (sampling) weights, lavaan's ``sampling.weights`` with its default
``sampling.weights.normalization = "total"``: the weights ``v`` are rescaled to sum to the
number of rows over all groups, ``w_r = v_r N / Σ v``; a group's size is then ``n_g = Σ_{r∈g} w_r``
(so the group weights of a multigroup fit are the groups' shares of the total weight), its mean
``x̄_g = Σ w_r x_r / n_g`` and its covariance ``S_g = Σ w_r (x_r − x̄_g)(x_r − x̄_g)ᵀ / n_g``
(R's ``cov.wt(X, wt, method = "ML")``).  ML on these moments maximises the weighted
(pseudo-)log-likelihood ``Σ w_r log f(x_r)``.

Equivalent R: ``lavInspect(fit, "sampstat")`` (``cov`` with denominator N, ``mean``) and
``lavInspect(fit, "nobs")``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import EstimationError
from ..frames import float_matrix, nan_mask

__all__ = ["GroupStats", "SampleStats", "case_weights", "check_sample_cov", "check_weights", "normalize_weights", "weighted_moments"]


@dataclass(frozen=True)
class GroupStats:
    """One group's statistics (observed variables in the model's ``ov`` order).

    ``n`` rows (with survey weights: the group's total normalised weight ``Σ w_r``, see the
    module docstring); ``mean`` (p,), ``cov`` (p, p) with denominator ``n``; ``X`` the rows
    (rows × p, NaN = missing) when kept; ``weights`` the normalised case weights (rows,) or None
    (unweighted).
    """

    n: float
    mean: np.ndarray
    cov: np.ndarray
    X: np.ndarray | None = None
    weights: np.ndarray | None = None


@dataclass(frozen=True)
class SampleStats:
    """Sample statistics of every group (lavaan's ``lavsamplestats``).

    Attributes
    ----------
    groups : tuple of GroupStats
    ov : tuple of tuple of str
        The observed variables of each group, in the order of the statistics.
    labels : tuple
        The group labels (``(None,)`` for a single-group fit).
    """

    groups: tuple[GroupStats, ...]
    ov: tuple[tuple[str, ...], ...]
    labels: tuple = (None,)

    @property
    def ntotal(self) -> int:
        """Total number of rows ``N = Σ n_g`` (weighted: the normalised weights sum to N)."""
        return int(round(sum(g.n for g in self.groups)))

    @property
    def weighted(self) -> bool:
        """Whether the moments are survey-weighted."""
        return any(g.weights is not None for g in self.groups)

    @property
    def has_rows(self) -> bool:
        """Whether every group kept its raw rows (needed by robust standard errors)."""
        return all(g.X is not None for g in self.groups)

    @property
    def weights(self) -> np.ndarray:
        """Group weights ``n_g / N`` of the multigroup discrepancy ``F = Σ (n_g/N) F_g``."""
        n = np.array([g.n for g in self.groups], dtype=float)
        return n / n.sum()

    @classmethod
    def from_moments(cls, cov, n, mean=None, *, ov) -> "SampleStats":
        """Statistics of one group from its covariance (denominator N), N and mean."""
        cov = np.asarray(cov, dtype=float)
        mean = np.zeros(cov.shape[0]) if mean is None else np.asarray(mean, dtype=float)
        return cls(groups=(GroupStats(n=n if isinstance(n, float) else int(n), mean=mean, cov=cov),), ov=(tuple(ov),))

    @classmethod
    def from_data(cls, data: pd.DataFrame, ov, *, group: str | None = None, group_labels=None,
                  keep_rows: bool = False, complete: bool = True, weights=None) -> "SampleStats":
        """Statistics of ``data`` (a DataFrame) for the observed variables ``ov``.

        Parameters
        ----------
        data : DataFrame
        ov : sequence of str, or one sequence per group
        group : str, optional
            Column holding the group of each row (lavaan's ``group =``).
        group_labels : sequence, optional
            The groups in model order (default: the sorted distinct values of ``group``).
        keep_rows : bool
            Keep the raw rows (FIML, robust standard errors).
        complete : bool
            Refuse missing values (complete-data ML); ``False`` keeps them (FIML) and leaves
            ``mean``/``cov`` as the available-case moments, to be replaced by the EM moments.
        weights : str or array, optional
            Survey weights: a column of ``data`` or one value per row (lavaan's
            ``sampling.weights``; normalised as the module docstring says).  Weighted
            statistics always keep the rows and the weights.

        Raises
        ------
        EstimationError
            Columns missing from ``data``, missing values when ``complete``, fewer than two rows
            in a group, an unknown group label, a constant variable or a non-positive-definite
            sample covariance (named); weights that are missing, negative, infinite or all zero
            (:func:`check_weights`).
        """
        w_all = case_weights(data, weights)
        if group is None:
            parts = [(None, data)]
        else:
            if group not in data.columns:
                raise EstimationError(f"the group column {group!r} is not in the data (columns: {list(data.columns)[:20]})")
            # groups are matched by their text, as lavaan (which turns the group column into labels)
            key = data[group].map(lambda v: v if pd.isna(v) else str(v))
            present = [str(v) for v in pd.unique(key.dropna())]
            labels = sorted(present) if group_labels is None else [str(g) for g in group_labels]
            unknown = [g for g in present if g not in labels]
            if unknown:
                raise EstimationError(f"rows of groups {unknown} of column {group!r} are not among the model's groups {labels}")
            if key.isna().any():
                raise EstimationError(f"{int(key.isna().sum())} row(s) have no value in the group column {group!r}: "
                                      "drop them or give them a group")
            parts = [(g, data[(key == g).to_numpy()]) for g in labels]
        if w_all is None:
            wparts = [None] * len(parts)
        elif group is None:
            wparts = [w_all]
        else:
            wparts = [w_all[(key == g).to_numpy()] for g in labels]
        ovs = [tuple(ov)] * len(parts) if not ov or isinstance(ov[0], str) else [tuple(o) for o in ov]
        out = []
        for (g, part), names, wg in zip(parts, ovs, wparts):
            where = "" if g is None else f" in group {g!r}"
            missing_cols = [c for c in names if c not in part.columns]
            if missing_cols:
                raise EstimationError(f"data lack the model's items {missing_cols}: add these columns or fix the model")
            X = float_matrix(part, names)
            n = X.shape[0]
            holes = nan_mask(X) if complete else None
            if holes is not None:
                bad = [names[j] for j in np.flatnonzero(holes.any(axis=0))]
                raise EstimationError(
                    f"incomplete data passed to the SEM backend (missing values in {', '.join(bad)}{where}); "
                    "apply a missing-data policy first (acsi.fit does listwise deletion) or use missing='fiml'"
                )
            if n < 2:
                raise EstimationError(f"cannot fit a model to {n} respondent(s){where}")
            if wg is not None and not wg.sum() > 0:
                raise EstimationError(f"every survey weight{where} is 0: the group has no weight to estimate from")
            # a single group's normalised weights sum to its rows (exactly, not to rounding)
            size = n if wg is None or len(parts) == 1 else float(wg.sum())
            if complete:
                mean, cov = weighted_moments(X, wg)
                check_sample_cov(cov, list(names))
            elif wg is None:
                mean = np.nanmean(X, axis=0)
                cov = np.diag(np.nanvar(X, axis=0))
            else:
                ok = ~np.isnan(X)
                sw = np.where(ok, wg[:, None], 0.0).sum(axis=0)
                mean = np.where(ok, X * wg[:, None], 0.0).sum(axis=0) / sw
                cov = np.diag(np.where(ok, (X - mean) ** 2 * wg[:, None], 0.0).sum(axis=0) / sw)
            keep = keep_rows or wg is not None
            out.append(GroupStats(n=size, mean=mean, cov=cov, X=X if keep else None, weights=wg))
        return cls(groups=tuple(out), ov=tuple(ovs), labels=tuple(g for g, _ in parts))


#: Cells of the centred rows taken at a time by :func:`weighted_moments` (1 MB: a sample of up to
#: 8,738 rows of 15 items is one block, one product as before; a larger one is summed block by
#: block instead of through one n x p temporary, whose fresh pages cost more than its arithmetic:
#: in a fit, 1.87 -> 1.01 ms at 25,000 x 15 and 12.7 -> 9.6 ms at 250,000 x 15, the same at 2,500).
MOMENT_CELLS = 1 << 17


def weighted_moments(X: np.ndarray, w: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (denominator ``Σ w``, or N without weights) of complete rows ``X``.

    The cross-products of the centred rows are summed a block of rows at a time
    (:data:`MOMENT_CELLS` cells a block, in row order); a sample of one block is one product.
    """
    n, p = X.shape
    if w is None:
        mean = X.mean(axis=0)
        sw = n
    else:
        sw = w.sum()
        mean = w @ X / sw
    step = max(1, MOMENT_CELLS // max(p, 1))
    S = None
    for a in range(0, max(n, 1), step):
        Xc = X[a:a + step] - mean
        part = Xc.T @ Xc if w is None else (Xc * w[a:a + step, None]).T @ Xc
        if S is None:
            S = part
        else:
            S += part
    return mean, S / sw


def check_weights(v: np.ndarray, *, where: str = "the survey weights") -> None:
    """Refuse survey weights that are missing, infinite, negative or all zero, naming the rows."""
    v = np.asarray(v, dtype=float)
    for bad, what in ((~np.isfinite(v), "missing or infinite"), (np.isfinite(v) & (v < 0), "negative")):
        if bad.any():
            rows = np.flatnonzero(bad)
            raise EstimationError(
                f"{where} hold {rows.size} {what} value(s) (row positions {rows[:10].tolist()}"
                f"{' ...' if rows.size > 10 else ''}): every respondent needs a weight >= 0; fix or drop these rows"
            )
    if not v.sum() > 0:
        raise EstimationError(f"{where} are all 0: give the respondents positive weights")


def case_weights(data: pd.DataFrame, weights) -> np.ndarray | None:
    """The normalised survey weights of ``data``'s rows (:func:`normalize_weights`) from a column
    name or one value per row; None without weights."""
    if weights is None:
        return None
    if isinstance(weights, str):
        if weights not in data.columns:
            raise EstimationError(f"the weight column {weights!r} is not in the data (columns: {list(data.columns)[:20]})")
        return normalize_weights(data[weights].to_numpy(dtype=float), where=f"column {weights!r}")
    w = np.asarray(weights, dtype=float)
    if w.shape != (len(data),):
        raise EstimationError(f"weights must hold one value per row of the data ({len(data)}); got shape {w.shape}")
    return normalize_weights(w)


def normalize_weights(v: np.ndarray, *, where: str = "the survey weights") -> np.ndarray:
    """Survey weights rescaled to sum to the number of rows (lavaan's ``"total"`` normalisation)."""
    v = np.asarray(v, dtype=float)
    check_weights(v, where=where)
    return v * (v.size / v.sum())


def check_sample_cov(S: np.ndarray, items: list[str]) -> None:
    """Refuse constant items and a non-positive-definite sample covariance, naming the items.

    semopy would silently replace a non-PD matrix by a nearby one.
    """
    var = np.diag(S)
    flat = [items[i] for i in np.flatnonzero(var <= 1e-12)]
    if flat:
        raise EstimationError(
            f"items with no variance (every respondent gave the same answer): {', '.join(flat)}; "
            "a covariance model cannot be fitted: collect more varied data or drop these items from the model"
        )
    ev = np.linalg.eigvalsh(S / np.sqrt(np.outer(var, var)))
    if ev.min() <= 1e-10:
        raise EstimationError(
            "the sample covariance matrix is not positive definite (items are linearly dependent or "
            f"there are fewer respondents than items: smallest eigenvalue {ev.min():.3g}); "
            "check for duplicated items or too few respondents"
        )
