"""Printed documents' data: each document's content gathered in one read transaction.

Handouts, receipts and the day list need ``PRINT_HANDOUTS``; the care summary and the referral letter
need ``VIEW_CLINICAL``. Reports receive plain dataclasses (``acudesk.reports.model``); no ORM object
leaves this module. Rendering, writing the file and recording the export are
:mod:`acudesk.services.document_export`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, selectinload

from acudesk.domain.acupoint_files import load_catalogue
from acudesk.domain.errors import NotFoundError
from acudesk.domain.input_limits import check_calendar_day
from acudesk.domain.outcomes import change_rule, load_outcome_config
from acudesk.domain.patients import display_phone, full_name
from acudesk.domain.scheduling.clock import to_wall
from acudesk.domain.triage import stored_destination
from acudesk.persistence.database import Database
from acudesk.persistence.models import (
    AdverseEvent,
    Appointment,
    Clinic,
    Intake,
    OutcomeMeasurement,
    Patient,
    Payment,
    Room,
    SessionRecord,
    TreatmentPlan,
    User,
    VisitType,
)
from acudesk.reports import model as m
from acudesk.reports.findings import finding_sentences
from acudesk.reports.referral import REFERRAL_LEVELS, ReferralNotNeededError
from acudesk.services import pain_drawings
from acudesk.services.care_record import assessment_day, care_record
from acudesk.services.context import Actor
from acudesk.services.intakes import referral_log
from acudesk.services.outcomes import not_corrected_since
from acudesk.services.permissions import Permission, require
from acudesk.services.sessions import is_current_version

UPCOMING = ("booked", "arrived")
CHARGED = ("arrived", "completed")


# ----------------------------------------------------------------------------------------- helpers


def _clinic(tx: Session) -> tuple[m.ClinicDetails, ZoneInfo, str]:
    clinic = tx.scalar(select(Clinic).order_by(Clinic.id).limit(1))
    if clinic is None:
        raise NotFoundError("This database has no clinic yet; run the first-time set-up.")
    details = m.ClinicDetails(clinic.name, clinic.address, display_phone(clinic.phone, clinic.country) or clinic.phone,
                              clinic.email, clinic.currency)
    return details, ZoneInfo(clinic.timezone), clinic.country


def _patient(tx: Session, patient_id: int, country: str) -> m.PatientDetails:
    patient = tx.get(Patient, patient_id)
    if patient is None:
        raise NotFoundError(f"There is no patient no. {patient_id}.")
    return m.PatientDetails(
        id=patient.id, name=full_name(patient.given_name, patient.family_name), date_of_birth=patient.date_of_birth,
        address=patient.address, phone=display_phone(patient.phone, country), gp_name=patient.gp_name,
        gp_practice=patient.gp_practice, gp_address=patient.gp_address,
        gp_phone=display_phone(patient.gp_phone, country),
    )


def _clinic_and_patient(tx: Session, patient_id: int) -> tuple[m.ClinicDetails, ZoneInfo, m.PatientDetails]:
    """What every patient's document starts with: the clinic, its time zone and the patient."""
    clinic, zone, country = _clinic(tx)
    return clinic, zone, _patient(tx, patient_id, country)


def _practitioner(tx: Session, user_id: int | None) -> m.Practitioner | None:
    user = tx.get(User, user_id) if user_id else None
    return m.Practitioner(user.display_name, user.professional_registration) if user else None


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _clinic_now(zone: ZoneInfo, now: datetime | None) -> datetime:
    """The clinic's wall-clock time: a paper is printed on the clinic's day, wherever the computer's clock
    is set. ``now`` (aware) stands in for the present, for tests and for a reprint's reproducible file."""
    return to_wall(now or datetime.now(UTC), zone)


def _latest_plan(tx: Session, patient_id: int) -> TreatmentPlan | None:
    plans = list(tx.scalars(
        select(TreatmentPlan).where(TreatmentPlan.patient_id == patient_id)
        .options(selectinload(TreatmentPlan.points), selectinload(TreatmentPlan.techniques))
        .order_by(TreatmentPlan.id.desc())
    ))
    return next((plan for plan in plans if plan.status == "active"), plans[0] if plans else None)


def _plan_points(plan: TreatmentPlan | None) -> tuple[m.PlanPointLine, ...]:
    if plan is None:
        return ()
    catalogue = load_catalogue()
    lines = []
    for row in plan.points:
        point = catalogue.get(row.point_code)
        if point is None:
            lines.append(m.PlanPointLine(row.point_code, "", "", "", row.side, "", row.note))
        else:
            lines.append(m.PlanPointLine(point.code, point.pinyin, point.hanzi, point.english, row.side,
                                         point.location, row.note))
    return tuple(lines)


def _upcoming_visits(tx: Session, patient_id: int, now_local: datetime) -> tuple[m.Visit, ...]:
    rows = tx.execute(
        select(Appointment.local_start, Appointment.duration_minutes, VisitType.name, User.display_name, Room.name,
               Appointment.status)
        .join(User, User.id == Appointment.practitioner_id)
        .outerjoin(VisitType, VisitType.id == Appointment.visit_type_id)
        .outerjoin(Room, Room.id == Appointment.room_id)
        .where(Appointment.patient_id == patient_id, Appointment.status.in_(UPCOMING),
               Appointment.local_start >= now_local)
        .order_by(Appointment.local_start)
    )
    return tuple(m.Visit(start, minutes, kind or "Appointment", who, room or "", status)
                 for start, minutes, kind, who, room, status in rows)


def _latest_intake(tx: Session, patient_id: int) -> Intake | None:
    return tx.scalar(select(Intake).where(Intake.patient_id == patient_id)
                          .order_by(Intake.recorded_at.desc(), Intake.id.desc()).limit(1))


def _intake_summary(tx: Session, intake: Intake, zone: ZoneInfo) -> m.IntakeSummary:
    reasons = tuple(m.TriageReason(r.get("rule", ""), r.get("text", ""), r.get("source", ""), r.get("level", ""),
                                   r.get("category", ""), stored_destination(r)) for r in intake.triage_reasons or [])
    recorder = _practitioner(tx, intake.recorded_by_id)
    return m.IntakeSummary(
        recorded_on=_local(intake.recorded_at, zone).date(), level=intake.triage_level, reasons=reasons,
        findings=finding_sentences(intake.answers or {}), rules_version=intake.rules_version,
        referral_action=referral_log(intake.referral_action, zone), recorded_by=recorder.name if recorder else "",
        assessed_on=assessment_day(intake, zone),
    )


def _technique(name: str, parameters: dict) -> str:
    words = name.replace("_", " ")
    if not parameters:
        return words
    shown = ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in parameters.items())
    return f"{words} ({shown})"


def _nrs_rule() -> str:
    source = load_outcome_config()["meaningful_change"]["nrs"]["source"].split(";")[0]  # "Ostelo et al., Spine 2008"
    return f"{change_rule('nrs')}, {source}"


# ----------------------------------------------------------------------------------------- data


def handout_data(
    database: Database, actor: Actor, patient_id: int | None = None, *, now: datetime | None = None
) -> m.HandoutData:
    """The personal handout's content (or the general one when ``patient_id`` is None)."""
    require(actor, Permission.PRINT_HANDOUTS)
    with database.read() as tx:
        clinic, zone, country = _clinic(tx)
        local_now = _clinic_now(zone, now)
        today = local_now.date()
        if patient_id is None:
            return m.HandoutData(clinic, None, printed_on=today)
        patient = _patient(tx, patient_id, country)
        plan = _latest_plan(tx, patient_id)
        return m.HandoutData(
            clinic, patient, _practitioner(tx, plan.practitioner_id if plan else None),
            plan.complaint if plan else "", _plan_points(plan), _upcoming_visits(tx, patient_id, local_now), today,
        )


def care_summary_data(
    database: Database, actor: Actor, patient_id: int, *, now: datetime | None = None
) -> m.CareSummaryData:
    """The summary's content. It names the practitioners the records name (never the person printing it,
    unless they treated the patient too); it is signed by the plan's practitioner, else the latest."""
    require(actor, Permission.VIEW_CLINICAL)
    with database.read() as tx:
        clinic, zone, patient = _clinic_and_patient(tx, patient_id)
        local_now = _clinic_now(zone, now)
        record = care_record(tx, patient_id, zone)
        plan = _latest_plan(tx, patient_id)
        intake = _latest_intake(tx, patient_id)
        records = list(tx.scalars(
            select(SessionRecord).where(SessionRecord.patient_id == patient_id, is_current_version())
            .options(selectinload(SessionRecord.points)).order_by(SessionRecord.session_at, SessionRecord.id)
        ))
        marks = {"left": " L", "right": " R", "bilateral": "", "midline": ""}
        sessions = tuple(
            m.SessionLine(_local(r.session_at, zone), tuple(f"{pt.point_code}{marks.get(pt.side, '')}" for pt in
                                                            r.points),
                          r.nrs_before, r.nrs_after, r.needles_in, r.needles_out,
                          r.assessment or r.plan_note, amended=r.amends_id is not None)
            for r in records
        )
        outcomes = tuple(
            m.OutcomeLine(o.measure, _local(o.recorded_at, zone).date(), o.score, o.band)
            for o in tx.scalars(select(OutcomeMeasurement).where(OutcomeMeasurement.patient_id == patient_id,
                                                                 not_corrected_since())
                                     .order_by(OutcomeMeasurement.recorded_at))
        )
        adverse = tuple(
            m.AdverseEventLine(_local(a.occurred_at, zone).date(), a.kind, a.severity, a.description, a.action_taken,
                               a.resolved_at is not None)
            for a in tx.scalars(select(AdverseEvent).where(AdverseEvent.patient_id == patient_id)
                                     .order_by(AdverseEvent.occurred_at))
        )
        techniques = tuple(_technique(t.technique, t.parameters) for t in (plan.techniques if plan else []))
        return m.CareSummaryData(
            clinic=clinic, patient=patient,
            practitioner=_practitioner(tx, plan.practitioner_id if plan else record.latest_id),
            complaint=plan.complaint if plan else "", goals=plan.goals if plan else "",
            course_pattern=plan.course_pattern if plan else "", baseline_nrs=plan.baseline_nrs if plan else None,
            intake=_intake_summary(tx, intake, zone) if intake else None, points=_plan_points(plan),
            techniques=techniques, sessions=sessions, outcomes=outcomes, adverse_events=adverse,
            next_visits=_upcoming_visits(tx, patient_id, local_now), printed_on=local_now.date(),
            meaningful_change_rule=_nrs_rule(), treating=record.treating, period=record.period,
            printed_by=actor.display_name, pain_drawing=pain_drawings.print_data(tx, patient_id),
        )


def referral_data(database: Database, actor: Actor, patient_id: int, *, now: datetime | None = None) -> m.ReferralData:
    """The letter's content; refuses (``ReferralNotNeededError``) unless the latest intake asks for referral."""
    require(actor, Permission.VIEW_CLINICAL)
    with database.read() as tx:
        clinic, zone, patient = _clinic_and_patient(tx, patient_id)
        intake = _latest_intake(tx, patient_id)
        if intake is None:
            raise NotFoundError(f"{patient.name} has no intake yet, so there is nothing to refer.")
        if intake.triage_level not in REFERRAL_LEVELS:
            raise ReferralNotNeededError(
                f"No referral letter for {patient.name}: the latest intake's triage is "
                f"{intake.triage_level.replace('_', ' ').lower()}, which does not call for medical referral.",
                field="triage_level",
            )
        plan = _latest_plan(tx, patient_id)
        return m.ReferralData(
            clinic, patient, _practitioner(tx, intake.signed_by_id or intake.recorded_by_id),
            _intake_summary(tx, intake, zone), plan.complaint if plan else "", _clinic_now(zone, now).date(),
            pain_drawing=pain_drawings.print_data(tx, patient_id),
        )


def receipt_data(
    database: Database, actor: Actor, patient_id: int, appointment_id: int | None = None, *,
    now: datetime | None = None,
) -> m.ReceiptData:
    """A receipt for one visit (``appointment_id``) or a statement of every charged visit and payment."""
    require(actor, Permission.PRINT_HANDOUTS)
    with database.read() as tx:
        clinic, zone, patient = _clinic_and_patient(tx, patient_id)
        query = (
            # The fee the visit was booked at (migration 0016), not its type's fee as it is today.
            select(Appointment.id, Appointment.local_start, VisitType.name,
                   func.coalesce(Appointment.fee_minor, VisitType.fee_minor), User.display_name,
                   User.professional_registration)
            .join(User, User.id == Appointment.practitioner_id)
            .outerjoin(VisitType, VisitType.id == Appointment.visit_type_id)
            .where(Appointment.patient_id == patient_id)
            .order_by(Appointment.local_start)
        )
        payments = select(Payment).where(Payment.patient_id == patient_id).order_by(Payment.paid_at)
        if appointment_id is not None:
            query = query.where(Appointment.id == appointment_id)
            payments = payments.where(Payment.appointment_id == appointment_id)
        else:
            query = query.where(Appointment.status.in_(CHARGED))
        rows = list(tx.execute(query))
        if appointment_id is not None and not rows:
            raise NotFoundError(f"Patient no. {patient_id} has no appointment no. {appointment_id}.")
        charges = tuple(m.ChargeLine(start, f"{kind or 'Appointment'} with {who}", fee or 0)
                        for _id, start, kind, fee, who, _reg in rows)
        paid = tuple(m.PaymentLine(_local(x.paid_at, zone), x.method, x.amount_minor, x.note)
                     for x in tx.scalars(payments))
        today = _clinic_now(zone, now).date()
        practitioners = {(who, reg) for *_rest, who, reg in rows}
        single = m.Practitioner(*practitioners.pop()) if len(practitioners) == 1 else None
        if appointment_id is not None:
            title, number = "Receipt", f"R-{patient_id}-{appointment_id}"
        else:
            title, number = "Statement", f"S-{patient_id}-{today:%Y%m%d}"
        return m.ReceiptData(clinic, patient, title, number, charges, paid, today, single)


def day_list_data(database: Database, actor: Actor, day: date, *, now: datetime | None = None) -> m.DayListData:
    """Every appointment on ``day`` (clinic local time), grouped by practitioner, in one query."""
    require(actor, Permission.PRINT_HANDOUTS)
    check_calendar_day(day, "date")  # year 9999 has no next day to end the list at
    with database.read() as tx:
        clinic, zone, country = _clinic(tx)
        start = datetime.combine(day, datetime.min.time())
        practitioner = aliased(User)
        rows = tx.execute(
            select(Appointment.local_start, Appointment.duration_minutes, Patient.given_name, Patient.family_name,
                   Patient.id, Patient.phone, VisitType.name, Room.name, Appointment.status,
                   Appointment.course_visit_number, practitioner.display_name)
            .join(Patient, Patient.id == Appointment.patient_id)
            .join(practitioner, practitioner.id == Appointment.practitioner_id)
            .outerjoin(VisitType, VisitType.id == Appointment.visit_type_id)
            .outerjoin(Room, Room.id == Appointment.room_id)
            .where(Appointment.local_start >= start, Appointment.local_start < start + timedelta(days=1))
            .order_by(practitioner.display_name, Appointment.local_start)
        )
        groups: dict[str, list[m.DayListEntry]] = {}
        for (local_start, minutes, given, family, pid, phone, kind, room, status, number, who) in rows:
            groups.setdefault(who, []).append(m.DayListEntry(
                local_start, minutes, full_name(given, family), pid, display_phone(phone, country),
                kind or "Appointment", room or "", status, number))
        return m.DayListData(clinic, day, tuple((who, tuple(e)) for who, e in groups.items()),
                             _clinic_now(zone, now))
