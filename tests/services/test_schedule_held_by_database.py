"""When the services' own check misses a clash, the database refuses it and the booking says which visit.

The service check normally sees every committed booking (writers queue: docs/multi-seat.md). Here it
is blinded on purpose, as a bug or a race would, so the database's rules (persistence/visit_guards.py)
are what refuses: the whole course stays unbooked and the message names the visit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment
from acudesk.services import appointments, calendar_data, courses, patients, slots
from acudesk.services.context import Actor
from acudesk.services.courses import BookingRequest
from acudesk.services.scheduling import ScheduleConflictError

MONDAY = datetime(2027, 6, 7, 10, 0)  # five Mondays without a bank holiday


def _patient(database: Database, admin: Actor, family: str) -> int:
    return patients.register_patient(database, admin, PatientDetails(family, "Noor", date(1975, 3, 3))).id


def _active(database: Database) -> int:
    with database.read() as tx:
        return tx.scalar(select(func.count()).select_from(Appointment).where(Appointment.status == "booked")) or 0


def test_a_clash_the_service_missed_books_nothing_and_names_the_visit(
    database: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _patient(database, admin, "Okafor"), _patient(database, admin, "Lindqvist")
    courses.book_course(database, admin, BookingRequest(first, admin.user_id, None, MONDAY + timedelta(weeks=2),
                                                        "weekly x1"))
    monkeypatch.setattr(slots.DatabaseBusy, "_load", lambda self, *where: None)  # the check sees nothing
    with pytest.raises(ScheduleConflictError) as caught:
        courses.book_course(database, admin, BookingRequest(second, admin.user_id, None, MONDAY, "weekly x4"))
    assert caught.value.conflicts[0].startswith("visit 3 (Mon 21 Jun 2027 10:00): the practitioner already has")
    assert str(caught.value).startswith("Nothing was booked:")
    assert _active(database) == 1  # visits 1 and 2 were written before visit 3 was refused: none is kept


def test_moving_a_series_by_a_week_never_clashes_with_itself_on_the_way(database: Database, admin: Actor) -> None:
    """Each visit lands on the day its successor leaves: the moves are written in an order that never
    has two of the patient's visits on one day, even for a moment (the database checks every row)."""
    patient = _patient(database, admin, "Achterberg")
    booked = courses.book_course(database, admin, BookingRequest(patient, admin.user_id, 1, MONDAY, "weekly x4"))
    with database.read() as tx:
        entries = calendar_data.entries_for_ids(tx, booked.appointment_ids)
    later = appointments.move_following(database, admin, entries[0].id, MONDAY + timedelta(weeks=1),
                                        expected_version=entries[0].version)
    assert [e.local_start for e in later] == [MONDAY + timedelta(weeks=n) for n in range(1, 5)]
    earlier = appointments.move_following(database, admin, later[0].id, MONDAY, expected_version=later[0].version)
    assert [e.local_start for e in earlier] == [MONDAY + timedelta(weeks=n) for n in range(4)]
