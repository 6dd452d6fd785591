"""Adverse events: recording, resolving and listing them, and the ``retained_needle`` event a needle-count
mismatch opens (clean-needle safety, CCAOM; see :mod:`acudesk.services.sessions`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from acudesk.domain.errors import NotFoundError, ValidationError, ValidationErrors
from acudesk.persistence.database import Database
from acudesk.persistence.models import AdverseEvent, SessionRecord, utcnow
from acudesk.services import audit
from acudesk.services.context import Actor
from acudesk.services.permissions import Permission, require

ADVERSE_KINDS = ("bruising", "bleeding", "soreness", "drowsiness", "fainting", "stuck_needle", "broken_needle",
                 "retained_needle", "burn", "pneumothorax", "other")
SEVERITIES = ("mild", "moderate", "severe")


@dataclass(frozen=True)
class AdverseEventData:
    id: int
    patient_id: int
    session_id: int | None
    kind: str
    severity: str
    description: str
    action_taken: str
    occurred_at: datetime
    resolved_at: datetime | None

    @property
    def open(self) -> bool:
        return self.resolved_at is None


def open_retained_needle(tx: Session, actor: Actor, record: SessionRecord) -> None:
    """Open a ``retained_needle`` event for a record whose needle counts differ (one open event per record)."""
    existing = tx.scalar(select(AdverseEvent.id).where(
        AdverseEvent.session_id == record.id, AdverseEvent.kind == "retained_needle",
        AdverseEvent.resolved_at.is_(None)))
    if existing is not None:
        return
    event = AdverseEvent(
        patient_id=record.patient_id, session_id=record.id, kind="retained_needle", severity="moderate",
        description=f"Needle count mismatch: {record.needles_in} in, {record.needles_out} out.",
        recorded_by_id=actor.user_id, occurred_at=utcnow(),
    )
    tx.add(event)
    tx.flush()
    audit.record(tx, actor, "create", "adverse_event", event.id, patient_id=record.patient_id,
                 detail={"kind": "retained_needle"})


def _event(event: AdverseEvent) -> AdverseEventData:
    return AdverseEventData(event.id, event.patient_id, event.session_id, event.kind, event.severity,
                            event.description, event.action_taken, event.occurred_at, event.resolved_at)


def record_adverse_event(
    database: Database, actor: Actor, patient_id: int, kind: str, severity: str, *,
    session_id: int | None = None, description: str = "", action_taken: str = "", resolved: bool = False,
) -> AdverseEventData:
    """Record an event (already resolved when ``resolved``, which needs the action taken)."""
    require(actor, Permission.EDIT_CLINICAL)
    errors = []
    if kind not in ADVERSE_KINDS:
        errors.append(ValidationError(f"Kind must be one of: {', '.join(ADVERSE_KINDS)}.", field="kind"))
    if severity not in SEVERITIES:
        errors.append(ValidationError("Severity must be mild, moderate or severe.", field="severity"))
    if resolved and not action_taken.strip():
        errors.append(ValidationError("Say what action was taken.", field="action_taken"))
    if errors:
        raise ValidationErrors(errors)
    with database.write() as tx:
        now = utcnow()
        event = AdverseEvent(patient_id=patient_id, session_id=session_id, kind=kind, severity=severity,
                             description=description.strip(), action_taken=action_taken.strip(),
                             occurred_at=now, recorded_by_id=actor.user_id, resolved_at=now if resolved else None)
        tx.add(event)
        tx.flush()
        audit.record(tx, actor, "create", "adverse_event", event.id, patient_id=patient_id,
                     detail={"kind": kind, "severity": severity})
        return _event(event)


def resolve_adverse_event(database: Database, actor: Actor, event_id: int, action_taken: str) -> AdverseEventData:
    """Close an open event, recording the action taken."""
    require(actor, Permission.EDIT_CLINICAL)
    if not action_taken.strip():
        raise ValidationError("Say what was done to resolve it.", field="action_taken")
    with database.write() as tx:
        event = tx.get(AdverseEvent, event_id)
        if event is None:
            raise NotFoundError(f"There is no adverse event no. {event_id}.")
        if event.resolved_at is not None:
            raise ValidationError("This adverse event is already resolved.", field="action_taken")
        now = utcnow()
        entry = action_taken.strip()
        event.action_taken = f"{event.action_taken}\n{entry}" if event.action_taken else entry
        event.resolved_at = now
        tx.flush()
        audit.record(tx, actor, "resolve", "adverse_event", event.id, patient_id=event.patient_id)
        return _event(event)


def list_adverse_events(database: Database, actor: Actor, patient_id: int) -> list[AdverseEventData]:
    """The patient's adverse events, newest first."""
    require(actor, Permission.VIEW_CLINICAL)
    with database.write() as tx:
        rows = tx.scalars(select(AdverseEvent).where(AdverseEvent.patient_id == patient_id)
                          .order_by(AdverseEvent.occurred_at.desc(), AdverseEvent.id.desc())).all()
        audit.record(tx, actor, "view", "adverse_event", None, patient_id=patient_id)
        return [_event(e) for e in rows]

