"""The one way screens run database and report work: queries, writes, and the "what changed" broadcast.

Modelled on Anki's ``aqt.operations`` (``QueryOp`` and ``CollectionOp`` with ``OpChanges``):

- ``operations.query(parent, work, on_success, key=...)`` runs ``work`` on the worker and hands its
  answer to ``on_success`` on the GUI thread. ``parent`` is the widget (or model) that asked; the
  answer is dropped when it has been deleted (its window was closed) or, with ``key``, when a newer
  query with the same key from the same parent has been started since (a newer keystroke, a newer
  week), or ``forget(parent, key)`` was called.
- ``operations.write(parent, work, on_success)`` does the same for a write, inside
  ``recording_changes()``: the ``Changes`` its transactions committed (persistence/changes.py) are
  broadcast on ``changed`` after ``on_success`` ran, and every screen refreshes from that value.
  A write that fails after one of its transactions committed still broadcasts what that one
  changed; a ``ConflictError`` (someone else saved first) broadcasts ``Changes.all()`` so stale
  screens catch up.
- Failures go to ``on_failure``, or by default to ``show_error`` over the parent's window. A refused
  sign-in (``SignInNotValidError``: signed out elsewhere, a reset password, a deactivated account) is
  announced once on ``sign_in_ended`` instead, and the main window locks (docs/security.md).
- ``progress="Writing the backup…"`` shows a busy dialog when the work takes longer than a moment.
- Each call returns an ``Operation`` whose ``finished`` signal fires once its callbacks ran (or
  were dropped); ``Operations.finished`` and ``Operations.idle`` are there for tests to wait on.

Screens never poll: they connect to ``changed`` (see ``refresh_on_changes``).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from acudesk.domain.errors import AcuDeskError, ConflictError, ServerUnreachableError
from acudesk.persistence.changes import ChangeLog, Changes, recording_changes
from acudesk.services.sign_ins import SignInNotValidError
from acudesk.ui.qt import QEvent, QObject, QProgressDialog, Qt, QWidget, Signal, is_alive
from acudesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)
PROGRESS_AFTER_MS = 400  # a busy dialog appears only for work that takes longer than this

Success = Callable[[Any], None]
Failure = Callable[[BaseException], None]
Saved = TypeVar("Saved")


class Operation(QObject):
    """One piece of work in flight. ``finished`` fires after its callback ran or was dropped."""

    finished = Signal()

    def __init__(self, number: int, parent: QObject | None, key: str | None, writes: bool) -> None:
        super().__init__()
        self.number = number
        self.parent_widget = parent
        self.key = key
        self.writes = writes
        self.value: Any = None
        self.error: BaseException | None = None
        self.changes = Changes()
        self.dropped = False
        self.done = False


class Operations(QObject):
    """Runs operations on the worker and broadcasts what each write changed. One per signed-in window."""

    changed = Signal(object, object)  # (Changes, initiator: the widget whose write it was, or None)
    finished = Signal(object)  # the Operation
    idle = Signal()  # no operation left in flight
    sign_in_ended = Signal()  # a service refused the window's sign-in: the main window locks

    def __init__(self, runner: TaskRunner) -> None:
        super().__init__()
        self.runner = runner
        self._numbers = itertools.count(1)
        self._latest: dict[tuple[int, str], int] = {}
        self._in_flight: set[Operation] = set()

    @property
    def pending(self) -> int:
        return len(self._in_flight)

    def query(self, parent: QObject | None, work: Callable[[], Any], on_success: Success | None = None, *,
              on_failure: Failure | None = None, key: str | None = None, progress: str | None = None,
              background: bool = False) -> Operation:
        """Read (or render) off the GUI thread. ``background`` uses the separate long-job thread."""
        return self._start(parent, work, on_success, on_failure, key, progress, writes=False, background=background)

    def write(self, parent: QObject | None, work: Callable[[], Any], on_success: Success | None = None, *,
              on_failure: Failure | None = None, key: str | None = None, progress: str | None = None) -> Operation:
        """Change data off the GUI thread, then broadcast what changed."""
        return self._start(parent, work, on_success, on_failure, key, progress, writes=True, background=False)

    def forget(self, parent: QObject, key: str) -> None:
        """Drop the answer of ``parent``'s request under ``key`` still in flight (its input changed)."""
        self._latest[(id(parent), key)] = 0  # no operation has number 0

    def broadcast(self, changes: Changes, initiator: object | None = None) -> None:
        """Tell every screen what changed (also for changes made outside an operation, e.g. a restore)."""
        if changes:
            log.debug("Changed: %s", changes.describe())
            self.changed.emit(changes, initiator)

    # -- internals ---------------------------------------------------------------------------------
    def _start(self, parent: QObject | None, work: Callable[[], Any], on_success: Success | None,
               on_failure: Failure | None, key: str | None, progress: str | None, *, writes: bool,
               background: bool) -> Operation:
        operation = Operation(next(self._numbers), parent, key, writes)
        if key is not None and parent is not None:
            self._latest[(id(parent), key)] = operation.number
        self._in_flight.add(operation)
        busy = self._progress_dialog(parent, progress) if progress else None

        logs: list[ChangeLog] = []  # filled on the worker, read on the GUI thread after the answer

        def recorded() -> tuple[Any, Changes]:
            with recording_changes() as log:
                logs.append(log)
                value = work()
            return value, log.changes

        def succeeded(result: Any) -> None:
            if writes:
                operation.value, operation.changes = result
            else:
                operation.value = result
            self._deliver(operation, busy, on_success, on_failure)

        def failed(error: BaseException) -> None:
            operation.error = error
            if logs:  # work that failed after one of its transactions committed: that part did change
                operation.changes = logs[0].changes
            if writes and isinstance(error, ConflictError):
                operation.changes = Changes.all()
            if isinstance(error, SignInNotValidError):
                self.sign_in_ended.emit()
            self._deliver(operation, busy, on_success, on_failure)

        self.runner.run(recorded if writes else work, succeeded, failed, background=background)
        return operation

    def _progress_dialog(self, parent: QObject | None, label: str) -> QProgressDialog:
        owner = parent.window() if isinstance(parent, QWidget) else None
        dialog = QProgressDialog(label, "", 0, 0, owner)
        dialog.setWindowTitle("AcuDesk")
        dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(PROGRESS_AFTER_MS)
        dialog.setValue(0)
        return dialog

    def _current(self, operation: Operation) -> bool:
        """Whether the operation's answer is still wanted: its parent exists and nothing superseded it."""
        parent = operation.parent_widget
        if parent is not None and not is_alive(parent):
            return False
        if operation.key is not None and parent is not None:
            slot = (id(parent), operation.key)
            if self._latest.get(slot) != operation.number:
                return False
            del self._latest[slot]
        return True

    def _deliver(self, operation: Operation, busy: QProgressDialog | None, on_success: Success | None,
                 on_failure: Failure | None) -> None:
        try:
            if busy is not None and is_alive(busy):
                busy.reset()
                busy.deleteLater()
            if not self._current(operation):
                operation.dropped = True
                log.debug("Answer for a closed window or a superseded request dropped")
            elif operation.error is None:
                if on_success is not None:
                    on_success(operation.value)
            elif on_failure is not None:
                on_failure(operation.error)
            elif not operation.writes and isinstance(operation.error, ServerUnreachableError):
                # The status bar says "Reconnecting…" and every screen reloads once the server is back
                # (ui/live_changes.py): a box for each screen's failed read would only pile up.
                log.warning("A read failed while the database server did not answer; screens reload on reconnect")
            elif isinstance(operation.error, SignInNotValidError):
                log.info("The window's sign-in was refused; the lock screen asks for the password")
            else:
                from acudesk.ui.errors import show_error

                parent = operation.parent_widget
                window = parent.window() if isinstance(parent, QWidget) and is_alive(parent) else None
                show_error(operation.error, window)
        finally:
            # Data changed even when the window that asked is gone: every other screen must still hear it.
            if operation.writes:
                initiator = operation.parent_widget if not operation.dropped else None
                self.broadcast(operation.changes, initiator)
            operation.done = True
            self._in_flight.discard(operation)
            operation.finished.emit()
            self.finished.emit(operation)
            if not self._in_flight:
                self.idle.emit()


class ChangeListener(QObject):
    """Keeps one screen current: when a broadcast ``wants`` it, ``reload()`` runs at once if the screen
    is visible, or the next time it is shown (a tab in the background, a chart hidden by the lock)."""

    def __init__(self, screen: QWidget, operations: Operations, wants: Callable[[Changes], bool],
                 reload: Callable[[], None]) -> None:
        super().__init__(screen)  # owned by the screen: deleted (and disconnected) with it
        self.screen = screen
        self.wants = wants
        self.reload = reload
        self.stale = False
        operations.changed.connect(self._changed)
        screen.installEventFilter(self)

    def _changed(self, changes: Changes, _initiator: object) -> None:
        if not is_alive(self.screen) or not self.wants(changes):
            return
        if self.screen.isVisible():
            self.stale = False
            self.reload()
        else:
            self.stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self.reload()
        return False


def save_then(save: Callable[[], Saved], step: Callable[[Saved], Saved] | None) -> tuple[Saved, AcuDeskError | None]:
    """Work for ``operations.write``: ``save``, then, when given, ``step`` on what was saved (activate the
    plan, sign the session). A refused step leaves the save standing (it is committed and broadcast):
    the saved record comes back with the refusal, for the screen to show both."""
    saved = save()
    if step is None:
        return saved, None
    try:
        return step(saved), None
    except AcuDeskError as error:
        return saved, error


def refresh_on_changes(screen: QWidget, operations: Operations, wants: Callable[[Changes], bool],
                       reload: Callable[[], None]) -> ChangeListener:
    """Keep ``screen`` current from the change broadcast (see ``ChangeListener``)."""
    return ChangeListener(screen, operations, wants, reload)
