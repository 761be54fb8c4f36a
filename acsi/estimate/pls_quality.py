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

__all__ = ["PLSQuality", "THRESHOLDS", "assess", "save_tables"]

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
        """Write every table as CSV (``pls_*.csv``) and ``pls_quality_summary.txt``."""
        return save_tables(out_dir, self.tables(), self.summary(), "pls_quality_summary.txt")


def save_tables(out_dir: str | Path, tables: dict[str, pd.DataFrame], summary, summary_name: str) -> list[Path]:
    """Write ``<stem>.csv`` for every table and the summary's text; returns the paths written.

    The one writer of the PLS result objects (quality, bootstrap, model fit, prediction) until
    they are wired into the project's table writer.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for stem, df in tables.items():
        paths.append(out / f"{stem}.csv")
        df.to_csv(paths[-1], index=False)
    paths.append(out / summary_name)
    paths[-1].write_text(summary.as_text() + "\n", encoding="utf-8")
    return paths


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
    R = np.abs(res.item_cor.to_numpy())
    items = list(res.item_cor.index)

    def gm(vals):
        vals = np.asarray(vals, dtype=float)
        return float(np.exp(np.log(vals).mean())) if vals.size else 1.0

    ia = [items.index(i) for i in res.blocks[a]]
    ib = [items.index(i) for i in res.blocks[b]]
    within = [gm([R[i, j] for k, i in enumerate(ix) for j in ix[k + 1:]]) for ix in (ia, ib)]
    with np.errstate(divide="ignore", invalid="ignore"):
        return gm(R[np.ix_(ia, ib)].ravel()) / float(np.sqrt(within[0] * within[1]))


def _htmt_upper(boot, level: float = 0.95) -> dict:
    """One-sided upper bootstrap bound of every HTMT (quantile ``level`` of the used replicates)."""
    out = {}
    if boot is None:
        return out
    used = boot.status == 0
    for k, (_, a, op, b) in enumerate(boot.labels):
        if op == "htmt":
            r = boot.replicates[k, used]
            r = r[np.isfinite(r)]
            out[(a, b)] = float(np.quantile(r, level)) if r.size else np.nan
    return out


def assess(res, boot=None, *, refit_f2: bool = True) -> PLSQuality:
    """The quality table of a PLS fit (``res`` from :func:`acsi.estimate.pls.fit_pls`).

    ``boot`` (optional) is a :func:`acsi.bootstrap.bootstrap_pls` result of the same fit; it adds
    the one-sided 95 % bootstrap upper bound of each HTMT and the flags on it.  ``refit_f2=False``
    skips ``f2_refit`` (one re-estimation per path; NaN then), e.g. for many units.
    """
    lat = list(res.blocks)
    mode_a = {lv: res.modes[lv] == "A" for lv in lat}
    q = res.quality
    n = res.n
    flags: list[dict] = []

    def flag(criterion, target, value, key, *, rule_value=None):
        thr, rule, ref = THRESHOLDS[key]
        thr = thr if rule_value is None else rule_value
        ok = bool(_OPS[rule](value, thr)) if np.isfinite(value) else np.nan
        flags.append({"criterion": criterion, "target": target, "value": float(value), "threshold": float(thr),
                      "rule": f"{rule} {thr:g}", "passed": ok, "reference": ref})
        return ok

    # reliability and convergent validity
    rows = []
    for lv in lat:
        r = q.loc[lv]
        single = int(r["n_items"]) < 2
        rec = {"latent": lv, "mode": res.modes[lv], "n_items": int(r["n_items"]), "consistent": lv in res.consistent}
        if mode_a[lv]:
            rec.update(alpha=r["alpha"], rho_a=r["rho_a"], rho_c=r["rho_c"], ave=r["ave"], note="single item" if single else "")
            if not single:
                for key in ("alpha", "rho_a", "rho_c"):
                    flag(f"{key} (internal consistency)", lv, r[key], key)
                    flag(f"{key} (not redundant)", lv, r[key], "reliability_max")
                flag("AVE (convergent validity)", lv, r["ave"], "ave")
        else:
            rec.update(alpha=np.nan, rho_a=np.nan, rho_c=np.nan, ave=np.nan, note="mode B: not applicable")
        rows.append(rec)
    reliability = pd.DataFrame(rows)

    # loadings, weights, item VIF
    vif = res.item_vif
    rows = []
    for lv in lat:
        for it in res.blocks[lv]:
            lam = float(res.outer_loadings.loc[it, lv])
            rows.append({"latent": lv, "item": it, "mode": res.modes[lv], "loading": lam,
                         "weight": float(res.outer_weights.loc[it, lv]), "vif": float(vif[it])})
            if mode_a[lv] and len(res.blocks[lv]) > 1:
                flag("outer loading (indicator reliability)", f"{lv} =~ {it}", lam, "loading")
            if not mode_a[lv] and len(res.blocks[lv]) > 1:
                flag("weight VIF (formative collinearity)", f"{lv} <~ {it}", float(vif[it]), "vif")
    loadings = pd.DataFrame(rows)

    # discriminant validity
    H = res.htmt
    upper = _htmt_upper(boot)
    rows = []
    for i, a in enumerate(lat):
        for b in lat[i + 1:]:
            if not (mode_a[a] and mode_a[b]):
                continue
            h = float(H.loc[a, b])
            up = upper.get((a, b), np.nan)
            rows.append({"latent_a": a, "latent_b": b, "htmt": h, "htmt2": _htmt2(res, a, b), "boot_upper_95": up,
                         "below_085": h < 0.85 if np.isfinite(h) else np.nan,
                         "below_090": h < 0.90 if np.isfinite(h) else np.nan})
            flag("HTMT (discriminant validity)", f"{a} / {b}", h, "htmt")
            flag("HTMT, liberal (discriminant validity)", f"{a} / {b}", h, "htmt_liberal")
            if boot is not None:
                flag("HTMT bootstrap 95% upper bound", f"{a} / {b}", up, "htmt_liberal")
    htmt = pd.DataFrame(rows, columns=["latent_a", "latent_b", "htmt", "htmt2", "boot_upper_95", "below_085", "below_090"])
    XL = res.cross_loadings
    for lv in lat:  # (PLSc corrects the own loadings only, so the comparison is made for PLS fits)
        if mode_a[lv] and len(res.blocks[lv]) > 1 and not res.consistent:
            others = [o for o in lat if o != lv]
            for it in res.blocks[lv]:
                gap = float(XL.loc[it, lv] - XL.loc[it, others].abs().max()) if others else np.nan
                flag("cross-loadings: own loading − max other", f"{lv} =~ {it}", gap, "cross_loading")
    fl = res.fornell_larcker
    C = res.latent_cor.to_numpy()
    for j, lv in enumerate(lat):
        if mode_a[lv] and len(res.blocks[lv]) > 1:
            refl = [k for k, o in enumerate(lat) if k != j and mode_a[o]]  # among reflective latents, as cSEM
            others = np.abs(C[j, refl])
            flag("Fornell-Larcker: √AVE − max |r|", lv, float(fl.loc[lv, lv] - (others.max() if others.size else 0.0)),
                 "fornell_larcker")

    # structural model
    pos = {lv: j for j, lv in enumerate(lat)}
    vif_rows, f2_rows, r2_rows = [], [], []
    for to in lat:
        P = [pos[a] for a, b in res.model_paths if b == to]
        if not P:
            continue
        j = pos[to]
        r2_in = _regression_r2(C, j, P)
        k = len(P)
        r2_rows.append({"latent": to, "r2": float(res.r2[to]), "r2_adj": 1 - (1 - float(res.r2[to])) * (n - 1) / (n - k - 1)
                        if n - k - 1 > 0 else np.nan, "n_predictors": k})
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
