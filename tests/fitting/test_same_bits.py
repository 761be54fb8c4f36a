"""The same bits for any number of workers (issue 16): BLAS runs one thread in the main process and in workers.

A multi-threaded BLAS sums in another order than a single-threaded one, so the last bits of
an estimate used to depend on whether a unit was fitted in the main process (two BLAS threads
on a two-core machine) or in a joblib worker (one).  The main process is given two BLAS
threads here on purpose: the tables must still equal those of two workers bit for bit.
"""

import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

import acsi


@pytest.fixture(scope="module")
def survey():
    s = acsi.demo_survey()
    return s.loc[s["period"].isin(sorted(s["period"].unique())[:2]) & s["company"].isin(sorted(s["company"].unique())[:3])]


@pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")
def test_one_and_two_workers_give_the_same_bits(survey):
    with threadpool_limits(limits=2, user_api="blas"):
        one = acsi.fit(survey, "acsi", unit="company", weight="weight", n_jobs=1)
        two = acsi.fit(survey, "acsi", unit="company", weight="weight", n_jobs=2)
    assert len(one.indexes) >= 4
    for name, table in one.tables().items():
        pd.testing.assert_frame_equal(table, two.tables()[name], check_exact=True, obj=name)
