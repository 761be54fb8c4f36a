"""Intervals of the metrics against R (prop.test, t.test, survey 4.1): tests/reference/methods_toolkit.

Tolerances: 1e-10 absolute on proportions and means (closed forms), 1e-9 on SEs of
nonlinear functions (delta method; R differentiates symbolically, acsi analytically).
"""
import numpy as np
import pandas as pd
import pytest
from toolkit_reference import ref, smoke, sq_data, survey  # noqa: F401  (fixtures)

from acsi.methods import (ces, csat, describe_items, nps, overall_csi_from_answers, repurchase_rate,
                          satisfaction_rate, servperf, servqual, servqual_zones, survey_table_score)

TOL = 1e-10
PTS = {5: 100, 4: 80, 3: 60, 2: 40, 1: 20}


def test_csat_wilson_unweighted_and_weighted(ref, survey):
    r = csat(survey["csat5"])
    assert r["csat"] == pytest.approx(100 * ref.get("csat", "unweighted.estimate"), abs=TOL)
    np.testing.assert_allclose(r[["ci_lower", "ci_upper"]], 100 * ref.get("csat", "unweighted.ci"), atol=TOL)
    w = csat(survey["csat5"], weights=survey["weight"])
    assert w["csat"] == pytest.approx(100 * ref.get("csat", "weighted.estimate"), abs=TOL)
    assert w["n_eff"] == pytest.approx(ref.get("csat", "neff"), abs=1e-9)
    np.testing.assert_allclose(w[["ci_lower", "ci_upper"]], 100 * ref.get("csat", "weighted.ci"), atol=TOL)


def test_repurchase_and_satisfaction_rate_wilson(ref, survey):
    r = repurchase_rate(survey["repurchased"])
    np.testing.assert_allclose(r[["ci_lower", "ci_upper"]], 100 * ref.get("repurchase", "unweighted.ci"), atol=TOL)
    s = satisfaction_rate(45, 60, confidence=0.95)
    np.testing.assert_allclose(s[["ci_lower", "ci_upper"]], 100 * ref.get("repurchase", "counts_45_60.ci"), atol=TOL)
    np.testing.assert_allclose(repurchase_rate(45, 60)[["ci_lower", "ci_upper"]], s[["ci_lower", "ci_upper"]], atol=TOL)


def test_nps_multinomial_interval(ref, survey):
    r = nps(survey["recommend"])
    assert r["nps"] == pytest.approx(ref.get("nps", "unweighted.estimate"), abs=TOL)
    assert r["se"] == pytest.approx(ref.get("nps", "unweighted.se"), abs=TOL)
    np.testing.assert_allclose(r[["ci_lower", "ci_upper"]], ref.get("nps", "unweighted.ci"), atol=TOL)
    w = nps(survey["recommend"], weights=survey["weight"])
    assert w["nps"] == pytest.approx(ref.get("nps", "weighted.estimate"), abs=TOL)
    assert w["se"] == pytest.approx(ref.get("nps", "weighted.se"), abs=TOL)
    np.testing.assert_allclose(w[["ci_lower", "ci_upper"]], ref.get("nps", "weighted.ci"), atol=TOL)


def test_ces_t_and_linearised_intervals(ref, survey):
    r = ces(survey["effort"])
    np.testing.assert_allclose(r[["ci_lower", "ci_upper"]], ref.get("ces", "unweighted.ci"), atol=TOL)
    w = ces(survey["effort"], weights=survey["weight"])
    assert w["ces"] == pytest.approx(ref.get("ces", "weighted.estimate"), abs=TOL)
    assert w["se"] == pytest.approx(ref.get("ces", "weighted.se"), abs=TOL)
    assert w["sd"] == pytest.approx(ref.get("ces", "weighted.sd"), abs=TOL)
    np.testing.assert_allclose(w[["ci_lower", "ci_upper"]], ref.get("ces", "weighted.ci"), atol=TOL)


def test_survey_table_score_intervals(ref, survey):
    ans = survey[["sat_price"]]
    counts = survey_table_score(answers=ans)
    np.testing.assert_allclose(counts.loc["sat_price", ["ci_lower", "ci_upper"]], ref.get("survey_table", "unweighted.ci"), atol=TOL)
    vc = survey["sat_price"].value_counts()
    from_counts = survey_table_score(pd.Series([vc.get(c, 0) for c in (5, 4, 3, 2, 1)], name="sat_price"))
    np.testing.assert_allclose(from_counts.loc["sat_price", ["ci_lower", "ci_upper"]], ref.get("survey_table", "unweighted.ci"), atol=TOL)
    w = survey_table_score(answers=ans, weights=survey["weight"])
    assert w.loc["sat_price", "score"] == pytest.approx(ref.get("survey_table", "weighted.estimate"), abs=TOL)
    np.testing.assert_allclose(w.loc["sat_price", ["ci_lower", "ci_upper"]], ref.get("survey_table", "weighted.ci"), atol=TOL)
    shares = survey_table_score(pd.Series([0.2, 0.3, 0.3, 0.1, 0.1], name="x"))
    assert np.isnan(shares.loc["x", "se"])  # shares carry no sample size


@pytest.mark.parametrize("weighted", [False, True])
def test_overall_csi_delta_method(ref, survey, weighted):
    imp = survey[["imp_price", "imp_speed", "imp_staff"]].set_axis(["price", "speed", "staff"], axis=1)
    sat = survey[["sat_price", "sat_speed", "sat_staff"]].set_axis(["price", "speed", "staff"], axis=1)
    res = overall_csi_from_answers(imp, sat, PTS, PTS, survey_weights=survey["weight"] if weighted else None)
    key = "weighted" if weighted else "unweighted"
    assert res.csi == pytest.approx(ref.get("overall_csi", f"{key}.estimate"), abs=TOL)
    assert res.se == pytest.approx(ref.get("overall_csi", f"{key}.se"), abs=1e-9)
    np.testing.assert_allclose([res.ci_lower, res.ci_upper], ref.get("overall_csi", f"{key}.ci"), atol=1e-9)
    assert res.table["contribution"].sum() == pytest.approx(res.csi, abs=1e-12)


def test_describe_items_weighted(ref, survey):
    t = describe_items(survey, ["price", "overall"], weights="weight").set_index("item")
    for it in ("price", "overall"):
        assert t.loc[it, "mean"] == pytest.approx(ref.get("describe", f"{it}.mean"), abs=TOL)
        assert t.loc[it, "sd"] == pytest.approx(ref.get("describe", f"{it}.sd"), abs=TOL)
        q1, med, q3 = ref.get("describe", f"{it}.quartiles")
        assert t.loc[it, "median"] == med and t.loc[it, "iqr"] == q3 - q1
        np.testing.assert_allclose(t.loc[it, ["ci_lower", "ci_upper"]].astype(float), ref.get("describe", f"{it}.ci"), atol=TOL)
    # equal weights reproduce the unweighted mean, sd and interval
    eq = describe_items(survey, ["price"], weights=np.ones(len(survey))).iloc[0]
    un = describe_items(survey, ["price"]).iloc[0]
    for c in ("mean", "sd", "ci_lower", "ci_upper", "mode", "median"):
        assert eq[c] == pytest.approx(un[c], abs=1e-12), c
    by = describe_items(survey, ["price"], by="region", weights="weight")
    assert "weight" not in set(by["item"]) and len(by) == 4


def _sq(sq_data, prefix):
    return sq_data[[f"{prefix}_s{i}" for i in range(1, 7)]].set_axis([f"s{i}" for i in range(1, 7)], axis=1)


DIMS = {"x": ["s1", "s2", "s3"], "y": ["s4", "s5", "s6"]}


@pytest.mark.parametrize("weighted", [False, True])
def test_servqual_intervals(ref, sq_data, weighted):
    key = "weighted" if weighted else "unweighted"
    res = servqual(_sq(sq_data, "p"), _sq(sq_data, "e"), DIMS, {"x": 0.4, "y": 0.6},
                   survey_weights=sq_data["weight"] if weighted else None)
    np.testing.assert_allclose(res.items["gap"], ref.get("servqual", f"{key}.item_gap"), atol=TOL)
    np.testing.assert_allclose(res.items["se"], ref.get("servqual", f"{key}.item_gap_se"), atol=TOL)
    x, y, unw, wtd = ref.get("servqual", f"{key}.contrasts")
    sx, sy, sunw, swtd = ref.get("servqual", f"{key}.contrasts_se")
    np.testing.assert_allclose(res.dimensions["gap"], [x, y], atol=TOL)
    np.testing.assert_allclose(res.dimensions["se"], [sx, sy], atol=TOL)
    np.testing.assert_allclose(res.dimensions["ci_lower"], ref.get("servqual", f"{key}.contrasts_lower")[:2], atol=TOL)
    iv = res.intervals
    assert iv.loc["unweighted_sq", "estimate"] == pytest.approx(unw, abs=TOL)
    assert iv.loc["unweighted_sq", "se"] == pytest.approx(sunw, abs=TOL)
    assert iv.loc["weighted_sq", "estimate"] == pytest.approx(wtd, abs=TOL)
    assert iv.loc["weighted_sq", "se"] == pytest.approx(swtd, abs=TOL)
    assert iv.loc["ratio", "estimate"] == pytest.approx(ref.get("servqual", f"{key}.ratio"), abs=TOL)
    assert iv.loc["ratio", "se"] == pytest.approx(ref.get("servqual", f"{key}.ratio_se"), abs=1e-9)
    assert res.overall["weighted_sq"] == pytest.approx(wtd, abs=TOL)
    assert "SERVQUAL" in str(res.summary())


@pytest.mark.parametrize("weighted", [False, True])
def test_zone_of_tolerance(ref, sq_data, weighted):
    key = "weighted" if weighted else "unweighted"
    res = servqual_zones(_sq(sq_data, "p"), _sq(sq_data, "d"), _sq(sq_data, "a"), DIMS,
                         survey_weights=sq_data["weight"] if weighted else None)
    np.testing.assert_allclose(res.items["msa"], ref.get("zones", f"{key}.msa"), atol=TOL)
    np.testing.assert_allclose(res.items["msa_se"], ref.get("zones", f"{key}.msa_se"), atol=TOL)
    np.testing.assert_allclose(res.items["mss"], ref.get("zones", f"{key}.mss"), atol=TOL)
    np.testing.assert_allclose(res.items["mss_se"], ref.get("zones", f"{key}.mss_se"), atol=TOL)
    np.testing.assert_allclose(res.dimensions["msa"], ref.get("zones", f"{key}.dim_msa"), atol=TOL)
    np.testing.assert_allclose(res.dimensions["msa_se"], ref.get("zones", f"{key}.dim_msa_se"), atol=TOL)
    it = res.items
    assert ((it["position"] == "below") == (it["msa"] < 0)).all()
    assert ((it["position"] == "above") == (it["mss"] > 0)).all()
    assert np.allclose(it["tolerance"], it["desired"] - it["adequate"])


@pytest.mark.parametrize("weighted", [False, True])
def test_servperf(ref, sq_data, weighted):
    key = "weighted" if weighted else "unweighted"
    res = servperf(_sq(sq_data, "p"), DIMS, {"x": 0.4, "y": 0.6}, survey_weights=sq_data["weight"] if weighted else None)
    np.testing.assert_allclose(res.items["perception"], ref.get("servperf", f"{key}.items"), atol=TOL)
    np.testing.assert_allclose(res.items["se"], ref.get("servperf", f"{key}.items_se"), atol=TOL)
    x, y, unw, wtd = ref.get("servperf", f"{key}.contrasts")
    sx, sy, sunw, swtd = ref.get("servperf", f"{key}.contrasts_se")
    np.testing.assert_allclose(res.dimensions["perception"], [x, y], atol=TOL)
    np.testing.assert_allclose(res.dimensions["se"], [sx, sy], atol=TOL)
    np.testing.assert_allclose(res.overall["estimate"], [unw, wtd], atol=TOL)
    np.testing.assert_allclose(res.overall["se"], [sunw, swtd], atol=TOL)
