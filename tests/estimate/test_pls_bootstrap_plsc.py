"""A PLSc bootstrap replicate whose rho_A is negative (NaN consistent correlations) is a failed
replicate, counted, never a crash of the whole bootstrap (numpy's SVD on NaN used to raise)."""

import warnings

import numpy as np

import acsi
from acsi.bootstrap import bootstrap_pls
from acsi.estimate.pls import fit_pls
from conftest import ACSI_LAVAAN, two_period_survey


def test_replicates_with_nan_consistent_correlations_are_counted_not_raised():
    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    d = two_period_survey().query("company == 'A' and period == '2025Q2'")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AdmissibilityWarning)
        res = fit_pls(d[list(spec.item_ids)], spec.blocks, list(spec.paths), consistent=True,
                      scale_bounds=dict(spec.scale_bounds))
    with np.errstate(invalid="ignore"):
        boot = bootstrap_pls(res, n_boot=50, seed=21, bca=False)  # seed 21: one replicate has a negative rho_A
    c = boot.counts
    assert c["n_used"] + c["n_not_converged"] + c["n_inadmissible"] + c["n_unscorable"] == 50
    assert c["n_not_converged"] >= 1
    failed = boot.replicates[:, boot.status == 1]
    assert np.isnan(failed).all()
