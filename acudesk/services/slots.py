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

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from acudesk.domain import scheduling as engine
from acudesk.domain.errors import NotFoundError, ValidationError
from acudesk.domain.scheduling.slot_finding import (
    BookingPreferences,
    BusyIndex,
    SlotSearch,
    default_slot_rules,
    parse_preferences,
)
from acudesk.domain.scheduling.slot_finding import first_free_slots as find_first_free
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, BookingPreference, Patient, Room, User, UserRole
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


class DatabaseBusy:
    """A ``BusySource`` over the appointments table for one use case's transaction."""

    def __init__(
        self, tx: Session, tz: ZoneInfo, practitioners: Iterable[int], rooms: Iterable[int], patient_id: int | None,
    ) -> None:
        self.tx, self.tz = tx, tz
        self.practitioners, self.rooms, self.patient_id = tuple(practitioners), tuple(rooms), patient_id
        self.read: set[date] = set()
        self.rows: dict[int, engine.Appointment] = {}
        self.queries = 0

    def _who(self):  # type: ignore[no-untyped-def]
        terms = []
        if self.practitioners:
            terms.append(Appointment.practitioner_id.in_(self.practitioners))
        if self.rooms:
            terms.append(Appointment.room_id.in_(self.rooms))
        if self.patient_id is not None:
            terms.append(Appointment.patient_id == self.patient_id)
        return or_(*terms)

    def prefetch(self, windows: Sequence[tuple[date, date]]) -> None:
        """Read several windows of days in one query (the first look of every visit of a course)."""
        wanted = [(first, last) for first, last in windows if not self._covers(first, last)]
        if wanted:
            self._load(wanted)

    def bookings(self, first: date, last: date) -> Sequence[engine.Appointment]:
        if not self._covers(first, last):
            self._load([(first, last)])
        begin, end = local_range_utc(first, last, self.tz)
        return [a for a in self.rows.values() if begin <= a.start < end]

    def appointments(self) -> list[engine.Appointment]:
        """Every booking read so far (what a validation of the course must see)."""
        return list(self.rows.values())

    def _covers(self, first: date, last: date) -> bool:
        return all(first + timedelta(days=n) in self.read for n in range((last - first).days + 1))

    def _load(self, windows: Sequence[tuple[date, date]]) -> None:
        ranges = []
        for first, last in windows:
            begin, end = local_range_utc(first - timedelta(days=1), last + timedelta(days=1), self.tz)
            ranges.append(and_(Appointment.start_utc >= begin, Appointment.start_utc < end))
            self.read.update(first + timedelta(days=n) for n in range((last - first).days + 1))
        self.queries += 1
        rows = self.tx.execute(
            select(
                Appointment.id, Appointment.start_utc, Appointment.duration_minutes, Appointment.practitioner_id,
                Appointment.room_id, Appointment.patient_id, Appointment.changeover_minutes,
            ).where(or_(*ranges), Appointment.status.in_(ACTIVE_STATUSES), self._who())
        )
        for row in rows:
            if row.id not in self.rows:
                self.rows[row.id] = engine.Appointment(
                    row.start_utc.astimezone(self.tz), timedelta(minutes=row.duration_minutes),
                    timedelta(minutes=row.changeover_minutes or 0), row.practitioner_id, row.room_id,
                    row.patient_id, label="another booking",
                )


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
    room_ids = tuple(dict.fromkeys([*([room_id] if room_id is not None else []), *(r.id for r in rooms)]))
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
