"""The main window's administration and account actions: back up, restore, users and roles, the audit
log, clinic settings, changing one's own password, and the automatic backup (every five minutes and on close).

``AdminActions`` owns the ``QAction``s and what they do; the main window only places them in its menus
(File: back up, restore, change my password; Administration: users and roles, clinic settings, audit log) and calls
``back_up_on_close`` from its ``closeEvent``. Each service checks the permission again; the enabled
state here only mirrors it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from acudesk.persistence.changes import Changes
from acudesk.services.clinic import ClinicInfo
from acudesk.services.permissions import Permission, allowed
from acudesk.ui.context import AppContext
from acudesk.ui.qt import QAction, QFileDialog, QMainWindow, QObject, QTimer

log = logging.getLogger(__name__)
BACKUP_CHECK_MS = 5 * 60_000  # the service itself allows one automatic backup per 30 minutes


class AdminActions(QObject):
    """The actions, built for ``window`` (their parent, and the parent of the dialogs they open)."""

    def __init__(self, window: QMainWindow, context: AppContext) -> None:
        super().__init__(window)
        self.window = window
        self.context = context
        can = lambda permission: allowed(context.actor, permission)  # noqa: E731
        sqlite = context.database.is_sqlite
        self.backup_action = QAction("Back up database…", window)
        self.backup_action.triggered.connect(self.backup)
        self.backup_action.setEnabled(can(Permission.MANAGE_BACKUPS) and sqlite)
        self.restore_action = QAction("Restore from a backup…", window)
        self.restore_action.triggered.connect(self.restore_backup)
        self.restore_action.setEnabled(can(Permission.MANAGE_BACKUPS) and sqlite)
        self.password_action = QAction("Change my password…", window)
        self.password_action.triggered.connect(self.change_password)
        self.users_action = QAction("Users and roles…", window)
        self.users_action.triggered.connect(self.manage_users)
        self.users_action.setEnabled(can(Permission.MANAGE_USERS))
        self.audit_action = QAction("Audit log…", window)
        self.audit_action.triggered.connect(self.show_audit_log)
        self.audit_action.setEnabled(can(Permission.VIEW_AUDIT))
        self.clinic_settings_action = QAction("Clinic settings…", window)
        self.clinic_settings_action.setToolTip("Rooms, opening hours, visit types and fees, closures and leave")
        self.clinic_settings_action.triggered.connect(self.clinic_settings)
        self.clinic_settings_action.setEnabled(can(Permission.MANAGE_CLINIC))
        # The Administration menu exists only for someone who may use at least one of its entries.
        self.administration = ([self.users_action, self.clinic_settings_action, self.audit_action]
                               if can(Permission.MANAGE_USERS) or can(Permission.VIEW_AUDIT)
                               or can(Permission.MANAGE_CLINIC) else [])
        # Screens read the clinic's hours, name and currency from ``context.clinic``: kept current here.
        context.operations.changed.connect(self._clinic_maybe_changed)
        self.backup_timer = QTimer(window)
        self.backup_timer.setInterval(BACKUP_CHECK_MS)
        self.backup_timer.timeout.connect(self.automatic_backup)
        if sqlite:
            self.backup_timer.start()

    def backup(self) -> None:
        window = self.window
        source = self.context.database.sqlite_path
        suggested = str(Path.home() / f"{source.stem if source else 'acudesk'}-backup.sqlite3")
        path, _ = QFileDialog.getSaveFileName(window, "Back up database", suggested, "AcuDesk database (*.sqlite3)")
        if not path:
            return
        from acudesk.services.maintenance import backup_database

        ctx = self.context
        window.statusBar().showMessage("Writing backup…")
        ctx.operations.write(
            window, lambda: backup_database(ctx.database, ctx.actor, Path(path)),
            lambda written: window.statusBar().showMessage(f"Backup written to {written}", 8000),
            progress="Writing the backup…",
        )

    def automatic_backup(self, on_close: bool = False) -> None:
        from acudesk.services.backups import automatic_backup

        window = self.window
        database, actor = self.context.database, self.context.actor  # for whoever is signed in
        work = lambda: automatic_backup(database, actor, on_close=on_close)  # noqa: E731
        if on_close:  # the window is gone by the time this finishes: report to the log only
            self.context.operations.write(None, work, None, on_failure=lambda error: log.error(
                "Closing backup failed: %s", type(error).__name__))
            return

        def done(path: Path | None) -> None:
            if path is not None:
                window.statusBar().showMessage(f"Backup saved ({path.name})", 5000)

        self.context.operations.write(window, work, done, on_failure=lambda error: window.statusBar().showMessage(
            f"Backup failed: {getattr(error, 'message', 'see the log')}", 15000))

    def back_up_on_close(self) -> None:
        """The window is closing: no more timed backups; one last one if something changed."""
        self.backup_timer.stop()
        if self.context.database.is_sqlite:
            self.automatic_backup(on_close=True)  # the worker finishes it before the app exits

    def change_password(self) -> None:
        from acudesk.ui.admin.password_dialog import ChangePasswordDialog

        ChangePasswordDialog(self.context, self.window).open()

    def manage_users(self) -> None:
        from acudesk.ui.admin.users_dialog import UsersDialog

        UsersDialog(self.context, self.window).open()

    def clinic_settings(self) -> None:
        from acudesk.ui.admin.clinic_settings_dialog import ClinicSettingsDialog

        ClinicSettingsDialog(self.context, self.window).open()

    def _clinic_maybe_changed(self, changes: Changes, _initiator: object) -> None:
        if not changes.clinic:
            return
        from acudesk.services.clinic import get_clinic

        database = self.context.database
        self.context.operations.query(self, lambda: get_clinic(database), self._clinic_loaded, key="clinic",
                                      on_failure=lambda error: log.warning(
                                          "The clinic's settings could not be read again: %s", type(error).__name__))

    def _clinic_loaded(self, clinic: ClinicInfo) -> None:
        old, self.context.clinic = self.context.clinic, clinic
        title = self.window.windowTitle()
        self.window.setWindowTitle(title.replace(f"AcuDesk — {old.name}", f"AcuDesk — {clinic.name}", 1))

    def show_audit_log(self) -> None:
        from acudesk.ui.admin.audit_viewer import AuditViewer

        AuditViewer(self.context, self.window).open()

    def restore_backup(self) -> None:
        from acudesk.ui.admin.restore_dialog import RestoreDialog

        source = self.context.database.sqlite_path
        if source is None:
            return
        RestoreDialog(source, self.context, parent=self.window, before_restore=self.context.close_database,
                      restart_needed=True).open()
