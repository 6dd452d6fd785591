"""Change my own password."""

from __future__ import annotations

from acudesk.domain.errors import AcuDeskError
from acudesk.services import auth
from acudesk.ui.context import AppContext
from acudesk.ui.forms import ERROR_STYLE
from acudesk.ui.qt import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget


def password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class ChangePasswordDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Change my password")
        self.old = password_field("oldPassword")
        self.new = password_field("newPassword")
        self.again = password_field("newPasswordAgain")
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Current password", self.old)
        form.addRow(f"New password (at least {auth.MIN_PASSWORD_LENGTH} characters)", self.new)
        form.addRow("New password again", self.again)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        if self.new.text() != self.again.text():
            self.error.setText("The two new passwords differ.")
            return
        ctx, old, new = self.context, self.old.text(), self.new.text()
        self.buttons.setEnabled(False)
        ctx.operations.write(self, lambda: auth.change_password(ctx.database, ctx.actor, old, new),
                             lambda _r: self.accept(), on_failure=self._failed)

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(error.message if isinstance(error, AcuDeskError) else "The password was not changed.")
