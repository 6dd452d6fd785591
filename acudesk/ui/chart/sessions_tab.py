"""Sessions tab: the list of session records, a new session pre-filled from the plan, needle counts,
sign and lock (after a confirmation), amendments (original and amendment stacked; Cancel gives an
amendment up), and adverse events.

The lists and the treatment stop reload from the change broadcast whenever this patient's clinical
records change; the record in the editor is only refilled when nothing typed would be lost. While the
red-flag screening stops treatment (services/intakes.treatment_gate_for) the tab says so in a red
banner and the editor is read-only: no session can be started, typed or signed, since none may be
given. Amending a signed record (a correction of what was done earlier) stays possible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, tzinfo

from acudesk.domain import dates
from acudesk.domain.errors import AcuDeskError, ValidationError, ValidationErrors
from acudesk.domain.treatment_gate import GateDecision, TreatmentBlockedError
from acudesk.services import adverse_events, intakes, sessions
from acudesk.services.adverse_events import AdverseEventData
from acudesk.services.sessions import SessionData, SessionDraft
from acudesk.ui.chart.adverse_event_dialog import AdverseEventDialog
from acudesk.ui.chart.banner import TreatmentStopBanner
from acudesk.ui.chart.history_view import HistoryView
from acudesk.ui.chart.session_editor import SessionEditor
from acudesk.ui.chart.sign_confirmation import ask_to_sign
from acudesk.ui.context import AppContext
from acudesk.ui.errors import show_error
from acudesk.ui.operations import refresh_on_changes, save_then
from acudesk.ui.qt import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from acudesk.ui.style import ERROR_TEXT


def _row_text(record: SessionData, zone: tzinfo) -> str:
    d = record.latest  # as its latest amendment says
    after = "—" if d.nrs_after is None else d.nrs_after
    nrs = f"NRS {d.nrs_before}→{after}" if d.nrs_before is not None else "NRS —"
    amended = f" · amended ×{record.amendments}" if record.amendments else ""
    return f"{dates.day_and_time(d.session_at, zone)} · {record.status} · {nrs}{amended}"


def _summary(draft: SessionDraft) -> str:
    pain = "—" if draft.nrs_before is None else draft.nrs_before
    after = "—" if draft.nrs_after is None else draft.nrs_after
    return (f"{len(draft.points)} point{'s' if len(draft.points) != 1 else ''}, needles {draft.needles_in} in / "
            f"{draft.needles_out} out, pain {pain} → {after}")


AUTOSAVE_AFTER_MS = 2000  # a pause in typing this long keeps the notes as a draft


class SessionsTab(QWidget):
    rescreen_changed = Signal()  # the patient reports a change at re-screening: a new intake is due

    def __init__(self, context: AppContext, patient_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context, self.patient_id = context, patient_id
        self.records: list[SessionData] = []
        self.current: SessionData | None = None
        self.mode = "none"  # none | new | draft | signed | amend
        self.saving = False  # a save or sign of the editor is in flight
        self.refusal = ""  # why the last Sign was refused, shown once the draft is reloaded
        self.select_next: int | None = None  # the record to show once the list has reloaded (after a save)
        self.shown_draft: SessionDraft | None = None  # what the editor held when last filled
        self.stopped = False  # treatment is stopped by the red-flag screening: no session may be written
        self.confirmation: QMessageBox | None = None  # "Sign this record?" while it is asked
        self.gate_banner = TreatmentStopBanner(
            "sessionsGate", "No session can be recorded until then: the session editor is read-only.")
        self.list = QListWidget()
        self.list.setObjectName("sessionList")
        self.list.setAccessibleName("Sessions")
        self.events = QListWidget()
        self.events.setObjectName("adverseEvents")
        self.events.setAccessibleName("Adverse events")
        self.new_button = QPushButton("New session")
        self.event_button = QPushButton("Adverse event…")
        self.resolve_button = QPushButton("Resolve event…")
        left = QVBoxLayout()
        left.addWidget(self.new_button)
        left.addWidget(QLabel("Session records"))
        left.addWidget(self.list, 2)
        left.addWidget(QLabel("Adverse events"))
        left.addWidget(self.events, 1)
        events_row = QHBoxLayout()
        events_row.addWidget(self.event_button)
        events_row.addWidget(self.resolve_button)
        left.addLayout(events_row)

        self.state = QLabel("Choose a session, or start a new one.")
        self.state.setObjectName("sessionState")
        self.state.setWordWrap(True)
        self.state.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.editor = SessionEditor()
        self.reason = QLineEdit()
        self.reason.setObjectName("amendmentReason")
        self.reason.setPlaceholderText("Reason for the amendment (required)")
        self.history = HistoryView()
        history_scroll = QScrollArea()
        history_scroll.setWidget(self.history)
        history_scroll.setWidgetResizable(True)
        history_scroll.setAccessibleName("Signed record and amendments")  # a Tab stop, to scroll it by keys
        self.history_box = QGroupBox("Signed record and amendments")
        QVBoxLayout(self.history_box).addWidget(history_scroll)
        self.save_button = QPushButton("Save draft")
        self.sign_button = QPushButton("Sign and lock")
        self.amend_button = QPushButton("Amend…")
        self.save_amendment_button = QPushButton("Sign amendment")
        self.cancel_amendment_button = QPushButton("Cancel")
        self.cancel_amendment_button.setToolTip("Give up this amendment; the signed record stays as it is.")
        buttons = QHBoxLayout()
        buttons.addWidget(self.reason, 1)
        for button in (self.save_button, self.sign_button, self.amend_button, self.save_amendment_button,
                       self.cancel_amendment_button):
            buttons.addWidget(button)
        right = QVBoxLayout()
        right.addWidget(self.gate_banner)
        right.addWidget(self.state)
        right.addWidget(self.editor, 3)
        right.addLayout(buttons)
        right.addWidget(self.history_box, 2)
        right.addStretch(0)  # with the editor hidden, the banner and the state line keep their height
        splitter = QSplitter()
        for part in (left, right):
            holder = QWidget()
            holder.setLayout(part)
            splitter.addWidget(holder)
        splitter.setSizes([300, 900])
        QVBoxLayout(self).addWidget(splitter)

        self.new_button.clicked.connect(self.new_session)
        self.list.currentRowChanged.connect(self._select)
        self.save_button.clicked.connect(lambda: self.save(sign=False))
        self.sign_button.clicked.connect(self.ask_to_sign)
        self.amend_button.clicked.connect(self.start_amendment)
        self.save_amendment_button.clicked.connect(self.ask_to_sign_amendment)
        self.cancel_amendment_button.clicked.connect(self.cancel_amendment)
        self.editor.needlesChanged.connect(lambda _match: self._update_buttons())
        # Notes are kept as a draft while they are typed: a pause in typing saves them (never signed).
        self.autosave = QTimer(self)
        self.autosave.setSingleShot(True)
        self.autosave.setInterval(AUTOSAVE_AFTER_MS)
        self.autosave.timeout.connect(self._autosave)
        self.editor.edited.connect(self._typed)
        self.event_button.clicked.connect(self.add_event)
        self.resolve_button.clicked.connect(self.resolve_event)
        self._set_mode("none")
        refresh_on_changes(self, context.operations, lambda c: c.concerns_patient(patient_id) and c.clinical,
                           self.reload)

    # -- state ---------------------------------------------------------------------------------------
    def _set_mode(self, mode: str) -> None:
        self.mode = mode
        editable = mode == "amend" or (mode in ("new", "draft") and not self.stopped)
        self.editor.setVisible(mode != "none")
        self.editor.set_read_only(not editable)
        self.reason.setVisible(mode == "amend")
        self.history_box.setVisible(mode in ("signed", "amend"))
        self._update_buttons()

    def _update_buttons(self) -> None:
        match = self.editor.value().needles_match if self.editor.draft is not None else False
        self.save_button.setVisible(self.mode in ("new", "draft"))
        self.save_button.setEnabled(not self.stopped)
        self.sign_button.setVisible(self.mode in ("new", "draft"))
        self.sign_button.setEnabled(match and not self.stopped)
        self.sign_button.setToolTip("Treatment is stopped: see the red banner." if self.stopped else
                                    "" if match else "Needle counts must be entered and agree before signing.")
        self.new_button.setEnabled(not self.stopped)
        self.new_button.setToolTip("Treatment is stopped: see the red banner." if self.stopped else "")
        self.amend_button.setVisible(self.mode == "signed")
        self.save_amendment_button.setVisible(self.mode == "amend")
        self.save_amendment_button.setEnabled(match)
        self.cancel_amendment_button.setVisible(self.mode == "amend")

    def show_gate(self, allowed: bool, message: str) -> None:
        """The treatment stop: the banner, and the editor read-only while it holds (editable again once lifted)."""
        self.stopped = not allowed
        self.gate_banner.show_gate(allowed, message)
        self._set_mode(self.mode)

    # -- loading -------------------------------------------------------------------------------------
    def reload(self, select_id: int | None = None) -> None:
        """(Re)read the records and adverse events; called at first and by the change broadcast.
        ``select_id``: the record to show once they are read (else the one shown stays)."""
        ctx = self.context
        if select_id is not None:
            self.select_next = select_id

        def work() -> tuple[list[SessionData], list[AdverseEventData], GateDecision]:
            return (sessions.list_sessions(ctx.database, ctx.actor, self.patient_id),
                    adverse_events.list_adverse_events(ctx.database, ctx.actor, self.patient_id),
                    intakes.treatment_gate_for(ctx.database, ctx.actor, self.patient_id))

        ctx.operations.query(self, work, lambda result: self._loaded(*result), key="sessions")

    def editing(self) -> bool:
        """Whether the editor holds a record being written: a new one, an amendment, or a changed draft."""
        if self.mode in ("new", "amend"):
            return True
        return self.mode == "draft" and self.editor.draft is not None and self.editor.value() != self.shown_draft

    def _loaded(self, records: list[SessionData], events: list[AdverseEventData], gate: GateDecision) -> None:
        self.show_gate(gate.allowed, gate.message)
        self.records = records
        self.list.blockSignals(True)
        self.list.clear()
        for record in records:
            self.list.addItem(_row_text(record, self.context.zone))
        self.list.blockSignals(False)
        self.events.clear()
        for event in events:
            state = "OPEN" if event.open else "resolved"
            item = QListWidgetItem(f"{dates.day(self.context.local(event.occurred_at), weekday=True)} · "
                                   f"{event.kind.replace('_', ' ')} · "
                                   f"{event.severity} · {state}")
            item.setData(Qt.ItemDataRole.UserRole, event.id)
            item.setToolTip(f"{event.description}\nAction: {event.action_taken}")
            if event.open:
                item.setForeground(Qt.GlobalColor.red)
            self.events.addItem(item)
        chosen, self.select_next = self.select_next, None
        shown = self.current.id if self.current is not None and self.mode != "new" else None
        index = next((i for i, r in enumerate(records) if r.id == (chosen or shown)), None)
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1 if index is None else index)
        self.list.blockSignals(False)
        if index is None:
            return
        if chosen is not None or (not self.editing() and records[index] != self.current):
            self._select(index)  # the record just saved, or a record changed elsewhere, shown afresh

    def _select(self, index: int) -> None:
        if not 0 <= index < len(self.records):
            return
        record = self.records[index]
        self.current = record
        if record.signed:
            ctx = self.context
            ctx.operations.query(self, lambda: sessions.session_history(ctx.database, ctx.actor, record.id),
                                 self._show_history, key="history")
        else:
            self._show_draft(record.draft)
            self.state.setText(self.refusal or f"Draft session record no. {record.id} (not signed).")
            self.state.setStyleSheet(f"color: {ERROR_TEXT}; font-weight: 600;" if self.refusal else "")
            self.refusal = ""
            self._set_mode("draft")

    def _show_draft(self, draft: SessionDraft) -> None:
        self.editor.set_draft(draft)
        self.shown_draft = self.editor.value()

    def _show_history(self, records: list[SessionData]) -> None:
        self.history.show_records(records, self.context.zone)
        latest = records[-1]
        self._show_draft(latest.draft)
        amended = f", amended {len(records) - 1}×; showing the latest version" if len(records) > 1 else ""
        self.state.setText(f"Signed and locked{amended}. Corrections are added with “Amend…”.")
        self.state.setStyleSheet("")
        if not all(record.digest_ok for record in records):
            self.state.setText("WARNING: this signed record was changed outside AcuDesk after signing; it no "
                               "longer matches its signature. Tell the clinic's administrator.")
            self.state.setStyleSheet(f"color: {ERROR_TEXT}; font-weight: 600;")
        self._set_mode("signed")

    # -- new / save / sign ---------------------------------------------------------------------------
    def new_session(self) -> None:
        ctx, now = self.context, datetime.now(UTC).replace(second=0, microsecond=0)

        def done(loaded: tuple[SessionDraft, tuple[str, ...]]) -> None:
            draft: SessionDraft | None
            draft, advice = loaded
            if advice:
                draft = self._rescreen(draft, advice)
            if draft is None:
                return
            self.current = None
            self.list.clearSelection()
            self._show_draft(draft)
            source = "pre-filled from the plan" if draft.plan_id else "no plan to pre-fill from"
            self.state.setText(f"New session ({source}). Count needles in and out.")
            self._set_mode("new")

        def load() -> tuple[SessionDraft, tuple[str, ...]]:
            draft = sessions.new_session_draft(ctx.database, ctx.actor, self.patient_id, now)
            return draft, intakes.rescreen_advice(ctx.database, ctx.actor, self.patient_id)

        ctx.operations.query(self, load, done, key="new-session")

    def _rescreen(self, draft: SessionDraft, advice: tuple[str, ...]) -> SessionDraft | None:
        """Ask the re-screening questions before treating; record the answer in the note."""
        answer = QMessageBox.question(
            self, "Re-screen before treatment",
            "The intake found a warning sign that needs checking again at every visit:\n\n"
            + "\n".join(f"• {line}" for line in advice)
            + "\n\nHas anything changed since the intake? Choose Yes to record a new intake instead.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.state.setText("Record a new intake (Intake tab) before this session: the patient reports a change.")
            self.rescreen_changed.emit()
            return None
        note = "Re-screened for red flags at this visit: no change reported."
        return replace(draft, subjective=f"{note}\n{draft.subjective}".strip())

    def _fail(self, error: BaseException) -> None:
        self.saving = False
        if isinstance(error, TreatmentBlockedError):  # stopped meanwhile (in another window): the banner says why
            self.show_gate(False, error.message)
            self.reload()
            return
        if isinstance(error, ValidationErrors):
            self.state.setText("\n".join(e.message for e in error.errors))
        elif isinstance(error, AcuDeskError):
            self.state.setText(error.message)
        else:
            show_error(error, self)
            return
        self.state.setStyleSheet(f"color: {ERROR_TEXT}; font-weight: 600;")

    def _save_work(self, *, sign: bool) -> Callable[[], tuple[SessionData, AcuDeskError | None]]:
        ctx, draft, current = self.context, self.editor.value(), self.current
        session_id = current.id if current is not None and not current.signed else None
        version = current.version if session_id is not None and current is not None else None

        def work() -> tuple[SessionData, AcuDeskError | None]:
            # A refused signature leaves the draft saved (for a needle mismatch, the adverse event opened).
            return save_then(
                lambda: sessions.save_session(ctx.database, ctx.actor, self.patient_id, draft, session_id=session_id,
                                              expected_version=version),
                (lambda saved: sessions.sign_session(ctx.database, ctx.actor, saved.id, expected_version=saved.version))
                if sign else None)

        return work

    def ask_to_sign(self) -> None:
        """Sign and lock the record in the editor, once the practitioner confirms."""
        if not self.sign_button.isEnabled() or self.editor.draft is None:
            return
        draft = self.editor.value()
        self.confirmation = ask_to_sign(
            self, "Sign this session record?",
            f"Sign and lock the session record of {self.context.when(draft.session_at)} "
            f"({_summary(draft)})?",
            "corrections can only be added as amendments, kept with the original.",
            lambda: self.save(sign=True))
        self.confirmation.finished.connect(lambda _result: setattr(self, "confirmation", None))

    def unsaved_draft(self) -> Callable[[], object] | None:
        """Saving a new or changed session as a draft (never signed); None when nothing is unsaved. An
        amendment being written is not a draft: the chart asks before it is given up."""
        if self.saving or self.mode not in ("new", "draft") or not self.editing():
            return None
        return self._save_work(sign=False)

    def _typed(self) -> None:
        if self.mode in ("new", "draft") and not self.stopped:
            self.autosave.start()

    def _autosave(self) -> None:
        """Keep what is typed as a draft. The editor is not filled again afterwards (the practitioner
        may be typing on): it now compares against what was saved, and the list shows the draft."""
        if self.saving or self.mode not in ("new", "draft") or self.stopped or not self.editing():
            return
        snapshot = self.editor.value()
        work = self._save_work(sign=False)

        def done(result: tuple[SessionData, AcuDeskError | None]) -> None:
            self.saving = False
            saved, _error = result
            self.current, self.shown_draft, self.mode = saved, snapshot, "draft"
            self.state.setText(f"Draft kept at {dates.time_of(datetime.now(self.context.zone))} "
                               "(not signed).")
            self._update_buttons()
            if self.editing():
                self.autosave.start()  # typed on while it saved

        def failed(error: BaseException) -> None:
            self.saving = False
            self.state.setText("Your notes are not saved yet: keeping them as a draft failed. Save draft to "
                               "try again.")
            self.state.setStyleSheet(f"color: {ERROR_TEXT}; font-weight: 600;")

        self.saving = True
        self.context.operations.write(self, work, done, on_failure=failed)

    def save(self, *, sign: bool) -> None:
        self.autosave.stop()
        work = self._save_work(sign=sign)

        def done(result: tuple[SessionData, AcuDeskError | None]) -> None:
            self.saving = False
            saved, error = result
            self._saved(saved)
            if error is not None:
                self.refusal = error.message

        self.state.setStyleSheet("")
        self.saving = True
        self.context.operations.write(self, work, done, on_failure=self._fail)

    def _saved(self, record: SessionData) -> None:
        """Show the saved record (the original, for an amendment) once the broadcast has reloaded the list."""
        self.current = record
        self.select_next = record.amends_id or record.id

    # -- amendments ----------------------------------------------------------------------------------
    def start_amendment(self) -> None:
        self.reason.clear()
        self.state.setText("Amending: change what needs correcting and give the reason. The original is kept.")
        self._set_mode("amend")

    def ask_to_sign_amendment(self) -> None:
        if self.current is None or self.editor.draft is None:
            return
        if not self.reason.text().strip():
            self._fail(ValidationError("Give the reason for the amendment.", field="amendment_reason"))
            return
        self.confirmation = ask_to_sign(
            self, "Sign this amendment?",
            f"Sign the amendment to the session record of {self.context.when(self.current.draft.session_at)} "
            f"({_summary(self.editor.value())}), reason: “{self.reason.text().strip()}”? The original is kept.",
            "a further correction is another amendment.",
            self.save_amendment)
        self.confirmation.finished.connect(lambda _result: setattr(self, "confirmation", None))

    def cancel_amendment(self) -> None:
        """Give the amendment up: the signed record is shown again as it is stored."""
        self.reason.clear()
        if self.history.records:
            self._show_history(self.history.records)
        else:
            self._set_mode("signed")

    def save_amendment(self) -> None:
        if self.current is None:
            return
        ctx, draft, reason, original = self.context, self.editor.value(), self.reason.text(), self.current.id
        self.state.setStyleSheet("")
        ctx.operations.write(self, lambda: sessions.amend_session(ctx.database, ctx.actor, original, draft, reason),
                             self._saved, on_failure=self._fail)

    # -- adverse events ------------------------------------------------------------------------------
    def add_event(self) -> None:
        dialog = AdverseEventDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        values = dialog.values()
        ctx = self.context
        session_id = self.current.id if self.current else None
        ctx.operations.write(
            self,
            lambda: adverse_events.record_adverse_event(ctx.database, ctx.actor, self.patient_id, str(values["kind"]),
                                                  str(values["severity"]), session_id=session_id,
                                                  description=str(values["description"]),
                                                  action_taken=str(values["action_taken"]),
                                                  resolved=bool(values["resolved"])),
        )

    def resolve_event(self) -> None:
        item = self.events.currentItem()
        if item is None:
            return
        text, ok = QInputDialog.getText(self, "Resolve adverse event", "What was done to resolve it?")
        if not ok:
            return
        ctx, event_id = self.context, item.data(Qt.ItemDataRole.UserRole)
        ctx.operations.write(
            self, lambda: adverse_events.resolve_adverse_event(ctx.database, ctx.actor, event_id, text))
