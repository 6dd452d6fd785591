"""A visit being dragged on the calendar grid: where it would land, what the tooltip says about that
place, and its ghost, green where the visit fits, red where it clashes, grey while being checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from acudesk.domain import dates
from acudesk.services.calendar_data import CalendarEntry
from acudesk.ui.qt import QColor, QFont, QPainter, QPen, QRectF, Qt
from acudesk.ui.style import (
    CLEAR_BACKGROUND,
    CLEAR_BORDER,
    NEUTRAL_BACKGROUND,
    NEUTRAL_BORDER,
    STOP_BACKGROUND,
    STOP_BORDER,
    TEXT,
)

if TYPE_CHECKING:
    from acudesk.ui.calendar.grid import Column


@dataclass
class Drag:
    """A visit being dragged: where the pointer took hold of it, and where it would land now."""

    entry: CalendarEntry
    grip_minutes: int  # from the visit's start to the point that was taken hold of
    column: Column | None = None
    start: datetime | None = None
    problems: list[str] | None = None  # None: not known yet (or outside the grid)

    @property
    def fits(self) -> bool:
        return self.column is not None and self.problems == []

    def text(self) -> str:
        """What the tooltip says about the place under the pointer."""
        if self.column is None or self.start is None:
            return "Drop the visit on a time in the calendar"
        where = f"{dates.day_and_time(self.start)}" + (f", {self.column.label}" if self.column.label else "")
        if self.problems is None:
            return f"{where}: checking…"
        if not self.problems:
            shift = "\nHold Shift to move the following visits of the course too" \
                if self.entry.course_visit_number is not None else ""
            return f"Move {self.entry.patient_name} to {where}{shift}"
        return f"Cannot move to {where}:\n" + "\n".join(f"• {p}" for p in self.problems)


def paint_ghost(painter: QPainter, drag: Drag, rect: QRectF, small: QFont, bold: QFont) -> None:
    """The dragged visit at the place under the pointer, coloured by whether it fits there."""
    if drag.start is None:
        return
    if drag.problems is None:
        fill_colour, line = NEUTRAL_BACKGROUND, NEUTRAL_BORDER
    else:
        fill_colour, line = (CLEAR_BACKGROUND, CLEAR_BORDER) if drag.fits else (STOP_BACKGROUND, STOP_BORDER)
    painter.setPen(QPen(QColor(line), 2, Qt.PenStyle.DashLine))
    painter.setBrush(QColor(fill_colour))
    painter.drawRoundedRect(rect, 3, 3)
    painter.setPen(QColor(TEXT))
    painter.setFont(bold)
    text = rect.adjusted(6, 1, -3, -1)
    painter.drawText(QRectF(text.left(), text.top(), text.width(), 15.0),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     f"{dates.time_of(drag.start)} {drag.entry.patient_name}")
    if text.height() >= 30 and drag.problems:
        painter.setFont(small)
        painter.drawText(QRectF(text.left(), text.top() + 15, text.width(), text.height() - 15),
                         Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap, drag.problems[0])
