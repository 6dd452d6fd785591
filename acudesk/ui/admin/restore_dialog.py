"""Choose a backup and put it in place of the clinic database (the current file is kept aside).

Start-up offers it before anyone is signed in, with the bare ``TaskRunner``: that path stays on the
runner and restores through ``restore_damaged_database`` (no actor: it refuses a file someone could
sign in to). Given the signed-in ``AppContext`` instead, it restores as the signed-in actor
(``restore_backup``, which checks ``MANAGE_BACKUPS``) through ``context.operations`` (the restore shows
a busy dialog, answers for a closed dialog are dropped) and, unless AcuDesk restarts, broadcasts that
everything changed so every open screen reloads from the restored file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from acudesk.domain import dates
from acudesk.persistence.changes import Changes
from acudesk.services.backups import (
    BackupInfo,
    backup_folder,
    health_problems,
    list_backups,
    restore_backup,
    restore_damaged_database,
)
from acudesk.ui.context import AppContext
from acudesk.ui.errors import show_error
from acudesk.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from acudesk.ui.tasks import TaskRunner


class RestoreDialog(QDialog):
    """Lists good automatic backups, newest first. Emits ``restored(aside_path)`` when done."""

    restored = Signal(object)

    def __init__(
        self, database_path: Path, runner: TaskRunner | AppContext, *, parent: QWidget | None = None,
        message: str = "", before_restore: Callable[[], None] | None = None, restart_needed: bool = False,
    ) -> None:
        """``runner``: the start-up ``TaskRunner``, or the signed-in ``AppContext`` (work then goes through
        its operations)."""
        super().__init__(parent)
        self.database_path = database_path
        self.context = runner if isinstance(runner, AppContext) else None
        self.runner = runner.runner if isinstance(runner, AppContext) else runner
        self.before_restore = before_restore
        self.restart_needed = restart_needed
        self.setWindowTitle("Restore from a backup")
        intro = QLabel(message or "Choose the backup to restore. The current database file is kept, renamed, "
                                  "next to it; nothing is deleted.")
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Automatic backups, newest first")
        self.other = QPushButton("Choose another file…")
        self.other.clicked.connect(self.choose_file)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Restore")
        self.buttons.accepted.connect(self.restore)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, self.list, self.other, self.buttons):
            layout.addWidget(widget)
        self.resize(560, 380)
        folder = backup_folder(database_path)
        # An encrypted clinic's backups are encrypted with its key (docs/security.md, "Encryption at rest").
        self.key = self.context.database.key if self.context is not None else None

        def good_backups() -> list[BackupInfo]:
            return [b for b in list_backups(folder) if not health_problems(b.path, self.key)]

        if self.context is not None:
            self.context.operations.query(self, good_backups, self._show, key="backups")
        else:
            self.runner.run(good_backups, self._show)

    def _show(self, backups: list[BackupInfo]) -> None:
        # The clinic's time; a damaged database at start-up has no clinic to ask, so this computer's.
        zone = self.context.zone if self.context is not None else dates.computer_zone()
        for info in backups:
            item = QListWidgetItem(f"{dates.day_and_time(info.taken_at, zone)} — {info.size / 1e6:.1f} MB")
            item.setData(256, str(info.path))
            self.list.addItem(item)
        if backups:
            self.list.setCurrentRow(0)
        else:
            self.list.addItem("No automatic backups were found beside this database.")

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Backup file", str(self.database_path.parent),
                                              "AcuDesk database (*.sqlite3)")
        if path:
            item = QListWidgetItem(Path(path).name)
            item.setData(256, path)
            self.list.insertItem(0, item)
            self.list.setCurrentRow(0)

    def restore(self) -> None:
        item = self.list.currentItem()
        chosen = item.data(256) if item is not None else None
        if not chosen:
            return
        if self.before_restore is not None:
            self.before_restore()
        self.buttons.setEnabled(False)
        target = self.database_path
        context = self.context
        if context is not None:
            key = self.key
            context.operations.write(self, lambda: restore_backup(context.actor, Path(chosen), target, key), self._done,
                                     on_failure=self._failed, progress="Restoring the backup…")
        else:
            self.runner.run(lambda: restore_damaged_database(Path(chosen), target), self._done, self._failed)

    def _done(self, aside: Path | None) -> None:
        kept = f"\n\nThe previous file was kept as {aside.name}." if aside else ""
        restart = ""
        if self.restart_needed:
            restart = "\n\nAcuDesk will now close; start it again to use the restored database."
        QMessageBox.information(self, "Restored", f"The backup is in place.{kept}{restart}")
        if self.context is not None and not self.restart_needed:
            # The file was replaced under every screen, not written row by row: nothing was recorded.
            self.context.operations.broadcast(Changes.all())
        self.restored.emit(aside)
        self.accept()
        if self.restart_needed:
            from acudesk.ui.qt import QApplication

            QApplication.quit()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        show_error(error, self)
