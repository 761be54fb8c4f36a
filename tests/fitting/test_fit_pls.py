"""acsi.fit(..., estimator="pls"): same result tables as the SEM backend, Fornell's index."""

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.estimate.pls import fit_pls
from conftest import ACSI_LAVAAN, ACSI_TRUTH, exact_data, implied_cov


@pytest.fixture(scope="module")
def survey():
    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    t = ACSI_TRUTH
    cov = implied_cov(spec, t["loadings"], t["paths"], t["theta"], t["psi"])
    frames = []
    for k, (company, shift) in enumerate((("A", 0.0), ("B", 0.7))):
        d = exact_data(cov, 200, mean=6.0 + shift, seed=20 + k).round().clip(1, 10)
        d.insert(0, "company", company)
        d["w"] = np.where(np.arange(200) % 3 == 0, 2.0, 1.0)
        frames.append(d)
    return pd.concat(frames, ignore_index=True)


def test_pls_fit_tables_and_index_equal_direct_pls(survey):
    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    res = acsi.fit(survey, spec, unit="company", estimator="pls", weight="w")
    assert (res.indexes["status"] == "ok").all()
    a = survey[survey["company"] == "A"].reset_index(drop=True)
    direct = fit_pls(a[list(spec.item_ids)], spec.blocks, list(spec.paths), weights=a["w"].to_numpy(),
                     scale_bounds=dict(spec.scale_bounds))
    row = res.indexes.set_index("company").loc["A"]
    assert row["index"] == pytest.approx(direct.index["CS"], abs=1e-9)
    est = res.estimates.query("company == 'A' and op == '~'").set_index(["lhs", "rhs"])["est"]
    for r in direct.path_table.to_dict("records"):
        assert est[(r["to"], r["from"])] == pytest.approx(r["est"], abs=1e-12)
    w = res.item_weights.query("company == 'A'")
    assert w.groupby("latent")["weight"].sum().to_numpy() == pytest.approx(np.ones(6))
    r2 = res.estimates.query("company == 'A' and op == 'r2'").set_index("lhs")["est"]
    assert r2["CS"] == pytest.approx(direct.r2["CS"], abs=1e-12)


def test_pls_and_sem_indexes_agree_closely(survey):
    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    pls = acsi.fit(survey, spec, unit="company", estimator="pls", pooled=False).indexes["index"]
    sem = acsi.fit(survey, spec, unit="company", estimator="sem", pooled=False).indexes["index"]
    # both are weighted means of the same 1-10 items with positive, nearly equal weights
    np.testing.assert_allclose(pls, sem, atol=0.5)


def test_pls_negative_weight_refused_for_that_latent_only(survey):
    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    df = survey.copy()
    df["cl2"] = 11 - df["cl2"]  # reverse-coded item: its weight turns negative
    with pytest.warns(acsi.AdmissibilityWarning):
        res = acsi.fit(df, spec, unit="company", estimator="pls", pooled=False)
    li = res.latent_indexes
    assert li.loc[li["latent"] == "CL", "index"].isna().all()
    assert li.loc[li["latent"] == "CS", "index"].notna().all()
    assert res.indexes["status"].eq("inadmissible").all()
    assert res.indexes["reason"].str.contains("CL").all()
