"""acsi.fitting._carry_consistent (the integer-code check of the hierarchy) decides as pandas'
grouping does, missing values counting as a value; a violation is still named unit by unit."""

import numpy as np
import pandas as pd
import pytest

from acsi.errors import DataError
from acsi.fitting import _carry_consistent, _check_carry
from acsi.frames import column_arrays


def _by_pandas(frame, groups, carry) -> bool:
    nun = frame.groupby(groups, sort=False, dropna=False)[carry].nunique(dropna=False)
    return not (nun > 1).any(axis=None)


@pytest.mark.parametrize("seed", range(12))
def test_the_code_check_agrees_with_pandas_grouping(seed):
    rng = np.random.default_rng(seed)
    n = 400
    company = rng.choice(np.array(["a", "b", "c", None], dtype=object), n)
    period = rng.choice(np.array(["2024Q1", "2024Q2"], dtype=object), n)
    industry = pd.Series(company).map({"a": "air", "b": "air", "c": "hotel", None: None}).to_numpy(dtype=object)
    if seed % 3 == 1:  # one row moved to another industry: inconsistent
        industry[rng.integers(n)] = "rail"
    if seed % 3 == 2:  # a missing industry in one row of a unit with one otherwise
        industry[np.flatnonzero(company == "a")[0]] = None
    frame = pd.DataFrame({"period": period, "company": company, "industry": industry,
                          "sector": np.where(industry == "hotel", "stay", "move")})
    frame["period"] = frame["period"].astype("str" if seed % 2 else object)
    arrays = dict(zip(frame.columns, column_arrays(frame)))  # the columns as acsi.fit hands them over
    for groups in (["company"], ["period", "company"]):
        want = _by_pandas(frame, groups, ["industry", "sector"])
        assert _carry_consistent(frame, groups, ["industry", "sector"]) == want
        assert _carry_consistent(frame, groups, ["industry", "sector"], arrays) == want


def test_a_unit_under_two_industries_is_named():
    frame = pd.DataFrame({"period": ["2024Q1"] * 4, "company": ["a", "a", "b", "b"],
                          "industry": ["air", "rail", "hotel", "hotel"], "sector": ["t"] * 4})
    assert not _carry_consistent(frame, ["period", "company"], ["industry", "sector"])
    with pytest.raises(DataError, match=r"more than one industry.*\('2024Q1', 'a'\)"):
        _check_carry(frame, ["period", "company"], ["industry", "sector"])
