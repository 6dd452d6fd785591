"""What the calendar screens show: appointments of a range, today's front-desk list, closed days.

Each view is one query with joins (patient, practitioner, room, visit type), whatever the number of
appointments; the rows come back as frozen ``CalendarEntry`` values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, Patient, Room, User, UserRole, VisitType
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

    @property
    def duration(self) -> timedelta:
        return self.local_end - self.local_start


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
        id=row[0], version=row[1], patient_id=row[2], patient_name=f"{row[3]} {row[4]}", practitioner_id=row[5],
        practitioner_name=row[6], room_id=row[7], room_name=row[8] or "", visit_type=row[9] or "Visit",
        status=row[10], local_start=row[11], local_end=row[11] + timedelta(minutes=row[12]), start_utc=row[13],
        plan_id=row[14], course_visit_number=row[15], moved_from=row[16], move_reason=row[17] or "",
        cancel_reason=row[18] or "", late_cancellation=bool(row[19]),
    )


def entries_for_ids(tx: Session, ids: Sequence[int]) -> list[CalendarEntry]:
    rows = tx.execute(_statement().where(Appointment.id.in_(list(ids))).order_by(Appointment.start_utc))
    return [_entry(row) for row in rows]


def _local(value: datetime | date, tz: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(tz).date() if value.tzinfo else value.date()
    return value


def _between(
    tx: Session, first: date, last: date, practitioner_id: int | None, room_id: int | None,
    include_cancelled: bool,
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
    return [_entry(row) for row in tx.execute(statement.order_by(Appointment.start_utc, Appointment.id))]


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
    """
    require(actor, Permission.VIEW_SCHEDULE)
    with database.read() as tx:
        tz = zone_of(clinic_row(tx))
        return _between(tx, _local(start, tz), _local(end, tz), practitioner_id, room_id, include_cancelled)


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
        entries = _between(tx, first, last, practitioner_id, room_id, True)
        return CalendarRange(first, last, tuple(entries), closed, dict(calendar.hours.spans))


def todays_list(
    database: Database, actor: Actor, *, day: date | None = None, now: datetime | None = None
) -> list[TodayEntry]:
    """The front desk's list for ``day`` (default today): everyone not cancelled, late ones flagged."""
    require(actor, Permission.VIEW_SCHEDULE)
    now = now or datetime.now(UTC)
    with database.read() as tx:
        tz = zone_of(clinic_row(tx))
        day = day or now.astimezone(tz).date()
        entries = _between(tx, day, day, None, None, False)
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
