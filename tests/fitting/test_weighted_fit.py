"""``acsi.fit(..., weight="w")`` weights the SEM estimation (issue 13 item 1), equal to lavaan's
``sem(model, data, sampling.weights = "w")``; ``options={"estimator": "mlr"}`` is lavaan's MLR;
the same through the command line.  References: ``tests/reference/robust_*`` (lavaan 0.6-14).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.cli import main
from acsi.score import weighted_mean_se
from reference.cases import load_case, match_estimates


def _check(res_est: pd.DataFrame, res_fm: pd.Series, case, keys=("chisq", "chisq_scaled", "cfi_robust", "rmsea_robust")):
    m = match_estimates(case.estimates, res_est)
    free = m["free"].astype(bool)
    np.testing.assert_allclose(m["est"], m["est_ref"], atol=1e-4)
    np.testing.assert_allclose(m.loc[free, "se"], m.loc[free, "se_ref"], atol=1e-4)
    for k in keys:
        assert res_fm[k] == pytest.approx(case.fit_measures[k], rel=1e-5), k


@pytest.mark.parametrize("engine", ["mlfast", "semopy"])
def test_weight_weights_the_estimation_as_lavaan(engine):
    c = load_case("robust_weighted")
    fit = acsi.fit(c.data, acsi.parse_lavaan(c.model_text), unit=None, weight="w", options={"engine": engine})
    po = fit.pooled
    assert po.status == "ok", po.reason
    _check(po.estimates, po.fit_measures, c)
    # the pooled index is the weighted mean of the respondents' scores
    v = c.data["w"].to_numpy()
    cs = po.scores["CS"].to_numpy()
    mean, se, _ = weighted_mean_se(cs, v)
    row = fit.pooled_index.set_index("latent").loc["CS"]
    assert row["index"] == pytest.approx(mean, rel=1e-12) and row["se"] == pytest.approx(se, rel=1e-12)


def test_without_weight_the_fit_is_lavaans_unweighted_ml():
    c = load_case("robust_weighted/unweighted")
    fit = acsi.fit(c.data, acsi.parse_lavaan(c.model_text), unit=None, options={"engine": "mlfast"})
    _check(fit.pooled.estimates, fit.pooled.fit_measures, c, keys=("chisq", "cfi", "rmsea"))
    assert "chisq_scaled" not in fit.pooled.fit_measures


def test_mlr_option_is_lavaans_mlr():
    c = load_case("robust_mlr")
    fit = acsi.fit(c.data, acsi.parse_lavaan(c.model_text), unit=None, options={"engine": "mlfast", "estimator": "mlr"})
    _check(fit.pooled.estimates, fit.pooled.fit_measures, c)


def test_mlm_with_weights_is_refused_naming_the_alternative():
    c = load_case("robust_weighted")
    with pytest.raises(acsi.InvalidParameterError, match=r"options\['estimator'\]\" parameter of acsi.fit must be "
                                                          r"'ml' or 'mlr' with survey weights"):
        acsi.fit(c.data, acsi.parse_lavaan(c.model_text), unit=None, weight="w", options={"estimator": "mlm"})


@pytest.mark.parametrize("flags, case", [(["--weight", "w"], "robust_weighted"), (["--estimator", "mlr"], "robust_mlr"),
                                         (["--estimator", "mlm"], "robust_mlm")])
def test_command_line_weight_and_estimator(flags, case, tmp_path, capsys):
    c = load_case(case)
    data, model = tmp_path / "survey.csv", tmp_path / "model.lav"
    c.data.to_csv(data, index=False)
    model.write_text(c.model_text)
    code = main(["fit", str(data), "--model", str(model), "--unit", "", "--engine", "mlfast", "--quiet",
                 "--out", str(tmp_path / "out"), *flags])
    assert code == 0, capsys.readouterr().err
    fm = pd.read_csv(tmp_path / "out" / "pooled_fit_measures.csv").iloc[0]
    est = pd.read_csv(tmp_path / "out" / "pooled_estimates.csv", keep_default_na=False, na_values=["", "NA"])
    _check(est, fm, c)


def test_command_line_refuses_se_for_pls(tmp_path, capsys):
    c = load_case("robust_mlr")
    data = tmp_path / "survey.csv"
    c.data.to_csv(data, index=False)
    code = main(["fit", str(data), "--unit", "", "--estimator", "pls", "--se", "robust", "--out", str(tmp_path / "o")])
    assert code != 0 and "--se applies to the covariance-based estimators" in capsys.readouterr().err


def test_weighted_fiml_through_acsi_fit_is_lavaans():
    c = load_case("robust_weighted_fiml")
    fit = acsi.fit(c.data, acsi.parse_lavaan(c.model_text), unit=None, weight="w", missing="fiml")
    po = fit.pooled
    assert po.status == "ok", po.reason
    _check(po.estimates, po.fit_measures, c, keys=("chisq", "chisq_scaled", "chisq_scaling_factor", "cfi_robust"))
