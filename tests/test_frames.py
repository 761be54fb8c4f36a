"""acsi.frames: cached labels and text columns give the tables lists would, and stay unchanged."""

import numpy as np
import pandas as pd
import pytest

from acsi.frames import labels, nan_mask, text


def test_text_column_is_what_pandas_infers_from_a_list():
    values = ["CE", "PQ", "", "CS"]
    built = pd.DataFrame({"latent": text(values), "x": np.arange(4.0)})
    inferred = pd.DataFrame({"latent": values, "x": np.arange(4.0)})
    pd.testing.assert_frame_equal(built, inferred, check_exact=True)
    assert built["latent"].dtype == inferred["latent"].dtype


def test_changing_a_table_never_changes_the_cached_column():
    values = ("a", "b", "c")
    df = pd.DataFrame({"c": text(values)})
    df.loc[0, "c"] = "changed"
    assert list(text(values)) == ["a", "b", "c"]
    assert text(values) is text(list(values))  # one column per distinct tuple


def test_labels_are_views_of_one_shared_index_equal_to_a_new_one():
    names = ["ce1", "ce2", "pq1"]
    a, b = labels(names), labels(tuple(names))
    assert a is not b and a.array._pa_array is b.array._pa_array  # the values built once, each call its own view
    pd.testing.assert_index_equal(a, pd.Index(names))
    a.name = "renamed"
    assert b.name is None and labels(names).name is None
    frame = pd.DataFrame(np.eye(3), index=labels(names), columns=labels(names))
    frame.index = ["x", "y", "z"]  # relabelling a frame builds a new index
    assert list(labels(names)) == names


def _by_inserts(columns, matrix, names):
    frame = pd.DataFrame(matrix, columns=list(names))
    for k, (name, values) in enumerate(columns.items()):
        frame.insert(k, name, values)
    return frame


@pytest.mark.parametrize("n", [0, 1, 7])
def test_a_labelled_matrix_is_the_frame_inserts_give(n):
    from acsi.frames import labelled_matrix

    rng = np.random.default_rng(n)
    matrix = np.asfortranarray(rng.normal(size=(n, 3)))
    arrow = {"period": pd.array(["2025Q1"] * n, dtype="str"), "company": pd.array(rng.choice(["a", "b"], n), dtype="str"),
             "sector": pd.array([None] * n, dtype="string[pyarrow]")}
    mixed = {"period": pd.array(np.array(["2025Q1"] * n, dtype=object)), "company": pd.array(["x"] * n, dtype="str")}
    for columns in (arrow, mixed, {}):
        got = labelled_matrix({k: v.copy() for k, v in columns.items()}, matrix, ["cs1", "cs2", "cs3"])
        pd.testing.assert_frame_equal(got, _by_inserts(columns, matrix, ["cs1", "cs2", "cs3"]), check_exact=True)
        if n:  # the matrix is the frame's block, not a copy of it
            assert np.shares_memory(got.iloc[:, len(columns):].to_numpy(), matrix)


def test_naming_an_axis_of_one_fits_table_names_no_other_fits():
    """The label indexes are built once and shared (acsi.frames.labels); an axis name set on one
    unit's table must not reach the tables of a later fit (each call gets its own view)."""
    import warnings

    import acsi
    from acsi.simulate import simulate_survey

    spec = acsi.load_model("acsi")
    data = simulate_survey(spec, units=1, n_per_unit=120, periods=1, seed=3, missing_code_rate=0.0)

    def frames(fit):
        o = fit.outcomes[0]
        out = {"estimates": o.estimates, "fit_measures": o.fit_measures, "index": o.index, "scores": o.scores,
               "weights": o.weights, "latents": o.latents}
        out.update({f"extra.{k}": v for k, v in o.extra.items() if isinstance(v, (pd.DataFrame, pd.Series))})
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = acsi.fit(data, spec, unit="company", progress=False)
        for t in frames(first).values():
            t.index.name = "renamed"
            if isinstance(t, pd.DataFrame):
                t.columns.name = "renamed"
        assert labels(["a", "b"]) is not labels(["a", "b"])
        second = acsi.fit(data, spec, unit="company", progress=False)
    leaked = [k for k, t in frames(second).items()
              if t.index.name == "renamed" or (isinstance(t, pd.DataFrame) and t.columns.name == "renamed")]
    assert not leaked


def test_nan_mask_marks_the_holes_and_is_none_for_complete_answers():
    X = np.arange(12.0).reshape(4, 3)
    assert nan_mask(X) is None
    X[2, 1] = np.nan
    np.testing.assert_array_equal(nan_mask(X), np.isnan(X))
    Y = np.array([[np.inf, 1.0], [-np.inf, 2.0]])  # a sum that is NaN without a hole
    assert nan_mask(Y) is None


def _layout(frame):
    return [(str(b.dtype), b.mgr_locs.as_array.tolist()) for b in frame._mgr.blocks]


@pytest.mark.parametrize("n", [0, 1, 6])
def test_a_table_is_the_frame_the_constructor_makes_blocks_included(n):
    """acsi.frames.table builds numpy and text columns from their blocks: the frame pd.DataFrame
    makes of the same dict (values, dtypes, the blocks and their columns), its columns its own."""
    from acsi.frames import table

    rng = np.random.default_rng(n)
    names = text([f"lv{i}" for i in range(n)])
    cases = [
        {"latent": names, "index": rng.normal(size=n), "n": np.arange(n), "se": rng.normal(size=n)},
        {"a": np.arange(n, dtype=np.int8), "b": rng.normal(size=n) > 0, "lhs": names, "c": rng.normal(size=n),
         "rhs": text(["x"] * n), "d": np.arange(n, dtype=np.int64), "e": rng.normal(size=n).astype(np.float32)},
        {"only": rng.normal(size=n)},
        {"when": pd.array(pd.date_range("2025-01-01", periods=n)), "x": np.arange(n)},  # not numbers: the constructor
        {"obj": np.array(["a"] * n, dtype=object), "x": np.arange(n)},
    ]
    for columns in cases:
        got, want = table(columns), pd.DataFrame(columns)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        assert _layout(got) == _layout(want)
        for name, values in columns.items():
            if n and isinstance(values, np.ndarray):
                assert not np.shares_memory(got[name].to_numpy(), values)


def test_a_table_of_unequal_columns_is_refused_as_pandas_refuses_it():
    from acsi.frames import table

    with pytest.raises(ValueError, match="does not match length"):
        table({"a": np.arange(3), "b": np.arange(2.0)})
