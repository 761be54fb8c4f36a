"""PLS multigroup analysis (acsi.estimate.pls_mga): MICOM steps 2-3, the permutation test of
path differences and Henseler's bootstrap MGA.

No R implementation is on this machine (cSEM, seminr are not installed), so every number is
checked against its definition computed another way: the observed statistics against separate
:func:`acsi.estimate.pls.fit_pls` fits of each group and of the pooled sample; permutation and
bootstrap replicates against refits of the permuted / resampled rows; Henseler's p against its
double sum; identical groups give c = 1 and differences 0.  The permutation tests' size is
checked by simulation (slow): under H0 the rejection rate of the 5% tests over 300 simulated
pairs of samples lies in the binomial band ``0.05 ± 2.58 sqrt(0.05 · 0.95 / 300)`` = [0.018,
0.082] (99% Monte Carlo band; an exact permutation test rejects with probability at most 0.05),
and a planted path difference is found.
"""

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.errors import DataError, InvalidParameterError
from acsi.estimate.pls import fit_pls
from acsi.estimate.pls_mga import BLOCK, _PERM, _BOOT2, henseler_p, pls_mga
from reference.cases import load_case

SPEC = acsi.load_model("acsi")


@pytest.fixture(scope="module")
def case():
    c = load_case("mg_invariance")
    return c.data, pls_mga(SPEC, c.data, "segment", n_perm=120, n_boot=100, seed=11)


def _fit(df):
    return fit_pls(df[list(SPEC.item_ids)], dict(SPEC.blocks), list(SPEC.paths), scale_bounds=dict(SPEC.scale_bounds))


def _c(w1, w2, R):
    return float(w1 @ R @ w2 / np.sqrt((w1 @ R @ w1) * (w2 @ R @ w2)))


def test_observed_statistics_equal_separate_fits(case):
    data, r = case
    assert r.groups == ("store", "online") and r.n == (400, 350)
    store, online = data[data["segment"] == "store"], data[data["segment"] == "online"]
    f1, f2, fp = _fit(store), _fit(online), _fit(pd.concat([store, online]))
    pt1, pt2 = f1.path_table, f2.path_table
    np.testing.assert_allclose(r.paths["est_1"], pt1["est"], atol=1e-10)
    np.testing.assert_allclose(r.paths["est_2"], pt2["est"], atol=1e-10)
    np.testing.assert_allclose(r.paths["difference"], pt1["est"].to_numpy() - pt2["est"].to_numpy(), atol=1e-10)
    R = fp.item_cor.to_numpy()
    W1, W2 = f1.outer_weights, f2.outer_weights
    for j, lv in enumerate(SPEC.latent_ids):
        assert r.micom["c"].iloc[j] == pytest.approx(_c(W1[lv].to_numpy(), W2[lv].to_numpy(), R), abs=1e-10)
    # step 3: the pooled model's composite scores, split by group (population variances)
    sc = fp.scores
    g = (pd.concat([store, online])["segment"] == "store").to_numpy()
    for j, lv in enumerate(SPEC.latent_ids):
        s = sc[lv].to_numpy()
        assert r.micom["mean_diff"].iloc[j] == pytest.approx(s[g].mean() - s[~g].mean(), abs=1e-10)
        assert r.micom["logvar_ratio"].iloc[j] == pytest.approx(np.log(s[g].var() / s[~g].var()), abs=1e-10)


def test_a_permutation_equals_refits_of_the_permuted_groups(case):
    data, r = case
    frame = pd.concat([data[data["segment"] == "store"], data[data["segment"] == "online"]], ignore_index=True)
    n, n1 = len(frame), 400
    fp = _fit(frame)
    R = fp.item_cor.to_numpy()
    for k in (0, 1, BLOCK + 3):  # the first permutations of blocks 0 and 1
        b, i = divmod(k, BLOCK)
        rng = np.random.default_rng(np.random.SeedSequence(11, spawn_key=(_PERM, b)))
        size = min(BLOCK, 120 - b * BLOCK)
        perm = rng.permuted(np.tile(np.arange(n), (size, 1)), axis=1)[i]
        sel = np.zeros(n, bool)
        sel[perm[:n1]] = True
        f1, f2 = _fit(frame[sel]), _fit(frame[~sel])
        d = f1.path_table["est"].to_numpy() - f2.path_table["est"].to_numpy()
        np.testing.assert_allclose(r.permutations["path_diff"][k], d, atol=1e-9)
        cs = [_c(f1.outer_weights[lv].to_numpy(), f2.outer_weights[lv].to_numpy(), R) for lv in SPEC.latent_ids]
        np.testing.assert_allclose(r.permutations["c"][k], cs, atol=1e-9)
        s = fp.scores.to_numpy()
        np.testing.assert_allclose(r.permutations["mean_diff"][k], s[sel].mean(0) - s[~sel].mean(0), atol=1e-10)


def test_a_bootstrap_replicate_equals_a_refit_of_the_resampled_group(case):
    data, r = case
    online = data[data["segment"] == "online"].reset_index(drop=True)
    rng = np.random.default_rng(np.random.SeedSequence(11, spawn_key=(_BOOT2, 0)))
    idx = rng.integers(0, len(online), size=len(online))
    f = _fit(online.iloc[idx])
    np.testing.assert_allclose(r.bootstrap["path_2"][0], f.path_table["est"], atol=1e-9)


def test_p_values_follow_their_definitions(case):
    _data, r = case
    B = r.counts["perm_used"]
    assert B == 120 and r.counts["boot_used_1"] == r.counts["boot_used_2"] == 100
    d = r.paths["difference"].to_numpy()
    pd_ = r.permutations["path_diff"]
    np.testing.assert_allclose(r.paths["p_permutation"], (1 + (np.abs(pd_) >= np.abs(d) - 1e-12).sum(0)) / (1 + B))
    c = r.micom["c"].to_numpy()
    np.testing.assert_allclose(r.micom["p_composition"], (1 + (r.permutations["c"] <= c + 1e-12).sum(0)) / (1 + B))
    assert (r.micom["compositional"] == (r.micom["p_composition"] >= 0.05)).all()
    for k in range(len(r.paths)):
        b1, b2 = r.bootstrap["path_1"][:, k], r.bootstrap["path_2"][:, k]
        brute = 1 - np.mean((2 * b1.mean() - b1[:, None] - 2 * b2.mean() + b2[None, :]) > 0)
        assert r.paths["p_henseler"].iloc[k] == pytest.approx(brute, abs=1e-12)
        assert r.paths["boot_se_1"].iloc[k] == pytest.approx(b1.std(ddof=1))
    ph = r.paths["p_henseler"].to_numpy()
    np.testing.assert_allclose(r.paths["p_henseler_two_sided"], 2 * np.minimum(ph, 1 - ph))
    assert henseler_p(np.array([1.0, 1.1, 0.9]), np.array([0.0, 0.1, -0.1])) == 0.0


def test_the_planted_path_difference_is_found(case):
    """mg_invariance plants PV -> CS 0.30 (store) vs 0.45 (online)."""
    data, _r = case
    r = pls_mga(SPEC, data, "segment", n_perm=500, n_boot=500, seed=5)
    row = r.paths.set_index(["from", "to"]).loc[("PV", "CS")]
    assert row["difference"] < 0
    assert row["p_permutation"] < 0.05 and row["p_henseler_two_sided"] < 0.05
    assert row["p_henseler"] > 0.95  # one-sided H1 store > online: the other way
    others = r.paths[(r.paths["from"] != "PV") | (r.paths["to"] != "CS")]
    assert (others["p_permutation"] > 0.05).mean() >= 0.7


def test_identical_groups_give_perfect_invariance():
    c = load_case("mg_invariance")
    half = c.data[c.data["segment"] == "store"].drop(columns="segment")
    twin = pd.concat([half.assign(g="a"), half.assign(g="b")], ignore_index=True)
    r = pls_mga(SPEC, twin, "g", n_perm=60, n_boot=0, seed=1)
    np.testing.assert_allclose(r.micom["c"], 1.0, atol=1e-12)
    np.testing.assert_allclose(r.micom[["mean_diff", "logvar_ratio"]], 0.0, atol=1e-12)
    np.testing.assert_allclose(r.paths["difference"], 0.0, atol=1e-12)
    assert (r.paths["p_permutation"] == 1.0).all() and (r.micom["p_mean"] == 1.0).all()
    assert (r.micom["invariance"] == "full").all() and r.paths["p_henseler"].isna().all()


def test_same_seed_same_bits_for_any_worker_count(case):
    data, r = case
    again = pls_mga(SPEC, data, "segment", n_perm=120, n_boot=100, seed=11, n_jobs=2)
    pd.testing.assert_frame_equal(r.paths, again.paths, check_exact=True)
    pd.testing.assert_frame_equal(r.micom, again.micom, check_exact=True)
    other = pls_mga(SPEC, data, "segment", n_perm=120, n_boot=0, seed=12)
    assert not np.array_equal(other.permutations["path_diff"], r.permutations["path_diff"])


def test_bad_input_is_refused_naming_the_group():
    c = load_case("mg_invariance")
    data = c.data
    with pytest.raises(DataError, match=r"has one level \('store'\)"):
        pls_mga(SPEC, data[data["segment"] == "store"], "segment", n_perm=19)
    few = pd.concat([data[data["segment"] == "store"], data[data["segment"] == "online"].head(10)])
    with pytest.raises(DataError, match=r"group 'online' of 'segment' has 10 respondent"):
        pls_mga(SPEC, few, "segment", n_perm=19)
    flat = data.copy()
    flat.loc[flat["segment"] == "store", "pv1"] = 7
    with pytest.raises(DataError, match=r"in group 'store' of 'segment' the item\(s\) pv1 are constant"):
        pls_mga(SPEC, flat, "segment", n_perm=19)
    three = data.assign(segment=np.where(np.arange(len(data)) % 3 == 0, "phone", data["segment"]))
    with pytest.raises(DataError, match="has 3 groups .* pass groups=\\[a, b\\]"):
        pls_mga(SPEC, three, "segment", n_perm=19)
    with pytest.raises(InvalidParameterError, match="'n_perm'"):
        pls_mga(SPEC, data, "segment", n_perm=5)
    with pytest.raises(InvalidParameterError, match="'options'"):
        pls_mga(SPEC, data, "segment", options={"scheme": "path", "mode": "B"})
    with pytest.raises(InvalidParameterError, match="'groups'"):
        pls_mga(SPEC, data, "segment", groups=["store", "phone"])


def _simulate_pair(seed: int, n: int, paths=None):
    from reference._simdata import ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, survey

    a, rng = survey(ACSI_LATENTS, ACSI_LOADINGS, ACSI_PATHS, n, seed)
    b, _ = survey(ACSI_LATENTS, ACSI_LOADINGS, {**ACSI_PATHS, **(paths or {})}, n, seed, rng=rng)
    return pd.concat([a.assign(g="a"), b.assign(g="b")], ignore_index=True)


@pytest.mark.slow
def test_size_of_the_permutation_tests_under_h0():
    """300 pairs of samples (n = 150 each) from one population, 199 permutations each: the
    rejection rates of the 5% permutation test of PV -> CS, of MICOM's step 2 (CS) and of its
    mean and variance tests (CS) are within the 99% Monte Carlo band [0.018, 0.082]."""
    rej = {"path": 0, "composition": 0, "mean": 0, "var": 0}
    pairs = 300
    for s in range(pairs):
        df = _simulate_pair(20_000 + s, 150)
        r = pls_mga(SPEC, df, "g", n_perm=199, n_boot=0, seed=s)
        p = r.paths.set_index(["from", "to"]).loc[("PV", "CS"), "p_permutation"]
        m = r.micom.set_index("latent").loc["CS"]
        rej["path"] += p <= 0.05
        rej["composition"] += m["p_composition"] <= 0.05
        rej["mean"] += m["p_mean"] <= 0.05
        rej["var"] += m["p_var"] <= 0.05
    band = (0.05 - 2.58 * np.sqrt(0.05 * 0.95 / pairs), 0.05 + 2.58 * np.sqrt(0.05 * 0.95 / pairs))
    for k, v in rej.items():
        assert band[0] <= v / pairs <= band[1], (k, v / pairs, band)


@pytest.mark.slow
def test_power_against_a_planted_path_difference():
    """PV -> CS 0.30 vs 0.55 (PQ -> CS 0.50 vs 0.25, n = 500 each): the permutation test and Henseler's MGA reject in
    most of 20 simulated pairs."""
    hits_perm = hits_h = 0
    for s in range(20):
        df = _simulate_pair(30_000 + s, 500, {("PV", "CS"): 0.55, ("PQ", "CS"): 0.25})
        r = pls_mga(SPEC, df, "g", n_perm=199, n_boot=199, seed=s)
        row = r.paths.set_index(["from", "to"]).loc[("PV", "CS")]
        hits_perm += row["p_permutation"] <= 0.05
        hits_h += row["p_henseler_two_sided"] <= 0.05
    assert hits_perm >= 16 and hits_h >= 16
