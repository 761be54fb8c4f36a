"""FitResult as a record: copies of its tables, read-only options and provenance stamped when the fit
ran, a short repr, and results that save with their model and reload as a usable FitResult."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.errors import AcsiError, DataError, InputFileError
from conftest import ACSI_LAVAAN, two_period_survey

TABLES = ("indexes", "latent_indexes", "scores", "estimates", "fit_measures", "item_weights", "units", "accounting")


@pytest.fixture(scope="module")
def fit():
    with pytest.warns(acsi.ConvergenceWarning):
        return acsi.fit(two_period_survey(), acsi.parse_lavaan(ACSI_LAVAAN), unit="company", weight=None)


@pytest.fixture(scope="module")
def saved(fit, tmp_path_factory):
    out = tmp_path_factory.mktemp("saved")
    fit.save(out)
    return out


def test_tables_are_copies(fit):
    before = fit.indexes["index"].iloc[0]
    t = fit.indexes
    t.loc[0, "index"] = -999
    assert fit.indexes["index"].iloc[0] == before
    for name in TABLES:
        assert getattr(fit, name) is not getattr(fit, name)


def test_options_provenance_and_outcomes_are_read_only(fit):
    with pytest.raises(TypeError):
        fit.options["confidence"] = 0.5
    with pytest.raises(TypeError):
        fit.provenance["versions"]["numpy"] = "0"
    with pytest.raises(AttributeError):
        fit.outcomes.append(None)
    with pytest.raises(AttributeError):
        fit.spec = None
    assert isinstance(fit.groups, tuple) and fit.groups == ("period", "company")


def test_provenance_is_stamped_when_the_fit_runs(fit, saved):
    prov = fit.provenance
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", prov["created_utc"])
    assert prov["versions"]["acsi"] == acsi.__version__ and "semopy" in prov["versions"]
    assert prov["input_sha256_16"] == fit.data_hash and len(fit.data_hash) == 16
    assert prov["options"]["confidence"] == 0.95
    man = json.loads((saved / "manifest.json").read_text())
    assert man["created_utc"] == prov["created_utc"]  # the fit's time, not the save's
    assert man["format"] == "acsi.manifest" and man["kind"] == "fit"


def test_repr_is_short_and_html_shows_the_summary(fit):
    text = repr(fit)
    assert len(text) < 300 and "\n" not in text
    assert text.startswith("<FitResult custom (sem): 7 units by period/company (6 ok, 0 inadmissible, 1 failed)")
    html = fit._repr_html_()
    assert "<table" in html and "acsi fit: custom" in html


def test_save_writes_the_model_and_a_manifest_of_every_file(fit, saved):
    assert (saved / "model.lav").read_text() == fit.spec.to_lavaan()
    assert acsi.spec.read_toml((saved / "model.toml").read_text()).latents == fit.spec.latents
    man = json.loads((saved / "manifest.json").read_text())
    listed = set(man["files"])
    on_disk = {p.name for p in saved.iterdir()} - {"manifest.json"}
    assert listed == on_disk
    assert all(len(e["sha256"]) == 64 and e["bytes"] > 0 for e in man["files"].values())
    assert man["model_toml"] == fit.spec.to_toml() and man["model_lavaan"] == fit.spec.to_lavaan()


def test_load_results_returns_a_usable_fit(fit, saved):
    back = acsi.load_results(saved)
    assert back.spec == fit.spec and back.estimator == fit.estimator and back.groups == fit.groups
    assert dict(back.options) == dict(fit.options) and back.data_hash == fit.data_hash
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(back, name), getattr(fit, name), check_dtype=False)
    pd.testing.assert_frame_equal(back.pooled.estimates, fit.pooled.estimates, check_dtype=False)
    assert back.pooled.status == fit.pooled.status and back.pooled.n == fit.pooled.n
    assert back.summary().as_text().split("\n")[3:] == fit.summary().as_text().split("\n")[3:]
    sales = pd.DataFrame({"company": ["A", "B", "C"], "sales": [100.0, 300.0, 50.0]})
    pd.testing.assert_frame_equal(back.aggregate(sales, partial_windows=True).table(),
                                  fit.aggregate(sales, partial_windows=True).table())
    assert "loaded from files" in repr(back)
    with pytest.raises(AcsiError, match=r"loaded from saved files, which hold no survey answers.*acsi.fit\(\.\.\.\)"):
        back.bootstrap(n_boot=10)


def test_load_results_verifies_the_manifest(saved, tmp_path):
    import shutil

    d = tmp_path / "r"
    shutil.copytree(saved, d)
    idx = pd.read_parquet(d / "company_indexes.parquet")
    idx.loc[0, "index"] = 1.0
    idx.to_parquet(d / "company_indexes.parquet")
    with pytest.raises(DataError, match=r"do not match their manifest: company_indexes.parquet \(changed"):
        acsi.load_results(d)
    assert acsi.load_results(d, verify=False).indexes["index"].iloc[0] == 1.0
    (d / "units.csv").unlink()
    with pytest.raises(DataError, match=r"units.csv \(missing\)"):
        acsi.load_results(d)
    with pytest.raises(InputFileError, match="does not exist"):
        acsi.load_results(tmp_path / "nowhere")


@pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")
def test_report_reads_a_loaded_fit(saved):
    from acsi.report import render_report

    html = render_report(acsi.load_results(saved))
    assert "<html" in html and "CS" in html


def test_a_loaded_fit_without_parquet_keeps_period_labels_as_text(saved, tmp_path):
    import shutil

    d = tmp_path / "csv_only"
    shutil.copytree(saved, d)
    for p in d.glob("*.parquet"):
        p.unlink()
    back = acsi.load_results(d, verify=False)
    assert back.indexes["period"].tolist() == acsi.load_results(saved).indexes["period"].tolist()
    assert np.isfinite(back.indexes["index"]).sum() == 6


@pytest.mark.filterwarnings("ignore::acsi.ConvergenceWarning")
def test_a_stale_file_in_the_folder_is_refused(fit, tmp_path):
    # issue 16: a save replaces the folder whole, so the pooled tables of an earlier save in the same
    # folder are gone; a result file that no manifest lists (copied in, left by another run) is refused
    fit.save(tmp_path / "r")
    nopool = acsi.fit(two_period_survey(), acsi.parse_lavaan(ACSI_LAVAAN), unit="company", pooled=False)
    nopool.save(tmp_path / "r")
    assert not (tmp_path / "r" / "pooled_estimates.csv").exists()
    assert acsi.load_results(tmp_path / "r").pooled is None
    stale = pd.DataFrame({"lhs": ["X"], "op": ["=~"], "rhs": ["x"], "est": [9.0]})
    stale.to_csv(tmp_path / "r" / "pooled_estimates.csv", index=False)
    assert "pooled_estimates.csv" not in json.loads((tmp_path / "r" / "manifest.json").read_text())["files"]
    with pytest.raises(DataError, match="result files that no manifest lists: pooled_estimates.csv"):
        acsi.load_results(tmp_path / "r")
