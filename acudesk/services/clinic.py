"""The clinic and its people: first-run set-up, clinic settings, acting users."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from acudesk.domain.errors import NotFoundError, ValidationError, ValidationErrors
from acudesk.persistence.database import Database
from acudesk.persistence.models import Clinic, Room, User, UserRole, VisitType
from acudesk.services import audit, checkpoints, sign_ins
from acudesk.services.context import ADMINISTRATOR, PRACTITIONER, ROLES, Actor
from acudesk.services.passwords import hash_password

DEFAULT_OPENING_HOURS: dict[str, Any] = {
    day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
} | {"sat": [["09:00", "13:00"]]}

# Seed 002: consultation 10-15, examination 5-10, insertion 5-10, rest 15-30, removal 5 minutes.
DEFAULT_VISIT_TYPES = (
    ("first", "First visit (consultation, examination and treatment)", 60, 10, 6500),
    ("follow_up", "Follow-up treatment", 45, 10, 5000),
)


@dataclass(frozen=True)
class ClinicSetup:
    clinic_name: str
    country: str
    timezone: str
    admin_username: str
    admin_display_name: str
    admin_password: str
    subdivision: str | None = None
    address: str = ""
    phone: str = ""
    email: str = ""
    rooms: tuple[str, ...] = ("Room 1",)


@dataclass(frozen=True)
class ClinicInfo:
    id: int
    name: str
    address: str
    phone: str
    email: str
    timezone: str
    country: str
    subdivision: str | None
    currency: str
    opening_hours: dict[str, Any] = field(default_factory=dict)


NO_CLINIC = "This database has no clinic yet; run the first-time set-up."


def _clinic(tx: Session) -> Clinic:
    clinic = tx.scalar(select(Clinic).order_by(Clinic.id).limit(1))
    if clinic is None:
        raise NotFoundError(NO_CLINIC)
    return clinic


def clinic_country(tx: Session) -> str:
    """The clinic's country code (one column: the patient search asks on every keystroke)."""
    country = tx.scalar(select(Clinic.country).order_by(Clinic.id).limit(1))
    if country is None:
        raise NotFoundError(NO_CLINIC)
    return country


def clinic_zone(tx: Session) -> ZoneInfo:
    return ZoneInfo(_clinic(tx).timezone)


def clinic_today(tx: Session) -> date:
    return datetime.now(clinic_zone(tx)).date()


def needs_setup(database: Database) -> bool:
    with database.read() as tx:
        return tx.scalar(select(Clinic.id).limit(1)) is None


def get_clinic(database: Database) -> ClinicInfo:
    with database.read() as tx:
        c = _clinic(tx)
        return ClinicInfo(
            c.id, c.name, c.address, c.phone, c.email, c.timezone, c.country, c.subdivision,
            c.currency, dict(c.opening_hours),
        )


def validate_setup(setup: ClinicSetup) -> None:
    import holidays

    errors = []
    if not setup.clinic_name.strip():
        errors.append(ValidationError("Enter the clinic's name.", field="clinic_name"))
    try:
        ZoneInfo(setup.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(ValidationError(f"'{setup.timezone}' is not a known time zone.", field="timezone"))
    supported = holidays.list_supported_countries()
    country = setup.country.upper()
    if country not in supported:
        errors.append(ValidationError(f"'{setup.country}' is not a supported country code.", field="country"))
    elif setup.subdivision and setup.subdivision not in supported[country]:
        errors.append(
            ValidationError(f"'{setup.subdivision}' is not a region of {country}.", field="subdivision")
        )
    if not setup.admin_username.strip():
        errors.append(ValidationError("Choose a user name.", field="admin_username"))
    if not setup.admin_display_name.strip():
        errors.append(ValidationError("Enter your name.", field="admin_display_name"))
    if len(setup.admin_password) < 8:
        errors.append(ValidationError("The password needs at least 8 characters.", field="admin_password"))
    if errors:
        raise ValidationErrors(errors)


def create_clinic(database: Database, setup: ClinicSetup) -> Actor:
    """First run: the clinic, its rooms and visit types, and the first user (admin + practitioner)."""
    validate_setup(setup)
    with database.write() as tx:
        if tx.scalar(select(Clinic.id).limit(1)) is not None:
            raise ValidationError("This database already has a clinic.")
        tx.add(
            Clinic(
                name=setup.clinic_name.strip(), address=setup.address, phone=setup.phone,
                email=setup.email, timezone=setup.timezone, country=setup.country.upper(),
                subdivision=setup.subdivision or None, opening_hours=DEFAULT_OPENING_HOURS,
            )
        )
        for name in setup.rooms:
            tx.add(Room(name=name))
        for code, name, minutes, changeover, fee in DEFAULT_VISIT_TYPES:
            tx.add(VisitType(code=code, name=name, duration_minutes=minutes,
                                  changeover_minutes=changeover, fee_minor=fee))
        user = add_user(tx, setup.admin_username.strip(), setup.admin_display_name.strip(),
                        (ADMINISTRATOR, PRACTITIONER), password=setup.admin_password)
        actor = sign_ins.issue(tx, database, user)  # whoever set the clinic up is signed in as its administrator
        audit.record(tx, actor, "setup", "clinic")
    checkpoints.write_if_due(database)  # the audit trail is anchored from its first event (the clinic key is made)
    return actor


def add_user(
    tx: Session, username: str, display_name: str, roles: tuple[str, ...], *, password: str | None
) -> User:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValidationError(f"Unknown role(s): {', '.join(sorted(unknown))}.", field="roles")
    user = User(
        username=username, display_name=display_name,
        password_hash=hash_password(password) if password else None,
        roles=[UserRole(role=role) for role in roles],
    )
    tx.add(user)
    tx.flush()
    return user


def actor_from_user(user: User) -> Actor:
    """``user`` as an audit event's author, with no sign-in: the services refuse it as an actor."""
    return Actor(user.id, user.username, user.display_name, user.role_names)


def default_actor(database: Database) -> Actor:
    """The first active administrator, signed in without a password: a stand-in for tests, fixtures and
    the benchmarks only (the desktop app and the command line sign in with a password;
    tests/cli/test_sign_in_cli.py keeps it out of acudesk/cli). Not audited, as no person signed in."""
    with database.write() as tx:
        users = tx.scalars(select(User).where(User.active.is_(True)).order_by(User.id))
        for user in users:
            if ADMINISTRATOR in user.role_names:
                return sign_ins.issue(tx, database, user)
    raise NotFoundError("This clinic has no active administrator.")


def actor_for(database: Database, username: str) -> Actor:
    """``default_actor`` for the active user ``username`` (tests and benchmarks only)."""
    with database.write() as tx:
        user = tx.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise NotFoundError(f"There is no active user '{username}'.")
        return sign_ins.issue(tx, database, user)


IDLE_LOCK_SETTING = "idle_lock_minutes"
DEFAULT_IDLE_LOCK_MINUTES = 10.0


def idle_lock_minutes(database: Database) -> float:
    """Minutes without input before the screen locks (setting ``idle_lock_minutes``, default 10)."""
    from acudesk.persistence.models import Setting

    with database.read() as tx:
        setting = tx.get(Setting, IDLE_LOCK_SETTING)
    try:
        minutes = float(setting.value["minutes"]) if setting else DEFAULT_IDLE_LOCK_MINUTES
    except (KeyError, TypeError, ValueError):
        return DEFAULT_IDLE_LOCK_MINUTES
    return minutes if minutes > 0 else DEFAULT_IDLE_LOCK_MINUTES


def set_idle_lock_minutes(database: Database, actor: Actor, minutes: float) -> None:
    from acudesk.persistence.models import Setting
    from acudesk.services.permissions import Permission, require

    require(actor, Permission.MANAGE_CLINIC)
    if not 1 <= minutes <= 120:
        raise ValidationError("The idle lock must be between 1 and 120 minutes.", field="idle_lock_minutes")
    with database.write() as tx:
        setting = tx.get(Setting, IDLE_LOCK_SETTING) or Setting(key=IDLE_LOCK_SETTING)
        setting.value = {"minutes": minutes}
        tx.add(setting)
        audit.record(tx, actor, "update", "setting", detail={"key": IDLE_LOCK_SETTING})
