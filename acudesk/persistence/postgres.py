"""PostgreSQL housekeeping: the two roles (owner and application), emptiness, sequences, libpq URLs.

A clinic's server has two roles (docs/multi-seat.md):

- the **owner role** owns the schema and every table. It runs the migrations (``acudesk migrate``),
  so it alone can create, alter, drop or truncate tables and create or drop triggers;
- the **application role** is what every workstation connects as. ``grant_statements`` gives it
  rows only: SELECT, INSERT, UPDATE and DELETE on the tables (the guard triggers of
  persistence/guards.py still refuse deletes of clinical rows), INSERT and SELECT only on the audit
  trail, SELECT only on ``alembic_version``, and the sequences' values. Not being the owner, it
  cannot drop the guard triggers, alter or truncate a table, or change the audit trail.
  ``ALTER DEFAULT PRIVILEGES`` extends the row grants to tables that later migrations create.

The statements are generated here rather than kept as an SQL file with placeholders: they depend on
two names that must be quoted as identifiers, and the command that prints them (``acudesk grants``)
is the same code that applies them, so what a clinic reviews is what the tests apply.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL

from acudesk.domain.errors import DatabaseError
from acudesk.persistence.database import Database
from acudesk.persistence.migrations import KNOWN_REVISIONS, SCHEMA_HEAD, stored_revision

# Tables the application may only read and append to, and the one it may only read.
APPEND_ONLY_TABLES = ("audit_events", "flag_clearances", "pain_drawings")
READ_ONLY_TABLES = ("alembic_version",)
ROW_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def quote_identifier(name: str) -> str:
    """``name`` as a PostgreSQL identifier: always double-quoted, inner quotes doubled."""
    if not name or "\x00" in name:
        raise DatabaseError(f"{name!r} is not a usable PostgreSQL name.")
    return '"' + name.replace('"', '""') + '"'


def grant_statements(app_role: str, *, schema: str = "public", owner_role: str | None = None,
                     existing: Collection[str] | None = None) -> list[str]:
    """The statements that give ``app_role`` rows-only access to AcuDesk's tables in ``schema``.

    Run them as the owner role after ``acudesk migrate`` (they name existing tables); they can be
    run again after every upgrade. ``owner_role`` makes the default privileges explicit (``FOR ROLE``),
    so they also hold when a superuser runs the script; without it they apply to the role running it.
    ``existing`` (the schema's tables) leaves out the append-only tables of later migrations a schema
    not yet upgraded lacks; the grants run again after the upgrade limit them.
    """
    app, where = quote_identifier(app_role), quote_identifier(schema)
    for_owner = f" FOR ROLE {quote_identifier(owner_role)}" if owner_role else ""
    statements = [
        f"REVOKE CREATE ON SCHEMA {where} FROM PUBLIC",
        f"REVOKE CREATE ON SCHEMA {where} FROM {app}",
        f"GRANT USAGE ON SCHEMA {where} TO {app}",
        f"GRANT {ROW_PRIVILEGES} ON ALL TABLES IN SCHEMA {where} TO {app}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {where} FROM {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {app}",
    ]
    statements += [f"REVOKE UPDATE, DELETE, TRUNCATE ON {where}.{quote_identifier(t)} FROM {app}"
                   for t in APPEND_ONLY_TABLES if existing is None or t in existing]
    statements += [f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {where}.{quote_identifier(t)} FROM {app}"
                   for t in READ_ONLY_TABLES]
    statements += [
        f"ALTER DEFAULT PRIVILEGES{for_owner} IN SCHEMA {where} GRANT {ROW_PRIVILEGES} ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES{for_owner} IN SCHEMA {where} GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]
    return statements


def grant_script(app_role: str, *, schema: str = "public", owner_role: str | None = None) -> str:
    """``grant_statements`` as a script a person can read and feed to psql."""
    who = f"the owner role {quote_identifier(owner_role)}" if owner_role else "the owner role"
    header = [
        f"-- AcuDesk: least privilege for the application role {quote_identifier(app_role)}",
        f"-- in schema {quote_identifier(schema)}. Run as {who} (the role that runs",
        "-- 'acudesk migrate'), connected to the clinic's database, after 'acudesk migrate'.",
        "-- Safe to run again; run it again after every upgrade. See docs/multi-seat.md.",
        "BEGIN;",
    ]
    return "\n".join([*header, *(f"{s};" for s in grant_statements(app_role, schema=schema, owner_role=owner_role)),
                      "COMMIT;", ""])


@dataclass(frozen=True)
class RoleFacts:
    """What the server says about the connected role and a would-be application role."""

    current_user: str
    schema: str | None
    app_exists: bool
    app_is_superuser: bool
    app_can_act_as_owner: bool


def role_facts(connection: Connection, app_role: str) -> RoleFacts:
    row = connection.execute(text(
        "SELECT current_user, current_schema(), r.rolname IS NOT NULL, COALESCE(r.rolsuper, false), "
        "COALESCE(pg_has_role(r.oid, (SELECT relowner FROM pg_class WHERE oid = to_regclass('alembic_version')),"
        " 'USAGE'), false) "
        "FROM (SELECT 1) AS one LEFT JOIN pg_roles r ON r.rolname = :app"), {"app": app_role}).one()
    return RoleFacts(row[0], row[1], bool(row[2]), bool(row[3]), bool(row[4]))


def may_change_schema(connection: Connection) -> bool:
    """Whether the connected role may run migrations here: it owns AcuDesk's tables (or is a member of
    the role that does, or a superuser); in an empty schema, whether it may create tables in it."""
    owns = connection.execute(text(
        "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass('alembic_version')"
    )).scalar()
    if owns is not None:
        return bool(owns)
    return bool(connection.execute(text(
        "SELECT current_schema() IS NOT NULL AND has_schema_privilege(current_schema(), 'CREATE')")).scalar())


def refuse_upgrade_without_rights(database: Database) -> None:
    """On a server: when the schema needs creating or upgrading and the connected role may not (the
    application role), say who must, instead of failing halfway through a migration. Called before
    ``upgrade_to_head`` when AcuDesk opens a server database; one query when the schema is up to date."""
    revision = stored_revision(database)
    if revision == SCHEMA_HEAD or (revision is not None and revision not in KNOWN_REVISIONS):
        return  # up to date, or newer than this AcuDesk: upgrade_to_head says so itself
    with database.engine.connect() as connection:
        allowed = may_change_schema(connection)
        user = connection.execute(text("SELECT current_user")).scalar()
    if allowed:
        return
    state = ("is empty: its tables have not been created yet" if revision is None
             else f"uses schema {revision} and this AcuDesk needs {SCHEMA_HEAD}")
    raise DatabaseError(
        f"The clinic database {state}. AcuDesk connects as '{user}', which may use the tables but not change "
        "them; the database's owner role must run 'acudesk --db OWNER_URL migrate' (docs/multi-seat.md). "
        "Nothing was changed."
    )


def reset_sequences(connection: Connection, tables: list[str]) -> None:
    """After rows were copied with their ids: each ``id`` sequence continues after the highest id."""
    for table in tables:
        sequence = connection.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"),
                                      {"t": quote_identifier(table)}).scalar()
        if sequence is None:
            continue
        connection.execute(
            text(f"SELECT setval(:s, COALESCE((SELECT MAX(id) FROM {quote_identifier(table)}), 0) + 1, false)"),
            {"s": sequence})


def set_user_triggers(connection: Connection, tables: list[str], *, enabled: bool) -> None:
    """ENABLE or DISABLE the user triggers (the guards, never the foreign keys' own triggers) of ``tables``.
    Only the tables' owner may; used inside the one transaction that copies a clinic (migrate_to)."""
    verb = "ENABLE" if enabled else "DISABLE"
    for table in tables:
        connection.execute(text(f"ALTER TABLE {quote_identifier(table)} {verb} TRIGGER USER"))


def libpq_url(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for ``pg_dump``/``pg_restore`` and the environment to pass with it.

    The password goes in ``PGPASSWORD`` rather than on the command line (where ``ps`` would show it);
    the URL's query (``sslmode``, ``sslrootcert``, ``options``…) is handed to libpq as it is, exactly
    as psycopg hands it over.
    """
    user = quote(url.username or "", safe="")
    host = url.host or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = (f"{user}@" if user else "") + host + (f":{url.port}" if url.port else "")
    query = {key: value if isinstance(value, str) else value[-1] for key, value in url.query.items()}
    uri = f"postgresql://{netloc}/{quote(url.database or '', safe='')}"
    if query:
        uri += "?" + urlencode(query)
    env = {"PGPASSWORD": url.password} if url.password else {}
    return uri, {key: str(value) for key, value in env.items()}
