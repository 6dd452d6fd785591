"""The idle lock: after some minutes without input, patient data is hidden until the password is given.

An application-wide event filter restarts the countdown on every key press, click or wheel turn.
When it fires, the main window shows the lock screen instead of its content, other AcuDesk windows
are hidden, and menus and toolbars are disabled. Unlocking checks the password on the worker; wrong
passwords count towards the sign-in lock-out. Unlocking signs in anew (``auth.unlock``): the window
acts with the new sign-in from then on and the one from before the lock ends.
"""

from __future__ import annotations

from collections.abc import Callable

from acudesk.domain.errors import AcuDeskError
from acudesk.services import auth
from acudesk.services.context import Actor
from acudesk.ui.context import AppContext
from acudesk.ui.forms import ERROR_STYLE
from acudesk.ui.qt import (
    QApplication,
    QEvent,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

DEFAULT_IDLE_MINUTES = 10
_ACTIVITY = {
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    """Emits ``idle`` after ``minutes`` without user input anywhere in the application."""

    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, int(minutes * 60_000)))
        self.timer.timeout.connect(self.idle)
        self.paused = False
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.paused and event.type() in _ACTIVITY:
            self.timer.start()
        return False

    def pause(self) -> None:
        self.paused = True
        self.timer.stop()

    def resume(self) -> None:
        self.paused = False
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class LockScreen(QWidget):
    """Shown in place of the window's content while locked. ``unlocked`` fires after the password."""

    unlocked = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("lockScreen")
        title = QLabel("<h1>AcuDesk is locked</h1>")
        who = QLabel(f"Patient information is hidden. {context.actor.display_name}, enter your password to go on.")
        who.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setObjectName("unlockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password")
        self.password.returnPressed.connect(self.try_unlock)
        self.button = QPushButton("Unlock")
        self.button.clicked.connect(self.try_unlock)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        box = QWidget()
        box.setMaximumWidth(420)
        column = QVBoxLayout(box)
        for widget in (title, who, self.password, self.button, self.error):
            column.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def reset(self) -> None:
        self.password.clear()
        self.error.clear()
        self.button.setEnabled(True)
        self.password.setFocus()

    def try_unlock(self) -> None:
        password = self.password.text()
        ctx = self.context
        self.button.setEnabled(False)
        ctx.operations.write(self, lambda: auth.unlock(ctx.database, ctx.actor, password),
                             self._signed_in_anew, on_failure=self._refused)

    def _signed_in_anew(self, actor: Actor) -> None:
        """Unlocking is a sign-in: the new one replaces the old, which the services now refuse."""
        self.context.actor = actor
        self.unlocked.emit()

    def _refused(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        self.password.clear()
        self.error.setText(error.message if isinstance(error, AcuDeskError) else "Unlocking failed.")


def hide_other_windows(keep: QWidget) -> Callable[[], None]:
    """Hide every other visible top-level AcuDesk window; return a function that shows them again."""
    hidden = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not keep]
    for window in hidden:
        window.hide()

    def restore() -> None:
        for window in hidden:
            window.show()

    return restore
