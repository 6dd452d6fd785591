"""Starting AcuDesk on an encrypted clinic (docs/security.md, "Encryption at rest"), through the real entry
point: the sign-in comes before the database can be opened, a wrong password is refused inline, the right
one opens the window, and the closing backup is encrypted too."""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from journey import STILL_RUNNING, Journey, button, click, sign_in_through_dialog

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.encryption import keys_path
from acudesk.services import auth, backups, encryption, patients
from acudesk.services.clinic import ClinicSetup, create_clinic
from acudesk.services.maintenance import SQLITE_MAGIC, open_database
from acudesk.ui.qt import QLabel, Qt

PASSWORD = "correct horse battery"  # tests/conftest.py TEST_SETUP


@pytest.fixture
def start(qtbot) -> Iterator[Callable[[Path], Journey]]:
    started: list[Journey] = []

    def journey(path: Path) -> Journey:
        started.append(Journey(qtbot, argparse.Namespace(demo=False, db=str(path))))
        return started[-1]

    yield journey
    for each in started:
        each.close()


@pytest.fixture
def encrypted_clinic(tmp_path: Path, test_setup: ClinicSetup) -> Path:
    path = tmp_path / "clinic.sqlite3"
    database = open_database(path)
    create_clinic(database, test_setup)
    admin = auth.sign_in(database, "admin", PASSWORD)
    patients.register_patient(database, admin, PatientDetails("Lowther", "Esme", date(1961, 6, 1)))
    encryption.encrypt_clinic(database, admin, PASSWORD)
    assert not path.read_bytes().startswith(SQLITE_MAGIC)
    return path


def test_an_encrypted_clinic_asks_for_the_password_before_it_opens(start, encrypted_clinic: Path) -> None:
    journey = start(encrypted_clinic)
    startup, qtbot = journey.startup, journey.qtbot

    def wrong_password() -> None:
        dialog = startup.login_dialog
        assert startup.database is None  # nothing could open the file yet
        assert "is encrypted: it opens when you sign in" in dialog.findChild(QLabel).text()
        qtbot.keyClicks(dialog.username, "admin")
        qtbot.keyClicks(dialog.password, "not the password")
        click(qtbot, button(dialog, "Sign in"))

    def refused_inline() -> None:
        assert startup.login_dialog.isVisible() and startup.window is None and startup.database is None

    def opened() -> None:
        window = startup.window
        assert window is not None and window.context.actor.username == "admin"
        assert window.context.database.key is not None
        assert window.patients.count.text() == "1 patient"

    (journey
     .when("the sign-in dialog", lambda: startup.login_dialog is not None and startup.login_dialog.isVisible(),
           wrong_password)
     .when("the inline refusal", lambda: "not right" in startup.login_dialog.error.text(), refused_inline)
     .then("the right password, then Return",
           lambda: (qtbot.keyClicks(startup.login_dialog.password, PASSWORD),
                    qtbot.keyClick(startup.login_dialog.password, Qt.Key.Key_Return)))
     .when("the main window", lambda: startup.window is not None and startup.window.isVisible())
     .then("the clinic, opened with the password", opened))
    assert journey.run() == STILL_RUNNING


def test_the_closing_backup_of_an_encrypted_clinic_is_encrypted(start, encrypted_clinic: Path) -> None:
    journey = start(encrypted_clinic)
    startup = journey.startup

    def quit_with_ctrl_q() -> None:
        startup.window.activateWindow()
        journey.qtbot.keyClick(startup.window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)

    sign_in_through_dialog(journey, "admin", PASSWORD)
    journey.then("Ctrl+Q", quit_with_ctrl_q)
    assert journey.run(until_quit=True) == 0
    journey.shutdown()
    written = backups.list_backups(backups.backup_folder(encrypted_clinic))
    assert len(written) == 1
    backup = written[0].path
    assert not backup.read_bytes().startswith(SQLITE_MAGIC) and keys_path(backup).is_file()
    with closing(sqlite3.connect(backup)) as connection, pytest.raises(sqlite3.DatabaseError):
        connection.execute("SELECT count(*) FROM patients").fetchone()
    assert backups.health_problems(backup, encryption.unlock(encrypted_clinic, "admin", PASSWORD)) == []


def test_file_restore_takes_back_an_encrypted_backup(qtbot, qapp, encrypted_clinic: Path, monkeypatch) -> None:
    """File → Restore from a backup on an encrypted clinic lists its encrypted backups (checked with its key)
    and restores one, encrypted, its keys file with it."""
    from datetime import UTC, datetime

    from acudesk.services.clinic import get_clinic
    from acudesk.ui.admin.restore_dialog import RestoreDialog
    from acudesk.ui.app import create_application
    from acudesk.ui.context import AppContext
    from acudesk.ui.qt import QMessageBox
    from acudesk.ui.tasks import TaskRunner

    create_application()
    signed_in = encryption.open_signed_in(encrypted_clinic, "admin", PASSWORD)
    backup = backups.automatic_backup(signed_in.database, signed_in.actor, now=datetime(2026, 11, 20, 8, tzinfo=UTC))
    assert backup is not None
    patients.register_patient(signed_in.database, signed_in.actor, PatientDetails("Later", "Added", date(1970, 1, 1)))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    runner = TaskRunner()
    context = AppContext(signed_in.database, signed_in.actor, get_clinic(signed_in.database), runner, "test clinic")
    try:
        dialog = RestoreDialog(encrypted_clinic, context)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.list.count() > 0 and bool(dialog.list.item(0).data(256)), timeout=15_000)
        assert dialog.list.item(0).data(256) == str(backup)
        with qtbot.waitSignal(dialog.restored, timeout=15_000) as restored:
            dialog.restore()
        assert restored.args[0] is not None and keys_path(restored.args[0]).is_file()
    finally:
        runner.shutdown()
        signed_in.database.dispose()
    assert not encrypted_clinic.read_bytes().startswith(SQLITE_MAGIC) and keys_path(encrypted_clinic).is_file()
    reopened = encryption.open_signed_in(encrypted_clinic, "admin", PASSWORD)
    try:
        found = patients.search_patients(reopened.database, reopened.actor, "Later")
        assert len(found.ids) == 0  # the patient added after the backup is gone
    finally:
        reopened.database.dispose()
