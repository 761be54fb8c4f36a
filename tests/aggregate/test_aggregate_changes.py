"""Like-for-like changes (issue 13 item 3), headline status, carry-forward and the window (item 4).

Every number is computed by hand in the comments.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from acsi.aggregate import aggregate
from acsi.errors import AggregationError

ATOL = 1e-9
DATA = Path(__file__).resolve().parent / "data"


def _row(tab, level, unit, period):
    sub = tab.loc[(tab["level"] == level) & (tab["unit"] == unit) & (tab["period"] == period)]
    assert len(sub) == 1, (level, unit, period, len(sub))
    return sub.iloc[0]


@pytest.fixture
def composition():
    """Industry air: A (sales 2), B (1), C (1); industry rail: D (4); one sector. C's 2025Q2 fit is
    inadmissible (a negative residual variance in its loyalty block), its satisfaction index sound."""
    idx = pd.DataFrame({
        "period": ["2025Q1"] * 4 + ["2025Q2"] * 4, "company": ["A", "B", "C", "D"] * 2,
        "industry": ["air", "air", "air", "rail"] * 2, "sector": "transport",
        "index": [80.0, 84.0, 70.0, 60.0, 79.0, 83.0, 70.0, 62.0], "se": 0.5, "n": 250,
        "status": ["ok"] * 6 + ["inadmissible", "ok"],
        "reason": [""] * 6 + ["negative residual variance: CL block", ""],
    })
    sales = pd.DataFrame({"company": ["A", "B", "C", "D"], "sales": [2.0, 1.0, 1.0, 4.0]})
    return idx, sales


def test_composition_change_matched_set_and_flag(composition):
    idx, sales = composition
    res = aggregate(idx, sales, window=1)
    air = _row(res.table(), "industry", "air", "2025Q2")
    # published: 2025Q1 (2*80 + 84 + 70)/4 = 78.5; 2025Q2 without C: (2*79 + 83)/3 = 80.3333 -> +1.8333
    assert air["change"] == pytest.approx(241 / 3 - 78.5, abs=ATOL)
    # matched {A, B}: 2025Q1 (160 + 84)/3 = 81.3333, 2025Q2 80.3333 -> -1.0
    assert air["change_matched"] == pytest.approx(-1.0, abs=ATOL)
    assert air["change_composition"] == pytest.approx(241 / 3 - 78.5 + 1.0, abs=ATOL)
    assert bool(air["change_composition_changed"]) and air["change_n_matched"] == 2
    # se, published: coefficients Q2 A 2/3 B 1/3, Q1 A 1/2 B 1/4 C 1/4 -> (4/9 + 1/9 + 1/4 + 1/16 + 1/16) * 0.25
    v_pub = (5 / 9 + 0.375) * 0.25
    assert air["change_se"] ** 2 == pytest.approx(v_pub, abs=ATOL)
    # se, matched: A 2/3 and B 1/3 on both sides, independent measurements -> 2 * (4/9 + 1/9) * 0.25
    v_m = 2 * (5 / 9) * 0.25
    assert air["change_matched_se"] ** 2 == pytest.approx(v_m, abs=ATOL)
    p_pub = 2 * stats.norm.sf(abs(air["change"]) / math.sqrt(v_pub))
    p_m = 2 * stats.norm.sf(1.0 / math.sqrt(v_m))
    assert air["change_p"] == pytest.approx(p_pub, rel=1e-9) and p_pub < 0.001  # z = 3.80: "significant"
    assert air["change_matched_p"] == pytest.approx(p_m, rel=1e-9) and p_m > 0.05  # z = -1.90
    # the headline test uses the matched set: the published "significance" is the composition change
    assert not bool(air["change_significant"])
    assert bool(_row(aggregate(idx, sales, window=1, change_test="published").table(), "industry", "air", "2025Q2")
                ["change_significant"])
    # rail: D in both quarters -> nothing changed in composition, matched = published = 2
    rail = _row(res.table(), "industry", "rail", "2025Q2")
    assert rail["change_matched"] == pytest.approx(2.0) == rail["change"] and not bool(rail["change_composition_changed"])
    assert rail["change_composition"] == pytest.approx(0.0, abs=ATOL)
    # national: Q1 (160 + 84 + 70 + 240)/8 = 69.25; Q2 (158 + 83 + 248)/7 = 69.857 -> +0.6071
    # matched {A, B, D}: Q1 (160 + 84 + 240)/7 = 69.1429, Q2 69.857 -> +5/7
    nat = _row(res.table(), "national", "national", "2025Q2")
    assert nat["change"] == pytest.approx(489 / 7 - 69.25, abs=ATOL)
    assert nat["change_matched"] == pytest.approx(5 / 7, abs=ATOL) and nat["change_n_matched"] == 3
    assert bool(nat["change_composition_changed"])
    # the composition section of the summary lists the industry, sector and national changes
    text = str(res.summary())
    assert "Changes whose composition changed (4;" in text


def test_withheld_unit_stays_in_the_table_with_its_reason(composition):
    idx, sales = composition
    res = aggregate(idx, sales, window=1)
    c2 = _row(res.table(), "company", "C", "2025Q2")
    assert c2["status"] == "withheld" and np.isnan(c2["index"]) and not c2["published"]
    assert c2["reason"] == "status 'inadmissible': negative residual variance: CL block"
    assert c2["n_respondents"] == 250 and c2["parent"] == "air" and c2["n_units"] == 0
    assert len(res.table("company")) == 8 and res.excluded["company"].tolist() == ["C"]
    # the coefficient rows still follow the table: the withheld row is a zero row
    assert res.coefficients[c2.name].nnz == 0
    np.testing.assert_allclose(res.combine(res.measurements["index"]), res.table()["index"], atol=1e-12)


def test_headline_status_keeps_a_sound_headline_index(composition):
    idx, sales = composition
    # the fit's unit status says inadmissible, the headline (satisfaction) index's own status is ok
    idx = idx.assign(headline_status=["ok"] * 8, headline_reason="")
    res = aggregate(idx, sales, window=1)
    assert res.options["status_column"] == "headline_status" and len(res.excluded) == 0
    air = _row(res.table(), "industry", "air", "2025Q2")
    # (2*79 + 83 + 70)/4 = 77.75; change from 78.5 = -0.75; nothing left the industry
    assert air["index"] == pytest.approx(77.75, abs=ATOL) and air["change"] == pytest.approx(-0.75, abs=ATOL)
    assert air["change_matched"] == pytest.approx(-0.75, abs=ATOL) and not bool(air["change_composition_changed"])
    # status= names the column explicitly
    assert len(aggregate(idx, sales, window=1, status="status").excluded) == 1
    with pytest.raises(AggregationError, match=r"status='loyalty_status' names no column"):
        aggregate(idx, sales, window=1, status="loyalty_status")


def test_per_latent_table_aggregates_one_latent_with_its_own_status(composition):
    idx, sales = composition
    cs = idx.assign(latent="CS", status="ok", reason="")
    cl = idx.assign(latent="CL", index=idx["index"] - 10)  # C's loyalty index withheld in 2025Q2
    long = pd.concat([cs, cl], ignore_index=True)
    with pytest.raises(AggregationError, match=r"holds 2 latents \['CS', 'CL'\].*latent='CS'"):
        aggregate(long, sales, window=1)
    sat = aggregate(long, sales, window=1, latent="CS")
    assert len(sat.excluded) == 0 and sat.options["latent"] == "CS"
    assert _row(sat.table(), "industry", "air", "2025Q2")["index"] == pytest.approx(77.75, abs=ATOL)
    loy = aggregate(long, sales, window=1, latent="CL")
    # the withheld loyalty row keeps its position in the input table (row 14 of the long table)
    assert loy.excluded[["row", "company", "period"]].values.tolist() == [[14, "C", "2025Q2"]]
    assert _row(loy.table(), "company", "C", "2025Q2")["status"] == "withheld"
    assert loy.measurements["row"].min() == 8  # rows 0-7 are the CS rows
    with pytest.raises(AggregationError, match=r"latent='PV' is not in the indexes table's 'latent' column"):
        aggregate(long, sales, window=1, latent="PV")

    class FitLike:  # a FitResult: latent= picks its latent_indexes
        indexes = cs.drop(columns="latent")
        latent_indexes = long

    assert aggregate(FitLike(), sales, window=1, latent="CL").excluded["company"].tolist() == ["C"]


def test_national_moving_mean_change_telescopes_to_matched_quarters():
    # A (sales 1) 70..74, B (1) 80, in 2025Q1..2026Q1; C (2) 60 in 2025Q1..Q4, withheld in 2026Q1
    periods = ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"]
    rows = [("A", p, 70.0 + k) for k, p in enumerate(periods)] + [("B", p, 80.0) for p in periods] \
        + [("C", p, 60.0) for p in periods]
    idx = pd.DataFrame(rows, columns=["company", "period", "index"]).assign(industry="i", sector="s", se=1.0, n=10)
    idx["status"] = np.where((idx["company"] == "C") & (idx["period"] == "2026Q1"), "failed", "ok")
    sales = pd.DataFrame({"company": ["A", "B", "C"], "sales": [1.0, 1.0, 2.0]})
    nat = aggregate(idx, sales).table("national").set_index("period")  # four-quarter mean
    # Q_t = (A + 80 + 120)/4 for 2025: 67.5, 67.75, 68, 68.25; 2026Q1 without C: (74 + 80)/2 = 77
    # N(2025Q4) = 67.875, N(2026Q1) = (67.75 + 68 + 68.25 + 77)/4 = 70.25: change 2.375 = (77 - 67.5)/4
    assert nat.loc["2026Q1", "change"] == pytest.approx(2.375, abs=ATOL)
    # like for like: the windows differ by 2026Q1 against 2025Q1; matched {A, B}: (77 - 75)/4 = 0.5
    assert nat.loc["2026Q1", "change_matched"] == pytest.approx(0.5, abs=ATOL)
    assert nat.loc["2026Q1", "change_composition"] == pytest.approx(1.875, abs=ATOL)
    assert bool(nat.loc["2026Q1", "change_composition_changed"]) and nat.loc["2026Q1", "change_n_matched"] == 2
    # matched se: (1/4) * (A, B at 2026Q1 with 1/2 each minus A, B at 2025Q1 with 1/2 each): 4 * (1/8)^2
    assert nat.loc["2026Q1", "change_matched_se"] ** 2 == pytest.approx(4 / 64, abs=ATOL)
    # 2025Q4 -> the window before is partial: no change at all
    assert np.isnan(nat.loc["2025Q4", "change"]) and np.isnan(nat.loc["2025Q4", "change_matched"])


def test_published_portal_table_composition_changes():
    # real published scores; sales are not published: equal sales for every company (stated assumption)
    d = pd.read_csv(DATA / "acsi_internet_portals_annual_baseline_2008.csv", dtype={"period": str, "company": str})
    comp = d.loc[~d["company"].str.endswith("(industry)") & (d["period"] != "baseline")]
    idx = comp.rename(columns={"score": "index"}).assign(industry="portals", sector="information", se=1.0, n=250)
    idx["status"] = np.where(idx["index"].notna(), "ok", "not measured (NM)")
    sales = pd.DataFrame({"company": sorted(idx["company"].unique()), "sales": 1.0})
    ind = aggregate(idx, sales).table("industry").set_index("period")
    # 2001 -> 2002: AltaVista, Ask.com and Google enter. 2001: AOL 58, All Others 72, MSN 67, Yahoo 73 = 67.5;
    # 2002: 59, 72, 61, 62, 80, 72, 76 -> 482/7; matched (AOL, All Others, MSN, Yahoo): 279/4 = 69.75
    assert ind.loc["2002", "change"] == pytest.approx(482 / 7 - 67.5, abs=ATOL)
    assert ind.loc["2002", "change_matched"] == pytest.approx(69.75 - 67.5, abs=ATOL)
    assert bool(ind.loc["2002", "change_composition_changed"]) and ind.loc["2002", "change_n_matched"] == 4
    # 2004 -> 2005: AltaVista (66 in 2004) is not measured; 2004 all seven 517/7, 2005: 457/6
    # matched: 2004 without AltaVista 451/6 -> 457/6 - 451/6 = 1.0
    assert ind.loc["2005", "change"] == pytest.approx(457 / 6 - 517 / 7, abs=ATOL)
    assert ind.loc["2005", "change_matched"] == pytest.approx(1.0, abs=ATOL)
    # 2003 -> 2004: the same seven companies -> matched = published, flag off
    assert ind.loc["2004", "change_matched"] == pytest.approx(ind.loc["2004", "change"], abs=ATOL)
    assert not bool(ind.loc["2004", "change_composition_changed"])
    # the not-measured years are withheld rows of the company level, with their reason
    t = aggregate(idx, sales).table("company")
    nm = t.loc[t["status"] == "withheld"]
    assert len(nm) == idx["index"].isna().sum() and set(nm["reason"]) == {"status 'not measured (NM)'"}


def _rotation():
    """Four sectors, one company each, measured once a year in rotation (ACSI's schedule):
    S1 in Q1 (80, sales 3), S2 in Q2 (70, 1), S3 in Q3 (60, 1), S4 in Q4 (75, 5)."""
    idx = pd.DataFrame({"period": ["2025Q1", "2025Q2", "2025Q3", "2025Q4"], "company": ["F1", "F2", "F3", "F4"],
                        "industry": ["I1", "I2", "I3", "I4"], "sector": ["S1", "S2", "S3", "S4"],
                        "index": [80.0, 70.0, 60.0, 75.0], "se": 1.0, "n": 100})
    return idx, pd.DataFrame({"company": ["F1", "F2", "F3", "F4"], "sales": [3.0, 1.0, 1.0, 5.0]})


def test_carry_forward_and_the_window_hand_case():
    idx, sales = _rotation()
    # the plain four-quarter mean: each quarter holds one sector -> (80 + 70 + 60 + 75)/4 = 71.25
    plain = aggregate(idx, sales).table("national").set_index("period")
    assert plain.loc["2025Q4", "index"] == pytest.approx(71.25, abs=ATOL)
    # ACSI's rolling practice: every sector's latest measurement, once, by sales: 745/10 = 74.5
    acsi = aggregate(idx, sales, national="latest")
    nat = acsi.table("national").set_index("period")
    assert nat.loc["2025Q4", "index"] == pytest.approx(74.5, abs=ATOL)
    assert nat.loc["2025Q4", "n_units"] == 4 and nat.loc["2025Q4", "n_carried"] == 3
    assert acsi.options["carry_forward"] == 3 and acsi.options["national"] == "latest"
    # se: coefficients 3/10, 1/10, 1/10, 5/10 on independent measurements -> (9 + 1 + 1 + 25)/100
    assert nat.loc["2025Q4", "se"] ** 2 == pytest.approx(0.36, abs=ATOL)
    # the window reaches before the data until 2025Q4: earlier quarters are partial, not published
    assert nat["index"].iloc[:3].isna().all() and nat["window_periods"].tolist() == [1, 2, 3, 4]
    # carry-forward and then the four-quarter mean smooth twice: the carried per-period values are
    # Q1 80, Q2 (240 + 70)/4 = 77.5, Q3 (310 + 60)/5 = 74, Q4 74.5, whose mean is 76.5 -- refused
    q = aggregate(idx, sales, carry_forward=3, window=1).table("national_quarter")["index"]
    assert q.tolist() == pytest.approx([80.0, 77.5, 74.0, 74.5], abs=ATOL) and q.mean() == pytest.approx(76.5)
    with pytest.raises(AggregationError, match=r"(?s)carry_forward=3 with a national mean over 4 quarters.*smooths "
                                               r"twice.*national='latest' \(ACSI's rolling practice"):
        aggregate(idx, sales, carry_forward=3)
    with pytest.raises(AggregationError, match=r"national='latest' uses each unit's latest measurement.*carry_forward=1 "
                                               r"contradicts it"):
        aggregate(idx, sales, national="latest", carry_forward=1)


def test_latest_national_year_over_year_is_like_for_like():
    # the rotation over two years; F2 not measured in 2026 (its 2025 value must not be carried into 2026Q2..)
    idx, sales = _rotation()
    later = idx.assign(period=["2026Q1", "2026Q2", "2026Q3", "2026Q4"], index=[82.0, 72.0, 61.0, 77.0])
    later = later.loc[later["company"] != "F2"]
    both = pd.concat([idx, later], ignore_index=True)
    nat = aggregate(both, sales, national="latest").table("national").set_index("period")
    # 2026Q4: F1 82 (3), F3 61 (1), F4 77 (5) -> (246 + 61 + 385)/9 = 76.889; F2's 2025Q2 value is older than a year
    assert nat.loc["2026Q4", "index"] == pytest.approx(692 / 9, abs=ATOL) and nat.loc["2026Q4", "n_units"] == 3
    # year over year: 2025Q4 = 74.5 (4 sectors); matched {F1, F3, F4}: 2025Q4 (240 + 60 + 375)/9 = 75
    assert nat.loc["2026Q4", "change_yoy"] == pytest.approx(692 / 9 - 74.5, abs=ATOL)
    assert nat.loc["2026Q4", "change_yoy_matched"] == pytest.approx(692 / 9 - 75.0, abs=ATOL)
    assert bool(nat.loc["2026Q4", "change_yoy_composition_changed"])


def test_non_finite_sales_and_weights_are_errors_naming_the_rows(composition):
    idx, sales = composition
    for bad in (np.inf, -np.inf):
        with pytest.raises(AggregationError, match=r"(?s)column 'sales' has infinite values in 1 row.*row 2: company='C'"):
            aggregate(idx, sales.assign(sales=[2.0, 1.0, bad, 4.0]), window=1)
    with pytest.raises(AggregationError, match=r"(?s)'sales' is missing in 1 row.*row 3: company='D'"):
        aggregate(idx, sales.assign(sales=[2.0, 1.0, 1.0, np.nan]), window=1)
    with pytest.raises(AggregationError, match=r"(?s)sector_weights table's column 'weight' has infinite values"):
        aggregate(idx, sales, window=1, sector_weights=pd.DataFrame({"sector": ["transport"], "weight": [np.inf]}))
    with pytest.raises(AggregationError, match=r"(?s)industry_totals table's column 'sales' has infinite values"):
        aggregate(idx, sales, window=1, industry_totals=pd.DataFrame({"industry": ["air", "rail"], "sales": [1.0, np.inf]}))
    with pytest.raises(AggregationError, match=r"(?s)indexes table's column 'index' has infinite values.*row 0"):
        aggregate(idx.assign(index=[np.inf] + idx["index"].tolist()[1:]), sales, window=1)
    with pytest.raises(AggregationError, match=r"(?s)have a total weight that is not finite.*Rescale the weights"):
        aggregate(idx, sales.assign(sales=[1e308, 1e308, 1.0, 1.0]), window=1)


def test_no_runtime_warnings_with_zero_sales_and_empty_matched_sets(composition):
    idx, sales = composition
    # air: 2025Q1 A (sales 0), B; 2025Q2 A (sales 0), C. The matched set of air is {A}, whose weight is 0:
    # the like-for-like change is undefined (NaN), not a division by zero
    idx = idx.assign(status=["ok", "ok", "withheld", "ok", "ok", "withheld", "ok", "ok"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = aggregate(idx, sales.assign(sales=[0.0, 1.0, 1.0, 4.0]), window=1)
        text = res.summary().as_text()
    air = _row(res.table(), "industry", "air", "2025Q2")
    # published: 2025Q1 = B = 84, 2025Q2 = C = 70 -> -14
    assert air["change"] == pytest.approx(-14.0, abs=ATOL) and np.isnan(air["change_matched"])
    assert pd.isna(air["change_composition_changed"]) and pd.isna(air["change_significant"])
    assert "ACSI aggregation" in text
