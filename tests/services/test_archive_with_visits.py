"""Archiving a patient who still has visits booked (issue 18): the receptionist is told how many, and
may cancel them with a reason in the same step; nothing else changes. Invented patients only."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from acudesk.domain.errors import ConflictError, ValidationError
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, AuditEvent
from acudesk.services import courses, patients
from acudesk.services.context import Actor
from acudesk.services.courses import BookingRequest

NOW = datetime(2027, 3, 10, 12, tzinfo=UTC)  # after two of four weekly visits


@pytest.fixture
def nora(database: Database, admin: Actor) -> int:
    details = PatientDetails("Quill", "Nora", date(1979, 5, 14), consent_to_treatment=True,
                             consent_date=date(2026, 1, 5))
    patient = patients.register_patient(database, admin, details).id
    courses.book_course(database, admin, BookingRequest(patient, admin.user_id, 1, datetime(2027, 3, 1, 10),
                                                        "weekly x4"))
    return patient


def _statuses(database: Database, patient: int) -> list[tuple[str, str | None]]:
    with database.read() as tx:
        return [tuple(row) for row in tx.execute(select(Appointment.status, Appointment.cancel_reason)
                               .where(Appointment.patient_id == patient).order_by(Appointment.start_utc))]


def _version(database: Database, admin: Actor, patient: int) -> int:
    return patients.get_patient(database, admin, patient).version


def test_the_visits_still_booked_are_counted(database: Database, admin: Actor, nora: int) -> None:
    ahead = patients.visits_booked_ahead(database, admin, nora, now=NOW)
    assert ahead.count == 2 and ahead.first_local_start == datetime(2027, 3, 15, 10)


def test_archiving_can_cancel_them_with_a_reason(database: Database, admin: Actor, nora: int) -> None:
    record = patients.set_archived(database, admin, nora, True, expected_version=_version(database, admin, nora),
                                   cancel_visits_reason="Moved away", now=NOW)
    assert record.archived
    assert _statuses(database, nora) == [("booked", ""), ("booked", ""),
                                         ("cancelled", "Moved away"), ("cancelled", "Moved away")]
    with database.read() as tx:
        actions = list(tx.scalars(select(AuditEvent.action).where(AuditEvent.patient_id == nora)
                                  .order_by(AuditEvent.id)))
    assert actions[-3:] == ["cancel", "cancel", "archive"]
    assert patients.visits_booked_ahead(database, admin, nora, now=NOW).count == 0


def test_archiving_may_keep_them(database: Database, admin: Actor, nora: int) -> None:
    patients.set_archived(database, admin, nora, True, expected_version=_version(database, admin, nora), now=NOW)
    assert [status for status, _ in _statuses(database, nora)] == ["booked"] * 4


def test_a_blank_reason_or_a_stale_version_changes_nothing(database: Database, admin: Actor, nora: int) -> None:
    version = _version(database, admin, nora)
    with pytest.raises(ValidationError, match="reason"):
        patients.set_archived(database, admin, nora, True, expected_version=version, cancel_visits_reason=" ",
                              now=NOW)
    with pytest.raises(ConflictError):
        patients.set_archived(database, admin, nora, True, expected_version=version + 5,
                              cancel_visits_reason="Moved away", now=NOW)
    assert [status for status, _ in _statuses(database, nora)] == ["booked"] * 4
    assert not patients.get_patient(database, admin, nora).archived
