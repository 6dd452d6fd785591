"""A write that loses the race at the database itself (``StaleDataError``) becomes one ``ConflictError``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from acudesk.domain.errors import ConflictError
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import STALE_MESSAGE, Database
from acudesk.persistence.models import Patient
from acudesk.services import patients
from acudesk.services.context import Actor

ALICE = PatientDetails("Ashworth", "Alice", date(1980, 3, 14))


def _bump_version(session: Session, patient_id: int) -> None:
    """What a colleague's save does between our version check and our write."""
    session.execute(text("UPDATE patients SET version = version + 1 WHERE id = :id"), {"id": patient_id})


def test_a_stale_row_in_any_write_is_a_conflict_and_nothing_is_saved(database: Database, admin: Actor) -> None:
    record = patients.register_patient(database, admin, ALICE)
    with pytest.raises(ConflictError) as raised, database.write() as session:
        patient = session.get(Patient, record.id)
        assert patient is not None
        _bump_version(session, record.id)
        patient.address = "1 High St"
    assert str(raised.value) == STALE_MESSAGE
    assert patients.get_patient(database, admin, record.id).details.address == ""


def test_a_service_that_loses_the_race_after_its_version_check_gets_the_same_conflict(
    database: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = patients.register_patient(database, admin, ALICE)
    load = patients._load_for_change

    def load_then_lose_the_race(session: Session, patient_id: int, expected_version: int) -> Patient:
        patient = load(session, patient_id, expected_version)
        _bump_version(session, patient_id)
        return patient

    monkeypatch.setattr(patients, "_load_for_change", load_then_lose_the_race)
    with pytest.raises(ConflictError, match="Someone else saved changes"):
        patients.update_patient(database, admin, record.id, replace(record.details, address="2 Low Rd"),
                                expected_version=record.version)
    assert patients.get_patient(database, admin, record.id).details.address == ""
