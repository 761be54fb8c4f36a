"""The bootstrap of the models researchers write (issue 11): the moment columns follow the
model's observed variables (an observed 0/1 complaint, covariates fixed at each replicate's own
moments or free), the fit's table options (std_lv) are honoured, a mean structure (user
intercepts) is fitted to each replicate's means, and the effects and ACSI impacts are
bootstrapped with each replicate's own item weights."""

import warnings

import numpy as np
import pytest

import acsi
from acsi import bootstrap as bs
from reference.cases import load_case


def _fit(case_name, model=None, options=None):
    case = load_case(case_name)
    data = case.data.dropna().reset_index(drop=True)  # the intercept case's complete rows
    data = data.assign(company=np.where(np.arange(len(data)) % 2, "B", "A"))
    with warnings.catch_warnings():  # half of the intercept case's complete rows has a Heywood unit
        warnings.simplefilter("ignore", acsi.AcsiWarning)
        return acsi.fit(data, model or case.model_text, unit="company", min_n=2, options=options, pooled=False)


CASES = {
    "complaint": ("syntax_complaint_observed", lambda: acsi.load_model("acsi", complaint="yes_no"), None),
    "covariates_fixed_x": ("syntax_covariates_fixedx", None, None),
    "covariates_free_x": ("syntax_covariates_fixedx", None, {"fixed_x": False}),
    "std_lv_defined": ("syntax_defined_effects", None, {"std_lv": True}),
    "intercepts": ("syntax_fiml_intercepts", None, None),  # a mean structure: replicates fit the means too
}


@pytest.fixture(scope="module", params=list(CASES))
def unresampled(request, monkeypatch_module):
    """Replicates drawn with every count 1: each replicate is the full sample, so every
    bootstrapped statistic must reproduce the published one."""
    name, model, options = CASES[request.param]
    fit = _fit(name, model() if model else None, options)

    def ones(ctx, u, kind, b):
        r0, r1 = b * bs.BLOCK, min((b + 1) * bs.BLOCK, ctx.n_boot)
        return np.ones((r1 - r0 if kind == "boot" else 1, u.n))

    monkeypatch_module.setattr(bs, "_block_counts", ones)
    boot = bs.bootstrap(fit, n_boot=3, seed=1, bca=False, progress=False)
    monkeypatch_module.undo()
    return fit, boot


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_every_statistic_of_the_full_sample_is_reproduced(unresampled):
    fit, boot = unresampled
    assert (boot.counts["n_used"] == 3).all()
    for table in (boot.indexes, boot.estimates, boot.impacts, boot.effects):
        est = table["index" if "latent" in table else "estimate"]
        assert len(table) and est.notna().all()
        np.testing.assert_allclose(table["boot_mean"], est, rtol=1e-6, atol=1e-7)
    # the published impacts and effects are the fit's, with their delta-method SEs
    imp = boot.impacts.set_index(["company", "lhs", "rhs"])
    for o in fit.outcomes:
        if o.status == "failed":  # a unit the fit could not estimate is not bootstrapped
            assert o.key[0] not in set(boot.impacts["company"])
            continue
        for r in o.extra["impacts"].itertuples(index=False):
            assert imp.loc[(o.key[0], r.driver, r.target), "estimate"] == pytest.approx(r.impact, rel=1e-12)
            assert imp.loc[(o.key[0], r.driver, r.target), "se"] == pytest.approx(r.se, rel=1e-12)


def test_complaint_model_bootstrap_with_impacts_and_defined():
    fit = _fit("syntax_complaint_observed", acsi.load_model("acsi", complaint="yes_no"))
    boot = fit.bootstrap(n_boot=100, seed=3, bca=False, progress=False)
    imp = boot.impacts
    assert {("CS", "cc1"), ("cc1", "CL"), ("PQ", "CS")} <= set(zip(imp["lhs"], imp["rhs"]))
    assert (imp["boot_se"] > 0).all() and (imp["perc_lower"] < imp["perc_upper"]).all()
    # the bootstrap SE is close to the delta-method SE for a satisfaction driver
    cs = imp[(imp["rhs"] == "CS")]
    assert np.allclose(cs["boot_se"], cs["se"], rtol=0.5)
    # user intercepts: the replicates' intercepts vary like the analytic SEs say
    ic = _fit("syntax_fiml_intercepts").bootstrap(n_boot=100, seed=3, bca=False, progress=False).estimates
    ic = ic[(ic["op"] == "~1") & (ic["se"] > 0)]
    assert len(ic) and np.allclose(ic["boot_se"], ic["se"], rtol=0.5)
    same = fit.bootstrap(n_boot=100, seed=3, bca=False, progress=False, n_jobs=2)
    np.testing.assert_array_equal(same.impacts["boot_se"].to_numpy(), imp["boot_se"].to_numpy())
