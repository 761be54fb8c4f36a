"""Latent scores on 0-100 and unit indexes (Fornell's rescaling).

Item weights (CB-SEM)
---------------------
For latent ``j`` with items ``i ∈ B_j``, loadings ``λ_i`` and residual
variances ``θ_i``, the weights are the within-block factor-score weights

    w_i = (λ_i / θ_i) / Σ_{k∈B_j} (λ_k / θ_k),

the regression (Thurstone) and Bartlett weights of a one-factor block, which
coincide up to scale and are normalised to sum to one.  A latent's score
depends only on its own items, as the ACSI's index depends only on the
satisfaction items.  An item with zero residual variance (a single indicator,
whose residual variance is fixed to 0) measures the latent exactly and takes
all the weight (shared equally among such items).  A negative weight (negative
loading or Heywood case) makes the 0-100 score meaningless: acsi refuses it
with :class:`~acsi.errors.ScoringError` instead of publishing it.

Scores
------
Respondent ``r``'s score of latent ``j`` on 0-100 is

    score_rj = 100 · (Σ_i w_i x_ri − Σ_i w_i min_i) / (Σ_i w_i max_i − Σ_i w_i min_i),

so it is 0 when every item is at its scale minimum and 100 at its maximum
(Fornell et al. 1996).  With items on 1-10: ``100 · (Σ w_i x_ri − 1) / 9``.

Incomplete respondents (``missing="fiml"``): with ``A_rj ⊆ B_j`` the items of latent
``j`` that respondent ``r`` answered, the weights are renormalised over those items,
``w̃_i = w_i / Σ_{k∈A_rj} w_k``, which gives

    score_rj = 100 · Σ_{i∈A_rj} w_i (x_ri − min_i) / Σ_{i∈A_rj} w_i (max_i − min_i);

a complete respondent's score is unchanged.  When ``A_rj`` is empty (or carries no
weight) the score is NaN, and the unit index below averages over the respondents
with a score.

Unit index
----------
The unit's index is the survey-weighted mean of its respondents' scores,
``I = Σ_r v_r s_r / Σ_r v_r``, with the linearisation standard error of a
weighted mean (independent respondents, item weights treated as fixed)

    se² = n/(n−1) · Σ_r v_r² (s_r − I)² / (Σ_r v_r)²,

which is ``sd/√n`` without survey weights, and a ``t_{n−1}`` interval.  Respondents
without a score of a latent (NaN: none of its items answered) are left out of that
latent's index and ``n``.  The
sampling variability of the item weights is not in this standard error; the
bootstrap (a later release) includes it.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ScoringError
from ..frames import float_matrix, labels, nan_mask, table, text
from ..spec import ModelSpec

__all__ = ["index_from_means", "item_weights", "item_weights_batch", "latent_scores", "observed_scores", "rescale",
           "unit_index", "t_interval",
           "weighted_mean_se"]

_ZERO = 1e-10


def _block_weights(lam: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normalised weights of one block for every row of ``lam``/``theta`` (R × k), and the raw ``λ/θ``.

    The one implementation of the weight rule: ``w ∝ λ/θ``; a single indicator gets 1 (its
    loading's sign); items with zero residual variance share the weight.  Rows whose weights
    are undefined or negative come out NaN-free but flagged by the caller (``w < 0``, not finite).
    """
    k = lam.shape[-1]
    if k == 1:
        raw = np.where(lam > 0, 1.0, -1.0)
    else:
        exact = np.abs(theta) <= _ZERO
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = np.where(exact.any(axis=-1, keepdims=True), np.where(exact, np.sign(lam), 0.0), lam / theta)
    total = raw.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(total != 0, raw / np.where(total != 0, total, 1.0), np.nan)
    return w, raw


def _refused(w: np.ndarray) -> np.ndarray:
    """Rows (R × k -> R) whose weights cannot make a 0-100 score: undefined or negative."""
    return ~np.isfinite(w).all(axis=-1) | (w < 0).any(axis=-1)


def item_weights(
    spec: ModelSpec, loadings: pd.DataFrame, residual_variances: pd.Series, *, strict: bool = True
) -> pd.DataFrame:
    """Normalised within-block item weights ``w_i ∝ λ_i/θ_i`` (see module docstring).

    Parameters
    ----------
    strict : bool
        Raise :class:`~acsi.errors.ScoringError` on a negative weight (default).
        With ``strict=False`` the latent's weights are set to NaN instead and the
        reason is put in the ``problem`` column, so other latents can still be scored.

    Returns
    -------
    DataFrame with columns ``latent, item, loading, residual_variance, weight, problem``.
    """
    L, T = loadings.to_numpy(dtype=float), residual_variances.to_numpy(dtype=float)  # positions, not .loc per item
    plan = _weight_plan(tuple((lv.id, tuple(lv.item_ids)) for lv in spec.latents), tuple(loadings.index),
                        tuple(loadings.columns), tuple(residual_variances.index))
    lams, thetas, weights, problems = [], [], [], []
    for (lv_id, ids), (rows, col, at) in zip(plan.blocks, plan.positions):
        lam, theta = L[rows, col], T[at]
        w, raw = _block_weights(lam[None, :], theta[None, :])
        w, raw = w[0], raw[0]
        problem = ""
        if _refused(w[None, :])[0]:
            culprits = [k for k in range(len(ids)) if not (raw[k] >= 0)] or list(range(len(ids)))
            bad = [f"{ids[k]} (loading {lam[k]:.4g}, residual variance {theta[k]:.4g})" for k in culprits]
            problem = (
                f"latent {lv_id}: negative or undefined item weight caused by {', '.join(bad)}; "
                "a 0-100 score built from it would be meaningless. The solution is likely inadmissible "
                "(Heywood case) or the item is reverse-coded: recode the item or revise the model"
            )
            if strict:
                raise ScoringError(problem)
            w = np.full(len(ids), np.nan)
        lams.append(lam)
        thetas.append(theta)
        weights.append(w)
        problems += [problem] * len(ids)
    cat = (lambda parts: np.concatenate(parts).astype(float, copy=False)) if lams else (lambda parts: np.zeros(0))
    return table({"latent": plan.latent, "item": plan.item, "loading": cat(lams), "residual_variance": cat(thetas),
                  "weight": cat(weights), "problem": text(problems)})


class _WeightPlan:
    """Where each latent's items sit in the loadings and residual variances, and the label
    columns of the weights table, built once per model and labels (:func:`item_weights`)."""

    def __init__(self, blocks, items, latents, residuals):
        at_item, at_latent = {k: i for i, k in enumerate(items)}, {k: j for j, k in enumerate(latents)}
        at_theta = {k: i for i, k in enumerate(residuals)}
        self.blocks = blocks
        self.positions = [(np.array([at_item[i] for i in ids], dtype=np.intp), at_latent[lv_id],
                           np.array([at_theta[i] for i in ids], dtype=np.intp)) for lv_id, ids in blocks]
        self.latent = text([lv_id for lv_id, ids in blocks for _ in ids])
        self.item = text([i for _lv, ids in blocks for i in ids])


@lru_cache(maxsize=256)
def _weight_plan(blocks, items, latents, residuals) -> _WeightPlan:
    return _WeightPlan(blocks, items, latents, residuals)


def item_weights_batch(loadings: np.ndarray, residual_variances: np.ndarray, blocks) -> np.ndarray:
    """:func:`item_weights` for R replicates at once (the bootstrap's form).

    Parameters
    ----------
    loadings, residual_variances : ndarray (R × p)
        Each item's loading on its own latent and its residual variance, per replicate.
    blocks : sequence of integer arrays
        The item positions of each latent.

    Returns
    -------
    ndarray (R × p): the weights, NaN for every item of a latent whose weights are refused
    (negative or undefined) in that replicate.
    """
    R, p = loadings.shape
    W = np.full((R, p), np.nan)
    for ix in blocks:
        w, _ = _block_weights(loadings[:, ix], residual_variances[:, ix])
        w[_refused(w)] = np.nan
        W[:, ix] = w
    return W


def index_from_means(weights: np.ndarray, means: np.ndarray, lo: np.ndarray, hi: np.ndarray, blocks) -> np.ndarray:
    """0-100 index per latent from item means, for R replicates: ``100 (w·x̄ − w·min) / (w·(max − min))``.

    ``weights`` and ``means`` are R × p (item weights and survey-weighted item means),
    ``lo``/``hi`` the items' scale bounds, ``blocks`` the item positions of each latent;
    returns R × latents.  A unit's index is the weighted mean of its respondents'
    :func:`latent_scores`, and the rescaling is linear, so it equals this formula applied to
    the weighted item means (the bootstrap uses it on resampled means).
    """
    out = np.full((weights.shape[0], len(blocks)), np.nan)
    for j, ix in enumerate(blocks):
        w = weights[:, ix]
        out[:, j] = 100.0 * (np.einsum("ri,ri->r", w, means[:, ix]) - w @ lo[ix]) / (w @ (hi[ix] - lo[ix]))
    return out


def latent_scores(data: pd.DataFrame, spec: ModelSpec, weights: pd.DataFrame) -> pd.DataFrame:
    """Respondent scores on 0-100 for every latent (rows as in ``data``).

    One matrix product: ``X W`` with ``W`` the items × latents block matrix of
    weights, shifted and scaled by the weighted scale bounds of each latent.
    A latent whose weights are NaN (refused) gets NaN scores.  Rows with unanswered
    items (NaN) use the answered items of each block with renormalised weights (see the
    module docstring); a latent none of whose items were answered gets NaN.
    """
    items = list(spec.item_ids)
    latents = list(spec.latent_ids)
    pos_i = {k: i for i, k in enumerate(items)}
    pos_l = {k: j for j, k in enumerate(latents)}
    W = np.zeros((len(items), len(latents)))
    for lv, it, w in zip(weights["latent"].tolist(), weights["item"].tolist(), weights["weight"].tolist()):
        W[pos_i[it], pos_l[lv]] = w
    bounds = np.array([spec.scale_bounds[i] for i in items])
    X = float_matrix(data, items)
    holes = nan_mask(X)
    if holes is not None:
        answered = (~holes).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            num = (np.where(holes, 0.0, X - bounds[:, 0]) @ W)
            den = (answered * (bounds[:, 1] - bounds[:, 0])) @ W
            S = np.where(den > 0, 100.0 * num / np.where(den > 0, den, 1.0), np.nan)
            S[:, ~np.isfinite(W).all(axis=0)] = np.nan
        return pd.DataFrame(S, index=data.index, columns=labels(latents))
    # the frame takes the scores' own latents x n block (fresh, held by nothing else): no copy
    return pd.DataFrame(rescale(X, W, bounds[:, 0], bounds[:, 1]), index=data.index, columns=labels(latents),
                        copy=False)


def observed_scores(data: pd.DataFrame, spec: ModelSpec) -> pd.DataFrame:
    """0-100 scores of the observed variables of the structural model that have a scale (ACSI's
    yes/no complaint ``cc1``): ``100 (x − min) / (max − min)``, the variable's own scale with
    weight 1, so a unit's index of a 0/1 answer is the percentage answering 1 (the complaint
    rate in percent).  Covariates (age, sex, income) are not scored.  Columns in declaration
    order; none when the model has no such variable.
    """
    cols = {}
    for o in spec.observed:
        if o.covariate or not o.has_scale or o.id not in spec.structural_observed:
            continue
        x = data[o.id].to_numpy(dtype=float)
        cols[o.id] = 100.0 * (x - o.min) / (o.max - o.min)
    return pd.DataFrame(cols, index=data.index)


def rescale(X: np.ndarray, W: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Answers to 0-100 scores: ``100 · (X W − lo·W) / (hi·W − lo·W)`` (complete answers).

    ``X`` is n × p (answers, or item means as one row), ``W`` the p × latents block matrix
    of normalised item weights, ``lo``/``hi`` the items' scale bounds.  Used for the SEM and
    PLS scores alike (:func:`latent_scores`, :func:`acsi.estimate.pls.fit_pls`).

    The product is taken transposed, ``W' X'`` from ``X'`` in rows (a free view of a frame's
    answers, which pandas keeps column by column; a copy otherwise, so that the bits never
    depend on the layout of ``X``): latents × n is half the time of ``X W`` at n = 25,000 and is
    the layout of a frame's block and of :func:`unit_index`'s rows.  The result is its n ×
    latents transposed view.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        Xt = np.ascontiguousarray(np.asarray(X, dtype=float).T)
        # the remaining steps in place: no n x latents temporaries (their fresh pages cost more
        # than the arithmetic)
        S = W.T @ Xt
        np.subtract(S, (lo @ W)[:, None], out=S)
        np.multiply(100.0, S, out=S)
        np.divide(S, (hi @ W - lo @ W)[:, None], out=S)
        return S.T


def weighted_mean_se(x: np.ndarray, v: np.ndarray | None = None) -> tuple[float, float, int]:
    """Weighted mean, its linearisation standard error and n (see module docstring)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    if n == 0:
        return (np.nan, np.nan, 0)
    v = np.ones(n) if v is None else np.asarray(v, dtype=float)
    sw = v.sum()
    mean = float(v @ x / sw)
    if n < 2:
        return (mean, np.nan, n)
    se = float(np.sqrt(n / (n - 1) * np.sum(v**2 * (x - mean) ** 2) / sw**2))
    return (mean, se, n)


def t_interval(index, se, n, confidence: float = 0.95):
    """Student-t interval of a unit index, ``index ± t_{n−1, (1+confidence)/2} · se`` (NaN where n < 2).

    The one interval rule of a unit index (a mean of its respondents' scores): used by
    :func:`unit_index` and by the aggregation's company rows, so that a unit index carries one
    interval wherever it is shown.  Equivalent R: ``index + c(-1, 1) * qt((1 + confidence)/2, n - 1) * se``.
    """
    index, se, n = (np.asarray(a, dtype=float) for a in (index, se, n))
    ok = np.isfinite(n) & (n >= 2)
    if n.ndim == 0:  # one index: the quantile of its n, computed once per (n, confidence)
        q = np.float64(_t_quantile(float(n) - 1.0, float(confidence))) if ok else np.nan
    else:
        q = np.where(ok, stats.t.ppf(0.5 + confidence / 2.0, np.where(ok, n - 1, 1)), np.nan)
    lo, hi = index - q * se, index + q * se
    return (float(lo), float(hi)) if lo.ndim == 0 else (lo, hi)


@lru_cache(maxsize=4096)
def _t_quantile(df: float, confidence: float) -> float:
    """``qt((1 + confidence)/2, df)``: every latent of a unit (and many units) share one n."""
    return float(stats.t.ppf(0.5 + confidence / 2.0, df))


def unit_index(scores: pd.DataFrame, weights: np.ndarray | None = None, *, confidence: float = 0.95) -> pd.DataFrame:
    """Index, standard error, t-interval and n for every latent column of ``scores``."""
    names = list(scores.columns)
    if not names:
        return pd.DataFrame()
    out = np.full((len(names), 5), np.nan)  # index, se, ci_lower, ci_upper, n
    X = np.ascontiguousarray(scores.to_numpy(dtype=float).T)  # one contiguous row per latent
    if X.shape[1] >= 2 and not np.isnan(X.sum(axis=1)).any():  # every latent scored for every respondent
        _complete_indexes(X, weights, confidence, out)
        return _index_frame(names, out)
    for j in range(len(names)):
        x = X[j]
        have = ~np.isnan(x)
        if have.any() and not have.all():  # respondents without a score of this latent
            v = None if weights is None else np.asarray(weights, dtype=float)[have]
            mean, se, n = weighted_mean_se(x[have], v)
        else:
            mean, se, n = weighted_mean_se(x, weights)
        lo, hi = t_interval(mean, se, n, confidence)
        out[j] = (mean, se, lo, hi, n)
    return _index_frame(names, out)


def _index_frame(names, out: np.ndarray) -> pd.DataFrame:
    return table({"latent": text(names), "index": out[:, 0].copy(), "se": out[:, 1].copy(),
                  "ci_lower": out[:, 2].copy(), "ci_upper": out[:, 3].copy(), "n": out[:, 4].astype(np.int64)})


def _complete_indexes(X: np.ndarray, weights, confidence: float, out: np.ndarray) -> None:
    """:func:`weighted_mean_se` and :func:`t_interval` of every row of ``X`` (latents × n, no
    NaN, n >= 2) at once, into ``out``: the same operations in the same order (each mean a dot
    product of the weights with its row, each sum of squares along its contiguous row), so the
    same numbers bit for bit."""
    n = X.shape[1]
    v = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    sw = v.sum()
    v2 = None if weights is None else v**2  # weights of 1: their squares would multiply by 1, exactly
    mean = np.array([float(v @ x / sw) for x in X])
    # row by row into one scratch row (it stays in the cache; fresh temporaries per row do not)
    d, ss = np.empty(n), []
    for x, m in zip(X, mean.tolist()):
        np.subtract(x, m, out=d)
        np.square(d, out=d)  # what ``(x - m) ** 2`` computes
        if v2 is not None:
            np.multiply(v2, d, out=d)
        ss.append(d.sum())
    se = np.sqrt(n / (n - 1) * np.array(ss) / sw**2)
    q = np.float64(_t_quantile(float(n) - 1.0, float(confidence)))
    out[:, 0], out[:, 1], out[:, 2], out[:, 3], out[:, 4] = mean, se, mean - q * se, mean + q * se, n
