"""Result objects: read-only records of a fit, with tables as pandas objects."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from .data import DROP_REASONS, write_table
from .spec import ModelSpec
from .summary import Summary

__all__ = ["FitResult", "Summary"]  # Summary re-exported from acsi.summary


_POLICY = {
    "listwise": "listwise deletion",
    "fiml": "full-information ML (respondents with at least one answer)",
}


@dataclass(frozen=True, eq=False)
class FitResult:
    """Everything one call of :func:`acsi.fit` produced.

    Tables (all pandas DataFrames, numbers numeric, snake_case columns):

    ``indexes``
        One row per unit: unit columns, hierarchy (industry, sector), the
        headline latent's ``index, se, ci_lower, ci_upper, n``, ``status``
        (``ok``/``inadmissible``/``failed``) and ``reason``.
    ``latent_indexes``
        The same for every latent variable (long format, column ``latent``).
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
    """

    spec: ModelSpec
    estimator: str
    groups: list
    carry: list
    outcomes: list
    pooled: object
    prepared: object
    options: dict
    data_hash: str

    # ------------------------------------------------------------------ helpers
    def _keyframe(self, outcome) -> dict:
        return dict(zip(self.groups, outcome.key))

    def _carry_values(self) -> pd.DataFrame:
        if not self.carry or not self.groups:
            return pd.DataFrame(columns=self.groups)
        return self.prepared.data.groupby(self.groups, sort=False, dropna=False)[self.carry].first().reset_index()

    def _with_carry(self, df: pd.DataFrame) -> pd.DataFrame:
        if not self.carry or not self.groups or df.empty:
            return df
        cv = self._carry_values()
        merged = df.merge(cv, on=self.groups, how="left")
        cols = self.groups + self.carry + [c for c in df.columns if c not in self.groups]
        return merged[cols]

    def _stack(self, attr: str) -> pd.DataFrame:
        frames = []
        for o in self.outcomes:
            obj = getattr(o, attr)
            if obj is None:
                continue
            df = obj.to_frame().T if isinstance(obj, pd.Series) else obj.copy()
            for g, v in reversed(list(self._keyframe(o).items())):
                df.insert(0, g, v)
            frames.append(df)
        if not frames:
            return pd.DataFrame(columns=self.groups)
        return pd.concat(frames, ignore_index=True)

    # ------------------------------------------------------------------ tables
    @cached_property
    def units(self) -> pd.DataFrame:
        rows = []
        for o in self.outcomes:
            r = self._keyframe(o)
            r.update(status=o.status, reason=o.reason, n=o.n, converged=o.converged, admissible=o.admissible,
                     messages="; ".join(o.messages))
            rows.append(r)
        cols = self.groups + ["status", "reason", "n", "converged", "admissible", "messages"]
        return self._with_carry(pd.DataFrame(rows, columns=cols))

    @cached_property
    def latent_indexes(self) -> pd.DataFrame:
        rows = []
        for o in self.outcomes:
            base = self._keyframe(o)
            if o.index is not None:
                for r in o.index.to_dict("records"):
                    rows.append({**base, **r, "status": o.status, "reason": o.reason})
            else:
                for lv in self.spec.latent_ids:
                    rows.append({**base, "latent": lv, "index": np.nan, "se": np.nan, "ci_lower": np.nan,
                                 "ci_upper": np.nan, "n": o.n, "status": o.status, "reason": o.reason})
        cols = self.groups + ["latent", "index", "se", "ci_lower", "ci_upper", "n", "status", "reason"]
        df = pd.DataFrame(rows, columns=cols)
        df["n"] = df["n"].astype(int)
        return self._with_carry(df)

    @cached_property
    def indexes(self) -> pd.DataFrame:
        li = self.latent_indexes
        out = li.loc[li["latent"] == self.spec.headline].drop(columns="latent").reset_index(drop=True)
        return out

    @cached_property
    def scores(self) -> pd.DataFrame:
        frames = []
        data = self.prepared.data
        cols = self.groups + self.carry + ["row", "weight"]
        # row positions of every unit, in input order (the order fit_unit saw them in)
        positions = data.groupby(self.groups, sort=False, dropna=False).indices if self.groups else {}
        for o in self.outcomes:
            if o.scores is None:
                continue
            key = o.key if len(self.groups) > 1 else o.key[0]
            pos = positions.get(key, np.arange(0))
            sub = data[cols].iloc[pos].reset_index(drop=True)
            frames.append(pd.concat([sub, o.scores.reset_index(drop=True)], axis=1))
        if not frames:
            return pd.DataFrame(columns=self.groups + self.carry + ["row", "weight", *self.spec.latent_ids])
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def estimates(self) -> pd.DataFrame:
        return self._stack("estimates")

    @cached_property
    def fit_measures(self) -> pd.DataFrame:
        return self._stack("fit_measures")

    @cached_property
    def item_weights(self) -> pd.DataFrame:
        return self._stack("weights")

    @cached_property
    def accounting(self) -> pd.DataFrame:
        acc = self.prepared.accounting.copy()
        if self.groups:
            failed = {o.key for o in self.outcomes if o.status == "failed"}
            keys = [tuple(r) for r in acc[self.groups].itertuples(index=False)]
            is_failed = np.array([k in failed for k in keys])
            acc.loc[is_failed, "dropped_unit_not_estimated"] = acc.loc[is_failed, "rows_used"]
            acc.loc[is_failed, "rows_used"] = 0
        dropped = [f"dropped_{r}" for r in DROP_REASONS]
        acc["check"] = acc["rows_used"] + acc[dropped].sum(axis=1) == acc["rows_read"]
        return acc

    @cached_property
    def pooled_index(self) -> pd.DataFrame | None:
        return None if self.pooled is None or self.pooled.index is None else self.pooled.index

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

        return bootstrap(self, **kwargs)

    # ------------------------------------------------------------------ output
    def summary(self, *, max_units: int | None = None) -> Summary:
        """Status counts, headline indexes, data accounting and the pooled fit.

        ``max_units`` limits the per-unit index table to the highest and lowest
        units (all units are always in :attr:`indexes` and in the saved files).
        """
        u = self.units
        counts = u["status"].value_counts().reindex(["ok", "inadmissible", "failed"], fill_value=0)
        acc = self.accounting
        tot = acc[[c for c in acc.columns if c.startswith("rows_") or c.startswith("dropped_")]].sum()
        overview = (
            f"model: {self.spec.name} ({self.spec.title})\nestimator: {self.estimator}\n"
            f"units: {len(u)} ({counts['ok']} ok, {counts['inadmissible']} inadmissible, {counts['failed']} failed)\n"
            f"respondents: {int(tot['rows_read'])} read, {int(tot['rows_used'])} used"
            + "".join(f", {int(tot[c])} {c[8:].replace('_', ' ')}" for c in tot.index if c.startswith("dropped_") and tot[c])
            + f"\nmissing-data policy: {_POLICY.get(self.options['missing'], self.options['missing'])}; "
            f"missing codes {self.options['missing_codes']}"
        )
        sections: list[tuple[str, pd.DataFrame | str]] = [("Overview", overview)]
        show = self.indexes[[c for c in self.indexes.columns if c != "reason"]]
        head = f"Index of {self.spec.headline} per unit (0-100)"
        if max_units is not None and len(show) > max_units:
            ranked = show.sort_values("index", ascending=False, na_position="last")
            k = max(max_units // 2, 1)
            show = pd.concat([ranked.head(k), ranked.dropna(subset=["index"]).tail(k)]).drop_duplicates()
            head += f": the {k} highest and {k} lowest of {len(self.indexes)} (all in fit.indexes)"
        sections.append((head, show))
        bad = u.loc[u["status"] != "ok", self.groups + ["status", "reason"]]
        if len(bad):
            sections.append(("Units not ok", bad))
        if self.pooled is not None and self.pooled.fit_measures is not None:
            fm = self.pooled.fit_measures
            keep = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr", "aic", "bic"]
            fm = fm[[k for k in keep if k in fm.index]]
            sections.append(("Pooled model fit", fm.to_frame("value").reset_index(names="measure")))
        if self.pooled_index is not None:
            sections.append(("Pooled indexes", self.pooled_index))
        return Summary(f"acsi fit: {self.spec.name}", sections)

    def manifest(self) -> dict:
        from .fitting import _versions

        return {
            "model": self.spec.name,
            "model_source": self.spec.source,
            "headline": self.spec.headline,
            "model_lavaan": self.spec.to_lavaan(),
            "estimator": self.estimator,
            "groups": self.groups,
            "options": self.options,
            "data_sha256_16": self.data_hash,
            "versions": _versions(),
        }

    def save(self, out_dir: str | Path) -> list[Path]:
        """Write every table as CSV and Parquet, plus ``manifest.json``."""
        out = Path(out_dir)
        paths: list[Path] = []
        tables = {
            "company_indexes": self.indexes,
            "latent_indexes": self.latent_indexes,
            "scores": self.scores,
            "estimates": self.estimates,
            "fit_measures": self.fit_measures,
            "item_weights": self.item_weights,
            "units": self.units,
            "accounting": self.accounting,
        }
        if self.pooled is not None and self.pooled.estimates is not None:
            tables["pooled_estimates"] = self.pooled.estimates
        if self.pooled is not None and self.pooled.fit_measures is not None:
            tables["pooled_fit_measures"] = self.pooled.fit_measures.to_frame().T
        if self.pooled_index is not None:
            tables["pooled_indexes"] = self.pooled_index
        for stem, df in tables.items():
            paths += write_table(df, out, stem)
        (out / "summary.txt").write_text(self.summary().as_text() + "\n", encoding="utf-8")
        (out / "manifest.json").write_text(json.dumps(self.manifest(), indent=2, default=str), encoding="utf-8")
        return paths + [out / "summary.txt", out / "manifest.json"]
