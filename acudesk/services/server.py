"""Looking after a clinic's PostgreSQL server: upgrading the schema, and the application role's grants.

These run from the command line with the owner role's URL, before and outside anyone's sign-in: the
server's own authentication (the owner's password) is what allows them, so they take a database URL
rather than an open ``Database`` and an ``Actor`` (docs/architecture.md, "Who takes no Actor").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect

from acudesk.domain.errors import DatabaseError
from acudesk.persistence.database import Database, database_url
from acudesk.persistence.migrations import SCHEMA_HEAD, stored_revision
from acudesk.persistence.postgres import (
    APPEND_ONLY_TABLES,
    grant_script,
    grant_statements,
    may_change_schema,
    role_facts,
)
from acudesk.services.maintenance import open_database


@dataclass(frozen=True)
class SchemaUpgrade:
    before: str | None  # None: the database was empty
    after: str
    backup: Path | None  # the SQLite copy taken before upgrading, if any
    on_server: bool

    @property
    def changed(self) -> bool:
        return self.before != self.after


def upgrade_schema(target: str | Path) -> SchemaUpgrade:
    """``acudesk migrate``: bring the database at ``target`` to this AcuDesk's schema.

    On a server this must be the owner role (an application role is refused with a message saying so).
    An SQLite file is copied beside itself first, as when the app upgrades it on opening.
    """
    from acudesk.persistence.migrations import upgrade_to_head

    url = database_url(target)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        raise DatabaseError(f"{url.database} does not exist.")
    probe = Database.open(url)
    try:
        before = stored_revision(probe)
    finally:
        probe.dispose()
    if url.get_backend_name() == "sqlite":
        database = open_database(target, upgrade=False)
        try:
            backup = upgrade_to_head(database)
        finally:
            database.dispose()
        return SchemaUpgrade(before, SCHEMA_HEAD, backup, on_server=False)
    open_database(target).dispose()  # refuses, clearly, a role that may not change the schema
    return SchemaUpgrade(before, SCHEMA_HEAD, None, on_server=True)


def app_role_grant_script(app_role: str, *, schema: str = "public", owner_role: str | None = None) -> str:
    """The least-privilege grants for ``app_role`` as an SQL script (``acudesk grants ROLE``)."""
    return grant_script(app_role, schema=schema, owner_role=owner_role)


@dataclass(frozen=True)
class GrantsApplied:
    app_role: str
    owner_role: str
    schema: str
    statements: list[str]


def apply_app_role_grants(target: str, app_role: str) -> GrantsApplied:
    """``acudesk grants ROLE --apply``: run the grants as the owner role, in one transaction.

    Refuses when the connected role does not own AcuDesk's tables, when the schema has not been created
    yet, and when the application role would bypass the grants (a superuser, or a member of the owner).
    """
    url = database_url(target)
    if url.get_backend_name() != "postgresql":
        raise DatabaseError("Grants are for a PostgreSQL server; an SQLite file has no roles.")
    database = Database.open(url)
    try:
        with database.engine.begin() as connection:
            if not inspect(connection).has_table(APPEND_ONLY_TABLES[0]):
                raise DatabaseError("AcuDesk's tables are not there yet: run 'acudesk --db OWNER_URL migrate' "
                                    "first, then the grants.")
            facts = role_facts(connection, app_role)
            if not may_change_schema(connection):
                raise DatabaseError(f"'{facts.current_user}' does not own AcuDesk's tables: connect as the owner "
                                    "role (the one that ran 'acudesk migrate') to grant.")
            if not facts.app_exists:
                raise DatabaseError(f"There is no role '{app_role}' on this server; create it first "
                                    f"(CREATE ROLE {app_role} LOGIN PASSWORD '…').")
            if app_role == facts.current_user or facts.app_can_act_as_owner or facts.app_is_superuser:
                raise DatabaseError(
                    f"'{app_role}' can already do everything the owner can (it is the owner, a member of it, "
                    "or a superuser), so no grant can limit it. Create a separate login role for the application."
                )
            schema = facts.schema or "public"
            statements = grant_statements(app_role, schema=schema, owner_role=facts.current_user,
                                          existing=inspect(connection).get_table_names(schema=schema))
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        database.dispose()
    return GrantsApplied(app_role, facts.current_user, schema, statements)
