"""Whether every signed clinical record is still what was signed (for ``acudesk check``).

Three things are compared, each finding naming the record:
- the seal stored with a signed intake or session record against the seal recomputed from its fields
  (domain/signing.py: number, patient, signer, dates, content, points, what it amends);
- that stored seal against the one the audit trail recorded when it was signed, so a record altered
  *and* re-sealed with the public recipe is found (the audit trail itself is anchored by checkpoints);
- signing events against records: a signed record with no signing event (inserted behind AcuDesk's
  back), and a signing event whose record is gone or no longer signed.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from acudesk.domain.signing import (
    INTAKE_SEALED_FIELDS,
    POINT_SEALED_FIELDS,
    SESSION_SEALED_FIELDS,
    intake_seal,
    session_seal,
)
from acudesk.persistence.models import AuditEvent, Intake, SessionPoint, SessionRecord

_KINDS = {"intake": "intake", "session_record": "session record"}


def _signing_events(tx: Session) -> dict[tuple[str, int], list[tuple[int, str | None]]]:
    """(entity, id) → [(audit event id, seal recorded or None for events older than seals)]."""
    found: dict[tuple[str, int], list[tuple[int, str | None]]] = {}
    query = (select(AuditEvent.id, AuditEvent.entity, AuditEvent.entity_id, AuditEvent.detail)
             .where(AuditEvent.action == "sign", AuditEvent.entity.in_(tuple(_KINDS)))
             .order_by(AuditEvent.id))
    for event_id, entity, entity_id, detail in tx.execute(query):
        if entity_id is not None:
            seal = detail.get("seal") if isinstance(detail, dict) else None
            found.setdefault((entity, entity_id), []).append((event_id, seal if isinstance(seal, str) else None))
    return found


def _intakes(tx: Session) -> Iterator[tuple[int, int, str, str | None, str]]:
    """(id, patient, status, stored digest, recomputed seal) of every intake that is or claims to be signed."""
    columns = [getattr(Intake, name) for name in dict.fromkeys((*INTAKE_SEALED_FIELDS, "status",
                                                                 "content_digest"))]
    for row in tx.execute(select(*columns).order_by(Intake.id)).mappings().yield_per(2000):
        yield row["id"], row["patient_id"], row["status"], row["content_digest"], intake_seal(dict(row))


def _sessions(tx: Session) -> Iterator[tuple[int, int, str, str | None, str]]:
    columns = [getattr(SessionRecord, name) for name in dict.fromkeys((*SESSION_SEALED_FIELDS, "status",
                                                                        "content_digest"))]
    points = tx.execute(select(SessionPoint.session_id, *[getattr(SessionPoint, n) for n in POINT_SEALED_FIELDS])
                        .order_by(SessionPoint.session_id, SessionPoint.id)).mappings().yield_per(5000)
    grouped = groupby(points, key=lambda p: p["session_id"])
    pending = next(grouped, None)
    for row in tx.execute(select(*columns).order_by(SessionRecord.id)).mappings().yield_per(2000):
        while pending is not None and pending[0] < row["id"]:
            pending = next(grouped, None)
        mine: list = []
        if pending is not None and pending[0] == row["id"]:
            mine = list(pending[1])
            pending = next(grouped, None)
        yield row["id"], row["patient_id"], row["status"], row["content_digest"], session_seal(dict(row), mine)


def findings(tx: Session) -> list[str]:
    """Every signed record that is not what was signed, or whose signing the audit trail contradicts."""
    events = _signing_events(tx)
    problems: list[str] = []
    for entity, rows in (("intake", _intakes(tx)), ("session_record", _sessions(tx))):
        kind = _KINDS[entity]
        for record_id, patient_id, status, stored, recomputed in rows:
            signed_events = events.pop((entity, record_id), [])
            name = f"{kind} no. {record_id} (patient no. {patient_id})"
            if status != "signed":
                if signed_events:
                    problems.append(f"{name} was signed (audit event {signed_events[0][0]}) but is no longer "
                                    f"marked signed")
                continue
            if stored != recomputed:
                problems.append(f"{name} was changed after it was signed: its fields no longer match its seal")
            elif not signed_events:
                problems.append(f"{name} is marked signed but the audit trail has no signing event for it")
            for event_id, seal in signed_events:
                if seal is not None and seal != stored:
                    problems.append(f"{name} differs from what was signed (audit event {event_id} recorded "
                                    f"another seal): it was altered and re-sealed")
    for (entity, record_id), signed_events in sorted(events.items()):
        problems.append(f"{_KINDS[entity]} no. {record_id} was signed (audit event {signed_events[0][0]}) but no "
                        f"longer exists")
    return problems
