"""The acupuncturist's day in the patient chart: red-flag stop, override for a pregnant patient,
a needle count that does not add up, and an amendment to a signed note."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from chart_steps import answer, confirm_signing, sign

from acudesk.domain.intake import load_questionnaire
from acudesk.domain.patients import PatientDetails
from acudesk.services import intakes, patients, plans, sessions
from acudesk.services.plans import PlanDraft, PlannedPoint
from acudesk.ui.chart.override_dialog import OverrideDialog
from acudesk.ui.chart.window import PatientChartWindow
from acudesk.ui.context import AppContext
from acudesk.ui.qt import QMessageBox

TIMEOUT = 10_000


def answers(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    result.update(age=33, leg_radiation="none", pain_duration_weeks=16, pain_nrs=6, pain_lower_back=True)
    result.update(changes)
    return result


def register(context: AppContext) -> int:
    details = PatientDetails(family_name="Marchetti", given_name="Giulia", date_of_birth=date(1992, 4, 12),
                             sex="female")
    return patients.register_patient(context.database, context.actor, details).id


def treated(context: AppContext) -> int:
    """A patient with a clear intake and an active low-back plan (BL23 both sides, GV3)."""
    pid = register(context)
    db, actor = context.database, context.actor
    intakes.save_intake(db, actor, pid, answers(), sign=True)
    plan = plans.save_plan(db, actor, pid, PlanDraft("Low back pain", "", "weekly x4",
                                                     (PlannedPoint("BL23"), PlannedPoint("GV3", "midline"))))
    plans.activate_plan(db, actor, plan.id, expected_version=plan.version)
    return pid


@pytest.fixture
def open_chart(qtbot, context: AppContext):
    def opener(patient_id: int) -> PatientChartWindow:
        window = PatientChartWindow(context, patient_id)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: "Marchetti" in window.header.text(), timeout=TIMEOUT)
        qtbot.waitUntil(lambda: bool(window.gate.text()), timeout=TIMEOUT)
        return window

    return opener


def test_emergency_intake_turns_the_banner_red_and_stops_plans_and_sessions(qtbot, context, open_chart) -> None:
    pid = register(context)
    window = open_chart(pid)
    tab = window.intake
    qtbot.waitUntil(lambda: "New intake" in tab.status.text(), timeout=TIMEOUT)
    tab.form.set_values(answers())
    assert tab.banner.colour == "green"
    answer(tab.form, "saddle_numbness", True)  # the live banner follows each answer
    assert tab.banner.colour == "red" and tab.banner.level == "EMERGENCY"
    assert "RF-CES-04" in tab.banner.label.text()
    sign(qtbot, tab)
    qtbot.waitUntil(lambda: tab.history_list.count() == 1 and tab.current is not None and tab.current.signed,
                    timeout=TIMEOUT)
    assert tab.banner.colour == "red" and tab.referral.isVisible()
    qtbot.waitUntil(lambda: "NO TREATMENT" in window.gate.text(), timeout=TIMEOUT)

    plan_tab = window.plan
    window.tabs.setCurrentWidget(plan_tab)
    qtbot.waitUntil(lambda: not plan_tab.activate_button.isEnabled(), timeout=TIMEOUT)
    plan_tab.complaint.setText("Low back pain")
    assert plan_tab.add_point("BL23", "bilateral")
    plan_tab.activate()  # the button is disabled; the service refuses as well
    qtbot.waitUntil(lambda: "Treatment is stopped" in plan_tab.gate_banner.text(), timeout=TIMEOUT)
    assert all(p.status != "active" for p in plans.list_plans(context.database, context.actor, pid))

    tab_s = window.sessions
    window.tabs.setCurrentWidget(tab_s)
    tab_s.new_session()
    qtbot.waitUntil(lambda: tab_s.mode == "new", timeout=TIMEOUT)
    tab_s.save(sign=False)  # the editor is read-only; the service refuses as well
    qtbot.waitUntil(lambda: "Treatment is stopped" in tab_s.gate_banner.text(), timeout=TIMEOUT)
    assert sessions.list_sessions(context.database, context.actor, pid) == []


def test_pregnant_patient_sp6_needs_an_override_reason(qtbot, context, open_chart, monkeypatch) -> None:
    pid = register(context)
    intakes.save_intake(context.database, context.actor, pid, answers(pregnant=True, pregnancy_weeks=22), sign=True)
    window = open_chart(pid)
    tab = window.plan
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.conditions.value("pregnant") is True, timeout=TIMEOUT)
    tab.complaint.setText("Pregnancy-related low back pain")

    monkeypatch.setattr(OverrideDialog, "get_reason", classmethod(lambda cls, item, violations, parent=None: None))
    assert not tab.add_point("SP6", "bilateral")
    assert "SP6 was not added" in tab.message.text() and not tab.points

    reason = "Obstetric team asked for SP6 at 40 weeks"
    monkeypatch.setattr(OverrideDialog, "get_reason", classmethod(lambda cls, item, violations, parent=None: reason))
    assert tab.add_point("SP6", "bilateral")
    assert tab.points[0].override_reason == reason
    assert "BLOCKED" in tab.planned.item(0).text() and reason in tab.planned.item(0).text()
    assert tab.chart.views["front"].marked["SP6"].state == "block"
    tab.save_button.click()
    qtbot.waitUntil(lambda: "Plan no." in tab.status.text(), timeout=TIMEOUT)
    stored = plans.list_plans(context.database, context.actor, pid)[0]
    assert stored.draft.points[0].code == "SP6" and stored.draft.points[0].override_reason == reason


def test_needle_count_mismatch_cannot_be_signed_and_opens_an_adverse_event(qtbot, context, open_chart) -> None:
    pid = treated(context)
    window = open_chart(pid)
    tab = window.sessions
    window.tabs.setCurrentWidget(tab)
    tab.new_session()
    qtbot.waitUntil(lambda: tab.mode == "new", timeout=TIMEOUT)
    assert tab.editor.needles_in.value() == 3  # BL23 both sides + GV3
    tab.editor.needles_out.setValue(3)
    assert tab.sign_button.isEnabled()
    tab.editor.needles_out.setValue(2)
    assert not tab.sign_button.isEnabled()
    assert "MISMATCH" in tab.editor.needle_message.text()
    tab.save(sign=True)  # refused by the service too
    qtbot.waitUntil(lambda: tab.events.count() == 1, timeout=TIMEOUT)
    assert "retained needle" in tab.events.item(0).text() and "OPEN" in tab.events.item(0).text()
    qtbot.waitUntil(lambda: "mismatch" in tab.state.text().lower(), timeout=TIMEOUT)
    stored = sessions.list_sessions(context.database, context.actor, pid)
    assert [s.status for s in stored] == ["draft"]


def test_amending_a_signed_note_keeps_the_original(qtbot, context, open_chart) -> None:
    pid = treated(context)
    db, actor = context.database, context.actor
    draft = sessions.new_session_draft(db, actor, pid, datetime(2025, 3, 4, 9, tzinfo=UTC))
    draft = replace(draft, needles_out=draft.needles_in, nrs_before=6, nrs_after=4, subjective="Better mornings.")
    saved = sessions.save_session(db, actor, pid, draft)
    sessions.sign_session(db, actor, saved.id, expected_version=saved.version)
    window = open_chart(pid)
    tab = window.sessions
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.list.count() == 1, timeout=TIMEOUT)
    tab.list.setCurrentRow(0)
    qtbot.waitUntil(lambda: tab.mode == "signed", timeout=TIMEOUT)
    assert not tab.save_button.isVisible() and tab.amend_button.isVisible()
    tab.amend_button.click()
    tab.editor.nrs_after.setValue(3)
    tab.save_amendment_button.click()
    qtbot.waitUntil(lambda: "reason" in tab.state.text().lower(), timeout=TIMEOUT)
    tab.reason.setText("After-treatment score misheard")
    tab.save_amendment_button.click()
    confirm_signing(qtbot, tab)
    qtbot.waitUntil(lambda: len(tab.history.records) == 2, timeout=TIMEOUT)
    html = tab.history.text()
    assert "Original" in html and "Amendment" in html and "After-treatment score misheard" in html
    original, amendment = tab.history.records
    assert original.draft.nrs_after == 4 and amendment.draft.nrs_after == 3
    assert "amended ×1" in tab.list.item(0).text()


def test_a_weak_flag_is_re_screened_at_the_next_session(qtbot, context, open_chart, monkeypatch) -> None:
    pid = register(context)
    db, actor = context.database, context.actor
    intake = intakes.save_intake(db, actor, pid, answers(night_pain=True), sign=True)
    intakes.record_referral(db, actor, intake.id, "GP reviewed: no serious cause found; cleared to treat.")
    plan = plans.save_plan(db, actor, pid, PlanDraft("Low back pain", "", "weekly x4", (PlannedPoint("BL23"),)))
    plans.activate_plan(db, actor, plan.id, expected_version=plan.version)
    asked: list[str] = []

    def no_change(_parent, _title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", no_change)
    window = open_chart(pid)
    tab = window.sessions
    window.tabs.setCurrentWidget(tab)
    tab.new_session()
    qtbot.waitUntil(lambda: tab.mode == "new", timeout=TIMEOUT)
    assert "re-screen for red flags at every visit" in asked[0]
    assert tab.editor.subjective.toPlainText().startswith("Re-screened for red flags at this visit")

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    tab.new_session()
    qtbot.waitUntil(lambda: window.tabs.currentWidget() is window.intake, timeout=TIMEOUT)
