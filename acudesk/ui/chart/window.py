"""The patient chart window: a header with the treatment-stop status and four tabs.

Every part of the chart keeps itself current from the change broadcast (ui/operations.py): the
header when the patient's registry details change, the treatment-stop banner and each tab when
this patient's clinical records (or, for the outcomes, visits) change, whichever window or screen
made the change. A part that is hidden (a tab in the background, a chart behind the lock) reloads
when it is next shown; editors keep what the practitioner has typed but not saved.
"""

from __future__ import annotations

from html import escape

from acudesk.domain.treatment_gate import GateDecision
from acudesk.services import intakes, patients
from acudesk.services.patients import PatientRecord
from acudesk.ui.chart.intake_tab import IntakeTab
from acudesk.ui.chart.outcomes_tab import OutcomesTab
from acudesk.ui.chart.plan_tab import PlanTab
from acudesk.ui.chart.sessions_tab import SessionsTab
from acudesk.ui.context import AppContext
from acudesk.ui.operations import refresh_on_changes
from acudesk.ui.qt import QLabel, QMainWindow, Qt, QTabWidget, QVBoxLayout, QWidget


class PatientChartWindow(QMainWindow):
    def __init__(self, context: AppContext, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.patient_id = context, patient_id
        self.gate_decision: GateDecision | None = None
        self.setWindowTitle("Patient chart")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.header = QLabel("Loading…")
        self.header.setObjectName("chartHeader")
        self.header.setStyleSheet("font-size: 15px; font-weight: 600; padding: 4px 2px;")
        self.gate = QLabel()
        self.gate.setObjectName("gateStatus")
        self.gate.setWordWrap(True)
        self.tabs = QTabWidget()
        self.intake = IntakeTab(context, patient_id)
        self.plan = PlanTab(context, patient_id)
        self.sessions = SessionsTab(context, patient_id)
        self.outcomes = OutcomesTab(context, patient_id)
        for widget, title in ((self.intake, "Intake"), (self.plan, "Plan"), (self.sessions, "Sessions"),
                              (self.outcomes, "Outcomes")):
            self.tabs.addTab(widget, title)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.header)
        layout.addWidget(self.gate)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(body)
        self.sessions.rescreen_changed.connect(lambda: self.tabs.setCurrentWidget(self.intake))
        # Each tab keeps itself current from the broadcast; the window keeps the header and the banner.
        refresh_on_changes(self, context.operations, lambda c: c.concerns_patient(patient_id) and c.patients,
                           self.load_header)
        refresh_on_changes(self, context.operations, lambda c: c.concerns_patient(patient_id) and c.clinical,
                           self.load_gate)
        self.resize(1366, 768)
        self.load()

    def load(self) -> None:
        self.load_header()
        self.intake.load()
        self.plan.load()
        self.sessions.load()
        self.outcomes.load()
        self.load_gate()

    def load_header(self) -> None:
        ctx = self.context
        ctx.operations.query(self, lambda: patients.get_patient(ctx.database, ctx.actor, self.patient_id),
                             self._patient, key="patient")

    def _patient(self, record: PatientRecord) -> None:
        d = record.details
        born = f"{d.date_of_birth:%d %b %Y}" if d.date_of_birth else "date of birth unknown"
        self.header.setText(f"{d.given_name} {d.family_name} · born {born} · patient no. {record.id}")
        self.setWindowTitle(f"Chart — {d.given_name} {d.family_name}")

    def load_gate(self) -> None:
        ctx = self.context
        ctx.operations.query(self, lambda: intakes.treatment_gate_for(ctx.database, ctx.actor, self.patient_id),
                             self._gate, key="gate")

    def _gate(self, decision: GateDecision) -> None:
        self.gate_decision = decision
        if decision.allowed:
            self.gate.setText(f"Treatment may go ahead. {escape(decision.message)}")
            self.gate.setStyleSheet("background: #e8f5e9; color: #173d19; padding: 6px; border-radius: 4px;")
        else:
            self.gate.setText(f"STOP — NO TREATMENT. {escape(decision.message)}")
            self.gate.setStyleSheet("background: #fdecea; color: #5f1410; padding: 6px; border-radius: 4px;"
                                    "border: 2px solid #b3261e; font-weight: 600;")
