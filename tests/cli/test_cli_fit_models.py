"""``acsi fit`` with a lavaan-text model file using covariates, labels, ``:=`` and the
identification flags (issue 11): the saved pooled estimates equal lavaan's."""

import numpy as np
import pandas as pd
import pytest

from acsi.cli import EXIT_USAGE, main
from reference.cases import load_case


def test_cli_fit_lavaan_file_with_covariates_labels_and_defined(tmp_path, capsys):
    case = load_case("syntax_covariates_fixedx/free_x")
    text = case.model_text.replace("CS ~ CE + PQ + PV", "CS ~ CE + a*PQ + PV").replace("CL ~ CS", "CL ~ b*CS")
    text += "\nind := a*b\n"
    model = tmp_path / "m.lav"
    model.write_text(text)
    survey = tmp_path / "s.csv"
    case.data.to_csv(survey, index=False)
    out = tmp_path / "res"
    code = main(["fit", str(survey), "--model", str(model), "--unit", "", "--free-x", "--quiet", "--jobs", "1",
                 "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "Pooled defined parameters" in printed and "ind" in printed
    est = pd.read_csv(out / "pooled_estimates.csv", keep_default_na=False, na_values=[""])
    ref = case.estimates
    m = ref.merge(est, on=["lhs", "op", "rhs"], suffixes=("_ref", ""))
    assert len(m) == len(ref)
    np.testing.assert_allclose(m["est"], m["est_ref"], atol=case.tol["est_atol"], rtol=0)
    has = m["se_ref"].notna() & (m["se_ref"] > 0)
    np.testing.assert_allclose(m.loc[has, "se"], m.loc[has, "se_ref"], atol=case.tol["se_atol"], rtol=0)
    d = est[est["op"] == ":="].iloc[0]
    b = dict(zip(zip(est["lhs"], est["op"], est["rhs"]), est["est"]))
    assert d["est"] == pytest.approx(b[("CS", "~", "PQ")] * b[("CL", "~", "CS")], rel=1e-9)
    assert (out / "pooled_impacts.csv").exists() and (out / "pooled_reliability.csv").exists()


def test_cli_identification_flags_are_refused_for_pls(tmp_path, capsys):
    case = load_case("syntax_std_lv")
    survey = tmp_path / "s.csv"
    case.data.to_csv(survey, index=False)
    code = main(["fit", str(survey), "--unit", "", "--estimator", "pls", "--std-lv", "--quiet", "--out", str(tmp_path / "r")])
    assert code == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--std-lv and --free-x apply to the covariance-based estimators only" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_fit_spss_complaint_scale_from_value_labels(tmp_path, capsys):
    """A 0/1 complaint in an SPSS file whose value labels say 0 = no, 1 = yes: the lavaan model
    gives cc1 no scale, the labels do; the complaint's index is the complaint rate."""
    pyreadstat = pytest.importorskip("pyreadstat")
    case = load_case("syntax_complaint_observed")
    survey = tmp_path / "s.sav"
    pyreadstat.write_sav(case.data.astype(float), str(survey),
                         variable_value_labels={"cc1": {0.0: "no", 1.0: "yes", 99.0: "refused"}})
    model = tmp_path / "m.lav"
    model.write_text(case.model_text)
    out = tmp_path / "res"
    code = main(["fit", str(survey), "--model", str(model), "--unit", "", "--quiet", "--jobs", "1", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    idx = pd.read_csv(out / "pooled_indexes.csv").set_index("latent")["index"]
    assert idx["cc1"] == pytest.approx(100 * case.data["cc1"].mean(), rel=1e-12)
    est = pd.read_csv(out / "pooled_estimates.csv")
    m = case.estimates.merge(est, on=["lhs", "op", "rhs"], suffixes=("_ref", ""))
    np.testing.assert_allclose(m["est"], m["est_ref"], atol=case.tol["est_atol"], rtol=0)
