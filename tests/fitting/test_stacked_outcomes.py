"""Units fitted on workers travel back as one table per kind per chunk
(acsi.pipeline.StackedOutcomes): every table of the fit, and every unit's own record, equals the
serial fit's bit for bit; a record read or pickled is whole."""

import pickle

import numpy as np
import pandas as pd
import pytest

import acsi
import acsi.fitting as fitting
from acsi.pipeline import StackedOutcomes, UnitOutcome, _Rows, stacked_table
from conftest import two_period_survey

pytestmark = pytest.mark.filterwarnings("ignore::acsi.AcsiWarning")  # the tiny company fails, by design


@pytest.fixture(scope="module")
def fits():
    survey = two_period_survey(n=120, companies=("A", "B", "C"))
    survey["w"] = np.where(np.arange(len(survey)) % 3 == 0, 2.0, 1.0)
    old = fitting.MIN_UNITS_PER_WORKER, fitting.MIN_UNITS_PER_FRESH_WORKER
    fitting.MIN_UNITS_PER_WORKER = fitting.MIN_UNITS_PER_FRESH_WORKER = 1  # workers even for these few units
    try:
        serial = acsi.fit(survey, "acsi", unit="company", weight="w", n_jobs=1, progress=False)
        workers = acsi.fit(survey, "acsi", unit="company", weight="w", n_jobs=2, progress=False)
    finally:
        fitting.MIN_UNITS_PER_WORKER, fitting.MIN_UNITS_PER_FRESH_WORKER = old
    return serial, workers


def test_the_units_came_back_stacked(fits):
    _, workers = fits
    assert type(object.__getattribute__(workers.outcomes[0], "estimates")) is _Rows
    assert stacked_table(workers.outcomes, "estimates") is not None


def test_every_table_equals_the_serial_fit(fits):
    serial, workers = fits
    a, b = serial.tables(), workers.tables()
    assert set(a) == set(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)
    assert (serial.units["status"] == "failed").sum() == 1  # the tiny company: no tables, still a row


def _same(x, y):
    if isinstance(x, pd.Series):
        pd.testing.assert_series_equal(x, y, check_exact=True)
    elif isinstance(x, pd.DataFrame):
        pd.testing.assert_frame_equal(x, y, check_exact=True)
    else:
        assert x == y


def test_each_unit_record_equals_the_serial_one_and_pickles_whole(fits):
    serial, workers = fits
    for o, p in zip(serial.outcomes, workers.outcomes):
        back = pickle.loads(pickle.dumps(p))
        for rec in (p, back):
            for f in ("key", "n", "status", "reason", "converged", "admissible", "messages", "estimates",
                      "fit_measures", "weights", "scores", "index", "latents"):
                _same(getattr(o, f), getattr(rec, f))
            assert list(o.extra) == list(rec.extra)
            for k in o.extra:
                _same(o.extra[k], rec.extra.get(k))
        assert type(back.extra) is dict and all(type(v) is not _Rows for v in back.extra.values())


def test_a_chunk_of_frames_that_differ_travels_unit_by_unit(fits):
    serial, _ = fits
    outs = list(serial.outcomes)
    odd = UnitOutcome(key=("x", "y"), n=1, estimates=pd.DataFrame({"other": [1.0]}))
    chunk = StackedOutcomes(outs + [odd])
    assert "estimates" not in chunk.stacks and "scores" in chunk.stacks
    back = chunk.outcomes()
    pd.testing.assert_frame_equal(back[-1].estimates, odd.estimates)
    _same(back[0].scores, outs[0].scores)
    # a record already read no longer counts as the chunk's rows: the long table is built unit by unit
    _ = back[0].scores
    assert stacked_table(back, "scores") is None


def test_the_unread_tables_came_back_as_numbers_and_were_made_on_the_workers(monkeypatch):
    """A chunk's effects, impacts, R², reliability and HTMT come back unread (the numbers they are
    made from); the first long table made from them has every chunk's made on the workers
    (acsi.pipeline.make_unread), and every table equals the serial fit's bit for bit."""
    from acsi.pipeline import _UnreadTable

    survey = two_period_survey(n=120, companies=("A", "B", "C"))
    old = fitting.MIN_UNITS_PER_WORKER, fitting.MIN_UNITS_PER_FRESH_WORKER
    fitting.MIN_UNITS_PER_WORKER = fitting.MIN_UNITS_PER_FRESH_WORKER = 1
    try:
        serial = acsi.fit(survey, "acsi", unit="company", n_jobs=1, progress=False)
        workers = acsi.fit(survey, "acsi", unit="company", n_jobs=2, progress=False)
    finally:
        fitting.MIN_UNITS_PER_WORKER, fitting.MIN_UNITS_PER_FRESH_WORKER = old
    raws = [dict.get(object.__getattribute__(o, "extra"), "effects") for o in workers.outcomes]
    unread = [r for r in raws if r is not None]
    assert unread and all(type(r) is _UnreadTable and r.chunk.n_jobs == 2 and not r.chunk.made for r in unread)
    chunks = {id(r.chunk): r.chunk for r in unread}
    assert len(chunks) >= 2
    from acsi.estimate.semtables import UnreadStack

    here = []
    unit = UnreadStack.unit
    monkeypatch.setattr(UnreadStack, "unit", lambda self, i: here.append(i) or unit(self, i))
    pd.testing.assert_frame_equal(workers.effects, serial.effects, check_exact=True)
    assert all(len(c.made) == len(c.stack) for c in chunks.values()) and here == []  # none made in this process
    a, b = serial.tables(), workers.tables()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


def test_the_unread_tables_of_a_few_units_are_made_here_once_the_workers_have_stopped(monkeypatch):
    """Workers that stopped (idle) are not started again for fewer units than new workers take
    (MIN_UNITS_PER_FRESH_WORKER): the tables are made in this process, the same bits."""
    import acsi.parallel
    from acsi.estimate.semtables import UnreadStack

    survey = two_period_survey(n=120, companies=("A", "B", "C"))
    monkeypatch.setattr(fitting, "MIN_UNITS_PER_WORKER", 1)
    monkeypatch.setattr(fitting, "MIN_UNITS_PER_FRESH_WORKER", 1)
    serial = acsi.fit(survey, "acsi", unit="company", n_jobs=1, progress=False)
    workers = acsi.fit(survey, "acsi", unit="company", n_jobs=2, progress=False)
    monkeypatch.setattr(acsi.parallel, "MIN_UNITS_PER_FRESH_WORKER", 200)
    monkeypatch.setattr(acsi.parallel, "workers_running", lambda n: False)
    here = []
    unit = UnreadStack.unit
    monkeypatch.setattr(UnreadStack, "unit", lambda self, i: here.append(i) or unit(self, i))
    pd.testing.assert_frame_equal(workers.htmt, serial.htmt, check_exact=True)
    assert here  # made in this process
