"""The front desk's Today tab (issue 18): a check-in made by mistake is taken back, the legend names
every colour the list uses, and the columns fit their words. Through the main window; invented people."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.models import Appointment
from acudesk.services import patients
from acudesk.ui.calendar.status import STATUS_STYLE
from acudesk.ui.calendar.today_screen import COLUMNS, TodayScreen
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.style import LATE_BACKGROUND

TIMEOUT = 10_000


def _visit_today(context: AppContext, given: str, at: time) -> int:
    """A visit today, written straight to the table: whatever weekday the suite runs on, the clinic's
    opening hours (which booking would check) cannot keep it off the list."""
    patient = patients.register_patient(context.database, context.actor, PatientDetails(
        "Quill", given, date(1979, 5, 14), consent_to_treatment=True, consent_date=date(2026, 1, 5))).id
    local = datetime.combine(context.today(), at)
    with context.database.write() as tx:
        row = Appointment(patient_id=patient, practitioner_id=context.actor.user_id, room_id=1, local_start=local,
                          start_utc=local.replace(tzinfo=ZoneInfo(context.clinic.timezone)).astimezone(UTC),
                          duration_minutes=45, changeover_minutes=10, status="booked", planned_local_start=local)
        tx.add(row)
        tx.flush()
        return row.id


def _today(qtbot, context: AppContext, rows: int) -> tuple[MainWindow, TodayScreen]:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    today: TodayScreen = window.open_screen("Today")
    qtbot.waitUntil(lambda: len(today.rows) == rows, timeout=TIMEOUT)
    return window, today


def test_a_check_in_is_taken_back_with_the_same_button(qtbot, context: AppContext) -> None:
    _visit_today(context, "Nora", time(23, 0))
    window, today = _today(qtbot, context, 1)
    today.table.selectRow(0)
    assert today.check_in_button.text() == "Check in"
    today.check_in_button.click()
    qtbot.waitUntil(lambda: today.rows[0].entry.status == "arrived", timeout=TIMEOUT)
    assert "checked in" in window.statusBar().currentMessage()
    assert today.check_in_button.text() == "Undo check-in" and today.check_in_button.isEnabled()
    assert "Undo check-in" in [a.text() for a in today.entry_actions.menu(today.rows[0].entry).actions()]
    today.check_in_button.click()
    qtbot.waitUntil(lambda: today.rows[0].entry.status == "booked", timeout=TIMEOUT)
    assert "undone" in window.statusBar().currentMessage()
    assert today.check_in_button.text() == "Check in"


def test_the_legend_names_every_colour_the_list_uses(qtbot, context: AppContext) -> None:
    if datetime.now(ZoneInfo(context.clinic.timezone)).time() < time(0, 30):
        pytest.skip("a visit at 00:05 is late only once LATE_AFTER has passed")
    _visit_today(context, "Nora", time(0, 5))  # long past its start: late
    _visit_today(context, "Ada", time(23, 0))
    _window, today = _today(qtbot, context, 2)
    today.table.selectRow(1)
    today.check_in_button.click()
    qtbot.waitUntil(lambda: today.rows[1].entry.status == "arrived", timeout=TIMEOUT)
    legend = {label: swatch.property("fill").lower() for label, swatch in today.legend.swatches.items()}
    assert legend["Late"] == LATE_BACKGROUND.lower()
    assert len(set(legend.values())) == len(legend)  # no two meanings share a colour (checked in was orange too)
    used = {today.table.item(row, COLUMNS.index("Status")).background().color().name().lower()
            for row in range(today.table.rowCount())}
    assert used == {legend["Late"], legend[STATUS_STYLE["arrived"][2]]}


def test_the_visit_column_fits_its_words_and_the_status_column_does_not_take_the_rest(
    qtbot, context: AppContext
) -> None:
    _visit_today(context, "Nora", time(23, 0))
    window, today = _today(qtbot, context, 1)
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: today.table.viewport().width() > 900, timeout=TIMEOUT)
    header = today.table.horizontalHeader()
    visit, status, patient = (COLUMNS.index(n) for n in ("Visit", "Status", "Patient"))
    words = today.table.item(0, visit).text()
    assert header.sectionSize(visit) >= today.table.fontMetrics().horizontalAdvance(words)
    assert header.sectionSize(status) < today.table.viewport().width() / 4
    assert header.sectionSize(patient) > header.sectionSize(status)
    assert not today.table.wordWrap()


def test_an_empty_day_says_what_to_do_next(qtbot, context: AppContext) -> None:
    window, today = _today(qtbot, context, 0)
    qtbot.waitUntil(lambda: today.title.text() != "", timeout=TIMEOUT)
    assert today.empty.isVisible() and "Book course" in today.empty.text()
    _visit_today(context, "Nora", time(23, 0))
    today.reload()
    qtbot.waitUntil(lambda: len(today.rows) == 1, timeout=TIMEOUT)
    assert not today.empty.isVisible()
