"""The session record form: points needled, needles in / out, retention, pain before / after, SOAP note.

Needle counts are compared as they are typed: a mismatch shows in red and ``needlesChanged`` tells
the sessions tab, which disables Sign until the counts agree.
"""

from __future__ import annotations

from dataclasses import replace

from acudesk.domain.acupoint_files import load_catalogue
from acudesk.services.sessions import NeedledPoint, SessionDraft
from acudesk.ui.chart.point_picker import SIDES
from acudesk.ui.forms import show_read_only
from acudesk.ui.qt import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from acudesk.ui.style import CHECK_PASSED_TEXT, ERROR_TEXT, MUTED_TEXT

UNSET = "—"


def _spin(high: int, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(-1, high)
    spin.setSpecialValueText(UNSET)
    spin.setValue(-1)
    spin.setSuffix(suffix)
    return spin


def _value(spin: QSpinBox) -> int | None:
    return None if spin.value() < 0 else spin.value()


class SessionEditor(QWidget):
    needlesChanged = Signal(bool)  # counts entered and equal
    edited = Signal()  # the practitioner changed something (filling the editor with a record is not an edit)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = None  # type: SessionDraft | None
        self.points = QListWidget()
        self.points.setObjectName("sessionPoints")
        self.add_code = QLineEdit()
        self.add_code.setPlaceholderText("Add a point, e.g. BL25")
        self.add_side = QComboBox()
        for value, label in SIDES:
            self.add_side.addItem(label, value)
        self.add_button = QPushButton("Add")
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_code)
        add_row.addWidget(self.add_side)
        add_row.addWidget(self.add_button)
        points_box = QGroupBox("Points needled (untick any not used)")
        points_layout = QVBoxLayout(points_box)
        points_layout.addWidget(self.points)
        points_layout.addLayout(add_row)

        self.needles_in = _spin(200)
        self.needles_in.setObjectName("needlesIn")
        self.needles_out = _spin(200)
        self.needles_out.setObjectName("needlesOut")
        self.needle_message = QLabel()
        self.needle_message.setObjectName("needleMessage")
        self.needle_message.setWordWrap(True)
        self.retention = _spin(120, " min")
        self.nrs_before = _spin(10)
        self.nrs_after = _spin(10)
        counts = QGroupBox("Clean-needle count and pain")
        grid = QGridLayout(counts)
        fields = (("Needles in", self.needles_in), ("Needles out", self.needles_out), ("Retention", self.retention),
                  ("Pain before (0-10)", self.nrs_before), ("Pain after (0-10)", self.nrs_after))
        for column, (label, editor) in enumerate(fields):
            grid.addWidget(QLabel(label), 0, column)
            grid.addWidget(editor, 1, column)
        grid.addWidget(self.needle_message, 2, 0, 1, 5)

        self.subjective = QPlainTextEdit()
        self.objective = QPlainTextEdit()
        self.assessment = QPlainTextEdit()
        self.plan_note = QPlainTextEdit()
        for note in (self.subjective, self.objective, self.assessment, self.plan_note):
            note.setTabChangesFocus(True)  # Tab goes on to the next part of the note, as in every form
        soap = QGroupBox("SOAP note")
        form = QFormLayout(soap)
        for label, note in (("Subjective", self.subjective), ("Objective", self.objective),
                            ("Assessment", self.assessment), ("Plan", self.plan_note)):
            note.setFixedHeight(48)
            form.addRow(label, note)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(points_box, 1)
        top.addWidget(counts, 2)
        layout.addLayout(top)
        layout.addWidget(soap)
        self.needles_in.valueChanged.connect(self._check_needles)
        self.needles_out.valueChanged.connect(self._check_needles)
        self._filling = False
        for note in (self.subjective, self.objective, self.assessment, self.plan_note):
            note.textChanged.connect(self._edited)
        for spin in (self.needles_in, self.needles_out, self.retention, self.nrs_before, self.nrs_after):
            spin.valueChanged.connect(self._edited)
        self.points.itemChanged.connect(self._edited)
        self.add_button.clicked.connect(self._add_point)
        self.add_code.returnPressed.connect(self._add_point)
        self._check_needles()

    def _add_point(self) -> None:
        point = load_catalogue().get(self.add_code.text().strip())
        if point is None:
            self.add_code.setStyleSheet(f"border: 1px solid {ERROR_TEXT};")
            return
        self.add_code.setStyleSheet("")
        self.add_code.clear()
        self._point_item(NeedledPoint(point.code, self.add_side.currentData()))
        self._edited()

    def _point_item(self, point: NeedledPoint) -> None:
        params = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in point.parameters.items())
        item = QListWidgetItem(f"{point.code} · {point.side} · {point.technique.replace('_', ' ')}"
                               + (f" ({params})" if params else ""))
        item.setData(Qt.ItemDataRole.UserRole, point)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked)
        self.points.addItem(item)

    def _check_needles(self) -> None:
        needles_in, needles_out = _value(self.needles_in), _value(self.needles_out)
        match = needles_in is not None and needles_in == needles_out
        if needles_in is None or needles_out is None:
            text, colour = "Count the needles at insertion and at removal; both are needed to sign.", MUTED_TEXT
        elif match:
            text, colour = f"✓ {needles_in} in, {needles_out} out: counts agree.", CHECK_PASSED_TEXT
        else:
            text = (f"⚠ MISMATCH: {needles_in} in, {needles_out} out. A needle may still be in the patient or the "
                    "couch. Find it before the patient leaves. Saving records a retained-needle adverse event; "
                    "the record cannot be signed until the counts agree.")
            colour = ERROR_TEXT
        self.needle_message.setText(text)
        self.needle_message.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.needlesChanged.emit(match)

    def _edited(self, *_args: object) -> None:
        if not self._filling:
            self.edited.emit()

    def set_draft(self, draft: SessionDraft) -> None:
        self._filling = True
        try:
            self._fill(draft)
        finally:
            self._filling = False

    def _fill(self, draft: SessionDraft) -> None:
        self.draft = draft
        self.points.clear()
        for point in draft.points:
            self._point_item(point)
        for spin, value in ((self.needles_in, draft.needles_in), (self.needles_out, draft.needles_out),
                            (self.retention, draft.retention_minutes), (self.nrs_before, draft.nrs_before),
                            (self.nrs_after, draft.nrs_after)):
            spin.setValue(-1 if value is None else value)
        self.subjective.setPlainText(draft.subjective)
        self.objective.setPlainText(draft.objective)
        self.assessment.setPlainText(draft.assessment)
        self.plan_note.setPlainText(draft.plan_note)
        self._check_needles()

    def value(self) -> SessionDraft:
        assert self.draft is not None
        points = []
        for row in range(self.points.count()):
            item = self.points.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                points.append(item.data(Qt.ItemDataRole.UserRole))
        return replace(
            self.draft, points=tuple(points), needles_in=_value(self.needles_in),
            needles_out=_value(self.needles_out), retention_minutes=_value(self.retention),
            nrs_before=_value(self.nrs_before), nrs_after=_value(self.nrs_after),
            subjective=self.subjective.toPlainText().strip(), objective=self.objective.toPlainText().strip(),
            assessment=self.assessment.toPlainText().strip(), plan_note=self.plan_note.toPlainText().strip(),
        )

    def set_read_only(self, read_only: bool) -> None:
        for widget in (self.points, self.add_code, self.add_side, self.add_button, self.needles_in, self.needles_out,
                       self.retention, self.nrs_before, self.nrs_after):
            widget.setEnabled(not read_only)
        for editor in (self.subjective, self.objective, self.assessment, self.plan_note):
            editor.setReadOnly(read_only)
            show_read_only(editor)
