"""The front desk's "Today" tab: everyone expected today, check-in and no-show, late arrivals highlighted.

The list reloads from the change broadcast (a booking, check-in or move anywhere in the app), not on a
timer. Two moments change it without any data changing: a booked visit turning late, and midnight.
A single-shot timer waits for exactly the next of those (re-marking late rows needs no database
read; a new day loads the new day's list).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from acudesk.domain import dates
from acudesk.persistence.changes import Changes
from acudesk.services import calendar_data
from acudesk.services.calendar_data import LATE_AFTER, TodayEntry, is_late
from acudesk.services.permissions import Permission, allowed
from acudesk.ui.calendar.entry_actions import EntryActions
from acudesk.ui.calendar.status import Legend, fill, status_label
from acudesk.ui.context import AppContext
from acudesk.ui.current_patient import CurrentPatient
from acudesk.ui.operations import refresh_on_changes
from acudesk.ui.qt import (
    QAbstractItemView,
    QColor,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPoint,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from acudesk.ui.style import LATE_BACKGROUND, LATE_TEXT, MUTED_TEXT

COLUMNS = ("Time", "Patient", "Practitioner", "Room", "Visit", "Status")
LONGEST_WAIT_MS = 6 * 3600 * 1000  # the clock timer re-arms itself at least this often


class TodayScreen(QWidget):
    """``open_chart(patient_id)``: Enter, a double-click or the row's menu opens the visit's chart;
    ``open_patient(patient_id, name)``: the row's menu shows the patient on the Patients tab."""

    currentPatientChanged = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None,
                 open_chart: Callable[[int], None] | None = None,
                 open_patient: Callable[[int, str], None] | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.open_chart = open_chart
        self.rows: list[TodayEntry] = []
        self.day = context.today()
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.counts = QLabel()
        self.counts.setStyleSheet(f"color: {MUTED_TEXT};")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("todayTable")
        self.table.setAccessibleName("Today's visits")
        self.table.setTabKeyNavigation(False)  # Tab goes on to the visit's buttons; arrow keys move between rows
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        # The patient's name takes the spare width; the visit and status columns fit their words.
        header = self.table.horizontalHeader()
        for column, name in enumerate(COLUMNS):
            header.setSectionResizeMode(
                column, QHeaderView.ResizeMode.Stretch if name == "Patient"
                else QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(False)
        self.entry_actions = EntryActions(context, self, open_chart, open_patient)
        can = allowed(context.actor, Permission.EDIT_SCHEDULE)
        self.check_in_button = QPushButton("Check in")  # "Undo check-in" while a checked-in row is selected
        self.no_show_button = QPushButton("No-show")
        self.complete_button = QPushButton("Complete")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Changes made on this computer appear by themselves")
        for button, handler in ((self.check_in_button, self._check_in_or_undo),
                                (self.no_show_button, self.entry_actions.no_show),
                                (self.complete_button, self.entry_actions.complete)):
            button.setEnabled(False)
            button.setVisible(can)
            button.clicked.connect(lambda _c=False, h=handler: self._act(h))
        self.refresh_button.clicked.connect(self.reload)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self._open_chart())
        self.table.activated.connect(lambda _index: self._open_chart())  # Enter
        self.table.customContextMenuRequested.connect(self._menu)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.counts, 1)
        for button in (self.check_in_button, self.no_show_button, self.complete_button, self.refresh_button):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.empty = QLabel("No visits are booked for today. Book a course from the Patients tab or the "
                            "calendar (Patients → Book course…, Ctrl+B); visits booked for today appear here.")
        self.empty.setObjectName("todayEmpty")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(f"color: {MUTED_TEXT}; padding: 12px;")
        self.empty.hide()
        layout.insertWidget(layout.indexOf(self.table), self.empty)
        late_minutes = int(LATE_AFTER.total_seconds() // 60)
        self.legend = Legend(extra=((LATE_BACKGROUND, LATE_TEXT, "Late"),))
        hint = QLabel(f"Late: booked, and the start time passed more than {late_minutes} minutes ago. "
                      "Double-click a row to open the chart; right-click for more.")
        hint.setStyleSheet(f"color: {MUTED_TEXT};")
        foot = QHBoxLayout()
        foot.addWidget(self.legend)
        foot.addWidget(hint, 1)
        layout.addLayout(foot)
        self.clock = QTimer(self)
        self.clock.setSingleShot(True)
        self.clock.timeout.connect(self._clock_moved)
        refresh_on_changes(self, context.operations, self._concerns, self.reload)
        self.reload()

    @staticmethod
    def _concerns(changes: Changes) -> bool:
        return changes.schedule or changes.patients or changes.staff or changes.clinic

    def reload(self) -> None:
        ctx = self.context
        ctx.operations.query(self, lambda: calendar_data.todays_list(ctx.database, ctx.actor), self._show, key="today")

    def _show(self, rows: list[TodayEntry]) -> None:
        selected = self.current()
        self.rows = rows
        self.day = self.context.today()
        self.title.setText(f"Today, {dates.long_day(self.day, weekday=True)}")
        waiting = sum(1 for r in rows if r.entry.status == "booked")
        here = sum(1 for r in rows if r.entry.status == "arrived")
        late = sum(1 for r in rows if r.late)
        visits = "1 visit" if len(rows) == 1 else f"{len(rows)} visits"
        self.empty.setVisible(not rows)
        self.counts.setText(f"  {visits} · {waiting} to arrive · {here} checked in"
                            + (f" · {late} late" if late else ""))
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for row, item in enumerate(rows):
            e = item.entry
            status = "Late" if item.late else status_label(e.status)
            cells = (dates.time_of(e.local_start), e.patient_name, e.practitioner_name, e.room_name, e.visit_type,
                     status)
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if item.late:
                    cell.setForeground(QColor(LATE_TEXT))
                    cell.setBackground(QColor(LATE_BACKGROUND))
                elif column == len(cells) - 1:
                    cell.setBackground(fill(e.status))
                self.table.setItem(row, column, cell)
            if selected is not None and e.id == selected.id:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self._selection_changed()
        self._arm_clock()

    # -- the clock: late rows and midnight --------------------------------------------------------
    def _arm_clock(self) -> None:
        now = datetime.now(UTC)
        zone = ZoneInfo(self.context.clinic.timezone)
        midnight = datetime.combine(self.day + timedelta(days=1), datetime.min.time(), zone)
        moments = [midnight] + [r.entry.start_utc + LATE_AFTER for r in self.rows
                                if r.entry.status == "booked" and not r.late]
        wait = min(m for m in moments) - now
        self.clock.start(max(1000, min(LONGEST_WAIT_MS, int(wait.total_seconds() * 1000) + 1000)))

    def _clock_moved(self) -> None:
        if self.context.today() != self.day:
            self.reload()
            return
        now = datetime.now(UTC)
        marked = [replace(r, late=is_late(r.entry, now)) for r in self.rows]
        if marked != self.rows:
            self._show(marked)
        else:
            self._arm_clock()

    # -- the selected visit ---------------------------------------------------------------------------
    def current(self) -> calendar_data.CalendarEntry | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()].entry

    def current_patient(self) -> CurrentPatient | None:
        entry = self.current()
        return CurrentPatient(entry.patient_id, entry.patient_name) if entry is not None else None

    def _selection_changed(self) -> None:
        entry = self.current()
        booked = entry is not None and entry.status == "booked"
        arrived = entry is not None and entry.status == "arrived"
        self.check_in_button.setText("Undo check-in" if arrived else "Check in")
        self.check_in_button.setEnabled(booked or arrived)
        self.no_show_button.setEnabled(booked)
        self.complete_button.setEnabled(entry is not None and entry.status in ("booked", "arrived"))
        self.currentPatientChanged.emit()

    def _check_in_or_undo(self, entry: calendar_data.CalendarEntry) -> None:
        if entry.status == "arrived":
            self.entry_actions.undo_check_in(entry)
        else:
            self.entry_actions.check_in(entry)

    def _act(self, handler) -> None:
        entry = self.current()
        if entry is not None:
            handler(entry)

    def _open_chart(self) -> None:
        entry = self.current()
        if entry is not None and self.open_chart is not None:
            self.open_chart(entry.patient_id)

    def _menu(self, at: QPoint) -> None:
        entry = self.current()
        if entry is not None:
            self.entry_actions.popup(entry, self.table.viewport().mapToGlobal(at))
