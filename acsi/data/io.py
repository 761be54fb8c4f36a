"""Reading survey files: CSV, Parquet, Excel, SPSS (.sav) and Stata (.dta).

SPSS and Stata files are read through pyreadstat (optional extra
``pip install acsi[spss]``).  Their value labels are used to find missing-value
codes: a code whose label reads like "don't know", "refused", "no answer" or
"not applicable" is recorded in ``df.attrs["missing_codes"]`` (column -> codes),
together with SPSS user-defined missing values, and :func:`acsi.data.prepare_survey`
turns them into missing values.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..tables import read_file

__all__ = ["read_survey", "read_table", "MISSING_LABEL_PATTERN"]

MISSING_LABEL_PATTERN = re.compile(
    r"(don'?t\s*know|do\s*not\s*know|dk\b|refus|no\s*answer|not\s*applicable|n/?a\b|can'?t\s*answer|"
    r"cannot\s*answer|missing|不知道|拒[絕绝]|無法回答|无法回答|不適用|不适用)",
    re.IGNORECASE,
)


def read_table(path: str | Path, *, text_columns=(), sheet: str | int = 0, sep: str | None = None,
               decimal: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read any input table: CSV/TSV (optionally compressed), Parquet, Excel, SPSS (.sav) or Stata (.dta).

    The one file reader of acsi (:func:`acsi.tables.read_file` plus SPSS and Stata through
    pyreadstat).  ``text_columns`` are read as text from CSV (the period ``2008`` stays
    ``"2008"``).  SPSS/Stata files get ``attrs["missing_codes"]`` (column -> codes whose
    value labels mark missing answers, and SPSS user-defined missing values) and
    ``attrs["scales"]`` (column -> (smallest, largest) labelled answer that is not a missing code).
    ``sep``, ``decimal`` and ``encoding`` are for text files; by default they are detected where
    unambiguous and recorded in ``attrs["read_as"]`` (:func:`acsi.tables.read_file`).

    Raises
    ------
    InputFileError
        The file does not exist.
    DataError
        Unknown extension, or a file that cannot be parsed.
    """
    return read_file(path, text_columns=text_columns, sheet=sheet, sep=sep, decimal=decimal, encoding=encoding,
                     readers={".sav": _read_stats_file, ".zsav": _read_stats_file, ".dta": _read_stats_file})


def read_survey(path: str | Path, *, sheet: str | int | None = 0, item_map: dict[str, str] | None = None,
                sep: str | None = None, decimal: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read a respondent-level survey table (see :func:`read_table` for the formats).

    Parameters
    ----------
    path : str or Path
        ``.csv`` (optionally compressed, e.g. ``.csv.gz``), ``.parquet``,
        ``.xlsx``/``.xls``, ``.sav`` or ``.dta``.
    sheet : str or int
        Excel sheet.
    item_map : dict, optional
        ``{column_in_file: item_id}`` renames columns after reading.
    sep, decimal, encoding : str, optional
        For text files: the column separator, the decimal mark and the text encoding; by default
        detected where unambiguous (``,``/``;``/tab/``|``; ``5,5`` decimals; UTF-8), else an error
        says which to give.  What was used is in ``attrs["read_as"]``.

    Returns
    -------
    DataFrame
        With ``attrs["missing_codes"]`` (dict column -> list of codes) for
        SPSS/Stata files whose value labels mark missing answers.
    """
    p = Path(path)
    df = read_table(p, sheet=sheet, sep=sep, decimal=decimal, encoding=encoding)
    codes = dict(df.attrs.get("missing_codes") or {})
    if item_map:
        absent = [c for c in item_map if c not in df.columns]
        if absent:
            raise DataError(f"item_map names columns not in {p.name}: {absent}; columns are {list(df.columns)}")
        df = df.rename(columns=item_map)
        codes = {item_map.get(k, k): v for k, v in codes.items()}
        scales = {item_map.get(k, k): v for k, v in (df.attrs.get("scales") or {}).items()}
        df.attrs["scales"] = scales
    df.attrs["missing_codes"] = codes
    df.attrs["source"] = str(p)
    return df


def _read_stats_file(p: Path) -> pd.DataFrame:
    try:
        import pyreadstat
    except ImportError:
        raise ImportError(
            f"reading {p.suffix} files needs pyreadstat: install it with  pip install 'acsi[spss]'"
        ) from None
    if p.suffix.lower() == ".dta":
        df, meta = pyreadstat.read_dta(str(p), apply_value_formats=False, user_missing=False)
    else:
        df, meta = pyreadstat.read_sav(str(p), apply_value_formats=False, user_missing=True)
    codes: dict[str, set[float]] = {}
    for col, labels in (meta.variable_value_labels or {}).items():
        for value, label in labels.items():
            if MISSING_LABEL_PATTERN.search(str(label)):
                codes.setdefault(col, set()).add(float(value))
    for col, ranges in (getattr(meta, "missing_ranges", None) or {}).items():
        for r in ranges:
            lo, hi = r.get("lo"), r.get("hi")
            if lo is not None and lo == hi:
                codes.setdefault(col, set()).add(float(lo))
    df.attrs["missing_codes"] = {k: sorted(v) for k, v in codes.items()}
    # a variable's scale from its labelled answers (the smallest and largest that are not missing
    # codes; at least two), for observed variables the model gives no scale (a 0/1 complaint)
    scales = {}
    for col, labels in (meta.variable_value_labels or {}).items():
        answers = sorted(float(v) for v in labels if float(v) not in codes.get(col, set()))
        if len(answers) >= 2:
            scales[col] = (answers[0], answers[-1])
    df.attrs["scales"] = scales
    return df
