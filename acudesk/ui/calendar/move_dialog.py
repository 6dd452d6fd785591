"""Choose a visit's new date, time, practitioner and room, and whether the following visits of the
course move too (keeping the course's rhythm: each moves by the same amount)."""

from __future__ import annotations

from datetime import datetime

from acudesk.domain import dates
from acudesk.services.calendar_data import CalendarEntry, Resources
from acudesk.ui.forms import DATE_FIELD_FORMAT, TimeField
from acudesk.ui.qt import (
    QCheckBox,
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTime,
    QWidget,
)


class MoveDialog(QDialog):
    def __init__(self, entry: CalendarEntry, resources: Resources, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Move visit")
        self.entry = entry
        start = entry.local_start
        self.date = QDateEdit(QDate(start.year, start.month, start.day))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat(DATE_FIELD_FORMAT)
        self.time = TimeField(QTime(start.hour, start.minute))  # takes "1430" or "14:30" typed whole
        self.practitioner = QComboBox()
        for person in resources.practitioners:
            self.practitioner.addItem(person.name, person.id)
        if self.practitioner.findData(entry.practitioner_id) < 0:  # no longer active: still shown, as it is
            self.practitioner.addItem(entry.practitioner_name, entry.practitioner_id)
        self.practitioner.setCurrentIndex(self.practitioner.findData(entry.practitioner_id))
        self.room = QComboBox()
        for room in resources.rooms:
            self.room.addItem(room.name, room.id)
        if entry.room_id is not None and self.room.findData(entry.room_id) < 0:
            self.room.addItem(entry.room_name, entry.room_id)
        self.room.setCurrentIndex(max(0, self.room.findData(entry.room_id)))
        self.following = QCheckBox("Also move the following visits of this course, keeping its rhythm")
        self.following.setEnabled(entry.course_visit_number is not None)
        self.following.setToolTip("Each following visit moves by the same amount of time, to the same "
                                  "practitioner and room; a closed day moves it to the nearest open one.")
        self.reason = QLineEdit("Patient asked")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.move_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.move_button.setText("Move")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        course = f" ({entry.course_text})" if entry.course_text else ""
        form.addRow(QLabel(f"<b>{entry.patient_name}</b>{course}, now {dates.day_and_time(start)} "
                           f"with {entry.practitioner_name}" + (f", {entry.room_name}" if entry.room_name else "")))
        form.addRow("New date", self.date)
        form.addRow("New time", self.time)
        form.addRow("Practitioner", self.practitioner)
        form.addRow("Room", self.room)
        form.addRow("Reason", self.reason)
        form.addRow("", self.following)
        form.addRow(buttons)

    def new_start(self) -> datetime:
        d, t = self.date.date(), self.time.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())

    def practitioner_id(self) -> int | None:
        """The chosen practitioner, or None when it is the visit's own."""
        chosen = self.practitioner.currentData()
        return None if chosen == self.entry.practitioner_id else chosen

    def room_id(self) -> int | None:
        """The chosen room, or None when it is the visit's own."""
        chosen = self.room.currentData()
        return None if chosen == self.entry.room_id else chosen
