"""Encryption at rest for SQLite clinic files: SQLCipher connections and the database key's wraps.

An encrypted clinic file is an SQLCipher 4 database (AES-256, an HMAC on every page) opened with a
random 256-bit **database key**, given raw (``PRAGMA key = "x'<hex>'"``: no second key derivation).
The key is never stored as it is. For each user it is **wrapped**: encrypted with AES-256-GCM under a
key-encryption key derived from that user's password with Argon2id (a random salt per wrap, the
parameters stored with it; the user name is the GCM associated data, so a wrap cannot be moved to
another name). The wraps live outside the database file, in its **keys file** beside it
(``<database>.keys.json``, written atomically, readable by its owner only). Signing in unwraps the
key with the password typed; without a password the file is unreadable (docs/security.md,
"Encryption at rest").

Nothing here is imported on the unencrypted path: ``sqlcipher3`` and ``cryptography`` are loaded by
the functions that use them (the ``encryption`` extra in pyproject.toml).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from acudesk.domain.errors import DatabaseError

if TYPE_CHECKING:
    from acudesk.persistence.database import Database

KEY_BYTES = 32  # the database key: 256 bits
KEYS_SUFFIX = ".keys.json"
KEYS_FORMAT = "acudesk-database-keys"
SQLITE_MAGIC = b"SQLite format 3\x00"
# Argon2id for the key-encryption keys: above OWASP's minimum (19 MiB, t=2), since a stolen keys file
# can be attacked offline. Stored with every wrap, so they can be raised later without breaking old ones.
KDF_TIME_COST = 3
KDF_MEMORY_KIB = 65_536
KDF_PARALLELISM = 1
WRAPS_KEPT = 2  # a user's newest wrap and, only until a password change commits, the one before it
MISSING_PACKAGE = ("This clinic database is encrypted, and this AcuDesk was installed without encryption "
                   "support: install it with the 'encryption' extra (pip install 'acudesk[encryption]').")


def keys_path(database: Path) -> Path:
    """The keys file beside the database file ``database``."""
    return database.with_name(database.name + KEYS_SUFFIX)


def looks_encrypted(path: Path) -> bool:
    """Whether ``path`` is an encrypted clinic: a non-empty file that is not plain SQLite, with a keys
    file beside it. The header decides (a keys file beside a plain file is a leftover and ignored)."""
    try:
        with Path(path).open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError:
        return False
    return len(header) == len(SQLITE_MAGIC) and header != SQLITE_MAGIC and keys_path(Path(path)).is_file()


def new_database_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def _dbapi() -> Any:
    try:
        from sqlcipher3 import dbapi2
    except ImportError as error:  # pragma: no cover - the test install has it
        raise DatabaseError(MISSING_PACKAGE) from error
    return dbapi2


def dbapi_module() -> Any:
    """SQLCipher's DB-API module (the same API as ``sqlite3``), for SQLAlchemy's ``module=``."""
    return _dbapi()


def _key_pragma(key: bytes) -> str:
    if len(key) != KEY_BYTES:
        raise ValueError("a database key is 32 bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect(database: str, key: bytes, *, uri: bool = False, timeout: float = 30.0,
            check_same_thread: bool = False) -> sqlite3.Connection:
    """An SQLCipher connection to ``database`` unlocked with ``key``; refused (``DatabaseError``) when the
    key does not open it. The key is the connection's first statement, as SQLCipher requires."""
    dbapi = _dbapi()
    connection = dbapi.connect(database, uri=uri, timeout=timeout, check_same_thread=check_same_thread)
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")  # a wrong key is our message, not stderr noise
        connection.execute(_key_pragma(key))
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except dbapi.DatabaseError as error:
        connection.close()
        raise DatabaseError("The database key does not open this file (or it is damaged).") from error
    return connection


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _associated_data(username: str) -> bytes:
    return b"acudesk database key\x00" + username.encode("utf-8")


def _kek(password: str, salt: bytes, time_cost: int, memory_kib: int, parallelism: int) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(password.encode("utf-8"), salt, time_cost=time_cost, memory_cost=memory_kib,
                           parallelism=parallelism, hash_len=KEY_BYTES, type=Type.ID)


def wrap_key(key: bytes, username: str, password: str) -> dict[str, Any]:
    """``key`` encrypted for ``username`` under a key derived from ``password`` (a fresh salt and nonce)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    kek = _kek(password, salt, KDF_TIME_COST, KDF_MEMORY_KIB, KDF_PARALLELISM)
    wrapped = AESGCM(kek).encrypt(nonce, key, _associated_data(username))
    return {"kdf": "argon2id", "argon2_version": 19, "time_cost": KDF_TIME_COST, "memory_kib": KDF_MEMORY_KIB,
            "parallelism": KDF_PARALLELISM, "salt": _b64(salt), "cipher": "aes-256-gcm", "nonce": _b64(nonce),
            "wrapped_key": _b64(wrapped)}


def unwrap_key(wrap: dict[str, Any], username: str, password: str) -> bytes | None:
    """The database key from ``wrap``, or None when ``password`` (or the name) is not the one it was made with."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        if wrap.get("kdf") != "argon2id" or wrap.get("cipher") != "aes-256-gcm":
            return None
        kek = _kek(password, _unb64(wrap["salt"]), int(wrap["time_cost"]), int(wrap["memory_kib"]),
                   int(wrap["parallelism"]))
        key = AESGCM(kek).decrypt(_unb64(wrap["nonce"]), _unb64(wrap["wrapped_key"]), _associated_data(username))
    except (InvalidTag, KeyError, ValueError, TypeError):
        return None
    return key if len(key) == KEY_BYTES else None


class KeysFile:
    """The wraps of one database's key, by user name (newest wrap first)."""

    def __init__(self, path: Path, users: dict[str, list[dict[str, Any]]] | None = None) -> None:
        self.path = path
        self.users: dict[str, list[dict[str, Any]]] = users or {}

    @classmethod
    def read(cls, path: Path) -> KeysFile:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DatabaseError(f"The keys file {path.name} of this encrypted clinic is missing: restore it "
                                "from beside a backup (or from where you keep its copy).") from None
        except (OSError, ValueError) as error:
            raise DatabaseError(f"The keys file {path.name} cannot be read: {error}.") from error
        if not isinstance(document, dict) or document.get("format") != KEYS_FORMAT:
            raise DatabaseError(f"{path.name} is not an AcuDesk keys file.")
        users = document.get("users") or {}
        return cls(path, {str(name): list(wraps) for name, wraps in users.items()})

    def unlock(self, username: str, password: str) -> bytes | None:
        for wrap in self.users.get(username, []):
            key = unwrap_key(wrap, username, password)
            if key is not None:
                return key
        return None

    def give(self, key: bytes, username: str, password: str) -> None:
        """A new wrap for ``username`` before the others (kept until ``settle``)."""
        self.users[username] = [wrap_key(key, username, password), *self.users.get(username, [])][:WRAPS_KEPT]

    def settle(self, username: str) -> None:
        """Only ``username``'s newest wrap remains (their previous password no longer unwraps the key)."""
        if self.users.get(username):
            self.users[username] = self.users[username][:1]

    def remove(self, username: str) -> None:
        self.users.pop(username, None)

    def write(self, path: Path | None = None) -> None:
        """Written atomically (a temporary file in the same folder, flushed, renamed over), mode 0600."""
        target = path or self.path
        document = {"format": KEYS_FORMAT, "version": 1,
                    "about": "The AcuDesk database key, wrapped for each user with their password (Argon2id, "
                             "AES-256-GCM). Without this file nobody can open the encrypted database: keep it "
                             "beside the database and its backups.",
                    "users": self.users}
        descriptor, temporary = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
        try:
            os.fchmod(descriptor, 0o600) if hasattr(os, "fchmod") else None
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(document, handle, indent=1, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def export(source: Path, destination: Path, *, source_key: bytes | None, destination_key: bytes | None) -> None:
    """Write the whole of ``source`` into the new file ``destination`` with ``sqlcipher_export``: encrypted
    with ``destination_key``, or plain SQLite when it is None. ``source`` is read under a write lock, so the
    copy is one consistent state even if another AcuDesk has the file open."""
    dbapi = _dbapi()
    if destination.exists():
        raise DatabaseError(f"{destination} already exists; nothing was changed.")
    try:
        if source_key is None:
            connection = dbapi.connect(str(source), timeout=30.0)
        else:
            connection = connect(str(source), source_key)
        with closing(connection):
            connection.isolation_level = None
            attached_key = f"x'{destination_key.hex()}'" if destination_key is not None else ""
            connection.execute("ATTACH DATABASE ? AS exported KEY ?", (str(destination), attached_key))
            version = connection.execute("PRAGMA main.user_version").fetchone()[0]
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.execute("SELECT sqlcipher_export('exported')")
                connection.execute(f"PRAGMA exported.user_version = {int(version)}")
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("DETACH DATABASE exported")
    except dbapi.Error as error:
        destination.unlink(missing_ok=True)
        raise DatabaseError(f"The database could not be copied: {error}. Nothing was changed.") from error


def read_only_uri(path: Path) -> str:
    """``persistence.backup.read_only_uri`` for an encrypted file, whose header says nothing: AcuDesk's files
    are all in WAL mode, so with no ``-wal`` beside it nobody writes it and it is read ``immutable=1``
    (leaving nothing beside it), else ``mode=ro`` (reading the committed data in the ``-wal``)."""
    from urllib.parse import quote

    uri = "file:" + quote(path.absolute().as_posix())
    return uri + ("?mode=ro" if path.with_name(path.name + "-wal").exists() else "?immutable=1")


def integrity_report(path: Path, key: bytes, *, pragma: str = "integrity_check") -> list[str]:
    """``PRAGMA integrity_check`` (or ``quick_check``) lines of the encrypted file ``path``, read-only."""
    if not Path(path).is_file():
        raise DatabaseError(f"{path} does not exist.")
    try:
        with closing(connect(read_only_uri(Path(path)), key, uri=True)) as connection:
            return [row[0] for row in connection.execute(f"PRAGMA {pragma}")]
    except (DatabaseError, _dbapi().DatabaseError) as error:
        return [f"cannot read the file as a database: {error}"]


def backup(source: Path, destination: Path, key: bytes) -> None:
    """SQLite's backup API between two connections with the same key: ``destination`` is encrypted too."""
    with closing(connect(read_only_uri(source), key, uri=True)) as src, \
            closing(connect(str(destination), key)) as dst:
        src.backup(dst)
        result = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise DatabaseError(f"The backup did not verify ({result}); the original is untouched.")


def give_key(database: Database, username: str, password: str) -> None:
    """A new wrap of ``database``'s key for ``username`` with ``password`` (a new user, a changed or reset
    password), the previous one kept until ``settle_key``. Nothing for an unencrypted database.

    Called inside the write transaction that stores the password, so the SQLite write lock serialises
    writers of the keys file, and a crash before the commit leaves the old password able to unwrap."""
    path = database.sqlite_path
    if database.key is None or path is None:
        return
    keys = KeysFile.read(keys_path(path))
    keys.give(database.key, username, password)
    keys.write()


def settle_key(database: Database, username: str) -> None:
    """After the password's commit: only ``username``'s newest wrap remains (under the write lock)."""
    path = database.sqlite_path
    if database.key is None or path is None or len(KeysFile.read(keys_path(path)).users.get(username, [])) < 2:
        return  # nothing to drop: the keys file is not rewritten (every sign-in asks)
    with database.write():
        keys = KeysFile.read(keys_path(path))
        keys.settle(username)
        keys.write()


def take_key(database: Database, username: str) -> None:
    """``username`` can no longer unwrap ``database``'s key (a deactivated account): their wraps leave the keys
    file, so even a copy of the file with their old password opens nothing. Reactivating them takes a password
    reset, which wraps the key anew. Called inside the write transaction that deactivates them."""
    path = database.sqlite_path
    if database.key is None or path is None:
        return
    keys = KeysFile.read(keys_path(path))
    if username in keys.users:
        keys.remove(username)
        keys.write()
