"""Command line entry point: ``acudesk [--db PATH | --demo] [COMMAND ...]``.

Without a command the desktop application starts. Each command lives in its own module in this
package and exposes ``register(subparsers)``; the module adds one top-level word and sets
``handler`` on its parser to a function ``handler(args) -> int``. Add new command modules to
``COMMAND_MODULES``. Errors meant for people are raised as ``AcuDeskError`` and printed on one
line with exit status 2; no traceback reaches the terminal.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from acudesk import __version__
from acudesk.cli.common import database_option
from acudesk.cli.signin import add_global_options
from acudesk.domain.errors import AcuDeskError

# Modules under acudesk.cli that each register one top-level command.
COMMAND_MODULES: tuple[str, ...] = (
    "maintenance",
    "checkpoints",
    "points",
    "course",
    "intake",
    "export",
    "server",
    "encryption",
)

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one clear line (argparse's own behaviour, exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"acudesk: {message} (see 'acudesk --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="acudesk", description="AcuDesk practice management for acupuncture clinics.")
    parser.add_argument("--version", action="version", version=f"AcuDesk {__version__}")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", type=database_option, metavar="PATH_OR_URL",
                       help="SQLite file or SQLAlchemy URL to open")
    where.add_argument("--demo", action="store_true", help="open a throwaway demo clinic")
    add_global_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"acudesk.cli.{name}").register(subparsers)
    return parser


class _NotJustTheApp(Exception):
    pass


class _AppOnlyParser(_Parser):
    def error(self, message: str) -> NoReturn:
        raise _NotJustTheApp(message)


def app_only_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """The options when ``argv`` only starts the desktop app (no command, no --help), else None.

    Starting the app then skips importing every command module: they cost about 80 ms of start-up
    (the course command alone brings in the holiday calendars). Anything else, errors included,
    goes to the full parser.
    """
    parser = _AppOnlyParser(prog="acudesk", add_help=False)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", type=database_option)
    where.add_argument("--demo", action="store_true")
    try:
        args, rest = parser.parse_known_args(list(argv))
    except _NotJustTheApp:
        return None
    if rest:
        return None
    args.command = None
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = app_only_arguments(sys.argv[1:] if argv is None else argv)
    if args is None:
        parser = build_parser()
        args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            if args.command is not None:  # a command word given without its sub-command
                parser.parse_args([*(argv or sys.argv[1:]), "--help"])
            from acudesk.preload import import_data_layer

            # Before Qt: PySide6's import hook makes every later import dearer (acudesk/preload.py).
            demo, db = getattr(args, "demo", False), getattr(args, "db", None)
            import_data_layer(None if demo else db or os.environ.get("ACUDESK_DATABASE_URL"))
            from acudesk.ui.app import run_gui

            return run_gui(args)
        return int(handler(args) or 0)
    except AcuDeskError as error:
        print(f"acudesk: {error.message}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
