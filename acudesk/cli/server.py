"""``acudesk migrate``, ``grants APP_ROLE`` and ``migrate-to URL``: setting up and moving to a server.

    acudesk --db OWNER_URL migrate                    create or upgrade the schema (the owner role)
    acudesk grants APP_ROLE [--schema S] [--owner R]  print the application role's grants as SQL
    acudesk --db OWNER_URL grants APP_ROLE --apply    run them as the owner role
    acudesk [--db FILE] migrate-to OWNER_URL          move an SQLite clinic onto an empty server database

docs/multi-seat.md walks a clinic through all three.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from acudesk.cli import signin
from acudesk.cli.common import database_target
from acudesk.domain.errors import DatabaseError


def register(subparsers: argparse._SubParsersAction) -> None:
    migrate = subparsers.add_parser(
        "migrate", help="create or upgrade the database's schema (on a server: connect as the owner role)")
    migrate.set_defaults(handler=run_migrate)
    grants = subparsers.add_parser(
        "grants", help="print (or --apply) the least-privilege grants for the application's server role")
    grants.add_argument("app_role", metavar="APP_ROLE", help="the role the workstations connect as")
    grants.add_argument("--schema", default="public", help="schema holding AcuDesk's tables (public)")
    grants.add_argument("--owner", metavar="ROLE", help="owner role, for the printed default privileges")
    grants.add_argument("--apply", action="store_true",
                        help="run them on --db / ACUDESK_DATABASE_URL, connected as the owner role")
    grants.set_defaults(handler=run_grants)
    move = subparsers.add_parser(
        "migrate-to",
        help="copy this SQLite clinic onto an empty PostgreSQL database (signs in; the file is only read)")
    move.add_argument("url", metavar="URL", help="the empty database, as its owner role: postgresql+psycopg://…")
    signin.add_command_options(move)
    move.set_defaults(handler=run_migrate_to)


def run_migrate(args: argparse.Namespace) -> int:
    from acudesk.services.server import upgrade_schema

    result = upgrade_schema(database_target(args))
    if not result.changed:
        print(f"The schema is up to date ({result.after}); nothing to do.")
        return 0
    print(f"Schema {'created' if result.before is None else 'upgraded from ' + result.before} "
          f"to {result.after}.")
    if result.backup is not None:
        print(f"The file as it was is kept in {result.backup}.")
    if result.on_server:
        print("If the workstations connect as their own role, run 'acudesk grants APP_ROLE --apply' again "
              "(as this owner role) so that new tables get the same least-privilege grants.")
    return 0


def run_grants(args: argparse.Namespace) -> int:
    from acudesk.services.server import app_role_grant_script, apply_app_role_grants

    if not args.apply:
        print(app_role_grant_script(args.app_role, schema=args.schema, owner_role=args.owner), end="")
        return 0
    target = database_target(args)
    if "://" not in target:
        raise DatabaseError("Grants are for a PostgreSQL server: give --db OWNER_URL (or ACUDESK_DATABASE_URL).")
    applied = apply_app_role_grants(target, args.app_role)
    print(f"Granted '{applied.app_role}' rows-only access to AcuDesk's tables in schema '{applied.schema}' "
          f"({len(applied.statements)} statements, as '{applied.owner_role}'). It cannot alter, truncate or drop "
          "tables, drop triggers, or change the audit trail.")
    return 0


def run_migrate_to(args: argparse.Namespace) -> int:
    from acudesk.services.migrate_to import migrate_to

    source = database_target(args)
    if "://" in source:
        raise DatabaseError("migrate-to moves an SQLite clinic file: give it with --db FILE (the source is "
                            "already a server database).")
    path = Path(source)
    if not path.is_file():
        raise DatabaseError(f"{path} does not exist.")
    from acudesk.services.encryption import encrypted_file

    if encrypted_file(path) is not None:
        raise DatabaseError("This clinic file is encrypted: decrypt it first (acudesk --user NAME decrypt), then "
                            "move it to the server, whose disk encryption and TLS protect it there.")
    # An administrator of the file signs in to it ("manage backups"): the sign-in, and the sign-out when the
    # command finishes, are the only rows written to it.
    actor = signin.sign_in_to_file(args, path)
    try:
        report = migrate_to(actor, path, args.url, progress=print)
    finally:
        signin.sign_out(actor)
    print(f"Moved {report.rows} rows in {len(report.tables)} tables to {report.target}: every table's row count "
          f"matches the file and the audit trail verifies ({report.audit_events_verified} events).")
    print(f"{path} was not changed (but for your sign-in and sign-out in it). Point the workstations at the "
          "server (docs/multi-seat.md) and stop using "
          "the file, or the two will drift apart.")
    return 0
