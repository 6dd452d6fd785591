"""Encryption at rest (issue 16): a stolen clinic file is unreadable without a password, sign-in unlocks it,
passwords re-wrap the same key without re-encrypting the file, and backups stay encrypted.
docs/security.md, "Encryption at rest", names each promise these tests prove."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from acudesk.domain.errors import DatabaseError
from acudesk.domain.patients import PatientDetails
from acudesk.persistence import encryption as keys
from acudesk.persistence.database import Database
from acudesk.persistence.models import AuditEvent, User
from acudesk.services import auth, backups, encryption, patients
from acudesk.services.auth import AuthenticationError
from acudesk.services.clinic import create_clinic
from acudesk.services.maintenance import SQLITE_MAGIC, open_database

ADMIN_PASSWORD = "correct horse battery"
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


@pytest.fixture
def plain_clinic(tmp_path: Path, test_setup) -> Path:
    """The test clinic with one patient, Hollis, and a practitioner, 'bob', made before encryption."""
    path = tmp_path / "clinic.sqlite3"
    database = open_database(path)
    admin = create_clinic(database, test_setup)
    admin = auth.sign_in(database, "admin", ADMIN_PASSWORD)
    patients.register_patient(database, admin, PatientDetails("Hollis", "Wintermute", date(1980, 1, 1)))
    auth.create_user(database, admin, "bob", "Bob Practitioner", ("practitioner",), "bob's password")
    database.dispose()
    return path


@pytest.fixture
def encrypted_clinic(plain_clinic: Path) -> Path:
    signed_in = encryption.open_signed_in(plain_clinic, "admin", ADMIN_PASSWORD)
    encryption.encrypt_clinic(signed_in.database, signed_in.actor, ADMIN_PASSWORD)
    return plain_clinic


def _patient_count(database: Database) -> int:
    with database.read() as tx:
        return len(tx.execute(select(AuditEvent.id).where(AuditEvent.action == "create",
                                                          AuditEvent.entity == "patient")).all())


def _events(database: Database, action: str) -> list[str | None]:
    with database.read() as tx:
        rows = tx.execute(select(User.username).select_from(AuditEvent).outerjoin(User, User.id == AuditEvent.user_id)
                          .where(AuditEvent.action == action).order_by(AuditEvent.id))
        return [name for (name,) in rows]


def test_an_encrypted_clinic_file_is_unreadable_without_a_password(encrypted_clinic: Path) -> None:
    data = encrypted_clinic.read_bytes()
    assert not data.startswith(SQLITE_MAGIC)
    assert b"Wintermute" not in data and b"admin" not in data  # no patient name, no user name in the clear
    with closing(sqlite3.connect(encrypted_clinic)) as connection, pytest.raises(sqlite3.DatabaseError):
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    with pytest.raises(DatabaseError):  # a key that is not its key
        Database.open(encrypted_clinic, key=keys.new_database_key()).engine.connect()
    with pytest.raises(encryption.EncryptedDatabaseError):  # the app's ordinary opening asks for a sign-in
        open_database(encrypted_clinic)
    # The keys file beside it: the owner's alone, and the key is in it only wrapped.
    keys_file = keys.keys_path(encrypted_clinic)
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    document = json.loads(keys_file.read_text(encoding="utf-8"))
    assert list(document["users"]) == ["admin"]
    wrap = document["users"]["admin"][0]
    assert (wrap["kdf"], wrap["cipher"], wrap["memory_kib"]) == ("argon2id", "aes-256-gcm", keys.KDF_MEMORY_KIB)
    key = encryption.unlock(encrypted_clinic, "admin", ADMIN_PASSWORD)
    assert key.hex() not in keys_file.read_text(encoding="utf-8")


def test_sign_in_unlocks_it_and_a_wrong_password_is_refused(encrypted_clinic: Path) -> None:
    with pytest.raises(AuthenticationError, match="not right"):
        encryption.open_signed_in(encrypted_clinic, "admin", "not the password")
    keys_file = keys.keys_path(encrypted_clinic)
    before = (keys_file.stat().st_ino, keys_file.stat().st_mtime_ns)
    signed_in = encryption.open_signed_in(encrypted_clinic, "admin", ADMIN_PASSWORD)
    assert (keys_file.stat().st_ino, keys_file.stat().st_mtime_ns) == before  # a sign-in does not rewrite it
    try:
        assert signed_in.actor.username == "admin"
        assert _patient_count(signed_in.database) == 1
        assert _events(signed_in.database, "encrypt") == ["admin"]
        assert _events(signed_in.database, "logout") == ["admin"]  # encrypt's own sign-in ended in the new file
        assert _events(signed_in.database, "login")[-1] == "admin"
    finally:
        signed_in.database.dispose()


def test_a_wrap_cannot_be_moved_to_another_user_name(encrypted_clinic: Path) -> None:
    keys_file = keys.KeysFile.read(keys.keys_path(encrypted_clinic))
    keys_file.users["bob"] = keys_file.users["admin"]
    keys_file.write()
    with pytest.raises(AuthenticationError, match="not right"):
        encryption.unlock(encrypted_clinic, "bob", ADMIN_PASSWORD)


def test_a_password_change_rewraps_the_same_key_and_does_not_re_encrypt_the_file(encrypted_clinic: Path) -> None:
    key = encryption.unlock(encrypted_clinic, "admin", ADMIN_PASSWORD)
    inode, salt = encrypted_clinic.stat().st_ino, encrypted_clinic.read_bytes()[:16]  # SQLCipher's per-file salt
    signed_in = encryption.open_signed_in(encrypted_clinic, "admin", ADMIN_PASSWORD)
    auth.change_password(signed_in.database, signed_in.actor, ADMIN_PASSWORD, "a brand new password")
    signed_in.database.dispose()
    assert encrypted_clinic.stat().st_ino == inode and encrypted_clinic.read_bytes()[:16] == salt
    assert encryption.unlock(encrypted_clinic, "admin", "a brand new password") == key
    assert len(keys.KeysFile.read(keys.keys_path(encrypted_clinic)).users["admin"]) == 1  # the old wrap is gone
    with pytest.raises(AuthenticationError):
        encryption.unlock(encrypted_clinic, "admin", ADMIN_PASSWORD)
    encryption.open_signed_in(encrypted_clinic, "admin", "a brand new password").database.dispose()


def test_a_colleague_needs_a_password_reset_after_encrypt(encrypted_clinic: Path) -> None:
    with pytest.raises(AuthenticationError, match="administrator must reset this user's password"):
        encryption.open_signed_in(encrypted_clinic, "bob", "bob's password")
    admin = encryption.open_signed_in(encrypted_clinic, "admin", ADMIN_PASSWORD)
    bob_id = next(user.id for user in auth.list_users(admin.database, admin.actor) if user.username == "bob")
    auth.reset_password(admin.database, admin.actor, bob_id, "bob's new password")
    auth.create_user(admin.database, admin.actor, "carol", "Carol Reception", ("receptionist",), "carol's password")
    admin.database.dispose()
    for name, password in (("bob", "bob's new password"), ("carol", "carol's password")):
        signed_in = encryption.open_signed_in(encrypted_clinic, name, password)
        assert signed_in.actor.username == name
        signed_in.database.dispose()


def test_decrypt_gives_back_a_plain_sqlite_file_and_keeps_the_encrypted_one(encrypted_clinic: Path) -> None:
    signed_in = encryption.open_signed_in(encrypted_clinic, "admin", ADMIN_PASSWORD)
    swapped = encryption.decrypt_clinic(signed_in.database, signed_in.actor, ADMIN_PASSWORD)
    assert encrypted_clinic.read_bytes().startswith(SQLITE_MAGIC)
    assert not keys.keys_path(encrypted_clinic).exists()
    assert not swapped.previous_kept_as.read_bytes().startswith(SQLITE_MAGIC)
    assert keys.keys_path(swapped.previous_kept_as).is_file()  # the kept file still opens
    with closing(sqlite3.connect(encrypted_clinic)) as connection:
        assert connection.execute("SELECT count(*) FROM patients").fetchone()[0] == 1
    database = open_database(encrypted_clinic)
    try:
        assert _events(database, "encrypt") == ["admin"] and _events(database, "decrypt") == ["admin"]
    finally:
        database.dispose()


def test_only_an_administrator_encrypts_and_with_their_own_password(plain_clinic: Path) -> None:
    from acudesk.domain.errors import PermissionDeniedError

    bob = encryption.open_signed_in(plain_clinic, "bob", "bob's password")
    with pytest.raises(PermissionDeniedError):
        encryption.encrypt_clinic(bob.database, bob.actor, "bob's password")
    bob.database.dispose()
    admin = encryption.open_signed_in(plain_clinic, "admin", ADMIN_PASSWORD)
    with pytest.raises(AuthenticationError):  # the password wraps the key: it must be the right one
        encryption.encrypt_clinic(admin.database, admin.actor, "not the password")
    admin.database.dispose()
    assert plain_clinic.read_bytes().startswith(SQLITE_MAGIC)
    assert [p.name for p in plain_clinic.parent.iterdir() if "crypt" in p.name or p.name.endswith(".json")] == []


def test_backups_of_an_encrypted_clinic_are_encrypted_and_restore(encrypted_clinic: Path) -> None:
    signed_in = encryption.open_signed_in(encrypted_clinic, "admin", ADMIN_PASSWORD)
    database, admin = signed_in.database, signed_in.actor
    key = database.key
    assert key is not None
    backup = backups.automatic_backup(database, admin, now=T0)
    assert backup is not None
    assert not backup.read_bytes().startswith(SQLITE_MAGIC) and b"Wintermute" not in backup.read_bytes()
    assert keys.keys_path(backup).is_file()
    assert backups.health_problems(backup, key) == []
    # Nothing changed since: no second backup (the backup's last audit event is read with the key).
    assert backups.automatic_backup(database, admin, now=T0 + timedelta(hours=2)) is None
    patients.register_patient(database, admin, PatientDetails("Iqbal", "Second", date(1990, 2, 2)))
    assert _patient_count(database) == 2
    database.dispose()
    # Restoring it needs an administrator of the encrypted clinic: the no-sign-in path refuses it.
    assert not backups.missing_or_damaged(encrypted_clinic)
    with pytest.raises(Exception, match="healthy|encrypted"):
        backups.restore_damaged_database(backup, encrypted_clinic)
    aside = backups.restore_backup(admin, backup, encrypted_clinic, key)
    assert aside is not None and keys.keys_path(aside).is_file()
    assert not encrypted_clinic.read_bytes().startswith(SQLITE_MAGIC)
    restored = encryption.open_signed_in(encrypted_clinic, "admin", ADMIN_PASSWORD)
    try:
        assert _patient_count(restored.database) == 1
        assert _events(restored.database, "restore") == ["admin"]
    finally:
        restored.database.dispose()


def test_a_plain_backup_is_not_restored_over_an_encrypted_clinic(plain_clinic: Path, tmp_path: Path) -> None:
    from acudesk.persistence.backup import backup_sqlite

    plain_backup = backup_sqlite(plain_clinic, tmp_path / "plain-backup.sqlite3")
    signed_in = encryption.open_signed_in(plain_clinic, "admin", ADMIN_PASSWORD)
    encryption.encrypt_clinic(signed_in.database, signed_in.actor, ADMIN_PASSWORD)
    signed_in = encryption.open_signed_in(plain_clinic, "admin", ADMIN_PASSWORD)
    with pytest.raises(DatabaseError, match="leave the clinic unencrypted"):
        backups.restore_backup(signed_in.actor, plain_backup, plain_clinic, signed_in.database.key)
    signed_in.database.dispose()
    assert not plain_clinic.read_bytes().startswith(SQLITE_MAGIC)


def test_the_unencrypted_path_never_loads_sqlcipher(plain_clinic: Path) -> None:
    """A plain clinic opens through the standard library's sqlite3, as before: no SQLCipher, no cryptography."""
    code = ("import sys; from acudesk.services.maintenance import open_database; from acudesk.services import auth;"
            f"d = open_database({str(plain_clinic)!r}); auth.sign_in(d, 'admin', {ADMIN_PASSWORD!r});"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlcipher3', 'cryptography')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert result.stdout.strip() == "[]"


def test_a_backup_encrypted_with_another_key_is_refused(encrypted_clinic: Path, tmp_path: Path) -> None:
    """After decrypt and encrypt again the clinic has a new key: an older encrypted backup does not open with it."""
    signed_in = encryption.open_signed_in(encrypted_clinic, "admin", ADMIN_PASSWORD)
    old_backup = backups.automatic_backup(signed_in.database, signed_in.actor, now=T0)
    assert old_backup is not None
    encryption.decrypt_clinic(signed_in.database, signed_in.actor, ADMIN_PASSWORD)
    signed_in = encryption.open_signed_in(encrypted_clinic, "admin", ADMIN_PASSWORD)
    encryption.encrypt_clinic(signed_in.database, signed_in.actor, ADMIN_PASSWORD)
    signed_in = encryption.open_signed_in(encrypted_clinic, "admin", ADMIN_PASSWORD)
    try:
        with pytest.raises(DatabaseError, match="another database key"):
            backups.restore_backup(signed_in.actor, old_backup, encrypted_clinic, signed_in.database.key)
    finally:
        signed_in.database.dispose()


def test_a_deactivated_colleague_s_password_no_longer_opens_the_file(encrypted_clinic: Path) -> None:
    admin = encryption.open_signed_in(encrypted_clinic, "admin", ADMIN_PASSWORD)
    auth.create_user(admin.database, admin.actor, "carol", "Carol Reception", ("receptionist",), "carol's password")
    carol_id = next(user.id for user in auth.list_users(admin.database, admin.actor) if user.username == "carol")
    assert encryption.unlock(encrypted_clinic, "carol", "carol's password") == admin.database.key
    auth.set_active(admin.database, admin.actor, carol_id, False)
    # Even with a copy of the file and its keys file, her old password unwraps nothing now.
    with pytest.raises(AuthenticationError, match="administrator must reset this user's password"):
        encryption.unlock(encrypted_clinic, "carol", "carol's password")
    auth.set_active(admin.database, admin.actor, carol_id, True)  # back: a reset wraps the key for her again
    auth.reset_password(admin.database, admin.actor, carol_id, "carol's new password")
    admin.database.dispose()
    signed_in = encryption.open_signed_in(encrypted_clinic, "carol", "carol's new password")
    assert signed_in.actor.username == "carol"
    signed_in.database.dispose()


def test_check_reads_an_encrypted_file_with_a_users_password_and_changes_nothing(
        encrypted_clinic: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from acudesk.cli import main

    before = encrypted_clinic.read_bytes(), keys.keys_path(encrypted_clinic).read_bytes()
    assert main(["--db", str(encrypted_clinic), "check"]) == 2  # no user: no way in
    assert "--user NAME" in capsys.readouterr().err
    monkeypatch.setenv("ACUDESK_PASSWORD", ADMIN_PASSWORD)
    assert main(["--db", str(encrypted_clinic), "check", "--user", "admin"]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert "AcuDesk database check: OK" in out and "storage integrity: ok" in out
    assert "the sign-out checkpoint" in out  # encrypt's sign-out, inside the new file, anchored its trail
    assert main(["--db", str(encrypted_clinic), "audit", "verify", "--user", "admin"]) == 0
    assert "Audit trail intact" in capsys.readouterr().out
    assert (encrypted_clinic.read_bytes(), keys.keys_path(encrypted_clinic).read_bytes()) == before
    monkeypatch.setenv("ACUDESK_PASSWORD", "not the password")
    assert main(["--db", str(encrypted_clinic), "check", "--user", "admin"]) == 2
    assert "not right" in capsys.readouterr().err
