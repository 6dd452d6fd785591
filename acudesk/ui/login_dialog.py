"""Sign-in at start: user name and password, checked on the worker; failures shown inline.

An encrypted clinic (docs/security.md, "Encryption at rest") cannot be opened before someone signs in:
start-up then gives the dialog no database but ``unlock``, which unwraps the key with the password,
opens the file and signs in (``services.encryption.open_signed_in``); the database it opened is
``database`` once the dialog is accepted.
"""

from __future__ import annotations

from collections.abc import Callable

from acudesk.domain.errors import AcuDeskError
from acudesk.persistence.database import Database
from acudesk.services import auth
from acudesk.services.context import Actor
from acudesk.services.encryption import SignedIn
from acudesk.ui.forms import ERROR_STYLE
from acudesk.ui.qt import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget
from acudesk.ui.tasks import TaskRunner


class LoginDialog(QDialog):
    def __init__(self, database: Database | None, runner: TaskRunner, clinic_name: str, parent: QWidget | None = None,
                 *, unlock: Callable[[str, str], SignedIn] | None = None):
        super().__init__(parent)
        self.database = database
        self.unlock = unlock
        self.runner = runner
        self.actor: Actor | None = None
        self.setWindowTitle("Sign in to AcuDesk")
        hint = ("The clinic database is encrypted: it opens when you sign in." if unlock is not None
                else "Sign in to continue.")
        title = QLabel(f"<h2>{clinic_name}</h2><p>{hint}</p>")
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setObjectName("loginError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("User name", self.username)
        form.addRow("Password", self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        self.buttons.accepted.connect(self.sign_in)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(380)

    def sign_in(self) -> None:
        username, password = self.username.text(), self.password.text()
        if not username.strip():
            self.error.setText("Enter your user name.")
            return
        self.buttons.setEnabled(False)
        self.error.setText("Checking…")
        if self.unlock is not None:
            unlock = self.unlock
            self.runner.run(lambda: unlock(username, password), self._unlocked, self._refused)
            return
        database = self.database
        assert database is not None
        self.runner.run(lambda: auth.sign_in(database, username, password), self._signed_in, self._refused)

    def _unlocked(self, signed_in: SignedIn) -> None:
        self.database = signed_in.database
        self._signed_in(signed_in.actor)

    def _signed_in(self, actor: Actor) -> None:
        self.actor = actor
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.password.clear()
        self.password.setFocus()
        if isinstance(error, AcuDeskError):
            self.error.setText(error.message)
        else:
            from acudesk.ui.errors import report_exception

            self.error.setText("")
            report_exception(error, self)
