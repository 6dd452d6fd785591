"""Asks for the reason to use a point or technique the safety engine blocks; refuses an empty reason."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from acudesk.domain.contraindications import Violation
from acudesk.ui.qt import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, Qt, QVBoxLayout, QWidget
from acudesk.ui.style import ERROR_TEXT


class OverrideDialog(QDialog):
    def __init__(self, item: str, violations: Sequence[Violation], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{item} is blocked for this patient")
        self.setMinimumWidth(460)
        reasons = "".join(f"<li><b>{escape(v.rule)}</b>: {escape(v.reason)}<br><small>{escape(v.source)}</small></li>"
                          for v in violations)
        text = QLabel(f"<p style='color:{ERROR_TEXT}'><b>{escape(item)} is blocked by the safety rules:</b></p>"
                      f"<ul>{reasons}</ul><p>To use it anyway, record your clinical reason. "
                      "It is stored with the plan and in the audit log.</p>")
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("overrideReason")
        self.reason.setTabChangesFocus(True)  # Tab goes on to the buttons, as in every form
        self.reason.setAccessibleName("Clinical reason for the override")  # its placeholder is not a name
        self.reason.setPlaceholderText("Clinical reason for the override (required)")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Use with this reason")
        self.ok.setEnabled(False)
        self.reason.textChanged.connect(lambda: self.ok.setEnabled(bool(self.reason.toPlainText().strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)

    @classmethod
    def get_reason(cls, item: str, violations: Sequence[Violation], parent: QWidget | None = None) -> str | None:
        """The reason entered, or None when the practitioner cancels (the item is then not added)."""
        dialog = cls(item, violations, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.reason.toPlainText().strip() or None
