"""Overlapping visits share their time side by side; every other visit of the day keeps the column's width
(seen on the demo: after a cancelled visit was rebooked for a waiting patient, the whole day's visits
were squeezed into half columns). Patients are invented."""

from __future__ import annotations

from datetime import date, datetime

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.models import Appointment
from acudesk.services import appointments, courses, patients
from acudesk.services.courses import BookingRequest
from acudesk.ui.calendar.screen import CalendarScreen
from acudesk.ui.context import AppContext

TIMEOUT = 10_000
TUESDAY = date(2027, 3, 2)


def _book(context: AppContext, family: str, start: datetime) -> int:
    pid = patients.register_patient(context.database, context.actor, PatientDetails(
        family, "Test", date(1980, 4, 2), consent_to_treatment=True, consent_date=date(2026, 1, 5))).id
    return courses.book_course(context.database, context.actor, BookingRequest(
        pid, context.actor.user_id, 1, start, "weekly x1", preferences="")).appointment_ids[0]


def test_only_the_overlapping_visits_share_their_time(qtbot, context: AppContext) -> None:
    cancelled = _book(context, "Quill", datetime(2027, 3, 2, 10, 0))
    with context.database.read() as tx:
        version = tx.get(Appointment, cancelled).version
    appointments.cancel_appointment(context.database, context.actor, cancelled, "Patient away",
                                    expected_version=version)
    rebooked = _book(context, "Brennan", datetime(2027, 3, 2, 10, 0))
    later = _book(context, "Okafor", datetime(2027, 3, 2, 15, 0))
    screen = CalendarScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1300, 700)
    screen.show()
    qtbot.waitUntil(lambda: screen.data is not None, timeout=TIMEOUT)
    screen.show_day(TUESDAY)
    qtbot.waitUntil(lambda: screen.data is not None and screen.data.first <= TUESDAY <= screen.data.last
                    and len(screen.data.entries) == 3, timeout=TIMEOUT)
    screen.grid.grab()
    widths = {placed.entry.id: placed.rect.width() for placed in screen.grid._placed}
    assert widths[cancelled] == widths[rebooked]  # side by side
    assert widths[later] > 1.9 * widths[rebooked]  # the afternoon visit keeps the whole column
