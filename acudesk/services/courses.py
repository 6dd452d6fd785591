"""Courses of treatment: preview, book (all visits or none), and re-plan on tapering or relapse.

A receptionist books a *course*, not single visits. ``preview_course`` places every visit in the
clinic's calendar (holidays, closures, leave, existing bookings) and lists every conflict without
saving; ``book_course`` repeats the check inside the write transaction and saves every visit or
none. ``taper_proposal`` reads the plan's pain scores and proposes the next phase (or a new set after
a relapse); nothing is rebooked until ``accept_proposal`` is called.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from acudesk.domain import scheduling as engine
from acudesk.domain.errors import ConflictError, NotFoundError, ValidationError
from acudesk.domain.scheduling.course import LOOKAHEAD_DAYS
from acudesk.domain.scheduling.pattern import check_total
from acudesk.persistence.database import Database
from acudesk.persistence.models import (
    Appointment,
    Clinic,
    CoursePhase,
    Patient,
    Room,
    SessionRecord,
    TreatmentPlan,
    User,
)
from acudesk.services import audit
from acudesk.services.context import PRACTITIONER, Actor
from acudesk.services.permissions import Permission, require
from acudesk.services.scheduling import (
    ACTIVE_STATUSES,
    ScheduleConflictError,
    VisitTypes,
    build_calendar,
    clinic_row,
    existing_bookings,
    in_past,
    to_utc,
    visit_types,
    zone_of,
)

REPLANNED_PREFIX = "Re-planned"
T = TypeVar("T")


@dataclass(frozen=True)
class PreviewVisit:
    """One visit as it would be booked (local wall-clock times in the clinic's zone)."""

    number: int  # 1-based visit number within the course
    phase: int  # 0-based phase of the pattern
    phase_label: str  # "weekly", "fortnightly", "monthly"...
    local_start: datetime
    local_end: datetime
    planned: datetime  # what the rhythm asked for
    visit_type: str
    moved_from: date | None = None
    reason: str | None = None
    time_note: str | None = None  # daylight-saving adjustment, shown to the receptionist
    conflicts: tuple[str, ...] = ()

    @property
    def moved(self) -> bool:
        return self.moved_from is not None


@dataclass(frozen=True)
class CoursePreview:
    patient_id: int
    practitioner_id: int
    room_id: int | None
    plan_id: int | None
    pattern: str
    visits: tuple[PreviewVisit, ...]
    conflicts: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.conflicts


@dataclass(frozen=True)
class BookedCourse:
    appointment_ids: tuple[int, ...]
    preview: CoursePreview


@dataclass(frozen=True)
class ReplacedVisit:
    appointment_id: int
    number: int
    local_start: datetime


@dataclass(frozen=True)
class ReplanProposal:
    """A taper or relapse proposal and exactly what accepting it would change."""

    plan_id: int
    plan_version: int
    kind: str  # "taper" | "relapse"
    reason: str
    after_visit: int  # 1-based number of the last visit kept
    pattern: str  # pattern of the visits that replace the rest
    course_pattern: str  # the plan's pattern once accepted
    cancelled: tuple[ReplacedVisit, ...]
    visits: tuple[PreviewVisit, ...]
    conflicts: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.conflicts


@dataclass(frozen=True)
class ReplanResult:
    cancelled_ids: tuple[int, ...]
    booked_ids: tuple[int, ...]
    course_pattern: str


# -- shared helpers ----------------------------------------------------------------------------------
def _pattern(pattern: str | engine.CoursePattern) -> engine.CoursePattern:
    return engine.parse_pattern(pattern) if isinstance(pattern, str) else pattern


def _check_people(session: Session, patient_id: int, practitioner_id: int, room_id: int | None) -> None:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFoundError(f"There is no patient no. {patient_id}.")
    if patient.archived:
        raise ValidationError("This patient is archived; restore them before booking.", field="patient")
    practitioner = session.get(User, practitioner_id)
    if practitioner is None or not practitioner.active or PRACTITIONER not in practitioner.role_names:
        raise ValidationError("Choose an active practitioner.", field="practitioner")
    if room_id is not None:
        room = session.get(Room, room_id)
        if room is None or not room.active:
            raise ValidationError("Choose a room that is in use.", field="room")


def _with_bookings(
    session: Session,
    clinic: Clinic,
    first: date,
    last: date,
    exclude_ids: Sequence[int],
    run: Callable[[engine.ClinicCalendar, list[engine.Appointment]], tuple[T, date]],
) -> tuple[T, engine.ClinicCalendar, list[engine.Appointment]]:
    """Run ``run`` with the calendar and bookings of ``first``..``last``; widen once if it spilled over.

    ``run`` returns its result and the last day it booked. One query per range; a second only when
    moved visits cascaded past the range (rare: a long closure).
    """
    tz = zone_of(clinic)
    while True:
        calendar = build_calendar(session, clinic, first, last)
        existing = existing_bookings(session, tz, first, last, exclude_ids=exclude_ids)
        result, last_day = run(calendar, existing)
        if last_day <= last:
            return result, calendar, existing
        last = last_day + timedelta(days=LOOKAHEAD_DAYS)


def _horizon(start: datetime, pattern: engine.CoursePattern) -> date:
    planned = engine.plan_visits(start, pattern, include_anchor=True)
    return planned[-1][0].date() + timedelta(days=2 * LOOKAHEAD_DAYS)


def _preview_visits(
    course: engine.Course, conflicts: Sequence[engine.Conflict], visits: Sequence[engine.ScheduledVisit],
    *, offset: int = 0, now: datetime | None = None,
) -> tuple[tuple[PreviewVisit, ...], tuple[str, ...]]:
    """Preview rows for ``visits``; conflicts are indexed by position in ``visits`` plus ``offset``."""
    by_index: dict[int, list[str]] = {}
    for conflict in conflicts:
        by_index.setdefault(conflict.visit_index, []).append(conflict.message)
    rows = []
    every: list[str] = []
    for position, visit in enumerate(visits):
        number = visit.index + 1
        messages = list(by_index.get(position, []))
        if in_past(visit.start, now):
            messages.insert(0, f"visit {number}: {visit.start:%a %d %b %Y %H:%M} is in the past")
        if offset:  # re-plans number visits within the whole course, not the new part
            messages = [m.replace(f"visit {position + 1}:", f"visit {number}:", 1) for m in messages]
        every.extend(messages)
        start = visit.start.replace(tzinfo=None)
        rows.append(
            PreviewVisit(
                number, visit.phase, str(course.pattern.phases[visit.phase].interval), start,
                start + visit.visit_type.duration, visit.planned, visit.visit_type.name, visit.moved_from,
                visit.reason, visit.time_note, tuple(messages),
            )
        )
    return tuple(rows), tuple(every)


def _request(
    types: VisitTypes, tz: ZoneInfo, start: datetime, pattern: engine.CoursePattern,
    patient_id: int, practitioner_id: int, room_id: int | None, first_visit: bool,
) -> engine.CourseRequest:
    return engine.CourseRequest(
        start=start, pattern=pattern, tz=tz, practitioner_id=practitioner_id, room_id=room_id,
        patient_id=patient_id, first_type=types.first if first_visit else types.follow_up,
        follow_up_type=types.follow_up,
    )


def _save_visit(
    session: Session, actor: Actor, request: engine.CourseRequest, visit: engine.ScheduledVisit,
    types: VisitTypes, plan_id: int | None, tz: ZoneInfo,
) -> Appointment:
    local, start_utc, _note = to_utc(visit.start.replace(tzinfo=None), tz)
    row = Appointment(
        patient_id=request.patient_id, practitioner_id=request.practitioner_id, room_id=request.room_id,
        plan_id=plan_id, visit_type_id=types.id_of(visit.visit_type), course_visit_number=visit.index + 1,
        local_start=local, start_utc=start_utc, duration_minutes=int(visit.visit_type.duration.total_seconds() // 60),
        status="booked", planned_local_start=visit.planned, moved_from=visit.moved_from,
        move_reason=(visit.reason or visit.time_note or "")[:200], cancel_reason="", late_cancellation=False,
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "book", "appointment", row.id, patient_id=row.patient_id,
        detail={
            "local_start": local.isoformat(), "planned_local_start": visit.planned.isoformat(),
            "course_visit_number": visit.index + 1, "plan_id": plan_id, "status": "booked",
        },
    )
    return row


def _store_pattern(session: Session, actor: Actor, plan: TreatmentPlan, pattern: engine.CoursePattern) -> None:
    plan.course_pattern = engine.format_pattern(pattern)
    plan.phases = [
        CoursePhase(position=n, interval_unit=p.interval.unit, interval_count=p.interval.n, visits=p.count)
        for n, p in enumerate(pattern.phases)
    ]
    session.flush()
    audit.record(
        session, actor, "update", "treatment_plan", plan.id, patient_id=plan.patient_id,
        detail={"fields": ["course_pattern"], "course_pattern": plan.course_pattern},
    )


# -- booking a course --------------------------------------------------------------------------------
def _plan_for(session: Session, plan_id: int | None, patient_id: int) -> TreatmentPlan | None:
    if plan_id is None:
        return None
    plan = session.get(TreatmentPlan, plan_id)
    if plan is None or plan.patient_id != patient_id:
        raise NotFoundError(f"This patient has no treatment plan no. {plan_id}.")
    return plan


def _schedule(
    session: Session, patient_id: int, practitioner_id: int, room_id: int | None, start_local: datetime,
    pattern: engine.CoursePattern, plan_id: int | None, first_visit: bool, now: datetime | None,
) -> tuple[CoursePreview, engine.Course, list[engine.Conflict], VisitTypes]:
    check_total(pattern.total)
    _check_people(session, patient_id, practitioner_id, room_id)
    _plan_for(session, plan_id, patient_id)
    clinic = clinic_row(session)
    tz = zone_of(clinic)
    types = visit_types(session)
    request = _request(types, tz, start_local, pattern, patient_id, practitioner_id, room_id, first_visit)

    def run(calendar: engine.ClinicCalendar, existing: list[engine.Appointment]) -> tuple[engine.Course, date]:
        course = engine.schedule_course(request, calendar, engine.BookingsAvailability(existing, tz))
        return course, course.visits[-1].day

    first_end = start_local + request.first_type.duration
    hours = build_calendar(session, clinic, start_local.date(), start_local.date()).hours
    if hours.is_open_day(start_local.weekday()) and not hours.fits(start_local, first_end):
        raise ValidationError(
            f"{start_local:%H:%M}-{first_end:%H:%M} is outside the opening hours on {start_local:%A}s; "
            "choose a time when the clinic is open for the whole visit.",
            field="start",
        )
    course, calendar, existing = _with_bookings(
        session, clinic, start_local.date(), _horizon(start_local, pattern), (), run
    )
    conflicts = engine.validate_course(course, existing, calendar)
    visits, messages = _preview_visits(course, conflicts, course.visits, now=now)
    preview = CoursePreview(
        patient_id, practitioner_id, room_id, plan_id, engine.format_pattern(pattern), visits, messages
    )
    return preview, course, conflicts, types


def preview_course(
    database: Database,
    actor: Actor,
    patient_id: int,
    practitioner_id: int,
    room_id: int | None,
    start_local: datetime,
    pattern: str | engine.CoursePattern,
    plan_id: int | None = None,
    *,
    first_visit: bool = True,
    now: datetime | None = None,
) -> CoursePreview:
    """Every visit the course would book, moved visits and conflicts flagged. Nothing is saved."""
    require(actor, Permission.VIEW_SCHEDULE)
    parsed = _pattern(pattern)
    with database.read() as session:
        return _schedule(session, patient_id, practitioner_id, room_id, start_local, parsed, plan_id,
                         first_visit, now)[0]


def _expected_course(
    expected: CoursePreview, request: engine.CourseRequest, pattern: engine.CoursePattern, tz: ZoneInfo
) -> engine.Course:
    """The visits the receptionist saw, as a domain course to validate again."""
    visits = []
    for row in expected.visits:
        start, note = engine.localize(row.local_start.date(), row.local_start.time(), tz)
        index = row.number - 1
        visits.append(engine.ScheduledVisit(
            index, row.phase, row.planned, start, request.visit_type(index), row.moved_from, row.reason, note,
        ))
    return engine.Course(request, pattern, tuple(visits))


def book_course(
    database: Database,
    actor: Actor,
    patient_id: int,
    practitioner_id: int,
    room_id: int | None,
    start_local: datetime,
    pattern: str | engine.CoursePattern,
    plan_id: int | None = None,
    *,
    first_visit: bool = True,
    expected: CoursePreview | None = None,
    now: datetime | None = None,
) -> BookedCourse:
    """Book every visit of the course, or none: any conflict raises ``ScheduleConflictError``.

    With ``expected`` (the preview the receptionist saw), exactly those visit times are checked
    again against the bookings saved since and booked; otherwise the course is placed afresh.
    The plan, when given, stores the pattern.
    """
    require(actor, Permission.EDIT_SCHEDULE)
    parsed = _pattern(pattern)
    with database.write() as session:
        preview, course, conflicts, types = _schedule(
            session, patient_id, practitioner_id, room_id, start_local, parsed, plan_id, first_visit, now
        )
        if expected is not None:
            same = (expected.patient_id, expected.practitioner_id, expected.room_id, expected.plan_id,
                    expected.pattern)
            if same != (patient_id, practitioner_id, room_id, plan_id, preview.pattern):
                raise ValidationError("The preview does not match this booking; preview again.", field="pattern")
            clinic = clinic_row(session)
            tz = zone_of(clinic)
            course = _expected_course(expected, course.request, parsed, tz)
            last = course.visits[-1].day
            first = course.visits[0].day
            calendar = build_calendar(session, clinic, first, last)
            existing = existing_bookings(session, tz, first, last)
            conflicts = engine.validate_course(course, existing, calendar)
            _rows, messages = _preview_visits(course, conflicts, course.visits, now=now)
        else:
            messages = preview.conflicts
        if messages:
            raise ScheduleConflictError(messages)
        plan = _plan_for(session, plan_id, patient_id)
        if plan is not None:
            active = session.scalar(
                select(Appointment.id).where(Appointment.plan_id == plan.id,
                                             Appointment.status.in_(ACTIVE_STATUSES)).limit(1)
            )
            if active is not None:
                raise ValidationError(
                    "This treatment plan already has visits booked; re-plan them instead of booking a new course.",
                    field="plan",
                )
            _store_pattern(session, actor, plan, parsed)
        tz = zone_of(clinic_row(session))
        rows = [_save_visit(session, actor, course.request, v, types, plan_id, tz) for v in course.visits]
        return BookedCourse(tuple(r.id for r in rows), preview)


def bookable_plan_id(database: Database, actor: Actor, patient_id: int) -> int | None:
    """The patient's newest draft or active plan with no visits booked yet (ids only), if any."""
    require(actor, Permission.VIEW_SCHEDULE)
    with database.read() as session:
        busy = select(Appointment.plan_id).where(
            Appointment.plan_id.is_not(None), Appointment.status.in_(ACTIVE_STATUSES)
        )
        return session.scalar(
            select(TreatmentPlan.id)
            .where(TreatmentPlan.patient_id == patient_id, TreatmentPlan.status.in_(("draft", "active")),
                   TreatmentPlan.id.not_in(busy))
            .order_by(TreatmentPlan.id.desc())
            .limit(1)
        )


# -- tapering and relapse ----------------------------------------------------------------------------
def _course_rows(session: Session, plan_id: int) -> dict[int, Appointment]:
    """The plan's visits by number: the one that stands (not cancelled) wins over cancelled ones."""
    chosen: dict[int, Appointment] = {}
    rows = session.scalars(
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


def _readings(session: Session, plan_id: int) -> list[engine.NrsReading]:
    rows = session.execute(
        select(Appointment.course_visit_number, SessionRecord.nrs_before)
        .join(Appointment, Appointment.id == SessionRecord.appointment_id)
        .where(SessionRecord.plan_id == plan_id, SessionRecord.nrs_before.is_not(None),
               Appointment.course_visit_number.is_not(None), SessionRecord.amends_id.is_(None))
        .order_by(SessionRecord.id)
    )
    return [engine.NrsReading(number - 1, score) for number, score in rows]


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


def _propose(
    session: Session, plan_id: int, now: datetime | None
) -> tuple[ReplanProposal, engine.Course, list[int], VisitTypes] | None:
    plan = session.get(TreatmentPlan, plan_id)
    if plan is None:
        raise NotFoundError(f"There is no treatment plan no. {plan_id}.")
    pattern = _plan_pattern(plan)
    rows = _course_rows(session, plan_id)
    held = [n for n, r in rows.items() if r.status in ("arrived", "completed")]
    if not held:
        return None
    state = engine.CourseState(pattern, last_held_visit=max(held) - 1, baseline=plan.baseline_nrs)
    readings = _readings(session, plan_id)
    proposal = engine.propose_taper(state, readings) or engine.propose_relapse(state, readings)
    if proposal is None:
        return None
    keep = proposal.after_visit + 1  # visits numbered 1..keep stay
    missing = [n for n in range(1, keep + 1) if n not in rows]
    if missing:
        raise ValidationError(f"Visit {missing[0]} of this course is not in the calendar.", field="plan")
    clinic = clinic_row(session)
    tz = zone_of(clinic)
    types = visit_types(session)
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
    replaced_ids = [r.id for r in replaced]

    def run(calendar: engine.ClinicCalendar, existing: list[engine.Appointment]) -> tuple[engine.Course, date]:
        new = engine.replan_after(course, proposal.after_visit, proposal.pattern, calendar,
                                  engine.BookingsAvailability(existing, tz))
        return new, new.visits[-1].day

    start = kept[-1].planned
    horizon = _horizon(start, proposal.pattern)
    new_course, calendar, existing = _with_bookings(session, clinic, kept[-1].day, horizon, replaced_ids, run)
    added = new_course.visits[keep:]
    conflicts = engine.validate_series([new_course.appointment(v) for v in added], existing, calendar, tz)
    visits, messages = _preview_visits(new_course, conflicts, added, offset=keep, now=now)
    result = ReplanProposal(
        plan.id, plan.version, proposal.kind, proposal.reason, keep, engine.format_pattern(proposal.pattern),
        engine.format_pattern(new_course.pattern),
        tuple(ReplacedVisit(r.id, r.course_visit_number or 0, r.local_start) for r in replaced),
        visits, messages,
    )
    return result, new_course, replaced_ids, types


def taper_proposal(
    database: Database, actor: Actor, plan_id: int, *, now: datetime | None = None
) -> ReplanProposal | None:
    """A taper (or, after tapering, relapse) proposal from the plan's pain scores, or None. Saves nothing.

    Reads session pain scores, so it needs clinical access as well as the schedule.
    """
    require(actor, Permission.VIEW_SCHEDULE)
    require(actor, Permission.VIEW_CLINICAL)
    with database.read() as session:
        found = _propose(session, plan_id, now)
        return found[0] if found else None


def accept_proposal(
    database: Database, actor: Actor, proposal: ReplanProposal, *, now: datetime | None = None
) -> ReplanResult:
    """Re-plan as proposed, in one transaction: cancel the replaced visits and book the new ones.

    The proposal is worked out again; if the plan, the scores or the calendar changed since it was
    shown, nothing changes and ``ConflictError`` asks for a fresh look.
    """
    require(actor, Permission.EDIT_SCHEDULE)
    with database.write() as session:
        found = _propose(session, proposal.plan_id, now)
        stale = ConflictError(
            "The plan or the calendar changed since this proposal was shown. Look at the new proposal; "
            "nothing was changed."
        )
        if found is None:
            raise stale
        fresh, new_course, replaced_ids, types = found
        if (fresh.plan_version, fresh.kind, fresh.after_visit, fresh.pattern, fresh.visits, fresh.cancelled) != (
            proposal.plan_version, proposal.kind, proposal.after_visit, proposal.pattern, proposal.visits,
            proposal.cancelled,
        ):
            raise stale
        if fresh.conflicts:
            raise ScheduleConflictError(fresh.conflicts, intro="Nothing was re-planned:")
        plan = session.get(TreatmentPlan, proposal.plan_id)
        assert plan is not None
        tz = zone_of(clinic_row(session))
        reason = f"{REPLANNED_PREFIX}: {fresh.kind}, {fresh.pattern} from visit {fresh.after_visit + 1}"
        for row in session.scalars(select(Appointment).where(Appointment.id.in_(replaced_ids))):
            row.status = "cancelled"
            row.cancel_reason = reason
            session.flush()
            audit.record(
                session, actor, "cancel", "appointment", row.id, patient_id=row.patient_id,
                detail={"local_start": row.local_start.isoformat(), "old_status": "booked",
                        "status": "cancelled", "replanned": True, "plan_id": plan.id},
            )
        booked = [
            _save_visit(session, actor, new_course.request, v, types, plan.id, tz)
            for v in new_course.visits[fresh.after_visit:]
        ]
        _store_pattern(session, actor, plan, new_course.pattern)
        return ReplanResult(tuple(replaced_ids), tuple(r.id for r in booked), fresh.course_pattern)
