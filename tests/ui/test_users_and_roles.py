"""Administration → Users and roles, through the main window (issue 18): adding a user keeps what
was typed when the service refuses it, and an existing user's roles can be changed."""

from __future__ import annotations

from acudesk.services import auth
from acudesk.ui.admin.users_dialog import NewUserDialog, RolesDialog, UsersDialog
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow

TIMEOUT = 10_000


def _visible(window: MainWindow, kind):
    return next((d for d in window.findChildren(kind) if d.isVisible()), None)


def _users_dialog(qtbot, context: AppContext, accounts: int = 1) -> tuple[MainWindow, UsersDialog]:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    window.admin.users_action.trigger()
    qtbot.waitUntil(lambda: _visible(window, UsersDialog) is not None, timeout=TIMEOUT)
    users = _visible(window, UsersDialog)
    qtbot.waitUntil(lambda: users.table.rowCount() == accounts, timeout=TIMEOUT)
    return window, users


def _button(dialog, text: str):
    from acudesk.ui.qt import QPushButton

    return next(b for b in dialog.findChildren(QPushButton) if b.text() == text)


def test_a_refused_new_user_keeps_what_was_typed(qtbot, context: AppContext) -> None:
    window, users = _users_dialog(qtbot, context)
    _button(users, "Add user…").click()
    qtbot.waitUntil(lambda: _visible(window, NewUserDialog) is not None, timeout=TIMEOUT)
    new = _visible(window, NewUserDialog)
    qtbot.keyClicks(new.display_name, "Rae Lane")
    qtbot.keyClicks(new.username, "admin")  # taken: the clinic's first user
    qtbot.keyClicks(new.password, "long enough pass")
    new.role_boxes["receptionist"].setChecked(True)
    new.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "taken" in new.error.text(), timeout=TIMEOUT)
    assert new.isVisible()
    assert (new.display_name.text(), new.password.text(), new.roles()) == (
        "Rae Lane", "long enough pass", ("receptionist",))

    new.username.setText("rlane")
    new.buttons.accepted.emit()
    qtbot.waitUntil(lambda: not new.isVisible(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: users.table.rowCount() == 2, timeout=TIMEOUT)


def test_an_existing_users_roles_are_edited(qtbot, context: AppContext) -> None:
    auth.create_user(context.database, context.actor, "rlane", "Rae Lane", ("receptionist",), "long enough pass")
    window, users = _users_dialog(qtbot, context, accounts=2)
    row = next(r for r in range(2) if users.table.item(r, 1).text() == "rlane")
    users.table.selectRow(row)
    _button(users, "Edit roles…").click()
    qtbot.waitUntil(lambda: _visible(window, RolesDialog) is not None, timeout=TIMEOUT)
    roles = _visible(window, RolesDialog)
    assert [role for role, box in roles.role_boxes.items() if box.isChecked()] == ["receptionist"]
    roles.role_boxes["practitioner"].setChecked(True)
    roles.buttons.accepted.emit()
    qtbot.waitUntil(lambda: not roles.isVisible(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: users.table.item(row, 2).text() == "practitioner, receptionist", timeout=TIMEOUT)

    # The clinic's only administrator cannot take the role away from themselves: said in the dialog.
    me = next(r for r in range(2) if users.table.item(r, 1).text() == "admin")
    users.table.selectRow(me)
    _button(users, "Edit roles…").click()
    qtbot.waitUntil(lambda: _visible(window, RolesDialog) is not None, timeout=TIMEOUT)
    roles = _visible(window, RolesDialog)
    roles.role_boxes["administrator"].setChecked(False)
    roles.role_boxes["practitioner"].setChecked(True)
    roles.buttons.accepted.emit()
    qtbot.waitUntil(lambda: "only active administrator" in roles.error.text(), timeout=TIMEOUT)
    assert roles.isVisible()
