"""Finding free slots: the bookings the slot finder needs, a patient's booking preferences, and the
first free slots for one visit.

The domain's slot finder (``domain/scheduling/slot_finding.py``) asks for the bookings of a window
of days at a time; :class:`DatabaseBusy` answers from the database, reading only those days and only
the bookings of the practitioners, rooms and patient that could clash (the appointments indexes on
``start_utc``), and remembers what it read. A 12-visit course reads about 12 windows of 5 days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from acudesk.domain import scheduling as engine
from acudesk.domain.errors import NotFoundError, ValidationError
from acudesk.domain.scheduling.preferences import BookingPreferences, parse_preferences
from acudesk.domain.scheduling.slot_finding import BusyIndex, SlotSearch, default_slot_rules
from acudesk.domain.scheduling.slot_finding import first_free_slots as find_first_free
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, BookingPreference, Patient, Room, User, UserRole, VisitType
from acudesk.services import audit
from acudesk.services.context import PRACTITIONER, Actor
from acudesk.services.permissions import Permission, require
from acudesk.services.scheduling import (
    ACTIVE_STATUSES,
    build_calendar,
    clinic_row,
    local_range_utc,
    visit_types,
    zone_of,
)

# How far back the rooms query looks from a time when the clinic has no visit types to tell.
LONGEST_BOOKING = timedelta(hours=4)


def longest_booking(tx: Session) -> timedelta:
    """The longest visit type with its changeover: no booking holds a room longer."""
    minutes = tx.scalar(select(func.max(VisitType.duration_minutes + VisitType.changeover_minutes)))
    return timedelta(minutes=minutes) if minutes else LONGEST_BOOKING


class DatabaseBusy:
    """A ``BusySource`` over the appointments table for one use case's transaction.

    ``bookings`` reads the practitioners', the patient's and the first room's bookings of the days
    asked for (each day once; rows kept by local day); ``rooms_taken`` asks which other rooms are held
    at one time, only when a visit may move room then."""

    def __init__(
        self, tx: Session, tz: ZoneInfo, practitioners: Iterable[int], rooms: Iterable[int], patient_id: int | None,
    ) -> None:
        self.tx, self.tz = tx, tz
        rooms = tuple(rooms)
        self.practitioners, self.patient_id = tuple(practitioners), patient_id
        self.room, self.other_rooms = rooms[:1], rooms[1:]
        self.read: set[date] = set()
        self.by_day: dict[date, dict[int, engine.Appointment]] = {}
        self.longest = longest_booking(tx)
        self.checked: set[tuple[datetime, object]] = set()
        self.queries = 0

    def _who(self) -> list[ColumnElement[bool]]:
        terms: list[ColumnElement[bool]] = [Appointment.practitioner_id.in_(self.practitioners)]
        if self.room:
            terms.append(Appointment.room_id.in_(self.room))
        if self.patient_id is not None:
            terms.append(Appointment.patient_id == self.patient_id)
        return terms

    def prefetch(self, windows: Sequence[tuple[date, date]]) -> None:
        """Read several windows of days in one query (the first look of every visit of a course)."""
        wanted = [(first, last) for first, last in windows if not self._covers(self.read, first, last)]
        if wanted:
            self._load(wanted, self.read, self._who())

    def bookings(self, first: date, last: date) -> Sequence[engine.Appointment]:
        if not self._covers(self.read, first, last):
            self._load([(first, last)], self.read, self._who())
        return self._between(first, last)

    def rooms_taken(self, start: datetime, until: datetime, rooms: Sequence[object]) -> set[object]:
        self.queries += 1
        rows = self.tx.execute(
            select(Appointment.room_id, Appointment.start_utc, Appointment.duration_minutes,
                   Appointment.changeover_minutes)
            .where(Appointment.room_id.in_(rooms), Appointment.start_utc < until,
                   Appointment.start_utc >= start - self.longest, Appointment.status.in_(ACTIVE_STATUSES))
        )
        return {row.room_id for row in rows
                if row.start_utc + timedelta(minutes=row.duration_minutes + (row.changeover_minutes or 0)) > start}

    def clashing_with(self, visits: Sequence[engine.Appointment]) -> list[engine.Appointment]:
        """The bookings that could clash with ``visits``: on a visit's day, of its practitioner, room or
        patient (opening hours never cross midnight). Reads what the search did not."""
        found: dict[int, engine.Appointment] = {}
        for visit in visits:
            day = visit.start.astimezone(self.tz).date()
            self.bookings(day, day)
            other_room = visit.room_id is not None and visit.room_id not in self.room
            if other_room and (visit.start, visit.room_id) not in self.checked:
                # Another room: only its bookings that can overlap this visit (its changeover included).
                self.checked.add((visit.start, visit.room_id))
                self._load([], set(), [and_(Appointment.room_id == visit.room_id,
                                            Appointment.start_utc >= visit.start - self.longest,
                                            Appointment.start_utc < visit.room_free_at)])
            for key, booking in self.by_day.get(day, {}).items():
                if (booking.practitioner_id == visit.practitioner_id or booking.patient_id == visit.patient_id
                        or (visit.room_id is not None and booking.room_id == visit.room_id)):
                    found[key] = booking
        return list(found.values())

    def _between(self, first: date, last: date) -> list[engine.Appointment]:
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        return [a for d in days for a in self.by_day.get(d, {}).values()]

    @staticmethod
    def _covers(read: set[date], first: date, last: date) -> bool:
        return all(first + timedelta(days=n) in read for n in range((last - first).days + 1))

    def _load(
        self, windows: Sequence[tuple[date, date]], read: set[date], who: Sequence[ColumnElement[bool]],
    ) -> None:
        """Read the bookings matching any of ``who`` in any of ``windows`` (no windows: ``who`` holds its
        own time range). Every term carries its time range, so each is one index range (practitioner,
        room or patient, then ``start_utc``): a 1M-appointment clinic reads only the rows it needs."""
        ranges = []
        for first, last in windows:
            begin, end = local_range_utc(first, last, self.tz)
            ranges.append(and_(Appointment.start_utc >= begin, Appointment.start_utc < end))
            read.update(first + timedelta(days=n) for n in range((last - first).days + 1))
        self.queries += 1
        rows = self.tx.execute(
            select(
                Appointment.id, Appointment.start_utc, Appointment.duration_minutes, Appointment.practitioner_id,
                Appointment.room_id, Appointment.patient_id, Appointment.changeover_minutes,
            ).where(or_(*(and_(t, r) for t in who for r in ranges)) if ranges else or_(*who),
                    Appointment.status.in_(ACTIVE_STATUSES))
        )
        for row in rows:
            start = row.start_utc.astimezone(self.tz)
            self.by_day.setdefault(start.date(), {}).setdefault(row.id, engine.Appointment(
                start, timedelta(minutes=row.duration_minutes), timedelta(minutes=row.changeover_minutes or 0),
                row.practitioner_id, row.room_id, row.patient_id, label="another booking",
            ))


@dataclass(frozen=True)
class Places:
    """Who and where a visit may go, with names for the explanations: the requested ones first."""

    practitioners: tuple[int, ...]
    rooms: tuple[int, ...]
    room_names: dict[object, str]
    practitioner_names: dict[object, str]


def places(tx: Session, practitioner_id: int, room_id: int | None, *, other_practitioners: bool) -> Places:
    """The requested practitioner (and every other active one when allowed), and every active room."""
    rooms = list(tx.execute(select(Room.id, Room.name).where(Room.active.is_(True)).order_by(Room.name)))
    query = select(User.id, User.display_name).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == PRACTITIONER, User.active.is_(True)
    )
    if not other_practitioners:
        query = query.where(User.id == practitioner_id)
    people = list(tx.execute(query.order_by(User.display_name)))
    room_names: dict[object, str] = {row.id: row.name for row in rooms}
    practitioner_names: dict[object, str] = {row.id: row.display_name for row in people}
    # No room asked for: the visit takes none (as before slot finding); else the others after it.
    room_ids = tuple(dict.fromkeys([room_id, *(r.id for r in rooms)])) if room_id is not None else ()
    people_ids = tuple(dict.fromkeys([practitioner_id, *(p.id for p in people)]))
    return Places(people_ids, room_ids, room_names, practitioner_names)


def stored_preferences(tx: Session, patient_id: int) -> BookingPreferences:
    text = tx.scalar(select(BookingPreference.preferences).where(BookingPreference.patient_id == patient_id))
    try:
        return parse_preferences(text or "")
    except ValidationError:  # saved text is always checked; a changed parser must not stop booking
        return BookingPreferences()


# -- a patient's booking preferences -----------------------------------------------------------------
def booking_preferences(database: Database, actor: Actor, patient_id: int) -> str:
    """The patient's preferred days and times as they were typed ("" when none)."""
    require(actor, Permission.VIEW_SCHEDULE)
    with database.read() as tx:
        text = tx.scalar(select(BookingPreference.preferences).where(BookingPreference.patient_id == patient_id))
        return text or ""


def set_booking_preferences(database: Database, actor: Actor, patient_id: int, text: str) -> str:
    """Save the patient's preferred days and times ("Tuesdays after 17:00"); returns them as the
    finder reads them. Empty text removes the preference."""
    require(actor, Permission.EDIT_SCHEDULE)
    if len(text) > 200:
        raise ValidationError("Preferences are at most 200 characters.", field="preferences")
    parsed = parse_preferences(text)
    with database.write() as tx:
        if tx.get(Patient, patient_id) is None:
            raise NotFoundError(f"There is no patient no. {patient_id}.")
        row = tx.scalar(select(BookingPreference).where(BookingPreference.patient_id == patient_id))
        if row is None:
            row = BookingPreference(patient_id=patient_id, preferences="")
            tx.add(row)
        row.preferences = " ".join(text.split())
        tx.flush()
        audit.record(tx, actor, "update", "booking_preferences", row.id, patient_id=patient_id,
                     detail={"fields": ["preferences"]})
    return str(parsed)


# -- the first free slots for one visit --------------------------------------------------------------
@dataclass(frozen=True)
class SlotQuery:
    """One visit to find a place for: who, which kind of visit, from when, and what suits the patient."""

    practitioner_id: int
    earliest: datetime  # local wall-clock time in the clinic's zone
    patient_id: int | None = None
    first_visit: bool = False
    room_id: int | None = None
    preferences: str | None = None  # None: the patient's stored preferences
    other_practitioners: bool = False
    limit: int = 5


@dataclass(frozen=True)
class FreeSlot:
    local_start: datetime
    local_end: datetime
    practitioner_id: int
    practitioner: str
    room_id: int | None
    room: str
    note: str  # "earliest free", "suits the patient: Tuesdays after 17:00"
    suits_preferences: bool


def first_free_slots(database: Database, actor: Actor, query: SlotQuery) -> list[FreeSlot]:
    """A short ranked list of free slots for one visit: slots that suit the patient first, earliest first."""
    require(actor, Permission.VIEW_SCHEDULE)
    with database.read() as tx:
        clinic = clinic_row(tx)
        tz = zone_of(clinic)
        types = visit_types(tx)
        visit_type = types.first if query.first_visit else types.follow_up
        where = places(tx, query.practitioner_id, query.room_id, other_practitioners=query.other_practitioners)
        if query.preferences is not None:
            preferences = parse_preferences(query.preferences)
        elif query.patient_id is not None:
            preferences = stored_preferences(tx, query.patient_id)
        else:
            preferences = BookingPreferences()
        rules = default_slot_rules()
        first = query.earliest.date()
        calendar = build_calendar(tx, clinic, first, first + timedelta(days=2 * rules.lookahead_days))
        busy = BusyIndex(DatabaseBusy(tx, tz, where.practitioners, where.rooms, query.patient_id), tz)
        earliest, _note = engine.localize(first, query.earliest.time(), tz)
        search = SlotSearch(calendar, busy, tz, where.practitioners, where.rooms, query.patient_id, preferences,
                            where.room_names, rules, earliest, where.practitioner_names)
        return [
            FreeSlot(
                choice.slot.start.replace(tzinfo=None), choice.slot.end.astimezone(tz).replace(tzinfo=None),
                int(choice.slot.practitioner_id),  # type: ignore[call-overload]
                where.practitioner_names.get(choice.slot.practitioner_id, ""),
                choice.slot.room_id,  # type: ignore[arg-type]
                where.room_names.get(choice.slot.room_id, "") if choice.slot.room_id is not None else "",
                choice.note, choice.suits_preferences,
            )
            for choice in find_first_free(search, visit_type, earliest, limit=max(1, min(query.limit, 20)))
        ]
