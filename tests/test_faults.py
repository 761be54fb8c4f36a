"""Fault injection (issue 16): nothing mixed or partial is ever accepted.

Each case breaks a run at a bad moment (killed while saving, the disk full, two runs into one
folder, an interrupt during the bootstrap, stale or truncated files) and asserts that the
results folder is either the previous one or the new one, whole, and that the readers
(``acsi.load_results``, ``acsi report``, ``acsi aggregate``) refuse anything else, naming the
files.  The disk-full case runs on a real 1 MB tmpfs where the machine allows mounting one
(root on Linux), and with a patched writer everywhere.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import acsi
from acsi.cli import EXIT_ERROR, EXIT_FILE, EXIT_INTERRUPTED, EXIT_TERMINATED, main
from acsi.errors import DataError, OutputError
from acsi.tables import PARTIAL_TAG, verify_folder
from conftest import ACSI_LAVAAN, two_period_survey

pytestmark = pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("faults")
    two_period_survey().query("period == '2025Q1'").to_csv(d / "survey.csv", index=False)
    (d / "model.lav").write_text(ACSI_LAVAAN, encoding="utf-8")
    return d


def _fit_args(files, out, *extra):
    return ["fit", str(files / "survey.csv"), "--model", str(files / "model.lav"), "--jobs", "1", "--quiet",
            "--out", str(out), *extra]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _no_partial(folder: Path) -> None:
    assert not list(folder.parent.glob(f".{folder.name}{PARTIAL_TAG}*")), "a partial folder was left behind"


@pytest.fixture(scope="module")
def previous(files, tmp_path_factory):
    """A complete fit + bootstrap folder (the run that a broken rerun must not damage)."""
    out = tmp_path_factory.mktemp("previous") / "results"
    assert main(_fit_args(files, out, "--bootstrap", "4", "--seed", "3")) == 0
    return out


def _copy(previous: Path, tmp_path: Path) -> Path:
    import shutil

    out = tmp_path / "results"
    shutil.copytree(previous, out)
    return out


# --------------------------------------------------------------------------- killed while saving
@pytest.mark.parametrize("when", ["the first table", "the manifest"])
def test_a_rerun_killed_while_saving_leaves_the_previous_folder_whole(when, files, previous, tmp_path, monkeypatch,
                                                                      capsys):
    out = _copy(previous, tmp_path)
    before = _snapshot(out)
    import acsi.tables as tables

    target = "write_tables" if when == "the first table" else "write_manifest"
    real = getattr(tables, target)

    def killed(stage, *args, **kwargs):
        if target == "write_tables":  # half the tables on disk, then the kill
            first = dict(list(args[0].items())[:1])
            real(stage, first, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(tables, target, killed)
    assert main(_fit_args(files, out)) == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "interrupted (Ctrl-C) during the fit: nothing was saved" in err
    assert "is unchanged" in err and "Traceback" not in err
    assert _snapshot(out) == before  # the old manifest, tables and bootstrap, byte for byte
    verify_folder(out)
    _no_partial(out)


def test_a_partial_folder_left_by_a_hard_kill_is_never_read_and_is_cleaned(files, previous, tmp_path):
    out = _copy(previous, tmp_path)
    # kill -9 in the middle of a save: a partial sibling with a truncated table and no manifest
    partial = tmp_path / f".results{PARTIAL_TAG}dead"
    partial.mkdir()
    (partial / "company_indexes.csv").write_text("period,company,index\n2025Q1,A,5")
    back = acsi.load_results(out)  # the complete previous folder
    assert len(back.indexes) == 4
    assert main(_fit_args(files, out)) == 0
    assert not partial.exists()
    verify_folder(out)


# --------------------------------------------------------------------------- disk full
def test_a_full_disk_while_saving_is_one_line_and_changes_nothing(files, previous, tmp_path, monkeypatch, capsys):
    out = _copy(previous, tmp_path)
    before = _snapshot(out)
    real = pd.DataFrame.to_parquet

    def full(self, path, *args, **kwargs):
        if "scores" in str(path):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    assert main(_fit_args(files, out)) == EXIT_FILE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and "the folder is left as it was" in err
    assert "free some space" in err and "Traceback" not in err
    assert _snapshot(out) == before
    _no_partial(out)


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MB tmpfs, where this machine allows mounting one (root on Linux)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root on Linux; the patched writer covers a full disk")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_really_full_disk_is_refused_before_or_during_the_save_and_nothing_partial_stays(files, small_disk, capsys):
    big = two_period_survey()
    big = pd.concat([big] * 8, ignore_index=True)  # a fit whose scores do not fit in 1 MB
    big.to_csv(small_disk.parent / "big.csv", index=False)
    (small_disk / "filler").write_bytes(b"x" * 300_000)
    out = small_disk / "results"
    args = ["fit", str(small_disk.parent / "big.csv"), "--model", str(files / "model.lav"), "--jobs", "1", "--quiet",
            "--out", str(out)]
    assert main(args) == EXIT_FILE
    err = capsys.readouterr().err
    assert ("too little free space" in err or "No space left on device" in err) and "Traceback" not in err
    assert not out.exists()
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]  # no partial folder, no lock


# --------------------------------------------------------------------------- concurrent runs
def test_a_second_run_into_the_same_folder_fails_at_once_naming_the_first(files, tmp_path, capsys, monkeypatch):
    out = tmp_path / "results"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from acsi.tables import claim_output\n"
         f"with claim_output({str(out)!r}, command='acsi fit first-run'):\n"
         "    print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=tmp_path,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with monkeypatch.context() as m:  # at once: before the fit
            m.setattr("acsi.fitting.fit_unit", lambda *a, **k: pytest.fail("the fit ran"))
            assert main(_fit_args(files, out)) == EXIT_FILE
        err = capsys.readouterr().err
        assert f"process {holder.pid}" in err and "`acsi fit first-run`" in err and "is writing" in err
        assert not out.exists()
    finally:
        holder.communicate("", timeout=60)
    assert main(_fit_args(files, out)) == 0  # the lock goes with its run
    verify_folder(out)


def test_the_library_refuses_a_concurrent_save_too(files, tmp_path):
    out = tmp_path / "results"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from acsi.tables import claim_output\n"
         f"with claim_output({str(out)!r}):\n    print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=tmp_path,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        fit = acsi.fit(pd.read_csv(files / "survey.csv"), acsi.parse_lavaan(ACSI_LAVAAN), unit="company")
        with pytest.raises(OutputError, match="is writing"):
            fit.save(out)
    finally:
        holder.communicate("", timeout=60)


# --------------------------------------------------------------------------- stale bootstrap files
def test_a_rerun_without_bootstrap_leaves_no_bootstrap_of_the_previous_run(files, previous, tmp_path):
    out = _copy(previous, tmp_path)
    stale = sorted(p.name for p in out.glob("bootstrap*"))
    assert stale, "the previous run has bootstrap files"
    assert main(_fit_args(files, out)) == 0
    assert not list(out.glob("bootstrap*"))
    verify_folder(out)


def test_a_bootstrap_of_another_run_copied_beside_a_fit_is_refused(files, previous, tmp_path, capsys):
    out = _copy(previous, tmp_path)
    boot_files = {p.name: p.read_bytes() for p in out.glob("bootstrap*")}
    assert main(_fit_args(files, out)) == 0  # a new fit: another run id
    for name, data in boot_files.items():
        (out / name).write_bytes(data)
    with pytest.raises(DataError, match="belongs to another fit"):
        acsi.load_results(out)
    capsys.readouterr()
    assert main(["report", str(out), "--out", str(tmp_path / "r.html"), "--no-figures"]) == EXIT_ERROR
    assert "belongs to another fit" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


# --------------------------------------------------------------------------- truncated tables
def test_a_truncated_table_is_refused_by_report_aggregate_and_load_results(previous, tmp_path, capsys):
    out = _copy(previous, tmp_path)
    table = out / "company_indexes.csv"
    text = table.read_text()
    table.write_text(text[: len(text) // 2])  # cut off, as by a full disk or a killed copy
    with pytest.raises(DataError, match=r"company_indexes.csv \(changed"):
        acsi.load_results(out)
    assert main(["report", str(out), "--out", str(tmp_path / "r.html"), "--no-figures"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "do not match their manifest: company_indexes.csv (changed" in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()
    sales = pd.DataFrame({"company": ["A", "B", "C"], "sales": [1.0, 2.0, 3.0]})
    sales.to_csv(tmp_path / "sales.csv", index=False)
    assert main(["aggregate", str(table), "--weights", str(tmp_path / "sales.csv"), "--out",
                 str(tmp_path / "agg")]) == EXIT_ERROR
    assert "company_indexes.csv (changed" in capsys.readouterr().err
    assert not (tmp_path / "agg").exists()


def test_a_missing_table_is_refused(previous, tmp_path):
    out = _copy(previous, tmp_path)
    (out / "units.parquet").unlink()
    with pytest.raises(DataError, match=r"units.parquet \(missing\)"):
        acsi.load_results(out)


# --------------------------------------------------------------------------- interrupts
@pytest.mark.parametrize("signal_name, code, how", [("SIGINT", EXIT_INTERRUPTED, "Ctrl-C"),
                                                     ("SIGTERM", EXIT_TERMINATED, "SIGTERM")])
def test_an_interrupt_during_the_bootstrap_keeps_the_fit_and_says_so(signal_name, code, how, files, tmp_path,
                                                                      monkeypatch, capsys):
    out = tmp_path / "results"

    def interrupted(*args, **kwargs):
        os.kill(os.getpid(), getattr(signal, signal_name))
        time.sleep(5)  # the handler raises in this thread before the sleep ends
        pytest.fail("the signal did not interrupt the bootstrap")

    monkeypatch.setattr("acsi.bootstrap._execute", interrupted)
    assert main(_fit_args(files, out, "--bootstrap", "50", "--seed", "1")) == code
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith(f"acsi fit: error: interrupted ({how}) during the bootstrap: saved the fit (")
    assert f"files) in {out}; not saved: the bootstrap (none of its files were written)" in lines[0]
    found = verify_folder(out)  # the complete fit, no half bootstrap
    assert list(found) == ["manifest.json"] and not list(out.glob("bootstrap*"))
    assert len(acsi.load_results(out).indexes) == 4


@pytest.mark.slow  # a real process, interrupted in its bootstrap
@pytest.mark.parametrize("sig, code, how, jobs", [(signal.SIGTERM, EXIT_TERMINATED, "SIGTERM", "1"),
                                                  (signal.SIGINT, EXIT_INTERRUPTED, "Ctrl-C", "1"),
                                                  (signal.SIGINT, EXIT_INTERRUPTED, "Ctrl-C", "2")])
def test_a_real_signal_to_a_running_bootstrap_ends_with_one_line(sig, code, how, jobs, files, tmp_path):
    # with two workers the signal goes to the whole process group, as Ctrl-C in a terminal does
    out = tmp_path / "results"
    args = _fit_args(files, out, "--bootstrap", "20000", "--seed", "1")
    args[args.index("--jobs") + 1] = jobs
    proc = subprocess.Popen([sys.executable, "-m", "acsi", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=tmp_path, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while not (out / "manifest.json").exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert proc.poll() is None, "the run ended before the signal"
        time.sleep(0.5)
        os.killpg(proc.pid, sig) if jobs != "1" else proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith(f"acsi fit: error: interrupted ({how}) during the bootstrap: saved the fit")
    assert list(verify_folder(out)) == ["manifest.json"]
    _no_partial(out)


def test_an_interrupt_between_the_aggregate_formats_says_what_was_saved(previous, tmp_path, monkeypatch, capsys):
    from acsi.aggregate import AggregateResult
    from acsi.aggregate.examples import example_panel

    idx, sales = example_panel(4, 2, 2, 2, seed=1)
    idx.to_csv(tmp_path / "indexes.csv", index=False)
    sales.to_csv(tmp_path / "sales.csv", index=False)
    monkeypatch.setattr(AggregateResult, "to_parquet", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    out = tmp_path / "agg"
    assert main(["aggregate", str(tmp_path / "indexes.csv"), "--weights", str(tmp_path / "sales.csv"), "--window", "1",
                 "--out", str(out)]) == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert (f"interrupted (Ctrl-C) during the Parquet tables: saved the CSV tables (" in err
            and f"files) in {out}; not saved: the Parquet tables (none of its files were written)" in err)
    verify_folder(out)
    assert not list(out.glob("*.parquet"))


def test_a_result_saved_beside_a_fit_adds_to_its_folder_and_never_removes_the_fit(files, tmp_path):
    from acsi.bootstrap import bootstrap_pls

    res = acsi.fit(pd.read_csv(files / "survey.csv"), acsi.parse_lavaan(ACSI_LAVAAN), unit="company",
                   estimator="pls")
    out = tmp_path / "results"
    fit_files = {p.name for p in res.save(out)}
    boot = bootstrap_pls(res.pls_result(), n_boot=20, seed=1)
    boot.save(out)
    found = verify_folder(out)
    assert set(found) == {"manifest.json", "pls_bootstrap_manifest.json"}
    assert fit_files <= {p.name for p in out.iterdir()}
    res.save(out)  # a new save of the fit replaces the folder whole: the PLS bootstrap of the earlier run goes
    assert set(verify_folder(out)) == {"manifest.json"}


def test_acsi_compare_writes_its_folder_whole_and_can_rerun_into_it(tmp_path, monkeypatch, capsys):
    survey = two_period_survey().query("period == '2025Q1' and company in ['A', 'B']")
    survey.to_csv(tmp_path / "survey.csv", index=False)
    out = tmp_path / "cmp"
    args = ["compare", str(tmp_path / "survey.csv"), "--model", ACSI_LAVAAN, "--by", "company", "--levels",
            "configural,metric", "--quiet", "--out", str(out)]
    assert main(args) == 0, capsys.readouterr().err
    found = verify_folder(out)
    assert "compare.html" in found["manifest.json"]["files"]
    before = _snapshot(out)
    import acsi.report.compare as rc

    monkeypatch.setattr(rc, "render_comparison", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    assert main(args) == EXIT_INTERRUPTED  # killed while writing the report: the tables are not swapped in alone
    assert _snapshot(out) == before
    monkeypatch.undo()
    assert main(args) == 0
    verify_folder(out)


# --------------------------------------------------------------------------- a place that cannot be written
def test_an_output_place_that_cannot_be_written_is_refused_before_the_fit(files, tmp_path, monkeypatch, capsys):
    # a read-only parent folder (simulated: the tests may run as root, who can write anywhere)
    import acsi.tables as tables

    real_open = os.open

    def read_only(path, flags, *args, **kwargs):
        if str(path).endswith(tables.LOCK_SUFFIX):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(tables.os, "open", read_only)
    monkeypatch.setattr("acsi.fitting.fit_unit", lambda *a, **k: pytest.fail("the fit ran"))
    out = tmp_path / "locked" / "results"
    assert main(_fit_args(files, out)) == EXIT_FILE
    err = capsys.readouterr().err
    assert f"cannot write in '{out.parent}' (where the output folder 'results' goes): Permission denied" in err
    assert err.count("\n") == 1 and not out.exists()


def test_too_little_free_space_is_refused_before_the_fit(files, tmp_path, monkeypatch, capsys):
    import shutil as sh

    monkeypatch.setattr(sh, "disk_usage", lambda p: sh._ntuple_diskusage(10**9, 10**9 - 1000, 1000))
    monkeypatch.setattr("acsi.fitting.fit_unit", lambda *a, **k: pytest.fail("the fit ran"))
    assert main(_fit_args(files, tmp_path / "results")) == EXIT_FILE
    err = capsys.readouterr().err
    assert "too little free space for the fit's results" in err and "1.0 kB free on that disk" in err


def test_running_out_of_memory_is_one_line(files, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("acsi.bootstrap._execute", lambda *a, **k: (_ for _ in ()).throw(MemoryError()))
    assert main(_fit_args(files, tmp_path / "results", "--bootstrap", "10", "--seed", "1")) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "acsi fit: error: out of memory during the bootstrap; use fewer replicates" in err and "Traceback" not in err
    assert list(verify_folder(tmp_path / "results")) == ["manifest.json"]  # the fit is saved, no half bootstrap


def test_an_interrupt_during_a_first_fit_says_the_folder_was_not_created(files, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("acsi.fitting.fit_unit", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    out = tmp_path / "results"
    assert main(_fit_args(files, out)) == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert err == f"acsi fit: error: interrupted (Ctrl-C) during the fit: nothing was saved; the output {out} was not created\n"
    assert not out.exists() and not list(tmp_path.iterdir())  # no partial folder, no lock
