"""publish(..., bootstrap=B): the aggregates of a release combine this release's replicates with the
stored replicates of earlier releases, and equal the bootstrap of all quarters fitted at once."""

from __future__ import annotations

import json

import numpy as np
import pytest

import acsi
from acsi.production import publish
from acsi.store import open_store
from store_cases import quarter, quiet, sales, survey

pytestmark = pytest.mark.slow
B, SEED, JACK = 40, 3, {"jackknife_groups": 20}


@pytest.fixture(scope="module")
def boot_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("boot") / "s.duckdb"
    with quiet():
        r1 = publish(quarter("2025Q1"), sales(), "acsi", path, "2025Q1", partial_windows=True, bootstrap=B, seed=SEED,
                     bootstrap_options=JACK)
        r2 = publish(quarter("2025Q2"), sales(), "acsi", path, "2025Q2", partial_windows=True, bootstrap=B, seed=SEED,
                     bootstrap_options=JACK)
        fit = acsi.fit(survey().loc[survey()["period"].isin(["2025Q1", "2025Q2"])], "acsi", unit="company")
        ref = acsi.bootstrap.bootstrap(fit, n_boot=B, seed=SEED, weights=sales(),
                                       aggregate_options={"partial_windows": True}, **JACK)
    return path, r1, r2, ref


def test_aggregates_combine_stored_replicates_exactly(boot_store):
    path, _, r2, ref = boot_store
    a = ref.aggregates
    a = a.loc[(a["period"] == "2025Q2") & (a["level"] != "company")].set_index(["level", "unit"]).sort_index()
    f = r2.tables["figures"]
    f = f.loc[f["level"] != "company"].set_index(["level", "unit"]).sort_index()
    assert list(f.index) == list(a.index)
    for c, d in (("boot_se", "boot_se"), ("perc_lower", "perc_lower"), ("bca_lower", "bca_lower"),
                 ("bca_upper", "bca_upper"), ("boot_n_used", "n_used")):
        assert np.array_equal(f[c].to_numpy(dtype=float), a[d].to_numpy(dtype=float)), c
    # the national window of 2025Q2 rests on the replicates of both quarters
    assert f.loc[("national", "national"), "window_periods"] == 2


def test_company_intervals_and_stored_replicates(boot_store):
    path, r1, _, ref = boot_store
    bi = ref.indexes.set_index(["period", "company", "latent"])
    f = r1.tables["figures"]
    f = f.loc[f["level"] == "company"].set_index(["period", "unit", "latent"])
    assert np.array_equal(f["boot_se"].to_numpy(), bi.loc[f.index, "boot_se"].to_numpy())
    with open_store(path, read_only=True) as st:
        reps = st.table("replicates", "2025Q1")
        opts = json.loads(st.releases()["options"].iloc[1])
    assert len(reps) == 5 and all(len(v) == B for v in reps["values"]) and (reps["seed"] == SEED).all()
    assert opts["bootstrap_aggregates"] == "computed"


def test_aggregates_without_stored_replicates_are_not_bootstrapped(boot_store, tmp_path):
    path, *_ = boot_store
    p = tmp_path / "s.duckdb"
    p.write_bytes(path.read_bytes())
    with quiet():
        r = publish(quarter("2025Q3"), sales(), "acsi", p, "2025Q3", partial_windows=True, bootstrap=20, seed=1,
                    bootstrap_options=JACK)
    f = r.tables["figures"]
    assert f.loc[f["level"] == "company", "boot_se"].notna().all()
    assert f.loc[f["level"] != "company", "boot_se"].isna().all() if "boot_se" in f else True
    with open_store(p, read_only=True) as st:
        opts = json.loads(st.releases()["options"].iloc[-1])
    assert opts["bootstrap_aggregates"].startswith("not computed: no stored replicates")
