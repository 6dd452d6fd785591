"""The audit trail: one hash-chained event per action, written in the caller's transaction.

Each event's hash covers its own fields and the previous event's hash, so removing or editing a
row breaks the chain at that point (``verify_chain`` finds it). Details hold identifiers and field
names only, never clinical content or patient names.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from acudesk.persistence.models import AuditEvent, utcnow
from acudesk.services.context import Actor

GENESIS_HASH = "0" * 64
AUDIT_LOCK_KEY = 0x41435544  # "ACUD"


def _digest(event: AuditEvent) -> str:
    payload = {
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "user_id": event.user_id,
        "action": event.action,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "patient_id": event.patient_id,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: int | None = None,
    *,
    patient_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event to the current transaction.

    On PostgreSQL a transaction-scoped advisory lock serialises appenders, so two workstations
    never chain onto the same previous event. (SQLite writers are already serialised by
    ``BEGIN IMMEDIATE``.)
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    previous = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        occurred_at=utcnow(),
        user_id=actor.user_id if actor else None,
        action=action,
        entity=entity,
        entity_id=entity_id,
        patient_id=patient_id,
        detail=detail or {},
        prev_hash=previous or GENESIS_HASH,
    )
    event.hash = _digest(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    first_broken_id: int | None

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def verify_chain(session: Session) -> ChainReport:
    expected_prev = GENESIS_HASH
    checked = 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        checked += 1
        if event.prev_hash != expected_prev or _digest(event) != event.hash:
            return ChainReport(checked, event.id)
        expected_prev = event.hash
    return ChainReport(checked, None)
