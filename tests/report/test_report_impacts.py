"""ACSI impacts in "what to improve": computed from the pooled fit when the results carry no impacts
table, checked against the formula applied by hand to the report's own tables; intervals only from a
bootstrap, and the report says which."""

from __future__ import annotations

import functools

import numpy as np
import pytest

import acsi
from _report_data import page_text, quiet
from acsi.estimate.effects import total_effects_from_estimates
from acsi.report import render_report
from acsi.report.analysis import computed_impacts, impacts
from acsi.report.data import from_objects




@functools.lru_cache(maxsize=2)
def _fit(unit: bool):
    from acsi.simulate import simulate_survey

    df = simulate_survey("acsi", units=2, n_per_unit=200, periods=["2025Q1"], seed=3)
    if unit:
        return quiet(acsi.fit, df, "acsi", unit="company", n_jobs=1)
    return quiet(acsi.fit, df, "acsi", unit=None, period=None, n_jobs=1)


def _by_hand(est, w, spec, driver, target, rise=5.0):
    """impact = rise · T[target, driver] · s_target / s_driver, s_j = 100 Σ w λ / Σ w (max − min)."""
    T = total_effects_from_estimates(est)
    span = {i: spec.scale_bounds[i][1] - spec.scale_bounds[i][0] for i in spec.item_ids}

    def s(lv):
        b = w.loc[w["latent"] == lv]
        return 100 * (b["weight"] * b["loading"]).sum() / (b["weight"] * b["item"].map(span)).sum()

    return rise * T.loc[target, driver] * s(target) / s(driver)


@pytest.mark.parametrize("unit", [False, True])
def test_impacts_equal_the_formula_on_the_pooled_tables(unit):
    fit = _fit(unit)
    data = from_objects(fit)
    tab = computed_impacts(data).query("target == 'CS'")
    assert set(tab["driver"]) == {"CE", "PQ", "PV"}
    w = fit.pooled.weights
    for r in tab.itertuples():
        assert r.impact == pytest.approx(_by_hand(fit.pooled.estimates, w, fit.spec, r.driver, "CS"), rel=1e-9)
    assert (tab["interval"] == "none").all() and tab["ci_lower"].isna().all()
    # the fit's own impacts table (acsi.estimate.semtables) is what the report shows: the same numbers
    carried = impacts(data).set_index("driver")
    assert (carried["interval"] == "delta").all() and (carried["se"] > 0).all()
    for r in tab.itertuples():
        assert carried.loc[r.driver, "impact"] == pytest.approx(r.impact, rel=1e-9)


def test_pls_impacts_from_the_ipma_and_no_interval_without_a_bootstrap():
    from acsi.simulate import simulate_survey

    df = simulate_survey("ecsi", units=1, n_per_unit=200, periods=["2025Q1"], seed=5)
    pls = quiet(acsi.fit, df, "ecsi", unit="company", estimator="pls", n_jobs=1)  # one company: its scores are the pooled
    tab = computed_impacts(from_objects(pls))
    ipma = pls.tables()["pooled_pls_ipma_constructs"].set_index("latent")["importance"]
    assert set(tab["driver"]) == set(ipma.index) and set(tab["target"]) == {"CS"}
    for r in tab.itertuples():
        assert r.impact == pytest.approx(5 * ipma[r.driver], rel=1e-12)
    # the IPMA importance is the total effect on 0-100 scores: the standardized total effect times sd ratio
    from acsi.estimate.effects import total_effects_from_estimates

    sc = pls.scores
    T = total_effects_from_estimates(pls.pooled.estimates)
    for r in tab.itertuples():
        by_hand = 5 * T.loc["CS", r.driver] * sc["CS"].std() / sc[r.driver].std()
        assert r.impact == pytest.approx(by_hand, rel=1e-6)
    assert "From the pooled PLS IPMA: 5 × the importance" in page_text(quiet(render_report, pls))
    html = page_text(quiet(render_report, _fit(False)))
    assert "SE and 95% normal interval by the delta method" in html and "Impact of a 5-point rise" in html
    old = from_objects(_fit(False))  # results saved before fits carried impacts: computed, no interval, said so
    old = old.replace(tables={k: v for k, v in old.tables.items() if "impacts" not in k})
    assert "no interval: the results keep no covariance" in page_text(quiet(render_report, old))


@pytest.mark.parametrize("lang, words", [("en", "percentile interval from 40 bootstrap replicates"),
                                         ("zh", "百分位区间来自 40 次自助法重抽样")])
def test_bootstrap_gives_the_impacts_interval(lang, words):
    fit = _fit(False)
    boot = fit.bootstrap(n_boot=40, seed=2, n_jobs=1)
    tab = impacts(from_objects(fit, None, boot))
    assert (tab["interval"] == "bootstrap percentile").all() and (tab["n_replicates"] == 40).all()
    assert (tab["ci_lower"] < tab["impact"]).all() and (tab["impact"] < tab["ci_upper"]).all()
    assert (tab["se"] > 0).all()
    assert words in page_text(quiet(render_report, fit, bootstrap=boot, lang=lang))


def test_cbsem_reliability_and_htmt_are_shown_when_the_fit_carries_them():
    fit = _fit(False)
    text = page_text(quiet(render_report, fit))
    rel = fit.pooled_table("reliability")
    assert rel is not None and "Reliability and convergent validity (α, ρc, ρA, AVE) (pooled model)" in text
    assert "Discriminant validity (HTMT) (pooled model)" in text
    zh = page_text(quiet(render_report, fit, lang="zh"))
    assert "区别效度（HTMT）" in zh
