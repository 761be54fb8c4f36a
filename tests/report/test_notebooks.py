"""Execute the notebooks in notebooks/ on small data so they never go stale (needs nbclient, nbformat, ipykernel)."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

nbformat = pytest.importorskip("nbformat", reason="notebook tests need nbformat (pip install nbformat nbclient ipykernel)")
nbclient = pytest.importorskip("nbclient", reason="notebook tests need nbclient (pip install nbformat nbclient ipykernel)")
pytest.importorskip("ipykernel", reason="notebook tests need ipykernel to run a Python kernel (pip install ipykernel)")

pytestmark = pytest.mark.slow


def _run(path: Path, tmp_path: Path, monkeypatch) -> "nbformat.NotebookNode":
    monkeypatch.setenv("ACSI_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("ACSI_NOTEBOOK_OUT", str(tmp_path / "out"))
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    return nb


def _outputs(nb, kind: str) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == kind]


def test_notebooks_are_committed_without_outputs():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{path.name} has outputs; clear them"


def test_walkthrough_runs_from_survey_file_to_report(tmp_path, monkeypatch):
    nb = _run(NOTEBOOKS / "01_walkthrough.ipynb", tmp_path, monkeypatch)
    assert not _outputs(nb, "error")
    out = tmp_path / "out"
    for name in ("survey.csv", "report.html", "report_zh.html", "report_from_files.html", "results/manifest.json"):
        assert (out / name).exists(), name
    html = (out / "report_zh.html").read_text(encoding="utf-8")
    assert "顾客满意度指数报告" in html and "{{" not in html  # lang="zh" is Simplified (0.2)
    assert len(list((out / "figures").glob("*.png"))) >= 5
    # figures are displayed inline in the notebook
    assert sum("image/png" in o.get("data", {}) for o in _outputs(nb, "execute_result")) >= 4


def test_ecsi_sem_pls_comparison_runs(tmp_path, monkeypatch):
    nb = _run(NOTEBOOKS / "02_ecsi_sem_vs_pls.ipynb", tmp_path, monkeypatch)
    assert not _outputs(nb, "error")
    texts = "\n".join(o.get("text", "") for o in _outputs(nb, "stream"))
    assert "largest absolute difference:" in texts
    assert (tmp_path / "out" / "ecsi_sem.html").exists() and (tmp_path / "out" / "ecsi_pls.html").exists()
