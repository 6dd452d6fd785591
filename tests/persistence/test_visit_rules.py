"""The database itself refuses overlapping visits, even from code that skips the services' checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, Room, User
from acudesk.persistence.visit_guards import (
    DURATION_RULE,
    PATIENT_DAY_RULE,
    PRACTITIONER_RULE,
    ROOM_RULE,
    broken_rule,
)
from acudesk.services import patients
from acudesk.services.context import Actor

MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


class Raw:
    """Writes appointment rows straight through the ORM, as a buggy service would."""

    def __init__(self, database: Database, admin: Actor) -> None:
        self.database = database
        self.patients = [
            patients.register_patient(database, admin, PatientDetails(f"Quill{n}", "Ada", date(1980, 1, 1 + n))).id
            for n in range(3)
        ]
        with database.read() as tx:
            self.rooms = list(tx.scalars(select(Room.id).order_by(Room.id)))
            self.practitioner = tx.scalars(select(User.id)).first()
        with database.write() as tx:
            other = User(username="second", display_name="Second Practitioner", password_hash=None)
            tx.add(other)
            tx.flush()
            self.other_practitioner = other.id

    def book(self, start: datetime, *, patient: int = 0, room: int | None = 0, practitioner: int | None = None,
             minutes: int = 45, changeover: int = 0, status: str = "booked") -> int:
        with self.database.write() as tx:
            row = Appointment(
                patient_id=self.patients[patient], practitioner_id=practitioner or self.practitioner,
                room_id=None if room is None else self.rooms[room], local_start=start.replace(tzinfo=None),
                start_utc=start, duration_minutes=minutes, changeover_minutes=changeover, status=status,
            )
            tx.add(row)
            tx.flush()
            return row.id


@pytest.fixture
def raw(database: Database, admin: Actor) -> Raw:
    return Raw(database, admin)


def _refused(rule: str, write, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError) as caught:
        write(*args, **kwargs)
    assert broken_rule(caught.value) == rule, str(caught.value)


def test_a_practitioner_cannot_have_two_overlapping_visits(raw: Raw) -> None:
    raw.book(MONDAY_10)
    _refused(PRACTITIONER_RULE, raw.book, MONDAY_10 + timedelta(minutes=30), patient=1, room=1)
    _refused(PRACTITIONER_RULE, raw.book, MONDAY_10 - timedelta(minutes=30), patient=1, room=1)
    _refused(PRACTITIONER_RULE, raw.book, MONDAY_10 - timedelta(minutes=15), patient=1, room=1, minutes=120)
    raw.book(MONDAY_10 + timedelta(minutes=45), patient=1, room=1)  # back to back is fine
    raw.book(MONDAY_10 + timedelta(minutes=10), patient=2, room=None, practitioner=raw.other_practitioner)


def test_a_room_stays_free_for_its_changeover(raw: Raw) -> None:
    raw.book(MONDAY_10, changeover=15)
    _refused(ROOM_RULE, raw.book, MONDAY_10 + timedelta(minutes=50), patient=1,
             practitioner=raw.other_practitioner)
    raw.book(MONDAY_10 + timedelta(minutes=60), patient=1, practitioner=raw.other_practitioner)


def test_a_patient_has_at_most_one_active_visit_a_day(raw: Raw) -> None:
    raw.book(MONDAY_10)
    _refused(PATIENT_DAY_RULE, raw.book, MONDAY_10 + timedelta(hours=5), room=1,
             practitioner=raw.other_practitioner)
    raw.book(MONDAY_10 + timedelta(days=1))


def test_cancelled_and_missed_visits_free_their_slot(raw: Raw) -> None:
    raw.book(MONDAY_10, status="cancelled")
    raw.book(MONDAY_10, status="no_show")
    raw.book(MONDAY_10)
    _refused(PRACTITIONER_RULE, raw.book, MONDAY_10, patient=1, room=1)


def test_updates_are_held_to_the_same_rules(raw: Raw, database: Database) -> None:
    first = raw.book(MONDAY_10)
    cancelled = raw.book(MONDAY_10, patient=1, room=1, status="cancelled")
    later = raw.book(MONDAY_10 + timedelta(hours=2), patient=2, room=1)

    def update(appointment_id: int, **values: object) -> None:
        with database.write() as tx:
            row = tx.get(Appointment, appointment_id)
            assert row is not None
            for name, value in values.items():
                setattr(row, name, value)

    _refused(PRACTITIONER_RULE, update, cancelled, status="booked")  # un-cancelling into a taken slot
    _refused(PRACTITIONER_RULE, update, later, start_utc=MONDAY_10 + timedelta(minutes=20))
    update(later, start_utc=MONDAY_10 + timedelta(minutes=45))
    update(first, status="completed")  # a visit does not clash with itself
    _refused(DURATION_RULE, update, first, duration_minutes=0)


def test_nonsense_durations_are_refused(raw: Raw) -> None:
    _refused(DURATION_RULE, raw.book, MONDAY_10, minutes=0)
    _refused(DURATION_RULE, raw.book, MONDAY_10, minutes=721)
    _refused(DURATION_RULE, raw.book, MONDAY_10, changeover=-5)


def test_the_rules_hold_against_plain_sql_too(raw: Raw, database: Database) -> None:
    raw.book(MONDAY_10)
    with pytest.raises(DBAPIError) as caught, database.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO appointments (patient_id, practitioner_id, room_id, local_start, start_utc, "
            "duration_minutes, changeover_minutes, status, move_reason, cancel_reason, late_cancellation, "
            "version, created_at, updated_at) SELECT patient_id, practitioner_id, room_id, local_start, "
            "start_utc, duration_minutes, changeover_minutes, status, move_reason, cancel_reason, "
            "late_cancellation, version, created_at, updated_at FROM appointments"
        ))
    assert broken_rule(caught.value) in (PRACTITIONER_RULE, ROOM_RULE, PATIENT_DAY_RULE)
