"""Multigroup CB-SEM: one model fitted jointly to several groups, and the tests that compare them.

A multigroup model is the parameter table repeated per group (:func:`acsi.spec.build_partable`
with ``groups=``, lavaan's ``sem(..., group = )``), with a mean structure, where lavaan's
equality sets (``group_equal``: loadings, intercepts, residuals, regressions, lv.variances,
means, ...) are equality constraints ``.pN. == .pM.`` between the groups' rows and
``group_partial`` exempts single parameters.  It is fitted by acsi's ML engine
(:func:`acsi.estimate.ml.fit_stats`): ``F = Σ_g (n_g/N) F_g``, ``chisq = Σ_g n_g F_g``.

Tests (complete-data ML, expected information, as lavaan 0.6-14 computes them):

* **Likelihood ratio** (:func:`lrt`, lavaan's ``lavTestLRT``): nested fits sorted by their
  degrees of freedom; each against the previous one, ``Δχ² = χ²_restricted − χ²_free`` on
  ``Δdf`` degrees of freedom.
* **Score** (Lagrange multiplier; :func:`score_tests`, lavaan's ``lavTestScore``): at the
  constrained estimate θ̂ with ``s = −½ ∂F/∂θ`` (lavaan's ``gradient.logl``), ``I = ½ H`` (the
  expected information per observation over all free parameters) and ``R`` the Jacobian of
  the equality constraints, releasing the constraints ``r`` gives

      X² = N sᵀ [Z_r⁺]₁₁ s,     Z_r = [[I, R_{−r}ᵀ], [R_{−r}, 0]]

  (``R_{−r}``: the constraints kept; releasing all of them, ``X² = N sᵀ I⁻¹ s``), on as many
  degrees of freedom as constraints released; univariate (one constraint at a time) and
  cumulative (the largest univariate ones released together, in decreasing order).
* **Wald** (:func:`wald`, lavaan's ``lavTestWald``): for constraints ``c(θ) = 0`` with
  Jacobian ``J``, ``W = c(θ̂)ᵀ (J V Jᵀ)⁻¹ c(θ̂)`` on ``rows(J)`` degrees of freedom, ``V`` the
  covariance of θ̂.
* **Latent means** (:func:`latent_means`): ``E(η_g) = (I − B_g)⁻¹ α_g`` (lavaan's
  ``lavInspect(fit, "mean.lv")``), standard errors by the delta method with the analytic
  Jacobian ``∂E(η)/∂α_b = C[:, b]``, ``∂E(η)/∂B_tf = C[:, t] E(η)_f`` (``C = (I − B)⁻¹``).
* **A path across groups** (:func:`path_difference`): the Wald test of equality of one
  structural path in every group (``G − 1`` df) and the likelihood-ratio test of the refit
  with that equality imposed.

Equivalent R::

    fit <- sem(model, data, group = "segment", group.equal = c("loadings", "intercepts"),
               group.partial = "pv2 ~ 1")
    lavTestLRT(configural, metric, scalar); lavTestScore(fit, cumulative = TRUE)
    lavTestWald(fit, constraints = "b1 == b2"); lavInspect(fit, "mean.lv")

References: Jöreskog (1971), simultaneous factor analysis in several populations,
Psychometrika 36; Sörbom (1974) for latent means; Bentler (1990) and Satorra (1989) for the
score (Lagrange multiplier) tests; Rosseel (2012), lavaan, JSS 48(2), and lavaan 0.6-14's
``lav_test_LRT.R``, ``lav_test_score.R``, ``lav_test_Wald.R``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import linalg as sla
from scipy import special, stats as sstats

from ..errors import DataError, EstimationError, InvalidParameterError
from ..options import InstanceOf, Integer, Real, validate_params
from ..spec import ModelSpec, build_partable
from ..spec.partable import ParTable
from ..spec.syntax import parse_syntax
from .fitmeasures import fit_measures
from .ml import compile as compile_model
from .ml import fit_stats
from .mlfast import blas_single_thread, expected_information, gradient
from .result import SEMResult
from .samplestats import SampleStats

__all__ = [
    "MultigroupFit", "ScoreTests", "add_constraints", "fit_groups", "group_order", "latent_mean_differences",
    "latent_means", "lrt", "path_difference", "score_tests", "wald",
]

#: lavaan's ``MASS::ginv`` tolerance (relative to the largest singular value)
_GINV_TOL = float(np.sqrt(np.finfo(float).eps))


# ============================================================================ the fit
@dataclass(frozen=True, eq=False)
class MultigroupFit:
    """One multigroup ML fit and what its tests need.

    Attributes
    ----------
    name : str
        A name for tables (``"configural"``, ``"metric"``, ...).
    partable : ParTable
        The table fitted (with any added constraints).
    model : RamModel
        Its compiled form.
    stats : SampleStats
        The groups' sample moments (denominator N).
    result : SEMResult
        Estimates (with a ``group`` column, 1-based), fit measures (overall), vcov.
    group : str or None
        The data column the groups came from.
    group_equal, group_partial, constraints : tuple of str
        How the table was built (``constraints``: equality texts added, e.g. ``"b1 == b2"``).
    """

    name: str
    partable: ParTable
    model: object
    stats: SampleStats
    result: SEMResult
    group: str | None = None
    group_equal: tuple = ()
    group_partial: tuple = ()
    constraints: tuple = ()
    spec: ModelSpec | None = field(default=None, repr=False)

    @property
    def groups(self) -> tuple[str, ...]:
        """The group labels, in model order (group 1 is the reference)."""
        return tuple(self.partable.group_labels)

    @property
    def n(self) -> tuple[int, ...]:
        """Respondents per group."""
        return tuple(g.n for g in self.stats.groups)

    @property
    def theta(self) -> np.ndarray:
        return np.asarray(self.result.extra["theta"], dtype=float)

    @property
    def converged(self) -> bool:
        return bool(self.result.converged)

    @property
    def fit_measures(self) -> pd.Series:
        """lavaan's ``fitMeasures`` of the joint fit (χ², df, CFI, TLI, RMSEA, SRMR, AIC, BIC, ...)."""
        return self.result.fit_measures

    @property
    def estimates(self) -> pd.DataFrame:
        """The estimate table with the group label after the group number."""
        est = self.result.estimates.copy()
        labels = np.array(("",) + self.groups, dtype=object)
        est.insert(est.columns.get_loc("group") + 1, "group_label", labels[est["group"].to_numpy()])
        return est

    @property
    def group_fit(self) -> pd.DataFrame:
        """Per group: n, its χ² contribution ``n_g F_g`` and its SRMR (lavaan's ``stat.group``
        and the per-group SRMR whose n-weighted mean is the overall one)."""
        rows = []
        for g, st in enumerate(self.stats.groups):
            res = self.result.groups[g]
            ms = res["sample_mean"] is not None
            fm = fit_measures(st.cov, res["implied_cov"].to_numpy(), st.n, 0,
                              mean=st.mean if ms else None, mu=res["implied_mean"].to_numpy() if ms else None)
            rows.append({"group": g + 1, "group_label": self.groups[g], "n": st.n, "chisq": fm["chisq"],
                         "srmr": fm["srmr"]})
        return pd.DataFrame(rows)


def group_order(values: pd.Series) -> list[str]:
    """The groups of a column in lavaan's order: the categories of a categorical column (those
    present), otherwise the order of first appearance (``unique()``); labels are text."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna().astype(str))
        return [str(c) for c in values.cat.categories if str(c) in present]
    return [str(v) for v in pd.unique(values.dropna().map(str))]


def _check_groups(data: pd.DataFrame, group: str, labels: list[str], items: list[str], min_n: int) -> None:
    """Refuse a group column that cannot make a comparison, naming the group."""
    if group not in data.columns:
        raise DataError(f"the group column {group!r} is not in the data (columns: {', '.join(map(str, data.columns[:20]))}); "
                        "name the column that holds each respondent's group")
    key = data[group].map(lambda v: v if pd.isna(v) else str(v))
    if key.isna().any():
        raise DataError(f"{int(key.isna().sum())} respondent(s) have no value in the group column {group!r}: "
                        "give them a group or drop them")
    if len(labels) < 2:
        only = labels[0] if labels else "none"
        raise DataError(f"the group column {group!r} has one level ({only!r}): a multigroup comparison needs two or "
                        "more groups; choose another column or add the other group's respondents")
    for g in labels:
        part = data.loc[(key == g).to_numpy(), items]
        n = len(part)
        if n < min_n:
            raise DataError(f"group {g!r} of {group!r} has {n} respondent(s) with complete answers, fewer than "
                            f"min_n={min_n}: merge it with another group, drop it, or lower min_n")
        X = part.to_numpy(dtype=float)
        holes = np.isnan(X).any(axis=0)
        if holes.any():
            raise DataError(f"group {g!r} of {group!r} has missing answers in {', '.join(np.array(items)[holes])}: the "
                            "multigroup fit needs complete answers (acsi.compare deletes incomplete respondents "
                            "listwise and accounts for them; full-information ML across groups is not available)")
        with np.errstate(invalid="ignore"):
            sd = np.nanstd(X, axis=0)
        flat = [items[j] for j in np.flatnonzero(~(sd > 1e-12))]
        if flat:
            vals = ", ".join(f"{items[j]} = {np.nanmean(X[:, j]):g}" for j in np.flatnonzero(~(sd > 1e-12)))
            raise DataError(f"in group {g!r} of {group!r} the item(s) {', '.join(flat)} are constant ({vals}): every "
                            "respondent of the group gave the same answer, so the group's covariance model cannot be "
                            "fitted; drop the item(s) from the model or merge the group")


@validate_params(
    "fit_groups", groups=(None, InstanceOf(list, tuple, desc="a list of group labels")),
    group_equal=InstanceOf(list, tuple, str, desc="a list of equality sets"),
    group_partial=InstanceOf(list, tuple, str, desc="a list of parameters 'lhs op rhs'"),
    constraints=InstanceOf(list, tuple, str, desc="a list of equalities 'a == b'"), min_n=Integer(min=2),
    level=Real(0, 1, closed="neither"),
)
def fit_groups(spec: ModelSpec, data: pd.DataFrame, group: str, *, groups=None, group_equal=(), group_partial=(),
               constraints=(), min_n: int = 30, level: float = 0.95, start=None, name: str = "",
               partable_options: dict | None = None) -> MultigroupFit:
    """Fit ``spec`` jointly to the groups of ``data[group]`` (lavaan's ``sem(model, data,
    group = group, group.equal = group_equal, group.partial = group_partial)``).

    Parameters
    ----------
    spec : ModelSpec
    data : DataFrame
        Complete answers (one column per observed variable of the model) and ``group``.
    group : str
        The column holding each respondent's group.
    groups : sequence of str, optional
        The groups in model order (group 1 is the reference of the latent means). Default:
        :func:`group_order` (lavaan's: first appearance).
    group_equal : sequence of str
        Parameter sets equal across groups (:data:`acsi.spec.partable.GROUP_EQUAL`).
    group_partial : sequence of str
        Parameters exempt from ``group_equal``, ``"lhs op rhs"`` (``"pv2 ~1"``, ``"CS =~ cs2"``).
    constraints : sequence of str
        Extra equality constraints between labels or plabels (``"b1 == b2"``).
    min_n : int
        Fewest respondents a group may have.
    start : ndarray, optional
        Start values in the table's ``free`` order (a nested fit's estimate; projected onto the
        constraints).
    partable_options : dict, optional
        Other identification options of :func:`acsi.spec.build_partable` (``std_lv``, ...).

    Raises
    ------
    DataError
        The group column is missing or has one level, a group has fewer than ``min_n``
        respondents or a constant item (each names the group).
    InvalidParameterError
        Unknown ``group_equal`` set or ``group_partial`` parameter.
    """
    if not isinstance(group, str) or not group:
        raise InvalidParameterError(f"The 'group' parameter of fit_groups must be a column name. Got {group!r} instead.")
    labels = group_order(data[group]) if groups is None and group in data.columns else [str(g) for g in (groups or ())]
    ov_all = list(spec.observed_ids)
    missing_cols = [c for c in ov_all if c not in data.columns]
    if missing_cols:
        raise DataError(f"the data lack the model's variables {missing_cols}: add these columns or fix the model")
    if groups is not None and group in data.columns:
        present = set(data[group].dropna().map(str))
        unknown = [g for g in present if g not in labels]
        absent = [g for g in labels if g not in present]
        if unknown or absent or len(set(labels)) != len(labels):
            raise InvalidParameterError(f"The 'groups' parameter of fit_groups must list every group of {group!r} once "
                                        f"({sorted(present)}). Got {list(labels)} instead.")
    _check_groups(data, group, labels, ov_all, min_n)
    pt = build_partable(spec, groups=labels, group_equal=tuple(group_equal), group_partial=tuple(group_partial),
                        **(partable_options or {}))
    if constraints:
        pt = add_constraints(pt, constraints)
    model = compile_model(pt)
    stats = SampleStats.from_data(data, [gm.ov for gm in model.groups], group=group, group_labels=labels)
    return _fit(name, pt, model, stats, group=group, group_equal=tuple(group_equal),
                group_partial=tuple(group_partial), constraints=tuple(constraints), spec=spec, level=level, start=start)


def _fit(name, pt, model, stats, *, level=0.95, start=None, **kw) -> MultigroupFit:
    with blas_single_thread():  # small products: threads only synchronise (see blas_single_thread)
        res = fit_stats(model, stats, level=level, start=start)
        if not res.converged and start is not None:  # a poor warm start: a cold one
            res = fit_stats(model, stats, level=level)
    if not res.converged:
        raise EstimationError(f"the multigroup model {name or ''} did not converge: {'; '.join(res.messages)}; "
                              "check the model's identification in every group")
    return MultigroupFit(name=name, partable=pt, model=model, stats=stats, result=res, **kw)


def refit(fit: MultigroupFit, *, group_equal=None, group_partial=None, constraints=None, name: str | None = None,
          warm: bool = True) -> MultigroupFit:
    """The same data and model with other equality sets / partial parameters / constraints,
    warm-started from ``fit`` where the parameters are the same rows."""
    if fit.spec is None:
        raise EstimationError("this fit was not made from a ModelSpec; refit it with fit_groups")
    ge = tuple(fit.group_equal if group_equal is None else group_equal)
    gp = tuple(fit.group_partial if group_partial is None else group_partial)
    cons = tuple(fit.constraints if constraints is None else constraints)
    opts = {k: v for k, v in fit.partable.options.items()
            if k not in ("groups", "group_equal", "group_partial", "meanstructure", "auto_fix_first")}
    pt = build_partable(fit.spec, groups=list(fit.groups), group_equal=ge, group_partial=gp, **opts)
    if cons:
        pt = add_constraints(pt, cons)
    model = compile_model(pt)
    start = _carry_start(fit, model) if warm else None
    return _fit(fit.name if name is None else name, pt, model, fit.stats, group=fit.group, group_equal=ge,
                group_partial=gp, constraints=cons, spec=fit.spec, start=start)


def _carry_start(fit: MultigroupFit, model) -> np.ndarray:
    """Start values for ``model`` from ``fit``'s estimates, matched by (lhs, op, rhs, group)."""
    old = fit.model
    value = {(*lab, int(g)): t for lab, g, t in zip(old.labels, old.param_group, fit.theta)}
    th = np.zeros(model.npar)
    for k, (lab, g) in enumerate(zip(model.labels, model.param_group)):
        th[k] = value.get((*lab, int(g)), 0.0)
    return th


# ============================================================================ constraints
def add_constraints(pt: ParTable, texts) -> ParTable:
    """A copy of ``pt`` with equality constraints appended (``"b1 == b2"``, ``".p2. == .p68."``),
    as if written in the model syntax (``user = 1``, rule ``constraint``).

    Raises
    ------
    InvalidParameterError
        A text that is not an ``a == b`` constraint.
    """
    if isinstance(texts, str):
        texts = (texts,)
    frame = pt.to_frame()
    new = []
    for t in texts:
        try:
            st = parse_syntax(t)
        except Exception as exc:  # noqa: BLE001 - the syntax error names the problem
            raise InvalidParameterError(f"The 'constraints' parameter must hold equalities like 'b1 == b2'. "
                                        f"Got {t!r} instead ({exc}).") from None
        if len(st) != 1 or st[0].op != "==":
            raise InvalidParameterError(f"The 'constraints' parameter must hold equalities like 'b1 == b2'. Got {t!r} instead.")
        new.append(st[0])
    n0 = len(frame)
    rows = []
    for k, s in enumerate(new):
        rows.append({"id": n0 + k + 1, "lhs": s.lhs, "op": "==", "rhs": s.rhs, "user": 1, "block": 0, "group": 0,
                     "free": 0, "ustart": np.nan, "exo": 0, "label": "", "plabel": "", "rule": "constraint", "mat": "",
                     "row": -1, "col": -1, "line": 0, "column": 0})
    out = pd.concat([frame, pd.DataFrame(rows, columns=frame.columns)], ignore_index=True)
    cols = {c: out[c].tolist() for c in out.columns}
    return ParTable(cols, [pt.layout(g) for g in range(1, pt.ngroups + 1)], dict(pt.options), pt.group_labels,
                    pt.messages)


def _constraint_jacobian(fit: MultigroupFit) -> tuple[np.ndarray, list[int]]:
    model = fit.model
    if any(k == "ineq" for k, *_ in model.constraints):
        bad = [t for k, t, *_ in model.constraints if k == "ineq"]
        raise EstimationError(f"score tests do not handle inequality constraints ({', '.join(bad)}), as lavaan's "
                              "lavTestScore: remove them to test the equalities")
    eq = [i for i, (k, *_r) in enumerate(model.constraints) if k == "eq"]
    if not eq:
        raise EstimationError(f"the model {fit.name!r} has no equality constraints to release; score tests need a "
                              "constrained model (group_equal=... or labels)")
    J = model.constraint_jacobian(fit.theta)[eq]
    rows = [model.constraints[i][3] for i in eq]
    return np.real(J), rows


def _parameter_of(fit: MultigroupFit, plabel: str) -> tuple[str, int]:
    """``"lhs op rhs"`` and the group of the row with this plabel or label."""
    c = fit.model.cols
    hit = np.flatnonzero((c["plabel"] == plabel) | (c["label"] == plabel))
    if not hit.size:
        return plabel, 0
    k = hit[0]
    rhs = c["rhs"][k]
    return f"{c['lhs'][k]} {c['op'][k]} {rhs}".rstrip(), int(c["group"][k])


def _kind(op: str, lhs: str, layout) -> str:
    """The ``group_equal`` set a parameter belongs to (or ``""``)."""
    lv = set(layout.latents)
    if op == "=~":
        return "loadings"
    if op == "~":
        return "regressions"
    if op == "~1":
        return "means" if lhs in lv else "intercepts"
    if op == "~~":
        return "lv.variances/covariances" if lhs in lv else "residuals"
    return ""


# ============================================================================ tests
def lrt(fits, names=None) -> pd.DataFrame:
    """Chi-square difference tests of nested fits (lavaan's ``lavTestLRT``, ``method =
    "default"``): sorted by df, each against the previous one.

    Returns
    -------
    DataFrame with ``model, npar, df, aic, bic, chisq, chisq_diff, df_diff, pvalue`` (the first
    row's differences NaN).
    """
    fits = list(fits)
    if len(fits) < 2:
        raise InvalidParameterError(f"The 'fits' parameter of lrt must hold two or more nested fits. Got {len(fits)} instead.")
    names = [f.name or f"model{k + 1}" for k, f in enumerate(fits)] if names is None else list(names)
    ns = {int(f.fit_measures["ntotal"]) for f in fits}
    if len(ns) > 1:
        raise EstimationError(f"the fits were made on different data (N = {sorted(ns)}); nested models must share the data")
    rows = [{"model": nm, "npar": int(f.fit_measures["npar"]), "df": int(f.fit_measures["df"]),
             "aic": float(f.fit_measures["aic"]), "bic": float(f.fit_measures["bic"]),
             "chisq": float(f.fit_measures["chisq"])} for nm, f in zip(names, fits)]
    out = pd.DataFrame(rows)
    out = out.iloc[np.argsort(out["df"].to_numpy(), kind="stable")].reset_index(drop=True)
    d = out["chisq"].diff()
    ddf = out["df"].diff()
    out["chisq_diff"] = d
    out["df_diff"] = ddf
    with np.errstate(invalid="ignore"):
        out["pvalue"] = np.where(ddf > 0, sstats.chi2.sf(d.clip(lower=0), ddf.where(ddf > 0, 1)), np.nan)
    return out


@dataclass(frozen=True)
class ScoreTests:
    """Score tests of releasing equality constraints (lavaan's ``lavTestScore``).

    ``total``: one row ``x2, df, pvalue`` (all the released constraints at once); ``uni``: one
    row per constraint (``constraint`` in plabels as lavaan prints it, ``parameter``,
    ``group_a``, ``group_b``, ``kind`` the equality set, ``x2, df, pvalue``); ``cumulative``:
    the constraints in decreasing order of their univariate statistic, each row releasing it
    and all those above it (``df`` 1, 2, ...).
    """

    total: pd.DataFrame
    uni: pd.DataFrame
    cumulative: pd.DataFrame


class _ScoreBasis:
    """What every score statistic of one fit shares: ``s``, ``I`` and ``R``.

    ``[Z_r⁺]₁₁`` is the covariance of the constrained estimator: with ``Q`` an orthonormal basis
    of the null space of the constraints kept (``R_k Q = 0``), ``sᵀ [Z_r⁺]₁₁ s = (Qᵀs)ᵀ (Qᵀ I Q)⁺
    (Qᵀs)`` (the same on an identified model, and still defined where releasing a set leaves a
    direction unidentified: a scalar model's unconstrained information is singular, since every
    intercept and the latent means of groups 2.. cannot all be free).  One SVD of ``R_k`` and a
    small pseudo-inverse per statistic instead of the bordered matrix's.
    """

    def __init__(self, fit: "MultigroupFit"):
        R, rows = _constraint_jacobian(fit)
        model, theta = fit.model, fit.theta
        s = -0.5 * gradient(model, theta, fit.stats)
        I = 0.5 * expected_information(model, theta, fit.stats)
        self.R, self.rows, self.s, self.I, self.N = R, rows, s, 0.5 * (I + I.T), fit.stats.ntotal

    def stat(self, release) -> float:
        """``X²`` of releasing the constraints at the positions ``release`` (0-based)."""
        keep = np.setdiff1d(np.arange(self.R.shape[0]), np.asarray(list(release), dtype=int))
        Q = sla.null_space(self.R[keep], rcond=_GINV_TOL) if keep.size else np.eye(self.I.shape[0])
        v = Q.T @ self.s
        M = Q.T @ self.I @ Q
        return float(self.N * v @ np.linalg.pinv(M, rcond=_GINV_TOL, hermitian=True) @ v)


def score_tests(fit: MultigroupFit, *, release=None, cumulative: bool = True) -> ScoreTests:
    """Score (Lagrange multiplier) tests of the equality constraints of ``fit`` (module
    docstring; lavaan's ``lavTestScore(fit, release = release, cumulative = cumulative)``).

    Parameters
    ----------
    release : sequence of int, optional
        1-based positions among the model's ``==`` rows to release together in the total test
        (default: all, as lavaan).
    cumulative : bool
        Also the cumulative tests.
    """
    with blas_single_thread():
        return _score_tests(fit, release, cumulative)


def _score_tests(fit: MultigroupFit, release, cumulative: bool) -> ScoreTests:
    basis = _ScoreBasis(fit)
    R, rows, model = basis.R, basis.rows, fit.model
    nr = R.shape[0]
    if release is None:
        ridx = list(range(nr))
    else:
        ridx = [int(r) - 1 for r in release]
        if not ridx or min(ridx) < 0 or max(ridx) >= nr:
            raise InvalidParameterError(f"The 'release' parameter of score_tests must hold positions 1..{nr} of the "
                                        f"model's equality constraints. Got {list(release)!r} instead.")
    total = basis.stat(ridx)
    c = model.cols
    layout = fit.partable.layout(1)
    uni = []
    for r in ridx:
        x2 = basis.stat([r])
        lhs, rhs = c["lhs"][rows[r]], c["rhs"][rows[r]]
        pa, ga = _parameter_of(fit, lhs)
        pb, gb = _parameter_of(fit, rhs)
        parts = pa.split(" ")
        kind = _kind(parts[1], parts[0], layout) if len(parts) >= 2 else ""
        uni.append({"constraint": f"{lhs} == {rhs}", "parameter": pa, "group_a": ga, "group_b": gb, "kind": kind,
                    "x2": x2, "df": 1, "pvalue": float(sstats.chi2.sf(max(x2, 0.0), 1))})
    uni_df = pd.DataFrame(uni, columns=["constraint", "parameter", "group_a", "group_b", "kind", "x2", "df", "pvalue"])
    tot = pd.DataFrame([{"x2": total, "df": len(ridx), "pvalue": float(sstats.chi2.sf(max(total, 0.0), len(ridx)))}])
    cum_rows = []
    if cumulative and ridx:
        order = np.argsort(-uni_df["x2"].to_numpy(), kind="stable")
        for k in range(len(order)):
            rel = [ridx[j] for j in order[: k + 1]]
            x2 = basis.stat(rel)
            row = uni_df.iloc[order[k]]
            cum_rows.append({"constraint": row["constraint"], "parameter": row["parameter"], "group_a": row["group_a"],
                             "group_b": row["group_b"], "kind": row["kind"], "x2": x2, "df": k + 1,
                             "pvalue": float(sstats.chi2.sf(max(x2, 0.0), k + 1))})
    cum = pd.DataFrame(cum_rows, columns=uni_df.columns)
    return ScoreTests(total=tot, uni=uni_df, cumulative=cum)


def wald(fit: MultigroupFit, constraints) -> pd.DataFrame:
    """Wald test of equality constraints between labels (lavaan's ``lavTestWald(fit,
    constraints = "b1 == b2")``): ``W = cᵀ (J V Jᵀ)⁻¹ c``.

    Returns
    -------
    DataFrame with one row ``constraint, stat, df, pvalue``.
    """
    if isinstance(constraints, str):
        constraints = (constraints,)
    constraints = tuple(constraints)
    if fit.result.vcov is None:
        raise EstimationError(f"the fit {fit.name!r} has no standard errors (singular information): no Wald test")
    aug = compile_model(add_constraints(fit.partable, constraints))
    k = len(constraints)
    th = fit.theta[None]
    cv = np.real(aug.constraint_values(th))[0][-k:]
    J = np.real(aug.constraint_jacobian(fit.theta))[-k:]
    V = fit.result.vcov.to_numpy()
    M = J @ V @ J.T
    try:
        stat = float(cv @ np.linalg.solve(M, cv))
    except np.linalg.LinAlgError:
        raise EstimationError(f"the constraints {list(constraints)} are redundant or already imposed in the fit "
                              f"{fit.name!r} (singular J V J'): test them in a model where they are free") from None
    return pd.DataFrame([{"constraint": "; ".join(constraints), "stat": stat, "df": k,
                          "pvalue": float(sstats.chi2.sf(max(stat, 0.0), k))}])


# ============================================================================ latent means
def _latent_mean_parts(fit: MultigroupFit):
    """Per group: the declared latents' implied means ``a = (I − B)⁻¹ α`` and their Jacobian
    over θ (latents × npar)."""
    from .mlfast import ALPHA, PATH  # the kinds of cells that move a latent mean

    model, theta = fit.model, fit.theta
    if not model.meanstructure:
        raise EstimationError("the model has no mean structure: latent means are not estimated (fit several groups, "
                              "or add '~ 1' terms)")
    out = []
    for g, gm in enumerate(model.groups):
        st = fit.stats.groups[g]
        exo = gm.exo_values(st.cov[None], st.mean[None])
        mats = model.matrices_of(theta[None], g, exo)
        B, al = mats[1][0], mats[5][0]
        C = np.linalg.inv(np.eye(gm.m) - B)
        a = C @ al
        J = np.zeros((gm.m, model.npar))
        for n in range(gm.q):
            k, r, col, par = gm.kind[n], gm.row[n], gm.col[n], gm.pidx[n]
            if k == ALPHA:
                J[:, par] += C[:, r]
            elif k == PATH:
                J[:, par] += C[:, r] * a[col]
        real = [j for j in range(gm.m) if not gm.phantom[j]]
        out.append(([gm.lv[j] for j in real], a[real], J[real]))
    return out


def latent_means(fit: MultigroupFit, *, level: float = 0.95) -> pd.DataFrame:
    """Implied latent means per group with delta-method standard errors (lavaan's
    ``lavInspect(fit, "mean.lv")``).  In a scalar-invariant model group 1's means are fixed
    at 0, so every other group's means are its differences from group 1."""
    V = None if fit.result.vcov is None else fit.result.vcov.to_numpy()
    zq = float(special.ndtri(1 - (1 - level) / 2))
    rows = []
    for g, (names, a, J) in enumerate(_latent_mean_parts(fit)):
        se = np.sqrt(np.maximum(np.einsum("ik,kl,il->i", J, V, J), 0.0)) if V is not None else np.full(a.size, np.nan)
        for nm, m, s in zip(names, a, se):
            rows.append({"group": g + 1, "group_label": fit.groups[g], "latent": nm, "mean": float(m), "se": float(s),
                         "ci_lower": float(m - zq * s), "ci_upper": float(m + zq * s)})
    return pd.DataFrame(rows)


def latent_mean_differences(fit: MultigroupFit, *, reference: int = 1, level: float = 0.95) -> pd.DataFrame:
    """Differences of latent means from the ``reference`` group (1-based), with delta-method
    standard errors, z tests, Wald intervals and a standardised difference (over the pooled
    model-implied latent SD, ``sqrt(Σ n_g var_g(η) / Σ n_g)`` of the two groups)."""
    parts = _latent_mean_parts(fit)
    G = len(parts)
    if not (isinstance(reference, (int, np.integer)) and 1 <= reference <= G):
        raise InvalidParameterError(f"The 'reference' parameter of latent_mean_differences must be a group number "
                                    f"in 1..{G}. Got {reference!r} instead.")
    V = fit.result.vcov.to_numpy() if fit.result.vcov is not None else None
    zq = float(special.ndtri(1 - (1 - level) / 2))
    r = reference - 1
    names, ar, Jr = parts[r]
    var = [np.diag(fit.result.groups[g]["latent_cov"].loc[names, names].to_numpy()) for g in range(G)]
    rows = []
    for g in range(G):
        if g == r:
            continue
        _, ag, Jg = parts[g]
        d, Jd = ag - ar, Jg - Jr
        se = np.sqrt(np.maximum(np.einsum("ik,kl,il->i", Jd, V, Jd), 0.0)) if V is not None else np.full(d.size, np.nan)
        ng, nr = fit.n[g], fit.n[r]
        pooled = np.sqrt((ng * var[g] + nr * var[r]) / (ng + nr))
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(se > 0, d / se, np.nan)
        for j, nm in enumerate(names):
            rows.append({"latent": nm, "group": fit.groups[g], "reference": fit.groups[r], "difference": float(d[j]),
                         "se": float(se[j]), "z": float(z[j]), "pvalue": float(2 * special.ndtr(-abs(z[j]))),
                         "ci_lower": float(d[j] - zq * se[j]), "ci_upper": float(d[j] + zq * se[j]),
                         "std_difference": float(d[j] / pooled[j])})
    return pd.DataFrame(rows)


# ============================================================================ paths
def _path_rows(fit: MultigroupFit, path: str) -> tuple[str, str, list[str]]:
    """``(outcome, predictor, [the label or plabel of the path in each group])``."""
    text = "".join(str(path).split())
    if "~" not in text or "=~" in text or "~~" in text or text.endswith("~1"):
        raise InvalidParameterError(f"The 'path' parameter must be a regression written 'outcome ~ predictor' "
                                    f"(e.g. 'CS ~ PV'). Got {path!r} instead.")
    lhs, rhs = text.split("~", 1)
    c = fit.model.cols
    sel = (c["op"] == "~") & (c["lhs"] == lhs) & (c["rhs"] == rhs)
    if not sel.any():
        paths = sorted({f"{a} ~ {b}" for a, o, b in zip(c["lhs"], c["op"], c["rhs"]) if o == "~"})
        raise InvalidParameterError(f"The 'path' parameter must be one of the model's paths ({', '.join(paths)}). "
                                    f"Got {path!r} instead.")
    labs = []
    for g in range(1, len(fit.groups) + 1):
        k = np.flatnonzero(sel & (c["group"] == g))[0]
        if c["free"][k] == 0:
            raise EstimationError(f"the path {lhs} ~ {rhs} is fixed in group {fit.groups[g - 1]!r}: nothing to compare")
        labs.append(c["label"][k] or c["plabel"][k])
    return lhs, rhs, labs


def path_difference(fit: MultigroupFit, path: str, *, refit_lrt: bool = True) -> dict:
    """Is the path ``"outcome ~ predictor"`` equal in every group?  The Wald test of
    ``β_1 = β_g`` (g = 2..G; ``G − 1`` df) in ``fit`` and, with ``refit_lrt``, the
    likelihood-ratio test of the refit with those equalities (lavaan: ``lavTestWald(fit,
    "b1 == b2")`` and ``lavTestLRT(fit, fit_equal)``).

    Returns
    -------
    dict with ``path``, per-group ``estimates`` (and SEs), ``wald`` (stat, df, pvalue), ``lrt``
    (chisq_diff, df_diff, pvalue; NaN without ``refit_lrt``) and ``fit_equal`` (the refit).
    """
    lhs, rhs, labs = _path_rows(fit, path)
    if len(set(labs)) < len(labs):
        raise EstimationError(f"the path {lhs} ~ {rhs} already has one label in several groups (equal by "
                              "construction): test it in a model where it is free in every group")
    cons = tuple(f"{labs[0]} == {b}" for b in labs[1:])
    already = set(fit.constraints)
    if any(cn in already for cn in cons):
        raise EstimationError(f"the path {lhs} ~ {rhs} is constrained equal across groups in the fit {fit.name!r}")
    # a path made equal by group_equal = "regressions" shares the group-1 label: caught above
    est = fit.result.estimates
    e = est[(est["op"] == "~") & (est["lhs"] == lhs) & (est["rhs"] == rhs)]
    wd = wald(fit, cons)
    out = {"path": f"{lhs} ~ {rhs}", "estimates": pd.DataFrame({
        "group": list(fit.groups), "est": e["est"].to_numpy(float), "se": e["se"].to_numpy(float),
        "std_all": e["std_all"].to_numpy(float)}),
        "wald": wd.iloc[0].to_dict(), "lrt": {"chisq_diff": np.nan, "df_diff": len(cons), "pvalue": np.nan},
        "fit_equal": None}
    if refit_lrt:
        eq = refit(fit, constraints=tuple(fit.constraints) + cons, name=f"{fit.name}+{lhs}~{rhs} equal")
        t = lrt([fit, eq])
        out["lrt"] = {"chisq_diff": float(t["chisq_diff"].iloc[1]), "df_diff": int(t["df_diff"].iloc[1]),
                      "pvalue": float(t["pvalue"].iloc[1])}
        out["fit_equal"] = eq
    return out
