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
* Flags (Hu & Bentler 1999; Fornell & Larcker 1981): AVE < 0.50, RMSEA > 0.08,
  CFI < 0.90, SRMR > 0.08, inadmissible or failed units.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..estimate.effects import total_effects_from_estimates
from ..estimate.quality import rho_c_and_ave
from ..methods.ipa import importance_performance_map
from .i18n import t

__all__ = [
    "THRESHOLDS", "r_squared", "total_effects", "measurement_quality", "quality_summary", "flags",
    "ipa_table", "unit_fix_first", "league_tables", "accounting_table", "split_units",
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
                                 "message": t("flag_ave", lang, unit=unit, latent=rr.latent, value=f"{rr.ave:.2f}")})
    pooled = data.table("pooled_estimates")
    if not pooled.empty:
        for rr in measurement_quality(pooled).itertuples(index=False):
            if np.isfinite(rr.ave) and rr.ave < THRESHOLDS["ave"][1]:
                unit = t("pooled", lang)
                rows.append({"unit": unit, "kind": "ave", "severity": "warning", "latent": rr.latent, "value": rr.ave,
                             "message": t("flag_ave", lang, unit=unit, latent=rr.latent, value=f"{rr.ave:.2f}")})
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
                                 "message": t(f"flag_{m}", lang, unit=unit, value=f"{v:.3f}")})
    out = pd.DataFrame(rows, columns=["unit", "kind", "severity", "latent", "value", "message"])
    order = {"failed": 0, "inadmissible": 1, "ave": 2, "rmsea": 3, "cfi": 4, "srmr": 5}
    return out.sort_values(by=["kind", "unit"], key=lambda s: s.map(order) if s.name == "kind" else s,
                           kind="stable").reset_index(drop=True)


def ipa_table(est: pd.DataFrame, performance: pd.Series, headline: str, lang: str = "en") -> pd.DataFrame | None:
    """IPA of the headline's drivers: importance = total effect on ``headline``, performance = 0-100 mean.

    Drivers are the latents with a non-zero total effect on the headline.  Returns
    ``None`` when there are fewer than two drivers with a finite performance.
    """
    if est is None or est.empty or performance is None or headline is None:
        return None
    T = total_effects(est)
    if headline not in T.index:
        return None
    te = T.loc[headline].drop(labels=[headline])
    te = te[np.abs(te) > 1e-12]
    perf = performance.reindex(te.index).astype(float)
    keep = perf.notna() & np.isfinite(perf) & perf.between(0, 100)
    te, perf = te[keep], perf[keep]
    if len(te) < 2:
        return None
    return importance_performance_map(te, perf, labels=lang)


def unit_fix_first(data, lang: str = "en") -> pd.DataFrame:
    """Quadrant-B drivers per unit, in the unit's latest period with an estimated model.

    Returns
    -------
    DataFrame
        Unit columns, ``period`` (when there is one) and ``fix_first`` (the
        drivers' ids, comma-separated, ``""`` when none), plus ``index``.
    """
    est = data.table("estimates")
    li = data.table("latent_indexes")
    headline = data.headline
    cols = data.unit_cols + ([data.period_col] if data.period_col else []) + ["index", "fix_first"]
    if est.empty or li.empty or headline is None:
        return pd.DataFrame(columns=cols)
    keys, pieces = split_units(est)
    pieces = dict(pieces)
    ok = li.loc[li["status"].isin(["ok", "inadmissible"]) & li["index"].notna()]
    if data.period_col:
        ok = ok.sort_values(data.period_col, kind="stable")
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
        tab = ipa_table(e, perf, headline, lang)
        fix = "" if tab is None else ", ".join(tab.loc[tab["quadrant"] == "B", "attribute"])
        head = g.loc[g["latent"] == headline, "index"]
        rows.append({**full, "index": float(head.iloc[0]) if len(head) else np.nan, "fix_first": fix})
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
    by = "industry" if "industry" in ci.columns else None
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
