"""Starting the desktop application: logging, error hook, database, first-run set-up, window."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from acudesk.domain.errors import DatabaseError
from acudesk.logging_setup import configure_logging
from acudesk.persistence.database import Database
from acudesk.services.clinic import idle_lock_minutes
from acudesk.services.context import Actor
from acudesk.ui.errors import install_excepthook, set_log_path, show_error
from acudesk.ui.qt import QApplication, QMessageBox, QObject, QProgressDialog, Qt, Signal
from acudesk.ui.style import STYLE_SHEET
from acudesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)


class _ProgressRelay(QObject):
    progressed = Signal(int, str)


class Startup:
    """Opens the database on the worker, runs set-up if needed, then shows the main window."""

    def __init__(
        self, app: QApplication, args: argparse.Namespace, *, sign_in: Callable[[Database], Actor] | None = None
    ) -> None:
        """``sign_in`` replaces the sign-in dialog (benchmarks and tests only)."""
        self.app = app
        self.args = args
        self.sign_in = sign_in
        self.target_path: str | None = None
        self.label = ""
        self.login_dialog = None
        self.restore_dialog = None
        self.runner = TaskRunner()
        self.window = None
        self.database: Database | None = None
        self.demo_dir: str | None = None
        self.progress = QProgressDialog("Opening the clinic database…", "", 0, 100)
        self.progress.setWindowTitle("AcuDesk")
        self.progress.setCancelButton(None)
        self.progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.progress.setMinimumDuration(300)
        self.relay = _ProgressRelay()
        self.relay.progressed.connect(self._on_progress)

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
        target = self.target_path
        from acudesk.services.maintenance import open_database

        self.runner.run(lambda: open_database(target), self._opened, self._fail)

    def _on_progress(self, percent: int, text: str) -> None:
        self.progress.setLabelText(text)
        self.progress.setValue(percent)

    def _opened(self, database: Database) -> None:
        self.database = database
        from acudesk.services.clinic import needs_setup

        if self.args.demo:
            from acudesk.services.demo import build_demo_clinic

            self.progress.setValue(1)
            self.runner.run(
                lambda: build_demo_clinic(database, progress=self.relay.progressed.emit),
                lambda actor: self._show_main(actor), self._fail,
            )
            return
        self.runner.run(lambda: needs_setup(database), self._setup_if_needed, self._fail)

    def _setup_if_needed(self, needed: bool) -> None:
        from acudesk.services.clinic import create_clinic

        database = self.database
        assert database is not None
        if not needed:
            if self.sign_in is not None:
                self.runner.run(lambda: self.sign_in(database), self._show_main, self._fail)
                return
            from acudesk.services.clinic import get_clinic

            self.runner.run(lambda: get_clinic(database), self._ask_to_sign_in, self._fail)
            return
        self.progress.reset()
        from acudesk.ui.setup_dialog import SetupDialog

        dialog = SetupDialog()
        if dialog.exec() != SetupDialog.DialogCode.Accepted or dialog.setup is None:
            self.app.exit(0)
            return
        setup = dialog.setup
        self.runner.run(lambda: create_clinic(database, setup), self._show_main, self._fail)

    def _ask_to_sign_in(self, clinic) -> None:  # type: ignore[no-untyped-def]
        from acudesk.ui.login_dialog import LoginDialog

        assert self.database is not None
        self.progress.reset()
        self.login_dialog = LoginDialog(self.database, self.runner, clinic.name)
        self.login_dialog.accepted.connect(lambda: self._show_main(self.login_dialog.actor))
        self.login_dialog.rejected.connect(lambda: self.app.exit(0))
        self.login_dialog.show()

    def _show_main(self, actor) -> None:  # type: ignore[no-untyped-def]
        from acudesk.services.clinic import get_clinic
        from acudesk.ui.context import AppContext
        from acudesk.ui.main_window import MainWindow

        assert self.database is not None
        database = self.database

        def load():  # type: ignore[no-untyped-def]
            return get_clinic(database), idle_lock_minutes(database)

        def show(loaded) -> None:  # type: ignore[no-untyped-def]
            clinic, minutes = loaded
            self.progress.reset()
            context = AppContext(database, actor, clinic, self.runner, self.label, idle_lock_minutes=minutes)
            self.window = MainWindow(context)
            self.window.show()
            log.info("Main window shown")
            self._check_health_in_background()

        self.runner.run(load, show, self._fail)

    def _check_health_in_background(self) -> None:
        """quick_check after the window is up (it reads the whole file, so not on the start-up path)."""
        from acudesk.services.backups import check_health

        path = self.database.sqlite_path if self.database else None
        if path is not None:
            self.runner.run(lambda: check_health(path), None, self._damaged_while_open, background=True)

    def _damaged_while_open(self, error: BaseException) -> None:
        from acudesk.services.backups import DamagedDatabaseError

        if not isinstance(error, DamagedDatabaseError):
            show_error(error)
            return
        QMessageBox.critical(self.window, "The clinic database is damaged",
                             f"{error.message}\n\nStop working now and ask your administrator to restore "
                             "the newest good backup (File → Restore from a backup…).")

    def _fail(self, error: BaseException) -> None:
        self.progress.reset()
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
        self.restore_dialog = RestoreDialog(error.path, self.runner,
                                            message=error.message + " Choose a backup to restore.")
        self.restore_dialog.restored.connect(lambda _aside: self.start())
        self.restore_dialog.rejected.connect(lambda: self.app.exit(1))
        self.restore_dialog.show()

    def shutdown(self) -> None:
        self.runner.shutdown()
        if self.database is not None:
            self.database.dispose()
        if self.demo_dir:
            shutil.rmtree(self.demo_dir, ignore_errors=True)


def create_application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("AcuDesk")
    app.setOrganizationName("AcuDesk")
    app.setStyle("Fusion")
    app.setStyleSheet(STYLE_SHEET)
    from acudesk.reports.fonts import hanzi_font_path
    from acudesk.ui.qt import QFontDatabase

    QFontDatabase.addApplicationFont(hanzi_font_path())  # the same hanzi subset the PDFs embed
    return app


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
