"""The app's one date style (acudesk/domain/dates.py): day month year, no leading zeros, clinic time."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from acudesk.domain import dates

LONDON = ZoneInfo("Europe/London")


def test_a_day_is_day_month_year_without_leading_zeros() -> None:
    assert dates.day(date(2026, 12, 3)) == "3 Dec 2026"
    assert dates.day(date(2026, 12, 3), weekday=True) == "Thu 3 Dec 2026"
    assert dates.day(datetime(2026, 1, 5, 9, 0)) == "5 Jan 2026"


def test_a_stored_utc_moment_is_shown_in_the_clinic_zone_summer_and_winter() -> None:
    summer = datetime(2026, 7, 1, 13, 0, tzinfo=UTC)
    winter = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
    assert dates.day_and_time(summer, LONDON) == "Wed 1 Jul 2026 14:00"
    assert dates.day_and_time(winter, LONDON) == "Thu 3 Dec 2026 14:05"
    assert dates.time_of(summer, LONDON) == "14:00"
    assert dates.day_and_time(summer, ZoneInfo("Australia/Sydney"), weekday=False) == "1 Jul 2026 23:00"


def test_the_day_follows_the_clinic_zone_across_midnight() -> None:
    late_evening_utc = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
    assert dates.day_and_time(late_evening_utc, LONDON) == "Thu 2 Jul 2026 00:30"


def test_a_naive_moment_is_taken_as_already_local() -> None:
    local_start = datetime(2026, 7, 1, 14, 0)
    assert dates.in_zone(local_start, LONDON) == local_start
    assert dates.day_and_time(local_start, LONDON) == "Wed 1 Jul 2026 14:00"


def test_letters_write_the_month_in_full() -> None:
    assert dates.long_day(date(2026, 12, 3)) == "3 December 2026"
    assert dates.long_day(date(2026, 12, 3), weekday=True) == "Thursday 3 December 2026"


def test_typed_dates_are_dd_mm_yyyy() -> None:
    assert dates.typed(date(2026, 3, 4)) == "04/03/2026"
    assert dates.TYPED_DATE_HINT == "dd/mm/yyyy"


def test_a_span_writes_the_year_once_or_twice() -> None:
    assert dates.day_span(date(2026, 11, 30), date(2026, 12, 6)) == "30 Nov – 6 Dec 2026"
    assert dates.day_span(date(2026, 12, 28), date(2027, 1, 3)) == "28 Dec 2026 – 3 Jan 2027"
