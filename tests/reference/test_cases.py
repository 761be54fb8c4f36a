"""Every stored lavaan reference fit is complete and internally consistent (no R needed).

One parametrised fixture runs every case of ``reference.cases.case_ids()``. These checks do not
test acsi: they test the fixtures other tests rely on, so that a hand-edited or half-regenerated
case folder fails here, with the file named, instead of as a puzzling estimator mismatch:

* the call and lavaan's resolved options are recorded, lavaan 0.6-14 made the files, it converged;
* ``estimates.csv`` and ``partable.csv`` describe the same parameters with the same numbers;
* lavaan's npar and df follow from the parameter table (free rows minus equality constraints;
  sample moments minus the fixed.x moments);
* ``sample_cov.csv`` / ``sample_mean.csv`` are the moments of ``data.csv`` (denominator N,
  weighted with sampling.weights) wherever lavaan computes them from complete rows;
* ``vcov.csv`` gives every free parameter's SE; ``:=`` rows equal their expression and their SE
  equals the delta method on ``vcov.csv``; ``==``/``<``/``>`` rows hold at the solution;
* exact-moment twins reproduce their stored truth;
* scaled and robust fit indexes follow the formulas the robust cases' READMEs document.
"""

from __future__ import annotations

import ast
import json
import re

import numpy as np
import pandas as pd
import pytest

from reference.cases import DEFAULT_TOLERANCES, HERE, case_ids, load_case, variants

CASES = case_ids()
CONSTRAINT_OPS = ("==", "<", ">")
WITH_DEFINED = case_ids(where=lambda c: (c.partable["op"] == ":=").any())
WITH_CONSTRAINTS = case_ids(where=lambda c: c.partable["op"].isin(CONSTRAINT_OPS).any())
WITH_TRUTH = case_ids(where=lambda c: c.truth is not None)
WITH_VCOV = case_ids(where=lambda c: c.vcov is not None)
# lavaan computes these moments from complete rows (not by EM)
SCALED = case_ids(where=lambda c: "chisq_scaling_factor" in c.fit_measures.index)
WITH_RAW_MOMENTS = case_ids(where=lambda c: not c.data[c.lavaan["ov_names"]].isna().any().any())


@pytest.fixture(scope="module", params=CASES)
def case(request):
    return load_case(request.param)


def _groups(case):
    return case.lavaan["group_labels"] or [None]


def test_the_case_groups_are_not_empty():
    for group in (WITH_DEFINED, WITH_CONSTRAINTS, WITH_TRUTH, WITH_VCOV, WITH_RAW_MOMENTS, SCALED):
        assert group


def test_every_case_folder_has_readme_script_and_provenance():
    folders = sorted({c.split("/")[0] for c in CASES})
    assert len(folders) >= 5
    for folder in folders:
        path = HERE / folder
        for name in ("README.md", "make_reference.R", "provenance.txt"):
            assert (path / name).is_file(), f"{folder}/{name} is missing"
        assert "lavaan: 0.6.14" in (path / "provenance.txt").read_text(), folder
        assert "_harness.R" in (path / "make_reference.R").read_text(), folder


def test_call_is_recorded_and_converged(case):
    assert case.function in ("sem", "cfa", "lavaan")
    assert isinstance(case.options, dict)
    lav = case.lavaan
    assert lav["converged"] is True, case.name
    assert lav["ngroups"] >= 1 and len(lav["ov_names"]) >= 2
    assert case.model_file.is_file() and case.data_file.is_file()
    for key, value in case.options.items():  # what was passed is what lavaan used
        if key == "estimator" and value in ("MLR", "MLM"):  # lavaan: ML with robust se and test
            assert lav["estimator"] == "ML" and lav["se"].startswith("robust"), case.name
            continue
        if key in lav and key not in ("group.equal", "group.partial"):
            # lavaan may add to a request (test = "standard" with sampling weights also gets
            # "yuan.bentler.mplus", see robust_weighted/README.md) but never drops it
            got = lav[key] if isinstance(lav[key], list) else [lav[key]]
            assert value in got or value == "default", (case.name, key, value, lav[key])


def test_tolerances_are_known_keys(case):
    assert set(case.tol) == set(DEFAULT_TOLERANCES), f"{case.name}: unknown tolerance keys"
    assert all(0 < v < 1e-2 for v in case.tol.values())


def test_estimates_have_the_common_columns(case):
    cols = ["lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "ci_lower",
            "ci_upper", "std_lv", "std_all"]
    est = case.estimates
    assert list(est.columns[: len(cols)]) == cols, case.name
    assert est["est"].notna().all()
    assert set(est["op"]) <= {"=~", "~", "~~", "~1", ":=", "==", "<", ">", "r2", "|", "~*~"}
    r2 = case.rsquare
    assert len(r2) > 0 and ((r2 >= -1e-12) & (r2 <= 1 + 1e-12)).all()


def test_estimates_and_partable_agree(case):
    pt = case.partable
    est = case.parameters
    shown = pt[(pt["user"] != 2) | ~pt["op"].isin(CONSTRAINT_OPS)]
    key = ["lhs", "op", "rhs", "group"]
    assert shown[key].astype(str).values.tolist() == est[key].astype(str).values.tolist(), case.name
    np.testing.assert_allclose(est["est"].to_numpy(), shown["est"].to_numpy(), rtol=0, atol=1e-15)
    free = shown["free"].to_numpy() > 0
    # parameterEstimates prints 0 for an SE that is numerically 0 (the active bound of
    # syntax_constraints_nonlinear: 4.8e-10 in parTable), hence atol 1e-8
    np.testing.assert_allclose(est["se"].to_numpy()[free], shown["se"].to_numpy()[free], rtol=0, atol=1e-8)
    assert (est["label"].to_numpy() == shown["label"].to_numpy()).all()


def test_npar_and_df_follow_from_the_parameter_table(case):
    pt, fm, lav = case.partable, case.fit_measures, case.lavaan
    n_eq = int((pt["op"] == "==").sum())
    assert fm["npar"] == pt["free"].max() - n_eq, case.name
    p = len(lav["ov_names"])
    moments = p * (p + 1) / 2 + (p if lav["meanstructure"] else 0)
    ndat = lav["ngroups"] * moments - int((pt["exo"] == 1).sum())
    assert fm["df"] == ndat - fm["npar"], case.name
    assert fm["ntotal"] == sum(np.atleast_1d(lav["nobs"]))


def _weighted_moments(x, w):
    w = w / w.sum()
    mean = w @ x
    d = x - mean
    return mean, (d * w[:, None]).T @ d


@pytest.mark.parametrize("name", WITH_RAW_MOMENTS)
def test_sample_moments_are_those_of_the_data(name):
    case = load_case(name)
    data = case.data
    ov = case.lavaan["ov_names"]
    wname = case.options.get("sampling.weights")
    group = case.options.get("group")
    covs, means = case.sample_cov, case.sample_mean
    for g in _groups(case):
        rows = data if g is None else data[data[group].astype(str) == g]
        x = rows[ov].to_numpy(dtype=float)
        w = rows[wname].to_numpy(dtype=float) if wname else np.ones(len(x))
        mean, cov = _weighted_moments(x, w)
        s = covs if g is None else covs[g]
        np.testing.assert_allclose(s.loc[ov, ov].to_numpy(), cov, rtol=0, atol=case.tol["sample_atol"] * 100,
                                   err_msg=f"{case.name} group {g}")
        if means is not None:
            m = means if g is None else means[g]
            np.testing.assert_allclose(m[ov].to_numpy(), mean, rtol=0, atol=case.tol["sample_atol"] * 100)


@pytest.mark.parametrize("name", WITH_VCOV)
def test_vcov_gives_the_standard_errors(name):
    case = load_case(name)
    v = case.vcov
    pt = case.partable
    assert v.shape == (pt["free"].max(),) * 2
    np.testing.assert_allclose(v.to_numpy(), v.to_numpy().T, rtol=0, atol=1e-12)
    free = pt[pt["free"] > 0].sort_values("free")
    np.testing.assert_allclose(np.sqrt(np.clip(np.diag(v.to_numpy()), 0, None)), free["se"].to_numpy(),
                               rtol=1e-10, atol=1e-14, err_msg=case.name)


def _evaluator(case):
    """Value of a lavaan expression over labels (and plabels), and its gradient by differences."""
    pt = case.partable
    free = pt[pt["free"] > 0].sort_values("free")
    x0 = free["est"].to_numpy()
    names = {}
    for _, row in pt.iterrows():
        for name in (row["label"], row["plabel"]):
            if name:
                names[name] = (int(row["free"]) if row["free"] > 0 else None, float(row["est"]))

    def ident(name):  # lavaan's plabels .p27. are not Python names
        return re.sub(r"\.p(\d+)\.", r"_p\1_", name)

    def value(expr, x):
        env = {ident(k): (x[i - 1] if i else v) for k, (i, v) in names.items()}
        tree = ast.parse(ident(expr).replace("^", "**"), mode="eval")
        return eval(compile(tree, "<lavaan>", "eval"), {"__builtins__": {}, "exp": np.exp, "log": np.log,
                                                        "sqrt": np.sqrt, "abs": np.abs}, env)

    def grad(expr):
        g = np.zeros_like(x0)
        for j in range(len(x0)):
            h = 1e-6 * max(1.0, abs(x0[j]))
            up, dn = x0.copy(), x0.copy()
            up[j] += h
            dn[j] -= h
            g[j] = (value(expr, up) - value(expr, dn)) / (2 * h)
        return g

    return x0, value, grad


@pytest.mark.parametrize("name", WITH_DEFINED)
def test_defined_parameters_are_their_expression_with_delta_method_se(name):
    case = load_case(name)
    est = case.parameters
    defined = est[est["op"] == ":="]
    x0, value, grad = _evaluator(case)
    v = case.vcov.to_numpy()
    for _, row in defined.iterrows():
        assert value(row["rhs"], x0) == pytest.approx(row["est"], rel=1e-12, abs=1e-14), row["lhs"]
        g = grad(row["rhs"])
        assert np.sqrt(g @ v @ g) == pytest.approx(row["se"], rel=1e-7), row["lhs"]


@pytest.mark.parametrize("name", WITH_CONSTRAINTS)
def test_constraints_hold_at_the_solution(name):
    case = load_case(name)
    pt = case.partable
    rows = pt[pt["op"].isin(CONSTRAINT_OPS)]
    x0, value, _ = _evaluator(case)
    for _, row in rows.iterrows():
        slack = value(row["lhs"], x0) - value(row["rhs"], x0)
        assert slack == pytest.approx(row["est"], abs=1e-12)
        if row["op"] == "==":
            assert abs(slack) < 1e-7, f"{case.name}: {row['lhs']} == {row['rhs']} off by {slack}"
        else:
            assert (slack if row["op"] == ">" else -slack) > -1e-8, f"{case.name}: {row['lhs']} {row['op']} {row['rhs']}"


@pytest.mark.parametrize("name", WITH_TRUTH)
def test_exact_twins_reproduce_their_truth(name):
    case = load_case(name)
    truth = case.truth
    key = ["lhs", "op", "rhs"] + (["group"] if "group" in truth.columns else [])
    est = case.parameters.set_index(key)
    got = est.loc[list(truth[key].itertuples(index=False, name=None)), "est"].to_numpy()
    np.testing.assert_allclose(got, truth["value"].to_numpy(), rtol=0, atol=1e-6, err_msg=case.name)
    assert case.fit_measures["chisq"] < 1e-6


def test_every_variant_has_the_files_of_the_layout():
    for cid in CASES:
        c = load_case(cid)
        for stem in ("estimates", "partable", "fit_measures", "sample_cov"):
            assert (c.path / f"{c.prefix}{stem}.csv").is_file(), f"{cid}: {c.prefix}{stem}.csv missing"
        spec = json.loads((c.path / f"{c.prefix}options.json").read_text())
        assert {"function", "model", "data", "options", "lavaan"} <= set(spec)
    assert all(v == "" or v.isidentifier() for f in {c.split("/")[0] for c in CASES} for v in variants(f))


def test_loader_returns_copies_and_names_missing_tables():
    c = load_case(CASES[0])
    a = c.estimates
    a.loc[0, "est"] = -999.0
    assert c.estimates.loc[0, "est"] != -999.0
    with pytest.raises(KeyError, match="has no table"):
        c.extra("no_such_table")
    with pytest.raises(FileNotFoundError, match="known cases"):
        load_case("no_such_case")


def test_match_estimates_pairs_covariances_either_way():
    from reference.cases import match_estimates

    ref = pd.DataFrame({"lhs": ["a", "b"], "op": ["~~", "~"], "rhs": ["b", "a"], "est": [1.0, 2.0]})
    ours = pd.DataFrame({"lhs": ["b", "b"], "op": ["~~", "~"], "rhs": ["a", "a"], "est": [1.5, 2.5]})
    m = match_estimates(ref, ours)
    assert m["est"].tolist() == [1.5, 2.5] and m["est_ref"].tolist() == [1.0, 2.0]


@pytest.mark.parametrize("name", SCALED)
def test_scaled_and_robust_indexes_follow_lavaans_formulas(name):
    """The formulas documented in robust_weighted/README.md hold in the stored values.

    Scaled: the ordinary formulas with T/c and T_b/c_b. Robust (Brosseau-Liard & Savalei 2014;
    Brosseau-Liard, Savalei & Li 2012): with T - c df in place of T - df. With missing data
    lavaan 0.6-14 corrects the robust ones differently (robust_weighted_fiml/README.md).
    """
    case = load_case(name)
    fm = case.fit_measures
    t, df, c = fm["chisq"], fm["df"], fm["chisq_scaling_factor"]
    tb, dfb, cb = fm["baseline_chisq"], fm["baseline_df"], fm["baseline_chisq_scaling_factor"]
    n = fm["ntotal"]
    ts, tbs = t / c, tb / cb
    assert fm["chisq_scaled"] == pytest.approx(ts, rel=1e-12)
    assert fm["cfi_scaled"] == pytest.approx(1 - max(ts - df, 0) / max(ts - df, tbs - dfb, 0), rel=1e-12)
    assert fm["tli_scaled"] == pytest.approx((tbs / dfb - ts / df) / (tbs / dfb - 1), rel=1e-12)
    assert fm["rmsea_scaled"] == pytest.approx(np.sqrt(max(0, (ts - df) / (n * df))), rel=1e-12, abs=1e-15)
    if case.data[case.lavaan["ov_names"]].isna().any().any():
        return
    assert fm["cfi_robust"] == pytest.approx(1 - max(t - c * df, 0) / max(t - c * df, tb - cb * dfb, 0), rel=1e-12)
    assert fm["tli_robust"] == pytest.approx(1 - ((t - c * df) / df) / ((tb - cb * dfb) / dfb), rel=1e-12)
    assert fm["rmsea_robust"] == pytest.approx(np.sqrt(max(0, (t - c * df) / (n * df))), rel=1e-12, abs=1e-15)
