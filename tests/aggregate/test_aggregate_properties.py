"""Property-based tests (hypothesis) of the aggregation, plus a loop-based reference."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acsi.aggregate import aggregate

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PAIR_SETTINGS = settings(SETTINGS, max_examples=20)  # tests that aggregate twice per example
TOL = 1e-9


@st.composite
def panels(draw, *, one_child=False):
    n_periods = draw(st.integers(1, 5))
    n_sectors = 1 if one_child else draw(st.integers(1, 3))
    rows, sales = [], []
    c = 0
    for s in range(n_sectors):
        for i in range(1 if one_child else draw(st.integers(1, 2))):
            for _ in range(1 if one_child else draw(st.integers(1, 3))):
                name = f"C{c}"
                c += 1
                sales.append({"company": name, "sales": draw(st.floats(0.01, 1e4))})
                for t in range(n_periods):
                    if one_child or draw(st.booleans()):
                        rows.append({"period": str(pd.Period("2020Q1", freq="Q") + t), "company": name,
                                     "industry": f"S{s}I{i}", "sector": f"S{s}",
                                     "index": draw(st.floats(0, 100)), "se": draw(st.floats(0, 3)),
                                     "n": draw(st.integers(1, 500))})
    if not rows:  # at least one measurement
        rows.append({"period": "2020Q1", "company": "C0", "industry": "S0I0", "sector": "S0",
                     "index": 50.0, "se": 1.0, "n": 10})
    idx = pd.DataFrame(rows)
    used = set(idx["company"])
    w = pd.DataFrame(sales)
    w = w.loc[w["company"].isin(used)].reset_index(drop=True)
    span = pd.PeriodIndex(idx["period"], freq="Q")
    n_span = (span.max() - span.min()).n + 1
    partial = draw(st.booleans())
    if draw(st.booleans()):  # national="latest": each unit's latest measurement of the window
        window = draw(st.integers(1, n_span))  # the last period is measured, so its window is full
        return idx, w, {"window": window, "national": "latest", "partial_windows": partial}
    # national="mean": carry-forward only with a one-period window (no double smoothing)
    carry = draw(st.integers(0, 2))
    # without partial windows, some window must be full: window <= longest run of periods with data
    t = {p.ordinal + k for p in span for k in range(carry + 1) if p.ordinal + k <= span.max().ordinal}
    longest, run = 0, 0
    for o in range(min(t), max(t) + 1):
        run = run + 1 if o in t else 0
        longest = max(longest, run)
    window = 1 if carry else draw(st.integers(1, n_span if partial else longest))
    return idx, w, {"window": window, "carry_forward": carry, "partial_windows": partial}


def _children(tab):
    """(parent row, child rows) pairs: industry<-company, sector<-industry, national_quarter<-sector."""
    for parent_level, child_level in (("industry", "company"), ("sector", "industry"), ("national_quarter", "sector")):
        par = tab.loc[tab["level"] == parent_level]
        ch = tab.loc[tab["level"] == child_level]
        key = "unit" if parent_level != "national_quarter" else None
        for _, p in par.iterrows():
            if key:
                kids = ch.loc[(ch["parent"] == p["unit"]) & (ch["period"] == p["period"])]
            else:
                kids = ch.loc[ch["period"] == p["period"]]
            yield p, kids


@SETTINGS
@given(panels())
def test_aggregate_lies_between_children_and_se_below_largest(case):
    idx, w, opts = case
    res = aggregate(idx, w, **opts)
    tab = res.table()
    # every aggregate's coefficients over measurements sum to 1 (a weighted mean)
    np.testing.assert_allclose(np.asarray(res.coefficients.sum(axis=1)).ravel(), 1.0, rtol=0, atol=1e-12)
    for p, kids in _children(tab):
        assert len(kids) >= 1
        assert kids["index"].min() - TOL <= p["index"] <= kids["index"].max() + TOL
        assert abs(kids["weight_share"].sum() - 1) < 1e-9
        # weighted mean of independent estimates: se^2 = sum s_k^2 se_k^2 <= max se_k^2
        assert p["se"] <= kids["se"].max() + TOL
    q = tab.loc[tab["level"] == "national_quarter"].set_index("period")["index"]
    pi = pd.PeriodIndex(q.index, freq="Q")
    first = pd.PeriodIndex(idx["period"], freq="Q").min()
    for _, r in tab.loc[(tab["level"] == "national") & tab["index"].notna()].iterrows():
        t = pd.Period(r["period"], freq="Q")
        if opts.get("national") == "latest":  # the period's own value, with units carried within the window
            assert r["index"] == pytest.approx(q[r["period"]], abs=TOL)
            covered = min(opts["window"], (t - first).n + 1)
            assert int(r["window_periods"]) == covered and bool(r["window_full"]) == (covered == opts["window"])
            continue
        inwin = q[(pi <= t) & (pi > t - opts["window"])]
        assert inwin.min() - TOL <= r["index"] <= inwin.max() + TOL
        assert int(r["window_periods"]) == len(inwin)
        assert bool(r["window_full"]) == (len(inwin) == opts["window"])


@PAIR_SETTINGS
@given(panels(), st.floats(1e-3, 1e3))
def test_scaling_all_weights_changes_nothing(case, factor):
    idx, w, opts = case
    a = aggregate(idx, w, **opts).table()
    b = aggregate(idx, w.assign(sales=w["sales"] * factor), **opts).table()
    cols = [c for c in a.columns if c not in ("weight",)]
    pd.testing.assert_frame_equal(a[cols], b[cols], check_exact=False, rtol=1e-9, atol=1e-9)
    lv = a["level"].isin(["company", "industry", "sector", "national_quarter"])
    np.testing.assert_allclose(b.loc[lv, "weight"], a.loc[lv, "weight"] * factor, rtol=1e-9)


@PAIR_SETTINGS
@given(panels(), st.randoms(use_true_random=False))
def test_permuting_rows_changes_nothing(case, rnd):
    idx, w, opts = case
    a = aggregate(idx, w, **opts).table()
    perm_i = list(range(len(idx)))
    perm_w = list(range(len(w)))
    rnd.shuffle(perm_i)
    rnd.shuffle(perm_w)
    b = aggregate(idx.iloc[perm_i], w.iloc[perm_w], **opts).table()
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(panels(one_child=True))
def test_single_child_equals_parent(case):
    idx, w, opts = case
    tab = aggregate(idx, w, window=1).table()
    comp = tab.loc[tab["level"] == "company"].set_index("period")
    for level in ("industry", "sector", "national_quarter", "national"):
        sub = tab.loc[tab["level"] == level].set_index("period")
        np.testing.assert_allclose(sub["index"], comp["index"], rtol=0, atol=1e-9)
        np.testing.assert_allclose(sub["se"], comp["se"], rtol=0, atol=1e-9)
        np.testing.assert_allclose(sub["n_respondents"], comp["n_respondents"], rtol=0, atol=0)


def _reference(idx, w, window, partial_windows, carry_forward=0, national="mean"):
    """Loop-by-loop implementation of the ACSI rules, written independently of the package:
    coefficients per measurement are tracked as dicts, so se^2 = sum c^2 se^2.
    national="latest": carry each measurement window - 1 periods and take the period's value."""
    latest = national == "latest"
    if latest:
        carry_forward = window - 1
    idx = idx.assign(t=pd.PeriodIndex(idx["period"], freq="Q").map(lambda p: p.ordinal))
    sales = dict(zip(w["company"], w["sales"]))
    meas = {(r.company, r.t): r for r in idx.itertuples()}
    periods = range(idx["t"].min(), idx["t"].max() + 1)
    out = {}
    quarter = {}
    for t in periods:
        uses = {}
        for comp in idx["company"].unique():
            for k in range(carry_forward + 1):
                if (comp, t - k) in meas:
                    uses[comp] = meas[(comp, t - k)]
                    break
        if not uses:
            continue
        ind = {}
        for comp, r in uses.items():
            ind.setdefault(r.industry, []).append((sales[comp], {(comp, r.t): 1.0}, r.sector))
        ind_c = {}
        for name, members in ind.items():
            tot = sum(m[0] for m in members)
            coef = {}
            for s_, c_, _ in members:
                for key, v in c_.items():
                    coef[key] = coef.get(key, 0) + v * s_ / tot
            ind_c[name] = (tot, coef, members[0][2])
        sec = {}
        for name, (tot, coef, sector) in ind_c.items():
            sec.setdefault(sector, []).append((tot, coef))
            out[("industry", name, t)] = coef
        sec_c = {}
        for name, members in sec.items():
            tot = sum(m[0] for m in members)
            coef = {}
            for s_, c_ in members:
                for key, v in c_.items():
                    coef[key] = coef.get(key, 0) + v * s_ / tot
            sec_c[name] = (tot, coef)
            out[("sector", name, t)] = coef
        tot = sum(v[0] for v in sec_c.values())
        coef = {}
        for s_, c_ in sec_c.values():
            for key, v in c_.items():
                coef[key] = coef.get(key, 0) + v * s_ / tot
        quarter[t] = coef
        out[("national_quarter", "national", t)] = coef
    for t in periods:
        if latest:
            full = t - window + 1 >= idx["t"].min()
            qs = [quarter[t]] if t in quarter and (full or partial_windows) else []
        else:
            qs = [quarter[q] for q in range(t - window + 1, t + 1) if q in quarter]
            if len(qs) < window and not partial_windows:
                qs = []
        if not qs:
            continue
        coef = {}
        for c_ in qs:
            for key, v in c_.items():
                coef[key] = coef.get(key, 0) + v / len(qs)
        out[("national", "national", t)] = coef
    res = {}
    for key, coef in out.items():
        est = sum(v * meas[m].index for m, v in coef.items())
        se = math.sqrt(sum(v * v * meas[m].se ** 2 for m, v in coef.items()))
        res[key] = (est, se)
    return res


@SETTINGS
@given(panels())
def test_vectorised_equals_loop_reference(case):
    idx, w, opts = case
    tab = aggregate(idx, w, **opts).table()
    ref = _reference(idx, w, **opts)
    tab = tab.loc[tab["level"] != "company"]
    got = {(r.level, r.unit, pd.Period(r.period, freq="Q").ordinal): (r.index, r.se)
           for r in tab.itertuples() if not math.isnan(r.index)}
    assert got.keys() == ref.keys()
    for key, (est, se) in ref.items():
        assert got[key][0] == pytest.approx(est, abs=1e-9)
        assert got[key][1] == pytest.approx(se, abs=1e-9)


@PAIR_SETTINGS
@given(panels())
def test_matched_change_equals_aggregating_the_matched_units(case):
    """Like for like, checked through the public API: for each industry and period pair (t-1, t),
    aggregating only the units of that industry present in both periods gives change_matched."""
    idx, w, _ = case
    tab = aggregate(idx, w, window=1).table()
    ind = tab.loc[(tab["level"] == "industry") & tab["change_matched"].notna()]
    for _, r in ind.iterrows():
        t = pd.Period(r["period"], freq="Q")
        prev = str(t - 1)
        sub = idx.loc[idx["industry"] == r["unit"]]
        both = set(sub.loc[sub["period"] == prev, "company"]) & set(sub.loc[sub["period"] == r["period"], "company"])
        assert r["change_n_matched"] == len(both)
        m = sub.loc[sub["company"].isin(both) & sub["period"].isin([prev, r["period"]])]
        if w.loc[w["company"].isin(both), "sales"].sum() == 0:
            continue
        again = aggregate(m, w.loc[w["company"].isin(both)], window=1).table("industry").set_index("period")
        assert r["change_matched"] == pytest.approx(again.loc[r["period"], "change"], abs=1e-9)
        assert r["change_matched_se"] == pytest.approx(again.loc[r["period"], "change_se"], abs=1e-9)
        composition_same = set(sub.loc[sub["period"] == prev, "company"]) == set(sub.loc[sub["period"] == r["period"], "company"])
        assert bool(r["change_composition_changed"]) == (not composition_same)
        if composition_same:
            assert r["change_matched"] == pytest.approx(r["change"], abs=1e-9)
