"""Re-planning a booked course: a taper after lasting improvement, a new set after a relapse.

``taper_proposal`` reads the plan's pain scores and proposes the next phase (or a new set after a
relapse), with exactly the visits it would cancel and book; nothing is rebooked until
``accept_proposal`` is called, which works the proposal out again inside the write transaction.
Booking a course in the first place is ``services.courses``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from acudesk.domain import scheduling as engine
from acudesk.domain.errors import ConflictError, NotFoundError, ValidationError
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, SessionRecord, TreatmentPlan
from acudesk.services import audit
from acudesk.services.context import Actor
from acudesk.services.courses import PlacedVisits, VisitWriter, horizon, place_among_bookings, preview_rows
from acudesk.services.permissions import Permission, require
from acudesk.services.scheduling import ScheduleConflictError, VisitTypes, clinic_row, visit_types, zone_of
from acudesk.services.sessions import is_current_version

REPLANNED_PREFIX = "Re-planned"


class ReplacedVisit(NamedTuple):
    """A booked visit that accepting the proposal cancels."""

    appointment_id: int
    number: int
    local_start: datetime


@dataclass(frozen=True)
class ReplanProposal(PlacedVisits):
    """A taper or relapse proposal and exactly what accepting it would change (``visits`` are booked)."""

    plan_id: int
    plan_version: int
    kind: str  # "taper" | "relapse"
    reason: str
    after_visit: int  # 1-based number of the last visit kept
    pattern: str  # pattern of the visits that replace the rest
    course_pattern: str  # the plan's pattern once accepted
    cancelled: tuple[ReplacedVisit, ...]


@dataclass(frozen=True)
class ReplanResult:
    cancelled_ids: tuple[int, ...]
    booked_ids: tuple[int, ...]
    course_pattern: str


def _course_rows(tx: Session, plan_id: int) -> dict[int, Appointment]:
    """The plan's visits by number: the one that stands (not cancelled) wins over cancelled ones."""
    chosen: dict[int, Appointment] = {}
    rows = tx.scalars(
        select(Appointment).where(Appointment.plan_id == plan_id, Appointment.course_visit_number.is_not(None))
        .order_by(Appointment.course_visit_number, Appointment.id)
    )
    for row in rows:
        number = row.course_visit_number
        assert number is not None
        current = chosen.get(number)
        if current is None or current.status == "cancelled" or row.status != "cancelled":
            chosen[number] = row
    return chosen


def _readings(tx: Session, plan_id: int) -> list[engine.NrsReading]:
    rows = tx.execute(
        select(Appointment.course_visit_number, SessionRecord.nrs_before)
        .join(Appointment, Appointment.id == SessionRecord.appointment_id)
        .where(SessionRecord.plan_id == plan_id, SessionRecord.nrs_before.is_not(None),
               Appointment.course_visit_number.is_not(None), is_current_version())
        .order_by(SessionRecord.id)
    )
    return [  # the query leaves out missing numbers and scores; the checks tell the type checker
        engine.NrsReading(number - 1, score) for number, score in rows if number is not None and score is not None
    ]


def _plan_pattern(plan: TreatmentPlan) -> engine.CoursePattern:
    if plan.course_pattern:
        return engine.parse_pattern(plan.course_pattern)
    phases = tuple(
        engine.Phase(engine.Interval(p.interval_count, p.interval_unit), p.visits)  # type: ignore[arg-type]
        for p in plan.phases
    )
    if not phases:
        raise ValidationError("This treatment plan has no course pattern yet.", field="pattern")
    return engine.CoursePattern(phases)


@dataclass(frozen=True)
class _Proposed:
    """A proposal with what accepting it needs: the re-planned course and the visits it replaces."""

    proposal: ReplanProposal
    course: engine.Course
    replaced_ids: tuple[int, ...]
    types: VisitTypes


def _propose(tx: Session, plan_id: int, now: datetime | None) -> _Proposed | None:
    plan = tx.get(TreatmentPlan, plan_id)
    if plan is None:
        raise NotFoundError(f"There is no treatment plan no. {plan_id}.")
    pattern = _plan_pattern(plan)
    rows = _course_rows(tx, plan_id)
    held = [n for n, r in rows.items() if r.status in ("arrived", "completed")]
    if not held:
        return None
    state = engine.CourseState(pattern, last_held_visit=max(held) - 1, baseline=plan.baseline_nrs)
    readings = _readings(tx, plan_id)
    proposal = engine.propose_taper(state, readings) or engine.propose_relapse(state, readings)
    if proposal is None:
        return None
    keep = proposal.after_visit + 1  # visits numbered 1..keep stay
    missing = [n for n in range(1, keep + 1) if n not in rows]
    if missing:
        raise ValidationError(f"Visit {missing[0]} of this course is not in the calendar.", field="plan")
    clinic = clinic_row(tx)
    tz = zone_of(clinic)
    types = visit_types(tx)
    last_row = rows[keep]
    first_row = rows[1]
    request = engine.CourseRequest(
        start=first_row.local_start, pattern=pattern, tz=tz, practitioner_id=last_row.practitioner_id,
        room_id=last_row.room_id, patient_id=plan.patient_id,
        first_type=types.first if first_row.visit_type_id == types.ids.get("first") else types.follow_up,
        follow_up_type=types.follow_up,
    )
    kept = []
    for number in range(1, keep + 1):
        row = rows[number]
        start, note = engine.localize(row.local_start.date(), row.local_start.time(), tz)
        kept.append(engine.ScheduledVisit(
            number - 1, pattern.phase_of(number - 1), row.planned_local_start or row.local_start, start,
            request.visit_type(number - 1), row.moved_from, row.move_reason or None, note,
        ))
    course = engine.Course(request, pattern, tuple(kept))
    replaced = [r for n, r in sorted(rows.items()) if n > keep and r.status == "booked"]
    replaced_ids = tuple(r.id for r in replaced)
    placed = place_among_bookings(
        tx, clinic, kept[-1].day, horizon(kept[-1].planned, proposal.pattern), replaced_ids,
        lambda calendar, existing: engine.replan_after(
            course, proposal.after_visit, proposal.pattern, calendar, engine.BookingsAvailability(existing, tz)
        ),
    )
    new_course = placed.course
    added = new_course.visits[keep:]
    conflicts = engine.validate_series([new_course.appointment(v) for v in added], placed.existing,
                                       placed.calendar, tz)
    rows_shown = preview_rows(new_course, conflicts, added, offset=keep, now=now)
    result = ReplanProposal(
        visits=rows_shown.visits, conflicts=rows_shown.conflicts, plan_id=plan.id, plan_version=plan.version,
        kind=proposal.kind, reason=proposal.reason, after_visit=keep,
        pattern=engine.format_pattern(proposal.pattern), course_pattern=engine.format_pattern(new_course.pattern),
        cancelled=tuple(ReplacedVisit(r.id, r.course_visit_number or 0, r.local_start) for r in replaced),
    )
    return _Proposed(result, new_course, replaced_ids, types)


def taper_proposal(
    database: Database, actor: Actor, plan_id: int, *, now: datetime | None = None
) -> ReplanProposal | None:
    """A taper (or, after tapering, relapse) proposal from the plan's pain scores, or None. Saves nothing.

    Reads session pain scores, so it needs clinical access as well as the schedule.
    """
    require(actor, Permission.VIEW_SCHEDULE)
    require(actor, Permission.VIEW_CLINICAL)
    with database.read() as tx:
        found = _propose(tx, plan_id, now)
        return found.proposal if found else None


def accept_proposal(
    database: Database, actor: Actor, proposal: ReplanProposal, *, now: datetime | None = None
) -> ReplanResult:
    """Re-plan as proposed, in one transaction: cancel the replaced visits and book the new ones.

    The proposal is worked out again; if the plan, the scores or the calendar changed since it was
    shown, nothing changes and ``ConflictError`` asks for a fresh look.
    """
    require(actor, Permission.EDIT_SCHEDULE)
    with database.write() as tx:
        found = _propose(tx, proposal.plan_id, now)
        stale = ConflictError(
            "The plan or the calendar changed since this proposal was shown. Look at the new proposal; "
            "nothing was changed."
        )
        if found is None:
            raise stale
        fresh = found.proposal
        if (fresh.plan_version, fresh.kind, fresh.after_visit, fresh.pattern, fresh.visits, fresh.cancelled) != (
            proposal.plan_version, proposal.kind, proposal.after_visit, proposal.pattern, proposal.visits,
            proposal.cancelled,
        ):
            raise stale
        if fresh.conflicts:
            raise ScheduleConflictError(fresh.conflicts, intro="Nothing was re-planned:")
        plan = tx.get(TreatmentPlan, proposal.plan_id)
        assert plan is not None
        writer = VisitWriter(tx, actor, found.course.request, found.types, zone_of(clinic_row(tx)), plan.id)
        reason = f"{REPLANNED_PREFIX}: {fresh.kind}, {fresh.pattern} from visit {fresh.after_visit + 1}"
        for row in tx.scalars(select(Appointment).where(Appointment.id.in_(found.replaced_ids))):
            row.status = "cancelled"
            row.cancel_reason = reason
            tx.flush()
            audit.record(
                tx, actor, "cancel", "appointment", row.id, patient_id=row.patient_id,
                detail={"local_start": row.local_start.isoformat(), "old_status": "booked",
                        "status": "cancelled", "replanned": True, "plan_id": plan.id},
            )
        booked = [writer.save(v) for v in found.course.visits[fresh.after_visit:]]
        writer.store_pattern(plan, found.course.pattern)
        return ReplanResult(found.replaced_ids, tuple(r.id for r in booked), fresh.course_pattern)
