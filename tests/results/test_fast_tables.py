"""The fast builds of a fit's tables (acsi.results, issue 17: arrays straight into one frame, the
hierarchy columns by a take of each unit's first row, one unit's table used as it is) must give
the general builds' tables bit for bit: every table of ``fit.tables()`` is compared with the one
built with the fast paths switched off (``acsi.results._FAST = False``), on fits that take each
path and each way out of it (one unit, several units and periods, workers, integer keys, no
hierarchy, categorical / integer / missing hierarchy values, a failed unit, a unit whose every
row was dropped, a pooled-only fit, PLS)."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi import results as R
from acsi.frames import arrays_table, column_arrays, table
from acsi.simulate import simulate_survey
from conftest import two_period_survey

pytestmark = pytest.mark.filterwarnings("ignore::acsi.ConvergenceWarning")


def _general(fit):
    """Every table of ``fit`` built again by the general builds (a fresh record, fast paths off)."""
    fresh = dataclasses.replace(fit, _tables={})
    old = R._FAST
    R._FAST = False
    try:
        return fresh.tables()
    finally:
        R._FAST = old


def _assert_same_tables(fit, fast_path=True):
    """The fast and general builds give the same tables; ``fast_path``: the fast builds of the
    unit tables apply to this fit (False: they hand it to the general builds)."""
    assert (R._latent_columns(fit) is not None) is fast_path
    assert (R._unit_columns(fit) is not None) is fast_path
    fast = dataclasses.replace(fit, _tables={}).tables()
    general = _general(fit)
    assert list(fast) == list(general)
    for name in general:
        pd.testing.assert_frame_equal(fast[name], general[name], check_exact=True, obj=name)
    return fast


def _one_unit(**kw):
    spec = acsi.load_model("acsi")
    d = simulate_survey(spec, units=1, n_per_unit=250, periods=1, seed=1, missing_code_rate=0.0)
    return acsi.fit(d, spec, unit="company", progress=False, **kw), d


def test_one_unit_tables_equal_the_general_build():
    fit, _ = _one_unit()
    tables = _assert_same_tables(fit)
    assert list(tables["company_indexes"].columns[:4]) == ["period", "company", "industry", "sector"]
    assert len(tables["company_indexes"]) == 1 and tables["company_indexes"]["industry"].notna().all()


def test_one_unit_pls_tables_equal_the_general_build():
    fit, _ = _one_unit(estimator="pls")
    _assert_same_tables(fit)


@pytest.fixture(scope="module")
def survey():
    return two_period_survey(n=120)


@pytest.mark.parametrize("keys", ["text", "integer"])
def test_units_and_periods_with_a_failed_unit(survey, keys):
    s = survey.copy()
    if keys == "integer":
        s["company"] = s["company"].map({"A": 1, "B": 2, "C": 3, "Tiny": 4}).astype(int)
    fit = acsi.fit(s, "acsi", unit="company", progress=False)
    assert (fit.units["status"] == "failed").sum() == 1
    _assert_same_tables(fit)


def test_units_fitted_on_workers(survey, monkeypatch):
    import acsi.fitting

    monkeypatch.setattr(acsi.fitting, "MIN_UNITS_PER_WORKER", 1)  # workers even for a few units
    monkeypatch.setattr(acsi.fitting, "MIN_UNITS_PER_FRESH_WORKER", 1)
    fit = acsi.fit(survey, "acsi", unit="company", progress=False, n_jobs=2)
    assert any(type(object.__getattribute__(o, "estimates")).__name__ == "_Rows" for o in fit.outcomes)
    _assert_same_tables(fit)


@pytest.mark.parametrize("kind", ["categorical", "integer", "missing", "none"])
def test_hierarchy_columns_of_other_kinds(survey, kind):
    s = survey.copy()
    if kind == "categorical":
        s["industry"] = s["industry"].astype("category")
    elif kind == "integer":
        s["sector"] = s["sector"].map({"Transportation": 1, "Accommodation": 2}).astype(int)
    elif kind == "missing":  # one company without an industry
        s.loc[s["company"] == "B", "industry"] = np.nan
    else:
        s = s.drop(columns=["industry", "sector"])
    fit = acsi.fit(s, "acsi", unit="company", progress=False)
    tables = _assert_same_tables(fit)
    if kind == "missing":
        idx = tables["company_indexes"]
        assert idx.loc[idx["company"] == "B", "industry"].isna().all()
        assert idx.loc[idx["company"] == "A", "industry"].notna().all()


def test_a_unit_without_rows_in_the_data_takes_the_merge(survey):
    s = survey.copy()
    s.loc[s["company"] == "B", "cs1"] = np.nan  # every row of B dropped (listwise): B is in no data row
    fit = acsi.fit(s, "acsi", unit="company", progress=False)
    assert "B" in set(fit.units["company"]) and "B" not in set(fit.prepared.data["company"])
    assert R._carry_columns(fit, fit.outcomes, [1] * len(fit.outcomes)) is None
    _assert_same_tables(fit, fast_path=False)


def test_a_fit_without_units():
    spec = acsi.load_model("acsi")
    d = simulate_survey(spec, units=2, n_per_unit=150, periods=1, seed=2, missing_code_rate=0.0)
    fit = acsi.fit(d, spec, unit=None, progress=False)
    _assert_same_tables(fit, fast_path=False)  # no units: the pooled fit's tables (scores: every row)


def test_carry_columns_take_each_units_first_row(survey):
    fit = acsi.fit(survey, "acsi", unit="company", progress=False)
    lengths = [2] * len(fit.outcomes)
    got = R._carry_columns(fit, fit.outcomes, lengths)
    want = fit.prepared.data.groupby(list(fit.groups), sort=False, dropna=False)[list(fit.carry)].first()
    for c in fit.carry:
        expect = [want.loc[o.key, c] for o in fit.outcomes if o.key in want.index for _ in range(2)]
        assert list(got[c]) == expect


def test_the_records_tables_stay_unchanged_by_the_copies():
    fit, _ = _one_unit()
    a = fit.indexes
    a.loc[0, "index"] = -999.0
    a["status"] = "changed"
    assert fit.indexes.loc[0, "index"] != -999.0 and (fit.indexes["status"] != "changed").all()
    t = fit.tables()
    t["estimates"]["est"] *= 0
    assert fit.estimates["est"].abs().sum() > 0


def test_arrays_table_equals_table_and_owns_its_columns():
    cols = {"a": pd.array(["x", "y"], dtype="str"), "b": np.array([1.0, 2.0]), "c": np.array([1, 2]),
            "d": np.array([True, False]), "e": pd.Categorical(["u", "v"])}
    got = arrays_table(cols)
    pd.testing.assert_frame_equal(got, table(cols), check_exact=True)
    got.iloc[0, 1] = 9.0
    assert cols["b"][0] == 1.0
    mixed = {"o": np.array(["p", None], dtype=object), "b": np.array([1.0, 2.0])}  # needs pandas' conversion
    pd.testing.assert_frame_equal(arrays_table(mixed), table(mixed), check_exact=True)
    frame = pd.DataFrame({"x": [1.0], "y": ["t"]})
    assert [list(a) for a in column_arrays(frame)] == [[1.0], ["t"]]
