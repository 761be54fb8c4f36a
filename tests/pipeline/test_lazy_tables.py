"""A unit's effects, impacts, R², reliability and HTMT tables are made on first access (issue 17):
the numbers of effects and impacts are computed with the fit (so a table that cannot be computed is
a message of the fit), the frames and the quality tables when read.  Whatever the order of access,
the tables equal the eager :func:`acsi.estimate.semtables.unit_tables` bit for bit, a table read
twice is the same object, and a pickled outcome carries the tables themselves."""

import pickle

import pandas as pd
import pytest

import acsi
from acsi.estimate.ml import fit_sem_fast
from acsi.estimate.mlfast import compiled_model
from acsi.estimate.semtables import UNIT_TABLES, Deferred, unit_tables
from acsi.pipeline import _Lazy, fit_unit
from acsi.score import item_weights
from acsi.simulate import simulate_survey


@pytest.fixture(scope="module")
def case():
    spec = acsi.load_model("acsi")
    data = simulate_survey(spec, units=1, n_per_unit=300, periods=1, seed=5, missing_code_rate=0.0)
    data = data[list(spec.observed_ids)].astype(float).reset_index(drop=True)
    model = compiled_model(spec)
    res = fit_sem_fast(data, spec, model=model)
    w = item_weights(spec, res.loadings, res.residual_variances, strict=False)
    eager, notes = unit_tables(spec, model, res, w)
    return spec, data, eager, notes


def _raw_extra(outcome) -> dict:
    return dict(dict.items(object.__getattribute__(outcome, "extra")))


@pytest.mark.parametrize("order", [UNIT_TABLES, tuple(reversed(UNIT_TABLES))])
def test_lazy_tables_equal_the_eager_ones(case, order):
    spec, data, eager, notes = case
    out = fit_unit(("a",), data, spec)
    raw = _raw_extra(out)
    assert list(raw) == list(UNIT_TABLES) and all(type(raw[t]) is _Lazy for t in UNIT_TABLES)
    # the effects' and impacts' standard errors (complex-step Jacobians) are not computed before a read
    assert all(type(raw[t].args[0]) is Deferred and raw[t].args[0]._make is not None for t in ("effects", "impacts"))
    for t in order:
        got = out.extra[t]
        pd.testing.assert_frame_equal(got, eager[t], check_exact=True)
        assert out.extra[t] is got and out.extra.get(t) is got  # read once, then the same object
    assert not any(type(v) is _Lazy for v in _raw_extra(out).values())
    assert all(m not in out.messages for m in notes)


def test_pickled_outcome_carries_the_tables(case):
    spec, data, eager, _ = case
    fresh, read = fit_unit(("a",), data, spec), fit_unit(("a",), data, spec)
    for t in UNIT_TABLES:
        read.extra[t]
    a, b = pickle.loads(pickle.dumps(fresh)), pickle.loads(pickle.dumps(read))
    assert type(a.extra) is dict and list(a.extra) == list(UNIT_TABLES)
    for t in UNIT_TABLES:
        assert type(a.extra[t]) is pd.DataFrame
        pd.testing.assert_frame_equal(a.extra[t], b.extra[t], check_exact=True)
        pd.testing.assert_frame_equal(a.extra[t], eager[t], check_exact=True)


def test_impacts_not_computable_is_a_message_at_fit_time(case):
    spec, data, _, _ = case
    # a reverse-coded satisfaction item: its latent's weights are refused, so no impact has a 0-100 scale
    lo, hi = spec.scale_bounds["cs1"]
    out = fit_unit(("a",), data.assign(cs1=lo + hi - data["cs1"]), spec)
    if "impacts" in _raw_extra(out):
        pytest.skip("this sample's weights stayed positive")
    assert any(m.startswith("ACSI impacts not computed") for m in out.messages)
    assert list(_raw_extra(out)) == [t for t in UNIT_TABLES if t != "impacts"]


def test_one_unit_fit_pooled_shares_the_unit_tables(case):
    spec, data, _, _ = case
    fit = acsi.fit(data.assign(company="a"), spec, unit="company", progress=False)
    unit, pooled = fit.outcomes[0], fit.pooled
    for t in UNIT_TABLES:
        assert unit.extra[t] is pooled.extra[t]


def _three_units():
    spec = acsi.load_model("acsi")
    survey = simulate_survey(spec, units=pd.DataFrame({"company": ["a", "b", "c"]}), n_per_unit=90, periods=1,
                             seed=4, missing_code_rate=0.0)
    items = list(spec.item_ids)
    kw = dict(estimator="sem", min_n=30, confidence=0.95, options={}, missing="listwise")
    return [fit_unit((k,), g[items].astype(float).reset_index(drop=True), spec, **kw)
            for k, g in survey.groupby("company")]


def _same_tables(back, own):
    for got, mine in zip(back, own):
        assert list(got.extra) == list(mine.extra)
        for k in UNIT_TABLES:
            a, b = got.extra[k], mine.extra[k]
            pd.testing.assert_frame_equal(a, b, check_exact=True)
            assert [blk.dtype for blk in a._mgr.blocks] == [blk.dtype for blk in b._mgr.blocks]


def test_a_chunk_sends_the_unread_tables_as_the_numbers_they_are_made_from():
    """StackedOutcomes (what a worker sends) leaves the effects, impacts, R², reliability and HTMT
    unread: it stacks θ̂, the covariance, the item weights, the loadings and the items' covariance
    of its units (UnreadStack), so the worker computes none of the tables a serial fit computes
    only when read; each unit reads back exactly the tables it would have made, dtypes included."""
    from acsi.pipeline import StackedOutcomes, UnitOutcome, _unread

    failed = UnitOutcome(key=("d",), n=12, reason="12 respondents (min_n = 30)")  # no tables: no row
    sent = _three_units()
    stacked = StackedOutcomes(sent[:1] + [failed] + sent[1:])
    assert stacked.unread is not None and len(stacked.unread.stack) == 3 and stacked.unread.rows == {0: 0, 2: 1, 3: 2}
    assert not {f"extra:{k}" for k in UNIT_TABLES} & set(stacked.stacks)
    assert all(_unread(dict.get(o.extra, k)) for o in sent for k in UNIT_TABLES)  # none made in the worker
    blob = pickle.dumps(stacked)
    assert b"DataFrame" not in pickle.dumps(stacked.unread)  # numbers, not the estimate tables
    back = pickle.loads(blob).outcomes()
    assert back[1].extra == {} and back[1].reason == failed.reason
    _same_tables(back[:1] + back[2:], _three_units())
    # a unit's tables are made from its own record when one is read: the other units' stay unread
    fresh = pickle.loads(blob)
    units = fresh.outcomes()
    units[2].extra["htmt"]
    assert set(fresh.unread.made) == {1}
    assert type(dict.get(object.__getattribute__(units[2], "extra"), "effects")).__name__ == "_UnreadTable"


def test_a_chunk_joins_the_columns_of_tables_already_made_and_sends_the_rest_as_they_are():
    """Tables whose columns a unit has made (here: read in the worker) are joined column by column
    into one table per kind, without a frame per unit; a unit whose tables differ from the others'
    (one quality record read, the others not) sends its unread ones as they are, still unread."""
    from acsi.pipeline import StackedOutcomes, _unread

    sent = _three_units()
    for o in sent:
        for k in ("effects", "impacts"):
            dict.get(o.extra, k).args[0].columns()  # the standard errors made, no frame
    dict.get(sent[0].extra, "rsquare").args[0].read()
    stacked = StackedOutcomes(sent)
    assert stacked.unread is None
    assert {"extra:effects", "extra:impacts"} <= set(stacked.stacks)
    assert all(_unread(stacked.own[i][f"extra:{k}"]) for i in (1, 2) for k in ("rsquare", "reliability", "htmt"))
    back = pickle.loads(pickle.dumps(stacked)).outcomes()
    _same_tables(back, _three_units())
