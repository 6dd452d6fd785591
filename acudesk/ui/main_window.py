"""The main window: the patient registry with its actions, menus and status bar.

The administration and account actions (back up, restore, users and roles, audit log, password, the
automatic backup) live in ``ui/admin/actions.py``; this window only places them in its menus.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from acudesk import __version__
from acudesk.domain import dates
from acudesk.domain.patients import full_name, without_isolates
from acudesk.services import auth, patients
from acudesk.services.context import Actor
from acudesk.services.patients import PatientRecord
from acudesk.services.permissions import Permission, allowed
from acudesk.services.sign_ins import NOT_VALID
from acudesk.ui.admin.actions import AdminActions
from acudesk.ui.context import AppContext
from acudesk.ui.current_patient import CurrentPatient
from acudesk.ui.hand_over import HandOver, refusal_for_amendment, show_notice
from acudesk.ui.help import install_help
from acudesk.ui.idle_lock import HiddenWindows, IdleWatcher, LockScreen
from acudesk.ui.live_changes import DISCONNECTED, RECONNECTING
from acudesk.ui.patient_dialog import PatientDialog
from acudesk.ui.patient_list import PatientListView
from acudesk.ui.qt import (
    QAction,
    QFileDialog,
    QInputDialog,
    QKeySequence,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSize,
    QSizePolicy,
    QStackedWidget,
    Qt,
    QTabWidget,
    QTimer,
    QToolBar,
    QWidget,
    Signal,
    is_alive,
)
from acudesk.ui.screen_fit import show_fitted
from acudesk.ui.style import WARNING_TEXT

log = logging.getLogger(__name__)

def extra_screens() -> list[tuple[str, Callable[[AppContext, QWidget], QWidget]]]:
    """Screens shown as tabs after "Patients": (title, factory(context, parent)).

    Each screen lives in its own module, imported by its factory when the tab is first opened:
    the calendar brings in the scheduling engine and the holiday calendars (~70 ms), which the
    patient list does not need to appear.
    """

    def calendar(context: AppContext, parent: QWidget) -> QWidget:
        from acudesk.ui.calendar.screen import CalendarScreen

        return CalendarScreen(context, open_chart=getattr(parent, "open_chart", None),
                              open_patient=getattr(parent, "show_patient", None))

    def today(context: AppContext, parent: QWidget) -> QWidget:
        from acudesk.ui.calendar.today_screen import TodayScreen

        return TodayScreen(context, open_chart=getattr(parent, "open_chart", None),
                           open_patient=getattr(parent, "show_patient", None))

    return [("Calendar", calendar), ("Today", today)]


class MainWindow(QMainWindow):
    """Patient actions act on the patient of the screen in front (``current_patient()``), whose name
    the header shows; charts are opened once per patient and raised when asked for again."""

    closed = Signal()  # after the window has accepted its close: the application then quits

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(f"AcuDesk — {context.clinic.name}")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self._pending_screens: dict[int, Callable[[AppContext, QWidget], QWidget]] = {}
        self._build_tabs()
        self.tabs.currentChanged.connect(self._build_screen)
        self.tabs.currentChanged.connect(lambda _index: self._update_actions())
        self.charts: dict[int, QWidget] = {}  # open chart windows by patient id
        self._quit_when_charts_close = False  # a quit is waiting for charts to save their drafts
        self.lock_screen = LockScreen(context)
        self.lock_screen.unlocked.connect(self.unlock)
        self.lock_screen.signedInAsSomeoneElse.connect(self.hand_over)
        self.lock_screen.hand_over_refusal = self._hand_over_refusal
        self._handing_over: HandOver | None = None
        self.hand_over_notice = ""  # what the last hand-over told the new person
        self.context.operations.sign_in_ended.connect(self._sign_in_ended)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tabs)
        self.stack.addWidget(self.lock_screen)
        self.setCentralWidget(self.stack)
        self._hidden_windows: HiddenWindows | None = None
        self.idle = IdleWatcher(context.idle_lock_minutes, self)
        self.idle.idle.connect(self.lock)
        self.admin = AdminActions(self, context)  # back up, restore, users, audit log, password; timed backups
        self._build_actions()
        from acudesk.ui.documents import install_print_action

        install_print_action(self)  # "Print…": handouts, summaries, letters, receipts, day list
        self._build_status_bar()
        context.live.start()  # other workstations' writes reach the screens too (ui/live_changes.py)
        self._update_actions()
        self.resize(1280, 760)
        self.patients.search.setFocus()

    def _build_tabs(self) -> None:
        """The Patients tab, and the other screens' tabs, built for whoever is signed in now."""
        self.patients = PatientListView(self.context)
        self.patients.openRequested.connect(self.open_chart)
        self.patients.newRequested.connect(self.new_patient)
        self.patients.selectionChanged.connect(lambda _record: self._update_actions())
        self.tabs.addTab(self.patients, "Patients")
        self._pending_screens.clear()  # other screens are built when their tab is first opened (a short start-up)
        for title, factory in extra_screens():
            self._pending_screens[self.tabs.addTab(QWidget(), title)] = factory

    def show_fitted(self) -> None:
        """Show at the usual size, or maximized on a screen too small for it (1366×768 laptops): the
        status bar, where "Reconnecting to the database server…" appears, must stay on screen."""
        show_fitted(self)

    # -- actions -------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        can = lambda permission: allowed(self.context.actor, permission)  # noqa: E731
        self.new_action = QAction("New patient", self, shortcut=QKeySequence(QKeySequence.StandardKey.New))
        self.new_action.triggered.connect(self.new_patient)
        self.new_action.setEnabled(can(Permission.EDIT_PATIENTS))
        self.edit_action = QAction("Edit patient", self, shortcut=QKeySequence("Ctrl+E"))
        self.edit_action.triggered.connect(lambda: self.edit_patient(self._current_id()))
        self.chart_action = QAction("Open chart", self, shortcut=QKeySequence("Ctrl+Shift+O"))
        self.chart_action.setToolTip("Open the clinical chart (also: Enter or double-click in the list)")
        self.chart_action.triggered.connect(lambda: self.open_chart(self._current_id()))
        self.archive_action = QAction("Archive patient", self)
        self.archive_action.triggered.connect(self.toggle_archive)
        self.find_action = QAction("Find patient", self, shortcut=QKeySequence(QKeySequence.StandardKey.Find))
        self.find_action.triggered.connect(self._find_patient)
        # Ctrl+Q everywhere: Qt's standard Quit key is empty on Windows and on the offscreen platform.
        quit_action = QAction("Quit", self, shortcut=QKeySequence("Ctrl+Q"))
        quit_action.setObjectName("quitAction")
        quit_action.triggered.connect(self.close)

        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(18, 18))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.book_course_action = QAction("Book course…", self, shortcut=QKeySequence("Ctrl+B"))
        self.book_course_action.triggered.connect(self.book_course)
        self.book_course_action.setEnabled(can(Permission.EDIT_SCHEDULE))
        for action in (self.new_action, self.edit_action, self.archive_action, self.book_course_action):
            toolbar.addAction(action)
        toolbar.addAction(self.chart_action)
        self.patient_header = QLabel()
        self.patient_header.setObjectName("currentPatient")
        self.patient_header.setStyleSheet("font-weight: 600; padding: 0 12px;")
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._header_spacer = toolbar.addWidget(spacer)
        toolbar.addWidget(self.patient_header)
        self.addToolBar(toolbar)

        self.lock_action = QAction("Lock now", self, shortcut=QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        admin = self.admin
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(admin.backup_action)
        file_menu.addAction(admin.restore_action)
        file_menu.addSeparator()
        file_menu.addAction(admin.password_action)
        file_menu.addAction(self.lock_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        if admin.administration:
            admin_menu = self.menuBar().addMenu("&Administration")
            for action in admin.administration:
                admin_menu.addAction(action)
        self.ics_action = QAction("Export visits to a calendar file (.ics)…", self)
        self.ics_action.triggered.connect(self.export_ics)
        self.wait_action = QAction("Add to waitlist…", self)
        self.wait_action.setToolTip("The patient would take an earlier visit: offer them one that comes free")
        self.wait_action.triggered.connect(self.add_to_waitlist)
        self.waitlist_action = QAction("Waitlist…", self)
        self.waitlist_action.triggered.connect(self.show_waitlist)
        self.waitlist_action.setEnabled(can(Permission.VIEW_SCHEDULE))
        patient_menu = self.menuBar().addMenu("&Patients")
        for action in (self.find_action, self.new_action, self.edit_action, self.archive_action,
                       self.book_course_action, self.ics_action):
            patient_menu.addAction(action)
        patient_menu.addSeparator()
        self.free_slot_action = QAction("Find a free slot…", self)
        self.free_slot_action.setToolTip("The first free slots for one visit, those that suit the patient first")
        self.free_slot_action.triggered.connect(self.find_free_slot)
        self.free_slot_action.setEnabled(can(Permission.VIEW_SCHEDULE))
        patient_menu.addAction(self.free_slot_action)
        patient_menu.addAction(self.wait_action)
        patient_menu.addAction(self.waitlist_action)
        self.guide_action = install_help(self, self.about)  # View (high contrast), the user guide (F1), About

    def _find_patient(self) -> None:
        self.patients.search.setFocus()
        self.patients.search.selectAll()

    def _build_screen(self, index: int) -> None:
        factory = self._pending_screens.pop(index, None)
        if factory is None:
            return
        title = self.tabs.tabText(index)
        placeholder = self.tabs.widget(index)
        assert placeholder is not None  # every tab holds a widget: a pending one holds its placeholder
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        screen = factory(self.context, self)
        self.tabs.insertTab(index, screen, title)
        changed = getattr(screen, "currentPatientChanged", None)
        if changed is not None:
            changed.connect(self._update_actions)
        self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        placeholder.deleteLater()

    def open_screen(self, title: str) -> QWidget:
        """The tab called ``title``, built now if it was not opened yet."""
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index) == title:
                self._build_screen(index)
                screen = self.tabs.widget(index)
                assert screen is not None  # index is one of the tabs
                return screen
        raise KeyError(title)

    def _build_status_bar(self) -> None:
        self.signed_in_label = QLabel()
        self.signed_in_label.setObjectName("signedIn")
        self._show_who_is_signed_in()
        self.statusBar().addPermanentWidget(self.signed_in_label)
        self.statusBar().addPermanentWidget(QLabel(self.context.database_label))
        self.connection_status = QLabel()
        self.connection_status.setObjectName("connectionStatus")
        self.connection_status.setStyleSheet(f"color: {WARNING_TEXT};")
        self.connection_status.hide()
        self.statusBar().insertPermanentWidget(0, self.connection_status)
        self.context.live.statusChanged.connect(self._connection_changed)

    def _show_who_is_signed_in(self) -> None:
        actor = self.context.actor
        self.signed_in_label.setText(f"{actor.display_name} ({', '.join(sorted(actor.roles))})")

    def _connection_changed(self, status: str) -> None:
        """The change feed lost (or found again) the database: "Reconnecting…" while it is away."""
        away = status == DISCONNECTED
        self.connection_status.setText(RECONNECTING if away else "")
        self.connection_status.setVisible(away)

    def current_patient(self) -> CurrentPatient | None:
        """The patient of the screen in front: the registry's selection, the visit selected on Today.
        None on a screen that has no patient in front (the calendar), so nothing acts on someone else."""
        front = self.tabs.currentWidget()
        if front is self.patients:
            record = self.patients.current
            if record is None:
                return None
            d = record.details
            return CurrentPatient(record.id, full_name(d.given_name, d.family_name), d.date_of_birth)
        answer = getattr(front, "current_patient", None)
        return answer() if callable(answer) else None

    def _current_id(self) -> int | None:
        patient = self.current_patient()
        return patient.id if patient else None

    def _update_actions(self) -> None:
        patient = self.current_patient()
        here = patient is not None
        can = lambda permission: allowed(self.context.actor, permission)  # noqa: E731
        self.edit_action.setEnabled(here and can(Permission.EDIT_PATIENTS))
        self.chart_action.setEnabled(here and can(Permission.VIEW_CLINICAL))
        self.ics_action.setEnabled(here and can(Permission.VIEW_SCHEDULE))
        self.wait_action.setEnabled(here and can(Permission.EDIT_SCHEDULE))
        record = self.patients.current if self.tabs.currentWidget() is self.patients else None
        self.archive_action.setEnabled(record is not None and can(Permission.ARCHIVE_PATIENTS))
        self.archive_action.setText("Restore patient" if record and record.archived else "Archive patient")
        self.patient_header.setText(f"Patient: {patient.label()}" if patient else "No patient selected")
        self.setWindowTitle(f"AcuDesk — {self.context.clinic.name}"  # drawn by the window manager: no bidi marks
                            + (f" — {without_isolates(patient.name)}" if patient else ""))

    # -- use cases -------------------------------------------------------------------------------
    def add_to_waitlist(self) -> None:
        patient = self.current_patient()
        if patient is not None:
            from acudesk.ui import waitlist

            waitlist.add_to_waitlist(self.context, self, patient)

    def find_free_slot(self) -> None:
        from acudesk.ui.calendar.free_slot_dialog import find_free_slot

        find_free_slot(self.context, self, self.current_patient())

    def show_waitlist(self) -> None:
        from acudesk.ui.waitlist import WaitlistDialog

        dialog = WaitlistDialog(self.context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def export_ics(self) -> None:
        """Save the selected patient's upcoming visits as an .ics file for their own calendar."""
        patient = self.current_patient()
        if patient is None:
            return
        from acudesk.services.scheduling_ics import export_course_ics

        name = f"acupuncture-visits-{patient.name.lower().replace(' ', '-')}.ics"
        path, _ = QFileDialog.getSaveFileName(self, "Export visits", str(Path.home() / name), "Calendar (*.ics)")
        if not path:
            return
        ctx = self.context
        ctx.operations.write(
            self, lambda: export_course_ics(ctx.database, ctx.actor, patient.id, Path(path)),
            lambda count: self.statusBar().showMessage(f"{count} visits written to {Path(path).name}", 8000),
        )

    def new_patient(self) -> None:
        dialog = PatientDialog(self.context, parent=self)
        dialog.saved.connect(lambda record: self._after_save(record, "registered"))
        dialog.open_existing.connect(self._open_existing_patient)
        dialog.open()

    def _open_existing_patient(self, patient_id: int, name: str) -> None:
        """The duplicate question's "Open the existing record": that patient, selected and open to edit."""
        self.show_patient(patient_id, name)
        self.edit_patient(patient_id)

    def edit_patient(self, patient_id: int | None) -> None:
        if patient_id is None:
            return
        ctx = self.context

        def opened(record: PatientRecord) -> None:
            dialog = PatientDialog(ctx, record, parent=self)
            dialog.saved.connect(lambda saved: self._after_save(saved, "saved"))
            dialog.open()

        ctx.operations.query(self, lambda: patients.get_patient(ctx.database, ctx.actor, patient_id), opened,
                             key="edit")

    def show_patient(self, patient_id: int, name: str) -> None:
        """The Patients tab with this patient selected (a visit's "Open patient")."""
        self.tabs.setCurrentWidget(self.patients)
        self.patients.select_patient(patient_id, name)

    def open_chart(self, patient_id: int | None) -> None:
        """The patient's clinical chart (intake, plan, sessions, outcomes) in its own window; a
        chart already open for this patient is brought to the front instead of opened twice."""
        if patient_id is None or not allowed(self.context.actor, Permission.VIEW_CLINICAL):
            return
        open_already = self.charts.get(patient_id)
        if open_already is not None and is_alive(open_already) and open_already.isVisible():
            open_already.showNormal()
            open_already.raise_()
            open_already.activateWindow()
            return
        from acudesk.ui.chart.window import PatientChartWindow

        window = PatientChartWindow(self.context, patient_id, parent=self)
        window.setWindowFlag(Qt.WindowType.Window)
        self.charts[patient_id] = window
        window.destroyed.connect(lambda *_args, key=patient_id, closed=window: self._chart_closed(key, closed))
        window.closeAbandoned.connect(self._stop_quitting)
        show_fitted(window)  # maximized on a screen too small for it: its buttons stay on screen

    def _chart_closed(self, patient_id: int, closed: QWidget) -> None:
        if not is_alive(self):  # the window itself is being deleted (its charts go with it)
            return
        if self.charts.get(patient_id) is closed:
            del self.charts[patient_id]
        if self._quit_when_charts_close:  # go on quitting: the next chart saves its drafts, or the app quits
            self._quit_when_charts_close = False
            self.close()

    def _stop_quitting(self) -> None:
        self._quit_when_charts_close = False

    def _after_save(self, record: PatientRecord, verb: str) -> None:
        """A patient just registered, edited or restored becomes the selection (what comes next is for them)."""
        name = full_name(record.details.given_name, record.details.family_name)
        self.statusBar().showMessage(f"{name} {verb}.", 5000)
        self.tabs.setCurrentWidget(self.patients)
        if not record.archived:  # an archived patient leaves the list (the broadcast reloads it)
            self.patients.select_patient(record.id)

    def toggle_archive(self) -> None:
        record = self.patients.current if self.tabs.currentWidget() is self.patients else None
        if record is None:
            return
        ctx = self.context
        if record.archived:
            self._set_archived(record, False, None)
            return
        ctx.operations.query(self, lambda: patients.visits_booked_ahead(ctx.database, ctx.actor, record.id),
                             lambda ahead: self._ask_to_archive(record, ahead), key="archive")

    def _ask_to_archive(self, record: PatientRecord, ahead: patients.BookedAhead) -> None:
        """Archive after saying what stays in the calendar: the visits still booked can be cancelled
        in the same step, with a reason, or kept."""
        name = full_name(record.details.given_name, record.details.family_name)
        kept = "Their records are kept and can be found with “Show archived”."
        if ahead.count == 0 or ahead.first_local_start is None:
            answer = QMessageBox.question(self, "Archive patient", f"Archive {name}? {kept}")
            if answer == QMessageBox.StandardButton.Yes:
                self._set_archived(record, True, None)
            return
        visits = "1 visit" if ahead.count == 1 else f"{ahead.count} visits"
        may_cancel = allowed(self.context.actor, Permission.EDIT_SCHEDULE)
        them = "it" if ahead.count == 1 else "them"
        box = QMessageBox(
            QMessageBox.Icon.Question, "Archive patient",
            f"{name} still has {visits} booked, the first on {dates.day_and_time(ahead.first_local_start)}. "
            + (f"Archive {name} and cancel {them}? " if may_cancel
               else f"Your role cannot cancel visits: ask the front desk to cancel {them}. ") + kept,
            parent=self,
        )
        box.setObjectName("archiveQuestion")
        cancel_them = box.addButton(f"Archive and cancel {visits}…", QMessageBox.ButtonRole.AcceptRole)
        cancel_them.setVisible(may_cancel)
        keep_them = box.addButton("Archive, keep the visits", QMessageBox.ButtonRole.ActionRole)
        box.addButton("Don't archive", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel_them if may_cancel else keep_them)
        box.exec()
        if box.clickedButton() is keep_them:
            self._set_archived(record, True, None)
        elif box.clickedButton() is cancel_them:
            reason, ok = QInputDialog.getText(self, "Cancel the visits", f"Why are {name}'s visits cancelled?")
            if ok and reason.strip():
                self._set_archived(record, True, reason.strip())

    def _set_archived(self, record: PatientRecord, archiving: bool, cancel_reason: str | None) -> None:
        ctx = self.context
        ctx.operations.write(
            self, lambda: patients.set_archived(ctx.database, ctx.actor, record.id, archiving,
                                                expected_version=record.version, cancel_visits_reason=cancel_reason),
            lambda saved: self._after_save(saved, "archived" if archiving else "restored"),
        )

    def book_course(self) -> None:
        from acudesk.ui.calendar.course_dialog import CourseBookingDialog, Prefill

        patient = self.current_patient()
        prefill = Prefill(patient.id, patient.label()) if patient else Prefill()
        dialog = CourseBookingDialog(self.context, prefill, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # no closed dialog left listening for changes
        dialog.booked.connect(lambda booked: self.statusBar().showMessage(
            f"{len(booked.appointment_ids)} visits booked.", 5000))
        dialog.open()

    def about(self) -> None:
        QMessageBox.about(
            self, "About AcuDesk",
            f"<h3>AcuDesk {__version__}</h3><p>Practice management for acupuncture clinics.</p>"
            f"<p>Database: {self.context.database_label}</p>",
        )

    # -- idle lock (backups, accounts and the audit log: ui/admin/actions.py) -----------------------
    def lock(self) -> None:
        if self.stack.currentWidget() is self.lock_screen:
            return
        self.idle.pause()
        self._hidden_windows = HiddenWindows(self)
        self.stack.setCurrentWidget(self.lock_screen)
        self.menuBar().setEnabled(False)
        for toolbar in self.findChildren(QToolBar):
            toolbar.setEnabled(False)
        self.lock_screen.reset()

    def _sign_in_ended(self) -> None:
        """A service refused this window's sign-in (signed out elsewhere, a reset password, a deactivated
        account): lock, so that the password signs in anew, or the person quits."""
        if self.is_locked:
            return
        self.lock()
        self.lock_screen.error.setText(NOT_VALID)

    def unlock(self) -> None:
        self.stack.setCurrentWidget(self.tabs)
        self.menuBar().setEnabled(True)
        for toolbar in self.findChildren(QToolBar):
            toolbar.setEnabled(True)
        if self._hidden_windows is not None:
            self._hidden_windows.show_again()
            self._hidden_windows = None
        self.idle.resume()

    # -- handing the locked window over to someone else (ui/hand_over.py) --------------------------
    def _hand_over_refusal(self) -> str | None:
        return refusal_for_amendment(self)

    def hand_over(self, new: Actor) -> None:
        """Someone else signed in on the lock screen: close the charts (drafts saved), then act for them."""
        if self._handing_over is not None:
            return
        self._handing_over = HandOver(self, new)
        self._handing_over.start()

    def hand_over_stopped(self, why: str) -> None:
        self._handing_over = None
        self.lock_screen.reset()
        self.lock_screen.error.setText(why)

    def handed_over(self, notice: str) -> None:
        self._handing_over = None
        if self._hidden_windows is not None:  # the previous person's dialogs: closed, never shown to the new one
            self._hidden_windows.close_all()
            self._hidden_windows = None
        self.rebuild_for_actor()
        self.unlock()
        self.hand_over_notice = notice
        self.statusBar().showMessage(notice, 15_000)
        show_notice(self, notice)

    def rebuild_for_actor(self) -> None:
        """Menus, toolbar, administration actions and screens built anew for ``context.actor``: what each
        offers follows the new person's roles (a screen built for the previous person is not kept)."""
        # Swapping the toolbar and menus made a maximized window grow past the screen's bottom edge
        # (seen at 1366x768): the window keeps the place and size it had.
        placed = self.saveGeometry()
        self.admin.backup_timer.stop()
        self.admin.deleteLater()
        for menu in self.menuBar().findChildren(QMenu, options=Qt.FindChildOption.FindDirectChildrenOnly):
            menu.deleteLater()
        self.menuBar().clear()
        for toolbar in self.findChildren(QToolBar):
            self.removeToolBar(toolbar)
            toolbar.setObjectName("")  # until deleted, not the "mainToolbar" the new actions are placed in
            toolbar.deleteLater()
        for action in self.findChildren(QAction, options=Qt.FindChildOption.FindDirectChildrenOnly):
            action.deleteLater()
        self.tabs.blockSignals(True)
        while self.tabs.count():
            screen = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if screen is not None:
                screen.deleteLater()
        self._build_tabs()
        self.tabs.setCurrentIndex(0)
        self.tabs.blockSignals(False)
        self.admin = AdminActions(self, self.context)
        self._build_actions()
        from acudesk.ui.documents import install_print_action

        install_print_action(self)
        self._show_who_is_signed_in()
        self._update_actions()
        QTimer.singleShot(0, lambda: self.restoreGeometry(placed) if is_alive(self) else None)

    @property
    def is_locked(self) -> bool:
        return self.stack.currentWidget() is self.lock_screen

    def closeEvent(self, event) -> None:
        # Each chart saves its unsaved notes as drafts (or asks about an amendment) before it closes;
        # quitting goes on once the last chart has closed, and stops if one of them stays open.
        for chart in list(self.charts.values()):
            if is_alive(chart) and not chart.close():
                event.ignore()
                self._quit_when_charts_close = True
                return
        self.idle.stop()
        self.admin.back_up_on_close()
        if self.context.operations.pending:
            self.statusBar().showMessage("Finishing the last save…")
        super().closeEvent(event)
        if event.isAccepted():
            self.context.live.stop(wait=False)  # the feed's thread ends by itself within half a second
            self._sign_out()
            self.closed.emit()

    def _sign_out(self) -> None:
        """Quitting signs out (audited). Queued after the closing backup, which acts with the sign-in; the
        worker finishes both before the application exits (``TaskRunner.shutdown``)."""
        ctx = self.context
        database, actor = ctx.database, ctx.actor
        ctx.operations.write(None, lambda: auth.sign_out(database, actor), None, on_failure=lambda error: log.warning(
            "Signing out failed: %s", type(error).__name__))

