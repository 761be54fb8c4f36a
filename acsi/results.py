"""Result objects: read-only records of a fit, with tables as pandas objects.

A :class:`FitResult` is a record: its tables are built once and every access returns a
copy (``fit.indexes.loc[0, "index"] = -999`` changes the copy, never the record); its
options and provenance are read-only mappings stamped when the fit ran.
:meth:`FitResult.save` writes every table (CSV and Parquet), the model (``model.toml``
and ``model.lav``), ``summary.txt`` and ``manifest.json`` (:mod:`acsi.tables`);
:func:`load_results` verifies the manifest and returns a usable ``FitResult`` (tables,
model, options, provenance; :meth:`~FitResult.aggregate` works on it; the bootstrap needs
the answers, which are not saved).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from .data import DROP_REASONS
from .errors import AcsiError, DataError
from .estimate.pls_evidence import TABLES as PLS_EVIDENCE_TABLES
from .parallel import fewer_collections
from .pipeline import (UnitOutcome, extra_columns, joined_columns, make_unread, stacked_table, table_columns,
                       table_lists)
from .data.saved import MANIFEST as _MANIFEST
from .data.saved import read_results_dir
from .estimate.semtables import UNIT_TABLES, frame
from .frames import arrays_table, column_arrays, factorize, table
from .spec import ModelSpec
from .summary import Summary
from .tables import write_result

#: The fast builds of the tables (from arrays, without per-unit frames, merges or concatenations); each
#: gives the general build's table bit for bit, and ``tests/results/test_fast_tables.py`` compares
#: them with the general builds (this switch off) on fits that take each path.
_FAST = True

#: Units from which building the tables collects garbage less often (:meth:`FitResult._collections`).
_MANY_UNITS = 50

__all__ = ["FitResult", "Summary", "load_results", "FIT_TABLES", "PLS_TABLES"]  # Summary re-exported from acsi.summary


_POLICY = {
    "listwise": "listwise deletion",
    "fiml": "full-information ML (respondents with at least one answer)",
}

#: The PLS evidence tables (:data:`acsi.estimate.pls_evidence.TABLES`) of the units (long, with the unit
#: columns) and of the pooled fit (``pooled_`` + stem); only PLS fits have them.
PLS_TABLES = PLS_EVIDENCE_TABLES + tuple(f"pooled_{t}" for t in PLS_EVIDENCE_TABLES)

#: Tables of a fit, by file stem (``company_indexes`` is :attr:`FitResult.indexes`).
#: The CB-SEM tables of each unit's record (``UnitOutcome.extra``), stacked over units.
SEM_TABLES = UNIT_TABLES

FIT_TABLES = (
    "company_indexes", "latent_indexes", "scores", "estimates", "fit_measures", "item_weights", "units", "accounting",
    "pooled_estimates", "pooled_fit_measures", "pooled_indexes", *PLS_TABLES,
    # CB-SEM: effects, ACSI impacts, R², reliability, HTMT per unit and pooled (acsi.estimate.semtables)
    *SEM_TABLES, *(f"pooled_{t}" for t in SEM_TABLES),
)


_PANDAS_COW = int(pd.__version__.split(".")[0]) >= 3  # pandas 3: copy-on-write is the only mode


def _copied(t: pd.DataFrame) -> pd.DataFrame:
    """A copy of the record's table ``t`` for the caller: under pandas' copy-on-write (pandas 3,
    or ``mode.copy_on_write`` on) the lazy copy (``copy(deep=False)``: changing either frame
    copies the data it changes first, so the record never changes; ~4 µs against ~20 µs for a
    table of a few rows), otherwise a deep copy."""
    if _PANDAS_COW or pd.get_option("mode.copy_on_write") is True:
        return t.copy(deep=False)
    return t.copy()


def _frozen(mapping) -> MappingProxyType:
    """A read-only view of a (JSON-like) mapping, nested mappings and lists frozen too."""
    def freeze(v):
        if isinstance(v, dict):
            return MappingProxyType({k: freeze(x) for k, x in v.items()})
        if isinstance(v, list):
            return tuple(freeze(x) for x in v)
        return v

    return freeze(dict(mapping or {}))


def _thaw(v):
    """JSON-ready copy of a frozen mapping."""
    if isinstance(v, MappingProxyType | dict):
        return {k: _thaw(x) for k, x in v.items()}
    if isinstance(v, tuple | list):
        return [_thaw(x) for x in v]
    return v


def _table_property(name: str) -> property:
    """A table of the record, returned as a copy (see the class docstring for its columns)."""
    return property(lambda self: self._copy(name), doc=f"The ``{name}`` table (a copy).")


@dataclass(frozen=True, eq=False, repr=False)
class FitResult:
    """Everything one call of :func:`acsi.fit` produced.

    Tables (all pandas DataFrames, numbers numeric, snake_case columns; each access returns
    a copy):

    ``indexes``
        One row per unit: unit columns, hierarchy (industry, sector), the
        headline latent's ``index, se, ci_lower, ci_upper, n``, the unit's ``status``
        (``ok``/``inadmissible``/``failed``) and ``reason``, and the headline index's own
        ``headline_status`` and ``headline_reason`` (:func:`acsi.pipeline.latent_status`:
        a problem in another block leaves a sound headline index ``ok``; the aggregation
        uses this status).
    ``latent_indexes``
        Every latent variable (long format, column ``latent``) with each index's own
        ``status`` and ``reason``, and the unit's (``unit_status``, ``unit_reason``).
    ``scores``
        One row per respondent used: unit columns, ``row`` (position in the
        input), ``weight`` and a 0-100 score per latent.
    ``estimates``
        Parameter table per unit with lavaan's columns (``lhs, op, rhs, est,
        se, z, pvalue, ci_lower, ci_upper, std_all``).
    ``fit_measures``
        One row per unit (chi-square, df, p, CFI, TLI, RMSEA and CI, SRMR,
        log-likelihood, AIC, BIC).
    ``item_weights``
        Item weights per unit and latent.
    ``units``
        Status per unit: converged, admissible, n, reason, messages.
    ``accounting``
        Per unit: rows read, used, and dropped by reason.
    ``effects``, ``impacts``, ``rsquare``, ``reliability``, ``htmt`` (CB-SEM)
        Per unit (:mod:`acsi.estimate.semtables`): direct/indirect/total effects with
        delta-method SEs (``from, to, effect, est, se, ..., std_lv, std_all``); ACSI impacts
        (``driver, target, total, scale_driver, scale_target, impact, se, ..., ci_lower,
        ci_upper``: 0-100 points of the target from a 5-point rise in the driver); R² of every
        endogenous variable (``variable, r2``); α, ρc, ρA, AVE per latent; HTMT per latent pair.
        The pooled fit's: :meth:`pooled_table` (``fit.pooled_table("impacts")``).
    PLS evidence (``estimator="pls"``; :meth:`pls_tables`)
        The quality table, effects, model fit, IPMA and the prediction asked for of every unit
        (unit columns first, like ``estimates``) and of the pooled fit
        (:mod:`acsi.estimate.pls_evidence`); the fits themselves: :meth:`pls_result`.

    Other attributes: ``spec`` (the model), ``estimator``, ``groups`` and ``carry`` (unit
    and hierarchy columns), ``options`` and ``provenance`` (read-only mappings: versions,
    UTC time, input hash, options, stamped when the fit ran), ``outcomes`` and ``pooled``
    (the per-unit records of :mod:`acsi.pipeline`; empty for results loaded from files),
    ``prepared`` (the prepared data, ``None`` for loaded results).
    """

    spec: ModelSpec
    estimator: str
    groups: tuple
    carry: tuple
    outcomes: tuple
    pooled: UnitOutcome | None
    prepared: object
    options: MappingProxyType
    provenance: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    _tables: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", tuple(self.groups))
        object.__setattr__(self, "carry", tuple(self.carry))
        object.__setattr__(self, "outcomes", tuple(self.outcomes))
        object.__setattr__(self, "options", _frozen(self.options))
        object.__setattr__(self, "provenance", _frozen(self.provenance))

    # ------------------------------------------------------------------ the record's tables
    def _table(self, name: str) -> pd.DataFrame | None:
        """The stored table (built on first use); callers get copies through the properties."""
        if name not in self._tables:
            if self.prepared is None:  # loaded from files: only what was saved
                return None
            with self._collections():
                self._tables[name] = _BUILDERS[name](self)
        return self._tables[name]

    def _collections(self):
        """:func:`acsi.parallel.fewer_collections` for the tables of many units (a long table allocates
        much: collect less often); for a few units a no-op (their tables allocate little, and restoring
        the threshold after each made the collector run at once over the fit's young objects)."""
        return fewer_collections() if len(self.outcomes) >= _MANY_UNITS else nullcontext()

    def _copy(self, name: str) -> pd.DataFrame:
        t = self._table(name)
        return pd.DataFrame() if t is None else _copied(t)

    @property
    def data_hash(self) -> str | None:
        """First 16 hex digits of the SHA-256 of the input survey (also in :attr:`provenance`)."""
        return self.provenance.get("input_sha256_16")

    units = _table_property("units")
    latent_indexes = _table_property("latent_indexes")
    indexes = _table_property("company_indexes")
    scores = _table_property("scores")
    estimates = _table_property("estimates")
    fit_measures = _table_property("fit_measures")
    item_weights = _table_property("item_weights")
    accounting = _table_property("accounting")
    # CB-SEM (acsi.estimate.semtables): one row per unit and (driver, target) / variable / latent
    effects = _table_property("effects")
    impacts = _table_property("impacts")
    rsquare = _table_property("rsquare")
    reliability = _table_property("reliability")
    htmt = _table_property("htmt")

    def stratified(self, by, *, bins: dict | None = None, latents=None, confidence: float | None = None) -> pd.DataFrame:
        """Indexes per unit and stratum: the survey-weighted mean 0-100 score of every latent (and
        observed outcome, e.g. the complaint rate) within each unit and each value of ``by``.

        Parameters
        ----------
        by : str or list of str
            Columns of :attr:`scores`: the declared demographics (``sex``, ``age``...) stay there.
        bins : dict, optional
            ``{column: edges}`` bands a numeric column first (``{"age": [18, 30, 45, 65, 99]}``:
            ``pd.cut`` intervals closed on the right).
        latents : list of str, optional
            Score columns to index (default: every one).
        confidence : float, optional
            Level of the t-intervals (default: the fit's).

        Returns
        -------
        DataFrame
            Unit columns, ``by`` columns, ``latent, index, se, ci_lower, ci_upper, n``; one row per
            stratum present (:func:`acsi.score.unit_index`, the formula of the unit indexes).

        Examples
        --------
        >>> fit.stratified(by="sex")                                   # doctest: +SKIP
        >>> fit.stratified(by="age", bins={"age": [17, 34, 54, 99]})    # doctest: +SKIP
        """
        from .score import unit_index

        by = [by] if isinstance(by, str) else list(by)
        sc = self.scores
        outcomes = [o.id for o in self.spec.observed if not o.covariate and o.id in self.spec.structural_observed]
        names = [c for c in list(self.spec.latent_ids) + outcomes if c in sc.columns]  # scored columns
        latents = names if latents is None else list(latents)
        absent = [c for c in by + latents if c not in sc.columns]
        if absent:
            raise DataError(
                f"stratified: {absent} are not columns of fit.scores (columns: {list(sc.columns)}); stratify by "
                "a declared covariate of the model (it is kept when present in the survey) or a unit column"
            )
        for c, edges in (bins or {}).items():
            if c not in by:
                raise DataError(f"stratified: bins given for {c!r}, which is not in by={by}")
            sc[c] = pd.cut(pd.to_numeric(sc[c], errors="coerce"), edges).astype(str)
        level = float(self.options.get("confidence", 0.95) if confidence is None else confidence)
        keys = list(dict.fromkeys(list(self.groups) + by))
        rows = []
        for k, g in sc.groupby(keys, sort=True, dropna=False):
            k = k if isinstance(k, tuple) else (k,)
            idx = unit_index(g[latents], g["weight"].to_numpy(dtype=float), confidence=level)
            for r in idx.to_dict("records"):
                rows.append({**dict(zip(keys, k)), **r})
        return pd.DataFrame(rows, columns=keys + ["latent", "index", "se", "ci_lower", "ci_upper", "n"])

    def pooled_table(self, name: str) -> pd.DataFrame | None:
        """A table of the pooled fit (``"estimates"``, ``"impacts"``, ``"effects"``, ``"rsquare"``,
        ``"reliability"``, ``"htmt"``, ...), a copy; None when there is none."""
        t = self._table(f"pooled_{name}")
        return None if t is None or t.empty else _copied(t)

    @property
    def pooled_index(self) -> pd.DataFrame | None:
        t = self._table("pooled_indexes")
        return None if t is None or t.empty else _copied(t)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by file stem (copies), as :meth:`save` writes them."""
        out = {}
        with self._collections():  # once for every table
            for name in FIT_TABLES:
                t = self._table(name)
                if t is not None and (not (name.startswith("pooled_") or name in UNIT_TABLES) or not t.empty
                                      or name in PLS_TABLES):
                    out[name] = _copied(t)
        return out

    def pls_tables(self, *, pooled: bool = False) -> dict[str, pd.DataFrame]:
        """The PLS evidence tables (copies) by stem (:data:`acsi.estimate.pls_evidence.TABLES`): of the units,
        long with the unit columns first, or of the pooled fit (``pooled=True``; stems without ``pooled_``).

        Empty for SEM fits; the optional tables (prediction, blindfolding, exact-fit test) only when asked
        for (``options=``).  Also in :meth:`tables` and the saved folder (``pooled_`` + stem for the pooled fit).
        """
        prefix = "pooled_" if pooled else ""
        out = {}
        for stem in PLS_EVIDENCE_TABLES:
            t = self._table(prefix + stem)
            if t is not None:
                out[stem] = _copied(t)
        return out

    def pls_result(self, key=None):
        """The :class:`~acsi.estimate.pls.PLSResult` of one unit (its key: a tuple of the unit values, or one
        value) or of the pooled fit (``key=None``); for the evidence functions of :mod:`acsi.estimate` and
        :func:`acsi.bootstrap.bootstrap_pls`.  Fits loaded from files hold none (no survey answers)."""
        if self.estimator != "pls":
            raise AcsiError(f"pls_result() needs a fit with estimator='pls'; this fit used estimator={self.estimator!r}")
        if self.prepared is None:
            raise AcsiError("this FitResult was loaded from saved files, which hold no PLS fit (no survey answers); "
                            "its PLS tables are in fit.pls_tables(): fit the survey again for the PLSResult")
        if key is None:
            outcome = self.pooled
            if outcome is None:
                raise AcsiError("this fit has no pooled model (pooled=False); pass the key of a unit, one of "
                                f"{[o.key for o in self.outcomes[:5]]}")
        else:
            key = tuple(key) if isinstance(key, (tuple, list)) else (key,)
            outcome = next((o for o in self.outcomes if tuple(o.key) == key), None)
            if outcome is None:
                raise AcsiError(f"no unit {key} in this fit; units are keyed by {list(self.groups)}, e.g. "
                                f"{[o.key for o in self.outcomes[:5]]}")
        res = outcome.extra.get("pls")
        if res is None:
            raise AcsiError(f"unit {outcome.key} has no PLS fit: {outcome.reason or 'not estimated'}")
        return res

    # ------------------------------------------------------------------ derived results
    def aggregate(self, weights, **kwargs):
        """Industry, sector and national indexes from this fit's unit indexes.

        Shorthand for ``acsi.aggregate(fit.indexes, weights, **kwargs)``; see
        :func:`acsi.aggregate.aggregate` for the rules and options.
        """
        from .aggregate import aggregate

        unit = kwargs.pop("unit", None) or (self.options["unit"][-1] if self.options.get("unit") else "company")
        return aggregate(self.indexes, weights, unit=unit, **kwargs)

    def bootstrap(self, **kwargs):
        """Bootstrap standard errors and intervals; see :func:`acsi.bootstrap.bootstrap`."""
        from .bootstrap import bootstrap

        if self.prepared is None:
            raise AcsiError(
                "this FitResult was loaded from saved files, which hold no survey answers; the bootstrap resamples "
                "respondents: fit the survey again (acsi.fit(...)) and call fit.bootstrap(...) on that result"
            )
        return bootstrap(self, **kwargs)

    # ------------------------------------------------------------------ output
    def summary(self, *, max_units: int | None = None) -> Summary:
        """Status counts, headline indexes, data accounting and the pooled fit.

        ``max_units`` limits the per-unit index table to the highest and lowest
        units (all units are always in :attr:`indexes` and in the saved files).
        """
        u = self._table("units")
        counts = u["status"].value_counts().reindex(["ok", "inadmissible", "failed"], fill_value=0)
        acc = self._table("accounting")
        tot = acc[[c for c in acc.columns if c.startswith("rows_") or c.startswith("dropped_")]].sum()
        missing = self.options.get("missing", "listwise")
        overview = (
            f"model: {self.spec.name} ({self.spec.title})\nestimator: {self.estimator}{self._inference()}\n"
            f"units: {len(u)} ({counts['ok']} ok, {counts['inadmissible']} inadmissible, {counts['failed']} failed)\n"
            f"respondents: {int(tot['rows_read'])} read, {int(tot['rows_used'])} used"
            + "".join(f", {int(tot[c])} {c[8:].replace('_', ' ')}" for c in tot.index if c.startswith("dropped_") and tot[c])
            + f"\nmissing-data policy: {_POLICY.get(missing, missing)}; "
            f"missing codes {list(self.options.get('missing_codes', ()))}"
        )
        sections: list[tuple[str, pd.DataFrame | str]] = [("Overview", overview)]
        indexes = self._table("company_indexes")
        show = indexes[[c for c in indexes.columns if c not in ("reason", "headline_reason")]]
        head = f"Index of {self.spec.headline} per unit (0-100)"
        if max_units is not None and len(show) > max_units:
            ranked = show.sort_values("index", ascending=False, na_position="last")
            k = max(max_units // 2, 1)
            show = pd.concat([ranked.head(k), ranked.dropna(subset=["index"]).tail(k)]).drop_duplicates()
            head += f": the {k} highest and {k} lowest of {len(indexes)} (all in fit.indexes)"
        sections.append((head, show))
        bad = u.loc[u["status"] != "ok", list(self.groups) + ["status", "reason"]]
        if len(bad):
            sections.append(("Units not ok", bad))
        pfm = self._table("pooled_fit_measures")
        if self.estimator == "pls":
            sections += self._pls_sections()
        elif pfm is not None and not pfm.empty:
            fm = pfm.iloc[0]
            keep = ["chisq", "df", "pvalue", "chisq_scaled", "chisq_scaling_factor", "pvalue_scaled", "cfi", "tli",
                    "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "cfi_robust", "tli_robust", "rmsea_robust",
                    "rmsea_ci_lower_robust", "rmsea_ci_upper_robust", "srmr", "aic", "bic"]
            fm = fm[[k for k in keep if k in fm.index]].astype(float)
            if len(fm):
                sections.append(("Pooled model fit", fm.to_frame("value").reset_index(names="measure")))
        if self.pooled_index is not None:
            sections.append(("Pooled indexes", self.pooled_index))
        sections += _sem_sections(self)
        return Summary(f"acsi fit: {self.spec.name}", sections)

    def _pls_sections(self) -> list[tuple[str, pd.DataFrame | str]]:
        """The PLS evidence in the summary: checks and SRMR per unit; the pooled model fit, paths, R²,
        reliability, HTMT, checks not passed and prediction (only sections with content)."""
        out: list[tuple[str, pd.DataFrame | str]] = []
        groups = list(self.groups)
        flags, mfit = self._table("pls_quality_flags"), self._table("pls_model_fit")
        if groups and flags is not None and len(flags):
            per = flags.assign(failed=flags["passed"].eq(False), not_computable=flags["passed"].isna())
            per = per.groupby(groups, sort=False).agg(checks=("criterion", "size"), failed=("failed", "sum"),
                                                      not_computable=("not_computable", "sum")).reset_index()
            if mfit is not None and len(mfit):
                srmr = mfit.loc[mfit["measure"] == "srmr", groups + ["estimated"]].rename(columns={"estimated": "srmr"})
                per = per.merge(srmr, on=groups, how="left")
            out.append(("PLS quality checks per unit (all checks in pls_quality_flags; SRMR of the estimated model)", per))
        units = self._table("units")
        noted = units.loc[units["messages"].fillna("").astype(str).ne("") & units["status"].ne("failed")] if groups else units.iloc[0:0]
        if len(noted):
            out.append(("PLS evidence not computed for some units (the unit and its index stay)",
                        noted[groups + ["messages"]]))
        pooled = {stem: self._table(f"pooled_{stem}") for stem in PLS_EVIDENCE_TABLES}
        pooled = {k: v for k, v in pooled.items() if v is not None and len(v)}
        if "pls_model_fit" in pooled:
            out.append(("Pooled PLS model fit (SRMR < 0.08: Henseler et al. 2016)", pooled["pls_model_fit"]))
        est = self._table("pooled_estimates")
        if est is not None and len(est):
            paths = est.loc[est["op"] == "~", ["rhs", "lhs", "est"]].rename(columns={"rhs": "from", "lhs": "to"})
            if len(paths):
                out.append(("Pooled paths (standardized; significance needs the bootstrap: --bootstrap N)", paths))
        for stem, head, cols in (
                ("pls_r2", "Pooled R²", ["latent", "r2", "r2_adj", "n_predictors"]),
                ("pls_reliability", "Pooled reliability and convergent validity",
                 ["latent", "mode", "n_items", "alpha", "rho_a", "rho_c", "ave", "note"]),
                ("pls_htmt", "Pooled discriminant validity (HTMT < 0.85 / 0.90)",
                 ["latent_a", "latent_b", "htmt", "htmt2", "below_085", "below_090"])):
            if stem in pooled:
                t = pooled[stem]
                out.append((head, t[[c for c in cols if c in t.columns]]))
        if "pls_quality_flags" in pooled:
            f = pooled["pls_quality_flags"]
            failed, na = f["passed"].eq(False), f["passed"].isna()
            out.append(("Pooled PLS quality checks", f"{len(f)} checks with the thresholds named in "
                        f"pooled_pls_quality_flags: {int((~failed & ~na).sum())} passed, {int(failed.sum())} failed, "
                        f"{int(na.sum())} not computable"))
            if (failed | na).any():
                out.append(("Pooled checks not passed", f.loc[failed | na, ["criterion", "target", "value", "rule", "passed"]]))
        if "pls_predict" in pooled:
            out.append(("Pooled PLSpredict (out of sample, against the linear benchmark)", pooled["pls_predict"]))
        if "pls_blindfolding" in pooled:
            out.append(("Pooled blindfolding Q²", pooled["pls_blindfolding"]))
        if self.pooled is not None and self.pooled.messages:
            out.append(("Pooled PLS evidence not computed", "\n".join(self.pooled.messages)))
        return out
    def _inference(self) -> str:
        """`` (ML with survey weights: robust ... standard errors; ...)`` for a covariance-based fit."""
        if self.estimator != "sem":
            return ""
        from .estimate.robust import resolve_inference

        opts = dict(self.options.get("estimator_options") or {})
        missing = "ml" if self.options.get("missing") == "fiml" else "listwise"
        try:
            inf = resolve_inference(opts.get("estimator", "ml"), weighted=self.options.get("weight") is not None,
                                    missing=missing, se=opts.get("se"))
        except ValueError:  # options of another version
            return ""
        return f" ({inf.describe()})"

    def __repr__(self) -> str:
        u = self._table("units")
        counts = u["status"].value_counts() if len(u) else pd.Series(dtype=int)
        status = ", ".join(f"{int(counts.get(s, 0))} {s}" for s in ("ok", "inadmissible", "failed"))
        groups = "/".join(self.groups) or "pooled only"
        n = int(self._table("accounting")["rows_used"].sum())
        loaded = "" if self.prepared is not None else ", loaded from files"
        return (f"<FitResult {self.spec.name} ({self.estimator}): {len(u)} units by {groups} ({status}), "
                f"{n} respondents used{loaded}; see .summary(), .indexes>")

    def _repr_html_(self) -> str:
        return self.summary(max_units=10).as_html()

    def manifest(self) -> dict:
        """What ``manifest.json`` records besides the file list: provenance, options, the model."""
        prov = _thaw(self.provenance)
        pooled = None
        if self.pooled is not None:
            pooled = {"status": self.pooled.status, "reason": self.pooled.reason, "n": int(self.pooled.n),
                      "messages": list(self.pooled.messages)}
        elif self.prepared is None:
            pooled = prov.pop("pooled", None)
        return {
            "model": self.spec.name,
            "model_source": self.spec.source,
            "headline": self.spec.headline,
            "model_lavaan": self.spec.to_lavaan(),
            "model_toml": self.spec.to_toml(),
            "estimator": self.estimator,
            "groups": list(self.groups),
            "carry": list(self.carry),
            "options": _thaw(self.options),
            "pooled": pooled,
            "data_sha256_16": self.data_hash,
            "run_id": prov.get("run_id"),
            "created_utc": prov.get("created_utc"),
            "versions": prov.get("versions", {}),
            "input_sha256_16": self.data_hash,
        }

    def save(self, out_dir: str | Path) -> list[Path]:
        """Write every table as CSV and Parquet, the model (``model.toml``, ``model.lav``),
        ``summary.txt`` and ``manifest.json`` (files with size and SHA-256, provenance, options).

        The folder is written whole or not at all and replaces an earlier one whole (its bootstrap
        files go with it, unless they belong to this fit); a folder holding files acsi did not
        write is refused (:func:`acsi.tables.write_result`).
        """
        texts = {"summary.txt": self.summary().as_text() + "\n", "model.toml": self.spec.to_toml(),
                 "model.lav": self.spec.to_lavaan()}
        return write_result(out_dir, self.tables(), texts=texts, manifest=_MANIFEST, kind="fit", header=self.manifest())


def _sem_sections(fit: FitResult) -> list[tuple[str, pd.DataFrame]]:
    """Summary sections of the pooled CB-SEM fit: defined parameters, R², ACSI impacts, reliability."""
    out = []
    est = fit.pooled_table("estimates")
    if est is not None and (est["op"] == ":=").any():
        d = est.loc[est["op"] == ":=", ["lhs", "rhs", "est", "se", "pvalue", "ci_lower", "ci_upper"]]
        out.append(("Pooled defined parameters (:=, delta-method SEs)", d.rename(columns={"lhs": "name",
                                                                                          "rhs": "definition"})))
    r2 = fit.pooled_table("rsquare")
    if r2 is not None:
        r2 = r2[~r2["variable"].isin(fit.spec.item_ids)]
        out.append(("Pooled R² of the structural variables (the items' in fit.pooled_table('rsquare'))", r2))
    imp = fit.pooled_table("impacts")
    if imp is not None:
        show = imp.loc[imp["target"] == fit.spec.headline, ["driver", "target", "impact", "se", "ci_lower", "ci_upper"]]
        if len(show):
            out.append((f"Pooled ACSI impacts on {fit.spec.headline} (0-100 points from a 5-point rise in the driver; "
                        "all pairs in fit.impacts)", show))
    rel = fit.pooled_table("reliability")
    if rel is not None:
        out.append(("Pooled construct reliability (alpha, rho_c, rho_A, AVE; HTMT in fit.htmt)", rel))
    return out


# ============================================================================ building the tables
def _keyframe(fit: FitResult, outcome) -> dict:
    return dict(zip(fit.groups, outcome.key))


def _with_carry(fit: FitResult, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with the hierarchy columns (``fit.carry``) after the unit columns: each unit's first
    non-missing value in the data (pandas' ``groupby(...).first()``), merged on the unit columns."""
    groups, carry = list(fit.groups), list(fit.carry)
    if not carry or not groups or df.empty:
        return df
    cv = fit.prepared.data.groupby(groups, sort=False, dropna=False)[carry].first().reset_index()
    merged = df.merge(cv, on=groups, how="left")
    return merged[groups + carry + [c for c in df.columns if c not in groups]]


def _carry_columns(fit: FitResult, outcomes, lengths) -> dict | None:
    """The hierarchy columns of a long table whose rows are ``outcomes``' (each over its ``lengths``
    rows), as :func:`_with_carry` gives them, without the grouping and merge: ``{}`` when the fit
    has none, None when a unit has no row in the data or a key cannot be looked up (a missing
    key), where :func:`_with_carry` decides.

    A unit's value is the one of its first row in the data: :func:`acsi.fit` refuses a unit with
    more than one value of a hierarchy column (a missing value counts as one), so the first row's
    is the first non-missing one when there is one, what ``groupby(...).first()`` takes.  The
    units' rows are found from the unit columns' codes (:func:`acsi.frames.factorize`: for text
    columns the codes the fit computed already) and their first rows with one ``np.minimum.at``;
    the columns are ``take``s of the data's own (the dtype the merge gives)."""
    groups, carry = list(fit.groups), list(fit.carry)
    if not carry or not groups or not len(outcomes):
        return {}
    data = fit.prepared.data
    if len(outcomes) == 1 and len(data) and _is_first_row(data, groups, outcomes[0].key):
        rows = np.zeros(int(sum(lengths)), dtype=np.int64)  # one unit (the data's first row is its first)
        return {c: data[c].array.take(rows) for c in carry}
    code = np.zeros(len(data), dtype=np.int64)
    lookups, size = [], 1
    valid = None
    for g in groups:
        codes, uniques = factorize(data[g])  # -1: a missing unit value (no unit here has one)
        k = len(uniques)
        if size * max(k, 1) >= 2**62:  # combined codes would not fit one integer
            return None
        code = code * k + codes
        size *= max(k, 1)
        valid = codes >= 0 if valid is None else valid & (codes >= 0)
        lookups.append((dict(zip(uniques.tolist(), range(k))), k))
    first = np.full(size, len(data), dtype=np.int64)
    rows = np.arange(len(data), dtype=np.int64)
    if not valid.all():
        code, rows = code[valid], rows[valid]
    np.minimum.at(first, code, rows)
    at = []
    for o in outcomes:
        c = 0
        for v, (lookup, k) in zip(o.key, lookups):
            j = None if pd.isna(v) else lookup.get(v)  # a missing key: left to the merge
            if j is None:
                return None
            c = c * k + j
        at.append(first[c])
    at = np.asarray(at, dtype=np.int64)
    if (at >= len(data)).any():
        return None
    rows = np.repeat(at, np.asarray(lengths, dtype=np.int64))
    return {c: data[c].array.take(rows) for c in carry}


def _key_arrays(fit: FitResult, outcomes, lengths) -> dict | None:
    """:func:`_key_columns` as arrays: each unit column inferred once from the units' values
    (:func:`_runs_column`, kept per tuple of values: every long table of a fit has the same
    units) and taken over the rows; the column pandas infers from the repeated values (one type
    in a column).  None when a column's values differ in type between units."""
    cols = {}
    for j, g in enumerate(fit.groups):
        values = tuple(o.key[j] for o in outcomes)
        if len({type(v) for v in values}) > 1:
            return None
        cols[g] = _repeated(values, tuple(lengths))
    return cols


@lru_cache(maxsize=64)
def _repeated(values: tuple, lengths: tuple):
    """:func:`_runs_column` of ``values`` with each value repeated ``lengths`` times, kept per
    pair (a fit's tables of the same shape share it); read only (a frame copies it)."""
    return _runs_column(values).take(np.repeat(np.arange(len(values)), np.asarray(lengths, dtype=np.int64)))


def _front_columns(fit: FitResult, outcomes, lengths) -> dict | None:
    """The unit columns (:func:`_key_arrays`) then the hierarchy columns (:func:`_carry_columns`)
    of a long table of ``outcomes``' rows; None when either must be left to the general build."""
    keys = _key_arrays(fit, outcomes, lengths)
    carry = None if keys is None else _carry_columns(fit, outcomes, lengths)
    if carry is None:
        return None
    return {**keys, **carry}


def _is_first_row(data: pd.DataFrame, groups: list, key: tuple) -> bool:
    """Whether the data's first row belongs to the unit ``key`` (each unit value equal and of the same type)."""
    for g, v in zip(groups, key):
        x = data[g].iat[0]
        if pd.isna(v) or pd.isna(x) or type(x) is not type(v) or x != v:
            return False
    return True


def _key_columns(fit: FitResult, outcomes, lengths) -> dict | None:
    """The unit columns of a long table: each unit's key repeated over its ``lengths`` rows;
    None when a column's values differ in type between units (a missing key beside texts), where
    only frame-by-frame concatenation gives pandas' own dtype."""
    cols = {}
    for j, g in enumerate(fit.groups):
        values = [o.key[j] for o in outcomes]
        if len({type(v) for v in values}) > 1:
            return None
        cols[g] = [v for v, k in zip(values, lengths) for _ in range(k)]
    return cols


def _stacked(fit: FitResult, get, name: str | None = None) -> pd.DataFrame | None:
    """``get(outcome)`` (a frame or a Series, or None) of every unit, unit columns first; None when no unit has one.

    Built once for all units (one concatenation, the unit columns added once): per unit it cost
    two column inserts and a copy, which made the tables of a 1,600-unit production cost seconds.
    Units fitted on workers came back with one table per chunk (``name``: the field, or
    ``extra:<key>``; :class:`acsi.pipeline.StackedOutcomes`): those tables are concatenated as
    they are."""
    found = None if name is None else stacked_table(fit.outcomes, name)
    if found is not None:
        stacks, lengths = found
        if not stacks:
            return None
        present = [o for o, k in zip(fit.outcomes, lengths) if k is not None]
        body = pd.concat([st.table for st in stacks], ignore_index=True)
        keys = _key_arrays(fit, present, [k for k in lengths if k is not None])
        if keys is not None and not any(g in body.columns for g in keys):
            return _with_keys(keys, body)
    parts = [(o, obj) for o in fit.outcomes if (obj := get(o)) is not None]
    if not parts:
        return None
    outcomes, objs = [o for o, _ in parts], [x for _, x in parts]
    series = [isinstance(x, pd.Series) for x in objs]
    first = objs[0]
    if all(series) and all(x.dtype == first.dtype and x.index.equals(first.index) for x in objs):
        body = pd.DataFrame(np.vstack([x.to_numpy() for x in objs]), columns=first.index)  # fit measures
    elif _FAST and len(objs) == 1 and not series[0] and _default_index(first):
        body = first  # one unit: its table as it is (_with_keys builds a new frame; pd.concat would copy it first)
    elif not any(series):
        body = pd.concat(objs, ignore_index=True)
    else:
        body = None
    keys = None if body is None else _key_arrays(fit, outcomes, [1 if s else len(x) for s, x in zip(series, objs)])
    if body is None or keys is None or any(g in body.columns for g in keys):
        return _stacked_per_unit(fit, parts)
    if body is first and (not keys or not _fast_keys(keys, body)):
        body = pd.concat(objs, ignore_index=True)  # the general build's own frame
    return _with_keys(keys, body)


def _default_index(frame: pd.DataFrame) -> bool:
    ix = frame.index
    return isinstance(ix, pd.RangeIndex) and ix.start == 0 and ix.step == 1 and ix.name is None


def _fast_keys(keys: dict, body: pd.DataFrame) -> bool:
    """Whether :func:`_with_keys` builds ``body`` with ``keys`` from the arrays (default index,
    distinct unnamed text column labels, none a unit column)."""
    cols = body.columns
    if not (_default_index(body) and cols.name is None):
        return False
    names = cols.tolist()  # (one conversion: iterating a text Index reads it label by label)
    return len(set(names)) == len(names) and all(type(c) is str for c in names) and not set(keys) & set(names)


def _with_keys(keys: dict, body: pd.DataFrame) -> pd.DataFrame:
    """``body`` with the unit columns ``keys`` (:func:`_key_arrays`) in front.

    Built from the columns' arrays (:func:`acsi.frames.table`) when ``body`` has a default index
    and distinct, unnamed text column labels, as the stacked bodies have: the frame of
    ``pd.concat([pd.DataFrame(keys), body], axis=1)`` without the two frames' alignment."""
    if not keys:
        return body
    if _FAST and _fast_keys(keys, body):
        out = dict(keys)
        out.update(zip(body.columns, column_arrays(body)))
        return arrays_table(out)
    return pd.concat([pd.DataFrame(keys, index=body.index), body], axis=1)


def _stacked_per_unit(fit: FitResult, parts) -> pd.DataFrame:
    """:func:`_stacked` frame by frame (unit columns whose values differ in type between units)."""
    frames = []
    for o, obj in parts:
        df = obj.to_frame().T if isinstance(obj, pd.Series) else obj.copy()
        for g, v in reversed(list(_keyframe(fit, o).items())):
            df.insert(0, g, v)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def _stack(fit: FitResult, attr: str) -> pd.DataFrame:
    out = _stacked(fit, lambda o: getattr(o, attr), attr)
    return pd.DataFrame(columns=list(fit.groups)) if out is None else out


def _units(fit: FitResult) -> pd.DataFrame:
    fast = _unit_columns(fit) if _FAST else None
    if fast is not None:
        return arrays_table(fast)
    rows = []
    for o in fit.outcomes:
        r = _keyframe(fit, o)
        r.update(status=o.status, reason=o.reason, n=o.n, converged=o.converged, admissible=o.admissible,
                 messages="; ".join(o.messages))
        rows.append(r)
    cols = list(fit.groups) + ["status", "reason", "n", "converged", "admissible", "messages"]
    return _with_carry(fit, pd.DataFrame(rows, columns=cols))


def _unit_columns(fit: FitResult) -> dict | None:
    """The columns of :func:`_units` as arrays, for :func:`acsi.frames.table` (no frame of dicts, no
    hierarchy merge); None when the general build must decide (no units, unit values of mixed
    types or a missing one, a unit without rows in the data, values other than ``str`` texts,
    integer ``n`` and boolean flags, a unit or hierarchy column named like a status column).
    The same table (``tests/results/test_fast_tables.py``)."""
    outcomes, groups = fit.outcomes, list(fit.groups)
    names = ("status", "reason", "n", "converged", "admissible", "messages")
    if not outcomes or set(groups + list(fit.carry)) & set(names):
        return None
    status = [o.status for o in outcomes]
    reason = [o.reason for o in outcomes]
    messages = ["; ".join(o.messages) for o in outcomes]
    n = [o.n for o in outcomes]
    flags = [o.converged for o in outcomes], [o.admissible for o in outcomes]
    if not (all(type(x) is str for col in (status, reason) for x in col)
            and all(type(x) is int or type(x) is np.int64 for x in n)
            and all(type(x) is bool or type(x) is np.bool_ for col in flags for x in col)):
        return None
    out = _front_columns(fit, outcomes, [1] * len(outcomes))
    if out is None:
        return None
    out.update(status=_runs_column(tuple(status)), reason=_runs_column(tuple(reason)), n=np.array(n, dtype=np.int64),
               converged=np.array(flags[0], dtype=bool), admissible=np.array(flags[1], dtype=bool),
               messages=_inferred(messages))  # (the cached status columns: latent_indexes takes them too)
    return out


def _latent_status(o, latent_ids) -> dict:
    """latent -> (status, reason): the index's own (acsi.pipeline.latent_status), else the unit's."""
    got = table_lists(o, "latents", ("latent", "status", "reason"))  # a chunk's lists, sliced per unit
    if got is not None and len(got[0]):
        return dict(zip(got[0], zip(got[1], got[2])))
    return {lv: (o.status, o.reason) for lv in latent_ids}


_INDEX_VALUES = ("index", "se", "ci_lower", "ci_upper")


def _latent_indexes(fit: FitResult) -> pd.DataFrame:
    """Every latent index of every unit, built column by column once for all units.

    When :func:`_latent_columns` gives the columns, the headline's table (:func:`_indexes`) is
    cut from them at once and kept in the record."""
    names = ("latent", *_INDEX_VALUES, "n", "status", "reason", "unit_status", "unit_reason")
    fast = _latent_columns(fit) if _FAST else None
    if fast is not None:
        rows = np.flatnonzero(np.asarray(fast["latent"] == fit.spec.headline, dtype=bool))
        front = [c for c in fast if c not in _RENAMED and c != "latent"]
        fit._tables.setdefault("company_indexes", arrays_table(
            {_RENAMED.get(c, c): _take(fast[c], rows) for c in front + list(_RENAMED)}))
        return arrays_table(fast)
    cols: dict[str, list] = {c: [] for c in names}
    lengths = []
    for o in fit.outcomes:
        own = _latent_status(o, fit.spec.latent_ids)
        if o.index is not None:
            ix = o.index
            latents = ix["latent"].tolist()
            for c in _INDEX_VALUES:
                cols[c] += ix[c].tolist()
            cols["n"] += ix["n"].tolist()
        else:
            latents = list(fit.spec.latent_ids)
            for c in _INDEX_VALUES:
                cols[c] += [np.nan] * len(latents)
            cols["n"] += [o.n] * len(latents)
        cols["latent"] += latents
        for lv in latents:
            st, why = own.get(lv, (o.status, o.reason))
            cols["status"].append(st)
            cols["reason"].append(why)
        cols["unit_status"] += [o.status] * len(latents)
        cols["unit_reason"] += [o.reason] * len(latents)
        lengths.append(len(latents))
    keys = _key_columns(fit, fit.outcomes, lengths)
    if not lengths:  # no units (a pooled-only fit): pandas' empty table of these columns
        df = pd.DataFrame([], columns=list(fit.groups) + list(names))
    elif keys is None:  # unit values of mixed types: pandas infers each column from the rows, as it always did
        rows = [dict(zip(fit.groups, o.key)) for o, k in zip(fit.outcomes, lengths) for _ in range(k)]
        df = pd.DataFrame([{**r, **{c: cols[c][i] for c in names}} for i, r in enumerate(rows)],
                          columns=list(fit.groups) + list(names))
    else:
        df = pd.DataFrame({**keys, **cols}, columns=list(fit.groups) + list(names))
    df["n"] = df["n"].astype(int)
    return _with_carry(fit, df)


def _latent_columns(fit: FitResult) -> dict | None:
    """The columns of :func:`_latent_indexes` as arrays (unit, hierarchy, index columns), for
    :func:`acsi.frames.table`: the general build's table without a list per value, a frame per
    unit or the hierarchy merge.  None when the general build must decide: no units, unit values
    of mixed types or a missing one, a unit without rows in the data, an index table whose
    columns are not the float64 ``latent, index, se, ci_lower, ci_upper, n`` of
    :func:`acsi.score.unit_index`, status texts that are not all ``str``, or a unit or hierarchy
    column named like an index column.  The same table (``tests/results/test_fast_tables.py``)."""
    outcomes, groups = fit.outcomes, list(fit.groups)
    names = ("latent", *_INDEX_VALUES, "n", "status", "reason", "unit_status", "unit_reason")
    if not outcomes or set(groups + list(fit.carry)) & set(names):
        return None
    latent_ids = list(fit.spec.latent_ids)
    blocks = {c: [] for c in (*_INDEX_VALUES, "n")}
    latent, status, reason, unit_status, unit_reason, lengths = [], [], [], [], [], []
    for o in outcomes:
        got = table_columns(o, "index")  # a chunk's rows without a frame per unit
        if got is not None:
            if not (all(isinstance(got.get(c), np.ndarray) and got[c].dtype == np.float64 for c in _INDEX_VALUES)
                    and "latent" in got and isinstance(got.get("n"), np.ndarray)
                    and got["n"].dtype in (np.int64, np.float64)):
                return None
            lv = table_lists(o, "index", ("latent",))[0]
            for c in blocks:
                blocks[c].append(got[c])
        else:
            lv = latent_ids
            gap = np.full(len(lv), np.nan)
            for c in _INDEX_VALUES:
                blocks[c].append(gap)
            blocks["n"].append(np.full(len(lv), float(o.n)))
        own = _latent_status(o, latent_ids)
        for x in lv:
            st, why = own.get(x, (o.status, o.reason))
            status.append(st)
            reason.append(why)
        latent += lv
        unit_status += [o.status] * len(lv)
        unit_reason += [o.reason] * len(lv)
        lengths.append(len(lv))
    texts = (latent, status, reason, unit_status, unit_reason)
    if not sum(lengths) or not all(type(x) is str for col in texts for x in col):
        return None
    out = _front_columns(fit, outcomes, lengths)
    if out is None:
        return None
    first = tuple(latent[:lengths[0]])
    if len(latent) == len(first) * len(outcomes) and all(
            tuple(latent[i:i + len(first)]) == first for i in range(len(first), len(latent), len(first))):
        # every unit's latents in the same order (the rule): one column of them, repeated
        out["latent"] = _runs_column(first).take(np.tile(np.arange(len(first)), len(outcomes)))
    else:
        out["latent"] = _inferred(latent)
    for c in _INDEX_VALUES:
        out[c] = np.concatenate(blocks[c])
    out["n"] = np.concatenate(blocks["n"]).astype(int)
    out["status"], out["reason"] = _inferred(status), _inferred(reason)
    # the unit's status and reason: one value per unit (the units table's own), repeated over its rows
    reps = np.repeat(np.arange(len(outcomes)), np.asarray(lengths, dtype=np.int64))
    for c in ("status", "reason"):
        out[f"unit_{c}"] = _runs_column(tuple(getattr(o, c) for o in outcomes)).take(reps)
    return out


#: The columns of latent_indexes renamed in the headline's table (in its order, after the others):
#: the unit's status and reason, then the headline index's own.
_RENAMED = {"unit_status": "status", "unit_reason": "reason", "status": "headline_status",
            "reason": "headline_reason"}


def _take(values, rows: np.ndarray):
    """``values`` (a numpy or pandas array) at the positions ``rows``."""
    return values[rows] if isinstance(values, np.ndarray) else values.take(rows)


def _own(column: pd.Series):
    """The array of ``column``: its numpy array, or its pandas array when it has no numpy dtype."""
    arr = column.array
    return column.to_numpy() if isinstance(arr, pd.arrays.NumpyExtensionArray) else arr


def _inferred(values: list):
    """The column pandas infers from the list ``values`` (what ``pd.DataFrame({c: values})`` holds)."""
    return pd.Series(values).array


@lru_cache(maxsize=64)
def _runs_column(runs: tuple):
    """The column pandas infers from ``list(runs)``, kept per tuple (the units of a fit: every
    long table of the fit has them); read only by ``take``, never changed."""
    return pd.Series(list(runs)).array


def _indexes(fit: FitResult) -> pd.DataFrame:
    """The headline latent's rows: ``status``/``reason`` the unit's, ``headline_status`` /
    ``headline_reason`` the headline index's own (what the aggregation uses)."""
    li = fit._table("latent_indexes")
    if "company_indexes" in fit._tables:  # cut with latent_indexes (_latent_indexes)
        return fit._tables["company_indexes"]
    head = li.loc[li["latent"] == fit.spec.headline].drop(columns="latent").reset_index(drop=True)
    head = head.rename(columns={"status": "headline_status", "reason": "headline_reason"})
    head = head.rename(columns={"unit_status": "status", "unit_reason": "reason"})
    front = [c for c in head.columns if c not in ("status", "reason", "headline_status", "headline_reason")]
    return head[front + ["status", "reason", "headline_status", "headline_reason"]]


def _scores(fit: FitResult) -> pd.DataFrame:
    groups, carry = list(fit.groups), list(fit.carry)
    prepared = fit.prepared
    data = prepared.data
    # declared demographics present in the survey (sex, age...) stay beside the scores
    demo = [c for c in getattr(prepared, "covariates", ()) if c in data.columns and c not in groups + carry]
    head = groups + carry + demo
    # a fit without unit columns has one model, the pooled one: its respondents are every row
    outcomes = fit.outcomes if groups else ([fit.pooled] if fit.pooled is not None else [])
    # row positions of every unit, in input order (the order fit_unit saw them in); one unit of n rows
    # whose first row is the data's first and the data of n rows: every row
    one = _FAST and len(outcomes) == 1 and groups and len(data) and outcomes[0].n == len(data) \
        and _is_first_row(data, groups, outcomes[0].key)
    if one:
        positions = {outcomes[0].key if len(groups) > 1 else outcomes[0].key[0]: np.arange(len(data))}
    else:
        positions = data.groupby(groups, sort=False, dropna=False).indices if groups else {}
    found = stacked_table(outcomes, "scores")
    if found is not None:  # units fitted on workers: the chunks' score tables as they came
        scored = [o for o, k in zip(outcomes, found[1]) if k is not None]
        frames = [st.table for st in found[0]]
    else:
        scored = [o for o in outcomes if o.scores is not None]
        frames = [o.scores for o in scored]
    where = [positions.get(o.key if len(groups) > 1 else o.key[0], np.arange(0)) if groups else np.arange(len(data))
             for o in scored]
    if not scored:
        return pd.DataFrame(columns=head + ["row", "weight", *fit.spec.latent_ids])
    first = frames[0]
    if all(f.columns.equals(first.columns) and (f.dtypes == first.dtypes).all() for f in frames) \
            and all(dt == np.float64 for dt in first.dtypes):
        # one take of the unit columns and one matrix of scores for every unit (the same rows in the
        # same order as unit by unit, without a frame per unit)
        pos = np.concatenate(where)
        names = head + ["row", "weight", *first.columns]
        if _FAST and len(set(names)) == len(names) and all(type(c) is str for c in names) \
                and sum(len(f) for f in frames) == len(pos):
            # the same frame from the columns' arrays (acsi.frames.table), without the frame of unit
            # columns, its two inserts and the concatenation
            scores = np.vstack([f.to_numpy() for f in frames])
            cols = {c: _take(_own(data[c]), pos) for c in head}
            cols.update(row=prepared.rows[pos], weight=prepared.weights[pos])
            cols.update((c, scores[:, j]) for j, c in enumerate(first.columns))
            return arrays_table(cols)
        sub = data[head].iloc[pos].reset_index(drop=True)
        sub["row"] = prepared.rows[pos]
        sub["weight"] = prepared.weights[pos]
        body = pd.DataFrame(np.vstack([f.to_numpy() for f in frames]), columns=first.columns)
        return pd.concat([sub, body], axis=1)
    frames = []
    for o, pos in zip(scored, where):
        sub = data[head].iloc[pos].reset_index(drop=True)
        sub["row"] = prepared.rows[pos]
        sub["weight"] = prepared.weights[pos]
        frames.append(pd.concat([sub, o.scores.reset_index(drop=True)], axis=1))
    return pd.concat(frames, ignore_index=True)


def _accounting(fit: FitResult) -> pd.DataFrame:
    groups = list(fit.groups)
    failed = {o.key for o in fit.outcomes if o.status == "failed"} if groups else set()
    fast = _accounting_columns(fit.prepared.accounting) if _FAST and not failed else None
    if fast is not None:
        return arrays_table(fast)
    acc = fit.prepared.accounting.copy()
    if groups and (failed or not _FAST):  # (no failed unit: nothing to move)
        keys = [tuple(r) for r in acc[groups].itertuples(index=False)]
        is_failed = np.array([k in failed for k in keys])
        acc.loc[is_failed, "dropped_unit_not_estimated"] = acc.loc[is_failed, "rows_used"]
        acc.loc[is_failed, "rows_used"] = 0
    dropped = [f"dropped_{r}" for r in DROP_REASONS]
    counts = ["rows_read", "rows_used", *dropped]
    if _FAST and all(acc[c].dtype == np.int64 for c in counts):  # integer counts: the same sum column by column in numpy
        used = acc["rows_used"].to_numpy() + sum(acc[c].to_numpy() for c in dropped)
        acc["check"] = used == acc["rows_read"].to_numpy()
    else:
        acc["check"] = acc["rows_used"] + acc[dropped].sum(axis=1) == acc["rows_read"]
    return acc


def _accounting_columns(acc: pd.DataFrame) -> dict | None:
    """The columns of :func:`_accounting` when no unit failed (no rows to move): the accounting's
    own and ``check`` (its integer counts summed column by column in numpy, the same sums), for
    :func:`acsi.frames.arrays_table`; None when its counts are not all int64, its index is not the
    default or its labels are not distinct texts without ``check`` (the general build decides)."""
    counts = ["rows_read", "rows_used", *(f"dropped_{r}" for r in DROP_REASONS)]
    names = acc.columns.tolist()
    if not (_default_index(acc) and acc.columns.name is None and len(set(names)) == len(names)
            and all(type(c) is str for c in names) and "check" not in names and set(counts) <= set(names)):
        return None
    cols = dict(zip(names, column_arrays(acc)))
    if not all(isinstance(cols[c], np.ndarray) and cols[c].dtype == np.int64 for c in counts):
        return None
    used = cols["rows_used"] + sum(cols[c] for c in counts[2:])
    cols["check"] = used == cols["rows_read"]
    return cols


def _stack_extra(name: str):
    """A table of the units' ``extra`` (the CB-SEM tables), stacked with the unit columns."""
    def build(fit: FitResult) -> pd.DataFrame:
        out = _joined_extra(fit, name) if _FAST else None
        if out is None:
            out = _stacked(fit, lambda o: o.extra.get(name), f"extra:{name}")
        return pd.DataFrame(columns=list(fit.groups)) if out is None else out

    return build


def _joined_extra(fit: FitResult, name: str) -> pd.DataFrame | None:
    """The long table of the units' ``extra`` table ``name`` from their columns joined
    (:func:`acsi.pipeline.extra_columns`, made now where still unread), without a frame per unit:
    the frame the unit-by-unit build gives.  None when the columns cannot be joined (a unit's
    table already read, columns that differ between units) or no unit has one."""
    make_unread(fit.outcomes)  # a chunk's tables still to be made: on the workers that fitted it
    cols = extra_columns(fit.outcomes, name)
    if cols is None or all(c is None for c in cols):
        return None
    present = [(o, c) for o, c in zip(fit.outcomes, cols) if c is not None]
    got = joined_columns([c for _, c in present])
    if got is None:
        return None
    body = frame(got[0])
    keys = _key_arrays(fit, [o for o, _ in present], [b - a for a, b in got[1]])
    if keys is None or any(g in body.columns for g in keys):
        return None
    return _with_keys(keys, body)


def _pooled(attr: str):
    def build(fit: FitResult) -> pd.DataFrame:
        if attr in UNIT_TABLES:
            obj = None if fit.pooled is None else fit.pooled.extra.get(attr)
            return pd.DataFrame() if obj is None else _copied(obj)
        obj = None if fit.pooled is None else getattr(fit.pooled, attr)
        if obj is None:
            return pd.DataFrame()
        if _FAST and isinstance(obj, pd.Series) and obj.dtype == np.float64:  # the row frame below, from its values
            return pd.DataFrame(obj.to_numpy(copy=True).reshape(1, -1), columns=obj.index)
        return obj.to_frame().T.reset_index(drop=True) if isinstance(obj, pd.Series) else _copied(obj)

    return build


def _pls_units(stem: str):
    """A PLS evidence table of every unit that has it, unit columns first (None when no unit has it)."""
    return lambda fit: _stacked(fit, lambda o: o.extra.get("pls_tables", {}).get(stem))


def _pls_pooled(stem: str):
    def build(fit: FitResult) -> pd.DataFrame | None:
        df = None if fit.pooled is None else fit.pooled.extra.get("pls_tables", {}).get(stem)
        return None if df is None else _copied(df)

    return build


_BUILDERS = {
    "units": _units,
    "latent_indexes": _latent_indexes,
    "company_indexes": _indexes,
    "scores": _scores,
    "estimates": lambda fit: _stack(fit, "estimates"),
    "fit_measures": lambda fit: _stack(fit, "fit_measures"),
    "item_weights": lambda fit: _stack(fit, "weights"),
    "accounting": _accounting,
    "pooled_estimates": _pooled("estimates"),
    "pooled_fit_measures": _pooled("fit_measures"),
    "pooled_indexes": _pooled("index"),
    **{stem: _pls_units(stem) for stem in PLS_EVIDENCE_TABLES},
    **{f"pooled_{stem}": _pls_pooled(stem) for stem in PLS_EVIDENCE_TABLES},
    **{t: _stack_extra(t) for t in UNIT_TABLES},
    **{f"pooled_{t}": _pooled(t) for t in UNIT_TABLES},
}


# ============================================================================ reading saved results
def load_results(path: str | Path, *, verify: bool = True) -> FitResult:
    """Read the results written by :meth:`FitResult.save` (or the root of an ``acsi demo --out`` run).

    The manifest is verified first (every listed file with its size and SHA-256; set
    ``verify=False`` to skip), the model is read from ``model.toml``, and the tables from
    the Parquet files (CSV when Parquet is absent).  The result has every table, the spec,
    the options and the provenance of the original fit; :meth:`~FitResult.aggregate` and
    :func:`acsi.report.write_report` work on it.  It holds no survey answers, so it cannot
    be bootstrapped.

    Raises
    ------
    InputFileError
        The directory does not exist.
    DataError
        No ``manifest.json``, a file that does not match the manifest, a manifest that is not
        valid JSON, or results saved without their model (acsi 0.1; re-save them).
    """
    saved = read_results_dir(path, FIT_TABLES, verify=verify)
    d, manifest, tables, spec = saved.directory, saved.manifest, dict(saved.tables), saved.spec
    if spec is None:
        raise DataError(
            f"{str(d)!r} holds no model.toml (results saved by acsi 0.1 carry no model); re-run the fit and save "
            "it again, or read the tables with acsi.report.load_results"
        )
    missing = [t for t in ("company_indexes", "latent_indexes", "units", "accounting") if t not in tables]
    if missing:
        raise DataError(f"{str(d)!r} lacks the tables {missing}; the results are incomplete: re-save them")
    for stem in ("pooled_estimates", "pooled_fit_measures", "pooled_indexes", *(f"pooled_{t}" for t in UNIT_TABLES)):
        tables.setdefault(stem, pd.DataFrame())
    prov = {"run_id": manifest.get("run_id"), "created_utc": manifest.get("created_utc"),
            "versions": manifest.get("versions", {}),
            "input_sha256_16": manifest.get("input_sha256_16", manifest.get("data_sha256_16")),
            "options": manifest.get("options", {}), "pooled": manifest.get("pooled")}
    pooled = _pooled_outcome(tables, manifest.get("pooled"))
    return FitResult(
        spec=spec, estimator=str(manifest.get("estimator", "sem")), groups=tuple(manifest.get("groups") or ()),
        carry=tuple(manifest.get("carry") or ()), outcomes=(), pooled=pooled, prepared=None,
        options=manifest.get("options", {}), provenance=prov, _tables=tables,
    )


def _pooled_outcome(tables: dict, info) -> UnitOutcome | None:
    est, fm, idx = tables["pooled_estimates"], tables["pooled_fit_measures"], tables["pooled_indexes"]
    if est.empty and idx.empty and not info:
        return None
    info = dict(info or {})
    return UnitOutcome(
        key=("<pooled>",), n=int(info.get("n", idx["n"].max() if "n" in idx and len(idx) else 0)),
        status=str(info.get("status", "ok")), reason=str(info.get("reason", "")),
        converged=True, admissible=info.get("status", "ok") == "ok", messages=tuple(info.get("messages") or ()),
        estimates=est if not est.empty else None,
        fit_measures=fm.iloc[0].astype(float) if not fm.empty else None,
        index=idx if not idx.empty else None,
        extra={t: tables[f"pooled_{t}"] for t in UNIT_TABLES if not tables[f"pooled_{t}"].empty},
    )
