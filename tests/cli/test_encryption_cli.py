"""``acudesk encrypt`` / ``decrypt`` and the commands on an encrypted clinic, through ``acudesk.cli.main``
(docs/security.md, "Encryption at rest")."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from acudesk.cli import main
from acudesk.persistence.encryption import keys_path
from acudesk.services import auth
from acudesk.services.maintenance import SQLITE_MAGIC, open_database

ADMIN_PASSWORD = "correct horse battery"
RECEPTION_PASSWORD = "front desk password"


@pytest.fixture
def clinic(clinic_file: Path) -> Path:
    database = open_database(clinic_file)
    admin = auth.sign_in(database, "admin", ADMIN_PASSWORD)
    auth.create_user(database, admin, "frontdesk", "Front Desk", ("receptionist",), RECEPTION_PASSWORD)
    database.dispose()
    return clinic_file


def _as(monkeypatch: pytest.MonkeyPatch, password: str) -> None:
    monkeypatch.setenv("ACUDESK_PASSWORD", password)


def test_encrypt_needs_an_administrator(clinic, monkeypatch, capsys) -> None:
    _as(monkeypatch, RECEPTION_PASSWORD)
    assert main(["--db", str(clinic), "--user", "frontdesk", "encrypt"]) == 2
    assert "Your role does not allow you to" in capsys.readouterr().err
    assert main(["--db", str(clinic), "encrypt"]) == 2  # no --user: refused before anything is read
    assert "sign in with --user NAME" in capsys.readouterr().err
    assert clinic.read_bytes().startswith(SQLITE_MAGIC) and not keys_path(clinic).exists()


def test_encrypt_then_work_then_decrypt_on_the_command_line(clinic, monkeypatch, capsys, tmp_path) -> None:
    _as(monkeypatch, ADMIN_PASSWORD)
    assert main(["--db", str(clinic), "--user", "admin", "encrypt"]) == 0
    out = capsys.readouterr().out
    kept = next(p for p in clinic.parent.iterdir() if ".unencrypted-" in p.name)
    assert f"kept as {kept}" in out and "UNENCRYPTED" in out and "resets their password" in out
    assert not clinic.read_bytes().startswith(SQLITE_MAGIC) and keys_path(clinic).is_file()
    with closing(sqlite3.connect(clinic)) as connection, pytest.raises(sqlite3.DatabaseError):
        connection.execute("SELECT * FROM patients").fetchall()

    # A wrong password, and a colleague with no key yet, are refused with one line each.
    _as(monkeypatch, "not the password")
    assert main(["--db", str(clinic), "--user", "admin", "backup", str(tmp_path / "b.sqlite3")]) == 2
    assert capsys.readouterr().err == "acudesk: The user name or password is not right.\n"
    _as(monkeypatch, RECEPTION_PASSWORD)
    assert main(["--db", str(clinic), "--user", "frontdesk", "export", "daylist", "--date", "2026-12-01",
                 "--out", str(tmp_path / "d.pdf")]) == 2
    err = capsys.readouterr().err
    assert "has no key to this encrypted clinic" in err and "reset this user's password" in err
    # Commands that sign in work on it; the backup is encrypted too, its keys file beside it.
    _as(monkeypatch, ADMIN_PASSWORD)
    backup = tmp_path / "b.sqlite3"
    assert main(["--db", str(clinic), "--user", "admin", "backup", str(backup)]) == 0
    assert not backup.read_bytes().startswith(SQLITE_MAGIC) and keys_path(backup).is_file()
    # ... and restores over the encrypted clinic, for its administrator.
    assert main(["--db", str(clinic), "--user", "admin", "restore", str(backup)]) == 0
    assert "The previous file was kept as" in capsys.readouterr().out
    assert not clinic.read_bytes().startswith(SQLITE_MAGIC)
    # Without a sign-in the command line cannot read it: check says so on one line; migrate-to asks to decrypt.
    assert main(["--db", str(clinic), "check"]) == 2
    assert "is encrypted" in capsys.readouterr().err
    assert main(["--db", str(clinic), "--user", "admin", "migrate-to", "postgresql+psycopg://nobody@127.0.0.1/x"]) == 2
    assert "decrypt it first" in capsys.readouterr().err

    assert main(["--db", str(clinic), "--user", "admin", "decrypt"]) == 0
    out = capsys.readouterr().out
    assert "plain SQLite file again" in out and ".encrypted-" in out
    assert clinic.read_bytes().startswith(SQLITE_MAGIC) and not keys_path(clinic).exists()
    assert main(["--db", str(clinic), "check"]) == 0
