"""Automatic backups, retention, restore that never destroys, and the start-up health check."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from acudesk.cli import main
from acudesk.domain.errors import DatabaseError
from acudesk.domain.patients import PatientDetails
from acudesk.services import backups, patients
from acudesk.services.clinic import ClinicSetup, create_clinic, default_actor
from acudesk.services.maintenance import open_database

T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def clinic(tmp_path: Path, test_setup: ClinicSetup):
    path = tmp_path / "clinic.sqlite3"
    database = open_database(path)
    create_clinic(database, test_setup)
    yield database, path
    database.dispose()


def _register(database, name: str) -> int:
    return patients.register_patient(database, default_actor(database),
                                     PatientDetails(name, "Test", date(1980, 1, 1))).id


def _patients_in(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT COUNT(*) FROM patients").fetchone()[0]


def test_a_change_is_backed_up_and_the_backup_verifies(clinic) -> None:
    database, path = clinic
    _register(database, "Hollis")
    written = backups.automatic_backup(database, default_actor(database), now=T0)
    assert written is not None and written.parent == backups.backup_folder(path)
    assert _patients_in(written) == 1
    assert backups.health_problems(written) == []


def test_no_backup_without_a_change_or_within_thirty_minutes(clinic) -> None:
    database, _path = clinic
    actor = default_actor(database)
    _register(database, "Hollis")
    assert backups.automatic_backup(database, actor, now=T0) is not None
    assert backups.automatic_backup(database, actor, now=T0 + timedelta(hours=2)) is None  # nothing changed
    _register(database, "Iqbal")
    assert backups.automatic_backup(database, actor, now=T0 + timedelta(minutes=10)) is None  # too soon
    assert backups.automatic_backup(database, actor, now=T0 + timedelta(minutes=10), on_close=True) is not None


def test_retention_prunes_old_automatic_backups(clinic) -> None:
    database, path = clinic
    for day in range(20):
        _register(database, f"Patient{day}")
        backups.automatic_backup(database, default_actor(database), now=T0 + timedelta(days=day))
    kept = backups.list_backups(backups.backup_folder(path))
    assert len(kept) < 20
    assert kept[0].taken_at == T0 + timedelta(days=19)


def test_restore_puts_the_backup_in_place_and_keeps_the_old_file(clinic) -> None:
    database, path = clinic
    actor = default_actor(database)
    _register(database, "Hollis")
    backup = backups.automatic_backup(database, actor, now=T0)
    _register(database, "Iqbal")
    database.dispose()
    aside = backups.restore_backup(actor, backup, path)
    assert aside is not None and aside.exists() and _patients_in(aside) == 2
    assert _patients_in(path) == 1
    reopened = open_database(path)
    with reopened.read() as session:
        assert session.execute(text("SELECT action FROM audit_events ORDER BY id DESC")).first()[0] == "restore"
    reopened.dispose()


def test_a_damaged_backup_is_not_restored(clinic, tmp_path: Path) -> None:
    database, path = clinic
    bad = tmp_path / "acudesk-20260101-000000.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(DatabaseError):
        backups.restore_backup(default_actor(database), bad, path)
    assert backups.health_problems(path) == []


def _untouched(path: Path, patients_before: int) -> None:
    """The database in use is where it was, as it was, with nothing staged left beside it."""
    assert path.is_file() and _patients_in(path) == patients_before
    assert [p.name for p in path.parent.iterdir() if ".restoring-" in p.name or ".replaced-" in p.name] == []


def test_restoring_the_database_onto_itself_is_refused_and_changes_nothing(clinic) -> None:
    database, path = clinic
    _register(database, "Hollis")
    actor = default_actor(database)
    database.dispose()
    with pytest.raises(DatabaseError, match="is the database in use"):
        backups.restore_backup(actor, path, path)
    _untouched(path, 1)


def test_a_sqlite_file_that_is_not_an_acudesk_database_is_refused_before_anything_moves(
    clinic, tmp_path: Path
) -> None:
    database, path = clinic
    _register(database, "Hollis")
    actor = default_actor(database)
    database.dispose()
    foreign = tmp_path / "recipes.sqlite3"
    with closing(sqlite3.connect(foreign)) as connection, connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
        connection.execute("INSERT INTO recipes VALUES ('soup')")
    with pytest.raises(DatabaseError, match="not an AcuDesk database"):
        backups.restore_backup(actor, foreign, path)
    _untouched(path, 1)


def test_a_backup_whose_audit_trail_was_altered_is_refused(clinic) -> None:
    database, path = clinic
    actor = default_actor(database)
    _register(database, "Hollis")
    backup = backups.automatic_backup(database, actor, now=T0)
    _register(database, "Iqbal")
    database.dispose()
    with closing(sqlite3.connect(backup)) as connection, connection:
        connection.execute("DROP TRIGGER audit_events_no_update")
        connection.execute("UPDATE audit_events SET action = 'nothing' WHERE id = 1")
    with pytest.raises(DatabaseError, match="audit trail .* is broken at event 1"):
        backups.restore_backup(actor, backup, path)
    _untouched(path, 2)


def test_start_up_check_finds_damage_and_offers_the_newest_good_backup(clinic) -> None:
    database, path = clinic
    for n in range(50):
        _register(database, f"Person{n}")
    backup = backups.automatic_backup(database, default_actor(database), now=T0)
    database.dispose()
    with sqlite3.connect(path) as connection:  # checkpoint so the damage lands in the main file
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    for offset in range(4096, len(data), 4096):
        data[offset + 8: offset + 100] = b"\x7f" * 92
    path.write_bytes(bytes(data))
    with pytest.raises(backups.DamagedDatabaseError) as caught:
        backups.check_health(path)
    assert caught.value.backups and caught.value.backups[0].path == backup
    assert "damaged" in caught.value.message
    assert path.read_bytes() == bytes(data)  # untouched


def test_cli_lists_and_restores_backups(clinic, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    database, path = clinic
    _register(database, "Hollis")
    backup = backups.automatic_backup(database, default_actor(database), now=T0)
    database.dispose()
    assert main(["--db", str(path), "restore", "--list"]) == 0  # file names only: no sign-in
    assert backup.name in capsys.readouterr().out
    assert main(["--db", str(path), "restore", str(backup)]) == 2  # restoring over a healthy file signs in
    assert "--user NAME" in capsys.readouterr().err
    monkeypatch.setenv("ACUDESK_PASSWORD", "correct horse battery")
    assert main(["--db", str(path), "--user", "admin", "restore", str(backup)]) == 0
    assert "previous file was kept" in capsys.readouterr().out


def test_audit_verify_finds_the_first_broken_link(clinic, capsys: pytest.CaptureFixture[str]) -> None:
    database, path = clinic
    for name in ("Hollis", "Iqbal", "Jablonski"):
        _register(database, name)
    database.dispose()
    assert main(["--db", str(path), "audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out
    with sqlite3.connect(path) as connection:  # an attacker with file access bypasses the trigger
        connection.execute("DROP TRIGGER audit_events_no_update")
        connection.execute("UPDATE audit_events SET action = 'read' WHERE id = 3")
    assert main(["--db", str(path), "audit", "verify"]) == 1
    assert "BROKEN at event 3" in capsys.readouterr().out


def _last_event(path: Path) -> tuple[str, int | None, str]:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT action, user_id, detail FROM audit_events ORDER BY id DESC").fetchone()


def test_backups_are_audited_with_the_person_signed_in(clinic, tmp_path: Path) -> None:
    from acudesk.services.maintenance import backup_database

    database, path = clinic
    actor = default_actor(database)
    _register(database, "Hollis")
    backups.automatic_backup(database, actor, now=T0)
    assert _last_event(path)[:2] == ("backup", actor.user_id)
    backup_database(database, actor, tmp_path / "copy.sqlite3")
    assert _last_event(path)[:2] == ("backup", actor.user_id)


def test_a_restore_by_an_account_newer_than_the_backup_keeps_its_name(clinic) -> None:
    from acudesk.services import auth
    from acudesk.services.clinic import actor_for

    database, path = clinic
    _register(database, "Hollis")
    backup = backups.automatic_backup(database, default_actor(database), now=T0)
    auth.create_user(database, default_actor(database), "newboss", "New Boss", ("administrator",),
                     "correct horse battery")
    newcomer = actor_for(database, "newboss")
    database.dispose()
    backups.restore_backup(newcomer, backup, path)
    action, user_id, detail = _last_event(path)
    assert (action, user_id) == ("restore", None) and '"restored_by": "newboss"' in detail


def test_the_actorless_restore_refuses_a_healthy_file(clinic) -> None:
    from acudesk.domain.errors import PermissionDeniedError

    database, path = clinic
    _register(database, "Hollis")
    backup = backups.automatic_backup(database, default_actor(database), now=T0)
    database.dispose()
    with pytest.raises(PermissionDeniedError):
        backups.restore_damaged_database(backup, path)


def test_a_damaged_file_is_restored_with_no_actor_and_says_so(clinic, capsys: pytest.CaptureFixture[str]) -> None:
    database, path = clinic
    _register(database, "Hollis")
    backup = backups.automatic_backup(database, default_actor(database), now=T0)
    database.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path.write_bytes(b"SQLite format 3\x00" + b"\x13" * 8000)
    assert backups.missing_or_damaged(path)
    assert main(["--db", str(path), "restore", str(backup)]) == 0
    assert "previous file was kept" in capsys.readouterr().out
    action, user_id, detail = _last_event(path)
    assert (action, user_id) == ("restore", None) and '"damaged": true' in detail
