"""Vector drawings for the documents: the body chart with the patient's points, and the NRS trend.

Both are ReportLab ``Drawing`` objects (scalable, selectable text), never bitmaps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from acudesk.domain.acupoint_files import load_body_chart, load_catalogue
from acudesk.domain.acupoints import BodyChart, Catalogue, ChartView
from acudesk.reports.fonts import SANS, SANS_BOLD
from acudesk.reports.layout import ACCENT, INK, MUTED, RULE, SHADE, WARN
from acudesk.reports.model import PlanPointLine

SKIN = colors.HexColor("#f4efe9")
OUTLINE = colors.HexColor("#8a939e")
DOT = colors.HexColor("#c2410c")

# The order views are drawn in: back first (most back-pain points live there). The chart's side view
# is the patient's right side; "side_left" is that view mirrored, for points needled on the left only.
VIEW_ORDER = ("back", "front", "side", "side_left")
LEFT_SIDE = "side_left"
LEFT_SIDE_LABEL = "Side (left)"


@dataclass(frozen=True)
class Mark:
    code: str
    view: str
    x: float  # 0..1 in the view's box
    y: float
    labelled: bool


def chart_marks(points: Sequence[PlanPointLine], catalogue: Catalogue | None = None) -> list[Mark]:
    """Where each planned point is drawn. Bilateral points are mirrored; one-sided points are put on
    the patient's side (the back view shows the patient's right on the right, the front view the left).
    The side view shows the patient's right side; a point needled on the left only goes on the mirrored
    figure of the left side instead, so it is never drawn on the wrong side."""
    cat = catalogue or load_catalogue()
    marks: list[Mark] = []
    for line in points:
        point = cat.get(line.code)
        if point is None or point.chart is None:
            continue
        chart = point.chart
        if chart.view == "side" and line.side == "left" and point.bilateral:
            mirrored = chart.mirrored()
            marks.append(Mark(point.code, LEFT_SIDE, mirrored.x, mirrored.y, True))
            continue
        if chart.view == "side" or not point.bilateral or line.side == "midline" or abs(chart.x - 0.5) < 1e-6:
            marks.append(Mark(point.code, chart.view, chart.x, chart.y, True))
            continue
        stored_side = "right" if chart.view == "back" else "left"  # the side stored at x >= 0.5
        mirrored = chart.mirrored()
        if line.side in ("left", "right"):
            position = chart if line.side == stored_side else mirrored
            marks.append(Mark(point.code, chart.view, position.x, position.y, True))
        else:
            marks.append(Mark(point.code, chart.view, chart.x, chart.y, True))
            marks.append(Mark(point.code, chart.view, mirrored.x, mirrored.y, False))
    return marks


def _spread(wanted: list[float], gap: float, low: float, high: float) -> list[float]:
    """Move label positions (sorted, top to bottom) apart by at least ``gap`` within [low, high]."""
    placed: list[float] = []
    for y in wanted:
        placed.append(max(y, placed[-1] + gap) if placed else max(y, low))
    overflow = placed[-1] - high if placed else 0
    if overflow > 0:
        for i in range(len(placed) - 1, -1, -1):
            limit = high if i == len(placed) - 1 else placed[i + 1] - gap
            placed[i] = min(placed[i], limit)
    return placed


def body_chart_drawing(
    points: Sequence[PlanPointLine], width: float, *, height: float = 105 * mm, chart: BodyChart | None = None
) -> Drawing | None:
    """The silhouettes that carry the plan's points, side by side, each point labelled with its code."""
    body = chart or load_body_chart()
    marks = chart_marks(points)
    views = [v for v in VIEW_ORDER if any(m.view == v for m in marks)]
    if not views:
        return None
    drawing = Drawing(width, height + 6 * mm)
    slot = width / len(views)
    label_size = 8.5
    for index, name in enumerate(views):
        view = body.view("side" if name == LEFT_SIDE else name)
        box_h = height - 4 * mm
        box_w = min(box_h * view.aspect, slot - 34 * mm)
        box_h = box_w / view.aspect
        x0 = index * slot + (slot - box_w) / 2
        y0 = 6 * mm + (height - 4 * mm - box_h)
        _silhouette(drawing, view, x0, y0, box_w, box_h, mirrored=name == LEFT_SIDE)
        label = LEFT_SIDE_LABEL if name == LEFT_SIDE else view.label + (" (seen from behind)" if name == "back" else "")
        drawing.add(String(x0 + box_w / 2, 1.5 * mm, label, fontName=SANS, fontSize=8, fillColor=MUTED,
                           textAnchor="middle"))
        view_marks = [m for m in marks if m.view == name]
        for mark in view_marks:
            cx, cy = x0 + mark.x * box_w, y0 + (1 - mark.y) * box_h
            drawing.add(Circle(cx, cy, 2.1, fillColor=DOT, strokeColor=colors.white, strokeWidth=0.6))
        # Labels in two columns beside the silhouette, joined to their dots by thin leader lines.
        for right in (True, False):
            chosen = [m for m in view_marks if m.labelled and ((m.x > 0.5) == right)]
            chosen.sort(key=lambda m: m.y)
            if not chosen:
                continue
            tops = [y0 + (1 - m.y) * box_h for m in chosen]
            wanted = sorted((height + 6 * mm) - t for t in tops)
            placed = _spread(wanted, label_size + 2.5, 4 * mm, height)
            label_x = x0 + box_w + 4 * mm if right else x0 - 4 * mm
            for mark, from_top in zip(chosen, placed, strict=True):
                cx, cy = x0 + mark.x * box_w, y0 + (1 - mark.y) * box_h
                ly = (height + 6 * mm) - from_top
                edge = x0 + box_w + 1 * mm if right else x0 - 1 * mm
                drawing.add(PolyLine([cx, cy, edge, ly + label_size * 0.35, label_x - (1 if right else -1), ly
                                      + label_size * 0.35], strokeColor=MUTED, strokeWidth=0.4))
                drawing.add(String(label_x, ly, mark.code, fontName=SANS_BOLD, fontSize=label_size, fillColor=INK,
                                   textAnchor="start" if right else "end"))
    return drawing


def _silhouette(
    drawing: Drawing, view: ChartView, x0: float, y0: float, w: float, h: float, *, mirrored: bool = False
) -> None:
    def flat(points: Sequence[tuple[float, float]]) -> list[float]:
        out: list[float] = []
        for x, y in points:
            out += [x0 + ((1 - x) if mirrored else x) * w, y0 + (1 - y) * h]
        return out

    drawing.add(Polygon(flat(view.outline), fillColor=SKIN, strokeColor=OUTLINE, strokeWidth=0.8))
    for detail in view.details:
        drawing.add(PolyLine(flat(detail), strokeColor=OUTLINE, strokeWidth=0.4))


# ----------------------------------------------------------------------------------------- NRS trend


@dataclass(frozen=True)
class NrsPoint:
    when: date
    before: int | None
    after: int | None


def nrs_trend_drawing(
    readings: Sequence[NrsPoint], baseline: float | None, target: float | None, width: float,
    *, height: float = 62 * mm, target_label: str = "",
) -> Drawing:
    """Pain 0-10 per session (before and after needling), with the baseline and meaningful-change line."""
    drawing = Drawing(width, height)
    left, right, bottom, top = 16 * mm, 4 * mm, 12 * mm, 8 * mm
    plot_w, plot_h = width - left - right, height - bottom - top
    drawing.add(Rect(left, bottom, plot_w, plot_h, fillColor=colors.white, strokeColor=RULE, strokeWidth=0.6))

    def y_of(value: float) -> float:
        return bottom + value / 10 * plot_h

    for value in range(0, 11, 2):
        drawing.add(Line(left, y_of(value), left + plot_w, y_of(value), strokeColor=SHADE, strokeWidth=0.5))
        drawing.add(String(left - 2 * mm, y_of(value) - 3, str(value), fontName=SANS, fontSize=7.5,
                           fillColor=MUTED, textAnchor="end"))
    n = len(readings)

    def x_of(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n if n else plot_w / 2)

    if target is not None:
        drawing.add(Line(left, y_of(target), left + plot_w, y_of(target), strokeColor=WARN, strokeWidth=0.9,
                         strokeDashArray=[4, 3]))
        drawing.add(String(left + plot_w - 1 * mm, y_of(target) + 2, target_label or f"meaningful change ({target:g})",
                           fontName=SANS, fontSize=7.5, fillColor=WARN, textAnchor="end"))
    if baseline is not None:
        drawing.add(Line(left, y_of(baseline), left + plot_w, y_of(baseline), strokeColor=MUTED, strokeWidth=0.6,
                         strokeDashArray=[1, 2]))
        drawing.add(String(left + 1 * mm, y_of(baseline) + 2, f"baseline {baseline:g}", fontName=SANS, fontSize=7.5,
                           fillColor=MUTED))
    for attr, colour, radius in (("before", ACCENT, 2.0), ("after", colors.HexColor("#2f855a"), 1.6)):
        series = [(x_of(i), y_of(getattr(r, attr))) for i, r in enumerate(readings) if getattr(r, attr) is not None]
        if len(series) > 1:
            drawing.add(PolyLine([c for xy in series for c in xy], strokeColor=colour, strokeWidth=1.2))
        for x, y in series:
            drawing.add(Circle(x, y, radius, fillColor=colour, strokeColor=colour))
    step = max(1, (n + 9) // 10)  # at most about ten date labels
    for i, r in enumerate(readings):
        if i % step == 0 or i == n - 1:
            drawing.add(String(x_of(i), bottom - 4 * mm, f"{r.when.day} {r.when:%b}", fontName=SANS, fontSize=7,
                               fillColor=MUTED, textAnchor="middle"))
    # Legend.
    lx = left
    for text, colour in (("pain (0–10) before needling", ACCENT), ("after needling", colors.HexColor("#2f855a"))):
        drawing.add(Circle(lx + 2, height - 4 * mm, 2, fillColor=colour, strokeColor=colour))
        drawing.add(String(lx + 6, height - 4 * mm - 2.5, text, fontName=SANS, fontSize=7.5, fillColor=INK))
        lx += 52 * mm
    return drawing
