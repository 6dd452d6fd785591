"""The tamper suite: each way of changing the record behind AcuDesk's back is found by ``acudesk check``.

The attacker of these tests holds the database file (or the schema owner's rights on the server) and
knows every recipe: they drop the guard triggers first, make their change, and put the triggers back
exactly as they were so that nothing looks missing. What they do not hold is the clinic key, kept
outside the database (services/clinic_key.py). Each case names the finding ``check`` must report;
the untouched clinic must check clean, so every case fails if its detection is taken away.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from acudesk.domain.intake import load_questionnaire
from acudesk.domain.patients import PatientDetails
from acudesk.domain.signing import SESSION_SEALED_FIELDS, session_seal
from acudesk.persistence.database import Database
from acudesk.persistence.guards import checkpoint_guards, guards
from acudesk.persistence.models import AuditEvent, SessionRecord
from acudesk.services import audit, checkpoints, clinic_key, intakes, patients, plans, sessions
from acudesk.services.maintenance import CheckReport, check_database
from acudesk.services.plans import PlanDraft, PlannedPoint, PlannedTechnique

AT = datetime(2026, 3, 4, 10, tzinfo=UTC)


@dataclass
class Clinic:
    database: Database
    patient_id: int
    other_patient_id: int
    intake_id: int
    session_id: int
    amendment_id: int


def _answers(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    result.update(age=52, leg_radiation="none", pain_duration_weeks=30, pain_nrs=6, pain_neck=True)
    result.update(changes)
    return result


@pytest.fixture
def clinic(database: Database, admin) -> Clinic:
    """A clinic with a signed intake, a signed session with points, an amendment, and a checkpoint."""
    pid = patients.register_patient(database, admin, PatientDetails(
        family_name="Lindqvist", given_name="Tor", date_of_birth=date(1972, 9, 9))).id
    other = patients.register_patient(database, admin, PatientDetails(
        family_name="Okafor", given_name="Ada", date_of_birth=date(1980, 1, 2))).id
    intake = intakes.save_intake(database, admin, pid, _answers(), sign=True)
    plan = plans.save_plan(database, admin, pid, PlanDraft(
        "Neck pain", "", "weekly x4", (PlannedPoint("GB20"), PlannedPoint("GV14", "midline")),
        (PlannedTechnique("manual", {"retention_minutes": 25}),)))
    plans.activate_plan(database, admin, plan.id, expected_version=plan.version)
    draft = replace(sessions.new_session_draft(database, admin, pid, AT), nrs_before=6, nrs_after=3, needles_out=3,
                    subjective="Neck stiff on waking.")
    saved = sessions.save_session(database, admin, pid, draft)
    signed = sessions.sign_session(database, admin, saved.id, expected_version=saved.version)
    amendment = sessions.amend_session(database, admin, signed.id, replace(draft, nrs_after=4), "Misread the scale")
    checkpoints.write_checkpoint(database, "daily")
    return Clinic(database, pid, other, intake.id, signed.id, amendment.id)


def _url(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def _check(database: Database) -> CheckReport:
    return check_database(_url(database))


def _all_guards(database: Database):
    dialect = database.engine.dialect.name
    return [*guards(dialect), *checkpoint_guards(dialect)]


def _as_attacker(database: Database, change: Callable[[Session], None], *, restore_guards: bool = True) -> None:
    """Drop every guard trigger, make ``change``, then put the triggers back exactly as migrations made them."""
    dialect = database.engine.dialect.name
    with Session(database.engine) as tx, tx.begin():
        for guard in _all_guards(database):
            tx.execute(text(guard.drop_sql(dialect)))
        change(tx)
        if restore_guards:
            for guard in _all_guards(database):
                tx.execute(text(guard.create_sql))


def _rehash_chain(tx: Session) -> None:
    """The public recipe, applied to the whole chain after an edit."""
    previous = audit.GENESIS_HASH
    for event in tx.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        event.prev_hash = previous
        event.hash = audit._digest(event)
        previous = event.hash
    tx.flush()


def _last_event_id(tx: Session) -> int:
    return tx.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


def _reseal_session(tx: Session, session_id: int) -> None:
    row = tx.execute(text(f"SELECT {', '.join(SESSION_SEALED_FIELDS)} FROM session_records WHERE id = :id"),
                     {"id": session_id}).mappings().one()
    row = {**row, **{k: v for k, v in tx.get(SessionRecord, session_id).__dict__.items() if k.endswith("_at")}}
    points = [{"point_code": p.point_code, "side": p.side, "technique": p.technique, "parameters": p.parameters}
              for p in tx.get(SessionRecord, session_id).points]
    tx.execute(text("UPDATE session_records SET content_digest = :seal WHERE id = :id"),
               {"seal": session_seal(row, points), "id": session_id})


def _sql(*statements: str) -> Callable[[Clinic], Callable[[Session], None]]:
    def change(c: Clinic) -> Callable[[Session], None]:
        def run(tx: Session) -> None:
            for statement in statements:
                tx.execute(text(statement.format(c=c)))
        return run
    return change


def _next_day(c: Clinic) -> Callable[[Session], None]:
    def run(tx: Session) -> None:
        record = tx.get(SessionRecord, c.session_id)
        assert record is not None
        tx.execute(text("UPDATE session_records SET session_at = :at WHERE id = :id"),
                   {"at": record.session_at.replace(tzinfo=None).replace(day=record.session_at.day % 27 + 1),
                    "id": c.session_id})
    return run


CASES: dict[str, tuple[Callable[[Clinic], Callable[[Session], None]], str]] = {
    # The audit trail.
    "edit an audit event": (
        _sql("UPDATE audit_events SET detail = '{{}}' WHERE id = (SELECT MIN(id) + 3 FROM audit_events)"),
        "chain broken at event"),
    "delete an audit event in the middle": (
        _sql("DELETE FROM audit_events WHERE id = (SELECT MIN(id) + 3 FROM audit_events)"), "chain broken at event"),
    "delete the last audit event": (
        lambda c: lambda tx: tx.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": _last_event_id(tx)}),
        "events were removed from its end"),
    "delete every audit event": (_sql("DELETE FROM audit_events"), "events were removed from its end"),
    "rewrite an event and re-hash the chain": (
        lambda c: lambda tx: (tx.execute(text("UPDATE audit_events SET user_id = NULL, detail = '{}' "
                                              "WHERE id = (SELECT MIN(id) + 3 FROM audit_events)")),
                              _rehash_chain(tx)),
        "differ from the daily checkpoint"),
    "delete the last events and re-hash": (
        lambda c: lambda tx: (tx.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": _last_event_id(tx)}),
                              _rehash_chain(tx)),
        "events were removed from its end"),
    # The checkpoints themselves.
    "forge a checkpoint in the database": (
        _sql("INSERT INTO audit_checkpoints (created_at, event_count, head_hash, reason, key_id, mac) "
             "SELECT created_at, event_count - 1, head_hash, reason, key_id, mac FROM audit_checkpoints"),
        "does not verify with the clinic key"),
    "delete the database's checkpoints and the last event": (
        lambda c: lambda tx: (tx.execute(text("DELETE FROM audit_checkpoints")),
                              tx.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": _last_event_id(tx)})),
        "events were removed from its end"),
    "remove the clinic's identity": (_sql("DELETE FROM settings WHERE key = 'clinic_id'"), "no clinic identity"),
    # Signed records.
    "edit a signed session's notes": (
        _sql("UPDATE session_records SET subjective = 'Pain gone.' WHERE id = {c.session_id}"),
        "session record no. {c.session_id} (patient no. {c.patient_id}) was changed after it was signed"),
    "change a signed session's date": (
        _next_day,
        "session record no. {c.session_id} (patient no. {c.patient_id}) was changed after it was signed"),
    "change a signed session's signer": (
        _sql("UPDATE session_records SET signed_by_id = NULL WHERE id = {c.session_id}"),
        "session record no. {c.session_id} (patient no. {c.patient_id}) was changed after it was signed"),
    "move a signed session to another patient": (
        _sql("UPDATE session_records SET patient_id = {c.other_patient_id} WHERE id = {c.session_id}"),
        "session record no. {c.session_id} (patient no. {c.other_patient_id}) was changed after it was signed"),
    "change a needled point of a signed session": (
        _sql("UPDATE session_points SET point_code = 'LI4' WHERE session_id = {c.session_id}"),
        "session record no. {c.session_id} (patient no. {c.patient_id}) was changed after it was signed"),
    "remove a needled point of a signed session": (
        _sql("DELETE FROM session_points WHERE id = (SELECT MIN(id) FROM session_points "
             "WHERE session_id = {c.session_id})"),
        "session record no. {c.session_id} (patient no. {c.patient_id}) was changed after it was signed"),
    "edit a signed intake's answers": (
        _sql("UPDATE intakes SET answers = '{{}}' WHERE id = {c.intake_id}"),
        "intake no. {c.intake_id} (patient no. {c.patient_id}) was changed after it was signed"),
    "lower a signed intake's triage": (
        _sql("UPDATE intakes SET triage_level = 'EMERGENCY' WHERE id = {c.intake_id}"),
        "intake no. {c.intake_id} (patient no. {c.patient_id}) was changed after it was signed"),
    "edit a signed session and re-seal it": (
        lambda c: lambda tx: (tx.execute(text(f"UPDATE session_records SET nrs_after = 0 WHERE id = {c.session_id}")),
                              _reseal_session(tx, c.session_id)),
        "session record no. {c.session_id} (patient no. {c.patient_id}) differs from what was signed"),
    "delete an amendment": (
        _sql("DELETE FROM outcome_measurements WHERE session_id = {c.amendment_id}",
             "DELETE FROM session_points WHERE session_id = {c.amendment_id}",
             "DELETE FROM session_records WHERE id = {c.amendment_id}"),
        "session record no. {c.amendment_id} was signed (audit event"),
    "un-sign a signed session": (
        _sql("UPDATE session_records SET status = 'draft' WHERE id = {c.session_id}"),
        "session record no. {c.session_id} (patient no. {c.patient_id}) was signed (audit event"),
    "insert a signed session with a valid seal": (
        lambda c: lambda tx: (
            tx.execute(text(
                "INSERT INTO session_records (patient_id, practitioner_id, session_at, subjective, objective, "
                "assessment, plan_note, status, amendment_reason, version, created_at, updated_at, signed_by_id) "
                f"SELECT patient_id, practitioner_id, session_at, 'Forged', '', '', '', 'signed', '', 1, created_at, "
                f"updated_at, signed_by_id FROM session_records WHERE id = {c.session_id}")),
            _reseal_session(tx, tx.scalar(text("SELECT MAX(id) FROM session_records")))),
        "has no signing event"),
}


@pytest.fixture
def untouched(clinic: Clinic) -> Clinic:
    report = _check(clinic.database)
    assert report.ok, report.lines()
    return clinic


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_change_behind_acudesks_back_is_found_by_check(untouched: Clinic, case: str) -> None:
    make, finding = CASES[case]
    _as_attacker(untouched.database, make(untouched))
    report = _check(untouched.database)
    text_of = "\n".join(report.lines())
    assert not report.ok, text_of
    assert finding.format(c=untouched) in text_of, text_of


def test_a_dropped_guard_is_reported_missing(untouched: Clinic) -> None:
    database = untouched.database
    dialect = database.engine.dialect.name
    with database.engine.begin() as connection:
        connection.execute(text(guards(dialect)[0].drop_sql(dialect)))
    report = _check(database)
    assert not report.ok and report.missing_rules == ("trigger audit_events_no_update",)


def test_a_guard_rewritten_to_guard_nothing_is_reported_altered(untouched: Clinic) -> None:
    database = untouched.database
    dialect = database.engine.dialect.name
    guard = next(g for g in guards(dialect) if g.name == "session_records_signed_locked")
    weakened = guard.create_sql.replace("OLD.status = 'signed'", "OLD.status = 'never'")
    assert weakened != guard.create_sql
    with database.engine.begin() as connection:
        connection.execute(text(guard.drop_sql(dialect)))
        connection.execute(text(weakened))
    report = _check(database)
    assert not report.ok and report.altered_rules == ("trigger session_records_signed_locked",), report.lines()
    assert not report.missing_rules


def test_an_emptied_trigger_function_is_reported_altered(untouched: Clinic) -> None:
    database = untouched.database
    if database.is_sqlite:
        pytest.skip("SQLite triggers hold their own bodies (the trigger test covers them)")
    with database.engine.begin() as connection:
        connection.execute(text("CREATE OR REPLACE FUNCTION acudesk_refuse() RETURNS trigger LANGUAGE plpgsql "
                                "AS $$ BEGIN RETURN NEW; END $$"))
    report = _check(database)
    assert not report.ok and "function acudesk_refuse" in report.altered_rules


def test_removing_the_checkpoint_log_outside_the_database_is_found(untouched: Clinic) -> None:
    database = untouched.database
    with database.read() as tx:
        clinic_id = checkpoints.clinic_id(tx)
    assert clinic_id is not None
    checkpoints.log_path(clinic_id).unlink()
    _as_attacker(database, lambda tx: tx.execute(text("DELETE FROM audit_checkpoints")))
    report = _check(database)
    assert not report.ok and "is missing, though this computer holds the clinic key" in "\n".join(report.lines())


def test_a_forged_line_in_the_checkpoint_log_is_found(untouched: Clinic) -> None:
    database = untouched.database
    with database.read() as tx:
        clinic_id = checkpoints.clinic_id(tx)
    assert clinic_id is not None
    log = checkpoints.log_path(clinic_id)
    line = json.loads(log.read_text().splitlines()[-1])
    line["event_count"] += 5
    with log.open("a") as file:
        file.write(json.dumps(line) + "\n")
    report = _check(database)
    assert not report.ok and "checkpoint log does not verify with the clinic key" in "\n".join(report.lines())


def test_an_older_copy_put_in_place_without_a_restore_is_found(clinic: Clinic, admin, tmp_path) -> None:
    database = clinic.database
    path = database.sqlite_path
    if path is None:
        pytest.skip("a server is replaced with pg_restore; the same checkpoint comparison applies")
    older = tmp_path / "older.sqlite3"
    from acudesk.persistence.backup import backup_sqlite

    backup_sqlite(path, older)
    patients.register_patient(database, admin, PatientDetails(family_name="Nakamura", given_name="Ren",
                                                              date_of_birth=date(1990, 5, 5)))
    checkpoints.write_checkpoint(database, "daily")
    database.dispose()
    for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        companion.unlink(missing_ok=True)
    shutil.copyfile(older, path)
    report = check_database(path)
    assert not report.ok
    assert "replaced by an older copy without a declared restore" in "\n".join(report.lines())


def test_without_the_clinic_key_the_checkpoints_cannot_vouch_for_the_chain(untouched: Clinic) -> None:
    database = untouched.database
    with database.read() as tx:
        clinic_id = checkpoints.clinic_id(tx)
    assert clinic_id is not None
    clinic_key.key_file(clinic_id).unlink()
    report = _check(database)
    assert not report.ok and "does not hold the clinic key" in "\n".join(report.lines())


def test_the_clinic_key_never_lives_in_the_database(untouched: Clinic) -> None:
    database = untouched.database
    with database.read() as tx:
        clinic_id = checkpoints.clinic_id(tx)
        key = clinic_key.load(clinic_id or "")
        assert key is not None
        dumped = " ".join(str(v) for row in tx.execute(text("SELECT * FROM settings")) for v in row)
        dumped += " ".join(str(v) for row in tx.execute(text("SELECT * FROM audit_checkpoints")) for v in row)
    assert key.secret.hex() not in dumped
    assert oct(clinic_key.key_file(key.clinic_id).stat().st_mode & 0o777) == "0o600"


# Where checkpoints come from, and restores that say so.

def _checkpoint_reasons(database: Database) -> list[str]:
    with database.read() as tx:
        return list(tx.scalars(text("SELECT reason FROM audit_checkpoints ORDER BY id")))


def test_the_first_sign_in_of_a_day_writes_the_days_checkpoint(database: Database, test_setup) -> None:
    from datetime import timedelta

    from acudesk.services import auth

    assert _checkpoint_reasons(database) == ["daily"]  # set-up anchors the trail from its first event
    auth.sign_in(database, test_setup.admin_username, test_setup.admin_password)
    auth.sign_in(database, test_setup.admin_username, test_setup.admin_password)
    assert _checkpoint_reasons(database) == ["daily"]  # once a day, not at every sign-in
    tomorrow = datetime.now(UTC) + timedelta(days=1, minutes=1)
    auth.sign_in(database, test_setup.admin_username, test_setup.admin_password, now=tomorrow)
    assert _checkpoint_reasons(database) == ["daily", "daily"]


def test_a_backup_carries_its_checkpoint_beside_it(clinic: Clinic, admin, tmp_path) -> None:
    database = clinic.database
    if database.sqlite_path is None:
        pytest.skip("server backups are pg_dump files (services/server_backups.py)")
    from acudesk.services.maintenance import backup_database

    copy = backup_database(database, admin, tmp_path / "copy.sqlite3")
    sidecar = checkpoints.read_sidecar(copy)
    assert sidecar is not None and sidecar.reason == "backup" and _checkpoint_reasons(database)[-1] == "backup"
    with database.read() as tx:
        assert sidecar.event_count == checkpoints.chain_head(tx)[0] - 1  # the backup's own audit event follows


def test_restoring_an_older_backup_through_acudesk_is_declared_and_checks_clean(clinic: Clinic, admin,
                                                                                 tmp_path) -> None:
    database = clinic.database
    path = database.sqlite_path
    if path is None:
        pytest.skip("SQLite restore")
    from acudesk.services.backups import restore_backup
    from acudesk.services.maintenance import backup_database

    copy = backup_database(database, admin, tmp_path / "copy.sqlite3")
    patients.register_patient(database, admin, PatientDetails(family_name="Nakamura", given_name="Ren",
                                                              date_of_birth=date(1990, 5, 5)))
    checkpoints.write_checkpoint(database, "daily")  # the newer chain is checkpointed
    restore_backup(admin, copy, path)
    report = check_database(path)
    assert report.ok, report.lines()
    assert report.checkpoints is not None and report.checkpoints.latest is not None
    assert report.checkpoints.latest.reason == "restore"


def test_a_backup_altered_and_re_hashed_is_refused_by_restore(clinic: Clinic, admin, tmp_path) -> None:
    database = clinic.database
    path = database.sqlite_path
    if path is None:
        pytest.skip("SQLite restore")
    from acudesk.domain.errors import DatabaseError
    from acudesk.services.backups import restore_backup
    from acudesk.services.maintenance import backup_database, open_database

    copy = backup_database(database, admin, tmp_path / "copy.sqlite3")
    altered = open_database(copy)
    _as_attacker(altered, lambda tx: (tx.execute(text(
        "UPDATE audit_events SET detail = '{}' WHERE id = (SELECT MIN(id) + 3 FROM audit_events)")),
        _rehash_chain(tx)))
    altered.dispose()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="does not match this clinic's audit checkpoints"):
        restore_backup(admin, copy, path)
    assert path.read_bytes() == before


def test_repair_rules_remakes_what_was_dropped_disabled_or_altered_and_audits_it(untouched: Clinic, admin) -> None:
    from acudesk.services.maintenance import repair_rules

    database = untouched.database
    dialect = database.engine.dialect.name
    guard = next(g for g in guards(dialect) if g.name == "session_records_signed_locked")
    with database.engine.begin() as connection:
        connection.execute(text(guards(dialect)[0].drop_sql(dialect)))  # audit_events_no_update
        connection.execute(text(guard.drop_sql(dialect)))
        connection.execute(text(guard.create_sql.replace("OLD.status = 'signed'", "OLD.status = 'never'")))
        if dialect == "postgresql":
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_delete"))
    assert not _check(database).ok
    remade = repair_rules(database, admin)
    expected = {"trigger audit_events_no_update", "trigger session_records_signed_locked"}
    if dialect == "postgresql":
        expected.add("trigger audit_events_no_delete")
    assert set(remade) == expected
    report = _check(database)
    assert report.ok, report.lines()
    with database.read() as tx:
        event = tx.scalars(select(AuditEvent).where(AuditEvent.action == "repair_rules")).one()
    assert set(event.detail["rules"]) == expected
    assert repair_rules(database, admin) == []  # nothing left to remake


def test_a_workstation_without_the_key_never_makes_a_rival_one(untouched: Clinic, test_setup, tmp_path,
                                                               monkeypatch) -> None:
    """Another computer of a server clinic, before 'acudesk key import': it signs in, backs up and signs out,
    writing no checkpoint and making no key of its own, so the clinic's checkpoints keep verifying."""
    from datetime import timedelta

    from acudesk.services import auth

    database = untouched.database
    before = _checkpoint_reasons(database)
    with monkeypatch.context() as elsewhere:
        elsewhere.setenv("XDG_CONFIG_HOME", str(tmp_path / "second-workstation"))
        tomorrow = datetime.now(UTC) + timedelta(days=1, minutes=1)  # its daily checkpoint is due
        actor = auth.sign_in(database, test_setup.admin_username, test_setup.admin_password, now=tomorrow)
        auth.sign_out(database, actor)
        assert not list((tmp_path / "second-workstation").rglob("*.key"))
        with pytest.raises(Exception, match="does not hold the clinic key"):
            checkpoints.write_checkpoint(database, "manual")
    assert _checkpoint_reasons(database) == before
    report = _check(database)
    assert report.ok, report.lines()
