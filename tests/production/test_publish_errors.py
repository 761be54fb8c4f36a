"""Bad input to publish: an existing release id, another model for stored periods, another calendar."""

from __future__ import annotations

import pytest

import acsi
from acsi.production import publish
from acsi.store import ReleaseExistsError, StoreError, history, open_store, releases, revisions
from conftest import ACSI_LAVAAN
from store_cases import publish_quarters, quarter, quiet, sales, survey

pytestmark = pytest.mark.slow

# the ACSI model without the CE -> CS path: another model for the same items
OTHER_MODEL = ACSI_LAVAAN.replace("CS ~ CE + PQ + PV", "CS ~ PQ + PV")


@pytest.fixture(scope="module")
def q1_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("errors") / "s.duckdb"
    publish_quarters(path, periods=["2025Q1"])
    return path


@pytest.fixture
def store(q1_store, tmp_path):
    p = tmp_path / "s.duckdb"
    p.write_bytes(q1_store.read_bytes())
    return p


def _dump(path):
    with open_store(path, read_only=True) as st:
        return st.dump()


def test_an_existing_release_id_is_refused_before_fitting(store, monkeypatch):
    import acsi.fitting

    def no_fit(*a, **k):  # the refusal comes first: nothing is fitted
        raise AssertionError("fitted although the release exists")

    monkeypatch.setattr(acsi.fitting, "fit", no_fit)
    before = _dump(store)
    with pytest.raises(ReleaseExistsError, match=r"release '2025Q1' is already in the history store.*replace=True"):
        publish(quarter("2025Q1"), sales(), "acsi", store, "2025Q1", partial_windows=True)
    assert before["releases"].equals(_dump(store)["releases"])


def test_replace_keeps_the_old_release_as_superseded(store):
    with quiet():
        publish(quarter("2025Q1"), sales(Beta_Jet=40.0), "acsi", store, "2025Q1", partial_windows=True, replace=True,
                notes="sales corrected")
    rel = releases(store, include_superseded=True)
    assert list(rel["release_id"]) == ["2025Q1", "2025Q1"]
    assert list(rel["status"]) == ["superseded", "current"]
    assert rel["superseded_by"].iloc[0] == rel["release_key"].iloc[1]
    assert len(releases(store)) == 1
    # the superseded figures stay readable by key; the vintage uses the replacement
    h = history(store, "Airlines")
    assert list(h["release_key"]) == [2]
    rev = revisions(store, "#1", "2025Q1")
    assert len(rev) and set(rev["reason"]) == {"new weights"}
    with open_store(store, read_only=True) as st:
        assert len(st.table("figures", 1)) == len(st.table("figures", 2))


def test_periods_already_in_the_store_under_another_model(store):
    before = _dump(store)
    other = acsi.parse_lavaan(OTHER_MODEL, name="acsi_no_ce_cs")
    with quiet(), pytest.raises(StoreError, match=r"periods \['2025Q1'\] are already in the history store under another "
                                                  r"model: release '2025Q1' used model 'acsi'.*method_change=True"):
        publish(quarter("2025Q1"), sales(), other, store, "2025Q1-b", partial_windows=True)
    assert before["figures"].equals(_dump(store)["figures"])
    with quiet(), pytest.raises(StoreError, match=r"national window and carry-forward would combine"):
        publish(quarter("2025Q2"), sales(), other, store, "2025Q2", partial_windows=True)
    with quiet():
        publish(quarter("2025Q1"), sales(), other, store, "2025Q1-b", partial_windows=True, method_change=True)
    rev = revisions(store, "2025Q1", "2025Q1-b")
    assert len(rev) and set(rev["reason"]) == {"method change"}


def test_another_calendar_is_refused(store):
    df = survey().loc[survey()["period"] == "2025Q2"].assign(period="2025")
    with quiet(), pytest.raises(StoreError, match=r"period frequency \['Q'\].*frequency 'Y'"):
        publish(df, sales(), "acsi", store, "2025", partial_windows=True)


def test_bad_arguments(store):
    with pytest.raises(StoreError, match="needs a release id"):
        publish(quarter("2025Q2"), sales(), "acsi", store, None)
    with pytest.raises(acsi.errors.InvalidParameterError, match=r"The 'bootstrap' parameter of publish must be 0 \(no "
                                                                 r"bootstrap\) or an integer >= 2\. Got 1 instead\."):
        publish(quarter("2025Q2"), sales(), "acsi", store, "x", bootstrap=1)
    with pytest.raises(acsi.errors.InvalidParameterError, match="'release_date' parameter of publish"):
        publish(quarter("2025Q2"), sales(), "acsi", store, "x", release_date="not-a-date")
    with pytest.raises(acsi.DataError, match="no period column 'quarter'"):
        publish(quarter("2025Q2"), sales(), "acsi", store, "x", period="quarter")
    with pytest.raises(StoreError, match="starting with '#'"):
        publish(quarter("2025Q2"), sales(), "acsi", store, "#3")
