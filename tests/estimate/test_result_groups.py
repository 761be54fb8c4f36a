"""SEMResult's group tables are made when first read, from the fit's own arrays: the same frames
as before (labels, values), a mapping as the per-group dicts were, and picklable for the workers."""

import pickle

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.estimate.ml import fit_ml
from acsi.estimate.result import GroupTables
from acsi.simulate import simulate_survey


@pytest.fixture(scope="module")
def res():
    spec = acsi.load_model("acsi")
    data = simulate_survey(spec, units=1, n_per_unit=300, periods=1, seed=5, missing_code_rate=0.0)
    return spec, fit_ml(spec.partable(), data[list(spec.item_ids)])


def test_the_group_tables_are_the_matrices_under_the_models_names(res):
    spec, r = res
    g = r.groups[0]
    assert isinstance(g, GroupTables) and list(g) == ["label", "loadings", "residual_variances", "latent_cov",
                                                      "sample_cov", "implied_cov", "sample_mean", "implied_mean"]
    assert not g._made  # nothing made before it is read
    L, theta = r.loadings, r.residual_variances
    assert set(g._made) == {"loadings", "residual_variances"} and r.loadings is L  # made once, then kept
    items, latents = list(spec.item_ids), list(spec.latent_ids)
    assert sorted(L.index) == sorted(items) and sorted(L.columns) == sorted(latents)
    est = r.estimates.set_index(["lhs", "op", "rhs"])["est"]
    for lv in spec.latents:
        for it in lv.item_ids:
            assert L.loc[it, lv.id] == pytest.approx(est[(lv.id, "=~", it)], abs=1e-12)
        assert r.latent_cov.loc[lv.id, lv.id] > 0
    assert all(theta[it] == pytest.approx(est[(it, "~~", it)], abs=1e-12) for it in items)
    S = r.sample_cov
    np.testing.assert_array_equal(g.sample_cov_of(items[::-1]), S.loc[items[::-1], items[::-1]].to_numpy())
    with pytest.raises(KeyError, match="no rows for"):
        g.sample_cov_of(["nope"])
    assert g["sample_mean"] is None and "label" in g and len(g) == 8
    with pytest.raises(KeyError):
        g["nope"]
    # a frame read is the table's own copy: changing it changes no other read
    S.iloc[0, 0] = -1.0
    assert g.sample_cov_of(items[:1])[0, 0] != -1.0


def test_vcov_is_the_arrays_frame_and_the_result_pickles(res):
    _, r = res
    V = r.vcov
    assert isinstance(V, pd.DataFrame) and V is r.vcov and np.array_equal(V.to_numpy(), r.vcov_matrix)
    assert list(V.index) == list(V.columns) and len(V) == r.vcov_matrix.shape[0]
    back = pickle.loads(pickle.dumps(r.groups[0]))
    pd.testing.assert_frame_equal(back["implied_cov"], r.implied_cov)
