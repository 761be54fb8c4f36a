"""Fonts for Chinese figure labels: a bundled CJK font, so figures draw Chinese on any machine.

acsi ships ``fontdata/NotoSansCJKsc-acsi-subset.otf``, a subset of Noto Sans CJK SC Regular
2.004 (SIL Open Font License 1.1, ``fontdata/OFL.txt``; how it was made:
``fontdata/make_subset.py``) with every character of GB 2312 and of Big5 level 1, the CJK
punctuation and every character of the report's translation table and of the shipped models:
Simplified and Traditional figure labels render on a machine without any system CJK font,
and the same figure has the same pixels on every machine.

:func:`find_cjk_font` returns the bundled font (registered with matplotlib's font manager),
or, when its file is missing, an installed font that really contains Chinese glyphs (Noto
Sans CJK, Source Han Sans, WenQuanYi, ...).  :func:`font_context` sets matplotlib's font
family for the figures created inside it: DejaVu Sans for Latin text, then the CJK font,
then any system CJK font (matplotlib falls back glyph by glyph, so a rare character that the
subset lacks is drawn from a system font when there is one).  :func:`covers` tells whether
the figure fonts can draw a text; labels that cannot be drawn fall back to English
(:func:`figure_lang`), never to empty boxes.

Examples
--------
>>> figure_lang("en")
'en'
"""

from __future__ import annotations

import contextlib
import functools
import logging
import warnings
from pathlib import Path

import matplotlib

from ..errors import AcsiWarning

__all__ = ["CJK_CANDIDATES", "BUNDLED_FONT", "find_cjk_font", "system_cjk_font", "figure_lang", "font_context",
           "quiet_font_log", "has_cjk", "covers"]

#: The bundled subset of Noto Sans CJK SC.
BUNDLED_FONT = Path(__file__).resolve().parent / "fontdata" / "NotoSansCJKsc-acsi-subset.otf"

#: Family names of system fonts tried when the bundled font is absent, in order of preference.
CJK_CANDIDATES = (
    "Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Sans CJK HK",
    "Noto Sans SC", "Noto Sans TC", "Source Han Sans SC", "Source Han Sans TC", "Source Han Sans CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback", "AR PL UMing CN", "AR PL UKai CN",
    "AR PL UMing TW", "Noto Serif CJK SC", "Noto Serif CJK TC", "SimHei", "Microsoft YaHei",
    "Microsoft JhengHei", "PingFang SC", "PingFang TC", "Heiti SC", "Heiti TC", "STHeiti", "Hiragino Sans GB",
    "Arial Unicode MS",
)

# characters every Chinese figure label needs (both scripts)
_PROBE = "顧客滿意指數期間重要性表現顾客满意指数期间表现"


def has_cjk(text: str) -> bool:
    """True when ``text`` contains a CJK ideograph or full-width punctuation."""
    return any("\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"
               or "\U00020000" <= ch <= "\U0003134f" for ch in str(text))


@functools.lru_cache(maxsize=16)
def _cmap(path: str) -> frozenset:
    from matplotlib.ft2font import FT2Font

    font = FT2Font(path)
    return frozenset(code for code, _ in font.get_charmap().items())


def _covers(path: str, text: str = _PROBE) -> bool:
    try:
        cmap = _cmap(path)
    except Exception:  # unreadable or collection files we cannot open: not usable
        return False
    return all(ord(ch) in cmap for ch in text)


@functools.lru_cache(maxsize=1)
def _bundled() -> str | None:
    """Register the bundled font with matplotlib; its family name, or None when the file is missing."""
    from matplotlib import font_manager as fm

    if not BUNDLED_FONT.is_file() or not _covers(str(BUNDLED_FONT)):
        return None
    fm.fontManager.addfont(str(BUNDLED_FONT))
    return fm.FontProperties(fname=str(BUNDLED_FONT)).get_name()


@functools.lru_cache(maxsize=1)
def system_cjk_font() -> str | None:
    """Family name of an installed (system) font with Chinese glyphs, or ``None``.

    Matplotlib's font list first, then the system font directories (matplotlib's cache does
    not notice fonts installed after it was built).
    """
    from matplotlib import font_manager as fm

    entries = {}
    for f in fm.fontManager.ttflist:
        if Path(f.fname) != BUNDLED_FONT:
            entries.setdefault(f.name, f.fname)
    for name in CJK_CANDIDATES:
        if name in entries and _covers(entries[name]):
            return name
    try:
        paths = fm.findSystemFonts()
    except Exception:  # pragma: no cover - platform without font directories
        paths = []
    known = set(entries.values())
    hints = ("cjk", "wqy", "wenquanyi", "droid", "han", "ukai", "uming", "simhei", "yahei", "pingfang", "hei", "noto")
    for path in sorted(paths):
        low = path.lower()
        if path in known or not any(h in low for h in hints):
            continue
        if _covers(path):
            try:
                fm.fontManager.addfont(path)
                return fm.FontProperties(fname=path).get_name()
            except Exception:  # pragma: no cover - font manager refused the file
                continue
    return None


def find_cjk_font() -> str | None:
    """Family name of the font that draws Chinese figure labels: the bundled subset, else a system
    CJK font, else ``None``.

    Tests replace this function with ``monkeypatch.setattr(acsi.report.fonts, "find_cjk_font",
    lambda: None)`` to check the English fallback.
    """
    return _bundled() or system_cjk_font()


def _font_paths(name: str | None) -> list[str]:
    from matplotlib import font_manager as fm

    if name is None:
        return []
    if name == _bundled():
        return [str(BUNDLED_FONT)]
    return [f.fname for f in fm.fontManager.ttflist if f.name == name][:1]


def covers(text: str) -> bool:
    """True when the figure fonts (DejaVu Sans and the CJK fonts of :func:`font_context`) can draw ``text``."""
    from . import fonts  # module attribute, so tests can monkeypatch find_cjk_font

    cjk = [c for c in str(text) if has_cjk(c)]
    if not cjk:
        return True
    names = [fonts.find_cjk_font(), system_cjk_font()]
    have = set()
    for name in names:
        for path in _font_paths(name):
            try:
                have |= _cmap(path)
            except Exception:  # pragma: no cover - unreadable font
                continue
    return all(ord(c) in have for c in cjk)


def figure_lang(lang: str, *, warn: bool = True) -> str:
    """Language for figure labels: ``lang``, or ``"en"`` when Chinese cannot be drawn.

    With the bundled font Chinese can always be drawn; the English fallback (with an
    :class:`~acsi.errors.AcsiWarning`) is for an installation whose font file was removed.
    """
    from . import fonts  # module attribute, so tests can monkeypatch find_cjk_font
    from .i18n import is_chinese

    if not is_chinese(lang):
        return lang
    if fonts.find_cjk_font() is not None:
        return lang
    if warn:
        warnings.warn(
            f"no font with Chinese characters found (the bundled {BUNDLED_FONT.name} is missing, and no Noto Sans CJK, "
            "WenQuanYi, Droid Sans Fallback, ... is installed); figure labels are drawn in English. Reinstall acsi, or "
            "install fonts-noto-cjk, for Chinese labels.",
            AcsiWarning,
            stacklevel=3,
        )
    return "en"


@contextlib.contextmanager
def quiet_font_log():
    """Silence matplotlib's "findfont: Failed to find font weight" notices (harmless CJK weight fallback)."""
    log = logging.getLogger("matplotlib.font_manager")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


@contextlib.contextmanager
def font_context(lang: str):
    """Matplotlib settings for figures created inside the block.

    For Chinese the font family becomes ``[DejaVu Sans, <CJK font>, <system CJK font>]``
    (matplotlib falls back glyph by glyph), captured by every text object at creation, so the
    figure renders the same when it is saved later.
    """
    from . import fonts
    from .i18n import is_chinese

    rc = {"axes.unicode_minus": False, "svg.fonttype": "none"}
    cjk = fonts.find_cjk_font() if is_chinese(lang) else None
    if cjk:
        family = ["DejaVu Sans", cjk]
        extra = system_cjk_font()
        if extra and extra != cjk:
            family.append(extra)
        rc["font.family"] = family
    # some CJK fonts have only a "medium" weight; matplotlib logs a notice per text when it
    # substitutes it for "normal", which is harmless noise here
    with quiet_font_log(), matplotlib.rc_context(rc):
        yield cjk
