"""Administration → Clinic settings, through the main window (issue 18): an administrator adds a room,
closes on Saturdays and adds a closure, and the calendar, open behind the dialog, shows all three
without anyone clicking to reload. Refusals appear under the field, as typed or when saved."""

from __future__ import annotations

from datetime import timedelta

from acudesk.ui.admin.clinic_settings_dialog import ClinicSettingsDialog
from acudesk.ui.calendar.screen import CalendarScreen
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QDate

TIMEOUT = 10_000


def _visible_dialog(window: MainWindow) -> ClinicSettingsDialog | None:
    return next((d for d in window.findChildren(ClinicSettingsDialog) if d.isVisible()), None)


def test_settings_reach_the_calendar_without_a_reload(qtbot, context: AppContext) -> None:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    calendar = window.open_screen("Calendar")
    assert isinstance(calendar, CalendarScreen)
    window.tabs.setCurrentWidget(calendar)
    today = context.today()
    closed_day = today + timedelta(days=7 - today.weekday() + 2)  # next week's Wednesday
    qtbot.waitUntil(lambda: calendar.data is not None, timeout=TIMEOUT)
    calendar.show_day(closed_day)  # its week
    qtbot.waitUntil(lambda: calendar.data is not None and calendar.data.first <= closed_day <= calendar.data.last,
                    timeout=TIMEOUT)
    assert any(column.day.weekday() == 5 for column in calendar.grid.columns)  # open on Saturday mornings
    assert closed_day not in calendar.data.closed

    administration = next(m.menu() for m in window.menuBar().actions() if m.text() == "&Administration")
    assert window.admin.clinic_settings_action in administration.actions()
    window.admin.clinic_settings_action.trigger()
    qtbot.waitUntil(lambda: _visible_dialog(window) is not None, timeout=TIMEOUT)
    dialog = _visible_dialog(window)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.settings is not None, timeout=TIMEOUT)
    assert dialog.width() <= 1366 and dialog.height() <= 768 - 80  # a laptop screen, its taskbar and title bar

    # Rooms: a name that exists is refused under the field; a new one is added and offered by the calendar.
    rooms = dialog.rooms_tab
    dialog.tabs.setCurrentWidget(rooms)
    qtbot.keyClicks(rooms.name, "room 1")
    rooms.add_button.click()
    qtbot.waitUntil(lambda: "already" in rooms.field.error.text(), timeout=TIMEOUT)
    assert rooms.table.rowCount() == 2
    rooms.name.clear()
    qtbot.keyClicks(rooms.name, "Garden Room")  # typing clears the complaint
    assert not rooms.field.has_error()
    rooms.add_button.click()
    qtbot.waitUntil(lambda: rooms.table.rowCount() == 3, timeout=TIMEOUT)
    assert "Garden Room" in [rooms.table.item(n, 0).text() for n in range(3)]
    qtbot.waitUntil(lambda: calendar.who.findText("Garden Room") >= 0, timeout=TIMEOUT)

    # Opening hours: overlapping spans are marked as typed; Saturday is closed from now on.
    hours = dialog.hours_tab
    dialog.tabs.setCurrentWidget(hours)
    wednesday = hours.fields["hours_wed"]
    hours.spans["wed"].clear()
    qtbot.keyClicks(hours.spans["wed"], "09:00-13:00, 12:00-18:00")
    assert "overlap" in wednesday.error.text()
    hours.spans["wed"].clear()
    qtbot.keyClicks(hours.spans["wed"], "09:00-13:00, 14:00-18:00")
    assert not wednesday.has_error()
    hours.closed["sat"].click()
    assert hours.closed["sat"].isChecked() and not hours.spans["sat"].isEnabled()
    hours.save_button.click()
    qtbot.waitUntil(lambda: hours.feedback.text() == "Saved.", timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not any(column.day.weekday() == 5 for column in calendar.grid.columns), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "sat" not in context.clinic.opening_hours, timeout=TIMEOUT)  # the window's copy too

    # A closure: the calendar greys that day with its reason.
    closures = dialog.closures_tab
    dialog.tabs.setCurrentWidget(closures)
    day = QDate(closed_day.year, closed_day.month, closed_day.day)
    closures.first.setDate(day)
    closures.last.setDate(day)
    closures.add_button.click()  # no reason yet: said under the field
    qtbot.waitUntil(lambda: closures.fields["reason"].has_error(), timeout=TIMEOUT)
    qtbot.keyClicks(closures.reason, "Staff training")
    closures.add_button.click()
    qtbot.waitUntil(lambda: closures.table.rowCount() == 1, timeout=TIMEOUT)
    assert [closures.table.item(0, n).text() for n in (2, 3)] == ["Whole clinic", "Staff training"]
    qtbot.waitUntil(lambda: calendar.data is not None and calendar.data.closed.get(closed_day) == "Staff training",
                    timeout=TIMEOUT)
    column = next(c for c in calendar.grid.columns if c.day == closed_day)
    assert column.closed == "Staff training"

    # Removed again: the day opens on the calendar.
    closures.table.selectRow(0)
    closures.remove_button.click()
    qtbot.waitUntil(lambda: closures.table.rowCount() == 0, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: calendar.data is not None and closed_day not in calendar.data.closed, timeout=TIMEOUT)


def test_a_bad_fee_is_marked_under_the_fee(qtbot, context: AppContext) -> None:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    window.admin.clinic_settings_action.trigger()
    qtbot.waitUntil(lambda: _visible_dialog(window) is not None, timeout=TIMEOUT)
    dialog = _visible_dialog(window)
    assert dialog is not None
    kinds = dialog.visit_types_tab
    dialog.tabs.setCurrentWidget(kinds)
    qtbot.waitUntil(lambda: kinds.table.rowCount() == 2, timeout=TIMEOUT)
    kinds.table.selectRow(1)  # the follow-up
    assert kinds.name.text() == "Follow-up treatment" and kinds.fee.text() == "50.00"
    assert not kinds.retire_button.isEnabled()  # courses are booked with it
    kinds.fee.setText("NaN")
    kinds.save_button.click()
    qtbot.waitUntil(lambda: kinds.fields["fee"].has_error(), timeout=TIMEOUT)
    assert "amount" in kinds.fields["fee"].error.text()
    kinds.fee.setText("55.50")
    kinds.duration.setValue(30)
    kinds.save_button.click()
    qtbot.waitUntil(lambda: kinds.table.item(1, 1).text() == "30 min", timeout=TIMEOUT)
    assert kinds.table.item(1, 3).text() == "55.50 GBP"


def test_a_closure_over_a_booked_visit_asks_first_and_leaves_the_visit_booked(qtbot, context: AppContext,
                                                                              monkeypatch) -> None:
    from datetime import date, datetime

    from acudesk.domain.patients import PatientDetails
    from acudesk.services import calendar_data, courses, patients
    from acudesk.services.courses import BookingRequest
    from acudesk.ui.admin import clinic_settings_lists

    nora = patients.register_patient(context.database, context.actor, PatientDetails(
        "Quill", "Nora", date(1979, 5, 14), phone="07700 900321", consent_to_treatment=True,
        consent_date=date(2026, 1, 5))).id
    today = context.today()
    visit_day = today + timedelta(days=7 - today.weekday() + 1)  # next week's Tuesday
    booked = courses.book_course(context.database, context.actor, BookingRequest(
        nora, context.actor.user_id, 1, datetime.combine(visit_day, datetime.min.time()).replace(hour=10),
        "weekly x1")).appointment_ids
    asked: list[str] = []

    def answer(_parent, error, what: str) -> bool:
        asked.append(f"{what}: {error.message}")
        return len(asked) > 1  # "Don't save" the first time, then "Add the closure anyway"

    monkeypatch.setattr(clinic_settings_lists, "confirm_affected", answer)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    window.admin.clinic_settings_action.trigger()
    qtbot.waitUntil(lambda: _visible_dialog(window) is not None, timeout=TIMEOUT)
    dialog = _visible_dialog(window)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.settings is not None, timeout=TIMEOUT)

    # The room the visit is in cannot be retired: said in the tab, with the visit's time.
    rooms = dialog.rooms_tab
    dialog.tabs.setCurrentWidget(rooms)
    rooms.table.selectRow(next(n for n in range(rooms.table.rowCount()) if rooms.table.item(n, 0).text() == "Room 1"))
    rooms.retire_button.click()
    when = f"{visit_day:%a} {visit_day.day} {visit_day:%b %Y} 10:00"
    qtbot.waitUntil(lambda: f"has 1 booked visit ({when})" in rooms.feedback.text(), timeout=TIMEOUT)

    closures = dialog.closures_tab
    dialog.tabs.setCurrentWidget(closures)
    day = QDate(visit_day.year, visit_day.month, visit_day.day)
    closures.first.setDate(day)
    closures.last.setDate(day)
    qtbot.keyClicks(closures.reason, "Boiler repair")
    closures.add_button.click()
    qtbot.waitUntil(lambda: closures.feedback.text() == "Not added.", timeout=TIMEOUT)
    assert asked == [f"Add the closure: The closure covers 1 booked visit ({when}). They stay booked; "
                     "move them from the calendar."]
    assert closures.table.rowCount() == 0
    closures.add_button.click()
    qtbot.waitUntil(lambda: closures.table.rowCount() == 1, timeout=TIMEOUT)
    assert closures.feedback.text() == f"Closure added. 1 booked visit ({when}) stay booked on those days: move them."
    week = calendar_data.calendar_range(context.database, context.actor, visit_day, visit_day)
    assert [entry.id for entry in week.entries] == list(booked) and week.closed[visit_day] == "Boiler repair"


def test_the_booking_dialog_lists_rooms_anew_and_keeps_a_retired_choice_marked(qtbot, context: AppContext) -> None:
    """A room added while the booking dialog is open is offered; the room chosen, retired meanwhile, stays
    chosen and marked, and the preview refuses it: the dialog never picks another room by itself."""
    from acudesk.services import clinic_settings
    from acudesk.ui.calendar.course_dialog import CourseBookingDialog, Prefill

    dialog = CourseBookingDialog(context, Prefill(practitioner_id=context.actor.user_id, room_id=2))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.room.count() == 2, timeout=TIMEOUT)
    assert dialog.room.currentText() == "Room 2"
    ctx = context
    ctx.operations.write(None, lambda: clinic_settings.add_room(ctx.database, ctx.actor, "Garden Room"))
    qtbot.waitUntil(lambda: dialog.room.findText("Garden Room") >= 0, timeout=TIMEOUT)
    assert dialog.room.currentText() == "Room 2"
    ctx.operations.write(None, lambda: clinic_settings.set_room_in_use(ctx.database, ctx.actor, 2, False))
    qtbot.waitUntil(lambda: dialog.room.currentText() == "Room 2 (no longer in use)", timeout=TIMEOUT)
    assert dialog.room.currentData() == 2
    assert [dialog.room.itemText(n) for n in range(dialog.room.count())] == [
        "Garden Room", "Room 1", "Room 2 (no longer in use)"]
