"""The clinic itself: settings, staff accounts and their sign-ins, rooms, visit types, closures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from acudesk.persistence.models.base import Base, Timestamps, UTCDateTime


class Clinic(Timestamps, Base):
    """One row: the clinic this database belongs to."""

    __tablename__ = "clinic"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2))
    subdivision: Mapped[str | None] = mapped_column(String(10))
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    # {"mon": [["09:00", "18:00"]], "tue": [...], ...}; a missing day is closed.
    opening_hours: Mapped[dict[str, Any]] = mapped_column(default=dict)


class User(Timestamps, Base):
    """A person who logs in: administrator, practitioner and/or receptionist."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    professional_registration: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset(role.role for role in self.roles)


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))

    user: Mapped[User] = relationship(back_populates="roles")


class SignInSession(Base):
    """One sign-in: the app's window from sign-in to quit, or one command line command.

    The services check every call against it (services/permissions.py): the row for the actor's token
    exists, belongs to the actor's user and has not ended. Only the SHA-256 of the token is stored;
    the token itself lives in the signed-in process's memory. Rows are kept when they end (the
    history of who was signed in when), never deleted.
    """

    __tablename__ = "sign_in_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "signed out", "unlocked" (a new sign-in replaced it), "password reset", "deactivated"
    end_reason: Mapped[str] = mapped_column(String(32), default="")


class Room(Base):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class VisitType(Base):
    """A kind of appointment with its length, room changeover and fee (minor currency units)."""

    __tablename__ = "visit_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    changeover_minutes: Mapped[int] = mapped_column(Integer, default=0)
    fee_minor: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Closure(Base):
    """Days the clinic is closed, or (with a user) a practitioner's leave."""

    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


class Setting(Base):
    """Typed application settings stored as JSON values by key."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
