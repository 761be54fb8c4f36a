"""The history store's schema: the current tables, the first version's, and the migrations.

The store is one DuckDB database file. Its ``schema_version`` table holds one row per schema
version applied (the highest is the store's version). :data:`SCHEMA_VERSION` is the version
this acsi writes; a store with a higher version was written by a newer acsi and is refused; a
store with a lower version is migrated in one transaction by the functions of
:data:`MIGRATIONS` (``MIGRATIONS[v]`` takes a version-``v`` store to ``v + 1``).

Tables of the current version (2)
---------------------------------
``releases``
    One row per release (vintage): ``release_key`` (publication order), ``release_id`` (the
    name, e.g. ``2025Q4``; unique among current releases), ``release_date``, ``created_at``,
    ``kind`` (``estimated``: fitted by ``acsi publish``; ``external``: imported published
    figures), ``status`` (``current`` or ``superseded`` by ``superseded_by``), ``notes``,
    ``source``; the model (``model_name, model_title, model_headline, model_toml,
    model_lavaan, model_partable`` (JSON of the parameter table; NULL until
    ``acsi.spec`` has one), ``model_hash``), ``estimator``, ``method_hash`` (model, estimator
    and every option that changes figures), ``frequency``, ``periods`` (JSON list of the periods
    measured), ``options``, ``versions`` and ``input_hashes`` (JSON).
``figures``
    Every published number: one row per release, ``level`` (``company``, ``industry``,
    ``sector``, ``national_quarter``, ``national``), ``unit``, ``period`` (with ordinal ``t``
    and ``frequency``) and ``latent``: ``index, se, ci_lower, ci_upper`` with ``ci_level`` and
    ``ci_method`` (``t``: the unit-index t interval; ``z``: normal interval of an aggregate;
    ``published``: an external figure without interval), ``n`` (respondents), ``n_units``,
    ``status``, ``reason``, ``origin`` (``measured``, ``aggregated``, ``external``), the
    aggregation provenance (``weight``, ``weight_share``, ``published``, ``window_periods``,
    ``window_full``, ``n_measurements``, ``n_carried``, ``carried_from``, ``measured_from``,
    ``measured_to``, ``baseline_period``, ``baseline_index``), bootstrap columns (``boot_se``,
    ``boot_bias``, ``perc_lower``, ``perc_upper``, ``bca_lower``, ``bca_upper``,
    ``boot_n_used``) and ``data_hash`` (a company's respondents).
``changes``
    Changes of every aggregate and unit: ``kind`` (``change``: previous period;
    ``change_yoy``: a year earlier), ``basis`` (``as_published``: all units of each period;
    ``matched``: like-for-like, the units present in both, with ``composition`` = published -
    matched, ``composition_changed`` and ``n_matched``), ``period_from``, ``change, change_pct,
    se, p``, ``significant`` (the aggregation's significance flag, on the basis it tests:
    ``tested``).
``measurements``
    The company measurements each release aggregated, one row per period of use (a carried
    measurement is used in later periods: ``measured_period``, ``carried``), with the sales
    weight of that period and ``source_release_key`` (the release that measured it: this one
    (-1 while writing, replaced by its key), or an earlier one read from the store for the
    national window and carry-forward).
``contributions``
    The coefficient of every measurement in every aggregate (``AggregateResult.contributions``).
``units``, ``accounting``, ``estimates``, ``fit_measures``
    Per company and period: status and its reason, respondents accounted for, the parameter
    table with estimates (lavaan's columns; other columns of the estimates in ``extra`` JSON),
    fit measures (long format).
``replicates``
    Bootstrap replicates of each measured unit's headline index (those that enter aggregates),
    with the jackknife moments of the BCa acceleration, so later releases can bootstrap
    national windows that reach back into stored periods.
"""

from __future__ import annotations

__all__ = ["SCHEMA_VERSION", "TABLES", "CURRENT_DDL", "V1_DDL", "MIGRATIONS"]

#: The schema version this acsi writes and reads.
SCHEMA_VERSION = 2

_RELEASES = """
CREATE TABLE releases (
    release_key INTEGER PRIMARY KEY,
    release_id VARCHAR NOT NULL,
    release_date DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('estimated', 'external')),
    status VARCHAR NOT NULL CHECK (status IN ('current', 'superseded')),
    superseded_by INTEGER,
    superseded_at TIMESTAMP,
    notes VARCHAR,
    source VARCHAR,
    model_name VARCHAR,
    model_title VARCHAR,
    model_headline VARCHAR,
    model_toml VARCHAR,
    model_lavaan VARCHAR,
    model_partable VARCHAR,
    model_hash VARCHAR,
    estimator VARCHAR,
    method_hash VARCHAR,
    frequency VARCHAR,
    periods VARCHAR,
    options VARCHAR,
    versions VARCHAR,
    input_hashes VARCHAR
)"""

_FIGURES = """
CREATE TABLE figures (
    release_key INTEGER NOT NULL,
    level VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    t BIGINT NOT NULL,
    frequency VARCHAR NOT NULL,
    latent VARCHAR NOT NULL,
    parent VARCHAR,
    industry VARCHAR,
    sector VARCHAR,
    "index" DOUBLE,
    se DOUBLE,
    ci_lower DOUBLE,
    ci_upper DOUBLE,
    ci_level DOUBLE,
    ci_method VARCHAR,
    n DOUBLE,
    n_units INTEGER,
    status VARCHAR NOT NULL,
    reason VARCHAR,
    origin VARCHAR NOT NULL,
    weight DOUBLE,
    weight_share DOUBLE,
    published BOOLEAN,
    window_periods DOUBLE,
    window_full BOOLEAN,
    n_measurements INTEGER,
    n_carried INTEGER,
    carried_from VARCHAR,
    measured_from VARCHAR,
    measured_to VARCHAR,
    baseline_period VARCHAR,
    baseline_index DOUBLE,
    boot_se DOUBLE,
    boot_bias DOUBLE,
    perc_lower DOUBLE,
    perc_upper DOUBLE,
    bca_lower DOUBLE,
    bca_upper DOUBLE,
    boot_n_used INTEGER,
    data_hash VARCHAR
)"""

_CHANGES = """
CREATE TABLE changes (
    release_key INTEGER NOT NULL,
    level VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    t BIGINT NOT NULL,
    latent VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    basis VARCHAR NOT NULL,
    period_from VARCHAR,
    change DOUBLE,
    change_pct DOUBLE,
    se DOUBLE,
    p DOUBLE,
    significant BOOLEAN,
    tested BOOLEAN,
    composition DOUBLE,
    composition_changed BOOLEAN,
    n_matched INTEGER
)"""

_MEASUREMENTS = """
CREATE TABLE measurements (
    release_key INTEGER NOT NULL,
    period VARCHAR NOT NULL,
    t BIGINT NOT NULL,
    unit VARCHAR NOT NULL,
    industry VARCHAR,
    sector VARCHAR,
    "index" DOUBLE,
    se DOUBLE,
    n DOUBLE,
    sales DOUBLE,
    measured_period VARCHAR NOT NULL,
    carried BOOLEAN NOT NULL,
    source_release_key INTEGER NOT NULL,
    data_hash VARCHAR
)"""

_CONTRIBUTIONS = """
CREATE TABLE contributions (
    release_key INTEGER NOT NULL,
    level VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    measured_unit VARCHAR NOT NULL,
    measured_period VARCHAR NOT NULL,
    coefficient DOUBLE NOT NULL
)"""

_UNITS = """
CREATE TABLE units (
    release_key INTEGER NOT NULL,
    period VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    industry VARCHAR,
    sector VARCHAR,
    status VARCHAR NOT NULL,
    reason VARCHAR,
    n INTEGER,
    converged BOOLEAN,
    admissible BOOLEAN,
    messages VARCHAR,
    data_hash VARCHAR
)"""

_ACCOUNTING = """
CREATE TABLE accounting (
    release_key INTEGER NOT NULL,
    period VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    item VARCHAR NOT NULL,
    count BIGINT NOT NULL
)"""

_ESTIMATES = """
CREATE TABLE estimates (
    release_key INTEGER NOT NULL,
    period VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    row INTEGER NOT NULL,
    lhs VARCHAR NOT NULL,
    op VARCHAR NOT NULL,
    rhs VARCHAR NOT NULL,
    est DOUBLE,
    se DOUBLE,
    z DOUBLE,
    pvalue DOUBLE,
    ci_lower DOUBLE,
    ci_upper DOUBLE,
    std_all DOUBLE,
    extra VARCHAR
)"""

_FIT_MEASURES = """
CREATE TABLE fit_measures (
    release_key INTEGER NOT NULL,
    period VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    value DOUBLE
)"""

_REPLICATES = """
CREATE TABLE replicates (
    release_key INTEGER NOT NULL,
    period VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    latent VARCHAR NOT NULL,
    seed UBIGINT NOT NULL,
    n_boot INTEGER NOT NULL,
    ci_level DOUBLE NOT NULL,
    "values" DOUBLE[] NOT NULL,
    jack_m2 DOUBLE,
    jack_m3 DOUBLE
)"""

_VERSION = """
CREATE TABLE schema_version (
    version INTEGER NOT NULL,
    applied_at TIMESTAMP NOT NULL,
    acsi_version VARCHAR,
    note VARCHAR
)"""

#: Tables of the current schema, in the order they are written and dumped.
TABLES = ("releases", "figures", "changes", "measurements", "contributions", "units", "accounting", "estimates",
          "fit_measures", "replicates")

#: DDL of the current schema (without ``schema_version``), one statement per table.
CURRENT_DDL = {
    "releases": _RELEASES, "figures": _FIGURES, "changes": _CHANGES, "measurements": _MEASUREMENTS,
    "contributions": _CONTRIBUTIONS, "units": _UNITS, "accounting": _ACCOUNTING, "estimates": _ESTIMATES,
    "fit_measures": _FIT_MEASURES, "replicates": _REPLICATES, "schema_version": _VERSION,
}

#: DDL of the first schema version (kept to test the migration and to document it): releases
#: keyed by their name (no replacement, no external releases), headline figures only, with
#: intervals but neither their level nor the aggregation provenance, estimates with
#: ``est, se`` only.
V1_DDL = {
    "schema_version": _VERSION,
    "releases": """
CREATE TABLE releases (
    release_id VARCHAR PRIMARY KEY,
    release_date DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    model_name VARCHAR,
    model_text VARCHAR,
    estimator VARCHAR,
    options VARCHAR,
    versions VARCHAR,
    input_hashes VARCHAR,
    notes VARCHAR
)""",
    "figures": """
CREATE TABLE figures (
    release_id VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    "index" DOUBLE,
    se DOUBLE,
    ci_lower DOUBLE,
    ci_upper DOUBLE,
    n DOUBLE,
    status VARCHAR NOT NULL,
    reason VARCHAR
)""",
    "estimates": """
CREATE TABLE estimates (
    release_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    lhs VARCHAR NOT NULL,
    op VARCHAR NOT NULL,
    rhs VARCHAR NOT NULL,
    est DOUBLE,
    se DOUBLE
)""",
    "fit_measures": """
CREATE TABLE fit_measures (
    release_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    value DOUBLE
)""",
}


def _period_ordinal_sql(col: str) -> str:
    """SQL giving the period ordinal of acsi.aggregate.periods for 'YYYYQn', 'YYYY-MM' and 'YYYY' labels."""
    return (
        f"CASE WHEN regexp_matches({col}, '^\\d{{4}}\\s*[-_ ]?\\s*[Qq][1-4]$') "
        f"THEN (CAST(substr({col}, 1, 4) AS BIGINT) - 1970) * 4 + CAST(right({col}, 1) AS BIGINT) - 1 "
        f"WHEN regexp_matches({col}, '^\\d{{4}}-\\d{{1,2}}$') "
        f"THEN (CAST(substr({col}, 1, 4) AS BIGINT) - 1970) * 12 + CAST(split_part({col}, '-', 2) AS BIGINT) - 1 "
        f"ELSE CAST(substr({col}, 1, 4) AS BIGINT) - 1970 END"
    )


def _frequency_sql(col: str) -> str:
    return (f"CASE WHEN regexp_matches({col}, '[Qq][1-4]$') THEN 'Q' "
            f"WHEN regexp_matches({col}, '^\\d{{4}}-\\d{{1,2}}$') THEN 'M' ELSE 'Y' END")


def migrate_1_to_2(con) -> None:
    """Version 1 -> 2: surrogate release keys (so a replaced release can be kept as superseded),
    external releases, per-latent figures with their interval level, aggregation provenance,
    changes, measurements, contributions, units, accounting, replicates.

    Every version-1 figure is kept: ``latent`` becomes the release's headline when known
    (options JSON ``headline``), else ``"headline"``; ``ci_level`` comes from the release's
    options (``confidence``) when recorded; ``t`` and ``frequency`` are computed from the period
    label; the model text moves to ``model_toml`` or ``model_lavaan`` by its syntax.
    """
    for name in ("releases", "figures", "estimates", "fit_measures"):
        con.execute(f"ALTER TABLE {name} RENAME TO v1_{name}")
    for name in TABLES:
        con.execute(CURRENT_DDL[name])
    con.execute("""
        INSERT INTO releases (release_key, release_id, release_date, created_at, kind, status, notes, model_name,
                              model_toml, model_lavaan, estimator, options, versions, input_hashes, model_headline)
        SELECT row_number() OVER (ORDER BY created_at, release_id), release_id, release_date, created_at,
               'estimated', 'current', notes, model_name,
               CASE WHEN model_text LIKE '%[%' THEN model_text END,
               CASE WHEN model_text NOT LIKE '%[%' THEN model_text END,
               estimator, options, versions, input_hashes,
               json_extract_string(options, '$.headline')
        FROM v1_releases""")
    con.execute(f"""
        INSERT INTO figures (release_key, level, unit, period, t, frequency, latent, "index", se, ci_lower, ci_upper,
                             ci_level, ci_method, n, status, reason, origin)
        SELECT r.release_key, f.level, f.unit, f.period, {_period_ordinal_sql('f.period')}, {_frequency_sql('f.period')},
               coalesce(r.model_headline, 'headline'), f."index", f.se, f.ci_lower, f.ci_upper,
               TRY_CAST(json_extract_string(r.options, '$.confidence') AS DOUBLE),
               CASE WHEN f.level = 'company' THEN 't' ELSE 'z' END,
               f.n, f.status, f.reason, CASE WHEN f.level = 'company' THEN 'measured' ELSE 'aggregated' END
        FROM v1_figures f JOIN releases r USING (release_id)""")
    con.execute("""
        INSERT INTO estimates (release_key, period, unit, row, lhs, op, rhs, est, se)
        SELECT r.release_key, e.period, e.unit,
               CAST(row_number() OVER (PARTITION BY r.release_key, e.period, e.unit) AS INTEGER) - 1,
               e.lhs, e.op, e.rhs, e.est, e.se
        FROM v1_estimates e JOIN releases r USING (release_id)""")
    con.execute("""
        INSERT INTO fit_measures SELECT r.release_key, m.period, m.unit, m.measure, m.value
        FROM v1_fit_measures m JOIN releases r USING (release_id)""")
    for name in ("figures", "estimates", "fit_measures", "releases"):
        con.execute(f"DROP TABLE v1_{name}")


#: ``MIGRATIONS[v]`` migrates a version-``v`` store to version ``v + 1`` (inside the caller's transaction).
MIGRATIONS = {1: migrate_1_to_2}
