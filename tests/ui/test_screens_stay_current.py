"""Screens stay current from the change broadcast, and actions act on the patient of the screen in front.

Each test here failed before ui/operations and the broadcast: a booking made with Ctrl+B from the
Patients tab left the Calendar showing the old week, Today polled every minute, and "Open chart" or
"Print" on Today acted on whoever was selected on the Patients tab.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from acudesk.domain.patients import PatientDetails
from acudesk.services import calendar_data, courses, patients
from acudesk.services.calendar_data import CalendarEntry, TodayEntry
from acudesk.services.courses import BookingRequest
from acudesk.ui.calendar.course_dialog import CourseBookingDialog
from acudesk.ui.calendar.screen import CalendarScreen
from acudesk.ui.calendar.today_screen import TodayScreen
from acudesk.ui.context import AppContext
from acudesk.ui.documents import DocumentsDialog
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QApplication, QKeySequence, Qt, QTimer

TIMEOUT = 10_000
COURSE_START = datetime(2027, 3, 1, 10)  # a Monday with no public holiday in England


def _register(context: AppContext, family: str, given: str, born: date) -> int:
    details = PatientDetails(family, given, born, consent_to_treatment=True, consent_date=date(2026, 1, 5))
    return patients.register_patient(context.database, context.actor, details).id


@pytest.fixture
def window(qtbot, context: AppContext) -> MainWindow:
    _register(context, "Okafor", "Hannah", date(1970, 2, 3))
    _register(context, "Haddad", "Farah", date(1985, 7, 9))
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.patients.count.text() == "2 patients", timeout=TIMEOUT)
    return window


def _select(qtbot, window: MainWindow, text: str) -> None:
    window.tabs.setCurrentWidget(window.patients)
    window.patients.search.clear()
    qtbot.keyClicks(window.patients.search, text)
    qtbot.waitUntil(lambda: window.patients.current is not None
                    and text.lower() in window.patients.current.details.family_name.lower(), timeout=TIMEOUT)


def _calendar_at(qtbot, window: MainWindow, day: date) -> CalendarScreen:
    calendar = window.open_screen("Calendar")
    qtbot.waitUntil(lambda: calendar.data is not None, timeout=TIMEOUT)
    calendar.show_day(day)
    qtbot.waitUntil(lambda: calendar.data is not None and calendar.data.first <= day <= calendar.data.last,
                    timeout=TIMEOUT)
    return calendar


def _names_on(calendar: CalendarScreen) -> list[str]:
    assert calendar.data is not None
    return [entry.patient_name for entry in calendar.data.entries]


def test_a_course_booked_with_ctrl_b_from_the_patients_tab_appears_on_the_open_calendar(qtbot, window) -> None:
    calendar = _calendar_at(qtbot, window, COURSE_START.date())
    assert _names_on(calendar) == []
    _select(qtbot, window, "Haddad")
    assert window.tabs.currentWidget() is window.patients and not calendar.isVisible()

    qtbot.keySequence(window, QKeySequence("Ctrl+B"))
    qtbot.waitUntil(lambda: _booking_dialog() is not None, timeout=TIMEOUT)
    dialog = _booking_dialog()
    qtbot.waitUntil(lambda: dialog.patient.patient_id is not None, timeout=TIMEOUT)
    assert dialog.patient.patient_id == window.patients.current.id  # the patient in front, pre-filled
    dialog.date.setDate(COURSE_START.date())
    dialog.pattern.setText("weekly x2")
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.save_button.isEnabled(), timeout=TIMEOUT)
    with qtbot.waitSignal(window.context.operations.idle, timeout=TIMEOUT):
        dialog.save_button.click()

    window.tabs.setCurrentWidget(calendar)  # no click on Refresh, no other navigation
    qtbot.waitUntil(lambda: _names_on(calendar) == ["Farah Haddad"], timeout=TIMEOUT)


def test_a_visible_calendar_follows_a_check_in_made_elsewhere_without_a_click(qtbot, window) -> None:
    context = window.context
    farah = _id_of(context, "haddad")
    booked = courses.book_course(context.database, context.actor,
                                 BookingRequest(farah, context.actor.user_id, None, COURSE_START, "weekly x1"))
    calendar = _calendar_at(qtbot, window, COURSE_START.date())
    qtbot.waitUntil(lambda: len(_names_on(calendar)) == 1, timeout=TIMEOUT)
    entry = calendar.data.entries[0]
    assert entry.id == booked.appointment_ids[0] and entry.status == "booked"

    today = TodayScreen(context)  # a second screen making the write
    qtbot.addWidget(today)
    today.entry_actions.check_in(entry)
    qtbot.waitUntil(lambda: calendar.data.entries[0].status == "arrived", timeout=TIMEOUT)


def test_today_does_not_poll_and_wakes_only_for_the_next_late_arrival_or_midnight(qtbot, context: AppContext) -> None:
    screen = TodayScreen(context)
    qtbot.addWidget(screen)
    qtbot.waitUntil(lambda: not screen.title.text() == "", timeout=TIMEOUT)
    timers = [t for t in screen.findChildren(QTimer) if t.isActive()]
    assert timers and all(t.isSingleShot() for t in timers)

    start = datetime.now(UTC) - timedelta(minutes=5)  # late in five minutes and a moment
    screen._show([TodayEntry(_entry(1, "Farah Haddad", start), late=False)])
    assert 4 * 60_000 < screen.clock.remainingTime() <= 6 * 60_000 + 1000
    screen._show([TodayEntry(_entry(1, "Farah Haddad", start - timedelta(minutes=6)), late=False)])
    screen._clock_moved()  # the moment comes: the row turns late without a database read
    assert screen.rows[0].late and screen.table.item(0, 5).text() == "Late"


def test_actions_on_today_act_on_the_visit_selected_there_not_on_the_patients_tab(qtbot, window, monkeypatch) -> None:
    _select(qtbot, window, "Okafor")
    hannah = window.patients.current.id
    farah = _id_of(window.context, "haddad")
    assert farah != hannah
    today: TodayScreen = window.open_screen("Today")
    qtbot.waitUntil(lambda: today.title.text() != "", timeout=TIMEOUT)
    assert window.current_patient() is None  # nothing selected on Today: no patient action is offered
    assert not window.chart_action.isEnabled() and not window.edit_action.isEnabled()

    today._show([TodayEntry(_entry(7, "Farah Haddad", datetime.now(UTC), patient_id=farah), late=False)])
    today.table.selectRow(0)
    assert window.current_patient().id == farah
    assert "Farah Haddad" in window.patient_header.text() and "Farah Haddad" in window.windowTitle()

    opened: list[DocumentsDialog] = []
    monkeypatch.setattr(DocumentsDialog, "open", lambda self: opened.append(self))
    window.print_action.trigger()
    assert [d.patient_id for d in opened] == [farah]

    window.chart_action.trigger()
    assert list(window.charts) == [farah]


def test_a_newly_registered_patient_becomes_the_selection_even_when_the_search_hid_them(qtbot, window) -> None:
    _select(qtbot, window, "Okafor")
    from acudesk.ui.patient_dialog import PatientDialog

    window.new_action.trigger()
    qtbot.waitUntil(lambda: _dialog_of(PatientDialog) is not None, timeout=TIMEOUT)
    dialog = _dialog_of(PatientDialog)
    for name, text in (("family_name", "Lindqvist"), ("given_name", "Grace"), ("date_of_birth", "12/04/1991")):
        qtbot.keyClicks(dialog.editor(name), text)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: window.patients.current is not None
                    and window.patients.current.details.given_name == "Grace", timeout=TIMEOUT)
    assert window.current_patient().name == "Grace Lindqvist"
    assert "Grace Lindqvist" in window.patient_header.text()


def test_enter_opens_the_chart_once_and_asking_again_raises_it(qtbot, window) -> None:
    _select(qtbot, window, "Haddad")
    qtbot.keyClick(window.patients.search, Qt.Key.Key_Return)
    farah = window.patients.current.id
    assert list(window.charts) == [farah]
    first = window.charts[farah]
    window.chart_action.trigger()
    window.patients.openRequested.emit(farah)
    assert list(window.charts) == [farah] and window.charts[farah] is first
    assert [w for w in QApplication.topLevelWidgets() if type(w).__name__ == "PatientChartWindow"
            and w.isVisible()] == [first]


def _entry(appointment_id: int, name: str, start_utc: datetime, *, patient_id: int = 1) -> CalendarEntry:
    local = start_utc.replace(tzinfo=None)
    return CalendarEntry(appointment_id, 1, patient_id, name, 1, "Dr Test", 1, "Room 1", "Follow-up", "booked", local,
                         local + timedelta(minutes=45), start_utc, None, None, None, "", "", False)


def _id_of(context: AppContext, name: str) -> int:
    [found] = patients.search_patients(context.database, context.actor, name).ids
    return found


def _booking_dialog() -> CourseBookingDialog | None:
    return _dialog_of(CourseBookingDialog)


def _dialog_of(kind):
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    return found[0] if found else None


__all__ = ["calendar_data"]
