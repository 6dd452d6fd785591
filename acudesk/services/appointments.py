"""Changing one booked visit: move it (or it and the following ones), cancel, no-show, check in, complete.

Every change carries the version the receptionist saw (optimistic locking, like patients), writes an
audit event with the old and new times or status (ids and times only, never names), and keeps the
visit's history on the row: ``planned_local_start`` (what the course rhythm asked for),
``moved_from`` and ``move_reason``, ``cancel_reason`` and ``late_cancellation``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from acudesk.domain import scheduling as engine
from acudesk.domain.errors import NotFoundError, ValidationError
from acudesk.domain.patients import full_name
from acudesk.domain.scheduling.edits import HAND_MOVE
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, Patient, SessionRecord
from acudesk.services import audit
from acudesk.services.calendar_data import CalendarEntry, entries_for_ids
from acudesk.services.context import Actor
from acudesk.services.locking import load_for_change
from acudesk.services.permissions import Permission, require
from acudesk.services.scheduling import (
    ACTIVE_STATUSES,
    ScheduleConflictError,
    build_calendar,
    clinic_row,
    existing_bookings,
    held_by_database,
    local_range_utc,
    to_utc,
    visit_types,
    zone_of,
)

# A cancellation with less notice than this is recorded as late (many clinics charge for it).
LATE_CANCELLATION_NOTICE = timedelta(hours=24)

_Move = tuple[Appointment, engine.ScheduledVisit, datetime]  # a row, where it goes, its new local start

# Which statuses each change may start from.
_ALLOWED_FROM = {
    "move": ("booked",),
    "cancel": ("booked",),
    "no_show": ("booked",),
    "check_in": ("booked",),
    "undo_check_in": ("arrived",),
    "complete": ("booked", "arrived"),
}
_VERBS = {"move": "moved", "cancel": "cancelled", "no_show": "marked as a no-show", "check_in": "checked in",
          "undo_check_in": "set back to booked", "complete": "completed"}
_STATUS_WORDS = {"booked": "booked", "arrived": "checked in", "completed": "completed",
                 "cancelled": "cancelled", "no_show": "a no-show"}


def _load(tx: Session, appointment_id: int, expected_version: int, change: str) -> Appointment:
    row = load_for_change(
        tx, Appointment, appointment_id, expected_version, what="appointment",
        conflict="Someone else changed this appointment while you were looking at it. "
                 "The calendar has been reloaded; nothing was changed.",
    )
    if row.status not in _ALLOWED_FROM[change]:
        raise ValidationError(
            f"This appointment is {_STATUS_WORDS.get(row.status, row.status)}, so it cannot be {_VERBS[change]}.",
            field="status",
        )
    return row


def _audit(tx: Session, actor: Actor, action: str, row: Appointment, **detail: object) -> None:
    audit.record(tx, actor, action, "appointment", row.id, patient_id=row.patient_id, detail=dict(detail))


def _set_status(
    database: Database, actor: Actor, appointment_id: int, expected_version: int, change: str, status: str,
    *, now: datetime | None = None, reason: str = "",
) -> CalendarEntry:
    require(actor, Permission.EDIT_SCHEDULE)
    now = now or datetime.now(UTC)
    with database.write() as tx:
        row = _load(tx, appointment_id, expected_version, change)
        _apply_status(tx, actor, row, change, status, now=now, reason=reason)
        return entries_for_ids(tx, [row.id])[0]


def _apply_status(
    tx: Session, actor: Actor, row: Appointment, change: str, status: str, *, now: datetime, reason: str = "",
) -> None:
    old = row.status
    extra: dict[str, object] = {}
    if change == "cancel":
        row.cancel_reason = reason
        row.late_cancellation = row.start_utc - now < LATE_CANCELLATION_NOTICE
        extra["late_cancellation"] = row.late_cancellation
    elif change == "no_show" and now < row.start_utc:
        raise ValidationError("A visit can be marked as a no-show only after its start time.", field="status")
    elif change == "check_in":
        row.arrived_at = now
    elif change == "undo_check_in":
        row.arrived_at = None
    elif change == "complete":
        row.completed_at = now
        row.arrived_at = row.arrived_at or now
    row.status = status
    tx.flush()
    _audit(tx, actor, change.replace("_", "-"), row, local_start=row.local_start.isoformat(),
           old_status=old, status=status, **extra)


def future_visits(tx: Session, patient_id: int, now: datetime) -> list[Appointment]:
    """The patient's visits still booked from ``now`` on, earliest first."""
    return list(tx.scalars(
        select(Appointment).where(Appointment.patient_id == patient_id, Appointment.status == "booked",
                                  Appointment.start_utc >= now).order_by(Appointment.start_utc)
    ))


def cancel_future_visits(tx: Session, actor: Actor, patient_id: int, reason: str, *, now: datetime) -> int:
    """Cancel every visit the patient still has booked (inside the caller's transaction); how many."""
    require(actor, Permission.EDIT_SCHEDULE)
    if not reason.strip():
        raise ValidationError("Give a reason for cancelling the visits.", field="reason")
    rows = future_visits(tx, patient_id, now)
    for row in rows:
        _apply_status(tx, actor, row, "cancel", "cancelled", now=now, reason=reason.strip())
    return len(rows)


def cancel_appointment(
    database: Database, actor: Actor, appointment_id: int, reason: str, *, expected_version: int,
    now: datetime | None = None,
) -> CalendarEntry:
    """Cancel with a reason; late (less than ``LATE_CANCELLATION_NOTICE`` before the start) is noted."""
    require(actor, Permission.EDIT_SCHEDULE)  # before any other work (tests/services/test_role_matrix.py)
    if not reason.strip():
        raise ValidationError("Give a reason for the cancellation.", field="reason")
    return _set_status(database, actor, appointment_id, expected_version, "cancel", "cancelled", now=now,
                       reason=reason.strip())


def mark_no_show(
    database: Database, actor: Actor, appointment_id: int, *, expected_version: int, now: datetime | None = None
) -> CalendarEntry:
    return _set_status(database, actor, appointment_id, expected_version, "no_show", "no_show", now=now)


def check_in(
    database: Database, actor: Actor, appointment_id: int, *, expected_version: int, now: datetime | None = None
) -> CalendarEntry:
    """The patient has arrived (front desk)."""
    return _set_status(database, actor, appointment_id, expected_version, "check_in", "arrived", now=now)


def undo_check_in(
    database: Database, actor: Actor, appointment_id: int, *, expected_version: int, now: datetime | None = None
) -> CalendarEntry:
    """Take back a check-in made by mistake (the wrong patient of two at 10:00): the visit is booked
    again and the undo is audited. Refused once a session record was started for the visit."""
    require(actor, Permission.EDIT_SCHEDULE)
    with database.write() as tx:
        row = _load(tx, appointment_id, expected_version, "undo_check_in")
        if tx.scalar(select(SessionRecord.id).where(SessionRecord.appointment_id == row.id).limit(1)) is not None:
            raise ValidationError("A session record was started for this visit, so its check-in stays.",
                                  field="status")
        _apply_status(tx, actor, row, "undo_check_in", "booked", now=now or datetime.now(UTC))
        return entries_for_ids(tx, [row.id])[0]


def complete_appointment(
    database: Database, actor: Actor, appointment_id: int, *, expected_version: int, now: datetime | None = None
) -> CalendarEntry:
    return _set_status(database, actor, appointment_id, expected_version, "complete", "completed", now=now)


def _move_row(
    tx: Session, actor: Actor, row: Appointment, local: datetime, reason: str, tz: ZoneInfo, *, visit: str,
    intro: str, old_people: tuple[int, int | None] | None = None,
) -> None:
    old = row.local_start
    booked_local, start_utc, note = to_utc(local, tz)
    planned = row.planned_local_start or row.local_start
    row.planned_local_start = planned
    row.local_start = booked_local
    row.start_utc = start_utc
    if booked_local.date() != planned.date():
        row.moved_from = planned.date()
        row.move_reason = (reason or HAND_MOVE)[:200]
    else:
        row.moved_from = None
        row.move_reason = (note or "")[:200]
    with held_by_database(visit, booked_local, intro=intro):
        tx.flush()
    people: dict[str, object] = {}
    if old_people is not None and old_people != (row.practitioner_id, row.room_id):
        people = {"old_practitioner_id": old_people[0], "practitioner_id": row.practitioner_id,
                  "old_room_id": old_people[1], "room_id": row.room_id}
    _audit(tx, actor, "move", row, old_local_start=old.isoformat(), local_start=booked_local.isoformat(),
           planned_local_start=planned.isoformat(), reason=row.move_reason, **people)


def _slot(row: Appointment, local: datetime, changeover: timedelta, tz: ZoneInfo) -> engine.Appointment:
    start, _note = engine.localize(local.date(), local.time(), tz)
    return engine.Appointment(start, timedelta(minutes=row.duration_minutes), changeover, row.practitioner_id,
                              row.room_id, row.patient_id)


def _changeover(row: Appointment) -> timedelta:
    return timedelta(minutes=row.changeover_minutes)


def _problems(
    slot: engine.Appointment, existing: list[engine.Appointment], calendar: engine.ClinicCalendar, tz: ZoneInfo,
    now: datetime,
) -> list[str]:
    """Why one visit cannot go to ``slot``: the same checks the course booking makes, worded for one visit."""
    messages = [c.message.replace("visit 1: ", "", 1) for c in engine.validate_series([slot], existing, calendar, tz)]
    if slot.start < now:
        messages.insert(0, "the new time is in the past")
    return messages


def _check_people(tx: Session, practitioner_id: int, room_id: int | None) -> None:
    from acudesk.persistence.models import Room, User, UserRole
    from acudesk.services.context import PRACTITIONER

    person = tx.get(User, practitioner_id)
    is_practitioner = tx.scalar(select(UserRole.user_id).where(UserRole.user_id == practitioner_id,
                                                              UserRole.role == PRACTITIONER))
    if person is None or not person.active or is_practitioner is None:
        raise ValidationError("Choose an active practitioner.", field="practitioner")
    room = tx.get(Room, room_id) if room_id is not None else None
    if room_id is not None and (room is None or not room.active):
        raise ValidationError("Choose a room that is in use.", field="room")


@dataclass(frozen=True)
class MoveCheck:
    """What dragging a visit needs to judge each drop target at once, on the screen, without asking the
    database: the bookings of the days shown and the clinic's calendar. The same checks as
    :func:`move_appointment` (which checks again, and the database after it, when the visit is dropped)."""

    first: date
    last: date
    tz: ZoneInfo
    calendar: engine.ClinicCalendar
    bookings: tuple[tuple[int, engine.Appointment], ...]  # (appointment id, booking), active visits only
    now: datetime  # aware

    def problems(self, entry: CalendarEntry, new_local_start: datetime, practitioner_id: int | None = None,
                 room_id: int | None = None) -> list[str]:
        """Why ``entry`` cannot go to ``new_local_start`` (with another practitioner or room, when
        given); empty when it can."""
        if not self.first <= new_local_start.date() <= self.last:
            return ["that day is not shown"]
        own = next((b for n, b in self.bookings if n == entry.id), None)
        changeover = own.changeover if own is not None else timedelta(0)
        start, _note = engine.localize(new_local_start.date(), new_local_start.time(), self.tz)
        slot = engine.Appointment(
            start, entry.duration, changeover,
            entry.practitioner_id if practitioner_id is None else practitioner_id,
            entry.room_id if room_id is None else room_id, entry.patient_id,
        )
        return _problems(slot, [b for n, b in self.bookings if n != entry.id], self.calendar, self.tz, self.now)


def move_check(
    database: Database, actor: Actor, first: date, last: date, *, now: datetime | None = None
) -> MoveCheck:
    """The bookings and calendar of local days ``first``..``last``, for checking drops while dragging.
    Its messages name the patient in the way (for the screen, which shows the names anyway)."""
    require(actor, Permission.EDIT_SCHEDULE)
    with database.read() as tx:
        clinic = clinic_row(tx)
        tz = zone_of(clinic)
        calendar = build_calendar(tx, clinic, first, last)
        begin, end = local_range_utc(first - timedelta(days=1), last + timedelta(days=1), tz)
        rows = tx.execute(
            select(Appointment.id, Appointment.start_utc, Appointment.duration_minutes,
                   Appointment.practitioner_id, Appointment.room_id, Appointment.patient_id,
                   Appointment.changeover_minutes, Patient.given_name, Patient.family_name)
            .join(Patient, Patient.id == Appointment.patient_id)
            .where(Appointment.start_utc >= begin, Appointment.start_utc < end,
                   Appointment.status.in_(ACTIVE_STATUSES))
        )
        bookings = tuple(
            (row[0], engine.Appointment(row[1].astimezone(tz), timedelta(minutes=row[2]),
                                        timedelta(minutes=row[6] or 0), row[3], row[4], row[5],
                                        label=full_name(row[7], row[8])))
            for row in rows
        )
    return MoveCheck(first, last, tz, calendar, bookings, now or datetime.now(UTC))


def move_appointment(
    database: Database, actor: Actor, appointment_id: int, new_local_start: datetime, *, expected_version: int,
    reason: str = HAND_MOVE, now: datetime | None = None, practitioner_id: int | None = None,
    room_id: int | None = None,
) -> CalendarEntry:
    """Move one visit to a time a person chose, and to another practitioner or room when given;
    any clash or closed day raises ``ScheduleConflictError``."""
    require(actor, Permission.EDIT_SCHEDULE)
    with database.write() as tx:
        row = _load(tx, appointment_id, expected_version, "move")
        clinic = clinic_row(tx)
        tz = zone_of(clinic)
        old_practitioner, old_room = row.practitioner_id, row.room_id
        new_practitioner = row.practitioner_id if practitioner_id is None else practitioner_id
        new_room = row.room_id if room_id is None else room_id
        if (new_practitioner, new_room) != (old_practitioner, old_room):
            _check_people(tx, new_practitioner, new_room)
        slot = _slot(row, new_local_start, _changeover(row), tz)
        slot = replace(slot, practitioner_id=new_practitioner, room_id=new_room)
        day = new_local_start.date()
        calendar = build_calendar(tx, clinic, day, day)
        existing = existing_bookings(tx, tz, day, day, exclude_ids=[row.id])
        messages = [f"this visit: {text}" for text in _problems(slot, existing, calendar, tz, now or datetime.now(UTC))]
        if messages:
            raise ScheduleConflictError(messages, intro="The visit was not moved:")
        row.practitioner_id, row.room_id = new_practitioner, new_room
        _move_row(tx, actor, row, new_local_start, reason, tz, visit="this visit", intro="The visit was not moved:",
                  old_people=(old_practitioner, old_room))
        return entries_for_ids(tx, [row.id])[0]


def move_following(
    database: Database, actor: Actor, appointment_id: int, new_local_start: datetime, *, expected_version: int,
    now: datetime | None = None, practitioner_id: int | None = None, room_id: int | None = None,
) -> list[CalendarEntry]:
    """Move this visit and the patient's following booked visits of the same course by the same delta,
    and to another practitioner or room when given.

    The later visits keep their rhythm (their planned times shift too) and closed or busy days are
    resolved again, as when the course was booked. All move, or none.
    """
    require(actor, Permission.EDIT_SCHEDULE)
    with database.write() as tx:
        row = _load(tx, appointment_id, expected_version, "move")
        clinic = clinic_row(tx)
        tz = zone_of(clinic)
        types = visit_types(tx)
        new_practitioner = row.practitioner_id if practitioner_id is None else practitioner_id
        new_room = row.room_id if room_id is None else room_id
        people_change = (new_practitioner, new_room) != (row.practitioner_id, row.room_id)
        if people_change:
            _check_people(tx, new_practitioner, new_room)
        series = list(tx.scalars(
            select(Appointment).where(
                Appointment.patient_id == row.patient_id,
                Appointment.plan_id.is_(None) if row.plan_id is None else Appointment.plan_id == row.plan_id,
                Appointment.status.in_(("booked", "arrived", "completed", "no_show")),
            ).order_by(Appointment.local_start, Appointment.id)
        ))
        position = next(n for n, r in enumerate(series) if r.id == row.id)
        moving = [r for r in series[position:] if r.status == "booked"]
        if len(moving) != len(series) - position:
            raise ValidationError("A later visit of this course has already taken place.", field="start")
        first_type = types.first if series[0].visit_type_id == types.ids.get("first") else types.follow_up
        request = engine.CourseRequest(
            start=series[0].local_start, pattern=engine.parse_pattern(f"weekly x{len(series)}"), tz=tz,
            practitioner_id=new_practitioner, room_id=new_room, patient_id=row.patient_id,
            first_type=first_type, follow_up_type=types.follow_up,
        )
        visits = []
        for index, r in enumerate(series):
            start, note = engine.localize(r.local_start.date(), r.local_start.time(), tz)
            visits.append(engine.ScheduledVisit(
                index, 0, r.planned_local_start or r.local_start, start, request.visit_type(index),
                r.moved_from, r.move_reason or None, note,
            ))
        course = engine.Course(request, request.pattern, tuple(visits))
        ids = [r.id for r in moving]
        head_planned = series[position].planned_local_start or series[position].local_start
        delta = new_local_start - head_planned  # the domain shifts every planned time by this
        first = min(new_local_start.date(), series[position].local_start.date())
        last = max(r.local_start for r in moving).date() + timedelta(days=max(delta.days, 0) + 62)
        calendar = build_calendar(tx, clinic, first, last)
        existing = existing_bookings(tx, tz, first, last, exclude_ids=ids)
        moved = engine.move_following(
            course, position, new_local_start, calendar, engine.BookingsAvailability(existing, tz)
        )
        # The visit the person placed by hand keeps that exact time, even if its day was busy.
        head = moved.visits[position]
        if head.day != new_local_start.date() or head.start.time() != new_local_start.time():
            head = replace(head, start=engine.localize(new_local_start.date(), new_local_start.time(), tz)[0])
        placed = (head, *moved.visits[position + 1:])
        slots = [moved.appointment(v) for v in placed]
        messages = [c.message for c in engine.validate_series(slots, existing, calendar, tz)]
        if any(v.start < (now or datetime.now(UTC)) for v in placed):
            messages.insert(0, "the new time of this visit is in the past")
        if messages:
            raise ScheduleConflictError(messages, intro="No visit was moved:")
        targets = [(r, v, v.start.replace(tzinfo=None)) for r, v in zip(moving, placed, strict=True)]
        for r, v, new_local in _clash_free_order([t for t in targets if t[2] != t[0].local_start or people_change]):
            old_people = (r.practitioner_id, r.room_id)
            r.practitioner_id, r.room_id = new_practitioner, new_room
            r.planned_local_start = v.planned
            _move_row(tx, actor, r, new_local, v.reason or HAND_MOVE, tz,
                      visit=f"visit {r.course_visit_number or position + 1}", intro="No visit was moved:",
                      old_people=old_people)
        tx.flush()
        return entries_for_ids(tx, ids)


def _clash_free_order(moves: list[_Move]) -> list[_Move]:
    """The order to write a series' moves in so that no visit lands, even for a moment, where a visit
    that has yet to move still sits: the database checks each row as it is written
    (persistence/visit_guards.py). Visits moving later go last-first, then visits moving earlier go
    first-first."""
    later = sorted((m for m in moves if m[2] > m[0].local_start), key=lambda m: m[0].local_start, reverse=True)
    earlier = sorted((m for m in moves if m[2] < m[0].local_start), key=lambda m: m[0].local_start)
    staying = [m for m in moves if m[2] == m[0].local_start]  # another practitioner or room, same time
    return staying + later + earlier


def appointment_now(database: Database, actor: Actor, appointment_id: int) -> CalendarEntry:
    """One appointment as the calendar shows it (reload after a conflict)."""
    require(actor, Permission.VIEW_SCHEDULE)
    with database.read() as tx:
        found = entries_for_ids(tx, [appointment_id])
        if not found:
            raise NotFoundError(f"There is no appointment no. {appointment_id}.")
        return found[0]


__all__ = [
    "LATE_CANCELLATION_NOTICE",
    "MoveCheck",
    "appointment_now",
    "cancel_appointment",
    "check_in",
    "complete_appointment",
    "mark_no_show",
    "move_appointment",
    "move_check",
    "move_following",
]
