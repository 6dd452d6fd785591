"""Session records: start from the plan, record what was done, count needles, sign, amend.

Clean-needle safety (CCAOM): needles are counted in and out. A mismatch blocks signing and opens an
adverse event of kind ``retained_needle`` that stays open until resolved. A signed record is locked;
a correction is a new row (``amends_id`` -> the original) with its author, time and reason, and
``session_history`` returns the original and every amendment. Adverse events are
:mod:`acudesk.services.adverse_events`.

The SQLAlchemy session is ``tx`` throughout; "session" means the treatment session.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from acudesk.domain.errors import AcuDeskError, NotFoundError, ValidationError, ValidationErrors
from acudesk.domain.input_limits import check_number
from acudesk.domain.signing import POINT_SEALED_FIELDS, SESSION_SEALED_FIELDS, session_seal
from acudesk.persistence.database import Database
from acudesk.persistence.models import OutcomeMeasurement, SessionPoint, SessionRecord, User, utcnow
from acudesk.services import audit
from acudesk.services.adverse_events import open_retained_needle
from acudesk.services.context import Actor
from acudesk.services.intakes import gate_for
from acudesk.services.locking import load_for_change
from acudesk.services.permissions import Permission, require
from acudesk.services.plans import DEFAULT_RETENTION, PARAMETERS, checked_point_code, needle_count
from acudesk.services.plans import list_plans as _list_plans


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
    amended: SessionDraft | None = None  # for a listed original with amendments: the latest amendment's content

    @property
    def signed(self) -> bool:
        return self.status == "signed"

    @property
    def latest(self) -> SessionDraft:
        """What the record says now: the latest amendment's content, else its own."""
        return self.amended or self.draft


def _names(tx: Session, records: Sequence[SessionRecord]) -> dict[int, str]:
    """Display names of every practitioner and signer of ``records``, in one query."""
    ids = {r.practitioner_id for r in records} | {r.signed_by_id for r in records if r.signed_by_id is not None}
    if not ids:
        return {}
    return dict(tx.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def _draft(record: SessionRecord) -> SessionDraft:
    return SessionDraft(
        record.session_at, record.plan_id,
        tuple(NeedledPoint(p.point_code, p.side, p.technique, dict(p.parameters or {})) for p in record.points),
        record.needles_in, record.needles_out, record.retention_minutes, record.nrs_before, record.nrs_after,
        record.subjective, record.objective, record.assessment, record.plan_note,
    )


def _data(
    tx: Session, record: SessionRecord, amendments: int = 0, names: dict[int, str] | None = None,
) -> SessionData:
    """``names`` from ``_names`` for a list of records; queried here for a single record when not given."""
    if names is None:
        names = _names(tx, [record])
    draft = _draft(record)
    digest_ok = record.status != "signed" or seal(record) == record.content_digest
    if not digest_ok:
        log.warning("Session record %s does not match its signature digest", record.id)
    return SessionData(record.id, record.patient_id, record.status, draft, names.get(record.practitioner_id, ""),
                       record.signed_at, names.get(record.signed_by_id or 0, ""), record.amends_id,
                       record.amendment_reason, record.created_at, record.version, amendments, digest_ok)


# A session's numbers as the session editor labels them, and their highest values (all are whole, from 0).
SESSION_NUMBERS = (("needles_in", "Needles in", 200), ("needles_out", "Needles out", 200),
                   ("retention_minutes", "Retention (minutes)", 120), ("nrs_before", "Pain before (0-10)", 10),
                   ("nrs_after", "Pain after (0-10)", 10))


def _checked(errors: list[ValidationError], value: object, field: str, label: str, low: float | None,
             high: float | None, *, whole: bool) -> Any:
    try:
        return check_number(value, field, label, low, high, whole=whole)  # never NaN or infinity
    except ValidationError as error:
        errors.append(error)
        return value


def _validate(draft: SessionDraft) -> SessionDraft:
    errors: list[ValidationError] = []
    points = []
    for index, point in enumerate(draft.points):
        code = checked_point_code(index, point.code, point.side, errors)
        parameters = dict(point.parameters)
        for key, value in parameters.items():  # electroacupuncture frequency, intensity, ...
            label, low, high, _unit = PARAMETERS.get(key, (key.replace("_", " ").capitalize(), None, None, ""))
            parameters[key] = _checked(errors, value, f"points[{index}].{key}", f"{code or point.code}: {label}",
                                       low, high, whole=False)
        if code is not None:
            points.append(NeedledPoint(code, point.side, point.technique, parameters))
    numbers = {name: _checked(errors, getattr(draft, name), name, label, 0, high, whole=True)
               for name, label, high in SESSION_NUMBERS if getattr(draft, name) is not None}
    if errors:
        raise ValidationErrors(errors)
    return replace(draft, points=tuple(points), **numbers)


def _apply(record: SessionRecord, draft: SessionDraft) -> None:
    for name in ("session_at", "plan_id", "needles_in", "needles_out", "retention_minutes", "nrs_before",
                 "nrs_after", "subjective", "objective", "assessment", "plan_note"):
        setattr(record, name, getattr(draft, name))
    record.points = [SessionPoint(point_code=p.code, side=p.side, technique=p.technique,
                                  parameters=dict(p.parameters)) for p in draft.points]


def is_current_version() -> ColumnElement[bool]:
    """Where a session row is what the record now says: an original no amendment corrects, or the newest
    amendment of one (every amendment points at the original). Trends, taper proposals and printed
    summaries read these rows, so that a corrected pain score replaces the one it corrects."""
    later = aliased(SessionRecord)
    return ~exists().where(later.amends_id == func.coalesce(SessionRecord.amends_id, SessionRecord.id),
                           later.id > SessionRecord.id)


def seal(record: SessionRecord) -> str:
    """The seal a signed session record carries (domain/signing.py says what it covers)."""
    return session_seal({name: getattr(record, name) for name in SESSION_SEALED_FIELDS},
                        [{name: getattr(point, name) for name in POINT_SEALED_FIELDS} for point in record.points])


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
    with database.write() as tx:
        gate_for(tx, patient_id).require()
        if session_id is None:
            record = SessionRecord(patient_id=patient_id, practitioner_id=actor.user_id, status="draft")
            tx.add(record)
        else:
            record = _load_draft(tx, session_id, expected_version)
        _apply(record, clean)
        tx.flush()
        audit.record(tx, actor, "create" if session_id is None else "update", "session_record", record.id,
                     patient_id=patient_id)
        if None not in (clean.needles_in, clean.needles_out) and not clean.needles_match:
            open_retained_needle(tx, actor, record)  # the mismatch is itself an incident (CCAOM)
        return _data(tx, record)


def _load_draft(tx: Session, session_id: int, expected_version: int | None) -> SessionRecord:
    record = load_for_change(tx, SessionRecord, session_id, None, what="session record")
    if record.status == "signed":
        raise ValidationError("This session record is signed and locked. Use Amend to add a correction.",
                              field="session")
    return load_for_change(tx, SessionRecord, session_id, expected_version, what="session record")


def _mismatch_message(needles_in: int | None, needles_out: int | None) -> str:
    if needles_in is None or needles_out is None:
        return "Count the needles in and out and enter both before signing."
    return (f"Needle count mismatch: {needles_in} in, {needles_out} out. Find and remove the missing needle, "
            "correct the count, and resolve the retained-needle event before signing.")


def sign_session(database: Database, actor: Actor, session_id: int, *, expected_version: int) -> SessionData:
    """Sign and lock. A needle mismatch refuses and opens a ``retained_needle`` adverse event."""
    require(actor, Permission.EDIT_CLINICAL)
    mismatch = ""
    with database.write() as tx:
        record = _load_draft(tx, session_id, expected_version)
        if record.needles_in is None or record.needles_out is None:
            raise NeedleCountError(_mismatch_message(record.needles_in, record.needles_out))
        if record.needles_in != record.needles_out:
            open_retained_needle(tx, actor, record)
            mismatch = _mismatch_message(record.needles_in, record.needles_out)
        else:
            _sign(tx, actor, record)
            return _data(tx, record)
    raise NeedleCountError(mismatch)  # after the commit, so the adverse event is kept


def _sign(tx: Session, actor: Actor, record: SessionRecord) -> None:
    # One UPDATE turns the draft into a signed, sealed record (signed rows are locked after it).
    with tx.no_autoflush:  # loading the points for the seal must not flush the status early
        record.status = "signed"
        record.signed_at = utcnow()
        record.signed_by_id = actor.user_id
        record.content_digest = seal(record)
    if record.nrs_before is not None:  # an amendment's score replaces the original's (``is_current_version``)
        tx.add(OutcomeMeasurement(patient_id=record.patient_id, session_id=record.id, measure="NRS",
                                  answers={"score": record.nrs_before}, score=record.nrs_before,
                                  recorded_at=record.session_at, recorded_by_id=actor.user_id))
    tx.flush()
    audit.record(tx, actor, "sign", "session_record", record.id, patient_id=record.patient_id,
                 detail={"seal": record.content_digest})


def amend_session(database: Database, actor: Actor, session_id: int, draft: SessionDraft, reason: str) -> SessionData:
    """Append a signed amendment to a signed record (the original is kept unchanged)."""
    require(actor, Permission.EDIT_CLINICAL)
    if not reason.strip():
        raise ValidationError("Give the reason for the amendment.", field="amendment_reason")
    clean = _validate(draft)
    if not clean.needles_match:
        raise NeedleCountError(_mismatch_message(clean.needles_in, clean.needles_out))
    with database.write() as tx:
        original = load_for_change(tx, SessionRecord, session_id, None, what="session record")
        if original.status != "signed":
            raise ValidationError("Only a signed record is amended; a draft can simply be edited.", field="session")
        root_id = original.amends_id or original.id
        amendment = SessionRecord(patient_id=original.patient_id, appointment_id=original.appointment_id,
                                  practitioner_id=actor.user_id, amends_id=root_id,
                                  amendment_reason=reason.strip(), status="draft")
        _apply(amendment, clean)
        tx.add(amendment)
        tx.flush()
        audit.record(tx, actor, "amend", "session_record", amendment.id, patient_id=original.patient_id,
                     detail={"amends": root_id})
        _sign(tx, actor, amendment)
        return _data(tx, amendment)


def session_history(database: Database, actor: Actor, session_id: int) -> list[SessionData]:
    """The original record and its amendments, oldest first."""
    require(actor, Permission.VIEW_CLINICAL)
    with database.write() as tx:
        record = tx.get(SessionRecord, session_id)
        if record is None:
            raise NotFoundError(f"There is no session record no. {session_id}.")
        root_id = record.amends_id or record.id
        rows = tx.scalars(select(SessionRecord).options(selectinload(SessionRecord.points)).where(
            (SessionRecord.id == root_id) | (SessionRecord.amends_id == root_id)).order_by(SessionRecord.id)).all()
        names = _names(tx, rows)
        audit.record(tx, actor, "view", "session_record", root_id, patient_id=record.patient_id)
        return [_data(tx, r, names=names) for r in rows]


def list_sessions(database: Database, actor: Actor, patient_id: int) -> list[SessionData]:
    """The patient's session records (originals, newest first), each with its number of amendments."""
    require(actor, Permission.VIEW_CLINICAL)
    with database.write() as tx:
        # A fixed number of statements however long the history: the originals with their points
        # (selectinload), the amendments with theirs (each original is listed as its latest amendment
        # says, so a corrected pain score is what the list shows), every name (one query), the audit event.
        rows = tx.scalars(select(SessionRecord).options(selectinload(SessionRecord.points))
                          .where(SessionRecord.patient_id == patient_id, SessionRecord.amends_id.is_(None))
                          .order_by(SessionRecord.session_at.desc(), SessionRecord.id.desc())).all()
        amendments = tx.scalars(select(SessionRecord).options(selectinload(SessionRecord.points))
                                .where(SessionRecord.patient_id == patient_id, SessionRecord.amends_id.is_not(None))
                                .order_by(SessionRecord.id)).all() if rows else []
        counts = Counter(a.amends_id for a in amendments)
        latest = {a.amends_id: a for a in amendments}  # in id order: the last one is the latest
        names = _names(tx, rows)
        result = []
        for row in rows:
            data = _data(tx, row, counts.get(row.id, 0), names)
            if row.id in latest:
                data = replace(data, amended=_draft(latest[row.id]))
            result.append(data)
        audit.record(tx, actor, "view", "session_record", None, patient_id=patient_id,
                     detail={"count": len(result)})
        return result
