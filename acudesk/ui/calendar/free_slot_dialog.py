"""Find a free slot for one visit (Patients → Find a free slot…): a practitioner (or anyone free), the kind of
visit, from when, and the days and times that suit the patient → a short ranked list, slots that suit
first (services/slots.py ``first_free_slots``; the ranking is docs/scheduling.md, "Finding slots").
"Book here…" opens the booking dialog on the chosen slot, for the patient in front.
"""

from __future__ import annotations

from datetime import date, datetime, time

from acudesk.domain import dates
from acudesk.services import calendar_data, slots
from acudesk.services.calendar_data import Resources
from acudesk.services.slots import FreeSlot, SlotQuery
from acudesk.ui.calendar.course_dialog import CourseBookingDialog, Prefill
from acudesk.ui.context import AppContext
from acudesk.ui.current_patient import CurrentPatient
from acudesk.ui.forms import DATE_FIELD_FORMAT, HALF_HOURS
from acudesk.ui.qt import (
    QCheckBox,
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)
from acudesk.ui.tables import fill_table, read_only_table


class FreeSlotDialog(QDialog):
    def __init__(self, context: AppContext, resources: Resources, patient: CurrentPatient | None,
                 preferences: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.patient = context, patient
        self.slots: list[FreeSlot] = []
        self.setWindowTitle("Find a free slot" + (f" for {patient.name}" if patient else ""))
        self.practitioner = QComboBox()
        self.practitioner.setAccessibleName("Practitioner")
        for person in resources.practitioners:
            self.practitioner.addItem(person.name, person.id)
        index = self.practitioner.findData(context.actor.user_id)
        if index >= 0:
            self.practitioner.setCurrentIndex(index)
        self.others = QCheckBox("Or another practitioner, when theirs is busy")
        self.room = QComboBox()
        self.room.setAccessibleName("Room")
        for room in resources.rooms:
            self.room.addItem(f"{room.name}, or another free room", room.id)
        self.room.addItem("No room", None)
        self.first_visit = QCheckBox("First visit (longer); untick for a follow-up")
        self.first_visit.setChecked(patient is None)
        today = context.today()
        self.from_day = QDateEdit()
        self.from_day.setDate(QDate(today.year, today.month, today.day))
        self.from_day.setCalendarPopup(True)
        self.from_day.setDisplayFormat(DATE_FIELD_FORMAT)
        self.from_day.setAccessibleName("From")
        self.from_time = QComboBox()
        self.from_time.setAccessibleName("From time")
        for value in HALF_HOURS:
            self.from_time.addItem(f"{dates.time_of(value)}", value)
        self.from_time.setCurrentIndex(HALF_HOURS.index(time(9)))  # findData cannot match a time (Qt makes a QTime)
        self.preferences = QLineEdit(preferences)
        self.preferences.setAccessibleName("Days and times that suit")
        self.preferences.setPlaceholderText("e.g. Tuesdays after 17:00; Mon-Wed before 11:00")
        when = QHBoxLayout()
        when.addWidget(self.from_day)
        when.addWidget(self.from_time)
        when.addStretch(1)
        form = QFormLayout()
        form.addRow("Practitioner", self.practitioner)
        form.addRow("", self.others)
        form.addRow("Room", self.room)
        form.addRow("Visit", self.first_visit)
        form.addRow("From", when)
        form.addRow("Suits the patient", self.preferences)
        self.find_button = QPushButton("Find")
        self.find_button.setDefault(True)
        self.find_button.clicked.connect(self.search)
        self.table = read_only_table(["When", "Practitioner", "Room", "Why"], QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAccessibleName("Free slots, best first")
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _index: self.book_here())
        self.status = QLabel("Choose who and from when, then Find.")
        self.book = QPushButton("Book here…")
        self.book.setEnabled(False)
        self.book.clicked.connect(self.book_here)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.book)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.find_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(760, 460)

    def query(self) -> SlotQuery:
        day = self.from_day.date()
        start = datetime.combine(date(day.year(), day.month(), day.day()), self.from_time.currentData())
        return SlotQuery(int(self.practitioner.currentData()), start,
                         patient_id=self.patient.id if self.patient else None,
                         first_visit=self.first_visit.isChecked(), room_id=self.room.currentData(),
                         preferences=self.preferences.text(), other_practitioners=self.others.isChecked())

    def search(self) -> None:
        ctx, query = self.context, self.query()
        self.status.setText("Looking…")
        ctx.operations.query(self, lambda: slots.first_free_slots(ctx.database, ctx.actor, query), self._show,
                             key="free-slots")

    def _show(self, found: list[FreeSlot]) -> None:
        self.slots = found
        fill_table(self.table, [(f"{dates.day_and_time(slot.local_start)}", slot.practitioner, slot.room or "—",
                                 slot.note) for slot in found])
        if found:
            self.table.selectRow(0)
            self.status.setText(f"{len(found)} free slot{'s' if len(found) != 1 else ''}, best first.")
        else:
            self.status.setText("No free slot within the clinic's look-ahead: try from a later day or another "
                                "practitioner.")
        self.book.setEnabled(bool(found))

    def book_here(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        slot = self.slots[rows[0].row()]
        prefill = Prefill(self.patient.id if self.patient else None, self.patient.label() if self.patient else "",
                          slot.practitioner_id, slot.room_id, slot.local_start)
        dialog = CourseBookingDialog(self.context, prefill, self.parentWidget())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.accept()


def find_free_slot(context: AppContext, parent: QWidget, patient: CurrentPatient | None) -> None:
    """Patients → Find a free slot…, once the practitioners (and the patient's preferences) are read."""

    def read() -> tuple[Resources, str]:
        found = calendar_data.resources(context.database, context.actor)
        suits = slots.booking_preferences(context.database, context.actor, patient.id) if patient else ""
        return found, suits

    def opened(answer: tuple[Resources, str]) -> None:
        dialog = FreeSlotDialog(context, answer[0], patient, answer[1], parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    context.operations.query(parent, read, opened, key="free-slot-dialog")
