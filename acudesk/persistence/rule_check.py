"""Whether the database still holds its own rules: guard triggers and the schedule's invariants.

The rules are made by migrations (persistence/guards.py, persistence/visit_guards.py). Anyone with
the schema owner's rights can drop or disable them; ``acudesk check`` then says which are missing,
so a clinic learns it before trusting the record. Names only: the definitions' exact text is not
compared here.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text
from sqlalchemy.exc import ProgrammingError

from acudesk.persistence.guards import POSTGRES_FUNCTIONS, every_guard
from acudesk.persistence.visit_guards import visit_rules

_POSTGRES_FUNCTIONS = ("acudesk_refuse", "acudesk_refuse_signed_points")


def expected_rules(dialect: str) -> dict[str, str]:
    """Every rule's name and kind ("trigger", "constraint", "index", "function") on ``dialect``."""
    expected = {guard.name: "trigger" for guard in every_guard(dialect)}
    expected.update({rule.name: rule.kind for rule in visit_rules(dialect)})
    if dialect == "postgresql":
        expected.update({name: "function" for name in _POSTGRES_FUNCTIONS})
    return expected


def _present(connection: Connection) -> set[str]:
    if connection.dialect.name != "postgresql":
        return set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index')")))
    schema = "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
    queries = (
        # A disabled trigger (ALTER TABLE … DISABLE TRIGGER) guards nothing: it counts as missing.
        f"SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        f"WHERE c.relnamespace = {schema} AND NOT t.tgisinternal AND t.tgenabled <> 'D'",
        f"SELECT conname FROM pg_constraint WHERE connamespace = {schema} AND convalidated",
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
        f"SELECT proname FROM pg_proc WHERE pronamespace = {schema}",
    )
    return {name for query in queries for name in connection.scalars(text(query))}


def missing_rules(connection: Connection) -> list[str]:
    """The rules this database should hold and does not, e.g. ``"trigger audit_events_no_update"``."""
    present = _present(connection)
    return [f"{kind} {name}" for name, kind in sorted(expected_rules(connection.dialect.name).items())
            if name not in present]


def _squeezed(sql: str) -> str:
    return " ".join(sql.replace(";", " ").split())


def _expected_objects(dialect: str) -> dict[str, str]:
    """Each trigger, constraint and index a migration made, with the SQL that made it."""
    made = {guard.name: guard.create_sql for guard in every_guard(dialect)}
    made.update({rule.name: rule.create_sql for rule in visit_rules(dialect)})
    return made


_PG_DEFINITIONS = (
    "SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND NOT t.tgisinternal",
    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())",
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()",
)


def _postgres_definitions(connection: Connection, schema: str | None = None) -> dict[str, str]:
    schema = schema or connection.scalar(text("SELECT current_schema()"))
    found: dict[str, str] = {}
    for query in _PG_DEFINITIONS:
        for name, definition in connection.execute(text(query.replace("current_schema()", ":schema")),
                                                   {"schema": schema}):
            found[name] = _squeezed(definition.replace(f"{schema}.", "").replace(f'"{schema}".', ""))
    return found


def _postgres_reference(connection: Connection, names: dict[str, str]) -> dict[str, str]:
    """How this server writes each rule's definition: made afresh from the migrations' SQL on empty temporary
    copies of the tables, inside a transaction that is rolled back. Temporary tables need only the right
    every role has by default (TEMPORARY), so a workstation's rows-only role can check too; unqualified
    table names find the temporary copies first (PostgreSQL searches ``pg_temp`` before the schema)."""
    live = connection.scalar(text("SELECT current_schema()"))
    tables = sorted({_table_of(sql) for sql in names.values()})
    # Its own connection in a real transaction (reads run in autocommit), rolled back whatever happens.
    with connection.engine.connect().execution_options(isolation_level="READ COMMITTED") as own, \
            own.begin() as transaction:
        for table in tables:
            own.execute(text(f'CREATE TEMPORARY TABLE {table} (LIKE "{live}".{table} INCLUDING DEFAULTS) '
                             "ON COMMIT DROP"))
        scratch = own.scalar(text("SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema()"))
        for sql in names.values():
            own.execute(text(sql))
        found = {name: definition.replace(f"{scratch}.", "").replace("pg_temp.", "")  # how it names its own
                 for name, definition in _postgres_definitions(own, scratch).items() if name in names}
        transaction.rollback()
    return found


def _table_of(sql: str) -> str:
    words = sql.replace("(", " ").split()
    upper = [w.upper() for w in words]
    return words[upper.index("TABLE") + 1] if "TABLE" in upper else words[upper.index("ON") + 1]


def _function_bodies(connection: Connection) -> dict[str, str]:
    rows = connection.execute(text("SELECT proname, prosrc FROM pg_proc WHERE pronamespace = "
                                   "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"))
    return {name: source for name, source in rows}


class DefinitionsNotCompared(Exception):
    """The server would not let this role render the reference definitions (``altered_rules``)."""


def altered_rules(connection: Connection) -> list[str]:
    """The rules that exist under their name but not as their migration made them (a trigger rewritten to
    guard nothing, a constraint narrowed, a function emptied). Missing ones are ``missing_rules``'s."""
    dialect = connection.dialect.name
    expected = _expected_objects(dialect)
    altered: list[str] = []
    if dialect != "postgresql":
        stored: dict[str, str | None] = dict(connection.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type IN ('trigger', 'index')")).tuples().all())
        for name, sql in sorted(expected.items()):
            if name in stored and _squeezed(stored[name] or "") != _squeezed(sql):
                altered.append(f"{_kind(sql)} {name}")
        return altered
    bodies = _function_bodies(connection)
    for function in POSTGRES_FUNCTIONS:
        name = function.split()[2].split("(")[0]
        body = re.search(r"\$\$(.*)\$\$", function, re.DOTALL)
        if name in bodies and body is not None and bodies[name] != body.group(1):
            altered.append(f"function {name}")
    live = _postgres_definitions(connection)
    present = {name: sql for name, sql in expected.items() if name in live}
    try:
        reference = _postgres_reference(connection, present)
    except ProgrammingError as error:  # a role that may not create temporary tables (a hardened server)
        raise DefinitionsNotCompared(
            "rule definitions not compared: this database role may not create temporary tables; run "
            "'acudesk check' with the owner role's URL to compare them (their names were checked)") from error
    for name in sorted(present):
        if _tokens(live[name]) != _tokens(reference.get(name, "")):
            altered.append(f"{_kind(present[name])} {name}")
    return altered


_CASTS = re.compile(r"::(?:character varying|double precision|timestamp (?:with|without) time zone|[a-z_]+)(?:\[\])?")


def _tokens(definition: str) -> str:
    """A server's rendering without its casts and grouping parentheses: a dump and restore (pg_dump) writes
    the same rule back with other parentheses and casts, which must not read as altered. Every column,
    operator, constant, timing and function still counts."""
    bare = _CASTS.sub("", definition.lower()).replace("(", "").replace(")", "")
    bare = re.sub(r"\s*,\s*", ", ", re.sub(r"\[\s*", "[", re.sub(r"\s*\]", "]", bare)))
    return " ".join(bare.split())


def _kind(sql: str) -> str:
    words = sql.split()
    if words[0].upper() == "ALTER":
        return "constraint"
    return "index" if "INDEX" in (w.upper() for w in words[:3]) else "trigger"


def _made_objects(dialect: str) -> dict[str, tuple[str, str]]:
    """name → (SQL that drops it, SQL that makes it), for every rule the migrations made."""
    made = {guard.name: (guard.drop_sql(dialect), guard.create_sql)
            for guard in every_guard(dialect)}
    made.update({rule.name: (rule.drop_sql(dialect), rule.create_sql) for rule in visit_rules(dialect)})
    return made


def broken_rules(connection: Connection) -> set[str]:
    """The rules ``remake_rules`` would put back: missing (or disabled) and altered ones. Outside the write
    transaction on PostgreSQL: ``altered_rules`` renders its reference on a connection of its own."""
    try:
        altered = set(altered_rules(connection))
    except DefinitionsNotCompared:
        altered = set()  # only the owner role remakes rules, and it may render them
    return set(missing_rules(connection)) | altered


def remake_rules(connection: Connection, wanted: set[str]) -> list[str]:
    """Put back the rules ``wanted`` (from ``broken_rules``) exactly as their migrations made them, in the
    caller's transaction; returns what was remade (e.g. ``"trigger audit_events_no_delete"``). A schedule
    rule that the data now breaks (visits booked while it was gone) cannot be remade: the database refuses,
    and ``acudesk check`` lists the clashing visits to sort out first."""
    dialect = connection.dialect.name
    remade: list[str] = []
    if dialect == "postgresql":
        for function in POSTGRES_FUNCTIONS:
            name = function.split()[2].split("(")[0]
            if f"function {name}" in wanted:
                connection.execute(text(function.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)))
                remade.append(f"function {name}")
    for name, (drop_sql, create_sql) in sorted(_made_objects(dialect).items()):
        described = next((entry for entry in wanted if entry.split(" ", 1)[1] == name), None)
        if described is None:
            continue
        connection.execute(text(drop_sql))
        connection.execute(text(create_sql))
        remade.append(described)
    return remade
