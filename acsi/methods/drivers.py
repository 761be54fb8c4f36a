"""Derived importance: least-squares regression of overall satisfaction on attribute ratings.

The classic derived-importance method of the source documents (最小二乘法): regress the
overall-satisfaction rating ``y`` on the attribute ratings ``x_1..x_p``

    y_i = b_0 + Σ_j b_j x_ij + e_i

by ordinary (or, with survey weights, weighted) least squares through statsmodels, with
heteroskedasticity-consistent standard errors (``cov_type``, default HC3: MacKinnon & White
1985) and the variance inflation factor of each attribute, ``VIF_j = 1 / (1 − R²_j)`` with
``R²_j`` from regressing ``x_j`` on the other attributes (multicollinearity, 多重共線性).

Because correlated attributes make raw betas unstable and even negative, analysts prefer
to split the model's ``R²`` among the attributes:

* **Relative weights** (Johnson 2000): with the attribute correlation matrix
  ``R_xx = Q Λ Q'`` and ``Λ* = Q Λ^{1/2} Q'`` (the correlations of the attributes with their
  closest orthogonal counterparts ``Z``), ``β = Λ*^{-1} r_xy`` and
  ``ε_j = Σ_k (Λ*_jk)² β_k²``; ``Σ_j ε_j = R²``.
* **Shapley value** (LMG; Lindeman, Merenda & Gold 1980; Grömping 2006): the mean over all
  orders of entry of the increase in ``R²`` when ``x_j`` enters,

      φ_j = Σ_{S ⊆ P∖{j}} |S|! (p − |S| − 1)! / p! · [R²(S ∪ {j}) − R²(S)],

  computed exactly over the ``2^p`` subsets from the correlation matrix
  (``R²(S) = r_S' R_SS^{-1} r_S``); ``Σ_j φ_j = R²``.

Both use the (weighted) Pearson correlations of the complete rows, so they describe the
same fit as the regression.  Equivalent R: ``lm(y ~ ., data, weights = w)``,
``sandwich::vcovHC(fit, type = "HC3")``, ``car::vif(fit)``,
``relaimpo::calc.relimp(fit, type = "lmg")``.

References
----------
Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor
variables in multiple regression. *Multivariate Behavioral Research* 35(1), 1-19.
Grömping, U. (2006). Relative importance for linear regression in R: the package relaimpo.
*Journal of Statistical Software* 17(1).
MacKinnon, J. G., & White, H. (1985). Some heteroskedasticity-consistent covariance matrix
estimators with improved finite sample properties. *Journal of Econometrics* 29, 305-325.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import factorial

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import MethodError
from ..summary import Summary
from ._data import numeric_block, require, weighted_corr
from .intervals import check_confidence

__all__ = ["COV_TYPES", "MAX_SHAPLEY_ATTRIBUTES", "DriverResult", "driver_regression", "relative_weights",
           "shapley_r2"]

#: Standard-error types accepted by :func:`driver_regression` (statsmodels' names).
COV_TYPES: tuple[str, ...] = ("nonrobust", "HC0", "HC1", "HC2", "HC3")
#: The exact Shapley decomposition visits 2^p subsets; above this many attributes it is refused.
MAX_SHAPLEY_ATTRIBUTES = 15


def _check_corr(corr, where: str, outcome) -> tuple[list, np.ndarray, np.ndarray]:
    """The attributes, their correlation matrix and their correlations with the outcome."""
    if not isinstance(corr, pd.DataFrame) or corr.shape[0] != corr.shape[1] or corr.shape[0] < 2:
        raise MethodError(f"{where}: give a square correlation matrix (DataFrame) of the outcome and at least one attribute.")
    a = corr.to_numpy(dtype=float)
    if (not np.all(np.isfinite(a)) or not np.allclose(a, a.T, atol=1e-10) or not np.allclose(np.diag(a), 1.0, atol=1e-10)
            or np.any(np.abs(a) > 1 + 1e-10)):
        raise MethodError(f"{where}: the correlation matrix must be finite and symmetric, with entries in [-1, 1] "
                          f"and a unit diagonal; got {np.round(a, 4).tolist()}.")
    if outcome not in corr.index:
        raise MethodError(f"{where}: outcome {outcome!r} is not in the matrix {list(corr.index)}.")
    attrs = [c for c in corr.index if c != outcome]
    return attrs, corr.loc[attrs, attrs].to_numpy(dtype=float), corr.loc[attrs, outcome].to_numpy(dtype=float)


def relative_weights(corr: pd.DataFrame, outcome: str) -> pd.Series:
    """Johnson's (2000) relative weights from a correlation matrix.

    Parameters
    ----------
    corr : DataFrame
        Correlations of the outcome and the attributes (labelled rows and columns).
    outcome : str
        Row/column of the outcome; every other one is an attribute.

    Returns
    -------
    Series of raw relative weights ``ε_j`` (summing to ``R²``), indexed by attribute.

    Examples
    --------
    Uncorrelated attributes: each weight is the squared correlation.

    >>> c = pd.DataFrame([[1, .5, .3], [.5, 1, 0], [.3, 0, 1]], index=list("yab"), columns=list("yab"))
    >>> relative_weights(c, "y").round(4).tolist()
    [0.25, 0.09]
    """
    attrs, rxx, rxy = _check_corr(corr, "relative_weights", outcome)
    lam, q = np.linalg.eigh(rxx)
    if lam.min() <= 1e-12:
        raise MethodError(f"relative_weights: the attributes {attrs} are perfectly collinear (smallest eigenvalue "
                          f"{lam.min():.3g}); drop or combine the redundant ones.")
    lam_half = q @ np.diag(np.sqrt(lam)) @ q.T
    beta = np.linalg.solve(lam_half, rxy)
    return pd.Series((lam_half ** 2) @ (beta ** 2), index=attrs, name="relative_weight")


def shapley_r2(corr: pd.DataFrame, outcome: str) -> pd.Series:
    """Exact Shapley (LMG) decomposition of ``R²`` from a correlation matrix.

    Parameters
    ----------
    corr : DataFrame
        Correlations of the outcome and the attributes.
    outcome : str
        Row/column of the outcome.

    Returns
    -------
    Series ``φ_j`` (summing to ``R²``), indexed by attribute.

    Examples
    --------
    >>> c = pd.DataFrame([[1, .5, .3], [.5, 1, 0], [.3, 0, 1]], index=list("yab"), columns=list("yab"))
    >>> shapley_r2(c, "y").round(4).tolist()
    [0.25, 0.09]
    """
    attrs, rxx, rxy = _check_corr(corr, "shapley_r2", outcome)
    p = len(attrs)
    if p > MAX_SHAPLEY_ATTRIBUTES:
        raise MethodError(f"shapley_r2: {p} attributes; the exact decomposition visits 2^p subsets and is limited to "
                          f"{MAX_SHAPLEY_ATTRIBUTES}. Use the relative weights, or group attributes first.")
    r2 = np.zeros(1 << p)
    for mask in range(1, 1 << p):
        idx = [j for j in range(p) if mask >> j & 1]
        r2[mask] = float(rxy[idx] @ np.linalg.solve(rxx[np.ix_(idx, idx)], rxy[idx]))
    coef = [factorial(s) * factorial(p - s - 1) / factorial(p) for s in range(p)]
    phi = np.zeros(p)
    for mask in range(1 << p):
        size = bin(mask).count("1")
        for j in range(p):
            if not mask >> j & 1:
                phi[j] += coef[size] * (r2[mask | 1 << j] - r2[mask])
    return pd.Series(phi, index=attrs, name="shapley")


@dataclass(frozen=True)
class DriverResult:
    """Result of :func:`driver_regression` (read-only tables).

    Attributes
    ----------
    coefficients : DataFrame
        ``term, coef, se, t, pvalue, ci_lower, ci_upper`` (intercept first) and
        ``std_coef`` (standardised beta ``b_j s_j / s_y``; NaN for the intercept).
    importance : DataFrame
        Per attribute: ``correlation`` (with the outcome), ``std_coef``, ``vif``,
        ``relative_weight`` and ``rw_share`` (% of R²), ``shapley`` and ``shapley_share``
        (NaN above :data:`MAX_SHAPLEY_ATTRIBUTES`), ``rank`` (by relative weight).
    fit : Series
        ``n, n_dropped, r2, adj_r2, f, f_pvalue, rmse, condition_number``.
    outcome : str
    cov_type : str
    confidence : float
    weighted : bool
    """

    coefficients: pd.DataFrame
    importance: pd.DataFrame
    fit: pd.Series
    outcome: str
    cov_type: str
    confidence: float
    weighted: bool

    def summary(self) -> Summary:
        """Printable summary (text in a terminal, HTML in a notebook)."""
        how = "WLS (survey weights)" if self.weighted else "OLS"
        fit = self.fit.to_frame("value").reset_index(names="measure")
        return Summary(f"Derived importance: {how} of {self.outcome!r}, {self.cov_type} standard errors",
                       [("Fit", fit), ("Coefficients", self.coefficients), ("Importance", self.importance)])


def driver_regression(data: pd.DataFrame, outcome: str, attributes: Sequence[str] | None = None, *,
                      weights=None, cov_type: str = "HC3", confidence: float = 0.95) -> DriverResult:
    """Regress overall satisfaction on attribute ratings: robust SEs, VIF, relative weights, Shapley.

    Parameters
    ----------
    data : DataFrame
        Respondents x variables.
    outcome : str
        Column of the overall-satisfaction rating.
    attributes : sequence of str, optional
        Attribute-rating columns (default: every other numeric column).
    weights : str, Series or sequence, optional
        Survey weights (a column of ``data`` or one per row): weighted least squares and
        weighted correlations.
    cov_type : {"HC3", "HC0", "HC1", "HC2", "nonrobust"}
        Standard errors (statsmodels; HC3 is R's ``sandwich::vcovHC`` default).
    confidence : float
        Level of the coefficient intervals (``t`` with the residual degrees of freedom).

    Returns
    -------
    DriverResult

    Notes
    -----
    Rows with any missing value among the outcome and the attributes (or a zero weight)
    are dropped (listwise) and counted in ``fit["n_dropped"]``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = pd.DataFrame(rng.normal(size=(200, 2)), columns=["price", "speed"])
    >>> x["overall"] = 0.6 * x["price"] + 0.3 * x["speed"] + rng.normal(scale=0.5, size=200)
    >>> res = driver_regression(x, "overall")
    >>> res.importance["rank"].tolist()
    [1, 2]
    """
    if cov_type not in COV_TYPES:
        raise MethodError(f"driver_regression: cov_type must be one of {list(COV_TYPES)}; got {cov_type!r}.")
    confidence = check_confidence(confidence, "driver_regression")
    if not isinstance(data, pd.DataFrame):
        raise MethodError("driver_regression: data must be a DataFrame (respondents x variables).")
    if outcome not in data.columns:
        raise MethodError(f"driver_regression: outcome column {outcome!r} not found; columns are {list(data.columns)}.")
    if attributes is None:
        wcol = weights if isinstance(weights, str) else None
        attributes = [c for c in data.columns if c not in (outcome, wcol) and pd.api.types.is_numeric_dtype(data[c])]
    attributes = list(attributes)
    if outcome in attributes:
        raise MethodError(f"driver_regression: the outcome {outcome!r} is also listed as an attribute; list it once.")
    if not attributes:
        raise MethodError("driver_regression: no attribute columns; name them with attributes=.")
    block, w, dropped = numeric_block(data, [outcome] + attributes, "driver_regression", weights=weights,
                                      min_columns=2, min_rows=len(attributes) + 2)
    sm = require("statsmodels.api", "driver_regression")
    y = block[outcome].to_numpy()
    X = block[attributes].to_numpy()
    design = sm.add_constant(X, has_constant="add")
    ww = np.ones(len(y)) if w is None else w
    model = sm.WLS(y, design, weights=ww)
    res = model.fit(cov_type=cov_type) if cov_type != "nonrobust" else model.fit()
    alpha = 1.0 - confidence
    # statsmodels uses the normal quantile for robust covariances; R's coeftest and lm use t
    df_resid = float(res.df_resid)
    q = stats.t.ppf(1 - alpha / 2, df_resid)
    se = np.asarray(res.bse)
    coef = np.asarray(res.params)
    tval = coef / se
    pval = 2 * stats.t.sf(np.abs(tval), df_resid)
    ci = np.column_stack([coef - q * se, coef + q * se])
    corr = weighted_corr(block[[outcome] + attributes].to_numpy(), w)
    sd = np.sqrt(np.diag(np.cov(block.to_numpy(), rowvar=False, aweights=ww)))
    std_coef = coef[1:] * sd[1:] / sd[0]
    vif = []
    for j in range(len(attributes)):
        if len(attributes) == 1:
            vif.append(1.0)
            continue
        others = np.delete(X, j, axis=1)
        aux = sm.WLS(X[:, j], sm.add_constant(others, has_constant="add"), weights=ww).fit()
        vif.append(float(1.0 / (1.0 - aux.rsquared)) if aux.rsquared < 1 else np.inf)
    cframe = pd.DataFrame(corr, index=[outcome] + attributes, columns=[outcome] + attributes)
    rw = relative_weights(cframe, outcome)
    shap = shapley_r2(cframe, outcome) if len(attributes) <= MAX_SHAPLEY_ATTRIBUTES else pd.Series(np.nan, index=attributes)
    r2 = float(res.rsquared)
    coefficients = pd.DataFrame({
        "term": ["intercept"] + attributes, "coef": coef, "se": se, "t": tval, "pvalue": pval,
        "ci_lower": ci[:, 0], "ci_upper": ci[:, 1], "std_coef": np.concatenate([[np.nan], std_coef]),
    })
    importance = pd.DataFrame({
        "attribute": attributes,
        "correlation": corr[0, 1:],
        "std_coef": std_coef,
        "vif": vif,
        "relative_weight": rw.to_numpy(),
        "rw_share": 100 * rw.to_numpy() / r2 if r2 > 0 else np.nan,
        "shapley": shap.to_numpy(),
        "shapley_share": 100 * shap.to_numpy() / r2 if r2 > 0 else np.nan,
    })
    importance["rank"] = importance["relative_weight"].rank(ascending=False, method="min").astype(int)
    fstat = (r2 / len(attributes)) / ((1 - r2) / df_resid) if r2 < 1 else np.inf
    fit = pd.Series({
        "n": float(len(y)), "n_dropped": float(dropped), "r2": r2, "adj_r2": float(res.rsquared_adj),
        "f": float(fstat), "f_pvalue": float(stats.f.sf(fstat, len(attributes), df_resid)),
        "rmse": float(np.sqrt(res.scale)), "condition_number": float(res.condition_number),
    }, name="fit")
    return DriverResult(coefficients=coefficients, importance=importance, fit=fit, outcome=outcome,
                        cov_type=cov_type, confidence=confidence, weighted=w is not None)
