"""When the clinic is open: opening hours per weekday, public holidays, closures and leave.

Plain data only. Public holidays come from the ``holidays`` package (observed/substitute days
included); the calendar accepts any ``date -> name`` mapping so tests and other sources can stand in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

import holidays

from acudesk.domain.errors import ValidationError

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_LOOKUP = {name.lower()[:3]: number for number, name in enumerate(DAY_NAMES)} | {
    name.lower(): number for number, name in enumerate(DAY_NAMES)
}
_SPAN = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")

Span = tuple[int, int]  # minutes after midnight, end exclusive (24:00 = 1440)
WHOLE_DAY: Span = (0, 24 * 60)


@dataclass(frozen=True)
class OpeningHours:
    """Open spans per weekday (0 = Monday). A weekday without spans is closed."""

    spans: Mapping[int, tuple[Span, ...]]

    @classmethod
    def every_day(cls) -> OpeningHours:
        return cls({day: (WHOLE_DAY,) for day in range(7)})

    @classmethod
    def whole_days(cls, weekdays: set[int] | frozenset[int]) -> OpeningHours:
        return cls({day: (WHOLE_DAY,) for day in weekdays})

    @classmethod
    def parse(cls, table: Mapping[str, str]) -> OpeningHours:
        """``{"Mon": "09:00-13:00, 14:00-18:00", "Sat": "09:00-12:30"}``; missing days are closed."""
        spans: dict[int, tuple[Span, ...]] = {}
        for day_text, hours_text in table.items():
            day = parse_weekday(day_text)
            parts = []
            for chunk in hours_text.split(","):
                match = _SPAN.fullmatch(chunk.strip())
                if not match:
                    raise ValidationError(
                        f"opening hours '{chunk.strip()}' are not like 09:00-18:00", field="hours"
                    )
                h1, m1, h2, m2 = (int(g) for g in match.groups())
                start, end = h1 * 60 + m1, h2 * 60 + m2
                if not (0 <= start < end <= 24 * 60 and m1 < 60 and m2 < 60):
                    raise ValidationError(
                        f"opening hours '{chunk.strip()}' are not a valid span", field="hours"
                    )
                parts.append((start, end))
            spans[day] = tuple(sorted(parts))
        return cls(spans)

    def is_open_day(self, weekday: int) -> bool:
        return bool(self.spans.get(weekday))

    def fits(self, start: datetime, end: datetime) -> bool:
        """Whether local ``start``..``end`` (both in the clinic zone) lies inside one open span."""
        begin = start.hour * 60 + start.minute
        wall_length = end.replace(tzinfo=None) - start.replace(tzinfo=None)
        finish = begin + int(wall_length.total_seconds() // 60)
        return any(a <= begin and finish <= b for a, b in self.spans.get(start.weekday(), ()))


def parse_weekday(text: str) -> int:
    number = _DAY_LOOKUP.get(text.strip().lower())
    if number is None:
        raise ValidationError(f"unknown weekday '{text.strip()}' (use Mon, Tue, ... Sun)", field="open_days")
    return number


def parse_open_days(text: str) -> frozenset[int]:
    """``Mon-Sat``, ``Mon,Wed,Fri`` or ``Mon-Fri,Sun`` (ranges may wrap: ``Fri-Mon``)."""
    days: set[int] = set()
    for part in text.split(","):
        if "-" in part:
            first_text, _, last_text = part.partition("-")
            first, last = parse_weekday(first_text), parse_weekday(last_text)
            days.update((first + k) % 7 for k in range((last - first) % 7 + 1))
        elif part.strip():
            days.add(parse_weekday(part))
        else:
            raise ValidationError(f"open days '{text}' has an empty part", field="open_days")
    return frozenset(days)


def public_holidays(region: str) -> Mapping[date, str]:
    """Public holidays for ``GB`` or ``GB-ENG`` (country, optional subdivision), observed days included."""
    country, _, subdiv = region.strip().partition("-")
    try:
        return holidays.country_holidays(country.upper(), subdiv=subdiv.upper() or None, observed=True)
    except NotImplementedError:
        raise ValidationError(
            f"unknown holiday region '{region}' (use a country code like GB or GB-ENG)", field="holidays"
        ) from None


@dataclass(frozen=True)
class Closure:
    """The clinic is shut from ``first`` to ``last`` inclusive (refurbishment, training day...)."""

    first: date
    last: date
    reason: str = "Clinic closed"

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True)
class Leave:
    """A practitioner is away from ``first`` to ``last`` inclusive."""

    practitioner_id: object
    first: date
    last: date

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True)
class ClinicCalendar:
    hours: OpeningHours = field(default_factory=OpeningHours.every_day)
    public_holidays: Mapping[date, str] = field(default_factory=dict)
    closures: tuple[Closure, ...] = ()
    leave: tuple[Leave, ...] = ()

    def closed_reason(self, day: date, practitioner_id: object = None) -> str | None:
        """Why nobody can be seen on ``day`` (by this practitioner), or None when it is open."""
        holiday = self.public_holidays.get(day)
        if holiday:
            return holiday
        for closure in self.closures:
            if closure.covers(day):
                return closure.reason
        if not self.hours.is_open_day(day.weekday()):
            return f"Clinic closed on {DAY_NAMES[day.weekday()]}"
        if practitioner_id is not None and any(
            leave.practitioner_id == practitioner_id and leave.covers(day) for leave in self.leave
        ):
            return "Practitioner on leave"
        return None
