"""Importance-performance map analysis (IPMA) of a PLS fit, at construct and at indicator level.

Following Ringle & Sarstedt (2016) (SmartPLS's IPMA), on the 0-100 scale of acsi's indexes:

* performance of a construct = its 0-100 index (the survey-weighted mean of the respondents'
  rescaled scores ``LV⁰¹⁰⁰ = Σ_i w̃ᴿ_i x⁰¹⁰⁰_i``); of an indicator = the mean of
  ``x⁰¹⁰⁰ = 100 (x − min)/(max − min)`` on its scale bounds;
* rescaled weights ``w̃ᴿ_i = w̃_i (max_i − min_i) / Σ_k w̃_k (max_k − min_k)``, ``w̃`` the
  normalised unstandardized weights of the index (they sum to 1 per construct);
* importance of a construct j for the target t = the unstandardized total effect of the
  rescaled scores, ``T⁰¹⁰⁰_jt = T_jt · sd(LV⁰¹⁰⁰_t) / sd(LV⁰¹⁰⁰_j)`` (``T = (I − B)⁻¹ − I`` the
  standardized total effects; the rescaled scores are linear in the standardized ones, so this
  equals the total effect of an OLS path model on the rescaled scores); a one-point gain in the
  construct's performance raises the target's by ``T⁰¹⁰⁰_jt`` points;
* importance of an indicator i of construct j = ``w̃ᴿ_i · T⁰¹⁰⁰_jt`` (a one-point gain in the
  indicator's performance moves the target by that many points).

Constructs with a negative normalised weight have no 0-100 score: they and their indicators get
NaN importance and performance, with the reason in ``note``.  The quadrants (advantage,
repair, ...) are :func:`acsi.methods.ipa.importance_performance_map` on these two columns.

Equivalent R: ``cSEM::doIPMA(res)``; SmartPLS "IPMA".

Reference: Ringle, C. M. & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: the
importance-performance map analysis. *Industrial Management & Data Systems* 116(9), 1865-1886.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError, SpecError

__all__ = ["PLSIPMA", "ipma"]


@dataclass(frozen=True, eq=False)
class PLSIPMA:
    """IPMA tables: ``constructs`` (latent, importance, performance, total_effect_std, note) and
    ``indicators`` (latent, item, importance, performance, rescaled_weight, note), for ``target``."""

    target: str
    constructs: pd.DataFrame
    indicators: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"pls_ipma_constructs": self.constructs, "pls_ipma_indicators": self.indicators}


def ipma(res, target: str) -> PLSIPMA:
    """IPMA of every driver of ``target`` (``res`` from :func:`acsi.estimate.pls.fit_pls` with scale bounds)."""
    lat = list(res.blocks)
    if target not in lat:
        raise InvalidParameterError(f"The 'target' parameter of ipma must be a latent of the model, one of {lat}. Got {target!r} instead.")
    a = res._a
    j_t = lat.index(target)
    B = a.B
    J = len(lat)
    T = np.linalg.inv(np.eye(J) - B) - np.eye(J)
    drivers = sorted(set(j for j in range(J) if j != j_t and (T[j, j_t] != 0)))
    if not drivers:
        raise SpecError(f"no latent has an effect on {target!r}; IPMA needs drivers of the target")
    bad = {p.split(":", 1)[0]: p for p in res.index_problems}
    v = a.v if a.v is not None else np.ones(a.X.shape[0])
    S = a.idx_scores
    mu = (v @ S) / v.sum()
    sd = np.sqrt((v @ (S - mu) ** 2) / v.sum())
    span = a.hi - a.lo
    crow, irow = [], []
    for j in drivers:
        lv = lat[j]
        note = bad.get(lv, "") or bad.get(target, "")
        ok = not note
        imp = float(T[j, j_t] * sd[j_t] / sd[j]) if ok else np.nan
        crow.append({"latent": lv, "importance": imp, "performance": float(a.index_vals[j]) if lv not in bad else np.nan,
                     "total_effect_std": float(T[j, j_t]), "note": note})
        ix = np.flatnonzero(a.mask[:, j])
        wr = a.unstd[ix] * span[ix] / float(a.unstd[ix] @ span[ix])
        for k, w in zip(ix, wr):
            irow.append({"latent": lv, "item": a.items[k], "importance": float(w * imp) if ok else np.nan,
                         "performance": float(100 * ((v @ a.X[:, k]) / v.sum() - a.lo[k]) / span[k]),
                         "rescaled_weight": float(w) if lv not in bad else np.nan, "note": note})
    return PLSIPMA(target=target, constructs=pd.DataFrame(crow), indicators=pd.DataFrame(irow))
