"""PLS statistics for many resampled replicates of one sample at once (bootstrap, jackknife).

A replicate is the sample with row weights ``c_r v_r`` (``c_r`` resampling counts, ``v_r``
survey weights; ``c_r = 0`` deletes a row).  Weighted PLS equals PLS on the data with every row
repeated ``c_r`` times, so a replicate never copies the data: its weighted moments

    x̄* = Σ_r c_r v_r x_r / Σ_r c_r v_r,   S* = Σ_r c_r v_r (x_r − x̄*)(x_r − x̄*)ᵀ / Σ_r c_r v_r

and correlation matrix are formed for the whole batch in one matrix product, and the batched
kernel of :mod:`acsi.estimate.pls` (``_estimate``) iterates every replicate until its own
weights converge.  Each replicate's block signs are fixed by the same rule as the full-sample
fit (the anchor item, by default the first item of the block, loads positively); no other
sign-change correction is applied (SmartPLS: "no sign changes", cSEM:
``.sign_change_option = "none"``), so a statistic's replicates keep the orientation of its
full-sample estimate.

Statistics (the order of :attr:`BatchModel.labels`, tuples ``(kind, lhs, op, rhs)``):

* ``("index", latent, "", "")``: Fornell's 0-100 index (:mod:`acsi.estimate.pls`);
* ``("est", latent, "=~", item)``: outer loadings (PLSc loadings for consistent latents);
* ``("est", to, "~", from)``: path coefficients;
* ``("est", latent, "r2", latent)``: R² of the endogenous latents;
* ``("est", latent, "<~", item)``: standardized outer weights;
* ``("est", to, "total", from)``: total effects ``T = (I − B)⁻¹ − I``, for every pair joined by
  a directed path;
* ``("est", to, "indirect", from)``: indirect effects ``T − B``, for pairs joined by a path of
  length two or more;
* ``("est", a, "htmt", b)``: heterotrait-monotrait ratios (:func:`acsi.estimate.quality.htmt`).

Replicate status codes (the values of :mod:`acsi.bootstrap`'s OK / NOT_CONVERGED / INADMISSIBLE /
UNSCORABLE): 0 estimated; 1 not converged or not estimable (collinear scores, singular mode-B
block, zero-variance item; all statistics NaN); 2 the PLSc solution is inadmissible (a ρ_A or
loading above 1, indefinite construct correlations) or, when the model has a headline latent, a
non-headline latent has a negative normalised item weight; 3 the headline latent has a negative
weight.  A latent with a negative normalised weight always has a NaN index.

Equivalent R: ``seminr::bootstrap_model(estimate_pls(...), nboot)``; ``cSEM::csem(...,
.resample_method = "bootstrap")``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .quality import _htmt_from_cor
from .pls import _check_options, _compile, _consistent_mask, _estimate, _Structure

__all__ = ["BatchModel", "batch_model", "replicate_statistics", "weighted_correlations", "weighted_covariances",
           "OK", "NOT_ESTIMATED", "NEGATIVE_WEIGHT", "UNSCORABLE", "SIGN_RULE"]

OK, NOT_ESTIMATED, NEGATIVE_WEIGHT, UNSCORABLE = 0, 1, 2, 3

#: The sign rule of every replicate (the module docstring), as the saved bootstrap files state it.
SIGN_RULE = ("each replicate's block signs are fixed so that the anchor item (by default the block's first item) "
             "loads positively, as in the full-sample fit; no sign-change correction (SmartPLS 'no sign changes', "
             "cSEM .sign_change_option = 'none')")

#: largest n × (number of item pairs) for which the moments use one (replicates × rows) product
_DIRECT_LIMIT = 30_000_000


@dataclass(frozen=True, eq=False)
class BatchModel:
    """A compiled PLS model plus everything needed to turn a batch of solutions into statistics."""

    m: _Structure
    scheme: str
    tol: float
    max_iter: int
    consistent: np.ndarray | None
    lo: np.ndarray
    hi: np.ndarray
    headline: int | None
    labels: tuple
    # positions of each statistic family in the value vector, and the matrix cells they read
    pos: dict
    cells: dict
    htmt_pairs: tuple


def batch_model(
    blocks: Mapping[str, Sequence[str]],
    paths: Sequence[tuple[str, str]],
    *,
    modes: Mapping[str, str] | None = None,
    anchors: Mapping[str, str] | None = None,
    scheme: str = "path",
    tol: float = 1e-7,
    max_iter: int = 300,
    consistent: bool | Sequence[str] = False,
    scale_bounds: Mapping[str, tuple[float, float]] | None = None,
    headline: str | None = None,
) -> BatchModel:
    """Compile ``blocks``/``paths`` (the arguments of :func:`acsi.estimate.pls.fit_pls`) for batches.

    ``scale_bounds`` gives every item's (min, max) for the 0-100 index (NaN indexes without it);
    ``headline`` names the latent whose negative weights make a replicate unscorable.
    """
    scheme = _check_options(scheme, tol, max_iter)
    m = _compile(blocks, paths, modes, anchors)
    cons = _consistent_mask(consistent, m)
    p, J = len(m.items), len(m.latents)
    if scale_bounds is None:
        lo, hi = np.full(p, np.nan), np.full(p, np.nan)
    else:
        lo = np.array([float(scale_bounds[it][0]) for it in m.items])
        hi = np.array([float(scale_bounds[it][1]) for it in m.items])
    head = None if headline is None else m.latents.index(headline)
    ipos = {it: k for k, it in enumerate(m.items)}
    lpos = {lv: j for j, lv in enumerate(m.latents)}
    labels: list = [("index", lv, "", "") for lv in m.latents]
    pos, cells = {}, {}

    def family(name, rows):
        pos[name] = np.arange(len(labels), len(labels) + len(rows))
        labels.extend(rows)

    load = [(lv, it) for lv in m.latents for it in blocks[lv]]
    family("loading", [("est", lv, "=~", it) for lv, it in load])
    cells["item_lv"] = (np.array([ipos[it] for _, it in load], dtype=int), np.array([lpos[lv] for lv, _ in load], dtype=int))
    family("path", [("est", b, "~", a) for a, b in paths])
    cells["path"] = (np.array([lpos[a] for a, _ in paths], dtype=int), np.array([lpos[b] for _, b in paths], dtype=int))
    family("r2", [("est", m.latents[j], "r2", m.latents[j]) for j in m.endog])
    family("weight", [("est", lv, "<~", it) for lv, it in load])
    reach = np.linalg.inv(np.eye(J) - m.adj) - np.eye(J) > 0.5  # number of directed paths i -> j
    two = (np.linalg.matrix_power(m.adj, 2) @ np.linalg.inv(np.eye(J) - m.adj)) > 0.5 if J else reach
    tot = [(i, j) for i in range(J) for j in range(J) if reach[i, j]]
    ind = [(i, j) for i in range(J) for j in range(J) if two[i, j]]
    family("total", [("est", m.latents[j], "total", m.latents[i]) for i, j in tot])
    cells["total"] = (np.array([i for i, _ in tot], dtype=int), np.array([j for _, j in tot], dtype=int))
    family("indirect", [("est", m.latents[j], "indirect", m.latents[i]) for i, j in ind])
    cells["indirect"] = (np.array([i for i, _ in ind], dtype=int), np.array([j for _, j in ind], dtype=int))
    pairs = tuple((i, j) for i in range(J) for j in range(i + 1, J))
    family("htmt", [("est", m.latents[i], "htmt", m.latents[j]) for i, j in pairs])
    return BatchModel(m=m, scheme=scheme, tol=float(tol), max_iter=int(max_iter), consistent=cons, lo=lo, hi=hi,
                      headline=head, labels=tuple(labels), pos=pos, cells=cells, htmt_pairs=pairs)


def weighted_covariances(X: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted means (b, p) and covariance matrices (b, p, p, divisor ``Σ weights``) of replicates.

    ``weights`` (b, n): one row of non-negative row weights per replicate.  The rows are centred
    on the unweighted mean first; below ``_DIRECT_LIMIT`` the second moments of all replicates
    are one (b × n) @ (n × p(p+1)/2) product, above it one replicate at a time.
    """
    X = np.ascontiguousarray(X, dtype=float)  # one memory layout: the same bits for a C- or F-ordered X
    Wt = np.atleast_2d(np.asarray(weights, dtype=float))
    n, p = X.shape
    center = X.mean(axis=0)
    Xc = X - center
    sw = Wt.sum(axis=1)
    m1 = Wt @ Xc / sw[:, None]
    iu = np.triu_indices(p)
    if n * len(iu[0]) <= _DIRECT_LIMIT:
        S = np.zeros((Wt.shape[0], p, p))
        m2 = Wt @ (Xc[:, iu[0]] * Xc[:, iu[1]]) / sw[:, None]
        S[:, iu[0], iu[1]] = m2
        S[:, iu[1], iu[0]] = m2
    else:  # very large sample: one replicate at a time, no n × p² temporary
        S = np.stack([(Xc * w[:, None]).T @ Xc for w in Wt]) / sw[:, None, None]
    S -= m1[:, :, None] * m1[:, None, :]
    return m1 + center, S


def weighted_correlations(X: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weighted means (b, p), standard deviations (b, p), correlations (b, p, p) and ok (b,).

    See :func:`weighted_covariances`; ``ok`` is False for a replicate with an item of zero
    variance or fewer than two weighted rows.
    """
    mean, S = weighted_covariances(X, weights)
    Wt = np.atleast_2d(np.asarray(weights, dtype=float))
    p = S.shape[-1]
    var = np.diagonal(S, axis1=1, axis2=2).copy()
    ok = (var > 1e-12 * np.maximum(1.0, mean**2)).all(axis=1) & (np.count_nonzero(Wt, axis=1) >= 2)
    sd = np.sqrt(np.where(var > 0, var, np.nan))
    with np.errstate(invalid="ignore", divide="ignore"):
        R = S / (sd[:, :, None] * sd[:, None, :])
    idx = np.arange(p)
    R[:, idx, idx] = 1.0
    R[~ok] = np.eye(p)
    return mean, sd, R, ok


def replicate_statistics(bm: BatchModel, X: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Statistics (b, len(bm.labels)) and status codes (b,) of a batch of weighted replicates.

    ``X`` (n, p) holds the items in the model's item order (the blocks' items, block by block);
    ``weights`` (b, n) the replicates' row weights (see the module docstring).
    """
    m = bm.m
    mean, sd, R, ok_m = weighted_correlations(X, weights)
    nb, J = R.shape[0], len(m.latents)
    out = np.full((nb, len(bm.labels)), np.nan)
    status = np.full(nb, NOT_ESTIMATED, dtype=np.int8)
    ix = np.flatnonzero(ok_m)
    if not ix.size:
        return out, status
    est = _estimate(R[ix], m, bm.scheme, bm.tol, bm.max_iter, consistent=bm.consistent)
    good = est.ok & est.converged
    sel, rows = ix[good], np.flatnonzero(good)
    if not sel.size:
        return out, status
    W, L, B, r2 = est.W[rows], est.L[rows], est.B[rows], est.r2[rows]
    # 0-100 index with the replicate's own weights (Fornell et al. 1996)
    U = W / sd[sel][:, :, None] * m.mask
    with np.errstate(invalid="ignore", divide="ignore"):
        Un = U / U.sum(axis=1, keepdims=True)
        unstd = Un.sum(axis=2)
        index = 100.0 * np.einsum("bp,bpj->bj", mean[sel] - bm.lo, Un) / np.einsum("p,bpj->bj", bm.hi - bm.lo, Un)
    neg = np.stack([~(unstd[:, m.idx[j]] >= 0).all(axis=1) for j in range(J)], axis=1)
    index[neg] = np.nan
    out[sel, :J] = index
    it, lv = bm.cells["item_lv"]
    out[sel[:, None], bm.pos["loading"]] = L[:, it, lv]
    out[sel[:, None], bm.pos["weight"]] = W[:, it, lv]
    a, b = bm.cells["path"]
    out[sel[:, None], bm.pos["path"]] = B[:, a, b]
    out[sel[:, None], bm.pos["r2"]] = r2[:, list(m.endog)]
    T = np.linalg.inv(np.eye(J) - B) - np.eye(J)
    a, b = bm.cells["total"]
    out[sel[:, None], bm.pos["total"]] = T[:, a, b]
    a, b = bm.cells["indirect"]
    out[sel[:, None], bm.pos["indirect"]] = T[:, a, b] - B[:, a, b]
    if bm.htmt_pairs:
        i0 = np.array([i for i, _ in bm.htmt_pairs])
        j0 = np.array([j for _, j in bm.htmt_pairs])
        out[sel[:, None], bm.pos["htmt"]] = _htmt_from_cor(R[sel], list(m.idx))[:, i0, j0]
    inadmissible = np.array([bool(est.problems[r]) for r in rows], dtype=bool)
    if bm.headline is not None:  # acsi.bootstrap's rules: the index decides (see the module docstring)
        inadmissible |= neg.any(axis=1)
    st = np.where(inadmissible, NEGATIVE_WEIGHT, OK)
    if bm.headline is not None:
        st = np.where(neg[:, bm.headline], UNSCORABLE, st)
    status[sel] = st
    return out, status
