"""benchmarks/bench_memory.py runs at a small size (the memory it measures is not asserted)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.skipif(shutil.which("/usr/bin/time") is None, reason="GNU time (/usr/bin/time) is not installed")
def test_bench_memory_runs_small_and_appends_rows(tmp_path):
    sys.path.insert(0, str(BENCH))
    try:
        bench = __import__("bench_memory")
    finally:
        sys.path.remove(str(BENCH))
    out = tmp_path / "memory.csv"
    for label in ("one", "two"):  # rows are appended, the header written once
        bench.main(["--n", "400", "--companies", "2", "--label", label, "--out", str(out)])
    df = pd.read_csv(out)
    assert list(df["label"]) == ["one"] * 3 + ["two"] * 3
    assert list(df["case"][:3]) == ["baseline", "one unit", "companies"] and list(df["units"][:3]) == [0, 1, 2]
    assert (df["peak_rss_mb"] > 0).all() and (df["baseline_rss_mb"] > 0).all()
    assert ((df["over_baseline_mb"] - (df["peak_rss_mb"] - df["baseline_rss_mb"])).abs() <= 0.11).all()
    # another source tree is measured by importing its acsi package (here a copy of this checkout's)
    src = tmp_path / "src"
    shutil.copytree(BENCH.parent / "acsi", src / "acsi", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(BENCH.parent / "models", src / "acsi" / "models")
    bench.main(["--n", "400", "--cases", "one unit", "--source", str(src), "--label", "src", "--out", str(out)])
    assert list(pd.read_csv(out)["label"])[-2:] == ["src", "src"]
    with pytest.raises(RuntimeError, match="failed"):  # a tree without acsi is refused, not measured as this one
        bench.main(["--n", "400", "--cases", "one unit", "--source", str(tmp_path / "empty"), "--out", str(out)])
    with pytest.raises(SystemExit):
        bench.main(["--cases", "nope", "--out", str(out)])
