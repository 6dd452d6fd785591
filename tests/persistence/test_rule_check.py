"""`acudesk check` says when the database no longer holds its own rules, on both engines."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.persistence.visit_guards import PRACTITIONER_RULE, visit_rules
from acudesk.services import patients
from acudesk.services.context import Actor
from acudesk.services.maintenance import check_database


def _check(database: Database):  # type: ignore[no-untyped-def]
    return check_database(database.engine.url.render_as_string(hide_password=False))


def test_a_healthy_database_has_every_rule(database: Database) -> None:
    report = _check(database)
    assert report.ok, report.lines()
    assert "  database rules: all present, as made" in report.lines()
    assert "  schedule: no clashing visits" in report.lines()
    storage = next(line for line in report.lines() if "storage integrity" in line)
    assert storage.endswith("ok") == database.is_sqlite  # a server's storage is pg_amcheck's business


def test_dropped_or_disabled_rules_and_the_clashes_they_let_in_are_reported(database: Database, admin: Actor) -> None:
    dialect = database.engine.dialect.name
    ids = [patients.register_patient(database, admin, PatientDetails(f"Onyx{n}", "Mo", date(1985, 2, 2))).id
           for n in range(2)]
    with database.engine.begin() as connection:
        for rule in visit_rules(dialect):
            if rule.kind != "index":
                connection.execute(text(rule.drop_sql(dialect)))
        if dialect == "postgresql":
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_delete"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))
        for patient_id in ids:
            connection.execute(text(
                "INSERT INTO appointments (patient_id, practitioner_id, local_start, start_utc, duration_minutes, "
                "changeover_minutes, status, move_reason, cancel_reason, late_cancellation, version, created_at, "
                "updated_at) VALUES (:patient, :practitioner, '2027-03-01 10:00:00', '2027-03-01 10:00:00', 45, 0, "
                "'booked', '', '', false, 1, '2027-01-01 10:00:00', '2027-01-01 10:00:00')"
            ), {"patient": patient_id, "practitioner": admin.user_id})
    report = _check(database)
    assert not report.ok
    assert "trigger audit_events_no_delete" in report.missing_rules
    dropped = [f"{rule.kind} {rule.name}" for rule in visit_rules(dialect) if rule.kind != "index"]
    assert set(dropped) <= set(report.missing_rules)
    assert (f"constraint {PRACTITIONER_RULE}" in dropped) == (dialect == "postgresql")
    assert len(report.clashing_visits) == 1
    assert "practitioner already busy, 2027-03-01 10:00" in report.clashing_visits[0]
    assert any(line.startswith("  database rules: MISSING") for line in report.lines())
