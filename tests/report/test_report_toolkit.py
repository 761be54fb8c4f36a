"""The toolkit section of the report (acsi report RESULTS --toolkit toolkit.toml): stratified index tables
from the fit's scores joined to its survey, the config file's errors, the CLI, EN and ZH."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import acsi
from _report_data import page_text, quiet
from acsi.cli import main
from acsi.errors import DataError, InputFileError, InvalidParameterError
from acsi.report import load_results, render_report
from acsi.report.data import from_objects
from acsi.report.toolkit import MISSING_STRATUM, read_toolkit_config, stratified_indexes, toolkit_section




@functools.lru_cache(maxsize=1)
def _survey() -> pd.DataFrame:
    from acsi.simulate import simulate_survey

    df = simulate_survey("airline", units=2, n_per_unit=150, periods=["2025Q1"], seed=3)
    rng = np.random.default_rng(0)
    df["sex"] = rng.choice(["f", "m"], len(df))
    df["age"] = rng.choice([1, 2, 3], len(df)).astype(float)
    df.loc[:7, "sex"] = np.nan  # some respondents do not say
    return df


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    d = tmp_path_factory.mktemp("toolkit")
    _survey().to_csv(d / "survey.csv", index=False)
    fit = quiet(acsi.fit, str(d / "survey.csv"), "airline", unit="company", n_jobs=1)
    fit.save(d / "results")
    (d / "toolkit.toml").write_text('data = "survey.csv"\n\n[strata]\nby = ["sex", "age"]\nlatents = ["CS", "CL"]\n',
                                    encoding="utf-8")
    return d, fit


def test_strata_equal_the_hand_computation(run):
    d, fit = run
    tab = toolkit_section(d / "toolkit.toml", load_results(d / "results"))["strata"]["frame"]
    scores = fit.scores
    survey = pd.read_csv(d / "survey.csv")
    sex = survey["sex"].iloc[scores["row"].to_numpy()].fillna(MISSING_STRATUM).to_numpy()
    assert set(tab.loc[tab["column"] == "sex", "stratum"]) == {"f", "m", MISSING_STRATUM}
    for s_ in ("f", "m", MISSING_STRATUM):
        x = scores.loc[sex == s_, "CS"].to_numpy()  # no survey weights: every weight is 1
        r = tab.loc[(tab["column"] == "sex") & (tab["stratum"] == s_) & (tab["latent"] == "CS")].iloc[0]
        se = x.std(ddof=1) / np.sqrt(len(x))
        q = stats.t.ppf(0.975, len(x) - 1)
        assert r["n"] == len(x) and r["index"] == pytest.approx(x.mean(), rel=1e-12)
        assert r["se"] == pytest.approx(se, rel=1e-9)
        assert (r["ci_lower"], r["ci_upper"]) == pytest.approx((x.mean() - q * se, x.mean() + q * se), rel=1e-9)
    # every respondent used is counted once per column
    used = len(scores)
    for col in ("sex", "age"):
        assert tab.loc[(tab["column"] == col) & (tab["latent"] == "CS"), "n"].sum() == used
    assert set(tab.loc[tab["column"] == "age", "stratum"]) == {"1", "2", "3"}
    allr = tab.loc[(tab["column"] == "") & (tab["latent"] == "CS")].iloc[0]
    assert allr["n"] == used and allr["index"] == pytest.approx(scores["CS"].mean(), rel=1e-12)


def test_weighted_strata_use_the_survey_weights():
    scores = pd.DataFrame({"row": [0, 1, 2, 3], "weight": [1.0, 3.0, 1.0, 1.0], "CS": [60.0, 80.0, 50.0, 70.0]})
    survey = pd.DataFrame({"g": ["a", "a", "b", "b"]})
    tab = stratified_indexes(scores, survey, ["g"], ["CS"])
    assert tab.loc[tab["stratum"] == "a", "index"].iloc[0] == pytest.approx((60 + 3 * 80) / 4)
    assert tab.loc[tab["stratum"] == "b", "index"].iloc[0] == pytest.approx(60.0)


@pytest.mark.parametrize("lang, words", [
    ("en", ["Toolkit analyses", "Indexes by stratum", "Student-t intervals", "All respondents", "(missing)"]),
    ("zh", ["工具箱分析", "分层指数", "t 分布区间", "全部受访者", "（缺失）"]),
    ("zh-hant", ["工具箱分析", "分層指數", "t 分佈區間", "全部受訪者", "（缺失）"]),
])
def test_report_shows_the_strata(run, lang, words):
    d, fit = run
    html = quiet(render_report, fit, lang=lang, toolkit=d / "toolkit.toml")
    text = page_text(html)
    assert '<section id="toolkit">' in html and 'href="#toolkit"' in html
    for w in words:
        assert w in text, w
    if lang == "zh":  # the model file's Traditional text (its reference) is converted too: one script
        assert "顧客" not in text and "顾客满意度" in text
    assert '<section id="toolkit">' not in quiet(render_report, fit)


def test_strata_refuse_another_survey(run, tmp_path):
    d, fit = run
    other = _survey().copy()
    other.loc[0, "sex"] = "m"
    other.to_csv(tmp_path / "survey.csv", index=False)
    (tmp_path / "toolkit.toml").write_text('data = "survey.csv"\n[strata]\nby = ["sex"]\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"is not the survey these results were fitted on.*give the file acsi fit read"):
        toolkit_section(tmp_path / "toolkit.toml", load_results(d / "results"))


def test_default_strata_are_the_model_covariates(run, tmp_path):
    d, fit = run
    (tmp_path / "toolkit.toml").write_text(f'data = "{d / "survey.csv"}"\n[strata]\nlatents = ["CS"]\n', encoding="utf-8")
    tab = toolkit_section(tmp_path / "toolkit.toml", load_results(d / "results"))["strata"]["frame"]
    assert set(tab["column"]) == {"", "sex", "age"}  # the airline model's covariates found in the survey


@pytest.mark.parametrize("text, error, message", [
    ('colour = "red"\n', InvalidParameterError, r"top level: unknown keys \['colour'\]"),
    ("confidence = 95\n", InvalidParameterError, r"confidence: must be a proportion in \(0, 1\)"),
    ('missing_codes = "98"\n', InvalidParameterError, r"missing_codes: must be a list of numbers"),
    ("data = \n", InvalidParameterError, r"not a valid TOML file"),
    ('[strata]\nby = 3\n', InvalidParameterError, r"\[strata\] by: must be a list of column names"),
    ('[strata]\nlevels = ["a"]\n', InvalidParameterError, r"\[strata\]: unknown keys \['levels'\]"),
])
def test_config_errors_name_the_key(tmp_path, text, error, message):
    p = tmp_path / "toolkit.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(error, match=message):
        read_toolkit_config(p)


def test_config_file_and_column_errors(run, tmp_path):
    d, fit = run
    with pytest.raises(InputFileError, match="toolkit file"):
        read_toolkit_config(tmp_path / "none.toml")
    (tmp_path / "t.toml").write_text('[strata]\nby = ["sex"]\n', encoding="utf-8")
    with pytest.raises(InvalidParameterError, match=r"needs a data file; add data = "):
        toolkit_section(tmp_path / "t.toml", load_results(d / "results"))
    (tmp_path / "u.toml").write_text(f'data = "{d / "survey.csv"}"\n[strata]\nby = ["income"]\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"the survey has no column \['income'\]"):
        toolkit_section(tmp_path / "u.toml", load_results(d / "results"))


def test_cli_report_with_a_toolkit_file(run, capsys):
    d, fit = run
    out = d / "report.html"
    assert main(["report", str(d / "results"), "--out", str(out), "--no-figures", "--toolkit",
                 str(d / "toolkit.toml"), "--lang", "zh"]) == 0
    assert "分层指数" in out.read_text(encoding="utf-8")
    (d / "bad.toml").write_text("confidence = 2\n", encoding="utf-8")
    code = main(["report", str(d / "results"), "--out", str(d / "r2.html"), "--no-figures", "--toolkit",
                 str(d / "bad.toml")])
    err = capsys.readouterr().err
    assert code != 0 and "confidence: must be a proportion" in err and "Traceback" not in err


# ------------------------------------------------------------------ the analyses a toolkit file lists
def _analyses_toml(d, extra=""):
    text = f'''data = "survey.csv"
confidence = 0.90
missing_codes = [98, 99]

[[analysis]]
name = "top_box"
columns = "cs1,cs2"
scale = "1,10"

[[analysis]]
name = "describe"
items = "cs1"
by = "sex"
confidence = 0.80

[[analysis]]
name = "pca"
items = "im1,im2,im3,cr1,cr2"
{extra}'''
    (d / "analyses.toml").write_text(text, encoding="utf-8")
    return d / "analyses.toml"


def test_the_listed_analyses_run_with_their_own_levels(run):
    from acsi.methods import top_box

    d, fit = run
    sec = toolkit_section(_analyses_toml(d), load_results(d / "results"))
    titles = [b["title"] for b in sec["blocks"]]
    assert titles == ["Top-box share", "Descriptive and stratified statistics", "Principal components"]
    assert [b["level"] for b in sec["blocks"]] == ["Intervals: 90%", "Intervals: 80%", "This analysis gives no intervals."]
    survey = pd.read_csv(d / "survey.csv")
    direct = top_box(survey["cs1"].mask(survey["cs1"].isin([98, 99])).dropna(), scale=(1, 10), confidence=0.90)
    html = quiet(render_report, fit, toolkit=_analyses_toml(d))
    text = page_text(html)
    for key in ("top_box", "ci_lower", "ci_upper"):
        assert f"{float(direct[key]):.3f}" in text, key
    assert sec["blocks"][2]["figure"] is not None and 'id="fig-toolkit_03_pca"' in html
    from acsi.report import write_report

    quiet(write_report, fit, None, d / "tk.html", toolkit=_analyses_toml(d), figures_dir=d / "tkfig")
    assert (d / "tkfig" / "toolkit_03_pca.png").is_file()
    zh = page_text(quiet(render_report, fit, toolkit=_analyses_toml(d), lang="zh"))
    assert "顶端选项比例（Top-box）" in zh and "区间：90%" in zh and "工具箱分析的表格说明、栏名与附注为英文" in zh


@pytest.mark.parametrize("extra, message", [
    ('[[analysis]]\nname = "nope"\n', r"\[\[analysis\]\] #4: name must be one of \["),
    ('[[analysis]]\nname = "nps"\ncolumns = "no_such"\n', r"\[\[analysis\]\] #4 \(nps\): .*no_such"),
])
def test_analysis_errors_name_the_entry(run, extra, message):
    d, fit = run
    with pytest.raises(acsi.AcsiError, match=message):
        toolkit_section(_analyses_toml(d, extra), load_results(d / "results"))


def test_a_survey_without_industries_gets_one_league_table(run):
    """The airline survey's industry column is empty: one league table of all units, no figure problem."""
    from acsi.report.figures import report_figures
    from acsi.report.plot import league_table

    d, fit = run
    data = load_results(d / "results")
    assert data.table("company_indexes")["industry"].isna().all()
    notes: list = []
    names = [f.name for f in report_figures(data, "en", notes=notes)]
    assert notes == [] and "league_01_all" in names
    assert league_table(data.table("company_indexes"), industry=float("nan")) is not None  # units without an industry


def test_a_saved_analysis_folder_is_shown_as_written(run, tmp_path):
    from acsi.methods.analyses import run_analysis

    d, fit = run
    survey = pd.read_csv(d / "survey.csv")
    saved = run_analysis("top_box", survey.mask(survey.isin([98, 99])), columns="cs1", scale="1,10", confidence=0.8)
    saved.save(tmp_path / "tk")
    (tmp_path / "t.toml").write_text('[[analysis]]\nname = "top_box"\nfolder = "tk"\n', encoding="utf-8")
    sec = toolkit_section(tmp_path / "t.toml", load_results(d / "results"))
    block = sec["blocks"][0]
    assert block["level"] == "Intervals: 80%" and block["figure"] is not None
    assert block["figure"].png == (tmp_path / "tk" / "top_box.png").read_bytes()
    text = page_text(quiet(render_report, fit, toolkit=tmp_path / "t.toml"))
    assert f"{float(saved.table()['top_box'].iloc[0]):.3f}" in text
    (tmp_path / "u.toml").write_text('[[analysis]]\nname = "top_box"\nfolder = "tk"\ncolumns = "cs1"\n', encoding="utf-8")
    with pytest.raises(InvalidParameterError, match=r"a saved analysis \(folder = \.\.\.\) takes no data or options"):
        read_toolkit_config(tmp_path / "u.toml")


def test_strata_of_a_fit_without_unit_columns(run, tmp_path):
    """A fit without unit columns keeps its pooled model's scores (they were an empty table before)."""
    d, _ = run
    fit = quiet(acsi.fit, str(d / "survey.csv"), "airline", unit=None, period=None, n_jobs=1)
    assert len(fit.scores) == fit.pooled.n and fit.scores["row"].is_unique
    assert fit.scores["CS"].mean() == pytest.approx(fit.pooled.index.set_index("latent").loc["CS", "index"], rel=1e-12)
    (tmp_path / "t.toml").write_text(f'data = "{d / "survey.csv"}"\n[strata]\nby = ["sex"]\n', encoding="utf-8")
    tab = toolkit_section(tmp_path / "t.toml", from_objects(fit))["strata"]["frame"]
    assert tab.loc[(tab["column"] == "sex") & (tab["latent"] == "CS"), "n"].sum() == fit.pooled.n
    no_scores = from_objects(fit).replace(scores_loader=lambda: fit.scores.iloc[0:0])
    with pytest.raises(DataError, match=r"carry no respondent scores with their survey rows"):
        toolkit_section(tmp_path / "t.toml", no_scores)
