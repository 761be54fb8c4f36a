"""Reading a results directory written by ``FitResult.save`` (the one reader of saved results).

Both :func:`acsi.load_results` (a usable ``FitResult``) and :func:`acsi.report.load_results`
(the tables of a report) read a directory through :func:`read_results_dir`: the manifest
is verified (every listed file with its size and SHA-256, :mod:`acsi.tables`), the model
is read from ``model.toml`` (never guessed from the tables), and the tables from Parquet
(CSV when there is no Parquet file; period labels stay text).  The folder is checked as a
whole (:func:`acsi.tables.verify_folder`): every manifest's files, no result file that no
manifest lists, a bootstrap that belongs to the fit beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError, InputFileError
from ..spec import ModelSpec, read_toml
from ..tables import read_manifest, read_saved, verify_folder

__all__ = ["MANIFEST", "SavedResults", "find_results_dir", "read_results_dir"]

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class SavedResults:
    """What a results directory holds: its path, manifest, tables (by stem) and model (None if not saved)."""

    directory: Path
    manifest: dict
    tables: dict
    spec: ModelSpec | None


def find_results_dir(path: str | Path) -> Path:
    """The directory holding ``manifest.json``: ``path`` itself or its ``results/`` (a demo run's root)."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(
            f"results directory {str(path)!r} does not exist; pass the directory written by "
            "`acsi fit --out DIR` / FitResult.save(DIR), or the root of an `acsi demo --out` run"
        )
    if not path.is_dir():
        raise DataError(f"{str(path)!r} is a file, not a results directory; pass the directory that holds {MANIFEST}")
    if (path / MANIFEST).exists():
        return path
    if (path / "results" / MANIFEST).exists():
        return path / "results"
    found = sorted(p.name for p in path.iterdir())[:12]
    raise DataError(
        f"no {MANIFEST} in {str(path)!r} or {str(path / 'results')!r} (found: {found}); pass the directory "
        "written by FitResult.save / `acsi fit --out`, or the root of an `acsi demo --out` run"
    )


def read_results_dir(path: str | Path, stems, *, verify: bool = True) -> SavedResults:
    """Verify and read a results directory (or a demo run's root); ``stems`` are the tables to read.

    Raises
    ------
    InputFileError
        The directory does not exist.
    DataError
        No manifest, a manifest that is not JSON, files that do not match the manifest, result
        files that no manifest lists, a bootstrap of another fit, or no ``company_indexes`` table.
    """
    results = find_results_dir(path)
    manifest = read_manifest(results, MANIFEST)
    if verify:
        verify_folder(results)
        if results != Path(path):  # the root of a demo run: its own manifest lists the whole run
            verify_folder(path)
    period = (manifest.get("options") or {}).get("period")
    listed = set(manifest.get("files") or ())
    tables = {}
    for stem in stems:
        if listed and not {f"{stem}.parquet", f"{stem}.csv"} & listed:
            continue  # a file the save did not write (left over from an earlier run in the folder)
        df = read_saved(results, stem)
        if df is None:
            continue
        if period and period in df.columns:  # period labels are text ("2024Q1", "2008"), whatever CSV guessed
            df = df.assign(**{period: df[period].astype(str)})
        tables[stem] = df
    if "company_indexes" not in tables:
        raise DataError(
            f"{str(results)!r} has {MANIFEST} but no company_indexes.csv/.parquet; the results are incomplete: "
            "re-run `acsi fit` or FitResult.save"
        )
    return SavedResults(directory=results, manifest=manifest, tables=tables, spec=_saved_spec(results, manifest))


def _saved_spec(results: Path, manifest: dict) -> ModelSpec | None:
    """The model saved with the results (``model.toml``, or the TOML text in the manifest); None if absent."""
    path = results / "model.toml"
    if path.exists():
        text, where = path.read_text(encoding="utf-8"), str(path)
    elif manifest.get("model_toml"):
        text, where = str(manifest["model_toml"]), f"{results / MANIFEST} (model_toml)"
    else:  # results saved by acsi 0.1 carry no model
        return None
    return read_toml(text, source=str(manifest.get("model_source") or where))
