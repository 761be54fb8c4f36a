"""``AggregateResult``: the read-only record of one aggregation, and its printable summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import AggregationError
from ..options import OneOf, check
from ..summary import Summary
from ..tables import write_result
from ._messages import describe_keys
from .periods import FREQUENCY_NAMES, Calendar

__all__ = ["AggregateResult", "AggregateSummary", "LEVELS"]

#: Levels of the tidy table, in order. ``national_quarter`` is the per-period combination of
#: sectors (Q_t); ``national`` is its moving average over ``window`` periods (the published ACSI).
LEVELS = ("company", "industry", "sector", "national_quarter", "national")

_CHANGE = ("", "_pct", "_se", "_p", "_significant", "_matched", "_matched_se", "_matched_p", "_composition",
           "_composition_changed", "_n_matched")

#: Columns of :meth:`AggregateResult.table`, in order.
COLUMNS = (
    "period", "level", "unit", "parent", "index", "se", "ci_lower", "ci_upper", "n_respondents", "n_units",
    "weight", "weight_share",
    *(f"change{s}" for s in _CHANGE),
    *(f"change_yoy{s}" for s in _CHANGE),
    "baseline_period", "baseline_index", "change_baseline", "change_baseline_pct",
    "window_periods", "window_full", "published", "n_measurements", "n_carried", "carried_from",
    "measured_from", "measured_to", "status", "reason",
)


class AggregateSummary(Summary):
    """Summary of an aggregation (indexes printed with two decimals, as ACSI publishes one)."""

    def __init__(self, title: str, sections: list[tuple[str, pd.DataFrame | str]], *, digits: int = 2):
        super().__init__(title, sections, digits=digits)


@dataclass(frozen=True, eq=False)
class AggregateResult:
    """Everything one call of :func:`acsi.aggregate.aggregate` produced (read-only).

    Attributes
    ----------
    hierarchy : DataFrame
        The hierarchy used: one row per aggregated unit-period with ``period, <unit>, industry,
        sector, sales, measured_period, carried``.
    excluded : DataFrame
        Unit rows not aggregated: ``row`` (0-based position in the input), ``period, <unit>,
        industry, sector, index, status, reason``.
    unused_weights : DataFrame
        Rows of the weights table that no aggregate used (``row`` + the input columns + ``reason``).
    measurements : DataFrame
        The valid unit measurements, in the column order of ``coefficients``.
    coefficients : scipy.sparse.csr_matrix
        ``C`` (aggregates × measurements): row i of :meth:`table` (all levels) equals
        ``C[i] @ measurements.index`` when published. See :meth:`combine`.
    published : ndarray of bool
        Per row of the full table: False for withheld unit rows and for national rows whose
        window is not full (unless ``partial_windows``).
    options : dict
        The options used (unit, span, window in periods, national, partial_windows,
        carry_forward, change_test, confidence, frequency, the periods and their gaps, latent,
        status column).
    calendar : acsi.data.periods.Calendar
        The periods of the data, first to last, gaps explicit (``calendar.frame()``).
    provenance : dict
        Versions, UTC time and input hash, stamped when the aggregation ran (:mod:`acsi.provenance`).
    """

    _table: pd.DataFrame = field(repr=False)
    hierarchy: pd.DataFrame = field(repr=False)
    excluded: pd.DataFrame = field(repr=False)
    unused_weights: pd.DataFrame = field(repr=False)
    measurements: pd.DataFrame = field(repr=False)
    coefficients: sparse.csr_matrix = field(repr=False)
    published: np.ndarray = field(repr=False)
    options: dict = field(default_factory=dict)
    calendar: Calendar | None = field(default=None, repr=False)
    provenance: dict = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ tables
    def table(self, level: str | None = None) -> pd.DataFrame:
        """The tidy table (a copy), all levels or one of ``company, industry, sector,
        national_quarter, national``.

        Columns: ``period, level, unit, parent, index, se, ci_lower, ci_upper, n_respondents,
        n_units, weight, weight_share``; changes from the previous period: as published
        ``change, change_pct, change_se, change_p``, the headline flag ``change_significant``
        (from the matched test unless ``change_test="published"``), like for like
        ``change_matched, change_matched_se, change_matched_p``, ``change_composition``
        (published - matched), ``change_composition_changed``, ``change_n_matched`` (see
        :mod:`acsi.aggregate.changes`); the same with ``change_yoy`` (same period a year
        earlier); ``baseline_period, baseline_index, change_baseline, change_baseline_pct``;
        provenance ``window_periods, window_full, published, n_measurements, n_carried,
        carried_from, measured_from, measured_to``; ``status`` (``ok``, ``withheld`` for a unit
        row that is not aggregated, ``not published`` for a national row of an incomplete
        window) and ``reason``.

        ``weight`` is the raw weight of the row in its parent (company sales, industry sales or
        total, sector sales or given weight; for ``national_quarter`` the total weight) and
        ``weight_share`` its normalised share. ``n_units`` counts distinct units and
        ``n_measurements`` distinct (unit, period of measurement) pairs behind the row;
        ``n_carried`` counts carried-forward unit-periods; ``measured_from``/``measured_to`` are
        the oldest and newest measurement periods used.
        """
        if level is None:
            return self._table.copy()
        check("AggregateResult.table", "level", level, OneOf(*LEVELS))
        return self._table.loc[self._table["level"] == level].reset_index(drop=True)

    @property
    def contributions(self) -> pd.DataFrame:
        """Which measurements every aggregate rests on, and with what coefficient (long format).

        Columns ``period, level, unit`` (the aggregate), ``measured_unit, measured_period``
        (the measurement), ``coefficient`` (``c_Am``; sums to 1 within an aggregate).
        """
        C = self.coefficients.tocoo()
        t = self._table
        m = self.measurements
        ucol = self.options.get("unit", "company")
        return pd.DataFrame({
            "period": t["period"].to_numpy()[C.row], "level": t["level"].to_numpy()[C.row],
            "unit": t["unit"].to_numpy()[C.row], "measured_unit": m[ucol].to_numpy()[C.col],
            "measured_period": m["period"].to_numpy()[C.col], "coefficient": C.data,
        })

    # ------------------------------------------------------------------ replicates (bootstrap)
    def combine(self, values) -> np.ndarray:
        """Apply the aggregation to other values of the same measurements.

        ``A = C @ values``: ``values`` has one entry (or one row of B replicate columns) per row
        of :attr:`measurements`; returns one entry (row) per row of :meth:`table`, NaN for
        unpublished rows. The point estimates are ``combine(measurements["index"])``; a
        bootstrap replicate of the unit indexes gives a replicate of every aggregate (weights
        fixed). Replicates in which a unit fails must be handled by the caller (e.g. re-run
        :func:`aggregate` for them).
        """
        v = np.asarray(values, dtype=float)
        if v.shape[0] != self.coefficients.shape[1]:
            raise AggregationError(
                f"combine() needs one value per measurement ({self.coefficients.shape[1]} rows, in the order of "
                f"result.measurements); got an array of shape {v.shape}."
            )
        out = np.asarray(self.coefficients @ v)
        mask = self.published if out.ndim == 1 else self.published[:, None]
        return np.where(mask, out, np.nan)

    def replicate_table(self, replicates: pd.DataFrame, *, replicate: str = "replicate",
                        value: str = "index") -> pd.DataFrame:
        """Aggregate replicate unit indexes (long table) with the same coefficients.

        Parameters
        ----------
        replicates : DataFrame
            Columns ``period``, the unit column, ``replicate`` and ``index``: one row per
            measurement and replicate.

        Returns
        -------
        DataFrame
            ``replicate, period, level, unit, index`` for every aggregate and replicate.
        """
        ucol = self.options.get("unit", "company")
        need = ["period", ucol, replicate, value]
        missing = [c for c in need if c not in replicates.columns]
        if missing:
            raise AggregationError(f"The replicates table lacks column(s) {missing}; it needs {need}.")
        from .periods import labels, parse_periods

        t, freq = parse_periods(replicates["period"].reset_index(drop=True), table="replicates")
        if freq != self.options["frequency"]:
            raise AggregationError(
                f"The replicates' periods have frequency {freq!r}, the aggregation used {self.options['frequency']!r}."
            )
        rep = pd.DataFrame({"period": labels(t, freq), "unit": replicates[ucol].astype(str).to_numpy(),
                            "replicate": replicates[replicate].to_numpy(), "value": replicates[value].to_numpy(dtype=float)})
        dup = rep.duplicated(["period", "unit", "replicate"], keep=False).to_numpy()
        if dup.any():
            raise AggregationError(
                f"The replicates table has {int(dup.sum())} duplicate (period, {ucol}, {replicate}) row(s):\n"
                f"{describe_keys(rep.loc[dup, ['period', 'unit', 'replicate']])}\nKeep one value per measurement and replicate."
            )
        wide = rep.set_index(["period", "unit", "replicate"])["value"].unstack("replicate")
        wide.index = wide.index.set_names(["period", ucol])
        keys = pd.MultiIndex.from_arrays([self.measurements["period"].astype(str), self.measurements[ucol].astype(str)],
                                         names=["period", ucol])
        extra = wide.index.difference(keys)
        if len(extra):
            raise AggregationError(
                f"{len(extra)} replicate (period, {ucol}) pair(s) are not aggregated measurements:\n"
                f"{describe_keys(extra.to_frame(index=False))}\nDrop them (excluded units are not aggregated)."
            )
        wide = wide.reindex(keys)
        if wide.isna().to_numpy().any():
            gaps = wide.isna().any(axis=1)
            raise AggregationError(
                f"{int(gaps.sum())} measurement(s) have no value in some replicate:\n"
                f"{describe_keys(wide.index[gaps.to_numpy()].to_frame(index=False))}\n"
                "Give every measurement a value in every replicate, or re-run aggregate() for replicates where units fail."
            )
        vals = self.combine(wide.to_numpy())
        t_ = self._table
        n_agg, n_rep = vals.shape
        return pd.DataFrame({
            "replicate": np.tile(wide.columns.to_numpy(), n_agg),
            "period": np.repeat(t_["period"].to_numpy(), n_rep),
            "level": np.repeat(t_["level"].to_numpy(), n_rep),
            "unit": np.repeat(t_["unit"].to_numpy(), n_rep),
            "index": vals.ravel(),
        })

    # ------------------------------------------------------------------ summary and output
    def summary(self) -> AggregateSummary:
        """Options, coverage per level, the national series, the latest sectors and industries,
        excluded rows and unused weights."""
        o = self.options
        t = self._table
        names = FREQUENCY_NAMES.get(o["frequency"], "periods")
        how_nat = ("mean of the per-period values" if o.get("national", "mean") == "mean"
                   else "each unit's latest measurement of the window (ACSI's rolling practice)")
        opts = (
            f"periods: {o.get('periods', o['frequency'])}; national window {o['window']} period(s) "
            f"(span {o.get('span')}: {o['window']} {names}), {how_nat}"
            + ("; partial windows published (flagged)" if o["partial_windows"] else "; only full windows published")
            + f"; carry-forward {o['carry_forward']} period(s); {o['confidence']:.0%} intervals"
            + f"; change significance tested on the {o.get('change_test', 'matched')} set"
            + ("; sector weights given" if o.get("sector_weights") else "; sectors weighted by sales")
            + ("; industry totals given" if o.get("industry_totals") else "")
            + (f"; status from column {o['status_column']!r}" if o.get("status_column") else "")
            + (f"; latent {o['latent']}" if o.get("latent") else "")
        )
        cov = t.groupby("level", sort=False).agg(
            rows=("index", "size"), published=("index", lambda s: int(s.notna().sum())),
            units=("unit", "nunique"), first_period=("period", "first"), last_period=("period", "last"),
            carried=("n_carried", "sum"),
        ).reset_index()
        sections: list[tuple[str, pd.DataFrame | str]] = [("Options", opts), ("Coverage", cov)]
        nat = t.loc[t["level"] == "national", ["period", "index", "se", "ci_lower", "ci_upper", "change",
                                                "change_matched", "change_significant", "change_yoy",
                                                "change_yoy_matched", "change_yoy_significant", "window_periods",
                                                "window_full", "n_units", "n_carried"]]
        how = ("partial windows published, see window_full" if o["partial_windows"]
               else "blank until the window is full")
        what = (f"{o['window']}-period moving average" if o.get("national", "mean") == "mean"
                else f"latest measurement of each unit within {o['window']} period(s)")
        sections.append((f"National index ({what}; {how})", nat.reset_index(drop=True)))
        pub = t.loc[t["index"].notna() & t["level"].isin(["sector", "industry"])]
        if len(pub):
            last = pub["period"].iloc[-1]
            latest = pub.loc[pub["period"] == last, ["level", "unit", "parent", "index", "se", "ci_lower", "ci_upper",
                                                     "change", "change_matched", "change_significant",
                                                     "change_composition_changed", "change_yoy", "change_yoy_matched",
                                                     "change_yoy_significant", "n_units", "weight_share"]]
            sections.append((f"Sectors and industries, {last}", latest.reset_index(drop=True)))
        comp = t.loc[t["level"].isin(["industry", "sector", "national_quarter", "national"])
                     & t["change_composition_changed"].fillna(False).astype(bool),
                     ["period", "level", "unit", "change", "change_matched", "change_composition", "change_n_matched"]]
        if len(comp):
            sections.append((f"Changes whose composition changed ({len(comp)}; 'change' as published, "
                             "'change_matched' like for like)", comp.reset_index(drop=True)))
        if self.calendar is not None and self.calendar.gaps:
            sections.append(("Gaps in the calendar", ", ".join(self.calendar.gaps)))
        if len(self.excluded):
            sections.append((f"Excluded unit rows ({len(self.excluded)})", self.excluded))
        else:
            sections.append(("Excluded unit rows", "none"))
        if len(self.unused_weights):
            sections.append((f"Unused weight rows ({len(self.unused_weights)})", self.unused_weights))
        return AggregateSummary("ACSI aggregation: industry, sector and national indexes", sections)

    def _outputs(self) -> dict[str, pd.DataFrame]:
        return {
            "aggregate_indexes": self._table, "hierarchy": self.hierarchy, "excluded": self.excluded,
            "unused_weights": self.unused_weights, "contributions": self.contributions,
        }

    def manifest(self) -> dict:
        """Provenance (versions, UTC time, a hash of the input tables, stamped when the aggregation
        ran), the options and row counts: what ``aggregate_manifest.json`` records besides its file list."""
        lv = self._table["level"].value_counts().reindex(list(LEVELS), fill_value=0)
        prov = dict(self.provenance)
        return {
            "what": "acsi.aggregate", "run_id": prov.get("run_id"), "created_utc": prov.get("created_utc"),
            "versions": prov.get("versions", {}),
            "input_sha256_16": self.options.get("input_hash"), "options": dict(self.options),
            "rows": {k: int(v) for k, v in lv.items()}, "measurements": int(len(self.measurements)),
            "excluded": int(len(self.excluded)), "unused_weights": int(len(self.unused_weights)),
        }

    def to_csv(self, out_dir: str | Path) -> list[Path]:
        """Write ``aggregate_indexes.csv``, ``hierarchy.csv``, ``excluded.csv``,
        ``unused_weights.csv``, ``contributions.csv`` and ``aggregate_manifest.json`` into
        ``out_dir``; returns the paths."""
        return self._write(out_dir, "csv")

    def to_parquet(self, out_dir: str | Path) -> list[Path]:
        """Same tables as :meth:`to_csv`, as Parquet files."""
        return self._write(out_dir, "parquet")

    def _write(self, out_dir, fmt: str) -> list[Path]:
        """Add the tables to ``out_dir`` whole or not at all (:func:`acsi.tables.write_result`): an earlier
        aggregation there is replaced, this one's other format kept (``to_csv`` then ``to_parquet``)."""
        return write_result(out_dir, self._outputs(), manifest="aggregate_manifest.json", kind="aggregate",
                            header=self.manifest(), formats=(fmt,), add=True)

    def __repr__(self) -> str:
        lv = self._table["level"].value_counts().reindex(list(LEVELS), fill_value=0)
        return (f"AggregateResult({', '.join(f'{k}={v}' for k, v in lv.items())}, "
                f"excluded={len(self.excluded)}, window={self.options.get('window')})")
