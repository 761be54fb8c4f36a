"""The bootstrap of a PLS fit: the pooled fit bootstrapped like a unit, HTMT upper bounds per unit,
the test and the sign rule stated in the saved files, options PLS cannot honour refused."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.bootstrap import bootstrap, pls_unit_bootstrap
from acsi.errors import InvalidParameterError
from acsi.estimate.pls_quality import assess
from acsi.tables import read_manifest, verify_manifest
from conftest import ACSI_LAVAAN, company_survey


@pytest.fixture(scope="module")
def survey():
    return company_survey({"A": 120, "B": 120}, seed=40, shift=0.5, every=4, weight=1.5)


@pytest.fixture(scope="module")
def fit(survey):
    return acsi.fit(survey, ACSI_LAVAAN, unit="company", estimator="pls", weight="w")


@pytest.fixture(scope="module")
def boot(fit):
    return bootstrap(fit, n_boot=60, seed=11, jackknife_groups=10)


def test_the_pooled_fit_is_bootstrapped_as_a_pooled_only_fit_would_be(survey, boot):
    alone = acsi.fit(survey, ACSI_LAVAAN, unit=None, estimator="pls", weight="w")
    ref = bootstrap(alone, n_boot=60, seed=11, jackknife_groups=10)
    np.testing.assert_array_equal(boot.pooled.replicates, ref.replicates[0])
    np.testing.assert_array_equal(boot.pooled.status, ref.status[0])
    mine = boot.pooled_estimates.set_index(["lhs", "op", "rhs"])
    theirs = ref.estimates.set_index(["lhs", "op", "rhs"])
    for col in ("boot_se", "t_stat", "p_value", "perc_lower", "bca_upper"):
        np.testing.assert_allclose(mine.loc[theirs.index, col], theirs[col], rtol=1e-12, err_msg=col)
    assert boot.pooled.counts["n_jackknife"] == 10
    assert ref.pooled is None  # a fit without units: its pooled sample is the unit


def test_strata_reach_the_pooled_bootstrap(survey, fit):
    strata = np.where(np.arange(len(survey)) % 2 == 0, "north", "south")
    a = bootstrap(fit, n_boot=10, seed=2, bca=False, strata=strata)
    alone = acsi.fit(survey, ACSI_LAVAAN, unit=None, estimator="pls", weight="w")
    b = bootstrap(alone, n_boot=10, seed=2, bca=False, strata=strata)
    np.testing.assert_array_equal(a.pooled.replicates, b.replicates[0])
    c = bootstrap(fit, n_boot=10, seed=2, bca=False)
    assert not np.array_equal(a.pooled.replicates, c.pooled.replicates)


def test_htmt_upper_bounds_per_unit_equal_the_quality_table_with_that_bootstrap(fit, boot):
    h = boot.pls_htmt
    assert set(h["company"]) == {"A", "B"} and len(h) == 2 * 15
    for company in ("A", "B"):
        q = assess(fit.pls_result(company), pls_unit_bootstrap(boot, (company,)), refit_f2=False)
        want = q.htmt.set_index(["latent_a", "latent_b"])["boot_upper_95"]
        got = h.loc[h["company"] == company].set_index(["latent_a", "latent_b"])["boot_upper_95"]
        np.testing.assert_allclose(got.loc[want.index], want, rtol=1e-12)
        assert (h["below_085"] == (h["boot_upper_95"] < 0.85)).all()
    p = boot.pooled_pls_htmt
    assert len(p) == 15 and p["n_used"].eq(boot.pooled.counts["n_used"]).all()


def test_saved_files_state_the_test_and_the_sign_rule(boot, tmp_path):
    paths = boot.save(tmp_path)
    names = {p.name for p in paths}
    for stem in ("bootstrap_pooled_estimates", "bootstrap_pls_htmt", "bootstrap_pooled_pls_htmt"):
        assert {f"{stem}.csv", f"{stem}.parquet"} <= names
    m = read_manifest(tmp_path, "bootstrap_manifest.json")
    verify_manifest(tmp_path, m)
    assert "anchor item" in m["sign_rule"] and "H0: estimate = 0" in m["test"]
    text = (tmp_path / "bootstrap_summary.txt").read_text()
    assert "no sign-change correction" in text and "Pooled PLS paths: bootstrap inference (60 of 60" in text
    pooled = pd.read_csv(tmp_path / "bootstrap_pooled_estimates.csv")
    assert {"boot_se", "t_stat", "p_value", "perc_lower", "perc_upper", "bca_lower", "bca_upper", "n_boot",
            "n_used", "n_inadmissible"} <= set(pooled.columns)


def test_refit_is_refused_and_keep_is_honoured_for_pls(fit):
    with pytest.raises(InvalidParameterError, match="'failed' parameter of bootstrap must be 'exclude' or 'keep' for a PLS fit"):
        bootstrap(fit, n_boot=4, seed=1, failed="refit")
    keep = bootstrap(fit, n_boot=4, seed=1, failed="keep", bca=False)
    assert keep.pooled.failed == "keep"
    # an inadmissible (PLSc) replicate is used with "keep", left out with "exclude"; both are counted
    st = np.array([0, 2, 2, 1], dtype=np.int8)
    kept = replace(keep.pooled, status=st)
    dropped = replace(keep.pooled, status=st, failed="exclude")
    assert (kept.counts["n_used"], dropped.counts["n_used"]) == (3, 1)
    assert kept.counts["n_inadmissible"] == dropped.counts["n_inadmissible"] == 2
    assert kept.estimates["n_used"].max() == 3 and dropped.estimates["n_used"].max() == 1
