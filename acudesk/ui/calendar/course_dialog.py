"""Book a course: patient, practitioner, room, first visit, pattern; a live preview; save all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from acudesk.domain import dates
from acudesk.domain.errors import AcuDeskError
from acudesk.domain.scheduling import format_pattern, parse_pattern
from acudesk.services import calendar_data, courses, slots
from acudesk.services.calendar_data import Resources
from acudesk.services.courses import BookedCourse, BookingRequest, CoursePreview, PreviewVisit
from acudesk.ui.calendar.patient_picker import PatientPicker
from acudesk.ui.context import AppContext
from acudesk.ui.errors import show_error
from acudesk.ui.forms import DATE_FIELD_FORMAT, TimeField
from acudesk.ui.operations import refresh_on_changes
from acudesk.ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QColor,
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QTime,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from acudesk.ui.style import (
    ALERT_TEXT,
    CLOSED_DAY_TEXT,
    CONFLICT_BACKGROUND,
    DRIFTED_BACKGROUND,
    MOVED_BACKGROUND,
    MUTED_TEXT,
    NOTE_BACKGROUND,
    TEXT,
    WARNING_TEXT,
)

PRESETS = (
    "weekly x4, fortnightly x2, monthly x3",
    "weekly x6",
    "weekly x4, fortnightly x2",
    "fortnightly x3, monthly x3",
    "monthly x3",
)
PREVIEW_DELAY_MS = 250
COLUMNS = ("#", "Date", "Time", "Room", "Phase", "Why here")
NOTE = len(COLUMNS) - 1


@dataclass(frozen=True)
class Prefill:
    patient_id: int | None = None
    patient_label: str = ""
    practitioner_id: int | None = None
    room_id: int | None = None
    start: datetime | None = None


class CourseBookingDialog(QDialog):
    booked = Signal(object)  # BookedCourse

    def __init__(self, context: AppContext, prefill: Prefill | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.prefill = prefill or Prefill()
        self.preview: CoursePreview | None = None
        self.plan_id: int | None = None
        self.setWindowTitle("Book a course of treatment")
        self.setObjectName("courseBookingDialog")
        self.resize(780, 660)

        self.patient = PatientPicker(context)
        self.practitioner = QComboBox()
        self.room = QComboBox()
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat(DATE_FIELD_FORMAT)
        self.time = TimeField()  # takes "1430" or "14:30" typed whole
        self.first_visit = QCheckBox("First visit (60 min); untick for a returning patient")
        self.first_visit.setChecked(True)
        self.preferences = QLineEdit()
        self.preferences.setObjectName("bookingPreferences")
        self.preferences.setPlaceholderText("e.g. Tuesdays after 17:00; Mon-Wed before 11:00 (tried first)")
        self.preferences.setToolTip("The patient's preferred days and times: when a visit's own slot is taken, "
                                    "slots that suit them are tried first. Saved for the patient when you book.")
        self.saved_preferences = ""
        self.other_practitioners = QCheckBox("Another practitioner may see the patient when theirs is busy")
        self.pattern = QLineEdit(PRESETS[0])
        self.pattern.setObjectName("coursePattern")
        self.presets = QComboBox()
        self.presets.addItem("Presets…")
        self.presets.addItems(PRESETS)
        self.pattern_error = QLabel()
        self.pattern_error.setObjectName("patternError")
        self.pattern_error.setStyleSheet(f"color: {ALERT_TEXT};")
        self.pattern_error.setWordWrap(True)
        self.plan_note = QLabel()
        self.plan_note.setStyleSheet(f"color: {MUTED_TEXT};")

        # Fields sharing a form row, or placed in a widget of their own, have no label of their own to
        # be named by: named here for screen readers (docs/accessibility.md).
        self.date.setAccessibleName("First visit date")
        self.time.setAccessibleName("First visit time")
        self.pattern.setAccessibleName("Pattern")
        self.presets.setAccessibleName("Pattern presets")
        when = QHBoxLayout()
        when.addWidget(self.date, 1)
        when.addWidget(self.time)
        pattern_row = QHBoxLayout()
        pattern_row.addWidget(self.pattern, 1)
        pattern_row.addWidget(self.presets)
        form = QFormLayout()
        form.addRow("Patient", self.patient)
        form.addRow("Practitioner", self.practitioner)
        form.addRow("Room", self.room)
        form.addRow("First visit", when)
        form.addRow("", self.first_visit)
        form.addRow("Pattern", pattern_row)
        form.addRow("", self.pattern_error)
        form.addRow("Prefers", self.preferences)
        form.addRow("", self.other_practitioners)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("coursePreview")
        self.table.setAccessibleName("The course's visits")
        self.table.setTabKeyNavigation(False)
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column, width in enumerate((34, 120, 50, 100, 86)):
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(NOTE, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel("Choose a patient to see the visits.")
        self.summary.setObjectName("courseSummary")
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Book visits")
        self.save_button.setEnabled(False)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.plan_note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.reload_preview)
        self.pattern.textChanged.connect(self._pattern_changed)
        self.presets.activated.connect(self._preset)
        for signal in (self.practitioner.currentIndexChanged, self.room.currentIndexChanged,
                       self.date.dateChanged, self.time.timeChanged, self.first_visit.toggled,
                       self.preferences.textChanged, self.other_practitioners.toggled):
            signal.connect(self._changed)
        self.patient.chosen.connect(self._patient_chosen)
        self._fill_start()
        self._listed = False  # the practitioners and rooms have been listed once
        self._load_resources()
        # Someone else's booking can take a slot this preview offers: work the preview out again.
        refresh_on_changes(self, context.operations, lambda changes: changes.schedule or changes.clinic,
                           self._changed)
        # A room added or retired, a practitioner added or deactivated (Administration): listed anew.
        refresh_on_changes(self, context.operations, lambda changes: changes.clinic or changes.staff,
                           self._load_resources)

    # -- set-up -----------------------------------------------------------------------------------
    def _fill_start(self) -> None:
        start = self.prefill.start or datetime.combine(self.context.today(), time(10))
        self.date.setDate(QDate(start.year, start.month, start.day))
        self.time.setTime(QTime(start.hour, start.minute))

    def _load_resources(self) -> None:
        ctx = self.context
        ctx.operations.query(self, lambda: calendar_data.resources(ctx.database, ctx.actor), self._resources,
                             key="resources")

    def _resources(self, resources: Resources) -> None:
        """List the practitioners and rooms. Listed anew, what was chosen stays chosen; one no longer in
        use stays too, marked so, and the preview says it cannot be booked (never another one instead)."""
        first_time, self._listed = not self._listed, True
        for combo, items, prefilled in ((self.practitioner, resources.practitioners, self.prefill.practitioner_id),
                                        (self.room, resources.rooms, self.prefill.room_id)):
            wanted, wanted_text = (prefilled, "") if first_time else (combo.currentData(), combo.currentText())
            combo.blockSignals(True)
            combo.clear()
            for item in items:
                combo.addItem(item.name, item.id)
            if wanted is not None and combo.findData(wanted) < 0 and not first_time:
                combo.addItem(wanted_text if wanted_text.endswith("(no longer in use)")
                              else f"{wanted_text} (no longer in use)", wanted)
            if wanted is not None and combo.findData(wanted) >= 0:
                combo.setCurrentIndex(combo.findData(wanted))
            combo.blockSignals(False)
        if not first_time:
            self._changed()
            return
        if self.prefill.patient_id is not None:
            self.patient.set_patient(self.prefill.patient_id, self.prefill.patient_label or "Chosen patient")
        else:
            self.patient.search.setFocus()
        self._changed()

    def _patient_chosen(self, patient_id: int | None) -> None:
        self.plan_id = None
        self.plan_note.clear()
        if patient_id is None:
            return
        ctx = self.context

        def found(plan_id: int | None) -> None:
            if self.patient.patient_id != patient_id:
                return
            self.plan_id = plan_id
            self.plan_note.setText(
                f"The course will be linked to the patient's treatment plan no. {plan_id}." if plan_id else ""
            )
            self._changed()

        ctx.operations.query(self, lambda: courses.bookable_plan_id(ctx.database, ctx.actor, patient_id), found,
                             key="plan")

        def preferred(text: str) -> None:
            if self.patient.patient_id == patient_id:
                self.saved_preferences = text
                self.preferences.setText(text)

        ctx.operations.query(self, lambda: slots.booking_preferences(ctx.database, ctx.actor, patient_id),
                             preferred, key="preferences")

    # -- input ------------------------------------------------------------------------------------
    def _preset(self, index: int) -> None:
        if index > 0:
            self.pattern.setText(self.presets.itemText(index))
            self.presets.setCurrentIndex(0)

    def _pattern_changed(self, text: str) -> None:
        try:
            parse_pattern(text)  # pure and fast: fine on the GUI thread
        except AcuDeskError as error:
            self.pattern_error.setText(error.message)
            self._invalidate("Fix the pattern to see the visits.")
            return
        self.pattern_error.clear()
        self._changed()

    def _invalidate(self, message: str) -> None:
        self.context.operations.forget(self, "preview")
        self.preview = None
        self.save_button.setEnabled(False)
        self.summary.setText(message)

    def _changed(self) -> None:
        self._invalidate("Working out the visits…")
        self._timer.start()

    def start(self) -> datetime:
        d, t = self.date.date(), self.time.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())

    # -- preview ----------------------------------------------------------------------------------
    def reload_preview(self) -> None:
        patient_id, practitioner_id = self.patient.patient_id, self.practitioner.currentData()
        if patient_id is None or practitioner_id is None:
            self._invalidate("Choose a patient to see the visits." if patient_id is None else "Choose a practitioner.")
            self.table.setRowCount(0)
            return
        try:
            pattern = format_pattern(parse_pattern(self.pattern.text()))
        except AcuDeskError:
            return
        ctx = self.context
        request = BookingRequest(patient_id, practitioner_id, self.room.currentData(), self.start(), pattern,
                                 self.plan_id, first_visit=self.first_visit.isChecked(),
                                 preferences=self.preferences.text(),
                                 other_practitioners=self.other_practitioners.isChecked())
        ctx.operations.query(
            self, lambda: courses.preview_course(ctx.database, ctx.actor, request),
            self._show_preview, on_failure=self._preview_failed, key="preview",
        )

    def _preview_failed(self, error: BaseException) -> None:
        if isinstance(error, AcuDeskError):
            self.table.setRowCount(0)
            self._invalidate(error.message)
            self.summary.setStyleSheet(f"color: {ALERT_TEXT};")
        else:
            show_error(error, self)

    def _show_preview(self, preview: CoursePreview) -> None:
        self.preview = preview
        self.table.setRowCount(len(preview.visits))
        for row, visit in enumerate(preview.visits):
            note, tip, background, foreground = row_note(visit)
            cells = (str(visit.number), dates.day(visit.local_start, weekday=True), dates.time_of(visit.local_start),
                     visit.room, visit.phase_label, note)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if background:
                    item.setBackground(QColor(background))
                if foreground:
                    item.setForeground(QColor(foreground))
                item.setToolTip(tip)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        moved = sum(1 for v in preview.visits if v.moved)
        drifted = preview.drifted
        first, last = preview.visits[0].local_start, preview.visits[-1].local_start
        text = (f"{len(preview.visits)} visits, {dates.day(first, weekday=True)} to {dates.day(last, weekday=True)}"
                f"{f' · {moved} moved (highlighted)' if moved else ''}")
        if not preview.ok:
            self.summary.setStyleSheet(f"color: {ALERT_TEXT};")
            self.summary.setText(f"{text} · {len(preview.conflicts)} conflict(s) in red: change the time or "
                                 "the pattern. Nothing can be booked until all are solved.")
        elif drifted:
            numbers = ", ".join(str(v.number) for v in drifted)
            self.summary.setStyleSheet(f"color: {WARNING_TEXT};")
            self.summary.setText(
                f"{text} · ⚠ visit{'s' if len(drifted) > 1 else ''} {numbers} could not keep the rhythm "
                "(nothing free near the planned day; in orange, with the nearest other options). "
                "Check with the patient before booking."
            )
        else:
            self.summary.setStyleSheet(f"color: {TEXT};")
            self.summary.setText(text + " · every visit on its rhythm, no conflicts.")
        self.save_button.setEnabled(preview.ok)
        self.save_button.setText(f"Book {len(preview.visits)} visits")

    # -- save -------------------------------------------------------------------------------------
    def save(self) -> None:
        preview = self.preview
        if preview is None or not preview.ok:
            return
        self.save_button.setEnabled(False)
        ctx, request = self.context, preview.booking()  # exactly the visits shown, or nothing
        preferences = self.preferences.text().strip()
        keep = preferences != self.saved_preferences.strip()

        def work() -> BookedCourse:
            if keep:  # the patient's preferences as typed here, for the next booking too
                slots.set_booking_preferences(ctx.database, ctx.actor, request.patient_id, preferences)
            return courses.book_course(ctx.database, ctx.actor, request)

        ctx.operations.write(self, work, self._saved, on_failure=self._save_failed)

    def _saved(self, booked: BookedCourse) -> None:
        self.booked.emit(booked)
        self.accept()

    def _save_failed(self, error: BaseException) -> None:
        show_error(error, self, "The course was not booked")
        self.save_button.setEnabled(True)
        self._changed()  # show what the calendar looks like now


def row_note(visit: PreviewVisit) -> tuple[str, str, str | None, str | None]:
    """A preview row's note, tooltip, background and text colour: conflicts, then a drifted visit,
    then a visit moved from its ideal slot, then a daylight-saving note."""
    note, background, foreground = "", None, None
    if visit.explanation:
        note, background = visit.explanation, MOVED_BACKGROUND
    elif visit.moved_from is not None:
        note, background = f"Moved from {dates.day(visit.moved_from, weekday=True)}: {visit.reason}", MOVED_BACKGROUND
    if visit.time_note:
        note = f"{note}; {visit.time_note}" if note else visit.time_note
        background = background or NOTE_BACKGROUND
    tip = note
    if visit.drifted:
        note, background, foreground = f"⚠ {note}", DRIFTED_BACKGROUND, WARNING_TEXT
        if visit.options:
            note = f"{note} · other options: {' · '.join(visit.options)}"
        tip = note
    if visit.conflicts:
        note = "; ".join(c.split(": ", 1)[-1] for c in visit.conflicts)
        tip, background, foreground = note, CONFLICT_BACKGROUND, CLOSED_DAY_TEXT
    return note, tip, background, foreground


def first_day(preview: CoursePreview) -> date:
    return preview.visits[0].local_start.date()
