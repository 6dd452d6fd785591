"""A read unit of work never writes: on PostgreSQL reads run in autocommit, where a flushed change
would be saved at once, unchecked and unaudited. So a flush inside ``Database.read()`` is refused."""

from __future__ import annotations

from datetime import date

import pytest

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.persistence.models import Patient
from acudesk.services import patients
from acudesk.services.context import Actor


def test_a_change_made_inside_a_read_is_refused_and_never_saved(database: Database, admin: Actor) -> None:
    patient_id = patients.register_patient(database, admin, PatientDetails("Ashdown", "Bea", date(1990, 3, 3))).id
    with pytest.raises(RuntimeError, match="read unit of work"), database.read() as tx:
        row = tx.get(Patient, patient_id)
        assert row is not None
        row.family_name = "Changed"
        tx.flush()
    assert patients.get_patient(database, admin, patient_id).details.family_name == "Ashdown"


def test_reads_on_postgresql_send_no_begin_or_rollback(database: Database, admin: Actor) -> None:
    """Two of a keystroke search's round trips (docs/performance.md, "Round two")."""
    if database.is_sqlite:
        pytest.skip("SQLite reads keep their deferred BEGIN: it is local, and WAL needs no more")
    with database.read() as tx:
        assert tx.connection().connection.dbapi_connection.autocommit is True  # type: ignore[union-attr]
