"""How AcuDesk writes dates and times: one style on every screen, list and document.

A date is written day, month, year: "3 Dec 2026", with the weekday in front where the day of the week
matters to the reader (a visit, a session, an event: "Thu 3 Dec 2026"), and a time after it in 24-hour
clock: "Thu 3 Dec 2026 14:05". Letters write the month in full ("3 December 2026"), as letters do.
No leading zeros, never year-month-day, never a bare day and month without the year outside a grid
whose heading gives it. Dates are typed as dd/mm/yyyy (``patient_search.parse_date_text``).

Moments stored in UTC are shown in the clinic's time zone (``in_zone``), never in the zone of the
computer that happens to show them.
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo

TYPED_DATE_HINT = "dd/mm/yyyy"


def in_zone(moment: datetime, zone: tzinfo) -> datetime:
    """A stored moment as the clinic's wall-clock time (a naive moment is taken as already local)."""
    return moment.astimezone(zone) if moment.tzinfo is not None else moment


def day(value: date | datetime, *, weekday: bool = False) -> str:
    """"3 Dec 2026", or "Thu 3 Dec 2026" with ``weekday``."""
    text = f"{value.day} {value:%b %Y}"
    return f"{value:%a} {text}" if weekday else text


def day_and_time(moment: datetime, zone: tzinfo | None = None, *, weekday: bool = True) -> str:
    """"Thu 3 Dec 2026 14:05" (in ``zone`` when given)."""
    local = in_zone(moment, zone) if zone is not None else moment
    return f"{day(local, weekday=weekday)} {local:%H:%M}"


def time_of(moment: datetime | time, zone: tzinfo | None = None) -> str:
    """"14:05" (a stored moment in ``zone`` when given; a time of day as it is)."""
    local = in_zone(moment, zone) if zone is not None and isinstance(moment, datetime) else moment
    return f"{local:%H:%M}"


def long_day(value: date | datetime, *, weekday: bool = False) -> str:
    """"3 December 2026" (letters), or "Thursday 3 December 2026" with ``weekday``."""
    text = f"{value.day} {value:%B %Y}"
    return f"{value:%A} {text}" if weekday else text


def typed(value: date) -> str:
    """A date as it is typed into a date field: "03/12/2026"."""
    return f"{value:%d/%m/%Y}"


def day_span(first: date, last: date) -> str:
    """Two days as a range, the year written once when they share it: "30 Nov – 6 Dec 2026"."""
    if first.year == last.year:
        return f"{first.day} {first:%b} – {day(last)}"
    return f"{day(first)} – {day(last)}"


def grid_heading(value: date, *, month: bool = True) -> str:
    """A day in a calendar grid's column heading ("Thu 3 Dec", or "Thu 3" without ``month``): only under a
    title that gives the month and year."""
    return f"{value:%a} {value.day} {value:%b}" if month else f"{value:%a} {value.day}"


def computer_zone() -> tzinfo:
    """The zone of this computer: only where the clinic's zone cannot be read (a damaged database at
    start-up, before any clinic is open); everywhere else stored moments are shown in the clinic's zone."""
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone
