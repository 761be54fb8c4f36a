"""acsi.tables (one writer, one manifest format, one file reader) and acsi.provenance."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from acsi.errors import DataError, InputFileError, InvalidParameterError
from acsi.provenance import hash_tables, stamp, utc_now, versions
from acsi.tables import read_file, read_manifest, read_saved, verify_manifest, write_manifest, write_result, write_tables


def test_write_read_and_verify(tmp_path):
    df = pd.DataFrame({"period": ["2008", "2009"], "x": [1.5, 2.5]})
    paths = write_tables(tmp_path, {"t": df})
    assert [p.name for p in paths] == ["t.csv", "t.parquet"]
    pd.testing.assert_frame_equal(read_saved(tmp_path, "t"), df)
    assert read_file(tmp_path / "t.csv", text_columns=("period",))["period"].tolist() == ["2008", "2009"]
    assert read_saved(tmp_path, "absent") is None
    man = write_manifest(tmp_path, "m.json", "test", {"options": {"a": 1}}, paths)
    doc = json.loads(man.read_text())
    assert doc["format"] == "acsi.manifest" and doc["kind"] == "test" and set(doc["files"]) == {"t.csv", "t.parquet"}
    assert verify_manifest(tmp_path, doc) == ["t.csv", "t.parquet"]
    (tmp_path / "t.csv").write_text("period,x\n2008,9\n")
    with pytest.raises(DataError, match=r"do not match their manifest: t.csv \(changed"):
        verify_manifest(tmp_path, doc)
    # a second write of the same kind keeps the files listed before (to_csv then to_parquet)
    write_tables(tmp_path, {"u": df}, formats=("csv",))
    doc2 = json.loads(write_manifest(tmp_path, "m.json", "test", {}, [tmp_path / "u.csv"], merge=True).read_text())
    assert set(doc2["files"]) == {"t.csv", "t.parquet", "u.csv"}
    doc3 = json.loads(write_manifest(tmp_path, "m.json", "test", {}, [tmp_path / "u.csv"]).read_text())
    assert set(doc3["files"]) == {"u.csv"}  # a new result lists only its own files


def test_write_result_writes_tables_texts_and_a_manifest_listing_them(tmp_path):
    df = pd.DataFrame({"x": [1.0, 2.0]})
    paths = write_result(tmp_path, {"a": df, "b": df}, texts={"notes.txt": "hello\n"}, manifest="r.json", kind="r",
                         header={"options": {"k": 1}})
    assert [p.name for p in paths] == ["a.csv", "a.parquet", "b.csv", "b.parquet", "notes.txt", "r.json"]
    doc = read_manifest(tmp_path, "r.json")
    assert doc["kind"] == "r" and doc["options"] == {"k": 1}
    assert verify_manifest(tmp_path, doc) == ["a.csv", "a.parquet", "b.csv", "b.parquet", "notes.txt"]
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "hello\n"


def test_reader_and_writer_errors(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        read_file(tmp_path / "nope.csv")
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(DataError, match=r"extension '.json'; use .csv, .parquet or .xlsx"):
        read_file(tmp_path / "x.json")
    with pytest.raises(InvalidParameterError, match="'formats' parameter of acsi.tables.write_tables"):
        write_tables(tmp_path, {"t": pd.DataFrame()}, formats=("xml",))
    assert isinstance(InputFileError("x"), FileNotFoundError)


def test_provenance():
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", utc_now())
    v = versions()
    assert set(v) == {"python", "acsi", "semopy", "numpy", "scipy", "pandas"}
    v["numpy"] = "changed"
    assert versions()["numpy"] != "changed"  # a copy each time
    a = pd.DataFrame({"x": [1, 2]})
    assert hash_tables(a) == hash_tables(a.copy()) != hash_tables(a.rename(columns={"x": "y"}))
    assert len(hash_tables(pd.DataFrame({"x": [[1], [2]]}))) == 16  # unhashable cells go through their text
    s = stamp({"k": 1}, a)
    assert s["options"] == {"k": 1} and s["input_sha256_16"] == hash_tables(a)
