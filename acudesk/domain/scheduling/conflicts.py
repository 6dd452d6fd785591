"""Clash checks for a whole series before anything is saved.

Existing bookings come in as plain :class:`Appointment` data (the persistence layer builds them).
:func:`validate_series` returns every problem at once so the UI can show them all and the save can be
all-or-nothing. :class:`BookingsAvailability` answers the scheduler's "is this slot free?" question
from the same data and the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Protocol

from acudesk.domain import dates
from acudesk.domain.scheduling.calendar_rules import ClinicCalendar


@dataclass(frozen=True)
class Appointment:
    """One booking: aware ``start``, session ``duration`` and the room ``changeover`` after it."""

    start: datetime
    duration: timedelta
    changeover: timedelta = timedelta(0)
    practitioner_id: object = None
    room_id: object = None
    patient_id: object = None
    label: str = "another booking"

    @property
    def end(self) -> datetime:
        return self.start + self.duration

    @property
    def room_free_at(self) -> datetime:
        return self.end + self.changeover


@dataclass(frozen=True)
class Conflict:
    visit_index: int  # 0-based index in the series; messages say "visit N" 1-based
    kind: str  # one of the KIND_* constants
    message: str


KIND_PRACTITIONER = "practitioner_double_booked"
KIND_ROOM = "room_double_booked"
KIND_PATIENT = "patient_same_day"
KIND_HOURS = "outside_opening_hours"
KIND_CLOSED = "closed_day"


class Availability(Protocol):
    """Tells the scheduler whether a proposed slot is taken; None when it is free."""

    def busy_reason(self, visit: Appointment) -> str | None: ...


def clash_kinds(new: Appointment, other: Appointment, tz: tzinfo) -> list[str]:
    """Which clash kinds ``new`` has with ``other`` (practitioner, room with changeover, patient's day)."""
    kinds = []
    if new.practitioner_id is not None and new.practitioner_id == other.practitioner_id:
        if new.start < other.end and other.start < new.end:
            kinds.append(KIND_PRACTITIONER)
    if new.room_id is not None and new.room_id == other.room_id:
        if new.start < other.room_free_at and other.start < new.room_free_at:
            kinds.append(KIND_ROOM)
    if new.patient_id is not None and new.patient_id == other.patient_id:
        if new.start.astimezone(tz).date() == other.start.astimezone(tz).date():
            kinds.append(KIND_PATIENT)
    return kinds


_BUSY_REASONS = {
    KIND_PRACTITIONER: "Practitioner busy",
    KIND_ROOM: "Room busy",
    KIND_PATIENT: "Patient already booked",
}


@dataclass(frozen=True)
class BookingsAvailability:
    """Availability from a list of existing bookings (the engine never reads a database)."""

    bookings: Sequence[Appointment]
    tz: tzinfo

    def busy_reason(self, visit: Appointment) -> str | None:
        for booking in self.bookings:
            kinds = clash_kinds(visit, booking, self.tz)
            if kinds:
                return _BUSY_REASONS[kinds[0]]
        return None


def _clash_message(kind: str, number: int, other: Appointment, label: str, tz: tzinfo) -> str:
    when = other.start.astimezone(tz)
    if kind == KIND_PRACTITIONER:
        return f"visit {number}: the practitioner is already seeing {label} at {dates.day_and_time(when)}"
    if kind == KIND_ROOM:
        return (
            f"visit {number}: the room is taken by {label} at {dates.day_and_time(when)} "
            f"(including {int(other.changeover.total_seconds() // 60)} min changeover)"
        )
    return f"visit {number}: the patient already has {label} on {dates.day(when, weekday=True)}"


def validate_series(
    visits: Sequence[Appointment],
    existing: Sequence[Appointment],
    calendar: ClinicCalendar,
    tz: tzinfo,
) -> list[Conflict]:
    """Every problem with ``visits`` (against ``existing`` and each other); empty when all can be saved."""
    conflicts: list[Conflict] = []
    for index, visit in enumerate(visits):
        number = index + 1
        start, end = visit.start.astimezone(tz), visit.end.astimezone(tz)
        closed = calendar.closed_reason(start.date(), visit.practitioner_id)
        if closed:
            on = dates.day(start, weekday=True)
            conflicts.append(Conflict(index, KIND_CLOSED, f"visit {number}: {on} - {closed}"))
        elif not calendar.hours.fits(start, end):
            conflicts.append(
                Conflict(
                    index, KIND_HOURS,
                    f"visit {number}: {dates.time_of(start)}-{dates.time_of(end)} is outside opening hours",
                )
            )
        earlier = [(f"visit {n + 1} of this course", v) for n, v in enumerate(visits[:index])]
        for label, other in [(b.label, b) for b in existing] + earlier:
            for kind in clash_kinds(visit, other, tz):
                conflicts.append(Conflict(index, kind, _clash_message(kind, number, other, label, tz)))
    return conflicts
