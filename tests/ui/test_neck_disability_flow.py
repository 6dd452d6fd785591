"""A practitioner records the Neck Disability Index twice in the patient chart's Outcomes tab: each is
scored and banded, the second says how far it changed and whether that is meaningful (MIC-NDI), in the
words the rule is written in; a bad entry names the section and records nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.models import OutcomeMeasurement
from acudesk.services import patients
from acudesk.ui.chart.window import PatientChartWindow
from acudesk.ui.context import AppContext
from acudesk.ui.qt import Qt

TIMEOUT = 10_000


def _stored(context: AppContext) -> int:
    with context.database.read() as tx:
        return tx.scalar(select(func.count(OutcomeMeasurement.id)).where(OutcomeMeasurement.measure == "NDI")) or 0


def test_ndi_is_recorded_scored_and_compared_in_the_outcomes_tab(qtbot, context: AppContext) -> None:
    pid = patients.register_patient(context.database, context.actor,
                                    PatientDetails("Lindqvist", "Maja", date(1985, 2, 3))).id
    window = PatientChartWindow(context, pid)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.outcomes)
    tab = window.outcomes
    assert [tab.measure.itemText(i) for i in range(tab.measure.count())] == ["NRS", "ODI", "NDI", "RMDQ", "PSFS"]
    tab.measure.setCurrentText("NDI")
    assert "ten section scores 0-5" in tab.entry.placeholderText()

    qtbot.keyClicks(tab.entry, "2 2 2 2 2 2 1 1 2 -")  # one section skipped: 16 x 10/9
    qtbot.keyClick(tab.entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.list.count() == 1, timeout=TIMEOUT)
    assert "NDI 17.8/50 (moderate disability)" in tab.list.item(0).text()

    qtbot.keyClicks(tab.entry, "1 1 1 1 2 1 1 1 1 1")  # 11/50: 6.8 points better
    qtbot.keyClick(tab.entry, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.list.count() == 2, timeout=TIMEOUT)
    newest = tab.list.item(0).text()
    assert "NDI 11/50 (mild disability)" in newest
    assert ("vs first: meaningful improvement: 6.8 points (38 %) better; rule MIC-NDI: at least 5 points better "
            "than the baseline") in newest

    qtbot.keyClicks(tab.entry, "1 1 1 1 7 1 1 1 1 1")
    qtbot.keyClick(tab.entry, Qt.Key.Key_Return)
    assert tab.error.text() == "NDI section 5 must be from 0 to 5, not 7."
    assert _stored(context) == 2
