"""The result of a covariance-based ML fit, whichever engine produced it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

__all__ = ["GroupTables", "SEMResult", "positions"]

_GROUP_KEYS = ("label", "loadings", "residual_variances", "latent_cov", "sample_cov", "implied_cov",
               "sample_mean", "implied_mean")


@lru_cache(maxsize=256)
def positions(names: tuple, wanted: tuple, what: str = "the sample covariance") -> np.ndarray:
    """Positions of ``wanted`` in ``names`` (``.loc``'s selection, without its cost; kept per pair
    of tuples); a name not there is a ``KeyError`` naming ``what``.  Read only."""
    pos = {x: i for i, x in enumerate(names)}
    missing = [x for x in wanted if x not in pos]
    if missing:
        raise KeyError(f"{what} has no rows for {missing}")
    out = np.array([pos[x] for x in wanted], dtype=np.intp)
    out.flags.writeable = False  # shared by every caller of the same names
    return out


class GroupTables(Mapping):
    """One group's matrices of an :class:`SEMResult` by name (the keys of ``SEMResult.groups``),
    each labelled frame or series made from its array when first read, then kept.

    A one-unit fit reads two of them (the loadings and residual variances, for the item weights):
    making all seven each time cost more than the pandas work of the rest of the result.  The
    arrays are the result's own; a frame read is a copy of its array's values (pandas' own
    constructor), so changing it changes nothing else.

    ``arrays``: ``L`` (items x latents), ``theta`` (residual variances), ``B``, ``P`` (the
    latents' regressions and covariances; the latent covariance is ``C P C'``, ``C = (I - B)^-1``),
    ``S``, ``Sigma`` (sample and implied covariances), ``mean``, ``mu`` (None without a mean
    structure); ``ov``, ``lv``: the items' and latents' shared labels (``acsi.frames.labels``:
    each axis gets its own view).
    """

    def __init__(self, label, arrays: dict, ov: pd.Index, lv: pd.Index, ov_names: tuple | None = None):
        self._label, self._a, self._ov, self._lv, self._made = label, arrays, ov, lv, {}
        self._names = tuple(ov.tolist()) if ov_names is None else tuple(ov_names)

    def sample_cov_of(self, names) -> np.ndarray:
        """``self["sample_cov"].loc[names, names]`` as a float array, from the array (no frame made)."""
        at = positions(self._names, tuple(names))
        return self._a["S"][np.ix_(at, at)]

    def __getitem__(self, key):
        if key not in _GROUP_KEYS:
            raise KeyError(key)
        if key == "label":
            return self._label
        if key not in self._made:
            self._made[key] = self._make(key)
        return self._made[key]

    def __iter__(self):
        return iter(_GROUP_KEYS)

    def __len__(self) -> int:
        return len(_GROUP_KEYS)

    def __repr__(self) -> str:
        return f"GroupTables(label={self._label!r}, keys={list(_GROUP_KEYS)})"

    def _make(self, key):
        a, ovs, lvs = self._a, self._ov.view, self._lv.view
        if key == "loadings":
            return pd.DataFrame(a["L"], index=ovs(), columns=lvs())
        if key == "residual_variances":
            return pd.Series(np.diag(a["theta"]), index=ovs())
        if key == "latent_cov":
            C = np.linalg.inv(np.eye(a["B"].shape[0]) - a["B"])
            return pd.DataFrame(C @ a["P"] @ C.T, index=lvs(), columns=lvs())
        if key in ("sample_cov", "implied_cov"):
            return pd.DataFrame(a["S" if key == "sample_cov" else "Sigma"], index=ovs(), columns=ovs())
        m = a["mean" if key == "sample_mean" else "mu"]
        return None if m is None else pd.Series(m, index=ovs())


@dataclass(frozen=True)
class SEMResult:
    """One covariance-based ML fit.

    Attributes
    ----------
    estimates : DataFrame
        lavaan's ``parameterEstimates(standardized = TRUE, rsquare = TRUE)`` columns in
        snake_case: ``lhs, op, rhs, [group], label, est, se, z, pvalue, ci_lower, ci_upper,
        std_lv, std_all``, plus ``free`` (bool); see :mod:`acsi.estimate.table`.
    fit_measures : Series
        See :func:`acsi.estimate.fitmeasures.fit_measures`.
    loadings : DataFrame
        Observed variables × latents (Λ) of the first group.
    residual_variances : Series
        Residual variances of the observed variables (diagonal of Θ), first group.
    latent_cov : DataFrame
        Model-implied covariance of the latent variables, first group.
    sample_cov, implied_cov : DataFrame
        Sample (denominator N) and model-implied covariance, first group.
        (These five are ``groups[0]``'s, made when first read: :class:`GroupTables`.)
    n : int
        Rows used (all groups).
    converged, admissible : bool
    problems : tuple of str
        Inadmissibility found (negative variances, non-PD covariance), by name.
    messages : tuple of str
        Optimizer and engine messages.
    vcov : DataFrame or None
        Covariance matrix of the free parameters (rows/columns ``lhs op rhs`` in ``free``
        order, with the group in multigroup models); made when first read from
        ``vcov_matrix`` (the array) and ``vcov_names``.
    groups : tuple of GroupTables
        Per group, a mapping: ``label``, ``loadings``, ``residual_variances``, ``latent_cov``,
        ``sample_cov``, ``implied_cov``, ``sample_mean``, ``implied_mean`` (None without a mean
        structure).
    """

    estimates: pd.DataFrame
    fit_measures: pd.Series
    n: int
    converged: bool
    admissible: bool
    problems: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    n_iter: int = 0
    objective: float = np.nan
    extra: dict = field(default_factory=dict, repr=False)
    vcov_matrix: np.ndarray | None = field(default=None, repr=False)
    vcov_names: pd.Index | None = field(default=None, repr=False)
    groups: tuple = field(default=(), repr=False)

    # the first group's matrices (GroupTables: each made when first read)
    loadings = property(lambda self: self.groups[0]["loadings"], doc="Λ of the first group (items x latents).")
    residual_variances = property(lambda self: self.groups[0]["residual_variances"], doc="diag(Θ), first group.")
    latent_cov = property(lambda self: self.groups[0]["latent_cov"], doc="Implied latent covariance, first group.")
    sample_cov = property(lambda self: self.groups[0]["sample_cov"], doc="Sample covariance (denominator N), first group.")
    implied_cov = property(lambda self: self.groups[0]["implied_cov"], doc="Implied covariance, first group.")

    @cached_property  # a frozen dataclass: cached_property writes the instance's __dict__ itself
    def vcov(self) -> pd.DataFrame | None:
        if self.vcov_matrix is None:
            return None
        return pd.DataFrame(self.vcov_matrix, index=self.vcov_names.view(), columns=self.vcov_names.view())
