"""Sign-in at start, the idle lock, and starting on a damaged database file."""

from __future__ import annotations

import argparse
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from journey import STILL_RUNNING, Journey, sign_in_through_dialog

from acudesk.domain.patients import PatientDetails
from acudesk.services import backups, patients
from acudesk.services.clinic import ClinicSetup, create_clinic, default_actor
from acudesk.services.maintenance import open_database
from acudesk.services.sign_ins import SignInNotValidError
from acudesk.ui.app import Startup, create_application
from acudesk.ui.context import AppContext
from acudesk.ui.login_dialog import LoginDialog
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QMessageBox

TIMEOUT = 15_000
PASSWORD = "correct horse battery"


@pytest.fixture
def clinic_path(tmp_path: Path, test_setup: ClinicSetup) -> Path:
    path = tmp_path / "clinic.sqlite3"
    database = open_database(path)
    create_clinic(database, test_setup)
    patients.register_patient(database, default_actor(database), PatientDetails("Lowther", "Esme", date(1961, 6, 1)))
    database.dispose()
    return path


@pytest.fixture
def startup(qapp, clinic_path: Path):
    app = create_application()
    started = Startup(app, argparse.Namespace(demo=False, db=str(clinic_path)))
    yield started
    for dialog in (started.setup_dialog, started.login_dialog, started.restore_dialog):
        if dialog is not None:  # closing them would reject them, and a rejected start-up dialog quits the app
            dialog.blockSignals(True)
            dialog.close()
    if started.window is not None:
        started.window.close()
    started.shutdown()


def test_sign_in_is_required_and_a_wrong_password_is_refused(qtbot, startup: Startup) -> None:
    startup.start()
    qtbot.waitUntil(lambda: startup.login_dialog is not None and startup.login_dialog.isVisible(), timeout=TIMEOUT)
    dialog: LoginDialog = startup.login_dialog
    qtbot.keyClicks(dialog.username, "admin")
    qtbot.keyClicks(dialog.password, "not the password")
    dialog.sign_in()
    qtbot.waitUntil(lambda: "not right" in dialog.error.text(), timeout=TIMEOUT)
    assert startup.window is None
    qtbot.keyClicks(dialog.password, PASSWORD)
    dialog.sign_in()
    qtbot.waitUntil(lambda: startup.window is not None and startup.window.isVisible(), timeout=TIMEOUT)
    assert startup.window.context.actor.username == "admin"
    qtbot.waitUntil(lambda: startup.window.patients.count.text() == "1 patient", timeout=TIMEOUT)


def test_the_idle_lock_hides_patients_until_the_password_is_given(qtbot, context: AppContext) -> None:
    context.idle_lock_minutes = 0.01  # 0.6 s
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.is_locked, timeout=TIMEOUT)
    assert not window.patients.isVisible()
    assert not window.menuBar().isEnabled()
    qtbot.keyClicks(window.lock_screen.password, "wrong password")
    window.lock_screen.try_unlock()
    qtbot.waitUntil(lambda: "not right" in window.lock_screen.error.text(), timeout=TIMEOUT)
    assert window.is_locked
    locked_by = context.actor
    qtbot.keyClicks(window.lock_screen.password, PASSWORD)
    window.lock_screen.try_unlock()
    qtbot.waitUntil(lambda: not window.is_locked, timeout=TIMEOUT)
    assert window.patients.isVisible()
    window.idle.stop()
    # Unlocking signed in anew: the window acts with the new sign-in, the one from before the lock has ended.
    assert context.actor is not locked_by and context.actor == locked_by
    patients.search_patients(context.database, context.actor, "")
    with pytest.raises(SignInNotValidError):
        patients.search_patients(context.database, locked_by, "")


def test_a_refused_sign_in_locks_the_window_until_the_password_signs_in_anew(qtbot, context: AppContext) -> None:
    """Signed out elsewhere (or a reset password): the next search is refused, and the window locks and says
    why, instead of a box per screen; the password signs in anew and the window goes on."""
    from acudesk.services import auth

    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    ended = context.actor
    auth.sign_out(context.database, ended)
    window.patients.search.setText("Lowther")
    qtbot.waitUntil(lambda: window.is_locked, timeout=TIMEOUT)
    assert window.lock_screen.error.text() == "Your sign-in is no longer valid: sign in again."
    assert not window.patients.isVisible()
    qtbot.keyClicks(window.lock_screen.password, PASSWORD)
    window.lock_screen.try_unlock()
    qtbot.waitUntil(lambda: not window.is_locked, timeout=TIMEOUT)
    assert context.actor is not ended and window.patients.isVisible()
    patients.search_patients(context.database, context.actor, "")
    window.idle.stop()


def test_a_damaged_file_offers_the_newest_good_backup_and_keeps_the_damaged_one(
    qtbot, startup: Startup, clinic_path: Path, monkeypatch
) -> None:
    database = open_database(clinic_path)
    backup = backups.automatic_backup(database, default_actor(database), now=datetime(2026, 11, 20, 8, 0, tzinfo=UTC))
    database.dispose()
    with sqlite3.connect(clinic_path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    clinic_path.write_bytes(b"SQLite format 3\x00" + b"\x13" * 8000)
    damaged = clinic_path.read_bytes()
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)

    startup.start()
    qtbot.waitUntil(lambda: startup.restore_dialog is not None and startup.restore_dialog.isVisible(),
                    timeout=TIMEOUT)
    dialog = startup.restore_dialog
    qtbot.waitUntil(lambda: dialog.list.count() > 0 and bool(dialog.list.item(0).data(256)), timeout=TIMEOUT)
    assert dialog.list.item(0).data(256) == str(backup)
    dialog.restore()
    qtbot.waitUntil(lambda: startup.login_dialog is not None and startup.login_dialog.isVisible(), timeout=TIMEOUT)
    kept = [p for p in clinic_path.parent.iterdir() if ".replaced-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged


def test_damage_found_after_opening_is_reported_once_the_window_has_settled(
    qtbot, qapp, clinic_path: Path, monkeypatch
) -> None:
    """The integrity check runs HEALTH_CHECK_DELAY_MS after the window appears, off the start-up path."""
    from acudesk.ui import app as app_module

    checked: list[Path] = []

    def damaged(path: Path) -> None:
        checked.append(path)
        raise backups.DamagedDatabaseError(path, ["page 7: btree corrupt"], [])

    warned: list[str] = []
    monkeypatch.setattr(backups, "check_health", damaged)
    monkeypatch.setattr(app_module, "HEALTH_CHECK_DELAY_MS", 300)
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: warned.append(title))

    def not_checked_yet() -> None:
        assert checked == []  # not while the window is being shown

    journey = Journey(qtbot, argparse.Namespace(demo=False, db=str(clinic_path)))
    try:
        sign_in_through_dialog(journey, "admin", PASSWORD)
        (journey
         .then("no check while the window is shown", not_checked_yet)
         .when("the damage warning", lambda: warned == ["The clinic database is damaged"]))
        assert journey.run() == STILL_RUNNING
        assert checked == [clinic_path]
    finally:
        journey.close()
