"""Another process's writes reach this process's change feed (persistence/change_feed.py), on both engines.

"Another process" is a second ``Database`` on the same file or server: it has its own source id and
its own connections, which is all the feed can tell of a process (tests/ui/test_live_changes.py runs
a real second process). On PostgreSQL each test has a schema of its own (tests/conftest.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from acudesk.domain.errors import ValidationErrors
from acudesk.domain.patients import PatientDetails
from acudesk.persistence import change_feed
from acudesk.persistence.change_feed import CONNECTED, DISCONNECTED, ChangeFeed
from acudesk.persistence.changes import Changes, recording_changes
from acudesk.persistence.database import Database
from acudesk.persistence.models import ChangeLogEntry
from acudesk.services import courses, patients
from acudesk.services.clinic import default_actor
from acudesk.services.context import Actor
from acudesk.services.courses import BookingRequest

WAIT_SECONDS = 10.0
COURSE_START = datetime(2027, 3, 1, 10)  # a Monday with no public holiday in England


class Heard:
    """What a feed reported, collected from its thread."""

    def __init__(self) -> None:
        self.changes: list[Changes] = []
        self.statuses: list[str] = []
        self.lock = threading.Lock()

    def changed(self, changes: Changes) -> None:
        with self.lock:
            self.changes.append(changes)

    def status(self, status: str) -> None:
        with self.lock:
            self.statuses.append(status)

    def union(self) -> Changes:
        with self.lock:
            merged = Changes()
            for changes in self.changes:
                merged = merged | changes
            return merged


def until(condition: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS) -> float:
    """Wait for ``condition``; the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"waited {seconds:.0f} s for {what}")
        time.sleep(0.01)
    return time.monotonic() - started


@pytest.fixture
def other(database: Database) -> Iterator[Database]:
    """A second AcuDesk on the same database: its own engine, connections and source id."""
    second = Database.open(database.engine.url)
    assert second.source != database.source
    yield second
    second.dispose()


@pytest.fixture
def other_actor(other: Database) -> Actor:
    """Signed in on ``other`` before the feed starts (a sign-in is a write the feed would hear)."""
    return default_actor(other)


@pytest.fixture
def feed(database: Database) -> Iterator[tuple[ChangeFeed, Heard]]:
    heard = Heard()
    started = ChangeFeed(database, heard.changed, heard.status)
    started.start()
    until(lambda: started.connected, "the feed to connect")
    yield started, heard
    started.stop()
    assert not started.running


def _register(database: Database, actor: Actor, family: str) -> tuple[int, Changes]:
    with recording_changes() as log:
        record = patients.register_patient(database, actor, PatientDetails(family, "Ada", date(1970, 1, 2)))
    return record.id, log.changes


def test_a_patient_registered_by_another_process_reaches_the_feed(database, other, other_actor, feed) -> None:
    started, heard = feed
    patient_id, expected = _register(other, other_actor, "Quill")
    seconds = until(lambda: heard.changes, "the other process's registration")
    assert heard.union() == expected
    assert heard.union().patients and heard.union().patient_ids == frozenset({patient_id})
    assert not heard.union().everything
    assert seconds < 2.0, f"reported after {seconds:.2f} s"


def test_a_course_booked_by_another_process_reaches_the_feed_as_schedule_for_that_patient(
    database, admin, other, other_actor, feed
) -> None:
    started, heard = feed
    patient_id, _ = _register(database, admin, "Haddad")
    actor = other_actor
    with recording_changes() as log:
        courses.book_course(other, actor, BookingRequest(patient_id, actor.user_id, None, COURSE_START, "weekly x2"))
    until(lambda: heard.union().schedule, "the booking")
    assert heard.union() == log.changes
    assert heard.union().tables >= {"appointments"} and heard.union().patient_ids == frozenset({patient_id})


def test_this_process_s_own_writes_are_not_echoed(database, admin, other, other_actor, feed) -> None:
    started, heard = feed
    own_id, _ = _register(database, admin, "Ownly")
    other_id, expected = _register(other, other_actor, "Elsewhere")
    until(lambda: heard.changes, "the other process's write")
    time.sleep(0.8)  # time enough for a (wrong) report of our own write, read before the other's
    assert heard.union() == expected
    assert own_id not in heard.union().patient_ids and other_id in heard.union().patient_ids


def test_writes_that_change_nothing_or_roll_back_leave_no_log_row(database, admin) -> None:
    def rows() -> int:
        with database.read() as tx:
            return int(tx.scalar(select(func.count(ChangeLogEntry.id))) or 0)

    before = rows()
    with database.write():
        pass
    with pytest.raises(ValidationErrors):
        patients.register_patient(database, admin, PatientDetails("", "", date(1979, 3, 4)))
    assert rows() == before
    _register(database, admin, "Logged")
    assert rows() == before + 1


def test_a_schema_without_the_change_log_still_takes_writes(database, admin) -> None:
    """A file restored from a backup older than migration 0008 gets one audit event before anything
    upgrades it (services/backups.py): the write goes through, unlogged."""
    with database.engine.begin() as connection:
        connection.execute(text("DROP TABLE change_log"))
    older = Database.open(database.engine.url)
    try:
        patient_id, changes = _register(older, default_actor(older), "Restored")
        assert changes.patient_ids == frozenset({patient_id})
    finally:
        older.dispose()


def test_rows_pruned_before_the_feed_read_them_are_reported_as_everything(
    database, other, other_actor, feed, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, heard = feed
    monkeypatch.setattr(change_feed, "PRUNE_EVERY", 1)  # every write prunes...
    monkeypatch.setattr(change_feed, "RETENTION", timedelta(0))  # ...every older row
    actor = other_actor
    held, release = threading.Event(), threading.Event()

    def hold_the_feed(changes: Changes) -> None:  # the feed's thread waits here: it reads nothing meanwhile
        heard.changed(changes)
        held.set()
        release.wait(WAIT_SECONDS)

    started.on_changes = hold_the_feed
    _register(other, actor, "First")
    until(held.is_set, "the first write")
    _register(other, actor, "Second")  # pruned by the third before the feed reads it
    third_id, third = _register(other, actor, "Third")
    with other.read() as tx:
        assert tx.scalar(select(func.count(ChangeLogEntry.id))) == 1  # only the third's row is left
    release.set()
    until(lambda: len(heard.changes) == 2, "the report after the gap")
    assert not heard.changes[0].everything
    assert heard.changes[1] == Changes.all()
    started.on_changes = heard.changed  # and the feed goes on from there
    fourth_id, fourth = _register(other, actor, "Fourth")
    until(lambda: len(heard.changes) == 3, "the next write")
    assert heard.changes[2] == fourth


def test_a_log_that_went_back_is_reported_as_everything(database, other, other_actor, feed) -> None:
    """A file restored from a backup (or a database put back) has older log ids than the feed has seen."""
    started, heard = feed
    _register(other, other_actor, "Before")
    until(lambda: heard.changes, "the write")
    with other.engine.begin() as connection:
        connection.execute(text("DELETE FROM change_log"))
    if not database.is_sqlite:
        with other.engine.begin() as connection:
            connection.execute(select(func.pg_notify(change_feed.CHANNEL, "restored 0")))
    until(lambda: len(heard.changes) == 2, "the report after the log went back")
    assert heard.changes[1] == Changes.all()


def test_a_dropped_postgresql_connection_is_reported_then_restored_with_everything(
    database, other, other_actor
) -> None:
    if database.is_sqlite:
        pytest.skip("PostgreSQL only")
    heard = Heard()
    started = ChangeFeed(database, heard.changed, heard.status)
    started.start()
    try:
        until(lambda: started.connected, "the feed to connect")
        first_pid = started.backend_pid
        with other.engine.begin() as connection:
            assert connection.scalar(select(func.pg_terminate_backend(first_pid)))
        until(lambda: DISCONNECTED in heard.statuses, "the feed to notice the dropped connection")
        until(lambda: heard.statuses == [DISCONNECTED, CONNECTED], "the feed to reconnect")
        until(lambda: heard.changes, "the report after reconnecting")
        assert heard.changes == [Changes.all()]  # it may have missed notifications meanwhile
        assert started.connected and started.backend_pid != first_pid
        patient_id, expected = _register(other, other_actor, "Afterwards")
        until(lambda: len(heard.changes) == 2, "a write after the reconnect")
        assert heard.changes[1] == expected
    finally:
        started.stop()
    assert not started.running
