"""acsi's maximum-likelihood engine: a parameter table compiled into LISREL matrices, fitted by
batched Newton steps with analytic derivatives.

The bootstrap refits one model to thousands of resampled covariance matrices.  semopy
rebuilds its model and runs SLSQP from scratch for each; here the model is compiled once from
its parameter table (:class:`acsi.spec.ParTable`, lavaan's ``parTable()``) and every replicate
of a batch is fitted at the same time, warm-started from the full-sample estimate, with numpy
``einsum``/batched ``matmul``.

Model (lavaan's LISREL representation, per group ``g``)::

    Σ(θ) = Λ C Ψ Cᵀ Λᵀ + Θ,   μ(θ) = ν + Λ C α,   C = (I − B)⁻¹

Every row of the table with a matrix cell (``mat, row, col``) is a cell of ``Λ`` (items ×
latents), ``Β`` (``B[to, from]``), ``Ψ``, ``Θ`` and, with a mean structure, ``ν``, ``α``: a
free parameter (``free = k``: θ_k), a fixed value (``ustart``: marker loadings, a single
indicator's zero residual, user values ``0.8*x``) or, for ``exo`` rows (``fixed.x``), a sample
moment of the exogenous covariates filled in from the data of each fit.  Observed variables of
the structural part are *phantom* latents (same name as the variable): loading fixed at 1,
residual variance 0 (lavaan's representation); :class:`GroupModel` sets those implied cells.

Constraints (``==`` rows, and the ``user = 2`` rows of shared labels): linear equalities are
solved by reparametrisation ``θ = K x + k0`` (``K`` a basis of the null space of the
constraint matrix, lavaan's ``lav_constraints_R2K``), so the optimiser works on the free
directions ``x``; nonlinear equalities and inequalities (``<``, ``>``) go to SLSQP with the
analytic gradient (:func:`fit_constrained`).

Discrepancy (ML, per group; ``S`` the covariance with denominator N, ``x̄`` the mean)::

    F_g(θ) = log|Σ| + tr(S Σ⁻¹) − log|S| − p + (x̄ − μ)ᵀ Σ⁻¹ (x̄ − μ),    F = Σ_g (n_g/N) F_g

Every parameter enters ``Σ`` through a rank-two derivative ``∂Σ/∂θ_k = s_k (u_k v_kᵀ + v_k u_kᵀ)``
(``s_k = ½`` for a variance, 1 otherwise), with ``M = Λ C Ψ Cᵀ`` and ``G = Λ C``, and ``μ``
through a rank-one one ``∂μ/∂θ_k = c_k w_k`` (``a = C α``):

==================  ==============  ==============  ==============
parameter           u_k             v_k             c_k w_k
==================  ==============  ==============  ==============
loading λ_ij        e_i             M[:, j]         a_j e_i
path B[t, f]        G[:, t]         M[:, f]         a_f G[:, t]
Ψ[a, b]             G[:, a]         G[:, b]         0
Θ[i, j]             e_i             e_j             0
ν_i                 (none)          (none)          e_i
α_a                 (none)          (none)          G[:, a]
==================  ==============  ==============  ==============

so, with ``K = Σ⁻¹``, ``d = x̄ − μ``, ``h = K d``, ``T = S + d dᵀ`` and ``W = K − K T K``, the
gradient and the expected information (Fisher information of F; ``(N/2)·H`` is the information
of the log-likelihood) are::

    g_k  = 2 s_k u_kᵀ W v_k − 2 c_k w_kᵀ h
    H_kl = tr(K ∂Σ_k K ∂Σ_l) + 2 c_k c_l w_kᵀ K w_l
         = 2 s_k s_l [(UKVᵀ)_kl (UKVᵀ)_lk + (UKUᵀ)_kl (VKVᵀ)_kl] + 2 c_k c_l w_kᵀ K w_l

Every replicate still active takes a Newton step ``δ = −Hobs⁻¹ g`` with the exact Hessian
of F (:func:`gradient_information`) when that is a descent direction, else a Fisher-scoring
step ``δ = −H⁻¹ g``, with a backtracking (Armijo) line search on ``F``; a replicate is
converged after a Newton step smaller than ``newton_xtol`` (1e-6; the error left is of order
δ², 1e-12) or any step smaller than ``xtol``.  Standard errors are lavaan's expected-information
ones, ``sqrt(diag((2/N) H⁻¹))`` (:func:`parameter_vcov`, with constraints lavaan's augmented
information).

References: Jöreskog (1973) for the LISREL form and the ML discrepancy; Lee & Jennrich
(1979) for Fisher scoring / Gauss-Newton in covariance structure analysis; lavaan's
``lav_model_gradient``, ``lav_model_information`` and ``lav_model_vcov`` compute the same
quantities.

Example
-------
>>> import acsi, numpy as np                                           # doctest: +SKIP
>>> model = RamModel(acsi.load_model("acsi"))                          # doctest: +SKIP
>>> fit = fit_covariances(model, S_batch, start=theta_hat)             # doctest: +SKIP
>>> fit.theta.shape                                                    # (replicates, parameters)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import linalg as sla
from scipy import optimize

from ..errors import EstimationError
from ..spec import ModelSpec
from .expressions import compile_expression, jacobian
from .mlresult import result_from_theta
from .result import SEMResult
from .samplestats import SampleStats, check_sample_cov

__all__ = [
    "BatchFit",
    "GroupModel",
    "RamModel",
    "admissible_batch",
    "blas_single_thread",
    "check_sample_cov",
    "compile_model",
    "compiled_model",
    "fit_constrained",
    "fit_covariances",
    "fit_sem_fast",
    "gradient",
    "fit_stats",
    "gradient_information",
    "implied",
    "information",
    "moment_jacobian",
    "parameter_vcov",
    "sample_moments",
    "sem_result_from_cov",
    "start_values",
]

LOADING, PATH, PSI, THETA, NU, ALPHA = 0, 1, 2, 3, 4, 5
#: parameter-table ``mat`` -> matrix kind
MATRICES = {"lambda": LOADING, "beta": PATH, "psi": PSI, "theta": THETA, "nu": NU, "alpha": ALPHA}
#: lavaan's slack below which an inequality constraint counts as active (``nlminb.constr``)
INEQ_SLACK = 1e-5


# ============================================================================ compiled model
def _layout_names(layout) -> tuple[list[str], list[str]]:
    get = (lambda k: getattr(layout, k)) if hasattr(layout, "ov") else (lambda k: layout[k])
    return list(get("ov")), list(get("lv"))


class GroupModel:
    """One group's LISREL structure compiled into index arrays.

    Attributes
    ----------
    ov, lv : list of str
        Rows of ``Σ`` (lavaan's observed-variable order) and of ``Ψ`` (latents, then phantom
        latents of observed structural variables).  ``items``/``latents`` are aliases.
    q : int
        Number of free cells; ``pidx`` their parameter index (0-based ``free − 1``).
    kind, row, col : int arrays
        Matrix (``LOADING, PATH, PSI, THETA, NU, ALPHA``) and position of each free cell.
    meanstructure : bool
    phantom : bool array (m,)
        Latents that stand for an observed variable.
    """

    def __init__(self, cols: dict, rows: np.ndarray, ov, lv, group: int = 1, meanstructure: bool | None = None):
        self.group = int(group)
        self.ov, self.lv = list(ov), list(lv)
        self.items, self.latents = self.ov, self.lv
        p, m = len(self.ov), len(self.lv)
        self.p, self.m = p, m
        ovi = {x: i for i, x in enumerate(self.ov)}
        self.phantom = np.array([x in ovi for x in self.lv], dtype=bool)
        base = {LOADING: np.zeros((p, m)), PATH: np.zeros((m, m)), PSI: np.zeros((m, m)),
                THETA: np.zeros((p, p)), NU: np.zeros(p), ALPHA: np.zeros(m)}
        for j, x in enumerate(self.lv):
            if x in ovi:
                base[LOADING][ovi[x], j] = 1.0
        free, exo = [], []
        op = cols["op"]
        self.meanstructure = bool((op[rows] == "~1").any()) if meanstructure is None else bool(meanstructure)
        lam_of = {}
        for n in rows:
            what = f"parameter-table row {cols['id'][n]} ({cols['lhs'][n]} {op[n]} {cols['rhs'][n]})"
            mat = cols["mat"][n]
            if not mat:
                if op[n] in ("=~", "~", "~~", "~1"):
                    raise EstimationError(f"{what} has no matrix cell; the table is malformed: rebuild it with "
                                          "acsi.spec.build_partable")
                continue
            if mat not in MATRICES:
                raise EstimationError(f"{what} is in matrix {mat!r}, which the ML engine does not know "
                                      f"(known: {', '.join(MATRICES)})")
            k, i, j = MATRICES[mat], int(cols["row"][n]), int(cols["col"][n])
            if k in (PSI, THETA) and i < j:
                i, j = j, i
            if k == LOADING:
                lam_of.setdefault(i, j)
            if cols["free"][n] > 0:
                free.append((int(cols["free"][n]) - 1, k, i, j, int(n)))
            elif cols["exo"][n] == 1:
                names = self.lv if k in (PSI, ALPHA) else self.ov
                try:
                    si = ovi[names[i]]
                    sj = ovi[names[j]] if k in (PSI, THETA) else -1
                except KeyError:
                    raise EstimationError(f"{what} is fixed at a sample moment (exo = 1) but is not a moment of "
                                          "observed variables") from None
                exo.append((k, i, j, si, sj))
            else:
                v = float(cols["ustart"][n])
                if not np.isfinite(v):
                    raise EstimationError(f"{what} is fixed but has no value (ustart is NaN): give it a value or free it")
                if k in (NU, ALPHA):
                    base[k][i] = v
                else:
                    base[k][i, j] = v
                    if k in (PSI, THETA):
                        base[k][j, i] = v
        free.sort()
        self.pidx = np.array([f[0] for f in free], dtype=np.int64)
        self.kind = np.array([f[1] for f in free], dtype=np.int64)
        self.row = np.array([f[2] for f in free], dtype=np.int64)
        self.col = np.array([f[3] for f in free], dtype=np.int64)
        self.frame_rows = np.array([f[4] for f in free], dtype=np.int64)
        self.q = len(free)
        self.L0, self.B0, self.P0, self.T0 = base[LOADING], base[PATH], base[PSI], base[THETA]
        self.nu0, self.al0 = base[NU], base[ALPHA]
        self.has_exo = bool(exo)
        e = np.array(exo, dtype=np.int64).reshape(-1, 5)
        self.exo_kind, self.exo_row, self.exo_col, self.exo_i, self.exo_j = (e[:, c] for c in range(5))
        if not self.meanstructure and (self.exo_kind >= NU).any():
            raise EstimationError("an exogenous mean is fixed (exo = 1) in a model without a mean structure")
        kind, row, col = self.kind, self.row, self.col
        self.scale = np.where(((kind == PSI) | (kind == THETA)) & (row == col), 0.5, 1.0)
        self.scale[kind >= NU] = 0.0  # no covariance derivative
        uix = np.zeros(self.q, dtype=np.int64)
        vix = np.zeros(self.q, dtype=np.int64)
        for k in range(self.q):
            r, c = row[k], col[k]
            if kind[k] == LOADING:
                uix[k], vix[k] = r, p + c
            elif kind[k] == PATH:
                uix[k], vix[k] = p + m + r, p + c
            elif kind[k] == PSI:
                uix[k], vix[k] = p + m + r, p + m + c
            elif kind[k] == THETA:
                uix[k], vix[k] = r, c
        self.uix, self.vix = uix, vix
        self.uv_index = np.concatenate([uix, vix])
        self.scale_outer = np.outer(self.scale, self.scale)
        self._sel = {k: np.flatnonzero(kind == k) for k in (LOADING, PATH, PSI, THETA, NU, ALPHA)}
        # mean-structure derivative dμ/dθ_k = c_k w_k (module docstring)
        self.m_w = np.where(kind == NU, row, np.where(kind == ALPHA, p + m + row,
                            np.where(kind == LOADING, row, np.where(kind == PATH, p + m + row, 0))))
        self.m_one = np.flatnonzero((kind == NU) | (kind == ALPHA))
        self.m_acell = np.flatnonzero((kind == LOADING) | (kind == PATH))
        self.m_acol = col[self.m_acell]
        self.latent_of_item = np.array([lam_of.get(i, -1) for i in range(p)], dtype=np.int64)
        for j, x in enumerate(self.lv):
            if x in ovi and self.latent_of_item[ovi[x]] < 0:
                self.latent_of_item[ovi[x]] = j

    def exo_values(self, S: np.ndarray, mean: np.ndarray | None) -> np.ndarray | None:
        """The fixed-at-sample cells (``exo`` rows) for a batch of moments: (R, n_exo)."""
        if not self.has_exo:
            return None
        out = np.empty((S.shape[0], self.exo_kind.size))
        cov = self.exo_j >= 0
        out[:, cov] = S[:, self.exo_i[cov], self.exo_j[cov]]
        if (~cov).any():
            out[:, ~cov] = mean[:, self.exo_i[~cov]]
        return out

    def _placement(self):
        """Per matrix Λ, B, Ψ, Θ: the flat positions of its free cells and the cell each takes
        (Ψ and Θ symmetric: both triangles), built once."""
        out = self.__dict__.get("_cells")
        if out is None:
            out = []
            for k, base in ((LOADING, self.L0), (PATH, self.B0), (PSI, self.P0), (THETA, self.T0)):
                s = self._sel[k]
                ncol = base.shape[1]
                pos, src = [self.row[s] * ncol + self.col[s]], [s]
                if k in (PSI, THETA):
                    pos.append(self.col[s] * ncol + self.row[s])
                    src.append(s)
                out.append((np.concatenate(pos).astype(np.intp), np.concatenate(src).astype(np.intp)))
            out = self._cells = tuple(out)
        return out

    def matrices(self, theta: np.ndarray, exo: np.ndarray | None = None):
        """``Λ, B, Ψ, Θ`` (and ``ν, α`` with a mean structure) for a batch of cell vectors (R × q)."""
        theta = np.atleast_2d(theta)
        R = theta.shape[0]
        out = []
        for base, (pos, src) in zip((self.L0, self.B0, self.P0, self.T0), self._placement()):
            X = np.array(np.broadcast_to(base, (R,) + base.shape), dtype=theta.dtype)
            X.reshape(R, -1)[:, pos] = theta[:, src]
            out.append(X)
        if self.meanstructure:
            for k, base in ((NU, self.nu0), (ALPHA, self.al0)):
                X = np.array(np.broadcast_to(base, (R,) + base.shape), dtype=theta.dtype)
                s = self._sel[k]
                X[:, self.row[s]] = theta[:, s]
                out.append(X)
        if exo is not None:
            for e in range(self.exo_kind.size):
                k, i, j = self.exo_kind[e], self.exo_row[e], self.exo_col[e]
                X = out[k]
                if k >= NU:
                    X[:, i] = exo[:, e]
                else:
                    X[:, i, j] = exo[:, e]
                    X[:, j, i] = exo[:, e]
        return tuple(out)


def _partable_of(spec: ModelSpec, options: dict):
    from ..spec import build_partable

    return build_partable(spec, **options)


_GROUP_ATTRS = frozenset({"items", "latents", "ov", "lv", "p", "m", "kind", "row", "col", "scale", "uix", "vix",
                          "uv_index", "scale_outer", "_sel", "latent_of_item", "phantom", "matrices", "exo_values",
                          "has_exo", "m_w", "m_one", "m_acell", "m_acol", "L0", "T0", "P0", "B0"})


class RamModel:
    """A parameter table compiled for batched ML fitting (every group, the constraints and the
    defined parameters).

    Parameters
    ----------
    source : ParTable or ModelSpec
        The table (:func:`acsi.spec.build_partable`); a ``ModelSpec`` is compiled with
        ``build_partable(spec, **options)`` (lavaan's ``sem()`` defaults).
    **options
        Identification options of :func:`acsi.spec.build_partable` (only with a ``ModelSpec``).

    Attributes
    ----------
    partable, frame
        The table and its rows (a DataFrame).
    groups : list of GroupModel
    q, npar : int
        Number of free parameters θ (``max(free)``).
    labels : list of (lhs, op, rhs)
        The row of each free parameter, in ``free`` order.
    K, k0 : ndarray or None
        Linear equality constraints as ``θ = K x + k0`` (None without).
    nx : int
        Free directions after the linear equalities.
    meanstructure : bool
    defined : list of (name, Expression)
        ``:=`` rows.

    Single-group models also expose the group's attributes (``items``, ``latents``, ``p``,
    ``m``, ``kind``, ``row``, ``col``, ``latent_of_item``, ``matrices``, ...).

    Examples
    --------
    >>> import acsi                                                       # doctest: +SKIP
    >>> m = RamModel(acsi.parse_lavaan("CS =~ cs1 + cs2 + cs3\\nCL =~ cl1 + cl2\\nCL ~ CS"))  # doctest: +SKIP
    >>> m.q, m.labels[0]                                                  # doctest: +SKIP
    (9, ('CS', '=~', 'cs2'))
    """

    def __init__(self, source, **options):
        if isinstance(source, ModelSpec):
            self.spec = source
            pt = _partable_of(source, options)
        else:
            if options:
                raise EstimationError(f"identification options {sorted(options)} apply to a ModelSpec; "
                                      "a parameter table is compiled as it is")
            pt = source
            self.spec = getattr(source, "spec", None)
        self.partable = pt
        self.group_labels = tuple(getattr(pt, "group_labels", ()) or ())
        frame = pt.to_frame().reset_index(drop=True)
        for c, default in (("exo", 0), ("label", ""), ("plabel", ""), ("ustart", np.nan), ("user", 1), ("id", 0)):
            if c not in frame.columns:
                frame[c] = default
        for c in ("label", "plabel", "mat", "lhs", "op", "rhs"):
            frame[c] = frame[c].fillna("").astype(str)
        self.frame = frame
        cols = {c: frame[c].to_numpy() for c in frame.columns}
        for c in ("free", "exo", "group", "user", "row", "col", "id"):
            cols[c] = cols[c].astype(np.int64)
        cols["ustart"] = cols["ustart"].astype(float)
        self.cols = cols
        ng = max(int(cols["group"].max()) if len(frame) else 1, 1)
        self.ngroups = ng
        self.meanstructure = bool((cols["op"] == "~1").any())
        self.groups = []
        for g in range(1, ng + 1):
            ov, lv = _layout_names(pt.layout(g))
            self.groups.append(GroupModel(cols, np.flatnonzero(cols["group"] == g), ov, lv, g, self.meanstructure))
        free = cols["free"][cols["free"] > 0]
        self.npar = int(free.max()) if free.size else 0
        if sorted(free.tolist()) != list(range(1, self.npar + 1)):
            raise EstimationError("the parameter table's free column must number the free parameters 1..npar, "
                                  "each once (equalities are separate '==' rows)")
        self.q = self.npar
        self.param_rows = np.flatnonzero(cols["free"] > 0)[np.argsort(free, kind="stable")]
        self.labels = [(str(cols["lhs"][n]), str(cols["op"][n]), str(cols["rhs"][n])) for n in self.param_rows]
        self.param_group = cols["group"][self.param_rows]
        self.fixed_x = bool((cols["exo"] == 1).any())
        self._identity = ng == 1 and np.array_equal(self.groups[0].pidx, np.arange(self.npar))
        self._compile_expressions()
        self._plan_table()

    # ---------------------------------------------------------------- single-group compat
    def __getattr__(self, name):
        if name in _GROUP_ATTRS and "groups" in self.__dict__:
            if len(self.groups) != 1:
                raise AttributeError(f"{name!r} is an attribute of one group; this model has {len(self.groups)} "
                                     "groups: use model.groups[g]")
            return getattr(self.groups[0], name)
        raise AttributeError(name)

    def __reduce_ex__(self, protocol):
        # a model of compiled_model pickles as its (spec, options): the other process compiles it
        # once (or has it), so what refers to it (EffectsAt) travels as a few numbers
        key = self.__dict__.get("_compiled_as")
        if key is not None:
            return (_cached_model, key)
        return super().__reduce_ex__(protocol)

    def __getstate__(self):
        # the ParTable holds read-only mappings, which do not pickle; workers need the frame only
        return {k: v for k, v in self.__dict__.items() if k != "partable"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.partable = None

    # ---------------------------------------------------------------- expressions
    def _compile_expressions(self) -> None:
        c = self.cols
        src: dict[str, tuple] = {}
        for n in np.flatnonzero(~np.isin(c["op"], [":=", "==", "<", ">"])):
            f = c["free"][n]
            val = ("theta", int(f) - 1) if f > 0 else (("exo", None) if c["exo"][n] == 1 else ("const", float(c["ustart"][n])))
            for name in (c["label"][n], c["plabel"][n]):
                if name and name not in src:
                    src[name] = val
        self._sources = src
        self.defined = []
        op, lhs, rhs = c["op"], c["lhs"], c["rhs"]
        for n in np.flatnonzero(op == ":="):
            text = f"{lhs[n]} := {rhs[n]}"
            e = compile_expression(rhs[n], where=f"defined parameter {text}")
            self._check_names(e, text, [d for d, _ in self.defined])
            self.defined.append((str(lhs[n]), e))
        self.constraints = []  # (kind 'eq'|'ineq', text, Expression, frame row)
        for n in np.flatnonzero(np.isin(op, ["==", "<", ">"])):
            text = f"{lhs[n]} {op[n]} {rhs[n]}"
            expr = f"({lhs[n]}) - ({rhs[n]})" if op[n] in ("==", ">") else f"({rhs[n]}) - ({lhs[n]})"
            e = compile_expression(expr, where=f"constraint {text}")
            self._check_names(e, text, [d for d, _ in self.defined])
            self.constraints.append(("eq" if op[n] == "==" else "ineq", text, e, int(n)))
        # linear equalities -> θ = K x + k0
        eq = [c for c in self.constraints if c[0] == "eq"]
        lin_rows, lin_rhs, self._nonlinear_eq = [], [], []
        if eq:
            rng = np.random.default_rng(12345)
            t1, t2 = rng.normal(size=self.npar), rng.normal(size=self.npar)
            for c in eq:
                # linear when the Jacobian is the same at two random points (lavaan's
                # lav_constraints_linear_idx does the same test)
                fn = lambda th, e=c[2]: self._eval_batch(e, th)  # noqa: E731
                J1 = jacobian(fn, t1, analytic=c[2].analytic)[0]
                J2 = jacobian(fn, t2, analytic=c[2].analytic)[0]
                if c[2].analytic and np.allclose(J1, J2, rtol=1e-9, atol=1e-11):
                    f1 = float(np.real(fn(t1[None])[0, 0]))
                    lin_rows.append(J1)
                    lin_rhs.append(J1 @ t1 - f1)
                else:
                    self._nonlinear_eq.append(c)
        self._ineq = [c for c in self.constraints if c[0] == "ineq"]
        self.K = self.k0 = None
        self.nx = self.npar
        self.linear_eq_rank = 0
        if lin_rows:
            Rm = np.array(lin_rows)
            rv = np.array(lin_rhs)
            rank = np.linalg.matrix_rank(Rm)
            k0 = np.linalg.lstsq(Rm, rv, rcond=None)[0]
            if np.abs(Rm @ k0 - rv).max() > 1e-9 * max(1.0, np.abs(rv).max()):
                texts = [c[1] for c in eq if c not in self._nonlinear_eq]
                raise EstimationError(f"the linear equality constraints {texts} contradict each other: "
                                      "no parameter values satisfy all of them; remove or fix one")
            self.K = sla.null_space(Rm)
            self.k0 = k0
            self.nx = self.K.shape[1]
            self.linear_eq_rank = int(rank)
            self._R_linear = Rm
        self.has_nonlinear = bool(self._nonlinear_eq or self._ineq)

    def _plan_table(self) -> None:
        """Index arrays the estimate table needs for every row (see :mod:`.table`): the matrix
        cell, which ends are (real) latents or observed variables, the rows of the residual
        variances used by ``cov.std``, the R-square rows."""
        c = self.cols
        n = len(c["id"])
        op, lhs, rhs, grp = c["op"], c["lhs"], c["rhs"], c["group"]
        kind = np.full(n, -1, dtype=np.int64)
        for name, k in MATRICES.items():
            kind[c["mat"] == name] = k
        lv_l, lv_r, ov_l, ov_r, rv_l, rv_r = (np.full(n, -1, dtype=np.int64) for _ in range(6))
        r2 = []
        for g, gm in enumerate(self.groups):
            real = {x: j for j, x in enumerate(gm.lv) if not gm.phantom[j]}
            ovi = {x: i for i, x in enumerate(gm.ov)}
            ing = np.flatnonzero(grp == g + 1)
            rv = {lhs[k]: k for k in ing if op[k] == "~~" and lhs[k] == rhs[k]}
            for k in ing:
                lv_l[k], lv_r[k] = real.get(lhs[k], -1), real.get(rhs[k], -1)
                ov_l[k], ov_r[k] = ovi.get(lhs[k], -1), ovi.get(rhs[k], -1)
                rv_l[k], rv_r[k] = rv.get(lhs[k], -1), rv.get(rhs[k], -1)
            y = set(rhs[ing][op[ing] == "=~"]) | set(lhs[ing][op[ing] == "~"])
            r2 += [k for k in ing if op[k] == "~~" and lhs[k] == rhs[k] and lhs[k] in y]
        self.plan = {
            "kind": kind, "lv_l": lv_l, "lv_r": lv_r, "ov_l": ov_l, "ov_r": ov_r, "rv_l": rv_l, "rv_r": rv_r,
            "r2": np.array(r2, dtype=np.int64), "keep": ~((op == "==") & (c["user"] == 2)),
            "defined": [int(np.flatnonzero((op == ":=") & (lhs == name))[0]) for name, _ in self.defined],
            "constraints": [row for *_x, row in self.constraints],
        }
        self.ov_x = []
        for g, gm in enumerate(self.groups):
            ing = grp == g + 1
            lay_x = getattr(self.partable.layout(g + 1), "ov_x", None) if hasattr(self.partable, "layout") else None
            if lay_x is None:  # lavaan's rule: on the right of a ~, never on its left, never an indicator
                dep = set(lhs[ing & (op == "~")]) | set(rhs[ing & (op == "=~")])
                lay_x = [x for x in gm.ov if x in set(rhs[ing & (op == "~")]) and x not in dep]
            self.ov_x.append(np.array([gm.ov.index(x) for x in lay_x], dtype=int))

    def _check_names(self, e, text: str, defined: list[str]) -> None:
        for n in e.names:
            if n in defined:
                continue
            if n not in self._sources:
                known = sorted(k for k in self._sources if not k.startswith("."))
                raise EstimationError(f"{text!r} uses {n!r}, which is neither a parameter label nor a defined "
                                      f"parameter (labels: {', '.join(known) or 'none'}); label the parameter "
                                      f"in the model (e.g. 'CS ~ {n}*PQ')")
            if self._sources[n][0] == "exo":
                raise EstimationError(f"{text!r} uses {n!r}, a covariate moment fixed at its sample value "
                                      "(fixed.x); free it (fixed_x=False) to use it in an expression")

    def _env(self, theta: np.ndarray) -> dict:
        env = {}
        for n, (kind, v) in self._sources.items():
            if kind == "theta":
                env[n] = theta[:, v]
            elif kind == "const":
                env[n] = np.full(theta.shape[0], v)
        for name, e in self.defined:
            env[name] = np.broadcast_to(e(env), (theta.shape[0],))
        return env

    def _eval_batch(self, e, theta: np.ndarray) -> np.ndarray:
        theta = np.atleast_2d(theta)
        return np.broadcast_to(e(self._env(theta)), (theta.shape[0],))[:, None]

    def defined_values(self, theta: np.ndarray) -> np.ndarray:
        """Values of the ``:=`` parameters for a batch of θ (R × npar): (R × n_defined)."""
        theta = np.atleast_2d(theta)
        if not self.defined:
            return np.zeros((theta.shape[0], 0))
        env = self._env(theta)
        return np.stack([np.broadcast_to(env[n], (theta.shape[0],)) for n, _ in self.defined], axis=1)

    def constraint_values(self, theta: np.ndarray, which: str = "all") -> np.ndarray:
        """Constraint functions ``lhs − rhs`` (``==``, ``>``) or ``rhs − lhs`` (``<``) for a batch:
        (R × n).  ``which``: ``"all"`` (table order), ``"nonlinear_eq"``, ``"ineq"``."""
        theta = np.atleast_2d(theta)
        cons = {"all": self.constraints, "nonlinear_eq": self._nonlinear_eq, "ineq": self._ineq}[which]
        if not cons:
            return np.zeros((theta.shape[0], 0), dtype=theta.dtype)
        env = self._env(theta)
        return np.stack([np.broadcast_to(c[2](env), (theta.shape[0],)) for c in cons], axis=1)

    def constraint_jacobian(self, theta: np.ndarray, which: str = "all") -> np.ndarray:
        """Jacobian (n × npar) of :meth:`constraint_values` at one θ."""
        cons = {"all": self.constraints, "nonlinear_eq": self._nonlinear_eq, "ineq": self._ineq}[which]
        analytic = all(c[2].analytic for c in cons) and all(e.analytic for _, e in self.defined)
        return jacobian(lambda t: self.constraint_values(t, which), np.asarray(theta, float), analytic=analytic)

    def defined_jacobian(self, theta: np.ndarray) -> np.ndarray:
        """Jacobian (n_defined × npar) of the ``:=`` parameters at one θ (delta method)."""
        analytic = all(e.analytic for _, e in self.defined)
        return jacobian(self.defined_values, np.asarray(theta, float), analytic=analytic)

    def active_constraint_jacobian(self, theta: np.ndarray) -> np.ndarray:
        """Rows of the equality constraints and of the active inequalities (value ≤ 1e-5,
        lavaan's slack): the ``con.jac`` of lavaan's augmented information."""
        if not self.constraints:
            return np.zeros((0, self.npar))
        J = self.constraint_jacobian(theta)
        v = np.real(self.constraint_values(np.asarray(theta, float)[None]))[0]
        keep = [i for i, c in enumerate(self.constraints) if c[0] == "eq" or v[i] <= INEQ_SLACK]
        return J[keep]

    def equality_rank(self, theta: np.ndarray) -> int:
        """Rank of the Jacobian of the equality constraints at θ: lavaan adds it to the degrees
        of freedom and subtracts it from ``npar`` (``lav_model_test``, ``lav_utils_get_npar``)."""
        eq = [i for i, c in enumerate(self.constraints) if c[0] == "eq"]
        if not eq:
            return 0
        return int(np.linalg.matrix_rank(self.constraint_jacobian(theta)[eq], tol=1e-8))

    # ---------------------------------------------------------------- parameter spaces
    def theta_of(self, x: np.ndarray) -> np.ndarray:
        """θ = K x + k0 (identity without linear equalities)."""
        return x if self.K is None else x @ self.K.T + self.k0

    def x_of(self, theta: np.ndarray) -> np.ndarray:
        """The free directions of θ (least-squares projection onto the constraint set)."""
        return theta if self.K is None else (theta - self.k0) @ self.K

    def cells(self, theta: np.ndarray, g: int) -> np.ndarray:
        """The free cells of group ``g`` (0-based) for a batch of θ."""
        return theta if self._identity else theta[:, self.groups[g].pidx]

    def vcov(self, info: np.ndarray, n: int, theta: np.ndarray) -> np.ndarray:
        """Covariance of θ̂ from the expected information of F (:func:`parameter_vcov`)."""
        return parameter_vcov(self, info, n, theta)

    def implied_moments(self, theta: np.ndarray, stats: SampleStats):
        """Per group ``(Σ_g, μ_g)`` at one θ (:func:`implied_moments`)."""
        return implied_moments(self, theta, stats)

    def matrices_of(self, theta: np.ndarray, g: int = 0, exo=None):
        """Group ``g``'s matrices for a batch of θ (R × npar)."""
        theta = np.atleast_2d(theta)
        return self.groups[g].matrices(self.cells(theta, g), exo)


@functools.lru_cache(maxsize=64)
def _cached_model(spec: ModelSpec, options: tuple) -> RamModel:
    model = RamModel(spec, **dict(options))
    model._compiled_as = (spec, options)  # what RamModel.__reduce_ex__ pickles
    return model


def compiled_model(spec: ModelSpec, **options) -> RamModel:
    """``RamModel(spec, **options)``, compiled once per (spec, options) and reused (a
    production fits one model to hundreds of units).  The compiled model is never changed
    after compilation, so sharing it is safe."""
    try:
        return _cached_model(spec, tuple(sorted(options.items())))
    except TypeError:  # an unhashable spec or option value
        return RamModel(spec, **options)


def _gm(model) -> GroupModel:
    if isinstance(model, GroupModel):
        return model
    if len(model.groups) != 1:
        raise EstimationError(f"this function works on one group; the model has {len(model.groups)}: pass model.groups[g]")
    return model.groups[0]


# ============================================================================ implied moments
def implied(model, theta: np.ndarray, exo: np.ndarray | None = None):
    """Model-implied ``Σ`` and the intermediates ``(Σ, A, M, G)`` for a batch of θ.

    ``A = C Ψ Cᵀ`` (latent covariance), ``M = Λ A``, ``G = Λ C``.
    """
    gm = _gm(model)
    tc = model.cells(np.atleast_2d(theta), 0) if isinstance(model, RamModel) else theta
    return _implied_full(gm, tc, exo)[:4]


def _implied_full(gm: GroupModel, tc: np.ndarray, exo: np.ndarray | None = None):
    mats = gm.matrices(tc, exo)
    L, B, P, T = mats[:4]
    m = gm.m
    C = np.linalg.inv(np.eye(m) - B)
    A = C @ P @ np.swapaxes(C, 1, 2)
    M = L @ A
    G = L @ C
    sigma = M @ np.swapaxes(L, 1, 2) + T
    if not gm.meanstructure:
        return sigma, A, M, G, L, C, None, None
    nu, al = mats[4], mats[5]
    a = np.einsum("rij,rj->ri", C, al)
    mu = nu + np.einsum("rij,rj->ri", L, a)
    return sigma, A, M, G, L, C, mu, a


def implied_moments(model: RamModel, theta: np.ndarray, stats: SampleStats):
    """Per group ``(Σ_g, μ_g)`` at one θ (μ is None without a mean structure)."""
    out = []
    for g, gm in enumerate(model.groups):
        st = stats.groups[g]
        exo = gm.exo_values(st.cov[None], st.mean[None])
        res = _implied_full(gm, model.cells(np.atleast_2d(theta), g), exo)
        out.append((res[0][0], None if res[6] is None else res[6][0]))
    return out


def _discrepancy(model, theta: np.ndarray, S: np.ndarray, logdet_s: np.ndarray,
                 mean: np.ndarray | None = None, exo: np.ndarray | None = None):
    """F and the state ``(K, M, G, A, L, C[, a, d])``; F = inf where Σ is not positive definite."""
    gm = _gm(model)
    sigma, A, M, G, L, C, mu, a = _implied_full(gm, theta, exo)
    R, p = sigma.shape[0], gm.p
    F = np.full(R, np.inf)
    K = np.full_like(sigma, np.nan)
    try:
        Lc = np.linalg.cholesky(sigma)
        ok = np.ones(R, dtype=bool)
    except np.linalg.LinAlgError:
        Lc = np.zeros_like(sigma)
        ok = np.zeros(R, dtype=bool)
        for r in range(R):
            try:
                Lc[r] = np.linalg.cholesky(sigma[r])
                ok[r] = True
            except np.linalg.LinAlgError:
                pass
    if ok.all():  # every replicate positive definite (the rule): no selection copies
        Li = np.linalg.inv(Lc)
        K = np.swapaxes(Li, 1, 2) @ Li
        logdet = 2.0 * np.log(np.diagonal(Lc, axis1=1, axis2=2)).sum(axis=1)
        tr = np.einsum("rij,rji->r", S, K)
        F = logdet + tr - logdet_s - p
    elif ok.any():
        Li = np.linalg.inv(Lc[ok])
        Kok = np.swapaxes(Li, 1, 2) @ Li
        logdet = 2.0 * np.log(np.diagonal(Lc[ok], axis1=1, axis2=2)).sum(axis=1)
        tr = np.einsum("rij,rji->r", S[ok], Kok)
        F[ok] = logdet + tr - logdet_s[ok] - p
        K[ok] = Kok
    if mu is not None:
        d = mean - mu
        F += np.einsum("ri,rij,rj->r", d, K, d)
        F[~np.isfinite(F)] = np.inf
        return F, (K, M, G, A, L, C, a, d)
    F[~np.isfinite(F)] = np.inf
    return F, (K, M, G, A, L, C)


def _gram(model, P: np.ndarray, MG: np.ndarray) -> np.ndarray:
    """``candᵀ P cand`` for the candidate vectors ``cand = [I | M | G]`` (R × nc × nc)."""
    R, p = P.shape[0], P.shape[1]
    PMG = P @ MG
    out = np.empty((R, p + MG.shape[2], p + MG.shape[2]))
    out[:, :p, :p] = P
    out[:, :p, p:] = PMG
    out[:, p:, :p] = np.swapaxes(PMG, 1, 2)
    out[:, p:, p:] = np.swapaxes(MG, 1, 2) @ PMG
    return out


class _Flat:
    """Flat positions of the cells the derivatives gather from (and scatter into) the batched
    matrices, built once per group model: ``X[:, r[:, None], c[None, :]]`` is
    ``_take(X, r[:, None] * ncol + c[None, :])``, the same values at a quarter of the cost
    (numpy's take on one flat axis, instead of broadcasting two index arrays per call)."""

    def __init__(self, gm: GroupModel):
        p, m, q = gm.p, gm.m, gm.q
        nc = p + 2 * m  # the Gram matrix of [I | M | G]
        uv = gm.uv_index
        self.g_uv = gm.uix * nc + gm.vix
        self.uvuv = uv[:, None] * nc + uv[None, :]
        sel, row, col = gm._sel, gm.row, gm.col
        kl, kp, ks = sel[LOADING], sel[PATH], sel[PSI]
        i, j = row[kl], col[kl]
        t, f = row[kp], col[kp]
        a, b = row[ks], col[ks]

        def ix(r, c, ncol):
            return (r * ncol + c).astype(np.intp)

        self.ll = (ix(j[:, None], j[None, :], m), ix(i[:, None], i[None, :], p), ix(kl[:, None], kl[None, :], q))
        self.lp = (ix(j[:, None], t[None, :], m), ix(i[:, None], f[None, :], m), ix(j[:, None], f[None, :], m),
                   ix(i[:, None], t[None, :], m), ix(kl[:, None], kp[None, :], q), ix(kp[:, None], kl[None, :], q))
        self.ls = (ix(j[:, None], a[None, :], m), ix(i[:, None], b[None, :], m), ix(j[:, None], b[None, :], m),
                   ix(i[:, None], a[None, :], m), ix(kl[:, None], ks[None, :], q), ix(ks[:, None], kl[None, :], q))
        self.pp = (ix(f[None, :], t[:, None], m), ix(f[:, None], t[None, :], m), ix(f[:, None], t[None, :], m),
                   ix(f[None, :], t[:, None], m), ix(f[:, None], f[None, :], m), ix(t[:, None], t[None, :], m),
                   ix(kp[:, None], kp[None, :], q))
        self.ps = (ix(f[:, None], a[None, :], m), ix(b[None, :], t[:, None], m), ix(f[:, None], b[None, :], m),
                   ix(a[None, :], t[:, None], m), ix(kp[:, None], ks[None, :], q), ix(ks[:, None], kp[None, :], q))


def _flat(gm: GroupModel) -> _Flat:
    fl = gm.__dict__.get("_flat")
    if fl is None:
        fl = gm._flat = _Flat(gm)
    return fl


def _take(X: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``X[r, idx]`` over the flattened trailing axes of a batch ``X`` (R × ...)."""
    return np.take(X.reshape(X.shape[0], -1), idx, axis=1)


def _put(out: np.ndarray, idx: np.ndarray, values: np.ndarray) -> None:
    """``out[r, idx] = values`` over the flattened trailing axes (``out`` contiguous)."""
    out.reshape(out.shape[0], -1)[:, idx] = values


def gradient_information(model, K: np.ndarray, S: np.ndarray, M: np.ndarray, G: np.ndarray,
                         A: np.ndarray | None = None, L: np.ndarray | None = None, C: np.ndarray | None = None,
                         a: np.ndarray | None = None, d: np.ndarray | None = None, observed: bool = False):
    """Gradient ``g`` (R × q) of F, expected information ``H`` (R × q × q) and, with
    ``observed=True``, the exact Hessian of F (over the group's free cells).

    All the bilinear forms ``u_kᵀ P v_l`` (P = K or E = K T K) are read from one Gram matrix
    of the candidate vectors ``[I | M | G]``, so each iteration costs a few small batched
    products and gathers.  Exact Hessian (covariance part, T fixed)::

        ∂²F/∂θ_k∂θ_l = tr(W ∂²Σ_kl) − tr(K Σ_k K Σ_l) + 2 tr(Σ_k K Σ_l E)

    plus, with a mean structure (``a``, ``d`` given), the terms of :func:`_mean_terms`.
    """
    gm = _gm(model)
    mean = gm.meanstructure and d is not None
    if mean:
        S = S + d[:, :, None] * d[:, None, :]
    MG = np.concatenate([M, G], axis=2)
    Kc = _gram(gm, K, MG)
    E = (K @ S) @ K
    Ec = _gram(gm, E, MG)
    s = gm.scale
    fl = _flat(gm)
    q = gm.q
    g = 2.0 * s * (_take(Kc, fl.g_uv) - _take(Ec, fl.g_uv))
    # Kc is symmetric, so the gathered matrix holds UKU, UKV (top right) and VKU = UKVᵀ
    # (bottom left) as plain slices: no transposed copies
    Kq = _take(Kc, fl.uvuv)
    UKU, UKV, VKU, VKV = Kq[:, :q, :q], Kq[:, :q, q:], Kq[:, q:, :q], Kq[:, q:, q:]
    ss = gm.scale_outer
    TKK = UKV * VKU
    TKK += UKU * VKV  # T(K, K) / 2
    if not observed:
        H = 2.0 * ss * TKK
        if mean:
            gmean, Hmean, _ = _mean_terms(gm, K, Kc, M, G, C, a, d, observed=False)
            g += gmean
            H += Hmean
        return g, H, None
    Eq = _take(Ec, fl.uvuv)
    UEU, UEV, VEU, VEV = Eq[:, :q, :q], Eq[:, :q, q:], Eq[:, q:, :q], Eq[:, q:, q:]
    # Hobs = ss (2 T(K,E) − T(K,K)) + second-order terms
    T = VKU * UEV
    T += VKV * UEU
    T += UKU * VEV
    T += UKV * VEU
    T -= TKK
    T *= 2.0 * ss
    T += _second_order(gm, K - E, A, L, C)
    if mean:
        gmean, _, Hobs_mean = _mean_terms(gm, K, Kc, M, G, C, a, d, observed=True)
        g += gmean
        T += Hobs_mean
    return g, None, T


def _mean_coef(gm: GroupModel, a: np.ndarray) -> np.ndarray:
    c = np.zeros((a.shape[0], gm.q))
    c[:, gm.m_one] = 1.0
    c[:, gm.m_acell] = a[:, gm.m_acol]
    return c


def _mean_terms(gm: GroupModel, K, Kc, M, G, C, a, d, observed: bool):
    """The mean-structure parts of the gradient, expected information and exact Hessian.

    With ``μ_k = c_k w_k`` (module docstring), ``h = K d``, ``z = [I | M | G]ᵀ h``::

        g_k      −= 2 c_k z[w_k]
        H_kl     += 2 c_k c_l (w_kᵀ K w_l)
        Hobs_kl  += 2 c_k c_l (w_kᵀ K w_l) + 2 μ_lᵀ K Σ_k h + 2 μ_kᵀ K Σ_l h − 2 hᵀ μ_kl

    with ``μ_lᵀ K Σ_k h = s_k c_l [(w_lᵀ K u_k)(v_kᵀ h) + (w_lᵀ K v_k)(u_kᵀ h)]`` and the
    second derivatives of ``μ = ν + Λ C α`` (``a = Cα``):
    ``hᵀμ(λ_ij, α_b) = h_i C_jb``, ``hᵀμ(λ_ij, B_tf) = h_i C_jt a_f``,
    ``hᵀμ(B_tf, α_b) = (Gᵀh)_t C_fb``,
    ``hᵀμ(B_tf, B_uv) = (Gᵀh)_u C_vt a_f + (Gᵀh)_t C_fu a_v``.
    """
    h = np.einsum("rij,rj->ri", K, d)
    z = np.concatenate([h, np.einsum("rpj,rp->rj", M, h), np.einsum("rpj,rp->rj", G, h)], axis=1)
    w = gm.m_w
    c = _mean_coef(gm, a)
    gmean = -2.0 * c * z[:, w]
    H = 2.0 * c[:, :, None] * c[:, None, :] * Kc[:, w[:, None], w[None, :]]
    if not observed:
        return gmean, H, None
    uix, vix, s = gm.uix, gm.vix, gm.scale
    T3 = (Kc[:, w[:, None], uix[None, :]] * z[:, vix][:, None, :]
          + Kc[:, w[:, None], vix[None, :]] * z[:, uix][:, None, :])
    T3 *= 2.0 * c[:, :, None] * s[None, None, :]  # T3[l, k] = 2 μ_lᵀ K Σ_k h
    Hobs = H + T3 + np.swapaxes(T3, 1, 2)
    Gh = z[:, gm.p + gm.m:]
    sel = gm._sel
    kl, kp, ka = sel[LOADING], sel[PATH], sel[ALPHA]
    row, col = gm.row, gm.col
    Hm = np.zeros_like(H)
    if kl.size and ka.size:
        i, j, b = row[kl], col[kl], row[ka]
        Hm[:, kl[:, None], ka[None, :]] = h[:, i][:, :, None] * C[:, j[:, None], b[None, :]]
    if kl.size and kp.size:
        i, j, t, f = row[kl], col[kl], row[kp], col[kp]
        Hm[:, kl[:, None], kp[None, :]] = h[:, i][:, :, None] * C[:, j[:, None], t[None, :]] * a[:, f][:, None, :]
    if kp.size and ka.size:
        t, f, b = row[kp], col[kp], row[ka]
        Hm[:, kp[:, None], ka[None, :]] = Gh[:, t][:, :, None] * C[:, f[:, None], b[None, :]]
    if kp.size:
        t, f = row[kp], col[kp]
        Hm[:, kp[:, None], kp[None, :]] = 0.5 * (
            Gh[:, t][:, None, :] * C[:, f[None, :], t[:, None]] * a[:, f][:, :, None]
            + Gh[:, t][:, :, None] * C[:, f[:, None], t[None, :]] * a[:, f][:, None, :])
    Hobs -= 2.0 * (Hm + np.swapaxes(Hm, 1, 2))
    return gmean, H, Hobs


def information(model, K: np.ndarray, M: np.ndarray, G: np.ndarray, a: np.ndarray | None = None) -> np.ndarray:
    """Expected information ``H`` (R × q × q) of F at the given state (see module docstring)."""
    gm = _gm(model)
    MG = np.concatenate([M, G], axis=2)
    Kc = _gram(gm, K, MG)
    q = gm.q
    Kq = _take(Kc, _flat(gm).uvuv)
    H = 2.0 * gm.scale_outer * (Kq[:, :q, q:] * Kq[:, q:, :q] + Kq[:, :q, :q] * Kq[:, q:, q:])
    if gm.meanstructure and a is not None:
        c = _mean_coef(gm, a)
        w = gm.m_w
        H += 2.0 * c[:, :, None] * c[:, None, :] * Kc[:, w[:, None], w[None, :]]
    return H
def _second_order(model: GroupModel, W: np.ndarray, A: np.ndarray, L: np.ndarray, C: np.ndarray) -> np.ndarray:
    """``tr(W ∂²Σ/∂θ_k∂θ_l)`` for every pair (R × q × q); zero for residual (co)variances.

    With ``N = W Λ``, ``W_η = Λᵀ W Λ``, ``Z = A W_η C`` and ``Y = Cᵀ W_η C``:

    * loadings λ_ij, λ_kl:      ``2 A_jl W_ik``
    * loading λ_ij, path B_tf:  ``2 [C_jt (N A)_if + A_jf (N C)_it]``
    * loading λ_ij, Ψ_ab:       ``2 s [C_ja (N C)_ib + C_jb (N C)_ia]``
    * paths (t1,f1), (t2,f2):   ``2 [C_f2t1 Z_f1t2 + C_f1t2 Z_f2t1 + A_f1f2 Y_t1t2]``
    * path B_tf, Ψ_ab:          ``2 s [C_fa Y_bt + C_fb Y_at]``
    """
    R, q = W.shape[0], model.q
    out = np.zeros((R, q, q))
    sel = model._sel
    kl, kp, ks = sel[LOADING], sel[PATH], sel[PSI]
    N = W @ L
    NA = N @ A
    NC = N @ C
    Wl = np.swapaxes(L, 1, 2) @ N
    Z = A @ Wl @ C
    Y = np.swapaxes(C, 1, 2) @ Wl @ C
    s = model.scale
    fl = _flat(model)
    if kl.size:
        Ajj, Wii, o = fl.ll
        _put(out, o, 2.0 * _take(A, Ajj) * _take(W, Wii))
        if kp.size:
            Cjt, NAif, Ajf, NCit, o1, o2 = fl.lp
            blk = 2.0 * (_take(C, Cjt) * _take(NA, NAif) + _take(A, Ajf) * _take(NC, NCit))
            _put(out, o1, blk)
            _put(out, o2, np.swapaxes(blk, 1, 2))
        if ks.size:
            sp = s[ks]
            Cja, NCib, Cjb, NCia, o1, o2 = fl.ls
            blk = 2.0 * sp * (_take(C, Cja) * _take(NC, NCib) + _take(C, Cjb) * _take(NC, NCia))
            _put(out, o1, blk)
            _put(out, o2, np.swapaxes(blk, 1, 2))
    if kp.size:
        Cft, Zft, Cft2, Zft2, Aff, Ytt, o = fl.pp
        blk = 2.0 * (_take(C, Cft) * _take(Z, Zft) + _take(C, Cft2) * _take(Z, Zft2) + _take(A, Aff) * _take(Y, Ytt))
        _put(out, o, blk)
        if ks.size:
            sp = s[ks]
            Cfa, Ybt, Cfb, Yat, o1, o2 = fl.ps
            blk = 2.0 * sp * (_take(C, Cfa) * _take(Y, Ybt) + _take(C, Cfb) * _take(Y, Yat))
            _put(out, o1, blk)
            _put(out, o2, np.swapaxes(blk, 1, 2))
    return out


def _solve(H: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(H, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.full_like(rhs, np.nan)
        for r in range(H.shape[0]):
            try:
                out[r] = np.linalg.solve(H[r], rhs[r])
            except np.linalg.LinAlgError:
                pass
        return out


def _solve_steps(H, Hobs: np.ndarray | None, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newton step ``−Hobs⁻¹ g`` where it is a descent direction, else Fisher ``−H⁻¹ g``.

    ``H`` is the expected information or a function ``rows -> H[rows]`` (computed only for
    the replicates that need it).  Returns the steps and a flag per replicate telling
    whether the Newton step was used.
    """
    if Hobs is None:
        return _solve(H, -g), np.zeros(g.shape[0], dtype=bool)
    step = _solve(Hobs, -g)
    newton = np.isfinite(step).all(axis=1) & (np.einsum("rk,rk->r", g, step) < 0)
    if not newton.all():
        j = np.flatnonzero(~newton)
        Hj = H(j) if callable(H) else H[j]
        step[j] = _solve(Hj, -g[j])
    return step, newton


@dataclass
class BatchFit:
    """Result of :func:`fit_covariances` for a batch of R replicates.

    Attributes
    ----------
    theta : ndarray (R, q)
        Estimates, in the order of ``model.labels`` (``free`` order).
    fmin : ndarray (R,)
        Minimum of the ML discrepancy ``F = Σ_g (n_g/N) F_g``.
    converged : ndarray of bool (R,)
    n_iter : ndarray of int (R,)
    grad_max : ndarray (R,)
        ``max |g|`` at the solution (over the free directions ``x``).
    info : ndarray (R, q, q) or None
        Expected information of F over θ at the solution (``keep_information``).
    """

    theta: np.ndarray
    fmin: np.ndarray
    converged: np.ndarray
    n_iter: np.ndarray
    grad_max: np.ndarray
    info: np.ndarray | None = field(default=None, repr=False)


class _Batch:
    """The moments of a batch of R replicates, per group, and the derivative bookkeeping."""

    def __init__(self, model: RamModel, S, means, weights):
        self.model = model
        G = len(model.groups)
        if isinstance(S, np.ndarray):
            S = [S]
        S = [np.asarray(s, dtype=float) for s in S]
        S = [s[None] if s.ndim == 2 else s for s in S]
        if len(S) != G:
            raise EstimationError(f"the model has {G} groups but {len(S)} covariance batches were given")
        if model.meanstructure:
            if means is None:
                raise EstimationError("the model has a mean structure (~1 rows): pass the sample means as well")
            if isinstance(means, np.ndarray):
                means = [means]
            means = [np.asarray(x, dtype=float) for x in means]
            means = [x[None] if x.ndim == 1 else x for x in means]
        else:
            means = [None] * G
        self.R = S[0].shape[0]
        self.S, self.mean = S, means
        self.w = np.ones(1) if weights is None else np.asarray(weights, dtype=float)
        if self.w.size != G:
            raise EstimationError(f"group weights {self.w.tolist()} do not match the model's {G} groups")
        self.logdet = []
        for g, s in enumerate(S):
            sign, ld = np.linalg.slogdet(s)
            if (sign <= 0).any():
                bad = np.flatnonzero(sign <= 0)
                where = f" of group {g + 1}" if G > 1 else ""
                raise EstimationError(
                    f"covariance matrices {bad[:10].tolist()} of the batch{where} are not positive definite; "
                    "the ML discrepancy is undefined: check for constant or linearly dependent items"
                )
            self.logdet.append(ld)
        self.exo = [gm.exo_values(S[g], means[g]) for g, gm in enumerate(model.groups)]

    def _sub(self, arr, ix):
        return None if arr is None else arr[ix]

    def value(self, x: np.ndarray, ix: np.ndarray):
        """F at the free directions ``x`` of the replicates ``ix``, and the state per group."""
        model = self.model
        theta = model.theta_of(x)
        F = np.zeros(len(ix))
        states = []
        for g, gm in enumerate(model.groups):
            Fg, st = _discrepancy(gm, model.cells(theta, g), self.S[g][ix], self.logdet[g][ix],
                                  self._sub(self.mean[g], ix), self._sub(self.exo[g], ix))
            F = F + self.w[g] * Fg if len(model.groups) > 1 else Fg
            states.append(st)
        return F, states

    def derivatives(self, states, ix, observed: bool):
        """Gradient over ``x``, the expected information (or a function of the rows needing it)
        and the exact Hessian (``observed``) at the states of the replicates ``ix``."""
        model = self.model
        out_g, out_H, out_O = [], [], []
        for g, gm in enumerate(model.groups):
            st = states[g]
            K, M, G_, A, L, C = st[:6]
            a, d = (st[6], st[7]) if len(st) > 6 else (None, None)
            gg, Hg, Og = gradient_information(gm, K, self.S[g][ix], M, G_, A, L, C, a, d, observed=observed)
            out_g.append(gg)
            out_H.append(Hg)
            out_O.append(Og)
        if model._identity and model.K is None:
            g0 = out_g[0]
            if out_H[0] is None:
                st = states[0]
                a = st[6] if len(st) > 6 else None
                H = (lambda rows, st=st, a=a: information(model.groups[0], st[0][rows], st[1][rows], st[2][rows],
                                                           None if a is None else a[rows]))
            else:
                H = out_H[0]
            return g0, H, out_O[0]
        one = model._identity  # a single group whose cells are θ: nothing to scatter
        gt = out_g[0] if one else self._scatter_vec(out_g, len(ix))
        if out_H[0] is None:
            H = (lambda rows, states=states: self._expected_x(states, rows))
        else:
            H = self._to_x(out_H[0] if one else self._scatter_mat(out_H, len(ix)))
        O = None if out_O[0] is None else self._to_x(out_O[0] if one else self._scatter_mat(out_O, len(ix)))
        return self._grad_x(gt), H, O

    def expected_theta(self, states, rows=None) -> np.ndarray:
        """Expected information of F over θ (R × npar × npar)."""
        model = self.model
        mats = []
        for g, gm in enumerate(model.groups):
            st = states[g]
            sl = slice(None) if rows is None else rows
            a = st[6][sl] if len(st) > 6 else None
            mats.append(information(gm, st[0][sl], st[1][sl], st[2][sl], a))
        if model._identity:
            return mats[0]
        return self._scatter_mat(mats, mats[0].shape[0])

    def _expected_x(self, states, rows):
        return self._to_x(self.expected_theta(states, rows))

    def _scatter_vec(self, parts, R):
        model = self.model
        out = np.zeros((R, model.npar))
        for g, gm in enumerate(model.groups):
            if model._identity:
                out += parts[g]
            else:
                out[:, gm.pidx] += (self.w[g] if len(model.groups) > 1 else 1.0) * parts[g]
        return out

    def _scatter_mat(self, parts, R):
        model = self.model
        out = np.zeros((R, model.npar, model.npar))
        for g, gm in enumerate(model.groups):
            wg = self.w[g] if len(model.groups) > 1 else 1.0
            if model._identity:
                out += parts[g]
            else:
                out[:, gm.pidx[:, None], gm.pidx[None, :]] += wg * parts[g]
        return out

    def _grad_x(self, gt):
        K = self.model.K
        return gt if K is None else gt @ K

    def _to_x(self, H):
        K = self.model.K
        return H if K is None else K.T @ H @ K


def fit_covariances(
    model: RamModel,
    S,
    start: np.ndarray,
    *,
    means=None,
    weights=None,
    xtol: float = 1e-10,
    newton_xtol: float = 1e-6,
    maxiter: int = 200,
    keep_information: bool = False,
    newton: bool = True,
    final_gradient: bool = False,
) -> BatchFit:
    """Fit ``model`` to every replicate of the batch by Newton / Fisher scoring.

    Parameters
    ----------
    model : RamModel
    S : ndarray (R, p, p) or (p, p), or a list of them (one per group)
        Sample covariance matrices (denominator N), variables in each group's ``ov`` order.
    start : ndarray (q,) or (R, q)
        Start values θ (the full-sample estimate for a bootstrap: a warm start).
    means : ndarray (R, p) or (p,), or a list per group
        Sample means; required with a mean structure (``~1`` rows).
    weights : sequence of float, optional
        Group weights ``n_g / N`` (multigroup models).
    xtol : float
        A replicate is converged after a step with ``max|δ| < xtol`` (any step), or
    newton_xtol : float
        after a Newton step with ``max|δ| < newton_xtol``: Newton converges quadratically,
        so the error left after that step is of the order of ``δ²`` (1e-12).
    maxiter : int
        Replicates still active after ``maxiter`` steps are returned with ``converged=False``.
    keep_information : bool
        Also return the expected information ``H`` over θ at the solution (standard errors).
    final_gradient : bool
        Evaluate the gradient at the solution (``grad_max``; one more evaluation).
    newton : bool
        Use the exact Hessian of F where it is positive definite (Newton steps, quadratic
        convergence) and the expected information elsewhere (Fisher scoring); ``False``
        uses Fisher scoring throughout (linear convergence when the model misfits).

    Returns
    -------
    BatchFit

    Notes
    -----
    Each replicate's iterations depend only on its own data: replicates that converge are
    frozen, so a replicate's result does not depend on the other members of its batch.
    Linear equality constraints are honoured exactly (``θ = K x + k0``); a model with
    nonlinear or inequality constraints goes to :func:`fit_constrained`.
    """
    batch = _Batch(model, S, means, weights)
    R = batch.R
    start = np.asarray(start, dtype=float)
    if model.has_nonlinear:
        return _fit_constrained_batch(model, batch, start, maxiter=maxiter, keep_information=keep_information)
    theta0 = np.array(np.broadcast_to(start, (R, model.npar)))
    x = np.array(model.x_of(theta0))
    F, state = batch.value(x, np.arange(R))
    converged = np.zeros(R, dtype=bool)
    failed = ~np.isfinite(F)
    n_iter = np.zeros(R, dtype=np.int64)
    grad_max = np.full(R, np.nan)
    info = np.full((R, model.npar, model.npar), np.nan) if keep_information else None
    active = ~failed
    for _ in range(maxiter):
        ix = np.flatnonzero(active)
        if ix.size == 0:
            break
        st = state if ix.size == R else [tuple(a[ix] for a in s) for s in state]  # every replicate: no copies
        g, H, Hobs = batch.derivatives(st, ix, observed=newton)
        step, used_newton = _solve_steps(H, Hobs, g)
        bad = ~np.isfinite(step).all(axis=1)
        grad_max[ix] = np.abs(g).max(axis=1) if g.shape[1] else 0.0
        size = np.abs(step).max(axis=1) if step.shape[1] else np.zeros(ix.size)
        # quadratic convergence: after a Newton step of size < newton_xtol the error is O(step²)
        last = ~bad & (((size < newton_xtol) & used_newton) | (size < xtol))
        failed[ix[bad]] = True
        if last.any():
            r = ix[last]
            x[r] += step[last]
            n_iter[r] += 1
            converged[r] = True
        go = ~last & ~bad
        ix, g, step = ix[go], g[go], step[go]
        if ix.size == 0:
            active = ~converged & ~failed
            continue
        n_iter[ix] += 1
        slope = np.einsum("rk,rk->r", g, step)
        alpha = np.ones(ix.size)
        todo = np.arange(ix.size)
        F0 = F[ix]
        for _ls in range(40):
            cand = x[ix[todo]] + alpha[todo, None] * step[todo]
            Fn, stn = batch.value(cand, ix[todo])
            ok = Fn <= F0[todo] + 1e-4 * alpha[todo] * np.minimum(slope[todo], 0.0) + 1e-13 * np.abs(F0[todo])
            r = ix[todo[ok]]
            x[r] = cand[ok]
            F[r] = Fn[ok]
            for s_old, s_new in zip(state, stn):
                for a, b in zip(s_old, s_new):
                    a[r] = b[ok]
            todo = todo[~ok]
            if todo.size == 0:
                break
            alpha[todo] *= 0.5
        if todo.size:
            failed[ix[todo]] = True  # no descent along the step
        active = ~converged & ~failed
    ix = np.flatnonzero(converged)
    if ix.size and (keep_information or final_gradient):
        F[ix], st = batch.value(x[ix], ix)
        g, H, _ = batch.derivatives(st, ix, observed=False)
        grad_max[ix] = np.abs(g).max(axis=1) if g.shape[1] else 0.0
        if keep_information:
            # one group whose cells are θ, no equalities: the derivatives' expected information is
            # over θ already (the same products in the same order as expected_theta's)
            same = model._identity and model.K is None and isinstance(H, np.ndarray)
            info[ix] = H if same else batch.expected_theta(st)
    return BatchFit(theta=model.theta_of(x), fmin=F, converged=converged, n_iter=n_iter, grad_max=grad_max, info=info)


def expected_information(model: RamModel, theta: np.ndarray, stats: SampleStats) -> np.ndarray:
    """Expected information of F over θ at one θ (npar × npar), for any engine's estimate."""
    S = [g.cov[None] for g in stats.groups]
    means = [g.mean[None] for g in stats.groups] if model.meanstructure else None
    batch = _Batch(model, S, means, stats.weights)
    x = model.x_of(np.atleast_2d(np.asarray(theta, float)))
    _F, st = batch.value(x, np.arange(1))
    return batch.expected_theta(st)[0]



def gradient(model: RamModel, theta: np.ndarray, stats: SampleStats) -> np.ndarray:
    """Gradient of ``F = Σ_g (n_g/N) F_g`` over θ (all ``npar`` free parameters, the equality
    constraints ignored) at one θ that satisfies them: (npar,).  At a constrained optimum it is
    ``−Rᵀλ``, not 0; the score tests (:mod:`acsi.estimate.multigroup`) read it.  lavaan's
    ``lavTech(fit, "gradient.logl")`` is ``−½`` of it (lavaan minimises ``F/2``)."""
    S = [g.cov[None] for g in stats.groups]
    means = [g.mean[None] for g in stats.groups] if model.meanstructure else None
    batch = _Batch(model, S, means, stats.weights)
    x = model.x_of(np.atleast_2d(np.asarray(theta, float)))
    _F, states = batch.value(x, np.arange(1))
    parts = []
    for g, gm in enumerate(model.groups):
        st = states[g]
        a, d = (st[6], st[7]) if len(st) > 6 else (None, None)
        parts.append(gradient_information(gm, st[0], batch.S[g], st[1], st[2], st[3], st[4], st[5], a, d)[0])
    return batch._scatter_vec(parts, 1)[0]


def moment_jacobian(model: RamModel, theta: np.ndarray, stats: SampleStats) -> list[np.ndarray]:
    """Per group, ``Δ_g = ∂(μ_g, vech Σ_g)/∂θ`` at one θ: ((p + p(p+1)/2) × npar), means first
    (with a mean structure) then the lower triangle of Σ column by column (lavaan's
    ``computeDelta`` and ``lav_matrix_vech`` order).  Built from the rank-two derivatives
    ``∂Σ/∂θ_k = s_k (u_k v_kᵀ + v_k u_kᵀ)`` and ``∂μ/∂θ_k = c_k w_k`` (module docstring).

    What the robust standard errors (MLM, MLR: ``Δ``, the information and the fourth-order
    moments of the rows in :class:`SampleStats`) and the score tests need.
    """
    theta = np.atleast_2d(np.asarray(theta, dtype=float))
    out = []
    for g, gm in enumerate(model.groups):
        st = stats.groups[g]
        exo = gm.exo_values(st.cov[None], st.mean[None])
        _sigma, _A, M, G, _L, C, _mu, a = _implied_full(gm, model.cells(theta, g), exo)
        cand = np.concatenate([np.eye(gm.p), M[0], G[0]], axis=1)  # p × nc
        U, V = cand[:, gm.uix], cand[:, gm.vix]  # p × q
        dS = gm.scale[None, None, :] * (U[:, None, :] * V[None, :, :] + V[:, None, :] * U[None, :, :])
        rows, cols = np.tril_indices(gm.p)
        order = np.lexsort((rows, cols))  # column by column
        dvech = dS[rows[order], cols[order], :]
        parts = []
        if model.meanstructure:
            parts.append(_mean_coef(gm, a)[0][None, :] * cand[:, gm.m_w])
        parts.append(dvech)
        Dg = np.concatenate(parts, axis=0)
        full = np.zeros((Dg.shape[0], model.npar))
        full[:, gm.pidx] = Dg
        out.append(full)
    return out


# ============================================================================ constrained
def fit_constrained(model: RamModel, S, start: np.ndarray, *, means=None, weights=None, maxiter: int = 500,
                    keep_information: bool = False) -> BatchFit:
    """Fit a model with nonlinear equality or inequality constraints (``==``, ``<``, ``>`` with
    expressions of labels) on the free directions ``x`` of the linear equalities: from a
    feasible (warm) start, batched Newton steps on the KKT system of the start's active set
    (:func:`_newton_kkt`: equalities and the inequalities within lavaan's slack 1e-5); otherwise,
    replicate by replicate, SLSQP (Kraft 1988; scipy) with the analytic gradient of F and
    complex-step Jacobians of the constraints, then the same Newton steps to converge to
    rounding.

    Equivalent R: lavaan's ``nlminb.constr`` (an augmented Lagrangian) reaches the same
    optimum; it stops at about 1e-7 of the constraints, this at about 1e-12.
    """
    return _fit_constrained_batch(model, _Batch(model, S, means, weights), np.asarray(start, dtype=float),
                                  maxiter=maxiter, keep_information=keep_information)


def _fit_constrained_batch(model: RamModel, batch: _Batch, start: np.ndarray, *, maxiter: int,
                           keep_information: bool) -> BatchFit:
    """Replicates from a feasible start (a warm start at the full-sample solution): batched
    Newton steps on the KKT system of the start's active set (:func:`_newton_kkt`); any
    replicate for which that fails (or whose start is not feasible) gets SLSQP, then the same
    Newton steps from its solution."""
    R = batch.R
    theta0 = np.array(np.broadcast_to(start, (R, model.npar)))
    x0 = np.array(model.x_of(theta0))
    x = x0.copy()
    ok = np.zeros(R, dtype=bool)
    nit = np.zeros(R, dtype=np.int64)
    masks = _active_masks(model, x0)
    feasible = _feasible_batch(model, x0, tol=1e-6)
    for key in {m.tobytes(): m for m in masks[feasible]}.values() if feasible.any() else []:
        ix = np.flatnonzero(feasible & (masks == key).all(axis=1))
        x[ix], ok[ix], nit[ix] = _newton_kkt(model, batch, ix, x0[ix], key)
    for r in np.flatnonzero(~ok):
        rix = np.array([r])

        def fun(v, rix=rix):
            F, st = batch.value(v[None], rix)
            if not np.isfinite(F[0]):
                return 1e10, np.zeros_like(v)
            g, _, _ = batch.derivatives(st, rix, observed=False)
            return float(F[0]), g[0]

        x_sq, nit_sq, msg = _fit_constrained_objective(model, fun, x0[r], maxiter=maxiter)
        xn, okn, itn = _newton_kkt(model, batch, rix, x_sq[None], _active_masks(model, x_sq[None])[0])
        x[r], ok[r], nit[r] = (xn[0], True, nit_sq + itn[0]) if okn[0] else (x_sq, msg is None, nit_sq)
    F, st = batch.value(x, np.arange(R))
    g, _, _ = batch.derivatives(st, np.arange(R), observed=False)
    converged = ok & _feasible_batch(model, x) & np.isfinite(F)
    # the gradient is not zero at a constrained optimum: report the projected gradient
    grad_max = np.full(R, np.nan)
    masks = _active_masks(model, x)
    for r in range(R):
        J = _active_jacobians(model, x[r:r + 1], masks[r])[0]
        gp = g[r] - (J.T @ np.linalg.lstsq(J.T, g[r], rcond=None)[0] if J.shape[0] else 0.0)
        grad_max[r] = float(np.abs(gp).max()) if gp.size else 0.0
    info = batch.expected_theta(st) if keep_information else None
    return BatchFit(theta=model.theta_of(x), fmin=F, converged=converged, n_iter=nit, grad_max=grad_max, info=info)


def _fit_constrained_objective(model: RamModel, fun, x0: np.ndarray, *, maxiter: int):
    """SLSQP on ``fun(x) -> (f, grad)`` under the model's nonlinear equalities and
    inequalities (complex-step Jacobians).  Returns ``(x, iterations, None or the message)``."""
    K = model.K

    def cons(which):
        def val(x):
            return np.real(model.constraint_values(model.theta_of(x[None]), which))[0]

        def jac(x):
            J = model.constraint_jacobian(model.theta_of(x[None])[0], which)
            return J if K is None else J @ K
        return val, jac

    clist = []
    if model._nonlinear_eq:
        v, j = cons("nonlinear_eq")
        clist.append({"type": "eq", "fun": v, "jac": j})
    if model._ineq:
        v, j = cons("ineq")
        clist.append({"type": "ineq", "fun": v, "jac": j})
    res = optimize.minimize(fun, x0, jac=True, method="SLSQP", constraints=clist,
                            options={"maxiter": maxiter, "ftol": 1e-15})
    ok = bool(res.success) and _feasible(model, res.x)
    return res.x, int(res.nit), None if ok else f"SLSQP: {res.message}"


def _feasible_batch(model: RamModel, x: np.ndarray, tol: float = 1e-7) -> np.ndarray:
    cv = np.real(model.constraint_values(model.theta_of(x)))
    eq = np.array([c[0] == "eq" for c in model.constraints], dtype=bool)
    return ((np.abs(cv) < tol) | ~eq).all(axis=1) & ((cv > -tol) | eq).all(axis=1)


def _feasible(model: RamModel, x: np.ndarray, tol: float = 1e-7) -> bool:
    return bool(_feasible_batch(model, x[None], tol)[0])


def _active_masks(model: RamModel, x: np.ndarray) -> np.ndarray:
    """Per replicate, the inequalities within lavaan's slack (1e-5): treated as equalities."""
    if not model._ineq:
        return np.zeros((x.shape[0], 0), dtype=bool)
    return np.real(model.constraint_values(model.theta_of(x), "ineq")) <= INEQ_SLACK


def _active_mask(model: RamModel, x: np.ndarray) -> np.ndarray:
    return _active_masks(model, x[None])[0]


def _active_values(model: RamModel, theta: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Values of the nonlinear equalities and the masked inequalities for a batch of θ
    (complex θ stays complex, for the complex step)."""
    parts = []
    if model._nonlinear_eq:
        parts.append(model.constraint_values(theta, "nonlinear_eq"))
    if mask.any():
        parts.append(model.constraint_values(theta, "ineq")[:, mask])
    return np.concatenate(parts, axis=1) if parts else np.zeros((theta.shape[0], 0), dtype=theta.dtype)


def _constraint_inputs(model: RamModel) -> np.ndarray:
    """The θ positions the nonlinear and inequality constraints depend on (their Jacobians
    and Hessians are zero elsewhere): the non-zero columns of the Jacobian at two random
    points."""
    if "_con_used" not in model.__dict__:
        rng = np.random.default_rng(7)
        cols = np.zeros(model.npar, dtype=bool)
        for _ in range(2):
            t = rng.normal(size=model.npar)
            for which in ("nonlinear_eq", "ineq"):
                J = model.constraint_jacobian(t, which)
                if J.size:
                    cols |= (J != 0).any(axis=0)
        model.__dict__["_con_used"] = np.flatnonzero(cols)
    return model.__dict__["_con_used"]


def _theta_jacobians(model: RamModel, theta: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Jacobians over the used θ positions (n × k × u) for a batch of θ (complex step, or
    central differences for non-analytic expressions)."""
    used = _constraint_inputs(model)
    n, u = theta.shape[0], used.size
    cons = model._nonlinear_eq + [c for c, m in zip(model._ineq, mask) if m]
    analytic = all(c[2].analytic for c in cons) and all(e.analytic for _, e in model.defined)
    if analytic:
        h = 1e-20
        b = np.repeat(theta.astype(complex), u, axis=0)
        b[np.arange(n * u), np.tile(used, n)] += 1j * h
        vals = np.imag(_active_values(model, b, mask)) / h
    else:
        h = 1e-6 * np.maximum(1.0, np.abs(theta[:, used])).reshape(-1)
        up = np.repeat(theta, u, axis=0)
        dn = up.copy()
        up[np.arange(n * u), np.tile(used, n)] += h
        dn[np.arange(n * u), np.tile(used, n)] -= h
        vals = (np.real(_active_values(model, up, mask)) - np.real(_active_values(model, dn, mask))) / (2 * h[:, None])
    return vals.reshape(n, u, -1).transpose(0, 2, 1)


def _active_jacobians(model: RamModel, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Jacobians over ``x`` (n × k × nx) of the nonlinear equalities and the masked inequalities."""
    theta = model.theta_of(x)
    Ju = _theta_jacobians(model, theta, mask)
    J = np.zeros((theta.shape[0], Ju.shape[1], model.npar))
    J[:, :, _constraint_inputs(model)] = Ju
    return J if model.K is None else J @ model.K


def _active_jacobian_x(model: RamModel, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return _active_jacobians(model, x[None], mask)[0]


def _constraint_curvature(model: RamModel, x: np.ndarray, mask: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """``Σ_i λ_i ∇²c_i`` over ``x`` for a batch (n × nx × nx): central differences of the
    complex-step Jacobians over the θ positions the constraints use, all in one evaluation."""
    used = _constraint_inputs(model)
    theta = model.theta_of(x)
    n, u = theta.shape[0], used.size
    h = 1e-5 * np.maximum(1.0, np.abs(theta[:, used]))  # n × u
    pts = np.repeat(theta, 2 * u, axis=0).reshape(n, 2 * u, -1)
    d = np.arange(u)
    pts[:, d, used] += h
    pts[:, u + d, used] -= h
    Jp = _theta_jacobians(model, pts.reshape(n * 2 * u, -1), mask).reshape(n, 2 * u, -1, u)  # n × 2u × k × u
    dJ = (Jp[:, :u] - Jp[:, u:]) / (2 * h[:, :, None, None])  # n × u(direction) × k × u
    Hu = np.einsum("nk,ndkj->njd", lam, dJ)
    Hu = 0.5 * (Hu + np.swapaxes(Hu, 1, 2))
    H = np.zeros((n, model.npar, model.npar))
    H[:, used[:, None], used[None, :]] = Hu
    return H if model.K is None else model.K.T @ H @ model.K


def _newton_kkt(model: RamModel, batch: _Batch, ix: np.ndarray, x: np.ndarray, mask: np.ndarray,
                iters: int = 30):
    """Batched Newton steps on the KKT system of the active constraints ``c_A(x) = 0`` (the
    nonlinear equalities and the inequalities in ``mask``), for the replicates ``ix``::

        [[∇²F + Σ λ_i ∇²c_i, Jᵀ], [J, 0]] [δ; Δλ] = [−(g + Jᵀλ); −c]

    with the exact Hessian of F (the expected information where the reduced Hessian is not
    positive definite) and a backtracking line search on the exact penalty
    ``F + ρ Σ|c_i|`` (``ρ`` above the largest multiplier; Nocedal & Wright 2006, ch. 18).
    A replicate is converged when its step and its constraints are below 1e-10; the solution
    must keep the other inequalities feasible and give the active ones multipliers of the
    right sign (``λ ≤ 0``: the constraint holds the optimum back), else the active set was
    wrong.  Returns ``(x, ok, iterations)`` per replicate."""
    x = np.array(x, dtype=float)
    n = x.shape[0]
    k_eq = len(model._nonlinear_eq)
    ok = np.zeros(n, dtype=bool)
    done = np.zeros(n, dtype=bool)
    its = np.zeros(n, dtype=np.int64)
    lam = None
    for _ in range(iters):
        a = np.flatnonzero(~done)
        if a.size == 0:
            break
        rows = ix[a]
        its[a] += 1
        F, st = batch.value(x[a], rows)
        bad = ~np.isfinite(F)
        if bad.any():
            done[a[bad]] = True
            a, rows, F = a[~bad], rows[~bad], F[~bad]
            st = [tuple(v[~bad] for v in s_) for s_ in st]
            if a.size == 0:
                break
        g, H, Hobs = batch.derivatives(st, rows, observed=True)
        c = np.real(_active_values(model, model.theta_of(x[a]), mask))
        J = _active_jacobians(model, x[a], mask)
        k = J.shape[1]
        if lam is None:
            lam = np.zeros((n, k))
            if k:
                JJ = J @ np.swapaxes(J, 1, 2)
                lam[a] = -np.linalg.solve(JJ, (J @ g[:, :, None]))[..., 0]
        HL = Hobs + (_constraint_curvature(model, x[a], mask, lam[a]) if k else 0.0)
        if k:
            _u, _sv, Vt = np.linalg.svd(J)
            Z = np.swapaxes(Vt[:, k:, :], 1, 2)
        else:
            Z = np.broadcast_to(np.eye(x.shape[1]), (a.size,) + (x.shape[1],) * 2)
        if Z.shape[2]:
            red = np.swapaxes(Z, 1, 2) @ HL @ Z
            try:  # positive definite reduced Hessians: the usual case, one batched Cholesky
                np.linalg.cholesky(red)
                fisher = np.zeros(0, dtype=np.int64)
            except np.linalg.LinAlgError:
                fisher = np.flatnonzero(np.linalg.eigvalsh(red).min(axis=1) <= 0)
            if fisher.size:  # not a descent model there: Fisher scoring
                HL[fisher] = H(fisher) if callable(H) else H[fisher]
        m = x.shape[1]
        Kkt = np.zeros((a.size, m + k, m + k))
        Kkt[:, :m, :m] = HL
        Kkt[:, :m, m:] = np.swapaxes(J, 1, 2)
        Kkt[:, m:, :m] = J
        rhs = -np.concatenate([g + (np.swapaxes(J, 1, 2) @ lam[a][:, :, None])[..., 0], c], axis=1)
        sol = _solve(Kkt, rhs)
        good = np.isfinite(sol).all(axis=1)
        done[a[~good]] = True
        dx, dlam = sol[:, :m], sol[:, m:]
        conv = good & (np.abs(dx).max(axis=1) < 1e-10) & ((np.abs(c).max(axis=1) if k else 0.0) < 1e-10)
        lam[a[conv]] += dlam[conv]
        ok[a[conv]] = True
        done[a[conv]] = True
        go = good & ~conv
        if not go.any():
            continue
        a, rows, dx, dlam, F, c = a[go], rows[go], dx[go], dlam[go], F[go], c[go]
        rho = 2.0 * (np.abs(lam[a] + dlam).max(axis=1) if k else np.zeros(a.size)) + 1e-3
        phi0 = F + rho * np.abs(c).sum(axis=1)
        alpha = np.ones(a.size)
        todo = np.arange(a.size)
        for _ls in range(30):
            cand = x[a[todo]] + alpha[todo, None] * dx[todo]
            Fc, _st = batch.value(cand, rows[todo])
            cc = np.real(_active_values(model, model.theta_of(cand), mask))
            phi = Fc + rho[todo] * np.abs(cc).sum(axis=1)
            acc = phi <= phi0[todo] + 1e-12 * np.maximum(1.0, np.abs(phi0[todo]))
            r = todo[acc]
            x[a[r]] += alpha[r, None] * dx[r]
            lam[a[r]] += alpha[r, None] * dlam[r]
            todo = todo[~acc]
            if todo.size == 0:
                break
            alpha[todo] *= 0.5
        done[a[todo]] = True  # no decrease of the merit function along the step
    if ok.any():
        good = np.flatnonzero(ok)
        ok[good] = _feasible_batch(model, x[good], tol=1e-9) & (lam[good, k_eq:] <= 1e-10).all(axis=1)
    return x, ok, its


# ============================================================================ helpers
def blas_single_thread():
    """BLAS held to one thread: :func:`acsi.parallel.blas_single_thread` (the one implementation).

    The batched products here are small; a multi-threaded OpenBLAS spends far more time
    synchronising its threads than computing.  Parallelism comes from workers instead.
    """
    from ..parallel import blas_single_thread as limit

    return limit()


def sample_moments(X: np.ndarray) -> np.ndarray:
    """Sample covariance with denominator N (lavaan's ``likelihood = "normal"``)."""
    X = np.asarray(X, dtype=float)
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / X.shape[0]


# ============================================================================ start values
def start_values(model, S, mean=None) -> np.ndarray:
    """Start values θ from the sample moments (a cold start for :func:`fit_covariances`).

    ``S`` (and ``mean``) are one group's moments, or lists with one per group.  Per group:
    loadings are covariance ratios with the latent's reference indicator (the one with a
    fixed loading, else the first; averaged over the block's other items, for a two-item
    block over the items of other blocks); a latent scaled by a fixed variance (``std_lv``)
    gets loadings ``λ_rel sqrt(φ_rel / ψ)``; the latent covariance matrix is read from the
    reference items and disattenuated (phantom latents: the observed moments); structural
    paths and residual variances by least squares on that matrix; item residual variances
    ``max(s_ii − (ΛΦΛᵀ)_ii, 0.1 s_ii)``; intercepts the sample means less ``Λ α``; user
    ``start()`` values replace these.
    """
    if isinstance(model, GroupModel):
        return _group_start(model, np.asarray(S, float), None if mean is None else np.asarray(mean, float))
    if isinstance(S, np.ndarray) and S.ndim == 2:
        S = [S]
    if mean is not None and isinstance(mean, np.ndarray) and mean.ndim == 1:
        mean = [mean]
    theta = np.zeros(model.npar)
    for g, gm in enumerate(model.groups):
        mg = None if mean is None else np.asarray(mean[g], float)
        theta[gm.pidx] = _group_start(gm, np.asarray(S[g], float), mg)
    us = model.cols["ustart"][model.param_rows]  # the table's start() values (rows in θ order)
    has = np.isfinite(us)
    theta[has] = us[has]
    return theta


def _indicator_loadings(S, Sl, ids, r, p, outside=None):
    """Loadings relative to the reference indicator r (λ_r = 1) and the reference-scale
    variance of the latent, from covariance ratios (their means); ``Sl``: ``S.tolist()``, read
    cell by cell (Python floats: no numpy scalar per cell)."""
    lam = {r: 1.0}
    if outside is None:
        outside = [k for k in range(p) if k not in ids]
    for i in ids:
        if i == r:
            continue
        others = [k for k in ids if k not in (i, r)]
        if others:
            ratios = [Sl[i][k] / Sl[r][k] for k in others if abs(Sl[r][k]) > 1e-12]
            lam[i] = sum(ratios) / len(ratios) if ratios else 1.0
        elif outside:
            lam[i] = float(S[i, outside] @ S[r, outside] / max(S[r, outside] @ S[r, outside], 1e-12))
        else:
            lam[i] = 1.0
    if len(ids) > 1:
        ests = [Sl[r][i] / lam[i] for i in ids if i != r and abs(lam[i]) > 1e-12]
        phi = max(sum(ests) / len(ests) if ests else Sl[r][r] / 2, 0.05 * Sl[r][r])
    else:
        phi = Sl[r][r]
    return lam, phi


class _StartPlan:
    """What :func:`_group_start` reads from the model alone, built once per group model: per
    latent its indicators, reference indicator and scaling, per latent its predictors, and where
    each kind of free cell goes in θ."""

    def __init__(self, gm: GroupModel):
        p, m = gm.p, gm.m
        ovi = {x: i for i, x in enumerate(gm.ov)}
        free_cell = {(k, r, c): n for n, (k, r, c) in enumerate(zip(gm.kind, gm.row, gm.col))}
        self.latents = []  # (j, phantom item or None, ids, r, outside, how, free loadings)
        for j in range(m):
            if gm.phantom[j]:
                self.latents.append((j, ovi[gm.lv[j]], None, None, None, None, None))
                continue
            ids = [i for i in range(p) if (LOADING, i, j) in free_cell or gm.L0[i, j] != 0.0]
            ids = [i for i in ids if not (gm.latent_of_item[i] >= 0 and gm.phantom[gm.latent_of_item[i]])]
            if not ids:
                continue
            fixed = [i for i in ids if (LOADING, i, j) not in free_cell and gm.L0[i, j] != 0.0]
            r = fixed[0] if fixed else ids[0]
            how = "fixed" if fixed else ("psi" if (PSI, j, j) not in free_cell and gm.P0[j, j] > 0 else "free")
            outside = [k for k in range(p) if k not in ids]
            self.latents.append((j, None, ids, r, outside, how, {i for i in ids if (LOADING, i, j) in free_cell}))
        self.preds = {t: [f for f in range(m) if (PATH, t, f) in free_cell or gm.B0[t, f] != 0.0] for t in range(m)}
        self.free_paths = {t: [(PATH, t, f) in free_cell for f in P] for t, P in self.preds.items()}
        kind, row, col = gm.kind, gm.row, gm.col
        self.load = np.flatnonzero(kind == LOADING)
        self.path = np.flatnonzero(kind == PATH)
        psi = kind == PSI
        self.psi_diag = np.flatnonzero(psi & (row == col))
        off = np.flatnonzero(psi & (row != col))
        alone = np.array([not self.preds[row[n]] and not self.preds[col[n]] for n in off], dtype=bool)
        self.psi_cov, self.psi_zero = off[alone] if off.size else off, off[~alone] if off.size else off
        th = kind == THETA
        self.theta_diag = np.flatnonzero(th & (row == col))
        self.nu = np.flatnonzero(kind == NU)
        self.alpha = np.flatnonzero(kind == ALPHA)


def _start_plan(gm: GroupModel) -> _StartPlan:
    plan = gm.__dict__.get("_start_plan")
    if plan is None:
        plan = gm._start_plan = _StartPlan(gm)
    return plan


def _group_start(gm: GroupModel, S: np.ndarray, mean: np.ndarray | None) -> np.ndarray:
    p, m = gm.p, gm.m
    plan = _start_plan(gm)
    Lam = gm.L0.copy()
    phi = np.ones(m)
    ref = np.full(m, -1)
    Sl = S.tolist()
    for j, item, ids, r, outside, how, free in plan.latents:
        if item is not None:  # a phantom latent: its observed variable
            ref[j], phi[j] = item, S[item, item]
            continue
        lam, phi_rel = _indicator_loadings(S, Sl, ids, r, p, outside)
        if how == "fixed":
            v = gm.L0[r, j]
            scale, phi[j] = v, phi_rel / v**2
        elif how == "psi":
            phi[j] = gm.P0[j, j]
            scale = np.sqrt(phi_rel / phi[j])
        else:
            scale, phi[j] = 1.0, phi_rel
        for i, v in lam.items():
            if i in free:
                Lam[i, j] = v * scale
        ref[j] = r
    Phi = np.diag(phi).tolist()  # filled cell by cell as Python floats, then one array
    refs, Laml = ref.tolist(), Lam.tolist()
    for a in range(m):
        for b in range(a):
            if refs[a] >= 0 and refs[b] >= 0:
                la = Laml[refs[a]][a] or 1.0
                lb = Laml[refs[b]][b] or 1.0
                Phi[a][b] = Phi[b][a] = Sl[refs[a]][refs[b]] / (la * lb)
    Phi = np.array(Phi)
    ev, evec = np.linalg.eigh(Phi)
    if ev.min() <= 1e-6 * max(ev.max(), 1e-12):
        Phi = evec @ np.diag(np.maximum(ev, 1e-3 * max(ev.max(), 1e-12))) @ evec.T
    Bm = gm.B0.copy()
    psi = Phi.copy()
    for t in range(m):
        P = plan.preds[t]
        if not P:
            continue
        # Phi is positive definite with a condition number below 1e6 here (the check above), and so
        # is each of its principal sub-matrices: a direct solve is exact enough (lstsq's SVD took
        # a third of the start values' time)
        b = np.linalg.solve(Phi[np.ix_(P, P)], Phi[P, t])
        for f, bi, is_free in zip(P, b, plan.free_paths[t]):
            if is_free:
                Bm[t, f] = float(bi)
        psi[t, t] = max(Phi[t, t] - Phi[P, t] @ b, 0.05 * Phi[t, t])
    implied_var = np.einsum("ij,jk,ik->i", Lam, Phi, Lam)
    al = np.zeros(m)
    if mean is not None:
        for j, item, *_rest in plan.latents:
            if item is not None:
                al[j] = mean[item]
    row, col = gm.row, gm.col
    theta = np.zeros(gm.q)
    k = plan.load
    theta[k] = Lam[row[k], col[k]]
    k = plan.path
    theta[k] = Bm[row[k], col[k]]
    k = plan.psi_diag
    theta[k] = psi[row[k], row[k]]
    k = plan.psi_cov
    theta[k] = Phi[row[k], col[k]]
    k = plan.theta_diag
    d = S[row[k], row[k]]
    theta[k] = np.maximum(d - implied_var[row[k]], 0.1 * d)
    for n in plan.nu:
        r = row[n]
        theta[n] = 0.0 if mean is None else mean[r] - Lam[r] @ al
    k = plan.alpha
    theta[k] = al[row[k]]
    return theta


def _simple_start(model, S, mean=None) -> np.ndarray:
    """A crude, very stable start (unit loadings, half variances, small latent variances)."""
    if isinstance(S, np.ndarray) and S.ndim == 2:
        S = [S]
    th = np.zeros(model.npar)
    for g, gm in enumerate(model.groups):
        Sg = np.asarray(S[g], float)
        for n, (k, r, c) in enumerate(zip(gm.kind, gm.row, gm.col)):
            v = 0.0
            if k == LOADING:
                v = 1.0
            elif k == THETA and r == c:
                v = Sg[r, r] / 2
            elif k == PSI and r == c:
                v = Sg[gm.ov.index(gm.lv[r]), gm.ov.index(gm.lv[r])] if gm.phantom[r] else 0.05
            elif k == NU and mean is not None:
                v = float(np.asarray(mean[g])[r])
            th[gm.pidx[n]] = v
    return th


# ============================================================================ standard errors
def parameter_vcov(model: RamModel, info: np.ndarray, n: int, theta: np.ndarray) -> np.ndarray:
    """Covariance matrix of θ̂ from the expected information ``H`` of F over θ (lavaan's
    ``lav_model_vcov`` with ``se = "standard"``).

    * no constraints: ``V = (2/N) H⁻¹``;
    * linear equalities only (``θ = K x + k0``): ``V = (2/N) K (Kᵀ H K)⁻¹ Kᵀ``;
    * nonlinear equalities or inequalities: lavaan's augmented information, with ``J`` the
      Jacobian of the equalities and the active inequalities (value ≤ 1e-5) and ``I = H/2``
      the information per observation: ``V = (1/N) [(I + JᵀJ, Jᵀ; J, 0)⁺]₁₁`` (Moore-Penrose
      inverse with tolerance ``ε^(3/4)``, lavaan's ``MASS::ginv``).  An active inequality is
      treated as an equality there, so a parameter at its bound gets SE 0 as in lavaan.

    Raises ``np.linalg.LinAlgError`` when the information is singular.
    """
    H = 0.5 * (info + info.T)
    if not model.constraints:
        return 2.0 / n * np.linalg.inv(H)
    if not model.has_nonlinear:
        Km = model.K
        return 2.0 / n * Km @ np.linalg.inv(Km.T @ H @ Km) @ Km.T
    J = model.active_constraint_jacobian(theta)
    I1 = 0.5 * H + J.T @ J
    k = J.shape[0]
    E = np.block([[I1, J.T], [J, np.zeros((k, k))]])
    Einv = np.linalg.pinv(E, rcond=np.finfo(float).eps ** 0.75, hermitian=True)
    return Einv[: model.npar, : model.npar] / n


# ============================================================================ admissibility
def admissible_batch(model, theta: np.ndarray, exo: np.ndarray | None = None) -> np.ndarray:
    """Vectorised admissibility: no negative variance, positive-definite latent covariance
    (``exo``: the covariate moments fixed at their sample values, per θ, when the model has them)."""
    gm = _gm(model)
    tc = model.cells(np.atleast_2d(theta), 0) if isinstance(model, RamModel) else np.atleast_2d(theta)
    _L, _B, P, T = gm.matrices(tc, exo)[:4]
    _, A, _, _ = _implied_full(gm, tc, exo)[:4]
    ok = (np.diagonal(T, axis1=1, axis2=2) >= 0).all(axis=1) & (np.diagonal(P, axis1=1, axis2=2) >= 0).all(axis=1)
    ok &= np.linalg.eigvalsh(A).min(axis=1) > 0
    return ok


# ============================================================================ fit_sem replacement
def fit_sem_fast(
    data: pd.DataFrame,
    spec: ModelSpec,
    *,
    level: float = 0.95,
    start: np.ndarray | None = None,
    xtol: float = 1e-10,
    maxiter: int = 200,
    model: RamModel | None = None,
):
    """Drop-in for :func:`acsi.estimate.sem.fit_sem` using acsi's own engine.

    Returns the same :class:`~acsi.estimate.SEMResult` (estimate table with lavaan's
    columns and expected-information standard errors ``sqrt(diag((2/N) H⁻¹))``, fit measures
    from :func:`acsi.estimate.fitmeasures.fit_measures`, loadings, residual variances, latent
    covariance, admissibility checks with the same messages), without semopy.  The model is
    ``spec``'s default parameter table (:func:`acsi.estimate.ml.fit_ml` takes any table).

    Parameters
    ----------
    data : DataFrame
        Complete item data, one column per item of ``spec``.
    spec : ModelSpec
    level : float
        Level of the Wald intervals.
    start : ndarray, optional
        Start values in ``RamModel(spec).labels`` order (default :func:`start_values`).
    model : RamModel, optional
        A compiled model to reuse across calls.

    Raises
    ------
    EstimationError
        Missing items, incomplete data, fewer than 2 rows, a constant item, or a
        non-positive-definite sample covariance (same checks and messages as ``fit_sem``).

    Examples
    --------
    >>> res = fit_sem_fast(survey_of_one_company, acsi.load_model("acsi"))   # doctest: +SKIP
    >>> res.estimates.query("op == '~'")[["lhs", "rhs", "est", "se"]]          # doctest: +SKIP
    """
    model = model or compiled_model(spec)
    stats = SampleStats.from_data(data, [gm.ov for gm in model.groups])
    return fit_stats(model, stats, level=level, start=start, xtol=xtol, maxiter=maxiter)


def sem_result_from_cov(model: RamModel, S: np.ndarray, n: int, *, level: float = 0.95, start=None,
                        xtol: float = 1e-10, maxiter: int = 200, mean: np.ndarray | None = None):
    """:class:`~acsi.estimate.SEMResult` from a sample covariance (denominator N) and N.

    The sufficient statistics of ML: a unit's fit needs only ``S`` and ``n`` (and the mean
    with a mean structure), so very large surveys can be fitted from per-unit moments without
    holding the rows.
    """
    stats = SampleStats.from_moments(S, n, mean, ov=model.groups[0].ov)
    return fit_stats(model, stats, level=level, start=start, xtol=xtol, maxiter=maxiter)


def fit_stats(model: RamModel, stats: SampleStats, *, level: float = 0.95, start=None, xtol: float = 1e-10,
              maxiter: int = 200, inference=None) -> SEMResult:
    """Fit ``model`` to sample statistics (the sufficient statistics of complete-data ML).

    A cold start comes from :func:`~.mlfast.start_values`; if that does not converge, a second
    one from a cruder, very stable start.  ``inference``
    (:func:`acsi.estimate.robust.resolve_inference`; needed for survey-weighted statistics)
    chooses the standard errors and the test.
    """
    if len(stats.groups) != len(model.groups):
        raise EstimationError(f"the model has {len(model.groups)} groups, the sample statistics {len(stats.groups)}")
    S = [g.cov for g in stats.groups]
    means = [g.mean for g in stats.groups] if model.meanstructure else None
    w = stats.weights
    kw = dict(means=None if means is None else [m[None] for m in means], weights=w, xtol=xtol, maxiter=maxiter,
              keep_information=True, final_gradient=True)
    th0 = start_values(model, S, means) if start is None else np.asarray(start, dtype=float)
    bf = fit_covariances(model, [s[None] for s in S], th0, **kw)
    if not bf.converged[0] and start is None:
        alt = _simple_start(model, S, means)
        bf2 = fit_covariances(model, [s[None] for s in S], alt, **kw)
        if bf2.converged[0] or bf2.fmin[0] < bf.fmin[0]:
            bf = bf2
    converged = bool(bf.converged[0])
    what = "constrained Newton/SLSQP" if model.has_nonlinear else "Newton/Fisher scoring"
    messages = [] if converged else [
        f"{what} did not converge in {maxiter} iterations (max |gradient| {bf.grad_max[0]:.3g})"
    ]
    return result_from_theta(model, stats, bf.theta[0], info=bf.info[0] if converged else None, converged=converged,
                             messages=messages, n_iter=int(bf.n_iter[0]), objective=float(bf.fmin[0]), level=level,
                             inference=inference)


def compile_model(source) -> RamModel:
    """A compiled model from a ParTable, a ``ModelSpec`` (its default table, compiled once and
    cached: :func:`compiled_model`) or a compiled model (returned as it is)."""
    if isinstance(source, RamModel):
        return source
    if isinstance(source, ModelSpec):
        return compiled_model(source)
    return RamModel(source)
