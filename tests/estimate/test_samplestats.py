"""The sample moments of the SEM (``acsi.estimate.samplestats.weighted_moments``): one
implementation (``acsi.estimate.quality.weighted_moments`` is it), summed a block of rows at a
time for a large sample, the one product of the centred rows for a sample of one block."""

import numpy as np
import pytest

from acsi.estimate import quality, samplestats
from acsi.estimate.samplestats import MOMENT_CELLS, weighted_moments


def _one_product(X, w=None):
    if w is None:
        mean = X.mean(axis=0)
        Xc = X - mean
        return mean, Xc.T @ Xc / X.shape[0]
    sw = w.sum()
    mean = w @ X / sw
    Xc = X - mean
    return mean, (Xc * w[:, None]).T @ Xc / sw


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("blocks", [1, 3.5])
def test_moments_equal_the_one_product_of_the_centred_rows(weighted, blocks):
    p = 15
    n = int(blocks * (MOMENT_CELLS // p))
    rng = np.random.default_rng(8)
    X = np.asfortranarray(rng.integers(1, 11, size=(n, p)).astype(float))  # a frame's float block
    w = rng.uniform(0.2, 3.0, n) if weighted else None
    mean, S = weighted_moments(X, w)
    want_mean, want_S = _one_product(X, w)
    np.testing.assert_array_equal(mean, want_mean)
    if blocks == 1:  # one block: the same product, the same bits
        np.testing.assert_array_equal(S, want_S)
    else:  # blocks summed in row order: the same sums to rounding
        np.testing.assert_allclose(S, want_S, rtol=1e-13, atol=1e-13)
        assert not np.shares_memory(S, X)
    if not weighted:  # each block's product a symmetric rank-k update
        np.testing.assert_array_equal(S, S.T)


def test_the_reliability_moments_are_the_sem_moments():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 4))
    w = rng.uniform(0.5, 2.0, 300)
    for weights in (None, w):
        a, b = quality.weighted_moments(X, weights), samplestats.weighted_moments(X, weights)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    assert quality.weighted_moments(np.array([[1.0], [3.0]]), np.array([1.0, 3.0]))[1][0, 0] == 0.75
