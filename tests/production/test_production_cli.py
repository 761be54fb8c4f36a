"""acsi publish / history / revisions / site / import-published from the command line."""

from __future__ import annotations

import pandas as pd
import pytest

from acsi.cli import main
from acsi.store import releases
from store_cases import quarter, sales

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    for p in ("2025Q1", "2025Q2"):
        quarter(p).to_csv(d / f"{p}.csv", index=False)
    sales().to_csv(d / "sales.csv", index=False)
    sales(Beta_Jet=45.0).to_csv(d / "sales_rev.csv", index=False)
    return d


def test_the_production_commands(files, capsys):
    d = files
    store = str(d / "s.duckdb")
    assert main(["import-published", "--store", store]) == 0
    assert "imported 3 external releases" in capsys.readouterr().out
    for p in ("2025Q1", "2025Q2"):
        assert main(["publish", str(d / f"{p}.csv"), "--sales", str(d / "sales.csv"), "--store", store, "--release", p,
                     "--partial-windows", "--quiet", "--notes", f"quarter {p}"]) == 0
    out = capsys.readouterr().out
    assert "release 2025Q2 written" in out and "national 2025Q2:" in out
    assert main(["publish", str(d / "2025Q2.csv"), "--sales", str(d / "sales_rev.csv"), "--store", store,
                 "--release", "2025Q2-rev", "--partial-windows", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["history", "--store", store, "--unit", "Delta Air Lines", "--out", str(d / "delta.csv")]) == 0
    out = capsys.readouterr().out
    assert "company 'Delta Air Lines, Inc.' (matched 'Delta Air Lines')" in out
    assert len(pd.read_csv(d / "delta.csv")) > 15
    assert main(["history", "--store", store, "--unit", "national", "--published-only"]) == 0
    out = capsys.readouterr().out
    assert "1994Q3" in out and "2025Q2" in out
    assert main(["history", "--store", store, "--releases"]) == 0
    assert "2025Q2-rev" in capsys.readouterr().out
    assert main(["revisions", "--store", store, "--from", "2025Q2", "--to", "2025Q2-rev", "--out", str(d / "rev.csv")]) == 0
    out = capsys.readouterr().out
    assert "figure(s) changed between 2025Q2 and 2025Q2-rev" in out and "new weights" in out
    rev = pd.read_csv(d / "rev.csv")
    assert set(rev["reason"]) == {"new weights"} and "Airlines" in set(rev["unit"])
    assert main(["site", "--store", store, "--out", str(d / "site"), "--lang", "en"]) == 0
    assert (d / "site" / "en" / "index.html").exists() and not (d / "site" / "zh").exists()
    assert len(releases(store)) == 6


def test_errors_are_one_line(files, capsys):
    d = files
    store = str(d / "err.duckdb")
    args = ["publish", str(d / "2025Q1.csv"), "--sales", str(d / "sales.csv"), "--store", store, "--release", "R1",
            "--partial-windows", "--quiet"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("acsi publish: error: release 'R1' is already in the history store") and "--replace" in err
    assert err.count("\n") == 1
    assert main(["history", "--store", store, "--unit", "Nobody"]) == 1
    assert "no unit named 'Nobody'" in capsys.readouterr().err
    assert main(["revisions", "--store", store, "--from", "R1", "--to", "R9"]) == 1
    assert "no release 'R9'" in capsys.readouterr().err
    assert main(["history", "--store", str(d / "missing.duckdb"), "--unit", "x"]) == 3  # an input file is missing
    assert "there is no history store" in capsys.readouterr().err
