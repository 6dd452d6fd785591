"""Opening a database: engine set-up for SQLite and PostgreSQL, and the unit of work.

SQLite connections get WAL, ``synchronous=FULL``, foreign keys and a busy timeout. Write
transactions start with ``BEGIN IMMEDIATE`` (SQLAlchemy's documented pysqlite recipe: the driver's
own transaction handling is switched off and the ``begin`` event emits BEGIN itself), so two
AcuDesk processes queue for the write lock instead of failing with "database is locked" halfway
through a transaction. Reads use a plain deferred BEGIN and never wait for writers (WAL).

PostgreSQL write transactions do the same with one transaction-scoped advisory lock taken as they
begin (``WRITER_LOCK_KEY``): AcuDesk's writers queue, whatever workstation they run on, so every
check-then-write use case (is this slot free, is this patient already registered, what is the audit
chain's last link) reads the latest committed state before it writes, exactly as on SQLite. The
database's own rules (persistence/visit_guards.py, persistence/guards.py) hold the invariants
underneath, against any other client. Reads never take the lock. docs/multi-seat.md lists the
choice made for each use case.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from acudesk.domain.errors import ConflictError, DatabaseError, ServerUnreachableError
from acudesk.persistence.change_feed import append as append_to_change_log
from acudesk.persistence.changes import NO_CHANGES, Changes, changes_of, committed

BUSY_TIMEOUT_MS = 30_000
PING_AFTER_IDLE_SECONDS = 2.0  # a pooled PostgreSQL connection idle longer than this is checked first
_USED_AT = "acudesk_used_at"  # pool record info key: when the connection was last returned
WRITER_LOCK_KEY = 0x41435544  # "ACUD": PostgreSQL's advisory lock that queues AcuDesk's write transactions
_WRITE_OPTION = "acudesk_write"
_FLUSHED = "acudesk_changes"  # Session.info key: the Changes flushed so far in this write
LOST_AT_COMMIT_MESSAGE = (
    "The connection to the database server was lost just as this was being saved, so AcuDesk cannot tell "
    "whether the save arrived; it arrived whole or not at all. Look at the record before saving again."
)
UNREACHABLE_WRITING = ("The database server does not answer, so nothing was saved. Check the network and the "
                       "server; what you typed is still here, so try again once it is back.")
UNREACHABLE_READING = ("The database server does not answer. AcuDesk keeps trying to reconnect; the screens "
                       "catch up by themselves once it is back.")
STALE_MESSAGE = "Someone else saved changes to this record meanwhile; nothing was saved. Reload and try again."


def database_url(target: str | Path) -> URL:
    """Turn ``--db`` input (a file path or an SQLAlchemy URL) into a URL."""
    text = str(target)
    if "://" in text:
        try:
            return make_url(text)
        except ArgumentError as error:
            raise DatabaseError(f"'{text}' is not a valid database URL.") from error
    return URL.create("sqlite+pysqlite", database=str(Path(text).expanduser()))


def _read_only(url: URL) -> bool:
    """An SQLite URI opened read-only (``mode=ro`` or ``immutable=1``): never switched to WAL."""
    return url.query.get("mode") == "ro" or url.query.get("immutable") == "1" or "mode=ro" in (url.database or "")


def read_only_url(path: Path) -> URL:
    """A URL that opens the SQLite file at ``path`` read-only and changes nothing beside it
    (``persistence.backup.read_only_uri``: ``mode=ro``, or ``immutable=1``)."""
    from acudesk.persistence.backup import read_only_uri

    uri, _, query = read_only_uri(path).partition("?")
    return URL.create("sqlite+pysqlite", database=uri, query={**dict(part.split("=") for part in query.split("&")),
                                                               "uri": "true"})


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see module doc)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:") and not _read_only(engine.url):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if connection.get_execution_options().get(_WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def _encrypted_engine(url: URL, key: bytes) -> Engine:
    """SQLAlchemy's pysqlite dialect over SQLCipher's identical DB-API (``module``), each connection made
    by ``encryption.connect`` with the key as its first statement. The key stays out of the URL."""
    from acudesk.persistence import encryption

    database, uri = url.database or "", bool(url.query.get("uri"))
    if uri and url.query:
        database += "?" + "&".join(f"{name}={value}" for name, value in url.query.items() if name != "uri")

    def creator() -> sqlite3.Connection:
        return encryption.connect(database, key, uri=uri, timeout=BUSY_TIMEOUT_MS / 1000)

    return create_engine(url, module=encryption.dbapi_module(), creator=creator)


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        """SQLAlchemy's pre-ping, but only for a connection that sat unused for a while: one that
        served a keystroke's search a moment ago is alive, and the ping's round trip would be a
        third of the search's time (docs/performance.md). A dead one is replaced, unseen."""
        if time.monotonic() - record.info.get(_USED_AT, 0.0) < PING_AFTER_IDLE_SECONDS:
            return
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            dbapi_connection.rollback()
        except Exception as error:  # the server restarted or the network dropped meanwhile
            raise DisconnectionError(str(error)) from error

    @event.listens_for(engine, "checkin")
    def _note_use(_dbapi_connection, record) -> None:
        record.info[_USED_AT] = time.monotonic()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if connection.get_execution_options().get(_WRITE_OPTION):
            # A writer waits at most as long as a SQLite writer would, then gets "busy, try again".
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")


def make_engine(url: URL, key: bytes | None = None) -> Engine:
    """The engine for ``url``. ``key`` opens an encrypted SQLite file (SQLCipher, persistence/encryption.py);
    without one, a plain SQLite file goes through the standard library's ``sqlite3`` as always."""
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database not in ("", ":memory:") and not url.query.get("uri"):
            path = Path(database)
            if path.exists() and path.is_dir():
                raise DatabaseError(f"{path} is a folder, not an AcuDesk database file.")
            if not path.parent.exists():
                raise DatabaseError(f"The folder {path.parent} does not exist.")
        if key is not None:
            engine = _encrypted_engine(url, key)
        else:
            engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    try:
        # Statements are never prepared: a prepared search may switch to a generic plan, up to ten times
        # slower for some names (docs/performance.md, "PostgreSQL").
        connect_args = {"prepare_threshold": None} if url.get_driver_name() == "psycopg" else {}
        engine = create_engine(url, connect_args=connect_args)
    except (ArgumentError, ModuleNotFoundError) as error:
        raise DatabaseError(f"AcuDesk cannot use the database URL {url.render_as_string()}.") from error
    if engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    return engine


@dataclass
class Database:
    """An open database: the engine plus the two kinds of transaction the services use.

    ``source`` names this ``Database`` (one per process) in the change log, so that the process's
    change feed skips the writes it broadcast itself (persistence/change_feed.py)."""

    engine: Engine
    source: str = field(default_factory=lambda: secrets.token_hex(8))
    # The key of an encrypted SQLite file (backups and health checks of it need it too); None when plain.
    key: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._change_log_exists = False  # checked on the first write (a file restored from an old backup has none)
        # PostgreSQL reads run in autocommit: under READ COMMITTED a read transaction gives no common
        # snapshot anyway, and its BEGIN and ROLLBACK were two of a keystroke search's four round
        # trips. A read unit of work never writes (``_refuse_writes``), on either engine.
        read_engine = self.engine if self.is_sqlite else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._read_sessions = sessionmaker(read_engine, expire_on_commit=False)
        event.listen(self._read_sessions, "before_flush", _refuse_writes)
        self._write_engine = self.engine.execution_options(**{_WRITE_OPTION: True})
        self._write_sessions = sessionmaker(self._write_engine, expire_on_commit=False)
        event.listen(self._write_sessions, "after_flush", _remember_flushed)

    @classmethod
    def open(cls, target: str | Path | URL, *, key: bytes | None = None) -> Database:
        """``key``: the database key of an encrypted SQLite file (services/encryption.py unwraps it)."""
        url = target if isinstance(target, URL) else database_url(target)
        return cls(make_engine(url, key), key=key)

    @classmethod
    def open_read_only(cls, path: Path, *, key: bytes | None = None) -> Database:
        """The SQLite file at ``path``, opened so that nothing in it or beside it changes
        (``acudesk check``, ``acudesk audit verify``)."""
        return cls(make_engine(read_only_url(path), key), key=key)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite or self.engine.url.database in (None, "", ":memory:"):
            return None
        return Path(self.engine.url.database)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read unit of work; closing it releases (rolls back) the transaction."""
        with _translated_errors(writing=False), self._read_sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write unit of work: commits on success, rolls back on any error. After the commit, what
        it changed goes to the enclosing ``recording_changes()`` block (persistence/changes.py).

        Before the commit, in the same transaction, what it changed is appended to the change log
        (and, on PostgreSQL, notified) for the other AcuDesk processes (persistence/change_feed.py)."""
        with _translated_errors(writing=True), self._write_sessions() as session:
            committing = False
            try:
                with session.begin():
                    yield session
                    session.flush()
                    changes: Changes = session.info.pop(_FLUSHED, NO_CHANGES)
                    if changes and self._has_change_log(session):
                        append_to_change_log(session, self.source, changes)
                    committing = True
            except OperationalError as error:
                if committing and _server_unreachable(error):
                    # The server may have committed before the line dropped: say so, never "nothing saved".
                    raise ServerUnreachableError(LOST_AT_COMMIT_MESSAGE) from error
                raise
            committed(changes)

    def _has_change_log(self, tx: Session) -> bool:
        """Whether the schema has the change log (0008): not a file restored from an older backup,
        which ``backups.restore_backup`` writes one audit event to before anything upgrades it."""
        if not self._change_log_exists:
            self._change_log_exists = inspect(tx.connection()).has_table("change_log")
        return self._change_log_exists

    def dispose(self) -> None:
        self.engine.dispose()


def _refuse_writes(session: Session, _flush_context: object, _instances: object) -> None:
    """``before_flush`` of a read unit of work: a change to a loaded row must never reach the database
    (on PostgreSQL, where reads autocommit, it would be saved at once, unchecked and unaudited)."""
    raise RuntimeError("A read unit of work tried to save a change; use Database.write() for that.")


def _remember_flushed(session: Session, _flush_context: object) -> None:
    """``after_flush``: the rows just written are still in new/dirty/deleted; note their tables and patients."""
    rows = [*session.new, *(row for row in session.dirty if session.is_modified(row)), *session.deleted]
    flushed: Changes = session.info.get(_FLUSHED, NO_CHANGES)
    session.info[_FLUSHED] = flushed | changes_of(rows)


@contextmanager
def _translated_errors(*, writing: bool) -> Iterator[None]:
    """Turn the database's low-level failures into messages a person can act on.

    ``StaleDataError`` is the database-level half of optimistic locking (services/locking.py): a row's
    ``version`` changed between loading it and writing it. Every service gets the same ``ConflictError``.
    """
    try:
        yield
    except StaleDataError as error:
        raise ConflictError(STALE_MESSAGE) from error
    except OperationalError as error:
        if _server_unreachable(error):
            raise ServerUnreachableError(UNREACHABLE_WRITING if writing else UNREACHABLE_READING) from error
        raise DatabaseError(describe_operational_error(error)) from error


def _server_unreachable(error: DBAPIError) -> bool:
    """A PostgreSQL connection that failed or dropped (SQLite has no server to lose)."""
    text = str(error.orig).lower()
    return bool(error.connection_invalidated) or any(
        words in text for words in ("could not connect", "connection refused", "server closed the connection",
                                    "terminating connection", "connection is closed", "connection failed",
                                    "connection to server", "does not allow connections", "consuming input failed"))


def describe_operational_error(error: DBAPIError) -> str:
    text = str(error.orig).lower()
    if "disk is full" in text or "database or disk is full" in text:
        return "The disk is full. Nothing was saved; free some space and try again."
    if "readonly" in text or "read-only" in text:
        return "The database is in a read-only location. Nothing was saved."
    if "not a database" in text or "malformed" in text:
        return "The database file is damaged. Restore it from a backup (see 'acudesk check')."
    if "locked" in text or "busy" in text or "lock timeout" in text:
        return "Another AcuDesk is busy writing; nothing was saved. Please try again in a moment."
    if "unable to open" in text:
        return "The database file cannot be opened. Check that the folder exists and is writable."
    if "could not connect" in text or "connection refused" in text or "connection" in text:
        return UNREACHABLE_WRITING
    return "The database reported an error; nothing was saved. Details are in the log."
