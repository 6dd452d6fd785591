"""Session records: start from the plan, record what was done, count needles, sign, amend; adverse events.

Clean-needle safety (CCAOM): needles are counted in and out. A mismatch blocks signing and opens an
adverse event of kind ``retained_needle`` that stays open until resolved. A signed record is locked;
a correction is a new row (``amends_id`` -> the original) with its author, time and reason, and
``session_history`` returns the original and every amendment.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from acudesk.domain.errors import AcuDeskError, NotFoundError, ValidationError, ValidationErrors
from acudesk.domain.signing import content_digest
from acudesk.persistence.database import Database
from acudesk.persistence.models import AdverseEvent, OutcomeMeasurement, SessionPoint, SessionRecord, User, utcnow
from acudesk.services import audit
from acudesk.services.context import Actor
from acudesk.services.intakes import gate_for
from acudesk.services.locking import load_for_change
from acudesk.services.permissions import Permission, require
from acudesk.services.plans import DEFAULT_RETENTION, checked_point_code, needle_count
from acudesk.services.plans import list_plans as _list_plans

ADVERSE_KINDS = ("bruising", "bleeding", "soreness", "drowsiness", "fainting", "stuck_needle", "broken_needle",
                 "retained_needle", "burn", "pneumothorax", "other")
SEVERITIES = ("mild", "moderate", "severe")


class NeedleCountError(AcuDeskError):
    """Needles in and out differ: the record cannot be signed and an adverse event is open."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NeedledPoint:
    code: str
    side: str = "bilateral"
    technique: str = "manual"
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionDraft:
    session_at: datetime
    plan_id: int | None = None
    points: tuple[NeedledPoint, ...] = ()
    needles_in: int | None = None
    needles_out: int | None = None
    retention_minutes: int | None = DEFAULT_RETENTION
    nrs_before: int | None = None
    nrs_after: int | None = None
    subjective: str = ""
    objective: str = ""
    assessment: str = ""
    plan_note: str = ""

    @property
    def needles_match(self) -> bool:
        return self.needles_in is not None and self.needles_in == self.needles_out


@dataclass(frozen=True)
class SessionData:
    id: int
    patient_id: int
    status: str
    draft: SessionDraft
    practitioner: str
    signed_at: datetime | None
    signed_by: str
    amends_id: int | None
    amendment_reason: str
    created_at: datetime
    version: int
    amendments: int = 0  # for a listed original: how many amendments it has
    digest_ok: bool = True  # False when a signed record no longer matches the digest taken at signing

    @property
    def signed(self) -> bool:
        return self.status == "signed"


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


def _names(session: Session, records: Sequence[SessionRecord]) -> dict[int, str]:
    """Display names of every practitioner and signer of ``records``, in one query."""
    ids = {r.practitioner_id for r in records} | {r.signed_by_id for r in records if r.signed_by_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())  # type: ignore[arg-type]


def _data(
    session: Session, record: SessionRecord, amendments: int = 0, names: dict[int, str] | None = None,
) -> SessionData:
    """``names`` from ``_names`` for a list of records; queried here for a single record when not given."""
    if names is None:
        names = _names(session, [record])
    draft = SessionDraft(
        record.session_at, record.plan_id,
        tuple(NeedledPoint(p.point_code, p.side, p.technique, dict(p.parameters or {})) for p in record.points),
        record.needles_in, record.needles_out, record.retention_minutes, record.nrs_before, record.nrs_after,
        record.subjective, record.objective, record.assessment, record.plan_note,
    )
    digest_ok = record.status != "signed" or content_digest(_content(record)) == record.content_digest
    if not digest_ok:
        log.warning("Session record %s does not match its signature digest", record.id)
    return SessionData(record.id, record.patient_id, record.status, draft, names.get(record.practitioner_id, ""),
                       record.signed_at, names.get(record.signed_by_id or 0, ""), record.amends_id,
                       record.amendment_reason, record.created_at, record.version, amendments, digest_ok)


def _validate(draft: SessionDraft) -> SessionDraft:
    errors: list[ValidationError] = []
    points = []
    for index, point in enumerate(draft.points):
        code = checked_point_code(index, point.code, point.side, errors)
        if code is not None:
            points.append(NeedledPoint(code, point.side, point.technique, dict(point.parameters)))
    for name, value, high in (("needles_in", draft.needles_in, 200), ("needles_out", draft.needles_out, 200),
                              ("retention_minutes", draft.retention_minutes, 120), ("nrs_before", draft.nrs_before, 10),
                              ("nrs_after", draft.nrs_after, 10)):
        if value is not None and not 0 <= value <= high:
            errors.append(ValidationError(f"{name.replace('_', ' ').capitalize()} must be 0 to {high}.", field=name))
    if errors:
        raise ValidationErrors(errors)
    return replace(draft, points=tuple(points))


def _apply(record: SessionRecord, draft: SessionDraft) -> None:
    for name in ("session_at", "plan_id", "needles_in", "needles_out", "retention_minutes", "nrs_before",
                 "nrs_after", "subjective", "objective", "assessment", "plan_note"):
        setattr(record, name, getattr(draft, name))
    record.points = [SessionPoint(point_code=p.code, side=p.side, technique=p.technique,
                                  parameters=dict(p.parameters)) for p in draft.points]


def _content(record: SessionRecord) -> dict[str, Any]:
    return {
        "points": [[p.point_code, p.side, p.technique, p.parameters] for p in record.points],
        "needles": [record.needles_in, record.needles_out], "retention": record.retention_minutes,
        "nrs": [record.nrs_before, record.nrs_after],
        "soap": [record.subjective, record.objective, record.assessment, record.plan_note],
        "amends": record.amends_id, "reason": record.amendment_reason,
    }


def signed_session_content(record: SessionRecord) -> dict[str, Any]:
    """What a signed session record's content digest covers (the demo clinic signs the same way)."""
    return _content(record)


def new_session_draft(database: Database, actor: Actor, patient_id: int, session_at: datetime) -> SessionDraft:
    """A draft pre-filled from the active (or latest) plan: its points, technique and retention."""
    plans = _list_plans(database, actor, patient_id)
    plan = next((p for p in plans if p.status == "active"), plans[0] if plans else None)
    if plan is None:
        return SessionDraft(session_at)
    technique = plan.draft.techniques[0] if plan.draft.techniques else None
    params = dict(technique.parameters) if technique else {}
    retention = int(params.pop("retention_minutes", DEFAULT_RETENTION))
    points = tuple(NeedledPoint(p.code, p.side, technique.technique if technique else "manual", params)
                   for p in plan.draft.points)
    return SessionDraft(session_at, plan.id, points, needles_in=needle_count(plan.draft.points),
                        retention_minutes=retention)


def save_session(
    database: Database, actor: Actor, patient_id: int, draft: SessionDraft, *,
    session_id: int | None = None, expected_version: int | None = None,
) -> SessionData:
    """Record a new session (refused while treatment is stopped) or save changes to a draft one.

    Needle counts that are both entered and differ open a ``retained_needle`` adverse event at once.
    """
    require(actor, Permission.EDIT_CLINICAL)
    clean = _validate(draft)
    with database.write() as session:
        gate_for(session, patient_id).require()
        if session_id is None:
            record = SessionRecord(patient_id=patient_id, practitioner_id=actor.user_id, status="draft")
            session.add(record)
        else:
            record = _load_draft(session, session_id, expected_version)
        _apply(record, clean)
        session.flush()
        audit.record(session, actor, "create" if session_id is None else "update", "session_record", record.id,
                     patient_id=patient_id)
        if None not in (clean.needles_in, clean.needles_out) and not clean.needles_match:
            _open_retained_needle(session, actor, record)  # the mismatch is itself an incident (CCAOM)
        return _data(session, record)


def _load_draft(session: Session, session_id: int, expected_version: int | None) -> SessionRecord:
    record = load_for_change(session, SessionRecord, session_id, None, what="session record")
    if record.status == "signed":
        raise ValidationError("This session record is signed and locked. Use Amend to add a correction.",
                              field="session")
    return load_for_change(session, SessionRecord, session_id, expected_version, what="session record")


def _open_retained_needle(session: Session, actor: Actor, record: SessionRecord) -> None:
    existing = session.scalar(select(AdverseEvent.id).where(
        AdverseEvent.session_id == record.id, AdverseEvent.kind == "retained_needle",
        AdverseEvent.resolved_at.is_(None)))
    if existing is not None:
        return
    event = AdverseEvent(
        patient_id=record.patient_id, session_id=record.id, kind="retained_needle", severity="moderate",
        description=f"Needle count mismatch: {record.needles_in} in, {record.needles_out} out.",
        recorded_by_id=actor.user_id, occurred_at=utcnow(),
    )
    session.add(event)
    session.flush()
    audit.record(session, actor, "create", "adverse_event", event.id, patient_id=record.patient_id,
                 detail={"kind": "retained_needle"})


def _mismatch_message(needles_in: int | None, needles_out: int | None) -> str:
    if needles_in is None or needles_out is None:
        return "Count the needles in and out and enter both before signing."
    return (f"Needle count mismatch: {needles_in} in, {needles_out} out. Find and remove the missing needle, "
            "correct the count, and resolve the retained-needle event before signing.")


def sign_session(database: Database, actor: Actor, session_id: int, *, expected_version: int) -> SessionData:
    """Sign and lock. A needle mismatch refuses and opens a ``retained_needle`` adverse event."""
    require(actor, Permission.EDIT_CLINICAL)
    mismatch = ""
    with database.write() as session:
        record = _load_draft(session, session_id, expected_version)
        if record.needles_in is None or record.needles_out is None:
            raise NeedleCountError(_mismatch_message(record.needles_in, record.needles_out))
        if record.needles_in != record.needles_out:
            _open_retained_needle(session, actor, record)
            mismatch = _mismatch_message(record.needles_in, record.needles_out)
        else:
            _sign(session, actor, record)
            return _data(session, record)
    raise NeedleCountError(mismatch)  # after the commit, so the adverse event is kept


def _sign(session: Session, actor: Actor, record: SessionRecord) -> None:
    digest = content_digest(_content(record))  # before the status changes: signed rows are locked
    record.status = "signed"
    record.signed_at = utcnow()
    record.signed_by_id = actor.user_id
    record.content_digest = digest
    if record.nrs_before is not None and record.amends_id is None:
        session.add(OutcomeMeasurement(patient_id=record.patient_id, session_id=record.id, measure="NRS",
                                       answers={"score": record.nrs_before}, score=record.nrs_before,
                                       recorded_at=record.session_at, recorded_by_id=actor.user_id))
    session.flush()
    audit.record(session, actor, "sign", "session_record", record.id, patient_id=record.patient_id)


def amend_session(database: Database, actor: Actor, session_id: int, draft: SessionDraft, reason: str) -> SessionData:
    """Append a signed amendment to a signed record (the original is kept unchanged)."""
    require(actor, Permission.EDIT_CLINICAL)
    if not reason.strip():
        raise ValidationError("Give the reason for the amendment.", field="amendment_reason")
    clean = _validate(draft)
    if not clean.needles_match:
        raise NeedleCountError(_mismatch_message(clean.needles_in, clean.needles_out))
    with database.write() as session:
        original = session.get(SessionRecord, session_id)
        if original is None:
            raise NotFoundError(f"There is no session record no. {session_id}.")
        if original.status != "signed":
            raise ValidationError("Only a signed record is amended; a draft can simply be edited.", field="session")
        root_id = original.amends_id or original.id
        amendment = SessionRecord(patient_id=original.patient_id, appointment_id=original.appointment_id,
                                  practitioner_id=actor.user_id, amends_id=root_id,
                                  amendment_reason=reason.strip(), status="draft")
        _apply(amendment, clean)
        session.add(amendment)
        session.flush()
        audit.record(session, actor, "amend", "session_record", amendment.id, patient_id=original.patient_id,
                     detail={"amends": root_id})
        _sign(session, actor, amendment)
        return _data(session, amendment)


def session_history(database: Database, actor: Actor, session_id: int) -> list[SessionData]:
    """The original record and its amendments, oldest first."""
    require(actor, Permission.VIEW_CLINICAL)
    with database.write() as session:
        record = session.get(SessionRecord, session_id)
        if record is None:
            raise NotFoundError(f"There is no session record no. {session_id}.")
        root_id = record.amends_id or record.id
        rows = session.scalars(select(SessionRecord).options(selectinload(SessionRecord.points)).where(
            (SessionRecord.id == root_id) | (SessionRecord.amends_id == root_id)).order_by(SessionRecord.id)).all()
        names = _names(session, rows)
        audit.record(session, actor, "view", "session_record", root_id, patient_id=record.patient_id)
        return [_data(session, r, names=names) for r in rows]


def list_sessions(database: Database, actor: Actor, patient_id: int) -> list[SessionData]:
    """The patient's session records (originals, newest first), each with its number of amendments."""
    require(actor, Permission.VIEW_CLINICAL)
    with database.write() as session:
        # A fixed number of statements however long the history: the originals with their points
        # (selectinload), the amendment counts (one grouped query), every name (one query), the audit event.
        rows = session.scalars(select(SessionRecord).options(selectinload(SessionRecord.points))
                               .where(SessionRecord.patient_id == patient_id, SessionRecord.amends_id.is_(None))
                               .order_by(SessionRecord.session_at.desc(), SessionRecord.id.desc())).all()
        counts: dict[int, int] = dict(session.execute(  # type: ignore[arg-type]
            select(SessionRecord.amends_id, func.count())
            .where(SessionRecord.patient_id == patient_id, SessionRecord.amends_id.is_not(None))
            .group_by(SessionRecord.amends_id)).all()) if rows else {}
        names = _names(session, rows)
        result = [_data(session, r, counts.get(r.id, 0), names) for r in rows]
        audit.record(session, actor, "view", "session_record", None, patient_id=patient_id,
                     detail={"count": len(result)})
        return result


# --- adverse events -------------------------------------------------------------------------------


def _event(event: AdverseEvent) -> AdverseEventData:
    return AdverseEventData(event.id, event.patient_id, event.session_id, event.kind, event.severity,
                            event.description, event.action_taken, event.occurred_at, event.resolved_at)


def record_adverse_event(
    database: Database, actor: Actor, patient_id: int, kind: str, severity: str, *,
    session_id: int | None = None, description: str = "", action_taken: str = "", resolved: bool = False,
) -> AdverseEventData:
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
    with database.write() as session:
        now = utcnow()
        event = AdverseEvent(patient_id=patient_id, session_id=session_id, kind=kind, severity=severity,
                             description=description.strip(), action_taken=action_taken.strip(),
                             occurred_at=now, recorded_by_id=actor.user_id, resolved_at=now if resolved else None)
        session.add(event)
        session.flush()
        audit.record(session, actor, "create", "adverse_event", event.id, patient_id=patient_id,
                     detail={"kind": kind, "severity": severity})
        return _event(event)


def resolve_adverse_event(database: Database, actor: Actor, event_id: int, action_taken: str) -> AdverseEventData:
    """Close an open event, recording the action taken."""
    require(actor, Permission.EDIT_CLINICAL)
    if not action_taken.strip():
        raise ValidationError("Say what was done to resolve it.", field="action_taken")
    with database.write() as session:
        event = session.get(AdverseEvent, event_id)
        if event is None:
            raise NotFoundError(f"There is no adverse event no. {event_id}.")
        if event.resolved_at is not None:
            raise ValidationError("This adverse event is already resolved.", field="action_taken")
        now = utcnow()
        entry = action_taken.strip()
        event.action_taken = f"{event.action_taken}\n{entry}" if event.action_taken else entry
        event.resolved_at = now
        session.flush()
        audit.record(session, actor, "resolve", "adverse_event", event.id, patient_id=event.patient_id)
        return _event(event)


def list_adverse_events(database: Database, actor: Actor, patient_id: int) -> list[AdverseEventData]:
    require(actor, Permission.VIEW_CLINICAL)
    with database.write() as session:
        rows = session.scalars(select(AdverseEvent).where(AdverseEvent.patient_id == patient_id)
                               .order_by(AdverseEvent.occurred_at.desc(), AdverseEvent.id.desc())).all()
        audit.record(session, actor, "view", "adverse_event", None, patient_id=patient_id)
        return [_event(e) for e in rows]

