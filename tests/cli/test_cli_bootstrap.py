"""``acsi fit ... --bootstrap N --seed S --scheduler ADDR``: the bootstrap options of acsi/cli/fit.py."""

import argparse

import pandas as pd
import pytest
from conftest import ACSI_LAVAAN, ACSI_TRUTH, exact_data, implied_cov

import acsi
from acsi.cli.fit import add_bootstrap_arguments as add_arguments
from acsi.cli.fit import run_bootstrap as run_after_fit


def _parser():
    p = argparse.ArgumentParser(prog="acsi fit")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--quiet", action="store_true")
    add_arguments(p)
    return p


def test_options_are_parsed():
    a = _parser().parse_args(["--bootstrap", "1000", "--seed", "7", "--scheduler", "tcp://host:8786",
                              "--bootstrap-failed", "refit", "--sales", "sales.csv"])
    assert (a.bootstrap, a.seed, a.scheduler, a.bootstrap_failed, a.sales) == (1000, 7, "tcp://host:8786", "refit", "sales.csv")
    d = _parser().parse_args([])
    assert (d.bootstrap, d.seed, d.scheduler, d.bootstrap_failed) == (0, None, None, "exclude")


@pytest.mark.parametrize("value, message", [("1", "needs 0 \\(off\\) or at least 2 replicates; got 1"),
                                            ("many", "expected a whole number of replicates such as 1000; got 'many'")])
def test_bad_replicate_counts_are_refused(value, message, capsys):
    with pytest.raises(SystemExit):
        _parser().parse_args(["--bootstrap", value])
    assert pytest.importorskip("re").search(message, capsys.readouterr().err)


def test_run_after_fit_writes_bootstrap_tables(tmp_path, capsys):
    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    t = ACSI_TRUTH
    cov = implied_cov(spec, t["loadings"], t["paths"], t["theta"], t["psi"])
    d = exact_data(cov, 120, mean=6.0, seed=3).round().clip(1, 10)
    d.insert(0, "company", "A")
    fit = acsi.fit(d, spec, unit="company", pooled=False)
    assert run_after_fit(fit, _parser().parse_args(["--quiet"]), tmp_path) == []
    paths = run_after_fit(fit, _parser().parse_args(["--bootstrap", "6", "--seed", "3", "--quiet"]), tmp_path)
    names = {p.name for p in paths}
    assert {"bootstrap_indexes.csv", "bootstrap_estimates.csv", "bootstrap_counts.csv", "bootstrap_summary.txt"} <= names
    idx = pd.read_csv(tmp_path / "bootstrap_indexes.csv")
    assert len(idx) == 6 and idx["n_boot"].eq(6).all()
    assert "(seed 3)" in capsys.readouterr().out


def test_strata_column_is_read_from_the_survey_file(tmp_path):
    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    t = ACSI_TRUTH
    cov = implied_cov(spec, t["loadings"], t["paths"], t["theta"], t["psi"])
    d = exact_data(cov, 100, mean=6.0, seed=4).round().clip(1, 10)
    d.insert(0, "company", "A")
    d["region"] = ["n", "s"] * 50
    path = tmp_path / "survey.csv"
    d.to_csv(path, index=False)
    fit = acsi.fit(path, spec, unit="company", pooled=False)
    p = _parser()
    p.add_argument("--survey")
    args = p.parse_args(["--bootstrap", "4", "--seed", "1", "--strata", "region", "--quiet", "--survey", str(path)])
    assert run_after_fit(fit, args, tmp_path / "out")
    args = p.parse_args(["--bootstrap", "4", "--strata", "regio", "--quiet", "--survey", str(path)])
    with pytest.raises(acsi.DataError, match=r"--strata 'regio' is not a column of .*survey.csv; columns are"):
        run_after_fit(fit, args, tmp_path / "out")
