"""Signing in, lock-out after five failures, passwords, and user management."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from acudesk.domain.errors import PermissionDeniedError, ValidationError
from acudesk.persistence.database import Database
from acudesk.persistence.models import AuditEvent, User, utcnow
from acudesk.services import auth
from acudesk.services.context import Actor

PASSWORD = "correct horse battery"


def _actions(database: Database) -> list[str]:
    with database.read() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_right_password_signs_in_and_is_audited(database: Database) -> None:
    actor = auth.sign_in(database, "admin", PASSWORD)
    assert actor.username == "admin" and "administrator" in actor.roles
    assert _actions(database)[-1] == "login"


def test_a_wrong_password_is_refused_and_counted(database: Database) -> None:
    with pytest.raises(auth.AuthenticationError, match="not right"):
        auth.sign_in(database, "admin", "wrong")
    with database.read() as session:
        assert session.scalar(select(User.failed_logins).where(User.username == "admin")) == 1
    assert _actions(database)[-1] == "login_failed"


def test_an_unknown_user_gets_the_same_message(database: Database) -> None:
    with pytest.raises(auth.AuthenticationError, match="user name or password is not right"):
        auth.sign_in(database, "nobody", PASSWORD)


def test_five_failures_lock_the_account_for_fifteen_minutes(database: Database) -> None:
    for _ in range(4):
        with pytest.raises(auth.AuthenticationError, match="not right"):
            auth.sign_in(database, "admin", "wrong")
    with pytest.raises(auth.AuthenticationError, match="locked"):
        auth.sign_in(database, "admin", "wrong")
    # Even the right password is refused while locked.
    with pytest.raises(auth.AuthenticationError, match="locked"):
        auth.sign_in(database, "admin", PASSWORD)
    assert "lockout" in _actions(database)
    later = utcnow() + timedelta(minutes=16)
    assert auth.sign_in(database, "admin", PASSWORD, now=later).username == "admin"


def test_success_resets_the_failure_count(database: Database) -> None:
    for _ in range(4):
        with pytest.raises(auth.AuthenticationError):
            auth.sign_in(database, "admin", "wrong")
    auth.sign_in(database, "admin", PASSWORD)
    for _ in range(4):
        with pytest.raises(auth.AuthenticationError, match="not right"):
            auth.sign_in(database, "admin", "wrong")


def test_passwords_are_stored_as_argon2id_with_owasp_parameters(database: Database) -> None:
    with database.read() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "admin"))
    assert stored.startswith("$argon2id$") and "m=19456,t=2,p=1" in stored
    assert PASSWORD not in stored


def test_change_password_needs_the_old_one(database: Database, admin: Actor) -> None:
    with pytest.raises(auth.AuthenticationError):
        auth.change_password(database, admin, "not it", "a brand new secret")
    with pytest.raises(ValidationError, match="at least 8"):
        auth.change_password(database, admin, PASSWORD, "short")
    auth.change_password(database, admin, PASSWORD, "a brand new secret")
    assert auth.sign_in(database, "admin", "a brand new secret").user_id == admin.user_id


def test_an_administrator_resets_a_locked_colleague(database: Database, admin: Actor) -> None:
    colleague = auth.create_user(database, admin, "jbrook", "Jess Brook", ("receptionist",), "front desk 123")
    for _ in range(5):
        with pytest.raises(auth.AuthenticationError):
            auth.sign_in(database, "jbrook", "wrong")
    auth.reset_password(database, admin, colleague.id, "temporary pass 1")
    assert auth.sign_in(database, "jbrook", "temporary pass 1").roles == frozenset({"receptionist"})


def test_only_administrators_manage_users(database: Database, admin: Actor) -> None:
    auth.create_user(database, admin, "hsato", "Hana Sato", ("practitioner",), "needles 4 all")
    practitioner = auth.sign_in(database, "hsato", "needles 4 all")
    with pytest.raises(PermissionDeniedError):
        auth.create_user(database, practitioner, "x", "X", ("administrator",), "whatever 123")
    with pytest.raises(PermissionDeniedError):
        auth.reset_password(database, practitioner, admin.user_id, "takeover 123")
    with pytest.raises(PermissionDeniedError):
        auth.list_users(database, practitioner)


def test_deactivated_users_cannot_sign_in(database: Database, admin: Actor) -> None:
    user = auth.create_user(database, admin, "ookafor", "Olu Okafor", ("practitioner",), "needles 4 all")
    auth.set_active(database, admin, user.id, False)
    with pytest.raises(auth.AuthenticationError):
        auth.sign_in(database, "ookafor", "needles 4 all")
    with pytest.raises(ValidationError, match="your own account"):
        auth.set_active(database, admin, admin.user_id, False)


def test_duplicate_user_names_are_refused(database: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError, match="taken"):
        auth.create_user(database, admin, "admin", "Another", ("receptionist",), "whatever 123")


def test_an_administrator_edits_a_colleagues_roles(database: Database, admin: Actor) -> None:
    colleague = auth.create_user(database, admin, "rlane", "Rae Lane", ("receptionist",), "long enough pass")
    auth.set_roles(database, admin, colleague.id, ("receptionist", "practitioner"))
    listed = {u.username: u.roles for u in auth.list_users(database, admin)}
    assert listed["rlane"] == frozenset({"receptionist", "practitioner"})
    with database.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "set_roles")).one()
        assert event.detail == {"roles": ["practitioner", "receptionist"], "before": ["receptionist"]}


def test_the_only_active_administrator_keeps_the_role(database: Database, admin: Actor) -> None:
    """Issue 18's role editing must not lock the clinic out of its own settings."""
    with pytest.raises(ValidationError, match="only active administrator"):
        auth.set_roles(database, admin, admin.user_id, ("practitioner",))
    colleague = auth.create_user(database, admin, "rlane", "Rae Lane", ("administrator",), "long enough pass")
    auth.set_roles(database, admin, admin.user_id, ("practitioner", "administrator"))
    auth.set_active(database, admin, colleague.id, False)  # a deactivated administrator does not count
    with pytest.raises(ValidationError, match="only active administrator"):
        auth.set_roles(database, admin, admin.user_id, ("practitioner",))
    auth.set_active(database, admin, colleague.id, True)
    auth.set_roles(database, admin, admin.user_id, ("practitioner",))
    assert {u.username: u.roles for u in auth.list_users(database, actor_for_rlane(database))}["admin"] == {
        "practitioner"}


def actor_for_rlane(database: Database) -> Actor:
    return auth.sign_in(database, "rlane", "long enough pass")
