"""What both ML engines (semopy in :mod:`.sem`, batched Newton in :mod:`.mlfast`) share:
the lavaan-style parameter table, the sample-covariance checks and the admissibility checks.

Every matrix is in the spec's order: items ``spec.item_ids`` (rows of Λ, Θ) and latents
``spec.latent_ids`` (columns of Λ; Β, Ψ).  ``B[to, from]`` holds the path ``from -> to``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import EstimationError
from ..spec import ModelSpec

__all__ = ["ESTIMATE_COLUMNS", "parameter_table", "item_moments", "check_sample_cov", "admissibility_problems", "latent_covariance"]

ESTIMATE_COLUMNS = ["lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]


def latent_covariance(B: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Model-implied latent covariance ``A = (I − B)⁻¹ Ψ (I − B)⁻ᵀ``."""
    C = np.linalg.inv(np.eye(B.shape[0]) - B)
    return C @ P @ C.T


def parameter_table(spec: ModelSpec, L, B, P, T, se: dict, *, level: float = 0.95) -> pd.DataFrame:
    """lavaan's ``parameterEstimates(standardized = TRUE)`` for one solution.

    Rows in lavaan's order: loadings (marker fixed at 1), regressions, listed
    covariances, item residual variances (a single indicator's fixed at 0), latent
    (residual) variances, covariances of the exogenous latents.  ``se`` maps
    ``(lhs, op, rhs)`` to a standard error (``~~`` in either orientation).
    ``std_all`` as lavaan with ``cov.std = TRUE``: loadings ``λ sd(η)/sd(y)``;
    regressions ``β sd(η_from)/sd(η_to)``; (residual) variances over the
    model-implied total variance; residual covariances over the square roots of
    the residual variances.  Wald ``z = est/se``, two-sided normal p-value,
    interval ``est ± z_(1+level)/2 · se``; fixed rows have NaN ``se`` and a
    zero-width interval.  Returns the columns of ``ESTIMATE_COLUMNS`` plus ``free``.
    """
    L, B, P, T = (np.asarray(x, dtype=float) for x in (L, B, P, T))
    A = latent_covariance(B, P)
    sigma = L @ A @ L.T + T
    it = {x: i for i, x in enumerate(spec.item_ids)}
    lv = {x: i for i, x in enumerate(spec.latent_ids)}
    sd_y = np.sqrt(np.clip(np.diag(sigma), 0, None))
    sd_eta = np.sqrt(np.clip(np.diag(A), 0, None))

    def se_of(a, op, b):
        return se.get((a, op, b), se.get((b, op, a), np.nan) if op == "~~" else np.nan)

    rows = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for latent in spec.latents:
            for k, item in enumerate(latent.item_ids):
                i, j = it[item], lv[latent.id]
                rows.append((latent.id, "=~", item, L[i, j], se_of(latent.id, "=~", item), k > 0,
                             L[i, j] * sd_eta[j] / sd_y[i]))
        for to in spec.latent_ids:
            for fr in spec.predecessors(to):
                t, f = lv[to], lv[fr]
                rows.append((to, "~", fr, B[t, f], se_of(to, "~", fr), True, B[t, f] * sd_eta[f] / sd_eta[t]))
        for a, b in spec.covariances:
            i, j, M = (lv[a], lv[b], P) if a in lv else (it[a], it[b], T)
            rows.append((a, "~~", b, M[i, j], se_of(a, "~~", b), True, M[i, j] / np.sqrt(M[i, i] * M[j, j])))
        single = {latent.items[0].id for latent in spec.latents if len(latent.items) == 1}
        for item in spec.item_ids:
            i = it[item]
            if item in single:
                rows.append((item, "~~", item, 0.0, np.nan, False, 0.0))
            else:
                rows.append((item, "~~", item, T[i, i], se_of(item, "~~", item), True, T[i, i] / sd_y[i] ** 2))
        for x in spec.latent_ids:
            j = lv[x]
            rows.append((x, "~~", x, P[j, j], se_of(x, "~~", x), True, P[j, j] / A[j, j]))
        exo = list(spec.exogenous)
        for k, a in enumerate(exo):
            for b in exo[k + 1:]:
                i, j = lv[a], lv[b]
                rows.append((a, "~~", b, P[i, j], se_of(a, "~~", b), True, P[i, j] / (sd_eta[i] * sd_eta[j])))
    df = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est", "se", "free", "std_all"])
    df["se"] = df["se"].where(df["free"], np.nan)
    q = stats.norm.ppf(1 - (1 - level) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        df["z"] = df["est"] / df["se"]
    df["pvalue"] = 2 * stats.norm.sf(np.abs(df["z"]))
    df["ci_lower"] = np.where(df["free"], df["est"] - q * df["se"], df["est"])
    df["ci_upper"] = np.where(df["free"], df["est"] + q * df["se"], df["est"])
    return df[ESTIMATE_COLUMNS + ["free"]]


def item_moments(data: pd.DataFrame, items: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Complete item matrix ``X`` and its covariance ``S`` (denominator N), after the checks
    every ML fit needs: items present, no missing values (semopy would delete pairwise
    without a word), at least two rows, and :func:`check_sample_cov`."""
    missing_cols = [c for c in items if c not in data.columns]
    if missing_cols:
        raise EstimationError(f"data lack the model's items {missing_cols}")
    X = data[items].to_numpy(dtype=float)
    if np.isnan(X).any():
        bad = [items[j] for j in np.flatnonzero(np.isnan(X).any(axis=0))]
        raise EstimationError(
            f"incomplete data passed to the SEM backend (missing values in {', '.join(bad)}); "
            "apply a missing-data policy first (acsi.fit does listwise deletion)"
        )
    n = X.shape[0]
    if n < 2:
        raise EstimationError(f"cannot fit a model to {n} respondent(s)")
    Xc = X - X.mean(axis=0)
    S = Xc.T @ Xc / n
    check_sample_cov(S, items)
    return X, S


def check_sample_cov(S: np.ndarray, items: list[str]) -> None:
    """Refuse constant items and a non-positive-definite sample covariance, naming the items.

    semopy would silently replace a non-PD matrix by a nearby one.
    """
    var = np.diag(S)
    flat = [items[i] for i in np.flatnonzero(var <= 1e-12)]
    if flat:
        raise EstimationError(
            f"items with no variance (every respondent gave the same answer): {', '.join(flat)}; "
            "a covariance model cannot be fitted: collect more varied data or drop these items from the model"
        )
    ev = np.linalg.eigvalsh(S / np.sqrt(np.outer(var, var)))
    if ev.min() <= 1e-10:
        raise EstimationError(
            "the sample covariance matrix is not positive definite (items are linearly dependent or "
            f"there are fewer respondents than items: smallest eigenvalue {ev.min():.3g}); "
            "check for duplicated items or too few respondents"
        )


def admissibility_problems(spec: ModelSpec, T: np.ndarray, P: np.ndarray, A: np.ndarray) -> list[str]:
    """Negative residual or latent variances and a non-PD latent covariance, by name (as lavaan warns)."""
    problems = []
    for i, x in enumerate(spec.item_ids):
        if T[i, i] < 0:
            problems.append(f"negative residual variance of item {x} ({T[i, i]:.4g})")
    for j, x in enumerate(spec.latent_ids):
        if P[j, j] < 0:
            problems.append(f"negative (residual) variance of latent {x} ({P[j, j]:.4g})")
    if np.linalg.eigvalsh(A).min() <= 0:
        problems.append("the covariance matrix of the latent variables is not positive definite")
    return problems
