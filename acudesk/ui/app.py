"""Starting the desktop application: logging, error hook, database, first-run set-up, window.

Start-up is one job on the worker (``_open_clinic``: open and upgrade the database, check whether
set-up is needed, read the clinic and the idle-lock setting), so the GUI thread makes one round
trip before the sign-in dialog or the window. This module does not import the data layer
(SQLAlchemy, the models, the services) at its top: the app's entry point has imported it already,
before Qt (``acudesk.preload``), and the jobs import what they use (docs/performance.md).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from acudesk.domain.errors import DatabaseError
from acudesk.logging_setup import configure_logging
from acudesk.preferences import load_preferences
from acudesk.ui.appearance import apply_appearance
from acudesk.ui.errors import install_excepthook, set_log_path, show_error
from acudesk.ui.qt import QApplication, QMessageBox, QObject, QProgressDialog, Qt, QTimer, Signal
from acudesk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from acudesk.persistence.database import Database
    from acudesk.services.clinic import ClinicInfo
    from acudesk.services.context import Actor
    from acudesk.ui.admin.restore_dialog import RestoreDialog
    from acudesk.ui.login_dialog import LoginDialog
    from acudesk.ui.main_window import MainWindow
    from acudesk.ui.setup_dialog import SetupDialog

log = logging.getLogger(__name__)
Progress = Callable[[int, str], None]
FIRST_ROWS_WAIT_MS = 250  # the longest the new window waits for the patient list's first rows
# The integrity check (quick_check) reads the whole file on a thread of its own. Started with the
# window it took a core from the first paint and the first search on a 2-core machine (start to
# rows painted ~700 -> ~640 ms, first search typed 40 -> 26 ms without it); a few seconds later
# nobody is waiting for anything. A damaged file is still reported within seconds of opening.
HEALTH_CHECK_DELAY_MS = 5_000


@dataclass(frozen=True)
class OpenedClinic:
    """What start-up learns in its one worker job. ``clinic`` is None when set-up is needed;
    ``actor`` is set when nobody has to sign in (the demo clinic, or the ``sign_in`` hook)."""

    database: Database
    clinic: ClinicInfo | None
    idle_minutes: float
    actor: Actor | None = None


def _open_clinic(target: str, *, demo: bool, sign_in: Callable[[Database], Actor] | None,
                 progress: Progress) -> OpenedClinic:
    """Runs on the worker: everything start-up needs from the database, in one job."""
    from acudesk.services.clinic import get_clinic, idle_lock_minutes, needs_setup
    from acudesk.services.maintenance import open_database
    from acudesk.ui.temporary_documents import remove_leftovers

    try:  # PDFs an earlier run made to open or print and could not remove (a crash, a power cut)
        remove_leftovers()
    except OSError as error:
        log.warning("Temporary documents left by earlier runs could not be removed: %s", error.strerror)
    database = open_database(target)
    try:
        actor = None
        if demo:
            from acudesk.services.demo import build_demo_clinic

            progress(1, "Building the demo clinic…")
            actor = build_demo_clinic(database, progress=progress)
        elif needs_setup(database):
            return OpenedClinic(database, None, 0)
        elif sign_in is not None:
            actor = sign_in(database)
        return OpenedClinic(database, get_clinic(database), idle_lock_minutes(database), actor)
    except BaseException:
        database.dispose()
        raise


def _load_clinic(database: Database) -> tuple[ClinicInfo, float]:
    from acudesk.services.clinic import get_clinic, idle_lock_minutes

    return get_clinic(database), idle_lock_minutes(database)


class _ProgressRelay(QObject):
    progressed = Signal(int, str)


class Startup:
    """Opens the database on the worker, runs set-up if needed, then shows the main window."""

    def __init__(
        self, app: QApplication, args: argparse.Namespace, *, sign_in: Callable[[Database], Actor] | None = None
    ) -> None:
        """``sign_in`` replaces the sign-in dialog, for the start-up benchmark (bench/) only.

        Tests start the application without it and sign in through the real dialog
        (tests/ui/journey.py); tests/test_architecture.py fails if a test passes ``sign_in=``."""
        self.app = app
        self.args = args
        self.sign_in = sign_in
        self.target_path: str | None = None
        self.label = ""
        self.setup_dialog: SetupDialog | None = None
        self.login_dialog: LoginDialog | None = None
        self.restore_dialog: RestoreDialog | None = None
        self.runner = TaskRunner()
        self.window: MainWindow | None = None
        self.database: Database | None = None
        self.demo_dir: str | None = None
        self.progress = QProgressDialog("Opening the clinic database…", "", 0, 100)
        self.progress.setWindowTitle("AcuDesk")
        self.progress.setCancelButton(None)
        self.progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.progress.setMinimumDuration(300)
        self.relay = _ProgressRelay()
        self.relay.progressed.connect(self._on_progress)
        # Start-up passes through moments with no visible window: the set-up or sign-in dialog has
        # closed and the main window waits for its first rows. Qt's default (quit when the last
        # window closes) ended the application right there, after every correct sign-in. The
        # application quits when the main window closes or a start-up dialog is cancelled.
        app.setQuitOnLastWindowClosed(False)

    def target(self) -> tuple[str, str]:
        if self.args.demo:
            self.demo_dir = tempfile.mkdtemp(prefix="acudesk-demo-")
            return str(Path(self.demo_dir) / "demo.sqlite3"), "Demo clinic (throwaway copy)"
        if self.args.db:
            return str(self.args.db), str(self.args.db)
        if os.environ.get("ACUDESK_DATABASE_URL"):
            url = os.environ["ACUDESK_DATABASE_URL"]
            return url, url.split("@")[-1]
        from acudesk.paths import default_database_path

        path = default_database_path()
        return str(path), str(path)

    def start(self) -> None:
        if self.target_path is None:
            self.target_path, self.label = self.target()
        target, demo, sign_in = self.target_path, bool(self.args.demo), self.sign_in
        if demo:
            self.progress.setValue(1)
        self.runner.run(lambda: _open_clinic(target, demo=demo, sign_in=sign_in, progress=self.relay.progressed.emit),
                        self._opened, self._fail)

    def _on_progress(self, percent: int, text: str) -> None:
        self.progress.setLabelText(text)
        self.progress.setValue(percent)

    def _opened(self, opened: OpenedClinic) -> None:
        self.database = opened.database
        if opened.clinic is None:
            self._run_setup()
        elif opened.actor is not None:
            self._show_main(opened.actor, (opened.clinic, opened.idle_minutes))
        else:
            self._ask_to_sign_in(opened.clinic, opened.idle_minutes)

    def _run_setup(self) -> None:
        from acudesk.ui.setup_dialog import SetupDialog

        database = self.database
        assert database is not None
        self.progress.reset()
        # Shown like the sign-in dialog, not exec()'d in a loop of its own: the application's loop
        # runs it. A refused form keeps it open with everything typed; Cancel ends the application.
        dialog = self.setup_dialog = SetupDialog()

        def set_up() -> None:
            setup = dialog.setup
            assert setup is not None  # the dialog accepts only a checked set-up

            def create():
                from acudesk.services.clinic import create_clinic

                return create_clinic(database, setup)

            self.runner.run(create, self._show_main, self._fail)

        dialog.accepted.connect(set_up)
        dialog.rejected.connect(lambda: self.app.exit(0))
        dialog.open()

    def _ask_to_sign_in(self, clinic: ClinicInfo, idle_minutes: float) -> None:
        from acudesk.ui.login_dialog import LoginDialog

        assert self.database is not None
        self.progress.reset()
        dialog = self.login_dialog = LoginDialog(self.database, self.runner, clinic.name)

        def signed_in() -> None:
            assert dialog.actor is not None  # the dialog accepts only after a successful sign-in
            self._show_main(dialog.actor, (clinic, idle_minutes))

        dialog.accepted.connect(signed_in)
        dialog.rejected.connect(lambda: self.app.exit(0))
        dialog.show()

    def _show_main(self, actor: Actor, loaded: tuple[ClinicInfo, float] | None = None) -> None:
        """The main window, once someone is signed in. ``loaded`` (clinic, idle minutes) is read
        again only after first-run set-up, which has just created it."""
        assert self.database is not None
        database = self.database
        if loaded is None:
            self.runner.run(lambda: _load_clinic(database), lambda fresh: self._show_main(actor, fresh), self._fail)
            return
        from acudesk.ui.context import AppContext
        from acudesk.ui.main_window import MainWindow

        clinic, minutes = loaded
        self.progress.reset()
        context = AppContext(database, actor, clinic, self.runner, self.label, idle_lock_minutes=minutes)
        self.window = MainWindow(context)
        self.window.closed.connect(self.app.quit)
        self._show_with_first_rows(self.window)

    def _show_with_first_rows(self, window) -> None:
        """Show the window when the patient list's first answer is in (or after ``FIRST_ROWS_WAIT_MS``):
        it then appears once, with its rows, instead of empty and laid out and painted again."""
        shown = False

        def show() -> None:
            nonlocal shown
            if shown:
                return
            shown = True
            window.patients.model.answered.disconnect(show)
            window.show_fitted()
            log.info("Main window shown")
            QTimer.singleShot(HEALTH_CHECK_DELAY_MS, self._check_health_in_background)

        window.patients.model.answered.connect(show)
        QTimer.singleShot(FIRST_ROWS_WAIT_MS, show)

    def _check_health_in_background(self) -> None:
        """quick_check after the window is up (it reads the whole file, so not on the start-up path)."""
        from acudesk.services.backups import check_health

        path = self.database.sqlite_path if self.database else None
        key = self.database.key if self.database else None  # an encrypted clinic is checked with its key
        if path is not None:
            check = (lambda: check_health(path)) if key is None else (lambda: check_health(path, key))
            self.runner.run(check, None, self._damaged_while_open, background=True)

    def _damaged_while_open(self, error: BaseException) -> None:
        from acudesk.services.backups import DamagedDatabaseError

        if not isinstance(error, DamagedDatabaseError):
            show_error(error)
            return
        QMessageBox.critical(self.window, "The clinic database is damaged",
                             f"{error.message}\n\nStop working now and ask your administrator to restore "
                             "the newest good backup (File → Restore from a backup…).")

    def _ask_to_unlock(self, path: Path) -> None:
        """An encrypted clinic: the sign-in comes first, since only a password opens the file; then the
        clinic and the idle-lock setting are read as ``_open_clinic`` would have read them."""
        from acudesk.services.encryption import open_signed_in
        from acudesk.ui.login_dialog import LoginDialog

        target = str(path)
        dialog = self.login_dialog = LoginDialog(None, self.runner, path.name,
                                                 unlock=lambda name, password: open_signed_in(target, name, password))

        def signed_in() -> None:
            assert dialog.actor is not None and dialog.database is not None
            self.database = dialog.database
            self._show_main(dialog.actor)

        dialog.accepted.connect(signed_in)
        dialog.rejected.connect(lambda: self.app.exit(0))
        dialog.show()

    def _fail(self, error: BaseException) -> None:
        self.progress.reset()
        from acudesk.services.encryption import EncryptedDatabaseError

        if isinstance(error, EncryptedDatabaseError):
            self._ask_to_unlock(error.path)
            return
        path = Path(self.target_path) if self.target_path and "://" not in self.target_path else None
        if path is not None and path.is_file() and isinstance(error, DatabaseError):
            from acudesk.services.backups import check_health

            self.runner.run(lambda: check_health(path), lambda _ok: self._give_up(error), self._offer_restore)
            return
        self._give_up(error)

    def _give_up(self, error: BaseException) -> None:
        show_error(error, title="AcuDesk cannot open the clinic database")
        self.app.exit(1)

    def _offer_restore(self, error: BaseException) -> None:
        from acudesk.services.backups import DamagedDatabaseError
        from acudesk.ui.admin.restore_dialog import RestoreDialog

        if not isinstance(error, DamagedDatabaseError):
            self._give_up(error)
            return
        if self.database is not None:
            self.database.dispose()
            self.database = None
        # Nobody can sign in to a damaged file, so this restore has no actor: given the bare runner the
        # dialog uses backups.restore_damaged_database, which refuses a healthy file (docs/security.md).
        dialog = self.restore_dialog = RestoreDialog(error.path, self.runner,
                                                     message=error.message + " Choose a backup to restore.")
        dialog.restored.connect(lambda _aside: self.start())
        dialog.rejected.connect(lambda: self.app.exit(1))
        dialog.show()

    def shutdown(self) -> None:
        if self.window is not None:
            self.window.context.live.stop()  # waits for the change feed's thread to close its connection
        self.runner.shutdown()
        if self.database is not None:
            self.database.dispose()
        if self.demo_dir:
            shutil.rmtree(self.demo_dir, ignore_errors=True)
        from acudesk.ui.temporary_documents import remove_this_run

        remove_this_run()  # the PDFs made to open or print: patient data, not kept past the run


def create_application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("AcuDesk")
    app.setOrganizationName("AcuDesk")
    app.setStyle("Fusion")
    apply_appearance(app, high_contrast=load_preferences().high_contrast)  # View → High contrast, per computer
    add_script_fonts(app)
    return app


_SCRIPT_FAMILIES: list[str] = []


def add_script_fonts(app: QApplication) -> list[str]:
    """Register the fonts the PDFs embed for names in other scripts (CJK, hangul, Arabic, Hebrew, Devanagari)
    and list them after the system font in the application font's families, so that Qt falls back to them
    on a computer without a font for that script (Qt shapes and orders the text itself). About 2 ms: the
    files' character maps are read, their glyphs only when drawn. Returns the families added."""
    from acudesk.paths import script_font_paths
    from acudesk.ui.qt import QFontDatabase, QFontInfo

    added = _SCRIPT_FAMILIES
    if not added:  # once per process, however many times the application object is set up (tests)
        for path in script_font_paths():
            for family in QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(path))):
                if family not in added:
                    added.append(family)
    font = app.font()
    # The system font by the family it resolves to: a generic name ("Sans Serif") is no family Qt finds by
    # name, so the first script font would become the font of every text, with its taller line (line edits'
    # text was drawn too high and cut at the top).
    families = [QFontInfo(font).family(), *(family for family in font.families() if family not in added)]
    font.setFamilies(list(dict.fromkeys([*families, *added])))
    app.setFont(font)
    return list(added)


def run_gui(args: argparse.Namespace) -> int:
    log_path = configure_logging()
    if log_path:
        set_log_path(str(log_path))
    app = create_application()
    install_excepthook()
    startup = Startup(app, args)
    startup.start()
    try:
        return app.exec()
    finally:
        startup.shutdown()


__all__ = ["run_gui", "create_application", "Startup"]
