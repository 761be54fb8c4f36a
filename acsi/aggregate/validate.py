"""Input checks for :func:`acsi.aggregate.aggregate`.

Each check either returns a clean copy of its table (inputs are never mutated) or raises
:class:`~acsi.errors.AggregationError` naming the offending rows (0-based positions in the
table as given) and saying how to fix them. Nothing is dropped silently: unit rows that are not
aggregated (status not ``"ok"`` or index missing) are returned with a reason and end up in
``AggregateResult.excluded``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AggregationError
from ..options import Boolean, Integer, OneOf, Real, Text, check
from ._messages import describe_keys, describe_rows
from .periods import parse_periods

__all__ = ["OPTIONS", "normalise_indexes", "normalise_weights", "normalise_group_weights", "check_window_once"]


NATIONAL_METHODS = ("mean", "latest")
CHANGE_TESTS = ("matched", "published")

#: The scalar options of :func:`acsi.aggregate.aggregate` and their constraints (:mod:`acsi.options`); the
#: defaults (``None`` for ``span``, ``window``, ``carry_forward``, ``latent``, ``status``) are always accepted.
OPTIONS = {
    "unit": Text(desc="a column name (a non-empty string)"),
    "window": Integer(min=1, desc="a positive integer number of periods (ACSI uses 4 quarters), or None to use span="),
    "span": Text(desc="a span of time such as '1Y' (the latest year), '4Q' or '12M'"),
    "national": OneOf(*NATIONAL_METHODS, desc="'mean' averages the per-period national values over the window, "
                                            "'latest' (ACSI's rolling practice) combines each unit's latest measurement "
                                            "within the window once"),
    "partial_windows": Boolean(),
    "carry_forward": Integer(min=0, desc="a non-negative integer number of periods (0 = use each measurement only "
                                         "in its own period) or None"),
    "change_test": OneOf(*CHANGE_TESTS, desc="'matched' tests a change on the units present in both periods (like "
                                             "for like), 'published' on all units of each period"),
    "confidence": Real(0, 1, closed="neither", desc="a number strictly between 0 and 1 (e.g. 0.95)"),
    "latent": Text(desc="a non-empty string or None"),
    "status": Text(desc="a non-empty string or None"),
}


def check_window_once(span, window) -> None:
    """The national window is given once: ``span`` (a span of time) or ``window`` (periods), not both."""
    if span is not None and window is not None:
        raise AggregationError(
            f"Give the national window once: span={span!r} (a span of time, e.g. '1Y') or window={window!r} "
            "(a number of periods of the data's frequency), not both."
        )


def _require(df, table: str, columns: list[str], hint: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise AggregationError(f"The {table} table must be a pandas DataFrame. Got {type(df).__name__} instead.")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise AggregationError(
            f"The {table} table lacks the column(s) {missing}; it has {list(df.columns)}. {hint}"
        )


def _numeric(df: pd.DataFrame, col: str, table: str, ident: list[str], *, allow_nan: bool) -> np.ndarray:
    raw = df[col]
    num = pd.to_numeric(raw, errors="coerce")
    bad = num.isna() & raw.notna()
    if bad.any():
        raise AggregationError(
            f"The {table} table's column {col!r} has non-numeric values in {int(bad.sum())} row(s):\n"
            f"{describe_rows(df, np.flatnonzero(bad.to_numpy()), ident + [col])}\n"
            f"Give numbers (use NaN for missing values)."
        )
    out = num.to_numpy(dtype=float)
    inf = np.isinf(out)
    if inf.any():
        raise AggregationError(
            f"The {table} table's column {col!r} has infinite values in {int(inf.sum())} row(s):\n"
            f"{describe_rows(df, np.flatnonzero(inf), ident + [col])}\n"
            "Give finite numbers (an 'inf' usually comes from a division by zero upstream; use NaN for a missing value)."
        )
    if not allow_nan and np.isnan(out).any():
        rows = np.flatnonzero(np.isnan(out))
        raise AggregationError(
            f"The {table} table's column {col!r} is missing in {len(rows)} row(s):\n"
            f"{describe_rows(df, rows, ident + [col])}\nFill in the values or remove the rows."
        )
    return out


def _label(values: pd.Series) -> np.ndarray:
    """Names as strings with missing values kept as None (so that checks can name them)."""
    codes, uniques = pd.factorize(pd.Series(values).reset_index(drop=True))  # missing -> code -1
    text = np.append(pd.Series(uniques).astype(str).to_numpy(dtype=object), None)
    # an object Series: pandas would otherwise convert every name to its string dtype
    return pd.Series(text[codes], dtype=object)


def normalise_indexes(indexes: pd.DataFrame, unit: str, *, latent: str | None = None,
                      status: str | None = None) -> tuple[pd.DataFrame, str, dict]:
    """Check the unit-index table and return it in canonical form.

    Returns a new DataFrame with columns ``row`` (0-based position in the input), ``t``
    (period ordinal), ``unit, industry, sector, index, se, n, status, reason, valid``, the
    frequency code and a dict saying which ``latent`` and which status column were used.
    ``valid`` is False (and ``reason`` says why) when the row's status is not ``"ok"`` or its
    index is missing.

    Status (which rows are aggregated): the column named by ``status``; else
    ``headline_status`` when the table has one (the status of the headline latent's own index,
    so that a problem in another block does not withdraw a sound headline index); else
    ``status``; else every row is ``"ok"``. The reason shown is the matching ``*_reason``
    column (``headline_reason``), else ``reason``.

    A table with a ``latent`` column (one row per unit and latent, like
    ``FitResult.latent_indexes``) is reduced to the rows of ``latent``; with several latents
    and no ``latent=`` it is an error naming them.
    """
    _require(indexes, "indexes", ["period", unit, "industry", "sector", "index"],
             f"Pass one row per (period, {unit}) with its industry, sector and 0-100 index "
             f"(and 'se', 'n', optionally 'status'); set unit= if the unit column has another name.")
    if len(indexes) == 0:
        raise AggregationError("The indexes table is empty: there is nothing to aggregate. Pass at least one unit index.")
    ident = ["period", unit, "industry"]
    frame = indexes.reset_index(drop=True)
    frame, latent = _select_latent(frame, latent)
    t, freq = parse_periods(frame["period"], table="indexes", frame=frame, columns=ident)
    out = pd.DataFrame({
        "row": frame.index.to_numpy(dtype=np.int64),
        "t": t,
        "unit": _label(frame[unit]),
        "industry": _label(frame["industry"]),
        "sector": _label(frame["sector"]),
        "index": _numeric(frame, "index", "indexes", ident, allow_nan=True),
        "se": _numeric(frame, "se", "indexes", ident, allow_nan=True) if "se" in frame else np.nan,
        "n": _numeric(frame, "n", "indexes", ident, allow_nan=True) if "n" in frame else np.nan,
    })
    nounit = pd.isna(out["unit"]).to_numpy()
    if nounit.any():
        raise AggregationError(
            f"The indexes table has {int(nounit.sum())} row(s) without a {unit!r} name:\n"
            f"{describe_rows(frame, np.flatnonzero(nounit), ident)}\nName every unit (an 'All Others' unit is an ordinary unit)."
        )
    # -- status and reason: which rows are aggregated ------------------------------------------
    status_col, reason_col = _status_columns(frame, status)
    if status_col is not None:
        status = pd.Series(_label(frame[status_col]), dtype=object)
        st = status.fillna("").astype(str).str.strip().str.lower()
        detail = (pd.Series(_label(frame[reason_col]), dtype=object) if reason_col is not None
                  else pd.Series([None] * len(frame), dtype=object))
        not_ok = (st != "ok").to_numpy()
    else:
        status = pd.Series(["ok"] * len(frame), dtype=object)
        detail = pd.Series([None] * len(frame), dtype=object)
        not_ok = np.zeros(len(frame), dtype=bool)
    no_index = np.isnan(out["index"].to_numpy())
    st_text = pd.Series(status.to_numpy(dtype=object)).fillna("missing")
    det = pd.Series(detail.to_numpy(dtype=object)).fillna("")
    said = "status '" + st_text + "'" + pd.Series(np.where(det != "", ": " + det, ""))
    reason = np.where(not_ok, said.to_numpy(dtype=object),
                      np.where(no_index, "index is missing (NaN) although status is 'ok'", None)).astype(object)
    out["status"] = status.to_numpy(dtype=object)
    out["reason"] = reason
    out["valid"] = ~not_ok & ~no_index
    # -- values of the aggregated rows ---------------------------------------------------------
    valid = out["valid"].to_numpy()
    idx = out["index"].to_numpy()
    bad = valid & ((idx < 0) | (idx > 100))
    if bad.any():
        raise AggregationError(
            f"The indexes table has {int(bad.sum())} index value(s) outside 0-100:\n"
            f"{describe_rows(frame, np.flatnonzero(bad), ident + ['index'])}\n"
            "Indexes must be on the 0-100 scale; rescale them or mark the rows with a status other than 'ok'."
        )
    se = out["se"].to_numpy()
    bad = valid & (se < 0)
    if bad.any():
        raise AggregationError(
            f"The indexes table has {int(bad.sum())} negative standard error(s):\n"
            f"{describe_rows(frame, np.flatnonzero(bad), ident + ['se'])}\nStandard errors must be >= 0 (NaN if unknown)."
        )
    nohier = valid & (pd.isna(out["industry"]).to_numpy() | pd.isna(out["sector"]).to_numpy())
    if nohier.any():
        raise AggregationError(
            f"The indexes table has {int(nohier.sum())} row(s) without an industry or sector:\n"
            f"{describe_rows(frame, np.flatnonzero(nohier), ident + ['sector'])}\n"
            "Give every unit its industry and sector (they place it in the hierarchy)."
        )
    _check_hierarchy(out, frame, unit, ident)
    return out, freq, {"latent": latent, "status_column": status_col, "reason_column": reason_col}


def _select_latent(frame: pd.DataFrame, latent: str | None) -> tuple[pd.DataFrame, str | None]:
    """The rows of one latent of a per-latent table (index labels = positions in the input)."""
    if "latent" not in frame.columns:
        if latent is not None:
            raise AggregationError(
                f"latent={latent!r} was given but the indexes table has no 'latent' column (it has {list(frame.columns)}). "
                "Pass a per-latent table such as fit.latent_indexes, or drop latent=."
            )
        return frame, None
    names = [str(v) for v in pd.unique(frame["latent"].dropna())]
    if latent is None:
        if len(names) > 1:
            raise AggregationError(
                f"The indexes table holds {len(names)} latents {names} (a 'latent' column): choose the index to "
                f"aggregate with latent=, e.g. latent={names[0]!r}."
            )
        return frame, (names[0] if names else None)
    if latent not in names:
        raise AggregationError(f"latent={latent!r} is not in the indexes table's 'latent' column, which holds {names}.")
    return frame.loc[frame["latent"].astype(str).to_numpy() == latent], latent


def _status_columns(frame: pd.DataFrame, status: str | None) -> tuple[str | None, str | None]:
    """(status column, reason column) used to decide which rows are aggregated."""
    if status is not None:
        if status not in frame.columns:
            raise AggregationError(
                f"status={status!r} names no column of the indexes table (it has {list(frame.columns)})."
            )
        col = status
    elif "headline_status" in frame.columns:
        col = "headline_status"
    elif "status" in frame.columns:
        col = "status"
    else:
        return None, None
    paired = col.replace("status", "reason") if "status" in col else None
    for cand in (paired, "reason"):
        if cand is not None and cand != col and cand in frame.columns:
            return col, cand
    return col, None


def _check_hierarchy(out: pd.DataFrame, frame: pd.DataFrame, unit: str, ident: list[str]) -> None:
    """Duplicates, a unit under two industries, an industry under two sectors (same period)."""
    key = out[["t", "unit"]]
    dup = key.duplicated(keep=False).to_numpy()
    if dup.any():
        sub = out.loc[dup]
        n_ind = sub.groupby(["t", "unit"], sort=False)["industry"].transform(lambda s: s.astype(str).nunique())
        two = sub.index[n_ind.to_numpy() > 1].to_numpy()  # positions in `frame` (out has a RangeIndex)
        if len(two):
            raise AggregationError(
                f"{len(two)} row(s) list a {unit} under two industries in the same period:\n"
                f"{describe_rows(frame, two, ident)}\n"
                f"A {unit} belongs to one industry per period. If it really sells in several industries, "
                f"give each industry's business its own {unit} name (e.g. 'Acme (airlines)'), with its own sales."
            )
        rows = sub.index.to_numpy()
        raise AggregationError(
            f"The indexes table has {len(rows)} duplicate row(s) for the same (period, {unit}):\n"
            f"{describe_rows(frame, rows, ident + ['index'])}\nKeep one row per (period, {unit}) and remove the others."
        )
    pairs = out.loc[pd.notna(out["industry"]) & pd.notna(out["sector"]), ["t", "industry", "sector"]]
    n_sec = pairs.groupby(["t", "industry"], sort=False)["sector"].transform("nunique")
    bad = pairs.index[n_sec.to_numpy() > 1].to_numpy()
    if len(bad):
        raise AggregationError(
            f"{len(bad)} row(s) put the same industry under two sectors in the same period:\n"
            f"{describe_rows(frame, bad, ident + ['sector'])}\nAn industry belongs to one sector per period; correct the sector column."
        )


def normalise_weights(weights: pd.DataFrame, unit: str, freq: str, rows: pd.DataFrame) -> pd.DataFrame:
    """Check the sales table and return ``unit, [industry], [t], sales, wrow``.

    Errors: missing columns, non-numeric / missing / negative sales, malformed periods or a
    period frequency different from the indexes', duplicate keys, and weight rows whose unit
    (or unit and industry) appears nowhere in the indexes table ("weights without units").
    """
    _require(weights, "weights", [unit, "sales"],
             f"Pass a sales table with columns '{unit}, sales' (optionally 'period' for period-specific "
             "sales and 'industry' for a unit's sales in one industry).")
    frame = weights.reset_index(drop=True)
    keys = [unit] + [c for c in ("industry", "period") if c in frame.columns]
    sales = _numeric(frame, "sales", "weights", keys, allow_nan=False)
    neg = sales < 0
    if neg.any():
        raise AggregationError(
            f"The weights table has {int(neg.sum())} negative sales value(s):\n"
            f"{describe_rows(frame, np.flatnonzero(neg), keys + ['sales'])}\nSales weights must be >= 0."
        )
    out = pd.DataFrame({"unit": _label(frame[unit]), "sales": sales, "wrow": np.arange(len(frame))})
    if "industry" in frame:
        out["industry"] = _label(frame["industry"])
    if "period" in frame:
        t, wfreq = parse_periods(frame["period"], table="weights", frame=frame, columns=keys)
        if wfreq != freq:
            raise AggregationError(
                f"The weights table's periods have frequency {wfreq!r} but the indexes' have {freq!r}. "
                "Give sales for the same kind of period as the indexes, or drop the weights' period column "
                "to use the same sales in every period."
            )
        out["t"] = t
    kcols = [c for c in ("unit", "industry", "t") if c in out]
    dup = out.duplicated(kcols, keep=False).to_numpy()
    if dup.any():
        raise AggregationError(
            f"The weights table has {int(dup.sum())} duplicate row(s) for the same ({', '.join(keys)}):\n"
            f"{describe_rows(frame, np.flatnonzero(dup), keys + ['sales'])}\nKeep one sales figure per key."
        )
    known = ["unit"] + (["industry"] if "industry" in out else [])
    seen = rows[known].drop_duplicates()
    m = out[known].merge(seen.assign(_seen=True), on=known, how="left")["_seen"].notna().to_numpy()
    if not m.all():
        raise AggregationError(
            f"The weights table has {int((~m).sum())} row(s) for {unit} values that are not in the indexes table "
            f"(weights without units):\n{describe_rows(frame, np.flatnonzero(~m), keys + ['sales'])}\n"
            f"Remove these rows, or check the spelling of the {unit} names"
            + (" and industries" if "industry" in out else "") + " against the indexes table."
        )
    return out


def normalise_group_weights(table: pd.DataFrame | None, level: str, value: str, freq: str,
                            known: set, option: str) -> pd.DataFrame | None:
    """Check an optional ``level, value[, period]`` table (sector weights or industry totals).

    Returns ``name, [t], value`` or None. Errors: missing columns, non-numeric/missing/negative
    values, duplicates, malformed periods, and names absent from the indexes table.
    """
    if table is None:
        return None
    _require(table, option, [level, value],
             f"Pass a table with columns '{level}, {value}' (optionally 'period').")
    frame = table.reset_index(drop=True)
    keys = [level] + (["period"] if "period" in frame else [])
    val = _numeric(frame, value, option, keys, allow_nan=False)
    neg = val < 0
    if neg.any():
        raise AggregationError(
            f"The {option} table has {int(neg.sum())} negative value(s):\n"
            f"{describe_rows(frame, np.flatnonzero(neg), keys + [value])}\nWeights must be >= 0."
        )
    out = pd.DataFrame({"name": _label(frame[level]), "value": val})
    if "period" in frame:
        t, wfreq = parse_periods(frame["period"], table=option, frame=frame, columns=keys)
        if wfreq != freq:
            raise AggregationError(
                f"The {option} table's periods have frequency {wfreq!r} but the indexes' have {freq!r}. "
                "Use the same kind of period, or drop the period column to use one value for every period."
            )
        out["t"] = t
    kcols = ["name"] + (["t"] if "t" in out else [])
    dup = out.duplicated(kcols, keep=False).to_numpy()
    if dup.any():
        raise AggregationError(
            f"The {option} table has {int(dup.sum())} duplicate row(s):\n"
            f"{describe_rows(frame, np.flatnonzero(dup), keys + [value])}\nKeep one value per {' and '.join(keys)}."
        )
    unknown = ~out["name"].isin(known).to_numpy()
    if unknown.any():
        raise AggregationError(
            f"The {option} table has {int(unknown.sum())} row(s) for {level} values that are not in the indexes table:\n"
            f"{describe_rows(frame, np.flatnonzero(unknown), keys + [value])}\n"
            f"Remove these rows or correct the {level} names."
        )
    return out


def missing_keys_error(keys: pd.DataFrame, what: str, fix: str) -> AggregationError:
    """Build the error for aggregated units/groups that have no weight."""
    return AggregationError(f"{len(keys)} {what}:\n{describe_keys(keys)}\n{fix}")
