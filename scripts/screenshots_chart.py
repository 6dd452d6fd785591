"""Save screenshots of the patient chart (intake, plan editor with body chart, sessions, outcomes, pain
drawing) on the demo clinic at 1366x768 (offscreen), for review by eye.

Usage: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_chart.py OUTDIR
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_app import DemoApp  # noqa: E402
from sqlalchemy import select  # noqa: E402

from acudesk.persistence.models import Intake, TreatmentPlan  # noqa: E402
from acudesk.ui.qt import QTimer  # noqa: E402


def _patients(database) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(an EMERGENCY intake, an active plan with restrictions, a plain active plan)."""
    with database.read() as session:
        emergency = session.scalars(select(Intake.patient_id).where(Intake.triage_level == "EMERGENCY")).first()
        caution = session.scalars(select(TreatmentPlan.patient_id).join(Intake, Intake.id == TreatmentPlan.intake_id)
                                  .where(Intake.triage_level == "CAUTION", TreatmentPlan.status == "active")).first()
        plain = session.scalars(select(TreatmentPlan.patient_id).where(TreatmentPlan.status == "active")).first()
    return emergency or 1, caution or plain or 1, plain or 1


def main() -> int:
    demo = DemoApp()
    app, out = demo.app, demo.out
    steps: list = []

    def when_ready(window) -> None:  # type: ignore[no-untyped-def]
        from acudesk.ui.chart.window import PatientChartWindow

        emergency, caution, _plain = _patients(window.context.database)
        chart = PatientChartWindow(window.context, emergency)
        chart.resize(1366, 768)
        chart.show()
        steps.extend([
            lambda: chart.grab().save(str(out / "chart-intake-emergency.png")),
            lambda: (chart.close(), open_second(window, caution)),
        ])
        QTimer.singleShot(1500, next_step)

    def open_second(window, patient_id: int) -> None:  # type: ignore[no-untyped-def]
        from acudesk.ui.chart.window import PatientChartWindow

        chart = PatientChartWindow(window.context, patient_id)
        chart.resize(1366, 768)
        chart.show()
        tab = chart.sessions
        steps.extend([
            lambda: chart.grab().save(str(out / "chart-intake-caution.png")),
            lambda: chart.tabs.setCurrentWidget(chart.plan),
            lambda: chart.grab().save(str(out / "chart-plan.png")),
            lambda: chart.tabs.setCurrentWidget(tab),
            lambda: (tab.list.setCurrentRow(0)),
            lambda: chart.grab().save(str(out / "chart-session-signed.png")),
            lambda: tab.new_session(),
            lambda: tab.editor.needles_out.setValue(max(0, tab.editor.needles_in.value() - 1)),
            lambda: chart.grab().save(str(out / "chart-session-mismatch.png")),
            lambda: chart.tabs.setCurrentWidget(chart.outcomes),
            lambda: chart.grab().save(str(out / "chart-outcomes.png")),
            lambda: chart.tabs.setCurrentWidget(chart.pain),
            lambda: chart.pain.copy_previous(),  # the demo's drawings, the latest copied into the editor
            lambda: chart.grab().save(str(out / "chart-pain-drawing.png")),
            lambda: chart.pain.clear(),
            app.quit,
        ])

    def next_step() -> None:
        if steps:
            steps.pop(0)()
            QTimer.singleShot(700, next_step)

    demo.when_window(when_ready)
    return demo.run()


if __name__ == "__main__":
    raise SystemExit(main())
