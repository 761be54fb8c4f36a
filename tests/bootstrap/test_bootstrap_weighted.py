"""The bootstrap of a weighted fit (issue 13): respondents are resampled with their survey
weights and every replicate is fitted to its weighted moments, as the fit itself.

On lavaan's weighted case (``tests/reference/robust_weighted``: two strata, weights 0.5 and 2.5)
the bootstrap's full-sample estimates are lavaan's weighted ones, and its standard errors are
the robust (sandwich) ones lavaan reports for weighted data, not the normal-theory ones (which
are 1.2-1.7 times smaller there): B = 300 replicates, so a bootstrap SE has a Monte Carlo error
of about 1/sqrt(2B) = 4 %; the median ratio to the sandwich must be within 10 % of 1.
"""

from __future__ import annotations

import numpy as np
import pytest

import acsi
from reference.cases import load_case


@pytest.fixture(scope="module")
def weighted():
    c = load_case("robust_weighted")
    fit = acsi.fit(c.data, acsi.parse_lavaan(c.model_text), unit=None, weight="w", options={"engine": "mlfast"})
    return c, fit, fit.bootstrap(n_boot=300, seed=3, bca=False)


def _paired(case, boot):
    est = boot.estimates.query("statistic == 'est'")
    rob = case.estimates.set_index(["lhs", "op", "rhs"])
    std = load_case("robust_weighted/weighted_standard").estimates.set_index(["lhs", "op", "rhs"])
    key = list(zip(est["lhs"], est["op"], est["rhs"]))
    return est, rob.loc[key], std.loc[key]


def test_weighted_bootstrap_refits_the_weighted_moments(weighted):
    case, _fit, boot = weighted
    est, rob, _ = _paired(case, boot)
    np.testing.assert_allclose(est["estimate"].to_numpy(), rob["est"].to_numpy(), atol=1e-4)
    assert (est["n_used"] >= 285).all()  # a few replicates are inadmissible (a Heywood case in a small block)


def test_weighted_bootstrap_standard_errors_are_the_sandwich_ones(weighted):
    case, _fit, boot = weighted
    est, rob, std = _paired(case, boot)
    r_rob = est["boot_se"].to_numpy() / rob["se"].to_numpy()
    r_std = est["boot_se"].to_numpy() / std["se"].to_numpy()
    assert abs(np.median(r_rob) - 1) < 0.1
    assert (np.abs(np.log(r_rob)) < np.abs(np.log(r_std))).mean() >= 0.9


@pytest.mark.slow  # starts joblib worker processes
def test_weighted_bootstrap_is_the_same_for_any_worker_count(weighted):
    _case, fit, boot = weighted
    two = fit.bootstrap(n_boot=300, seed=3, bca=False, n_jobs=2)
    np.testing.assert_array_equal(two.replicates, boot.replicates)
    np.testing.assert_array_equal(two.status, boot.status)
