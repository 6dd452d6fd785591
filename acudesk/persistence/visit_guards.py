"""The schedule's invariants, held by the database itself on both engines.

No two active visits (booked, checked in or completed) may overlap for one practitioner, overlap
(changeover included) for one room, or fall on the same local day for one patient. The services
check all of this first and explain every problem (domain/scheduling/conflicts.py); these rules are
the floor under them, so that two workstations booking the same slot at the same moment, or a bug
in a service, cannot break them:

- PostgreSQL: two exclusion constraints over a time range per visit (``btree_gist`` lets the
  practitioner or room id take part in the GiST index with ``=``), and a partial unique index on
  (patient, local day). Under READ COMMITTED a second transaction inserting a clashing row waits
  for the first to finish and then fails, so exactly one of them wins.
- SQLite: writers are serialised by ``BEGIN IMMEDIATE`` (persistence/database.py); triggers refuse
  an INSERT or UPDATE that would clash, and the same partial unique index holds the patient's day.

Each rule has a name that appears in the database's error message on both engines, so the services
can say which rule a refused visit broke (:func:`broken_rule`). Visits last 1 to 720 minutes with a
changeover of 0 to 240 minutes (a CHECK on PostgreSQL, in the triggers on SQLite); the SQLite
triggers rely on that to look only one day either side of a visit.

DDL kept beside the models, like the guard triggers and the search indexes: declaring exclusion
constraints on the model would import PostgreSQL's dialect on every start.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, inspect, text

ACTIVE_STATUSES = ("booked", "arrived", "completed")
_ACTIVE = "status IN ('booked', 'arrived', 'completed')"

PRACTITIONER_RULE = "appointments_practitioner_no_overlap"
ROOM_RULE = "appointments_room_no_overlap"
PATIENT_DAY_RULE = "appointments_patient_one_per_day"
DURATION_RULE = "appointments_sane_duration"

RULE_MESSAGES = {
    PRACTITIONER_RULE: "the practitioner already has a visit at that time",
    ROOM_RULE: "the room is already taken at that time (changeover included)",
    PATIENT_DAY_RULE: "the patient already has a visit on that day",
    DURATION_RULE: "a visit lasts 1 to 720 minutes, with a changeover of 0 to 240 minutes",
}
MAX_DURATION_MINUTES = 720
MAX_CHANGEOVER_MINUTES = 240

# The columns whose change can create a clash; SQLite's update trigger watches only these.
WATCHED_COLUMNS = ("patient_id", "practitioner_id", "room_id", "local_start", "start_utc", "duration_minutes",
                   "changeover_minutes", "status")


@dataclass(frozen=True)
class DatabaseRule:
    """One object in the database that holds a schedule invariant: its name, kind and DDL."""

    name: str
    kind: str  # "constraint", "index" or "trigger": what `acudesk check` looks for
    create_sql: str

    def drop_sql(self, dialect: str) -> str:
        if self.kind == "constraint":
            return f"ALTER TABLE appointments DROP CONSTRAINT IF EXISTS {self.name}"
        if self.kind == "index":
            return f"DROP INDEX IF EXISTS {self.name}"
        return f"DROP TRIGGER IF EXISTS {self.name}" + (" ON appointments" if dialect == "postgresql" else "")


def _postgresql() -> list[DatabaseRule]:
    busy = "tsrange(start_utc, start_utc + make_interval(mins => duration_minutes))"
    room_busy = "tsrange(start_utc, start_utc + make_interval(mins => duration_minutes + changeover_minutes))"
    return [
        DatabaseRule(DURATION_RULE, "constraint",
                     f"ALTER TABLE appointments ADD CONSTRAINT {DURATION_RULE} CHECK "
                     f"(duration_minutes BETWEEN 1 AND {MAX_DURATION_MINUTES} "
                     f"AND changeover_minutes BETWEEN 0 AND {MAX_CHANGEOVER_MINUTES})"),
        DatabaseRule(PRACTITIONER_RULE, "constraint",
                     f"ALTER TABLE appointments ADD CONSTRAINT {PRACTITIONER_RULE} EXCLUDE USING gist "
                     f"(practitioner_id WITH =, {busy} WITH &&) WHERE ({_ACTIVE})"),
        DatabaseRule(ROOM_RULE, "constraint",
                     f"ALTER TABLE appointments ADD CONSTRAINT {ROOM_RULE} EXCLUDE USING gist "
                     f"(room_id WITH =, {room_busy} WITH &&) WHERE ({_ACTIVE} AND room_id IS NOT NULL)"),
        DatabaseRule(PATIENT_DAY_RULE, "index",
                     f"CREATE UNIQUE INDEX {PATIENT_DAY_RULE} ON appointments "
                     f"(patient_id, (CAST(local_start AS date))) WHERE {_ACTIVE}"),
    ]


def _seconds(column: str) -> str:
    """Whole seconds since 1970 of a stored instant: exact integer arithmetic for the overlap tests."""
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


def _sqlite_clash(rule: str, same: str, length: str, *, new: str = "NEW") -> str:
    """A trigger statement that aborts with ``rule``'s name when another active visit clashes."""
    other_length = length.replace(f"{new}.", "o.")
    return (
        f"SELECT RAISE(ABORT, '{rule}: {RULE_MESSAGES[rule]}') "
        f"WHERE {new}.{_ACTIVE} AND {new}.{same} IS NOT NULL AND EXISTS ("
        f"SELECT 1 FROM appointments AS o WHERE o.{same} = {new}.{same} AND o.{_ACTIVE} "
        f"AND o.id IS NOT {new}.id "
        # Visits last less than a day: only neighbours within a day either side can clash (index range).
        f"AND o.start_utc > datetime({new}.start_utc, '-1 day') AND o.start_utc < datetime({new}.start_utc, '+1 day') "
        f"AND {_seconds('o.start_utc')} < {_seconds(f'{new}.start_utc')} + ({length}) * 60 "
        f"AND {_seconds(f'{new}.start_utc')} < {_seconds('o.start_utc')} + ({other_length}) * 60);"
    )


def _sqlite_trigger(name: str, event: str) -> DatabaseRule:
    sane = (f"SELECT RAISE(ABORT, '{DURATION_RULE}: {RULE_MESSAGES[DURATION_RULE]}') WHERE "
            f"NEW.duration_minutes NOT BETWEEN 1 AND {MAX_DURATION_MINUTES} "
            f"OR NEW.changeover_minutes NOT BETWEEN 0 AND {MAX_CHANGEOVER_MINUTES};")
    clashes = " ".join((
        _sqlite_clash(PRACTITIONER_RULE, "practitioner_id", "NEW.duration_minutes"),
        _sqlite_clash(ROOM_RULE, "room_id", "NEW.duration_minutes + NEW.changeover_minutes"),
    ))
    return DatabaseRule(
        name, "trigger",
        f"CREATE TRIGGER {name} BEFORE {event} ON appointments FOR EACH ROW "
        f"BEGIN {sane} {clashes} END",
    )


def _sqlite() -> list[DatabaseRule]:
    return [
        _sqlite_trigger("appointments_no_overlap_insert", "INSERT"),
        _sqlite_trigger("appointments_no_overlap_update", f"UPDATE OF {', '.join(WATCHED_COLUMNS)}"),
        DatabaseRule(PATIENT_DAY_RULE, "index",
                     f"CREATE UNIQUE INDEX {PATIENT_DAY_RULE} ON appointments "
                     f"(patient_id, substr(local_start, 1, 10)) WHERE {_ACTIVE}"),
    ]


def visit_rules(dialect: str) -> list[DatabaseRule]:
    """The database objects that hold the schedule's invariants on ``dialect``."""
    return _postgresql() if dialect == "postgresql" else _sqlite()


def broken_rule(error: BaseException) -> str | None:
    """Which schedule rule a database error reports (its name appears in the message), or None."""
    text = str(getattr(error, "orig", None) or error)
    for rule in (PRACTITIONER_RULE, ROOM_RULE, PATIENT_DAY_RULE, DURATION_RULE):
        if rule in text:
            return rule
    if "UNIQUE constraint failed: appointments.patient_id" in text:  # SQLite names columns, not the index
        return PATIENT_DAY_RULE
    return None


def clashing_visits(connection: Connection, limit: int = 20) -> list[str]:
    """Active visits that break a rule, by id and time (no names): what a database held before these
    rules existed, or after someone removed them (``acudesk check``). One pass per rule over the
    visits in time order (a window function: each visit against the latest end before it), never a
    join of every visit with every other."""
    postgresql = connection.dialect.name == "postgresql"
    changeover = " + changeover_minutes" if _has_changeover(connection) else ""

    def end(extra: str) -> str:
        if postgresql:
            return f"start_utc + make_interval(mins => duration_minutes{extra})"
        return f"datetime(start_utc, '+' || (duration_minutes{extra}) || ' minutes')"

    found = []
    for what, column, extra in (("practitioner", "practitioner_id", ""), ("room", "room_id", changeover)):
        rows = connection.execute(text(
            f"SELECT id, local_start FROM (SELECT id, local_start, start_utc, max({end(extra)}) OVER "
            f"(PARTITION BY {column} ORDER BY start_utc, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) "
            f"AS busy_until FROM appointments WHERE {_ACTIVE} AND {column} IS NOT NULL) AS ordered "
            f"WHERE busy_until > start_utc ORDER BY id LIMIT {int(limit)}"
        ))
        found += [f"visit {visit} ({what} already busy, {start})" for visit, start in rows]
    day = "CAST(local_start AS date)" if postgresql else "substr(local_start, 1, 10)"
    rows = connection.execute(text(
        f"SELECT min(id), max(id), min(local_start) FROM appointments WHERE {_ACTIVE} "
        f"GROUP BY patient_id, {day} HAVING count(*) > 1 ORDER BY min(id) LIMIT {int(limit)}"
    ))
    found += [f"visits {first} and {last} (patient's day, {start})" for first, last, start in rows]
    return found


def _has_changeover(connection: Connection) -> bool:
    return any(column["name"] == "changeover_minutes" for column in inspect(connection).get_columns("appointments"))
