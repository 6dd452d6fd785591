"""The waitlist in the windows (issue 14): a receptionist adds a patient to it from the Patients menu,
cancels another patient's visit on the calendar, is offered the freed slot for the waiting patient, and
books it with one click after calling them. Nothing is booked without that click. Patients are invented.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.models import Appointment, VisitType
from acudesk.services import calendar_data, courses, patients, waitlist
from acudesk.services.courses import BookingRequest
from acudesk.ui.calendar.cancel_dialog import CancelDialog
from acudesk.ui.calendar.screen import CalendarScreen
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QApplication
from acudesk.ui.waitlist import AddToWaitlistDialog, WaitlistDialog, WaitlistOfferDialog

TIMEOUT = 10_000
TUESDAY_TEN = datetime(2027, 3, 2, 10, 0)  # clinic wall-clock time; no holiday that week


def _register(context: AppContext, family: str, given: str) -> int:
    details = PatientDetails(family, given, date(1980, 4, 2), consent_to_treatment=True, consent_date=date(2026, 1, 5))
    return patients.register_patient(context.database, context.actor, details).id


def _shown(kind: type):
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)


def _booked_at(context: AppContext, start: datetime) -> list[int]:
    with context.database.read() as tx:
        return list(tx.scalars(select(Appointment.patient_id).where(Appointment.local_start == start,
                                                                    Appointment.status == "booked")))


def test_add_to_waitlist_from_the_patients_menu_then_a_cancellation_offers_the_slot_and_books_it(
        qtbot, context: AppContext, monkeypatch) -> None:
    nora = _register(context, "Quill", "Nora")
    tomas = _register(context, "Brennan", "Tomas")
    [visit] = courses.book_course(context.database, context.actor, BookingRequest(
        nora, context.actor.user_id, 1, TUESDAY_TEN, "weekly x1", preferences="")).appointment_ids

    # Patients → Add to waitlist… for Tomas, selected in the Patients tab.
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    window.show_patient(tomas, "Tomas Brennan")  # as "Open patient" does
    qtbot.waitUntil(lambda: window.wait_action.isEnabled(), timeout=TIMEOUT)
    window.wait_action.trigger()
    qtbot.waitUntil(lambda: _shown(AddToWaitlistDialog) is not None, timeout=TIMEOUT)
    form = _shown(AddToWaitlistDialog)
    form.days[1].setChecked(True)  # Tuesdays suit him
    form.urgency.setCurrentIndex(form.urgency.findData("soon"))
    form.until.setDate(form.until.date().addMonths(6))
    form.ok.click()
    qtbot.waitUntil(lambda: _shown(AddToWaitlistDialog) is None, timeout=TIMEOUT)  # saved and closed
    [waiting] = waitlist.list_waitlist(context.database, context.actor)
    assert (waiting.patient_id, waiting.urgency, waiting.wish.split(" · ")[0]) == (tomas, "soon", "Tue")
    assert "is on the waitlist" in window.statusBar().currentMessage()

    # The calendar: Nora's Tuesday visit is cancelled; the slot is offered to Tomas, booked on one click.
    screen = CalendarScreen(context)
    qtbot.addWidget(screen)
    screen.show()
    monkeypatch.setattr(CancelDialog, "exec", lambda self: CancelDialog.DialogCode.Accepted)
    monkeypatch.setattr(CancelDialog, "text", lambda self: "Patient away")
    with context.database.read() as tx:
        [entry] = calendar_data.entries_for_ids(tx, [visit])
    screen.entry_actions.cancel(entry)
    qtbot.waitUntil(lambda: _shown(WaitlistOfferDialog) is not None, timeout=TIMEOUT)
    offer = _shown(WaitlistOfferDialog)
    assert offer.table.item(0, 0).text() == "Tomas Brennan" and offer.table.item(0, 1).text() == "Soon"
    assert _booked_at(context, TUESDAY_TEN) == []  # offered, not booked
    offer.book.click()
    qtbot.waitUntil(lambda: _booked_at(context, TUESDAY_TEN) == [tomas], timeout=TIMEOUT)
    qtbot.waitUntil(lambda: _shown(WaitlistOfferDialog) is None, timeout=TIMEOUT)
    assert waitlist.list_waitlist(context.database, context.actor) == []


def test_no_offer_when_nobody_waits_and_the_waitlist_says_what_to_do(qtbot, context: AppContext,
                                                                     monkeypatch) -> None:
    nora = _register(context, "Quill", "Nora")
    [visit] = courses.book_course(context.database, context.actor, BookingRequest(
        nora, context.actor.user_id, 1, TUESDAY_TEN, "weekly x1", preferences="")).appointment_ids
    screen = CalendarScreen(context)
    qtbot.addWidget(screen)
    monkeypatch.setattr(CancelDialog, "exec", lambda self: CancelDialog.DialogCode.Accepted)
    monkeypatch.setattr(CancelDialog, "text", lambda self: "Patient away")
    with context.database.read() as tx:
        [entry] = calendar_data.entries_for_ids(tx, [visit])
    screen.entry_actions.cancel(entry)
    qtbot.waitUntil(lambda: context.operations.pending == 0 and _booked_at(context, TUESDAY_TEN) == [], timeout=TIMEOUT)
    qtbot.wait(200)  # the offers query, had there been any, would have answered by now
    assert _shown(WaitlistOfferDialog) is None
    listing = WaitlistDialog(context)
    qtbot.addWidget(listing)
    listing.show()
    qtbot.waitUntil(lambda: listing.table.rowCount() == 0 and listing.empty.isVisible(), timeout=TIMEOUT)
    assert "Add to waitlist" in listing.empty.text()
    with context.database.read() as tx:
        assert tx.scalar(select(VisitType.id).limit(1)) is not None
