"""The bootstrap of a model with equality constraints and a defined parameter: replicates honour
the constraints, the ``:=`` parameter is bootstrapped (its replicates are its expression of each
replicate's estimates) and published with its full-sample estimate."""

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi import bootstrap as bs
from conftest import ACSI_TRUTH, exact_data, implied_cov

# the shipped ACSI model with two equal loadings, two related paths and a defined parameter
EDITS = [("cs2 + cs3", "l*cs2 + l*cs3"), ("PV ~ CE + PQ", "PV ~ CE + a*PQ"), ("CS ~ CE + PQ + PV", "CS ~ CE + PQ + b*PV"),
         ("CL ~ CS + CC", "CL ~ d*CS + CC")]


def _model_text() -> str:
    text = acsi.load_model("acsi").to_lavaan()
    for old, new in EDITS:
        text = text.replace(old, new)
    return text + "a == 2*b\nind := b*d\n"


@pytest.fixture(scope="module")
def boot():
    spec = acsi.parse_lavaan(_model_text(), name="constrained", scale=(1, 10))
    base = acsi.parse_lavaan(acsi.load_model("acsi").to_lavaan(), name="base")
    t = ACSI_TRUTH
    cov = implied_cov(base, t["loadings"], t["paths"], t["theta"], t["psi"])
    data = exact_data(cov, 300, mean=6.0, seed=3).round().clip(1, 10)
    data.insert(0, "company", "A")
    fit = acsi.fit(data, spec, unit="company", pooled=False)
    return fit, bs.bootstrap(fit, n_boot=60, seed=5, bca=False)


def test_defined_parameter_is_bootstrapped(boot):
    fit, b = boot
    labels = list(b.stat_labels)
    pos = {lab: i for i, lab in enumerate(labels)}
    k = pos[("est", "ind", ":=", "b*d")]
    rep = b.replicates[0]
    lab = lambda lhs, op, rhs: rep[pos[("est", lhs, op, rhs)]]  # noqa: E731
    np.testing.assert_allclose(rep[k], lab("CS", "~", "PV") * lab("CL", "~", "CS"), rtol=1e-12)
    row = b.estimates.query("op == ':=' and lhs == 'ind'").iloc[0]
    full = fit.estimates.query("op == ':=' and lhs == 'ind'").iloc[0]
    assert row["estimate"] == pytest.approx(full["est"], rel=1e-12)
    assert 0.3 < row["boot_se"] / full["se"] < 3  # the bootstrap SE is of the size of the delta-method one


def test_replicates_honour_the_constraints(boot):
    _fit, b = boot
    pos = {lab: i for i, lab in enumerate(b.stat_labels)}
    rep = b.replicates[0]
    ok = np.isfinite(rep[pos[("est", "PV", "~", "PQ")]])
    a = rep[pos[("est", "PV", "~", "PQ")]][ok]
    bb = rep[pos[("est", "CS", "~", "PV")]][ok]
    np.testing.assert_allclose(a, 2 * bb, rtol=0, atol=1e-10)
    np.testing.assert_allclose(rep[pos[("est", "CS", "=~", "cs2")]][ok], rep[pos[("est", "CS", "=~", "cs3")]][ok],
                               rtol=0, atol=1e-10)
    assert ok.sum() >= 55
