"""Helpers shared by command modules."""

from __future__ import annotations

import argparse
import os

from acudesk.domain.errors import DatabaseError


def database_target(args: argparse.Namespace) -> str:
    """The database a command works on: ``--db``, else ACUDESK_DATABASE_URL, else the default file."""
    if getattr(args, "demo", False):
        raise DatabaseError("This command works on a real database; use --db PATH instead of --demo.")
    if getattr(args, "db", None):
        return str(args.db)
    if os.environ.get("ACUDESK_DATABASE_URL"):
        return os.environ["ACUDESK_DATABASE_URL"]
    from acudesk.paths import default_database_path

    return str(default_database_path())


def positive_int(text: str) -> int:
    """argparse type for counts and record numbers: a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value
