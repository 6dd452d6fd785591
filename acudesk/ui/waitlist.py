"""The waitlist's windows: add a patient to it, see who waits, and offer a slot that came free.

``offer_freed_slot`` runs after a visit is cancelled or moved (ui/calendar/entry_actions.py): when
waiting patients suit the old slot, it shows them, most urgent first, and books the one the
receptionist picks (after calling them). Nothing is booked without that click.
"""

from __future__ import annotations

from datetime import date, timedelta

from acudesk.domain import dates
from acudesk.domain.waitlist import FreedSlot
from acudesk.services import waitlist
from acudesk.services.calendar_data import CalendarEntry
from acudesk.services.waitlist import WaitlistChoices, WaitlistItem, WaitlistOffer, WaitlistRequest
from acudesk.ui.context import AppContext
from acudesk.ui.current_patient import CurrentPatient
from acudesk.ui.forms import DATE_FIELD_FORMAT, HALF_HOURS, AsksBeforeDiscarding, typed_text
from acudesk.ui.operations import refresh_on_changes
from acudesk.ui.qt import (
    QCheckBox,
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
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
from acudesk.ui.style import ERROR_TEXT
from acudesk.ui.tables import fill_table, read_only_table

URGENCY_LABELS = {"urgent": "Urgent", "soon": "Soon", "routine": "Routine"}
DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _show_status(parent: QWidget, text: str) -> None:
    status_bar = getattr(parent.window(), "statusBar", None)
    if callable(status_bar):
        status_bar().showMessage(text, 8000)


def _table(headers: list[str]) -> QTableWidget:
    table = read_only_table(headers, QHeaderView.ResizeMode.ResizeToContents)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _waiting(item: WaitlistItem, today: date) -> str:
    days = (today - item.waiting_since.date()).days
    return "today" if days <= 0 else f"{days} day{'s' if days != 1 else ''}"


class AddToWaitlistDialog(AsksBeforeDiscarding, QDialog):
    discard_what = "The waitlist entry"

    """A patient waits for an earlier visit: with whom, what kind, which days and times, until when."""

    def __init__(self, context: AppContext, patient: CurrentPatient, choices: WaitlistChoices,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.patient = context, patient
        self.setWindowTitle(f"Add {patient.name} to the waitlist")
        self.practitioner = QComboBox()
        self.practitioner.setAccessibleName("Practitioner")
        self.practitioner.addItem("Any practitioner", None)
        for choice in choices.practitioners:
            self.practitioner.addItem(choice.name, choice.id)
        self.visit_type = QComboBox()
        self.visit_type.setAccessibleName("Visit type")
        for choice in choices.visit_types:
            self.visit_type.addItem(choice.name, choice.id)
        if self.visit_type.count() > 1:
            self.visit_type.setCurrentIndex(1)  # a follow-up, usually
        days = QHBoxLayout()
        self.days = []
        for number, label in enumerate(DAY_LABELS):
            box = QCheckBox(label)
            box.setAccessibleName(f"Suits on {label}")
            box.setProperty("weekday", number)
            self.days.append(box)
            days.addWidget(box)
        self.earliest = self._times("Any time")
        self.earliest.setAccessibleName("Earliest start")
        self.latest = self._times("Any time")
        self.latest.setAccessibleName("Finished by")
        hours = QHBoxLayout()
        hours.addWidget(QLabel("from"))
        hours.addWidget(self.earliest)
        hours.addWidget(QLabel("finished by"))
        hours.addWidget(self.latest)
        until = context.today() + timedelta(weeks=6)
        self.until = QDateEdit()
        self.until.setDate(QDate(until.year, until.month, until.day))
        self.until.setCalendarPopup(True)
        self.until.setDisplayFormat(DATE_FIELD_FORMAT)
        self.until.setAccessibleName("Waiting until")
        self.urgency = QComboBox()
        self.urgency.setAccessibleName("Urgency")
        for key in ("routine", "soon", "urgent"):
            self.urgency.addItem(URGENCY_LABELS[key], key)
        self.note = QLineEdit()
        self.note.setAccessibleName("Note")
        self.note.setPlaceholderText("e.g. can come at short notice")
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {ERROR_TEXT};")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Practitioner", self.practitioner)
        form.addRow("Visit", self.visit_type)
        form.addRow("Days that suit (none: any)", days)
        form.addRow("Times that suit", hours)
        form.addRow("Waiting until", self.until)
        form.addRow("Urgency", self.urgency)
        form.addRow("Note", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Add to waitlist")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(f"<b>{patient.name}</b> would take an earlier visit. When one comes free that suits, "
                       "AcuDesk offers it to you to call them; it never books by itself.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(640, self.sizeHint().height())
        self.remember_typed()

    @staticmethod
    def _times(any_label: str) -> QComboBox:
        box = QComboBox()
        box.addItem(any_label, None)
        for value in HALF_HOURS:
            box.addItem(f"{dates.time_of(value)}", value)
        return box

    def request(self) -> WaitlistRequest:
        until = self.until.date()
        return WaitlistRequest(
            patient_id=self.patient.id, visit_type_id=int(self.visit_type.currentData()),
            until=date(until.year(), until.month(), until.day()), practitioner_id=self.practitioner.currentData(),
            weekdays=frozenset(int(box.property("weekday")) for box in self.days if box.isChecked()),
            earliest=self.earliest.currentData(), latest=self.latest.currentData(),
            urgency=str(self.urgency.currentData()), note=self.note.text())

    def typed_now(self) -> tuple[str, ...]:
        return typed_text(self.note)

    def save_typed(self) -> None:
        self.save()

    def save(self) -> None:
        ctx, request = self.context, self.request()

        def saved(item: WaitlistItem) -> None:
            _show_status(self.parentWidget() or self, f"{item.patient_name} is on the waitlist ({item.wish}).")
            self.accept()

        def refused(error: BaseException) -> None:
            self.error.setText(getattr(error, "message", None) or str(error))  # inline: the form keeps what was typed

        ctx.operations.write(self, lambda: waitlist.add_to_waitlist(ctx.database, ctx.actor, request), saved,
                             on_failure=refused)


class WaitlistOfferDialog(QDialog):
    """A slot came free: the waiting patients it suits, most urgent first. Book one, or not now."""

    def __init__(self, context: AppContext, offers: list[WaitlistOffer], parent: QWidget | None = None, *,
                 with_whom: str = "") -> None:
        super().__init__(parent)
        self.context, self.offers = context, offers
        slot = offers[0].slot
        self.setWindowTitle("A visit came free")
        self.table = _table(["Patient", "Urgency", "Waiting", "Suits", "Note"])
        self.table.setAccessibleName("Waiting patients this slot suits")
        today = context.today()
        fill_table(self.table, [[o.entry.patient_name, URGENCY_LABELS.get(o.entry.urgency, o.entry.urgency),
                            _waiting(o.entry, today), o.entry.wish, o.entry.note] for o in offers])
        self.table.selectRow(0)
        self.book = QPushButton("Book selected")
        self.book.setDefault(True)
        self.book.clicked.connect(self.book_selected)
        later = QPushButton("Not now")
        later.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.book)
        buttons.addWidget(later)
        layout = QVBoxLayout(self)
        count = len(offers)
        who = (f"{count} waiting patients would take it, most urgent first (then whoever has waited longest)."
               if count > 1 else "A waiting patient would take it.")
        intro = QLabel(f"<b>{dates.day_and_time(slot.local_start)}</b> ({slot.minutes} minutes"
                       + (f" with {with_whom}" if with_whom else "") + f") is free again. {who} "
                       "Call them, then book the one who accepts; nothing is booked until you do.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.resize(760, 320)

    def book_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        offer = self.offers[rows[0].row()]
        ctx = self.context

        def booked(_visit_id: int) -> None:
            _show_status(self.parentWidget() or self, f"{offer.entry.patient_name} booked from the waitlist for "
                                                      f"{dates.day_and_time(offer.slot.local_start)}.")
            self.accept()

        ctx.operations.write(self, lambda: waitlist.book_offer(ctx.database, ctx.actor, offer), booked)


class WaitlistDialog(QDialog):
    """Who waits, most urgent and longest waiting first; an entry can be closed with a reason."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.items: list[WaitlistItem] = []
        self.setWindowTitle("Waitlist")
        self.table = _table(["Patient", "Urgency", "Waiting", "With", "Visit", "Suits", "Note"])
        self.table.setAccessibleName("Waiting patients")
        self.empty = QLabel("Nobody is waiting. Add a patient with Patients → Add to waitlist…")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why close it (e.g. booked elsewhere)")
        self.reason.setAccessibleName("Reason for closing")
        self.close_entry = QPushButton("Close entry")
        self.close_entry.clicked.connect(self._close_selected)
        done = QPushButton("Done")
        done.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.reason, 1)
        row.addWidget(self.close_entry)
        row.addWidget(done)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table)
        layout.addLayout(row)
        self.resize(900, 420)
        refresh_on_changes(self, context.operations, lambda changes: changes.schedule, self.reload)
        self.reload()

    def reload(self) -> None:
        ctx = self.context
        ctx.operations.query(self, lambda: waitlist.list_waitlist(ctx.database, ctx.actor), self._show,
                             key="waitlist")

    def _show(self, items: list[WaitlistItem]) -> None:
        self.items = items
        today = self.context.today()
        fill_table(self.table, [[i.patient_name, URGENCY_LABELS.get(i.urgency, i.urgency), _waiting(i, today),
                            i.practitioner, i.visit_type, i.wish, i.note] for i in items])
        self.empty.setVisible(not items)
        self.close_entry.setEnabled(bool(items))

    def _close_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        item, reason, ctx = self.items[rows[0].row()], self.reason.text(), self.context
        ctx.operations.write(self, lambda: waitlist.close_entry(ctx.database, ctx.actor, item.id, reason,
                                                                expected_version=item.version),
                             lambda _none: self.reason.clear())  # the list reloads from the change broadcast


def offer_freed_slot(context: AppContext, parent: QWidget, freed: CalendarEntry) -> None:
    """After ``freed`` was cancelled or moved away: offer its old slot (its time, practitioner and room as
    the screen showed them) to the waiting patients it suits, if any."""
    slot = FreedSlot(freed.practitioner_id, freed.local_start, int(freed.duration.total_seconds() // 60))

    def found(offers: list[WaitlistOffer]) -> None:
        if offers:
            dialog = WaitlistOfferDialog(context, offers, parent, with_whom=freed.practitioner_name)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

    context.operations.query(parent, lambda: waitlist.offers_for_slot(
        context.database, context.actor, slot, room_id=freed.room_id, freed_by_patient=freed.patient_id),
        found, key="waitlist-offers")


def add_to_waitlist(context: AppContext, parent: QWidget, patient: CurrentPatient) -> None:
    """Patients → Add to waitlist… for the patient in front, once the form's choices are read."""

    def opened(choices: WaitlistChoices) -> None:
        dialog = AddToWaitlistDialog(context, patient, choices, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    context.operations.query(parent, lambda: waitlist.waitlist_choices(context.database, context.actor), opened,
                             key="waitlist-choices")
