"""A failed, killed or concurrent publication leaves the store exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from acsi.production import publish
from acsi.store import StoreLockedError, open_store
from store_cases import publish_quarters, quarter, quiet, sales

pytestmark = pytest.mark.slow

TESTS = Path(__file__).resolve().parents[1]
_CLI = "import sys; from acsi.cli import main; sys.exit(main(sys.argv[1:]))"


def _dump(path):
    with open_store(path, read_only=True) as st:
        return st.dump()


def _assert_same(a: dict, b: dict):
    assert a.keys() == b.keys()
    for k in a:
        pd.testing.assert_frame_equal(a[k], b[k], obj=k)


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("atomic") / "s.duckdb"
    publish_quarters(path, periods=["2025Q1"])
    return path


def _copy(base_store, tmp_path):
    p = tmp_path / "s.duckdb"
    p.write_bytes(Path(base_store).read_bytes())
    return p


class Boom(RuntimeError):
    pass


def test_exception_inside_the_transaction_rolls_everything_back(base_store, tmp_path):
    path = _copy(base_store, tmp_path)
    before = _dump(path)
    seen = {}

    def explode(st):
        # every table of the release is written at this point, inside the transaction
        seen["figures"] = st.con.execute("SELECT count(*) FROM figures").fetchone()[0]
        raise Boom("simulated crash before the commit")

    with quiet(), pytest.raises(Boom):
        publish(quarter("2025Q2"), sales(), "acsi", path, "2025Q2", partial_windows=True, _before_commit=explode)
    assert seen["figures"] > len(before["figures"])  # the rows were there before the rollback
    _assert_same(before, _dump(path))
    # the store still works: the same release can now be published
    with quiet():
        publish(quarter("2025Q2"), sales(), "acsi", path, "2025Q2", partial_windows=True)
    assert len(_dump(path)["releases"]) == 2


def test_a_failing_fit_or_aggregation_changes_nothing(base_store, tmp_path):
    path = _copy(base_store, tmp_path)
    before = _dump(path)
    with quiet(), pytest.raises(Exception, match="weights"):
        publish(quarter("2025Q2"), sales().iloc[:2], "acsi", path, "2025Q2", partial_windows=True)
    _assert_same(before, _dump(path))


_PUBLISHER = textwrap.dedent("""
    import sys, time, warnings
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    from acsi.production import publish
    from store_cases import quarter, sales
    warnings.simplefilter("ignore")
    def hook(st):  # called inside the transaction, every table written
        Path({marker!r}).write_text("inside")
        deadline = time.time() + 120
        while not Path({until!r}).exists() and time.time() < deadline:
            time.sleep(0.05)
    publish(quarter("2025Q2"), sales(), "acsi", {path!r}, "2025Q2", partial_windows=True, _before_commit=hook)
    print("published")
""")


def _publisher(path, marker, until):
    """A process publishing 2025Q2 that stops inside its transaction until the file ``until`` exists."""
    code = _PUBLISHER.format(tests=str(TESTS), marker=str(marker), until=str(until), path=str(path))
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(marker: Path, proc) -> None:
    deadline = time.time() + 180
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read()[-2000:]
        assert time.time() < deadline, "the publisher never reached its transaction"
        time.sleep(0.1)


def test_a_publisher_killed_inside_the_transaction_leaves_the_store_unchanged(base_store, tmp_path):
    path = _copy(base_store, tmp_path)
    before = _dump(path)
    marker = tmp_path / "inside"
    proc = _publisher(path, marker, tmp_path / "never")
    try:
        _wait_for(marker, proc)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    _assert_same(before, _dump(path))


def test_two_publishers_one_succeeds_the_other_fails_at_once(base_store, tmp_path):
    path = _copy(base_store, tmp_path)
    marker, rival_done = tmp_path / "locked", tmp_path / "rival_done"
    holder = _publisher(path, marker, rival_done)
    try:
        _wait_for(marker, holder)
        q = tmp_path / "q3.csv"
        quarter("2025Q3").to_csv(q, index=False)
        sales().to_csv(tmp_path / "sales.csv", index=False)
        rival = subprocess.run(
            [sys.executable, "-c", _CLI, "publish", str(q), "--sales", str(tmp_path / "sales.csv"), "--store",
             str(path), "--release", "2025Q3", "--partial-windows", "--quiet"],
            capture_output=True, text=True, timeout=120)
        rival_done.write_text("done")
        out, err = holder.communicate(timeout=120)
    finally:
        rival_done.write_text("done")
        if holder.poll() is None:
            holder.kill()
    assert rival.returncode != 0
    assert "acsi publish: error: the history store" in rival.stderr and "in use by process" in rival.stderr
    assert "Traceback" not in rival.stderr
    # it failed at once: on opening the store, before reading or fitting anything (no fit summary printed)
    assert rival.stdout == ""
    assert holder.returncode == 0, err[-2000:]
    with open_store(path, read_only=True) as st:
        rel = st.releases()
        assert list(rel["release_id"]) == ["2025Q1", "2025Q2"]
        # nothing of the rival is in any table
        assert set(st.table("figures")["release_key"]) == set(rel["release_key"])
        assert "2025Q3" not in set(st.table("figures")["period"])


def test_lock_error_in_process(base_store, tmp_path):
    """A reader in another process cannot open while a writer holds the file: clear error."""
    path = _copy(base_store, tmp_path)
    code = f"import time; from acsi.store import open_store; s = open_store({str(path)!r}); print('open', flush=True); time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "open"
        with pytest.raises(StoreLockedError, match=r"in use by process \d+"):
            open_store(path, read_only=True)
    finally:
        proc.kill()
        proc.wait()
