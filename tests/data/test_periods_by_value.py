"""canonical_periods of a long text column reads each distinct value once (acsi.data.periods.
_canonical_by_value): the same labels, dtype, index and frequency as reading every row, and the
same refusal, quoting rows, when a value is not a period."""

import numpy as np
import pandas as pd
import pytest

import acsi.data.periods as P
from acsi.data.periods import canonical_periods
from acsi.errors import DataError

CASES = {
    "quarters": ["2024Q1", "2024 Q2", "2024-q3", None, ""],
    "labels": ["wave 1", "spring", None],
    "years": ["2024", "2025"],
    "months": ["2024-01", "2024-02", None],
    "not all periods": ["2024Q1", "spring"],
    "mixed frequencies": ["2024Q1", "2024"],
    "blank": ["", " ", None],
}


def _row_by_row(s, **kw):
    orig = P._canonical_by_value
    P._canonical_by_value = lambda *a, **k: None
    try:
        return canonical_periods(s, **kw)
    finally:
        P._canonical_by_value = orig


def _outcome(f, s, **kw):
    try:
        return f(s, **kw), None
    except DataError as exc:
        return None, str(exc)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("dtype", [object, "str"])
@pytest.mark.parametrize("labels_only", [True, False])
@pytest.mark.parametrize("freq", [None, "Q"])
def test_by_value_equals_row_by_row(case, dtype, labels_only, freq):
    rng = np.random.default_rng(len(case))
    s = pd.Series(rng.choice(np.array(CASES[case], dtype=object), 600), dtype=dtype, name="period",
                  index=np.arange(600) * 3)
    (a, ea), (b, eb) = _outcome(_row_by_row, s, labels_only=labels_only, freq=freq), \
        _outcome(canonical_periods, s, labels_only=labels_only, freq=freq)
    assert ea == eb
    if a is not None:
        assert a[1] == b[1]
        pd.testing.assert_series_equal(a[0], b[0], check_exact=True)


def test_the_shortcut_is_taken_for_a_long_column_of_few_values():
    s = pd.Series(["2024 Q1"] * 300 + ["2024Q2"] * 300, dtype="str")
    assert P._canonical_by_value(s, table="survey", freq=None, labels_only=True) is not None
    assert P._canonical_by_value(pd.Series([f"{y}Q1" for y in range(1000, 1300)]), table="survey", freq=None,
                                 labels_only=True) is None  # mostly distinct: read row by row


@pytest.mark.parametrize("freq, per_year", [("Q", 4), ("M", 12), ("Y", 1)])
def test_labels_spell_periods_as_pandas_does(freq, per_year):
    ords = np.arange(-970 * per_year, 8030 * per_year)  # the years 1000-9999
    ref = pd.PeriodIndex.from_ordinals(ords, freq=P._PANDAS_FREQ[freq]).astype(str)
    assert (P.labels(ords, freq) == np.asarray(ref, dtype=object)).all()
