"""Bringing a database to the schema this AcuDesk expects.

Start-up reads the stored revision with one query and compares it with ``SCHEMA_HEAD``; Alembic is
imported only when an upgrade is really needed (it costs about 100 ms to import). A test keeps
``SCHEMA_HEAD`` equal to Alembic's head. Before an existing SQLite database is upgraded, a copy is
taken with SQLite's backup API next to it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, text

from acudesk.domain.errors import DatabaseError
from acudesk.persistence.backup import backup_sqlite
from acudesk.persistence.database import Database

log = logging.getLogger(__name__)

# Newest migration in db/versions, oldest first in KNOWN_REVISIONS.
KNOWN_REVISIONS: tuple[str, ...] = (
    "0001", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011", "0012", "0013", "0014",
    "0015", "0016",
)
SCHEMA_HEAD = KNOWN_REVISIONS[-1]


def stored_revision(database: Database) -> str | None:
    """The database's Alembic revision, or None for an empty (new) database."""
    with database.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            tables = inspect(connection).get_table_names()
            if tables:
                raise DatabaseError(
                    "This database was not created by AcuDesk (it has tables but no AcuDesk schema)."
                )
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config(database: Database):
    from alembic.config import Config

    from acudesk.paths import migrations_dir

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    url = database.engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # ConfigParser escaping
    return config


def upgrade_to_head(database: Database, *, backup_dir: Path | None = None) -> Path | None:
    """Upgrade the schema to ``SCHEMA_HEAD``. Returns the pre-migration backup, if one was taken.

    Refuses a database whose schema is newer than this application knows.
    """
    current = stored_revision(database)
    if current == SCHEMA_HEAD:
        return None
    if current is not None and current not in KNOWN_REVISIONS:
        raise DatabaseError(
            f"This database was written by a newer AcuDesk (schema {current}). "
            "Install the newer AcuDesk to open it; nothing was changed."
        )
    backup_path = None
    source = database.sqlite_path
    if current is not None and source is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        folder = backup_dir or source.parent
        backup_path = folder / f"{source.stem}.before-schema-{SCHEMA_HEAD}-{stamp}.sqlite3"
        backup_sqlite(source, backup_path, database.key)  # an encrypted clinic: encrypted, keys file beside
        log.info("Backed up the database before upgrading its schema from %s", current)
    from alembic import command

    config = alembic_config(database)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    log.info("Database schema upgraded from %s to %s", current or "empty", SCHEMA_HEAD)
    return backup_path
