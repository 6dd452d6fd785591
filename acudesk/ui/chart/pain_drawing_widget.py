"""The pain drawing canvas: front, back and side outlines (the body chart's own) split into the named
regions of resources/pain_regions.json, painted with QPainter.

A marked region is filled in one colour whose strength grows with the highest intensity marked
there, and carries the letters of its kinds (A ache, S sharp, B burning, N numbness, P pins and
needles). An editable canvas emits ``regionClicked(region_id)``; hovering names the region.
"""

from __future__ import annotations

from collections.abc import Sequence

from acudesk.domain.acupoint_files import load_body_chart
from acudesk.domain.acupoints import point_in_outline
from acudesk.domain.pain_drawing import PainMark, load_atlas, region_anchor
from acudesk.ui.qt import (
    QColor,
    QFont,
    QHBoxLayout,
    QLabel,
    QPainter,
    QPainterPath,
    QPen,
    QPointF,
    QPolygonF,
    QRectF,
    QSize,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from acudesk.ui.style import BODY_FILL, CANVAS, DIVIDER_LINE, MUTED_TEXT, PAIN_MARK, PAIN_MARK_TEXT, PAIN_REGION_LINE

VIEW_ORDER = ("front", "back", "side")
CAPTIONS = {"front": "Front", "back": "Back (seen from behind)", "side": "Side (patient's right)"}


def mark_alpha(intensity: int) -> int:
    """Fill opacity for a region whose highest intensity is ``intensity`` (0 still shows: numbness)."""
    return 50 + 18 * max(0, min(10, intensity))


class PainBodyView(QWidget):
    """One outline with its regions; marks drawn; clicks on a region emitted when editable."""

    regionClicked = Signal(str)

    def __init__(self, view_name: str, *, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = load_body_chart().view(view_name)
        self.regions = load_atlas().on_view(view_name)
        self.editable = editable
        self.marks: tuple[PainMark, ...] = ()
        self._paths: tuple[QSize, dict[str, QPainterPath], QPainterPath] | None = None
        self.setObjectName(f"painView-{view_name}")
        self.setMinimumSize(110, 220)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(170, 400)

    def set_marks(self, marks: Sequence[PainMark]) -> None:
        self.marks = tuple(marks)
        self.update()

    def _box(self) -> QRectF:
        margin = 6.0
        width, height = self.width() - 2 * margin, self.height() - 2 * margin
        if width / height > self.view.aspect:
            width = height * self.view.aspect
        else:
            height = width / self.view.aspect
        return QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)

    def _at(self, x: float, y: float, box: QRectF | None = None) -> QPointF:
        box = box or self._box()
        return QPointF(box.left() + x * box.width(), box.top() + y * box.height())

    def _region_paths(self) -> tuple[dict[str, QPainterPath], QPainterPath]:
        """Each region's shape on screen (its cut intersected with the outline), cached per size."""
        if self._paths is None or self._paths[0] != self.size():
            box = self._box()
            outline = QPainterPath()
            outline.addPolygon(QPolygonF([self._at(x, y, box) for x, y in self.view.outline]))
            outline.closeSubpath()
            shapes: dict[str, QPainterPath] = {}
            for region in self.regions:
                cut = QPainterPath()
                cut.addPolygon(QPolygonF([self._at(x, y, box) for x, y in region.cut]))
                cut.closeSubpath()
                shapes[region.id] = cut.intersected(outline)
            self._paths = (self.size(), shapes, outline)
        return self._paths[1], self._paths[2]

    def region_centre(self, region_id: str) -> QPointF:
        """Where a region's letters are drawn, well inside it (tests click here)."""
        x, y = region_anchor(region_id)
        return self._at(x, y)

    def region_at(self, position: QPointF) -> str | None:
        box = self._box()
        x, y = (position.x() - box.left()) / box.width(), (position.y() - box.top()) / box.height()
        if not point_in_outline(self.view, x, y):
            return None
        found = load_atlas().region_at(self.view.name, x, y)
        return found.id if found else None

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(CANVAS))
        shapes, outline = self._region_paths()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(BODY_FILL))
        painter.drawPath(outline)
        worst: dict[str, int] = {}
        letters: dict[str, str] = {}
        kinds = load_atlas().kinds
        for mark in self.marks:
            if mark.region not in shapes:  # a region of another view
                continue
            worst[mark.region] = max(worst.get(mark.region, 0), mark.intensity)
            letters[mark.region] = letters.get(mark.region, "") + kinds[mark.kind].symbol
        painter.setPen(QPen(QColor(PAIN_REGION_LINE), 0.8))
        for region_id, shape in shapes.items():
            if region_id in worst:
                fill = QColor(PAIN_MARK)
                fill.setAlpha(mark_alpha(worst[region_id]))
                painter.setBrush(fill)
            else:
                painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(shape)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(DIVIDER_LINE), 1.3))
        painter.drawPath(outline)
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1.5))
        painter.setFont(font)
        painter.setPen(QColor(PAIN_MARK_TEXT))
        for region_id, text in letters.items():
            centre = self.region_centre(region_id)
            label = f"{''.join(sorted(set(text)))}{worst[region_id]}"
            painter.drawText(QRectF(centre.x() - 20, centre.y() - 8, 40, 16), Qt.AlignmentFlag.AlignCenter, label)
        if self.view.name != "side":
            painter.setPen(QColor(MUTED_TEXT))
            small = QFont(self.font())
            small.setPointSizeF(max(6.5, small.pointSizeF() - 2.5))
            painter.setFont(small)
            left, right = ("R", "L") if self.view.name == "front" else ("L", "R")
            box = self._box()  # the patient's sides, beside the figure's shoulders
            painter.drawText(QRectF(box.left(), box.top() + box.height() * 0.16, 14, 14), Qt.AlignmentFlag.AlignLeft,
                             left)
            painter.drawText(QRectF(box.right() - 14, box.top() + box.height() * 0.16, 14, 14),
                             Qt.AlignmentFlag.AlignRight, right)
        painter.end()

    def mousePressEvent(self, event) -> None:
        region = self.region_at(event.position()) if self.editable else None
        if region is not None:
            self.regionClicked.emit(region)

    def mouseMoveEvent(self, event) -> None:
        region = self.region_at(event.position())
        self.setToolTip(load_atlas().region(region).name.capitalize() if region else "")
        pointing = region is not None and self.editable
        self.setCursor(Qt.CursorShape.PointingHandCursor if pointing else Qt.CursorShape.ArrowCursor)


class PainDrawingCanvas(QWidget):
    """Front, back and side side by side, each with its caption."""

    regionClicked = Signal(str)

    def __init__(self, *, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views: dict[str, PainBodyView] = {}
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for name in VIEW_ORDER:
            view = PainBodyView(name, editable=editable)
            view.regionClicked.connect(self.regionClicked)
            self.views[name] = view
            column = QVBoxLayout()
            caption = QLabel(CAPTIONS[name])
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption.setStyleSheet(f"color: {MUTED_TEXT};")
            column.addWidget(caption)
            column.addWidget(view, 1)
            row.addLayout(column, 1)

    def set_marks(self, marks: Sequence[PainMark]) -> None:
        for view in self.views.values():
            view.set_marks(marks)

    def view_of(self, region_id: str) -> PainBodyView:
        return self.views[load_atlas().region(region_id).view]
