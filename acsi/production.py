"""A quarterly production: ``publish`` = fit -> aggregate (-> bootstrap) -> one release in the store.

::

    acsi publish survey.csv --sales sales.csv --model acsi --store s.duckdb --release 2025Q4
    acsi history --store s.duckdb --unit "Delta Air Lines"
    acsi revisions --store s.duckdb --from 2025Q3 --to 2025Q4
    acsi site --store s.duckdb --out site/

Steps of :func:`publish`:

1. open the history store for writing: DuckDB's single-writer lock is held until the release
   is written, so a second publisher fails at once (:class:`~acsi.store.StoreLockedError`);
   refuse an existing release id unless ``replace``;
2. fit the survey (:func:`acsi.fit`), one model per company and period;
3. read from the store the company indexes the aggregation needs and the survey lacks: the
   periods of the national window and of carry-forward before the survey's first period
   (``window - 1 + carry_forward`` periods), and, when the survey revises a period that is
   already published, the later periods whose aggregates depend on it. A (period, company) in
   the survey replaces the stored one; every other stored measurement is used as published,
   with the sales weight it was aggregated with;
4. aggregate (:func:`acsi.aggregate.aggregate`) the survey's and the stored indexes together;
5. bootstrap if asked (:func:`acsi.bootstrap.bootstrap`); aggregates combine the replicates of
   this release's units with the stored replicates of earlier releases' units (units are
   independent samples, so replicate ``b`` of each unit can be combined);
6. write one release (:meth:`acsi.store.HistoryStore.write_release`) in one transaction: the
   company figures of every latent, the aggregates of the periods from the survey's first
   period on, changes, the measurements and weights used (with the release that measured each),
   contributions, units, accounting, estimates, fit measures, replicates.

Sales weights (``sales``: ``company, sales[, period][, industry]``): a table without ``period``
gives the sales of the survey's periods; a table with ``period`` gives the sales of the periods
it names, stored periods included (that is how weights are revised); periods it does not cover
keep the weights they were published with.

Nothing is mixed silently: a survey whose periods are in the store under another model, a
national window that would combine two models, or a store with another period frequency is an
error unless ``method_change=True`` (recorded; revisions then say "method change").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError
from .options import Boolean, Integer, OneOf, Real, Text, invalid, validate_params
from .store import DEFAULT_STORE, StoreError, as_store

__all__ = ["publish", "PublishResult", "import_published", "import_acsi_tables", "PUBLISHED_TABLES", "model_hash"]

#: Published ACSI tables shipped with acsi (``acsi/store/published/``; see its README for the source).
PUBLISHED_TABLES = {
    "national": "acsi_national_quarterly_1994_2008.csv",
    "airlines": "acsi_airlines_annual_baseline_2008.csv",
    "internet_portals": "acsi_internet_portals_annual_baseline_2008.csv",
}

_CORE_ESTIMATES = ("lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all")


@dataclass(frozen=True, eq=False)
class PublishResult:
    """What :func:`publish` wrote.

    Attributes
    ----------
    release_id, release_key : the release written
    store : path of the store
    fit : FitResult of the survey
    aggregate : AggregateResult over the survey's and the stored measurements
    bootstrap : BootstrapResult or None
    stored : DataFrame
        The company measurements read from the store (with ``source_release``).
    periods : list of str
        The survey's periods; ``published_periods`` the periods whose aggregates were written.
    tables : dict of DataFrame
        Every table written (without ``release_key``).
    """

    release_id: str
    release_key: int
    store: Path
    fit: object
    aggregate: object
    bootstrap: object
    stored: pd.DataFrame
    periods: list
    published_periods: list
    tables: dict = field(repr=False)

    def summary(self) -> str:
        f = self.tables["figures"]
        nat = f.loc[(f["level"] == "national") & f["index"].notna()]
        lines = [
            f"release {self.release_id} written to {self.store} (key {self.release_key})",
            f"periods measured: {', '.join(self.periods)}; aggregates published for {', '.join(self.published_periods)}",
            f"company figures: {int((f['origin'] == 'measured').sum())} "
            f"({f.loc[f['origin'] == 'measured', 'unit'].nunique()} companies, every latent); aggregates: "
            f"{int((f['origin'] == 'aggregated').sum())}",
            f"stored measurements used (national window / carry-forward): {len(self.stored)}"
            + (f" from releases {', '.join(sorted(set(self.stored['source_release'])))}" if len(self.stored) else ""),
        ]
        for r in nat.itertuples(index=False):
            lines.append(f"national {r.period}: {r.index:.2f} [{r.ci_lower:.2f}, {r.ci_upper:.2f}] "
                         f"({r.ci_level:.0%}, {int(r.window_periods)} period(s) in the window)")
        return "\n".join(lines)


# ============================================================================ helpers
def _sha(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(json.dumps(p, sort_keys=True, default=str).encode() if not isinstance(p, bytes) else p)
        h.update(b"\x1f")
    return h.hexdigest()[:16]


def _frame_hash(df: pd.DataFrame | None) -> str | None:
    from .provenance import hash_tables

    return None if df is None else hash_tables(df)


def model_hash(spec) -> str:
    """Identity of a model's structure: lavaan text, headline and item scales (wording excluded)."""
    return _sha(spec.to_lavaan(), spec.headline, sorted((k, list(v)) for k, v in spec.scale_bounds.items()))


def _model_texts(spec) -> dict:
    toml = None
    src = Path(str(spec.source))
    if src.suffix == ".toml":
        for cand in (src, Path(__file__).resolve().parent.parent / src):
            if cand.is_file():
                toml = cand.read_text(encoding="utf-8")
                break
        if toml is None:
            from importlib import resources

            try:
                toml = resources.files("acsi.models").joinpath(src.name).read_text(encoding="utf-8")
            except (FileNotFoundError, ModuleNotFoundError, OSError):
                toml = None
    partable = None
    if hasattr(spec, "partable"):  # the parameter table of acsi.spec (ARCHITECTURE section 2), when present
        try:
            partable = json.loads(spec.partable().to_frame().to_json(orient="records"))
        except Exception:  # noqa: BLE001 - the column stays NULL rather than failing a publication
            partable = None
    return {"model_toml": toml, "model_lavaan": spec.to_lavaan(), "model_partable": partable}


def _read_table(obj, what: str, text_columns) -> tuple[pd.DataFrame, str]:
    from .data.io import read_table

    if obj is None:
        return None, None
    if isinstance(obj, pd.DataFrame):
        return obj, "<DataFrame>"
    if isinstance(obj, (str, Path)):
        return read_table(obj, text_columns=text_columns), str(obj)
    raise DataError(f"{what} must be a DataFrame or a path to a CSV/Parquet/Excel file; got {type(obj).__name__}")


def _labels(values, table="survey"):
    from .data.periods import labels, parse_periods

    t, freq = parse_periods(pd.Series(values).reset_index(drop=True), table=table)
    return np.asarray(t, dtype=np.int64), freq, labels(t, freq)


def _unit_hashes(fit, spec) -> dict:
    """SHA-256 (16 hex) of each unit's respondents: items and survey weights, in input order."""
    data = fit.prepared.data
    items = [c for c in spec.item_ids if c in data.columns]
    X = np.ascontiguousarray(data[items].to_numpy(dtype=float))
    w = getattr(fit.prepared, "weights", None)
    w = np.asarray(w, dtype=float) if w is not None else (
        data["weight"].to_numpy(dtype=float) if "weight" in data.columns else np.ones(len(data)))
    out = {}
    for key, pos in data.groupby(list(fit.groups), sort=False, dropna=False).indices.items():
        key = key if isinstance(key, tuple) else (key,)
        out[tuple(str(k) for k in key)] = _sha(np.ascontiguousarray(X[pos]).tobytes(), np.ascontiguousarray(w[pos]).tobytes())
    return out


# ============================================================================ publish
@validate_params(
    "publish", release=Text(), replace=Boolean(), method_change=Boolean(), confidence=Real(0, 1, closed="neither"),
    national=OneOf("mean", "latest"), change_test=OneOf("matched", "published"), partial_windows=Boolean(),
    bootstrap=Integer(min=0, desc="0 (no bootstrap) or an integer >= 2"), seed=(None, Integer(min=0)),
    n_jobs=Integer(nonzero=True),
)
def publish(
    survey,
    sales,
    model="acsi",
    store=DEFAULT_STORE,
    release: str | None = None,
    *,
    release_date=None,
    notes: str = "",
    replace: bool = False,
    method_change: bool = False,
    unit: str = "company",
    period: str = "period",
    weight: str | None = None,
    estimator: str = "sem",
    confidence: float = 0.95,
    fit_options: dict | None = None,
    span: str | None = None,
    window: int | None = None,
    national: str = "mean",
    partial_windows: bool = False,
    carry_forward: int | None = None,
    change_test: str = "matched",
    sector_weights=None,
    industry_totals=None,
    bootstrap: int = 0,
    seed: int | None = None,
    bootstrap_options: dict | None = None,
    n_jobs: int = 1,
    progress: bool | None = False,
    _before_commit=None,
) -> PublishResult:
    """Fit a survey, aggregate it with the stored history and write one release.

    Parameters
    ----------
    survey : DataFrame or path
        Respondents of one or more periods (a quarter's file is enough: earlier periods come
        from the store).
    sales : DataFrame or path
        ``company, sales[, period][, industry]`` (see the module docstring).
    model : str, path or ModelSpec
    store : path or HistoryStore
        The DuckDB history store (created when missing).
    release : str
        The release id (e.g. ``"2025Q4"``); an existing one is refused unless ``replace``.
    release_date : date or str, optional
        Publication date (default: today).
    notes : str
        Release notes (shown on the website).
    replace : bool
        Publish an existing release id again; the old release is kept as superseded.
    method_change : bool
        Allow a model different from the one the stored periods were published with.
    unit, period, weight, estimator, confidence, fit_options, n_jobs, progress
        Passed to :func:`acsi.fit` (``fit_options``: ``missing``, ``min_n``, ``options``...).
    span, window, national, partial_windows, carry_forward, change_test, sector_weights, industry_totals
        Passed to :func:`acsi.aggregate.aggregate` (national window ``span="1Y"`` by default;
        ``national="latest"`` is ACSI's rolling practice).
    bootstrap : int
        Replicates per unit (0: none); ``seed`` and ``bootstrap_options`` go to
        :func:`acsi.bootstrap.bootstrap`.

    Returns
    -------
    PublishResult

    Raises
    ------
    StoreLockedError, ReleaseExistsError, StoreError, AcsiError
        Another publisher holds the store; the release exists; a model or frequency conflict;
        any error of fitting or aggregation. The store is unchanged in every case.
    """
    from .fitting import fit as _fit
    from .spec import resolve_model

    if release is None:
        raise StoreError("publish needs a release id (release='2025Q4'; CLI --release 2025Q4)")
    if bootstrap == 1:
        raise invalid("publish", "bootstrap", "0 (no bootstrap) or an integer >= 2", bootstrap)
    if release_date is not None:
        try:
            release_date = pd.Timestamp(release_date).date()
        except (ValueError, TypeError):
            raise invalid("publish", "release_date", "a date such as '2025-10-15'", release_date) from None
    spec = resolve_model(model)
    survey_df, survey_src = _read_table(survey, "survey", (period, unit, "industry", "sector"))
    sales_df, sales_src = _read_table(sales, "sales", ("period", unit, "industry"))
    if sales_df is None:
        raise DataError("publish needs sales weights (sales=...; CLI --sales FILE) with columns company, sales[, period]")
    secw, _ = _read_table(sector_weights, "sector weights", ("period", "sector"))
    indt, _ = _read_table(industry_totals, "industry totals", ("period", "industry"))
    if period not in survey_df.columns:
        raise DataError(f"the survey has no period column {period!r} (columns: {list(survey_df.columns)[:12]} ...); "
                        "publish needs one (e.g. 2025Q4); name it with period=... (CLI --period)")
    st, mine = as_store(store, read_only=False)
    try:
        st.check_release_id(str(release), replace=replace)
        fit = _fit(survey_df, spec, unit=unit, period=period, estimator=estimator, weight=weight,
                   confidence=confidence, n_jobs=n_jobs, progress=progress, **(fit_options or {}))
        lag = _lag(fit, period, span, window, national, carry_forward)
        plan = _plan(st, fit, spec, unit, period, lag, method_change)
        weights = _weights(st, plan, sales_df, unit)
        from .aggregate import aggregate

        agg = aggregate(plan["indexes"], weights, unit=unit, span=span, window=window, national=national,
                        partial_windows=partial_windows, carry_forward=carry_forward, change_test=change_test,
                        sector_weights=secw, industry_totals=indt, confidence=confidence)
        boot, agg_boot = None, None
        if bootstrap:
            boot, agg_boot = _bootstrap(st, fit, agg, plan, bootstrap, seed, n_jobs, bootstrap_options or {})
        tables = _tables(fit, spec, agg, plan, boot, agg_boot, unit, period, confidence)
        options = {
            "unit": unit, "period": period, "weight": weight, "estimator": estimator, "confidence": confidence,
            "fit_options": fit_options or {}, "span": agg.options.get("span"), "window": agg.options.get("window"),
            "national": national, "partial_windows": partial_windows, "carry_forward": agg.options.get("carry_forward"),
            "change_test": change_test, "sector_weights": secw is not None, "industry_totals": indt is not None,
            "bootstrap": int(bootstrap), "seed": seed if boot is None else boot.seed,
            "bootstrap_options": bootstrap_options or {}, "method_change": method_change,
            "headline": spec.headline, "fit": fit.options, "aggregate": agg.options,
            "bootstrap_aggregates": (None if not bootstrap else "computed" if agg_boot and "aggregates" in agg_boot else
                                     "not computed: no stored replicates (same number) for "
                                     + ", ".join((agg_boot or {}).get("missing", [])[:10])),
        }
        mh = model_hash(spec)
        method = _sha(mh, estimator, _method_options(fit.options.get("estimator_options")), fit.options.get("missing"),
                      fit.options.get("out_of_range"), fit.options.get("min_n"), weight, confidence,
                      agg.options.get("window"), national, partial_windows, agg.options.get("carry_forward"),
                      change_test)
        from .provenance import versions as _versions

        versions = _versions()
        import duckdb

        versions["duckdb"] = duckdb.__version__
        meta = {
            "release_id": str(release), "release_date": release_date,
            "kind": "estimated", "notes": notes, "source": survey_src, "model_name": spec.name,
            "model_title": spec.title, "model_headline": spec.headline, "model_hash": mh, "estimator": estimator,
            "method_hash": method, "frequency": plan["freq"], "periods": plan["periods"], "options": options,
            "versions": versions,
            "input_hashes": {"survey": fit.data_hash, "survey_file": survey_src, "sales": _frame_hash(sales_df),
                             "sales_file": sales_src, "sector_weights": _frame_hash(secw),
                             "industry_totals": _frame_hash(indt), "model": mh,
                             "aggregate_inputs": agg.options.get("input_hash")},
            **_model_texts(spec),
        }
        if meta["release_date"] is None:
            meta.pop("release_date")
        key = st.write_release(meta, tables, replace=replace, _before_commit=_before_commit)
    finally:
        if mine:
            st.close()
    stored = plan["stored"].assign(source_release=plan["stored"]["release_id"]) if len(plan["stored"]) else plan["stored"]
    return PublishResult(release_id=str(release), release_key=key, store=st.path, fit=fit, aggregate=agg,
                         bootstrap=boot, stored=stored, periods=plan["periods"],
                         published_periods=plan["published_labels"], tables=tables)


#: Estimator options that only steer the numerics (same estimates to optimizer tolerance): a
#: change of them is a re-estimation, not a method change.
_NUMERICAL_OPTIONS = ("engine", "ftol", "maxiter", "tol", "max_iter")


def _method_options(options) -> dict:
    return {k: v for k, v in (options or {}).items() if k not in _NUMERICAL_OPTIONS}


def _lag(fit, period, span, window, national, carry_forward) -> int:
    """How many periods before the survey's first one the aggregation reads: the national window
    (less its own period) and carry-forward (``national="latest"`` carries within the window)."""
    from .data.periods import parse_periods, span_periods

    _, freq = parse_periods(fit.indexes[period], table="survey")
    length = int(window) if window is not None else span_periods(span or "1Y", freq)
    carry = int(carry_forward) if carry_forward is not None else 0
    return max(length - 1, carry) if national == "latest" else (length - 1) + carry


def _plan(st, fit, spec, unit, period, lag, method_change) -> dict:
    """Which stored measurements the aggregation needs, and the conflicts that forbid it."""
    ci = fit.indexes.copy()
    if "headline_status" in ci:  # the headline index's own status decides the aggregation (issue 13)
        ci["status"], ci["reason"] = ci["headline_status"], ci["headline_reason"]
    t, freq, lab = _labels(ci[period], table="survey")
    ci["period"] = lab
    ci["t"] = t
    ci[unit] = ci[unit].astype(str)
    t_min, t_max = int(t.min()), int(t.max())
    rel = st.releases()
    est = rel.loc[rel["kind"] == "estimated"]
    other = sorted(set(est["frequency"].dropna()) - {freq})
    if other and not method_change:
        raise StoreError(
            f"the history store holds releases with period frequency {other} but this survey's periods are of "
            f"frequency {freq!r} ({', '.join(sorted(set(lab))[:4])}); one store keeps one calendar. Use another store, "
            "or relabel the periods."
        )
    mh = model_hash(spec)
    stored_max = st.con.execute(
        "SELECT max(f.t) FROM figures f JOIN releases r USING (release_key) WHERE r.status = 'current' "
        "AND r.kind = 'estimated' AND f.level = 'company' AND f.frequency = ?", [freq]).fetchone()[0]
    t_hi = max(t_max, min(int(stored_max), t_max + lag)) if stored_max is not None else t_max
    t_lo = t_min - lag
    stored = st.query(
        """SELECT f.*, r.release_id, r.model_hash, r.model_name FROM figures f JOIN releases r USING (release_key)
           WHERE r.status = 'current' AND r.kind = 'estimated' AND f.level = 'company'
             AND f.latent = r.model_headline AND f.frequency = ? AND f.t BETWEEN ? AND ?
           QUALIFY row_number() OVER (PARTITION BY f.unit, f.period ORDER BY f.release_key DESC) = 1""",
        [freq, t_lo, t_hi])
    new_keys = set(zip(ci["period"], ci[unit]))
    same_period = stored.loc[stored["period"].isin(set(lab))]
    clash = same_period.loc[same_period["model_hash"] != mh]
    if len(clash) and not method_change:
        ex = clash.drop_duplicates(["release_id", "period"])
        raise StoreError(
            f"the periods {sorted(set(clash['period']))} are already in the history store under another model: "
            + "; ".join(f"release {r.release_id!r} used model {r.model_name!r}" for r in ex.head(4).itertuples())
            + f"; this survey is fitted with model {spec.name!r}. Publishing would mix two models in one period. "
            "Fit with the stored model, or pass method_change=True (CLI --method-change) to record a method change."
        )
    keep = ~pd.Series([k in new_keys for k in zip(stored["period"], stored["unit"])], dtype=bool).to_numpy() \
        if len(stored) else np.zeros(0, dtype=bool)
    stored = stored.loc[keep].reset_index(drop=True)
    window_clash = stored.loc[stored["model_hash"] != mh]
    if len(window_clash) and not method_change:
        ex = window_clash.drop_duplicates(["release_id"])
        raise StoreError(
            f"the national window and carry-forward would combine this survey (model {spec.name!r}) with stored "
            f"indexes of another model from periods {sorted(set(window_clash['period']))[:6]} ("
            + ", ".join(f"release {r.release_id!r}: model {r.model_name!r}" for r in ex.head(4).itertuples())
            + "). Fit with the stored model, or pass method_change=True (CLI --method-change) to combine them and "
            "record a method change."
        )
    cols = ["period", unit, "industry", "sector", "index", "se", "n", "status", "reason"]
    fresh = ci[["period", unit, "industry", "sector", "index", "se", "n", "status", "reason"]].copy()
    fresh["_source"] = -1
    old = pd.DataFrame({"period": stored["period"], unit: stored["unit"], "industry": stored["industry"],
                        "sector": stored["sector"], "index": stored["index"], "se": stored["se"], "n": stored["n"],
                        "status": stored["status"], "reason": stored["reason"], "_source": stored["release_key"]})
    indexes = pd.concat([fresh, old], ignore_index=True) if len(old) else fresh
    indexes["reason"] = indexes["reason"].fillna("")
    all_t, _, _ = _labels(indexes["period"], table="indexes")
    pub_t = sorted(set(int(x) for x in all_t if t_min <= x <= t_hi))
    from .data.periods import labels

    return {"indexes": indexes[cols + ["_source"]], "freq": freq, "periods": sorted(set(lab), key=lambda p: lab.tolist().index(p)),
            "t_min": t_min, "t_hi": t_hi, "stored": stored, "published_t": pub_t,
            "published_labels": list(labels(pub_t, freq)), "unit_hashes": _unit_hashes(fit, spec),
            "new_keys": new_keys}


def _weights(st, plan, sales: pd.DataFrame, unit: str) -> pd.DataFrame:
    """One sales figure per (unit, period) of the aggregation: the given sales where they apply,
    the stored weights elsewhere (see the module docstring)."""
    if unit not in sales.columns or "sales" not in sales.columns:
        raise DataError(f"the sales table needs columns '{unit}' and 'sales' (optionally 'period', 'industry'); "
                        f"it has {list(sales.columns)}")
    idx = plan["indexes"]
    freq = plan["freq"]
    t_all, _, lab_all = _labels(idx["period"], table="indexes")
    t_lo, t_hi = int(t_all.min()), int(t_all.max())
    has_ind = "industry" in sales.columns
    s = sales.copy()
    s[unit] = s[unit].astype(str)
    if "period" in s.columns:
        ts, fs, ls = _labels(s["period"], table="sales")
        if fs != freq:
            raise DataError(f"the sales table's periods have frequency {fs!r} but the survey's have {freq!r}; "
                            "give sales for the same kind of period, or drop the sales' period column")
        s["period"] = ls
    else:
        s = pd.concat([s.assign(period=p) for p in plan["periods"]], ignore_index=True)
    stored = st.query(
        """SELECT m.unit, m.period, m.industry, m.sales FROM measurements m JOIN releases r USING (release_key)
           WHERE r.status = 'current' AND m.t BETWEEN ? AND ? AND m.sales IS NOT NULL
           QUALIFY row_number() OVER (PARTITION BY m.unit, m.period ORDER BY m.release_key DESC) = 1""",
        [t_lo, t_hi])
    stored = stored.rename(columns={"unit": unit})
    given = set(zip(s["period"], s[unit]))
    keep = [k not in given for k in zip(stored["period"], stored[unit])]
    stored = stored.loc[keep]
    # a stored weight is useful only for units of the aggregation (it lists all units of the range)
    units = set(idx[unit].astype(str))
    stored = stored.loc[stored[unit].isin(units)]
    cols = [unit, "period", "sales"] + (["industry"] if has_ind else [])
    out = pd.concat([s[cols], stored[cols]], ignore_index=True)
    return out


def _bootstrap(st, fit, agg, plan, n_boot, seed, n_jobs, options):
    """Bootstrap the survey's units; combine with stored replicates for the aggregates."""
    from .bootstrap import NOT_CONVERGED, OK, BootstrapResult, bootstrap

    boot = bootstrap(fit, n_boot=n_boot, seed=seed, n_jobs=n_jobs, progress=False, **options)
    h = boot.stat_labels.index(("index", fit.spec.headline, "", ""))
    usable = boot._agg_usable  # the bootstrap's own rule for replicates that enter aggregates
    period_col = fit.options["period"]
    ucol = fit.options["unit"][-1]
    gi = boot.groups.index(period_col), boot.groups.index(ucol)
    _, _, labs = _labels([k[gi[0]] for k in boot.unit_keys], table="bootstrap")
    row_of = {(labs[i], str(k[gi[1]])): i for i, k in enumerate(boot.unit_keys)}
    meas = agg.measurements
    M = len(meas)
    R = np.full((M, n_boot), np.nan)
    m2 = np.full(M, np.nan)
    m3 = np.full(M, np.nan)
    pub = meas["index"].to_numpy(dtype=float)
    se = meas["se"].to_numpy(dtype=float)
    missing = []
    src = plan["indexes"]["_source"].to_numpy()[meas["row"].to_numpy(dtype=np.int64)]
    stored_keys = [(p, str(u)) for p, u, s_ in zip(meas["period"], meas[ucol], src) if s_ >= 0]
    stored_reps = {}
    if stored_keys:
        reps = st.query("SELECT * FROM replicates WHERE n_boot = ?", [int(n_boot)])
        for r in reps.itertuples(index=False):
            stored_reps[(r.release_key, r.period, r.unit)] = r
    for m, (p, u, s_) in enumerate(zip(meas["period"], meas[ucol].astype(str), src)):
        if s_ < 0:
            i = row_of.get((p, u))
            if i is None:
                missing.append(f"{u} {p}")
                continue
            R[m] = np.where(usable[i], boot.replicates[i, h, :], np.nan)
            m2[m], m3[m] = boot.jack_m2[i, h], boot.jack_m3[i, h]
        else:
            r = stored_reps.get((int(s_), p, u))
            if r is None:
                missing.append(f"{u} {p} (release key {int(s_)}, no {n_boot} stored replicates)")
                continue
            R[m] = np.ma.filled(np.ma.asarray(r.values, dtype=float), np.nan)
            m2[m], m3[m] = r.jack_m2, r.jack_m3
    if missing:
        return boot, {"missing": missing}
    status = np.where(np.isfinite(R), OK, NOT_CONVERGED).astype(np.int8)
    # replicates stored or taken above already follow the bootstrap's rule for aggregates
    frame = pd.DataFrame({"period": meas["period"].to_numpy(), ucol: meas[ucol].to_numpy(),
                          "status": "ok", "reason": ""})
    combined = BootstrapResult(
        spec=fit.spec, groups=["period", ucol], n_boot=int(n_boot), seed=int(boot.seed), level=boot.level,
        failed="exclude", unit_keys=list(zip(meas["period"], meas[ucol])), unit_frame=frame,
        stat_labels=[("index", fit.spec.headline, "", "")], replicates=R[:, None, :], status=status,
        refit=np.zeros_like(status, dtype=bool), jack_m2=m2[:, None], jack_m3=m3[:, None], published=pub[:, None],
        analytic_se=se[:, None], aggregation=agg, agg_rows=np.arange(M), meta={"period": "period"},
    )
    return boot, {"aggregates": combined.aggregates}


def _tables(fit, spec, agg, plan, boot, agg_boot, unit, period, confidence) -> dict:
    freq = plan["freq"]
    hashes = plan["unit_hashes"]
    # -- company figures: every latent of every unit measured by this survey
    li = fit.latent_indexes.copy()
    t, _, lab = _labels(li[period], table="survey")
    key_hash = [hashes.get((str(p), str(u))) for p, u in zip(li[period], li[unit])]
    comp = pd.DataFrame({
        "level": "company", "unit": li[unit].astype(str).to_numpy(), "period": lab, "t": t, "frequency": freq,
        "latent": li["latent"].to_numpy(), "parent": li["industry"].to_numpy() if "industry" in li else None,
        "industry": li["industry"].to_numpy() if "industry" in li else None,
        "sector": li["sector"].to_numpy() if "sector" in li else None,
        "index": li["index"].to_numpy(dtype=float), "se": li["se"].to_numpy(dtype=float),
        "ci_lower": li["ci_lower"].to_numpy(dtype=float), "ci_upper": li["ci_upper"].to_numpy(dtype=float),
        "ci_level": float(confidence), "ci_method": "t", "n": li["n"].to_numpy(dtype=float), "n_units": 1,
        "status": li["status"].astype(str).to_numpy(), "reason": li["reason"].fillna("").astype(str).to_numpy(),
        "origin": "measured", "data_hash": key_hash,
    })
    if boot is not None:
        bi = boot.indexes.copy()
        _, _, blab = _labels(bi[period], table="bootstrap")
        b = pd.DataFrame({"period": blab, "unit": bi[unit].astype(str).to_numpy(), "latent": bi["latent"].to_numpy(),
                          "boot_se": bi["boot_se"].to_numpy(), "boot_bias": bi["bias"].to_numpy(),
                          "perc_lower": bi["perc_lower"].to_numpy(), "perc_upper": bi["perc_upper"].to_numpy(),
                          "bca_lower": bi["bca_lower"].to_numpy(), "bca_upper": bi["bca_upper"].to_numpy(),
                          "boot_n_used": bi["n_boot"].to_numpy() - bi[["n_not_converged", "n_inadmissible", "n_unscorable"]].sum(axis=1).to_numpy()
                          if "n_used" not in bi else bi["n_used"].to_numpy()})
        comp = comp.merge(b, on=["period", "unit", "latent"], how="left")
    # -- aggregates of the published periods
    tab = agg.table()
    at, _, _ = _labels(tab["period"], table="aggregates")
    pub = set(plan["published_t"])
    sel = np.array([x in pub for x in at]) & (tab["level"] != "company").to_numpy()
    a = tab.loc[sel].reset_index(drop=True)
    a_t = at[sel]
    published = a["published"].to_numpy(dtype=bool)
    wp = a["window_periods"].to_numpy(dtype=float)
    lvl = a["level"].to_numpy()
    aggs = pd.DataFrame({
        "level": lvl, "unit": a["unit"].astype(str).to_numpy(), "period": a["period"].to_numpy(), "t": a_t,
        "frequency": freq, "latent": spec.headline, "parent": a["parent"].to_numpy(),
        "industry": np.where(lvl == "industry", a["unit"].to_numpy(), None),
        "sector": np.where(lvl == "industry", a["parent"].to_numpy(),
                           np.where(lvl == "sector", a["unit"].to_numpy(), None)),
        "index": a["index"].to_numpy(dtype=float), "se": a["se"].to_numpy(dtype=float),
        "ci_lower": a["ci_lower"].to_numpy(dtype=float), "ci_upper": a["ci_upper"].to_numpy(dtype=float),
        "ci_level": float(agg.options["confidence"]), "ci_method": "z", "n": a["n_respondents"].to_numpy(dtype=float),
        "n_units": a["n_units"].to_numpy(), "status": a["status"].astype(str).to_numpy(),
        "reason": a["reason"].fillna("").astype(str).to_numpy(),
        "origin": "aggregated", "weight": a["weight"].to_numpy(dtype=float),
        "weight_share": a["weight_share"].to_numpy(dtype=float), "published": published, "window_periods": wp,
        "window_full": a["window_full"].astype("boolean").to_numpy(), "n_measurements": a["n_measurements"].to_numpy(),
        "n_carried": a["n_carried"].to_numpy(), "carried_from": a["carried_from"].to_numpy(),
        "measured_from": a["measured_from"].to_numpy(), "measured_to": a["measured_to"].to_numpy(),
        "baseline_period": a["baseline_period"].to_numpy(), "baseline_index": a["baseline_index"].to_numpy(dtype=float),
    })
    if agg_boot and "aggregates" in agg_boot:
        ab = agg_boot["aggregates"].loc[sel].reset_index(drop=True)
        aggs["boot_se"] = ab["boot_se"].to_numpy()
        aggs["boot_bias"] = ab["bias"].to_numpy()
        for c in ("perc_lower", "perc_upper", "bca_lower", "bca_upper"):
            aggs[c] = ab[c].to_numpy()
        aggs["boot_n_used"] = ab["n_used"].to_numpy()
    figures = pd.concat([comp, aggs], ignore_index=True)
    # -- changes (aggregates of the published periods; companies measured by this survey)
    measured = np.array([(p, u) in plan["new_keys"] for p, u in zip(tab["period"], tab["unit"].astype(str))])
    csel = (np.array([x in pub for x in at]) & (tab["level"] != "company").to_numpy()) | \
           ((tab["level"] == "company").to_numpy() & measured & tab["carried_from"].isna().to_numpy())
    c = tab.loc[csel].reset_index(drop=True)
    ct = at[csel]
    frames = []
    for kind in ("change", "change_yoy"):
        has = c[kind].notna().to_numpy() | c[f"{kind}_p"].notna().to_numpy()
        sub = c.loc[has]
        if sub.empty:
            continue
        from .data.periods import PERIODS_PER_YEAR, labels

        lag = 1 if kind == "change" else PERIODS_PER_YEAR[freq]
        tested = agg.options.get("change_test", "matched")
        flag = sub[f"{kind}_significant"].astype("boolean").to_numpy()
        none = pd.array([pd.NA] * len(sub), dtype="boolean")
        base = {"level": sub["level"].to_numpy(), "unit": sub["unit"].astype(str).to_numpy(),
                "period": sub["period"].to_numpy(), "t": ct[has], "latent": spec.headline, "kind": kind,
                "period_from": labels(ct[has] - lag, freq)}
        frames.append(pd.DataFrame({
            **base, "basis": "as_published", "change": sub[kind].to_numpy(dtype=float),
            "change_pct": sub[f"{kind}_pct"].to_numpy(dtype=float), "se": sub[f"{kind}_se"].to_numpy(dtype=float),
            "p": sub[f"{kind}_p"].to_numpy(dtype=float), "significant": flag if tested == "published" else none,
            "tested": tested == "published",
        }))
        if f"{kind}_matched" in sub:  # like-for-like: the units present in both periods
            frames.append(pd.DataFrame({
                **base, "basis": "matched", "change": sub[f"{kind}_matched"].to_numpy(dtype=float),
                "se": sub[f"{kind}_matched_se"].to_numpy(dtype=float), "p": sub[f"{kind}_matched_p"].to_numpy(dtype=float),
                "significant": flag if tested == "matched" else none, "tested": tested == "matched",
                "composition": sub[f"{kind}_composition"].to_numpy(dtype=float),
                "composition_changed": sub[f"{kind}_composition_changed"].astype("boolean").to_numpy(),
                "n_matched": pd.array(sub[f"{kind}_n_matched"], dtype="Int64"),
            }))
    changes = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    # -- measurements (uses) with their weights and the release that measured them
    hier = agg.hierarchy
    meas = agg.measurements
    mv = meas.set_index(["period", unit])
    src_of = dict(zip(zip(plan["indexes"]["period"], plan["indexes"][unit].astype(str)), plan["indexes"]["_source"]))
    stored_hash = dict(zip(zip(plan["stored"]["period"], plan["stored"]["unit"]), plan["stored"]["data_hash"])) \
        if len(plan["stored"]) else {}
    ht, _, _ = _labels(hier["period"], table="hierarchy")
    mkeys = list(zip(hier["measured_period"], hier[unit].astype(str)))
    vals = mv.reindex(pd.MultiIndex.from_tuples(mkeys, names=["period", unit]))
    src = np.array([src_of.get(k, -1) for k in mkeys], dtype=np.int64)
    measurements = pd.DataFrame({
        "period": hier["period"].to_numpy(), "t": ht, "unit": hier[unit].astype(str).to_numpy(),
        "industry": hier["industry"].to_numpy(), "sector": hier["sector"].to_numpy(),
        "index": vals["index"].to_numpy(dtype=float), "se": vals["se"].to_numpy(dtype=float),
        "n": vals["n"].to_numpy(dtype=float), "sales": hier["sales"].to_numpy(dtype=float),
        "source_release_key": src, "measured_period": hier["measured_period"].to_numpy(),
        "carried": hier["carried"].to_numpy(dtype=bool),
        "data_hash": [hashes.get(k) if s_ < 0 else stored_hash.get(k) for k, s_ in zip(mkeys, src)],
    })
    # -- contributions of the published aggregates
    con = agg.contributions
    ct_, _, _ = _labels(con["period"], table="contributions")
    con = con.loc[np.array([x in pub for x in ct_]) & (con["level"] != "company").to_numpy()].reset_index(drop=True)
    con["unit"] = con["unit"].astype(str)
    con["measured_unit"] = con["measured_unit"].astype(str)
    # -- units, accounting, estimates, fit measures
    u = fit.units
    _, _, ulab = _labels(u[period], table="units")
    units = pd.DataFrame({
        "period": ulab, "unit": u[unit].astype(str).to_numpy(),
        "industry": u["industry"].to_numpy() if "industry" in u else None,
        "sector": u["sector"].to_numpy() if "sector" in u else None, "status": u["status"].astype(str).to_numpy(),
        "reason": u["reason"].fillna("").astype(str).to_numpy(), "n": u["n"].to_numpy(dtype=np.int64),
        "converged": u["converged"].to_numpy(dtype=bool), "admissible": u["admissible"].to_numpy(dtype=bool),
        "messages": u["messages"].astype(str).to_numpy(),
        "data_hash": [hashes.get((str(p), str(x))) for p, x in zip(u[period], u[unit])],
    })
    acc = fit.accounting
    _, _, alab = _labels(acc[period], table="accounting")
    items = [c_ for c_ in acc.columns if c_.startswith("rows_") or c_.startswith("dropped_")]
    accounting = pd.DataFrame({
        "period": np.repeat(alab, len(items)), "unit": np.repeat(acc[unit].astype(str).to_numpy(), len(items)),
        "item": np.tile(items, len(acc)), "count": acc[items].to_numpy(dtype=np.int64).ravel(),
    })
    estimates = _estimates(fit.estimates, period, unit)
    fm = fit.fit_measures
    if len(fm):
        _, _, flab = _labels(fm[period], table="fit measures")
        mcols = [c_ for c_ in fm.columns if c_ not in fit.groups and c_ not in fit.carry]
        fit_measures = pd.DataFrame({
            "period": np.repeat(flab, len(mcols)), "unit": np.repeat(fm[unit].astype(str).to_numpy(), len(mcols)),
            "measure": np.tile(mcols, len(fm)), "value": fm[mcols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float).ravel(),
        })
    else:
        fit_measures = pd.DataFrame()
    tables = {"figures": figures, "changes": changes, "measurements": measurements, "contributions": con,
              "units": units, "accounting": accounting, "estimates": estimates, "fit_measures": fit_measures}
    if boot is not None:
        tables["replicates"] = _replicates(boot, fit, unit, period)
    return tables


def _estimates(est: pd.DataFrame, period: str, unit: str) -> pd.DataFrame:
    if est is None or est.empty:
        return pd.DataFrame()
    _, _, lab = _labels(est[period], table="estimates")
    core = [c for c in _CORE_ESTIMATES if c in est.columns]
    rest = [c for c in est.columns if c not in core and c not in (period, unit, "industry", "sector")]
    out = pd.DataFrame({"period": lab, "unit": est[unit].astype(str).to_numpy()})
    out["row"] = out.groupby(["period", "unit"], sort=False).cumcount().to_numpy(dtype=np.int64)
    for c in core:
        out[c] = est[c].to_numpy() if c in ("lhs", "op", "rhs") else pd.to_numeric(est[c], errors="coerce").to_numpy(dtype=float)
    for c in ("lhs", "op", "rhs"):
        out[c] = out[c].astype(str)
    if rest:
        recs = est[rest].to_dict("records")
        out["extra"] = [json.dumps({k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()}, default=str)
                        for r in recs]
    return out


def _replicates(boot, fit, unit, period) -> pd.DataFrame:
    h = boot.stat_labels.index(("index", fit.spec.headline, "", ""))
    usable = boot._agg_usable
    pi, ui = boot.groups.index(period), boot.groups.index(unit)
    _, _, lab = _labels([k[pi] for k in boot.unit_keys], table="bootstrap")
    return pd.DataFrame({
        "period": lab, "unit": [str(k[ui]) for k in boot.unit_keys], "latent": fit.spec.headline,
        "seed": np.uint64(boot.seed), "n_boot": int(boot.n_boot), "ci_level": float(boot.level),
        "values": [np.where(usable[i], boot.replicates[i, h, :], np.nan) for i in range(len(boot.unit_keys))],
        "jack_m2": boot.jack_m2[:, h], "jack_m3": boot.jack_m3[:, h],
    })


# ============================================================================ import of published tables
def import_published(
    store,
    table,
    *,
    release: str,
    level: str = "company",
    unit_col: str = "company",
    period_col: str = "period",
    value_col: str | None = None,
    industry: str | None = None,
    sector: str | None = None,
    latent: str = "CS",
    source: str = "",
    notes: str = "",
    release_date=None,
    baseline_period: str | None = None,
    replace: bool = False,
) -> int:
    """Load a published table of indexes as an *external* release; returns its key.

    Parameters
    ----------
    store : path or HistoryStore
    table : DataFrame or path
        One row per unit and period: ``period_col``, ``value_col`` (default: ``index``,
        ``national_index`` or ``score``; empty = not measured) and, unless ``level`` is
        ``national``, ``unit_col``. In a company table, units named ``"<name> (industry)"`` are
        the industry's score and ``"All Others"`` becomes ``"All Others (<industry>)"``.
    release : str
        Release id (e.g. ``"ACSI-national-1994-2008"``).
    level : {"company", "national"}
    industry, sector : str
        Hierarchy of a company table (the published tables name neither).
    latent : str
        The latent the scores measure (ACSI publishes customer satisfaction, ``CS``).
    baseline_period : str, optional
        Period label given to rows whose period reads ``baseline`` (required if there are any).
    source, notes : str
        Provenance and release notes stored with the release.

    Returns
    -------
    int
        The release key.
    """
    df, src = _read_table(table, "published table", (period_col, unit_col))
    if level not in ("company", "national"):
        raise StoreError(f"The 'level' parameter of import_published must be 'company' or 'national'. Got {level!r} instead.")
    value_col = value_col or next((c for c in ("index", "national_index", "score") if c in df.columns), None)
    need = [period_col, value_col] + ([unit_col] if level == "company" else [])
    miss = [c for c in need if c is None or c not in df.columns]
    if miss:
        raise DataError(f"the published table {src} needs columns {need}; it has {list(df.columns)}")
    if level == "company" and not industry:
        raise StoreError("import_published of a company table needs industry= (and sector=): the published tables "
                         "do not name them")
    per = df[period_col].astype(str).str.strip()
    is_base = per.str.lower() == "baseline"
    if is_base.any():
        if not baseline_period:
            raise DataError(f"the published table {src} has {int(is_base.sum())} 'baseline' period(s); pass "
                            "baseline_period= (e.g. '1994') to say when the baseline was measured")
        per = per.where(~is_base, str(baseline_period))
    t, freq, lab = _labels(per, table="published table")
    value = pd.to_numeric(df[value_col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isnan(value) & ((value < 0) | (value > 100))
    if bad.any():
        raise DataError(f"the published table {src} has scores outside 0-100 in rows {np.flatnonzero(bad)[:8].tolist()}")
    if level == "national":
        names = np.full(len(df), "national", dtype=object)
        lvl = np.full(len(df), "national", dtype=object)
        parent = np.full(len(df), None, dtype=object)
        ind = np.full(len(df), None, dtype=object)
        sec = np.full(len(df), None, dtype=object)
    else:
        raw = df[unit_col].astype(str).str.strip()
        is_ind = raw.str.endswith("(industry)").to_numpy()
        names = np.where(is_ind, raw.str.replace(r"\s*\(industry\)$", "", regex=True),
                         np.where(raw == "All Others", f"All Others ({industry})", raw)).astype(object)
        lvl = np.where(is_ind, "industry", "company").astype(object)
        parent = np.where(is_ind, sector, industry).astype(object)
        ind = np.full(len(df), industry, dtype=object)
        sec = np.full(len(df), sector, dtype=object)
    key = pd.DataFrame({"level": lvl, "unit": names, "period": lab})
    dup = key.duplicated(keep=False).to_numpy()
    if dup.any():
        raise DataError(f"the published table {src} has {int(dup.sum())} duplicate (unit, period) rows, e.g. "
                        f"{key.loc[dup].head(3).to_dict('records')}; keep one score per unit and period")
    measured = ~np.isnan(value)
    base_note = np.where(is_base.to_numpy(), f"published as the baseline, stored as {baseline_period}", "")
    figures = pd.DataFrame({
        "level": lvl, "unit": names, "period": lab, "t": t, "frequency": freq, "latent": latent, "parent": parent,
        "industry": ind, "sector": sec, "index": value, "ci_method": "published",
        "status": np.where(measured, "ok", "not_measured"),
        "reason": [("; ".join(x for x in (b, "" if m else "NM: not measured in the published table") if x))
                   for b, m in zip(base_note, measured)],
        "origin": "external", "published": measured,
    })
    file_hash = None
    if src and src != "<DataFrame>":
        file_hash = hashlib.sha256(Path(src).read_bytes()).hexdigest()
    meta = {
        "release_id": release, "kind": "external", "notes": notes, "source": source or src,
        "model_headline": latent, "method_hash": _sha("external", source or src), "frequency": freq,
        "periods": sorted(set(lab), key=list(lab).index),
        "options": {"level": level, "industry": industry, "sector": sector, "latent": latent,
                    "baseline_period": baseline_period, "value_col": value_col},
        "input_hashes": {"file": src, "sha256": file_hash, "table": _frame_hash(df)},
    }
    if release_date:
        meta["release_date"] = pd.Timestamp(release_date).date()
    st, mine = as_store(store, read_only=False)
    try:
        from .provenance import versions as _versions

        meta["versions"] = _versions()
        return st.write_release(meta, {"figures": figures}, replace=replace)
    finally:
        if mine:
            st.close()


_SOURCE = ("ACSI tables reprinted in a Chinese-language course deck on customer satisfaction and CRM (chapter 6); "
           "transcribed in shared/data (acsi/store/published/README.md)")


def import_acsi_tables(store, *, replace: bool = False, airline_sector: str = "Transportation & Warehousing",
                       portal_sector: str = "E-Business") -> list[str]:
    """Import the three published ACSI tables shipped with acsi as external releases.

    Releases ``ACSI-national-1994-2008`` (national quarterly), ``ACSI-airlines-1994-2008`` and
    ``ACSI-internet-portals-1994-2008`` (annual company tables; ``baseline`` stored as 1994).
    See ``acsi/store/published/README.md`` for the source and the choices made. Returns the ids.
    """
    from importlib import resources

    base = resources.files("acsi.store").joinpath("published")
    out = []
    with resources.as_file(base) as folder:
        folder = Path(folder)
        rid = "ACSI-national-1994-2008"
        import_published(store, folder / PUBLISHED_TABLES["national"], release=rid, level="national",
                         source=_SOURCE, replace=replace, release_date="2008-08-19",
                         notes="ACSI national index per quarter, 1994Q3 (baseline, measured summer 1994) to 2008Q2, "
                               "as published (one decimal). No intervals were published.")
        out.append(rid)
        for name, ind, sec in (("airlines", "Airlines", airline_sector),
                               ("internet_portals", "Internet Portals/Search Engines", portal_sector)):
            rid = f"ACSI-{name.replace('_', '-')}-1994-2008"
            import_published(store, folder / PUBLISHED_TABLES[name], release=rid, level="company", industry=ind,
                             sector=sec, baseline_period="1994", source=_SOURCE, replace=replace,
                             release_date="2008-08-19",
                             notes=f"ACSI {ind} scores per year as published (baseline stored as 1994; NM = not "
                                   f"measured). Sector {sec!r} assigned on import; the table names none.")
            out.append(rid)
    return out
