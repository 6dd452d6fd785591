"""What every scheduling use case shares: the clinic's calendar and the bookings it already holds.

The domain engine (``acudesk.domain.scheduling``) never reads the database. This module builds its
inputs from rows: the :class:`ClinicCalendar` (opening hours, public holidays, closures, leave),
the visit types, and the existing bookings of a date range as domain ``Appointment``s (one query).
Use cases live in ``courses`` (book and re-plan courses), ``appointments`` (edit one visit),
``calendar_data`` (day and week views) and ``scheduling_ics`` (calendar files for patients).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from acudesk.domain import dates
from acudesk.domain import scheduling as engine
from acudesk.domain.errors import AcuDeskError
from acudesk.persistence import visit_guards
from acudesk.persistence.models import Appointment, Clinic, Closure, VisitType
from acudesk.services.clinic import _clinic

# A booking holds its slot unless it was cancelled or the patient did not come (the database's
# rules count the same statuses: persistence/visit_guards.py).
ACTIVE_STATUSES = visit_guards.ACTIVE_STATUSES
FIRST_VISIT_CODE = "first"
FOLLOW_UP_CODE = "follow_up"


class ScheduleConflictError(AcuDeskError):
    """A series (or one visit) cannot be saved as it stands; ``conflicts`` lists every problem."""

    def __init__(self, conflicts: Sequence[str], *, intro: str = "Nothing was booked:") -> None:
        lines = "\n".join(f"• {text}" for text in conflicts)
        super().__init__(f"{intro}\n{lines}", field="start")
        self.conflicts = tuple(conflicts)


@contextmanager
def held_by_database(visit: str, local_start: datetime, *, intro: str = "Nothing was booked:") -> Iterator[None]:
    """Turn the database's refusal of a clashing visit into the booking's conflict message.

    The services check every rule before writing; the database's own rules (persistence/visit_guards.py)
    refuse only what changed in between, typically another workstation booking the same slot at the
    same moment. ``visit`` names the visit ("visit 3", "this visit") so the message says which one.
    """
    try:
        yield
    except IntegrityError as error:
        rule = visit_guards.broken_rule(error)
        if rule is None:
            raise
        raise ScheduleConflictError(
            [f"{visit} ({dates.day_and_time(local_start)}): {visit_guards.RULE_MESSAGES[rule]}. It was probably "
             "booked from another workstation a moment ago; look at the calendar again and choose another time"],
            intro=intro,
        ) from error


def clinic_row(tx: Session) -> Clinic:
    return _clinic(tx)


def zone_of(clinic: Clinic) -> ZoneInfo:
    return ZoneInfo(clinic.timezone)


def opening_hours(table: dict[str, object]) -> engine.OpeningHours:
    """``{"mon": [["09:00", "18:00"]], ...}`` (the clinic row's JSON) as domain opening hours."""
    text = {}
    for day, spans in (table or {}).items():
        parts = [f"{a}-{b}" for a, b in spans] if isinstance(spans, list) else [str(spans)]
        if parts:
            text[day] = ", ".join(parts)
    return engine.OpeningHours.parse(text)


def holiday_region(clinic: Clinic) -> str:
    return f"{clinic.country}-{clinic.subdivision}" if clinic.subdivision else clinic.country


def build_calendar(tx: Session, clinic: Clinic, first: date, last: date) -> engine.ClinicCalendar:
    """The clinic's calendar for ``first``..``last``: hours, holidays, closures and leave (one query)."""
    closures: list[engine.Closure] = []
    leave: list[engine.Leave] = []
    rows = tx.scalars(select(Closure).where(Closure.ends_on >= first, Closure.starts_on <= last))
    for row in rows:
        if row.user_id is None:
            closures.append(engine.Closure(row.starts_on, row.ends_on, row.reason or "Clinic closed"))
        else:
            leave.append(engine.Leave(row.user_id, row.starts_on, row.ends_on))
    return engine.ClinicCalendar(
        hours=opening_hours(clinic.opening_hours),
        public_holidays=engine.public_holidays(holiday_region(clinic)),
        closures=tuple(closures),
        leave=tuple(leave),
    )


@dataclass(frozen=True)
class VisitTypes:
    """The clinic's visit types as domain values, and their row ids by code."""

    first: engine.VisitType
    follow_up: engine.VisitType
    ids: dict[str, int]

    def id_of(self, visit_type: engine.VisitType) -> int | None:
        return self.ids.get(visit_type.code)


def _domain_type(row: VisitType) -> engine.VisitType:
    return engine.VisitType(
        row.code, row.name, timedelta(minutes=row.duration_minutes), timedelta(minutes=row.changeover_minutes),
        Decimal(row.fee_minor) / 100,
    )


def visit_types(tx: Session) -> VisitTypes:
    rows = {row.code: row for row in tx.scalars(select(VisitType).where(VisitType.active.is_(True)))}
    defaults = engine.default_visit_types()
    first = _domain_type(rows[FIRST_VISIT_CODE]) if FIRST_VISIT_CODE in rows else defaults["first_visit"]
    follow = _domain_type(rows[FOLLOW_UP_CODE]) if FOLLOW_UP_CODE in rows else defaults["follow_up"]
    return VisitTypes(first, follow, {code: row.id for code, row in rows.items()})


def to_utc(local: datetime, tz: ZoneInfo) -> tuple[datetime, datetime, str | None]:
    """Naive local wall time -> (booked local wall time, UTC instant, daylight-saving note)."""
    start, note = engine.localize(local.date(), local.time(), tz)
    return start.replace(tzinfo=None), start.astimezone(UTC), note


def local_range_utc(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants covering local days ``first``..``last`` inclusive."""
    begin = datetime.combine(first, time(0), tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(UTC)
    return begin, end


def existing_bookings(
    tx: Session,
    tz: ZoneInfo,
    first: date,
    last: date,
    *,
    exclude_ids: Iterable[int] = (),
) -> list[engine.Appointment]:
    """Active bookings touching local days ``first``..``last`` as domain appointments (one query).

    Cancelled and no-show visits free their slot. ``exclude_ids`` leaves out visits being changed.
    The range is widened by a day each side so sessions crossing midnight UTC are not missed.
    """
    begin, end = local_range_utc(first - timedelta(days=1), last + timedelta(days=1), tz)
    excluded = set(exclude_ids)
    rows = tx.execute(
        select(
            Appointment.id, Appointment.start_utc, Appointment.duration_minutes, Appointment.practitioner_id,
            Appointment.room_id, Appointment.patient_id, Appointment.changeover_minutes,
        )
        .where(
            and_(Appointment.start_utc >= begin, Appointment.start_utc < end),
            Appointment.status.in_(ACTIVE_STATUSES),
        )
    )
    return [
        engine.Appointment(
            row.start_utc.astimezone(tz), timedelta(minutes=row.duration_minutes),
            timedelta(minutes=row.changeover_minutes or 0), row.practitioner_id, row.room_id, row.patient_id,
            label="another booking",
        )
        for row in rows
        if row.id not in excluded
    ]


def in_past(start: datetime, now: datetime | None = None) -> bool:
    return start.astimezone(UTC) < (now or datetime.now(UTC))
