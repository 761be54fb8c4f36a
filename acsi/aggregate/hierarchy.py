"""The hierarchy of one aggregation and the coefficients of any subset of its unit uses.

A *use* is one unit in one period (measured there, or carried into it). :class:`Hierarchy` is
built once from all uses: the industry-period, sector-period and period groups, their names,
the given industry totals and sector weights per group, and the checks on the totals. Its
:meth:`Hierarchy.coefficients` gives every use's coefficient at each level, for all uses (the
published aggregates) or for a subset (the like-for-like aggregates of
:mod:`acsi.aggregate.changes`), with integer arithmetic only::

    industry  c1_f = S_f / Σ_{g in i} S_g
    sector    c2_f = c1_f · V_i / Σ_{j in s} V_j        V_i = Σ S (or the industry total)
    period    c3_f = c2_f · U_s / Σ_{r at t} U_r        U_s = Σ V (or the sector weight)

Each group's coefficients sum to 1. A subset keeps the given totals and weights of its groups
and renormalises over the groups it contains; a group whose total is zero (or a parent giving
weight to such a group) is marked not ``ok`` instead of raising.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import AggregationError
from ._messages import describe_keys
from .periods import labels

__all__ = ["Hierarchy", "LevelCoefficients", "UNIT_LEVELS"]

#: Levels built from units, and the column that defines membership at each.
UNIT_LEVELS = (("industry", "industry"), ("sector", "sector"), ("national_quarter", None))


@dataclass(frozen=True)
class LevelCoefficients:
    """Coefficients of one level for a set of uses (see :meth:`Hierarchy.coefficients`).

    ``groups``: main group ids present (sorted); ``group``: each use's position in ``groups``;
    ``coef``: each use's coefficient; ``ok``, ``weight``, ``share``, ``n_uses`` per group.
    """

    groups: np.ndarray
    group: np.ndarray
    coef: np.ndarray
    ok: np.ndarray
    weight: np.ndarray
    share: np.ndarray
    n_uses: np.ndarray

    def matrix(self, columns: np.ndarray, n_columns: int) -> sparse.csr_matrix:
        """Groups × columns matrix: the use's coefficient at (its group, ``columns[use]``)."""
        return sparse.csr_matrix((self.coef, (self.group, columns)), shape=(len(self.groups), n_columns))


class Hierarchy:
    """Groups of all uses and the given weights (built once, validated; see the module docstring)."""

    def __init__(self, uses: pd.DataFrame, ind_tot: pd.DataFrame | None, sec_w: pd.DataFrame | None, freq: str):
        self.freq = freq
        self.w = uses["w"].to_numpy(dtype=float)
        gb = uses.groupby(["t", "industry"], sort=True)
        self.gi = gb.ngroup().to_numpy()
        ind = gb.agg(sector=("sector", "first")).reset_index()
        gbs = ind.groupby(["t", "sector"], sort=True)
        self.gs_of_i = gbs.ngroup().to_numpy()
        sec = gbs.size().reset_index()[["sector", "t"]]
        self.qt, self.gq_of_s = np.unique(sec["t"].to_numpy(), return_inverse=True)
        self.keys = {
            "industry": pd.DataFrame({"t": ind["t"].to_numpy(), "unit": ind["industry"].to_numpy(dtype=object),
                                      "parent": ind["sector"].to_numpy(dtype=object)}),
            "sector": pd.DataFrame({"t": sec["t"].to_numpy(), "unit": sec["sector"].to_numpy(dtype=object),
                                    "parent": np.full(len(sec), "national", dtype=object)}),
            "national_quarter": pd.DataFrame({"t": self.qt, "unit": np.full(len(self.qt), "national", dtype=object),
                                              "parent": np.full(len(self.qt), "national", dtype=object)}),
        }
        self.V_given = None if ind_tot is None else _lookup(
            ind_tot, ind, "industry", "industry-period(s) in industry_totals", freq,
            "Add their totals to industry_totals (or drop the period column to use one total for every period).")
        self.U_given = None if sec_w is None else _lookup(
            sec_w, sec, "sector", "sector-period(s) in sector_weights", freq,
            "Add their weights to sector_weights (or drop its period column to use one weight for every period).")
        self.main = self.coefficients(strict=True)

    def _named(self, level: str, groups: np.ndarray) -> pd.DataFrame:
        """``<level>, t`` of some groups, for messages."""
        k = self.keys[level].iloc[groups]
        return pd.DataFrame({level: k["unit"].to_numpy(), "t": k["t"].to_numpy()})

    def group_of_use(self, level: str) -> np.ndarray:
        """Main group id of every use at ``level``."""
        if level == "industry":
            return self.gi
        if level == "sector":
            return self.gs_of_i[self.gi]
        return self.gq_of_s[self.gs_of_i[self.gi]]

    def coefficients(self, sel: np.ndarray | None = None, *, strict: bool = False) -> dict[str, LevelCoefficients]:
        """Coefficients of the uses ``sel`` (all when None) at the industry, sector and period levels."""
        w = self.w if sel is None else self.w[sel]
        gi_main = self.gi if sel is None else self.gi[sel]
        # industry
        ui, gi = _compact(gi_main, len(self.keys["industry"]))
        W = np.bincount(gi, weights=w, minlength=len(ui))
        if strict:
            _positive(W, self._named("industry", ui), "industry-period(s)",
                      "All their units have sales 0; give at least one unit positive sales.", self.freq)
        ok_i = (W > 0) & np.isfinite(W)
        c1 = _share(w, W, gi, ok_i)
        V = W if self.V_given is None else self.V_given[ui]
        # sector
        us, gs = _compact(self.gs_of_i[ui], len(self.keys["sector"]))
        Vs = np.bincount(gs, weights=V, minlength=len(us))
        if strict:
            _positive(Vs, self._named("sector", us), "sector-period(s)",
                      "Their industries' totals are all 0; give positive industry totals.", self.freq)
        ok_s = _ok(Vs, gs, ok_i, V)
        share_i = _share(V, Vs, gs, ok_s)
        U = Vs if self.U_given is None else self.U_given[us]
        # period (national quarter)
        uq, gq = _compact(self.gq_of_s[us], len(self.qt))
        Uq = np.bincount(gq, weights=U, minlength=len(uq))
        if strict:
            _positive(Uq, self.keys["national_quarter"].iloc[uq][["t"]].reset_index(drop=True), "period(s)",
                      "All sector weights are 0 there; give positive sector weights.", self.freq)
        ok_q = _ok(Uq, gq, ok_s, U)
        share_s = _share(U, Uq, gq, ok_q)
        gsu = gs[gi]
        gqu = gq[gsu]
        c2 = c1 * share_i[gi]
        c3 = c2 * share_s[gsu]
        return {
            "industry": LevelCoefficients(ui, gi, c1, ok_i, V, share_i, np.bincount(gi, minlength=len(ui))),
            "sector": LevelCoefficients(us, gsu, c2, ok_s, U, share_s, np.bincount(gsu, minlength=len(us))),
            "national_quarter": LevelCoefficients(uq, gqu, c3, ok_q, Uq, np.full(len(uq), np.nan),
                                                  np.bincount(gqu, minlength=len(uq))),
        }


def _compact(ids: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct ids, sorted; each id's position among them) for ids in 0..n-1 (O(n))."""
    present = np.bincount(ids, minlength=n) > 0
    rank = np.cumsum(present) - 1
    return np.flatnonzero(present), rank[ids]


def _share(x, total, group, ok):
    """``x / total[group]`` where the group is ok, else 0 (no division warnings)."""
    safe = np.where(ok, total, 1.0)
    return np.where(ok[group], x / safe[group], 0.0)


def _ok(total, group, child_ok, child_weight):
    """A parent is ok when its total is positive and finite and no child it weighs is not ok."""
    bad_child = np.bincount(group, weights=(~child_ok & (child_weight > 0)).astype(float), minlength=len(total))
    return (total > 0) & np.isfinite(total) & (bad_child == 0)


def _lookup(table: pd.DataFrame, keys: pd.DataFrame, name_col: str, what: str, freq: str, fix: str) -> np.ndarray:
    """Value of ``table`` (name[, t] -> value) for each row of ``keys`` (name_col, t)."""
    k = pd.DataFrame({"name": keys[name_col].to_numpy(), "t": keys["t"].to_numpy()})
    on = ["name"] + (["t"] if "t" in table else [])
    got = k.merge(table, on=on, how="left")["value"].to_numpy(dtype=float)
    miss = np.isnan(got)
    if miss.any():
        bad = pd.DataFrame({name_col: k.loc[miss, "name"].to_numpy(), "period": labels(k.loc[miss, "t"], freq)})
        raise AggregationError(f"{int(miss.sum())} {what} have no value:\n{describe_keys(bad)}\n{fix}")
    return got


def _positive(total: np.ndarray, keys: pd.DataFrame, what: str, fix: str, freq: str) -> None:
    """Error for groups whose total weight is zero or not finite."""
    for bad, why, how in ((~np.isfinite(total), "a total weight that is not finite (the sum overflows)",
                           "Rescale the weights (e.g. sales in millions rather than units)."),
                          (~(total > 0), "zero total weight", fix)):
        if bad.any():
            show = keys.loc[bad].copy()
            show["period"] = labels(show.pop("t"), freq)
            raise AggregationError(f"{int(bad.sum())} {what} have {why}:\n{describe_keys(show)}\n{how}")
