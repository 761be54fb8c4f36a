"""Measurement quality of multi-item scales: reliability and discriminant validity.

One implementation, used by the PLS estimator (:mod:`acsi.estimate.pls`), the report
(:mod:`acsi.report.analysis`) and the toolkit (``acsi.methods`` re-exports the public
functions).  Every function takes the item answers as a DataFrame (or, for the
loading-based measures, the loadings) and the measurement blocks as
``blocks: dict[str, list[str]]`` (latent -> its items), accepts optional survey
weights, and returns labelled pandas objects.

Survey weights ``v_r`` enter through weighted moments with divisor ``Σ v_r``:

    x̄_i = Σ_r v_r x_ri / Σ_r v_r,   s_ik = Σ_r v_r (x_ri − x̄_i)(x_rk − x̄_k) / Σ_r v_r.

Correlations, and hence every measure below except the raw Cronbach's alpha,
do not depend on that divisor; with integer weights the results equal those of
the data with each row repeated ``v_r`` times.

=================  ==========================================================
measure            formula (block of k items; R its correlation matrix)
=================  ==========================================================
Cronbach's alpha   α = k/(k−1) · (1 − Σ_i s_ii / Σ_ik s_ik)  (raw: covariances;
                   standardized: correlations), Feldt (1965) interval
rho_c              (Σ λ_i)² / ((Σ λ_i)² + Σ (1 − λ_i²))   (Werts et al. 1974)
rho_A              (wᵀw)² · wᵀ(R − diag R)w / wᵀ(wwᵀ − diag(wwᵀ))w
                   (Dijkstra & Henseler 2015)
AVE                Σ λ_i² / k                               (Fornell & Larcker 1981)
HTMT               mean |r| between two blocks / √(mean |r| within each block)
                   (Henseler, Ringle & Sarstedt 2015)
Fornell-Larcker    latent correlations with √AVE on the diagonal
item VIF           diag(R⁻¹) within each block
=================  ==========================================================

Single-item blocks: alpha and rho_A are undefined (NaN); the loading of a
single item on its composite is 1, so rho_c = AVE = 1; its VIF is 1; HTMT
counts its monotrait correlation as 1 (as seminr does).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from acsi.estimate.quality import cronbach_alpha
>>> rng = np.random.default_rng(0)
>>> f = rng.standard_normal(200)
>>> df = pd.DataFrame({f"x{i}": f + rng.standard_normal(200) for i in range(3)})
>>> round(float(cronbach_alpha(df, {"F": ["x0", "x1", "x2"]}).loc["F", "alpha"]), 2)
0.75
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import MethodError

__all__ = [
    "ave",
    "check_blocks",
    "check_weights",
    "composite_reliability",
    "cronbach_alpha",
    "fornell_larcker",
    "htmt",
    "item_vif",
    "rho_a",
    "rho_c_and_ave",
    "weighted_moments",
]


# --------------------------------------------------------------------------- helpers


def check_blocks(blocks: Mapping[str, Sequence[str]], columns: Sequence[str] | None = None, *,
                 error: type[Exception] = MethodError) -> dict[str, list[str]]:
    """``{latent: [items]}`` checked: a non-empty dict of non-empty lists, each item in one block only
    (and a column of the data when ``columns`` is given); ``error`` is the class raised (PLS: SpecError)."""
    if not isinstance(blocks, Mapping) or not blocks:
        raise error(
            f"blocks must be a non-empty dict latent -> list of items, like {{'CS': ['cs1', 'cs2']}}; got {blocks!r}"
        )
    out: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for lv, items in blocks.items():
        if isinstance(items, str) or not isinstance(items, Sequence) or len(items) == 0:
            raise error(f"block {lv!r} must be a non-empty list of item names; got {items!r}")
        if len(set(items)) != len(items):
            raise error(f"block {lv!r} lists an item twice: {list(items)}; list each item once")
        for it in items:
            if it in seen:
                raise error(f"item {it!r} is listed in blocks {seen[it]!r} and {lv!r}; each item may belong to one block only")
            seen[it] = lv
        out[str(lv)] = [str(i) for i in items]
    if columns is not None:
        cols = set(columns)
        missing = [it for items in out.values() for it in items if it not in cols]
        if missing:
            raise error(f"items {missing} of the blocks are not columns of the data; columns are {list(columns)}")
    return out


def check_weights(weights, n: int, *, error: type[Exception] = MethodError) -> np.ndarray | None:
    """Survey weights as an array of ``n`` finite non-negative numbers (None stays None); ``error`` is raised."""
    if weights is None:
        return None
    w = np.asarray(weights, dtype=float).ravel()
    if w.shape[0] != n:
        raise error(f"weights has {w.shape[0]} values but the data have {n} rows; give one survey weight per row")
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if bad.size:
        raise error(f"survey weights must be finite and >= 0; rows {bad[:10].tolist()} have {w[bad[:10]].tolist()}")
    return w


def _check_weights(weights, n: int) -> np.ndarray | None:
    w = check_weights(weights, n)
    if w is None:
        return None
    if w.sum() <= 0:
        raise MethodError("weights sum to zero; at least one row needs a positive weight")
    return w


def weighted_moments(X: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Weighted means and covariance matrix with divisor ``Σ v_r``.

    Parameters
    ----------
    X : ndarray, shape (n, p)
    weights : ndarray, shape (n,), optional
        Non-negative survey weights; ``None`` gives every row weight 1
        (then the covariance has divisor n, not n − 1).

    Returns
    -------
    mean : ndarray (p,)
    cov : ndarray (p, p)

    Examples
    --------
    >>> import numpy as np
    >>> m, S = weighted_moments(np.array([[1.0], [3.0]]), np.array([1.0, 3.0]))
    >>> float(m[0]), float(S[0, 0])
    (2.5, 0.75)
    """
    from .samplestats import weighted_moments as moments  # the one implementation

    return moments(np.asarray(X, dtype=float), None if weights is None else np.asarray(weights, dtype=float))


def _cov_of(data: pd.DataFrame, items: list[str], weights) -> np.ndarray:
    if not isinstance(data, pd.DataFrame):
        raise MethodError(f"data must be a pandas DataFrame of item answers; got {type(data).__name__}")
    sub = data.loc[:, items]
    nonnum = [c for c in items if not pd.api.types.is_numeric_dtype(sub[c])]
    if nonnum:
        raise MethodError(f"items {nonnum} are not numeric; recode the answers as numbers")
    X = sub.to_numpy(dtype=float)
    nan_cols = [items[j] for j in np.flatnonzero(np.isnan(X).any(axis=0))]
    if nan_cols:
        raise MethodError(
            f"items {nan_cols} have missing values; drop or impute incomplete rows first (listwise deletion)"
        )
    w = _check_weights(weights, X.shape[0])
    _, S = weighted_moments(X, w)
    flat = [items[j] for j in np.flatnonzero(np.diag(S) <= 1e-14)]
    if flat:
        raise MethodError(f"items {flat} have zero variance (every respondent gave the same answer); drop them")
    return S


def _cor(S: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.diag(S))
    R = S / np.outer(d, d)
    np.fill_diagonal(R, 1.0)
    return R


def _all_items(blocks: dict[str, list[str]]) -> list[str]:
    return [it for items in blocks.values() for it in items]


# --------------------------------------------------------------------------- core (matrix) versions


def _alpha_from_cov(S: np.ndarray) -> float:
    return float(_alphas_from_covs(np.asarray(S)[None])[0])


def _alphas_from_covs(S: np.ndarray) -> np.ndarray:
    """Cronbach's α of a stack (n, k, k) of covariance matrices of k items: (n,) (NaN if k < 2)."""
    n, k = S.shape[0], S.shape[-1]
    if k < 2:
        return np.full(n, np.nan)
    return k / (k - 1) * (1.0 - np.trace(S, axis1=1, axis2=2) / S.reshape(n, k * k).sum(axis=1))


def _feldt_ci(alpha: float, n: float, k: int, level: float) -> tuple[float, float]:
    if k < 2 or not np.isfinite(alpha) or n < 2:
        return float("nan"), float("nan")
    df1 = n - 1.0
    df2 = (n - 1.0) * (k - 1.0)
    g = 1.0 - level
    lower = 1.0 - (1.0 - alpha) * stats.f.ppf(1.0 - g / 2.0, df1, df2)
    upper = 1.0 - (1.0 - alpha) * stats.f.ppf(g / 2.0, df1, df2)
    return float(lower), float(upper)


def _rho_a_from_cor(R: np.ndarray, w: np.ndarray) -> float:
    return float(_rho_as_from_cors(np.asarray(R)[None], np.asarray(w, dtype=float)[None])[0])


def _rho_as_from_cors(R: np.ndarray, w: np.ndarray) -> np.ndarray:
    """ρA of a stack of blocks: correlation matrices R (n, k, k) and weights w (n, k): (n,)
    (NaN if k < 2).  The quadratic forms are one BLAS product per block, as for one block."""
    n, k = w.shape
    if k < 2:
        return np.full(n, np.nan)
    w = np.asarray(w, dtype=float)
    q = np.array([w[i] @ R[i] @ w[i] for i in range(n)])
    w = w / np.sqrt(q)[:, None]  # composite of standardized items with unit variance
    ww2 = np.array([(w[i] @ w[i]) ** 2 for i in range(n)])  # a scalar's square (pow), as for one block
    ww = w[:, :, None] * w[:, None, :]
    off = ~np.eye(k, dtype=bool)
    # each block's off-diagonal cells as one contiguous row, so each sum is the one-block sum
    num = ww2 * np.ascontiguousarray((R * ww)[:, off]).sum(axis=1)
    den = np.ascontiguousarray((ww * ww)[:, off]).sum(axis=1)
    return num / den


def block_indicator(idx: list[np.ndarray], p: int) -> np.ndarray:
    """The p × J item-block indicator matrix of the blocks' item positions ``idx``."""
    M = np.zeros((p, len(idx)))
    for j, b in enumerate(idx):
        M[np.asarray(b, dtype=int), j] = 1.0
    return M


def _htmt_from_cor(R: np.ndarray, idx: list[np.ndarray], M: np.ndarray | None = None) -> np.ndarray:
    """HTMT matrix (J × J, NaN diagonal) of a correlation matrix, or of a stack (b, p, p) of them.

    With ``M`` the item-block indicator matrix (:func:`block_indicator`; pass it to reuse it) and
    ``H = Mᵀ|R|M`` the sums of absolute correlations between blocks, ``het_ij = H_ij / (k_i k_j)``
    and ``mono_j = (H_jj − k_j) / (k_j (k_j − 1))`` (1 for a single item).
    """
    A = np.abs(np.asarray(R, dtype=float))
    M = block_indicator(idx, A.shape[-1]) if M is None else M
    k = M.sum(axis=0)
    H = M.T @ A @ M
    diag = np.diagonal(H, axis1=-2, axis2=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mono = np.where(k > 1, (diag - k) / (k * (k - 1)), 1.0)
        out = H / np.outer(k, k) / np.sqrt(mono[..., :, None] * mono[..., None, :])
    J = len(idx)
    out[..., np.arange(J), np.arange(J)] = np.nan
    return out


def _vif_from_cor(R: np.ndarray) -> np.ndarray:
    if R.shape[0] == 1:
        return np.ones(1)
    try:
        return np.diag(np.linalg.inv(R)).copy()
    except np.linalg.LinAlgError:
        return np.full(R.shape[0], np.inf)


def rho_c_and_ave(lam: np.ndarray) -> tuple[float, float]:
    """``(rho_c, AVE)`` of one block from its standardized loadings (see the table above)."""
    rc, ave = _rho_c_and_ave_rows(np.asarray(lam, dtype=float)[None])
    return float(rc[0]), float(ave[0])


def _rho_c_and_ave_rows(lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(rho_c, AVE)`` of a stack of blocks of the same size, one row of loadings each."""
    lam = np.ascontiguousarray(lam, dtype=float)  # each row's sum is then the one-block sum
    s = lam.sum(axis=1)
    s2 = np.array([x**2 for x in s])  # a scalar's square (pow), as for one block: an array's ** 2 rounds differently
    rho_c = s2 / (s2 + np.sum(1.0 - lam**2, axis=1))
    return rho_c, np.mean(lam**2, axis=1)


# --------------------------------------------------------------------------- public API


def cronbach_alpha(
    data: pd.DataFrame,
    blocks: Mapping[str, Sequence[str]],
    *,
    weights=None,
    standardized: bool = False,
    level: float = 0.95,
    n_obs: float | None = None,
) -> pd.DataFrame:
    """Cronbach's alpha per block with Feldt's (1965) confidence interval.

    ``α = k/(k−1) · (1 − Σ_i s_ii / Σ_i Σ_k s_ik)`` with ``s`` the (weighted)
    item covariances, or the correlations when ``standardized=True`` (the
    "standardized alpha" that PLS software reports, since PLS works on
    standardized items).  Feldt's interval uses
    ``(1 − α)/(1 − α̂) ~ F(n − 1, (n − 1)(k − 1))``:

        [1 − (1 − α̂) F_{1−γ/2},  1 − (1 − α̂) F_{γ/2}],  γ = 1 − level.

    Equivalent R: ``psych::alpha.ci(alpha, n.obs, n.var)``.

    Parameters
    ----------
    data : DataFrame
        Complete item answers.
    blocks : dict
        Latent -> list of its items.
    weights : array-like, optional
        Survey weights (one per row).
    standardized : bool
        Use correlations instead of covariances.
    level : float
        Confidence level of the interval.
    n_obs : float, optional
        Sample size of the interval; default the number of rows, or Kish's
        effective size ``(Σv)²/Σv²`` with survey weights.

    Returns
    -------
    DataFrame
        Index latent; columns ``alpha, ci_lower, ci_upper, n_items, n_obs``.
        Single-item blocks give NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> round(float(cronbach_alpha(df, {"F": ["a", "b", "c"]}).loc["F", "alpha"]), 4)
    0.9538
    """
    bl = check_blocks(blocks, list(data.columns) if isinstance(data, pd.DataFrame) else None)
    if not 0.0 < level < 1.0:
        raise MethodError(f"level must be in (0, 1), like 0.95; got {level!r}")
    if n_obs is None:
        if weights is None:
            n_obs = float(len(data))
        else:
            w = _check_weights(weights, len(data))
            n_obs = float(w.sum() ** 2 / (w**2).sum())
    n_obs = float(n_obs)
    rows = []
    for lv, items in bl.items():
        S = _cov_of(data, items, weights)
        if standardized:
            S = _cor(S)
        a = _alpha_from_cov(S)
        lo, hi = _feldt_ci(a, n_obs, len(items), level)
        rows.append({"latent": lv, "alpha": a, "ci_lower": lo, "ci_upper": hi, "n_items": len(items), "n_obs": n_obs})
    return pd.DataFrame(rows).set_index("latent")


def _loadings_by_block(loadings, blocks) -> dict[str, np.ndarray]:
    if isinstance(loadings, pd.DataFrame):
        out = {}
        if blocks is None:
            for lv in loadings.columns:
                col = loadings[lv]
                col = col[col.notna() & (col != 0)]
                if col.empty:
                    raise MethodError(f"latent {lv!r} has no non-zero loading; pass blocks= to say which items it has")
                out[str(lv)] = col.to_numpy(dtype=float)
            return out
        bl = check_blocks(blocks)
        for lv, items in bl.items():
            if lv not in loadings.columns:
                raise MethodError(f"latent {lv!r} is not a column of loadings (columns: {list(loadings.columns)})")
            missing = [it for it in items if it not in loadings.index]
            if missing:
                raise MethodError(f"items {missing} of latent {lv!r} are not rows of loadings")
            out[lv] = loadings.loc[items, lv].to_numpy(dtype=float)
        return out
    if isinstance(loadings, pd.Series):
        if blocks is None:
            raise MethodError("loadings given as a Series (indexed by item) need blocks= latent -> items")
        bl = check_blocks(blocks)
        out = {}
        for lv, items in bl.items():
            missing = [it for it in items if it not in loadings.index]
            if missing:
                raise MethodError(f"items {missing} of latent {lv!r} have no loading in the Series")
            out[lv] = loadings.loc[items].to_numpy(dtype=float)
        return out
    raise MethodError(f"loadings must be a DataFrame (items x latents) or a Series (by item); got {type(loadings).__name__}")


def composite_reliability(loadings, blocks: Mapping[str, Sequence[str]] | None = None) -> pd.Series:
    """Composite reliability rho_c (Werts, Linn & Jöreskog 1974; Dillon-Goldstein's rho).

    ``ρ_c = (Σ λ_i)² / ((Σ λ_i)² + Σ (1 − λ_i²))`` from standardized loadings.

    Parameters
    ----------
    loadings : DataFrame (items × latents) or Series (by item)
        Standardized loadings; in a DataFrame without ``blocks`` a latent's
        items are its non-zero cells.
    blocks : dict, optional

    Returns
    -------
    Series ``rho_c`` by latent.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series({"a": 0.8, "b": 0.8})
    >>> round(float(composite_reliability(s, {"F": ["a", "b"]})["F"]), 4)
    0.7805
    """
    lb = _loadings_by_block(loadings, blocks)
    return pd.Series({lv: rho_c_and_ave(lam)[0] for lv, lam in lb.items()}, name="rho_c", dtype=float)


def ave(loadings, blocks: Mapping[str, Sequence[str]] | None = None) -> pd.Series:
    """Average variance extracted (Fornell & Larcker 1981): ``AVE = Σ λ_i² / k``.

    Same inputs as :func:`composite_reliability`.

    Examples
    --------
    >>> import pandas as pd
    >>> float(ave(pd.Series({"a": 0.8, "b": 0.6}), {"F": ["a", "b"]})["F"])
    0.5
    """
    lb = _loadings_by_block(loadings, blocks)
    return pd.Series({lv: rho_c_and_ave(lam)[1] for lv, lam in lb.items()}, name="ave", dtype=float)


def rho_a(data: pd.DataFrame, blocks: Mapping[str, Sequence[str]], outer_weights, *, weights=None) -> pd.Series:
    """Dijkstra-Henseler rho_A (Dijkstra & Henseler 2015, eq. 13).

    ``ρ_A = (ŵᵀŵ)² · ŵᵀ(R − diag R)ŵ / ŵᵀ(ŵŵᵀ − diag(ŵŵᵀ))ŵ`` with ``R`` the
    item correlation matrix of the block and ``ŵ`` the outer weights rescaled
    so that the composite of standardized items has unit variance.

    Parameters
    ----------
    data : DataFrame
    blocks : dict
    outer_weights : DataFrame (items × latents) or Series (by item)
        PLS outer weights (any scale; they are rescaled).
    weights : array-like, optional
        Survey weights.

    Returns
    -------
    Series ``rho_a`` by latent (NaN for single items).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.standard_normal(500)
    >>> df = pd.DataFrame({"a": f + rng.standard_normal(500), "b": f + rng.standard_normal(500)})
    >>> r = rho_a(df, {"F": ["a", "b"]}, pd.Series({"a": 1.0, "b": 1.0}))
    >>> bool(0.3 < r["F"] < 0.7)
    True
    """
    bl = check_blocks(blocks, list(data.columns) if isinstance(data, pd.DataFrame) else None)
    wb = _loadings_by_block(outer_weights, bl)
    out = {}
    for lv, items in bl.items():
        R = _cor(_cov_of(data, items, weights))
        out[lv] = _rho_a_from_cor(R, wb[lv])
    return pd.Series(out, name="rho_a", dtype=float)


def htmt(data: pd.DataFrame, blocks: Mapping[str, Sequence[str]], *, weights=None) -> pd.DataFrame:
    """Heterotrait-monotrait ratio of correlations (Henseler, Ringle & Sarstedt 2015).

    ``HTMT_ij = mean_{a∈i, b∈j} |r_ab| / √(m_i m_j)``, ``m_i`` the mean |r|
    between distinct items of block i (1 for a single item).  Absolute
    correlations are used, as in seminr, so reverse-coded items do not cancel.

    Returns
    -------
    DataFrame latents × latents, symmetric, NaN on the diagonal.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> f = rng.standard_normal(300)
    >>> df = pd.DataFrame({c: f + rng.standard_normal(300) for c in "abcd"})
    >>> h = htmt(df, {"F": ["a", "b"], "G": ["c", "d"]})
    >>> bool(0.9 < h.loc["F", "G"] < 1.1)
    True
    """
    bl = check_blocks(blocks, list(data.columns) if isinstance(data, pd.DataFrame) else None)
    items = _all_items(bl)
    R = _cor(_cov_of(data, items, weights))
    idx, start = [], 0
    for its in bl.values():
        idx.append(np.arange(start, start + len(its)))
        start += len(its)
    lat = list(bl)
    return pd.DataFrame(_htmt_from_cor(R, idx), index=lat, columns=lat)


def fornell_larcker(ave_values: pd.Series, latent_cor: pd.DataFrame) -> pd.DataFrame:
    """Fornell-Larcker (1981) table: latent correlations, √AVE on the diagonal.

    Discriminant validity holds for latent j when √AVE_j exceeds every |r_jk|.

    Parameters
    ----------
    ave_values : Series
        AVE by latent (see :func:`ave`).
    latent_cor : DataFrame
        Correlations of the latent scores.

    Returns
    -------
    DataFrame latents × latents.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame([[1, 0.5], [0.5, 1]], index=["F", "G"], columns=["F", "G"], dtype=float)
    >>> float(fornell_larcker(pd.Series({"F": 0.64, "G": 0.49}), c).loc["F", "F"])
    0.8
    """
    if not isinstance(latent_cor, pd.DataFrame) or list(latent_cor.index) != list(latent_cor.columns):
        raise MethodError("latent_cor must be a square DataFrame with the same latents as index and columns")
    missing = [lv for lv in latent_cor.index if lv not in ave_values.index]
    if missing:
        raise MethodError(f"latents {missing} of latent_cor have no AVE value; give AVE for every latent")
    out = latent_cor.astype(float).copy()
    for lv in out.index:
        out.loc[lv, lv] = float(np.sqrt(ave_values[lv]))
    return out


def item_vif(data: pd.DataFrame, blocks: Mapping[str, Sequence[str]], *, weights=None) -> pd.Series:
    """Variance inflation factor of each item given the other items of its block.

    ``VIF_i = 1 / (1 − R²_i) = [R_b⁻¹]_ii`` with ``R_b`` the block's item
    correlation matrix; 1 for a single item, ``inf`` for a singular block.

    Returns
    -------
    Series ``vif`` indexed by item.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4.0], "b": [1, 3, 2, 4.0]})
    >>> round(float(item_vif(df, {"F": ["a", "b"]})["a"]), 4)
    2.7778
    """
    bl = check_blocks(blocks, list(data.columns) if isinstance(data, pd.DataFrame) else None)
    out = {}
    for lv, items in bl.items():
        v = _vif_from_cor(_cor(_cov_of(data, items, weights)))
        out.update(dict(zip(items, v)))
    return pd.Series(out, name="vif", dtype=float)
