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

The iteration is written for a *stack* of correlation matrices (``_estimate``): the bootstrap,
the jackknife, PLSpredict's folds and blindfolding's rounds refit many replicates at once
(:mod:`acsi.estimate.pls_batch`), each replicate frozen when its own weights converge; a single
fit is a stack of one.  Consistent PLS (``consistent=``, Dijkstra & Henseler 2015) corrects the
loadings and construct correlations of reflective latents with ρ_A before the inner model is
estimated (:func:`_plsc`).  Quality criteria, model fit, prediction and IPMA of a fit:
:mod:`acsi.estimate.pls_quality`, :mod:`acsi.estimate.pls_fit`, :mod:`acsi.estimate.pls_predict`,
:mod:`acsi.estimate.pls_ipma`; bootstrap inference: :func:`acsi.bootstrap.bootstrap_pls`.

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

from ..errors import AdmissibilityWarning, ConvergenceWarning, DataError, EstimationError, ScoringError, SpecError
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


# --------------------------------------------------------------------------- the iteration (numpy only, batched)
#
# Every function below works on a *batch* of b correlation matrices at once (leading axis b):
# the bootstrap refits its replicates together, a single fit is a batch of one.  Failures are
# per replicate (``ok`` masks and reasons); :func:`_estimate` with ``strict=True`` raises the
# first one as an EstimationError, which is what :func:`fit_pls` does.


def _solve_batch(A: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``A⁻¹ b`` for stacked systems; returns (x, ok) with ok False where A is singular."""
    try:
        x = np.linalg.solve(A, b)
    except np.linalg.LinAlgError:  # one singular system: solve them one by one
        x = np.full(np.broadcast_shapes(A.shape[:-1], b.shape[:-1]) + b.shape[-1:], np.nan)
        flatA = A.reshape(-1, *A.shape[-2:])
        flatb = np.broadcast_to(b, A.shape[:-1] + b.shape[-1:]).reshape(-1, *b.shape[-2:])
        out = x.reshape(-1, *x.shape[-2:])
        for i in range(flatA.shape[0]):
            try:
                out[i] = np.linalg.solve(flatA[i], flatb[i])
            except np.linalg.LinAlgError:
                pass
    ok = np.isfinite(x).reshape(x.shape[0], -1).all(axis=1)
    return x, ok


def _collinear_latent(A: np.ndarray, m: _Structure) -> int:
    """The first regressed latent whose predecessor correlation matrix is (numerically) singular."""
    for e, j in enumerate(m.reg_j):
        k = int(m.reg_valid[e].sum())
        block = A[e, :k, :k]
        if not np.isfinite(block).all() or np.linalg.matrix_rank(block) < k:  # (NaN: a PLSc rho_A below 0)
            return int(j)
    return int(m.reg_j[0])  # pragma: no cover


def _regressions(C: np.ndarray, m: _Structure) -> tuple[np.ndarray, np.ndarray, list]:
    """OLS coefficients of every endogenous latent on its predecessors, for a batch of ``C``.

    Returns ``(beta, ok, reasons)``: beta (b, E, K), row e for latent ``m.reg_j[e]``, padded with
    zeros; ok (b,) False where some predecessors are collinear, with the reason.
    """
    P = m.reg_P
    A = np.where(m.reg_valid2, C[:, P[:, :, None], P[:, None, :]], m.reg_eye)
    rhs = np.where(m.reg_valid, C[:, P, m.reg_j[:, None]], 0.0)
    beta, ok = _solve_batch(A, rhs[..., None])
    reasons = [None if ok[r] else str(_collinear(m, _collinear_latent(A[r], m))) for r in range(len(ok))]
    return beta[..., 0], ok, reasons


def _inner_weights(C: np.ndarray, m: _Structure, scheme: str) -> tuple[np.ndarray, np.ndarray, list]:
    """Inner weights E (b, J, J) for a batch of score correlations; ok and reasons as above."""
    ok = np.ones(C.shape[0], dtype=bool)
    reasons: list = [None] * C.shape[0]
    if scheme == "centroid":
        E = np.sign(C) * m.sym
    elif scheme == "factorial":
        E = C * m.sym
    else:  # path weighting
        E = C * m.adj.T  # successors: correlation
        if m.endog:
            beta, ok, reasons = _regressions(C, m)
            E[:, m.reg_P[m.reg_valid], np.repeat(m.reg_j, m.reg_valid.sum(axis=1))] = beta[:, m.reg_valid]
    if m.lone.any():
        E[:, m.lone, m.lone] = 1.0
    return E, ok, reasons


def _outer_operator(R: np.ndarray, m: _Structure) -> tuple[np.ndarray, np.ndarray, list]:
    """``M R`` with M = blockdiag(R_jj⁻¹ for mode-B blocks, I for mode-A blocks), batched."""
    ok = np.ones(R.shape[0], dtype=bool)
    reasons: list = [None] * R.shape[0]
    if not m.mode_b.any():
        return R, ok, reasons
    MR = R.copy()
    for j in np.flatnonzero(m.mode_b):
        ix = m.idx[j]
        sol, good = _solve_batch(R[:, ix[:, None], ix[None, :]], R[:, ix, :])
        MR[:, ix, :] = sol
        for r in np.flatnonzero(~good & ok):
            reasons[r] = (
                f"mode B block {m.latents[j]!r}: the items {[m.items[k] for k in ix]} are linearly dependent "
                "(singular correlation matrix); drop a redundant item or use mode A"
            )
        ok &= good
    return MR, ok, reasons


def _iterate(R: np.ndarray, m: _Structure, scheme: str, tol: float, max_iter: int):
    """Standardized outer weights (b, items, latents) of a batch of correlation matrices.

    Each replicate iterates until its own change is below ``tol`` and is then frozen, so its
    weights do not depend on the other members of the batch.  Returns
    ``(W, n_iter, converged, delta, ok, reasons)``.
    """
    nb = R.shape[0]
    MR, ok, reasons = _outer_operator(R, m)
    mask = m.mask
    W = np.broadcast_to(mask, (nb, *mask.shape)).copy()
    W /= np.sqrt(np.einsum("bij,bij->bj", W, R @ W))[:, None, :]
    n_iter = np.zeros(nb, dtype=np.int64)
    converged = np.zeros(nb, dtype=bool)
    delta = np.full(nb, np.inf)
    active = ok.copy()
    for it in range(1, max_iter + 1):
        ix = np.flatnonzero(active)
        if not ix.size:
            break
        Ra, Wa = R[ix], W[ix]
        C = np.swapaxes(Wa, 1, 2) @ Ra @ Wa
        E, good, why = _inner_weights(C, m, scheme)
        Wn = (MR[ix] @ (Wa @ E)) * mask
        var = np.einsum("bij,bij->bj", Wn, Ra @ Wn)
        dead = ~(var > 0) | ~np.isfinite(var) | (((np.abs(C) * m.sym).max(axis=1) < 1e-10) & ~m.lone)
        for k in np.flatnonzero(~good | dead.any(axis=1)):
            r = ix[k]
            ok[r] = active[r] = False
            if why[k] is not None:
                reasons[r] = why[k]
            else:
                bad = [m.latents[j] for j in np.flatnonzero(dead[k])]
                reasons[r] = (
                    f"the inner proxy of {bad} vanished at iteration {it} (zero correlation with every neighbour); "
                    "check the paths of these latents or try scheme='path'"
                )
        keep = good & ~dead.any(axis=1)
        ix, Wa, Wn, var = ix[keep], Wa[keep], Wn[keep], var[keep]
        Wn /= np.sqrt(var)[:, None, :]
        d = np.abs(Wn - Wa).max(axis=(1, 2))
        W[ix] = Wn
        delta[ix] = d
        n_iter[ix] = it
        done = d < tol
        converged[ix[done]] = True
        active[ix[done]] = False
    return W, n_iter, converged, delta, ok, reasons


def _fix_signs(W: np.ndarray, R: np.ndarray, m: _Structure) -> np.ndarray:
    L = R @ W
    sign = np.where(L[:, m.anchor, np.arange(len(m.latents))] < 0, -1.0, 1.0)
    return W * sign[:, None, :]


def _collinear(m: _Structure, j: int) -> EstimationError:
    return EstimationError(
        f"the predecessors {[m.latents[i] for i in m.preds[j]]} of {m.latents[j]!r} have (almost) perfectly "
        "collinear scores; remove one of these paths or merge the constructs"
    )


def _inner_model(C: np.ndarray, m: _Structure, check_pd: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """Path matrices B (b, J, J; B[:, i, j] = coefficient of i -> j), R² (NaN for exogenous), ok, reasons.

    ``check_pd`` refuses nearly singular predecessor correlations (PLS); PLSc-corrected
    correlations may be indefinite, which is reported as a problem, not a failure.
    """
    nb, J = C.shape[0], len(m.latents)
    B = np.zeros((nb, J, J))
    r2 = np.full((nb, J), np.nan)
    ok = np.ones(nb, dtype=bool)
    reasons: list = [None] * nb
    if not m.endog:
        return B, r2, ok, reasons
    P = m.reg_P
    A = np.where(m.reg_valid2, C[:, P[:, :, None], P[:, None, :]], m.reg_eye)
    with np.errstate(invalid="ignore"):
        eig = np.linalg.eigvalsh(np.where(np.isfinite(A), A, 0.0))
    # PLS: predecessor correlations must be positive definite; PLSc: only not singular
    small = ~(eig[..., 0] >= 1e-10) if check_pd else ~(np.abs(eig).min(axis=-1) >= 1e-10)
    small |= ~np.isfinite(A).all(axis=(2, 3))
    for r in np.flatnonzero(small.any(axis=1)):
        ok[r] = False
        reasons[r] = str(_collinear(m, int(m.reg_j[np.flatnonzero(small[r])[0]])))
    beta, good, why = _regressions(C, m)
    for r in np.flatnonzero(~good & ok):
        reasons[r] = why[r]
    ok &= good
    B[:, P[m.reg_valid], np.repeat(m.reg_j, m.reg_valid.sum(axis=1))] = beta[:, m.reg_valid]
    rhs = np.where(m.reg_valid, C[:, P, m.reg_j[:, None]], 0.0)
    r2[:, m.reg_j] = np.einsum("bek,bek->be", rhs, beta)
    return B, r2, ok, reasons


@dataclass(frozen=True, eq=False)
class _Batch:
    """A batch of PLS solutions (leading axis: replicate)."""

    W: np.ndarray  # (b, p, J) sign-fixed standardized outer weights
    C: np.ndarray  # (b, J, J) construct correlations (PLSc-corrected for consistent latents)
    B: np.ndarray  # (b, J, J) path coefficients
    r2: np.ndarray  # (b, J)
    L: np.ndarray  # (b, p, J) corr(item, score) (PLSc loadings in the own block of consistent latents)
    rho_a: np.ndarray  # (b, J) Dijkstra-Henseler rho_A (NaN for single items and unless consistent)
    n_iter: np.ndarray
    converged: np.ndarray
    delta: np.ndarray
    ok: np.ndarray  # (b,) estimation succeeded (converged or not)
    reasons: list  # why a replicate failed (None when ok)
    problems: list  # per replicate: inadmissible PLSc results (tuple of str)


def _estimate(R: np.ndarray, m: _Structure, scheme: str, tol: float, max_iter: int, *,
              consistent: np.ndarray | None = None, strict: bool = False) -> _Batch:
    """Iterate, fix signs, (PLSc-correct,) estimate the inner model, for a batch of correlation matrices.

    ``consistent`` (J,) bool marks the latents modelled as common factors (PLSc, see
    :func:`_plsc`).  With ``strict=True`` the first failure raises its EstimationError.
    """
    W, n_iter, converged, delta, ok, reasons = _iterate(R, m, scheme, tol, max_iter)
    if strict and not ok.all():
        raise EstimationError(reasons[int(np.flatnonzero(~ok)[0])])
    W = _fix_signs(np.where(ok[:, None, None], W, m.mask), R, m)
    C = np.swapaxes(W, 1, 2) @ R @ W
    L = R @ W
    nb, J = C.shape[0], len(m.latents)
    rho_a = np.full((nb, J), np.nan)
    problems: list = [()] * nb
    if consistent is not None and consistent.any():
        C, L, rho_a, problems = _plsc(R, W, C, L, m, consistent)
    B, r2, good, why = _inner_model(C, m, check_pd=consistent is None or not consistent.any())
    for r in np.flatnonzero(~good & ok):
        reasons[r] = why[r]
    ok = ok & good
    if strict and not ok.all():
        raise EstimationError(reasons[int(np.flatnonzero(~ok)[0])])
    return _Batch(W=W, C=C, B=B, r2=r2, L=L, rho_a=rho_a, n_iter=n_iter, converged=converged & ok, delta=delta,
                  ok=ok, reasons=reasons, problems=problems)


def _plsc(R, W, C, L, m: _Structure, consistent: np.ndarray):
    """Dijkstra & Henseler's (2015) consistent PLS for the latents in ``consistent``.

    With ``ŵ`` a block's weights scaled to unit composite variance and ``ρ_A`` its reliability
    (:func:`acsi.estimate.quality._rho_a_from_cor`): consistent loadings
    ``λ̂ = ŵ √ρ_A / (ŵᵀŵ)``, construct correlations ``r_ij / √(ρ_i ρ_j)`` (ρ = 1 for composites and
    single items), and the inner model re-estimated by OLS on the corrected correlations.
    A replicate is inadmissible (``problems``) when a ρ_A or an absolute loading exceeds 1 or the
    corrected correlation matrix is not positive definite.
    """
    nb, J = C.shape[0], len(m.latents)
    rho = np.full((nb, J), np.nan)
    q = np.ones((nb, J))
    L = L.copy()
    for j in np.flatnonzero(consistent):
        ix = m.idx[j]
        if ix.size < 2:
            continue
        Rb = R[:, ix[:, None], ix[None, :]]
        rho[:, j] = [_rho_a_from_cor(Rb[r], W[r, ix, j]) for r in range(nb)]
        q[:, j] = rho[:, j]
        w = W[:, ix, j]
        with np.errstate(invalid="ignore"):  # a negative rho_A: NaN loadings, reported as inadmissible below
            L[:, ix, j] = w * (np.sqrt(rho[:, j]) / np.einsum("bi,bi->b", w, w))[:, None]
    with np.errstate(invalid="ignore"):
        Cc = C / np.sqrt(q[:, :, None] * q[:, None, :])
    idx = np.arange(J)
    Cc[:, idx, idx] = 1.0
    problems = []
    with np.errstate(invalid="ignore"):
        min_eig = np.linalg.eigvalsh(np.where(np.isfinite(Cc), Cc, 0.0))[:, 0]
    for r in range(nb):
        why = []
        for j in np.flatnonzero(consistent):
            if not 0 < rho[r, j] <= 1:
                why.append(f"{m.latents[j]}: rho_A = {rho[r, j]:.4g} outside (0, 1]")
            big = [m.items[k] for k in m.idx[j] if abs(L[r, k, j]) > 1]
            if big:
                why.append(f"{m.latents[j]}: consistent loadings of {big} exceed 1 in absolute value")
        if not min_eig[r] > 0:
            why.append("the PLSc construct correlation matrix is not positive definite")
        problems.append(tuple(why))
    return Cc, L, rho, problems


def _consistent_mask(consistent, m: _Structure) -> np.ndarray | None:
    """(J,) bool of the latents PLSc corrects (mode A, two or more items), or None."""
    if consistent is False or consistent is None:
        return None
    if consistent is True:
        names = [lv for j, lv in enumerate(m.latents) if not m.mode_b[j] and m.idx[j].size >= 2]
    else:
        if isinstance(consistent, str) or not isinstance(consistent, Sequence):
            raise SpecError(f"consistent must be True, False or a list of latents; got {consistent!r}")
        names = list(consistent)
        bad = [lv for lv in names if lv not in m.latents]
        if bad:
            raise SpecError(f"consistent names latents {bad} that have no block; latents are {list(m.latents)}")
        wrong = [lv for lv in names if m.mode_b[m.latents.index(lv)] or m.idx[m.latents.index(lv)].size < 2]
        if wrong:
            raise SpecError(
                f"consistent PLS corrects reflective (mode A) latents with two or more items; {wrong} are mode B "
                "or single items: remove them from consistent"
            )
    mask = np.array([lv in names for lv in m.latents], dtype=bool)
    return mask if mask.any() else None


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
    X: np.ndarray | None = None  # the item answers used (n × p), for refits (bootstrap, prediction)
    v: np.ndarray | None = None  # survey weights or None
    rho_a: np.ndarray | None = None  # (J,) rho_A of the PLSc-corrected latents, NaN elsewhere


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
    consistent : tuple of str
        Latents corrected by PLSc (empty without ``consistent=``); their loadings, the construct
        correlations, paths and R² are the consistent ones.
    problems : tuple of str
        Why the PLSc solution is inadmissible (a ρ_A or loading above 1, indefinite construct
        correlations); empty otherwise.
    options : dict
        The estimation options (scheme, tol, max_iter, modes, anchors, consistent), for refits.

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
    consistent: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    options: dict = field(default_factory=dict)

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
        pos = {it: k for k, it in enumerate(self._a.items)}
        return [np.array([pos[it] for it in its], dtype=int) for its in self.blocks.values()]

    @cached_property
    def quality(self) -> pd.DataFrame:
        """Per latent: ``alpha`` (standardized Cronbach's alpha), ``rho_c``, ``rho_a``, ``ave``, ``r2``, ``n_items``.

        Formulas in :mod:`acsi.estimate.quality`; all from the weighted item correlations.
        """
        a = self._a
        rows = []
        for j, (lv, ix) in enumerate(zip(self.blocks, self._block_index)):
            Rb = a.R[np.ix_(ix, ix)]
            rc, av = rho_c_and_ave(a.L[ix, j])
            rows.append({"latent": lv, "alpha": _alpha_from_cov(Rb), "rho_c": rc,
                         "rho_a": _rho_a_from_cor(Rb, a.W[ix, j]), "ave": av, "r2": float(a.r2[j]),
                         "n_items": int(ix.size)})
        return pd.DataFrame(rows).set_index("latent")

    @cached_property
    def htmt(self) -> pd.DataFrame:
        """Heterotrait-monotrait ratios (symmetric, NaN diagonal); see :func:`acsi.estimate.quality.htmt`."""
        lat = list(self.blocks)
        return pd.DataFrame(_htmt_from_cor(self._a.R, self._block_index), index=lat, columns=lat)

    @cached_property
    def fornell_larcker(self) -> pd.DataFrame:
        """Score correlations with √AVE on the diagonal (Fornell & Larcker 1981)."""
        C = self._a.C.copy()
        k = np.arange(len(C))
        C[k, k] = np.sqrt(self.quality["ave"].to_numpy(dtype=float))
        return pd.DataFrame(C, index=self._lat, columns=self._lat)

    @cached_property
    def _vif(self) -> np.ndarray:
        out = np.empty(len(self._a.items))
        for ix in self._block_index:
            out[ix] = _vif_from_cor(self._a.R[np.ix_(ix, ix)])
        return out

    @cached_property
    def item_vif(self) -> pd.Series:
        """VIF of each item on the other items of its block."""
        order = np.concatenate(self._block_index)
        return pd.Series(self._vif[order], index=pd.Index([self._a.items[k] for k in order]), name="vif", dtype=float)

    @cached_property
    def outer_table(self) -> pd.DataFrame:
        """Long table: ``latent, item, weight, loading, unstd_weight, mean, sd``."""
        a = self._a
        k = np.concatenate(self._block_index)
        j = np.concatenate([np.full(ix.size, j) for j, ix in enumerate(self._block_index)])
        return pd.DataFrame({"latent": [a.latents[x] for x in j], "item": [a.items[x] for x in k], "weight": a.W[k, j],
                             "loading": a.L[k, j], "unstd_weight": a.unstd[k], "mean": a.mean[k], "sd": a.sd[k]})


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
    consistent: bool | Sequence[str] = False,
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
    consistent : bool or list of str
        Consistent PLS (PLSc, Dijkstra & Henseler 2015) for reflective constructs: ``True``
        treats every mode-A latent with two or more items as a common factor, a list names
        them.  Loadings, construct correlations, paths and R² are corrected (see
        :func:`_plsc`); weights, scores and the 0-100 index stay the PLS ones.  Equivalent R:
        ``cSEM::csem(data, model)`` with ``=~`` for those latents (``.disattenuate = TRUE``),
        or ``seminr::estimate_pls`` with ``reflective()`` constructs.

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

    # 2. iterate, fix signs, (PLSc,) inner model
    cons = _consistent_mask(consistent, m)
    est = _estimate(R[None], m, scheme, tol, max_iter, consistent=cons, strict=True)
    W, C, B, r2 = est.W[0], est.C[0], est.B[0], est.r2[0]
    n_iter, converged, delta = int(est.n_iter[0]), bool(est.converged[0]), float(est.delta[0])
    if not converged:
        warnings.warn(
            f"PLS did not converge in {max_iter} iterations (last weight change {delta:.3g} >= tol {tol:g}); "
            "raise max_iter, or try another scheme",
            ConvergenceWarning,
            stacklevel=2,
        )
    if est.problems[0]:
        warnings.warn(
            "the consistent PLS (PLSc) solution is inadmissible: " + "; ".join(est.problems[0])
            + ". Check the reliability of these blocks, or fit them as composites (remove them from consistent=)",
            AdmissibilityWarning,
            stacklevel=2,
        )
    Lfull = est.L[0]  # corr(item, score) (scores have unit variance); PLSc loadings in own blocks

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
        index_vals=index_vals, row_index=data.index, X=X, v=v, rho_a=est.rho_a[0],
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
        consistent=tuple(lv for j, lv in enumerate(latents) if cons is not None and cons[j]),
        problems=tuple(est.problems[0]),
        options={"scheme": scheme, "tol": tol, "max_iter": max_iter, "modes": dict(modes or {}),
                 "anchors": dict(anchors or {}), "consistent": consistent},
    )
