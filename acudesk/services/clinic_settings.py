"""Clinic settings, for administrators: the clinic's details and currency, opening hours per weekday,
rooms, visit types, closures and practitioners' leave (docs/scheduling.md, "Clinic settings").

Every operation needs "manage clinic settings" and writes one audit event naming ids and field
names (never a patient). Scheduling reads these rows on every booking (services/scheduling.py), and
each write's ``Changes`` marks the clinic tables, so the calendar and the booking dialogs reload.

Safety rules (where a change meets visits already booked):

- A room with visits booked from now on is not retired: the refusal says how many and when the first
  is; they are moved first (the calendar, "Show": that room). A retired room is kept (never deleted:
  past visits name it) and can be taken back into use.
- A closure or leave covering booked visits, and opening hours that leave booked visits outside
  them, are saved only once the administrator has seen those visits (``VisitsAffectedError`` lists
  how many and the first few; the call is repeated with ``affected_seen`` = that number). The
  visits are never moved or cancelled automatically: they stay on the calendar, on a day shown
  closed, for the front desk to move.
- The two visit types course booking uses (first visit, follow-up) cannot be retired, only changed.
- A closure removed is deleted with an audit event holding its dates and whose leave it was: a
  closure is a schedule setting, not a clinical record, and nothing else refers to its row.

Two administrators editing at once: the clinic row carries ``updated_at`` (its ``stamp``), rooms and
visit types are compared with the values the screen showed; a change in between is a
``ConflictError`` and nothing is saved. (``Database.write`` serialises writers, so the check and the
write see the same row.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from acudesk.domain import clinic_settings as rules
from acudesk.domain import dates
from acudesk.domain.errors import AcuDeskError, ConflictError, NotFoundError, ValidationError, ValidationErrors
from acudesk.domain.input_limits import check_calendar_day
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, Closure, Payment, Room, User, UserRole, VisitType
from acudesk.services import audit
from acudesk.services.clinic import ClinicInfo, _clinic, clinic_today
from acudesk.services.context import PRACTITIONER, Actor
from acudesk.services.permissions import Permission, require
from acudesk.services.scheduling import FIRST_VISIT_CODE, FOLLOW_UP_CODE, opening_hours

# Visits that still hold their time: booked, or the patient is here. (Completed ones are over.)
UPCOMING_STATUSES = ("booked", "arrived")
COURSE_VISIT_TYPES = (FIRST_VISIT_CODE, FOLLOW_UP_CODE)  # services/scheduling.visit_types books with these
SHOWN_VISITS = 5  # how many affected visits a message names
T = TypeVar("T")
STALE = "Someone else changed the clinic settings while you were working on them. Look again; yours were not saved."


@dataclass(frozen=True)
class RoomInfo:
    id: int
    name: str
    active: bool


@dataclass(frozen=True)
class VisitTypeInfo:
    id: int
    code: str
    name: str
    duration_minutes: int
    changeover_minutes: int
    fee_minor: int
    active: bool

    @property
    def used_by_course_booking(self) -> bool:
        return self.code in COURSE_VISIT_TYPES


@dataclass(frozen=True)
class VisitTypeDraft:
    """A visit type as typed: the fee as text (``"65.00"``) or Decimal, lengths in minutes."""

    name: str
    duration_minutes: int
    changeover_minutes: int
    fee: str
    code: str = ""  # new types only; made from the name when empty


@dataclass(frozen=True)
class ClosureInfo:
    id: int
    starts_on: date
    ends_on: date
    reason: str
    user_id: int | None  # None: the whole clinic; else that practitioner's leave
    who: str  # "Whole clinic" or the practitioner's name


@dataclass(frozen=True)
class ClosureDraft:
    starts_on: date
    ends_on: date
    reason: str
    user_id: int | None = None


@dataclass(frozen=True)
class ClinicDetails:
    name: str
    address: str
    phone: str
    email: str
    currency: str


@dataclass(frozen=True)
class ClinicSettings:
    """Everything the settings screen shows. ``stamp`` is the clinic row's version as shown."""

    clinic: ClinicInfo
    stamp: str
    rooms: tuple[RoomInfo, ...]
    visit_types: tuple[VisitTypeInfo, ...]
    closures: tuple[ClosureInfo, ...]  # those not over yet, soonest first
    practitioners: tuple[tuple[int, str], ...]  # (user id, name): whose leave may be recorded


@dataclass(frozen=True)
class AffectedVisits:
    """Booked visits a change leaves on a closed day or outside the hours: how many, and the first few."""

    appointment_ids: tuple[int, ...]
    first_starts: tuple[datetime, ...]  # clinic wall clock, soonest first, at most SHOWN_VISITS

    @property
    def count(self) -> int:
        return len(self.appointment_ids)

    def __bool__(self) -> bool:
        return bool(self.appointment_ids)

    def describe(self) -> str:
        """``"4 booked visits (Tue 8 Dec 2026 10:00, 11:00, Wed 9 Dec 2026 14:00, …)"``: the app's one date
        style, each day written once."""
        times, day = [], None
        for start in self.first_starts:
            same_day = start.date() == day
            times.append(f"{dates.time_of(start)}" if same_day else dates.day_and_time(start))
            day = start.date()
        more = ", …" if self.count > len(self.first_starts) else ""
        noun = "booked visit" if self.count == 1 else "booked visits"
        return f"{self.count} {noun} ({', '.join(times)}{more})"


NO_VISITS = AffectedVisits((), ())


class VisitsAffectedError(AcuDeskError):
    """The change would leave booked visits on a closed day or outside the hours; nothing was saved.
    Repeat the call with ``affected_seen=affected.count`` to save it all the same."""

    def __init__(self, message: str, affected: AffectedVisits, *, field: str) -> None:
        super().__init__(message, field=field)
        self.affected = affected


class CurrencyInUseError(AcuDeskError):
    """A currency change while visits with a fee or payments exist; repeat with ``priced_seen=count``."""

    def __init__(self, message: str, count: int) -> None:
        super().__init__(message, field="currency")
        self.count = count


@dataclass(frozen=True)
class SavedWithVisits:
    """A saved change and the booked visits it leaves for the front desk to move (none, usually)."""

    affected: AffectedVisits
    closure: ClosureInfo | None = None


# -- reading ----------------------------------------------------------------------------------------
def clinic_settings(database: Database, actor: Actor) -> ClinicSettings:
    require(actor, Permission.MANAGE_CLINIC)
    with database.read() as tx:
        clinic = _clinic(tx)
        info = ClinicInfo(clinic.id, clinic.name, clinic.address, clinic.phone, clinic.email, clinic.timezone,
                          clinic.country, clinic.subdivision, clinic.currency, dict(clinic.opening_hours or {}))
        rooms = tuple(RoomInfo(r.id, r.name, r.active) for r in tx.scalars(select(Room).order_by(Room.name)))
        kinds = tuple(_visit_type_info(v) for v in tx.scalars(select(VisitType).order_by(VisitType.id)))
        names = {row.id: row.display_name for row in tx.execute(select(User.id, User.display_name))}
        today = clinic_today(tx)
        closures = tuple(
            _closure_info(row, names)
            for row in tx.scalars(select(Closure).where(Closure.ends_on >= today)
                                  .order_by(Closure.starts_on, Closure.id))
        )
        practitioners = tuple((row.id, row.display_name) for row in tx.execute(
            select(User.id, User.display_name).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == PRACTITIONER, User.active.is_(True)).order_by(User.display_name)
        ))
        return ClinicSettings(info, _stamp(clinic.updated_at), rooms, kinds, closures, practitioners)


def supported_currencies() -> list[tuple[str, str]]:
    """(code, name) of the currencies the clinic may keep its fees in (not an operation: no data)."""
    return rules.supported_currencies()


# -- the clinic's details and hours -------------------------------------------------------------------
def update_clinic_details(database: Database, actor: Actor, details: ClinicDetails, *, stamp: str,
                          priced_seen: int | None = None) -> str:
    """Name, address, phone, e-mail and currency; the new ``stamp``. All problems are reported together.

    AcuDesk converts no amounts: after a currency change, receipts of visits booked before it and of
    payments recorded show their amounts in the new currency. While such records exist the change is
    refused (``CurrencyInUseError``, saying how many) until ``priced_seen`` repeats that number."""
    require(actor, Permission.MANAGE_CLINIC)
    errors: list[ValidationError] = []
    name = _collect(errors, lambda: rules.clean_name(details.name, "name", "clinic"))
    currency = _collect(errors, lambda: rules.check_currency(details.currency))
    email = details.email.strip()
    if email and ("@" not in email or " " in email or len(email) > 200):
        errors.append(ValidationError(f"'{email}' is not an e-mail address.", field="email"))
    phone = details.phone.strip()
    if len(phone) > 40:
        errors.append(ValidationError("The phone number is longer than 40 characters.", field="phone"))
    if errors:
        raise ValidationErrors(errors)
    with database.write() as tx:
        clinic = _clinic(tx)
        _check_stamp(clinic.updated_at, stamp)
        new = {"name": name, "address": details.address.strip(), "phone": phone, "email": email,
               "currency": currency}
        changed = sorted(key for key, value in new.items() if getattr(clinic, key) != value)
        if not changed:
            return stamp
        priced = _priced_records(tx) if "currency" in changed else 0
        if priced and priced_seen != priced:
            raise CurrencyInUseError(
                f"{priced} visits and payments are already recorded in {clinic.currency}. AcuDesk does not convert "
                f"amounts: their receipts would show the same numbers in {currency}.", priced)
        for key in changed:
            setattr(clinic, key, new[key])
        tx.flush()
        detail: dict[str, object] = {"fields": changed}
        if priced:
            detail["priced_records"] = priced
        audit.record(tx, actor, "update", "clinic", clinic.id, detail=detail)
        return _stamp(clinic.updated_at)


def set_opening_hours(
    database: Database, actor: Actor, hours: Mapping[str, str], *, stamp: str, affected_seen: int | None = None,
    now: datetime | None = None,
) -> SavedWithVisits:
    """Each weekday's spans as typed (``{"mon": "09:00-13:00, 14:00-18:00", "sun": ""}``; empty or
    missing: closed). Booked visits the new hours leave outside are not moved; they are listed
    (``VisitsAffectedError``) until ``affected_seen`` says how many the administrator saw."""
    require(actor, Permission.MANAGE_CLINIC)
    table = rules.parse_opening_hours(dict(hours))
    new_hours = opening_hours(dict(table))
    with database.write() as tx:
        clinic = _clinic(tx)
        _check_stamp(clinic.updated_at, stamp)
        before = clinic.opening_hours or {}
        changed_days = [day for day in rules.WEEKDAY_KEYS if before.get(day) != table.get(day)]
        if not changed_days:
            return SavedWithVisits(NO_VISITS)
        zone = ZoneInfo(clinic.timezone)

        def outside(start: datetime, minutes: int) -> bool:
            return not new_hours.fits(start, start + timedelta(minutes=minutes))

        affected = _upcoming_visits(tx, zone, outside, now)
        _require_seen(affected, affected_seen, "opening_hours",
                      f"The new hours leave {affected.describe()} outside them. They stay booked; "
                      "move them from the calendar.")
        clinic.opening_hours = table
        tx.flush()
        audit.record(tx, actor, "update", "clinic", clinic.id, detail={
            "fields": ["opening_hours"], "weekdays": changed_days, "visits_outside": list(affected.appointment_ids)})
        return SavedWithVisits(affected)


# -- rooms ------------------------------------------------------------------------------------------
def add_room(database: Database, actor: Actor, name: str) -> RoomInfo:
    require(actor, Permission.MANAGE_CLINIC)
    clean = rules.clean_name(name, "room", "room")
    with database.write() as tx:
        _require_unique_room(tx, clean, None)
        room = Room(name=clean, active=True)
        tx.add(room)
        tx.flush()
        audit.record(tx, actor, "create", "room", room.id, detail={"fields": ["name"]})
        return RoomInfo(room.id, room.name, room.active)


def rename_room(database: Database, actor: Actor, room_id: int, name: str, *, shown_name: str) -> RoomInfo:
    """Rename; ``shown_name`` is the name the screen showed (someone may have renamed it since)."""
    require(actor, Permission.MANAGE_CLINIC)
    clean = rules.clean_name(name, "room", "room")
    with database.write() as tx:
        room = _room(tx, room_id)
        if room.name != shown_name:
            raise ConflictError(STALE)
        if room.name == clean:
            return RoomInfo(room.id, room.name, room.active)
        _require_unique_room(tx, clean, room.id)
        room.name = clean
        tx.flush()
        audit.record(tx, actor, "update", "room", room.id, detail={"fields": ["name"]})
        return RoomInfo(room.id, room.name, room.active)


def set_room_in_use(database: Database, actor: Actor, room_id: int, in_use: bool,
                    *, now: datetime | None = None) -> RoomInfo:
    """Retire a room (it is no longer offered for booking; never deleted) or take it back into use.
    Retiring a room with visits booked from now on is refused, naming how many and the first."""
    require(actor, Permission.MANAGE_CLINIC)
    with database.write() as tx:
        room = _room(tx, room_id)
        if room.active == in_use:
            return RoomInfo(room.id, room.name, room.active)
        if not in_use:
            zone = ZoneInfo(_clinic(tx).timezone)
            booked = _upcoming_visits(tx, zone, lambda _start, _minutes: True, now,
                                      Appointment.room_id == room.id)
            if booked:
                raise ValidationError(
                    f"{room.name} has {booked.describe()}. Move them to another room first "
                    f"(Calendar, Show: {room.name}); then retire it.", field="room")
        room.active = in_use
        tx.flush()
        audit.record(tx, actor, "retire" if not in_use else "reactivate", "room", room.id,
                     detail={"fields": ["active"]})
        return RoomInfo(room.id, room.name, room.active)


# -- visit types ------------------------------------------------------------------------------------
def add_visit_type(database: Database, actor: Actor, draft: VisitTypeDraft) -> VisitTypeInfo:
    require(actor, Permission.MANAGE_CLINIC)
    name, duration, changeover, fee = _checked_visit_type(draft)
    code = _code(draft.code or name)
    with database.write() as tx:
        if tx.scalar(select(VisitType.id).where(VisitType.code == code)) is not None:
            raise ValidationError(f"There is a visit type with the code '{code}' already; choose another name.",
                                  field="name")
        _require_unique_visit_type_name(tx, name, None)
        row = VisitType(code=code, name=name, duration_minutes=duration, changeover_minutes=changeover,
                        fee_minor=fee, active=True)
        tx.add(row)
        tx.flush()
        audit.record(tx, actor, "create", "visit_type", row.id,
                     detail={"fields": ["name", "duration_minutes", "changeover_minutes", "fee_minor"]})
        return _visit_type_info(row)


def update_visit_type(database: Database, actor: Actor, visit_type_id: int, draft: VisitTypeDraft,
                      *, shown: VisitTypeInfo) -> VisitTypeInfo:
    """Change a visit type's name, length, changeover and fee. Visits already booked keep the length
    they were booked with; new bookings use the new one. ``shown``: the values the screen showed."""
    require(actor, Permission.MANAGE_CLINIC)
    name, duration, changeover, fee = _checked_visit_type(draft)
    with database.write() as tx:
        row = tx.get(VisitType, visit_type_id)
        if row is None:
            raise NotFoundError(f"There is no visit type no. {visit_type_id}.")
        if _visit_type_info(row) != shown:
            raise ConflictError(STALE)
        new = {"name": name, "duration_minutes": duration, "changeover_minutes": changeover, "fee_minor": fee}
        changed = sorted(key for key, value in new.items() if getattr(row, key) != value)
        if not changed:
            return shown
        if "name" in changed:
            _require_unique_visit_type_name(tx, name, row.id)
        for key in changed:
            setattr(row, key, new[key])
        tx.flush()
        audit.record(tx, actor, "update", "visit_type", row.id, detail={"fields": changed})
        return _visit_type_info(row)


def set_visit_type_in_use(database: Database, actor: Actor, visit_type_id: int, in_use: bool) -> VisitTypeInfo:
    """Retire a visit type (not offered for new bookings; visits booked with it keep it) or take it back."""
    require(actor, Permission.MANAGE_CLINIC)
    with database.write() as tx:
        row = tx.get(VisitType, visit_type_id)
        if row is None:
            raise NotFoundError(f"There is no visit type no. {visit_type_id}.")
        if row.active == in_use:
            return _visit_type_info(row)
        if not in_use and row.code in COURSE_VISIT_TYPES:
            raise ValidationError(f"Courses are booked with '{row.name}'; change its length or fee instead of "
                                  "retiring it.", field="visit_type")
        row.active = in_use
        tx.flush()
        audit.record(tx, actor, "retire" if not in_use else "reactivate", "visit_type", row.id,
                     detail={"fields": ["active"]})
        return _visit_type_info(row)


# -- closures and leave -----------------------------------------------------------------------------
def add_closure(database: Database, actor: Actor, draft: ClosureDraft, *, affected_seen: int | None = None,
                now: datetime | None = None) -> SavedWithVisits:
    """Close the clinic (``user_id`` None) or record a practitioner's leave, ``starts_on``..``ends_on``
    inclusive. Booked visits it covers are listed (``VisitsAffectedError``) until ``affected_seen``
    says how many the administrator saw; they stay booked, on a day the calendar shows closed."""
    require(actor, Permission.MANAGE_CLINIC)
    errors: list[ValidationError] = []
    for day, field in ((draft.starts_on, "starts_on"), (draft.ends_on, "ends_on")):
        try:
            check_calendar_day(day, field)
        except ValidationError as error:
            errors.append(error)
    if not errors and draft.ends_on < draft.starts_on:
        errors.append(ValidationError("The last day is before the first.", field="ends_on"))
    elif not errors and (draft.ends_on - draft.starts_on).days > 366:
        errors.append(ValidationError("A closure lasts at most a year; add another for longer.", field="ends_on"))
    reason = " ".join(draft.reason.split())
    if not reason:
        errors.append(ValidationError("Say why (it shows on the calendar).", field="reason"))
    elif len(reason) > 200:
        errors.append(ValidationError("The reason is longer than 200 characters.", field="reason"))
    if errors:
        raise ValidationErrors(errors)
    with database.write() as tx:
        who = "Whole clinic"
        if draft.user_id is not None:
            person = tx.get(User, draft.user_id)
            is_practitioner = tx.scalar(select(UserRole.id).where(UserRole.user_id == draft.user_id,
                                                                  UserRole.role == PRACTITIONER))
            if person is None or not person.active or is_practitioner is None:
                raise ValidationError("Choose an active practitioner.", field="who")
            who = person.display_name
        zone = ZoneInfo(_clinic(tx).timezone)
        first, last = draft.starts_on, draft.ends_on
        affected = _upcoming_visits(
            tx, zone, lambda start, _minutes: first <= start.date() <= last, now,
            *(() if draft.user_id is None else (Appointment.practitioner_id == draft.user_id,)),
        )
        what = "The closure" if draft.user_id is None else "The leave"
        _require_seen(affected, affected_seen, "starts_on",
                      f"{what} covers {affected.describe()}. They stay booked; move them from the calendar.")
        row = Closure(starts_on=first, ends_on=last, reason=reason, user_id=draft.user_id)
        tx.add(row)
        tx.flush()
        audit.record(tx, actor, "create", "closure", row.id, detail={
            "fields": ["starts_on", "ends_on", "reason", "user_id"], "starts_on": first.isoformat(),
            "ends_on": last.isoformat(), "user_id": draft.user_id,
            "visits_covered": list(affected.appointment_ids)})
        return SavedWithVisits(affected, ClosureInfo(row.id, first, last, reason, draft.user_id, who))


def remove_closure(database: Database, actor: Actor, closure_id: int) -> None:
    """Remove a closure or leave (the audit event keeps its dates and whose it was)."""
    require(actor, Permission.MANAGE_CLINIC)
    with database.write() as tx:
        row = tx.get(Closure, closure_id)
        if row is None:
            raise NotFoundError("This closure was removed already (by someone else?).")
        detail = {"starts_on": row.starts_on.isoformat(), "ends_on": row.ends_on.isoformat(), "user_id": row.user_id}
        tx.delete(row)
        tx.flush()
        audit.record(tx, actor, "delete", "closure", closure_id, detail=detail)


# -- internals --------------------------------------------------------------------------------------
def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _check_stamp(current: datetime, shown: str) -> None:
    if _stamp(current) != shown:
        raise ConflictError(STALE)


def _collect(errors: list[ValidationError], check: Callable[[], T]) -> T | None:
    try:
        return check()
    except ValidationError as error:
        errors.append(error)
        return None


def _room(tx: Session, room_id: int) -> Room:
    room = tx.get(Room, room_id)
    if room is None:
        raise NotFoundError(f"There is no room no. {room_id}.")
    return room


def _require_unique_room(tx: Session, name: str, other_than: int | None) -> None:
    clash = tx.scalar(select(Room).where(func.lower(Room.name) == name.lower()))
    if clash is not None and clash.id != other_than:
        retired = "" if clash.active else " (retired: take it back into use instead)"
        raise ValidationError(f"There is a room called '{clash.name}' already{retired}.", field="room")


def _require_unique_visit_type_name(tx: Session, name: str, other_than: int | None) -> None:
    clash = tx.scalar(select(VisitType).where(func.lower(VisitType.name) == name.lower()))
    if clash is not None and clash.id != other_than:
        raise ValidationError(f"There is a visit type called '{clash.name}' already.", field="name")


def _checked_visit_type(draft: VisitTypeDraft) -> tuple[str, int, int, int]:
    errors: list[ValidationError] = []
    name = _collect(errors, lambda: rules.clean_name(draft.name, "name", "visit type"))
    _collect(errors, lambda: rules.check_minutes(draft.duration_minutes, draft.changeover_minutes))
    fee = _collect(errors, lambda: rules.parse_fee(draft.fee))
    if errors or name is None or fee is None:
        raise ValidationErrors(errors)
    return name, draft.duration_minutes, draft.changeover_minutes, fee


def _code(text: str) -> str:
    """A visit type's code from its name: ``"Cupping (30 min)"`` -> ``cupping_30_min``."""
    code = "_".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())[:32].strip("_")
    if not code:
        raise ValidationError("Give the visit type a name with letters or digits.", field="name")
    return code


def _visit_type_info(row: VisitType) -> VisitTypeInfo:
    return VisitTypeInfo(row.id, row.code, row.name, row.duration_minutes, row.changeover_minutes, row.fee_minor,
                         row.active)


def _closure_info(row: Closure, names: Mapping[int, str]) -> ClosureInfo:
    who = "Whole clinic" if row.user_id is None else names.get(row.user_id, f"user no. {row.user_id}")
    return ClosureInfo(row.id, row.starts_on, row.ends_on, row.reason, row.user_id, who)


def _upcoming_visits(
    tx: Session, zone: ZoneInfo, matches: Callable[[datetime, int], bool], now: datetime | None,
    *where: ColumnElement[bool],
) -> AffectedVisits:
    """Visits still to happen (booked or arrived, not over at ``now``) for which ``matches(local start,
    minutes)`` holds, soonest first (one query)."""
    now = now or datetime.now(UTC)
    rows = tx.execute(
        select(Appointment.id, Appointment.start_utc, Appointment.duration_minutes)
        .where(Appointment.status.in_(UPCOMING_STATUSES), Appointment.start_utc >= now - timedelta(days=1), *where)
        .order_by(Appointment.start_utc, Appointment.id)
    )
    found: list[tuple[int, datetime]] = []
    for row in rows:
        if row.start_utc + timedelta(minutes=row.duration_minutes) <= now:
            continue
        local = row.start_utc.astimezone(zone)
        if matches(local, row.duration_minutes):
            found.append((row.id, local.replace(tzinfo=None)))
    return AffectedVisits(tuple(n for n, _ in found), tuple(start for _, start in found[:SHOWN_VISITS]))


def _priced_records(tx: Session) -> int:
    """Visits not cancelled that carry a fee, and payments: what receipts print amounts for."""
    visits = tx.scalar(select(func.count(Appointment.id)).where(
        Appointment.status.in_(("booked", "arrived", "completed")), Appointment.fee_minor > 0)) or 0
    return visits + (tx.scalar(select(func.count(Payment.id))) or 0)


def _require_seen(affected: AffectedVisits, seen: int | None, field: str, message: str) -> None:
    """Refuse (listing the visits) unless there are none or the administrator saw exactly these many."""
    if affected and seen != affected.count:
        raise VisitsAffectedError(message, affected, field=field)

