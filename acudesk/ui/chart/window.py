"""The patient chart window: a header with the treatment-stop status and five tabs.

Every part of the chart keeps itself current from the change broadcast (ui/operations.py): the
header when the patient's registry details change, the treatment-stop banner and each tab when
this patient's clinical records (or, for the outcomes, visits) change, whichever window or screen
made the change. A part that is hidden (a tab in the background, a chart behind the lock) reloads
when it is next shown; editors keep what the practitioner has typed but not saved.

Session notes are kept as a draft while they are typed (a pause in typing saves them). Closing the
chart (Ctrl+W, Esc or the window's close button) with typed, unsaved intake answers or notes asks:
save them as a draft (never signed), discard them, or keep editing. Quitting AcuDesk, or handing
the screen over to a colleague, saves them as drafts without asking. If that save fails the chart
stays open with everything typed. An amendment being written is not a draft, nor is an unsaved pain
drawing or an edited treatment plan (saving an active plan's edits changes the treatment): the chart
asks before giving it up.
"""

from __future__ import annotations

import logging
from html import escape

from acudesk.domain import dates
from acudesk.domain.errors import AcuDeskError
from acudesk.domain.patients import full_name, without_isolates
from acudesk.domain.treatment_gate import GateDecision
from acudesk.services import intakes, patients
from acudesk.services.patients import PatientRecord
from acudesk.ui.chart.intake_tab import IntakeTab
from acudesk.ui.chart.outcomes_tab import OutcomesTab
from acudesk.ui.chart.pain_drawing_tab import PainDrawingTab
from acudesk.ui.chart.plan_tab import PlanTab
from acudesk.ui.chart.sessions_tab import SessionsTab
from acudesk.ui.context import AppContext
from acudesk.ui.errors import redacted_traceback
from acudesk.ui.forms import DISCARD, SAVE, ask_about_unsaved
from acudesk.ui.operations import refresh_on_changes
from acudesk.ui.qt import (
    QAction,
    QKeySequence,
    QLabel,
    QMainWindow,
    QMessageBox,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from acudesk.ui.scrolling_tabs import ScrollingTabs
from acudesk.ui.style import CLEAR_BACKGROUND, CLEAR_TEXT, STOP_BACKGROUND, STOP_BORDER, STOP_TEXT

log = logging.getLogger(__name__)


class PatientChartWindow(QMainWindow):
    closeAbandoned = Signal()  # a close (or the app's quit) stopped: a draft could not be saved, or Cancel

    def __init__(self, context: AppContext, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.patient_id = context, patient_id
        self._drafts_saved = False  # set once the drafts are in: the next close goes through
        self._closing_by_hand = False  # Ctrl+W or Esc (the close button is a spontaneous close)
        self._refusal: QMessageBox | None = None  # asking what to do with notes that could not be saved
        self.gate_decision: GateDecision | None = None
        self.setWindowTitle("Patient chart")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.header = QLabel("Loading…")
        self.header.setObjectName("chartHeader")
        self.header.setStyleSheet("font-size: 15px; font-weight: 600; padding: 4px 2px;")
        self.gate = QLabel()
        self.gate.setObjectName("gateStatus")
        self.gate.setWordWrap(True)
        self.tabs = ScrollingTabs()  # a page taller than a small screen scrolls; the window fits
        self.intake = IntakeTab(context, patient_id)
        self.plan = PlanTab(context, patient_id)
        self.sessions = SessionsTab(context, patient_id)
        self.outcomes = OutcomesTab(context, patient_id)
        self.pain = PainDrawingTab(context, patient_id)
        for widget, title in ((self.intake, "Intake"), (self.pain, "Pain drawing"), (self.plan, "Plan"),
                              (self.sessions, "Sessions"), (self.outcomes, "Outcomes")):
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
                           self.reload_header)
        refresh_on_changes(self, context.operations, lambda c: c.concerns_patient(patient_id) and c.clinical,
                           self.reload_gate)
        close = QAction("Close chart", self)
        close.setObjectName("closeChart")
        close.setShortcuts([QKeySequence("Ctrl+W"), QKeySequence(Qt.Key.Key_Escape)])
        close.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        close.triggered.connect(self.close_by_hand)
        self.addAction(close)
        self.resize(1280, 720)  # ui/screen_fit.show_fitted maximizes it where the screen is smaller
        self.reload()

    # -- closing -------------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        if not self.isEnabled():  # drafts are being saved: the window closes itself once they are in
            event.ignore()
            return
        if self._drafts_saved:
            super().closeEvent(event)
            return
        unsaved = [what for what, pending in (("amendment", self.sessions.mode == "amend" and self.sessions.editing()),
                                              ("pain drawing", self.pain.unsaved()),
                                              ("treatment plan", self.plan.loaded and self.plan.editing())) if pending]
        # None is a draft: an amendment is signed whole, a saved drawing never edited, and a plan's edits
        # saved would change the treatment (an active plan's take effect on saving)
        for what in unsaved:
            if not self._give_up(what):
                event.ignore()
                self.closeAbandoned.emit()
                return
        drafts = [work for work in (self.intake.unsaved_draft(), self.sessions.unsaved_draft()) if work is not None]
        if not drafts:
            super().closeEvent(event)
            return
        event.ignore()
        if event.spontaneous() or self._closing_by_hand:  # the practitioner closes it: ask what to keep
            self._closing_by_hand = False
            ask_about_unsaved(self, "This chart", lambda answer: self._closing(answer, drafts),
                              save_label="Save as draft")
            return
        self._save_drafts_then_close(drafts)  # AcuDesk quits or hands over: typed notes are kept unasked

    def _give_up(self, what: str) -> bool:
        """Whether the practitioner gives up the unsaved ``what`` ("amendment", "pain drawing", "treatment
        plan") to close."""
        doing = {"amendment": "writing", "pain drawing": "marking"}.get(what, "editing")
        answer = QMessageBox.question(
            self, f"{what.capitalize()} not saved",
            f"The {what} you are {doing} has not been saved. Close the chart and give it up?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def close_by_hand(self) -> None:
        """Ctrl+W or Esc: a close the practitioner asked for, like the window's close button."""
        self._closing_by_hand = True
        self.close()
        self._closing_by_hand = False

    def _closing(self, answer: str, drafts: list) -> None:
        if answer == SAVE:
            self._save_drafts_then_close(drafts)
        elif answer == DISCARD:
            self._drafts_saved = True  # nothing left to save: the next close goes through
            self.close()
        else:
            self.closeAbandoned.emit()

    def _save_drafts_then_close(self, drafts: list) -> None:
        self.setEnabled(False)
        self.statusBar().showMessage("Saving your unsaved notes as drafts…")
        remaining = len(drafts)

        def saved(_record: object) -> None:
            nonlocal remaining
            remaining -= 1
            if remaining == 0:
                self._drafts_saved = True
                self.setEnabled(True)
                self.close()

        def failed(error: BaseException) -> None:
            self.setEnabled(True)
            self.statusBar().clearMessage()
            if self._refusal is None:  # one question, however many of the drafts were refused
                self._ask_after_refused_draft(error)

        for work in drafts:
            self.context.operations.write(self, work, saved, on_failure=failed)

    def _ask_after_refused_draft(self, error: BaseException) -> None:
        """The notes could not be kept (e.g. treatment is stopped, the disk is full): the practitioner
        chooses. Shown without a nested event loop, so nothing closes the chart underneath it."""
        if isinstance(error, AcuDeskError):
            why = error.message
        else:
            log.error("Saving a draft on close failed: %s", redacted_traceback(type(error), error.__traceback__))
            why = "Something unexpected stopped the save; details are in the log."
        box = self._refusal = QMessageBox(QMessageBox.Icon.Warning, "Your notes could not be saved",
                                          f"{why}\n\nKeep the chart open with your notes, or close it and "
                                          "give them up?", QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("draftRefused")
        keep = box.addButton("Keep the chart open", QMessageBox.ButtonRole.RejectRole)
        give_up = box.addButton("Close and give them up", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)

        def answered(_result: int) -> None:
            self._refusal = None
            if box.clickedButton() is give_up:
                self._drafts_saved = True  # nothing left to save: the next close goes through
                self.close()
            else:
                self.closeAbandoned.emit()

        box.finished.connect(answered)
        box.open()

    def reload(self) -> None:
        self.reload_header()
        self.intake.reload()
        self.plan.reload()
        self.sessions.reload()
        self.outcomes.reload()
        self.pain.reload()
        self.reload_gate()

    def reload_header(self) -> None:
        ctx = self.context
        ctx.operations.query(self, lambda: patients.get_patient(ctx.database, ctx.actor, self.patient_id),
                             self._patient, key="patient")

    def _patient(self, record: PatientRecord) -> None:
        d = record.details
        born = f"{dates.day(d.date_of_birth)}" if d.date_of_birth else "date of birth unknown"
        self.header.setText(f"{full_name(d.given_name, d.family_name)} · born {born} · patient no. {record.id}")
        self.setWindowTitle(f"Chart — {without_isolates(full_name(d.given_name, d.family_name))}")
        self.intake.set_date_of_birth(d.date_of_birth)  # a new intake is pre-filled from the registry

    def reload_gate(self) -> None:
        ctx = self.context
        ctx.operations.query(self, lambda: intakes.treatment_gate_for(ctx.database, ctx.actor, self.patient_id),
                             self._gate, key="gate")

    def _gate(self, decision: GateDecision) -> None:
        self.gate_decision = decision
        if decision.allowed:
            self.gate.setText(f"Treatment may go ahead. {escape(decision.message)}")
            self.gate.setStyleSheet(f"background: {CLEAR_BACKGROUND}; color: {CLEAR_TEXT}; padding: 6px;"
                                    "border-radius: 4px;")
        else:
            self.gate.setText(f"STOP — NO TREATMENT. {escape(decision.message)}")
            self.gate.setStyleSheet(f"background: {STOP_BACKGROUND}; color: {STOP_TEXT}; padding: 6px;"
                                    "border-radius: 4px;"
                                    f"border: 2px solid {STOP_BORDER}; font-weight: 600;")
