"""Every main screen and dialog, walked as a screen-reader and keyboard user meets it.

Each test opens a screen through the real main window (or, for the set-up and sign-in dialogs that
come before it, builds the dialog itself) and fails on a control without an accessible name, a
control Tab does not reach, or a Tab order out of reading order (tests/ui/accessibility.py says how
each is decided).
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from acudesk.domain.patients import PatientDetails
from acudesk.services import calendar_data, courses, patients
from acudesk.services.courses import BookingRequest
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QApplication, QDialog, QWidget
from tests.ui.accessibility import check_screen, report

TIMEOUT = 10_000


@pytest.fixture
def nora(context: AppContext) -> int:
    details = PatientDetails("Quill", "Nora", date(1979, 5, 14), phone="07700 900321",
                             consent_to_treatment=True, consent_date=date(2026, 1, 5))
    return patients.register_patient(context.database, context.actor, details).id


@pytest.fixture
def window(qtbot, context: AppContext, nora: int) -> MainWindow:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.patients.count.text() == "1 patient", timeout=TIMEOUT)
    return window


def _in_front(window: MainWindow, nora: int) -> None:
    window.show_patient(nora, "Nora Quill")


def _dialog(qtbot, kind: type[QWidget]) -> QWidget:
    def shown() -> QWidget | None:
        return next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)

    qtbot.waitUntil(lambda: shown() is not None, timeout=TIMEOUT)
    dialog = shown()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def _passes(qtbot, screen: QWidget, where: str = "") -> None:
    problems = check_screen(qtbot, screen)
    assert not problems, f"{where or screen.windowTitle()!r}:\n{report(problems)}"


# -- the main window's tabs -------------------------------------------------------------------------
def test_the_patients_tab(qtbot, window: MainWindow, nora: int) -> None:
    _in_front(window, nora)
    qtbot.waitUntil(lambda: window.current_patient() is not None, timeout=TIMEOUT)
    _passes(qtbot, window)


def test_the_calendar_tab(qtbot, window: MainWindow) -> None:
    screen = window.open_screen("Calendar")
    qtbot.waitUntil(lambda: getattr(screen, "data", None) is not None, timeout=TIMEOUT)
    _passes(qtbot, window)


def test_the_today_tab(qtbot, context: AppContext, window: MainWindow) -> None:
    from tests.ui.test_today_desk import _visit_today

    _visit_today(context, "Ada", time(23, 0))
    screen = window.open_screen("Today")
    qtbot.waitUntil(lambda: len(screen.rows) == 1, timeout=TIMEOUT)
    screen.table.selectRow(0)
    _passes(qtbot, window)


# -- dialogs the main window opens ------------------------------------------------------------------
def test_the_new_patient_dialog(qtbot, window: MainWindow) -> None:
    from acudesk.ui.patient_dialog import PatientDialog

    window.new_action.trigger()
    _passes(qtbot, _dialog(qtbot, PatientDialog))


def test_the_edit_patient_dialog(qtbot, window: MainWindow, nora: int) -> None:
    from acudesk.ui.patient_dialog import PatientDialog

    window.edit_patient(nora)
    dialog = _dialog(qtbot, PatientDialog)
    assert dialog.editor("family_name").text() == "Quill"  # type: ignore[attr-defined]
    _passes(qtbot, dialog, "the edit patient dialog")


def test_the_restore_dialog(qtbot, context: AppContext, window: MainWindow) -> None:
    from acudesk.services import backups
    from acudesk.ui.admin.restore_dialog import RestoreDialog

    assert backups.automatic_backup(context.database, context.actor, on_close=True) is not None
    window.admin.restore_action.trigger()
    dialog = _dialog(qtbot, RestoreDialog)
    qtbot.waitUntil(lambda: dialog.list.count() == 1 and "MB" in dialog.list.item(0).text(),  # type: ignore
                    timeout=TIMEOUT)  # the backups are listed off the GUI thread
    _passes(qtbot, dialog, "the restore dialog")


def test_the_book_course_dialog(qtbot, window: MainWindow) -> None:
    from acudesk.ui.calendar.course_dialog import CourseBookingDialog

    window.book_course_action.trigger()
    _passes(qtbot, _dialog(qtbot, CourseBookingDialog))


def test_the_move_dialog(qtbot, context: AppContext, window: MainWindow, nora: int) -> None:
    from acudesk.ui.calendar.move_dialog import MoveDialog

    start = datetime(2027, 3, 2, 10)
    [visit] = courses.book_course(context.database, context.actor,
                                  BookingRequest(nora, context.actor.user_id, None, start, "weekly x1")).appointment_ids
    screen = window.open_screen("Calendar")
    qtbot.waitUntil(lambda: getattr(screen, "data", None) is not None, timeout=TIMEOUT)
    with context.database.read() as tx:
        [entry] = calendar_data.entries_for_ids(tx, [visit])
    screen.entry_actions.move(entry)
    _passes(qtbot, _dialog(qtbot, MoveDialog))


def test_the_cancel_dialog(qtbot, context: AppContext, window: MainWindow, nora: int) -> None:
    """Built as the calendar's "Cancel visit…" builds it (it runs the dialog in a loop of its own)."""
    from acudesk.ui.calendar.cancel_dialog import CancelDialog

    start = datetime(2027, 3, 2, 10)
    [visit] = courses.book_course(context.database, context.actor,
                                  BookingRequest(nora, context.actor.user_id, None, start, "weekly x1")).appointment_ids
    with context.database.read() as tx:
        [entry] = calendar_data.entries_for_ids(tx, [visit])
    dialog = CancelDialog(entry, window)
    dialog.show()
    _passes(qtbot, _dialog(qtbot, CancelDialog))


def test_the_add_to_waitlist_dialog(qtbot, window: MainWindow, nora: int) -> None:
    from acudesk.ui.waitlist import AddToWaitlistDialog

    _in_front(window, nora)
    qtbot.waitUntil(lambda: window.wait_action.isEnabled(), timeout=TIMEOUT)
    window.wait_action.trigger()
    _passes(qtbot, _dialog(qtbot, AddToWaitlistDialog))


def test_the_waitlist_dialog(qtbot, window: MainWindow) -> None:
    from acudesk.ui.waitlist import WaitlistDialog

    window.waitlist_action.trigger()
    _passes(qtbot, _dialog(qtbot, WaitlistDialog))


def test_the_waitlist_offer_dialog(qtbot, context: AppContext, window: MainWindow, nora: int, monkeypatch) -> None:
    """A cancelled visit offered to a waiting patient (the calendar's Cancel visit…, its reason given)."""
    from sqlalchemy import select

    from acudesk.persistence.models import VisitType
    from acudesk.services import waitlist
    from acudesk.ui.calendar.cancel_dialog import CancelDialog
    from acudesk.ui.waitlist import WaitlistOfferDialog

    start = datetime(2027, 3, 2, 10)
    [visit] = courses.book_course(context.database, context.actor,
                                  BookingRequest(nora, context.actor.user_id, 1, start, "weekly x1")).appointment_ids
    waiting = patients.register_patient(context.database, context.actor, PatientDetails(
        "Brennan", "Tomas", date(1975, 1, 2), consent_to_treatment=True, consent_date=date(2026, 1, 5))).id
    with context.database.read() as tx:
        shortest = tx.scalars(select(VisitType.id).order_by(VisitType.duration_minutes)).first()
    waitlist.add_to_waitlist(context.database, context.actor,
                             waitlist.WaitlistRequest(waiting, shortest, date(2027, 6, 1)))
    screen = window.open_screen("Calendar")
    monkeypatch.setattr(CancelDialog, "exec", lambda self: CancelDialog.DialogCode.Accepted)
    monkeypatch.setattr(CancelDialog, "text", lambda self: "Patient away")
    with context.database.read() as tx:
        [entry] = calendar_data.entries_for_ids(tx, [visit])
    screen.entry_actions.cancel(entry)
    _passes(qtbot, _dialog(qtbot, WaitlistOfferDialog))


def test_the_find_a_free_slot_dialog(qtbot, window: MainWindow, nora: int) -> None:
    from acudesk.ui.calendar.free_slot_dialog import FreeSlotDialog

    _in_front(window, nora)
    qtbot.waitUntil(lambda: window.current_patient() is not None, timeout=TIMEOUT)
    window.free_slot_action.trigger()
    _passes(qtbot, _dialog(qtbot, FreeSlotDialog))


def test_the_users_and_roles_dialogs(qtbot, window: MainWindow) -> None:
    from acudesk.ui.admin.users_dialog import RolesDialog, UsersDialog

    window.admin.users_action.trigger()
    dialog = _dialog(qtbot, UsersDialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=TIMEOUT)
    _passes(qtbot, dialog)
    dialog.table.selectRow(0)
    dialog.edit_roles()
    _passes(qtbot, _dialog(qtbot, RolesDialog))


def test_the_print_dialog(qtbot, window: MainWindow, nora: int) -> None:
    from acudesk.ui.documents import DocumentsDialog
    from acudesk.ui.qt import QAction

    _in_front(window, nora)
    qtbot.waitUntil(lambda: window.current_patient() is not None, timeout=TIMEOUT)
    window.findChild(QAction, "printAction").trigger()
    _passes(qtbot, _dialog(qtbot, DocumentsDialog))


def test_the_administration_and_account_dialogs(qtbot, window: MainWindow) -> None:
    from acudesk.ui.admin.audit_viewer import AuditViewer
    from acudesk.ui.admin.clinic_settings_dialog import ClinicSettingsDialog
    from acudesk.ui.admin.password_dialog import ChangePasswordDialog
    from acudesk.ui.help import GuideDialog
    from acudesk.ui.qt import QTabWidget

    admin = window.admin
    for action, kind in ((admin.password_action, ChangePasswordDialog), (admin.audit_action, AuditViewer),
                         (admin.clinic_settings_action, ClinicSettingsDialog), (window.guide_action, GuideDialog)):
        action.trigger()
        dialog = _dialog(qtbot, kind)
        pages = dialog.findChild(QTabWidget)
        for index in range(pages.count() if pages is not None else 1):
            if pages is not None:
                pages.setCurrentIndex(index)
            _passes(qtbot, dialog)
        dialog.close()


def test_the_new_user_dialog(qtbot, context: AppContext, window: MainWindow) -> None:
    from acudesk.ui.admin.users_dialog import NewUserDialog

    dialog = NewUserDialog(context, window)
    dialog.show()
    _passes(qtbot, _dialog(qtbot, NewUserDialog))


def test_the_lock_screen(qtbot, window: MainWindow) -> None:
    window.lock()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.lock_screen, timeout=TIMEOUT)
    _passes(qtbot, window)


# -- before the main window -------------------------------------------------------------------------
def test_the_set_up_dialog(qtbot) -> None:
    from acudesk.ui.app import create_application
    from acudesk.ui.setup_dialog import SetupDialog

    create_application()
    dialog = SetupDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    _passes(qtbot, dialog)


def test_the_sign_in_dialog(qtbot, context: AppContext) -> None:
    from acudesk.ui.login_dialog import LoginDialog

    dialog = LoginDialog(context.database, context.runner, context.clinic.name)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    _passes(qtbot, dialog)


# -- the patient chart ------------------------------------------------------------------------------
def test_the_patient_chart(qtbot, context: AppContext, window: MainWindow) -> None:
    """Each tab of the chart of a patient with a signed intake and an active plan, and a new session."""
    from acudesk.ui.chart.window import PatientChartWindow
    from tests.ui.test_clinical_flows import treated

    patient = treated(context)
    window.open_chart(patient)
    chart = _dialog(qtbot, PatientChartWindow)
    qtbot.waitUntil(lambda: "Marchetti" in chart.header.text() and bool(chart.gate.text()), timeout=TIMEOUT)
    for index in range(chart.tabs.count()):
        chart.tabs.setCurrentIndex(index)
        _passes(qtbot, chart, f"the chart's {chart.tabs.tabText(index)} tab")
    chart.tabs.setCurrentWidget(chart.sessions)
    chart.sessions.new_session()
    qtbot.waitUntil(lambda: chart.sessions.editor.isVisible(), timeout=TIMEOUT)
    _passes(qtbot, chart, "a new session")


def test_the_charts_dialogs(qtbot, context: AppContext) -> None:
    """An adverse event, an override of a blocked point, a clearance of red flags: each runs in a loop of its
    own from the chart, so it is built here as the chart builds it."""
    from acudesk.ui.chart.adverse_event_dialog import AdverseEventDialog
    from acudesk.ui.chart.clearance_dialog import ClearanceDialog
    from acudesk.ui.chart.override_dialog import OverrideDialog

    for dialog in (AdverseEventDialog(), OverrideDialog("SP6", []),
                   ClearanceDialog([], date(2026, 11, 2), date(2026, 12, 3))):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        _passes(qtbot, dialog)
        dialog.hide()


# -- the checker itself -----------------------------------------------------------------------------
def test_the_checker_finds_a_nameless_field_a_trap_and_a_tab_order_out_of_reading_order(qtbot) -> None:
    from acudesk.ui.qt import QFormLayout, QLineEdit, QPlainTextEdit, QPushButton, QRadioButton

    dialog = QDialog()
    dialog.setWindowTitle("Made wrong on purpose")
    qtbot.addWidget(dialog)
    form = QFormLayout(dialog)
    named, nameless, ok = QLineEdit(), QLineEdit(), QPushButton("OK")
    form.addRow("Family name", named)  # the label is the field's buddy: named
    form.addRow(nameless)  # no label at all
    sides = [QRadioButton(side) for side in ("Left", "Right", "Both")]  # one Tab stop: arrows move within
    for side in sides:
        form.addRow(side)
    form.addRow(ok)
    QWidget.setTabOrder(named, ok)  # OK before the field above it
    QWidget.setTabOrder(ok, nameless)
    dialog.show()
    qtbot.waitExposed(dialog)
    problems = check_screen(qtbot, dialog)
    assert problems[0].startswith("no accessible name: QLineEdit") and len(
        [p for p in problems if p.startswith("no accessible name")]) == 1
    assert any(p.startswith("Tab order out of reading order: after QLineEdit") and "Tab goes to QPushButton 'OK'" in p
               for p in problems), problems
    assert not any("QRadioButton" in p for p in problems), problems

    notes = QPlainTextEdit()
    notes.setAccessibleName("Notes")
    form.addRow(notes)  # takes Tab as a character
    notes.show()
    assert any(p.startswith("Tab is trapped in QPlainTextEdit") for p in check_screen(qtbot, dialog))
