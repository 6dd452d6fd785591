"""Signed-in sessions (issue 16): the services check the actor against the database, not its word.

Each promise of docs/security.md, "Signed-in sessions", on SQLite and (with ACUDESK_TEST_DATABASE_URL)
PostgreSQL: a real sign-in passes; an ``Actor`` built by hand, one with widened roles, a signed-out or
replaced sign-in, a deactivated user and a reset password are refused at the next call, with nothing
cached; only the token's SHA-256 is stored.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date

import pytest
from sqlalchemy import select

from acudesk.domain.errors import DatabaseError, PermissionDeniedError
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.persistence.models import AuditEvent
from acudesk.persistence.models.clinic import SignInSession
from acudesk.services import auth, intakes, patients, sign_ins
from acudesk.services.context import ADMINISTRATOR, PRACTITIONER, RECEPTIONIST, Actor

PASSWORD = "correct horse battery"
NOT_VALID = "Your sign-in is no longer valid: sign in again."


def _sessions(database: Database, user_id: int) -> list[SignInSession]:
    with database.read() as tx:
        return list(tx.scalars(select(SignInSession).where(SignInSession.user_id == user_id)
                               .order_by(SignInSession.id)))


def _can_search(actor: Actor, database: Database) -> bool:
    try:
        patients.search_patients(database, actor, "")
    except PermissionDeniedError:
        return False
    return True


def test_a_signed_in_actor_passes_and_its_sign_in_is_a_row(database: Database) -> None:
    actor = auth.sign_in(database, "admin", PASSWORD)
    assert _can_search(actor, database)
    assert auth.list_users(database, actor)
    assert actor.credential is not None
    row = _sessions(database, actor.user_id)[-1]
    assert row.ended_at is None and row.end_reason == ""
    assert row.token_hash == hashlib.sha256(actor.credential.token.encode()).hexdigest()


def test_the_token_itself_is_never_stored(database: Database) -> None:
    actor = auth.sign_in(database, "admin", PASSWORD)
    assert actor.credential is not None
    token = actor.credential.token
    with database.read() as tx:
        for table in ("sign_in_sessions", "audit_events", "users"):
            rows = tx.execute(select(SignInSession.metadata.tables[table])).all()
            assert token not in repr(rows)


def test_the_credential_is_not_part_of_equality_or_repr(database: Database) -> None:
    first = auth.sign_in(database, "admin", PASSWORD)
    second = auth.sign_in(database, "admin", PASSWORD)
    assert first == second and hash(first) == hash(second)
    assert first.credential is not None and first.credential.token not in repr(first)


def test_an_actor_built_by_hand_is_refused(database: Database, admin: Actor) -> None:
    forged = Actor(admin.user_id, admin.username, admin.display_name, admin.roles)
    with pytest.raises(sign_ins.SignInNotValidError) as refused:
        patients.search_patients(database, forged, "")
    assert refused.value.message == NOT_VALID
    with pytest.raises(sign_ins.SignInNotValidError):
        auth.change_password(database, forged, PASSWORD, "a new password")


def test_a_real_credential_on_another_users_actor_is_refused(database: Database, sign_in_as) -> None:
    desk = sign_in_as(RECEPTIONIST, username="desk")
    admin = auth.sign_in(database, "admin", PASSWORD)
    borrowed = Actor(admin.user_id, admin.username, admin.display_name, admin.roles, desk.credential)
    with pytest.raises(sign_ins.SignInNotValidError):
        auth.list_users(database, borrowed)


def test_roles_widened_by_hand_are_refused(database: Database, sign_in_as) -> None:
    desk = sign_in_as(RECEPTIONIST, username="desk")
    pid = patients.register_patient(database, desk, _details()).id
    widened = dataclasses.replace(desk, roles=frozenset({RECEPTIONIST, PRACTITIONER, ADMINISTRATOR}))
    assert widened.credential is desk.credential
    with pytest.raises(PermissionDeniedError, match="does not allow you to view clinical records"):
        intakes.list_intakes(database, widened, pid)
    with pytest.raises(PermissionDeniedError, match="does not allow you to manage user accounts"):
        auth.list_users(database, widened)
    assert _can_search(widened, database)  # what the user's real roles allow still works


def test_roles_taken_away_apply_at_the_next_call(database: Database, admin: Actor, sign_in_as) -> None:
    needles = sign_in_as(PRACTITIONER, username="needles")
    pid = patients.register_patient(database, needles, _details()).id
    assert intakes.list_intakes(database, needles, pid) == []
    auth.set_roles(database, admin, needles.user_id, (RECEPTIONIST,))
    with pytest.raises(PermissionDeniedError, match="view clinical records"):
        intakes.list_intakes(database, needles, pid)


def test_a_signed_out_actor_is_refused_and_the_sign_out_audited(database: Database) -> None:
    actor = auth.sign_in(database, "admin", PASSWORD)
    assert auth.sign_out(database, actor) is True
    with pytest.raises(sign_ins.SignInNotValidError):
        patients.search_patients(database, actor, "")
    assert auth.sign_out(database, actor) is False  # once only: nothing more is written
    row = _sessions(database, actor.user_id)[-1]
    assert row.ended_at is not None and row.end_reason == "signed out"
    with database.read() as tx:
        actions = list(tx.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-2:] == ["login", "logout"]


def test_a_hand_over_signs_the_first_person_out_naming_who_took_over(database: Database, admin: Actor) -> None:
    """"Sign in as someone else" at a locked window (ui/hand_over.py): the receptionist signs in, then the
    practitioner's sign-in ends with a logout that names the receptionist's account; she acts on."""
    auth.create_user(database, admin, "jbrook", "Jess Brook", (RECEPTIONIST,), PASSWORD)
    practitioner = auth.sign_in(database, "admin", PASSWORD)
    desk = auth.sign_in(database, "jbrook", PASSWORD)
    assert auth.sign_out(database, practitioner, handed_over_to=desk) is True
    with pytest.raises(sign_ins.SignInNotValidError):
        patients.search_patients(database, practitioner, "")
    patients.search_patients(database, desk, "")
    with database.read() as tx:
        last = tx.execute(select(AuditEvent.action, AuditEvent.user_id, AuditEvent.detail)
                          .order_by(AuditEvent.id.desc()).limit(1)).one()
    assert tuple(last) == ("logout", practitioner.user_id, {"handed_over_to": desk.user_id})


def test_signing_out_ends_only_that_sign_in(database: Database) -> None:
    here = auth.sign_in(database, "admin", PASSWORD)
    there = auth.sign_in(database, "admin", PASSWORD)
    auth.sign_out(database, here)
    assert not _can_search(here, database)
    assert _can_search(there, database)


def test_a_deactivated_user_is_refused_at_once(database: Database, admin: Actor, sign_in_as) -> None:
    desk = sign_in_as(RECEPTIONIST, username="desk")
    assert _can_search(desk, database)
    auth.set_active(database, admin, desk.user_id, False)
    with pytest.raises(sign_ins.SignInNotValidError, match="sign in again"):
        patients.search_patients(database, desk, "")
    assert [row.end_reason for row in _sessions(database, desk.user_id)] == ["deactivated"]
    auth.set_active(database, admin, desk.user_id, True)  # reactivated: the old sign-in stays ended
    assert not _can_search(desk, database)
    assert _can_search(auth.sign_in(database, "desk", PASSWORD), database)


def test_a_reset_password_ends_every_sign_in_of_that_user(database: Database, admin: Actor, sign_in_as) -> None:
    desk = sign_in_as(RECEPTIONIST, username="desk")
    elsewhere = auth.sign_in(database, "desk", PASSWORD)
    auth.reset_password(database, admin, desk.user_id, "a brand new password")
    assert not _can_search(desk, database) and not _can_search(elsewhere, database)
    assert {row.end_reason for row in _sessions(database, desk.user_id)} == {"password reset"}
    assert _can_search(auth.sign_in(database, "desk", "a brand new password"), database)


def test_an_administrator_resetting_their_own_password_stays_signed_in_there(database: Database) -> None:
    here = auth.sign_in(database, "admin", PASSWORD)
    other = auth.sign_in(database, "admin", PASSWORD)
    auth.reset_password(database, here, here.user_id, "a brand new password")
    assert _can_search(here, database)
    assert not _can_search(other, database)


def test_unlocking_signs_in_anew_and_ends_the_locked_sign_in(database: Database) -> None:
    before = auth.sign_in(database, "admin", PASSWORD)
    with pytest.raises(auth.AuthenticationError):
        auth.unlock(database, before, "wrong password")
    assert _can_search(before, database)  # a wrong password leaves the locked window's sign-in as it was
    after = auth.unlock(database, before, PASSWORD)
    assert _can_search(after, database)
    assert not _can_search(before, database)
    assert _sessions(database, before.user_id)[-2].end_reason == "unlocked"


def test_set_up_and_the_tests_stand_in_are_signed_in(empty_database: Database, test_setup) -> None:
    from acudesk.services.clinic import create_clinic, default_actor

    founder = create_clinic(empty_database, test_setup)
    assert _can_search(founder, empty_database)
    assert _can_search(default_actor(empty_database), empty_database)
    assert len(_sessions(empty_database, founder.user_id)) == 2


def test_the_demo_clinic_signs_in_its_administrator(empty_database: Database) -> None:
    from acudesk.services.demo import build_demo_clinic

    actor = build_demo_clinic(empty_database, patients=3)
    assert actor.username == "mchen"
    assert _can_search(actor, empty_database)


def test_a_read_only_database_cannot_be_signed_in_to(tmp_path, test_setup) -> None:
    """``acudesk check`` and ``audit verify`` open read-only and act for nobody (they take no actor); a
    sign-in writes its row and audit event, so on a read-only database it is refused, nothing changed."""
    from acudesk.services.clinic import create_clinic
    from acudesk.services.maintenance import open_database, open_read_only

    path = tmp_path / "clinic.sqlite3"
    writable = open_database(path)
    create_clinic(writable, test_setup)
    writable.dispose()
    before = path.read_bytes()
    read_only = open_read_only(path)
    try:
        with pytest.raises(DatabaseError):
            auth.sign_in(read_only, "admin", PASSWORD)
    finally:
        read_only.dispose()
    assert path.read_bytes() == before


def _details() -> PatientDetails:
    return PatientDetails(family_name="Lovelace", given_name="Ada", date_of_birth=date(1980, 12, 10))
