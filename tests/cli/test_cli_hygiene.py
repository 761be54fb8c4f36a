"""Issue 16 on the command line: each bad input ends with one line naming what is wrong (no
traceback) and the documented exit code, before the fit when it can be known before the fit."""

from __future__ import annotations

import socket

import pandas as pd
import pytest

import acsi
from acsi.cli import EXIT_ERROR, EXIT_FILE, EXIT_NO_INDEX, EXIT_USAGE, main
from conftest import ACSI_LAVAAN, two_period_survey

pytestmark = pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("hygiene")
    survey = two_period_survey().query("period == '2025Q1'")
    survey.to_csv(d / "survey.csv", index=False)
    (d / "model.lav").write_text(ACSI_LAVAAN, encoding="utf-8")
    (d / "latin1.lav").write_bytes(("# modèle d'été\n" + ACSI_LAVAAN).encode("latin-1"))
    (d / "broken.json").write_text("{not json", encoding="utf-8")
    twice = pd.concat([survey, survey[["cs2"]]], axis=1)
    twice.to_csv(d / "twice.csv", index=False)
    survey.to_csv(d / "eu.csv", index=False, sep=";", decimal=",")
    survey.assign(company=survey["company"].map({"A": "国航", "B": "东航", "C": "南航", "Tiny": "小"})).to_csv(
        d / "gbk.csv", index=False, encoding="gbk")
    survey.replace({98: -9, 99: -8}).to_csv(d / "negative.csv", index=False)
    (d / "a-file").write_text("not a folder")
    return d


def _fit(files, *extra, survey="survey.csv", model="model.lav"):
    return ["fit", str(files / survey), "--model", str(files / model), "--jobs", "1", "--quiet", *extra]


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


#: name -> (extra arguments, exit code, words the one line must hold); every case fails before the fit.
BEFORE_THE_FIT = {
    "confidence 95": (["--confidence", "95"], EXIT_USAGE, "--confidence must be in (0, 1). Got 95.0 instead. 95 reads "
                                                          "as a percent: give 0.95"),
    "confidence 1.5": (["--confidence", "1.5"], EXIT_USAGE, "--confidence must be in (0, 1). Got 1.5"),
    "jobs 0": (["--jobs", "0"], EXIT_USAGE, "--jobs must be -1 (all cores) or a positive number of workers. Got 0"),
    "jobs -5": (["--jobs", "-5"], EXIT_USAGE, "Got -5"),
    "seed -5": (["--bootstrap", "2", "--seed", "-5"], EXIT_USAGE, "--seed must be None or an integer >= 0. Got -5"),
    "min-n -3": (["--min-n", "-3"], EXIT_USAGE, "--min-n must be an integer >= 2. Got -3"),
    "min-n 0": (["--min-n", "0"], EXIT_USAGE, "--min-n must be an integer >= 2. Got 0"),
    "bootstrap 1e12": (["--bootstrap", "1000000000000"], EXIT_USAGE,
                       "--bootstrap must be a number of replicates whose results fit in memory"),
    "malformed item map": (["--item-map", "{dir}/broken.json"], EXIT_ERROR, "is not valid JSON (Expecting property "
                                                                            "name enclosed in double quotes at line 1"),
    "scheduler unreachable": (["--bootstrap", "2", "--seed", "1", "--scheduler", "tcp://127.0.0.1:{port}"], EXIT_ERROR,
                              "cannot reach the Dask scheduler tcp://127.0.0.1:"),
    "scheduler not an address": (["--bootstrap", "2", "--scheduler", "my laptop"], EXIT_USAGE,
                                 "is not of the form tcp://host:port"),
    "out is a file": (["--out", "{dir}/a-file"], EXIT_FILE, "is a file, not a folder"),
    "out inside a file": (["--out", "{dir}/a-file/results"], EXIT_FILE, "is a file"),
}


@pytest.mark.parametrize("name", list(BEFORE_THE_FIT))
def test_a_bad_option_is_one_line_before_the_fit(name, files, capsys, monkeypatch):
    extra, code, words = BEFORE_THE_FIT[name]
    extra = [e.format(dir=files, port=_closed_port()) for e in extra]
    if "--out" not in extra:
        extra += ["--out", str(files / "out-never")]
    monkeypatch.setattr("acsi.fitting.fit_unit", lambda *a, **k: pytest.fail("the fit ran"))
    assert main(_fit(files, *extra)) == code
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("acsi fit: error: "), captured.err
    assert words in lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert not (files / "out-never").exists()


@pytest.mark.parametrize("survey, model, code, words", [
    ("twice.csv", "model.lav", EXIT_ERROR, "names a column more than once: 'cs2' (columns"),
    ("survey.csv", "latin1.lav", EXIT_ERROR, "it is not UTF-8 text (byte 0xe8 at position 5); it may be Windows-1252 "
                                             "or Latin-1"),
    ("gbk.csv", "model.lav", EXIT_ERROR, "it reads as GBK (Simplified Chinese): pass encoding='gbk' (command line: "
                                         "--encoding gbk)"),
])
def test_a_bad_input_file_is_one_line(survey, model, code, words, files, capsys, tmp_path):
    assert main(_fit(files, "--out", str(tmp_path / "out"), survey=survey, model=model)) == code
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_parse_lavaan_of_none_names_the_parameter():
    with pytest.raises(acsi.InvalidParameterError, match=r"'text' parameter of parse_lavaan must be lavaan model text"):
        acsi.parse_lavaan(None)


def test_european_and_chinese_csv_files_fit_and_say_how_they_were_read(files, capsys, tmp_path):
    ref = tmp_path / "ref"
    assert main(_fit(files, "--out", str(ref))) == 0
    expected = pd.read_csv(ref / "company_indexes.csv")
    capsys.readouterr()
    assert main(_fit(files, "--out", str(tmp_path / "eu"), survey="eu.csv")) == 0
    assert "read the survey with separator ';' (detected), decimal mark ',' (detected), encoding utf-8" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "eu" / "company_indexes.csv"), expected)
    manifest = acsi.tables.read_manifest(tmp_path / "eu")
    assert manifest["options"]["input"]["sep"] == ";"
    assert main(_fit(files, "--encoding", "gbk", "--out", str(tmp_path / "gbk"), survey="gbk.csv")) == 0
    got = pd.read_csv(tmp_path / "gbk" / "company_indexes.csv")
    assert sorted(got["company"]) == sorted(["国航", "东航", "南航", "小"])
    assert sorted(got["index"].dropna()) == sorted(expected["index"].dropna())  # the same bits, renamed companies
    assert main(_fit(files, "--sep", ";", "--decimal", ",", "--out", str(tmp_path / "eu2"), survey="eu.csv")) == 0


def test_negative_missing_codes_are_accepted(files, tmp_path):
    assert main(_fit(files, "--out", str(tmp_path / "ref"))) == 0
    assert main(_fit(files, "--missing-codes", "-9,-8", "--out", str(tmp_path / "neg"), survey="negative.csv")) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "neg" / "company_indexes.csv"),
                                  pd.read_csv(tmp_path / "ref" / "company_indexes.csv"))


def test_no_unit_with_an_index_exits_4_with_the_results_saved(files, capsys, tmp_path):
    assert main(_fit(files, "--min-n", "100000", "--out", str(tmp_path / "none"))) == EXIT_NO_INDEX
    err = capsys.readouterr().err
    assert "acsi fit: error: no unit produced an index (4 unit(s), every one failed" in err
    table = pd.read_csv(tmp_path / "none" / "company_indexes.csv")
    assert table["index"].isna().all() and table["reason"].str.contains("too few respondents").all()


def test_a_declared_id_column_refuses_repeated_ids(files, capsys, tmp_path):
    survey = pd.read_csv(files / "survey.csv")
    survey.insert(0, "rid", range(len(survey)))
    survey.loc[5, "rid"] = 4
    survey.to_csv(tmp_path / "ids.csv", index=False)
    args = ["fit", str(tmp_path / "ids.csv"), "--model", str(files / "model.lav"), "--jobs", "1", "--quiet"]
    assert main([*args, "--id", "rid", "--out", str(tmp_path / "o")]) == EXIT_ERROR
    assert "id column 'rid': 1 id(s) appear more than once (2 rows), e.g. [4]" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_the_replicate_memory_estimate_and_the_refusal():
    from acsi.bootstrap import check_replicate_memory, replicate_bytes

    assert replicate_bytes(1000, 3, 10) == 2 * 3 * 1000 * 82
    check_replicate_memory(1000, 3, 10, available=492_000)
    with pytest.raises(acsi.InvalidParameterError, match=r"1000 replicates x 3 unit\(s\) x 10 statistic\(s\) need about "
                                                          r"492.0 kB, and 491.9 kB is available"):
        check_replicate_memory(1000, 3, 10, available=491_900)


def test_a_library_bootstrap_too_big_for_memory_is_refused_before_the_replicates(monkeypatch):
    survey = two_period_survey().query("period == '2025Q1' and company == 'A'")
    res = acsi.fit(survey, acsi.parse_lavaan(ACSI_LAVAAN), unit="company")
    monkeypatch.setattr("acsi.bootstrap._execute", lambda *a, **k: pytest.fail("the replicates ran"))
    with pytest.raises(acsi.InvalidParameterError, match="'n_boot' parameter of bootstrap must be a number of "
                                                         "replicates whose results fit in memory"):
        res.bootstrap(n_boot=10**12, seed=1)


def test_ipa_with_one_attribute_needs_fixed_cuts():
    from acsi.methods.ipa import ipa

    one_i, one_p = pd.Series([4.0], index=["speed"]), pd.Series([3.0], index=["speed"])
    with pytest.raises(acsi.errors.MethodError, match=r"one attribute \('speed'\) with the cut at the mean"):
        ipa(one_i, one_p)
    assert ipa(one_i, one_p, cut=(3.5, 3.5))["quadrant"].tolist() == ["B"]


@pytest.mark.parametrize("where, words", [("out", "is a file, not a folder"), ("figures", "is a file, not a folder")])
def test_report_checks_its_outputs_before_reading_and_drawing(where, words, files, tmp_path, capsys, monkeypatch):
    assert main(_fit(files, "--out", str(tmp_path / "results"))) == 0
    capsys.readouterr()
    monkeypatch.setattr("acsi.report.load_results", lambda *a, **k: pytest.fail("the results were read"))
    out = files / "a-file" / "r.html" if where == "out" else tmp_path / "r.html"
    extra = ["--figures", str(files / "a-file")] if where == "figures" else []
    assert main(["report", str(tmp_path / "results"), "--out", str(out), *extra]) == EXIT_FILE
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


@pytest.mark.parametrize("command, table", [("ipa", "attribute,importance,performance\na,4,3\nb,3,4\nc,2,2.5\n"),
                                            ("kano", "attribute,functional,dysfunctional\na,1,5\na,2,4\nb,3,3\n")])
def test_a_figure_with_an_unknown_extension_is_refused_before_the_work(command, table, tmp_path, capsys):
    path = tmp_path / "table.csv"
    path.write_text(table)
    code = main([command, str(path), "--out", str(tmp_path / "x.xyz")])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE and err.count("\n") == 1 and "Traceback" not in err
    assert "'.xyz' is not a figure format" in err
    assert not (tmp_path / "x.xyz").exists()
