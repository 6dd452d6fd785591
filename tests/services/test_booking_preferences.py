"""A receptionist keeps a patient's preferred days and times, and booking uses them first."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from acudesk.domain.errors import PermissionDeniedError, ValidationError
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.persistence.models import AuditEvent
from acudesk.services import courses, patients, slots
from acudesk.services.context import RECEPTIONIST, Actor
from acudesk.services.courses import BookingRequest

NOW = datetime(2027, 1, 1, tzinfo=UTC)


@pytest.fixture
def nora(database: Database, admin: Actor) -> int:
    details = PatientDetails("Quill", "Nora", date(1979, 5, 14), consent_to_treatment=True,
                             consent_date=date(2026, 1, 5))
    return patients.register_patient(database, admin, details).id


def test_preferences_are_kept_checked_and_audited(database: Database, sign_in_as, nora: int) -> None:
    desk = sign_in_as(RECEPTIONIST)
    assert slots.booking_preferences(database, desk, nora) == ""
    assert slots.set_booking_preferences(database, desk, nora, "tuesdays after 17:00") == "Tuesdays after 17:00"
    assert slots.booking_preferences(database, desk, nora) == "tuesdays after 17:00"
    with pytest.raises(ValidationError, match="unknown weekday"):
        slots.set_booking_preferences(database, desk, nora, "Funday after 10:00")
    with database.read() as tx:
        events = tx.scalars(select(AuditEvent).where(AuditEvent.entity == "booking_preferences")).all()
        assert [(e.action, e.patient_id) for e in events] == [("update", nora)]
    assert slots.set_booking_preferences(database, desk, nora, "") == ""  # cleared


def test_a_practitioner_without_schedule_rights_cannot_change_them(database: Database, sign_in_as, nora: int) -> None:
    auditor = sign_in_as("administrator", username="office")
    with pytest.raises(PermissionDeniedError):
        slots.set_booking_preferences(database, auditor, nora, "Mon after 10:00")


def test_a_taken_slot_moves_to_a_time_that_suits_the_patient(database: Database, admin: Actor, nora: int) -> None:
    other = patients.register_patient(database, admin, PatientDetails("Brennan", "Tomas", date(1970, 1, 1))).id
    courses.book_course(database, admin, BookingRequest(other, admin.user_id, 1, datetime(2027, 2, 8, 10),
                                                        "weekly x1"), now=NOW)
    slots.set_booking_preferences(database, admin, nora, "Tuesdays after 17:00")
    preview = courses.preview_course(database, admin, BookingRequest(nora, admin.user_id, 1,
                                                                     datetime(2027, 2, 1, 10), "weekly x2"), now=NOW)
    second = preview.visits[1]
    assert second.local_start == datetime(2027, 2, 9, 17)
    assert second.explanation == ("Mon 8 Feb 2027 10:00 taken (practitioner busy) → Tue 9 Feb 2027 17:00 "
                                  "(suits the patient: Tuesdays after 17:00)")
    # The receptionist may override them for one booking.
    preview = courses.preview_course(database, admin, BookingRequest(
        nora, admin.user_id, 1, datetime(2027, 2, 1, 10), "weekly x2", preferences=""), now=NOW)
    second = preview.visits[1]
    # 09:15 ends as Tomas starts, but Room 1 needs its 10 min changeover first: Room 2.
    assert (second.local_start, second.room) == (datetime(2027, 2, 8, 9, 15), "Room 2")
