"""The calendar tab: a week for one practitioner or room, or a day with a column per practitioner or room."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from acudesk.persistence.changes import Changes
from acudesk.services import calendar_data
from acudesk.services.calendar_data import CalendarRange, Resources
from acudesk.services.permissions import Permission, allowed
from acudesk.ui.calendar.course_dialog import CourseBookingDialog, Prefill
from acudesk.ui.calendar.entry_actions import EntryActions
from acudesk.ui.calendar.grid import CalendarGrid, Column
from acudesk.ui.calendar.status import Legend
from acudesk.ui.context import AppContext
from acudesk.ui.operations import refresh_on_changes
from acudesk.ui.qt import QComboBox, QHBoxLayout, QLabel, QPushButton, Qt, QVBoxLayout, QWidget
from acudesk.ui.style import MUTED_TEXT

WEEK, DAY = "week", "day"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


class CalendarScreen(QWidget):
    """Navigation bar, legend and grid, current from the change broadcast. Booking from here starts
    with no patient: the receptionist picks one, so no patient selected on another tab is booked
    by mistake. ``open_chart(patient_id)`` opens a visit's chart from its menu."""

    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 open_chart: Callable[[int], None] | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.mode = WEEK
        self.anchor = context.today()
        self.resources: Resources | None = None
        self.data: CalendarRange | None = None
        self.loaded_ms = 0.0

        self.previous = QPushButton("◀ Previous")
        self.today_button = QPushButton("Today")
        self.next = QPushButton("Next ▶")
        self.title = QLabel()
        self.title.setObjectName("calendarTitle")
        self.title.setStyleSheet("font-size: 15px; font-weight: 600; padding: 0 10px;")
        self.week_button = QPushButton("Week")
        self.day_button = QPushButton("Day")
        for button in (self.week_button, self.day_button):
            button.setCheckable(True)
        self.week_button.setChecked(True)
        self.who = QComboBox()
        self.who.setObjectName("calendarWho")
        self.who.setMinimumWidth(200)
        self.book_button = QPushButton("Book course…")
        self.book_button.setEnabled(allowed(context.actor, Permission.EDIT_SCHEDULE))
        self.grid = CalendarGrid()
        self.entry_actions = EntryActions(context, self, open_chart)
        self.hint = QLabel("Click a free time to book a course there; click a visit for check-in, move or cancel.")
        self.hint.setStyleSheet(f"color: {MUTED_TEXT};")

        bar = QHBoxLayout()
        for widget in (self.previous, self.today_button, self.next, self.title):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.week_button)
        bar.addWidget(self.day_button)
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.who)
        bar.addWidget(self.book_button)
        foot = QHBoxLayout()
        foot.addWidget(self.hint, 1)
        foot.addWidget(Legend())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.addLayout(bar)
        layout.addWidget(self.grid, 1)
        layout.addLayout(foot)

        self.previous.clicked.connect(lambda: self.step(-1))
        self.next.clicked.connect(lambda: self.step(1))
        self.today_button.clicked.connect(self.go_today)
        self.week_button.clicked.connect(lambda: self.set_mode(WEEK))
        self.day_button.clicked.connect(lambda: self.set_mode(DAY))
        self.who.currentIndexChanged.connect(lambda _i: self.reload())
        self.book_button.clicked.connect(lambda: self.book(None, None))
        self.grid.slotClicked.connect(self.book)
        self.grid.entryClicked.connect(self.entry_actions.popup)
        ctx = context
        context.operations.query(self, lambda: calendar_data.resources(ctx.database, ctx.actor), self._resources,
                                 key="resources")
        refresh_on_changes(self, context.operations, self._concerns, self.reload)

    def _concerns(self, changes: Changes) -> bool:
        """Visits, the names on them, and the clinic's rooms and hours are what this screen shows."""
        return changes.schedule or changes.patients or changes.clinic or changes.staff

    # -- selection --------------------------------------------------------------------------------
    def _resources(self, resources: Resources) -> None:
        self.resources = resources
        self.who.blockSignals(True)
        for person in resources.practitioners:
            self.who.addItem(person.name, ("practitioner", person.id))
        for room in resources.rooms:
            self.who.addItem(room.name, ("room", room.id))
        self.who.blockSignals(False)
        self.reload()

    def selection(self) -> tuple[str, int] | None:
        return self.who.currentData()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        if mode == DAY:  # a closed weekday (Sunday) has nothing to show: go to the next open day
            for _ in range(7):
                if self._open_weekday(self.anchor.weekday()):
                    break
                self.anchor += timedelta(days=1)
        self.week_button.setChecked(mode == WEEK)
        self.day_button.setChecked(mode == DAY)
        self.reload()

    def step(self, direction: int) -> None:
        days = 7 if self.mode == WEEK else 1
        self.anchor += timedelta(days=days * direction)
        if self.mode == DAY:
            while not self._open_weekday(self.anchor.weekday()):
                self.anchor += timedelta(days=direction)
        self.reload()

    def go_today(self) -> None:
        self.anchor = self.context.today()
        self.reload()

    def show_day(self, day: date) -> None:
        self.anchor = day
        self.reload()

    def _open_weekday(self, weekday: int) -> bool:
        hours = self.context.clinic.opening_hours or {}
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        return not hours or bool(hours.get(names[weekday]))

    def range(self) -> tuple[date, date]:
        if self.mode == DAY:
            return self.anchor, self.anchor
        first = monday_of(self.anchor)
        return first, first + timedelta(days=6)

    # -- loading ----------------------------------------------------------------------------------
    def reload(self) -> None:
        selection = self.selection()
        if selection is None:
            return
        kind, key = selection
        first, last = self.range()
        practitioner_id = key if kind == "practitioner" and self.mode == WEEK else None
        room_id = key if kind == "room" and self.mode == WEEK else None
        ctx = self.context
        started = datetime.now()

        def done(data: CalendarRange) -> None:
            self.loaded_ms = (datetime.now() - started).total_seconds() * 1000
            self._show(data)

        ctx.operations.query(
            self, lambda: calendar_data.calendar_range(ctx.database, ctx.actor, first, last, practitioner_id, room_id),
            done, key="range",
        )

    def _show(self, data: CalendarRange) -> None:
        self.data = data
        selection = self.selection()
        assert selection is not None and self.resources is not None
        kind, key = selection
        today = self.context.today()
        now = datetime.now(ZoneInfo(self.context.clinic.timezone)).replace(tzinfo=None)
        columns: list[Column] = []
        entries: dict[int, list] = {}
        if self.mode == WEEK:
            day = data.first
            while day <= data.last:
                spans = data.opening.get(day.weekday(), ())
                if spans:  # open weekdays only (a holiday still shows, greyed, with its name)
                    columns.append(Column(
                        day, f"{day:%a %d %b}", "", day, data.closed.get(day), tuple(spans),
                        key if kind == "practitioner" else None, key if kind == "room" else None, day == today,
                    ))
                day += timedelta(days=1)
            index = {c.day: n for n, c in enumerate(columns)}
            for entry in data.entries:
                column = index.get(entry.local_start.date())
                if column is not None:
                    entries.setdefault(column, []).append(entry)
            span = f"{data.first:%d %b} – {data.last:%d %b %Y}"
            self.title.setText(f"Week of {span}")
            self.grid.show_practitioner = kind == "room"
        else:
            day = data.first
            spans = tuple(data.opening.get(day.weekday(), ()))
            closed = data.closed.get(day)
            people = kind == "practitioner"
            items = self.resources.practitioners if people else self.resources.rooms
            for item in items:
                columns.append(Column(item.id, item.name, f"{day:%a %d %b}", day, closed, spans,
                                      item.id if people else None, None if people else item.id, day == today))
            by_key: dict[object, int] = {c.key: n for n, c in enumerate(columns)}
            for entry in data.entries:
                column = by_key.get(entry.practitioner_id if people else entry.room_id)
                if column is not None:
                    entries.setdefault(column, []).append(entry)
            self.title.setText(f"{day:%A %d %B %Y}" + (f" · {closed}" if closed else ""))
            self.grid.show_practitioner = not people
        self.grid.set_content(columns, entries, now)

    # -- booking ----------------------------------------------------------------------------------
    def book(self, column: Column | None, moment: datetime | None) -> None:
        if not allowed(self.context.actor, Permission.EDIT_SCHEDULE):
            return
        practitioner_id = column.practitioner_id if column else None
        room_id = column.room_id if column else None
        selection = self.selection()
        if selection and column is None:
            kind, key = selection
            practitioner_id = key if kind == "practitioner" else None
            room_id = key if kind == "room" else None
        prefill = Prefill(None, "", practitioner_id, room_id, moment)
        dialog = CourseBookingDialog(self.context, prefill, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # no closed dialog left listening for changes
        dialog.open()
