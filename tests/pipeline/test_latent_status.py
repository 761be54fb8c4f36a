"""Per-latent status (issue 13 item 3): each latent index has its own status and reason, so an
inadmissible loyalty block does not withdraw a sound satisfaction index from the aggregation.

The rules are the table of ``acsi.pipeline``'s docstring; the end-to-end case builds a company
whose loyalty block is a Heywood case (exact-moment data from a covariance matrix whose two
loyalty items covary more than the rest of the model allows), next to two sound companies.
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.pipeline import fit_unit, latent_status, sem_problem_latents, unit_status
from conftest import ACSI_LAVAAN, ACSI_TRUTH, exact_data, implied_cov


def _weights(spec, bad=None):
    rows = []
    for lv in spec.latents:
        for it in lv.item_ids:
            prob = f"latent {lv.id}: negative weight" if lv.id == bad else ""
            rows.append({"latent": lv.id, "item": it, "weight": np.nan if prob else 0.5, "problem": prob})
    return pd.DataFrame(rows)


def _status(table):
    return dict(zip(table["latent"], table["status"]))


def test_each_problem_invalidates_the_indexes_its_rule_names(acsi_text_spec):
    spec = acsi_text_spec
    ok = latent_status(spec, _weights(spec), [])
    assert set(ok["status"]) == {"ok"} and set(ok["reason"]) == {""}
    # an item's negative residual variance: the latent it measures, no other
    st = latent_status(spec, _weights(spec), [("negative residual variance of item cl1 (-0.2)", ("CL",))])
    assert _status(st) == {"CE": "ok", "PQ": "ok", "PV": "ok", "CS": "ok", "CC": "ok", "CL": "inadmissible"}
    assert st.set_index("latent").loc["CL", "reason"] == "negative residual variance of item cl1 (-0.2)"
    # refused item weights: that latent fails (no index); a problem tied to no block: every latent
    st = latent_status(spec, _weights(spec, bad="CC"), [("negative (residual) variance of observed variable x", None)])
    assert _status(st)["CC"] == "failed" and {s for k, s in _status(st).items() if k != "CC"} == {"inadmissible"}
    assert "latent CC: negative weight" in st.set_index("latent").loc["CC", "reason"]
    # the unit's status: failed only when the headline cannot be scored
    assert unit_status(spec, _weights(spec, bad="CL"), [])[0] == "inadmissible"
    assert unit_status(spec, _weights(spec, bad="CS"), [])[0] == "failed"


def test_problems_are_tied_to_latents_from_the_solution(acsi_text_spec):
    spec = acsi_text_spec
    lv = list(spec.latent_ids)
    A = np.eye(len(lv))
    A[lv.index("CC"), lv.index("CL")] = A[lv.index("CL"), lv.index("CC")] = 1.2  # |r| > 1: improper CC-CL
    res = SimpleNamespace(
        problems=("negative residual variance of item cs2 (-0.01)", "negative (residual) variance of latent PV (-0.3)",
                  "the covariance matrix of the latent variables is not positive definite",
                  "negative (residual) variance of observed variable cc9 (-1)"),
        latent_cov=pd.DataFrame(A, index=lv, columns=lv))
    out = sem_problem_latents(spec, res)
    assert [lats for _, lats in out] == [("CS",), ("PV",), ("CC", "CL"), None]
    assert out[2][0].endswith("(improper in CC, CL)")


@pytest.fixture(scope="module")
def heywood_survey():
    """Company A: its loyalty items cl1, cl2 covary more than the model allows (cl1's residual
    variance comes out negative); B and C are sound."""
    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    t = ACSI_TRUTH
    cov = implied_cov(spec, t["loadings"], t["paths"], t["theta"], t["psi"])
    bad = cov.copy()
    others = [c for c in cov.columns if c not in ("cl1", "cl2")]
    bad.loc["cl2", others] *= 0.7
    bad.loc[others, "cl2"] *= 0.7
    r = 0.85 * np.sqrt(bad.loc["cl1", "cl1"] * bad.loc["cl2", "cl2"])
    bad.loc["cl1", "cl2"] = bad.loc["cl2", "cl1"] = r
    frames = []
    for k, (company, sigma, mean) in enumerate([("A", bad, 6.3), ("B", cov, 6.0), ("C", cov, 6.6)]):
        d = exact_data(sigma, 300, mean=mean, seed=20 + k).round().clip(1, 10)
        for pos, (col, val) in enumerate([("period", "2025Q1"), ("company", company), ("industry", "Airlines"),
                                          ("sector", "Transport")]):
            d.insert(pos, col, val)
        frames.append(d)
    return spec, pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def heywood_fit(heywood_survey):
    spec, survey = heywood_survey
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AdmissibilityWarning)
        return acsi.fit(survey, spec, unit="company", options={"engine": "mlfast"}, pooled=False)


def test_an_inadmissible_loyalty_block_keeps_the_satisfaction_index(heywood_fit):
    fit = heywood_fit
    idx = fit.indexes.set_index("company")
    # the unit is inadmissible (its reason lists the loyalty problem), its satisfaction index is ok
    assert idx.loc["A", "status"] == "inadmissible" and "negative residual variance of item cl1" in idx.loc["A", "reason"]
    assert idx.loc["A", "headline_status"] == "ok" and idx.loc["A", "headline_reason"] == ""
    assert np.isfinite(idx.loc["A", "index"])
    assert (idx.loc[["B", "C"], ["status", "headline_status"]] == "ok").all().all()
    li = fit.latent_indexes.set_index(["company", "latent"])
    assert li.loc[("A", "CL"), "status"] == "failed" and np.isnan(li.loc[("A", "CL"), "index"])
    assert "negative residual variance of item cl1" in li.loc[("A", "CL"), "reason"]
    assert "negative or undefined item weight caused by cl1" in li.loc[("A", "CL"), "reason"]
    others = li.loc["A"].drop(index="CL")
    assert (others["status"] == "ok").all() and (others["unit_status"] == "inadmissible").all()


def test_the_aggregation_uses_the_headline_status_and_withholds_the_loyalty_index(heywood_fit):
    fit = heywood_fit
    sales = pd.DataFrame({"company": ["A", "B", "C"], "sales": [2.0, 1.0, 1.0]})
    cs = fit.aggregate(sales, window=1)
    ind = cs.table("industry").iloc[0]
    q = fit.indexes.set_index("company")["index"]
    assert ind["n_units"] == 3
    assert ind["index"] == pytest.approx((2 * q["A"] + q["B"] + q["C"]) / 4, rel=1e-12)
    # the loyalty index: A is withheld with its reason, the industry is B and C
    cl = acsi.aggregate(fit.latent_indexes, sales, latent="CL", window=1)
    comp = cl.table("company").set_index("unit")
    assert comp.loc["A", "status"] == "withheld" and "negative residual variance of item cl1" in comp.loc["A", "reason"]
    assert np.isnan(comp.loc["A", "index"])
    li = fit.latent_indexes.query("latent == 'CL'").set_index("company")["index"]
    assert cl.table("industry").iloc[0]["index"] == pytest.approx((li["B"] + li["C"]) / 2, rel=1e-12)
    assert cl.table("industry").iloc[0]["n_units"] == 2


def test_a_failed_estimation_fails_every_index(acsi_text_spec, heywood_survey):
    _, survey = heywood_survey
    out = fit_unit(("A",), survey.head(10)[list(acsi_text_spec.item_ids)], acsi_text_spec)
    assert out.status == "failed"
    assert set(out.latents["status"]) == {"failed"} and set(out.latents["reason"]) == {out.reason}
