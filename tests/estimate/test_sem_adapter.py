"""The semopy adapter (acsi.estimate.sem) on parameter tables: semopy's syntax comes from the
table, its estimates map back onto the table's free parameters, and a table semopy cannot
honour is refused naming the feature and the engine that fits it."""

import numpy as np
import pytest

from acsi.errors import InvalidParameterError
from acsi.estimate.ml import compile as compile_model
from acsi.estimate.sem import fit_sem, semopy_syntax
from estimate.lavaan_tables import table_from_lavaan
from reference.cases import load_case

REFUSED = {
    "syntax_complaint_observed": r"observed variables in the structural part \(cc1\)",
    "syntax_covariates_fixedx": r"covariates fixed at their sample moments \(fixed.x: age, income\)",
    "syntax_covariates_fixedx/free_x": r"observed variables in the structural part \(age, income\)",
    "syntax_equality": r"constraints \(l2 == l3; \.p10\. == \.p11\.",
    "syntax_constraints_nonlinear": r"constraints \(b == a\*c; e > 0\)",
    "syntax_defined_effects": r"defined parameters \(:= rows: ind_pq_cs_cl",
    "syntax_fixed_values": r"the free parameter \('CE', '=~', 'ce1'\) \(semopy fixes it\)",
    "syntax_std_lv": r"the free parameter \('CE', '=~', 'ce1'\)",
    "engine_multigroup": r"several groups \(2\)",
    "acsi_sim_missing": r"a mean structure",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_semopy_refuses_what_it_cannot_honour(name):
    c = load_case(name)
    table = table_from_lavaan(c)
    with pytest.raises(InvalidParameterError, match=REFUSED[name]) as err:
        fit_sem(c.data.dropna(), table)
    msg = str(err.value)
    assert msg.startswith("The 'engine' parameter of fit_sem must be") and "Got 'semopy' instead" in msg
    assert "options={'engine': 'mlfast'}" in msg


@pytest.mark.parametrize("name", ["syntax_std_lv/marker", "political_democracy"])
def test_semopy_fits_the_tables_it_can(name):
    c = load_case(name)
    res = fit_sem(c.data, table_from_lavaan(c))
    assert res.converged and res.extra["engine"] == "semopy"
    m = c.parameters.merge(res.estimates, on=["lhs", "op", "rhs"], suffixes=("_ref", ""))
    assert len(m) == len(c.parameters)
    np.testing.assert_allclose(m["est"], m["est_ref"], atol=1e-4)
    free = m["free"]
    np.testing.assert_allclose(m.loc[free, "se"], m.loc[free, "se_ref"], atol=1e-4)


def test_semopy_syntax_writes_every_row_of_the_table():
    c = load_case("political_democracy")
    model = compile_model(table_from_lavaan(c))
    text = semopy_syntax(model)
    assert text.splitlines()[0] == "ind60 =~ 1*x1"
    assert "y1 ~~ y5" in text and "dem65 ~~ dem65" in text
    assert len(text.splitlines()) == int(np.isin(model.cols["op"], ["=~", "~", "~~"]).sum())
