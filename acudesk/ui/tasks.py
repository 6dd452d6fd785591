"""Running database and report work off the GUI thread.

Two threads: the worker runs every job in order (SQLite serialises writers anyway, and ordered jobs
keep "save then reload" simple); a background thread runs the few long read-only jobs
(``background=True``) so that they never hold up the worker. Results come back to the GUI thread
through a queued Qt signal; callbacks never run on the worker, so they may touch widgets. Screens do
not use it directly: they go through ``ui/operations.py``, which drops answers for closed windows
and superseded requests and broadcasts what writes changed. Only start-up (before anyone is signed
in) calls it itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from acudesk.ui.qt import QObject, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    finished = Signal(object, object, object)  # (callback, value, error)

    def __init__(self) -> None:
        super().__init__()
        self.finished.connect(self._deliver)

    def _deliver(self, callback: Callable[[Any, BaseException | None], None], value: Any,
                 error: BaseException | None) -> None:
        callback(value, error)


class TaskRunner:
    """Submit a function to the worker; ``on_done(result)`` or ``on_error(exc)`` runs on the GUI thread."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="acudesk-db")
        # Long read-only jobs with their own connection (the start-up health check reads the whole
        # file) run here, so they never hold up a keystroke's search on the main worker.
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="acudesk-background")
        self._relay = _Relay()
        self.pending = 0

    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        background: bool = False,
    ) -> Future[Any]:
        """Run ``work`` on the worker (or, with ``background``, on the separate long-job thread)."""
        executor = self._background if background else self._executor
        self.pending += 1

        def deliver(value: Any, error: BaseException | None) -> None:
            self.pending -= 1
            if error is None:
                if on_done is not None:
                    on_done(value)
            elif on_error is not None:
                on_error(error)
            else:
                from acudesk.ui.errors import report_exception

                report_exception(error)

        def job() -> Any:
            try:
                value = work()
            except BaseException as error:  # delivered to the GUI thread, not swallowed
                self._relay.finished.emit(deliver, None, error)
                return None
            self._relay.finished.emit(deliver, value, None)
            return value

        try:
            return executor.submit(job)
        except RuntimeError:  # the worker has stopped: the application is closing
            self.pending -= 1
            log.warning("Work submitted after shut-down was not run")
            future: Future[Any] = Future()
            future.cancel()
            return future

    def shutdown(self) -> None:
        """Wait for queued work (saves, the closing backup) to finish, then stop the worker."""
        self._executor.shutdown(wait=True)
        self._background.shutdown(wait=False, cancel_futures=True)
