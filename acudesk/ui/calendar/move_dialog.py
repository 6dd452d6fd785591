"""Choose a new date and time for a visit, and whether the following visits of the course move too."""

from __future__ import annotations

from datetime import datetime

from acudesk.services.calendar_data import CalendarEntry
from acudesk.ui.qt import (
    QCheckBox,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTime,
    QTimeEdit,
    QWidget,
)


class MoveDialog(QDialog):
    def __init__(self, entry: CalendarEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Move visit")
        start = entry.local_start
        self.date = QDateEdit(QDate(start.year, start.month, start.day))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("ddd d MMM yyyy")
        self.time = QTimeEdit(QTime(start.hour, start.minute))
        self.time.setDisplayFormat("HH:mm")
        self.following = QCheckBox("Also move the following visits of this course by the same amount")
        self.following.setEnabled(entry.course_visit_number is not None)
        self.reason = QLineEdit("Patient asked")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Move")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(QLabel(f"<b>{entry.patient_name}</b>, now {start:%a %d %b %Y %H:%M}"))
        form.addRow("New date", self.date)
        form.addRow("New time", self.time)
        form.addRow("Reason", self.reason)
        form.addRow("", self.following)
        form.addRow(buttons)

    def new_start(self) -> datetime:
        d, t = self.date.date(), self.time.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())
