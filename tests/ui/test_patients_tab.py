"""The Patients tab helps a receptionist on day one (issue 18): an empty list says what to do next,
a caller's last digits find them, and the pane shows their visits booked and screening state, kept
current by the change broadcast. Through the main window; invented people."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from acudesk.domain import dates
from acudesk.domain.intake import load_questionnaire
from acudesk.domain.patients import PatientDetails
from acudesk.services import courses, intakes, patients
from acudesk.services.courses import BookingRequest
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.patient_dialog import PatientDialog

TIMEOUT = 10_000


def clear_answers(**changes: Any) -> dict[str, Any]:
    """Every required yes/no question answered "no", a 44-year-old with low back pain."""
    answers: dict[str, Any] = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    answers.update(age=44, leg_radiation="none", pain_duration_weeks=20, pain_nrs=6, pain_lower_back=True)
    answers.update(changes)
    return answers


def write(qtbot, context: AppContext, work: Callable[[], Any]) -> None:
    """A write made elsewhere (another screen): wait until it and every reload it caused have finished."""
    with qtbot.waitSignal(context.operations.idle, timeout=TIMEOUT):
        context.operations.write(None, work)


def _window(qtbot, context: AppContext, count: str) -> MainWindow:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.patients.count.text() == count, timeout=TIMEOUT)
    return window


def test_an_empty_clinic_says_register_your_first_patient(qtbot, context: AppContext) -> None:
    window = _window(qtbot, context, "0 patients")
    view = window.patients
    assert view.empty_box.isVisible() and "No patients yet" in view.empty.text()
    assert view.empty_button.text() == "Register your first patient…"
    view.empty_button.click()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(PatientDialog)), timeout=TIMEOUT)
    qtbot.wait(100)
    assert len([d for d in window.findChildren(PatientDialog) if d.isVisible()]) == 1  # one click, one dialog


def test_a_search_that_finds_nobody_says_what_to_try(qtbot, context: AppContext) -> None:
    patients.register_patient(context.database, context.actor, PatientDetails("Quill", "Nora", date(1979, 5, 14)))
    window = _window(qtbot, context, "1 patient")
    assert not window.patients.empty_box.isVisible()
    qtbot.keyClicks(window.patients.search, "zzyzx")
    qtbot.waitUntil(lambda: window.patients.count.text() == "0 patients", timeout=TIMEOUT)
    assert "No patient matches “zzyzx”" in window.patients.empty.text()
    assert window.patients.empty_button.text() == "Register a new patient…"


def test_the_last_digits_a_caller_quotes_find_them(qtbot, context: AppContext) -> None:
    patients.register_patient(context.database, context.actor,
                              PatientDetails("Quill", "Nora", date(1979, 5, 14), phone="07700 900381"))
    window = _window(qtbot, context, "1 patient")
    qtbot.keyClicks(window.patients.search, "0381")
    qtbot.waitUntil(lambda: window.patients.current is not None, timeout=TIMEOUT)
    assert window.patients.current.details.family_name == "Quill"


def test_the_pane_shows_visits_booked_and_the_screening_and_keeps_them_current(qtbot, context: AppContext) -> None:
    nora = patients.register_patient(context.database, context.actor, PatientDetails(
        "Quill", "Nora", date(1979, 5, 14), consent_to_treatment=True, consent_date=date(2026, 1, 5))).id
    window = _window(qtbot, context, "1 patient")
    window.patients.select_patient(nora, "Quill Nora")
    pane = window.patients.details
    qtbot.waitUntil(lambda: "Not screened yet" in pane.outlook.text(), timeout=TIMEOUT)
    assert "none booked" in pane.outlook.text()

    monday = context.today() + timedelta(days=14 - context.today().weekday())
    db, actor = context.database, context.actor
    write(qtbot, context, lambda: courses.book_course(db, actor, BookingRequest(
        nora, actor.user_id, 1, datetime.combine(monday, datetime.min.time()).replace(hour=10), "weekly x2")))
    qtbot.waitUntil(lambda: "Visits booked</b>: 2" in pane.outlook.text(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: f"{dates.day(monday, weekday=True)} 10:00" in pane.course.text(), timeout=TIMEOUT)
    assert dates.day(monday, weekday=True) not in pane.outlook.text()  # listed once, under the course

    write(qtbot, context, lambda: intakes.save_intake(db, actor, nora, clear_answers(saddle_numbness=True),
                                                      sign=True))
    qtbot.waitUntil(lambda: "Treatment on hold" in pane.outlook.text(), timeout=TIMEOUT)
