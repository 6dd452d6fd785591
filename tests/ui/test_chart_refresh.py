"""Charts and admin screens stay current from the change broadcast (ui/operations.py).

Each test here failed before the chart and admin screens ran their work through ``context.operations``
and listened to its broadcast: a second chart of the same patient kept showing the old treatment stop
until it was closed and opened again, a write whose chart was closed meanwhile was never heard by the
other windows, and the audit log and the users list showed what they had read when they were opened.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from chart_steps import answer, sign

from acudesk.domain.intake import load_questionnaire
from acudesk.domain.patients import PatientDetails
from acudesk.services import audit, auth, intakes, outcomes, patients, plans, sessions
from acudesk.services.plans import PlanDraft, PlannedPoint
from acudesk.ui import errors
from acudesk.ui.admin.audit_viewer import AuditViewer
from acudesk.ui.admin.users_dialog import UsersDialog
from acudesk.ui.chart.window import PatientChartWindow
from acudesk.ui.context import AppContext
from acudesk.ui.operations import Operation
from acudesk.ui.qt import is_alive

TIMEOUT = 10_000


def answers(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    result.update(age=33, leg_radiation="none", pain_duration_weeks=16, pain_nrs=6, pain_lower_back=True)
    result.update(changes)
    return result


def register(context: AppContext, family: str = "Marchetti", given: str = "Giulia") -> int:
    details = PatientDetails(family_name=family, given_name=given, date_of_birth=date(1992, 4, 12), sex="female")
    return patients.register_patient(context.database, context.actor, details).id


def treated(context: AppContext) -> int:
    """A patient with a clear signed intake and an active plan (BL23 both sides, GV3)."""
    pid = register(context)
    db, actor = context.database, context.actor
    intakes.save_intake(db, actor, pid, answers(), sign=True)
    plan = plans.save_plan(db, actor, pid, PlanDraft("Low back pain", "", "weekly x4",
                                                     (PlannedPoint("BL23"), PlannedPoint("GV3", "midline"))))
    plans.activate_plan(db, actor, plan.id, expected_version=plan.version)
    return pid


@pytest.fixture
def errors_shown(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Every error that would have reached the user (a dialog, or the crash reporter)."""
    shown: list[BaseException] = []
    monkeypatch.setattr(errors, "show_error", lambda error, parent=None, title="": shown.append(error))
    monkeypatch.setattr(errors, "report_exception", lambda error, *a, **k: shown.append(error))
    return shown


@pytest.fixture
def open_chart(qtbot, context: AppContext):
    def opener(patient_id: int, *, closed_by_the_test: bool = False) -> PatientChartWindow:
        window = PatientChartWindow(context, patient_id)
        if not closed_by_the_test:  # (qtbot would close it again at teardown)
            qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: "patient no." in window.header.text() and bool(window.gate.text())
                        and bool(window.intake.status.text()), timeout=TIMEOUT)
        settled(qtbot, context)  # the tabs' first loads too
        return window

    return opener


def settled(qtbot, context: AppContext) -> None:
    """Wait until no operation is in flight (every answer delivered, every reload it caused done)."""
    qtbot.waitUntil(lambda: context.operations.pending == 0, timeout=TIMEOUT)


def count_calls(monkeypatch: pytest.MonkeyPatch, *targets: tuple[object, str]) -> Counter[str]:
    """Count calls (on the worker) of service functions the chart reads with."""
    calls: Counter[str] = Counter()
    for module, name in targets:
        original: Callable[..., Any] = getattr(module, name)

        def counted(*args: Any, _original: Callable[..., Any] = original, _name: str = name, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    return calls


def write(qtbot, context: AppContext, work: Callable[[], Any]) -> None:
    """A write made elsewhere (another screen): wait until it and every reload it caused have finished."""
    with qtbot.waitSignal(context.operations.idle, timeout=TIMEOUT):
        context.operations.write(None, work)


def sign_through_the_form(qtbot, window: PatientChartWindow, values: dict[str, Any]) -> None:
    tab = window.intake
    tab.new_intake()
    tab.form.set_values(values)
    sign(qtbot, tab)
    qtbot.waitUntil(lambda: tab.current is not None and tab.current.signed, timeout=TIMEOUT)


# -- two charts of one patient -----------------------------------------------------------------------

def test_an_intake_signed_in_one_chart_stops_treatment_in_the_other_without_a_reload(
    qtbot, context, open_chart, errors_shown
) -> None:
    pid = treated(context)
    first, second = open_chart(pid), open_chart(pid)
    assert "may go ahead" in second.gate.text()
    assert second.intake.history_list.count() == 1
    second.tabs.setCurrentWidget(second.plan)
    qtbot.waitUntil(lambda: second.plan.record is not None and second.plan.gate_allowed, timeout=TIMEOUT)
    second.tabs.setCurrentWidget(second.intake)

    sign_through_the_form(qtbot, first, answers(saddle_numbness=True))  # an emergency red flag

    qtbot.waitUntil(lambda: "NO TREATMENT" in second.gate.text(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: second.intake.history_list.count() == 2, timeout=TIMEOUT)
    assert second.intake.current is not None and second.intake.current.level == "EMERGENCY"
    assert second.intake.banner.colour == "red"
    second.tabs.setCurrentWidget(second.plan)  # a tab in the background catches up when it is shown
    qtbot.waitUntil(lambda: not second.plan.gate_allowed, timeout=TIMEOUT)
    assert not second.plan.activate_button.isEnabled()
    assert "STOP" in second.plan.gate_banner.text() and "Treatment is stopped" in second.plan.gate_banner.text()
    assert "NO TREATMENT" in first.gate.text()  # the chart that signed it follows too
    assert errors_shown == []


def test_a_session_signed_in_one_chart_appears_in_the_other(qtbot, context, open_chart) -> None:
    pid = treated(context)
    first, second = open_chart(pid), open_chart(pid)
    for window in (first, second):
        window.tabs.setCurrentWidget(window.sessions)
    tab = first.sessions
    tab.new_session()
    qtbot.waitUntil(lambda: tab.mode == "new", timeout=TIMEOUT)
    tab.editor.needles_out.setValue(tab.editor.needles_in.value())
    tab.editor.nrs_before.setValue(6)
    sign(qtbot, tab)
    qtbot.waitUntil(lambda: tab.mode == "signed", timeout=TIMEOUT)

    qtbot.waitUntil(lambda: second.sessions.list.count() == 1, timeout=TIMEOUT)
    assert "signed" in second.sessions.list.item(0).text()
    second.tabs.setCurrentWidget(second.outcomes)
    qtbot.waitUntil(lambda: second.outcomes.chart.summary is not None
                    and len(second.outcomes.chart.summary.trend) == 1, timeout=TIMEOUT)


def test_typed_answers_survive_a_change_made_in_the_other_chart(qtbot, context, open_chart) -> None:
    pid = register(context)
    first, second = open_chart(pid), open_chart(pid)
    assert "NO TREATMENT" in first.gate.text()  # no signed intake yet
    typing = first.intake
    typing.form.editors["pain_nrs"].setValue(8)
    answer(typing.form, "night_pain", True)
    typed = typing.form.values()
    first.tabs.setCurrentWidget(first.plan)
    first.plan.complaint.setText("Neck pain after a fall")
    first.tabs.setCurrentWidget(first.intake)

    sign_through_the_form(qtbot, second, answers())  # a clear intake, signed in the other chart

    qtbot.waitUntil(lambda: "may go ahead" in first.gate.text(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: typing.history_list.count() == 1, timeout=TIMEOUT)
    assert typing.form.values() == typed and typing.current is None  # still the intake being typed
    assert typing.status.text().startswith("New intake")
    first.tabs.setCurrentWidget(first.plan)
    qtbot.waitUntil(lambda: first.plan.gate_allowed and first.plan.activate_button.isEnabled(), timeout=TIMEOUT)
    assert first.plan.complaint.text() == "Neck pain after a fall"


def test_an_unchanged_form_shows_the_record_as_saved_elsewhere(qtbot, context, open_chart) -> None:
    pid = register(context)
    draft = intakes.save_intake(context.database, context.actor, pid, answers(pain_nrs=5))
    first = open_chart(pid)
    assert first.intake.current is not None and first.intake.current.id == draft.id

    write(qtbot, context, lambda: intakes.save_intake(context.database, context.actor, pid, answers(pain_nrs=3),
                                                      intake_id=draft.id, expected_version=draft.version, sign=True))

    assert first.intake.current is not None and first.intake.current.signed
    assert first.intake.form.values()["pain_nrs"] == 3
    assert "may go ahead" in first.gate.text()


# -- only this patient, only what is shown -----------------------------------------------------------

def test_a_chart_ignores_changes_to_another_patient_and_reloads_for_its_own(
    qtbot, context, open_chart, monkeypatch
) -> None:
    pid = treated(context)
    other = register(context, "Okafor", "Hannah")
    window = open_chart(pid)
    calls = count_calls(monkeypatch, (patients, "get_patient"), (intakes, "treatment_gate_for"),
                        (intakes, "list_intakes"), (plans, "list_plans"), (sessions, "list_sessions"),
                        (outcomes, "outcome_summary"))
    db, actor = context.database, context.actor

    write(qtbot, context, lambda: intakes.save_intake(db, actor, other, answers(), sign=True))
    write(qtbot, context, lambda: outcomes.record_outcome(db, actor, other, "NRS", 4))
    record = patients.get_patient(db, actor, other)
    write(qtbot, context, lambda: patients.update_patient(db, actor, other, replace(record.details, given_name="Ann"),
                                                          expected_version=record.version))
    assert calls == Counter({"get_patient": 1})  # only the line above: the chart read nothing

    calls.clear()
    write(qtbot, context, lambda: outcomes.record_outcome(db, actor, pid, "NRS", 4))
    # Its own patient's clinical change: the banner and the tab in front reload; the registry details
    # did not change, and the tabs behind reload only when shown.
    assert calls == Counter({"treatment_gate_for": 1, "list_intakes": 1})
    window.tabs.setCurrentWidget(window.outcomes)
    qtbot.waitUntil(lambda: calls["outcome_summary"] == 1, timeout=TIMEOUT)
    settled(qtbot, context)
    assert window.outcomes.list.count() == 1
    assert calls["list_plans"] == 0 and calls["list_sessions"] == 0  # never shown since

    own = patients.get_patient(db, actor, pid)
    calls.clear()
    write(qtbot, context, lambda: patients.update_patient(db, actor, pid, replace(own.details, given_name="Giulietta"),
                                                          expected_version=own.version))
    assert calls == Counter({"get_patient": 1})  # the header only
    assert "Giulietta Marchetti" in window.header.text()


# -- closed windows --------------------------------------------------------------------------------------

def test_closing_a_chart_while_it_loads_drops_the_answers_without_an_error(
    qtbot, context, monkeypatch, errors_shown
) -> None:
    pid = treated(context)
    gate = threading.Event()
    original = patients.get_patient

    def slow(*args: Any, **kwargs: Any) -> Any:
        gate.wait(TIMEOUT / 1000)
        return original(*args, **kwargs)

    monkeypatch.setattr(patients, "get_patient", slow)
    finished: list[Operation] = []
    context.operations.finished.connect(finished.append)
    window = PatientChartWindow(context, pid)
    window.show()
    assert context.operations.pending >= 6  # header, banner and four tabs, all held up by the first
    window.close()  # deleted on close, with its tabs
    qtbot.waitUntil(lambda: not is_alive(window), timeout=TIMEOUT)
    with qtbot.waitSignal(context.operations.idle, timeout=TIMEOUT):
        gate.set()
    assert len(finished) >= 6 and all(operation.dropped for operation in finished)
    assert errors_shown == []


def test_a_sign_whose_chart_was_closed_meanwhile_still_reaches_the_other_chart(
    qtbot, context, open_chart, monkeypatch, errors_shown
) -> None:
    pid = treated(context)
    closing, staying = open_chart(pid, closed_by_the_test=True), open_chart(pid)
    gate = threading.Event()
    original = intakes.save_intake

    def slow(*args: Any, **kwargs: Any) -> Any:
        gate.wait(TIMEOUT / 1000)
        return original(*args, **kwargs)

    monkeypatch.setattr(intakes, "save_intake", slow)
    closing.intake.new_intake()
    closing.intake.form.set_values(answers(saddle_numbness=True))
    sign(qtbot, closing.intake)
    closing.close()
    qtbot.waitUntil(lambda: not is_alive(closing), timeout=TIMEOUT)
    gate.set()
    qtbot.waitUntil(lambda: "NO TREATMENT" in staying.gate.text(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: staying.intake.history_list.count() == 2, timeout=TIMEOUT)
    assert errors_shown == []


# -- admin screens ---------------------------------------------------------------------------------------

def test_the_audit_log_shows_a_write_made_while_it_is_open(qtbot, context) -> None:
    viewer = AuditViewer(context)
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitUntil(lambda: viewer.table.rowCount() > 0, timeout=TIMEOUT)
    settled(qtbot, context)
    before = viewer.table.rowCount()
    pid = register(context, "Okafor", "Hannah")
    db, actor = context.database, context.actor

    write(qtbot, context, lambda: intakes.save_intake(db, actor, pid, answers(), sign=True))

    expected = len(audit.list_events(db, actor))
    assert expected > before + 1  # the registration (not broadcast) and the intake
    assert viewer.table.rowCount() == expected


def test_the_users_list_shows_an_account_added_elsewhere(qtbot, context) -> None:
    dialog = UsersDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=TIMEOUT)
    settled(qtbot, context)
    before = dialog.table.rowCount()
    db, actor = context.database, context.actor

    write(qtbot, context, lambda: auth.create_user(db, actor, "mei", "Mei Lin", ("practitioner",),
                                                   "plum blossom 88"))

    assert dialog.table.rowCount() == before + 1
    names = [item.text() for row in range(dialog.table.rowCount()) if (item := dialog.table.item(row, 1))]
    assert "mei" in names
