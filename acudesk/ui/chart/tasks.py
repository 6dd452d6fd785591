"""Run work for a chart widget: the callbacks are dropped if the widget was closed in the meantime."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from acudesk.ui.qt import QWidget, is_alive
from acudesk.ui.tasks import TaskRunner


def run_for(
    widget: QWidget, runner: TaskRunner, work: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
) -> None:
    def done(value: Any) -> None:
        if is_alive(widget) and on_done is not None:
            on_done(value)

    def failed(error: BaseException) -> None:
        if not is_alive(widget):
            return
        if on_error is not None:
            on_error(error)
        else:
            from acudesk.ui.errors import show_error

            show_error(error, widget)

    runner.run(work, done, failed)
