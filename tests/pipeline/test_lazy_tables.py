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


def test_a_chunk_sends_the_lazy_tables_as_one_table_of_joined_columns():
    """StackedOutcomes (what a worker sends) joins the units' columns of the tables made on first
    access into one table per kind, without a frame per unit; each unit reads back exactly the
    table it would have made, dtypes included, and its tables stay unread in the worker."""
    from acsi.pipeline import StackedOutcomes

    spec = acsi.load_model("acsi")
    survey = simulate_survey(spec, units=pd.DataFrame({"company": ["a", "b", "c"]}), n_per_unit=90, periods=1,
                             seed=4, missing_code_rate=0.0)
    items = list(spec.item_ids)
    kw = dict(estimator="sem", min_n=30, confidence=0.95, options={}, missing="listwise")

    def fit_all():
        return [fit_unit((k,), g[items].astype(float).reset_index(drop=True), spec, **kw)
                for k, g in survey.groupby("company")]

    sent = fit_all()
    stacked = StackedOutcomes(sent)
    assert {f"extra:{k}" for k in UNIT_TABLES} <= set(stacked.stacks)
    assert all(type(dict.get(o.extra, k)) is _Lazy for o in sent for k in UNIT_TABLES)  # none made in the worker
    back = pickle.loads(pickle.dumps(stacked)).outcomes()
    for got, own in zip(back, fit_all()):
        assert list(got.extra) == list(own.extra)
        for k in UNIT_TABLES:
            a, b = got.extra[k], own.extra[k]
            pd.testing.assert_frame_equal(a, b, check_exact=True)
            assert [blk.dtype for blk in a._mgr.blocks] == [blk.dtype for blk in b._mgr.blocks]
