"""The intake tab's clearance panel: a new intake that drops a red flag says so, and asks for its clearance.

Shown while the form holds a draft (saved or not) whose live triage no longer shows an EMERGENCY or
URGENT_REFERRAL flag of the patient's latest signed intake (domain/flag_clearance.py). It names those
flags, keeps the earlier intake on screen beside the new one (its flags, and the answers that now
differ, those behind the dropped flags first), lists the clearances recorded for this draft, and
offers **Record clearance…** (ui/chart/clearance_dialog.py). Recording saves the draft as it stands,
then the clearance, through ``operations.write``; the panel's clearances reload when the tab reloads
from the change broadcast.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from html import escape
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from acudesk.domain import dates
from acudesk.domain.conditions import question_ids_in
from acudesk.domain.errors import AcuDeskError
from acudesk.domain.flag_clearance import Flag, dropped_flags, uncleared
from acudesk.domain.intake import load_questionnaire
from acudesk.domain.triage import load_triage_rules, triage
from acudesk.services import flag_clearances, intakes
from acudesk.services.flag_clearances import ClearanceRecord
from acudesk.services.intakes import IntakeRecord
from acudesk.ui.chart.banner import STYLES
from acudesk.ui.chart.clearance_dialog import ClearanceDialog
from acudesk.ui.errors import show_error
from acudesk.ui.operations import save_then
from acudesk.ui.qt import QGroupBox, QLabel, QListWidget, QPushButton, Qt, QVBoxLayout, Signal

if TYPE_CHECKING:
    from acudesk.ui.chart.intake_tab import IntakeTab


def _shown(value: Any) -> str:
    if value is None:
        return "not asked"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def answers_that_differ(previous: Mapping[str, Any], now: Mapping[str, Any], first: set[str]) -> list[str]:
    """"Question: then … · now …" for every answer that differs, the questions in ``first`` first."""
    questions = load_questionnaire().questions
    differing = [q for q in questions if previous.get(q.id) != now.get(q.id)]
    differing.sort(key=lambda q: q.id not in first)
    return [f"{q.text}: then {_shown(previous.get(q.id))} · now {_shown(now.get(q.id))}" for q in differing]


def _flags(record: IntakeRecord) -> list[Flag]:
    return [Flag(r.rule, r.level, r.text) for r in record.reasons]


class ClearancePanel(QGroupBox):
    recorded = Signal(object)  # IntakeRecord: the draft as saved with its clearance

    def __init__(self, tab: IntakeTab) -> None:
        super().__init__("Red flags dropped — clearance required")
        self.setObjectName("clearancePanel")
        self.tab, self.context = tab, tab.context
        self.clearances: list[ClearanceRecord] = []
        self.previous: IntakeRecord | None = None  # the latest signed intake, whose flags are dropped
        self.dropped: tuple[Flag, ...] = ()
        self.missing: tuple[Flag, ...] = ()
        self.dialog: ClearanceDialog | None = None
        self.headline = QLabel()
        self.headline.setObjectName("clearanceHeadline")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.record_button = QPushButton("Record clearance…")
        self.earlier = QLabel()
        self.earlier.setObjectName("previousIntake")
        self.earlier.setWordWrap(True)
        self.differences = QListWidget()
        self.differences.setObjectName("answersThatDiffer")
        self.differences.setMaximumHeight(140)
        self.differences.setWordWrap(True)  # a question's text and both answers read in full
        self.differences.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.record_button)
        layout.addWidget(self.earlier)
        layout.addWidget(self.differences)
        self.record_button.clicked.connect(self.ask)
        tab.form.changed.connect(self.follow)
        self.hide()

    # -- what is shown -------------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the patient's clearances (the tab calls it with its own reload, after the history)."""
        ctx, patient_id = self.context, self.tab.patient_id
        ctx.operations.query(self, lambda: flag_clearances.list_clearances(ctx.database, ctx.actor, patient_id),
                             self._loaded, key="clearances")

    def _loaded(self, rows: list[ClearanceRecord]) -> None:
        self.clearances = rows
        self.follow()
        self.tab.update_banner()  # Sign waits for a missing clearance (a change of answers does both in turn)

    def follow(self) -> None:
        """Compare the form's answers, as they stand, with the latest signed intake; for a signed intake
        shown from the history, show the clearances it was signed with (if any)."""
        current = self.tab.current
        if current is not None and current.signed:
            self._show_signed(current)
            return
        signed = [r for r in self.tab.history if r.signed and (current is None or r.id != current.id)]
        self.previous = max(signed, key=lambda r: (r.signed_at or r.recorded_at, r.id), default=None)
        if self.previous is None:
            self.dropped = self.missing = ()
            self.hide()
            return
        self.setTitle("Red flags dropped — clearance required")
        answers = self.tab.answers()
        try:
            result = triage(intakes.parse_answers(answers, complete=False))
            level, flags = result.level.name, [Flag(r.rule, r.level.name, r.text) for r in result.reasons]
        except AcuDeskError:  # answers the banner already calls unreadable: nothing counts as still shown
            level, flags = "CLEAR", []
        self.dropped = dropped_flags(self.previous.level, _flags(self.previous), level, flags)
        mine = [c for c in self.clearances if current is not None and c.intake_id == current.id
                and c.flagged_intake_id == self.previous.id]
        self.missing = uncleared(self.dropped, {flag.rule for c in mine for flag in c.flags})
        self.setVisible(bool(self.dropped))
        if self.dropped:
            self._render(mine, answers)

    def _show_signed(self, record: IntakeRecord) -> None:
        """A signed intake that dropped red flags: who cleared them, when and why, beside the earlier intake."""
        mine = [c for c in self.clearances if c.intake_id == record.id]
        # Signing compared it with the intake its newest clearance answers (services/flag_clearances.py).
        answered = mine[0].flagged_intake_id if mine else None
        self.previous = next((r for r in self.tab.history if r.id == answered), None)
        if self.previous is None:
            self.dropped = self.missing = ()
            self.hide()
            return
        mine = [c for c in mine if c.flagged_intake_id == answered]
        self.dropped = tuple({f.rule: f for c in reversed(mine) for f in c.flags}.values())
        self.missing = ()
        self.setTitle("Red flags cleared by this intake")
        self.show()
        self._render(mine, record.answers)

    def _render(self, mine: list[ClearanceRecord], answers: Mapping[str, Any]) -> None:
        assert self.previous is not None
        flagged_on = f"{dates.day(self.flagged_on())}"
        listed = "".join(f"<li><b>{escape(f.rule)}</b> ({escape(f.level.replace('_', ' '))}): {escape(f.text)}</li>"
                         for f in self.dropped)
        if self.missing:
            colour = "red"
            text = (f"<b>The signed intake of {flagged_on} raised red flags this intake no longer shows:</b>"
                    f"<ul>{listed}</ul>It cannot be signed until a clearance records what changed, who saw the "
                    "patient and when.")
        else:
            colour = "amber"
            done = "".join(f"<li>{escape(c.who)}, seen {dates.day(c.seen_on)} (recorded by {escape(c.recorded_by)}): "
                           f"{escape(c.what_changed)}</li>" for c in mine)
            text = (f"<b>Cleared:</b> the red flags of the signed intake of {flagged_on} this intake drops"
                    f"<ul>{listed}</ul>Clearance recorded:<ul>{done}</ul>")
        self.headline.setText(text)
        self.headline.setStyleSheet(f"QLabel {{ {STYLES[colour]} border-radius: 6px; padding: 6px; }}")
        self.record_button.setVisible(bool(self.missing))
        previous = self.previous
        raised = "; ".join(f"{r.rule} ({r.level.replace('_', ' ')})" for r in previous.reasons) or "no reasons stored"
        self.earlier.setText(f"Earlier intake, signed {flagged_on} by {previous.signed_by} — "
                             f"{previous.level.replace('_', ' ')}: {raised}. Answers that differ now:")
        rules = {rule.id: rule for rule in load_triage_rules().rules}
        named = load_triage_rules().questionnaire.named_conditions
        behind = {qid for f in self.dropped if f.rule in rules for qid in question_ids_in(rules[f.rule].when, named)}
        self.differences.clear()
        self.differences.addItems(answers_that_differ(previous.answers, answers, behind) or ["(none)"])

    def flagged_on(self) -> date:
        assert self.previous is not None
        at = self.previous.signed_at or self.previous.recorded_at
        return at.astimezone(ZoneInfo(self.context.clinic.timezone)).date()

    # -- recording -----------------------------------------------------------------------------------
    def ask(self) -> None:
        if not self.missing or self.tab.saving:  # a save or signing of this intake is still on its way
            return
        self.dialog = ClearanceDialog(self.dropped, self.flagged_on(), self.context.today(), self)
        self.dialog.accepted.connect(self._record)
        self.dialog.open()

    def _record(self) -> None:
        assert self.dialog is not None and self.dialog.draft is not None
        ctx, entered = self.context, self.dialog.draft
        save = self.tab._save_work(sign=False)  # the draft as it stands: the clearance belongs to it

        def clear(saved: IntakeRecord) -> IntakeRecord:
            flag_clearances.record_clearance(ctx.database, ctx.actor, saved.id, entered)
            return saved

        def done(outcome: tuple[IntakeRecord, AcuDeskError | None]) -> None:
            saved, refused = outcome
            self.tab.saving = False
            self.record_button.setEnabled(True)
            self.recorded.emit(saved)
            if refused is not None:
                show_error(refused, self)

        def failed(error: BaseException) -> None:
            self.tab.saving = False
            self.record_button.setEnabled(True)
            show_error(error, self)

        self.tab.saving = True
        self.record_button.setEnabled(False)
        ctx.operations.write(self, lambda: save_then(save, clear), done, on_failure=failed)
