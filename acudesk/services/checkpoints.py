"""Audit checkpoints: the chain's length and head, authenticated with the clinic key, kept in and out of the database.

The audit chain (services/audit.py) shows an event edited or removed in the middle. It cannot show,
on its own, events removed from its end, all events removed, or the whole chain rewritten and
re-hashed with the public recipe. A checkpoint can: it records how many events the chain held and
the hash of the last one, with an HMAC by the clinic key (services/clinic_key.py), which lives
outside the database file. Checkpoints are written

- at every backup (and copied into the backup's sidecar, ``<backup>.checkpoint.json``),
- at least daily (at the first sign-in of a day), and at every sign-out (the app's quit, the end of a
  command line command), so a closed clinic's whole trail lies under a checkpoint,
- after a restore, marked ``restore``: restoring an older copy through AcuDesk is declared, so the
  longer chain recorded before it is not held against the restored database.

Each is kept in three places: the ``audit_checkpoints`` table, the checkpoint log beside the key
(``<config>/AcuDesk/clinic-keys/<clinic id>.checkpoints``, one JSON line per checkpoint), and the
backup's sidecar. ``verify`` checks the chain against every checkpoint it can find.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from acudesk.domain import dates
from acudesk.domain.errors import AcuDeskError, DatabaseError
from acudesk.persistence.database import Database
from acudesk.persistence.models import AuditCheckpoint, AuditEvent, Setting, utcnow
from acudesk.services import audit, clinic_key
from acudesk.services.clinic_key import ClinicKey
from acudesk.services.context import Actor
from acudesk.services.permissions import Permission, require

log = logging.getLogger(__name__)

CLINIC_ID_SETTING = "clinic_id"
EVERY = timedelta(days=1)  # a checkpoint at least this often (at the first sign-in after it)
UNCOVERED_GRACE = timedelta(days=2)  # events older than this must lie under a checkpoint
SIDECAR_SUFFIX = ".checkpoint.json"
FORMAT = "acudesk-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    clinic_id: str
    created_at: datetime
    event_count: int
    head_hash: str
    reason: str
    key_id: str
    mac: str = ""

    def message(self) -> str:
        return "|".join((FORMAT, self.clinic_id, str(self.event_count), self.head_hash,
                         self.created_at.astimezone(UTC).isoformat(timespec="microseconds"), self.reason))

    def describe(self) -> str:
        # In UTC, said so: an integrity finding may be read where no clinic (and so no clinic zone) can be.
        return f"the {self.reason} checkpoint of {dates.day_and_time(self.created_at, UTC)} UTC"

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["created_at"] = self.created_at.astimezone(UTC).isoformat(timespec="microseconds")
        return {"format": FORMAT, **document}

    @classmethod
    def from_json(cls, document: Any) -> Checkpoint:
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ValueError("not an AcuDesk checkpoint")
        created = datetime.fromisoformat(str(document["created_at"]))
        count = document["event_count"]
        if created.tzinfo is None or not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError("malformed checkpoint")
        return cls(str(document["clinic_id"]), created, count, str(document["head_hash"]),
                   str(document["reason"]), str(document["key_id"]), str(document["mac"]))


def clinic_id(tx: Session) -> str | None:
    setting = tx.get(Setting, CLINIC_ID_SETTING)
    value = setting.value.get("id") if setting is not None and isinstance(setting.value, dict) else None
    return str(value) if value else None


def chain_head(tx: Session) -> tuple[int, str]:
    count = tx.scalar(select(func.count(AuditEvent.id))) or 0
    head = tx.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return count, head or ""


def log_path(clinic: str) -> Path:
    return clinic_key.key_folder() / f"{clinic_key.key_file(clinic).stem}.checkpoints"


def _take(tx: Session, key: ClinicKey, reason: str) -> Checkpoint:
    count, head = chain_head(tx)
    unsigned = Checkpoint(key.clinic_id, utcnow(), count, head, reason, key.key_id)
    checkpoint = Checkpoint(**{**asdict(unsigned), "mac": key.mac(unsigned.message())})
    tx.add(AuditCheckpoint(created_at=checkpoint.created_at, event_count=count, head_hash=head, reason=reason,
                           key_id=key.key_id, mac=checkpoint.mac))
    tx.flush()
    return checkpoint


def _append_to_log(checkpoint: Checkpoint) -> None:
    path = log_path(checkpoint.clinic_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as file:
        file.write(json.dumps(checkpoint.to_json(), sort_keys=True) + "\n")
        file.flush()
        os.fsync(file.fileno())


def write_checkpoint(database: Database, reason: str) -> Checkpoint:
    """Take a checkpoint of the chain as it stands, in the database and in the log outside it."""
    with database.write() as tx:
        clinic = clinic_id(tx)
        if clinic is None:
            raise DatabaseError("This database has no clinic identity (settings 'clinic_id'); run 'acudesk check'.")
        key = clinic_key.load(clinic)
        if key is None:
            made_with = tx.scalar(select(AuditCheckpoint.key_id).order_by(AuditCheckpoint.id).limit(1))
            if made_with is not None:  # another computer anchors this clinic: never a second, rival key
                raise DatabaseError(f"This computer does not hold the clinic key ({made_with}) that anchors this "
                                    "clinic's audit trail, so it writes no checkpoint: import it with "
                                    "'acudesk key import FILE' (docs/security.md).")
            key = clinic_key.load_or_create(clinic)  # the clinic's first checkpoint: its key is made here
        if not log_path(clinic).exists():
            _append_to_log_start(clinic)
        checkpoint = _take(tx, key, reason)
    _append_to_log(checkpoint)  # after the commit: the log never holds a checkpoint the database lost
    return checkpoint


def _append_to_log_start(clinic: str) -> None:
    path = log_path(clinic)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))


def write_if_due(database: Database, *, now: datetime | None = None) -> Checkpoint | None:
    """The daily checkpoint, when the last one is a day old (called after each sign-in). Never raises:
    a checkpoint that cannot be written is logged and ``acudesk check`` reports the gap."""
    now = now or utcnow()
    try:
        with database.read() as tx:
            latest = tx.scalar(select(func.max(AuditCheckpoint.created_at)))
            count, _head = chain_head(tx)
    except AcuDeskError as error:
        log.warning("The daily audit checkpoint could not be written: %s", error)
        return None
    if count == 0 or (latest is not None and now - latest < EVERY):
        return None
    return write_quietly(database, "daily")


def write_quietly(database: Database, reason: str) -> Checkpoint | None:
    """``write_checkpoint`` where a checkpoint is a bonus to the user's own action (sign-in, sign-out): a
    failure is logged, never raised, and ``acudesk check`` reports the gap it leaves."""
    try:
        return write_checkpoint(database, reason)
    except (AcuDeskError, OSError) as error:
        log.warning("An audit checkpoint (%s) could not be written: %s", reason, error)
        return None


def write_sidecar(backup: Path, checkpoint: Checkpoint) -> None:
    """Keep ``checkpoint`` (taken just before ``backup`` was copied) beside the backup file."""
    clinic_key.write_private(sidecar_path(backup), json.dumps(checkpoint.to_json(), sort_keys=True) + "\n",
                             make_folder=False)


def sidecar_path(backup: Path) -> Path:
    return backup.with_name(backup.name + SIDECAR_SUFFIX)


def read_sidecar(backup: Path) -> Checkpoint | None:
    path = sidecar_path(backup)
    if not path.is_file():
        return None
    try:
        return Checkpoint.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError):
        raise DatabaseError(f"The checkpoint beside {backup.name} is damaged ({path.name}).") from None


@dataclass
class CheckpointReport:
    findings: list[str] = field(default_factory=list)
    contradicted: bool = False  # a checkpoint that verifies disagrees with the chain, or one was forged
    checkpoints: int = 0  # checkpoints that verified and were compared with the chain
    latest: Checkpoint | None = None
    key_id: str | None = None

    @property
    def ok(self) -> bool:
        return not self.findings

    def line(self) -> str:
        if self.findings:
            return "CHECKPOINTS: " + "; ".join(self.findings)
        if self.latest is None:
            return "checkpoints: none yet (the first is written at the next sign-in or backup)"
        return (f"checkpoints: {_plural(self.checkpoints, 'checkpoint')} verified with the clinic key "
                f"{self.key_id}; the latest covers {_plural(self.latest.event_count, 'event')}, "
                f"{self.latest.describe()}")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _log_entries(clinic: str, key: ClinicKey, report: CheckpointReport) -> list[Checkpoint]:
    """The log's checkpoints that verify, from its last declared restore on."""
    path = log_path(clinic)
    entries: list[Checkpoint] = []
    with path.open(encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            if not line.strip():
                continue
            try:
                checkpoint = Checkpoint.from_json(json.loads(line))
            except (ValueError, KeyError, TypeError):
                report.findings.append(f"line {number} of the checkpoint log {path} is damaged")
                continue
            if checkpoint.clinic_id != clinic or not key.verifies(checkpoint.message(), checkpoint.mac):
                report.findings.append(f"line {number} of the checkpoint log does not verify with the clinic key "
                                       f"(forged or altered)")
                report.contradicted = True
                continue
            if checkpoint.reason == "restore":
                entries = []
            entries.append(checkpoint)
    return entries


def _table_entries(tx: Session, clinic: str, key: ClinicKey, report: CheckpointReport) -> list[Checkpoint]:
    entries = []
    for row in tx.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)):
        checkpoint = Checkpoint(clinic, row.created_at, row.event_count, row.head_hash, row.reason, row.key_id,
                                row.mac)
        if not key.verifies(checkpoint.message(), checkpoint.mac):
            report.findings.append(f"checkpoint no. {row.id} in the database does not verify with the clinic key "
                                   f"(forged or altered)")
            report.contradicted = True
            continue
        entries.append(checkpoint)
    return entries


def verify(tx: Session, *, extra: Sequence[Checkpoint] = (), restoring: bool = False,
           now: datetime | None = None) -> CheckpointReport:
    """Compare the audit chain with every checkpoint: the database's, the log's and ``extra`` (a backup's
    sidecar). Reads only. ``restoring``: the database is a backup being restored, so the log's later
    checkpoints (of the newer chain it replaces) are not held against it; its own and ``extra`` are."""
    now = now or utcnow()
    report = CheckpointReport()
    clinic = clinic_id(tx)
    if clinic is None:
        report.findings.append("the database has no clinic identity (settings 'clinic_id' was removed)")
        return report
    try:
        key = clinic_key.load(clinic)
    except DatabaseError as error:
        report.findings.append(str(error))
        return report
    has_table_rows = tx.scalar(select(func.count(AuditCheckpoint.id))) or 0
    log_exists = log_path(clinic).is_file()
    if key is None:
        if has_table_rows or log_exists:
            report.findings.append(
                f"this computer does not hold the clinic key, so the {has_table_rows} checkpoints cannot be "
                f"verified (copy it here with 'acudesk key import'; docs/security.md)")
        else:
            _uncovered(tx, None, now, report)
        return report
    report.key_id = key.key_id
    if not log_exists:
        report.findings.append(f"the checkpoint log {log_path(clinic)} is missing, though this computer holds the "
                               f"clinic key")
        logged: list[Checkpoint] = []
    else:
        logged = _log_entries(clinic, key, report)
    for checkpoint in extra:
        if checkpoint.clinic_id != clinic:
            report.findings.append("the backup's checkpoint belongs to another clinic")
        elif not key.verifies(checkpoint.message(), checkpoint.mac):
            report.findings.append("the backup's checkpoint does not verify with the clinic key (forged or altered)")
            report.contradicted = True
    vouched = [c for c in extra if c.clinic_id == clinic and key.verifies(c.message(), c.mac)]
    held = [*_table_entries(tx, clinic, key, report), *vouched]
    # A backup restored with its own authenticated checkpoint is the clinic's (even one from before an
    # earlier restore); without one, it must agree with the history the log recorded up to its length.
    optional = logged if restoring and not vouched else []
    if not restoring:
        held += logged
    # The same checkpoint is kept in the table and in the log: compare (and count) each once.
    held = list({checkpoint.message(): checkpoint for checkpoint in held}.values())
    optional = [c for c in {c.message(): c for c in optional}.values() if c.message() not in
                {h.message() for h in held}]
    _compare(tx, held, optional, report)
    total = _count(tx)
    verified = [c for c in held if c.event_count <= total]
    report.latest = max(verified, key=lambda c: (c.event_count, c.created_at), default=None)
    _uncovered(tx, report.latest, now, report)
    return report


def verify_database(database: Database) -> CheckpointReport | None:
    """``verify`` for a whole database, or None for one older than checkpoints (schema before 0010)."""
    from acudesk.persistence.migrations import KNOWN_REVISIONS, stored_revision

    revision = stored_revision(database)
    if revision not in KNOWN_REVISIONS or KNOWN_REVISIONS.index(revision) < KNOWN_REVISIONS.index("0010"):
        return None
    with database.read() as tx:
        return verify(tx)


def _count(tx: Session) -> int:
    return tx.scalar(select(func.count(AuditEvent.id))) or 0


def _compare(tx: Session, held: Iterable[Checkpoint], optional: Iterable[Checkpoint],
             report: CheckpointReport) -> None:
    """One pass over the chain's hashes, comparing each checkpoint's head at its position."""
    wanted: dict[int, list[tuple[Checkpoint, bool]]] = {}
    for checkpoint in held:
        wanted.setdefault(checkpoint.event_count, []).append((checkpoint, True))
    for checkpoint in optional:
        wanted.setdefault(checkpoint.event_count, []).append((checkpoint, False))
    position = 0
    matched = len(wanted.pop(0, ()))  # an empty chain's checkpoint: nothing to compare
    for position, event_hash in enumerate(
            tx.scalars(select(AuditEvent.hash).order_by(AuditEvent.id)).yield_per(5000), 1):
        for checkpoint, _required in wanted.pop(position, ()):
            if event_hash == checkpoint.head_hash:
                matched += 1
            else:
                report.contradicted = True
                report.findings.append(
                    f"the audit trail's first {position} events differ from {checkpoint.describe()}: events were "
                    f"changed, removed or the chain was re-hashed")
    for count, checkpoints in sorted(wanted.items()):
        for checkpoint, required in checkpoints:
            if required:
                report.contradicted = True
                report.findings.append(
                    f"the audit trail holds {_plural(position, 'event')} but {checkpoint.describe()} counted "
                    f"{count}: events were removed from its end, or the database was replaced by an older copy "
                    f"without a declared restore")
    report.checkpoints = matched


def _uncovered(tx: Session, latest: Checkpoint | None, now: datetime, report: CheckpointReport) -> None:
    """Events older than the grace period must lie under a checkpoint (one is written at least daily)."""
    first_uncovered = tx.scalar(select(AuditEvent.occurred_at).order_by(AuditEvent.id)
                                .offset(latest.event_count if latest else 0).limit(1))
    if first_uncovered is not None and now - first_uncovered > UNCOVERED_GRACE:
        since = f"{dates.day_and_time(first_uncovered, UTC)} UTC"
        report.findings.append(
            f"audit events since {since} lie under no checkpoint (one is written at every backup and at the first "
            f"sign-in of each day): checkpoints were removed, or none could be written (run 'acudesk checkpoint')")


# Administrators' commands: a checkpoint now, and the clinic key carried to another computer.

KEY_FILE_FORMAT = "acudesk-clinic-key/1"


def checkpoint_now(database: Database, actor: Actor) -> Checkpoint:
    """``acudesk checkpoint``: anchor the chain as it stands (e.g. before handing a copy to an auditor)."""
    require(actor, Permission.MANAGE_BACKUPS)
    checkpoint = write_checkpoint(database, "manual")
    with database.write() as tx:
        audit.record(tx, actor, "checkpoint", "audit", detail={"events": checkpoint.event_count})
    return checkpoint


def _clinic(database: Database) -> str:
    with database.read() as tx:
        clinic = clinic_id(tx)
    if clinic is None:
        raise DatabaseError("This database has no clinic identity (settings 'clinic_id'); run 'acudesk check'.")
    return clinic


def export_key(database: Database, actor: Actor, destination: Path) -> ClinicKey:
    """Write the clinic key to ``destination`` (a new file readable by its owner only), for another workstation
    of the clinic or the clinic's safe. Whoever holds it can write checkpoints that verify: keep it as the
    clinic keeps its backups."""
    require(actor, Permission.MANAGE_BACKUPS)
    if destination.exists():
        raise DatabaseError(f"{destination} exists already; name a new file.")
    key = clinic_key.load_or_create(_clinic(database))
    clinic_key.write_private(destination, json.dumps({"format": KEY_FILE_FORMAT, "clinic_id": key.clinic_id,
                                                      "key": key.secret.hex()}) + "\n", make_folder=False)
    with database.write() as tx:
        audit.record(tx, actor, "export_key", "clinic", detail={"key_id": key.key_id})
    return key


def import_key(database: Database, actor: Actor, source: Path) -> ClinicKey:
    """Take the clinic key from a file ``export_key`` wrote, for this database's clinic only."""
    require(actor, Permission.MANAGE_BACKUPS)
    clinic = _clinic(database)
    try:
        document = json.loads(source.read_text(encoding="utf-8"))
        if document.get("format") != KEY_FILE_FORMAT:
            raise ValueError
        key = ClinicKey(str(document["clinic_id"]), bytes.fromhex(str(document["key"])))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise DatabaseError(f"{source} is not an AcuDesk clinic key file.") from None
    if key.clinic_id != clinic or len(key.secret) != clinic_key.KEY_BYTES:
        raise DatabaseError(f"{source} holds the key of another clinic, not this database's; nothing was changed.")
    existing = clinic_key.load(clinic)
    if existing is not None and existing.secret != key.secret:
        raise DatabaseError(f"This computer holds another key for this clinic (key id {existing.key_id}); "
                            "nothing was changed.")
    clinic_key.store(key)
    if not log_path(clinic).exists():
        _append_to_log_start(clinic)
    with database.write() as tx:
        audit.record(tx, actor, "import_key", "clinic", detail={"key_id": key.key_id})
    return key


@dataclass(frozen=True)
class TrailReport:
    """The audit trail's chain and its checkpoints, for the audit log's "Verify" (administrators)."""

    chain: audit.ChainReport
    anchored: CheckpointReport | None  # None: a database older than checkpoints

    @property
    def ok(self) -> bool:
        return self.chain.ok and (self.anchored is None or self.anchored.ok)


def verify_trail(database: Database, actor: Actor) -> TrailReport:
    require(actor, Permission.VIEW_AUDIT)
    with database.read() as tx:
        chain = audit.verify_chain(tx)
    return TrailReport(chain, verify_database(database))
