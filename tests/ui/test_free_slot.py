"""Patients → Find a free slot… (issue 14): a receptionist looks for a follow-up for the patient in front,
with the days and times that suit them, gets a short ranked list, and books the first one through the
booking dialog. Patients are invented."""

from __future__ import annotations

from datetime import date, datetime

from acudesk.domain.patients import PatientDetails
from acudesk.services import courses, patients
from acudesk.services.courses import BookingRequest
from acudesk.ui.calendar.course_dialog import CourseBookingDialog
from acudesk.ui.calendar.free_slot_dialog import FreeSlotDialog
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QApplication, QDate

TIMEOUT = 10_000


def _shown(kind: type):
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)


def test_the_first_free_slots_that_suit_the_patient_and_booking_one(qtbot, context: AppContext) -> None:
    nora = patients.register_patient(context.database, context.actor, PatientDetails(
        "Quill", "Nora", date(1980, 4, 2), consent_to_treatment=True, consent_date=date(2026, 1, 5))).id
    other = patients.register_patient(context.database, context.actor, PatientDetails(
        "Brennan", "Tomas", date(1975, 1, 2), consent_to_treatment=True, consent_date=date(2026, 1, 5))).id
    # Tuesday 2 March 2027 17:00 is taken: the first Tuesday evening that suits Nora is the week after.
    courses.book_course(context.database, context.actor, BookingRequest(
        other, context.actor.user_id, None, datetime(2027, 3, 2, 17, 0), "weekly x1", preferences=""))
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    window.show_patient(nora, "Nora Quill")
    qtbot.waitUntil(lambda: window.current_patient() is not None, timeout=TIMEOUT)
    window.free_slot_action.trigger()
    qtbot.waitUntil(lambda: _shown(FreeSlotDialog) is not None, timeout=TIMEOUT)
    dialog = _shown(FreeSlotDialog)
    assert dialog.windowTitle() == "Find a free slot for Nora Quill"
    dialog.from_day.setDate(QDate(2027, 3, 1))
    dialog.first_visit.setChecked(False)
    dialog.preferences.setText("Tuesdays after 17:00")
    dialog.find_button.click()
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=TIMEOUT)
    best = dialog.slots[0]
    assert best.suits_preferences and best.local_start.weekday() == 1 and best.local_start.hour >= 17
    assert best.local_start != datetime(2027, 3, 2, 17, 0)  # taken
    assert best.room  # a room, the first one or another free one
    assert "best first" in dialog.status.text()
    dialog.book.click()
    qtbot.waitUntil(lambda: _shown(CourseBookingDialog) is not None, timeout=TIMEOUT)
    booking = _shown(CourseBookingDialog)
    qtbot.waitUntil(lambda: booking.patient.patient_id == nora and booking.start() == best.local_start,
                    timeout=TIMEOUT)  # the booking dialog opens on the chosen slot, for the patient in front
    booking.close()
