"""acsi.bootstrap: reproducibility, replicate arithmetic, failures, strata, aggregates, errors."""

import numpy as np
import pandas as pd
import pytest
from conftest import ACSI_LAVAAN, ACSI_TRUTH, exact_data, implied_cov
from scipy import stats

import acsi
from acsi import bootstrap as bs
from acsi.errors import AcsiError
from acsi.estimate.ml import fit_sem_fast
from acsi.score import item_weights, latent_scores, weighted_mean_se

N_BOOT = 60


def _survey(n=150, seed0=0):
    spec = acsi.parse_lavaan(ACSI_LAVAAN)
    t = ACSI_TRUTH
    cov = implied_cov(spec, t["loadings"], t["paths"], t["theta"], t["psi"])
    frames = []
    units = [(p, c, s) for p in ("2025Q1", "2025Q2") for c, s in (("A", 0.0), ("B", 0.6), ("C", -0.4))]
    for k, (period, company, shift) in enumerate(units):
        d = exact_data(cov, n, mean=6.0 + shift, seed=seed0 + k).round().clip(1, 10)
        d.insert(0, "company", company)
        d.insert(0, "period", period)
        d.insert(2, "industry", "Airlines" if company != "C" else "Hotels")
        d.insert(3, "sector", "Transport")
        d.insert(4, "w", 1.0 + (np.arange(n) % 3))
        d.insert(5, "region", np.where(np.arange(n) % 4 == 0, "north", "south"))
        frames.append(d)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def survey():
    return _survey()


@pytest.fixture(scope="module")
def fit(survey):
    return acsi.fit(survey, acsi.parse_lavaan(ACSI_LAVAAN), unit="company", weight="w", pooled=False)


@pytest.fixture(scope="module")
def sales():
    return pd.DataFrame({"company": ["A", "B", "C"], "sales": [3.0, 1.0, 2.0]})


@pytest.fixture(scope="module")
def boot(fit, sales):
    return bs.bootstrap(fit, n_boot=N_BOOT, seed=7, weights=sales, aggregate_options={"window": 1})


# ----------------------------------------------------------------------------- reproducibility
@pytest.mark.slow  # starts joblib worker processes (about 5 s)
def test_same_seed_same_numbers_for_any_worker_count(fit, boot):
    two = bs.bootstrap(fit, n_boot=N_BOOT, seed=7, n_jobs=2)
    np.testing.assert_array_equal(two.replicates, boot.replicates)
    np.testing.assert_array_equal(two.status, boot.status)
    np.testing.assert_array_equal(two.jack_m2, boot.jack_m2)
    pd.testing.assert_frame_equal(two.indexes, boot.indexes)
    other = bs.bootstrap(fit, n_boot=N_BOOT, seed=8, bca=False)
    assert not np.allclose(other.replicates, boot.replicates, equal_nan=True)


def test_replicates_do_not_depend_on_the_number_of_replicates(fit, boot):
    """Streams are per block of 50: the first 50 replicates of 60 are those of a 50-replicate run."""
    short = bs.bootstrap(fit, n_boot=50, seed=7, bca=False)
    np.testing.assert_array_equal(short.replicates, boot.replicates[:, :, :50])


def test_seed_is_recorded_when_not_given(fit):
    r = bs.bootstrap(fit, n_boot=4, bca=False)
    again = bs.bootstrap(fit, n_boot=4, seed=r.seed, bca=False)
    np.testing.assert_array_equal(r.replicates, again.replicates)


# ----------------------------------------------------------------------------- replicate arithmetic
def test_replicate_equals_refit_and_rescoring_of_resampled_rows(fit, boot):
    """Replicate r of unit u = weighted fit + 0-100 scoring + weighted mean on the resampled respondents
    (issue 13: the survey weights travel with their rows and weight the estimation, as in the fit)."""
    spec = fit.spec
    ctx, units = _context(fit)
    u = units[1]
    counts = bs._block_counts(ctx, u, "boot", 0)
    for r in (0, 17):
        rows = np.repeat(np.arange(u.n), counts[r].astype(int))
        df = pd.DataFrame(u.X[rows], columns=list(spec.item_ids))
        res = fit_sem_fast(df, spec, weights=u.v[rows])
        w = item_weights(spec, res.loadings, res.residual_variances)
        sc = latent_scores(df, spec, w)
        for j, lv in enumerate(spec.latent_ids):
            mean, _, _ = weighted_mean_se(sc[lv].to_numpy(), u.v[rows])
            assert boot.replicates[1, j, r] == pytest.approx(mean, abs=1e-8)
        est = res.estimates.set_index(["lhs", "op", "rhs"])
        for k, lab in enumerate(boot.stat_labels):
            if lab[0] == "est":
                assert boot.replicates[1, k, r] == pytest.approx(est.loc[lab[1:], "est"], abs=1e-8)
            elif lab[0] == "std_all":
                assert boot.replicates[1, k, r] == pytest.approx(est.loc[lab[1:], "std_all"], abs=1e-8)


def test_counts_resample_each_unit_with_replacement(fit):
    ctx, units = _context(fit)
    c = bs._block_counts(ctx, units[0], "boot", 1)
    assert c.shape == (10, units[0].n)  # block 1 holds replicates 50..59
    assert (c.sum(axis=1) == units[0].n).all()
    assert (c == 0).mean() == pytest.approx(np.exp(-1), abs=0.03)


def test_strata_keep_their_sizes(fit, survey):
    boot = bs.bootstrap(fit, n_boot=8, seed=1, strata=survey["region"], bca=False)
    ctx, units = _context(fit, strata=survey["region"])
    u = units[0]
    c = bs._block_counts(ctx, u, "boot", 0)
    for s in np.unique(u.strata):
        assert (c[:, u.strata == s].sum(axis=1) == (u.strata == s).sum()).all()
    plain = bs.bootstrap(fit, n_boot=8, seed=1, bca=False)
    assert not np.allclose(boot.replicates, plain.replicates, equal_nan=True)


def test_changes_are_differences_of_unit_replicates(boot):
    ch = boot.changes
    row = ch.query("company == 'B' and latent == 'CS'").iloc[0]
    assert (row["period_from"], row["period"]) == ("2025Q1", "2025Q2")
    keys = boot.unit_keys
    a, b = keys.index(("2025Q1", "B")), keys.index(("2025Q2", "B"))
    j = boot.stat_labels.index(("index", "CS", "", ""))
    d = boot._masked[b, j] - boot._masked[a, j]
    assert row["boot_se"] == pytest.approx(np.nanstd(d, ddof=1), rel=1e-12)
    assert row["change"] == pytest.approx(boot.published[b, j] - boot.published[a, j], rel=1e-12)


def test_aggregates_are_sales_weighted_means_of_unit_replicates(boot):
    agg = boot.aggregates
    ind = agg.query("level == 'industry' and unit == 'Airlines' and period == '2025Q1'").iloc[0]
    keys = boot.unit_keys
    j = boot.stat_labels.index(("index", "CS", "", ""))
    usable = boot._agg_usable  # converged with a defined index (inadmissible ones included)
    ia, ib = keys.index(("2025Q1", "A")), keys.index(("2025Q1", "B"))
    A = np.where(usable[ia], boot.replicates[ia, j], np.nan)
    B = np.where(usable[ib], boot.replicates[ib, j], np.nan)
    rep = (3.0 * A + 1.0 * B) / 4.0
    assert ind["n_used"] == np.isfinite(rep).sum()
    assert ind["boot_se"] == pytest.approx(np.nanstd(rep, ddof=1), rel=1e-12)
    assert ind["perc_lower"] == pytest.approx(np.nanquantile(rep, 0.025), rel=1e-12)
    # BCa acceleration of a linear combination from the units' jackknife moments
    ua, ub = keys.index(("2025Q1", "A")), keys.index(("2025Q1", "B"))
    m2 = (0.75**2) * boot.jack_m2[ua, j] + (0.25**2) * boot.jack_m2[ub, j]
    m3 = (0.75**3) * boot.jack_m3[ua, j] + (0.25**3) * boot.jack_m3[ub, j]
    assert ind["acceleration"] == pytest.approx(m3 / (6 * m2**1.5), rel=1e-10)


def test_national_change_replicates(boot):
    ch = boot.aggregate_changes.query("level == 'national' and lag == 1").iloc[0]
    nat = boot.aggregates.query("level == 'national'")
    assert ch["change"] == pytest.approx(nat["index"].iloc[1] - nat["index"].iloc[0], rel=1e-12)
    assert ch["boot_se"] > 0 and ch["n_used"] <= N_BOOT


def test_tables_have_labelled_numeric_columns(boot, tmp_path):
    idx = boot.indexes
    assert list(idx.columns[:5]) == ["period", "company", "industry", "sector", "latent"]
    for c in ("index", "se", "boot_se", "perc_lower", "perc_upper", "bca_lower", "bca_upper", "n_used"):
        assert pd.api.types.is_numeric_dtype(idx[c])
    h = boot.headline
    assert (h["perc_lower"] < h["index"]).all() and (h["index"] < h["perc_upper"]).all()
    assert (h["bca_lower"] < h["bca_upper"]).all()
    # analytic (sd/sqrt(n)) and bootstrap SEs of an index are of the same size
    assert ((h["boot_se"] / h["se"]).between(0.7, 1.4)).all()
    est = boot.estimates
    assert set(est["statistic"]) == {"est", "std_all"}
    paths = est.query("op == '~' and statistic == 'est'")
    assert len(paths) == 6 * 9 and paths["boot_se"].gt(0).all()
    written = boot.save(tmp_path)
    assert {p.name for p in written} >= {"bootstrap_indexes.csv", "bootstrap_aggregates.csv", "bootstrap_summary.txt"}
    back = pd.read_csv(tmp_path / "bootstrap_indexes.csv")
    assert len(back) == len(idx)
    assert "replicates used" in boot.summary().as_text()


# ----------------------------------------------------------------------------- failures
def _fragile_survey():
    """cc2 equals cc1 except in one row: resamples without that row have a singular covariance."""
    df = _survey(n=120).query("period == '2025Q1' and company == 'A'").copy()
    df["cc2"] = df["cc1"]
    i = df.index[5]
    df.loc[i, "cc2"] = 10.0 if df.loc[i, "cc1"] < 10 else 1.0
    return df


@pytest.fixture(scope="module")
def fragile_fit():
    with pytest.warns(acsi.AdmissibilityWarning, match="1 of 1 units inadmissible"):
        return acsi.fit(_fragile_survey(), acsi.parse_lavaan(ACSI_LAVAAN), unit="company", pooled=False)


def test_failed_replicates_are_counted_not_dropped_silently(fragile_fit):
    b = bs.bootstrap(fragile_fit, n_boot=40, seed=3, bca=False)
    c = b.counts.iloc[0]
    assert c["n_not_converged"] > 5  # about 37 % of resamples miss the one distinguishing row
    assert c["n_used"] + c["n_not_converged"] + c["n_inadmissible"] + c["n_unscorable"] == 40
    h = b.headline.iloc[0]
    assert h["n_used"] == c["n_used"] and h["n_not_converged"] == c["n_not_converged"]
    reps = b.index_replicates("CS")
    assert reps.filter(like="r").isna().sum(axis=1).iloc[0] == 40 - c["n_used"]
    assert "not converged" in b.summary().as_text()


def test_refit_policy_tries_again_and_still_counts(fragile_fit):
    b = bs.bootstrap(fragile_fit, n_boot=12, seed=3, bca=False, failed="refit")
    c = b.counts.iloc[0]
    assert c["n_refit"] >= c["n_not_converged"] > 0  # singular samples fail again with semopy


def test_keep_policy_uses_inadmissible_replicates(fit):
    keep = bs.bootstrap(fit, n_boot=N_BOOT, seed=7, failed="keep", bca=False)
    excl = bs.bootstrap(fit, n_boot=N_BOOT, seed=7, failed="exclude", bca=False)
    np.testing.assert_array_equal(keep.replicates, excl.replicates)
    n_inad = keep.counts["n_inadmissible"].to_numpy()
    np.testing.assert_array_equal(keep.counts["n_used"] - excl.counts["n_used"], n_inad)


# ----------------------------------------------------------------------------- formulas
def test_percentile_and_bca_formulas():
    rng = np.random.default_rng(0)
    reps = rng.gamma(4.0, size=(1, 4000))
    est = np.array([3.5])
    a = np.array([0.05])
    s = bs.summarise(reps, est, a, 0.9).iloc[0]
    assert s["perc_lower"] == pytest.approx(np.quantile(reps, 0.05), rel=1e-12)
    assert s["boot_se"] == pytest.approx(np.std(reps, ddof=1), rel=1e-12)
    z0 = stats.norm.ppf((reps < 3.5).mean())
    zl = stats.norm.ppf(0.05)
    ql = stats.norm.cdf(z0 + (z0 + zl) / (1 - 0.05 * (z0 + zl)))
    assert s["bca_lower"] == pytest.approx(np.quantile(reps, ql), rel=1e-12)
    assert s["z0"] == pytest.approx(z0, rel=1e-12)


def test_excluded_replicates_are_ignored_row_by_row():
    reps = np.array([[1.0, 2.0, np.nan, 4.0], [1.0, 1.0, 1.0, 1.0]])
    s = bs.summarise(reps, np.array([2.0, 1.0]), np.zeros(2), 0.95)
    assert list(s["n_used"]) == [3, 4]
    assert s.loc[0, "boot_se"] == pytest.approx(np.std([1, 2, 4], ddof=1))
    assert s.loc[1, "boot_se"] == 0 and s.loc[1, "bca_lower"] == 1.0 == s.loc[1, "bca_upper"]


def test_jackknife_acceleration_is_efrons_formula():
    rng = np.random.default_rng(2)
    x = rng.exponential(size=40)
    loo = (x.sum() - x) / (len(x) - 1)  # leave-one-out means
    m2, m3 = bs._jackknife_moments(loo[None, :])
    d = loo.mean() - loo
    expected = (d**3).sum() / (6 * ((d**2).sum()) ** 1.5)
    assert bs._acceleration(m2, m3)[0] == pytest.approx(expected, rel=1e-12)


# ----------------------------------------------------------------------------- PLS
def test_pls_units_are_refitted_through_the_pls_estimator(survey):
    fit = acsi.fit(survey.query("period == '2025Q1'"), acsi.parse_lavaan(ACSI_LAVAAN), unit="company",
                   estimator="pls", pooled=False)
    b = bs.bootstrap(fit, n_boot=6, seed=2, jackknife_groups=5)
    h = b.headline
    assert (h["n_used"] == 6).all() and h["boot_se"].between(0.3, 5).all()
    paths = b.estimates.query("op == '~'")
    assert len(paths) == 3 * 9 and paths["boot_se"].gt(0).all()


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "kwargs, exc, message",
    [
        ({"n_boot": 1}, ValueError, r"'n_boot' parameter of bootstrap must be an integer >= 2. Got 1"),
        ({"failed": "drop"}, ValueError, r"'failed' parameter of bootstrap must be one of \['exclude', 'refit', 'keep'\]. Got 'drop'"),
        ({"level": 1.5}, ValueError, r"'level' parameter of bootstrap must be in \(0, 1\). Got 1.5"),
        ({"n_jobs": 0}, ValueError, r"'n_jobs' parameter of bootstrap must be -1 \(all cores\) or a positive number of workers"),
        ({"jackknife_groups": 2}, ValueError, r"'jackknife_groups' parameter of bootstrap must be None or an integer >= 3"),
        ({"scheduler": 42}, AcsiError, r"scheduler must be None, a 'tcp://host:port' address or a dask.distributed.Client; got int"),
        ({"strata": "region"}, AcsiError, r"strata column\(s\) \['region'\] are not in the fitted data"),
        ({"strata": np.arange(5)}, AcsiError, r"one value per row of the original survey \(900 rows\); got an array of shape \(5,\)"),
    ],
)
def test_bad_options_are_refused(fit, kwargs, exc, message):
    if "scheduler" in kwargs:
        pytest.importorskip("distributed", reason="dask.distributed is an optional extra")
    base = {"n_boot": 4, "seed": 1}
    with pytest.raises(exc, match=message):
        bs.bootstrap(fit, **{**base, **kwargs})


def test_wrong_input_type_is_refused():
    with pytest.raises(AcsiError, match=r"bootstrap needs a FitResult from acsi.fit .*; got int"):
        bs.bootstrap(3, n_boot=4)


def test_no_estimated_unit_is_refused(survey):
    tiny = survey.groupby(["period", "company"]).head(12)
    with pytest.warns(acsi.ConvergenceWarning):
        fit = acsi.fit(tiny, acsi.parse_lavaan(ACSI_LAVAAN), unit="company", pooled=False)
    with pytest.raises(AcsiError, match=r"no unit can be bootstrapped: every unit failed in the fit .*too few respondents"):
        bs.bootstrap(fit, n_boot=4)


def test_data_are_refused_with_the_way_to_fit_first(survey):
    # the bootstrap takes a fitted result and never fits raw data itself (issue 10)
    one = survey.query("period == '2025Q1' and company == 'A'")
    with pytest.raises(AcsiError, match=r"bootstrap takes a fitted result, not survey data \(DataFrame\); .*acsi.fit\(.*"
                                        r"fit.bootstrap\("):
        bs.bootstrap(one, n_boot=3)
    fit = acsi.fit(one, acsi.parse_lavaan(ACSI_LAVAAN), unit="company", pooled=False)
    b = fit.bootstrap(n_boot=3, seed=1, bca=False)
    assert len(b.headline) == 1 and b.headline["n_used"].iloc[0] > 0


# ----------------------------------------------------------------------------- helpers
def _context(fit, strata=None):
    from acsi.estimate.mlfast import RamModel

    spec = fit.spec
    model = RamModel(spec)
    units, _ = bs._collect_units(fit, spec, strata, 1000, model)
    labels, ei, si = bs._stat_labels(spec, "sem", model, fit.outcomes)
    ctx = bs._Context(spec=spec, estimator="sem", model=model, seed_entropy=7, n_boot=N_BOOT, failed="exclude",
                      options={}, stat_labels=labels, est_index=ei, std_index=si,
                      lo=np.ones(len(spec.item_ids)), hi=np.full(len(spec.item_ids), 10.0))
    return ctx, units
