"""Course patterns: ``weekly x4, fortnightly x2, monthly x3``.

A course is a list of phases; each phase repeats one interval (every N weeks or every N calendar
months) a number of times. :func:`parse_pattern` reads the receptionist's text and
:func:`format_pattern` writes the canonical form, so ``format(parse(format(p))) == format(p)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from dateutil.relativedelta import relativedelta

from acudesk.domain.errors import ValidationError

Unit = Literal["week", "month"]

MAX_VISITS = 52
MAX_WEEKS = 52
MAX_MONTHS = 12

_WORDS: dict[str, tuple[int, Unit]] = {
    "weekly": (1, "week"),
    "fortnightly": (2, "week"),
    "monthly": (1, "month"),
    "every week": (1, "week"),
    "every other week": (2, "week"),
    "every month": (1, "month"),
    "every other month": (2, "month"),
}
_EVERY_N = re.compile(r"every (\d+) (week|month)s?")
_PART = re.compile(r"(?P<interval>.*?)\s*[x×]\s*(?P<count>\S+)")


@dataclass(frozen=True)
class Interval:
    """Every ``n`` weeks or every ``n`` calendar months."""

    n: int
    unit: Unit

    def times(self, k: int) -> relativedelta:
        """The offset of ``k`` intervals (months are added from an anchor, never step by step)."""
        return relativedelta(weeks=self.n * k) if self.unit == "week" else relativedelta(months=self.n * k)

    def approx_days(self) -> int:
        return self.n * (7 if self.unit == "week" else 30)

    def __str__(self) -> str:
        canonical = {(1, "week"): "weekly", (2, "week"): "fortnightly", (1, "month"): "monthly"}
        return canonical.get((self.n, self.unit), f"every {self.n} {self.unit}s")


@dataclass(frozen=True)
class Phase:
    interval: Interval
    count: int

    def __str__(self) -> str:
        return f"{self.interval} x{self.count}"


@dataclass(frozen=True)
class CoursePattern:
    phases: tuple[Phase, ...]

    @property
    def total(self) -> int:
        return sum(p.count for p in self.phases)

    def phase_of(self, visit_index: int) -> int:
        """Index of the phase that visit ``visit_index`` (0-based) belongs to."""
        seen = 0
        for number, phase in enumerate(self.phases):
            seen += phase.count
            if visit_index < seen:
                return number
        raise IndexError(visit_index)

    def __str__(self) -> str:
        return format_pattern(self)


def format_pattern(pattern: CoursePattern) -> str:
    return ", ".join(str(p) for p in pattern.phases)


def check_total(total: int) -> None:
    if total > MAX_VISITS:
        raise ValidationError(
            f"a course can have at most {MAX_VISITS} visits; this one would have {total}", field="pattern"
        )


def _parse_interval(text: str, where: str) -> Interval:
    if text in _WORDS:
        n, unit = _WORDS[text]
        return Interval(n, unit)
    match = _EVERY_N.fullmatch(text)
    if not match:
        raise ValidationError(f"unknown interval '{text}' in {where}", field="pattern")
    n, unit = int(match[1]), "week" if match[2] == "week" else "month"
    limit = MAX_WEEKS if unit == "week" else MAX_MONTHS
    if not 1 <= n <= limit:
        raise ValidationError(f"interval must be 1 to {limit} {unit}s in {where}", field="pattern")
    return Interval(n, unit)


def _parse_part(raw: str, number: int) -> Phase:
    text = " ".join(raw.lower().split())
    where = f'part {number} "{raw.strip()}"'
    if not text:
        raise ValidationError(f"{where} is empty", field="pattern")
    match = _PART.fullmatch(text)
    if not match:
        raise ValidationError(f"missing visit count (like 'x4') in {where}", field="pattern")
    interval = _parse_interval(match["interval"], where)
    if not match["count"].isdigit():
        raise ValidationError(
            f"visit count '{match['count']}' is not a whole number in {where}", field="pattern"
        )
    count = int(match["count"])
    if count < 1:
        raise ValidationError(f"visit count must be at least 1 in {where}", field="pattern")
    return Phase(interval, count)


def parse_pattern(text: str) -> CoursePattern:
    """Read ``weekly x4, every 3 weeks x2, monthly ×3`` (case and spacing do not matter)."""
    if not text or not text.strip():
        raise ValidationError(
            "the course pattern is empty (example: 'weekly x4, fortnightly x2')", field="pattern"
        )
    phases = tuple(_parse_part(raw, number) for number, raw in enumerate(text.split(","), start=1))
    pattern = CoursePattern(phases)
    check_total(pattern.total)
    return pattern
