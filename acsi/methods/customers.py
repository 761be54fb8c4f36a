"""Customer metrics of the source documents: repurchase, churn, lifetime value, benchmarks,
customer value, the four customer classes and the Pareto (80/20) key customers.

* Repurchase rate (回購率): share of a period's customers who bought again;
  churn rate (流失率): customers lost during the period / customers at its start.  Both
  are proportions with Wilson intervals (:mod:`acsi.methods.intervals`).
* Customer lifetime value (Gupta et al. 2006, eq. 1), margin ``m_t`` per period, retention
  ``r``, discount rate ``i``, acquisition cost ``AC``:

      CLV = Σ_{t=0}^{T} m_t r^t / (1 + i)^t − AC,

  and with a constant margin over an infinite horizon ``CLV = m (1 + i) / (1 + i − r) − AC``.
* Benchmarks named by the documents: NPS > 0, CES < 5 (on the 1-7 effort scale),
  CSI > 70 (0-100), repurchase rate > 50 %, churn rate < 5 %.  With an interval a
  benchmark is ``met`` or ``missed`` only when the whole interval is on one side of the
  threshold; otherwise the data cannot tell (``undecided``).
* Customer value (顧客價值, the documents' reading of Kotler): total customer benefit
  (product, service, personnel, image) minus total customer cost (money, time, energy,
  psychological).
* Four customer classes by revenue from the customer and cost of serving them, split at
  the median (or mean, or given cuts): A high revenue / low cost (most profitable: keep and
  grow), B high / high (profitable if the service cost is managed), C low / low (serve
  efficiently), D low revenue / high cost (unprofitable: lower the cost to serve or
  re-price).  (Shapiro et al. 1987 draw the same grid with net price for revenue.)
* Pareto (80/20, 企業經營收入的80%是由20%的關鍵顧客帶來的): customers ranked by
  revenue; the key customers are the fewest that together bring ``share`` (80 %) of it.

References
----------
Gupta, S., Hanssens, D., Hardie, B., et al. (2006). Modeling customer lifetime value.
*Journal of Service Research* 9(2), 139-155.
Shapiro, B. P., Rangan, V. K., Moriarty, R. T., & Ross, E. B. (1987). Manage customers for
profits (not just sales). *Harvard Business Review* 65(5), 101-108.
Kotler, P., & Keller, K. L. (2016). *Marketing Management*, 15th ed., ch. 5 (customer
perceived value = total customer benefit − total customer cost).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import MethodError
from ..summary import Summary
from .intervals import aligned_weights, check_confidence, proportion_estimate, wilson_interval

__all__ = ["BENCHMARKS", "CUSTOMER_CLASSES", "ParetoResult", "repurchase_rate", "churn_rate",
           "customer_lifetime_value", "benchmark_flags", "customer_value", "customer_classes", "pareto_customers"]

#: metric -> (comparison, threshold, unit): the documents' benchmarks.
BENCHMARKS: dict[str, tuple[str, float, str]] = {
    "nps": (">", 0.0, "NPS points (-100..100)"),
    "ces": ("<", 5.0, "mean effort on 1-7"),
    "csi": (">", 70.0, "index 0-100"),
    "repurchase": (">", 50.0, "percent of customers"),
    "churn": ("<", 5.0, "percent of customers"),
}

#: class -> (English label, Chinese label, advice).
CUSTOMER_CLASSES: dict[str, tuple[str, str, str]] = {
    "A": ("high revenue, low cost to serve", "高收益低成本", "most profitable: keep and grow"),
    "B": ("high revenue, high cost to serve", "高收益高成本", "profitable if the cost to serve is managed"),
    "C": ("low revenue, low cost to serve", "低收益低成本", "serve efficiently; grow selectively"),
    "D": ("low revenue, high cost to serve", "低收益高成本", "unprofitable: lower the cost to serve or re-price"),
}


def _rate(events, total, weights, confidence: float, where: str, event_name: str) -> pd.Series:
    confidence = check_confidence(confidence, where)
    if total is not None:
        if weights is not None:
            raise MethodError(f"{where}: weights= apply to a 0/1 column per customer, not to counts; "
                              "give the indicator column instead of counts.")
        try:
            k, n = float(events), float(total)
        except (TypeError, ValueError):
            raise MethodError(f"{where}: counts must be numbers; got {events!r} and {total!r}.") from None
        if not (np.isfinite(k) and np.isfinite(n)) or n <= 0 or not 0 <= k <= n:
            raise MethodError(f"{where}: need 0 <= {event_name} <= customers and customers > 0; got {events!r} and {total!r}.")
        lo, hi = wilson_interval(k, n, confidence)
        return pd.Series({"rate": 100 * k / n, "ci_lower": 100 * lo, "ci_upper": 100 * hi, "events": k, "n": n,
                          "n_eff": n})
    s = events if isinstance(events, pd.Series) else pd.Series(list(np.atleast_1d(events)))
    if len(s) == 0:
        raise MethodError(f"{where}: no customers given.")
    w_all = aligned_weights(weights, s.index, where)
    ok = s.notna().to_numpy()
    vals = s[ok]
    if vals.dtype == bool:
        x = vals.to_numpy(dtype=float)
    else:
        x = pd.to_numeric(vals, errors="coerce").to_numpy(dtype=float)
        bad = vals[~np.isin(x, (0.0, 1.0))]
        if len(bad):
            raise MethodError(f"{where}: the {event_name} indicator must be 0/1 or True/False; got {bad.iloc[:10].tolist()} "
                              f"at rows {list(bad.index[:10])}.")
    if len(x) == 0:
        raise MethodError(f"{where}: every value is missing.")
    est = proportion_estimate(x, None if w_all is None else w_all[ok], confidence)
    return pd.Series({"rate": 100 * est["estimate"], "ci_lower": 100 * est["ci_lower"],
                      "ci_upper": 100 * est["ci_upper"], "events": est["estimate"] * est["n_eff"], "n": est["n"],
                      "n_eff": est["n_eff"]})


def repurchase_rate(repurchased, customers=None, *, weights=None, confidence: float = 0.95) -> pd.Series:
    """Repurchase rate (%) with its Wilson interval.

    Parameters
    ----------
    repurchased : Series or sequence of 0/1 (bool), or a count
        One indicator per customer of the period (1 = bought again), or, with
        ``customers``, the number who bought again.
    customers : int, optional
        Number of customers of the period (when ``repurchased`` is a count).
    weights : Series or sequence, optional
        Survey weights of the indicator rows (Kish ``n_eff`` in the interval).
    confidence : float

    Returns
    -------
    Series ``rate, ci_lower, ci_upper`` (percent), ``events``, ``n``, ``n_eff``.

    Examples
    --------
    >>> repurchase_rate(60, 100)[["rate", "ci_lower", "ci_upper"]].round(2).tolist()
    [60.0, 50.2, 69.06]
    """
    return _rate(repurchased, customers, weights, confidence, "repurchase_rate", "repurchased").rename("repurchase_rate")


def churn_rate(lost, customers_at_start=None, *, weights=None, confidence: float = 0.95) -> pd.Series:
    """Churn rate (%): customers lost during the period / customers at its start, with a Wilson interval.

    Parameters
    ----------
    lost : Series or sequence of 0/1 (bool), or a count
        One indicator per customer present at the start (1 = lost by the end), or the
        number lost.
    customers_at_start : int, optional
        Customers at the start of the period (when ``lost`` is a count).
    weights, confidence
        As in :func:`repurchase_rate`.

    Returns
    -------
    Series ``rate, ci_lower, ci_upper`` (percent), ``events``, ``n``, ``n_eff``.

    Examples
    --------
    >>> float(churn_rate([0, 0, 1, 0])["rate"])
    25.0
    """
    return _rate(lost, customers_at_start, weights, confidence, "churn_rate", "lost").rename("churn_rate")


def customer_lifetime_value(margin, retention, discount: float, *, periods: int | None = None,
                            acquisition_cost=0.0):
    """Customer lifetime value ``Σ_{t=0}^{T} m r^t / (1 + i)^t − AC`` (Gupta et al. 2006).

    Parameters
    ----------
    margin : float or Series
        Margin per period ``m`` (revenue minus the cost of serving, per customer); a
        Series gives one CLV per customer.
    retention : float or Series
        Retention rate per period ``r`` (0 <= r < 1 for an infinite horizon; 1 - churn).
    discount : float
        Discount rate per period ``i`` (>= 0).
    periods : int, optional
        Horizon ``T`` (periods after the current one); ``None`` = infinite.
    acquisition_cost : float or Series
        ``AC``, subtracted once.

    Returns
    -------
    float or Series.

    Examples
    --------
    >>> round(customer_lifetime_value(100.0, 0.8, 0.1), 2)   # 100 * 1.1 / 0.3
    366.67
    >>> round(customer_lifetime_value(100.0, 0.8, 0.1, periods=2), 2)
    225.62
    """
    def arr(x, name):
        try:
            a = x.astype(float) if isinstance(x, pd.Series) else np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            raise MethodError(f"customer_lifetime_value: {name} must be numeric; got {x!r}.") from None
        if not np.all(np.isfinite(np.asarray(a))):
            raise MethodError(f"customer_lifetime_value: {name} must be finite; got {x!r}.")
        return a

    m, r, ac = arr(margin, "margin"), arr(retention, "retention"), arr(acquisition_cost, "acquisition_cost")
    i = float(arr(discount, "discount"))
    if i < 0:
        raise MethodError(f"customer_lifetime_value: discount must be >= 0; got {discount!r}.")
    if np.any(np.asarray(r) < 0) or np.any(np.asarray(r) > 1):
        raise MethodError(f"customer_lifetime_value: retention must be within 0..1; got {retention!r}.")
    if periods is None:
        if np.any(np.asarray(r) >= 1 + i):
            raise MethodError("customer_lifetime_value: with an infinite horizon retention must be below 1 + discount "
                              f"(got retention {retention!r}, discount {discount!r}); give periods= instead.")
        out = m * (1 + i) / (1 + i - r) - ac
    else:
        if isinstance(periods, bool) or not isinstance(periods, (int, np.integer)) or periods < 0:
            raise MethodError(f"customer_lifetime_value: periods must be a non-negative integer or None; got {periods!r}.")
        q = r / (1 + i)
        out = m * sum(q ** t for t in range(int(periods) + 1)) - ac
    return float(out) if np.ndim(out) == 0 else out


def _benchmark_value(v, name: str) -> tuple[float, float, float]:
    if isinstance(v, pd.Series):
        keys = {"nps": "nps", "ces": "ces", "csi": "csi", "repurchase": "rate", "churn": "rate"}
        for key in (keys[name], "estimate", "rate", "index", name):
            if key in v.index:
                return float(v[key]), float(v.get("ci_lower", np.nan)), float(v.get("ci_upper", np.nan))
        raise MethodError(f"benchmark_flags: cannot find the value of {name} in {list(v.index)}; pass a number, "
                          f"(value, ci_lower, ci_upper), or the Series returned by acsi's metric function.")
    if isinstance(v, (tuple, list)):
        if len(v) != 3:
            raise MethodError(f"benchmark_flags: {name} as a sequence must be (value, ci_lower, ci_upper); got {v!r}.")
        return tuple(float(x) for x in v)
    try:
        return float(v), np.nan, np.nan
    except (TypeError, ValueError):
        raise MethodError(f"benchmark_flags: {name} must be a number; got {v!r}.") from None


def benchmark_flags(*, nps=None, ces=None, csi=None, repurchase=None, churn=None,
                    thresholds: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Compare metrics with the documents' benchmarks, honestly about their intervals.

    Parameters
    ----------
    nps, ces, csi, repurchase, churn : number, (value, lo, hi) or Series, keyword-only
        The metric (NPS points, CES mean on 1-7, CSI on 0-100, repurchase and churn in
        percent), optionally with its interval; the Series returned by :func:`acsi.methods.nps`,
        :func:`~acsi.methods.ces`, :func:`repurchase_rate`, :func:`churn_rate` work as they are.
    thresholds : mapping, optional
        Other thresholds by metric name (the comparison direction stays).

    Returns
    -------
    DataFrame
        One row per metric given: ``metric, value, ci_lower, ci_upper, rule, threshold,
        meets`` (point estimate on the right side) and ``verdict``: ``met`` / ``missed``
        (the whole interval on one side; the point without an interval) or ``undecided``.

    Examples
    --------
    >>> benchmark_flags(nps=(12.0, -3.0, 27.0), churn=3.2)[["metric", "meets", "verdict"]].values.tolist()
    [['nps', True, 'undecided'], ['churn', True, 'met']]
    """
    given = {"nps": nps, "ces": ces, "csi": csi, "repurchase": repurchase, "churn": churn}
    thresholds = dict(thresholds or {})
    unknown = [k for k in thresholds if k not in BENCHMARKS]
    if unknown:
        raise MethodError(f"benchmark_flags: unknown metrics in thresholds {unknown}; use {list(BENCHMARKS)}.")
    rows = []
    for name, v in given.items():
        if v is None:
            continue
        op, thr, unit = BENCHMARKS[name]
        thr = float(thresholds.get(name, thr))
        value, lo, hi = _benchmark_value(v, name)
        better = (lambda x: x > thr) if op == ">" else (lambda x: x < thr)
        meets = bool(better(value))
        if np.isfinite(lo) and np.isfinite(hi):
            verdict = "met" if better(lo) and better(hi) else ("missed" if not better(lo) and not better(hi) else "undecided")
        else:
            verdict = "met" if meets else "missed"
        rows.append({"metric": name, "value": value, "ci_lower": lo, "ci_upper": hi, "rule": f"{op} {thr:g}",
                     "threshold": thr, "unit": unit, "meets": meets, "verdict": verdict})
    if not rows:
        raise MethodError("benchmark_flags: no metric given; pass at least one of nps=, ces=, csi=, repurchase=, churn=.")
    return pd.DataFrame(rows)


def customer_value(benefits: pd.DataFrame, costs: pd.DataFrame) -> pd.DataFrame:
    """Customer value = total customer benefit − total customer cost, per customer.

    Parameters
    ----------
    benefits : DataFrame
        Customers x benefit components (e.g. product, service, personnel, image), in one unit.
    costs : DataFrame
        Customers x cost components (e.g. money, time, energy, psychological), same rows.

    Returns
    -------
    DataFrame with ``total_benefit, total_cost, value`` (benefit − cost) and ``ratio``
    (benefit / cost; NaN when the cost is 0), indexed like the inputs.

    Examples
    --------
    >>> b = pd.DataFrame({"product": [50, 40], "service": [20, 10]})
    >>> c = pd.DataFrame({"money": [40, 45], "time": [5, 10]})
    >>> customer_value(b, c)["value"].tolist()
    [25.0, -5.0]
    """
    for name, df in (("benefits", benefits), ("costs", costs)):
        if not isinstance(df, pd.DataFrame) or df.size == 0:
            raise MethodError(f"customer_value: {name} must be a non-empty DataFrame (customers x components).")
    if not benefits.index.equals(costs.index):
        raise MethodError("customer_value: benefits and costs have different rows; align them on the customer index.")
    out = {}
    for name, df in (("benefits", benefits), ("costs", costs)):
        num = df.apply(pd.to_numeric, errors="coerce")
        bad = [(c, r) for c in df.columns for r in df.index[num[c].isna() & df[c].notna()][:5]]
        if bad:
            raise MethodError(f"customer_value: non-numeric {name} at (column, row) {bad}.")
        if num.isna().any().any():
            where = [(c, r) for c in df.columns for r in df.index[num[c].isna()][:5]]
            raise MethodError(f"customer_value: missing {name} at (column, row) {where}; fill them (0 if none).")
        out[name] = num.sum(axis=1).astype(float)
    tb, tc = out["benefits"], out["costs"]
    return pd.DataFrame({"total_benefit": tb, "total_cost": tc, "value": tb - tc,
                         "ratio": (tb / tc).where(tc != 0)})


def _customer_columns(customers: pd.DataFrame, cols: list[str], where: str) -> pd.DataFrame:
    if not isinstance(customers, pd.DataFrame) or len(customers) == 0:
        raise MethodError(f"{where}: the customer table is empty; give one row per customer.")
    missing = [c for c in cols if c not in customers.columns]
    if missing:
        raise MethodError(f"{where}: columns {missing} not found; the customer table has {list(customers.columns)}. "
                          "Name them with revenue= / cost=.")
    out = {}
    for c in cols:
        v = pd.to_numeric(customers[c], errors="coerce")
        bad = customers[c][v.isna()]
        if len(bad):
            raise MethodError(f"{where}: column {c!r} has missing or non-numeric values at rows {list(bad.index[:10])}: "
                              f"{bad.iloc[:10].tolist()}.")
        out[c] = v.astype(float)
    return pd.DataFrame(out, index=customers.index)


def customer_classes(customers: pd.DataFrame, *, revenue: str = "revenue", cost: str = "cost_to_serve",
                     cut="median") -> pd.DataFrame:
    """The four customer classes by revenue x cost to serve.

    Parameters
    ----------
    customers : DataFrame
        One row per customer.
    revenue, cost : str
        Column names (revenue from the customer, cost of serving them).
    cut : "median", "mean" or (revenue cut, cost cut)
        Where "high" starts (a value equal to the cut counts as high).

    Returns
    -------
    DataFrame: the input columns plus ``profit`` (revenue − cost), ``class`` (A-D),
    ``label``, ``label_zh``, ``advice``, ``revenue_cut``, ``cost_cut``.

    Examples
    --------
    >>> c = pd.DataFrame({"revenue": [100, 90, 10, 20], "cost_to_serve": [10, 80, 5, 60]})
    >>> customer_classes(c)["class"].tolist()
    ['A', 'B', 'C', 'D']
    """
    num = _customer_columns(customers, [revenue, cost], "customer_classes")
    if isinstance(cut, str):
        if cut not in ("median", "mean"):
            raise MethodError(f"customer_classes: cut must be 'median', 'mean' or (revenue cut, cost cut); got {cut!r}.")
        rc, cc = (float(getattr(num[c], cut)()) for c in (revenue, cost))
    else:
        try:
            rc, cc = (float(x) for x in cut)
        except (TypeError, ValueError):
            raise MethodError(f"customer_classes: cut must be 'median', 'mean' or (revenue cut, cost cut); got {cut!r}.") from None
    hi_r = num[revenue] >= rc
    hi_c = num[cost] >= cc
    cls = np.where(hi_r & ~hi_c, "A", np.where(hi_r, "B", np.where(~hi_c, "C", "D")))
    out = customers.copy()
    out["profit"] = num[revenue] - num[cost]
    out["class"] = cls
    out["label"] = [CUSTOMER_CLASSES[k][0] for k in cls]
    out["label_zh"] = [CUSTOMER_CLASSES[k][1] for k in cls]
    out["advice"] = [CUSTOMER_CLASSES[k][2] for k in cls]
    out["revenue_cut"] = rc
    out["cost_cut"] = cc
    return out


@dataclass(frozen=True)
class ParetoResult:
    """Result of :func:`pareto_customers`.

    Attributes
    ----------
    table : DataFrame
        Customers by decreasing revenue: the input columns plus ``rank``,
        ``revenue_share``, ``cumulative_share`` (of revenue), ``customer_share``
        (cumulative share of customers) and ``key`` (among the key customers).
    summary_table : Series
        ``customers, key_customers, key_customer_share`` (the share of customers that
        brings ``share`` of revenue), ``target_share`` and ``top20_revenue_share``
        (revenue share of the top 20 % of customers, rounded up).
    """

    table: pd.DataFrame
    summary_table: pd.Series

    def summary(self) -> Summary:
        """Printable summary."""
        return Summary("Pareto analysis of customers",
                       [("Summary", self.summary_table.to_frame("value").reset_index(names="measure")),
                        ("Key customers", self.table[self.table["key"]])])


def pareto_customers(customers: pd.DataFrame, *, revenue: str = "revenue", share: float = 0.8) -> ParetoResult:
    """Pareto (80/20) analysis: the fewest customers that bring ``share`` of the revenue.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with a non-negative revenue column.
    revenue : str
        Revenue column.
    share : float
        Revenue share the key customers must reach (0 < share <= 1, default 0.8).

    Returns
    -------
    ParetoResult

    Examples
    --------
    >>> c = pd.DataFrame({"revenue": [500, 200, 100, 100, 50, 30, 10, 5, 3, 2]})
    >>> r = pareto_customers(c)
    >>> int(r.summary_table["key_customers"]), float(r.summary_table["top20_revenue_share"])
    (3, 0.7)
    """
    num = _customer_columns(customers, [revenue], "pareto_customers")
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        raise MethodError(f"pareto_customers: share must be a number in (0, 1]; got {share!r}.")
    neg = num.index[num[revenue] < 0]
    if len(neg):
        raise MethodError(f"pareto_customers: revenue must be non-negative; negative at rows {list(neg[:10])}.")
    total = float(num[revenue].sum())
    if total <= 0:
        raise MethodError("pareto_customers: the total revenue is 0; nothing to analyse.")
    order = np.argsort(-num[revenue].to_numpy(), kind="stable")
    t = customers.iloc[order].copy()
    rev = num[revenue].to_numpy()[order]
    n = len(t)
    t["rank"] = np.arange(1, n + 1)
    t["revenue_share"] = rev / total
    t["cumulative_share"] = np.cumsum(rev) / total
    t["customer_share"] = np.arange(1, n + 1) / n
    n_key = int(np.argmax(t["cumulative_share"].to_numpy() >= share - 1e-12)) + 1
    t["key"] = t["rank"] <= n_key
    top = int(np.ceil(0.2 * n))
    summary = pd.Series({"customers": float(n), "key_customers": float(n_key), "key_customer_share": n_key / n,
                         "target_share": float(share), "top20_revenue_share": float(rev[:top].sum() / total)},
                        name="pareto")
    return ParetoResult(table=t, summary_table=summary)
