"""Shared fixtures: a migrated clinic database on SQLite (and on PostgreSQL when configured).

Set ACUDESK_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run the
service tests against PostgreSQL too; each test gets a fresh schema there.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The clinic key goes to a key file under each test's own config folder, never a real credential store.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

from acudesk.persistence.database import Database
from acudesk.services.clinic import ClinicSetup, create_clinic
from acudesk.services.context import Actor
from acudesk.services.maintenance import open_database

POSTGRES_URL = os.environ.get("ACUDESK_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])

TEST_SETUP = ClinicSetup(
    clinic_name="Riverside Acupuncture (test)",
    country="GB",
    subdivision="ENG",
    timezone="Europe/London",
    admin_username="admin",
    admin_display_name="Dr Test Admin",
    admin_password="correct horse battery",
    rooms=("Room 1", "Room 2"),
)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test's user data and logs out of the real home directory."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("ACUDESK_DATABASE_URL", raising=False)


def _postgres_database() -> Iterator[Database]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    database = open_database(url.render_as_string(hide_password=False))
    try:
        yield database
    finally:
        database.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database with no clinic yet."""
    if request.param == "postgresql":
        yield from _postgres_database()
        return
    database = open_database(tmp_path / "clinic.sqlite3")
    yield database
    database.dispose()


@pytest.fixture
def database(empty_database: Database) -> Database:
    """A migrated database with the test clinic set up."""
    create_clinic(empty_database, TEST_SETUP)
    return empty_database


@pytest.fixture
def admin(database: Database) -> Actor:
    from acudesk.services.clinic import default_actor

    return default_actor(database)


SignInAs = Callable[..., Actor]


@pytest.fixture
def sign_in_as(database: Database, admin: Actor) -> SignInAs:
    """``sign_in_as(ROLE, …, username=NAME)``: a new user holding only those roles, signed in with a
    password as people are (the services refuse an ``Actor`` built by hand)."""
    from acudesk.services import auth

    def sign_in(*roles: str, username: str | None = None) -> Actor:
        name = username or "_".join(roles)
        auth.create_user(database, admin, name, name.replace("_", " ").title(), roles, TEST_SETUP.admin_password)
        return auth.sign_in(database, name, TEST_SETUP.admin_password)

    return sign_in


@pytest.fixture
def clinic_file(tmp_path: Path) -> Path:
    """A closed SQLite file holding the test clinic, for command-line tests."""
    path = tmp_path / "clinic.sqlite3"
    database = open_database(path)
    create_clinic(database, TEST_SETUP)
    database.dispose()
    return path


@pytest.fixture
def test_setup() -> ClinicSetup:
    return TEST_SETUP


_session_status = 0


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    global _session_status
    _session_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave without interpreter finalisation once Qt widgets have been used.

    PySide6 6.12 can abort while Python tears down its modules after many widget tests
    ("bool_dealloc: deallocating True or False" during final garbage collection), although every
    test passed and every window was deleted. The results and the summary are already reported
    here, so the process ends with pytest's own exit status and skips that teardown.
    """
    if "PySide6.QtWidgets" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_session_status)
