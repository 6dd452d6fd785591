"""The list tabs of Clinic settings: rooms, visit types, closures and leave. Each shows a table and a form
under it; what is selected fills the form. Nothing is ever deleted but a closure: a room or a visit type
is retired (and can be taken back into use), as past visits name them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from acudesk.domain import clinic_settings as rules
from acudesk.domain import dates
from acudesk.services import clinic_settings
from acudesk.services.clinic_settings import (
    ClinicSettings,
    ClosureDraft,
    ClosureInfo,
    RoomInfo,
    SavedWithVisits,
    VisitsAffectedError,
    VisitTypeDraft,
    VisitTypeInfo,
)
from acudesk.ui.admin.settings_feedback import Feedback, button_row, confirm_affected, muted_label, show_refusal
from acudesk.ui.forms import DATE_FIELD_FORMAT, FieldWithError
from acudesk.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QDate,
    QDateEdit,
    QFormLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from acudesk.ui.tables import fill_table, read_only_table

if TYPE_CHECKING:
    from acudesk.ui.admin.clinic_settings_dialog import ClinicSettingsDialog



class RoomsTab(QWidget):
    """Rooms: add, rename the selected one, retire it or take it back into use."""

    def __init__(self, dialog: ClinicSettingsDialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.rooms: tuple[RoomInfo, ...] = ()
        self.table = read_only_table(["Room", "Status"], QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAccessibleName("Rooms")
        self.table.setTabKeyNavigation(False)  # Tab leaves the list for the form (arrows move in it)
        self.name = QLineEdit()
        self.name.setAccessibleName("Room name")
        self.name.setPlaceholderText("e.g. Garden Room")
        self.field = FieldWithError(self.name)
        self.add_button = QPushButton("Add room")
        self.rename_button = QPushButton("Rename selected")
        self.retire_button = QPushButton("Retire selected")
        self.feedback = Feedback()
        form = QFormLayout()
        form.addRow("Name", self.field)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(button_row(self.add_button, self.rename_button, self.retire_button))
        layout.addWidget(muted_label("A retired room is no longer offered for booking; past visits keep its name. "
                                     "A room with visits booked ahead cannot be retired until they are moved."))
        layout.addWidget(self.feedback)
        self.add_button.clicked.connect(self.add)
        self.rename_button.clicked.connect(self.rename)
        self.retire_button.clicked.connect(self.toggle_in_use)
        self.table.itemSelectionChanged.connect(self._selected_changed)
        self._selected_changed()

    def show_settings(self, settings: ClinicSettings) -> None:
        chosen = self.selected()
        self.rooms = settings.rooms
        fill_table(self.table, [(room.name, "In use" if room.active else "Retired") for room in self.rooms])
        if chosen is not None:
            rows = [n for n, room in enumerate(self.rooms) if room.id == chosen.id]
            if rows:
                self.table.selectRow(rows[0])
        self._selected_changed()

    def selected(self) -> RoomInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rooms[rows[0].row()] if rows and rows[0].row() < len(self.rooms) else None

    def _selected_changed(self) -> None:
        room = self.selected()
        self.rename_button.setEnabled(room is not None)
        self.retire_button.setEnabled(room is not None)
        self.retire_button.setText("Take back into use" if room is not None and not room.active
                                   else "Retire selected")
        if room is not None:
            self.name.setText(room.name)

    def add(self) -> None:
        ctx, name = self.dialog.context, self.name.text()
        self._write(lambda: clinic_settings.add_room(ctx.database, ctx.actor, name), "added")

    def rename(self) -> None:
        room = self.selected()
        if room is None:
            return
        ctx, name = self.dialog.context, self.name.text()
        self._write(lambda: clinic_settings.rename_room(ctx.database, ctx.actor, room.id, name,
                                                        shown_name=room.name), "renamed")

    def toggle_in_use(self) -> None:
        room = self.selected()
        if room is None:
            return
        ctx = self.dialog.context
        self._write(lambda: clinic_settings.set_room_in_use(ctx.database, ctx.actor, room.id, not room.active),
                    "retired" if room.active else "back in use", name_typed=False)

    def _write(self, work: Callable[[], Any], done: str, *, name_typed: bool = True) -> None:
        """``name_typed``: a refusal is about the name in the field (else it is said under the buttons)."""
        self.feedback.said("")
        self.field.set_error(None)
        fields = {"room": self.field} if name_typed else {}
        self.dialog.write(self, work, lambda room: self.feedback.said(f"{room.name}: {done}."),
                          lambda error: show_refusal(error, fields, self.feedback, self))


class VisitTypesTab(QWidget):
    """Visit types: length, changeover and fee; add one, change the selected one, retire it."""

    def __init__(self, dialog: ClinicSettingsDialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.kinds: tuple[VisitTypeInfo, ...] = ()
        self.table = read_only_table(["Visit type", "Length", "Changeover", "Fee", "Status"],
                                     QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAccessibleName("Visit types")
        self.table.setTabKeyNavigation(False)  # Tab leaves the list for the form (arrows move in it)
        self.name = QLineEdit()
        self.duration = QSpinBox()
        self.duration.setRange(0, 24 * 60)  # the service refuses what is outside its limits, by name
        self.duration.setSuffix(" min")
        self.changeover = QSpinBox()
        self.changeover.setRange(0, 24 * 60)
        self.changeover.setSuffix(" min")
        self.fee = QLineEdit()
        self.fee.setPlaceholderText("65.00")
        self.fields = {key: FieldWithError(widget) for key, widget in (
            ("name", self.name), ("duration", self.duration), ("changeover", self.changeover), ("fee", self.fee))}
        form = QFormLayout()
        for key, label in (("name", "Name"), ("duration", "Length"), ("changeover", "Room changeover after"),
                           ("fee", "Fee")):
            form.addRow(label, self.fields[key])
            self.fields[key].editor.setAccessibleName(f"Visit type {label.lower()}")
        self.save_button = QPushButton("Save changes")
        self.add_button = QPushButton("Add as a new visit type")
        self.retire_button = QPushButton("Retire selected")
        self.feedback = Feedback()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(button_row(self.save_button, self.add_button, self.retire_button))
        layout.addWidget(muted_label("Visits already booked keep their length; new bookings use the new one. "
                                     "Courses are booked with the first visit and follow-up types, which stay."))
        layout.addWidget(self.feedback)
        self.save_button.clicked.connect(self.save)
        self.add_button.clicked.connect(self.add)
        self.retire_button.clicked.connect(self.toggle_in_use)
        self.table.itemSelectionChanged.connect(self._selected_changed)
        self._selected_changed()

    def show_settings(self, settings: ClinicSettings) -> None:
        chosen = self.selected()
        self.kinds = settings.visit_types
        currency = settings.clinic.currency
        self.fee.setPlaceholderText(f"65.00 ({currency})")
        fill_table(self.table, [
            (kind.name, f"{kind.duration_minutes} min", f"{kind.changeover_minutes} min",
             f"{rules.format_fee(kind.fee_minor)} {currency}", "In use" if kind.active else "Retired")
            for kind in self.kinds])
        rows = [n for n, kind in enumerate(self.kinds) if chosen is not None and kind.id == chosen.id]
        if rows:
            self.table.selectRow(rows[0])
        self._selected_changed()

    def selected(self) -> VisitTypeInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.kinds[rows[0].row()] if rows and rows[0].row() < len(self.kinds) else None

    def _selected_changed(self) -> None:
        kind = self.selected()
        self.save_button.setEnabled(kind is not None)
        self.retire_button.setEnabled(kind is not None and not (kind.active and kind.used_by_course_booking))
        self.retire_button.setText("Take back into use" if kind is not None and not kind.active else "Retire selected")
        if kind is not None:
            self.name.setText(kind.name)
            self.duration.setValue(kind.duration_minutes)
            self.changeover.setValue(kind.changeover_minutes)
            self.fee.setText(rules.format_fee(kind.fee_minor))
        for field in self.fields.values():
            field.set_error(None)

    def draft(self) -> VisitTypeDraft:
        return VisitTypeDraft(self.name.text(), self.duration.value(), self.changeover.value(), self.fee.text())

    def save(self) -> None:
        kind = self.selected()
        if kind is None:
            return
        ctx, draft = self.dialog.context, self.draft()
        self._write(lambda: clinic_settings.update_visit_type(ctx.database, ctx.actor, kind.id, draft, shown=kind),
                    "saved")

    def add(self) -> None:
        ctx, draft = self.dialog.context, self.draft()
        self._write(lambda: clinic_settings.add_visit_type(ctx.database, ctx.actor, draft), "added")

    def toggle_in_use(self) -> None:
        kind = self.selected()
        if kind is None:
            return
        ctx = self.dialog.context
        self._write(lambda: clinic_settings.set_visit_type_in_use(ctx.database, ctx.actor, kind.id, not kind.active),
                    "retired" if kind.active else "back in use")

    def _write(self, work: Callable[[], Any], done: str) -> None:
        self.feedback.said("")
        self.dialog.write(self, work, lambda kind: self.feedback.said(f"{kind.name}: {done}."),
                          lambda error: show_refusal(error, self.fields, self.feedback, self))


class ClosuresTab(QWidget):
    """Closures of the whole clinic and practitioners' leave, current and ahead; add one, remove one."""

    WHOLE_CLINIC = "Whole clinic"

    def __init__(self, dialog: ClinicSettingsDialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.closures: tuple[ClosureInfo, ...] = ()
        self.table = read_only_table(["From", "To", "Who", "Reason"], QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAccessibleName("Closures and leave")
        self.table.setTabKeyNavigation(False)  # Tab leaves the list for the form (arrows move in it)
        today = dialog.context.today()
        self.first = _date_edit(today, "First day closed")
        self.last = _date_edit(today, "Last day closed")
        self.first.dateChanged.connect(self._first_changed)
        self.who = QComboBox()
        self.who.setAccessibleName("Whose closure")
        self.who.addItem(self.WHOLE_CLINIC, None)
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText("e.g. Staff training, Annual leave")
        self.fields = {key: FieldWithError(widget) for key, widget in (
            ("starts_on", self.first), ("ends_on", self.last), ("who", self.who), ("reason", self.reason))}
        form = QFormLayout()
        for key, label in (("starts_on", "From"), ("ends_on", "To (inclusive)"), ("who", "Closed for"),
                           ("reason", "Reason")):
            form.addRow(label, self.fields[key])
        self.add_button = QPushButton("Add closure")
        self.remove_button = QPushButton("Remove selected")
        self.feedback = Feedback()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(button_row(self.add_button, self.remove_button))
        layout.addWidget(muted_label("Visits already booked on those days are not moved: you are told which, and "
                                     "the front desk moves them from the calendar."))
        layout.addWidget(self.feedback)
        self.add_button.clicked.connect(lambda: self.add())
        self.remove_button.clicked.connect(self.remove)
        self.table.itemSelectionChanged.connect(lambda: self.remove_button.setEnabled(self.selected() is not None))
        self.remove_button.setEnabled(False)

    def _first_changed(self, first: QDate) -> None:
        if self.last.date() < first:
            self.last.setDate(first)

    def show_settings(self, settings: ClinicSettings) -> None:
        self.closures = settings.closures
        fill_table(self.table, [(_day_text(c.starts_on), _day_text(c.ends_on), c.who, c.reason)
                                for c in self.closures])
        self.remove_button.setEnabled(self.selected() is not None)
        chosen = self.who.currentData()
        self.who.clear()
        self.who.addItem(self.WHOLE_CLINIC, None)
        for user_id, name in settings.practitioners:
            self.who.addItem(f"{name} (leave)", user_id)
        found = self.who.findData(chosen)
        self.who.setCurrentIndex(max(found, 0))

    def selected(self) -> ClosureInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.closures[rows[0].row()] if rows and rows[0].row() < len(self.closures) else None

    def draft(self) -> ClosureDraft:
        return ClosureDraft(_day(self.first), _day(self.last), self.reason.text(), self.who.currentData())

    def add(self, affected_seen: int | None = None) -> None:
        ctx, draft = self.dialog.context, self.draft()
        self.feedback.said("")

        def saved(result: SavedWithVisits) -> None:
            self.reason.clear()
            left = f" {result.affected.describe()} stay booked on those days: move them." if result.affected else ""
            self.feedback.said("Closure added." + left)

        self.dialog.write(self, lambda: clinic_settings.add_closure(ctx.database, ctx.actor, draft,
                                                                    affected_seen=affected_seen),
                          saved, self._failed)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, VisitsAffectedError):
            if confirm_affected(self, error, "Add the closure"):
                self.add(affected_seen=error.affected.count)
            else:
                self.feedback.said("Not added.", error=True)
            return
        show_refusal(error, self.fields, self.feedback, self)

    def remove(self) -> None:
        closure = self.selected()
        if closure is None:
            return
        ctx = self.dialog.context
        self.feedback.said("")
        self.dialog.write(self, lambda: clinic_settings.remove_closure(ctx.database, ctx.actor, closure.id),
                          lambda _none: self.feedback.said("Closure removed."),
                          lambda error: show_refusal(error, self.fields, self.feedback, self))


def _date_edit(day: date, name: str) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FIELD_FORMAT)
    edit.setAccessibleName(name)
    return edit


def _day(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def _day_text(day: date) -> str:
    """The app's one date style: "Thu 3 Dec 2026"."""
    return dates.day(day, weekday=True)
