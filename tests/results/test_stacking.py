"""The long tables of a fit are built once for all units (acsi.results): they must equal the
tables built unit by unit, frame by frame, for text, integer and mixed unit values."""

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi import results as R
from conftest import two_period_survey


def _unit_by_unit(fit, attr):
    parts = [(o, getattr(o, attr) if not attr.startswith("extra:") else o.extra.get(attr[6:])) for o in fit.outcomes]
    return R._stacked_per_unit(fit, [(o, x) for o, x in parts if x is not None])


def _latent_rows(fit):
    """latent_indexes the old way: a dict per row, then one DataFrame."""
    rows = []
    for o in fit.outcomes:
        base = dict(zip(fit.groups, o.key))
        own = R._latent_status(o, fit.spec.latent_ids)
        unit = {"unit_status": o.status, "unit_reason": o.reason}
        if o.index is not None:
            for r in o.index.to_dict("records"):
                st, why = own.get(r["latent"], (o.status, o.reason))
                rows.append({**base, **r, "status": st, "reason": why, **unit})
        else:
            for lv in fit.spec.latent_ids:
                st, why = own.get(lv, (o.status, o.reason))
                rows.append({**base, "latent": lv, "index": np.nan, "se": np.nan, "ci_lower": np.nan,
                             "ci_upper": np.nan, "n": o.n, "status": st, "reason": why, **unit})
    cols = list(fit.groups) + ["latent", "index", "se", "ci_lower", "ci_upper", "n", "status", "reason",
                               "unit_status", "unit_reason"]
    df = pd.DataFrame(rows, columns=cols)
    df["n"] = df["n"].astype(int)
    return R._with_carry(fit, df)


@pytest.fixture(scope="module", params=["text", "integer"])
def fitted(request):
    survey = two_period_survey(n=120)
    if request.param == "integer":
        survey["company"] = survey["company"].map({"A": 1, "B": 2, "C": 3, "Tiny": 4}).astype(int)
    return acsi.fit(survey, "acsi", unit="company", progress=False)


def test_a_failed_unit_is_in_the_fixture(fitted):
    assert (fitted.units["status"] == "failed").sum() == 1  # the tiny company (first period): no index


@pytest.mark.parametrize("attr, table", [("estimates", "estimates"), ("fit_measures", "fit_measures"),
                                         ("weights", "item_weights"),
                                         *((f"extra:{t}", t) for t in R.UNIT_TABLES)])
def test_stacked_tables_equal_the_unit_by_unit_build(fitted, attr, table):
    # the CB-SEM tables: the units' columns joined before any unit's frame is made (results._joined_extra)
    built = fitted._table(table)
    pd.testing.assert_frame_equal(built, _unit_by_unit(fitted, attr), check_exact=True)


def test_latent_indexes_equal_the_row_by_row_build(fitted):
    pd.testing.assert_frame_equal(fitted.latent_indexes, _latent_rows(fitted), check_exact=True)


def test_scores_equal_the_unit_by_unit_build(fitted):
    data, prepared = fitted.prepared.data, fitted.prepared
    groups = list(fitted.groups)
    positions = data.groupby(groups, sort=False, dropna=False).indices
    frames = []
    for o in fitted.outcomes:
        if o.scores is None:
            continue
        pos = positions[o.key]
        sub = data[groups + list(fitted.carry)].iloc[pos].reset_index(drop=True)
        sub["row"], sub["weight"] = prepared.rows[pos], prepared.weights[pos]
        frames.append(pd.concat([sub, o.scores.reset_index(drop=True)], axis=1))
    pd.testing.assert_frame_equal(fitted.scores, pd.concat(frames, ignore_index=True), check_exact=True)


def test_unit_values_of_mixed_types_fall_back_to_the_frame_by_frame_build(fitted):
    keys = [o.key for o in fitted.outcomes]
    mixed = [(k[0], np.nan if i == 0 else k[1]) for i, k in enumerate(keys)]
    fake = type("Fit", (), {"groups": fitted.groups})()
    outcomes = [type("O", (), {"key": k})() for k in mixed]
    assert R._key_columns(fake, outcomes, [1] * len(outcomes)) is None
    assert R._key_columns(fake, [type("O", (), {"key": k})() for k in keys], [2] * len(keys)) is not None
