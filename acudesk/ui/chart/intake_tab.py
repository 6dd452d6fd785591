"""Intake tab: the questionnaire, a live triage banner, save / sign, the referral record, history.

The history reloads from the change broadcast whenever this patient's clinical records change, in
this window or another; the questionnaire is only refilled when it holds no unsaved answers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo
from typing import Any

from acudesk.domain import dates
from acudesk.domain.errors import AcuDeskError
from acudesk.domain.intake_answers import prefilled_answers, unanswered_questions
from acudesk.domain.triage import action_text, triage
from acudesk.services import intakes
from acudesk.services.intakes import IntakeRecord
from acudesk.ui.chart.banner import TriageBanner, not_screened_text
from acudesk.ui.chart.clearance_panel import ClearancePanel
from acudesk.ui.chart.intake_form import IntakeForm
from acudesk.ui.chart.referral_box import ReferralBox
from acudesk.ui.chart.sign_confirmation import ask_to_sign
from acudesk.ui.context import AppContext
from acudesk.ui.errors import show_error
from acudesk.ui.operations import refresh_on_changes
from acudesk.ui.qt import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
)


def _when(record: IntakeRecord, zone: tzinfo) -> str:
    return dates.day_and_time(record.signed_at or record.recorded_at, zone)


def _result(record: IntakeRecord) -> str:
    """The triage level, or for a draft with questions not asked "not screened (N unanswered)"."""
    if not record.signed:
        try:
            unanswered = len(unanswered_questions(intakes.parse_answers(record.answers, complete=False)))
        except AcuDeskError:
            unanswered = 0
        if unanswered and record.level == "CLEAR":
            return f"not screened ({unanswered} unanswered)"
    return record.level.replace("_", " ")


class IntakeTab(QWidget):
    def __init__(self, context: AppContext, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.saving = False  # a save or sign of this form is in flight
        self.context, self.patient_id = context, patient_id
        self.current: IntakeRecord | None = None
        self.history: list[IntakeRecord] = []
        self.composing = False  # the form holds a new intake, not one from the history
        self.date_of_birth: date | None = None  # from the registry, for a new intake's pre-fill
        self.unanswered = 0  # required questions the form leaves "Not asked"
        self.confirmation: QMessageBox | None = None  # "Sign this intake?" while it is asked
        self.form = IntakeForm()
        self.shown_answers = self.form.values()  # what the form held when last filled: edits differ from it
        scroll = QScrollArea()
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a Tab stop: the question Tab reaches scrolls into view

        self.status = QLabel()
        self.status.setObjectName("intakeStatus")
        self.status.setWordWrap(True)
        self.banner = TriageBanner()
        self.new_button = QPushButton("New intake")
        self.save_button = QPushButton("Save draft")
        self.sign_button = QPushButton("Sign intake")
        self.sign_note = QLabel()  # why Sign is not available yet
        self.sign_note.setObjectName("intakeSignNote")
        self.sign_note.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.sign_button):
            buttons.addWidget(button)
        self.referral = ReferralBox(context)
        self.clearance = ClearancePanel(self)  # a red flag dropped: its clearance, the earlier intake
        self.history_list = QListWidget()
        self.history_list.setObjectName("intakeHistory")
        history = QGroupBox("Intake history")
        QVBoxLayout(history).addWidget(self.history_list)

        side = QVBoxLayout()
        side.addWidget(self.status)
        side.addWidget(self.banner)
        side.addWidget(self.clearance)
        side.addLayout(buttons)
        side.addWidget(self.sign_note)
        side.addWidget(self.referral)
        side.addWidget(history, 1)
        panel = QWidget()
        panel.setLayout(side)
        panel_scroll = QScrollArea()  # the triage, referral and history scroll on a short screen (1366x768)
        panel_scroll.setWidget(panel)
        panel_scroll.setWidgetResizable(True)
        panel_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        panel_scroll.setFrameShape(QFrame.Shape.NoFrame)
        panel_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QHBoxLayout(self)
        layout.addWidget(scroll, 3)
        layout.addWidget(panel_scroll, 2)

        self.form.changed.connect(self.update_banner)
        self.new_button.clicked.connect(lambda: self.new_intake())
        self.save_button.clicked.connect(lambda: self.save(sign=False))
        self.sign_button.clicked.connect(self.ask_to_sign)
        self.history_list.currentRowChanged.connect(self._show_row)
        self.referral.recorded.connect(self._after_save)
        self.clearance.recorded.connect(self._after_save)
        self.update_banner()
        refresh_on_changes(self, context.operations, lambda c: c.concerns_patient(patient_id) and c.clinical,
                           self.reload)

    # -- loading -------------------------------------------------------------------------------------
    def reload(self) -> None:
        """(Re)read the history. Called at first, and by the change broadcast after every clinical write."""
        ctx = self.context
        ctx.operations.query(self, lambda: intakes.list_intakes(ctx.database, ctx.actor, self.patient_id),
                             self._loaded, key="intakes")
        self.clearance.reload()  # answered after the history (one worker, in order)

    def set_date_of_birth(self, date_of_birth: date | None) -> None:
        """The registry's date of birth (the chart's header reads it): a new intake not typed in yet
        is filled in again with it."""
        changed, self.date_of_birth = date_of_birth != self.date_of_birth, date_of_birth
        if changed and self.current is None and not self.editing() and not self.saving:
            self.new_intake(keep_composing=self.composing)

    def editing(self) -> bool:
        """Whether the form holds answers the practitioner typed and has not saved."""
        if self.current is not None and self.current.signed:
            return False
        return self.form.values() != self.shown_answers

    def _loaded(self, rows: list[IntakeRecord]) -> None:
        # Showing the newest intake, the tab goes on showing the newest (one signed in another window).
        newest = bool(self.history) and self.current is not None and self.current.id == self.history[0].id
        self.history = rows
        self.history_list.blockSignals(True)
        self.history_list.clear()
        for row in rows:
            state = "signed" if row.signed else "draft"
            item = QListWidgetItem(f"{_when(row, self.context.zone)}  ·  {_result(row)}  ·  {state}")
            if row.referral_action:
                item.setToolTip(row.referral_action)
            self.history_list.addItem(item)
        self.history_list.blockSignals(False)
        shown = self.current.id if self.current is not None else None
        index = next((i for i, r in enumerate(rows) if r.id == shown), None)
        if self.editing():  # keep the unsaved answers: only the history and its selection follow
            self._select_row(index)
            if index is not None and rows[index] != self.current and self.current is not None:
                self.status.setText(f"Draft of {_when(self.current, self.context.zone)}: changed elsewhere since it "
                                    "was opened, so saving these answers will be refused.")
            return
        if index is not None:
            index = 0 if newest else index
            self._select_row(index)
            if rows[index] != self.current:
                self.show_intake(rows[index])
        elif self.composing:
            self.new_intake(keep_composing=True)  # a new intake stays new; its pre-fill follows the history
        elif not rows:
            self.new_intake()
        else:
            self._select_row(0)
            self.show_intake(rows[0])

    def _select_row(self, index: int | None) -> None:
        self.history_list.blockSignals(True)
        if index is None:
            self.history_list.clearSelection()
            self.history_list.setCurrentRow(-1)
        else:
            self.history_list.setCurrentRow(index)
        self.history_list.blockSignals(False)

    def _show_row(self, index: int) -> None:
        if 0 <= index < len(self.history):
            self.show_intake(self.history[index])

    def show_intake(self, record: IntakeRecord) -> None:
        self.current, self.composing = record, False
        self.form.set_values(record.answers)
        self.shown_answers = self.form.values()
        self.form.set_read_only(record.signed)
        self.save_button.setEnabled(not record.signed)
        if record.signed:
            text = (f"Signed {_when(record, self.context.zone)} by {record.signed_by}. Signed intakes are locked; "
                    "use “New intake”.")
            if not record.digest_ok:
                text += " WARNING: the content no longer matches its signature."
        else:
            text = f"Draft of {_when(record, self.context.zone)} (not signed)."
        self.status.setText(text)
        self.referral.show_intake(record)
        self.update_banner()

    def new_intake(self, *, keep_composing: bool = False) -> None:
        """A new draft: the date of birth and age from the registry and today's date filled in, every
        question "Not asked". Earlier answers are not carried over: a question not asked today would
        read as answered (the earlier intakes stay in the history)."""
        self.current = None
        # Chosen with the button (or kept on a reload): later reloads leave the new intake in place.
        self.composing = keep_composing or bool(self.history)
        self._select_row(None)
        self.form.set_values(prefilled_answers(self.date_of_birth, self.context.today()))
        self.shown_answers = self.form.values()
        self.form.set_read_only(False)
        self.save_button.setEnabled(True)
        born = "date of birth and age from the registry, " if self.date_of_birth else ""
        self.status.setText(f"New intake (not saved): {born}today's date filled in; every question starts "
                            "“Not asked”.")
        self.referral.show_intake(None)
        self.update_banner()

    # -- live triage ---------------------------------------------------------------------------------
    def answers(self) -> dict[str, Any]:
        return self.form.values()

    def update_banner(self) -> None:
        if self.current is not None and self.current.signed:
            record = self.current
            action = action_text(record.level, [(r.rule, r.destination) for r in record.reasons
                                                if r.level == record.level])
            self.banner.show_result(record.level, action, [(r.rule, r.text, r.level) for r in record.reasons],
                                    note=f"Result stored when signed (rules {record.rules_version}).")
            self._update_sign_button()
            return
        try:
            parsed = intakes.parse_answers(self.answers(), complete=False)
        except AcuDeskError as error:
            self.unanswered = -1  # not even a draft can be saved as it stands
            self.banner.show_message(error.message)
            self._update_sign_button(error.message)
            return
        result = triage(parsed)
        self.unanswered = len(unanswered_questions(parsed))
        self.banner.show_result(
            result.level.name, result.action, [(r.rule, r.text, r.level.name) for r in result.reasons],
            result.safety_netting, note="Live result: updates as you answer.", unanswered=self.unanswered,
        )
        self._update_sign_button()

    def _update_sign_button(self, problem: str = "") -> None:
        """Sign is available for an unsigned intake whose every required question is answered and whose
        dropped red flags are cleared; otherwise the reason is shown under the buttons (the service
        refuses such a signature as well)."""
        if self.current is not None and self.current.signed:
            reason = ""
            allowed = False
        elif problem:
            reason, allowed = f"Cannot be signed: {problem}", False
        elif self.unanswered:
            reason = (f"Cannot be signed yet: {not_screened_text(self.unanswered)}. Answer every question "
                      "marked * (Yes or No, or the value asked for).")
            allowed = False
        elif self.clearance.missing:
            rules, several = ", ".join(flag.rule for flag in self.clearance.missing), len(self.clearance.missing) > 1
            reason = (f"Cannot be signed yet: the earlier intake's red flag{'s' if several else ''} {rules} "
                      f"need{'' if several else 's'} a recorded clearance (Record clearance…).")
            allowed = False
        else:
            reason, allowed = "", True
        self.sign_button.setEnabled(allowed and not self.saving)
        self.sign_button.setToolTip(reason or "Sign: asks first; a signed intake cannot be changed afterwards.")
        self.sign_note.setText(reason)
        self.sign_note.setVisible(bool(reason))

    def ask_to_sign(self) -> None:
        """Sign and lock the intake on the form, once the practitioner confirms."""
        if not self.sign_button.isEnabled():
            return
        level = self.banner.level.replace("_", " ")
        self.confirmation = ask_to_sign(
            self, "Sign this intake?",
            f"Sign this intake (result: {level})? Signing records that every question was asked and answered "
            "as shown.",
            "it can only be amended by a new intake, which supersedes it (both are kept).",
            lambda: self.save(sign=True))
        self.confirmation.finished.connect(lambda _result: setattr(self, "confirmation", None))

    # -- saving --------------------------------------------------------------------------------------
    def _save_work(self, *, sign: bool) -> Callable[[], IntakeRecord]:
        ctx, answers, current = self.context, self.answers(), self.current
        draft_id = current.id if current is not None and not current.signed else None
        version = current.version if draft_id is not None and current is not None else None
        return lambda: intakes.save_intake(ctx.database, ctx.actor, self.patient_id, answers, intake_id=draft_id,
                                           expected_version=version, sign=sign)

    def unsaved_draft(self) -> Callable[[], IntakeRecord] | None:
        """Saving what was typed and not saved, as a draft (never signed); None when nothing is unsaved."""
        return self._save_work(sign=False) if self.editing() and not self.saving else None

    def save(self, *, sign: bool) -> None:
        ctx, work = self.context, self._save_work(sign=sign)
        self.saving = True  # what is typed is on its way: not an unsaved draft any more
        self.save_button.setEnabled(False)
        self.sign_button.setEnabled(False)

        def failed(error: BaseException) -> None:
            self.saving = False
            self.save_button.setEnabled(True)
            self._update_sign_button()
            show_error(error, self)

        ctx.operations.write(self, work, self._after_save, on_failure=failed)

    def _after_save(self, record: IntakeRecord) -> None:
        """Show what was saved at once; the history (and the rest of the chart) reloads from the broadcast."""
        self.saving = False
        self.show_intake(record)
        self._select_row(next((i for i, r in enumerate(self.history) if r.id == record.id), None))
