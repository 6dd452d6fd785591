"""A course becomes dated visits: month ends, leap days, DST, holidays, closed days, leave, edits."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from acudesk.domain.errors import ValidationError
from acudesk.domain.scheduling import (
    Appointment,
    BookingsAvailability,
    ClinicCalendar,
    Closure,
    Course,
    CourseRequest,
    Leave,
    OpeningHours,
    move_following,
    move_visit,
    parse_open_days,
    parse_pattern,
    public_holidays,
    replan_after,
    schedule_course,
)
from acudesk.domain.scheduling.visit_types import default_visit_types

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
MON_SAT = OpeningHours.whole_days(parse_open_days("Mon-Sat"))


def course(
    start: str, pattern: str, tz: ZoneInfo = LONDON, calendar: ClinicCalendar | None = None, **request: object
) -> Course:
    req = CourseRequest(datetime.fromisoformat(start), parse_pattern(pattern), tz, **request)  # type: ignore[arg-type]
    return schedule_course(req, calendar)


def days(c: Course) -> list[date]:
    return [v.start.date() for v in c.visits]


@pytest.mark.parametrize(
    ("start", "pattern", "expected"),
    [
        ("2027-01-31T10:00", "monthly x3", ["2027-01-31", "2027-02-28", "2027-03-31"]),
        ("2028-01-31T10:00", "monthly x3", ["2028-01-31", "2028-02-29", "2028-03-31"]),
        ("2027-08-31T10:00", "monthly x3", ["2027-08-31", "2027-09-30", "2027-10-31"]),
        ("2028-02-29T10:00", "monthly x3", ["2028-02-29", "2028-03-29", "2028-04-29"]),
        ("2028-02-29T10:00", "every 12 months x2", ["2028-02-29", "2029-02-28"]),
        ("2028-02-29T10:00", "every 12 months x3", ["2028-02-29", "2029-02-28", "2030-02-28"]),
        ("2027-12-31T10:00", "every 2 months x3", ["2027-12-31", "2028-02-29", "2028-04-30"]),
        # a monthly phase is anchored on the last weekly visit: 31 Aug -> 30 Sep -> 31 Oct
        (
            "2027-08-24T10:00",
            "weekly x2, monthly x2",
            ["2027-08-24", "2027-08-31", "2027-09-30", "2027-10-31"],
        ),
        (
            "2027-02-10T10:00",
            "weekly x4, fortnightly x2, monthly x3",
            [
                "2027-02-10",
                "2027-02-17",
                "2027-02-24",
                "2027-03-03",
                "2027-03-17",
                "2027-03-31",
                "2027-04-30",
                "2027-05-31",
                "2027-06-30",
            ],
        ),
        ("2027-02-10T10:00", "every 3 weeks x3", ["2027-02-10", "2027-03-03", "2027-03-24"]),
    ],
)
def test_dates_follow_the_rhythm_without_month_end_drift(
    start: str, pattern: str, expected: list[str]
) -> None:
    assert [d.isoformat() for d in days(course(start, pattern))] == expected


@pytest.mark.parametrize(
    ("tz", "start", "offsets"),
    [
        # London: clocks go forward on 28 Mar 2027 and back on 31 Oct 2027
        (LONDON, "2027-03-21T10:00", ["+00:00", "+01:00"]),
        (LONDON, "2027-10-24T10:00", ["+01:00", "+00:00"]),
        # New York: forward on 14 Mar 2027, back on 7 Nov 2027
        (NEW_YORK, "2027-03-07T10:00", ["-05:00", "-04:00"]),
        (NEW_YORK, "2027-10-31T10:00", ["-04:00", "-05:00"]),
    ],
)
def test_wall_clock_time_is_kept_across_dst(tz: ZoneInfo, start: str, offsets: list[str]) -> None:
    visits = course(start, "weekly x2", tz).visits
    assert [v.start.strftime("%H:%M") for v in visits] == ["10:00", "10:00"]
    assert [v.start.isoformat()[-6:] for v in visits] == offsets
    gap = visits[1].start.astimezone(UTC) - visits[0].start.astimezone(UTC)
    assert gap in (timedelta(hours=167), timedelta(hours=169))  # a week of wall clock, not of hours
    assert all(v.time_note is None for v in visits)


def test_a_time_missing_on_spring_forward_day_moves_forward_and_is_flagged() -> None:
    visits = course("2027-03-07T02:30", "weekly x3", NEW_YORK).visits
    assert [v.start.strftime("%H:%M %z") for v in visits] == ["02:30 -0500", "03:30 -0400", "02:30 -0400"]
    assert visits[1].time_note and "02:30 does not exist on Sun 14 Mar 2027" in visits[1].time_note
    assert visits[1].moved_from is None


def test_a_time_that_happens_twice_is_booked_at_its_first_occurrence() -> None:
    visits = course("2027-10-24T01:30", "weekly x2", LONDON).visits
    assert visits[1].start.isoformat() == "2027-10-31T01:30:00+01:00"
    assert visits[1].time_note and "happens twice" in visits[1].time_note and "BST" in visits[1].time_note


def test_christmas_2027_substitute_days_move_the_visit_to_wednesday() -> None:
    calendar = ClinicCalendar(hours=MON_SAT, public_holidays=public_holidays("GB-ENG"))
    visits = course("2027-12-13T10:00", "weekly x4", calendar=calendar).visits
    moved = visits[2]
    assert moved.start.date() == date(2027, 12, 29)
    assert moved.moved_from == date(2027, 12, 27)
    assert moved.reason == "Christmas Day (observed)"
    # the next visit keeps its Monday rhythm (3 Jan 2028 is itself New Year's Day observed)
    assert visits[3].moved_from == date(2028, 1, 3)
    assert visits[3].reason == "New Year's Day (observed)"
    assert visits[3].start.date() == date(2028, 1, 4)


@pytest.mark.parametrize(
    ("region", "day", "name"),
    [
        ("GB-ENG", date(2027, 12, 28), "Boxing Day (observed)"),
        ("GB-SCT", date(2027, 1, 4), "New Year Holiday (observed)"),
        ("US", date(2027, 7, 5), "Independence Day (observed)"),
    ],
)
def test_observed_holidays_close_the_clinic(region: str, day: date, name: str) -> None:
    assert ClinicCalendar(public_holidays=public_holidays(region)).closed_reason(day) == name


def test_unknown_holiday_region_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="unknown holiday region 'GB-XYZ'"):
        public_holidays("GB-XYZ")


def test_closed_weekdays_move_visits_and_keep_the_rhythm() -> None:
    calendar = ClinicCalendar(hours=OpeningHours.whole_days(parse_open_days("Mon,Wed,Fri")))
    visits = course("2027-02-12T10:00", "weekly x2, every 2 weeks x1", calendar=calendar).visits  # Fridays
    assert [v.start.date() for v in visits] == [date(2027, 2, 12), date(2027, 2, 19), date(2027, 3, 5)]
    sunday = course("2027-02-14T10:00", "weekly x3", calendar=calendar).visits
    assert [v.start.date() for v in sunday] == [date(2027, 2, 15), date(2027, 2, 22), date(2027, 3, 1)]
    assert [v.moved_from for v in sunday] == [date(2027, 2, 14), date(2027, 2, 21), date(2027, 2, 28)]
    assert {v.reason for v in sunday} == {"Clinic closed on Sunday"}
    assert [v.planned.date() for v in sunday] == [date(2027, 2, 14), date(2027, 2, 21), date(2027, 2, 28)]


def test_clinic_closure_and_practitioner_leave() -> None:
    calendar = ClinicCalendar(
        closures=(Closure(date(2027, 2, 17), date(2027, 2, 18), "Staff training"),),
        leave=(
            Leave("dr-li", date(2027, 2, 24), date(2027, 2, 26)),
            Leave("dr-ng", date(2027, 3, 3), date(2027, 3, 3)),
        ),
    )
    visits = course("2027-02-10T10:00", "weekly x4", calendar=calendar, practitioner_id="dr-li").visits
    assert [(v.start.date(), v.reason) for v in visits] == [
        (date(2027, 2, 10), None),
        (date(2027, 2, 19), "Staff training"),
        (date(2027, 2, 27), "Practitioner on leave"),
        (date(2027, 3, 3), None),  # another practitioner's leave does not matter
    ]


def test_busy_practitioner_moves_the_visit_to_the_next_free_day() -> None:
    follow_up = default_visit_types()["follow_up"]
    taken = Appointment(
        datetime(2027, 2, 17, 10, 30, tzinfo=LONDON),
        follow_up.duration,
        practitioner_id="dr-li",
        label="J. Smith",
    )
    req = CourseRequest(
        datetime(2027, 2, 10, 10), parse_pattern("weekly x3"), LONDON, practitioner_id="dr-li"
    )
    visits = schedule_course(req, None, BookingsAvailability([taken], LONDON)).visits
    assert [(v.start.date(), v.moved_from, v.reason) for v in visits] == [
        (date(2027, 2, 10), None, None),
        (date(2027, 2, 18), date(2027, 2, 17), "Practitioner busy"),
        (date(2027, 2, 24), None, None),
    ]


def test_a_long_closure_keeps_visits_in_order_on_separate_days() -> None:
    calendar = ClinicCalendar(closures=(Closure(date(2027, 2, 15), date(2027, 2, 27), "Refurbishment"),))
    c = course("2027-02-10T10:00", "weekly x4", calendar=calendar)
    assert days(c) == [date(2027, 2, 10), date(2027, 2, 28), date(2027, 3, 1), date(2027, 3, 3)]
    assert [v.reason for v in c.visits] == [None, "Refurbishment", "Refurbishment", None]
    assert [v.planned.date() for v in c.visits][2:] == [date(2027, 2, 24), date(2027, 3, 3)]


def test_a_visit_pushed_by_the_previous_one_says_so() -> None:
    hours = OpeningHours.parse({"Mon": "09:00-18:00", "Tue": "09:00-12:00"})
    calendar = ClinicCalendar(
        hours=hours, closures=(Closure(date(2027, 2, 8), date(2027, 2, 8), "Inspection"),)
    )
    c = course("2027-02-08T14:00", "weekly x2", calendar=calendar)
    # Tue 9 Feb closes at 12:00, so visit 1 goes to Mon 15 Feb, which was visit 2's own day
    assert days(c) == [date(2027, 2, 15), date(2027, 2, 22)]
    assert [v.reason for v in c.visits] == ["Inspection", "Previous visit was moved past this date"]


def test_no_free_day_within_the_lookahead_is_an_error() -> None:
    calendar = ClinicCalendar(closures=(Closure(date(2027, 2, 15), date(2027, 6, 1), "Renovation"),))
    with pytest.raises(ValidationError, match="visit 2: no open, free day within 31 days"):
        course("2027-02-10T10:00", "weekly x2", calendar=calendar)


def test_a_moved_day_must_fit_the_opening_hours() -> None:
    hours = OpeningHours.parse({"Mon": "09:00-18:00", "Tue": "09:00-18:00", "Sat": "09:00-13:00"})
    calendar = ClinicCalendar(
        hours=hours, closures=(Closure(date(2027, 2, 15), date(2027, 2, 16), "Closed"),)
    )
    visits = course("2027-02-08T14:00", "weekly x2", calendar=calendar).visits
    assert visits[1].start.date() == date(2027, 2, 22)  # Saturday 20th closes at 13:00; Monday fits


def test_first_visit_and_follow_up_types_set_the_length() -> None:
    visits = course("2027-02-10T10:00", "weekly x2").visits
    assert [v.visit_type.code for v in visits] == ["first_visit", "follow_up"]
    assert [v.end - v.start for v in visits] == [timedelta(minutes=60), timedelta(minutes=45)]


def test_aware_start_is_read_in_the_clinic_zone() -> None:
    start = datetime(2027, 2, 10, 15, 0, tzinfo=ZoneInfo("UTC"))
    req = CourseRequest(start, parse_pattern("weekly x1"), NEW_YORK)
    assert schedule_course(req).visits[0].start.isoformat() == "2027-02-10T10:00:00-05:00"


# --- series edits -----------------------------------------------------------------------------------


def test_move_one_visit_leaves_the_others_alone() -> None:
    c = course("2027-02-10T10:00", "weekly x3")
    moved = move_visit(c, 1, datetime(2027, 2, 18, 16, 0))
    assert [v.start.strftime("%Y-%m-%d %H:%M") for v in moved.visits] == [
        "2027-02-10 10:00",
        "2027-02-18 16:00",
        "2027-02-24 10:00",
    ]
    assert (moved.visits[1].moved_from, moved.visits[1].reason) == (date(2027, 2, 17), "Moved by hand")
    assert c.visits[1].start.date() == date(2027, 2, 17)  # the original is unchanged


def test_moving_a_visit_back_to_its_planned_day_clears_moved_from() -> None:
    c = course("2027-02-10T10:00", "weekly x3")
    back = move_visit(c, 1, datetime(2027, 2, 17, 11, 0))
    assert back.visits[1].moved_from is None and back.visits[1].reason is None


@pytest.mark.parametrize(
    ("index", "new", "message"),
    [
        (1, datetime(2027, 2, 24, 10), "visit 2 must stay before visit 3"),
        (1, datetime(2027, 2, 10, 15), "visit 2 must stay after visit 1"),
        (5, datetime(2027, 3, 1, 10), "there is no visit 6"),
    ],
)
def test_move_visit_cannot_reorder_the_series(index: int, new: datetime, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        move_visit(course("2027-02-10T10:00", "weekly x3"), index, new)


def test_move_this_and_following_shifts_all_by_the_same_delta_and_reresolves_holidays() -> None:
    calendar = ClinicCalendar(public_holidays=public_holidays("GB-ENG"))
    c = course("2027-12-06T10:00", "weekly x4", calendar=calendar)  # Mondays
    shifted = move_following(c, 1, datetime(2027, 12, 14, 9, 0), calendar)  # Mon 10:00 -> Tue 09:00
    assert [v.start.strftime("%a %Y-%m-%d %H:%M") for v in shifted.visits] == [
        "Mon 2027-12-06 10:00",
        "Tue 2027-12-14 09:00",
        "Tue 2027-12-21 09:00",
        "Wed 2027-12-29 09:00",  # Tue 28 Dec is Boxing Day (observed)
    ]
    assert (shifted.visits[3].moved_from, shifted.visits[3].reason) == (
        date(2027, 12, 28),
        "Boxing Day (observed)",
    )
    assert [v.planned.date() for v in shifted.visits][1:] == [
        date(2027, 12, 14),
        date(2027, 12, 21),
        date(2027, 12, 28),
    ]


def test_move_following_cannot_jump_before_the_previous_visit() -> None:
    with pytest.raises(ValidationError, match="visit 3 must stay after visit 2"):
        move_following(course("2027-02-10T10:00", "weekly x4"), 2, datetime(2027, 2, 16, 10))


def test_replan_after_replaces_the_rest_and_updates_the_pattern() -> None:
    c = course("2027-02-10T10:00", "weekly x4, fortnightly x2, monthly x3")
    tapered = replan_after(c, 1, parse_pattern("fortnightly x2, monthly x3"))
    assert [v.start.date().isoformat() for v in tapered.visits] == [
        "2027-02-10",
        "2027-02-17",
        "2027-03-03",
        "2027-03-17",
        "2027-04-17",
        "2027-05-17",
        "2027-06-17",
    ]
    assert str(tapered.pattern) == "weekly x2, fortnightly x2, monthly x3"
    assert [v.phase for v in tapered.visits] == [0, 0, 1, 1, 2, 2, 2]
    assert [v.index for v in tapered.visits] == list(range(7))
    assert tapered.visits[2].visit_type.code == "follow_up"


def test_replan_respects_the_52_visit_cap() -> None:
    c = course("2027-02-10T10:00", "weekly x40")
    with pytest.raises(ValidationError, match="at most 52 visits; this one would have 55"):
        replan_after(c, 29, parse_pattern("weekly x25"))
