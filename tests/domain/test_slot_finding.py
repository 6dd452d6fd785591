"""The slot finder keeps a course's rhythm in a busy clinic and says why each visit went where it did.

The clinic opens Mon-Fri 09:00-18:00 and Sat 09:00-13:00 (GB-ENG holidays, Europe/London); the
practitioner is 1, the rooms are 1 (Garden Room) and 2 (River Room), the patient is 5.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from acudesk.domain.errors import ValidationError
from acudesk.domain.scheduling import (
    Appointment,
    ClinicCalendar,
    Closure,
    CourseRequest,
    OpeningHours,
    parse_pattern,
    public_holidays,
    validate_course,
)
from acudesk.domain.scheduling.pattern import Interval
from acudesk.domain.scheduling.preferences import parse_preferences
from acudesk.domain.scheduling.slot_finding import (
    BusyIndex,
    ListedBookings,
    SlotSearch,
    course_windows,
    default_slot_rules,
    find_course_slots,
    first_free_slots,
)
from acudesk.domain.scheduling.visit_types import default_visit_types

LONDON = ZoneInfo("Europe/London")
HOURS = OpeningHours.parse({day: "09:00-18:00" for day in ("Mon", "Tue", "Wed", "Thu", "Fri")} | {"Sat": "09:00-13:00"})
CALENDAR = ClinicCalendar(HOURS, public_holidays("GB-ENG"))
NAMES = {1: "Garden Room", 2: "River Room"}
PEOPLE = {7: "Olu Okafor"}
FOLLOW_UP = default_visit_types()["follow_up"]


def busy(start: datetime, *, practitioner: object = 1, room: object = 1, patient: object = 99,
         minutes: int = 45) -> Appointment:
    return Appointment(start.replace(tzinfo=LONDON), timedelta(minutes=minutes), timedelta(minutes=10),
                       practitioner, room, patient)


def find(start: datetime, pattern: str, bookings: list[Appointment] = (), calendar: ClinicCalendar = CALENDAR,
         **options: object):
    request = CourseRequest(start, parse_pattern(pattern), LONDON, practitioner_id=1, room_id=1, patient_id=5)
    options.setdefault("rooms", (1, 2))
    return find_course_slots(request, calendar, ListedBookings(list(bookings), LONDON), room_names=NAMES,
                             practitioner_names=PEOPLE, **options)


def test_the_tolerances_are_reviewable_data_that_fit_each_phase() -> None:
    rules = default_slot_rules()
    assert [(rules.for_interval(Interval(n, u)).days, rules.for_interval(Interval(n, u)).min_gap_days)
            for n, u in ((1, "week"), (2, "week"), (3, "week"), (1, "month"), (2, "month"))] == [
        (1, 4), (3, 7), (7, 10), (7, 14), (7, 14)
    ]


def test_a_free_calendar_keeps_every_ideal_slot_and_explains_nothing() -> None:
    course = find(datetime(2027, 2, 1, 10), "weekly x4, fortnightly x2, monthly x2")
    assert all(v.explanation is None and not v.drifted and v.moved_from is None for v in course.visits)
    assert [v.start.date() for v in course.visits][:4] == [date(2027, 2, d) for d in (1, 8, 15, 22)]


def test_a_taken_hour_moves_to_the_same_time_in_the_free_room_first() -> None:
    course = find(datetime(2027, 2, 1, 14), "weekly x2",
                  [busy(datetime(2027, 2, 8, 14), practitioner=8, room=1)])
    second = course.visits[1]
    assert (second.start.time(), second.room_id) == (time(14), 2)
    assert second.explanation == "Mon 8 Feb 2027 14:00 taken (room busy) → 14:00, River Room"


def test_a_busy_practitioner_moves_to_the_nearest_free_time_that_day() -> None:
    course = find(datetime(2027, 2, 1, 14), "weekly x2", [busy(datetime(2027, 2, 8, 14), room=2)])
    second = course.visits[1]
    assert second.start == datetime(2027, 2, 8, 14, 45, tzinfo=LONDON) and second.room_id == 1
    assert second.moved_from is None and not second.drifted
    assert second.explanation == "Mon 8 Feb 2027 14:00 taken (practitioner busy) → 14:45"


def test_a_holiday_moves_a_weekly_visit_by_one_day_and_says_so() -> None:
    # Mon 31 May 2027 is the Spring bank holiday.
    course = find(datetime(2027, 5, 24, 10), "weekly x3")
    second = course.visits[1]
    assert second.start.date() == date(2027, 6, 1)
    assert second.explanation == "Mon 31 May 2027 is a holiday (Spring Bank Holiday) → Tue 1 Jun 2027 10:00"
    assert (second.moved_from, second.reason) == (date(2027, 5, 31), "Spring Bank Holiday")
    assert course.visits[2].start.date() == date(2027, 6, 7)  # the rhythm goes on from the planned days


def test_nothing_within_the_tolerance_drifts_is_flagged_and_offers_the_nearest_options() -> None:
    # Christmas 2027: Mon 27 and Tue 28 Dec are the substitute holidays; Sun 26 is closed.
    course = find(datetime(2027, 12, 13, 10), "weekly x4")
    third = course.visits[2]
    assert third.drifted and third.start.date() == date(2027, 12, 29)
    assert third.explanation == (
        "Mon 27 Dec 2027 is a holiday (Christmas Day (observed)); nothing free within ±1 day → Wed 29 Dec 2027 10:00, "
        "2 days later than the rhythm"
    )
    assert [o.start.date() for o in third.options] == [date(2027, 12, 30), date(2027, 12, 24), date(2027, 12, 31)]
    assert not course.visits[3].drifted  # Tue 4 Jan: New Year's Day observed on Mon 3 Jan, one day


def test_weekly_visits_are_never_closer_than_four_days() -> None:
    # Mon 31 May is a holiday, Sun 30 May closed and Tue 1 Jun full: visit 2 drifts to Wed 2 Jun;
    # visit 3 still keeps Mon 7 Jun (5 days later).
    full = [busy(datetime(2027, 6, 1, 9) + timedelta(minutes=45 * n), room=2) for n in range(12)]
    course = find(datetime(2027, 5, 24, 10), "weekly x3", full)
    days = [v.start.date() for v in course.visits]
    assert days == [date(2027, 5, 24), date(2027, 6, 2), date(2027, 6, 7)]
    assert course.visits[1].drifted and not course.visits[2].drifted
    assert all((b - a).days >= 4 for a, b in zip(days, days[1:], strict=False))


def test_a_drifted_visit_pushes_the_next_only_when_it_must() -> None:
    # A week's closure: visit 2 cannot stay within a day of Mon 8 Feb and lands on Mon 15 Feb... which is
    # visit 3's planned day, so visit 3 must go at least 4 days later.
    closure = ClinicCalendar(HOURS, public_holidays("GB-ENG"), (Closure(date(2027, 2, 6), date(2027, 2, 14)),))
    course = find(datetime(2027, 2, 1, 10), "weekly x4", calendar=closure)
    days = [v.start.date() for v in course.visits]
    assert days[1] == date(2027, 2, 5) and course.visits[1].drifted  # Fri 5 Feb: 3 days early is nearest
    assert days[2:] == [date(2027, 2, 15), date(2027, 2, 22)]
    assert not course.visits[2].drifted


def test_another_practitioner_only_when_allowed_and_only_after_the_same_one_fails() -> None:
    day_full = [busy(datetime(2027, 2, 8, 9) + timedelta(minutes=45 * n), room=2) for n in range(12)]
    day_full += [busy(datetime(2027, 2, d, 9), practitioner=1, room=2, minutes=9 * 60) for d in (9, 6)]
    alone = find(datetime(2027, 2, 1, 10), "weekly x2", day_full)
    assert alone.visits[1].drifted and alone.visits[1].practitioner_id == 1
    shared = find(datetime(2027, 2, 1, 10), "weekly x2", day_full, practitioners=(7,))
    second = shared.visits[1]
    assert (second.start, second.practitioner_id, second.drifted) == (datetime(2027, 2, 8, 10, tzinfo=LONDON), 7, False)
    assert second.explanation.endswith("→ 10:00, with Olu Okafor")


def test_the_patients_preferences_come_first_when_the_ideal_slot_is_taken() -> None:
    prefs = parse_preferences("Tuesdays after 17:00")
    course = find(datetime(2027, 2, 1, 10), "weekly x2", [busy(datetime(2027, 2, 8, 10), room=2)], preferences=prefs)
    second = course.visits[1]
    assert second.start == datetime(2027, 2, 9, 17, tzinfo=LONDON)
    assert second.explanation == ("Mon 8 Feb 2027 10:00 taken (practitioner busy) → Tue 9 Feb 2027 17:00 "
                                  "(suits the patient: Tuesdays after 17:00)")


def test_preferences_read_like_a_receptionist_writes_them() -> None:
    prefs = parse_preferences("Tuesdays after 17:00; Mon-Wed before 11:00; thu and fri 09:00-12:00")
    assert str(prefs) == ("Tuesdays after 17:00; Mondays, Tuesdays, Wednesdays before 11:00; "
                          "Thursdays, Fridays 09:00-12:00")
    tuesday = datetime(2027, 2, 9, 17, 30)
    assert prefs.suits(tuesday, tuesday + timedelta(minutes=45))
    assert not prefs.suits(datetime(2027, 2, 11, 12), datetime(2027, 2, 11, 12, 45))
    assert not parse_preferences("").given
    with pytest.raises(ValidationError, match="ends before it starts"):
        parse_preferences("Mon 12:00-11:00")
    with pytest.raises(ValidationError, match="unknown weekday"):
        parse_preferences("Funday after 10:00")


def test_first_free_slots_for_one_visit_are_a_short_ranked_list() -> None:
    bookings = [busy(datetime(2027, 2, 2, 17), room=2), busy(datetime(2027, 2, 1, 9), room=2)]
    search = SlotSearch(CALENDAR, BusyIndex(ListedBookings(bookings, LONDON), LONDON), LONDON, (1,), (1, 2), 5,
                        parse_preferences("Tuesdays after 17:00"), NAMES)
    choices = first_free_slots(search, FOLLOW_UP, datetime(2027, 2, 1, 8, tzinfo=LONDON), limit=3)
    assert [(c.slot.start.strftime("%a %d %b %H:%M"), c.note) for c in choices] == [
        # Tue 2 Feb 17:00 is taken and 17:15 would still overlap it: next Tuesday.
        ("Tue 09 Feb 17:00", "suits the patient: Tuesdays after 17:00"),
        ("Tue 16 Feb 17:00", "suits the patient: Tuesdays after 17:00"),
        ("Tue 23 Feb 17:00", "suits the patient: Tuesdays after 17:00"),
    ]
    plain = SlotSearch(CALENDAR, BusyIndex(ListedBookings(bookings, LONDON), LONDON), LONDON, (1,), (1, 2), 5)
    choices = first_free_slots(plain, FOLLOW_UP, datetime(2027, 2, 1, 8, tzinfo=LONDON), limit=2)
    assert [(c.slot.start.strftime("%a %d %b %H:%M"), c.note) for c in choices] == [
        ("Mon 01 Feb 09:45", "earliest free"), ("Tue 02 Feb 09:00", "first free that day")
    ]


def test_the_finder_reads_only_the_windows_it_needs() -> None:
    asked: list[tuple[date, date]] = []

    class Source:
        def bookings(self, first: date, last: date) -> list[Appointment]:
            asked.append((first, last))
            return []

        def rooms_taken(self, start: datetime, until: datetime, rooms: object) -> set[object]:
            return set()

    request = CourseRequest(datetime(2027, 2, 1, 10), parse_pattern("weekly x4, monthly x2"), LONDON, 1, 1, 5)
    find_course_slots(request, CALENDAR, Source())
    assert all((last - first).days <= 16 for first, last in asked)  # +-1 day weekly, +-7 monthly, a day each side
    assert course_windows(request)[:2] == [(date(2027, 1, 30), date(2027, 2, 3)), (date(2027, 2, 6), date(2027, 2, 10))]


def test_the_finder_agrees_with_validation() -> None:
    bookings = [busy(datetime(2027, 2, 8, 9) + timedelta(minutes=45 * n), room=n % 2 + 1) for n in range(6)]
    course = find(datetime(2027, 2, 1, 10), "weekly x4", bookings)
    assert validate_course(course, bookings, CALENDAR) == []


def test_a_visit_with_nothing_free_within_the_look_ahead_is_named() -> None:
    closed = ClinicCalendar(HOURS, public_holidays("GB-ENG"), (Closure(date(2027, 2, 2), date(2027, 4, 30)),))
    with pytest.raises(ValidationError, match=r"visit 2: no free slot within 31 days of Mon 8 Feb 2027"):
        find(datetime(2027, 2, 1, 10), "weekly x2", calendar=closed)
