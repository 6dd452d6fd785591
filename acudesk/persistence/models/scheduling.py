"""Appointments. Start times are the clinic's local wall-clock time plus the UTC instant.

``local_start`` is what the receptionist booked ("Tuesdays at 10:00") and survives daylight-saving
changes; ``start_utc`` is derived from it with the clinic's zone and is what clash queries use.
No two active visits overlap for a practitioner or a room, and a patient has at most one a day:
the database holds these rules on both engines (persistence/visit_guards.py, migration 0007).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from acudesk.persistence.models.base import Base, Timestamps, UTCDateTime

APPOINTMENT_STATUSES = ("booked", "arrived", "completed", "cancelled", "no_show")


class Appointment(Timestamps, Base):
    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_practitioner_start", "practitioner_id", "start_utc"),
        Index("ix_appointments_room_start", "room_id", "start_utc"),
        Index("ix_appointments_patient_start", "patient_id", "start_utc"),
        Index("ix_appointments_start", "start_utc"),  # the front desk's day list across practitioners
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_plans.id"), index=True)
    visit_type_id: Mapped[int | None] = mapped_column(ForeignKey("visit_types.id"))
    course_visit_number: Mapped[int | None] = mapped_column(Integer)
    local_start: Mapped[datetime] = mapped_column(DateTime())  # clinic wall-clock, naive
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer)
    # The room's changeover after this visit, copied from its visit type when booked (the database
    # keeps rooms free for it: persistence/visit_guards.py).
    changeover_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The visit type's fee when the visit was booked (minor units; migration 0016): receipts print it, so a
    # fee changed later in Clinic settings does not change what past visits cost. None: no charge.
    fee_minor: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="booked")
    planned_local_start: Mapped[datetime | None] = mapped_column(DateTime())
    moved_from: Mapped[date | None] = mapped_column(Date)
    move_reason: Mapped[str] = mapped_column(String(200), default="")
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    late_cancellation: Mapped[bool] = mapped_column(Boolean, default=False)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class BookingPreference(Timestamps, Base):
    """The days and times a patient prefers for visits ("Tuesdays after 17:00"), one row per patient.

    The slot finder tries slots that suit them first (domain/scheduling/slot_finding.py reads the text).
    """

    __tablename__ = "booking_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), unique=True)
    preferences: Mapped[str] = mapped_column(String(200), default="")


class Payment(Base):
    """Money received, in minor currency units, optionally for one appointment."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    amount_minor: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(32), default="card")
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")
