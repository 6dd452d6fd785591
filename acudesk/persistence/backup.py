"""Copies of SQLite databases made with SQLite's online backup API (never a file copy).

A file copy of a database in WAL mode can miss committed pages that still sit in the ``-wal``
file; the backup API copies a consistent snapshot even while another process writes.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from acudesk.domain.errors import DatabaseError


def backup_sqlite(source: Path, destination: Path, key: bytes | None = None) -> Path:
    """Write a verified, consistent copy of ``source`` to ``destination``.

    The copy is written to a temporary name, checked with ``integrity_check`` and only then
    renamed into place, so a full disk or an interruption never leaves a half-written backup.
    An encrypted clinic (``key``) is copied encrypted with the same key, and its keys file is copied
    beside the copy (``encryption.keys_path``), so the backup opens with the same passwords.
    """
    if key is not None:
        return _backup_encrypted(source, destination, key)
    destination = Path(destination)
    if destination.exists():
        raise DatabaseError(f"{destination} already exists; choose another name.")
    if not destination.parent.is_dir():
        raise DatabaseError(f"The folder {destination.parent} does not exist.")
    partial = destination.with_name(destination.name + ".partial")
    try:
        with closing(_connect_readonly(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
            result = dst.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise DatabaseError(f"The backup did not verify ({result}); the original is untouched.")
        os.replace(partial, destination)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise DatabaseError(_describe(error, destination)) from error
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise DatabaseError(f"The backup could not be written to {destination}: {error.strerror}.") from error
    except DatabaseError:
        partial.unlink(missing_ok=True)
        raise
    return destination


def _backup_encrypted(source: Path, destination: Path, key: bytes) -> Path:
    from acudesk.persistence import encryption

    destination = Path(destination)
    if destination.exists():
        raise DatabaseError(f"{destination} already exists; choose another name.")
    if not destination.parent.is_dir():
        raise DatabaseError(f"The folder {destination.parent} does not exist.")
    if not Path(source).is_file():
        raise DatabaseError(f"{source} does not exist.")
    partial = destination.with_name(destination.name + ".partial")
    try:
        encryption.backup(Path(source), partial, key)
        encryption.KeysFile.read(encryption.keys_path(Path(source))).write(encryption.keys_path(destination))
        os.replace(partial, destination)
    except BaseException as error:
        partial.unlink(missing_ok=True)
        if isinstance(error, DatabaseError | KeyboardInterrupt | SystemExit):
            raise
        if isinstance(error, OSError):
            raise DatabaseError(f"The backup could not be written to {destination}: {error.strerror}.") from error
        raise DatabaseError(_describe(error, destination)) from error
    return destination


def _connect_readonly(source: Path) -> sqlite3.Connection:
    if not Path(source).is_file():
        raise DatabaseError(f"{source} does not exist.")
    return sqlite3.connect(f"file:{Path(source).as_posix()}?mode=ro", uri=True)


def _describe(error: BaseException, destination: Path) -> str:
    text = str(error).lower()
    if "full" in text:
        return "The disk is full; no backup was written."
    if "not a database" in text or "malformed" in text:
        return "The database file is damaged and cannot be backed up; restore an older backup."
    return f"The backup to {destination} failed: {error}."


def read_only_uri(path: Path) -> str:
    """An SQLite URI that reads ``path`` without changing anything in it or beside it.

    ``mode=ro`` takes SQLite's locks and reads a ``-wal`` file that is there (a running AcuDesk's, or
    one left by a crash: it holds committed data). A database in WAL mode with no ``-wal`` beside it
    (a backup, a closed clinic) is opened ``immutable=1``: ``mode=ro`` would create ``-wal`` and
    ``-shm`` beside it and leave them, and cannot open it at all on read-only media. Nobody has such a
    file open, and its main file holds everything. A file in rollback-journal mode, or an empty one,
    is opened ``mode=ro``, which creates nothing. (docs/security.md, "Check and verify change nothing".)
    """
    path = Path(path)
    uri = "file:" + quote(path.absolute().as_posix())
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return uri + "?mode=ro"  # SQLite gives the message
    wal_mode = len(header) == 20 and header[18] == 2
    wal = path.with_name(path.name + "-wal")
    shm = path.with_name(path.name + "-shm")
    if wal_mode and (not wal.exists() or (not shm.exists() and not os.access(path.parent, os.W_OK))):
        return uri + "?immutable=1"
    return uri + "?mode=ro"


def integrity_report(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` lines for ``path`` (['ok'] when healthy), changing nothing."""
    if not Path(path).is_file():
        raise DatabaseError(f"{path} does not exist.")
    try:
        with closing(sqlite3.connect(read_only_uri(path), uri=True)) as connection:
            return [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        return [f"cannot read the file as a database: {error}"]
