"""``acsi report RESULTS_DIR --out report.html [--lang zh]`` rebuilds the report from saved files."""

from __future__ import annotations

import warnings

import pytest

import acsi
from _report_data import png_uris, small_run
from acsi.cli import EXIT_FILE, main
from acsi.report.figures import PNG_MAGIC
from acsi.report.render import fmt_index


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    fit, agg = small_run()
    root = tmp_path_factory.mktemp("cli_run")
    fit.save(root / "results")
    agg.to_parquet(root / "aggregate")
    return root, fit, agg


def test_report_command_writes_html_and_png_files(saved, tmp_path, capsys):
    root, fit, agg = saved
    out = tmp_path / "out" / "report.html"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AcsiWarning)
        rc = main(["report", str(root), "--out", str(out), "--lang", "zh-hant"])
    assert rc == 0
    html = out.read_text(encoding="utf-8")
    assert "顧客滿意度指數報告" in html
    nat = agg.table("national")
    assert fmt_index(nat["index"].iloc[-1]) in html
    figs = sorted((tmp_path / "out" / "report_figures").glob("*.png"))
    assert len(figs) == len(png_uris(html)) >= 7
    assert all(f.read_bytes().startswith(PNG_MAGIC) for f in figs)
    assert f"wrote {len(figs)} figures to" in capsys.readouterr().out


def test_report_command_explicit_aggregate_dir_and_no_figures(saved, tmp_path):
    root, fit, agg = saved
    out = tmp_path / "r.html"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AcsiWarning)
        rc = main(["report", str(root / "results"), "--aggregate", str(root / "aggregate"), "--out", str(out),
                   "--no-figures", "--title", "Quarterly satisfaction"])
    assert rc == 0
    html = out.read_text(encoding="utf-8")
    assert "<title>Quarterly satisfaction</title>" in html
    assert not (tmp_path / "r_figures").exists()


def test_report_command_bad_directory_is_a_clean_error(tmp_path, capsys):
    rc = main(["report", str(tmp_path / "missing"), "--out", str(tmp_path / "x.html")])
    assert rc == EXIT_FILE  # a missing input is 3 in every command (issue 10)
    err = capsys.readouterr().err
    assert "acsi report: error: results directory" in err and "does not exist" in err
    assert not (tmp_path / "x.html").exists()
