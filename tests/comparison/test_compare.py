"""acsi.compare and ``acsi compare``: the orchestration of the invariance sequence (CB-SEM) and
of MICOM / MGA (PLS) on a survey, the accounting of every respondent, group order, the files
written, the report section (EN/ZH) and the command line's one-line errors."""

import re

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.cli import main
from acsi.errors import DataError, InvalidParameterError
from acsi.estimate.invariance import invariance
from reference.cases import load_case


@pytest.fixture(scope="module")
def survey():
    return load_case("mg_invariance").data


@pytest.fixture(scope="module")
def sem(survey):
    return acsi.compare(survey, "acsi", by="segment")


def test_sem_comparison_is_the_invariance_sequence_plus_path_tests(survey, sem):
    direct = invariance(acsi.load_model("acsi"), survey, "segment")
    pd.testing.assert_frame_equal(sem.invariance, direct.table)
    assert sem.groups == ("store", "online") and sem.level == "partial strict"
    p = sem.paths.set_index(["from", "to"])
    assert len(p) == 9 and (p["model"] == "strict").all()
    assert p.loc[("PV", "CS"), "wald_p"] < 0.05 and p.loc[("PV", "CS"), "lrt_p"] < 0.05  # the planted difference
    assert p.loc[("PV", "CS"), "est_online"] > p.loc[("PV", "CS"), "est_store"]
    assert (p["wald_df"] == 1).all() and (p["lrt_df"] == 1).all()
    ix = sem.indexes.set_index("latent")
    assert ix.loc["PV", "invariance"] == "partial scalar" and "pv2" in ix.loc["PV", "rests_on"]
    assert set(sem.latent_means["latent"]) == set(acsi.load_model("acsi").latent_ids)
    assert set(sem.score_tests["level"]) == {"metric", "scalar", "strict"}
    acc = sem.accounting.set_index("segment")
    assert acc.loc["store", "rows_used"] == 400 and acc.loc["online", "rows_used"] == 350


def test_every_respondent_is_accounted_for(survey):
    df = survey.copy()
    df.loc[[3, 10, 500], "cs1"] = 99  # "refused": dropped listwise, and counted
    res = acsi.compare(df, "acsi", by="segment", levels=("configural", "metric"))
    acc = res.accounting.set_index("segment")
    assert acc["rows_read"].sum() == len(df)
    assert acc.loc["store", "rows_used"] == 398 and acc.loc["online", "rows_used"] == 349
    dropped = acc[[c for c in acc.columns if c.startswith("dropped_")]].sum(axis=1)
    assert (acc["rows_read"] == acc["rows_used"] + dropped).all()


def test_survey_weights_enter_the_indexes(survey):
    w = np.where(survey["cs1"] >= 9, 3.0, 1.0)  # weight up the satisfied
    df = survey.assign(w=w)
    res = acsi.compare(df, "acsi", by="segment", weight="w", levels=("configural", "metric"))
    plain = acsi.compare(survey, "acsi", by="segment", levels=("configural", "metric"))
    a, b = res.indexes.set_index("latent"), plain.indexes.set_index("latent")
    assert (a.loc["CS", "reference_index"] > b.loc["CS", "reference_index"] + 1)
    store = survey[survey["segment"] == "store"]
    ws = w[(survey["segment"] == "store").to_numpy()]
    spec = acsi.load_model("acsi")
    g = res.detail.accepted.result.groups[0]
    sc = acsi.score.latent_scores(store, spec, acsi.score.item_weights(spec, g["loadings"], g["residual_variances"]))
    assert a.loc["CS", "reference_index"] == pytest.approx(np.average(sc["CS"], weights=ws), rel=1e-12)
    pls = acsi.compare(df, "acsi", by="segment", weight="w", estimator="pls", n_perm=20, n_boot=0, seed=1)
    assert np.isfinite(pls.indexes["index"]).all()


def test_a_period_column_is_compared_in_time_order(survey):
    df = survey.assign(period=np.where(survey["segment"] == "store", "2025 Q1", "2024Q4"))
    res = acsi.compare(df, "acsi", by="period", levels=("configural", "metric"))
    assert res.groups == ("2024Q4", "2025Q1")  # canonical labels, chronological, not first appearance
    explicit = acsi.compare(df, "acsi", by="period", groups=["2025Q1", "2024Q4"], levels=("configural",))
    assert explicit.groups == ("2025Q1", "2024Q4")


def test_pls_comparison_micom_paths_and_indexes(survey):
    res = acsi.compare(survey, "acsi", by="segment", estimator="pls", n_perm=100, n_boot=100, seed=4)
    assert res.groups == ("store", "online")
    assert set(res.invariance["invariance"]) <= {"full", "partial", "none"}
    assert list(res.invariance["group"].unique()) == ["online"]
    assert len(res.paths) == 9 and {"p_permutation", "p_henseler_two_sided"} <= set(res.paths.columns)
    ix = res.indexes.set_index("latent")
    row = ix.loc["CS"]
    assert row["difference"] == pytest.approx(row["index"] - row["reference_index"])
    assert "MICOM" in row["rests_on"]
    again = acsi.compare(survey, "acsi", by="segment", estimator="pls", n_perm=100, n_boot=100, seed=4)
    pd.testing.assert_frame_equal(res.paths, again.paths, check_exact=True)


def test_save_writes_tables_summary_and_figure(sem, tmp_path):
    paths = sem.save(tmp_path / "cmp")
    names = {p.name for p in paths}
    assert {"invariance.csv", "paths.csv", "indexes.csv", "latent_means.csv", "score_tests.csv", "accounting.csv",
            "summary.txt", "comparison.png", "manifest.json"} <= names
    import json

    from acsi.tables import verify_manifest

    man = json.loads((tmp_path / "cmp" / "manifest.json").read_text())
    assert man["kind"] == "comparison" and man["groups"] == ["store", "online"] and "CS =~" in man["model_lavaan"]
    assert set(verify_manifest(tmp_path / "cmp", man)) == names - {"manifest.json"}  # sizes and SHA-256 hold
    assert (tmp_path / "cmp" / "comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    back = pd.read_csv(tmp_path / "cmp" / "invariance.csv")
    assert list(back["step"]) == list(sem.invariance["step"])
    text = (tmp_path / "cmp" / "summary.txt").read_text()
    assert "Highest level that holds: partial strict." in text and "pv2" in text


def test_bad_options_are_refused(survey):
    with pytest.raises(InvalidParameterError, match="'estimator'"):
        acsi.compare(survey, by="segment", estimator="ml")
    with pytest.raises(InvalidParameterError, match="'options'"):
        acsi.compare(survey, by="segment", options={"scheme": "path"})
    with pytest.raises(DataError, match="'region' \\(--by\\) is not in the survey"):
        acsi.compare(survey, by="region")
    with pytest.raises(InvalidParameterError, match="'groups'"):
        acsi.compare(survey, by="segment", groups=["store", "phone"])


def test_report_gains_a_comparison_section_in_both_languages(survey, sem):
    from acsi.report.compare import render_comparison
    from acsi.report.render import render_report

    fit = acsi.fit(survey, "acsi", unit=None, period=None, options={"engine": "mlfast"})
    for lang, heading in (("en", "Group comparison"), ("zh-hant", "組間比較"), ("zh", "组间比较")):
        html = render_report(fit, lang=lang, comparison=sem)
        assert '<section id="comparison">' in html and heading in html
        assert 'href="#comparison"' in html
        page = render_comparison(sem, lang=lang)
        assert heading in page and "data:image/png;base64," in page
    plain = render_report(fit)
    assert '<section id="comparison">' not in plain
    zh = render_comparison(sem, lang="zh-hant")
    assert "部分標量不變" in zh and "成立：Δχ²" in zh
    hans = render_comparison(sem, lang="zh")  # zh is Simplified (acsi.report.i18n)
    assert "部分标量不变" in hans and "成立：Δχ²" in hans and "標" not in hans


def test_cli_compare_writes_the_files(survey, tmp_path, capsys):
    f = tmp_path / "survey.csv"
    survey.to_csv(f, index=False)
    out = tmp_path / "out"
    assert main(["compare", str(f), "--by", "segment", "--levels", "configural,metric,scalar", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Measurement invariance across 2 groups" in printed and "wrote 10 files" in printed
    for name in ("invariance.csv", "paths.csv", "indexes.csv", "comparison.png", "compare.html", "summary.txt"):
        assert (out / name).is_file(), name
    assert main(["compare", str(f), "--by", "segment", "--estimator", "pls", "--perm", "50", "--boot", "0",
                 "--seed", "1", "--quiet", "--lang", "zh", "--out", str(tmp_path / "pls")]) == 0
    assert "组间比较" in (tmp_path / "pls" / "compare.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["--by", "segmentx"], r"the column 'segmentx' \(--by\) is not in the survey"),
    (["--by", "segment", "--groups", "store"], r"'groups' parameter of acsi.compare must name two or more"),
])
def test_cli_errors_are_one_line(survey, tmp_path, capsys, args, message):
    f = tmp_path / "survey.csv"
    survey.to_csv(f, index=False)
    # 1 today; the command registry of issue 10 gives bad option values the usage status 2
    assert main(["compare", str(f), *args, "--out", str(tmp_path / "o")]) in (1, 2)
    err = capsys.readouterr().err
    assert err.startswith("acsi compare: error: ") and len(err.strip().splitlines()) == 1
    assert re.search(message, err) and "Traceback" not in err


def test_cli_one_level_names_the_level(survey, tmp_path, capsys):
    f = tmp_path / "one.csv"
    survey[survey["segment"] == "online"].to_csv(f, index=False)
    assert main(["compare", str(f), "--by", "segment", "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "has one level ('online')" in err and len(err.strip().splitlines()) == 1
