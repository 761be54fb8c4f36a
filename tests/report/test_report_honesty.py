"""The report states only what was tested: levels and rules on every caption, marks only from tests,
"fix first" only beyond the intervals, one interval rule for a unit index, no -0.0, Chinese in both scripts."""

from __future__ import annotations

import functools
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import acsi
from _report_data import page_text, quiet, small_run, small_sales
from conftest import implied_cov
from acsi.report import fonts, i18n, render_report
from acsi.report.analysis import ipa_table, path_tests, pooled_ipa
from acsi.report.data import from_objects
from acsi.report.numbers import fixed, signed
from acsi.report.render import fmt_change, fmt_ci, fmt_coef, fmt_index




# ------------------------------------------------------------------ "fix first" with uncertainty
LAV = """D1 =~ a1 + a2 + a3
D2 =~ b1 + b2 + b3
D3 =~ c1 + c2 + c3
D4 =~ d1 + d2 + d3
CS =~ s1 + s2 + s3
CS ~ D1 + D2 + D3 + D4
"""


def _driver_survey(paths: dict, means: dict, seed: int, n: int = 500) -> pd.DataFrame:
    """Random (not exact) answers: four drivers of CS with the given paths and item means."""
    spec = acsi.parse_lavaan(LAV, name="drivers")
    items = list(spec.item_ids)
    cov = implied_cov(spec, {it: 1.0 for it in items}, {(d, "CS"): v for d, v in paths.items()},
                      {it: 0.5 for it in items}, {"D1": 1.0, "D2": 1.0, "D3": 1.0, "D4": 1.0, "CS": 0.6})
    mu = np.array([means.get(it[0], 6.0) for it in items])
    X = np.random.default_rng(seed).multivariate_normal(mu, cov.to_numpy(), size=n)
    return pd.DataFrame(np.clip(np.round(X), 1, 10), columns=items)


@functools.lru_cache(maxsize=4)
def _driver_fit(kind: str, seed: int):
    if kind == "equal":
        df = _driver_survey({d: 0.3 for d in ("D1", "D2", "D3", "D4")}, {}, seed)
    else:  # D1 matters most and performs worst
        df = _driver_survey({"D1": 0.7, "D2": 0.15, "D3": 0.15, "D4": 0.15}, {"a": 4.5}, seed)
    return quiet(acsi.fit, df, acsi.parse_lavaan(LAV, name="drivers"), unit=None, n_jobs=1)


@pytest.mark.parametrize("seed", [0, 2])
def test_equal_drivers_are_never_named_fix_first(seed):
    """All four drivers truly equal: the point estimates put some in quadrant B, the report names none."""
    fit = _driver_fit("equal", seed)
    tab = pooled_ipa(from_objects(fit))
    assert set(tab["quadrant"]) >= {"B"}  # the old rule (quadrant B by point estimates) would name them
    assert not tab["fix_first"].any()
    assert set(tab["separated"]) <= {"no"} and (tab["interval"] == "bound").all()
    html_en = quiet(render_report, fit)
    assert "The data cannot separate the drivers" in page_text(html_en)
    assert 'class="fix-first"' not in html_en
    html_zh = quiet(render_report, fit, lang="zh")
    assert "数据无法区分各驱动因素" in html_zh and 'class="fix-first"' not in html_zh
    html_tw = quiet(render_report, fit, lang="zh-hant")
    assert "數據無法區分各驅動因素" in html_tw


def test_a_driver_that_differs_is_named():
    fit = _driver_fit("differs", 1)
    tab = pooled_ipa(from_objects(fit))
    assert list(tab.loc[tab["fix_first"], "attribute"]) == ["D1"]
    row = tab.set_index("attribute").loc["D1"]
    assert row["importance_gap_lower"] > 0 and row["performance_gap_upper"] < 0
    html = quiet(render_report, fit)
    assert 'class="fix-first"' in html and "D1: Importance" in page_text(html)


def test_the_bound_is_at_least_the_delta_method_se():
    """The conservative SE of an importance gap bounds the delta-method SE computed with the full vcov
    of the paths (here: one equation, so the paths' covariance is the regression's)."""
    fit = _driver_fit("equal", 0)
    est = fit.pooled.estimates
    tab = ipa_table(est, fit.pooled.index.set_index("latent")["index"], "CS",
                    performance_se=fit.pooled.index.set_index("latent")["se"], level=0.95)
    q = 1.959963984540054
    half = (tab["importance_gap_upper"] - tab["importance_gap"]) / q
    se = est.loc[est["op"] == "~"].set_index("rhs").loc[tab["attribute"], "se"].to_numpy()
    A = np.eye(4) - 0.25
    # any correlation matrix: the bound must hold for all; check the extremes rho = +-1 and independence
    for R in (np.eye(4), np.ones((4, 4))):
        V = np.outer(se, se) * R
        exact = np.sqrt(np.diag(A @ V @ A.T))
        assert (half.to_numpy() >= exact - 1e-12).all()


def test_ipa_uses_bootstrap_replicates_when_given():
    from acsi.simulate import simulate_survey

    df = simulate_survey("ecsi", units=1, n_per_unit=250, periods=["2025Q1"], seed=5)
    fit = quiet(acsi.fit, df, "ecsi", unit=None, estimator="pls", n_jobs=1)
    boot = fit.bootstrap(n_boot=60, seed=1)
    without = pooled_ipa(from_objects(fit))
    assert (without["interval"] == "none").all() and not without["fix_first"].any()
    data = from_objects(fit, None, boot)
    tab = pooled_ipa(data)
    assert (tab["interval"] == "bootstrap").all()
    assert (tab["importance_lower"] < tab["importance"]).all() and (tab["importance"] < tab["importance_upper"]).all()
    tests = path_tests(data)
    assert set(tests["test"]) == {"test_bootstrap"} and len(tests) == (fit.pooled.estimates["op"] == "~").sum()


# ------------------------------------------------------------------ claims only from tests
@functools.lru_cache(maxsize=1)
def _pls():
    from acsi.simulate import simulate_survey

    df = simulate_survey("ecsi", units=1, n_per_unit=250, periods=["2025Q1"], seed=5)
    fit = quiet(acsi.fit, df, "ecsi", unit=None, estimator="pls", n_jobs=1)
    return fit, fit.bootstrap(n_boot=60, seed=1)


@pytest.mark.parametrize("lang", ["en", "zh-hans", "zh-hant"])
def test_pls_report_without_bootstrap_claims_no_test(lang):
    fit, _ = _pls()
    text = page_text(quiet(render_report, fit, lang=lang))
    for forbidden in ("dashed arrows are not significant", "虛線表示在 5% 水平下不顯著", "虚线表示在 5% 水平下不显著",
                      "within the usual thresholds", "在常用閾值之內", "在常用阈值之内", "p (bootstrap)"):
        assert forbidden not in text
    said = {"en": ("No significance test was run for these paths", "Not checked (not computed for this estimator): "
                   "RMSEA ≤ 0.08, CFI ≥ 0.90.", "SRMR ≤ 0.08 on 1 values", "No driver is named"),
            "zh-hans": ("这些路径未做显著性检验", "未检查（此估计方法未计算）", "不列出任何驱动因素"),
            "zh-hant": ("這些路徑未做顯著性檢驗", "未檢查（此估計方法未計算）", "不列出任何驅動因素")}[lang]
    for phrase in said:
        assert phrase in text, phrase


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pls_report_with_bootstrap_marks_from_the_bootstrap(lang):
    fit, boot = _pls()
    html = quiet(render_report, fit, bootstrap=boot, lang=lang)
    text = page_text(html)
    if lang == "en":
        assert "Dashed arrows: not significant at the 5% level (two-sided bootstrap t test" in text
        assert "p (bootstrap)" in text and "bootstrap percentile intervals" in text
        assert "No significance test was run" not in text
    else:
        assert "虚线：在 5% 水平下不显著（双侧自助法 t 检验" in text and "p 值（自助法）" in text
    e = boot.estimates
    for r in e.loc[(e["op"] == "~") & (e["statistic"] == "est")].itertuples(index=False):
        p = r.p_value
        assert (f">{'<0.001' if p < 0.001 else fixed(p, 3)}<" in html) or ("&lt;0.001" in html and p < 0.001)


def test_sem_report_names_the_z_test_and_the_checks_it_computed():
    fit, agg = small_run()
    text = page_text(quiet(render_report, fit, agg))
    assert "Dashed arrows: not significant at the 5% level (two-sided z test with the estimator's standard errors)" in text
    assert re.search(r"Checks computed: AVE ≥ 0.50 on \d+ values, \d+ flagged; RMSEA ≤ 0.08 on 7 values", text)


# ------------------------------------------------------------------ levels, rules, changes, baselines
def test_each_table_states_its_own_level_when_levels_differ():
    fit, _ = small_run()
    agg = quiet(acsi.aggregate, fit.indexes, small_sales(), partial_windows=True, confidence=0.90)
    text = page_text(quiet(render_report, fit, agg))
    assert "Intervals: 90% normal intervals (index ± z·SE)" in text  # aggregate tables
    assert "intervals: 95% Student-t intervals (index ± t·SE, n − 1 df)" in text  # league tables
    assert "the industry index is an aggregate: 90% normal intervals" in text
    assert "Intervals of unit indexes 95% Student-t" in text and "Intervals of aggregates 90% normal" in text
    ind = agg.table("industry")
    for r in ind.itertuples(index=False):
        assert fmt_ci(r.ci_lower, r.ci_upper) in text


def test_one_interval_rule_for_a_unit_index():
    fit, agg = small_run()
    comp = agg.table("company").merge(fit.indexes, left_on=["period", "unit"], right_on=["period", "company"],
                                      suffixes=("_agg", "_fit"))
    comp = comp.loc[comp["index_fit"].notna()]
    assert len(comp) == 6
    np.testing.assert_allclose(comp["ci_lower_agg"], comp["ci_lower_fit"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(comp["ci_upper_agg"], comp["ci_upper_fit"], rtol=0, atol=1e-10)
    from scipy import stats

    r = comp.iloc[0]
    assert r["ci_upper_fit"] - r["index_fit"] == pytest.approx(stats.t.ppf(0.975, r["n"] - 1) * r["se_fit"], abs=1e-10)


def test_like_for_like_change_beside_the_published_one():
    fit, agg = small_run()
    # drop one company's second period: the Airlines composition changes
    idx = fit.indexes
    idx = idx.loc[~((idx["company"] == "Beta Jet") & (idx["period"] == "2025Q2"))]
    agg2 = quiet(acsi.aggregate, idx, small_sales(), partial_windows=True)
    html = quiet(render_report, fit, agg2)
    text = page_text(html)
    ind = agg2.table("industry")
    row = ind.loc[(ind["unit"] == "Airlines") & (ind["period"] == "2025Q2")].iloc[0]
    assert bool(row["change_composition_changed"])
    assert f"{fmt_change(row['change'])} {fmt_change(row['change_matched'])}‡" in text
    assert "Change (published) Change (like for like) p (like for like) Significant at 5%" in text
    assert "‡ the set of units changed between the two periods" in text
    assert "two-sided z test of the like-for-like change at the 5% level" in text


def test_league_bars_start_at_a_stated_baseline_and_partial_windows_are_marked():
    from acsi import plot

    fit, agg = small_run()
    fig = quiet(plot.league_table, fit.indexes, "Airlines", confidence=0.95)
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]
    ix = fit.indexes
    base = plot.league_baseline(ix.loc[(ix["industry"] == "Airlines") & (ix["period"] == "2025Q2"), "index"])
    assert f"bars start at {fixed(base, 0)}; whiskers: 95% Student-t intervals" in texts
    assert fig.axes[0].get_xlim()[0] == base
    bars = [p for p in fig.axes[0].patches if p.get_width() > 0]
    assert bars and all(p.get_x() == base for p in bars)
    nat = agg.table("national")
    assert (nat["window_full"] == False).any()  # noqa: E712
    fig = quiet(plot.timeseries, nat, level="national", confidence=0.95, rule="z")
    labels = [ln.get_label() for ln in fig.axes[0].get_lines()]
    assert "partial window (hollow)" in labels
    assert "band: 95% normal interval" in [t.get_text() for t in fig.axes[0].texts]


def test_no_negative_zero():
    assert fixed(-0.0004, 3) == "0.000" and fixed(-0.04, 1) == "0.0" and fmt_change(-0.04) == "0.0"
    assert signed(0.04, 1) == "0.0" and signed(0.06, 1) == "+0.1" and fmt_change(-0.06) == "-0.1"
    assert fmt_index(-0.01) == "0.0" and fmt_coef(-0.0001) == "0.000" and fmt_ci(-0.01, 0.5) == "[0.0, 0.5]"
    fit, agg = small_run()
    for lang in ("en", "zh"):
        assert not re.search(r"(?<![\d.])-0\.0+(?!\d*[1-9])", page_text(quiet(render_report, fit, agg, lang=lang)))


# ------------------------------------------------------------------ Chinese
def test_languages_and_the_zh_rule():
    assert i18n.t("national", "zh") == i18n.t("national", "zh-hans") == "全国指数"
    assert i18n.t("national", "zh-hant") == "全國指數"
    assert i18n.html_lang("zh") == "zh-Hans" and i18n.html_lang("zh-hant") == "zh-Hant"
    spec = acsi.load_model("acsi")
    assert i18n.latent_label(spec, "PQ", "zh") == "感知质量 (PQ)"
    assert i18n.latent_label(spec, "PQ", "zh-hant") == "感知質量 (PQ)"
    assert i18n.model_title(spec, "zh") == "美国顾客满意度指数"
    # every label translated, in both scripts (cmp_zh_*, cmp_rests_*: Chinese sentences; English shows the verdict)
    for key, (en, hant) in i18n.TEXT.items():
        assert (en or key.startswith(("cmp_zh_", "cmp_rests_"))) and hant and i18n.t(key, "zh-hans"), key
        assert fonts.has_cjk(hant) or not fonts.has_cjk(i18n.t(key, "zh-hans")) or key.startswith("col_"), key


def test_chinese_report_titles_the_model_in_chinese():
    fit = _driver_fit("equal", 0)
    from acsi.simulate import simulate_survey

    df = simulate_survey("acsi", units=2, n_per_unit=150, periods=["2025Q1"], seed=3)
    fit = quiet(acsi.fit, df, "acsi", unit="company", n_jobs=1)
    html = quiet(render_report, fit, lang="zh")
    assert '<html lang="zh-Hans">' in html and "美国顾客满意度指数 (acsi)" in html and "感知质量 (PQ)" in html
    html = quiet(render_report, fit, lang="zh-hant")
    assert '<html lang="zh-Hant">' in html and "美國顧客滿意度指數 (acsi)" in html


def test_figures_draw_chinese_without_any_system_cjk_font(monkeypatch):
    """The bundled font draws both scripts: no system CJK font, no English fallback, no missing glyph."""
    from matplotlib.ft2font import FT2Font

    from acsi import plot
    from acsi.report.figures import figure_png

    monkeypatch.setattr(fonts, "system_cjk_font", lambda: None)
    assert fonts.find_cjk_font() == "Noto Sans CJK SC acsi subset"
    fit, agg = small_run()
    for lang, title in (("zh-hans", "路径模型"), ("zh-hant", "路徑模型")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the fallback warning and matplotlib's "Glyph missing" both fail
            fig = plot.path_diagram(fit, lang=lang)
            figure_png(fig)
            figure_png(plot.league_table(fit.indexes, "Airlines", lang=lang, confidence=0.95))
        assert title in [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    # every character of the translation table and of the shipped models' Chinese names has a glyph
    font = FT2Font(str(fonts.BUNDLED_FONT))
    cmap = set(font.get_charmap())
    needed = set()
    for _, hant in i18n.TEXT.values():
        needed |= {c for c in hant + i18n.to_script(hant, "zh-hans") if fonts.has_cjk(c)}
    for name in acsi.list_models() if hasattr(acsi, "list_models") else ():
        spec = acsi.load_model(name)
        for lv in spec.latents:
            needed |= {c for c in lv.name_zh + i18n.to_script(lv.name_zh, "zh-hans") if fonts.has_cjk(c)}
    missing = sorted(c for c in needed if ord(c) not in cmap)
    assert not missing, f"regenerate the font with acsi/report/fontdata/make_subset.py: {missing}"
    # real glyphs, not one tofu box for all: two characters draw differently
    shapes = []
    for ch in "质質":
        font.set_text(ch)
        font.draw_glyphs_to_bitmap()
        shapes.append(np.asarray(font.get_image()).copy())
        font.clear()
    assert shapes[0].sum() > 0 and (shapes[0].shape != shapes[1].shape or not np.array_equal(*shapes))
