"""The painted time grid (08:00-19:00) shared by the week view and the day view.

Columns are days (week view for one practitioner or room), people or rooms (day view), or a day's
people or rooms side by side (the all-practitioners week). The widget only paints and reports
clicks: ``slotClicked(column, local datetime)`` on free time, ``entryClicked(entry, global point)``
on an appointment. It holds no database access.

Dragging a booked visit (when ``drop_check`` is set) moves a ghost of it over the grid, snapped to
15 minutes. ``drop_check(entry, column, start)`` answers at once with the clashes of that place
(None while they are not known yet): the ghost is green where the visit fits and red with a tooltip
naming the clash where it does not. Releasing it on a place that fits emits
``entryDropped(entry, column, start, following)`` (``following``: Shift was held, so the course's
following visits move by the same amount; they are checked when saved); Escape, or a release where
it does not fit (``dropRefused`` says why), puts it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from acudesk.domain import dates
from acudesk.services.calendar_data import CalendarEntry
from acudesk.ui.calendar.drag import Drag, paint_ghost
from acudesk.ui.calendar.status import border, fill
from acudesk.ui.qt import QApplication, QColor, QFont, QPainter, QPen, QPoint, QRectF, Qt, QToolTip, QWidget, Signal
from acudesk.ui.style import (
    ACCENT,
    CANVAS,
    CLOSED_DAY_FILL,
    CLOSED_DAY_TEXT,
    DIVIDER_LINE,
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
NARROW = 110  # px: an entry narrower than this shows the patient's name and "5 of 9" only


def _elided(painter: QPainter, text: str, width: float) -> str:
    """``text`` shortened with "…" to fit ``width`` in the painter's font."""
    return painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, max(0, int(width)))


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
    label: str = ""  # whose column it is ("Hana Sato", "Garden Room"), when a view shows several


@dataclass
class _Placed:
    entry: CalendarEntry
    rect: QRectF = field(default_factory=QRectF)


DropCheck = Callable[[CalendarEntry, Column, datetime], list[str] | None]

class CalendarGrid(QWidget):
    slotClicked = Signal(object, object)  # (Column, datetime)
    entryClicked = Signal(object, object)  # (CalendarEntry, QPoint global)
    dragStarted = Signal(object)  # CalendarEntry
    entryDropped = Signal(object, object, object, bool)  # (CalendarEntry, Column, datetime, with the following)
    dropRefused = Signal(str)  # why a visit dropped where it does not fit went back

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
        self.drop_check: DropCheck | None = None  # set by a screen that lets visits be dragged
        self.drag: Drag | None = None
        self._pressed: tuple[CalendarEntry, QPoint] | None = None
        # The keyboard: Tab reaches the grid, the arrow keys go from visit to visit (day by day, in time
        # order), Return, Space or the menu key opens the visit's actions, as a click does.
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Calendar")
        self.keyboard_entry: CalendarEntry | None = None

    # -- data ------------------------------------------------------------------------------------
    def set_content(self, columns: list[Column], entries: dict[int, list[CalendarEntry]], now: datetime) -> None:
        self.columns = columns
        self.entries = entries
        self.now = now
        if self.keyboard_entry is not None:  # the same visit, as it is now; or none when it left the view
            self._choose(next((e for e in self.in_order() if e.id == self.keyboard_entry.id), None))
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
            painter.setFont(small)
            painter.setPen(QColor(CLOSED_DAY_TEXT) if column.closed else QColor(MUTED_TEXT))
            painter.drawText(QRectF(x + 4, 21, width - 8, 18), Qt.AlignmentFlag.AlignCenter,
                             _elided(painter, column.closed or column.subtitle, width - 8))
        painter.setPen(QColor(TEXT))
        painter.setFont(bold)
        for first, count in self._title_runs():  # a day's title once over its practitioners or rooms
            left, span = self._x(first), width * count
            painter.drawText(QRectF(left + 4, 3, span - 8, 18), Qt.AlignmentFlag.AlignCenter,
                             _elided(painter, self.columns[first].title, span - 8))
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
            painter.drawLine(x, HEADER if self._inside_run(index) else 0, x, int(bottom))
        painter.drawLine(GUTTER, HEADER, self.width(), HEADER)
        painter.setPen(QPen(QColor(DIVIDER_LINE), 2))
        runs = self._title_runs()
        if any(count > 1 for _first, count in runs):  # days of the all-practitioners week, set apart
            for first, _count in runs[1:]:
                x = int(self._x(first))
                painter.drawLine(x, 0, x, int(bottom))
        for index, column in enumerate(self.columns):
            if column.closed:
                painter.setPen(QColor(INACTIVE_TEXT))
                painter.setFont(bold)
                painter.drawText(QRectF(self._x(index) + 6, HEADER + hour, width - 12, hour * 2),
                                 Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, f"Closed\n{column.closed}")
        self._paint_entries(painter, small, bold)
        self._paint_now(painter)
        self._paint_drag(painter, small, bold)
        painter.end()

    def _paint_entries(self, painter: QPainter, small: QFont, bold: QFont) -> None:
        self._placed = []
        width = self._column_width()
        for index, _column in enumerate(self.columns):
            items = sorted(self.entries.get(index, []), key=lambda e: (e.status == "cancelled", e.local_start))
            lane_of, lanes_of = _lanes(items)
            for entry in items:
                count = lanes_of[entry.id]
                start = max(entry.local_start.time(), time(FIRST_HOUR))
                same_day = entry.local_end.date() == entry.local_start.date()
                end_time = entry.local_end.time() if same_day else time(23, 59)
                end = min(end_time, time(LAST_HOUR)) if end_time > time(FIRST_HOUR) else time(FIRST_HOUR, 15)
                lane_width = (width - 6) / count
                rect = QRectF(self._x(index) + 3 + lane_of[entry.id] * lane_width, self._y(start) + 1,
                              lane_width - 2, max(14.0, self._y(end) - self._y(start) - 2))
                self._placed.append(_Placed(entry, rect))
                self._paint_entry(painter, entry, rect, small, bold)
                if self.hasFocus() and self.keyboard_entry is not None and entry.id == self.keyboard_entry.id:
                    painter.setPen(QPen(QColor(ACCENT), 3))  # the visit the keyboard is on
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawRoundedRect(rect.adjusted(-1, -1, 1, 1), 3, 3)

    def detail_text(self, entry: CalendarEntry, late: bool = False, *, short: bool = False) -> str:
        """An entry's second line: "visit 5 of 9 · fortnightly · Garden Room", "Late", "Cancelled";
        ``short`` (a narrow column): "5 of 9"."""
        if entry.status == "cancelled":
            return "Cancelled" + (" (late)" if entry.late_cancellation and not short else "")
        if late:
            return "Late"
        if short:
            if entry.course_visit_number is None:
                return ""
            return f"{entry.course_visit_number}" + (f" of {entry.course_total}" if entry.course_total else "")
        who = entry.practitioner_name if self.show_practitioner else entry.room_name
        return " · ".join(part for part in (entry.course_text, who) if part)

    def _title_runs(self) -> list[tuple[int, int]]:
        """(first column, count) of neighbouring columns with the same title: one day's practitioners."""
        runs: list[tuple[int, int]] = []
        for index, column in enumerate(self.columns):
            if runs and self.columns[runs[-1][0]].title == column.title and self.columns[runs[-1][0]].day == column.day:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((index, 1))
        return runs

    def _inside_run(self, index: int) -> bool:
        """Whether the line before column ``index`` divides one day's practitioners (not two days)."""
        return any(first < index < first + count for first, count in self._title_runs())

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
        narrow = rect.width() < NARROW  # the all-practitioners week: the name, and "5 of 9" under it
        first = entry.patient_name if narrow else f"{dates.time_of(entry.local_start)} {entry.patient_name}"
        painter.drawText(QRectF(text_rect.left(), text_rect.top(), text_rect.width(), line),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         _elided(painter, first, text_rect.width()))
        if text_rect.height() >= 2 * line:
            painter.setFont(small)
            painter.drawText(QRectF(text_rect.left(), text_rect.top() + line, text_rect.width(), line),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             _elided(painter, self.detail_text(entry, late, short=narrow), text_rect.width()))

    def _drag_rect(self, drag: Drag) -> QRectF | None:
        if drag.column is None or drag.start is None or drag.column not in self.columns:
            return None  # (the view was reloaded under the drag: the next move places it again)
        index = self.columns.index(drag.column)
        end = drag.start + drag.entry.duration
        low = min(end.time(), time(LAST_HOUR)) if end.date() == drag.start.date() else time(LAST_HOUR)
        top = self._y(drag.start.time())
        return QRectF(self._x(index) + 3, top + 1, self._column_width() - 6, max(14.0, self._y(low) - top - 2))

    def _paint_drag(self, painter: QPainter, small: QFont, bold: QFont) -> None:
        rect = self._drag_rect(self.drag) if self.drag is not None else None
        if self.drag is not None and rect is not None:
            paint_ghost(painter, self.drag, rect, small, bold)

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

    def point_of(self, column: int, moment: time) -> QPoint:
        """Where a time is drawn in a column (tests press, drag and click there, as a user would)."""
        return QPoint(int(self._x(column) + self._column_width() / 2), int(self._y(moment) + 3))

    def _can_drag(self, entry: CalendarEntry) -> bool:
        return self.drop_check is not None and entry.status == "booked"

    def mousePressEvent(self, event) -> None:
        point = event.position().toPoint()
        if event.button() == Qt.MouseButton.RightButton and self.drag is None:
            clicked = self.entry_at(point)  # a right-click opens a visit's menu at once, as a left click does
            if clicked is not None:
                self.entryClicked.emit(clicked, self.mapToGlobal(point))
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        entry = self.entry_at(point)
        if entry is not None:
            self._pressed = (entry, point)  # a click (menu) or the start of a drag: the release tells
            return
        slot = self.slot_at(point)
        if slot is not None and not slot[0].closed:
            self.slotClicked.emit(*slot)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pressed, self._pressed = self._pressed, None
        drag = self.drag
        if drag is not None:
            self.end_drag()
            if drag.fits and drag.column is not None and drag.start is not None:
                following = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier) and \
                    drag.entry.course_visit_number is not None
                self.entryDropped.emit(drag.entry, drag.column, drag.start, following)
            elif drag.problems:
                self.dropRefused.emit(f"{drag.entry.patient_name} was not moved: {drag.problems[0]}.")
            return
        if pressed is not None:
            self.entryClicked.emit(pressed[0], self.mapToGlobal(pressed[1]))

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape and self.drag is not None:
            self._pressed = None
            self.end_drag()
            return
        key, keys = event.key(), Qt.Key
        visits = self.in_order()
        if visits and key in (keys.Key_Down, keys.Key_Right, keys.Key_Up, keys.Key_Left, keys.Key_Home, keys.Key_End):
            at = visits.index(self.keyboard_entry) if self.keyboard_entry in visits else -1
            step = {keys.Key_Down: 1, keys.Key_Right: 1, keys.Key_Up: -1, keys.Key_Left: -1}.get(key)
            if step is None:
                at = 0 if key == keys.Key_Home else len(visits) - 1
            else:
                at = min(len(visits) - 1, max(0, at + step))
            self._choose(visits[at])
            return
        if self.keyboard_entry is not None and key in (keys.Key_Return, keys.Key_Enter, keys.Key_Space, keys.Key_Menu):
            placed = next((p for p in self._placed if p.entry.id == self.keyboard_entry.id), None)
            point = placed.rect.center().toPoint() if placed is not None else self.rect().center()
            self.entryClicked.emit(self.keyboard_entry, self.mapToGlobal(point))
            return
        super().keyPressEvent(event)

    def in_order(self) -> list[CalendarEntry]:
        """The visits as the arrow keys go through them: day (column) by day, in time order."""
        return [entry for index in range(len(self.columns)) for entry in
                sorted(self.entries.get(index, []), key=lambda e: (e.local_start, e.status == "cancelled"))]

    def _choose(self, entry: CalendarEntry | None) -> None:
        """The visit the keyboard is on; a screen reader hears it as the grid's description."""
        self.keyboard_entry = entry
        self.setAccessibleDescription(
            "" if entry is None else f"{dates.long_day(entry.local_start, weekday=True)} "
                                     f"{dates.time_of(entry.local_start)}, {entry.patient_name}, "
                                     f"{self.detail_text(entry)}")
        self.update()

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        if self.keyboard_entry is None and self.in_order():
            self._choose(self.in_order()[0])
        self.update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.update()

    # -- dragging a visit -------------------------------------------------------------------------
    def start_drag(self, entry: CalendarEntry, at: QPoint) -> None:
        """Take hold of ``entry`` at ``at`` (a point on it): the grip stays under the pointer."""
        slot = self.slot_at(at)
        grip = 0
        if slot is not None:
            grip = max(0, int((slot[1] - entry.local_start).total_seconds() // 60))
            grip -= grip % SLOT_MINUTES
        self.drag = Drag(entry, grip)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.setCursor(Qt.CursorShape.ClosedHandCursor)
        self.dragStarted.emit(entry)

    def drag_to(self, point: QPoint) -> None:
        """Move the dragged visit so that its grip is at ``point``, and judge the place at once."""
        drag = self.drag
        if drag is None:
            return
        slot = self.slot_at(point)
        if slot is None or slot[0].closed:
            drag.column, drag.start, drag.problems = (slot[0] if slot else None), None, None
            if slot is not None:
                drag.problems = [slot[0].closed or "closed"]
                drag.start = slot[1]
        else:
            column, moment = slot
            start = moment - timedelta(minutes=drag.grip_minutes)
            if start.date() != column.day or start.time() < time(FIRST_HOUR):
                start = datetime.combine(column.day, time(FIRST_HOUR))
            drag.column, drag.start = column, start
            self.recheck_drag()
        self._show_drag_tip(point)
        self.update()

    def recheck_drag(self) -> None:
        """Judge the dragged visit's place again (the screen calls this when its checks arrive)."""
        drag = self.drag
        if drag is None or drag.column is None or drag.start is None or drag.column.closed:
            return
        if drag.start == drag.entry.local_start and self._same_people(drag):
            drag.problems = ["that is where the visit is now"]
        else:
            drag.problems = self.drop_check(drag.entry, drag.column, drag.start) if self.drop_check else None
        self.update()

    @staticmethod
    def _same_people(drag: Drag) -> bool:
        column = drag.column
        assert column is not None
        return ((column.practitioner_id is None or column.practitioner_id == drag.entry.practitioner_id)
                and (column.room_id is None or column.room_id == drag.entry.room_id))

    def _show_drag_tip(self, point: QPoint) -> None:
        assert self.drag is not None
        text = self.drag.text()
        self.setToolTip(text)
        QToolTip.showText(self.mapToGlobal(point), text, self)

    def end_drag(self) -> None:
        self.drag = None
        QToolTip.hideText()
        self.setToolTip("")
        self.setCursor(Qt.CursorShape.ArrowCursor)
        self.update()

    def mouseMoveEvent(self, event) -> None:
        point = event.position().toPoint()
        if self._pressed is not None and event.buttons() & Qt.MouseButton.LeftButton:
            held, pressed_at = self._pressed
            if self.drag is None and self._can_drag(held) and \
                    (point - pressed_at).manhattanLength() >= QApplication.startDragDistance():
                self.start_drag(held, pressed_at)
            if self.drag is not None:
                self.drag_to(point)
                return
        entry = self.entry_at(point)
        if entry is not None:
            moved = (f"\nMoved from {dates.day(entry.moved_from, weekday=True)}: {entry.move_reason}"
                     if entry.moved_from else "")
            cancelled = f"\nCancelled: {entry.cancel_reason}" if entry.status == "cancelled" else ""
            course = f"\n{entry.course_text[0].upper()}{entry.course_text[1:]}" if entry.course_text else ""
            drag = "\nDrag to move it" if self._can_drag(entry) else ""
            self.setToolTip(
                f"{entry.patient_name}\n{dates.day_and_time(entry.local_start)}–{dates.time_of(entry.local_end)} · "
                f"{entry.visit_type}\n{entry.practitioner_name} · {entry.room_name}{course}{moved}{cancelled}{drag}"
            )
            self.setCursor(Qt.CursorShape.OpenHandCursor if self._can_drag(entry)
                           else Qt.CursorShape.PointingHandCursor)
        else:
            self.setToolTip("Click a free time to book a course" if self.slot_at(point) else "")
            self.setCursor(Qt.CursorShape.ArrowCursor)


def _lanes(items: list[CalendarEntry]) -> tuple[dict[int, int], dict[int, int]]:
    """Side-by-side lanes for visits that overlap (a cancelled visit and the one booked in its place):
    each entry's lane, and how many lanes its group of overlapping visits needs. Visits that overlap
    nothing keep the column's whole width, whatever else happens that day."""
    lane_of: dict[int, int] = {}
    lanes_of: dict[int, int] = {}
    group: list[CalendarEntry] = []
    lanes: list[list[CalendarEntry]] = []
    group_end = None

    def close_group() -> None:
        for member in group:
            lanes_of[member.id] = max(1, len(lanes))

    for entry in sorted(items, key=lambda e: (e.local_start, e.status == "cancelled")):
        if group_end is not None and entry.local_start >= group_end:
            close_group()
            group, lanes, group_end = [], [], None
        for number, lane in enumerate(lanes):
            if lane[-1].local_end <= entry.local_start:
                lane.append(entry)
                lane_of[entry.id] = number
                break
        else:
            lanes.append([entry])
            lane_of[entry.id] = len(lanes) - 1
        group.append(entry)
        group_end = entry.local_end if group_end is None else max(group_end, entry.local_end)
    close_group()
    return lane_of, lanes_of
