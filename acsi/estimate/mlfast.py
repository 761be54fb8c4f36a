"""A fast maximum-likelihood engine for recursive CSI models, batched over covariance matrices.

The bootstrap refits one model to thousands of resampled covariance matrices.  semopy
rebuilds its model and runs SLSQP from scratch for each; here the model is compiled once into
LISREL/RAM matrices and every replicate of a batch is fitted at the same time by Fisher
scoring, warm-started from the full-sample estimate, with numpy ``einsum``/batched ``matmul``.

Model (the parameterisation of :func:`acsi.estimate.sem.fit_sem`, i.e. lavaan's ``sem()``
defaults)::

    Σ(θ) = Λ C Ψ Cᵀ Λᵀ + Θ,        C = (I − B)⁻¹

* ``Λ`` (items × latents): the first loading of every latent fixed to 1, the others free;
* ``B`` (latents × latents): ``B[to, from]`` free for every structural path;
* ``Ψ``: free (residual) variances of every latent, free covariances among the exogenous
  latents, and the latent covariances listed in ``spec.covariances``;
* ``Θ``: free residual variances of the items (a single indicator's fixed to 0, as lavaan's
  ``auto.fix.single``), and the item covariances listed in ``spec.covariances``.

Discrepancy (ML, sample covariance ``S`` with denominator N, no mean structure)::

    F(θ) = log|Σ| + tr(S Σ⁻¹) − log|S| − p

Every parameter enters ``Σ`` through a rank-two derivative ``∂Σ/∂θ_k = s_k (u_k v_kᵀ + v_k u_kᵀ)``
(``s_k = ½`` for a variance, 1 otherwise), with ``M = Λ C Ψ Cᵀ`` and ``G = Λ C``:

==================  ==============  ==============
parameter           u_k             v_k
==================  ==============  ==============
loading λ_ij        e_i             M[:, j]
path B[t, f]        G[:, t]         M[:, f]
Ψ[a, b]             G[:, a]         G[:, b]
Θ[i, j]             e_i             e_j
==================  ==============  ==============

so, with ``K = Σ⁻¹`` and ``W = K − K S K``, the gradient and the expected information
(Fisher information of F; ``(N/2)·H`` is the information of the log-likelihood) are::

    g_k  = tr(W ∂Σ/∂θ_k) = 2 s_k u_kᵀ W v_k
    H_kl = tr(K ∂Σ_k K ∂Σ_l) = 2 s_k s_l [(UKVᵀ)_kl (UKVᵀ)_lk + (UKUᵀ)_kl (VKVᵀ)_kl]

Every replicate still active takes a Newton step ``δ = −Hobs⁻¹ g`` with the exact Hessian
of F (:func:`gradient_information`) when that is a descent direction, else a Fisher-scoring
step ``δ = −H⁻¹ g``, with a backtracking (Armijo) line search on ``F``; a replicate is
converged after a Newton step smaller than ``newton_xtol`` (1e-6; the error left is of order
δ², 1e-12) or any step smaller than ``xtol``.  Standard errors are ``sqrt(diag((2/N) H⁻¹))``, lavaan's expected-information
standard errors.

References: Jöreskog (1973) for the LISREL form and the ML discrepancy; Lee & Jennrich
(1979) for Fisher scoring / Gauss-Newton in covariance structure analysis; lavaan's
``lav_model_gradient`` and ``lav_model_information`` compute the same quantities.

Example
-------
>>> import acsi, numpy as np                                           # doctest: +SKIP
>>> spec = acsi.load_model("acsi")                                     # doctest: +SKIP
>>> model = RamModel(spec)                                             # doctest: +SKIP
>>> fit = fit_covariances(model, S_batch, start=theta_hat)             # doctest: +SKIP
>>> fit.theta.shape                                                    # (replicates, parameters)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import EstimationError
from ..spec import ModelSpec
from .table import admissibility_problems, check_sample_cov, item_moments, parameter_table

__all__ = [
    "BatchFit",
    "RamModel",
    "admissible_batch",
    "blas_single_thread",
    "check_sample_cov",
    "estimate_table",
    "fit_covariances",
    "fit_sem_fast",
    "gradient_information",
    "implied",
    "information",
    "sample_moments",
    "sem_result_from_cov",
    "start_values",
]

LOADING, PATH, PSI, THETA = 0, 1, 2, 3


class RamModel:
    """A :class:`~acsi.spec.ModelSpec` compiled into index arrays for batched ML fitting.

    Parameters
    ----------
    spec : ModelSpec

    Attributes
    ----------
    items, latents : list of str
        Row/column order of ``Σ`` (the spec's item order) and of ``Ψ``.
    labels : list of (lhs, op, rhs)
        The free parameters in lavaan's table order (loadings, regressions, listed
        covariances, item residual variances, latent variances, exogenous covariances).
    kind, row, col : int arrays
        Matrix (``LOADING, PATH, PSI, THETA``) and position of each free parameter.

    Raises
    ------
    EstimationError
        A listed covariance between an item and a latent (not a CSI model).

    Examples
    --------
    >>> import acsi
    >>> m = RamModel(acsi.parse_lavaan("CS =~ cs1 + cs2 + cs3\\nCL =~ cl1 + cl2\\nCL ~ CS"))
    >>> m.q, m.labels[0]
    (9, ('CS', '=~', 'cs2'))
    """

    def __init__(self, spec: ModelSpec):
        self.spec = spec
        self.items = list(spec.item_ids)
        self.latents = list(spec.latent_ids)
        self.p, self.m = len(self.items), len(self.latents)
        it = {x: i for i, x in enumerate(self.items)}
        lv = {x: i for i, x in enumerate(self.latents)}
        labels, kind, row, col = [], [], [], []

        def add(lab, k, r, c):
            labels.append(lab)
            kind.append(k)
            row.append(r)
            col.append(c)

        marker_i, marker_j = [], []
        for latent in spec.latents:
            for k, item in enumerate(latent.item_ids):
                if k == 0:
                    marker_i.append(it[item])
                    marker_j.append(lv[latent.id])
                else:
                    add((latent.id, "=~", item), LOADING, it[item], lv[latent.id])
        for to in self.latents:
            for fr in spec.predecessors(to):
                add((to, "~", fr), PATH, lv[to], lv[fr])
        seen_psi: set[tuple[int, int]] = set()
        seen_theta: set[tuple[int, int]] = set()
        for a, b in spec.covariances:
            if a in lv and b in lv:
                key = tuple(sorted((lv[a], lv[b])))
                if key not in seen_psi:
                    seen_psi.add(key)
                    add((a, "~~", b), PSI, *key)
            elif a in it and b in it:
                key = tuple(sorted((it[a], it[b])))
                if key not in seen_theta:
                    seen_theta.add(key)
                    add((a, "~~", b), THETA, *key)
            else:
                raise EstimationError(
                    f"model {spec.name!r}: covariance {a} ~~ {b} links an item and a latent; the fast ML "
                    "engine (and CSI models) allow covariances between two items or two latents only: "
                    "remove it from the model's covariances"
                )
        single = {lat.item_ids[0] for lat in spec.latents if len(lat.items) == 1}
        self.fixed_zero_theta = [it[x] for x in self.items if x in single]
        for x in self.items:
            if x not in single and (it[x], it[x]) not in seen_theta:
                add((x, "~~", x), THETA, it[x], it[x])
        for x in self.latents:
            if (lv[x], lv[x]) not in seen_psi:
                add((x, "~~", x), PSI, lv[x], lv[x])
        exo = list(spec.exogenous)
        for i, a in enumerate(exo):
            for b in exo[i + 1:]:
                key = tuple(sorted((lv[a], lv[b])))
                if key not in seen_psi:
                    seen_psi.add(key)
                    add((a, "~~", b), PSI, *key)
        self.labels = labels
        self.kind = np.array(kind, dtype=np.int64)
        self.row = np.array(row, dtype=np.int64)
        self.col = np.array(col, dtype=np.int64)
        self.q = len(labels)
        self.marker_i = np.array(marker_i, dtype=np.int64)
        self.marker_j = np.array(marker_j, dtype=np.int64)
        self.scale = np.where((self.kind >= PSI) & (self.row == self.col), 0.5, 1.0)
        # candidate vectors: columns 0..p-1 unit vectors e_i, p..p+m-1 columns of M, p+m.. columns of G
        p, m = self.p, self.m
        uix = np.empty(self.q, dtype=np.int64)
        vix = np.empty(self.q, dtype=np.int64)
        for k in range(self.q):
            r, c = self.row[k], self.col[k]
            if self.kind[k] == LOADING:
                uix[k], vix[k] = r, p + c
            elif self.kind[k] == PATH:
                uix[k], vix[k] = p + m + r, p + c
            elif self.kind[k] == PSI:
                uix[k], vix[k] = p + m + r, p + m + c
            else:
                uix[k], vix[k] = r, c
        self.uix, self.vix = uix, vix
        self.uv_index = np.concatenate([uix, vix])
        self.scale_outer = np.outer(self.scale, self.scale)
        self._sel = {k: np.flatnonzero(self.kind == k) for k in (LOADING, PATH, PSI, THETA)}
        self.latent_of_item = np.empty(p, dtype=np.int64)
        for latent in spec.latents:
            for item in latent.item_ids:
                self.latent_of_item[it[item]] = lv[latent.id]

    def __getstate__(self):
        return self.__dict__

    def __setstate__(self, state):
        self.__dict__.update(state)

    # ------------------------------------------------------------------ matrices
    def matrices(self, theta: np.ndarray):
        """``Λ, B, Ψ, Θ`` for a batch of parameter vectors ``theta`` (R × q)."""
        theta = np.atleast_2d(theta)
        R = theta.shape[0]
        p, m = self.p, self.m
        L = np.zeros((R, p, m))
        L[:, self.marker_i, self.marker_j] = 1.0
        s = self._sel[LOADING]
        L[:, self.row[s], self.col[s]] = theta[:, s]
        B = np.zeros((R, m, m))
        s = self._sel[PATH]
        B[:, self.row[s], self.col[s]] = theta[:, s]
        P = np.zeros((R, m, m))
        s = self._sel[PSI]
        P[:, self.row[s], self.col[s]] = theta[:, s]
        P[:, self.col[s], self.row[s]] = theta[:, s]
        T = np.zeros((R, p, p))
        s = self._sel[THETA]
        T[:, self.row[s], self.col[s]] = theta[:, s]
        T[:, self.col[s], self.row[s]] = theta[:, s]
        return L, B, P, T


def implied(model: RamModel, theta: np.ndarray):
    """Model-implied ``Σ`` and the intermediates ``(Σ, A, M, G)`` for a batch.

    ``A = C Ψ Cᵀ`` (latent covariance), ``M = Λ A``, ``G = Λ C``.
    """
    return _implied_full(model, theta)[:4]


def _implied_full(model: RamModel, theta: np.ndarray):
    L, B, P, T = model.matrices(theta)
    m = model.m
    C = np.linalg.inv(np.eye(m) - B)
    A = C @ P @ np.swapaxes(C, 1, 2)
    M = L @ A
    G = L @ C
    sigma = M @ np.swapaxes(L, 1, 2) + T
    return sigma, A, M, G, L, C


def _discrepancy(model: RamModel, theta: np.ndarray, S: np.ndarray, logdet_s: np.ndarray):
    """F and the state ``(K, M, G, A, L, C)``; F = inf where Σ is not positive definite."""
    sigma, A, M, G, L, C = _implied_full(model, theta)
    R, p = sigma.shape[0], model.p
    F = np.full(R, np.inf)
    K = np.full_like(sigma, np.nan)
    try:
        Lc = np.linalg.cholesky(sigma)
        ok = np.ones(R, dtype=bool)
    except np.linalg.LinAlgError:
        Lc = np.zeros_like(sigma)
        ok = np.zeros(R, dtype=bool)
        for r in range(R):
            try:
                Lc[r] = np.linalg.cholesky(sigma[r])
                ok[r] = True
            except np.linalg.LinAlgError:
                pass
    if ok.any():
        Li = np.linalg.inv(Lc[ok])
        Kok = np.swapaxes(Li, 1, 2) @ Li
        logdet = 2.0 * np.log(np.diagonal(Lc[ok], axis1=1, axis2=2)).sum(axis=1)
        tr = np.einsum("rij,rji->r", S[ok], Kok)
        F[ok] = logdet + tr - logdet_s[ok] - p
        K[ok] = Kok
    F[~np.isfinite(F)] = np.inf
    return F, (K, M, G, A, L, C)


def _gram(model: RamModel, P: np.ndarray, MG: np.ndarray) -> np.ndarray:
    """``candᵀ P cand`` for the candidate vectors ``cand = [I | M | G]`` (R × nc × nc)."""
    R, p = P.shape[0], model.p
    PMG = P @ MG
    out = np.empty((R, p + MG.shape[2], p + MG.shape[2]))
    out[:, :p, :p] = P
    out[:, :p, p:] = PMG
    out[:, p:, :p] = np.swapaxes(PMG, 1, 2)
    out[:, p:, p:] = np.swapaxes(MG, 1, 2) @ PMG
    return out


def gradient_information(model: RamModel, K: np.ndarray, S: np.ndarray, M: np.ndarray, G: np.ndarray,
                         A: np.ndarray | None = None, L: np.ndarray | None = None, C: np.ndarray | None = None,
                         observed: bool = False):
    """Gradient ``g`` (R × q) of F, expected information ``H`` (R × q × q) and, with
    ``observed=True``, the exact Hessian of F.

    All the bilinear forms ``u_kᵀ P v_l`` (P = K or E = K S K) are read from one Gram matrix
    of the candidate vectors ``[I | M | G]``, so each iteration costs a few small batched
    products and gathers.  Exact Hessian::

        ∂²F/∂θ_k∂θ_l = tr(W ∂²Σ_kl) − tr(K Σ_k K Σ_l) + 2 tr(Σ_k K Σ_l E)
    """
    MG = np.concatenate([M, G], axis=2)
    Kc = _gram(model, K, MG)
    E = (K @ S) @ K
    Ec = _gram(model, E, MG)
    s = model.scale
    uv = model.uv_index
    q = model.q
    g = 2.0 * s * (Kc[:, model.uix, model.vix] - Ec[:, model.uix, model.vix])
    # Kc is symmetric, so the gathered matrix holds UKU, UKV (top right) and VKU = UKVᵀ
    # (bottom left) as plain slices: no transposed copies
    Kq = Kc[:, uv[:, None], uv[None, :]]
    UKU, UKV, VKU, VKV = Kq[:, :q, :q], Kq[:, :q, q:], Kq[:, q:, :q], Kq[:, q:, q:]
    ss = model.scale_outer
    TKK = UKV * VKU
    TKK += UKU * VKV  # T(K, K) / 2
    if not observed:
        return g, 2.0 * ss * TKK, None
    Eq = Ec[:, uv[:, None], uv[None, :]]
    UEU, UEV, VEU, VEV = Eq[:, :q, :q], Eq[:, :q, q:], Eq[:, q:, :q], Eq[:, q:, q:]
    # Hobs = ss (2 T(K,E) − T(K,K)) + second-order terms
    T = VKU * UEV
    T += VKV * UEU
    T += UKU * VEV
    T += UKV * VEU
    T -= TKK
    T *= 2.0 * ss
    T += _second_order(model, K - E, A, L, C)
    return g, None, T


def information(model: RamModel, K: np.ndarray, M: np.ndarray, G: np.ndarray) -> np.ndarray:
    """Expected information ``H`` (R × q × q) of F at the given state (see module docstring)."""
    MG = np.concatenate([M, G], axis=2)
    Kc = _gram(model, K, MG)
    uv, q = model.uv_index, model.q
    Kq = Kc[:, uv[:, None], uv[None, :]]
    return 2.0 * model.scale_outer * (Kq[:, :q, q:] * Kq[:, q:, :q] + Kq[:, :q, :q] * Kq[:, q:, q:])


def _second_order(model: RamModel, W: np.ndarray, A: np.ndarray, L: np.ndarray, C: np.ndarray) -> np.ndarray:
    """``tr(W ∂²Σ/∂θ_k∂θ_l)`` for every pair (R × q × q); zero for residual (co)variances.

    With ``N = W Λ``, ``W_η = Λᵀ W Λ``, ``Z = A W_η C`` and ``Y = Cᵀ W_η C``:

    * loadings λ_ij, λ_kl:      ``2 A_jl W_ik``
    * loading λ_ij, path B_tf:  ``2 [C_jt (N A)_if + A_jf (N C)_it]``
    * loading λ_ij, Ψ_ab:       ``2 s [C_ja (N C)_ib + C_jb (N C)_ia]``
    * paths (t1,f1), (t2,f2):   ``2 [C_f2t1 Z_f1t2 + C_f1t2 Z_f2t1 + A_f1f2 Y_t1t2]``
    * path B_tf, Ψ_ab:          ``2 s [C_fa Y_bt + C_fb Y_at]``
    """
    R, q = W.shape[0], model.q
    out = np.zeros((R, q, q))
    sel = model._sel
    kl, kp, ks = sel[LOADING], sel[PATH], sel[PSI]
    N = W @ L
    NA = N @ A
    NC = N @ C
    Wl = np.swapaxes(L, 1, 2) @ N
    Z = A @ Wl @ C
    Y = np.swapaxes(C, 1, 2) @ Wl @ C
    row, col, s = model.row, model.col, model.scale
    if kl.size:
        i, j = row[kl], col[kl]
        out[:, kl[:, None], kl[None, :]] = 2.0 * A[:, j[:, None], j[None, :]] * W[:, i[:, None], i[None, :]]
        if kp.size:
            t, f = row[kp], col[kp]
            blk = 2.0 * (C[:, j[:, None], t[None, :]] * NA[:, i[:, None], f[None, :]]
                         + A[:, j[:, None], f[None, :]] * NC[:, i[:, None], t[None, :]])
            out[:, kl[:, None], kp[None, :]] = blk
            out[:, kp[:, None], kl[None, :]] = np.swapaxes(blk, 1, 2)
        if ks.size:
            a, b, sp = row[ks], col[ks], s[ks]
            blk = 2.0 * sp * (C[:, j[:, None], a[None, :]] * NC[:, i[:, None], b[None, :]]
                              + C[:, j[:, None], b[None, :]] * NC[:, i[:, None], a[None, :]])
            out[:, kl[:, None], ks[None, :]] = blk
            out[:, ks[:, None], kl[None, :]] = np.swapaxes(blk, 1, 2)
    if kp.size:
        t, f = row[kp], col[kp]
        blk = 2.0 * (C[:, f[None, :], t[:, None]] * Z[:, f[:, None], t[None, :]]
                     + C[:, f[:, None], t[None, :]] * Z[:, f[None, :], t[:, None]]
                     + A[:, f[:, None], f[None, :]] * Y[:, t[:, None], t[None, :]])
        out[:, kp[:, None], kp[None, :]] = blk
        if ks.size:
            a, b, sp = row[ks], col[ks], s[ks]
            blk = 2.0 * sp * (C[:, f[:, None], a[None, :]] * Y[:, b[None, :], t[:, None]]
                              + C[:, f[:, None], b[None, :]] * Y[:, a[None, :], t[:, None]])
            out[:, kp[:, None], ks[None, :]] = blk
            out[:, ks[:, None], kp[None, :]] = np.swapaxes(blk, 1, 2)
    return out


def _solve(H: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(H, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.full_like(rhs, np.nan)
        for r in range(H.shape[0]):
            try:
                out[r] = np.linalg.solve(H[r], rhs[r])
            except np.linalg.LinAlgError:
                pass
        return out


def _solve_steps(H, Hobs: np.ndarray | None, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newton step ``−Hobs⁻¹ g`` where it is a descent direction, else Fisher ``−H⁻¹ g``.

    ``H`` is the expected information or a function ``rows -> H[rows]`` (computed only for
    the replicates that need it).  Returns the steps and a flag per replicate telling
    whether the Newton step was used.
    """
    if Hobs is None:
        return _solve(H, -g), np.zeros(g.shape[0], dtype=bool)
    step = _solve(Hobs, -g)
    newton = np.isfinite(step).all(axis=1) & (np.einsum("rk,rk->r", g, step) < 0)
    if not newton.all():
        j = np.flatnonzero(~newton)
        Hj = H(j) if callable(H) else H[j]
        step[j] = _solve(Hj, -g[j])
    return step, newton


@dataclass
class BatchFit:
    """Result of :func:`fit_covariances` for a batch of R covariance matrices.

    Attributes
    ----------
    theta : ndarray (R, q)
        Estimates, in the order of ``model.labels``.
    fmin : ndarray (R,)
        Minimum of the ML discrepancy.
    converged : ndarray of bool (R,)
    n_iter : ndarray of int (R,)
    grad_max : ndarray (R,)
        ``max |g|`` at the solution.
    """

    theta: np.ndarray
    fmin: np.ndarray
    converged: np.ndarray
    n_iter: np.ndarray
    grad_max: np.ndarray
    info: np.ndarray | None = field(default=None, repr=False)


def fit_covariances(
    model: RamModel,
    S: np.ndarray,
    start: np.ndarray,
    *,
    xtol: float = 1e-10,
    newton_xtol: float = 1e-6,
    maxiter: int = 200,
    keep_information: bool = False,
    newton: bool = True,
    final_gradient: bool = False,
) -> BatchFit:
    """Fit ``model`` to every covariance matrix of the batch ``S`` (R × p × p) by Fisher scoring.

    Parameters
    ----------
    model : RamModel
    S : ndarray (R, p, p) or (p, p)
        Sample covariance matrices (denominator N), items in ``model.items`` order.
    start : ndarray (q,) or (R, q)
        Start values (the full-sample estimate for a bootstrap: a warm start).
    xtol : float
        A replicate is converged after a step with ``max|δ| < xtol`` (any step), or
    newton_xtol : float
        after a Newton step with ``max|δ| < newton_xtol``: Newton converges quadratically,
        so the error left after that step is of the order of ``δ²`` (1e-12).
    maxiter : int
        Replicates still active after ``maxiter`` steps are returned with ``converged=False``.
    keep_information : bool
        Also return the expected information ``H`` at the solution (for standard errors).
    final_gradient : bool
        Evaluate the gradient at the solution (``grad_max``; one more evaluation).
    newton : bool
        Use the exact Hessian of F where it is positive definite (Newton steps, quadratic
        convergence) and the expected information elsewhere (Fisher scoring); ``False``
        uses Fisher scoring throughout (linear convergence when the model misfits).

    Returns
    -------
    BatchFit

    Notes
    -----
    Each replicate's iterations depend only on its own data: replicates that converge are
    frozen, so a replicate's result does not depend on the other members of its batch.
    """
    S = np.asarray(S, dtype=float)
    if S.ndim == 2:
        S = S[None]
    R = S.shape[0]
    theta = np.array(np.broadcast_to(np.asarray(start, dtype=float), (R, model.q)))
    sign, logdet_s = np.linalg.slogdet(S)
    if (sign <= 0).any():
        bad = np.flatnonzero(sign <= 0)
        raise EstimationError(
            f"covariance matrices {bad[:10].tolist()} of the batch are not positive definite; "
            "the ML discrepancy is undefined: check for constant or linearly dependent items"
        )
    F, state = _discrepancy(model, theta, S, logdet_s)
    state = list(state)
    converged = np.zeros(R, dtype=bool)
    failed = ~np.isfinite(F)
    n_iter = np.zeros(R, dtype=np.int64)
    grad_max = np.full(R, np.nan)
    info = np.full((R, model.q, model.q), np.nan) if keep_information else None
    active = ~failed
    for _ in range(maxiter):
        ix = np.flatnonzero(active)
        if ix.size == 0:
            break
        K, M, G, A, L, C = (a[ix] for a in state)
        g, H, Hobs = gradient_information(model, K, S[ix], M, G, A, L, C, observed=newton)
        if H is None:
            H = (lambda rows, K=K, M=M, G=G: information(model, K[rows], M[rows], G[rows]))
        step, used_newton = _solve_steps(H, Hobs, g)
        bad = ~np.isfinite(step).all(axis=1)
        grad_max[ix] = np.abs(g).max(axis=1)
        size = np.abs(step).max(axis=1)
        # quadratic convergence: after a Newton step of size < newton_xtol the error is O(step²)
        last = ~bad & (((size < newton_xtol) & used_newton) | (size < xtol))
        failed[ix[bad]] = True
        if last.any():
            r = ix[last]
            theta[r] += step[last]
            n_iter[r] += 1
            converged[r] = True
        go = ~last & ~bad
        ix, g, step = ix[go], g[go], step[go]
        if ix.size == 0:
            active = ~converged & ~failed
            continue
        n_iter[ix] += 1
        slope = np.einsum("rk,rk->r", g, step)
        alpha = np.ones(ix.size)
        todo = np.arange(ix.size)
        F0 = F[ix]
        for _ls in range(40):
            cand = theta[ix[todo]] + alpha[todo, None] * step[todo]
            Fn, st = _discrepancy(model, cand, S[ix[todo]], logdet_s[ix[todo]])
            ok = Fn <= F0[todo] + 1e-4 * alpha[todo] * np.minimum(slope[todo], 0.0) + 1e-13 * np.abs(F0[todo])
            r = ix[todo[ok]]
            theta[r] = cand[ok]
            F[r] = Fn[ok]
            for a, b in zip(state, st):
                a[r] = b[ok]
            todo = todo[~ok]
            if todo.size == 0:
                break
            alpha[todo] *= 0.5
        if todo.size:
            failed[ix[todo]] = True  # no descent along the step
        active = ~converged & ~failed
    ix = np.flatnonzero(converged)
    if ix.size and (keep_information or final_gradient):
        F[ix], st = _discrepancy(model, theta[ix], S[ix], logdet_s[ix])
        K, M, G, A, L, C = st
        g, H, _ = gradient_information(model, K, S[ix], M, G, A, L, C, observed=False)
        grad_max[ix] = np.abs(g).max(axis=1)
        if keep_information:
            info[ix] = H
    return BatchFit(theta=theta, fmin=F, converged=converged, n_iter=n_iter, grad_max=grad_max, info=info)


def blas_single_thread():
    """Context manager limiting BLAS to one thread, when ``threadpoolctl`` is installed.

    The batched products here are small; a multi-threaded OpenBLAS spends far more time
    synchronising its threads than computing (measured: a 50 × 250 by 250 × 120 product takes
    23 ms with 2 threads and 0.05 ms with one on a 2-core machine).  Parallelism comes from
    workers instead.  Without ``threadpoolctl`` this is a no-op (set ``OPENBLAS_NUM_THREADS=1``).
    OpenBLAS takes its thread count from the calls of the main thread only: a limit set in
    another thread (a threaded Dask worker) has no effect, so hold it in the main thread around
    work that runs in threads.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def sample_moments(X: np.ndarray) -> np.ndarray:
    """Sample covariance with denominator N (lavaan's ``likelihood = "normal"``)."""
    X = np.asarray(X, dtype=float)
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / X.shape[0]


def start_values(model: RamModel, S: np.ndarray) -> np.ndarray:
    """Start values from the sample covariance (a cold start for :func:`fit_covariances`).

    Loadings are covariance ratios with the marker item (averaged over the block's other
    items; for a two-item block over the items of other blocks); the latent covariance
    matrix is then read from the marker items and disattenuated; structural paths and
    residual variances of the latents by least squares on that matrix; item residual
    variances ``max(s_ii − λ² φ, 0.1 s_ii)``.
    """
    S = np.asarray(S, dtype=float)
    spec = model.spec
    it = {x: i for i, x in enumerate(model.items)}
    lv = {x: i for i, x in enumerate(model.latents)}
    p, m = model.p, model.m
    lam = np.zeros(p)
    phi_diag = np.zeros(m)
    markers = np.zeros(m, dtype=np.int64)
    for latent in spec.latents:
        ids = [it[x] for x in latent.item_ids]
        r = ids[0]
        markers[lv[latent.id]] = r
        lam[r] = 1.0
        outside = [k for k in range(p) if k not in ids]
        for i in ids[1:]:
            others = [k for k in ids if k not in (i, r)]
            if others:
                ratios = [S[i, k] / S[r, k] for k in others if abs(S[r, k]) > 1e-12]
                lam[i] = float(np.mean(ratios)) if ratios else 1.0
            elif outside:
                lam[i] = float(S[i, outside] @ S[r, outside] / max(S[r, outside] @ S[r, outside], 1e-12))
            else:
                lam[i] = 1.0
        if len(ids) > 1:
            ests = [S[r, i] / lam[i] for i in ids[1:] if abs(lam[i]) > 1e-12]
            phi_diag[lv[latent.id]] = max(float(np.mean(ests)) if ests else S[r, r] / 2, 0.05 * S[r, r])
        else:
            phi_diag[lv[latent.id]] = S[r, r]
    Phi = S[np.ix_(markers, markers)].copy()
    np.fill_diagonal(Phi, phi_diag)
    ev, evec = np.linalg.eigh(Phi)
    if ev.min() <= 1e-6 * max(ev.max(), 1e-12):
        Phi = evec @ np.diag(np.maximum(ev, 1e-3 * max(ev.max(), 1e-12))) @ evec.T
    theta = np.zeros(model.q)
    psi = Phi.copy()
    beta = {}
    for to in model.latents:
        preds = spec.predecessors(to)
        if not preds:
            continue
        t, P = lv[to], [lv[x] for x in preds]
        b = np.linalg.solve(Phi[np.ix_(P, P)], Phi[P, t])
        for x, bi in zip(preds, b):
            beta[(t, lv[x])] = float(bi)
        psi[t, t] = max(Phi[t, t] - Phi[P, t] @ b, 0.05 * Phi[t, t])
    for k in range(model.q):
        r, c, kd = model.row[k], model.col[k], model.kind[k]
        if kd == LOADING:
            theta[k] = lam[r]
        elif kd == PATH:
            theta[k] = beta.get((r, c), 0.0)
        elif kd == PSI:
            theta[k] = psi[r, c] if r == c else (Phi[r, c] if not spec.predecessors(model.latents[r]) and not spec.predecessors(model.latents[c]) else 0.0)
        elif r == c:
            j = model.latent_of_item[r]
            theta[k] = max(S[r, r] - lam[r] ** 2 * phi_diag[j], 0.1 * S[r, r])
        else:
            theta[k] = 0.0
    return theta


# ---------------------------------------------------------------------- fit_sem replacement
def fit_sem_fast(
    data: pd.DataFrame,
    spec: ModelSpec,
    *,
    level: float = 0.95,
    start: np.ndarray | None = None,
    xtol: float = 1e-10,
    maxiter: int = 200,
    model: RamModel | None = None,
):
    """Drop-in for :func:`acsi.estimate.sem.fit_sem` using the Fisher-scoring engine.

    Returns the same :class:`~acsi.estimate.sem.SEMResult` (estimate table with lavaan's
    columns and expected-information standard errors ``sqrt(diag((2/N) H⁻¹))``, fit measures
    from :func:`acsi.estimate.fitmeasures.fit_measures`, loadings, residual variances, latent
    covariance, admissibility checks with the same messages), without semopy.

    Parameters
    ----------
    data : DataFrame
        Complete item data, one column per item of ``spec``.
    spec : ModelSpec
    level : float
        Level of the Wald intervals.
    start : ndarray, optional
        Start values in ``RamModel(spec).labels`` order (default :func:`start_values`).
    model : RamModel, optional
        A compiled model to reuse across calls.

    Raises
    ------
    EstimationError
        Missing items, incomplete data, fewer than 2 rows, a constant item, or a
        non-positive-definite sample covariance (same checks and messages as ``fit_sem``).

    Examples
    --------
    >>> res = fit_sem_fast(survey_of_one_company, acsi.load_model("acsi"))   # doctest: +SKIP
    >>> res.estimates.query("op == '~'")[["lhs", "rhs", "est", "se"]]          # doctest: +SKIP
    """
    items = list(spec.item_ids)
    X, S = item_moments(data, items)
    n = X.shape[0]
    model = model or RamModel(spec)
    return sem_result_from_cov(model, S, n, level=level, start=start, xtol=xtol, maxiter=maxiter)


def sem_result_from_cov(model: RamModel, S: np.ndarray, n: int, *, level: float = 0.95, start=None,
                        xtol: float = 1e-10, maxiter: int = 200):
    """:class:`~acsi.estimate.sem.SEMResult` from a sample covariance (denominator N) and N.

    The sufficient statistics of ML: a unit's fit needs only ``S`` and ``n``, so very large
    surveys can be fitted from per-unit moments without holding the rows.
    """
    from .fitmeasures import fit_measures, ml_discrepancy
    from .sem import SEMResult

    items, latents = model.items, model.latents
    S = np.asarray(S, dtype=float)
    th0 = start_values(model, S) if start is None else np.asarray(start, dtype=float)
    bf = fit_covariances(model, S[None], th0, xtol=xtol, maxiter=maxiter, keep_information=True, final_gradient=True)
    if not bf.converged[0] and start is None:
        # second chance: a cruder, very stable start (unit loadings, half variances)
        alt = _simple_start(model, S)
        bf2 = fit_covariances(model, S[None], alt, xtol=xtol, maxiter=maxiter, keep_information=True, final_gradient=True)
        if bf2.converged[0] or bf2.fmin[0] < bf.fmin[0]:
            bf = bf2
    theta = bf.theta[0]
    converged = bool(bf.converged[0])
    messages = [] if converged else [
        f"Fisher scoring did not converge in {maxiter} iterations (max |gradient| {bf.grad_max[0]:.3g})"
    ]
    L, _B, P, T = (a[0] for a in model.matrices(theta[None]))
    sigma, A, _, _ = (a[0] for a in implied(model, theta[None]))
    se = np.full(model.q, np.nan)
    if converged:
        try:
            cov = 2.0 / n * np.linalg.inv(bf.info[0])
            d = np.diag(cov)
            se = np.where(d >= 0, np.sqrt(np.abs(d)), np.nan)
        except np.linalg.LinAlgError:
            messages.append("standard errors unavailable: singular information matrix")
    Lam = pd.DataFrame(L, index=items, columns=latents)
    lat_cov = pd.DataFrame(A, index=latents, columns=latents)
    implied_df = pd.DataFrame(sigma, index=items, columns=items)
    estimates = estimate_table(model, theta, se, level=level)
    # at an exact fit the minimum of F is 0 up to rounding and can come out as -1e-16;
    # Σ then reproduces S to rounding, so the fit measures are those of Σ = S (chi-square 0)
    sigma_fm = S if not ml_discrepancy(S, sigma) > 0 else sigma
    fm = fit_measures(S, sigma_fm, n, model.q)
    problems = admissibility_problems(model.spec, T, P, A)
    if not np.isfinite(estimates.loc[estimates["free"], "se"]).all():
        messages.append("some standard errors could not be computed (information matrix not invertible)")
    return SEMResult(
        estimates=estimates,
        fit_measures=fm,
        loadings=Lam,
        residual_variances=pd.Series(np.diag(T), index=items),
        latent_cov=lat_cov,
        sample_cov=pd.DataFrame(S, index=items, columns=items),
        implied_cov=implied_df,
        n=int(n),
        converged=converged,
        admissible=not problems,
        problems=tuple(problems),
        messages=tuple(messages),
        n_iter=int(bf.n_iter[0]),
        objective=float(bf.fmin[0]),
        extra={"engine": "mlfast", "theta": theta, "labels": list(model.labels)},
    )


def estimate_table(model: RamModel, theta: np.ndarray, se: np.ndarray, *, level: float = 0.95) -> pd.DataFrame:
    """lavaan's ``parameterEstimates(standardized = TRUE)`` table for one solution
    (:func:`acsi.estimate.table.parameter_table`, shared with the semopy backend)."""
    L, B, P, T = (a[0] for a in model.matrices(np.asarray(theta)[None]))
    return parameter_table(model.spec, L, B, P, T, dict(zip(model.labels, se)), level=level)


def admissible_batch(model: RamModel, theta: np.ndarray) -> np.ndarray:
    """Vectorised admissibility: no negative variance, positive-definite latent covariance."""
    _L, _B, P, T = model.matrices(theta)
    _, A, _, _ = implied(model, theta)
    ok = (np.diagonal(T, axis1=1, axis2=2) >= 0).all(axis=1) & (np.diagonal(P, axis1=1, axis2=2) >= 0).all(axis=1)
    ok &= np.linalg.eigvalsh(A).min(axis=1) > 0
    return ok


def _simple_start(model: RamModel, S: np.ndarray) -> np.ndarray:
    th = np.zeros(model.q)
    for k in range(model.q):
        kd, r, c = model.kind[k], model.row[k], model.col[k]
        if kd == LOADING:
            th[k] = 1.0
        elif kd == THETA and r == c:
            th[k] = S[r, r] / 2
        elif kd == PSI and r == c:
            th[k] = 0.05
    return th
