"""A practitioner draws a patient's pain through the real windows: at the intake, then at a session
where the leg pain has spread below the knee; the drawing sits beside the previous one, the warning
shows before saving, and the outcomes tab reads the change."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from acudesk.domain.intake import load_questionnaire
from acudesk.domain.pain_drawing import PainMark
from acudesk.domain.patients import PatientDetails
from acudesk.services import intakes, pain_drawings, patients, sessions
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import Qt

TIMEOUT = 10_000


def _answers(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    result.update(age=58, leg_radiation="none", pain_duration_weeks=30, pain_nrs=6, pain_lower_back=True)
    result.update(changes)
    return result


def _patient(context: AppContext) -> int:
    db, actor = context.database, context.actor
    details = PatientDetails(family_name="Lindqvist", given_name="Maja", date_of_birth=date(1968, 3, 14))
    pid = patients.register_patient(db, actor, details).id
    intakes.save_intake(db, actor, pid, _answers(), sign=True)
    draft = sessions.new_session_draft(db, actor, pid, datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1))
    sessions.save_session(db, actor, pid, replace(draft, nrs_before=6))
    return pid


@pytest.fixture
def chart(qtbot, context: AppContext):
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    pid = _patient(context)
    window.open_chart(pid)
    chart = window.charts[pid]
    qtbot.waitUntil(lambda: "patient no." in chart.header.text(), timeout=TIMEOUT)
    chart.tabs.setCurrentWidget(chart.pain)
    qtbot.waitUntil(lambda: chart.pain.occasion.count() == 2, timeout=TIMEOUT)
    return chart


def _click_region(qtbot, tab, region_id: str) -> None:
    view = tab.canvas.view_of(region_id)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.region_centre(region_id).toPoint())


def _choose(tab, kind: str, intensity: int) -> None:
    tab.kind.setCurrentIndex(tab.kind.findData(kind))
    tab.intensity.setValue(intensity)


def test_drawing_at_intake_then_at_a_session_with_spread_below_the_knee(qtbot, chart) -> None:
    tab = chart.pain
    assert tab.previous_caption.text() == "No earlier drawing."
    tab.occasion.setCurrentIndex(next(i for i in range(tab.occasion.count()) if "Intake" in tab.occasion.itemText(i)))
    _choose(tab, "ache", 6)
    _click_region(qtbot, tab, "back.low_back.right")
    _click_region(qtbot, tab, "back.thigh.right")
    _click_region(qtbot, tab, "back.neck")
    _click_region(qtbot, tab, "back.neck")  # the same kind and intensity again: unmarked
    assert tab.current_marks() == (PainMark("back.low_back.right", "ache", 6), PainMark("back.thigh.right", "ache", 6))
    assert [tab.list.item(i).text() for i in range(tab.list.count())] == [
        "The right low back — ache 6/10", "The back of the right thigh — ache 6/10"]
    assert tab.measures.text() == "5.5 % of the body; worst 6/10; into the right thigh; low back"
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Intake" in tab.previous_caption.text() and not tab.marks, timeout=TIMEOUT)
    assert tab.previous_canvas.views["back"].marks == (PainMark("back.low_back.right", "ache", 6),
                                                       PainMark("back.thigh.right", "ache", 6))

    # At the session: start from the previous drawing; the leg pain now burns below the knee.
    tab.occasion.setCurrentIndex(next(i for i in range(tab.occasion.count()) if "Session" in tab.occasion.itemText(i)))
    qtbot.mouseClick(tab.copy_button, Qt.MouseButton.LeftButton)
    assert len(tab.current_marks()) == 2
    _choose(tab, "burning", 7)
    # Without the mouse: choose the region from the list and mark it.
    tab.region_choice.setCurrentIndex(tab.region_choice.findData("back.lower_leg.right"))
    tab.add_button.setFocus()
    qtbot.keyClick(tab.add_button, Qt.Key.Key_Space)
    assert "below the knee" in tab.notes.text()  # the warning shows before saving
    # Delete removes the selected mark from the list.
    tab.list.setCurrentRow(0)
    tab.list.setFocus()
    removed = tab.list.currentItem().text()
    qtbot.keyClick(tab.list, Qt.Key.Key_Delete)
    assert removed not in [tab.list.item(i).text() for i in range(tab.list.count())]
    _choose(tab, "ache", 6)
    _click_region(qtbot, tab, "back.low_back.right")  # put it back by clicking
    assert len(tab.current_marks()) == 3
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Session" in tab.previous_caption.text(), timeout=TIMEOUT)

    chart.tabs.setCurrentWidget(chart.outcomes)
    line = chart.outcomes.pain_drawing
    qtbot.waitUntil(lambda: "→" in line.text(), timeout=TIMEOUT)
    assert ("Pain area: 5.5 % → 8.5 %; spread: into the right thigh; low back → below the right knee; low back"
            in line.text())
    assert "Leg pain now reaches below the knee" in line.text()
    history = pain_drawings.history(chart.context.database, chart.context.actor, chart.patient_id)
    assert [d.occasion.label.split(",")[0] for d in history.drawings] == ["Intake", "Session"]


def test_correcting_the_previous_drawing_needs_a_reason_and_replaces_it(qtbot, chart) -> None:
    tab = chart.pain
    tab.occasion.setCurrentIndex(next(i for i in range(tab.occasion.count()) if "Intake" in tab.occasion.itemText(i)))
    _choose(tab, "numbness", 0)
    _click_region(qtbot, tab, "front.hand.left")  # front view: the image's right half is the patient's left
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.history is not None and tab.history.latest is not None, timeout=TIMEOUT)
    assert "worst 0/10" in tab.previous_caption.text()
    qtbot.mouseClick(tab.correct_button, Qt.MouseButton.LeftButton)
    assert tab.reason.isVisible() and not tab.occasion.isEnabled()
    assert tab.occasion.currentText().startswith("Intake")  # the occasion of the drawing corrected
    _click_region(qtbot, tab, "front.hand.left")  # the same kind and intensity: unmarked
    _click_region(qtbot, tab, "front.hand.right")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "Say why" in tab.error.text()
    tab.reason.setText("left and right swapped")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.reason.isVisible() and tab.history.latest is not None
                    and tab.history.latest.supersedes_id is not None, timeout=TIMEOUT)
    assert tab.history.latest.marks == (PainMark("front.hand.right", "numbness", 0),)
    assert len(tab.history.drawings) == 1
    assert tab.history.latest.occasion.intake_id is not None  # corrected at the intake it replaced


def test_closing_the_chart_asks_before_giving_up_an_unsaved_drawing(qtbot, chart, monkeypatch) -> None:
    from acudesk.ui.qt import QMessageBox, is_alive

    tab = chart.pain
    _choose(tab, "sharp", 8)
    _click_region(qtbot, tab, "front.knee.right")
    asked: list[str] = []

    def answer(button):
        def question(parent, title, text, *args):
            asked.append(title)
            return button
        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    chart.close()
    assert asked == ["Pain drawing not saved"] and is_alive(chart) and tab.unsaved()
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Discard))
    chart.close()
    qtbot.waitUntil(lambda: not is_alive(chart), timeout=TIMEOUT)
    assert asked == ["Pain drawing not saved"] * 2
