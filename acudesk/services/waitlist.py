"""The waitlist: add a patient, list who waits, offer a freed slot, book an offer, close an entry.

The rules (which entries a slot suits, the order of offers) are domain/waitlist.py. When a visit is
cancelled or moved, the calendar asks ``offers_for_slot`` for its old slot and shows the offers to the
receptionist; nothing is booked until they confirm one with ``book_offer`` (issue 14: "it never books
by itself"). An entry closes when the patient is booked from it, when staff close it (with a reason),
or, without a write, once its date has passed (it is shown as expired and offered nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from acudesk.domain import dates
from acudesk.domain.errors import NotFoundError, ValidationError
from acudesk.domain.patients import full_name
from acudesk.domain.waitlist import URGENCIES, FreedSlot, Wish, expired, ranked_offers, validate
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, Clinic, Patient, User, VisitType, WaitlistEntry, utcnow
from acudesk.services import audit, courses
from acudesk.services.context import Actor
from acudesk.services.locking import load_for_change
from acudesk.services.permissions import Permission, require
from acudesk.services.scheduling import ScheduleConflictError


@dataclass(frozen=True)
class WaitlistRequest:
    """What the receptionist enters for a patient who would take an earlier visit."""

    patient_id: int
    visit_type_id: int
    until: date
    practitioner_id: int | None = None  # None: any practitioner
    weekdays: frozenset[int] = frozenset()  # 0 = Monday … 6; empty: any day
    earliest: time | None = None
    latest: time | None = None
    urgency: str = "routine"
    note: str = ""


@dataclass(frozen=True)
class WaitlistItem:
    id: int
    patient_id: int
    patient_name: str
    practitioner: str  # "any practitioner" when none was asked for
    visit_type: str
    wish: str  # "Tue, Thu · after 17:00 · until 18 Dec 2026"
    urgency: str
    status: str  # waiting | booked | closed | expired
    waiting_since: datetime
    note: str
    version: int


@dataclass(frozen=True)
class WaitlistOffer:
    """An entry a freed slot suits, in the order the receptionist should call."""

    entry: WaitlistItem
    slot: FreedSlot
    room_id: int | None


def _today(tx: Session, now: datetime | None) -> date:
    zone = tx.scalar(select(Clinic.timezone).limit(1)) or "UTC"
    return (now or utcnow()).astimezone(ZoneInfo(zone)).date()


def _wish(entry: WaitlistEntry, minutes: int) -> Wish:
    return Wish(entry.id, entry.patient_id, entry.practitioner_id, minutes,
                frozenset(int(d) for d in entry.weekdays or ()), entry.earliest, entry.latest, entry.until,
                entry.urgency, entry.created_at)


def _booked_since(tx: Session, entries: Sequence[WaitlistEntry]) -> set[int]:
    """Entries whose patient was booked, by any means, after joining the waitlist: a visit with the
    practitioner asked for (or anyone) by the entry's date. They are no longer offered anything and show
    as booked (issue 14: "an entry closes when the patient is booked"), without a write."""
    waiting = [e for e in entries if e.status == "waiting"]
    if not waiting:
        return set()
    visits = tx.execute(
        select(Appointment.patient_id, Appointment.practitioner_id, Appointment.local_start, Appointment.created_at)
        .where(Appointment.patient_id.in_({e.patient_id for e in waiting}),
               Appointment.status.in_(("booked", "arrived", "completed")),
               Appointment.created_at >= min(e.created_at for e in waiting))).all()
    return {e.id for e in waiting for patient, practitioner, start, created in visits
            if patient == e.patient_id and created > e.created_at and start.date() <= e.until
            and e.practitioner_id in (None, practitioner)}


def _items(tx: Session, entries: Sequence[WaitlistEntry], today: date,
           booked: set[int] | None = None) -> list[WaitlistItem]:
    """``booked``: ``_booked_since`` of ``entries`` when the caller has it already."""
    patients = {p.id: p for p in tx.scalars(select(Patient).where(Patient.id.in_({e.patient_id for e in entries})))}
    users = dict(tx.execute(select(User.id, User.display_name)).tuples().all())
    kinds = {k.id: k for k in tx.scalars(select(VisitType))}
    booked = _booked_since(tx, entries) if booked is None else booked
    items = []
    for entry in entries:
        patient = patients[entry.patient_id]
        kind = kinds[entry.visit_type_id]
        status = "booked" if entry.id in booked else entry.status
        if status == "waiting" and expired(_wish(entry, 0), today):
            status = "expired"
        items.append(WaitlistItem(
            entry.id, entry.patient_id, full_name(patient.given_name, patient.family_name),
            users.get(entry.practitioner_id or 0, "any practitioner"), kind.name,
            _wish(entry, kind.duration_minutes).describe(), entry.urgency, status, entry.created_at, entry.note,
            entry.version))
    return items


def add_to_waitlist(database: Database, actor: Actor, request: WaitlistRequest, *,
                    now: datetime | None = None) -> WaitlistItem:
    require(actor, Permission.EDIT_SCHEDULE)
    with database.write() as tx:
        if tx.get(Patient, request.patient_id) is None:
            raise NotFoundError(f"There is no patient no. {request.patient_id}.")
        kind = tx.get(VisitType, request.visit_type_id)
        if kind is None:
            raise NotFoundError(f"There is no visit type no. {request.visit_type_id}.")
        if request.practitioner_id is not None and tx.get(User, request.practitioner_id) is None:
            raise NotFoundError(f"There is no practitioner no. {request.practitioner_id}.")
        entry = WaitlistEntry(
            patient_id=request.patient_id, practitioner_id=request.practitioner_id,
            visit_type_id=request.visit_type_id, weekdays=sorted(request.weekdays), earliest=request.earliest,
            latest=request.latest, until=request.until, urgency=request.urgency, note=request.note.strip(),
            added_by_id=actor.user_id, status="waiting")
        problems = validate(Wish(0, request.patient_id, request.practitioner_id, kind.duration_minutes,
                                 request.weekdays, request.earliest, request.latest, request.until,
                                 request.urgency, utcnow()), _today(tx, now))
        if problems:
            raise ValidationError(" ".join(problems), field="waitlist")
        tx.add(entry)
        tx.flush()
        audit.record(tx, actor, "create", "waitlist_entry", entry.id, patient_id=entry.patient_id,
                     detail={"urgency": entry.urgency})
        return _items(tx, [entry], _today(tx, now))[0]


def list_waitlist(database: Database, actor: Actor, *, patient_id: int | None = None, waiting_only: bool = True,
                  now: datetime | None = None) -> list[WaitlistItem]:
    """Entries, most urgent and longest waiting first (expired ones shown as such unless ``waiting_only``)."""
    require(actor, Permission.VIEW_SCHEDULE)
    query = select(WaitlistEntry).order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    if patient_id is not None:
        query = query.where(WaitlistEntry.patient_id == patient_id)
    if waiting_only:
        query = query.where(WaitlistEntry.status == "waiting")
    with database.read() as tx:
        today = _today(tx, now)
        items = _items(tx, list(tx.scalars(query)), today)
    if waiting_only:
        items = [item for item in items if item.status == "waiting"]
    return sorted(items, key=lambda i: (URGENCIES.index(i.urgency) if i.urgency in URGENCIES else len(URGENCIES),
                                        i.waiting_since))


def close_entry(database: Database, actor: Actor, entry_id: int, reason: str, *, expected_version: int) -> None:
    require(actor, Permission.EDIT_SCHEDULE)
    if not reason.strip():
        raise ValidationError("Say why the entry is closed (e.g. 'booked elsewhere', 'no longer needed').",
                              field="reason")
    with database.write() as tx:
        entry = load_for_change(tx, WaitlistEntry, entry_id, expected_version, what="waitlist entry")
        if entry.status != "waiting":
            raise ValidationError("This entry is no longer waiting.", field="waitlist")
        entry.status, entry.closed_at, entry.close_reason = "closed", utcnow(), reason.strip()[:200]
        audit.record(tx, actor, "close", "waitlist_entry", entry.id, patient_id=entry.patient_id)


def offers_for_slot(database: Database, actor: Actor, slot: FreedSlot, *, room_id: int | None = None,
                    freed_by_patient: int | None = None, now: datetime | None = None) -> list[WaitlistOffer]:
    """The waiting entries ``slot`` suits, in the order to offer it (domain/waitlist.py)."""
    require(actor, Permission.VIEW_SCHEDULE)
    with database.read() as tx:
        today = _today(tx, now)
        kinds = {k.id: k.duration_minutes for k in tx.scalars(select(VisitType))}
        waiting = list(tx.scalars(select(WaitlistEntry).where(WaitlistEntry.status == "waiting",
                                                              WaitlistEntry.until >= slot.local_start.date())))
        booked = _booked_since(tx, waiting)
        waiting = [e for e in waiting if e.id not in booked]  # none of these is booked: no second query below
        ranked = ranked_offers([_wish(e, kinds[e.visit_type_id]) for e in waiting], slot, today,
                               exclude_patient=freed_by_patient)
        by_id = {e.id: e for e in waiting}
        items = {i.id: i for i in _items(tx, [by_id[w.entry_id] for w in ranked], today, booked=set())}
    return [WaitlistOffer(items[w.entry_id], slot, room_id) for w in ranked]


def offers_after(database: Database, actor: Actor, appointment_id: int, freed_start: datetime, *,
                 now: datetime | None = None) -> list[WaitlistOffer]:
    """Offers for the slot ``appointment_id`` held at ``freed_start`` (local) before it was cancelled or moved."""
    require(actor, Permission.VIEW_SCHEDULE)
    with database.read() as tx:
        visit = tx.get(Appointment, appointment_id)
        if visit is None:
            raise NotFoundError(f"There is no visit no. {appointment_id}.")
        slot = FreedSlot(visit.practitioner_id, freed_start, visit.duration_minutes)
        room_id, patient_id = visit.room_id, visit.patient_id
    return offers_for_slot(database, actor, slot, room_id=room_id, freed_by_patient=patient_id, now=now)


def book_offer(database: Database, actor: Actor, offer: WaitlistOffer, *, now: datetime | None = None) -> int:
    """Book the offered slot for the entry's patient (staff confirmed it with them) and close the entry as
    booked. Refused, with nothing booked, when the slot was taken meanwhile. Returns the new visit's id."""
    require(actor, Permission.EDIT_SCHEDULE)
    with database.read() as tx:
        entry = tx.get(WaitlistEntry, offer.entry.id)
        if entry is None or entry.status != "waiting":
            raise ValidationError("This waitlist entry is no longer waiting.", field="waitlist")
        first = (tx.scalar(select(VisitType.code).where(VisitType.id == entry.visit_type_id)) == "first")
    request = courses.BookingRequest(entry.patient_id, offer.slot.practitioner_id, offer.room_id,
                                     offer.slot.local_start, "weekly x1", first_visit=first, preferences="")
    preview = courses.preview_course(database, actor, request, now=now)
    visit = preview.visits[0]
    if not preview.ok or visit.local_start != offer.slot.local_start or visit.practitioner_id not in (
            None, offer.slot.practitioner_id):
        raise ScheduleConflictError([f"the {dates.day_and_time(offer.slot.local_start)} slot is no longer free"])
    booked = courses.book_course(database, actor, preview.booking(), now=now)
    with database.write() as tx:
        entry = load_for_change(tx, WaitlistEntry, offer.entry.id, offer.entry.version, what="waitlist entry")
        entry.status, entry.closed_at, entry.booked_appointment_id = "booked", utcnow(), booked.appointment_ids[0]
        entry.close_reason = "booked from the waitlist"
        audit.record(tx, actor, "book", "waitlist_entry", entry.id, patient_id=entry.patient_id,
                     detail={"appointment": booked.appointment_ids[0]})
    return booked.appointment_ids[0]


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


@dataclass(frozen=True)
class WaitlistChoices:
    """What the "Add to waitlist" form offers: the practitioners and the visit types in use."""

    practitioners: tuple[Choice, ...]
    visit_types: tuple[Choice, ...]


def waitlist_choices(database: Database, actor: Actor) -> WaitlistChoices:
    require(actor, Permission.VIEW_SCHEDULE)
    from acudesk.persistence.models import UserRole

    with database.read() as tx:
        practitioners = tx.execute(
            select(User.id, User.display_name).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "practitioner", User.active.is_(True)).order_by(User.display_name)).all()
        kinds = tx.execute(select(VisitType.id, VisitType.name).where(VisitType.active.is_(True))
                           .order_by(VisitType.id)).all()
    return WaitlistChoices(tuple(Choice(i, n) for i, n in practitioners), tuple(Choice(i, n) for i, n in kinds))
