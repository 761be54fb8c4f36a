"""The report's toolkit section, driven by a small TOML file (``acsi report RESULTS --toolkit toolkit.toml``).

The file lists which toolkit analyses to include (any analysis of
:mod:`acsi.methods.analyses`, with the options its command takes: ``acsi <command> --help``)
and, optionally, stratified tables of the fit's 0-100 indexes by demographic columns::

    # toolkit.toml
    data = "survey.csv"          # the table the analyses read (CSV, Excel, Parquet, SPSS, Stata),
                                 # relative to this file
    confidence = 0.95            # level of every interval of the section (default: the fit's)
    missing_codes = [98, 99]     # answers that mean "no answer" (NaN for the analyses; default none)

    [[analysis]]
    name = "nps"                 # acsi.methods.analyses.ANALYSES
    columns = "recommend"

    [[analysis]]
    name = "describe"            # item means by stratum, any column
    items = "pq1,pq2,pq3"
    by = "sex"

    [[analysis]]
    name = "servqual"
    folder = "toolkit-out"       # a saved analysis (acsi servqual gaps ... --out toolkit-out), read
                                 # with acsi.methods.analyses.load_toolkit (manifest verified)

    [[analysis]]
    name = "customer_classes"
    data = "customers.csv"       # an analysis may read its own file
    revenue = "revenue"
    cost = "cost"

    [strata]
    by = ["sex", "age"]          # default: the model's covariates found in the survey
    latents = ["CS", "CL"]       # default: every latent, the headline first

Every analysis block shows its tables with the level of their intervals (each block states
its own; an analysis without intervals says so), its notes and its figure.  The stratified
tables join the fit's respondent scores (``scores``: one row per respondent used, ``row`` its
position in the survey) to the survey's columns; the survey must be the file the fit read
(checked by the fit's ``input_sha256_16``).  A stratum's index is the weighted mean of its
respondents' 0-100 scores with the Student-t interval of a unit index
(:func:`acsi.score.scores.unit_index`: one interval rule wherever an index is shown); the
respondents of every unit are pooled, each scored with its own unit's item weights.
Respondents with no value in the column form the stratum "(missing)", so every respondent
used is counted once per column.

Errors (:class:`~acsi.errors.InvalidParameterError`, :class:`~acsi.errors.DataError`) name the
file, the entry and the key, and say how to fix them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AcsiError, DataError, InputFileError, InvalidParameterError
from .i18n import TEXT, column_label, latent_label, t
from .numbers import DASH, bad, fixed

__all__ = ["ToolkitConfig", "read_toolkit_config", "toolkit_section", "stratified_indexes", "MISSING_STRATUM"]

#: The stratum of respondents with no value in the column.
MISSING_STRATUM = "(missing)"
_TOP_KEYS = {"data", "confidence", "missing_codes", "analysis", "strata"}
_STRATA_KEYS = {"by", "latents", "data"}


@dataclass(frozen=True)
class ToolkitConfig:
    """A parsed ``toolkit.toml``: file paths resolved against the file's folder."""

    path: Path
    data: Path | None = None
    confidence: float | None = None
    missing_codes: tuple = ()
    analyses: tuple = ()
    strata: dict | None = None
    _tables: dict = field(default_factory=dict, repr=False, compare=False)

    def table(self, path: Path | None, where: str, *, raw: bool = False) -> pd.DataFrame:
        """The table at ``path`` (read once; ``missing_codes`` set to NaN unless ``raw``), or an error
        naming ``where`` when there is none."""
        if path is None:
            raise InvalidParameterError(f"{self.path}: {where} needs a data file; add data = \"survey.csv\" at the top of "
                                        "the file or in the entry.")
        if path not in self._tables:
            from ..data import read_table

            if not path.is_file():
                raise InputFileError(f"{self.path}: {where}: the data file {str(path)!r} does not exist; give a path "
                                     "relative to the toolkit file.")
            self._tables[path] = read_table(path)
        tab = self._tables[path]
        if raw or not self.missing_codes:
            return tab
        num = tab.select_dtypes("number").columns
        return tab.assign(**{c: tab[c].mask(tab[c].isin(self.missing_codes)) for c in num})


def _err(path, where, msg) -> InvalidParameterError:
    return InvalidParameterError(f"{path}: {where}: {msg}")


def read_toolkit_config(path: str | Path) -> ToolkitConfig:
    """Read and check a ``toolkit.toml`` (module docstring); the analyses' own options are
    checked when they run.

    Raises
    ------
    InputFileError
        The file does not exist.
    InvalidParameterError
        Not TOML, an unknown key, an analysis without a known ``name``, a bad ``confidence``.
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"the toolkit file {str(p)!r} does not exist; give the path of a toolkit.toml "
                             "(see `acsi report --help`).")
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidParameterError(f"{p}: not a valid TOML file ({exc}); fix the syntax.") from None
    unknown = sorted(set(doc) - _TOP_KEYS)
    if unknown:
        raise _err(p, "top level", f"unknown keys {unknown}; the keys are {sorted(_TOP_KEYS)} "
                                   "(an analysis' options go in its [[analysis]] entry).")
    base = p.resolve().parent
    rel = lambda v, where: _path(p, base, v, where)  # noqa: E731
    conf = doc.get("confidence")
    if conf is not None and not (isinstance(conf, (int, float)) and not isinstance(conf, bool) and 0 < conf < 1):
        raise _err(p, "confidence", f"must be a proportion in (0, 1), e.g. 0.95. Got {conf!r} instead.")
    entries = doc.get("analysis", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise _err(p, "analysis", "write each analysis as an [[analysis]] table with a name = \"...\" key.")
    if entries:
        from ..methods.analyses import ANALYSES
    codes = doc.get("missing_codes", [])
    if not isinstance(codes, list) or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in codes):
        raise _err(p, "missing_codes", f"must be a list of numbers, e.g. [98, 99]. Got {codes!r} instead.")
    analyses = []
    for k, e in enumerate(entries, 1):
        where = f"[[analysis]] #{k}"
        name = e.get("name")
        if name not in ANALYSES:
            raise _err(p, where, f"name must be one of {sorted(ANALYSES)}. Got {name!r} instead.")
        opts = {key: v for key, v in e.items() if key not in ("name", "data", "folder")}
        if "folder" in e and (opts or "data" in e):
            raise _err(p, f"{where} ({name})", f"a saved analysis (folder = ...) takes no data or options; got "
                                               f"{sorted(opts) + (['data'] if 'data' in e else [])}. Remove them, or "
                                               "remove folder to run the analysis here.")
        analyses.append({"name": name, "data": rel(e["data"], where) if "data" in e else None, "options": opts,
                         "folder": rel(e["folder"], where) if "folder" in e else None,
                         "where": f"{where} ({name})", "index": k})
    strata = doc.get("strata")
    if strata is not None:
        if not isinstance(strata, dict):
            raise _err(p, "strata", "write it as a [strata] table (by = [...], latents = [...]).")
        bad_keys = sorted(set(strata) - _STRATA_KEYS)
        if bad_keys:
            raise _err(p, "[strata]", f"unknown keys {bad_keys}; the keys are {sorted(_STRATA_KEYS)}.")
        strata = {"by": _names(p, strata.get("by"), "[strata] by"), "latents": _names(p, strata.get("latents"),
                                                                                    "[strata] latents"),
                  "data": rel(strata["data"], "[strata]") if "data" in strata else None}
    data = rel(doc["data"], "data") if "data" in doc else None
    return ToolkitConfig(path=p, data=data, confidence=None if conf is None else float(conf),
                         missing_codes=tuple(codes), analyses=tuple(analyses), strata=strata)


def _path(p, base, v, where) -> Path:
    if not isinstance(v, str) or not v:
        raise _err(p, where, f"a file or folder path must be text. Got {v!r} instead.")
    q = Path(v)
    return q if q.is_absolute() else base / q


def _names(p, v, where) -> list[str] | None:
    if v is None:
        return None
    if isinstance(v, str):
        v = [x.strip() for x in v.split(",") if x.strip()]
    if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
        raise _err(p, where, f"must be a list of column names, e.g. [\"sex\", \"age\"]. Got {v!r} instead.")
    return list(v)


# --------------------------------------------------------------------------- stratified indexes
def _fit_survey(cfg: ToolkitConfig, path: Path | None, data) -> pd.DataFrame:
    """The survey the fit read, verified by the fit's input hash."""
    from ..data import read_table
    from ..provenance import hash_tables

    survey = cfg.table(path, "[strata]", raw=True)
    want = (data.manifest or {}).get("input_sha256_16") or (data.manifest or {}).get("data_sha256_16")
    if not want:
        raise DataError(f"{cfg.path}: [strata]: these results record no hash of their survey, so the file "
                        f"{str(path)!r} cannot be matched to their respondents; refit with this acsi version.")
    if hash_tables(survey) != want:
        period = (data.manifest or {}).get("groups", [None])[:1]
        alt = read_table(path, text_columns=[c for c in period if c]) if period and period[0] else None
        if alt is None or hash_tables(alt) != want:
            raise DataError(f"{cfg.path}: [strata]: {str(path)!r} is not the survey these results were fitted on (its "
                            f"hash is {hash_tables(survey)}, the fit's input was {want}); give the file acsi fit read.")
        survey = alt
    return survey


def stratified_indexes(scores: pd.DataFrame, survey: pd.DataFrame, by: list[str], latents: list[str], *,
                       confidence: float = 0.95) -> pd.DataFrame:
    """Index of each latent per stratum of each ``by`` column (module docstring).

    Parameters
    ----------
    scores : DataFrame
        The fit's respondent scores (``row``, ``weight`` and one 0-100 column per latent).
    survey : DataFrame
        The survey the fit read (``scores["row"]`` are positions in it).
    by, latents : list of str
    confidence : float

    Returns
    -------
    DataFrame
        ``column, stratum, latent, index, se, ci_lower, ci_upper, n``; ``stratum`` is the
        column's value as text (``(missing)`` for no value).  The first rows (``column`` = "")
        are all respondents.  Equivalent R: ``weighted.mean`` per stratum with the SE of
        :func:`acsi.score.scores.weighted_mean_se` and ``qt((1 + confidence)/2, n - 1)``.

    Raises
    ------
    DataError
        A ``by`` column the survey lacks, a latent the scores lack, or rows beyond the survey.
    """
    from ..score.scores import unit_index

    missing = [c for c in by if c not in survey.columns]
    if missing:
        raise DataError(f"stratified tables: the survey has no column {missing}; its columns are {list(survey.columns)}.")
    lat_missing = [lv for lv in latents if lv not in scores.columns]
    if lat_missing:
        raise DataError(f"stratified tables: the scores have no latent {lat_missing}; they have "
                        f"{[c for c in scores.columns if c not in ('row', 'weight')]}.")
    rows = scores["row"].to_numpy(dtype=int)
    if len(rows) and (rows.max() >= len(survey) or rows.min() < 0):
        raise DataError(f"stratified tables: the scores name survey rows up to {rows.max()}, the survey has {len(survey)} "
                        "rows; give the file the fit read.")
    w = scores["weight"].to_numpy(dtype=float) if "weight" in scores.columns else None
    out = []

    def add(column, stratum, mask):
        tab = unit_index(scores.loc[mask, latents].reset_index(drop=True), None if w is None else w[mask],
                         confidence=confidence)
        out.append(tab.assign(column=column, stratum=stratum))

    add("", "", np.ones(len(scores), dtype=bool))
    for col in by:
        vals = survey[col].iloc[rows].reset_index(drop=True)
        text = vals.map(lambda v: MISSING_STRATUM if pd.isna(v) else
                        (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)))
        for s in sorted(set(text), key=lambda x: (x == MISSING_STRATUM, _sort_key(x))):
            add(col, s, (text == s).to_numpy())
    res = pd.concat(out, ignore_index=True)
    return res[["column", "stratum", "latent", "index", "se", "ci_lower", "ci_upper", "n"]]


def _sort_key(x: str):
    try:
        return (0, float(x), "")
    except ValueError:
        return (1, 0.0, x)


# --------------------------------------------------------------------------- the section
def _cell(v, digits=3) -> str:
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return DASH if bad(v) else fixed(v, digits)
    return "" if v is None or (isinstance(v, float) and v != v) else str(v)


def _generic_table(df: pd.DataFrame, lang: str) -> dict:
    from .cells import table as _table

    num = {i for i, c in enumerate(df.columns) if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])}
    digits = []
    for c in df.columns:  # counts stored as floats (n, n_eff of unweighted data) print as integers
        v = pd.to_numeric(df[c], errors="coerce") if pd.api.types.is_float_dtype(df[c]) else None
        whole = v is not None and v.notna().any() and bool((v.dropna() == v.dropna().round()).all()) and \
            bool((v.dropna().abs() >= 1).any())
        digits.append(0 if whole else 3)
    rows = [[_cell(v, d) for v, d in zip(r, digits)] for r in df.itertuples(index=False)]
    return _table([column_label(str(c), lang) for c in df.columns], rows, num=num, collapse_after=25, lang=lang)


def _level_line(level, lang) -> str:
    from .numbers import fmt_pct

    return t("tk_level", lang, level=fmt_pct(level)) if level is not None else t("tk_no_intervals", lang)


def _analysis_block(cfg, entry, default_conf, lang) -> dict:
    from ..methods.analyses import ANALYSES, run_analysis
    from .figures import ReportFigure, figure_png
    from .fonts import figure_lang, font_context
    from .i18n import is_chinese
    import inspect

    name, where = entry["name"], entry["where"]
    opts = dict(entry["options"])
    takes = inspect.signature(ANALYSES[name].run).parameters
    if "confidence" in takes and "confidence" not in opts and default_conf is not None:
        opts["confidence"] = default_conf
    a = ANALYSES[name]
    try:
        if entry.get("folder") is not None:  # a saved analysis: its tables and figure as they were written
            from ..methods.analyses import load_toolkit

            res = load_toolkit(entry["folder"], name)
        else:
            table = cfg.table(entry["data"] or cfg.data, where) if a.data != "none" else None
            res = run_analysis(name, table, **opts)
    except AcsiError as exc:
        raise type(exc)(f"{cfg.path}: {where}: {exc}") from None
    key = f"tk_title_{name}"
    block = {"id": f"tk-{entry['index']}-{name}",
             "title": t(key, lang) if key in TEXT else res.title, "level": _level_line(res.confidence, lang),
             "tables": [{"caption": res.captions.get(s, ""), "table": _generic_table(res.tables[s], lang)}
                        for s in (res.printed or tuple(res.tables))],
             "notes": list(res.notes) + list(res.warnings), "figure": None}
    if res.figure_file and entry.get("folder") is not None:
        png = Path(entry["folder"]) / res.figure_file
        if png.suffix.lower() == ".png" and png.is_file():
            block["figure"] = ReportFigure(name=f"toolkit_{entry['index']:02d}_{name}", title=block["title"],
                                           png=png.read_bytes(), section="toolkit")
    elif res.has_figure:
        flang = figure_lang(lang, warn=False)
        with font_context(flang):
            fig = res.figure("zh" if is_chinese(flang) else "en")
        if fig is not None:
            block["figure"] = ReportFigure(name=f"toolkit_{entry['index']:02d}_{name}", title=block["title"], png=figure_png(fig),
                                           section="toolkit")
    return block


def _strata_block(cfg, data, default_conf, lang) -> dict | None:
    from .numbers import fmt_ci, fmt_index, fmt_int, fmt_pct, fmt_se
    from .cells import table as _table

    st = cfg.strata
    path = st["data"] or cfg.data
    survey = _fit_survey(cfg, path, data)
    scores = data.scores()
    if scores is None or scores.empty or "row" not in scores.columns:
        raise DataError(f"{cfg.path}: [strata]: these results carry no respondent scores with their survey rows (the "
                        "scores table is empty or has no row column); refit and save the results with this acsi "
                        "version, which keeps them.")
    spec = data.spec
    by = st["by"]
    if by is None:
        cov = [v.id for v in getattr(spec, "observed", ()) if getattr(v, "covariate", False)]
        by = [c for c in cov if c in survey.columns]
        if not by:
            raise InvalidParameterError(f"{cfg.path}: [strata]: the model declares no covariate found in the survey; "
                                        "name the columns: by = [\"sex\", \"age\"].")
    latents = st["latents"] or ([data.headline] + [lv for lv in data.latents if lv != data.headline]
                                if data.headline else list(data.latents))
    level = default_conf if default_conf is not None else data.confidence
    tab = stratified_indexes(scores, survey, by, latents, confidence=level)
    headers = [t("tk_column", lang), t("tk_stratum", lang), column_label("latent", lang), column_label("index", lang),
               column_label("se", lang), t("tk_interval", lang, level=fmt_pct(level)), column_label("n", lang)]
    miss = t("tk_missing", lang)
    rows = [[r.column or t("tk_all", lang), miss if r.stratum == MISSING_STRATUM else r.stratum, latent_label(spec, r.latent, lang), fmt_index(r.index),
             fmt_se(r.se), fmt_ci(r.ci_lower, r.ci_upper), fmt_int(r.n)] for r in tab.itertuples(index=False)]
    return {"caption": t("tk_strata_caption", lang, level=fmt_pct(level), n=fmt_int(int(tab["n"].iloc[0])), missing=miss),
            "table": _table(headers, rows, num={3, 4, 5, 6}, collapse_after=40, lang=lang), "frame": tab}


def toolkit_section(config, data, lang: str = "en") -> dict:
    """The toolkit section for the template: ``blocks`` (one per analysis) and ``strata``.

    ``config`` is a :class:`ToolkitConfig` or the path of a ``toolkit.toml``; ``data`` the
    report's :class:`~acsi.report.data.ReportData`.  The section's default level is the file's
    ``confidence``, else the fit's.
    """
    cfg = config if isinstance(config, ToolkitConfig) else read_toolkit_config(config)
    default = cfg.confidence if cfg.confidence is not None else data.confidence
    blocks = [_analysis_block(cfg, e, default, lang) for e in cfg.analyses]
    strata = _strata_block(cfg, data, cfg.confidence, lang) if cfg.strata is not None else None
    return {"title": t("toolkit", lang), "intro": t("tk_intro", lang, file=cfg.path.name), "blocks": blocks,
            "strata": strata, "english_note": t("tk_english_note", lang) if lang != "en" else ""}
