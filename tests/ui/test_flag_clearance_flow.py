"""Lifting an emergency in the chart (issue 13): the new intake says which red flags it drops, keeps the
earlier intake on screen, and is signed only after the clearance is recorded in its dialog.

Through the real windows: the main window opens the chart, the intake tab's buttons and the
clearance dialog are clicked as a practitioner would."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from chart_steps import confirm_signing
from sqlalchemy import select

from acudesk.domain.intake import load_questionnaire
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.models import AuditEvent, FlagClearance
from acudesk.services import flag_clearances, intakes, patients
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QDate, QDialogButtonBox, QMessageBox

TIMEOUT = 10_000


def answers(**changes: Any) -> dict[str, Any]:
    """A 41-year-old with low back pain for 16 weeks, every required yes/no question answered "no"."""
    given: dict[str, Any] = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    given.update(age=41, leg_radiation="none", pain_duration_weeks=16, pain_nrs=6, pain_lower_back=True)
    given.update(changes)
    return given


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every error box the chart would have shown."""
    shown: list[str] = []

    def record(_parent, _title, text, *_args, **_kwargs):
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", staticmethod(record))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(record))
    return shown


@pytest.fixture
def window(qtbot, context: AppContext) -> MainWindow:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    return window


def flagged_patient(context: AppContext) -> tuple[int, int]:
    """A patient whose signed intake found saddle numbness: EMERGENCY (rule RF-CES-04)."""
    details = PatientDetails(family_name="Abernethy", given_name="Iona", date_of_birth=date(1985, 9, 30))
    pid = patients.register_patient(context.database, context.actor, details).id
    flagged = intakes.save_intake(context.database, context.actor, pid, answers(saddle_numbness=True), sign=True)
    assert flagged.level == "EMERGENCY"
    return pid, flagged.id


def test_unticking_an_emergency_needs_a_clearance_before_the_new_intake_is_signed(
        qtbot, context: AppContext, window: MainWindow, messages: list[str]) -> None:
    pid, flagged_id = flagged_patient(context)
    window.open_chart(pid)
    chart = window.charts[pid]
    tab = chart.intake
    qtbot.waitUntil(lambda: tab.history_list.count() == 1 and tab.current is not None and tab.current.signed,
                    timeout=TIMEOUT)
    panel = tab.clearance
    assert not panel.isVisible()  # the signed intake itself is shown: nothing is dropped

    tab.new_button.click()
    tab.form.set_values(answers())  # two minutes later, every box "no"
    qtbot.waitUntil(panel.isVisible, timeout=TIMEOUT)
    assert "RF-CES-04" in panel.headline.text() and "cannot be signed" in panel.headline.text()
    assert "EMERGENCY" in panel.earlier.text() and "RF-CES-04" in panel.earlier.text()  # the earlier intake beside
    saddle = next(q.text for q in load_questionnaire().questions if q.id == "saddle_numbness")
    assert panel.differences.item(0).text() == f"{saddle}: then yes · now no"  # the dropped flag's answer first
    assert panel.record_button.isVisible()

    # Sign waits for the clearance, saying why under it (the service refuses too: tests/services)
    assert not tab.sign_button.isEnabled() and tab.sign_note.isVisible()
    assert "RF-CES-04" in tab.sign_note.text() and "clearance" in tab.sign_note.text()
    tab.save_button.click()  # the draft is kept meanwhile; saved, it still waits
    qtbot.waitUntil(lambda: tab.current is not None and not tab.saving, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: panel.isVisible() and bool(panel.missing), timeout=TIMEOUT)
    assert not tab.sign_button.isEnabled() and "RF-CES-04" in tab.sign_note.text()
    assert [r.signed for r in intakes.list_intakes(context.database, context.actor, pid)] == [False, True]

    panel.record_button.click()
    qtbot.waitUntil(lambda: panel.dialog is not None and panel.dialog.isVisible(), timeout=TIMEOUT)
    dialog = panel.dialog
    record = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert record.text() == "Record clearance"
    record.click()  # nothing entered: every missing field says so, the dialog stays
    assert dialog.isVisible()
    assert dialog.fields["what_changed"].has_error() and dialog.fields["seen_by"].has_error()
    today = context.today()  # the flag was raised today: the patient can only have been seen today
    assert dialog.seen_on.minimumDate() == dialog.seen_on.maximumDate() == QDate(today.year, today.month, today.day)
    dialog.what_changed.setPlainText("Seen by the on-call spinal registrar: MRI normal, saddle sensation intact.")
    dialog.seen_by.setCurrentIndex(dialog.seen_by.findData("spinal_team"))
    dialog.seen_by_name.setText("Mr Osei, spinal registrar")
    record.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=TIMEOUT)

    qtbot.waitUntil(lambda: "Cleared" in panel.headline.text(), timeout=TIMEOUT)
    assert "Spinal team: Mr Osei, spinal registrar" in panel.headline.text()
    assert not panel.record_button.isVisible()
    assert tab.current is not None and not tab.current.signed  # the draft was saved with its clearance
    assert tab.sign_button.isEnabled() and not tab.sign_note.isVisible()
    [clearance] = flag_clearances.list_clearances(context.database, context.actor, pid)
    assert (clearance.intake_id, clearance.flagged_intake_id) == (tab.current.id, flagged_id)

    tab.sign_button.click()
    confirm_signing(qtbot, tab)
    qtbot.waitUntil(lambda: tab.current is not None and tab.current.signed, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: tab.history_list.count() == 2, timeout=TIMEOUT)
    signed_id = tab.current.id
    # The signed intake keeps its clearance on screen, beside the intake whose flag it lifted.
    assert panel.isVisible() and panel.title() == "Red flags cleared by this intake"
    assert "Mr Osei" in panel.headline.text() and "RF-CES-04" in panel.headline.text()
    assert not panel.record_button.isVisible() and "EMERGENCY" in panel.earlier.text()
    tab.history_list.setCurrentRow(1)  # the flagged intake itself lifted nothing
    assert tab.current is not None and tab.current.id == flagged_id and not panel.isVisible()
    with context.database.read() as tx:
        assert tx.scalar(select(FlagClearance.flagged_intake_id)) == flagged_id
        signing = tx.scalars(select(AuditEvent).where(AuditEvent.action == "sign", AuditEvent.entity == "intake",
                                                      AuditEvent.entity_id == signed_id)).one()
        assert signing.detail["cleared"]["flagged_intake"] == flagged_id
    assert not [m for m in messages if "RF-CES-04" in m]  # no refusal: Sign waited for the clearance
