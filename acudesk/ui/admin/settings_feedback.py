"""What the clinic settings tabs share: the line that says how a save went, refusals put under their
fields, the question before a change that affects booked visits, and two small layout helpers."""

from __future__ import annotations

from acudesk.domain.errors import AcuDeskError, ValidationError, ValidationErrors
from acudesk.ui.errors import show_error
from acudesk.ui.forms import ERROR_STYLE, FieldWithError
from acudesk.ui.qt import QHBoxLayout, QLabel, QMessageBox, QWidget
from acudesk.ui.style import MUTED_TEXT, SUCCESS_TEXT


class Feedback(QLabel):
    """A tab's outcome under its form: "Saved." or a refusal not tied to one field."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)

    def said(self, text: str, *, error: bool = False) -> None:
        self.setStyleSheet(ERROR_STYLE if error else f"color: {SUCCESS_TEXT};")
        self.setText(text)


def show_refusal(error: BaseException, fields: dict[str, FieldWithError], feedback: Feedback,
                 parent: QWidget) -> None:
    """Put each refusal under its field, the rest in ``feedback``; anything unexpected in the error box."""
    if not isinstance(error, AcuDeskError):
        show_error(error, parent)
        return
    problems: list[AcuDeskError] = list(error.errors) if isinstance(error, ValidationErrors) else [error]
    loose = []
    for problem in problems:
        field = fields.get(problem.field or "")
        if field is not None and isinstance(problem, ValidationError):
            field.set_error(problem.message)
        else:
            loose.append(problem.message)
    feedback.said(" ".join(loose) if loose else "Not saved: see the marked fields.", error=True)


MOVE_THEM = "Nothing moves or cancels these visits: the front desk moves them (Calendar) and tells the patients."


def confirm_affected(parent: QWidget, error: AcuDeskError, what: str, *, advice: str = MOVE_THEM,
                     title: str = "Booked visits affected") -> bool:
    """Ask whether to save although records already made are affected (the message names them)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, f"{error.message}\n\n{what} anyway? {advice}", parent=parent)
    save = box.addButton(f"{what} anyway", QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton("Don't save", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.exec()
    return box.clickedButton() is save


def button_row(*widgets: QWidget) -> QWidget:
    """Buttons side by side, to the left."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget)
    row.addStretch(1)
    return holder


def muted_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(f"color: {MUTED_TEXT};")
    label.setWordWrap(True)
    return label
