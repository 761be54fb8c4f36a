"""Fonts for Chinese figure labels, with a fallback that never draws tofu boxes.

:func:`find_cjk_font` looks for an installed font that really contains Chinese
glyphs (Noto Sans CJK, Source Han Sans, WenQuanYi, Droid Sans Fallback, AR PL,
SimHei, Microsoft YaHei, PingFang...).  It asks matplotlib's font manager first
and then scans the system font directories, because matplotlib's font cache
does not notice fonts installed after it was built.

:func:`figure_lang` decides the language of figure labels: Chinese when a CJK
font is found, English otherwise (the HTML text of the report stays Chinese:
the browser has its own fonts).  :func:`font_context` sets matplotlib's font
family for figures created inside it.

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

import matplotlib

from ..errors import AcsiWarning

__all__ = ["CJK_CANDIDATES", "find_cjk_font", "figure_lang", "font_context", "quiet_font_log", "has_cjk"]

#: Family names tried first, in order of preference.
CJK_CANDIDATES = (
    "Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Sans CJK HK",
    "Noto Sans SC", "Noto Sans TC", "Source Han Sans SC", "Source Han Sans TC", "Source Han Sans CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback", "AR PL UMing CN", "AR PL UKai CN",
    "AR PL UMing TW", "Noto Serif CJK SC", "Noto Serif CJK TC", "SimHei", "Microsoft YaHei",
    "Microsoft JhengHei", "PingFang SC", "PingFang TC", "Heiti SC", "Heiti TC", "STHeiti", "Hiragino Sans GB",
    "Arial Unicode MS",
)

# characters every Chinese figure label needs (sample of the translation table)
_PROBE = "顧客滿意指數期間重要性表現"


def has_cjk(text: str) -> bool:
    """True when ``text`` contains a CJK ideograph or full-width punctuation."""
    return any("\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef" for ch in str(text))


def _covers(path: str) -> bool:
    try:
        from matplotlib.ft2font import FT2Font

        font = FT2Font(path)
        return all(font.get_char_index(ord(ch)) for ch in _PROBE)
    except Exception:  # unreadable or collection files we cannot open: not usable
        return False


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> str | None:
    """Family name of an installed font with Chinese glyphs, or ``None``.

    The result is cached for the process; tests replace this function with
    ``monkeypatch.setattr(acsi.report.fonts, "find_cjk_font", lambda: None)``.
    """
    from matplotlib import font_manager as fm

    entries = {}
    for f in fm.fontManager.ttflist:
        entries.setdefault(f.name, f.fname)
    for name in CJK_CANDIDATES:
        if name in entries and _covers(entries[name]):
            return name
    # fonts installed after matplotlib built its cache: scan the system directories
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


def figure_lang(lang: str, *, warn: bool = True) -> str:
    """Language for figure labels: ``lang``, or ``"en"`` when Chinese cannot be drawn.

    Emits an :class:`~acsi.errors.AcsiWarning` (once per call site) when ``lang="zh"``
    falls back to English.
    """
    if lang != "zh":
        return lang
    from . import fonts  # module attribute, so tests can monkeypatch find_cjk_font

    if fonts.find_cjk_font() is not None:
        return "zh"
    if warn:
        warnings.warn(
            "no font with Chinese characters found (looked for Noto Sans CJK, WenQuanYi, Droid Sans Fallback, ...); "
            "figure labels are drawn in English. Install fonts-noto-cjk or fonts-wqy-zenhei for Chinese labels.",
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

    For Chinese the font family becomes ``[DejaVu Sans, <CJK font>]`` (matplotlib
    falls back glyph by glyph), captured by every text object at creation, so the
    figure renders the same when it is saved later.
    """
    from . import fonts

    rc = {"axes.unicode_minus": False, "svg.fonttype": "none"}
    cjk = fonts.find_cjk_font() if lang == "zh" else None
    if cjk:
        rc["font.family"] = ["DejaVu Sans", cjk]
    # some CJK fonts have only a "medium" weight; matplotlib logs a notice per text when it
    # substitutes it for "normal", which is harmless noise here
    with quiet_font_log(), matplotlib.rc_context(rc):
        yield cjk
