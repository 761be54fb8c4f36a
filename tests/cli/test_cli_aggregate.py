"""``acsi aggregate``: the command of acsi/cli/aggregate.py, through the one entry ``acsi.cli.main``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from acsi.aggregate import aggregate
from acsi.aggregate.examples import example_panel
from acsi.cli import EXIT_ERROR, EXIT_FILE, build_parser, main
from acsi.cli.aggregate import run
from acsi.data import read_table
from acsi.errors import DataError, InputFileError


def _parser():
    return build_parser()


@pytest.fixture
def files(tmp_path):
    idx, sales = example_panel(12, 3, 2, 6, rotation=True, seed=3)
    idx.loc[0, "status"] = "failed: not converged"
    idx.to_csv(tmp_path / "company_indexes.csv", index=False)
    sales.to_csv(tmp_path / "sales.csv", index=False)
    pd.DataFrame({"sector": ["S00", "S01"], "weight": [0.7, 0.3]}).to_parquet(tmp_path / "gdp.parquet")
    return tmp_path, idx, sales


def test_cli_writes_csv_and_parquet_and_prints_summary(files, capsys):
    tmp, idx, sales = files
    args = _parser().parse_args(["aggregate", str(tmp / "company_indexes.csv"), "--weights", str(tmp / "sales.csv"),
                                 "--out", str(tmp / "out"), "--national", "latest", "--window", "4",
                                 "--sector-weights", str(tmp / "gdp.parquet")])
    assert args.func is run
    assert args.func(args) == 0
    text = capsys.readouterr().out
    assert "National index (latest measurement of each unit within 4 period(s); blank until the window is full)" in text
    assert "Excluded unit rows (1)" in text and "Wrote 11 files" in text
    for stem in ("aggregate_indexes", "hierarchy", "excluded", "unused_weights", "contributions"):
        assert (tmp / "out" / f"{stem}.csv").is_file() and (tmp / "out" / f"{stem}.parquet").is_file()
    expect = aggregate(idx, sales, national="latest", window=4,
                       sector_weights=pd.DataFrame({"sector": ["S00", "S01"], "weight": [0.7, 0.3]})).table()
    got_pq = pd.read_parquet(tmp / "out" / "aggregate_indexes.parquet")
    got_csv = pd.read_csv(tmp / "out" / "aggregate_indexes.csv", dtype={"period": str})
    assert list(got_pq.columns) == list(expect.columns) == list(got_csv.columns)
    np.testing.assert_allclose(got_pq["index"], expect["index"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got_csv["se"], expect["se"], rtol=1e-12, atol=1e-12)
    assert got_pq["period"].tolist() == expect["period"].tolist()
    import json

    man = json.loads((tmp / "out" / "aggregate_manifest.json").read_text())
    assert man["options"]["carry_forward"] == 3 and man["excluded"] == 1 and len(man["options"]["input_hash"]) == 16
    ex = pd.read_csv(tmp / "out" / "excluded.csv")
    assert ex["reason"].tolist() == ["status 'failed: not converged'"]


def test_cli_defaults_and_annual_text_periods(tmp_path, capsys):
    # years stay text ('2008'), not numbers
    pd.DataFrame({"period": [2007, 2008], "company": ["A", "A"], "industry": ["i", "i"], "sector": ["s", "s"],
                  "index": [70.0, 72.0], "se": [1.0, 1.0], "n": [9, 9]}).to_csv(tmp_path / "i.csv", index=False)
    pd.DataFrame({"company": ["A"], "sales": [1.0]}).to_csv(tmp_path / "w.csv", index=False)
    args = _parser().parse_args(["aggregate", str(tmp_path / "i.csv"), "--weights", str(tmp_path / "w.csv"),
                                 "--out", str(tmp_path / "o"), "--window", "2"])
    assert (args.window, args.partial_windows, args.carry_forward, args.sector_weights) == (2, False, None, None)
    assert run(args) == 0
    nat = pd.read_parquet(tmp_path / "o" / "aggregate_indexes.parquet").query("level == 'national'")
    assert nat["period"].tolist() == ["2007", "2008"] and nat["index"].iloc[1] == pytest.approx(71.0)


def test_cli_refuses_carry_forward_with_a_moving_mean(files, capsys):
    tmp, _, _ = files
    assert main(["aggregate", str(tmp / "company_indexes.csv"), "--weights", str(tmp / "sales.csv"),
                 "--out", str(tmp / "out"), "--carry-forward", "3", "--window", "4"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "smooths twice" in err and "national='latest'" in err and not (tmp / "out").exists()


def test_cli_reports_bad_input_with_the_documented_exit_codes(files, capsys):
    # one exit-code table for every command (issue 10): bad data 1, missing input file 3
    tmp, idx, sales = files
    sales.iloc[:-1].to_csv(tmp / "short.csv", index=False)
    assert main(["aggregate", str(tmp / "company_indexes.csv"), "--weights", str(tmp / "short.csv"),
                 "--out", str(tmp / "out")]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "acsi aggregate: error:" in err and "units without weights" in err and "C00011" in err
    assert main(["aggregate", str(tmp / "nope.csv"), "--weights", str(tmp / "sales.csv"),
                 "--out", str(tmp / "out")]) == EXIT_FILE
    assert "does not exist" in capsys.readouterr().err


def test_read_table_rejects_unknown_types(tmp_path):
    # the one file reader (acsi.data.read_table) serves the aggregate command too
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(DataError, match=r"extension '.json'; use .csv"):
        read_table(tmp_path / "x.json")
    with pytest.raises(InputFileError, match="does not exist"):
        read_table(tmp_path / "missing.csv")
