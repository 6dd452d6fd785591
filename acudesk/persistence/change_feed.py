"""What other AcuDesk processes changed: the change log every write appends to, and the feed that reads it.

Each process broadcasts its own writes (persistence/changes.py, ui/operations.py). For the others,
``Database.write()`` also appends one row to the ``change_log`` table in the same transaction
(``append``): the writing ``Database``'s random ``source``, the tables and patients the transaction
flushed (or "everything"), and the instant. On PostgreSQL the write also ``NOTIFY``s ``CHANNEL``;
the server delivers the notification at commit, and only then.

A ``ChangeFeed`` runs one background thread with a connection of its own:

- on PostgreSQL it ``LISTEN``s on ``CHANNEL`` (psycopg 3's ``notifies()`` with a timeout, so that it
  can stop), and a notification from another source wakes it;
- on SQLite it reads ``PRAGMA data_version`` every ``SQLITE_CHECK_SECONDS`` (a cheap check, on this
  thread): the number moves when another connection has committed to the file.

Woken, it reads the log rows after the last id it saw, skips its own process's rows (that process
broadcast them already) and hands the union of the others, as one ``Changes``, to ``on_changes``.
When rows it had not read were pruned (a gap in the ids) or the log went back (a restored file), it
reports ``Changes.all()``. When its connection fails (a server restart, a network drop) it reports
``DISCONNECTED`` to ``on_status``, reconnects with a growing delay, then reports ``CONNECTED`` and
``Changes.all()``: notifications sent meanwhile are lost. Both callbacks run on the feed's thread.

Ordering: SQLite serialises writers (``BEGIN IMMEDIATE``) and AUTOINCREMENT never reuses an id; on
PostgreSQL a write takes the log's table lock just before it appends, so ids are handed out in
commit order and a reader that has seen id N never sees a smaller id committed later.
Rows older than ``RETENTION`` (by the pruning writer's clock) are deleted by every ``PRUNE_EVERY``-th
write; a reader is at most a second behind, so it normally reads every row before it goes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, Table, delete, func, insert, select, text
from sqlalchemy.orm import Session

from acudesk.persistence.changes import NO_CHANGES, Changes
from acudesk.persistence.models.change_log import ChangeLogEntry

if TYPE_CHECKING:
    from acudesk.persistence.database import Database

log = logging.getLogger(__name__)

CHANNEL = "acudesk_changes"
RETENTION = timedelta(minutes=10)  # the change log is not clinical data
PRUNE_EVERY = 50  # the write whose log id is a multiple of this deletes rows older than RETENTION
MAX_PATIENT_IDS = 500  # a write touching more patients is logged as "everything"
CONNECTED = "connected"
DISCONNECTED = "disconnected"
SQLITE_CHECK_SECONDS = 0.3
NOTIFY_WAIT_SECONDS = 0.5  # how long one wait for notifications lasts: the longest a stop waits
HEARTBEAT_SECONDS = 15.0  # a quiet PostgreSQL connection is checked this often
RECONNECT_FIRST_SECONDS = 0.5
RECONNECT_MAX_SECONDS = 8.0
# The feed's PostgreSQL connection notices a silent network drop within about 20 s (the URL's own
# settings win). Without keepalives a pulled cable went unnoticed until TCP gave up, many minutes later.
POSTGRES_OPTIONS: dict[str, Any] = {
    "application_name": "AcuDesk change feed", "connect_timeout": 5, "keepalives": 1, "keepalives_idle": 10,
    "keepalives_interval": 3, "keepalives_count": 3, "tcp_user_timeout": 20_000,
}

_LOG = cast(Table, ChangeLogEntry.__table__)


# -- writing: inside Database.write() ----------------------------------------------------------------------
def append(tx: Session, source: str, changes: Changes) -> None:
    """Log ``changes`` in the write transaction ``tx``, just before it commits (``Database.write()``)."""
    postgres = tx.get_bind().dialect.name == "postgresql"
    if postgres:  # ids in commit order (module doc); held for the commit only
        tx.execute(text("LOCK TABLE change_log IN EXCLUSIVE MODE"))
    patients = sorted(changes.patient_ids)
    everything = changes.everything or len(patients) > MAX_PATIENT_IDS
    now = datetime.now(UTC)
    inserted = cast(CursorResult[Any], tx.execute(insert(_LOG).values(
        source=source, table_names=",".join(sorted(changes.tables)),
        patient_ids="" if everything else ",".join(map(str, patients)), everything=everything, committed_at=now,
    )))
    key = inserted.inserted_primary_key
    assert key is not None  # a single-row INSERT
    row_id = int(key[0])
    if row_id % PRUNE_EVERY == 0:
        tx.execute(delete(_LOG).where(_LOG.c.committed_at < now - RETENTION))
    if postgres:  # delivered by the server at commit, never for a rolled-back write
        tx.execute(select(func.pg_notify(CHANNEL, f"{source} {row_id}")))


def decode(table_names: str, patient_ids: str, everything: Any) -> Changes:
    if everything:
        return Changes.all()
    return Changes(frozenset(t for t in table_names.split(",") if t),
                   frozenset(int(p) for p in patient_ids.split(",") if p))


# -- reading -----------------------------------------------------------------------------------------------
class _Connection:
    """The feed's own connection: SQL in, rows out, and a wait for other processes' commits."""

    placeholder = "?"

    def rows(self, sql: str, *params: Any) -> Sequence[Sequence[Any]]:
        raise NotImplementedError

    def wait(self, stop: threading.Event) -> bool:
        """Wait a moment; whether another process may have committed a write meanwhile."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _SQLiteConnection(_Connection):
    def __init__(self, database: Database, check_seconds: float) -> None:
        self.raw = database.engine.raw_connection()
        self.raw.detach()  # the feed's for good: never handed back to the pool
        self.check_seconds = check_seconds
        self.version = self._data_version()

    def _data_version(self) -> int:
        return int(self.rows("PRAGMA data_version")[0][0])

    def rows(self, sql: str, *params: Any) -> Sequence[Sequence[Any]]:
        cursor = self.raw.cursor()
        try:
            cursor.execute(sql.replace("%s", "?"), params)
            return cursor.fetchall()
        finally:
            cursor.close()

    def wait(self, stop: threading.Event) -> bool:
        if stop.wait(self.check_seconds):
            return False
        version = self._data_version()
        moved, self.version = version != self.version, version
        return moved

    def close(self) -> None:
        self.raw.close()


class _PostgresConnection(_Connection):
    def __init__(self, database: Database, source: str) -> None:
        import psycopg

        engine = database.engine
        args, params = engine.dialect.create_connect_args(engine.url)
        params.pop("context", None)  # SQLAlchemy's type adapters: plain SQL needs none
        self.connection = psycopg.connect(*args, **{**POSTGRES_OPTIONS, **params}, autocommit=True)
        self.source = source
        self.quiet_since = time.monotonic()
        self.connection.execute(f"LISTEN {CHANNEL}")

    @property
    def backend_pid(self) -> int:
        return int(self.connection.info.backend_pid)

    def rows(self, sql: str, *params: Any) -> Sequence[Sequence[Any]]:
        return self.connection.execute(sql, params).fetchall()

    def wait(self, stop: threading.Event) -> bool:
        woken = False
        for notification in self.connection.notifies(timeout=NOTIFY_WAIT_SECONDS, stop_after=1):
            woken = woken or notification.payload.split(" ")[0] != self.source
            self.quiet_since = time.monotonic()
        if time.monotonic() - self.quiet_since > HEARTBEAT_SECONDS:
            self.connection.execute("SELECT 1")  # a dead connection raises here, if not sooner
            self.quiet_since = time.monotonic()
        return woken

    def close(self) -> None:
        self.connection.close()


class LogReader:
    """Reads the change log after the last id seen and says what other sources changed."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.last_id = 0

    def _newest(self, connection: _Connection) -> int:
        return int(connection.rows("SELECT max(id) FROM change_log")[0][0] or 0)

    def start(self, connection: _Connection) -> None:
        """From now on: rows already in the log are not reported."""
        self.last_id = self._newest(connection)

    def read(self, connection: _Connection) -> Changes:
        rows = connection.rows("SELECT id, source, table_names, patient_ids, everything FROM change_log "
                               "WHERE id > %s ORDER BY id", self.last_id)
        if not rows:
            newest = self._newest(connection)
            if newest < self.last_id:  # the log went back: the file was restored from a backup
                log.info("The change log went back (restored?): every screen reloads")
                self.last_id = newest
                return Changes.all()
            return NO_CHANGES
        gap = rows[0][0] != self.last_id + 1
        self.last_id = rows[-1][0]
        if gap:  # rows not read yet were pruned (or an id was skipped): assume everything changed
            log.info("Change log rows were missed: every screen reloads")
            return Changes.all()
        changes = NO_CHANGES
        for _id, source, table_names, patient_ids, everything in rows:
            if source != self.source:
                changes = changes | decode(table_names, patient_ids, everything)
        return changes


class ChangeFeed:
    """Reports other processes' committed writes to ``on_changes`` (a background thread; module doc).

    ``on_changes(changes)`` and ``on_status(CONNECTED | DISCONNECTED)`` run on the feed's thread.
    ``start()`` once; ``stop()`` ends the thread and closes its connection.
    """

    def __init__(self, database: Database, on_changes: Callable[[Changes], None],
                 on_status: Callable[[str], None] | None = None, *,
                 check_seconds: float = SQLITE_CHECK_SECONDS) -> None:
        self.database = database
        self.source = database.source
        self.on_changes = on_changes
        self.on_status = on_status
        self.check_seconds = check_seconds
        self.connected = False
        self.backend_pid: int | None = None  # PostgreSQL: the server process of the feed's connection
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            return
        if self.database.is_sqlite and self.database.sqlite_path is None:
            return  # an in-memory database: no other process can write to it
        self._thread = threading.Thread(target=self._run, name="acudesk-change-feed", daemon=True)
        self._thread.start()

    def stop(self, *, wait: bool = True) -> None:
        """End the feed. Without ``wait`` the thread ends (and closes its connection) by itself, within
        ``NOTIFY_WAIT_SECONDS``; nothing is reported after ``stop()`` returns with ``wait``."""
        self._stop.set()
        thread = self._thread
        if wait and thread is not None and thread is not threading.current_thread():
            thread.join(timeout=NOTIFY_WAIT_SECONDS + 5)

    # -- the thread ------------------------------------------------------------------------------------
    def _open(self) -> _Connection:
        if self.database.is_sqlite:
            return _SQLiteConnection(self.database, self.check_seconds)
        connection = _PostgresConnection(self.database, self.source)
        self.backend_pid = connection.backend_pid
        return connection

    def _run(self) -> None:
        reader = LogReader(self.source)
        delay = RECONNECT_FIRST_SECONDS
        first = True
        while not self._stop.is_set():
            connection: _Connection | None = None
            try:
                connection = self._open()
                reader.start(connection)
            except Exception as error:  # the server is down or the file unreachable: try again later
                if connection is not None:
                    self._close(connection)
                self._lost(error, first)
                first = False
                self._stop.wait(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)
                continue
            try:
                self.connected = True
                if not first:
                    log.info("The change feed is connected again")
                    self._report_status(CONNECTED)
                    self._report(Changes.all())  # notifications sent while we were away are lost
                first = False
                delay = RECONNECT_FIRST_SECONDS
                while not self._stop.is_set():
                    if connection.wait(self._stop) and not self._stop.is_set():
                        self._report(reader.read(connection))
            except Exception as error:
                self._lost(error, True)
                self._stop.wait(delay)  # a restarting server refuses at once: give it a moment
            finally:
                self._close(connection)

    def _lost(self, error: Exception, report: bool) -> None:
        was_connected, self.connected = self.connected, False
        if (was_connected or report) and not self._stop.is_set():
            # The type only: a driver's message can quote SQL parameters.
            log.warning("The change feed lost its database connection (%s); reconnecting", type(error).__name__)
            self._report_status(DISCONNECTED)

    def _close(self, connection: _Connection) -> None:
        try:
            connection.close()
        except Exception as error:  # already broken: nothing to release
            log.debug("Closing the change feed's connection failed (%s)", type(error).__name__)

    def _report(self, changes: Changes) -> None:
        if not changes or self._stop.is_set():
            return
        log.debug("Changed elsewhere: %s", changes.describe())
        try:
            self.on_changes(changes)
        except Exception as error:  # the feed goes on; the receiver's failure is its own
            log.error("The change feed's receiver failed (%s)", type(error).__name__)

    def _report_status(self, status: str) -> None:
        if self.on_status is None or self._stop.is_set():
            return
        try:
            self.on_status(status)
        except Exception as error:
            log.error("The change feed's status receiver failed (%s)", type(error).__name__)
