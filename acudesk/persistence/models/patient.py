"""Patients: demographics, GP, emergency contact, consent. Archived, never deleted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from acudesk.persistence.models.base import Base, Timestamps, UTCDateTime


class Patient(Timestamps, Base):
    __tablename__ = "patients"
    # Covering indexes: "show archived" searches and duplicate checks. None may start with
    # "archived". The default (active-only) search uses the partial indexes in
    # acudesk/persistence/search_indexes.py, created by migration 0006.
    __table_args__ = (
        Index("ix_patients_family_search", "family_key", "given_key", "archived"),
        Index("ix_patients_given_search", "given_key", "family_key", "archived"),
        Index("ix_patients_phone_search", "phone_key", "archived", "family_key", "given_key"),
        Index("ix_patients_date_of_birth", "date_of_birth"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(16), default="unknown")
    phone: Mapped[str] = mapped_column(String(40), default="")  # E.164 when parsed
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    gp_name: Mapped[str] = mapped_column(String(200), default="")
    gp_practice: Mapped[str] = mapped_column(String(200), default="")
    gp_address: Mapped[str] = mapped_column(Text, default="")
    gp_phone: Mapped[str] = mapped_column(String(40), default="")
    emergency_contact_name: Mapped[str] = mapped_column(String(200), default="")
    emergency_contact_phone: Mapped[str] = mapped_column(String(40), default="")
    consent_to_treatment: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_date: Mapped[date | None] = mapped_column(Date)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Normalised search keys (lower case, accents folded) kept in step by the service layer.
    family_key: Mapped[str] = mapped_column(String(100))
    given_key: Mapped[str] = mapped_column(String(100))
    phone_key: Mapped[str] = mapped_column(String(20), default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}
