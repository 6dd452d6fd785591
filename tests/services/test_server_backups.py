"""``acudesk backup`` on a PostgreSQL server (pg_dump, custom format) and ``acudesk restore`` into an empty one.

Runs against a real server (tests/server_roles.py) with the PostgreSQL client tools on PATH; skipped
without them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from server_roles import ClinicServer, clinic_server
from sqlalchemy import func, select

from acudesk.cli import main
from acudesk.domain.backup_retention import backups_to_keep
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.models import AuditEvent, Patient
from acudesk.services import checkpoints, patients
from acudesk.services.backups import list_backups
from acudesk.services.clinic import create_clinic, default_actor
from acudesk.services.maintenance import open_database
from acudesk.services.server_backups import SUFFIX, backup_server_database

pytestmark = pytest.mark.skipif(shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
                                reason="the PostgreSQL client tools (pg_dump, pg_restore) are not on PATH")


ADMIN = ["--user", "admin"]  # `acudesk backup` signs in: the test clinic's administrator


@pytest.fixture(autouse=True)
def _admin_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACUDESK_PASSWORD", "correct horse battery")


@pytest.fixture
def server(test_setup) -> Iterator[ClinicServer]:
    """A clinic with two patients on a server set up with the two roles, used as the application role."""
    with clinic_server() as made:
        assert main(["--db", made.owner_url, "migrate"]) == 0
        assert main(["--db", made.owner_url, "grants", made.app, "--apply"]) == 0
        database = open_database(made.app_url)
        try:
            create_clinic(database, test_setup)
            actor = default_actor(database)
            for family in ("Hollis", "Iqbal"):
                patients.register_patient(database, actor, PatientDetails(family, "Test", date(1980, 1, 1)))
        finally:
            database.dispose()
        yield made


def _counts(url: str) -> tuple[int, int, list[str]]:
    database = open_database(url, upgrade=False)
    try:
        with database.read() as tx:
            return (tx.scalar(select(func.count(Patient.id))) or 0,
                    tx.scalar(select(func.count(AuditEvent.id))) or 0,
                    list(tx.scalars(select(AuditEvent.action).order_by(AuditEvent.id))))
    finally:
        database.dispose()


def test_backup_as_the_app_role_then_restore_into_an_empty_database(
    server: ClinicServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "server-backups"
    folder.mkdir()
    assert main([*ADMIN, "--db", server.app_url, "backup", str(folder)]) == 0
    out = capsys.readouterr().out
    [dump] = folder.glob("*.dump")
    assert checkpoints.read_sidecar(dump) is not None  # the checkpoint taken with it, beside it
    assert dump.name.startswith("acudesk-") and dump.suffix == SUFFIX and str(dump) in out
    assert dump.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    assert "pg_restore" in out
    patients_before, events_before, actions = _counts(server.app_url)
    assert actions[-2:] == ["backup", "logout"]  # audited after the dump was taken, then the sign-in ended

    assert main(["--db", server.owner_url, "restore", str(dump)]) == 2  # never over a clinic
    err = capsys.readouterr().err
    assert "only into an empty database" in err and "Nothing was changed" in err
    assert _counts(server.app_url)[1] == events_before

    empty = server.new_database(server.database + "_restored")
    restored_url = server.url(server.owner, empty)
    assert main(["--db", restored_url, "restore", str(dump)]) == 0
    out = capsys.readouterr().out
    assert "Audit trail intact" in out and f"{patients_before} patients" in out
    patients_after, events_after, actions_after = _counts(restored_url)
    assert patients_after == patients_before == 2
    assert events_after == events_before - 1  # all but its own backup event and the sign-out after it; + the restore
    assert actions_after[-1] == "restore"
    assert main(["--db", restored_url, "check"]) == 0
    # The dump carried the grants: the application role works on the restored database too.
    assert main(["--db", server.url(server.app, empty), "audit", "verify"]) == 0


def test_backups_into_a_folder_are_named_and_pruned_like_sqlite_ones(server: ClinicServer, tmp_path: Path) -> None:
    folder = tmp_path / "dumps"
    folder.mkdir()
    now = datetime(2027, 6, 30, 21, 0, tzinfo=UTC)
    old = [now - timedelta(days=n, hours=3) for n in range(1, 40)]
    for stamp in old:
        (folder / f"acudesk-{stamp:%Y%m%d-%H%M%S}.dump").write_bytes(b"old")
    unrelated = folder / "acudesk-20200101-000000.sqlite3"
    unrelated.write_bytes(b"an SQLite backup")
    database = open_database(server.app_url)
    try:
        written, pruned = backup_server_database(database, default_actor(database), folder, now=now)
    finally:
        database.dispose()
    assert written.name == "acudesk-20270630-210000.dump"
    keep = backups_to_keep([now, *old])
    assert {b.taken_at for b in list_backups(folder, SUFFIX)} == keep
    assert len(pruned) == len(old) + 1 - len(keep) > 0
    assert unrelated.exists()


def test_backup_to_a_new_file_and_refusals(server: ClinicServer, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "before-upgrade.dump"
    assert main([*ADMIN, "--db", server.app_url, "backup", str(file)]) == 0
    assert file.read_bytes().startswith(b"PGDMP")
    assert main([*ADMIN, "--db", server.app_url, "backup", str(file)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.partial"))

    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))
    monkeypatch.delenv("ACUDESK_PG_BIN", raising=False)
    assert main([*ADMIN, "--db", server.app_url, "backup", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "pg_dump was not found, so no PostgreSQL backup was made" in err and "ACUDESK_PG_BIN" in err
    assert not list(tmp_path.glob("acudesk-*.dump"))
