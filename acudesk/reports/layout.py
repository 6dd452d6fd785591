"""One look for every document: page frame, clinic header, "Page x of y", typography, tables.

``render(...)`` turns a list of Platypus flowables into PDF bytes and reports the page count, which
the service records with the export.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from acudesk.domain import dates
from acudesk.reports.fonts import (
    SANS,
    SANS_BOLD,
    draw_string,
    embolden_script_runs,
    markup,
    needs_shaping,
    register_fonts,
    string_width,
)
from acudesk.reports.model import ClinicDetails

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
ACCENT = colors.HexColor("#2b6cb0")
RULE = colors.HexColor("#c9d1db")
SHADE = colors.HexColor("#eef2f7")
WARN = colors.HexColor("#b42318")
WARN_SHADE = colors.HexColor("#fdecea")

PAGE = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 32 * mm
MARGIN_BOTTOM = 20 * mm
CONTENT_WIDTH = PAGE[0] - 2 * MARGIN_X


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_right: ParagraphStyle
    warning: ParagraphStyle
    bullet: ParagraphStyle


def styles(size: float = 10.5) -> Styles:
    """The paragraph styles at a body size: 12.5 pt for patients, 10.5 pt for clinical documents."""
    register_fonts()
    lead = size * 1.35
    body = ParagraphStyle("body", fontName=SANS, fontSize=size, leading=lead, textColor=INK, spaceAfter=size * 0.5,
                          bulletFontName=SANS)
    cell_size = max(8.5, size - 1.5)
    cell = ParagraphStyle("cell", parent=body, fontSize=cell_size, leading=cell_size * 1.25, spaceAfter=0)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=max(8.5, size - 2), leading=max(8.5, size - 2) * 1.3,
                             textColor=MUTED),
        title=ParagraphStyle("title", parent=body, fontName=SANS_BOLD, fontSize=size + 9, leading=(size + 9) * 1.2,
                             textColor=ACCENT, spaceAfter=size * 0.6),
        heading=ParagraphStyle("heading", parent=body, fontName=SANS_BOLD, fontSize=size + 3,
                               leading=(size + 3) * 1.25, textColor=ACCENT, spaceBefore=size * 0.9,
                               spaceAfter=size * 0.4),
        subheading=ParagraphStyle("subheading", parent=body, fontName=SANS_BOLD, fontSize=size + 0.5,
                                  spaceBefore=size * 0.4, spaceAfter=size * 0.2),
        cell=cell,
        cell_bold=ParagraphStyle("cell_bold", parent=cell, fontName=SANS_BOLD),
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        warning=ParagraphStyle("warning", parent=body, textColor=WARN, fontName=SANS_BOLD),
        bullet=ParagraphStyle("bullet", parent=body, leftIndent=size * 1.3, bulletIndent=size * 0.2,
                              spaceAfter=size * 0.25),
    )


def p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph from plain text (escaped, each script's runs switched to its font)."""
    return pm(markup(text), style)


def pm(marked_up: str, style: ParagraphStyle, **kwargs: Any) -> Paragraph:
    """A paragraph from text that already holds ReportLab markup (callers escape the data parts)."""
    if "<font" in marked_up:
        marked_up = embolden_script_runs(marked_up, bold=style.fontName == SANS_BOLD)
    return Paragraph(marked_up, _shaping(style) if needs_shaping(marked_up) else style, **kwargs)


def bullets(items: Sequence[str], style: ParagraphStyle) -> list[Flowable]:
    return [pm(markup(item), style, bulletText="•") for item in items]


def _shaping(style: ParagraphStyle) -> ParagraphStyle:
    """The same style with HarfBuzz shaping on, for paragraphs with Arabic, Hebrew or Devanagari runs
    (reports/fonts.py); the others skip shaping, which would cost time and change nothing."""
    return ParagraphStyle(style.name, parent=style, shaping=1)  # same name: _no_orphan_headings reads it


def table(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    header: bool = True,
    zebra: bool = True,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """A table that splits across pages, repeating its header row."""
    t = Table(list(map(list, rows)), colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), SANS),  # ReportLab's default cell font is an unembedded Helvetica
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), SHADE), ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT)]
    if zebra:
        start = 1 if header else 0
        commands.append(("ROWBACKGROUNDS", (0, start), (-1, -1), [colors.white, colors.HexColor("#f8fafc")]))
    t.setStyle(TableStyle(commands + list(extra)))
    return t


def key_values(pairs: Sequence[tuple[str, str]], s: Styles, *, label_width: float = 42 * mm) -> Table:
    """A two-column "label: value" block without a header."""
    rows = [[p(label, s.cell_bold), p(value or "—", s.cell)] for label, value in pairs]
    return table(rows, [label_width, CONTENT_WIDTH - label_width], header=False, zebra=False)


def boxed(flowables: list[Flowable], *, border: Any = WARN, background: Any = WARN_SHADE) -> Table:
    """A shaded box around a few flowables (used for urgent warnings)."""
    t = Table([[flowables]], colWidths=[CONTENT_WIDTH])
    t.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 1.2, border),
        ("FONTNAME", (0, 0), (-1, -1), SANS),
        ("BACKGROUND", (0, 0), (-1, -1), background),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    return t


def keep(*flowables: Flowable) -> KeepTogether:
    return KeepTogether(list(flowables))


def gap(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)


def fmt_date(day: date | datetime) -> str:
    return dates.day(day)


def fmt_long_date(day: date | datetime) -> str:
    return dates.long_day(day, weekday=True)


def fmt_time(moment: datetime) -> str:
    return dates.time_of(moment)


_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "AUD": "A$", "CAD": "C$", "NZD": "NZ$", "CHF": "CHF ",
            "JPY": "¥", "CNY": "¥", "HKD": "HK$", "SGD": "S$", "INR": "₹"}


def fmt_money(minor: int, currency: str) -> str:
    symbol = _SYMBOLS.get(currency.upper(), currency.upper() + " ")
    sign = "−" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{symbol}{whole:,}.{cents:02d}"


# ----------------------------------------------------------------------------------------- page frame


@dataclass(frozen=True)
class PageSetup:
    clinic: ClinicDetails
    title: str
    confidential: bool
    printed: str  # e.g. "Printed 3 Mar 2026"
    subject: str = ""  # e.g. patient name and number, repeated on every page after the first


def _numbered_canvas(setup: PageSetup, counter: list[int]) -> type[pdf_canvas.Canvas]:
    class NumberedCanvas(pdf_canvas.Canvas):
        """Keeps each page's state until the end so the footer can say "Page x of y"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = SANS  # no stray, unembedded Helvetica
            kwargs["initialFontSize"] = 10
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            counter.append(total)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            width, _ = PAGE
            self.setFont(SANS, 8.5)
            self.setFillColor(MUTED)
            self.drawRightString(width - MARGIN_X, 10 * mm, f"Page {self._pageNumber} of {total}")
            self.drawString(MARGIN_X, 10 * mm, setup.printed)
            if setup.confidential:
                self.setFont(SANS_BOLD, 8.5)
                self.setFillColor(WARN)
                self.drawCentredString(width / 2, 10 * mm, "Confidential")

    return NumberedCanvas


def _header(setup: PageSetup):
    def draw(canvas: pdf_canvas.Canvas, doc: SimpleDocTemplate) -> None:
        width, height = PAGE
        canvas.saveState()
        top = height - 12 * mm
        canvas.setFillColor(ACCENT)
        draw_string(canvas, MARGIN_X, top, setup.clinic.name, SANS_BOLD, 12)
        canvas.setFillColor(MUTED)
        lines = [setup.clinic.address.replace("\n", ", "),
                 "  ·  ".join(x for x in (setup.clinic.phone, setup.clinic.email) if x)]
        for number, line in enumerate(x for x in lines if x):
            draw_string(canvas, MARGIN_X, top - 11 - 10 * number, _fit(line, SANS, 8.5, CONTENT_WIDTH * 0.56), SANS,
                        8.5)
        canvas.setFont(SANS_BOLD, 9.5)
        canvas.setFillColor(INK)
        canvas.drawRightString(width - MARGIN_X, top, _fit(setup.title, SANS_BOLD, 9.5, CONTENT_WIDTH * 0.4))
        if setup.subject and doc.page > 1:
            draw_string(canvas, width - MARGIN_X, top - 11, _fit(setup.subject, SANS, 8.5, CONTENT_WIDTH * 0.4), SANS,
                        8.5, anchor="end")
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(1)
        canvas.line(MARGIN_X, top - 27, width - MARGIN_X, top - 27)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, 14 * mm, width - MARGIN_X, 14 * mm)
        canvas.restoreState()

    return draw


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten ``text`` with an ellipsis so it fits ``width`` points (measured run by run, as drawn)."""
    if string_width(text, font, size) <= width:
        return text
    while text and string_width(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def render(flowables: list[Flowable], setup: PageSetup, *, author: str = "") -> tuple[bytes, int]:
    """Lay out ``flowables`` on A4 pages with the shared header and footer; return (PDF bytes, pages)."""
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=PAGE, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=setup.title, author=author or setup.clinic.name,
        subject=setup.title, creator="AcuDesk", invariant=False,
    )
    counter: list[int] = []
    header = _header(setup)
    doc.build(_no_orphan_headings(flowables), onFirstPage=header, onLaterPages=header,
              canvasmaker=_numbered_canvas(setup, counter))
    return buffer.getvalue(), counter[-1] if counter else 0


def _no_orphan_headings(flowables: list[Flowable]) -> list[Flowable]:
    """Start a new page before a heading with less than 30 mm left under it.

    Used instead of ``keepWithNext``, which would drag a long table whole onto the next page.
    """
    out: list[Flowable] = []
    for flowable in flowables:
        if isinstance(flowable, Paragraph) and flowable.style.name in ("heading", "subheading"):
            out.append(CondPageBreak(30 * mm))
        out.append(flowable)
    return out


def printed_line(moment: datetime | date) -> str:
    """When the paper was printed ("Printed 3 December 2026"), kept apart from the date of its content."""
    return f"Printed {fmt_full_date(moment)}"


def fmt_full_date(day: date | datetime) -> str:
    return dates.long_day(day)


LEFT = TA_LEFT
