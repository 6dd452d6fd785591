"""Administrators read the audit trail in words, filter it, and verify the chain.

Each event is a sentence built from ``resources/audit_wording.toml`` (``domain/audit_wording.py``):
who did what to whose record, when, in the clinic's time ("Thu 3 Dec 2026 14:05"). Patients' and
accounts' names are looked up as the log is read; the events themselves hold ids only. Selecting a
row shows its details, each key in words, in the panel beside the list. Filters: who, what, the
patient's number and a period. The list reloads from the change broadcast whenever a write adds
audit events (any screen's save).
"""

from __future__ import annotations

import html
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from acudesk.domain.audit_wording import EventFacts, stored_utc_moment, wording
from acudesk.services import audit, checkpoints
from acudesk.services.audit import AuditRow
from acudesk.services.checkpoints import TrailReport
from acudesk.ui.context import AppContext
from acudesk.ui.operations import refresh_on_changes
from acudesk.ui.qt import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
)
from acudesk.ui.style import ERROR_TEXT
from acudesk.ui.tables import close_button, fill_table, read_only_table

PERIODS = (("Any time", None), ("Today", 0), ("Last 7 days", 6), ("Last 30 days", 29))
NO_SELECTION = "Select an event to see its details."


def facts(event: AuditRow) -> EventFacts:
    return EventFacts(event.action, event.entity, event.entity_id, event.user if event.acted else None,
                      event.patient_id, event.patient_name, event.user_name, event.detail)


def detail_html(event: AuditRow, zone: ZoneInfo, people: dict[int, str] | None = None) -> str:
    """The panel's text: the sentence, then each field in words (values formatted; JSON only as the last resort)."""
    words = wording()
    rows = [("When", stored_utc_moment(event.occurred_at, zone)),
            ("Who", event.user if event.acted else "Nobody signed in")]
    if event.patient_id is not None:
        rows.append(("Patient", facts(event).patient))
    if event.entity_id is not None:
        rows.append(("Record no.", str(event.entity_id)))
    rows.extend(words.detail_lines(event.detail, zone, people))
    cells = "".join(
        f"<tr><td style='padding-right:12px; vertical-align:top'><b>{html.escape(label)}</b></td>"
        + (f"<td><pre>{html.escape(value)}</pre></td></tr>" if "\n" in value else f"<td>{html.escape(value)}</td></tr>")
        for label, value in rows)
    return f"<p>{html.escape(words.sentence(facts(event), zone, people))}.</p><table>{cells}</table>"


class AuditViewer(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.zone = ZoneInfo(context.clinic.timezone)
        self.rows: list[AuditRow] = []
        self.people: dict[int, str] = {}  # accounts' names by id, for details that name an account
        self.setWindowTitle("Audit log")
        self.person = QComboBox()
        self.person.setAccessibleName("Who")
        self.person.addItem("Everyone", None)
        self.action = QComboBox()
        self.action.setAccessibleName("What")
        self.action.addItem("Every action", None)
        for action in sorted({key.split(" ")[0] for key in wording().sentences}):
            self.action.addItem(action.replace("_", " ").replace("-", " "), action)
        self.patient = QLineEdit()
        self.patient.setPlaceholderText("Patient no.")
        self.patient.setAccessibleName("Patient no.")
        self.patient.setMaximumWidth(110)
        self.patient.returnPressed.connect(self.reload)
        self.period = QComboBox()
        self.period.setAccessibleName("When")
        for label, days in PERIODS:
            self.period.addItem(label, days)
        apply = QPushButton("Show")
        apply.clicked.connect(self.reload)
        verify = QPushButton("Verify chain")
        verify.clicked.connect(self.verify)
        self.status = QLabel()
        self.status.setWordWrap(True)
        filters = QHBoxLayout()
        for label, widget in (("Who", self.person), ("What", self.action), ("When", self.period)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.patient)
        filters.addWidget(apply)
        filters.addStretch(1)
        filters.addWidget(verify)
        self.table = read_only_table(["When", "Who", "What happened"], QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAccessibleName("Audit events")
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._show_detail)
        self.detail = QLabel(NO_SELECTION)
        self.detail.setObjectName("auditDetail")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setContentsMargins(8, 6, 8, 6)
        panel = QScrollArea()
        panel.setAccessibleName("The event's details")  # reached by Tab, to scroll a long one with the keys
        panel.setWidgetResizable(True)
        panel.setWidget(self.detail)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(panel)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([800, 380])
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        layout.addWidget(close_button(self))
        self.resize(1200, 620)
        refresh_on_changes(self, context.operations, lambda changes: changes.audit, self.reload)
        context.operations.query(self, lambda: audit.people(context.database, context.actor), self._people,
                                 key="people")
        self.reload()

    def _people(self, people: list[tuple[int, str]]) -> None:
        for user_id, name in people:
            self.person.addItem(name, user_id)
        self.people = dict(people)
        if self.rows:
            self._show(self.rows)

    def _since(self) -> datetime | None:
        days = self.period.currentData()
        if days is None:
            return None
        first = self.context.today() - timedelta(days=days)
        return datetime.combine(first, time(0), tzinfo=self.zone)

    def reload(self) -> None:
        ctx = self.context
        action, user_id, since = self.action.currentData(), self.person.currentData(), self._since()
        text = self.patient.text().strip()
        patient_id = int(text) if text.isdigit() else None
        ctx.operations.query(self, lambda: audit.list_events(ctx.database, ctx.actor, action=action, user_id=user_id,
                                                             patient_id=patient_id, since=since),
                             self._show, key="events")

    def _show(self, rows: list[AuditRow]) -> None:
        self.rows = rows
        words = wording()
        fill_table(self.table, [(stored_utc_moment(event.occurred_at, self.zone),
                                 event.user if event.acted else "—",
                                 words.sentence(facts(event), self.zone, self.people)) for event in rows])
        self.detail.setText(NO_SELECTION)
        self.status.setText(f"{len(rows)} event{'' if len(rows) == 1 else 's'} shown (newest first, at most 1000); "
                            f"times are the clinic's ({self.context.clinic.timezone}).")

    def _show_detail(self) -> None:
        selected = self.table.selectionModel().selectedRows()
        if not selected or selected[0].row() >= len(self.rows):
            self.detail.setText(NO_SELECTION)
            return
        self.detail.setText(detail_html(self.rows[selected[0].row()], self.zone, self.people))

    def verify(self) -> None:
        ctx = self.context
        ctx.operations.query(self, lambda: checkpoints.verify_trail(ctx.database, ctx.actor), self._verified,
                             key="verify")

    def _verified(self, report: TrailReport) -> None:
        chain, anchored = report.chain, report.anchored
        if not chain.ok:
            self.status.setText(f"<b style='color:{ERROR_TEXT}'>Chain broken at event {chain.first_broken_id}.</b>")
            return
        intact = f"Chain intact: {chain.events_checked} event{'' if chain.events_checked == 1 else 's'} verified."
        if anchored is None or anchored.ok:
            line = anchored.line() if anchored is not None else ""
            self.status.setText(f"{intact} {line[:1].upper()}{line[1:]}".strip())
        else:
            problems = "; ".join(html.escape(finding) for finding in anchored.findings)
            self.status.setText(f"{intact} <b style='color:{ERROR_TEXT}'>Checkpoints: {problems}</b>")
