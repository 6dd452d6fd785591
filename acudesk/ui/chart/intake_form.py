"""The intake questionnaire as a form, generated from the questions in ``triage.toml``.

Sections become group boxes; yes/no questions three radio buttons, **Yes / No / Not asked**, starting
at "Not asked" (a check box could not say "not asked", so an unasked question read as "no"); numbers
spin boxes ("—" = not answered), single choices combo boxes starting at "—", multiple choices rows of
check boxes. The help text is each field's tooltip. ``values()`` returns the answers as the intake
JSON format has them: an unanswered question is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from acudesk.domain import dates
from acudesk.domain.intake import Question, load_questionnaire
from acudesk.domain.patient_search import parse_date_text
from acudesk.ui.qt import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

UNANSWERED = "—"


def _label(question: Question) -> str:
    return question.text + (" *" if question.required else "")


CHOICE_COLUMNS = 3  # a multiple-choice answer's boxes per row


class _Choices(QWidget):
    changed = Signal()

    def __init__(self, question: Question) -> None:
        super().__init__()
        layout = QGridLayout(self)  # in rows of CHOICE_COLUMNS: a long list never widens the form
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes = {}
        for number, choice in enumerate(question.choices):
            box = QCheckBox(choice.replace("_", " "))
            box.toggled.connect(self.changed)
            layout.addWidget(box, number // CHOICE_COLUMNS, number % CHOICE_COLUMNS)
            self.boxes[choice] = box

    def value(self) -> list[str] | None:
        chosen = [c for c, box in self.boxes.items() if box.isChecked()]
        return chosen or None

    def set_value(self, value: Any) -> None:
        for choice, box in self.boxes.items():
            box.setChecked(bool(value) and choice in value)


class YesNo(QWidget):
    """A yes/no question answered explicitly: Yes, No, or Not asked (the start). One Tab stop per
    question, the chosen answer (the usual radio-group keyboard model); the arrow keys move between
    the three. Each button's accessible name includes the question."""

    changed = Signal()
    ANSWERS = (("Yes", True), ("No", False), ("Not asked", None))

    def __init__(self, question: Question) -> None:
        super().__init__()
        self.setAccessibleName(question.text)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.buttons: dict[bool | None, QRadioButton] = {}
        for text, value in self.ANSWERS:
            button = QRadioButton(text)
            button.setAccessibleName(f"{question.text} {text}")
            self.group.addButton(button)
            layout.addWidget(button)
            self.buttons[value] = button
        layout.addStretch(1)
        self.buttons[None].setChecked(True)
        self._tab_to_chosen()
        self.group.buttonToggled.connect(self._toggled)

    def _toggled(self, _button: QRadioButton, checked: bool) -> None:
        if checked:
            self._tab_to_chosen()
            self.changed.emit()

    def _tab_to_chosen(self) -> None:
        for button in self.buttons.values():
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus if button.isChecked() else Qt.FocusPolicy.ClickFocus)

    def value(self) -> bool | None:
        return next(value for value, button in self.buttons.items() if button.isChecked())

    def set_value(self, value: Any) -> None:
        self.buttons[value if isinstance(value, bool) else None].setChecked(True)


class IntakeForm(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("intakeForm")
        self.editors: dict[str, QWidget] = {}
        self.questions = load_questionnaire().questions
        layout = QVBoxLayout(self)
        # A grid, not a QFormLayout: a form layout gave a wrapped question too little height, so long
        # questions overlapped the next row. The question takes the wider column and wraps in it.
        sections: dict[str, QGridLayout] = {}
        for question in self.questions:
            form = sections.get(question.section)
            if form is None:
                box = QGroupBox(question.section)
                form = QGridLayout(box)
                form.setColumnStretch(0, 3)
                form.setColumnStretch(1, 2)
                form.setVerticalSpacing(6)
                sections[question.section] = form
                layout.addWidget(box)
            editor = self._editor(question)
            editor.setToolTip(question.help or question.text)
            editor.setObjectName(f"q_{question.id}")
            self.editors[question.id] = editor
            label = QLabel(_label(question))
            label.setWordWrap(True)
            label.setToolTip(question.help or question.text)
            label.setBuddy(editor)
            row = form.rowCount()
            form.addWidget(label, row, 0, Qt.AlignmentFlag.AlignVCenter)
            form.addWidget(editor, row, 1, Qt.AlignmentFlag.AlignVCenter)
        layout.addStretch(1)

    def _editor(self, question: Question) -> QWidget:
        if question.type == "bool":
            answer = YesNo(question)
            answer.changed.connect(self.changed)
            return answer
        if question.type in ("int", "number"):
            spin: QSpinBox | QDoubleSpinBox = QSpinBox() if question.type == "int" else QDoubleSpinBox()
            low = question.minimum if question.minimum is not None else 0
            high = question.maximum if question.maximum is not None else 999
            spin.setRange(low - 1, high)  # type: ignore[arg-type]
            spin.setSpecialValueText(UNANSWERED)
            spin.setValue(low - 1)  # type: ignore[arg-type]
            spin.setMaximumWidth(110)
            spin.valueChanged.connect(self.changed)
            return spin
        if question.type == "choice":
            combo = QComboBox()
            combo.addItem(UNANSWERED, None)
            for choice in question.choices:
                combo.addItem(choice.replace("_", " "), choice)
            combo.currentIndexChanged.connect(self.changed)
            return combo
        if question.type == "choices":
            choices = _Choices(question)
            choices.changed.connect(self.changed)
            return choices
        line = QLineEdit()  # a date, typed dd/mm/yyyy like every date; the record keeps it as ISO (values())
        line.setPlaceholderText(dates.TYPED_DATE_HINT)
        line.setMaximumWidth(140)
        line.textChanged.connect(self.changed)
        return line

    def values(self) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for question in self.questions:
            editor = self.editors[question.id]
            value: Any
            if isinstance(editor, YesNo):
                value = editor.value()
            elif isinstance(editor, QSpinBox | QDoubleSpinBox):
                value = None if editor.value() == editor.minimum() else editor.value()
            elif isinstance(editor, QComboBox):
                value = editor.currentData()
            elif isinstance(editor, _Choices):
                value = editor.value()
            else:
                assert isinstance(editor, QLineEdit)
                value = _iso_date(editor.text())
            if value is not None:
                answers[question.id] = value
        return answers

    def set_values(self, answers: Mapping[str, Any]) -> None:
        self.blockSignals(True)
        for question in self.questions:
            editor = self.editors[question.id]
            value: Any = answers.get(question.id)  # a saved answer: whatever JSON value the question allows
            if isinstance(editor, YesNo):
                editor.set_value(value)
            elif isinstance(editor, QSpinBox | QDoubleSpinBox):
                if value is None:
                    value = editor.minimum()
                editor.setValue(value)
            elif isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(0, editor.findData(value)))
            elif isinstance(editor, _Choices):
                editor.set_value(value)
            else:
                assert isinstance(editor, QLineEdit)
                editor.setText(_typed_date(value))
        self.blockSignals(False)
        self.changed.emit()

    def set_read_only(self, read_only: bool) -> None:
        for editor in self.editors.values():
            editor.setEnabled(not read_only)


def _iso_date(text: str) -> str | None:
    """A typed date ("14/05/1979") as the record keeps it ("1979-05-14"); what does not read as a real
    date is kept as typed, for the intake's check to refuse by name."""
    text = text.strip()
    typed = parse_date_text(text)
    return typed.isoformat() if typed is not None else (text or None)


def _typed_date(value: object) -> str:
    """A stored date ("1979-05-14") as it is typed ("14/05/1979"); anything else as it is."""
    if isinstance(value, str):
        try:
            return dates.typed(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value or "")
