"""``acsi fit``: the command of acsi/cli/fit.py, through ``acsi.cli.main``."""

import pandas as pd
import pytest

import acsi
from acsi.cli import EXIT_ERROR, EXIT_FILE, main
from conftest import ACSI_LAVAAN, two_period_survey


@pytest.fixture(scope="module")
def survey():
    return two_period_survey()


@pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")
def test_cli_fit_writes_results(survey, tmp_path, capsys):
    f = tmp_path / "survey.csv"
    survey.to_csv(f, index=False)
    model = tmp_path / "m.lav"
    model.write_text(ACSI_LAVAAN)
    code = main(["fit", str(f), "--model", str(model), "--unit", "company", "--jobs", "1", "--quiet", "--out", str(tmp_path / "res")])
    assert code == 0
    out = capsys.readouterr().out
    assert "units: 7 (6 ok, 0 inadmissible, 1 failed)" in out
    idx = pd.read_csv(tmp_path / "res" / "company_indexes.csv")
    assert len(idx) == 7


def test_cli_reports_errors_cleanly(tmp_path, capsys):
    code = main(["fit", str(tmp_path / "nope.csv"), "--out", str(tmp_path)])
    assert code == EXIT_FILE  # a missing input is 3 in every command (issue 10)
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")
def test_cli_item_map_renames_columns(survey, tmp_path, capsys):
    f = tmp_path / "survey.csv"
    survey.rename(columns={"cs1": "Q7", "cs2": "Q8"}).to_csv(f, index=False)
    model = tmp_path / "m.lav"
    model.write_text(ACSI_LAVAAN)
    (tmp_path / "map.csv").write_text("column,item\nQ7,cs1\nQ8,cs2\n")
    (tmp_path / "map.json").write_text('{"Q7": "cs1", "Q8": "cs2"}')
    for m in ("map.csv", "map.json"):
        code = main(["fit", str(f), "--model", str(model), "--item-map", str(tmp_path / m), "--jobs", "1",
                     "--quiet", "--out", str(tmp_path / m[:-4])])
        assert code == 0
        assert len(pd.read_csv(tmp_path / m[:-4] / "company_indexes.csv")) == 7
    (tmp_path / "bad.csv").write_text("from,to\nQ7,cs1\n")
    assert main(["fit", str(f), "--model", str(model), "--item-map", str(tmp_path / "bad.csv"), "--out", str(tmp_path)]) == EXIT_ERROR
    assert "needs the columns 'column' and 'item'" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")
def test_cli_fit_scheduler_fits_the_units_on_dask_with_the_local_numbers(survey, tmp_path, capsys):
    distributed = pytest.importorskip("distributed", reason="dask.distributed is an optional extra")
    f = tmp_path / "survey.csv"
    survey.to_csv(f, index=False)
    model = tmp_path / "m.lav"
    model.write_text(ACSI_LAVAAN)
    base = ["fit", str(f), "--model", str(model), "--unit", "company", "--quiet"]
    assert main(base + ["--jobs", "1", "--out", str(tmp_path / "local")]) == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                  dashboard_address=None) as cluster:  # a tcp:// address, as a user's cluster
        assert main(base + ["--scheduler", cluster.scheduler_address, "--out", str(tmp_path / "dask")]) == 0
    for name in ("company_indexes.csv", "estimates.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "local" / name), pd.read_csv(tmp_path / "dask" / name),
                                      check_exact=True)
