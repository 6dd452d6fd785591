"""The triage banner: the level in colour, what it asks for, every reason with its rule id."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from acudesk.ui.qt import QLabel, Qt, QVBoxLayout, QWidget
from acudesk.ui.style import (
    CAUTION_BACKGROUND,
    CAUTION_BORDER,
    CAUTION_TEXT,
    CLEAR_BACKGROUND,
    CLEAR_BORDER,
    CLEAR_TEXT,
    NEUTRAL_BACKGROUND,
    NEUTRAL_BORDER,
    NEUTRAL_TEXT,
    STOP_BACKGROUND,
    STOP_BORDER,
    STOP_TEXT,
)

RED = ("EMERGENCY", "URGENT_REFERRAL")
AMBER = ("REFER_BEFORE_TREATMENT", "CAUTION")
STYLES = {
    "red": f"background: {STOP_BACKGROUND}; border: 2px solid {STOP_BORDER}; color: {STOP_TEXT};",
    "amber": f"background: {CAUTION_BACKGROUND}; border: 2px solid {CAUTION_BORDER}; color: {CAUTION_TEXT};",
    "green": f"background: {CLEAR_BACKGROUND}; border: 2px solid {CLEAR_BORDER}; color: {CLEAR_TEXT};",
    "grey": f"background: {NEUTRAL_BACKGROUND}; border: 2px solid {NEUTRAL_BORDER}; color: {NEUTRAL_TEXT};",
}


def colour_of(level: str) -> str:
    if level in RED:
        return "red"
    if level in AMBER:
        return "amber"
    return "green" if level == "CLEAR" else "grey"


class TriageBanner(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("triageBanner")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self.colour = "grey"
        self.level = ""

    def show_message(self, text: str) -> None:
        self.level, self.colour = "", "grey"
        self.label.setStyleSheet(f"QLabel {{ {STYLES['grey']} border-radius: 6px; padding: 8px; }}")
        self.label.setText(escape(text))

    def show_result(
        self, level: str, action: str, reasons: Sequence[tuple[str, str, str]], safety_netting: Sequence[str] = (),
        note: str = "",
    ) -> None:
        """``reasons``: (rule id, text, level) for every rule that fired."""
        self.level, self.colour = level, colour_of(level)
        self.label.setStyleSheet(f"QLabel {{ {STYLES[self.colour]} border-radius: 6px; padding: 8px; }}")
        title = level.replace("_", " ")
        parts = [f"<div style='font-size: 15px; font-weight: 700'>{escape(title)}</div>",
                 f"<div style='margin-bottom: 4px'>{escape(action)}</div>"]
        if reasons:
            items = "".join(f"<li><b>{escape(rule)}</b> ({escape(lvl.replace('_', ' ').lower())}): {escape(text)}</li>"
                            for rule, text, lvl in reasons)
            parts.append(f"<ul style='margin: 0 0 0 -20px'>{items}</ul>")
        for advice in safety_netting:
            parts.append(f"<div><b>Safety-netting:</b> {escape(advice)}</div>")
        if note:
            parts.append(f"<div><i>{escape(note)}</i></div>")
        self.label.setText("".join(parts))
