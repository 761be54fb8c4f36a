"""``acsi fit --estimator pls`` with the PLS options and ``--bootstrap``: every PLS table in the folder."""

import json
import re

import pandas as pd
import pytest

import acsi
from acsi.cli import EXIT_USAGE, main
from acsi.tables import read_manifest, verify_manifest
from conftest import ACSI_LAVAAN, two_period_survey


pytestmark = pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli_pls")
    two_period_survey().query("company != 'Tiny'").to_csv(d / "survey.csv", index=False)
    (d / "m.lav").write_text(ACSI_LAVAAN)
    return d


def _fit(files, out, *extra):
    return main(["fit", str(files / "survey.csv"), "--model", str(files / "m.lav"), "--estimator", "pls", "--jobs", "1",
                 "--quiet", "--out", str(out), *extra])


def test_cli_writes_the_pls_evidence_and_the_bootstrap_inference(files, tmp_path, capsys):
    out = tmp_path / "res"
    code = _fit(files, out, "--consistent", "--predict", "3", "--predict-reps", "1", "--blindfolding", "7",
                "--fit-test", "10", "--seed", "4", "--bootstrap", "20")
    assert code == 0
    text = capsys.readouterr().out
    assert "Pooled PLS model fit" in text and "Empty DataFrame" not in text
    assert re.search(r"Pooled PLS paths: bootstrap inference \(\d+ of 20 replicates used\)", text)
    manifest = read_manifest(out, "manifest.json")
    verify_manifest(out, manifest)
    assert manifest["options"]["estimator_options"] == {"consistent": True, "predict": 3, "predict_reps": 1,
                                                        "blindfolding": 7, "fit_test": 10, "seed": 4}
    for stem in acsi.estimate.pls_evidence.TABLES:
        for prefix in ("", "pooled_"):
            assert f"{prefix}{stem}.csv" in manifest["files"] and f"{prefix}{stem}.parquet" in manifest["files"]
    fit = acsi.load_results(out)
    rel = fit.pls_tables()["pls_reliability"]
    assert set(rel["company"]) == {"A", "B", "C"} and rel.loc[rel["n_items"] > 1, "consistent"].all()
    # the bootstrap: SE, t, p, percentile and BCa of every PLS estimate, per unit and pooled
    boot = read_manifest(out, "bootstrap_manifest.json")
    verify_manifest(out, boot)
    assert "no sign-change correction" in boot["sign_rule"] and "two-sided" in boot["test"]
    est = pd.read_csv(out / "bootstrap_estimates.csv")
    assert set(est["op"]) == {"=~", "<~", "~", "r2", "total", "indirect", "htmt"}
    for col in ("boot_se", "t_stat", "p_value", "perc_lower", "perc_upper", "bca_lower", "bca_upper", "n_boot", "n_used"):
        assert est[col].notna().all(), col
    pooled = pd.read_csv(out / "bootstrap_pooled_estimates.csv")
    assert set(pooled["op"]) == {"index", "=~", "<~", "~", "r2", "total", "indirect", "htmt"}
    assert pooled["n_boot"].eq(20).all() and pooled["p_value"].notna().all()
    htmt = pd.read_csv(out / "bootstrap_pls_htmt.csv")
    assert len(htmt) == 3 * 2 * 15 and htmt["boot_upper_95"].notna().all()  # 3 companies x 2 periods x 15 pairs
    assert len(pd.read_csv(out / "bootstrap_pooled_pls_htmt.csv")) == 15


@pytest.mark.parametrize("flags, message", [
    (["--estimator", "sem", "--consistent"], "--consistent applies to --estimator pls only"),
    (["--estimator", "sem", "--predict", "5", "--no-f2-refit"], "--predict, --no-f2-refit apply to --estimator pls only"),
    (["--predict-reps", "2"], "options['predict_reps']"),
    (["--predict", "1"], "options['predict']"),
])
def test_pls_options_that_cannot_be_honoured_are_one_line_errors(files, tmp_path, capsys, flags, message):
    args = ["fit", str(files / "survey.csv"), "--model", str(files / "m.lav"), "--jobs", "1", "--quiet",
            "--out", str(tmp_path / "x")]
    if "--estimator" not in flags:
        args += ["--estimator", "pls"]
    assert main(args + flags) == EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert "Traceback" not in err[0]


def test_bootstrap_failed_refit_is_refused_for_pls(files, tmp_path, capsys):
    assert _fit(files, tmp_path / "r", "--bootstrap", "4", "--bootstrap-failed", "refit") == EXIT_USAGE
    assert "PLS has no start values" in capsys.readouterr().err
    assert json.loads((tmp_path / "r" / "manifest.json").read_text())["estimator"] == "pls"  # the fit itself was saved
