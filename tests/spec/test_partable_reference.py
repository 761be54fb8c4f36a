"""The parameter table equals lavaan 0.6-14's ``parTable(sem(...))``, row for row.

Reference tables in ``tests/reference/partable/`` (made by ``make_reference.R`` from the cases
of ``cases.tsv``): every column lavaan has (id, lhs, op, rhs, user, block, group, free, ustart,
exo, label, plabel) must be identical, and the matrix cell (mat, row, col) of every row must
be lavaan's LISREL cell, which the R script checks against ``lavInspect(fit, "free")``.
Exact comparison: these are integers, names and a few fixed values (tolerance 0).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.spec import build_partable, list_models, load_model, parse_lavaan, read_toml

HERE = Path(__file__).resolve().parents[1] / "reference" / "partable"

# lavaan option name -> (acsi option name, converter)
_OPTIONS = {
    "std.lv": "std_lv",
    "meanstructure": "meanstructure",
    "auto.fix.first": "auto_fix_first",
    "auto.fix.single": "auto_fix_single",
    "auto.var": "auto_var",
    "auto.cov.lv.x": "auto_cov_lv_x",
    "auto.cov.y": "auto_cov_y",
    "fixed.x": "fixed_x",
    "int.ov.free": "int_ov_free",
    "int.lv.free": "int_lv_free",
    "group": "groups",
    "group.equal": "group_equal",
    "group.partial": "group_partial",
}
_LISTS = {"groups", "group_equal", "group_partial"}


def _cases() -> list[dict]:
    with open(HERE / "cases.tsv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t")]
    return [r for r in rows if r["case"]]


def _options(text: str) -> dict:
    out = {}
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        key, value = (s.strip() for s in part.split("=", 1))
        name = _OPTIONS[key]
        if name in _LISTS:
            out[name] = [v.strip() for v in value.split(",")]
        elif value in ("TRUE", "FALSE"):
            out[name] = value == "TRUE"
        else:
            raise AssertionError(f"unexpected option value {part!r}")
    return out


CASES = _cases()

# lavaan's notes (a single label in a multigroup model, a predictor made random) are AcsiWarnings,
# tested in test_spec_features.py; here only the tables are compared
pytestmark = pytest.mark.filterwarnings("ignore::acsi.errors.AcsiWarning")


def _expected(case: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    ref = pd.read_csv(HERE / f"{case}.csv", keep_default_na=False, na_values={"ustart": ["NA"]})
    layout = pd.read_csv(HERE / f"{case}_layout.csv", keep_default_na=False)
    return ref, layout


def _check(pt, case: str) -> None:
    ref, layout = _expected(case)
    got = pt.to_frame()
    assert len(got) == len(ref), f"{case}: {len(got)} rows, lavaan has {len(ref)}"
    for col in ("id", "lhs", "op", "rhs", "user", "block", "group", "free", "exo", "label", "plabel"):
        kind = str if col in ("lhs", "op", "rhs", "label", "plabel") else np.int64
        want = np.array([kind(v) for v in ref[col]])
        have = np.array([kind(v) for v in got[col]])
        bad = np.flatnonzero(have != want)
        assert bad.size == 0, f"{case}: column {col} differs at rows {bad[:5] + 1}: {have[bad[:5]]} vs lavaan {want[bad[:5]]}"
    np.testing.assert_array_equal(got["ustart"].to_numpy(), ref["ustart"].to_numpy(dtype=float), err_msg=f"{case}: ustart")
    assert [str(v) for v in got["mat"]] == [str(v) for v in ref["mat"]], f"{case}: mat"
    for col in ("row", "col"):
        np.testing.assert_array_equal(got[col].to_numpy(), ref[col].to_numpy() - 1, err_msg=f"{case}: {col} (0-based)")
    for g, lay in layout.groupby("group"):
        mine = pt.layout(int(g))
        assert list(mine.ov) == lay.loc[lay["dim"] == "ov", "name"].tolist(), f"{case}: observed variables of group {g}"
        assert list(mine.lv) == lay.loc[lay["dim"] == "lv", "name"].tolist(), f"{case}: latents of group {g}"
    assert pt.ngroups == layout["group"].nunique()
    assert pt.npar == int(ref["free"].max())


def _spec_of_text(text: str):
    # the first latent is the headline of models without CS (Political Democracy)
    first = next(ln for ln in text.splitlines() if "=~" in ln and not ln.lstrip().startswith("#"))
    return parse_lavaan(text, headline=None if "CS =~" in text else first.split("=~")[0].strip())


@pytest.mark.parametrize("case", [c["case"] for c in CASES])
def test_table_from_lavaan_text_equals_lavaan(case):
    c = next(c for c in CASES if c["case"] == case)
    spec = _spec_of_text((HERE / c["model"]).read_text(encoding="utf-8"))
    _check(build_partable(spec, **_options(c["options"])), case)


@pytest.mark.parametrize("case", [c["case"] for c in CASES if c["model"][:-4] in list_models()])
def test_table_of_shipped_model_equals_lavaan(case):
    c = next(c for c in CASES if c["case"] == case)
    spec = load_model(c["model"][:-4])
    _check(spec.partable(**_options(c["options"])), case)


def test_every_shipped_model_has_a_reference_case():
    assert set(list_models()) <= {c["case"] for c in CASES}


# model variants written by make_models.py: case -> (shipped model, load_model options)
VARIANTS = {"acsi_yes_no": ("acsi", {"complaint": "yes_no"})}


@pytest.mark.parametrize("case", [c["case"] for c in CASES if c["model"][:-4] in VARIANTS])
def test_table_of_model_variant_equals_lavaan(case):
    c = next(c for c in CASES if c["case"] == case)
    name, options = VARIANTS[c["model"][:-4]]
    _check(load_model(name, **options).partable(**_options(c["options"])), case)


@pytest.mark.parametrize("case", [c["case"] for c in CASES])
def test_lavaan_text_round_trips(case):
    c = next(c for c in CASES if c["case"] == case)
    spec = _spec_of_text((HERE / c["model"]).read_text(encoding="utf-8"))
    again = parse_lavaan(spec.to_lavaan())
    assert again.statements == spec.statements and again == spec
    opts = _options(c["options"])
    assert again.partable(**opts) == spec.partable(**opts)
    back = read_toml(spec.to_toml())  # TOML keeps the statements, in order
    assert back == spec and back.partable(**opts) == spec.partable(**opts)
