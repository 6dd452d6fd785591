"""Encrypting a clinic's SQLite file at rest, signing in to an encrypted one, and turning it back.

``acudesk encrypt`` (``encrypt_clinic``) writes the whole clinic with ``sqlcipher_export`` into a new
file encrypted with a random database key, checks it, writes the restore-like audit event into it, and
swaps it in; the previous (unencrypted) file is kept aside and named. The key is wrapped for the
administrator who encrypted it only: every other user gets theirs when an administrator resets their
password (or they are created, or change their password, afterwards). ``acudesk decrypt``
(``decrypt_clinic``) does the reverse. The wraps and their keys file: persistence/encryption.py.

Signing in to an encrypted clinic (``open_signed_in``) first unwraps the key with the user name and
password (a wrong one is refused before the file can be opened, so that refusal cannot be audited in
it; Argon2id makes each guess cost), then opens the file and signs in as always (``auth.sign_in``:
audit, lock-out, inactive accounts).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from acudesk.domain.errors import DatabaseError
from acudesk.persistence import encryption as keys
from acudesk.persistence.database import Database, database_url
from acudesk.persistence.models import AuditEvent, User
from acudesk.services import audit
from acudesk.services.context import Actor
from acudesk.services.passwords import verify_password
from acudesk.services.permissions import Permission, require

log = logging.getLogger(__name__)
STAMP_FORMAT = "%Y%m%d-%H%M%S"


class EncryptedDatabaseError(DatabaseError):
    """An encrypted clinic file was opened without its key: sign in first (``open_signed_in``)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"The clinic database {path.name} is encrypted: it opens only when a user signs in "
                         "with their user name and password (acudesk --user NAME …).")
        self.path = path


def no_key_message(username: str) -> str:
    return (f"'{username}' has no key to this encrypted clinic database yet, so cannot sign in. An administrator "
            "must reset this user's password (Administration → Users and roles) to give them one: after "
            "'acudesk encrypt' only the administrator who encrypted it has one.")


@dataclass(frozen=True)
class SignedIn:
    database: Database
    actor: Actor


def encrypted_file(target: str | Path) -> Path | None:
    """The SQLite file ``target`` names when it is an encrypted clinic, else None (plain, a server, none)."""
    url = database_url(target)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") or url.query.get("uri"):
        return None
    path = Path(url.database or "")
    return path if keys.looks_encrypted(path) else None


def unlock(path: Path, username: str, password: str) -> bytes:
    """The database key of the encrypted clinic at ``path``, unwrapped with ``username``'s ``password``."""
    from acudesk.services.auth import AuthenticationError

    name = username.strip()
    keys_file = keys.KeysFile.read(keys.keys_path(path))
    if name not in keys_file.users:
        raise AuthenticationError(no_key_message(name))
    key = keys_file.unlock(name, password)
    if key is None:
        raise AuthenticationError("The user name or password is not right.")
    return key


def open_signed_in(target: str | Path, username: str, password: str, *, upgrade: bool = True) -> SignedIn:
    """Open the clinic at ``target`` and sign ``username`` in: an encrypted file is unlocked with the
    password first; a plain file or a server is opened and signed in to exactly as before."""
    from acudesk.services.auth import sign_in
    from acudesk.services.maintenance import open_database

    path = encrypted_file(target)
    key = unlock(path, username, password) if path is not None else None
    database = open_database(target, upgrade=upgrade, key=key)
    try:
        actor = sign_in(database, username, password)
    except BaseException:
        database.dispose()
        raise
    if key is not None:
        keys.settle_key(database, actor.username)  # a password change that crashed before settling
    return SignedIn(database, actor)


def _require_administrator(database: Database, actor: Actor, password: str) -> Path:
    require(actor, Permission.MANAGE_CLINIC)
    require(actor, Permission.MANAGE_BACKUPS)
    path = database.sqlite_path
    if path is None:
        raise DatabaseError("Only an SQLite clinic file is encrypted by AcuDesk; a PostgreSQL server's data is "
                            "protected by the server's disk encryption and TLS (docs/multi-seat.md).")
    with database.read() as tx:
        user = tx.get(User, actor.user_id)
        if user is None or not user.password_hash or not verify_password(user.password_hash, password):
            from acudesk.services.auth import AuthenticationError

            raise AuthenticationError("The password is not right; nothing was changed.")
    return path


@dataclass(frozen=True)
class Swapped:
    """The file now in use, and where the previous one was kept."""

    path: Path
    previous_kept_as: Path


def encrypt_clinic(database: Database, actor: Actor, password: str) -> Swapped:
    """Encrypt the open SQLite clinic ``database`` (an administrator, with their ``password``, which wraps the
    new key for them). ``database`` is closed: open the clinic again by signing in."""
    path = _require_administrator(database, actor, password)
    if database.key is not None:
        raise DatabaseError("This clinic database is encrypted already; nothing was changed.")
    key = keys.new_database_key()
    stamp = datetime.now(UTC).strftime(STAMP_FORMAT)
    staged = path.with_name(f"{path.name}.encrypting-{stamp}")
    aside = path.with_name(f"{path.name}.unencrypted-{stamp}")
    events_before = _audit_events(database)
    try:
        keys.export(path, staged, source_key=None, destination_key=key)
        keys_file = keys.KeysFile(keys.keys_path(staged))
        keys_file.give(key, actor.username, password)
        keys_file.write()
        _check_copy(staged, key, events_before)
        _audit_in(staged, key, actor, "encrypt", {"previous_file_kept_as": aside.name, "keys_for": [actor.username]})
    except BaseException:
        _discard(staged)
        raise
    database.dispose()
    _swap(path, staged, aside)
    _anchor(path, key)
    log.info("Clinic database encrypted; the unencrypted file was kept as %s", aside.name)
    return Swapped(path, aside)


def decrypt_clinic(database: Database, actor: Actor, password: str) -> Swapped:
    """Turn the open encrypted clinic ``database`` back into a plain SQLite file (an administrator). The
    encrypted file is kept aside with its keys file. ``database`` is closed."""
    path = _require_administrator(database, actor, password)
    if database.key is None:
        raise DatabaseError("This clinic database is not encrypted; nothing was changed.")
    stamp = datetime.now(UTC).strftime(STAMP_FORMAT)
    staged = path.with_name(f"{path.name}.decrypting-{stamp}")
    aside = path.with_name(f"{path.name}.encrypted-{stamp}")
    events_before = _audit_events(database)
    try:
        keys.export(path, staged, source_key=database.key, destination_key=None)
        _check_copy(staged, None, events_before)
        _audit_in(staged, None, actor, "decrypt", {"previous_file_kept_as": aside.name})
    except BaseException:
        _discard(staged)
        raise
    database.dispose()
    _swap(path, staged, aside)
    _anchor(path, None)
    log.info("Clinic database decrypted; the encrypted file was kept as %s", aside.name)
    return Swapped(path, aside)


def _audit_events(database: Database) -> int:
    with database.read() as tx:
        return tx.scalar(select(func.count(AuditEvent.id))) or 0


def _check_copy(staged: Path, key: bytes | None, events_before: int) -> None:
    """The new file opens with ``key`` (and only as it should: plain SQLite or not), is intact, holds an
    AcuDesk clinic with every audit event the original had, and its audit chain verifies."""
    from acudesk.persistence.backup import integrity_report
    from acudesk.persistence.migrations import stored_revision
    from acudesk.services.maintenance import SQLITE_MAGIC

    with staged.open("rb") as handle:
        plain = handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    if plain != (key is None):
        raise DatabaseError("The new file is not what it should be (encrypted or not); nothing was changed.")
    report = keys.integrity_report(staged, key) if key is not None else integrity_report(staged)
    if report != ["ok"]:
        raise DatabaseError(f"The new file did not verify ({report[0]}); nothing was changed.")
    candidate = Database.open(staged, key=key)
    try:
        if stored_revision(candidate) is None:
            raise DatabaseError("The new file holds no AcuDesk clinic; nothing was changed.")
        with candidate.read() as tx:
            chain = audit.verify_chain(tx)
            events = tx.scalar(select(func.count(AuditEvent.id))) or 0
        if not chain.ok or events < events_before:
            raise DatabaseError("The new file's audit trail does not match the clinic's; nothing was changed.")
    finally:
        candidate.dispose()


def _audit_in(staged: Path, key: bytes | None, actor: Actor, action: str, detail: dict[str, object]) -> None:
    """The event, written into the new file before it replaces the clinic (as a restore's is). The actor's
    sign-in, copied into it, ends there too (audited ``logout``): the clinic is opened anew by signing in."""
    from acudesk.services import sign_ins

    copy = Database.open(staged, key=key)
    try:
        with copy.write() as tx:
            audit.record(tx, actor, action, "database", detail=detail)
            if sign_ins.end(tx, actor, sign_ins.SIGNED_OUT):
                audit.record(tx, actor, "logout", "user", actor.user_id)
    finally:
        copy.dispose()


def _anchor(path: Path, key: bytes | None) -> None:
    """The sign-out's audit checkpoint (services/checkpoints.py), taken in the clinic now in place: the
    sign-in ended inside the new file, where ``auth.sign_out`` could not see it."""
    from acudesk.services import checkpoints

    swapped = Database.open(path, key=key)
    try:
        checkpoints.write_quietly(swapped, "sign-out")
    finally:
        swapped.dispose()


def _discard(staged: Path) -> None:
    from acudesk.services.backups import _move_with_companions

    _move_with_companions(staged, None)


def _swap(path: Path, staged: Path, aside: Path) -> None:
    """The clinic file (with its ``-wal``, ``-shm`` and keys file) to ``aside``, then ``staged`` in its place."""
    from acudesk.services.backups import _move_with_companions

    _move_with_companions(path, aside)
    _move_with_companions(staged, path)
