"""Small helpers for forms: a field with an inline error line under it, and the half-hour time choices."""

from __future__ import annotations

from datetime import time
from typing import Any

from acudesk.ui.qt import (
    QAbstractButton,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    Signal,
)
from acudesk.ui.style import ERROR_TEXT

ERROR_STYLE = f"color: {ERROR_TEXT}; font-size: 11px;"
# The times a "from / until" choice offers (the waitlist, Find a free slot): every half hour, 07:00–20:30.
HALF_HOURS = tuple(time(hour, minute) for hour in range(7, 21) for minute in (0, 30))


class FieldWithError(QWidget):
    """Wraps an input widget and shows a red message under it when ``set_error`` is called.

    The message goes as soon as the user changes the field (``corrected`` is emitted then): a form
    that still shows yesterday's complaint next to a corrected value reads as if it were still wrong.
    Saving validates again and marks what is still wrong."""

    corrected = Signal()

    def __init__(self, editor: QWidget) -> None:
        super().__init__()
        self.editor = editor
        for signal in _edit_signals(editor):
            signal.connect(self._edited)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(editor)
        layout.addWidget(self.error)

    def set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self.editor.setProperty("invalid", bool(message))
        self.editor.setStyleSheet(f"border: 1px solid {ERROR_TEXT};" if message else "")

    def has_error(self) -> bool:
        return bool(self.error.text())

    def _edited(self, *_args: object) -> None:
        if self.has_error():
            self.set_error(None)
            self.corrected.emit()


def _edit_signals(editor: QWidget) -> list[Any]:
    """The signals that say the user changed ``editor``'s value."""
    if isinstance(editor, QLineEdit):
        return [editor.textEdited]
    if isinstance(editor, QPlainTextEdit):
        return [editor.textChanged]
    if isinstance(editor, QAbstractButton):
        return [editor.toggled]
    if isinstance(editor, QComboBox):
        return [editor.currentIndexChanged, *([editor.editTextChanged] if editor.isEditable() else [])]
    if isinstance(editor, (QSpinBox, QDoubleSpinBox)):
        return [editor.valueChanged]
    if isinstance(editor, QDateEdit):
        return [editor.dateChanged]
    return []
