"""Adapting the PLS estimator (:mod:`acsi.estimate.pls`) to the per-unit result shape.

PLS results go into the same tables as the SEM backend:

* ``estimates``: outer loadings (``=~``), path coefficients (``~``) and R²
  (``r2``, as lavaan's ``rsquare=TRUE`` rows); PLS has no analytic standard
  errors, so ``se``/``z``/``pvalue`` are NaN (bootstrap them);
* ``weights``: the unstandardised outer weights normalised to sum to one per
  latent (Fornell et al. 1996), the weights of the 0-100 index;
* ``scores``: respondent 0-100 scores built with those weights;
* ``fit_measures``: R² per endogenous latent, iterations, convergence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..score import latent_scores
from ..spec import ModelSpec

__all__ = ["fit_pls_unit", "PLS_OPTIONS"]

PLS_OPTIONS = ("scheme", "tol", "max_iter", "modes", "anchors", "consistent")


def fit_pls_unit(out, data: pd.DataFrame, spec: ModelSpec, options: dict) -> None:
    from .pls import fit_pls
    from .units import _set_status

    kw = {k: v for k, v in options.items() if k in PLS_OPTIONS}
    v = data["weight"].to_numpy(dtype=float) if "weight" in data else None
    if v is not None and np.allclose(v, 1.0):
        v = None
    res = fit_pls(
        data[list(spec.item_ids)], spec.blocks, list(spec.paths), weights=v,
        scale_bounds=dict(spec.scale_bounds), **kw,
    )
    out.converged = bool(res.converged)
    out.admissible = not res.problems  # an inadmissible PLSc solution (consistent=)
    rows = []
    loadings = res.outer_loadings
    for lv in spec.latents:
        for it in lv.item_ids:
            val = _lookup(loadings, it, lv.id)
            rows.append((lv.id, "=~", it, val))
    pt = res.path_table
    for _, r in pt.iterrows():
        rows.append((r["to"], "~", r["from"], float(r["est"])))
    for lv, r2 in res.r2.items():
        if lv in spec.endogenous:
            rows.append((lv, "r2", lv, float(r2)))
    est = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est"])
    for c in ("se", "z", "pvalue", "ci_lower", "ci_upper"):
        est[c] = np.nan
    est["std_all"] = est["est"]
    est["free"] = True
    out.estimates = est[["lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all", "free"]]
    fm = {f"r2_{lv}": float(res.r2[lv]) for lv in spec.endogenous if lv in res.r2.index}
    fm.update(n_iter=float(res.n_iter), converged=float(bool(res.converged)), ntotal=float(len(data)))
    out.fit_measures = pd.Series(fm, dtype=float)
    uw = res.unstd_weights
    problems = {p.split(":", 1)[0]: p for p in res.index_problems}
    wrows = []
    for lv in spec.latents:
        for it in lv.item_ids:
            bad = lv.id in problems
            wrows.append({"latent": lv.id, "item": it, "loading": _lookup(loadings, it, lv.id),
                          "residual_variance": np.nan, "weight": np.nan if bad else _lookup(uw, it, lv.id),
                          "problem": problems.get(lv.id, "")})
    out.weights = pd.DataFrame(wrows)
    # the same rescaling as the SEM backend; the (weighted) mean equals PLSResult.index
    out.scores = latent_scores(data, spec, out.weights)
    out.extra["quality"] = getattr(res, "quality", None)
    if not res.converged:
        out.status = "failed"
        out.reason = f"PLS did not converge in {res.n_iter} iterations; raise max_iter or loosen tol"
        out.scores = None
        return
    _set_status(out, spec, list(res.problems))


def _lookup(obj, item: str, latent: str) -> float:
    """Read an item's value from a Series (item index), a DataFrame (items × latents) or a long table."""
    if isinstance(obj, pd.Series):
        if isinstance(obj.index, pd.MultiIndex):
            for key in ((latent, item), (item, latent)):
                if key in obj.index:
                    return float(obj[key])
        return float(obj[item])
    if isinstance(obj, pd.DataFrame):
        if item in obj.index and latent in obj.columns:
            return float(obj.loc[item, latent])
        if {"item", "latent"} <= set(obj.columns):
            val_col = [c for c in obj.columns if c not in ("item", "latent")][0]
            sel = obj[(obj["item"] == item) & (obj["latent"] == latent)]
            return float(sel[val_col].iloc[0])
    raise TypeError(f"cannot read item {item!r} of latent {latent!r} from {type(obj).__name__}")
