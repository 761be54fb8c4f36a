"""``acsi.aggregate``: unit indexes to industry, sector and national indexes, step by step.

1. check the options and the unit-index table; set aside rows that are not aggregated
   (status not ``"ok"``, index missing) with their reason;
2. carry each unit's latest valid measurement forward for up to ``carry_forward`` periods;
3. attach sales weights (and optional industry totals / sector weights);
4. build the coefficient matrix ``C`` (aggregates × measurements) level by level;
5. point estimates ``C @ index``, variances ``C² @ se²``, provenance, changes.

All steps are vectorised over units (numpy/pandas/scipy.sparse); the only Python loop runs
over the ``window`` positions of the national moving average.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import AggregationError
from ..options import validate_params
from ..provenance import hash_tables, stamp
from ._messages import describe_keys
from .periods import PERIODS_PER_YEAR, labels
from .result import LEVELS, AggregateResult
from .uncertainty import difference_variances, interval, variances, z_test
from .validate import OPTIONS, normalise_group_weights, normalise_indexes, normalise_weights

__all__ = ["aggregate"]

_NONE = np.iinfo(np.int64).min  # "no period" sentinel (ordinals before 1970 are negative)


@validate_params("acsi.aggregate", **OPTIONS)
def aggregate(
    indexes: pd.DataFrame,
    weights: pd.DataFrame,
    *,
    unit: str = "company",
    window: int = 4,
    partial_windows: bool = False,
    carry_forward: int = 0,
    sector_weights: pd.DataFrame | None = None,
    industry_totals: pd.DataFrame | None = None,
    confidence: float = 0.95,
) -> AggregateResult:
    """Aggregate unit (company) indexes to industry, sector and national indexes (ACSI rules).

    Formulas (SPEC section 2; ACSI methodology)::

        industry  I_it = Σ_f S_fit · I_fit / Σ_f S_fit          f: the industry's units at t
        sector    I_st = Σ_i S_ist · I_ist / Σ_i S_ist          S_ist = Σ_f S_fit, or the given
                                                                 industry total
        quarter   Q_t  = Σ_s S_st · I_st / Σ_s S_st              S_st = Σ_i S_ist, or the given
                                                                 sector weight (e.g. GDP share)
        national  I_t  = (1/W_t) Σ_{k=0..window-1} Q_{t-k}      W_t = number of those periods
                                                                 with a Q value

    Only the units measured (or carried) in a period enter that period, and weights are
    renormalised over them. The national figure is published (``window_full``) only when all
    ``window`` periods have a value; with ``partial_windows=True`` partial means are published
    too (flagged ``window_full=False``); otherwise the row is kept with a NaN index
    (``published=False``). Periods whose whole window holds no data get no national row.
    A fifth level, ``national_quarter``, holds Q_t itself, so every national figure can be
    traced to the periods it averages.

    Choice for carry-forward (documented because it matters for the SE): a carried value is the
    *same* measurement, not a new sample. The national mean is therefore expanded over
    measurements (coefficient of m = (1/W_t) Σ_k c_{Q_{t-k}, m}) rather than treated as a mean
    of independent quarters. The naive formula ``(1/W²) Σ_q se_q²`` would understate the SE
    whenever a measurement is carried within the window; the expansion is exact under the
    stated assumptions and reduces to the naive formula when nothing is carried.

    Standard errors (independent samples per measurement, weights fixed)::

        A = Σ_m c_Am I_m,   se_A² = Σ_m c_Am² se_m²,   Cov(A, B) = Σ_m c_Am c_Bm se_m²

    where m runs over *measurements* (unit × period of measurement). For a weighted mean this
    is ``se² = Σ_f (w_f/Σw)² se_f²``; for the national mean of quarters on independent samples
    ``se² = (1/W²) Σ_q se_q²``; with carry-forward a measurement used in several quarters gets
    the sum of its coefficients, so the covariance between quarters is accounted for (see
    :mod:`acsi.aggregate.uncertainty`). Intervals: ``index ± z_{(1+confidence)/2} · se``.

    Change (per level and unit): ``change = I_t - I_{t-1}``, ``change_pct = 100·change/I_{t-1}``,
    year over year the same with ``t - periods_per_year`` (4 for quarters, 1 for years, 12 for
    months); ``change_se² = Σ_m (c_{t,m} - c_{t-1,m})² se_m²`` (= Var I_t + Var I_{t-1} − 2 Cov,
    so overlapping national windows and carried values are handled), ``z = change/change_se``,
    two-sided normal ``p`` (see :func:`change_test`); ``*_significant`` is ``p < 1 - confidence``
    (NA when there is nothing to compare or the change has no sampling variance). Baseline: the
    first published period of each (level, unit); ``change_baseline = I_t - I_baseline``.

    Bootstrap plug-in: the weights are fixed, so every aggregate is ``C @ I`` for the matrix
    ``result.coefficients``; ``result.combine(values)`` (or ``result.replicate_table``) applies
    the same vectorised map to replicate unit indexes, one column per replicate.

    Parameters
    ----------
    indexes : DataFrame
        One row per (period, unit): ``period`` ("2025Q3", "2008", "2025-07" or pandas Period),
        the unit column, ``industry``, ``sector``, ``index`` (0-100, NaN if failed), ``se``,
        ``n``, optional ``status`` (``"ok"`` or a failure reason) and ``reason``. Rows whose
        status is not ``"ok"`` or whose index is NaN are listed in ``result.excluded``.
        Extra columns are ignored.
    weights : DataFrame
        ``<unit>, sales``; optional ``period`` (sales per period, matched exactly to the period
        in which a measurement is used) and ``industry`` (a unit's sales in that industry).
    unit : str, default "company"
        Name of the unit column in both tables.
    window : int, default 4
        Periods in the national moving average (ACSI: four quarters).
    partial_windows : bool, default False
        Publish national means over incomplete windows (flagged).
    carry_forward : int, default 0
        Use a unit's latest valid measurement for up to this many later periods when it is not
        measured (ACSI measures sectors in different quarters). A failed measurement does not
        stop an earlier valid one from being carried; both are recorded.
    sector_weights : DataFrame, optional
        ``sector, weight`` (optional ``period``) to combine sectors instead of sales sums.
    industry_totals : DataFrame, optional
        ``industry, sales`` (optional ``period``): industry sales used as industry weights in
        the sector instead of the sum of the surveyed units' sales.
    confidence : float, default 0.95
        Level of the intervals; significance flags use ``p < 1 - confidence``.

    Returns
    -------
    AggregateResult

    Raises
    ------
    AggregationError
        Units without weights, weights without units, negative sales or zero total weight,
        a unit under two industries in one period, malformed periods, duplicate rows, a window
        longer than the data (unless ``partial_windows``), bad options. Each message lists the
        offending rows and how to fix them.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.DataFrame({"period": ["2025Q1"] * 2, "company": ["A", "B"],
    ...                     "industry": ["air"] * 2, "sector": ["transport"] * 2,
    ...                     "index": [70.0, 80.0], "se": [1.0, 2.0], "n": [250, 250]})
    >>> sales = pd.DataFrame({"company": ["A", "B"], "sales": [3.0, 1.0]})
    >>> res = aggregate(idx, sales, window=1)
    >>> res.table("industry")[["unit", "index", "se"]].round(4).to_dict("records")
    [{'unit': 'air', 'index': 72.5, 'se': 0.9014}]
    """
    # -- step 1: options and unit indexes ----------------------------------------------------
    if not isinstance(indexes, pd.DataFrame) and isinstance(getattr(indexes, "indexes", None), pd.DataFrame):
        indexes = indexes.indexes  # a FitResult
    rows, freq = normalise_indexes(indexes, unit)
    excluded = rows.loc[~rows["valid"]]
    # measurements in canonical order (period, unit): results do not depend on the input row order
    meas = rows.loc[rows["valid"]].sort_values(["t", "unit"], kind="stable").reset_index(drop=True)
    if meas.empty:
        reasons = excluded["reason"].value_counts().to_dict()
        raise AggregationError(
            f"No unit index can be aggregated: all {len(rows)} rows are excluded (reasons: {reasons}). "
            "Fix the failed units or pass indexes with status 'ok' and a numeric index."
        )
    t_lo, t_hi = int(rows["t"].min()), int(rows["t"].max())
    span = t_hi - t_lo + 1
    if window > span and not partial_windows:
        raise AggregationError(
            f"The national window ({window} periods) is longer than the data, which cover {span} period(s) "
            f"({labels([t_lo], freq)[0]} to {labels([t_hi], freq)[0]}); no national figure could be published. "
            f"Use window <= {span}, pass partial_windows=True (partial means, flagged), or add periods."
        )
    # -- step 2: carry forward -----------------------------------------------------------------
    uses = _carry(meas, carry_forward, t_hi)
    _check_carried_hierarchy(uses, freq, unit)
    # -- step 3: weights -----------------------------------------------------------------------
    wt = normalise_weights(weights, unit, freq, rows)
    uses, unused = _attach_weights(uses, wt, freq, unit, weights)
    ind_tot = normalise_group_weights(industry_totals, "industry", "sales", freq,
                                      set(rows["industry"].dropna()), "industry_totals")
    sec_w = normalise_group_weights(sector_weights, "sector", "weight", freq,
                                    set(rows["sector"].dropna()), "sector_weights")
    # -- step 4: coefficient matrix ------------------------------------------------------------
    plan = _build(uses, meas, ind_tot, sec_w, window, partial_windows, freq)
    if not partial_windows and not plan["any_full"]:
        have = labels(np.unique(uses["t"]), freq)
        raise AggregationError(
            f"No national figure can be published: no run of {window} consecutive periods has data "
            f"(periods with aggregated units: {', '.join(have[:12])}{' ...' if len(have) > 12 else ''}). "
            "Use a shorter window, carry measurements forward (carry_forward=K), or pass partial_windows=True."
        )
    # -- step 5: estimates, provenance, changes -------------------------------------------------
    table = _finish(plan, meas, uses, freq, confidence)
    hierarchy = pd.DataFrame({
        "period": labels(uses["t"], freq), unit: uses["unit"].to_numpy(), "industry": uses["industry"].to_numpy(),
        "sector": uses["sector"].to_numpy(), "sales": uses["w"].to_numpy(),
        "measured_period": labels(uses["t_src"], freq), "carried": uses["carried"].to_numpy(),
    })
    excl = pd.DataFrame({
        "row": excluded["row"].to_numpy(), "period": labels(excluded["t"], freq), unit: excluded["unit"].to_numpy(),
        "industry": excluded["industry"].to_numpy(), "sector": excluded["sector"].to_numpy(),
        "index": excluded["index"].to_numpy(), "status": excluded["status"].to_numpy(),
        "reason": excluded["reason"].to_numpy(),
    })
    measurements = pd.DataFrame({
        "period": labels(meas["t"], freq), unit: meas["unit"].to_numpy(), "industry": meas["industry"].to_numpy(),
        "sector": meas["sector"].to_numpy(), "index": meas["index"].to_numpy(), "se": meas["se"].to_numpy(),
        "n": meas["n"].to_numpy(), "row": meas["row"].to_numpy(),
    })
    options = {"unit": unit, "window": int(window), "partial_windows": bool(partial_windows),
               "carry_forward": int(carry_forward), "confidence": float(confidence), "frequency": freq,
               "sector_weights": sector_weights is not None, "industry_totals": industry_totals is not None,
               "input_hash": hash_tables(indexes, weights, sector_weights, industry_totals)}
    return AggregateResult(
        _table=table, hierarchy=hierarchy, excluded=excl, unused_weights=unused, measurements=measurements,
        coefficients=plan["C"], published=plan["published"], options=options, provenance=stamp(options),
    )


# ----------------------------------------------------------------------------- step 2
def _carry(meas: pd.DataFrame, k_max: int, t_hi: int) -> pd.DataFrame:
    """Unit-period uses: each measurement at its own period and, when the unit has no newer
    valid measurement, at up to ``k_max`` later periods (never beyond the data's last period)."""
    n = len(meas)
    if k_max == 0:
        rep = np.arange(n)
        k = np.zeros(n, dtype=np.int64)
    else:
        rep = np.repeat(np.arange(n), k_max + 1)
        k = np.tile(np.arange(k_max + 1, dtype=np.int64), n)
    t_src = meas["t"].to_numpy()[rep]
    t_use = t_src + k
    keep = t_use <= t_hi
    cand = pd.DataFrame({
        "unit": pd.Series(meas["unit"].to_numpy()[rep][keep], dtype=object), "t": t_use[keep], "t_src": t_src[keep],
        "meas": rep[keep],
    })
    if k_max > 0:
        cand = cand.sort_values(["unit", "t", "t_src"], kind="stable")
        cand = cand.drop_duplicates(["unit", "t"], keep="last")
    cand = cand.sort_values(["t", "unit"], kind="stable").reset_index(drop=True)
    mi = cand["meas"].to_numpy()
    cand["industry"] = pd.Series(meas["industry"].to_numpy()[mi], dtype=object)
    cand["sector"] = pd.Series(meas["sector"].to_numpy()[mi], dtype=object)
    cand["carried"] = cand["t"].to_numpy() != cand["t_src"].to_numpy()
    return cand


def _check_carried_hierarchy(uses: pd.DataFrame, freq: str, unit: str) -> None:
    """A carried measurement keeps its own industry/sector; it must not contradict another unit's."""
    n_sec = uses.groupby(["t", "industry"], sort=False)["sector"].transform("nunique").to_numpy()
    if (n_sec > 1).any():
        bad = uses.loc[n_sec > 1, ["t", "unit", "industry", "sector", "t_src"]].copy()
        bad["period"] = labels(bad.pop("t"), freq)
        bad["measured_period"] = labels(bad.pop("t_src"), freq)
        raise AggregationError(
            f"After carrying measurements forward, {len(bad)} use(s) put an industry under two sectors in one period:\n"
            f"{describe_keys(bad.rename(columns={'unit': unit}))}\n"
            "Classify the industry consistently across periods, or lower carry_forward."
        )


# ----------------------------------------------------------------------------- step 3
def _attach_weights(uses, wt, freq, unit, weights):
    keys = ["unit"] + [c for c in ("industry", "t") if c in wt]
    merged = uses.merge(wt, on=keys, how="left", validate="many_to_one")
    miss = merged["sales"].isna().to_numpy()
    if miss.any():
        bad = merged.loc[miss, ["t", "unit", "industry", "t_src"]].drop_duplicates()
        show = pd.DataFrame({"period": labels(bad["t"], freq), unit: bad["unit"].to_numpy(),
                             "industry": bad["industry"].to_numpy(), "measured_period": labels(bad["t_src"], freq)})
        how = "a row per (" + ", ".join(k if k != "t" else "period" for k in [unit] + keys[1:]) + ")"
        raise AggregationError(
            f"{len(show)} aggregated {unit}-period(s) have no sales weight (units without weights):\n"
            f"{describe_keys(show)}\nAdd {how} to the weights table"
            + (" (with carry_forward, also for the periods a measurement is carried into)" if "t" in wt else "")
            + ", or mark the unit's rows with a status other than 'ok' to leave it out."
        )
    used = np.zeros(len(wt), dtype=bool)
    used[merged["wrow"].to_numpy(dtype=np.int64)] = True
    unused = weights.reset_index(drop=True).loc[~used].copy()
    unused.insert(0, "row", np.flatnonzero(~used))
    unused["reason"] = f"the {unit} has no aggregated measurement" + (" in this period" if "t" in wt else "")
    out = merged.rename(columns={"sales": "w"}).drop(columns=["wrow"])
    return out.reset_index(drop=True), unused.reset_index(drop=True)


def _lookup(table: pd.DataFrame | None, keys: pd.DataFrame, name_col: str, what: str, freq: str, fix: str):
    """Value of ``table`` (name[, t] -> value) for each row of ``keys`` (name_col, t)."""
    k = pd.DataFrame({"name": keys[name_col].to_numpy(), "t": keys["t"].to_numpy()})
    on = ["name"] + (["t"] if "t" in table else [])
    got = k.merge(table, on=on, how="left")["value"].to_numpy()
    miss = np.isnan(got)
    if miss.any():
        bad = pd.DataFrame({name_col: k.loc[miss, "name"].to_numpy(), "period": labels(k.loc[miss, "t"], freq)})
        raise AggregationError(f"{int(miss.sum())} {what} have no value:\n{describe_keys(bad)}\n{fix}")
    return got


def _positive(total: np.ndarray, keys: pd.DataFrame, what: str, fix: str, freq: str) -> None:
    bad = ~(total > 0)
    if bad.any():
        show = keys.loc[bad].copy()
        show["period"] = labels(show.pop("t"), freq)
        raise AggregationError(f"{int(bad.sum())} {what} have zero total weight:\n{describe_keys(show)}\n{fix}")


# ----------------------------------------------------------------------------- step 4
def _build(uses, meas, ind_tot, sec_w, window, partial, freq) -> dict:
    """Coefficient matrix and the descriptive columns of every aggregate (see ``aggregate``)."""
    n_u = len(uses)
    t = uses["t"].to_numpy()
    w = uses["w"].to_numpy(dtype=float)
    # industry level: c1 = S_f / Σ S_f
    gi = uses.groupby(["t", "industry"], sort=True).ngroup().to_numpy()
    ind = uses.groupby(["t", "industry"], sort=True).agg(sector=("sector", "first")).reset_index()
    W = np.bincount(gi, weights=w, minlength=len(ind))
    _positive(W, ind[["industry", "t"]], "industry-period(s)",
              "All their units have sales 0; give at least one unit positive sales.", freq)
    c1 = w / W[gi]
    V = W if ind_tot is None else _lookup(
        ind_tot, ind, "industry", "industry-period(s) in industry_totals", freq,
        "Add their totals to industry_totals (or drop the period column to use one total for every period).")
    # sector level: c2 = c1 · V_i / Σ V_i
    gs = ind.groupby(["t", "sector"], sort=True).ngroup().to_numpy()
    sec = ind.groupby(["t", "sector"], sort=True).size().reset_index()[["sector", "t"]]
    Vs = np.bincount(gs, weights=V, minlength=len(sec))
    _positive(Vs, sec, "sector-period(s)", "Their industries' totals are all 0; give positive industry totals.", freq)
    share_i = V / Vs[gs]
    c2 = c1 * share_i[gi]
    U = Vs if sec_w is None else _lookup(
        sec_w, sec, "sector", "sector-period(s) in sector_weights", freq,
        "Add their weights to sector_weights (or drop its period column to use one weight for every period).")
    # national quarter: c3 = c2 · U_s / Σ U_s
    qt, gq = np.unique(sec["t"].to_numpy(), return_inverse=True)
    Uq = np.bincount(gq, weights=U, minlength=len(qt))
    _positive(Uq, pd.DataFrame({"t": qt}), "period(s)", "All sector weights are 0 there; give positive sector weights.", freq)
    share_s = U / Uq[gq]
    gsu = gs[gi]
    c3 = c2 * share_s[gsu]
    gqu = gq[gsu]
    # national moving average over `window` periods
    t0, t1 = int(qt.min()), int(qt.max())
    present = np.zeros(t1 - t0 + 1, dtype=np.int64)
    present[qt - t0] = 1
    cs = np.concatenate([[0], np.cumsum(present)])
    tau = np.arange(t0, t1 + 1)
    n_avail = cs[tau - t0 + 1] - cs[np.maximum(tau - t0 + 1 - window, 0)]
    keep_tau = n_avail > 0  # periods whose window holds no data get no national row
    tau, n_avail = tau[keep_tau], n_avail[keep_tau]
    tau_row = np.full(t1 - t0 + 1, -1, dtype=np.int64)
    tau_row[tau - t0] = np.arange(len(tau))
    full = n_avail == window
    nat_rows, nat_use, nat_coef = [], [], []
    for k in range(window):  # loop over window positions, not over units
        tt = t + k
        ok = tt <= t1
        row = tau_row[tt[ok] - t0]
        nat_rows.append(row)
        nat_use.append(np.flatnonzero(ok))
        nat_coef.append(c3[ok] / n_avail[row])
    nat_rows = np.concatenate(nat_rows)
    nat_use = np.concatenate(nat_use)
    nat_coef = np.concatenate(nat_coef)
    # assemble: rows of C in level order
    n_i, n_s, n_q, n_n = len(ind), len(sec), len(qt), len(tau)
    off = np.cumsum([0, n_u, n_i, n_s, n_q])
    agg_row = np.concatenate([np.arange(n_u), off[1] + gi, off[2] + gsu, off[3] + gqu, off[4] + nat_rows])
    use_ix = np.concatenate([np.arange(n_u), np.arange(n_u), np.arange(n_u), np.arange(n_u), nat_use])
    coef = np.concatenate([np.ones(n_u), c1, c2, c3, nat_coef])
    nz = coef != 0
    agg_row, use_ix, coef = agg_row[nz], use_ix[nz], coef[nz]
    n_agg = int(off[4] + n_n)
    meas_ix = uses["meas"].to_numpy()[use_ix]
    C = sparse.coo_matrix((coef, (agg_row, meas_ix)), shape=(n_agg, len(meas))).tocsr()
    C.sum_duplicates()
    C.eliminate_zeros()
    published = np.ones(n_agg, dtype=bool)
    published[off[4]:] = full | bool(partial)
    desc = pd.DataFrame({
        "level": np.repeat(np.array(LEVELS, dtype=object), [n_u, n_i, n_s, n_q, n_n]),
        "unit": np.concatenate([uses["unit"].to_numpy(dtype=object), ind["industry"].to_numpy(dtype=object),
                                sec["sector"].to_numpy(dtype=object), np.full(n_q + n_n, "national", dtype=object)]),
        "parent": np.concatenate([uses["industry"].to_numpy(dtype=object), ind["sector"].to_numpy(dtype=object),
                                  np.full(n_s + n_q, "national", dtype=object), np.full(n_n, None, dtype=object)]),
        "t": np.concatenate([t, ind["t"].to_numpy(), sec["t"].to_numpy(), qt, tau]),
        "weight": np.concatenate([w, V, U, Uq, np.full(n_n, np.nan)]),
        "weight_share": np.concatenate([c1, share_i, share_s, np.full(n_q + n_n, np.nan)]),
        "window_periods": np.concatenate([np.full(n_u + n_i + n_s + n_q, np.nan), n_avail.astype(float)]),
        "window_full": pd.array(np.concatenate([np.full(n_u + n_i + n_s + n_q, pd.NA, dtype=object),
                                                full.astype(object)]), dtype="boolean"),
    })
    # provenance from the (aggregate, use) entries
    u_carried = uses["carried"].to_numpy()
    n_carried = np.bincount(agg_row, weights=u_carried[use_ix].astype(float), minlength=n_agg)
    t_src = uses["t_src"].to_numpy()[use_ix]
    m_from = np.full(n_agg, np.iinfo(np.int64).max)
    m_to = np.full(n_agg, np.iinfo(np.int64).min)
    np.minimum.at(m_from, agg_row, t_src)
    np.maximum.at(m_to, agg_row, t_src)
    codes, uniq = pd.factorize(meas["unit"])
    unit_code = codes[meas_ix]
    # distinct units per aggregate = non-zeros per row of the (aggregate x unit) pattern
    pattern = sparse.csr_matrix((np.ones(len(agg_row)), (agg_row, unit_code)), shape=(n_agg, len(uniq)))
    n_units = np.diff(pattern.indptr)
    desc["n_units"] = n_units
    desc["n_measurements"] = np.diff(C.indptr)
    desc["n_carried"] = n_carried.astype(np.int64)
    desc["m_from"] = m_from
    desc["m_to"] = m_to
    desc["carried_from"] = np.concatenate([np.where(u_carried, uses["t_src"].to_numpy(), _NONE),
                                           np.full(n_agg - n_u, _NONE)])
    return {"C": C, "published": published, "desc": desc, "any_full": bool(full.any())}


# ----------------------------------------------------------------------------- step 5
def _finish(plan, meas, uses, freq, confidence) -> pd.DataFrame:
    C, published, d = plan["C"], plan["published"], plan["desc"]
    index_m = meas["index"].to_numpy(dtype=float)
    se_m = meas["se"].to_numpy(dtype=float)
    n_m = meas["n"].to_numpy(dtype=float)
    est = np.asarray(C @ index_m).ravel()
    var = variances(C, se_m)
    pattern = C.copy()
    pattern.data = np.ones_like(pattern.data)
    n_resp = np.asarray(pattern @ n_m).ravel()
    est = np.where(published, est, np.nan)
    se = np.where(published, np.sqrt(var), np.nan)
    lo, hi = interval(est, se, confidence)
    alpha = 1.0 - confidence
    out = pd.DataFrame({
        "period": labels(d["t"], freq), "level": d["level"], "unit": d["unit"], "parent": d["parent"],
        "index": est, "se": se, "ci_lower": lo, "ci_upper": hi,
        "n_respondents": n_resp, "n_units": d["n_units"], "weight": d["weight"], "weight_share": d["weight_share"],
    })
    key = pd.DataFrame({"level": d["level"], "unit": d["unit"], "t": d["t"], "i": np.arange(len(d))})
    for name, lag in (("change", 1), ("change_yoy", PERIODS_PER_YEAR[freq])):
        a, b = _pairs(key, lag)  # a: earlier period, b: this period
        diff = np.full(len(d), np.nan)
        pct = np.full(len(d), np.nan)
        cse = np.full(len(d), np.nan)
        p = np.full(len(d), np.nan)
        if len(a):
            dv = difference_variances(C, se_m, a, b)
            # coefficients equal up to rounding (same measurements): no sampling variance
            dv = np.where(dv <= 1e-20 * (var[a] + var[b]), 0.0, dv)
            ct = z_test(est[b] - est[a], np.sqrt(dv))
            diff[b] = ct.difference
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                pct[b] = np.where(est[a] != 0, 100.0 * ct.difference / est[a], np.nan)
            cse[b] = ct.se
            p[b] = ct.p
        out[name] = diff
        out[f"{name}_pct"] = pct
        out[f"{name}_se"] = cse
        out[f"{name}_p"] = p
        out[f"{name}_significant"] = pd.array(np.where(np.isnan(p), None, p < alpha), dtype="boolean")
    # baseline: first published period with an index, per (level, unit)
    has = ~np.isnan(est)
    first = key.loc[has].sort_values("t").drop_duplicates(["level", "unit"])
    base = key[["level", "unit"]].merge(first, on=["level", "unit"], how="left")
    bi = base["i"].to_numpy()
    okb = ~np.isnan(bi)
    bidx = np.where(okb, bi, 0).astype(np.int64)
    base_t = np.where(okb, d["t"].to_numpy()[bidx], _NONE)
    out["baseline_period"] = _label_or_na(base_t, freq)
    out["baseline_index"] = np.where(okb, est[bidx], np.nan)
    out["change_baseline"] = out["index"] - out["baseline_index"]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out["change_baseline_pct"] = np.where(out["baseline_index"] != 0,
                                              100.0 * out["change_baseline"] / out["baseline_index"], np.nan)
    out["window_periods"] = d["window_periods"]
    out["window_full"] = d["window_full"]
    out["published"] = published
    out["n_measurements"] = d["n_measurements"]
    out["n_carried"] = d["n_carried"]
    out["carried_from"] = _label_or_na(d["carried_from"].to_numpy(), freq)
    out["measured_from"] = labels(d["m_from"], freq)
    out["measured_to"] = labels(d["m_to"], freq)
    # Rows are already ordered by level, period, unit, and row i of the table is row i of C.
    return out


def _pairs(key: pd.DataFrame, lag: int):
    prev = key.assign(t=key["t"] + lag)
    m = key.merge(prev, on=["level", "unit", "t"], suffixes=("", "_prev"))
    return m["i_prev"].to_numpy(), m["i"].to_numpy()


def _label_or_na(t: np.ndarray, freq: str) -> np.ndarray:
    t = np.asarray(t, dtype=np.int64)
    out = np.full(len(t), None, dtype=object)
    ok = t != _NONE
    if ok.any():
        out[ok] = labels(t[ok], freq)
    return out
