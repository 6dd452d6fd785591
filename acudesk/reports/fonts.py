"""The fonts every AcuDesk PDF uses, registered once with ReportLab and embedded in each file.

Latin text (including pinyin tone marks) is set in DejaVu Sans; hanzi in "AcuDesk Hanzi", a subset of
WenQuanYi Micro Hei cut to the acupoint catalogue's characters (``resources/fonts/make_subset.py``).
ReportLab's built-in CID fonts are never used: they are not embedded and show as boxes on machines
without a CJK font.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape  # not xml.sax.saxutils: it imports urllib, http and ssl (25 ms of start-up)

from acudesk.paths import hanzi_font_path, resource

SANS = "AcuDeskSans"
SANS_BOLD = "AcuDeskSans-Bold"
HANZI = "AcuDeskHanzi"

_CJK_RUN = re.compile("[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]+")


@cache
def register_fonts() -> None:
    """Register the bundled TrueType fonts with ReportLab (idempotent)."""
    from reportlab import rl_config
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(SANS, str(resource("fonts", "DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont(SANS_BOLD, str(resource("fonts", "DejaVuSans-Bold.ttf"))))
    pdfmetrics.registerFont(TTFont(HANZI, str(hanzi_font_path())))
    # <b> inside paragraphs picks the bold face; italics fall back to the upright faces.
    addMapping(SANS, 0, 0, SANS)
    addMapping(SANS, 1, 0, SANS_BOLD)
    addMapping(SANS, 0, 1, SANS)
    addMapping(SANS, 1, 1, SANS_BOLD)
    addMapping(HANZI, 0, 0, HANZI)
    addMapping(HANZI, 1, 0, HANZI)
    addMapping(HANZI, 0, 1, HANZI)
    addMapping(HANZI, 1, 1, HANZI)
    # Vector drawings start from ReportLab's base font (Helvetica, never embedded): use ours instead.
    rl_config.canvas_basefontname = SANS
    rl_config.defaultGraphicsFontName = SANS


def markup(text: str) -> str:
    """Escape ``text`` for a Paragraph and switch hanzi runs to the embedded CJK font."""
    escaped = escape(text or "", quote=False)  # &, <, > only, as ReportLab paragraphs need
    return _CJK_RUN.sub(lambda m: f'<font name="{HANZI}">{m.group(0)}</font>', escaped)


def has_cjk(text: str) -> bool:
    return bool(_CJK_RUN.search(text or ""))
