"""The waitlist: patients waiting for an earlier visit (domain/waitlist.py has the rules)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from acudesk.persistence.models.base import Base, Timestamps, UTCDateTime

WAITLIST_STATUSES = ("waiting", "booked", "closed")  # an entry past its date is shown as expired


class WaitlistEntry(Timestamps, Base):
    """One patient waiting for a visit with a practitioner (or anyone), on the days and times that suit."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (Index("ix_waitlist_entries_status_until", "status", "until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: any practitioner
    visit_type_id: Mapped[int] = mapped_column(ForeignKey("visit_types.id"))
    weekdays: Mapped[list[Any]] = mapped_column(default=list)  # 0 = Monday … 6; empty: any day
    earliest: Mapped[time | None] = mapped_column(Time())
    latest: Mapped[time | None] = mapped_column(Time())
    until: Mapped[date] = mapped_column(Date)
    urgency: Mapped[str] = mapped_column(String(16), default="routine")
    note: Mapped[str] = mapped_column(Text, default="")
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_reason: Mapped[str] = mapped_column(String(200), default="")
    booked_appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}
