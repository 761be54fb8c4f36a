"""Validating survey data against a model and applying the missing-data policy.

Missing-data policy (explicit, never silent imputation):

1. Missing-value codes (by default ACSI's 98 "don't know" and 99 "refused",
   plus any codes read from SPSS/Stata value labels) become missing.
2. Values outside an item's scale are an error listing the columns, the
   offending values and the first rows, unless ``out_of_range="missing"``.  A
   column whose answers lie mostly outside its declared scale (a 0/1 answer under a
   1-10 scale) has the wrong scale: it is an error in both modes, since treating its
   answers as missing would delete them.
3. ``missing="listwise"`` (default): a respondent with any missing item of the
   model is dropped from estimation and scoring.
   ``missing="fiml"``: a respondent is kept when at least one item of the model
   is answered (a row with none is dropped under ``missing_items``); the SEM is
   fitted by full-information ML (:mod:`acsi.estimate.fiml`, lavaan's
   ``missing = "ml"``) and each latent score uses the answered items of its
   block (:mod:`acsi.score.scores`).  With ``out_of_range="missing"`` an
   out-of-range answer is then a hole like any other missing answer (the row is
   not dropped for it).  Pairwise deletion, which semopy applies silently, and
   imputation are never used.

Columns read
------------
Every column the statistical model uses (``spec.observed_ids``: the items, observed
variables of the structural part such as a 0/1 complaint ``cc1``, active covariates such
as ``age``), each checked against its own scale (``spec.scale_bounds``: an item's
min/max, an observed variable's ``min``/``max`` or ``# scale:`` directive; an observed
variable with no scale, such as age in years, is not range-checked).  A scale the model
does not give can come from the value labels of an SPSS/Stata file
(``df.attrs["scales"]``, set by :func:`acsi.data.read_survey`: the smallest and largest labelled
answer that is not a missing code).  The default missing codes (98, 99) apply to the items and the
scaled variables; a variable without a scale takes only its own codes (a dict
``missing_codes={"age": [999]}`` or the file's labels), since 98 may be a real age.
Declared covariates the model does not use (demographics kept for stratified tables) are
carried along as they are when present and never drop a row.  The data must not have a
column named like a latent (:meth:`acsi.spec.ModelSpec.check_columns`, lavaan's check).

Every row read is accounted for.  Each dropped row is counted under exactly one
reason, the first that applies, in this order: ``missing_unit`` (a unit label
is empty), ``invalid_weight`` (survey weight missing, zero or negative),
``out_of_range`` (only with ``out_of_range="missing"`` and listwise deletion),
``missing_items``.
A later stage adds ``unit_not_estimated`` for rows of units whose model failed.
So ``rows_read == rows_used + Σ dropped_*`` for every unit.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError, DataWarning
from ..frames import column_arrays, factorize, labelled_matrix, table, text
from ..options import invalid
from ..spec import ModelSpec

__all__ = ["PreparedData", "prepare_survey", "DROP_REASONS", "DEFAULT_MISSING_CODES", "ID_NAMES", "missing_codes_of"]

DEFAULT_MISSING_CODES = (98, 99)
DROP_REASONS = ("missing_unit", "invalid_weight", "out_of_range", "missing_items", "unit_not_estimated")
#: Column names taken for respondent ids when none is declared (duplicates give a warning).
ID_NAMES = frozenset({"id", "respondent", "respondent_id", "resp_id", "respid", "caseid", "case_id", "record_id",
                      "interview_id", "serial", "uuid"})

_CODES_EXPECTED = ("numbers: one (98), a list ([98, 99]), a text of numbers ('98,99', '-9;-8'), or a dict "
                   "{item: codes}")


def missing_codes_of(codes, *, where: str = "acsi.fit", name: str = "missing_codes"):
    """Missing-value codes as numbers: a tuple, or a dict item -> tuple.

    Accepts a number (``98``), a sequence of numbers (``[98, 99]``), a text of numbers
    separated by commas, semicolons or spaces (``"98,99"``, ``"-9; -8"``: a text is never read
    character by character), ``None`` (no codes), or a dict ``{item: any of those}``.
    Anything else raises :class:`~acsi.errors.InvalidParameterError` naming the value.

    >>> missing_codes_of("98,99"), missing_codes_of(-9), missing_codes_of({"cs1": "97"})
    ((98, 99), (-9,), {'cs1': (97,)})
    """
    import numbers
    import re

    def one(value):
        if isinstance(value, bool):
            raise invalid(where, name, _CODES_EXPECTED, codes)
        if isinstance(value, numbers.Real):
            v = float(value)
            if not np.isfinite(v):
                raise invalid(where, name, _CODES_EXPECTED + " (finite)", codes)
            return int(v) if v.is_integer() else v
        if isinstance(value, str):
            parts = [t for t in re.split(r"[,;\s]+", value.strip()) if t]
            try:
                return tuple(one(float(t)) for t in parts)
            except ValueError:
                raise invalid(where, name, _CODES_EXPECTED, codes) from None
        raise invalid(where, name, _CODES_EXPECTED, codes)

    def many(value):
        if value is None:
            return ()
        if isinstance(value, (str, numbers.Real)):
            got = one(value)
            return got if isinstance(got, tuple) else (got,)
        if isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Series, pd.Index)):
            out = []
            for v in value:
                got = one(v)
                out.extend(got if isinstance(got, tuple) else (got,))
            return tuple(dict.fromkeys(out))
        raise invalid(where, name, _CODES_EXPECTED, codes)

    if isinstance(codes, dict):
        return {str(k): many(v) for k, v in codes.items()}
    return many(codes)


@dataclass(frozen=True)
class PreparedData:
    """Survey data ready for estimation.

    Attributes
    ----------
    data : DataFrame
        Rows used: the group and hierarchy columns, the model's observed variables as floats
        and the declared covariates present (an item may be called ``weight`` or ``row``: the
        survey weights and row positions are not columns).
    accounting : DataFrame
        Per group: ``rows_read, rows_used`` and one ``dropped_<reason>`` column per reason.
    item_missing : DataFrame
        Per item: counts of missing codes (by code), blanks and out-of-range values.
    groups : list of str
        Columns that identify a unit (e.g. ``["period", "company"]``).
    carry : list of str
        Hierarchy columns carried along (industry, sector).
    weights : ndarray
        Survey weight of each row of ``data`` (1.0 when none was given); read-only.
    rows : ndarray
        0-based position of each row of ``data`` in the input table; read-only.
    variables : tuple of str
        The model's columns in ``data`` (``spec.observed_ids``: items, observed structural
        variables, active covariates), as floats.
    covariates : tuple of str
        Declared covariates carried along for stratified tables (present in the data, in
        the model or not); the ones outside the model keep their values as read.
    answers : ndarray
        ``data[list(variables)]`` as the float matrix it is in ``data`` (the frame's own block,
        rows x variables, column-major), a read-only view: the estimation reads it without
        selecting the columns again.
    """

    data: pd.DataFrame
    accounting: pd.DataFrame
    item_missing: pd.DataFrame
    groups: list[str]
    carry: list[str]
    weights: np.ndarray
    rows: np.ndarray
    variables: tuple = ()
    covariates: tuple = ()
    answers: np.ndarray | None = field(default=None, repr=False, compare=False)


def _check_ids(df: pd.DataFrame, id_column: str | None) -> None:
    """Duplicate or missing respondent ids: an error for a declared id column, a warning for one named like an id."""
    import warnings

    if id_column is not None:
        if id_column not in df.columns:
            raise DataError(f"id column {id_column!r} is not in the survey{_suggest(id_column, df.columns)}; "
                            f"columns are {list(df.columns)}")
        ids = df[id_column]
        blank = ids.isna() | (ids.astype("string").str.strip() == "")
        if blank.any():
            rows = [int(i) for i in np.flatnonzero(blank.to_numpy())[:5]]
            raise DataError(f"id column {id_column!r}: {int(blank.sum())} row(s) have no id (rows {rows}); every "
                            "respondent needs an id")
        dup = ids.duplicated(keep=False)
        if dup.any():
            vals = pd.unique(ids[dup]).tolist()
            rows = [int(i) for i in np.flatnonzero(dup.to_numpy())[:6]]
            raise DataError(f"id column {id_column!r}: {len(vals)} id(s) appear more than once ({int(dup.sum())} rows), "
                            f"e.g. {vals[:5]} at rows {rows}; each respondent must appear once: remove the "
                            "repeated rows or fix the ids")
        return
    for col in df.columns:
        if str(col).strip().lower() in ID_NAMES:
            if _increasing(df[col]):  # numbered rows: no id twice, nothing to hash
                continue
            ids = df[col].dropna()
            dup = ids.duplicated(keep=False)
            if dup.any():
                vals = pd.unique(ids[dup]).tolist()
                warnings.warn(
                    f"column {col!r} looks like a respondent id and {len(vals)} of its values appear more than once "
                    f"({int(dup.sum())} rows, e.g. {vals[:5]}): respondents entered twice? Declare it as the id "
                    f"column (id_column={col!r}, command line --id {col}) to make this an error",
                    DataWarning, stacklevel=4,
                )


def _increasing(col: pd.Series) -> bool:
    """Whether a numeric column rises strictly from row to row (ids numbered 1, 2, 3...): then no value
    repeats.  False for anything else (a hole compares False), which the caller checks in full."""
    if not (isinstance(col.dtype, np.dtype) and col.dtype.kind in "iuf"):
        return False
    a = col.to_numpy()
    return bool((a[1:] > a[:-1]).all())


def _array(a):
    """A column's array as ``Series.array`` gives it (numpy data wrapped as pandas' own array)."""
    return a if isinstance(a, pd.api.extensions.ExtensionArray) else pd.arrays.NumpyExtensionArray(a)


def _unit_ids(df: pd.DataFrame, groups: list[str], arrays: dict) -> tuple[np.ndarray, np.ndarray, dict]:
    """Each row's unit as a number 0..m-1 in order of first appearance, each unit's first row, and
    each group column's ``(codes, distinct labels, whether no label is missing)`` (a missing label
    is a label of its own here: the accounting names it ``<missing>``); ``arrays``: the columns'
    arrays by name (:func:`acsi.frames.column_arrays`)."""
    ids, labels = None, {}
    for g in groups:
        codes, uniq = factorize(arrays[g])  # codes in order of first appearance, shared with the rest of the fit
        complete = not codes.size or codes.min() >= 0
        if not complete:  # a missing label: a code of its own, in order of appearance too
            codes, uniq = pd.factorize(df[g], use_na_sentinel=False)
        labels[g] = (codes, uniq, complete)
        codes = codes.astype(np.int64, copy=False)
        if ids is None:
            ids = codes
        elif len(uniq) > 1:  # one label adds nothing: ids * 1 + 0 are the ids, numbered already
            ids = pd.factorize(ids * len(uniq) + codes)[0].astype(np.int64, copy=False)
    if not ids.any():  # one unit
        return ids, np.zeros(min(ids.size, 1), dtype=np.int64), labels
    # units are numbered in order of first appearance: a unit's first row is where the running maximum rises
    top = np.maximum.accumulate(ids)
    first = np.flatnonzero(np.diff(top, prepend=-1) > 0)
    return ids, first, labels


def _suggest(name: str, options) -> str:
    close = difflib.get_close_matches(name, [str(o) for o in options], n=2)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def prepare_survey(
    df: pd.DataFrame,
    spec: ModelSpec,
    *,
    groups: list[str] | None = None,
    weight: str | None = None,
    item_map: dict[str, str] | None = None,
    missing_codes=DEFAULT_MISSING_CODES,
    out_of_range: str = "error",
    missing: str = "listwise",
    carry: tuple[str, ...] = ("industry", "sector"),
    id_column: str | None = None,
) -> PreparedData:
    """Validate ``df`` against ``spec`` and apply the missing-data policy.

    Parameters
    ----------
    df : DataFrame
        Respondent-level table.
    spec : ModelSpec
    groups : list of str
        Unit columns (e.g. ``["period", "company"]``); empty for a pooled fit.
    weight : str, optional
        Survey-weight column.
    item_map : dict, optional
        ``{column_in_data: item_id}``.
    missing_codes : sequence of numbers, or dict item -> sequence
        Codes that mean "no answer".  Codes found in SPSS/Stata value labels
        (``df.attrs["missing_codes"]``) are added.  The default codes apply to the items and
        to observed variables with a scale; an unscaled variable (age in years) takes only
        the codes a dict names for it.
    out_of_range : {"error", "missing"}
    missing : {"listwise", "fiml"}
        Listwise deletion, or keep every row with at least one item answered
        (for full-information ML; see the module docstring).
    carry : tuple of str
        Columns carried along when present (hierarchy: industry, sector).
    id_column : str, optional
        Respondent-id column: an id used twice, or a row without one, is an error listing them.
        Without it, a column named like an id (:data:`ID_NAMES`) with repeated values gives a
        :class:`~acsi.errors.DataWarning` with the count.

    A column name used twice is an error (the copy would otherwise be silently ignored).
    """
    if out_of_range not in ("error", "missing"):
        raise DataError(f"out_of_range must be 'error' or 'missing'; got {out_of_range!r}")
    if missing not in ("listwise", "fiml"):
        raise DataError(
            f"missing must be 'listwise' or 'fiml'; got {missing!r}. acsi never imputes silently and does not "
            "offer pairwise deletion: use 'fiml' (full-information ML) to keep incomplete respondents"
        )
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"survey data must be a pandas DataFrame; got {type(df).__name__}")
    if len(df) == 0:
        raise DataError("the survey table is empty (0 rows)")
    dup_cols = [] if df.columns.is_unique else list(dict.fromkeys(map(str, df.columns[df.columns.duplicated()])))
    if dup_cols:
        raise DataError(f"the survey names a column more than once: {dup_cols}; each column needs its own name "
                        "(rename or drop the copies), so that no answer is silently ignored")
    missing_codes = missing_codes_of(missing_codes, where="prepare_survey")
    _check_ids(df, id_column)
    groups = list(groups or [])
    file_codes = dict(df.attrs.get("missing_codes", {}) or {})
    file_scales = dict(df.attrs.get("scales", {}) or {})
    if item_map:
        absent = [c for c in item_map if c not in df.columns]
        if absent:
            raise DataError(f"item_map names columns that are not in the data: {absent}; columns are {list(df.columns)}")
        file_codes = {item_map.get(k, k): v for k, v in file_codes.items()}
        file_scales = {item_map.get(k, k): v for k, v in file_scales.items()}
        df = df.rename(columns=item_map)
    variables = list(spec.observed_ids)
    absent = [i for i in variables if i not in df.columns]
    if absent:
        hints = "; ".join(f"{a}{_suggest(a, df.columns)}" for a in absent)
        kinds = "item columns" if all(a in set(spec.item_ids) for a in absent) else "columns"
        raise DataError(
            f"the survey lacks {kinds} of model {spec.name!r}: {hints}. "
            "Rename the columns or pass item_map={'column_in_file': 'item_id'}"
        )
    spec.check_columns(df.columns)
    for g in groups + ([weight] if weight else []):
        if g not in df.columns:
            raise DataError(f"column {g!r} is not in the survey{_suggest(g, df.columns)}; columns are {list(df.columns)}")
    carry = [c for c in carry if c in df.columns and c not in groups]
    # declared covariates the model does not use: carried along as read (stratified tables)
    covariates = [c for c in spec.covariate_ids if c in df.columns and c not in groups + carry]
    extra_cov = [c for c in covariates if c not in variables]

    # the variables as one float matrix, a column of it per variable (column-major: each
    # variable's answers contiguous); numpy throughout, each step only on the columns it can
    # concern (pandas per-column work was 2/3 of a one-unit fit's time, benchmarks/results/profile_fit.txt)
    n = len(df)
    p = len(variables)
    bad_types = {}
    X = np.empty((n, p), order="F")
    # every column's array in one pass (names unique, checked above): no Series made per column
    arrays = dict(zip(df.columns, column_arrays(df)))
    variables_to_read = []
    for j, it in enumerate(variables):
        a = arrays[it]
        if isinstance(a, np.ndarray) and a.dtype.kind in "iuf":  # numpy numbers: nothing to coerce or report
            X[:, j] = a
        else:
            variables_to_read.append((j, it))
    for j, it in variables_to_read:
        col = df[it]
        kind = col.dtype.kind if isinstance(col.dtype, np.dtype) else None
        if kind != "b" and pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            X[:, j] = col.to_numpy(dtype=float, na_value=np.nan)  # nullable numbers: holes as NaN
            continue
        num = pd.to_numeric(col, errors="coerce")
        nonnum = num.isna() & col.notna() & (col.astype("string").str.strip() != "")
        if nonnum.any():
            bad_types[it] = (list(pd.unique(col[nonnum]))[:5], [int(i) for i in np.flatnonzero(nonnum.to_numpy())[:5]])
        X[:, j] = num.to_numpy(dtype=float, na_value=np.nan)
    if bad_types:
        desc = "; ".join(f"{c}: values {v} at rows {r}" for c, (v, r) in bad_types.items())
        raise DataError(f"non-numeric answers in item columns: {desc}. Recode them as numbers or as a missing code")

    # each variable's own scale: the model's, else the value labels of an SPSS/Stata file
    bounds = {v: tuple(map(float, b)) for v, b in file_scales.items() if v in variables}
    bounds.update({v: b for v, b in spec.scale_bounds.items() if v in variables})

    # missing codes: the default codes apply to scaled variables; an unscaled one (age in
    # years) takes only the codes named for it (a dict, or the file's labels)
    code_map: dict[str, set[float]] = {}
    if isinstance(missing_codes, dict):
        for it in variables:
            code_map[it] = {float(c) for c in missing_codes.get(it, ())}
    else:
        base = {float(c) for c in (missing_codes or ())}
        code_map = {it: set(base) if it in bounds else set() for it in variables}
    for it, codes in file_codes.items():
        if it in code_map:
            code_map[it] |= {float(c) for c in codes}

    # holes per column: blanks, then missing codes (a code outside a column's answered range
    # [min, max] matches no answer and is not compared), then out-of-range answers
    nan_count = np.zeros(p, dtype=np.int64)
    if n:  # each column's range in two passes: min and max carry a hole as NaN, so only a column with
        # holes is read again (its holes counted, its range without them: fmin/fmax); no n x p mask
        col_min, col_max = np.minimum.reduce(X, axis=0), np.maximum.reduce(X, axis=0)
        with np.errstate(invalid="ignore"):
            for j in np.flatnonzero(np.isnan(col_min)):
                nan_count[j] = np.count_nonzero(np.isnan(X[:, j]))
                col_min[j], col_max[j] = np.fmin.reduce(X[:, j]), np.fmax.reduce(X[:, j])  # NaN for a column of blanks
    else:
        col_min, col_max = np.full(p, np.nan), np.full(p, np.nan)
    item_rows = []
    for j, it in enumerate(variables):
        row = {"item": it, "blank": int(nan_count[j])}
        coded = 0
        for c in sorted(code_map[it]):
            k = 0
            if col_min[j] <= c <= col_max[j]:
                m = X[:, j] == c
                k = int(np.count_nonzero(m))
                if k:
                    X[m, j] = np.nan
                    coded += k
            row[f"code_{c:g}"] = k
        if coded:
            nan_count[j] += coded
            with np.errstate(invalid="ignore"):
                col_min[j], col_max[j] = np.fmin.reduce(X[:, j]), np.fmax.reduce(X[:, j])
        item_rows.append(row)
    Xm = X  # the answers, codes now holes

    # an unscaled variable has no range: (-inf, inf), never out of it
    lo = np.array([bounds[v][0] if v in bounds else -np.inf for v in variables], dtype=float)
    hi = np.array([bounds[v][1] if v in bounds else np.inf for v in variables], dtype=float)
    oor = {}  # column -> rows out of its range (NaN compares False: a hole is never out of range)
    for j in np.flatnonzero((col_min < lo) | (col_max > hi)):
        oor[int(j)] = (Xm[:, j] < lo[j]) | (Xm[:, j] > hi[j])
    for j, row in enumerate(item_rows):
        row["out_of_range"] = int(np.count_nonzero(oor[j])) if j in oor else 0
    if oor:
        cols = sorted(oor)
        parts = []
        for j in cols:
            vals = sorted(pd.unique(Xm[oor[j], j]))[:6]
            rows = [int(i) for i in np.flatnonzero(oor[j])[:5]]
            parts.append(f"{variables[j]} (scale {lo[j]:g}-{hi[j]:g}): values {[float(v) for v in vals]} at rows {rows}")
        # a column mostly outside its scale (a 0/1 answer under a 1-10 scale) has the wrong scale:
        # treating its answers as missing would delete them, so point to the scale instead (in both modes)
        wrong = []
        for j in cols:
            answered = Xm[~np.isnan(Xm[:, j]), j]
            if oor[j].sum() > 0.5 * answered.size or set(np.unique(answered).tolist()) <= {0.0, 1.0}:
                wrong.append(variables[j])
        if wrong:
            raise DataError(
                "answers outside the item's scale: " + "; ".join(parts)
                + f". {', '.join(wrong)}: most answers lie outside the declared scale, so the scale is wrong, not "
                "the answers (treating them as missing would delete them). Declare the item's scale: min/max of "
                "the item in the TOML model, parse_lavaan(..., scales={'" + wrong[0] + "': (0, 1)}) or a line "
                "'# scale: " + wrong[0] + " 0 1' in lavaan text; for ACSI's yes/no complaint question use "
                "load_model('acsi', complaint='yes_no')"
            )
        if out_of_range == "error":
            raise DataError(
                "answers outside the item's scale: " + "; ".join(parts)
                + ". Fix the data, declare these values as missing codes (missing_codes=...), "
                "or treat them as missing: out_of_range='missing' (command line: --out-of-range missing)"
            )
    for j, m in oor.items():
        Xm[m, j] = np.nan
        nan_count[j] += int(np.count_nonzero(m))

    # reasons, first applicable wins: 0 = used, k = DROP_REASONS[k - 1]
    reason = np.zeros(n, dtype=np.int8)
    code = {r: np.int8(k + 1) for k, r in enumerate(DROP_REASONS)}
    unit_ids = None
    if groups:
        unit_ids, first_rows, labels = _unit_ids(df, groups, arrays)
        miss_unit = np.zeros(n, dtype=bool)
        for g in groups:
            col = arrays[g]
            codes, uniq, complete = labels[g]
            if not complete:
                miss_unit |= np.asarray(pd.isna(col), dtype=bool)
            if col.dtype == object or isinstance(col.dtype, pd.StringDtype):  # pandas 3's "str" as well as "string"
                # a blank label is a missing unit: tested once per distinct label, not per row
                if any(not isinstance(u, str) or not u.strip() for u in uniq):  # a blank, a hole or a number
                    blank_label = (pd.Series(uniq, dtype=object).astype("string").str.strip().fillna("") == "")
                    blank_label = blank_label.to_numpy(dtype=bool)
                    if blank_label.any():
                        miss_unit |= blank_label[codes]
        reason[miss_unit] = code["missing_unit"]
    if weight:
        wvals = pd.to_numeric(df[weight], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad_w = ~(wvals > 0) | ~np.isfinite(wvals)
        reason[bad_w & (reason == 0)] = code["invalid_weight"]
    else:
        wvals = None
    holed = np.flatnonzero(nan_count)  # the columns with a hole
    if missing == "listwise":
        if oor:
            reason[np.logical_or.reduce([oor[j] for j in sorted(oor)]) & (reason == 0)] = code["out_of_range"]
        if holed.size:  # the rows with a hole in any of these columns, OR-ed column by column (contiguous)
            hole = np.isnan(Xm[:, holed[0]])
            for j in holed[1:]:
                hole |= np.isnan(Xm[:, j])
            reason[hole & (reason == 0)] = code["missing_items"]
    elif holed.size == p:  # fiml: out-of-range answers are holes; drop only rows with no answer at all
        reason[np.isnan(Xm).all(axis=1) & (reason == 0)] = code["missing_items"]

    # accounting: every row counted once, under its reason, per unit
    names = ["rows_used"] + [f"dropped_{r}" for r in DROP_REASONS]
    if groups:
        m = len(first_rows)
        tally = np.bincount(unit_ids * len(names) + reason, minlength=m * len(names)).reshape(m, len(names))
        # one row per distinct unit (first rows), grouped as every row would be: the same keys and order
        keys = {}
        texts = True  # every label a text: the columns are the str columns pandas infers (built once)
        for g in groups:
            col = arrays[g]
            if len(first_rows) <= 8:  # a few units: their labels cell by cell (a take makes an array first)
                label = np.array([None] * len(first_rows), dtype=object)
                label[:] = [col[i] for i in first_rows.tolist()]
            else:
                label = np.asarray(col.take(first_rows), dtype=object)
            label[pd.isna(label)] = "<missing>"
            texts = texts and all(type(v) is str for v in label)
            keys[g] = label
        if texts:
            keys = {g: text(label.tolist()) for g, label in keys.items()}
        counts = {"rows_read": tally.sum(axis=1).astype(np.int64),
                  **{c: tally[:, k].astype(np.int64) for k, c in enumerate(names)}}
        # text labels and counts need no inference (acsi.frames.table); other labels are inferred
        acc = table({**keys, **counts}) if texts else pd.DataFrame({**keys, **counts})
        inferred = texts or all(dt != object for dt in acc.dtypes.iloc[:len(groups)])  # text, dates: not inferred again
        if len(acc) == 1 and inferred:
            accounting = acc  # one unit: what the grouping below gives (labels other than text are inferred there)
        elif inferred and not acc.duplicated(groups).any():
            accounting = acc.sort_values(groups, kind="stable", ignore_index=True)  # one row per unit already
        else:  # mixed labels (numbers with <missing>), or two rows for one label: pandas' grouping
            accounting = acc.groupby(groups, sort=True, dropna=False).sum().reset_index()
    else:
        tally = np.bincount(reason, minlength=len(names))
        accounting = pd.DataFrame(np.r_[n, tally].astype(np.int64)[None, :], columns=["rows_read", *names])
    used = reason == 0
    every = bool(used.all())
    rows_used = np.arange(n) if every else np.flatnonzero(used)
    # column-major like pandas' own block (one variable's answers contiguous): the layout a fit reads
    # the frame in, so that the same rows give the same bits whichever way they reach the estimator
    if not every:  # column by column: each a contiguous gather (np.take along the rows of the whole
        # column-major matrix strides across the columns for every row: 4x slower at 400,000 rows)
        kept = np.empty((rows_used.size, p), order="F")
        for j in range(p):
            np.take(Xm[:, j], rows_used, out=kept[:, j])
        Xm = kept
    # the label columns first, with their dtypes, cut to the rows used, then the matrix (this function's
    # own: not copied); a copy of an Arrow column shares its data, hence its codes (acsi.frames.factorize)
    data = labelled_matrix({c: _array(arrays[c]).copy() if every else _array(arrays[c]).take(rows_used)
                            for c in groups + carry}, Xm, variables)
    for c in extra_cov:
        data[c] = df[c].to_numpy()[rows_used]
    weights_used = np.ones(rows_used.size) if wvals is None else wvals[rows_used].astype(float, copy=True)
    weights_used.flags.writeable = False
    rows_used.flags.writeable = False
    if n != int(tally.sum()):  # pragma: no cover - internal invariant
        raise RuntimeError("data accounting lost rows")
    # one column per count, in order of first appearance; a code counted for some items only is 0 for
    # the others (as floats, as pandas' fillna(0) of the rows as records gives)
    heads = list(dict.fromkeys(k for row in item_rows for k in row))
    item_missing = table({"item": text(variables), **{  # the str column a list of names gives
        h: np.array([row[h] for row in item_rows], dtype=np.int64) if all(h in row for row in item_rows)
        else np.array([row.get(h, 0) for row in item_rows], dtype=float) for h in heads[1:]}})
    answers = Xm.view()
    answers.flags.writeable = False
    return PreparedData(data=data, accounting=accounting, item_missing=item_missing, groups=groups, carry=carry,
                        weights=weights_used, rows=rows_used, variables=tuple(variables),
                        covariates=tuple(covariates), answers=answers)
