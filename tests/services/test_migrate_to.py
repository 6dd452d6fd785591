"""``acudesk migrate-to URL``: a demo clinic on SQLite moves onto an empty PostgreSQL database.

Every table arrives with its ids and row count, the audit chain verifies on the server, the signed
records stay locked by their triggers, new rows get fresh ids, and the SQLite file is only read (but for
the administrator's sign-in, which its audit trail records).
Runs against a real server (tests/server_roles.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from server_roles import ClinicServer, clinic_server
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from acudesk.cli import main
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.guards import SIGNED_INTAKE, SIGNED_SESSION
from acudesk.persistence.models import Base
from acudesk.services import patients
from acudesk.services.clinic import default_actor
from acudesk.services.demo import DEMO_PASSWORD, build_demo_clinic
from acudesk.services.maintenance import open_database

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module's own config folder: the demo's clinic key (made at set-up) lives there for all its tests."""
    return tmp_path_factory.mktemp("demo-config")


@pytest.fixture(autouse=True)
def _demo_clinic_key(demo_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(demo_config))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory, demo_config: Path) -> Path:
    path = tmp_path_factory.mktemp("demo") / "clinic.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(demo_config))
        database = open_database(path)
        build_demo_clinic(database, patients=40, today=TODAY)
        database.dispose()
    return path


ADMIN = ["--user", "mchen"]  # `acudesk migrate-to` signs in to the file: the demo clinic's administrator


@pytest.fixture(autouse=True)
def _admin_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACUDESK_PASSWORD", DEMO_PASSWORD)


@pytest.fixture
def server() -> Iterator[ClinicServer]:
    with clinic_server() as made:
        yield made


def _sqlite_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        return {t.name: connection.execute(f"SELECT count(*) FROM {t.name}").fetchone()[0]
                for t in Base.metadata.sorted_tables}


def _server_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {t.name: connection.execute(text(f"SELECT count(*) FROM {t.name}")).scalar_one()
                    for t in Base.metadata.sorted_tables}
    finally:
        engine.dispose()


def _refused(url: str, statement: str) -> str:
    engine = create_engine(url)
    try:
        with engine.begin() as connection, pytest.raises(DBAPIError) as refusal:
            connection.execute(text(statement))
    finally:
        engine.dispose()
    return str(refusal.value.orig)


def test_a_demo_clinic_moves_onto_an_empty_server(
    demo_file: Path, server: ClinicServer, capsys: pytest.CaptureFixture[str]
) -> None:
    counts = _sqlite_counts(demo_file)
    assert counts["patients"] == 40 and counts["session_points"] > 0 and counts["audit_events"] > 0

    assert main([*ADMIN, "--db", str(demo_file), "migrate-to", server.owner_url]) == 0
    out = capsys.readouterr().out
    assert "row count matches the file and the audit trail verifies" in out
    # The SQLite file was only read, but for the administrator's sign-in and sign-out, in its audit trail.
    after = _sqlite_counts(demo_file)
    assert after["audit_events"] == counts["audit_events"] + 2
    bookkeeping = ("audit_events", "change_log", "audit_checkpoints", "sign_in_sessions")  # the sign-in's own rows
    assert {name: n for name, n in after.items() if name not in bookkeeping} == {
        name: n for name, n in counts.items() if name not in bookkeeping}

    moved = _server_counts(server.owner_url)
    assert moved["audit_events"] == counts["audit_events"] + 2  # the file's events and sign-in, then the move
    assert {name: n for name, n in moved.items() if name not in bookkeeping} == {
        name: n for name, n in after.items() if name not in bookkeeping}
    # The workstations' role, once granted, finds the chain intact and can work.
    assert main(["--db", server.owner_url, "grants", server.app, "--apply"]) == 0
    assert main(["--db", server.app_url, "audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert f"{counts['audit_events'] + 2} events, every link verified" in out
    # The server's trail is anchored afresh under its own clinic identity; the file keeps its own.
    assert "the migrated checkpoint" in out

    # The guards are on again: a signed record and its needled points are locked, a signed intake too.
    signed = ("(SELECT id FROM session_records WHERE status = 'signed' ORDER BY id LIMIT 1)")
    assert SIGNED_SESSION in _refused(server.app_url, f"UPDATE session_records SET needles_out = 0 "
                                                      f"WHERE id = {signed}")
    assert SIGNED_SESSION in _refused(server.app_url, f"DELETE FROM session_points WHERE session_id = {signed}")
    assert SIGNED_INTAKE in _refused(server.app_url, "UPDATE intakes SET answers = '{}' WHERE status = 'signed'")
    assert "never deleted" in _refused(server.app_url, "DELETE FROM patients")

    # Sequences continue after the copied ids.
    database = open_database(server.app_url)
    try:
        added = patients.register_patient(database, default_actor(database),
                                          PatientDetails("Newcomer", "Ada", date(1990, 2, 3)))
    finally:
        database.dispose()
    assert added.id == counts["patients"] + 1

    # A second move onto the same (no longer empty) database is refused, and nothing changes.
    assert main([*ADMIN, "--db", str(demo_file), "migrate-to", server.owner_url]) == 2
    err = capsys.readouterr().err
    assert "already holds an AcuDesk clinic" in err and "nothing was changed" in err
    assert _server_counts(server.owner_url)["patients"] == counts["patients"] + 1


def test_a_database_holding_anything_else_is_refused(
    demo_file: Path, server: ClinicServer, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_engine(server.owner_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE invoices (id integer PRIMARY KEY)"))
    finally:
        engine.dispose()
    assert main([*ADMIN, "--db", str(demo_file), "migrate-to", server.owner_url]) == 2
    assert "tables that AcuDesk did not create" in capsys.readouterr().err


def test_the_move_needs_the_owner_role_and_a_server(
    demo_file: Path, server: ClinicServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*ADMIN, "--db", str(demo_file), "migrate-to", server.app_url]) == 2
    assert "owner role must run" in capsys.readouterr().err
    assert _server_counts_or_none(server.owner_url) is None  # nothing was created

    assert main([*ADMIN, "--db", str(demo_file), "migrate-to", str(tmp_path / "other.sqlite3")]) == 2
    assert "PostgreSQL server" in capsys.readouterr().err
    assert main(["--db", str(tmp_path / "missing.sqlite3"), "migrate-to", server.owner_url]) == 2
    assert "does not exist" in capsys.readouterr().err


def _server_counts_or_none(url: str) -> dict[str, int] | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = connection.execute(text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")).scalar_one()
    finally:
        engine.dispose()
    return None if tables == 0 else _server_counts(url)
