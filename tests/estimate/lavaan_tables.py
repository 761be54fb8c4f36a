"""Parameter tables read from lavaan's own ``parTable()`` (the reference cases' partable.csv).

The engine tests fit lavaan's table itself, so they test the engine alone (the spec helper's
``build_partable`` is checked against the same tables in tests/spec/).  The matrix cells and
the layout follow lavaan's LISREL rules, as :mod:`acsi.spec.partable` computes them.
"""

from __future__ import annotations

import numpy as np

from acsi.spec.partable import COLUMNS, Layout, ParTable, _cell, _names, _phantoms


def table_from_lavaan(case) -> ParTable:
    """A :class:`ParTable` from a reference case's ``partable.csv`` (lavaan's ``parTable(fit)``)."""
    pt = case.partable.copy()
    pt["label"] = pt["label"].fillna("").astype(str)
    pt["plabel"] = pt["plabel"].fillna("").astype(str)
    ngroups = max(int(pt["group"].max()), 1)
    layouts = []
    cells = {k: np.full(len(pt), -1) for k in ("row", "col")}
    mats = np.array([""] * len(pt), dtype=object)
    lav = case.lavaan
    for g in range(1, ngroups + 1):
        part = pt[pt["group"] == g]
        rows = [(r.lhs, r.op, r.rhs, int(r.user), int(r.exo)) for r in part.itertuples()]
        names = _names(rows)
        ov = tuple(lav.get("ov_names") or names.ov)
        ph = _phantoms([dict(lhs=r.lhs, op=r.op, rhs=r.rhs) for r in part.itertuples()], names)
        lv = tuple(names.lv) + tuple(v for v in ov if v in set(ph))
        layouts.append(Layout(ov=ov, lv=lv, latents=tuple(names.lv), phantom=tuple(v for v in ov if v in set(ph)),
                              ov_x=tuple(names.ov_x), ov_ind=tuple(names.ov_ind)))
        ovi = {x: i for i, x in enumerate(ov)}
        lvi = {x: i for i, x in enumerate(lv)}
        for k in np.flatnonzero((pt["group"] == g).to_numpy()):
            r = pt.iloc[k]
            mat, i, j = _cell(dict(op=r["op"], lhs=r["lhs"], rhs=r["rhs"]), ovi, lvi)
            mats[k], cells["row"][k], cells["col"][k] = mat, i, j
    cols = {name: pt[name].to_numpy() if name in pt.columns else None for name in COLUMNS}
    cols["rule"] = np.array(["user" if u == 1 else "lavaan" for u in pt["user"]], dtype=object)
    cols["mat"] = mats
    cols["row"], cols["col"] = cells["row"], cells["col"]
    cols["line"] = np.zeros(len(pt), dtype=int)
    cols["column"] = np.zeros(len(pt), dtype=int)
    labels = tuple(lav.get("group_labels") or [""] * ngroups) or ("",)
    return ParTable(cols, layouts, {}, labels)


def _as_list(v):
    return list(v) if isinstance(v, (list, tuple)) else [v]


def table_from_spec(case) -> ParTable:
    """The same model through acsi's own syntax reader and table builder (``parse_lavaan`` and
    ``build_partable`` with the case's lavaan options)."""
    import acsi

    o, lav = case.options, case.lavaan
    spec = acsi.parse_lavaan(case.model_text, name="reference", scale=(-1e9, 1e9), headline=lav["lv_names"][-1])
    kw = {}
    if lav.get("std.lv"):
        kw["std_lv"] = True
    if "fixed.x" in o:
        kw["fixed_x"] = bool(o["fixed.x"])
    if o.get("group"):
        kw["groups"] = [str(g) for g in lav["group_labels"]]
    if o.get("group.equal"):
        kw["group_equal"] = _as_list(o["group.equal"])
    if o.get("group.partial"):
        kw["group_partial"] = _as_list(o["group.partial"])
    if o.get("meanstructure") or lav.get("missing") == "ml":
        kw["meanstructure"] = True
    return spec.partable(**kw)
