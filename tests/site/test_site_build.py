"""The website's files: every page, every internal link and every download exist (no browser needed)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import pandas as pd
import pytest

from _site_case import built  # noqa: F401 - the shared fixture
from acsi.store import latest

pytestmark = pytest.mark.slow


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids, self.scripts = [], set(), 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "link" and "href" in a:
            self.hrefs.append(a["href"])
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "script":
            self.scripts += 1


def _parse(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def test_pages_links_and_downloads_exist(built):
    store, site, files = built
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    parsed = {p.resolve(): _parse(p) for p in pages}
    for page, links in parsed.items():
        assert links.scripts == 0, f"{page} has JavaScript"
        for href in links.hrefs:
            assert not re.match(r"^[a-z]+://", href), f"{page}: external link {href}"
            target, frag = urldefrag(href)
            dest = (page.parent / target).resolve() if target else page
            assert dest.exists(), f"{page}: broken link {href}"
            if frag and dest.suffix == ".html":
                assert frag in parsed[dest].ids, f"{page}: no #{frag} in {dest.name}"
    downloads = sorted((site / "data").glob("*.csv"))
    assert downloads and all((d.with_suffix(".parquet")).exists() for d in downloads)
    for d in downloads[:10]:
        pd.testing.assert_frame_equal(pd.read_csv(d).iloc[:0], pd.read_csv(d).iloc[:0])  # readable
        assert len(pd.read_parquet(d.with_suffix(".parquet"))) == len(pd.read_csv(d))


def test_one_page_per_unit_and_both_languages(built):
    store, site, _ = built
    f = latest(store)
    for level in ("sector", "industry", "company"):
        n = f.loc[f["level"] == level, "unit"].nunique()
        assert len(list((site / "en" / level).glob("*.html"))) == n
        assert len(list((site / "zh" / level).glob("*.html"))) == n
    zh = (site / "zh" / "index.html").read_text(encoding="utf-8")
    assert "全國指數" in zh and 'lang="zh-Hant"' in zh
    en = (site / "en" / "index.html").read_text(encoding="utf-8")
    assert "National index" in en and "<svg" in en


def test_the_national_page_shows_the_long_series(built):
    store, site, _ = built
    html = (site / "en" / "index.html").read_text(encoding="utf-8")
    for period in ("1994Q3", "2008Q2", "2025Q4"):
        assert f"<td>{period}</td>" in html
    nat = pd.read_csv(next((site / "data").glob("index__history.csv")))
    f = latest(store)
    assert len(nat) == int((f["level"] == "national").sum()) == 56 + 4


def test_failed_unit_keeps_its_page_with_the_reason(built):
    store, site, _ = built
    page = next((site / "en" / "company").glob("zeta-air-*.html")).read_text(encoding="utf-8")
    assert "too few respondents" in page and "failed" in page


def test_the_report_draws_the_long_history_from_the_store(built):
    import acsi
    from acsi.report import render_report
    from acsi.store import series
    from store_cases import quarter, quiet, sales

    store, _, _ = built
    nat = series(store, "national")
    assert nat["period"].iloc[0] == "1994Q3" and nat["period"].iloc[-1] == "2025Q4" and nat["period"].is_unique
    assert set(nat["origin"]) == {"external", "aggregated"}
    with quiet():
        fit = acsi.fit(quarter("2025Q4"), "acsi", unit="company")
        html = render_report(fit, acsi.aggregate(fit.indexes, sales(), partial_windows=True), published=nat)
    assert "the history store" in html  # the published-series figure's caption names its source
