"""The plug-in point for a bootstrap: replicate unit indexes through the same coefficients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from acsi.aggregate import aggregate
from acsi.aggregate.examples import example_panel
from acsi.errors import AggregationError


@pytest.fixture(scope="module")
def result():
    idx, sales = example_panel(30, 6, 3, 8, rotation=True, seed=1)
    return idx, sales, aggregate(idx, sales, national="latest")


def test_combine_of_a_replicate_equals_rerunning_aggregate(result):
    idx, sales, res = result
    rng = np.random.default_rng(5)
    new = idx.assign(index=np.clip(idx["index"] + rng.normal(0, 2, len(idx)), 0, 100))
    again = aggregate(new, sales, national="latest").table()
    m = res.measurements.merge(new, on=["period", "company"], suffixes=("_old", ""))
    np.testing.assert_allclose(res.combine(m["index"].to_numpy()), again["index"], rtol=0, atol=1e-10, equal_nan=True)


def test_replicate_table_and_bootstrap_se(result):
    idx, sales, res = result
    rng = np.random.default_rng(7)
    b = 400
    m = res.measurements
    draws = m["index"].to_numpy()[:, None] + rng.normal(size=(len(m), b)) * m["se"].to_numpy()[:, None]
    reps = pd.DataFrame({"period": np.repeat(m["period"], b), "company": np.repeat(m["company"], b),
                         "replicate": np.tile(np.arange(b), len(m)), "index": draws.ravel()})
    out = res.replicate_table(reps)
    assert len(out) == len(res.table()) * b
    assert list(out.columns) == ["replicate", "period", "level", "unit", "index"]
    boot = out.groupby(["level", "unit", "period"], sort=False)["index"].std(ddof=1)
    tab = res.table().set_index(["level", "unit", "period"])
    nat = tab.xs("national", level="level").dropna(subset=["se"])
    # Monte-Carlo SE of the analytic formula (incl. carry-forward covariance): within 10 % with B = 400
    ratio = boot.xs("national", level="level").loc[nat.index] / nat["se"]
    assert ratio.between(0.9, 1.1).all(), ratio.describe()


def test_replicate_table_errors(result):
    _, _, res = result
    m = res.measurements
    reps = pd.DataFrame({"period": m["period"], "company": m["company"], "replicate": 0, "index": m["index"]})
    with pytest.raises(AggregationError, match=r"lacks column\(s\) \['replicate'\]"):
        res.replicate_table(reps.drop(columns="replicate"))
    with pytest.raises(AggregationError, match=r"(?s)1 measurement\(s\) have no value in some replicate"):
        res.replicate_table(reps.iloc[1:])
    extra = pd.concat([reps, pd.DataFrame({"period": ["2015Q1"], "company": ["nobody"], "replicate": [0],
                                           "index": [50.0]})])
    with pytest.raises(AggregationError, match=r"(?s)not aggregated measurements.*'nobody'"):
        res.replicate_table(extra)
    with pytest.raises(AggregationError, match=r"(?s)2 duplicate \(period, company, replicate\).*Keep one value"):
        res.replicate_table(pd.concat([reps, reps.iloc[[0]]]))
