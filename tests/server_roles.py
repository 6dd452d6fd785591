"""A real clinic server for tests: a fresh database owned by an owner role, plus an application role.

Set up as docs/multi-seat.md tells a clinic to (the superuser part), with unique names, and dropped
afterwards. Needs ACUDESK_TEST_DATABASE_URL to name a superuser (or a role with CREATEROLE and
CREATEDB) on a running server; otherwise the tests that use it are skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

ADMIN_URL = os.environ.get("ACUDESK_TEST_DATABASE_URL", "")
PASSWORD = "a-long-test-password"


def admin_engine_or_skip() -> Engine:
    if not ADMIN_URL.startswith("postgresql"):
        pytest.skip("set ACUDESK_TEST_DATABASE_URL to a PostgreSQL superuser URL to test the server set-up")
    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            may = connection.execute(text(
                "SELECT rolsuper OR (rolcreaterole AND rolcreatedb) FROM pg_roles WHERE rolname = current_user"
            )).scalar()
    except OperationalError:
        engine.dispose()
        pytest.skip("no PostgreSQL server answers at ACUDESK_TEST_DATABASE_URL")
    if not may:
        engine.dispose()
        pytest.skip("ACUDESK_TEST_DATABASE_URL's role may not create roles and databases")
    return engine


@dataclass
class ClinicServer:
    admin: Engine
    database: str
    owner: str
    app: str
    databases: list[str] = field(default_factory=list)  # every database made, dropped at the end

    def url(self, role: str, database: str | None = None) -> str:
        url = make_url(ADMIN_URL).set(username=role, password=PASSWORD, database=database or self.database)
        return url.render_as_string(hide_password=False)

    @property
    def owner_url(self) -> str:
        return self.url(self.owner)

    @property
    def app_url(self) -> str:
        return self.url(self.app)

    def new_database(self, name: str) -> str:
        """Another empty database owned by the owner role (dropped with the rest)."""
        self.databases.append(name)
        _create_database(self.admin, name, self.owner, self.app)
        return name


def _create_database(admin: Engine, name: str, owner: str, app: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" OWNER "{owner}" ENCODING \'UTF8\''))
        connection.execute(text(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC'))
        connection.execute(text(f'GRANT CONNECT ON DATABASE "{name}" TO "{app}"'))


@contextmanager
def clinic_server() -> Iterator[ClinicServer]:
    admin = admin_engine_or_skip()
    suffix = uuid.uuid4().hex[:10]
    server = ClinicServer(admin, f"acudesk_t_{suffix}", f"acudesk_owner_{suffix}", f"acudesk_app_{suffix}")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE \"{server.owner}\" LOGIN PASSWORD '{PASSWORD}'"))
        connection.execute(text(f"CREATE ROLE \"{server.app}\" LOGIN PASSWORD '{PASSWORD}'"))
    try:
        server.new_database(server.database)
        yield server
    finally:
        with admin.connect() as connection:
            for name in server.databases:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{server.app}"'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{server.owner}"'))
        admin.dispose()
