"""Administrators manage accounts: add a user, set roles, reset a password, deactivate.

The list reloads from the change broadcast whenever accounts change (here, a password changed
elsewhere, another administrator's window).
"""

from __future__ import annotations

from acudesk.domain.errors import AcuDeskError
from acudesk.services import auth
from acudesk.services.auth import UserInfo
from acudesk.services.context import ROLES
from acudesk.ui.admin.password_dialog import password_field
from acudesk.ui.context import AppContext
from acudesk.ui.errors import show_error
from acudesk.ui.forms import ERROR_STYLE, AsksBeforeDiscarding, typed_text
from acudesk.ui.operations import refresh_on_changes
from acudesk.ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from acudesk.ui.tables import close_button, fill_table, read_only_table


class NewUserDialog(AsksBeforeDiscarding, QDialog):
    """Add a user. The dialog saves itself and stays open on an error, with everything typed kept
    and the message under the form, so a taken user name costs one correction, not a retype."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Add a user")
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.password = password_field("password")
        self.role_boxes = _role_boxes()
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Name", self.display_name)
        form.addRow("User name", self.username)
        form.addRow("First password", self.password)
        form.addRow("Roles", _row_of(self.role_boxes))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.discard_what = "The new user"
        self.remember_typed()

    def typed_now(self) -> tuple[str, ...]:
        return typed_text(self.display_name, self.username, self.password)

    def save_typed(self) -> None:
        self.save()

    def roles(self) -> tuple[str, ...]:
        return tuple(role for role, box in self.role_boxes.items() if box.isChecked())

    def save(self) -> None:
        ctx = self.context
        values = (self.username.text(), self.display_name.text(), self.roles(), self.password.text())
        self.error.setText("")
        self.buttons.setEnabled(False)
        ctx.operations.write(self, lambda: auth.create_user(ctx.database, ctx.actor, *values),
                             lambda _user: self.accept(), on_failure=self._failed)

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(error, AcuDeskError):
            self.error.setText(error.message)
        else:
            show_error(error, self)


class RolesDialog(QDialog):
    """Change an existing user's roles (the service keeps the clinic's last administrator)."""

    def __init__(self, context: AppContext, user: UserInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.user = context, user
        self.setWindowTitle(f"Roles of {user.display_name}")
        self.role_boxes = _role_boxes()
        for role, box in self.role_boxes.items():
            box.setChecked(role in user.roles)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{user.display_name} ({user.username}) may work as:"))
        layout.addLayout(_row_of(self.role_boxes))
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        ctx, user_id = self.context, self.user.id
        roles = tuple(role for role, box in self.role_boxes.items() if box.isChecked())
        self.buttons.setEnabled(False)
        ctx.operations.write(self, lambda: auth.set_roles(ctx.database, ctx.actor, user_id, roles),
                             lambda _none: self.accept(), on_failure=self._failed)

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(error, AcuDeskError):
            self.error.setText(error.message)
        else:
            show_error(error, self)


def _role_boxes() -> dict[str, QCheckBox]:
    return {role: QCheckBox(role.capitalize()) for role in ROLES}


def _row_of(boxes: dict[str, QCheckBox]) -> QHBoxLayout:
    row = QHBoxLayout()
    for box in boxes.values():
        row.addWidget(box)
    return row


def _columns(user: UserInfo) -> tuple[str, str, str, str]:
    status = "Active" if user.active else "Deactivated"
    if user.locked_until is not None:
        status += " (locked)"
    return (user.display_name, user.username, ", ".join(sorted(user.roles)), status)


class UsersDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.users: list[UserInfo] = []
        self.setWindowTitle("Users and roles")
        self.table = read_only_table(["Name", "User name", "Roles", "Status"], QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Users")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        buttons = QHBoxLayout()
        for label, slot in (("Add user…", self.add_user), ("Edit roles…", self.edit_roles),
                            ("Reset password…", self.reset_password),
                            ("Deactivate / reactivate", self.toggle_active)):
            button = QPushButton(label)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(close_button(self))
        self.resize(720, 420)
        refresh_on_changes(self, context.operations, lambda changes: changes.staff, self.reload)
        self.reload()

    def reload(self) -> None:
        ctx = self.context
        ctx.operations.query(self, lambda: auth.list_users(ctx.database, ctx.actor), self._show, key="users")

    def _show(self, users: list[UserInfo]) -> None:
        self.users = users
        fill_table(self.table, [_columns(user) for user in users])

    def _selected(self) -> UserInfo | None:
        row = self.table.currentRow()
        return self.users[row] if 0 <= row < len(self.users) else None

    def _run(self, work) -> None:
        """Change accounts; the list reloads from the broadcast."""
        self.context.operations.write(self, work)

    def add_user(self) -> None:
        NewUserDialog(self.context, self).open()  # it saves itself; the list reloads from the broadcast

    def edit_roles(self) -> None:
        user = self._selected()
        if user is not None:
            RolesDialog(self.context, user, self).open()

    def reset_password(self) -> None:
        user = self._selected()
        if user is None:
            return
        password, ok = QInputDialog.getText(self, "Reset password", f"New password for {user.display_name}:",
                                            QLineEdit.EchoMode.Password)
        if ok:
            ctx = self.context
            self._run(lambda: auth.reset_password(ctx.database, ctx.actor, user.id, password))

    def toggle_active(self) -> None:
        user = self._selected()
        if user is not None:
            ctx = self.context
            self._run(lambda: auth.set_active(ctx.database, ctx.actor, user.id, not user.active))



