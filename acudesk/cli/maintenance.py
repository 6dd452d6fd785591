"""``acudesk check`` and ``acudesk backup DEST``."""

from __future__ import annotations

import argparse
from pathlib import Path

from acudesk.cli.common import database_target


def register(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser("check", help="check the database's integrity, schema and audit trail")
    check.set_defaults(handler=run_check)
    backup = subparsers.add_parser("backup", help="write a verified backup copy of the database")
    backup.add_argument("destination", type=Path, help="file to create (must not exist)")
    backup.set_defaults(handler=run_backup)


def run_check(args: argparse.Namespace) -> int:
    from acudesk.services.maintenance import check_database

    report = check_database(database_target(args))
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def run_backup(args: argparse.Namespace) -> int:
    from acudesk.services.maintenance import backup_database, open_database

    database = open_database(database_target(args))
    try:
        path = backup_database(database, args.destination)
    finally:
        database.dispose()
    print(f"Backup written to {path}")
    return 0
