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
  ``tr(WΓ) = (1/n) Σ_r ½ [(d_rᵀKd_r)² − 2 d_rᵀKSKd_r + tr((KS)²)] (+ (1/n) Σ_r d_rᵀKd_r)``
  ``= ½ [mean((d_rᵀKd_r)²) − tr((KS)²)] (+ tr(KS))``.
* The baseline (independence) model's factor ``c_b`` by the same rules with its closed-form
  information (free variances: ``A = diag(1/(2 s_jj²))``): YB
  ``tr_h0 = (1/n) Σ_r w_r² Σ_j [½ (d_rj²/s_jj − 1)² + ms·d_rj²/s_jj]``; SB
  ``c_b df_b = (1/n) Σ_r Σ_{j<k} (d_rj d_rk − s_jk)² / (s_jj s_kk)
  = Σ_{j<k} [mean(d_j² d_k²) − s_jk²] / (s_jj s_kk)``.

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
import pandas as pd

from ..errors import EstimationError, InvalidParameterError
from ..frames import labels
from ..options import invalid
from .mlfast import RamModel, _Batch, _mean_coef, expected_information, gradient_information, parameter_vcov

__all__ = ["ESTIMATORS", "Inference", "RobustResult", "casewise_scores", "fiml_casewise_scores", "fiml_inference",
           "information", "resolve_inference", "robust_inference", "scaled_test", "with_scaled"]

#: ML estimators: normal-theory, robust (Huber-White + Yuan-Bentler), Satorra-Bentler
ESTIMATORS = ("ml", "mlr", "mlm")
SE_CHOICES = ("standard", "robust")

_LABELS = {
    "standard": "normal-theory ({information} information)",
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

    def apply(self, model, stats, theta, fit):
        """Robust standard errors and the scaled test of a complete-data fit at θ̂ (called by
        :func:`acsi.estimate.mlresult.result_from_theta`): ``(vcov or None, fit measures with the
        scaled and robust ones, failure message or None)``."""
        try:
            rob = robust_inference(model, theta, stats, self, df=float(fit["df"]), baseline_df=float(fit["baseline_df"]))
        except np.linalg.LinAlgError:
            return None, fit, "robust standard errors and the scaled test unavailable: singular information matrix"
        if rob.test:
            fit = with_scaled(fit, rob.test, len(model.groups))
        return rob.vcov, fit, None

    def describe(self) -> str:
        """One line for summaries: ``"MLR: robust (Huber-White ...) SEs; Yuan-Bentler ..."``."""
        what = self.estimator.upper() + (" with survey weights" if self.weighted else "")
        test = _LABELS[self.test] if self.scaled else "normal-theory chi-square"
        se = _LABELS[self.se].format(information=self.information)
        fiml = " (FIML)" if self.missing == "ml" else ""
        return f"{what}{fiml}: {se} standard errors; {test}"


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
        raise invalid(where, "estimator", f"one of {list(ESTIMATORS)}", estimator)
    if se is not None and se not in SE_CHOICES:
        raise invalid(where, "se", f"None or one of {list(SE_CHOICES)}", se)
    fiml = missing == "ml"
    if est == "mlm":
        if weighted:
            raise invalid(where, "estimator",
                       "'mlr' or 'ml' with survey weights (Satorra-Bentler's MLM uses unweighted fourth moments, "
                       "as lavaan 0.6-14 does, so it cannot honour the weights; 'mlr' is lavaan's default for "
                       "weighted data)", estimator)
        if fiml:
            raise invalid(where, "estimator",
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
        raise InvalidParameterError(
            f"robust standard errors and scaled tests (estimator 'mlr'/'mlm' or survey weights) cannot be computed "
            f"with covariates fixed at their sample moments (fixed.x: {', '.join(names)}): build the table with "
            "fixed_x=False so that the covariates are modelled, or use estimator='ml' without survey weights"
        )


def _evaluate(model: RamModel, theta: np.ndarray, stats):
    """The model's state at θ̂ for every group (one evaluation shared by the pieces below)."""
    S = [g.cov[None] for g in stats.groups]
    means = [g.mean[None] for g in stats.groups] if model.meanstructure else None
    batch = _Batch(model, S, means, stats.weights)
    _F, states = batch.value(model.x_of(np.atleast_2d(theta)), np.arange(1))
    return S, states


def _pieces(model: RamModel, theta: np.ndarray, stats, ev=None) -> list[_GroupPieces]:
    _S, states = _evaluate(model, theta, stats) if ev is None else ev
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
    """Scores over the group's free cells, transposed (q × rows: a parameter's scores are
    contiguous, so gathering them is a copy of whole rows): module docstring, with ``const``
    the matrix of the constant term (``K`` for the casewise scores, ``KSK`` for Γ)."""
    zt = _transposed_product((pc.K @ pc.cand).T, X - center)
    Cc = pc.cand.T @ const @ pc.cand
    sc = zt[gm.uix]
    sc *= zt[gm.vix]
    sc -= Cc[gm.uix, gm.vix][:, None]
    sc *= gm.scale[:, None]
    if gm.meanstructure and pc.a is not None:
        sc += _mean_coef(gm, pc.a[None])[0][:, None] * zt[gm.m_w]
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
    if model._identity:
        return f[0] * parts[0]
    out = np.zeros((model.npar, model.npar))
    for g, gm in enumerate(model.groups):
        out[np.ix_(gm.pidx, gm.pidx)] += f[g] * parts[g]
    return out


def _cell_scores(model: RamModel, pcs: list[_GroupPieces], stats, kind: str) -> list[np.ndarray]:
    """Per group, the scores over the group's free cells (q_g × rows), unweighted."""
    out = []
    for g, (gm, pc) in enumerate(zip(model.groups, pcs)):
        X, _w = _rows(stats, g)
        st = stats.groups[g]
        if kind == "structured":
            sc = _group_scores(gm, pc, X, pc.mu, pc.K)
        elif kind == "gamma":
            sc = _group_scores(gm, pc, X, st.mean, pc.K @ st.cov @ pc.K)
            sc -= sc.mean(axis=1, keepdims=True)
        else:
            raise ValueError(f"unknown score kind {kind!r}")
        out.append(sc)
    return out


def casewise_scores(model: RamModel, theta: np.ndarray, stats, *, kind: str = "structured") -> list[np.ndarray]:
    """Per group, the casewise scores ``∂l_r/∂θ`` (rows × npar; module docstring), unweighted.

    ``kind="structured"``: lavaan's first-order (MLR) scores at Σ̂ (μ̂ or x̄); ``"gamma"``: the
    centred residual vectors of Satorra-Bentler's ``Δᵀ W Γ W Δ`` (constant ``K S K``, centred at
    x̄, then column-centred).
    """
    theta = np.asarray(theta, dtype=float)
    out = []
    for gm, sc in zip(model.groups, _cell_scores(model, _pieces(model, theta, stats), stats, kind)):
        full = np.zeros((sc.shape[1], model.npar))
        full[:, gm.pidx] = sc.T
        out.append(full)
    return out


def information(model: RamModel, theta: np.ndarray, stats, kind: str = "observed", ev=None) -> np.ndarray:
    """Information per observation over θ (npar × npar): ``"observed"`` the exact Hessian of
    ``F/2`` (lavaan's ``observed.information = "hessian"``), ``"expected"`` half the Fisher
    information of F; groups weighted by ``n_g/N``."""
    theta = np.asarray(theta, dtype=float)
    if kind == "expected":
        return 0.5 * expected_information(model, theta, stats)
    S, states = _evaluate(model, theta, stats) if ev is None else ev
    parts = []
    for g, (gm, st) in enumerate(zip(model.groups, states)):
        K, M, G_, A, L, C = st[:6]
        a, d = (st[6], st[7]) if len(st) > 6 else (None, None)
        _g, _H, Hobs = gradient_information(gm, K, S[g], M, G_, A, L, C, a, d, observed=True)
        parts.append(0.5 * Hobs[0])
    f = stats.weights if len(model.groups) > 1 else np.ones(1)
    A = _scatter(model, parts, f)
    return 0.5 * (A + A.T)


_ONE_THREAD = 262_000  # OpenBLAS's single-thread bound on m·n·k (SMP_THRESHOLD_MIN · GEMM_MULTITHREAD_THRESHOLD)


def _transposed_product(Bt: np.ndarray, A: np.ndarray) -> np.ndarray:
    """``(A @ B)ᵀ = Bᵀ Aᵀ`` (k × n) for a tall ``A``, in blocks of rows kept on one BLAS thread."""
    n = A.shape[0]
    step = max(16, _ONE_THREAD // max(A.shape[1] * Bt.shape[0], 1))
    if n <= step:
        return Bt @ A.T
    out = np.empty((Bt.shape[0], n))
    for r in range(0, n, step):
        np.matmul(Bt, A[r:r + step].T, out=out[:, r:r + step])
    return out


def _rowwise(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A @ B`` for a tall ``A`` in blocks of rows kept on one BLAS thread (see
    :func:`_crossprod`); each row's result is the same whatever the blocking."""
    n = A.shape[0]
    step = max(16, _ONE_THREAD // max(A.shape[1] * B.shape[1], 1))
    if n <= step:
        return A @ B
    out = np.empty((n, B.shape[1]))
    for r in range(0, n, step):
        np.matmul(A[r:r + step], B, out=out[r:r + step])
    return out


def _gram_t(At: np.ndarray) -> np.ndarray:
    """``At Atᵀ`` for a wide ``At`` (q × n: transposed scores), summed over blocks of columns
    kept on one BLAS thread (see :func:`_crossprod`)."""
    q, n = At.shape
    step = max(16, _ONE_THREAD // max(q * q, 1))
    if n <= step:
        return At @ At.T
    out = np.zeros((q, q))
    for r in range(0, n, step):
        blk = At[:, r:r + step]
        out += blk @ blk.T
    return out


def _crossprod(A: np.ndarray) -> np.ndarray:
    """``AᵀA`` summed over blocks of rows small enough for a single-threaded BLAS call.

    OpenBLAS runs a product of ``m n k`` below 4 · 65536 on one thread and splits larger ones;
    on a busy machine those threads mostly wait (a 600 × 39 cross product: 1 ms on one thread,
    70 ms on two under load).  Blocks keep every call on one thread, fix the order of the sums
    (the same bits whatever the machine's thread settings) and cost a few microseconds each.
    """
    n, q = A.shape
    step = max(16, _ONE_THREAD // max(q * q, 1))
    if n <= step:
        return A.T @ A
    out = np.zeros((q, q))
    for r in range(0, n, step):
        blk = A[r:r + step]
        out += blk.T @ blk
    return out


def _meat(model: RamModel, cell_scores: list[np.ndarray], stats) -> np.ndarray:
    """``B = Σ_g f_g (1/n_g) Σ_r w_r² s_r s_rᵀ`` (the weighted estimating equations' meat)."""
    parts = []
    for g, sc in enumerate(cell_scores):
        w = stats.groups[g].weights
        ws = sc if w is None else sc * w[None, :]
        parts.append(_gram_t(ws) / stats.groups[g].n)
    return _scatter(model, parts, stats.weights)


# ============================================================================ the h1 traces
def _h1_trace(stats, meanstructure: bool) -> tuple[float, int]:
    """``Σ_g tr(A1_g⁻¹ B1_g)`` of the saturated model at the sample moments (module docstring)
    and its number of moments ``ndat``."""
    tr, ndat = 0.0, 0
    for st in stats.groups:
        X, w = st.X, st.weights
        p = X.shape[1]
        d = X - st.mean
        q = np.einsum("ij,ij->i", _rowwise(d, np.linalg.inv(st.cov)), d)
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
    """``Σ_g tr(W_g Γ_g)`` at Σ̂ (Satorra-Bentler; module docstring).  With
    ``q_r = d_rᵀ K d_r`` and ``mean(d_rᵀ K S K d_r) = tr((KS)²)`` this is
    ``½ [mean(q_r²) − tr((KS)²)] (+ tr(KS) with a mean structure)``."""
    tr = 0.0
    for g, pc in enumerate(pcs):
        st = stats.groups[g]
        d = st.X - st.mean
        KS = pc.K @ st.cov
        q1 = np.einsum("ij,ij->i", _rowwise(d, pc.K), d)
        tr += 0.5 * (float(np.mean(q1**2)) - float(np.trace(KS @ KS)))
        if model.meanstructure:
            tr += float(np.trace(KS))
    return tr


def _sb_baseline_trace(stats) -> float:
    """Satorra-Bentler's ``tr(U Γ)`` of the independence model:
    ``Σ_{j<k} [mean(d_j² d_k²) − s_jk²] / (s_jj s_kk)`` (the mean of ``d_j d_k`` is ``s_jk``)."""
    tr = 0.0
    for st in stats.groups:
        d2 = (st.X - st.mean) ** 2
        s = np.diag(st.cov)
        m4 = _crossprod(d2) / d2.shape[0]
        iu = np.triu_indices(d2.shape[1], 1)
        tr += float(((m4[iu] - st.cov[iu] ** 2) / (s[iu[0]] * s[iu[1]])).sum())
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
            meat = _meat(model, _cell_scores(model, _pieces(model, theta, stats), stats, "structured"), stats)
        tr_h1, ndat = _h1_trace(stats, ms)
        tr_h0 = float(np.sum(meat * bread.T))
        trace = tr_h1 - tr_h0
        out.update(scaling_factor_h1=tr_h1 / ndat, scaling_factor_h0=tr_h0 / model.npar)
        base = tr_h1 - _baseline_h0_trace(stats, ms)
    elif inference.test == "satorra.bentler":
        pcs = _pieces(model, np.asarray(theta, float), stats)
        if meat is None:
            meat = _meat(model, _cell_scores(model, pcs, stats, "gamma"), stats)
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
    return _robust_inference(model, np.asarray(theta, dtype=float), stats, inference, df=df, baseline_df=baseline_df)


def _robust_inference(model, theta, stats, inference, *, df, baseline_df) -> RobustResult:
    N = stats.ntotal
    ev = _evaluate(model, theta, stats)
    A = information(model, theta, stats, inference.information, ev=ev)
    bread = parameter_vcov(model, 2.0 * A, 1, theta)  # E = A⁻¹ (lavaan's augmented inverse with constraints)
    # MLM's sandwich and test both use the Γ-scores, the others the casewise scores
    kind = "gamma" if inference.estimator == "mlm" else "structured"
    meat = _meat(model, _cell_scores(model, _pieces(model, theta, stats, ev), stats, kind), stats)
    vcov = bread @ meat @ bread / N if inference.robust_se else None
    test = {}
    if inference.scaled:
        test = scaled_test(model, theta, stats, inference, df=df, baseline_df=baseline_df, bread=bread, meat=meat)
    return RobustResult(vcov=vcov, bread=bread, meat=meat, test=test)


# ============================================================================ FIML (missing = "ml")
def _vech_index(p: int):
    a, b = np.triu_indices(p)
    s = np.where(a == b, 0.5, 1.0)
    return a, b, s


def _pair_form(P: np.ndarray, R: np.ndarray, a, b, s) -> np.ndarray:
    """``F[(ab),(cd)] = tr(P E_cd R E_ab)`` over the vech elements (``E_ab`` the symmetric unit
    matrix of σ_ab, ``s`` = ½ on the diagonal)."""
    A, B = a[:, None], b[:, None]
    C, D = a[None, :], b[None, :]
    F = P[B, C] * R[A, D] + P[A, C] * R[B, D] + P[B, D] * R[A, C] + P[A, D] * R[B, C]
    return F * np.outer(s, s)


def _embedded_inverses(pat, sigma: np.ndarray) -> np.ndarray:
    """Per pattern ``Σ_oo⁻¹`` embedded in p × p (zeros outside the answered items)."""
    G, p = pat.obs.shape
    K = np.zeros((G, p, p))
    for g in range(G):
        o = np.flatnonzero(pat.obs[g])
        K[g][np.ix_(o, o)] = np.linalg.inv(sigma[np.ix_(o, o)])
    return K


def _row_residuals(pat, mu: np.ndarray, Kemb: np.ndarray) -> np.ndarray:
    """``e_r = Σ_oo⁻¹ (x_r,o − μ_o)`` embedded (rows × p; zeros where missing)."""
    d = np.where(np.isnan(pat.X), 0.0, pat.X - mu)
    return np.einsum("rj,rij->ri", d, Kemb[pat.inverse])


def _saturated(pat, mu: np.ndarray, sigma: np.ndarray):
    """Casewise scores (rows × ndat) of the saturated model ``(μ, vech Σ)`` and its observed
    information per observation (ndat × ndat) under missingness at ``(μ, Σ)``.

    With ``K`` = Σ_oo⁻¹ embedded, ``e_r = K (x_r − μ)``, per pattern ``h = K (x̄ − μ)`` and
    ``Q = K (C + (x̄ − μ)(x̄ − μ)ᵀ) K``: scores ``e_r`` (means) and ``s_ab (e_a e_b − K_ab)``
    (``s`` ½ on the diagonal); information ``(1/N) Σ_g n_g [K ; (K E_ab h) ; ½ (2 tr(K E_cd Q E_ab) −
    tr(K E_cd K E_ab))]`` (the Hessian of ``−Σ_r w_r l_r / N``).
    """
    p = pat.p
    a, b, s = _vech_index(p)
    Kemb = _embedded_inverses(pat, sigma)
    e = _row_residuals(pat, mu, Kemb)
    Kr = Kemb[pat.inverse]
    sc = np.concatenate([e, s * (e[:, a] * e[:, b] - Kr[:, a, b])], axis=1)
    ps = a.size
    info = np.zeros((p + ps, p + ps))
    for g in range(len(pat.n)):
        K = Kemb[g]
        dm = np.where(pat.obs[g], pat.mean[g] - mu, 0.0)
        h = K @ dm
        Q = K @ (pat.cov[g] + np.outer(dm, dm)) @ K
        n = pat.n[g]
        info[:p, :p] += n * K
        cross = s[None, :] * (K[:, a] * h[b][None, :] + K[:, b] * h[a][None, :])
        info[:p, p:] += n * cross
        info[p:, p:] += 0.5 * n * (2.0 * _pair_form(K, Q, a, b, s) - _pair_form(K, K, a, b, s))
    info[p:, :p] = info[:p, p:].T
    return sc, info / pat.N


def _complete_information(mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Saturated complete-data information per observation at ``(μ, Σ)``: ``Σ⁻¹`` and
    ``½ tr(K E_cd K E_ab)``."""
    p = sigma.shape[0]
    a, b, s = _vech_index(p)
    K = np.linalg.inv(sigma)
    ps = a.size
    out = np.zeros((p + ps, p + ps))
    out[:p, :p] = K
    out[p:, p:] = 0.5 * _pair_form(K, K, a, b, s)
    return out


def _delta(model: RamModel, theta: np.ndarray, g: int, pc: _GroupPieces) -> np.ndarray:
    """``∂(μ, vech Σ)/∂θ`` of group g (ndat × npar)."""
    gm = model.groups[g]
    p = gm.p
    a, b, _s = _vech_index(p)
    U, V = pc.cand[:, gm.uix], pc.cand[:, gm.vix]
    D = np.zeros((p + a.size, model.npar))
    cells = np.zeros((p + a.size, gm.q))
    cells[p:] = gm.scale * (U[a] * V[b] + V[a] * U[b])
    if pc.a is not None:
        cells[:p] = _mean_coef(gm, pc.a[None])[0] * pc.cand[:, gm.m_w]
    D[:, gm.pidx] = cells
    return D


def fiml_casewise_scores(model: RamModel, theta: np.ndarray, pats, pcs: list[_GroupPieces]) -> list[np.ndarray]:
    """Per group, the casewise FIML scores ``∂l_r/∂θ`` (rows × npar) at θ̂: the complete-data
    formula of the module docstring on each row's answered items (``K`` = Σ_oo⁻¹ embedded)."""
    out = []
    for g, (gm, pat, pc) in enumerate(zip(model.groups, pats, pcs)):
        Kemb = _embedded_inverses(pat, pc.sigma)
        e = _row_residuals(pat, pc.mu, Kemb)
        z = e @ pc.cand
        Cc = np.einsum("ia,gij,jb->gab", pc.cand, Kemb, pc.cand)[pat.inverse]
        sc = gm.scale * (z[:, gm.uix] * z[:, gm.vix] - Cc[:, gm.uix, gm.vix])
        if pc.a is not None:
            sc += _mean_coef(gm, pc.a[None])[0] * z[:, gm.m_w]
        full = np.zeros((pat.X.shape[0], model.npar))
        full[:, gm.pidx] = sc
        out.append(full)
    return out


def _wmeat(scores: np.ndarray, w: np.ndarray | None, n: float) -> np.ndarray:
    ws = scores if w is None else scores * w[:, None]
    return _crossprod(ws) / n


def _independence(pat):
    """The FIML independence model's estimates: each item's (weighted) mean and variance over
    the respondents who answered it, with the answered weight ``n_j``."""
    X = pat.X
    w = np.ones(X.shape[0]) if pat.weights is None else pat.weights
    ok = ~np.isnan(X)
    nj = np.where(ok, w[:, None], 0.0).sum(axis=0)
    mu = np.where(ok, X * w[:, None], 0.0).sum(axis=0) / nj
    var = np.where(ok, (X - mu) ** 2 * w[:, None], 0.0).sum(axis=0) / nj
    return mu, var, nj


def fiml_inference(model: RamModel, theta: np.ndarray, pats, stats, inference: Inference, *, hessian: np.ndarray,
                   df: float, baseline_df: float) -> RobustResult:
    """Robust standard errors, the Yuan-Bentler scaled test and lavaan's corrected robust
    indexes of a FIML fit (lavaan 0.6-14, ``missing = "ml"``).

    * Sandwich ``V = E B E / N`` with ``E`` the inverse Hessian of ``−logl/N`` (``hessian``) and
      ``B`` the weighted outer product of the casewise FIML scores.
    * Yuan-Bentler (Mplus): ``tr_h1 = Σ_g tr(A1⁻¹ B1)`` with the saturated model's observed
      information ``A1`` under missingness and its first-order ``B1`` at the EM moments.
    * Baseline: the independence model's per-item FIML estimates.
    * The robust CFI/TLI/RMSEA: lavaan's ``lav_fit_fiml_corrected`` (Zhang & Savalei 2020):
      ``χ̃²`` the complete-data statistic of θ̂ against the EM moments, ``U = W_m − W_m Δ E Δᵀ W_m``
      (``W_m = A1``, ``E = (Δᵀ W_m Δ)⁻¹``: lavaan evaluates it with ``observed.information =
      "h1"``), ``Γ = W_m⁻¹ B1 W_m⁻¹``, ``W_c`` the complete-data information at the EM
      moments; version V3 (scaled test) ``k = tr(U W_m⁻¹ W_c W_m⁻¹ U Γ)``, V6 (standard test)
      ``k = tr(W_c W_m⁻¹ U W_m⁻¹)``; ``ĉ = k / df`` (the independence model likewise, at its
      FIML estimates).

    ``RobustResult.test`` holds the scaling factors (scaled test only) and ``corrected``:
    ``(χ̃², ĉ, χ̃²_b, ĉ_b)`` for :func:`~.fitmeasures.robust_measures`.
    """
    _check_model(model)
    return _fiml_inference(model, np.asarray(theta, dtype=float), pats, stats, inference, hessian=hessian, df=df,
                           baseline_df=baseline_df)


def _fiml_inference(model, theta, pats, stats, inference, *, hessian, df, baseline_df) -> RobustResult:
    from .fitmeasures import ml_discrepancy

    N = stats.ntotal
    f = stats.weights
    pcs = _pieces(model, theta, stats)  # at the EM moments; a mean structure: the centre is μ(θ̂)
    bread = parameter_vcov(model, 2.0 * hessian, 1, theta)
    scores = fiml_casewise_scores(model, theta, pats, pcs)
    meat = np.zeros((model.npar, model.npar))
    for g, (pat, sc) in enumerate(zip(pats, scores)):
        meat += f[g] * _wmeat(sc, pat.weights, pat.N)
    vcov = bread @ meat @ bread / N if inference.robust_se else None
    # saturated pieces at the EM moments, per group
    tr_h1 = tr_h0b = 0.0
    ndat = 0
    Wm, Jm, Wc, Dl, DB = [], [], [], [], []
    x3 = x3b = 0.0
    for g, (gm, pat, st) in enumerate(zip(model.groups, pats, stats.groups)):
        sc1, A1 = _saturated(pat, st.mean, st.cov)
        B1 = _wmeat(sc1, pat.weights, pat.N)
        A1i = np.linalg.inv(A1)
        tr_h1 += float(np.sum(B1 * A1i.T))
        ndat += A1.shape[0]
        mu_b, var_b, nj = _independence(pat)
        w = np.ones(pat.X.shape[0]) if pat.weights is None else pat.weights
        dd = (pat.X - mu_b) ** 2 / var_b
        val = np.where(np.isnan(pat.X), 0.0, (w**2)[:, None] * (dd + 0.5 * (dd - 1.0) ** 2))
        tr_h0b += float((val.sum(axis=0) / nj).sum())
        p = gm.p
        a, b, _s = _vech_index(p)
        Wm.append(A1)
        Jm.append(B1)
        Wc.append(_complete_information(st.mean, st.cov))
        Dl.append(_delta(model, theta, g, pcs[g]))
        Dbg = np.zeros((A1.shape[0], 2 * p))
        Dbg[np.arange(p), np.arange(p)] = 1.0
        diag_rows = p + np.flatnonzero(a == b)  # vech rows of the variances, in item order
        Dbg[diag_rows, p + np.arange(p)] = 1.0
        DB.append(Dbg)
        sig, mu = pcs[g].sigma, pcs[g].mu
        x3 += st.n * ml_discrepancy(st.cov, sig, st.mean, mu)
        x3b += st.n * ml_discrepancy(st.cov, np.diag(var_b), st.mean, mu_b)
    test = {}
    if inference.scaled:
        tr_h0 = float(np.sum(meat * bread.T))
        c = (tr_h1 - tr_h0) / df if df > 0 else np.nan
        cb = (tr_h1 - tr_h0b) / baseline_df if baseline_df > 0 else np.nan
        test.update(test=inference.test, trace_ugamma=tr_h1 - tr_h0, scaling_factor_h1=tr_h1 / ndat,
                    scaling_factor_h0=tr_h0 / model.npar, chisq_scaling_factor=c if c > 0 else np.nan,
                    baseline_chisq_scaling_factor=cb if cb > 0 else np.nan)
    # lavaan's corrected robust indexes (block-diagonal over groups)
    from scipy.linalg import block_diag

    Wm_all = block_diag(*[fg * W for fg, W in zip(f, Wm)])
    Wmi_all = block_diag(*[np.linalg.inv(W) / fg for fg, W in zip(f, Wm)])
    Wc_all = block_diag(*[fg * W for fg, W in zip(f, Wc)])
    Gam = block_diag(*[np.linalg.inv(W) @ J @ np.linalg.inv(W) / fg for fg, W, J in zip(f, Wm, Jm)])
    D_all = np.vstack(Dl)
    DB_all = block_diag(*DB)

    def k_of(D, E):
        U = Wm_all - Wm_all @ D @ E @ D.T @ Wm_all
        if inference.scaled:  # V3
            return float(np.trace(U @ Wmi_all @ Wc_all @ Wmi_all @ U @ Gam))
        return float(np.trace(Wc_all @ Wmi_all @ U @ Wmi_all))  # V6

    # lavaan computes both inverses with observed.information = "h1": E = (Δᵀ W_m Δ)⁻¹
    # (augmented with constraints), not the Hessian of the fit
    E_h1 = parameter_vcov(model, 2.0 * (D_all.T @ Wm_all @ D_all), 1, theta)
    EB_h1 = np.linalg.inv(DB_all.T @ Wm_all @ DB_all)
    c3 = k_of(D_all, E_h1) / df if df > 0 else np.nan
    c3b = k_of(DB_all, EB_h1) / baseline_df if baseline_df > 0 else np.nan
    test["corrected"] = (float(x3), float(c3), float(x3b), float(c3b))
    return RobustResult(vcov=vcov, bread=bread, meat=meat, test=test)



def with_scaled(fit, test: dict, ngroups: int, robust: tuple | None = None):
    """The fit measures with lavaan's scaled and robust ones added after the standard ones
    (:func:`~.fitmeasures.scaled_measures`; ``robust``: FIML's corrected statistics)."""
    from .fitmeasures import scaled_measures

    extra = scaled_measures(float(fit["chisq"]), float(fit["df"]), float(fit["baseline_chisq"]),
                            float(fit["baseline_df"]), float(fit["ntotal"]), c=test["chisq_scaling_factor"],
                            c_b=test["baseline_chisq_scaling_factor"], ngroups=ngroups, robust=robust)
    for k in ("scaling_factor_h1", "scaling_factor_h0"):
        if k in test:
            extra[k] = test[k]
    # what pd.concat([fit, pd.Series(extra, dtype=float)]) gives, from the values and the shared
    # labels of the names (acsi.frames.labels) instead of a Series and a concatenation per unit
    names = tuple(fit.index.tolist()) + tuple(extra)
    values = np.concatenate([fit.to_numpy(dtype=float), np.array(list(extra.values()), dtype=float)])
    return pd.Series(values, index=labels(names))
