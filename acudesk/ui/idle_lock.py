"""The idle lock: after some minutes without input, patient data is hidden until the password is given.

An application-wide event filter restarts the countdown on every key press, click or wheel turn.
When it fires, the main window shows the lock screen instead of its content, other AcuDesk windows
are hidden, and menus and toolbars are disabled. Unlocking checks the password on the worker; wrong
passwords count towards the sign-in lock-out. Unlocking signs in anew (``auth.unlock``): the window
acts with the new sign-in from then on and the one from before the lock ends.

"Sign in as someone else" hands the window over: another person signs in with their own name and
password, the charts that were open close (their notes kept as drafts) and the window acts for the
new person (``ui/hand_over.py``).
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
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    is_alive,
)

DEFAULT_IDLE_MINUTES = 10
BOX_WIDTH = 440  # the lock screen's column, narrower than the smallest screen AcuDesk supports (1366×768)
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
    """Shown in place of the window's content while locked. ``unlocked`` fires after the password;
    ``signedInAsSomeoneElse`` after another person signed in with theirs ("Sign in as someone else"):
    the main window then hands the screen over (``MainWindow.hand_over``)."""

    unlocked = Signal()
    signedInAsSomeoneElse = Signal(object)  # the new Actor

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        # Set by the main window: why the screen cannot be handed over now (None: it can).
        self.hand_over_refusal: Callable[[], str | None] = lambda: None
        self.setObjectName("lockScreen")
        self.title = QLabel("AcuDesk is locked")
        self.title.setObjectName("lockTitle")
        self.title.setStyleSheet("font-size: 22px; font-weight: 600;")
        self.title.setWordWrap(True)
        self.who = QLabel()
        self.who.setObjectName("lockWho")
        self.who.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setObjectName("unlockPassword")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password")
        self.password.returnPressed.connect(self.try_unlock)
        self.button = QPushButton("Unlock")
        self.button.clicked.connect(self.try_unlock)
        self.switch_button = QPushButton("Sign in as someone else")
        self.switch_button.setObjectName("signInAsSomeoneElse")
        self.switch_button.clicked.connect(lambda: self.show_someone_else(True))
        self.unlock_page = QWidget()
        unlock_column = QVBoxLayout(self.unlock_page)
        unlock_column.setContentsMargins(0, 0, 0, 0)
        for widget in (self.who, self.password, self.button, self.switch_button):
            unlock_column.addWidget(widget)

        self.other_intro = QLabel()
        self.other_intro.setObjectName("handOverIntro")
        self.other_intro.setWordWrap(True)
        self.other_username = QLineEdit()
        self.other_username.setObjectName("otherUsername")
        self.other_username.setAccessibleName("Your user name")
        self.other_username.setPlaceholderText("Your user name")
        self.other_password = QLineEdit()
        self.other_password.setObjectName("otherPassword")
        self.other_password.setAccessibleName("Your password")
        self.other_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.other_password.setPlaceholderText("Your password")
        self.other_username.returnPressed.connect(self.other_password.setFocus)
        self.other_password.returnPressed.connect(self.try_sign_in_as_someone_else)
        self.other_button = QPushButton("Sign in")
        self.other_button.setObjectName("signInOther")
        self.other_button.clicked.connect(self.try_sign_in_as_someone_else)
        self.back_button = QPushButton("Back")
        self.back_button.clicked.connect(lambda: self.show_someone_else(False))
        self.other_page = QWidget()
        other_column = QVBoxLayout(self.other_page)
        other_column.setContentsMargins(0, 0, 0, 0)
        for widget in (self.other_intro, self.other_username, self.other_password, self.other_button,
                       self.back_button):
            other_column.addWidget(widget)

        self.error = QLabel()
        self.error.setObjectName("lockError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        # A fixed width for the column: word-wrapped labels then get the height their text needs (a column
        # placed with an alignment is sized from its labels' unwrapped hints, which clipped the text).
        box = QWidget()
        box.setObjectName("lockBox")
        box.setFixedWidth(BOX_WIDTH)
        column = QVBoxLayout(box)
        for part in (self.title, self.unlock_page, self.other_page, self.error):
            column.addWidget(part)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        self.reset()

    def reset(self) -> None:
        """Ready for the person signed in (who may have changed since the last lock)."""
        name = self.context.actor.display_name
        self.who.setText(f"Patient information is hidden. {name}, enter your password to go on.")
        self.other_intro.setText(
            f"Sign in with your own name and password. {name} will be signed out: the charts open in "
            f"{name}'s name close first, their unsaved notes kept as drafts.")
        self.password.clear()
        self.other_username.clear()
        self.other_password.clear()
        self.error.clear()
        self.button.setEnabled(True)
        self.other_button.setEnabled(True)
        self.show_someone_else(False)

    def show_someone_else(self, someone_else: bool) -> None:
        self.unlock_page.setVisible(not someone_else)
        self.other_page.setVisible(someone_else)
        self.error.clear()
        (self.other_username if someone_else else self.password).setFocus()

    def try_unlock(self) -> None:
        password = self.password.text()
        ctx = self.context
        self.button.setEnabled(False)
        ctx.operations.write(self, lambda: auth.unlock(ctx.database, ctx.actor, password),
                             self._signed_in_anew, on_failure=self._refused)

    def try_sign_in_as_someone_else(self) -> None:
        ctx = self.context
        username, password = self.other_username.text().strip(), self.other_password.text()
        if not username:
            self.error.setText("Enter your user name.")
            self.other_username.setFocus()
            return
        if username == ctx.actor.username:  # the person signed in, after all: an ordinary unlock
            self.password.setText(password)
            self.show_someone_else(False)
            self.try_unlock()
            return
        refusal = self.hand_over_refusal()
        if refusal is not None:
            self.error.setText(refusal)
            return
        self.other_button.setEnabled(False)
        ctx.operations.write(self, lambda: auth.sign_in(ctx.database, username, password),
                             self.signedInAsSomeoneElse.emit, on_failure=self._refused)

    def _signed_in_anew(self, actor: Actor) -> None:
        """Unlocking is a sign-in: the new one replaces the old, which the services now refuse."""
        self.context.actor = actor
        self.unlocked.emit()

    def _refused(self, error: BaseException) -> None:
        self.button.setEnabled(True)
        self.other_button.setEnabled(True)
        self.password.clear()
        self.other_password.clear()
        self.error.setText(error.message if isinstance(error, AcuDeskError) else "Signing in failed.")


class HiddenWindows:
    """The other top-level AcuDesk windows the lock hid: shown again on unlock, closed on a hand-over."""

    def __init__(self, keep: QWidget) -> None:
        self.windows = [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not keep]
        for window in self.windows:
            window.hide()

    def show_again(self) -> None:
        for window in self.windows:
            if is_alive(window):
                window.show()

    def close_all(self) -> None:
        """Close what the previous person had open (dialogs: as if cancelled)."""
        for window in self.windows:
            if is_alive(window):
                window.close()
