"""Direct, indirect and total effects of a fitted ML model, and the ACSI impacts.

With ``B`` the structural matrix of a group (``B[to, from]``, latents and the phantom latents
of observed structural variables), the effects of every variable on every other one are
(Bollen 1987; lavaan users write them with ``:=``)::

    direct = B,    total = (I − B)⁻¹ − I = B + B² + ...,    indirect = total − direct

Standardised: ``std_all`` multiplies an effect of ``f`` on ``t`` by ``sd(f)/sd(t)`` (model-implied
standard deviations, latent or observed), ``std_lv`` does so for latent ends only (an observed
variable keeps its units), as lavaan's ``standardizedSolution``.  Standard errors by the delta
method, ``se = sqrt(diag(J V Jᵀ))`` with ``J`` the Jacobian of the effects over θ (complex
step, :func:`acsi.estimate.expressions.complex_step`) and ``V`` the covariance of θ̂; the
standardised effects' Jacobians include the implied variances.  ``J`` is taken over the
parameters in ``Λ``, ``B`` and ``Ψ`` (the effects and impacts depend on no others: the other
columns are exactly 0), and ``diag(J V Jᵀ)`` is the row-wise inner product of ``J V`` with ``J``.

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
them into the results.  :class:`EffectsAt` evaluates them at one θ̂: what does not depend on θ
(the reachable pairs, where each parameter goes in ``Λ``, ``B``, ``Ψ``, the label columns) is
compiled once per model, and the effects and impacts tables of a unit share the matrices at θ̂
and one complex-step batch.  :func:`total_effects` (one matrix or a stack) is the one implementation
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

import weakref

import numpy as np
import pandas as pd
from scipy import special

from ..errors import EstimationError, InvalidParameterError
from ..frames import table
from .expressions import complex_step
from .mlfast import LOADING, PATH, PSI, RamModel

__all__ = ["EffectsAt", "acsi_impacts", "effect_pairs", "effects", "impact_values", "scale_factors", "total_effects",
           "total_effects_from_estimates"]


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


def _reach(gm) -> list[tuple[int, int]]:
    """(from, to) pairs joined by at least one directed path of the group's structural model."""
    adj = (gm.B0 != 0).astype(int)
    sel = gm.kind == PATH
    adj[gm.row[sel], gm.col[sel]] = 1
    reach = np.zeros_like(adj)
    power = np.eye(gm.m, dtype=int)
    for _ in range(gm.m):
        power = (adj @ power > 0).astype(int)
        reach |= power
    return [(f, t) for f in range(gm.m) for t in range(gm.m) if reach[t, f] and f != t]


def _names(values) -> object:
    """A column of labels as the DataFrame constructor would make it from a list (pandas 3: its
    ``str`` dtype; pandas 2: object), built once so a table's construction only copies it."""
    return pd.Series(list(values), dtype=None if len(values) else object).array


class _Structure:
    """What the effects and impacts of one group of a compiled model do not need θ for, built once
    per (model, group) (:func:`_structure`): the reachable pairs, where each free parameter (and
    each covariate moment fixed at its sample value) goes in ``Λ``, ``B`` and ``Ψ``, the items'
    block indicator and the label columns of the tables.  The placement writes the same values
    into the same cells as :meth:`GroupModel.matrices` (it is that placement, flattened)."""

    def __init__(self, model: RamModel, group: int):
        gm = model.groups[group - 1]
        self.gm, self.g, self.m, self.p = gm, group - 1, gm.m, gm.p
        self.multigroup = len(model.groups) > 1
        self.pairs = _reach(gm)
        self.f = np.array([p[0] for p in self.pairs], dtype=int)
        self.t = np.array([p[1] for p in self.pairs], dtype=int)
        # the parameters that enter Λ, B or Ψ: the effects and impacts depend on no others, so their
        # Jacobians are taken over these alone (the other columns are exactly 0)
        cell_param = model.cells(np.arange(len(model.labels))[None], group - 1)[0]
        self.dparams = np.unique(cell_param[np.isin(gm.kind, (LOADING, PATH, PSI))])
        self.used = np.array(sorted({j for p in self.pairs for j in p}), dtype=int)  # every latent on a path
        self.fill = {}
        for k, base in ((LOADING, gm.L0), (PATH, gm.B0), (PSI, gm.P0)):
            s = np.flatnonzero(gm.kind == k)
            ncol = base.shape[1]
            dst, src = gm.row[s] * ncol + gm.col[s], s
            if k == PSI:  # symmetric: the mirror cell too (the diagonal twice, with the same value)
                dst, src = np.concatenate([dst, gm.col[s] * ncol + gm.row[s]]), np.concatenate([s, s])
            self.fill[k] = (base.ravel(), dst, src, base.shape)
        e = np.flatnonzero(gm.exo_kind == PSI)  # the covariates' moments in Ψ (the others are not in Λ, B, Ψ)
        i, j = gm.exo_row[e], gm.exo_col[e]
        self.exo_dst = np.concatenate([i * gm.m + j, j * gm.m + i])
        self.exo_src = np.concatenate([e, e])
        self.ind = gm.L0 != 0  # each observed variable's own block (its loadings' cells)
        self.ind[gm.row[gm.kind == LOADING], gm.col[gm.kind == LOADING]] = True
        self.eye = np.eye(gm.m)
        lv = gm.lv
        self.effect_from = _names([lv[f] for f, _ in self.pairs for _e in range(3)])
        self.effect_to = _names([lv[t] for _f, t in self.pairs for _e in range(3)])
        self.effect_kind = _names(["direct", "indirect", "total"] * len(self.pairs))
        self.driver = _names([lv[f] for f, _ in self.pairs])
        self.target = _names([lv[t] for _, t in self.pairs])


_STRUCTURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _structure(model: RamModel, group: int) -> _Structure:
    """The model's :class:`_Structure` of ``group`` (1-based), built on first use; a compiled model
    is never changed after compilation, so it is kept as long as the model lives."""
    _group(model, group)
    try:
        per = _STRUCTURES.setdefault(model, {})
    except TypeError:  # not weak-referenceable
        return _Structure(model, group)
    st = per.get(group)
    if st is None:
        st = per[group] = _Structure(model, group)
    return st


def _pairs(model: RamModel, group: int) -> list[tuple[int, int]]:
    """(from, to) pairs joined by at least one directed path of the structural model."""
    return list(_structure(model, group).pairs)


def effect_pairs(model: RamModel, group: int = 1) -> list[tuple[int, int]]:
    """``(from, to)`` positions (in the group's ``lv``: latents, then phantom latents of observed
    structural variables) joined by at least one directed path: the pairs of :func:`effects`
    and :func:`acsi_impacts`."""
    return _pairs(model, group)


def _place(st: _Structure, kind: int, cells: np.ndarray) -> np.ndarray:
    """Matrix ``kind`` of the group for a batch of cell vectors (R × q), dtype of ``cells``."""
    base, dst, src, shape = st.fill[kind]
    X = np.empty((cells.shape[0], base.size), dtype=cells.dtype)
    X[:] = base
    X[:, dst] = cells[:, src]
    return X.reshape((cells.shape[0],) + shape)


class _Batch:
    """``B``, ``T = (I − B)⁻¹ − I`` and (on demand) ``Λ`` and ``Ψ`` of one group for a batch of θ."""

    def __init__(self, st: _Structure, model: RamModel, theta: np.ndarray, exo: np.ndarray | None):
        self.st, self.exo = st, exo
        self.cells = model.cells(theta, st.g)
        self.B = _place(st, PATH, self.cells)
        self.T = total_effects(self.B)
        self._L = self._P = None

    @property
    def L(self) -> np.ndarray:
        if self._L is None:
            self._L = _place(self.st, LOADING, self.cells)
        return self._L

    @property
    def P(self) -> np.ndarray:
        if self._P is None:
            P = _place(self.st, PSI, self.cells)
            if self.exo is not None and self.st.exo_dst.size:
                P.reshape(P.shape[0], -1)[:, self.st.exo_dst] = self.exo[:, self.st.exo_src]
            self._P = P
        return self._P


def _effect_parts(b: _Batch, std_lv: bool = True):
    """Direct, indirect, total (R × 3 × pairs), their ``std_lv`` (None unless ``std_lv``) and
    ``std_all`` forms."""
    st = b.st
    f, t = st.f, st.t
    C = b.T + st.eye
    A = C @ b.P @ np.swapaxes(C, 1, 2)
    with np.errstate(invalid="ignore"):  # a negative implied variance (an inadmissible solution: flagged by the
        sd = np.sqrt(np.diagonal(A, axis1=1, axis2=2))  # status rules) has no standardised effect: NaN
    sd_lv = np.where(st.gm.phantom, 1.0, sd) if std_lv else None
    direct = b.B[:, t, f]
    total = b.T[:, t, f]
    raw = np.stack([direct, total - direct, total], axis=1)  # R × 3 × pairs
    lv = raw * (sd_lv[:, f] / sd_lv[:, t])[:, None, :] if std_lv else None
    al = raw * (sd[:, f] / sd[:, t])[:, None, :]
    return raw, lv, al


def _scale_of(st: _Structure, L: np.ndarray, w: np.ndarray, span: np.ndarray) -> np.ndarray:
    """0-100 points per latent unit from a batch of ``Λ`` (R × p × m) (:func:`_scale_values`)."""
    w = np.asarray(w, dtype=float)
    W = np.where(st.ind, w[..., :, None], 0.0)  # items weighted within their own block: (p|R×p) × m
    W = np.broadcast_to(W, L.shape)
    num = 100.0 * np.einsum("rpm,rpm->rm", W, L)
    den = np.einsum("rpm,p->rm", W, span)
    return num / np.where(den > 0, den, np.nan)


def _impacts_of(b: _Batch, s: np.ndarray, rise: float, f: np.ndarray, t: np.ndarray) -> np.ndarray:
    return rise * b.T[:, t, f] * s[:, t] / s[:, f]


def _delta_se(J: np.ndarray, vcov: np.ndarray) -> np.ndarray:
    """``sqrt(diag(J V Jᵀ))``, NaN where the quadratic form is negative (``J V`` by BLAS, then each
    row's inner product with its row of ``J``)."""
    d = np.einsum("ij,ij->i", J @ vcov, J)
    return np.sqrt(np.where(d >= 0, d, np.nan))


def _check_rise(rise) -> None:
    if not (isinstance(rise, (int, float)) and np.isfinite(rise) and rise != 0):
        raise InvalidParameterError(f"The 'rise' parameter of acsi_impacts must be a non-zero number. Got {rise!r} instead.")


def _wald(est: np.ndarray, se: np.ndarray, level: float, tol: float) -> dict:
    """``z`` (NaN unless ``se > tol``), two-sided p-value and the Wald interval at ``level``."""
    zq = float(special.ndtri(1 - (1 - level) / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > tol, est / se, np.nan)
    return {"z": z, "pvalue": 2 * special.ndtr(-np.abs(z)), "ci_lower": est - zq * se, "ci_upper": est + zq * se}


class EffectsAt:
    """The effects and ACSI impacts of one group of a compiled model at one θ̂ (module docstring).

    :func:`effects` and :func:`acsi_impacts` are this class's two tables; a caller that wants both
    (:func:`acsi.estimate.semtables.unit_tables`) makes one, so the two share the matrices at θ̂
    and the complex-step batch of their delta-method Jacobians
    (:func:`acsi.estimate.expressions.complex_step`: one evaluation of ``B``, ``(I − B)⁻¹``, ``Λ``
    and ``Ψ`` for every parameter's step, not one per table).

    Parameters
    ----------
    model : RamModel
    theta : ndarray (npar,)
    group : int
        1-based group.
    exo : ndarray, optional
        The group's covariate moments fixed at their sample values (``GroupModel.exo_values``);
        the standardised effects need them when the model has such covariates.
    """

    def __init__(self, model: RamModel, theta: np.ndarray, *, group: int = 1, exo=None):
        self.model, self.group = model, group
        self.st = _structure(model, group)
        self.theta = np.asarray(theta, dtype=float)
        self.exo = None if exo is None else np.asarray(exo, dtype=float).reshape(1, -1)
        self._at = self._steps = None

    def __reduce__(self):  # θ̂ and the model (a compiled model pickles as its spec and options): the rest is remade
        return (_effects_at, (self.model, self.theta, self.group, self.exo))

    @property
    def at(self) -> _Batch:
        """The matrices at θ̂ (a batch of one)."""
        if self._at is None:
            self._at = _Batch(self.st, self.model, self.theta[None], self.exo)
        return self._at

    @property
    def steps(self) -> tuple[_Batch, float]:
        """The complex-step batch (one row per parameter in ``Λ``, ``B`` or ``Ψ``) and its step ``h``."""
        if self._steps is None:
            batch, h = complex_step(self.theta, self.st.dparams)
            exo = None if self.exo is None else np.broadcast_to(self.exo, (batch.shape[0], self.exo.shape[-1]))
            self._steps = (_Batch(self.st, self.model, batch, exo), h)
        return self._steps

    def _vsub(self, vcov: np.ndarray) -> np.ndarray:
        """The covariance of the parameters the Jacobians are taken over."""
        d = self.st.dparams
        vcov = np.asarray(vcov, dtype=float)
        return vcov if d.size == vcov.shape[0] else vcov[np.ix_(d, d)]

    def effects(self, vcov: np.ndarray | None, *, level: float = 0.95) -> pd.DataFrame:
        """The table of :func:`effects`."""
        cols = self.effect_columns(vcov, level=level)
        if cols is None:
            return pd.DataFrame(columns=["from", "to", "effect", "est", "se", "z", "pvalue", "ci_lower", "ci_upper",
                                         "std_lv", "std_all", "se_std_all"])
        return table(cols)

    def effect_columns(self, vcov: np.ndarray | None, *, level: float = 0.95) -> dict | None:
        """The columns of :meth:`effects` (``table(cols)`` is the table; None: no structural paths),
        for a caller that builds the frame later (:func:`acsi.estimate.semtables.unit_table_columns`)."""
        st = self.st
        if st.gm.has_exo and self.exo is None:
            raise InvalidParameterError("The 'exo' parameter of effects must be the covariates' sample moments for this "
                                        "model (it fixes covariates at their sample values). Got None instead.")
        k = len(st.pairs)
        if not k:
            return None
        raw, lv, al = (v[0] for v in _effect_parts(self.at))  # 3 (direct, indirect, total) × pairs
        se_raw = se_all = np.full((3, k), np.nan)
        if vcov is not None:
            b, h = self.steps
            draw, _, dal = _effect_parts(b, std_lv=False)  # the SEs are of the raw and std_all effects
            J = (np.concatenate([draw, dal], axis=1).reshape(draw.shape[0], -1).imag / h).T
            se = _delta_se(J, self._vsub(vcov)).reshape(2, 3, k)
            se_raw, se_all = se[0], se[1]
        est, s = raw.T.ravel(), se_raw.T.ravel()  # rows: pair by pair, direct/indirect/total
        cols = {"from": st.effect_from, "to": st.effect_to, "effect": st.effect_kind, "est": est, "se": s}
        cols.update(_wald(est, s, level, np.sqrt(np.finfo(float).eps)))
        cols.update({"std_lv": lv.T.ravel(), "std_all": al.T.ravel(), "se_std_all": se_all.T.ravel()})
        return self._grouped(cols)

    def impacts(self, vcov: np.ndarray | None, *, weights, lo, hi, rise: float = 5.0, level: float = 0.95,
                keep: np.ndarray | None = None) -> pd.DataFrame:
        """The table of :func:`acsi_impacts`; ``keep`` (a bool per pair) leaves rows out."""
        return table(self.impact_columns(vcov, weights=weights, lo=lo, hi=hi, rise=rise, level=level, keep=keep))

    def impact_columns(self, vcov: np.ndarray | None, *, weights, lo, hi, rise: float = 5.0, level: float = 0.95,
                       keep: np.ndarray | None = None) -> dict:
        """The columns of :meth:`impacts` (``table(cols)`` is the table)."""
        _check_rise(rise)
        st = self.st
        gm = st.gm
        w, lo_, hi_ = (_item_vector(gm, v, n) for v, n in ((weights, "weights"), (lo, "lo"), (hi, "hi")))
        span = hi_ - lo_
        at = self.at
        s = _scale_of(st, at.L, w, span)
        s0 = s[0]
        ok = np.isfinite(s0[st.used]) & (s0[st.used] != 0)
        if not ok.all():
            bad = [gm.lv[j] for j in st.used[~ok]]
            raise EstimationError(f"no 0-100 scale for {bad}: their items have no positive weight (or a zero loading); "
                                  "impacts need the weights of every latent on a path")
        f, t = st.f, st.t
        imp = _impacts_of(at, s, rise, f, t)[0]
        total = at.T[0, t, f]
        se = np.full(len(st.pairs), np.nan)
        if vcov is not None:
            b, h = self.steps
            J = (_impacts_of(b, _scale_of(st, b.L, w, span), rise, f, t).imag / h).T
            se = _delta_se(J, self._vsub(vcov))
        cols = {"driver": st.driver, "target": st.target, "total": total, "scale_driver": s0[f],
                "scale_target": s0[t], "impact": imp, "se": se}
        cols.update(_wald(imp, se, level, 0.0))
        if keep is not None:
            cols = {c: v[keep] for c, v in cols.items()}
        return self._grouped(cols)

    def _grouped(self, cols: dict) -> dict:
        """``cols`` with the group column in front in a multigroup model."""
        if self.st.multigroup:
            n = len(next(iter(cols.values())))
            cols = {"group": np.full(n, self.group, dtype=np.int64), **cols}
        return cols


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
    return EffectsAt(model, theta, group=group, exo=exo).effects(vcov, level=level)


def _scale_values(model: RamModel, theta: np.ndarray, group: int, w: np.ndarray, span: np.ndarray) -> np.ndarray:
    """0-100 points per latent unit, for a batch of θ (R × m); ``w`` one weight per observed
    variable (p) or one row per θ (R × p: each bootstrap replicate's own weights)."""
    st = _structure(model, group)
    return _scale_of(st, _place(st, LOADING, model.cells(np.atleast_2d(theta), st.g)), w, span)


def impact_values(model: RamModel, theta: np.ndarray, w: np.ndarray, span: np.ndarray, pairs, *,
                  rise: float = 5.0, group: int = 1) -> np.ndarray:
    """ACSI impacts ``rise · total(d → t) · s_t / s_d`` (module docstring) of the ``pairs``
    ``(driver, target)`` (latent positions of the group) for a batch of θ (R × npar): R × pairs.
    ``w`` is one weight per observed variable or one row per θ (the bootstrap's replicates);
    the one implementation behind :func:`acsi_impacts` and the bootstrap's impacts."""
    st = _structure(model, group)
    f = np.array([p[0] for p in pairs], dtype=int)
    t = np.array([p[1] for p in pairs], dtype=int)
    b = _Batch(st, model, np.atleast_2d(theta), None)
    return _impacts_of(b, _scale_of(st, b.L, w, span), rise, f, t)


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
    _check_rise(rise)
    return EffectsAt(model, theta, group=group).impacts(vcov, weights=weights, lo=lo, hi=hi, rise=rise, level=level)


def _effects_at(model, theta, group, exo) -> EffectsAt:
    return EffectsAt(model, theta, group=group, exo=exo)
