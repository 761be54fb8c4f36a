"""Direct, indirect and total effects and ACSI impacts (acsi.estimate.effects) against lavaan's
``:=`` rows (tests/reference/syntax_defined_effects: the same effects written by hand, with
lavaan's delta-method SEs) and against hand computations."""

import numpy as np
import pandas as pd
import pytest

from acsi.errors import InvalidParameterError
from acsi.estimate.effects import acsi_impacts, effects, scale_factors
from acsi.estimate.ml import fit_ml
from estimate.lavaan_tables import table_from_lavaan
from reference.cases import load_case


@pytest.fixture(scope="module")
def fitted():
    c = load_case("syntax_defined_effects")
    res = fit_ml(table_from_lavaan(c), c.data)
    from acsi.estimate.ml import compile as compile_model

    model = compile_model(table_from_lavaan(c))
    return c, model, res.extra["theta"], res.vcov.to_numpy(), res


def test_effects_equal_lavaans_defined_parameters(fitted):
    c, model, theta, V, _res = fitted
    eff = effects(model, theta, V).set_index(["from", "to", "effect"])
    ref = c.parameters.set_index("lhs")
    for name, key in [("total_cs_cl", ("CS", "CL", "total")), ("total_pq_cs", ("PQ", "CS", "total")),
                      ("total_pq_cl", ("PQ", "CL", "total"))]:
        row = eff.loc[key]
        assert row["est"] == pytest.approx(ref.loc[name, "est"], abs=1e-5)
        assert row["se"] == pytest.approx(ref.loc[name, "se"], abs=1e-5)
        assert row["std_all"] == pytest.approx(ref.loc[name, "std_all"], abs=1e-5)
        assert row["std_lv"] == pytest.approx(ref.loc[name, "std_lv"], abs=1e-5)


def test_effects_decompose_and_match_the_structural_matrix(fitted):
    _c, model, theta, V, res = fitted
    eff = effects(model, theta, V)
    B = model.matrices_of(theta[None])[1][0]
    T = np.linalg.inv(np.eye(B.shape[0]) - B) - np.eye(B.shape[0])
    lv = model.groups[0].lv
    wide = eff.pivot_table(index=["from", "to"], columns="effect", values="est")
    np.testing.assert_allclose(wide["direct"] + wide["indirect"], wide["total"], atol=1e-14)
    for (f, t), r in wide.iterrows():
        assert r["total"] == pytest.approx(T[lv.index(t), lv.index(f)], abs=1e-14)
        assert r["direct"] == pytest.approx(B[lv.index(t), lv.index(f)], abs=1e-14)
    # every pair joined by a path, and only those: CE reaches all five, CL none
    assert set(eff.loc[eff["from"] == "CE", "to"]) == {"PQ", "PV", "CS", "CC", "CL"}
    assert not (eff["from"] == "CL").any()
    # a direct path's SE is the parameter's SE
    direct = eff[(eff["from"] == "CS") & (eff["to"] == "CC") & (eff["effect"] == "direct")].iloc[0]
    est = res.estimates.set_index(["lhs", "op", "rhs"]).loc[("CC", "~", "CS")]
    assert direct["se"] == pytest.approx(est["se"], rel=1e-10)
    # no direct path, no direct effect
    pq_cl = eff[(eff["from"] == "PQ") & (eff["to"] == "CL")].set_index("effect")
    assert pq_cl.loc["direct", "est"] == 0 and pq_cl.loc["direct", "se"] == 0


def test_impacts_equal_a_hand_computation(fitted):
    _c, model, theta, V, res = fitted
    gm = model.groups[0]
    rng = np.random.default_rng(5)
    w = pd.Series(rng.uniform(0.2, 1.0, gm.p), index=gm.ov)
    lo = pd.Series(1.0, index=gm.ov)
    hi = pd.Series(10.0, index=gm.ov)
    imp = acsi_impacts(model, theta, V, weights=w, lo=lo, hi=hi).set_index(["driver", "target"])
    L = res.loadings
    est = res.estimates.set_index(["lhs", "op", "rhs"])["est"]
    blocks = {lv: [i for i in gm.ov if L.loc[i, lv] != 0] for lv in ["PQ", "CS", "CL"]}
    s = {lv: 100 * sum(w[i] * L.loc[i, lv] for i in its) / sum(w[i] * 9 for i in its) for lv, its in blocks.items()}
    total_pq_cs = est[("CS", "~", "PQ")] + est[("PV", "~", "PQ")] * est[("CS", "~", "PV")]
    assert imp.loc[("PQ", "CS"), "impact"] == pytest.approx(5 * total_pq_cs * s["CS"] / s["PQ"], rel=1e-12)
    total_cs_cl = est[("CL", "~", "CS")] + est[("CC", "~", "CS")] * est[("CL", "~", "CC")]
    assert imp.loc[("CS", "CL"), "impact"] == pytest.approx(5 * total_cs_cl * s["CL"] / s["CS"], rel=1e-12)
    assert imp.loc[("CS", "CL"), "scale_driver"] == pytest.approx(s["CS"], rel=1e-12)
    # twice the rise, twice the impact; the SE scales too
    two = acsi_impacts(model, theta, V, weights=w, lo=lo, hi=hi, rise=10).set_index(["driver", "target"])
    np.testing.assert_allclose(two["impact"], 2 * imp["impact"], rtol=1e-12)
    np.testing.assert_allclose(two["se"], 2 * imp["se"], rtol=1e-9)
    assert (imp["se"] > 0).all()


def test_impact_se_against_finite_differences(fitted):
    _c, model, theta, V, _res = fitted
    gm = model.groups[0]
    w, lo, hi = np.ones(gm.p), np.ones(gm.p), np.full(gm.p, 10.0)
    base = acsi_impacts(model, theta, V, weights=w, lo=lo, hi=hi)
    J = np.empty((len(base), theta.size))
    for k in range(theta.size):
        h = 1e-6 * max(1, abs(theta[k]))
        up, dn = theta.copy(), theta.copy()
        up[k] += h
        dn[k] -= h
        J[:, k] = (acsi_impacts(model, up, None, weights=w, lo=lo, hi=hi)["impact"].to_numpy()
                   - acsi_impacts(model, dn, None, weights=w, lo=lo, hi=hi)["impact"].to_numpy()) / (2 * h)
    np.testing.assert_allclose(base["se"], np.sqrt(np.einsum("ij,jk,ik->i", J, V, J)), rtol=1e-6)


def test_scale_factor_of_a_block(fitted):
    _c, model, theta, _V, res = fitted
    gm = model.groups[0]
    s = scale_factors(model, theta, np.ones(gm.p), np.zeros(gm.p), np.full(gm.p, 10.0))
    lam = res.loadings["CS"]
    assert s["CS"] == pytest.approx(100 * lam[lam != 0].sum() / (10 * (lam != 0).sum()), rel=1e-12)


def test_bad_arguments_are_named(fitted):
    _c, model, theta, V, _res = fitted
    gm = model.groups[0]
    with pytest.raises(InvalidParameterError, match="The 'rise' parameter of acsi_impacts"):
        acsi_impacts(model, theta, V, weights=np.ones(gm.p), lo=np.ones(gm.p), hi=np.full(gm.p, 10.0), rise=0)
    with pytest.raises(InvalidParameterError, match=r"The 'weights' parameter .* Got none for \['cl2'\]"):
        acsi_impacts(model, theta, V, weights={x: 1.0 for x in gm.ov[:-1]}, lo=np.ones(gm.p), hi=np.full(gm.p, 10.0))
    with pytest.raises(InvalidParameterError, match="The 'group' parameter of effects"):
        effects(model, theta, V, group=2)


def test_effects_of_an_observed_structural_variable_keep_its_units_in_std_lv():
    c = load_case("syntax_complaint_observed")
    table = table_from_lavaan(c)
    res = fit_ml(table, c.data)
    from acsi.estimate.ml import compile as compile_model

    eff = effects(compile_model(table), res.extra["theta"], res.vcov.to_numpy()).set_index(["from", "to", "effect"])
    ref = c.parameters.set_index(["lhs", "op", "rhs"])
    for col in ("est", "se", "std_lv", "std_all"):
        assert eff.loc[("CS", "cc1", "direct"), col] == pytest.approx(ref.loc[("cc1", "~", "CS"), col], abs=1e-5)
    # cc1 -> CL: direct only; CS -> CL total = direct + through cc1
    tot = eff.loc[("CS", "CL", "total"), "est"]
    est = ref["est"]
    assert tot == pytest.approx(est[("CL", "~", "CS")] + est[("cc1", "~", "CS")] * est[("CL", "~", "cc1")], abs=1e-5)


def test_a_compiled_model_and_its_effects_pickle_as_the_numbers_they_are_made_from():
    """A model of compiled_model pickles as its (spec, options): unpickled in the process that
    compiled it, it is that model (the cache's), elsewhere it is compiled once.  EffectsAt pickles
    as θ̂, the group and the model, and the copy's tables equal the original's bit for bit."""
    import pickle

    import acsi
    from acsi.estimate.effects import EffectsAt
    from acsi.estimate.ml import fit_sem_fast
    from acsi.estimate.mlfast import RamModel, compiled_model
    from acsi.simulate import simulate_survey

    spec = acsi.load_model("acsi")
    model = compiled_model(spec)
    assert pickle.loads(pickle.dumps(model)) is model
    own = RamModel(spec)  # compiled by hand: pickled whole (its state), a model of its own
    back = pickle.loads(pickle.dumps(own))
    assert back is not model and back.labels == model.labels and len(pickle.dumps(own)) > 5 * len(pickle.dumps(model))
    data = simulate_survey(spec, units=1, n_per_unit=200, periods=1, seed=3, missing_code_rate=0.0)
    data = data[list(spec.observed_ids)].astype(float)
    res = fit_sem_fast(data, spec, model=model)
    at = EffectsAt(model, res.extra["theta"])
    V = res.vcov_matrix
    at.effect_columns(None)  # the matrices at θ̂ made: not pickled
    blob = pickle.dumps(at)
    assert len(blob) < len(pickle.dumps(model)) + 1000  # the model's recipe and θ̂
    copy = pickle.loads(blob)
    assert copy.model is model and copy._at is None
    pd.testing.assert_frame_equal(copy.effects(V), at.effects(V), check_exact=True)
