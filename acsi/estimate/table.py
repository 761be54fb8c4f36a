"""The estimate table of an ML fit, built from the parameter table: lavaan's
``parameterEstimates(fit, standardized = TRUE, rsquare = TRUE)``.

Rows: the parameter table's rows in its order (lavaan's), the ``:=`` defined parameters and the
user's ``==``/``<``/``>`` constraints among them (the generated ``user = 2`` equalities of
shared labels are left out, as lavaan's ``remove.system.eq``), then one ``r2`` row per
endogenous variable.  Columns :data:`ESTIMATE_COLUMNS` plus ``free`` (bool), with ``group``
after ``rhs`` in multigroup models:

* ``est``: the parameter's value (a fixed row its fixed value, an ``exo`` row the sample
  moment); a ``:=`` row the value of its expression; a constraint row ``lhs − rhs`` (``==``,
  ``>``) or ``rhs − lhs`` (``<``), lavaan's ``ceq``/``cin`` functions.
* ``se``: ``sqrt(diag(V))`` for free parameters (NaN for fixed rows); an SE below
  ``sqrt(ε)`` (a parameter pinned by a constraint) is 0 and its ``z`` NaN, as lavaan.  Defined
  parameters by the delta method, ``V_def = J V Jᵀ`` with ``J`` the Jacobian of the
  definitions (complex step, :mod:`.expressions`), lavaan's ``lav_model_vcov_se``.
* ``z = est/se``, ``pvalue = 2 Φ(−|z|)``, Wald interval ``est ± z_(1+level)/2 · se``
  (fixed rows: a zero-width interval).
* ``std_lv`` (lavaan ``lav_standardize_lv``): latents scaled to unit variance — loadings
  ``λ sd(η)``, regressions ``β sd(η_from)/sd(η_to)``, latent (residual) variances over the
  implied variance, latent (residual) covariances over the square roots of the two residual
  variances (``cov.std = TRUE``), latent means over ``sd(η)``; observed variables (phantom
  latents included) keep their scale.
* ``std_all`` (``lav_standardize_all``): ``std_lv`` with observed variables scaled too —
  loadings over ``sd(y)``, regressions times ``sd(x)/sd(y)`` for observed ends, residual
  variances over the implied variance, residual covariances over the square roots of the
  residual variances, intercepts over ``sd(y)``.  Defined parameters and constraints: their
  expression evaluated at the standardised free parameters.
* ``r2`` rows (``lavInspect(fit, "rsquare")``): ``1 − std_all`` of the residual variance of
  every indicator and every variable on the left of a ``~`` (NaN above 1).

Equivalent R: ``parameterEstimates(fit, standardized = TRUE, rsquare = TRUE)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _stats

from .samplestats import check_sample_cov

__all__ = ["ESTIMATE_COLUMNS", "admissibility_problems", "check_sample_cov", "estimate_table", "item_moments",
           "latent_covariance", "standardized"]

ESTIMATE_COLUMNS = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_lv", "std_all"]
_SQRT_EPS = float(np.sqrt(np.finfo(float).eps))


def latent_covariance(B: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Model-implied latent covariance ``A = (I − B)⁻¹ Ψ (I − B)⁻ᵀ``."""
    C = np.linalg.inv(np.eye(B.shape[0]) - B)
    return C @ P @ C.T


def _cell_values(model, theta: np.ndarray, exo: list) -> tuple[np.ndarray, list]:
    """Every table row's value from the group matrices, and the matrices per group."""
    from .mlfast import ALPHA, MATRICES, NU

    fr = model.frame
    est = np.full(len(fr), np.nan)
    mats = []
    for g, gm in enumerate(model.groups):
        mats.append(tuple(a[0] for a in model.matrices_of(theta[None], g, exo[g])))
    for k, r in enumerate(fr.itertuples(index=False)):
        if not r.mat:
            continue
        kind = MATRICES[r.mat]
        M = mats[int(r.group) - 1][kind]
        i, j = int(r.row), int(r.col)
        est[k] = M[i] if kind in (NU, ALPHA) else M[i, j]
    return est, mats


def standardized(model, theta: np.ndarray, est: np.ndarray, mats: list) -> tuple[np.ndarray, np.ndarray]:
    """``std_lv`` and ``std_all`` of every table row (module docstring; lavaan's
    ``lav_standardize_lv`` / ``lav_standardize_all`` with ``cov.std = TRUE``)."""
    fr = model.frame
    lhs, op, rhs = fr["lhs"].to_numpy(str), fr["op"].to_numpy(str), fr["rhs"].to_numpy(str)
    grp = fr["group"].to_numpy(int)
    out_lv = est.copy()
    out_all = np.full(len(fr), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        for g, gm in enumerate(model.groups):
            L, B, P, T = mats[g][:4]
            C = np.linalg.inv(np.eye(gm.m) - B)
            A = C @ P @ C.T
            sigma = L @ A @ L.T + T
            real = [x for x, ph in zip(gm.lv, gm.phantom) if not ph]
            eta2 = {x: A[j, j] for j, x in enumerate(gm.lv) if not gm.phantom[j]}
            ETA = {x: (np.sqrt(v) if v >= 0 else np.nan) for x, v in eta2.items()}
            ov2 = {x: sigma[i, i] for i, x in enumerate(gm.ov)}
            OV2 = {x: (v if abs(v) >= np.finfo(float).eps else np.nan) for x, v in ov2.items()}
            OV = {x: (np.sqrt(v) if v >= 0 else np.nan) for x, v in OV2.items()}
            inb = grp == g + 1
            lvset, ovset = set(real), set(gm.ov)
            # residual variances (for cov.std), by name
            RV_lv = {lhs[k]: np.sqrt(abs(est[k])) for k in np.flatnonzero(inb & (op == "~~") & (lhs == rhs))
                     if rhs[k] in lvset}
            RV_ov = {lhs[k]: np.sqrt(abs(est[k])) for k in np.flatnonzero(inb & (op == "~~") & (lhs == rhs))
                     if lhs[k] not in lvset}
            for k in np.flatnonzero(inb):
                a, o, b = lhs[k], op[k], rhs[k]
                v = out_lv[k]
                if o == "=~":
                    v = v * ETA.get(a, np.nan) if b not in lvset else v * ETA.get(a, np.nan) / ETA.get(b, np.nan)
                elif o == "~":
                    if a in lvset:
                        v = v / ETA[a]
                    if b in lvset:
                        v = v * ETA[b]
                elif o == "~~":
                    if a == b and b in lvset:
                        v = v / ETA[a] / ETA[b]
                    else:
                        if a in lvset and a != b:
                            v = v / RV_lv.get(a, np.nan)
                        if b in lvset and a != b:
                            v = v / RV_lv.get(b, np.nan)
                elif o == "~1" and a in lvset:
                    v = v / ETA[a]
                out_lv[k] = v
                w = v
                if o == "=~" and b not in lvset:
                    w = w / OV.get(b, np.nan)
                elif o == "~":
                    if a in ovset:
                        w = w / OV[a]
                    if b in ovset:
                        w = w * OV[b]
                elif o == "~~" and a not in lvset:
                    if a == b:
                        w = w / OV2.get(a, np.nan)
                    else:
                        w = w / RV_ov.get(a, np.nan)
                        if b not in lvset:
                            w = w / RV_ov.get(b, np.nan)
                elif o == "~~" and a in lvset and b not in lvset and a != b:
                    w = w / RV_ov.get(b, np.nan)
                elif o == "~1" and a not in lvset:
                    w = w / OV.get(a, np.nan)
                out_all[k] = w
    # defined parameters and constraints at the standardised free parameters
    first = model.param_rows
    for out in (out_lv, out_all):
        th = out[first]
        if model.defined:
            dv = model.defined_values(th[None])[0]
            for (name, _e), val in zip(model.defined, dv):
                out[(op == ":=") & (lhs == name)] = val
        if model.constraints:
            cv = np.real(model.constraint_values(th[None]))[0]
            for (_k, _t, _e, row), val in zip(model.constraints, cv):
                out[row] = val
    return out_lv, out_all


def estimate_table(model, theta: np.ndarray, vcov: np.ndarray | None, exo: list, *, level: float = 0.95) -> pd.DataFrame:
    """lavaan's ``parameterEstimates(standardized = TRUE, rsquare = TRUE)`` for one solution
    (see the module docstring).

    Parameters
    ----------
    model : RamModel
    theta : ndarray (npar,)
    vcov : ndarray (npar, npar) or None
        Covariance of θ̂ (None: no standard errors).
    exo : list
        Per group, the exogenous sample moments (``GroupModel.exo_values``, one row) or None.
    level : float
        Level of the Wald intervals.
    """
    fr = model.frame
    theta = np.asarray(theta, dtype=float)
    est, mats = _cell_values(model, theta, exo)
    op = fr["op"].to_numpy(str)
    free = fr["free"].to_numpy(int)
    if model.defined:
        dv = model.defined_values(theta[None])[0]
        for (name, _e), val in zip(model.defined, dv):
            est[(op == ":=") & (fr["lhs"].to_numpy(str) == name)] = val
    if model.constraints:
        cv = np.real(model.constraint_values(theta[None]))[0]
        for (_k, _t, _e, row), val in zip(model.constraints, cv):
            est[row] = val
    se = np.full(len(fr), np.nan)
    if vcov is not None:
        d = np.diag(vcov).copy()
        # a parameter pinned by an active constraint has variance 0 up to rounding
        d[(d < 0) & (d > -1e-12 * max(np.abs(d).max(), 1e-300))] = 0.0
        sd = np.where(d >= 0, np.sqrt(np.abs(d)), np.nan)
        se[free > 0] = sd[free[free > 0] - 1]
        if model.defined:
            J = model.defined_jacobian(theta)
            dd = np.diag(J @ vcov @ J.T)
            dse = np.where(dd >= 0, np.sqrt(np.abs(dd)), np.nan)
            for (name, _e), val in zip(model.defined, dse):
                se[(op == ":=") & (fr["lhs"].to_numpy(str) == name)] = val
    std_lv, std_all = standardized(model, theta, est, mats)
    has_se = (free > 0) | (op == ":=")
    se = np.where(has_se & (se < _SQRT_EPS), 0.0, se)
    zq = _stats.norm.ppf(1 - (1 - level) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se >= _SQRT_EPS, est / se, np.nan)
    pval = 2 * _stats.norm.sf(np.abs(z))
    lo = np.where(has_se, est - zq * se, est)
    hi = np.where(has_se, est + zq * se, est)
    df = pd.DataFrame({
        "lhs": fr["lhs"].astype(str).to_numpy(), "op": op, "rhs": fr["rhs"].astype(str).to_numpy(),
        "group": fr["group"].to_numpy(int), "label": fr["label"].to_numpy(str), "est": est, "se": se, "z": z,
        "pvalue": pval, "ci_lower": lo, "ci_upper": hi, "std_lv": std_lv, "std_all": std_all, "free": free > 0,
    })
    keep = ~((op == "==") & (fr["user"].to_numpy(int) == 2))
    # R² of every indicator and every left-hand side of ~ (lavaan's rsquare rows)
    r2 = []
    lhs, rhs = df["lhs"].to_numpy(str), df["rhs"].to_numpy(str)
    for g in range(1, len(model.groups) + 1):
        inb = df["group"].to_numpy() == g
        y = set(rhs[inb & (op == "=~")]) | set(lhs[inb & (op == "~")])
        for k in np.flatnonzero(inb & (op == "~~") & (lhs == rhs)):
            if lhs[k] in y:
                v = 1.0 - std_all[k]
                r2.append({"lhs": lhs[k], "op": "r2", "rhs": lhs[k], "group": g, "label": "",
                           "est": v if v <= 1 else np.nan, "free": False})
    out = pd.concat([df[keep], pd.DataFrame(r2, columns=df.columns)], ignore_index=True)
    out["free"] = out["free"].astype(bool)
    out["group"] = out["group"].astype(int)
    cols = ESTIMATE_COLUMNS[:3] + (["group"] if len(model.groups) > 1 else []) + ESTIMATE_COLUMNS[3:] + ["free"]
    return out[cols]


def item_moments(data: pd.DataFrame, items: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Complete item matrix ``X`` and its covariance ``S`` (denominator N), after the checks
    every ML fit needs: items present, no missing values (semopy would delete pairwise
    without a word), at least two rows, and :func:`check_sample_cov`."""
    from .samplestats import SampleStats

    st = SampleStats.from_data(data, items, keep_rows=True).groups[0]
    return st.X, st.cov


def admissibility_problems(model, mats: list, labels=None) -> list[str]:
    """Negative residual or latent variances and a non-PD latent covariance, by name (as lavaan
    warns), for every group (``mats``: the group matrices ``Λ, B, Ψ, Θ, ...``)."""
    problems = []
    for g, gm in enumerate(model.groups):
        where = "" if len(model.groups) == 1 else f" in group {labels[g] if labels else g + 1}"
        L, B, P, T = mats[g][:4]
        A = latent_covariance(B, P)
        for i, x in enumerate(gm.ov):
            if T[i, i] < 0:
                problems.append(f"negative residual variance of item {x} ({T[i, i]:.4g}){where}")
        for j, x in enumerate(gm.lv):
            if P[j, j] < 0:
                what = "observed variable" if gm.phantom[j] else "latent"
                problems.append(f"negative (residual) variance of {what} {x} ({P[j, j]:.4g}){where}")
        if gm.m and np.linalg.eigvalsh(A).min() <= 0:
            problems.append(f"the covariance matrix of the latent variables is not positive definite{where}")
    return problems
