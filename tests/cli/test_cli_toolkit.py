"""The toolkit commands (acsi/cli/toolkit.py: ahp, kano, ipa, sample-size, nps) through ``acsi.cli.main``."""
from pathlib import Path

import pandas as pd
import pytest

from acsi.cli import EXIT_ERROR, EXIT_FILE, main

REF = Path(__file__).resolve().parents[1] / "reference"


@pytest.fixture()
def parser():
    return None


def run(parser, argv):
    return main(argv)


def test_ahp(parser, capsys):
    assert run(parser, ["ahp", str(REF / "methods_ahp" / "house.csv")]) == 0
    out, err = capsys.readouterr()
    assert "financing" in out and "0.333" in out and "lambda_max" in out
    assert "CR = 0.169" in err


def test_kano_with_plot(parser, capsys, tmp_path):
    fig = tmp_path / "kano.png"
    assert run(parser, ["kano", str(REF / "methods_kano" / "answers.csv"), "--out", str(fig)]) == 0
    out = capsys.readouterr().out
    assert "safety" in out and "must-be" in out
    assert fig.stat().st_size > 1000


def test_ipa_with_plot(parser, capsys, tmp_path):
    table = tmp_path / "ipa.csv"
    pd.DataFrame({"attribute": ["price", "speed", "staff", "decor"], "importance": [4.6, 4.2, 3.1, 2.5],
                  "performance": [3.2, 4.4, 4.1, 2.9]}).to_csv(table, index=False)
    fig = tmp_path / "fig.png"
    assert run(parser, ["ipa", str(table), "--out", str(fig)]) == 0
    out = capsys.readouterr().out
    assert "repair" in out and "advantage" in out
    assert fig.stat().st_size > 1000
    assert run(parser, ["ipa", str(table), "--lang", "zh", "--importance-cut", "4", "--performance-cut", "4"]) == 0
    assert "優勢區" in capsys.readouterr().out


def test_sample_size(parser, capsys):
    assert run(parser, ["sample-size", "--margin", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "385" in out and "384.14" in out
    assert run(parser, ["sample-size", "--margin", "0.05", "--population", "1000"]) == 0
    assert "278" in capsys.readouterr().out
    assert run(parser, ["sample-size", "--margin", "2", "--sd", "20"]) == 0
    assert "385" in capsys.readouterr().out


def test_nps(parser, capsys, tmp_path):
    f = tmp_path / "nps.csv"
    pd.DataFrame({"ltr": [10, 9, 8, 6, 0]}).to_csv(f, index=False)
    assert run(parser, ["nps", str(f), "--column", "ltr"]) == 0
    assert "nps" in capsys.readouterr().out


def test_errors_have_the_documented_exit_codes(parser, capsys, tmp_path):
    # one exit-code table for every command (issue 10): a missing input file is 3, bad input 1
    assert run(parser, ["ahp", str(tmp_path / "missing.csv")]) == EXIT_FILE
    assert "acsi ahp: error: input file" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    pd.DataFrame([[1, 2], [0.2, 1]], index=["a", "b"], columns=["a", "b"]).to_csv(bad)
    assert run(parser, ["ahp", str(bad)]) == EXIT_ERROR
    assert "not reciprocal" in capsys.readouterr().err
    f = tmp_path / "nps.csv"
    pd.DataFrame({"ltr": [10]}).to_csv(f, index=False)
    assert run(parser, ["nps", str(f), "--column", "x"]) == EXIT_ERROR
    assert "column 'x' not found" in capsys.readouterr().err
    assert run(parser, ["sample-size", "--margin", "5"]) == EXIT_ERROR
    assert "margin must be a proportion" in capsys.readouterr().err
    t = tmp_path / "t.csv"
    pd.DataFrame({"name": ["a"]}).to_csv(t, index=False)
    assert run(parser, ["ipa", str(t)]) == EXIT_ERROR
    assert "not found" in capsys.readouterr().err
    assert run(parser, ["kano", str(t)]) == EXIT_ERROR
    assert "not found" in capsys.readouterr().err
