"""The database itself refuses to rewrite history: audit events, signed records, deletions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.persistence.models import Intake, SessionPoint, SessionRecord
from acudesk.services import patients
from acudesk.services.context import Actor

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def _patient(database: Database, admin: Actor) -> int:
    return patients.register_patient(database, admin, PatientDetails("Gwynne", "Cerys", date(1979, 4, 1))).id


def _raw(database: Database, sql: str, **params: object) -> None:
    with database.engine.begin() as connection:
        connection.execute(text(sql), params)


def _signed_session(database: Database, admin: Actor, patient_id: int) -> int:
    with database.write() as session:
        record = SessionRecord(patient_id=patient_id, practitioner_id=admin.user_id, session_at=NOW,
                               needles_in=4, needles_out=4, nrs_before=6, nrs_after=4, status="draft",
                               points=[SessionPoint(point_code="BL23", side="bilateral")])
        session.add(record)
        session.flush()
        record.status, record.signed_at, record.signed_by_id = "signed", NOW, admin.user_id
        session.flush()
        return record.id


def test_audit_events_cannot_be_edited_or_deleted(database: Database, admin: Actor) -> None:
    _patient(database, admin)
    with pytest.raises(DBAPIError, match="append-only"):
        _raw(database, "UPDATE audit_events SET action = 'nothing'")
    with pytest.raises(DBAPIError, match="append-only"):
        _raw(database, "DELETE FROM audit_events")


def test_a_signed_session_record_cannot_be_changed(database: Database, admin: Actor) -> None:
    record_id = _signed_session(database, admin, _patient(database, admin))
    with pytest.raises(DBAPIError, match="amendment"):
        _raw(database, "UPDATE session_records SET nrs_after = 0 WHERE id = :id", id=record_id)
    with pytest.raises(DBAPIError, match="amendment"):
        _raw(database, "UPDATE session_points SET point_code = 'LI4' WHERE session_id = :id", id=record_id)
    with pytest.raises(DBAPIError, match="amendment"):
        _raw(database, "INSERT INTO session_points (session_id, point_code, side, technique, parameters) "
                       "VALUES (:id, 'SP6', 'left', 'manual', '{}')", id=record_id)
    with pytest.raises(DBAPIError, match="never deleted"):
        _raw(database, "DELETE FROM session_records WHERE id = :id", id=record_id)


def test_a_draft_session_record_can_still_be_edited(database: Database, admin: Actor) -> None:
    patient_id = _patient(database, admin)
    with database.write() as session:
        record = SessionRecord(patient_id=patient_id, practitioner_id=admin.user_id, session_at=NOW)
        session.add(record)
    _raw(database, "UPDATE session_records SET nrs_after = 3 WHERE id = :id", id=record.id)


def test_a_signed_intake_keeps_its_content_but_takes_a_referral_note(database: Database, admin: Actor) -> None:
    patient_id = _patient(database, admin)
    with database.write() as session:
        intake = Intake(patient_id=patient_id, recorded_by_id=admin.user_id, answers={"saddle_numbness": True},
                        rules_version="1", triage_level="EMERGENCY", status="signed", signed_at=NOW,
                        signed_by_id=admin.user_id)
        session.add(intake)
    _raw(database, "UPDATE intakes SET referral_action = 'Sent to A&E' WHERE id = :id", id=intake.id)
    with pytest.raises(DBAPIError, match="signed intake"):
        _raw(database, "UPDATE intakes SET triage_level = 'CLEAR' WHERE id = :id", id=intake.id)
    with pytest.raises(DBAPIError, match="signed intake"):
        _raw(database, "UPDATE intakes SET answers = '{}' WHERE id = :id", id=intake.id)


def test_patients_are_never_hard_deleted(database: Database, admin: Actor) -> None:
    patient_id = _patient(database, admin)
    with pytest.raises(DBAPIError, match="never deleted"):
        _raw(database, "DELETE FROM patients WHERE id = :id", id=patient_id)
    assert patients.get_patient(database, admin, patient_id).id == patient_id


def test_every_guard_trigger_exists_after_all_migrations(database: Database) -> None:
    """A later migration that rebuilds a table must recreate its guards (SQLite batch mode drops them)."""
    from acudesk.persistence.guards import guards

    dialect = database.engine.dialect.name
    if dialect == "postgresql":
        sql = ("SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
               "JOIN pg_namespace n ON n.oid = c.relnamespace "
               "WHERE NOT t.tgisinternal AND n.nspname = current_schema()")
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    with database.engine.connect() as connection:
        present = {row[0] for row in connection.execute(text(sql))}
    assert {guard.name for guard in guards(dialect)} <= present
