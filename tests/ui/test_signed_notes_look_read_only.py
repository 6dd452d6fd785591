"""A signed session's notes look read-only (issue 18): they could not be typed into, but were drawn
exactly like the white fields of a draft. Through the chart window opened from the main window, with
the application's style sheet."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from acudesk.domain.intake import load_questionnaire
from acudesk.domain.patients import PatientDetails
from acudesk.services import intakes, patients, plans, sessions
from acudesk.services.plans import PlanDraft, PlannedPoint
from acudesk.ui.chart.window import PatientChartWindow
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QApplication, QColor
from acudesk.ui.style import CANVAS, READ_ONLY_BACKGROUND, STYLE_SHEET

TIMEOUT = 10_000


def _answers(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    result.update(age=33, leg_radiation="none", pain_duration_weeks=16, pain_nrs=6, pain_lower_back=True)
    result.update(changes)
    return result


def _signed_session(context: AppContext) -> int:
    db, actor = context.database, context.actor
    pid = patients.register_patient(db, actor, PatientDetails("Marchetti", "Giulia", date(1992, 4, 12))).id
    intakes.save_intake(db, actor, pid, _answers(), sign=True)
    plan = plans.save_plan(db, actor, pid, PlanDraft("Low back pain", "", "weekly x4", (PlannedPoint("BL23"),)))
    plans.activate_plan(db, actor, plan.id, expected_version=plan.version)
    draft = sessions.new_session_draft(db, actor, pid, datetime.now(UTC))
    from dataclasses import replace

    draft = replace(draft, needles_in=2, needles_out=2, nrs_before=6, nrs_after=4, subjective="Sleeping better.")
    saved = sessions.save_session(db, actor, pid, draft)
    sessions.sign_session(db, actor, saved.id, expected_version=saved.version)
    return pid


def _background(widget) -> str:  # type: ignore[no-untyped-def]
    image = widget.viewport().grab().toImage() if hasattr(widget, "viewport") else widget.grab().toImage()
    return QColor(image.pixel(image.width() - 6, image.height() // 2)).name()


def test_a_signed_sessions_notes_are_drawn_as_read_only(qtbot, context: AppContext) -> None:
    app = QApplication.instance()
    before = app.styleSheet()
    app.setStyleSheet(STYLE_SHEET)  # as create_application does
    try:
        pid = _signed_session(context)
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.open_chart(pid)
        qtbot.waitUntil(lambda: any(isinstance(w, PatientChartWindow) and w.isVisible()
                                    for w in QApplication.topLevelWidgets()), timeout=TIMEOUT)
        chart = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PatientChartWindow) and w.isVisible())
        chart.tabs.setCurrentWidget(chart.sessions)
        tab = chart.sessions
        qtbot.waitUntil(lambda: tab.list.count() == 1, timeout=TIMEOUT)
        tab.list.setCurrentRow(0)
        note = tab.editor.subjective
        qtbot.waitUntil(lambda: note.toPlainText() == "Sleeping better." and note.isReadOnly(), timeout=TIMEOUT)
        assert _background(note) == READ_ONLY_BACKGROUND.lower()

        tab.new_session()  # a new draft: its notes are white and typed into
        qtbot.waitUntil(lambda: not tab.editor.subjective.isReadOnly(), timeout=TIMEOUT)
        assert _background(tab.editor.subjective) == CANVAS.lower()
        chart.close()
    finally:
        app.setStyleSheet(before)
