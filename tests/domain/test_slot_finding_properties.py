"""On random busy calendars, every visit the slot finder proposes can be booked and keeps its rhythm
or says it cannot: free, inside the opening hours, not on a closed day or holiday, in order, never
closer than the phase's minimum gap, and within the phase's tolerance unless flagged as drifted."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from acudesk.domain.errors import ValidationError
from acudesk.domain.scheduling import (
    Appointment,
    ClinicCalendar,
    Closure,
    CourseRequest,
    Leave,
    OpeningHours,
    parse_pattern,
    public_holidays,
    validate_course,
)
from acudesk.domain.scheduling.preferences import parse_preferences
from acudesk.domain.scheduling.slot_finding import (
    ListedBookings,
    default_slot_rules,
    find_course_slots,
)

LONDON = ZoneInfo("Europe/London")
HOURS = OpeningHours.parse({"Mon": "09:00-13:00, 14:00-18:00", "Tue": "09:00-18:00", "Wed": "12:00-20:00",
                            "Thu": "09:00-18:00", "Fri": "09:00-17:00", "Sat": "09:00-13:00"})
HOLIDAYS = public_holidays("GB-ENG")
FIRST_DAY = date(2027, 11, 29)  # a Monday a month before Christmas: holidays and substitute days ahead
PATTERNS = ("weekly x4", "weekly x6, fortnightly x2", "fortnightly x3, monthly x2", "weekly x2, monthly x3",
            "every 3 weeks x3")
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def busy_calendars(draw: st.DrawFn) -> tuple[list[Appointment], ClinicCalendar]:
    bookings = []
    for _ in range(draw(st.integers(0, 160))):
        day = FIRST_DAY + timedelta(days=draw(st.integers(0, 150)))
        start = datetime.combine(day, time(9)) + timedelta(minutes=15 * draw(st.integers(0, 40)))
        bookings.append(Appointment(
            start.replace(tzinfo=LONDON), timedelta(minutes=draw(st.sampled_from((45, 60, 90)))),
            timedelta(minutes=10), draw(st.sampled_from((1, 2))), draw(st.sampled_from((1, 2, None))),
            draw(st.sampled_from((5, 6, 7))),
        ))
    closures = []
    for _ in range(draw(st.integers(0, 2))):
        first = FIRST_DAY + timedelta(days=draw(st.integers(0, 150)))
        closures.append(Closure(first, first + timedelta(days=draw(st.integers(0, 6))), "Refurbishment"))
    leave = []
    if draw(st.booleans()):
        first = FIRST_DAY + timedelta(days=draw(st.integers(0, 150)))
        leave.append(Leave(1, first, first + timedelta(days=draw(st.integers(0, 4)))))
    return bookings, ClinicCalendar(HOURS, HOLIDAYS, tuple(closures), tuple(leave))


@given(
    calendar=busy_calendars(),
    pattern=st.sampled_from(PATTERNS),
    first=st.integers(0, 20),
    at=st.sampled_from((time(9), time(10, 30), time(12, 15), time(14), time(16, 45))),
    rooms=st.sampled_from(((1,), (1, 2))),
    others=st.sampled_from(((), (2,))),
    preferences=st.sampled_from(("", "Tuesdays after 17:00", "Mon-Wed before 12:00")),
)
@PROPERTY
def test_every_proposed_visit_is_bookable_and_keeps_its_rhythm_or_is_flagged(
    calendar: tuple[list[Appointment], ClinicCalendar], pattern: str, first: int, at: time,
    rooms: tuple[int, ...], others: tuple[int, ...], preferences: str,
) -> None:
    bookings, clinic = calendar
    request = CourseRequest(datetime.combine(FIRST_DAY + timedelta(days=first), at), parse_pattern(pattern), LONDON,
                            practitioner_id=1, room_id=rooms[0], patient_id=5)
    try:
        course = find_course_slots(request, clinic, ListedBookings(bookings, LONDON), rooms=rooms,
                                   practitioners=others, preferences=parse_preferences(preferences))
    except ValidationError as error:  # nothing free within the look-ahead: said, never booked silently
        assert "no free slot within" in error.message
        assume(False)
        return
    rules = default_slot_rules()
    # Free, inside the opening hours, not on a holiday, closure, closed weekday or leave:
    assert validate_course(course, bookings, clinic) == []
    for visit, before in zip(course.visits, (None, *course.visits), strict=False):
        tolerance = rules.for_interval(course.pattern.phases[visit.phase].interval)
        assert visit.day not in HOLIDAYS
        if before is not None:
            assert (visit.day - before.day).days >= tolerance.min_gap_days
        shift = abs((visit.day - visit.planned.date()).days)
        assert shift <= tolerance.days or visit.drifted
        if visit.drifted:
            assert visit.explanation and "nothing free within" in visit.explanation
        if (visit.start.replace(tzinfo=None), visit.room_id, visit.practitioner_id) != (
                visit.planned, request.room_id, request.practitioner_id):
            assert visit.explanation  # every change from the ideal slot is explained
