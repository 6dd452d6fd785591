"""The administration actions (ui/admin/actions.py) in the main window's menus, as each role sees them."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from acudesk.services.context import RECEPTIONIST
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QFileDialog

TIMEOUT = 10_000


def _menus(window: MainWindow) -> dict[str, list[tuple[str, bool]]]:
    """Menu title → its entries as (text, enabled), separators as ("", True)."""
    return {a.text().replace("&", ""): [(e.text(), e.isEnabled()) for e in a.menu().actions()]
            for a in window.menuBar().actions()}


def _window(qtbot, context: AppContext) -> MainWindow:
    window = MainWindow(context)
    qtbot.addWidget(window)
    return window


def test_an_administrator_finds_every_admin_action_in_place(qtbot, context: AppContext) -> None:
    menus = _menus(_window(qtbot, context))
    assert menus["File"] == [("Back up database…", True), ("Restore from a backup…", True), ("", True),
                             ("Change my password…", True), ("Lock now", True), ("", True), ("Quit", True)]
    assert menus["Administration"] == [("Users and roles…", True), ("Clinic settings…", True), ("Audit log…", True)]


def test_a_receptionist_sees_backups_greyed_and_no_administration_menu(qtbot, context: AppContext) -> None:
    from acudesk.services import auth

    auth.create_user(context.database, context.actor, "desk", "Front Desk", (RECEPTIONIST,), "front desk password")
    desk = replace(context, actor=auth.sign_in(context.database, "desk", "front desk password"))
    menus = _menus(_window(qtbot, desk))
    assert menus["File"][:4] == [("Back up database…", False), ("Restore from a backup…", False), ("", True),
                                 ("Change my password…", True)]
    assert "Administration" not in menus


def test_back_up_writes_a_copy_audited_with_the_signed_in_person(
    qtbot, context: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = _window(qtbot, context)
    destination = tmp_path / "copy.sqlite3"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(destination), ""))
    window.admin.backup_action.trigger()
    qtbot.waitUntil(lambda: "Backup written" in window.statusBar().currentMessage(), timeout=TIMEOUT)
    source = context.database.sqlite_path
    assert source is not None
    with sqlite3.connect(source) as connection:
        row = connection.execute("SELECT action, user_id FROM audit_events ORDER BY id DESC").fetchone()
    assert row == ("backup", context.actor.user_id)
    assert destination.is_file()
