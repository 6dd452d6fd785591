"""Flag clearances: why a later intake may drop a red flag an earlier signed intake raised.

A row records what changed, who saw the patient and when (domain/flag_clearance.py has the rule).
Append-only: triggers (persistence/guards.py, migration 0014) refuse every UPDATE and DELETE; a
mistaken clearance is followed by another, never edited.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from acudesk.persistence.models.base import Base, UTCDateTime, utcnow


class FlagClearance(Base):
    """One recorded clearance of the EMERGENCY / URGENT_REFERRAL flags a new intake drops."""

    __tablename__ = "flag_clearances"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"), index=True)  # the new intake
    flagged_intake_id: Mapped[int] = mapped_column(ForeignKey("intakes.id"))  # the signed one that raised them
    dropped_flags: Mapped[list[Any]] = mapped_column(default=list)  # [{"rule", "level", "text"}, …]
    what_changed: Mapped[str] = mapped_column(Text)
    seen_by: Mapped[str] = mapped_column(String(32))  # a key of resources/rules/flag_clearance.toml
    seen_by_name: Mapped[str] = mapped_column(String(200), default="")
    seen_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
