"""Turn a course pattern into dated visits in the clinic's calendar.

Rhythm first, then the calendar: :func:`plan_visits` computes the planned wall-clock times from the
pattern alone (months added to an anchor, so 31 Aug -> 30 Sep -> 31 Oct never drifts); then each
planned visit is placed on its day or, when that day is closed or taken, on the next day that is open
and free. Planned times of later visits never move because one visit did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from acudesk.domain import dates
from acudesk.domain.errors import ValidationError
from acudesk.domain.input_limits import check_calendar_day
from acudesk.domain.scheduling.calendar_rules import ClinicCalendar
from acudesk.domain.scheduling.clock import localize, to_wall
from acudesk.domain.scheduling.conflicts import Appointment, Availability, Conflict, validate_series
from acudesk.domain.scheduling.pattern import CoursePattern, check_total
from acudesk.domain.scheduling.visit_types import FIRST_VISIT, FOLLOW_UP, VisitType, default_visit_types

if TYPE_CHECKING:
    from acudesk.domain.scheduling.slot_finding import Slot

LOOKAHEAD_DAYS = 31
REASON_AFTER_PREVIOUS = "Previous visit was moved past this date"


@dataclass(frozen=True)
class CourseRequest:
    """What the receptionist asked for. ``start`` is the first visit's local wall-clock time in ``tz``."""

    start: datetime
    pattern: CoursePattern
    tz: tzinfo
    practitioner_id: object = None
    room_id: object = None
    patient_id: object = None
    first_type: VisitType = field(default_factory=lambda: default_visit_types()[FIRST_VISIT])
    follow_up_type: VisitType = field(default_factory=lambda: default_visit_types()[FOLLOW_UP])

    def visit_type(self, index: int) -> VisitType:
        return self.first_type if index == 0 else self.follow_up_type

    def wall_start(self) -> datetime:
        """``start`` as naive local wall-clock time (an aware start is first converted to ``tz``)."""
        return to_wall(self.start, self.tz)


@dataclass(frozen=True)
class ScheduledVisit:
    index: int  # 0-based position in the course
    phase: int  # index of the pattern phase this visit belongs to
    planned: datetime  # naive local wall-clock time the rhythm asked for
    start: datetime  # aware, clinic zone: when it is actually booked
    visit_type: VisitType
    moved_from: date | None = None  # planned date when the visit was moved to another day
    reason: str | None = None  # why it was moved ("Christmas Day (observed)", "Practitioner busy")
    time_note: str | None = None  # set when a daylight-saving change altered the time
    # Set by the slot finder (slot_finding.py); None = the course request's practitioner and room.
    practitioner_id: object = None
    room_id: object = None
    explanation: str | None = None  # why this slot and not the ideal one ("14:00 taken -> 15:00, Garden Room")
    drifted: bool = False  # no free slot within its phase's tolerance: booked outside the rhythm
    options: tuple[Slot, ...] = ()  # the nearest other slots, offered when it drifted

    @property
    def end(self) -> datetime:
        return self.start + self.visit_type.duration

    @property
    def day(self) -> date:
        """The local date it is booked on (``start`` is always in the clinic zone)."""
        return self.start.date()


@dataclass(frozen=True)
class Course:
    request: CourseRequest
    pattern: CoursePattern  # describes ``visits`` (updated when remaining visits are re-planned)
    visits: tuple[ScheduledVisit, ...]

    def appointment(self, visit: ScheduledVisit) -> Appointment:
        r = self.request
        return Appointment(
            visit.start,
            visit.visit_type.duration,
            visit.visit_type.changeover,
            r.practitioner_id if visit.practitioner_id is None else visit.practitioner_id,
            r.room_id if visit.room_id is None else visit.room_id,
            r.patient_id,
            label=f"visit {visit.index + 1} of this course",
        )

    def appointments(self) -> list[Appointment]:
        return [self.appointment(v) for v in self.visits]


def plan_visits(
    anchor: datetime, pattern: CoursePattern, *, include_anchor: bool
) -> list[tuple[datetime, int]]:
    """Planned (wall-clock time, phase index) pairs; the first is ``anchor`` itself when ``include_anchor``.

    Each phase's first visit is one of its intervals after the previous planned visit; visit ``k`` of a
    phase is the phase's anchor plus ``k`` intervals (relativedelta clamps to the month's end).
    """
    check_calendar_day(anchor, "start")
    planned: list[tuple[datetime, int]] = []
    previous, offset = anchor, 0 if include_anchor else 1
    for phase_index, phase in enumerate(pattern.phases):
        planned.extend((previous + phase.interval.times(k + offset), phase_index) for k in range(phase.count))
        previous, offset = planned[-1][0], 1
    return planned


def _blocker(
    request: CourseRequest,
    slot: Appointment,
    calendar: ClinicCalendar,
    availability: Availability | None,
    check_hours: bool,
) -> str | None:
    """Why ``slot`` cannot be booked (closed day, leave, busy, hours), or None when it can."""
    day = slot.start.date()
    why = calendar.closed_reason(day, request.practitioner_id)
    if why is None and availability is not None:
        why = availability.busy_reason(slot)
    if why is None and check_hours and not calendar.hours.fits(slot.start, slot.end.astimezone(request.tz)):
        why = "Outside opening hours that day"
    return why


def place_visit(
    request: CourseRequest,
    index: int,
    phase: int,
    planned: datetime,
    calendar: ClinicCalendar,
    availability: Availability | None,
    not_before: date | None = None,
) -> ScheduledVisit:
    """Book ``planned`` on its own day if open and free, else on the next open, free day that fits.

    The planned day is never rejected for its time of day alone (that is a booking mistake to report,
    see :func:`validate_course`); a day the visit is moved to must also fit the opening hours.
    """
    visit_type = request.visit_type(index)

    def slot_on(day: date) -> tuple[Appointment, str | None]:
        start, note = localize(day, planned.time(), request.tz)
        slot = Appointment(
            start,
            visit_type.duration,
            visit_type.changeover,
            request.practitioner_id,
            request.room_id,
            request.patient_id,
        )
        return slot, note

    planned_day = planned.date()
    slot, note = slot_on(planned_day)
    reason = _blocker(request, slot, calendar, availability, check_hours=False)
    if not_before is None or not_before <= planned_day:
        if reason is None:
            return ScheduledVisit(index, phase, planned, slot.start, visit_type, None, None, note)
        not_before = planned_day + timedelta(days=1)
    reason = reason or REASON_AFTER_PREVIOUS
    for step in range(LOOKAHEAD_DAYS):
        slot, note = slot_on(not_before + timedelta(days=step))
        if _blocker(request, slot, calendar, availability, check_hours=True) is None:
            return ScheduledVisit(index, phase, planned, slot.start, visit_type, planned_day, reason, note)
    raise ValidationError(
        f"visit {index + 1}: no open, free day within {LOOKAHEAD_DAYS} days of {dates.day(planned_day, weekday=True)} "
        f"({reason})",
        field="start",
    )


def place_visits(
    request: CourseRequest,
    planned: Sequence[tuple[datetime, int]],
    calendar: ClinicCalendar,
    availability: Availability | None,
    *,
    first_index: int = 0,
    after: date | None = None,
) -> list[ScheduledVisit]:
    """Place planned visits in order; each lands on a later day than the one before it."""
    visits: list[ScheduledVisit] = []
    for offset, (when, phase) in enumerate(planned):
        not_before = after + timedelta(days=1) if after is not None else None
        visit = place_visit(request, first_index + offset, phase, when, calendar, availability, not_before)
        visits.append(visit)
        after = visit.day
    return visits


def schedule_course(
    request: CourseRequest,
    calendar: ClinicCalendar | None = None,
    availability: Availability | None = None,
) -> Course:
    """All visits of a new course, placed in the clinic's calendar (nothing is saved)."""
    check_total(request.pattern.total)
    check_calendar_day(request.start, "start")  # a course in year 9999 would run past the calendar's end
    planned = plan_visits(request.wall_start(), request.pattern, include_anchor=True)
    visits = place_visits(request, planned, calendar or ClinicCalendar(), availability)
    return Course(request, request.pattern, tuple(visits))


def validate_course(
    course: Course, existing: Sequence[Appointment], calendar: ClinicCalendar
) -> list[Conflict]:
    """Every clash of ``course`` with ``existing`` bookings (leave out this course's own saved visits)."""
    return validate_series(course.appointments(), existing, calendar, course.request.tz)
