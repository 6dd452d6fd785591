"""Small helpers for forms: a field with an inline error line under it, and the half-hour time choices."""

from __future__ import annotations

from datetime import time

from acudesk.ui.qt import QLabel, QSizePolicy, QVBoxLayout, QWidget
from acudesk.ui.style import ERROR_TEXT

ERROR_STYLE = f"color: {ERROR_TEXT}; font-size: 11px;"
# The times a "from / until" choice offers (the waitlist, Find a free slot): every half hour, 07:00–20:30.
HALF_HOURS = tuple(time(hour, minute) for hour in range(7, 21) for minute in (0, 30))


class FieldWithError(QWidget):
    """Wraps an input widget and shows a red message under it when ``set_error`` is called."""

    def __init__(self, editor: QWidget) -> None:
        super().__init__()
        self.editor = editor
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
