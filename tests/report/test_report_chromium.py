"""Look at the report as a reader would: a headless Chromium screenshot (skipped without Chromium).

The screenshot is kept for a person to check the layout: set ``ACSI_SCREENSHOT_DIR`` to choose where
(default: pytest's temporary directory; the path is printed with ``pytest -s``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

import acsi
from _report_data import small_run
from acsi.report import write_report
from acsi.report.figures import PNG_MAGIC

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or "")
                 if p and Path(p).exists()), None)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)"),
]


def _screenshot(html: Path, png: Path, profile: Path) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", f"--screenshot={png}", "--window-size=1280,2000", html.resolve().as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_screenshot(lang, tmp_path):
    import matplotlib.image as mpimg
    import numpy as np

    fit, agg = small_run()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", acsi.AcsiWarning)
        html = write_report(fit, agg, tmp_path / f"report_{lang}.html", lang=lang)
    out_dir = Path(os.environ.get("ACSI_SCREENSHOT_DIR", tmp_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    png = out_dir / f"report_{lang}.png"
    png.unlink(missing_ok=True)
    res = _screenshot(html, png, tmp_path / "profile")
    if not png.exists():
        pytest.skip(f"Chromium ran but wrote no screenshot (exit {res.returncode}): {res.stderr[-500:]}")
    print(f"screenshot: {png}")
    data = png.read_bytes()
    assert data.startswith(PNG_MAGIC)
    img = mpimg.imread(str(png))
    assert img.shape[:2] == (2000, 1280)
    # the page is not blank: the dark masthead and white sections are both there
    rgb = img[..., :3]
    assert rgb.std() > 0.1
    np.testing.assert_allclose(rgb[8, 1200], np.array([0x27, 0x49, 0x6D]) / 255, atol=0.03)  # masthead #27496d
