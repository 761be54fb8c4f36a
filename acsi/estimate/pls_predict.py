"""Predictive assessment of a PLS model: PLSpredict (k-fold, repeated) and blindfolding Q².

PLSpredict (Shmueli et al. 2016, 2019)
--------------------------------------
The rows are shuffled and cut into ``k`` contiguous folds (seminr's and SmartPLS's scheme); for
each fold the model is re-estimated on the other folds (all folds of a repetition in one batch of
the PLS kernel: a fold is a replicate whose held-out rows have weight 0), the held-out rows are
standardized with the training means and standard deviations, scored with the training weights
``Y = Z W``, and the endogenous constructs are predicted from

* ``"DA"`` (direct antecedents, seminr's default ``predict_DA``): ``Ŷ = Y B`` (exogenous
  constructs keep their scores);
* ``"EA"`` (earliest antecedents, ``predict_EA``): the exogenous scores propagated through the
  structural model in causal order;

then an endogenous indicator is ``x̂ = x̄_train + s_train · Ŷ λᵀ`` (λ its outer loading).  The
linear-model benchmark regresses each endogenous indicator on the indicators of the
construct's direct antecedents (DA) or of all exogenous constructs (EA), with an intercept, on the
training rows (``lm(item ~ antecedent items)``).  Per indicator and repetition, out of sample:
``RMSE = √mean(e²)``, ``MAE = mean|e|`` for both, and ``Q²_predict = 1 − Σe² / Σ(x − x̄_train)²``
(Shmueli et al. 2019).  ``reps`` repetitions with new shuffles are averaged (the table gives the
mean and the standard deviation over repetitions).  Survey weights weight the estimation, the
benchmark regressions and the metrics.

Blindfolding (Stone 1974; Geisser 1974; Hair et al. 2022, construct cross-validated redundancy)
----------------------------------------------------------------------------------------------
For each endogenous construct j with indicator matrix ``Z_j`` (n × K, standardized) and omission
distance ``D``: in round ``d = 0..D−1`` the data points numbered ``k·n + r ≡ d (mod D)`` (down
each indicator column, then the next column) are replaced by the mean (0), so every round omits
every D-th respondent of each indicator; the model is re-estimated on the modified data, and every
omitted point is predicted by the redundancy ``ẑ_rk = m_k + s_k λ_k Σ_i b_ij Y_ri`` (``m, s``
the round's item mean and sd).  ``Q² = 1 − SSE/SSO`` with ``SSE = Σ (z − ẑ)²`` and ``SSO = Σ z²``
over all omitted points; Q² > 0 indicates predictive relevance.  ``D`` must not divide n (else
the same respondents would be omitted from every indicator).

Equivalent R: ``seminr::predict_pls(model, technique = predict_DA, noFolds = k, reps = r)`` with
``summary()``; ``cSEM::predict(res, .cv_folds = k, .r = r)``.  SmartPLS: "PLSpredict",
"Blindfolding".

References: Shmueli, G., Ray, S., Velasquez Estrada, J. M. & Chatla, S. B. (2016). *JBR* 69,
4552-4564.  Shmueli, G. et al. (2019). Predictive model assessment in PLS-SEM: guidelines for
using PLSpredict. *EJM* 53, 2322-2347.  Stone, M. (1974). *JRSS B* 36, 111-147.  Geisser, S.
(1974). *Biometrika* 61, 101-107.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from .pls import _compile, _estimate, _Structure
from .pls_batch import weighted_correlations

__all__ = ["PLSPrediction", "plspredict", "blindfolding", "fold_assignment"]


def fold_assignment(n: int, k: int, rng: np.random.Generator | None = None, order=None) -> np.ndarray:
    """Fold id (0..k-1) of every row: a random permutation cut into k contiguous, balanced folds.

    ``order`` (a permutation of ``range(n)``) replaces the random shuffle (e.g. to reproduce
    another program's folds).  Position ``i`` of the order goes to fold ``⌊i k / n⌋``, which is R's
    ``cut(seq_len(n), breaks = k)`` as seminr uses it.
    """
    if order is None:
        order = (rng if rng is not None else np.random.default_rng()).permutation(n)
    order = np.asarray(order, dtype=np.int64)
    if sorted(order.tolist()) != list(range(n)):
        raise InvalidParameterError(f"The 'order' parameter of fold_assignment must be a permutation of range({n}). Got {order[:10].tolist()}... instead.")
    folds = np.empty(n, dtype=np.int64)
    pos = np.arange(n)
    # R's cut(seq(1, n), breaks = k): equal-width intervals on 1..n, right-closed
    breaks = 1 + np.arange(k + 1) * (n - 1) / k
    breaks[0] -= (n - 1) / 1000
    breaks[-1] += (n - 1) / 1000
    folds[order] = np.searchsorted(breaks, pos + 1, side="left") - 1
    return folds


def _topological(m: _Structure) -> list[int]:
    order, done = [], set()
    while len(order) < len(m.latents):
        for j in range(len(m.latents)):
            if j not in done and all(int(i) in done for i in m.preds[j]):
                order.append(j)
                done.add(j)
    return order


def _predict_scores(Y: np.ndarray, B: np.ndarray, m: _Structure, technique: str) -> np.ndarray:
    exo = np.array([m.preds[j].size == 0 for j in range(len(m.latents))])
    if technique == "DA":
        out = Y @ B
        out[:, exo] = Y[:, exo]
        return out
    out = np.where(exo[None, :], Y, 0.0)
    for j in _topological(m):
        if not exo[j]:
            out[:, j] = out @ B[:, j]
    return out


def _wls(X: np.ndarray, Y: np.ndarray, w: np.ndarray) -> np.ndarray:
    A = np.column_stack([np.ones(len(X)), X])
    sw = np.sqrt(w)[:, None]
    coef, *_ = np.linalg.lstsq(A * sw, Y * sw, rcond=None)
    return coef


@dataclass(frozen=True, eq=False)
class PLSPrediction:
    """PLSpredict results: ``items`` (one row per endogenous indicator) and the raw predictions.

    A fold whose training sample cannot be estimated leaves its rows unpredicted (NaN metrics);
    ``meta["failed_folds"]`` lists (repetition, fold, reason).

    ``items`` columns: ``latent, item, rmse_pls, mae_pls, rmse_lm, mae_lm, q2_predict,
    rmse_pls_sd, rmse_lm_sd`` (sd over repetitions), ``pls_better_rmse``, ``pls_better_mae``.
    ``verdict`` follows Shmueli et al. (2019): "high" (PLS beats LM on every indicator's RMSE),
    "medium" (the majority), "low" (a minority), "none" (no indicator), given Q²_predict > 0.
    """

    items: pd.DataFrame
    predictions: dict
    meta: dict = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        t = self.items
        if (t["q2_predict"] <= 0).any():
            return "none (Q²_predict <= 0 for some indicator)"
        share = float(t["pls_better_rmse"].mean())
        return "high" if share == 1 else "medium" if share > 0.5 else "low" if share > 0 else "none"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"pls_predict": self.items}

    def save(self, out_dir) -> list:
        """Write ``pls_predict`` (CSV and Parquet), ``pls_predict_summary.txt`` and ``pls_predict_manifest.json``
        (:func:`acsi.tables.write_result`)."""
        from ..tables import write_result

        return write_result(out_dir, self.tables(), texts={"pls_predict_summary.txt": self.summary().as_text() + "\n"},
                            manifest="pls_predict_manifest.json", kind="pls_predict", header={"meta": dict(self.meta)})

    def summary(self):
        from ..summary import Summary

        m = self.meta
        text = (f"{m['k']}-fold cross-validation, {m['reps']} repetition(s), technique {m['technique']}, seed {m['seed']}; "
                f"predictive power (Shmueli et al. 2019): {self.verdict}; "
                f"folds that could not be estimated: {len(m.get('failed_folds', []))}")
        return Summary("acsi PLSpredict", [("PLSpredict", text), ("Out-of-sample metrics per indicator", self.items)])


def plspredict(res, *, k: int = 10, reps: int = 10, technique: str = "DA", seed: int | None = None,
               folds: np.ndarray | None = None) -> PLSPrediction:
    """PLSpredict for a PLS fit (``res`` from :func:`acsi.estimate.pls.fit_pls`); see the module docstring.

    ``folds`` (n,) gives the fold id (0..k-1) of every row for a single repetition instead of
    random folds (e.g. seminr's folds, :func:`fold_assignment` with its ``order``).
    """
    technique = str(technique).upper()
    if technique not in ("DA", "EA"):
        raise InvalidParameterError(
            f"The 'technique' parameter of plspredict must be 'DA' (direct antecedents) or 'EA' (earliest antecedents). Got {technique!r} instead."
        )
    a = res._a
    X, n = a.X, a.X.shape[0]
    if folds is None and (not isinstance(k, (int, np.integer)) or not 2 <= k <= n):
        raise InvalidParameterError(f"The 'k' parameter of plspredict must be an integer in [2, {n}] (the number of rows). Got {k!r} instead.")
    if not isinstance(reps, (int, np.integer)) or reps < 1:
        raise InvalidParameterError(f"The 'reps' parameter of plspredict must be an integer >= 1. Got {reps!r} instead.")
    v = a.v if a.v is not None else np.ones(n)
    m = _compile(res.blocks, list(res.model_paths), res.options.get("modes"), res.options.get("anchors"))
    cons = np.array([lv in res.consistent for lv in m.latents]) if res.consistent else None
    endo = [j for j in range(len(m.latents)) if m.preds[j].size]
    exo = [j for j in range(len(m.latents)) if not m.preds[j].size]
    ei = np.concatenate([m.idx[j] for j in endo])
    if folds is not None:
        folds = np.asarray(folds, dtype=np.int64)
        if folds.shape != (n,):
            raise InvalidParameterError(
                f"The 'folds' parameter of plspredict must give one fold id (0..k-1) per row, shape ({n},). Got shape {folds.shape} instead."
            )
        k, reps = int(folds.max()) + 1, 1
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    pls_pred = np.full((reps, n, ei.size), np.nan)
    lm_pred = np.full((reps, n, ei.size), np.nan)
    naive = np.full((reps, n, ei.size), np.nan)
    failed: list = []
    for rep in range(reps):
        f = folds if folds is not None else fold_assignment(n, k, rng)
        weights = np.stack([np.where(f == g, 0.0, v) for g in range(k)])
        mean, sd, R, ok = weighted_correlations(X, weights)
        est = _estimate(R, m, res.scheme, res.options.get("tol", 1e-7), res.options.get("max_iter", 300), consistent=cons)
        for g in range(k):
            test = np.flatnonzero(f == g)
            if not (ok[g] and est.ok[g] and est.converged[g]):  # its rows stay NaN: the metrics say so
                failed.append((rep, g, est.reasons[g] or "not converged" if ok[g] else "an item is constant"))
                continue
            Z = (X[test] - mean[g]) / sd[g]
            Yhat = _predict_scores(Z @ est.W[g], est.B[g], m, technique)
            Lown = est.L[g] * m.mask
            pls_pred[rep][np.ix_(test, np.arange(ei.size))] = (Yhat @ Lown.T)[:, ei] * sd[g][ei] + mean[g][ei]
            naive[rep][np.ix_(test, np.arange(ei.size))] = mean[g][ei]
            train = np.flatnonzero(f != g)
            col = 0
            for j in endo:
                ante = m.preds[j] if technique == "DA" else np.array(exo)
                xi = np.concatenate([m.idx[i] for i in ante])
                coef = _wls(X[np.ix_(train, xi)], X[np.ix_(train, m.idx[j])], v[train])
                lm_pred[rep][np.ix_(test, col + np.arange(m.idx[j].size))] = np.column_stack(
                    [np.ones(test.size), X[np.ix_(test, xi)]]) @ coef
                col += m.idx[j].size
    actual = X[:, ei]
    w = v[:, None]

    def rmse(e):
        return np.sqrt((w * e**2).sum(axis=1) / w.sum())

    def mae(e):
        return (w * np.abs(e)).sum(axis=1) / w.sum()

    e_pls, e_lm, e_naive = actual - pls_pred, actual - lm_pred, actual - naive
    per = {"rmse_pls": rmse(e_pls), "mae_pls": mae(e_pls), "rmse_lm": rmse(e_lm), "mae_lm": mae(e_lm),
           "q2_predict": 1 - (w * e_pls**2).sum(axis=1) / (w * e_naive**2).sum(axis=1)}
    rows = []
    for c, kk in enumerate(ei):
        lv = m.latents[int(np.flatnonzero(m.mask[kk])[0])]
        rec = {"latent": lv, "item": m.items[kk]}
        rec.update({key: float(val[:, c].mean()) for key, val in per.items()})
        rec["rmse_pls_sd"] = float(per["rmse_pls"][:, c].std(ddof=1)) if reps > 1 else np.nan
        rec["rmse_lm_sd"] = float(per["rmse_lm"][:, c].std(ddof=1)) if reps > 1 else np.nan
        rec["pls_better_rmse"] = rec["rmse_pls"] < rec["rmse_lm"]
        rec["pls_better_mae"] = rec["mae_pls"] < rec["mae_lm"]
        rows.append(rec)
    return PLSPrediction(items=pd.DataFrame(rows), predictions={"pls": pls_pred, "lm": lm_pred, "items": [m.items[i] for i in ei]},
                         meta={"k": k, "reps": reps, "technique": technique, "seed": seed, "n": n, "failed_folds": failed})


def blindfolding(res, *, omission_distance: int = 7) -> pd.DataFrame:
    """Stone-Geisser Q² (construct cross-validated redundancy) of every endogenous latent.

    Returns a DataFrame ``latent, sso, sse, q2, omission_distance`` (module docstring).  All
    ``D`` rounds of a latent are estimated in one batch of the PLS kernel.
    """
    D = omission_distance
    a = res._a
    n = a.X.shape[0]
    if isinstance(D, bool) or not isinstance(D, (int, np.integer)) or D < 2:
        raise InvalidParameterError(
            f"The 'omission_distance' parameter of blindfolding must be an integer >= 2 (5 to 12 is usual). Got {D!r} instead."
        )
    if n % D == 0:
        raise InvalidParameterError(
            f"The 'omission_distance' parameter of blindfolding must not divide the number of rows ({n}), else the same "
            f"respondents are omitted from every indicator; e.g. {next(d for d in range(D + 1, 2 * D + 2) if n % d)}. Got {D} instead."
        )
    m = _compile(res.blocks, list(res.model_paths), res.options.get("modes"), res.options.get("anchors"))
    cons = np.array([lv in res.consistent for lv in m.latents]) if res.consistent else None
    v = a.v if a.v is not None else np.ones(n)
    Z = (a.X - a.mean) / a.sd
    rows = []
    for j in [j for j in range(len(m.latents)) if m.preds[j].size]:
        ix = m.idx[j]
        K = ix.size
        number = (np.arange(K)[None, :] * n + np.arange(n)[:, None]) % D
        Xs = []
        for d in range(D):
            Zd = Z.copy()
            Zd[:, ix] = np.where(number == d, 0.0, Z[:, ix])
            Xs.append(Zd)
        mean_d, sd_d, R_d = [], [], []
        for Zd in Xs:
            mu, s, R, _ = weighted_correlations(Zd, v[None, :])
            mean_d.append(mu[0])
            sd_d.append(s[0])
            R_d.append(R[0])
        est = _estimate(np.stack(R_d), m, res.scheme, res.options.get("tol", 1e-7), res.options.get("max_iter", 300),
                        consistent=cons, strict=True)
        sse = sso = 0.0
        for d, Zd in enumerate(Xs):
            Y = ((Zd - mean_d[d]) / sd_d[d]) @ est.W[d]
            eta = Y @ est.B[d][:, j]
            pred = mean_d[d][ix] + sd_d[d][ix] * np.outer(eta, est.L[d][ix, j])
            om = number == d
            sse += float((v[:, None] * (Z[:, ix] - pred) ** 2)[om].sum())
            sso += float((v[:, None] * Z[:, ix] ** 2)[om].sum())
        rows.append({"latent": m.latents[j], "sso": sso, "sse": sse, "q2": 1.0 - sse / sso, "omission_distance": D})
    return pd.DataFrame(rows)
