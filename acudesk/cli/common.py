"""Helpers shared by command modules."""

from __future__ import annotations

import argparse
import os

from acudesk.domain.errors import DatabaseError
from acudesk.domain.input_limits import MAX_RECORD_NUMBER


def database_target(args: argparse.Namespace) -> str:
    """The database a command works on: ``--db``, else ACUDESK_DATABASE_URL, else the default file."""
    if getattr(args, "demo", False):
        raise DatabaseError("This command works on a real database; use --db PATH instead of --demo.")
    if getattr(args, "db", None) is not None:
        if not str(args.db).strip():
            raise DatabaseError(EMPTY_DB)
        return str(args.db)
    if os.environ.get("ACUDESK_DATABASE_URL"):
        return os.environ["ACUDESK_DATABASE_URL"]
    from acudesk.paths import default_database_path

    return str(default_database_path())


EMPTY_DB = "--db was given an empty value: name an SQLite file or a database URL."


def database_option(text: str) -> str:
    """argparse type of ``--db``: an empty value is an error, never the default database silently."""
    if not text.strip():
        raise argparse.ArgumentTypeError("empty: name an SQLite file or a database URL")
    return text


def positive_int(text: str) -> int:
    """argparse type for counts and record numbers: a whole number from 1 to 2,147,483,647 (the largest
    record number, domain/input_limits.py)."""
    if len(text.strip()) > 40:  # int() of thousands of digits is slow, and refused past 4,300
        raise argparse.ArgumentTypeError(f"must be at most {MAX_RECORD_NUMBER:,}")
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text[:40]!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    if value > MAX_RECORD_NUMBER:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_RECORD_NUMBER:,}")
    return value
