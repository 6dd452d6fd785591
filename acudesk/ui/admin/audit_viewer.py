"""Administrators read the audit trail: filter by action, user or patient, and verify the chain.

The list reloads from the change broadcast whenever a write adds audit events (any screen's save).
"""

from __future__ import annotations

import html
import json

from acudesk.services import audit, checkpoints
from acudesk.services.audit import AuditRow
from acudesk.services.checkpoints import TrailReport
from acudesk.ui.context import AppContext
from acudesk.ui.operations import refresh_on_changes
from acudesk.ui.qt import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from acudesk.ui.style import ERROR_TEXT
from acudesk.ui.tables import close_button, fill_table, read_only_table

ACTIONS = ("", "login", "logout", "login_failed", "lockout", "create", "update", "view", "archive", "restore",
           "sign", "amend", "export", "backup", "setup")


def _columns(event: AuditRow) -> tuple[str, ...]:
    record = f"{event.entity} {event.entity_id}" if event.entity_id is not None else event.entity
    return (f"{event.occurred_at:%Y-%m-%d %H:%M:%S}", event.user, event.action, record,
            "" if event.patient_id is None else str(event.patient_id),
            json.dumps(event.detail, ensure_ascii=False) if event.detail else "")


class AuditViewer(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Audit log")
        self.action = QComboBox()
        self.action.addItems([a or "(all actions)" for a in ACTIONS])
        self.patient = QLineEdit()
        self.patient.setPlaceholderText("Patient no.")
        self.patient.setMaximumWidth(110)
        apply = QPushButton("Show")
        apply.clicked.connect(self.reload)
        verify = QPushButton("Verify chain")
        verify.clicked.connect(self.verify)
        self.status = QLabel()
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Action"))
        filters.addWidget(self.action)
        filters.addWidget(self.patient)
        filters.addWidget(apply)
        filters.addStretch(1)
        filters.addWidget(verify)
        self.table = read_only_table(["When (UTC)", "Who", "Action", "Record", "Patient no.", "Detail"],
                                     QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table)
        layout.addWidget(self.status)
        layout.addWidget(close_button(self))
        self.resize(1000, 560)
        refresh_on_changes(self, context.operations, lambda changes: changes.audit, self.reload)
        self.reload()

    def reload(self) -> None:
        ctx = self.context
        action = ACTIONS[self.action.currentIndex()] or None
        text = self.patient.text().strip()
        patient_id = int(text) if text.isdigit() else None
        ctx.operations.query(self, lambda: audit.list_events(ctx.database, ctx.actor, action=action,
                                                             patient_id=patient_id),
                             self._show, key="events")

    def _show(self, rows: list[AuditRow]) -> None:
        fill_table(self.table, [_columns(event) for event in rows])
        self.status.setText(f"{len(rows)} event{'' if len(rows) == 1 else 's'} shown (newest first, at most 1000).")

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
