"""0-100 rescaling invariants, item weights, unit index and its standard error."""

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.errors import ScoringError
from acsi.score import item_weights, latent_scores, unit_index, weighted_mean_se


@pytest.fixture
def spec():
    return acsi.parse_lavaan("CS =~ cs1 + cs2 + cs3\nCC =~ cc1\nCC ~ CS\n", name="s", scale=(1, 10))


def _params(spec, lam, theta):
    L = pd.DataFrame(0.0, index=list(spec.item_ids), columns=list(spec.latent_ids))
    for lv in spec.latents:
        for it in lv.item_ids:
            L.loc[it, lv.id] = lam[it]
    return L, pd.Series(theta)


def test_weights_are_lambda_over_theta_normalised(spec):
    L, th = _params(spec, {"cs1": 1.0, "cs2": 0.8, "cs3": 1.2, "cc1": 1.0}, {"cs1": 0.5, "cs2": 0.4, "cs3": 0.6, "cc1": 0.0})
    w = item_weights(spec, L, th).set_index("item")["weight"]
    raw = np.array([1.0 / 0.5, 0.8 / 0.4, 1.2 / 0.6])  # 2, 2, 2 -> equal weights
    np.testing.assert_allclose(w[["cs1", "cs2", "cs3"]], raw / raw.sum(), atol=1e-15)
    assert w["cc1"] == 1.0  # single indicator: the item is the latent
    assert w.groupby(item_weights(spec, L, th).set_index("item")["latent"]).sum().tolist() == pytest.approx([1.0, 1.0])


def test_all_minimum_is_0_and_all_maximum_is_100(spec):
    L, th = _params(spec, {"cs1": 1.0, "cs2": 0.7, "cs3": 1.3, "cc1": 1.0}, {"cs1": 0.5, "cs2": 0.9, "cs3": 0.2, "cc1": 0.0})
    w = item_weights(spec, L, th)
    data = pd.DataFrame({"cs1": [1, 10, 5.5], "cs2": [1, 10, 5.5], "cs3": [1, 10, 5.5], "cc1": [1, 10, 5.5]})
    s = latent_scores(data, spec, w)
    np.testing.assert_allclose(s["CS"], [0.0, 100.0, 50.0], atol=1e-12)
    np.testing.assert_allclose(s["CC"], [0.0, 100.0, 50.0], atol=1e-12)


def test_scores_respect_item_specific_bounds():
    spec = acsi.parse_lavaan("CS =~ a + b\n", name="b", scale=(0, 4))
    L, th = _params(spec, {"a": 1.0, "b": 1.0}, {"a": 1.0, "b": 1.0})
    s = latent_scores(pd.DataFrame({"a": [0, 4, 2], "b": [0, 4, 4]}), spec, item_weights(spec, L, th))
    np.testing.assert_allclose(s["CS"], [0, 100, 75])


def test_negative_weight_is_refused_with_item_named(spec):
    L, th = _params(spec, {"cs1": 1.0, "cs2": -0.8, "cs3": 1.2, "cc1": 1.0}, {"cs1": 0.5, "cs2": 0.4, "cs3": 0.6, "cc1": 0.0})
    with pytest.raises(ScoringError, match=r"latent CS: negative or undefined item weight caused by cs2 \(loading -0\.8"):
        item_weights(spec, L, th)
    soft = item_weights(spec, L, th, strict=False)
    assert soft.loc[soft["latent"] == "CS", "weight"].isna().all()
    assert soft.loc[soft["latent"] == "CC", "weight"].tolist() == [1.0]


def test_heywood_residual_is_refused(spec):
    L, th = _params(spec, {"cs1": 1.0, "cs2": 0.8, "cs3": 1.2, "cc1": 1.0}, {"cs1": -0.05, "cs2": 0.4, "cs3": 0.6, "cc1": 0.0})
    with pytest.raises(ScoringError, match="cs1 .*residual variance -0.05"):
        item_weights(spec, L, th)


def test_unweighted_se_is_sd_over_sqrt_n():
    x = np.array([60.0, 70.0, 80.0, 90.0, 75.0])
    mean, se, n = weighted_mean_se(x)
    assert mean == pytest.approx(75.0)
    assert se == pytest.approx(x.std(ddof=1) / np.sqrt(5), rel=1e-12)
    assert n == 5


def test_weighted_se_formula_by_hand():
    x = np.array([50.0, 70.0, 90.0])
    v = np.array([1.0, 2.0, 1.0])
    # mean = (50 + 140 + 90) / 4 = 70
    # se² = 3/2 · (1·400 + 4·0 + 1·400) / 16 = 1.5 · 50 = 75
    mean, se, n = weighted_mean_se(x, v)
    assert mean == pytest.approx(70.0)
    assert se == pytest.approx(np.sqrt(75.0))


def test_unit_index_interval_uses_t():
    from scipy import stats

    s = pd.DataFrame({"CS": [60.0, 70.0, 80.0, 90.0]})
    r = unit_index(s, confidence=0.9).iloc[0]
    se = np.std([60, 70, 80, 90], ddof=1) / 2
    assert r["ci_upper"] - r["index"] == pytest.approx(stats.t.ppf(0.95, 3) * se)


@pytest.mark.parametrize("n", [2, 3, 250, 9001])
@pytest.mark.parametrize("weighted", [False, True])
def test_unit_index_of_complete_scores_equals_the_per_latent_rule(n, weighted):
    """Complete scores take the all-latents path of unit_index: the same numbers bit for bit as
    weighted_mean_se and t_interval latent by latent (the rule a unit with holes uses)."""
    from acsi.score.scores import t_interval

    rng = np.random.default_rng(n)
    s = pd.DataFrame(rng.uniform(0, 100, (n, 4)), columns=["EXP", "QUAL", "SAT", "LOY"])
    v = rng.uniform(0.2, 3.0, n) if weighted else None
    got = unit_index(s, v, confidence=0.9)
    for j, lv in enumerate(s.columns):
        mean, se, k = weighted_mean_se(s[lv].to_numpy(), v)
        lo, hi = t_interval(mean, se, k, 0.9)
        assert got.loc[j, ["index", "se", "ci_lower", "ci_upper"]].tolist() == [mean, se, lo, hi]
        assert got.loc[j, "n"] == k and got.loc[j, "latent"] == lv
    holed = s.copy()
    holed.iloc[0, 1] = np.nan  # a hole sends unit_index through the per-latent rule
    other = unit_index(holed, v, confidence=0.9)
    assert other.loc[1, "n"] == n - 1
    pd.testing.assert_frame_equal(other.drop(index=1), got.drop(index=1), check_exact=True)


@pytest.mark.parametrize("n", [1, 7, 25_000])
def test_rescale_is_the_formula_and_does_not_depend_on_the_answers_layout(n):
    """rescale takes the product transposed (W' X'); the scores are 100 (X W - lo W) / (hi W - lo W)
    to 1e-12 and the same bits whether the answers come row-major (a matrix) or column-major (a
    frame's block)."""
    from acsi.score.scores import rescale

    rng = np.random.default_rng(n)
    X = rng.integers(1, 11, (n, 5)).astype(float)
    W = np.zeros((5, 2))
    W[:3, 0], W[3:, 1] = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(2))
    lo, hi = np.ones(5), np.full(5, 10.0)
    want = 100.0 * (X @ W - lo @ W) / (hi @ W - lo @ W)
    got = rescale(X, W, lo, hi)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert np.array_equal(rescale(np.asfortranarray(X), W, lo, hi), got)
    assert got.shape == (n, 2) and got.min() >= 0 and got.max() <= 100
