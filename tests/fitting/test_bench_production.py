"""benchmarks/bench_production.py and profile_fit.py run at a small size (timings are not asserted)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _import(name):
    sys.path.insert(0, str(BENCH))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")
def test_bench_production_runs_small_and_checks_same_bits(tmp_path):
    bench = _import("bench_production")
    out = tmp_path / "production.csv"
    bench.main(["--companies", "3", "--periods", "2", "--n", "60", "--rounds", "1", "--unit-rounds", "1",
                "--sizes", "250", "--label", "smoke", "--out", str(out)])
    df = pd.read_csv(out)
    assert set(df["code"]) == {"smoke"}
    whats = set(df["what"])
    assert "semopy Model().fit() (baseline)" in whats
    one = df[df["case"] == "one unit, n=250"]
    assert set(one["clock"]) == {"process_time, round-robin", f"process_time, blocks of {bench.BLOCK}"}
    assert (one.groupby("clock")["what"].nunique() == 4).all()  # every method timed both ways
    assert "fit + scores + indexes + aggregate, n_jobs=2" in whats
    timed = df[df["what"] != "speed-up of 2 workers (n_jobs=1 time / n_jobs=2 time)"]
    assert np.isfinite(timed["seconds"]).all() and (timed["seconds"] >= 0).all()


@pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")
def test_profile_script_writes_both_profiles(tmp_path):
    prof = _import("profile_fit")
    prof.main(["--small", "--top", "5", "--out-dir", str(tmp_path)])
    fit_txt = (tmp_path / "profile_fit.txt").read_text()
    assert "one unit, n = 250" in fit_txt and "fitting.py" in fit_txt
    assert "bootstrap" in (tmp_path / "profile_bootstrap.txt").read_text()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")
def test_bench_production_bootstrap_rows_run_small(tmp_path):
    bench = _import("bench_production")
    out = tmp_path / "production.csv"
    bench.main(["--companies", "2", "--periods", "2", "--n", "80", "--skip-one-unit", "--skip-national",
                "--bootstrap", "10", "--label", "boot", "--out", str(out)])
    df = pd.read_csv(out)
    rows = df.set_index("what")["seconds"]
    assert rows["replicates used (converged and admissible)"] > 0
    assert rows["total (goal < 600 s on 2 cores)"] == pytest.approx(
        rows["fit + scores + indexes + aggregate"]
        + rows["bootstrap (replicates, BCa jackknife, every table, aggregation)"], rel=1e-5)
