"""Journeys through the real entry point: first start, sign-in, idle lock, quit, cancel.

Each test starts AcuDesk as ``run_gui`` does (no ``sign_in=`` hook) and runs the application's own
event loop, so Qt quits here exactly when it would quit in production (tests/ui/journey.py).
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from journey import STILL_RUNNING, Journey, button, click, sign_in_through_dialog

from acudesk.domain.patients import PatientDetails
from acudesk.services import backups, patients
from acudesk.services.clinic import IDLE_LOCK_SETTING, ClinicSetup, create_clinic, default_actor
from acudesk.services.maintenance import open_database
from acudesk.ui.qt import QAction, QLabel, QLineEdit, Qt

PASSWORD = "correct horse battery"  # tests/conftest.py TEST_SETUP
STILL_THERE_MS = 1_500


@pytest.fixture
def start(qtbot) -> Iterator[Callable[[Path], Journey]]:
    """``start(path)``: a journey on the clinic database at ``path`` (a new file means a new clinic)."""
    started: list[Journey] = []

    def journey(path: Path) -> Journey:
        started.append(Journey(qtbot, argparse.Namespace(demo=False, db=str(path))))
        return started[-1]

    yield journey
    for each in started:
        each.close()


def _clinic(path: Path, setup: ClinicSetup, *, idle_lock_minutes: float | None = None) -> Path:
    database = open_database(path)
    create_clinic(database, setup)
    patients.register_patient(database, default_actor(database), PatientDetails("Lowther", "Esme", date(1961, 6, 1)))
    if idle_lock_minutes is not None:
        # Written directly: the settings service accepts 1 to 120 minutes, too long for a test.
        from acudesk.persistence.models.clinic import Setting

        with database.write() as session:
            session.add(Setting(key=IDLE_LOCK_SETTING, value={"minutes": idle_lock_minutes}))
    database.dispose()
    return path


@pytest.fixture
def clinic_path(tmp_path: Path, test_setup: ClinicSetup) -> Path:
    return _clinic(tmp_path / "clinic.sqlite3", test_setup)


def _status_bar_texts(journey: Journey) -> list[str]:
    assert journey.startup.window is not None
    return [label.text() for label in journey.startup.window.statusBar().findChildren(QLabel)]


def _editor(dialog, name: str) -> QLineEdit:
    editor = dialog.findChild(QLineEdit, name)
    assert editor is not None, name
    return editor


# -- a new clinic's first start ---------------------------------------------------------------------

NEW_CLINIC = {
    "clinic_name": "Willow Lane Acupuncture",
    "admin_display_name": "Mei Lin",
    "admin_username": "mei",
    "admin_password": "plum blossom 88",
}


def test_a_new_clinic_is_set_up_through_the_dialog_and_its_window_stays_open(start, tmp_path: Path) -> None:
    journey = start(tmp_path / "new.sqlite3")
    startup, qtbot = journey.startup, journey.qtbot

    def fill_in_and_create() -> None:
        dialog = startup.setup_dialog
        for name, text in NEW_CLINIC.items():
            qtbot.keyClicks(_editor(dialog, name), text)
        qtbot.keyClicks(_editor(dialog, "password_again"), NEW_CLINIC["admin_password"])
        click(qtbot, button(dialog, "Create clinic"))

    def still_there() -> None:
        window = startup.window
        assert window is not None and window.isVisible()
        assert not startup.setup_dialog.isVisible()
        assert window.context.actor.username == "mei"
        assert window.windowTitle() == "AcuDesk — Willow Lane Acupuncture"
        assert window.patients.count.text() == "0 patients"  # the new clinic's empty list
        assert window.patients.model.rowCount() == 0
        assert any(text.startswith("Mei Lin (") for text in _status_bar_texts(journey))
        assert journey.quit_requests == [] and not journey.quit_seen

    (journey
     .when("the set-up dialog", lambda: startup.setup_dialog is not None and startup.setup_dialog.isVisible(),
           fill_in_and_create)
     .when("the main window", lambda: startup.window is not None and startup.window.isVisible())
     .wait(STILL_THERE_MS, "the main window to stay open")
     .then("the main window, still open, with the empty patient list", still_there))
    assert journey.run() == STILL_RUNNING


def test_a_refused_set_up_keeps_the_dialog_open_with_everything_typed(start, tmp_path: Path) -> None:
    journey = start(tmp_path / "new.sqlite3")
    startup, qtbot = journey.startup, journey.qtbot

    def fill_in_with_two_different_passwords() -> None:
        dialog = startup.setup_dialog
        for name, text in NEW_CLINIC.items():
            qtbot.keyClicks(_editor(dialog, name), text)
        qtbot.keyClicks(_editor(dialog, "password_again"), "plum blossom 89")
        click(qtbot, button(dialog, "Create clinic"))

    def refused_and_kept() -> None:
        dialog = startup.setup_dialog
        assert dialog.isVisible() and startup.window is None
        assert dialog.fields["password_again"].error.text() == "The two passwords differ."
        assert dialog.fields["password_again"].error.isVisible()
        for name, text in NEW_CLINIC.items():
            assert _editor(dialog, name).text() == text, name
        assert _editor(dialog, "password_again").text() == "plum blossom 89"
        assert journey.quit_requests == []

    def correct_and_create() -> None:
        dialog = startup.setup_dialog
        again = _editor(dialog, "password_again")
        again.selectAll()
        qtbot.keyClicks(again, NEW_CLINIC["admin_password"])
        click(qtbot, button(dialog, "Create clinic"))

    (journey
     .when("the set-up dialog", lambda: startup.setup_dialog is not None and startup.setup_dialog.isVisible(),
           fill_in_with_two_different_passwords)
     .wait(300, "the refused form")
     .then("the dialog, still open, with the error and everything typed", refused_and_kept)
     .then("the corrected password", correct_and_create)
     .when("the main window", lambda: startup.window is not None and startup.window.isVisible()))
    assert journey.run() == STILL_RUNNING
    assert startup.window.context.actor.username == "mei"


# -- signing in -------------------------------------------------------------------------------------

def test_a_wrong_password_is_refused_inline_and_the_right_one_opens_the_window_for_good(
    start, clinic_path: Path
) -> None:
    journey = start(clinic_path)
    startup, qtbot = journey.startup, journey.qtbot

    def wrong_password_and_click_sign_in() -> None:
        dialog = startup.login_dialog
        qtbot.keyClicks(dialog.username, "admin")
        qtbot.keyClicks(dialog.password, "not the password")
        click(qtbot, button(dialog, "Sign in"))

    def refused_inline() -> None:
        dialog = startup.login_dialog
        assert dialog.isVisible() and startup.window is None
        assert dialog.password.text() == ""  # cleared for the next try; the user name stays
        assert dialog.username.text() == "admin"

    def still_there() -> None:
        window = startup.window
        assert window is not None and window.isVisible()
        assert not startup.login_dialog.isVisible()
        assert window.context.actor.username == "admin"
        assert window.patients.count.text() == "1 patient"
        assert "Dr Test Admin (administrator, practitioner)" in _status_bar_texts(journey)
        assert journey.quit_requests == [] and not journey.quit_seen

    (journey
     .when("the sign-in dialog", lambda: startup.login_dialog is not None and startup.login_dialog.isVisible(),
           wrong_password_and_click_sign_in)
     .when("the inline refusal", lambda: "not right" in startup.login_dialog.error.text(), refused_inline)
     .then("the right password, then Return",
           lambda: (qtbot.keyClicks(startup.login_dialog.password, PASSWORD),
                    qtbot.keyClick(startup.login_dialog.password, Qt.Key.Key_Return)))
     .when("the main window", lambda: startup.window is not None and startup.window.isVisible())
     .wait(STILL_THERE_MS, "the main window to stay open")
     .then("the main window, still open, for the signed-in user", still_there))
    assert journey.run() == STILL_RUNNING


# -- the idle lock ----------------------------------------------------------------------------------

def test_the_idle_lock_of_the_started_app_hides_patients_until_the_password(
    start, tmp_path: Path, test_setup: ClinicSetup
) -> None:
    journey = start(_clinic(tmp_path / "idle.sqlite3", test_setup, idle_lock_minutes=0.02))  # 1.2 s
    startup, qtbot = journey.startup, journey.qtbot

    def locked() -> None:
        window = startup.window
        assert window.context.idle_lock_minutes == 0.02  # read from the clinic's settings at start
        assert not window.patients.isVisible()
        assert not window.menuBar().isEnabled()
        qtbot.keyClicks(window.lock_screen.password, "wrong password")
        qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)

    def refused() -> None:
        window = startup.window
        assert window.is_locked and not window.patients.isVisible()
        qtbot.keyClicks(window.lock_screen.password, PASSWORD)
        click(qtbot, button(window.lock_screen, "Unlock"))

    def unlocked() -> None:
        window = startup.window
        assert window.isVisible() and window.patients.isVisible() and window.menuBar().isEnabled()
        assert journey.quit_requests == [] and not journey.quit_seen

    sign_in_through_dialog(journey, "admin", PASSWORD)
    (journey
     .when("the idle lock", lambda: startup.window.is_locked, locked)
     .when("the lock screen's refusal", lambda: "not right" in startup.window.lock_screen.error.text(), refused)
     .when("the window unlocked", lambda: not startup.window.is_locked, unlocked))
    assert journey.run() == STILL_RUNNING


# -- quitting and cancelling ------------------------------------------------------------------------

def _menu_action(window, menu_title: str, text: str) -> QAction:
    menus = [a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == menu_title]
    assert len(menus) == 1, menu_title
    found = [a for a in menus[0].actions() if a.text().replace("&", "") == text]
    assert len(found) == 1, text
    return found[0]


def test_quit_closes_the_window_ends_the_application_and_leaves_a_closing_backup(
    start, clinic_path: Path, caplog
) -> None:
    """Ctrl+Q on the main window (the File menu's Quit action, explicit Ctrl+Q on every platform)."""
    caplog.set_level(logging.WARNING)
    folder = backups.backup_folder(clinic_path)
    assert backups.list_backups(folder) == []
    journey = start(clinic_path)
    startup = journey.startup

    def quit_with_ctrl_q() -> None:
        assert journey.quit_requests == []
        action = _menu_action(startup.window, "File", "Quit")
        assert action.isEnabled() and action.shortcut().toString() == "Ctrl+Q"
        startup.window.activateWindow()
        journey.qtbot.keyClick(startup.window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)

    sign_in_through_dialog(journey, "admin", PASSWORD)
    journey.then("Ctrl+Q", quit_with_ctrl_q)
    assert journey.run(until_quit=True) == 0
    assert journey.quit_requests == [("quit",)]  # the window's ``closed`` asked for it
    assert not startup.window.isVisible()
    journey.shutdown()  # as run_gui after the loop: waits for the closing backup
    written = backups.list_backups(folder)
    assert len(written) == 1 and written[0].size > 0
    assert backups.health_problems(written[0].path) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    _assert_signed_out_after_the_closing_backup(clinic_path)


def _assert_signed_out_after_the_closing_backup(path: Path) -> None:
    """Quitting ended the window's sign-in (services/sign_ins.py), audited after the closing backup."""
    from sqlalchemy import select

    from acudesk.persistence.models import AuditEvent
    from acudesk.persistence.models.clinic import SignInSession

    database = open_database(path)
    try:
        with database.read() as tx:
            sign_in = tx.scalars(select(SignInSession).order_by(SignInSession.id.desc())).first()
            actions = list(tx.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    finally:
        database.dispose()
    assert sign_in is not None and sign_in.ended_at is not None and sign_in.end_reason == "signed out"
    assert actions[-3:] == ["login", "backup", "logout"]


def test_cancelling_the_sign_in_ends_the_application_with_code_0(start, clinic_path: Path) -> None:
    journey = start(clinic_path)
    startup, qtbot = journey.startup, journey.qtbot
    journey.when("the sign-in dialog", lambda: startup.login_dialog is not None and startup.login_dialog.isVisible(),
                 lambda: click(qtbot, button(startup.login_dialog, "Cancel")))
    assert journey.run(until_quit=True) == 0
    assert journey.quit_requests == [("exit", 0)]
    assert startup.window is None


def test_cancelling_the_set_up_ends_the_application_with_code_0(start, tmp_path: Path) -> None:
    journey = start(tmp_path / "new.sqlite3")
    startup, qtbot = journey.startup, journey.qtbot

    def type_a_little_and_cancel() -> None:
        qtbot.keyClicks(_editor(startup.setup_dialog, "clinic_name"), "Willow Lane")
        click(qtbot, button(startup.setup_dialog, "Cancel"))

    journey.when("the set-up dialog", lambda: startup.setup_dialog is not None and startup.setup_dialog.isVisible(),
                 type_a_little_and_cancel)
    assert journey.run(until_quit=True) == 0
    assert journey.quit_requests == [("exit", 0)]
    assert startup.window is None
