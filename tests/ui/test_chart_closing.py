"""Closing a chart, and quitting with charts open, loses nothing that was typed.

Ctrl+W or Esc closes a chart; typed, unsaved intake answers become a draft first (never signed); if
that save fails the chart stays open with the answers and the quit stops. Before this, closing
discarded the typed answers and quitting closed every chart without a word.
"""

from __future__ import annotations

import pytest
from test_chart_refresh import answers, register

from acudesk.domain.errors import DatabaseError
from acudesk.services import auth, intakes
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import Qt, is_alive

PASSWORD = "correct horse battery"  # the test clinic's administrator (tests/conftest.py)


def _signed_in_again(context: AppContext):
    """Quitting signed the window's user out (in the background): reading what it saved takes a new sign-in."""
    return auth.sign_in(context.database, context.actor.username, PASSWORD)


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


@pytest.mark.parametrize("key", [Qt.Key.Key_W, Qt.Key.Key_Escape], ids=["ctrl+w", "esc"])
def test_ctrl_w_and_esc_close_a_chart(qtbot, window: MainWindow, key) -> None:
    patient_id = register(window.context)
    chart = _open(qtbot, window, patient_id)
    chart.activateWindow()
    modifier = Qt.KeyboardModifier.ControlModifier if key == Qt.Key.Key_W else Qt.KeyboardModifier.NoModifier
    qtbot.keyClick(chart, key, modifier)
    qtbot.waitUntil(lambda: not is_alive(chart), timeout=TIMEOUT)
    assert window.charts == {}


def test_quitting_saves_typed_intake_answers_as_a_draft_and_then_quits(qtbot, window: MainWindow) -> None:
    context = window.context
    patient_id = register(context)
    chart = _open(qtbot, window, patient_id)
    chart.intake.new_intake()
    chart.intake.form.set_values(answers(pain_nrs=7))
    with qtbot.waitSignal(window.closed, timeout=TIMEOUT):
        window.close()
    assert not is_alive(chart) or not chart.isVisible()
    [kept] = intakes.list_intakes(context.database, _signed_in_again(context), patient_id)
    assert kept.status == "draft" and kept.answers["pain_nrs"] == 7


def _refused_draft_question(qtbot, chart):
    qtbot.waitUntil(lambda: chart._refusal is not None and chart._refusal.isVisible(), timeout=TIMEOUT)
    return chart._refusal


def _click(box, text: str) -> None:
    [button] = [b for b in box.buttons() if b.text() == text]
    button.click()


def _refuse_saves(monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(*_args, **_kwargs):
        raise DatabaseError("The disk is full. Nothing was saved; free some space and try again.")

    monkeypatch.setattr(intakes, "save_intake", disk_full)


def test_a_draft_that_cannot_be_saved_keeps_the_chart_open_and_stops_the_quit(
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = window.context
    patient_id = register(context)
    chart = _open(qtbot, window, patient_id)
    chart.intake.new_intake()
    chart.intake.form.set_values(answers(pain_nrs=8))
    _refuse_saves(monkeypatch)
    quits: list[bool] = []
    window.closed.connect(lambda: quits.append(True))
    window.close()
    box = _refused_draft_question(qtbot, chart)
    assert "The disk is full. Nothing was saved" in box.text()
    _click(box, "Keep the chart open")
    assert chart.isVisible() and chart.isEnabled() and window.isVisible() and quits == []
    assert chart.intake.form.values()["pain_nrs"] == 8  # nothing typed is lost
    monkeypatch.undo()
    chart.close()  # closing the chart later saves the draft and does not quit the application
    qtbot.waitUntil(lambda: not is_alive(chart), timeout=TIMEOUT)
    assert window.isVisible() and quits == []
    [kept] = intakes.list_intakes(context.database, context.actor, patient_id)
    assert kept.answers["pain_nrs"] == 8


def test_notes_that_cannot_be_saved_can_be_given_up_so_the_chart_still_closes(
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = window.context
    patient_id = register(context)
    chart = _open(qtbot, window, patient_id)
    chart.intake.new_intake()
    chart.intake.form.set_values(answers(pain_nrs=5))
    _refuse_saves(monkeypatch)
    chart.close()
    _click(_refused_draft_question(qtbot, chart), "Close and give them up")
    qtbot.waitUntil(lambda: not is_alive(chart), timeout=TIMEOUT)
    monkeypatch.undo()
    assert intakes.list_intakes(context.database, context.actor, patient_id) == []


def test_quitting_with_two_charts_holding_typed_answers_saves_both_and_quits(qtbot, window: MainWindow) -> None:
    context = window.context
    first, second = register(context), register(context, "Okonkwo", "Ada")
    charts = [_open(qtbot, window, first), _open(qtbot, window, second)]
    for chart, score in zip(charts, (4, 6), strict=True):
        chart.intake.new_intake()
        chart.intake.form.set_values(answers(pain_nrs=score))
    with qtbot.waitSignal(window.closed, timeout=TIMEOUT):
        window.close()
    reader = _signed_in_again(context)
    for patient_id, score in ((first, 4), (second, 6)):
        [kept] = intakes.list_intakes(context.database, reader, patient_id)
        assert kept.status == "draft" and kept.answers["pain_nrs"] == score
