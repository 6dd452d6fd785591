"""The one place that shows errors to people, and the hook that catches unexpected ones.

``AcuDeskError`` messages are written for the user and shown as they are. Anything else is a bug:
its traceback goes to the rotating log (which never holds patient data: only types, modules and
line numbers are logged, not field values) and the user sees a short apology with the log's path.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from acudesk.domain.errors import AcuDeskError, ConflictError, DuplicateError, ValidationErrors
from acudesk.ui.qt import QApplication, QMessageBox, QWidget

log = logging.getLogger("acudesk.ui")
_log_path = ""


def set_log_path(path: str) -> None:
    global _log_path
    _log_path = path


def _parent() -> QWidget | None:
    app = QApplication.instance()
    return app.activeWindow() if isinstance(app, QApplication) else None


def show_error(error: BaseException, parent: QWidget | None = None, title: str = "AcuDesk") -> None:
    parent = parent or _parent()
    if isinstance(error, ValidationErrors):
        text = "Please correct the following:\n\n" + "\n".join(f"• {e.message}" for e in error.errors)
        QMessageBox.warning(parent, title, text)
    elif isinstance(error, ConflictError | DuplicateError):
        QMessageBox.warning(parent, title, error.message)
    elif isinstance(error, AcuDeskError):
        QMessageBox.critical(parent, title, error.message)
    else:
        report_exception(error, parent)


def report_exception(error: BaseException, parent: QWidget | None = None) -> None:
    if isinstance(error, AcuDeskError):
        show_error(error, parent)
        return
    log.error("Unexpected error: %s", redacted_traceback(type(error), error.__traceback__))
    where = f"\n\nDetails were written to the log:\n{_log_path}" if _log_path else ""
    QMessageBox.critical(
        parent or _parent(),
        "AcuDesk: unexpected problem",
        "Something went wrong that AcuDesk did not expect. Your saved work is safe; the action you "
        f"were taking may not have finished.{where}",
    )


def redacted_traceback(kind: type[BaseException], tb: TracebackType | None) -> str:
    """The exception's type and stack, without its message (messages can carry patient data)."""
    return f"{kind.__module__}.{kind.__qualname__}\n" + "".join(traceback.format_tb(tb))


def _excepthook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    log.error("Uncaught exception: %s", redacted_traceback(kind, tb))
    if QApplication.instance() is not None:
        report_exception(error)


def install_excepthook() -> None:
    sys.excepthook = _excepthook
