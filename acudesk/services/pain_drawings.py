"""Pain drawings: save a drawing at an intake or a treatment session, list a patient's drawings, and
compare the latest with the previous one (issue 13; the rules are in ``acudesk.domain.pain_drawing``).

Drawings are append-only (migration 0015): a correction is a new drawing that supersedes the one it
corrects and says why; the corrected one stays in the record, out of the lists and comparisons.
Drawings are ordered by when their occasion happened (the intake was recorded, the session held).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from acudesk.domain import dates
from acudesk.domain.errors import NotFoundError, ValidationError
from acudesk.domain.pain_drawing import (
    Comparison,
    DrawingMeasures,
    PainMark,
    compare,
    marks_to_json,
    measures,
    validate_marks,
    validate_note,
)
from acudesk.persistence.database import Database
from acudesk.persistence.models import Intake, PainDrawing, Patient, SessionRecord, User
from acudesk.reports.pain_drawing import PainDrawingPrint
from acudesk.services import audit
from acudesk.services.clinic import clinic_zone
from acudesk.services.context import Actor
from acudesk.services.permissions import Permission, require


@dataclass(frozen=True)
class Occasion:
    """An intake or a treatment session a drawing can be made at."""

    intake_id: int | None
    session_id: int | None
    at: datetime  # when the intake was recorded or the session held (UTC)
    label: str  # "Intake, 3 Nov 2026" / "Session, 17 Nov 2026"


@dataclass(frozen=True)
class SavedDrawing:
    id: int
    patient_id: int
    occasion: Occasion
    marks: tuple[PainMark, ...]
    note: str
    recorded_by: str  # display name
    recorded_at: datetime
    supersedes_id: int | None
    correction_reason: str
    measures: DrawingMeasures


@dataclass(frozen=True)
class DrawingHistory:
    """The patient's current drawings (oldest first), and the latest compared with the previous."""

    drawings: tuple[SavedDrawing, ...]
    comparison: Comparison | None  # None when the patient has no drawing

    @property
    def latest(self) -> SavedDrawing | None:
        return self.drawings[-1] if self.drawings else None

    @property
    def previous(self) -> SavedDrawing | None:
        return self.drawings[-2] if len(self.drawings) > 1 else None


def _occasion_of_intake(intake: Intake, zone: tzinfo) -> Occasion:
    on = dates.day(dates.in_zone(intake.recorded_at, zone))  # the clinic's day, not UTC's
    return Occasion(intake.id, None, intake.recorded_at, f"Intake, {on}")


def _occasion_of_session(record: SessionRecord, zone: tzinfo) -> Occasion:
    on = dates.day(dates.in_zone(record.session_at, zone))
    return Occasion(None, record.id, record.session_at, f"Session, {on}")


def occasions(database: Database, actor: Actor, patient_id: int) -> tuple[Occasion, ...]:
    """The intakes and sessions (not superseded or amended copies) a drawing may belong to, newest first."""
    require(actor, Permission.VIEW_CLINICAL)
    with database.read() as tx:
        return _occasions(tx, patient_id)


def _occasions(tx: Session, patient_id: int) -> tuple[Occasion, ...]:
    zone = clinic_zone(tx)
    found = [_occasion_of_intake(i, zone) for i in tx.scalars(select(Intake).where(Intake.patient_id == patient_id))]
    found += [_occasion_of_session(s, zone) for s in tx.scalars(select(SessionRecord).where(
        SessionRecord.patient_id == patient_id, SessionRecord.amends_id.is_(None)))]
    return tuple(sorted(found, key=lambda o: (o.at, o.session_id or 0, o.intake_id or 0), reverse=True))


def save_drawing(
    database: Database, actor: Actor, patient_id: int, marks: Iterable[PainMark | Mapping[str, Any]], *,
    intake_id: int | None = None, session_id: int | None = None, note: str = "",
    supersedes_id: int | None = None, correction_reason: str = "",
) -> SavedDrawing:
    """Save a drawing made at one intake or one session of the patient. With ``supersedes_id`` it
    corrects that (current) drawing and needs a reason; the corrected one is kept, never changed."""
    require(actor, Permission.EDIT_CLINICAL)
    checked = validate_marks(marks)
    text = validate_note(note)
    reason = (correction_reason or "").strip()
    if (intake_id is None) == (session_id is None):
        raise ValidationError("Choose the intake or the session the drawing was made at.", field="occasion")
    with database.write() as tx:
        if tx.get(Patient, patient_id) is None:
            raise NotFoundError(f"There is no patient no. {patient_id}.")
        if intake_id is not None:
            intake = tx.get(Intake, intake_id)
            if intake is None or intake.patient_id != patient_id:
                raise NotFoundError("That intake is not this patient's.")
        if session_id is not None:
            record = tx.get(SessionRecord, session_id)
            if record is None or record.patient_id != patient_id:
                raise NotFoundError("That session is not this patient's.")
        if supersedes_id is not None:
            corrected = tx.get(PainDrawing, supersedes_id)
            if corrected is None or corrected.patient_id != patient_id:
                raise NotFoundError("The drawing to correct is not this patient's.")
            if tx.scalar(select(PainDrawing.id).where(PainDrawing.supersedes_id == supersedes_id)) is not None:
                raise ValidationError("That drawing has already been corrected; correct the newer one.",
                                      field="supersedes")
            if not reason:
                raise ValidationError("Say why the drawing is corrected.", field="correction_reason")
        elif reason:
            raise ValidationError("A reason is only for a correction of an earlier drawing.", field="correction_reason")
        row = PainDrawing(patient_id=patient_id, intake_id=intake_id, session_id=session_id,
                          marks=marks_to_json(checked), note=text, supersedes_id=supersedes_id,
                          correction_reason=reason, recorded_by_id=actor.user_id)
        tx.add(row)
        tx.flush()
        audit.record(tx, actor, "correct" if supersedes_id else "create", "pain_drawing", row.id,
                     patient_id=patient_id, detail={"marks": len(checked), "supersedes": supersedes_id,
                                                    "intake": intake_id, "session": session_id})
        return _saved(tx, row)


def _saved(tx: Session, row: PainDrawing, occasions: dict[tuple[int | None, int | None], Occasion] | None = None,
           names: dict[int, str] | None = None) -> SavedDrawing:
    """The row as a ``SavedDrawing``; ``occasions`` and ``names`` (read once for many rows) spare queries."""
    occasion = (occasions or {}).get((row.intake_id, row.session_id))
    if occasion is None and row.intake_id is not None:
        occasion = _occasion_of_intake(tx.get_one(Intake, row.intake_id), clinic_zone(tx))
    elif occasion is None:
        occasion = _occasion_of_session(tx.get_one(SessionRecord, row.session_id), clinic_zone(tx))
    name = names.get(row.recorded_by_id) if names is not None else None
    if name is None:
        user = tx.get(User, row.recorded_by_id)
        name = user.display_name if user else ""
    marks = validate_marks(row.marks)
    return SavedDrawing(row.id, row.patient_id, occasion, marks, row.note, name, row.recorded_at,
                        row.supersedes_id, row.correction_reason, measures(marks))


def history(database: Database, actor: Actor, patient_id: int) -> DrawingHistory:
    """The patient's current drawings, oldest occasion first, and the latest compared with the one before."""
    require(actor, Permission.VIEW_CLINICAL)
    with database.read() as tx:
        return drawing_history(tx, patient_id)


def drawing_history(tx: Session, patient_id: int) -> DrawingHistory:
    """``history`` inside a use case that has checked VIEW_CLINICAL (the documents use it)."""
    rows = tx.scalars(select(PainDrawing).where(PainDrawing.patient_id == patient_id)).all()
    if not rows:
        return DrawingHistory((), None)
    # A fixed number of queries however many drawings: the occasions and the names are read once.
    occasions = {(o.intake_id, o.session_id): o for o in _occasions(tx, patient_id)}
    names = dict(tx.execute(select(User.id, User.display_name).where(
        User.id.in_({r.recorded_by_id for r in rows}))).tuples().all())
    corrected = {r.supersedes_id for r in rows if r.supersedes_id is not None}
    current = [_saved(tx, r, occasions, names) for r in rows if r.id not in corrected]
    current.sort(key=lambda d: (d.occasion.at, d.id))
    if not current:
        return DrawingHistory((), None)
    previous = current[-2].marks if len(current) > 1 else None
    return DrawingHistory(tuple(current), compare(previous, current[-1].marks))


def print_data(tx: Session, patient_id: int) -> PainDrawingPrint | None:
    """What the care summary and the referral letter print: the latest drawing, its area and spread, and
    the change since the previous one (inside a use case that has checked VIEW_CLINICAL)."""
    found = drawing_history(tx, patient_id)
    latest, comparison = found.latest, found.comparison
    if latest is None or comparison is None:
        return None
    return PainDrawingPrint(
        occasion=latest.occasion.label, marks=latest.marks, summary=latest.measures.line(),
        change=comparison.line() if comparison.before is not None else "",
    )
