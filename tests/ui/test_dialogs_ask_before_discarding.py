"""Dialogs with typed, unsaved text ask before it is thrown away (issue 18): Add user, Add to
waitlist and Record adverse event, as the patient form does (tests/ui/test_patient_registry_flow.py).
Cancel, Esc or the close button offer Save, Discard changes or Keep editing; untouched, they close."""

from __future__ import annotations

from datetime import date

from acudesk.domain.patients import PatientDetails
from acudesk.services import auth, patients, waitlist
from acudesk.ui.admin.users_dialog import NewUserDialog, UsersDialog
from acudesk.ui.chart.adverse_event_dialog import AdverseEventDialog
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QApplication, QMessageBox, QPushButton, Qt, QTimer, is_alive
from acudesk.ui.waitlist import AddToWaitlistDialog

TIMEOUT = 10_000


def _shown(kind: type):
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)


def _answer_unsaved(choice: str) -> list[str]:
    seen: list[str] = []

    def click() -> None:
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.objectName() == "unsavedQuestion" and w.isVisible()), None)
        if box is None:
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == choice).click()

    QTimer.singleShot(20, click)
    return seen


def _window(qtbot, context: AppContext) -> MainWindow:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    return window


def test_a_half_typed_new_user_is_not_lost_to_esc(qtbot, context: AppContext) -> None:
    window = _window(qtbot, context)
    window.admin.users_action.trigger()
    qtbot.waitUntil(lambda: _shown(UsersDialog) is not None, timeout=TIMEOUT)
    users = _shown(UsersDialog)
    next(b for b in users.findChildren(QPushButton) if b.text() == "Add user…").click()
    qtbot.waitUntil(lambda: _shown(NewUserDialog) is not None, timeout=TIMEOUT)
    new = _shown(NewUserDialog)
    new.reject()  # nothing typed yet: closes at once
    assert not new.isVisible()

    next(b for b in users.findChildren(QPushButton) if b.text() == "Add user…").click()
    qtbot.waitUntil(lambda: _shown(NewUserDialog) is not None, timeout=TIMEOUT)
    new = _shown(NewUserDialog)
    qtbot.keyClicks(new.display_name, "Rae Lane")
    asked = _answer_unsaved("Keep editing")
    qtbot.keyClick(new, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: bool(asked), timeout=TIMEOUT)
    assert new.isVisible() and new.display_name.text() == "Rae Lane" and "The new user" in asked[0]

    qtbot.keyClicks(new.username, "rlane")
    qtbot.keyClicks(new.password, "long enough pass")
    new.role_boxes["receptionist"].setChecked(True)
    _answer_unsaved("Save")
    new.close()
    qtbot.waitUntil(lambda: not new.isVisible(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "rlane" in {u.username for u in auth.list_users(context.database, context.actor)},
                    timeout=TIMEOUT)


def test_a_waitlist_note_is_not_lost_to_cancel(qtbot, context: AppContext) -> None:
    tomas = patients.register_patient(context.database, context.actor, PatientDetails(
        "Brennan", "Tomas", date(1980, 4, 2), consent_to_treatment=True, consent_date=date(2026, 1, 5))).id
    window = _window(qtbot, context)
    window.show_patient(tomas, "Brennan Tomas")
    qtbot.waitUntil(lambda: window.wait_action.isEnabled(), timeout=TIMEOUT)
    window.wait_action.trigger()
    qtbot.waitUntil(lambda: _shown(AddToWaitlistDialog) is not None, timeout=TIMEOUT)
    form = _shown(AddToWaitlistDialog)
    qtbot.keyClicks(form.note, "can come at short notice")
    _answer_unsaved("Discard changes")
    form.reject()
    qtbot.waitUntil(lambda: not is_alive(form) or not form.isVisible(), timeout=TIMEOUT)
    assert waitlist.list_waitlist(context.database, context.actor) == []


def test_an_adverse_event_being_described_is_not_lost_to_the_close_button(qtbot, context: AppContext) -> None:
    window = _window(qtbot, context)
    dialog = AdverseEventDialog(window)  # as the chart's sessions tab opens it, over its window
    dialog.show()
    qtbot.keyClicks(dialog.description, "Bruise at BL40")
    asked = _answer_unsaved("Keep editing")
    dialog.close()
    qtbot.waitUntil(lambda: bool(asked), timeout=TIMEOUT)
    assert dialog.isVisible() and dialog.description.toPlainText() == "Bruise at BL40"
    with qtbot.waitSignal(dialog.accepted, timeout=TIMEOUT):
        _answer_unsaved("Save")
        dialog.close()


def test_a_clearance_being_written_is_not_lost_to_esc(qtbot, context: AppContext) -> None:
    from acudesk.domain.flag_clearance import Flag
    from acudesk.ui.chart.clearance_dialog import ClearanceDialog

    window = _window(qtbot, context)
    flags = [Flag("RF-CES-04", "EMERGENCY", "Saddle numbness")]
    dialog = ClearanceDialog(flags, context.today(), context.today(), window)  # as the clearance panel opens it
    dialog.show()
    dialog.what_changed.setFocus()
    qtbot.keyClicks(dialog.what_changed, "MRI normal, saddle sensation intact")
    asked = _answer_unsaved("Keep editing")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: bool(asked), timeout=TIMEOUT)
    assert "clearance" in asked[0]
    assert dialog.isVisible() and dialog.what_changed.toPlainText() == "MRI normal, saddle sensation intact"
    with qtbot.waitSignal(dialog.rejected, timeout=TIMEOUT):
        _answer_unsaved("Discard changes")
        dialog.close()
    untouched = ClearanceDialog(flags, context.today(), context.today(), window)
    untouched.show()
    with qtbot.waitSignal(untouched.rejected, timeout=TIMEOUT):  # nothing typed: it closes unasked
        untouched.close()
