"""BootstrapResult is a record: complete at construction, tables as copies, read-only arrays and meta,
one manifest format for its files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import acsi
from conftest import ACSI_LAVAAN, two_period_survey


@pytest.fixture(scope="module")
def boot():
    survey = two_period_survey().query("company != 'Tiny'")
    fit = acsi.fit(survey, acsi.parse_lavaan(ACSI_LAVAAN), unit="company", pooled=False)
    sales = pd.DataFrame({"company": ["A", "B", "C"], "sales": [3.0, 1.0, 2.0]})
    return fit, fit.bootstrap(n_boot=6, seed=4, bca=False, weights=sales, aggregate_options={"window": 1})


def test_meta_is_complete_and_read_only(boot):
    fit, b = boot
    assert {"backend", "seconds", "n_tasks", "period", "estimator", "created_utc", "versions", "options"} <= set(b.meta)
    assert b.meta["input_sha256_16"] == fit.data_hash and b.meta["options"]["n_boot"] == 6
    with pytest.raises(TypeError):
        b.meta["backend"] = "x"


def test_tables_are_copies_and_arrays_read_only(boot):
    _, b = boot
    h = b.headline
    h.loc[0, "boot_se"] = -1.0
    assert b.headline.loc[0, "boot_se"] > 0
    for name in ("indexes", "estimates", "counts", "changes", "aggregates", "aggregate_changes"):
        assert getattr(b, name) is not getattr(b, name)
    with pytest.raises(ValueError, match="read-only"):
        b.replicates[0, 0, 0] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        b.status[0, 0] = 9
    assert len(repr(b)) < 200 and "<table" in b._repr_html_()


def test_save_writes_csv_parquet_and_the_manifest(boot, tmp_path):
    _, b = boot
    paths = b.save(tmp_path)
    names = {p.name for p in paths}
    assert {"bootstrap_indexes.csv", "bootstrap_indexes.parquet", "bootstrap_summary.txt",
            "bootstrap_manifest.json"} <= names
    man = json.loads((tmp_path / "bootstrap_manifest.json").read_text())
    assert man["format"] == "acsi.manifest" and man["kind"] == "bootstrap" and man["seed"] == 4
    assert set(man["files"]) == names - {"bootstrap_manifest.json"}
    back = pd.read_parquet(tmp_path / "bootstrap_indexes.parquet")
    np.testing.assert_allclose(back["boot_se"], b.indexes["boot_se"])
