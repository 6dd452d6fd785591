"""What a receptionist can do with one appointment: open the chart, check in, complete, no-show,
cancel, move.

Each action is a write (ui/operations) carrying the version the screen showed; its change broadcast
reloads every screen that shows the visit (after a conflict too, so the receptionist sees what
someone else did).
"""

from __future__ import annotations

from collections.abc import Callable

from acudesk.services import appointments
from acudesk.services.calendar_data import CalendarEntry
from acudesk.services.permissions import Permission, allowed
from acudesk.ui.calendar.cancel_dialog import CancelDialog
from acudesk.ui.calendar.move_dialog import MoveDialog
from acudesk.ui.calendar.status import status_label
from acudesk.ui.context import AppContext
from acudesk.ui.qt import QMenu, QPoint, QWidget


class EntryActions:
    """``open_chart(patient_id)``, when given, adds "Open chart" to a visit's menu."""

    def __init__(self, context: AppContext, parent: QWidget,
                 open_chart: Callable[[int], None] | None = None) -> None:
        self.context = context
        self.parent = parent
        self.open_chart = open_chart

    def _run(self, work: Callable[[], object], done_text: str) -> None:
        def done(_result: object) -> None:
            window = self.parent.window()
            status_bar = getattr(window, "statusBar", None)
            if callable(status_bar):
                status_bar().showMessage(done_text, 5000)

        self.context.operations.write(self.parent, work, done)

    def check_in(self, entry: CalendarEntry) -> None:
        ctx = self.context
        self._run(lambda: appointments.check_in(ctx.database, ctx.actor, entry.id, expected_version=entry.version),
                  f"{entry.patient_name} checked in.")

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
                                                          expected_version=entry.version), "Visit cancelled.")

    def move(self, entry: CalendarEntry) -> None:
        dialog = MoveDialog(entry, self.parent)
        if dialog.exec() != MoveDialog.DialogCode.Accepted:
            return
        ctx, new_start, reason = self.context, dialog.new_start(), dialog.reason.text().strip() or "Moved by hand"
        if dialog.following.isChecked():
            self._run(lambda: appointments.move_following(ctx.database, ctx.actor, entry.id, new_start,
                                                          expected_version=entry.version),
                      "Visit and the following visits moved.")
        else:
            self._run(lambda: appointments.move_appointment(ctx.database, ctx.actor, entry.id, new_start,
                                                            expected_version=entry.version, reason=reason),
                      "Visit moved.")

    def menu(self, entry: CalendarEntry) -> QMenu:
        menu = QMenu(self.parent)
        title = menu.addAction(f"{entry.patient_name} · {entry.local_start:%a %d %b %H:%M} · "
                               f"{status_label(entry.status)}")
        title.setEnabled(False)
        menu.addSeparator()
        if self.open_chart is not None and allowed(self.context.actor, Permission.VIEW_CLINICAL):
            chart = menu.addAction("Open chart")
            chart.triggered.connect(lambda _checked=False, open_chart=self.open_chart: open_chart(entry.patient_id))
            menu.addSeparator()
        can = allowed(self.context.actor, Permission.EDIT_SCHEDULE)
        booked = entry.status == "booked"
        for text, handler, enabled in (
            ("Check in", self.check_in, booked),
            ("Complete", self.complete, entry.status in ("booked", "arrived")),
            ("No-show", self.no_show, booked),
            ("Move…", self.move, booked),
            ("Cancel visit…", self.cancel, booked),
        ):
            action = menu.addAction(text)
            action.setEnabled(can and enabled)
            action.triggered.connect(lambda _checked=False, h=handler: h(entry))
        return menu

    def popup(self, entry: CalendarEntry, at: QPoint) -> None:
        self.menu(entry).popup(at)
