"""The fonts every AcuDesk PDF uses, registered with ReportLab and embedded (as subsets) in each file.

A patient's name may be in any script a clinic meets, so text is set in runs, one font per script:

* DejaVu Sans (regular and bold): Latin with every diacritic (Łukasz Żółć, Nguyễn Thị Ánh, pinyin tone
  marks), Greek and Cyrillic — all text that is not in one of the scripts below;
* "AcuDesk CJK" (Droid Sans Fallback cut to the common hanzi and kanji, kana, CJK punctuation) and
  "AcuDesk Hangul" (NanumGothic cut to the hangul syllables); neither has a bold face, so bold maps to
  the regular one;
* Noto Sans Arabic, Noto Sans Hebrew and Noto Sans Devanagari, regular and bold.

``resources/fonts/make_subset.py`` says where each file comes from. Arabic, Hebrew and Devanagari are
shaped with HarfBuzz (``uharfbuzz``, which ReportLab uses when it is installed): Arabic letters join,
Devanagari forms its conjuncts and places its vowel signs, and both right-to-left scripts come out in
visual order. Words of a right-to-left stretch are put in right-to-left order here (``runs``): a
simplified bidi algorithm that is enough for names and addresses, not for whole right-to-left
paragraphs that wrap over several lines.

ReportLab's built-in CID fonts are never used: they are not embedded and show as boxes on machines
without a CJK font.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html import escape  # not xml.sax.saxutils: it imports urllib, http and ssl (25 ms of start-up)
from typing import Any

from acudesk.paths import resource

SANS = "AcuDeskSans"
SANS_BOLD = "AcuDeskSans-Bold"


@dataclass(frozen=True)
class ScriptFont:
    """The font for one script: ReportLab names of its faces, its files and which characters it sets."""

    regular: str
    bold: str
    files: tuple[str, ...]  # regular[, bold] in resources/fonts
    characters: str  # a regular-expression character class, without the brackets
    right_to_left: bool = False
    shaped: bool = False  # needs HarfBuzz: contextual forms, conjuncts, marks


CJK = ScriptFont("AcuDeskCJK", "AcuDeskCJK", ("AcuDeskCJK.ttf",),
                 "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31f0-\u31ff\u3400-\u4dbf"
                 "\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f")
HANGUL = ScriptFont("AcuDeskHangul", "AcuDeskHangul", ("AcuDeskHangul.ttf",),
                    "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff")
ARABIC = ScriptFont("AcuDeskArabic", "AcuDeskArabic-Bold",
                    ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
                    "\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufeff",
                    right_to_left=True, shaped=True)
HEBREW = ScriptFont("AcuDeskHebrew", "AcuDeskHebrew-Bold",
                    ("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
                    "\u0590-\u05ff\ufb1d-\ufb4f", right_to_left=True, shaped=True)
DEVANAGARI = ScriptFont("AcuDeskDevanagari", "AcuDeskDevanagari-Bold",
                        ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
                        "\u0900-\u097f\u1cd0-\u1cff\ua8e0-\ua8ff", shaped=True)
SCRIPT_FONTS = (CJK, HANGUL, ARABIC, HEBREW, DEVANAGARI)
_BY_NAME = {name: font for font in SCRIPT_FONTS for name in (font.regular, font.bold)}
SHAPED_FONT_NAMES = frozenset(name for font in SCRIPT_FONTS if font.shaped for name in (font.regular, font.bold))

# HarfBuzz's defaults (joining, conjuncts, mark positioning) with kerning and standard ligatures, but not
# ReportLab's extra "dlig": Noto Sans Arabic's discretionary ligature writes محمد with vowel marks the
# patient's name does not have.
FEATURES = {"kern": True, "liga": True}

# One run: characters of one script, with zero-width (non-)joiners allowed inside it.
_RUNS = re.compile("|".join(f"(?P<s{i}>[{f.characters}](?:[{f.characters}\u200c\u200d]*[{f.characters}])?)"
                            for i, f in enumerate(SCRIPT_FONTS)))
# What may stand between two words of one right-to-left stretch: spaces, digits and joining punctuation.
_RTL_GAP = re.compile(r"[\s\d\-.'’/]*\s[\s\d\-.'’/]*|[\-'’]")


@cache
def register_fonts() -> None:
    """Register the bundled Latin fonts with ReportLab (idempotent); script fonts follow on first use."""
    from reportlab import rl_config
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(SANS, str(resource("fonts", "DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont(SANS_BOLD, str(resource("fonts", "DejaVuSans-Bold.ttf"))))
    # <b> inside paragraphs picks the bold face; italics fall back to the upright faces.
    _map_faces(addMapping, SANS, SANS_BOLD)
    # Vector drawings start from ReportLab's base font (Helvetica, never embedded): use ours instead.
    rl_config.canvas_basefontname = SANS
    rl_config.defaultGraphicsFontName = SANS
    _shape_each_font_separately()


@cache
def register_script_font(font: ScriptFont) -> None:
    """Register one script's faces (the CJK and hangul fonts take ~50 ms to read: only when a document needs them)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    register_fonts()
    names = (font.regular, font.bold) if font.bold != font.regular else (font.regular,)
    for name, file in zip(names, font.files, strict=True):
        pdfmetrics.registerFont(TTFont(name, str(resource("fonts", file))))
    _map_faces(addMapping, font.regular, font.bold)


def _map_faces(add_mapping: Any, regular: str, bold: str) -> None:
    add_mapping(regular, 0, 0, regular)
    add_mapping(regular, 1, 0, bold)
    add_mapping(regular, 0, 1, regular)
    add_mapping(regular, 1, 1, bold)


Run = tuple[str, ScriptFont | None]


_ISOLATES = re.compile("[\u2066-\u2069]")


def runs(text: str) -> list[Run]:
    """``text`` cut into runs of one script each, in the order they are drawn from left to right.

    ``None`` stands for the base font (DejaVu Sans). Within a run of a right-to-left script HarfBuzz puts
    the glyphs in visual order; here the words of a right-to-left stretch ("محمد العلي") are put in
    right-to-left order, with the spaces, digits and hyphens between them.
    """
    text = _ISOLATES.sub("", text)  # bidi isolation marks (domain/patients.full_name): the runs order the words
    pieces: list[Run] = []
    at = 0
    for match in _RUNS.finditer(text):
        if match.start() > at:
            pieces.append((text[at:match.start()], None))
        font = SCRIPT_FONTS[int(str(match.lastgroup)[1:])]
        register_script_font(font)
        pieces.append((match.group(0), font))
        at = match.end()
    if at < len(text):
        pieces.append((text[at:], None))
    return _right_to_left_stretches_reversed(pieces)


def _right_to_left_stretches_reversed(pieces: list[Run]) -> list[Run]:
    out: list[Run] = []
    i = 0
    while i < len(pieces):
        if not _right_to_left(pieces[i][1]):
            out.append(pieces[i])
            i += 1
            continue
        end = i + 1  # the stretch is pieces[i:end]: right-to-left words and the gaps between them
        while (end + 1 < len(pieces) and pieces[end][1] is None and _RTL_GAP.fullmatch(pieces[end][0])
               and _right_to_left(pieces[end + 1][1])):
            end += 2
        out.extend(reversed(pieces[i:end]))
        i = end
    return out


def _right_to_left(font: ScriptFont | None) -> bool:
    return font is not None and font.right_to_left


def markup(text: str) -> str:
    """Escape ``text`` for a Paragraph and switch each run of another script to its font."""
    out = []
    for piece, font in runs(text or ""):
        escaped = escape(piece, quote=False)  # &, <, > only, as ReportLab paragraphs need
        out.append(escaped if font is None else f'<font name="{font.regular}">{escaped}</font>')
    return "".join(out)


_BOLD_CONTEXT = re.compile(r'<(/?)(?:b|strong)>|<font name="([^"]+)"')


def embolden_script_runs(marked_up: str, bold: bool) -> str:
    """Switch the script runs that stand in bold text to their bold faces.

    ReportLab's ``<font name=…>`` sets the weight from the font named, so a run inside ``<b>`` (or in a
    bold style, ``bold``) would come out regular: this names the bold face there instead.
    """
    depth = 1 if bold else 0
    out = []
    at = 0
    for tag in _BOLD_CONTEXT.finditer(marked_up):
        if tag.group(2) is None:
            depth += -1 if tag.group(1) else 1
            continue
        font = _BY_NAME.get(tag.group(2))
        if font is not None and depth > 0 and tag.group(2) != font.bold:
            out.append(marked_up[at:tag.start()])
            out.append(f'<font name="{font.bold}"')
            at = tag.end()
    out.append(marked_up[at:])
    return "".join(out)


def needs_shaping(marked_up: str) -> bool:
    """Whether a paragraph's markup holds a run that HarfBuzz must shape (see ``layout.p``)."""
    return any(f'"{name}"' in marked_up for name in SHAPED_FONT_NAMES)


def font_for(font: ScriptFont | None, base: str) -> str:
    """The ReportLab font name for a run, in the weight of ``base`` (SANS or SANS_BOLD)."""
    if font is None:
        return base
    return font.bold if base == SANS_BOLD else font.regular


def shaped_pieces(text: str, base: str, size: float) -> list[tuple[str, str, float]]:
    """(text, font name, width) for each run of ``text`` in drawing order, shaped where the script needs it."""
    from reportlab.lib.abag import ABag
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfbase.ttfonts import ShapedStr
    from reportlab.platypus.paragraph import shapeFragWord

    register_fonts()
    out = []
    for piece, font in runs(text):
        name = font_for(font, base)
        drawn = piece
        if name in SHAPED_FONT_NAMES:  # the paragraphs' shaping, as _shape_each_font_separately sets it
            drawn = shapeFragWord([stringWidth(piece, name, size), (ABag(fontName=name, fontSize=size), piece)])[1][1]
        width = (sum(d.x_advance for d in drawn.__shapeData__) * size / 1000 if isinstance(drawn, ShapedStr)
                 else stringWidth(piece, name, size))
        out.append((drawn, name, width))
    return out


def string_width(text: str, base: str, size: float) -> float:
    """Width of ``text`` set in runs as ``draw_string`` sets it."""
    return sum(width for _text, _font, width in shaped_pieces(text, base, size))


def draw_string(canvas: Any, x: float, y: float, text: str, base: str, size: float, *, anchor: str = "start") -> None:
    """``canvas.drawString`` for text in any script: each run in its font, shaped, right-to-left words ordered.

    ``anchor`` is "start" (``x`` is the left end), "end" (the right end) or "middle".
    """
    pieces = shaped_pieces(text, base, size)
    total = sum(width for _text, _font, width in pieces)
    x -= {"start": 0.0, "middle": total / 2, "end": total}[anchor]
    for drawn, name, width in pieces:
        canvas.setFont(name, size)
        canvas.drawString(x, y, drawn)
        x += width


def _shape_each_font_separately() -> None:
    """Make ReportLab's paragraphs shape each font's part of a word on its own, and only the scripts that need it.

    ReportLab (4.x and 5.x) shapes a whole word with the font of its first part, so "(محمد)" — a
    parenthesis in DejaVu Sans, then Arabic — would be shaped with the wrong font and drawn with glyphs
    of another. Its paragraphs call ``reportlab.platypus.paragraph.shapeFragWord`` for every word when a
    style asks for shaping; this wraps it: a word is cut where its font changes, the parts in the fonts
    of ``SHAPED_FONT_NAMES`` are shaped by ReportLab's function, and Latin and CJK parts are left as they
    are (no ligatures that would read back from the PDF as other characters).
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfbase.ttfonts import ShapedFragWord, ShapedStr, makeShapedFragWord
    from reportlab.platypus import paragraph

    original = paragraph.shapeFragWord
    if getattr(original, "acudesk", False):
        return

    def width_of(frag: Any, text: str) -> float:
        if hasattr(frag, "cbDefn"):
            return float(getattr(frag, "width", 0))
        if isinstance(text, ShapedStr):  # shaped before a split: its advances, not the characters' widths
            return sum(d.x_advance for d in text.__shapeData__) * frag.fontSize / 1000
        return stringWidth(text, frag.fontName, frag.fontSize)

    def shape(word: list[Any], *_args: Any, **_kwargs: Any) -> list[Any]:
        parts = word[1:]
        if isinstance(word, ShapedFragWord) or not any(
                not hasattr(frag, "cbDefn") and frag.fontName in SHAPED_FONT_NAMES for frag, _text in parts):
            return word
        groups: list[list[Any]] = []
        for part in parts:
            frag = part[0]
            key = None if hasattr(frag, "cbDefn") else frag.fontName
            if groups and key is not None and getattr(groups[-1][-1][0], "fontName", None) == key \
                    and not hasattr(groups[-1][-1][0], "cbDefn"):
                groups[-1].append(part)
            else:
                groups.append([part])
        width = 0.0
        out: list[Any] = []
        for group in groups:
            frag = group[0][0]
            if (not hasattr(frag, "cbDefn") and frag.fontName in SHAPED_FONT_NAMES
                    and not any(isinstance(text, ShapedStr) for _f, text in group)):
                shaped = original([sum(width_of(f, text) for f, text in group), *group], features=FEATURES)
                width += shaped[0]
                out.extend(shaped[1:])
            else:
                width += sum(width_of(f, text) for f, text in group)
                out.extend(group)
        return makeShapedFragWord(word)([width, *out])

    shape.acudesk = True  # type: ignore[attr-defined]
    paragraph.shapeFragWord = shape
