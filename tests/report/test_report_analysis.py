"""Derived report tables against values computed independently from the simulation truth."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from _report_data import fit_truth_r2
from acsi.estimate.sem import fit_sem
from acsi.report.analysis import (
    flags, ipa_table, league_tables, measurement_quality, quality_summary, r_squared, total_effects,
)
from acsi.report.data import ReportData
from conftest import ACSI_TRUTH

TOL = 1e-6  # exact-covariance data: estimates equal the truth to the optimizer tolerance (see tests/core)


@pytest.fixture(scope="module")
def exact_estimates(acsi_exact, acsi_text_spec):
    data, _ = acsi_exact
    res = fit_sem(data, acsi_text_spec)
    assert res.converged and res.admissible
    return res.estimates


def _effects_by_enumeration(paths: dict, src: str, dst: str) -> float:
    """Sum over every directed path src -> ... -> dst of the product of its coefficients."""
    graph: dict[str, list[str]] = {}
    for (a, b) in paths:
        graph.setdefault(a, []).append(b)

    def walk(node, prod):
        if node == dst:
            return prod
        return sum(walk(nxt, prod * paths[(node, nxt)]) for nxt in graph.get(node, []))

    return walk(src, 1.0)


def test_total_effects_equal_sum_over_paths(exact_estimates):
    T = total_effects(exact_estimates)
    lat = ["CE", "PQ", "PV", "CS", "CC", "CL"]
    for src, dst in itertools.permutations(lat, 2):
        want = _effects_by_enumeration(ACSI_TRUTH["paths"], src, dst)
        assert T.loc[dst, src] == pytest.approx(want, abs=10 * TOL), (src, dst)
    # a hand value: CE on CS = 0.1 + 0.5·0.45 + 0.15·0.3 + 0.5·0.55·0.3
    assert T.loc["CS", "CE"] == pytest.approx(0.1 + 0.5 * 0.45 + 0.15 * 0.3 + 0.5 * 0.55 * 0.3, abs=10 * TOL)


def test_r_squared_equals_population_value(exact_estimates, acsi_text_spec):
    r2 = r_squared(exact_estimates)
    truth = fit_truth_r2(acsi_text_spec)
    assert set(r2.index) == set(truth)
    for lv, v in truth.items():
        assert r2[lv] == pytest.approx(v, abs=1e-5)


def test_r_squared_uses_pls_r2_rows():
    est = pd.DataFrame({"lhs": ["CS", "CS", "CS"], "op": ["~", "r2", "~~"], "rhs": ["PQ", "CS", "CS"],
                        "est": [0.5, 0.42, np.nan], "std_all": [0.5, 0.42, np.nan]})
    assert r_squared(est)["CS"] == pytest.approx(0.42, abs=0)


def test_ave_and_composite_reliability_match_truth(exact_estimates, acsi_text_spec):
    lat = list(acsi_text_spec.latent_ids)
    B = np.zeros((6, 6))
    for (a, b), v in ACSI_TRUTH["paths"].items():
        B[lat.index(b), lat.index(a)] = v
    C = np.linalg.inv(np.eye(6) - B)
    var_eta = np.diag(C @ np.diag([ACSI_TRUTH["psi"][lv] for lv in lat]) @ C.T)
    q = measurement_quality(exact_estimates).set_index("latent")
    for lv in acsi_text_spec.latents:
        ve = var_eta[lat.index(lv.id)]
        lam = np.array([ACSI_TRUTH["loadings"][i] * np.sqrt(ve / (ACSI_TRUTH["loadings"][i] ** 2 * ve + ACSI_TRUTH["theta"][i]))
                        for i in lv.item_ids])
        assert q.loc[lv.id, "ave"] == pytest.approx(np.mean(lam**2), abs=1e-5)
        cr = lam.sum() ** 2 / (lam.sum() ** 2 + np.sum(1 - lam**2))
        assert q.loc[lv.id, "cr"] == pytest.approx(cr, abs=1e-5)


def test_single_item_latent_has_no_ave():
    est = pd.DataFrame({"lhs": ["A"], "op": ["=~"], "rhs": ["a1"], "est": [1.0], "std_all": [1.0]})
    q = measurement_quality(est)
    assert q["n_items"].iloc[0] == 1 and np.isnan(q["ave"].iloc[0])


def test_quality_summary_median_and_min():
    def block(l1, l2, key):
        return pd.DataFrame({"company": key, "lhs": ["A", "A"], "op": ["=~", "=~"], "rhs": ["a1", "a2"],
                             "est": [1.0, 1.0], "std_all": [l1, l2]})
    est = pd.concat([block(0.9, 0.8, "x"), block(0.6, 0.5, "y"), block(0.7, 0.7, "z")], ignore_index=True)
    q = quality_summary(est, block(0.8, 0.8, "p").drop(columns="company"), ["A"]).iloc[0]
    aves = [(0.81 + 0.64) / 2, (0.36 + 0.25) / 2, 0.49]
    assert q["ave_median"] == pytest.approx(np.median(aves), abs=1e-12)
    assert q["ave_min"] == pytest.approx(min(aves), abs=1e-12)
    assert q["ave_pooled"] == pytest.approx(0.64, abs=1e-12)


def _data(units=None, fm=None, est=None, groups=("company",)):
    tables = {"units": units if units is not None else pd.DataFrame(), "fit_measures": fm if fm is not None else pd.DataFrame(),
              "estimates": est if est is not None else pd.DataFrame()}
    return ReportData(tables=tables, manifest={"groups": list(groups), "options": {"unit": ["company"]}})


def test_flags_name_failed_and_inadmissible_units_with_reasons():
    units = pd.DataFrame({"company": ["a", "b", "c"], "status": ["ok", "failed", "inadmissible"],
                          "reason": ["", "too few respondents (n=10 < min_n=30)", "negative residual variance of item x1 (-0.1)"]})
    fl = flags(_data(units=units))
    assert list(fl["kind"]) == ["failed", "inadmissible"]
    assert "b: not estimated (too few respondents (n=10 < min_n=30))" in fl["message"].iloc[0]
    assert "c: inadmissible solution (negative residual variance of item x1 (-0.1))" in fl["message"].iloc[1]
    zh = flags(_data(units=units), "zh-hant")
    assert zh["message"].iloc[0].startswith("b：未能估計")


def test_flags_apply_the_thresholds_strictly():
    fm = pd.DataFrame({"company": ["at", "over"], "rmsea": [0.08, 0.081], "cfi": [0.90, 0.899], "srmr": [0.08, 0.0801]})
    fl = flags(_data(fm=fm))
    assert set(fl["unit"]) == {"over"}
    assert sorted(fl["kind"]) == ["cfi", "rmsea", "srmr"]
    assert any("RMSEA is 0.081 (above 0.08)" in m for m in fl["message"])


def test_flags_low_ave_names_latent_and_value():
    est = pd.DataFrame({"company": "a", "lhs": ["A", "A"], "op": ["=~", "=~"], "rhs": ["a1", "a2"],
                        "est": [1.0, 1.0], "std_all": [0.7, 0.6]})  # AVE = (0.49 + 0.36)/2 = 0.425
    fl = flags(_data(est=est))
    assert fl["kind"].tolist() == ["ave"] and fl["latent"].iloc[0] == "A"
    assert fl["value"].iloc[0] == pytest.approx(0.425, abs=1e-12)
    assert "AVE of A is 0.42" in fl["message"].iloc[0] or "AVE of A is 0.43" in fl["message"].iloc[0]


def test_ipa_table_quadrants_from_total_effects():
    # A -> C (0.6), B -> C (0.1), D -> A (0.5): total effects on C: A 0.6, B 0.1, D 0.3
    est = pd.DataFrame({"lhs": ["C", "C", "A"], "op": ["~"] * 3, "rhs": ["A", "B", "D"], "est": [0.6, 0.1, 0.5]})
    perf = pd.Series({"A": 60.0, "B": 80.0, "D": 65.0, "C": 70.0})
    tab = ipa_table(est, perf, "C").set_index("attribute")
    assert tab.loc["D", "importance"] == pytest.approx(0.3, abs=1e-12)
    # cuts: importance mean 1/3, performance mean 68.33 -> A: high importance, low performance = B (fix first)
    assert tab.loc["A", "quadrant"] == "B"
    assert tab.loc["B", "quadrant"] == "D"
    assert tab.loc["D", "quadrant"] == "C"


def test_ipa_table_needs_two_drivers():
    est = pd.DataFrame({"lhs": ["C"], "op": ["~"], "rhs": ["A"], "est": [0.6]})
    assert ipa_table(est, pd.Series({"A": 50.0}), "C") is None


def test_league_tables_rank_and_keep_failed_units_last():
    ci = pd.DataFrame({"period": ["2025Q1"] * 3 + ["2025Q2"] * 3, "company": ["a", "b", "c"] * 2, "industry": "X",
                       "index": [70, 75, 72, 71, np.nan, 74], "se": 1.0, "ci_lower": 68.0, "ci_upper": 76.0, "n": 100,
                       "status": ["ok", "ok", "ok", "ok", "failed", "ok"], "reason": ["", "", "", "", "n<30", ""]})
    data = ReportData(tables={"company_indexes": ci},
                      manifest={"groups": ["period", "company"], "options": {"period": "period", "unit": ["company"]}})
    (lt,) = league_tables(data)
    tab = lt["table"]
    assert lt["period"] == "2025Q2"
    assert tab["company"].tolist() == ["c", "a", "b"]
    assert tab["rank"].tolist()[:2] == [1, 2] and np.isnan(tab["rank"].iloc[2])
    assert tab["change"].tolist()[:2] == pytest.approx([2.0, 1.0], abs=1e-12)
