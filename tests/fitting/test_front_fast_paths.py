"""The fast paths of the front of acsi.fit (issue 17) give what the general paths give.

* :func:`acsi.frames.factorize` (codes shared per Arrow column) equals ``pd.factorize``;
* the input hash of text columns from those codes equals pandas' hash;
* :func:`acsi.data.periods.periods_unchanged` says True only when ``canonical_periods`` gives the
  labels back, so keeping the column is the same as rebuilding it;
* one unit holding every row (no grouping) is fitted as the same unit beside a second one;
* the model's columns read as one block equal them read one by one; numbered ids skip the
  duplicate check only when no id repeats.
"""

import gc
import warnings

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi import frames
from acsi.data import prepare_survey
from acsi.data.periods import canonical_periods, periods_unchanged
from acsi.errors import DataWarning
from acsi.fitting import _carry_consistent, _only_unit
from acsi.frames import column_arrays
from acsi.provenance import _ROWS, _row_hashes, hash_tables
from acsi.simulate import simulate_survey

TEXT_COLUMNS = {
    "str": pd.Series(["b", "a", None, "b", "", "c"] * 7, dtype="str"),
    "string[pyarrow]": pd.Series(["b", "a", None, "b", "", "c"] * 7, dtype="string[pyarrow]"),
    "one label": pd.Series(["x"] * 40, dtype="str"),
    "all missing": pd.Series([None] * 9, dtype="str"),
    "object": pd.Series(np.array(["b", "a", None, "b"], dtype=object), dtype=object),
    "numbers": pd.Series([3, 1, 3, 2]),
}


@pytest.mark.parametrize("name", sorted(TEXT_COLUMNS))
def test_the_shared_codes_are_pandas_factorize(name):
    s = TEXT_COLUMNS[name]
    codes, uniques = frames.factorize(s)
    want_codes, want_uniques = pd.factorize(s, use_na_sentinel=True)
    np.testing.assert_array_equal(codes, want_codes)
    assert list(uniques) == list(want_uniques)
    again, _ = frames.factorize(s.copy())
    np.testing.assert_array_equal(again, want_codes)


def test_codes_are_kept_per_arrow_data_read_only_and_renewed_when_the_column_changes():
    s = pd.Series(["b", "a", "b"] * 5, dtype="str")
    codes, _ = frames.factorize(s)
    assert frames.factorize(s)[0] is codes  # kept
    assert frames.factorize(s.array.copy())[0] is codes  # a copy shares the Arrow data
    with pytest.raises(ValueError):
        codes[0] = 5  # shared: read-only
    s.iloc[0] = "z"  # a write gives new Arrow data, hence new codes
    codes2, uniques2 = frames.factorize(s)
    assert list(uniques2) == ["z", "a", "b"] and codes2.tolist()[:3] == [0, 1, 2]
    frame = pd.DataFrame({"c": pd.array(["q", "r"] * 3, dtype="str")})
    frames.factorize(frame["c"])
    key = id(frame["c"].array._pa_array)
    assert key in frames._CODES
    del frame
    gc.collect()
    assert key not in frames._CODES  # the entry went with its data


@pytest.mark.parametrize("name", sorted(TEXT_COLUMNS))
def test_text_columns_hash_as_pandas_hashes_them(name):
    s = TEXT_COLUMNS[name]
    df = pd.DataFrame({"t": s, "x": np.arange(len(s), dtype=float), "u": s})
    np.testing.assert_array_equal(_row_hashes(df), pd.util.hash_pandas_object(df, index=False).to_numpy())


def test_rows_in_pieces_and_runs_of_columns_hash_as_pandas():
    rng = np.random.default_rng(3)
    n = 2 * _ROWS + 5
    df = pd.DataFrame({"id": np.arange(n), "period": pd.array(["2025Q1"] * n, dtype="str"),
                       "company": pd.array(rng.choice(["a", "b"], n), dtype="str"), "w": rng.random(n)})
    for j in range(12):  # a run of twelve int columns, more cells per piece than one call hashes
        df[f"q{j}"] = rng.integers(1, 11, n)
    df["f"] = rng.random(n).astype(np.float32)
    df["last"] = rng.integers(0, 3, n)
    for frame in (df, df.iloc[:_ROWS], df.iloc[:3], df[["q0"]], df[["w", "q0", "q1", "f"]]):
        np.testing.assert_array_equal(_row_hashes(frame), pd.util.hash_pandas_object(frame, index=False).to_numpy())


PERIOD_COLUMNS = [
    (["2024Q1", "2024Q2"] * 40, True),
    (["2024"] * 80, True),
    (["2024-03", "2024-04"] * 40, True),
    (["wave 1", "wave 2"] * 40, True),  # labels_only: no period, kept as read
    (["2024 Q1", "2024Q1"] * 40, False),  # another spelling: rebuilt
    (["2024q1"] * 80, False),
    (["2024Q1", None] * 40, False),  # a hole
    (["2024Q1", ""] * 40, False),  # a blank
    (["2024Q1", "2024"] * 40, False),  # mixed frequencies: an error, raised by the full reading
    (["2024Q1", "wave 1"] * 40, False),
    (["2024Q1", "2024Q2"], True),  # a short column
]


@pytest.mark.parametrize("values, kept", PERIOD_COLUMNS)
def test_a_period_column_is_kept_only_when_its_canonical_labels_are_its_own(values, kept):
    s = pd.Series(values, dtype="str", name="period")
    assert periods_unchanged(s, table="survey", labels_only=True) is kept
    if kept:
        lab, _ = canonical_periods(s, table="survey", labels_only=True)
        assert lab.astype(object).tolist() == s.astype(object).tolist()
    assert not periods_unchanged(s.astype(object), table="survey", labels_only=True)  # object columns: rebuilt


@pytest.fixture(scope="module")
def one_company():
    spec = acsi.load_model("acsi")
    return spec, simulate_survey(spec, units=1, n_per_unit=300, periods=1, seed=4, missing_code_rate=0.02)


def _unit_rows(table: pd.DataFrame, company: str) -> pd.DataFrame:
    return table[table["company"] == company].reset_index(drop=True)


@pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")
@pytest.mark.parametrize("weight", [None, "weight"])
def test_one_unit_without_grouping_is_the_same_unit_fitted_beside_another(one_company, weight):
    spec, data = one_company
    name = data["company"].iloc[0]
    other = data.assign(company=pd.array(["zz_other"] * len(data), dtype="str"),
                        respondent_id=data["respondent_id"] + len(data))
    alone = acsi.fit(data, spec, unit="company", weight=weight, progress=False)
    beside = acsi.fit(pd.concat([data, other], ignore_index=True), spec, unit="company", weight=weight,
                      progress=False)
    assert len(alone.indexes) == 1 and len(beside.indexes) == 2
    compared = 0
    for stem, table in alone.tables().items():
        if "company" in table.columns and stem != "units" and len(table):  # units: times of the fits
            pd.testing.assert_frame_equal(table, _unit_rows(beside.tables()[stem], name), check_exact=True, obj=stem)
            compared += 1
    assert compared >= 8


def test_the_only_unit_is_named_as_the_grouping_names_it(one_company):
    _, data = one_company
    for groups in (["company"], ["period", "company"]):
        keys = list(data.groupby(groups, sort=True, dropna=False).indices)
        only = _only_unit(data, groups)
        assert only == (keys[0] if isinstance(keys[0], tuple) else (keys[0],)) and len(keys) == 1
        assert _only_unit(data, groups, dict(zip(data.columns, column_arrays(data)))) == only  # as acsi.fit calls it
    assert _only_unit(pd.concat([data, data.assign(company="x")]), ["company"]) is None
    assert _only_unit(data.assign(company=data["company"].astype(object)), ["company"]) is None  # grouping decides
    assert _only_unit(data.iloc[:0], ["company"]) is None


def test_one_unit_hierarchy_check_agrees_with_pandas():
    frame = pd.DataFrame({"company": pd.array(["a"] * 6, dtype="str"),
                          "industry": pd.array(["air"] * 6, dtype="str"),
                          "sector": pd.array(["t"] * 5 + [None], dtype="str")})
    assert not _carry_consistent(frame, ["company"], ["industry", "sector"])  # a missing sector is a second value
    assert _carry_consistent(frame.iloc[:5], ["company"], ["industry", "sector"])
    assert _carry_consistent(frame.assign(sector=pd.array([None] * 6, dtype="str")), ["company"], ["sector"])


def test_the_model_columns_read_as_one_block_equal_them_read_one_by_one(one_company):
    spec, data = one_company
    items = list(spec.observed_ids)
    shuffled = data[[c for c in data.columns if c not in items] + items[::-1]]  # not adjacent in model order
    as_float = data.astype({items[0]: float})  # one column of another dtype: read one by one
    want = prepare_survey(data, spec, groups=["period", "company"])
    for other in (shuffled, as_float):
        got = prepare_survey(other, spec, groups=["period", "company"])
        pd.testing.assert_frame_equal(got.data, want.data, check_exact=True)
        pd.testing.assert_frame_equal(got.accounting, want.accounting, check_exact=True)
        pd.testing.assert_frame_equal(got.item_missing, want.item_missing, check_exact=True)


def test_numbered_ids_skip_only_a_check_that_cannot_fail(one_company):
    spec, data = one_company
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        prepare_survey(data, spec, groups=["company"])  # 1, 2, 3...: no warning
    for ids in ([5, 6, 6, 7], [3, 1, 2, 3], [1.0, np.nan, 2.0, 2.0]):
        twice = data.iloc[:4].assign(respondent_id=ids)
        with pytest.warns(DataWarning, match="respondent_id"):
            prepare_survey(pd.concat([twice, data.iloc[4:]]), spec, groups=["company"])


def test_a_kept_period_column_gives_the_fit_a_rebuilt_one_gives(one_company):
    spec, data = one_company
    kept = acsi.fit(data, spec, unit="company", progress=False)
    rebuilt = acsi.fit(data.assign(period=data["period"].astype(object)), spec, unit="company", progress=False)
    assert kept.provenance["input_sha256_16"] == rebuilt.provenance["input_sha256_16"] == hash_tables(
        data.assign(period=canonical_periods(data["period"], labels_only=True)[0]))
    for stem, table in kept.tables().items():
        if stem != "units":
            pd.testing.assert_frame_equal(table, rebuilt.tables()[stem], check_exact=True, obj=stem)
    pd.testing.assert_frame_equal(kept.prepared.data, rebuilt.prepared.data, check_exact=True)


def test_columns_named_twice_or_by_tuples_hash_as_pandas():
    df = pd.DataFrame([["a", 1, 2.5, "b"], ["c", 3, np.nan, None]], columns=["x", "x", "y", "x"]).astype({"y": float})
    multi = df.set_axis(pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1), ("b", 2)]), axis=1)
    for frame in (df, multi):
        np.testing.assert_array_equal(_row_hashes(frame), pd.util.hash_pandas_object(frame, index=False).to_numpy())
