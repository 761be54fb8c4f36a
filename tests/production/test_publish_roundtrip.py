"""publish(): three releases read back bit for bit; the national window of release 3 rests on the
stored company indexes of releases 1 and 2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import acsi
from acsi.store import history, open_store
from store_cases import PERIODS, publish_quarters, quiet, sales, survey

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    path = tmp_path_factory.mktemp("roundtrip") / "s.duckdb"
    return path, publish_quarters(path)


def _equal(a, b, what):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    assert a.shape == b.shape, what
    assert np.array_equal(a, b, equal_nan=True), f"{what}: max diff {np.nanmax(np.abs(a - b))}"


def test_every_company_figure_round_trips_bit_for_bit(three):
    path, results = three
    with open_store(path, read_only=True) as st:
        for res in results:
            f = st.table("figures", res.release_id)
            comp = f.loc[f["level"] == "company"].set_index(["period", "unit", "latent"]).sort_index()
            li = res.fit.latent_indexes.set_index(["period", "company", "latent"]).sort_index()
            assert list(comp.index) == list(li.index)
            for c in ("index", "se", "ci_lower", "ci_upper", "n"):
                _equal(comp[c], li[c], f"{res.release_id} company {c}")
            assert (comp["status"].to_numpy() == li["status"].to_numpy()).all()
            assert (comp["reason"].to_numpy() == li["reason"].fillna("").to_numpy()).all()
            assert (comp["ci_level"] == 0.95).all() and (comp["ci_method"] == "t").all()


def test_every_aggregate_figure_round_trips_bit_for_bit(three):
    path, results = three
    with open_store(path, read_only=True) as st:
        for res in results:
            f = st.table("figures", res.release_id)
            agg = f.loc[f["level"] != "company"].set_index(["level", "unit", "period"]).sort_index()
            tab = res.aggregate.table()
            tab = tab.loc[(tab["level"] != "company") & tab["period"].isin(res.published_periods)]
            tab = tab.set_index(["level", "unit", "period"]).sort_index()
            assert list(agg.index) == list(tab.index)
            for c, d in (("index", "index"), ("se", "se"), ("ci_lower", "ci_lower"), ("ci_upper", "ci_upper"),
                         ("n", "n_respondents"), ("weight", "weight"), ("weight_share", "weight_share"),
                         ("window_periods", "window_periods")):
                _equal(agg[c], tab[d], f"{res.release_id} aggregate {c}")
            ch = st.table("changes", res.release_id)
            ch = ch.loc[(ch["kind"] == "change") & (ch["level"] != "company")]
            exp = tab.loc[tab["change_p"].notna() | tab["change"].notna()]
            pub = ch.loc[ch["basis"] == "as_published"].set_index(["level", "unit", "period"]).sort_index()
            _equal(pub["change"], exp["change"], "change")
            _equal(pub["p"], exp["change_p"], "change p")
            mat = ch.loc[ch["basis"] == "matched"].set_index(["level", "unit", "period"]).sort_index()
            _equal(mat["change"], exp["change_matched"], "like-for-like change")
            _equal(mat["p"], exp["change_matched_p"], "like-for-like p")
            flags = [[None if pd.isna(x) else bool(x) for x in col] for col in (mat["significant"], exp["change_significant"])]
            assert flags[0] == flags[1]


def test_estimates_and_fit_measures_round_trip(three):
    path, results = three
    res = results[1]
    with open_store(path, read_only=True) as st:
        est = st.table("estimates", res.release_id).sort_values(["period", "unit", "row"])
        fm = st.table("fit_measures", res.release_id)
    e = res.fit.estimates.sort_values(["period", "company"], kind="stable")
    assert len(est) == len(e)
    for c in ("est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"):
        _equal(est[c], e[c], f"estimates {c}")
    assert (est["lhs"].to_numpy() == e["lhs"].to_numpy()).all()
    wide = fm.pivot(index=["period", "unit"], columns="measure", values="value")
    ref = res.fit.fit_measures.set_index(["period", "company"])
    for c in ("chisq", "cfi", "rmsea", "srmr", "logl"):
        _equal(wide[c].sort_index(), ref[c].sort_index(), f"fit measure {c}")


def test_national_window_of_release_3_uses_the_stored_units_of_releases_1_and_2(three):
    path, results = three
    r3 = results[2]
    with open_store(path, read_only=True) as st:
        keys = dict(zip(st.releases()["release_id"], st.releases()["release_key"]))
        m = st.table("measurements", r3.release_id)
    src = m.groupby("period")["source_release_key"].unique()
    assert list(src.loc["2025Q1"]) == [keys["2025Q1"]]
    assert list(src.loc["2025Q2"]) == [keys["2025Q2"]]
    assert list(src.loc["2025Q3"]) == [keys["2025Q3"]]
    # the same national figure as one aggregation of the three quarters fitted together
    with quiet():
        fit_all = acsi.fit(survey().loc[survey()["period"].isin(PERIODS[:3])], "acsi", unit="company")
    agg = acsi.aggregate(fit_all.indexes, sales(), partial_windows=True)
    nat = agg.table("national").set_index("period")
    f = r3.tables["figures"]
    got = f.loc[(f["level"] == "national") & (f["period"] == "2025Q3")].iloc[0]
    assert got["index"] == nat.loc["2025Q3", "index"]  # bit for bit
    assert got["se"] == nat.loc["2025Q3", "se"]
    assert got["window_periods"] == 3
    assert set(r3.stored["source_release"]) == {"2025Q1", "2025Q2"}


def test_history_returns_each_vintage(three):
    path, results = three
    h = history(path, "national")
    assert list(h.groupby("release_id", sort=False).size()) == [1, 2, 3]
    last = h.loc[h["release_id"] == "2025Q3"].set_index("period")
    assert list(last["published_in"]) == ["2025Q1", "2025Q2", "2025Q3"]
    for res in results:
        f = res.tables["figures"]
        v = f.loc[(f["level"] == "national"), "index"].iloc[0]
        assert last.loc[res.release_id, "index"] == v
    one = history(path, "Beta Jet", vintages=False)
    assert list(one["period"]) == ["2025Q1", "2025Q2", "2025Q3"]
    assert (one["latent"] == "CS").all()
    lv = history(path, "Beta Jet", latent="CL", vintages=False)
    assert (lv["latent"] == "CL").all() and len(lv) == 3


def test_carry_forward_reads_the_stored_measurement(tmp_path):
    """ACSI's rolling national (each unit's latest measurement of the year): a company not surveyed this
    quarter is carried from the stored release, exactly as one aggregation of both quarters would."""
    from acsi.production import publish
    from store_cases import quarter

    path = tmp_path / "s.duckdb"
    q2 = quarter("2025Q2")
    q2 = q2.loc[q2["company"] != "Gamma Inn"]
    with quiet():
        publish(quarter("2025Q1"), sales(), "acsi", path, "2025Q1", partial_windows=True, national="latest")
        r2 = publish(q2, sales(), "acsi", path, "2025Q2", partial_windows=True, national="latest")
        both = survey().loc[survey()["period"].isin(["2025Q1", "2025Q2"])]
        both = both.loc[~((both["period"] == "2025Q2") & (both["company"] == "Gamma Inn"))]
        fit = acsi.fit(both, "acsi", unit="company")
    agg = acsi.aggregate(fit.indexes, sales(), partial_windows=True, national="latest")
    ref = agg.table().set_index(["level", "unit", "period"])
    f = r2.tables["figures"]
    f = f.loc[f["level"] != "company"].set_index(["level", "unit", "period"]).sort_index()
    _equal(f["index"], ref.loc[f.index, "index"], "carried aggregates")
    _equal(f["se"], ref.loc[f.index, "se"], "carried aggregate SEs")
    m = r2.tables["measurements"]
    gamma = m.loc[(m["unit"] == "Gamma Inn") & (m["period"] == "2025Q2")].iloc[0]
    assert bool(gamma["carried"]) and gamma["measured_period"] == "2025Q1"
    assert f.loc[("industry", "Hotels", "2025Q2"), "n_carried"] == 1
    # like-for-like: the change of the hotels industry is reported on the matched set too
    ch = r2.tables["changes"]
    hot = ch.loc[(ch["unit"] == "Hotels") & (ch["kind"] == "change")].set_index("basis")
    assert set(hot.index) == {"as_published", "matched"} and bool(hot.loc["matched", "tested"])
