"""Moving an SQLite clinic onto an empty PostgreSQL database (``acudesk migrate-to URL``).

1. The SQLite file is copied with SQLite's backup API into a temporary folder (a consistent snapshot,
   verified with ``integrity_check``); the snapshot, never the original, is upgraded to this AcuDesk's
   schema if it is older. The clinic's own file is only ever read.
2. The target must be empty: no tables at all, or AcuDesk's schema with no rows (made by ``acudesk
   migrate``). Anything else is refused before anything is written.
3. The migrations run on the target (so the connecting role must be the owner role).
4. In one transaction: every table is copied with its ids, parents before children; the guard triggers
   of those tables are switched off for the copy and on again before the commit (a signed record's
   needled points are rows of the record being copied, not a change to it); each ``id`` sequence is
   set past the highest id; the row count of every table is compared with the snapshot's, the audit
   chain is verified on the target, and the move itself is audited. Any difference rolls the whole copy
   back, leaving the target empty again.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Table, func, inspect, select
from sqlalchemy.orm import Session

from acudesk.domain.errors import DatabaseError
from acudesk.persistence.backup import backup_sqlite, integrity_report
from acudesk.persistence.database import Database, database_url
from acudesk.persistence.migrations import upgrade_to_head
from acudesk.persistence.models import AuditCheckpoint, Base, Patient, Setting
from acudesk.persistence.postgres import refuse_upgrade_without_rights, reset_sequences, set_user_triggers
from acudesk.services import audit, checkpoints
from acudesk.services.context import Actor
from acudesk.services.maintenance import ensure_sqlite_file, open_database
from acudesk.services.permissions import Permission, require

log = logging.getLogger(__name__)
BATCH = 2000
Progress = Callable[[str], None]
ALEMBIC_TABLE = "alembic_version"


@dataclass(frozen=True)
class TableCopied:
    name: str
    source_rows: int
    target_rows: int


@dataclass(frozen=True)
class MigrationReport:
    target: str  # the URL without its password
    tables: tuple[TableCopied, ...]
    audit_events_verified: int

    @property
    def rows(self) -> int:
        return sum(table.target_rows for table in self.tables)


def migrate_to(actor: Actor, source: Path, target: str, *, progress: Progress | None = None) -> MigrationReport:
    """Copy the SQLite clinic at ``source`` onto the empty PostgreSQL database at ``target``.

    The command line signs in to the file (``acudesk --user NAME migrate-to``, as for ``acudesk backup``); moving the
    clinic's data is a backup-and-restore kind of act, so it needs "manage backups".
    """
    require(actor, Permission.MANAGE_BACKUPS)
    say = progress or (lambda _text: None)
    url = database_url(target)
    if url.get_backend_name() != "postgresql":
        raise DatabaseError("migrate-to moves a clinic onto a PostgreSQL server: give a URL like "
                            "postgresql+psycopg://OWNER@SERVER/acudesk")
    source = Path(source)
    if not source.is_file():
        raise DatabaseError(f"{source} does not exist.")
    ensure_sqlite_file(source)
    problems = integrity_report(source)
    if problems != ["ok"]:
        raise DatabaseError(f"{source.name} is damaged ({problems[0]}); restore a good backup before moving it.")
    with tempfile.TemporaryDirectory(prefix="acudesk-migrate-to-") as folder:
        snapshot = backup_sqlite(source, Path(folder) / "snapshot.sqlite3")
        say(f"Took a consistent copy of {source.name} to read from.")
        reading = open_database(snapshot)  # brings the copy (never the original) to this AcuDesk's schema
        writing = Database.open(url)
        try:
            return _migrate(actor, reading, writing, source.name, say)
        finally:
            reading.dispose()
            writing.dispose()


def _migrate(actor: Actor, reading: Database, writing: Database, source_name: str, say: Progress) -> MigrationReport:
    tables = Base.metadata.sorted_tables  # parents before children
    with reading.engine.connect() as connection:
        _refuse_unknown_tables(connection, {t.name for t in tables})
        with Session(bind=connection) as tx:
            chain = audit.verify_chain(tx)
    if not chain.ok:
        raise DatabaseError(f"The audit trail of {source_name} is broken at event {chain.first_broken_id} "
                            "('acudesk audit verify'); it cannot be moved as it is. Nothing was copied.")
    _refuse_non_empty(writing)
    refuse_upgrade_without_rights(writing)
    upgrade_to_head(writing)
    say("Created the schema on the server.")
    names = [t.name for t in tables]
    copied: list[TableCopied] = []
    with reading.engine.connect() as source, writing.engine.begin() as target:
        set_user_triggers(target, names, enabled=False)
        for table in tables:
            rows = _copy(table, source, target)
            say(f"  {table.name}: {rows} row{'' if rows == 1 else 's'}")
        set_user_triggers(target, names, enabled=True)
        reset_sequences(target, [t.name for t in tables if "id" in t.primary_key.columns])
        for table in tables:
            copied.append(TableCopied(table.name, _count(source, table), _count(target, table)))
        different = [t for t in copied if t.source_rows != t.target_rows and t.name != AuditCheckpoint.__tablename__]
        if different:
            raise DatabaseError("The copy did not match the file (" + ", ".join(
                f"{t.name}: {t.source_rows} rows, copied {t.target_rows}" for t in different)
                + "); nothing was kept on the server.")
        with Session(bind=target) as tx:
            verified = audit.verify_chain(tx)
            if not verified.ok or verified.events_checked != chain.events_checked:
                raise DatabaseError(f"The audit trail did not verify on the server (event {verified.first_broken_id});"
                                    " nothing was kept on the server.")
            patients = tx.scalar(select(func.count(Patient.id))) or 0
            audit.record(tx, actor, "migrate-to", "database", detail={
                "from": source_name, "tables": len(copied), "rows": sum(t.target_rows for t in copied),
                "patients": patients, "audit_events_verified": verified.events_checked})
    checkpoints.write_checkpoint(writing, "migrated")  # the server's trail, anchored as it was verified
    rendered = writing.engine.url.render_as_string(hide_password=True)
    log.info("Clinic moved from SQLite to PostgreSQL (%d tables)", len(copied))
    return MigrationReport(rendered, tuple(copied), chain.events_checked)


def _refuse_unknown_tables(connection: Connection, known: set[str]) -> None:
    present = {name for name in inspect(connection).get_table_names()
               if name != ALEMBIC_TABLE and not name.startswith("sqlite_")}
    unknown = sorted(present - known)
    if unknown:
        raise DatabaseError(f"The file has tables this AcuDesk does not know ({', '.join(unknown)}); "
                            "use the AcuDesk that wrote it. Nothing was copied.")


def _refuse_non_empty(writing: Database) -> None:
    """The target may hold nothing, or only AcuDesk's empty tables (made by 'acudesk migrate')."""
    with writing.engine.connect() as connection:
        tables = [name for name in inspect(connection).get_table_names()]
        if not tables:
            return
        where = writing.engine.url.render_as_string(hide_password=True)
        if ALEMBIC_TABLE not in tables:
            raise DatabaseError(f"The target database {where} is not empty: it holds {len(tables)} tables that "
                                "AcuDesk did not create. migrate-to copies only into an empty database; nothing "
                                "was changed.")
        known = {t.name: t for t in Base.metadata.sorted_tables}
        holding = [name for name in tables if name in known and _rows(connection, known[name])]
        if holding:
            raise DatabaseError(f"The target database {where} already holds an AcuDesk clinic (rows in "
                                f"{', '.join(sorted(holding))}). migrate-to copies only into an empty database, "
                                "never over a clinic; nothing was changed.")


def _rows(connection: Connection, table: Table) -> int:
    """Rows that make a clinic: not the identity 'acudesk migrate' gives an empty schema."""
    query = select(func.count()).select_from(table)
    if table.name == Setting.__tablename__:
        query = query.where(table.c.key != checkpoints.CLINIC_ID_SETTING)
    return connection.execute(query).scalar() or 0


def _copy(table: Table, source: Connection, target: Connection) -> int:
    """Every row of ``table``, but two that belong to the file, not to the clinic's new home: the server keeps
    the clinic identity its schema was made with, and the file's audit checkpoints (authenticated for the
    file's identity) stay with the file; the server's trail is anchored afresh once it verifies
    (``migrate_to``). The file goes on under its own identity, so the two never contradict each other."""
    if table.name == AuditCheckpoint.__tablename__:
        return 0
    query = select(table).order_by(*table.primary_key.columns)
    if table.name == Setting.__tablename__:
        query = query.where(table.c.key != checkpoints.CLINIC_ID_SETTING)
    result = source.execution_options(stream_results=True).execute(query)
    count = 0
    for part in result.mappings().partitions(BATCH):
        target.execute(table.insert(), [dict(row) for row in part])
        count += len(part)
    return count


def _count(connection: Connection, table: Table) -> int:
    return connection.execute(select(func.count()).select_from(table)).scalar() or 0
