"""A patient's preferred days and times for visits: ``Tuesdays after 17:00; Mon-Wed before 11:00``.

The slot finder (``slot_finding.py``) tries slots that suit them first when a visit cannot have its
ideal slot, and ranks them first in the first free slots for one visit. Kept per patient
(``booking_preferences``), as the receptionist typed them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

from acudesk.domain import dates
from acudesk.domain.errors import ValidationError
from acudesk.domain.scheduling.calendar_rules import DAY_NAMES, parse_open_days

_TIME = r"(\d{1,2}):(\d{2})"
_AFTER = re.compile(rf"\b(?:after|from)\s+{_TIME}")
_BEFORE = re.compile(rf"\b(?:before|until)\s+{_TIME}")
_BETWEEN = re.compile(rf"{_TIME}\s*-\s*{_TIME}")
_PLURAL_DAY = re.compile(r"\b(mon|tues|wednes|thurs|fri|satur|sun)days\b")
_DAY_ALIASES = {"any day": "", "any": "", "every day": "", "weekdays": "mon-fri", "weekends": "sat-sun"}


def _clock(hours: str, minutes: str, text: str) -> time:
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValidationError(f"'{hours}:{minutes}' in '{text}' is not a time of day", field="preferences") from None


@dataclass(frozen=True)
class TimeWindow:
    """Days and times that suit a patient: ``weekdays`` (empty = any day), starting at or after
    ``after`` and ending by ``before``."""

    weekdays: frozenset[int] = frozenset()
    after: time | None = None
    before: time | None = None

    def suits(self, start: datetime, end: datetime) -> bool:
        if self.weekdays and start.weekday() not in self.weekdays:
            return False
        if self.after is not None and start.time() < self.after:
            return False
        return self.before is None or (end.date() == start.date() and end.time() <= self.before)

    def __str__(self) -> str:
        days = ", ".join(f"{DAY_NAMES[d]}s" for d in sorted(self.weekdays)) or "any day"
        if self.after and self.before:
            return f"{days} {dates.time_of(self.after)}-{dates.time_of(self.before)}"
        if self.after:
            return f"{days} after {dates.time_of(self.after)}"
        if self.before:
            return f"{days} before {dates.time_of(self.before)}"
        return days


@dataclass(frozen=True)
class BookingPreferences:
    """The days and times a patient prefers; a slot suits them when it fits any one window."""

    windows: tuple[TimeWindow, ...] = ()

    @property
    def given(self) -> bool:
        return bool(self.windows)

    def suits(self, start: datetime, end: datetime) -> bool:
        return not self.windows or any(w.suits(start, end) for w in self.windows)

    def __str__(self) -> str:
        return "; ".join(str(w) for w in self.windows)


NO_PREFERENCES = BookingPreferences()


def parse_preferences(text: str) -> BookingPreferences:
    """``Tuesdays after 17:00; Thu 09:00-12:00; Mon-Wed before 11:00`` (empty text: no preference)."""
    windows = []
    for raw in (text or "").split(";"):
        part = " ".join(raw.lower().split())
        if not part:
            continue
        after = before = None
        if match := _BETWEEN.search(part):
            after, before = _clock(match[1], match[2], raw), _clock(match[3], match[4], raw)
            part = part.replace(match[0], " ")
        if match := _AFTER.search(part):
            after, part = _clock(match[1], match[2], raw), part.replace(match[0], " ")
        if match := _BEFORE.search(part):
            before, part = _clock(match[1], match[2], raw), part.replace(match[0], " ")
        if after is not None and before is not None and before <= after:
            raise ValidationError(f"'{raw.strip()}' ends before it starts", field="preferences")
        days_text = " ".join(_PLURAL_DAY.sub(lambda m: f"{m[1]}day", part).replace(" and ", ",").split())
        days_text = _DAY_ALIASES.get(days_text.strip(" ,"), days_text.strip(" ,"))
        days_text = re.sub(r"\s+", ",", re.sub(r"\s*([,-])\s*", r"\1", days_text))
        weekdays = frozenset() if not days_text else parse_open_days(days_text)
        windows.append(TimeWindow(weekdays, after, before))
    return BookingPreferences(tuple(windows))
