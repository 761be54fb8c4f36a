"""The quality table of a PLS fit: reliability, validity, collinearity, effect sizes, with named flags.

What a PLS-SEM paper reports about a measurement and a structural model (Hair et al. 2022,
ch. 4-6; Henseler, Hubona & Ray 2016), computed from one :class:`~acsi.estimate.pls.PLSResult`:

==================  ===========================================================  ================================
table               formula                                                      flag (``THRESHOLDS``)
==================  ===========================================================  ================================
``reliability``     α (standardized), ρ_A, ρ_c, AVE per reflective (mode A)      0.70 ≤ α, ρ_A, ρ_c ≤ 0.95;
                    latent (:mod:`acsi.estimate.quality`; with PLSc the       AVE ≥ 0.50
                    consistent loadings)
``loadings``        outer loadings and weights, item VIF ``diag(R_b⁻¹)``         loading ≥ 0.708 (mode A);
                                                                                 VIF < 5 (mode B weights)
``htmt``            HTMT (Henseler, Ringle & Sarstedt 2015), with the one-sided  HTMT < 0.85 and < 0.90; the
                    95 % bootstrap upper bound when a bootstrap is given          upper bound below them
``fornell_larcker`` score correlations, √AVE on the diagonal                     √AVE_j > max_k |r_jk| (k mode A)
(cross-loadings)    ``corr(x_i, η_k)`` for every item and construct                own loading > every other
(``htmt2``)         HTMT with geometric means (Roemer et al. 2021)               (reported, not flagged)
``inner_vif``       VIF of each predictor of an endogenous latent:               VIF < 5
                    ``diag(C_PP⁻¹)`` (C the construct correlations)
``r2``              R², adjusted ``1 − (1 − R²)(n − 1)/(n − k − 1)``             (none)
``f2``              Cohen's f² = (R²_incl − R²_excl)/(1 − R²_incl), R²_excl      0.02 / 0.15 / 0.35 small /
                    from the regression without that predictor on the same       medium / large (labels)
                    scores (``f2``, as cSEM) or from the model re-estimated
                    without the path (``f2_refit``, as seminr and SmartPLS)
==================  ===========================================================  ================================

Mode B (formative) blocks are composites: internal-consistency reliability, AVE, loadings
thresholds and HTMT do not apply to them (NaN, "not applicable"); their weights' VIFs do.
``flags`` lists every check with its value, threshold, rule, result and reference; a check
that cannot be computed (NaN) is reported as such, never as passed.

Equivalent R: ``summary(seminr::estimate_pls(...))$reliability``, ``$validity$htmt``,
``$validity$fl_criteria``, ``$validity$vif_items``, ``$vif_antecedents``, ``$fSquare``;
``cSEM::assess(csem(...))``.

References: Hair, J. F., Hult, G. T. M., Ringle, C. M. & Sarstedt, M. (2022). *A Primer on
PLS-SEM* (3rd ed.). Sage.  Henseler, J., Ringle, C. M. & Sarstedt, M. (2015). *JAMS* 43,
115-135.  Fornell, C. & Larcker, D. F. (1981). *JMR* 18, 39-50.  Roemer, E., Schuberth, F. & Henseler, J.
(2021). HTMT2. *IMDS* 121, 2637-2650.  Chin, W. W. (1998). The partial least squares approach to
structural equation modeling.  Cohen, J. (1988).
*Statistical Power Analysis for the Behavioral Sciences*.  Franke, G. & Sarstedt, M. (2019).
*Internet Research* 29, 430-447 (HTMT inference).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["PLSQuality", "THRESHOLDS", "assess", "htmt_bounds"]

#: name -> (threshold, rule, reference)
THRESHOLDS: dict[str, tuple[float, str, str]] = {
    "loading": (0.708, ">=", "Hair et al. (2022): indicator reliability λ² ≥ 0.5"),
    "alpha": (0.70, ">=", "Hair et al. (2022), Nunnally & Bernstein (1994)"),
    "rho_a": (0.70, ">=", "Dijkstra & Henseler (2015); Hair et al. (2022)"),
    "rho_c": (0.70, ">=", "Hair et al. (2022)"),
    "reliability_max": (0.95, "<=", "Hair et al. (2022): above 0.95 indicates redundant items"),
    "ave": (0.50, ">=", "Fornell & Larcker (1981)"),
    "htmt": (0.85, "<", "Henseler, Ringle & Sarstedt (2015), conservative"),
    "htmt_liberal": (0.90, "<", "Henseler, Ringle & Sarstedt (2015), conceptually similar constructs"),
    "vif": (5.0, "<", "Hair et al. (2022): collinearity; ideally < 3"),
    "fornell_larcker": (0.0, ">", "Fornell & Larcker (1981): √AVE exceeds every correlation"),
    "cross_loading": (0.0, ">", "Chin (1998): an item loads highest on its own construct"),
}
F2_SIZES = ((0.35, "large"), (0.15, "medium"), (0.02, "small"), (-np.inf, "none"))
_OPS = {">=": np.greater_equal, "<=": np.less_equal, "<": np.less, ">": np.greater}


def _f2_label(f2: float) -> str:
    if not np.isfinite(f2):
        return ""
    return next(lab for cut, lab in F2_SIZES if f2 >= cut)


@dataclass(frozen=True, eq=False)
class PLSQuality:
    """Quality tables of one PLS fit (see the module docstring); every table is a DataFrame."""

    reliability: pd.DataFrame
    loadings: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    inner_vif: pd.DataFrame
    r2: pd.DataFrame
    f2: pd.DataFrame
    flags: pd.DataFrame
    meta: dict = field(default_factory=dict)

    @property
    def problems(self) -> pd.DataFrame:
        """The flags that failed (``passed`` False) or could not be computed (``passed`` NaN)."""
        f = self.flags
        return f.loc[f["passed"].ne(True)].reset_index(drop=True)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"pls_reliability": self.reliability, "pls_loadings": self.loadings, "pls_htmt": self.htmt,
                "pls_fornell_larcker": self.fornell_larcker.reset_index(names="latent"), "pls_inner_vif": self.inner_vif,
                "pls_r2": self.r2, "pls_f2": self.f2, "pls_quality_flags": self.flags}

    def summary(self):
        from ..summary import Summary

        f = self.flags
        n_fail = int((f["passed"] == False).sum())  # noqa: E712 - object column with NaN
        n_na = int(f["passed"].isna().sum())
        head = (f"{len(f)} checks: {len(f) - n_fail - n_na} passed, {n_fail} failed, {n_na} not computable; "
                f"HTMT bootstrap bounds: {'yes' if self.meta.get('htmt_bootstrap') else 'no (no bootstrap given)'}")
        sections = [("PLS quality", head), ("Reliability and convergent validity", self.reliability),
                    ("Discriminant validity (HTMT)", self.htmt), ("Structural model: R²", self.r2),
                    ("Structural model: VIF and f²", self.inner_vif.merge(self.f2, on=["to", "from"]))]
        if n_fail or n_na:
            sections.append(("Checks not passed", self.problems))
        return Summary("acsi PLS quality", sections)

    def save(self, out_dir: str | Path) -> list[Path]:
        """Write every table (``pls_*``, CSV and Parquet), ``pls_quality_summary.txt`` and
        ``pls_quality_manifest.json`` (:func:`acsi.tables.write_result`)."""
        from ..tables import write_result

        return write_result(out_dir, self.tables(), texts={"pls_quality_summary.txt": self.summary().as_text() + "\n"},
                            manifest="pls_quality_manifest.json", kind="pls_quality", header={"meta": dict(self.meta)})


def _regression_r2(C: np.ndarray, j: int, P: list[int]) -> float:
    if not P:
        return 0.0
    c = C[P, j]
    return float(c @ np.linalg.solve(C[np.ix_(P, P)], c))


def _refit_r2_without(res, a: str, b: str) -> float:
    """R² of ``b`` when the model is re-estimated without the path ``a -> b`` (seminr, SmartPLS)."""
    from .pls import _compile, _consistent_mask, _estimate

    paths = [p for p in res.model_paths if tuple(p) != (a, b)]
    if not any(t == b for _, t in paths):
        return 0.0
    o = res.options
    m = _compile(res.blocks, paths, o.get("modes"), o.get("anchors"))
    est = _estimate(res._a.R[None], m, res.scheme, o.get("tol", 1e-7), o.get("max_iter", 300),
                    consistent=_consistent_mask(o.get("consistent", False), m), strict=True)
    return float(est.r2[0, m.latents.index(b)])


def _htmt2(res, a: str, b: str) -> float:
    """HTMT2 (Roemer, Schuberth & Henseler 2021): HTMT with geometric instead of arithmetic means.

    ``HTMT2_ab = GM(|r| between a and b) / √(GM(|r| within a) · GM(|r| within b))``; a single
    item's monotrait mean is 1.  Equivalent R: ``cSEM::calculateHTMT(res, .type_htmt = "htmt2")``.
    """
    R = np.abs(res._a.R)
    lat = list(res.blocks)
    ia, ib = (res._block_index[lat.index(x)] for x in (a, b))

    def gm(vals):
        vals = np.asarray(vals, dtype=float)
        return float(np.exp(np.log(vals).mean())) if vals.size else 1.0

    within = [gm(R[np.ix_(ix, ix)][np.triu_indices(ix.size, 1)]) for ix in (ia, ib)]
    with np.errstate(divide="ignore", invalid="ignore"):
        return gm(R[np.ix_(ia, ib)].ravel()) / float(np.sqrt(within[0] * within[1]))


def htmt_bounds(labels, published: np.ndarray, replicates: np.ndarray, level: float = 0.95) -> pd.DataFrame:
    """One-sided bootstrap upper bound of every HTMT and the flags on it (Franke & Sarstedt 2019).

    ``labels`` are the statistics' ``(kind, lhs, op, rhs)`` (:mod:`acsi.estimate.pls_batch`), ``published``
    their full-sample values and ``replicates`` (statistics × B) their replicates, NaN where a replicate is
    not used.  Columns ``latent_a, latent_b, htmt, boot_upper_95`` (the quantile ``level`` of the used
    replicates), ``below_085``, ``below_090`` (of the bound; NaN when no replicate is usable), ``n_used``.
    """
    rows = []
    for k, (_, a, op, b) in enumerate(labels):
        if op != "htmt":
            continue
        r = replicates[k]
        r = r[np.isfinite(r)]
        up = float(np.quantile(r, level)) if r.size else np.nan
        rows.append({"latent_a": a, "latent_b": b, "htmt": float(published[k]), "boot_upper_95": up,
                     "below_085": up < 0.85 if np.isfinite(up) else np.nan,
                     "below_090": up < 0.90 if np.isfinite(up) else np.nan, "n_used": int(r.size)})
    return pd.DataFrame(rows, columns=["latent_a", "latent_b", "htmt", "boot_upper_95", "below_085", "below_090", "n_used"])


def _htmt_upper(boot, level: float = 0.95) -> dict:
    """One-sided upper bootstrap bound of every HTMT (quantile ``level`` of the used replicates)."""
    if boot is None:
        return {}
    reps = np.where((boot.status == 0)[None, :], boot.replicates, np.nan)
    t = htmt_bounds(boot.labels, boot.published, reps, level)
    return dict(zip(zip(t["latent_a"], t["latent_b"]), t["boot_upper_95"]))


def assess(res, boot=None, *, refit_f2: bool = True) -> PLSQuality:
    """The quality table of a PLS fit (``res`` from :func:`acsi.estimate.pls.fit_pls`).

    ``boot`` (optional) is a :func:`acsi.bootstrap.bootstrap_pls` result of the same fit; it adds
    the one-sided 95 % bootstrap upper bound of each HTMT and the flags on it.  ``refit_f2=False``
    skips ``f2_refit`` (one re-estimation per path; NaN then), e.g. for many units.
    """
    a = res._a
    lat = list(res.blocks)
    J = len(lat)
    bix = res._block_index  # item positions of each block (in ``a.items``)
    mode_a = np.array([res.modes[lv] == "A" for lv in lat])
    multi = np.array([ix.size > 1 for ix in bix])
    q = res.quality
    n = res.n
    flags: list[dict] = []

    def flag(criterion, target, value, key):
        thr, rule, ref = THRESHOLDS[key]
        ok = bool(_OPS[rule](value, thr)) if np.isfinite(value) else np.nan
        flags.append({"criterion": criterion, "target": target, "value": float(value), "threshold": float(thr),
                      "rule": f"{rule} {thr:g}", "passed": ok, "reference": ref})

    # reliability and convergent validity
    rows = []
    qrows = q.to_dict("index")
    for j, lv in enumerate(lat):
        r = qrows[lv]
        rec = {"latent": lv, "mode": res.modes[lv], "n_items": int(r["n_items"]), "consistent": lv in res.consistent}
        if mode_a[j]:
            rec.update(alpha=r["alpha"], rho_a=r["rho_a"], rho_c=r["rho_c"], ave=r["ave"],
                       note="" if multi[j] else "single item")
            if multi[j]:
                for key in ("alpha", "rho_a", "rho_c"):
                    flag(f"{key} (internal consistency)", lv, r[key], key)
                    flag(f"{key} (not redundant)", lv, r[key], "reliability_max")
                flag("AVE (convergent validity)", lv, r["ave"], "ave")
        else:
            rec.update(alpha=np.nan, rho_a=np.nan, rho_c=np.nan, ave=np.nan, note="mode B: not applicable")
        rows.append(rec)
    reliability = pd.DataFrame(rows)

    # loadings, weights, item VIF
    vif = res._vif
    rows = []
    for j, lv in enumerate(lat):
        for k in bix[j]:
            it = a.items[k]
            lam = float(a.L[k, j])
            rows.append({"latent": lv, "item": it, "mode": res.modes[lv], "loading": lam, "weight": float(a.W[k, j]),
                         "vif": float(vif[k])})
            if multi[j]:
                if mode_a[j]:
                    flag("outer loading (indicator reliability)", f"{lv} =~ {it}", lam, "loading")
                else:
                    flag("weight VIF (formative collinearity)", f"{lv} <~ {it}", float(vif[k]), "vif")
    loadings = pd.DataFrame(rows)

    # discriminant validity
    H = res.htmt.to_numpy()
    upper = _htmt_upper(boot)
    rows = []
    for i in range(J):
        for j in range(i + 1, J):
            if not (mode_a[i] and mode_a[j]):
                continue
            a_, b_ = lat[i], lat[j]
            h = float(H[i, j])
            up = upper.get((a_, b_), np.nan)
            rows.append({"latent_a": a_, "latent_b": b_, "htmt": h, "htmt2": _htmt2(res, a_, b_), "boot_upper_95": up,
                         "below_085": h < 0.85 if np.isfinite(h) else np.nan,
                         "below_090": h < 0.90 if np.isfinite(h) else np.nan})
            flag("HTMT (discriminant validity)", f"{a_} / {b_}", h, "htmt")
            flag("HTMT, liberal (discriminant validity)", f"{a_} / {b_}", h, "htmt_liberal")
            if boot is not None:
                flag("HTMT bootstrap 95% upper bound", f"{a_} / {b_}", up, "htmt_liberal")
    htmt = pd.DataFrame(rows, columns=["latent_a", "latent_b", "htmt", "htmt2", "boot_upper_95", "below_085", "below_090"])
    XL = a.L  # every corr(item, score)
    if not res.consistent:  # (PLSc corrects the own loadings only, so the comparison is made for PLS fits)
        for j, lv in enumerate(lat):
            if mode_a[j] and multi[j]:
                rest = np.abs(np.delete(XL[bix[j]], j, axis=1))
                others = rest.max(axis=1) if rest.shape[1] else np.full(bix[j].size, np.nan)
                for k, gap in zip(bix[j], XL[bix[j], j] - others):
                    flag("cross-loadings: own loading − max other", f"{lv} =~ {a.items[k]}", float(gap), "cross_loading")
    fl = res.fornell_larcker
    C = a.C
    sqrt_ave = np.diag(fl.to_numpy())
    for j, lv in enumerate(lat):
        if mode_a[j] and multi[j]:
            refl = [k for k in range(J) if k != j and mode_a[k]]  # among reflective latents, as cSEM
            others = np.abs(C[j, refl])
            flag("Fornell-Larcker: √AVE − max |r|", lv, float(sqrt_ave[j] - (others.max() if others.size else 0.0)),
                 "fornell_larcker")

    # structural model
    pos = {lv: j for j, lv in enumerate(lat)}
    vif_rows, f2_rows, r2_rows = [], [], []
    for to in lat:
        P = [pos[a_] for a_, b_ in res.model_paths if b_ == to]
        if not P:
            continue
        j = pos[to]
        r2_in = _regression_r2(C, j, P)
        k = len(P)
        r2 = float(a.r2[j])
        r2_rows.append({"latent": to, "r2": r2, "r2_adj": 1 - (1 - r2) * (n - 1) / (n - k - 1) if n - k - 1 > 0 else np.nan,
                        "n_predictors": k})
        inv = np.diag(np.linalg.inv(C[np.ix_(P, P)])) if k > 1 else np.ones(1)
        for t, i in enumerate(P):
            vif_rows.append({"to": to, "from": lat[i], "vif": float(inv[t])})
            if k > 1:
                flag("inner VIF (structural collinearity)", f"{to} ~ {lat[i]}", float(inv[t]), "vif")
            r2_ex = _regression_r2(C, j, [x for x in P if x != i])
            f2 = (r2_in - r2_ex) / (1 - r2_in)
            r2_rf = _refit_r2_without(res, lat[i], to) if refit_f2 else np.nan
            f2_rf = (r2_in - r2_rf) / (1 - r2_in)
            f2_rows.append({"to": to, "from": lat[i], "f2": f2, "size": _f2_label(f2), "f2_refit": f2_rf,
                            "size_refit": _f2_label(f2_rf)})
    return PLSQuality(
        reliability=reliability, loadings=loadings, htmt=htmt, fornell_larcker=fl,
        inner_vif=pd.DataFrame(vif_rows, columns=["to", "from", "vif"]),
        r2=pd.DataFrame(r2_rows, columns=["latent", "r2", "r2_adj", "n_predictors"]),
        f2=pd.DataFrame(f2_rows, columns=["to", "from", "f2", "size", "f2_refit", "size_refit"]),
        flags=pd.DataFrame(flags, columns=["criterion", "target", "value", "threshold", "rule", "passed", "reference"]),
        meta={"n": n, "htmt_bootstrap": boot is not None, "consistent": list(res.consistent)},
    )
