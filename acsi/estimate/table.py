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
from scipy import special

from ..frames import table, text
from .samplestats import check_sample_cov

__all__ = ["ESTIMATE_COLUMNS", "admissibility_problems", "check_sample_cov", "estimate_table", "item_moments",
           "latent_covariance", "standardized"]

ESTIMATE_COLUMNS = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_lv", "std_all"]
_SQRT_EPS = float(np.sqrt(np.finfo(float).eps))


def latent_covariance(B: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Model-implied latent covariance ``A = (I − B)⁻¹ Ψ (I − B)⁻ᵀ``."""
    C = np.linalg.inv(np.eye(B.shape[0]) - B)
    return C @ P @ C.T


def _masks(model) -> dict:
    """The row selections of :func:`_cell_values`, :func:`standardized` and :func:`estimate_table`
    that do not depend on θ, built once per compiled model (kept in ``model.plan``): comparing the
    table's text columns costs more than the arithmetic on a model's few dozen rows."""
    plan = model.plan
    out = plan.get("masks")
    if out is not None:
        return out
    cols = model.cols
    op, grp, kind = cols["op"], cols["group"], plan["kind"]
    same = cols["lhs"] == cols["rhs"]
    lvl, lvr, ovl, ovr = plan["lv_l"] >= 0, plan["lv_r"] >= 0, plan["ov_l"] >= 0, plan["ov_r"] >= 0
    load, reg, cov, mean = op == "=~", op == "~", op == "~~", op == "~1"
    groups = []
    for g, gm in enumerate(model.groups):
        ing = grp == g + 1
        cells = [np.flatnonzero(ing & (kind == k)) for k in range(6)]
        ends = {name: np.flatnonzero(ing & (plan[name] >= 0)) for name in ("lv_l", "lv_r", "ov_l", "ov_r")}
        groups.append((cells, ends))
    r2, keep = plan["r2"], plan["keep"]
    out = {
        "groups": groups,
        "std_lv": [(np.flatnonzero(m), by, how) for m, by, how in (
                   (load, None, "*l"), (load & lvr, None, "/r"), (reg & lvl, None, "/l"), (reg & lvr, None, "*r"),
                   (cov & same & lvr, None, "/lr"), (cov & ~same & lvl, "rv_l", "/"), (cov & ~same & lvr, "rv_r", "/"),
                   (mean & lvl, None, "/l"))],
        "std_all": [(np.flatnonzero(m), by, how) for m, by, how in (
                    (load & ~lvr, "ov_r", "/"), (reg & ovl, "ov_l", "/"), (reg & ovr, "ov_r", "*"),
                    (cov & ~lvl & same, "ov2_l", "/"), (cov & ~lvl & ~same, "rv_l", "/"),
                    (cov & ~lvl & ~same & ~lvr, "rv_r", "/"), (cov & lvl & ~lvr & ~same, "rv_r", "/"),
                    (mean & ~lvl, "ov_l", "/"))],
        "free_rows": (np.flatnonzero(cols["free"] > 0), cols["free"][cols["free"] > 0] - 1),
        "has_se": (cols["free"] > 0) | (op == ":="),
        # the label columns, the same for every solution (acsi.frames.text: built once)
        "labels": {
            "lhs": text(np.concatenate([cols["lhs"][keep], cols["lhs"][r2]])),
            "op": text(np.concatenate([op[keep], np.full(r2.size, "r2", dtype=object)])),
            "rhs": text(np.concatenate([cols["rhs"][keep], cols["lhs"][r2]])),
            "group": np.concatenate([grp[keep], grp[r2]]),
            "label": text(np.concatenate([cols["label"][keep], np.full(r2.size, "", dtype=object)])),
        },
        "free": np.concatenate([(cols["free"] > 0)[keep], np.zeros(r2.size, dtype=bool)]).astype(bool),
    }
    plan["masks"] = out
    return out


def _cell_values(model, theta: np.ndarray, exo: list) -> tuple[np.ndarray, list]:
    """Every table row's value from the group matrices, and the matrices per group."""
    plan = model.plan
    r, c = model.cols["row"], model.cols["col"]
    est = np.full(plan["kind"].size, np.nan)
    mats = []
    for g, (cells, _ends) in enumerate(_masks(model)["groups"]):
        M = tuple(a[0] for a in model.matrices_of(theta[None], g, exo[g]))
        mats.append(M)
        for k in range(len(M)):
            sel = cells[k]
            est[sel] = M[k][r[sel]] if M[k].ndim == 1 else M[k][r[sel], c[sel]]
    return est, mats


def _set_expressions(model, out: np.ndarray, theta: np.ndarray) -> None:
    """The ``:=`` and constraint rows of ``out`` from the free parameters ``theta``."""
    if model.defined:
        out[model.plan["defined"]] = model.defined_values(theta[None])[0]
    if model.constraints:
        out[model.plan["constraints"]] = np.real(model.constraint_values(theta[None]))[0]


def standardized(model, est: np.ndarray, mats: list) -> tuple[np.ndarray, np.ndarray]:
    """``std_lv`` and ``std_all`` of every table row (module docstring; lavaan's
    ``lav_standardize_lv`` / ``lav_standardize_all`` with ``cov.std = TRUE``)."""
    plan, masks = model.plan, _masks(model)
    n = est.size
    scale = {name: np.full(n, np.nan) for name in ("eta_l", "eta_r", "ov_l", "ov_r", "ov2_l")}
    eps = np.finfo(float).eps
    for g, gm in enumerate(model.groups):
        L, B, P, T = mats[g][:4]
        C = np.linalg.inv(np.eye(gm.m) - B)
        A = C @ P @ C.T
        va = np.diag(A)
        eta = np.sqrt(np.where(va >= 0, va, np.nan))
        v2 = np.diag(L @ A @ L.T + T).copy()
        v2[np.abs(v2) < eps] = np.nan
        sd = np.sqrt(np.where(v2 >= 0, v2, np.nan))
        ends = masks["groups"][g][1]
        for dst, src, idx in (("eta_l", eta, "lv_l"), ("eta_r", eta, "lv_r"), ("ov_l", sd, "ov_l"),
                              ("ov_r", sd, "ov_r"), ("ov2_l", v2, "ov_l")):
            sel = ends[idx]
            scale[dst][sel] = src[plan[idx][sel]]
    rv = lambda idx: np.where(idx >= 0, np.sqrt(np.abs(est[np.maximum(idx, 0)])), np.nan)  # noqa: E731
    scale["rv_l"], scale["rv_r"] = rv(plan["rv_l"]), rv(plan["rv_r"])
    eta_l, eta_r = scale["eta_l"], scale["eta_r"]
    with np.errstate(divide="ignore", invalid="ignore"):
        v = est.copy()
        for m, by, how in masks["std_lv"]:
            if how == "*l":
                v[m] *= eta_l[m]
            elif how == "/r":
                v[m] /= eta_r[m]
            elif how == "/l":
                v[m] /= eta_l[m]
            elif how == "*r":
                v[m] *= eta_r[m]
            elif how == "/lr":
                v[m] /= eta_l[m] * eta_r[m]
            else:
                v[m] /= scale[by][m]
        w = v.copy()
        for m, by, how in masks["std_all"]:
            if how == "*":
                w[m] *= scale[by][m]
            else:
                w[m] /= scale[by][m]
    # defined parameters and constraints at the standardised free parameters
    for out in (v, w):
        _set_expressions(model, out, out[model.param_rows])
    return v, w


def estimate_table(model, theta: np.ndarray, vcov: np.ndarray | None, exo: list, *, level: float = 0.95) -> pd.DataFrame:
    """lavaan's ``parameterEstimates(standardized = TRUE, rsquare = TRUE)`` for one solution
    (see the module docstring): the frame of :func:`estimate_columns`."""
    return table(estimate_columns(model, theta, vcov, exo, level=level))


def estimate_columns(model, theta: np.ndarray, vcov: np.ndarray | None, exo: list, *, level: float = 0.95) -> dict:
    """The columns of :func:`estimate_table` by name (numpy arrays and the model's label
    columns), before they are made a frame.

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
    plan, masks = model.plan, _masks(model)
    theta = np.asarray(theta, dtype=float)
    est, mats = _cell_values(model, theta, exo)
    _set_expressions(model, est, theta)
    se = np.full(est.size, np.nan)
    if vcov is not None:
        d = np.diag(vcov).copy()
        # a parameter pinned by an active constraint has variance 0 up to rounding
        d[(d < 0) & (d > -1e-12 * max(np.abs(d).max(), 1e-300))] = 0.0
        sd = np.where(d >= 0, np.sqrt(np.abs(d)), np.nan)
        rows, at = masks["free_rows"]
        se[rows] = sd[at]
        if model.defined:
            J = model.defined_jacobian(theta)
            dd = np.diag(J @ vcov @ J.T)
            se[plan["defined"]] = np.where(dd >= 0, np.sqrt(np.abs(dd)), np.nan)
    std_lv, std_all = standardized(model, est, mats)
    has_se = masks["has_se"]
    se = np.where(has_se & (se < _SQRT_EPS), 0.0, se)
    zq = float(special.ndtri(1 - (1 - level) / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se >= _SQRT_EPS, est / se, np.nan)
    keep = plan["keep"]
    r2 = plan["r2"]
    r2v = 1.0 - std_all[r2]
    nan = np.full(r2.size, np.nan)

    def col(x, fill):
        return np.concatenate([x[keep], fill])

    data = {  # the label columns are the model's, the same for every unit: built once (_masks)
        **masks["labels"],
        "est": col(est, np.where(r2v <= 1, r2v, np.nan)), "se": col(se, nan), "z": col(z, nan),
        "pvalue": col(2 * special.ndtr(-np.abs(z)), nan),
        "ci_lower": col(np.where(has_se, est - zq * se, est), nan),
        "ci_upper": col(np.where(has_se, est + zq * se, est), nan),
        "std_lv": col(std_lv, nan), "std_all": col(std_all, nan),
        "free": masks["free"],
    }
    if len(model.groups) == 1:
        del data["group"]
    return data


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
