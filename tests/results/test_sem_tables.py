"""Effects, ACSI impacts, R², defined parameters and reliability in the fit record (issue 11):
per unit and pooled, in ``summary()``, the saved folder and ``load_results``; impacts equal a
hand computation from the total effects and the unit's own item weights."""

import numpy as np
import pandas as pd
import pytest

import acsi
from reference.cases import load_case


@pytest.fixture(scope="module")
def fit():
    case = load_case("syntax_complaint_observed")
    data = case.data.assign(company=np.where(np.arange(len(case.data)) % 2, "B", "A"))
    return acsi.fit(data, acsi.load_model("acsi", complaint="yes_no"), unit="company", min_n=2)


def _hand_impacts(spec, est, weights, rise=5.0):
    """impact = rise · total(d→t) · s_t / s_d, s_j = 100 Σ w_i λ_ij / Σ w_i (max_i − min_i);
    an observed structural variable: s = 100 / (max − min)."""
    nodes = list(spec.latent_ids) + list(spec.structural_observed)
    ix = {v: k for k, v in enumerate(nodes)}
    B = np.zeros((len(nodes), len(nodes)))
    for r in est[est["op"] == "~"].itertuples():
        B[ix[r.lhs], ix[r.rhs]] = r.est
    T = np.linalg.inv(np.eye(len(nodes)) - B) - np.eye(len(nodes))
    lam = est[est["op"] == "=~"].set_index("rhs")["est"]
    w = weights.set_index("item")["weight"]
    s = {}
    for lv in spec.latents:
        num = sum(w[i.id] * lam[i.id] for i in lv.items)
        den = sum(w[i.id] * (i.max - i.min) for i in lv.items)
        s[lv.id] = 100 * num / den
    for o in spec.structural_observed:
        lo, hi = spec.scale_bounds[o]
        s[o] = 100 / (hi - lo)
    rows = [(d, t, rise * T[ix[t], ix[d]] * s[t] / s[d]) for d in nodes for t in nodes if abs(T[ix[t], ix[d]]) > 0]
    return pd.DataFrame(rows, columns=["driver", "target", "hand"])


def test_impacts_equal_a_hand_computation_from_the_total_effects(fit):
    for key, est, w, imp in [(("<pooled>",), fit.pooled.estimates, fit.pooled.weights, fit.pooled_table("impacts"))] + [
            ((o.key), o.estimates, o.weights, o.extra["impacts"]) for o in fit.outcomes]:
        hand = _hand_impacts(fit.spec, est, w)
        m = hand.merge(imp, on=["driver", "target"], how="outer", validate="1:1")
        assert m["impact"].notna().all() and m["hand"].notna().all(), key
        np.testing.assert_allclose(m["impact"], m["hand"], rtol=1e-10, err_msg=str(key))
        assert (m["se"] > 0).all() and np.allclose(m["ci_upper"] - m["impact"], 1.959964 * m["se"], rtol=1e-5)
    # the complaint enters on its own 0/1 scale: a 5-point rise in CS moves the complaint rate by
    imp = fit.pooled_table("impacts").set_index(["driver", "target"])
    assert set(imp.index) >= {("CS", "cc1"), ("cc1", "CL"), ("PQ", "CS")}


def test_total_effects_and_r2_are_the_estimate_tables(fit):
    eff = fit.pooled_table("effects").set_index(["from", "to", "effect"])
    est = fit.pooled.estimates
    direct = est[est["op"] == "~"].set_index(["rhs", "lhs"])
    for (f, t), r in direct.iterrows():
        assert eff.loc[(f, t, "direct"), "est"] == pytest.approx(r["est"], abs=1e-12)
        assert eff.loc[(f, t, "direct"), "se"] == pytest.approx(r["se"], rel=1e-6)
    # CS -> CL: direct plus through the complaint
    b = direct["est"]
    assert eff.loc[("CS", "CL", "total"), "est"] == pytest.approx(b[("CS", "CL")] + b[("CS", "cc1")] * b[("cc1", "CL")])
    r2 = fit.pooled_table("rsquare").set_index("variable")["r2"]
    ref = est[est["op"] == "r2"].set_index("lhs")["est"]
    assert set(r2.index) >= {"PQ", "PV", "CS", "CL", "cc1"} and np.allclose(r2[ref.index], ref)
    assert len(fit.rsquare) == 2 * len(r2) and set(fit.rsquare["company"]) == {"A", "B"}


def test_reliability_from_the_standardised_loadings(fit):
    rel = fit.pooled_table("reliability").set_index("latent")
    est = fit.pooled.estimates
    for lv in fit.spec.latents:
        lam = est[(est["op"] == "=~") & (est["lhs"] == lv.id)]["std_all"].to_numpy()
        rho_c = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam ** 2).sum())
        assert rel.loc[lv.id, "rho_c"] == pytest.approx(rho_c, rel=1e-12)
        assert rel.loc[lv.id, "ave"] == pytest.approx((lam ** 2).mean(), rel=1e-12)
        assert 0 < rel.loc[lv.id, "alpha"] < 1 and 0 < rel.loc[lv.id, "rho_a"] < 1
    h = fit.pooled_table("htmt")
    assert len(h) == 10 and h["htmt"].between(0, 1.5).all()
    # α and HTMT from the fit's sample covariance equal the toolkit's functions on the answers
    from acsi.estimate.quality import cronbach_alpha, htmt
    answers = fit.prepared.data
    blocks = {k: list(v) for k, v in fit.spec.blocks.items()}
    a = cronbach_alpha(answers, blocks)["alpha"]
    np.testing.assert_allclose(rel.loc[a.index, "alpha"], a, rtol=1e-10)
    H = htmt(answers, blocks)
    for r in h.itertuples(index=False):
        assert r.htmt == pytest.approx(H.loc[r.latent_a, r.latent_b], rel=1e-10)


def test_tables_reach_summary_saved_folder_and_load_results(fit, tmp_path):
    text = fit.summary().as_text()
    for head in ("Pooled R² of the structural variables", "Pooled ACSI impacts on CS", "Pooled construct reliability"):
        assert head in text
    fit.save(tmp_path)
    for stem in ("effects", "impacts", "rsquare", "reliability", "htmt", "pooled_impacts", "pooled_effects"):
        assert (tmp_path / f"{stem}.csv").exists(), stem
    back = acsi.load_results(tmp_path)
    pd.testing.assert_frame_equal(back.impacts, fit.impacts, check_dtype=False)
    pd.testing.assert_frame_equal(back.pooled_table("impacts"), fit.pooled_table("impacts"), check_dtype=False)
    assert "Pooled ACSI impacts on CS" in back.summary().as_text()


def test_defined_parameters_reach_the_summary():
    case = load_case("syntax_defined_effects")
    f = acsi.fit(case.data, case.model_text, unit=None)
    est = f.pooled_table("estimates")
    d = est[est["op"] == ":="].set_index("lhs")
    ref = case.estimates[case.estimates["op"] == ":="].set_index("lhs")
    np.testing.assert_allclose(d.loc[ref.index, "se"], ref["se"], atol=case.tol["se_atol"])
    assert "Pooled defined parameters" in f.summary().as_text() and "total_pq_cl" in f.summary().as_text()
