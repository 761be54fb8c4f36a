"""The models researchers write, through ``acsi.fit`` end to end (issue 11): lavaan text with an
observed 0/1 complaint in the structural part, covariates (``fixed.x`` both ways), labels and
equality constraints, ``:=`` with delta-method SEs, ``std.lv`` and intercepts with FIML.

The survey goes through the whole path (read, prepare with each variable's own scale, pooled
fit, scores) and the pooled estimate table must equal lavaan 0.6-14's at the tolerances stored
with each reference case (``tests/reference/<case>/``; 1e-4 for estimates and SEs, 1e-6
relative for likelihood-based fit measures).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import acsi
from reference.cases import load_case

CASES = [
    "syntax_complaint_observed", "syntax_covariates_fixedx", "syntax_covariates_fixedx/free_x",
    "syntax_equality", "syntax_equality/exact", "syntax_constraints_nonlinear", "syntax_defined_effects",
    "syntax_fixed_values", "syntax_std_lv", "syntax_std_lv/marker", "syntax_fiml_intercepts",
]
# each variable's own scale: the 1-10 items take parse_lavaan's default; a 0/1 answer says so
SCALES = {"syntax_complaint_observed": "# scale: cc1 0 1\n"}


def _fit_options(case) -> tuple[dict, str]:
    o = case.options
    options = {}
    if o.get("std.lv"):
        options["std_lv"] = True
    if "fixed.x" in o:
        options["fixed_x"] = bool(o["fixed.x"])
    return options, "fiml" if o.get("missing") == "ml" else "listwise"


@pytest.fixture(scope="module", params=CASES)
def fitted(request):
    case = load_case(request.param)
    options, missing = _fit_options(case)
    text = SCALES.get(request.param.split("/")[0], "") + case.model_text
    if request.param.endswith("/exact"):  # exact-moment data: continuous answers beyond 1-10
        text = acsi.parse_lavaan(text, scale=(0, 20))
    data = case.data.assign(company=np.where(np.arange(len(case.data)) % 2, "B", "A"))  # two units and the pool
    with warnings.catch_warnings():  # a half sample may be inadmissible (checked below)
        warnings.simplefilter("ignore", acsi.AdmissibilityWarning)
        fit = acsi.fit(data, text, unit="company", missing=missing, options=options or None, min_n=2)
    return case, fit


def _merged(ours, ref):
    key = ["lhs", "op", "rhs"]
    ours, ref = ours.copy(), ref.copy()
    ours["k"], ref["k"] = ours.groupby(key).cumcount(), ref.groupby(key).cumcount()
    return ref.merge(ours, on=key + ["k"], how="left", suffixes=("_ref", ""))


def test_pooled_fit_is_lavaans(fitted):
    case, fit = fitted
    assert fit.pooled.status == "ok", fit.pooled.reason
    est, tol = fit.pooled.estimates, case.tol
    m = _merged(est, case.estimates)
    assert len(est) == len(case.estimates) and m["est"].notna().all()  # every lavaan row, no other
    for col in ("est", "std_lv", "std_all"):
        sel = m[f"{col}_ref"].notna() & ~m["op"].isin(["==", "<", ">"])
        atol = tol["est_atol"] if col == "est" else tol["std_atol"]
        np.testing.assert_allclose(m.loc[sel, col], m.loc[sel, f"{col}_ref"], atol=atol, rtol=0, err_msg=col)
    has = m["se_ref"].notna() & (m["se_ref"] > 0)
    np.testing.assert_allclose(m.loc[has, "se"], m.loc[has, "se_ref"], atol=tol["se_atol"], rtol=0)
    assert list(est["label"]) == list(case.estimates["label"].fillna(""))  # labels reach the table
    fm, ref = fit.pooled.fit_measures, case.fit_measures
    for k in ("npar", "df", "ntotal"):
        assert fm[k] == ref[k], k
    for k in ("chisq", "logl", "cfi", "tli", "rmsea"):
        assert fm[k] == pytest.approx(ref[k], rel=tol["fit_rtol"], abs=tol["fit_atol"]), k


def test_every_respondent_scored_and_accounted(fitted):
    case, fit = fitted
    acc = fit.accounting
    assert acc["check"].all() and int(acc["rows_read"].sum()) == len(case.data)
    scores = fit.scores
    assert len(scores) == int(acc["rows_used"].sum())
    lvs = list(fit.spec.latent_ids)
    assert "failed" not in set(fit.units["status"])  # a half sample may be inadmissible (a Heywood case)
    s = scores[lvs].to_numpy()
    ok = scores["company"].isin(fit.units.loc[fit.units["status"] == "ok", "company"]).to_numpy()
    if case.options.get("missing") != "ml":  # FIML: a respondent with no answer in a block has no score there
        assert np.isfinite(s[ok]).all()  # an inadmissible latent has no scores (its weights are refused)
    assert (np.nan_to_num(s, nan=50) >= 0).all() and (np.nan_to_num(s, nan=50) <= 100 + 1e-9).all()


def test_acsi_yes_no_complaint_model_on_a_zero_one_survey():
    """The shipped ACSI model with its yes/no complaint option, on a survey whose ``cc1`` is a
    0/1 answer: no out-of-range error, and the pooled fit is lavaan's
    (``syntax_complaint_observed``: the same model written by hand)."""
    case = load_case("syntax_complaint_observed")
    data = case.data.assign(company=np.where(np.arange(len(case.data)) % 3, "B", "A"))
    data.loc[[3, 7], "cc1"] = 98  # ACSI's "don't know" stays a missing code for cc1
    fit = acsi.fit(data, acsi.load_model("acsi", complaint="yes_no"), unit="company", min_n=2)
    assert set(fit.units["status"]) == {"ok"}
    assert fit.accounting["dropped_missing_items"].sum() == 2
    complete = acsi.fit(case.data, acsi.load_model("acsi", complaint="yes_no"), unit=None)
    m = _merged(complete.pooled.estimates, case.estimates)
    assert m["est"].notna().all()
    np.testing.assert_allclose(m["est"], m["est_ref"], atol=case.tol["est_atol"], rtol=0)
    has = m["se_ref"].notna() & (m["se_ref"] > 0)
    np.testing.assert_allclose(m.loc[has, "se"], m.loc[has, "se_ref"], atol=case.tol["se_atol"], rtol=0)
    assert complete.pooled.fit_measures["chisq"] == pytest.approx(case.fit_measures["chisq"], rel=1e-6)


def test_pls_refuses_observed_structural_variables_by_name():
    from acsi.errors import InvalidParameterError

    case = load_case("syntax_complaint_observed")
    with pytest.raises(InvalidParameterError, match=r"observed variable\(s\) \['cc1'\].*'CC =~ cc1'"):
        acsi.fit(case.data, acsi.load_model("acsi", complaint="yes_no"), unit=None, estimator="pls")


def test_fiml_with_fixed_covariates_is_refused_naming_the_option():
    from acsi.errors import InvalidParameterError

    case = load_case("syntax_covariates_fixedx")
    data = case.data.copy()
    data.loc[[1, 5], "age"] = np.nan
    with pytest.raises(InvalidParameterError, match=r"covariates \['age', 'income'\].*options=\{'fixed_x': False\}"):
        acsi.fit(data, case.model_text, unit=None, missing="fiml")
    fit = acsi.fit(data, case.model_text, unit=None, missing="fiml", options={"fixed_x": False})
    assert fit.pooled.status == "ok" and int(fit.accounting["rows_used"].sum()) == len(data)


def test_command_line_model_option_selects_the_yes_no_complaint(tmp_path, capsys):
    """``acsi fit --model acsi --model-option complaint=yes_no``: the shipped model with ACSI's own
    yes/no question, equal to lavaan's hand-written model; a malformed or unknown option is a
    one-line usage error (exit 2) naming the option."""
    from acsi.cli import main

    case = load_case("syntax_complaint_observed")
    survey = tmp_path / "survey.csv"
    case.data.to_csv(survey, index=False)
    out = tmp_path / "out"
    code = main(["fit", str(survey), "--model", "acsi", "--model-option", "complaint=yes_no", "--unit", "",
                 "--quiet", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    fit = acsi.load_results(out)
    assert fit.spec.structural_observed == ("cc1",)
    m = _merged(fit.pooled_table("estimates"), case.estimates)
    assert m["est"].notna().all()
    np.testing.assert_allclose(m["est"], m["est_ref"], atol=case.tol["est_atol"], rtol=0)
    capsys.readouterr()
    for bad, needle in (("complaint", "NAME=VALUE"), ("complaint=maybe", "maybe"), ("colour=red", "colour")):
        assert main(["fit", str(survey), "--model-option", bad, "--out", str(tmp_path / "x")]) == 2
        err = capsys.readouterr().err
        assert needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
