"""``acudesk checkpoint`` and ``acudesk key export FILE`` / ``key import FILE`` (administrators).

A checkpoint anchors the audit trail with the clinic key (services/checkpoints.py); the key file
carries that key to another workstation of the clinic, or to the clinic's safe (docs/security.md,
"Tamper evidence").
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from acudesk.cli import signin
from acudesk.cli.common import database_target

if TYPE_CHECKING:
    from acudesk.services.auth import Database
    from acudesk.services.context import Actor


def register(subparsers: argparse._SubParsersAction) -> None:
    checkpoint = subparsers.add_parser("checkpoint", help="anchor the audit trail now with the clinic key")
    signin.add_command_options(checkpoint)
    checkpoint.set_defaults(handler=run_checkpoint)
    key = subparsers.add_parser("key", help="carry the clinic key (for audit checkpoints) to another computer")
    key_commands = key.add_subparsers(dest="key_command", metavar="COMMAND", required=True)
    export = key_commands.add_parser("export", help="write the clinic key to a new, private file")
    export.add_argument("file", type=Path)
    signin.add_command_options(export)
    export.set_defaults(handler=run_key_export)
    imported = key_commands.add_parser("import", help="take the clinic key from a file 'key export' wrote")
    imported.add_argument("file", type=Path)
    signin.add_command_options(imported)
    imported.set_defaults(handler=run_key_import)


def _signed_in(args: argparse.Namespace, work: Callable[[Database, Actor], str]) -> int:
    signed_in = signin.open_signed_in(args, database_target(args), upgrade=False)
    try:
        message = work(signed_in.database, signed_in.actor)
    finally:
        signin.sign_out(signed_in.actor)
        signed_in.database.dispose()
    print(message)
    return 0


def run_checkpoint(args: argparse.Namespace) -> int:
    from acudesk.services.checkpoints import checkpoint_now

    def work(database: Database, actor: Actor) -> str:
        checkpoint = checkpoint_now(database, actor)
        return f"Checkpoint written: {checkpoint.event_count} audit events, head {checkpoint.head_hash[:16]}…"

    return _signed_in(args, work)


def run_key_export(args: argparse.Namespace) -> int:
    from acudesk.services.checkpoints import export_key

    def work(database: Database, actor: Actor) -> str:
        key = export_key(database, actor, args.file)
        return (f"Clinic key {key.key_id} written to {args.file} (readable by you only). Import it on the "
                "clinic's other computers with 'acudesk key import FILE', then keep it as safe as a backup.")

    return _signed_in(args, work)


def run_key_import(args: argparse.Namespace) -> int:
    from acudesk.services.checkpoints import import_key

    def work(database: Database, actor: Actor) -> str:
        key = import_key(database, actor, args.file)
        return f"Clinic key {key.key_id} is now kept on this computer; 'acudesk check' can verify checkpoints."

    return _signed_in(args, work)
