"""NRS trend drawn with QPainter: pain per session, the baseline, the meaningful-change line, phases."""

from __future__ import annotations

from acudesk.services.outcomes import OutcomeSummary
from acudesk.ui.qt import QColor, QFont, QPainter, QPen, QPointF, QRectF, QSize, Qt, QWidget
from acudesk.ui.style import (
    ACCENT,
    CANVAS,
    CLEAR_BORDER,
    DIVIDER_LINE,
    FRAME_LINE,
    MUTED_TEXT,
    NEUTRAL_TEXT,
    SCORE_LINE,
)


class TrendChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nrsTrend")
        self.summary: OutcomeSummary | None = None
        self.setMinimumHeight(220)

    def sizeHint(self) -> QSize:
        return QSize(600, 280)

    def set_summary(self, summary: OutcomeSummary) -> None:
        self.summary = summary
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(CANVAS))
        area = QRectF(48, 20, max(10, self.width() - 70), max(10, self.height() - 60))
        summary = self.summary
        painter.setPen(QPen(QColor(FRAME_LINE), 1))
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        painter.setFont(small)
        for score in range(0, 11, 2):
            y = area.bottom() - score / 10 * area.height()
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(QColor(MUTED_TEXT))
            painter.drawText(QRectF(4, y - 8, 38, 16), Qt.AlignmentFlag.AlignRight, str(score))
            painter.setPen(QPen(QColor(SCORE_LINE), 1))
        painter.setPen(QColor(NEUTRAL_TEXT))
        painter.drawText(QRectF(area.left(), area.bottom() + 18, area.width(), 18), Qt.AlignmentFlag.AlignCenter,
                         "Session")
        if summary is None or not summary.trend:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "No pain scores recorded for this plan yet.")
            painter.end()
            return
        trend = summary.trend
        count = max(len(trend), 2)

        def at(index: int, score: float) -> QPointF:
            return QPointF(area.left() + index / (count - 1) * area.width(), area.bottom() - score / 10 * area.height())

        previous_phase = trend[0].phase
        for index, point in enumerate(trend):  # phase changes: dashed vertical lines
            if point.phase != previous_phase:
                x = (at(index - 1, 0).x() + at(index, 0).x()) / 2
                painter.setPen(QPen(QColor(DIVIDER_LINE), 1, Qt.PenStyle.DashLine))
                painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
                painter.drawText(QRectF(x + 3, area.top(), 120, 14), Qt.AlignmentFlag.AlignLeft,
                                 f"phase {point.phase + 1}")
                previous_phase = point.phase
        if summary.baseline is not None:
            y = at(0, summary.baseline).y()
            painter.setPen(QPen(QColor(MUTED_TEXT), 1.5, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.drawText(QRectF(area.right() - 160, y - 16, 160, 14), Qt.AlignmentFlag.AlignRight,
                             f"baseline {summary.baseline}")
        if summary.meaningful_at is not None and summary.meaningful_at >= 0:
            y = at(0, summary.meaningful_at).y()
            painter.setPen(QPen(QColor(CLEAR_BORDER), 1.5, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.drawText(QRectF(area.right() - 260, y + 2, 260, 14), Qt.AlignmentFlag.AlignRight,
                             f"meaningful improvement: {summary.meaningful_at:g} or less")
        painter.setPen(QPen(QColor(ACCENT), 2.5))
        for index in range(1, len(trend)):
            painter.drawLine(at(index - 1, trend[index - 1].nrs), at(index, trend[index].nrs))
        painter.setBrush(QColor(ACCENT))
        for index, point in enumerate(trend):
            centre = at(index, point.nrs)
            painter.setPen(QPen(QColor(CANVAS), 1.5))
            painter.drawEllipse(centre, 4.5, 4.5)
            painter.setPen(QColor(NEUTRAL_TEXT))
            painter.drawText(QRectF(centre.x() - 20, area.bottom() + 2, 40, 14), Qt.AlignmentFlag.AlignCenter,
                             str(point.visit))
        painter.end()
