"""Signing in, lock-out, the idle lock's unlock, and passwords.

Five failed sign-ins in a row lock the account for fifteen minutes. Every sign-in, failure and
lock-out is audited. Failures are committed before the error is raised, so a wrong password always
counts, even though the caller sees an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from acudesk.domain.errors import AcuDeskError, NotFoundError, ValidationError
from acudesk.persistence.database import Database
from acudesk.persistence.encryption import give_key, settle_key, take_key
from acudesk.persistence.models import User, UserRole, utcnow
from acudesk.services import audit, checkpoints, sign_ins
from acudesk.services.clinic import add_user
from acudesk.services.context import ADMINISTRATOR, ROLES, Actor
from acudesk.services.passwords import hash_password, verify_password
from acudesk.services.permissions import Permission, require, require_signed_in

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8


class AuthenticationError(AcuDeskError):
    """Sign-in refused: wrong user name or password, or the account is locked."""


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    roles: frozenset[str]
    active: bool
    locked_until: datetime | None


def _check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", field="password")


def sign_in(database: Database, username: str, password: str, *, now: datetime | None = None) -> Actor:
    """Check the password and return the signed-in user, or raise ``AuthenticationError``.

    The ``Actor`` carries a new sign-in (services/sign_ins.py) that every service checks; end it with
    ``sign_out``. The first sign-in of a day also writes the day's audit checkpoint (services/checkpoints.py)."""
    actor = _sign_in(database, username, password, now=now, replacing=None)
    checkpoints.write_if_due(database, now=now)
    return actor


def _sign_in(database: Database, username: str, password: str, *, now: datetime | None,
             replacing: Actor | None) -> Actor:
    now = now or utcnow()
    refusal: str | None = None
    with database.write() as tx:
        user = tx.scalar(select(User).where(User.username == username.strip()))
        if user is None or not user.active or not user.password_hash:
            audit.record(tx, None, "login_failed", "user", detail={"reason": "unknown or inactive user"})
            refusal = "The user name or password is not right."
        elif user.locked_until is not None and user.locked_until > now:
            audit.record(tx, None, "login_failed", "user", user.id, detail={"reason": "locked"})
            refusal = _locked_message(user.locked_until)
        elif not verify_password(user.password_hash, password):
            user.failed_logins += 1
            audit.record(tx, None, "login_failed", "user", user.id,
                         detail={"reason": "wrong password", "attempt": user.failed_logins})
            refusal = "The user name or password is not right."
            if user.failed_logins >= MAX_FAILED_SIGN_INS:
                user.locked_until = now + LOCKOUT
                user.failed_logins = 0
                audit.record(tx, None, "lockout", "user", user.id)
                refusal = _locked_message(user.locked_until)
        else:
            user.failed_logins = 0
            user.locked_until = None
            actor = sign_ins.issue(tx, database, user)
            if replacing is not None and replacing.user_id == user.id:
                sign_ins.end(tx, replacing, sign_ins.UNLOCKED)
            audit.record(tx, actor, "login", "user", user.id)
            return actor
    raise AuthenticationError(refusal)


def _locked_message(until: datetime) -> str:
    minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
    return (f"This account is locked after {MAX_FAILED_SIGN_INS} failed sign-ins. Try again in about "
            f"{minutes} minutes, or ask an administrator to reset the password.")


def unlock(database: Database, actor: Actor, password: str) -> Actor:
    """Re-enter the password after the idle lock; failures count towards the lock-out.

    A sign-in anew: the returned ``Actor`` carries a new sign-in and ``actor``'s ends ("unlocked")."""
    return _sign_in(database, actor.username, password, now=None, replacing=actor)


def sign_out(database: Database, actor: Actor, *, handed_over_to: Actor | None = None) -> bool:
    """End the actor's sign-in (the app's quit, the end of a command line command), audited. From then on
    every service refuses ``actor``. False, and nothing written, when it had ended already. A checkpoint
    then anchors the audit trail as the session left it (services/checkpoints.py).

    ``handed_over_to``: someone else signed in at the locked window ("Sign in as someone else"); the
    event names their account (by id), so the trail says whose screen became whose."""
    with database.write() as tx:
        if not sign_ins.end(tx, actor, sign_ins.SIGNED_OUT):
            return False
        detail = {"handed_over_to": handed_over_to.user_id} if handed_over_to is not None else None
        audit.record(tx, actor, "logout", "user", actor.user_id, detail=detail)
    checkpoints.write_quietly(database, "sign-out")
    return True


def change_password(database: Database, actor: Actor, old_password: str, new_password: str) -> None:
    require_signed_in(actor)
    _check_new_password(new_password)
    with database.write() as tx:
        user = tx.get(User, actor.user_id)
        if user is None or not user.password_hash or not verify_password(user.password_hash, old_password):
            raise AuthenticationError("The current password is not right; nothing was changed.")
        user.password_hash = hash_password(new_password)
        give_key(database, user.username, new_password)  # an encrypted clinic: the same key, wrapped anew
        audit.record(tx, actor, "change_password", "user", user.id)
    settle_key(database, actor.username)


def reset_password(database: Database, actor: Actor, user_id: int, new_password: str) -> None:
    """An administrator sets a new password for a colleague and lifts any lock-out."""
    require(actor, Permission.MANAGE_USERS)
    _check_new_password(new_password)
    with database.write() as tx:
        user = tx.get(User, user_id)
        if user is None:
            raise NotFoundError(f"There is no user no. {user_id}.")
        user.password_hash = hash_password(new_password)
        give_key(database, user.username, new_password)  # an encrypted clinic: the user's key to it
        user.failed_logins = 0
        user.locked_until = None
        # Whoever holds the old password may be signed in with it: every sign-in of the user ends.
        ended = sign_ins.end_all(tx, user.id, sign_ins.PASSWORD_RESET, keep=actor)
        audit.record(tx, actor, "reset_password", "user", user.id, detail={"sign_ins_ended": ended})
        username = user.username
    settle_key(database, username)


def list_users(database: Database, actor: Actor) -> list[UserInfo]:
    require(actor, Permission.MANAGE_USERS)
    with database.read() as tx:
        return [
            UserInfo(u.id, u.username, u.display_name, u.role_names, u.active, u.locked_until)
            for u in tx.scalars(select(User).order_by(User.display_name))
        ]


def create_user(
    database: Database, actor: Actor, username: str, display_name: str, roles: tuple[str, ...], password: str
) -> UserInfo:
    require(actor, Permission.MANAGE_USERS)
    _check_new_password(password)
    if not username.strip() or not display_name.strip():
        raise ValidationError("Enter a user name and a display name.", field="username")
    if not roles:
        raise ValidationError("Give the user at least one role.", field="roles")
    with database.write() as tx:
        if tx.scalar(select(User.id).where(User.username == username.strip())) is not None:
            raise ValidationError(f"The user name '{username.strip()}' is taken.", field="username")
        user = add_user(tx, username.strip(), display_name.strip(), roles, password=password)
        give_key(database, user.username, password)  # an encrypted clinic: the new user's key to it
        audit.record(tx, actor, "create", "user", user.id, detail={"roles": sorted(roles)})
        return UserInfo(user.id, user.username, user.display_name, user.role_names, True, None)


def set_roles(database: Database, actor: Actor, user_id: int, roles: tuple[str, ...]) -> None:
    require(actor, Permission.MANAGE_USERS)
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValidationError("Choose one or more of: " + ", ".join(ROLES) + ".", field="roles")
    with database.write() as tx:
        user = tx.get(User, user_id)
        if user is None:
            raise NotFoundError(f"There is no user no. {user_id}.")
        if ADMINISTRATOR in user.role_names and ADMINISTRATOR not in roles and user.active:
            administrators = tx.scalars(  # locked in one order: two demotions at once take turns
                select(User.id).join(UserRole).where(UserRole.role == ADMINISTRATOR, User.active.is_(True))
                .order_by(User.id).with_for_update(of=User)
            ).all()
            if not set(administrators) - {user.id}:
                raise ValidationError(
                    f"{user.display_name} is the clinic's only active administrator: give another user the "
                    "Administrator role first, or nobody could manage users and settings.", field="roles",
                )
        if set(roles) == user.role_names:
            return
        before = sorted(user.role_names)
        # Remove, flush, then add: a unit of work inserts before it deletes, and a role kept while
        # the list is replaced would meet its own old row in the (user, role) unique constraint.
        user.roles = [kept for kept in user.roles if kept.role in roles]
        tx.flush()
        user.roles.extend(UserRole(role=role) for role in roles if role not in before)
        audit.record(tx, actor, "set_roles", "user", user.id, detail={"roles": sorted(roles), "before": before})


def set_active(database: Database, actor: Actor, user_id: int, active: bool) -> None:
    """Deactivate (or reactivate) an account; users are never deleted, their records name them."""
    require(actor, Permission.MANAGE_USERS)
    if user_id == actor.user_id and not active:
        raise ValidationError("You cannot deactivate your own account.")
    with database.write() as tx:
        user = tx.get(User, user_id)
        if user is None:
            raise NotFoundError(f"There is no user no. {user_id}.")
        user.active = active
        if active:
            audit.record(tx, actor, "activate", "user", user.id)
        else:
            ended = sign_ins.end_all(tx, user.id, sign_ins.DEACTIVATED)
            take_key(database, user.username)  # an encrypted clinic: their password unwraps nothing any more
            audit.record(tx, actor, "deactivate", "user", user.id, detail={"sign_ins_ended": ended})
