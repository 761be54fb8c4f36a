"""Chinese figure labels: with a CJK font, and the English fallback when none is installed (never tofu, never a crash)."""

from __future__ import annotations

import warnings

import pytest

from _report_data import png_uris, small_run
from acsi import plot
from acsi.errors import AcsiWarning
from acsi.report import fonts, render_report
from acsi.report.figures import PNG_MAGIC, figure_png


@pytest.fixture(scope="module")
def run():
    return small_run()


def _texts(fig):
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and callable(a.get_text)) if t.get_text()]


@pytest.fixture
def no_cjk(monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)


def test_without_cjk_font_figures_fall_back_to_english(no_cjk, run):
    fit, agg = run
    with pytest.warns(AcsiWarning, match="no font with Chinese characters found .* figure labels are drawn in English"):
        fig = plot.path_diagram(fit, lang="zh-hant")
    texts = _texts(fig)
    assert "Path model" in texts and "路徑模型" not in texts
    assert not any(fonts.has_cjk(s) for s in texts)
    with pytest.warns(AcsiWarning):
        fig = plot.timeseries(agg, level="industry", lang="zh-hant")
    assert fig.axes[0].get_ylabel() == "index (0-100)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Glyph missing" warning when saving
        assert figure_png(fig).startswith(PNG_MAGIC)


def test_without_cjk_font_report_stays_chinese_and_says_why(no_cjk, run):
    fit, agg = run
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # matplotlib's missing-glyph warnings are UserWarnings
        warnings.simplefilter("ignore", AcsiWarning)
        html = render_report(fit, agg, lang="zh-hant")
    assert "顧客滿意度指數報告" in html and "數據核算" in html
    assert "未找到含中文字形的字體（acsi 隨附的字體缺失）" in html
    assert all(p.startswith(PNG_MAGIC) for p in png_uris(html))


def test_with_a_cjk_font_labels_are_chinese(run):
    name = fonts.find_cjk_font()
    if name is None:
        pytest.skip("no CJK font installed (apt-get install fonts-wqy-zenhei or fonts-noto-cjk to run this test)")
    fit, _ = run
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither the fallback warning nor missing glyphs
        fig = plot.path_diagram(fit, lang="zh-hant")
        png = figure_png(fig)
    assert "路徑模型" in _texts(fig)
    assert png.startswith(PNG_MAGIC)
    assert fonts.figure_lang("zh") == "zh"


def test_forced_cjk_detection_never_crashes(monkeypatch, run):
    """Detection says yes but the font is not really installed: matplotlib falls back, no exception."""
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: "No Such CJK Font")
    fit, agg = run
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = plot.league_table(fit.indexes, "Airlines", lang="zh-hant")
        png = figure_png(fig)
    assert png.startswith(PNG_MAGIC)
    assert fig.axes[0].get_xlabel() == "指數（0-100）"


def test_find_cjk_font_returns_a_font_with_chinese_glyphs():
    name = fonts.find_cjk_font()
    if name is None:
        pytest.skip("no CJK font installed")
    from matplotlib import font_manager as fm

    path = fm.findfont(fm.FontProperties(family=name), fallback_to_default=False)
    assert fonts._covers(path)


def test_has_cjk():
    assert fonts.has_cjk("顧客滿意") and fonts.has_cjk("指數（0-100）")
    assert not fonts.has_cjk("R² = 0.57 – index")
