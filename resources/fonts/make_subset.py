"""Regenerate AcuDesk's bundled fonts.

    python resources/fonts/make_subset.py [--cjk PATH_TO_wqy-microhei.ttc] [--dejavu DIR]

* ``AcuDeskHanzi.ttf``: WenQuanYi Micro Hei (Debian package ``fonts-wqy-microhei``) cut down to exactly
  the CJK characters the acupoint catalogue (``resources/acupoints/points.json``) uses in its hanzi and
  alias fields. Re-run after adding points. Licence: Apache-2.0 (see LICENSE-WenQuanYi.txt).
* ``DejaVuSans.ttf`` / ``DejaVuSans-Bold.ttf``: copied unchanged from ``fonts-dejavu-core`` for Latin text,
  including pinyin tone marks that the PDF base-14 fonts cannot show. Licence: see LICENSE-DejaVu.txt.

ReportLab embeds (and further subsets) both as TrueType fonts; the desktop UI loads the hanzi font with
``QFontDatabase.addApplicationFont``.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE.parent / "acupoints" / "points.json"
DEFAULT_CJK = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
DEFAULT_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FAMILY = "AcuDesk Hanzi"


def is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\U00020000" <= ch <= "\U0003134f"


def catalogue_characters(path: Path = CATALOGUE) -> list[str]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    chars: set[str] = set()
    for point in raw["points"]:
        for text in (point["hanzi"], *point.get("aliases", [])):
            chars.update(ch for ch in text if is_cjk(ch))
    return sorted(chars)


def make_hanzi_subset(source: Path, target: Path) -> int:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    chars = catalogue_characters()
    font = TTFont(str(source), fontNumber=0)  # the .ttc's first face: WenQuanYi Micro Hei
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(ch) for ch in chars])
    subsetter.subset(font)
    for record in font["name"].names:  # rename: a modified font must not claim the original name
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "")
        elif record.nameID == 3:
            record.string = f"{FAMILY.replace(' ', '')}-catalogue-subset"
    font.save(str(target))
    return len(chars)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cjk", type=Path, default=DEFAULT_CJK, help="wqy-microhei.ttc to cut from")
    parser.add_argument("--dejavu", type=Path, default=DEFAULT_DEJAVU, help="folder with DejaVuSans*.ttf")
    args = parser.parse_args()
    count = make_hanzi_subset(args.cjk, HERE / "AcuDeskHanzi.ttf")
    print(f"AcuDeskHanzi.ttf: {count} characters")
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        shutil.copyfile(args.dejavu / name, HERE / name)
        print(f"{name}: copied")


if __name__ == "__main__":
    main()
