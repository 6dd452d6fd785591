"""A receptionist books a course over Christmas 2027 and finds the visits in the week view."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from acudesk.domain.patients import PatientDetails
from acudesk.services import calendar_data, patients
from acudesk.ui.calendar.course_dialog import CourseBookingDialog, Prefill
from acudesk.ui.calendar.screen import DAY, CalendarScreen
from acudesk.ui.calendar.today_screen import TodayScreen
from acudesk.ui.context import AppContext
from acudesk.ui.qt import QPoint, Qt

TIMEOUT = 10_000


@pytest.fixture
def patient_id(context: AppContext) -> int:
    details = PatientDetails("Quill", "Nora", date(1979, 5, 14), phone="07700 900321",
                             consent_to_treatment=True, consent_date=date(2026, 1, 5))
    return patients.register_patient(context.database, context.actor, details).id


def _preview_ready(dialog: CourseBookingDialog):
    return lambda: dialog.preview is not None


def test_book_a_course_over_christmas_and_see_it_in_the_week_view(
    qtbot, context: AppContext, patient_id: int
) -> None:
    prefill = Prefill(patient_id, "QUILL, Nora", context.actor.user_id, 1, datetime(2027, 12, 13, 10))
    dialog = CourseBookingDialog(context, prefill)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(_preview_ready(dialog), timeout=TIMEOUT)

    # A typo in the pattern is named at once and nothing can be saved.
    dialog.pattern.clear()
    qtbot.keyClicks(dialog.pattern, "wekly x4")
    assert "unknown interval 'wekly'" in dialog.pattern_error.text()
    assert not dialog.save_button.isEnabled()

    dialog.pattern.clear()
    qtbot.keyClicks(dialog.pattern, "weekly x4, fortnightly x2, monthly x3")
    assert dialog.pattern_error.text() == ""
    qtbot.waitUntil(_preview_ready(dialog), timeout=TIMEOUT)
    assert dialog.table.rowCount() == 9
    assert dialog.table.item(2, 1).text() == "Wed 29 Dec 2027"
    # Mon 27 and Tue 28 Dec are holidays and Sunday is closed: visit 3 cannot keep its weekly rhythm.
    assert dialog.table.item(2, 5).text().startswith(
        "⚠ Mon 27 Dec 2027 is a holiday (Christmas Day (observed)); nothing free within ±1 day → "
        "Wed 29 Dec 2027 10:00"
    )
    assert "3 moved" in dialog.summary.text() and "visit 3 could not keep the rhythm" in dialog.summary.text()
    assert "no conflicts" not in dialog.summary.text()
    assert dialog.save_button.isEnabled()
    assert dialog.save_button.text() == "Book 9 visits"

    with qtbot.waitSignal(dialog.booked, timeout=TIMEOUT) as saved:
        dialog.save_button.click()
    assert len(saved.args[0].appointment_ids) == 9
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)

    screen = CalendarScreen(context)
    qtbot.addWidget(screen)
    screen.resize(1200, 640)
    screen.show()
    qtbot.waitUntil(lambda: screen.data is not None, timeout=TIMEOUT)
    screen.show_day(date(2027, 12, 29))
    qtbot.waitUntil(lambda: screen.data is not None and screen.data.first == date(2027, 12, 27), timeout=TIMEOUT)
    titles = [c.title for c in screen.grid.columns]
    assert titles == ["Mon 27 Dec", "Tue 28 Dec", "Wed 29 Dec", "Thu 30 Dec", "Fri 31 Dec", "Sat 1 Jan"]
    assert screen.grid.columns[0].closed == "Christmas Day (observed)"
    wednesday = screen.grid.entries[2]
    assert [(e.patient_name, e.local_start) for e in wednesday] == [("Nora Quill", datetime(2027, 12, 29, 10))]
    screen.grab()  # paint once so clicks can find the drawn appointment

    # Clicking the visit offers its actions (Check in, Complete and No-show only once it is due, not in 2027);
    # clicking free time opens a pre-filled booking dialog.
    entry = screen.grid._placed[0]
    assert entry.entry.patient_name == "Nora Quill"
    menu = screen.entry_actions.menu(entry.entry)
    assert [a.text() for a in menu.actions() if a.isEnabled() and not a.isSeparator()] == [
        "Move…", "Cancel visit…"
    ]
    point = QPoint(int(screen.grid._x(3) + 20), int(screen.grid._y(datetime(2027, 12, 30, 15).time()) + 5))
    qtbot.mouseClick(screen.grid, Qt.MouseButton.LeftButton, pos=point)
    opened = [d for d in screen.findChildren(CourseBookingDialog) if d.isVisible()]
    assert opened and opened[0].start() == datetime(2027, 12, 30, 15)
    opened[0].reject()

    screen.set_mode(DAY)
    qtbot.waitUntil(lambda: screen.data is not None and screen.data.last == date(2027, 12, 29), timeout=TIMEOUT)
    assert [c.title for c in screen.grid.columns] == ["Dr Test Admin"]


def test_the_today_list_checks_a_patient_in(qtbot, context: AppContext, patient_id: int) -> None:
    from acudesk.persistence.models import Appointment
    from acudesk.services.scheduling import to_utc, zone_of

    now = datetime.now()
    with context.database.write() as session:
        from acudesk.services.scheduling import clinic_row

        tz = zone_of(clinic_row(session))
        local = datetime.combine(context.today(), datetime.min.time()).replace(hour=23, minute=0)
        local, start_utc, _ = to_utc(local, tz)
        session.add(Appointment(patient_id=patient_id, practitioner_id=context.actor.user_id, room_id=1,
                                local_start=local, start_utc=start_utc, duration_minutes=45, status="booked"))
    screen = TodayScreen(context)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitUntil(lambda: screen.table.rowCount() == 1, timeout=TIMEOUT)
    assert screen.table.item(0, 1).text() == "Nora Quill"
    screen.table.selectRow(0)
    assert screen.check_in_button.isEnabled()
    screen.check_in_button.click()
    qtbot.waitUntil(lambda: screen.table.item(0, 5).text() == "Checked in", timeout=TIMEOUT)
    assert screen.current() is None or screen.check_in_button.text() == "Undo check-in"  # no second check-in
    rows = calendar_data.todays_list(context.database, context.actor)
    assert rows[0].entry.status == "arrived"
    assert now  # the list is for the clinic's today


def test_the_selected_patients_visits_export_to_an_ics_file(qtbot, context, tmp_path, monkeypatch) -> None:
    from datetime import date, datetime

    from acudesk.domain.patients import PatientDetails
    from acudesk.services import courses, patients
    from acudesk.services.calendar_data import resources
    from acudesk.services.courses import BookingRequest
    from acudesk.ui.main_window import MainWindow
    from acudesk.ui.qt import QFileDialog

    record = patients.register_patient(context.database, context.actor,
                                       PatientDetails("Dalgleish", "Niamh", date(1977, 7, 7)))
    available = resources(context.database, context.actor)
    practitioner, room = available.practitioners[0].id, available.rooms[0].id
    start = datetime(2030, 3, 5, 10, 0)
    courses.book_course(context.database, context.actor,
                        BookingRequest(record.id, practitioner, room, start, "weekly x3"))
    window = MainWindow(context)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.patients.count.text() == "1 patient", timeout=10_000)
    window.patients.table.selectRow(0)
    qtbot.waitUntil(lambda: window.ics_action.isEnabled(), timeout=10_000)
    target = tmp_path / "visits.ics"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    with qtbot.waitSignal(context.operations.idle, timeout=10_000):  # written and closed, not just created
        window.ics_action.trigger()
    assert target.exists()
    text = target.read_text()
    assert text.count("BEGIN:VEVENT") == 3 and "Dalgleish" not in text.split("SUMMARY")[1][:80]
