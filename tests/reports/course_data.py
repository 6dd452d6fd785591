"""A small, deterministic clinic story for document tests: one patient, an intake, a plan, a course.

Written through the ORM (the clinical services are not all there yet); session records are inserted
as drafts with their points and then signed, as the database's triggers require.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from acudesk.domain.patients import fold
from acudesk.persistence.database import Database
from acudesk.persistence.models import (
    AdverseEvent,
    Appointment,
    Intake,
    OutcomeMeasurement,
    Patient,
    Payment,
    PlanPoint,
    PlanTechnique,
    SessionPoint,
    SessionRecord,
    TreatmentPlan,
    User,
    VisitType,
)
from acudesk.services import audit, intakes
from acudesk.services import sessions as sessions_service

ZONE = ZoneInfo("Europe/London")
POINTS = (("BL23", "bilateral"), ("GB30", "left"), ("BL40", "left"), ("GV3", "midline"), ("KI3", "bilateral"),
          ("Ashi", "bilateral"))
CLEAR_REASONS: list[dict[str, str]] = []
EMERGENCY_REASONS = [{"rule": "RF-CES-04", "text": "Saddle, perianal or genital numbness: suspected cauda equina "
                      "syndrome.", "source": "BASS 2018; ACP/APS 2007", "level": "EMERGENCY",
                      "category": "Cauda equina"}]


@dataclass(frozen=True)
class Course:
    patient_id: int
    first_session: date
    future_visits: tuple[datetime, ...]
    appointment_ids: tuple[int, ...]


def build_course(
    database: Database, *, sessions: int = 6, level: str = "CLEAR", given: str = "Ada", family: str = "Lovelace",
    future: int = 3, start: date | None = None,
) -> Course:
    """A patient with ``sessions`` signed weekly sessions ending last week and ``future`` booked visits."""
    today = datetime.now(ZONE).date()
    first = start or today - timedelta(days=7 * sessions)
    with database.write() as session:
        user = session.scalars(select(User).order_by(User.id)).first()
        assert user is not None
        user.professional_registration = "BAcC 12345"
        kinds = {v.code: v for v in session.scalars(select(VisitType))}
        patient = Patient(
            family_name=family, given_name=given, date_of_birth=date(1968, 4, 12), sex="female",
            phone="+447700900123", address="3 Mill Lane, Ashford", gp_name="Dr Priya Shah",
            gp_practice="Ashford Green Surgery", gp_address="1 Green Street\nAshford TN23 1AA",
            gp_phone="+441632960111", consent_to_treatment=True, family_key=fold(family), given_key=fold(given),
            phone_key="7700900123",
        )
        session.add(patient)
        session.flush()
        answers = {"age": 57, "pain_lower_back": True, "leg_radiation": "one_leg", "pain_nrs": 7,
                   "pain_duration_weeks": 26, "saddle_numbness": level == "EMERGENCY"}
        recorded = datetime.combine(first - timedelta(days=1), time(12), ZONE).astimezone(UTC)
        intake = Intake(
            patient_id=patient.id, recorded_by_id=user.id, recorded_at=recorded, answers=answers,
            rules_version="triage 2025.1", triage_level=level,
            triage_reasons=EMERGENCY_REASONS if level == "EMERGENCY" else CLEAR_REASONS, status="draft",
        )
        session.add(intake)
        session.flush()
        # Signed and sealed as the intakes service does, so 'acudesk check' finds the record as signed.
        intake.status, intake.signed_at, intake.signed_by_id = "signed", recorded, user.id
        intake.content_digest = intakes.seal(intake)
        session.flush()
        audit.record(session, None, "sign", "intake", intake.id, patient_id=patient.id,
                     detail={"seal": intake.content_digest})
        plan = TreatmentPlan(
            patient_id=patient.id, practitioner_id=user.id, complaint="Low back pain radiating to the left leg",
            goals="Pain 3/10 or less; walk the dog again.", course_pattern="weekly x4, fortnightly x2",
            status="active", baseline_nrs=7,
            points=[PlanPoint(point_code=c, side=s) for c, s in POINTS],
            techniques=[PlanTechnique(technique="manual", parameters={"retention_minutes": 20})],
        )
        session.add(plan)
        session.flush()
        appointment_ids = []
        for number in range(sessions):
            local = datetime.combine(first + timedelta(days=7 * number), time(10, 30))
            kind = kinds["first" if number == 0 else "follow_up"]
            utc = local.replace(tzinfo=ZONE).astimezone(UTC)
            appointment = Appointment(
                patient_id=patient.id, practitioner_id=user.id, plan_id=plan.id, visit_type_id=kind.id,
                course_visit_number=number + 1, local_start=local, start_utc=utc,
                duration_minutes=kind.duration_minutes, status="completed")
            session.add(appointment)
            session.flush()
            appointment_ids.append(appointment.id)
            before = max(1, 7 - number // 2)
            record = SessionRecord(
                patient_id=patient.id, appointment_id=appointment.id, plan_id=plan.id, practitioner_id=user.id,
                session_at=utc, needles_in=9, needles_out=9, retention_minutes=20, nrs_before=before,
                nrs_after=max(0, before - 2), assessment=f"Session {number + 1}: steady progress.",
                status="draft", points=[SessionPoint(point_code=c, side=s) for c, s in POINTS],
            )
            session.add(record)
            session.flush()
            record.status, record.signed_at, record.signed_by_id = "signed", utc, user.id
            record.content_digest = sessions_service.seal(record)
            session.flush()
            audit.record(session, None, "sign", "session_record", record.id, patient_id=patient.id,
                         detail={"seal": record.content_digest})
            session.add(OutcomeMeasurement(patient_id=patient.id, session_id=record.id, measure="NRS", score=before,
                                           recorded_at=utc, recorded_by_id=user.id))
            if number % 2 == 0:
                session.add(Payment(patient_id=patient.id, appointment_id=appointment.id,
                                    amount_minor=kind.fee_minor, method="card", paid_at=utc, recorded_by_id=user.id))
            if number == 1:
                session.add(AdverseEvent(patient_id=patient.id, session_id=record.id, kind="bruising",
                                         severity="mild", description="Small bruise at BL40.",
                                         action_taken="Advice given.", occurred_at=utc, recorded_by_id=user.id,
                                         resolved_at=utc))
        if sessions:
            session.add(OutcomeMeasurement(patient_id=patient.id, measure="RMDQ", score=9, band="",
                                           recorded_at=datetime.combine(first, time(11), ZONE).astimezone(UTC),
                                           recorded_by_id=user.id))
        future_visits = []
        for number in range(future):
            local = datetime.combine(today + timedelta(days=7 * (number + 1)), time(14, 15))
            kind = kinds["follow_up"]
            session.add(Appointment(
                patient_id=patient.id, practitioner_id=user.id, plan_id=plan.id, visit_type_id=kind.id,
                course_visit_number=sessions + number + 1, local_start=local,
                start_utc=local.replace(tzinfo=ZONE).astimezone(UTC), duration_minutes=kind.duration_minutes,
                status="booked"))
            future_visits.append(local)
        return Course(patient.id, first, tuple(future_visits), tuple(appointment_ids))
