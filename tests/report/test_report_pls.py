"""The PLS evidence a fit carries (quality table and flags, model fit, IPMA) reaches the report: every
table shown, the checks counted with their thresholds, the PLS SRMR checked, a failed check flagged."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

import acsi
from _report_data import page_text, quiet
from acsi.report import load_results, render_report
from acsi.report.analysis import checks, flags
from acsi.report.data import from_objects




@functools.lru_cache(maxsize=2)
def _fit(unit: bool):
    from acsi.simulate import simulate_survey

    df = simulate_survey("ecsi", units=2, n_per_unit=200, periods=["2025Q1"], seed=5)
    if unit:
        return quiet(acsi.fit, df, "ecsi", unit="company", estimator="pls", n_jobs=1)
    return quiet(acsi.fit, df, "ecsi", unit=None, period=None, estimator="pls", n_jobs=1)


@pytest.mark.parametrize("unit", [False, True])
def test_checks_count_the_pls_flags_and_srmr(unit):
    fit = _fit(unit)
    data = from_objects(fit)
    ch = checks(data).set_index("kind")
    tabs = fit.tables()
    n_flags = sum(len(tabs[s]) for s in ("pls_quality_flags", "pooled_pls_quality_flags") if s in tabs)
    assert ch.loc["pls", "n_checked"] + ch.loc["pls", "n_not_computable"] == n_flags
    n_srmr = sum(int((tabs[s]["measure"] == "srmr").sum()) for s in ("pls_model_fit", "pooled_pls_model_fit") if s in tabs)
    assert n_srmr >= 1 and ch.loc["srmr", "n_checked"] == n_srmr
    assert "HTMT (discriminant validity) < 0.85" in ch.loc["pls", "threshold"]


def test_every_pls_table_is_shown_with_its_title():
    fit = _fit(False)
    text = page_text(quiet(render_report, fit))
    for title in ("PLS reliability and convergent validity (pooled model)", "PLS discriminant validity (HTMT)",
                  "PLS model fit", "PLS importance-performance map (constructs)", "PLS explained variance (R²)",
                  "PLS direct, indirect and total effects"):
        assert title in text, title
    assert "SRMR ≤ 0.08 on 1 values" in text and "Not checked" in text
    zh = page_text(quiet(render_report, fit, lang="zh"))
    assert "PLS 模型拟合" in zh and "PLS 区别效度（HTMT）" in zh
    for header in ("载荷", "饱和模型", "估计模型", "重要性", "阈值", "通过"):  # the PLS tables' columns translated
        assert header in zh, header


def test_saved_pls_folder_gives_the_same_tables(tmp_path):
    fit = _fit(True)
    fit.save(tmp_path / "res")
    live, saved = checks(from_objects(fit)), checks(load_results(tmp_path / "res"))
    pd.testing.assert_frame_equal(live, saved)


def test_a_failed_pls_check_is_flagged_with_its_rule():
    fit = _fit(False)
    data = from_objects(fit)
    tabs = dict(data.tables)
    f = tabs["pooled_pls_quality_flags"].copy()
    row = f.index[f["criterion"].str.startswith("HTMT (discriminant")][0]
    f.loc[row, ["value", "passed"]] = [0.91, False]
    tabs["pooled_pls_quality_flags"] = f
    fl = flags(data.replace(tables=tabs))
    pls = fl.loc[fl["kind"] == "pls"]
    assert len(pls) == 1 and "0.85" in pls["message"].iloc[0]
    assert flags(data).loc[lambda d: d["kind"] == "pls"].empty


@pytest.mark.parametrize("lang, words", [("en", ["p (bootstrap)", "SE (bootstrap)", "two-sided bootstrap t test"]),
                                         ("zh", ["标准误（自助法）"])])
def test_report_of_a_saved_fit_reads_its_bootstrap(tmp_path, lang, words):
    """acsi fit --bootstrap --out DIR writes the bootstrap into DIR: the report's marks come from it."""
    from acsi.cli import main
    from acsi.report.analysis import path_tests
    from acsi.simulate import simulate_survey

    simulate_survey("ecsi", units=1, n_per_unit=250, periods=["2025Q1"], seed=5).to_csv(tmp_path / "s.csv", index=False)
    assert quiet(main, ["fit", str(tmp_path / "s.csv"), "--model", "ecsi", "--estimator", "pls", "--bootstrap", "40",
                        "--seed", "7", "--jobs", "1", "--quiet", "--out", str(tmp_path / "res")]) == 0
    data = load_results(tmp_path / "res")
    tests = path_tests(data)
    saved = pd.read_csv(tmp_path / "res" / "bootstrap_pooled_estimates.csv").query("op == '~'")
    assert set(tests["test"]) == {"test_bootstrap"} and len(tests) == len(saved)
    assert np.allclose(np.sort(tests["se"]), np.sort(saved["boot_se"]))
    text = page_text(quiet(render_report, data, lang=lang))
    for w in words:
        assert w in text, w
