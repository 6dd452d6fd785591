"""A full disk or a read-only file: a plain message, and nothing half-written."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event

from acudesk.domain.errors import DatabaseError
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.services import patients
from acudesk.services.clinic import ClinicSetup, create_clinic, default_actor
from acudesk.services.maintenance import open_database


@pytest.fixture
def clinic_file(tmp_path: Path, test_setup: ClinicSetup) -> Path:
    path = tmp_path / "clinic.sqlite3"
    database = open_database(path)
    create_clinic(database, test_setup)
    database.dispose()
    return path


def _count(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT COUNT(*) FROM patients").fetchone()[0]


def test_a_full_disk_is_reported_plainly_and_nothing_is_saved(clinic_file: Path) -> None:
    database = Database.open(clinic_file)
    actor = default_actor(database)

    @event.listens_for(database.engine, "connect")
    def _tiny_disk(dbapi_connection, _record) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    database.engine.dispose()  # reconnect with the limit in place
    huge = PatientDetails("Featherstone", "Greta", date(1950, 2, 2), address="x" * 200_000)
    with pytest.raises(DatabaseError, match="disk is full"):
        patients.register_patient(database, actor, huge)
    database.dispose()
    assert _count(clinic_file) == 0


def test_a_read_only_database_is_reported_plainly(clinic_file: Path) -> None:
    writable = Database.open(clinic_file)
    actor = default_actor(writable)  # a sign-in is written, so it is made where writing works
    database = Database.open(f"sqlite+pysqlite:///file:{clinic_file}?mode=ro&uri=true")
    with pytest.raises(DatabaseError, match="read-only"):
        patients.register_patient(database, actor, PatientDetails("Ingleby", "Rhys", date(1988, 3, 3)))
    database.dispose()
    writable.dispose()
    assert _count(clinic_file) == 0
