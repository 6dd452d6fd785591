"""A receptionist registers, finds, edits and archives a patient in the real main window."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from acudesk.domain import dates
from acudesk.domain.patients import PatientDetails
from acudesk.services import patients
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.patient_dialog import PatientDialog
from acudesk.ui.qt import QLineEdit, QMessageBox, Qt

TIMEOUT = 10_000


@pytest.fixture
def window(qtbot, context: AppContext) -> MainWindow:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.patients.count.text() == "0 patients", timeout=TIMEOUT)
    return window


def _open_dialog(qtbot, window: MainWindow, trigger) -> PatientDialog:
    trigger()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(PatientDialog)), timeout=TIMEOUT)
    return next(d for d in window.findChildren(PatientDialog) if d.isVisible())


def _type(qtbot, dialog: PatientDialog, name: str, text: str) -> None:
    editor = dialog.editor(name)
    assert isinstance(editor, QLineEdit)
    editor.clear()
    qtbot.keyClicks(editor, text)


def _count_is(window: MainWindow, text: str):
    return lambda: window.patients.count.text() == text


def test_create_find_edit_and_archive_a_patient(qtbot, window: MainWindow, monkeypatch) -> None:
    dialog = _open_dialog(qtbot, window, window.new_action.trigger)
    _type(qtbot, dialog, "family_name", "Quayle")
    _type(qtbot, dialog, "given_name", "Rosa")
    _type(qtbot, dialog, "date_of_birth", "31/02/1980")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    # An impossible date stays in the dialog with an inline message; nothing is saved.
    assert dialog.isVisible()
    assert "not a date" in dialog.fields["date_of_birth"].error.text()

    _type(qtbot, dialog, "date_of_birth", "29/02/1980")
    _type(qtbot, dialog, "phone", "07700 900456")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)
    qtbot.waitUntil(_count_is(window, "1 patient"), timeout=TIMEOUT)

    qtbot.keyClicks(window.patients.search, "quay ro")
    qtbot.waitUntil(lambda: window.patients.current is not None, timeout=TIMEOUT)
    assert window.patients.current.details.given_name == "Rosa"
    assert "Rosa Quayle" in window.patients.details.label.text()

    dialog = _open_dialog(qtbot, window, window.edit_action.trigger)
    assert dialog.editor("date_of_birth").text() == "29/02/1980"
    _type(qtbot, dialog, "email", "rosa.quayle@example.org")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.patients.current is not None
                    and window.patients.current.details.email == "rosa.quayle@example.org", timeout=TIMEOUT)

    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    window.archive_action.trigger()
    qtbot.waitUntil(_count_is(window, "0 patients"), timeout=TIMEOUT)
    window.patients.show_archived.setChecked(True)
    qtbot.waitUntil(_count_is(window, "1 patient (archived included)"), timeout=TIMEOUT)
    window.patients.table.selectRow(0)
    qtbot.waitUntil(lambda: window.patients.current is not None and window.patients.current.archived,
                    timeout=TIMEOUT)
    assert window.archive_action.text() == "Restore patient"


def test_a_missing_family_name_is_shown_inline(qtbot, window: MainWindow) -> None:
    dialog = _open_dialog(qtbot, window, window.new_action.trigger)
    _type(qtbot, dialog, "given_name", "Una")
    _type(qtbot, dialog, "date_of_birth", "01/01/1990")
    _type(qtbot, dialog, "email", "una@")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: dialog.fields["family_name"].error.isVisible(), timeout=TIMEOUT)
    assert "family name" in dialog.fields["family_name"].error.text()
    assert "not an email" in dialog.fields["email"].error.text()
    assert dialog.isVisible()


def _answer_conflict(qtbot, button_text: str, question: str = "conflictQuestion") -> list[str]:
    """Click ``button_text`` on the ``question`` box once it is up (it is modal); returns its text."""
    from acudesk.ui.qt import QApplication, QTimer

    seen: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box.objectName() != question:
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(20, click)
    return seen


def test_a_concurrent_edit_loads_their_changes_and_keeps_what_was_typed(qtbot, window: MainWindow, context) -> None:
    from datetime import date

    from acudesk.domain.patients import PatientDetails

    record = patients.register_patient(
        context.database, context.actor, PatientDetails("Thorne", "Oscar", date(1970, 5, 5), phone="01632 960111")
    )
    window.patients.reload()
    qtbot.waitUntil(_count_is(window, "1 patient"), timeout=TIMEOUT)
    window.patients.table.selectRow(0)
    qtbot.waitUntil(lambda: window.patients.current is not None, timeout=TIMEOUT)
    dialog = _open_dialog(qtbot, window, window.edit_action.trigger)
    # Meanwhile a colleague at another desk saves the address and a new phone number.
    patients.update_patient(context.database, context.actor, record.id,
                            replace(record.details, address="3 Mill Lane", phone="01632 960999"),
                            expected_version=record.version)
    _type(qtbot, dialog, "email", "oscar@example.org")
    _type(qtbot, dialog, "phone", "01632 960222")
    seen = _answer_conflict(qtbot, "Load their changes")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: "Their changes are loaded" in dialog.status.text(), timeout=TIMEOUT)
    assert "Someone else saved changes" in seen[0]
    assert patients.get_patient(context.database, context.actor, record.id).details.email == ""  # nothing of ours yet
    assert dialog.editor("address").toPlainText() == "3 Mill Lane"  # theirs, loaded
    assert dialog.editor("email").text() == "oscar@example.org"  # ours, kept
    assert dialog.editor("phone").text() == "01632 960222"  # both changed it: ours kept, theirs shown
    assert "They saved: '01632 960999'" in dialog.fields["phone"].error.text()
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)
    saved = patients.get_patient(context.database, context.actor, record.id).details
    assert (saved.address, saved.email, saved.phone) == ("3 Mill Lane", "oscar@example.org", "+441632960222")


def test_keep_editing_after_a_conflict_loses_nothing(qtbot, window: MainWindow, context) -> None:
    from datetime import date

    from acudesk.domain.patients import PatientDetails

    details = PatientDetails("Thorne", "Ida", date(1971, 5, 5))
    record = patients.register_patient(context.database, context.actor, details)
    window.patients.reload()
    qtbot.waitUntil(_count_is(window, "1 patient"), timeout=TIMEOUT)
    window.patients.table.selectRow(0)
    qtbot.waitUntil(lambda: window.patients.current is not None, timeout=TIMEOUT)
    dialog = _open_dialog(qtbot, window, window.edit_action.trigger)
    patients.update_patient(context.database, context.actor, record.id, replace(record.details, address="Elsewhere"),
                            expected_version=record.version)
    _type(qtbot, dialog, "email", "ida@example.org")
    seen = _answer_conflict(qtbot, "Keep editing")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: bool(seen) and dialog.buttons.isEnabled(), timeout=TIMEOUT)
    assert dialog.isVisible() and dialog.editor("email").text() == "ida@example.org"
    assert dialog.editor("address").toPlainText() == ""


def _type_xu_wen(qtbot, window: MainWindow) -> PatientDialog:
    dialog = _open_dialog(qtbot, window, window.new_action.trigger)
    _type(qtbot, dialog, "family_name", "Xu")
    _type(qtbot, dialog, "given_name", "Wen")
    _type(qtbot, dialog, "date_of_birth", "08/08/1988")
    return dialog


def test_duplicate_registration_asks_first(qtbot, window: MainWindow, context) -> None:
    patients.register_patient(context.database, context.actor, PatientDetails("Xu", "Wen", date(1988, 8, 8)))
    dialog = _type_xu_wen(qtbot, window)
    asked = _answer_conflict(qtbot, "Back to the form", "duplicateQuestion")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: bool(asked) and dialog.buttons.isEnabled(), timeout=TIMEOUT)
    assert "already registered" in asked[0]
    assert len(patients.search_patient_ids(context.database, context.actor, "xu")) == 1
    assert dialog.isVisible() and dialog.editor("given_name").text() == "Wen"  # nothing typed is lost

    asked = _answer_conflict(qtbot, "Save as a different patient", "duplicateQuestion")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: len(patients.search_patient_ids(context.database, context.actor, "xu")) == 2,
                    timeout=TIMEOUT)


def test_a_duplicate_offers_to_open_the_existing_record(qtbot, window: MainWindow, context) -> None:
    """Issue 18: the receptionist who finds the patient already registered opens that record instead."""
    existing = patients.register_patient(context.database, context.actor,
                                         PatientDetails("Xu", "Wen", date(1988, 8, 8), phone="07700 900111"))
    dialog = _type_xu_wen(qtbot, window)
    asked = _answer_conflict(qtbot, "Open the existing record", "duplicateQuestion")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: bool(asked) and not dialog.isVisible(), timeout=TIMEOUT)
    # The existing patient is selected, and their record is open to check or update.
    qtbot.waitUntil(lambda: window.patients.current is not None and window.patients.current.id == existing.id,
                    timeout=TIMEOUT)
    qtbot.waitUntil(lambda: any(d.isVisible() and d.record is not None and d.record.id == existing.id
                                for d in window.findChildren(PatientDialog)), timeout=TIMEOUT)
    assert len(patients.search_patient_ids(context.database, context.actor, "xu")) == 1


def test_an_inline_error_goes_once_the_field_is_corrected(qtbot, window: MainWindow) -> None:
    dialog = _open_dialog(qtbot, window, window.new_action.trigger)
    _type(qtbot, dialog, "family_name", "Quayle")
    _type(qtbot, dialog, "given_name", "Rosa")
    _type(qtbot, dialog, "date_of_birth", "31/02/1980")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.fields["date_of_birth"].error.isVisibleTo(dialog)
    assert dialog.status.text() == "Please correct the fields marked in red."
    _type(qtbot, dialog, "date_of_birth", "29/02/1980")
    assert not dialog.fields["date_of_birth"].error.isVisibleTo(dialog)
    assert dialog.status.text() == ""


def test_ticking_consent_dates_it_today(qtbot, window: MainWindow, context) -> None:
    dialog = _open_dialog(qtbot, window, window.new_action.trigger)
    assert dialog.editor("consent_date").text() == ""  # no date for a consent not given
    dialog.editor("consent_to_treatment").click()
    assert dialog.editor("consent_date").text() == context.today().strftime("%d/%m/%Y")
    dialog.editor("consent_date").setText("01/11/2026")  # consent given earlier keeps its own date
    dialog.editor("consent_to_treatment").click()
    dialog.editor("consent_to_treatment").click()
    assert dialog.editor("consent_date").text() == "01/11/2026"
    _answer_conflict(qtbot, "Discard changes", "unsavedQuestion")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)


def test_closing_with_typed_changes_asks_first(qtbot, window: MainWindow, context) -> None:
    """Issue 18: Cancel, Esc or the close button never throw typed text away unasked."""
    dialog = _open_dialog(qtbot, window, window.new_action.trigger)
    dialog.reject()  # nothing typed: closes at once
    assert not dialog.isVisible()

    dialog = _open_dialog(qtbot, window, window.new_action.trigger)
    _type(qtbot, dialog, "family_name", "Quayle")
    asked = _answer_conflict(qtbot, "Keep editing", "unsavedQuestion")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: bool(asked), timeout=TIMEOUT)
    assert dialog.isVisible() and dialog.editor("family_name").text() == "Quayle"
    assert "not saved" in asked[0]

    _type(qtbot, dialog, "given_name", "Rosa")
    _type(qtbot, dialog, "date_of_birth", "29/02/1980")
    _answer_conflict(qtbot, "Save", "unsavedQuestion")
    dialog.close()  # the window's close button
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: len(patients.search_patient_ids(context.database, context.actor, "quayle")) == 1,
                    timeout=TIMEOUT)


def test_a_long_result_list_is_capped_with_a_hint_to_narrow_it(qtbot, context, monkeypatch) -> None:
    from datetime import date

    from acudesk.domain.patients import PatientDetails

    monkeypatch.setattr(patients, "LIST_LIMIT", 2)
    for given in ("Amelia", "Arjun", "Ewan"):
        patients.register_patient(context.database, context.actor, PatientDetails("Kinsella", given, date(1990, 1, 1)),
                                  confirm_duplicate=True)
    window = MainWindow(context)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.patients.count.text().startswith("The first 2 matches"), timeout=TIMEOUT)
    assert window.patients.model.rowCount() == 2
    window.patients.search.setText("kinsella ew")
    qtbot.waitUntil(_count_is(window, "1 patient"), timeout=TIMEOUT)


def test_other_screens_are_built_when_their_tab_is_first_opened(qtbot, window: MainWindow) -> None:
    from acudesk.ui.calendar.screen import CalendarScreen

    assert not window.findChildren(CalendarScreen)
    index = next(i for i in range(window.tabs.count()) if window.tabs.tabText(i) == "Calendar")
    window.tabs.setCurrentIndex(index)
    assert isinstance(window.tabs.widget(index), CalendarScreen)
    assert window.tabs.currentIndex() == index and window.tabs.tabText(index) == "Calendar"


def test_type_ahead_searches_at_once_and_coalesces_keys_typed_while_it_runs(
    qtbot, window: MainWindow, context: AppContext, monkeypatch
) -> None:
    for family in ("Quayle", "Quinn", "Abbott"):
        patients.register_patient(context.database, context.actor,
                                  PatientDetails(family, "Rosa", date(1980, 2, 29)))
    sent: list[str] = []
    original = window.patients.model.set_query
    monkeypatch.setattr(window.patients.model, "set_query",
                        lambda text, archived: (sent.append(text), original(text, archived)))
    qtbot.keyClick(window.patients.search, "q")
    assert sent == ["q"]  # no pause before the first search
    qtbot.keyClicks(window.patients.search, "uayl")  # typed while "q" is still on the worker
    assert sent == ["q"]
    qtbot.waitUntil(lambda: not window.patients.model.searching and sent[-1] == "quayl", timeout=TIMEOUT)
    assert sent == ["q", "quayl"]  # the four keys became one search for the newest text
    qtbot.waitUntil(_count_is(window, "1 patient"), timeout=TIMEOUT)


def test_details_load_where_the_selection_stops_and_actions_wait_for_them(
    qtbot, window: MainWindow, context: AppContext, monkeypatch
) -> None:
    ids = [patients.register_patient(context.database, context.actor,
                                     PatientDetails("Quayle", given, date(1980, 2, 29))).id
           for given in ("Ann", "Bea", "Cat")]
    loaded: list[int] = []
    real = patients.get_patient
    monkeypatch.setattr(patients, "get_patient", lambda db, actor, pid: (loaded.append(pid), real(db, actor, pid))[1])
    qtbot.keyClicks(window.patients.search, "quayle")
    qtbot.waitUntil(lambda: window.patients.current is not None, timeout=TIMEOUT)
    assert window.patients.current.id == ids[0] and window.edit_action.isEnabled()
    assert "Ann Quayle" in window.patients.details.label.text()
    loaded.clear()
    window.patients.table.setFocus()
    qtbot.keyClick(window.patients.table, Qt.Key.Key_Down)
    assert window.patients.current is None and not window.edit_action.isEnabled()  # nothing acts on Ann now
    qtbot.keyClick(window.patients.table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: window.patients.current is not None, timeout=TIMEOUT)
    assert window.patients.current.id == ids[2] and loaded == [ids[2]]  # Bea was passed over, not loaded
    assert "Cat Quayle" in window.patients.details.label.text()


def test_archiving_a_patient_with_visits_booked_offers_to_cancel_them(
    qtbot, window: MainWindow, context, monkeypatch
) -> None:
    """Issue 18: the receptionist hears how many visits are still booked and cancels them with a reason."""
    from datetime import datetime, timedelta

    from acudesk.services import courses
    from acudesk.services.courses import BookingRequest
    from acudesk.ui.qt import QInputDialog

    nora = patients.register_patient(context.database, context.actor, PatientDetails(
        "Quill", "Nora", date(1979, 5, 14), consent_to_treatment=True, consent_date=date(2026, 1, 5))).id
    monday = context.today() + timedelta(days=7 - context.today().weekday() + 7)
    courses.book_course(context.database, context.actor,
                        BookingRequest(nora, context.actor.user_id, 1, datetime.combine(monday, datetime.min.time())
                                       .replace(hour=10), "weekly x3"))
    window.patients.select_patient(nora, "Quill Nora")
    qtbot.waitUntil(lambda: window.patients.current is not None, timeout=TIMEOUT)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Moved to another town", True))
    asked = _answer_conflict(qtbot, "Archive and cancel 3 visits…", "archiveQuestion")
    window.archive_action.trigger()
    qtbot.waitUntil(_count_is(window, "0 patients"), timeout=TIMEOUT)
    assert f"still has 3 visits booked, the first on {dates.day(monday, weekday=True)} 10:00" in asked[0]
    assert patients.visits_booked_ahead(context.database, context.actor, nora).count == 0
