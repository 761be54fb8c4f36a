"""Every command, every option, a bad value: one line on stderr, no traceback, the documented exit code.

For each option of each command (sub-commands such as ``acsi metrics nps`` included) that
takes a value, the bad value is derived from the option itself (a word for a number, a word
outside the choices, a missing file for a ``FILE`` positional, an unknown column for a
``COL``/``COLS`` metavar), or taken from :data:`BAD` (a value of the right type that the
library refuses: ``--confidence 2``, a missing file, an unknown column).  Options whose value
is free text (an output path, a title; a ``DIR`` metavar) are listed in :data:`FREE` with the
reason; an option in none of these makes the test fail.  The toolkit commands' entries are in
``_toolkit_cases.py``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys

import pandas as pd
import pytest

import acsi
from acsi.aggregate.examples import example_panel
from acsi.cli import EXIT_CODES, EXIT_ERROR, EXIT_FILE, EXIT_USAGE, build_parser, main
from conftest import ACSI_LAVAAN, REFERENCE, two_period_survey
from _toolkit_cases import BAD as TOOLKIT_BAD, FREE as TOOLKIT_FREE, VALID as TOOLKIT_VALID, write_inputs

MISSING = "/nonexistent/acsi-test/file.csv"

#: command -> the valid arguments it needs (placeholders filled by the ``inputs`` fixture).
VALID = {
    "models": [],
    "fit": ["{survey}", "--model", "{model}", "--jobs", "1", "--quiet", "--out", "{out}"],
    "demo": ["--out", "{out}", "--no-report", "--quiet"],
    "aggregate": ["{indexes}", "--weights", "{sales}", "--out", "{out}", "--window", "1"],
    "report": ["{results}", "--out", "{out}/r.html", "--no-figures"],
    "compare": ["{compare}", "--by", "period", "--levels", "configural", "--quiet", "--out", "{out}"],
    "ahp": ["{matrix}"],
    "kano": ["{answers}"],
    "ipa": ["{ipa}"],
    "sample-size": ["--margin", "0.05"],
    "nps": ["{nps}", "--column", "ltr"],
    "simulate": ["--out", "{out}"],
    "publish": ["{survey}", "--sales", "{sales_a}", "--store", "{newstore}", "--release", "R1", "--partial-windows",
                "--quiet"],
    "history": ["--store", "{store}", "--unit", "national"],
    "revisions": ["--store", "{store}", "--from", "ACSI-airlines-1994-2008", "--to", "ACSI-internet-portals-1994-2008"],
    "site": ["--store", "{store}", "--out", "{out}/site", "--lang", "en"],
    "import-published": ["--store", "{newstore}"],
}
BOOT = ["--bootstrap", "2", "--seed", "1"]

#: (command, option) -> (bad value, extra valid arguments, exit code).
BAD = {
    ("fit", "survey"): (MISSING, [], EXIT_FILE),
    ("fit", "--model"): ("no-such-model", [], EXIT_ERROR),
    ("fit", "--model-option"): ("complaint", [], EXIT_USAGE),
    ("fit", "--unit"): ("no_such_column", [], EXIT_ERROR),
    ("fit", "--period"): ("no_such_column", [], EXIT_ERROR),
    ("fit", "--weight"): ("no_such_column", [], EXIT_ERROR),
    ("fit", "--item-map"): (MISSING, [], EXIT_FILE),
    ("fit", "--min-n"): ("0", [], EXIT_USAGE),
    ("fit", "--confidence"): ("2", [], EXIT_USAGE),
    ("fit", "--jobs"): ("0", [], EXIT_USAGE),
    ("fit", "--seed"): ("-1", BOOT[:2], EXIT_USAGE),
    ("fit", "--bootstrap"): ("1000000000000", [], EXIT_USAGE),
    ("fit", "--id"): ("no_such_column", [], EXIT_ERROR),
    ("fit", "--sep"): ("ab", [], EXIT_USAGE),
    ("fit", "--encoding"): ("no-such-codec", [], EXIT_ERROR),
    ("fit", "--strata"): ("no_such_column", BOOT, EXIT_ERROR),
    ("fit", "--sales"): (MISSING, BOOT, EXIT_FILE),
    ("fit", "--window"): ("0", BOOT + ["--sales", "{sales}"], EXIT_USAGE),
    ("demo", "--jobs"): ("0", [], EXIT_USAGE),
    ("demo", "--published"): (MISSING, [], EXIT_FILE),
    ("aggregate", "indexes"): (MISSING, [], EXIT_FILE),
    ("aggregate", "--weights"): (MISSING, [], EXIT_FILE),
    ("aggregate", "--window"): ("0", [], EXIT_USAGE),
    ("aggregate", "--carry-forward"): ("-1", [], EXIT_USAGE),
    ("aggregate", "--sector-weights"): (MISSING, [], EXIT_FILE),
    ("aggregate", "--industry-totals"): (MISSING, [], EXIT_FILE),
    ("aggregate", "--unit"): ("no_such_column", [], EXIT_ERROR),
    ("aggregate", "--confidence"): ("2", [], EXIT_USAGE),
    ("aggregate", "--span"): ("a year", ["!--window"], EXIT_ERROR),
    ("aggregate", "--latent"): ("NO_SUCH_LATENT", [], EXIT_ERROR),
    ("aggregate", "--status-column"): ("no_such_column", [], EXIT_ERROR),
    ("compare", "survey"): (MISSING, [], EXIT_FILE),
    ("compare", "--by"): ("no_such_column", [], EXIT_ERROR),
    ("compare", "--model"): ("no-such-model", [], EXIT_ERROR),
    ("compare", "--model-option"): ("complaint", [], EXIT_USAGE),
    ("compare", "--groups"): ("2025Q1", [], EXIT_USAGE),
    ("compare", "--weight"): ("no_such_column", [], EXIT_ERROR),
    ("compare", "--min-n"): ("1", [], EXIT_USAGE),
    ("compare", "--levels"): ("metric,scalar", [], EXIT_USAGE),
    ("compare", "--alpha"): ("2", [], EXIT_USAGE),
    ("compare", "--perm"): ("5", ["--estimator", "pls"], EXIT_USAGE),
    ("compare", "--boot"): ("-1", ["--estimator", "pls"], EXIT_USAGE),
    ("compare", "--seed"): ("-1", ["--estimator", "pls"], EXIT_USAGE),
    ("compare", "--jobs"): ("0", ["--estimator", "pls"], EXIT_USAGE),
    ("compare", "--confidence"): ("2", [], EXIT_USAGE),
    ("report", "results"): ("/nonexistent/acsi-test/results", [], EXIT_FILE),
    ("report", "--aggregate"): ("/nonexistent/acsi-test/aggregate", [], EXIT_FILE),
    ("report", "--published"): (MISSING, [], EXIT_FILE),
    ("report", "--toolkit"): ("/nonexistent/acsi-test/toolkit.toml", [], EXIT_FILE),
    ("ahp", "matrix"): (MISSING, [], EXIT_FILE),
    ("kano", "answers"): (MISSING, [], EXIT_FILE),
    ("kano", "--attribute-column"): ("no_such_column", [], EXIT_ERROR),
    ("kano", "--functional-column"): ("no_such_column", [], EXIT_ERROR),
    ("kano", "--dysfunctional-column"): ("no_such_column", [], EXIT_ERROR),
    ("ipa", "table"): (MISSING, [], EXIT_FILE),
    ("ipa", "--attribute-column"): ("no_such_column", [], EXIT_ERROR),
    ("ipa", "--importance-column"): ("no_such_column", [], EXIT_ERROR),
    ("ipa", "--performance-column"): ("no_such_column", [], EXIT_ERROR),
    ("sample-size", "--margin"): ("5", [], EXIT_ERROR),
    ("nps", "file"): (MISSING, [], EXIT_FILE),
    ("nps", "--column"): ("no_such_column", [], EXIT_ERROR),
    ("publish", "survey"): (MISSING, [], EXIT_FILE),
    ("publish", "--sales"): (MISSING, [], EXIT_FILE),
    ("publish", "--model"): ("no-such-model", [], EXIT_ERROR),
    ("publish", "--model-option"): ("complaint", [], EXIT_USAGE),
    ("publish", "--store"): ("/nonexistent/acsi-test/s.duckdb", [], EXIT_FILE),
    ("publish", "--release"): ("#1", [], EXIT_ERROR),
    ("publish", "--release-date"): ("not-a-date", [], EXIT_USAGE),
    ("publish", "--unit"): ("no_such_column", [], EXIT_ERROR),
    ("publish", "--period"): ("no_such_column", [], EXIT_ERROR),
    ("publish", "--weight"): ("no_such_column", [], EXIT_ERROR),
    ("publish", "--min-n"): ("0", [], EXIT_USAGE),
    ("publish", "--confidence"): ("2", [], EXIT_USAGE),
    ("publish", "--span"): ("a year", [], EXIT_ERROR),
    ("publish", "--window"): ("0", [], EXIT_USAGE),
    ("publish", "--carry-forward"): ("-1", [], EXIT_USAGE),
    ("publish", "--sector-weights"): (MISSING, [], EXIT_FILE),
    ("publish", "--industry-totals"): (MISSING, [], EXIT_FILE),
    ("publish", "--bootstrap"): ("1", [], EXIT_USAGE),
    ("publish", "--seed"): ("-1", ["--bootstrap", "2"], EXIT_USAGE),
    ("publish", "--jobs"): ("0", [], EXIT_USAGE),
    ("history", "--store"): (MISSING, [], EXIT_FILE),
    ("history", "--unit"): ("no_such_unit", [], EXIT_ERROR),
    ("history", "--latent"): ("NO_SUCH_LATENT", [], EXIT_ERROR),
    ("revisions", "--store"): (MISSING, [], EXIT_FILE),
    ("revisions", "--from"): ("no-such-release", [], EXIT_ERROR),
    ("revisions", "--to"): ("no-such-release", [], EXIT_ERROR),
    ("site", "--store"): (MISSING, [], EXIT_FILE),
    ("import-published", "--store"): ("/nonexistent/acsi-test/s.duckdb", [], EXIT_FILE),
}

#: (command, option) -> why no value is wrong for it.
FREE = {
    ("fit", "--out"): "any directory name (created)",
    ("fit", "--scheduler"): "an address, checked by Dask when it connects",
    ("demo", "--out"): "any directory name (created)",
    ("aggregate", "--out"): "any directory name (created)",
    ("report", "--out"): "any file name (created)",
    ("compare", "--out"): "any directory name (created)",
    ("report", "--figures"): "any directory name (created)",
    ("report", "--title"): "any title",
    ("kano", "--out"): "any file name (created)",
    ("ipa", "--out"): "any file name (created)",
    ("simulate", "--out"): "any directory name (created)",
    ("publish", "--notes"): "any text",
    ("history", "--out"): "any file name (created)",
    ("revisions", "--out"): "any file name (created)",
    ("site", "--out"): "any directory name (created)",
    ("site", "--title"): "any title",
}


VALID.update(TOOLKIT_VALID)
BAD.update(TOOLKIT_BAD)
FREE.update(TOOLKIT_FREE)


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    return {} if action is None else dict(action.choices)


def _commands(parser: argparse.ArgumentParser, prefix: str = ""):
    """``(command, parser)`` of every runnable command; a group's sub-commands as ``"group sub"``."""
    for name, sub in _subparsers(parser).items():
        if _subparsers(sub):
            yield from _commands(sub, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", sub


def _key(action) -> str:
    return max(action.option_strings, key=len) if action.option_strings else action.dest


def _cases():
    for command, sub in _commands(build_parser()):
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction) or action.nargs == 0:
                continue
            key = (command, _key(action))
            if key in BAD:
                value, extra, code = BAD[key]
            elif key in FREE or action.metavar == "DIR":  # an output folder: any name is created
                continue
            elif not action.option_strings and action.metavar == "FILE":
                value, extra, code = MISSING, [], EXIT_FILE
            elif action.metavar and "COL" in str(action.metavar):
                value, extra, code = "no_such_column", [], EXIT_ERROR
            elif action.choices:
                value, extra, code = "<bogus>", [], EXIT_USAGE
            elif action.type in (int, float) or callable(action.type):
                value, extra, code = "<not-a-number>", [], EXIT_USAGE
            else:
                raise AssertionError(f"acsi {command} {key[1]}: no bad value declared; add it to BAD or FREE")
            yield pytest.param(command, action, value, extra, code, id=f"{command} {key[1]}")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli_inputs")
    survey = two_period_survey().query("period == '2025Q1' and company == 'A'")
    survey.to_csv(d / "survey.csv", index=False)
    two_period_survey().query("company == 'A'").to_csv(d / "compare.csv", index=False)  # two periods of one company
    (d / "model.lav").write_text(ACSI_LAVAAN)
    idx, sales = example_panel(4, 2, 2, 2, seed=1)
    idx.to_csv(d / "indexes.csv", index=False)
    sales.to_csv(d / "sales.csv", index=False)
    with pytest.warns(acsi.ConvergenceWarning):
        acsi.fit(two_period_survey(), acsi.parse_lavaan(ACSI_LAVAAN), unit="company").save(d / "results")
    shutil.copy(REFERENCE / "methods_ahp" / "house.csv", d / "matrix.csv")
    shutil.copy(REFERENCE / "methods_kano" / "answers.csv", d / "answers.csv")
    pd.DataFrame({"attribute": ["a", "b", "c"], "importance": [4.0, 3.0, 2.0],
                  "performance": [3.0, 4.0, 2.5]}).to_csv(d / "ipa.csv", index=False)
    pd.DataFrame({"ltr": [10, 9, 3]}).to_csv(d / "nps.csv", index=False)
    from acsi.production import import_acsi_tables

    import_acsi_tables(d / "store.duckdb")
    pd.DataFrame({"company": ["A"], "sales": [1.0]}).to_csv(d / "sales_a.csv", index=False)
    return {**write_inputs(d), "store": d / "store.duckdb", "newstore": d / "new.duckdb", "sales_a": d / "sales_a.csv", "survey": d / "survey.csv", "compare": d / "compare.csv", "model": d / "model.lav", "indexes": d / "indexes.csv",
            "sales": d / "sales.csv", "results": d / "results", "matrix": d / "matrix.csv",
            "answers": d / "answers.csv", "ipa": d / "ipa.csv", "nps": d / "nps.csv", "out": d / "out"}


def _drop(args: list[str], option: str) -> list[str]:
    i = args.index(option)
    return args[:i] + args[i + 2:]


def _argv(command, action, value, extra, inputs):
    fill = [a.format(**inputs) for a in VALID[command]]
    for e in [e for e in extra if e.startswith("!")]:  # "!--window": drop that valid option for this case
        fill = _drop(fill, e[1:])
    extra = [e for e in extra if not e.startswith("!")]
    if action.option_strings:
        opt = action.option_strings[-1]
        base = fill
        for i, a in enumerate(fill):  # an option that VALID gives already takes the bad value
            if a in action.option_strings:
                base = fill[:i] + fill[i + 2:]
                break
        return [*command.split(), *base, *[e.format(**inputs) for e in extra], opt, value]
    positions = [i for i, a in enumerate(VALID[command]) if a.startswith("{") and (i == 0 or not VALID[command][i - 1].startswith("-"))]
    fill[positions[0]] = value
    return [*command.split(), *fill, *[e.format(**inputs) for e in extra]]


@pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")
@pytest.mark.parametrize("command, action, value, extra, code", list(_cases()))
def test_a_bad_value_gives_one_line_and_the_documented_code(command, action, value, extra, code, inputs, capsys):
    argv = _argv(command, action, value, extra, inputs)
    assert main(argv) == code, argv
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"acsi {command}: error: ") and "Traceback" not in err[0]


def test_confidence_2_names_the_flag(inputs, capsys):
    assert main(["fit", str(inputs["survey"]), "--confidence", "2", "--out", str(inputs["out"])]) == EXIT_USAGE
    assert capsys.readouterr().err == "acsi fit: error: --confidence must be in (0, 1). Got 2.0 instead.\n"


def test_help_documents_the_exit_codes(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for code, meaning in EXIT_CODES.items():
        assert f"{code:<4} {meaning}" in out


def test_window_1_is_accepted_with_the_bootstrap(inputs, capsys, tmp_path):
    survey = two_period_survey().query("company != 'Tiny'")
    survey.to_csv(tmp_path / "s.csv", index=False)
    sales = pd.DataFrame({"company": ["A", "B", "C"], "sales": [1.0, 2.0, 3.0]})
    sales.to_csv(tmp_path / "sales.csv", index=False)
    code = main(["fit", str(tmp_path / "s.csv"), "--model", str(inputs["model"]), "--jobs", "1", "--quiet",
                 "--out", str(tmp_path / "o"), "--bootstrap", "4", "--seed", "2", "--sales", str(tmp_path / "sales.csv"),
                 "--window", "1"])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "o" / "bootstrap_aggregates.csv").exists()


def test_version_and_import_are_light():
    code = ("import sys, acsi, acsi.cli; rc = acsi.cli.main(['--version']); "
            "heavy = [m for m in ('pandas', 'numpy', 'scipy', 'matplotlib', 'pyarrow', 'semopy') if m in sys.modules]; "
            "print(rc, heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [f"acsi {acsi.__version__}", "0 []"]


def test_python_m_acsi_runs_the_cli():
    out = subprocess.run([sys.executable, "-m", "acsi", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == f"acsi {acsi.__version__}"
    bad = subprocess.run([sys.executable, "-m", "acsi", "fit"], capture_output=True, text=True)
    assert bad.returncode == EXIT_USAGE and bad.stderr.count("\n") == 1 and "acsi fit: error:" in bad.stderr
