"""Make ``NotoSansCJKsc-acsi-subset.otf``, the font that draws Chinese figure labels (not imported by acsi).

Source: Noto Sans CJK SC Regular 2.004 (font 2 of ``NotoSansCJK-Regular.ttc`` in Debian's
``fonts-noto-cjk`` 1:20220127+repack1-1; upstream https://github.com/googlefonts/noto-cjk),
SIL Open Font License 1.1 (``OFL.txt`` beside this file).

Kept characters: ASCII; every character of GB 2312 (6,763 hanzi and its symbols: what
Simplified Chinese text uses); Big5 level 1 (5,401 common Traditional hanzi) and Big5's symbols;
CJK and full-width punctuation; and every character of the report's translation table
(:mod:`acsi.report.i18n`, both scripts) and of the shipped models' Chinese names and wording.
Hinting and OpenType layout features are dropped (matplotlib draws unhinted outlines and does
no shaping).  The family is renamed ``Noto Sans CJK SC acsi subset`` so that it never stands
in for a full Noto Sans CJK installed on the system.

Run (from the repository root)::

    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb /tmp/noto
    python acsi/report/fontdata/make_subset.py /tmp/noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

HERE = Path(__file__).resolve().parent
OUT = HERE / "NotoSansCJKsc-acsi-subset.otf"
FAMILY = "Noto Sans CJK SC acsi subset"


def _codec_chars(codec: str, leads, trails) -> set[str]:
    out = set()
    for hi in leads:
        for lo in trails:
            try:
                out.add(bytes([hi, lo]).decode(codec))
            except UnicodeDecodeError:
                pass
    return out


def wanted_characters() -> set[str]:
    big5_trail = list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))
    chars = {chr(c) for c in range(0x20, 0x7F)}
    chars |= _codec_chars("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF))
    chars |= _codec_chars("big5", range(0xA1, 0xC7), big5_trail)  # symbols and level 1
    chars |= {chr(c) for c in range(0x3000, 0x3040)} | {chr(c) for c in range(0xFF00, 0xFFF0)}
    chars |= set("“”‘’—–…·•×÷±≤≥≠√∑²³¹⁻αβγδλρχ")
    sys.path.insert(0, str(HERE.parents[2]))
    from acsi.report import i18n

    for entry in i18n.TEXT.values():
        for text in entry[1:]:
            chars |= set(text) | set(i18n.to_script(text, "zh-hans"))
    for path in sorted((HERE.parents[2] / "models").glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        chars |= set(text) | set(i18n.to_script(text, "zh-hans")) | set(i18n.to_script(text, "zh-hant"))
    return {c for c in chars if c.isprintable()}


def main(ttc: str) -> None:
    font = TTCollection(ttc).fonts[2]
    assert font["name"].getDebugName(1) == "Noto Sans CJK SC", font["name"].getDebugName(1)
    cmap = font.getBestCmap()
    keep = sorted(ord(c) for c in wanted_characters() if ord(c) in cmap)
    opts = subset.Options()
    opts.layout_features = []
    opts.hinting = False
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=keep)
    sub.subset(font)
    name = font["name"]
    for rec in name.names:
        if rec.nameID in (1, 4, 16):
            rec.string = FAMILY if rec.nameID != 4 else FAMILY + " Regular"
        elif rec.nameID == 6:
            rec.string = "NotoSansCJKsc-acsi-subset"
    font.save(OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB, {len(keep)} characters)")


if __name__ == "__main__":
    main(sys.argv[1])
