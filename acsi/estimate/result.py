"""The result of a covariance-based ML fit, whichever engine produced it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["SEMResult"]


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
    n : int
        Rows used (all groups).
    converged, admissible : bool
    problems : tuple of str
        Inadmissibility found (negative variances, non-PD covariance), by name.
    messages : tuple of str
        Optimizer and engine messages.
    vcov : DataFrame or None
        Covariance matrix of the free parameters (rows/columns ``lhs op rhs`` in ``free``
        order, with the group in multigroup models).
    groups : tuple of dict
        Per group: ``label``, ``loadings``, ``residual_variances``, ``latent_cov``,
        ``sample_cov``, ``implied_cov``, ``sample_mean``, ``implied_mean`` (None without a mean
        structure).
    """

    estimates: pd.DataFrame
    fit_measures: pd.Series
    loadings: pd.DataFrame
    residual_variances: pd.Series
    latent_cov: pd.DataFrame
    sample_cov: pd.DataFrame
    implied_cov: pd.DataFrame
    n: int
    converged: bool
    admissible: bool
    problems: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    n_iter: int = 0
    objective: float = np.nan
    extra: dict = field(default_factory=dict, repr=False)
    vcov: pd.DataFrame | None = field(default=None, repr=False)
    groups: tuple = field(default=(), repr=False)
