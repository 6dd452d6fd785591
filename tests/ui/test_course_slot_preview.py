"""The booking dialog says why each visit went where it did, flags a visit that lost its rhythm, and
keeps the patient's preferred days and times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from acudesk.domain.patients import PatientDetails
from acudesk.services import courses, patients, slots
from acudesk.services.courses import BookingRequest
from acudesk.ui.calendar.course_dialog import NOTE, CourseBookingDialog, Prefill
from acudesk.ui.context import AppContext
from acudesk.ui.qt import QColor
from acudesk.ui.style import DRIFTED_BACKGROUND, MOVED_BACKGROUND

TIMEOUT = 10_000


@pytest.fixture
def nora(context: AppContext) -> int:
    details = PatientDetails("Quill", "Nora", date(1979, 5, 14), consent_to_treatment=True,
                             consent_date=date(2026, 1, 5))
    return patients.register_patient(context.database, context.actor, details).id


def _shown(dialog: CourseBookingDialog, test: Callable[[CourseBookingDialog], bool]) -> Callable[[], bool]:
    return lambda: dialog.preview is not None and test(dialog)


def test_the_preview_explains_each_move_and_flags_a_visit_off_its_rhythm(
    qtbot, context: AppContext, nora: int
) -> None:
    tomas = patients.register_patient(context.database, context.actor,
                                      PatientDetails("Brennan", "Tomas", date(1970, 1, 1))).id
    courses.book_course(context.database, context.actor,
                        BookingRequest(tomas, context.actor.user_id, 1, datetime(2027, 2, 8, 10), "weekly x1"))
    dialog = CourseBookingDialog(context, Prefill(nora, "QUILL, Nora", context.actor.user_id, 1,
                                                  datetime(2027, 2, 1, 10)))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.pattern.setText("weekly x2")
    qtbot.waitUntil(_shown(dialog, lambda d: d.table.rowCount() == 2), timeout=TIMEOUT)

    # Tomas holds the practitioner at 10:00 on Mon 8 Feb: the same day at 09:15, in the room that is free.
    cells = [dialog.table.item(1, column).text() for column in range(NOTE + 1)]
    assert cells == ["2", "Mon 8 Feb 2027", "09:15", "Room 2", "weekly",
                     "Mon 8 Feb 2027 10:00 taken (practitioner busy) → 09:15, Room 2"]
    assert dialog.table.item(1, NOTE).background().color() == QColor(MOVED_BACKGROUND)
    assert dialog.summary.text().endswith("1 moved (highlighted) · every visit on its rhythm, no conflicts.")

    # The patient prefers Tuesday evenings: those come first when the planned slot is taken.
    dialog.preferences.setText("Tuesdays after 17:00")
    qtbot.waitUntil(_shown(dialog, lambda d: d.table.item(1, 2).text() == "17:00"), timeout=TIMEOUT)
    assert dialog.table.item(1, NOTE).text() == (
        "Mon 8 Feb 2027 10:00 taken (practitioner busy) → Tue 9 Feb 2027 17:00 (suits the patient: Tuesdays after "
        "17:00)"
    )

    # Christmas 2027: nothing within a day of Mon 27 Dec. The visit is flagged, with the nearest options,
    # and the summary does not say "no conflicts".
    dialog.date.setDate(dialog.date.date().fromString("2027-12-20", "yyyy-MM-dd"))
    qtbot.waitUntil(_shown(dialog, lambda d: d.table.item(0, 1).text() == "Mon 20 Dec 2027"), timeout=TIMEOUT)
    note = dialog.table.item(1, NOTE).text()
    assert note == ("⚠ Mon 27 Dec 2027 is a holiday (Christmas Day (observed)); nothing free within ±1 day → "
                    "Wed 29 Dec 2027 10:00, 2 days later than the rhythm · other options: Thu 30 Dec 2027 10:00, "
                    "Room 1 · Fri 24 Dec 2027 10:00, Room 1 · Fri 31 Dec 2027 10:00, Room 1")
    assert dialog.table.item(1, NOTE).background().color() == QColor(DRIFTED_BACKGROUND)
    assert "⚠ visit 2 could not keep the rhythm" in dialog.summary.text()
    assert "no conflicts" not in dialog.summary.text()
    assert dialog.save_button.isEnabled()  # the receptionist may still book it, having seen it
    assert not dialog.grab().isNull()  # paints with the flagged row

    with qtbot.waitSignal(dialog.booked, timeout=TIMEOUT) as booked:
        dialog.save_button.click()
    assert len(booked.args[0].appointment_ids) == 2
    assert slots.booking_preferences(context.database, context.actor, nora) == "Tuesdays after 17:00"


def test_the_patients_saved_preferences_fill_the_dialog(qtbot, context: AppContext, nora: int) -> None:
    slots.set_booking_preferences(context.database, context.actor, nora, "Mon-Wed before 11:00")
    dialog = CourseBookingDialog(context, Prefill(nora, "QUILL, Nora", context.actor.user_id, 1,
                                                  datetime(2027, 2, 1, 10)))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.preferences.text() == "Mon-Wed before 11:00", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=TIMEOUT)
    assert dialog.preview.request.preferences == "Mon-Wed before 11:00"
