"""The HTML report: numbers from the result tables, no placeholders, valid figures, both languages."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import acsi
from _report_data import PUBLISHED, png_uris, small_run
from acsi.errors import AcsiError, DataError
from acsi.report import load_results, render_report, write_report
from acsi.report.analysis import measurement_quality, r_squared
from acsi.report.figures import PNG_MAGIC
from acsi.report.render import fmt_ci, fmt_coef, fmt_index, fmt_int, fmt_se

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture(scope="module")
def run():
    return small_run()


@pytest.fixture(scope="module")
def html_en(run):
    fit, agg = run
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AcsiWarning)
        return render_report(fit, agg, lang="en")


@pytest.fixture(scope="module")
def html_zh(run):
    fit, agg = run
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AcsiWarning)
        return render_report(fit, agg, lang="zh-hant")  # Traditional (zh means Simplified since 0.2)


@pytest.fixture(scope="module")
def saved(run, tmp_path_factory):
    """The run saved the way `acsi demo` saves it: ROOT/results and ROOT/aggregate."""
    fit, agg = run
    root = tmp_path_factory.mktemp("run")
    fit.save(root / "results")
    agg.to_csv(root / "aggregate")
    agg.to_parquet(root / "aggregate")
    return root


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_contains_company_indexes_as_formatted(run, html_en):
    fit, _ = run
    ok = fit.indexes.loc[fit.indexes["status"] == "ok"]
    assert len(ok) == 6
    for r in ok.itertuples(index=False):
        if r.period == "2025Q2":  # league tables show the latest period
            assert f">{fmt_index(r.index)}<" in html_en
            assert f">{fmt_ci(r.ci_lower, r.ci_upper)}<" in html_en
            assert f">{fmt_se(r.se)}<" in html_en


def test_contains_aggregate_indexes(run, html_en):
    _, agg = run
    for level in ("national", "sector", "industry"):
        tab = agg.table(level)
        assert len(tab)
        for r in tab.itertuples(index=False):
            assert fmt_index(r.index) in html_en
            assert f">{fmt_ci(r.ci_lower, r.ci_upper)}<" in html_en


def test_contains_pooled_paths_r2_and_measurement(run, html_en):
    fit, _ = run
    est = fit.pooled.estimates
    for r in est.loc[est["op"] == "~"].itertuples(index=False):
        assert f">{fmt_coef(r.est)}<" in html_en and f">{fmt_coef(r.std_all)}<" in html_en
    for v in r_squared(est).to_numpy():
        assert f">{fmt_coef(v)}<" in html_en
    for r in measurement_quality(est).itertuples(index=False):
        assert f">{fmt_coef(r.ave)}<" in html_en


def test_contains_accounting_totals_and_fit_measures(run, html_en):
    fit, _ = run
    acc = fit.accounting
    assert f">{fmt_int(acc['rows_read'].sum())}<" in html_en
    assert f">{fmt_int(acc['rows_used'].sum())}<" in html_en
    fm = fit.fit_measures
    for v in fm["rmsea"].head(3):
        assert f">{fmt_coef(v)}<" in html_en


def test_failed_unit_is_shown_with_its_reason(run, html_en):
    fit, _ = run
    tiny = fit.units.loc[fit.units["company"] == "Tiny Air"].iloc[0]
    assert tiny["status"] == "failed"
    assert "too few respondents with complete answers (n=10 &lt; min_n=30)" in html_en
    assert "2025Q1 / Tiny Air: not estimated" in html_en
    assert 'class="status status-failed"' in html_en


def test_no_template_placeholders_left(html_en, html_zh):
    for html in (html_en, html_zh):
        assert "{{" not in html and "{%" not in html and "{#" not in html
        assert html.lstrip().startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")


def test_self_contained(html_en):
    assert "<script" not in html_en
    assert not re.search(r'<link[^>]+stylesheet', html_en)
    assert not re.search(r'src="(?!data:)', html_en)


def test_every_embedded_figure_is_a_valid_png(html_en):
    import matplotlib.image as mpimg

    pngs = png_uris(html_en)
    # national, sector, industry series; two league tables; path diagram; IPA
    assert len(pngs) >= 7
    for png in pngs:
        assert png.startswith(PNG_MAGIC)
        img = mpimg.imread(io.BytesIO(png), format="png")
        assert img.ndim == 3 and img.shape[0] > 100 and img.shape[1] > 100


def test_chinese_report_has_chinese_headings(html_zh, html_en):
    assert '<html lang="zh-Hant">' in html_zh
    for heading in ("顧客滿意度指數報告", "全國、部門與行業指數", "各行業公司排名", "數據核算", "方法說明", "測量質量與模型擬合"):
        assert heading in html_zh and heading not in html_en
    for english in ("Data accounting", "Company league tables per industry", "Methods</h2>"):
        assert english in html_en and english not in html_zh
    assert "2025Q1 / Tiny Air：未能估計" in html_zh


def test_methods_section_states_confidence_estimator_versions(run, html_en):
    fit, _ = run
    text = _text(html_en)
    assert "95%" in text
    assert "maximum likelihood" in text
    assert "listwise deletion; codes 98, 99 mean no answer" in text
    for pkg, ver in fit.manifest()["versions"].items():
        assert f"{pkg} {ver}" in text


def test_load_results_accepts_root_or_results_dir(saved, run):
    fit, _ = run
    for path in (saved, saved / "results"):
        data = load_results(path)
        assert data.headline == "CS"  # inferred from the index tables: the lavaan spec is not saved
        assert set(data.level("national")["period"]) == {"2025Q1", "2025Q2"}
        got = data.tables["company_indexes"].sort_values(["period", "company"]).reset_index(drop=True)
        want = fit.indexes.sort_values(["period", "company"]).reset_index(drop=True)
        np.testing.assert_allclose(got["index"], want["index"], rtol=0, atol=1e-12)
        assert data.pooled_performance is not None


def test_report_from_files_shows_the_same_numbers(saved, run, tmp_path):
    fit, agg = run
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AcsiWarning)
        out = write_report(load_results(saved), path=tmp_path / "sub" / "r.html", figures_dir=tmp_path / "figs")
    html = out.read_text(encoding="utf-8")
    for r in agg.table("industry").itertuples(index=False):
        assert f">{fmt_ci(r.ci_lower, r.ci_upper)}<" in html
    est = fit.pooled.estimates
    for r in est.loc[est["op"] == "~"].itertuples(index=False):
        assert f">{fmt_coef(r.est)}<" in html
    pngs = sorted((tmp_path / "figs").glob("*.png"))
    assert len(pngs) == len(png_uris(html)) >= 7
    assert all(p.read_bytes().startswith(PNG_MAGIC) for p in pngs)


def test_report_without_aggregation_says_so(run):
    fit, _ = run
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AcsiWarning)
        html = render_report(fit)
    assert "No aggregation results were found" in html
    assert "{{" not in html


@pytest.mark.skipif(not (SHARED_DATA / PUBLISHED).exists(), reason="shared/data with the published ACSI series is absent")
def test_published_national_series_is_drawn(run):
    fit, agg = run
    pub = pd.read_csv(SHARED_DATA / PUBLISHED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AcsiWarning)
        html = render_report(fit, agg, published=SHARED_DATA / PUBLISHED)
    assert 'id="fig-published_national"' in html
    assert PUBLISHED in html and len(pub) > 50


def test_errors_name_the_problem(tmp_path, run):
    with pytest.raises(DataError, match="does not exist; pass the directory written by"):
        load_results(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match=r"no manifest.json in .* \(found: \[\]\); pass the directory"):
        load_results(tmp_path / "empty")
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "manifest.json").write_text("{}")
    with pytest.raises(DataError, match="has manifest.json but no company_indexes"):
        load_results(tmp_path / "half")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "manifest.json").write_text("{not json")
    with pytest.raises(DataError, match="is not valid JSON"):
        load_results(tmp_path / "bad")
    fit, agg = run
    with pytest.raises(AcsiError, match=r"The 'lang' parameter of render_report must be one of \['en', 'zh', 'zh-hans', 'zh-hant'\]. Got 'fr'"):
        render_report(fit, agg, lang="fr")
    with pytest.raises(DataError, match="published series file .* does not exist"):
        render_report(fit, agg, published=tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("year,value\n2001,70\n")
    with pytest.raises(DataError, match=r"needs a 'period' column and a score column .* it has \['year', 'value'\]"):
        render_report(fit, agg, published=bad)
    with pytest.raises(DataError, match="need an acsi.FitResult, a ReportData or a results directory; got int"):
        render_report(3)
    with pytest.raises(DataError, match="an aggregate table needs a 'level' column"):
        render_report(fit, pd.DataFrame({"x": [1]}))


def test_pls_fit_report_shows_r2_and_pls_method():
    from acsi.simulate import simulate_survey

    df = simulate_survey("ecsi", units=3, n_per_unit=120, periods=["2025Q1"], seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AcsiWarning)
        fit = acsi.fit(df, "ecsi", unit="company", weight="weight", estimator="pls", n_jobs=1)
        html = render_report(fit)
    assert "Partial least squares path modelling" in html
    assert "R² (CS)" in html
    for v in fit.fit_measures["r2_CS"]:
        assert f">{fmt_coef(v)}<" in html
    est = fit.pooled.estimates
    for r in est.loc[est["op"] == "~"].itertuples(index=False):
        assert f">{fmt_coef(r.est)}<" in html
    assert "Image (IM)" in html  # latent names from the shipped ECSI model
    assert "{{" not in html and all(p.startswith(PNG_MAGIC) for p in png_uris(html))


def test_spec_read_from_the_saved_model(saved, tmp_path, run):
    # FitResult.save writes the model (model.toml, model.lav); the report reads it, never guesses it (issue 10)
    import shutil

    fit, _ = run
    res = tmp_path / "results"
    shutil.copytree(saved / "results", res)
    assert (res / "model.toml").exists() and (res / "model.lav").read_text() == fit.spec.to_lavaan()
    data = load_results(res)
    assert data.spec is not None and data.spec.headline == "CS"
    assert data.spec.latents == fit.spec.latents and data.spec.paths == fit.spec.paths
    assert set(data.spec.item_ids) == set(data.tables["estimates"].query("op == '=~'")["rhs"])
    # results saved without the model (acsi 0.1): the report is built from the tables alone
    import json

    (res / "model.toml").unlink()
    man = json.loads((res / "manifest.json").read_text())
    man.pop("model_toml")
    man["files"].pop("model.toml")
    (res / "manifest.json").write_text(json.dumps(man))
    assert load_results(res).spec is None


def test_chinese_methods_translate_the_policy(html_zh):
    assert "成列刪除；代碼 98, 99 視為未作答；超出量表範圍的答案：報錯並拒絕" in html_zh
