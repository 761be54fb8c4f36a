"""``acsi customers METHOD``: repurchase and churn rates (Wilson intervals), lifetime value, customer value,
the four customer classes and the Pareto (80/20) key customers, from a customer file."""

from __future__ import annotations

from .common import add_by, add_confidence, add_file, add_tail, add_weight, group, leaf, runs

__all__ = ["register"]


def _rate(name: str):
    return runs(name, "column", "count", "total", "weight", "confidence", "by")


_clv = runs("clv", "margin", "retention", "discount", "periods", "acquisition_cost", "id")
_value = runs("customer_value", "benefits", "costs", "id")
_classes = runs("customer_classes", "revenue", "cost", "cut", "id")
_pareto = runs("pareto", "revenue", "share", "id")


def register(sub) -> None:
    """Add ``acsi customers ...``."""
    g = group(sub, "customers", "customer metrics: repurchase, churn, clv, value, classes, pareto",
              "Customer metrics of the source documents from a customer file (one row per customer).",
              "customers_method")
    for name, what, ev in (("repurchase", "repurchase rate", "1 = bought again"),
                           ("churn", "churn rate", "1 = lost during the period")):
        p = leaf(g, name, f"{what} (%%) with its Wilson interval",
                 f"The {what} from a 0/1 column of a customer file ({ev}; weighted with --weight, per stratum with "
                 "--by), or from the counts --count and --total.",
                 [f"acsi customers {name} customers.csv --column {'rebuy' if name == 'repurchase' else 'lost'} --by segment",
                  f"acsi customers {name} --count {60 if name == 'repurchase' else 12} --total {100 if name == 'repurchase' else 400}"],
                 _rate(name))
        add_file(p, optional=True)
        p.add_argument("--column", metavar="COL", default=None, help=f"the 0/1 column ({ev})")
        p.add_argument("--count", type=float, default=None, help="without FILE: the number of events")
        p.add_argument("--total", type=float, default=None, help="without FILE: the number of customers")
        add_weight(p)
        add_confidence(p)
        add_by(p)
        add_tail(p, weight=False, confidence=False, figure=True)

    p = leaf(g, "clv", "customer lifetime value CLV = sum m r^t / (1+i)^t - AC",
             "Gupta et al. (2006): margin m per period, retention r, discount rate i, horizon T periods "
             "(default infinite), acquisition cost AC.  --margin, --retention and --acquisition-cost are numbers "
             "or columns of FILE (one CLV per customer).",
             ["acsi customers clv --margin 100 --retention 0.8 --discount 0.1",
              "acsi customers clv customers.csv --margin margin --retention 0.85 --discount 0.08 --periods 5 --id customer"],
             _clv)
    add_file(p, optional=True)
    p.add_argument("--margin", metavar="NUM|COL", required=True, help="margin per period")
    p.add_argument("--retention", metavar="NUM|COL", required=True, help="retention rate per period (1 - churn)")
    p.add_argument("--discount", type=float, required=True, help="discount rate per period (e.g. 0.1)")
    p.add_argument("--periods", type=int, default=None, help="horizon T in periods after the current one (default infinite)")
    p.add_argument("--acquisition-cost", metavar="NUM|COL", default=None, help="acquisition cost (default 0)")
    p.add_argument("--id", metavar="COL", default=None, help="customer id column")
    add_tail(p, weight=False, confidence=False)

    p = leaf(g, "value", "customer value = total benefit - total cost",
             "Per customer: the sum of the --benefits columns minus the sum of the --costs columns (Kotler).",
             ["acsi customers value customers.csv --benefits product,service,image --costs money,time --id customer"],
             _value)
    add_file(p)
    p.add_argument("--benefits", metavar="COLS", required=True, help="benefit components")
    p.add_argument("--costs", metavar="COLS", required=True, help="cost components")
    p.add_argument("--id", metavar="COL", default=None, help="customer id column")
    add_tail(p, weight=False, confidence=False)

    p = leaf(g, "classes", "four customer classes by revenue x cost to serve",
             "A high revenue / low cost, B high / high, C low / low, D low revenue / high cost, split at the "
             "median (or --cut mean, or --cut REVENUE,COST).",
             ["acsi customers classes customers.csv --revenue revenue --cost cost_to_serve --id customer --out classes/"],
             _classes)
    add_file(p)
    p.add_argument("--revenue", metavar="COL", required=True, help="revenue column")
    p.add_argument("--cost", metavar="COL", required=True, help="cost-to-serve column")
    p.add_argument("--cut", metavar="median|mean|R,C", default=None, help="where 'high' starts (default median)")
    p.add_argument("--id", metavar="COL", default=None, help="customer id column")
    add_tail(p, weight=False, confidence=False, figure=True)

    p = leaf(g, "pareto", "Pareto (80/20): the key customers that bring 80%% of revenue",
             "Customers ranked by revenue; the key customers are the fewest that together bring --share of it.",
             ["acsi customers pareto customers.csv --revenue revenue --id customer",
              "acsi customers pareto customers.csv --revenue revenue --share 0.7 --out pareto/"], _pareto)
    add_file(p)
    p.add_argument("--revenue", metavar="COL", required=True, help="revenue column")
    p.add_argument("--share", type=float, default=None, help="revenue share of the key customers, in (0, 1] (default 0.8)")
    p.add_argument("--id", metavar="COL", default=None, help="customer id column")
    add_tail(p, weight=False, confidence=False, figure=True)
