"""Multigroup CB-SEM tests against lavaan 0.6-14 (tests/reference/mg_invariance, mg_exact):
``lavTestLRT`` between the invariance levels, ``lavTestScore`` (univariate, total and
cumulative), ``lavTestWald`` and the LRT of one path, latent means with delta-method SEs.

Two kinds of check, as tests/estimate/test_ml_reference.py:

* at lavaan's own estimates (θ_lavaan from its ``partable.csv``): every formula gives lavaan's
  statistic to 1e-6 relative (the Wald test, the score tests, the latent means and SEs);
* at acsi's optimum: the README's tolerances (statistics 1e-6 relative where they are
  stationary at the optimum — χ² and its differences —, estimates, SEs and latent means abs 1e-4;
  lavaan stops about 1e-5 short of the optimum, which moves the Wald statistic by 1e-5
  relative, so it is compared at abs 1e-4 there).
"""

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.estimate import multigroup as mg
from acsi.estimate.ml import result_from_theta
from acsi.estimate.mlfast import expected_information
from reference.cases import load_case

LEVELS = {"": ("configural", ()), "metric": ("metric", ("loadings",)), "scalar": ("scalar", ("loadings", "intercepts")),
          "strict": ("strict", ("loadings", "intercepts", "residuals"))}


def _spec(case):
    return acsi.parse_lavaan(case.model_text, name="reference", scale=(-1e9, 1e9), headline="CS")


@pytest.fixture(scope="module")
def inv():
    c = load_case("mg_invariance")
    spec = _spec(c)
    conf = mg.fit_groups(spec, c.data, "segment", name="configural")
    fits = {"configural": conf}
    prev = conf
    for variant in ("metric", "scalar", "strict"):
        name, ge = LEVELS[variant]
        prev = fits[name] = mg.refit(prev, group_equal=ge, name=name)
    fits["partial_scalar"] = mg.refit(fits["metric"], group_equal=("loadings", "intercepts"),
                                      group_partial=("pv2 ~1",), name="partial_scalar")
    return c, spec, fits


def _at_lavaan(fit: mg.MultigroupFit, variant: str, folder: str = "mg_invariance") -> mg.MultigroupFit:
    """The same model assembled at lavaan's estimates (its partable.csv)."""
    c = load_case(f"{folder}/{variant}" if variant else folder)
    pt = c.partable
    theta = pt[pt["free"] > 0].sort_values("free")["est"].to_numpy(float)
    info = expected_information(fit.model, theta, fit.stats)
    res = result_from_theta(fit.model, fit.stats, theta, info=info, converged=True)
    return mg.MultigroupFit(name=fit.name, partable=fit.partable, model=fit.model, stats=fit.stats, result=res,
                            group=fit.group, group_equal=fit.group_equal, group_partial=fit.group_partial,
                            constraints=fit.constraints, spec=fit.spec)


def _lrt_matches(ours: pd.DataFrame, ref: pd.DataFrame):
    assert list(ours["model"]) == list(ref["model"])
    np.testing.assert_array_equal(ours["df"], ref["df"])
    for col in ("chisq", "aic", "bic"):
        np.testing.assert_allclose(ours[col], ref[col], rtol=1e-6)
    sel = ref["chisq_diff"].notna()
    assert ours.loc[~sel, "chisq_diff"].isna().all()
    np.testing.assert_allclose(ours.loc[sel, "chisq_diff"], ref.loc[sel, "chisq_diff"], rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(ours.loc[sel, "df_diff"], ref.loc[sel, "df_diff"])
    np.testing.assert_allclose(ours.loc[sel, "pvalue"], ref.loc[sel, "pvalue"], rtol=1e-5, atol=1e-12)


def _same_order_up_to_ties(st, ref_cum):
    """The cumulative order is lavaan's, except among constraints whose univariate statistics
    tie (the two intercepts of a two-item latent), which may come in either order."""
    uni = dict(zip(st.uni["constraint"], st.uni["x2"]))
    ours, ref = list(st.cumulative["constraint"]), list(ref_cum["constraint"])
    assert sorted(ours) == sorted(ref)
    for a, b in zip(ours, ref):
        assert a == b or np.isclose(uni[a], uni[b], rtol=1e-8), (a, b)


def test_groups_in_lavaans_order_and_levels_match_lavaan(inv):
    c, _spec_, fits = inv
    assert fits["configural"].groups == ("store", "online")  # first appearance, not sorted
    for variant, (name, _ge) in LEVELS.items():
        ref = load_case(f"mg_invariance/{variant}" if variant else "mg_invariance").fit_measures
        fm = fits[name].fit_measures
        for k in ("npar", "df", "ntotal"):
            assert fm[k] == ref[k], (name, k)
        for k in ("chisq", "cfi", "tli", "rmsea", "aic", "bic"):
            assert fm[k] == pytest.approx(ref[k], rel=1e-6), (name, k)
        assert fm["srmr"] == pytest.approx(ref["srmr"], rel=1e-5)


def test_lrt_between_levels_equals_lavTestLRT(inv):
    c, _s, fits = inv
    ours = mg.lrt([fits[k] for k in ("strict", "configural", "scalar", "metric")])  # any order: sorted by df
    _lrt_matches(ours, c.extra("lrt"))
    _lrt_matches(mg.lrt([fits["metric"], fits["partial_scalar"], fits["scalar"]]), c.extra("lrt_partial"))


def test_group_fit_adds_up_to_the_overall_fit(inv):
    _c, _s, fits = inv
    fit = fits["scalar"]
    gf = fit.group_fit
    assert list(gf["group_label"]) == ["store", "online"] and list(gf["n"]) == [400, 350]
    assert gf["chisq"].sum() == pytest.approx(fit.fit_measures["chisq"], rel=1e-12)
    # lavaan's SRMR is the n-weighted mean of the groups' (README: 0.031949)
    assert (gf["n"] * gf["srmr"]).sum() / gf["n"].sum() == pytest.approx(fit.fit_measures["srmr"], rel=1e-12)


@pytest.mark.parametrize("where", ["lavaan", "acsi"])
def test_score_tests_equal_lavTestScore(inv, where):
    c, _s, fits = inv
    fit = fits["scalar"] if where == "acsi" else _at_lavaan(fits["scalar"], "scalar")
    st = mg.score_tests(fit)
    ref_uni = load_case("mg_invariance/scalar").extra("score_uni")
    ref_tot = load_case("mg_invariance/scalar").extra("score_total")
    assert list(st.uni["constraint"]) == list(ref_uni["constraint"])
    assert list(st.uni["parameter"]) == [p.strip() for p in ref_uni["parameter"]]
    assert list(st.uni["kind"]) == list(ref_uni["kind"])
    np.testing.assert_array_equal(st.uni[["group_a", "group_b"]].to_numpy(), ref_uni[["group_a", "group_b"]].to_numpy())
    # lavaan's point formula to 1e-6 relative; at acsi's optimum the statistic moves with the
    # estimates (lavaan stops about 1e-5 short): abs 1e-4, as the estimates
    rtol, atol = (1e-6, 1e-9) if where == "lavaan" else (0, 1e-4)
    np.testing.assert_allclose(st.uni["x2"], ref_uni["x2"], rtol=rtol, atol=atol)
    np.testing.assert_allclose(st.uni["pvalue"], ref_uni["pvalue"], rtol=1e-5, atol=1e-5)
    assert st.total["df"].iloc[0] == ref_tot["df"].iloc[0] == 24
    assert st.total["x2"].iloc[0] == pytest.approx(ref_tot["x2"].iloc[0], rel=rtol, abs=atol)


@pytest.fixture(scope="module")
def three():
    c = load_case("mg_three_groups")
    spec = _spec(c)
    conf = mg.fit_groups(spec, c.data, "region", name="configural")
    metric = mg.refit(conf, group_equal=("loadings",), name="metric")
    scalar = mg.refit(metric, group_equal=("loadings", "intercepts"), name="scalar")
    partial = mg.refit(metric, group_equal=("loadings", "intercepts"), group_partial=("cs3 ~1",), name="partial_scalar")
    return c, {"configural": conf, "metric": metric, "scalar": scalar, "partial_scalar": partial}


def test_three_groups_lrt_score_wald_and_means(three):
    """G = 3: lavTestLRT, lavTestScore (univariate, total, cumulative, and releasing one
    intercept in every group: 2 df), lavTestWald of a path equal in three groups (2 df), latent
    means; tests/reference/mg_three_groups."""
    c, fits = three
    assert fits["configural"].groups == ("north", "south", "west")
    _lrt_matches(mg.lrt(list(fits[k] for k in ("configural", "metric", "scalar"))), c.extra("lrt"))
    _lrt_matches(mg.lrt([fits["metric"], fits["partial_scalar"], fits["scalar"]]), c.extra("lrt_partial"))
    sc = load_case("mg_three_groups/scalar")
    ref, cum = sc.extra("score_uni"), sc.extra("score_cumulative")
    rel = sc.extra("score_release_cs3")
    positions = [int(x) for x in rel["release"].iloc[0].split()]
    # at lavaan's estimates the formulas to 1e-6 relative; at acsi's optimum the statistics
    # move with lavaan's stopping error (1.3e-4 at most here)
    for fit, rtol, atol in ((_at_lavaan(fits["scalar"], "scalar", "mg_three_groups"), 1e-6, 1e-9),
                            (fits["scalar"], 0, 5e-4)):
        st = mg.score_tests(fit, cumulative=True)
        assert list(st.uni["constraint"]) == list(ref["constraint"]) and len(st.uni) == 48
        np.testing.assert_allclose(st.uni["x2"], ref["x2"], rtol=rtol, atol=atol)
        assert st.total["x2"].iloc[0] == pytest.approx(sc.extra("score_total")["x2"].iloc[0], rel=rtol, abs=atol)
        assert list(st.cumulative["df"]) == list(cum["df"])
        np.testing.assert_allclose(st.cumulative["x2"], cum["x2"], rtol=rtol, atol=atol)
        _same_order_up_to_ties(st, cum)
        one = mg.score_tests(fit, release=positions, cumulative=False)
        assert one.total["df"].iloc[0] == 2
        assert one.total["x2"].iloc[0] == pytest.approx(rel["x2"].iloc[0], rel=rtol, abs=atol)
    pdiff = mg.path_difference(fits["metric"], "CS ~ PQ")
    w = load_case("mg_three_groups/metric").extra("wald")
    assert pdiff["wald"]["df"] == 2
    assert pdiff["wald"]["stat"] == pytest.approx(w["stat"].iloc[0], abs=1e-4)
    at = mg.wald(_at_lavaan(fits["metric"], "metric", "mg_three_groups"), ["c1 == c2", "c1 == c3"])
    assert at["stat"].iloc[0] == pytest.approx(w["stat"].iloc[0], rel=1e-6)
    for variant in ("scalar", "partial_scalar"):
        lm = mg.latent_means(fits[variant])
        ref_lm = load_case(f"mg_three_groups/{variant}").extra("latent_means")
        np.testing.assert_allclose(lm["mean"], ref_lm["mean"], atol=1e-4)
        np.testing.assert_allclose(lm["se"], ref_lm["se"], atol=1e-4)


def test_cumulative_score_tests_with_a_singular_information(inv):
    """mg_invariance's scalar model: releasing both PV intercepts (cumulative row 2) leaves PV's
    group-2 mean and intercepts unidentified (singular information); lavaan 0.6-14's MASS::ginv
    gives 37.535 on 2 df (printed by lavTestScore(scalar, cumulative = TRUE)), as here."""
    _c, _s, fits = inv
    cum = mg.score_tests(fits["scalar"], cumulative=True).cumulative
    assert list(cum["df"]) == list(range(1, 25))
    assert set(cum["parameter"][:2]) == {"pv1 ~1", "pv2 ~1"}
    np.testing.assert_allclose(cum["x2"][:3], [37.535, 37.535, 41.666], atol=1e-3)


def test_wald_and_lrt_of_one_path(inv):
    c, _s, fits = inv
    ref_w = load_case("mg_invariance/metric").extra("wald")
    at = mg.wald(_at_lavaan(fits["metric"], "metric"), "b1 == b2")
    assert at["stat"].iloc[0] == pytest.approx(ref_w["stat"].iloc[0], rel=1e-6)
    ours = mg.path_difference(fits["metric"], "CS ~ PV")
    assert ours["wald"]["stat"] == pytest.approx(ref_w["stat"].iloc[0], abs=1e-4)
    assert ours["wald"]["df"] == 1 and ours["wald"]["pvalue"] == pytest.approx(ref_w["pvalue"].iloc[0], abs=1e-5)
    ref_l = c.extra("lrt_path")
    assert ours["lrt"]["chisq_diff"] == pytest.approx(ref_l["chisq_diff"].iloc[1], rel=1e-6)
    assert ours["lrt"]["df_diff"] == 1
    assert ours["lrt"]["pvalue"] == pytest.approx(ref_l["pvalue"].iloc[1], abs=1e-6)
    ref_fit = load_case("mg_invariance/metric_equal_path").fit_measures
    assert ours["fit_equal"].fit_measures["chisq"] == pytest.approx(ref_fit["chisq"], rel=1e-6)
    e = ours["estimates"]
    assert list(e["group"]) == ["store", "online"]
    est = load_case("mg_invariance/metric").parameters
    ref_b = est[(est["lhs"] == "CS") & (est["op"] == "~") & (est["rhs"] == "PV")]
    np.testing.assert_allclose(e["est"], ref_b["est"], atol=1e-4)
    np.testing.assert_allclose(e["se"], ref_b["se"], atol=1e-4)


@pytest.mark.parametrize("variant", ["scalar", "partial_scalar"])
@pytest.mark.parametrize("where", ["lavaan", "acsi"])
def test_latent_means_equal_lavaans(inv, variant, where):
    _c, _s, fits = inv
    fit = fits[variant] if where == "acsi" else _at_lavaan(fits[variant], variant)
    ref = load_case(f"mg_invariance/{variant}").extra("latent_means")
    lm = mg.latent_means(fit)
    assert list(lm["group_label"]) == list(ref["group_label"]) and list(lm["latent"]) == list(ref["latent"])
    # R's central differences are accurate to about 1e-8; at acsi's optimum the README's 1e-4
    atol = 1e-7 if where == "lavaan" else 1e-4
    np.testing.assert_allclose(lm["mean"], ref["mean"], atol=atol)
    np.testing.assert_allclose(lm["se"], ref["se"], atol=atol)
    d = mg.latent_mean_differences(fit)
    g2 = ref[ref["group"] == 2]
    np.testing.assert_allclose(d["difference"], g2["mean"], atol=atol)  # group 1's means are 0
    np.testing.assert_allclose(d["se"], g2["se"], atol=atol)


def test_exact_moments_every_statistic_is_zero():
    c = load_case("mg_exact")
    spec = _spec(c)
    fits = [mg.fit_groups(spec, c.data, "year", name="configural")]
    for name, ge in [("metric", ("loadings",)), ("scalar", ("loadings", "intercepts")),
                     ("strict", ("loadings", "intercepts", "residuals")),
                     ("all_equal", ("loadings", "intercepts", "residuals", "regressions", "lv.variances", "means"))]:
        fits.append(mg.refit(fits[-1], group_equal=ge, name=name))
    assert fits[0].groups == ("2024", "2025")
    t = mg.lrt(fits)
    ref = c.extra("lrt")
    assert list(t["df"]) == list(ref["df"])
    assert t["chisq"].abs().max() < 1e-8 and t["chisq_diff"].abs().max() < 1e-8
    assert (t["pvalue"].dropna() > 1 - 1e-9).all()
    st = mg.score_tests(fits[2])
    assert st.total["x2"].iloc[0] < 1e-8 and st.uni["x2"].abs().max() < 1e-8 and st.cumulative["x2"].abs().max() < 1e-8
    assert abs(mg.wald(fits[1], "b1 == b2")["stat"].iloc[0]) < 1e-10
    d = mg.latent_mean_differences(fits[2])
    assert d["difference"].abs().max() < 1e-10
    ref_lm = load_case("mg_exact/scalar").extra("latent_means")
    np.testing.assert_allclose(d["se"], ref_lm.loc[ref_lm["group"] == 2, "se"], atol=1e-4)
    truth = c.truth
    for f in fits:
        est = f.result.estimates
        m = truth.merge(est, on=["group", "lhs", "op", "rhs"], how="left")
        np.testing.assert_allclose(m["est"], m["value"], atol=1e-8)


def test_add_constraints_and_refit_keep_the_table():
    c = load_case("mg_invariance")
    spec = _spec(c)
    pt = spec.partable(groups=["store", "online"])
    aug = mg.add_constraints(pt, ["b1 == b2"])
    assert len(aug) == len(pt) + 1 and aug.npar == pt.npar
    last = aug.to_frame().iloc[-1]
    assert (last["lhs"], last["op"], last["rhs"], last["user"], last["rule"]) == ("b1", "==", "b2", 1, "constraint")
    with pytest.raises(acsi.errors.InvalidParameterError, match="equalities like 'b1 == b2'"):
        mg.add_constraints(pt, ["b1 := b2"])
