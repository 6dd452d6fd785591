"""A PostgreSQL server that restarts or a network that drops: the next save works, a cut save is
reported and leaves nothing half-written. (SQLite has no server; these run when one answers.)"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import create_engine, func, select, text

from acudesk.domain.errors import DatabaseError, ServerUnreachableError
from acudesk.domain.patients import PatientDetails
from acudesk.persistence import database as database_module
from acudesk.persistence.database import Database
from acudesk.persistence.models import AuditEvent, Patient
from acudesk.services import patients
from acudesk.services.context import Actor
from tests.conftest import POSTGRES_URL


@pytest.fixture
def server_database(database: Database) -> Iterator[Database]:
    """The test clinic opened by a second AcuDesk whose connections carry a name of their own, so the
    test cuts only those (other tests may share the server)."""
    if database.is_sqlite:
        pytest.skip("PostgreSQL only: SQLite has no server connection to lose")
    name = f"acudesk-drop-{uuid.uuid4().hex[:8]}"
    opened = Database.open(database.engine.url.update_query_dict({"application_name": name}))
    opened.application_name = name  # type: ignore[attr-defined]
    yield opened
    opened.dispose()


def _cut_connections(database: Database) -> int:
    """Terminate the server connections of ``database``, as a server restart or a network fault does."""
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            return len(list(connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"
            ), {"name": database.application_name})))  # type: ignore[attr-defined]
    finally:
        admin.dispose()


def _count(database: Database, model: type) -> int:
    with database.read() as tx:
        return tx.scalar(select(func.count()).select_from(model)) or 0


def test_after_the_server_restarts_the_next_save_just_works(
    server_database: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    patients.register_patient(server_database, admin, PatientDetails("Before", "Ada", date(1980, 1, 1)))
    assert _cut_connections(server_database) >= 1
    # A restart takes longer than the idle time after which a pooled connection is pinged first.
    monkeypatch.setattr(database_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    # The pool's connection is dead; the ping notices and reconnects: nobody sees an error.
    patients.register_patient(server_database, admin, PatientDetails("After", "Ada", date(1980, 1, 1)))
    assert _count(server_database, Patient) == 2


def test_a_drop_between_two_keystrokes_costs_one_quiet_read_and_nothing_more(server_database: Database,
                                                                              admin: Actor) -> None:
    """A connection used a moment ago is not pinged (the round trip is a third of a search). If the
    server went away just then, that one read fails as "server unreachable" (no box: ui/operations.py)
    and the pool is renewed, so the next read works."""
    patients.search_patients(server_database, admin, "a")
    assert _cut_connections(server_database) >= 1
    with pytest.raises(ServerUnreachableError):
        patients.search_patients(server_database, admin, "a")
    patients.search_patients(server_database, admin, "a")


def test_a_save_cut_in_the_middle_is_reported_and_nothing_of_it_is_kept(server_database: Database,
                                                                         admin: Actor) -> None:
    before_patients, before_events = _count(server_database, Patient), _count(server_database, AuditEvent)
    with pytest.raises(DatabaseError, match="does not answer") as caught:
        with server_database.write() as tx:
            tx.add(Patient(family_name="Halfway", given_name="Ada", family_key="halfway", given_key="ada",
                           date_of_birth=date(1980, 1, 1), archived=False))
            tx.flush()  # the row is on the server, not yet committed
            cutter = threading.Thread(target=_cut_connections, args=(server_database,))
            cutter.start()
            cutter.join()
    assert "nothing was saved" in str(caught.value)
    assert _count(server_database, Patient) == before_patients
    assert _count(server_database, AuditEvent) == before_events
