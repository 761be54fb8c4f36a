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

__all__ = ["ReportData", "load_results", "from_objects", "read_published_series", "FIT_TABLES", "AGGREGATE_TABLES",
           "BOOTSTRAP_TABLES"]

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
    scores_loader : callable or None
        Returns the respondent scores (:meth:`scores`); read only when a section needs them.
    """

    tables: dict
    aggregate: dict = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    spec: object = None
    pooled_performance: pd.Series | None = None
    summary: str = ""
    source: str = "<live objects>"
    aggregate_options: dict = field(default_factory=dict)
    bootstrap: object = None
    bootstrap_tables: dict = field(default_factory=dict)
    bootstrap_meta: dict = field(default_factory=dict)
    scores_loader: object = field(default=None, repr=False)

    def scores(self) -> pd.DataFrame | None:
        """The respondent scores (one row per respondent used: ``row``, ``weight``, a 0-100 column per
        latent), read when first needed (the toolkit section's stratified tables); None when absent."""
        return None if self.scores_loader is None else self.scores_loader()

    def replace(self, **changes) -> "ReportData":
        """A copy with some fields changed (the record itself is read-only)."""
        from dataclasses import replace

        return replace(self, **changes)

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
        """Level of the fit's intervals (unit indexes: Student t, ``acsi.score.unit_index``)."""
        return float(self.options.get("confidence", 0.95))

    @property
    def aggregate_confidence(self) -> float | None:
        """Level of the aggregation's intervals (normal, ``acsi.aggregate``); None when unknown."""
        c = self.aggregate_options.get("confidence")
        return None if c is None else float(c)

    @property
    def change_test(self) -> str | None:
        """Which change the aggregation tested: ``matched`` (like for like) or ``published``; None when unknown."""
        c = self.aggregate_options.get("change_test")
        return None if c is None else str(c)

    @property
    def bootstrap_level(self) -> float | None:
        """Level of the bootstrap's intervals, or None when no bootstrap was given."""
        if self.bootstrap is not None:
            return float(self.bootstrap.level)
        lv = self.bootstrap_meta.get("level")
        return None if lv is None else float(lv)

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
    saved = read_results_dir(path, _stems(path))
    results, manifest, tables = saved.directory, saved.manifest, dict(saved.tables)
    agg_dir = _aggregate_dir(results)
    aggregate, agg_options = {}, {}
    if agg_dir is not None:
        verify_folder(agg_dir)  # its manifest's files, nothing unlisted (acsi.tables)
        for stem in AGGREGATE_TABLES:
            df = _read(agg_dir, stem)
            if df is not None:
                aggregate[stem] = df
        agg_options = _manifest_options(agg_dir, "aggregate_manifest.json")
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
    boot_tables, boot_meta = _bootstrap_dir(results)
    return ReportData(tables=tables, aggregate=aggregate, manifest=manifest, spec=spec, pooled_performance=perf,
                      summary=summary, source=str(results), aggregate_options=agg_options,
                      bootstrap_tables=boot_tables, bootstrap_meta=boot_meta,
                      scores_loader=lambda: _read(results, "scores"))


def _stems(path) -> tuple[str, ...]:
    """The fit tables to read: :data:`FIT_TABLES` and every other table the manifest lists (e.g. the
    PLS quality tables or ACSI impacts of fits that carry them)."""
    from ..data.saved import find_results_dir
    from ..tables import read_manifest

    try:
        files = read_manifest(find_results_dir(path)).get("files") or {}
    except (InputFileError, DataError):
        return FIT_TABLES  # read_results_dir raises the error that names the problem
    extra = [Path(f).stem for f in files if f.endswith((".parquet", ".csv")) and Path(f).stem not in FIT_TABLES]
    return FIT_TABLES + tuple(dict.fromkeys(s for s in extra if s != "scores"))


def _manifest_options(directory: Path, name: str) -> dict:
    import json

    p = directory / name
    if not p.is_file():
        return {}
    try:
        return dict(json.loads(p.read_text(encoding="utf-8")).get("options") or {})
    except (json.JSONDecodeError, AttributeError):
        raise DataError(f"{p} is not valid JSON; re-write the aggregation (`acsi aggregate --out`)") from None


#: Tables written by ``BootstrapResult.save`` / ``PLSBootstrapResult.save`` that the report reads.
BOOTSTRAP_TABLES = ("bootstrap_indexes", "bootstrap_estimates", "bootstrap_counts", "bootstrap_pooled_estimates",
                    "bootstrap_pls_htmt", "bootstrap_pooled_pls_htmt", "pls_bootstrap_estimates", "pls_bootstrap_counts")


def _bootstrap_dir(results: Path) -> tuple[dict, dict]:
    """The bootstrap saved with the results (``acsi fit --bootstrap --out DIR`` writes it into DIR), or a
    ``bootstrap/`` folder inside or beside them: its tables and ``n_boot, seed, level``."""
    import json

    for cand in (results, results / "bootstrap", results.parent / "bootstrap"):
        man = cand / "bootstrap_manifest.json"
        if man.is_file():
            try:
                meta = json.loads(man.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                raise DataError(f"{man} is not valid JSON; re-save the bootstrap (BootstrapResult.save)") from None
            tables = {s: df for s in BOOTSTRAP_TABLES if (df := _read(cand, s)) is not None}
            keep = {k: meta.get(k) for k in ("n_boot", "seed", "level", "failed")}
            return tables, {**keep, "source": str(cand)}
    return {}, {}


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
def from_objects(fit, agg=None, bootstrap=None) -> ReportData:
    """:class:`ReportData` from a live :class:`~acsi.FitResult` and, optionally, an aggregate result
    and the fit's bootstrap (:func:`acsi.bootstrap.bootstrap`, whose replicates give the report's
    significance marks and the intervals of "what to improve").

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
        if hasattr(fit, "tables"):  # every other table the fit carries (PLS quality, impacts, ...)
            for stem, df in fit.tables().items():
                if stem not in tables and stem != "scores":  # pooled_estimates & co. are replaced below
                    tables[stem] = df
        pooled = getattr(fit, "pooled", None)
        perf = None
        if pooled is not None:
            if getattr(pooled, "estimates", None) is not None:
                tables["pooled_estimates"] = pooled.estimates
            fm = getattr(pooled, "fit_measures", None)
            if fm is not None:
                tables["pooled_fit_measures"] = fm.to_frame().T.reset_index(drop=True) if isinstance(fm, pd.Series) else fm
            if getattr(pooled, "weights", None) is not None:  # the ACSI impacts' 0-100 scales (analysis.impacts)
                tables["pooled_item_weights"] = pooled.weights
            if getattr(pooled, "index", None) is not None:
                tables["pooled_indexes"] = pooled.index
                perf = _performance_from_index(pooled.index)
        manifest = fit.manifest()
        manifest.setdefault("headline", fit.spec.headline)
        summary = fit.summary().as_text() if hasattr(fit, "summary") else ""
        data = ReportData(tables=tables, manifest=manifest, spec=fit.spec, pooled_performance=perf, summary=summary,
                          scores_loader=(lambda: fit.scores) if hasattr(fit, "scores") else None)
    if agg is not None:
        data = data.replace(aggregate=_aggregate_tables(agg), aggregate_options=_aggregate_options(agg))
    if bootstrap is not None:
        data = data.replace(bootstrap=_check_bootstrap(bootstrap), bootstrap_tables={}, bootstrap_meta={})
    return data


def _aggregate_options(agg) -> dict:
    if hasattr(agg, "options") and isinstance(agg.options, dict):
        return dict(agg.options)
    if isinstance(agg, (str, Path)):
        return _manifest_options(Path(agg), "aggregate_manifest.json")
    return {}


def _check_bootstrap(boot):
    # duck-typed: acsi.bootstrap sits above the report in the layer order (docs/ARCHITECTURE.md)
    if not (hasattr(boot, "replicates") and hasattr(boot, "level") and hasattr(boot, "estimates")
            and (hasattr(boot, "stat_labels") or hasattr(boot, "labels"))):
        raise DataError(f"bootstrap must be an acsi.bootstrap.BootstrapResult (or PLSBootstrapResult) of this fit; got "
                        f"{type(boot).__name__}")
    return boot


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
