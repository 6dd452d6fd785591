"""Regenerate AcuDesk's bundled fonts from Debian's font packages.

    apt-get install fonts-dejavu-core fonts-droid-fallback fonts-nanum fonts-noto-core
    python resources/fonts/make_subset.py          # needs fontTools (pip install fonttools)

Every file here is embedded (as a subset) in the PDFs and registered with Qt, so that names in any script
a clinic meets print and show without the clinic's computer having a font for it:

* ``DejaVuSans.ttf`` / ``DejaVuSans-Bold.ttf`` (``fonts-dejavu-core``, copied unchanged): Latin with every
  diacritic (Łukasz Żółć, Nguyễn Thị Ánh, pinyin tone marks), Greek and Cyrillic. LICENSE-DejaVu.txt.
* ``AcuDeskCJK.ttf``: Droid Sans Fallback Full (``fonts-droid-fallback``, Apache-2.0) cut to the hanzi and
  kanji of GB 2312 (simplified Chinese, 6,763), Big5 level 1 (traditional Chinese, 5,401), JIS X 0208
  (Japanese, 6,355) and KS X 1001 (the hanja of Korean names, 4,888) — 10,831 different characters —
  plus every character of the acupoint catalogue, kana, bopomofo, CJK punctuation and full-width forms.
  Renamed "AcuDesk CJK" (a modified font). LICENSE-DroidSansFallback.txt.
* ``AcuDeskHangul.ttf``: NanumGothic (``fonts-nanum``, SIL OFL 1.1) cut to all 11,172 modern hangul
  syllables and the compatibility jamo; renamed "AcuDesk Hangul" because the OFL reserves the name
  "NanumGothic" for the unmodified font. (Droid Sans Fallback has no hangul.) LICENSE-Nanum.txt.
* ``NotoSansArabic-*.ttf``, ``NotoSansHebrew-*.ttf``, ``NotoSansDevanagari-*.ttf`` (``fonts-noto-core``,
  SIL OFL 1.1, copied unchanged so their shaping tables stay whole): Arabic (with Persian and Urdu
  letters), Hebrew and Devanagari. ReportLab shapes them with HarfBuzz (acudesk/reports/fonts.py).
  LICENSE-Noto.txt.

Glyph outlines and advance widths are kept; hinting and (for the two cut fonts, whose scripts need no
shaping) OpenType layout tables are dropped.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE.parent / "acupoints" / "points.json"
DEBIAN_FONTS = Path("/usr/share/fonts/truetype")
CJK_SOURCE = DEBIAN_FONTS / "droid" / "DroidSansFallbackFull.ttf"
HANGUL_SOURCE = DEBIAN_FONTS / "nanum" / "NanumGothic.ttf"
COPIED = {
    DEBIAN_FONTS / "dejavu" / "DejaVuSans.ttf": "DejaVuSans.ttf",
    DEBIAN_FONTS / "dejavu" / "DejaVuSans-Bold.ttf": "DejaVuSans-Bold.ttf",
    **{DEBIAN_FONTS / "noto" / f"NotoSans{script}-{weight}.ttf": f"NotoSans{script}-{weight}.ttf"
       for script in ("Arabic", "Hebrew", "Devanagari") for weight in ("Regular", "Bold")},
}

# Character sets by (codec, lead bytes, trail bytes); each two-byte code that decodes to one ideograph counts.
_GB2312 = ("gb2312", range(0xB0, 0xF8), range(0xA1, 0xFF))
_BIG5_LEVEL_1 = ("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])  # A440–C67E
_JIS_X_0208 = ("euc_jp", range(0xB0, 0xF5), range(0xA1, 0xFF))
_KS_X_1001_HANJA = ("euc_kr", range(0xCA, 0xFE), range(0xA1, 0xFF))
CJK_EXTRA_RANGES = [
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x3100, 0x312F),  # bopomofo
    (0x31F0, 0x31FF),  # katakana phonetic extensions
    (0xFF00, 0xFFEF),  # half-width and full-width forms
]
HANGUL_RANGES = [(0xAC00, 0xD7A3), (0x3131, 0x318E)]


def is_ideograph(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"


def coded_ideographs(codec: str, leads: range, trails: range | list[int]) -> set[str]:
    found: set[str] = set()
    for lead in leads:
        for trail in trails:
            try:
                text = bytes([lead, trail]).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(text) == 1 and is_ideograph(text):
                found.add(text)
    return found


def catalogue_characters(path: Path = CATALOGUE) -> set[str]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    chars: set[str] = set()
    for point in raw["points"]:
        for text in (point["hanzi"], *point.get("aliases", [])):
            chars.update(ch for ch in text if is_ideograph(ch))
    return chars


def cjk_characters() -> set[int]:
    ideographs = set().union(*(coded_ideographs(*table) for table in (_GB2312, _BIG5_LEVEL_1, _JIS_X_0208,
                                                                       _KS_X_1001_HANJA)))
    codes = {ord(ch) for ch in ideographs | catalogue_characters()}
    for first, last in CJK_EXTRA_RANGES:
        codes.update(range(first, last + 1))
    return codes


def cut(source: Path, target: Path, codes: set[int], family: str) -> int:
    """Write the glyphs of ``codes`` that ``source`` has to ``target`` under a new family name."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source))
    present = codes & set(font.getBestCmap())
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.drop_tables += ["TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]  # VTT sources of the hinting
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(present))
    subsetter.subset(font)
    compact = family.replace(" ", "")
    for record in font["name"].names:  # a modified font must not claim the original's (reserved) name
        if record.nameID in (1, 4, 16):
            record.string = family
        elif record.nameID == 6:
            record.string = compact
        elif record.nameID == 3:
            record.string = f"{compact}-subset"
    font.save(str(target))
    return len(present)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    count = cut(CJK_SOURCE, HERE / "AcuDeskCJK.ttf", cjk_characters(), "AcuDesk CJK")
    print(f"AcuDeskCJK.ttf: {count} characters")
    hangul = {code for first, last in HANGUL_RANGES for code in range(first, last + 1)}
    count = cut(HANGUL_SOURCE, HERE / "AcuDeskHangul.ttf", hangul, "AcuDesk Hangul")
    print(f"AcuDeskHangul.ttf: {count} characters")
    for source, name in COPIED.items():
        shutil.copyfile(source, HERE / name)
        print(f"{name}: copied")


if __name__ == "__main__":
    main()
