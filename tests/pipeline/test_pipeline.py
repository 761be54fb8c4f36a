"""acsi.pipeline: one unit through estimate -> score -> index, its status rules and its options."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.errors import InvalidParameterError
from acsi.pipeline import ESTIMATOR_OPTIONS, check_estimator_options, fit_unit, unit_status
from acsi.score import latent_scores, unit_index
from conftest import ACSI_LAVAAN


@pytest.fixture(scope="module")
def unit(acsi_exact):
    data, _ = acsi_exact
    return data.round().clip(1, 10)


def test_estimate_score_index_in_order(unit, acsi_text_spec):
    v = np.where(np.arange(len(unit)) % 3 == 0, 2.0, 1.0)
    out = fit_unit(("A",), unit, acsi_text_spec, weights=v)
    assert out.status == "ok" and out.converged and out.admissible and out.n == len(unit)
    # the stages compose: scores from the unit's item weights, index = weighted mean of the scores
    pd.testing.assert_frame_equal(out.scores, latent_scores(unit, acsi_text_spec, out.weights))
    pd.testing.assert_frame_equal(out.index, unit_index(out.scores, v))
    with pytest.raises(dataclasses.FrozenInstanceError):
        out.status = "failed"


def test_weights_must_match_the_rows(unit, acsi_text_spec):
    with pytest.raises(InvalidParameterError, match=r"'weights' parameter of acsi.pipeline.fit_unit must be an array "
                                                     r"of 400 survey weights"):
        fit_unit(("A",), unit, acsi_text_spec, weights=np.ones(3))


def test_status_rules(acsi_text_spec):
    w = pd.DataFrame({"latent": ["CS", "CL"], "item": ["cs1", "cl1"], "weight": [0.5, 0.5], "problem": ["", ""]})
    assert unit_status(acsi_text_spec, w, []) == ("ok", "")
    assert unit_status(acsi_text_spec, w, ["CE: negative variance"]) == ("inadmissible", "CE: negative variance")
    bad = w.assign(weight=[np.nan, 0.5], problem=["latent CS: negative weight", ""])
    assert unit_status(acsi_text_spec, bad, []) == ("failed", "latent CS: negative weight")
    other = w.assign(weight=[0.5, np.nan], problem=["", "latent CL: negative weight"])
    assert unit_status(acsi_text_spec, other, []) == ("inadmissible", "latent CL: negative weight")


def test_too_few_respondents_is_a_failed_unit_with_its_reason(unit, acsi_text_spec):
    out = fit_unit(("A",), unit.head(10), acsi_text_spec)
    assert out.status == "failed" and "too few respondents with complete answers (n=10 < min_n=30)" in out.reason


@pytest.mark.parametrize("estimator, missing, options, match", [
    ("sem", "listwise", {"engine": "semopy", "sheme": "path"},
     r"unknown key\(s\) \['sheme'\] for estimator='sem' with engine='semopy'; the known keys are \['engine', 'ftol', "
     r"'maxiter', 'estimator', 'se', 'std_lv', 'fixed_x'\]"),
    # the default engine is acsi's own (mlfast)
    ("sem", "listwise", {"sheme": "path"}, r"unknown key\(s\) \['sheme'\] for estimator='sem' with engine='mlfast'; "
                                            r"the known keys are \['engine', 'xtol', 'maxiter', 'estimator', 'se', "
                                            r"'std_lv', 'fixed_x'\]"),
    ("sem", "listwise", {"engine": "mlfast", "ftol": 1e-9},
     r"unknown key\(s\) \['ftol'\] for estimator='sem' with engine='mlfast'; the known keys are \['engine', 'xtol'"),
    ("sem", "fiml", {"engine": "mlfast"}, r"options\['engine'\]\" parameter of acsi.fit must be absent with "
                                          r"missing='fiml'"),
    ("pls", "listwise", {"engine": "semopy"}, r"unknown key\(s\) \['engine'\] for estimator='pls'"),
    ("pls", "listwise", {"scheme": "cenroid"}, r"options\['scheme'\]\" parameter of acsi.fit must be one of "
                                               r"\['centroid', 'factorial', 'path'\]"),
    ("sem", "listwise", {"maxiter": 0}, r"options\['maxiter'\]\" parameter of acsi.fit must be an integer >= 1"),
    ("sem", "listwise", "fast", r"'options' parameter of acsi.fit must be None or a dict of estimator options"),
    ("pls", "fiml", None, r"missing='fiml' \(full-information ML\) needs the covariance-based estimator"),
    ("sem", "listwise", {"estimator": "wls"}, r"options\['estimator'\]\" parameter of acsi.fit must be one of "
                                              r"\['ml', 'mlr', 'mlm'\]"),
    ("sem", "fiml", {"estimator": "mlm"}, r"must be 'ml' or 'mlr' with missing='fiml' \(Satorra-Bentler's MLM needs "
                                          r"complete data"),
    ("sem", "listwise", {"se": "huber"}, r"options\['se'\]\" parameter of acsi.fit must be one of "
                                         r"\['standard', 'robust'\]"),
    ("pls", "listwise", {"estimator": "mlr"}, r"unknown key\(s\) \['estimator'\] for estimator='pls'"),
])
def test_options_an_estimator_would_ignore_are_refused(estimator, missing, options, match):
    with pytest.raises(InvalidParameterError, match=match):
        check_estimator_options(estimator, missing, options)


@pytest.mark.filterwarnings("ignore::acsi.ConvergenceWarning")
def test_every_declared_estimator_option_is_honoured(unit, acsi_text_spec):
    # each key of ESTIMATOR_OPTIONS reaches its engine: a value the engine rejects shows it is passed on
    assert check_estimator_options("sem", "listwise", {"engine": "mlfast", "xtol": 1e-8, "maxiter": 50})
    out = fit_unit(("A",), unit, acsi_text_spec, options={"engine": "mlfast", "maxiter": 1})
    assert out.status == "failed" and "not converged" in out.reason
    out = fit_unit(("A",), unit, acsi_text_spec, estimator="pls", options={"max_iter": 1})
    assert out.status == "failed" and "PLS did not converge in 1 iterations" in out.reason
    assert set(ESTIMATOR_OPTIONS) == {("sem", "semopy"), ("sem", "mlfast"), ("sem", "fiml"), ("pls", None)}


def test_acsi_fit_refuses_an_unknown_option_before_reading_the_data():
    with pytest.raises(InvalidParameterError, match=r"unknown key\(s\) \['tol'\] for estimator='sem'"):
        acsi.fit("no-such-file.csv", ACSI_LAVAAN, options={"tol": 1e-6})


def test_every_pls_evidence_option_reaches_the_evidence(unit, acsi_text_spec):
    from acsi.estimate.pls_evidence import OPTIONS
    from acsi.pipeline import PLS_FIT_OPTIONS

    assert set(ESTIMATOR_OPTIONS[("pls", None)]) == set(PLS_FIT_OPTIONS) | set(OPTIONS)
    opts = {"predict": 3, "predict_reps": 2, "predict_technique": "EA", "seed": 1, "blindfolding": 7, "fit_test": 5,
            "refit_f2": False}
    out = fit_unit(("A",), unit, acsi_text_spec, estimator="pls", options=opts)
    t = out.extra["pls_tables"]
    assert out.status == "ok" and out.messages == ()
    assert {"pls_predict", "pls_blindfolding", "pls_exact_fit_test"} <= set(t)
    assert t["pls_f2"]["f2_refit"].isna().all()  # refit_f2=False
    assert t["pls_blindfolding"]["omission_distance"].eq(7).all()
    res = out.extra["pls"]
    from acsi.estimate.pls_predict import plspredict

    want = plspredict(res, k=3, reps=2, technique="EA", seed=1).items
    pd.testing.assert_frame_equal(t["pls_predict"], want)
    base = fit_unit(("A",), unit, acsi_text_spec, estimator="pls")
    assert set(base.extra["pls_tables"]).isdisjoint({"pls_predict", "pls_blindfolding", "pls_exact_fit_test"})
    assert base.extra["pls_tables"]["pls_f2"]["f2_refit"].notna().all()
