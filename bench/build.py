"""Building a large synthetic clinic fast, with SQLAlchemy Core bulk inserts, and caching it.

The database is created the way the app creates one (``open_database`` migrates it, then
``create_clinic``), then filled with ``insert(Table)`` executemany batches. Built files are kept in
``bench/.cache/`` keyed by the sizes, the schema revision and ``BUILD_VERSION``, so reruns are fast.
The build runs no ANALYZE: a real clinic's database never gets one either, so the query planner
sees the same (absent) statistics here as in the field. With ``--db URL`` the same clinic is built
as a database on that PostgreSQL server (bench/engines.py), and there it is ``VACUUM ANALYZE``d,
as autovacuum does on a real server.
"""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert, select, update

from acudesk.domain.patients import fold, phone_search_key
from acudesk.persistence.migrations import SCHEMA_HEAD
from acudesk.persistence.models import (
    Appointment,
    CoursePhase,
    Intake,
    Patient,
    PlanPoint,
    PlanTechnique,
    Room,
    SessionPoint,
    SessionRecord,
    TreatmentPlan,
    User,
    UserRole,
    VisitType,
)
from acudesk.services.clinic import ClinicSetup, create_clinic
from acudesk.services.maintenance import open_database
from bench import engines
from bench.engines import Target
from bench.people import NamePicker, drama_phones

BUILD_VERSION = 4  # 2: valid session signature digests; 3: a schedule the database accepts (no overlaps); 4: seals
CACHE_DIR = Path(__file__).resolve().parent / ".cache"
BATCH = 20_000
SEED = 8
TODAY = date(2026, 6, 1)  # fixed so the cached file and the busy week do not drift with the calendar
ZONE = ZoneInfo("Europe/London")
STAMP = datetime(2026, 1, 1, tzinfo=UTC)
CHART_SESSIONS = 50
POINTS = (("BL23", "bilateral"), ("BL25", "bilateral"), ("BL40", "bilateral"), ("GB30", "left"),
          ("GB34", "left"), ("GB20", "bilateral"), ("SI3", "bilateral"), ("KI3", "bilateral"), ("Ashi", "bilateral"))
SETUP = ClinicSetup(
    clinic_name="Benchmark Acupuncture Group", country="GB", subdivision="ENG", timezone="Europe/London",
    admin_username="admin", admin_display_name="Dr Bench Admin", admin_password="bench-password",
    rooms=tuple(f"Room {n}" for n in range(1, 11)),
)


@dataclass(frozen=True)
class Sizes:
    patients: int = 100_000
    appointments: int = 1_000_000
    sessions: int = 500_000
    practitioners: int = 20
    points_per_session: int = 4
    chart_patients: int = 20  # patients with an intake, a plan and exactly CHART_SESSIONS sessions

    @property
    def key(self) -> str:
        return (f"p{self.patients}-a{self.appointments}-s{self.sessions}-u{self.practitioners}"
                f"-pp{self.points_per_session}-c{self.chart_patients}-r{SCHEMA_HEAD}-b{BUILD_VERSION}")


@dataclass(frozen=True)
class Clinic:
    """A built benchmark clinic and the facts the measurements need."""

    path: Target  # the SQLite file, or the clinic database's URL on a PostgreSQL server
    sizes: Sizes
    build_seconds: float
    cached: bool
    chart_patient_ids: tuple[int, ...]
    practitioner_ids: tuple[int, ...]


def cached_clinic(sizes: Sizes, *, rebuild: bool = False, log=print,  # type: ignore[no-untyped-def]
                  server: str | None = None) -> Clinic:
    """The clinic of ``sizes``, built once: a file in CACHE_DIR, or a database on ``server`` (a URL)."""
    if server is not None:
        return _cached_on_server(sizes, server, rebuild=rebuild, log=log)
    CACHE_DIR.mkdir(exist_ok=True)
    path = CACHE_DIR / f"clinic-{sizes.key}.sqlite3"
    if path.exists() and not rebuild:
        return _describe(path, sizes, 0.0, cached=True)
    partial = path.with_suffix(".building")
    for stale in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        stale.unlink(missing_ok=True)
    log(f"building {sizes.key} ...")
    started = time.perf_counter()
    build_clinic(partial, sizes, log=log)
    seconds = time.perf_counter() - started
    shutil.move(partial, path)
    log(f"built in {seconds:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")
    sizes_part = path.name.split("-r")[0]
    for stale in CACHE_DIR.glob(f"{sizes_part}-r*.sqlite3"):  # an older schema or builder: never read again
        if stale != path:
            stale.unlink(missing_ok=True)
    return _describe(path, sizes, seconds, cached=False)


def _cached_on_server(sizes: Sizes, server: str, *, rebuild: bool, log) -> Clinic:  # type: ignore[no-untyped-def]
    name = engines.database_name(sizes.key)
    url = engines.clinic_url(server, name)
    if engines.exists(server, name) and not rebuild:
        return _describe(url, sizes, 0.0, cached=True)
    partial = engines.database_name(sizes.key, "_building")
    engines.drop(server, partial)
    engines.create(server, partial)
    log(f"building {sizes.key} on PostgreSQL ({name}) ...")
    started = time.perf_counter()
    build_clinic(engines.clinic_url(server, partial), sizes, log=log)
    engines.vacuum_analyze(engines.clinic_url(server, partial))
    seconds = time.perf_counter() - started
    engines.drop(server, name)
    engines.rename(server, partial, name)
    log(f"built in {seconds:.1f} s (database {name})")
    return _describe(url, sizes, seconds, cached=False)


def _describe(path: Target, sizes: Sizes, seconds: float, *, cached: bool) -> Clinic:
    database = open_database(path, upgrade=False)
    try:
        with database.engine.connect() as connection:
            practitioners = tuple(connection.scalars(
                select(UserRole.user_id).where(UserRole.role == "practitioner").order_by(UserRole.user_id)))
            charts = tuple(connection.scalars(
                select(TreatmentPlan.patient_id).order_by(TreatmentPlan.id).limit(sizes.chart_patients)))
    finally:
        database.dispose()
    return Clinic(path, sizes, seconds, cached, charts, practitioners)


def build_clinic(path: Target, sizes: Sizes, *, log=print) -> None:  # type: ignore[no-untyped-def]
    database = open_database(path)
    sqlite = database.is_sqlite

    @event.listens_for(database.engine, "connect")
    def _fast_build(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Runs after the app's own connect hook: a throwaway build needs no fsync per batch.
        if sqlite:
            dbapi_connection.execute("PRAGMA synchronous = OFF")
            dbapi_connection.execute("PRAGMA cache_size = -262144")
        else:
            dbapi_connection.execute("SET synchronous_commit = off")
            dbapi_connection.commit()

    database.engine.dispose()
    create_clinic(database, SETUP)
    rng = random.Random(SEED)
    try:
        with database.engine.begin() as connection:
            practitioners = _practitioners(connection, sizes.practitioners)
            rooms = list(connection.scalars(select(Room.id)))
            visit_types = list(connection.scalars(select(VisitType.id).order_by(VisitType.id)))
        stages = (
            ("patients", lambda c: _patients(c, rng, sizes)),
            ("intakes and plans", lambda c: _plans(c, rng, sizes, practitioners)),
            ("appointments", lambda c: _appointments(c, rng, sizes, practitioners, rooms, visit_types)),
            ("session records", lambda c: _sessions(c, rng, sizes, practitioners)),
        )
        for name, stage in stages:
            started = time.perf_counter()
            with database.engine.begin() as connection:
                count = stage(connection)
            log(f"  {name}: {count:,} rows in {time.perf_counter() - started:.1f} s")
        if sqlite:
            with database.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        database.dispose()


def _practitioners(connection, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    existing = list(connection.scalars(select(UserRole.user_id).where(UserRole.role == "practitioner")))
    rows = [
        {"username": f"prac{n:02d}", "display_name": f"Practitioner {n:02d}", "password_hash": None,
         "professional_registration": "", "active": True, "failed_logins": 0, "locked_until": None,
         "created_at": STAMP, "updated_at": STAMP}
        for n in range(len(existing), count)
    ]
    if rows:
        connection.execute(insert(User), rows)
        new = connection.scalars(select(User.id).where(User.username.like("prac%"))).all()
        connection.execute(insert(UserRole), [{"user_id": uid, "role": "practitioner"} for uid in new])
        existing.extend(new)
    return existing[:count]


def _batched(rows: Iterator[dict], connection, table) -> int:  # type: ignore[no-untyped-def]
    batch: list[dict] = []
    total = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            connection.execute(insert(table), batch)
            total += len(batch)
            batch = []
    if batch:
        connection.execute(insert(table), batch)
        total += len(batch)
    return total


def _patients(connection, rng: random.Random, sizes: Sizes) -> int:  # type: ignore[no-untyped-def]
    names = NamePicker(rng).pick(sizes.patients)
    phones = drama_phones()
    keys: dict[str, str] = {}
    phone_keys: dict[str, str] = {}

    def key(text: str) -> str:
        if text not in keys:
            keys[text] = fold(text)
        return keys[text]

    def phone_key(phone: str) -> str:
        if phone not in phone_keys:
            phone_keys[phone] = phone_search_key(phone)
        return phone_keys[phone]

    def rows() -> Iterator[dict]:
        for number, (given, family) in enumerate(names):
            phone = phones[rng.randrange(len(phones))] if rng.random() < 0.97 else ""
            archived = rng.random() < 0.03
            yield {
                "family_name": family, "given_name": given, "preferred_name": "",
                "date_of_birth": TODAY - timedelta(days=rng.randrange(18 * 365, 90 * 365)),
                "sex": "female" if number % 2 else "male", "phone": phone,
                "email": f"{key(given)}.{number}@example.org", "address": f"{number % 200 + 1} Mill Lane, Ashford",
                "gp_name": "Dr S. Okonkwo", "gp_practice": "Bridge Street Surgery",
                "gp_address": "4 Bridge Street, Ashford TN23 1AA", "gp_phone": "+441632960111",
                "emergency_contact_name": "", "emergency_contact_phone": "", "consent_to_treatment": True,
                "consent_date": TODAY - timedelta(days=rng.randrange(1, 2000)), "archived": archived,
                "archived_at": STAMP if archived else None, "family_key": key(family), "given_key": key(given),
                "phone_key": phone_key(phone), "version": 1, "created_at": STAMP, "updated_at": STAMP,
            }

    return _batched(rows(), connection, Patient)


def _chart_patient_ids(sizes: Sizes) -> list[int]:
    """Patients spread through the id range (ids are 1..patients in a fresh build)."""
    count = min(sizes.chart_patients, sizes.patients)
    step = max(1, sizes.patients // max(1, count))
    return [1 + n * step for n in range(count)]


def _plans(connection, rng: random.Random, sizes: Sizes, practitioners: list[int]) -> int:  # type: ignore[no-untyped-def]
    """An intake and an active plan for the chart patients first, then for every third patient."""
    chart = _chart_patient_ids(sizes)
    others = [pid for pid in range(3, sizes.patients + 1, 3) if pid not in set(chart)]
    answers = {"red_flags": {"saddle_anaesthesia": "no", "bladder_bowel_change": "no", "weight_loss": "no"},
               "pain_nrs": 6, "duration_weeks": 14, "pregnant": "no", "anticoagulants": "no"}
    intakes, plans = [], []
    for pid in chart + others:
        who = practitioners[pid % len(practitioners)]
        intakes.append({
            "patient_id": pid, "recorded_by_id": who, "recorded_at": STAMP, "answers": answers,
            "rules_version": "bench", "triage_level": "PROCEED", "triage_reasons": [], "status": "signed",
            "signed_at": STAMP, "signed_by_id": who, "content_digest": "0" * 64, "supersedes_id": None,
            "referral_action": "", "referral_recorded_at": None, "version": 1, "created_at": STAMP,
            "updated_at": STAMP,
        })
    _batched(iter(intakes), connection, Intake)
    intake_ids = dict(connection.execute(select(Intake.patient_id, Intake.id)).all())
    for pid in chart + others:
        plans.append({
            "patient_id": pid, "intake_id": intake_ids[pid], "practitioner_id": practitioners[pid % len(practitioners)],
            "complaint": "Chronic low back pain", "goals": "Reduce pain to 3/10 or less.",
            "course_pattern": "weekly x4, fortnightly x2, monthly x2", "status": "active", "activated_at": STAMP,
            "baseline_nrs": rng.randrange(5, 9), "version": 1, "created_at": STAMP, "updated_at": STAMP,
        })
    _batched(iter(plans), connection, TreatmentPlan)
    plan_ids = list(connection.scalars(select(TreatmentPlan.id)))
    points = ({"plan_id": plan, "point_code": code, "side": side, "note": "", "override_reason": ""}
              for plan in plan_ids for code, side in POINTS[:6])
    _batched(points, connection, PlanPoint)
    _batched(({"plan_id": plan, "technique": "manual", "parameters": {"retention_minutes": 20},
               "override_reason": ""} for plan in plan_ids), connection, PlanTechnique)
    course = (("week", 1, 4), ("week", 2, 2), ("month", 1, 2))
    phases = ({"plan_id": plan, "position": pos, "interval_unit": unit, "interval_count": n, "visits": v,
               "started_at": STAMP}
              for plan in plan_ids for pos, (unit, n, v) in enumerate(course))
    _batched(phases, connection, CoursePhase)
    return len(intakes) + len(plans)


APPOINTMENT_MINUTES = 45
SLOTS_PER_DAY = 12  # 09:00 to 17:15 starts: a practitioner's full day of 45-minute visits
BOOKED_SHARE = 0.8  # the share of slots that hold a visit


def _rooms_for(connection, rooms: list[int], count: int) -> list[int]:  # type: ignore[no-untyped-def]
    """A room per practitioner: the clinic set-up makes a few, the bench clinic adds the rest."""
    missing = count - len(rooms)
    if missing > 0:
        connection.execute(insert(Room), [{"name": f"Bench room {n}", "active": True}
                                          for n in range(len(rooms) + 1, count + 1)])
    return list(connection.scalars(select(Room.id).order_by(Room.id)))[:count]


def _appointments(connection, rng, sizes: Sizes, practitioners, rooms, visit_types) -> int:  # type: ignore[no-untyped-def]
    """A working schedule that the database's rules accept (persistence/visit_guards.py): each
    practitioner in a room of their own, visits back to back without overlap, a patient at most once a
    day. Weekdays are filled from 90 days after TODAY backwards until there are enough visits."""
    offsets: dict[datetime, datetime] = {}
    rooms = _rooms_for(connection, rooms, len(practitioners))

    def utc(local: datetime) -> datetime:
        day = local.replace(hour=12, minute=0)
        if day not in offsets:
            offsets[day] = day.replace(tzinfo=ZONE).astimezone(UTC).replace(tzinfo=None) - day
        return (local + offsets[day]).replace(tzinfo=UTC)

    def rows() -> Iterator[dict]:
        made = 0
        day = TODAY + timedelta(days=90)
        per_day = min(len(practitioners) * SLOTS_PER_DAY, sizes.patients)
        while made < sizes.appointments:
            day -= timedelta(days=1)
            if day.weekday() >= 5:
                continue
            patients_today = iter(rng.sample(range(1, sizes.patients + 1), per_day))
            for practitioner, room in zip(practitioners, rooms, strict=True):
                for slot in range(SLOTS_PER_DAY):
                    if made >= sizes.appointments:
                        return
                    patient = next(patients_today, None)
                    if patient is None:
                        break
                    if rng.random() > BOOKED_SHARE:
                        continue
                    local = datetime.combine(day, clock(9)) + timedelta(minutes=APPOINTMENT_MINUTES * slot)
                    start = utc(local)
                    past = day < TODAY
                    roll = rng.random()
                    status = ("booked" if not past else "completed" if roll < 0.9 else "cancelled" if roll < 0.95
                              else "no_show")
                    made += 1
                    yield {
                        "patient_id": patient, "practitioner_id": practitioner, "room_id": room, "plan_id": None,
                        "visit_type_id": visit_types[roll < 0.2], "course_visit_number": None,
                        "local_start": local, "start_utc": start, "duration_minutes": APPOINTMENT_MINUTES,
                        "changeover_minutes": 0, "status": status, "planned_local_start": local,
                        "moved_from": None, "move_reason": "",
                        "cancel_reason": "Patient unwell" if status == "cancelled" else "",
                        "late_cancellation": False, "arrived_at": start if status == "completed" else None,
                        "completed_at": start + timedelta(minutes=APPOINTMENT_MINUTES) if status == "completed"
                        else None,
                        "version": 1, "created_at": STAMP, "updated_at": STAMP,
                    }

    return _batched(rows(), connection, Appointment)


def _sessions(connection, rng, sizes: Sizes, practitioners) -> int:  # type: ignore[no-untyped-def]
    chart = _chart_patient_ids(sizes)
    plan_of = dict(connection.execute(select(TreatmentPlan.patient_id, TreatmentPlan.id)).all())
    owners = [pid for pid in chart for _ in range(CHART_SESSIONS)][: sizes.sessions]
    chart_set = set(chart)
    while len(owners) < sizes.sessions:
        pid = rng.randrange(1, sizes.patients + 1)
        if pid not in chart_set:
            owners.append(pid)

    per = sizes.points_per_session

    def needled(k: int) -> list[tuple[str, str]]:
        return [POINTS[(k + n) % len(POINTS)] for n in range(per)]

    def rows() -> Iterator[dict]:
        for k, pid in enumerate(owners):
            who = practitioners[pid % len(practitioners)]
            at = datetime.combine(TODAY - timedelta(days=rng.randrange(1, 5 * 365)), clock(10), UTC)
            before = rng.randrange(3, 9)
            row = {
                "patient_id": pid, "appointment_id": None, "plan_id": plan_of.get(pid), "practitioner_id": who,
                "session_at": at, "needles_in": 10, "needles_out": 10, "retention_minutes": 20,
                "nrs_before": before, "nrs_after": max(0, before - 2),
                "subjective": f"Pain {before}/10 this week; sleeping better since the last visit.",
                "objective": "Reduced lumbar flexion; tender paraspinals L3-L5 bilaterally.",
                "assessment": "Improving steadily.", "plan_note": "Continue the course as planned.",
                "status": "draft", "signed_at": at, "signed_by_id": who, "content_digest": None,
                "amends_id": None, "amendment_reason": "", "version": 1, "created_at": STAMP, "updated_at": STAMP,
            }
            row["content_digest"] = _digest({**row, "id": k + 1}, needled(k))  # ids start at 1 (asserted below)
            yield row

    total = _batched(rows(), connection, SessionRecord)
    first = connection.scalar(select(SessionRecord.id).order_by(SessionRecord.id).limit(1)) or 1
    last = connection.scalar(select(SessionRecord.id).order_by(SessionRecord.id.desc()).limit(1)) or 0
    assert first == 1 and last == total, "session ids must be 1, 2, … in a fresh build (their seals cover them)"

    def points() -> Iterator[dict]:
        for k in range(total):
            for code, side in needled(k):
                yield {"session_id": first + k, "point_code": code, "side": side, "technique": "manual",
                       "parameters": {}}

    total += _batched(points(), connection, SessionPoint)
    # Signed last, as in the app: triggers (schema 0003) refuse points added to a signed record.
    connection.execute(update(SessionRecord).where(SessionRecord.status == "draft").values(status="signed"))
    return total


def _digest(row: dict, points: list[tuple[str, str]]) -> str:
    """The seal the sessions service checks, computed by the app's own definition."""
    try:
        from acudesk.services.sessions import seal
    except ImportError:
        return "0" * 64
    record = SimpleNamespace(**row, points=[SimpleNamespace(point_code=code, side=side, technique="manual",
                                                            parameters={}) for code, side in points])
    return seal(record)  # type: ignore[arg-type]


def sizes_dict(sizes: Sizes) -> dict:
    return asdict(sizes)
