"""Schema versions: a store of the first version is migrated; a newer one is refused; bad files."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import numpy as np
import pytest

from acsi.store import SCHEMA_VERSION, StoreError, StoreVersionError, history, open_store, revisions
from acsi.store.schema import V1_DDL


def _v1_store(path):
    con = duckdb.connect(str(path))
    for name in ("schema_version", "releases", "figures", "estimates", "fit_measures"):
        con.execute(V1_DDL[name])
    con.execute("INSERT INTO schema_version VALUES (1, TIMESTAMP '2025-01-02 00:00:00', '0.0.9', 'created')")
    opts = json.dumps({"confidence": 0.9, "headline": "CS"})
    con.execute("INSERT INTO releases VALUES ('2024Q4', DATE '2025-01-15', TIMESTAMP '2025-01-15 10:00:00', 'acsi', "
                "'[model]\nname = \"acsi\"', 'sem', ?, '{}', '{}', 'first')", [opts])
    con.execute("INSERT INTO releases VALUES ('2025Q1', DATE '2025-04-15', TIMESTAMP '2025-04-15 10:00:00', 'acsi', "
                "'CS =~ cs1 + cs2', 'sem', ?, '{}', '{}', 'second')", [opts])
    rows = [
        ("2024Q4", "company", "Alpha", "2024Q4", 71.25, 1.5, 68.8, 73.7, 250.0, "ok", ""),
        ("2024Q4", "national", "national", "2024Q4", 72.0, 0.4, 71.3, 72.7, 5000.0, "ok", ""),
        ("2025Q1", "company", "Alpha", "2025Q1", 73.5, 1.4, 71.2, 75.8, 240.0, "ok", ""),
        ("2025Q1", "national", "national", "2024Q4", 72.5, 0.4, 71.8, 73.2, 5000.0, "ok", ""),
        ("2025Q1", "national", "national", "2025Q1", 73.0, 0.4, 72.3, 73.7, 5100.0, "ok", ""),
        ("2025Q1", "company", "Beta", "2025Q1", None, None, None, None, 12.0, "failed", "too few respondents"),
    ]
    con.executemany("INSERT INTO figures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("INSERT INTO estimates VALUES ('2024Q4', '2024Q4', 'Alpha', 'CS', '=~', 'cs1', 1.0, NULL), "
                "('2024Q4', '2024Q4', 'Alpha', 'CS', '=~', 'cs2', 0.93, 0.04)")
    con.execute("INSERT INTO fit_measures VALUES ('2024Q4', '2024Q4', 'Alpha', 'cfi', 0.987)")
    con.close()


def test_migration_from_version_1_keeps_every_figure(tmp_path):
    path = tmp_path / "v1.duckdb"
    _v1_store(path)
    with open_store(path) as st:
        assert st.version() == SCHEMA_VERSION
        versions = st.query("SELECT version, note FROM schema_version ORDER BY version")
        assert list(versions["version"]) == list(range(1, SCHEMA_VERSION + 1))
        assert versions["note"].iloc[-1] == "migrated from version 1"
        rel = st.releases()
        assert list(rel["release_id"]) == ["2024Q4", "2025Q1"] and list(rel["release_key"]) == [1, 2]
        assert rel["model_toml"].iloc[0].startswith("[model]") and rel["model_lavaan"].iloc[1] == "CS =~ cs1 + cs2"
        assert (rel["kind"] == "estimated").all() and (rel["status"] == "current").all()
        f = st.table("figures").sort_values(["release_key", "level", "unit", "period"])
        assert len(f) == 6
        assert (f["latent"] == "CS").all() and (f["ci_level"] == 0.9).all()
        alpha = f.loc[(f["unit"] == "Alpha") & (f["period"] == "2024Q4")].iloc[0]
        assert alpha["index"] == 71.25 and alpha["ci_method"] == "t" and alpha["t"] == (2024 - 1970) * 4 + 3
        assert alpha["frequency"] == "Q" and alpha["origin"] == "measured"
        beta = f.loc[f["unit"] == "Beta"].iloc[0]
        assert np.isnan(beta["index"]) and beta["status"] == "failed" and beta["reason"] == "too few respondents"
        e = st.table("estimates")
        assert list(e["rhs"]) == ["cs1", "cs2"] and e["est"].tolist() == [1.0, 0.93]
        assert st.table("fit_measures")["value"].tolist() == [0.987]
        for name in ("changes", "measurements", "replicates"):
            assert st.table(name).empty
    h = history(path, "national")
    assert h.loc[h["release_id"] == "2025Q1", "index"].tolist() == [72.5, 73.0]
    rev = revisions(path, "2024Q4", "2025Q1")
    assert len(rev) == 1 and rev["revision"].iloc[0] == pytest.approx(0.5)


def test_read_only_open_migrates_first(tmp_path):
    path = tmp_path / "v1.duckdb"
    _v1_store(path)
    with open_store(path, read_only=True) as st:
        assert st.read_only and st.version() == SCHEMA_VERSION


def test_a_failed_migration_leaves_version_1(tmp_path, monkeypatch):
    path = tmp_path / "v1.duckdb"
    _v1_store(path)
    from acsi.store import schema

    def broken(con):
        schema.migrate_1_to_2(con)
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setitem(schema.MIGRATIONS, 1, broken)
    with pytest.raises(RuntimeError, match="simulated"):
        open_store(path)
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM figures").fetchone()[0] == 6
    con.close()


def test_a_store_written_by_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "new.duckdb"
    open_store(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_version VALUES (?, ?, '9.0.0', 'future')", [SCHEMA_VERSION + 1, dt.datetime(2030, 1, 1)])
    con.close()
    with pytest.raises(StoreVersionError, match=rf"schema version {SCHEMA_VERSION + 1}, written by acsi 9\.0\.0.*Upgrade acsi"):
        open_store(path)
    with pytest.raises(StoreVersionError):
        open_store(path, read_only=True)


def test_files_that_are_not_stores(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(StoreError, match="not a valid DuckDB database"):
        open_store(text)
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not an acsi history store"):
        open_store(other)
    with pytest.raises(StoreError, match="is a directory"):
        open_store(tmp_path)
    with pytest.raises(StoreError, match="there is no history store"):
        open_store(tmp_path / "missing.duckdb", read_only=True)
    with pytest.raises(StoreError, match="does not exist"):
        open_store(tmp_path / "no" / "dir.duckdb")


def test_read_only_store_refuses_writes(tmp_path):
    path = tmp_path / "s.duckdb"
    open_store(path).close()
    with open_store(path, read_only=True) as st, pytest.raises(StoreError, match="read-only"):
        st.write_release({"release_id": "x", "kind": "external"}, {})
