"""Screens that stay current across workstations: other processes' writes, broadcast like this one's.

``LiveChanges`` runs the signed-in window's ``ChangeFeed`` (persistence/change_feed.py). The feed's
thread only emits this object's private signals; Qt queues them to the GUI thread, where a change
goes into ``Operations.broadcast(changes, initiator=None)``, exactly where the process's own writes
go (ui/operations.py), and the connection's status becomes ``statusChanged`` for the status bar.

The feed runs while the window is locked: screens hidden by the lock are marked stale and reload
when shown again (``refresh_on_changes``), and nothing is read meanwhile. It stops when the window
closes and before a restore replaces the database file.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from acudesk.persistence.change_feed import CONNECTED, DISCONNECTED, ChangeFeed
from acudesk.persistence.changes import Changes
from acudesk.persistence.database import Database
from acudesk.ui.operations import Operations
from acudesk.ui.qt import QObject, Signal

log = logging.getLogger(__name__)
RECONNECTING = "Reconnecting to the database server…"


class LiveChanges(QObject):
    """Starts and stops the change feed; its reports arrive on the GUI thread."""

    statusChanged = Signal(str)  # CONNECTED or DISCONNECTED, on the GUI thread
    _changed_elsewhere = Signal(object)  # emitted on the feed's thread: queued to the GUI thread
    _status_reported = Signal(str)

    def __init__(self, database: Database, operations: Operations) -> None:
        super().__init__()
        self.database = database
        self.operations = operations
        self.feed: ChangeFeed | None = None
        self.connected = True
        self._stopped = False
        self._emitting = threading.Lock()  # no emit begins after stop() returned, whatever the thread does
        self._changed_elsewhere.connect(self._broadcast)
        self._status_reported.connect(self._status)

    def start(self) -> None:
        """Start following other processes' writes (once; a stopped feed is not started again)."""
        if self.feed is not None:
            return
        self.feed = ChangeFeed(self.database, lambda changes: self._emit(self._changed_elsewhere, changes),
                               lambda status: self._emit(self._status_reported, status))
        self.feed.start()
        log.info("Following other workstations' changes")

    def stop(self, *, wait: bool = True) -> None:
        """Stop the feed. ``wait=False`` returns at once (closing the window); the thread ends by itself."""
        with self._emitting:
            self._stopped = True
        if self.feed is not None:
            self.feed.stop(wait=wait)

    def _emit(self, signal: Any, value: object) -> None:
        """On the feed's thread: hand ``value`` to the GUI thread, unless stopped."""
        with self._emitting:
            if not self._stopped:
                signal.emit(value)

    def _broadcast(self, changes: Changes) -> None:
        self.operations.broadcast(changes, None)

    def _status(self, status: str) -> None:
        self.connected = status == CONNECTED
        self.statusChanged.emit(status)


__all__ = ["CONNECTED", "DISCONNECTED", "RECONNECTING", "LiveChanges"]
