"""A receptionist rearranges the week on the calendar: drags a visit, moves a course with the Move
dialog, looks at every practitioner side by side, and opens a visit's patient.

The test clinic (Europe/London) opens Mon-Fri 09:00-18:00 and Sat 09:00-13:00; follow-ups last 45 min
with 10 min room changeover. The week of Mon 1 March 2027 has no public holiday. Patients are invented.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.models import Appointment, Closure
from acudesk.services import calendar_data, courses, patients
from acudesk.services.calendar_data import CalendarEntry
from acudesk.services.clinic import add_user
from acudesk.services.context import PRACTITIONER
from acudesk.services.courses import BookingRequest
from acudesk.ui.calendar.course_dialog import CourseBookingDialog
from acudesk.ui.calendar.move_dialog import MoveDialog
from acudesk.ui.calendar.screen import DAY, WEEK, CalendarScreen
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QColor, Qt, QTime
from acudesk.ui.style import CLEAR_BACKGROUND, STOP_BACKGROUND

TIMEOUT = 10_000
MONDAY = date(2027, 3, 1)
ROOM_1, ROOM_2 = 1, 2


def _register(context: AppContext, family: str, given: str) -> int:
    details = PatientDetails(family, given, date(1980, 4, 2), consent_to_treatment=True, consent_date=date(2026, 1, 5))
    return patients.register_patient(context.database, context.actor, details).id


def _book(context: AppContext, patient: int, start: datetime, pattern: str, room: int = ROOM_1,
          practitioner: int | None = None) -> list[int]:
    request = BookingRequest(patient, practitioner or context.actor.user_id, room, start, pattern)
    return courses.book_course(context.database, context.actor, request).appointment_ids


def _entries(context: AppContext, ids: list[int]) -> list[CalendarEntry]:
    with context.database.read() as tx:
        return calendar_data.entries_for_ids(tx, ids)


@pytest.fixture
def nora(context: AppContext) -> int:
    return _register(context, "Quill", "Nora")


@pytest.fixture
def tomas(context: AppContext) -> int:
    return _register(context, "Brennan", "Tomas")


@pytest.fixture
def iris(context: AppContext) -> int:
    with context.database.write() as tx:
        return add_user(tx, "ilin", "Dr Iris Lin", (PRACTITIONER,), password=None).id


def _calendar(qtbot, context: AppContext, day: date = MONDAY, **callbacks) -> CalendarScreen:
    screen = CalendarScreen(context, **callbacks)
    qtbot.addWidget(screen)
    screen.resize(1300, 700)
    screen.show()
    qtbot.waitUntil(lambda: screen.data is not None, timeout=TIMEOUT)
    screen.show_day(day)
    _wait_for_range(qtbot, screen, day)
    return screen


def _wait_for_range(qtbot, screen: CalendarScreen, day: date) -> None:
    qtbot.waitUntil(lambda: screen.data is not None and screen.data.first <= day <= screen.data.last
                    and screen.grid.columns != [], timeout=TIMEOUT)
    screen.grid.grab()  # painted once, so that presses find the drawn visits


def _column(screen: CalendarScreen, **wanted: object) -> int:
    return next(n for n, c in enumerate(screen.grid.columns)
                if all(getattr(c, name) == value for name, value in wanted.items()))


def _ghost_colour(screen: CalendarScreen) -> QColor:
    """The colour the dragged visit's ghost is painted in (a corner clear of its text)."""
    assert screen.grid.drag is not None
    rect = screen.grid._drag_rect(screen.grid.drag)
    assert rect is not None
    return screen.grid.grab().toImage().pixelColor(int(rect.right()) - 6, int(rect.bottom()) - 5)


def _visit_at(screen: CalendarScreen, name: str) -> CalendarEntry:
    assert screen.data is not None
    return next(e for e in screen.data.entries if e.patient_name == name)


# -- 1. dragging a visit ----------------------------------------------------------------------------
def test_a_visit_dragged_onto_a_clash_shows_red_with_the_clash_and_is_moved_where_it_fits(
    qtbot, context: AppContext, nora: int, tomas: int
) -> None:
    _book(context, nora, datetime(2027, 3, 1, 10), "weekly x1")
    _book(context, tomas, datetime(2027, 3, 1, 14), "weekly x1")
    screen = _calendar(qtbot, context)
    grid = screen.grid
    monday, tuesday = _column(screen, day=MONDAY), _column(screen, day=date(2027, 3, 2))

    # Take hold of Nora's visit (10:00-10:45) by its top and drag it over Tomas's 14:00 visit.
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=grid.point_of(monday, time(10, 0)))
    qtbot.mouseMove(grid, grid.point_of(monday, time(13, 0)))
    assert grid.drag is not None and grid.drag.entry.patient_name == "Nora Quill"
    qtbot.waitUntil(lambda: screen.move_check is not None, timeout=TIMEOUT)  # the checks, read once
    qtbot.mouseMove(grid, grid.point_of(monday, time(14, 0)))
    assert grid.drag.start == datetime(2027, 3, 1, 14, 0)
    assert grid.drag.problems == [
        "the practitioner is already seeing Tomas Brennan at Mon 1 Mar 2027 14:00",
        "the room is taken by Tomas Brennan at Mon 1 Mar 2027 14:00 (including 10 min changeover)",
    ]
    assert grid.toolTip().startswith("Cannot move to Mon 1 Mar 2027 14:00:\n• the practitioner is already seeing "
                                     "Tomas Brennan")
    assert _ghost_colour(screen) == QColor(STOP_BACKGROUND)  # the target is red before the drop

    # Dropped there, nothing is written: the visit goes back, and the status bar says why.
    with qtbot.assertNotEmitted(grid.entryDropped), qtbot.waitSignal(grid.dropRefused) as refused:
        qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=grid.point_of(monday, time(14, 0)))
    assert grid.drag is None
    assert refused.args == ["Nora Quill was not moved: the practitioner is already seeing Tomas Brennan at "
                            "Mon 1 Mar 2027 14:00."]

    # Dragged to Tuesday 15:00, the place is green and the drop moves it; the calendar follows the broadcast.
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=grid.point_of(monday, time(10, 15)))
    qtbot.mouseMove(grid, grid.point_of(tuesday, time(14, 0)))
    qtbot.waitUntil(lambda: grid.drag is not None and grid.drag.problems is not None, timeout=TIMEOUT)
    qtbot.mouseMove(grid, grid.point_of(tuesday, time(15, 15)))  # held 15 min below its start
    assert (grid.drag.start, grid.drag.problems) == (datetime(2027, 3, 2, 15, 0), [])
    assert grid.toolTip() == ("Move Nora Quill to Tue 2 Mar 2027 15:00\n"
                              "Hold Shift to move the following visits of the course too")
    assert _ghost_colour(screen) == QColor(CLEAR_BACKGROUND)
    with qtbot.waitSignal(context.operations.changed, timeout=TIMEOUT):
        qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=grid.point_of(tuesday, time(15, 15)))
    qtbot.waitUntil(lambda: _visit_at(screen, "Nora Quill").local_start == datetime(2027, 3, 2, 15), timeout=TIMEOUT)
    assert [e.patient_name for e in screen.grid.entries[tuesday]] == ["Nora Quill"]


def test_a_click_on_a_visit_still_opens_its_menu_and_escape_puts_a_dragged_visit_back(
    qtbot, context: AppContext, nora: int
) -> None:
    _book(context, nora, datetime(2027, 3, 1, 10), "weekly x1")
    screen = _calendar(qtbot, context)
    grid = screen.grid
    with qtbot.waitSignal(grid.entryClicked, timeout=TIMEOUT) as clicked:
        qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.point_of(0, time(10, 0)))
    assert clicked.args[0].patient_name == "Nora Quill"
    with qtbot.waitSignal(grid.entryClicked, timeout=TIMEOUT) as right_clicked:
        qtbot.mousePress(grid, Qt.MouseButton.RightButton, pos=grid.point_of(0, time(10, 0)))
    assert right_clicked.args[0].patient_name == "Nora Quill"
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=grid.point_of(0, time(10, 0)))
    qtbot.mouseMove(grid, grid.point_of(1, time(11, 0)))
    assert grid.drag is not None
    qtbot.keyClick(grid, Qt.Key.Key_Escape)
    assert grid.drag is None
    with qtbot.assertNotEmitted(grid.entryDropped), qtbot.assertNotEmitted(grid.entryClicked):
        qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=grid.point_of(1, time(11, 0)))


def test_a_visit_dropped_with_shift_moves_the_following_visits_too_keeping_the_rhythm(
    qtbot, context: AppContext, nora: int
) -> None:
    ids = _book(context, nora, datetime(2027, 3, 2, 10), "fortnightly x3")
    screen = _calendar(qtbot, context)
    grid = screen.grid
    tuesday, wednesday = _column(screen, day=date(2027, 3, 2)), _column(screen, day=date(2027, 3, 3))
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=grid.point_of(tuesday, time(10, 0)))
    qtbot.mouseMove(grid, grid.point_of(wednesday, time(11, 0)))
    qtbot.waitUntil(lambda: grid.drag is not None and grid.drag.problems == [], timeout=TIMEOUT)
    with qtbot.waitSignal(context.operations.changed, timeout=TIMEOUT):
        qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                           grid.point_of(wednesday, time(11, 0)))
    assert [e.local_start for e in _entries(context, ids)] == [
        datetime(2027, 3, 3, 11), datetime(2027, 3, 17, 11), datetime(2027, 3, 31, 11)]


# -- 2. the Move dialog -----------------------------------------------------------------------------
def test_move_changes_the_time_and_room_and_the_following_visits_keep_the_fortnightly_rhythm(
    qtbot, context: AppContext, nora: int
) -> None:
    ids = _book(context, nora, datetime(2027, 3, 2, 10), "fortnightly x3")
    screen = _calendar(qtbot, context, date(2027, 3, 16))
    second = _visit_at(screen, "Nora Quill")
    assert second.course_text == "visit 2 of 3 · fortnightly"
    screen.entry_actions.move(second)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in screen.findChildren(MoveDialog)), timeout=TIMEOUT)
    dialog = next(d for d in screen.findChildren(MoveDialog) if d.isVisible())
    assert [dialog.practitioner.itemText(n) for n in range(dialog.practitioner.count())] == ["Dr Test Admin"]
    dialog.time.setTime(QTime(15, 30))
    dialog.room.setCurrentIndex(dialog.room.findText("Room 2"))
    dialog.following.setChecked(True)
    with qtbot.waitSignal(context.operations.changed, timeout=TIMEOUT):
        dialog.move_button.click()
    moved = _entries(context, ids)
    assert [(e.local_start, e.room_name) for e in moved] == [
        (datetime(2027, 3, 2, 10), "Room 1"),
        (datetime(2027, 3, 16, 15, 30), "Room 2"),
        (datetime(2027, 3, 30, 15, 30), "Room 2"),  # two weeks after, as the course's rhythm asks
    ]
    qtbot.waitUntil(lambda: _visit_at(screen, "Nora Quill").room_name == "Room 2", timeout=TIMEOUT)


def test_move_hands_a_visit_to_another_practitioner(qtbot, context: AppContext, nora: int, iris: int) -> None:
    ids = _book(context, nora, datetime(2027, 3, 1, 10), "weekly x1")
    screen = _calendar(qtbot, context)
    screen.who.setCurrentIndex(screen.who.findText("Dr Test Admin"))
    qtbot.waitUntil(lambda: screen.data is not None and len(screen.data.entries) == 1, timeout=TIMEOUT)
    screen.entry_actions.move(_visit_at(screen, "Nora Quill"))
    qtbot.waitUntil(lambda: any(d.isVisible() for d in screen.findChildren(MoveDialog)), timeout=TIMEOUT)
    dialog = next(d for d in screen.findChildren(MoveDialog) if d.isVisible())
    dialog.practitioner.setCurrentIndex(dialog.practitioner.findText("Dr Iris Lin"))
    with qtbot.waitSignal(context.operations.changed, timeout=TIMEOUT):
        dialog.move_button.click()
    assert _entries(context, ids)[0].practitioner_name == "Dr Iris Lin"


# -- 3. every practitioner side by side --------------------------------------------------------------
def test_all_practitioners_by_day_and_by_week_and_a_visit_dragged_to_the_other_practitioner(
    qtbot, context: AppContext, nora: int, tomas: int, iris: int
) -> None:
    ids = _book(context, nora, datetime(2027, 3, 1, 10), "weekly x1")
    _book(context, tomas, datetime(2027, 3, 1, 10), "weekly x1", room=ROOM_2, practitioner=iris)
    screen = _calendar(qtbot, context)
    assert screen.who.currentText() == "Dr Iris Lin"  # the first practitioner's week, until "Show" says otherwise
    assert [e.patient_name for e in screen.data.entries] == ["Tomas Brennan"]

    screen.show_all()
    screen.set_mode(DAY)
    qtbot.waitUntil(lambda: screen.data is not None and screen.data.first == screen.data.last == MONDAY
                    and len(screen.grid.columns) == 2, timeout=TIMEOUT)
    assert [(c.title, c.practitioner_id) for c in screen.grid.columns] == [
        ("Dr Iris Lin", iris), ("Dr Test Admin", context.actor.user_id)]
    assert {n: [e.patient_name for e in found] for n, found in screen.grid.entries.items()} == {
        0: ["Tomas Brennan"], 1: ["Nora Quill"]}
    with context.database.write() as tx:  # Dr Lin is away on Wednesday: her column says so
        tx.add(Closure(starts_on=date(2027, 3, 3), ends_on=date(2027, 3, 3), reason="Course", user_id=iris))
    screen.step(1)
    screen.step(1)
    qtbot.waitUntil(lambda: screen.data is not None and screen.data.first == date(2027, 3, 3), timeout=TIMEOUT)
    assert [c.closed for c in screen.grid.columns] == ["Practitioner on leave", None]
    screen.show_day(MONDAY)

    screen.set_mode(WEEK)
    qtbot.waitUntil(lambda: screen.data is not None and screen.data.last == date(2027, 3, 7), timeout=TIMEOUT)
    columns = screen.grid.columns
    assert len(columns) == 12  # Monday to Saturday, each practitioner
    assert [(c.title, c.subtitle) for c in columns[:3]] == [
        ("Mon 1", "Dr Iris Lin"), ("Mon 1", "Dr Test Admin"), ("Tue 2", "Dr Iris Lin")]

    # In the all-practitioners week, Nora's visit dragged to Dr Lin's Tuesday column moves to her.
    screen.grid.grab()
    grid = screen.grid
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=grid.point_of(1, time(10, 0)))
    qtbot.mouseMove(grid, grid.point_of(2, time(10, 30)))
    qtbot.waitUntil(lambda: grid.drag is not None and grid.drag.problems is not None, timeout=TIMEOUT)
    qtbot.mouseMove(grid, grid.point_of(2, time(11, 0)))
    assert grid.drag.problems == []
    with qtbot.waitSignal(context.operations.changed, timeout=TIMEOUT):
        qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=grid.point_of(2, time(11, 0)))
    moved = _entries(context, ids)[0]
    assert (moved.practitioner_name, moved.local_start) == ("Dr Iris Lin", datetime(2027, 3, 2, 11))

    screen.show_all("room")
    qtbot.waitUntil(lambda: screen.grid.columns and screen.grid.columns[0].room_id == ROOM_1, timeout=TIMEOUT)
    assert [(c.title, c.subtitle) for c in screen.grid.columns[:2]] == [("Mon 1", "Room 1"), ("Mon 1", "Room 2")]


# -- 4. the visit's menu ----------------------------------------------------------------------------
def test_the_menu_opens_chart_and_patient_and_offers_check_in_only_on_the_visits_day(
    qtbot, context: AppContext, nora: int, tomas: int
) -> None:
    today = context.today()
    charts: list[int] = []
    shown: list[tuple[int, str]] = []
    screen = _calendar(qtbot, context, today, open_chart=charts.append,
                       open_patient=lambda patient, name: shown.append((patient, name)))

    def offered(entry: CalendarEntry) -> list[str]:
        return [a.text() for a in screen.entry_actions.menu(entry).actions() if not a.isSeparator()][1:]

    todays = CalendarEntry(0, 1, nora, "Nora Quill", context.actor.user_id, "Dr Test Admin", 1, "Room 1",
                           "Follow-up", "booked", datetime.combine(today, time(8)),
                           datetime.combine(today, time(8, 45)), datetime.now(UTC) - timedelta(minutes=1), None, None,
                           None, "", "", False)
    assert offered(todays) == ["Open chart", "Open patient", "Check in", "Complete", "No-show", "Move…",
                               "Cancel visit…"]
    tomorrows = CalendarEntry(0, 1, tomas, "Tomas Brennan", context.actor.user_id, "Dr Test Admin", 1, "Room 1",
                              "Follow-up", "booked", datetime.combine(today + timedelta(days=1), time(8)),
                              datetime.combine(today + timedelta(days=1), time(8, 45)),
                              datetime.now(UTC) + timedelta(days=1), None, None, None, "", "", False)
    # Not yet begun: no check-in, completion or no-show (the service would refuse a no-show before its start).
    assert offered(tomorrows) == ["Open chart", "Open patient", "Move…", "Cancel visit…"]

    menu = screen.entry_actions.menu(todays)
    next(a for a in menu.actions() if a.text() == "Open chart").trigger()
    next(a for a in menu.actions() if a.text() == "Open patient").trigger()
    assert charts == [nora] and shown == [(nora, "Nora Quill")]


def test_open_patient_in_the_main_window_selects_the_visits_patient_on_the_patients_tab(
    qtbot, context: AppContext, nora: int, tomas: int
) -> None:
    _book(context, tomas, datetime(2027, 3, 1, 10), "weekly x4")
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.patients.count.text() == "2 patients", timeout=TIMEOUT)
    calendar = window.open_screen("Calendar")
    assert isinstance(calendar, CalendarScreen)
    qtbot.waitUntil(lambda: calendar.data is not None, timeout=TIMEOUT)
    calendar.show_day(MONDAY)
    _wait_for_range(qtbot, calendar, MONDAY)
    menu = calendar.entry_actions.menu(_visit_at(calendar, "Tomas Brennan"))
    next(a for a in menu.actions() if a.text() == "Open patient").trigger()
    assert window.tabs.currentWidget() is window.patients
    qtbot.waitUntil(lambda: window.patients.current is not None and window.patients.current.id == tomas,
                    timeout=TIMEOUT)

    # 5. The patient pane shows the course and the visits still to come.
    course = window.patients.details.course
    qtbot.waitUntil(lambda: "still to come" in course.text(), timeout=TIMEOUT)
    assert "<b>Course</b>: 4 visits · weekly · 4 still to come" in course.text()
    assert "Mon 1 Mar 2027 10:00" in course.text() and "Mon 22 Mar 2027 10:00" in course.text()


# -- 5. each entry's place in its course --------------------------------------------------------------
def test_each_entry_shows_its_course_count_without_a_dangling_separator(
    qtbot, context: AppContext, nora: int, tomas: int
) -> None:
    _book(context, nora, datetime(2027, 3, 1, 10), "weekly x2, fortnightly x2")
    _book(context, tomas, datetime(2027, 3, 1, 14), "weekly x1")
    screen = _calendar(qtbot, context)
    nora_visit, tomas_visit = _visit_at(screen, "Nora Quill"), _visit_at(screen, "Tomas Brennan")
    assert screen.grid.detail_text(nora_visit) == "visit 1 of 4 · weekly · Room 1"
    assert screen.grid.detail_text(tomas_visit) == "visit 1 of 1 · Room 1"
    with context.database.write() as tx:  # a visit with no room (booked before rooms were kept)
        tx.get(Appointment, tomas_visit.id).room_id = None
    no_room = _entries(context, [tomas_visit.id])[0]
    assert screen.grid.detail_text(no_room) == "visit 1 of 1"
    screen.show_day(date(2027, 3, 22))
    _wait_for_range(qtbot, screen, date(2027, 3, 22))
    assert screen.grid.detail_text(_visit_at(screen, "Nora Quill")) == "visit 3 of 4 · fortnightly · Room 1"


# -- 6. booking from the calendar -------------------------------------------------------------------
def test_book_course_from_the_calendar_starts_at_a_time_still_to_come(qtbot, context: AppContext) -> None:
    screen = _calendar(qtbot, context, context.today())
    late_afternoon = datetime.combine(context.today(), time(16, 7))
    screen.clock = lambda: late_afternoon
    screen.book_button.click()
    dialog = next(d for d in screen.findChildren(CourseBookingDialog) if d.isVisible())
    start = dialog.start()
    assert start > late_afternoon and start.minute % 15 == 0
    dialog.reject()
    # A click on a time already past opens the booking at the next free time too.
    screen.book(screen.grid.columns[0], datetime.combine(context.today(), time(9)))
    dialog = [d for d in screen.findChildren(CourseBookingDialog) if d.isVisible()][-1]
    assert dialog.start() > late_afternoon
    dialog.reject()
