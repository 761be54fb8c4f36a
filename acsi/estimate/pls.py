"""Partial least squares path modelling (PLS-PM), the estimator of ACSI and ECSI.

Wold's algorithm in Lohmöller's (1989) formulation, written with numpy only.
Because every step is linear in the data, the iteration runs on the (weighted)
item correlation matrix ``R`` alone; the data are touched once to form ``R``
and once at the end for the construct scores, so a fit costs one pass over the
rows whatever the number of iterations.

Algorithm
---------
Items are standardized with (survey-)weighted means and standard deviations
(divisor ``Σ v_r``).  ``W`` (items × latents) holds the outer weights, zero
outside each latent's block; a latent's score ``Y_j = Z w_j`` has unit
variance, i.e. ``w_jᵀ R_jj w_j = 1``.  Starting from unit weights, repeat

1. score correlations ``C = Wᵀ R W``;
2. inner weights ``E`` (latents × latents, inner proxy ``Ẑ_j = Σ_i e_ij Y_i``):

   * centroid:  ``e_ij = sign(c_ij)`` for adjacent i, j;
   * factorial: ``e_ij = c_ij`` for adjacent i, j;
   * path:      ``e_ij`` = coefficient of ``Y_i`` in the regression of ``Y_j``
     on its predecessors when ``i → j``; ``e_ij = c_ij`` when ``j → i``;

   a latent without any path (a lone block) uses its own score (``e_jj = 1``);
3. outer weights ``w_j ∝ cov(Z_j, Ẑ_j) = (R W E)_j`` (mode A) or
   ``w_j ∝ R_jj⁻¹ (R W E)_j`` (mode B), rescaled to unit score variance;

until the largest absolute change of a standardized weight is below ``tol``.
Then every block's sign is fixed so that its anchor item (by default its first
item) loads positively; a single-item block therefore always has weight 1 and
loading +1.  Loadings are ``corr(x_i, Y_j) = (R W)_ij``; path coefficients and
R² are OLS on ``C``: ``β_j = C_PP⁻¹ C_Pj``, ``R²_j = C_jP β_j`` (P the
predecessors of j).

Survey weights (Becker & Ismail 2016) enter through the weighted means and
covariances, so every step (outer estimation, inner regressions, R², scores,
index) is weighted; with integer weights the fit equals that of the data with
every row repeated ``v_r`` times.

The 0-100 index (Fornell et al. 1996)
-------------------------------------
With ``w_i`` the standardized weights and ``s_i`` the item standard
deviations, the unstandardized weights ``ŵ_i = w_i / s_i`` normalised within a
block to ``w̃_i = ŵ_i / Σ_k ŵ_k`` give

    index_j = 100 · Σ_i w̃_i (x̄_i − min_i) / Σ_i w̃_i (max_i − min_i),

with ``min_i, max_i`` the items' scale bounds; with three items on 1-10 this
is ``100 · Σ w̃_i (x̄_i − 1) / 9``.  The same weights applied to each
respondent give per-respondent 0-100 scores whose (weighted) mean is the index.
A negative normalised weight makes the index meaningless: acsi refuses to
publish it (:class:`~acsi.errors.ScoringError` on access, naming latent and
item), while every other result stays available.

References
----------
Lohmöller, J.-B. (1989). *Latent Variable Path Modeling with Partial Least
Squares*. Physica.  Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M. &
Lauro, C. (2005). PLS path modeling. *Computational Statistics & Data
Analysis*, 48, 159-205.  Fornell, C. et al. (1996). The American Customer
Satisfaction Index. *Journal of Marketing*, 60(4), 7-18.  Becker, J.-M. &
Ismail, I. R. (2016). Accounting for sampling weights in PLS path modeling.
*European Management Journal*, 34, 606-617.

Equivalent R: ``plspm::plspm(data, path_matrix, blocks, modes, scheme)`` or
``seminr::estimate_pls(data, mm, sm, inner_weights = path_weighting)``.

Examples
--------
>>> import acsi
>>> from acsi.estimate.pls import fit_pls
>>> df = acsi.demo_survey()                                 # doctest: +SKIP
>>> blocks = {"CE": ["ce1", "ce2", "ce3"], "CS": ["cs1", "cs2", "cs3"]}
>>> res = fit_pls(df, blocks, [("CE", "CS")], scale_bounds={i: (1, 10) for b in blocks.values() for i in b})  # doctest: +SKIP
>>> res.index["CS"]                                         # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..errors import ConvergenceWarning, DataError, EstimationError, ScoringError, SpecError
from ..score import rescale
from .effects import total_effects
from .quality import (
    check_blocks,
    check_weights,
    _alpha_from_cov,
    _htmt_from_cor,
    _rho_a_from_cor,
    rho_c_and_ave,
    _vif_from_cor,
)

__all__ = ["PLSResult", "fit_pls", "SCHEMES"]

SCHEMES = ("centroid", "factorial", "path")


# --------------------------------------------------------------------------- model structure


@dataclass(frozen=True)
class _Structure:
    """The model compiled to index arrays (no pandas; reused across bootstrap draws)."""

    items: tuple[str, ...]
    latents: tuple[str, ...]
    idx: tuple[np.ndarray, ...]  # item positions of each block
    mask: np.ndarray  # (p, J) float 0/1
    adj: np.ndarray  # (J, J): adj[i, j] = 1 when i -> j
    sym: np.ndarray  # adj + adj.T
    preds: tuple[np.ndarray, ...]  # predecessors of each latent
    endog: tuple[int, ...]
    mode_b: np.ndarray  # (J,) bool
    anchor: np.ndarray  # (J,) item position of the sign anchor
    lone: np.ndarray  # (J,) bool: latent without any path
    # the regressions of the endogenous latents on their predecessors, padded to one batch:
    # systems e = 0..E-1 solve C[P_e, P_e] b = C[P_e, j_e] with P_e padded by index 0 to length K
    reg_j: np.ndarray  # (E,) latent regressed
    reg_P: np.ndarray  # (E, K) predecessor indices (padded)
    reg_valid: np.ndarray  # (E, K) bool
    reg_eye: np.ndarray  # (E, K, K) identity on the padding
    reg_valid2: np.ndarray  # (E, K, K) bool


def _known_latents(what: str, mapping: Mapping | None, pos: dict) -> dict:
    """``mapping`` (latent -> value) as a dict, refusing latents without a block."""
    mapping = dict(mapping or {})
    bad = [lv for lv in mapping if lv not in pos]
    if bad:
        raise SpecError(f"{what} names latents {bad} that have no block; latents are {list(pos)}")
    return mapping


def _compile(
    blocks: Mapping[str, Sequence[str]],
    paths: Sequence[tuple[str, str]],
    modes: Mapping[str, str] | None,
    anchors: Mapping[str, str] | None,
) -> _Structure:
    check_blocks(blocks, error=SpecError)
    latents: list[str] = list(blocks)
    items: list[str] = [it for its in blocks.values() for it in its]
    clash = sorted(set(latents) & set(items))
    if clash:
        raise SpecError(f"names used both as latent and item: {clash}; rename one of them")
    J = len(latents)
    pos = {lv: j for j, lv in enumerate(latents)}
    ipos = {it: k for k, it in enumerate(items)}

    adj = np.zeros((J, J))
    seen = set()
    for p in paths:
        if not (isinstance(p, Sequence) and not isinstance(p, str) and len(p) == 2):
            raise SpecError(f"each path must be a pair (from, to) like ('CE', 'CS'); got {p!r}")
        a, b = p
        unknown = [x for x in (a, b) if x not in pos]
        if unknown:
            raise SpecError(f"path {a} -> {b} names {unknown}, which have no block; latents are {latents}")
        if a == b:
            raise SpecError(f"path {a} -> {b} is a self-loop; remove it")
        if (a, b) in seen:
            raise SpecError(f"path {a} -> {b} is listed twice; list each path once")
        seen.add((a, b))
        adj[pos[a], pos[b]] = 1.0
    # PLS path models are recursive: refuse cycles (Kahn's algorithm)
    indeg = adj.sum(axis=0).copy()
    queue = [j for j in range(J) if indeg[j] == 0]
    done = 0
    while queue:
        j = queue.pop()
        done += 1
        for k in np.flatnonzero(adj[j]):
            indeg[k] -= 1
            if indeg[k] == 0:
                queue.append(int(k))
    if done < J:
        cyc = [latents[j] for j in range(J) if indeg[j] > 0]
        raise SpecError(f"the paths form a cycle through {cyc}; PLS path modelling needs a recursive (acyclic) model")

    modes = _known_latents("modes", modes, pos)
    mode_b = np.zeros(J, dtype=bool)
    for lv, m in modes.items():
        mu = str(m).upper()
        if mu not in ("A", "B"):
            raise SpecError(f"mode of latent {lv!r} must be 'A' (reflective) or 'B' (formative); got {m!r}")
        mode_b[pos[lv]] = mu == "B"

    anchors = _known_latents("anchors", anchors, pos)
    anchor = np.empty(J, dtype=int)
    for lv, j in pos.items():
        a = anchors.get(lv, blocks[lv][0])
        if a not in blocks[lv]:
            raise SpecError(f"anchor item {a!r} of latent {lv!r} is not in its block {list(blocks[lv])}; pick one of its items")
        anchor[j] = ipos[a]

    idx = tuple(np.array([ipos[it] for it in blocks[lv]], dtype=int) for lv in latents)
    mask = np.zeros((len(items), J))
    for j, ix in enumerate(idx):
        mask[ix, j] = 1.0
    preds = tuple(np.flatnonzero(adj[:, j]) for j in range(J))
    endog = tuple(j for j in range(J) if preds[j].size)
    sym = adj + adj.T
    lone = sym.sum(axis=0) == 0
    K = max((preds[j].size for j in endog), default=1)
    reg_j = np.array(endog, dtype=int)
    reg_P = np.zeros((len(endog), K), dtype=int)
    reg_valid = np.zeros((len(endog), K), dtype=bool)
    for e, j in enumerate(endog):
        reg_P[e, : preds[j].size] = preds[j]
        reg_valid[e, : preds[j].size] = True
    reg_valid2 = reg_valid[:, :, None] & reg_valid[:, None, :]
    reg_eye = np.where(reg_valid2, 0.0, np.eye(K)[None, :, :])
    return _Structure(
        items=tuple(items), latents=tuple(latents), idx=idx, mask=mask, adj=adj, sym=sym, preds=preds,
        endog=endog, mode_b=mode_b, anchor=anchor, lone=lone, reg_j=reg_j, reg_P=reg_P, reg_valid=reg_valid,
        reg_eye=reg_eye, reg_valid2=reg_valid2,
    )


# --------------------------------------------------------------------------- the iteration (numpy only)


def _inner_weights(C: np.ndarray, m: _Structure, scheme: str) -> np.ndarray:
    if scheme == "centroid":
        E = np.sign(C) * m.sym
    elif scheme == "factorial":
        E = C * m.sym
    else:  # path weighting
        E = C * m.adj.T  # successors: correlation
        if m.endog:
            E[m.reg_P[m.reg_valid], np.repeat(m.reg_j, m.reg_valid.sum(axis=1))] = _regressions(C, m)[m.reg_valid]
    if m.lone.any():
        E[m.lone, m.lone] = 1.0
    return E


def _regressions(C: np.ndarray, m: _Structure) -> np.ndarray:
    """OLS coefficients of every endogenous latent on its predecessors, in one batched solve.

    Returns an (E, K) array, row e for latent ``m.reg_j[e]``, padded with zeros.
    """
    P = m.reg_P
    A = np.where(m.reg_valid2, C[P[:, :, None], P[:, None, :]], m.reg_eye)
    b = np.where(m.reg_valid, C[P, m.reg_j[:, None]], 0.0)
    try:
        beta = np.linalg.solve(A, b[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        beta = None
    if beta is None or not np.all(np.isfinite(beta)):
        for e, j in enumerate(m.reg_j):
            k = int(m.reg_valid[e].sum())
            if np.linalg.matrix_rank(A[e, :k, :k]) < k:
                raise _collinear(m, int(j))
        raise _collinear(m, int(m.reg_j[0]))  # pragma: no cover
    return beta


def _outer_operator(R: np.ndarray, m: _Structure) -> np.ndarray:
    """``M R`` with M = blockdiag(R_jj⁻¹ for mode-B blocks, I for mode-A blocks)."""
    if not m.mode_b.any():
        return R
    MR = R.copy()
    for j in np.flatnonzero(m.mode_b):
        ix = m.idx[j]
        Rjj = R[np.ix_(ix, ix)]
        try:
            MR[ix, :] = np.linalg.solve(Rjj, R[ix, :])
        except np.linalg.LinAlgError:
            raise EstimationError(
                f"mode B block {m.latents[j]!r}: the items {[m.items[k] for k in ix]} are linearly dependent "
                "(singular correlation matrix); drop a redundant item or use mode A"
            ) from None
    return MR


def _iterate(R: np.ndarray, m: _Structure, scheme: str, tol: float, max_iter: int) -> tuple[np.ndarray, int, bool, float]:
    """Standardized outer weights (items × latents), iterations, converged flag, last change."""
    MR = _outer_operator(R, m)
    mask = m.mask
    W = mask.copy()
    W /= np.sqrt(np.einsum("ij,ij->j", W, R @ W))
    delta = np.inf
    for it in range(1, max_iter + 1):
        C = W.T @ R @ W
        E = _inner_weights(C, m, scheme)
        Wn = (MR @ (W @ E)) * mask
        var = np.einsum("ij,ij->j", Wn, R @ Wn)
        dead = ~(var > 0) | ~np.isfinite(var) | (((np.abs(C) * m.sym).max(axis=0) < 1e-10) & ~m.lone)
        if dead.any():
            bad = [m.latents[j] for j in np.flatnonzero(dead)]
            raise EstimationError(
                f"the inner proxy of {bad} vanished at iteration {it} (zero correlation with every neighbour); "
                "check the paths of these latents or try scheme='path'"
            )
        Wn /= np.sqrt(var)
        delta = float(np.max(np.abs(Wn - W)))
        W = Wn
        if delta < tol:
            return W, it, True, delta
    return W, max_iter, False, delta


def _fix_signs(W: np.ndarray, R: np.ndarray, m: _Structure) -> np.ndarray:
    L = R @ W
    sign = np.where(L[m.anchor, np.arange(len(m.latents))] < 0, -1.0, 1.0)
    return W * sign


def _collinear(m: _Structure, j: int) -> EstimationError:
    return EstimationError(
        f"the predecessors {[m.latents[i] for i in m.preds[j]]} of {m.latents[j]!r} have (almost) perfectly "
        "collinear scores; remove one of these paths or merge the constructs"
    )


def _inner_model(C: np.ndarray, m: _Structure) -> tuple[np.ndarray, np.ndarray]:
    """Path matrix B (B[i, j] = coefficient of i -> j) and R² (NaN for exogenous)."""
    J = len(m.latents)
    B = np.zeros((J, J))
    r2 = np.full(J, np.nan)
    if not m.endog:
        return B, r2
    P = m.reg_P
    A = np.where(m.reg_valid2, C[P[:, :, None], P[:, None, :]], m.reg_eye)
    small = np.linalg.eigvalsh(A)[:, 0] < 1e-10
    if small.any():
        raise _collinear(m, int(m.reg_j[np.flatnonzero(small)[0]]))
    beta = _regressions(C, m)
    B[P[m.reg_valid], np.repeat(m.reg_j, m.reg_valid.sum(axis=1))] = beta[m.reg_valid]
    b = np.where(m.reg_valid, C[P, m.reg_j[:, None]], 0.0)
    r2[m.reg_j] = np.einsum("ek,ek->e", b, beta)
    return B, r2


def _estimate(R: np.ndarray, m: _Structure, scheme: str, tol: float, max_iter: int):
    """Core estimate from a correlation matrix: W (sign-fixed), C, B, r2, n_iter, converged, delta."""
    W, n_iter, converged, delta = _iterate(R, m, scheme, tol, max_iter)
    W = _fix_signs(W, R, m)
    C = W.T @ R @ W
    B, r2 = _inner_model(C, m)
    return W, C, B, r2, n_iter, converged, delta


# --------------------------------------------------------------------------- input checks


def _check_options(scheme: str, tol: float, max_iter: int) -> str:
    if not isinstance(scheme, str) or scheme.lower() not in SCHEMES:
        raise SpecError(f"scheme must be one of {list(SCHEMES)}; got {scheme!r}")
    if not (isinstance(tol, (int, float)) and np.isfinite(tol) and tol > 0):
        raise SpecError(f"tol must be a positive number like 1e-7; got {tol!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise SpecError(f"max_iter must be a positive integer like 300; got {max_iter!r}")
    return scheme.lower()


def _extract(data: pd.DataFrame, items: Sequence[str]) -> np.ndarray:
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame with one column per item; got {type(data).__name__}")
    missing = [it for it in items if it not in data.columns]
    if missing:
        raise DataError(f"items {missing} of the model are not columns of the data; add them or fix the item names")
    sub = data.loc[:, list(items)]
    nonnum = [c for c, dt in zip(items, sub.dtypes) if not (dt.kind in "fiu")]
    if nonnum:
        raise DataError(f"items {nonnum} are not numeric; recode the answers as numbers (missing codes as NaN)")
    X = sub.to_numpy(dtype=float, na_value=np.nan)
    nan_count = np.isnan(X).sum(axis=0)
    if nan_count.any():
        bad = {items[j]: int(nan_count[j]) for j in np.flatnonzero(nan_count)}
        raise DataError(
            f"PLS needs complete data; missing values in {bad} (column: count); apply the missing-data policy "
            "(listwise deletion) before fitting"
        )
    inf = [items[j] for j in np.flatnonzero(~np.isfinite(X).all(axis=0))]
    if inf:
        raise DataError(f"items {inf} contain infinite values; fix the data")
    return X


def _survey_weights(weights, n: int, index: pd.Index) -> np.ndarray | None:
    if weights is None:
        return None
    if isinstance(weights, pd.Series):
        if not weights.index.equals(index):
            missing = index.difference(weights.index)
            if len(missing) or weights.index.has_duplicates:
                raise DataError(
                    f"survey weights (a Series) must have one value per data row, matched by index; "
                    f"rows {list(missing[:10])} have no weight{' and the weights index has duplicates' if weights.index.has_duplicates else ''}"
                )
            weights = weights.reindex(index)
        weights = weights.to_numpy()
    v = check_weights(weights, n, error=DataError)
    if np.count_nonzero(v) < 2:
        raise DataError("fewer than two rows have a positive survey weight; PLS needs at least two weighted rows")
    return v


def _bounds(scale_bounds, X: np.ndarray, items: Sequence[str]) -> tuple[np.ndarray, np.ndarray, str]:
    if scale_bounds is None:
        return X.min(axis=0), X.max(axis=0), "observed"
    if not isinstance(scale_bounds, Mapping):
        raise DataError(f"scale_bounds must be a dict item -> (min, max); got {type(scale_bounds).__name__}")
    missing = [it for it in items if it not in scale_bounds]
    if missing:
        raise DataError(f"scale_bounds gives no (min, max) for items {missing}; give bounds for every item of the model")
    lo = np.empty(len(items))
    hi = np.empty(len(items))
    for k, it in enumerate(items):
        b = scale_bounds[it]
        try:
            lo[k], hi[k] = float(b[0]), float(b[1])
        except (TypeError, ValueError, IndexError):
            raise DataError(f"scale bounds of item {it!r} must be a pair (min, max) like (1, 10); got {b!r}") from None
        if not lo[k] < hi[k]:
            raise DataError(f"scale bounds of item {it!r} have min {lo[k]} >= max {hi[k]}; fix them")
    out = (X < lo) | (X > hi)
    if out.any():
        bad = {items[j]: sorted(set(X[out[:, j], j].tolist()))[:5] for j in np.flatnonzero(out.any(axis=0))}
        raise DataError(
            f"answers outside the items' scale bounds: {bad} (item: values); recode missing codes such as 98/99 "
            "to NaN or fix scale_bounds"
        )
    return lo, hi, "given"


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class _Arrays:
    """The numbers of a fit as numpy arrays (pandas objects are built from them on first access)."""

    items: tuple
    latents: tuple
    mask: np.ndarray
    endog: tuple
    W: np.ndarray
    L: np.ndarray
    B: np.ndarray
    r2: np.ndarray
    C: np.ndarray
    R: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    unstd: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    bounds_source: str
    Y: np.ndarray
    idx_scores: np.ndarray
    index_vals: np.ndarray
    row_index: pd.Index


def _view(attr: str, index: str, columns: str | None = None, *, name: str | None = None, masked: bool = False):
    """A cached pandas view of one array of :class:`_Arrays` (items, latents or rows as labels)."""
    def labels(self, which):
        return {"items": self._it, "latents": self._lat, "rows": self._a.row_index}[which]

    def build(self):
        arr = getattr(self._a, attr) * (self._a.mask if masked else 1)
        if columns is None:
            return pd.Series(arr, index=labels(self, index), name=name)
        return pd.DataFrame(arr, index=labels(self, index), columns=labels(self, columns))

    return cached_property(build)


@dataclass(frozen=True, eq=False)
class PLSResult:
    """One PLS path-model fit.  Read-only; derived tables are computed on first access.

    Attributes
    ----------
    outer_weights : DataFrame
        Items × latents, standardized weights (score = standardized items @ weights), 0 outside a block.
    outer_loadings : DataFrame
        Items × latents, ``corr(item, score)`` within blocks, 0 outside.
    cross_loadings : DataFrame
        Items × latents, every ``corr(item, score)``.
    unstd_weights : Series
        By item: ``w_i / s_i`` normalised to sum to 1 within each block (Fornell's weights).
    path_matrix : DataFrame
        Latents × latents, ``path_matrix.loc[from, to]``; 0 where there is no path.
    path_table : DataFrame
        Columns ``from, to, est``, one row per path in the order given.
    r2 : Series
        R² of each endogenous latent.
    scores : DataFrame
        Construct scores, weighted mean 0 and weighted variance 1 (divisor ``Σ v``, i.e. n without
        survey weights; multiply by ``√((n−1)/n)`` for R's ``scale()`` convention).
    latent_cor : DataFrame
        Correlations of the scores.
    item_cor : DataFrame
        Weighted correlation matrix of the items (everything above derives from it).
    item_means, item_sds : Series
        Weighted means and standard deviations (divisor ``Σ v``).
    index_bounds : DataFrame
        Columns ``min, max, source`` ("given" or "observed") by item.
    converged : bool
    n_iter : int
    last_change : float
        Largest absolute weight change in the last iteration.
    n : int
        Rows used.
    n_eff : float
        Kish's effective sample size ``(Σv)²/Σv²`` (n without survey weights).
    scheme : str
    modes : dict
        Latent -> "A" or "B".
    blocks : dict
    model_paths : tuple of (from, to)
    weighted : bool
    index_problems : tuple of str
        Why an index is refused (negative normalised weights), empty when all are published.

    Derived (cached) attributes: ``total_effects``, ``quality``, ``htmt``, ``fornell_larcker``,
    ``item_vif``, ``outer_table``; guarded attributes ``index`` and ``index_scores``.
    """

    converged: bool
    n_iter: int
    last_change: float
    n: int
    n_eff: float
    scheme: str
    modes: dict
    blocks: dict
    model_paths: tuple
    weighted: bool
    index_problems: tuple[str, ...] = ()
    _a: _Arrays = field(default=None, repr=False)

    # ---------------------------------------------------------------- pandas views of the arrays

    @cached_property
    def _lat(self) -> pd.Index:
        return pd.Index(self._a.latents)

    @cached_property
    def _it(self) -> pd.Index:
        return pd.Index(self._a.items)

    outer_weights = _view("W", "items", "latents")
    outer_loadings = _view("L", "items", "latents", masked=True)
    cross_loadings = _view("L", "items", "latents")
    unstd_weights = _view("unstd", "items", name="unstd_weight")
    path_matrix = _view("B", "latents", "latents")

    @cached_property
    def path_table(self) -> pd.DataFrame:
        lat = list(self._a.latents)
        return pd.DataFrame(
            [{"from": a, "to": b, "est": float(self._a.B[lat.index(a), lat.index(b)])} for a, b in self.model_paths],
            columns=["from", "to", "est"],
        )

    @cached_property
    def r2(self) -> pd.Series:
        e = list(self._a.endog)
        return pd.Series(self._a.r2[e], index=pd.Index([self._a.latents[j] for j in e]), name="r2", dtype=float)

    scores = _view("Y", "rows", "latents")
    latent_cor = _view("C", "latents", "latents")
    item_cor = _view("R", "items", "items")
    item_means = _view("mean", "items", name="mean")
    item_sds = _view("sd", "items", name="sd")

    @cached_property
    def index_bounds(self) -> pd.DataFrame:
        return pd.DataFrame({"min": self._a.lo, "max": self._a.hi, "source": self._a.bounds_source}, index=self._it)

    @cached_property
    def _index(self) -> pd.Series:
        return pd.Series(self._a.index_vals, index=self._lat, name="index")

    # ---------------------------------------------------------------- index (guarded)

    def _refuse(self, latents: Sequence[str]) -> None:
        bad = [p for p in self.index_problems if p.split(":", 1)[0] in latents]
        if bad:
            raise ScoringError(
                "refusing to publish a 0-100 index with negative item weights: " + "; ".join(bad)
                + ". A negative weight means an item counts against its construct (reverse-coded item, "
                "mode B block or a misfitting item): recode or drop the item, or set mode A. "
                "Indexes of the other latents are available through latent_index(latent)."
            )

    @property
    def index(self) -> pd.Series:
        """Fornell's 0-100 index of every latent (raises ScoringError if any weight is negative)."""
        self._refuse(list(self._index.index))
        return self._index.copy()

    @property
    def index_scores(self) -> pd.DataFrame:
        """Per-respondent 0-100 scores; their (survey-weighted) mean is :attr:`index`."""
        self._refuse(list(self._index.index))
        return pd.DataFrame(self._a.idx_scores, index=self._a.row_index, columns=self._lat)

    def latent_index(self, latent: str) -> float:
        """The 0-100 index of one latent (raises ScoringError only for that latent's weights)."""
        if latent not in self._index.index:
            raise SpecError(f"latent {latent!r} is not in the model; latents are {list(self._index.index)}")
        self._refuse([latent])
        return float(self._index[latent])

    # ---------------------------------------------------------------- derived tables

    @cached_property
    def total_effects(self) -> pd.DataFrame:
        """Columns ``from, to, direct, indirect, total`` for every pair with a non-zero total effect.

        ``T = (I − B)⁻¹ − I`` with ``B[i, j]`` the path i -> j.
        """
        B = self.path_matrix.to_numpy()
        J = B.shape[0]
        T = total_effects(B)  # acsi.estimate.effects: T = (I − B)⁻¹ − I
        lat = list(self.path_matrix.index)
        rows = []
        for i in range(J):
            for j in range(J):
                if i != j and (T[i, j] != 0 or B[i, j] != 0):
                    rows.append({"from": lat[i], "to": lat[j], "direct": B[i, j], "indirect": T[i, j] - B[i, j], "total": T[i, j]})
        return pd.DataFrame(rows, columns=["from", "to", "direct", "indirect", "total"])

    @cached_property
    def _block_index(self) -> list[np.ndarray]:
        items = list(self.item_cor.index)
        return [np.array([items.index(it) for it in its]) for its in self.blocks.values()]

    @cached_property
    def quality(self) -> pd.DataFrame:
        """Per latent: ``alpha`` (standardized Cronbach's alpha), ``rho_c``, ``rho_a``, ``ave``, ``r2``, ``n_items``.

        Formulas in :mod:`acsi.estimate.quality`; all from the weighted item correlations.
        """
        R = self.item_cor.to_numpy()
        rows = []
        for (lv, its), ix in zip(self.blocks.items(), self._block_index):
            Rb = R[np.ix_(ix, ix)]
            lam = self.outer_loadings.loc[its, lv].to_numpy()
            rc, av = rho_c_and_ave(lam)
            rows.append({
                "latent": lv,
                "alpha": _alpha_from_cov(Rb),
                "rho_c": rc,
                "rho_a": _rho_a_from_cor(Rb, self.outer_weights.loc[its, lv].to_numpy()),
                "ave": av,
                "r2": float(self.r2.get(lv, np.nan)),
                "n_items": len(its),
            })
        return pd.DataFrame(rows).set_index("latent")

    @cached_property
    def htmt(self) -> pd.DataFrame:
        """Heterotrait-monotrait ratios (symmetric, NaN diagonal); see :func:`acsi.estimate.quality.htmt`."""
        lat = list(self.blocks)
        return pd.DataFrame(_htmt_from_cor(self.item_cor.to_numpy(), self._block_index), index=lat, columns=lat)

    @cached_property
    def fornell_larcker(self) -> pd.DataFrame:
        """Score correlations with √AVE on the diagonal (Fornell & Larcker 1981)."""
        out = self.latent_cor.copy()
        for lv in out.index:
            out.loc[lv, lv] = float(np.sqrt(self.quality.loc[lv, "ave"]))
        return out

    @cached_property
    def item_vif(self) -> pd.Series:
        """VIF of each item on the other items of its block."""
        R = self.item_cor.to_numpy()
        out = {}
        for its, ix in zip(self.blocks.values(), self._block_index):
            out.update(dict(zip(its, _vif_from_cor(R[np.ix_(ix, ix)]))))
        return pd.Series(out, name="vif", dtype=float)

    @cached_property
    def outer_table(self) -> pd.DataFrame:
        """Long table: ``latent, item, weight, loading, unstd_weight, mean, sd``."""
        rows = []
        for lv, its in self.blocks.items():
            for it in its:
                rows.append({
                    "latent": lv, "item": it, "weight": self.outer_weights.loc[it, lv],
                    "loading": self.outer_loadings.loc[it, lv], "unstd_weight": self.unstd_weights[it],
                    "mean": self.item_means[it], "sd": self.item_sds[it],
                })
        return pd.DataFrame(rows)


# --------------------------------------------------------------------------- entry point


def fit_pls(
    data: pd.DataFrame,
    blocks: dict[str, list[str]],
    paths: list[tuple[str, str]],
    *,
    modes: dict[str, str] | None = None,
    scheme: str = "path",
    weights: np.ndarray | pd.Series | None = None,
    anchors: dict[str, str] | None = None,
    tol: float = 1e-7,
    max_iter: int = 300,
    scale_bounds: dict[str, tuple[float, float]] | None = None,
) -> PLSResult:
    """Fit a PLS path model (Lohmöller's algorithm) and compute Fornell's 0-100 indexes.

    See the module docstring for the algorithm, the index formula and the references.

    Parameters
    ----------
    data : DataFrame
        Complete numeric item answers (the caller applies listwise deletion); extra columns are ignored.
    blocks : dict
        Latent -> list of its items.  The first item is the default sign anchor.
    paths : list of (from, to)
        Structural paths; the model must be recursive.  A latent without any path is
        estimated as a lone block (mode A: first principal component of its items).
    modes : dict, optional
        Latent -> "A" (default, correlation weights) or "B" (regression weights).
    scheme : {"path", "centroid", "factorial"}
        Inner weighting scheme.
    weights : array-like or Series, optional
        Survey weights, one non-negative number per row (weighted PLS); a Series is matched to
        the rows by index, anything else by position.
    anchors : dict, optional
        Latent -> item whose loading is made positive (default: first item of the block).
    tol : float
        Convergence: largest absolute change of a standardized outer weight.
    max_iter : int
        Iteration limit; reaching it gives ``converged=False`` and a ConvergenceWarning.
    scale_bounds : dict, optional
        Item -> (min, max) scale bounds for the index; default the observed range (recorded
        in ``index_bounds`` with source "observed").  Pass the questionnaire's bounds.

    Returns
    -------
    PLSResult

    Raises
    ------
    DataError
        Missing columns, non-numeric or missing/infinite values, zero-variance items, bad survey
        weights, answers outside ``scale_bounds``.
    SpecError
        Malformed blocks, paths, modes, anchors or options.
    EstimationError
        Singular mode-B block or collinear predecessors.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.standard_normal(300); g = 0.6 * f + 0.8 * rng.standard_normal(300)
    >>> df = pd.DataFrame({"a1": f + rng.standard_normal(300), "a2": f + rng.standard_normal(300),
    ...                    "b1": g + rng.standard_normal(300), "b2": g + rng.standard_normal(300)})
    >>> res = fit_pls(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]}, [("A", "B")])
    >>> bool(abs(res.path_matrix.loc["A", "B"] - res.latent_cor.loc["A", "B"]) < 1e-12)
    True
    """
    scheme = _check_options(scheme, tol, max_iter)
    m = _compile(blocks, paths, modes, anchors)
    items = list(m.items)
    latents = list(m.latents)
    X = _extract(data, items)
    n = X.shape[0]
    v = _survey_weights(weights, n, data.index)
    if n < 2:
        raise DataError(f"PLS needs at least two rows of data; got {n}")

    # 1. weighted moments, correlation matrix
    if v is None:
        mean = X.mean(axis=0)
        Xc = X - mean
        S = (Xc.T @ Xc) / n
        n_eff = float(n)
    else:
        sv = v.sum()
        mean = (v @ X) / sv
        Xc = X - mean
        S = (Xc.T * v) @ Xc / sv
        n_eff = float(sv**2 / (v @ v))
    var = np.diag(S).copy()
    flat = [items[k] for k in np.flatnonzero(var <= 1e-12 * np.maximum(1.0, mean**2))]
    if flat:
        raise DataError(
            f"items {flat} have zero variance (every respondent gave the same answer{' among weighted rows' if v is not None else ''}); "
            "PLS cannot standardize them: drop them from the model for this unit"
        )
    sd = np.sqrt(var)
    R = S / np.outer(sd, sd)
    np.fill_diagonal(R, 1.0)
    lo, hi, bounds_source = _bounds(scale_bounds, X, items)

    # 2. iterate, fix signs, inner model
    W, C, B, r2, n_iter, converged, delta = _estimate(R, m, scheme, tol, max_iter)
    if not converged:
        warnings.warn(
            f"PLS did not converge in {max_iter} iterations (last weight change {delta:.3g} >= tol {tol:g}); "
            "raise max_iter, or try another scheme",
            ConvergenceWarning,
            stacklevel=2,
        )
    Lfull = R @ W  # corr(item, score): scores have unit variance

    # 3. scores and Fornell's index
    Y = (Xc / sd) @ W
    U = (W / sd[:, None]) * m.mask  # unstandardized weights
    colsum = U.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        Un = U / colsum
    unstd = Un.sum(axis=1)
    problems = []
    for j, lv in enumerate(latents):
        ix = m.idx[j]
        negs = [(items[k], unstd[k]) for k in ix if not unstd[k] >= 0]
        if negs:
            problems.append(f"{lv}: " + ", ".join(f"{it} has normalised weight {w:.4g}" for it, w in negs))
    idx_scores = rescale(X, Un, lo, hi)  # the same 0-100 rescaling as the SEM scores (acsi.score)
    index_vals = rescale(mean[None, :], Un, lo, hi)[0]

    # 4. assemble (pandas objects are built lazily from these arrays)
    arrays = _Arrays(
        items=m.items, latents=m.latents, mask=m.mask, endog=m.endog, W=W, L=Lfull, B=B, r2=r2, C=C, R=R,
        mean=mean, sd=sd, unstd=unstd, lo=lo, hi=hi, bounds_source=bounds_source, Y=Y, idx_scores=idx_scores,
        index_vals=index_vals, row_index=data.index,
    )
    return PLSResult(
        converged=bool(converged),
        n_iter=int(n_iter),
        last_change=float(delta),
        n=int(n),
        n_eff=n_eff,
        scheme=scheme,
        modes={lv: ("B" if m.mode_b[j] else "A") for j, lv in enumerate(latents)},
        blocks={lv: list(blocks[lv]) for lv in latents},
        model_paths=tuple((a, b) for a, b in paths),
        weighted=v is not None,
        index_problems=tuple(problems),
        _a=arrays,
    )
