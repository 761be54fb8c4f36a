"""simulate_survey / true_parameters: the generator draws what it says it draws."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.errors import DataError, SpecError
from acsi.simulate import implied_correlation, simulate_survey, true_parameters

MODELS = Path(__file__).resolve().parents[2] / "models"
SHIPPED = ["acsi", "ecsi", "ccsi", "ccsi_image", "scsb", "airline", "dk", "swics", "ncsi"]


def _doc(name):
    with open(MODELS / f"{name}.toml", "rb") as fh:
        return tomllib.load(fh)


def _blocks(name):
    return {lv["id"]: [it["id"] for it in lv["items"]] for lv in _doc(name)["latent"]}


def _structure(tp: pd.DataFrame, latents: list[str]):
    """B, Psi (with exogenous covariances) rebuilt from the true-parameter table."""
    k = {lv: i for i, lv in enumerate(latents)}
    B = np.zeros((len(latents), len(latents)))
    P = np.zeros_like(B)
    for r in tp.itertuples():
        if r.op == "~":
            B[k[r.lhs], k[r.rhs]] = r.std_all
        elif r.op == "~~" and r.lhs in k and r.rhs in k:
            P[k[r.lhs], k[r.rhs]] = P[k[r.rhs], k[r.lhs]] = r.std_all
    return B, P


@pytest.mark.parametrize("name", SHIPPED)
def test_true_parameters_are_standardized(name):
    tp = true_parameters(name)
    assert list(tp.columns) == ["lhs", "op", "rhs", "std_all"]
    latents = list(_blocks(name))
    B, P = _structure(tp, latents)
    inv = np.linalg.inv(np.eye(len(latents)) - B)
    phi = inv @ P @ inv.T  # Sigma_eta = (I - B)^-1 Psi (I - B)^-T
    np.testing.assert_allclose(np.diag(phi), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(phi, implied_correlation(name).to_numpy(), rtol=0, atol=1e-12)
    lam = tp[tp.op == "=~"].set_index("rhs")["std_all"]
    res = tp[(tp.op == "~~") & (tp.lhs == tp.rhs) & tp.lhs.isin(lam.index)].set_index("lhs")["std_all"]
    np.testing.assert_allclose(res.loc[lam.index], 1 - lam**2, rtol=0, atol=1e-12)
    assert ((lam > 0.5) & (lam < 1)).all()
    assert len(tp[tp.op == "~"]) == len(_doc(name)["paths"])


@pytest.mark.parametrize("name", SHIPPED)
def test_path_signs_match_implied_correlations(name):
    tp = true_parameters(name)
    phi = implied_correlation(name)
    for r in tp[tp.op == "~"].itertuples():
        assert np.sign(r.std_all) == np.sign(phi.loc[r.lhs, r.rhs]) != 0, (r.rhs, r.lhs)


@pytest.mark.parametrize("name", SHIPPED)
def test_empirical_correlations_have_the_sign_pattern_of_the_paths(name):
    df = simulate_survey(name, units=3, n_per_unit=1500, periods=1, seed=101)
    blocks = _blocks(name)
    x = df[[i for its in blocks.values() for i in its]]
    x = x.where(x < 98)
    scores = pd.DataFrame({lv: x[its].mean(axis=1) for lv, its in blocks.items()})
    emp = scores.corr()
    phi = implied_correlation(name)
    for r in true_parameters(name).query("op == '~'").itertuples():
        assert np.sign(emp.loc[r.lhs, r.rhs]) == np.sign(r.std_all), (name, r.rhs, r.lhs, emp.loc[r.lhs, r.rhs])
    # every clearly non-zero implied correlation keeps its sign
    strong = phi.abs() > 0.1
    assert (np.sign(emp)[strong] == np.sign(phi)[strong]).all().all()


def test_item_correlations_recover_the_implied_matrix():
    # fine scale, no clipping, one cell: the sample correlation of the items must equal
    # Lambda Phi Lambda' (+ unit diagonal) up to sampling error (n = 20,000: SE about 0.007)
    df = simulate_survey(
        "acsi", units=1, n_per_unit=20000, periods=1, seed=5, missing_code_rate=0.0,
        scale=(0, 90), params={"location": 0.5, "spread": 0.09},
    )
    tp = true_parameters("acsi")
    lam = tp[tp.op == "=~"]
    items = lam["rhs"].tolist()
    phi = implied_correlation("acsi")
    L = np.zeros((len(items), len(phi)))
    for j, r in enumerate(lam.itertuples()):
        L[j, phi.index.get_loc(r.lhs)] = r.std_all
    implied = L @ phi.to_numpy() @ L.T
    np.fill_diagonal(implied, 1.0)
    emp = df[items].corr().to_numpy()
    np.testing.assert_allclose(emp, implied, rtol=0, atol=0.035)
    assert df[items].min().min() >= 0 and df[items].max().max() <= 90


def test_reproducible_with_seed_and_different_without():
    kw = dict(units=["A", "B"], n_per_unit=(40, 60), periods=["2024Q4", "2025Q1"])
    a = simulate_survey("acsi", seed=3, **kw)
    b = simulate_survey("acsi", seed=3, **kw)
    pd.testing.assert_frame_equal(a, b)
    c = simulate_survey("acsi", seed=4, **kw)
    assert not a.equals(c)
    g = simulate_survey("acsi", seed=np.random.default_rng(3), **kw)
    pd.testing.assert_frame_equal(a, g)


def test_model_given_as_name_path_dict_or_spec_gives_the_same_table():
    kw = dict(units=2, n_per_unit=30, periods=1, seed=9)
    by_name = simulate_survey("scsb", **kw)
    pd.testing.assert_frame_equal(by_name, simulate_survey(MODELS / "scsb.toml", **kw))
    pd.testing.assert_frame_equal(by_name, simulate_survey(str(MODELS / "scsb.toml"), **kw))
    pd.testing.assert_frame_equal(by_name, simulate_survey(_doc("scsb"), **kw))
    spec_mod = pytest.importorskip("acsi.spec")
    pd.testing.assert_frame_equal(by_name, simulate_survey(spec_mod.load_model("scsb"), **kw))


def test_paths_written_after_the_last_latent_table_are_accepted():
    doc = _doc("scsb")
    nested = {k: v for k, v in doc.items() if k != "paths"}
    nested["latent"] = [dict(lv) for lv in doc["latent"]]
    nested["latent"][-1]["paths"] = doc["paths"]
    kw = dict(units=1, n_per_unit=20, periods=1, seed=1)
    pd.testing.assert_frame_equal(simulate_survey(nested, **kw), simulate_survey(doc, **kw))
    assert "paths" in nested["latent"][-1]  # input not mutated


def test_output_layout_units_and_periods():
    units = pd.DataFrame({"company": ["X", "Y"], "industry": ["I1", "I2"], "sector": ["S", "S"], "shift": [0.5, -0.5]})
    df = simulate_survey("acsi", units=units, n_per_unit=300, periods=3, seed=2)
    assert list(df.columns[:6]) == ["respondent_id", "period", "sector", "industry", "company", "weight"]
    assert list(df.columns[6:]) == [i for its in _blocks("acsi").values() for i in its]
    assert sorted(df["period"].unique()) == ["2025Q1", "2025Q2", "2025Q3"]
    assert df.groupby(["company", "period"]).size().eq(300).all()
    assert df.groupby("company")["industry"].first().to_dict() == {"X": "I1", "Y": "I2"}
    cs = df[["cs1", "cs2", "cs3"]].where(df[["cs1", "cs2", "cs3"]] < 98).mean(axis=1).groupby(df["company"]).mean()
    assert cs["X"] > cs["Y"] + 1  # the unit shift moves the index
    cc = df[["cc1", "cc2"]].where(df[["cc1", "cc2"]] < 98).mean(axis=1).groupby(df["company"]).mean()
    assert cc["X"] < cc["Y"]  # complaints move the other way
    assert units.columns.tolist() == ["company", "industry", "sector", "shift"]  # not mutated


def test_scale_override_and_no_missing_codes():
    df = simulate_survey("ccsi", units=2, n_per_unit=200, periods=1, seed=1, scale=(1, 5), missing_code_rate=0)
    vals = df.iloc[:, 6:].to_numpy()
    assert vals.min() >= 1 and vals.max() <= 5 and set(np.unique(vals)) == {1, 2, 3, 4, 5}


def test_missing_code_rate_is_respected():
    df = simulate_survey("acsi", units=2, n_per_unit=2000, periods=1, seed=1, missing_code_rate=0.05)
    vals = df.iloc[:, 6:].to_numpy()
    assert abs(np.isin(vals, [98, 99]).mean() - 0.05) < 0.005
    assert abs((vals == 98).sum() / np.isin(vals, [98, 99]).sum() - 0.6) < 0.03


def test_params_overrides_reach_the_table():
    tp = true_parameters("acsi", {"loadings": {"cs2": 0.6}, "paths": {"PQ -> CS": 0.3, ("PV", "CS"): 0.2}})
    get = tp.set_index(["lhs", "op", "rhs"])["std_all"]
    assert get[("CS", "=~", "cs2")] == 0.6 and get[("cs2", "~~", "cs2")] == pytest.approx(0.64, abs=1e-12)
    assert get[("CS", "~", "PQ")] == 0.3 and get[("CS", "~", "PV")] == 0.2
    base = true_parameters("acsi").set_index(["lhs", "op", "rhs"])["std_all"]
    assert get[("CS", "~~", "CS")] > base[("CS", "~~", "CS")]  # smaller paths, larger disturbance


def test_generic_defaults_for_a_model_without_shipped_parameters():
    doc = {
        "name": "mini", "headline": "S", "scale": {"min": 0, "max": 6},
        "latent": [{"id": "A", "items": ["a1", "a2"]}, {"id": "B", "items": ["b1", "b2"]},
                   {"id": "S", "items": [{"id": "s1"}, {"id": "s2", "min": 1, "max": 7}]}],
        "paths": ["A -> S", "B -> S"],
    }
    tp = true_parameters(doc)
    betas = tp[tp.op == "~"]["std_all"].to_numpy()
    assert betas[0] == pytest.approx(betas[1], abs=1e-12)
    assert tp.query("lhs == 'S' and op == '~~' and rhs == 'S'")["std_all"].iloc[0] == pytest.approx(0.5, abs=1e-12)
    assert tp.query("lhs == 'A' and op == '~~' and rhs == 'B'")["std_all"].iloc[0] == pytest.approx(0.35, abs=1e-12)
    df = simulate_survey(doc, units=1, n_per_unit=500, periods=1, seed=0, missing_code_rate=0)
    assert df["s2"].between(1, 7).all() and df["s1"].between(0, 6).all() and df["s2"].max() == 7 and df["s1"].max() == 6


# ----------------------------------------------------------------- error paths
BASE = dict(units=1, n_per_unit=10, periods=1, seed=0)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        (dict(params={"loading": {}}), SpecError, r"unknown simulation parameter\(s\) \['loading'\]; allowed keys"),
        (dict(params={"paths": {"CS -> PQ": 0.3}}), SpecError, r"path CS -> PQ, which is not in model 'acsi'"),
        (dict(params={"paths": {"CS": 0.3}}), SpecError, r"key 'CS' is not a path"),
        (dict(params={"loadings": {"xx1": 0.5}}), SpecError, r"names 'xx1', which is not an item of model 'acsi'"),
        (dict(params={"loadings": {"cs1": 1.2}}), SpecError, r"loading of 'cs1' must satisfy 0 < \|lambda\| < 1; got 1.2"),
        (dict(params={"paths": {"PQ -> CS": 0.9, "PV -> CS": 0.9}}), SpecError, r"paths into 'CS' .* explain R2 = .*make the coefficients smaller"),
        (dict(params={"location": {"ZZ": 0.5}}), SpecError, r"params\['location'\] names \['ZZ'\], which are not latents"),
        (dict(params={"spread": 1.5}), SpecError, r"params\['spread'\] for latent 'CE' must be a share .* got 1.5"),
        (dict(params={"exogenous_correlation": 1.0}), SpecError, r"exogenous_correlation'\] must lie in \(-0.5, 1\)"),
        (dict(params={"period_shift": {"2030Q1": 0.1}}), DataError, r"no shift for the period\(s\) \['2025Q1'\]"),
        (dict(missing_code_rate=1.0), DataError, r"missing_code_rate must lie in \[0, 1\); got 1.0"),
        (dict(scale=(1, 100)), DataError, r"collide with the missing codes 98/99; use a smaller scale or missing_code_rate=0"),
        (dict(scale=(5, 5)), DataError, r"scale must be \(min, max\) with max > min"),
    ],
)
def test_parameter_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        simulate_survey("acsi", **{**BASE, **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(units=0), r"units must be a positive count"),
        (dict(units="A"), r"units must be a positive count, a non-empty list"),
        (dict(units=pd.DataFrame({"name": ["A"]})), r"needs a 'company' column; it has \['name'\]"),
        (dict(units=["A", "A"]), r"company names must be unique in units; repeated: \['A'\]"),
        (dict(n_per_unit=0), r"n_per_unit must be a positive integer or a \(low, high\) range; got 0"),
        (dict(n_per_unit=(50, 10)), r"1 <= low <= high; got \(50, 10\)"),
        (dict(n_per_unit="many"), r"n_per_unit must be a positive integer"),
        (dict(periods=0), r"periods must be a positive count"),
        (dict(periods=["2025Q1", "2025Q1"]), r"period labels must be unique"),
        (dict(periods="2025Q1"), r"periods must be a positive count or a non-empty list"),
    ],
)
def test_argument_errors(kwargs, match):
    with pytest.raises(DataError, match=match):
        simulate_survey("acsi", **{**BASE, **kwargs})


def test_model_errors(tmp_path):
    with pytest.raises(SpecError, match=r"unknown model 'nosuch': pass a shipped model name \(acsi, airline"):
        simulate_survey("nosuch", **BASE)
    with pytest.raises(SpecError, match=r"model file .*missing.toml' does not exist"):
        simulate_survey(tmp_path / "missing.toml", **BASE)
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nheadline = [', encoding="utf-8")
    with pytest.raises(SpecError, match=r"bad.toml: invalid TOML"):
        simulate_survey(bad, **BASE)
    with pytest.raises(SpecError, match=r"model must be a shipped model name.*got int"):
        simulate_survey(42, **BASE)
    doc = _doc("scsb")
    with pytest.raises(SpecError, match=r"missing the key\(s\) \['headline'\]"):
        simulate_survey({k: v for k, v in doc.items() if k != "headline"}, **BASE)
    with pytest.raises(SpecError, match=r"path CS -> XX names 'XX', which is not a declared latent"):
        simulate_survey({**doc, "paths": doc["paths"] + ["CS -> XX"]}, **BASE)
    with pytest.raises(SpecError, match=r"path 'CS => CL' is not of the form"):
        simulate_survey({**doc, "paths": ["CS => CL"]}, **BASE)
    with pytest.raises(SpecError, match=r"headline 'ZZ' is not a declared latent"):
        simulate_survey({**doc, "headline": "ZZ"}, **BASE)
    with pytest.raises(SpecError, match=r"cycle among .*remove one path of the cycle"):
        simulate_survey({**doc, "paths": doc["paths"] + ["CL -> CE"]}, **BASE)
    dup = {**doc, "latent": doc["latent"] + [{"id": "XX", "items": ["cs1"]}]}
    with pytest.raises(SpecError, match=r"item 'cs1' is listed more than once"):
        simulate_survey(dup, **BASE)
    empty = {**doc, "latent": doc["latent"] + [{"id": "XX", "items": []}]}
    with pytest.raises(SpecError, match=r"latent 'XX' has no items"):
        simulate_survey(empty, **BASE)


@pytest.mark.slow
def test_acsi_fit_recovers_the_true_standardized_parameters():
    # End to end with the estimation engine: 1-10 answers lose a little information to rounding
    # and the ceiling, so std_all estimates land within 0.05 of the truth (measured: 0.041 max
    # over loadings and paths at n = 20,000, seed 3).
    import warnings

    import acsi

    df = simulate_survey("acsi", units=1, n_per_unit=20000, periods=1, seed=3, missing_code_rate=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = acsi.fit(df, "acsi", unit=None, n_jobs=1, progress=False)
    pooled = res.pooled.estimates  # unit=None: one pooled model
    est = pooled[pooled["op"].isin(["~", "=~"])][["lhs", "op", "rhs", "std_all"]]
    m = est.merge(true_parameters("acsi"), on=["lhs", "op", "rhs"], suffixes=("_est", "_true"))
    assert len(m) == 15 + 9
    np.testing.assert_allclose(m["std_all_est"], m["std_all_true"], rtol=0, atol=0.05)
