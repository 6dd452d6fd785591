"""Backups of a clinic's PostgreSQL database with ``pg_dump``, and restoring one into an empty database.

``acudesk backup`` on a server URL runs ``pg_dump --format=custom`` (compressed, restorable table by
table with ``pg_restore``). Like an SQLite backup, the dump is written under a temporary name, checked
(``pg_restore --list`` must read its whole table of contents) and only then renamed into place, and the
backup is audited. Into a folder, files are named ``acudesk-YYYYMMDD-HHMMSS.dump`` (UTC) and pruned with
the SQLite backups' retention (the newest of each of the last 12 days, 10 weeks and 9 months).

A restore never overwrites a clinic: ``restore_server_backup`` puts a dump only into a database that has
no tables at all (a new, empty one), then checks its schema and audit trail. Replacing the live database
is the server administrator's decision: restore into a new database, check it, then switch the
workstations' URL over (docs/multi-seat.md).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import URL

from acudesk.domain.errors import DatabaseError
from acudesk.persistence.database import Database, database_url
from acudesk.persistence.migrations import stored_revision
from acudesk.persistence.models import Patient
from acudesk.persistence.postgres import libpq_url
from acudesk.services import audit, checkpoints
from acudesk.services.backups import DEFAULT_RETENTION, PREFIX, STAMP_FORMAT, prune
from acudesk.services.context import Actor
from acudesk.services.permissions import Permission, require

log = logging.getLogger(__name__)
SUFFIX = ".dump"
TIMEOUT_S = 6 * 3600
USER_TABLES = ("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
               "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
               "AND n.nspname NOT LIKE 'pg\\_%'")


def pg_tool(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore``: on PATH, or in the folder ACUDESK_PG_BIN names."""
    folder = os.environ.get("ACUDESK_PG_BIN")
    found = shutil.which(name, path=folder) if folder else shutil.which(name)
    if found is None:
        raise DatabaseError(
            f"{name} was not found, so no PostgreSQL backup was made. Install PostgreSQL's client tools, the "
            "server's major version or newer (Debian/Ubuntu: apt install postgresql-client; Windows and macOS: "
            "the PostgreSQL installer's command line tools), and put them on PATH or set ACUDESK_PG_BIN to "
            "their folder."
        )
    return found


def default_backup_folder(target: URL | str) -> Path:
    """Where ``acudesk backup`` puts a server's dumps when given no folder: beside the default SQLite
    database, ``<database name>-backups/``. A scheduled job should name its own folder."""
    from acudesk.paths import user_data_dir

    url = target if isinstance(target, URL) else database_url(target)
    return user_data_dir() / f"{url.database or 'acudesk'}-backups"


def _run(tool: str, arguments: list[str], url: URL) -> subprocess.CompletedProcess[str]:
    uri, extra = libpq_url(url)
    command = [pg_tool(tool), *arguments, f"--dbname={uri}"] if uri else [pg_tool(tool), *arguments]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S,
                              env={**os.environ, **extra}, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DatabaseError(f"{tool} could not be run: {error}.") from error


def _said(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (result.stderr or "").splitlines() if line.strip()]
    return lines[-1].strip() if lines else f"exit status {result.returncode}"


def _table_of_contents(dump: Path) -> list[str]:
    try:
        result = subprocess.run([pg_tool("pg_restore"), "--list", str(dump)], capture_output=True, text=True,
                                timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DatabaseError(f"pg_restore could not be run: {error}.") from error
    if result.returncode != 0:
        raise DatabaseError(f"The backup {dump.name} cannot be read ({_said(result)}).")
    return result.stdout.splitlines()


def _verify(dump: Path) -> None:
    contents = _table_of_contents(dump)
    if not any("TABLE DATA" in line and " audit_events " in line for line in contents):
        raise DatabaseError(f"The backup {dump.name} holds no AcuDesk audit trail; it was not kept.")


def backup_server_database(
    database: Database, actor: Actor, destination: Path | None = None, *, now: datetime | None = None,
) -> tuple[Path, list[Path]]:
    """A verified ``pg_dump`` of the server database. Returns the dump and the older dumps pruned.

    ``destination`` is a folder (the dump gets the automatic backups' name, and the folder their
    retention) or a new file's name (nothing is pruned); None means ``default_backup_folder``.
    """
    require(actor, Permission.MANAGE_BACKUPS)
    url = database.engine.url
    if url.get_backend_name() != "postgresql":
        raise DatabaseError("pg_dump backs up a PostgreSQL database; an SQLite file is backed up with its own copy.")
    into_folder = destination is None or destination.is_dir()
    if into_folder:
        folder = destination or default_backup_folder(url)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{PREFIX}{(now or datetime.now(UTC)):{STAMP_FORMAT}}{SUFFIX}"
    else:
        assert destination is not None
        target = destination
        if not target.parent.is_dir():
            raise DatabaseError(f"The folder {target.parent} does not exist.")
    if target.exists():
        raise DatabaseError(f"{target} already exists; choose another name.")
    partial = target.with_name(target.name + ".partial")
    checkpoint = checkpoints.write_quietly(database, "backup")  # in the dump, and beside it (sidecar)
    try:
        result = _run("pg_dump", ["--format=custom", f"--file={partial}"], url)
        if result.returncode != 0:
            raise DatabaseError(f"pg_dump failed: {_said(result)}. No backup was made.")
        _verify(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    if checkpoint is not None:
        checkpoints.write_sidecar(target, checkpoint)
    with database.write() as tx:
        audit.record(tx, actor, "backup", "database", detail={"file": target.name, "format": "pg_dump custom"})
    pruned = prune(target.parent, DEFAULT_RETENTION, SUFFIX) if into_folder else []
    log.info("Server backup written (%s)", target.name)
    return target, pruned


@dataclass(frozen=True)
class ServerRestore:
    dump: Path
    target: str  # URL without its password
    schema_revision: str | None
    patients: int
    audit_events: int
    audit_first_broken_id: int | None  # None: the chain verifies


def restore_server_backup(dump: Path, target: str) -> ServerRestore:
    """``pg_restore`` a dump into the database at ``target``, which must be empty (no tables at all).

    Nobody can sign in to an empty database, so this takes no actor (like restoring a damaged SQLite
    file); the server's own authentication decides who may. The restore is one transaction (all or
    nothing) and is audited in the restored database with no user and ``into_empty_database: true``.
    """
    url = database_url(target)
    if url.get_backend_name() != "postgresql":
        raise DatabaseError("A pg_dump backup is restored into a PostgreSQL database.")
    if not dump.is_file():
        raise DatabaseError(f"{dump} does not exist.")
    _table_of_contents(dump)
    where = url.render_as_string(hide_password=True)
    database = Database.open(url)
    try:
        with database.engine.connect() as connection:
            tables = connection.execute(text(USER_TABLES)).scalar()
        if tables:
            raise DatabaseError(
                f"acudesk restore puts a PostgreSQL backup only into an empty database, and {where} holds "
                f"{tables} tables: it never replaces a clinic. Create a new database (CREATE DATABASE … OWNER "
                "your owner role), restore into that, check it, then point the workstations at it. "
                "Nothing was changed."
            )
        result = _run("pg_restore", ["--exit-on-error", "--single-transaction", "--no-owner", str(dump)], url)
        if result.returncode != 0:
            raise DatabaseError(f"pg_restore failed ({_said(result)}); nothing was restored.")
        revision = stored_revision(database)
        with database.write() as tx:
            chain = audit.verify_chain(tx)
            patients = tx.scalar(select(func.count(Patient.id))) or 0
            audit.record(tx, None, "restore", "database",
                         detail={"from": dump.name, "into_empty_database": True, "chain_ok": chain.ok})
        if chain.ok and checkpoints.verify_database(database) is not None:
            # Declared, as an SQLite restore is: the longer chain checkpointed since the dump is not held
            # against the restored database.
            checkpoints.write_checkpoint(database, "restore")
    finally:
        database.dispose()
    log.info("Server database restored from a pg_dump backup")
    return ServerRestore(dump, where, revision, patients, chain.events_checked, chain.first_broken_id)
