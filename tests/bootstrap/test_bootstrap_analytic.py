"""On large samples the bootstrap and the analytic (linearisation) standard errors agree.

Analytic: unit index se = sd/sqrt(n) with the item weights treated as fixed
(acsi.score.unit_index); aggregates se² = Σ c² se² (acsi.aggregate).  The bootstrap also
carries the sampling variability of the item weights, which vanishes relative to that of the
answers as n grows.  With n = 2,500 per company and B = 400 the Monte Carlo relative sd of a
bootstrap SE is about 1/sqrt(2·400) = 3.5 %; we allow 15 % (over 4 sd).
"""

import numpy as np
import pandas as pd
import pytest
from conftest import ACSI_LAVAAN, ACSI_TRUTH, implied_cov

import acsi
from acsi import bootstrap as bs

pytestmark = pytest.mark.slow  # four semopy fits at n = 2,500 and 1,600 refits: about 15 s


@pytest.fixture(scope="module")
def boot():
    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    t = ACSI_TRUTH
    cov = implied_cov(spec, t["loadings"], t["paths"], t["theta"], t["psi"]).to_numpy()
    rng = np.random.default_rng(5)
    frames = []
    for k, (company, industry) in enumerate([("A", "I1"), ("B", "I1"), ("C", "I2"), ("D", "I2")]):
        x = rng.multivariate_normal(np.full(15, 6.0 + 0.3 * k), cov, size=2500)
        d = pd.DataFrame(np.clip(np.round(x), 1, 10), columns=list(spec.item_ids))
        d.insert(0, "company", company)
        d.insert(1, "industry", industry)
        d.insert(2, "sector", "S")
        d.insert(0, "period", "2025Q1")
        frames.append(d)
    fit = acsi.fit(pd.concat(frames, ignore_index=True), spec, unit="company", pooled=False)
    sales = pd.DataFrame({"company": list("ABCD"), "sales": [4.0, 1.0, 2.0, 3.0]})
    return bs.bootstrap(fit, n_boot=400, seed=99, bca=False, weights=sales, aggregate_options={"window": 1})


def test_unit_index_standard_errors_agree(boot):
    h = boot.headline
    ratio = h["boot_se"] / h["se"]
    assert ratio.between(0.85, 1.15).all(), ratio.tolist()


def test_aggregate_standard_errors_agree(boot):
    a = boot.aggregates.query("level in ['industry', 'sector', 'national']")
    ratio = a["boot_se"] / a["se"]
    assert len(a) == 4 and ratio.between(0.85, 1.15).all(), ratio.tolist()


def test_percentile_interval_close_to_normal_interval(boot):
    h = boot.headline
    width = (h["perc_upper"] - h["perc_lower"]) / (2 * 1.959964 * h["se"])
    assert width.between(0.8, 1.2).all()
