"""Intake tab: the questionnaire, a live triage banner, save / sign, the referral record, history."""

from __future__ import annotations

from typing import Any

from acudesk.domain.errors import AcuDeskError
from acudesk.domain.triage import load_triage_rules, triage
from acudesk.services import intakes
from acudesk.services.intakes import IntakeRecord
from acudesk.ui.chart.banner import TriageBanner
from acudesk.ui.chart.intake_form import IntakeForm
from acudesk.ui.chart.referral_box import ReferralBox
from acudesk.ui.chart.tasks import run_for
from acudesk.ui.context import AppContext
from acudesk.ui.errors import show_error
from acudesk.ui.qt import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)


def _when(record: IntakeRecord) -> str:
    at = record.signed_at or record.recorded_at
    return f"{at.astimezone():%d %b %Y %H:%M}"


class IntakeTab(QWidget):
    changed = Signal()  # an intake was saved, signed or its referral recorded

    def __init__(self, context: AppContext, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.patient_id = context, patient_id
        self.current: IntakeRecord | None = None
        self.history: list[IntakeRecord] = []
        self.form = IntakeForm()
        scroll = QScrollArea()
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.status = QLabel()
        self.status.setObjectName("intakeStatus")
        self.status.setWordWrap(True)
        self.banner = TriageBanner()
        self.new_button = QPushButton("New intake")
        self.save_button = QPushButton("Save draft")
        self.sign_button = QPushButton("Sign intake")
        self.sign_button.setToolTip("Signing confirms every question was asked; unticked boxes are recorded as “no”.")
        buttons = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.sign_button):
            buttons.addWidget(button)
        self.referral = ReferralBox(context)
        self.history_list = QListWidget()
        self.history_list.setObjectName("intakeHistory")
        history = QGroupBox("Intake history")
        QVBoxLayout(history).addWidget(self.history_list)

        side = QVBoxLayout()
        side.addWidget(self.status)
        side.addWidget(self.banner)
        side.addLayout(buttons)
        side.addWidget(self.referral)
        side.addWidget(history, 1)
        panel = QWidget()
        panel.setLayout(side)
        layout = QHBoxLayout(self)
        layout.addWidget(scroll, 3)
        layout.addWidget(panel, 2)

        self.form.changed.connect(self.update_banner)
        self.new_button.clicked.connect(self.new_intake)
        self.save_button.clicked.connect(lambda: self.save(sign=False))
        self.sign_button.clicked.connect(lambda: self.save(sign=True))
        self.history_list.currentRowChanged.connect(self._show_row)
        self.referral.recorded.connect(self._after_save)
        self.update_banner()

    # -- loading -------------------------------------------------------------------------------------
    def load(self, select_id: int | None = None) -> None:
        ctx = self.context
        run_for(self, ctx.runner, lambda: intakes.list_intakes(ctx.database, ctx.actor, self.patient_id),
                       lambda rows: self._loaded(rows, select_id), lambda error: show_error(error, self))

    def _loaded(self, rows: list[IntakeRecord], select_id: int | None) -> None:
        self.history = rows
        self.history_list.blockSignals(True)
        self.history_list.clear()
        for row in rows:
            state = "signed" if row.signed else "draft"
            item = QListWidgetItem(f"{_when(row)}  ·  {row.level.replace('_', ' ')}  ·  {state}")
            if row.referral_action:
                item.setToolTip(row.referral_action)
            self.history_list.addItem(item)
        self.history_list.blockSignals(False)
        if not rows:
            self.new_intake()
            return
        index = next((i for i, r in enumerate(rows) if r.id == select_id), 0)
        self.history_list.setCurrentRow(index)
        self._show_row(index)

    def _show_row(self, index: int) -> None:
        if 0 <= index < len(self.history):
            self.show_intake(self.history[index])

    def show_intake(self, record: IntakeRecord) -> None:
        self.current = record
        self.form.set_values(record.answers)
        self.form.set_read_only(record.signed)
        self.save_button.setEnabled(not record.signed)
        self.sign_button.setEnabled(not record.signed)
        if record.signed:
            text = f"Signed {_when(record)} by {record.signed_by}. Signed intakes are locked; use “New intake”."
            if not record.digest_ok:
                text += " WARNING: the content no longer matches its signature."
        else:
            text = f"Draft of {_when(record)} (not signed)."
        self.status.setText(text)
        self.referral.show_intake(record)
        self.update_banner()

    def new_intake(self) -> None:
        """A new draft, pre-filled from the latest signed intake (every answer can be changed)."""
        latest = next((r for r in self.history if r.signed), None)
        self.current = None
        self.history_list.clearSelection()
        self.form.set_values(latest.answers if latest else {})
        self.form.set_read_only(False)
        self.save_button.setEnabled(True)
        self.sign_button.setEnabled(True)
        prefilled = " Pre-filled from the latest signed intake." if latest else ""
        self.status.setText("New intake (not saved)." + prefilled)
        self.referral.show_intake(None)
        self.update_banner()

    # -- live triage ---------------------------------------------------------------------------------
    def answers(self) -> dict[str, Any]:
        return self.form.values()

    def update_banner(self) -> None:
        if self.current is not None and self.current.signed:
            record = self.current
            action = load_triage_rules().level_texts.get(record.level, "")
            self.banner.show_result(record.level, action, [(r.rule, r.text, r.level) for r in record.reasons],
                                    note=f"Result stored when signed (rules {record.rules_version}).")
            return
        try:
            result = triage(intakes.parse_answers(self.answers(), complete=False))
        except AcuDeskError as error:
            self.banner.show_message(error.message)
            return
        self.banner.show_result(
            result.level.name, result.action, [(r.rule, r.text, r.level.name) for r in result.reasons],
            result.safety_netting, note="Live result: updates as you answer.",
        )

    # -- saving --------------------------------------------------------------------------------------
    def save(self, *, sign: bool) -> None:
        ctx, answers, current = self.context, self.answers(), self.current
        draft_id = current.id if current is not None and not current.signed else None
        version = current.version if draft_id is not None and current is not None else None
        self.save_button.setEnabled(False)
        self.sign_button.setEnabled(False)

        def failed(error: BaseException) -> None:
            self.save_button.setEnabled(True)
            self.sign_button.setEnabled(True)
            show_error(error, self)

        run_for(self, ctx.runner,
            lambda: intakes.save_intake(ctx.database, ctx.actor, self.patient_id, answers, intake_id=draft_id,
                                        expected_version=version, sign=sign),
            self._after_save, failed,
        )

    def _after_save(self, record: IntakeRecord) -> None:
        self.load(select_id=record.id)
        self.changed.emit()
