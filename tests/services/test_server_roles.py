"""Least privilege on a real PostgreSQL server: the owner role migrates, the application role only uses rows.

Runs when ACUDESK_TEST_DATABASE_URL names a superuser on a running server (tests/server_roles.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from server_roles import ClinicServer, clinic_server
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from acudesk.cli import main
from acudesk.domain.errors import DatabaseError
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.migrations import KNOWN_REVISIONS, SCHEMA_HEAD, alembic_config
from acudesk.services import courses, patients
from acudesk.services.clinic import create_clinic, default_actor
from acudesk.services.courses import BookingRequest
from acudesk.services.maintenance import open_database


@pytest.fixture
def server() -> Iterator[ClinicServer]:
    with clinic_server() as made:
        yield made


def _refused(url: str, statement: str) -> str:
    """Run ``statement`` as the role of ``url``; it must fail. Returns the server's message."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection, pytest.raises(DBAPIError) as refusal:
            connection.execute(text(statement))
    finally:
        engine.dispose()
    return str(refusal.value.orig)


def _revision(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()


def test_the_app_role_uses_rows_and_cannot_touch_the_schema_or_the_audit_trail(
    server: ClinicServer, capsys: pytest.CaptureFixture[str], test_setup
) -> None:
    # An empty database: the application role is told who must create the schema, and creates nothing.
    with pytest.raises(DatabaseError) as empty:
        open_database(server.app_url)
    assert "is empty" in empty.value.message and "owner role must run 'acudesk --db OWNER_URL migrate'" in (
        empty.value.message)

    assert main(["--db", server.owner_url, "migrate"]) == 0
    assert f"Schema created to {SCHEMA_HEAD}" in capsys.readouterr().out
    assert main(["--db", server.owner_url, "grants", server.app, "--apply"]) == 0
    assert "rows-only access" in capsys.readouterr().out

    # The application role runs the clinic: set-up, a patient, a course of visits.
    database = open_database(server.app_url)
    try:
        create_clinic(database, test_setup)
        actor = default_actor(database)
        details = PatientDetails("Quill", "Nora", date(1979, 5, 14), phone="07700 900321",
                                 consent_to_treatment=True, consent_date=date(2026, 1, 5))
        patient = patients.register_patient(database, actor, details).id
        booked = courses.book_course(database, actor, BookingRequest(patient, actor.user_id, 1,
                                                                     datetime(2027, 3, 1, 10), "weekly x3"))
        assert len(booked.appointment_ids) == 3
    finally:
        database.dispose()
    assert main(["--db", server.app_url, "audit", "verify"]) == 0
    # A workstation's check runs with rows-only rights on this hardened server (no TEMPORARY either): it
    # finds every rule present and says it left their definitions to a check as the owner role.
    capsys.readouterr()
    assert main(["--db", server.app_url, "check"]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert "database rules: all present (definitions: see the note below)" in out
    assert "note: rule definitions not compared" in out
    assert main(["--db", server.owner_url, "check"]) == 0
    assert "note:" not in capsys.readouterr().out

    # ... and cannot change the schema, the guards or the audit trail.
    app = server.app_url
    assert "must be owner" in _refused(app, "DROP TRIGGER audit_events_no_update ON audit_events")
    assert "must be owner" in _refused(app, "ALTER TABLE audit_events DISABLE TRIGGER USER")
    assert "must be owner" in _refused(app, "ALTER TABLE audit_events ADD COLUMN note text")
    assert "must be owner" in _refused(app, "DROP TABLE session_records")
    assert "permission denied" in _refused(app, "TRUNCATE audit_events")
    assert "permission denied" in _refused(app, "TRUNCATE patients")
    assert "permission denied" in _refused(app, "UPDATE audit_events SET action = 'nothing happened'")
    assert "permission denied" in _refused(app, "DELETE FROM audit_events")
    assert "permission denied" in _refused(app, "UPDATE flag_clearances SET what_changed = ''")  # red-flag clearances
    assert "permission denied" in _refused(app, "DELETE FROM flag_clearances")
    assert "permission denied" in _refused(app, "UPDATE alembic_version SET version_num = '0001'")
    assert "permission denied" in _refused(app, "CREATE TABLE my_notes (id integer)")
    assert "permission denied" in _refused(app, "CREATE TRIGGER t BEFORE UPDATE ON patients FOR EACH ROW "
                                                "EXECUTE FUNCTION acudesk_refuse('x')")
    # Even the owner, who may, finds the audit trail append-only: that is the guard triggers' work.
    assert "append-only" in _refused(server.owner_url, "UPDATE audit_events SET action = 'nothing happened'")


def test_an_out_of_date_schema_is_left_to_the_owner_role(server: ClinicServer, capsys: pytest.CaptureFixture[str],
                                                          test_setup) -> None:
    from alembic import command

    from acudesk.persistence.database import Database

    older = KNOWN_REVISIONS[-2]
    owner = Database.open(server.owner_url)
    try:
        config = alembic_config(owner)
        with owner.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, older)
    finally:
        owner.dispose()
    assert main(["--db", server.owner_url, "grants", server.app, "--apply"]) == 0

    with pytest.raises(DatabaseError) as behind:
        open_database(server.app_url)
    assert f"uses schema {older} and this AcuDesk needs {SCHEMA_HEAD}" in behind.value.message
    assert "owner role must run 'acudesk --db OWNER_URL migrate'" in behind.value.message
    assert _revision(server.owner_url) == older  # the application role did not try

    capsys.readouterr()
    assert main(["--db", server.app_url, "migrate"]) == 2  # the command refuses the app role the same way
    assert "owner role must run" in capsys.readouterr().err
    assert main(["--db", server.owner_url, "migrate"]) == 0
    assert f"upgraded from {older} to {SCHEMA_HEAD}" in capsys.readouterr().out
    assert main(["--db", server.owner_url, "migrate"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["--db", server.owner_url, "grants", server.app, "--apply"]) == 0

    database = open_database(server.app_url)  # up to date: opens without trying to migrate
    try:
        create_clinic(database, test_setup)
    finally:
        database.dispose()


def test_the_printed_grants_are_the_applied_ones(server: ClinicServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", server.owner_url, "migrate"]) == 0
    capsys.readouterr()
    assert main(["grants", server.app, "--owner", server.owner]) == 0
    script = capsys.readouterr().out
    assert script.startswith("-- AcuDesk") and "ALTER DEFAULT PRIVILEGES" in script
    engine = create_engine(server.owner_url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(script)  # as psql would run it: BEGIN … COMMIT
            connection.commit()
            # Tables a later migration creates are covered by the default privileges.
            connection.execute(text("CREATE TABLE later_table (id serial PRIMARY KEY, note text)"))
            connection.commit()
    finally:
        engine.dispose()
    app = create_engine(server.app_url)
    try:
        with app.begin() as connection:
            connection.execute(text("INSERT INTO later_table (note) VALUES ('covered')"))
            assert connection.execute(text("SELECT count(*) FROM later_table")).scalar() == 1
    finally:
        app.dispose()


def test_grants_refuse_the_wrong_roles(server: ClinicServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", server.owner_url, "grants", server.app, "--apply"]) == 2
    assert "run 'acudesk --db OWNER_URL migrate' first" in capsys.readouterr().err
    assert main(["--db", server.owner_url, "migrate"]) == 0
    capsys.readouterr()
    assert main(["--db", server.app_url, "grants", server.app, "--apply"]) == 2
    assert "does not own AcuDesk's tables" in capsys.readouterr().err
    assert main(["--db", server.owner_url, "grants", server.owner, "--apply"]) == 2
    assert "Create a separate login role" in capsys.readouterr().err
    assert main(["--db", server.owner_url, "grants", "nobody_by_that_name", "--apply"]) == 2
    assert "There is no role 'nobody_by_that_name'" in capsys.readouterr().err
