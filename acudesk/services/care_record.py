"""Who assessed, planned and treated a patient, and over which days, as the clinical records show.

The care summary names these people, never whoever happens to print it: the signers of the patient's
intakes, the practitioners of their plans and of their signed sessions, and of the visits they came to
(checked in or completed) that have no session record. Its period runs from the first assessment,
session or attended visit to the last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from acudesk.domain.scheduling.clock import to_wall
from acudesk.persistence.models import Appointment, Intake, SessionRecord, TreatmentPlan, User
from acudesk.reports import model as m

ATTENDED = ("arrived", "completed")
# What each kind of record says a practitioner did: (one, several) with {n} for the count.
KINDS = {"intake": ("intake", "{n} intakes"), "plan": ("plan", "{n} plans"),
         "session": ("1 session", "{n} sessions"), "visit": ("1 visit", "{n} visits")}


@dataclass(frozen=True)
class CareRecord:
    treating: tuple[m.Practitioner, ...]  # in the order they first saw the patient
    latest_id: int | None  # who saw the patient last (assessment, session or visit)
    period: tuple[date, date] | None


def assessment_day(intake: Intake, zone: ZoneInfo) -> date:
    """The day the intake says the patient was assessed (its ``assessed_on`` answer), else the day it was
    recorded in the clinic's time zone."""
    answer = (intake.answers or {}).get("assessed_on")
    if isinstance(answer, date):
        return answer
    if isinstance(answer, str):
        try:
            return date.fromisoformat(answer)
        except ValueError:
            pass
    return to_wall(intake.recorded_at, zone).date()


def care_record(tx: Session, patient_id: int, zone: ZoneInfo) -> CareRecord:
    """The treating practitioners (with what they did) and the period of care of one patient."""
    events: list[tuple[datetime, int, str]] = []  # (clinic wall-clock time, user id, kind)
    days: list[date] = []
    for intake in tx.scalars(select(Intake).where(Intake.patient_id == patient_id, Intake.status == "signed")):
        day = assessment_day(intake, zone)
        days.append(day)
        if intake.signed_by_id is not None:
            events.append((to_wall(intake.recorded_at, zone), intake.signed_by_id, "intake"))
    for who, created in tx.execute(select(TreatmentPlan.practitioner_id, TreatmentPlan.created_at)
                                   .where(TreatmentPlan.patient_id == patient_id)):
        events.append((to_wall(created, zone), who, "plan"))
    seen_at_session: set[int] = set()
    for who, at, appointment_id in tx.execute(
        select(SessionRecord.practitioner_id, SessionRecord.session_at, SessionRecord.appointment_id)
        .where(SessionRecord.patient_id == patient_id, SessionRecord.status == "signed",
               SessionRecord.amends_id.is_(None))
    ):
        local = to_wall(at, zone)
        days.append(local.date())
        events.append((local, who, "session"))
        if appointment_id is not None:
            seen_at_session.add(appointment_id)
    for appointment_id, who, start in tx.execute(
        select(Appointment.id, Appointment.practitioner_id, Appointment.local_start)
        .where(Appointment.patient_id == patient_id, Appointment.status.in_(ATTENDED))
    ):
        if appointment_id not in seen_at_session:
            days.append(start.date())
            events.append((start, who, "visit"))
    events.sort(key=lambda event: (event[0], event[2]))
    order = list(dict.fromkeys(who for _when, who, _kind in events))
    users = {u.id: u for u in tx.scalars(select(User).where(User.id.in_(order)))} if order else {}
    treating = tuple(
        m.Practitioner(users[who].display_name, users[who].professional_registration,
                       _did([kind for _when, person, kind in events if person == who]))
        for who in order if who in users
    )
    clinical = [who for _when, who, kind in events if kind != "plan"]
    return CareRecord(treating, clinical[-1] if clinical else None, (min(days), max(days)) if days else None)


def _did(kinds: list[str]) -> str:
    """"intake, plan, 6 sessions": what one practitioner's records show, in the order of KINDS."""
    parts = []
    for kind, (one, several) in KINDS.items():
        n = kinds.count(kind)
        if n:
            parts.append(one if n == 1 else several.format(n=n))
    return ", ".join(parts)
