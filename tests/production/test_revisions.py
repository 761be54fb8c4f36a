"""Revisions: a re-estimation with changed weights lists exactly the changed figures, with the reason."""

from __future__ import annotations

import numpy as np
import pytest

from acsi.production import publish
from acsi.store import history, open_store, revisions
from store_cases import quiet, sales, survey

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def revised(tmp_path_factory):
    path = tmp_path_factory.mktemp("revisions") / "s.duckdb"
    h1 = survey().loc[survey()["period"].isin(["2025Q1", "2025Q2"])].reset_index(drop=True)
    with quiet():
        r1 = publish(h1, sales(), "acsi", path, "2025H1", partial_windows=True)
        r2 = publish(h1, sales(Gamma_Inn=16.0), "acsi", path, "2025H1-rev", partial_windows=True,
                     notes="Gamma Inn's sales corrected")
    return path, h1, r1, r2


def _changed(a, b):
    ta, tb = a.aggregate.table(), b.aggregate.table()
    ta = ta.loc[ta["level"] != "company"].set_index(["level", "unit", "period"])
    tb = tb.loc[tb["level"] != "company"].set_index(["level", "unit", "period"])
    same = np.ones(len(ta), dtype=bool)
    for c in ("index", "se", "ci_lower", "ci_upper"):
        a, b = ta[c].to_numpy(dtype=float), tb[c].to_numpy(dtype=float)
        same &= (a == b) | (np.isnan(a) & np.isnan(b))
    return set(ta.index[~same])


def test_changed_weights_list_exactly_the_changed_figures(revised):
    path, _, r1, r2 = revised
    rev = revisions(path, "2025H1", "2025H1-rev")
    expected = _changed(r1, r2)
    got = set(zip(rev["level"], rev["unit"], rev["period"]))
    assert got == expected
    # the hotels industry, its sector and the national figures moved; airlines, banks did not
    assert ("industry", "Hotels", "2025Q2") in got and ("sector", "Accommodation", "2025Q1") in got
    assert ("national", "national", "2025Q2") in got
    assert not any(u in ("Airlines", "Banks", "Transportation", "Finance") for _, u, _ in got)
    assert not (rev["level"] == "company").any()  # same respondents, same model: company figures unchanged
    assert (rev["reason"] == "new weights").all()
    assert rev["detail"].str.contains("Gamma Inn").any()
    r = rev.set_index(["level", "unit", "period"])
    ta = r2.aggregate.table().set_index(["level", "unit", "period"])
    tb = r1.aggregate.table().set_index(["level", "unit", "period"])
    for k in r.index:
        assert r.loc[k, "revision"] == ta.loc[k, "index"] - tb.loc[k, "index"]
        assert r.loc[k, "published_from"] == "2025H1" and r.loc[k, "published_to"] == "2025H1-rev"


def test_new_respondents_are_new_data_and_other_quarters_are_untouched(revised, tmp_path):
    path, h1, _, _ = revised
    p = tmp_path / "s.duckdb"
    p.write_bytes(path.read_bytes())
    # a corrected file for one company of 2025Q2 (15 respondents withdrawn): enough to republish the quarter
    beta = h1.loc[(h1["period"] == "2025Q2") & (h1["company"] == "Beta Jet")].iloc[15:]
    with quiet():
        publish(beta, sales().iloc[[1]], "acsi", p, "2025Q2-fix", partial_windows=True)
    rev = revisions(p, "2025H1-rev", "2025Q2-fix")
    assert set(rev["period"]) == {"2025Q2"}
    comp = rev.loc[rev["level"] == "company"]
    assert set(comp["unit"]) == {"Beta Jet"} and len(comp) == 6  # every latent of the re-surveyed unit
    assert (comp["reason"] == "new data").all()
    agg = rev.loc[rev["level"] != "company"]
    assert set(zip(agg["level"], agg["unit"])) == {("industry", "Airlines"), ("sector", "Transportation"),
                                                 ("national_quarter", "national"), ("national", "national")}
    assert (agg["reason"] == "new data").all()
    # the other companies of 2025Q2 were read from the store, not re-fitted
    with open_store(p, read_only=True) as st:
        m = st.table("measurements", "2025Q2-fix")
        keys = dict(zip(st.releases()["release_id"], st.releases()["release_key"]))
    src = m.loc[m["period"] == "2025Q2"].set_index("unit")["source_release_key"]
    assert src["Beta Jet"] == keys["2025Q2-fix"]
    assert (src.drop("Beta Jet") == keys["2025H1-rev"]).all()
    h = history(p, "Beta Jet", vintages=False)
    assert list(h["release_id"]) == ["2025H1", "2025H1", "2025H1-rev", "2025H1-rev", "2025Q2-fix"]


def test_another_engine_on_the_same_data_is_a_re_estimation(revised, tmp_path):
    path, h1, _, _ = revised
    p = tmp_path / "s.duckdb"
    p.write_bytes(path.read_bytes())
    with quiet():
        # the default engine is acsi's own (mlfast): the other one is semopy
        publish(h1, sales(Gamma_Inn=16.0), "acsi", p, "2025H1-semopy", partial_windows=True,
                fit_options={"options": {"engine": "semopy"}})
    rev = revisions(p, "2025H1-rev", "2025H1-semopy")
    assert len(rev) and set(rev["reason"]) == {"re-estimation"}
    assert rev["revision"].abs().max() < 1e-4  # the engines agree to optimizer tolerance


def test_no_change_no_revision(revised):
    path, _, _, _ = revised
    assert revisions(path, "2025H1", "2025H1").empty
