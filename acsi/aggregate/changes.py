"""Changes of aggregates, as published and like for like (matched set of units).

For an aggregate A (an industry, a sector, the nation) and a lag L (1: the previous period;
the periods per year: the same period a year earlier), two changes are reported:

* **as published**: ``change = A_t - A_{t-L}``, each side over all the units aggregated in its
  own period;
* **like for like**: ``change_matched = A^M_t - A^M_{t-L}``, both sides recomputed (same rules,
  same weights, renormalised) over the *matched set* M: the units that belong to A in both
  periods (for an industry: the units in that industry at t and at t-L; for a sector: in that
  sector; for the nation: any unit measured, or carried, at both);

with ``change_composition = change - change_matched`` (what the change of composition adds)
and ``change_composition_changed`` (True when a unit entered or left A between the periods,
e.g. an inadmissible fit withheld this quarter). ``change_n_matched`` counts the units of M.

The national figure with a moving mean over W periods is ``N_t = (1/W) Σ_{k<W} Q_{t-k}``; its
change telescopes into quarterly comparisons at lag ``max(L, W)``::

    N_t - N_{t-L} = (1/W) Σ_{j < min(L, W)} (Q_{t-j} - Q_{t-j-max(L, W)})

and the like-for-like national change replaces each bracket by its matched version (so it is
computed only when both national windows are full). With ``national="latest"`` (W = 1) it is
the matched change of the period's value.

Every side is a fixed linear combination of measurements, so each matched change is one sparse
row ``d`` over measurements: ``change_matched = d @ I``, ``se² = Σ_m d_m² se_m²`` (carried
measurements shared by both sides cancel), ``z`` and a two-sided normal ``p``
(:func:`~acsi.aggregate.uncertainty.z_test`).

The significance flag of a change (``change_significant``) uses the matched set by default
(``change_test="matched"``), because a change in composition is not a change in satisfaction;
``change_test="published"`` tests the published change instead.

ACSI's practice, as far as it is published: industry scores are revenue-weighted means of the
companies measured, sector scores revenue-weighted means of the industries and the national
score the GDP-weighted mean of the sectors [1]; the national score is updated each quarter "on
a rolling basis, with new data for one or more economic sectors replacing data collected the
previous year" [2] (``national="latest"`` in :func:`~acsi.aggregate.aggregate`). Published
changes compare published scores. No published ACSI rule for changes of composition (a company
added, or not measured) was found in the methodology pages searched; the like-for-like figure
follows the matched-sample principle of official index statistics (compare the same units in
both periods) and is reported beside the published change, never instead of it.

[1] ACSI, "Building the Cross-Industry Index",
    https://theacsi.org/company/building-the-cross-industry-index/
[2] Investopedia, "American Customer Satisfaction Index (ACSI)",
    https://www.investopedia.com/terms/a/american-customer-satisfaction-index.asp ; also the
    ACSI Methodology Reports (NQRC, University of Michigan, March 2005 and June 2008).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from ._sparse import window_matrix
from .hierarchy import UNIT_LEVELS
from .periods import PERIODS_PER_YEAR
from .uncertainty import difference_variances, z_test

__all__ = ["change_columns"]

def change_columns(plan, est, var, se_m, index_m, freq, confidence, change_test) -> dict:
    """The change columns of the aggregate table, in order (see the module docstring).

    ``plan`` is the build of :func:`acsi.aggregate.core._build` (coefficient matrix, table
    descriptors, the :class:`~acsi.aggregate.hierarchy.Hierarchy` and the uses).
    """
    C, published, d = plan["C"], plan["published"], plan["desc"]
    n = len(d)
    alpha = 1.0 - confidence
    key = _row_keys(d)
    cache: dict = {}
    out = {}
    for name, lag in (("change", 1), ("change_yoy", PERIODS_PER_YEAR[freq])):
        a, b = _pairs(key, lag)  # a: earlier period, b: this period
        diff, pct, cse, p = (np.full(n, np.nan) for _ in range(4))
        m_diff, m_se, m_p, n_match = (np.full(n, np.nan) for _ in range(4))
        changed = np.full(n, None, dtype=object)
        if len(a):
            dv = difference_variances(C, se_m, a, b)
            dv = _zero_tiny(dv, var[a] + var[b])  # same measurements, same coefficients: no sampling variance
            ct = z_test(est[b] - est[a], np.sqrt(dv))
            diff[b] = ct.difference
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                pct[b] = np.where(est[a] != 0, 100.0 * ct.difference / est[a], np.nan)
            cse[b] = ct.se
            p[b] = ct.p
            D, ok, nm, ch, own = _matched(plan, a, b, lag, cache)
            mv = _zero_tiny(np.asarray(D.power(2) @ (se_m ** 2)).ravel(), var[a] + var[b])
            mt = z_test(np.asarray(D @ index_m).ravel(), np.sqrt(mv))
            mt = mt._replace(**{k: np.where(own, getattr(ct, k), getattr(mt, k)) for k in ("difference", "se", "p")})
            ok &= published[a] & published[b]
            m_diff[b] = np.where(ok, mt.difference, np.nan)
            m_se[b] = np.where(ok, mt.se, np.nan)
            m_p[b] = np.where(ok, mt.p, np.nan)
            n_match[b] = np.where(ok, nm, np.nan)
            changed[b] = np.where(ok, ch, None)
        basis = m_p if change_test == "matched" else p
        out[name] = diff
        out[f"{name}_pct"] = pct
        out[f"{name}_se"] = cse
        out[f"{name}_p"] = p
        out[f"{name}_significant"] = pd.array(np.where(np.isnan(basis), None, basis < alpha), dtype="boolean")
        out[f"{name}_matched"] = m_diff
        out[f"{name}_matched_se"] = m_se
        out[f"{name}_matched_p"] = m_p
        out[f"{name}_composition"] = diff - m_diff
        out[f"{name}_composition_changed"] = pd.array(changed, dtype="boolean")
        out[f"{name}_n_matched"] = pd.array(np.where(np.isnan(n_match), None, n_match), dtype="Int64")
    return out


def _zero_tiny(v, scale):
    return np.where(v <= 1e-20 * scale, 0.0, v)


def _row_keys(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(series code, period) of every table row; a series is one (level, unit)."""
    level = pd.factorize(d["level"].to_numpy(dtype=object))[0].astype(np.int64)
    unit = pd.factorize(d["unit"].to_numpy(dtype=object))[0].astype(np.int64)
    return level * (int(unit.max()) + 1) + unit, d["t"].to_numpy(dtype=np.int64)


def _pairs(key, lag: int):
    """Rows (a, b) of the same series with ``t_b - t_a = lag`` (a: the earlier period)."""
    series, t = key
    t0 = int(t.min())
    width = int(t.max()) - t0 + 1 + lag
    comp = series * width + (t - t0 + lag)
    order = np.argsort(comp, kind="stable")
    sc = comp[order]
    want = series * width + (t - t0)  # (series, t - lag), in the same series block
    j = np.searchsorted(sc, want)
    hit = j < len(sc)
    hit[hit] = sc[j[hit]] == want[hit]
    return order[j[hit]], np.flatnonzero(hit)


def _matched(plan, a, b, lag, cache):
    """Matched-change rows for the table pairs (a, b): (D over measurements, ok, n_matched, changed)."""
    C = plan["C"]
    n_pairs = len(b)
    level_of = plan["desc"]["level"].to_numpy()[b]
    blocks = []
    ok = np.zeros(n_pairs, dtype=bool)
    nm = np.zeros(n_pairs)
    ch = np.zeros(n_pairs, dtype=bool)
    sel = np.flatnonzero(level_of == "company")  # a unit is its own matched set: D = C[b] - C[a]
    if len(sel):
        ok[sel], nm[sel] = True, 1
    for level, _ in UNIT_LEVELS:  # recompute both sides over the matched units
        sel = np.flatnonzero(level_of == level)
        if len(sel):
            off = plan["offsets"][1 + [lv for lv, _ in UNIT_LEVELS].index(level)]
            r = _compare(plan, level, a[sel], b[sel], off, _sides(plan, level, lag, cache))
            blocks.append((sel, r["D"].tocoo()))
            ok[sel], nm[sel], ch[sel] = r["ok"], r["n_matched"], r["changed"]
    sel = np.flatnonzero(level_of == "national")  # telescoped per-period comparisons
    if len(sel):
        r = _national(plan, a[sel], b[sel], lag, cache)
        blocks.append((sel, r["D"].tocoo()))
        ok[sel], nm[sel], ch[sel] = r["ok"], r["n_matched"], r["changed"]
    rows = np.concatenate([s[blk.row] for s, blk in blocks]) if blocks else np.zeros(0, dtype=np.int64)
    cols = np.concatenate([blk.col for _, blk in blocks]) if blocks else np.zeros(0, dtype=np.int64)
    vals = np.concatenate([blk.data for _, blk in blocks]) if blocks else np.zeros(0)
    return sparse.csr_matrix((vals, (rows, cols)), shape=(n_pairs, C.shape[1])), ok, nm, ch, level_of == "company"


def _codes(plan, cache):
    """Integer codes of the uses (unit, industry, sector, period) and the (unit, period) -> use grid."""
    if "codes" not in cache:
        uses = plan["uses"]
        unit = pd.factorize(uses["unit"])[0]
        t = uses["t"].to_numpy(dtype=np.int64)
        t0 = int(t.min())
        grid = np.full((int(unit.max()) + 1, int(t.max()) - t0 + 1), -1, dtype=np.int64 if len(uses) >= 2**31 else np.int32)
        grid[unit, t - t0] = np.arange(len(uses))  # one use per unit and period
        cache["codes"] = {"unit": unit, "industry": pd.factorize(uses["industry"])[0],
                          "sector": pd.factorize(uses["sector"])[0], "t": t, "t0": t0, "grid": grid,
                          "meas": uses["meas"].to_numpy(dtype=np.int64)}
    return cache["codes"]


def _sides(plan, level, lag, cache):
    """The two sides of the like-for-like comparison at one level and lag (cached).

    ``cur``: the uses at t whose unit is also in the same group at t - lag; ``prev``: the uses
    at t whose unit is also in the same group at t + lag. Per main group of the level: ``n``
    (matched uses) and ``complete`` (every use of the group is matched). A group's coefficients
    depend only on its own uses, so a complete group's matched coefficients are its published
    ones; only the incomplete groups are rebuilt over their matched uses (``pos``: main group
    -> row of ``M`` (groups × measurements), ``ok``). ``cur`` also holds ``units``, the
    (main group × unit) pattern of the matched uses.
    """
    if (level, lag) in cache:
        return cache[(level, lag)]
    hier = plan["hierarchy"]
    c = _codes(plan, cache)
    gcol = dict(UNIT_LEVELS)[level]
    grid = c["grid"]
    group = hier.group_of_use(level)
    main_n = hier.main[level].n_uses
    n_main = len(main_n)
    n_meas = plan["C"].shape[1]
    sides = {}
    for side, shift in (("cur", -lag), ("prev", lag)):
        tt = c["t"] + shift - c["t0"]
        inside = (tt >= 0) & (tt < grid.shape[1])
        partner = np.full(len(tt), -1, dtype=np.int64)
        partner[inside] = grid[c["unit"][inside], tt[inside]]
        found = partner >= 0
        if gcol is not None:  # the unit must be in the same group (industry, sector) in both periods
            found[found] = c[gcol][partner[found]] == c[gcol][found]
        n_found = np.bincount(group[found], minlength=n_main)
        complete = n_found == main_n
        entry = {"n": n_found, "complete": complete, "pos": np.full(n_main, -1, dtype=np.int64), "M": None, "ok": None}
        rebuild = np.flatnonzero(found & ~complete[group])
        if len(rebuild):
            lc = hier.coefficients(rebuild)[level]
            entry["pos"][lc.groups] = np.arange(len(lc.groups))
            entry["M"], entry["ok"] = lc.matrix(c["meas"][rebuild], n_meas), lc.ok
        if side == "cur":
            entry["units"] = sparse.csr_matrix((np.ones(int(found.sum())), (group[found], c["unit"][found])),
                                               shape=(n_main, grid.shape[0]))
        sides[side] = entry
    cache[(level, lag)] = sides
    return sides


def _compare(plan, level, a, b, off, sides):
    """Matched comparisons of table rows ``b`` (this period) with ``a`` (earlier) at one unit level;
    ``off`` is the level's first table row (table row - off = main group)."""
    cur, prev = sides["cur"], sides["prev"]
    ga, gb = a - off, b - off
    this, ok_b = _side_rows(plan["C"], b, gb, cur)
    before, ok_a = _side_rows(plan["C"], a, ga, prev)
    same = cur["complete"][gb] & prev["complete"][ga]  # the same units on both sides
    return {"D": (this - before).tocsr(), "ok": ok_a & ok_b, "n_matched": cur["n"][gb].astype(float),
            "changed": ~same}


def _side_rows(C, rows, groups, side):
    """One side's matched coefficient rows: the published row where the group is complete, else
    the rebuilt row (not ok where no unit of the group is matched or its weight is zero)."""
    complete = side["complete"][groups]
    j = side["pos"][groups]
    rebuilt = ~complete & (j >= 0)
    ok = complete.copy()
    blocks = [(np.flatnonzero(complete), C[rows[complete]].tocoo())]
    if rebuilt.any():
        ok[rebuilt] = side["ok"][j[rebuilt]]
        blocks.append((np.flatnonzero(rebuilt), side["M"][j[rebuilt]].tocoo()))
    r = np.concatenate([at[blk.row] for at, blk in blocks])
    out = sparse.csr_matrix((np.concatenate([blk.data for _, blk in blocks]),
                             (r, np.concatenate([blk.col for _, blk in blocks]))), shape=(len(rows), C.shape[1]))
    return out, ok


def _national(plan, a, b, lag, cache):
    """Matched national changes from per-period matched comparisons at lag max(L, W)."""
    nat = plan["national"]
    width = nat["width"]
    lm, j_max = max(lag, width), min(lag, width)
    qt = nat["qt"]
    # per-period comparisons at lag lm: period q (this) with period q - lm
    qb = np.flatnonzero(np.isin(qt - lm, qt))
    qa = np.searchsorted(qt, qt[qb] - lm)
    sides = _sides(plan, "national_quarter", lm, cache)
    off_q = plan["offsets"][3]
    rq = _compare(plan, "national_quarter", off_q + qa, off_q + qb, off_q, sides)
    Dq = rq["D"]
    # national row at tau: mean over j < j_max of the comparisons at tau - j
    d = plan["desc"]
    off_n = plan["offsets"][4]
    A = window_matrix(d["t"].to_numpy()[b], qt[qb], j_max)
    D = (A @ Dq).tocsr() / width
    full = np.ones(len(d), dtype=bool)
    full[off_n:] = nat["full"] if width > 1 else True
    counts = np.asarray(A.sum(axis=1)).ravel()
    ok = (counts == j_max) & (np.asarray(A @ rq["ok"].astype(float)).ravel() == j_max) & full[a] & full[b]
    changed = np.asarray(A @ rq["changed"].astype(float)).ravel() > 0
    n_matched = np.diff((A @ sides["cur"]["units"][qb]).tocsr().indptr).astype(float)  # distinct matched units
    return {"D": D, "ok": ok, "n_matched": n_matched, "changed": changed}
