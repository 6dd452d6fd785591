"""The pain drawing in the documents: the latest drawing on the front, back and side outlines, with
its area and spread in words and, when there is one, the change since the previous drawing.

Vector drawing (a ReportLab ``Flowable``): each marked region is its cut polygon clipped to the
outline, shaded by its highest intensity and labelled with its kinds' letters, so the print shows
exactly the regions stored (resources/pain_regions.json), never a picture. The notes the chart shows
(what to check when the spread grows) are the clinic's own prompts and are not printed: the letter and
the summary state the spread and its change in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from acudesk.domain.acupoint_files import load_body_chart
from acudesk.domain.pain_drawing import PainMark, load_atlas, region_anchor
from acudesk.reports.charts import OUTLINE, SKIN
from acudesk.reports.fonts import SANS, SANS_BOLD
from acudesk.reports.layout import CONTENT_WIDTH, MUTED, Styles, keep, p

PAIN = colors.HexColor("#d9480f")
PAIN_TEXT = colors.HexColor("#7a2506")
REGION_LINE = colors.HexColor("#dcd3c7")
VIEWS = (("front", "Front"), ("back", "Back (seen from behind)"), ("side", "Side (patient's right)"))


@dataclass(frozen=True)
class PainDrawingPrint:
    """What the documents print of a patient's pain drawings (services/pain_drawings.print_data)."""

    occasion: str  # "Session, 16 Nov 2026"
    marks: tuple[PainMark, ...]
    summary: str  # "7 % of the body; worst 7/10; below the right knee; low back"
    change: str  # "Pain area: 5.5 % → 7 %; spread: … → …", or "" for a first drawing


def mark_alpha(intensity: int) -> float:
    """Fill opacity for a region's highest intensity (0 still shows: numbness without pain)."""
    return 0.2 + 0.07 * max(0, min(10, intensity))


class PainDrawingFlowable(Flowable):
    """The three outlines side by side with the marked regions."""

    def __init__(self, marks: Sequence[PainMark], width: float = CONTENT_WIDTH, height: float = 66 * mm) -> None:
        super().__init__()
        self.marks = tuple(marks)
        self.width, self.height = width, height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        chart, atlas = load_body_chart(), load_atlas()
        worst: dict[str, int] = {}
        letters: dict[str, set[str]] = {}
        for mark in self.marks:
            worst[mark.region] = max(worst.get(mark.region, 0), mark.intensity)
            letters.setdefault(mark.region, set()).add(atlas.kinds[mark.kind].symbol)
        slot = self.width / len(VIEWS)
        box_h = self.height - 8 * mm
        for index, (name, caption) in enumerate(VIEWS):
            view = chart.view(name)
            box_w = min(box_h * view.aspect, slot - 4 * mm)
            h = box_w / view.aspect
            x0, y0 = index * slot + (slot - box_w) / 2, 6 * mm + (box_h - h)

            def at(x: float, y: float, x0: float = x0, y0: float = y0, w: float = box_w, h: float = h) -> tuple[
                    float, float]:
                return x0 + x * w, y0 + (1 - y) * h

            def path(points: Sequence[tuple[float, float]]) -> Any:
                shape = canvas.beginPath()
                for number, (x, y) in enumerate(points):
                    (shape.moveTo if number == 0 else shape.lineTo)(*at(x, y))
                shape.close()
                return shape

            canvas.saveState()
            canvas.setFillColor(SKIN)
            canvas.setStrokeColor(OUTLINE)
            canvas.drawPath(path(view.outline), stroke=0, fill=1)
            canvas.clipPath(path(view.outline), stroke=0, fill=0)
            canvas.setLineWidth(0.3)
            canvas.setStrokeColor(REGION_LINE)
            for region in atlas.on_view(name):
                marked = region.id in worst
                if marked:
                    canvas.setFillColor(PAIN, alpha=mark_alpha(worst[region.id]))
                canvas.drawPath(path(region.cut), stroke=1, fill=1 if marked else 0)
            canvas.restoreState()
            canvas.setStrokeColor(OUTLINE)
            canvas.setLineWidth(0.8)
            canvas.drawPath(path(view.outline), stroke=1, fill=0)
            canvas.setFillColor(PAIN_TEXT)
            canvas.setFont(SANS_BOLD, 6.5)
            for region in atlas.on_view(name):
                if region.id in worst:
                    x, y = at(*region_anchor(region.id))
                    canvas.drawCentredString(x, y - 2.2, "".join(sorted(letters[region.id])) + str(worst[region.id]))
            canvas.setFillColor(MUTED)
            canvas.setFont(SANS, 7.5)
            canvas.drawCentredString(index * slot + slot / 2, 1.5 * mm, caption)
            if name != "side":
                left, right = ("R", "L") if name == "front" else ("L", "R")
                canvas.drawString(x0 - 3 * mm, y0 + h - 3 * mm, left)
                canvas.drawRightString(x0 + box_w + 3 * mm, y0 + h - 3 * mm, right)


KEY = "Letters: A ache, S sharp, B burning, N numbness, P pins and needles; the number is the intensity (0–10)."


def pain_drawing_section(drawing: PainDrawingPrint | None, s: Styles, *, heading: str = "Pain drawing") -> list[
        Flowable]:
    """The heading, the spread in words, the drawing and its key, kept together; a line when there is none."""
    if drawing is None:
        return [p(heading, s.heading), p("No pain drawing recorded.", s.body)]
    lines = [p(f"{drawing.occasion}: {drawing.summary}.", s.body)]
    if drawing.change:
        lines.append(p(f"Since the previous drawing — {drawing.change}.", s.body))
    return [keep(p(heading, s.heading), *lines, PainDrawingFlowable(drawing.marks), p(KEY, s.small))]
