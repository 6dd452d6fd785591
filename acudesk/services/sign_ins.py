"""Signed-in sessions: the credential an ``Actor`` carries, issued at sign-in, checked on every call.

Signing in (``auth.sign_in``, ``clinic.create_clinic``, the demo clinic, unlocking after the idle lock)
stores a row in ``sign_in_sessions`` holding the SHA-256 of a random token and hands the token to the
signed-in process inside the ``Actor`` (``context.Credential``). ``permissions.require`` then asks the
database, in one query, whether that row exists for the actor's user, has not ended, and whether the
user is still active, and reads the roles the user holds now. Nothing is cached: a deactivated user,
a reset password or a sign-out takes effect on the next call.

A sign-in ends when the person signs out (the app's quit, the end of a command line command), when
unlocking replaces it, when an administrator resets the user's password, or when the user is
deactivated. Rows are kept once ended: they are the history of who was signed in when.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from acudesk.domain.errors import PermissionDeniedError
from acudesk.persistence.database import Database
from acudesk.persistence.models import SignInSession, User, UserRole, utcnow
from acudesk.services.context import Actor, Credential

NOT_VALID = "Your sign-in is no longer valid: sign in again."

SIGNED_OUT = "signed out"
UNLOCKED = "unlocked"  # unlocking after the idle lock signed in anew
PASSWORD_RESET = "password reset"
DEACTIVATED = "deactivated"


_SIGN_INS, _USERS, _ROLES = SignInSession.__table__, User.__table__, UserRole.__table__
# Built once (a Core statement with bound parameters): every use case runs it, so it costs one indexed lookup
# by token hash and no statement building (docs/security.md, "Signed-in sessions").
_LIVE_ROLES = (
    select(_SIGN_INS.c.id, _ROLES.c.role)
    .select_from(_SIGN_INS.join(_USERS, _USERS.c.id == _SIGN_INS.c.user_id)
                 .outerjoin(_ROLES, _ROLES.c.user_id == _USERS.c.id))
    .where(_SIGN_INS.c.token_hash == bindparam("token_hash"), _SIGN_INS.c.user_id == bindparam("user_id"),
           _SIGN_INS.c.ended_at.is_(None), _USERS.c.active.is_(True))
)


class SignInNotValidError(PermissionDeniedError):
    """The actor carries no live sign-in: built by hand, signed out, deactivated, or its password was
    reset by an administrator."""

    def __init__(self, message: str = NOT_VALID) -> None:
        super().__init__(message)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def issue(tx: Session, database: Database, user: User) -> Actor:
    """A new sign-in for ``user`` (whose password, or set-up, has just been checked), in ``tx``."""
    token = secrets.token_urlsafe(32)
    tx.add(SignInSession(user_id=user.id, token_hash=token_hash(token), started_at=utcnow(), end_reason=""))
    return Actor(user.id, user.username, user.display_name, user.role_names, Credential(token, database))


def current_roles(actor: Actor) -> frozenset[str]:
    """The roles the actor's user holds now, if the actor's sign-in is live; else ``SignInNotValidError``.

    One query on the database the sign-in was issued by: the session row for this token and user, not
    ended, of an active user, joined to the user's roles."""
    credential = actor.credential
    if credential is None:
        raise SignInNotValidError()
    with credential.database.read() as tx:
        rows = tx.connection().execute(
            _LIVE_ROLES, {"token_hash": token_hash(credential.token), "user_id": actor.user_id}).all()
    if not rows:
        raise SignInNotValidError()
    return frozenset(role for _id, role in rows if role is not None)


def end(tx: Session, actor: Actor, reason: str) -> bool:
    """End the actor's sign-in in ``tx``; False when there was none live (already ended, or none)."""
    if actor.credential is None:
        return False
    result = tx.execute(
        update(SignInSession)
        .where(SignInSession.token_hash == token_hash(actor.credential.token),
               SignInSession.user_id == actor.user_id, SignInSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    return bool(getattr(result, "rowcount", 0))


def end_all(tx: Session, user_id: int, reason: str, *, keep: Actor | None = None) -> int:
    """End every live sign-in of ``user_id`` (a reset password, a deactivated account), but ``keep``'s
    (an administrator resetting their own password stays signed in where they did it)."""
    conditions = [SignInSession.user_id == user_id, SignInSession.ended_at.is_(None)]
    if keep is not None and keep.credential is not None:
        conditions.append(SignInSession.token_hash != token_hash(keep.credential.token))
    result = tx.execute(update(SignInSession).where(*conditions).values(ended_at=utcnow(), end_reason=reason))
    return int(getattr(result, "rowcount", 0) or 0)
