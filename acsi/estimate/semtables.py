"""The tables a CB-SEM unit's record carries besides its estimate table: effects, ACSI impacts,
R², construct reliability and HTMT.

One function, :func:`unit_tables`, computes them from one fitted unit (the compiled model, its
:class:`~acsi.estimate.SEMResult` and item weights), so the per-unit pipeline,
the pooled fit and the bootstrap's point estimates read the same numbers:

* ``effects``: direct, indirect and total effect of every structural variable on every one it
  reaches, unstandardised, ``std_lv`` and ``std_all``, with delta-method SEs
  (:func:`acsi.estimate.effects.effects`; R: ``:=`` rows of ``parameterEstimates``);
* ``impacts``: the ACSI impact of each driver on each target, the change in the target's 0-100
  score from a ``rise``-point (5) rise in the driver's score, from the total effects and the
  unit's own item weights (:func:`acsi.estimate.effects.acsi_impacts`), delta-method SE with
  the weights held fixed.  An observed structural variable (a 0/1 complaint) enters on its own
  scale (weight 1, ``100 / (max − min)`` points per unit); impacts from or on a variable without
  a scale (age in years) are left out, since it has no 0-100 score;
* ``rsquare``: R² of every endogenous variable (latent or observed: the ``r2`` rows of the
  estimate table; R: ``inspect(fit, "r2")``);
* ``reliability``: per latent Cronbach's α (:func:`~acsi.estimate.quality.cronbach_alpha`),
  ρc and AVE from the CB-SEM standardised loadings (``std_all``;
  :func:`~acsi.estimate.quality.rho_c_and_ave`, as ``composite_reliability`` and ``ave``:
  semTools' ``compRelSEM``/``AVE`` for congeneric blocks), ρA (Dijkstra & Henseler 2015,
  :func:`~acsi.estimate.quality.rho_a`) with weights proportional to the standardised loadings
  (the limit of PLS Mode A weights, on which ρA's consistency rests; the unit's λ/θ scoring
  weights are not proportional to λ); α, ρA and HTMT come from the fit's own sample covariance
  of the items (survey-weighted when the fit is; under FIML the EM estimate, which uses every
  answer), so they describe the data the model was fitted to;
* ``htmt``: heterotrait-monotrait ratios, long format (``latent_a``, ``latent_b``, ``htmt``;
  :func:`~acsi.estimate.quality.htmt`, R: ``semTools::htmt``).

A table that cannot be computed (an impact needs every latent on a path to have positive item
weights) is left out and the reason is returned in ``messages``; nothing is filled in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AcsiError
from ..spec import ModelSpec
from .effects import acsi_impacts, effects
from .quality import _alpha_from_cov, _cor, _htmt_from_cor, _rho_a_from_cor, rho_c_and_ave

__all__ = ["UNIT_TABLES", "unit_tables", "exo_of"]

#: The tables :func:`unit_tables` returns (keys of ``UnitOutcome.extra``).
UNIT_TABLES = ("effects", "impacts", "rsquare", "reliability", "htmt")


def exo_of(model, res) -> np.ndarray | None:
    """The first group's covariate moments fixed at their sample values (``fixed_x``), as the
    estimate table used them."""
    gm = model.groups[0]
    if not gm.has_exo:
        return None
    S = res.sample_cov.loc[list(gm.ov), list(gm.ov)].to_numpy(dtype=float)
    g = res.groups[0] if res.groups else {}
    mean = g.get("sample_mean")
    mean = None if mean is None else mean.loc[list(gm.ov)].to_numpy(dtype=float)[None]
    return gm.exo_values(S[None], mean)[0]


def impact_inputs(spec: ModelSpec, ov, weights: pd.DataFrame) -> tuple[dict, dict, dict, list[str]]:
    """Item weights and scales for :func:`~acsi.estimate.effects.acsi_impacts` over the model's
    observed variables ``ov``: items their unit weights, an observed structural variable weight 1
    on its scale; an unscaled variable gets a stand-in scale and is returned in the last list so
    its rows can be dropped."""
    w = {str(r.item): float(r.weight) for r in weights.itertuples(index=False)}
    bounds = spec.scale_bounds
    wt, lo, hi, unscaled = {}, {}, {}, []
    for x in ov:
        if x in bounds:
            lo[x], hi[x] = bounds[x]
        else:
            lo[x], hi[x] = 0.0, 1.0
            unscaled.append(x)
        wt[x] = w.get(x, 1.0)
    return wt, lo, hi, unscaled


def unit_tables(spec: ModelSpec, model, res, weights: pd.DataFrame, *, rise: float = 5.0,
                level: float = 0.95) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """``({name: table}, messages)`` for one fitted CB-SEM unit (module docstring).

    ``res`` is the unit's :class:`~acsi.estimate.SEMResult` from ``model``; ``weights`` its item
    weights (:func:`acsi.score.item_weights`).  α, ρA and HTMT use the fit's sample covariance.
    """
    out: dict[str, pd.DataFrame] = {}
    messages: list[str] = []
    theta = np.asarray(res.extra["theta"], dtype=float)
    V = None if res.vcov is None else res.vcov.to_numpy(dtype=float)
    exo = exo_of(model, res)
    out["effects"] = effects(model, theta, V, exo=exo, level=level)
    wt, lo, hi, unscaled = impact_inputs(spec, model.groups[0].ov, weights)
    try:
        imp = acsi_impacts(model, theta, V, weights=wt, lo=lo, hi=hi, rise=rise, level=level)
        out["impacts"] = imp[~imp["driver"].isin(unscaled) & ~imp["target"].isin(unscaled)].reset_index(drop=True)
    except AcsiError as exc:
        messages.append(f"ACSI impacts not computed: {exc}")
    est = res.estimates
    op, lhs, rhs = (est[c].to_numpy(dtype=object) for c in ("op", "lhs", "rhs"))
    is_r2 = op == "r2"
    out["rsquare"] = pd.DataFrame({"variable": lhs[is_r2], "r2": est["est"].to_numpy(dtype=float)[is_r2]})
    is_load = op == "=~"
    std = dict(zip(rhs[is_load], est["std_all"].to_numpy(dtype=float)[is_load]))
    items = list(spec.item_ids)
    S = res.sample_cov.loc[items, items].to_numpy(dtype=float)
    out["reliability"], out["htmt"] = _reliability(spec, std, S)
    return out, messages


def _reliability(spec: ModelSpec, std: dict, S: np.ndarray):
    """α, ρc, ρA, AVE per latent and HTMT per pair from the standardised loadings ``std`` (item ->
    std_all) and the items' sample covariance matrix ``S`` (the matrix forms of
    :mod:`acsi.estimate.quality`, which its DataFrame functions use too)."""
    blocks = {lv: list(items) for lv, items in spec.blocks.items()}
    lam = {lv: np.array([std[i] for i in its]) for lv, its in blocks.items()}
    rc = np.array([rho_c_and_ave(lam[lv]) for lv in blocks], dtype=float).reshape(-1, 2)
    items = list(spec.item_ids)
    lvs = list(blocks)
    pos = {it: i for i, it in enumerate(items)}
    idx = [np.array([pos[i] for i in blocks[lv]]) for lv in lvs]
    alpha = np.full(len(lvs), np.nan)
    rhoa = np.full(len(lvs), np.nan)
    pairs = [(i, k) for i in range(len(lvs)) for k in range(i + 1, len(lvs))]
    H = np.full((len(lvs), len(lvs)), np.nan)
    if np.isfinite(S).all():
        R = _cor(S)
        for j, ix in enumerate(idx):
            alpha[j] = _alpha_from_cov(S[np.ix_(ix, ix)])
            # Mode A's limit: weights proportional to the standardised loadings (the unit's own
            # λ/θ scoring weights are not, and ρA's consistency rests on that proportionality)
            rhoa[j] = _rho_a_from_cor(R[np.ix_(ix, ix)], lam[lvs[j]])
        H = _htmt_from_cor(R, idx)
    ht = pd.DataFrame({"latent_a": [lvs[i] for i, _ in pairs], "latent_b": [lvs[k] for _, k in pairs],
                       "htmt": np.array([H[i, k] for i, k in pairs], dtype=float)})
    rel = pd.DataFrame({"latent": lvs, "alpha": alpha, "rho_c": rc[:, 0], "rho_a": rhoa, "ave": rc[:, 1],
                        "n_items": [len(blocks[lv]) for lv in lvs]})
    return rel, ht
