"""A signed intake with a suspected arterial dissection, opened in the patient chart: the banner's action
and the referral box send the patient to the stroke pathway (999 / 112), never to the spinal team, and
the referral box says what to tell the patient (issue 13)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from acudesk.domain.patients import PatientDetails
from acudesk.services import intakes, patients
from acudesk.ui.chart.window import PatientChartWindow
from acudesk.ui.context import AppContext

TIMEOUT = 10_000
CLEAR = json.loads((Path(__file__).resolve().parents[1] / "data" / "intakes" / "clear.json")
                   .read_text(encoding="utf-8"))["answers"]


def test_a_dissection_intake_shows_the_stroke_pathway_in_the_banner_and_the_referral_box(qtbot,
                                                                                           context: AppContext) -> None:
    db, actor = context.database, context.actor
    pid = patients.register_patient(db, actor, PatientDetails("Novak", "Petra", date(1976, 8, 19))).id
    intakes.save_intake(db, actor, pid, {**CLEAR, "pain_neck": True, "double_vision": True}, sign=True)
    window = PatientChartWindow(context, pid)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.intake)
    tab = window.intake
    qtbot.waitUntil(lambda: tab.referral.isVisible(), timeout=TIMEOUT)
    banner = tab.banner.label.text()
    assert "Where to send the patient: Stroke emergency: call 999 (112 in the EU) now" in banner
    assert "(RF-CAD-02)" in banner and "on-call spinal" not in banner
    advice = tab.referral.advice.text()
    assert advice.startswith("Send to: Stroke emergency: call 999 (112 in the EU) now")
    assert "Tell the patient: Call 999 (112 in the EU) now" in advice and "double vision" in advice
    assert tab.referral.advice.isVisible()
