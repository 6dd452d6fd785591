"""Automatic backups, their retention, restoring, and the start-up health check.

Backups are SQLite backup-API copies, each verified with ``integrity_check`` before it is kept.
They live in a folder beside the database (``<name>-backups/``); copy that folder off the PC as
part of the clinic's routine (see docs/backups.md). A restore never destroys the current file: it
is renamed aside first.

Who acts: an automatic backup is taken for whoever is signed in (any role: it is the clinic's safety
net, not an administrative act) and audited with them. Restoring is for ``MANAGE_BACKUPS`` only
(``restore_backup``). The one restore without an actor is ``restore_damaged_database``: start-up offers
it when the file is missing or fails SQLite's checks, so nobody can sign in to it; it refuses a
healthy file, so it can never be used to roll back a database someone could sign in to.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from acudesk.domain import dates
from acudesk.domain.backup_retention import RetentionPolicy, backups_to_keep
from acudesk.domain.errors import AcuDeskError, DatabaseError, PermissionDeniedError
from acudesk.persistence import encryption
from acudesk.persistence.backup import backup_sqlite, integrity_report
from acudesk.persistence.database import Database
from acudesk.persistence.models import AuditEvent, User
from acudesk.services import audit, checkpoints
from acudesk.services.context import Actor
from acudesk.services.permissions import Permission, require, require_signed_in

log = logging.getLogger(__name__)
STAMP_FORMAT = "%Y%m%d-%H%M%S"
PREFIX = "acudesk-"
MIN_INTERVAL = timedelta(minutes=30)
DEFAULT_RETENTION = RetentionPolicy()


class DamagedDatabaseError(DatabaseError):
    """The database file fails SQLite's checks; ``backups`` lists good copies, newest first."""

    def __init__(self, path: Path, problems: list[str], backups: list[BackupInfo]) -> None:
        # No clinic can be read from a damaged database: the backup's time is this computer's.
        newest = (f" The newest backup is from {dates.day_and_time(backups[0].taken_at, dates.computer_zone())}."
                  if backups else "")
        super().__init__(f"The database file {path.name} is damaged and cannot be used safely.{newest} "
                         "The damaged file will be kept untouched.")
        self.path = path
        self.problems = problems
        self.backups = backups


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime  # UTC
    size: int


def backup_folder(database_path: Path) -> Path:
    return database_path.with_name(f"{database_path.stem}-backups")


def list_backups(folder: Path, suffix: str = ".sqlite3") -> list[BackupInfo]:
    """Backups in ``folder``, newest first (unrecognised files are ignored). ``suffix`` is ``.dump`` for
    a PostgreSQL server's (services/server_backups.py)."""
    found = []
    if not folder.is_dir():
        return []
    for path in folder.glob(f"{PREFIX}*{suffix}"):
        try:
            taken = datetime.strptime(path.stem[len(PREFIX):], STAMP_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            continue
        found.append(BackupInfo(path, taken, path.stat().st_size))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def _last_audit_id_in(path: Path, key: bytes | None = None) -> int:
    try:
        if key is not None:  # an encrypted clinic's backups are encrypted with its key
            with closing(encryption.connect(encryption.read_only_uri(path), key, uri=True)) as connection:
                return int(connection.execute("SELECT COALESCE(MAX(id), 0) FROM audit_events").fetchone()[0])
        with closing(sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)) as connection:
            return connection.execute("SELECT COALESCE(MAX(id), 0) FROM audit_events").fetchone()[0]
    except Exception:  # unreadable: unknown, so a backup is taken
        return -1


def changed_since(database: Database, backup: BackupInfo | None) -> bool:
    """Whether anything but backups happened since ``backup`` was taken (every write is audited)."""
    if backup is None:
        return True
    last_id = _last_audit_id_in(backup.path, database.key)
    with database.read() as tx:
        newer = tx.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.id > last_id, AuditEvent.action != "backup")
        )
    return bool(newer)


def automatic_backup(
    database: Database, actor: Actor, *, now: datetime | None = None, on_close: bool = False,
    policy: RetentionPolicy = DEFAULT_RETENTION,
) -> Path | None:
    """Back up when something changed and the last backup is 30 minutes old (any age on close).

    Any signed-in ``actor`` may (see the module doc); the backup is audited with them, so their sign-in
    is checked (``require_signed_in``). Returns the new backup's path, or None when no backup was due.
    """
    require_signed_in(actor)
    source = database.sqlite_path
    if source is None:
        return None
    now = now or datetime.now(UTC)
    folder = backup_folder(source)
    existing = list_backups(folder)
    newest = existing[0] if existing else None
    if newest is not None and not on_close and now - newest.taken_at < MIN_INTERVAL:
        return None
    if not changed_since(database, newest):
        return None
    folder.mkdir(exist_ok=True)
    destination = folder / f"{PREFIX}{now:{STAMP_FORMAT}}.sqlite3"
    if destination.exists():
        return None
    checkpoint = checkpoints.write_quietly(database, "backup")  # a backup is taken even without one
    backup_sqlite(source, destination, database.key)
    if checkpoint is not None:
        checkpoints.write_sidecar(destination, checkpoint)
    with database.write() as tx:
        audit.record(tx, actor, "backup", "database", detail={"file": destination.name, "automatic": True})
    prune(folder, policy)
    log.info("Automatic backup written (%s)", destination.name)
    return destination


def prune(folder: Path, policy: RetentionPolicy = DEFAULT_RETENTION, suffix: str = ".sqlite3") -> list[Path]:
    backups = list_backups(folder, suffix)
    keep = backups_to_keep([b.taken_at for b in backups], policy)
    removed = []
    for backup in backups:
        if backup.taken_at not in keep:
            backup.path.unlink(missing_ok=True)
            encryption.keys_path(backup.path).unlink(missing_ok=True)
            checkpoints.sidecar_path(backup.path).unlink(missing_ok=True)
            removed.append(backup.path)
    return removed


def health_problems(path: Path, key: bytes | None = None) -> list[str]:
    """``quick_check`` of an SQLite file (encrypted with ``key``): [] when healthy, else the problems found."""
    if key is not None:
        rows = encryption.integrity_report(path, key, pragma="quick_check")
        return [] if rows == ["ok"] else rows
    try:
        with closing(sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)) as connection:
            rows = [row[0] for row in connection.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as error:
        return [f"cannot be read as a database: {error}"]
    return [] if rows == ["ok"] else rows


def check_health(database_path: Path, key: bytes | None = None) -> None:
    """Raise ``DamagedDatabaseError`` (with the good backups) if the file fails ``quick_check``. An encrypted
    clinic is checked with its ``key``; without it, it cannot be read, so it is not called damaged."""
    if not database_path.is_file() or database_path.stat().st_size == 0:
        return
    if key is None and encryption.looks_encrypted(database_path):
        return
    problems = health_problems(database_path, key)
    if problems:
        good = [b for b in list_backups(backup_folder(database_path)) if not health_problems(b.path, key)]
        raise DamagedDatabaseError(database_path, problems, good)


def missing_or_damaged(path: Path) -> bool:
    """Whether nobody can sign in to ``path``: no file, an empty one, or one that fails ``quick_check``. An
    encrypted clinic cannot be checked without a sign-in, so it never counts as damaged here: restoring
    over it needs an administrator of it (``restore_backup``)."""
    if path.is_file() and encryption.looks_encrypted(path):
        return False
    return not path.is_file() or path.stat().st_size == 0 or bool(health_problems(path))


def restore_backup(actor: Actor, backup: Path, target: Path, key: bytes | None = None) -> Path | None:
    """Put ``backup`` in place of ``target``. The current file (if any) is renamed aside, never deleted.
    ``key``: an encrypted clinic's database key (its backups are encrypted with it; the backup's keys file
    comes with it).

    Returns the path the old file was moved to.
    """
    require(actor, Permission.MANAGE_BACKUPS)
    return _restore(backup, target, actor, key)


def restore_damaged_database(backup: Path, target: Path) -> Path | None:
    """``restore_backup`` for the start-up path, where nobody can sign in: only when ``target`` is missing
    or fails ``quick_check`` (else ``PermissionDeniedError``). Audited with no user and ``damaged: True``."""
    if not missing_or_damaged(target):
        raise PermissionDeniedError("The database file is healthy: sign in as an administrator to restore a backup.")
    return _restore(backup, target, None)


def _restore(backup: Path, target: Path, actor: Actor | None, key: bytes | None = None) -> Path | None:
    """Stage a copy of ``backup`` beside ``target``, check it and audit the restore in it, and only then
    swap it in: until the last rename the database in use is untouched, whatever goes wrong."""
    if not backup.is_file():
        raise DatabaseError(f"{backup} does not exist.")
    if target.exists() and os.path.samefile(backup, target):
        raise DatabaseError(f"{backup.name} is the database in use, not a backup of it; nothing was changed.")
    _refuse_mixed_encryption(backup, target, key)
    report = encryption.integrity_report(backup, key) if key is not None else integrity_report(backup)
    if report != ["ok"]:
        raise DatabaseError(f"The backup {backup.name} is itself damaged ({report[0]}); choose another.")
    stamp = datetime.now(UTC).strftime(STAMP_FORMAT)
    staged = target.with_name(f"{target.name}.restoring-{stamp}")
    aside = target.with_name(f"{target.name}.replaced-{stamp}") if target.exists() else None
    try:
        backup_sqlite(backup, staged, key)
        _check_restorable(staged, backup.name, key, checkpoints.read_sidecar(backup))
        _audit_restore(staged, actor, {"from": backup.name,
                                       "previous_file_kept_as": aside.name if aside else None}, key)
    except BaseException:
        _move_with_companions(staged, None)
        raise
    if aside is not None:
        _move_with_companions(target, aside)
    _move_with_companions(staged, target)
    log.info("Database restored from a backup")
    _declare_restore(target, key)
    return aside


def _declare_restore(target: Path, key: bytes | None) -> None:
    """A ``restore`` checkpoint of the restored chain: from here on, the longer chain checkpointed before the
    restore is not held against it ('acudesk check' would otherwise report an older copy put in place)."""
    restored = Database.open(target, key=key)
    try:
        checkpoints.write_checkpoint(restored, "restore")
    except (AcuDeskError, OSError, SQLAlchemyError) as error:  # e.g. a backup older than checkpoints (0010)
        log.warning("No restore checkpoint was written: %s", error)
    finally:
        restored.dispose()


def _refuse_mixed_encryption(backup: Path, target: Path, key: bytes | None) -> None:
    """An encrypted clinic takes back only its own encrypted backups, and a plain one only plain backups
    (a plain backup restored over an encrypted clinic would store it unencrypted without a word)."""
    encrypted_backup = encryption.looks_encrypted(backup)
    if key is not None and not encrypted_backup:
        raise DatabaseError(f"The clinic is encrypted and {backup.name} is not: restoring it would leave the clinic "
                            "unencrypted. Decrypt the clinic first (acudesk decrypt), restore, then encrypt it "
                            "again. Nothing was changed.")
    if key is None and encrypted_backup:
        raise DatabaseError(f"{backup.name} is an encrypted backup: restore it into an encrypted clinic, signed in "
                            "as its administrator. Nothing was changed.")
    if key is not None:
        try:
            encryption.connect(encryption.read_only_uri(backup), key, uri=True).close()
        except DatabaseError:
            raise DatabaseError(f"{backup.name} is encrypted with another database key than this clinic's (it was "
                                "taken before the clinic was last encrypted); nothing was changed.") from None


def _check_restorable(staged: Path, name: str, key: bytes | None = None,
                      sidecar: checkpoints.Checkpoint | None = None) -> None:
    """Refuse a copy that is not an AcuDesk database this version can open, or whose audit trail is
    broken (it may have been altered), with a message that says nothing was changed."""
    from acudesk.persistence.migrations import KNOWN_REVISIONS, stored_revision

    candidate = Database.open(staged, key=key)
    try:
        try:
            revision = stored_revision(candidate)
        except DatabaseError:
            revision = None
        if revision is None:
            raise DatabaseError(f"{name} is not an AcuDesk database (it holds no AcuDesk clinic); nothing was changed.")
        if revision not in KNOWN_REVISIONS:
            raise DatabaseError(f"{name} was written by a newer AcuDesk (schema {revision}); install that "
                                "version to restore it. Nothing was changed.")
        with candidate.read() as tx:
            chain = audit.verify_chain(tx)
            anchored = (checkpoints.verify(tx, extra=[sidecar] if sidecar else [], restoring=True)
                        if KNOWN_REVISIONS.index(revision) >= KNOWN_REVISIONS.index("0010")
                        else checkpoints.CheckpointReport())
        if not chain.ok:
            raise DatabaseError(f"The audit trail in {name} is broken at event {chain.first_broken_id}: the "
                                "file may have been altered. Choose another backup; nothing was changed.")
        if anchored.contradicted:
            raise DatabaseError(f"{name} does not match this clinic's audit checkpoints ("
                                f"{'; '.join(anchored.findings)}): it may have been altered. Choose another backup; "
                                "nothing was changed.")
    finally:
        candidate.dispose()


def _audit_restore(staged: Path, actor: Actor | None, detail: dict[str, object], key: bytes | None = None) -> None:
    """The restore's audit event, written into the staged copy before it replaces the database."""
    restored = Database.open(staged, key=key)
    try:
        with restored.write() as tx:
            if actor is None:
                detail["damaged"] = True
            elif tx.scalar(select(User.id).where(User.id == actor.user_id)) is None:
                # an account created after this backup was taken: keep the name, not a dangling user id
                detail["restored_by"], actor = actor.username, None
            audit.record(tx, actor, "restore", "database", detail=detail)
    finally:
        restored.dispose()


def _move_with_companions(source: Path, destination: Path | None) -> None:
    """Rename an SQLite file with its ``-wal`` and ``-shm`` and an encrypted clinic's keys file (or, with no
    destination, delete a staged copy)."""
    for suffix in (encryption.KEYS_SUFFIX, "", "-wal", "-shm"):
        path = source.with_name(source.name + suffix)
        if not path.exists():
            continue
        if destination is None:
            path.unlink()
        else:
            os.replace(path, destination.with_name(destination.name + suffix))
