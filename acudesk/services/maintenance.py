"""Opening, checking and backing up a clinic database."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError

from acudesk.domain.errors import DatabaseError
from acudesk.persistence import backup as sqlite_backup
from acudesk.persistence.database import Database, database_url, describe_operational_error
from acudesk.persistence.migrations import SCHEMA_HEAD, stored_revision, upgrade_to_head
from acudesk.persistence.models import AuditEvent, Patient
from acudesk.persistence.postgres import refuse_upgrade_without_rights
from acudesk.persistence.rule_check import (
    DefinitionsNotCompared,
    altered_rules,
    broken_rules,
    missing_rules,
    remake_rules,
)
from acudesk.persistence.visit_guards import clashing_visits
from acudesk.services import audit, checkpoints, record_seals
from acudesk.services.checkpoints import CheckpointReport
from acudesk.services.context import Actor
from acudesk.services.permissions import Permission, require

log = logging.getLogger(__name__)
SQLITE_MAGIC = b"SQLite format 3\x00"


def ensure_sqlite_file(path: Path, *, key: bytes | None = None) -> None:
    """Refuse, with a clear message, a file that exists but is not an SQLite database (or, without
    ``key``, an encrypted clinic: services/encryption.py opens those after sign-in)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    if key is not None:
        return  # SQLCipher checks the key against the file as it opens it (persistence/encryption.connect)
    from acudesk.persistence.encryption import looks_encrypted

    if looks_encrypted(path):
        from acudesk.services.encryption import EncryptedDatabaseError

        raise EncryptedDatabaseError(path)
    if path.is_dir():
        raise DatabaseError(f"{path} is a folder, not an AcuDesk database file.")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise DatabaseError(f"{path} cannot be read: {error.strerror}.") from error
    if header != SQLITE_MAGIC:
        raise DatabaseError(f"{path} is not an AcuDesk database (it is not an SQLite file).")


def open_database(target: str | Path, *, upgrade: bool = True, key: bytes | None = None) -> Database:
    """Open (and by default upgrade) the database at ``target``: a file path or a URL. ``key`` opens an
    encrypted SQLite file (``services.encryption.unlock`` gives it at sign-in)."""
    url = database_url(target)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        ensure_sqlite_file(Path(url.database), key=key)
    database = Database.open(url, key=key)

    def prepare() -> None:
        if upgrade:
            if not database.is_sqlite:
                refuse_upgrade_without_rights(database)  # the application role of docs/multi-seat.md
            upgrade_to_head(database)
        else:
            stored_revision(database)

    return _opened(database, prepare)


def _opened(database: Database, prepare: Callable[[], object]) -> Database:
    """``database`` once ``prepare()`` (reading or upgrading its schema) succeeded; else it is closed
    and the failure is a ``DatabaseError`` a person can act on."""
    try:
        prepare()
    except SQLAlchemyDatabaseError as error:
        database.dispose()
        raise DatabaseError(describe_operational_error(error)) from error
    except Exception:
        database.dispose()
        raise
    return database


def open_read_only(target: str | Path, *, key: bytes | None = None) -> Database:
    """Open the database at ``target`` to inspect it (``acudesk check``, ``acudesk audit verify``):
    an SQLite file read-only, so that nothing in it or beside it changes (no WAL switch, no ``-wal``
    or ``-shm`` left, read-only media work); a server as it is, never upgraded. ``key``: an encrypted
    file's database key (``services.encryption.unlock``)."""
    url = database_url(target)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:") or url.query.get("uri"):
        return open_database(target, upgrade=False)
    path = Path(url.database or "")
    if not path.is_file():
        raise DatabaseError(f"{path} does not exist.")
    ensure_sqlite_file(path, key=key)
    database = Database.open_read_only(path, key=key)
    return _opened(database, lambda: stored_revision(database))


# A server's storage is checked by the server's own tools, not through an AcuDesk connection.
SERVER_INTEGRITY = "not checked by AcuDesk on a server (use PostgreSQL's pg_amcheck)"


@dataclass(frozen=True)
class CheckReport:
    integrity: list[str]
    schema_revision: str | None
    expected_revision: str
    patients: int
    audit_events: int
    audit_first_broken_id: int | None
    missing_rules: tuple[str, ...] = ()  # guard triggers, constraints and indexes that should be there
    clashing_visits: tuple[str, ...] = ()  # active visits breaking the schedule's rules
    altered_rules: tuple[str, ...] = ()  # rules present but not as their migration made them
    record_problems: tuple[str, ...] = ()  # signed records that are not what was signed (record_seals)
    checkpoints: CheckpointReport | None = None  # the chain against the clinic key's checkpoints
    notes: tuple[str, ...] = ()  # what could not be checked from here, and why (not a problem found)

    @property
    def ok(self) -> bool:
        return (
            self.integrity in (["ok"], [SERVER_INTEGRITY])
            and self.schema_revision == self.expected_revision
            and self.audit_first_broken_id is None
            and not self.missing_rules
            and not self.clashing_visits
            and not self.altered_rules
            and not self.record_problems
            and (self.checkpoints is None or self.checkpoints.ok)
        )

    def lines(self) -> list[str]:
        status = "OK" if self.ok else "PROBLEMS FOUND"
        lines = [f"AcuDesk database check: {status}"]
        if self.integrity == [SERVER_INTEGRITY]:
            lines.append(f"  storage integrity: {SERVER_INTEGRITY}")
        else:
            lines.append("  storage integrity: " + ("ok" if self.integrity == ["ok"] else "; ".join(self.integrity)))
        lines.append(f"  schema: {self.schema_revision or 'none'} (this AcuDesk expects {self.expected_revision})")
        lines.append(f"  patients: {self.patients}")
        if self.audit_first_broken_id is None:
            lines.append(f"  audit trail: {self.audit_events} event{'' if self.audit_events == 1 else 's'}, "
                         "chain intact")
        else:
            lines.append(f"  audit trail: chain broken at event {self.audit_first_broken_id}")
        if self.schema_revision is not None:
            rules = [*(f"MISSING {rule}" for rule in self.missing_rules),
                     *(f"ALTERED {rule} (not as its migration made it)" for rule in self.altered_rules)]
            present = "all present" + (" (definitions: see the note below)" if self.notes else ", as made")
            lines.append("  database rules: " + (present if not rules else "; ".join(rules)
                                                 + " ('acudesk repair-rules' remakes them)"))
            lines.append("  signed records: " + ("all match their seals and signing events" if not
                                                 self.record_problems else f"{len(self.record_problems)} PROBLEMS"))
            lines.extend(f"    - {problem}" for problem in self.record_problems)
            if self.checkpoints is not None:
                lines.append("  " + self.checkpoints.line())
            lines.extend(f"  note: {note}" for note in self.notes)
            lines.append("  schedule: " + ("no clashing visits" if not self.clashing_visits else
                                           "CLASHES " + "; ".join(self.clashing_visits)))
        return lines


def check_database(target: str | Path, *, key: bytes | None = None) -> CheckReport:
    """Integrity, schema and audit-chain check, without changing anything. ``key``: an encrypted file's
    database key (``services.encryption.unlock``)."""
    url = database_url(target)
    integrity = [SERVER_INTEGRITY]
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if not path.is_file():
            raise DatabaseError(f"{path} does not exist.")
        ensure_sqlite_file(path, key=key)
        if key is not None:
            from acudesk.persistence import encryption

            integrity = encryption.integrity_report(path, key)
        else:
            integrity = sqlite_backup.integrity_report(path)
        if integrity != ["ok"]:
            return CheckReport(integrity, None, SCHEMA_HEAD, 0, 0, None)
    database = open_read_only(target, key=key)
    try:
        revision = stored_revision(database)
        if revision is None:
            return CheckReport(integrity, None, SCHEMA_HEAD, 0, 0, None)
        with database.read() as tx:
            patients = tx.scalar(select(func.count(Patient.id))) or 0
            chain = audit.verify_chain(tx)
            events = tx.scalar(select(func.count(AuditEvent.id))) or 0
            if revision != SCHEMA_HEAD:  # the newer rules cannot be expected yet: 'acudesk migrate' first
                return CheckReport(integrity, revision, SCHEMA_HEAD, patients, events, chain.first_broken_id)
            connection = tx.connection()
            missing = tuple(missing_rules(connection))
            clashes = tuple(clashing_visits(connection))
            notes: tuple[str, ...] = ()
            try:
                altered = tuple(altered_rules(connection))
            except DefinitionsNotCompared as refusal:
                altered, notes = (), (str(refusal),)
            records = tuple(record_seals.findings(tx))
            anchored = checkpoints.verify(tx)
        return CheckReport(integrity, revision, SCHEMA_HEAD, patients, events, chain.first_broken_id, missing,
                           clashes, altered, records, anchored, notes)
    finally:
        database.dispose()


def backup_database(database: Database, actor: Actor, destination: Path) -> Path:
    """A verified copy of the SQLite file at ``destination`` (File → Back up, ``acudesk backup``)."""
    require(actor, Permission.MANAGE_BACKUPS)
    source = database.sqlite_path
    if source is None:
        raise DatabaseError(
            "A shared PostgreSQL database is backed up with pg_dump: 'acudesk --db URL backup FOLDER', "
            "scheduled on the server (docs/multi-seat.md)."
        )
    checkpoint = checkpoints.write_quietly(database, "backup")  # in the copy, and beside it (sidecar)
    result = sqlite_backup.backup_sqlite(source, destination, database.key)  # encrypted stays encrypted
    if checkpoint is not None:
        checkpoints.write_sidecar(destination, checkpoint)
    with database.write() as tx:
        audit.record(tx, actor, "backup", "database", detail={"file": destination.name})
    return result


def repair_rules(database: Database, actor: Actor) -> list[str]:
    """Remake every guard trigger, schedule rule and trigger function that is missing, disabled or altered,
    exactly as its migration made it, in one transaction, audited with what was remade (``acudesk
    repair-rules``). What was changed while a rule was gone stays for ``acudesk check`` to report."""
    require(actor, Permission.MANAGE_CLINIC)
    with database.read() as tx:
        wanted = broken_rules(tx.connection())
    if not wanted:
        return []
    try:
        with database.write() as tx:
            remade = remake_rules(tx.connection(), wanted)
            if remade:
                audit.record(tx, actor, "repair_rules", "database", detail={"rules": remade})
    except SQLAlchemyDatabaseError as error:
        raise DatabaseError(
            "The rules could not be remade, nothing was changed: " + describe_operational_error(error)
            + " On a server, run it with the schema owner's URL (docs/multi-seat.md); a schedule rule that "
              "visits booked meanwhile break is remade once 'acudesk check' shows no clashing visits.") from error
    return remade
