"""Patients' names in every script a clinic meets print in the care summary, the handout and the referral.

For each name: the text read back from the PDF holds the name (in the reading order a PDF of that script
gives), the PDF embeds the font chosen for each of the name's runs, and every character of the name has a
glyph in that font — HarfBuzz, which shapes Arabic, Hebrew and Devanagari, finds no missing glyph (.notdef,
drawn as a box) in them either.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from conftest import pdf_text
from course_data import build_course

from acudesk.domain.patients import full_name
from acudesk.paths import resource
from acudesk.reports.fonts import ARABIC, CJK, DEVANAGARI, HANGUL, HEBREW, ScriptFont, runs
from acudesk.services.document_export import render_document

# (given name, family name, the script font its letters need; None: DejaVu Sans)
NAMES = [
    ("小明", "王", CJK),  # simplified Chinese
    ("大文", "陳", CJK),  # traditional Chinese
    ("はなこ", "やまだ", CJK),  # Japanese kana
    ("花子", "山田", CJK),  # Japanese kanji
    ("민준", "김", HANGUL),
    ("محمد", "العلي", ARABIC),
    ("دوست‌محمد", "رضایی", ARABIC),  # Persian, with a zero-width non-joiner
    ("דוד", "כהן", HEBREW),
    ("देवानंद", "शर्मा", DEVANAGARI),
    ("Σοφία", "Παπαδοπούλου", None),
    ("Анна", "Иванова", None),
    ("Thị Ánh", "Nguyễn", None),
    ("Łukasz", "Żółć", None),
]
KINDS = ("summary", "handout", "referral")


@cache
def _cmap(file: str) -> dict[int, str]:
    from fontTools.ttLib import TTFont

    return TTFont(str(resource("fonts", file)), lazy=True).getBestCmap()


@cache
def _postscript_name(file: str) -> str:
    from fontTools.ttLib import TTFont

    return str(TTFont(str(resource("fonts", file)), lazy=True)["name"].getDebugName(6))


def _file(font: ScriptFont | None, bold: bool) -> str:
    if font is None:
        return "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return font.files[-1] if bold else font.files[0]


def _missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that the font chosen for their run (either weight) cannot draw."""
    missing = []
    for piece, font in runs(text):
        for bold in (False, True):
            cmap = _cmap(_file(font, bold))
            missing += [f"{ch} (U+{ord(ch):04X}) in {_file(font, bold)}" for ch in piece
                        if not ch.isspace() and ord(ch) not in cmap and ch not in "\u200c\u200d"]
            if font is not None and font.shaped:
                missing += [f"{piece}: .notdef in {_file(font, bold)}" for gid in _shaped_glyphs(piece, font, bold)
                            if gid == 0]
    return missing


def _shaped_glyphs(text: str, font: ScriptFont, bold: bool) -> list[int]:
    import uharfbuzz

    face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(resource("fonts", _file(font, bold)))))
    buffer = uharfbuzz.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    uharfbuzz.shape(uharfbuzz.Font(face), buffer, {})
    return [info.codepoint for info in buffer.glyph_infos]


def _fonts_in(pdf: bytes) -> set[str]:
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]).split("+")[-1])
    return names


def _readable(text: str) -> str:
    """PDF text with presentation forms folded (a joined Arabic letter reads back as its form: ﻣ for م)."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


@pytest.mark.parametrize(("given", "family", "font"), NAMES, ids=[g + " " + f for g, f, _ in NAMES])
def test_a_name_in_any_script_prints_in_each_document(database, admin, given, family, font) -> None:
    # Chinese, Japanese and Korean names family name first (王小明); the bidi isolation marks around a
    # right-to-left name are for the screen, not drawn
    name = full_name(given, family).strip("\u2068\u2069")
    assert _missing_glyphs(name) == []
    assert {f for _piece, f in runs(name) if not _piece.isspace()} == {font}
    course = build_course(database, sessions=2, level="EMERGENCY", given=given, family=family)
    in_any: set[str] = set()
    for kind in KINDS:
        pdf, _pages = render_document(database, admin, kind, patient_id=course.patient_id)
        embedded = _fonts_in(pdf)
        in_any |= embedded
        assert _postscript_name(_file(font, bold=False)) in embedded, (kind, embedded)
        raw = " ".join(pdf_text(pdf))
        text = _readable(raw)
        if font is ARABIC:  # joined: the letters were drawn in their initial, medial and final forms
            assert any("\ufe70" <= ch <= "\ufeff" for ch in raw), kind
        if font is None or font in (CJK, HANGUL):
            assert name in text, kind  # read back as written
        elif font.right_to_left:
            # Each word reads back whole (pypdf puts right-to-left runs back in reading order), its
            # joined Arabic letters folded back from their presentation forms; a zero-width non-joiner
            # may read back as a space.
            for word in name.split():
                assert word.replace("\u200c", "") in text.replace("\u200c", "").replace(" ", ""), (kind, word)
        else:
            # Devanagari's conjuncts and vowel signs are glyphs of their own, read back as private-use
            # characters: proof that HarfBuzz shaped them. The plain letters around them read back as written.
            assert any("\ue000" <= ch <= "\uf8ff" for ch in text), kind
    # The name stands in bold text too (the handout's "Prepared for …", the referral's "Re: …"): in the
    # script's bold face where it has one.
    assert _postscript_name(_file(font, bold=True)) in in_any


def test_joined_arabic_and_conjunct_devanagari_are_shaped_not_isolated_letters() -> None:
    # Shaping turns محمد into its joined forms (fewer or different glyphs than isolated letters) and
    # क्ष (ka, virama, ssa) into one conjunct glyph.
    isolated = [_cmap(ARABIC.files[0])[ord(ch)] for ch in "محمد"]
    from fontTools.ttLib import TTFont

    order = TTFont(str(resource("fonts", ARABIC.files[0])), lazy=True).getGlyphOrder()
    joined = [order[gid] for gid in _shaped_glyphs("محمد", ARABIC, bold=False)]
    assert joined != isolated[::-1] and len(joined) == 4
    assert len(_shaped_glyphs("क्ष", DEVANAGARI, bold=False)) == 1


def test_right_to_left_words_are_drawn_right_to_left_and_left_to_right_text_keeps_its_order() -> None:
    assert [piece for piece, _font in runs("محمد العلي")] == ["العلي", " ", "محمد"]
    assert [piece for piece, _font in runs("Re: דוד כהן, born 1 May 1970")] == ["Re: ", "כהן", " ", "דוד",
                                                                                  ", born 1 May 1970"]
    assert [piece for piece, _font in runs("(محمد) and 王小明")] == ["(", "محمد", ") and ", "王小明"]


def test_the_chinese_and_arabic_names_render_to_a_page(database, admin, tmp_path: Path) -> None:
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdftoppm) not installed; run scripts/install-test-deps.sh")
    course = build_course(database, sessions=2, level="EMERGENCY", given="محمد", family="العلي")
    pdf, pages = render_document(database, admin, "referral", patient_id=course.patient_id)
    path = tmp_path / "referral.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")],
                          capture_output=True, text=True, check=True)
    assert "error" not in done.stderr.lower()
    assert len(list(tmp_path.glob("page-*.png"))) == pages


@pytest.mark.parametrize(("given", "family", "font"), NAMES, ids=[g + " " + f for g, f, _ in NAMES])
def test_text_drawn_on_the_canvas_sets_each_run_in_its_font_too(given, family, font) -> None:
    # The page header draws the patient's name straight on the canvas (pages after the first).
    from reportlab.pdfgen.canvas import Canvas

    from acudesk.reports.fonts import SANS, draw_string, register_fonts, string_width

    register_fonts()
    name = f"{given} {family}"
    buffer = io.BytesIO()
    canvas = Canvas(buffer, initialFontName=SANS)
    draw_string(canvas, 500, 700, f"{name}, born 12 Apr 1968", SANS, 8.5, anchor="end")
    canvas.showPage()
    canvas.save()
    pdf = buffer.getvalue()
    assert _postscript_name(_file(font, bold=False)) in _fonts_in(pdf)
    text = _readable(" ".join(pdf_text(pdf))).replace("\u200c", "").replace(" ", "")
    assert all(word.replace("\u200c", "") in text for word in name.split()) or font is DEVANAGARI
    assert "born12Apr1968" in text
    assert 0 < string_width(name, SANS, 8.5) < 8.5 * len(name)
