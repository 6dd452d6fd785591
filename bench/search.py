"""Patient type-ahead search through the service layer, next to the same SQL in bare sqlite3.

One "search" is what the patient list does per keystroke on its worker: ``search_patients`` (the
matching ids, at most LIST_LIMIT + 1, and the rows of the first 80, in one read transaction). The
floor replays the patient SELECTs the service sent (same SQL, same parameters, same index) on a
plain ``sqlite3`` connection, or a plain psycopg one on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from acudesk.domain.patients import fold
from acudesk.persistence.database import Database
from acudesk.persistence.models import Patient
from acudesk.services.clinic import default_actor
from acudesk.services.context import Actor
from acudesk.services.patients import LIST_LIMIT, search_patients
from bench.engines import Target, open_clinic
from bench.floor import query_plan, raw_connection, replay, statements_of
from bench.stats import Timing, repeat

FIRST_ROWS = 80  # acudesk.ui.patient_model.FIRST_ROWS (not imported: that module imports Qt)


@dataclass(frozen=True)
class Query:
    kind: str  # name | phone | dob | empty
    text: str


@dataclass
class KindResult:
    service: Timing = field(default_factory=Timing)
    floor: Timing = field(default_factory=Timing)
    queries: list[dict[str, Any]] = field(default_factory=list)


def typeahead_queries(database: Database) -> list[Query]:
    """What receptionists type: growing name prefixes of a common, a middling and a rare family name,
    "family given" pairs, phone fragments and full numbers, and dates of birth."""
    with database.read() as session:
        ranked = session.execute(
            select(Patient.family_name, func.count()).group_by(Patient.family_name).order_by(func.count().desc())
        ).all()
        picks = [ranked[0][0], ranked[len(ranked) // 10][0], ranked[len(ranked) // 2][0]]
        births: list[date] = list(session.scalars(select(Patient.date_of_birth).order_by(Patient.id).limit(3)))
        phones = list(session.scalars(select(Patient.phone).where(Patient.phone != "").order_by(Patient.id).limit(2)))
        given = session.scalar(select(Patient.given_name).where(Patient.family_name == picks[0]).limit(1)) or "a"
    queries = []
    for family in picks:
        key = fold(family)
        queries += [Query("name", key[:n]) for n in (1, 2, 3)] + [Query("name", family)]
    queries.append(Query("name", f"{picks[0]} {given[:2]}"))
    queries.append(Query("name", f"{given} {picks[0][:3]}"))
    for phone in phones:
        national = "0" + phone[3:]
        queries += [Query("phone", national[:5] + " " + national[5:8]), Query("phone", national)]
    queries.append(Query("phone", "+44 7700 90"))
    queries += [Query("dob", f"{born:%d/%m/%Y}") for born in births]
    return queries


def one_search(database: Database, actor: Actor, text: str) -> Callable[[], int]:
    def run() -> int:
        # as the patient list asks (acudesk.ui.patient_list)
        return len(search_patients(database, actor, text, limit=LIST_LIMIT + 1, first_rows=FIRST_ROWS).ids)

    return run


def measure_search(path: Target, queries: list[Query], runs: int) -> dict[str, KindResult]:
    """Median/p95 per query kind (samples of every query of that kind pooled), service and floor."""
    database = open_clinic(path)
    raw = raw_connection(path)
    try:
        actor = default_actor(database)
        results: dict[str, KindResult] = {}
        for query in queries:
            work = one_search(database, actor, query.text)
            matches = work()
            statements = statements_of(database, work, touching="patients")
            service = repeat(work, runs)
            floor = repeat(replay(raw, statements), runs)
            result = results.setdefault(query.kind, KindResult())
            result.service.samples_ms += service.samples_ms
            result.floor.samples_ms += floor.samples_ms
            result.queries.append({
                "text": query.text, "matches": matches, "service": service.as_json(), "floor": floor.as_json(),
                "plan": query_plan(raw, statements[0]) if statements else [],
            })
        return results
    finally:
        raw.close()
        database.dispose()


def measure_first_rows(path: Target, runs: int) -> tuple[Timing, Timing, int]:
    """The list's first search (empty text: every active patient's id, then 80 rows), service and floor."""
    database = open_clinic(path)
    raw = raw_connection(path)
    try:
        actor = default_actor(database)
        work = one_search(database, actor, "")
        matches = work()
        statements = statements_of(database, work, touching="patients")
        return repeat(work, runs), repeat(replay(raw, statements), runs), matches
    finally:
        raw.close()
        database.dispose()
