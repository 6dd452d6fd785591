"""Body chart: silhouettes from ``load_body_chart()`` with the catalogue's points, drawn with QPainter.

Back, front and side views are tabs. Every charted point is a small grey dot; points in the plan are
larger and coloured (blue: planned, amber: safety warning, red: blocked, used with an override).
Bilateral points are drawn on both sides; a point planned on one side only is drawn on that side. The
catalogue's side view is the patient's right side; "Side (left)" is that view mirrored, where points
needled on the left (or on both sides) are drawn, as on the printed handout (reports/charts.py).
Clicking near a dot emits ``pointClicked(code)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from acudesk.domain.acupoint_files import load_body_chart, load_catalogue
from acudesk.domain.acupoints import Acupoint, ChartView
from acudesk.ui.qt import (
    QColor,
    QFont,
    QPainter,
    QPainterPath,
    QPen,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTabWidget,
    QWidget,
    Signal,
)
from acudesk.ui.style import (
    ACCENT,
    BODY_DETAIL_LINE,
    BODY_FILL,
    CANVAS,
    CAUTION_BORDER,
    DIVIDER_LINE,
    MUTED_TEXT,
    NEUTRAL_TEXT,
    POINT_DOT,
    STOP_BORDER,
)

COLOURS = {"planned": ACCENT, "warn": CAUTION_BORDER, "block": STOP_BORDER}
HIT_RADIUS = 9.0


@dataclass(frozen=True)
class Marked:
    """A point shown as part of the plan: its side and the safety state for its colour."""

    side: str = "bilateral"
    state: str = "planned"  # planned | warn | block


LEFT_SIDE = "side_left"  # the side view mirrored: the patient's left side
LEFT_SIDE_LABEL = "Side (left)"


def _positions(point: Acupoint, view: str, side: str) -> list[tuple[float, float]]:
    """Normalised (x, y) positions of the point on ``view`` for the planned ``side``."""
    chart = point.chart
    if chart is None:
        return []
    if view == LEFT_SIDE:  # a side-view point needled on the left (or both sides), on the mirrored figure
        if chart.view != "side" or not point.bilateral or side in ("right", "midline"):
            return []
        return [(1.0 - chart.x, chart.y)]
    if chart.view != view:
        return []
    if view == "side":  # the patient's right side: a point needled on the left only is not drawn here
        return [] if side == "left" and point.bilateral else [(chart.x, chart.y)]
    if not point.bilateral or abs(chart.x - 0.5) < 1e-6:
        return [(chart.x, chart.y)]
    mirrored = (1.0 - chart.x, chart.y)
    # Stored on the image's right half: the patient's LEFT on the front view, RIGHT on the back view.
    stored_side = "left" if view == "front" else "right"
    if side in ("left", "right"):
        return [(chart.x, chart.y)] if side == stored_side else [mirrored]
    return [(chart.x, chart.y), mirrored]


class BodyView(QWidget):
    pointClicked = Signal(str)

    def __init__(self, view: ChartView, parent: QWidget | None = None, *, mirrored: bool = False) -> None:
        super().__init__(parent)
        self.view = view
        self.mirrored = mirrored  # the side view turned round: the patient's left side
        self.name = LEFT_SIDE if mirrored else view.name
        self.points = [p for p in load_catalogue().points if p.chart is not None and p.chart.view == view.name]
        self.marked: Mapping[str, Marked] = {}
        self.setMinimumSize(220, 360)
        self.setMouseTracking(True)
        self.setObjectName(f"bodyView-{self.name}")

    def sizeHint(self) -> QSize:
        return QSize(300, 560)

    def set_marked(self, marked: Mapping[str, Marked]) -> None:
        self.marked = dict(marked)
        self.update()

    def _box(self) -> QRectF:
        margin = 12.0
        width, height = self.width() - 2 * margin, self.height() - 2 * margin
        if width / height > self.view.aspect:
            width = height * self.view.aspect
        else:
            height = width / self.view.aspect
        return QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)

    def _figure_x(self, x: float) -> float:
        return 1.0 - x if self.mirrored else x

    def _at(self, box: QRectF, x: float, y: float) -> QPointF:
        return QPointF(box.left() + x * box.width(), box.top() + y * box.height())

    def screen_positions(self, code: str) -> list[QPointF]:
        """Where a point is drawn (used by the click test and by tests)."""
        box = self._box()
        point = load_catalogue().get(code)
        if point is None:
            return []
        side = self.marked.get(point.code, Marked()).side
        return [self._at(box, x, y) for x, y in _positions(point, self.name, side)]

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(CANVAS))
        box = self._box()
        outline = QPainterPath()
        for index, (x, y) in enumerate(self.view.outline):
            (outline.moveTo if index == 0 else outline.lineTo)(self._at(box, self._figure_x(x), y))
        outline.closeSubpath()
        painter.setPen(QPen(QColor(DIVIDER_LINE), 1.5))
        painter.setBrush(QColor(BODY_FILL))
        painter.drawPath(outline)
        painter.setPen(QPen(QColor(BODY_DETAIL_LINE), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for line in self.view.details:
            path = QPainterPath()
            for index, (x, y) in enumerate(line):
                (path.moveTo if index == 0 else path.lineTo)(self._at(box, self._figure_x(x), y))
            painter.drawPath(path)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(POINT_DOT))
        for point in self.points:
            if point.code in self.marked:
                continue
            for x, y in _positions(point, self.name, "bilateral"):
                painter.drawEllipse(self._at(box, x, y), 2.0, 2.0)
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, font.pointSizeF() - 1))
        font.setBold(True)
        painter.setFont(font)
        for point in self.points:
            mark = self.marked.get(point.code)
            if mark is None:
                continue
            colour = QColor(COLOURS.get(mark.state, COLOURS["planned"]))
            for x, y in _positions(point, self.name, mark.side):
                centre = self._at(box, x, y)
                painter.setPen(QPen(QColor(CANVAS), 1.5))
                painter.setBrush(colour)
                painter.drawEllipse(centre, 5.5, 5.5)
                painter.setPen(colour)
                left = x < 0.5 and self.view.name != "side"
                label = QRectF(centre.x() - 58 if left else centre.x() + 7, centre.y() - 8, 50, 16)
                align = Qt.AlignmentFlag.AlignRight if left else Qt.AlignmentFlag.AlignLeft
                painter.drawText(label, align | Qt.AlignmentFlag.AlignVCenter, point.code)
        self._legend(painter)
        painter.end()

    def _legend(self, painter: QPainter) -> None:
        x, y = 8.0, self.height() - 14.0
        for state, text in (("planned", "in plan"), ("warn", "caution"), ("block", "blocked (override)")):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(COLOURS[state]))
            painter.drawEllipse(QPointF(x + 5, y), 4.5, 4.5)
            painter.setPen(QColor(NEUTRAL_TEXT))
            width = painter.fontMetrics().horizontalAdvance(text)
            painter.drawText(QRectF(x + 13, y - 8, width + 4, 16), Qt.AlignmentFlag.AlignVCenter, text)
            x += width + 30
        if self.view.name != "side":
            painter.setPen(QColor(MUTED_TEXT))
            left_edge = "patient's right" if self.view.name == "front" else "patient's left"
            right_edge = "patient's left" if self.view.name == "front" else "patient's right"
            painter.drawText(QRectF(6, 4, 120, 14), Qt.AlignmentFlag.AlignLeft, left_edge)
            painter.drawText(QRectF(self.width() - 126, 4, 120, 14), Qt.AlignmentFlag.AlignRight, right_edge)

    def code_at(self, position: QPointF) -> str | None:
        box = self._box()
        best, best_distance = None, HIT_RADIUS
        for point in self.points:
            side = self.marked.get(point.code, Marked()).side
            for x, y in _positions(point, self.name, side if point.code in self.marked else "bilateral"):
                spot = self._at(box, x, y)
                distance = ((spot.x() - position.x()) ** 2 + (spot.y() - position.y()) ** 2) ** 0.5
                if distance < best_distance:
                    best, best_distance = point.code, distance
        return best

    def mousePressEvent(self, event) -> None:
        code = self.code_at(event.position())
        if code:
            self.pointClicked.emit(code)

    def mouseMoveEvent(self, event) -> None:
        code = self.code_at(event.position())
        point = load_catalogue().get(code) if code else None
        self.setToolTip(f"{point.code} {point.pinyin} {point.hanzi} — {point.english}" if point else "")
        self.setCursor(Qt.CursorShape.PointingHandCursor if code else Qt.CursorShape.ArrowCursor)


class BodyChart(QTabWidget):
    """The three views as tabs; ``pointClicked`` from any of them."""

    pointClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bodyChart")
        chart = load_body_chart()
        self.views: dict[str, BodyView] = {}
        for name in ("back", "front", "side", LEFT_SIDE):
            view = BodyView(chart.view("side" if name == LEFT_SIDE else name), mirrored=name == LEFT_SIDE)
            view.pointClicked.connect(self.pointClicked)
            self.views[name] = view
            self.addTab(view, LEFT_SIDE_LABEL if name == LEFT_SIDE else chart.view(name).label)
        self.marked: Mapping[str, Marked] = {}

    def set_marked(self, marked: Mapping[str, Marked]) -> None:
        self.marked = dict(marked)
        for view in self.views.values():
            view.set_marked(marked)

    def show_point(self, code: str) -> None:
        """Switch to the view the point is drawn on (a side point needled on the left only: the left side)."""
        point = load_catalogue().get(code)
        if point is None or point.chart is None:
            return
        name = point.chart.view
        if name == "side" and not _positions(point, "side", self.marked.get(code, Marked()).side):
            name = LEFT_SIDE
        self.setCurrentWidget(self.views[name])
