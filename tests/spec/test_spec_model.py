"""Model specifications: shipped files, lavaan text, and errors that point at the problem."""

import pytest

import acsi
from acsi.errors import SpecError
from acsi.spec import list_models, load_model, parse_lavaan

REQUIRED = {"acsi", "ecsi", "ccsi", "ccsi_image", "scsb", "airline", "dk", "swics", "ncsi"}

GOOD_TOML = """
name = "mini"
title = "Mini"
headline = "CS"
scale = { min = 1, max = 10 }

[[latent]]
id = "CS"
items = [{ id = "cs1", text = "Overall", text_zh = "總體" }, { id = "cs2" }]

[[latent]]
id = "CL"
items = ["cl1", { id = "cl2", min = 0, max = 5 }]

paths = ["CS -> CL"]
"""


def test_required_models_are_shipped():
    assert REQUIRED <= set(list_models())


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_shipped_model_loads_and_round_trips_through_lavaan(name):
    spec = load_model(name)
    assert spec.headline in spec.latent_ids
    again = parse_lavaan(spec.to_lavaan(), headline=spec.headline)
    assert set(again.paths) == set(spec.paths)
    assert again.blocks == spec.blocks
    for it in spec.items:
        assert it.text and it.text_zh, f"{name}: item {it.id} lacks English or Chinese wording"


def test_acsi_model_structure():
    spec = load_model("acsi")
    # blocks are read-only: tuples of item ids (lists before issue 11; see CHANGELOG)
    assert spec.blocks == {"CE": ("ce1", "ce2", "ce3"), "PQ": ("pq1", "pq2", "pq3"), "PV": ("pv1", "pv2"),
                           "CS": ("cs1", "cs2", "cs3"), "CC": ("cc1", "cc2"), "CL": ("cl1", "cl2")}
    assert set(spec.paths) == {("CE", "PQ"), ("CE", "PV"), ("CE", "CS"), ("PQ", "PV"), ("PQ", "CS"),
                               ("PV", "CS"), ("CS", "CC"), ("CS", "CL"), ("CC", "CL")}
    assert spec.headline == "CS"
    assert all((it.min, it.max) == (1, 10) for it in spec.items)


def test_ecsi_has_seven_constructs_and_twelve_paths():
    spec = load_model("ecsi")
    assert len(spec.latents) == 7 and len(spec.paths) == 12


def test_models_ship_in_the_installed_package():
    from importlib import resources

    assert resources.files("acsi.models").joinpath("acsi.toml").is_file()


def test_toml_reader_item_bounds_and_wording(tmp_path):
    p = tmp_path / "mini.toml"
    p.write_text(GOOD_TOML, encoding="utf-8")
    spec = load_model(p)
    assert spec.scale_bounds["cl2"] == (0.0, 5.0)
    assert spec.items[0].text_zh == "總體"
    assert spec.source == str(p)


def test_toml_syntax_error_names_file_and_line(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text(GOOD_TOML.replace('title = "Mini"', 'title = Mini'), encoding="utf-8")
    with pytest.raises(SpecError, match=r"bad\.toml, line 3: invalid TOML: Invalid value.*\n    title = Mini"):
        load_model(p)


def test_toml_path_to_unknown_latent_names_it_and_line(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text(GOOD_TOML.replace('"CS -> CL"', '"CS -> LOY"'), encoding="utf-8")
    with pytest.raises(SpecError, match=r"(?s)path CS -> LOY names 'LOY', which is not a declared latent.*line 15: paths"):
        load_model(p)


def test_toml_malformed_path(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text(GOOD_TOML.replace('"CS -> CL"', '"CS => CL"'), encoding="utf-8")
    with pytest.raises(SpecError, match=r"line 15: path 'CS => CL' is not of the form"):
        load_model(p)


def test_lavaan_error_points_at_line_and_column():
    text = "CS =~ cs1 + cs2\nCL =~ cl1 + 2cl\n"
    with pytest.raises(SpecError, match=r"<string>, line 2: '2cl' is not a variable name\n    CL =~ cl1 \+ 2cl\n {16}\^"):
        parse_lavaan(text)


def test_lavaan_fixed_values_are_read():
    # refused before issue 11 ("fixed values and labels are not supported"); lavaan's meaning now
    spec = parse_lavaan("CS =~ cs1 + 0.5*cs2\n")
    row = spec.partable().to_frame().query("rhs == 'cs2' and op == '=~'").iloc[0]
    assert (row["free"], row["ustart"], row["rule"]) == (0, 0.5, "user")


def test_lavaan_regression_on_item_is_read():
    # refused before issue 11 ("'cs1' is not a latent"); lavaan regresses on the indicator
    spec = parse_lavaan("CS =~ cs1 + cs2\nCL =~ cl1 + cl2\nCL ~ cs1\n")
    assert spec.paths == (("cs1", "CL"),) and spec.partable().layout().phantom == ("cs1",)


def test_lavaan_headline_comment_and_continuation():
    spec = parse_lavaan("# headline: LOY\nSAT =~ s1 +\n   s2 + s3 ; LOY =~ l1 + l2\nLOY ~ SAT\n")
    assert spec.headline == "LOY"
    assert spec.blocks["SAT"] == ("s1", "s2", "s3")


def test_lavaan_headline_required_without_cs():
    with pytest.raises(SpecError, match=r"cannot tell which latent is the headline index; pass headline="):
        parse_lavaan("SAT =~ s1 + s2\nLOY =~ l1 + l2\nLOY ~ SAT\n")


def test_cycle_is_refused():
    with pytest.raises(SpecError, match=r"cycle A -> B -> A"):
        parse_lavaan("A =~ a1 + a2\nB =~ b1 + b2\nB ~ A\nA ~ B\n", headline="A")


def test_item_in_two_latents_is_refused():
    with pytest.raises(SpecError, match=r"item 'x2' is listed under both 'A' and 'B'"):
        parse_lavaan("A =~ x1 + x2\nB =~ x2 + x3\n", headline="A")


def test_unknown_model_name_lists_the_shipped_ones():
    with pytest.raises(SpecError, match=r"unknown model 'acs': shipped models are .*acsi"):
        load_model("acs")


def test_spec_is_frozen():
    spec = parse_lavaan("CS =~ cs1 + cs2\n")
    with pytest.raises(AttributeError):
        spec.headline = "X"


def test_single_indicator_syntax_fixes_residual():
    spec = parse_lavaan("CS =~ cs1 + cs2\nCC =~ cc1\nCC ~ CS\n")
    assert "cc1 ~~ 0*cc1" in spec.to_lavaan()
    assert acsi.ModelSpec is type(spec)


def test_zero_residual_of_single_indicator_is_the_default():
    spec = parse_lavaan("CS =~ cs1 + cs2\nCC =~ cc1\nCC ~ CS\ncc1 ~~ 0*cc1\n")
    assert spec.blocks["CC"] == ("cc1",) and spec.covariances == ()
    assert spec == parse_lavaan("CS =~ cs1 + cs2\nCC =~ cc1\nCC ~ CS\n")
    # refused before issue 11 for items that are not single indicators; lavaan fixes it as written
    fixed = parse_lavaan("CS =~ cs1 + cs2\ncs2 ~~ 0*cs2\n").partable().to_frame().query("lhs == 'cs2' and op == '~~'")
    assert fixed[["user", "free", "ustart"]].values.tolist() == [[1, 0, 0.0]]


def test_a_models_hash_is_the_dataclass_hash_computed_once_and_not_pickled():
    """ModelSpec caches its hash (models key the compiled-model and plan caches); the value is the
    hash of the fields the dataclass hashes, equal models hash equal, and a pickled model (a
    worker's copy: text hashes differ between processes) computes its own."""
    import dataclasses

    import cloudpickle  # what joblib (loky) pickles a worker's arguments with

    from acsi.spec.model import _HASHED

    spec = acsi.load_model("acsi")
    assert "options" not in _HASHED and "source" not in _HASHED and "latents" in _HASHED
    h = hash(spec)
    assert h == hash(tuple(getattr(spec, name) for name in _HASHED)) and spec.__dict__["_hash"] == h
    assert hash(acsi.load_model("acsi")) == h
    copy = cloudpickle.loads(cloudpickle.dumps(spec))
    assert "_hash" not in copy.__dict__ and copy == spec and hash(copy) == h
    other = dataclasses.replace(spec, headline="CL")
    assert other != spec and hash(other) == hash(tuple(getattr(other, name) for name in _HASHED))


@pytest.mark.parametrize("name", ["acsi", "ecsi"])
def test_a_model_pickles_with_plain_pickle_read_only_and_without_its_derived_views(name):
    """A worker's tables-to-be refer to their model (acsi.pipeline.StackedOutcomes), so a model
    pickles with the standard pickler too: its read-only mappings travel as dicts and are read-only
    again, its derived views (cached properties) are remade on use, the copy equals the model."""
    import pickle
    from types import MappingProxyType

    spec = acsi.load_model(name)
    spec.blocks, spec.items  # derived views made before pickling
    copy = pickle.loads(pickle.dumps(spec))
    assert copy == spec and hash(copy) == hash(spec)
    assert type(copy.options) is MappingProxyType and type(copy.extra) is MappingProxyType
    assert dict(copy.options) == dict(spec.options) and dict(copy.extra) == dict(spec.extra)
    assert "blocks" not in copy.__dict__ and copy.blocks == spec.blocks
    with pytest.raises(TypeError):
        copy.options["x"] = 1
