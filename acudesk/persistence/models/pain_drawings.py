"""Pain drawings: the patient's pain marked on the body outlines, as data (issue 13).

A row holds the marks (``[{"region", "kind", "intensity"}, …]``: region ids of
resources/pain_regions.json, kinds of resources/rules/pain_drawing.toml), the intake or treatment
session it was drawn at, who drew it and when. Append-only: triggers (persistence/guards.py,
migration 0015) refuse every UPDATE and DELETE; a correction is a new row whose ``supersedes_id``
names the drawing it replaces, with the reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from acudesk.persistence.models.base import Base, UTCDateTime, utcnow


class PainDrawing(Base):
    __tablename__ = "pain_drawings"
    __table_args__ = (
        CheckConstraint("(intake_id IS NULL) <> (session_id IS NULL)", name="drawn_at_one_occasion"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    intake_id: Mapped[int | None] = mapped_column(ForeignKey("intakes.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("session_records.id"))
    marks: Mapped[list[Any]] = mapped_column(default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("pain_drawings.id"))
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
