"""The receptionist's commonest tasks with the keyboard alone: register a patient, book their course,
move a visit on the calendar.

Every step is a key press into whatever has the keyboard focus (``QApplication.focusWidget()``), as a
person without a mouse works: shortcuts open the dialogs, Tab moves between fields, typing fills
them, Space ticks a box, Return saves. ``tab_to`` presses Tab until the field wanted has the focus,
and fails if Tab never gets there.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.models import Appointment
from acudesk.services import courses, patients
from acudesk.services.courses import BookingRequest
from acudesk.ui.calendar.course_dialog import CourseBookingDialog
from acudesk.ui.calendar.move_dialog import MoveDialog
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.patient_dialog import PatientDialog
from acudesk.ui.qt import QApplication, QDialog, QMenu, QPushButton, Qt, QWidget

TIMEOUT = 10_000
MOST_TABS = 40


def press(qtbot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key press where the keyboard goes: an open menu, or else the widget with the focus."""
    focused = QApplication.activePopupWidget() or QApplication.focusWidget()
    assert focused is not None, "nothing has the keyboard focus"
    qtbot.keyClick(focused, key, modifier)


def type_text(qtbot, text: str) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None, "nothing has the keyboard focus"
    qtbot.keyClicks(focused, text)


def tab_to(qtbot, widget: QWidget) -> None:
    for _ in range(MOST_TABS):
        if QApplication.focusWidget() is widget:
            return
        press(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reaches {widget.accessibleName() or widget.objectName()!r}")


def _shown(kind: type[QDialog]) -> QDialog | None:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)


def _active(qtbot, kind: type[QDialog]) -> QDialog:
    qtbot.waitUntil(lambda: _shown(kind) is not None, timeout=TIMEOUT)
    dialog = _shown(kind)
    assert dialog is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None
                    and QApplication.focusWidget().window() is dialog, timeout=TIMEOUT)
    return dialog


def test_register_a_patient_and_book_a_course_without_a_mouse(qtbot, context: AppContext) -> None:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.patients.count.text() == "0 patients", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.patients.search, timeout=TIMEOUT)

    # Ctrl+N: the New patient form, its first field ready for typing.
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = _active(qtbot, PatientDialog)
    assert QApplication.focusWidget() is form.editor("family_name")
    type_text(qtbot, "Quill")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Nora")
    tab_to(qtbot, form.editor("date_of_birth"))
    type_text(qtbot, "14/05/1979")
    tab_to(qtbot, form.editor("phone"))
    type_text(qtbot, "07700 900321")
    tab_to(qtbot, form.editor("address"))
    type_text(qtbot, "1 Willow Lane")
    press(qtbot, Qt.Key.Key_Tab)  # Tab leaves the address box (it does not type a tab into it)
    assert QApplication.focusWidget() is form.editor("consent_to_treatment")
    press(qtbot, Qt.Key.Key_Space)
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.editor("consent_date")
    type_text(qtbot, "05/01/2026")
    press(qtbot, Qt.Key.Key_Return)  # Save is the form's default button
    qtbot.waitUntil(lambda: _shown(PatientDialog) is None, timeout=TIMEOUT)
    [nora] = patients.search_patients(context.database, context.actor, "Quill", first_rows=5).rows
    assert (nora.given_name, nora.date_of_birth) == ("Nora", date(1979, 5, 14))
    qtbot.waitUntil(lambda: window.current_patient() is not None and window.current_patient().id == nora.id,
                    timeout=TIMEOUT)  # the patient just registered is the one in front

    # Ctrl+B: a course for her; the first visit a year from today at 10:00, "weekly x4, …" as offered.
    window.activateWindow()  # what the window manager does when a dialog closes (offscreen has none)
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=TIMEOUT)
    press(qtbot, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    booking = _active(qtbot, CourseBookingDialog)
    qtbot.waitUntil(lambda: booking.patient.patient_id == nora.id, timeout=TIMEOUT)
    tab_to(qtbot, booking.date)
    for _section in ("month", "year"):  # dd/mm/yyyy: Tab moves from the day to the year, then Up adds a year
        press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Up)
    today = context.today()
    assert booking.date.date().year() == today.year + 1
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is booking.time
    type_text(qtbot, "1000")
    tab_to(qtbot, booking.pattern)
    qtbot.waitUntil(lambda: booking.save_button.isEnabled(), timeout=TIMEOUT)  # the preview is there
    planned = booking.table.rowCount()
    picked = booking.date.date()
    chosen = date(picked.year(), picked.month(), picked.day())
    assert planned > 1
    press(qtbot, Qt.Key.Key_Return)  # "Book N visits" is the default button
    qtbot.waitUntil(lambda: _shown(CourseBookingDialog) is None, timeout=TIMEOUT)

    with context.database.read() as tx:
        visits = tx.scalars(select(Appointment).where(Appointment.patient_id == nora.id)).all()
    assert len(visits) == planned
    first = min(v.local_start for v in visits)
    assert abs((first.date() - chosen).days) <= 2  # the day chosen, or beside it if the clinic is closed then


def test_move_a_visit_from_the_calendar_without_a_mouse(qtbot, context: AppContext) -> None:
    nora = patients.register_patient(context.database, context.actor, PatientDetails(
        "Quill", "Nora", date(1979, 5, 14), consent_to_treatment=True, consent_date=date(2026, 1, 5))).id
    ahead = context.today() + timedelta(days=7)
    tuesday = datetime.combine(ahead + timedelta(days=(1 - ahead.weekday()) % 7), time(10))  # a day the clinic opens
    request = BookingRequest(nora, context.actor.user_id, None, tuesday, "weekly x1")
    [visit] = courses.book_course(context.database, context.actor, request).appointment_ids
    booked = _start_of(context, visit)  # Tuesday, or the nearest open day if that one is a holiday
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.patients.search, timeout=TIMEOUT)

    press(qtbot, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Tab: the next tab, the Calendar
    qtbot.waitUntil(lambda: window.tabs.tabText(window.tabs.currentIndex()) == "Calendar", timeout=TIMEOUT)
    calendar = window.tabs.currentWidget()
    qtbot.waitUntil(lambda: getattr(calendar, "data", None) is not None, timeout=TIMEOUT)
    grid = calendar.grid
    next_week = next(b for b in calendar.findChildren(QPushButton) if b.text() == "Next ▶")
    for _week in range(3):  # the visit is a week or two ahead: Next ▶ until it is in view
        if any(e.id == visit for e in grid.in_order()):
            break
        tab_to(qtbot, next_week)
        shown = calendar.data
        press(qtbot, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: calendar.data is not shown, timeout=TIMEOUT)  # noqa: B023 (waited for at once)
    tab_to(qtbot, grid)
    press(qtbot, Qt.Key.Key_Home)  # the first visit in view: the only one
    assert grid.keyboard_entry is not None and grid.keyboard_entry.id == visit
    assert "Nora Quill" in grid.accessibleDescription()  # what a screen reader says about it
    press(qtbot, Qt.Key.Key_Return)  # its actions, as a click opens them
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=TIMEOUT)
    menu = QApplication.activePopupWidget()
    for _ in range(len(menu.actions())):
        if menu.activeAction() is not None and menu.activeAction().text() == "Move…":
            break
        press(qtbot, Qt.Key.Key_Down)
    assert menu.activeAction().text() == "Move…"
    press(qtbot, Qt.Key.Key_Return)
    move = _active(qtbot, MoveDialog)
    tab_to(qtbot, move.time)
    type_text(qtbot, "1500")
    press(qtbot, Qt.Key.Key_Return)  # Move is the default button
    qtbot.waitUntil(lambda: _start_of(context, visit) == booked.replace(hour=15), timeout=TIMEOUT)


def _start_of(context: AppContext, visit: int) -> datetime:
    with context.database.read() as tx:
        return tx.get(Appointment, visit).local_start
