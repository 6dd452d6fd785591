"""The triage banner: the level in colour, what it asks for, every reason with its rule id; and the
treatment-stop banner of the Plan and Sessions tabs.

An intake with required questions unanswered is "Not screened — N questions unanswered": grey, never
CLEAR or green, and still red or amber with every reason when a flag is already found."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from acudesk.ui.qt import QLabel, QSizePolicy, Qt, QVBoxLayout, QWidget
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


NOT_SCREENED = "NOT_SCREENED"


def not_screened_text(unanswered: int) -> str:
    return f"Not screened — {unanswered} question{'s' if unanswered != 1 else ''} unanswered"


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
        note: str = "", unanswered: int = 0,
    ) -> None:
        """``reasons``: (rule id, text, level) for every rule that fired; ``unanswered``: how many required
        questions are not answered yet (the screening is not complete)."""
        not_screened = not_screened_text(unanswered) if unanswered else ""
        if not_screened and level == "CLEAR":  # nothing found so far is not "no red flags"
            level, action = NOT_SCREENED, ("Answer every question marked * (a question not asked is not a "
                                           "“no”). Nothing can be concluded yet.")
        self.level, self.colour = level, colour_of(level)
        self.label.setStyleSheet(f"QLabel {{ {STYLES[self.colour]} border-radius: 6px; padding: 8px; }}")
        title = not_screened if level == NOT_SCREENED else level.replace("_", " ")
        parts = [f"<div style='font-size: 15px; font-weight: 700'>{escape(title)}</div>",
                 f"<div style='margin-bottom: 4px'>{escape(action)}</div>"]
        if not_screened and level != NOT_SCREENED:
            parts.append(f"<div><b>{escape(not_screened)}</b>: more flags may be found.</div>")
        if reasons:
            items = "".join(f"<li><b>{escape(rule)}</b> ({escape(lvl.replace('_', ' ').lower())}): {escape(text)}</li>"
                            for rule, text, lvl in reasons)
            parts.append(f"<ul style='margin: 0 0 0 -20px'>{items}</ul>")
        for advice in safety_netting:
            parts.append(f"<div><b>Safety-netting:</b> {escape(advice)}</div>")
        if note:
            parts.append(f"<div><i>{escape(note)}</i></div>")
        self.label.setText("".join(parts))


class TreatmentStopBanner(QLabel):
    """"STOP — NO TREATMENT" and why, while the red-flag screening stops treatment; hidden otherwise.
    The tab showing it sets it from the treatment gate each time it reloads (from the change
    broadcast), so it appears and goes as soon as an intake is signed or a referral recorded."""

    def __init__(self, object_name: str, consequence: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.consequence = consequence  # what the tab cannot do meanwhile
        self.setWordWrap(True)
        self.setStyleSheet(f"QLabel {{ {STYLES['red']} border-radius: 4px; padding: 6px; font-weight: 600; }}")
        self.stopped = False
        # As tall as its words: with the session editor hidden it took half the tab (seen at 1366x768).
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.hide()

    def show_gate(self, allowed: bool, message: str) -> None:
        self.stopped = not allowed
        self.setText("" if allowed else " ".join(filter(None, ("STOP — NO TREATMENT.", message, self.consequence))))
        self.setVisible(not allowed)
