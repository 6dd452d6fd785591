"""Where a benchmark clinic lives: an SQLite file in ``bench/.cache/``, or a database on a PostgreSQL
server (``python -m bench --db postgresql+psycopg://user@host/db``).

On a server each built clinic is its own database, named after the clinic's cache key
(``acudesk_bench_p100000_…``): the URL given names the server and the database to connect to
while creating them, and the role needs CREATEDB. A clinic is built under a temporary name and
renamed when complete (the file move of the SQLite cache), and the measurements that write audit
events run on a copy made with ``CREATE DATABASE … TEMPLATE`` (the file copy). Unlike the SQLite
file, a built PostgreSQL clinic is ``VACUUM ANALYZE``d: a server's autovacuum does that to any
table after a bulk load, so a real multi-seat clinic's planner has statistics.

The floor on PostgreSQL is the same SQL through a bare psycopg connection (autocommit, no
SQLAlchemy), and the query plans are ``EXPLAIN (ANALYZE, BUFFERS)``.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

Target = Path | str  # an SQLite file, or the URL of a clinic database on a PostgreSQL server
PREFIX = "acudesk_bench_"


def is_postgres(target: Target | None) -> bool:
    return target is not None and str(target).startswith("postgresql")


def engine_name(target: Target) -> str:
    return "postgresql" if is_postgres(target) else "sqlite"


def database_name(key: str, suffix: str = "") -> str:
    """A PostgreSQL database name for a clinic's cache key (identifiers stop at 63 bytes)."""
    name = PREFIX + key.replace("-", "_").lower()
    if len(name + suffix) > 63:
        name = PREFIX + hashlib.sha1(key.encode()).hexdigest()[:20]
    return name + suffix


def clinic_url(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def _admin(server: str, *involved: str | None) -> Engine:
    """An autocommit engine on ``server``'s database, or on ``postgres`` when that database is one
    the statement acts on (a database cannot be copied, renamed or dropped from inside)."""
    url = make_url(server)
    if url.database in involved:
        url = url.set(database="postgres")
    return create_engine(url, isolation_level="AUTOCOMMIT")


def exists(server: str, name: str) -> bool:
    engine = _admin(server)
    try:
        with engine.connect() as connection:
            return connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is not None
    finally:
        engine.dispose()


def drop(server: str, name: str) -> None:
    engine = _admin(server, name)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        engine.dispose()


def create(server: str, name: str, *, template: str | None = None) -> None:
    """An empty database, or a file-level copy of ``template`` (which must have no connections)."""
    engine = _admin(server, name, template)
    copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
    try:
        with engine.connect() as connection:
            for attempt in range(20):  # autovacuum may be visiting the template for a moment
                try:
                    connection.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
                    return
                except Exception as error:
                    if "being accessed by other users" not in str(error) or attempt == 19:
                        raise
                    time.sleep(0.5)
    finally:
        engine.dispose()


def rename(server: str, old: str, new: str) -> None:
    engine = _admin(server, old, new)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{old}" RENAME TO "{new}"')
    finally:
        engine.dispose()


def vacuum_analyze(url: str) -> None:
    engine = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    finally:
        engine.dispose()


def name_of(url: str) -> str:
    return make_url(url).database or ""


class PostgresRaw:
    """A bare psycopg connection (autocommit) with sqlite3's ``execute(sql, params)`` shape: the
    hand-written floors use ``?`` placeholders, which become ``%s``; statements captured from
    SQLAlchemy keep their own style and parameters."""

    engine = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        # Not prepared, like every statement AcuDesk sends (services/patients.py): each is planned for
        # its values. A prepared statement may get a generic plan, which is not the floor of the app.
        self.connection = psycopg.connect(conninfo, autocommit=True, prepare_threshold=None)

    def execute(self, sql: str, params: Any = ()) -> Any:
        if isinstance(params, (tuple, list)):
            sql = sql.replace("?", "%s")
        return self.connection.execute(sql, params or None)

    def close(self) -> None:
        self.connection.close()


# SQLite clinics measured encrypted (``python -m bench --encrypted``): the copy's path -> its database key.
ENCRYPTION_KEYS: dict[str, bytes] = {}


def encrypted_copy(path: Path, folder: Path) -> Path:
    """An SQLCipher-encrypted copy of the SQLite clinic ``path`` in ``folder`` (``sqlcipher_export``, as
    ``acudesk encrypt`` writes it), opened from then on by ``open_clinic`` and ``raw_connection`` with its key."""
    from acudesk.persistence import encryption

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"encrypted-{len(ENCRYPTION_KEYS)}-{Path(path).name}"
    key = encryption.new_database_key()
    encryption.export(Path(path), target, source_key=None, destination_key=key)
    ENCRYPTION_KEYS[str(target)] = key
    return target


def open_clinic(target: Target, *, upgrade: bool = False) -> Any:
    """``open_database`` as the app opens the clinic: with its key when it is an encrypted copy."""
    from acudesk.services.maintenance import open_database

    return open_database(target, upgrade=upgrade, key=ENCRYPTION_KEYS.get(str(target)))


def raw_connection(target: Target) -> sqlite3.Connection | PostgresRaw:
    if is_postgres(target):
        return PostgresRaw(str(target))
    key = ENCRYPTION_KEYS.get(str(target))
    if key is not None:  # the floor of an encrypted clinic: the same SQL through SQLCipher
        from acudesk.persistence import encryption

        connection = encryption.connect(str(target), key)
        connection.isolation_level = None
        connection.execute("PRAGMA foreign_keys = ON")
        return connection
    connection = sqlite3.connect(str(target), isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def explain_prefix(raw: sqlite3.Connection | PostgresRaw) -> str:
    return "EXPLAIN (ANALYZE, BUFFERS) " if isinstance(raw, PostgresRaw) else "EXPLAIN QUERY PLAN "
