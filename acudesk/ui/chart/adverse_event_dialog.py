"""Record an adverse event: kind, severity, what happened and the action taken."""

from __future__ import annotations

from acudesk.services.adverse_events import ADVERSE_KINDS, SEVERITIES
from acudesk.ui.forms import AsksBeforeDiscarding, typed_text
from acudesk.ui.qt import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QPlainTextEdit, QWidget


class AdverseEventDialog(AsksBeforeDiscarding, QDialog):
    discard_what = "The adverse event"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Record adverse event")
        self.setMinimumWidth(420)
        self.kind = QComboBox()
        for kind in ADVERSE_KINDS:
            self.kind.addItem(kind.replace("_", " "), kind)
        self.severity = QComboBox()
        for severity in SEVERITIES:
            self.severity.addItem(severity, severity)
        self.description = QPlainTextEdit()
        self.description.setFixedHeight(60)
        self.action = QPlainTextEdit()
        for text in (self.description, self.action):
            text.setTabChangesFocus(True)  # Tab goes on to the next field, as in every form
        self.action.setFixedHeight(60)
        self.resolved = QCheckBox("Resolved before the patient left")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Kind", self.kind)
        form.addRow("Severity", self.severity)
        form.addRow("What happened", self.description)
        form.addRow("Action taken", self.action)
        form.addRow(self.resolved)
        form.addRow(buttons)
        self.remember_typed()

    def typed_now(self) -> tuple[str, ...]:
        return typed_text(self.description, self.action)

    def save_typed(self) -> None:
        self.accept()

    def values(self) -> dict[str, object]:
        return {"kind": self.kind.currentData(), "severity": self.severity.currentData(),
                "description": self.description.toPlainText(), "action_taken": self.action.toPlainText(),
                "resolved": self.resolved.isChecked()}
