"""What a receptionist can do with one appointment: open the chart or the patient, check in,
complete, no-show, cancel, move (by the Move dialog, or by dragging it on the calendar).

Each action is a write (ui/operations) carrying the version the screen showed; its change broadcast
reloads every screen that shows the visit (after a conflict too, so the receptionist sees what
someone else did). Check in and Complete are offered on the visit's own day only (the clinic's date).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from acudesk.domain import dates
from acudesk.services import appointments, calendar_data
from acudesk.services.calendar_data import CalendarEntry, Resources
from acudesk.services.permissions import Permission, allowed
from acudesk.ui.calendar.cancel_dialog import CancelDialog
from acudesk.ui.calendar.move_dialog import MoveDialog
from acudesk.ui.calendar.status import status_label
from acudesk.ui.context import AppContext
from acudesk.ui.qt import QMenu, QPoint, Qt, QWidget
from acudesk.ui.waitlist import offer_freed_slot


class EntryActions:
    """``open_chart(patient_id)`` and ``open_patient(patient_id, name)``, when given, add "Open chart"
    and "Open patient" to a visit's menu."""

    def __init__(self, context: AppContext, parent: QWidget,
                 open_chart: Callable[[int], None] | None = None,
                 open_patient: Callable[[int, str], None] | None = None) -> None:
        self.context = context
        self.parent = parent
        self.open_chart = open_chart
        self.open_patient = open_patient

    def _run(self, work: Callable[[], object], done_text: str, *, freed: CalendarEntry | None = None) -> None:
        """``freed``: the visit whose slot this write frees (a cancellation, a move away): once it is
        saved, the waiting patients that slot suits are offered it (ui/waitlist.py)."""
        def done(_result: object) -> None:
            window = self.parent.window()
            status_bar = getattr(window, "statusBar", None)
            if callable(status_bar):
                status_bar().showMessage(done_text, 5000)
            if freed is not None:
                offer_freed_slot(self.context, self.parent, freed)

        self.context.operations.write(self.parent, work, done)

    def on_its_day(self, entry: CalendarEntry) -> bool:
        """Whether the visit is today (the clinic's date): only then can the patient arrive or be seen."""
        return entry.local_start.date() == self.context.today()

    def check_in(self, entry: CalendarEntry) -> None:
        ctx = self.context
        self._run(lambda: appointments.check_in(ctx.database, ctx.actor, entry.id, expected_version=entry.version),
                  f"{entry.patient_name} checked in (Undo check-in takes it back).")

    def undo_check_in(self, entry: CalendarEntry) -> None:
        ctx = self.context
        self._run(lambda: appointments.undo_check_in(ctx.database, ctx.actor, entry.id,
                                                     expected_version=entry.version),
                  f"Check-in of {entry.patient_name} undone: the visit is booked again.")

    def complete(self, entry: CalendarEntry) -> None:
        ctx = self.context
        self._run(lambda: appointments.complete_appointment(ctx.database, ctx.actor, entry.id,
                                                            expected_version=entry.version), "Visit completed.")

    def no_show(self, entry: CalendarEntry) -> None:
        ctx = self.context
        self._run(lambda: appointments.mark_no_show(ctx.database, ctx.actor, entry.id, expected_version=entry.version),
                  f"{entry.patient_name} marked as a no-show.")

    def cancel(self, entry: CalendarEntry) -> None:
        dialog = CancelDialog(entry, self.parent)
        if dialog.exec() != CancelDialog.DialogCode.Accepted:
            return
        ctx, reason = self.context, dialog.text()
        self._run(lambda: appointments.cancel_appointment(ctx.database, ctx.actor, entry.id, reason,
                                                          expected_version=entry.version), "Visit cancelled.",
                  freed=entry)

    def move(self, entry: CalendarEntry) -> None:
        """The Move dialog (time, day, practitioner, room; this visit or this and the following ones),
        once the clinic's practitioners and rooms are read."""
        ctx = self.context
        ctx.operations.query(self.parent, lambda: calendar_data.resources(ctx.database, ctx.actor),
                             lambda found: self._open_move_dialog(entry, found), key="move")

    def _open_move_dialog(self, entry: CalendarEntry, resources: Resources) -> None:
        dialog = MoveDialog(entry, resources, self.parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._moved_by_dialog(entry, dialog))
        dialog.open()

    def _moved_by_dialog(self, entry: CalendarEntry, dialog: MoveDialog) -> None:
        new_start, reason = dialog.new_start(), dialog.reason.text().strip() or "Moved by hand"
        practitioner_id, room_id = dialog.practitioner_id(), dialog.room_id()
        if dialog.following.isChecked():
            self.move_following_to(entry, new_start, practitioner_id, room_id)
        else:
            self.move_to(entry, new_start, practitioner_id, room_id, reason)

    def move_following_to(self, entry: CalendarEntry, new_start: datetime, practitioner_id: int | None = None,
                          room_id: int | None = None) -> None:
        """Move the visit and the following visits of its course by the same amount (the rhythm kept)."""
        ctx = self.context
        self._run(lambda: appointments.move_following(ctx.database, ctx.actor, entry.id, new_start,
                                                      expected_version=entry.version,
                                                      practitioner_id=practitioner_id, room_id=room_id),
                  "Visit and the following visits moved.")

    def move_to(self, entry: CalendarEntry, new_start: datetime, practitioner_id: int | None = None,
                room_id: int | None = None, reason: str = "Moved by hand", *, to: str = "") -> None:
        """Move one visit (a drop on the calendar, or the Move dialog); None keeps its practitioner or
        room. ``to`` names where it goes ("Hana Sato") for the status bar."""
        ctx = self.context
        self._run(lambda: appointments.move_appointment(ctx.database, ctx.actor, entry.id, new_start,
                                                        expected_version=entry.version, reason=reason,
                                                        practitioner_id=practitioner_id, room_id=room_id),
                  f"{entry.patient_name} moved to {dates.day_and_time(new_start)}" + (f", {to}." if to else "."),
                  freed=entry if new_start != entry.local_start or practitioner_id not in (None, entry.practitioner_id)
                  else None)  # a move to another room at the same time frees no practitioner's time

    def menu(self, entry: CalendarEntry) -> QMenu:
        menu = QMenu(self.parent)
        title = menu.addAction(f"{entry.patient_name} · {dates.day_and_time(entry.local_start)} · "
                               f"{status_label(entry.status)}")
        title.setEnabled(False)
        menu.addSeparator()
        opened = False
        if self.open_chart is not None and allowed(self.context.actor, Permission.VIEW_CLINICAL):
            chart = menu.addAction("Open chart")
            chart.triggered.connect(lambda _checked=False, open_chart=self.open_chart: open_chart(entry.patient_id))
            opened = True
        if self.open_patient is not None and allowed(self.context.actor, Permission.VIEW_PATIENTS):
            patient = menu.addAction("Open patient")
            patient.triggered.connect(lambda _checked=False, open_patient=self.open_patient:
                                      open_patient(entry.patient_id, entry.patient_name))
            opened = True
        if opened:
            menu.addSeparator()
        can = allowed(self.context.actor, Permission.EDIT_SCHEDULE)
        booked = entry.status == "booked"
        today = self.on_its_day(entry)
        for text, handler, offered, enabled in (
            ("Check in", self.check_in, today and entry.status != "arrived", booked),
            ("Undo check-in", self.undo_check_in, today and entry.status == "arrived", True),
            ("Complete", self.complete, today, entry.status in ("booked", "arrived")),
            ("No-show", self.no_show, entry.start_utc <= datetime.now(UTC), booked),  # once it should have begun
            ("Move…", self.move, True, booked),
            ("Cancel visit…", self.cancel, True, booked),
        ):
            if not offered:
                continue
            action = menu.addAction(text)
            action.setEnabled(can and enabled)
            action.triggered.connect(lambda _checked=False, h=handler: h(entry))
        return menu

    def popup(self, entry: CalendarEntry, at: QPoint) -> None:
        self.menu(entry).popup(at)
