"""A receptionist moves visits to another time, room or practitioner, and reads each visit's place in
its course. The test clinic (Europe/London) opens Mon-Fri 09:00-18:00; follow-ups last 45 min with
10 min room changeover. All patients are invented.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.services import appointments, calendar_data, courses, patients
from acudesk.services.clinic import add_user
from acudesk.services.context import PRACTITIONER, Actor
from acudesk.services.courses import BookingRequest
from acudesk.services.scheduling import ScheduleConflictError

ROOM_1, ROOM_2 = 1, 2
NOW = datetime(2027, 1, 1, tzinfo=UTC)


def _patient(database: Database, actor: Actor, family: str, given: str) -> int:
    details = PatientDetails(family, given, date(1979, 5, 14), consent_to_treatment=True,
                             consent_date=date(2026, 1, 5))
    return patients.register_patient(database, actor, details).id


def _book(database: Database, actor: Actor, patient: int, start: datetime, pattern: str, room: int = ROOM_1,
          practitioner: int | None = None) -> list[calendar_data.CalendarEntry]:
    booked = courses.book_course(database, actor, BookingRequest(patient, practitioner or actor.user_id, room,
                                                                 start, pattern))
    with database.read() as tx:
        return calendar_data.entries_for_ids(tx, booked.appointment_ids)


@pytest.fixture
def nora(database: Database, admin: Actor) -> int:
    return _patient(database, admin, "Quill", "Nora")


@pytest.fixture
def tomas(database: Database, admin: Actor) -> int:
    return _patient(database, admin, "Brennan", "Tomas")


@pytest.fixture
def second_practitioner(database: Database) -> int:
    with database.write() as tx:
        return add_user(tx, "ilin", "Dr Iris Lin", (PRACTITIONER,), password=None).id


def test_each_visit_knows_its_place_in_the_course(database: Database, admin: Actor, nora: int, tomas: int) -> None:
    visits = _book(database, admin, nora, datetime(2027, 3, 1, 10), "weekly x4, fortnightly x2")
    assert [v.course_text for v in visits] == [
        "visit 1 of 6 · weekly", "visit 2 of 6 · weekly", "visit 3 of 6 · weekly", "visit 4 of 6 · weekly",
        "visit 5 of 6 · fortnightly", "visit 6 of 6 · fortnightly",
    ]
    single = _book(database, admin, tomas, datetime(2027, 3, 2, 10), "weekly x1")
    assert single[0].course_text == "visit 1 of 1"  # no rhythm to show: no dangling " · "
    week = calendar_data.calendar_range(database, admin, date(2027, 3, 1), date(2027, 3, 7))
    assert {e.patient_name: e.course_text for e in week.entries} == {
        "Nora Quill": "visit 1 of 6 · weekly", "Tomas Brennan": "visit 1 of 1",
    }


def test_the_patient_pane_outlook_lists_the_visits_still_to_come(database: Database, admin: Actor, nora: int) -> None:
    visits = _book(database, admin, nora, datetime(2027, 3, 1, 10), "fortnightly x4")
    appointments.cancel_appointment(database, admin, visits[3].id, "Patient asked",
                                    expected_version=visits[3].version, now=NOW)
    outlook = calendar_data.course_outlook(database, admin, nora, now=datetime(2027, 3, 10, tzinfo=UTC))
    assert outlook is not None
    assert (outlook.total, outlook.done, outlook.rhythm) == (3, 0, "fortnightly")
    # Easter Monday (29 Mar) moved the last visit to the Tuesday
    assert [e.local_start for e in outlook.remaining] == [datetime(2027, 3, 15, 10), datetime(2027, 3, 30, 10)]
    assert calendar_data.course_outlook(database, admin, nora, now=datetime(2027, 4, 1, tzinfo=UTC)) is None


def test_a_visit_moves_to_another_time_and_room(database: Database, admin: Actor, nora: int, tomas: int) -> None:
    nora_visit = _book(database, admin, nora, datetime(2027, 3, 1, 10), "weekly x1")[0]
    _book(database, admin, tomas, datetime(2027, 3, 1, 14), "weekly x1", room=ROOM_2)

    check = appointments.move_check(database, admin, date(2027, 3, 1), date(2027, 3, 7), now=NOW)
    assert check.problems(nora_visit, datetime(2027, 3, 1, 14), room_id=ROOM_2) == [
        "the practitioner is already seeing Tomas Brennan at Mon 1 Mar 2027 14:00",
        "the room is taken by Tomas Brennan at Mon 1 Mar 2027 14:00 (including 10 min changeover)",
    ]
    assert check.problems(nora_visit, datetime(2027, 3, 7, 10)) == ["Sun 7 Mar 2027 - Clinic closed on Sunday"]
    assert check.problems(nora_visit, datetime(2027, 3, 1, 16), room_id=ROOM_2) == []

    moved = appointments.move_appointment(database, admin, nora_visit.id, datetime(2027, 3, 1, 16),
                                          expected_version=nora_visit.version, room_id=ROOM_2, now=NOW)
    assert (moved.local_start, moved.room_name, moved.moved_from) == (datetime(2027, 3, 1, 16), "Room 2", None)
    with pytest.raises(ScheduleConflictError) as refused:
        appointments.move_appointment(database, admin, moved.id, datetime(2027, 3, 1, 14, 30),
                                      expected_version=moved.version, now=NOW)
    assert "this visit: the practitioner is already seeing" in refused.value.message


def test_a_visit_moves_to_another_practitioner(
    database: Database, admin: Actor, nora: int, second_practitioner: int
) -> None:
    visit = _book(database, admin, nora, datetime(2027, 3, 1, 10), "weekly x1")[0]
    moved = appointments.move_appointment(database, admin, visit.id, datetime(2027, 3, 1, 11),
                                          expected_version=visit.version, practitioner_id=second_practitioner,
                                          now=NOW)
    assert (moved.practitioner_name, moved.local_start) == ("Dr Iris Lin", datetime(2027, 3, 1, 11))


def test_this_and_following_keeps_the_fortnightly_rhythm_in_the_new_room(
    database: Database, admin: Actor, nora: int
) -> None:
    visits = _book(database, admin, nora, datetime(2027, 3, 1, 10), "fortnightly x4")
    moved = appointments.move_following(database, admin, visits[1].id, datetime(2027, 3, 16, 15),
                                        expected_version=visits[1].version, room_id=ROOM_2, now=NOW)
    assert [e.local_start for e in moved] == [
        datetime(2027, 3, 16, 15), datetime(2027, 3, 30, 15), datetime(2027, 4, 13, 15),
    ]
    assert {e.room_name for e in moved} == {"Room 2"}
    assert [e.course_text for e in moved] == [
        "visit 2 of 4 · fortnightly", "visit 3 of 4 · fortnightly", "visit 4 of 4 · fortnightly",
    ]
