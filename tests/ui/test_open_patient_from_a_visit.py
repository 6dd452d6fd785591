"""A visit's "Open patient" selects that patient on the Patients tab, whatever script their name is in.

Before: when the current search did not list the patient, the tab searched for the name as the visit
writes it: "王小明" (family name first, one word) matched no family or given name that starts with it,
and a right-to-left name carried its direction marks into the search box; the tab was left on an empty
search with nobody selected. Through the main window and the Today tab's menu; invented people.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.models import Appointment
from acudesk.services import patients
from acudesk.ui.calendar.today_screen import TodayScreen
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow

TIMEOUT = 10_000


def visit_today(context: AppContext, details: PatientDetails, at: time) -> int:
    """A visit today, written straight to the table (the weekday's opening hours cannot keep it off)."""
    patient = patients.register_patient(context.database, context.actor, details).id
    local = datetime.combine(context.today(), at)
    with context.database.write() as tx:
        tx.add(Appointment(patient_id=patient, practitioner_id=context.actor.user_id, room_id=1, local_start=local,
                           start_utc=local.replace(tzinfo=ZoneInfo(context.clinic.timezone)).astimezone(UTC),
                           duration_minutes=45, changeover_minutes=10, status="booked", planned_local_start=local))
    return patient


@pytest.mark.parametrize("details", [
    PatientDetails("王", "小明", date(1988, 2, 9)),
    PatientDetails("العلي", "محمد", date(1984, 6, 2)),
    PatientDetails("van der Berg", "Anna Maria", date(1990, 1, 1)),
], ids=["chinese", "arabic", "family-name-of-three-words"])
def test_open_patient_from_a_visit_selects_them_when_the_search_hides_them(
    qtbot, context: AppContext, details: PatientDetails
) -> None:
    patients.register_patient(context.database, context.actor, PatientDetails("Quill", "Nora", date(1979, 5, 14)))
    wanted = visit_today(context, details, time(23, 0))
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    view = window.patients
    qtbot.keyClicks(view.search, "Quill")  # the receptionist's last search lists someone else
    qtbot.waitUntil(lambda: view.count.text() == "1 patient" and view.model.row_of(wanted) is None, timeout=TIMEOUT)
    today: TodayScreen = window.open_screen("Today")
    window.tabs.setCurrentWidget(today)
    qtbot.waitUntil(lambda: len(today.rows) == 1, timeout=TIMEOUT)
    action = next(a for a in today.entry_actions.menu(today.rows[0].entry).actions() if a.text() == "Open patient")
    action.trigger()
    assert window.tabs.currentWidget() is view
    qtbot.waitUntil(lambda: view.model.patient_id(view.table.currentIndex().row()) == wanted, timeout=TIMEOUT)
    assert "\u2068" not in view.search.text() and "\u2069" not in view.search.text()  # no direction marks typed
