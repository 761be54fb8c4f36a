"""PLS model fit: SRMR, d_ULS, d_G, χ², NFI for the saturated and the estimated model.

Model-implied indicator correlations (Dijkstra & Henseler 2015; cSEM's ``fit()``; SmartPLS's
"saturated" and "estimated" models).  With ``Λ`` (latents × items) the loadings (PLSc loadings
for common factors, ``corr(x, η)`` for composites) and ``V`` the construct correlations,

    Σ = Λᵀ V Λ + Θ,   Θ = diag(1 − λ_k²),

and, for a composite (mode B, or a mode-A latent not treated as a common factor), its block of
``Σ`` is the observed block ``R_jj`` (the composite model leaves it free).

* saturated model: ``V`` = the (PLSc-corrected) construct correlations ``C``;
* estimated model: ``V`` implied by the structural model, ``V = A Ψ Aᵀ`` with
  ``A = (I − Bᵀ)⁻¹`` (``B[i, j]`` the path i -> j), ``Ψ`` the observed correlations of the
  exogenous latents and ``1 − R²`` for the disturbances of the endogenous ones; the diagonal
  of ``V`` is then set to 1.

Distances between the observed correlation matrix ``R`` (p items) and ``Σ``:

* ``srmr = √( Σ_{i≤j} (r_ij − σ_ij)² / (p(p+1)/2) )`` (Henseler et al. 2014);
* ``d_uls = ½ Σ_ij (r_ij − σ_ij)²`` (squared Euclidean distance);
* ``d_g = ½ Σ_k (ln φ_k)²``, φ the eigenvalues of ``R⁻¹Σ`` (geodesic distance, Dijkstra &
  Henseler 2015); ``d_g10`` the same with base-10 logarithms, the value cSEM prints as
  "Geodesic distance" (``d_g10 = d_g / ln(10)²``);
* ``d_ml = tr(RΣ⁻¹) − log|RΣ⁻¹| − p``, ``chisq = (n − 1) d_ml`` and
  ``nfi = 1 − chisq / chisq_null`` with the null model ``Σ = I`` (Bentler & Bonett 1980).

Test of exact fit (Dijkstra & Henseler 2015; Beran & Srivastava 1985): the data are
rotated so that their correlation matrix equals the model-implied ``Σ``
(``X̃ = Z R^{-1/2} Σ^{1/2}``, Z the standardized items), the rotated data are bootstrapped and
every replicate is refitted (batched, :mod:`acsi.estimate.pls_batch`); the quantile
``HI_q`` of the replicates' distances is the critical value, and the model is rejected at
level ``1 − q`` when the sample distance exceeds it.

Equivalent R: ``cSEM::assess(res, .quality_criterion = c("srmr", "dl", "dg", "chi_square",
"nfi"))`` and ``cSEM::testOMF(res)``; SmartPLS "Model fit".

References: Henseler, J. et al. (2014). Common beliefs and reality about PLS. *ORM* 17,
182-209.  Dijkstra, T. K. & Henseler, J. (2015). Consistent and asymptotically normal PLS
estimators for linear structural equations. *CSDA* 81, 10-23.  Beran, R. & Srivastava, M. S.
(1985). *Annals of Statistics* 13, 95-115.  Bentler, P. M. & Bonett, D. G. (1980). *Psychol.
Bull.* 88, 588-606.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from .pls import _estimate, _Structure

__all__ = ["PLSModelFit", "model_fit", "implied_correlations", "distances"]

MEASURES = ("srmr", "d_uls", "d_g", "d_g10", "d_ml", "chisq", "nfi")


def implied_correlations(R: np.ndarray, L: np.ndarray, C: np.ndarray, B: np.ndarray, r2: np.ndarray, m: _Structure,
                         factors: np.ndarray, *, saturated: bool) -> np.ndarray:
    """Model-implied indicator correlations (b, p, p) of a batch of PLS solutions (module docstring).

    ``L`` (b, p, J) loadings, ``C`` (b, J, J) construct correlations, ``B`` paths, ``r2`` (b, J),
    ``factors`` (J,) bool: the latents modelled as common factors.
    """
    nb, p, J = L.shape
    Lam = L * m.mask  # own-block loadings, items × latents
    if saturated:
        V = C
    else:
        exo = np.array([m.preds[j].size == 0 for j in range(J)])
        Psi = np.where((exo[:, None] & exo[None, :]), C, 0.0)
        endo = np.flatnonzero(~exo)
        Psi[:, endo, endo] = 1.0 - r2[:, endo]  # disturbance variances
        A = np.linalg.inv(np.eye(J) - np.swapaxes(B, 1, 2))
        V = A @ Psi @ np.swapaxes(A, 1, 2)
        V[:, np.arange(J), np.arange(J)] = 1.0
    S = Lam @ V @ np.swapaxes(Lam, 1, 2)
    k = np.arange(p)
    S[:, k, k] = 1.0  # Θ = 1 − λ²
    for j in np.flatnonzero(~factors):
        ix = m.idx[j]
        S[:, ix[:, None], ix[None, :]] = R[:, ix[:, None], ix[None, :]]
    return S


def distances(R: np.ndarray, S: np.ndarray, n: float) -> dict[str, np.ndarray]:
    """SRMR, d_ULS, d_G, d_ML, χ² and NFI between batches of observed ``R`` and implied ``S``."""
    p = R.shape[-1]
    iu = np.triu_indices(p)
    D = R - S
    out = {"srmr": np.sqrt((D[:, iu[0], iu[1]] ** 2).sum(axis=1) / len(iu[0])), "d_uls": 0.5 * (D**2).sum(axis=(1, 2))}
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = np.linalg.eigvals(np.linalg.solve(R, S)).real
        out["d_g"] = 0.5 * (np.log(phi) ** 2).sum(axis=1)
        out["d_g10"] = out["d_g"] / np.log(10.0) ** 2
        RSi = R @ np.linalg.inv(S)
        d_ml = np.trace(RSi, axis1=1, axis2=2) - np.linalg.slogdet(RSi)[1] - p
        null = np.trace(R, axis1=1, axis2=2) - np.linalg.slogdet(R)[1] - p
    out["d_ml"] = d_ml
    out["chisq"] = (n - 1) * d_ml
    out["nfi"] = 1.0 - d_ml / null
    return out


@dataclass(frozen=True, eq=False)
class PLSModelFit:
    """Fit measures of one PLS fit: ``table`` (measure × saturated / estimated), ``test`` (exact fit)."""

    table: pd.DataFrame
    implied_saturated: pd.DataFrame
    implied_estimated: pd.DataFrame
    test: pd.DataFrame | None = None
    meta: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {"pls_model_fit": self.table.reset_index(names="measure")}
        if self.test is not None:
            out["pls_exact_fit_test"] = self.test
        return out

    def save(self, out_dir) -> list:
        """Write ``pls_model_fit`` (and ``pls_exact_fit_test``) as CSV and Parquet, ``pls_model_fit_summary.txt``
        and ``pls_model_fit_manifest.json`` (:func:`acsi.tables.write_result`)."""
        from ..tables import write_result

        return write_result(out_dir, self.tables(), texts={"pls_model_fit_summary.txt": self.summary().as_text() + "\n"},
                            manifest="pls_model_fit_manifest.json", kind="pls_model_fit", header={"meta": dict(self.meta)})

    def summary(self):
        from ..summary import Summary

        sections = [("PLS model fit (SRMR < 0.08: Henseler et al. 2016)", self.table.reset_index(names="measure"))]
        if self.test is not None:
            sections.append((f"Bootstrap test of exact fit ({self.meta.get('n_boot')} replicates)", self.test))
        return Summary("acsi PLS model fit", sections)


def _factors(res, m: _Structure, composites) -> np.ndarray:
    """Common-factor latents: the PLSc-corrected ones; without PLSc, every mode-A latent with two or
    more items (cSEM's ``=~`` with ``.disattenuate = FALSE``), less those named in ``composites``."""
    if res.consistent:
        f = np.array([lv in res.consistent for lv in m.latents])
    else:
        f = ~m.mode_b & np.array([ix.size > 1 for ix in m.idx])
    bad = [lv for lv in (composites or ()) if lv not in m.latents]
    if bad:
        raise InvalidParameterError(f"The 'composites' parameter of model_fit must name latents of the model, {list(m.latents)}. Got {bad} instead.")
    return f & ~np.array([lv in (composites or ()) for lv in m.latents])


def model_fit(res, *, n_boot: int = 0, seed: int | None = None, levels: tuple[float, ...] = (0.95, 0.99),
              composites=None) -> PLSModelFit:
    """SRMR, d_ULS, d_G, χ², NFI of a PLS fit (``res`` from :func:`acsi.estimate.pls.fit_pls`).

    Common factors (their block of Σ is ``λλᵀ``): the PLSc-corrected latents, or without PLSc every
    mode-A latent with two or more items; mode-B latents and those listed in ``composites`` are
    composites (their block of Σ is the observed one).

    ``n_boot > 0`` adds the bootstrap test of exact fit (module docstring) with that many
    replicates: columns ``measure, value, HI95, HI99, decision_95, decision_99``.
    """
    from .pls import _compile

    a = res._a
    m = _compile(res.blocks, list(res.model_paths), res.options.get("modes"), res.options.get("anchors"))
    factors = _factors(res, m, composites)
    R, L, C, B, r2 = a.R[None], a.L[None], a.C[None], a.B[None], a.r2[None]
    cols = {}
    implied = {}
    for name, sat in (("saturated", True), ("estimated", False)):
        S = implied_correlations(R, L, C, B, r2, m, factors, saturated=sat)
        implied[name] = pd.DataFrame(S[0], index=list(a.items), columns=list(a.items))
        cols[name] = {k: float(v[0]) for k, v in distances(R, S, res.n).items()}
    table = pd.DataFrame(cols).loc[list(MEASURES)]
    test = None
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise InvalidParameterError(f"The 'n_boot' parameter of model_fit must be an integer >= 0 (0: no test). Got {n_boot!r} instead.")
    if n_boot:
        test = _exact_fit_test(res, m, factors, implied["estimated"].to_numpy(), table["estimated"], n_boot, seed, levels)
    return PLSModelFit(table=table, implied_saturated=implied["saturated"], implied_estimated=implied["estimated"],
                       test=test, meta={"n": res.n, "n_boot": n_boot, "seed": seed,
                                        "common_factors": [lv for lv, f in zip(m.latents, factors) if f]})


def _exact_fit_test(res, m, factors, Sigma, observed, n_boot, seed, levels) -> pd.DataFrame:
    from .pls_batch import weighted_correlations

    a = res._a
    X = a.X
    v = a.v if a.v is not None else np.ones(X.shape[0])
    Z = (X - a.mean) / a.sd
    ev, U = np.linalg.eigh(a.R)
    es, Us = np.linalg.eigh(Sigma)
    if es.min() <= 0:
        raise ValueError("the model-implied correlation matrix is not positive definite; the exact-fit test needs it")
    Xt = Z @ (U @ np.diag(ev**-0.5) @ U.T) @ (Us @ np.diag(es**0.5) @ Us.T)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    n = X.shape[0]
    cons = np.array([lv in res.consistent for lv in m.latents]) if res.consistent else None
    dist = {k: [] for k in ("srmr", "d_uls", "d_g", "d_g10", "d_ml")}
    for b0 in range(0, n_boot, 50):
        k = min(50, n_boot - b0)
        counts = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(k)]).astype(float)
        _, _, Rb, ok = weighted_correlations(Xt, counts * v)
        est = _estimate(Rb, m, res.scheme, res.options.get("tol", 1e-7), res.options.get("max_iter", 300), consistent=cons)
        good = ok & est.ok & est.converged & np.array([not p for p in est.problems])
        S = implied_correlations(Rb, est.L, est.C, est.B, est.r2, m, factors, saturated=False)
        d = distances(Rb[good], S[good], n)
        for key in dist:
            dist[key].append(d[key])
    rows = []
    for key, vals in dist.items():
        vals = np.concatenate(vals)
        vals = vals[np.isfinite(vals)]
        row = {"measure": key, "value": float(observed[key]), "n_used": int(vals.size)}
        for q in levels:
            hi = float(np.quantile(vals, q)) if vals.size else np.nan
            row[f"HI{round(q * 100)}"] = hi
            row[f"reject_{round(q * 100)}"] = bool(observed[key] > hi) if np.isfinite(hi) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)
