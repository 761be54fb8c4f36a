"""Sample sizes, allocation, stratified margin and samplers (tests/reference/methods_sampling)."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acsi.errors import MethodError
from acsi.methods import (
    allocate,
    sample_size_mean,
    sample_size_proportion,
    simple_random_sample,
    stratified_margin,
    stratified_sample,
    systematic_sample,
)

REF = Path(__file__).resolve().parents[1] / "reference" / "methods_sampling"
EXP = json.loads((REF / "expected.json").read_text())


def test_cochran_384_raw_and_ceiling():
    r = sample_size_proportion(0.5, 0.05, confidence=0.95)
    assert round(r.n0, 2) == 384.15          # exact z = 1.959964 (384.16 with z = 1.96)
    assert int(r.n0) == 384                   # Cochran's published "384"
    assert r.n == 385 and int(r) == 385       # what acsi returns: the ceiling
    assert r.n0 == pytest.approx(EXP["prop_p0.5_e0.05_c0.95"]["n0"], rel=1e-12)
    assert r.z == pytest.approx(1.959963984540054, rel=1e-12)
    assert r.population is None and r.n_fpc == r.n0


@pytest.mark.parametrize("key", [k for k in EXP if k.startswith("prop_p")])
def test_proportion_vs_statsmodels(key):
    e = EXP[key]
    r = sample_size_proportion(e["p"], e["margin"], confidence=e["confidence"])
    assert r.n0 == pytest.approx(e["n0"], rel=1e-9)
    assert r.n == e["n"]


@pytest.mark.parametrize("key", [k for k in EXP if k.startswith("prop_fpc")])
def test_finite_population(key):
    e = EXP[key]
    r = sample_size_proportion(population=e["population"])
    assert r.n_fpc == pytest.approx(e["n_fpc"], rel=1e-9)
    assert r.n == e["n"]
    s = r.to_series()
    assert s["population"] == e["population"]


@pytest.mark.parametrize("key", [k for k in EXP if k.startswith("mean_")])
def test_mean(key):
    e = EXP[key]
    r = sample_size_mean(e["sd"], e["margin"], population=e["population"])
    assert r.n0 == pytest.approx(e["n0"], rel=1e-9)
    assert r.n_fpc == pytest.approx(e["n_fpc"], rel=1e-9)
    assert r.n == e["n"]


def test_allocation_vs_quotas():
    a = EXP["allocation"]
    N = pd.Series(a["N"], index=["A", "B", "C"])
    prop = allocate(N, a["n"])
    assert prop.tolist() == [round(q) for q in a["proportional_quota"]] and prop.sum() == 100
    ney = allocate(N, a["n"], method="neyman", sd=a["sd"])
    assert ney.sum() == 100
    assert np.all(np.abs(ney.to_numpy() - np.array(a["neyman_quota"])) < 1)
    assert ney.tolist() == [38, 37, 25]   # 37.5/37.5/25: the earlier stratum wins the remainder


def test_allocation_largest_remainder_and_caps():
    assert allocate([500, 300, 200], 101).tolist() == [51, 30, 20]
    assert allocate({"x": 1, "y": 1, "z": 1}, 2).tolist() == [1, 1, 0]
    capped = allocate({"big": 1000, "tiny": 5}, 100, method="neyman", sd={"big": 1, "tiny": 1000})
    assert capped.tolist() == [95, 5]


@settings(max_examples=60, deadline=None)
@given(sizes=st.lists(st.integers(1, 500), min_size=1, max_size=8), frac=st.floats(0.01, 1.0),
       sds=st.lists(st.floats(0.0, 50.0), min_size=8, max_size=8))
def test_allocation_properties(sizes, frac, sds):
    n = max(1, int(frac * sum(sizes)))
    for method in ["proportional", "neyman"]:
        sd = sds[: len(sizes)] if method == "neyman" else None
        if sd is not None and sum(sd) == 0:
            continue
        out = allocate(sizes, n, method=method, sd=sd)
        assert out.sum() == n
        assert (out.to_numpy() <= np.array(sizes)).all() and (out >= 0).all()


def test_stratified_margin():
    e = EXP["stratified_margin"]
    r = stratified_margin(e["N"], e["sd"], e["n"])
    assert r["variance"] == pytest.approx(e["variance"], rel=1e-12)
    assert r["se"] == pytest.approx(e["se"], rel=1e-12)
    assert r["margin"] == pytest.approx(e["margin"], rel=1e-12)
    r2 = stratified_margin(e["N"], e["sd"], e["n"], fpc=False)
    assert r2["variance"] == pytest.approx(e["variance_nofpc"], rel=1e-12)
    named = stratified_margin({"a": 600, "b": 300, "c": 100}, {"c": 40, "a": 10, "b": 20}, {"b": 40, "a": 30, "c": 30})
    assert named["se"] == pytest.approx(e["se"], rel=1e-12)


FRAME = pd.DataFrame({"id": range(103), "region": ["n"] * 60 + ["s"] * 30 + ["w"] * 13})


def test_simple_random_sample_reproducible():
    a = simple_random_sample(FRAME, 10, seed=42)
    b = simple_random_sample(FRAME, 10, seed=42)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 10 and a["id"].is_unique and a.index.is_monotonic_increasing
    assert not simple_random_sample(FRAME, 10, seed=43).equals(a)
    assert len(simple_random_sample(list("abcdef"), 3, seed=0)) == 3


def test_systematic_sample_interval():
    s = systematic_sample(FRAME, 10, seed=7)
    assert len(s) == 10 and s["id"].is_unique
    gaps = np.diff(s["id"].to_numpy())
    assert set(gaps) <= {10, 11}   # k = 10.3
    exact = systematic_sample(FRAME.iloc[:100], 10, seed=1)
    assert set(np.diff(exact["id"].to_numpy())) == {10}


def test_systematic_sample_equal_inclusion():
    counts = np.zeros(103)
    for seed in range(2000):
        counts[systematic_sample(FRAME, 10, seed=seed)["id"].to_numpy()] += 1
    assert np.allclose(counts / 2000, 10 / 103, atol=0.03)


def test_stratified_sample():
    s = stratified_sample(FRAME, "region", 20, seed=3)
    assert s["region"].value_counts().to_dict() == allocate(FRAME.groupby("region", sort=False).size(), 20).to_dict()
    assert s["id"].is_unique
    pd.testing.assert_frame_equal(s, stratified_sample(FRAME, "region", 20, seed=3))
    ney = stratified_sample(FRAME, "region", 20, seed=3, method="neyman", sd={"n": 1, "s": 1, "w": 100})
    assert ney["region"].value_counts().to_dict() == {"n": 5, "s": 2, "w": 13}  # w capped at N_h = 13


@pytest.mark.parametrize("call, pattern", [
    (lambda: sample_size_proportion(margin=5), "margin must be a proportion"),
    (lambda: sample_size_proportion(p=1.5), "p must be within"),
    (lambda: sample_size_proportion(p=0.0), "no variance"),
    (lambda: sample_size_proportion(confidence=95), "confidence must be between 0 and 1"),
    (lambda: sample_size_proportion(population=0), "population must be a positive integer"),
    (lambda: sample_size_proportion(population=10.5), "population must be a positive integer"),
    (lambda: sample_size_mean(0, 1), "sd must be positive"),
    (lambda: sample_size_mean(1, -1), "margin must be positive"),
    (lambda: allocate([], 3), "empty"),
    (lambda: allocate([10, 0], 3), "positive integers"),
    (lambda: allocate([10, 10], 30), "exceeds the population size 20"),
    (lambda: allocate([10, 10], 0), "n must be a positive integer"),
    (lambda: allocate([10, 10], 5, method="optimal"), "'proportional' or 'neyman'"),
    (lambda: allocate([10, 10], 5, method="neyman"), "needs sd="),
    (lambda: allocate({"a": 10, "b": 10}, 5, method="neyman", sd={"a": 1}), "same strata"),
    (lambda: allocate([10, 10], 5, method="neyman", sd=[0, 0]), "at least one positive"),
    (lambda: stratified_margin([10, 10], [1, 1], [0, 5]), "at least 1 and at most N_h"),
    (lambda: stratified_margin({"a": 10}, {"b": 1}, {"a": 2}), "must name the same strata"),
    (lambda: simple_random_sample(pd.DataFrame(), 1), "frame .* is empty"),
    (lambda: simple_random_sample(FRAME, 500), "from 1 to the frame size 103"),
    (lambda: systematic_sample(FRAME, 0), "from 1 to the frame size"),
    (lambda: stratified_sample(FRAME, "segment", 5), r"strata column 'segment' not found"),
    (lambda: stratified_sample(FRAME.assign(region=[None] + ["n"] * 102), "region", 5), r"missing stratum at rows \[0\]"),
    (lambda: stratified_sample([1, 2], "x", 1), "must be a DataFrame"),
])
def test_errors(call, pattern):
    with pytest.raises(MethodError, match=pattern):
        call()
