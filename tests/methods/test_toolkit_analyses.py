"""acsi.methods.analyses: the registry of toolkit analyses, their declared options, the saved folder format."""
from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.errors import DataError, InvalidParameterError, MethodError
from acsi.methods.analyses import ANALYSES, ToolkitResult, list_toolkit, load_toolkit, run_analysis
from acsi.options import describe

SURVEY = Path(__file__).resolve().parents[1] / "reference" / "methods_toolkit" / "survey.csv"
_GOOD = ["x", ["x"], 1, 0.5, True, None]


def _satisfies(value, constraints) -> bool:
    return any((c is None and value is None) or (c is not None and c.ok(value)) for c in constraints)


def _declared():
    for name, a in sorted(ANALYSES.items()):
        where, spec = getattr(a.run, "__acsi_options__", (None, {}))
        for option, constraints in spec.items():
            yield pytest.param(name, where, option, constraints, id=f"{name}:{option}")


@pytest.mark.parametrize("name, where, option, constraints", list(_declared()))
def test_every_declared_option_refuses_a_bad_value(name, where, option, constraints):
    run = ANALYSES[name].run
    bad = next(c.bad_value() for c in constraints if c is not None and not _satisfies(c.bad_value(), constraints))
    sig = inspect.signature(run)
    required = {}
    for p in sig.parameters.values():  # the other required options get values their declarations accept
        if p.kind is p.KEYWORD_ONLY and p.default is inspect.Parameter.empty and p.name != option:
            cons = run.__acsi_options__[1].get(p.name, ())
            required[p.name] = next((v for v in _GOOD if not cons or _satisfies(v, cons)), "x")
    with pytest.raises(InvalidParameterError) as info:
        run(pd.DataFrame({"x": [1]}), **required, **{option: bad})
    assert str(info.value).startswith(f"The {option!r} parameter of {where} must be {describe(constraints)}. Got ")
    assert info.value.parameter == option


def test_every_analysis_is_documented_and_names_its_method():
    for name, a in ANALYSES.items():
        assert a.run.__doc__ and (":func:" in a.run.__doc__ or ":mod:" in a.run.__doc__), name
        assert a.data in ("required", "optional", "none") and a.title


def test_run_save_load_round_trip(tmp_path):
    res = run_analysis("servqual", pd.read_csv(SURVEY), perception="price,speed", expectation="staff,clean",
                       dimension="a=price;b=speed", confidence=0.9)
    assert isinstance(res, ToolkitResult) and res.main == "servqual" and res.confidence == 0.9
    assert res.inputs == () and res.provenance["input_sha256_16"]
    paths = res.save(tmp_path, formats=("parquet",))
    names = sorted(p.name for p in paths)
    assert names == ["servqual.parquet", "servqual.png", "servqual_dimensions.parquet", "servqual_items.parquet",
                     "servqual_manifest.json"]
    doc = json.loads((tmp_path / "servqual_manifest.json").read_text())
    assert doc["kind"] == "toolkit" and doc["analysis"] == "servqual" and doc["confidence"] == 0.9
    assert doc["options"]["dimension"] == "a=price;b=speed" and set(doc["files"]) == set(names) - {"servqual_manifest.json"}
    back = load_toolkit(tmp_path)
    for stem in res.tables:
        pd.testing.assert_frame_equal(back.table(stem), res.table(stem))
    assert back.table("items").equals(back.table("servqual_items"))
    assert back.figure_file == "servqual.png" and not back.has_figure
    with pytest.raises(MethodError, match="no table 'nope'"):
        back.table("nope")


def test_a_file_input_is_recorded_and_tables_are_copies(tmp_path):
    res = run_analysis("nps", SURVEY, columns="recommend")
    assert res.inputs[0]["rows"] == 300 and len(res.inputs[0]["sha256"]) == 64
    t = res.table()
    t.loc[0, "nps"] = 999
    assert res.table().loc[0, "nps"] != 999


def test_folders_hold_several_analyses_and_refuse_tampering(tmp_path):
    d = pd.read_csv(SURVEY)
    run_analysis("nps", d, columns="recommend").save(tmp_path)
    run_analysis("ces", d, columns="effort").save(tmp_path, figure=False)
    assert sorted(list_toolkit(tmp_path)) == ["ces", "nps"]
    with pytest.raises(MethodError, match="holds 2 toolkit analyses"):
        load_toolkit(tmp_path)
    (tmp_path / "ces.parquet").write_bytes(b"x")
    with pytest.raises(DataError, match="ces.parquet"):
        load_toolkit(tmp_path, "ces")
    with pytest.raises(MethodError, match="no figure to draw"):
        run_analysis("correlation", d, items="price,speed").save(tmp_path / "c", figure="c.png")


def test_the_input_rules():
    with pytest.raises(InvalidParameterError, match="'name' parameter of run_analysis must be one of"):
        run_analysis("no-such", None)
    with pytest.raises(MethodError, match="needs a data table"):
        run_analysis("nps", None, columns="x")
    with pytest.raises(MethodError, match="takes no data table"):
        run_analysis("sample_size", pd.DataFrame({"a": [1]}), margin=0.05)
    with pytest.raises(MethodError, match="apply when the input is a file or folder"):
        run_analysis("ipma", pd.DataFrame({"driver": ["a"], "importance": [1.0], "performance": [50.0]}), unit="x=1")
    with pytest.raises(MethodError, match=r"pattern 'zz\*' \(columns= / --columns\) matches no column"):
        run_analysis("nps", pd.DataFrame({"a": [1]}), columns="zz*")


def test_a_stratum_that_cannot_give_the_metric_stays_with_its_reason():
    d = pd.DataFrame({"ltr": [10, 9, 3, np.nan, np.nan], "g": ["a", "a", "a", "b", "b"]})
    t = run_analysis("nps", d, columns="ltr", by="g").table()
    assert list(t["g"].fillna("all")) == ["all", "a", "b"]
    assert np.isnan(t.loc[2, "nps"]) and "every answer is missing" in t.loc[2, "note"]
    assert t.loc[1, "nps"] == pytest.approx(100 * (2 - 1) / 3)
