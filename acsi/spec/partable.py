"""The parameter table: the one canonical representation of a model for estimation.

:func:`build_partable` turns a :class:`~acsi.spec.ModelSpec` into lavaan's parameter table
(``parTable(fit)``): one row per parameter, written by the user or added by a named
identification rule, with the matrix cell it occupies in lavaan's LISREL representation.
Every consumer (the semopy syntax, the ML and FIML engines, the bootstrap's statistic labels,
the output estimate table) derives from it; nothing else decides which parameters are free.

Construction, as lavaan 0.6-14 does it (``lavaanify()``, ``lav_partable_flat()``,
``lav_partable_labels()``, ``lav_lisrel()``):

1. **User rows**, in syntax order (for a spec read from TOML, the order of
   :meth:`ModelSpec.to_lavaan`: loadings per latent, regressions per outcome, covariances).
   A covariance ``b ~~ a`` is stored as ``a ~~ b`` when ``a`` comes first in
   (latents, observed variables).
2. **Default rows** not already written (``user = 0``): (residual) variances of every
   non-exogenous observed variable, then of every latent; covariances among exogenous latents
   (``auto_cov_lv_x``); residual covariances among pure outcomes, latent then observed
   (``auto_cov_y``: variables regressed on something that are neither indicators nor
   predictors); variances and covariances of exogenous observed covariates (lower triangle,
   column by column); intercepts of every observed variable then every latent
   (``meanstructure``).
3. **Rules**, in this order: every row free; ``std_lv`` fixes latent variances to 1;
   ``auto_fix_first`` fixes the first loading of every latent to 1 (default: unless
   ``std_lv``); ``auto_fix_single`` fixes to 0 the residual variance of an indicator that
   is the only one of its latent; latent intercepts fixed to 0 unless ``int_lv_free``,
   observed intercepts free unless ``int_ov_free=False``; ``fixed_x`` fixes the variances,
   covariances and intercepts of exogenous observed covariates (``exo = 1``: the engine sets
   them to their sample values). In groups 2.. latent means are free when intercepts are
   equal across groups and means are not; with ``std_lv`` and equal loadings, latent
   variances are free in groups 2.. unless they are equal too.
4. **Modifiers** of the user's terms override the rules: a value fixes (``NA`` frees), a
   start value sets ``ustart``, a label names the parameter.
5. **Equalities**: every row gets a label (``lhs op rhs``, ``.gN`` in group N > 1);
   ``group_equal`` gives the rows of a set in groups 2.. the label of group 1, except the
   ``group_partial`` ones; user labels replace these. Rows sharing a label become one
   parameter through ``==`` rows (``user = 2``, ``.pI. == .pJ.``), as lavaan; if one of them
   is fixed, all are fixed at its value.
6. Constraint rows (``:=``, ``==``, ``<``, ``>``) come last, then the generated ``==`` rows;
   free parameters are numbered 1..npar in row order.

The matrix cell of every row (``mat``, ``row``, ``col``; 0-based) is lavaan's LISREL cell:
``lambda`` (observed x latent), ``beta`` (latent x latent, ``beta[to, from]``), ``psi``
(latent x latent), ``theta`` (observed x observed), ``nu`` (observed), ``alpha`` (latent);
``theta``/``psi`` cells are stored with ``row <= col``. An observed variable in the
structural part (regressed, a predictor, or covarying with one of those or with a latent)
gets a *phantom* latent of the same name (``layout(g).phantom``): loading fixed at 1 and
residual variance 0 (cells implied, not rows), its variance and covariances in ``psi``, its
regressions in ``beta``, its intercept in ``alpha``.

Equivalent R::

    parTable(lavaan::sem(model, data, std.lv = FALSE, meanstructure = "default",
                         group = NULL, group.equal = "", group.partial = ""))

References: Rosseel (2012), lavaan: an R package for structural equation modeling, JSS
48(2); the lavaan 0.6-14 sources named above; Jöreskog & Sörbom's LISREL notation.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AcsiWarning, InvalidParameterError, SpecError
from .syntax import CONSTRAINT_OPS, Statement

__all__ = ["COLUMNS", "GROUP_EQUAL", "Layout", "ParTable", "build_partable", "variable_names"]

#: Columns of :meth:`ParTable.to_frame`, in order (see docs/ARCHITECTURE.md section 2).
COLUMNS = (
    "id", "lhs", "op", "rhs", "user", "block", "group", "free", "ustart", "exo", "label",
    "plabel", "rule", "mat", "row", "col", "line", "column",
)

#: The equality sets of ``group_equal`` (lavaan's ``group.equal`` names).
GROUP_EQUAL = (
    "loadings", "intercepts", "means", "regressions", "residuals", "residual.covariances",
    "lv.variances", "lv.covariances",
)

_MATRICES = ("lambda", "beta", "psi", "theta", "nu", "alpha")

_BOOL_OPTIONS = (
    "std_lv", "auto_fix_single", "auto_var", "auto_cov_lv_x", "auto_cov_y", "fixed_x",
    "int_ov_free", "int_lv_free",
)


# --------------------------------------------------------------------------------------
# the flat model: user terms and constraints, as lavaan's parser leaves them
# --------------------------------------------------------------------------------------
def flat_model(spec) -> tuple[tuple[Statement, ...], tuple[Statement, ...]]:
    """The user terms and the constraints of ``spec``, in syntax order.

    ``spec.statements`` as written (for a spec read from TOML, the order of
    :meth:`ModelSpec.to_lavaan`: the loadings of each latent, the regressions of each
    outcome, the listed covariances, then the TOML ``syntax`` block). The single-indicator
    ``x ~~ 0*x`` line of ``to_lavaan`` is not a user term: it is the ``auto_fix_single`` rule.
    """
    terms = tuple(s for s in spec.statements if s.op not in CONSTRAINT_OPS)
    cons = tuple(s for s in spec.statements if s.op in CONSTRAINT_OPS)
    return terms, cons


# --------------------------------------------------------------------------------------
# variable names (lavaan's lav_partable_vnames for one block)
# --------------------------------------------------------------------------------------
def _unique(seq) -> list[str]:
    return list(dict.fromkeys(seq))


@dataclass(frozen=True)
class _Names:
    lv: tuple[str, ...]        # latents: lhs of =~, in order
    ov: tuple[str, ...]        # observed: indicators, outcomes, predictors, others
    ov_ind: tuple[str, ...]    # observed indicators
    ov_x: tuple[str, ...]      # exogenous observed covariates
    ov_nox: tuple[str, ...]    # observed variables that are not exogenous covariates
    lv_x: tuple[str, ...]      # exogenous latents (neither indicators nor outcomes)
    lv_y: tuple[str, ...]      # pure latent outcomes (regressed, never a predictor)
    ov_y: tuple[str, ...]      # pure observed outcomes (regressed, never a predictor)


def _names(rows: Sequence[tuple[str, str, str, int, int]]) -> _Names:
    """Variable names of a block from rows ``(lhs, op, rhs, user, exo)``.

    lavaan's rules: ``ov`` is indicators (first appearance), then observed outcomes of
    ``~``, then observed predictors, then variables met only in ``~~``/``~1``. An observed
    predictor is an exogenous covariate unless the user wrote a variance, covariance or
    intercept for it (then it is random, as in lavaan, which warns).
    """
    lhs_of = lambda *ops: [r[0] for r in rows if r[1] in ops]  # noqa: E731
    rhs_of = lambda *ops: [r[2] for r in rows if r[1] in ops]  # noqa: E731
    lv = _unique(lhs_of("=~"))
    lvset = set(lv)
    eqs_y = _unique(lhs_of("~"))
    eqs_x = _unique(rhs_of("~"))
    v_ind = _unique(rhs_of("=~"))
    ov_ind = [v for v in v_ind if v not in lvset]
    ov_y_all = [v for v in eqs_y if v not in lvset and v not in ov_ind]
    ov_x0 = [v for v in eqs_x if v not in lvset and v not in ov_ind and v not in ov_y_all]
    ov_extra = _unique(
        [r[0] for r in rows if r[1] == "~~" and r[0] not in lvset]
        + [r[2] for r in rows if r[1] == "~~" and r[2] not in lvset]
        + [r[0] for r in rows if r[1] == "~1" and r[0] not in lvset]
    )
    head = ov_ind + ov_y_all + ov_x0
    ov = head + [v for v in ov_extra if v not in set(head)]
    # predictors with a user-written variance/covariance/intercept are not exogenous
    written = {r[0] for r in rows if r[3] == 1 and r[1] in ("~1", "~~")} | {
        r[2] for r in rows if r[3] == 1 and r[1] == "~~"
    }
    ov_x = [v for v in ov_x0 if v not in written]
    exo_vars = _unique([r[0] for r in rows if r[4] == 1] + [r[2] for r in rows if r[4] == 1 and r[1] == "~~"])
    ov_x += [v for v in exo_vars if v not in ov_x]
    ov_xset = set(ov_x)
    ov_nox = [v for v in ov if v not in ov_xset]
    excl = set(v_ind) | set(eqs_y)
    lv_x = [v for v in lv if v not in excl]
    pure = [v for v in eqs_y if v not in set(v_ind) and v not in set(eqs_x)]
    lv_y = [v for v in lv if v in set(pure)]
    ov_y = [v for v in ov if v in set(pure) and v not in lvset]
    return _Names(*(tuple(x) for x in (lv, ov, ov_ind, ov_x, ov_nox, lv_x, lv_y, ov_y)))


def variable_names(statements) -> _Names:
    """lavaan's variable names (``lv``, ``ov``, ``ov_x``, ...) of a model's statements."""
    return _names([(s.lhs, s.op, s.rhs, 1, 0) for s in statements if s.op not in CONSTRAINT_OPS])


# --------------------------------------------------------------------------------------
# the layout of a group's LISREL matrices
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    """Dimensions of one group's matrices.

    Attributes
    ----------
    ov : tuple of str
        Observed variables: rows of ``lambda``, ``theta``, ``nu``, in lavaan's order.
    lv : tuple of str
        Latent variables: the declared latents, then one *phantom* latent for each
        observed variable in the structural part (columns of ``lambda``; ``beta``, ``psi``,
        ``alpha``).
    latents : tuple of str
        The declared latents (the first ``len(latents)`` entries of ``lv``).
    phantom : tuple of str
        Observed variables represented by a phantom latent of the same name: implied
        ``lambda[ov, lv] = 1`` and ``theta[ov, ov] = 0`` (cells with no row in the table).
    ov_x : tuple of str
        Exogenous observed covariates (their moments are ``exo`` rows when ``fixed_x``).
    ov_ind : tuple of str
        Observed indicators of latents.
    """

    ov: tuple[str, ...]
    lv: tuple[str, ...]
    latents: tuple[str, ...]
    phantom: tuple[str, ...]
    ov_x: tuple[str, ...]
    ov_ind: tuple[str, ...]

    def ov_index(self, name: str) -> int:
        """0-based row of observed variable ``name``."""
        return self.ov.index(name)

    def lv_index(self, name: str) -> int:
        """0-based column of latent (or phantom latent) ``name``."""
        return self.lv.index(name)

    @property
    def shapes(self) -> dict[str, tuple[int, int]]:
        """Matrix name -> shape."""
        p, m = len(self.ov), len(self.lv)
        return {"lambda": (p, m), "beta": (m, m), "psi": (m, m), "theta": (p, p), "nu": (p, 1), "alpha": (m, 1)}


def _phantoms(rows: Sequence[dict], names: _Names) -> list[str]:
    """Observed variables that lavaan's LISREL representation turns into latents."""
    lvset = set(names.lv)
    reg = _unique([r["lhs"] for r in rows if r["op"] == "~"] + [r["rhs"] for r in rows if r["op"] == "~"])
    d1 = [v for v in reg if v not in lvset]
    d1set = set(d1)
    cov = [r for r in rows if r["op"] == "~~"]
    first = [r for r in cov if r["lhs"] in d1set or r["rhs"] in d1set]
    lhs1, rhs1 = {r["lhs"] for r in first}, {r["rhs"] for r in first}
    second = [r for r in cov if r["lhs"] in lhs1 or r["rhs"] in rhs1]
    d2 = _unique([r["lhs"] for r in first + second] + [r["rhs"] for r in first + second])
    ovset = set(names.ov)
    d3 = _unique(
        [r["lhs"] for r in cov if r["lhs"] in ovset and r["rhs"] in lvset]
        + [r["rhs"] for r in cov if r["lhs"] in lvset and r["rhs"] in ovset]
    )
    dummy = set(d1) | set(d2) | set(d3)
    return [v for v in names.ov if v in dummy]


def _cell(r: dict, ov: dict[str, int], lv: dict[str, int]) -> tuple[str, int, int]:
    """lavaan's LISREL cell of one row (0-based), or ("", -1, -1)."""
    op, lhs, rhs = r["op"], r["lhs"], r["rhs"]
    mat, i, j = "", None, None
    if op == "=~":
        if rhs not in lv:
            mat, i, j = "lambda", ov.get(rhs), lv.get(lhs)
        else:
            mat, i, j = "beta", lv.get(rhs), lv.get(lhs)
    elif op == "~":
        mat, i, j = "beta", lv.get(lhs), lv.get(rhs)
    elif op == "~~":
        if rhs in lv:
            mat, i, j = "psi", lv.get(lhs), lv.get(rhs)
        elif lhs not in lv:
            mat, i, j = "theta", ov.get(lhs), ov.get(rhs)
    elif op == "~1":
        if lhs in lv:
            mat, i, j = "alpha", lv.get(lhs), 0
        else:
            mat, i, j = "nu", ov.get(lhs), 0
    if not mat or i is None or j is None:
        return "", -1, -1
    if mat in ("theta", "psi") and i > j:
        i, j = j, i
    return mat, i, j


# --------------------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------------------
class ParTable:
    """An immutable lavaan-style parameter table (see the module docstring).

    Built by :func:`build_partable` (or :meth:`ModelSpec.partable`); read it with
    :meth:`to_frame` (a DataFrame copy with the columns :data:`COLUMNS`), :meth:`column`
    (a read-only array) and :meth:`layout` (the matrix dimensions of a group). ``==`` compares
every column but the source positions (``line``, ``column``), the layouts and the options.

    Attributes
    ----------
    npar : int
        Number of free parameters (the largest ``free``); equality constraints are
        separate ``==`` rows and do not reduce it (lavaan's ``npar``).
    ngroups : int
    group_labels : tuple of str
        The group labels (``("",)`` for a single-group model).
    options : mapping
        The identification options the table was built with, resolved (read-only).
    messages : tuple of str
        Notes in lavaan's manner (e.g. a predictor made random by a user-written variance).
    """

    __slots__ = ("_cols", "_layouts", "npar", "ngroups", "group_labels", "options", "messages", "_n")

    def __init__(self, columns: Mapping[str, Any], layouts: Sequence[Layout], options: Mapping[str, Any],
                 group_labels: Sequence[str], messages: Sequence[str] = ()):
        cols = {}
        n = len(columns["id"])
        for name in COLUMNS:
            values = columns[name]
            if name in ("lhs", "op", "rhs", "label", "plabel", "rule", "mat"):
                arr = np.array(list(values), dtype=object)
            elif name == "ustart":
                arr = np.array(values, dtype=float)
            else:
                arr = np.array(values, dtype=np.int64)
            if arr.shape != (n,):
                raise ValueError(f"column {name!r} has {arr.shape} values for {n} rows")
            arr.setflags(write=False)
            cols[name] = arr
        set_ = object.__setattr__
        set_(self, "_cols", MappingProxyType(cols))
        set_(self, "_layouts", tuple(layouts))
        set_(self, "_n", n)
        set_(self, "npar", int(cols["free"].max()) if n else 0)
        set_(self, "ngroups", len(self._layouts))
        set_(self, "group_labels", tuple(group_labels))
        set_(self, "options", MappingProxyType(dict(options)))
        set_(self, "messages", tuple(messages))

    def __setattr__(self, name, value):
        raise AttributeError(f"ParTable is immutable; cannot set {name!r}")

    def __delattr__(self, name):
        raise AttributeError(f"ParTable is immutable; cannot delete {name!r}")

    def __len__(self) -> int:
        return self._n

    def __eq__(self, other) -> bool:
        if not isinstance(other, ParTable):
            return NotImplemented
        if len(self) != len(other) or self._layouts != other._layouts or dict(self.options) != dict(other.options):
            return False
        for name in COLUMNS:
            if name in ("line", "column"):
                continue  # positions in the source, as Statement equality
            a, b = self._cols[name], other._cols[name]
            if name == "ustart":
                if not np.array_equal(a, b, equal_nan=True):
                    return False
            elif not np.array_equal(a, b):
                return False
        return True

    __hash__ = None

    def __repr__(self) -> str:
        ops = pd.Series(self._cols["op"]).value_counts()
        counts = ", ".join(f"{k} {v}" for k, v in ops.items())
        return f"<ParTable {self._n} rows ({counts}), npar {self.npar}, {self.ngroups} group(s)>"

    def column(self, name: str) -> np.ndarray:
        """The read-only array of one column (see :data:`COLUMNS`)."""
        try:
            return self._cols[name]
        except KeyError:
            raise InvalidParameterError(
                f"The 'name' parameter of ParTable.column must be one of {', '.join(COLUMNS)}. Got {name!r} instead."
            ) from None

    def to_frame(self) -> pd.DataFrame:
        """The table as a new DataFrame (lavaan's ``parTable`` columns plus acsi's)."""
        return pd.DataFrame({name: np.array(self._cols[name], copy=True) for name in COLUMNS})

    def layout(self, group: int = 1) -> Layout:
        """The matrix dimensions of ``group`` (1-based, as the ``group`` column)."""
        if not isinstance(group, (int, np.integer)) or isinstance(group, bool) or not 1 <= group <= self.ngroups:
            raise InvalidParameterError(
                f"The 'group' parameter of ParTable.layout must be an int in 1..{self.ngroups}. Got {group!r} instead."
            )
        return self._layouts[int(group) - 1]


def _bad(name: str, what: str, value) -> InvalidParameterError:
    return InvalidParameterError(f"The {name!r} parameter of build_partable must be {what}. Got {value!r} instead.")


def _resolve_options(opts: dict, flat_terms) -> dict:
    for name in _BOOL_OPTIONS:
        if not isinstance(opts[name], (bool, np.bool_)):
            raise _bad(name, "True or False", opts[name])
        opts[name] = bool(opts[name])
    if opts["auto_fix_first"] is None:
        opts["auto_fix_first"] = not opts["std_lv"]
    elif not isinstance(opts["auto_fix_first"], (bool, np.bool_)):
        raise _bad("auto_fix_first", "True, False or None (= not std_lv)", opts["auto_fix_first"])
    opts["auto_fix_first"] = bool(opts["auto_fix_first"])
    groups = opts["groups"]
    if groups is not None:
        if isinstance(groups, (str, bytes)) or not isinstance(groups, Sequence) or not groups:
            raise _bad("groups", "None or a non-empty sequence of group labels", groups)
        labels = tuple(str(g) for g in groups)
        if len(set(labels)) != len(labels):
            raise _bad("groups", "a sequence of distinct group labels", groups)
        opts["groups"] = labels
    ms = opts["meanstructure"]
    if isinstance(ms, str):
        if ms != "default":
            raise _bad("meanstructure", "True, False or 'default'", ms)
        opts["meanstructure"] = bool(groups is not None or any(t.op == "~1" for t in flat_terms))
    elif isinstance(ms, (bool, np.bool_)):
        opts["meanstructure"] = bool(ms)
    else:
        raise _bad("meanstructure", "True, False or 'default'", ms)
    if any(t.op == "~1" for t in flat_terms):
        opts["meanstructure"] = True
    ge = opts["group_equal"]
    if isinstance(ge, str):
        ge = (ge,)
    if not isinstance(ge, Sequence) or any(not isinstance(x, str) for x in ge):
        raise _bad("group_equal", f"a sequence of names from {', '.join(GROUP_EQUAL)}", opts["group_equal"])
    unknown = [x for x in ge if x not in GROUP_EQUAL]
    if unknown:
        raise _bad("group_equal", f"a sequence of names from {', '.join(GROUP_EQUAL)}", unknown[0])
    opts["group_equal"] = tuple(dict.fromkeys(ge))
    gp = opts["group_partial"]
    if isinstance(gp, str):
        gp = (gp,)
    if not isinstance(gp, Sequence) or any(not isinstance(x, str) for x in gp):
        raise _bad("group_partial", "a sequence of parameters like 'CS =~ cs2'", opts["group_partial"])
    opts["group_partial"] = tuple("".join(x.split()) for x in gp)
    if (opts["group_equal"] or opts["group_partial"]) and (groups is None or len(groups) < 2):
        which = "group_equal" if opts["group_equal"] else "group_partial"
        raise _bad(which, "empty for a single-group model (pass groups=[...] with two or more labels)", opts[which])
    return opts


def build_partable(
    spec,
    *,
    std_lv: bool = False,
    auto_fix_first: bool | None = None,
    auto_fix_single: bool = True,
    auto_var: bool = True,
    auto_cov_lv_x: bool = True,
    auto_cov_y: bool = True,
    fixed_x: bool = True,
    meanstructure: bool | str = "default",
    int_ov_free: bool = True,
    int_lv_free: bool = False,
    groups: Sequence[str] | None = None,
    group_equal: Sequence[str] = (),
    group_partial: Sequence[str] = (),
) -> ParTable:
    """The parameter table of ``spec`` under lavaan's ``sem()`` identification rules.

    Parameters
    ----------
    spec : ModelSpec
    std_lv : bool
        Fix latent (residual) variances to 1 instead of the first loadings (lavaan
        ``std.lv``).
    auto_fix_first : bool or None
        Fix the first loading of every latent to 1. ``None`` (default): ``not std_lv``.
    auto_fix_single : bool
        Fix the residual variance of a latent's only indicator to 0.
    auto_var : bool
        Free the (residual) variances the user did not write (``False``: fix them to 0).
    auto_cov_lv_x : bool
        Free covariances among exogenous latents.
    auto_cov_y : bool
        Free residual covariances among pure outcomes (latent and observed).
    fixed_x : bool
        Exogenous observed covariates' variances, covariances (and intercepts) are fixed at
        their sample values (``exo = 1``); ``False`` estimates them.
    meanstructure : bool or "default"
        Add intercepts and latent means. ``"default"``: when the syntax has ``~ 1`` terms or
        ``groups`` is given (lavaan's rule; FIML engines pass ``True``).
    int_ov_free, int_lv_free : bool
        Observed intercepts free (default) / latent intercepts free (default fixed 0).
    groups : sequence of str, optional
        Group labels, in order: the table repeats for each group (``group`` 1..G).
    group_equal : sequence of str
        Parameter sets equal across groups: any of :data:`GROUP_EQUAL`.
    group_partial : sequence of str
        Parameters exempt from ``group_equal``, written ``"lhs op rhs"`` (``"CS =~ cs2"``,
        ``"cs2 ~1"``).

    Returns
    -------
    ParTable

    Raises
    ------
    InvalidParameterError
        An option value outside its domain (named with the accepted values).
        A ``group_partial`` entry that names no parameter is one too.
    SpecError
        A parameter written twice, or a modifier with the wrong number of values for the
        groups.

    Examples
    --------
    >>> import acsi
    >>> pt = build_partable(acsi.load_model("ccsi"))
    >>> pt.npar
    36
    >>> row = pt.to_frame().query("lhs == 'cc1' and op == '~~'")
    >>> row[["free", "ustart", "rule"]].values.tolist()
    [[0, 0.0, 'single_indicator']]

    Equivalent R: ``parTable(sem(spec.to_lavaan(), data, std.lv = std_lv, ...))``.
    """
    terms, cons = flat_model(spec)
    opts = _resolve_options(
        dict(
            std_lv=std_lv, auto_fix_first=auto_fix_first, auto_fix_single=auto_fix_single, auto_var=auto_var,
            auto_cov_lv_x=auto_cov_lv_x, auto_cov_y=auto_cov_y, fixed_x=fixed_x, meanstructure=meanstructure,
            int_ov_free=int_ov_free, int_lv_free=int_lv_free, groups=groups, group_equal=group_equal,
            group_partial=group_partial,
        ),
        terms,
    )
    group_labels = opts["groups"] or ("",)
    ngroups = len(group_labels)
    messages: list[str] = []

    # 1. user rows, covariances oriented as lavaan's parser does
    flat_names = _names([(t.lhs, t.op, t.rhs, 1, 0) for t in terms])
    order = {v: k for k, v in enumerate(flat_names.lv + flat_names.ov)}
    user: list[dict] = []
    for t in terms:
        lhs, rhs = t.lhs, t.rhs
        if t.op == "~~" and lhs != rhs and order.get(lhs, -1) > order.get(rhs, -1):
            lhs, rhs = rhs, lhs
        user.append(dict(lhs=lhs, op=t.op, rhs=rhs, term=t))
    seen: set[tuple[str, str, str]] = set()
    for r in user:
        key = (r["lhs"], r["op"], r["rhs"])
        if key in seen:
            t = r["term"]
            raise SpecError(f"parameter {t.lhs} {t.op} {t.rhs} is written twice (line {t.line}); write each parameter once")
        seen.add(key)
    written = [v for v in _names([(t.lhs, t.op, t.rhs, 0, 0) for t in terms]).ov_x if v not in flat_names.ov_x]
    if written:
        messages.append(
            f"the model writes a variance, covariance or intercept of the predictor(s) {', '.join(written)}: "
            "they are treated as random (estimated), not as fixed exogenous covariates"
        )

    # 2. default rows
    n = flat_names
    defaults: list[tuple[str, str, str, str]] = []  # lhs, op, rhs, rule
    defaults += [(v, "~~", v, "auto_var") for v in n.ov_nox]
    defaults += [(v, "~~", v, "auto_var") for v in n.lv]
    if opts["auto_cov_lv_x"]:
        defaults += [(a, "~~", b, "auto_cov_lv_x") for k, a in enumerate(n.lv_x) for b in n.lv_x[k + 1:]]
    if opts["auto_cov_y"]:
        ys = n.lv_y + n.ov_y
        defaults += [(a, "~~", b, "auto_cov_y") for k, a in enumerate(ys) for b in ys[k + 1:]]
    # exogenous covariates' (co)variances: fixed below when fixed_x (rule "fixed_x"), else estimated
    defaults += [(a, "~~", b, "auto_var") for k, a in enumerate(n.ov_x) for b in n.ov_x[k:]]
    if opts["meanstructure"]:
        defaults += [(v, "~1", "", "intercept") for v in n.ov + n.lv]
    defaults = [d for d in defaults if (d[0], d[1], d[2]) not in seen]

    rows: list[dict] = []
    for r in user:
        t = r["term"]
        rows.append(dict(lhs=r["lhs"], op=r["op"], rhs=r["rhs"], user=1, free=1, ustart=math.nan, exo=0,
                         rule="user", line=t.line, column=t.column, term=t))
    for lhs, op, rhs, rule in defaults:
        rows.append(dict(lhs=lhs, op=op, rhs=rhs, user=0, free=1, ustart=math.nan, exo=0, rule=rule,
                         line=0, column=0, term=None))

    # 3. identification rules
    lvset, ovset, ov_x = set(n.lv), set(n.ov), set(n.ov_x)

    def fix(r, value, rule):
        r["free"], r["ustart"], r["rule"] = 0, value, rule

    if not opts["auto_var"]:
        for r in rows:
            if r["op"] == "~~" and r["lhs"] == r["rhs"] and r["user"] == 0:
                fix(r, 0.0, "auto_var")
    if opts["std_lv"]:
        for r in rows:
            if r["op"] == "~~" and r["lhs"] in lvset and r["lhs"] == r["rhs"]:
                fix(r, 1.0, "std_lv")
    if opts["auto_fix_first"]:
        first: set[str] = set()
        for r in rows:
            if r["op"] == "=~" and r["lhs"] not in first:
                first.add(r["lhs"])
                fix(r, 1.0, "marker")
    if opts["auto_var"] and opts["auto_fix_single"]:
        mm = [(r["lhs"], r["rhs"]) for r in rows if r["op"] == "=~"]
        counts: dict[str, int] = {}
        for lhs, _ in mm:
            counts[lhs] = counts.get(lhs, 0) + 1
        rhs_counts: dict[str, int] = {}
        for _, rhs in mm:
            rhs_counts[rhs] = rhs_counts.get(rhs, 0) + 1
        single = {rhs for lhs, rhs in mm if counts[lhs] == 1 and lhs != rhs and rhs_counts[rhs] == 1}
        for r in rows:
            if r["op"] == "~~" and r["lhs"] == r["rhs"] and r["lhs"] in single and r["user"] == 0:
                fix(r, 0.0, "single_indicator")
    if opts["meanstructure"]:
        for r in rows:
            if r["op"] == "~1" and r["user"] == 0:
                if r["lhs"] in ovset and not opts["int_ov_free"]:
                    fix(r, 0.0, "intercept")
                if r["lhs"] in lvset and not opts["int_lv_free"]:
                    fix(r, 0.0, "intercept")
    if opts["fixed_x"] and ov_x:
        for r in rows:
            if r["user"] == 0 and (
                (r["op"] == "~~" and r["lhs"] in ov_x and r["rhs"] in ov_x) or (r["op"] == "~1" and r["lhs"] in ov_x)
            ):
                r["free"], r["ustart"], r["exo"], r["rule"] = 0, math.nan, 1, "fixed_x"

    # multiple groups: one copy per group, then the adjustments of groups 2..
    table: list[dict] = []
    for g in range(1, ngroups + 1):
        for r in rows:
            table.append(dict(r, group=g))
    ge = set(opts["group_equal"])
    for r in table:
        if r["group"] < 2 or r["user"] != 0:
            continue
        if (opts["meanstructure"] and r["op"] == "~1" and r["lhs"] in lvset and not opts["int_lv_free"]
                and "intercepts" in ge and "means" not in ge):
            r["free"], r["ustart"], r["rule"] = 1, math.nan, "intercept"
        if (opts["std_lv"] and "loadings" in ge and "lv.variances" not in ge and r["op"] == "~~"
                and r["lhs"] in lvset and r["lhs"] == r["rhs"]):
            r["free"], r["ustart"], r["rule"] = 1, math.nan, "std_lv"

    # 4. modifiers
    single_label_warned = False
    for r in user:
        t = r["term"]
        copies = [x for x in table if x["term"] is t]
        for attr in ("fixed", "start", "label"):
            vals = getattr(t, attr)
            if vals is None:
                continue
            if len(vals) == 1 and ngroups > 1:
                if attr == "label" and not ge and not single_label_warned:
                    single_label_warned = True
                    messages.append(
                        f"label {vals[0]!r} of {t.lhs} {t.op} {t.rhs} (line {t.line}) is one label for {ngroups} groups: "
                        "the parameter is equal across groups; give one label per group, c(a1, a2), to let it differ"
                    )
                vals = vals * ngroups
            if len(vals) != ngroups:
                raise SpecError(
                    f"line {t.line}: the modifier of {t.lhs} {t.op} {t.rhs} has {len(vals)} values for {ngroups} "
                    f"group(s); give one value, or one per group"
                )
            for x, v in zip(copies, vals):
                if attr == "fixed":
                    if math.isnan(v):
                        x["free"], x["ustart"] = 1, math.nan
                    else:
                        x["free"], x["ustart"] = 0, float(v)
                    x["rule"] = "user"
                elif attr == "start":
                    x["ustart"] = float(v)
                else:
                    x["label"] = v
    for x in table:
        x.setdefault("label", "")

    # 5. labels and equality constraints
    names_full = _names([(x["lhs"], x["op"], x["rhs"], x["user"], x["exo"]) for x in table if x["group"] == 1])
    g1_keys = {f"{x['lhs']}{x['op']}{x['rhs']}" for x in table if x["group"] == 1}
    unknown = [p for p in opts["group_partial"] if p not in g1_keys]
    if unknown:
        raise _bad("group_partial", "parameters of the model written 'lhs op rhs' (e.g. 'CS =~ cs2', 'cs2 ~1')",
                   unknown[0])
    auto_label = []
    for x in table:
        lab = f"{x['lhs']}{x['op']}{x['rhs']}"
        auto_label.append(lab if x["group"] == 1 else f"{lab}.g{x['group']}")
    if ngroups > 1 and ge:
        nox = set(names_full.ov_nox)
        lv_decl = set(names_full.lv)

        def in_set(x) -> bool:
            op, lhs, rhs = x["op"], x["lhs"], x["rhs"]
            return (
                ("loadings" in ge and op == "=~")
                or ("intercepts" in ge and op == "~1" and lhs in nox)
                or ("means" in ge and op == "~1" and lhs in lv_decl)
                or ("regressions" in ge and op == "~")
                or ("residuals" in ge and op == "~~" and lhs in nox and lhs == rhs)
                or ("residual.covariances" in ge and op == "~~" and lhs in nox and lhs != rhs)
                or ("lv.variances" in ge and op == "~~" and lhs in lv_decl and lhs == rhs)
                or ("lv.covariances" in ge and op == "~~" and lhs in lv_decl and lhs != rhs)
            )

        partial = set(opts["group_partial"])
        ref = {}
        for k, x in enumerate(table):
            if x["group"] == 1 and in_set(x) and auto_label[k] not in partial:
                ref[(x["lhs"], x["op"], x["rhs"])] = auto_label[k]
        for k, x in enumerate(table):
            key = (x["lhs"], x["op"], x["rhs"])
            if x["group"] > 1 and key in ref:
                auto_label[k] = ref[key]
                x["eq_rule"] = "group_equal"
    final_label = [x["label"] if x["label"] else auto_label[k] for k, x in enumerate(table)]
    for k, x in enumerate(table):
        x["id"] = k + 1
        x["plabel"] = f".p{k + 1}."
    counts: dict[str, int] = {}
    dup_order: list[str] = []
    for lab in final_label:
        counts[lab] = counts.get(lab, 0) + 1
        if counts[lab] == 2:
            dup_order.append(lab)
    generated: list[tuple[str, str, str]] = []  # lhs, rhs, rule
    for lab in dup_order:
        idx = [k for k, v in enumerate(final_label) if v == lab]
        members = [table[k] for k in idx]
        rule = "group_equal" if any(m.get("eq_rule") == "group_equal" for m in members) and not any(
            m["label"] for m in members) else "label_equal"
        fixed_members = [m for m in members if m["free"] == 0]
        if fixed_members:
            value = fixed_members[0]["ustart"]
            if any(not (m["ustart"] == value or (math.isnan(m["ustart"]) and math.isnan(value))) for m in fixed_members):
                messages.append(
                    f"parameters labelled {lab!r} are equal but fixed at different values; the first value {value} is used"
                )
            for m in members:
                m["free"], m["ustart"] = 0, value
            continue
        for m in members[1:]:
            generated.append((members[0]["plabel"], m["plabel"], rule))
        for m in members:
            if not m["label"]:
                m["label"] = members[0]["plabel"]

    # 6. constraint rows, free numbering, matrix cells
    out: dict[str, list] = {c: [] for c in COLUMNS}
    for x in table:
        out["id"].append(x["id"])
        for c in ("lhs", "op", "rhs", "user", "free", "ustart", "exo", "label", "plabel", "rule", "line", "column"):
            out[c].append(x[c])
        out["block"].append(x["group"])
        out["group"].append(x["group"])
    con_rows = [(c.lhs, c.op, c.rhs, 1, "defined" if c.op == ":=" else "constraint", c.line, c.column) for c in cons]
    con_rows += [(lhs, "==", rhs, 2, rule, 0, 0) for lhs, rhs, rule in generated]
    for k, (lhs, op, rhs, usr, rule, line, col) in enumerate(con_rows):
        out["id"].append(len(table) + k + 1)
        for c, v in (("lhs", lhs), ("op", op), ("rhs", rhs), ("user", usr), ("block", 0), ("group", 0), ("free", 0),
                     ("ustart", math.nan), ("exo", 0), ("label", lhs if op == ":=" else ""), ("plabel", ""),
                     ("rule", rule), ("line", line), ("column", col)):
            out[c].append(v)
    counter = 0
    for k, f in enumerate(out["free"]):
        if f > 0:
            counter += 1
            out["free"][k] = counter

    phantom = _phantoms(table[: len(rows)], names_full)
    lv_full = names_full.lv + tuple(phantom)
    layout = Layout(ov=names_full.ov, lv=lv_full, latents=names_full.lv, phantom=tuple(phantom),
                    ov_x=names_full.ov_x, ov_ind=names_full.ov_ind)
    ov_i = {v: i for i, v in enumerate(layout.ov)}
    lv_i = {v: i for i, v in enumerate(layout.lv)}
    for x in table:
        mat, i, j = _cell(x, ov_i, lv_i)
        out["mat"].append(mat)
        out["row"].append(i)
        out["col"].append(j)
    for _ in con_rows:
        out["mat"].append("")
        out["row"].append(-1)
        out["col"].append(-1)
    for msg in messages:
        warnings.warn(msg, AcsiWarning, stacklevel=2)
    return ParTable(out, [layout] * ngroups, opts, group_labels, messages)
