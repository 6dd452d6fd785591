"""Sign-in at start: user name and password, checked on the worker; failures shown inline."""

from __future__ import annotations

from acudesk.domain.errors import AcuDeskError
from acudesk.persistence.database import Database
from acudesk.services import auth
from acudesk.services.context import Actor
from acudesk.ui.forms import ERROR_STYLE
from acudesk.ui.qt import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget
from acudesk.ui.tasks import TaskRunner


class LoginDialog(QDialog):
    def __init__(self, database: Database, runner: TaskRunner, clinic_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.database = database
        self.runner = runner
        self.actor: Actor | None = None
        self.setWindowTitle("Sign in to AcuDesk")
        title = QLabel(f"<h2>{clinic_name}</h2><p>Sign in to continue.</p>")
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
        self.runner.run(lambda: auth.sign_in(self.database, username, password), self._signed_in, self._refused)

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
