"""Type-ahead patient choice for the booking dialog (search runs on the worker)."""

from __future__ import annotations

from acudesk.domain import dates
from acudesk.services import patients
from acudesk.services.patients import PatientRow
from acudesk.ui.context import AppContext
from acudesk.ui.qt import QLabel, QLineEdit, QListWidget, QListWidgetItem, Qt, QTimer, QVBoxLayout, QWidget, Signal

MATCHES = 20


def describe(row: PatientRow) -> str:
    return f"{row.family_name.upper()}, {row.given_name}  ·  born {dates.day(row.date_of_birth)}"


class PatientPicker(QWidget):
    """A search box and a short list of matches; ``chosen(id)`` fires when a patient is picked."""

    chosen = Signal(object)  # int | None

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.patient_id: int | None = None
        self.search = QLineEdit()
        self.search.setObjectName("coursePatientSearch")
        self.search.setAccessibleName("Patient")
        self.search.setPlaceholderText("Type a name, date of birth or phone number")
        self.search.setClearButtonEnabled(True)
        self.matches = QListWidget()
        self.matches.setObjectName("coursePatientMatches")
        self.matches.setAccessibleName("Matching patients")
        self.matches.setMaximumHeight(92)
        self.matches.hide()
        self.current = QLabel("No patient chosen yet")
        self.current.setObjectName("coursePatient")
        self.current.setStyleSheet("font-weight: 600;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.current)
        layout.addWidget(self.search)
        layout.addWidget(self.matches)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self._run)
        self.search.textEdited.connect(lambda _text: self._timer.start())
        self.matches.itemActivated.connect(self._pick)
        self.matches.itemClicked.connect(self._pick)
        self.search.returnPressed.connect(self._pick_first)

    def set_patient(self, patient_id: int, label: str) -> None:
        self.patient_id = patient_id
        self.current.setText(label)
        self.matches.hide()
        self.chosen.emit(patient_id)

    def _run(self) -> None:
        text = self.search.text().strip()
        if not text:
            self.matches.hide()
            return
        ctx = self.context

        def work() -> list[PatientRow]:
            return patients.search_patients(ctx.database, ctx.actor, text, limit=MATCHES, first_rows=MATCHES).rows

        ctx.operations.query(self, work, self._show, key="matches")

    def _show(self, rows: list[PatientRow]) -> None:
        self.matches.clear()
        for row in rows:
            item = QListWidgetItem(describe(row))
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.matches.addItem(item)
        if not rows:
            self.matches.addItem("No patient matches")
        self.matches.setVisible(True)
        self.matches.setCurrentRow(0)

    def _pick(self, item: QListWidgetItem) -> None:
        patient_id = item.data(Qt.ItemDataRole.UserRole)
        if patient_id is not None:
            self.set_patient(int(patient_id), item.text())
            self.search.clear()

    def _pick_first(self) -> None:
        item = self.matches.currentItem()
        if item is not None and self.matches.isVisible():
            self._pick(item)
