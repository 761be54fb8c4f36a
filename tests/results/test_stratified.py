"""Observed outcomes get a 0-100 score and an index (a 0/1 complaint: its rate in percent),
covariates are not scored, declared demographics stay in ``fit.scores``, and a stratified index
table is one call (issue 11)."""

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.errors import DataError
from acsi.simulate import simulate_survey
from reference.cases import load_case


def test_complaint_index_is_the_complaint_rate_in_percent():
    case = load_case("syntax_complaint_observed")
    data = case.data.assign(company=np.where(np.arange(len(case.data)) % 2, "B", "A"),
                            w=np.where(np.arange(len(case.data)) % 3, 1.0, 2.0))
    fit = acsi.fit(data, acsi.load_model("acsi", complaint="yes_no"), unit="company", min_n=2, weight="w")
    li = fit.latent_indexes.set_index(["company", "latent"])["index"]
    for k, g in data.groupby("company"):
        assert li[(k, "cc1")] == pytest.approx(100 * np.average(g["cc1"], weights=g["w"]), rel=1e-12)
    assert set(fit.scores["cc1"]) == {0.0, 100.0}
    strat = fit.stratified(by="company")  # a unit column works too: the same numbers
    assert np.allclose(strat.set_index(["company", "latent"])["index"].loc[li.index], li)


def test_covariates_are_not_scored_and_demographics_stay_in_scores():
    spec = acsi.load_model("airline", covariates=["age"])  # age predicts satisfaction; sex only declared
    survey = simulate_survey(acsi.load_model("airline"), units=2, n_per_unit=300, periods=1, seed=4)
    rng = np.random.default_rng(5)
    survey = survey.assign(sex=rng.choice(["f", "m"], size=len(survey)),
                           age=rng.integers(18, 80, size=len(survey)).astype(float))
    fit = acsi.fit(survey, spec, unit="company", min_n=30)
    sc = fit.scores
    assert {"sex", "age"} <= set(sc.columns) and "age" not in set(fit.latent_indexes["latent"])
    assert sc["sex"].tolist() == survey.loc[fit.scores["row"], "sex"].tolist()
    by_sex = fit.stratified(by="sex")
    assert set(by_sex["sex"]) == {"f", "m"} and set(by_sex["latent"]) == set(spec.latent_ids)
    # each stratum's index is the weighted mean of its respondents' scores
    for (company, sex), g in sc.groupby(["company", "sex"]):
        row = by_sex[(by_sex["company"] == company) & (by_sex["sex"] == sex) & (by_sex["latent"] == spec.headline)]
        assert row["index"].item() == pytest.approx(np.average(g[spec.headline], weights=g["weight"]), rel=1e-12)
        assert row["n"].item() == len(g)
    bands = fit.stratified(by=["sex", "age"], bins={"age": [17, 34, 54, 80]}, latents=[spec.headline])
    assert bands.groupby("company")["n"].sum().tolist() == fit.indexes["n"].tolist()
    with pytest.raises(DataError, match=r"\['income'\] are not columns of fit.scores"):
        fit.stratified(by="income")
