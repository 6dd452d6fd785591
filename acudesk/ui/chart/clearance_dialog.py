"""Recording a clearance: what changed, who saw the patient and when, for the red flags a new intake drops.

Opened by the intake tab's clearance panel without a nested event loop (``open``); ``draft`` holds
what was entered once **Record clearance** was accepted. The fields are checked here with the
domain's rule (domain/flag_clearance.py) so mistakes show under their field; the service checks again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from acudesk.domain import dates
from acudesk.domain.errors import ValidationErrors
from acudesk.domain.flag_clearance import ClearanceDraft, Flag, check_clearance, load_clearance_policy
from acudesk.ui.forms import DATE_FIELD_FORMAT, AsksBeforeDiscarding, FieldWithError, typed_text
from acudesk.ui.qt import (
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    Qt,
    QVBoxLayout,
    QWidget,
)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ClearanceDialog(AsksBeforeDiscarding, QDialog):
    discard_what = "The clearance"

    def __init__(self, flags: Sequence[Flag], flagged_on: date, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clearanceDialog")
        self.setWindowTitle("Record clearance of red flags")
        self.flagged_on, self.today = flagged_on, today
        self.draft: ClearanceDraft | None = None
        listed = "".join(f"<li><b>{escape(f.rule)}</b> ({escape(f.level.replace('_', ' '))}): {escape(f.text)}</li>"
                         for f in flags)
        intro = QLabel(f"The signed intake of {dates.day(flagged_on)} raised these red flags, which this intake no "
                       f"longer shows:<ul>{listed}</ul>Record who assessed the patient, when, and what they found. "
                       "The clearance is kept with both intakes and cannot be changed afterwards.")
        intro.setTextFormat(Qt.TextFormat.RichText)
        intro.setWordWrap(True)
        self.what_changed = QPlainTextEdit()
        self.what_changed.setPlaceholderText("What the assessment found, and why the flag no longer applies")
        self.what_changed.setMinimumHeight(80)
        self.seen_by = QComboBox()
        self.seen_by.addItem("Choose…", "")
        for choice in load_clearance_policy().seen_by:
            self.seen_by.addItem(choice.label, choice.id)
        self.seen_by_name = QLineEdit()
        self.seen_by_name.setPlaceholderText("Name or service, e.g. Dr Amadi, Royal Infirmary")
        self.seen_on = QDateEdit(_qdate(today))
        self.seen_on.setCalendarPopup(True)
        self.seen_on.setDisplayFormat(DATE_FIELD_FORMAT)
        self.seen_on.setDateRange(_qdate(flagged_on), _qdate(today))
        self.fields = {name: FieldWithError(editor) for name, editor in (
            ("what_changed", self.what_changed), ("seen_by", self.seen_by), ("seen_by_name", self.seen_by_name),
            ("seen_on", self.seen_on))}
        form = QFormLayout()
        form.addRow("What changed", self.fields["what_changed"])
        form.addRow("Who saw the patient", self.fields["seen_by"])
        form.addRow("Name", self.fields["seen_by_name"])
        form.addRow("When", self.fields["seen_on"])
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Record clearance")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())
        self.remember_typed()

    def typed_now(self) -> tuple[str, ...]:
        return typed_text(self.what_changed, self.seen_by_name)

    def save_typed(self) -> None:
        self.accept()

    def entered(self) -> ClearanceDraft:
        picked = self.seen_on.date()
        return ClearanceDraft(self.what_changed.toPlainText(), str(self.seen_by.currentData() or ""),
                              self.seen_by_name.text(), date(picked.year(), picked.month(), picked.day()))

    def accept(self) -> None:
        try:
            self.draft = check_clearance(self.entered(), flagged_on=self.flagged_on, today=self.today)
        except ValidationErrors as error:
            by_field = {e.field: e.message for e in error.errors}
            for name, field in self.fields.items():
                field.set_error(by_field.get(name))
            self.adjustSize()  # room for the messages under their fields
            return
        super().accept()
