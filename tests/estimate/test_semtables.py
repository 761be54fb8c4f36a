"""The per-unit CB-SEM tables (acsi.estimate.semtables.unit_tables) against independent slow
computations: effects from (I − B)⁻¹ and the implied latent covariance by hand, ACSI impacts from
the loadings and item weights by hand, delta-method SEs against a central-difference Jacobian of
those hand formulas, reliability and HTMT against the toolkit functions on the answers; and the
stacked reliability helpers against their one-block forms, bit for bit."""

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.estimate.effects import EffectsAt, acsi_impacts, effects
from acsi.estimate.expressions import jacobian
from acsi.estimate.ml import fit_sem_fast
from acsi.estimate.mlfast import compiled_model
from acsi.estimate.quality import (
    _alpha_from_cov,
    _alphas_from_covs,
    _cor,
    _rho_a_from_cor,
    _rho_as_from_cors,
    _rho_c_and_ave_rows,
    ave,
    composite_reliability,
    cronbach_alpha,
    htmt,
    rho_c_and_ave,
)
from acsi.estimate.semtables import UNIT_TABLES, impact_inputs, unit_tables
from acsi.score import item_weights
from acsi.simulate import simulate_survey


@pytest.fixture(scope="module")
def unit():
    spec = acsi.load_model("acsi")
    data = simulate_survey(spec, units=1, n_per_unit=300, periods=1, seed=11, missing_code_rate=0.0)
    data = data[list(spec.observed_ids)].astype(float)
    model = compiled_model(spec)
    res = fit_sem_fast(data, spec, model=model)
    assert res.converged
    w = item_weights(spec, res.loadings, res.residual_variances, strict=False)
    tables, notes = unit_tables(spec, model, res, w)
    return spec, data, model, res, w, tables, notes


def _hand_effects(model, th):
    """(direct, total, std_all total) of every (from, to) by hand: B from the estimates' cells,
    T = (I − B)⁻¹ − I, sd from diag((I − B)⁻¹ Ψ (I − B)⁻ᵀ)."""
    _L, B, P = (x[0] for x in model.matrices_of(np.asarray(th, float)[None])[:3])
    m = B.shape[0]
    C = np.linalg.inv(np.eye(m) - B)
    T = C - np.eye(m)
    sd = np.sqrt(np.diag(C @ P @ C.T))
    return B, T, sd


def test_unit_tables_returns_every_table(unit):
    *_, tables, notes = unit
    assert list(tables) == list(UNIT_TABLES) and notes == []


def test_effects_equal_a_hand_computation_and_numerical_jacobian_ses(unit):
    _spec, _data, model, res, _w, tables, _ = unit
    eff = tables["effects"]
    theta = res.extra["theta"]
    V = res.vcov.to_numpy()
    lv = model.groups[0].lv
    B, T, sd = _hand_effects(model, theta)
    pairs = [(lv.index(f), lv.index(t)) for f, t in zip(eff["from"][::3], eff["to"][::3])]
    for k, (f, t) in enumerate(pairs):
        rows = eff.iloc[3 * k: 3 * k + 3]
        assert list(rows["effect"]) == ["direct", "indirect", "total"]
        np.testing.assert_allclose(rows["est"], [B[t, f], T[t, f] - B[t, f], T[t, f]], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(rows["std_all"], np.array([B[t, f], T[t, f] - B[t, f], T[t, f]]) * sd[f] / sd[t],
                                   rtol=1e-12, atol=1e-15)

    def hand(batch):
        out = []
        for th in batch:
            Bh, Th, sdh = _hand_effects(model, th)
            out.append([Th[t, f] for f, t in pairs] + [Th[t, f] * sdh[f] / sdh[t] for f, t in pairs])
        return np.array(out)

    J = jacobian(hand, theta, analytic=False)  # central differences, independent of the complex step
    se = np.sqrt(np.einsum("ij,jk,ik->i", J, V, J))
    total = eff[eff["effect"] == "total"]
    np.testing.assert_allclose(total["se"], se[: len(pairs)], rtol=1e-6)
    np.testing.assert_allclose(total["se_std_all"], se[len(pairs):], rtol=1e-6)
    # the public function is the same table
    pd.testing.assert_frame_equal(effects(model, theta, V), eff, check_exact=True)


def test_impacts_equal_a_hand_computation_and_numerical_jacobian_ses(unit):
    spec, _data, model, res, w, tables, _ = unit
    imp = tables["impacts"]
    theta = res.extra["theta"]
    V = res.vcov.to_numpy()
    gm = model.groups[0]
    wt, lo, hi, unscaled = impact_inputs(spec, gm.ov, w)
    assert unscaled == []
    blocks = {lv.id: list(lv.item_ids) for lv in spec.latents}

    def scale(th):
        L = model.matrices_of(np.asarray(th, float)[None])[0][0]
        s = {}
        for j, name in enumerate(gm.lv):
            its = blocks.get(name, [name])  # a phantom latent (complaint) is its own item, weight 1
            i = [gm.ov.index(x) for x in its]
            s[name] = 100 * sum(wt[x] * L[k, j] for x, k in zip(its, i)) / sum(wt[x] * (hi[x] - lo[x]) for x in its)
        return s

    pairs = list(zip(imp["driver"], imp["target"]))

    def hand(batch):
        out = []
        for th in batch:
            _B, T, _sd = _hand_effects(model, th)
            s = scale(th)
            out.append([5 * T[gm.lv.index(t), gm.lv.index(d)] * s[t] / s[d] for d, t in pairs])
        return np.array(out)

    np.testing.assert_allclose(imp["impact"], hand([theta])[0], rtol=1e-12)
    s0 = scale(theta)
    np.testing.assert_allclose(imp["scale_driver"], [s0[d] for d, _ in pairs], rtol=1e-12)
    J = jacobian(hand, theta, analytic=False)
    np.testing.assert_allclose(imp["se"], np.sqrt(np.einsum("ij,jk,ik->i", J, V, J)), rtol=1e-6)
    pd.testing.assert_frame_equal(acsi_impacts(model, theta, V, weights=wt, lo=lo, hi=hi), imp, check_exact=True)


def test_effects_and_impacts_of_one_evaluation_equal_the_separate_functions(unit):
    spec, _data, model, res, w, tables, _ = unit
    theta, V = res.extra["theta"], res.vcov.to_numpy()
    wt, lo, hi, _ = impact_inputs(spec, model.groups[0].ov, w)
    at = EffectsAt(model, theta)
    imp = at.impacts(V, weights=wt, lo=lo, hi=hi)  # impacts first: the shared steps are built by either
    pd.testing.assert_frame_equal(at.effects(V), tables["effects"], check_exact=True)
    pd.testing.assert_frame_equal(imp, tables["impacts"], check_exact=True)
    none = EffectsAt(model, theta).effects(None)
    assert none["se"].isna().all() and none["z"].isna().all()
    np.testing.assert_array_equal(none["est"], tables["effects"]["est"])


def test_reliability_and_htmt_equal_the_toolkit_functions(unit):
    spec, data, _model, res, _w, tables, _ = unit
    rel = tables["reliability"].set_index("latent")
    blocks = {lv: list(items) for lv, items in spec.blocks.items()}
    est = res.estimates
    load = est[est["op"] == "=~"]
    std = pd.Series(load["std_all"].to_numpy(), index=load["rhs"].to_numpy())
    np.testing.assert_allclose(rel["rho_c"], composite_reliability(std, blocks)[rel.index], rtol=1e-12)
    np.testing.assert_allclose(rel["ave"], ave(std, blocks)[rel.index], rtol=1e-12)
    np.testing.assert_allclose(rel["alpha"], cronbach_alpha(data, blocks)["alpha"][rel.index], rtol=1e-10)
    assert list(rel["n_items"]) == [len(blocks[lv]) for lv in rel.index]
    H = htmt(data, blocks)
    ht = tables["htmt"]
    np.testing.assert_allclose(ht["htmt"], [H.loc[a, b] for a, b in zip(ht["latent_a"], ht["latent_b"])], rtol=1e-10)
    r2 = tables["rsquare"]
    ref = est[est["op"] == "r2"]
    assert list(r2["variable"]) == list(ref["lhs"]) and np.array_equal(r2["r2"], ref["est"])


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 8, 9, 12])
def test_stacked_reliability_helpers_equal_the_one_block_forms_bit_for_bit(k):
    rng = np.random.default_rng(k)
    n = 3
    X = rng.standard_normal((80, n * k)) + rng.standard_normal((80, 1))
    S = np.cov(X.T).reshape(n * k, n * k)
    R = _cor(S)
    ix = rng.permutation(n * k).reshape(n, k)
    lam = rng.uniform(0.3, 0.99, (n, k))
    a = _alphas_from_covs(S[ix[:, :, None], ix[:, None, :]])
    r = _rho_as_from_cors(R[ix[:, :, None], ix[:, None, :]], lam)
    rc, av = _rho_c_and_ave_rows(lam)
    for i in range(n):
        sub = np.ix_(ix[i], ix[i])
        Sb, Rb, li = S[sub], R[sub], lam[i]
        np.testing.assert_array_equal([a[i], r[i]], [_alpha_from_cov(Sb), _rho_a_from_cor(Rb, li)])
        assert (rc[i], av[i]) == rho_c_and_ave(li)
        if k < 2:
            assert np.isnan(a[i]) and np.isnan(r[i])
            continue
        # against the textbook formulas, written independently
        alpha = k / (k - 1) * (1 - np.trace(Sb) / Sb.sum())
        wv = li / np.sqrt(li @ Rb @ li)
        off = ~np.eye(k, dtype=bool)
        rho_a = (wv @ wv) ** 2 * (Rb * np.outer(wv, wv))[off].sum() / (np.outer(wv, wv) ** 2)[off].sum()
        np.testing.assert_allclose([a[i], r[i]], [alpha, rho_a], rtol=1e-12)
        np.testing.assert_allclose(rc[i], li.sum() ** 2 / (li.sum() ** 2 + (1 - li**2).sum()), rtol=1e-12)


def test_each_units_tables_are_its_own(unit):
    """The label columns are built once per model; changing one unit's table must not reach the
    next unit's (nor the cached labels)."""
    spec, _data, model, res, w, _tables, _ = unit
    first, _ = unit_tables(spec, model, res, w)
    before = {name: tab.copy(deep=True) for name, tab in first.items()}
    for name, tab in first.items():
        col = tab.columns[0]
        tab.loc[0, col] = "changed"
        tab.loc[0, tab.columns[-1]] = -1.0
    again, _ = unit_tables(spec, model, res, w)
    for name in UNIT_TABLES:
        pd.testing.assert_frame_equal(again[name], before[name], check_exact=True)


def test_quality_columns_of_the_models_own_table_equal_the_general_read():
    """quality_columns reads the R² and loading rows of an estimate table straight from the model's
    layout when the table is the model's own (its label array shared); a changed or rebuilt table
    is read column by column; both give the same tables."""
    import acsi
    from acsi.estimate.ml import fit_sem_fast
    from acsi.estimate.mlfast import compiled_model
    from acsi.estimate.semtables import _table_rows, frame, quality_columns
    from acsi.simulate import simulate_survey

    spec = acsi.load_model("acsi")
    data = simulate_survey(spec, units=1, n_per_unit=200, periods=1, seed=8, missing_code_rate=0.0)
    model = compiled_model(spec)
    res = fit_sem_fast(data[list(spec.item_ids)].astype(float).reset_index(drop=True), spec, model=model)
    rebuilt = pd.DataFrame({c: res.estimates[c].tolist() for c in res.estimates.columns})
    assert _table_rows(model, res.estimates) is not None and _table_rows(model, rebuilt) is None
    fast = quality_columns(spec, model, res.estimates, res.sample_cov)
    general = quality_columns(spec, model, rebuilt, res.sample_cov)
    for name in fast:
        pd.testing.assert_frame_equal(frame(fast[name]), frame(general[name]), check_exact=True)
