"""ModelSpec beyond latents and paths: observed variables, covariates, scales, options, syntax
blocks, immutability and lavaan's column check."""

from __future__ import annotations

import math
import warnings

import pytest

import acsi
from acsi.errors import AcsiWarning, InvalidParameterError, SpecError
from acsi.spec import load_model, parse_lavaan, read_toml

COMPLAINT = "CS =~ cs1 + cs2 + cs3\nCL =~ cl1 + cl2\ncc1 ~ CS\nCL ~ CS + cc1\n"


# ---- deep immutability ----------------------------------------------------------------
def test_spec_is_deeply_immutable():
    spec = load_model("acsi")
    with pytest.raises(AttributeError):
        spec.blocks["CS"].append("cs4")
    with pytest.raises(TypeError):
        spec.blocks["CS"] = ("x",)
    with pytest.raises(TypeError):
        spec.scale_bounds["cs1"] = (0, 5)
    with pytest.raises(TypeError):
        spec.options["complaint"] = "yes_no"
    with pytest.raises(AttributeError):
        spec.latents[0].items[0].min = 0
    assert isinstance(spec.latents, tuple) and isinstance(spec.statements, tuple) and isinstance(spec.paths, tuple)
    airline = load_model("airline")
    with pytest.raises(TypeError):
        airline.extra["x"] = 1
    spec2 = acsi.ModelSpec(name="m", latents=[acsi.spec.Latent("CS", [acsi.spec.Item("a"), acsi.spec.Item("b")])],
                           paths=[], headline="CS")
    assert isinstance(spec2.latents, tuple) and isinstance(spec2.latents[0].items, tuple)


def test_spec_from_parts_gets_statements_and_disagreement_is_refused():
    lat = (acsi.spec.Latent("CS", (acsi.spec.Item("cs1"), acsi.spec.Item("cs2"))),
           acsi.spec.Latent("CL", (acsi.spec.Item("cl1"), acsi.spec.Item("cl2"))))
    spec = acsi.ModelSpec(name="m", latents=lat, paths=(("CS", "CL"),), headline="CS")
    assert [s.to_lavaan() for s in spec.statements] == ["CS =~ cs1", "CS =~ cs2", "CL =~ cl1", "CL =~ cl2", "CL ~ CS"]
    with pytest.raises(SpecError, match=r"regressions .* disagree with the paths"):
        acsi.ModelSpec(name="m", latents=lat, paths=(), headline="CS", statements=spec.statements)


# ---- observed variables in the structural part ----------------------------------------
def test_observed_outcome_and_covariate_roles():
    spec = parse_lavaan(COMPLAINT + "CS ~ age\n", scales={"cc1": (0, 1)})
    assert spec.structural_observed == ("cc1", "age")
    assert spec.covariate_ids == ("age",)
    assert spec.observed_ids == ("cs1", "cs2", "cs3", "cl1", "cl2", "cc1", "age")
    assert spec.paths == (("CS", "cc1"), ("CS", "CL"), ("cc1", "CL"), ("age", "CS"))
    assert spec.endogenous == ("CS", "CL") and spec.exogenous == ()
    assert spec.predecessors("CL") == ["CS", "cc1"]
    assert spec.scale_bounds["cc1"] == (0.0, 1.0) and "age" not in spec.scale_bounds
    assert spec.observed_variable("age").covariate and not spec.observed_variable("cc1").covariate
    lay = spec.partable().layout()
    assert lay.phantom == ("cc1", "age") and lay.ov_x == ("age",)


def test_scales_argument_directive_and_unknown_names():
    spec = parse_lavaan("# scale: cc1 cs3 0 1\n" + COMPLAINT)
    assert spec.scale_bounds["cc1"] == (0.0, 1.0) and spec.scale_bounds["cs3"] == (0.0, 1.0)
    spec = parse_lavaan("# scale: cc1 0 1\n" + COMPLAINT, scales={"cc1": (0, 2)}, scale=(1, 5))
    assert spec.scale_bounds["cc1"] == (0.0, 2.0) and spec.scale_bounds["cs1"] == (1.0, 5.0)
    with pytest.raises(SpecError, match=r"scales are given for 'cc9', which is not an observed variable"):
        parse_lavaan(COMPLAINT, scales={"cc9": (0, 1)})
    with pytest.raises(SpecError, match=r"line 1: a scale directive is '# scale: NAME"):
        parse_lavaan("# scale: cc1 zero one\n" + COMPLAINT)
    with pytest.raises(InvalidParameterError, match=r"'scales' parameter of parse_lavaan must map"):
        parse_lavaan(COMPLAINT, scales={"cc1": 1})


def test_to_lavaan_carries_headline_and_scales():
    spec = parse_lavaan(COMPLAINT, scales={"cc1": (0, 1)}, headline="CL")
    text = spec.to_lavaan()
    assert text.startswith("# headline: CL\n# scale: cc1 0 1\n")
    again = parse_lavaan(text)
    assert again == spec and again.scale_bounds == spec.scale_bounds and again.headline == "CL"


def test_check_columns_refuses_a_latent_named_like_a_column():
    spec = parse_lavaan(COMPLAINT)
    spec.check_columns(["cs1", "cs2", "cs3", "cl1", "cl2", "cc1"])
    with pytest.raises(SpecError, match=r"latent variable\(s\) 'CS' have the name of data column\(s\) 'CS'"):
        spec.check_columns(["cs1", "CS", "cl1"])


def test_modifier_vector_must_match_the_groups():
    spec = parse_lavaan("CS =~ cs1 + c(a, b)*cs2 + cs3\n")
    with pytest.raises(SpecError, match=r"line 1: the modifier of CS =~ cs2 has 2 values for 1 group"):
        spec.partable()
    assert spec.partable(groups=["x", "y"]).to_frame().query("rhs == 'cs2' and op == '=~'")["label"].tolist() == ["a", "b"]


def test_one_label_for_several_groups_warns_and_equates():
    spec = parse_lavaan("CS =~ cs1 + a*cs2 + cs3\n")
    with pytest.warns(AcsiWarning, match=r"label 'a' of CS =~ cs2 \(line 1\) is one label for 2 groups"):
        pt = spec.partable(groups=["x", "y"])
    df = pt.to_frame()
    assert df.query("op == '=='")[["lhs", "rhs", "user", "rule"]].values.tolist() == [[".p2.", ".p13.", 2, "label_equal"]]
    assert pt.messages and "one label" in pt.messages[0]


def test_random_predictor_is_noted():
    spec = parse_lavaan("CS =~ cs1 + cs2\nCS ~ age\nage ~~ age\n")
    with pytest.warns(AcsiWarning, match=r"predictor\(s\) age: they are treated as random"):
        pt = spec.partable()
    assert pt.layout().ov_x == ()


# ---- the shipped ACSI model with ACSI's yes/no complaint question ----------------------
def test_acsi_complaint_yes_no_option():
    spec = load_model("acsi", complaint="yes_no")
    assert "CC" not in spec.latent_ids and "cc2" not in spec.item_ids
    assert spec.structural_observed == ("cc1",) and spec.scale_bounds["cc1"] == (0.0, 1.0)
    assert ("CS", "cc1") in spec.paths and ("cc1", "CL") in spec.paths
    assert spec.options == {"complaint": "yes_no"}
    assert "CL ~ CS + cc1\ncc1 ~ CS\n" in spec.to_lavaan()
    assert spec.observed_variable("cc1").text.startswith("Have you complained")
    assert load_model("acsi", complaint="scale") == load_model("acsi")
    with pytest.raises(InvalidParameterError, match=r"'complaint' parameter of load_model must be one of 'scale', 'yes_no'"):
        load_model("acsi", complaint="yes")
    with pytest.raises(InvalidParameterError, match=r"'complain' parameter of load_model is not an option of model 'acsi'"):
        load_model("acsi", complain="yes_no")


def test_airline_demographics_are_covariates_switched_on_by_name():
    spec = load_model("airline")
    assert spec.covariate_ids == ("age", "sex", "occupation", "education", "monthly_income", "flights_per_year")
    assert spec.structural_observed == () and "age" not in spec.observed_ids
    on = load_model("airline", covariates=["age", "sex"])
    assert on.structural_observed == ("age", "sex") and on.predecessors("CS")[-2:] == ["age", "sex"]
    assert on.partable().layout().ov_x == ("age", "sex")
    assert load_model("airline", covariates=True).structural_observed == ("age", "sex", "monthly_income", "flights_per_year")
    with pytest.raises(InvalidParameterError, match=r"covariates of model 'airline' that predict something .* Got 'occupation'"):
        load_model("airline", covariates=["occupation"])
    with pytest.raises(InvalidParameterError, match=r"'covariates' parameter of load_model must be None, True or a list"):
        load_model("airline", covariates="age")


# ---- TOML: observed, covariates, syntax block, options ---------------------------------
TOML = """
name = "mini"
headline = "CS"
paths = ["PQ -> CS", "CS -> cc1", "cc1 -> CL", "CS -> CL"]

[[latent]]
id = "PQ"
items = ["pq1", "pq2", "pq3"]

[[latent]]
id = "CS"
items = ["cs1", "cs2", { id = "cs3", min = 0, max = 5 }]

[[latent]]
id = "CL"
items = ["cl1", "cl2"]

[[observed]]
id = "cc1"
text = "Complained? (1 = yes)"
min = 0
max = 1

[[covariate]]
id = "age"
predicts = ["CS"]

syntax = '''
CS ~ a*PQ
CL ~ b*CS
ind := a*b
cs1 ~~ cs2
'''
"""


def test_toml_observed_covariate_and_syntax_block():
    spec = read_toml(TOML, source="mini.toml")
    assert spec.structural_observed == ("cc1",) and spec.covariate_ids == ("age",)
    assert spec.scale_bounds["cs3"] == (0.0, 5.0) and spec.scale_bounds["cc1"] == (0.0, 1.0)
    assert spec.labels == ("a", "b") and spec.defined == ("ind",)
    assert ("cs1", "cs2") in spec.covariances
    st = [s.to_lavaan() for s in spec.statements]
    assert "CS ~ a*PQ" in st and "CL ~ b*CS" in st and st[-2:] == ["ind := a*b", "cs1 ~~ cs2"]
    df = spec.partable().to_frame()
    assert df.query("op == ':='")[["lhs", "rhs", "label", "rule"]].values.tolist() == [["ind", "a*b", "ind", "defined"]]
    on = read_toml(TOML, covariates=["age"])
    # the restated CS ~ a*PQ takes the syntax block's place, after the implied CS ~ age
    assert on.predecessors("CS") == ["age", "PQ"]


def test_toml_syntax_block_cannot_restate_a_modified_statement():
    bad = TOML.replace("cs1 ~~ cs2\n", "cs1 ~~ cs2\nCS ~ c*PQ\n")
    with pytest.raises(SpecError, match=r"\(syntax block starting on line \d+\), line 5: 'CS ~ PQ' is already written on line 1"):
        read_toml(bad)


def test_toml_path_to_an_undeclared_observed_variable():
    bad = TOML.replace('"cc1 -> CL"', '"cc2 -> CL"')
    with pytest.raises(SpecError, match=r"path cc2 -> CL names 'cc2', which is not a declared latent .* nor a declared observed"):
        read_toml(bad)


def test_toml_unknown_keys_are_refused():
    with pytest.raises(SpecError, match=r"\[\[covariate\]\] 'age' has unknown key\(s\) \['predict'\]"):
        read_toml(TOML.replace("predicts = ", "predict = "))
    with pytest.raises(SpecError, match=r"item 'cs3' of latent 'CS' has unknown key\(s\) \['maximum'\]"):
        read_toml(TOML.replace("max = 5", "maximum = 5"))


def test_toml_option_with_bad_table_is_refused():
    bad = TOML + '\n[option.x]\ndefault = "a"\n'
    with pytest.raises(SpecError, match=r"\[option.x\] needs a default value and a table \[option.x.VALUE\]"):
        read_toml(bad)


def test_every_shipped_model_still_loads_and_builds_a_table():
    for name in acsi.list_models():
        spec = load_model(name)
        assert spec.partable().npar > 0
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            parse_lavaan(spec.to_lavaan())
    assert math.isclose(load_model("acsi").scale_bounds["cs1"][1], 10.0)


# ---- the out-of-range hint never recommends deleting a whole 0/1 column ------------------
def test_out_of_range_hint_points_to_the_scale_of_a_yes_no_item():
    import numpy as np
    import pandas as pd

    from acsi.data.prepare import prepare_survey
    from acsi.errors import DataError

    spec = load_model("acsi")
    rng = np.random.default_rng(1)
    df = pd.DataFrame({it: rng.integers(1, 11, 40) for it in spec.item_ids})
    df["cc1"] = rng.integers(0, 2, 40)  # ACSI's yes/no complaint answer under the 1-10 scale
    with pytest.raises(DataError) as exc:
        prepare_survey(df, spec)
    msg = str(exc.value)
    assert "out_of_range='missing'" not in msg and "--out-of-range" not in msg
    assert "cc1: most answers lie outside the declared scale" in msg
    assert "scales={'cc1': (0, 1)}" in msg and "complaint='yes_no'" in msg
    stray = df.assign(cc1=rng.integers(1, 11, 40))
    stray.loc[3, "cs2"] = 11
    with pytest.raises(DataError, match=r"out_of_range='missing' \(command line: --out-of-range missing\)"):
        prepare_survey(stray, spec)


# ---- TOML round trip ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        *[(lambda n=n: load_model(n)) for n in acsi.list_models()],
        lambda: load_model("acsi", complaint="yes_no"),
        lambda: load_model("airline", covariates=["age", "flights_per_year"]),
        lambda: read_toml(TOML, source="mini.toml"),
        lambda: read_toml(TOML, covariates=True),
        lambda: parse_lavaan(COMPLAINT + "CS ~ age\n",
                             scales={"cc1": (0, 1)}),
    ],
)
def test_toml_round_trip(make):
    spec = make()
    text = spec.to_toml()
    again = read_toml(text)
    assert again == spec
    assert again.statements == spec.statements and again.observed == spec.observed
    assert again.scale_bounds == spec.scale_bounds and again.options == spec.options
    assert [it.text_zh for it in again.items] == [it.text_zh for it in spec.items]
    assert again.partable() == spec.partable()
    assert read_toml(again.to_toml()).to_toml() == text
