"""Courses of treatment: preview, and book all visits or none.

A receptionist books a *course*, not single visits. ``preview_course`` places every visit in the
clinic's calendar (holidays, closures, leave, existing bookings) and lists every conflict without
saving; ``book_course`` places the course again inside the write transaction and saves every visit
or none. Both take one ``BookingRequest``; ``CoursePreview.booking()`` is the request that books
exactly the visits shown, so a slot taken since the preview fails the whole booking.

Re-planning a booked course after tapering or a relapse lives in ``services.replanning``; it shares
the building blocks at the end of this module (placing visits among the bookings, preview rows,
``VisitWriter``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from acudesk.domain import dates
from acudesk.domain import scheduling as engine
from acudesk.domain.errors import NotFoundError, ValidationError
from acudesk.domain.scheduling.course import LOOKAHEAD_DAYS
from acudesk.domain.scheduling.pattern import check_total
from acudesk.domain.scheduling.slot_finding import Slot, course_windows, default_slot_rules, find_course_slots
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, Clinic, CoursePhase, Patient, Room, TreatmentPlan, User
from acudesk.services import audit, slots
from acudesk.services.context import PRACTITIONER, Actor
from acudesk.services.permissions import Permission, require
from acudesk.services.scheduling import (
    ACTIVE_STATUSES,
    ScheduleConflictError,
    VisitTypes,
    build_calendar,
    clinic_row,
    existing_bookings,
    held_by_database,
    in_past,
    to_utc,
    visit_types,
    zone_of,
)


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
    # Where the slot finder put it (None: the request's practitioner and room) and why, in plain words.
    practitioner_id: int | None = None
    room_id: int | None = None
    room: str = ""
    explanation: str | None = None  # "14:00 taken (room busy) → 14:00, River Room"
    drifted: bool = False  # nothing free within its phase's tolerance: off the rhythm
    options: tuple[str, ...] = ()  # the nearest other slots, when it drifted ("Thu 30 Dec 10:00, Garden Room")

    @property
    def moved(self) -> bool:
        return self.moved_from is not None or self.explanation is not None


@dataclass(frozen=True)
class PlacedVisits:
    """Visits as they would be booked, each with its own conflicts; ``conflicts`` lists them all."""

    visits: tuple[PreviewVisit, ...]
    conflicts: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.conflicts

    @property
    def drifted(self) -> tuple[PreviewVisit, ...]:
        """Visits that could not keep their rhythm (booked outside their phase's tolerance)."""
        return tuple(v for v in self.visits if v.drifted)


@dataclass(frozen=True)
class BookingRequest:
    """One course for one patient, as the receptionist asks for it.

    ``start`` is the first visit's local wall-clock time in the clinic's zone. ``previewed`` holds
    the visits the receptionist was shown (see ``CoursePreview.booking``): booking then saves exactly
    those, or refuses when the calendar no longer allows them.
    """

    patient_id: int
    practitioner_id: int
    room_id: int | None
    start: datetime
    pattern: str | engine.CoursePattern
    plan_id: int | None = None
    first_visit: bool = True
    previewed: tuple[PreviewVisit, ...] | None = None
    preferences: str | None = None  # the patient's preferred days and times; None: as stored for them
    other_practitioners: bool = False  # may a visit go to another practitioner when theirs is busy?


@dataclass(frozen=True)
class CoursePreview(PlacedVisits):
    request: BookingRequest
    pattern: str  # the request's pattern, formatted

    def booking(self) -> BookingRequest:
        """The request that books exactly the visits shown here."""
        return replace(self.request, previewed=self.visits)


@dataclass(frozen=True)
class BookedCourse:
    appointment_ids: tuple[int, ...]
    preview: CoursePreview  # the visits booked


# -- booking a course --------------------------------------------------------------------------------
def _parsed(pattern: str | engine.CoursePattern) -> engine.CoursePattern:
    return engine.parse_pattern(pattern) if isinstance(pattern, str) else pattern


def _check_people(tx: Session, request: BookingRequest) -> None:
    patient = tx.get(Patient, request.patient_id)
    if patient is None:
        raise NotFoundError(f"There is no patient no. {request.patient_id}.")
    if patient.archived:
        raise ValidationError("This patient is archived; restore them before booking.", field="patient")
    practitioner = tx.get(User, request.practitioner_id)
    if practitioner is None or not practitioner.active or PRACTITIONER not in practitioner.role_names:
        raise ValidationError("Choose an active practitioner.", field="practitioner")
    if request.room_id is not None:
        room = tx.get(Room, request.room_id)
        if room is None or not room.active:
            raise ValidationError("Choose a room that is in use.", field="room")


def _plan_for(tx: Session, request: BookingRequest) -> TreatmentPlan | None:
    if request.plan_id is None:
        return None
    plan = tx.get(TreatmentPlan, request.plan_id)
    if plan is None or plan.patient_id != request.patient_id:
        raise NotFoundError(f"This patient has no treatment plan no. {request.plan_id}.")
    return plan


@dataclass(frozen=True)
class _Scheduled:
    """A course placed in the calendar, with what it was placed among."""

    placed: Placed
    types: VisitTypes
    tz: ZoneInfo
    busy: slots.DatabaseBusy
    names: dict[object, str]


def _schedule(
    tx: Session, request: BookingRequest, pattern: engine.CoursePattern, through: date | None = None
) -> _Scheduled:
    """Check the request and place the course; the calendar is loaded at least ``through`` that day."""
    check_total(pattern.total)
    _check_people(tx, request)
    _plan_for(tx, request)
    clinic = clinic_row(tx)
    tz = zone_of(clinic)
    types = visit_types(tx)
    start = request.start
    course_request = engine.CourseRequest(
        start=start, pattern=pattern, tz=tz, practitioner_id=request.practitioner_id, room_id=request.room_id,
        patient_id=request.patient_id, first_type=types.first if request.first_visit else types.follow_up,
        follow_up_type=types.follow_up,
    )
    first_end = start + course_request.first_type.duration
    hours = build_calendar(tx, clinic, start.date(), start.date()).hours
    if hours.is_open_day(start.weekday()) and not hours.fits(start, first_end):
        raise ValidationError(
            f"{dates.time_of(start)}-{dates.time_of(first_end)} is outside the opening hours on {start:%A}s; "
            "choose a time when the clinic is open for the whole visit.",
            field="start",
        )
    where = slots.places(tx, request.practitioner_id, request.room_id,
                         other_practitioners=request.other_practitioners)
    preferences = (slots.parse_preferences(request.preferences) if request.preferences is not None
                   else slots.stored_preferences(tx, request.patient_id))
    rules = default_slot_rules()
    windows = course_windows(course_request, rules)
    last = max(windows[-1][1] + timedelta(days=rules.lookahead_days), through or start.date())
    calendar = build_calendar(tx, clinic, windows[0][0] - timedelta(days=rules.lookahead_days), last)
    busy = slots.DatabaseBusy(tx, tz, where.practitioners, where.rooms, request.patient_id)
    busy.prefetch(windows)
    course = find_course_slots(course_request, calendar, busy, rooms=where.rooms, practitioners=where.practitioners,
                               preferences=preferences, room_names=where.room_names,
                               practitioner_names=where.practitioner_names, rules=rules)
    placed = Placed(course, calendar, [])  # validation reads the visits' days from ``busy``
    return _Scheduled(placed, types, tz, busy, where.room_names)


def _preview(
    request: BookingRequest, pattern: engine.CoursePattern, course: engine.Course, scheduled: _Scheduled,
    now: datetime | None,
) -> CoursePreview:
    # Every booking that could clash with a visit, read if the search did not (a shown visit may be elsewhere).
    existing = scheduled.busy.clashing_with(course.appointments())
    conflicts = engine.validate_course(course, existing, scheduled.placed.calendar)
    rows = preview_rows(course, conflicts, course.visits, now=now, names=scheduled.names)
    return CoursePreview(rows.visits, rows.conflicts, request, engine.format_pattern(pattern))


def preview_course(
    database: Database, actor: Actor, request: BookingRequest, *, now: datetime | None = None
) -> CoursePreview:
    """Every visit the course would book, moved visits and conflicts flagged. Nothing is saved."""
    require(actor, Permission.VIEW_SCHEDULE)
    pattern = _parsed(request.pattern)
    with database.read() as tx:
        scheduled = _schedule(tx, request, pattern)
        return _preview(request, pattern, scheduled.placed.course, scheduled, now)


def _shown_course(
    shown: Sequence[PreviewVisit], course_request: engine.CourseRequest, pattern: engine.CoursePattern
) -> engine.Course:
    """The visits the receptionist was shown, as a domain course to validate and book."""
    if [row.number for row in shown] != list(range(1, pattern.total + 1)):
        raise ValidationError("The preview does not match this booking; preview again.", field="pattern")
    visits = []
    for row in shown:
        start, note = engine.localize(row.local_start.date(), row.local_start.time(), course_request.tz)
        index = row.number - 1
        visits.append(engine.ScheduledVisit(
            index, row.phase, row.planned, start, course_request.visit_type(index), row.moved_from, row.reason, note,
            practitioner_id=row.practitioner_id, room_id=row.room_id, explanation=row.explanation,
            drifted=row.drifted,
        ))
    return engine.Course(course_request, pattern, tuple(visits))


def book_course(
    database: Database, actor: Actor, request: BookingRequest, *, now: datetime | None = None
) -> BookedCourse:
    """Book every visit of the course, or none: any conflict raises ``ScheduleConflictError``.

    The course is placed once, inside the write transaction. With ``request.previewed`` and a
    calendar that changed since the preview, exactly the visits shown are checked against the
    bookings saved since and booked, or refused. The plan, when given, stores the pattern.
    """
    require(actor, Permission.EDIT_SCHEDULE)
    pattern = _parsed(request.pattern)
    shown = request.previewed
    with database.write() as tx:
        scheduled = _schedule(tx, request, pattern, through=shown[-1].local_start.date() if shown else None)
        course = scheduled.placed.course
        preview = _preview(request, pattern, course, scheduled, now)
        if shown is not None and preview.visits != shown:
            course = _shown_course(shown, course.request, pattern)
            preview = _preview(request, pattern, course, scheduled, now)
        if not preview.ok:
            raise ScheduleConflictError(preview.conflicts)
        plan = _plan_for(tx, request)
        if plan is not None:
            active = tx.scalar(
                select(Appointment.id).where(Appointment.plan_id == plan.id,
                                             Appointment.status.in_(ACTIVE_STATUSES)).limit(1)
            )
            if active is not None:
                raise ValidationError(
                    "This treatment plan already has visits booked; re-plan them instead of booking a new course.",
                    field="plan",
                )
        writer = VisitWriter(tx, actor, course.request, scheduled.types, scheduled.tz, request.plan_id)
        if plan is not None:
            writer.store_pattern(plan, pattern)
        rows = [writer.save(v) for v in course.visits]
        return BookedCourse(tuple(r.id for r in rows), preview)


def bookable_plan_id(database: Database, actor: Actor, patient_id: int) -> int | None:
    """The patient's newest draft or active plan with no visits booked yet (ids only), if any."""
    require(actor, Permission.VIEW_SCHEDULE)
    with database.read() as tx:
        busy = select(Appointment.plan_id).where(
            Appointment.plan_id.is_not(None), Appointment.status.in_(ACTIVE_STATUSES)
        )
        return tx.scalar(
            select(TreatmentPlan.id)
            .where(TreatmentPlan.patient_id == patient_id, TreatmentPlan.status.in_(("draft", "active")),
                   TreatmentPlan.id.not_in(busy))
            .order_by(TreatmentPlan.id.desc())
            .limit(1)
        )


# -- building blocks shared with services.replanning -------------------------------------------------
@dataclass(frozen=True)
class Placed:
    """A course placed in the calendar, and the calendar and bookings it was placed among."""

    course: engine.Course
    calendar: engine.ClinicCalendar
    existing: list[engine.Appointment]


def place_among_bookings(
    tx: Session,
    clinic: Clinic,
    first: date,
    last: date,
    exclude_ids: Sequence[int],
    place: Callable[[engine.ClinicCalendar, list[engine.Appointment]], engine.Course],
) -> Placed:
    """Run ``place`` with the calendar and bookings of ``first``..``last``; widen once if it spilled over.

    One query per range; a second only when moved visits cascaded past the range (rare: a long closure).
    """
    tz = zone_of(clinic)
    while True:
        calendar = build_calendar(tx, clinic, first, last)
        existing = existing_bookings(tx, tz, first, last, exclude_ids=exclude_ids)
        course = place(calendar, existing)
        last_day = course.visits[-1].day
        if last_day <= last:
            return Placed(course, calendar, existing)
        last = last_day + timedelta(days=LOOKAHEAD_DAYS)


def horizon(start: datetime, pattern: engine.CoursePattern) -> date:
    """The last day whose bookings a course of ``pattern`` from ``start`` is likely to meet."""
    planned = engine.plan_visits(start, pattern, include_anchor=True)
    return planned[-1][0].date() + timedelta(days=2 * LOOKAHEAD_DAYS)


def preview_rows(
    course: engine.Course, conflicts: Sequence[engine.Conflict], visits: Sequence[engine.ScheduledVisit],
    *, offset: int = 0, now: datetime | None = None, names: Mapping[object, str] | None = None,
) -> PlacedVisits:
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
            messages.insert(0, f"visit {number}: {dates.day_and_time(visit.start)} is in the past")
        if offset:  # re-plans number visits within the whole course, not the new part
            messages = [m.replace(f"visit {position + 1}:", f"visit {number}:", 1) for m in messages]
        every.extend(messages)
        start = visit.start.replace(tzinfo=None)
        room = visit.room_id if visit.room_id is not None else course.request.room_id
        rows.append(
            PreviewVisit(
                number, visit.phase, str(course.pattern.phases[visit.phase].interval), start,
                start + visit.visit_type.duration, visit.planned, visit.visit_type.name, visit.moved_from,
                visit.reason, visit.time_note, tuple(messages),
                practitioner_id=visit.practitioner_id,  # type: ignore[arg-type]
                room_id=visit.room_id,  # type: ignore[arg-type]
                room=(names or {}).get(room, "") if room is not None else "",
                explanation=visit.explanation, drifted=visit.drifted,
                options=tuple(_option_text(o, names or {}) for o in visit.options),
            )
        )
    return PlacedVisits(tuple(rows), tuple(every))


def _option_text(slot: Slot, names: Mapping[object, str]) -> str:
    where = [names.get(x, "") for x in (slot.room_id,) if x is not None]
    return ", ".join([f"{dates.day_and_time(slot.start)}", *[w for w in where if w]])


@dataclass(frozen=True)
class VisitWriter:
    """Saves a course's visits and its plan's pattern in the open write transaction, each audited."""

    tx: Session
    actor: Actor
    request: engine.CourseRequest
    types: VisitTypes
    tz: ZoneInfo
    plan_id: int | None

    def save(self, visit: engine.ScheduledVisit) -> Appointment:
        local, start_utc, _note = to_utc(visit.start.replace(tzinfo=None), self.tz)
        request = self.request
        row = Appointment(
            patient_id=request.patient_id,
            practitioner_id=request.practitioner_id if visit.practitioner_id is None else visit.practitioner_id,
            room_id=request.room_id if visit.room_id is None else visit.room_id,
            plan_id=self.plan_id, visit_type_id=self.types.id_of(visit.visit_type),
            course_visit_number=visit.index + 1, local_start=local, start_utc=start_utc,
            duration_minutes=int(visit.visit_type.duration.total_seconds() // 60),
            changeover_minutes=int(visit.visit_type.changeover.total_seconds() // 60),
            fee_minor=int((visit.visit_type.default_fee * 100).to_integral_value()), status="booked",
            planned_local_start=visit.planned, moved_from=visit.moved_from,
            move_reason=(visit.reason or visit.explanation or visit.time_note or "")[:200], cancel_reason="",
            late_cancellation=False,
        )
        self.tx.add(row)
        with held_by_database(f"visit {visit.index + 1}", local):
            self.tx.flush()
        audit.record(
            self.tx, self.actor, "book", "appointment", row.id, patient_id=row.patient_id,
            detail={
                "local_start": local.isoformat(), "planned_local_start": visit.planned.isoformat(),
                "course_visit_number": visit.index + 1, "plan_id": self.plan_id, "status": "booked",
            },
        )
        return row

    def store_pattern(self, plan: TreatmentPlan, pattern: engine.CoursePattern) -> None:
        plan.course_pattern = engine.format_pattern(pattern)
        plan.phases = [
            CoursePhase(position=n, interval_unit=p.interval.unit, interval_count=p.interval.n, visits=p.count)
            for n, p in enumerate(pattern.phases)
        ]
        self.tx.flush()
        audit.record(
            self.tx, self.actor, "update", "treatment_plan", plan.id, patient_id=plan.patient_id,
            detail={"fields": ["course_pattern"], "course_pattern": plan.course_pattern},
        )
