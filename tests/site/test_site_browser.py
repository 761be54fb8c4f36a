"""The website in a real browser: headless Debian Chromium driven through Selenium and Debian's chromedriver.

Every page loads without console errors, every internal link resolves (to a page and, with a
fragment, to an element of it), every chart renders with a non-zero size, tables have the rows
the store holds; screenshots of the national page (English and Chinese) are kept as test
artefacts in ``$ACSI_ARTIFACT_DIR`` (default ``test-artifacts/`` under the repository).

Selenium was chosen over the raw DevTools protocol (needs a WebSocket client and hand-written
protocol code) and Playwright (whose Python package bundles a Node driver and expects its own
browser builds): it is a pure-Python W3C WebDriver client, and Debian's ``chromium-driver``
matches the ``chromium`` package version exactly. Skipped, with the reason, when any is missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

from _site_case import built  # noqa: F401 - the shared fixture
from acsi.store import latest

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "") if p and Path(p).exists()), None)
DRIVER = next((p for p in ("/usr/bin/chromedriver", shutil.which("chromedriver") or "") if p and Path(p).exists()), None)
ARTIFACTS = Path(os.environ.get("ACSI_ARTIFACT_DIR", Path(__file__).resolve().parents[2] / "test-artifacts"))

try:
    import selenium  # noqa: F401

    HAVE_SELENIUM = True
except ImportError:  # pragma: no cover
    HAVE_SELENIUM = False

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)"),
    pytest.mark.skipif(DRIVER is None, reason="chromedriver is not installed (Debian: apt-get install chromium-driver)"),
    pytest.mark.skipif(not HAVE_SELENIUM, reason="selenium is not installed (pip install -e '.[test]')"),
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1800",
              f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    except Exception as exc:  # noqa: BLE001 - e.g. a sandbox that forbids starting the browser
        pytest.skip(f"Chromium could not be started through chromedriver: {type(exc).__name__}: {exc}"[:400])
    yield driver
    driver.quit()


_LINKS = "return Array.from(document.querySelectorAll('a[href], link[href]')).map(a => a.href);"
_CHARTS = ("return Array.from(document.querySelectorAll('svg.chart')).map(s => { const r = s.getBoundingClientRect();"
           " return [r.width, r.height, s.querySelectorAll('circle, rect, polyline').length]; });")
_TABLES = ("return Array.from(document.querySelectorAll('table.data')).map(t => "
           "[t.id, t.tBodies[0].rows.length, t.querySelectorAll('thead th').length]);")


def _errors(driver):
    return [e for e in driver.get_log("browser") if e.get("level") in ("SEVERE", "ERROR")]


def test_every_page_loads_links_resolve_charts_render(built, browser):
    store, site, _ = built
    pages = sorted(site.rglob("*.html"))
    ids_of = {}
    checked_links = 0
    for page in pages:
        browser.get(page.resolve().as_uri())
        assert browser.execute_script("return document.readyState") == "complete"
        assert not _errors(browser), f"{page}: console errors {_errors(browser)}"
        ids_of[page.resolve()] = set(browser.execute_script("return Array.from(document.querySelectorAll('[id]')).map(e => e.id);"))
        for href in browser.execute_script(_LINKS):
            url, frag = urldefrag(href)
            u = urlparse(url)
            assert u.scheme == "file", f"{page}: link leaves the site: {href}"
            target = Path(unquote(u.path))
            assert target.exists(), f"{page}: broken link {href}"
            if frag:
                ids_of.setdefault(("frag", target), set()).add(frag)
            checked_links += 1
        charts = browser.execute_script(_CHARTS)
        for w, h, marks in charts:
            assert w > 0 and h > 0, f"{page}: a chart has size {w}x{h}"
            assert marks > 0, f"{page}: an empty chart"
        if page.parent.name in ("industry", "sector") or page.name == "index.html" and page.parent.name in ("en", "zh"):
            assert charts, f"{page}: no chart"
    for key, frags in ids_of.items():
        if isinstance(key, tuple):
            missing = frags - ids_of.get(key[1].resolve(), set())
            assert not missing, f"{key[1]}: no element with id {sorted(missing)[:5]}"
    assert checked_links > 200


def test_tables_have_the_rows_of_the_store(built, browser):
    store, site, _ = built
    f = latest(store)
    head = f.loc[f["level"] != "company"]
    for lang in ("en", "zh"):
        browser.get((site / lang / "index.html").resolve().as_uri())
        tables = {tid: rows for tid, rows, _ in browser.execute_script(_TABLES)}
        assert tables["t-history"] == int((head["level"] == "national").sum())
        last = head.loc[head["level"] == "sector"].sort_values("t")["period"].iloc[-1]
        n_sectors = int(((head["level"] == "sector") & (head["period"] == last)).sum())
        assert tables["t-members_sector"] == n_sectors
    comp = f.loc[(f["level"] == "company") & (f["latent"] == "CS")]
    for page in sorted((site / "en" / "industry").glob("*.html")):
        browser.get(page.resolve().as_uri())
        name = browser.find_element("tag name", "h1").text
        ind = head.loc[(head["level"] == "industry") & (head["unit"] == name) & head["index"].notna()].sort_values("t")
        expect = int(((comp["parent"] == name) & (comp["period"] == ind["period"].iloc[-1])).sum())
        tables = {tid: rows for tid, rows, _ in browser.execute_script(_TABLES)}
        assert tables["t-members_company"] == expect, name
        assert tables["t-history"] == int(((head["level"] == "industry") & (head["unit"] == name)).sum())


def test_screenshot_of_the_national_page(built, browser):
    import matplotlib.image as mpimg

    _, site, _ = built
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for lang in ("en", "zh"):
        browser.get((site / lang / "index.html").resolve().as_uri())
        png = ARTIFACTS / f"site_national_{lang}.png"
        assert browser.save_screenshot(str(png))
        img = mpimg.imread(str(png))
        assert img.shape[0] > 500 and img.shape[1] > 800
        assert img[..., :3].std() > 0.1  # not blank
        print(f"screenshot: {png}")
