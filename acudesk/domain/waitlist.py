"""The waitlist: patients waiting for an earlier visit, and who is offered a slot that comes free.

A patient waits for a visit with a practitioner (or anyone), of a visit type, on the days and at the
times that suit them, until a date, with an urgency the practitioner or receptionist chose. When a
visit is cancelled or moved, its old slot is offered to the entries it suits, most urgent first and,
at equal urgency, whoever has waited longest. AcuDesk never books from the waitlist by itself: staff
confirm each offer with the patient (services/waitlist.py).

Plain data and rules: no Qt, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from acudesk.domain import dates

URGENCIES = ("urgent", "soon", "routine")  # most urgent first: the order offers are ranked in
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Wish:
    """What one waitlist entry waits for."""

    entry_id: int
    patient_id: int
    practitioner_id: int | None  # None: any practitioner
    visit_minutes: int  # how long the visit it waits for lasts
    weekdays: frozenset[int]  # 0 = Monday … 6 = Sunday; empty: any day
    earliest: time | None  # the visit starts at or after …
    latest: time | None  # … and ends by (None: any time)
    until: date  # the last day a visit is still wanted
    urgency: str  # one of URGENCIES
    waiting_since: datetime

    def describe(self) -> str:
        """ "Tue, Thu · after 17:00 · until 18 Dec" """
        days = ", ".join(WEEKDAY_NAMES[d] for d in sorted(self.weekdays)) or "any day"
        if self.earliest and self.latest:
            hours = f"{dates.time_of(self.earliest)}–{dates.time_of(self.latest)}"
        elif self.earliest:
            hours = f"after {dates.time_of(self.earliest)}"
        elif self.latest:
            hours = f"ending by {dates.time_of(self.latest)}"
        else:
            hours = "any time"
        return f"{days} · {hours} · until {dates.day(self.until)}"


@dataclass(frozen=True)
class FreedSlot:
    """A slot that came free: the cancelled or moved visit's practitioner, start and length."""

    practitioner_id: int
    local_start: datetime  # the clinic's wall-clock time
    minutes: int

    @property
    def local_end(self) -> datetime:
        return self.local_start + timedelta(minutes=self.minutes)


def validate(wish: Wish, today: date) -> list[str]:
    """What is wrong with a wish as entered (empty when it can be kept)."""
    problems = []
    if wish.urgency not in URGENCIES:
        problems.append(f"Choose an urgency: {', '.join(URGENCIES)}.")
    if wish.until < today:
        problems.append("The 'until' date has passed.")
    if any(day not in range(7) for day in wish.weekdays):
        problems.append("Weekdays are 0 (Monday) to 6 (Sunday).")
    if wish.earliest and wish.latest and wish.latest <= wish.earliest:
        problems.append("The latest time must come after the earliest.")
    if wish.visit_minutes <= 0:
        problems.append("The visit needs a length.")
    return problems


def expired(wish: Wish, today: date) -> bool:
    """Past its 'until' date: the entry closes (it is no longer offered anything)."""
    return wish.until < today


def suits(wish: Wish, slot: FreedSlot, today: date) -> bool:
    """Whether ``slot`` is a visit this entry waits for: still wanted, in the future, with the practitioner
    asked for, long enough, on a day and at a time that suit the patient."""
    day = slot.local_start.date()
    if expired(wish, today) or day < today or day > wish.until:
        return False
    if wish.practitioner_id is not None and wish.practitioner_id != slot.practitioner_id:
        return False
    if wish.visit_minutes > slot.minutes:
        return False
    if wish.weekdays and slot.local_start.weekday() not in wish.weekdays:
        return False
    ends = slot.local_start + timedelta(minutes=wish.visit_minutes)
    if wish.earliest is not None and slot.local_start.time() < wish.earliest:
        return False
    return not (wish.latest is not None and (ends.date() != day or ends.time() > wish.latest))


def ranked_offers(wishes: Iterable[Wish], slot: FreedSlot, today: date,
                  *, exclude_patient: int | None = None) -> list[Wish]:
    """The entries ``slot`` suits, most urgent first, then longest waiting. ``exclude_patient``: whose
    visit freed the slot (they are not offered their own slot back)."""
    suited = [w for w in wishes if suits(w, slot, today) and w.patient_id != exclude_patient]
    return sorted(suited, key=lambda w: (URGENCIES.index(w.urgency), w.waiting_since, w.entry_id))
