"""Screening that cannot mislead (issue 13), through the main window's chart.

Before: yes/no questions were check boxes, so a question not asked read as "no" and a new, empty
intake showed a green CLEAR and could be signed; nothing was filled in from the registry; signing
asked nothing; an amendment could not be cancelled and the session list kept the original pain
score; a refused activation left a "Treatment is stopped" message after the stop was lifted, and a
whole session could be typed while treatment was stopped.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from chart_steps import answer, confirm_signing, sign
from test_chart_refresh import answers, register, settled, treated, write

from acudesk.domain.flag_clearance import ClearanceDraft
from acudesk.domain.intake import load_questionnaire
from acudesk.domain.patients import age_on
from acudesk.services import flag_clearances, intakes, sessions
from acudesk.ui.chart.intake_form import YesNo
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QComboBox, Qt, is_alive

TIMEOUT = 10_000
REQUIRED = [q for q in load_questionnaire().questions if q.required]


@pytest.fixture
def window(qtbot, context: AppContext) -> MainWindow:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    return window


def open_chart(qtbot, window: MainWindow, patient_id: int):
    window.open_chart(patient_id)
    chart = window.charts[patient_id]
    qtbot.waitUntil(lambda: "patient no." in chart.header.text() and bool(chart.gate.text())
                    and bool(chart.intake.status.text()), timeout=TIMEOUT)
    settled(qtbot, window.context)
    return chart


def close_chart(qtbot, chart) -> None:
    """Close the chart as a person does (Ctrl+W): what was typed is saved as a draft first."""
    chart.close()
    qtbot.waitUntil(lambda: not is_alive(chart), timeout=TIMEOUT)


def required_asked(**changes) -> dict:
    """Every required question answered, as on the form (age from the registry instead of typed)."""
    given = answers(**changes)
    del given["age"]
    return given


# -- the intake form -------------------------------------------------------------------------------------

def test_a_new_intake_is_not_screened_until_every_question_is_answered(qtbot, window: MainWindow) -> None:
    context = window.context
    pid = register(context)
    chart = open_chart(qtbot, window, pid)
    tab = chart.intake
    today = context.today()

    # Every yes/no question starts "Not asked", choices "—"; only the registry's facts and today are filled in.
    bools = [q for q in load_questionnaire().questions if q.type == "bool"]
    assert all(isinstance(tab.form.editors[q.id], YesNo) for q in bools)
    assert all(tab.form.editors[q.id].value() is None for q in bools)
    leg_radiation = tab.form.editors["leg_radiation"]
    assert isinstance(leg_radiation, QComboBox) and leg_radiation.currentData() is None
    assert tab.form.values() == {"date_of_birth": "1992-04-12", "assessed_on": today.isoformat(),
                                 "age": age_on(date(1992, 4, 12), today)}

    # Not screened: never CLEAR, never green, and Sign is disabled with the reason shown.
    unanswered = len(REQUIRED)  # the age, required unless a date of birth is given, is filled in
    banner = tab.banner.label.text()
    assert f"Not screened — {unanswered} questions unanswered" in banner and "CLEAR" not in banner
    assert tab.banner.colour == "grey"
    assert not tab.sign_button.isEnabled()
    assert tab.sign_note.isVisible() and f"{unanswered} questions unanswered" in tab.sign_note.text()

    # A draft may be saved as it stands; the history does not call it CLEAR either.
    answer(tab.form, "pain_neck", True)
    tab.save_button.click()
    qtbot.waitUntil(lambda: tab.current is not None and tab.history_list.count() == 1, timeout=TIMEOUT)
    assert tab.current.status == "draft" and "pain_lower_back" not in tab.current.answers
    assert f"not screened ({unanswered - 1} unanswered)" in tab.history_list.item(0).text()

    # One question left: still not screened; the last answer turns it into a result that can be signed.
    typed = required_asked(pain_neck=True)
    tab.form.set_values({**tab.form.values(), **{k: v for k, v in typed.items() if k != "fever"}})
    assert "Not screened — 1 question unanswered" in tab.banner.label.text() and not tab.sign_button.isEnabled()
    answer(tab.form, "fever", False)
    assert tab.banner.level == "CLEAR" and tab.banner.colour == "green"
    assert tab.sign_button.isEnabled() and not tab.sign_note.isVisible()
    close_chart(qtbot, chart)


def test_a_flag_found_before_the_screening_is_complete_stays_red_and_cannot_be_signed(
    qtbot, window: MainWindow
) -> None:
    chart = open_chart(qtbot, window, register(window.context))
    tab = chart.intake
    answer(tab.form, "saddle_numbness", True)
    assert tab.banner.level == "EMERGENCY" and tab.banner.colour == "red"
    assert "Not screened — " in tab.banner.label.text()  # and more flags may be found
    assert not tab.sign_button.isEnabled()
    answer(tab.form, "saddle_numbness", None)  # back to "Not asked": not a "no"
    assert tab.banner.level != "CLEAR" and "saddle_numbness" not in tab.form.values()


def test_yes_no_answers_are_keyboard_usable_and_named_for_screen_readers(qtbot, window: MainWindow) -> None:
    chart = open_chart(qtbot, window, register(window.context))
    chart.activateWindow()
    editor = chart.intake.form.editors["fever"]
    question = load_questionnaire().get("fever")
    assert question is not None and editor.accessibleName() == question.text
    assert [b.accessibleName() for b in editor.buttons.values()] == [
        f"{question.text} Yes", f"{question.text} No", f"{question.text} Not asked"]
    not_asked = editor.buttons[None]
    not_asked.setFocus()
    qtbot.keyClick(not_asked, Qt.Key.Key_Left)  # the arrow keys move between the three answers
    assert editor.value() is False and "fever" in chart.intake.form.values()
    qtbot.keyClick(editor.buttons[False], Qt.Key.Key_Left)
    assert editor.value() is True
    # One Tab stop per question, its chosen answer: Tab leaves "fever" for the next question's "Not asked".
    qtbot.keyClick(editor.buttons[True], Qt.Key.Key_Tab)
    questions = load_questionnaire().questions
    after_fever = questions[[q.id for q in questions].index("fever") + 1]
    assert after_fever.type == "bool"
    following = chart.intake.form.editors[after_fever.id]
    qtbot.waitUntil(lambda: following.buttons[None].hasFocus(), timeout=TIMEOUT)
    qtbot.keyClick(following.buttons[None], Qt.Key.Key_Backtab)
    qtbot.waitUntil(lambda: editor.buttons[True].hasFocus(), timeout=TIMEOUT)
    close_chart(qtbot, chart)


def test_signing_an_intake_asks_first_and_cancel_leaves_the_draft(qtbot, window: MainWindow) -> None:
    context = window.context
    pid = register(context)
    chart = open_chart(qtbot, window, pid)
    tab = chart.intake
    tab.form.set_values({**tab.form.values(), **required_asked()})
    assert tab.sign_button.isEnabled()

    tab.sign_button.click()
    box = confirm_signing(qtbot, tab, "Cancel")
    assert "intake" in box.text() and "cannot be changed afterwards" in box.text() and "amended" in box.text()
    settled(qtbot, context)
    assert intakes.list_intakes(context.database, context.actor, pid) == []  # nothing signed, nothing saved
    assert tab.current is None and tab.sign_button.isEnabled()

    sign(qtbot, tab)
    qtbot.waitUntil(lambda: tab.current is not None and tab.current.signed, timeout=TIMEOUT)
    assert tab.current.answers["date_of_birth"] == "1992-04-12"
    assert tab.current.answers["assessed_on"] == context.today().isoformat()
    assert not tab.sign_button.isEnabled() and not tab.sign_note.isVisible()


# -- sessions: confirmation, Cancel in Amend mode, the list after an amendment ---------------------------------

def signed_session(context: AppContext, pid: int) -> sessions.SessionData:
    db, actor = context.database, context.actor
    draft = sessions.new_session_draft(db, actor, pid, datetime(2025, 3, 4, 9, tzinfo=UTC))
    draft = replace(draft, needles_out=draft.needles_in, nrs_before=7, nrs_after=5)
    saved = sessions.save_session(db, actor, pid, draft)
    return sessions.sign_session(db, actor, saved.id, expected_version=saved.version)


def test_signing_a_session_asks_first_naming_the_record(qtbot, window: MainWindow) -> None:
    context = window.context
    pid = treated(context)
    chart = open_chart(qtbot, window, pid)
    tab = chart.sessions
    chart.tabs.setCurrentWidget(tab)
    tab.new_session()
    qtbot.waitUntil(lambda: tab.mode == "new", timeout=TIMEOUT)
    tab.editor.needles_out.setValue(tab.editor.needles_in.value())
    tab.sign_button.click()
    box = confirm_signing(qtbot, tab, "Cancel")
    assert "Sign and lock the session record of" in box.text() and "needles 3 in / 3 out" in box.text()
    assert "cannot be changed afterwards" in box.text() and "amendments" in box.text()
    settled(qtbot, context)
    assert tab.mode == "new" and sessions.list_sessions(context.database, context.actor, pid) == []

    sign(qtbot, tab)
    qtbot.waitUntil(lambda: tab.mode == "signed", timeout=TIMEOUT)
    assert [s.status for s in sessions.list_sessions(context.database, context.actor, pid)] == ["signed"]


def test_amend_mode_has_cancel_and_the_list_shows_the_amended_values(qtbot, window: MainWindow) -> None:
    context = window.context
    pid = treated(context)
    original = signed_session(context, pid)
    chart = open_chart(qtbot, window, pid)
    tab = chart.sessions
    chart.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.list.count() == 1, timeout=TIMEOUT)
    tab.list.setCurrentRow(0)
    qtbot.waitUntil(lambda: tab.mode == "signed", timeout=TIMEOUT)

    tab.amend_button.click()
    tab.editor.nrs_before.setValue(4)
    tab.reason.setText("typed in error")
    assert tab.cancel_amendment_button.isVisible()
    tab.cancel_amendment_button.click()
    assert tab.mode == "signed" and not tab.cancel_amendment_button.isVisible()
    assert tab.editor.nrs_before.value() == 7 and not tab.editor.nrs_before.isEnabled()  # as signed
    assert not tab.editing()
    settled(qtbot, context)
    assert [h.id for h in sessions.session_history(context.database, context.actor, original.id)] == [original.id]

    tab.amend_button.click()
    assert tab.reason.text() == ""
    tab.editor.nrs_before.setValue(4)
    tab.reason.setText("Pain before treatment was 4, not 7")
    tab.save_amendment_button.click()
    box = confirm_signing(qtbot, tab)
    assert "amendment" in box.text() and "Pain before treatment was 4, not 7" in box.text()
    qtbot.waitUntil(lambda: len(tab.history.records) == 2, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: "amended ×1" in tab.list.item(0).text(), timeout=TIMEOUT)
    assert "NRS 4→5" in tab.list.item(0).text()  # the amended pain score, not the original 7


# -- the treatment stop on the Plan and Sessions tabs ----------------------------------------------------------

def test_plan_and_sessions_banners_follow_the_stop_and_the_session_editor_is_read_only_meanwhile(
    qtbot, window: MainWindow
) -> None:
    context = window.context
    db, actor = context.database, context.actor
    pid = treated(context)
    chart = open_chart(qtbot, window, pid)
    plan_tab, tab = chart.plan, chart.sessions
    chart.tabs.setCurrentWidget(tab)
    tab.new_session()
    qtbot.waitUntil(lambda: tab.mode == "new", timeout=TIMEOUT)
    assert not tab.gate_banner.isVisible() and tab.editor.needles_out.isEnabled()
    tab.editor.subjective.setPlainText("Sore after gardening.")

    # Elsewhere, an intake with an emergency flag is signed: the stop shows at once and nothing can be typed.
    emergency: list[intakes.IntakeRecord] = []
    write(qtbot, context, lambda: emergency.append(
        intakes.save_intake(db, actor, pid, answers(saddle_numbness=True), sign=True)))
    qtbot.waitUntil(lambda: tab.gate_banner.isVisible(), timeout=TIMEOUT)
    assert "STOP — NO TREATMENT" in tab.gate_banner.text() and "Treatment is stopped" in tab.gate_banner.text()
    assert "read-only" in tab.gate_banner.text()
    assert not tab.editor.needles_out.isEnabled() and tab.editor.subjective.isReadOnly()
    assert not tab.save_button.isEnabled() and not tab.sign_button.isEnabled() and not tab.new_button.isEnabled()
    assert tab.editor.subjective.toPlainText() == "Sore after gardening."  # what was typed is kept

    chart.tabs.setCurrentWidget(plan_tab)
    qtbot.waitUntil(lambda: plan_tab.gate_banner.isVisible(), timeout=TIMEOUT)
    assert "Treatment is stopped" in plan_tab.gate_banner.text() and not plan_tab.activate_button.isEnabled()
    plan_tab.activate()  # refused by the service: said in the banner, not in a message that would stay
    settled(qtbot, context)
    assert "stopped" not in plan_tab.message.text()

    # The referral is recorded and a clear intake signed: both banners go, the editor is editable again.
    write(qtbot, context, lambda: intakes.record_referral(db, actor, emergency[0].id, "Sent to A&E; MRI normal."))
    assert plan_tab.gate_banner.isVisible()  # a later clear intake is needed too

    def cleared_by_a_new_intake() -> None:
        draft = intakes.save_intake(db, actor, pid, answers())
        flag_clearances.record_clearance(db, actor, draft.id, ClearanceDraft(
            what_changed="MRI normal, saddle sensation intact.", seen_by="emergency_department",
            seen_by_name="Royal Infirmary", seen_on=context.today()))
        intakes.sign_intake(db, actor, draft.id, expected_version=draft.version)

    write(qtbot, context, cleared_by_a_new_intake)
    qtbot.waitUntil(lambda: not plan_tab.gate_banner.isVisible(), timeout=TIMEOUT)
    assert "stopped" not in plan_tab.message.text().lower()
    chart.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: not tab.gate_banner.isVisible(), timeout=TIMEOUT)
    assert tab.mode == "new" and tab.editor.needles_out.isEnabled() and not tab.editor.subjective.isReadOnly()
    assert tab.save_button.isEnabled() and tab.new_button.isEnabled()
    assert tab.editor.subjective.toPlainText() == "Sore after gardening."
    close_chart(qtbot, chart)
