"""A realistic, deterministic demo clinic so a newcomer sees a living AcuDesk at once.

Three practitioners, a receptionist, two rooms, about 300 invented patients; most have an intake,
a treatment plan and a course of visits spanning the last two months and the next one, with
signed session records for the visits already done. The same seed and day give the same clinic.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from acudesk.domain import scheduling as engine
from acudesk.domain.patients import fold, phone_search_key
from acudesk.domain.scheduling import ClinicCalendar
from acudesk.persistence.database import Database
from acudesk.persistence.models import (
    AdverseEvent,
    Appointment,
    CoursePhase,
    Intake,
    OutcomeMeasurement,
    Patient,
    PlanPoint,
    PlanTechnique,
    SessionPoint,
    SessionRecord,
    TreatmentPlan,
    VisitType,
)
from acudesk.services import audit, scheduling
from acudesk.services.clinic import ClinicSetup, actor_from_user, add_user, create_clinic
from acudesk.services.context import PRACTITIONER, RECEPTIONIST, Actor
from acudesk.services.demo_intakes import demo_intake
from acudesk.services.demo_pain import add_demo_drawing, demo_marks
from acudesk.services.demo_people import FAMILY_NAMES, GIVEN_NAMES, GP_PRACTICES, STREETS, TOWNS
from acudesk.services.intakes import seal as intake_seal
from acudesk.services.sessions import seal as session_seal

DEMO_PASSWORD = "demo-password"
DEMO_SEED = 20261122
Progress = Callable[[int, str], None]

DEMO_SETUP = ClinicSetup(
    clinic_name="Riverside Acupuncture Clinic",
    country="GB",
    subdivision="ENG",
    timezone="Europe/London",
    admin_username="mchen",
    admin_display_name="Dr Mei Chen",
    admin_password=DEMO_PASSWORD,
    address="12 Riverside Walk, Ashford TN24 8AB",
    phone="01632 960000",
    email="hello@riverside-acupuncture.example",
    rooms=("Garden Room", "River Room"),
)

# (complaint, pattern offsets in days, points with sides, techniques)
LOW_BACK = (
    "Chronic low back pain",
    (("BL23", "bilateral"), ("BL25", "bilateral"), ("BL40", "bilateral"), ("GV3", "midline"),
     ("KI3", "bilateral"), ("Ashi", "bilateral")),
)
SCIATICA = (
    "Low back pain radiating to the left leg",
    (("BL23", "bilateral"), ("GB30", "left"), ("BL40", "left"), ("GB34", "left"), ("BL57", "left"),
     ("Ashi", "left")),
)
NECK = (
    "Neck and shoulder pain",
    (("GB20", "bilateral"), ("BL10", "bilateral"), ("SI3", "bilateral"), ("TE5", "bilateral"),
     ("Ashi", "bilateral")),
)
COURSE_PATTERN = "weekly x4, fortnightly x2, monthly x2"
COURSE_OFFSETS = (0, 7, 14, 21, 35, 49, 79, 109)


@dataclass
class _Slots:
    """Lays the demo's visits out by the rules a receptionist's booking meets.

    The clinic's calendar (opening hours, public holidays, closures, leave), built from the demo
    clinic's own rows by ``scheduling.build_calendar`` and judged by the domain's ``validate_series``,
    as every booking is; then no overlap for a practitioner, none for a room (its changeover
    included) and one visit a day per patient, which the database refuses too
    (persistence/visit_guards.py).
    """

    calendar: ClinicCalendar
    zone: ZoneInfo
    taken: dict[tuple[str, int], list[tuple[datetime, datetime]]] = field(default_factory=dict)

    def _free(self, key: tuple[str, int], start: datetime, end: datetime) -> bool:
        return all(end <= a or b <= start for a, b in self.taken.get(key, ()))

    def book(
        self, practitioner: int, rooms: list[int], day: date, hour: int, *, patient: int, kind: VisitType,
    ) -> tuple[datetime, int] | None:
        length = timedelta(minutes=kind.duration_minutes)
        changeover = timedelta(minutes=kind.changeover_minutes)
        for day_offset in range(0, 14):
            candidate = day + timedelta(days=day_offset)
            if self.calendar.closed_reason(candidate, practitioner) is not None:
                continue
            midnight = datetime.combine(candidate, time(0))
            if not self._free(("patient", patient), midnight, midnight + timedelta(days=1)):
                continue
            for h in [hour, *range(9, 17)]:
                start = datetime.combine(candidate, time(h))
                if not self._bookable(start, kind, practitioner):
                    continue
                if not self._free(("practitioner", practitioner), start, start + length):
                    continue
                for room in rooms:
                    if self._free(("room", room), start, start + length + changeover):
                        self.taken.setdefault(("practitioner", practitioner), []).append((start, start + length))
                        self.taken.setdefault(("room", room), []).append((start, start + length + changeover))
                        self.taken.setdefault(("patient", patient), []).append((midnight, midnight + timedelta(days=1)))
                        return start, room
        return None

    def _bookable(self, local_start: datetime, kind: VisitType, practitioner: int) -> bool:
        visit = engine.Appointment(
            start=local_start.replace(tzinfo=self.zone), duration=timedelta(minutes=kind.duration_minutes),
            changeover=timedelta(minutes=kind.changeover_minutes), practitioner_id=practitioner,
        )
        return not engine.validate_series([visit], [], self.calendar, self.zone)


def build_demo_clinic(
    database: Database, *, patients: int = 300, today: date | None = None, progress: Progress | None = None
) -> Actor:
    """Fill an empty, migrated database with the demo clinic; returns the administrator."""
    rng = random.Random(DEMO_SEED)
    report = progress or (lambda _percent, _text: None)
    report(2, "Setting up the clinic")
    signed_in = create_clinic(database, DEMO_SETUP)  # the demo signs in as its administrator
    zone = ZoneInfo(DEMO_SETUP.timezone)
    today = today or datetime.now(zone).date()
    with database.write() as tx:
        from sqlalchemy import select

        from acudesk.persistence.models import Room, User

        admin = tx.scalars(select(User).where(User.username == DEMO_SETUP.admin_username)).one()
        staff = [
            admin,
            add_user(tx, "ookafor", "Olu Okafor", (PRACTITIONER,), password=DEMO_PASSWORD),
            add_user(tx, "hsato", "Hana Sato", (PRACTITIONER,), password=DEMO_PASSWORD),
        ]
        add_user(tx, "jbrook", "Jess Brook", (RECEPTIONIST,), password=DEMO_PASSWORD)
        rooms = list(tx.scalars(select(Room.id)))
        visit_types = {v.code: v for v in tx.scalars(select(VisitType))}
        calendar = scheduling.build_calendar(
            tx, scheduling.clinic_row(tx), today - timedelta(days=100), today + timedelta(days=60)
        )
        slots = _Slots(calendar, zone)
        for number in range(patients):
            if number % 25 == 0:
                report(5 + int(90 * number / patients), f"Registering patients ({number}/{patients})")
            patient = _patient(rng, number, today)
            tx.add(patient)
            tx.flush()
            if number % 7 == 6:  # some patients only registered, no intake yet
                continue
            practitioner = staff[number % len(staff)]
            _clinical_history(tx, rng, patient, practitioner.id, rooms, visit_types, slots, today, zone)
        audit.record(tx, actor_from_user(admin), "demo-build", "clinic", detail={"patients": patients})
        report(100, "Demo clinic ready")
    return signed_in


def _patient(rng: random.Random, number: int, today: date) -> Patient:
    given = rng.choice(GIVEN_NAMES)
    family = rng.choice(FAMILY_NAMES)
    born = today - timedelta(days=rng.randrange(19 * 365, 84 * 365))
    phone = f"+447700{900000 + number:06d}"
    gp = GP_PRACTICES[number % len(GP_PRACTICES)]
    consent_day = today - timedelta(days=rng.randrange(1, 120))
    return Patient(
        family_name=family, given_name=given, date_of_birth=born,
        sex=rng.choice(("female", "male", "female", "male", "other")),
        phone=phone, email=f"{fold(given)}.{fold(family).replace(' ', '').replace(chr(39), '')}@example.org",
        address=f"{rng.randrange(1, 120)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}",
        gp_name=gp[0], gp_practice=gp[1], gp_address=gp[2], gp_phone="+44" + gp[3][1:].replace(" ", ""),
        emergency_contact_name=f"{rng.choice(GIVEN_NAMES)} {family}",
        emergency_contact_phone=f"+447700{900999 - number:06d}",
        consent_to_treatment=True, consent_date=consent_day, archived=number % 41 == 40,
        family_key=fold(family), given_key=fold(given), phone_key=phone_search_key(phone),
    )


def _clinical_history(
    tx: Session, rng: random.Random, patient: Patient, practitioner_id: int, rooms: list[int],
    visit_types: dict[str, VisitType], slots: _Slots, today: date, zone: ZoneInfo,
) -> None:
    start = today + timedelta(days=rng.randrange(-84, 10))
    complaint, points = rng.choice((LOW_BACK, LOW_BACK, SCIATICA, NECK))
    intake_answers, triage = demo_intake(rng, patient, complaint, start)
    at = datetime.combine(start - timedelta(days=1), time(12), zone).astimezone(UTC)
    intake = Intake(
        patient_id=patient.id, recorded_by_id=practitioner_id, recorded_at=at, answers=intake_answers,
        rules_version=triage.rules_version, triage_level=triage.level.name,
        triage_reasons=[r.as_json() for r in triage.reasons], status="draft",
    )
    tx.add(intake)
    tx.flush()
    # Signed as the intakes service signs: the draft's number first, then one sealing update.
    intake.status, intake.signed_at, intake.signed_by_id = "signed", at, practitioner_id
    intake.content_digest = intake_seal(intake)
    tx.flush()
    audit.record(tx, None, "sign", "intake", intake.id, patient_id=patient.id,
                 detail={"level": intake.triage_level, "seal": intake.content_digest, "demo": True})
    add_demo_drawing(tx, patient.id, practitioner_id, demo_marks(patient.id, complaint, later=False), at,
                     intake_id=intake.id)
    if triage.blocks_treatment:
        intake.referral_action = "Referred to the emergency department the same day; letter given."
        intake.referral_recorded_at = at
        return
    if triage.level.name == "REFER_BEFORE_TREATMENT":
        intake.referral_action = "Reviewed by the GP before the course: no serious cause found, cleared to treat."
        intake.referral_recorded_at = at
    baseline = rng.randrange(5, 9)
    plan = TreatmentPlan(
        patient_id=patient.id, intake_id=intake.id, practitioner_id=practitioner_id, complaint=complaint,
        goals="Reduce pain to 3/10 or less and return to normal daily activity.",
        course_pattern=COURSE_PATTERN, status="active", activated_at=at, baseline_nrs=baseline,
        points=[PlanPoint(point_code=code, side=side) for code, side in points],
        techniques=[PlanTechnique(technique="manual", parameters={"retention_minutes": 20})],
        phases=[
            CoursePhase(position=0, interval_unit="week", interval_count=1, visits=4),
            CoursePhase(position=1, interval_unit="week", interval_count=2, visits=2),
            CoursePhase(position=2, interval_unit="month", interval_count=1, visits=2),
        ],
    )
    tx.add(plan)
    tx.flush()
    nrs = baseline
    hour = rng.randrange(9, 17)
    for visit_number, offset in enumerate(COURSE_OFFSETS, start=1):
        day = start + timedelta(days=offset)
        if day > today + timedelta(days=31):
            break
        kind = visit_types["first" if visit_number == 1 else "follow_up"]
        booked = slots.book(practitioner_id, rooms, day, hour, patient=patient.id, kind=kind)
        if booked is None:
            continue
        local_start, room_id = booked
        start_utc = local_start.replace(tzinfo=zone).astimezone(UTC)
        appointment = Appointment(
            patient_id=patient.id, practitioner_id=practitioner_id, room_id=room_id, plan_id=plan.id,
            visit_type_id=kind.id, course_visit_number=visit_number, local_start=local_start,
            start_utc=start_utc, duration_minutes=kind.duration_minutes,
            changeover_minutes=kind.changeover_minutes, fee_minor=kind.fee_minor, status="booked",
            planned_local_start=local_start,
        )
        tx.add(appointment)
        if local_start.date() >= today:
            continue
        roll = rng.random()
        if roll < 0.05:
            appointment.status = "cancelled"
            appointment.cancel_reason = "Patient unwell"
            appointment.late_cancellation = rng.random() < 0.3
            continue
        if roll < 0.09:
            appointment.status = "no_show"
            continue
        appointment.status = "completed"
        appointment.arrived_at = start_utc - timedelta(minutes=rng.randrange(0, 10))
        appointment.completed_at = start_utc + timedelta(minutes=kind.duration_minutes)
        tx.flush()
        nrs = max(0, nrs - rng.choice((0, 1, 1, 2)))
        session_id = _session_record(tx, rng, patient, plan, appointment, practitioner_id, points, nrs, baseline)
        if visit_number == 4:  # the pain drawing again, a few visits on
            add_demo_drawing(tx, patient.id, practitioner_id, demo_marks(patient.id, complaint, later=True),
                             appointment.completed_at or start_utc, session_id=session_id)


def _session_record(
    tx: Session, rng: random.Random, patient: Patient, plan: TreatmentPlan, appointment: Appointment,
    practitioner_id: int, points: tuple[tuple[str, str], ...], nrs: int, baseline: int,
) -> int:
    needles = sum(2 if side == "bilateral" else 1 for _code, side in points)
    before = min(10, nrs + rng.choice((0, 1)))
    record = SessionRecord(
        patient_id=patient.id, appointment_id=appointment.id, plan_id=plan.id,
        practitioner_id=practitioner_id, session_at=appointment.start_utc, needles_in=needles,
        needles_out=needles, retention_minutes=rng.choice((20, 25, 30)), nrs_before=before,
        nrs_after=max(0, before - rng.choice((1, 2, 2, 3))),
        subjective=f"Pain {before}/10 this week; sleeping {'better' if before < baseline else 'poorly'}.",
        objective="Reduced lumbar flexion; tender paraspinals." if "back" in plan.complaint.lower()
        else "Reduced cervical rotation; tender upper trapezius.",
        assessment="Improving steadily." if before < baseline else "No change yet.",
        plan_note="Continue the course as planned.", status="draft",
        points=[SessionPoint(point_code=code, side=side, technique="manual") for code, side in points],
    )
    tx.add(record)
    tx.flush()
    # Signed as the sessions service signs: one update sets the signature and its seal.
    record.status, record.signed_at, record.signed_by_id = "signed", appointment.completed_at, practitioner_id
    record.content_digest = session_seal(record)
    tx.flush()
    audit.record(tx, None, "sign", "session_record", record.id, patient_id=patient.id,
                 detail={"seal": record.content_digest, "demo": True})
    tx.add(OutcomeMeasurement(
        patient_id=patient.id, session_id=record.id, measure="NRS", answers={"score": before},
        score=before, recorded_at=appointment.start_utc, recorded_by_id=practitioner_id,
    ))
    if rng.random() < 0.04:
        tx.add(AdverseEvent(
            patient_id=patient.id, session_id=record.id, kind=rng.choice(("bruising", "drowsiness")),
            severity="mild", description="Noted at needle removal.", action_taken="Advice given.",
            occurred_at=appointment.start_utc, recorded_by_id=practitioner_id,
            resolved_at=appointment.completed_at,
        ))
    return record.id
