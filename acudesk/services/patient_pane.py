"""What the Patients tab shows beside the selected patient: the visits still booked and where the
patient's screening stands, in words each role may read.

The front desk books and reschedules, so it must know when treatment is on hold for a red flag
(a course booked then would be cancelled); it is told so, and who to ask, but never the triage
level or what was found: those are clinical records (docs/security.md). Practitioners see the level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from acudesk.domain import dates
from acudesk.domain.treatment_gate import ScreenedIntake, treatment_gate
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, Intake
from acudesk.services.calendar_data import CalendarEntry, entries_for_ids
from acudesk.services.context import Actor
from acudesk.services.permissions import Permission, allowed, require
from acudesk.services.scheduling import clinic_row, zone_of

UPCOMING_SHOWN = 5
LEVEL_NAMES = {
    "EMERGENCY": "emergency referral",
    "URGENT_REFERRAL": "urgent referral",
    "REFER_BEFORE_TREATMENT": "medical review before treatment",
    "CAUTION": "treat with caution",
    "CLEAR": "no red flags",
}


@dataclass(frozen=True)
class Screening:
    """The latest signed intake's date, whether a draft is open, whether treatment is on hold, and
    (for clinical roles only) the triage level."""

    signed_on: date | None
    draft_open: bool
    on_hold: bool
    level: str | None = None

    def words(self) -> str:
        if self.signed_on is None:
            started = "An intake was started but is not signed. " if self.draft_open else ""
            return f"{started}Not screened yet: a signed intake is needed before treatment."
        if self.on_hold:
            return ("Treatment on hold: a red flag needs medical review. Ask the practitioner before "
                    "booking a course.")
        level = f": {LEVEL_NAMES.get(self.level, self.level.lower())}" if self.level else ""
        return f"Screened on {dates.day(self.signed_on)}{level}."


@dataclass(frozen=True)
class PatientPane:
    upcoming: tuple[CalendarEntry, ...]  # the first UPCOMING_SHOWN visits still booked, in time order
    upcoming_total: int
    screening: Screening


def patient_pane(database: Database, actor: Actor, patient_id: int, *, now: datetime | None = None) -> PatientPane:
    require(actor, Permission.VIEW_PATIENTS)
    now = now or datetime.now(UTC)
    with database.read() as tx:
        booked = (Appointment.patient_id == patient_id, Appointment.status == "booked", Appointment.start_utc >= now)
        total = tx.scalar(select(func.count(Appointment.id)).where(*booked)) or 0
        first = list(tx.scalars(select(Appointment.id).where(*booked).order_by(Appointment.start_utc)
                                .limit(UPCOMING_SHOWN)))
        upcoming = tuple(entries_for_ids(tx, first)) if first else ()
        intakes = tx.execute(
            select(Intake.id, Intake.status, Intake.triage_level, Intake.signed_at, Intake.referral_action)
            .where(Intake.patient_id == patient_id)
        ).all()
        signed = [ScreenedIntake(r.id, r.triage_level, r.signed_at, r.referral_action or "")
                  for r in intakes if r.status == "signed"]
        latest = max(signed, key=lambda i: (i.signed_at, i.id), default=None)
        zone = zone_of(clinic_row(tx))
    screening = Screening(
        signed_on=latest.signed_at.astimezone(zone).date() if latest is not None else None,
        draft_open=any(r.status == "draft" for r in intakes),
        on_hold=bool(signed) and not treatment_gate(signed).allowed,
        level=latest.level if latest is not None and allowed(actor, Permission.VIEW_CLINICAL) else None,
    )
    return PatientPane(upcoming, total, screening)
