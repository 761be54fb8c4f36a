"""AHP against Saaty's published examples (tests/reference/methods_ahp).

Sources: Saaty, T. L. (1990), How to make a decision: the analytic hierarchy process,
EJOR 48, 9-26 (house-purchase criteria: weights, lambda_max 9.669, CI 0.238, CR 0.169);
Saaty, T. L. (1977), J. Math. Psych. 15, 234-281 (light intensity, lambda_max 4.39).
"""
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from acsi.errors import ConsistencyWarning, MethodError
from acsi.methods import RANDOM_INDEX, ahp, random_index

REF = Path(__file__).resolve().parents[1] / "reference" / "methods_ahp"
EXP = json.loads((REF / "expected.json").read_text())


def load(name):
    return pd.read_csv(REF / f"{name}.csv", index_col=0)


def test_house_matches_saaty_1990_published():
    with pytest.warns(ConsistencyWarning, match=r"CR = 0\.169"):
        res = ahp(load("house"))
    pub = EXP["published"]["house"]
    np.testing.assert_allclose(res.weights.to_numpy(), pub["weights"], atol=5e-4)
    assert res.lambda_max == pytest.approx(pub["lambda_max"], abs=5e-4)
    assert res.ci == pytest.approx(pub["ci"], abs=5e-4)
    assert res.cr == pytest.approx(pub["cr"], abs=5e-4)
    assert not res.consistent
    assert list(res.weights.index) == EXP["house"]["items"]


@pytest.mark.parametrize("case", ["house", "light", "consistent"])
def test_against_power_iteration(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConsistencyWarning)
        res = ahp(load(case))
    exp = EXP[case]
    np.testing.assert_allclose(res.weights.to_numpy(), exp["weights"], rtol=1e-9)
    assert res.lambda_max == pytest.approx(exp["lambda_max"], rel=1e-9)
    assert res.ci == pytest.approx(exp["ci"], rel=1e-7, abs=1e-12)
    assert res.cr == pytest.approx(exp["cr"], rel=1e-7, abs=1e-12)
    assert res.weights.sum() == pytest.approx(1.0, abs=1e-12)


def test_light_lambda_published():
    res = ahp(load("light"), warn=False)
    assert res.lambda_max == pytest.approx(EXP["published"]["light"]["lambda_max"], abs=5e-3)
    assert res.weights.is_monotonic_decreasing


def test_consistent_matrix_no_warning_and_exact():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConsistencyWarning)
        res = ahp(load("consistent"))
    np.testing.assert_allclose(res.weights.to_numpy(), [0.5, 0.3, 0.2], atol=1e-12)
    assert res.cr == pytest.approx(0.0, abs=1e-12)
    assert res.consistent
    s = res.summary()
    assert s["n"] == 3 and s["ri"] == 0.58
    t = res.table()
    assert t["rank"].tolist() == [1, 2, 3]


def test_small_matrices_cr_zero():
    r1 = ahp([[1.0]])
    assert r1.weights.tolist() == [1.0] and r1.cr == 0.0
    r2 = ahp(np.array([[1, 3], [1 / 3, 1]]))
    np.testing.assert_allclose(r2.weights.to_numpy(), [0.75, 0.25], atol=1e-12)
    assert (r2.lambda_max, r2.ci, r2.cr) == (2.0, 0.0, 0.0)


def test_random_index_table():
    assert len(RANDOM_INDEX) == 15
    assert random_index(9) == 1.45 and random_index(15) == 1.59
    with pytest.raises(MethodError, match="1 to 15"):
        random_index(16)


def test_warn_false_silences():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConsistencyWarning)
        res = ahp(load("house"), warn=False)
    assert res.cr >= 0.1 and not res.consistent  # inconsistent, yet no warning was raised


def test_reciprocal_within_tolerance():
    m = [[1, 3, 0.2], [0.33, 1, 0.14], [5, 7, 1]]
    assert ahp(m, warn=False).n == 3  # 2-decimal reciprocals pass the default rtol=5e-2
    with pytest.raises(MethodError, match=r"not reciprocal.*\('c1', 'c2', 3\.0, 0\.33\), \('c2', 'c3', 0\.14, 7\.0\)"):
        ahp(m, rtol=1e-3)


def test_input_not_mutated():
    m = load("consistent")
    before = m.copy()
    ahp(m)
    pd.testing.assert_frame_equal(m, before)


@pytest.mark.parametrize("matrix, pattern", [
    ([[1, 2, 3], [0.5, 1, 2]], "must be square"),
    (np.empty((0, 0)), "empty"),
    ([[1, 2], [0.3, 1]], r"not reciprocal.*\('c1', 'c2', 2\.0, 0\.3\)"),
    ([[1, -2], [-0.5, 1]], "must be positive"),
    ([[2, 2], [0.5, 2]], "diagonal must be 1"),
    ([[1, np.nan], [1, 1]], "missing or infinite"),
    ([1, 2, 3], "2-dimensional"),
    (np.ones((16, 16)), "n <= 15"),
])
def test_invalid_matrices(matrix, pattern):
    with pytest.raises(MethodError, match=pattern):
        ahp(matrix)


def test_dataframe_labels_must_match():
    m = pd.DataFrame([[1, 2], [0.5, 1]], index=["a", "b"], columns=["b", "a"])
    with pytest.raises(MethodError, match="row labels"):
        ahp(m)
