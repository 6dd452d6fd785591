"""Pain drawing tab: mark where the pain is on the front, back and side outlines, beside the previous drawing.

Choose the kind of pain and its intensity, then click regions: a click marks the region with that
kind and intensity, a second click with the same kind and intensity unmarks it. Without a mouse,
choose a region from the list and press "Mark region"; Delete removes the selected mark. The drawing
belongs to an intake or a session (newest first in "Drawn at"). Saving goes through the operations
worker; the tab reloads from the change broadcast. A saved drawing is never edited: "Correct the
previous drawing" saves a new one that replaces it, with a reason (services/pain_drawings.py).
"""

from __future__ import annotations

from html import escape

from acudesk.domain.errors import AcuDeskError
from acudesk.domain.pain_drawing import PainMark, compare, load_atlas, measures, validate_marks
from acudesk.services import pain_drawings
from acudesk.services.pain_drawings import DrawingHistory, Occasion, SavedDrawing
from acudesk.ui.chart.pain_drawing_widget import PainDrawingCanvas
from acudesk.ui.context import AppContext
from acudesk.ui.operations import refresh_on_changes
from acudesk.ui.qt import (
    QAction,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    Qt,
    QVBoxLayout,
    QWidget,
)
from acudesk.ui.style import ERROR_TEXT, MUTED_TEXT, WARNING_TEXT


def mark_text(mark: PainMark) -> str:
    atlas = load_atlas()
    return f"{atlas.region(mark.region).name.capitalize()} — {atlas.kinds[mark.kind].label.lower()} {mark.intensity}/10"


def occasion_key(occasion: Occasion) -> str:
    """The "Drawn at" choice's data: "intake:12" or "session:40" (plain text compares by value)."""
    return f"intake:{occasion.intake_id}" if occasion.intake_id is not None else f"session:{occasion.session_id}"


class PainDrawingTab(QWidget):
    def __init__(self, context: AppContext, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.patient_id = context, patient_id
        self.marks: dict[tuple[str, str], int] = {}  # (region, kind) → intensity, not saved yet
        self.history: DrawingHistory | None = None
        self.correcting: SavedDrawing | None = None
        atlas = load_atlas()

        self.occasion = QComboBox()
        self.occasion.setObjectName("painOccasion")
        self.occasion.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.occasion.setMinimumContentsLength(22)
        self.kind = QComboBox()
        self.kind.setObjectName("painKind")
        for kind in atlas.kinds.values():
            self.kind.addItem(f"{kind.label} ({kind.symbol})", kind.id)
        self.intensity = QSpinBox()
        self.intensity.setObjectName("painIntensity")
        self.intensity.setRange(0, 10)
        self.intensity.setValue(5)
        self.intensity.setSuffix(" /10")
        # Two rows, so that the chart fits a 1366-pixel screen beside the marks and the previous drawing.
        tools = QVBoxLayout()
        for pairs in ((("Drawn at", self.occasion),), (("Kind", self.kind), ("Intensity", self.intensity))):
            row = QHBoxLayout()
            for label, widget in pairs:
                caption = QLabel(label)
                caption.setBuddy(widget)
                row.addWidget(caption)
                row.addWidget(widget)
            row.addStretch(1)
            tools.addLayout(row)

        self.canvas = PainDrawingCanvas(editable=True)
        self.canvas.setObjectName("painCanvas")
        self.canvas.regionClicked.connect(self.toggle)
        self.measures = QLabel("no pain marked")
        self.measures.setObjectName("painMeasures")
        self.measures.setWordWrap(True)
        hint = QLabel("Click a region to mark it with the kind and intensity chosen above; click it again to "
                      "unmark it. A region may carry several kinds.")
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {MUTED_TEXT};")

        self.region_choice = QComboBox()
        self.region_choice.setObjectName("painRegionChoice")
        self.region_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.region_choice.setMinimumContentsLength(16)  # long region names are cut in the box, whole in the list
        for region in sorted(atlas.regions.values(), key=lambda r: (r.view, r.name)):
            self.region_choice.addItem(f"{region.name.capitalize()} ({region.view})", region.id)
        self.add_button = QPushButton("Mark region")
        self.add_button.setObjectName("painMarkRegion")
        self.add_button.clicked.connect(lambda: self.set_mark(self.region_choice.currentData()))
        self.list = QListWidget()
        self.list.setObjectName("painMarks")
        self.remove_button = QPushButton("Remove mark")
        self.remove_button.clicked.connect(self.remove_selected)
        remove = QAction("Remove mark", self.list)
        remove.setShortcut(QKeySequence(Qt.Key.Key_Delete))
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(self.remove_selected)
        self.list.addAction(remove)
        self.note = QLineEdit()
        self.note.setObjectName("painNote")
        self.note.setPlaceholderText("Note (optional), e.g. worse after sitting")
        self.reason = QLineEdit()
        self.reason.setObjectName("painCorrectionReason")
        self.reason.setPlaceholderText("Why the previous drawing is corrected")
        self.reason.hide()
        self.save_button = QPushButton("Save drawing")
        self.save_button.setObjectName("painSave")
        self.save_button.clicked.connect(self.save)
        self.copy_button = QPushButton("Start from the previous drawing")
        self.copy_button.clicked.connect(self.copy_previous)
        self.correct_button = QPushButton("Correct the previous drawing")
        self.correct_button.setObjectName("painCorrect")
        self.correct_button.clicked.connect(self.start_correction)
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self.clear)
        self.error = QLabel()
        self.error.setObjectName("painError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_TEXT};")

        current_box = QGroupBox("This drawing")
        current = QVBoxLayout(current_box)
        current.addLayout(tools)
        current.addWidget(self.canvas, 1)
        current.addWidget(hint)
        current.addWidget(self.measures)

        self.previous_canvas = PainDrawingCanvas(editable=False)
        self.previous_canvas.setObjectName("painPreviousCanvas")
        self.previous_caption = QLabel("No earlier drawing.")
        self.previous_caption.setObjectName("painPrevious")
        self.previous_caption.setWordWrap(True)
        self.notes = QLabel()
        self.notes.setObjectName("painNotes")
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet(f"color: {WARNING_TEXT};")
        previous_box = QGroupBox("Previous drawing")
        previous = QVBoxLayout(previous_box)
        previous.addWidget(self.previous_caption)
        previous.addWidget(self.previous_canvas, 1)
        previous.addWidget(self.notes)

        marks_box = QGroupBox("Marked regions")
        side = QVBoxLayout(marks_box)
        choose = QHBoxLayout()
        choose.addWidget(self.region_choice, 1)
        choose.addWidget(self.add_button)
        side.addLayout(choose)
        side.addWidget(self.list, 1)
        side.addWidget(self.remove_button)
        side.addWidget(self.note)
        side.addWidget(self.reason)
        side.addWidget(self.error)
        for button in (self.save_button, self.copy_button, self.correct_button, self.clear_button):
            side.addWidget(button)

        layout = QHBoxLayout(self)
        layout.addWidget(current_box, 5)
        layout.addWidget(marks_box, 3)
        layout.addWidget(previous_box, 4)
        self._show_marks()
        refresh_on_changes(self, context.operations, lambda c: c.concerns_patient(patient_id) and c.clinical,
                           self.reload)

    # -- loading -------------------------------------------------------------------------------------
    def reload(self) -> None:
        ctx = self.context

        def work() -> tuple[DrawingHistory, tuple[Occasion, ...]]:
            return (pain_drawings.history(ctx.database, ctx.actor, self.patient_id),
                    pain_drawings.occasions(ctx.database, ctx.actor, self.patient_id))

        ctx.operations.query(self, work, self._loaded, key="pain drawings")

    def _loaded(self, found: tuple[DrawingHistory, tuple[Occasion, ...]]) -> None:
        self.history, occasions = found
        chosen = self.occasion.currentData()
        self.occasion.clear()
        for occasion in occasions:
            self.occasion.addItem(occasion.label, occasion_key(occasion))
        if not occasions:
            self.occasion.addItem("No intake or session yet: record one first", None)
        index = self.occasion.findData(chosen) if chosen is not None else -1
        self.occasion.setCurrentIndex(max(index, 0))
        latest = self.history.latest
        if latest is None:
            self.previous_caption.setText("No earlier drawing.")
            self.previous_canvas.set_marks(())
        else:
            who = f" by {escape(latest.recorded_by)}" if latest.recorded_by else ""
            note = f"<br>Note: {escape(latest.note)}" if latest.note else ""
            self.previous_caption.setText(f"<b>{escape(latest.occasion.label)}</b>{who}<br>"
                                          f"{escape(latest.measures.line())}{note}")
            self.previous_canvas.set_marks(latest.marks)
        self.copy_button.setEnabled(latest is not None)
        self.correct_button.setEnabled(latest is not None)
        self.save_button.setEnabled(bool(occasions))
        self._show_marks()

    # -- editing ---------------------------------------------------------------------------------------
    def unsaved(self) -> bool:
        """Marks, a note or a correction's reason not saved yet (closing the chart asks first)."""
        return bool(self.marks or self.note.text().strip() or self.reason.text().strip())

    def current_marks(self) -> tuple[PainMark, ...]:
        return tuple(sorted(PainMark(region, kind, value) for (region, kind), value in self.marks.items()))

    def toggle(self, region_id: str) -> None:
        key = (region_id, self.kind.currentData())
        if self.marks.get(key) == self.intensity.value():
            del self.marks[key]
        else:
            self.marks[key] = self.intensity.value()
        self._show_marks()

    def set_mark(self, region_id: str | None) -> None:
        if region_id:
            self.marks[(region_id, self.kind.currentData())] = self.intensity.value()
            self._show_marks()

    def remove_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.marks.pop(item.data(Qt.ItemDataRole.UserRole), None)
            self._show_marks()

    def copy_previous(self) -> None:
        latest = self.history.latest if self.history else None
        if latest is not None:
            self.marks = {(m.region, m.kind): m.intensity for m in latest.marks}
            self._show_marks()

    def start_correction(self) -> None:
        latest = self.history.latest if self.history else None
        if latest is None:
            return
        self.correcting = latest
        self.copy_previous()
        self.occasion.setCurrentIndex(max(self.occasion.findData(occasion_key(latest.occasion)), 0))
        self.occasion.setEnabled(False)
        self.reason.show()
        self.reason.setFocus()
        self.save_button.setText("Save the correction")

    def clear(self) -> None:
        self.marks.clear()
        self.note.clear()
        self.reason.clear()
        self.reason.hide()
        self.correcting = None
        self.occasion.setEnabled(True)
        self.save_button.setText("Save drawing")
        self.error.setText("")
        self._show_marks()

    def _show_marks(self) -> None:
        marks = self.current_marks()
        self.canvas.set_marks(marks)
        selected = self.list.currentItem().data(Qt.ItemDataRole.UserRole) if self.list.currentItem() else None
        self.list.clear()
        for mark in marks:
            item = QListWidgetItem(mark_text(mark))
            item.setData(Qt.ItemDataRole.UserRole, (mark.region, mark.kind))
            self.list.addItem(item)
            if (mark.region, mark.kind) == selected:
                self.list.setCurrentItem(item)
        self.measures.setText(measures(marks).line())
        latest = self.history.latest if self.history else None
        base = self.correcting and self.history and self.history.previous
        against = (base.marks if base else None) if self.correcting else (latest.marks if latest else None)
        notes = compare(against, marks).notes if marks else ()
        self.notes.setText("<br>".join(f"⚠ {escape(n.text)}" for n in notes))
        self.notes.setToolTip("\n".join(f"{n.rule}: {n.source}" for n in notes))

    # -- saving ----------------------------------------------------------------------------------------
    def save(self) -> None:
        key = self.occasion.currentData()
        try:
            marks = validate_marks(self.current_marks())
        except AcuDeskError as error:
            self.error.setText(error.message)
            return
        if key is None:
            self.error.setText("Record an intake or a session first: a drawing belongs to one.")
            return
        if self.correcting is not None and not self.reason.text().strip():
            self.error.setText("Say why the previous drawing is corrected.")
            self.reason.setFocus()
            return
        self.error.setText("")
        kind, number = key.split(":")
        intake_id, session_id = (int(number), None) if kind == "intake" else (None, int(number))
        note, reason = self.note.text(), self.reason.text()
        supersedes = self.correcting.id if self.correcting else None
        ctx = self.context
        ctx.operations.write(
            self, lambda: pain_drawings.save_drawing(
                ctx.database, ctx.actor, self.patient_id, marks, intake_id=intake_id, session_id=session_id,
                note=note, supersedes_id=supersedes, correction_reason=reason),
            lambda _saved: self.clear())
