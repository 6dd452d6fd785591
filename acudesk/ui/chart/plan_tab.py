"""Plan tab: complaint, goals, course pattern, techniques, points (picker + body chart), live safety check.

The safety engine runs as points and techniques are added: warnings show in amber next to the point;
a blocked point or technique is only added after the practitioner gives an override reason.

The tab reloads from the change broadcast whenever this patient's clinical records change: a newly
signed intake changes the conditions checked and the treatment stop at once, while a plan being
edited keeps the practitioner's unsaved changes.
"""

from __future__ import annotations

from html import escape

from acudesk.domain import dates
from acudesk.domain.acupoint_files import load_catalogue
from acudesk.domain.contraindications import Violation
from acudesk.domain.errors import AcuDeskError, ValidationErrors
from acudesk.domain.intake import Intake as IntakeAnswers
from acudesk.domain.scheduling import format_pattern, parse_pattern
from acudesk.domain.treatment_gate import TreatmentBlockedError
from acudesk.services import plans
from acudesk.services.plans import PlanContext, PlanDraft, PlannedPoint, PlanRecord
from acudesk.ui.chart.banner import TreatmentStopBanner
from acudesk.ui.chart.body_chart import BodyChart, Marked
from acudesk.ui.chart.override_dialog import OverrideDialog
from acudesk.ui.chart.point_picker import PointPicker
from acudesk.ui.chart.techniques_box import TechniquesBox
from acudesk.ui.context import AppContext
from acudesk.ui.errors import show_error
from acudesk.ui.operations import refresh_on_changes, save_then
from acudesk.ui.qt import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
)
from acudesk.ui.style import ERROR_TEXT, SUCCESS_TEXT, WARNING_TEXT

SIDE_WORDS = {"bilateral": "both sides", "left": "left", "right": "right", "midline": "midline"}


class PlanTab(QWidget):
    def __init__(self, context: AppContext, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.patient_id = context, patient_id
        self.conditions = IntakeAnswers({})
        self.gate_allowed = False
        self.record: PlanRecord | None = None
        self.points: list[PlannedPoint] = []
        self.message = QLabel()
        self.message.setObjectName("planMessage")
        self.message.setWordWrap(True)
        self.gate_banner = TreatmentStopBanner("planGate", "No plan can be activated until then.")

        # left: the plan's text and techniques
        self.status = QLabel("New plan (not saved)")
        self.status.setObjectName("planStatus")
        self.template = QComboBox()
        self.template.addItem("Start from a template…", None)
        for template in plans.plan_templates():
            self.template.addItem(template.name, template.id)
        self.repeat_button = QPushButton("Repeat last prescription")
        self.complaint = QLineEdit()
        self.goals = QPlainTextEdit()
        self.goals.setTabChangesFocus(True)  # Tab goes on to the next field, as in every form
        self.goals.setFixedHeight(56)
        self.pattern = QLineEdit()
        self.pattern.setPlaceholderText("weekly x4, fortnightly x2, monthly x2")
        self.pattern_note = QLabel()
        self.pattern_note.setWordWrap(True)
        self.baseline = QSpinBox()
        self.baseline.setRange(-1, 10)
        self.baseline.setSpecialValueText("from intake")
        self.baseline.setValue(-1)
        self.techniques = TechniquesBox()
        self.technique_notes = QLabel()
        self.technique_notes.setObjectName("techniqueNotes")
        self.technique_notes.setWordWrap(True)
        self.technique_notes.setTextFormat(Qt.TextFormat.RichText)
        details = QGroupBox("Plan")
        form = QFormLayout(details)
        form.addRow(self.status)
        form.addRow(self.template)
        form.addRow(self.repeat_button)
        form.addRow("Complaint", self.complaint)
        form.addRow("Goals", self.goals)
        form.addRow("Course", self.pattern)
        form.addRow("", self.pattern_note)
        form.addRow("Baseline pain (NRS)", self.baseline)
        self.save_button = QPushButton("Save plan")
        self.activate_button = QPushButton("Activate plan")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.activate_button)
        left = QVBoxLayout()
        left.addWidget(details)
        left.addWidget(self.techniques)
        left.addWidget(self.technique_notes)
        left.addWidget(self.message)
        left.addStretch(1)
        left.addLayout(buttons)

        # middle: the picker and the planned points with their safety notes
        self.picker = PointPicker()
        self.planned = QListWidget()
        self.planned.setObjectName("plannedPoints")
        self.planned.setWordWrap(True)
        self.remove_button = QPushButton("Remove point")
        picker_box = QGroupBox("Add points")
        QVBoxLayout(picker_box).addWidget(self.picker)
        planned_box = QGroupBox("Points in this plan")
        planned_layout = QVBoxLayout(planned_box)
        planned_layout.addWidget(self.planned, 1)
        planned_layout.addWidget(self.remove_button)
        middle = QSplitter(Qt.Orientation.Vertical)
        middle.addWidget(picker_box)
        middle.addWidget(planned_box)

        self.chart = BodyChart()
        splitter = QSplitter()
        container = QWidget()
        container.setLayout(left)
        splitter.addWidget(container)
        splitter.addWidget(middle)
        splitter.addWidget(self.chart)
        splitter.setSizes([380, 420, 300])
        layout = QVBoxLayout(self)
        layout.addWidget(self.gate_banner)
        layout.addWidget(splitter)

        self.picker.addRequested.connect(self.add_point)
        self.picker.highlighted.connect(self.chart.show_point)
        self.chart.pointClicked.connect(lambda code: self.add_point(code, self.picker.side()))
        self.remove_button.clicked.connect(self.remove_current)
        self.techniques.toggled.connect(self._technique_toggled)
        self.techniques.changed.connect(self.refresh_safety)
        self.template.activated.connect(self._apply_template)
        self.repeat_button.clicked.connect(self.repeat_last)
        self.pattern.textChanged.connect(self._check_pattern)
        self.save_button.clicked.connect(self.save)
        self.activate_button.clicked.connect(self.activate)
        self.loaded = False
        self.shown_draft = self.draft()  # what the editor held when last filled: edits differ from it
        refresh_on_changes(self, context.operations, lambda c: c.concerns_patient(patient_id) and c.clinical,
                           self.reload)

    # -- loading -------------------------------------------------------------------------------------
    def reload(self) -> None:
        """(Re)read the plans and the intake's conditions. Called at first and by the change broadcast."""
        ctx = self.context

        def work() -> tuple[PlanContext, list[PlanRecord]]:
            return (plans.plan_context(ctx.database, ctx.actor, self.patient_id),
                    plans.list_plans(ctx.database, ctx.actor, self.patient_id))

        ctx.operations.query(self, work, self._loaded, key="plan")

    def editing(self) -> bool:
        """Whether the editor holds changes the practitioner has not saved."""
        return self.draft() != self.shown_draft

    def _loaded(self, result: tuple[PlanContext, list[PlanRecord]]) -> None:
        context, records = result
        first, self.loaded = not self.loaded, True
        checks_changed = (context.conditions, context.gate_allowed) != (self.conditions, self.gate_allowed)
        self.conditions, self.gate_allowed = context.conditions, context.gate_allowed
        current = next((r for r in records if r.status in ("active", "draft")), None)
        if self.editing():
            # Keep the unsaved changes (a plan saved elsewhere meanwhile makes saving them a conflict);
            # the live check follows the latest intake.
            if checks_changed:
                self.refresh_safety()
        elif current is not None and current != self.record:
            self.show_plan(current)
        elif current is None and (first or self.record is not None):
            self.record = None
            self.status.setText("No plan yet: start from a template, repeat the last prescription, or add points.")
            if checks_changed:
                self.refresh_safety()
        elif checks_changed:
            self.refresh_safety()
        self._show_gate(context.gate_message)

    def _show_gate(self, message: str) -> None:
        active = self.record is not None and self.record.status == "active"
        self.activate_button.setEnabled(self.gate_allowed and not active)
        self.activate_button.setToolTip("" if self.gate_allowed else message)
        self.gate_banner.show_gate(self.gate_allowed, message)  # and gone once lifted (a referral, a clear intake)

    def show_plan(self, record: PlanRecord) -> None:
        self.record = record
        self.set_draft(record.draft)
        self.shown_draft = self.draft()
        when = f" since {dates.day(self.context.local(record.activated_at))}" if record.activated_at else ""
        self.status.setText(f"Plan no. {record.id}: {record.status}{when}")
        active = record.status == "active"
        self.activate_button.setText("Plan is active (changes apply on save)" if active else "Activate plan")
        self.activate_button.setEnabled(self.gate_allowed and not active)

    def set_draft(self, draft: PlanDraft) -> None:
        self.complaint.setText(draft.complaint)
        self.goals.setPlainText(draft.goals)
        self.pattern.setText(draft.course_pattern)
        self.baseline.setValue(draft.baseline_nrs if draft.baseline_nrs is not None else -1)
        self.techniques.set_selected(draft.techniques)
        self.points = list(draft.points)
        self.refresh_safety()

    def draft(self) -> PlanDraft:
        baseline = self.baseline.value()
        return PlanDraft(self.complaint.text(), self.goals.toPlainText(), self.pattern.text(), tuple(self.points),
                         self.techniques.selected(), None if baseline < 0 else baseline)

    # -- safety --------------------------------------------------------------------------------------
    def violations(self, draft: PlanDraft | None = None) -> list[Violation]:
        try:
            return plans.safety_check(self.conditions, draft or self.draft())
        except AcuDeskError:
            return []

    def refresh_safety(self) -> None:
        found = self.violations()
        self.planned.clear()
        marked: dict[str, Marked] = {}
        catalogue = load_catalogue()
        for point in self.points:
            info = catalogue.get(point.code)
            mine = [v for v in found if v.item_kind == "point" and v.item == point.code]
            blocked = any(v.severity == "block" for v in mine)
            lines = [f"{point.code}  {info.pinyin if info else ''} {info.hanzi if info else ''} · "
                     f"{SIDE_WORDS.get(point.side, point.side)}"]
            for violation in mine:
                mark = "BLOCKED" if violation.severity == "block" else "Caution"
                lines.append(f"   {mark} ({violation.rule}): {violation.reason}")
            if point.override_reason:
                lines.append(f"   Override reason: {point.override_reason}")
            item = QListWidgetItem("\n".join(lines))
            item.setData(Qt.ItemDataRole.UserRole, point.code)
            if mine:
                item.setForeground(Qt.GlobalColor.darkRed if blocked else Qt.GlobalColor.darkYellow)
                item.setToolTip("\n".join(f"{v.rule}: {v.reason} ({v.source})" for v in mine))
            self.planned.addItem(item)
            marked[point.code] = Marked(point.side, "block" if blocked else ("warn" if mine else "planned"))
        self.chart.set_marked(marked)
        technique_notes = [v for v in found if v.item_kind == "technique"]
        self.technique_notes.setText("<br>".join(
            f"<span style='color:{ERROR_TEXT if v.severity == 'block' else WARNING_TEXT}'>"
            f"<b>{escape(v.item.replace('_', ' '))}"
            f"{' BLOCKED' if v.severity == 'block' else ''}</b> ({escape(v.rule)}): {escape(v.reason)}</span>"
            for v in technique_notes))
        self.set_message("", "")
        if not self.gate_allowed and self.record is not None:
            self.activate_button.setEnabled(False)

    def set_message(self, text: str, colour: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {colour}; font-weight: 600;" if colour else "")

    # -- points --------------------------------------------------------------------------------------
    def add_point(self, code: str, side: str, override_reason: str | None = None) -> bool:
        """Add a point; a blocked one needs an override reason (asked for when not given)."""
        point = load_catalogue().get(code)
        if point is None:
            return False
        if any(p.code == point.code for p in self.points):
            self.points = [PlannedPoint(p.code, side, p.note, p.override_reason) if p.code == point.code else p
                           for p in self.points]
            self.refresh_safety()
            return True
        candidate = PlannedPoint(point.code, side)
        draft = self.draft()
        trial = PlanDraft(draft.complaint, draft.goals, draft.course_pattern, (candidate,), draft.techniques)
        blocks = [v for v in self.violations(trial) if v.severity == "block" and v.item == point.code]
        if blocks:
            reason = override_reason if override_reason is not None else OverrideDialog.get_reason(
                point.code, blocks, self)
            if not reason or not reason.strip():
                self.set_message(f"{point.code} was not added: it is blocked ({blocks[0].rule}) and needs an "
                                 "override reason.", ERROR_TEXT)
                return False
            candidate = PlannedPoint(point.code, side, "", reason.strip())
        self.points.append(candidate)
        self.refresh_safety()
        self.chart.show_point(point.code)
        return True

    def remove_current(self) -> None:
        item = self.planned.currentItem()
        if item is not None:
            code = item.data(Qt.ItemDataRole.UserRole)
            self.points = [p for p in self.points if p.code != code]
            self.refresh_safety()

    def _technique_toggled(self, name: str, checked: bool) -> None:
        if not checked:
            self.techniques.overrides.pop(name, None)
            self.refresh_safety()
            return
        blocks = [v for v in self.violations() if v.severity == "block" and v.item == name]
        if blocks and not self.techniques.overrides.get(name):
            reason = OverrideDialog.get_reason(name.replace("_", " "), blocks, self)
            if not reason:
                self.techniques.uncheck(name)
                self.set_message(f"{name} was not added: it is blocked ({blocks[0].rule}).", ERROR_TEXT)
                return
            self.techniques.overrides[name] = reason
        self.refresh_safety()

    # -- templates -----------------------------------------------------------------------------------
    def _apply_template(self, index: int) -> None:
        template_id = self.template.itemData(index)
        template = next((t for t in plans.plan_templates() if t.id == template_id), None)
        self.template.setCurrentIndex(0)
        if template is not None:
            self._apply_prescription(template.draft, f"Template: {template.name} ({template.source}).")

    def _apply_prescription(self, draft: PlanDraft, note: str) -> None:
        """Fill the editor; blocked points go through the override question one by one."""
        self.complaint.setText(self.complaint.text() or draft.complaint)
        self.goals.setPlainText(self.goals.toPlainText() or draft.goals)
        self.pattern.setText(draft.course_pattern or self.pattern.text())
        self.techniques.set_selected(draft.techniques)
        self.points = []
        skipped = [p.code for p in draft.points if not self.add_point(p.code, p.side)]
        self.set_message(note + (f" Not added (blocked): {', '.join(skipped)}." if skipped else ""),
                         ERROR_TEXT if skipped else SUCCESS_TEXT)

    def repeat_last(self) -> None:
        ctx = self.context

        def done(draft: PlanDraft | None) -> None:
            if draft is None:
                self.set_message("There is no earlier prescription to repeat.", WARNING_TEXT)
            else:
                self._apply_prescription(draft, "Last prescription repeated.")

        ctx.operations.query(self, lambda: plans.repeat_last(ctx.database, ctx.actor, self.patient_id), done,
                             key="repeat")

    def _check_pattern(self, text: str) -> None:
        if not text.strip():
            self.pattern_note.setText("")
            return
        try:
            pattern = parse_pattern(text)
        except AcuDeskError as error:
            self.pattern_note.setText(f"<span style='color:{ERROR_TEXT}'>{escape(error.message)}</span>")
        else:
            self.pattern_note.setText(f"{pattern.total} visits: {escape(format_pattern(pattern))}")

    # -- saving --------------------------------------------------------------------------------------
    def save(self, then_activate: bool = False) -> None:
        ctx, draft, record = self.context, self.draft(), self.record
        editable = record is not None and record.status in ("draft", "active")
        plan_id = record.id if editable and record else None
        version = record.version if editable and record else None

        def work() -> tuple[PlanRecord, AcuDeskError | None]:
            return save_then(
                lambda: plans.save_plan(ctx.database, ctx.actor, self.patient_id, draft, plan_id=plan_id,
                                        expected_version=version),
                (lambda saved: plans.activate_plan(ctx.database, ctx.actor, saved.id, expected_version=saved.version))
                if then_activate else None)

        def done(result: tuple[PlanRecord, AcuDeskError | None]) -> None:
            saved, refused = result
            self._saved(saved)
            if refused is not None:
                self._fail(refused)

        ctx.operations.write(self, work, done, on_failure=self._fail)

    def _fail(self, error: BaseException) -> None:
        if isinstance(error, TreatmentBlockedError):  # stopped meanwhile (in another window): the banner says why
            self.gate_allowed = False
            self._show_gate(error.message)
            self.reload()
            return
        if isinstance(error, ValidationErrors):
            self.set_message("\n".join(e.message for e in error.errors), ERROR_TEXT)
        elif isinstance(error, AcuDeskError):
            self.set_message(error.message, ERROR_TEXT)
        else:
            show_error(error, self)

    def _saved(self, record: PlanRecord) -> None:
        self.show_plan(record)
        self.set_message(f"Plan {'activated' if record.status == 'active' else 'saved'}.", SUCCESS_TEXT)

    def activate(self) -> None:
        self.save(then_activate=True)
