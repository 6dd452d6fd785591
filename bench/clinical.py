"""Calendar and chart measurements: a practitioner's busy week, the whole clinic's day, a patient chart.

Each uses the app's own service when it exists in this checkout (``calendar_data``, ``intakes``,
``plans``, ``sessions``) and otherwise a direct ORM query on the indexed columns; the ``path``
field of every result says which one ran. Floors are hand-written SQL on a bare sqlite3 (or psycopg)
connection.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, Intake, Patient, SessionRecord, TreatmentPlan
from acudesk.services.clinic import default_actor
from acudesk.services.context import Actor
from bench import engines
from bench.build import CHART_SESSIONS, TODAY, Clinic
from bench.engines import open_clinic
from bench.floor import Raw, captured, query_plan, raw_connection, replay, statements_of
from bench.stats import Timing, repeat_each

ZONE = ZoneInfo("Europe/London")


@dataclass
class Measured:
    service: Timing
    floor: Timing | None
    path: str  # which code ran: "service acudesk.services.x.f" or "direct ORM query"
    detail: dict[str, Any]


def service_function(module: str, name: str) -> Callable[..., Any] | None:
    try:
        return getattr(importlib.import_module(f"acudesk.services.{module}"), name, None)
    except ImportError:
        return None


def _weeks(count: int) -> list[date]:
    monday = TODAY - timedelta(days=TODAY.weekday())
    return [monday - timedelta(weeks=n) for n in range(1, count + 1)]


def _utc_range(first: date, days: int) -> tuple[datetime, datetime]:
    begin = datetime.combine(first, time(0), ZONE).astimezone(UTC)
    return begin, datetime.combine(first + timedelta(days=days), time(0), ZONE).astimezone(UTC)


def _instant(raw: Raw, value: datetime) -> str | datetime:
    """An instant as the bare driver compares it with ``start_utc``: SQLite stores naive UTC text,
    PostgreSQL a timestamp with time zone."""
    if isinstance(raw, engines.PostgresRaw):
        return value.astimezone(UTC)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def busy_week(clinic: Clinic, runs: int) -> Measured:
    """Appointments of one practitioner over 7 days: what a week view runs."""
    database = open_clinic(clinic.path)
    raw = raw_connection(clinic.path)
    try:
        actor = default_actor(database)
        between = service_function("calendar_data", "appointments_between")
        cases = [(p, w) for p in clinic.practitioner_ids[:4] for w in _weeks(3)]
        works, floors, counts = [], [], []
        for practitioner, monday in cases:
            if between is not None:
                works.append(lambda p=practitioner, m=monday: between(database, actor, m, m + timedelta(days=6), p))
            else:
                works.append(lambda p=practitioner, m=monday: _week_orm(database, p, m))
            begin, end = (_instant(raw, instant) for instant in _utc_range(monday, 7))
            floors.append(lambda p=practitioner, b=begin, e=end: raw.execute(
                "SELECT a.id, a.version, a.patient_id, p.given_name, p.family_name, a.practitioner_id, u.display_name,"
                " a.room_id, r.name, v.name, a.status, a.local_start, a.duration_minutes, a.start_utc, a.plan_id,"
                " a.course_visit_number, a.moved_from, a.move_reason, a.cancel_reason, a.late_cancellation"
                " FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN users u ON u.id = a.practitioner_id"
                " LEFT JOIN rooms r ON r.id = a.room_id LEFT JOIN visit_types v ON v.id = a.visit_type_id"
                " WHERE a.practitioner_id = ? AND a.start_utc >= ? AND a.start_utc < ?"
                " ORDER BY a.start_utc, a.id", (p, b, e)).fetchall())
            counts.append(len(works[-1]()))
        path = ("service acudesk.services.calendar_data.appointments_between" if between
                else "direct ORM query (no calendar service yet)")
        return Measured(repeat_each(works, runs), repeat_each(floors, runs), path,
                        {"appointments_per_week": counts})
    finally:
        raw.close()
        database.dispose()


def _week_orm(database: Database, practitioner: int, monday: date) -> list[Any]:
    begin, end = _utc_range(monday, 7)
    with database.read() as session:
        return session.execute(
            select(Appointment, Patient.given_name, Patient.family_name)
            .join(Patient, Patient.id == Appointment.patient_id)
            .where(Appointment.practitioner_id == practitioner, Appointment.start_utc >= begin,
                   Appointment.start_utc < end)
            .order_by(Appointment.start_utc)).all()


def clinic_day(clinic: Clinic, runs: int) -> Measured | None:
    """The front desk's list of one day across every practitioner (``todays_list``), if it exists."""
    todays = service_function("calendar_data", "todays_list")
    if todays is None:
        return None
    database = open_clinic(clinic.path)
    raw = raw_connection(clinic.path)
    try:
        actor = default_actor(database)
        days = [monday + timedelta(days=1) for monday in _weeks(3)]
        works = [lambda d=d: todays(database, actor, day=d) for d in days]
        with captured(database) as statements:
            count = len(works[0]())
        plans = [line for sql, params in statements if "FROM appointments" in sql
                 for line in query_plan(raw, (sql, params))]
        return Measured(repeat_each(works, runs), None, "service acudesk.services.calendar_data.todays_list",
                        {"appointments_per_day": count, "plan": plans})
    finally:
        raw.close()
        database.dispose()


def course_preview(clinic: Clinic, runs: int) -> Measured | None:
    """Previewing a 12-visit weekly course among a practitioner's booked weeks (issue 14's slot finder).

    The floor replays the appointment reads the preview sent (one per window of days the finder needed)."""
    preview = service_function("courses", "preview_course")
    request_type = getattr(importlib.import_module("acudesk.services.courses"), "BookingRequest", None)
    if preview is None or request_type is None:
        return None
    database = open_clinic(clinic.path)
    raw = raw_connection(clinic.path)
    try:
        actor = default_actor(database)
        monday = TODAY - timedelta(days=TODAY.weekday())
        now = datetime.combine(monday - timedelta(days=3), time(9), ZONE)
        room_of = {p: raw.execute("SELECT room_id FROM appointments WHERE practitioner_id = ? LIMIT 1",
                                  (p,)).fetchone()[0] for p in clinic.practitioner_ids[:4]}
        cases = [(p, monday + timedelta(weeks=w), hour)
                 for p in clinic.practitioner_ids[:4] for w, hour in ((1, 10), (2, 14), (3, 16))]
        works = [  # in the practitioner's usual room; the finder may offer the others
            lambda p=p, day=day, hour=hour: preview(database, actor, request_type(
                1, p, room_of[p], datetime.combine(day, time(hour)), "weekly x12"), now=now)
            for p, day, hour in cases
        ]
        statements = [statements_of(database, work, touching="appointments") for work in works]
        floors = [replay(raw, s) for s in statements]
        shown = works[0]()
        detail = {"visits": len(shown.visits), "moved": sum(1 for v in shown.visits if v.moved),
                  "drifted": len(shown.drifted), "appointment_reads": [len(s) for s in statements]}
        return Measured(repeat_each(works, runs), repeat_each(floors, runs),
                        "service acudesk.services.courses.preview_course", detail)
    finally:
        raw.close()
        database.dispose()


def chart_open(clinic: Clinic, runs: int) -> list[tuple[str, Measured]]:
    """A patient's chart: intakes, plans and 50 session records with their points."""
    database = open_clinic(clinic.path)
    raw = raw_connection(clinic.path)
    try:
        actor = default_actor(database)
        patients = list(clinic.chart_patient_ids[:10])
        floors = [lambda pid=pid: _chart_floor(raw, pid) for pid in patients]
        floor = repeat_each(floors, runs)
        direct = [lambda pid=pid: _chart_orm(database, pid) for pid in patients]
        results = [("direct", Measured(repeat_each(direct, runs), floor, "direct ORM queries (selectinload)",
                                       {"sessions": len(direct[0]()[2])}))]
        functions = {name: service_function(module, name) for module, name in
                     (("intakes", "list_intakes"), ("plans", "list_plans"), ("sessions", "list_sessions"))}
        if all(functions.values()):
            works = [lambda pid=pid: _chart_services(functions, database, actor, pid) for pid in patients]
            with captured(database) as statements:
                sessions = len(works[0]()[2])
            results.insert(0, ("services", Measured(
                repeat_each(works, runs), floor,
                "services list_intakes + list_plans + list_sessions",
                {"sessions": sessions, "statements": len(statements)})))
        return results
    finally:
        raw.close()
        database.dispose()


def _chart_services(functions: dict[str, Any], database: Database, actor: Actor, patient_id: int) -> tuple:
    names = ("list_intakes", "list_plans", "list_sessions")
    return tuple(functions[name](database, actor, patient_id) for name in names)


def _chart_orm(database: Database, patient_id: int) -> tuple:
    with database.read() as session:
        intake = session.scalars(select(Intake).where(Intake.patient_id == patient_id)
                                 .order_by(Intake.recorded_at.desc()).limit(1)).first()
        plans = session.scalars(
            select(TreatmentPlan).where(TreatmentPlan.patient_id == patient_id)
            .options(selectinload(TreatmentPlan.points), selectinload(TreatmentPlan.techniques),
                     selectinload(TreatmentPlan.phases))).all()
        sessions = session.scalars(
            select(SessionRecord).where(SessionRecord.patient_id == patient_id)
            .order_by(SessionRecord.session_at.desc()).limit(CHART_SESSIONS)
            .options(selectinload(SessionRecord.points))).all()
        return intake, plans, [(s, list(s.points)) for s in sessions]


def _chart_floor(raw, patient_id: int) -> int:  # type: ignore[no-untyped-def]
    rows = raw.execute("SELECT * FROM intakes WHERE patient_id = ? ORDER BY recorded_at DESC LIMIT 1",
                       (patient_id,)).fetchall()
    plans = raw.execute("SELECT * FROM treatment_plans WHERE patient_id = ?", (patient_id,)).fetchall()
    ids = [p[0] for p in plans]
    marks = ",".join("?" * len(ids))
    for table in ("plan_points", "plan_techniques", "course_phases") if ids else ():
        rows += raw.execute(f"SELECT * FROM {table} WHERE plan_id IN ({marks})", ids).fetchall()
    sessions = raw.execute("SELECT * FROM session_records WHERE patient_id = ? ORDER BY session_at DESC LIMIT ?",
                           (patient_id, CHART_SESSIONS)).fetchall()
    ids = [s[0] for s in sessions]
    marks = ",".join("?" * len(ids))
    if ids:  # PostgreSQL refuses an empty IN list (a clinic built with --sessions 0)
        rows += raw.execute(f"SELECT * FROM session_points WHERE session_id IN ({marks})", ids).fetchall()
    return len(rows) + len(plans) + len(sessions)


def open_working_copy(clinic: Clinic, folder: Path) -> engines.Target:
    """Measurements that write (audit 'view' events) run on a copy, so the cached clinic never drifts:
    a file copy, or on PostgreSQL a database created from the cached one as template."""
    import shutil

    if engines.is_postgres(clinic.path):
        url = str(clinic.path)
        copy = engines.name_of(url)[:55] + "_work"
        engines.drop(url, copy)
        engines.create(url, copy, template=engines.name_of(url))
        return engines.clinic_url(url, copy)
    target = folder / "work.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(clinic.path, target)
    return target


def close_working_copy(clinic: Clinic) -> None:
    """Drop a PostgreSQL working copy (a file copy goes with its temporary folder)."""
    if engines.is_postgres(clinic.path):
        engines.drop(str(clinic.path), engines.name_of(str(clinic.path)))
