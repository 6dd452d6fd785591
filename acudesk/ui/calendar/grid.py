"""The painted time grid (08:00-19:00) shared by the week view and the day view.

Columns are days (week view for one practitioner or room) or people/rooms (day view). The widget
only paints and reports clicks: ``slotClicked(column, local datetime)`` on free time,
``entryClicked(entry, global point)`` on an appointment. It holds no database access.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from acudesk.services.calendar_data import CalendarEntry
from acudesk.ui.calendar.status import border, fill
from acudesk.ui.qt import QColor, QFont, QPainter, QPen, QPoint, QRectF, Qt, QWidget, Signal
from acudesk.ui.style import (
    CANVAS,
    CLOSED_DAY_FILL,
    CLOSED_DAY_TEXT,
    FRAME_LINE,
    GRID_LINE,
    HALF_HOUR_LINE,
    HEADER_FILL,
    INACTIVE_TEXT,
    LATE_TEXT,
    MUTED_TEXT,
    NOW_LINE,
    OUT_OF_HOURS_FILL,
    TEXT,
    TODAY_HEADER_FILL,
)

FIRST_HOUR, LAST_HOUR = 8, 19
GUTTER = 52  # hour labels
HEADER = 42  # column titles
SLOT_MINUTES = 15


@dataclass(frozen=True)
class Column:
    key: object  # a date (week view) or a practitioner/room id (day view)
    title: str
    subtitle: str
    day: date
    closed: str | None = None  # why nobody can be booked here (holiday, closure, leave)
    open_spans: tuple[tuple[int, int], ...] = ()  # minutes after midnight
    practitioner_id: int | None = None
    room_id: int | None = None
    today: bool = False


@dataclass
class _Placed:
    entry: CalendarEntry
    rect: QRectF = field(default_factory=QRectF)


class CalendarGrid(QWidget):
    slotClicked = Signal(object, object)  # (Column, datetime)
    entryClicked = Signal(object, object)  # (CalendarEntry, QPoint global)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarGrid")
        self.setMouseTracking(True)
        self.setMinimumSize(480, HEADER + 11 * 34)
        self.columns: list[Column] = []
        self.entries: dict[int, list[CalendarEntry]] = {}
        self._placed: list[_Placed] = []
        self.now: datetime | None = None  # clinic wall clock, for the red "now" line
        self.show_practitioner = False

    # -- data ------------------------------------------------------------------------------------
    def set_content(self, columns: list[Column], entries: dict[int, list[CalendarEntry]], now: datetime) -> None:
        self.columns = columns
        self.entries = entries
        self.now = now
        self.update()

    # -- geometry ----------------------------------------------------------------------------------
    def _hour_height(self) -> float:
        return max(30.0, (self.height() - HEADER - 2) / (LAST_HOUR - FIRST_HOUR))

    def _column_width(self) -> float:
        return (self.width() - GUTTER - 1) / max(1, len(self.columns))

    def _y(self, moment: time) -> float:
        minutes = (moment.hour - FIRST_HOUR) * 60 + moment.minute
        return HEADER + minutes * self._hour_height() / 60

    def _x(self, column: int) -> float:
        return GUTTER + column * self._column_width()

    # -- painting ---------------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(CANVAS))
        width = self._column_width()
        hour = self._hour_height()
        bottom = HEADER + hour * (LAST_HOUR - FIRST_HOUR)
        small = QFont(self.font())
        small.setPointSizeF(max(7.5, self.font().pointSizeF() - 1))
        bold = QFont(self.font())
        bold.setBold(True)
        for index, column in enumerate(self.columns):
            x = self._x(index)
            closed_fill = QColor(OUT_OF_HOURS_FILL)
            if column.closed:
                painter.fillRect(QRectF(x, HEADER, width, bottom - HEADER), QColor(CLOSED_DAY_FILL))
            else:
                painter.fillRect(QRectF(x, HEADER, width, bottom - HEADER), closed_fill)
                for start, end in column.open_spans:
                    top = self._y(time(min(23, start // 60), start % 60)) if start // 60 >= FIRST_HOUR else HEADER
                    low = bottom if end // 60 >= LAST_HOUR else self._y(time(end // 60, end % 60))
                    painter.fillRect(QRectF(x, max(HEADER, top), width, max(0.0, low - max(HEADER, top))),
                                     QColor(CANVAS))
            header_fill = QColor(TODAY_HEADER_FILL) if column.today else QColor(HEADER_FILL)
            painter.fillRect(QRectF(x, 0, width, HEADER), header_fill)
            painter.setPen(QColor(TEXT))
            painter.setFont(bold)
            painter.drawText(QRectF(x + 4, 3, width - 8, 18), Qt.AlignmentFlag.AlignCenter, column.title)
            painter.setFont(small)
            painter.setPen(QColor(CLOSED_DAY_TEXT) if column.closed else QColor(MUTED_TEXT))
            painter.drawText(QRectF(x + 4, 21, width - 8, 18), Qt.AlignmentFlag.AlignCenter,
                             column.closed or column.subtitle)
        # hour lines and labels
        painter.setFont(small)
        for number in range(LAST_HOUR - FIRST_HOUR + 1):
            y = HEADER + number * hour
            painter.setPen(QPen(QColor(GRID_LINE), 1))
            painter.drawLine(int(GUTTER - 4), int(y), self.width(), int(y))
            if number < LAST_HOUR - FIRST_HOUR:
                painter.setPen(QPen(QColor(HALF_HOUR_LINE), 1, Qt.PenStyle.DashLine))
                painter.drawLine(GUTTER, int(y + hour / 2), self.width(), int(y + hour / 2))
                painter.setPen(QColor(MUTED_TEXT))
                painter.drawText(QRectF(0, y + 1, GUTTER - 8, 16), Qt.AlignmentFlag.AlignRight,
                                 f"{FIRST_HOUR + number:02d}:00")
        painter.setPen(QPen(QColor(FRAME_LINE), 1))
        for index in range(len(self.columns) + 1):
            x = int(self._x(index))
            painter.drawLine(x, 0, x, int(bottom))
        painter.drawLine(GUTTER, HEADER, self.width(), HEADER)
        for index, column in enumerate(self.columns):
            if column.closed:
                painter.setPen(QColor(INACTIVE_TEXT))
                painter.setFont(bold)
                painter.drawText(QRectF(self._x(index) + 6, HEADER + hour, width - 12, hour * 2),
                                 Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, f"Closed\n{column.closed}")
        self._paint_entries(painter, small, bold)
        self._paint_now(painter)
        painter.end()

    def _paint_entries(self, painter: QPainter, small: QFont, bold: QFont) -> None:
        self._placed = []
        width = self._column_width()
        for index, _column in enumerate(self.columns):
            items = sorted(self.entries.get(index, []), key=lambda e: (e.status == "cancelled", e.local_start))
            lanes: list[list[CalendarEntry]] = []
            lane_of: dict[int, int] = {}
            for entry in sorted(items, key=lambda e: (e.local_start, e.status == "cancelled")):
                for number, lane in enumerate(lanes):
                    if lane[-1].local_end <= entry.local_start:
                        lane.append(entry)
                        lane_of[entry.id] = number
                        break
                else:
                    lanes.append([entry])
                    lane_of[entry.id] = len(lanes) - 1
            count = max(1, len(lanes))
            for entry in items:
                start = max(entry.local_start.time(), time(FIRST_HOUR))
                same_day = entry.local_end.date() == entry.local_start.date()
                end_time = entry.local_end.time() if same_day else time(23, 59)
                end = min(end_time, time(LAST_HOUR)) if end_time > time(FIRST_HOUR) else time(FIRST_HOUR, 15)
                lane_width = (width - 6) / count
                rect = QRectF(self._x(index) + 3 + lane_of[entry.id] * lane_width, self._y(start) + 1,
                              lane_width - 2, max(14.0, self._y(end) - self._y(start) - 2))
                self._placed.append(_Placed(entry, rect))
                self._paint_entry(painter, entry, rect, small, bold)

    def _paint_entry(self, painter: QPainter, entry: CalendarEntry, rect: QRectF, small: QFont, bold: QFont) -> None:
        late = (entry.status == "booked" and self.now is not None
                and self.now - entry.local_start > timedelta(minutes=10) and self.now < entry.local_end)
        painter.setPen(QPen(border(entry.status), 1))
        painter.setBrush(fill(entry.status))
        painter.drawRoundedRect(rect, 3, 3)
        painter.fillRect(QRectF(rect.left(), rect.top(), 4, rect.height()),
                         QColor(LATE_TEXT) if late else border(entry.status))
        painter.setPen(QColor(INACTIVE_TEXT) if entry.status == "cancelled" else QColor(TEXT))
        text_rect = rect.adjusted(7, 1, -3, -1)
        font = QFont(bold)
        font.setStrikeOut(entry.status == "cancelled")
        painter.setFont(font)
        line = 15.0
        painter.drawText(QRectF(text_rect.left(), text_rect.top(), text_rect.width(), line),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         f"{entry.local_start:%H:%M} {entry.patient_name}")
        if text_rect.height() >= 2 * line:
            painter.setFont(small)
            who = entry.practitioner_name if self.show_practitioner else entry.room_name
            number = f"visit {entry.course_visit_number} · " if entry.course_visit_number else ""
            detail = "Late" if late else number + (who or "")
            if entry.status == "cancelled":
                detail = "Cancelled" + (" (late)" if entry.late_cancellation else "")
            painter.drawText(QRectF(text_rect.left(), text_rect.top() + line, text_rect.width(), line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, detail)

    def _paint_now(self, painter: QPainter) -> None:
        if self.now is None or not time(FIRST_HOUR) <= self.now.time() <= time(LAST_HOUR):
            return
        for index, column in enumerate(self.columns):
            if column.day == self.now.date():
                y = self._y(self.now.time())
                painter.setPen(QPen(QColor(NOW_LINE), 2))
                painter.drawLine(int(self._x(index)), int(y), int(self._x(index) + self._column_width()), int(y))

    # -- clicks -----------------------------------------------------------------------------------
    def entry_at(self, point: QPoint) -> CalendarEntry | None:
        for placed in reversed(self._placed):
            if placed.rect.contains(point.x(), point.y()) and placed.entry.status != "cancelled":
                return placed.entry
        for placed in reversed(self._placed):
            if placed.rect.contains(point.x(), point.y()):
                return placed.entry
        return None

    def slot_at(self, point: QPoint) -> tuple[Column, datetime] | None:
        if point.x() < GUTTER or point.y() < HEADER or not self.columns:
            return None
        index = min(len(self.columns) - 1, int((point.x() - GUTTER) / self._column_width()))
        minutes = int((point.y() - HEADER) / self._hour_height() * 60)
        minutes -= minutes % SLOT_MINUTES
        if minutes >= (LAST_HOUR - FIRST_HOUR) * 60:
            return None
        column = self.columns[index]
        moment = datetime.combine(column.day, time(FIRST_HOUR + minutes // 60, minutes % 60))
        return column, moment

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point = event.position().toPoint()
        entry = self.entry_at(point)
        if entry is not None:
            self.entryClicked.emit(entry, self.mapToGlobal(point))
            return
        slot = self.slot_at(point)
        if slot is not None and not slot[0].closed:
            self.slotClicked.emit(*slot)

    def mouseMoveEvent(self, event) -> None:
        point = event.position().toPoint()
        entry = self.entry_at(point)
        if entry is not None:
            moved = f"\nMoved from {entry.moved_from:%a %d %b}: {entry.move_reason}" if entry.moved_from else ""
            cancelled = f"\nCancelled: {entry.cancel_reason}" if entry.status == "cancelled" else ""
            self.setToolTip(
                f"{entry.patient_name}\n{entry.local_start:%a %d %b %H:%M}–{entry.local_end:%H:%M} · "
                f"{entry.visit_type}\n{entry.practitioner_name} · {entry.room_name}{moved}{cancelled}"
            )
            self.setCursor(Qt.CursorShape.PointingHandCursor)
        else:
            self.setToolTip("Click a free time to book a course" if self.slot_at(point) else "")
            self.setCursor(Qt.CursorShape.ArrowCursor)
