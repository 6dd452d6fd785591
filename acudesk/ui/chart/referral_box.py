"""What was done about a referral: referred where, when, outcome (for intakes that ask for one)."""

from __future__ import annotations

from acudesk.domain.treatment_gate import BLOCKING_LEVELS, REFERRAL_LEVELS
from acudesk.services import intakes
from acudesk.services.intakes import IntakeRecord
from acudesk.ui.context import AppContext
from acudesk.ui.qt import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QWidget,
    Signal,
)


class ReferralBox(QGroupBox):
    recorded = Signal(object)  # IntakeRecord

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Record referral", parent)
        self.setObjectName("referralBox")
        self.context = context
        self.intake: IntakeRecord | None = None
        self.letter_available = True
        self.done = QLabel()
        self.done.setWordWrap(True)
        self.advice = QLabel()  # where each rule sends the patient, and what to tell them (triage.toml)
        self.advice.setObjectName("referralAdvice")
        self.advice.setWordWrap(True)
        self.advice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where = QLineEdit()
        self.where.setPlaceholderText("e.g. Emergency department, Royal Infirmary")
        self.when = QLineEdit()
        self.when.setPlaceholderText("e.g. today 14:30, by ambulance")
        self.outcome = QPlainTextEdit()
        self.outcome.setTabChangesFocus(True)  # Tab goes on to the next field, as in every form
        self.outcome.setPlaceholderText("Outcome, or what the patient was told to do")
        self.outcome.setFixedHeight(54)
        self.record_button = QPushButton("Record referral")
        self.letter_button = QPushButton("Referral letter…")
        form = QFormLayout(self)
        form.addRow(self.advice)
        form.addRow(self.done)
        form.addRow("Referred to", self.where)
        form.addRow("When", self.when)
        form.addRow("Outcome", self.outcome)
        form.addRow(self.record_button)
        form.addRow(self.letter_button)
        self.record_button.clicked.connect(self.record)
        self.letter_button.clicked.connect(self.letter)
        self.hide()

    def show_intake(self, record: IntakeRecord | None) -> None:
        """Show ``record``'s referral; what is typed in the fields stays while the same intake is shown."""
        same = record is not None and self.intake is not None and record.id == self.intake.id
        self.intake = record
        wanted = record is not None and record.signed and record.level in REFERRAL_LEVELS
        self.setVisible(wanted)
        self.letter_button.setVisible(wanted and self.letter_available)
        if record is None:
            return
        at_level = [r for r in record.reasons if r.level == record.level and r.destination]
        self.advice.setText("\n".join(dict.fromkeys(
            f"Send to: {r.destination.rstrip('.')}.\nTell the patient: {r.patient_advice}" for r in at_level)))
        self.advice.setVisible(bool(at_level))
        review = record.level not in BLOCKING_LEVELS
        self.setTitle("Record medical review" if review else "Record referral — required before any treatment")
        self.done.setText(f"Recorded:\n{record.referral_action}" if record.referral_action
                          else "Nothing recorded yet.")
        if not same:
            self.clear()

    def clear(self) -> None:
        for editor in (self.where, self.when, self.outcome):
            editor.clear()

    def text(self) -> str:
        parts = [f"Referred to: {self.where.text().strip()}" if self.where.text().strip() else "",
                 f"When: {self.when.text().strip()}" if self.when.text().strip() else "",
                 f"Outcome: {self.outcome.toPlainText().strip()}" if self.outcome.toPlainText().strip() else ""]
        return "; ".join(p for p in parts if p)

    def record(self) -> None:
        if self.intake is None:
            return
        ctx, intake_id, text = self.context, self.intake.id, self.text()
        ctx.operations.write(self, lambda: intakes.record_referral(ctx.database, ctx.actor, intake_id, text),
                             self._recorded)

    def _recorded(self, record: IntakeRecord) -> None:
        self.clear()
        self.recorded.emit(record)

    def letter(self) -> None:
        """Open the print dialog on the referral letter for this intake's patient."""
        if self.intake is None:
            return
        from acudesk.ui.documents import DocumentsDialog

        dialog = DocumentsDialog(self.context, self.intake.patient_id, parent=self)
        index = dialog.kind.findData("referral")
        if index >= 0:
            dialog.kind.setCurrentIndex(index)
        dialog.open()
