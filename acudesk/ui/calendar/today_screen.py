"""The front desk's "Today" tab: everyone expected today, check-in and no-show, late arrivals highlighted."""

from __future__ import annotations

from acudesk.services import calendar_data
from acudesk.services.calendar_data import LATE_AFTER, TodayEntry
from acudesk.services.permissions import Permission, allowed
from acudesk.ui.calendar.entry_actions import EntryActions
from acudesk.ui.calendar.status import LATE_COLOUR, fill, status_label
from acudesk.ui.context import AppContext
from acudesk.ui.errors import show_error
from acudesk.ui.qt import (
    QAbstractItemView,
    QColor,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
)

REFRESH_MS = 60_000
COLUMNS = ("Time", "Patient", "Practitioner", "Room", "Visit", "Status")


class TodayScreen(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.rows: list[TodayEntry] = []
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.counts = QLabel()
        self.counts.setStyleSheet("color: #52606d;")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("todayTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for column, width in enumerate((70, 220, 170, 120, 200)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.actions = EntryActions(context, self, self.reload)
        can = allowed(context.actor, Permission.EDIT_SCHEDULE)
        self.check_in_button = QPushButton("Check in")
        self.no_show_button = QPushButton("No-show")
        self.complete_button = QPushButton("Complete")
        self.refresh_button = QPushButton("Refresh")
        for button, handler in ((self.check_in_button, self.actions.check_in),
                                (self.no_show_button, self.actions.no_show),
                                (self.complete_button, self.actions.complete)):
            button.setEnabled(False)
            button.setVisible(can)
            button.clicked.connect(lambda _c=False, h=handler: self._act(h))
        self.refresh_button.clicked.connect(self.reload)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self._act(self.actions.check_in))

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.counts, 1)
        for button in (self.check_in_button, self.no_show_button, self.complete_button, self.refresh_button):
            top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        late_minutes = int(LATE_AFTER.total_seconds() // 60)
        hint = QLabel(f"Rows in orange: booked, and the start time passed more than {late_minutes} minutes ago.")
        hint.setStyleSheet("color: #52606d;")
        layout.addWidget(hint)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.reload)
        self.timer.start()
        self.reload()

    def reload(self) -> None:
        ctx = self.context
        ctx.runner.run(lambda: calendar_data.todays_list(ctx.database, ctx.actor), self._show,
                       lambda error: show_error(error, self))

    def _show(self, rows: list[TodayEntry]) -> None:
        selected = self.current()
        self.rows = rows
        self.title.setText(f"Today, {self.context.today():%A %d %B}")
        waiting = sum(1 for r in rows if r.entry.status == "booked")
        here = sum(1 for r in rows if r.entry.status == "arrived")
        late = sum(1 for r in rows if r.late)
        self.counts.setText(f"  {len(rows)} visits · {waiting} to arrive · {here} checked in"
                            + (f" · {late} late" if late else ""))
        self.table.setRowCount(len(rows))
        for row, item in enumerate(rows):
            e = item.entry
            status = "Late" if item.late else status_label(e.status)
            cells = (f"{e.local_start:%H:%M}", e.patient_name, e.practitioner_name, e.room_name, e.visit_type, status)
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if item.late:
                    cell.setForeground(QColor(LATE_COLOUR))
                    cell.setBackground(QColor("#feebc8"))
                elif column == len(cells) - 1:
                    cell.setBackground(fill(e.status))
                self.table.setItem(row, column, cell)
            if selected is not None and e.id == selected.id:
                self.table.selectRow(row)
        self._update_buttons()

    def current(self) -> calendar_data.CalendarEntry | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()].entry

    def _update_buttons(self) -> None:
        entry = self.current()
        booked = entry is not None and entry.status == "booked"
        self.check_in_button.setEnabled(booked)
        self.no_show_button.setEnabled(booked)
        self.complete_button.setEnabled(entry is not None and entry.status in ("booked", "arrived"))

    def _act(self, handler) -> None:  # type: ignore[no-untyped-def]
        entry = self.current()
        if entry is not None:
            handler(entry)
