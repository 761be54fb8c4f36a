"""Principal-component analysis and exploratory factor analysis of the survey items.

Principal components (主成分分析) of the item correlation matrix ``R = Q Λ Q'``
(standardised items, as R's ``prcomp(x, scale. = TRUE)``), through scikit-learn's ``PCA``:

* eigenvalue ``λ_k`` (variance of component k), its share ``λ_k / p`` and the cumulative share;
* ``rotation`` (the eigenvectors ``q_k``, prcomp's ``$rotation``) and component loadings
  ``q_k √λ_k`` (the item-component correlations);
* scores ``Z Q`` of the standardised complete rows (prcomp's ``$x``);
* the default number of components is Kaiser's rule ``λ_k > 1``.

Exploratory factor analysis (因子分析) ``R = Λ Λ' + Ψ`` through statsmodels' ``Factor``:

* extraction ``method="ml"`` (maximum likelihood, R's ``factanal``) or ``"pa"`` (iterated
  principal axis from squared multiple correlations, SPSS's PAF, ``psych::fa(fm = "pa")``);
* rotation with Kaiser normalisation (rows of ``Λ`` scaled to unit length before rotating,
  as ``stats::varimax``): orthogonal ``"varimax"``, ``"quartimax"``; oblique ``"oblimin"``
  (quartimin, gamma 0, ``GPArotation::oblimin(normalize = TRUE)``) and ``"promax"``
  (power 4 on the varimax solution, R's ``stats::promax``: target ``Q = L |L|³``,
  ``U = (L'L)^{-1} L'Q`` with columns scaled by ``√diag((U'U)^{-1})``); oblique solutions
  report the pattern matrix, the structure matrix ``P Φ`` and the factor correlations ``Φ``;
* factors are ordered by their sum of squared (pattern) loadings and signed so that each
  column sums to a positive number (R's ``factanal`` does the same);
* with ML, the likelihood-ratio test of ``k`` factors (Bartlett's correction, as ``factanal``):
  ``χ² = (n − 1 − (2p + 5)/6 − 2k/3) (log|Σ̂| − log|R| + tr(R Σ̂^{-1}) − p)``,
  ``df = ((p − k)² − p − k)/2``;
* sampling adequacy: Kaiser-Meyer-Olkin ``KMO = Σ r²_ij / (Σ r²_ij + Σ a²_ij)`` (``a`` the
  partial correlations, ``psych::KMO``) and Bartlett's sphericity test
  ``χ² = −(n − 1 − (2p + 5)/6) log|R|``, ``df = p(p − 1)/2`` (``psych::cortest.bartlett``).

References
----------
Jolliffe, I. T. (2002). *Principal Component Analysis*, 2nd ed. Springer.
Lawley, D. N., & Maxwell, A. E. (1971). *Factor Analysis as a Statistical Method*. Butterworths.
Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor analysis.
*Psychometrika* 23, 187-200.
Hendrickson, A. E., & White, P. O. (1964). Promax: a quick method for rotation to oblique
simple structure. *British Journal of Statistical Psychology* 17, 65-70.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ConvergenceWarning, MethodError
from ..summary import Summary
from ._data import numeric_block, require

__all__ = ["EFA_METHODS", "ROTATIONS", "PCAResult", "EFAResult", "pca", "efa", "rotate_loadings", "kmo",
           "bartlett_sphericity"]

EFA_METHODS: tuple[str, ...] = ("ml", "pa")
ROTATIONS: tuple[str, ...] = ("varimax", "quartimax", "oblimin", "promax", "none")
_OBLIQUE = ("oblimin", "promax")


def _orient(load: np.ndarray, *, order: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column order (by sum of squares, decreasing) and signs (positive column sums)."""
    ss = (load ** 2).sum(axis=0)
    idx = np.argsort(-ss, kind="stable") if order else np.arange(load.shape[1])
    sign = np.sign(load[:, idx].sum(axis=0))
    sign[sign == 0] = 1.0
    return load[:, idx] * sign, idx, sign


@dataclass(frozen=True)
class PCAResult:
    """Result of :func:`pca`.

    Attributes
    ----------
    eigenvalues : DataFrame
        Every component: ``component, eigenvalue, proportion, cumulative``.
    rotation : DataFrame
        Items x kept components: the eigenvectors (prcomp's ``$rotation``).
    loadings : DataFrame
        Items x kept components: ``rotation · √eigenvalue``.
    scores : DataFrame
        Complete rows x kept components (prcomp's ``$x``), indexed like the input.
    n, n_dropped : int
    """

    eigenvalues: pd.DataFrame
    rotation: pd.DataFrame
    loadings: pd.DataFrame
    scores: pd.DataFrame
    n: int
    n_dropped: int

    def summary(self) -> Summary:
        """Printable summary."""
        return Summary(f"Principal components of {self.rotation.shape[0]} items (n = {self.n})",
                       [("Eigenvalues", self.eigenvalues), ("Loadings", self.loadings.reset_index(names="item"))])


def pca(data: pd.DataFrame, items: Sequence[str] | None = None, n_components: int | None = None, *,
        standardize: bool = True) -> PCAResult:
    """Principal-component analysis of survey items (scikit-learn ``PCA``).

    Parameters
    ----------
    data : DataFrame
        Respondents x items; rows with a missing answer are dropped (counted in ``n_dropped``).
    items : sequence of str, optional
        Item columns (default: every numeric column).
    n_components : int, optional
        Components to keep (default: eigenvalue > 1 for standardised items, at least one).
    standardize : bool
        Analyse the correlation matrix (default, ``prcomp(scale. = TRUE)``) or, with
        ``False``, the covariance matrix (``prcomp(scale. = FALSE)``).

    Returns
    -------
    PCAResult

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 1))
    >>> d = pd.DataFrame(f + 0.5 * rng.normal(size=(300, 4)), columns=list("abcd"))
    >>> res = pca(d)
    >>> res.loadings.shape, bool(res.eigenvalues["eigenvalue"].iloc[0] > 3)
    ((4, 1), True)
    """
    block, _, dropped = numeric_block(data, items, "pca", min_columns=2, min_rows=3)
    if not isinstance(standardize, bool):
        raise MethodError(f"pca: standardize must be True or False; got {standardize!r}.")
    p = block.shape[1]
    if n_components is not None and (isinstance(n_components, bool) or not isinstance(n_components, (int, np.integer))
                                     or not 1 <= n_components <= min(p, len(block))):
        raise MethodError(f"pca: n_components must be an integer from 1 to {min(p, len(block))}; got {n_components!r}.")
    decomposition = require("sklearn.decomposition", "pca")
    X = block.to_numpy()
    Z = X - X.mean(axis=0)
    if standardize:
        Z = Z / X.std(axis=0, ddof=1)
    full = decomposition.PCA(svd_solver="full").fit(Z)
    lam = full.explained_variance_
    k = n_components if n_components is not None else (max(1, int((lam > 1).sum())) if standardize else p)
    vec, _, sign = _orient(full.components_[:k].T, order=False)
    names = [f"PC{j + 1}" for j in range(k)]
    total = lam.sum()
    eig = pd.DataFrame({"component": [f"PC{j + 1}" for j in range(len(lam))], "eigenvalue": lam,
                        "proportion": lam / total, "cumulative": np.cumsum(lam) / total})
    rotation = pd.DataFrame(vec, index=block.columns, columns=names)
    loadings = pd.DataFrame(vec * np.sqrt(lam[:k]), index=block.columns, columns=names)
    if not standardize:
        loadings = loadings.div(X.std(axis=0, ddof=1), axis=0)  # item-component correlations
    scores = pd.DataFrame(Z @ vec, index=block.index, columns=names)
    return PCAResult(eigenvalues=eig, rotation=rotation, loadings=loadings, scores=scores, n=len(block),
                     n_dropped=dropped)


def kmo(corr: np.ndarray) -> tuple[float, np.ndarray]:
    """Kaiser-Meyer-Olkin measure of sampling adequacy: overall and per item (``psych::KMO``)."""
    inv = np.linalg.inv(corr)
    d = np.sqrt(np.diag(inv))
    partial = -inv / np.outer(d, d)
    r2 = corr ** 2
    a2 = partial ** 2
    np.fill_diagonal(r2, 0.0)
    np.fill_diagonal(a2, 0.0)
    return float(r2.sum() / (r2.sum() + a2.sum())), r2.sum(axis=0) / (r2.sum(axis=0) + a2.sum(axis=0))


def bartlett_sphericity(corr: np.ndarray, n: int) -> tuple[float, float, float]:
    """Bartlett's test that ``R = I``: ``(chi2, df, pvalue)`` (``psych::cortest.bartlett``)."""
    p = corr.shape[0]
    chi2 = -(n - 1 - (2 * p + 5) / 6) * np.linalg.slogdet(corr)[1]
    df = p * (p - 1) / 2
    return float(chi2), float(df), float(stats.chi2.sf(chi2, df))


def rotate_loadings(loadings: np.ndarray, rotation: str, *, normalize: bool = True,
                    tol: float = 1e-8) -> tuple[np.ndarray, np.ndarray]:
    """Rotate a loading matrix; returns ``(pattern, phi)`` (``phi`` the factor correlations).

    ``"varimax"``, ``"quartimax"`` and ``"oblimin"`` (quartimin) are statsmodels'
    gradient-projection rotations; ``"promax"`` follows R's ``stats::promax`` (m = 4) on the
    varimax solution; ``normalize`` applies Kaiser's row normalisation around the rotation.
    """
    if rotation not in ROTATIONS:
        raise MethodError(f"rotate_loadings: rotation must be one of {list(ROTATIONS)}; got {rotation!r}.")
    A = np.asarray(loadings, dtype=float)
    k = A.shape[1]
    if rotation == "none" or k == 1:
        return A.copy(), np.eye(k)
    fr = require("statsmodels.multivariate.factor_rotation", "rotate_loadings")
    h = np.sqrt((A ** 2).sum(axis=1)) if normalize else np.ones(A.shape[0])
    An = A / h[:, None]

    def gpa(method, *args):
        L, T = fr.rotate_factors(An, method, *args, tol=tol, max_tries=1000)
        return L, T

    if rotation in ("varimax", "quartimax"):
        L, T = gpa(rotation)
        return L * h[:, None], np.eye(k)
    if rotation == "oblimin":
        L, T = gpa("oblimin", 0, "oblique")
        return L * h[:, None], T.T @ T
    # promax (R stats::promax, m = 4): varimax, then a least-squares fit to the powered target
    V, T = gpa("varimax")
    V = V * h[:, None]
    Q = V * np.abs(V) ** 3
    U = np.linalg.lstsq(V, Q, rcond=None)[0]
    d = np.diag(np.linalg.inv(U.T @ U))
    U = U @ np.diag(np.sqrt(d))
    pattern = V @ U
    Ui = np.linalg.inv(U)
    return pattern, Ui @ Ui.T


@dataclass(frozen=True)
class EFAResult:
    """Result of :func:`efa`.

    Attributes
    ----------
    loadings : DataFrame
        Items x factors: rotated loadings (the pattern matrix for oblique rotations).
    structure : DataFrame
        Item-factor correlations ``P Φ`` (equal to ``loadings`` for orthogonal rotations).
    phi : DataFrame
        Factor correlations (identity for orthogonal rotations).
    unrotated : DataFrame
        Loadings before rotation.
    communalities : DataFrame
        ``item, communality, uniqueness`` and per-item ``kmo``.
    variance : DataFrame
        Per factor: ``ss_loadings``, ``proportion`` (of p), ``cumulative``.
    fit : Series
        ``n, n_dropped, n_factors, kmo, bartlett_chi2, bartlett_df, bartlett_pvalue`` and, for
        ML, ``chi2, df, pvalue`` of the k-factor test (NaN when df <= 0 or for PA).
    method, rotation : str
    converged : bool
    problems : tuple of str
        E.g. Heywood cases (uniqueness near 0), each naming the item.
    """

    loadings: pd.DataFrame
    structure: pd.DataFrame
    phi: pd.DataFrame
    unrotated: pd.DataFrame
    communalities: pd.DataFrame
    variance: pd.DataFrame
    fit: pd.Series
    method: str
    rotation: str
    converged: bool
    problems: tuple[str, ...]

    def summary(self) -> Summary:
        """Printable summary."""
        sections = [("Fit and adequacy", self.fit.to_frame("value").reset_index(names="measure")),
                    ("Loadings", self.loadings.reset_index(names="item")), ("Variance", self.variance),
                    ("Communalities", self.communalities)]
        if self.rotation in _OBLIQUE:
            sections.insert(2, ("Factor correlations", self.phi.reset_index(names="factor")))
        if self.problems:
            sections.append(("Problems", "\n".join(self.problems)))
        return Summary(f"Exploratory factor analysis ({self.method}, {self.rotation})", sections)


def efa(data: pd.DataFrame, items: Sequence[str] | None = None, n_factors: int = 1, *, method: str = "ml",
        rotation: str = "varimax", normalize: bool = True, max_iter: int = 1000, seed: int = 0) -> EFAResult:
    """Exploratory factor analysis with rotation (statsmodels ``Factor``).

    Parameters
    ----------
    data : DataFrame
        Respondents x items; rows with a missing answer are dropped.
    items : sequence of str, optional
        Item columns (default: every numeric column).
    n_factors : int
        Number of factors ``k`` (``1 <= k``, and ``df >= 0`` for ML).
    method : {"ml", "pa"}
        Maximum likelihood (``factanal``) or iterated principal axis (``psych::fa(fm = "pa")``).
    rotation : {"varimax", "quartimax", "oblimin", "promax", "none"}
    normalize : bool
        Kaiser normalisation during rotation (default, as ``stats::varimax``).
    max_iter : int
        Iterations of the principal-axis communality loop / the ML optimiser.
    seed : int
        Seed of statsmodels' random ML starting values (results do not depend on it when
        the optimum is unique; it makes them reproducible to the bit).

    Returns
    -------
    EFAResult

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> f = rng.normal(size=(400, 2))
    >>> lam = np.array([[.8, 0], [.7, 0], [.75, 0], [0, .8], [0, .7], [0, .75]])
    >>> d = pd.DataFrame(f @ lam.T + rng.normal(scale=.6, size=(400, 6)), columns=[f"q{i}" for i in range(6)])
    >>> res = efa(d, n_factors=2)
    >>> (res.loadings.abs() > 0.5).sum(axis=1).tolist()  # simple structure: one factor per item
    [1, 1, 1, 1, 1, 1]
    """
    if method not in EFA_METHODS:
        raise MethodError(f"efa: method must be one of {list(EFA_METHODS)}; got {method!r}.")
    if rotation not in ROTATIONS:
        raise MethodError(f"efa: rotation must be one of {list(ROTATIONS)}; got {rotation!r}.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise MethodError(f"efa: max_iter must be a positive integer; got {max_iter!r}.")
    block, _, dropped = numeric_block(data, items, "efa", min_columns=3, min_rows=4)
    p, n = block.shape[1], len(block)
    if isinstance(n_factors, bool) or not isinstance(n_factors, (int, np.integer)) or not 1 <= n_factors < p:
        raise MethodError(f"efa: n_factors must be an integer from 1 to {p - 1} for {p} items; got {n_factors!r}.")
    k = int(n_factors)
    df = ((p - k) ** 2 - p - k) / 2
    if method == "ml" and df < 0:
        raise MethodError(f"efa: {k} factors for {p} items leave negative degrees of freedom ({df:g}); "
                          f"use fewer factors (at most the largest k with (p-k)^2 >= p+k) or method='pa'.")
    R = np.corrcoef(block.to_numpy(), rowvar=False)
    if np.linalg.eigvalsh(R).min() <= 1e-10:
        raise MethodError(f"efa: the correlation matrix of {list(block.columns)} is singular; drop redundant items "
                          "(one is an exact combination of others).")
    factor = require("statsmodels.multivariate.factor", "efa")
    model = factor.Factor(corr=R, n_factor=k, method=method, nobs=n)
    problems: list[str] = []
    converged = True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if method == "pa":
            res = model.fit(maxiter=int(max_iter), tol=1e-12)
        else:
            res = model.fit(rng=np.random.default_rng(seed), opt={"gtol": 1e-8, "maxiter": int(max_iter)})
    for w in caught:
        text = str(w.message)
        if "converge" in text.lower():
            converged = False
    if method == "ml" and hasattr(model, "mle_retvals") and not model.mle_retvals.success:
        converged = False
    A = np.asarray(res.loadings, dtype=float)
    uniq = 1.0 - (A ** 2).sum(axis=1)
    if method == "pa":
        # converged iff one more principal-axis step leaves the communalities unchanged
        Rr = R.copy()
        np.fill_diagonal(Rr, 1 - uniq)
        lam, vec = np.linalg.eigh(Rr)
        top = np.argsort(lam)[::-1][:k]
        nxt = ((vec[:, top] * np.sqrt(np.clip(lam[top], 0, None))) ** 2).sum(axis=1)
        converged = bool(np.max(np.abs(nxt - (1 - uniq))) < 1e-6)
    if not converged:
        warnings.warn(f"efa: the {method} extraction did not converge in {max_iter} iterations; raise max_iter= "
                      "or use fewer factors.", ConvergenceWarning, stacklevel=2)
        problems.append(f"not converged after {max_iter} iterations")
    cols = list(block.columns)
    heywood = [c for c, u in zip(cols, uniq) if u < 0.005]
    if heywood:
        problems.append(f"Heywood case: uniqueness below 0.005 for {heywood} (communality near or above 1)")
    pattern, phi = rotate_loadings(A, rotation, normalize=normalize)
    pattern, idx, sign = _orient(pattern)
    phi = phi[np.ix_(idx, idx)] * np.outer(sign, sign)
    names = [f"F{j + 1}" for j in range(k)]
    unrot, _, _ = _orient(A, order=False)
    kmo_all, kmo_item = kmo(R)
    bchi, bdf, bp = bartlett_sphericity(R, n)
    ss = (pattern ** 2).sum(axis=0)
    chi2 = pval = np.nan
    if method == "ml" and df > 0:
        sigma = A @ A.T + np.diag(uniq)
        disc = np.linalg.slogdet(sigma)[1] - np.linalg.slogdet(R)[1] + np.trace(R @ np.linalg.inv(sigma)) - p
        chi2 = float((n - 1 - (2 * p + 5) / 6 - 2 * k / 3) * disc)
        pval = float(stats.chi2.sf(chi2, df))
    fit = pd.Series({"n": float(n), "n_dropped": float(dropped), "n_factors": float(k), "kmo": kmo_all,
                     "bartlett_chi2": bchi, "bartlett_df": bdf, "bartlett_pvalue": bp,
                     "chi2": chi2, "df": float(df) if method == "ml" else np.nan, "pvalue": pval}, name="fit")
    return EFAResult(
        loadings=pd.DataFrame(pattern, index=cols, columns=names),
        structure=pd.DataFrame(pattern @ phi, index=cols, columns=names),
        phi=pd.DataFrame(phi, index=names, columns=names),
        unrotated=pd.DataFrame(unrot, index=cols, columns=names),
        communalities=pd.DataFrame({"item": cols, "communality": 1 - uniq, "uniqueness": uniq, "kmo": kmo_item}),
        variance=pd.DataFrame({"factor": names, "ss_loadings": ss, "proportion": ss / p, "cumulative": np.cumsum(ss) / p}),
        fit=fit, method=method, rotation=rotation, converged=converged, problems=tuple(problems),
    )
