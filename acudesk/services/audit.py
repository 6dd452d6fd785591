"""The audit trail: one hash-chained event per action, written in the caller's transaction.

Each event's hash covers its own fields and the previous event's hash, so removing or editing a
row breaks the chain at that point (``verify_chain`` finds it). Details hold identifiers and field
names only, never clinical content or patient names.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, select, text
from sqlalchemy.orm import Session, aliased

from acudesk.domain.patients import full_name
from acudesk.persistence.models import AuditEvent, Patient, User, utcnow
from acudesk.services.context import Actor
from acudesk.services.permissions import Permission, require

if TYPE_CHECKING:
    from acudesk.persistence.database import Database

GENESIS_HASH = "0" * 64
AUDIT_LOCK_KEY = 0x41435544  # "ACUD": persistence.database.WRITER_LOCK_KEY


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
    tx: Session,
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
    never chain onto the same previous event. ``Database.write()`` already holds it (the same key,
    ``WRITER_LOCK_KEY``, taken at BEGIN); taking it again here covers any other transaction.
    (SQLite writers are serialised by ``BEGIN IMMEDIATE``.)
    """
    if tx.get_bind().dialect.name == "postgresql":
        tx.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    previous = tx.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
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
    tx.add(event)
    tx.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    first_broken_id: int | None

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def verify_chain(tx: Session) -> ChainReport:
    expected_prev = GENESIS_HASH
    checked = 0
    for event in tx.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        checked += 1
        if event.prev_hash != expected_prev or _digest(event) != event.hash:
            return ChainReport(checked, event.id)
        expected_prev = event.hash
    return ChainReport(checked, None)


@dataclass(frozen=True)
class AuditRow:
    id: int
    occurred_at: datetime
    user: str
    action: str
    entity: str
    entity_id: int | None
    patient_id: int | None
    detail: dict[str, Any]
    acted: bool = True  # False: written with nobody signed in (``user`` is then "(system)")
    # Looked up as the log is read (the events hold ids only): the patient's name, the account's name.
    patient_name: str | None = None
    user_name: str | None = None


def list_events(
    database: Database,
    actor: Actor,
    *,
    action: str | None = None,
    user_id: int | None = None,
    patient_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 1000,
) -> list[AuditRow]:
    """Newest events first, filtered; for the administrators' audit viewer."""
    require(actor, Permission.VIEW_AUDIT)
    subject = aliased(User)
    query = (
        select(AuditEvent, User.display_name, Patient.given_name, Patient.family_name, subject.display_name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Patient, Patient.id == AuditEvent.patient_id)
        .outerjoin(subject, and_(AuditEvent.entity == "user", subject.id == AuditEvent.entity_id))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    if action:
        query = query.where(AuditEvent.action == action)
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    if patient_id is not None:
        query = query.where(AuditEvent.patient_id == patient_id)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    with database.read() as tx:
        return [
            AuditRow(e.id, e.occurred_at, name or "(system)", e.action, e.entity, e.entity_id, e.patient_id,
                     dict(e.detail), acted=name is not None,
                     patient_name=full_name(given, family) if family is not None else None, user_name=subject_name)
            for e, name, given, family, subject_name in tx.execute(query)
        ]


def people(database: Database, actor: Actor) -> list[tuple[int, str]]:
    """Every account (id, display name), by name: the audit viewer's "Who" filter."""
    require(actor, Permission.VIEW_AUDIT)
    with database.read() as tx:
        return [(user_id, name) for user_id, name in tx.execute(select(User.id, User.display_name)
                                                                   .order_by(User.display_name, User.id))]
