"""The calendar tab: a week or a day, for one practitioner or room, or for all of them side by side.

"Show" picks whose visits: one practitioner or room (a column per day in the week view), or all
practitioners or all rooms (a column per practitioner or room; in the week view, per day and
practitioner or room). A booked visit can be dragged to another time, day, practitioner or room:
``appointments.move_check`` (loaded when the drag starts) judges each place at once, and the drop
is a write through ``ui/operations``; the screen follows from the change broadcast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from acudesk.domain import dates
from acudesk.persistence.changes import Changes
from acudesk.services import appointments, calendar_data
from acudesk.services.appointments import MoveCheck
from acudesk.services.calendar_data import CalendarEntry, CalendarRange, Resource, Resources
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
ALL = "all"  # the "Show" choices ("all", "practitioner") and ("all", "room")
BOOKING_STEP = 15  # minutes: a booking made from "Book course…" starts on a quarter hour


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


class CalendarScreen(QWidget):
    """Navigation bar, legend and grid, current from the change broadcast. Booking from here starts
    with no patient: the receptionist picks one, so no patient selected on another tab is booked
    by mistake. ``open_chart(patient_id)`` and ``open_patient(patient_id, name)`` open a visit's
    chart and its patient on the Patients tab, from its menu."""

    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 open_chart: Callable[[int], None] | None = None,
                 open_patient: Callable[[int, str], None] | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.mode = WEEK
        self.anchor = context.today()
        self.resources: Resources | None = None
        self.data: CalendarRange | None = None
        self.move_check: MoveCheck | None = None  # what a drag judges places by, loaded when it starts
        zone = ZoneInfo(context.clinic.timezone)
        self.clock: Callable[[], datetime] = lambda: datetime.now(zone).replace(tzinfo=None)  # clinic wall clock
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
        self.entry_actions = EntryActions(context, self, open_chart, open_patient)
        self.hint = QLabel("Click a free time to book a course there; click a visit for its actions, "
                           "or drag it to another time.")
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
        if allowed(context.actor, Permission.EDIT_SCHEDULE):
            self.grid.drop_check = self._drop_problems
            self.grid.dragStarted.connect(self._drag_started)
            self.grid.entryDropped.connect(self._dropped)
            self.grid.dropRefused.connect(self._say)
        self.load_resources()
        refresh_on_changes(self, context.operations, self._concerns, self._changed)

    def _concerns(self, changes: Changes) -> bool:
        """Visits, the names on them, and the clinic's rooms and hours are what this screen shows."""
        if changes.clinic or changes.staff:
            self._roster_stale = True
        return changes.schedule or changes.patients or changes.clinic or changes.staff

    _roster_stale = False  # a room or practitioner came or went: "Show" is listed anew

    def _changed(self) -> None:
        if self._roster_stale:
            self._roster_stale = False
            self.load_resources()  # then reloads
        else:
            self.reload()

    # -- selection --------------------------------------------------------------------------------
    def load_resources(self) -> None:
        ctx = self.context
        ctx.operations.query(self, lambda: calendar_data.resources(ctx.database, ctx.actor), self._resources,
                             key="resources")

    def _resources(self, resources: Resources) -> None:
        shown = self.selection()
        self.resources = resources
        self.who.blockSignals(True)
        self.who.clear()
        self.who.addItem("All practitioners", (ALL, "practitioner"))
        self.who.addItem("All rooms", (ALL, "room"))
        self.who.insertSeparator(self.who.count())
        for person in resources.practitioners:
            self.who.addItem(person.name, ("practitioner", person.id))
        self.who.insertSeparator(self.who.count())
        for room in resources.rooms:
            self.who.addItem(room.name, ("room", room.id))
        if shown is not None and any(self.who.itemData(n) == shown for n in range(self.who.count())):
            self._choose(shown)  # what was shown stays shown
        elif resources.practitioners:  # a week shows the first practitioner's visits until "Show" says otherwise
            self._choose(("practitioner", resources.practitioners[0].id))
        self.who.blockSignals(False)
        self.reload()

    def selection(self) -> tuple[str, int | str] | None:
        return self.who.currentData()

    def show_all(self, kind: str = "practitioner") -> None:
        """Show every practitioner (or room) side by side."""
        self._choose((ALL, kind))

    def _choose(self, choice: tuple[str, int | str]) -> None:
        found = [n for n in range(self.who.count()) if self.who.itemData(n) == choice]
        if found:
            self.who.setCurrentIndex(found[0])

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
        practitioner_id = key if kind == "practitioner" and isinstance(key, int) else None
        room_id = key if kind == "room" and isinstance(key, int) else None
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
        now = self.clock()
        people = kind == "practitioner" or key == "practitioner"
        if kind == ALL:
            shown: tuple[Resource, ...] = self.resources.practitioners if people else self.resources.rooms
        else:
            items = self.resources.practitioners if people else self.resources.rooms
            shown = tuple(item for item in items if item.id == key)
        days = []
        day = data.first
        while day <= data.last:
            if self.mode == DAY or data.opening.get(day.weekday(), ()):  # open weekdays (a holiday shows, greyed)
                days.append(day)
            day += timedelta(days=1)
        columns: list[Column] = []
        column_key: object
        for day in days:
            spans = tuple(data.opening.get(day.weekday(), ()))
            for item in shown:
                if self.mode == WEEK and kind != ALL:  # one person's or room's week: a column per day
                    title, subtitle, column_key = dates.grid_heading(day), "", day
                elif self.mode == WEEK:
                    title, subtitle, column_key = dates.grid_heading(day, month=False), item.name, (day, item.id)
                else:
                    title, subtitle, column_key = item.name, dates.grid_heading(day), item.id
                closed = data.closed.get(day) or (data.leave.get((item.id, day)) if people else None)
                columns.append(Column(column_key, title, subtitle, day, closed, spans,
                                      item.id if people else None, None if people else item.id, day == today,
                                      item.name if kind == ALL else ""))
        index = {(c.day, c.practitioner_id if people else c.room_id): n for n, c in enumerate(columns)}
        entries: dict[int, list[CalendarEntry]] = {}
        for entry in data.entries:
            column = index.get((entry.local_start.date(), entry.practitioner_id if people else entry.room_id))
            if column is not None:
                entries.setdefault(column, []).append(entry)
        if self.mode == WEEK:
            self.title.setText(f"Week of {dates.day_span(data.first, data.last)}")
        else:
            closed = data.closed.get(data.first)
            self.title.setText(dates.long_day(data.first, weekday=True) + (f" · {closed}" if closed else ""))
        self.grid.show_practitioner = not people
        self.grid.set_content(columns, entries, now)

    # -- dragging a visit -------------------------------------------------------------------------
    def _drag_started(self, _entry: CalendarEntry) -> None:
        """Read the bookings of the days shown (every practitioner's, room's and patient's) to judge
        each place the visit is dragged over; the grid shows "checking…" for the moment it takes."""
        self.move_check = None
        first, last = self.range()
        ctx = self.context

        def loaded(check: MoveCheck) -> None:
            self.move_check = check
            self.grid.recheck_drag()

        ctx.operations.query(self, lambda: appointments.move_check(ctx.database, ctx.actor, first, last), loaded,
                             key="drag")

    def _drop_problems(self, entry: CalendarEntry, column: Column, start: datetime) -> list[str] | None:
        check = self.move_check
        if check is None:
            return None
        return check.problems(entry, start, column.practitioner_id, column.room_id)

    def _say(self, text: str) -> None:
        status_bar = getattr(self.window(), "statusBar", None)
        if callable(status_bar):
            status_bar().showMessage(text, 8000)

    def _dropped(self, entry: CalendarEntry, column: Column, start: datetime, following: bool) -> None:
        if following:
            self.entry_actions.move_following_to(entry, start, column.practitioner_id, column.room_id)
        else:
            self.entry_actions.move_to(entry, start, column.practitioner_id, column.room_id, to=column.label)

    # -- booking ----------------------------------------------------------------------------------
    def next_bookable(self, now: datetime) -> datetime:
        """Where "Book course…" starts: the next quarter hour the clinic is open, never a time
        already past (on the day shown, or the first open day after it)."""
        hours = (self.data.opening if self.data is not None else {}) or {}
        day = max(self.range()[0], now.date())
        for _ in range(14):
            spans = hours.get(day.weekday(), ()) if hours else ((9 * 60, 18 * 60),)
            for begin, end in spans:
                start = datetime.combine(day, time(begin // 60, begin % 60))
                if start < now:
                    minutes = now.hour * 60 + now.minute + BOOKING_STEP
                    minutes -= minutes % BOOKING_STEP
                    start = datetime.combine(day, time()) + timedelta(minutes=minutes)
                if start.date() == day and start + timedelta(minutes=BOOKING_STEP) <= datetime.combine(
                        day, time()) + timedelta(minutes=end):
                    return start
            day += timedelta(days=1)
        return datetime.combine(day, time(10))

    def book(self, column: Column | None, moment: datetime | None) -> None:
        if not allowed(self.context.actor, Permission.EDIT_SCHEDULE):
            return
        practitioner_id = column.practitioner_id if column else None
        room_id = column.room_id if column else None
        selection = self.selection()
        if selection and column is None:
            kind, key = selection
            practitioner_id = key if kind == "practitioner" and isinstance(key, int) else None
            room_id = key if kind == "room" and isinstance(key, int) else None
        now = self.clock()
        if moment is None or moment < now:  # a time already past cannot be booked: start at the next free one
            moment = self.next_bookable(now)
        prefill = Prefill(None, "", practitioner_id, room_id, moment)
        dialog = CourseBookingDialog(self.context, prefill, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # no closed dialog left listening for changes
        dialog.open()
