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

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ScoringError
from ..spec import ModelSpec

__all__ = ["item_weights", "latent_scores", "unit_index", "weighted_mean_se"]

_ZERO = 1e-10


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
    rows = []
    for lv in spec.latents:
        ids = list(lv.item_ids)
        lam = np.array([float(loadings.loc[i, lv.id]) for i in ids])
        theta = np.array([float(residual_variances.loc[i]) for i in ids])
        if len(ids) == 1:
            raw = np.array([1.0 if lam[0] > 0 else -1.0])
        else:
            exact = np.abs(theta) <= _ZERO
            if exact.any():
                raw = np.where(exact, np.sign(lam), 0.0)
            else:
                raw = lam / theta
        total = raw.sum()
        w = raw / total if total != 0 else np.full(len(ids), np.nan)
        problem = ""
        if not np.all(np.isfinite(w)) or (w < 0).any():
            culprits = [k for k in range(len(ids)) if not (raw[k] >= 0)] or list(range(len(ids)))
            bad = [f"{ids[k]} (loading {lam[k]:.4g}, residual variance {theta[k]:.4g})" for k in culprits]
            problem = (
                f"latent {lv.id}: negative or undefined item weight caused by {', '.join(bad)}; "
                "a 0-100 score built from it would be meaningless. The solution is likely inadmissible "
                "(Heywood case) or the item is reverse-coded: recode the item or revise the model"
            )
            if strict:
                raise ScoringError(problem)
            w = np.full(len(ids), np.nan)
        for i, l, t, wi in zip(ids, lam, theta, w):
            rows.append({"latent": lv.id, "item": i, "loading": l, "residual_variance": t, "weight": wi, "problem": problem})
    return pd.DataFrame(rows)


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
    for lv, it, w in zip(weights["latent"], weights["item"], weights["weight"]):
        W[pos_i[it], pos_l[lv]] = w
    bounds = np.array([spec.scale_bounds[i] for i in items])
    lo, hi = bounds[:, 0] @ W, bounds[:, 1] @ W
    X = data[items].to_numpy(dtype=float)
    holes = np.isnan(X)
    if holes.any():
        answered = (~holes).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            num = (np.where(holes, 0.0, X - bounds[:, 0]) @ W)
            den = (answered * (bounds[:, 1] - bounds[:, 0])) @ W
            S = np.where(den > 0, 100.0 * num / np.where(den > 0, den, 1.0), np.nan)
            S[:, ~np.isfinite(W).all(axis=0)] = np.nan
        return pd.DataFrame(S, index=data.index, columns=latents)
    with np.errstate(invalid="ignore"):
        S = 100.0 * (X @ W - lo) / (hi - lo)
    return pd.DataFrame(S, index=data.index, columns=latents)


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


def unit_index(scores: pd.DataFrame, weights: np.ndarray | None = None, *, confidence: float = 0.95) -> pd.DataFrame:
    """Index, standard error, t-interval and n for every latent column of ``scores``."""
    rows = []
    for lv in scores.columns:
        x = scores[lv].to_numpy(dtype=float)
        have = ~np.isnan(x)
        if have.any() and not have.all():  # respondents without a score of this latent
            v = None if weights is None else np.asarray(weights, dtype=float)[have]
            mean, se, n = weighted_mean_se(x[have], v)
        else:
            mean, se, n = weighted_mean_se(x, weights)
        t = stats.t.ppf(1 - (1 - confidence) / 2, n - 1) if n > 1 else np.nan
        rows.append({"latent": lv, "index": mean, "se": se, "ci_lower": mean - t * se, "ci_upper": mean + t * se, "n": n})
    return pd.DataFrame(rows)
