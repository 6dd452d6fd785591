"""Ask for the reason a visit is cancelled (required); says when the cancellation will count as late."""

from __future__ import annotations

from datetime import UTC, datetime

from acudesk.domain import dates
from acudesk.services.appointments import LATE_CANCELLATION_NOTICE
from acudesk.services.calendar_data import CalendarEntry
from acudesk.ui.qt import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget
from acudesk.ui.style import LATE_TEXT, MUTED_TEXT

REASONS = ("Patient unwell", "Patient away", "Patient asked to rebook", "Practitioner unavailable", "Clinic closed")


class CancelDialog(QDialog):
    def __init__(self, entry: CalendarEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cancel visit")
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.setAccessibleName("Reason for cancelling")  # its placeholder is not a name
        self.reason.addItems(REASONS)
        self.reason.setCurrentText("")
        line = self.reason.lineEdit()
        assert line is not None  # an editable combo box has one
        line.setPlaceholderText("Reason (required)")
        late = entry.start_utc - datetime.now(UTC) < LATE_CANCELLATION_NOTICE
        hours = int(LATE_CANCELLATION_NOTICE.total_seconds() // 3600)
        note = QLabel(
            f"Less than {hours} hours' notice: this will be recorded as a late cancellation." if late
            else f"{hours} hours' notice or more: not a late cancellation."
        )
        note.setStyleSheet(f"color: {LATE_TEXT if late else MUTED_TEXT};")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Cancel visit")
        self.ok.setEnabled(False)
        self.reason.currentTextChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{entry.patient_name}</b>, {dates.day_and_time(entry.local_start)}"))
        layout.addWidget(self.reason)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def text(self) -> str:
        return self.reason.currentText().strip()
