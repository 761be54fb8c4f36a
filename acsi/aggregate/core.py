"""``acsi.aggregate``: unit indexes to industry, sector and national indexes, step by step.

1. check the options and the unit-index table (periods through :mod:`acsi.data.periods`); set
   aside rows that are not aggregated (headline status not ``"ok"``, index missing) with their
   reason; resolve the national window as a span of time;
2. carry each unit's latest valid measurement forward (``carry_forward``, or the window with
   ``national="latest"``);
3. attach sales weights (and optional industry totals / sector weights);
4. build the coefficient matrices, level by level, as sparse maps from unit uses to
   aggregates (``U``) and from uses to measurements (``P``): ``C = U @ P``;
5. point estimates ``C @ index``, variances ``C² @ se²``, provenance, status, and changes as
   published and like for like (:mod:`acsi.aggregate.changes`).

Everything is vectorised over units (numpy/pandas/scipy.sparse).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import AggregationError
from ..options import validate_params
from ..provenance import hash_tables, stamp
from ._messages import describe_keys
from ._sparse import window_matrix
from .changes import change_columns
from .hierarchy import Hierarchy
from .periods import FREQUENCY_NAMES, Calendar, labels, span_periods
from .result import LEVELS, AggregateResult
from ..score.scores import t_interval
from .uncertainty import interval, variances
from .validate import OPTIONS, check_window_once, normalise_group_weights, normalise_indexes, normalise_weights

__all__ = ["aggregate"]

NONE = np.iinfo(np.int64).min  # "no period" sentinel (ordinals before 1970 are negative)


@validate_params("acsi.aggregate", **OPTIONS)
def aggregate(
    indexes: pd.DataFrame,
    weights: pd.DataFrame,
    *,
    unit: str = "company",
    span: str | None = None,
    window: int | None = None,
    national: str = "mean",
    partial_windows: bool = False,
    carry_forward: int | None = None,
    change_test: str = "matched",
    sector_weights: pd.DataFrame | None = None,
    industry_totals: pd.DataFrame | None = None,
    latent: str | None = None,
    status: str | None = None,
    confidence: float = 0.95,
) -> AggregateResult:
    """Aggregate unit (company) indexes to industry, sector and national indexes (ACSI rules).

    Formulas (SPEC section 2; ACSI methodology)::

        industry  I_it = Σ_f S_fit · I_fit / Σ_f S_fit          f: the industry's units at t
        sector    I_st = Σ_i S_ist · I_ist / Σ_i S_ist          S_ist = Σ_f S_fit, or the given
                                                                 industry total
        period    Q_t  = Σ_s S_st · I_st / Σ_s S_st              S_st = Σ_i S_ist, or the given
                                                                 sector weight (e.g. GDP share)
        national  national="mean":   I_t = (1/W_t) Σ_{k=0..L-1} Q_{t-k}   W_t = periods with a Q
                  national="latest": I_t = Q_t with each unit's latest measurement of the
                                     last L periods carried forward (ACSI's rolling practice)

    where L is the national window in periods: ``span`` is a span of time, default ``"1Y"``
    ("the latest year": 4 quarters, 12 months or 1 year, whatever the data's frequency);
    ``window`` (the older option) is the same as a number of periods of the data's own
    frequency. The frequency is read from the period labels (:mod:`acsi.data.periods`), so an
    annual table gets a one-year national figure, not a four-year average.

    Only the units measured (or carried) in a period enter that period, and weights are
    renormalised over them. The national figure is published (``window_full``) only when the
    whole window is covered -- ``mean``: all L periods have a value; ``latest``: the window does
    not reach back before the first period of data; with ``partial_windows=True`` partial
    figures are published too (flagged ``window_full=False``); otherwise the row is kept with
    a NaN index (``published=False``, ``status="not published"`` and the reason). A fifth
    level, ``national_quarter``, holds Q_t itself (one row per period, whatever the frequency).

    Carry-forward and the window (issue 13): ACSI measures each sector once a year and updates
    the national score every quarter "on a rolling basis, with new data for one or more
    sectors replacing data collected the previous year" (sources in
    :mod:`acsi.aggregate.changes`) -- every sector enters with its latest measurement, once. That is ``national="latest"`` (carry-forward of L-1 periods, no further
    averaging). Carrying measurements forward *and* averaging L periods of the carried values
    smooths twice: a measurement enters up to L times, older ones with more weight than the
    newest (hand example: 76.5 where the plain four-quarter mean is 71.25 and ACSI's practice
    74.5). That combination (``carry_forward > 0`` with ``national="mean"`` over more than one
    period) is refused with a message naming the two ways out.

    Choice for carry-forward (documented because it matters for the SE): a carried value is the
    *same* measurement, not a new sample, so every aggregate is expanded over measurements and
    a measurement used in several periods gets the sum of its coefficients.

    Standard errors (independent samples per measurement, weights fixed)::

        A = Σ_m c_Am I_m,   se_A² = Σ_m c_Am² se_m²,   Cov(A, B) = Σ_m c_Am c_Bm se_m²

    where m runs over *measurements* (unit × period of measurement); see
    :mod:`acsi.aggregate.uncertainty`. Intervals: ``index ± z_{(1+confidence)/2} · se`` for
    aggregates; a company row is the unit's own index and keeps its Student-t interval
    (``acsi.score.t_interval``, n − 1 df), as in the fit's tables.

    Changes (per level and unit; previous period and the same period a year earlier) are
    reported twice (:mod:`acsi.aggregate.changes`): ``change`` as published (all units of each
    period) and ``change_matched`` on the units present in both periods, with
    ``change_composition = change - change_matched`` and ``change_composition_changed``. The
    significance flag of a change (``change_significant``) uses the matched set unless
    ``change_test="published"``. ``change_se`` / ``change_p`` belong to the published change,
    ``change_matched_se`` / ``change_matched_p`` to the like-for-like change. Baseline: the
    first published period of each (level, unit); ``change_baseline = I_t - I_baseline``.

    Units never disappear: a unit row that is not aggregated stays in the company level of the
    table with ``status="withheld"`` and its reason (and in ``result.excluded``).

    Bootstrap plug-in: the weights are fixed, so every aggregate is ``C @ I`` for the matrix
    ``result.coefficients``; ``result.combine(values)`` (or ``result.replicate_table``) applies
    the same vectorised map to replicate unit indexes, one column per replicate.

    Parameters
    ----------
    indexes : DataFrame or FitResult
        One row per (period, unit): ``period`` (any spelling :mod:`acsi.data.periods` reads:
        ``2025Q3``, ``2025 Q3``, ``2025-07``, ``2008`` or pandas Periods), the unit column,
        ``industry``, ``sector``, ``index`` (0-100, NaN if failed), ``se``, ``n``, optional
        ``headline_status`` / ``status`` (``"ok"`` or a failure) and ``reason``. A per-latent
        table (column ``latent``, e.g. ``fit.latent_indexes``) with ``latent=``. Extra columns
        are ignored. A FitResult stands for its ``indexes`` (``latent_indexes`` with ``latent=``).
    weights : DataFrame
        ``<unit>, sales``; optional ``period`` (sales per period, matched exactly to the period
        in which a measurement is used) and ``industry`` (a unit's sales in that industry).
        Sales must be finite and >= 0.
    unit : str, default "company"
        Name of the unit column in both tables.
    span : str, optional
        The national window as a span of time: ``"1Y"`` (default), ``"4Q"``, ``"12M"``,
        ``"2Y"``...; a whole number of the data's periods.
    window : int, optional
        The national window as a number of periods of the data's frequency (the option of
        earlier versions; 4 on quarterly data is the default span ``"1Y"``). Not with ``span``.
    national : {"mean", "latest"}, default "mean"
        ``"mean"``: the national figure averages the per-period values of the window;
        ``"latest"``: ACSI's rolling practice, each unit's latest measurement of the window,
        combined once (see above).
    partial_windows : bool, default False
        Publish national figures of incomplete windows (flagged).
    carry_forward : int, optional
        Use a unit's latest valid measurement for up to this many later periods when it is not
        measured. Default 0 (``"mean"``) or window - 1 (``"latest"``, the only value it
        accepts). With ``"mean"`` it needs a one-period window (see above). A failed
        measurement does not stop an earlier valid one from being carried; both are recorded.
    change_test : {"matched", "published"}, default "matched"
        Which change the significance flags test (see above).
    sector_weights : DataFrame, optional
        ``sector, weight`` (optional ``period``) to combine sectors instead of sales sums.
    industry_totals : DataFrame, optional
        ``industry, sales`` (optional ``period``): industry sales used as industry weights in
        the sector instead of the sum of the surveyed units' sales.
    latent : str, optional
        With a per-latent table: which latent's index to aggregate (e.g. ``"CS"``).
    status : str, optional
        Name of the status column that decides which rows are aggregated (default
        ``headline_status`` if present, else ``status``).
    confidence : float, default 0.95
        Level of the intervals; significance flags use ``p < 1 - confidence``.

    Returns
    -------
    AggregateResult

    Raises
    ------
    AggregationError
        Units without weights, weights without units, negative or non-finite sales or zero
        total weight, a unit under two industries in one period, malformed or mixed-frequency
        periods, duplicate rows, a window longer than the data (unless ``partial_windows``),
        carry-forward with a multi-period mean, bad options. Each message lists the offending
        rows or values and how to fix them.

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
    # -- step 1: options, unit indexes, calendar, window ---------------------------------------
    if not isinstance(indexes, pd.DataFrame):
        table_name = "latent_indexes" if latent is not None else "indexes"
        if isinstance(getattr(indexes, table_name, None), pd.DataFrame):
            indexes = getattr(indexes, table_name)  # a FitResult
    check_window_once(span, window)
    rows, freq, used = normalise_indexes(indexes, unit, latent=latent, status=status)
    calendar = Calendar.from_ordinals(rows["t"].to_numpy(), freq)
    length, span_text = _window_length(span, window, freq)
    carry = _carry_periods(national, carry_forward, length, span_text, freq)
    excluded = rows.loc[~rows["valid"]]
    # measurements in canonical order (period, unit): results do not depend on the input row order
    meas = rows.loc[rows["valid"]].sort_values(["t", "unit"], kind="stable").reset_index(drop=True)
    if meas.empty:
        reasons = excluded["reason"].value_counts().to_dict()
        raise AggregationError(
            f"No unit index can be aggregated: all {len(rows)} rows are excluded (reasons: {reasons}). "
            "Fix the failed units or pass indexes with status 'ok' and a numeric index."
        )
    t_lo, t_hi = calendar.first, calendar.last
    if length > len(calendar) and not partial_windows:
        raise AggregationError(
            f"The national window ({length} periods) is longer than the data: span {span_text!r} of "
            f"{FREQUENCY_NAMES[freq]}, while the data cover {len(calendar)} period(s) ({labels([t_lo], freq)[0]} to "
            f"{labels([t_hi], freq)[0]}); no national figure could be published. Use a shorter window "
            f"(window <= {len(calendar)} or a shorter span), pass partial_windows=True (partial figures, flagged), "
            "or add periods."
        )
    # -- step 2: carry forward -----------------------------------------------------------------
    uses = _carry(meas, carry, t_hi)
    _check_carried_hierarchy(uses, freq, unit)
    # -- step 3: weights -----------------------------------------------------------------------
    wt = normalise_weights(weights, unit, freq, rows)
    uses, unused = _attach_weights(uses, wt, freq, unit, weights)
    ind_tot = normalise_group_weights(industry_totals, "industry", "sales", freq,
                                      set(rows["industry"].dropna()), "industry_totals")
    sec_w = normalise_group_weights(sector_weights, "sector", "weight", freq,
                                    set(rows["sector"].dropna()), "sector_weights")
    # -- step 4: coefficient matrices ----------------------------------------------------------
    plan = _build(uses, meas, excluded, ind_tot, sec_w, length=length, national=national, partial=partial_windows,
                  t_first=t_lo, freq=freq)
    if not partial_windows and not plan["any_full"]:
        have = labels(np.unique(uses["t"]), freq)
        raise AggregationError(
            f"No national figure can be published: no run of {length} consecutive periods has data "
            f"(periods with aggregated units: {', '.join(have[:12])}{' ...' if len(have) > 12 else ''}). "
            "Use a shorter window, use each unit's latest measurement of the window (national='latest', ACSI's "
            "practice), or pass partial_windows=True."
        )
    # -- step 5: estimates, provenance, changes -------------------------------------------------
    table = _finish(plan, meas, freq, confidence, change_test)
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
    options = {"unit": unit, "span": span_text, "window": int(length), "national": national,
               "partial_windows": bool(partial_windows), "carry_forward": int(carry), "change_test": change_test,
               "confidence": float(confidence), "frequency": freq, "periods": calendar.describe(),
               "gaps": list(calendar.gaps), "latent": used["latent"], "status_column": used["status_column"],
               "sector_weights": sector_weights is not None, "industry_totals": industry_totals is not None,
               "input_hash": hash_tables(indexes, weights, sector_weights, industry_totals)}
    return AggregateResult(
        _table=table, hierarchy=hierarchy, excluded=excl, unused_weights=unused, measurements=measurements,
        coefficients=plan["C"], published=plan["published"], options=options, calendar=calendar,
        provenance=stamp(options),
    )


def _window_length(span, window, freq: str) -> tuple[int, str]:
    """(periods in the national window, the span as text): ``span`` or ``window``, default one year."""
    if window is not None:
        return int(window), f"{int(window)}{freq}"
    from ..data.periods import span_label

    span = "1Y" if span is None else span
    return span_periods(span, freq), span_label(span, error=AggregationError)


def _carry_periods(national: str, carry_forward, length: int, span_text: str, freq: str) -> int:
    """Periods a measurement is carried forward; refuses carry-forward under a multi-period mean."""
    names = FREQUENCY_NAMES[freq]
    if national == "latest":
        if carry_forward is not None and carry_forward != length - 1:
            raise AggregationError(
                f"national='latest' uses each unit's latest measurement of the national window ({length} {names}, span "
                f"{span_text!r}), i.e. carries a measurement forward {length - 1} period(s); carry_forward="
                f"{carry_forward} contradicts it. Drop carry_forward=, or set the window you mean with span=/window=."
            )
        return length - 1
    carry = 0 if carry_forward is None else int(carry_forward)
    if carry > 0 and length > 1:
        raise AggregationError(
            f"carry_forward={carry} with a national mean over {length} {names} (span {span_text!r}) smooths twice: "
            f"carry-forward already fills each period with units' measurements of up to {carry} earlier period(s), and "
            f"the mean then averages {length} such periods, so one measurement enters the national figure up to "
            f"{min(carry + 1, length)} times and older measurements weigh more than the newest. Choose one smoothing: "
            f"national='latest' (ACSI's rolling practice: each unit's latest measurement of the last {length} {names}, "
            f"counted once), or carry_forward=0 (the plain mean of the {length} periods), or a one-period window "
            f"(window=1) to carry measurements within periods only. On the command line: --national latest, "
            "--carry-forward 0 or --window 1."
        )
    return carry


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


# ----------------------------------------------------------------------------- step 4
def _build(uses, meas, excluded, ind_tot, sec_w, *, length, national, partial, t_first, freq) -> dict:
    """Coefficient matrices and the descriptive columns of every aggregate (see ``aggregate``)."""
    n_u = len(uses)
    hier = Hierarchy(uses, ind_tot, sec_w, freq)
    lv = hier.main
    # company rows: every use, plus withheld unit rows that no (carried) use covers
    comp = pd.DataFrame({"t": uses["t"].to_numpy(), "unit": uses["unit"].to_numpy(dtype=object),
                         "parent": uses["industry"].to_numpy(dtype=object), "use": np.arange(n_u),
                         "weight": uses["w"].to_numpy(dtype=float), "share": lv["industry"].coef,
                         "status": "ok", "reason": np.where(uses["carried"].to_numpy(), "carried from ", "")})
    comp["reason"] = comp["reason"] + np.where(uses["carried"].to_numpy(), labels(uses["t_src"], freq), "")
    held = excluded[["t", "unit", "industry", "reason", "n"]].merge(
        comp[["t", "unit", "use"]], on=["t", "unit"], how="left")
    covered = held["use"].notna().to_numpy()
    if covered.any():  # a carried use stands in for a withheld measurement: say so on its row
        cu = held.loc[covered, "use"].to_numpy(dtype=np.int64)
        comp.loc[cu, "reason"] = (comp.loc[cu, "reason"].to_numpy(dtype=object) + "; the measurement of this period is "
                                  "withheld: " + held.loc[covered, "reason"].to_numpy(dtype=object))
    held = held.loc[~covered]
    comp = pd.concat([comp, pd.DataFrame({
        "t": held["t"].to_numpy(), "unit": held["unit"].to_numpy(dtype=object),
        "parent": held["industry"].to_numpy(dtype=object), "use": -1, "weight": np.nan, "share": np.nan,
        "status": "withheld", "reason": held["reason"].to_numpy(dtype=object), "n_held": held["n"].to_numpy()})],
        ignore_index=True).sort_values(["t", "unit"], kind="stable").reset_index(drop=True)
    has_use = comp["use"].to_numpy() >= 0
    U_comp = sparse.csr_matrix((np.ones(int(has_use.sum())), (np.flatnonzero(has_use), comp.loc[has_use, "use"])),
                               shape=(len(comp), n_u))
    U_ind, U_sec, U_q = (lv[k].matrix(np.arange(n_u), n_u) for k in ("industry", "sector", "national_quarter"))
    # national: the mean of `length` periods ("mean"), or the period itself ("latest")
    qt = hier.qt
    width = length if national == "mean" else 1
    t0, t1 = int(qt.min()), int(qt.max())
    tau = np.arange(t0, t1 + 1)
    n_avail = np.asarray(window_matrix(tau, qt, width).sum(axis=1)).ravel().astype(np.int64)
    keep = n_avail > 0  # periods whose window holds no data get no national row
    tau, n_avail = tau[keep], n_avail[keep]
    if national == "mean":
        covered_p = n_avail
    else:  # periods of the window on or after the first period of data
        covered_p = np.minimum(length, tau - t_first + 1)
    full = covered_p == length
    A = window_matrix(tau, qt, width, 1.0 / n_avail)
    U_nat = (A @ U_q).tocsr()
    U_all = sparse.vstack([U_comp, U_ind, U_sec, U_q, U_nat]).tocsr()
    U_all.eliminate_zeros()
    P = sparse.csr_matrix((np.ones(n_u), (np.arange(n_u), uses["meas"].to_numpy())), shape=(n_u, len(meas)))
    C = (U_all @ P).tocsr()
    C.sum_duplicates()
    C.eliminate_zeros()
    n_c, n_i, n_s, n_q, n_n = len(comp), len(hier.keys["industry"]), len(hier.keys["sector"]), len(qt), len(tau)
    n_agg = n_c + n_i + n_s + n_q + n_n
    published = np.ones(n_agg, dtype=bool)
    published[:n_c] = has_use
    published[n_agg - n_n:] = full | bool(partial)
    names = ("industry", "sector", "national_quarter")
    keys = [hier.keys[k].assign(weight=lv[k].weight, share=lv[k].share) for k in names]
    desc = pd.DataFrame({
        "level": np.repeat(np.array(LEVELS, dtype=object), [n_c, n_i, n_s, n_q, n_n]),
        "unit": np.concatenate([comp["unit"].to_numpy(dtype=object)] + [k["unit"].to_numpy(dtype=object) for k in keys]
                               + [np.full(n_n, "national", dtype=object)]),
        "parent": np.concatenate([comp["parent"].to_numpy(dtype=object)] + [k["parent"].to_numpy(dtype=object) for k in keys]
                                 + [np.full(n_n, None, dtype=object)]),
        "t": np.concatenate([comp["t"].to_numpy(dtype=np.int64)] + [k["t"].to_numpy(dtype=np.int64) for k in keys] + [tau]),
        "weight": np.concatenate([comp["weight"].to_numpy(dtype=float)] + [k["weight"].to_numpy(dtype=float) for k in keys]
                                 + [np.full(n_n, np.nan)]),
        "weight_share": np.concatenate([comp["share"].to_numpy(dtype=float)] + [k["share"].to_numpy(dtype=float) for k in keys]
                                       + [np.full(n_n, np.nan)]),
        "window_periods": np.concatenate([np.full(n_agg - n_n, np.nan), covered_p.astype(float)]),
        "window_full": pd.array(np.concatenate([np.full(n_agg - n_n, pd.NA, dtype=object), full.astype(object)]),
                                dtype="boolean"),
    })
    # status and reason of every row
    status = np.concatenate([comp["status"].to_numpy(dtype=object), np.full(n_agg - n_c, "ok", dtype=object)])
    reason = np.concatenate([comp["reason"].to_numpy(dtype=object), np.full(n_agg - n_c, "", dtype=object)])
    what = "periods with data" if national == "mean" else "periods covered by the data"
    part = [f"partial window: {what} {k} of {length}" + (" (published, flagged)" if partial else "") for k in covered_p]
    status[n_agg - n_n:] = np.where(full | bool(partial), "ok", "not published")
    reason[n_agg - n_n:] = np.where(full, "", np.asarray(part, dtype=object))
    desc["status"] = status
    desc["reason"] = reason
    # provenance from the (aggregate, use) entries
    Uc = U_all.tocoo()
    u_carried = uses["carried"].to_numpy()
    n_carried = np.bincount(Uc.row, weights=u_carried[Uc.col].astype(float), minlength=n_agg)
    t_src = uses["t_src"].to_numpy()[Uc.col]
    m_from = np.full(n_agg, np.iinfo(np.int64).max)
    m_to = np.full(n_agg, NONE)
    np.minimum.at(m_from, Uc.row, t_src)
    np.maximum.at(m_to, Uc.row, t_src)
    m_from[m_from == np.iinfo(np.int64).max] = NONE
    codes, uniq = pd.factorize(uses["unit"])
    unit_of_use = sparse.csr_matrix((np.ones(n_u), (np.arange(n_u), codes)), shape=(n_u, len(uniq)))
    pattern = U_all.copy()
    pattern.data = np.ones_like(pattern.data)
    desc["n_units"] = np.diff((pattern @ unit_of_use).tocsr().indptr)
    desc["n_measurements"] = np.diff(C.indptr)
    desc["n_carried"] = n_carried.astype(np.int64)
    desc["m_from"] = m_from
    desc["m_to"] = m_to
    comp_carried = np.where(has_use, u_carried[np.maximum(comp["use"].to_numpy(), 0)], False)
    comp_src = np.where(comp_carried, uses["t_src"].to_numpy()[np.maximum(comp["use"].to_numpy(), 0)], NONE)
    desc["carried_from"] = np.concatenate([comp_src, np.full(n_agg - n_c, NONE)])
    held_n = comp["n_held"].to_numpy(dtype=float) if "n_held" in comp else np.full(n_c, np.nan)
    return {"C": C, "U": U_all, "published": published, "desc": desc, "any_full": bool(full.any()),
            "offsets": np.cumsum([0, n_c, n_i, n_s, n_q, n_n]), "hierarchy": hier, "uses": uses, "P": P,
            "national": {"tau": tau, "qt": qt, "width": width, "full": full, "n_avail": n_avail},
            "held_n": held_n}


# ----------------------------------------------------------------------------- step 5
def _finish(plan, meas, freq, confidence, change_test) -> pd.DataFrame:
    C, published, d = plan["C"], plan["published"], plan["desc"]
    index_m = meas["index"].to_numpy(dtype=float)
    se_m = meas["se"].to_numpy(dtype=float)
    n_m = meas["n"].to_numpy(dtype=float)
    est = np.asarray(C @ index_m).ravel()
    var = variances(C, se_m)
    pattern = C.copy()
    pattern.data = np.ones_like(pattern.data)
    n_resp = np.asarray(pattern @ n_m).ravel()
    n_c = plan["offsets"][1]
    n_resp[:n_c] = np.where(published[:n_c], n_resp[:n_c], plan["held_n"])
    est = np.where(published, est, np.nan)
    se = np.where(published, np.sqrt(var), np.nan)
    lo, hi = interval(est, se, confidence)
    # a company row is the unit's own index: the same Student-t interval as acsi.score.unit_index
    # (n - 1 degrees of freedom, n its respondents), so one unit index never carries two intervals
    lo[:n_c], hi[:n_c] = t_interval(est[:n_c], se[:n_c], n_resp[:n_c], confidence)
    out = pd.DataFrame({
        "period": labels(d["t"], freq), "level": d["level"], "unit": d["unit"], "parent": d["parent"],
        "index": est, "se": se, "ci_lower": lo, "ci_upper": hi,
        "n_respondents": n_resp, "n_units": d["n_units"], "weight": d["weight"], "weight_share": d["weight_share"],
    })
    for name, cols in change_columns(plan, est, var, se_m, index_m, freq, confidence, change_test).items():
        out[name] = cols
    # baseline: first published period with an index, per (level, unit)
    key = pd.DataFrame({"level": d["level"], "unit": d["unit"], "t": d["t"], "i": np.arange(len(d))})
    has = ~np.isnan(est)
    first = key.loc[has].sort_values("t").drop_duplicates(["level", "unit"])
    base = key[["level", "unit"]].merge(first, on=["level", "unit"], how="left")
    bi = base["i"].to_numpy()
    okb = ~np.isnan(bi)
    bidx = np.where(okb, bi, 0).astype(np.int64)
    base_t = np.where(okb, d["t"].to_numpy()[bidx], NONE)
    out["baseline_period"] = label_or_na(base_t, freq)
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
    out["carried_from"] = label_or_na(d["carried_from"].to_numpy(), freq)
    out["measured_from"] = label_or_na(d["m_from"].to_numpy(), freq)
    out["measured_to"] = label_or_na(d["m_to"].to_numpy(), freq)
    out["status"] = d["status"]
    out["reason"] = d["reason"]
    # Rows are ordered by level, period, unit, and row i of the table is row i of C.
    return out


def label_or_na(t: np.ndarray, freq: str) -> np.ndarray:
    """Labels of ordinals, None where the ordinal is the "no period" sentinel."""
    t = np.asarray(t, dtype=np.int64)
    out = np.full(len(t), None, dtype=object)
    ok = t != NONE
    if ok.any():
        out[ok] = labels(t[ok], freq)
    return out
