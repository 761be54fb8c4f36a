"""benchmarks/bench_pls.py's inference and national tasks run (small sizes; timings are not asserted)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.slow  # about 5 s: times one block of 50 per-replicate refits
def test_bench_pls_inference_tasks_run():
    sys.path.insert(0, str(BENCH))
    try:
        import bench_pls
    finally:
        sys.path.remove(str(BENCH))
    rows = bench_pls.bench_inference(nboot=20) + bench_pls.bench_national(nboot=4)
    tasks = {(r["task"], r["tool"]) for r in rows}
    assert ("inference", "acsi") in tasks and ("national", "acsi") in tasks and ("national", "acsi (before)") in tasks
    assert all(np.isfinite(r["seconds"]) and r["seconds"] > 0 for r in rows if r["variant"] != "unavailable")
