"""Derived tables of the report: R², total effects, measurement quality, flags, IPA, league tables.

Everything here is computed from the saved tables (lavaan-style estimates, fit
measures, unit indexes), so a report rebuilt from files shows the same numbers
as one made from the live fit.

Formulas
--------
* R² of an endogenous latent η: ``1 − std_all(η ~~ η)`` (standardised residual
  variance), or the ``r2`` rows a PLS fit writes.
* Total effects (Alwin & Hauser 1975; Bollen 1987): with ``B[to, from]`` the
  structural coefficients, ``T = (I − B)⁻¹ − I`` (direct plus all indirect
  effects of a recursive model; :mod:`acsi.estimate.effects`).
* Average variance extracted (Fornell & Larcker 1981): ``AVE = mean(λ²)`` over
  the standardised loadings of a latent; composite reliability
  ``CR = (Σλ)² / ((Σλ)² + Σ(1 − λ²))`` (:mod:`acsi.estimate.quality`).
* IPA quadrants: :func:`acsi.methods.ipa.importance_performance_map`.
* "Fix first" with uncertainty (:func:`ipa_table`): a driver is named only when its
  importance is above the importance cut *and* its performance below the performance cut by
  more than their intervals.  The cuts are the drivers' means, so the test is on the gaps
  ``g_j = I_j − mean_k I_k`` and ``h_j = P_j − mean_k P_k``.  With bootstrap replicates the
  interval is the percentile interval of the replicates' gaps (paths → ``T = (I − B)⁻¹ − I``
  per replicate).  Without, a conservative normal interval ``gap ± z·s̄``: ``s̄`` is the
  first-order (delta-method) bound ``Σ_p |∂g_j/∂β_p| se(β_p)`` over the path coefficients
  ``β_p`` (``∂T_hd/∂B_ab = C_ha C_bd``, ``C = (I − B)⁻¹``) and ``(1 − 1/k) se_j + (1/k)
  Σ_{m≠j} se_m`` for performance: by the triangle inequality it is at least the delta-method
  SE whatever the correlations between the estimates, so the intervals are never too narrow.
  A driver whose gap has no interval (a PLS fit without a bootstrap has no standard errors)
  is never named.
* Significance marks (:func:`path_tests`): bootstrap p-values when a bootstrap of that model
  was given, else the estimator's own z test (ML standard errors), else none: the report says
  that no test was run.
* Flags (Hu & Bentler 1999; Fornell & Larcker 1981): AVE < 0.50, RMSEA > 0.08,
  CFI < 0.90, SRMR > 0.08, inadmissible or failed units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..estimate.effects import total_effects_from_estimates
from ..estimate.quality import rho_c_and_ave
from ..methods.ipa import importance_performance_map
from .i18n import t
from .numbers import fixed

__all__ = [
    "THRESHOLDS", "r_squared", "total_effects", "measurement_quality", "quality_summary", "flags",
    "ipa_table", "unit_fix_first", "league_tables", "accounting_table", "split_units", "bootstrap_replicates",
    "path_tests", "pooled_ipa", "impacts", "computed_impacts", "checks",
]

#: name -> (direction, threshold): a value on the wrong side is flagged.
THRESHOLDS = {"ave": ("<", 0.5), "rmsea": (">", 0.08), "cfi": ("<", 0.90), "srmr": (">", 0.08)}

_TABLE_COLS = {"lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_lv", "std_all", "free"}


def split_units(est: pd.DataFrame) -> tuple[list[str], list[tuple, pd.DataFrame]]:
    """Group columns of a stacked estimates table and its per-unit pieces."""
    keys = [c for c in est.columns if c not in _TABLE_COLS]
    if not keys:
        return [], [((), est)]
    return keys, [((k if isinstance(k, tuple) else (k,)), g) for k, g in est.groupby(keys, sort=False, dropna=False)]


def r_squared(est: pd.DataFrame) -> pd.Series:
    """R² per endogenous latent of one unit's estimates (lavaan-style table).

    ``r2`` rows (PLS) are used as they are; otherwise ``1 − std_all`` of the
    latent's residual variance row ``η ~~ η``.

    Examples
    --------
    >>> est = pd.DataFrame({"lhs": ["CS", "CS"], "op": ["~", "~~"], "rhs": ["PQ", "CS"],
    ...                     "est": [0.5, 0.4], "std_all": [0.6, 0.64]})
    >>> round(float(r_squared(est)["CS"]), 2)
    0.36
    """
    if est is None or est.empty:
        return pd.Series(dtype=float)
    endo = list(pd.unique(est.loc[est["op"] == "~", "lhs"]))
    r2 = est.loc[est["op"] == "r2"]
    out = {}
    for lv in endo:
        hit = r2.loc[r2["lhs"] == lv, "est"]
        if len(hit):
            out[lv] = float(hit.iloc[0])
            continue
        res = est.loc[(est["op"] == "~~") & (est["lhs"] == lv) & (est["rhs"] == lv), "std_all"]
        out[lv] = float(1.0 - res.iloc[0]) if len(res) and np.isfinite(res.iloc[0]) else np.nan
    return pd.Series(out, dtype=float, name="r2")


def total_effects(est: pd.DataFrame, *, value: str = "est") -> pd.DataFrame:
    """Total effects between latents, ``T = (I − B)⁻¹ − I``, from the ``~`` rows (``T.loc[to, from]``).

    See :func:`acsi.estimate.effects.total_effects_from_estimates` (the one implementation).

    Examples
    --------
    >>> est = pd.DataFrame({"lhs": ["B", "C"], "op": ["~", "~"], "rhs": ["A", "B"], "est": [0.5, 0.4]})
    >>> float(total_effects(est).loc["C", "A"])
    0.2
    """
    return total_effects_from_estimates(est, value=value)


def measurement_quality(est: pd.DataFrame) -> pd.DataFrame:
    """AVE and composite reliability per latent of one unit (standardised loadings).

    Returns
    -------
    DataFrame
        ``latent, n_items, ave, cr``.  Single-item latents get NaN (not defined).
    """
    rows = []
    load = est.loc[est["op"] == "=~"]
    for lv, g in load.groupby("lhs", sort=False):
        lam = g["std_all"].to_numpy(dtype=float)
        if len(lam) < 2 or not np.all(np.isfinite(lam)):
            rows.append((lv, len(lam), np.nan, np.nan))
            continue
        cr, ave = rho_c_and_ave(lam)
        rows.append((lv, len(lam), ave, cr))
    return pd.DataFrame(rows, columns=["latent", "n_items", "ave", "cr"])


def quality_summary(estimates: pd.DataFrame, pooled: pd.DataFrame | None, latents: list[str]) -> pd.DataFrame:
    """Per latent: items, AVE median/min and CR median over units, pooled AVE and CR."""
    per = []
    if estimates is not None and not estimates.empty:
        keys, pieces = split_units(estimates)
        for _, g in pieces:
            per.append(measurement_quality(g))
    allq = pd.concat(per, ignore_index=True) if per else pd.DataFrame(columns=["latent", "n_items", "ave", "cr"])
    pq = measurement_quality(pooled).set_index("latent") if pooled is not None and not pooled.empty else None
    rows = []
    for lv in latents:
        sub = allq.loc[allq["latent"] == lv]
        n_items = int(sub["n_items"].iloc[0]) if len(sub) else (int(pq.loc[lv, "n_items"]) if pq is not None and lv in pq.index else 0)
        rows.append({
            "latent": lv, "n_items": n_items,
            "ave_median": float(sub["ave"].median()) if len(sub) else np.nan,
            "ave_min": float(sub["ave"].min()) if len(sub) else np.nan,
            "cr_median": float(sub["cr"].median()) if len(sub) else np.nan,
            "ave_pooled": float(pq.loc[lv, "ave"]) if pq is not None and lv in pq.index else np.nan,
            "cr_pooled": float(pq.loc[lv, "cr"]) if pq is not None and lv in pq.index else np.nan,
        })
    return pd.DataFrame(rows)


def _label(keys: list[str], key: tuple) -> str:
    return " / ".join(str(k) for k in key) if keys else "—"


def flags(data, lang: str = "en") -> pd.DataFrame:
    """Plain-language flags: failed and inadmissible units, AVE, RMSEA, CFI, SRMR.

    Parameters
    ----------
    data : ReportData
    lang : {"en", "zh"}

    Returns
    -------
    DataFrame
        ``unit, kind, severity, latent, value, message`` (``kind`` one of ``failed,
        inadmissible, ave, rmsea, cfi, srmr``; ``severity`` ``"error"`` for a failed
        unit, ``"warning"`` otherwise; ``latent`` for AVE flags), ordered by kind then unit.
    """
    rows = []
    groups = data.groups
    units = data.table("units")
    for r in units.to_dict("records"):
        status = r.get("status")
        if status in ("failed", "inadmissible"):
            unit = " / ".join(str(r[g]) for g in groups if g in r)
            reason = str(r.get("reason") or "") or str(r.get("messages") or "") or "no reason recorded"
            rows.append({"unit": unit, "kind": status, "severity": "error" if status == "failed" else "warning",
                         "latent": None, "value": np.nan,
                         "message": t(f"flag_{status}", lang, unit=unit, reason=reason)})
    est = data.table("estimates")
    if not est.empty:
        keys, pieces = split_units(est)
        for key, g in pieces:
            q = measurement_quality(g)
            for rr in q.itertuples(index=False):
                if np.isfinite(rr.ave) and rr.ave < THRESHOLDS["ave"][1]:
                    unit = _label(keys, key)
                    rows.append({"unit": unit, "kind": "ave", "severity": "warning", "latent": rr.latent,
                                 "value": rr.ave,
                                 "message": t("flag_ave", lang, unit=unit, latent=rr.latent, value=fixed(rr.ave, 2))})
    pooled = data.table("pooled_estimates")
    if not pooled.empty:
        for rr in measurement_quality(pooled).itertuples(index=False):
            if np.isfinite(rr.ave) and rr.ave < THRESHOLDS["ave"][1]:
                unit = t("pooled", lang)
                rows.append({"unit": unit, "kind": "ave", "severity": "warning", "latent": rr.latent, "value": rr.ave,
                             "message": t("flag_ave", lang, unit=unit, latent=rr.latent, value=fixed(rr.ave, 2))})
    for name, fm in (("units", data.table("fit_measures")), ("pooled", data.table("pooled_fit_measures"))):
        if fm.empty:
            continue
        keys = [g for g in groups if g in fm.columns] if name == "units" else []
        for r in fm.to_dict("records"):
            unit = " / ".join(str(r[g]) for g in keys) if name == "units" else t("pooled", lang)
            for m in ("rmsea", "cfi", "srmr"):
                v = r.get(m)
                if v is None or not np.isfinite(v):
                    continue
                op, lim = THRESHOLDS[m]
                if (op == ">" and v > lim) or (op == "<" and v < lim):
                    rows.append({"unit": unit, "kind": m, "severity": "warning", "latent": None, "value": float(v),
                                 "message": t(f"flag_{m}", lang, unit=unit, value=fixed(v, 3))})
    for unit, v in _pls_srmr(data, lang):  # PLS: the estimated model's SRMR (acsi.estimate.pls_fit)
        if v > THRESHOLDS["srmr"][1]:
            rows.append({"unit": unit, "kind": "srmr", "severity": "warning", "latent": None, "value": float(v),
                         "message": t("flag_srmr", lang, unit=unit, value=fixed(v, 3))})
    for name, tab in _pls_flag_tables(data):
        keys = [g for g in groups if g in tab.columns]
        bad_rows = tab.loc[tab["passed"].astype("object") == False]  # noqa: E712 (NaN: not computable)
        for r in bad_rows.to_dict("records"):
            unit = " / ".join(str(r[g]) for g in keys) if keys else t("pooled", lang)
            rows.append({"unit": unit, "kind": "pls", "severity": "warning", "latent": None, "value": float(r["value"]),
                         "message": t("flag_pls", lang, unit=unit, criterion=r["criterion"], target=r["target"],
                                      value=fixed(r["value"], 3), rule=r["rule"], reference=r.get("reference", ""))})
    out = pd.DataFrame(rows, columns=["unit", "kind", "severity", "latent", "value", "message"])
    order = {"failed": 0, "inadmissible": 1, "ave": 2, "rmsea": 3, "cfi": 4, "srmr": 5, "pls": 6}
    return out.sort_values(by=["kind", "unit"], key=lambda s: s.map(order) if s.name == "kind" else s,
                           kind="stable").reset_index(drop=True)


def _pls_srmr(data, lang: str = "en") -> list[tuple[str, float]]:
    """``(unit, SRMR)`` of the estimated PLS model from the fit's ``pls_model_fit`` tables (per unit
    and pooled; :func:`acsi.estimate.pls_fit.model_fit`), finite values only."""
    out = []
    for name in ("pls_model_fit", "pooled_pls_model_fit"):
        tab = data.table(name)
        if tab.empty or not {"measure", "estimated"}.issubset(tab.columns):
            continue
        keys = [g for g in data.groups if g in tab.columns] if name == "pls_model_fit" else []
        for r in tab.loc[tab["measure"].astype(str) == "srmr"].to_dict("records"):
            v = pd.to_numeric(r["estimated"], errors="coerce")
            if np.isfinite(v):
                out.append((" / ".join(str(r[g]) for g in keys) if keys else t("pooled", lang), float(v)))
    return out


def _pls_flag_tables(data) -> list[tuple[str, pd.DataFrame]]:
    """The PLS quality flags the fit carries (``pls_quality_flags``, per unit or pooled), if any."""
    out = []
    for name, tab in data.tables.items():
        if str(name).endswith("pls_quality_flags") and tab is not None and not tab.empty and "passed" in tab.columns:
            out.append((name, tab))
    return out


def checks(data) -> pd.DataFrame:
    """Which quality checks were computed, on how many values, and how many were flagged.

    Returns
    -------
    DataFrame
        ``kind`` (``ave``, ``rmsea``, ``cfi``, ``srmr``, ``pls``, ``status``), ``n_checked`` (values
        that could be computed), ``n_flagged``, ``n_not_computable`` (values that exist but are
        missing, e.g. the AVE of a single-item latent), ``threshold`` (the rule, as text).
        A check with ``n_checked == 0`` was not run: the report claims nothing about it.
    """
    rows = []
    units = data.table("units")
    if not units.empty and "status" in units:
        rows.append(("status", len(units), int(units["status"].isin(["failed", "inadmissible"]).sum()), 0,
                     "ok / inadmissible / failed"))
    aves = []
    est = data.table("estimates")
    if not est.empty:
        for _, g in split_units(est)[1]:
            aves.extend(measurement_quality(g)["ave"].to_list())
    pooled = data.table("pooled_estimates")
    if not pooled.empty:
        aves.extend(measurement_quality(pooled)["ave"].to_list())
    a = np.asarray(aves, dtype=float)
    rows.append(("ave", int(np.isfinite(a).sum()), int((a < THRESHOLDS["ave"][1]).sum()), int((~np.isfinite(a)).sum()),
                 "AVE ≥ 0.50"))
    fms = [fm for fm in (data.table("fit_measures"), data.table("pooled_fit_measures")) if not fm.empty]
    for m in ("rmsea", "cfi", "srmr"):
        v = np.concatenate([pd.to_numeric(fm[m], errors="coerce").to_numpy(float) for fm in fms if m in fm]) \
            if any(m in fm for fm in fms) else np.array([])
        if m == "srmr":
            v = np.concatenate([v, [x for _, x in _pls_srmr(data)]])
        op, lim = THRESHOLDS[m]
        bad_ = (v > lim) if op == ">" else (v < lim)
        rows.append((m, int(np.isfinite(v).sum()), int(bad_.sum()), int((~np.isfinite(v)).sum()),
                     f"{m.upper()} {'≤' if op == '>' else '≥'} {lim:.2f}"))
    pls = [tab for _, tab in _pls_flag_tables(data)]
    if pls:
        f = pd.concat(pls, ignore_index=True)
        passed = f["passed"].astype("object")
        rows.append(("pls", int(passed.notna().sum()), int((passed == False).sum()), int(passed.isna().sum()),  # noqa: E712
                     "; ".join(sorted(set(f["criterion"].astype(str) + " " + f["rule"].astype(str))))))
    return pd.DataFrame(rows, columns=["kind", "n_checked", "n_flagged", "n_not_computable", "threshold"])


def _structure(est: pd.DataFrame, value: str = "est") -> tuple[list[str], np.ndarray, list[tuple[int, int, float]]]:
    """Latents, ``B[to, from]`` and the free paths ``(to, from, se)`` of one unit's ``~`` rows."""
    T = total_effects(est)  # fixes the latent order (acsi.estimate.effects)
    lat = list(T.index)
    idx = {lv: i for i, lv in enumerate(lat)}
    B = np.zeros((len(lat), len(lat)))
    paths = []
    for r in est.loc[est["op"] == "~"].itertuples(index=False):
        v = float(getattr(r, value))
        B[idx[r.lhs], idx[r.rhs]] = v if np.isfinite(v) else 0.0
        se = getattr(r, "se", np.nan)
        paths.append((idx[r.lhs], idx[r.rhs], float(se) if se is not None and np.isfinite(se) else np.nan))
    return lat, B, paths


def _gap_matrix(k: int) -> np.ndarray:
    """``A`` with ``(A x)_j = x_j − mean(x)``: the gap of each driver from the mean cut."""
    return np.eye(k) - np.full((k, k), 1.0 / k)


def ipa_table(est: pd.DataFrame, performance: pd.Series, headline: str, lang: str = "en", *,
              performance_se: pd.Series | None = None, level: float = 0.95, replicates: dict | None = None,
              ) -> pd.DataFrame | None:
    """IPA of the headline's drivers, with the uncertainty that decides "fix first".

    Importance = total effect on ``headline`` (``T = (I − B)⁻¹ − I`` of the ``est`` column),
    performance = 0-100 mean; quadrants by :func:`acsi.methods.ipa.importance_performance_map`
    at the drivers' means.  Drivers are the latents with a non-zero total effect on the headline.

    Parameters
    ----------
    performance_se : Series, optional
        Standard errors of the performances (the indexes' ``se``).
    level : float
        Level of the intervals.
    replicates : dict, optional
        Bootstrap replicates of the same model: ``{"B": R × m × m structural matrices in the
        latent order of the estimates, "performance": DataFrame R × latents}`` (see
        :func:`bootstrap_replicates`); they replace the conservative bounds (module docstring).

    Returns
    -------
    DataFrame or None
        :func:`~acsi.methods.ipa.importance_performance_map`'s columns plus
        ``importance_lower/upper``, ``performance_lower/upper`` (intervals of the values),
        ``importance_gap``, ``importance_gap_lower/upper``, ``performance_gap``,
        ``performance_gap_lower/upper`` (the gaps from the cuts and their intervals),
        ``fix_first`` (quadrant B *beyond* the intervals), ``separated`` (``"yes"``, ``"no"`` or
        ``"no interval"``) and ``interval`` (``"bootstrap"``, ``"bound"`` or ``"none"``).
        ``None`` when there are fewer than two drivers with a finite performance.
    """
    from .i18n import is_chinese, to_script

    if est is None or est.empty or performance is None or headline is None:
        return None
    lat, B, paths = _structure(est)
    if headline not in lat:
        return None
    h = lat.index(headline)
    C = np.linalg.inv(np.eye(len(lat)) - B)
    Tm = C - np.eye(len(lat))
    te = pd.Series(Tm[h], index=lat).drop(labels=[headline])
    te = te[np.abs(te) > 1e-12]
    perf = performance.reindex(te.index).astype(float)
    keep = perf.notna() & np.isfinite(perf) & perf.between(0, 100)
    te, perf = te[keep], perf[keep]
    if len(te) < 2:
        return None
    tab = importance_performance_map(te, perf, labels="zh" if is_chinese(lang) else "en")
    if is_chinese(lang):
        tab["label"] = [to_script(x, lang) for x in tab["label"]]
        tab["action"] = [to_script(x, lang) for x in tab["action"]]
    drivers = list(te.index)
    d = np.array([lat.index(x) for x in drivers])
    k = len(drivers)
    A = _gap_matrix(k)
    imp, pv = te.to_numpy(float), perf.to_numpy(float)
    g_imp, g_perf = A @ imp, A @ pv
    q = float(stats.norm.ppf(0.5 + level / 2.0))
    nan = np.full(k, np.nan)
    if replicates is not None and replicates.get("B") is not None:
        Br = np.asarray(replicates["B"], dtype=float)
        Tr = np.linalg.inv(np.eye(len(lat))[None] - Br) - np.eye(len(lat))[None]
        Ir = Tr[:, h, d]
        Pr = replicates["performance"].reindex(columns=drivers).to_numpy(dtype=float)
        ok = np.isfinite(Ir).all(axis=1) & np.isfinite(Pr).all(axis=1)
        Ir, Pr = Ir[ok], Pr[ok]
        a = (1 - level) / 2
        if len(Ir) >= 2:
            qs = lambda X: (np.quantile(X, a, axis=0), np.quantile(X, 1 - a, axis=0))  # noqa: E731
            (il, iu), (pl, pu) = qs(Ir), qs(Pr)
            (gil, giu), (gpl, gpu) = qs(Ir @ A.T), qs(Pr @ A.T)
            method = "bootstrap"
        else:
            il = iu = pl = pu = gil = giu = gpl = gpu = nan
            method = "none"
    else:
        # first-order bounds, valid whatever the correlations between the estimates
        se_imp = np.zeros(k)
        se_gap = np.zeros(k)
        for to, fr, se in paths:
            grad = C[h, to] * C[fr, d]  # ∂T[h, d_j] / ∂B[to, fr]
            se_imp = se_imp + np.abs(grad) * se
            se_gap = se_gap + np.abs(A @ grad) * se
        il, iu, gil, giu = imp - q * se_imp, imp + q * se_imp, g_imp - q * se_gap, g_imp + q * se_gap
        ps = performance_se.reindex(drivers).to_numpy(float) if performance_se is not None else nan
        se_pgap = np.abs(A) @ ps
        pl, pu, gpl, gpu = pv - q * ps, pv + q * ps, g_perf - q * se_pgap, g_perf + q * se_pgap
        method = "bound" if np.isfinite(se_gap).any() and np.isfinite(se_pgap).any() else "none"
    tab["importance_lower"], tab["importance_upper"] = il, iu
    tab["performance_lower"], tab["performance_upper"] = pl, pu
    tab["importance_gap"], tab["importance_gap_lower"], tab["importance_gap_upper"] = g_imp, gil, giu
    tab["performance_gap"], tab["performance_gap_lower"], tab["performance_gap_upper"] = g_perf, gpl, gpu
    has = np.isfinite(gil) & np.isfinite(gpu)
    tab["fix_first"] = has & (gil > 0) & (gpu < 0)
    sep_i = has & ((gil > 0) | (giu < 0))
    sep_p = has & ((gpl > 0) | (gpu < 0))
    tab["separated"] = np.where(~has, "no interval", np.where(sep_i & sep_p, "yes", "no"))
    tab["interval"] = method
    tab["level"] = level
    return tab


def _pooled_bootstrap(boot) -> bool:
    """True when ``boot`` bootstraps the pooled model (a fit without unit columns, or one PLS fit)."""
    if not hasattr(boot, "unit_keys"):
        return True
    keys = [tuple(map(str, k)) for k in boot.unit_keys]
    return not boot.groups or keys == [("<pooled>",)]


def pooled_ipa(data, lang: str = "en", headline: str | None = None) -> pd.DataFrame | None:
    """:func:`ipa_table` of the pooled model: the pooled indexes' standard errors, or the bootstrap's
    replicates when the bootstrap is of the pooled model (a fit without unit columns, or
    :func:`acsi.bootstrap.bootstrap_pls` of the pooled PLS fit)."""
    est = data.table("pooled_estimates")
    if est.empty:
        return None
    pi = data.table("pooled_indexes")
    pse = pi.set_index("latent")["se"].astype(float) if {"latent", "se"}.issubset(pi.columns) else None
    boot, reps = data.bootstrap, None
    if boot is not None and _pooled_bootstrap(boot):
        key = boot.unit_keys[0] if hasattr(boot, "unit_keys") and boot.unit_keys else None
        reps = bootstrap_replicates(boot, key, _structure(est)[0])
    level = data.bootstrap_level if reps is not None else data.confidence
    return ipa_table(est, data.pooled_performance, headline or data.headline, lang, performance_se=pse, level=level,
                     replicates=reps)


def impacts(data, unit_cols: bool = False) -> pd.DataFrame:
    """ACSI impacts on the headline from the fit's impact table, when the fit carries one.

    The table (``pooled_impacts``, else ``impacts``; written by the estimator, see
    :func:`acsi.estimate.effects.acsi_impacts`) has ``driver, target, impact`` (0-100 points of
    the target per ``rise`` points of the driver, 5 in the ACSI's tables) and, when computed,
    ``se, ci_lower, ci_upper``.  Returns the headline's rows (empty when there is no table).
    """
    if not unit_cols and data.bootstrap is not None and _pooled_bootstrap(data.bootstrap):
        out = computed_impacts(data)  # a bootstrap of the pooled model: percentile intervals from its replicates
        if not out.empty and (out["interval"] == "bootstrap percentile").all():
            return out.loc[out["target"].astype(str) == str(data.headline)].reset_index(drop=True)
    for name in ("pooled_impacts", "impacts"):
        tab = data.table(name)
        if not tab.empty and {"driver", "target", "impact"}.issubset(tab.columns):
            out = tab.loc[tab["target"].astype(str) == str(data.headline)]
            keys = [g for g in data.groups if g in out.columns]
            if keys and not unit_cols:
                continue  # per-unit impacts: the pooled table is wanted
            out = out.reset_index(drop=True)
            if "interval" not in out.columns:  # the fit's own table (acsi.estimate.semtables): delta-method SEs
                out["interval"] = "delta" if "se" in out.columns and out["se"].notna().any() else "none"
            return out
    if not unit_cols:
        out = computed_impacts(data)
        if not out.empty:
            return out.loc[out["target"].astype(str) == str(data.headline)].reset_index(drop=True)
    return pd.DataFrame(columns=["driver", "target", "impact"])


def computed_impacts(data, rise: float = 5.0) -> pd.DataFrame:
    """ACSI impacts of the pooled CB-SEM model, by :func:`acsi.estimate.effects.acsi_impacts` from
    the pooled estimate table (θ̂ in :class:`~acsi.estimate.mlfast.RamModel` order), the pooled
    item weights and the model's item scales, for fits whose results carry no impacts table.

    The fit keeps no covariance of θ̂, so the delta-method SE is not available here.  When a
    bootstrap of the pooled model was given, ``se`` is the standard deviation of the replicates'
    impacts and ``ci_lower``/``ci_upper`` their percentile interval at the bootstrap's level
    (the item weights held at the fit's: ``interval = "bootstrap percentile"``); otherwise the
    interval columns are NaN (``interval = "none"``).  Empty when the fit is not CB-SEM, has no
    pooled estimates or weights, or a parameter of the model is missing from the table.
    Equivalent R: lavaan's total effects ``solve(I - B) - I`` scaled by the 0-100 points per
    latent unit (module docstring of :mod:`acsi.estimate.effects`).
    """
    empty = pd.DataFrame(columns=["driver", "target", "impact"])
    spec = data.spec
    if data.estimator == "pls":
        return _pls_impacts(data, rise)
    est = data.table("pooled_estimates")
    w = data.table("pooled_item_weights")
    if not data.groups:  # a fit without unit columns: its tables are the pooled fit's
        est = est if not est.empty else data.table("estimates")
        w = w if not w.empty else data.table("item_weights")
    if data.estimator != "sem" or spec is None or est.empty or w.empty or not {"item", "weight"}.issubset(w.columns):
        return empty
    from ..errors import AcsiError
    from ..estimate.effects import acsi_impacts
    from ..estimate.mlfast import RamModel

    try:
        model = RamModel(spec)
    except AcsiError:
        return empty
    if len(model.groups) != 1:
        return empty
    look = {(str(r.lhs), str(r.op), str(r.rhs)): float(r.est) for r in est[["lhs", "op", "rhs", "est"]].itertuples()}
    if any(lab not in look for lab in model.labels):
        return empty
    theta = np.array([look[lab] for lab in model.labels])
    weights = {str(i): float(v) for i, v in zip(w["item"], w["weight"]) if np.isfinite(v)}
    weights = {x: weights.get(x, 0.0) for x in model.groups[0].ov}
    bounds = {x: spec.scale_bounds.get(x, (np.nan, np.nan)) for x in model.groups[0].ov}
    lo = {x: float(b[0]) for x, b in bounds.items()}
    hi = {x: float(b[1]) for x, b in bounds.items()}
    try:
        tab = acsi_impacts(model, theta, None, weights=weights, lo=lo, hi=hi, rise=rise, level=data.confidence)
    except AcsiError:
        return empty
    tab = tab[["driver", "target", "impact"]].copy()
    tab["se"] = tab["ci_lower"] = tab["ci_upper"] = np.nan
    tab["rise"], tab["interval"], tab["level"] = rise, "none", data.confidence
    reps = _theta_replicates(data.bootstrap, model.labels)
    if reps is not None and len(reps) >= 2:
        vals = []
        for th in reps:
            try:
                vals.append(acsi_impacts(model, th, None, weights=weights, lo=lo, hi=hi, rise=rise)["impact"].to_numpy())
            except AcsiError:
                continue
        if len(vals) >= 2:
            V = np.vstack(vals)
            lvl = float(data.bootstrap_level or data.confidence)
            a = (1 - lvl) / 2
            tab["se"] = V.std(axis=0, ddof=1)
            tab["ci_lower"], tab["ci_upper"] = np.quantile(V, a, axis=0), np.quantile(V, 1 - a, axis=0)
            tab["interval"], tab["level"], tab["n_replicates"] = "bootstrap percentile", lvl, len(vals)
    return tab


def _pls_impacts(data, rise: float) -> pd.DataFrame:
    """ACSI impacts of a PLS fit from its pooled IPMA (:mod:`acsi.estimate.pls_ipma`): the IPMA importance
    is the target's 0-100 points per point of the driver's 0-100 score, so ``impact = rise · importance``
    (target: the model's headline latent, as the pipeline runs the IPMA).  No interval (``interval = "none"``)."""
    tab = data.table("pooled_pls_ipma_constructs")
    if tab.empty or not {"latent", "importance"}.issubset(tab.columns) or not data.headline:
        return pd.DataFrame(columns=["driver", "target", "impact"])
    imp = pd.to_numeric(tab["importance"], errors="coerce")
    out = pd.DataFrame({"driver": tab["latent"].astype(str), "target": str(data.headline), "impact": rise * imp})
    out = out.loc[np.isfinite(out["impact"])].reset_index(drop=True)
    out["se"] = out["ci_lower"] = out["ci_upper"] = np.nan
    out["rise"], out["interval"], out["level"] = rise, "none_ipma", data.confidence
    return out


def _theta_replicates(boot, labels) -> np.ndarray | None:
    """Replicates of θ (R × k, ``labels`` order) from a bootstrap of the pooled CB-SEM model, or None."""
    if boot is None or not hasattr(boot, "unit_keys") or not _pooled_bootstrap(boot):
        return None
    stat = {(str(lab[1]), str(lab[2]), str(lab[3])): s for s, lab in enumerate(boot.stat_labels) if lab[0] == "est"}
    if any(tuple(lab) not in stat for lab in labels):
        return None
    reps = np.asarray(boot._masked[0])[[stat[tuple(lab)] for lab in labels]].T  # R × k
    return reps[np.isfinite(reps).all(axis=1)]


def bootstrap_replicates(boot, key, latents: list[str]) -> dict | None:
    """Replicates of one unit of a bootstrap, for :func:`ipa_table`: structural matrices and indexes.

    ``boot`` is an :class:`acsi.bootstrap.BootstrapResult` (``key`` one of its ``unit_keys``) or a
    :class:`~acsi.bootstrap.PLSBootstrapResult` (``key`` ignored); ``latents`` is the order of
    :func:`_structure`.  Excluded replicates (the bootstrap's ``failed`` policy) are left out.
    Returns None when the bootstrap has no such unit.
    """
    if boot is None:
        return None
    if hasattr(boot, "unit_keys"):
        keys = [tuple(map(str, k)) for k in boot.unit_keys]
        want = tuple(map(str, key if isinstance(key, (tuple, list)) else (key,)))
        if want not in keys:
            return None
        i = keys.index(want)
        labels = list(boot.stat_labels)
        reps = np.asarray(boot._masked[i])  # stats × B, NaN where the replicate is excluded
    else:
        labels = list(boot.labels)
        reps = np.where((np.asarray(boot.status) == 0)[None, :], np.asarray(boot.replicates), np.nan)
    idx = {lv: j for j, lv in enumerate(latents)}
    R = reps.shape[1]
    Bm = np.zeros((R, len(latents), len(latents)))
    perf = {}
    for s_, lab in enumerate(labels):
        kind, lhs, op, rhs = lab
        if kind == "est" and op == "~" and lhs in idx and rhs in idx:
            Bm[:, idx[lhs], idx[rhs]] = reps[s_]
        elif kind == "index":
            perf[lhs] = reps[s_]
    return {"B": Bm, "performance": pd.DataFrame(perf)}


def path_tests(data, *, unit=None) -> pd.DataFrame:
    """The significance test of each path of the pooled model (or of ``unit``), when one was run.

    Bootstrap p-values (two-sided bootstrap t test of ``est = 0``, :func:`acsi.bootstrap.summarise`)
    when a bootstrap of that model was given (live, or the ``bootstrap/`` tables of a results
    directory); else the estimator's own p-values (ML: z test with its standard errors); else
    an empty table (no test was run: the report says so and marks nothing).

    Returns
    -------
    DataFrame
        ``lhs, rhs, pvalue, se, test, level`` (``se`` the test's: bootstrap SE or the estimator's):
        ``test`` is ``test_bootstrap`` or ``test_z`` (keys of
        :mod:`acsi.report.i18n`), ``level`` the confidence level whose complement is the
        significance level (the bootstrap's, or the fit's).
    """
    cols = ["lhs", "rhs", "pvalue", "se", "test", "level"]
    boot = data.bootstrap
    pooled = unit is None
    b_est = None
    if boot is not None:
        if _pooled_bootstrap(boot) == pooled:
            b_est = boot.estimates
    elif data.bootstrap_tables:
        tb = data.bootstrap_tables
        if pooled and "bootstrap_pooled_estimates" in tb:  # the pooled fit's bootstrap (acsi fit --bootstrap)
            b_est = tb["bootstrap_pooled_estimates"]
        elif pooled and "pls_bootstrap_estimates" in tb:
            b_est = tb["pls_bootstrap_estimates"]
        elif "bootstrap_estimates" in tb:
            e = tb["bootstrap_estimates"]
            has_units = any(g in e.columns for g in data.groups)
            if has_units != pooled:
                b_est = e
    if b_est is not None and not b_est.empty:
        e = b_est.loc[b_est["op"] == "~"]
        if "statistic" in e.columns:
            e = e.loc[e["statistic"] == "est"]
        if unit is not None:
            for kcol, v in unit.items():
                if kcol in e.columns:
                    e = e.loc[e[kcol].astype(str) == str(v)]
        if len(e) and np.isfinite(e["p_value"].to_numpy(dtype=float)).any():
            se = e["boot_se"].to_numpy(dtype=float) if "boot_se" in e.columns else np.full(len(e), np.nan)
            return pd.DataFrame({"lhs": e["lhs"].astype(str).to_numpy(), "rhs": e["rhs"].astype(str).to_numpy(),
                                 "pvalue": e["p_value"].to_numpy(dtype=float), "se": se, "test": "test_bootstrap",
                                 "level": data.bootstrap_level})
    est = data.table("pooled_estimates") if pooled else data.table("estimates")
    if not est.empty and unit is not None:
        for kcol, v in unit.items():
            if kcol in est.columns:
                est = est.loc[est[kcol].astype(str) == str(v)]
    st = est.loc[est["op"] == "~"] if not est.empty else est
    if len(st) and "pvalue" in st and np.isfinite(pd.to_numeric(st["pvalue"], errors="coerce")).any():
        return pd.DataFrame({"lhs": st["lhs"].astype(str).to_numpy(), "rhs": st["rhs"].astype(str).to_numpy(),
                             "pvalue": pd.to_numeric(st["pvalue"], errors="coerce").to_numpy(),
                             "se": pd.to_numeric(st["se"], errors="coerce").to_numpy() if "se" in st else np.nan,
                             "test": "test_z",
                             "level": data.confidence})
    return pd.DataFrame(columns=cols)


def unit_fix_first(data, lang: str = "en") -> pd.DataFrame:
    """"Fix first" drivers per unit, in the unit's latest period with an estimated model.

    The rule of :func:`ipa_table` (quadrant B beyond the intervals), with the unit's own
    standard errors (or its bootstrap replicates, when a bootstrap was given).

    Returns
    -------
    DataFrame
        Unit columns, ``period`` (when there is one), ``index``, ``fix_first`` (the drivers' ids,
        comma-separated, ``""`` when none) and ``quadrant_b`` (the drivers whose point
        estimates fall in quadrant B, separated or not).
    """
    est = data.table("estimates")
    li = data.table("latent_indexes")
    headline = data.headline
    cols = data.unit_cols + ([data.period_col] if data.period_col else []) + ["index", "fix_first", "quadrant_b"]
    if est.empty or li.empty or headline is None:
        return pd.DataFrame(columns=cols)
    keys, pieces = split_units(est)
    pieces = dict(pieces)
    ok = li.loc[li["status"].isin(["ok", "inadmissible"]) & li["index"].notna()]
    if data.period_col:
        ok = ok.sort_values(data.period_col, kind="stable")
    level = data.bootstrap_level or data.confidence
    rows = []
    for ukey, g in ok.groupby(data.unit_cols, sort=True, dropna=False) if data.unit_cols else [((), ok)]:
        ukey = ukey if isinstance(ukey, tuple) else (ukey,)
        last = g[data.period_col].iloc[-1] if data.period_col else None
        g = g.loc[g[data.period_col] == last] if data.period_col else g
        full = {c: v for c, v in zip(data.unit_cols, ukey)}
        if data.period_col:
            full[data.period_col] = last
        k = tuple(full[c] for c in keys)
        e = pieces.get(k)
        if e is None:
            e = next((v for kk, v in pieces.items() if tuple(map(str, kk)) == tuple(map(str, k))), None)
        if e is None:
            continue
        perf = g.set_index("latent")["index"].astype(float)
        pse = g.set_index("latent")["se"].astype(float) if "se" in g else None
        reps = None
        if data.bootstrap is not None and not _pooled_bootstrap(data.bootstrap):
            bkey = tuple(full[c] for c in data.bootstrap.groups if c in full)
            reps = bootstrap_replicates(data.bootstrap, bkey, _structure(e)[0])
        tab = ipa_table(e, perf, headline, lang, performance_se=pse, level=level, replicates=reps)
        fix = "" if tab is None else ", ".join(tab.loc[tab["fix_first"], "attribute"])
        qb = "" if tab is None else ", ".join(tab.loc[tab["quadrant"] == "B", "attribute"])
        head = g.loc[g["latent"] == headline, "index"]
        rows.append({**full, "index": float(head.iloc[0]) if len(head) else np.nan, "fix_first": fix, "quadrant_b": qb})
    return pd.DataFrame(rows, columns=cols)


def league_tables(data) -> list[dict]:
    """Company league tables: one per industry (or one for all units), latest period of each.

    Returns
    -------
    list of dict
        Each with ``industry`` (``None`` when there is no industry column),
        ``period``, ``table`` (unit columns, ``rank, index, se, ci_lower,
        ci_upper, n, change, status, reason``; ranked by index, units without an
        index last) and ``industry_row`` (the aggregate industry index of that
        period, a dict, or ``None``).
    """
    ci = data.table("company_indexes")
    if ci.empty:
        return []
    period = data.period_col
    unit_cols = [c for c in data.unit_cols if c in ci.columns] or [c for c in ci.columns if c not in ("index",)][:1]
    # an industry column without any value (a survey without industries) means one table of all units
    by = "industry" if "industry" in ci.columns and ci["industry"].notna().any() else None
    out = []
    groups = ci.groupby(by, sort=True, dropna=False) if by else [(None, ci)]
    agg_ind = data.level("industry")
    for ind, g in groups:
        if period:
            periods = sorted(g[period].astype(str).unique())
            last = periods[-1]
            prev = periods[-2] if len(periods) > 1 else None
            cur = g.loc[g[period].astype(str) == last].copy()
            if prev is not None:
                before = g.loc[g[period].astype(str) == prev].set_index(unit_cols)["index"]
                cur["change"] = cur["index"].to_numpy() - before.reindex(cur.set_index(unit_cols).index).to_numpy()
            else:
                cur["change"] = np.nan
        else:
            last = None
            cur = g.copy()
            cur["change"] = np.nan
        cur = cur.sort_values("index", ascending=False, na_position="last", kind="stable").reset_index(drop=True)
        cur.insert(0, "rank", np.where(cur["index"].notna(), np.arange(1, len(cur) + 1), np.nan))
        keep = ["rank"] + unit_cols + [c for c in ("index", "se", "ci_lower", "ci_upper", "n", "change", "status", "reason")
                                       if c in cur.columns]
        row = None
        if ind is not None and not agg_ind.empty:
            hit = agg_ind.loc[(agg_ind["unit"].astype(str) == str(ind)) & (agg_ind["period"].astype(str) == str(last))]
            if len(hit):
                row = hit.iloc[0].to_dict()
        out.append({"industry": ind, "period": last, "table": cur[keep], "industry_row": row})
    return out


def accounting_table(acc: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The accounting table without the internal ``check`` column, and its column totals."""
    if acc is None or acc.empty:
        return pd.DataFrame(), {}
    df = acc.drop(columns=[c for c in ("check",) if c in acc.columns])
    num = [c for c in df.columns if c.startswith("rows_") or c.startswith("dropped_")]
    totals = {c: int(df[c].sum()) for c in num}
    return df, totals
