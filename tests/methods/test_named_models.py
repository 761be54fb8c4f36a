"""The national models named by the documents: DK (Germany), SWICS (Switzerland), NCSI (Korea 1998).

They load through acsi.spec, carry English and Traditional-Chinese wording and their sources,
simulate from acsi.simulate's default table and fit back to the true standardized parameters.
"""
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pytest

import acsi
from acsi.simulate import simulate_survey, true_parameters

MODELS = Path(__file__).resolve().parents[2] / "models"

STRUCTURE = {
    "dk": (["PE", "CS", "CL"], {("PE", "CS"), ("CS", "CL"), ("PE", "CL")}, "Meyer, A., & Dornach, F."),
    "swics": (["CE", "PV", "CS", "CD", "CL"],
              {("CE", "PV"), ("CE", "CS"), ("PV", "CS"), ("CS", "CD"), ("CS", "CL"), ("CD", "CL")}, "Bruhn, M., & Grund"),
    "ncsi": (["CE", "PQ", "PV", "CS", "CC", "CL"],
             {("CE", "PQ"), ("CE", "PV"), ("CE", "CS"), ("PQ", "PV"), ("PQ", "CS"), ("PV", "CS"), ("CS", "CC"),
              ("CS", "CL"), ("CC", "CL")}, "Korea Productivity Center"),
}


@pytest.mark.parametrize("name", sorted(STRUCTURE))
def test_structure_and_source(name):
    spec = acsi.load_model(name)
    latents, paths, ref = STRUCTURE[name]
    assert list(spec.latent_ids) == latents
    assert set(spec.paths) == paths
    assert spec.headline == "CS"
    with open(MODELS / f"{name}.toml", "rb") as fh:
        doc = tomllib.load(fh)
    assert ref in doc["reference"]
    assert all(lv["name_zh"] and all(it["text_zh"] for it in lv["items"]) for lv in doc["latent"])


def test_ncsi_is_the_acsi_structure_and_dk_has_one_satisfaction_item():
    a, n = acsi.load_model("acsi"), acsi.load_model("ncsi")
    assert n.latent_ids == a.latent_ids and list(n.paths) == list(a.paths) and n.item_ids == a.item_ids
    dk = {lv: [it for it in acsi.load_model("dk").item_ids if it.startswith(lv.lower())] for lv in ("PE", "CS", "CL")}
    assert dk == {"PE": ["pe1", "pe2", "pe3"], "CS": ["cs1"], "CL": ["cl1", "cl2", "cl3"]}


@pytest.mark.parametrize("name", sorted(STRUCTURE))
def test_simulate_and_fit_recover_the_truth(name):
    df = simulate_survey(name, units=1, n_per_unit=4000, periods=1, seed=11, missing_code_rate=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = acsi.fit(df, name, unit=None, n_jobs=1, progress=False)
    est = res.pooled.estimates
    est = est[est["op"].isin(["~", "=~"])][["lhs", "op", "rhs", "std_all"]]
    truth = true_parameters(name)
    m = est.merge(truth, on=["lhs", "op", "rhs"], suffixes=("_est", "_true"))
    spec = acsi.load_model(name)
    assert len(m) == len(spec.item_ids) + len(spec.paths)
    # 1-10 rounding and sampling at n = 4000 (see tests/simulate: 0.041 at n = 20,000 for ACSI)
    np.testing.assert_allclose(m["std_all_est"], m["std_all_true"], rtol=0, atol=0.07)
    assert np.all(np.sign(m["std_all_est"]) == np.sign(m["std_all_true"]))
