"""What the calendar screens show: appointments of a range, today's front-desk list, closed days.

Each view is one query with joins (patient, practitioner, room, visit type), whatever the number of
appointments, and one more for the courses its visits belong to ("visit 5 of 9 · fortnightly");
the rows come back as frozen ``CalendarEntry`` values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from acudesk.domain import scheduling as engine
from acudesk.domain.errors import ValidationError
from acudesk.domain.patients import full_name
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, Patient, Room, TreatmentPlan, User, UserRole, VisitType
from acudesk.services.context import PRACTITIONER, Actor
from acudesk.services.permissions import Permission, require
from acudesk.services.scheduling import build_calendar, clinic_row, local_range_utc, zone_of

# A booked patient whose start time passed more than this long ago shows as late at the front desk.
LATE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class CalendarEntry:
    id: int
    version: int
    patient_id: int
    patient_name: str  # "Given Family", for the screen only (never logged)
    practitioner_id: int
    practitioner_name: str
    room_id: int | None
    room_name: str
    visit_type: str
    status: str
    local_start: datetime  # clinic wall clock, naive
    local_end: datetime
    start_utc: datetime
    plan_id: int | None
    course_visit_number: int | None
    moved_from: date | None
    move_reason: str
    cancel_reason: str
    late_cancellation: bool
    course_total: int | None = None  # how many visits the course has (not counting cancelled ones)
    course_phase: str = ""  # "weekly", "fortnightly"...; empty when the rhythm is not known

    @property
    def duration(self) -> timedelta:
        return self.local_end - self.local_start

    @property
    def course_text(self) -> str:
        """"visit 5 of 9 · fortnightly", "visit 2 of 4", or "" for a visit outside any course."""
        if self.course_visit_number is None:
            return ""
        number = f"visit {self.course_visit_number}"
        if self.course_total and self.course_total >= self.course_visit_number:
            number += f" of {self.course_total}"
        return " · ".join(part for part in (number, self.course_phase) if part)


@dataclass(frozen=True)
class TodayEntry:
    entry: CalendarEntry
    late: bool  # booked, and the start passed more than LATE_AFTER ago


@dataclass(frozen=True)
class Resource:
    id: int
    name: str


@dataclass(frozen=True)
class Resources:
    practitioners: tuple[Resource, ...]
    rooms: tuple[Resource, ...]


@dataclass(frozen=True)
class CalendarRange:
    """Everything a day or week view paints: entries plus why any day is closed."""

    first: date
    last: date
    entries: tuple[CalendarEntry, ...]
    closed: dict[date, str]  # day -> reason (holiday, closure, closed weekday, the practitioner's leave)
    opening: dict[int, tuple[tuple[int, int], ...]]  # weekday -> open spans in minutes
    leave: dict[tuple[int, date], str] = field(default_factory=dict)  # (practitioner, day) -> reason,
    # for the views that show every practitioner (``closed`` has one practitioner's leave already)


_Practitioner = aliased(User)


def _statement() -> Select:  # any number of columns: bare, for SQLAlchemy 2.0 and 2.1 alike
    return (
        select(
            Appointment.id, Appointment.version, Appointment.patient_id, Patient.given_name, Patient.family_name,
            Appointment.practitioner_id, _Practitioner.display_name, Appointment.room_id, Room.name,
            VisitType.name, Appointment.status, Appointment.local_start, Appointment.duration_minutes,
            Appointment.start_utc, Appointment.plan_id, Appointment.course_visit_number, Appointment.moved_from,
            Appointment.move_reason, Appointment.cancel_reason, Appointment.late_cancellation,
        )
        .join(Patient, Patient.id == Appointment.patient_id)
        .join(_Practitioner, _Practitioner.id == Appointment.practitioner_id)
        .outerjoin(Room, Room.id == Appointment.room_id)
        .outerjoin(VisitType, VisitType.id == Appointment.visit_type_id)
    )


def _entry(row: Any) -> CalendarEntry:
    return CalendarEntry(
        id=row[0], version=row[1], patient_id=row[2], patient_name=full_name(row[3], row[4]), practitioner_id=row[5],
        practitioner_name=row[6], room_id=row[7], room_name=row[8] or "", visit_type=row[9] or "Visit",
        status=row[10], local_start=row[11], local_end=row[11] + timedelta(minutes=row[12]), start_utc=row[13],
        plan_id=row[14], course_visit_number=row[15], moved_from=row[16], move_reason=row[17] or "",
        cancel_reason=row[18] or "", late_cancellation=bool(row[19]),
    )


def entries_for_ids(tx: Session, ids: Sequence[int]) -> list[CalendarEntry]:
    rows = tx.execute(_statement().where(Appointment.id.in_(list(ids))).order_by(Appointment.start_utc))
    return with_courses(tx, [_entry(row) for row in rows])


@dataclass(frozen=True)
class _CourseVisit:
    id: int
    number: int
    status: str
    local_start: datetime
    planned: datetime


def _courses_of(tx: Session, patient_ids: set[int]) -> list[tuple[int | None, list[_CourseVisit]]]:
    """The courses of these patients: (plan id, visits in time order), one query for all of them.

    A course is a patient's visits of one plan (or of none) from a visit numbered 1 to the visit
    before the next one numbered 1: booking a second course without a plan starts again at 1.
    """
    if not patient_ids:
        return []
    rows = tx.execute(
        select(Appointment.id, Appointment.patient_id, Appointment.plan_id, Appointment.course_visit_number,
               Appointment.status, Appointment.local_start, Appointment.planned_local_start)
        .where(Appointment.patient_id.in_(sorted(patient_ids)), Appointment.course_visit_number.is_not(None))
        .order_by(Appointment.patient_id, Appointment.plan_id, Appointment.local_start, Appointment.id)
    )
    courses: list[tuple[int | None, list[_CourseVisit]]] = []
    group: tuple[int, int | None] | None = None
    for row in rows:
        visit = _CourseVisit(row[0], row[3] or 0, row[4], row[5], row[6] or row[5])
        if (row[1], row[2]) != group or visit.number == 1 or not courses:
            group = (row[1], row[2])
            courses.append((row[2], []))
        courses[-1][1].append(visit)
    return courses


def _rhythm(gap: timedelta) -> str:
    """The rhythm a gap between two planned visits shows, when it is near one of the usual ones (a
    visit moved by a day or two keeps its course's rhythm)."""
    days = gap.total_seconds() / 86400
    if 5.5 <= days <= 8.5:
        return "weekly"
    if 11.5 <= days <= 17.5:
        return "fortnightly"
    if 25.5 <= days <= 35.5:
        return "monthly"
    return ""


def _phase_labels(visits: list[_CourseVisit], pattern: str) -> list[str]:
    """Each visit's phase: from the plan's course pattern when it covers the visit, else from its
    planned distance to the visit before it (the first visit: to the one after it)."""
    parsed = None
    if pattern:
        try:
            parsed = engine.parse_pattern(pattern)
        except ValidationError:
            parsed = None
    labels = []
    for index, visit in enumerate(visits):
        if parsed is not None and visit.number <= parsed.total:
            labels.append(str(parsed.phases[parsed.phase_of(visit.number - 1)].interval))
        elif len(visits) < 2:
            labels.append("")
        elif index == 0:
            labels.append(_rhythm(visits[1].planned - visit.planned))
        else:
            labels.append(_rhythm(visit.planned - visits[index - 1].planned))
    return labels


def _pattern_total(pattern: str) -> int | None:
    try:
        return engine.parse_pattern(pattern).total
    except ValidationError:
        return None


def with_courses(tx: Session, entries: list[CalendarEntry]) -> list[CalendarEntry]:
    """The entries with their course's size and each visit's rhythm filled in (two more queries)."""
    wanted = {e.patient_id for e in entries if e.course_visit_number is not None}
    courses = _courses_of(tx, wanted)
    plan_ids = {plan for plan, _visits in courses if plan is not None}
    patterns: dict[int, str] = {}
    if plan_ids:
        rows = tx.execute(select(TreatmentPlan.id, TreatmentPlan.course_pattern)
                          .where(TreatmentPlan.id.in_(sorted(plan_ids))))
        patterns = {row[0]: row[1] or "" for row in rows}
    found: dict[int, tuple[int, str]] = {}
    for plan, visits in courses:
        kept = [v for v in visits if v.status != "cancelled"]
        total = max((v.number for v in kept), default=0)
        labels = dict(zip((v.id for v in kept), _phase_labels(kept, patterns.get(plan or 0, "")), strict=True))
        for visit in visits:
            found[visit.id] = (total, labels.get(visit.id, ""))
    return [replace(e, course_total=found[e.id][0] or None, course_phase=found[e.id][1]) if e.id in found else e
            for e in entries]


@dataclass(frozen=True)
class CourseOutlook:
    """A patient's current course as the Patients tab shows it."""

    total: int  # visits in the course, not counting cancelled ones
    done: int  # completed (or attended and not yet completed)
    remaining: tuple[CalendarEntry, ...]  # booked visits still to come, in time order
    rhythm: str  # "weekly x4, fortnightly x2" for a plan's course, else the rhythm of its visits


def course_outlook(
    database: Database, actor: Actor, patient_id: int, *, now: datetime | None = None
) -> CourseOutlook | None:
    """The patient's latest course that still has visits to come, or None."""
    require(actor, Permission.VIEW_SCHEDULE)
    now = now or datetime.now(UTC)
    with database.read() as tx:
        for plan, visits in reversed(_courses_of(tx, {patient_id})):
            kept = [v for v in visits if v.status != "cancelled"]
            upcoming = [v.id for v in kept if v.status == "booked"]
            remaining = [e for e in entries_for_ids(tx, upcoming) if e.start_utc >= now]
            if not remaining:
                continue
            found = tx.get(TreatmentPlan, plan) if plan is not None else None
            pattern = found.course_pattern if found is not None else ""
            total = max(v.number for v in kept)
            labels = dict(zip((v.id for v in kept), _phase_labels(kept, pattern or ""), strict=True))
            if pattern and _pattern_total(pattern) == total:
                rhythm = pattern  # "weekly x4, fortnightly x2"
            else:  # the rhythm of the next visit ("fortnightly"), when a visit was cancelled or added
                rhythm = labels.get(remaining[0].id, "")
            done = sum(1 for v in kept if v.status in ("arrived", "completed"))
            return CourseOutlook(total, done, tuple(remaining), rhythm)
    return None


def _local(value: datetime | date, tz: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(tz).date() if value.tzinfo else value.date()
    return value


def _between(
    tx: Session, first: date, last: date, practitioner_id: int | None, room_id: int | None,
    include_cancelled: bool, *, courses: bool = True,
) -> list[CalendarEntry]:
    tz = zone_of(clinic_row(tx))
    begin, end = local_range_utc(first, last, tz)
    statement = _statement().where(Appointment.start_utc >= begin, Appointment.start_utc < end)
    if practitioner_id is not None:
        statement = statement.where(Appointment.practitioner_id == practitioner_id)
    if room_id is not None:
        statement = statement.where(Appointment.room_id == room_id)
    if not include_cancelled:
        statement = statement.where(Appointment.status != "cancelled")
    entries = [_entry(row) for row in tx.execute(statement.order_by(Appointment.start_utc, Appointment.id))]
    return with_courses(tx, entries) if courses else entries


def appointments_between(
    database: Database,
    actor: Actor,
    start: datetime | date,
    end: datetime | date,
    practitioner_id: int | None = None,
    room_id: int | None = None,
    *,
    include_cancelled: bool = True,
) -> list[CalendarEntry]:
    """Appointments on local days ``start``..``end`` (inclusive), in one query, ordered by time.

    Naive datetimes are clinic wall-clock times; aware ones are converted to the clinic's zone.
    The entries' ``course_total`` and ``course_phase`` are left empty (the views fill them in).
    """
    require(actor, Permission.VIEW_SCHEDULE)
    with database.read() as tx:
        tz = zone_of(clinic_row(tx))
        return _between(tx, _local(start, tz), _local(end, tz), practitioner_id, room_id, include_cancelled,
                        courses=False)


def calendar_range(
    database: Database,
    actor: Actor,
    first: date,
    last: date,
    practitioner_id: int | None = None,
    room_id: int | None = None,
) -> CalendarRange:
    """A week or day view's data: the entries and the closed days (leave only when a practitioner is given)."""
    require(actor, Permission.VIEW_SCHEDULE)
    with database.read() as tx:
        clinic = clinic_row(tx)
        calendar = build_calendar(tx, clinic, first, last)
        closed = {}
        day = first
        while day <= last:
            reason = calendar.closed_reason(day, practitioner_id)
            if reason:
                closed[day] = reason
            day += timedelta(days=1)
        leave: dict[tuple[int, date], str] = {}
        for away in calendar.leave if practitioner_id is None else ():
            day = max(first, away.first)
            while day <= min(last, away.last) and isinstance(away.practitioner_id, int):
                if day not in closed:
                    leave[(away.practitioner_id, day)] = calendar.closed_reason(day, away.practitioner_id) or ""
                day += timedelta(days=1)
        entries = _between(tx, first, last, practitioner_id, room_id, True)
        return CalendarRange(first, last, tuple(entries), closed, dict(calendar.hours.spans), leave)


def todays_list(
    database: Database, actor: Actor, *, day: date | None = None, now: datetime | None = None
) -> list[TodayEntry]:
    """The front desk's list for ``day`` (default today): everyone not cancelled, late ones flagged."""
    require(actor, Permission.VIEW_SCHEDULE)
    now = now or datetime.now(UTC)
    with database.read() as tx:
        tz = zone_of(clinic_row(tx))
        day = day or now.astimezone(tz).date()
        entries = _between(tx, day, day, None, None, False, courses=False)  # the list shows no course counts
    return [TodayEntry(e, is_late(e, now)) for e in entries]


def is_late(entry: CalendarEntry, now: datetime) -> bool:
    """Booked, and the start passed more than ``LATE_AFTER`` ago (``now`` aware)."""
    return entry.status == "booked" and now - entry.start_utc > LATE_AFTER


def resources(database: Database, actor: Actor) -> Resources:
    """Active practitioners and rooms, for the calendar's selectors and the booking dialog."""
    require(actor, Permission.VIEW_SCHEDULE)
    with database.read() as tx:
        people = tx.execute(
            select(User.id, User.display_name)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == PRACTITIONER, User.active.is_(True))
            .order_by(User.display_name)
        )
        rooms = tx.execute(select(Room.id, Room.name).where(Room.active.is_(True)).order_by(Room.name))
        return Resources(tuple(Resource(*r) for r in people), tuple(Resource(*r) for r in rooms))
