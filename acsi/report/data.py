"""The tables a report is built from, read from saved files or taken from live results.

The report works from *tables*, never from live estimator objects, so that
``acsi report RESULTS_DIR`` rebuilds the same report from the files written by
:meth:`acsi.FitResult.save` and :meth:`acsi.aggregate.AggregateResult.to_csv` /
``to_parquet``.  :func:`load_results` reads such a directory; :func:`from_objects`
turns a live :class:`~acsi.FitResult` (and aggregate result) into the same
:class:`ReportData`.

Examples
--------
>>> data = load_results("demo-out")                  # doctest: +SKIP
>>> data.tables["company_indexes"].head()            # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.saved import read_results_dir
from ..errors import DataError, InputFileError
from ..tables import read_saved, verify_folder

__all__ = ["ReportData", "load_results", "from_objects", "read_published_series", "FIT_TABLES", "AGGREGATE_TABLES"]

#: Tables written by ``FitResult.save`` that the report reads (``scores`` only for pooled performance).
FIT_TABLES = (
    "company_indexes", "latent_indexes", "estimates", "fit_measures", "item_weights", "units", "accounting",
    "pooled_estimates", "pooled_fit_measures", "pooled_indexes",
)
#: Tables written by ``AggregateResult.to_csv``/``to_parquet`` that the report reads.
AGGREGATE_TABLES = ("aggregate_indexes", "excluded")


@dataclass(frozen=True, eq=False)
class ReportData:
    """Everything a report shows, as tables.

    Attributes
    ----------
    tables : dict of str -> DataFrame
        The fit tables (:data:`FIT_TABLES`; missing ones are absent).
    aggregate : dict of str -> DataFrame
        ``aggregate_indexes`` (all levels, column ``level``) and ``excluded``; empty
        when there was no aggregation.
    manifest : dict
        ``manifest.json`` (model, estimator, groups, options, versions, data hash).
    spec : ModelSpec or None
        The model (the live fit's, or the one saved with the results in ``model.toml``;
        None for results saved without it, whose report is built from the tables alone).
    pooled_performance : Series or None
        0-100 mean score per latent over all respondents (the IPA performance).
    summary : str
        ``summary.txt`` (or the live summary).
    source : str
        Directory the results were read from, or ``"<live objects>"``.
    """

    tables: dict
    aggregate: dict = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    spec: object = None
    pooled_performance: pd.Series | None = None
    summary: str = ""
    source: str = "<live objects>"

    # ---- convenience views -------------------------------------------------
    @property
    def options(self) -> dict:
        return dict(self.manifest.get("options") or {})

    @property
    def groups(self) -> list[str]:
        return list(self.manifest.get("groups") or [])

    @property
    def period_col(self) -> str | None:
        p = self.options.get("period")
        return p if p and p in self.groups else None

    @property
    def unit_cols(self) -> list[str]:
        return [g for g in self.groups if g != self.period_col]

    @property
    def estimator(self) -> str:
        return str(self.manifest.get("estimator", "sem"))

    @property
    def confidence(self) -> float:
        return float(self.options.get("confidence", 0.95))

    @property
    def headline(self) -> str | None:
        """Headline latent: from the spec, the manifest, or matched between the index tables."""
        if self.spec is not None:
            return self.spec.headline
        if self.manifest.get("headline"):
            return str(self.manifest["headline"])
        return _infer_headline(self.tables.get("company_indexes"), self.tables.get("latent_indexes"))

    @property
    def latents(self) -> list[str]:
        if self.spec is not None:
            return list(self.spec.latent_ids)
        est = self.tables.get("pooled_estimates")
        if est is None or est.empty:
            est = self.tables.get("estimates")
        if est is not None and not est.empty:
            return list(pd.unique(est.loc[est["op"] == "=~", "lhs"]))
        li = self.tables.get("latent_indexes")
        return list(pd.unique(li["latent"])) if li is not None and "latent" in li else []

    def table(self, name: str) -> pd.DataFrame:
        """A fit table, or an empty DataFrame when it was not saved."""
        df = self.tables.get(name)
        return df if df is not None else pd.DataFrame()

    def level(self, level: str) -> pd.DataFrame:
        """Rows of one aggregation level (``national``, ``sector``, ``industry``...), or empty."""
        agg = self.aggregate.get("aggregate_indexes")
        if agg is None or agg.empty or "level" not in agg:
            return pd.DataFrame()
        return agg.loc[agg["level"] == level].reset_index(drop=True)

    def unit_label(self, row) -> str:
        """``"2024Q1 / Acme"`` for a row with the group columns."""
        return " / ".join(str(row[g]) for g in self.groups if g in row)


# --------------------------------------------------------------------------- reading files
def _read(directory: Path, stem: str) -> pd.DataFrame | None:
    return read_saved(directory, stem)


def _aggregate_dir(results: Path) -> Path | None:
    """``aggregate/`` inside or beside the results directory, or the results directory itself, if it has the tables."""
    for cand in (results / "aggregate", results.parent / "aggregate", results):
        if (cand / "aggregate_indexes.parquet").exists() or (cand / "aggregate_indexes.csv").exists():
            return cand
    return None


def load_results(path: str | Path, *, scores: bool = True) -> ReportData:
    """Read saved fit (and aggregation) results for a report.

    Parameters
    ----------
    path : str or Path
        The directory written by :meth:`acsi.FitResult.save` (holds ``manifest.json``),
        or the root of an ``acsi demo --out`` run (holds ``results/`` and ``aggregate/``).
        The aggregation tables are read from ``aggregate/`` beside or inside the
        results directory, when present.
    scores : bool
        Read ``scores`` to compute the pooled 0-100 latent means (IPA performance)
        when ``pooled_indexes`` was not saved.

    Returns
    -------
    ReportData

    Raises
    ------
    InputFileError
        When the directory does not exist.
    DataError
        When it holds no ``manifest.json``, its files do not match the manifest, or it lacks
        ``company_indexes``.

    Examples
    --------
    >>> data = load_results("demo-out")          # doctest: +SKIP
    >>> data.level("national")[["period", "index"]]   # doctest: +SKIP
    """
    saved = read_results_dir(path, FIT_TABLES)
    results, manifest, tables = saved.directory, saved.manifest, dict(saved.tables)
    agg_dir = _aggregate_dir(results)
    aggregate = {}
    if agg_dir is not None:
        verify_folder(agg_dir)  # its manifest's files, nothing unlisted (acsi.tables)
        for stem in AGGREGATE_TABLES:
            df = _read(agg_dir, stem)
            if df is not None:
                aggregate[stem] = df
        if "aggregate_indexes" in aggregate:
            aggregate["aggregate_indexes"] = aggregate["aggregate_indexes"].assign(
                period=lambda d: d["period"].astype(str), unit=lambda d: d["unit"].astype(str))
    summary_path = results / "summary.txt"
    summary = summary_path.read_text(encoding="utf-8") if summary_path.exists() else ""
    spec = saved.spec
    perf = None
    if "pooled_indexes" in tables:
        perf = _performance_from_index(tables["pooled_indexes"])
    elif scores:
        sc = _read(results, "scores")
        if sc is not None:
            perf = _performance_from_scores(sc, [c for c in _latents_of(tables) if c in sc.columns])
    return ReportData(tables=tables, aggregate=aggregate, manifest=manifest, spec=spec, pooled_performance=perf,
                      summary=summary, source=str(results))


def _latents_of(tables: dict) -> list[str]:
    for name in ("pooled_estimates", "estimates"):
        est = tables.get(name)
        if est is not None and not est.empty and "op" in est:
            return list(pd.unique(est.loc[est["op"] == "=~", "lhs"]))
    li = tables.get("latent_indexes")
    return list(pd.unique(li["latent"])) if li is not None and "latent" in li else []


def _infer_headline(ci: pd.DataFrame | None, li: pd.DataFrame | None) -> str | None:
    if ci is None or li is None or "latent" not in li or ci.empty:
        return None
    keys = [c for c in ci.columns if c in li.columns and c not in ("index", "se", "ci_lower", "ci_upper", "n",
                                                                  "status", "reason")]
    ok = ci.loc[ci["index"].notna()]
    if ok.empty:
        return None
    row = ok.iloc[0]
    sub = li
    for k in keys:
        sub = sub.loc[sub[k].astype(str) == str(row[k])]
    hit = sub.loc[np.isclose(sub["index"].astype(float), float(row["index"]), rtol=0, atol=1e-9)]
    return str(hit["latent"].iloc[0]) if len(hit) == 1 else None


def _performance_from_index(pooled_index: pd.DataFrame) -> pd.Series:
    df = pooled_index
    if "latent" in df.columns:
        return df.set_index("latent")["index"].astype(float)
    return df["index"].astype(float)


def _performance_from_scores(scores: pd.DataFrame, latents: list[str]) -> pd.Series | None:
    if not latents or scores.empty:
        return None
    w = scores["weight"].to_numpy(dtype=float) if "weight" in scores else np.ones(len(scores))
    out = {}
    for lv in latents:
        x = scores[lv].to_numpy(dtype=float)
        ok = np.isfinite(x)
        out[lv] = float(np.sum(w[ok] * x[ok]) / np.sum(w[ok])) if ok.any() else np.nan
    return pd.Series(out, name="performance")


# --------------------------------------------------------------------------- live objects
def from_objects(fit, agg=None) -> ReportData:
    """:class:`ReportData` from a live :class:`~acsi.FitResult` and, optionally, an aggregate result.

    ``fit`` may also be a :class:`ReportData` (returned unchanged, with ``agg`` added
    when given) or a path (read with :func:`load_results`).
    """
    if isinstance(fit, (str, Path)):
        data = load_results(fit)
    elif isinstance(fit, ReportData):
        data = fit
    else:
        needed = ("indexes", "latent_indexes", "estimates", "fit_measures", "units", "accounting", "manifest")
        missing = [a for a in needed if not hasattr(fit, a)]
        if missing:
            raise DataError(
                f"write_report/render_report need an acsi.FitResult, a ReportData or a results directory; got "
                f"{type(fit).__name__} without {missing}"
            )
        tables = {
            "company_indexes": fit.indexes, "latent_indexes": fit.latent_indexes, "estimates": fit.estimates,
            "fit_measures": fit.fit_measures, "item_weights": fit.item_weights, "units": fit.units,
            "accounting": fit.accounting,
        }
        pooled = getattr(fit, "pooled", None)
        perf = None
        if pooled is not None:
            if getattr(pooled, "estimates", None) is not None:
                tables["pooled_estimates"] = pooled.estimates
            fm = getattr(pooled, "fit_measures", None)
            if fm is not None:
                tables["pooled_fit_measures"] = fm.to_frame().T.reset_index(drop=True) if isinstance(fm, pd.Series) else fm
            if getattr(pooled, "index", None) is not None:
                tables["pooled_indexes"] = pooled.index
                perf = _performance_from_index(pooled.index)
        manifest = fit.manifest()
        manifest.setdefault("headline", fit.spec.headline)
        summary = fit.summary().as_text() if hasattr(fit, "summary") else ""
        data = ReportData(tables=tables, manifest=manifest, spec=fit.spec, pooled_performance=perf, summary=summary)
    if agg is not None:
        data = ReportData(tables=data.tables, aggregate=_aggregate_tables(agg), manifest=data.manifest, spec=data.spec,
                          pooled_performance=data.pooled_performance, summary=data.summary, source=data.source)
    return data


def _aggregate_tables(agg) -> dict:
    if isinstance(agg, dict):
        return dict(agg)
    if isinstance(agg, pd.DataFrame):
        if "level" not in agg.columns:
            raise DataError(
                f"an aggregate table needs a 'level' column (national, sector, industry...); got columns {list(agg.columns)}"
            )
        return {"aggregate_indexes": agg}
    if isinstance(agg, (str, Path)):
        d = Path(agg)
        if not d.is_dir():
            raise InputFileError(f"aggregate directory {str(d)!r} does not exist; pass the directory written by "
                                 "AggregateResult.to_csv / `acsi aggregate --out`")
        verify_folder(d)
        out = {s: df for s in AGGREGATE_TABLES if (df := _read(d, s)) is not None}
        if "aggregate_indexes" not in out:
            raise DataError(f"no aggregate_indexes.csv/.parquet in {str(d)!r}; pass the directory written by AggregateResult.to_csv")
        return out
    if hasattr(agg, "table"):
        out = {"aggregate_indexes": agg.table()}
        exc = getattr(agg, "excluded", None)
        if isinstance(exc, pd.DataFrame):
            out["excluded"] = exc
        return out
    raise DataError(f"agg must be an AggregateResult, its table, or its output directory; got {type(agg).__name__}")


# --------------------------------------------------------------------------- published series
def read_published_series(path: str | Path) -> pd.DataFrame:
    """Read a published index series (e.g. the ACSI national quarterly scores).

    The file needs a ``period`` column and one numeric score column (``index``,
    ``national_index`` or ``score``); other columns (``note``) are kept.

    Returns
    -------
    DataFrame
        ``period`` (text) and ``index`` (float, NaN where not measured), file order.

    Raises
    ------
    DataError
        When the file is missing or has no period/score column.
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"published series file {str(p)!r} does not exist; pass the path of a CSV with period and score columns")
    df = pd.read_csv(p)
    score = next((c for c in ("index", "national_index", "score") if c in df.columns), None)
    if "period" not in df.columns or score is None:
        raise DataError(
            f"published series {str(p)!r} needs a 'period' column and a score column ('index', 'national_index' or "
            f"'score'); it has {list(df.columns)}"
        )
    out = df.rename(columns={score: "index"}).copy()
    out["period"] = out["period"].astype(str)
    out["index"] = pd.to_numeric(out["index"], errors="coerce")
    return out
