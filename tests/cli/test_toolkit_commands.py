"""Every toolkit command end to end: the numbers it writes equal R's (tests/reference/methods_toolkit and
methods_kcsi, computed independently of acsi) or a hand computation, its figure is written, its folder
reads back.  The commands run in-process through ``acsi.cli.main``; files are read back from ``--out``."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _toolkit_cases import KCSI, SERVQUAL, SURVEY, customers_table

from acsi.cli import EXIT_OK, main

REF = Path(__file__).resolve().parents[1] / "reference"
TOL = 1e-10
ATTRS = "price,speed,staff,clean,choice,comfort"


def _expected(case: str) -> dict:
    t = pd.read_csv(REF / case / "expected.csv")
    return {(a, n): float(v) for a, n, v in zip(t["analysis"], t["name"], t["value"])}


@pytest.fixture(scope="module")
def ref():
    """R's numbers: ``ref[analysis, name]`` or ``ref[analysis, name, k]`` for the vector ``name.1..name.k``."""
    d = _expected("methods_toolkit")

    class R:
        def __getitem__(self, key):
            analysis, name, *k = key
            if k:
                return np.array([d[(analysis, f"{name}.{i}")] for i in range(1, k[0] + 1)])
            return d[(analysis, name)]

    return R()


def run(argv, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def table(folder: Path, stem: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{stem}.csv")


def ok(argv, capsys) -> str:
    code, out, err = run(argv, capsys)
    assert code == EXIT_OK, err
    return out


# --------------------------------------------------------------------------- metrics with intervals
def test_csat_weighted_and_by_stratum_equal_r(tmp_path, capsys, ref):
    out = tmp_path / "csat"
    ok(["metrics", "csat", SURVEY, "--columns", "csat5", "--weight", "weight", "--by", "region", "--out", out], capsys)
    t = table(out, "csat")
    everyone = t[t["region"].isna()].iloc[0]
    assert everyone["csat"] == pytest.approx(100 * ref["csat", "weighted.estimate"], abs=TOL)
    assert everyone["n_eff"] == pytest.approx(ref["csat", "neff"], abs=1e-9)
    np.testing.assert_allclose(everyone[["ci_lower", "ci_upper"]].astype(float), 100 * ref["csat", "weighted.ci", 2],
                               atol=TOL)
    # each stratum is the metric of its own respondents (Wilson with Kish's n_eff: the formula R's reference uses)
    from acsi.methods import csat

    d = pd.read_csv(SURVEY)
    for region, part in d.groupby("region"):
        row = t[t["region"] == region].iloc[0]
        want = csat(part["csat5"], weights=part["weight"])
        np.testing.assert_allclose(row[["csat", "ci_lower", "ci_upper"]].astype(float),
                                   want[["csat", "ci_lower", "ci_upper"]].astype(float), atol=1e-12)
    assert (t["confidence"] == 0.95).all() and (out / "csat.png").stat().st_size > 5000
    assert {"csat.csv", "csat.parquet", "csat.png", "csat_manifest.json"} <= {p.name for p in out.iterdir()}


def test_nps_ces_survey_score_weighted_equal_r(tmp_path, capsys, ref):
    ok(["metrics", "nps", SURVEY, "--column", "recommend", "--weight", "weight", "--out", tmp_path / "n"], capsys)
    n = table(tmp_path / "n", "nps").iloc[0]
    assert n["nps"] == pytest.approx(ref["nps", "weighted.estimate"], abs=TOL)
    assert n["se"] == pytest.approx(ref["nps", "weighted.se"], abs=TOL)
    np.testing.assert_allclose(n[["ci_lower", "ci_upper"]].astype(float), ref["nps", "weighted.ci", 2], atol=TOL)
    ok(["metrics", "ces", SURVEY, "--columns", "effort", "--weight", "weight", "--out", tmp_path / "c"], capsys)
    c = table(tmp_path / "c", "ces").iloc[0]
    assert (c["ces"], c["se"], c["sd"]) == pytest.approx(
        (ref["ces", "weighted.estimate"], ref["ces", "weighted.se"], ref["ces", "weighted.sd"]), abs=TOL)
    np.testing.assert_allclose(c[["ci_lower", "ci_upper"]].astype(float), ref["ces", "weighted.ci", 2], atol=TOL)
    ok(["metrics", "survey-score", SURVEY, "--items", "sat_price", "--weight", "weight", "--out", tmp_path / "s"], capsys)
    s = table(tmp_path / "s", "survey_score").iloc[0]
    assert s["score"] == pytest.approx(ref["survey_table", "weighted.estimate"], abs=TOL)
    np.testing.assert_allclose(s[["ci_lower", "ci_upper"]].astype(float), ref["survey_table", "weighted.ci", 2], atol=TOL)
    # unweighted at 95%: the t interval of R's t.test
    ok(["metrics", "survey-score", SURVEY, "--items", "sat_price", "--out", tmp_path / "u"], capsys)
    u = table(tmp_path / "u", "survey_score").iloc[0]
    np.testing.assert_allclose(u[["ci_lower", "ci_upper"]].astype(float), ref["survey_table", "unweighted.ci", 2],
                               atol=TOL)


def test_survey_score_from_a_count_table(tmp_path, capsys):
    counts = tmp_path / "counts.csv"
    pd.DataFrame({"item": ["speed", "price"], "vs": [10, 4], "s": [20, 6], "n": [10, 5], "d": [5, 3],
                  "vd": [5, 2]}).to_csv(counts, index=False)
    ok(["metrics", "survey-score", counts, "--counts", "--out", tmp_path / "o"], capsys)
    t = table(tmp_path / "o", "survey_score").set_index("item")
    assert t.loc["speed", "score"] == pytest.approx((10 * 100 + 20 * 80 + 10 * 60 + 5 * 40 + 5 * 20) / 50)
    ok(["metrics", "survey-score", counts, "--counts", "--lowest", "0", "--out", tmp_path / "z"], capsys)
    assert table(tmp_path / "z", "survey_score").set_index("item").loc["speed", "score"] == pytest.approx(
        (10 * 100 + 20 * 80 + 10 * 60 + 5 * 40) / 50)


def test_overall_csi_and_kcsi_equal_r(tmp_path, capsys, ref):
    ok(["metrics", "overall-csi", SURVEY, "--importance", "imp_price,imp_speed,imp_staff", "--satisfaction",
        "sat_price,sat_speed,sat_staff", "--weight", "weight", "--out", tmp_path / "o"], capsys)
    o = table(tmp_path / "o", "overall_csi").iloc[0]
    assert o["csi"] == pytest.approx(ref["overall_csi", "weighted.estimate"], abs=TOL)
    assert o["se"] == pytest.approx(ref["overall_csi", "weighted.se"], abs=1e-9)
    np.testing.assert_allclose(o[["ci_lower", "ci_upper"]].astype(float), ref["overall_csi", "weighted.ci", 2], atol=1e-9)
    assert o["index"] == pytest.approx(100 * o["csi"])
    k = dict(zip(*[pd.read_csv(REF / "methods_kcsi" / "expected.csv")[c] for c in ("name", "value")]))
    ok(["metrics", "kcsi", KCSI, "--overall", "overall", "--attributes", "product,service,image", "--repurchase",
        "repurchase", "--weights", "0.4,0.4,0.2", "--attribute-weights", "3,2,1", "--weight", "weight",
        "--out", tmp_path / "k"], capsys)
    got = table(tmp_path / "k", "kcsi").iloc[0]
    assert got["kcsi"] == pytest.approx(k["weighted.kmac2002.estimate"], abs=TOL)
    assert got["se"] == pytest.approx(k["weighted.kmac2002.se"], abs=TOL)
    np.testing.assert_allclose(got[["ci_lower", "ci_upper"]].astype(float),
                               [k["weighted.kmac2002.ci.1"], k["weighted.kmac2002.ci.2"]], atol=TOL)
    shares = table(tmp_path / "k", "kcsi_questions")["top_box"].to_numpy()
    np.testing.assert_allclose(shares, [k[f"weighted.shares.{i}"] for i in range(1, 6)], atol=TOL)


def test_rates_satisfaction_rate_and_benchmarks(tmp_path, capsys, ref):
    ok(["customers", "repurchase", SURVEY, "--column", "repurchased", "--out", tmp_path / "r"], capsys)
    r = table(tmp_path / "r", "repurchase").iloc[0]
    np.testing.assert_allclose(r[["ci_lower", "ci_upper"]].astype(float), 100 * ref["repurchase", "unweighted.ci", 2],
                               atol=TOL)
    ok(["metrics", "satisfaction-rate", "--satisfied", "45", "--targeted", "60", "--out", tmp_path / "s"], capsys)
    s = table(tmp_path / "s", "satisfaction_rate").iloc[0]
    np.testing.assert_allclose(s[["ci_lower", "ci_upper"]].astype(float), 100 * ref["repurchase", "counts_45_60.ci", 2],
                               atol=TOL)
    ok(["customers", "churn", "--count", "45", "--total", "60", "--out", tmp_path / "c"], capsys)
    np.testing.assert_allclose(table(tmp_path / "c", "churn").iloc[0][["ci_lower", "ci_upper"]].astype(float),
                               s[["ci_lower", "ci_upper"]].astype(float), atol=1e-12)
    # benchmarks: an interval across the threshold is undecided; a column is computed with its interval
    ok(["metrics", "benchmarks", "--nps", "12,-3,27", "--churn", "3.2", "--csi", "72", "--threshold", "csi=75",
        "--out", tmp_path / "b"], capsys)
    b = table(tmp_path / "b", "benchmarks").set_index("metric")
    assert b.loc["nps", "verdict"] == "undecided" and b.loc["churn", "verdict"] == "met"
    assert b.loc["csi", "verdict"] == "missed" and b.loc["csi", "threshold"] == 75
    assert (b["source"] == "given").all() and b["confidence"].isna().all()
    ok(["metrics", "benchmarks", SURVEY, "--nps", "recommend", "--repurchase", "repurchased", "--out", tmp_path / "b2"],
       capsys)
    b2 = table(tmp_path / "b2", "benchmarks").set_index("metric")
    assert b2.loc["repurchase", "ci_lower"] == pytest.approx(100 * ref["repurchase", "unweighted.ci", 2][0], abs=TOL)
    assert b2.loc["repurchase", "verdict"] == "met"  # 51.3% .. 62.5% is above 50% throughout
    assert b2.loc["nps", "source"] == "column 'recommend'"


# --------------------------------------------------------------------------- customer metrics
def test_clv_value_classes_pareto_by_hand(tmp_path, capsys):
    out = ok(["customers", "clv", "--margin", "100", "--retention", "0.8", "--discount", "0.1"], capsys)
    assert "366.667" in out  # 100 * 1.1 / 0.3
    cust = tmp_path / "customers.csv"
    c = customers_table()
    c.to_csv(cust, index=False)
    ok(["customers", "clv", cust, "--margin", "margin", "--retention", "retention", "--discount", "0.1", "--periods", "2",
        "--id", "customer", "--out", tmp_path / "clv"], capsys)
    per = table(tmp_path / "clv", "clv_customers")
    q = c["retention"] / 1.1
    np.testing.assert_allclose(per["clv"], c["margin"] * (1 + q + q ** 2), rtol=1e-12)
    assert list(per["customer"]) == list(c["customer"])
    ok(["customers", "value", cust, "--benefits", "product,service", "--costs", "money,time", "--out", tmp_path / "v"],
       capsys)
    v = table(tmp_path / "v", "customer_value_customers")
    np.testing.assert_array_equal(v["value"], c["product"] + c["service"] - c["money"] - c["time"])
    ok(["customers", "classes", cust, "--revenue", "revenue", "--cost", "cost_to_serve", "--id", "customer",
        "--out", tmp_path / "k"], capsys)
    k = table(tmp_path / "k", "customer_classes_customers")
    hi_r, hi_c = c["revenue"] >= c["revenue"].median(), c["cost_to_serve"] >= c["cost_to_serve"].median()
    want = np.where(hi_r & ~hi_c, "A", np.where(hi_r, "B", np.where(~hi_c, "C", "D")))
    np.testing.assert_array_equal(k["class"], want)
    summary = table(tmp_path / "k", "customer_classes")
    assert summary["customers"].sum() == len(c) and summary["revenue_share"].sum() == pytest.approx(1.0)
    assert (tmp_path / "k" / "customer_classes.png").exists()
    ok(["customers", "pareto", cust, "--revenue", "revenue", "--share", "0.8", "--id", "customer", "--out",
        tmp_path / "p"], capsys)
    rank = c.sort_values("revenue", ascending=False, kind="stable")
    cum = rank["revenue"].cumsum() / rank["revenue"].sum()
    n_key = int(np.argmax(cum.to_numpy() >= 0.8)) + 1
    key = table(tmp_path / "p", "pareto_customers")
    assert list(key["customer"]) == list(rank["customer"][:n_key])
    assert (tmp_path / "p" / "pareto.png").exists()


# --------------------------------------------------------------------------- SERVQUAL, fuzzy, Kano, AHP, IPA, IPMA
DIMS = ["--dimension", "x=p_s1,p_s2,p_s3", "--dimension", "y=p_s4,p_s5,p_s6"]


def test_servqual_gaps_zones_servperf_equal_r(tmp_path, capsys, ref):
    ok(["servqual", "gaps", SERVQUAL, "--perception", "p_*", "--expectation", "e_*", *DIMS, "--dimension-weights",
        "x=0.4,y=0.6", "--weight", "weight", "--out", tmp_path / "g"], capsys)
    items = table(tmp_path / "g", "servqual_items")
    np.testing.assert_allclose(items["gap"], ref["servqual", "weighted.item_gap", 6], atol=TOL)
    np.testing.assert_allclose(items["se"], ref["servqual", "weighted.item_gap_se", 6], atol=TOL)
    dims = table(tmp_path / "g", "servqual_dimensions")
    contrasts = ref["servqual", "weighted.contrasts", 4]  # x, y, unweighted, weighted
    np.testing.assert_allclose(dims["gap"], contrasts[:2], atol=TOL)
    overall = table(tmp_path / "g", "servqual").set_index("quantity")
    assert overall.loc["weighted_sq", "estimate"] == pytest.approx(contrasts[3], abs=TOL)
    assert overall.loc["weighted_sq", "se"] == pytest.approx(ref["servqual", "weighted.contrasts_se", 4][3], abs=TOL)
    assert overall.loc["ratio", "se"] == pytest.approx(ref["servqual", "weighted.ratio_se"], abs=1e-9)
    assert (tmp_path / "g" / "servqual.png").exists()
    ok(["servqual", "zones", SERVQUAL, "--perception", "p_*", "--desired", "d_*", "--adequate", "a_*", *DIMS,
        "--out", tmp_path / "z"], capsys)
    z = table(tmp_path / "z", "servqual_zones_items")
    np.testing.assert_allclose(z["msa"], ref["zones", "unweighted.msa", 6], atol=TOL)
    np.testing.assert_allclose(z["mss_se"], ref["zones", "unweighted.mss_se", 6], atol=TOL)
    np.testing.assert_allclose(table(tmp_path / "z", "servqual_zones")["msa"], ref["zones", "unweighted.dim_msa", 2],
                               atol=TOL)
    ok(["servqual", "servperf", SERVQUAL, "--perception", "p_*", *DIMS, "--weight", "weight", "--out", tmp_path / "p"],
       capsys)
    np.testing.assert_allclose(table(tmp_path / "p", "servperf_items")["se"], ref["servperf", "weighted.items_se", 6],
                               atol=TOL)
    sp = table(tmp_path / "p", "servperf").set_index("quantity")
    assert sp.loc["unweighted", "estimate"] == pytest.approx(ref["servperf", "weighted.contrasts", 4][2], abs=TOL)


def test_fuzzy_two_levels_from_answers(tmp_path, capsys):
    # answers whose memberships are the doctest's R1 = [[0,.1,.3,.4,.2],[0,.2,.3,.3,.2]], R2 = [[.1,.1,.2,.4,.2]]
    def answers(counts):
        return [g for g, k in zip(range(1, 6), counts) for _ in range(k)]

    d = pd.DataFrame({"a": answers([0, 1, 3, 4, 2]), "b": answers([0, 2, 3, 3, 2]), "c": answers([1, 1, 2, 4, 2])})
    f = tmp_path / "fuzzy.csv"
    d.to_csv(f, index=False)
    ok(["fuzzy", f, "--factor", "U1=a,b", "--factor", "U2=c", "--factor-weights", "U1=0.6,U2=0.4", "--item-weights",
        "a=0.5,b=0.5,c=1", "--out", tmp_path / "o"], capsys)
    res = table(tmp_path / "o", "fuzzy").iloc[0]
    assert res["grade"] == "satisfied" and res["score"] == pytest.approx(71.2)
    b = table(tmp_path / "o", "fuzzy_grades")["membership"].to_numpy()
    np.testing.assert_allclose(b, 0.6 * np.array([0, .15, .3, .35, .2]) + 0.4 * np.array([.1, .1, .2, .4, .2]), atol=1e-12)
    # without weights: equal weights, said in the notes
    out = ok(["fuzzy", f, "--factor", "U1=a,b", "--factor", "U2=c"], capsys)
    assert "Equal weights where none were given: factors, items within each factor." in out


def test_kano_long_and_wide_agree_and_priority(tmp_path, capsys):
    long = pd.read_csv(REF / "methods_kano" / "answers.csv")
    ok(["kano", REF / "methods_kano" / "answers.csv", "--out", tmp_path / "long"], capsys)
    wide = long.assign(r=long.groupby("attribute").cumcount()).pivot(index="r", columns="attribute")
    w = pd.DataFrame({**{f"f_{a}": wide["functional"][a] for a in long["attribute"].unique()},
                      **{f"d_{a}": wide["dysfunctional"][a] for a in long["attribute"].unique()}})
    w.to_csv(tmp_path / "wide.csv", index=False)
    ok(["kano", tmp_path / "wide.csv", "--functional-items", "f_*", "--dysfunctional-items", "d_*", "--out",
        tmp_path / "wide"], capsys)
    a = table(tmp_path / "long", "kano").set_index("attribute")
    b = table(tmp_path / "wide", "kano").assign(attribute=lambda t: t["attribute"].str[2:]).set_index("attribute")
    pd.testing.assert_frame_equal(a.sort_index(), b.sort_index())
    prio = table(tmp_path / "long", "kano_priority")
    assert prio.iloc[0]["category"] == "M" and prio.iloc[0]["gbz19024"] == "dissatisfier"
    assert (tmp_path / "long" / "kano.png").exists()


def test_ahp_with_fractions_writes_its_tables(tmp_path, capsys):
    m = tmp_path / "m.csv"
    m.write_text(",a,b,c\na,1,3,5\nb,1/3,1,3\nc,1/5,1/3,1\n")
    ok(["ahp", m, "--out", tmp_path / "o"], capsys)
    w = table(tmp_path / "o", "ahp")
    A = np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    vals, vecs = np.linalg.eig(A)
    v = np.abs(np.real(vecs[:, np.argmax(np.real(vals))]))
    np.testing.assert_allclose(w["weight"], v / v.sum(), atol=1e-10)
    assert table(tmp_path / "o", "ahp_consistency").iloc[0]["lambda_max"] == pytest.approx(np.max(np.real(vals)))


def test_ipa_from_answers_and_ipma_from_a_results_folder(tmp_path, capsys, fitted_results):
    ok(["ipa", SURVEY, "--importance-items", "imp_*", "--performance-items", "sat_*", "--out", tmp_path / "i"], capsys)
    t = table(tmp_path / "i", "ipa")
    d = pd.read_csv(SURVEY)
    np.testing.assert_allclose(t["importance"], d[["imp_price", "imp_speed", "imp_staff"]].mean(), atol=1e-12)
    assert (t["importance_cut"] == t["importance"].mean()).all()
    # IPMA of the pooled fit: importance = total effect of each driver on CS from the saved estimates
    ok(["ipma", fitted_results, "--out", tmp_path / "m"], capsys)
    m = table(tmp_path / "m", "ipma").set_index("attribute")
    est = pd.read_csv(Path(fitted_results) / "pooled_estimates.csv")
    b = {(r.lhs, r.rhs): r.est for r in est[est["op"] == "~"].itertuples()}
    pq_pv = b[("PV", "PQ")]
    te = {"CE": b[("CS", "CE")] + b[("CS", "PQ")] * b[("PQ", "CE")] + b[("CS", "PV")] * (b[("PV", "CE")] + pq_pv * b[("PQ", "CE")]),
          "PQ": b[("CS", "PQ")] + b[("CS", "PV")] * pq_pv, "PV": b[("CS", "PV")]}
    for k, v in te.items():
        assert m.loc[k, "importance"] == pytest.approx(v, rel=1e-12)
    perf = pd.read_csv(Path(fitted_results) / "pooled_indexes.csv").set_index("latent")["index"]
    np.testing.assert_allclose(m["performance"], perf.loc[m.index], rtol=1e-12)
    ok(["ipma", fitted_results, "--unit", "company=A,period=2025Q1"], capsys)
    code, _, err = run(["ipma", fitted_results, "--unit", "company=Z"], capsys)
    assert code == 1 and "matches 0 units" in err


@pytest.fixture(scope="module")
def fitted_results(tmp_path_factory):
    import warnings

    import acsi
    from conftest import ACSI_LAVAAN, two_period_survey

    d = tmp_path_factory.mktemp("fit")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        acsi.fit(two_period_survey().query("company == 'A'"), acsi.parse_lavaan(ACSI_LAVAAN), unit="company").save(d)
    return d


# --------------------------------------------------------------------------- the data-processing list
def test_describe_weighted_and_stratified(tmp_path, capsys, ref):
    ok(["describe", SURVEY, "--items", "price,overall", "--by", "region", "--by", "region,channel", "--weight", "weight",
        "--out", tmp_path / "d"], capsys)
    t = table(tmp_path / "d", "describe").set_index("item")
    for it in ("price", "overall"):
        assert t.loc[it, "mean"] == pytest.approx(ref["describe", f"{it}.mean"], abs=TOL)
        assert t.loc[it, "sd"] == pytest.approx(ref["describe", f"{it}.sd"], abs=TOL)
        np.testing.assert_allclose(t.loc[it, ["ci_lower", "ci_upper"]].astype(float), ref["describe", f"{it}.ci", 2],
                                   atol=TOL)
        assert t.loc[it, "median"] == ref["describe", f"{it}.quartiles", 3][1]
    by = table(tmp_path / "d", "describe_by_region")
    assert sorted(by["region"].unique()) == ["east", "north", "south"] and len(by) == 6
    crossed = table(tmp_path / "d", "describe_by_region_channel")
    assert crossed.groupby(["region", "channel"]).ngroups == pd.read_csv(SURVEY).groupby(["region", "channel"]).ngroups


def test_describe_by_the_models_covariates(tmp_path, capsys):
    """The airline model's demographics (declared covariates) become the strata: one table each."""
    from acsi.spec import load_model

    spec = load_model("airline")
    rng = np.random.default_rng(3)
    n = 120
    d = pd.DataFrame({i: rng.integers(1, 11, n) for i in spec.item_ids})
    d["sex"] = rng.choice([1, 2], n)
    d["age"] = rng.choice([1, 2, 3], n)
    f = tmp_path / "airline.csv"
    d.to_csv(f, index=False)
    out = ok(["describe", f, "--model", "airline", "--by-covariates", "--out", tmp_path / "o"], capsys)
    assert "Covariates of the model not in the data (no table)" in out and "occupation" in out
    main_t = table(tmp_path / "o", "describe")
    assert list(main_t["item"]) == [i for i in spec.item_ids]  # the model's items, not the covariates
    by_sex = table(tmp_path / "o", "describe_by_sex")
    cs1 = by_sex[(by_sex["sex"] == 1) & (by_sex["item"] == "cs1")].iloc[0]
    assert cs1["mean"] == pytest.approx(d.loc[d["sex"] == 1, "cs1"].mean()) and cs1["n"] == (d["sex"] == 1).sum()
    assert (tmp_path / "o" / "describe_by_age.csv").exists()


def test_drivers_pca_efa_equal_r(tmp_path, capsys, ref):
    ok(["drivers", SURVEY, "--outcome", "overall", "--attributes", ATTRS, "--weight", "weight", "--out", tmp_path / "d"],
       capsys)
    coef = table(tmp_path / "d", "drivers_coefficients")
    np.testing.assert_allclose(coef["coef"], ref["drivers", "weighted.coef", 7], atol=TOL)
    np.testing.assert_allclose(coef["se"], ref["drivers", "weighted.se_hc3", 7], atol=TOL)
    imp = table(tmp_path / "d", "drivers")
    np.testing.assert_allclose(imp["relative_weight"], ref["drivers", "weighted.relative_weights", 6], atol=1e-12)
    np.testing.assert_allclose(imp["shapley"], ref["drivers", "weighted.shapley", 6], atol=1e-12)
    np.testing.assert_allclose(imp["vif"], ref["drivers", "weighted.vif", 6], atol=TOL)
    assert (tmp_path / "d" / "drivers.png").exists()
    ok(["pca", SURVEY, "--items", ATTRS, "--out", tmp_path / "p"], capsys)
    np.testing.assert_allclose(table(tmp_path / "p", "pca")["eigenvalue"], ref["pca", "eigenvalues", 6], rtol=1e-10)
    scores = table(tmp_path / "p", "pca_scores")
    assert len(scores) == ref["drivers", "n"] and scores["row"].iloc[0] == 1
    ok(["efa", SURVEY, "--items", ATTRS, "--factors", "2", "--out", tmp_path / "e"], capsys)
    com = table(tmp_path / "e", "efa_communalities")
    np.testing.assert_allclose(com["uniqueness"], ref["efa_ml", "uniquenesses", 6], atol=1e-6)
    fit = table(tmp_path / "e", "efa_fit").set_index("measure")["value"]
    assert fit["chi2"] == pytest.approx(ref["efa_ml", "statistic"], rel=1e-5)
    assert (tmp_path / "e" / "efa.png").exists()


def test_clusters_correspondence_correlation_equal_r(tmp_path, capsys, ref):
    ok(["cluster", "items", SURVEY, "--items", ATTRS, "--clusters", "2", "--out", tmp_path / "c"], capsys)
    merges = table(tmp_path / "c", "cluster_items_merges")
    np.testing.assert_allclose(np.sort(merges["height"]), np.sort(ref["cluster_items", "heights", 5]), atol=1e-12)
    groups = table(tmp_path / "c", "cluster_items")["cluster"].to_numpy()
    cut2 = ref["cluster_items", "cut2", 6]
    assert len({(a, b) for a, b in zip(groups, cut2)}) == 2  # the same partition
    assert (tmp_path / "c" / "cluster_items.png").exists()
    # k-means: the same seed, the same segments
    for k in ("r1", "r2"):
        ok(["cluster", "respondents", SURVEY, "--items", ATTRS, "--clusters", "3", "--seed", "4", "--n-init", "2",
            "--out", tmp_path / k], capsys)
    a, b = (table(tmp_path / k, "cluster_respondents_members") for k in ("r1", "r2"))
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == ref["drivers", "n"]
    ok(["correspondence", REF / "methods_toolkit" / "smoke.csv", "--table", "--out", tmp_path / "ca"], capsys)
    np.testing.assert_allclose(table(tmp_path / "ca", "correspondence")["singular_value"], ref["ca", "sv", 3], atol=1e-12)
    assert (tmp_path / "ca" / "correspondence.png").exists()
    ok(["correlation", SURVEY, "--items", "price,speed,choice,recommend", "--out", tmp_path / "r"], capsys)
    pairs = table(tmp_path / "r", "correlation")
    np.testing.assert_allclose(pairs["r"], ref["correlation", "pearson.estimate", 6], atol=1e-12)
    np.testing.assert_allclose(pairs["p_adjusted"], ref["correlation", "pearson.holm", 6], rtol=1e-8)
    np.testing.assert_allclose(pairs["ci_lower"], ref["correlation", "pearson.lower", 6], atol=1e-12)


# --------------------------------------------------------------------------- sampling
def test_sampling_commands(tmp_path, capsys):
    assert "385" in ok(["sampling", "size", "--margin", "0.05"], capsys)
    strata = tmp_path / "strata.csv"
    pd.DataFrame({"region": ["north", "south", "west"], "customers": [500, 300, 200], "sd": [10.0, 20.0, 5.0],
                  "n": [60, 40, 0]}).to_csv(strata, index=False)
    ok(["sampling", "allocate", strata, "--stratum", "region", "--size", "customers", "--n", "101", "--out",
        tmp_path / "a"], capsys)
    assert list(table(tmp_path / "a", "allocation")["n"]) == [51, 30, 20]
    two = tmp_path / "two.csv"
    pd.DataFrame({"h": ["a", "b"], "N": [600, 400], "S": [10, 20], "n": [60, 40]}).to_csv(two, index=False)
    ok(["sampling", "margin", two, "--stratum", "h", "--size", "N", "--sd", "S", "--n-column", "n", "--out",
        tmp_path / "m"], capsys)
    assert table(tmp_path / "m", "stratified_margin").iloc[0]["se"] == pytest.approx(1.4071, abs=1e-4)
    for k in ("s1", "s2"):
        ok(["sampling", "draw", SURVEY, "--n", "12", "--design", "stratified", "--strata", "region", "--seed", "9",
            "--out", tmp_path / k], capsys)
    s1, s2 = (table(tmp_path / k, "sample_rows") for k in ("s1", "s2"))
    pd.testing.assert_frame_equal(s1, s2)
    d = pd.read_csv(SURVEY)
    pd.testing.assert_frame_equal(s1.drop(columns="frame_row"), d.iloc[s1["frame_row"] - 1].reset_index(drop=True),
                                  check_dtype=False)
    assert s1["region"].value_counts().to_dict() == {"north": 5, "south": 4, "east": 3}


# --------------------------------------------------------------------------- outputs, figures, help
def test_saved_folder_reads_back_and_shares_a_folder_with_a_fit(tmp_path, capsys, fitted_results):
    import shutil

    from acsi.errors import DataError
    from acsi.methods.analyses import list_toolkit, load_toolkit

    folder = tmp_path / "results"
    shutil.copytree(fitted_results, folder)
    ok(["metrics", "nps", SURVEY, "--column", "recommend", "--by", "region", "--out", folder], capsys)
    ok(["servqual", "gaps", SERVQUAL, "--perception", "p_*", "--expectation", "e_*", *DIMS, "--out", folder], capsys)
    assert sorted(list_toolkit(folder)) == ["nps", "servqual"]
    back = load_toolkit(folder, "servqual")
    assert list(back.tables) == ["servqual", "servqual_dimensions", "servqual_items"]
    pd.testing.assert_frame_equal(back.table("items"), table(folder, "servqual_items"))
    assert back.confidence == 0.95 and back.figure_file == "servqual.png"
    assert back.inputs[0]["rows"] == 80 and len(back.inputs[0]["sha256"]) == 64
    import acsi

    acsi.load_results(folder)  # the fit's own manifest and tables are untouched
    (folder / "nps.csv").write_text("tampered\n")
    with pytest.raises(DataError, match="nps.csv"):
        load_toolkit(folder, "nps")


def test_figure_options(tmp_path, capsys):
    svg = tmp_path / "f" / "nps.svg"
    ok(["metrics", "nps", SURVEY, "--column", "recommend", "--figure", svg], capsys)
    assert svg.read_text().lstrip().startswith("<?xml")
    ok(["metrics", "nps", SURVEY, "--column", "recommend", "--no-figure", "--out", tmp_path / "o", "--format", "csv"],
       capsys)
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["nps.csv", "nps_manifest.json"]
    code, _, err = run(["metrics", "nps", SURVEY, "--column", "recommend", "--figure", tmp_path / "x.gif"], capsys)
    assert code == 2 and "figure format" in err and err.count("\n") == 1
    code, _, err = run(["correlation", SURVEY, "--items", "price,speed", "--figure", tmp_path / "x.png"], capsys)
    assert code == 2 and "unrecognized arguments: --figure" in err  # no figure for a correlation table
    for extra, says in ((["--format", "csv"], "--format is the format of the tables written with --out"),
                        (["--figure", tmp_path / "y.png", "--no-figure"], "contradict each other")):
        code, out, err = run(["metrics", "nps", SURVEY, "--column", "recommend", *extra], capsys)
        assert code == 2 and says in err and out == ""  # refused before any work
    # the first form of kano/ipa: --out FIGURE
    ok(["ipa", SURVEY, "--importance-items", "imp_*", "--performance-items", "sat_*", "--out", tmp_path / "ipa.pdf"], capsys)
    assert (tmp_path / "ipa.pdf").read_bytes()[:4] == b"%PDF"


def test_chinese_labels_and_the_font_fallback(tmp_path, capsys, monkeypatch):
    import acsi.report.fonts as fonts

    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    code, out, err = run(["ipa", SURVEY, "--importance-items", "imp_*", "--performance-items", "sat_*", "--lang", "zh",
                          "--out", tmp_path / "o"], capsys)
    assert code == 0 and "修補區" in out
    assert "warning: no font with Chinese characters found" in err and (tmp_path / "o" / "ipa.png").exists()
    assert "修補區" in table(tmp_path / "o", "ipa")["label"].tolist()


def _leaves():
    import argparse

    from acsi.cli import build_parser

    def subs(p):
        a = next((a for a in p._actions if isinstance(a, argparse._SubParsersAction)), None)
        return {} if a is None else a.choices

    def walk(p, prefix=()):
        for name, s in subs(p).items():
            yield from walk(s, (*prefix, name)) if subs(s) else [(*prefix, name)]

    from acsi.cli.app import COMMANDS  # noqa: F401  (the registry is what build_parser walks)

    toolkit = {"metrics", "customers", "servqual", "fuzzy", "kano", "ahp", "ipa", "ipma", "describe", "drivers", "pca",
               "efa", "cluster", "correspondence", "correlation", "sampling", "sample-size", "nps"}
    return [c for c in walk(build_parser()) if c[0] in toolkit]


@pytest.mark.parametrize("command", _leaves(), ids=" ".join)
def test_every_toolkit_command_has_help_with_examples(command, capsys):
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"acsi {' '.join(command)}" in out.split("examples:")[1]


def test_every_analysis_has_a_command(tmp_path, capsys, fitted_results):
    """Running each toolkit command once (its valid arguments of the generic test) reaches every analysis."""
    import json

    from _toolkit_cases import VALID, write_inputs

    from acsi.methods.analyses import ANALYSES

    inputs = {**write_inputs(tmp_path), "results": fitted_results}
    commands = dict(VALID)
    commands.update({"kano": [str(REF / "methods_kano" / "answers.csv")], "ahp": [str(REF / "methods_ahp" / "house.csv")],
                     "ipa": [SURVEY, "--importance-items", "imp_*", "--performance-items", "sat_*"]})
    out = tmp_path / "all"
    for command, argv in commands.items():
        extra = ["--no-figure"] if command not in ("kano", "ipa", "ahp") and any(
            a.option_strings == ["--no-figure"] for a in _parser(command)._actions) else []
        ok([*command.split(), *[str(a).format(**inputs) for a in argv], "--out", out, *extra], capsys)
    reached = {json.loads(p.read_text())["analysis"] for p in out.glob("*_manifest.json")}
    assert reached == set(ANALYSES)


def _parser(command: str):
    import argparse

    from acsi.cli import build_parser

    p = build_parser()
    for name in command.split():
        p = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
    return p


def test_the_one_reader_csv_excel_parquet_spss_stata_give_the_same_numbers(tmp_path, capsys):
    import pyreadstat

    d = pd.read_csv(SURVEY)[["recommend", "region", "weight"]].dropna()
    d["recommend"] = d["recommend"].astype(float)
    files = {"csv": tmp_path / "s.csv", "xlsx": tmp_path / "s.xlsx", "parquet": tmp_path / "s.parquet",
             "sav": tmp_path / "s.sav", "dta": tmp_path / "s.dta"}
    d.to_csv(files["csv"], index=False)
    d.to_excel(files["xlsx"], index=False)
    d.to_parquet(files["parquet"], index=False)
    pyreadstat.write_sav(d, str(files["sav"]))
    pyreadstat.write_dta(d, str(files["dta"]))
    got = {}
    for kind, f in files.items():
        ok(["metrics", "nps", f, "--column", "recommend", "--weight", "weight", "--by", "region", "--out", tmp_path / kind,
            "--no-figure"], capsys)
        got[kind] = table(tmp_path / kind, "nps")
    for kind in files:
        pd.testing.assert_frame_equal(got[kind], got["csv"], check_exact=False, rtol=1e-12)
