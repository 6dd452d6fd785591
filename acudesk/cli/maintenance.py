"""``acudesk check``, ``backup DEST``, ``restore [--list | BACKUP]`` and ``audit verify``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from acudesk.cli.common import database_target
from acudesk.domain.errors import DatabaseError

if TYPE_CHECKING:
    from acudesk.services.context import Actor


def register(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser("check", help="check the database's integrity, schema and audit trail")
    check.set_defaults(handler=run_check)
    backup = subparsers.add_parser("backup", help="write a verified backup copy of the database")
    backup.add_argument("destination", type=Path, help="file to create (must not exist)")
    backup.set_defaults(handler=run_backup)
    restore = subparsers.add_parser("restore", help="list automatic backups, or restore one")
    restore.add_argument("backup", type=Path, nargs="?", help="backup file to restore")
    restore.add_argument("--list", action="store_true", help="list the automatic backups")
    restore.set_defaults(handler=run_restore)
    audit = subparsers.add_parser("audit", help="audit trail tools")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)
    verify = audit_commands.add_parser("verify", help="check the audit trail's hash chain")
    verify.set_defaults(handler=run_audit_verify)


def run_check(args: argparse.Namespace) -> int:
    from acudesk.services.maintenance import check_database

    report = check_database(database_target(args))
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def run_backup(args: argparse.Namespace) -> int:
    from acudesk.services.clinic import default_actor
    from acudesk.services.maintenance import backup_database, open_database

    database = open_database(database_target(args))
    try:
        actor = default_actor(database)  # no sign-in yet: the first administrator, as for `acudesk export`
        path = backup_database(database, actor, args.destination)
    finally:
        database.dispose()
    print(f"Backup written to {path}")
    return 0


def _sqlite_target(args: argparse.Namespace) -> Path:
    target = database_target(args)
    if "://" in target:
        raise DatabaseError("Restoring works on SQLite files; restore a PostgreSQL server with its own tools.")
    return Path(target)


def _first_administrator(target: Path) -> Actor:
    """Who restores: no sign-in yet, so the first administrator of the file being replaced (as for
    ``acudesk export``). Read without upgrading it: the file is about to be kept aside as it is."""
    from acudesk.services.clinic import default_actor
    from acudesk.services.maintenance import open_database

    database = open_database(target, upgrade=False)
    try:
        return default_actor(database)
    finally:
        database.dispose()


def run_restore(args: argparse.Namespace) -> int:
    from acudesk.services.backups import (
        backup_folder,
        list_backups,
        missing_or_damaged,
        restore_backup,
        restore_damaged_database,
    )

    target = _sqlite_target(args)
    if args.list or args.backup is None:
        backups = list_backups(backup_folder(target))
        if not backups:
            print(f"No automatic backups in {backup_folder(target)}")
            return 1
        for info in backups:
            print(f"{info.taken_at:%Y-%m-%d %H:%M} UTC  {info.size / 1e6:7.1f} MB  {info.path}")
        return 0
    if missing_or_damaged(target):  # nobody can act in it: the same documented path as start-up's
        aside = restore_damaged_database(args.backup, target)
    else:
        aside = restore_backup(_first_administrator(target), args.backup, target)
    print(f"Restored {target} from {args.backup.name}.")
    if aside:
        print(f"The previous file was kept as {aside}.")
    return 0


def run_audit_verify(args: argparse.Namespace) -> int:
    from acudesk.services import audit
    from acudesk.services.maintenance import open_database

    database = open_database(database_target(args), upgrade=False)
    try:
        with database.read() as tx:
            report = audit.verify_chain(tx)
    finally:
        database.dispose()
    if report.ok:
        print(f"Audit trail intact: {report.events_checked} events, every link verified.")
        return 0
    print(f"Audit trail BROKEN at event {report.first_broken_id} "
          f"(after {report.events_checked - 1} good events). Events from there on cannot be trusted.")
    return 1
