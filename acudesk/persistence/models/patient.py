"""Patients: demographics, GP, emergency contact, consent. Archived, never deleted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from acudesk.persistence.models.base import Base, Timestamps, UTCDateTime

# Partial indexes hold only active patients, the ones the list shows by default. The WHERE must read
# exactly as SQLAlchemy renders ``Patient.archived == false()`` for the planner to use them.
_ACTIVE = {"sqlite_where": text("archived = 0"), "postgresql_where": text("archived = false")}
# The first one and two letters of the given name, for one- and two-letter searches.
GIVEN_INITIALS = {1: "substr(given_key, 1, 1)", 2: "substr(given_key, 1, 2)"}


class Patient(Timestamps, Base):
    __tablename__ = "patients"
    # Search indexes (docs/performance.md, "Third round"). The active-only ones are walked in list
    # order, so a type-ahead search reads only the rows it returns, however many patients match:
    # family-name and phone prefixes are ranges of them; a given-name prefix of one or two letters
    # is an equality on the initials expression, followed by the list order. The covering indexes
    # serve "show archived" and duplicate checks. None may start with "archived".
    __table_args__ = (
        Index("ix_patients_family_search", "family_key", "given_key", "archived"),
        Index("ix_patients_given_search", "given_key", "family_key", "archived"),
        Index("ix_patients_phone_search", "phone_key", "archived", "family_key", "given_key"),
        Index("ix_patients_date_of_birth", "date_of_birth"),
        Index("ix_patients_active_family", "family_key", "given_key", **_ACTIVE),
        Index("ix_patients_active_given1", text(GIVEN_INITIALS[1]), "family_key", "given_key", **_ACTIVE),
        Index("ix_patients_active_given2", text(GIVEN_INITIALS[2]), "family_key", "given_key", **_ACTIVE),
        Index("ix_patients_active_phone", "phone_key", "family_key", "given_key", **_ACTIVE),
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
