"""Reading the history: vintages, the series of one unit across releases, and revisions.

A *vintage* is the published record as it stood after a release: for every figure (level,
unit, period, latent) the value from the latest current release, up to and including that
release, that published it. A release publishes the unit indexes it measured and the
aggregates of its own periods; figures of other periods stay as earlier releases published
them.

``history(store, unit=...)``
    The series of one unit as published in each release (one vintage per release).
``revisions(store, from_release, to_release)``
    Every figure whose value differs between the two vintages, by how much, and why:

    * ``method change``: the two figures were published under different methods (model,
      estimator, interval level, national window, carry-forward... : ``releases.method_hash``),
      or one is an external (imported) figure and the other estimated;
    * ``new data``: a company's respondents changed (``data_hash``), or an aggregate rests on a
      different set of measurements or on a measurement whose respondents changed;
    * ``re-estimation``: same respondents and method, different estimate (e.g. another
      software version or engine setting);
    * ``new weights``: an aggregate's measurements are the same but their sales weights (or
      the industry totals / sector weights, hence the coefficients) changed.

    A figure can have several reasons (``reasons``); ``reason`` is the first in the order above.
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd

from .core import StoreError, as_store

__all__ = ["vintage", "history", "revisions", "find_unit", "latest", "series", "REASONS"]

#: Reasons of a revision, in order of precedence.
REASONS = ("method change", "new data", "re-estimation", "new weights")

#: Columns of :func:`history` from the ``figures`` table (fewer columns: a faster scan).
HISTORY_COLUMNS = ("level", "unit", "latent", "period", "t", "frequency", "parent", "index", "se", "ci_lower",
                   "ci_upper", "ci_level", "ci_method", "n", "n_units", "status", "reason", "origin", "published",
                   "window_periods", "window_full", "boot_se", "bca_lower", "bca_upper")

_COMPARED = ("index", "se", "ci_lower", "ci_upper", "status")


def _vintage_sql(where: str = "") -> str:
    """Figures of the vintage after release ``?`` (its key), optionally filtered."""
    return f"""
        WITH rel AS (
            SELECT release_key FROM releases
            WHERE release_key <= ? AND (status = 'current' OR release_key = ?)
        )
        SELECT f.* FROM figures f JOIN rel USING (release_key)
        {where}
        QUALIFY row_number() OVER (PARTITION BY f.level, f.unit, f.period, f.latent ORDER BY f.release_key DESC) = 1
    """


def vintage(store, release: str, *, level: str | None = None) -> pd.DataFrame:
    """Every figure of the published record as it stood after ``release``.

    Columns: those of the ``figures`` table (``release_key`` is the release that published the
    figure) plus ``published_in`` (its id); sorted by level, unit, latent, period.
    """
    st, mine = as_store(store)
    try:
        key = st.release_key(release) if not str(release).startswith("#") else int(str(release)[1:])
        where = "WHERE f.level = ?" if level else ""
        params = [key, key] + ([level] if level else [])
        df = st.query(_vintage_sql(where), params)
        return _with_release_ids(st, df).sort_values(["level", "unit", "latent", "t"], kind="stable").reset_index(drop=True)
    finally:
        if mine:
            st.close()


def latest(store, *, level: str | None = None) -> pd.DataFrame:
    """The vintage after the latest current release (empty when the store has none)."""
    st, mine = as_store(store)
    try:
        rel = st.releases()
        if rel.empty:
            return pd.DataFrame(columns=st.columns("figures") + ["published_in"])
        return vintage(st, f"#{int(rel['release_key'].iloc[-1])}", level=level)
    finally:
        if mine:
            st.close()


def series(store, unit: str = "national", *, level: str | None = None, latent: str | None = None) -> pd.DataFrame:
    """The latest published series of one unit: one row per period (the long history).

    The last vintage of :func:`history`: ``period, t, frequency, index, se, ci_lower, ci_upper,
    ci_level, status, origin, published_in``, ordered by time. It is what a report draws as the
    published series: ``acsi.report.write_report(fit, agg, "report.html",
    published=acsi.store.series(store))``.
    """
    h = history(store, unit, level=level, latent=latent)
    if h.empty:
        return h
    last = h.loc[h["release_key"] == h["release_key"].max()]
    out = last.sort_values(["t", "frequency"]).reset_index(drop=True)
    cols = ["period", "t", "frequency", "level", "unit", "latent", "index", "se", "ci_lower", "ci_upper", "ci_level",
            "status", "reason", "origin", "published_in"]
    out = out[cols]
    out.attrs["source"] = f"the history store ({out['published_in'].nunique()} release(s))"
    return out


def _with_release_ids(st, df: pd.DataFrame) -> pd.DataFrame:
    ids = st.query("SELECT release_key, release_id FROM releases")
    m = dict(zip(ids["release_key"], ids["release_id"]))
    df = df.copy()
    df["published_in"] = df["release_key"].map(m)
    return df


def find_unit(store, unit: str, level: str | None = None) -> tuple[str, str]:
    """``(level, unit)`` of the figures named ``unit``.

    An exact name wins; otherwise a unique case-insensitive match of a part of the name
    (``"Delta Air Lines"`` finds ``"Delta Air Lines, Inc."``). Raises :class:`StoreError`
    listing the candidates when the name is unknown or ambiguous.
    """
    st, mine = as_store(store)
    try:
        cond = " AND level = ?" if level else ""
        exact = st.query("SELECT DISTINCT level, unit FROM figures WHERE unit = ?" + cond, [unit] + ([level] if level else []))
        if len(exact) == 1:
            return str(exact["level"].iloc[0]), str(exact["unit"].iloc[0])
        sql = "SELECT DISTINCT level, unit FROM figures" + (" WHERE level = ?" if level else "")
        known = st.query(sql, [level] if level else [])
    finally:
        if mine:
            st.close()
    if known.empty:
        raise StoreError("the history store holds no figures" + (f" at level {level!r}" if level else "")
                         + "; publish or import a release first")
    exact = known.loc[known["unit"] == unit]
    if exact.empty:
        low = unit.casefold()
        exact = known.loc[known["unit"].str.casefold().str.contains(low, regex=False)]
    levels = list(dict.fromkeys(exact["level"]))
    if len(exact) == 1:
        return str(exact["level"].iloc[0]), str(exact["unit"].iloc[0])
    if exact.empty:
        close = difflib.get_close_matches(unit, known["unit"].astype(str).unique().tolist(), n=5, cutoff=0.5)
        raise StoreError(f"no unit named {unit!r} in the history store" + (f" at level {level!r}" if level else "")
                         + (f"; did you mean {close}?" if close else "; list the units with acsi.store.latest(store)"))
    if len(set(exact["unit"])) == 1 and set(levels) == {"national", "national_quarter"}:
        return "national", str(exact["unit"].iloc[0])  # the published national index, not its quarterly input
    if len(set(exact["unit"])) == 1 and len(levels) > 1:
        raise StoreError(f"{unit!r} is a unit at several levels {levels}; pass level= (CLI --level) to choose one")
    names = exact["unit"].astype(str).tolist()
    raise StoreError(f"{unit!r} matches {len(names)} units: {names[:8]}; give the full name")


def history(store, unit: str, *, level: str | None = None, latent: str | None = None,
            vintages: bool = True) -> pd.DataFrame:
    """The series of one unit as published in each release.

    Parameters
    ----------
    store : path or HistoryStore
    unit : str
        Company, industry or sector name, or ``"national"`` (see :func:`find_unit`).
    level : str, optional
        ``company``, ``industry``, ``sector``, ``national_quarter`` or ``national`` (needed
        only when the name exists at several levels).
    latent : str, optional
        Latent variable of company figures (default: each release's headline).
    vintages : bool
        ``True``: for every current release, the unit's whole series as it stood after that
        release (``release_id``; ``published_in`` names the release each figure comes from).
        ``False``: only the figures each release itself published.

    Returns
    -------
    DataFrame
        ``release_id, release_key, release_date, kind, published_in``, then the figures'
        columns :data:`HISTORY_COLUMNS` and ``published_key`` (the key of ``published_in``),
        ordered by release then period. Other columns of a figure: :func:`vintage`.
    """
    if level is None and unit == "national":
        level = "national"  # the published national index, not its per-period input national_quarter
    st, mine = as_store(store)
    try:
        df = _history_query(st, unit, level, latent, vintages)
        levels = set(df["level"])
        if len(levels) != 1:  # unknown, partial or ambiguous name: resolve it (or explain), then query again
            lv, name = find_unit(st, unit, level)
            df = df.loc[df["level"] == lv].reset_index(drop=True) if name == unit and lv in levels else \
                _history_query(st, name, lv, latent, vintages)
            if df.empty and latent:
                have = st.query("SELECT DISTINCT latent FROM figures WHERE level = ? AND unit = ? ORDER BY latent",
                                [lv, name])["latent"].tolist()
                raise StoreError(f"the history store has no figures of latent {latent!r} for {lv} {name!r}; "
                                 f"its latents are {have}")
        return df
    finally:
        if mine:
            st.close()


def _history_query(st, unit: str, level: str | None, latent: str | None, vintages: bool) -> pd.DataFrame:
    lat = "f.latent = ?" if latent else "f.latent = r.model_headline"
    lev = "level = ? AND " if level else ""
    params = ([level] if level else []) + [unit] + ([latent] if latent else [])
    cols = ", ".join(f'"{c}"' for c in HISTORY_COLUMNS)
    # the unit's figures first (a small set; few columns: a fast scan), then one row per vintage and period
    if vintages:
        sql = f"""
            WITH f AS (SELECT release_key, {cols} FROM figures WHERE {lev} unit = ?)
            SELECT vr.release_id, vr.release_key, vr.release_date, vr.kind, r.release_id AS published_in,
                   f.* EXCLUDE (release_key), f.release_key AS published_key
            FROM f JOIN releases r ON r.release_key = f.release_key
            JOIN releases vr ON vr.status = 'current' AND f.release_key <= vr.release_key
            WHERE r.status = 'current' AND {lat}
            QUALIFY row_number() OVER (PARTITION BY vr.release_key, f.level, f.period, f.latent
                                       ORDER BY f.release_key DESC) = 1
            ORDER BY vr.release_key, f.t, f.latent"""
    else:
        sql = f"""
            WITH f AS (SELECT release_key, {cols} FROM figures WHERE {lev} unit = ?)
            SELECT r.release_id, r.release_key, r.release_date, r.kind, r.release_id AS published_in,
                   f.* EXCLUDE (release_key), f.release_key AS published_key
            FROM f JOIN releases r ON r.release_key = f.release_key
            WHERE r.status = 'current' AND {lat}
            ORDER BY r.release_key, f.t, f.latent"""
    return st.query(sql, params)


def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Element-wise equality with missing == missing."""
    na = a.isna().to_numpy() & b.isna().to_numpy()
    with np.errstate(invalid="ignore"):
        eq = (a.astype(object).to_numpy() == b.astype(object).to_numpy())
    return na | np.asarray(eq, dtype=bool)


def revisions(store, from_release: str, to_release: str, *, level: str | None = None) -> pd.DataFrame:
    """Every figure that changed between two vintages, by how much and why.

    Parameters
    ----------
    store : path or HistoryStore
    from_release, to_release : str
        Release ids (``"#<key>"`` addresses a superseded release).
    level : str, optional
        Only this level.

    Returns
    -------
    DataFrame
        One row per changed figure: ``level, unit, period, latent, index_from, index_to,
        revision`` (``index_to - index_from``), ``se_from, se_to, status_from, status_to,
        published_from, published_to`` (the releases that published the two values),
        ``reason`` (see the module docstring), ``reasons`` (all, ``"; "``-separated) and
        ``detail`` (which measurements, respondents or weights differ). Figures present in only
        one vintage (new periods) are not revisions and are not listed.
    """
    st, mine = as_store(store)
    try:
        a = vintage(st, from_release, level=level)
        b = vintage(st, to_release, level=level)
        keys = ["level", "unit", "period", "latent"]
        m = a.merge(b, on=keys, suffixes=("_from", "_to"))
        changed = np.zeros(len(m), dtype=bool)
        for c in _COMPARED:
            changed |= ~_same(m[f"{c}_from"], m[f"{c}_to"])
        m = m.loc[changed].reset_index(drop=True)
        out = pd.DataFrame({
            "level": m["level"], "unit": m["unit"], "period": m["period"], "latent": m["latent"],
            "index_from": m["index_from"], "index_to": m["index_to"], "revision": m["index_to"] - m["index_from"],
            "se_from": m["se_from"], "se_to": m["se_to"], "status_from": m["status_from"], "status_to": m["status_to"],
            "published_from": m["published_in_from"], "published_to": m["published_in_to"],
        })
        if len(m):
            reasons, details = _explain(st, m)
        else:
            reasons, details = [], []
        out["reasons"] = ["; ".join(r) for r in reasons]
        out["reason"] = [r[0] if r else "" for r in reasons]
        out["detail"] = details
        order = {lv: i for i, lv in enumerate(("company", "industry", "sector", "national_quarter", "national"))}
        out["_o"] = out["level"].map(order).fillna(9)
        out = out.sort_values(["_o", "unit", "period", "latent"], kind="stable").drop(columns="_o").reset_index(drop=True)
        cols = ["level", "unit", "period", "latent", "index_from", "index_to", "revision", "reason", "reasons",
                "se_from", "se_to", "status_from", "status_to", "published_from", "published_to", "detail"]
        return out[cols]
    finally:
        if mine:
            st.close()


def _explain(st, m: pd.DataFrame) -> tuple[list[list[str]], list[str]]:
    rel = st.query("SELECT release_key, kind, method_hash FROM releases").set_index("release_key")
    pairs = m[["release_key_from", "release_key_to"]].drop_duplicates()
    rks = sorted(set(pairs["release_key_from"]) | set(pairs["release_key_to"]))
    ph = ",".join("?" * len(rks))
    contrib = st.query(f"SELECT * FROM contributions WHERE release_key IN ({ph})", rks)
    meas = st.query(f"SELECT * FROM measurements WHERE release_key IN ({ph})", rks)
    cgroups = {k: g for k, g in contrib.groupby(["release_key", "level", "unit", "period"], sort=False)}
    mindex = meas.set_index(["release_key", "unit", "period"]).sort_index()
    reasons, details = [], []
    for r in m.itertuples(index=False):
        ka, kb = int(r.release_key_from), int(r.release_key_to)
        found: set[str] = set()
        notes: list[str] = []
        ra, rb = rel.loc[ka], rel.loc[kb]
        if ra["kind"] != rb["kind"] or (ra["method_hash"] or "") != (rb["method_hash"] or ""):
            found.add("method change")
            notes.append("published under different methods" if ra["kind"] == rb["kind"] else f"{ra['kind']} -> {rb['kind']}")
        if r.level == "company":
            if (r.data_hash_from or "") != (r.data_hash_to or ""):
                found.add("new data")
                notes.append("different respondents")
            elif "method change" not in found:
                found.add("re-estimation")
                notes.append("same respondents and method")
        else:
            ga = cgroups.get((ka, r.level, r.unit, r.period))
            gb = cgroups.get((kb, r.level, r.unit, r.period))
            if ga is None or gb is None:
                if "method change" not in found:
                    found.add("new data")
                    notes.append("published figure without recorded contributions")
            else:
                _explain_aggregate(ga, gb, mindex, ka, kb, found, notes)
        if not found:
            found.add("re-estimation")
        reasons.append([x for x in REASONS if x in found])
        details.append("; ".join(notes[:6]) + (" ..." if len(notes) > 6 else ""))
    return reasons, details


def _explain_aggregate(ga, gb, mindex, ka, kb, found, notes) -> None:
    ca = dict(zip(zip(ga["measured_unit"], ga["measured_period"]), ga["coefficient"]))
    cb = dict(zip(zip(gb["measured_unit"], gb["measured_period"]), gb["coefficient"]))
    added, dropped = sorted(set(cb) - set(ca)), sorted(set(ca) - set(cb))
    if added or dropped:
        found.add("new data")
        if added:
            notes.append("added " + ", ".join(f"{u} {p}" for u, p in added[:3]) + (" ..." if len(added) > 3 else ""))
        if dropped:
            notes.append("dropped " + ", ".join(f"{u} {p}" for u, p in dropped[:3]) + (" ..." if len(dropped) > 3 else ""))
    weights_changed = False
    for key in sorted(set(ca) & set(cb)):
        u, p = key
        try:
            x = mindex.loc[(ka, u, p)]
            y = mindex.loc[(kb, u, p)]
        except KeyError:
            continue
        x = x.iloc[0] if isinstance(x, pd.DataFrame) else x
        y = y.iloc[0] if isinstance(y, pd.DataFrame) else y
        if (x["data_hash"] or "") != (y["data_hash"] or ""):
            found.add("new data")
            notes.append(f"new respondents for {u} {p}")
        elif not (_eq(x["index"], y["index"]) and _eq(x["se"], y["se"])):
            found.add("re-estimation")
            notes.append(f"{u} {p} re-estimated")
        if not _eq(x["sales"], y["sales"]):
            found.add("new weights")
            weights_changed = True
            notes.append(f"sales of {u} {p}: {x['sales']:g} -> {y['sales']:g}")
    if not weights_changed and not added and not dropped:
        if any(not _eq(ca[k], cb[k]) for k in ca):
            found.add("new weights")
            notes.append("coefficients changed (industry totals or sector weights)")


def _eq(x, y) -> bool:
    if pd.isna(x) and pd.isna(y):
        return True
    return bool(x == y)
