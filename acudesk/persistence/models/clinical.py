"""Clinical records: intakes, treatment plans, session records, outcomes, adverse events.

Signed intakes and session records are immutable; amendments are new rows that point at the row
they amend (``amends_id``). Nothing here is ever hard-deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from acudesk.persistence.models.base import Base, Timestamps, UTCDateTime, utcnow


class Intake(Timestamps, Base):
    """A structured intake: answers to the rule set's questions and the triage it produced."""

    __tablename__ = "intakes"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rules_version: Mapped[str] = mapped_column(String(64))
    triage_level: Mapped[str] = mapped_column(String(32))
    triage_reasons: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | signed
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    content_digest: Mapped[str | None] = mapped_column(String(64))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("intakes.id"))
    # What the practitioner did about an EMERGENCY / URGENT_REFERRAL result.
    referral_action: Mapped[str] = mapped_column(Text, default="")
    referral_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class TreatmentPlan(Timestamps, Base):
    """Complaint, goals, points, techniques and the course of visits (as phases)."""

    __tablename__ = "treatment_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    intake_id: Mapped[int | None] = mapped_column(ForeignKey("intakes.id"))
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    complaint: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    course_pattern: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft|active|completed|stopped
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    baseline_nrs: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    points: Mapped[list[PlanPoint]] = relationship(cascade="all, delete-orphan", order_by="PlanPoint.id")
    techniques: Mapped[list[PlanTechnique]] = relationship(
        cascade="all, delete-orphan", order_by="PlanTechnique.id"
    )
    phases: Mapped[list[CoursePhase]] = relationship(
        cascade="all, delete-orphan", order_by="CoursePhase.position"
    )

    __mapper_args__ = {"version_id_col": version}


class PlanPoint(Base):
    __tablename__ = "plan_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plans.id"), index=True)
    point_code: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(16), default="bilateral")  # left|right|bilateral|midline
    note: Mapped[str] = mapped_column(Text, default="")
    override_reason: Mapped[str] = mapped_column(Text, default="")


class PlanTechnique(Base):
    __tablename__ = "plan_techniques"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plans.id"), index=True)
    technique: Mapped[str] = mapped_column(String(32))
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    override_reason: Mapped[str] = mapped_column(Text, default="")


class CoursePhase(Base):
    """One phase of a course: every ``interval_count`` weeks/months, ``visits`` times."""

    __tablename__ = "course_phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("treatment_plans.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    interval_unit: Mapped[str] = mapped_column(String(8))  # week | month
    interval_count: Mapped[int] = mapped_column(Integer)
    visits: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SessionRecord(Timestamps, Base):
    """What happened in one treatment session; signed records are locked."""

    __tablename__ = "session_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_plans.id"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    session_at: Mapped[datetime] = mapped_column(UTCDateTime())
    needles_in: Mapped[int | None] = mapped_column(Integer)
    needles_out: Mapped[int | None] = mapped_column(Integer)
    retention_minutes: Mapped[int | None] = mapped_column(Integer)
    nrs_before: Mapped[int | None] = mapped_column(Integer)
    nrs_after: Mapped[int | None] = mapped_column(Integer)
    subjective: Mapped[str] = mapped_column(Text, default="")
    objective: Mapped[str] = mapped_column(Text, default="")
    assessment: Mapped[str] = mapped_column(Text, default="")
    plan_note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | signed
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    content_digest: Mapped[str | None] = mapped_column(String(64))
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("session_records.id"))
    amendment_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    points: Mapped[list[SessionPoint]] = relationship(
        cascade="all, delete-orphan", order_by="SessionPoint.id"
    )

    __mapper_args__ = {"version_id_col": version}


class SessionPoint(Base):
    __tablename__ = "session_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session_records.id"), index=True)
    point_code: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(16), default="bilateral")
    technique: Mapped[str] = mapped_column(String(32), default="manual")
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OutcomeMeasurement(Base):
    """A scored outcome instrument (NRS, ODI, RMDQ, PSFS, STarT Back) at a point in time."""

    __tablename__ = "outcome_measurements"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("session_records.id"))
    measure: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    score: Mapped[float] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(32), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))


class AdverseEvent(Base):
    __tablename__ = "adverse_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("session_records.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))  # mild | moderate | severe
    description: Mapped[str] = mapped_column(Text, default="")
    action_taken: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
