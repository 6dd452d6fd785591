"""Outcomes tab: NRS trend chart, ODI / NDI / RMDQ / PSFS entry with scores and bands, the tapering proposal.

The tab reloads from the change broadcast whenever this patient's clinical records or visits change:
a session signed, an outcome recorded, the course re-planned (here, in another chart, or a calendar).
"""

from __future__ import annotations

from datetime import tzinfo
from html import escape
from typing import Any

from acudesk.domain import dates
from acudesk.domain.errors import AcuDeskError
from acudesk.services import outcomes, pain_drawings
from acudesk.services.outcomes import Measurement, OutcomeSummary
from acudesk.services.pain_drawings import DrawingHistory
from acudesk.ui.chart.replan import ReplanButton
from acudesk.ui.chart.trend_chart import TrendChart
from acudesk.ui.context import AppContext
from acudesk.ui.operations import refresh_on_changes
from acudesk.ui.qt import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from acudesk.ui.style import ERROR_TEXT

HINTS = {
    "NRS": "Pain now, 0-10",
    "ODI": "Ten section scores 0-5 from the clinic's licensed form; '-' for a skipped section: 2 1 3 - 2 2 1 0 2 1",
    "NDI": "Neck Disability Index: ten section scores 0-5 in the form's order; '-' for a skipped section: "
           "1 2 0 1 2 1 - 1 2 1",
    "RMDQ": "The numbers of the items answered 'yes' (1-24), e.g. 2 5 7 11",
    "PSFS": "3 to 5 activity ratings 0-10, e.g. 4 6 3",
}


def parse_entry(measure: str, text: str) -> Any:
    """The answers as the scorer wants them, from what was typed."""
    words = text.replace(",", " ").split()
    if measure == "NRS":
        return int(words[0]) if len(words) == 1 and words[0].isdigit() else text
    if measure in ("ODI", "NDI"):
        return [None if w in ("-", "—") else int(w) if w.isdigit() else w for w in words]
    if measure == "RMDQ":
        chosen = {int(w) for w in words if w.isdigit()}
        return [n in chosen for n in range(1, 25)]
    return [int(w) if w.isdigit() else w for w in words]


def _row(m: Measurement, zone: tzinfo) -> str:
    band = f" ({m.band})" if m.band else ""
    unit = {"ODI": " %", "NDI": "/50"}.get(m.measure, "")
    change = "" if m.change in ("", "first") else f" — vs first: {m.change}"
    return f"{dates.day(dates.in_zone(m.recorded_at, zone))} · {m.measure} {m.score:g}{unit}{band}{change}"


class OutcomesTab(QWidget):
    def __init__(self, context: AppContext, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.patient_id = context, patient_id
        self.chart = TrendChart()
        self.threshold = QLabel()
        self.threshold.setWordWrap(True)
        self.proposal = QLabel()
        self.proposal.setObjectName("taperProposal")
        self.proposal.setWordWrap(True)
        self.measure = QComboBox()
        for measure in outcomes.MEASURES:
            self.measure.addItem(measure)
        self.entry = QLineEdit()
        self.entry.setObjectName("outcomeEntry")
        self.record_button = QPushButton("Record")
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {ERROR_TEXT};")
        self.error.setWordWrap(True)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        trend_box = QGroupBox("Pain (NRS) per session")
        trend_layout = QVBoxLayout(trend_box)
        trend_layout.addWidget(self.chart, 1)
        trend_layout.addWidget(self.threshold)
        self.pain_drawing = QLabel()  # the pain drawing's area and spread, latest against the previous
        self.pain_drawing.setObjectName("painDrawingOutcome")
        self.pain_drawing.setWordWrap(True)
        trend_layout.addWidget(self.pain_drawing)
        proposal_box = QGroupBox("Course proposal")
        proposal_layout = QVBoxLayout(proposal_box)
        proposal_layout.addWidget(self.proposal)
        self.replan = ReplanButton(context)
        proposal_layout.addWidget(self.replan)
        entry_box = QGroupBox("Record an outcome measure")
        form = QFormLayout(entry_box)
        row = QHBoxLayout()
        row.addWidget(self.measure)
        row.addWidget(self.entry, 1)
        row.addWidget(self.record_button)
        form.addRow(row)
        form.addRow(self.error)
        form.addRow(self.list)
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(trend_box, 2)
        left.addWidget(proposal_box)
        layout.addLayout(left, 3)
        layout.addWidget(entry_box, 2)
        self.measure.currentTextChanged.connect(self._hint)
        self.record_button.clicked.connect(self.record)
        self.entry.returnPressed.connect(self.record)
        self._hint(self.measure.currentText())
        refresh_on_changes(self, context.operations,
                           lambda c: c.concerns_patient(patient_id) and (c.clinical or c.schedule), self.reload)

    def _hint(self, measure: str) -> None:
        self.entry.setPlaceholderText(HINTS.get(measure, ""))
        self.entry.setToolTip(HINTS.get(measure, ""))

    def reload(self) -> None:
        ctx = self.context
        ctx.operations.query(self, lambda: outcomes.outcome_summary(ctx.database, ctx.actor, self.patient_id),
                             self._loaded, key="outcomes")
        ctx.operations.query(self, lambda: pain_drawings.history(ctx.database, ctx.actor, self.patient_id),
                             self._pain_loaded, key="pain drawing")

    def _pain_loaded(self, history: DrawingHistory) -> None:
        found = history.comparison
        if found is None:
            self.pain_drawing.setText("Pain drawing: none yet (Pain drawing tab).")
            return
        notes = "".join(f"<br>⚠ {escape(note.text)}" for note in found.notes)
        self.pain_drawing.setText(f"<b>Pain drawing</b>: {escape(found.line())}{notes}")

    def _loaded(self, summary: OutcomeSummary) -> None:
        self.chart.set_summary(summary)
        if summary.baseline is not None:
            self.threshold.setText(f"Baseline {summary.baseline}/10. Meaningful improvement: "
                                   f"{escape(summary.threshold_text)} (green dashed line). Dashed grey lines: "
                                   "course phase changes.")
        else:
            self.threshold.setText("No baseline yet.")
        self.proposal.setText(summary.proposal)
        proposing = summary.proposal.startswith(("Taper", "Relapse"))
        self.replan.set_plan(summary.plan_id, proposing)
        self.list.clear()
        for measurement in summary.measurements:
            self.list.addItem(_row(measurement, self.context.zone))

    def record(self) -> None:
        measure, text = self.measure.currentText(), self.entry.text()
        try:
            answers = parse_entry(measure, text)
            outcomes.score(measure, answers)  # check before sending: messages show inline
        except AcuDeskError as error:
            self.error.setText(error.message)
            return
        self.error.setText("")
        ctx = self.context
        ctx.operations.write(
            self, lambda: outcomes.record_outcome(ctx.database, ctx.actor, self.patient_id, measure, answers),
            lambda _m: self.entry.clear())
