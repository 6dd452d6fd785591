"""Clashes for a whole series are reported together, before anything is saved."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from acudesk.domain.scheduling import (
    Appointment,
    BookingsAvailability,
    ClinicCalendar,
    Closure,
    CourseRequest,
    Leave,
    OpeningHours,
    parse_pattern,
    public_holidays,
    schedule_course,
    validate_course,
    validate_series,
)
from acudesk.domain.scheduling.conflicts import (
    KIND_CLOSED,
    KIND_HOURS,
    KIND_PATIENT,
    KIND_PRACTITIONER,
    KIND_ROOM,
    clash_kinds,
)

LONDON = ZoneInfo("Europe/London")
MIN = timedelta(minutes=1)
HOURS = OpeningHours.parse({day: "09:00-18:00" for day in ("Mon", "Tue", "Wed", "Thu", "Fri")})


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 2, day, hour, minute, tzinfo=LONDON)


def visit(start: datetime, minutes: int = 45, changeover: int = 10, **who: object) -> Appointment:
    ids = {"practitioner_id": "dr-li", "room_id": "room-1", "patient_id": "p-1"} | who
    return Appointment(start, minutes * MIN, changeover * MIN, **ids)  # type: ignore[arg-type]


def test_every_problem_in_a_series_is_reported_at_once() -> None:
    existing = [
        visit(at(10, 10, 15), practitioner_id="dr-li", room_id="room-9", patient_id="p-2", label="A. Jones"),
        visit(at(17, 9, 0), practitioner_id="dr-ng", room_id="room-1", patient_id="p-3", label="B. Khan"),
        visit(
            at(24, 16, 0), practitioner_id="dr-ng", room_id="room-7", patient_id="p-1", label="her massage"
        ),
    ]
    series = [
        visit(at(10, 10, 0)),  # practitioner busy with A. Jones
        visit(at(17, 9, 50)),  # room-1 still in changeover after B. Khan (09:00-09:45 + 10)
        visit(at(24, 10, 0)),  # the patient already comes at 16:00 that day
        visit(datetime(2027, 3, 3, 17, 30, tzinfo=LONDON)),  # 17:30-18:15, clinic closes 18:00
        visit(datetime(2027, 3, 6, 10, 0, tzinfo=LONDON)),  # Saturday
    ]
    conflicts = validate_series(series, existing, ClinicCalendar(hours=HOURS), LONDON)
    assert [(c.visit_index, c.kind) for c in conflicts] == [
        (0, KIND_PRACTITIONER),
        (1, KIND_ROOM),
        (2, KIND_PATIENT),
        (3, KIND_HOURS),
        (4, KIND_CLOSED),
    ]
    messages = [c.message for c in conflicts]
    assert messages[0] == "visit 1: the practitioner is already seeing A. Jones at Wed 10 Feb 2027 10:15"
    assert (
        messages[1].startswith("visit 2: the room is taken by B. Khan") and "10 min changeover" in messages[1]
    )
    assert messages[2] == "visit 3: the patient already has her massage on Wed 24 Feb 2027"
    assert messages[3] == "visit 4: 17:30-18:15 is outside opening hours"
    assert messages[4] == "visit 5: Sat 6 Mar 2027 - Clinic closed on Saturday"


@pytest.mark.parametrize(
    ("other_start", "kinds"),
    [
        (at(10, 10, 45), [KIND_ROOM]),  # the new visit ends 10:45, room changeover until 10:55
        (at(10, 10, 54), [KIND_ROOM]),
        (at(10, 10, 55), []),  # back to back after changeover
        (at(10, 9, 5), []),  # other 09:05-09:50, changeover until 10:00: fine
        (at(10, 9, 6), [KIND_ROOM]),  # its changeover runs to 10:01
    ],
)
def test_room_changeover_boundaries(other_start: datetime, kinds: list[str]) -> None:
    new = visit(at(10, 10, 0), practitioner_id=None, patient_id=None)
    other = visit(other_start, practitioner_id=None, patient_id=None)
    assert clash_kinds(new, other, LONDON) == kinds


@pytest.mark.parametrize(
    ("other_start", "expected"),
    [
        (at(10, 9, 16), [KIND_PRACTITIONER]),  # 09:16-10:01 overlaps 10:00
        (at(10, 10, 44), [KIND_PRACTITIONER]),
        (at(10, 9, 15), []),  # 09:15-10:00 ends as the new visit starts
        (at(10, 10, 45), []),  # the practitioner needs no changeover
    ],
)
def test_practitioner_double_booking_is_plain_overlap(other_start: datetime, expected: list[str]) -> None:
    new = visit(at(10, 10, 0), room_id=None, patient_id=None)
    other = visit(other_start, room_id="room-2", patient_id="p-9")
    assert clash_kinds(new, other, LONDON) == expected


def test_same_patient_day_uses_the_clinic_zone_not_utc() -> None:
    late = datetime(2027, 7, 1, 23, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 BST on 2 July in London
    new = visit(datetime(2027, 7, 2, 10, 0, tzinfo=LONDON), practitioner_id=None, room_id=None)
    other = visit(late, practitioner_id=None, room_id=None)
    assert clash_kinds(new, other, LONDON) == [KIND_PATIENT]
    assert clash_kinds(new, other, ZoneInfo("UTC")) == []


def test_visits_of_the_series_are_checked_against_each_other() -> None:
    series = [visit(at(10, 10)), visit(at(10, 15))]
    conflicts = validate_series(series, [], ClinicCalendar(), LONDON)
    assert [(c.visit_index, c.kind) for c in conflicts] == [(1, KIND_PATIENT)]
    assert (
        conflicts[0].message == "visit 2: the patient already has visit 1 of this course on Wed 10 Feb 2027"
    )


def test_a_clean_series_has_no_conflicts() -> None:
    request = CourseRequest(at(10, 10), parse_pattern("weekly x4"), LONDON, "dr-li", "room-1", "p-1")
    calendar = ClinicCalendar(hours=HOURS, public_holidays=public_holidays("GB-ENG"))
    course = schedule_course(request, calendar)
    other_patient = visit(at(10, 11, 15), practitioner_id="dr-li", room_id="room-1", patient_id="p-2")
    assert validate_course(course, [other_patient], calendar) == []


def test_holiday_leave_and_closure_show_up_after_a_hand_edit() -> None:
    calendar = ClinicCalendar(
        public_holidays=public_holidays("GB-ENG"),
        closures=(Closure(date(2027, 2, 17), date(2027, 2, 17), "Staff training"),),
        leave=(Leave("dr-li", date(2027, 2, 24), date(2027, 2, 24)),),
    )
    series = [visit(datetime(2027, 12, 27, 10, tzinfo=LONDON)), visit(at(17, 10)), visit(at(24, 10))]
    messages = [c.message for c in validate_series(series, [], calendar, LONDON)]
    assert messages == [
        "visit 1: Mon 27 Dec 2027 - Christmas Day (observed)",
        "visit 2: Wed 17 Feb 2027 - Staff training",
        "visit 3: Wed 24 Feb 2027 - Practitioner on leave",
    ]


@pytest.mark.parametrize(
    ("existing", "reason"),
    [
        (visit(at(17, 10, 30), room_id="room-2", patient_id="p-2"), "Practitioner busy"),
        (visit(at(17, 9, 20), practitioner_id="dr-ng", patient_id="p-2"), "Room busy"),
        (visit(at(17, 16), practitioner_id="dr-ng", room_id="room-2"), "Patient already booked"),
    ],
)
def test_bookings_availability_moves_visits_off_taken_slots(existing: Appointment, reason: str) -> None:
    request = CourseRequest(at(10, 10), parse_pattern("weekly x2"), LONDON, "dr-li", "room-1", "p-1")
    course = schedule_course(request, None, BookingsAvailability([existing], LONDON))
    assert (course.visits[1].moved_from, course.visits[1].reason) == (date(2027, 2, 17), reason)
    assert course.visits[1].start == at(18, 10)
