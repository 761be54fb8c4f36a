"""ParTable: immutability, options, layout, and the rules named in each row."""

from __future__ import annotations

import numpy as np
import pytest

import acsi
from acsi.errors import InvalidParameterError
from acsi.spec import ParTable, build_partable, parse_lavaan


@pytest.fixture(scope="module")
def acsi_pt() -> ParTable:
    return acsi.load_model("acsi").partable()


def test_to_frame_is_a_copy(acsi_pt):
    df = acsi_pt.to_frame()
    df.loc[0, "free"] = 99
    df.loc[0, "lhs"] = "XX"
    again = acsi_pt.to_frame()
    assert again.loc[0, "free"] == 0 and again.loc[0, "lhs"] == "CE"


def test_table_is_immutable(acsi_pt):
    with pytest.raises(AttributeError):
        acsi_pt.npar = 3
    with pytest.raises(ValueError):
        acsi_pt.column("free")[0] = 5
    with pytest.raises(TypeError):
        acsi_pt.options["std_lv"] = True
    with pytest.raises(AttributeError):
        acsi_pt.layout(1).ov = ()


def test_columns_and_counts(acsi_pt):
    df = acsi_pt.to_frame()
    assert tuple(df.columns) == acsi.spec.partable.COLUMNS
    assert acsi_pt.npar == 39 == df["free"].max()
    assert sorted(df.loc[df["free"] > 0, "free"]) == list(range(1, 40))
    assert acsi_pt.ngroups == 1 and acsi_pt.group_labels == ("",)
    assert len(acsi_pt) == 45
    assert acsi_pt == acsi.load_model("acsi").partable()
    assert acsi_pt != acsi.load_model("acsi").partable(std_lv=True)


def test_rules_name_why_each_row_is_there(acsi_pt):
    df = acsi_pt.to_frame().set_index(["lhs", "op", "rhs"])
    assert df.loc[("CE", "=~", "ce1"), "rule"] == "marker"
    assert df.loc[("CE", "=~", "ce2"), "rule"] == "user"
    assert df.loc[("ce1", "~~", "ce1"), "rule"] == "auto_var"
    std = acsi.load_model("acsi").partable(std_lv=True).to_frame().set_index(["lhs", "op", "rhs"])
    assert std.loc[("CS", "~~", "CS"), ["free", "ustart", "rule"]].tolist() == [0, 1.0, "std_lv"]
    assert std.loc[("CE", "=~", "ce1"), "free"] > 0


def test_options_are_resolved_and_recorded(acsi_pt):
    assert acsi_pt.options["auto_fix_first"] is True and acsi_pt.options["meanstructure"] is False
    std = acsi.load_model("acsi").partable(std_lv=True)
    assert std.options["auto_fix_first"] is False
    ms = acsi.load_model("acsi").partable(meanstructure=True).to_frame()
    ints = ms[ms["op"] == "~1"]
    assert list(ints["lhs"]) == list(acsi.load_model("acsi").item_ids) + list(acsi.load_model("acsi").latent_ids)
    assert (ints.loc[ints["mat"] == "alpha", "free"] == 0).all() and (ints.loc[ints["mat"] == "nu", "free"] > 0).all()


@pytest.mark.parametrize(
    "options, match",
    [
        ({"std_lv": "yes"}, r"The 'std_lv' parameter of build_partable must be True or False\. Got 'yes' instead\."),
        ({"meanstructure": "auto"}, r"'meanstructure' parameter .* must be True, False or 'default'"),
        ({"groups": "AB"}, r"'groups' parameter .* non-empty sequence of group labels"),
        ({"groups": ["A", "A"]}, r"distinct group labels"),
        ({"groups": ["A", "B"], "group_equal": ["loading"]}, r"names from loadings, intercepts.*Got 'loading'"),
        ({"group_equal": ["loadings"]}, r"'group_equal' .* empty for a single-group model"),
        ({"groups": ["A", "B"], "group_partial": ["CS =~ xx"]}, r"parameters of the model .* Got 'CS=~xx' instead"),
    ],
)
def test_bad_options_are_refused_by_name(options, match):
    with pytest.raises(InvalidParameterError, match=match):
        build_partable(acsi.load_model("acsi"), **options)


def test_layout_and_bad_group(acsi_pt):
    lay = acsi_pt.layout(1)
    assert lay.ov == acsi.load_model("acsi").item_ids and lay.lv == lay.latents and lay.phantom == ()
    assert lay.shapes["lambda"] == (15, 6) and lay.ov_index("cs1") == 8 and lay.lv_index("CS") == 3
    with pytest.raises(InvalidParameterError, match=r"'group' parameter of ParTable.layout must be an int in 1..1"):
        acsi_pt.layout(2)


def test_item_latent_covariance_gets_a_phantom_latent():
    # lavaan represents an observed variable that covaries with a latent as a phantom latent
    spec = parse_lavaan("CS =~ cs1 + cs2 + cs3\nCL =~ cl1 + cl2\nCL ~ CS\ncl1 ~~ CS\n")
    pt = spec.partable()
    lay = pt.layout()
    assert lay.phantom == ("cl1",) and lay.lv == ("CS", "CL", "cl1")
    df = pt.to_frame().set_index(["lhs", "op", "rhs"])
    assert df.loc[("CL", "=~", "cl1"), ["mat", "row", "col"]].tolist() == ["beta", 2, 1]
    assert df.loc[("CS", "~~", "cl1"), ["mat", "row", "col"]].tolist() == ["psi", 0, 2]
    assert np.isnan(df.loc[("CS", "~~", "cl1"), "ustart"])
