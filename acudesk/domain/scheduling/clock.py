"""Wall-clock times in the clinic's time zone, across daylight-saving changes.

Visits keep the clinic's local time (10:00 stays 10:00 when the clocks change; the UTC offset moves).
Two local times need a rule, and both are flagged so a person sees them:

* a time that does not exist (spring forward, e.g. 02:30 in New York on the second Sunday of March)
  moves forward by the length of the gap: 02:30 becomes 03:30;
* a time that happens twice (fall back) is booked at its first occurrence (summer time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from acudesk.domain import dates
from acudesk.domain.errors import ValidationError


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Europe/London``), or a ValidationError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"unknown time zone '{name}' (example: Europe/London)", field="tz") from None


def to_wall(moment: datetime, tz: tzinfo) -> datetime:
    """Naive local wall-clock time of ``moment`` in ``tz`` (a naive ``moment`` already is one)."""
    return moment.astimezone(tz).replace(tzinfo=None) if moment.tzinfo is not None else moment


def localize(day: date, at: time, tz: tzinfo) -> tuple[datetime, str | None]:
    """The aware datetime for wall time ``at`` on ``day`` in ``tz`` and a note if DST changed it."""
    naive = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=tz)
    round_trip = first.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != naive:
        return round_trip, (
            f"{dates.time_of(at)} does not exist on {dates.day(day, weekday=True)} (clocks go forward); "
            f"booked at {dates.time_of(round_trip)}"
        )
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        return first, (
            f"{dates.time_of(at)} happens twice on {dates.day(day, weekday=True)} (clocks go back); "
            f"booked at the first {dates.time_of(at)} ({first.tzname()})"
        )
    return first, None
