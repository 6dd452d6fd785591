"""Typed notes in a chart (issue 18): session notes are kept as a draft while they are typed, and
closing a chart by hand with typed, unsaved text asks first (save as draft, discard, keep editing).
Through the chart opened from the main window; quitting and hand-over keep saving without asking
(tests/ui/test_chart_closing.py, tests/ui/test_lock_hand_over.py)."""

from __future__ import annotations

import pytest
from chart_steps import answer
from test_chart_refresh import register, treated

from acudesk.services import intakes, plans, sessions
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QApplication, QMessageBox, Qt, QTimer, is_alive

TIMEOUT = 10_000


@pytest.fixture
def window(qtbot, context: AppContext) -> MainWindow:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    return window


def _open(qtbot, window: MainWindow, patient_id: int):
    window.open_chart(patient_id)
    chart = window.charts[patient_id]
    qtbot.waitUntil(lambda: "patient no." in chart.header.text() and bool(chart.intake.status.text()),
                    timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.context.operations.pending == 0, timeout=TIMEOUT)
    return chart


def _answer_unsaved(choice: str) -> list[str]:
    """Click ``choice`` on the "Unsaved changes" question once it is up; returns its text."""
    seen: list[str] = []

    def click() -> None:
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.objectName() == "unsavedQuestion" and w.isVisible()), None)
        if box is None:
            QTimer.singleShot(20, click)
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == choice).click()

    QTimer.singleShot(20, click)
    return seen


def test_session_notes_are_kept_as_a_draft_while_typed(qtbot, window: MainWindow) -> None:
    context = window.context
    pid = treated(context)
    chart = _open(qtbot, window, pid)
    chart.tabs.setCurrentWidget(chart.sessions)
    tab = chart.sessions
    tab.new_session()
    qtbot.waitUntil(lambda: tab.mode == "new", timeout=TIMEOUT)
    qtbot.keyClicks(tab.editor.subjective, "Pain eased after the last visit")

    def stored() -> list[str]:
        return [s.draft.subjective for s in sessions.list_sessions(context.database, context.actor, pid)]

    qtbot.waitUntil(lambda: stored() == ["Pain eased after the last visit"], timeout=TIMEOUT)
    qtbot.waitUntil(lambda: tab.mode == "draft" and "Draft kept" in tab.state.text(), timeout=TIMEOUT)
    qtbot.keyClicks(tab.editor.subjective, "; sleeping better")  # typing on: nothing typed is lost or refilled
    qtbot.waitUntil(lambda: stored() == ["Pain eased after the last visit; sleeping better"], timeout=TIMEOUT)
    assert tab.editor.subjective.toPlainText() == "Pain eased after the last visit; sleeping better"
    qtbot.waitUntil(lambda: not tab.saving and not tab.editing(), timeout=TIMEOUT)  # all saved: no question
    chart.close_by_hand()
    qtbot.waitUntil(lambda: not is_alive(chart), timeout=TIMEOUT)


def test_closing_a_chart_with_typed_answers_asks_what_to_keep(qtbot, window: MainWindow) -> None:
    context = window.context
    pid = register(context)
    chart = _open(qtbot, window, pid)
    tab = chart.intake
    tab.new_intake()
    answer(tab.form, "saddle_numbness", False)

    asked = _answer_unsaved("Keep editing")
    chart.activateWindow()
    qtbot.keyClick(chart, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(asked), timeout=TIMEOUT)
    assert "not saved" in asked[0]
    assert is_alive(chart) and chart.isVisible() and tab.form.editors["saddle_numbness"].buttons[False].isChecked()

    _answer_unsaved("Discard changes")
    chart.close_by_hand()
    qtbot.waitUntil(lambda: not is_alive(chart), timeout=TIMEOUT)
    assert intakes.list_intakes(context.database, context.actor, pid) == []  # nothing kept


def test_save_as_draft_keeps_the_typed_answers(qtbot, window: MainWindow) -> None:
    context = window.context
    pid = register(context)
    chart = _open(qtbot, window, pid)
    tab = chart.intake
    tab.new_intake()
    answer(tab.form, "saddle_numbness", True)
    _answer_unsaved("Save as draft")
    chart.close_by_hand()
    qtbot.waitUntil(lambda: not is_alive(chart), timeout=TIMEOUT)
    [draft] = intakes.list_intakes(context.database, context.actor, pid)
    assert draft.status == "draft" and draft.answers.get("saddle_numbness") is True


def test_closing_a_chart_with_an_edited_plan_asks_before_giving_it_up(qtbot, window: MainWindow, monkeypatch) -> None:
    """Seen as a new clinic: GB34 added to a plan, Ctrl+W closed the chart and the plan was gone, unasked.
    An edited plan is not saved for the practitioner (an active plan's edits change the treatment on
    saving): the chart asks, as for an amendment. Untouched, an active plan closes unasked."""
    pid = treated(window.context)
    chart = _open(qtbot, window, pid)
    qtbot.waitUntil(lambda: chart.plan.loaded and chart.plan.record is not None, timeout=TIMEOUT)
    asked: list[str] = []

    def answer(button):
        def question(parent, title, text, *args):
            asked.append(f"{title}: {text}")
            return button
        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    assert not chart.plan.editing()
    chart.tabs.setCurrentWidget(chart.plan)
    assert chart.plan.add_point("GB34", "left")
    chart.close_by_hand()
    assert len(asked) == 1 and asked[0].startswith("Treatment plan not saved") and "editing" in asked[0]
    assert is_alive(chart) and chart.isVisible() and chart.plan.editing()
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Discard))
    chart.close_by_hand()
    qtbot.waitUntil(lambda: not is_alive(chart) or not chart.isVisible(), timeout=TIMEOUT)
    [plan] = [p for p in plans.list_plans(window.context.database, window.context.actor, pid) if p.status == "active"]
    assert "GB34" not in [point.code for point in plan.draft.points]  # given up, as asked

    asked.clear()
    again = _open(qtbot, window, pid)
    qtbot.waitUntil(lambda: again.plan.loaded and again.plan.record is not None, timeout=TIMEOUT)
    again.close_by_hand()
    qtbot.waitUntil(lambda: not is_alive(again) or not again.isVisible(), timeout=TIMEOUT)
    assert asked == []  # nothing edited: no question
