"""Find the best free slot near where a course's rhythm wants each visit, and say why in plain words.

For each visit the finder tries, in this order (docs/scheduling.md, "Finding slots"):

1. the ideal slot itself: the planned day, the requested time, room and practitioner;
2. when the patient has booking preferences ("Tuesdays after 17:00"), the nearest slot within the
   phase's tolerance that suits them;
3. the nearest free slot within the tolerance: the same practitioner before another one (only when
   others are allowed), then the nearest day (a later day before an earlier one at the same
   distance), then the nearest time that day, then the requested room before another free room;
4. nothing within the tolerance: the visit *drifts* to the nearest free slot beyond it, is flagged,
   and offers the next nearest options.

A visit is never on a closed day (public holiday, closure, closed weekday, the practitioner's
leave), never outside the opening hours, never on a taken slot, always on a later day than the visit
before it and at least the phase's minimum gap after it. Each visit is searched around its *own*
planned day, so a moved visit pushes the next one only when that one's whole window is too close.

Plain data: existing bookings come from a :class:`BusySource` (the services read them from the
database, one window of days at a time); tolerances come from ``resources/rules/slot_finding.toml``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from acudesk.domain import dates
from acudesk.domain.errors import ValidationError
from acudesk.domain.input_limits import check_calendar_day, load_rules_toml
from acudesk.domain.scheduling.calendar_rules import ClinicCalendar
from acudesk.domain.scheduling.clock import localize
from acudesk.domain.scheduling.conflicts import Appointment
from acudesk.domain.scheduling.course import Course, CourseRequest, ScheduledVisit, plan_visits
from acudesk.domain.scheduling.pattern import Interval, check_total
from acudesk.domain.scheduling.preferences import NO_PREFERENCES, BookingPreferences
from acudesk.domain.scheduling.visit_types import VisitType


# -- rules -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tolerance:
    """How far a visit of a phase may move (``days`` either way) and how close to the visit before."""

    unit: str
    up_to: int
    days: int
    min_gap_days: int


FALLBACK_TOLERANCE = Tolerance("week", 1, 1, 4)


@dataclass(frozen=True)
class SlotRules:
    tolerances: tuple[Tolerance, ...] = (FALLBACK_TOLERANCE,)
    step_minutes: int = 15
    options: int = 3
    lookahead_days: int = 31

    def for_interval(self, interval: Interval) -> Tolerance:
        """The first row of the interval's unit whose ``up_to`` covers it (the last row of the unit else)."""
        rows = [t for t in self.tolerances if t.unit == interval.unit]
        for row in rows:
            if interval.n <= row.up_to:
                return row
        return rows[-1] if rows else FALLBACK_TOLERANCE


def load_slot_rules(path: Path | None = None) -> SlotRules:
    """The tolerances and search limits from ``path`` (default: the bundled ``rules/slot_finding.toml``)."""
    if path is None:
        from acudesk.paths import resource

        path = resource("rules", "slot_finding.toml")
    data = load_rules_toml(path)  # no nan or inf
    try:
        rows = tuple(
            Tolerance(str(t["unit"]), int(t["up_to"]), int(t["days"]), int(t["min_gap_days"]))
            for t in data["tolerance"]
        )
        rules = SlotRules(rows, int(data.get("step_minutes", 15)), int(data.get("options", 3)),
                          int(data.get("lookahead_days", 31)))
    except (KeyError, TypeError, ValueError) as error:
        raise ValidationError(f"slot finding rules are incomplete or malformed ({error})", field="rules") from None
    if rules.step_minutes <= 0 or rules.lookahead_days <= 0 or any(t.days < 0 or t.min_gap_days < 1 for t in rows):
        raise ValidationError("slot finding rules need a positive step, look-ahead and gap", field="rules")
    return rules


@cache
def default_slot_rules() -> SlotRules:
    return load_slot_rules()


# -- busy calendars ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Slot:
    """A place a visit could go: aware ``start``/``end`` in the clinic zone, who and which room."""

    start: datetime
    end: datetime
    practitioner_id: object = None
    room_id: object = None


class BusySource(Protocol):
    """Existing active bookings that start on local days ``first``..``last``.

    ``bookings`` must hold every booking of the practitioners, the patient and the requested room;
    ``rooms_taken`` answers, only when a visit may move to another room at one time, which of ``rooms``
    are held (their changeover included) at some moment of ``start``..``until``."""

    def bookings(self, first: date, last: date) -> Sequence[Appointment]: ...

    def rooms_taken(self, start: datetime, until: datetime, rooms: Sequence[object]) -> set[object]: ...


@dataclass(frozen=True)
class ListedBookings:
    """A :class:`BusySource` over bookings already in memory (tests, the old engine's callers)."""

    items: Sequence[Appointment]
    tz: tzinfo

    def bookings(self, first: date, last: date) -> Sequence[Appointment]:
        return [a for a in self.items if first <= a.start.astimezone(self.tz).date() <= last]

    def rooms_taken(self, start: datetime, until: datetime, rooms: Sequence[object]) -> set[object]:
        return {a.room_id for a in self.items if a.room_id in rooms and a.start < until and start < a.room_free_at}


Span = tuple[datetime, datetime]  # aware start, end


class BusyIndex:
    """Existing bookings by practitioner, room and patient per local day, loaded window by window."""

    def __init__(self, source: BusySource, tz: tzinfo) -> None:
        self.source, self.tz = source, tz
        self.loaded: set[date] = set()
        self.taken_rooms: dict[tuple[datetime, datetime], set[object]] = {}
        self.seen: set[Appointment] = set()
        self.people: dict[tuple[object, date], list[Span]] = {}
        self.rooms: dict[tuple[object, date], list[Span]] = {}
        self.patient_days: set[tuple[object, date]] = set()

    def ensure(self, first: date, last: date) -> None:
        missing = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        missing = [d for d in missing if d not in self.loaded]
        if not missing:
            return
        # A day either side, so a session crossing midnight is seen from both of its days.
        for booking in self.source.bookings(missing[0] - timedelta(days=1), missing[-1] + timedelta(days=1)):
            self._add(booking)
        self.loaded.update(missing[0] + timedelta(days=n) for n in range((missing[-1] - missing[0]).days + 1))

    def rooms_taken(self, start: datetime, until: datetime, rooms: Sequence[object]) -> set[object]:
        """Which of the other ``rooms`` are held at some moment of ``start``..``until`` (asked once a time)."""
        key = (start, until)
        if key not in self.taken_rooms:
            self.taken_rooms[key] = set(self.source.rooms_taken(start, until, rooms))
        return self.taken_rooms[key]

    def _add(self, booking: Appointment) -> None:
        if booking in self.seen:
            return
        self.seen.add(booking)
        start, room_free = booking.start.astimezone(self.tz), booking.room_free_at.astimezone(self.tz)
        for day in {start.date(), room_free.date()}:
            if booking.practitioner_id is not None:
                self.people.setdefault((booking.practitioner_id, day), []).append((booking.start, booking.end))
            if booking.room_id is not None:
                self.rooms.setdefault((booking.room_id, day), []).append((booking.start, booking.room_free_at))
        if booking.patient_id is not None:
            self.patient_days.add((booking.patient_id, start.date()))

    def patient_booked(self, patient_id: object, day: date) -> bool:
        return patient_id is not None and (patient_id, day) in self.patient_days

    def why_taken(self, slot: Slot, changeover: timedelta) -> str | None:
        day = slot.start.date()
        if slot.practitioner_id is not None and any(
            slot.start < end and start < slot.end for start, end in self.people.get((slot.practitioner_id, day), ())
        ):
            return "practitioner busy"
        room_free = slot.end + changeover
        if slot.room_id is not None and any(
            slot.start < end and start < room_free for start, end in self.rooms.get((slot.room_id, day), ())
        ):
            return "room busy"
        return None


# -- the search --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SlotSearch:
    """Where a visit may go: the first practitioner and room are the ones asked for."""

    calendar: ClinicCalendar
    busy: BusyIndex
    tz: tzinfo
    practitioners: tuple[object, ...]
    rooms: tuple[object, ...] = ()
    patient_id: object = None
    preferences: BookingPreferences = NO_PREFERENCES
    room_names: Mapping[object, str] = field(default_factory=dict)
    rules: SlotRules = field(default_factory=default_slot_rules)
    earliest: datetime | None = None  # aware; no slot starts before it
    practitioner_names: Mapping[object, str] = field(default_factory=dict)

    def room_name(self, room: object) -> str:
        return self.room_names.get(room) or f"room {room}"

    def practitioner_name(self, practitioner: object) -> str:
        return self.practitioner_names.get(practitioner) or f"practitioner {practitioner}"

    def day_blocker(self, day: date, practitioner: object) -> str | None:
        """Why nothing can be booked on ``day`` with ``practitioner`` (closed, leave, patient booked)."""
        why = self.calendar.closed_reason(day, practitioner)
        if why is None and self.busy.patient_booked(self.patient_id, day):
            why = "the patient already has a visit that day"
        if why is None and self.earliest is not None and day < self.earliest.astimezone(self.tz).date():
            why = "in the past"
        return why

    def times(self, day: date, wanted: time | None, visit_type: VisitType) -> Iterator[tuple[datetime, str | None]]:
        """Start times on ``day`` inside the opening hours, nearest ``wanted`` first (later first on ties);
        worked out one by one, as the search asks for them."""
        step = self.rules.step_minutes
        length = int(visit_type.duration.total_seconds() // 60)
        minutes = {m for a, b in self.calendar.hours.spans.get(day.weekday(), ())
                   for m in range(a, b - length + 1, step)}
        if wanted is not None:
            minutes.add(wanted.hour * 60 + wanted.minute)
            target = wanted.hour * 60 + wanted.minute
            order = sorted(minutes, key=lambda m: (abs(m - target), m < target))
        else:
            order = sorted(minutes)
        for m in order:
            if m >= 24 * 60:
                continue
            start, note = localize(day, time(m // 60, m % 60), self.tz)
            end = start + visit_type.duration
            if not self.calendar.hours.fits(start, end.astimezone(self.tz)):
                continue
            if self.earliest is not None and start < self.earliest:
                continue
            yield start, note

    def free_on(
        self, day: date, wanted: time | None, visit_type: VisitType, practitioner: object, *, suiting: bool = False,
    ) -> Iterator[tuple[Slot, str | None]]:
        """Free slots on ``day`` for ``practitioner`` in rank order (time nearest ``wanted``, then room)."""
        if self.day_blocker(day, practitioner) is not None:
            return
        for start, note in self.times(day, wanted, visit_type):
            end = start + visit_type.duration
            if suiting and not self.preferences.suits(start, end):
                continue
            if self.busy.why_taken(Slot(start, end, practitioner, None), visit_type.changeover) is not None:
                continue  # the practitioner is busy: no room helps
            rooms = self.rooms or (None,)
            if self.busy.why_taken(Slot(start, end, practitioner, rooms[0]), visit_type.changeover) is None:
                yield Slot(start, end, practitioner, rooms[0]), note
            elif len(rooms) > 1:
                taken = self.busy.rooms_taken(start, end + visit_type.changeover, rooms[1:])
                for room in rooms[1:]:
                    if room not in taken:
                        yield Slot(start, end, practitioner, room), note


_BUSY_REASONS = {"practitioner busy": "Practitioner busy", "room busy": "Room busy"}
TOO_CLOSE = "Too close to the previous visit"


def _ideal_blocker(
    search: SlotSearch, slot: Slot, visit_type: VisitType, too_close: str | None
) -> tuple[str, str]:
    """Why the ideal slot cannot be used: a phrase for the explanation ("Mon 21 Dec is a holiday
    (Christmas Day)") and the short reason kept with a moved visit ("Christmas Day")."""
    day = slot.start.date()
    holiday = search.calendar.public_holidays.get(day)
    if holiday:
        return f"{dates.day(day, weekday=True)} is a holiday ({holiday})", holiday
    if too_close:
        return too_close, TOO_CLOSE
    closed = search.calendar.closed_reason(day, slot.practitioner_id)
    if closed is not None:
        if closed.startswith(("Clinic closed on", "Practitioner")):
            return f"{dates.day(day, weekday=True)}: {closed[0].lower()}{closed[1:]}", closed
        return f"{dates.day(day, weekday=True)}: the clinic is closed ({closed})", closed
    if search.busy.patient_booked(search.patient_id, day):
        return f"{dates.day(day, weekday=True)}: the patient already has a visit that day", "Patient already booked"
    if search.earliest is not None and slot.start < search.earliest:
        return f"{dates.day_and_time(slot.start)} has passed", "In the past"
    if not search.calendar.hours.fits(slot.start, slot.end.astimezone(search.tz)):
        outside = f"{dates.time_of(slot.start)} is outside the opening hours on {dates.day(day, weekday=True)}"
        return outside, "Outside opening hours that day"
    taken = search.busy.why_taken(slot, visit_type.changeover) or "taken"
    return f"{dates.day_and_time(slot.start)} taken ({taken})", _BUSY_REASONS.get(taken, "Slot taken")


def describe_slot(search: SlotSearch, slot: Slot, ideal: Slot) -> str:
    """``Tue 22 Dec 2026 15:00, Garden Room`` - only the parts that differ from the ideal slot, and the time."""
    parts = []
    if slot.start.date() != ideal.start.date():
        parts.append(f"{dates.day_and_time(slot.start)}")
    else:
        parts.append(f"{dates.time_of(slot.start)}")
    if slot.room_id is not None and slot.room_id != ideal.room_id:
        parts.append(search.room_name(slot.room_id))
    if slot.practitioner_id != ideal.practitioner_id:
        parts.append(f"with {search.practitioner_name(slot.practitioner_id)}")
    return ", ".join(parts)


@dataclass(frozen=True)
class Placement:
    """Where one visit goes, and why."""

    slot: Slot
    time_note: str | None
    explanation: str | None  # None when it is the ideal slot
    reason: str | None  # why its planned day could not be kept (None when the day was kept)
    drifted: bool = False
    options: tuple[Slot, ...] = ()


def _days_by_distance(centre: date, reach: int) -> list[tuple[int, date]]:
    """Days within ``reach`` of ``centre``, nearest first; a later day before an earlier one."""
    days = [(0, centre)]
    for n in range(1, reach + 1):
        days += [(n, centre + timedelta(days=n)), (n, centre - timedelta(days=n))]
    return days


def place_near(
    search: SlotSearch,
    ideal: Slot,
    visit_type: VisitType,
    tolerance: Tolerance,
    *,
    not_before: date | None = None,
    too_close: str | None = None,
) -> Placement:
    """The best free slot for a visit whose rhythm wants ``ideal`` (see the module's ranking).

    ``not_before`` is the first day the visit may take (after the visit before it, and its minimum
    gap); ``too_close`` says why the ideal day is before it ("too close to visit 2 (Tue 08 Dec)").
    """
    centre = ideal.start.date()
    wanted = ideal.start.time()
    rules = search.rules
    reach = max(tolerance.days, rules.lookahead_days)
    search.busy.ensure(centre - timedelta(days=tolerance.days), centre + timedelta(days=tolerance.days))
    allowed = [(n, d) for n, d in _days_by_distance(centre, tolerance.days) if not_before is None or d >= not_before]
    ideal_ok = (
        (not_before is None or centre >= not_before)
        and search.day_blocker(centre, ideal.practitioner_id) is None
        and search.calendar.hours.fits(ideal.start, ideal.end.astimezone(search.tz))
        and search.busy.why_taken(ideal, visit_type.changeover) is None
        and (search.earliest is None or ideal.start >= search.earliest)
    )
    if ideal_ok:
        _start, note = localize(centre, wanted.replace(tzinfo=None), search.tz)
        return Placement(ideal, note, None, None)
    why, reason = _ideal_blocker(search, ideal, visit_type, too_close if (not_before and centre < not_before) else None)

    def first_within(suiting: bool) -> tuple[Slot, str | None] | None:
        for practitioner in search.practitioners:
            for _n, day in allowed:
                for found in search.free_on(day, wanted, visit_type, practitioner, suiting=suiting):
                    return found
        return None

    best = first_within(True) if search.preferences.given else None
    suited = best is not None
    best = best or first_within(False)
    if best is not None:
        slot, note = best
        text = f"{why} → {describe_slot(search, slot, ideal)}"
        if suited:
            text += f" (suits the patient: {search.preferences})"
        return Placement(slot, note, text, reason if slot.start.date() != centre else None)

    # Nothing within the tolerance: the nearest slots beyond it, one per day.
    found: list[tuple[Slot, str | None]] = []
    read = tolerance.days
    for n, day in _days_by_distance(centre, reach):
        if n <= tolerance.days or (not_before is not None and day < not_before):
            continue
        if n > read:  # read a week further either side at a time
            read = min(reach, read + 7)
            search.busy.ensure(centre - timedelta(days=read), centre + timedelta(days=read))
        for practitioner in search.practitioners:
            hit = next(search.free_on(day, wanted, visit_type, practitioner), None)
            if hit is not None:
                found.append(hit)
                break
        if len(found) > rules.options:
            break
    if not found:
        raise ValidationError(
            f"no free slot within {reach} days of {dates.day(centre, weekday=True)} ({why})", field="start"
        )
    slot, note = found[0]
    shift = (slot.start.date() - centre).days
    direction = f"{shift} days later" if shift > 0 else f"{-shift} days earlier"
    text = (f"{why}; nothing free within ±{tolerance.days} day{'s' if tolerance.days != 1 else ''} "
            f"→ {describe_slot(search, slot, ideal)}, {direction} than the rhythm")
    return Placement(slot, note, text, reason, drifted=True, options=tuple(s for s, _ in found[1:]))


def find_course_slots(
    request: CourseRequest,
    calendar: ClinicCalendar,
    source: BusySource,
    *,
    rooms: Sequence[object] = (),
    practitioners: Sequence[object] = (),
    preferences: BookingPreferences = NO_PREFERENCES,
    room_names: Mapping[object, str] | None = None,
    practitioner_names: Mapping[object, str] | None = None,
    rules: SlotRules | None = None,
    earliest: datetime | None = None,
) -> Course:
    """Every visit of a new course, each on the best free slot near its planned day (nothing saved).

    ``rooms`` and ``practitioners`` are the others the finder may use, after the request's own (pass
    none to keep the request's room and practitioner); the rhythm uses planned days, so a visit moved
    does not move the ideal days of the visits after it.
    """
    check_total(request.pattern.total)
    check_calendar_day(request.start, "start")
    rules = rules or default_slot_rules()
    room_order = _ordered(request.room_id, rooms)
    people = _ordered(request.practitioner_id, practitioners) or (None,)
    search = SlotSearch(calendar, BusyIndex(source, request.tz), request.tz, people, room_order,
                        request.patient_id, preferences, dict(room_names or {}), rules, earliest,
                        dict(practitioner_names or {}))
    visits: list[ScheduledVisit] = []
    for index, (planned, phase) in enumerate(plan_visits(request.wall_start(), request.pattern, include_anchor=True)):
        visit_type = request.visit_type(index)
        start, _note = localize(planned.date(), planned.time(), request.tz)
        ideal = Slot(start, start + visit_type.duration, request.practitioner_id, request.room_id)
        tolerance = rules.for_interval(request.pattern.phases[phase].interval)
        not_before, too_close = planned.date(), None  # the first visit never before the day asked for
        if visits:
            before = visits[-1]
            not_before = before.day + timedelta(days=max(1, tolerance.min_gap_days))
            too_close = (f"{dates.day(planned, weekday=True)} is too close to visit {before.index + 1} "
                         f"({dates.day(before.day, weekday=True)}; "
                         f"at least {tolerance.min_gap_days} days apart)")
        try:
            placement = place_near(search, ideal, visit_type, tolerance, not_before=not_before, too_close=too_close)
        except ValidationError as error:  # say which visit found nothing
            raise ValidationError(f"visit {index + 1}: {error.message}", field="start") from None
        slot = placement.slot
        day = slot.start.date()
        visits.append(ScheduledVisit(
            index, phase, planned, slot.start, visit_type,
            moved_from=planned.date() if day != planned.date() else None, reason=placement.reason,
            time_note=placement.time_note, practitioner_id=slot.practitioner_id, room_id=slot.room_id,
            explanation=placement.explanation, drifted=placement.drifted, options=placement.options,
        ))
    return Course(request, request.pattern, tuple(visits))


def _ordered(first: object, others: Sequence[object]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(x for x in (first, *others) if x is not None))


def course_windows(request: CourseRequest, rules: SlotRules | None = None) -> list[tuple[date, date]]:
    """The days each visit's search looks at first (planned day ± tolerance), merged: what to read."""
    rules = rules or default_slot_rules()
    windows: list[tuple[date, date]] = []
    for planned, phase in plan_visits(request.wall_start(), request.pattern, include_anchor=True):
        reach = rules.for_interval(request.pattern.phases[phase].interval).days
        first, last = planned.date() - timedelta(days=reach + 1), planned.date() + timedelta(days=reach + 1)
        if windows and first <= windows[-1][1] + timedelta(days=1):
            windows[-1] = (windows[-1][0], max(last, windows[-1][1]))
        else:
            windows.append((first, last))
    return windows


# -- one visit: the first free slots -----------------------------------------------------------------
@dataclass(frozen=True)
class SlotChoice:
    slot: Slot
    suits_preferences: bool
    note: str  # "suits: Tuesdays after 17:00", "earliest free", "first free that day"


def first_free_slots(
    search: SlotSearch, visit_type: VisitType, earliest: datetime, *, limit: int = 5, days: int | None = None,
) -> list[SlotChoice]:
    """A short ranked list for one visit: the earliest free slot of each day from ``earliest``, days
    that suit the patient's preferences first, each day's own earliest suiting time; at most ``limit``."""
    first_day = earliest.astimezone(search.tz).date()
    horizon = days or search.rules.lookahead_days * 2
    suiting: list[SlotChoice] = []
    other: list[SlotChoice] = []
    loaded = first_day - timedelta(days=1)
    for offset in range(horizon):
        day = first_day + timedelta(days=offset)
        if day > loaded:
            loaded = day + timedelta(days=13)
            search.busy.ensure(day, loaded)
        for practitioner in search.practitioners:
            if search.preferences.given:
                hit = next(search.free_on(day, None, visit_type, practitioner, suiting=True), None)
                if hit is not None:
                    suiting.append(SlotChoice(hit[0], True, f"suits the patient: {search.preferences}"))
                    break
            if len(other) < limit:
                hit = next(search.free_on(day, None, visit_type, practitioner), None)
                if hit is not None:
                    note = f"does not suit: {search.preferences}" if search.preferences.given else "first free that day"
                    other.append(SlotChoice(hit[0], False, note))
                    break
        if len(suiting) >= limit or (not search.preferences.given and len(other) >= limit):
            break
    ranked = (suiting + other)[:limit]
    if ranked and not ranked[0].suits_preferences:
        ranked[0] = SlotChoice(ranked[0].slot, False, "earliest free")
    return ranked
