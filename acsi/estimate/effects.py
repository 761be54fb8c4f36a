"""Direct, indirect and total effects of a fitted ML model, and the ACSI impacts.

With ``B`` the structural matrix of a group (``B[to, from]``, latents and the phantom latents
of observed structural variables), the effects of every variable on every other one are
(Bollen 1987; lavaan users write them with ``:=``)::

    direct = B,    total = (I − B)⁻¹ − I = B + B² + ...,    indirect = total − direct

Standardised: ``std_all`` multiplies an effect of ``f`` on ``t`` by ``sd(f)/sd(t)`` (model-implied
standard deviations, latent or observed), ``std_lv`` does so for latent ends only (an observed
variable keeps its units), as lavaan's ``standardizedSolution``.  Standard errors by the delta
method, ``se = sqrt(diag(J V Jᵀ))`` with ``J`` the Jacobian of the effects over θ (complex
step, :func:`acsi.estimate.expressions.jacobian`) and ``V`` the covariance of θ̂; the
standardised effects' Jacobians include the implied variances.

**ACSI impact** of a driver ``d`` on a target ``t``: the change in the target's 0-100 score
when the driver's 0-100 score rises by ``rise`` points (5 in the ACSI's publications)::

    impact = rise · total(d → t) · s_t / s_d,    s_j = 100 Σ_i w_i λ_ij / Σ_i w_i (max_i − min_i)

``s_j`` is the number of 0-100 points per unit of latent ``j`` (a score is
``100 Σ w_i (x_i − min_i) / Σ w_i (max_i − min_i)`` and ``x_i = ν_i + λ_ij η_j + ε_i``), with
``w`` the block's item weights and ``min``/``max`` the item scales.  The delta-method SE
includes the uncertainty of the total effect and of the loadings in ``s``; the weights are
treated as fixed (they are themselves estimates; the bootstrap gives intervals that include
their variation).  For an observed structural variable (a phantom latent) ``s = 100 / (max −
min)`` of that variable.

These are pure functions of a compiled model, its estimate θ̂ and ``V``; the pipeline wires
them into the results.  :func:`total_effects` (one matrix or a stack) is the one implementation
of ``(I − B)⁻¹ − I``, used by PLS and the report too (:func:`total_effects_from_estimates`
reads ``B`` from an estimate table's ``~`` rows).  Equivalent R: ``B <- lavInspect(fit, "est")$beta``;
``solve(diag(nrow(B)) - B) - diag(nrow(B))`` for the total effects, or ``:=`` rows
(``ind := a*b``) with ``parameterEstimates``.

Examples
--------
>>> from acsi.estimate.ml import fit_ml                                  # doctest: +SKIP
>>> res = fit_ml(spec.partable(), survey)                                # doctest: +SKIP
>>> effects(res.extra["model"], res.extra["theta"], res.vcov.to_numpy())  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ..errors import EstimationError, InvalidParameterError
from .expressions import jacobian
from .mlfast import LOADING, PATH, RamModel

__all__ = ["acsi_impacts", "effect_pairs", "effects", "impact_values", "scale_factors", "total_effects", "total_effects_from_estimates"]


def total_effects(B: np.ndarray) -> np.ndarray:
    """``T = (I − B)⁻¹ − I`` for a square matrix of direct effects (same orientation as ``B``),
    or for a stack of them (R × m × m; complex ``B`` stays complex, for the complex step).

    In the orientation of ``B``: if ``B[i, j]`` is the effect of ``i`` on ``j`` (PLS's
    ``path_matrix``) so is ``T[i, j]``; if ``B[to, from]`` (lavaan's ``lhs ~ rhs``), then
    ``T[to, from]`` (Alwin & Hauser 1975; Bollen 1987, eq. 11).

    >>> B = np.array([[0, 0.5, 0], [0, 0, 0.4], [0, 0, 0]])   # A -> B -> C, B[from, to]
    >>> float(total_effects(B)[0, 2])
    0.2
    """
    B = np.asarray(B)
    if not np.iscomplexobj(B):
        B = B.astype(float)
    eye = np.eye(B.shape[-1])
    return np.linalg.inv(eye - B) - eye


def total_effects_from_estimates(est: pd.DataFrame, *, value: str = "est") -> pd.DataFrame:
    """Total effects between latents from a lavaan-style estimates table (its ``~`` rows).

    Parameters
    ----------
    est : DataFrame
        One unit's estimates (``lhs, op, rhs`` and ``value``); ``lhs ~ rhs`` means ``rhs -> lhs``.
    value : str
        Column with the coefficients (``"est"`` unstandardised, ``"std_all"``).

    Returns
    -------
    DataFrame
        ``T.loc[to, from]``: the total effect of ``from`` on ``to``; latents in the order
        they are measured (``=~``), then in the order the paths name them.

    Examples
    --------
    >>> est = pd.DataFrame({"lhs": ["B", "C"], "op": ["~", "~"], "rhs": ["A", "B"], "est": [0.5, 0.4]})
    >>> float(total_effects_from_estimates(est).loc["C", "A"])
    0.2
    """
    lat = list(pd.unique(est.loc[est["op"] == "=~", "lhs"]))
    for col in ("rhs", "lhs"):
        for lv in est.loc[est["op"] == "~", col]:
            if lv not in lat:
                lat.append(lv)
    idx = {lv: i for i, lv in enumerate(lat)}
    B = np.zeros((len(lat), len(lat)))
    for r in est.loc[est["op"] == "~"].itertuples(index=False):
        v = getattr(r, value)
        B[idx[r.lhs], idx[r.rhs]] = float(v) if np.isfinite(v) else 0.0
    return pd.DataFrame(total_effects(B), index=lat, columns=lat)


def _group(model: RamModel, group: int):
    if not isinstance(group, (int, np.integer)) or not 1 <= group <= len(model.groups):
        raise InvalidParameterError(f"The 'group' parameter of effects must be an int in 1..{len(model.groups)}. "
                                    f"Got {group!r} instead.")
    return model.groups[group - 1]


def _pairs(model: RamModel, group: int) -> list[tuple[int, int]]:
    """(from, to) pairs joined by at least one directed path of the structural model."""
    gm = _group(model, group)
    adj = (gm.B0 != 0).astype(int)
    sel = gm.kind == PATH
    adj[gm.row[sel], gm.col[sel]] = 1
    reach = np.zeros_like(adj)
    power = np.eye(gm.m, dtype=int)
    for _ in range(gm.m):
        power = (adj @ power > 0).astype(int)
        reach |= power
    return [(f, t) for f in range(gm.m) for t in range(gm.m) if reach[t, f] and f != t]


def effect_pairs(model: RamModel, group: int = 1) -> list[tuple[int, int]]:
    """``(from, to)`` positions (in the group's ``lv``: latents, then phantom latents of observed
    structural variables) joined by at least one directed path: the pairs of :func:`effects`
    and :func:`acsi_impacts`."""
    return _pairs(model, group)


def _effect_values(model: RamModel, theta: np.ndarray, group: int, pairs, exo) -> np.ndarray:
    """For a batch of θ (R × npar): direct, indirect, total, then their std_lv and std_all, per pair."""
    gm = model.groups[group - 1]
    mats = model.matrices_of(theta, group - 1, None if exo is None else np.broadcast_to(exo, (theta.shape[0], exo.shape[-1])))
    B, P = mats[1], mats[2]
    T = total_effects(B)
    C = T + np.eye(gm.m)
    A = C @ P @ np.swapaxes(C, 1, 2)
    with np.errstate(invalid="ignore"):  # a negative implied variance (an inadmissible solution: flagged by the
        sd = np.sqrt(np.diagonal(A, axis1=1, axis2=2))  # status rules) has no standardised effect: NaN
    sd_lv = np.where(gm.phantom, 1.0, sd)
    f = np.array([p[0] for p in pairs], dtype=int)
    t = np.array([p[1] for p in pairs], dtype=int)
    direct = B[:, t, f]
    total = T[:, t, f]
    raw = np.stack([direct, total - direct, total], axis=1)  # R × 3 × pairs
    lv = raw * (sd_lv[:, f] / sd_lv[:, t])[:, None, :]
    al = raw * (sd[:, f] / sd[:, t])[:, None, :]
    return np.concatenate([raw, lv, al], axis=1).reshape(theta.shape[0], -1)


def effects(model: RamModel, theta: np.ndarray, vcov: np.ndarray | None, *, group: int = 1, exo=None,
            level: float = 0.95) -> pd.DataFrame:
    """Direct, indirect and total effects of every structural variable on every other one it
    reaches (module docstring), with delta-method standard errors.

    Parameters
    ----------
    model : RamModel
    theta : ndarray (npar,)
        The estimate θ̂ (``SEMResult.extra["theta"]``).
    vcov : ndarray (npar, npar) or None
        Covariance of θ̂ (``SEMResult.vcov``); None gives no standard errors.
    group : int
        1-based group.
    exo : ndarray, optional
        The group's covariate moments fixed at their sample values (``GroupModel.exo_values``),
        needed for the standardised effects when the model has such covariates.
    level : float
        Level of the Wald intervals.

    Returns
    -------
    DataFrame
        One row per (``from``, ``to``, ``effect`` in direct/indirect/total): ``est, se, z,
        pvalue, ci_lower, ci_upper, std_lv, std_all, se_std_all``.
    """
    gm = _group(model, group)
    if gm.has_exo and exo is None:
        raise InvalidParameterError("The 'exo' parameter of effects must be the covariates' sample moments for this "
                                    "model (it fixes covariates at their sample values). Got None instead.")
    pairs = _pairs(model, group)
    theta = np.asarray(theta, dtype=float)
    if not pairs:
        return pd.DataFrame(columns=["from", "to", "effect", "est", "se", "z", "pvalue", "ci_lower", "ci_upper",
                                     "std_lv", "std_all", "se_std_all"])
    exo = None if exo is None else np.asarray(exo, dtype=float).reshape(1, -1)
    fn = lambda th: _effect_values(model, th, group, pairs, exo)  # noqa: E731
    vals = fn(theta[None])[0].reshape(3, 3, len(pairs))  # (raw, std_lv, std_all) × (direct, indirect, total)
    se = np.full((3, 3, len(pairs)), np.nan)
    if vcov is not None:
        J = jacobian(fn, theta)
        d = np.einsum("ij,jk,ik->i", J, vcov, J)
        se = np.sqrt(np.where(d >= 0, d, np.nan)).reshape(3, 3, len(pairs))
    zq = float(special.ndtri(1 - (1 - level) / 2))
    rows = []
    for k, (f, t) in enumerate(pairs):
        for e, name in enumerate(("direct", "indirect", "total")):
            est, s = vals[0, e, k], se[0, e, k]
            z = est / s if s > np.sqrt(np.finfo(float).eps) else np.nan
            rows.append({"from": gm.lv[f], "to": gm.lv[t], "effect": name, "est": est, "se": s, "z": z,
                         "pvalue": 2 * special.ndtr(-abs(z)), "ci_lower": est - zq * s, "ci_upper": est + zq * s,
                         "std_lv": vals[1, e, k], "std_all": vals[2, e, k], "se_std_all": se[2, e, k]})
    out = pd.DataFrame(rows)
    if len(model.groups) > 1:
        out.insert(0, "group", group)
    return out


def _scale_values(model: RamModel, theta: np.ndarray, group: int, w: np.ndarray, span: np.ndarray) -> np.ndarray:
    """0-100 points per latent unit, for a batch of θ (R × m); ``w`` one weight per observed
    variable (p) or one row per θ (R × p: each bootstrap replicate's own weights)."""
    gm = model.groups[group - 1]
    L = model.matrices_of(theta, group - 1)[0]  # R × p × m
    ind = gm.L0 != 0
    ind[gm.row[gm.kind == LOADING], gm.col[gm.kind == LOADING]] = True
    w = np.asarray(w, dtype=float)
    W = np.where(ind, w[..., :, None], 0.0)  # items weighted within their own block: (p|R×p) × m
    W = np.broadcast_to(W, L.shape)
    num = 100.0 * np.einsum("rpm,rpm->rm", W, L)
    den = np.einsum("rpm,p->rm", W, span)
    return num / np.where(den > 0, den, np.nan)


def impact_values(model: RamModel, theta: np.ndarray, w: np.ndarray, span: np.ndarray, pairs, *,
                  rise: float = 5.0, group: int = 1) -> np.ndarray:
    """ACSI impacts ``rise · total(d → t) · s_t / s_d`` (module docstring) of the ``pairs``
    ``(driver, target)`` (latent positions of the group) for a batch of θ (R × npar): R × pairs.
    ``w`` is one weight per observed variable or one row per θ (the bootstrap's replicates);
    the one implementation behind :func:`acsi_impacts` and the bootstrap's impacts."""
    f = np.array([p[0] for p in pairs], dtype=int)
    t = np.array([p[1] for p in pairs], dtype=int)
    total = total_effects(model.matrices_of(theta, group - 1)[1])[:, t, f]
    s = _scale_values(model, theta, group, w, span)
    return rise * total * s[:, t] / s[:, f]


def _item_vector(gm, values, name: str, default=None) -> np.ndarray:
    if isinstance(values, dict) or hasattr(values, "get"):
        missing = [x for x in gm.ov if x not in values and default is None]
        if missing:
            raise InvalidParameterError(f"The '{name}' parameter of acsi_impacts must give a value for every observed "
                                        f"variable of the model. Got none for {missing} instead.")
        return np.array([float(values.get(x, default)) for x in gm.ov])
    arr = np.asarray(values, dtype=float).reshape(-1)
    if arr.size != gm.p:
        raise InvalidParameterError(f"The '{name}' parameter of acsi_impacts must have one value per observed variable "
                                    f"({gm.p}: {', '.join(gm.ov)}). Got {arr.size} values instead.")
    return arr


def scale_factors(model: RamModel, theta: np.ndarray, weights, lo, hi, *, group: int = 1) -> pd.Series:
    """0-100 points per unit of each latent, ``s_j = 100 Σ w_i λ_ij / Σ w_i (max_i − min_i)``
    (module docstring), for the item weights ``weights`` and scales ``lo``/``hi`` (mappings
    item -> value, or arrays in the model's ``ov`` order)."""
    gm = _group(model, group)
    w, lo_, hi_ = (_item_vector(gm, v, n) for v, n in ((weights, "weights"), (lo, "lo"), (hi, "hi")))
    if (hi_ <= lo_).any():
        bad = [x for x, a, b in zip(gm.ov, lo_, hi_) if b <= a]
        raise InvalidParameterError(f"The 'hi' parameter of acsi_impacts must exceed 'lo' for every item. Got hi <= lo "
                                    f"for {bad} instead.")
    return pd.Series(_scale_values(model, np.asarray(theta, float)[None], group, w, hi_ - lo_)[0], index=gm.lv)


def acsi_impacts(model: RamModel, theta: np.ndarray, vcov: np.ndarray | None, *, weights, lo, hi,
                 rise: float = 5.0, group: int = 1, level: float = 0.95) -> pd.DataFrame:
    """ACSI impacts of every driver on every variable it reaches (module docstring).

    Parameters
    ----------
    model, theta, vcov
        The compiled model, θ̂ and its covariance (None: no standard errors).
    weights : mapping or array
        Item weights (each latent's block; ``acsi.score.item_weights``), treated as fixed.
    lo, hi : mapping or array
        Item scale minimum and maximum.
    rise : float
        Points of the driver's 0-100 score (5 in the ACSI's tables).

    Returns
    -------
    DataFrame
        One row per (``driver``, ``target``): ``total`` (latent units), ``scale_driver``,
        ``scale_target``, ``impact``, ``se``, ``z``, ``pvalue``, ``ci_lower``, ``ci_upper``.

    Raises
    ------
    InvalidParameterError
        Bad ``rise``, weights or scales.
    EstimationError
        A latent whose scale factor is zero or undefined (no weighted indicator).
    """
    if not (isinstance(rise, (int, float)) and np.isfinite(rise) and rise != 0):
        raise InvalidParameterError(f"The 'rise' parameter of acsi_impacts must be a non-zero number. Got {rise!r} instead.")
    gm = _group(model, group)
    w, lo_, hi_ = (_item_vector(gm, v, n) for v, n in ((weights, "weights"), (lo, "lo"), (hi, "hi")))
    span = hi_ - lo_
    pairs = _pairs(model, group)
    theta = np.asarray(theta, dtype=float)
    s0 = _scale_values(model, theta[None], group, w, span)[0]
    used = sorted({j for p in pairs for j in p})
    bad = [gm.lv[j] for j in used if not (np.isfinite(s0[j]) and s0[j] != 0)]
    if bad:
        raise EstimationError(f"no 0-100 scale for {bad}: their items have no positive weight (or a zero loading); "
                              "impacts need the weights of every latent on a path")
    f = np.array([p[0] for p in pairs], dtype=int)
    t = np.array([p[1] for p in pairs], dtype=int)

    def fn(th):
        total = total_effects(model.matrices_of(th, group - 1)[1])[:, t, f]
        return np.concatenate([impact_values(model, th, w, span, pairs, rise=rise, group=group), total], axis=1)

    v = fn(theta[None])[0]
    k = len(pairs)
    imp, total = v[:k], v[k:]
    se = np.full(k, np.nan)
    if vcov is not None:
        J = jacobian(fn, theta)[:k]
        d = np.einsum("ij,jk,ik->i", J, vcov, J)
        se = np.sqrt(np.where(d >= 0, d, np.nan))
    zq = float(special.ndtri(1 - (1 - level) / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, imp / se, np.nan)
    out = pd.DataFrame({
        "driver": [gm.lv[i] for i in f], "target": [gm.lv[i] for i in t], "total": total,
        "scale_driver": s0[f], "scale_target": s0[t], "impact": imp, "se": se, "z": z,
        "pvalue": 2 * special.ndtr(-np.abs(z)), "ci_lower": imp - zq * se, "ci_upper": imp + zq * se,
    })
    if len(model.groups) > 1:
        out.insert(0, "group", group)
    return out
