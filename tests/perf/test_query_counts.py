"""SQL statement counts of the screen-loading services: an N+1 regression fails ``make test``.

Each test loads a screen's data for a small and a larger set of rows and counts the statements the
engine sends (SQLAlchemy's ``before_cursor_execute``; transaction control such as SQLite's BEGIN is
not counted, nor is the one sign-in check every use case makes, ``permissions.require``: a test below
proves it is one statement per call whatever the screen). The count must be a small fixed number, the
same whatever the number of rows. No timings here: speed is measured by ``make bench``
(docs/performance.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, insert, select, update

from acudesk.domain.patients import fold, phone_search_key
from acudesk.persistence.database import Database
from acudesk.persistence.models import (
    Appointment,
    CoursePhase,
    Intake,
    Patient,
    PlanPoint,
    PlanTechnique,
    SessionPoint,
    SessionRecord,
    TreatmentPlan,
    UserRole,
)
from acudesk.services import patients
from acudesk.services.context import Actor

STAMP = datetime(2026, 1, 5, 10, tzinfo=UTC)
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
SIGN_IN_CHECK = "FROM sign_in_sessions"  # services/sign_ins.py current_roles: one per use case


@contextmanager
def counted(database: Database, *, sign_in_checks: bool = False) -> Iterator[list[str]]:
    """The statements sent while the block runs, but the sign-in check unless ``sign_in_checks``."""
    statements: list[str] = []

    def remember(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        if statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            return
        if sign_in_checks or SIGN_IN_CHECK not in statement:
            statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", remember)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", remember)


def add_patients(database: Database, count: int, family: str = "Pemberton") -> list[int]:
    rows = [
        {"family_name": family, "given_name": f"Given{n:04d}", "preferred_name": "",
         "date_of_birth": date(1980, 1, 1) + timedelta(days=n), "sex": "unknown", "phone": "+447700900123",
         "email": "", "address": "", "gp_name": "", "gp_practice": "", "gp_address": "", "gp_phone": "",
         "emergency_contact_name": "", "emergency_contact_phone": "", "consent_to_treatment": True,
         "consent_date": None, "archived": False, "archived_at": None, "family_key": fold(family),
         "given_key": fold(f"Given{n:04d}"), "phone_key": phone_search_key("+447700900123"), "version": 1,
         "created_at": STAMP, "updated_at": STAMP}
        for n in range(count)
    ]
    with database.write() as session:
        first = (session.scalar(select(Patient.id).order_by(Patient.id.desc()).limit(1)) or 0) + 1
        session.execute(insert(Patient), rows)
        return list(session.scalars(select(Patient.id).where(Patient.id >= first).order_by(Patient.id)))


def search_and_first_rows(database: Database, actor: Actor, text: str) -> list[str]:
    """What the patient list sends per keystroke: one read transaction, ids and the first rows."""
    with counted(database) as statements:
        patients.search_patients(database, actor, text, limit=patients.LIST_LIMIT + 1, first_rows=80)
    return statements


def test_patient_search_and_first_rows_is_a_fixed_small_number_of_statements(database: Database, admin: Actor) -> None:
    add_patients(database, 3, family="Quayle")
    add_patients(database, 250, family="Pemberton")
    few = search_and_first_rows(database, admin, "quay")
    many = search_and_first_rows(database, admin, "pemb")
    everyone = search_and_first_rows(database, admin, "")
    assert len(few) == len(many) == len(everyone) <= 3, many


@pytest.mark.parametrize("text", ["07700 900", "01/01/1980"])
def test_phone_and_birthday_searches_cost_the_same(database: Database, admin: Actor, text: str) -> None:
    add_patients(database, 120)
    assert len(search_and_first_rows(database, admin, text)) <= 3


def test_patient_rows_for_200_ids_is_one_query(database: Database, admin: Actor) -> None:
    ids = add_patients(database, 200)
    with counted(database) as statements:
        rows = patients.patient_rows(database, admin, list(reversed(ids)))
    assert [row.id for row in rows] == list(reversed(ids))
    assert len(statements) == 1, statements


def test_opening_a_patient_record_is_one_query(database: Database, admin: Actor) -> None:
    [patient_id] = add_patients(database, 1)
    with counted(database) as statements:
        patients.get_patient(database, admin, patient_id)
    assert len(statements) == 1, statements


def test_the_sign_in_check_is_one_statement_per_call(database: Database, admin: Actor) -> None:
    """``permissions.require`` asks the database once per use case, before the use case's own queries."""
    ids = add_patients(database, 200)
    with counted(database, sign_in_checks=True) as statements:
        patients.get_patient(database, admin, ids[0])
        patients.patient_rows(database, admin, ids)
    assert [SIGN_IN_CHECK in statement for statement in statements] == [True, False, True, False], statements


# --- services other issues add: counted when they exist in this checkout -------------------------


def service(module: str, name: str):
    try:
        found = getattr(importlib.import_module(f"acudesk.services.{module}"), name, None)
    except ImportError:
        found = None
    if found is None:
        pytest.skip(f"acudesk.services.{module}.{name} does not exist yet")
    return found


def practitioner_ids(database: Database) -> list[int]:
    with database.read() as session:
        return list(session.scalars(select(UserRole.user_id).where(UserRole.role == "practitioner")))


def add_appointments(database: Database, patient_ids: list[int], practitioner: int, monday: date, count: int) -> None:
    rows = []
    for n in range(count):
        local = datetime(monday.year, monday.month, monday.day, 9) + timedelta(days=n % 5, minutes=15 * (n // 5))
        rows.append({
            # Each patient once a day (the database allows no more: persistence/visit_guards.py).
            "patient_id": patient_ids[n // 5 % len(patient_ids)], "practitioner_id": practitioner, "room_id": None,
            "plan_id": None, "visit_type_id": None, "course_visit_number": None, "local_start": local,
            "start_utc": local.replace(tzinfo=UTC), "duration_minutes": 15, "status": "booked",
            "planned_local_start": local, "moved_from": None, "move_reason": "", "cancel_reason": "",
            "late_cancellation": False, "arrived_at": None, "completed_at": None, "version": 1,
            "created_at": STAMP, "updated_at": STAMP,
        })
    with database.write() as session:
        session.execute(insert(Appointment), rows)


def week_statements(database: Database, actor: Actor, monday: date, appointments: int) -> list[str]:
    between = service("calendar_data", "appointments_between")
    ids = add_patients(database, 8, family=f"Week{appointments}")
    practitioner = practitioner_ids(database)[0]
    add_appointments(database, ids, practitioner, monday, appointments)
    with counted(database) as statements:
        entries = between(database, actor, monday, monday + timedelta(days=6), practitioner)
    assert len(entries) == appointments
    return statements


def test_a_practitioner_week_is_a_fixed_number_of_statements(database: Database, admin: Actor) -> None:
    quiet = week_statements(database, admin, date(2026, 3, 2), 2)
    busy = week_statements(database, admin, date(2026, 3, 9), 40)
    assert len(quiet) == len(busy) <= 3, busy


def add_sessions(database: Database, patient_id: int, count: int) -> None:
    practitioner = practitioner_ids(database)[0]
    rows = [{
        "patient_id": patient_id, "appointment_id": None, "plan_id": None, "practitioner_id": practitioner,
        "session_at": STAMP + timedelta(days=7 * n), "needles_in": 4, "needles_out": 4, "retention_minutes": 20,
        "nrs_before": 6, "nrs_after": 4, "subjective": "", "objective": "", "assessment": "", "plan_note": "",
        "status": "draft", "signed_at": None, "signed_by_id": None, "content_digest": None, "amends_id": None,
        "amendment_reason": "", "version": 1, "created_at": STAMP, "updated_at": STAMP,
    } for n in range(count)]
    with database.write() as session:
        session.execute(insert(SessionRecord), rows)
        ids = list(session.scalars(select(SessionRecord.id).where(SessionRecord.patient_id == patient_id)))
        session.execute(insert(SessionPoint), [
            {"session_id": sid, "point_code": code, "side": "bilateral", "technique": "manual", "parameters": {}}
            for sid in ids for code in ("BL23", "BL40")])
        session.execute(update(SessionRecord).where(SessionRecord.patient_id == patient_id)
                        .values(status="signed", signed_at=STAMP, signed_by_id=practitioner))


def add_plans_and_intakes(database: Database, patient_id: int, count: int) -> None:
    """``count`` signed intakes and ``count`` plans, each plan with points, a technique and phases."""
    practitioner = practitioner_ids(database)[0]
    with database.write() as session:
        session.execute(insert(Intake), [{
            "patient_id": patient_id, "recorded_by_id": practitioner, "recorded_at": STAMP + timedelta(days=n),
            "answers": {}, "rules_version": "test", "triage_level": "PROCEED", "triage_reasons": [],
            "status": "signed", "signed_at": STAMP, "signed_by_id": practitioner, "content_digest": "0" * 64,
            "supersedes_id": None, "referral_action": "", "referral_recorded_at": None, "version": 1,
            "created_at": STAMP, "updated_at": STAMP} for n in range(count)])
        session.execute(insert(TreatmentPlan), [{
            "patient_id": patient_id, "intake_id": None, "practitioner_id": practitioner,
            "complaint": "Low back pain", "goals": "", "course_pattern": "weekly x4", "status": "draft",
            "activated_at": None, "baseline_nrs": 6, "version": 1, "created_at": STAMP + timedelta(days=n),
            "updated_at": STAMP} for n in range(count)])
        plans = list(session.scalars(select(TreatmentPlan.id).where(TreatmentPlan.patient_id == patient_id)))
        session.execute(insert(PlanPoint), [{"plan_id": plan, "point_code": code, "side": "bilateral", "note": "",
                                            "override_reason": ""} for plan in plans for code in ("BL23", "BL40")])
        session.execute(insert(PlanTechnique), [{"plan_id": plan, "technique": "manual", "parameters": {},
                                                "override_reason": ""} for plan in plans])
        session.execute(insert(CoursePhase), [{"plan_id": plan, "position": 0, "interval_unit": "week",
                                              "interval_count": 1, "visits": 4, "started_at": None} for plan in plans])


def chart_statements(database: Database, actor: Actor, module: str, name: str, rows: int) -> list[str]:
    """Statements for one patient with ``rows`` sessions, intakes and plans."""
    function = service(module, name)
    [patient_id] = add_patients(database, 1, family=f"Chart{rows}")
    add_sessions(database, patient_id, rows)
    add_plans_and_intakes(database, patient_id, rows)
    with counted(database) as statements:
        function(database, actor, patient_id)
    return statements


# Each was N+1 until issue 8's fix (docs/performance.md section 6): 2 rows / 8 rows / 50 rows.
CHART_SERVICES = [
    ("sessions", "list_sessions"),  # was 7 / 19 / 103 statements, now 6: points by selectinload, names at once
    ("plans", "list_plans"),  # was 8 / 20 / 104, now 6: points and techniques by selectinload
    ("intakes", "list_intakes"),  # was 6 / 12 / 54, now 5: every recorder's and signer's name in one query
    ("adverse_events", "list_adverse_events"),
    ("outcomes", "outcome_summary"),
    ("documents", "care_summary_data"),
    ("documents", "handout_data"),
]


@pytest.mark.parametrize(("module", "name"), CHART_SERVICES)
def test_chart_screens_do_not_query_per_row(database: Database, admin: Actor, module: str, name: str) -> None:
    few = chart_statements(database, admin, module, name, 2)
    many = chart_statements(database, admin, module, name, 8)
    assert len(few) == len(many), f"{len(few)} statements for 2 rows, {len(many)} for 8:\n" + "\n".join(many)


def add_amendments(database: Database, original: int, count: int) -> None:
    """``count`` signed amendments of session record ``original``, each with two points."""
    with database.write() as session:
        record = session.get(SessionRecord, original)
        assert record is not None
        session.execute(insert(SessionRecord), [{
            "patient_id": record.patient_id, "appointment_id": None, "plan_id": None,
            "practitioner_id": record.practitioner_id, "session_at": record.session_at, "needles_in": 4,
            "needles_out": 4, "retention_minutes": 20, "nrs_before": 6, "nrs_after": 4, "subjective": "",
            "objective": "", "assessment": "", "plan_note": "", "status": "draft", "signed_at": None,
            "signed_by_id": None, "content_digest": None, "amends_id": original,
            "amendment_reason": f"correction {n}", "version": 1, "created_at": STAMP, "updated_at": STAMP,
        } for n in range(count)])
        ids = list(session.scalars(select(SessionRecord.id).where(SessionRecord.amends_id == original)))
        session.execute(insert(SessionPoint), [
            {"session_id": sid, "point_code": "LI4", "side": "bilateral", "technique": "manual", "parameters": {}}
            for sid in ids for _ in range(2)])
        session.execute(update(SessionRecord).where(SessionRecord.amends_id == original)
                        .values(status="signed", signed_at=STAMP, signed_by_id=record.practitioner_id))


def amended_chart(database: Database, rows: int, amendments: int) -> tuple[int, int]:
    """A patient with ``rows`` sessions, the newest amended ``amendments`` times: (patient id, its id)."""
    [patient_id] = add_patients(database, 1, family=f"Amended{rows}x{amendments}")
    add_sessions(database, patient_id, rows)
    with database.read() as session:
        newest = session.scalars(select(SessionRecord.id).where(SessionRecord.patient_id == patient_id)
                                 .order_by(SessionRecord.session_at.desc())).first()
    assert newest is not None
    add_amendments(database, newest, amendments)
    return patient_id, newest


def test_session_list_counts_amendments_without_a_query_per_record(database: Database, admin: Actor) -> None:
    from acudesk.services.sessions import list_sessions

    counts = []
    for rows, amendments in ((2, 1), (8, 6)):
        patient_id, newest = amended_chart(database, rows, amendments)
        with counted(database) as statements:
            listed = list_sessions(database, admin, patient_id)
        assert len(listed) == rows
        assert {s.id: s.amendments for s in listed} == {s.id: amendments if s.id == newest else 0 for s in listed}
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_session_history_is_a_fixed_number_of_statements(database: Database, admin: Actor) -> None:
    from acudesk.services.sessions import session_history

    counts = []
    for amendments in (1, 6):
        _patient_id, newest = amended_chart(database, 2, amendments)
        with counted(database) as statements:
            history = session_history(database, admin, newest)
        assert [s.amends_id for s in history] == [None] + [newest] * amendments
        assert all(len(s.draft.points) == 2 for s in history)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
