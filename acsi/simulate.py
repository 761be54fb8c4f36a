"""Synthetic customer-satisfaction surveys drawn from a structural model with known parameters.

The generator behind the bundled demo survey (``acsi/demo_data/``) and a tool for tests and
simulation studies: answers are drawn from a recursive structural-equation model whose
standardized parameters you know, so estimates can be compared with the truth.

Generation, for one unit (company) ``u`` in one period ``t``
------------------------------------------------------------
1. **Latent variables** on the standardized scale, in the causal order of the recursive model
   ``eta = B eta + zeta``. Exogenous latents are ``N(0, 1)`` (correlated ``rho``, default 0.35,
   when there are several); each endogenous latent is ``eta_j = sum_i beta_ji eta_i + zeta_j``
   with ``var(zeta_j) = 1 - R2_j``, ``R2_j = b' Phi b``, so every latent has variance 1 within a
   cell. ``Phi`` is the latent correlation matrix implied by the model.
2. **Cell mean shift.** Every latent gets the mean ``q_ut * v_j + u_utj``, where
   ``q_ut = shift_u + shift_t + e_ut`` (unit shift, period shift, cell noise ``e_ut ~ N(0,
   cell_shift_sd^2)``), ``u_utj ~ N(0, latent_shift_sd^2)`` a small latent-specific shift, and the
   direction ``v_j = +1`` for exogenous latents and ``v_j = sign(sum_i beta_ji v_i)`` for the
   others: a latent that satisfaction pushes down (complaint frequency) moves the other way.
   Better companies therefore score higher on every latent except complaints.
3. **Items** ``z_k = lambda_k eta_j + sqrt(1 - lambda_k^2) e_k``, ``e_k ~ N(0, 1)``
   (standardized loadings; items have variance 1 within a cell).
4. **Answers** on the item's scale ``[lo, hi]``: ``x_k = clip(floor(m_k + s_k z_k + 0.5), lo,
   hi)`` with location ``m_k = lo + location * (hi - lo)`` (default 0.78, so about 8 on 1-10; for
   latents with ``v_j = -1`` the default is 0.35, so complaint answers sit low) and spread
   ``s_k = spread * (hi - lo)`` (default 0.21; 0.22 for ``v_j = -1``). The ceiling at ``hi`` makes the
   distributions left-skewed, as real ACSI answers are (means 7-8.5 on 1-10).
5. **Missing codes.** A fraction ``missing_code_rate`` of the answers, chosen at random, is
   replaced by ACSI's codes 98 ("don't know", 60 % of them) and 99 ("refused").
6. **Survey weights** ``w = exp(N(0, 0.25^2))`` normalized to mean 1 within the cell.

The standardized parameters refer to the model within a cell (conditional on unit and period);
pooled over cells, the latents also vary between units.

References
----------
Fornell, C., Johnson, M. D., Anderson, E. W., Cha, J., & Bryant, B. E. (1996). The American
Customer Satisfaction Index: nature, purpose, and findings. Journal of Marketing, 60(4), 7-18.

Examples
--------
>>> df = simulate_survey("acsi", units=3, n_per_unit=100, periods=["2025Q1"], seed=1)
>>> df.shape
(300, 21)
>>> true_parameters("acsi").query("op == '~'").shape[0]
9

Regenerate the bundled demo files with ``acsi simulate`` (``python -m acsi simulate``).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError, SpecError

__all__ = [
    "DEMO_SEED",
    "DEMO_PERIODS",
    "simulate_survey",
    "true_parameters",
    "implied_correlation",
    "demo_units",
    "demo_frame",
    "demo_sales",
    "write_demo_data",
]

DEMO_SEED = 20250101
DEMO_PERIODS = ("2025Q1", "2025Q2", "2025Q3", "2025Q4")
MISSING_CODES = (98, 99)
UNIT_COLUMNS = ("respondent_id", "period", "sector", "industry", "company", "weight")

# --------------------------------------------------------------------------------------------
# Default true parameters of the shipped models (standardized: within-cell latent variance 1).
# Paths into complaint *frequency* latents (ACSI/CCSI "CC", SCSB "VO") are negative; ECSI's CC
# measures complaint *handling* and is positive. Every path's sign equals the sign of the
# model-implied correlation between its two latents (checked in the tests).
# --------------------------------------------------------------------------------------------
_ACSI_PATHS = {
    ("CE", "PQ"): 0.55, ("CE", "PV"): 0.15, ("CE", "CS"): 0.10, ("PQ", "PV"): 0.55,
    ("PQ", "CS"): 0.45, ("PV", "CS"): 0.35, ("CS", "CC"): -0.60, ("CS", "CL"): 0.65,
    ("CC", "CL"): -0.15,
}
_DEFAULTS: dict[str, dict] = {
    "acsi": {
        # value is rated lowest and expectations highest, as in published ACSI data
        "location": {"CE": 0.80, "PQ": 0.79, "PV": 0.73, "CS": 0.78, "CL": 0.76},
        "paths": _ACSI_PATHS,
        "loadings": {"ce1": 0.80, "ce2": 0.75, "ce3": 0.72, "pq1": 0.88, "pq2": 0.84, "pq3": 0.80,
                     "pv1": 0.90, "pv2": 0.86, "cs1": 0.92, "cs2": 0.87, "cs3": 0.85,
                     "cc1": 0.82, "cc2": 0.80, "cl1": 0.88, "cl2": 0.78},
    },
    "ccsi": {
        "location": {"EQ": 0.80, "PQ": 0.79, "PV": 0.73, "CS": 0.78, "CL": 0.76},
        "paths": {(a.replace("CE", "EQ"), b.replace("CE", "EQ")): v for (a, b), v in _ACSI_PATHS.items()},
        "loadings": {"eq1": 0.80, "eq2": 0.75, "eq3": 0.72, "pq1": 0.88, "pq2": 0.84, "pq3": 0.80,
                     "pv1": 0.90, "pv2": 0.86, "cs1": 0.92, "cs2": 0.87, "cs3": 0.85,
                     "cc1": 0.85, "cl1": 0.88, "cl2": 0.78},
    },
    "ecsi": {
        "paths": {("IM", "CE"): 0.50, ("IM", "CS"): 0.20, ("IM", "CL"): 0.20, ("CE", "PQ"): 0.55,
                  ("CE", "PV"): 0.15, ("CE", "CS"): 0.05, ("PQ", "PV"): 0.55, ("PQ", "CS"): 0.35,
                  ("PV", "CS"): 0.30, ("CS", "CC"): 0.50, ("CS", "CL"): 0.50, ("CC", "CL"): 0.10},
        "loadings": {"im1": 0.85, "im2": 0.78, "im3": 0.80, "ce1": 0.80, "ce2": 0.76, "ce3": 0.70,
                     "pq1": 0.88, "pq2": 0.82, "pq3": 0.80, "pv1": 0.90, "pv2": 0.86,
                     "cs1": 0.92, "cs2": 0.86, "cs3": 0.84, "cc1": 0.90,
                     "cl1": 0.88, "cl2": 0.65, "cl3": 0.85},
    },
    "ccsi_image": {
        "paths": {("IM", "EQ"): 0.50, ("IM", "CS"): 0.20, ("IM", "CL"): 0.20, ("EQ", "PQ"): 0.55,
                  ("EQ", "PV"): 0.15, ("EQ", "CS"): 0.05, ("PQ", "PV"): 0.55, ("PQ", "CS"): 0.35,
                  ("PV", "CS"): 0.30, ("CS", "CL"): 0.55},
        "loadings": {"im1": 0.86, "im2": 0.80, "im3": 0.74, "eq1": 0.80, "eq2": 0.75, "eq3": 0.72,
                     "pq1": 0.88, "pq2": 0.84, "pq3": 0.80, "pv1": 0.90, "pv2": 0.86,
                     "cs1": 0.92, "cs2": 0.87, "cs3": 0.85, "cl1": 0.88, "cl2": 0.84},
    },
    "scsb": {
        "paths": {("CE", "PP"): 0.40, ("CE", "CS"): 0.15, ("PP", "CS"): 0.60, ("CS", "VO"): -0.55,
                  ("CS", "CL"): 0.60, ("VO", "CL"): -0.15},
        "loadings": {"ce1": 0.80, "ce2": 0.72, "pp1": 0.90, "pp2": 0.86, "cs1": 0.92, "cs2": 0.86,
                     "cs3": 0.84, "vo1": 0.82, "vo2": 0.80, "cl1": 0.88, "cl2": 0.78},
    },
    # DK: performance -> global satisfaction -> loyalty, and performance -> loyalty. CS has one
    # item, which the model takes as error-free (residual variance 0): draw it nearly so (0.99),
    # otherwise its measurement error would bias CS -> CL down and PE -> CL up.
    "dk": {
        "paths": {("PE", "CS"): 0.70, ("CS", "CL"): 0.55, ("PE", "CL"): 0.20},
        "loadings": {"pe1": 0.85, "pe2": 0.78, "pe3": 0.74, "cs1": 0.99, "cl1": 0.88, "cl2": 0.84, "cl3": 0.70},
    },
    # SWICS: customer dialogue replaces complaints and is positive (good dialogue, more loyalty).
    "swics": {
        "paths": {("CE", "PV"): 0.45, ("CE", "CS"): 0.20, ("PV", "CS"): 0.55, ("CS", "CD"): 0.50,
                  ("CS", "CL"): 0.55, ("CD", "CL"): 0.20},
        "loadings": {"ce1": 0.80, "ce2": 0.75, "pv1": 0.90, "pv2": 0.86, "cs1": 0.92, "cs2": 0.86, "cs3": 0.84,
                     "cd1": 0.80, "cd2": 0.82, "cd3": 0.74, "cl1": 0.88, "cl2": 0.84, "cl3": 0.70},
    },
    "airline": {
        "paths": {("IM", "CS"): 0.20, ("CR", "CS"): 0.20, ("CB", "CS"): 0.15, ("CT", "CS"): 0.08,
                  ("EN", "CS"): 0.06, ("SF", "CS"): 0.12, ("PU", "CS"): 0.18, ("PR", "CS"): 0.18,
                  ("CS", "CL"): 0.70},
        "loadings": {},  # the generic rule below (0.85 for the marker, then 0.80, 0.78, ...)
    },
}

_DEFAULTS["ncsi"] = _DEFAULTS["acsi"]  # NCSI uses the ACSI model: the same paths and loadings

_PARAM_KEYS = {
    "loadings": "item id -> standardized loading, 0 < |lambda| < 1",
    "paths": "(from, to) or 'FROM -> TO' -> standardized path coefficient",
    "exogenous_correlation": "correlation between exogenous latents (default 0.35)",
    "location": "answer location as a share of the scale range, scalar or latent id -> share",
    "spread": "answer spread as a share of the scale range, scalar or latent id -> share (default 0.21)",
    "unit_shift_sd": "sd of the unit latent mean shifts drawn when units carry no 'shift' (default 0.3)",
    "period_shift": "period label -> latent mean shift, or a scalar sd to draw them (default 0.05)",
    "cell_shift_sd": "sd of the unit x period shift noise (default 0.04)",
    "latent_shift_sd": "sd of the latent-specific cell shifts (default 0.05)",
    "weight_sd": "sd of log survey weights (default 0.25)",
    "dont_know_share": "share of missing codes coded 98 rather than 99 (default 0.6)",
}


# --------------------------------------------------------------------------------------------
# Model reading (self-contained: a path, a shipped name, a parsed TOML dict, or a ModelSpec)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Model:
    name: str
    latents: tuple[tuple[str, tuple[str, ...]], ...]
    bounds: dict
    paths: tuple[tuple[str, str], ...]
    headline: str

    @property
    def latent_ids(self) -> list[str]:
        return [lv for lv, _ in self.latents]

    @property
    def item_ids(self) -> list[str]:
        return [it for _, items in self.latents for it in items]


def _models_dir() -> Path:
    try:
        from importlib import resources

        return Path(str(resources.files("acsi.models")))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - source checkout without install
        return Path(__file__).resolve().parents[1] / "models"


def _read_model(model) -> _Model:
    source = "<dict>"
    if hasattr(model, "latents") and hasattr(model, "paths") and hasattr(model, "headline"):
        latents = tuple((lv.id, tuple(it.id for it in lv.items)) for lv in model.latents)
        bounds = {it.id: (float(it.min), float(it.max)) for lv in model.latents for it in lv.items}
        return _check_model(_Model(str(model.name), latents, bounds, tuple(model.paths), str(model.headline)), str(model.source))
    if isinstance(model, (str, Path)):
        p = Path(str(model))
        if p.suffix.lower() != ".toml":
            shipped = _models_dir() / f"{str(model).lower()}.toml"
            if not shipped.exists():
                names = sorted(f.stem for f in _models_dir().glob("*.toml"))
                raise SpecError(
                    f"unknown model {str(model)!r}: pass a shipped model name ({', '.join(names)}), "
                    "a path to a .toml model file, a parsed TOML dict or a ModelSpec"
                )
            p = shipped
        if not p.exists():
            raise SpecError(f"model file {str(p)!r} does not exist; check the path")
        source = str(p)
        try:
            model = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SpecError(f"{source}: invalid TOML: {exc}") from None
    if not isinstance(model, Mapping):
        raise SpecError(
            f"model must be a shipped model name, a .toml path, a parsed TOML dict or a ModelSpec; "
            f"got {type(model).__name__}"
        )
    if "paths" not in model and isinstance(model.get("latent"), list) and model["latent"] and "paths" in model["latent"][-1]:
        # `paths = [...]` written after the last [[latent]] table belongs to that table in TOML
        model = dict(model)
        model["latent"] = [dict(lv) for lv in model["latent"]]
        model["paths"] = model["latent"][-1].pop("paths")
    missing = [k for k in ("name", "latent", "paths", "headline") if k not in model]
    if missing:
        raise SpecError(f"{source}: model is missing the key(s) {missing}; see models/acsi.toml for the format")
    scale = model.get("scale", {"min": 1, "max": 10})
    lo, hi = float(scale.get("min", 1)), float(scale.get("max", 10))
    latents, bounds = [], {}
    for lv in model["latent"]:
        items = []
        for it in lv.get("items", []):
            it = {"id": it} if isinstance(it, str) else it
            items.append(str(it["id"]))
            bounds[str(it["id"])] = (float(it.get("min", lo)), float(it.get("max", hi)))
        latents.append((str(lv["id"]), tuple(items)))
    paths = []
    for p in model["paths"]:
        if isinstance(p, str):
            parts = [s.strip() for s in p.split("->")]
        else:
            parts = list(p)
        if len(parts) != 2 or not all(parts):
            raise SpecError(f"{source}: path {p!r} is not of the form \"FROM -> TO\"")
        paths.append((parts[0], parts[1]))
    return _check_model(_Model(str(model["name"]), tuple(latents), bounds, tuple(paths), str(model["headline"])), source)


def _check_model(m: _Model, source: str) -> _Model:
    ids = m.latent_ids
    for lv, items in m.latents:
        if not items:
            raise SpecError(f"{source}: latent {lv!r} has no items; list at least one item")
    seen: set[str] = set()
    for it in m.item_ids:
        if it in seen:
            raise SpecError(f"{source}: item {it!r} is listed more than once; item ids must be unique")
        seen.add(it)
    for a, b in m.paths:
        for end in (a, b):
            if end not in ids:
                raise SpecError(f"{source}: path {a} -> {b} names {end!r}, which is not a declared latent (declared: {', '.join(ids)})")
    if m.headline not in ids:
        raise SpecError(f"{source}: headline {m.headline!r} is not a declared latent (declared: {', '.join(ids)})")
    _topological_order(m, source)
    return m


def _topological_order(m: _Model, source: str = "<model>") -> list[str]:
    order: list[str] = []
    remaining = list(m.latent_ids)
    while remaining:
        ready = [lv for lv in remaining if all(a in order for a, b in m.paths if b == lv)]
        if not ready:
            raise SpecError(
                f"{source}: the structural model has a cycle among {', '.join(remaining)}; "
                "the simulator draws recursive models only: remove one path of the cycle"
            )
        order.extend(ready)
        remaining = [lv for lv in remaining if lv not in ready]
    return order


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Params:
    order: list
    B: np.ndarray            # B[j, i] = beta from latent i to latent j (indices in m.latent_ids)
    Phi: np.ndarray          # implied latent correlation matrix
    psi: np.ndarray          # disturbance variances (1 for exogenous, 1 - R2 otherwise)
    direction: np.ndarray    # v_j in {+1, -1}
    loadings: dict
    location: dict           # item -> share of range
    spread: dict             # item -> share of range
    rho: float
    extra: dict


def _path_key(k, source="params['paths']"):
    if isinstance(k, str):
        parts = [s.strip() for s in k.split("->")]
    else:
        parts = list(k)
    if len(parts) != 2:
        raise SpecError(f"{source}: key {k!r} is not a path; use ('FROM', 'TO') or 'FROM -> TO'")
    return parts[0], parts[1]


def _generic_loading(position: int) -> float:
    return max(0.85 - 0.05 * position if position < 2 else 0.78 - 0.02 * (position - 2), 0.6)


def _resolve_params(m: _Model, params: Mapping | None) -> _Params:
    params = dict(params or {})
    unknown = sorted(set(params) - set(_PARAM_KEYS))
    if unknown:
        allowed = "; ".join(f"{k}: {v}" for k, v in _PARAM_KEYS.items())
        raise SpecError(f"unknown simulation parameter(s) {unknown}; allowed keys are {allowed}")
    ids = m.latent_ids
    idx = {lv: i for i, lv in enumerate(ids)}
    defaults = _DEFAULTS.get(m.name, {})
    shipped_paths = defaults.get("paths", {})
    rho = float(params.get("exogenous_correlation", 0.35))
    if not -0.5 < rho < 1:
        raise SpecError(f"params['exogenous_correlation'] must lie in (-0.5, 1); got {rho}")

    # loadings
    lam = {}
    for lv, items in m.latents:
        for pos, it in enumerate(items):
            lam[it] = defaults.get("loadings", {}).get(it, _generic_loading(pos))
    for it, v in dict(params.get("loadings", {})).items():
        if it not in lam:
            raise SpecError(f"params['loadings'] names {it!r}, which is not an item of model {m.name!r} (items: {', '.join(lam)})")
        v = float(v)
        if not (0 < abs(v) < 1):
            raise SpecError(f"standardized loading of {it!r} must satisfy 0 < |lambda| < 1; got {v}")
        lam[it] = v

    # paths
    given = {}
    for k, v in dict(params.get("paths", {})).items():
        a, b = _path_key(k)
        if (a, b) not in m.paths:
            raise SpecError(
                f"params['paths'] names the path {a} -> {b}, which is not in model {m.name!r} "
                f"(paths: {', '.join(f'{x} -> {y}' for x, y in m.paths)})"
            )
        given[(a, b)] = float(v)
    order = _topological_order(m)
    exo = [lv for lv in ids if not any(b == lv for _, b in m.paths)]
    n = len(ids)
    B = np.zeros((n, n))
    Phi = np.eye(n)
    for a in exo:
        for c in exo:
            if a != c:
                Phi[idx[a], idx[c]] = rho
    if len(exo) > 1 and np.linalg.eigvalsh(Phi[np.ix_([idx[e] for e in exo], [idx[e] for e in exo])]).min() <= 0:
        raise SpecError(f"params['exogenous_correlation'] = {rho} gives a non-positive-definite correlation matrix for {len(exo)} exogenous latents")
    psi = np.ones(n)
    done = list(exo)
    for lv in order:
        if lv in exo:
            continue
        preds = [a for a, b in m.paths if b == lv]
        pi = [idx[a] for a in preds]
        sub = Phi[np.ix_(pi, pi)]
        beta = np.array([given.get((a, lv), shipped_paths.get((a, lv), np.nan)) for a in preds])
        if np.isnan(beta).any():
            # generic rule: equal coefficients for the missing paths giving R2 = 0.5 in total
            miss = np.isnan(beta)
            b0 = np.where(miss, 1.0, 0.0)
            fixed = np.where(miss, 0.0, beta)
            # solve (fixed + c b0)' sub (fixed + c b0) = 0.5 for c > 0
            qa, qb, qc = b0 @ sub @ b0, 2 * fixed @ sub @ b0, fixed @ sub @ fixed - 0.5
            disc = qb * qb - 4 * qa * qc
            c = (-qb + math.sqrt(disc)) / (2 * qa) if disc > 0 and qa > 0 else 0.1
            beta = np.where(miss, c, beta)
        r2 = float(beta @ sub @ beta)
        if not r2 < 0.98:
            raise SpecError(
                f"paths into {lv!r} ({', '.join(f'{a}: {b:g}' for a, b in zip(preds, beta))}) explain R2 = {r2:.3f} "
                "of its standardized variance; the simulator needs R2 < 0.98: make the coefficients smaller"
            )
        j = idx[lv]
        B[j, pi] = beta
        psi[j] = 1.0 - r2
        for k in done:
            Phi[j, idx[k]] = Phi[idx[k], j] = float(beta @ Phi[pi, idx[k]])
        done.append(lv)
    direction = np.ones(n)
    for lv in order:
        if lv in exo:
            continue
        s = float(B[idx[lv]] @ direction)
        direction[idx[lv]] = -1.0 if s < 0 else 1.0

    def per_item(key, default_pos, default_neg):
        val = params.get(key)
        shipped = defaults.get(key, {})
        out = {}
        for lv, items in m.latents:
            d = shipped.get(lv, default_neg if direction[idx[lv]] < 0 else default_pos)
            if isinstance(val, Mapping):
                bad = sorted(set(val) - set(ids))
                if bad:
                    raise SpecError(f"params[{key!r}] names {bad}, which are not latents of model {m.name!r} (latents: {', '.join(ids)})")
                share = float(val.get(lv, d))
            elif val is None:
                share = d
            else:
                share = float(val)
            if not 0 < share < 1:
                raise SpecError(f"params[{key!r}] for latent {lv!r} must be a share of the scale range in (0, 1); got {share}")
            for it in items:
                out[it] = share
        return out

    location = per_item("location", 0.78, 0.35)
    spread = per_item("spread", 0.21, 0.22)
    extra = {k: params[k] for k in ("unit_shift_sd", "period_shift", "cell_shift_sd", "latent_shift_sd", "weight_sd", "dont_know_share") if k in params}
    return _Params(order, B, Phi, psi, direction, lam, location, spread, rho, extra)


def true_parameters(model, params: Mapping | None = None) -> pd.DataFrame:
    """The standardized population parameters :func:`simulate_survey` draws from.

    Parameters
    ----------
    model : str, Path, dict or ModelSpec
        Shipped model name (``"acsi"``), path to a ``.toml`` model file, the parsed TOML
        dict, or a :class:`acsi.ModelSpec`.
    params : dict, optional
        Overrides, as for :func:`simulate_survey`.

    Returns
    -------
    pandas.DataFrame
        A lavaan-style table with columns ``lhs, op, rhs, std_all``: loadings
        (``CS =~ cs1``), regressions (``CS ~ PQ``, i.e. the path PQ -> CS), covariances of
        exogenous latents, latent disturbance variances (``1 - R2``) and item residual
        variances (``1 - lambda^2``). All values are on the standardized scale within a unit
        and period, so they compare with lavaan's ``std.all`` (``std_all`` in acsi).

    Examples
    --------
    >>> tp = true_parameters("acsi")
    >>> float(tp.query("lhs == 'CS' and op == '~' and rhs == 'PQ'")["std_all"].iloc[0])
    0.45
    """
    m = _read_model(model)
    p = _resolve_params(m, params)
    ids = m.latent_ids
    idx = {lv: i for i, lv in enumerate(ids)}
    rows = []
    for lv, items in m.latents:
        for it in items:
            rows.append((lv, "=~", it, p.loadings[it]))
    for a, b in m.paths:
        rows.append((b, "~", a, float(p.B[idx[b], idx[a]])))
    exo = [lv for lv in ids if not any(b == lv for _, b in m.paths)]
    for i, a in enumerate(exo):
        for c in exo[i + 1:]:
            rows.append((a, "~~", c, float(p.Phi[idx[a], idx[c]])))
    for lv in ids:
        rows.append((lv, "~~", lv, float(p.psi[idx[lv]])))
    for it in m.item_ids:
        rows.append((it, "~~", it, 1.0 - p.loadings[it] ** 2))
    return pd.DataFrame(rows, columns=["lhs", "op", "rhs", "std_all"])


def implied_correlation(model, params: Mapping | None = None) -> pd.DataFrame:
    """Model-implied correlation matrix of the latents (within a unit and period).

    ``Phi`` with ``Phi_jk = sum_i beta_ji Phi_ik`` for an endogenous ``j`` and an earlier
    ``k``; exogenous latents correlate ``exogenous_correlation``.

    Examples
    --------
    >>> r = implied_correlation("acsi")
    >>> round(float(r.loc["CE", "PQ"]), 2)
    0.55
    """
    m = _read_model(model)
    p = _resolve_params(m, params)
    return pd.DataFrame(p.Phi, index=m.latent_ids, columns=m.latent_ids)


# --------------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------------
def _units_table(units) -> pd.DataFrame:
    if isinstance(units, (int, np.integer)) and not isinstance(units, bool):
        if units < 1:
            raise DataError(f"units must be a positive count, a list of company names or a table; got {units}")
        return pd.DataFrame({"company": [f"company_{i:02d}" for i in range(1, int(units) + 1)], "industry": "", "sector": ""})
    if isinstance(units, pd.DataFrame):
        tab = units.copy()
    elif isinstance(units, Sequence) and not isinstance(units, str) and len(units) > 0:
        if all(isinstance(u, Mapping) for u in units):
            tab = pd.DataFrame([dict(u) for u in units])
        else:
            tab = pd.DataFrame({"company": [str(u) for u in units]})
    else:
        raise DataError(
            "units must be a positive count, a non-empty list of company names, a list of dicts or a "
            f"DataFrame with a 'company' column; got {units!r}"
        )
    if "company" not in tab.columns:
        raise DataError(f"the units table needs a 'company' column; it has {list(tab.columns)}")
    dup = tab["company"][tab["company"].duplicated()].tolist()
    if dup:
        raise DataError(f"company names must be unique in units; repeated: {dup}")
    for col in ("industry", "sector"):
        if col not in tab.columns:
            tab[col] = ""
    return tab.reset_index(drop=True)


def _periods_list(periods) -> list[str]:
    if isinstance(periods, (int, np.integer)) and not isinstance(periods, bool):
        if periods < 1:
            raise DataError(f"periods must be a positive count or a list of labels such as '2025Q1'; got {periods}")
        return [f"{2025 + k // 4}Q{k % 4 + 1}" for k in range(int(periods))]
    if isinstance(periods, Sequence) and not isinstance(periods, str) and len(periods) > 0:
        out = [str(p) for p in periods]
        if len(set(out)) != len(out):
            raise DataError(f"period labels must be unique; got {out}")
        return out
    raise DataError(f"periods must be a positive count or a non-empty list of labels such as ['2025Q1', '2025Q2']; got {periods!r}")


def _cell_sizes(n_per_unit, n_cells: int, rng) -> np.ndarray:
    if isinstance(n_per_unit, (int, np.integer)) and not isinstance(n_per_unit, bool):
        if n_per_unit < 1:
            raise DataError(f"n_per_unit must be a positive integer or a (low, high) range; got {n_per_unit}")
        return np.full(n_cells, int(n_per_unit))
    if isinstance(n_per_unit, Sequence) and len(n_per_unit) == 2:
        lo, hi = (int(v) for v in n_per_unit)
        if not 1 <= lo <= hi:
            raise DataError(f"n_per_unit range must satisfy 1 <= low <= high; got {tuple(n_per_unit)}")
        return rng.integers(lo, hi + 1, size=n_cells)
    raise DataError(f"n_per_unit must be a positive integer or a (low, high) range; got {n_per_unit!r}")


def _draw_latents(m: _Model, p: _Params, n: int, mean: np.ndarray, rng) -> np.ndarray:
    ids = m.latent_ids
    idx = {lv: i for i, lv in enumerate(ids)}
    eta = np.zeros((n, len(ids)))
    exo = [idx[lv] for lv in p.order if not any(b == lv for _, b in m.paths)]
    if exo:
        L = np.linalg.cholesky(p.Phi[np.ix_(exo, exo)])
        eta[:, exo] = rng.standard_normal((n, len(exo))) @ L.T
    for lv in p.order:
        j = idx[lv]
        if j in exo:
            continue
        eta[:, j] = eta @ p.B[j] + math.sqrt(p.psi[j]) * rng.standard_normal(n)
    return eta + mean


def simulate_survey(
    model,
    *,
    units,
    n_per_unit,
    periods,
    params: Mapping | None = None,
    seed,
    missing_code_rate: float = 0.01,
    scale: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """Draw a respondent-level survey from a structural model with known parameters.

    The generation steps (latents, cell mean shifts, items, answers, missing codes,
    weights) are given in the module docstring; the parameters used are returned by
    :func:`true_parameters`.

    Parameters
    ----------
    model : str, Path, dict or ModelSpec
        Shipped model name (``"acsi"``), path to a ``.toml`` model file, the parsed TOML
        dict, or a :class:`acsi.ModelSpec`.
    units : int, list of str, list of dict, or DataFrame
        The companies: a count (named ``company_01``, ...), names, or a table with a
        ``company`` column and optional ``industry``, ``sector`` and ``shift`` (the unit's
        latent mean shift in standard deviations; drawn ``N(0, unit_shift_sd^2)`` if absent).
    n_per_unit : int or (int, int)
        Respondents per unit and period; a ``(low, high)`` pair draws each cell's size
        uniformly from ``low..high``.
    periods : int or list of str
        Period labels (``["2025Q1", "2025Q2"]``); a count ``k`` means ``2025Q1`` onwards.
    params : dict, optional
        Overrides of the true parameters. Keys: ``loadings`` (item -> standardized loading),
        ``paths`` (``("PQ", "CS")`` or ``"PQ -> CS"`` -> standardized coefficient),
        ``exogenous_correlation``, ``location`` and ``spread`` (shares of the scale range, a
        scalar or latent -> share), ``unit_shift_sd``, ``period_shift`` (label -> shift, or a
        scalar sd), ``cell_shift_sd``, ``latent_shift_sd``, ``weight_sd``, ``dont_know_share``.
        Shipped models have their own defaults (see :func:`true_parameters`); other models get
        loadings 0.85, 0.80, 0.78, ... and equal paths explaining R2 = 0.5.
    seed : int or numpy.random.Generator
        Random seed; the same seed gives the same table.
    missing_code_rate : float
        Share of answers replaced by the missing codes 98 ("don't know") and 99 ("refused").
    scale : (min, max), optional
        Answer scale for every item, overriding the model's; by default each item's own
        scale from the model (1-10 for the shipped models).

    Returns
    -------
    pandas.DataFrame
        Columns ``respondent_id, period, sector, industry, company, weight`` and one integer
        column per item (in model order). Answers are integers on the item's scale, or 98/99.

    Examples
    --------
    >>> df = simulate_survey("scsb", units=["A", "B"], n_per_unit=50, periods=2, seed=3)
    >>> sorted(df["period"].unique())
    ['2025Q1', '2025Q2']
    >>> bool(df["cs1"].isin(list(range(1, 11)) + [98, 99]).all())
    True
    """
    m = _read_model(model)
    p = _resolve_params(m, params)
    if not 0 <= float(missing_code_rate) < 1:
        raise DataError(f"missing_code_rate must lie in [0, 1); got {missing_code_rate}")
    bounds = dict(m.bounds)
    if scale is not None:
        if len(scale) != 2 or not float(scale[1]) > float(scale[0]):
            raise DataError(f"scale must be (min, max) with max > min; got {scale!r}")
        bounds = {it: (float(scale[0]), float(scale[1])) for it in bounds}
    clash = sorted(it for it, (lo, hi) in bounds.items() if hi >= min(MISSING_CODES) and missing_code_rate > 0)
    if clash:
        raise DataError(
            f"items {clash[:5]} have scales reaching {min(MISSING_CODES)} or more, which collide with the missing "
            "codes 98/99; use a smaller scale or missing_code_rate=0"
        )
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    tab = _units_table(units)
    plist = _periods_list(periods)
    ex = p.extra
    if "shift" in tab.columns:
        unit_shift = tab["shift"].astype(float).to_numpy()
    else:
        unit_shift = rng.normal(0.0, float(ex.get("unit_shift_sd", 0.3)), len(tab))
    ps = ex.get("period_shift", 0.05)
    if isinstance(ps, Mapping):
        missing = [t for t in plist if t not in ps]
        if missing:
            raise DataError(f"params['period_shift'] has no shift for the period(s) {missing}; give one per period")
        period_shift = np.array([float(ps[t]) for t in plist])
    else:
        period_shift = rng.normal(0.0, float(ps), len(plist))
    cell_sd = float(ex.get("cell_shift_sd", 0.04))
    lat_sd = float(ex.get("latent_shift_sd", 0.05))
    w_sd = float(ex.get("weight_sd", 0.25))
    dk = float(ex.get("dont_know_share", 0.6))
    sizes = _cell_sizes(n_per_unit, len(plist) * len(tab), rng)

    ids = m.latent_ids
    idx = {lv: i for i, lv in enumerate(ids)}
    items = m.item_ids
    item_lat = np.array([idx[lv] for lv, its in m.latents for _ in its])
    lam = np.array([p.loadings[it] for it in items])
    lo = np.array([bounds[it][0] for it in items])
    hi = np.array([bounds[it][1] for it in items])
    loc = lo + np.array([p.location[it] for it in items]) * (hi - lo)
    spr = np.array([p.spread[it] for it in items]) * (hi - lo)
    err_sd = np.sqrt(1.0 - lam**2)

    frames = []
    k = 0
    for t, period in enumerate(plist):
        for u in range(len(tab)):
            n = int(sizes[k])
            k += 1
            q = unit_shift[u] + period_shift[t] + rng.normal(0.0, cell_sd)
            mean = q * p.direction + rng.normal(0.0, lat_sd, len(ids))
            eta = _draw_latents(m, p, n, mean, rng)
            z = eta[:, item_lat] * lam + rng.standard_normal((n, len(items))) * err_sd
            x = np.clip(np.floor(loc + spr * z + 0.5), lo, hi).astype(np.int64)
            if missing_code_rate > 0:
                hit = rng.random(x.shape) < missing_code_rate
                code = np.where(rng.random(x.shape) < dk, MISSING_CODES[0], MISSING_CODES[1])
                x = np.where(hit, code, x)
            w = np.exp(rng.normal(0.0, w_sd, n))
            w = np.round(w / w.mean(), 4)
            head = pd.DataFrame({
                "period": period,
                "sector": tab.at[u, "sector"],
                "industry": tab.at[u, "industry"],
                "company": tab.at[u, "company"],
                "weight": w,
            })
            frames.append(pd.concat([head, pd.DataFrame(x, columns=items)], axis=1))
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "respondent_id", np.arange(1, len(out) + 1, dtype=np.int64))
    return out


# --------------------------------------------------------------------------------------------
# The demo national survey
# --------------------------------------------------------------------------------------------
# sector, industry, industry sales per quarter (USD millions), [(company, share of the
# industry's sales, target CS index)], target index of the industry's "All Others" unit.
_DEMO_STRUCTURE = [
    ("Transportation", "Airlines", 42000.0,
     [("Northwind Air", 0.24, 74.0), ("Bluefin Airways", 0.19, 69.0), ("Cascade Airlines", 0.15, 66.5)], 71.0),
    ("Transportation", "Express Delivery", 26000.0,
     [("Swiftparcel Express", 0.38, 83.0), ("Meridian Courier", 0.30, 80.5)], 78.0),
    ("Information", "Internet Portals", 18000.0,
     [("Lumen Search", 0.45, 81.5), ("Beacon Web", 0.20, 76.0), ("Pinecone Portal", 0.10, 72.5)], 74.0),
    ("Information", "Wireless Telephone Service", 55000.0,
     [("Aurora Mobile", 0.31, 73.5), ("Tidewave Wireless", 0.27, 71.0), ("Kestrel Telecom", 0.18, 68.5)], 70.0),
    ("Information", "Subscription Television", 30000.0,
     [("Orchard Cable", 0.36, 65.5), ("Polar Satellite TV", 0.29, 67.5)], 66.0),
    ("Retail Trade", "Supermarkets", 95000.0,
     [("Greenbasket Markets", 0.22, 79.5), ("Harvest Lane Grocers", 0.17, 77.0), ("Fairprice Foods", 0.12, 82.5)], 76.5),
    ("Retail Trade", "Department & Discount Stores", 60000.0,
     [("Maple & Main", 0.26, 77.5), ("Bargain Barn", 0.21, 74.0), ("Silverline Department Stores", 0.14, 79.0)], 75.0),
    ("Retail Trade", "Specialty Retail Stores", 48000.0,
     [("Gadget Grove", 0.20, 80.0), ("Trailhead Outfitters", 0.14, 83.5), ("Pageturner Books", 0.09, 84.0)], 78.5),
]
_DEMO_PERIOD_SHIFT = {"2025Q1": -0.03, "2025Q2": 0.0, "2025Q3": 0.02, "2025Q4": 0.03}
_DEMO_SEASON = {"2025Q1": 0.94, "2025Q2": 0.99, "2025Q3": 1.01, "2025Q4": 1.08}


def _all_others(industry: str) -> str:
    return f"All Others ({industry})"


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(x, dtype=float) / math.sqrt(2.0)))


def _expected_index(shift: float, lams, loc: float, spr: float, lo: float, hi: float) -> float:
    """Expected 0-100 rescaled mean answer of items with loadings ``lams`` at a latent mean ``shift``.

    The answer ``clip(floor(loc + spr * z + 0.5), lo, hi)`` with ``z ~ N(lambda * shift, 1)``
    takes the value ``k`` with probability ``Phi(k + 1/2) - Phi(k - 1/2)`` (open-ended at the
    ends of the scale), evaluated for the normal law of ``loc + spr * z``.
    """
    ks = np.arange(lo, hi + 1)
    vals = []
    for lam in lams:
        mu = loc + spr * lam * shift
        upper = _normal_cdf((ks + 0.5 - mu) / spr)
        upper[-1] = 1.0
        lower = np.concatenate([[0.0], upper[:-1]])
        e = float(((upper - lower) * ks).sum())
        vals.append((e - lo) / (hi - lo) * 100.0)
    return float(np.mean(vals))


def _shift_for_index(target: float, model="acsi") -> float:
    """Latent mean shift at which the headline latent's expected 0-100 index equals ``target``."""
    m = _read_model(model)
    p = _resolve_params(m, None)
    items = dict(m.latents)[m.headline]
    lo, hi = m.bounds[items[0]]
    lams = [p.loadings[it] for it in items]
    loc = lo + p.location[items[0]] * (hi - lo)
    spr = p.spread[items[0]] * (hi - lo)
    a, b = -3.0, 3.0
    for _ in range(60):
        mid = 0.5 * (a + b)
        if _expected_index(mid, lams, loc, spr, lo, hi) < target:
            a = mid
        else:
            b = mid
    return 0.5 * (a + b)


def demo_units() -> pd.DataFrame:
    """The 30 demo companies: 22 named companies and one "All Others" unit per industry.

    Returns
    -------
    pandas.DataFrame
        Columns ``sector, industry, company, is_all_others, sales_share, target_index,
        shift``: ``sales_share`` is the company's share of its industry's sales (All Others:
        the remainder), ``target_index`` the expected 0-100 satisfaction index the company
        was calibrated to (65-85), ``shift`` the latent mean shift that yields it.
        Company names are fictitious.

    Examples
    --------
    >>> u = demo_units()
    >>> len(u), u["industry"].nunique(), u["sector"].nunique(), int(u["is_all_others"].sum())
    (30, 8, 3, 8)
    """
    rows = []
    for sector, industry, _total, named, other_target in _DEMO_STRUCTURE:
        for company, share, target in named:
            rows.append((sector, industry, company, False, share, target))
        rest = 1.0 - sum(s for _, s, _ in named)
        rows.append((sector, industry, _all_others(industry), True, rest, other_target))
    tab = pd.DataFrame(rows, columns=["sector", "industry", "company", "is_all_others", "sales_share", "target_index"])
    cache: dict[float, float] = {}
    tab["shift"] = [cache.setdefault(t, _shift_for_index(t)) for t in tab["target_index"]]
    return tab


def demo_frame(seed: int = DEMO_SEED, *, n_range: tuple[int, int] = (230, 270), missing_code_rate: float = 0.01) -> pd.DataFrame:
    """The synthetic national survey bundled as ``acsi/demo_data/survey.csv.gz``.

    The ACSI model (``models/acsi.toml``) with the parameters of :func:`true_parameters`
    ``("acsi")``; 3 sectors, 8 industries, 30 companies (:func:`demo_units`, including one
    "All Others" unit per industry), periods 2025Q1-2025Q4, 230-270 respondents per company
    and quarter, about 1 % of answers coded 98/99. Company latent means are calibrated so
    the expected company satisfaction indexes lie between 65.5 and 84; small quarterly
    shifts (-0.03, 0, +0.02, +0.03 SD) give a mild upward trend.

    Examples
    --------
    >>> df = demo_frame()
    >>> df["company"].nunique(), df["period"].nunique()
    (30, 4)
    """
    units = demo_units()[["company", "industry", "sector", "shift"]]
    return simulate_survey(
        "acsi",
        units=units,
        n_per_unit=n_range,
        periods=list(DEMO_PERIODS),
        params={"period_shift": _DEMO_PERIOD_SHIFT},
        seed=seed,
        missing_code_rate=missing_code_rate,
    )


def demo_sales(seed: int = DEMO_SEED) -> pd.DataFrame:
    """Sales weights for the demo survey: ``period, company, industry, sector, sales``.

    Quarterly sales in USD millions. Each industry's quarterly total is its base total times
    a seasonal factor (0.94, 0.99, 1.01, 1.08) and a random growth factor ``exp(N(0,
    0.02^2))``; each named company gets its base share of it times ``exp(N(0, 0.03^2))``,
    and the "All Others" unit gets the industry's remainder. Used as the ``S`` weights of
    the industry and sector roll-ups (SPEC.md section 2).

    Examples
    --------
    >>> s = demo_sales()
    >>> len(s), bool((s["sales"] > 0).all())
    (120, True)
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    rows = []
    for period in DEMO_PERIODS:
        for sector, industry, total, named, _ in _DEMO_STRUCTURE:
            tot = total * _DEMO_SEASON[period] * math.exp(rng.normal(0.0, 0.02))
            used = 0.0
            for company, share, _t in named:
                s = round(tot * share * math.exp(rng.normal(0.0, 0.03)), 1)
                used += s
                rows.append((period, company, industry, sector, s))
            rows.append((period, _all_others(industry), industry, sector, round(tot - used, 1)))
    return pd.DataFrame(rows, columns=["period", "company", "industry", "sector", "sales"])


def write_demo_data(out_dir: str | Path | None = None, *, seed: int = DEMO_SEED) -> list[Path]:
    """Write ``survey.csv.gz`` and ``sales.csv`` (byte-reproducible: gzip mtime 0).

    Parameters
    ----------
    out_dir : path, optional
        Target folder; by default the package's ``acsi/demo_data``.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out_dir) if out_dir is not None else Path(__file__).resolve().parent / "demo_data"
    out.mkdir(parents=True, exist_ok=True)
    survey = out / "survey.csv.gz"
    sales = out / "sales.csv"
    demo_frame(seed).to_csv(survey, index=False, compression={"method": "gzip", "mtime": 0, "compresslevel": 9})
    demo_sales(seed).to_csv(sales, index=False)
    return [survey, sales]
