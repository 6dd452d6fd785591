"""``acudesk check``, ``backup [DEST]``, ``restore [--list | BACKUP]`` and ``audit verify``.

On an SQLite file, ``backup DEST`` writes a verified copy to the new file DEST. On a PostgreSQL URL,
``backup [DEST]`` runs pg_dump into the folder DEST (default: ``<database>-backups`` in the user data
folder) with the automatic backups' naming and retention, or into the new file DEST; ``restore DUMP``
restores a dump into an empty database only (services/server_backups.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from acudesk.cli import signin
from acudesk.cli.common import database_target
from acudesk.domain import dates
from acudesk.domain.errors import DatabaseError


def register(subparsers: argparse._SubParsersAction) -> None:
    check = subparsers.add_parser("check", help="check the database's integrity, schema and audit trail")
    signin.add_command_options(check)  # an encrypted file opens with a user's password only
    check.set_defaults(handler=run_check)
    backup = subparsers.add_parser("backup", help="write a verified backup copy of the database")
    backup.add_argument("destination", type=Path, nargs="?",
                        help="file to create (must not exist); on a PostgreSQL server a folder or a new file")
    signin.add_command_options(backup)
    backup.set_defaults(handler=run_backup)
    restore = subparsers.add_parser("restore", help="list automatic backups, or restore one")
    restore.add_argument("backup", type=Path, nargs="?",
                         help="backup file to restore (a PostgreSQL dump: into an empty database only)")
    restore.add_argument("--list", action="store_true", help="list the automatic backups")
    signin.add_command_options(restore)
    restore.set_defaults(handler=run_restore)
    repair = subparsers.add_parser("repair-rules", help="remake the database's guard triggers and schedule rules "
                                                        "that check reports missing or altered (administrators)")
    signin.add_command_options(repair)
    repair.set_defaults(handler=run_repair_rules)
    audit = subparsers.add_parser("audit", help="audit trail tools")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)
    verify = audit_commands.add_parser("verify", help="check the audit trail's hash chain")
    signin.add_command_options(verify)
    verify.set_defaults(handler=run_audit_verify)


def run_check(args: argparse.Namespace) -> int:
    from acudesk.services.maintenance import check_database

    target = database_target(args)
    report = check_database(target, key=_key_if_encrypted(args, target))
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def _key_if_encrypted(args: argparse.Namespace, target: str) -> bytes | None:
    """An encrypted clinic file is read only with a user's password (``--user NAME``): it unwraps the
    database key and nothing else, and nothing is written (no sign-in row, no audit event)."""
    from acudesk.services.encryption import EncryptedDatabaseError, encrypted_file, unlock

    path = encrypted_file(target)
    if path is None:
        return None
    if not (getattr(args, "command_user", None) or getattr(args, "user", None)):
        raise EncryptedDatabaseError(path)  # says to give --user NAME
    name = signin.username(args)
    return unlock(path, name, signin.password(args, name))


def run_repair_rules(args: argparse.Namespace) -> int:
    from acudesk.services.maintenance import repair_rules

    target = database_target(args)
    signed_in = signin.open_signed_in(args, target, upgrade=False)
    try:
        remade = repair_rules(signed_in.database, signed_in.actor)
    finally:
        signin.sign_out(signed_in.actor)
        signed_in.database.dispose()
    if not remade:
        print("Every rule is present as its migration made it; nothing was changed.")
        return 0
    print("Remade (audited): " + ", ".join(remade) + ". Run 'acudesk check' for what changed while they were gone.")
    return 0


def _on_server(target: str) -> bool:
    return "://" in target and not target.startswith("sqlite")


def run_backup(args: argparse.Namespace) -> int:
    from acudesk.services.maintenance import backup_database

    target = database_target(args)
    if not _on_server(target) and args.destination is None:
        raise DatabaseError("Name the backup file to write: acudesk backup FILE.sqlite3")
    signin.username(args)
    # A server is backed up as it is (the application role may not upgrade it, and a backup is what one
    # wants before an upgrade); an SQLite file is opened, and upgraded, as by the app (an encrypted one at
    # sign-in: its backup is encrypted with the same key, its keys file beside it).
    signed_in = signin.open_signed_in(args, target, upgrade=not _on_server(target))
    database = signed_in.database
    pruned: list[Path] = []
    try:
        actor = signed_in.actor  # an administrator: "manage backups"
        if _on_server(target):
            from acudesk.services.server_backups import backup_server_database

            path, pruned = backup_server_database(database, actor, args.destination)
        else:
            path = backup_database(database, actor, args.destination)
    finally:
        signin.sign_out(signed_in.actor)
        database.dispose()
    print(f"Backup written to {path}")
    if _on_server(target):
        print("pg_dump custom format, checked with pg_restore --list. Restore it into an empty database with "
              "'acudesk --db URL restore FILE' or pg_restore (docs/multi-seat.md).")
    if pruned:
        print(f"Removed {len(pruned)} older backup{'s' if len(pruned) != 1 else ''} (retention: the newest of each "
              "of the last 12 days, 10 weeks and 9 months).")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from acudesk.services.backups import (
        backup_folder,
        list_backups,
        missing_or_damaged,
        restore_backup,
        restore_damaged_database,
    )

    where = database_target(args)
    if _on_server(where):
        return _restore_server(args, where)
    target = Path(where)
    if args.list or args.backup is None:
        backups = list_backups(backup_folder(target))
        if not backups:
            print(f"No automatic backups in {backup_folder(target)}")
            return 1
        for info in backups:
            print(f"{dates.day_and_time(info.taken_at, dates.computer_zone())}  {info.size / 1e6:7.1f} MB  {info.path}")
        return 0
    if missing_or_damaged(target):  # nobody can act in it: the same documented path as start-up's
        aside = restore_damaged_database(args.backup, target)
    else:
        # An administrator of the file being replaced signs in to it (not upgraded: it is kept aside as it is).
        # An encrypted clinic takes back its own encrypted backups, read with the key unlocked at sign-in.
        actor, key = signin.sign_in_to_file_with_key(args, target)
        try:
            aside = restore_backup(actor, args.backup, target, key)
        except BaseException:
            signin.sign_out(actor)  # refused before the swap: the sign-in ends in the file still in use
            raise
        signin.release(actor)  # the sign-in stays in the file kept aside (docs/security.md)
    print(f"Restored {target} from {args.backup.name}.")
    if aside:
        print(f"The previous file was kept as {aside}.")
    return 0


def _restore_server(args: argparse.Namespace, target: str) -> int:
    from acudesk.services.backups import list_backups
    from acudesk.services.server_backups import SUFFIX, default_backup_folder, restore_server_backup

    if args.list or args.backup is None:
        folder = default_backup_folder(target)
        found = list_backups(folder, SUFFIX)
        if not found:
            print(f"No backups in {folder} (a scheduled 'acudesk backup FOLDER' keeps them in FOLDER).")
            return 1
        for info in found:
            print(f"{dates.day_and_time(info.taken_at, dates.computer_zone())}  {info.size / 1e6:7.1f} MB  {info.path}")
        return 0
    restored = restore_server_backup(args.backup, target)
    print(f"Restored {args.backup.name} into the empty database {restored.target}: schema "
          f"{restored.schema_revision}, {restored.patients} patients.")
    if restored.audit_first_broken_id is not None:
        print(f"WARNING: the audit trail is broken at event {restored.audit_first_broken_id}.")
        return 1
    print(f"Audit trail intact: {restored.audit_events} events. Check the clinic, then point the workstations "
          "at this database.")
    return 0


def run_audit_verify(args: argparse.Namespace) -> int:
    from acudesk.services import audit, checkpoints
    from acudesk.services.maintenance import open_read_only

    target = database_target(args)
    database = open_read_only(target, key=_key_if_encrypted(args, target))  # changes nothing; read-only media
    try:
        with database.read() as tx:
            report = audit.verify_chain(tx)
        anchored = checkpoints.verify_database(database)
    finally:
        database.dispose()
    if not report.ok:
        print(f"Audit trail BROKEN at event {report.first_broken_id} "
              f"(after {report.events_checked - 1} good events). Events from there on cannot be trusted.")
        return 1
    print(f"Audit trail intact: {report.events_checked} events, every link verified.")
    if anchored is None:
        print("Checkpoints: this database predates them ('acudesk migrate' adds them).")
        return 0
    print(anchored.line()[:1].upper() + anchored.line()[1:])
    return 0 if anchored.ok else 1
