"""Runners of the customer metrics from a customer file: lifetime value, customer value, the four classes,
the Pareto key customers (:mod:`acsi.methods.customers`; repurchase and churn rates are in ``_metrics``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import MethodError
from ...options import Integer, Real, Text
from ..customers import CUSTOMER_CLASSES, customer_classes, customer_lifetime_value, customer_value, pareto_customers
from ._metrics import COLUMNS
from .base import Output, analysis, column_list, numbers, one_column
from .figures import classes_chart, pareto_chart


def _ids(data: pd.DataFrame, id_column, where: str) -> pd.DataFrame:
    """The id column (or the row number) as the first column of an output table."""
    if id_column is None:
        return pd.DataFrame({"row": np.arange(1, len(data) + 1)}, index=data.index)
    col = one_column(data, id_column, "id", where)
    return data[[col]].copy()


def _number_or_column(data, spec, option: str, where: str):
    """A number, or (with data) the numeric column it names."""
    if data is not None and str(spec) in map(str, data.columns):
        v = pd.to_numeric(data[str(spec)], errors="coerce")
        bad = data.index[v.isna()]
        if len(bad):
            raise MethodError(f"{where}: column {spec!r} ({option}) has missing or non-numeric values at rows {list(bad[:10])}.")
        return v.astype(float)
    try:
        return numbers(spec, option, where, count=1)[0]
    except MethodError:
        hint = f"; the data have columns {list(map(str, data.columns))}" if data is not None else ""
        raise MethodError(f"{where}: {option} must be a number or a column of the customer table; got {spec!r}{hint}.") from None


@analysis("clv", "Customer lifetime value", data="optional", periods=(None, Integer(min=0)), id=(None, Text()))
def run_clv(data=None, *, margin, retention, discount, periods=None, acquisition_cost=0.0, id=None) -> Output:
    """``CLV = Σ_{t=0}^{T} m r^t / (1 + i)^t − AC`` (Gupta et al. 2006; :func:`acsi.methods.customer_lifetime_value`).

    ``margin``, ``retention`` and ``acquisition_cost`` are numbers or columns of the customer
    table (one CLV per customer); ``discount`` is a number; ``periods=None`` is an infinite horizon.
    """
    where = "clv"
    if id is not None and data is None:
        raise MethodError(f"{where}: id= names a column of a customer table; none given.")
    m = _number_or_column(data, margin, "margin", where)
    r = _number_or_column(data, retention, "retention", where)
    ac = _number_or_column(data, acquisition_cost, "acquisition_cost", where)
    i = numbers(discount, "discount", where, count=1)[0]
    value = customer_lifetime_value(m, r, i, periods=periods, acquisition_cost=ac)
    horizon = "infinite" if periods is None else f"{int(periods)} periods"
    if isinstance(value, pd.Series):
        t = _ids(data, id, where)
        t["margin"], t["retention"], t["acquisition_cost"] = (np.broadcast_to(np.asarray(x, dtype=float), len(t))
                                                              for x in (m, r, ac))
        t["clv"] = value.to_numpy()
        head = pd.DataFrame([{"customers": len(t), "total_clv": float(t["clv"].sum()), "mean_clv": float(t["clv"].mean()),
                              "discount": i, "horizon": horizon}])
        return Output([("clv", head, "Customer lifetime value: total and mean", True),
                       ("clv_customers", t.reset_index(drop=True), "CLV per customer", False)])
    t = pd.DataFrame([{"margin": m, "retention": r, "discount": i, "horizon": horizon, "acquisition_cost": ac,
                       "clv": value}])
    return Output([("clv", t, "Customer lifetime value", True)])


@analysis("customer_value", "Customer value (benefit − cost)", benefits=COLUMNS, costs=COLUMNS, id=(None, Text()))
def run_customer_value(data, *, benefits, costs, id=None) -> Output:
    """Total customer benefit − total customer cost per customer (:func:`acsi.methods.customer_value`)."""
    where = "customer_value"
    b = column_list(data, benefits, "benefits", where)
    c = column_list(data, costs, "costs", where)
    both = [x for x in b if x in c]
    if both:
        raise MethodError(f"{where}: columns {both} are listed as benefits and as costs; list each once.")
    v = customer_value(data[b], data[c])
    t = pd.concat([_ids(data, id, where), v], axis=1).reset_index(drop=True)
    head = pd.DataFrame([{"customers": len(t), "mean_benefit": float(v["total_benefit"].mean()),
                          "mean_cost": float(v["total_cost"].mean()), "mean_value": float(v["value"].mean()),
                          "negative_value": int((v["value"] < 0).sum())}])
    return Output([("customer_value", head, "Customer value: means", True),
                   ("customer_value_customers", t, "Customer value per customer", False)])


@analysis("customer_classes", "Four customer classes (revenue x cost to serve)", figure=True, revenue=Text(), cost=Text(),
          id=(None, Text()))
def run_customer_classes(data, *, revenue, cost, cut="median", id=None) -> Output:
    """Classes A-D by revenue and cost to serve split at the median, mean or given cuts (:func:`acsi.methods.customer_classes`).

    ``cut`` is ``"median"``, ``"mean"`` or ``"revenue_cut,cost_cut"``.
    """
    where = "customer_classes"
    rc, cc = one_column(data, revenue, "revenue", where), one_column(data, cost, "cost", where)
    if isinstance(cut, str) and cut in ("median", "mean"):
        how = cut
    else:
        how = tuple(numbers(cut, "cut", where, count=2))
    t = customer_classes(data, revenue=rc, cost=cc, cut=how)
    keep = ([] if id is None else [one_column(data, id, "id", where)]) + [rc, cc]
    t = t[list(dict.fromkeys(keep)) + ["profit", "class", "label", "label_zh", "advice", "revenue_cut", "cost_cut"]]
    t = pd.concat([_ids(data, None, where), t], axis=1).reset_index(drop=True) if id is None else t.reset_index(drop=True)
    total_rev = float(t[rc].sum())
    rows = []
    for k, (en, zh, advice) in CUSTOMER_CLASSES.items():
        part = t[t["class"] == k]
        rows.append({"class": k, "label": en, "label_zh": zh, "customers": len(part),
                     "customer_share": len(part) / len(t), "revenue": float(part[rc].sum()),
                     "revenue_share": float(part[rc].sum()) / total_rev if total_rev else np.nan,
                     "profit": float(part["profit"].sum()), "advice": advice})

    def figure(lang):
        return classes_chart(t, revenue=rc, cost=cc, lang=lang)

    return Output([("customer_classes", pd.DataFrame(rows), "Classes A-D: customers, revenue and profit", True),
                   ("customer_classes_customers", t, "Class of every customer", False)], figure=figure)


@analysis("pareto", "Pareto (80/20) key customers", figure=True, revenue=Text(),
          share=Real(0, 1, closed="right"), id=(None, Text()))
def run_pareto(data, *, revenue, share=0.8, id=None) -> Output:
    """The fewest customers that bring ``share`` of the revenue (:func:`acsi.methods.pareto_customers`)."""
    where = "pareto"
    rc = one_column(data, revenue, "revenue", where)
    keep = ([] if id is None else [one_column(data, id, "id", where)]) + [rc]
    res = pareto_customers(data[list(dict.fromkeys(keep))], revenue=rc, share=float(share))
    table = res.table.reset_index(drop=True) if id is not None else res.table.reset_index(names="row").assign(
        row=lambda d: d["row"] + 1 if pd.api.types.is_integer_dtype(d["row"]) else d["row"])
    head = res.summary_table.to_frame("value").reset_index(names="measure")

    def figure(lang):
        return pareto_chart(table, share=float(share), lang=lang)

    return Output([("pareto", head, f"Pareto analysis: customers bringing {100 * share:g}% of revenue", True),
                   ("pareto_customers", table[table["key"]], "Key customers", True),
                   ("pareto_ranking", table, "Every customer by revenue", False)], figure=figure)

