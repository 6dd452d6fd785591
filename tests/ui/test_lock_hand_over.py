"""The lock screen fits a 1366×768 screen, and "Sign in as someone else" hands the window over safely.

A receptionist takes over a practitioner's locked screen: the practitioner's chart closes (typed notes
kept as a draft in the practitioner's name), the practitioner is signed out, the menus follow the
receptionist's role and the audit log says who signed out and who signed in. A practitioner taking
over a colleague's screen signs in their own name.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from test_chart_refresh import answers, register, treated

from acudesk.domain.audit_wording import wording
from acudesk.persistence.models import AuditEvent
from acudesk.services import audit, auth, intakes, patients
from acudesk.services.sign_ins import SignInNotValidError
from acudesk.ui.admin.audit_viewer import facts
from acudesk.ui.context import AppContext
from acudesk.ui.hand_over import CHART_TITLE_PREFIX
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QApplication, QLabel, QMessageBox, Qt, QToolBar, is_alive

TIMEOUT = 10_000
PASSWORD = "a long enough password"


def _people(context: AppContext) -> None:
    db, admin = context.database, context.actor
    auth.create_user(db, admin, "mchen", "Dr Mei Chen", ("practitioner",), PASSWORD)
    auth.create_user(db, admin, "treyes", "Dr Tomás Reyes-Villanueva", ("practitioner",), PASSWORD)
    auth.create_user(db, admin, "jbrook", "Jess Brook", ("receptionist",), PASSWORD)


def _window(qtbot, context: AppContext) -> MainWindow:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: context.operations.pending == 0, timeout=TIMEOUT)
    return window


def _select(qtbot, window: MainWindow, patient_id: int) -> None:
    window.show_patient(patient_id, "Quill Nora")
    qtbot.waitUntil(lambda: window.current_patient() is not None and window.current_patient().id == patient_id,
                    timeout=TIMEOUT)


def _open_chart(qtbot, window: MainWindow, patient_id: int):
    window.open_chart(patient_id)
    chart = window.charts[patient_id]
    qtbot.waitUntil(lambda: chart.windowTitle().startswith(CHART_TITLE_PREFIX) and bool(chart.intake.status.text()),
                    timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.context.operations.pending == 0, timeout=TIMEOUT)
    return chart


def _sign_in_as_someone_else(qtbot, window: MainWindow, username: str, password: str = PASSWORD) -> None:
    """On the lock screen, as a person does: the button, the name, the password, Sign in."""
    screen = window.lock_screen
    qtbot.mouseClick(screen.switch_button, Qt.MouseButton.LeftButton)
    assert screen.other_page.isVisible() and not screen.unlock_page.isVisible()
    qtbot.keyClicks(screen.other_username, username)
    qtbot.keyClicks(screen.other_password, password)
    qtbot.mouseClick(screen.other_button, Qt.MouseButton.LeftButton)


def _clipped_labels(window: MainWindow) -> list[str]:
    clipped = []
    for label in window.lock_screen.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        if label.wordWrap():
            fits = label.height() >= label.heightForWidth(label.width()) and label.width() > 0
        else:
            hint = label.sizeHint()
            fits = label.width() >= hint.width() and label.height() >= hint.height()
        corner = label.mapTo(window.lock_screen, label.rect().bottomRight())
        if not fits or not window.lock_screen.rect().contains(corner):
            clipped.append(f"{label.objectName() or label.text()[:40]}: {label.width()}x{label.height()}")
    return clipped


def test_every_label_of_the_lock_screen_fits_at_1366_by_768(qtbot, context: AppContext) -> None:
    _people(context)
    context.actor = auth.sign_in(context.database, "treyes", PASSWORD)  # a long name
    window = _window(qtbot, context)
    window.lock()
    window.lock_screen.error.setText("This account is locked after 5 failed sign-ins. Try again in about 15 "
                                     "minutes, or ask an administrator to reset the password.")
    qtbot.wait(50)
    assert _clipped_labels(window) == []
    window.lock_screen.switch_button.click()
    window.lock_screen.error.setText("Your sign-in is no longer valid: sign in again.")
    qtbot.wait(50)
    assert window.lock_screen.other_intro.isVisible()
    assert _clipped_labels(window) == []
    window.idle.stop()


def test_a_receptionist_takes_over_a_practitioners_locked_screen(qtbot, context: AppContext) -> None:
    _people(context)
    patient_id = register(context, "Quill", "Nora")
    practitioner = context.actor = auth.sign_in(context.database, "mchen", PASSWORD)
    window = _window(qtbot, context)
    _select(qtbot, window, patient_id)
    assert window.chart_action.isEnabled()  # a practitioner's menus
    chart = _open_chart(qtbot, window, patient_id)
    chart.intake.new_intake()
    chart.intake.form.set_values(answers(pain_nrs=7))  # typed, not saved

    window.lock()
    assert not chart.isVisible()
    _sign_in_as_someone_else(qtbot, window, "jbrook")
    qtbot.waitUntil(lambda: not window.is_locked, timeout=TIMEOUT)

    # The chart is gone, and the receptionist is told why.
    assert not is_alive(chart) and window.charts == {}
    assert window.hand_over_notice.startswith(
        "Nora Quill's chart was closed: your role cannot see clinical records. Dr Mei Chen was signed out")
    [notice] = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)
                and w.objectName() == "handOverNotice" and w.isVisible()]
    assert "your role cannot see clinical records" in notice.text()
    # Every screen and operation acts for the receptionist; the menus follow her role.
    assert context.actor.username == "jbrook"
    assert window.signed_in_label.text() == "Jess Brook (receptionist)"
    menus = [a.text() for a in window.menuBar().actions()]
    assert "&Administration" not in menus and "&Patients" in menus
    assert window.new_action.isEnabled() and window.book_course_action.isEnabled()
    [toolbar] = [t for t in window.findChildren(QToolBar) if t.objectName() == "mainToolbar"]
    assert [a.text() for a in toolbar.actions() if a.text() and a.isEnabled()][:2] == ["New patient", "Book course…"]
    assert any(a.objectName() == "printAction" and a.isEnabled() for a in toolbar.actions())  # handouts, day list
    _select(qtbot, window, patient_id)
    assert window.edit_action.isEnabled() and not window.chart_action.isEnabled()
    window.open_chart(patient_id)  # the receptionist cannot open it either
    assert window.charts == {}
    qtbot.waitUntil(lambda: context.operations.pending == 0, timeout=TIMEOUT)

    # The practitioner's sign-in has ended; what she typed was kept as a draft, in her name.
    with pytest.raises(SignInNotValidError):
        patients.search_patients(context.database, practitioner, "")
    mei = auth.sign_in(context.database, "mchen", PASSWORD)
    [kept] = intakes.list_intakes(context.database, mei, patient_id)
    assert kept.status == "draft" and kept.answers["pain_nrs"] == 7
    with context.database.read() as tx:
        events = tx.execute(select(AuditEvent.action, AuditEvent.user_id, AuditEvent.entity, AuditEvent.detail)
                            .where(AuditEvent.entity.in_(("user", "intake"))).order_by(AuditEvent.id)).all()
    draft = next(i for i, e in enumerate(events) if e.entity == "intake" and e.action == "create")
    logout = next(i for i, e in enumerate(events) if e.action == "logout" and e.user_id == practitioner.user_id)
    login = max(i for i, e in enumerate(events) if e.action == "login" and e.user_id == context.actor.user_id)
    assert events[draft].user_id == practitioner.user_id and draft < logout  # saved before she was signed out
    assert events[logout].detail == {"handed_over_to": context.actor.user_id}
    assert login < logout  # the receptionist's password was checked before anything was closed
    # As the audit log words them for an administrator:
    admin = auth.sign_in(context.database, "admin", "correct horse battery")
    people = dict(audit.people(context.database, admin))
    said = [wording().sentence(facts(row), ZoneInfo(context.clinic.timezone), people)
            for row in audit.list_events(context.database, admin, action=None)]
    assert "Dr Mei Chen signed out, handing the locked screen over to Jess Brook" in said
    assert said.index("Jess Brook signed in") > said.index(
        "Dr Mei Chen signed out, handing the locked screen over to Jess Brook")  # newest first
    window.idle.stop()


def test_a_wrong_password_hands_nothing_over(qtbot, context: AppContext) -> None:
    _people(context)
    patient_id = register(context, "Quill", "Nora")
    practitioner = context.actor = auth.sign_in(context.database, "mchen", PASSWORD)
    window = _window(qtbot, context)
    chart = _open_chart(qtbot, window, patient_id)
    window.lock()
    _sign_in_as_someone_else(qtbot, window, "jbrook", "not her password")
    qtbot.waitUntil(lambda: "not right" in window.lock_screen.error.text(), timeout=TIMEOUT)
    assert window.is_locked and is_alive(chart) and context.actor is practitioner
    patients.search_patients(context.database, practitioner, "")  # still signed in
    window.lock_screen.show_someone_else(False)
    qtbot.keyClicks(window.lock_screen.password, PASSWORD)
    window.lock_screen.try_unlock()
    qtbot.waitUntil(lambda: not window.is_locked, timeout=TIMEOUT)
    assert chart.isVisible()  # her chart comes back as she left it
    window.idle.stop()


def test_a_practitioner_taking_over_a_colleagues_screen_signs_in_their_own_name(qtbot, context: AppContext) -> None:
    from chart_steps import sign

    _people(context)
    patient_id = treated(context)
    context.actor = auth.sign_in(context.database, "mchen", PASSWORD)
    window = _window(qtbot, context)
    chart = _open_chart(qtbot, window, patient_id)
    window.lock()
    _sign_in_as_someone_else(qtbot, window, "treyes")
    qtbot.waitUntil(lambda: not window.is_locked, timeout=TIMEOUT)
    assert not is_alive(chart)
    assert "it was open in Dr Mei Chen's name. Open it again to work in your own name." in window.hand_over_notice
    assert window.signed_in_label.text() == "Dr Tomás Reyes-Villanueva (practitioner)"

    chart = _open_chart(qtbot, window, patient_id)
    chart.tabs.setCurrentWidget(chart.sessions)
    tab = chart.sessions
    tab.new_session()
    qtbot.waitUntil(lambda: tab.mode == "new", timeout=TIMEOUT)
    tab.editor.needles_out.setValue(tab.editor.needles_in.value())
    tab.editor.nrs_before.setValue(5)
    sign(qtbot, tab)
    qtbot.waitUntil(lambda: tab.mode == "signed", timeout=TIMEOUT)
    with context.database.read() as tx:
        signer = tx.scalar(select(AuditEvent.user_id).where(AuditEvent.action == "sign",
                                                            AuditEvent.entity == "session_record"))
    assert signer == context.actor.user_id and context.actor.username == "treyes"
    window.idle.stop()


def test_an_amendment_being_written_is_not_handed_over(qtbot, context: AppContext, monkeypatch) -> None:
    _people(context)
    patient_id = register(context, "Quill", "Nora")
    practitioner = context.actor = auth.sign_in(context.database, "mchen", PASSWORD)
    window = _window(qtbot, context)
    chart = _open_chart(qtbot, window, patient_id)
    monkeypatch.setattr(chart.sessions, "mode", "amend")
    monkeypatch.setattr(chart.sessions, "editing", lambda: True)
    window.lock()
    _sign_in_as_someone_else(qtbot, window, "jbrook")
    assert "Dr Mei Chen is writing an amendment in Nora Quill's chart" in window.lock_screen.error.text()
    qtbot.wait(200)
    assert window.is_locked and is_alive(chart) and context.actor is practitioner
    monkeypatch.undo()  # (closing the chart at the end would ask about the amendment)
    window.idle.stop()
