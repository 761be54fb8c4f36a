"""The shipped model files (models/*.toml): structure, wording in English and Chinese.

Checked with tomllib directly (independent of the loader in acsi/spec), and once more through
``acsi.load_model`` so that both readers agree.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

MODELS = Path(__file__).resolve().parents[2] / "models"
SHIPPED = ["acsi", "ecsi", "ccsi", "ccsi_image", "scsb", "airline", "dk", "swics", "ncsi"]
CJK = re.compile(r"[\u4e00-\u9fff]")
IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
# characters that exist only in Simplified Chinese; the files use Traditional characters
SIMPLIFIED_ONLY = "质满顾购价诉诚对体务环评关为时间题产发员机飞过经营门销让们设备报纸杂节电视准点实现与择类务压项导难"


def _doc(name: str) -> dict:
    with open(MODELS / f"{name}.toml", "rb") as fh:
        return tomllib.load(fh)


def _paths(doc: dict) -> list[tuple[str, str]]:
    out = []
    for p in doc["paths"]:
        a, b = (s.strip() for s in p.split("->"))
        out.append((a, b))
    return out


@pytest.mark.parametrize("name", SHIPPED)
def test_model_file_is_valid(name):
    doc = _doc(name)
    assert doc["name"] == name
    for key in ("title", "description", "reference", "headline"):
        assert isinstance(doc[key], str) and doc[key].strip(), key
    assert doc["scale"] == {"min": 1, "max": 10}
    assert "paths" in doc, "paths must be a top-level key (write it before the [[latent]] tables)"
    latents = [lv["id"] for lv in doc["latent"]]
    assert len(set(latents)) == len(latents)
    assert all(re.fullmatch(r"[A-Z]{2,3}", lv) for lv in latents)
    items = [it["id"] for lv in doc["latent"] for it in lv["items"]]
    assert len(set(items)) == len(items), "item ids must be unique"
    assert all(IDENT.match(i) for i in items)
    assert not set(items) & set(latents)
    assert all(len(lv["items"]) >= 1 for lv in doc["latent"])
    assert doc["headline"] in latents
    paths = _paths(doc)
    assert len(set(paths)) == len(paths)
    for a, b in paths:
        assert a in latents and b in latents, (a, b)
    # every latent takes part in the structural model
    assert {x for p in paths for x in p} == set(latents)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_item_and_latent_has_english_and_traditional_chinese_wording(name):
    doc = _doc(name)
    for lv in doc["latent"]:
        assert lv["name"].strip() and CJK.search(lv["name_zh"]), lv["id"]
        for it in lv["items"]:
            assert it["text"].strip(), it["id"]
            assert CJK.search(it["text_zh"]), f"{name}: item {it['id']} has no Chinese wording"
            bad = [c for c in it["text_zh"] + lv["name_zh"] if c in SIMPLIFIED_ONLY]
            assert not bad, f"{name}: item {it['id']} uses simplified characters {bad}"


def test_acsi_ids_are_exactly_the_fixed_ones():
    doc = _doc("acsi")
    got = {lv["id"]: [it["id"] for it in lv["items"]] for lv in doc["latent"]}
    assert got == {
        "CE": ["ce1", "ce2", "ce3"], "PQ": ["pq1", "pq2", "pq3"], "PV": ["pv1", "pv2"],
        "CS": ["cs1", "cs2", "cs3"], "CC": ["cc1", "cc2"], "CL": ["cl1", "cl2"],
    }
    assert _paths(doc) == [("CE", "PQ"), ("CE", "PV"), ("CE", "CS"), ("PQ", "PV"), ("PQ", "CS"),
                           ("PV", "CS"), ("CS", "CC"), ("CS", "CL"), ("CC", "CL")]
    assert doc["headline"] == "CS"
    assert "Fornell" in doc["reference"] and "1996" in doc["reference"]


@pytest.mark.parametrize(
    ("name", "latents", "paths", "ref"),
    [
        ("ecsi", ["IM", "CE", "PQ", "PV", "CS", "CC", "CL"],
         {("IM", "CE"), ("IM", "CS"), ("IM", "CL"), ("CE", "PQ"), ("CE", "PV"), ("CE", "CS"), ("PQ", "PV"),
          ("PQ", "CS"), ("PV", "CS"), ("CS", "CC"), ("CS", "CL"), ("CC", "CL")}, "Cassel"),
        ("ccsi", ["EQ", "PQ", "PV", "CS", "CC", "CL"],
         {("EQ", "PQ"), ("EQ", "PV"), ("EQ", "CS"), ("PQ", "PV"), ("PQ", "CS"), ("PV", "CS"), ("CS", "CC"),
          ("CS", "CL"), ("CC", "CL")}, "Zhao"),
        ("ccsi_image", ["IM", "EQ", "PQ", "PV", "CS", "CL"],
         {("IM", "EQ"), ("IM", "CS"), ("IM", "CL"), ("EQ", "PQ"), ("EQ", "PV"), ("EQ", "CS"), ("PQ", "PV"),
          ("PQ", "CS"), ("PV", "CS"), ("CS", "CL")}, "Standardization"),
        ("scsb", ["CE", "PP", "CS", "VO", "CL"],
         {("CE", "PP"), ("CE", "CS"), ("PP", "CS"), ("CS", "VO"), ("CS", "CL"), ("VO", "CL")}, "Fornell, C. (1992)"),
        ("airline", ["IM", "CR", "CB", "CT", "EN", "SF", "PU", "PR", "CS", "CL"],
         {("IM", "CS"), ("CR", "CS"), ("CB", "CS"), ("CT", "CS"), ("EN", "CS"), ("SF", "CS"), ("PU", "CS"),
          ("PR", "CS"), ("CS", "CL")}, "SPEC.md"),
    ],
)
def test_structures_of_the_other_models(name, latents, paths, ref):
    doc = _doc(name)
    assert [lv["id"] for lv in doc["latent"]] == latents
    assert set(_paths(doc)) == paths and len(doc["paths"]) == len(paths)
    assert doc["headline"] == "CS"
    assert ref in doc["reference"]


def test_ccsi_complaints_have_one_item_and_ecsi_item_ids():
    ccsi = {lv["id"]: [it["id"] for it in lv["items"]] for lv in _doc("ccsi")["latent"]}
    assert ccsi["CC"] == ["cc1"]
    ecsi = {lv["id"]: [it["id"] for it in lv["items"]] for lv in _doc("ecsi")["latent"]}
    assert ecsi["IM"] == ["im1", "im2", "im3"] and ecsi["CE"] == ["ce1", "ce2", "ce3"]
    assert all(i.startswith(lv.lower()) for lv, its in ecsi.items() for i in its)


def test_airline_items_follow_the_worked_example():
    doc = _doc("airline")
    counts = {lv["id"]: len(lv["items"]) for lv in doc["latent"]}
    assert counts == {"IM": 3, "CR": 4, "CB": 8, "CT": 3, "EN": 5, "SF": 3, "PU": 3, "PR": 3, "CS": 3, "CL": 2}
    demo = doc["demographics"]
    assert demo["names"] == ["age", "sex", "occupation", "education", "monthly_income", "flights_per_year"]
    assert len(demo["names_zh"]) == len(demo["names"]) and all(CJK.search(z) for z in demo["names_zh"])
    assert not set(demo["names"]) & {it["id"] for lv in doc["latent"] for it in lv["items"]}


def test_model_dir_holds_exactly_the_shipped_models():
    assert sorted(p.stem for p in MODELS.glob("*.toml")) == sorted(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_acsi_loader_reads_the_file_identically(name):
    spec_mod = pytest.importorskip("acsi.spec")
    spec = spec_mod.load_model(name)
    doc = _doc(name)
    assert spec.latent_ids == tuple(lv["id"] for lv in doc["latent"])
    assert spec.item_ids == tuple(it["id"] for lv in doc["latent"] for it in lv["items"])
    assert list(spec.paths) == _paths(doc)
    assert spec.headline == doc["headline"]
    assert all(it.min == 1 and it.max == 10 for it in spec.items)
