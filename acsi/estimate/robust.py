"""Robust ML inference: survey weights, Huber-White sandwich standard errors and scaled tests,
as lavaan's ``sem(..., sampling.weights = "w")``, ``estimator = "MLR"`` and ``estimator = "MLM"``.

The estimates are ML's (on the survey-weighted moments when there are weights); what changes
is the uncertainty.  Everything here is a post-estimation computation on the estimate θ̂, the
sample statistics (:class:`~.samplestats.SampleStats` with its rows and weights) and the compiled
model, so acsi's own engine, the semopy adapter and the bootstrap share one implementation.

Which inference (:func:`resolve_inference`, lavaan 0.6-14's rules)
------------------------------------------------------------------
=================  ========================  ======================  ============
estimator          standard errors           test                    information
=================  ========================  ======================  ============
``"ml"``           standard                  standard                expected
``"ml"`` + weights robust.huber.white        yuan.bentler.mplus      observed
``"mlr"``          robust.huber.white        yuan.bentler.mplus      observed
``"mlm"``          robust.sem                satorra.bentler         expected
=================  ========================  ======================  ============

``se="standard"`` keeps normal-theory standard errors (expected information) with weights or
MLR; lavaan then still reports the scaled test, and so does acsi.  MLM needs complete,
unweighted data: lavaan refuses ``missing = "ml"`` and its Satorra-Bentler Γ ignores survey
weights, so both are refused here with the alternative named.

Casewise scores (one computation, :func:`casewise_scores`)
----------------------------------------------------------
Respondent r of group g contributes ``l_r = −½ [log|Σ| + (x_r − μ)ᵀ Σ⁻¹ (x_r − μ)] + const``.
With ``K = Σ⁻¹``, ``d_r = x_r − μ`` and the rank-two/rank-one derivatives of
:mod:`.mlfast` (``∂Σ/∂θ_k = s_k (u_k v_kᵀ + v_k u_kᵀ)``, ``∂μ/∂θ_k = c_k w_k``, the vectors
``u, v, w`` columns of ``[I | M | G]``), the score is

    ∂l_r/∂θ_k = s_k [(u_kᵀ K d_r)(v_kᵀ K d_r) − u_kᵀ K v_k] + c_k w_kᵀ K d_r,

computed for every respondent at once from ``z_r = [I | M | G]ᵀ K d_r``.  ``μ`` is the implied
mean with a mean structure and the sample mean without (lavaan's ``h1.information =
"structured"``).  Satorra-Bentler's ``Δᵀ W Γ W Δ`` is the covariance of the same vectors with
``u_kᵀ K S K v_k`` as the constant (the residual ``d_r d_rᵀ − S`` instead of ``d_r d_rᵀ − Σ``).

Standard errors (lavaan's ``lav_model_nvcov_robust_sandwich``)
--------------------------------------------------------------
``A`` the information per observation (``observed``: the Hessian of ``F/2``, exact, from
:func:`~.mlfast.gradient_information`; ``expected``: half the Fisher information of F), summed
over groups with weights ``f_g = n_g/N``; ``B = Σ_g f_g (1/n_g) Σ_r w_r² s_r s_rᵀ`` (``w`` the
normalised survey weights, 1 without); the bread ``E = A⁻¹`` (with constraints lavaan's
augmented inverse, :func:`~.mlfast.parameter_vcov`), and ``V = E B E / N``.  MLM uses the
expected information and the centred Γ-scores (``robust.sem``).

Scaled tests
------------
* Yuan-Bentler, Mplus variant (``yuan.bentler.mplus``; Yuan & Bentler 2000, Asparouhov & Muthén
  2010): ``c = (tr_h1 − tr_h0) / df`` with ``tr_h0 = tr(B E)`` and ``tr_h1 = Σ_g tr(A1_g⁻¹ B1_g)``,
  the saturated model's information ``A1`` and first-order ``B1`` at the sample moments; with
  the Mahalanobis distances ``q_r = (x_r − x̄)ᵀ S⁻¹ (x_r − x̄)`` this is exactly
  ``tr_h1 = Σ_g (1/n_g) Σ_r w_r² [½ (q_r² − 2 q_r + p) + ms·q_r]`` (``ms`` = 1 with a mean
  structure; ``½ (mean q² − p)`` is Mardia's multivariate kurtosis less its normal value).
  ``scaling_factor_h1 = tr_h1 / ndat``, ``scaling_factor_h0 = tr_h0 / npar``.
* Satorra-Bentler (``satorra.bentler``; Satorra & Bentler 1994): ``c = tr(U Γ) / df``,
  ``tr(UΓ) = Σ_g [tr(W_g Γ_g) − f_g tr(E B_g)]`` with ``W`` the normal-theory weight at Σ̂,
  ``tr(WΓ) = (1/n) Σ_r ½ [(d_rᵀKd_r)² − 2 d_rᵀKSKd_r + tr((KS)²)] (+ (1/n) Σ_r d_rᵀKd_r)``.
* The baseline (independence) model's factor ``c_b`` by the same rules with its closed-form
  information (free variances: ``A = diag(1/(2 s_jj²))``): YB
  ``tr_h0 = (1/n) Σ_r w_r² Σ_j [½ (d_rj²/s_jj − 1)² + ms·d_rj²/s_jj]``; SB
  ``c_b df_b = (1/n) Σ_r Σ_{j<k} (d_rj d_rk − s_jk)² / (s_jj s_kk)``.

The scaled and robust fit indexes from ``c`` and ``c_b`` are
:func:`acsi.estimate.fitmeasures.scaled_measures`.  Covariates fixed at their sample moments
(``fixed.x``) are refused with robust inference: build the table with ``fixed_x=False``.

Reproduced against lavaan 0.6-14 in ``tests/reference/robust_*`` (SEs 1e-4, measures 1e-5).

Equivalent R::

    sem(model, data, sampling.weights = "w")          # weighted: MLR-type inference
    sem(model, data, estimator = "MLR")
    sem(model, data, estimator = "MLM")
    fitMeasures(fit, c("chisq.scaled", "chisq.scaling.factor", "cfi.robust", "rmsea.robust"))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import EstimationError, InvalidParameterError
from .mlfast import RamModel, _Batch, _mean_coef, expected_information, gradient_information, parameter_vcov

__all__ = ["ESTIMATORS", "Inference", "RobustResult", "casewise_scores", "information", "resolve_inference",
           "robust_inference", "scaled_test"]

#: ML estimators: normal-theory, robust (Huber-White + Yuan-Bentler), Satorra-Bentler
ESTIMATORS = ("ml", "mlr", "mlm")
SE_CHOICES = ("standard", "robust")

_LABELS = {
    "standard": "normal-theory (expected information)",
    "robust.huber.white": "robust (Huber-White sandwich, observed information)",
    "robust.sem": "robust (Satorra-Bentler sandwich, expected information)",
    "yuan.bentler.mplus": "Yuan-Bentler scaled chi-square (Mplus variant)",
    "satorra.bentler": "Satorra-Bentler scaled chi-square",
}


@dataclass(frozen=True)
class Inference:
    """How the uncertainty of an ML fit is computed (lavaan's resolved ``se``, ``test``,
    ``information``)."""

    estimator: str = "ml"
    se: str = "standard"
    test: str = "standard"
    information: str = "expected"
    weighted: bool = False
    missing: str = "listwise"

    @property
    def robust_se(self) -> bool:
        return self.se != "standard"

    @property
    def scaled(self) -> bool:
        return self.test != "standard"

    @property
    def needs_rows(self) -> bool:
        """Whether the raw rows are needed (casewise scores)."""
        return self.robust_se or self.scaled

    def describe(self) -> str:
        """One line for summaries: ``"MLR: robust (Huber-White ...) SEs; Yuan-Bentler ..."``."""
        what = self.estimator.upper() + (" with survey weights" if self.weighted else "")
        test = _LABELS[self.test] if self.scaled else "normal-theory chi-square"
        return f"{what}: {_LABELS[self.se]} standard errors; {test}"

    def as_lavaan(self) -> dict:
        """The options in lavaan's spelling (provenance)."""
        return {"estimator": "ML", "se": self.se, "test": self.test, "information": self.information,
                "sampling.weights": self.weighted, "missing": "ml" if self.missing == "ml" else "listwise"}


def _bad(where: str, name: str, what: str, value) -> InvalidParameterError:
    return InvalidParameterError(f"The {name!r} parameter of {where} must be {what}. Got {value!r} instead.")


def resolve_inference(estimator: str = "ml", *, weighted: bool = False, missing: str = "listwise",
                      se: str | None = None, where: str = "fit_ml") -> Inference:
    """lavaan's resolved ``se``/``test``/``information`` for an ML fit (module docstring).

    Parameters
    ----------
    estimator : {"ml", "mlr", "mlm"}
    weighted : bool
        Survey weights are used (lavaan's ``sampling.weights``).
    missing : {"listwise", "ml"}
        ``"ml"``: full-information ML.
    se : {None, "standard", "robust"}
        Override the standard errors (``"standard"``: normal-theory; the test stays as the
        estimator says).

    Raises
    ------
    InvalidParameterError
        An unknown estimator or ``se``; MLM with survey weights or with missing data.
    """
    est = estimator.lower() if isinstance(estimator, str) else estimator
    if est not in ESTIMATORS:
        raise _bad(where, "estimator", f"one of {list(ESTIMATORS)}", estimator)
    if se is not None and se not in SE_CHOICES:
        raise _bad(where, "se", f"None or one of {list(SE_CHOICES)}", se)
    fiml = missing == "ml"
    if est == "mlm":
        if weighted:
            raise _bad(where, "estimator",
                       "'mlr' or 'ml' with survey weights (Satorra-Bentler's MLM uses unweighted fourth moments, "
                       "as lavaan 0.6-14 does, so it cannot honour the weights; 'mlr' is lavaan's default for "
                       "weighted data)", estimator)
        if fiml:
            raise _bad(where, "estimator",
                       "'mlr' or 'ml' with missing='ml' (full-information ML): MLM needs complete data "
                       "(lavaan: missing=\"ml\" is not allowed for estimator \"MLM\")", estimator)
        inf = Inference("mlm", "robust.sem", "satorra.bentler", "expected", weighted, missing)
        if se == "standard":
            inf = Inference("mlm", "standard", "satorra.bentler", "expected", weighted, missing)
        return inf
    robust = est == "mlr" or weighted
    se_r = "robust.huber.white" if (robust and se != "standard") or se == "robust" else "standard"
    test = "yuan.bentler.mplus" if robust else "standard"
    info = "observed" if se_r == "robust.huber.white" or fiml else "expected"
    return Inference(est, se_r, test, info, weighted, missing)


# ============================================================================ casewise pieces
@dataclass
class _GroupPieces:
    """One group's state at θ̂ for the casewise computations."""

    K: np.ndarray       # Σ⁻¹
    cand: np.ndarray    # [I | M | G]  (p × nc)
    a: np.ndarray | None
    mu: np.ndarray      # the centre of the structured scores (implied or sample mean)
    sigma: np.ndarray


def _check_model(model: RamModel) -> None:
    if model.fixed_x:
        names = sorted(set(model.frame.loc[model.frame["exo"] == 1, "lhs"]))
        raise EstimationError(
            f"robust standard errors and scaled tests with covariates fixed at their sample moments (fixed.x: "
            f"{', '.join(names)}) are not supported: build the table with fixed_x=False so that the covariates "
            "are modelled, or use estimator='ml' without survey weights"
        )


def _pieces(model: RamModel, theta: np.ndarray, stats) -> list[_GroupPieces]:
    S = [g.cov[None] for g in stats.groups]
    means = [g.mean[None] for g in stats.groups] if model.meanstructure else None
    batch = _Batch(model, S, means, stats.weights)
    _F, states = batch.value(model.x_of(np.atleast_2d(theta)), np.arange(1))
    out = []
    for g, (gm, st) in enumerate(zip(model.groups, states)):
        K, M, G = st[0][0], st[1][0], st[2][0]
        a = st[6][0] if len(st) > 6 else None
        cand = np.concatenate([np.eye(gm.p), M, G], axis=1)
        sigma = np.linalg.inv(K)
        mean = stats.groups[g].mean
        mu = mean - st[7][0] if len(st) > 7 else mean  # d = x̄ − μ
        out.append(_GroupPieces(K=K, cand=cand, a=a, mu=mu, sigma=sigma))
    return out


def _group_scores(gm, pc: _GroupPieces, X: np.ndarray, center: np.ndarray, const: np.ndarray) -> np.ndarray:
    """Scores over the group's free cells (rows × q): module docstring, with ``const`` the
    matrix of the constant term (``K`` for the casewise scores, ``KSK`` for Γ)."""
    KC = pc.K @ pc.cand
    z = (X - center) @ KC
    Cc = pc.cand.T @ const @ pc.cand
    sc = gm.scale * (z[:, gm.uix] * z[:, gm.vix] - Cc[gm.uix, gm.vix])
    if gm.meanstructure and pc.a is not None:
        sc += _mean_coef(gm, pc.a[None])[0] * z[:, gm.m_w]
    return sc


def _rows(stats, g: int) -> tuple[np.ndarray, np.ndarray | None]:
    st = stats.groups[g]
    if st.X is None:
        raise EstimationError("robust standard errors and scaled tests need the respondents' rows: build the sample "
                              "statistics with SampleStats.from_data(..., keep_rows=True)")
    if np.isnan(st.X).any():
        raise EstimationError("casewise scores of complete-data ML need complete rows (use missing='ml' for FIML)")
    return st.X, st.weights


def _scatter(model: RamModel, parts: list[np.ndarray], f: np.ndarray) -> np.ndarray:
    """Σ_g f_g P_g over θ from the groups' (q_g × q_g) pieces."""
    out = np.zeros((model.npar, model.npar))
    for g, gm in enumerate(model.groups):
        out[np.ix_(gm.pidx, gm.pidx)] += f[g] * parts[g]
    return out


def casewise_scores(model: RamModel, theta: np.ndarray, stats, *, kind: str = "structured") -> list[np.ndarray]:
    """Per group, the casewise scores ``∂l_r/∂θ`` (rows × npar; module docstring), unweighted.

    ``kind="structured"``: lavaan's first-order (MLR) scores at Σ̂ (μ̂ or x̄); ``"gamma"``: the
    centred residual vectors of Satorra-Bentler's ``Δᵀ W Γ W Δ`` (constant ``K S K``, centred at
    x̄, then column-centred).
    """
    theta = np.asarray(theta, dtype=float)
    pcs = _pieces(model, theta, stats)
    out = []
    for g, (gm, pc) in enumerate(zip(model.groups, pcs)):
        X, w = _rows(stats, g)
        st = stats.groups[g]
        if kind == "structured":
            sc = _group_scores(gm, pc, X, pc.mu, pc.K)
        elif kind == "gamma":
            sc = _group_scores(gm, pc, X, st.mean, pc.K @ st.cov @ pc.K)
            sc -= sc.mean(axis=0)
        else:
            raise ValueError(f"unknown score kind {kind!r}")
        full = np.zeros((X.shape[0], model.npar))
        full[:, gm.pidx] = sc
        out.append(full)
    return out


def information(model: RamModel, theta: np.ndarray, stats, kind: str = "observed") -> np.ndarray:
    """Information per observation over θ (npar × npar): ``"observed"`` the exact Hessian of
    ``F/2`` (lavaan's ``observed.information = "hessian"``), ``"expected"`` half the Fisher
    information of F; groups weighted by ``n_g/N``."""
    theta = np.asarray(theta, dtype=float)
    if kind == "expected":
        return 0.5 * expected_information(model, theta, stats)
    S = [g.cov[None] for g in stats.groups]
    means = [g.mean[None] for g in stats.groups] if model.meanstructure else None
    batch = _Batch(model, S, means, stats.weights)
    _F, states = batch.value(model.x_of(np.atleast_2d(theta)), np.arange(1))
    parts = []
    for g, (gm, st) in enumerate(zip(model.groups, states)):
        K, M, G_, A, L, C = st[:6]
        a, d = (st[6], st[7]) if len(st) > 6 else (None, None)
        _g, _H, Hobs = gradient_information(gm, K, S[g], M, G_, A, L, C, a, d, observed=True)
        parts.append(0.5 * Hobs[0])
    f = stats.weights if len(model.groups) > 1 else np.ones(1)
    A = _scatter(model, parts, f) if not model._identity else parts[0]
    return 0.5 * (A + A.T)


def _meat(model: RamModel, scores: list[np.ndarray], stats) -> np.ndarray:
    """``B = Σ_g f_g (1/n_g) Σ_r w_r² s_r s_rᵀ`` (the weighted estimating equations' meat)."""
    B = np.zeros((model.npar, model.npar))
    f = stats.weights
    for g, sc in enumerate(scores):
        w = stats.groups[g].weights
        ws = sc if w is None else sc * w[:, None]
        B += f[g] * (ws.T @ ws) / stats.groups[g].n
    return B


# ============================================================================ the h1 traces
def _h1_trace(stats, meanstructure: bool) -> tuple[float, int]:
    """``Σ_g tr(A1_g⁻¹ B1_g)`` of the saturated model at the sample moments (module docstring)
    and its number of moments ``ndat``."""
    tr, ndat = 0.0, 0
    for st in stats.groups:
        X, w = st.X, st.weights
        p = X.shape[1]
        d = X - st.mean
        q = np.einsum("ij,ij->i", d @ np.linalg.inv(st.cov), d)
        val = 0.5 * (q**2 - 2.0 * q + p) + (q if meanstructure else 0.0)
        tr += float((val if w is None else w**2 * val).sum()) / st.n
        ndat += p * (p + 1) // 2 + (p if meanstructure else 0)
    return tr, ndat


def _baseline_h0_trace(stats, meanstructure: bool) -> float:
    """YB's ``tr(B E)`` of the independence model (free variances [and means])."""
    tr = 0.0
    for st in stats.groups:
        X, w = st.X, st.weights
        s = np.diag(st.cov)
        e = (X - st.mean) ** 2 / s
        val = (0.5 * (e - 1.0) ** 2).sum(axis=1) + (e.sum(axis=1) if meanstructure else 0.0)
        tr += float((val if w is None else w**2 * val).sum()) / st.n
    return tr


def _sb_gamma_trace(model: RamModel, pcs: list[_GroupPieces], stats) -> float:
    """``Σ_g tr(W_g Γ_g)`` at Σ̂ (Satorra-Bentler; module docstring)."""
    tr = 0.0
    for g, pc in enumerate(pcs):
        st = stats.groups[g]
        d = st.X - st.mean
        KS = pc.K @ st.cov
        q1 = np.einsum("ij,ij->i", d @ pc.K, d)
        q2 = np.einsum("ij,ij->i", d @ (KS @ pc.K), d)
        val = 0.5 * (q1**2 - 2.0 * q2 + np.trace(KS @ KS)) + (q1 if model.meanstructure else 0.0)
        tr += float(val.mean())
    return tr


def _sb_baseline_trace(stats) -> float:
    """Satorra-Bentler's ``tr(U Γ)`` of the independence model."""
    tr = 0.0
    for st in stats.groups:
        d = st.X - st.mean
        s = np.diag(st.cov)
        p = d.shape[1]
        iu = np.triu_indices(p, 1)
        r = (d[:, iu[0]] * d[:, iu[1]] - st.cov[iu]) ** 2 / (s[iu[0]] * s[iu[1]])
        tr += float(r.sum(axis=1).mean())
    return tr


# ============================================================================ the results
@dataclass(frozen=True)
class RobustResult:
    """Post-estimation inference at θ̂: the vcov (or None when the SEs are normal-theory), the
    bread ``E`` and the meat ``B`` (per observation) and the scaled-test quantities."""

    vcov: np.ndarray | None
    bread: np.ndarray | None
    meat: np.ndarray | None
    test: dict


def scaled_test(model: RamModel, theta: np.ndarray, stats, inference: Inference, *, df: float, baseline_df: float,
                bread: np.ndarray, meat: np.ndarray | None = None) -> dict:
    """The scaling factors of the model and the baseline test (module docstring).

    Returns a dict with ``test``, ``chisq_scaling_factor``, ``baseline_chisq_scaling_factor``,
    ``trace_ugamma`` and, for Yuan-Bentler, ``scaling_factor_h1`` and ``scaling_factor_h0``
    (NaN where undefined: ``df = 0``, a negative trace).
    """
    out = {"test": inference.test}
    ms = model.meanstructure
    if inference.test == "yuan.bentler.mplus":
        if meat is None:
            meat = _meat(model, casewise_scores(model, theta, stats), stats)
        tr_h1, ndat = _h1_trace(stats, ms)
        tr_h0 = float(np.sum(meat * bread.T))
        trace = tr_h1 - tr_h0
        out.update(scaling_factor_h1=tr_h1 / ndat, scaling_factor_h0=tr_h0 / model.npar)
        base = tr_h1 - _baseline_h0_trace(stats, ms)
    elif inference.test == "satorra.bentler":
        pcs = _pieces(model, np.asarray(theta, float), stats)
        if meat is None:
            meat = _meat(model, casewise_scores(model, theta, stats, kind="gamma"), stats)
        trace = _sb_gamma_trace(model, pcs, stats) - float(np.sum(meat * bread.T))
        base = _sb_baseline_trace(stats)
    else:
        raise ValueError(f"no scaled test for test={inference.test!r}")
    c = trace / df if df > 0 else np.nan
    cb = base / baseline_df if baseline_df > 0 else np.nan
    out.update(trace_ugamma=float(trace), chisq_scaling_factor=float(c) if c > 0 else np.nan,
               baseline_chisq_scaling_factor=float(cb) if cb > 0 else np.nan)
    return out


def robust_inference(model: RamModel, theta: np.ndarray, stats, inference: Inference, *, df: float,
                     baseline_df: float) -> RobustResult:
    """Standard errors and scaled test of a complete-data ML fit at θ̂ (module docstring).

    Raises
    ------
    EstimationError
        Covariates fixed at their sample moments; no rows kept.
    numpy.linalg.LinAlgError
        A singular information matrix.
    """
    _check_model(model)
    theta = np.asarray(theta, dtype=float)
    N = stats.ntotal
    A = information(model, theta, stats, inference.information)
    bread = parameter_vcov(model, 2.0 * A, 1, theta)  # E = A⁻¹ (lavaan's augmented inverse with constraints)
    # MLM's sandwich and test both use the Γ-scores, the others the casewise scores
    kind = "gamma" if inference.estimator == "mlm" else "structured"
    meat = _meat(model, casewise_scores(model, theta, stats, kind=kind), stats) if inference.needs_rows else None
    vcov = bread @ meat @ bread / N if inference.robust_se else None
    test = {}
    if inference.scaled:
        test = scaled_test(model, theta, stats, inference, df=df, baseline_df=baseline_df, bread=bread, meat=meat)
    return RobustResult(vcov=vcov, bread=bread, meat=meat, test=test)
