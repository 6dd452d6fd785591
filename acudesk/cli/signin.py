"""Signing in on the command line: ``acudesk --user NAME COMMAND …``.

Every command that reads or writes clinical data, or administers the clinic, signs in through
``services.auth.sign_in``, exactly as the sign-in screen does: the same lock-out after five failures,
the same audit events, and the user's own permissions for the command (a receptionist gets a
receptionist's view or a refusal). There is no implicit user. The command's sign-in ends when it
finishes (``sign_out``), as the app's does when it quits (docs/security.md, "Signed-in sessions").

The password comes from, in this order:

1. ``--password-file PATH``: the first line of the file (``-`` reads it from standard input);
2. the environment variable ``ACUDESK_PASSWORD``;
3. the terminal, without echo (``getpass``), when standard input is a terminal.

The first two are for scheduled jobs only; docs/security.md says how to keep them safe.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from acudesk.domain.errors import AcuDeskError, ValidationError

if TYPE_CHECKING:
    from acudesk.services.auth import Database
    from acudesk.services.context import Actor
    from acudesk.services.encryption import SignedIn

PASSWORD_ENV = "ACUDESK_PASSWORD"


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """``--user`` and ``--password-file`` before the command word."""
    parser.add_argument("--user", metavar="NAME", help="sign in as NAME (commands that touch clinic data)")
    parser.add_argument("--password-file", type=Path, metavar="PATH",
                        help=f"read the password from PATH's first line ('-': standard input), for scheduled "
                             f"jobs; or set {PASSWORD_ENV}. Otherwise it is asked for.")


def add_command_options(parser: argparse.ArgumentParser) -> None:
    """The same options accepted after the command word too (``acudesk export … --user NAME``)."""
    parser.add_argument("--user", dest="command_user", metavar="NAME", help=argparse.SUPPRESS)
    parser.add_argument("--password-file", dest="command_password_file", type=Path, metavar="PATH",
                        help=argparse.SUPPRESS)


def username(args: argparse.Namespace) -> str:
    """The ``--user`` given, or a clear refusal naming the ways to give it."""
    name = getattr(args, "command_user", None) or getattr(args, "user", None)
    if not name or not name.strip():
        raise ValidationError(
            "This command reads or changes clinic data: sign in with --user NAME (the password is asked "
            f"for, or read from --password-file PATH or {PASSWORD_ENV}).", field="user")
    return str(name).strip()


def password(args: argparse.Namespace, name: str) -> str:
    """The password for ``name`` from the file, the environment or the terminal (see the module)."""
    file = getattr(args, "command_password_file", None) or getattr(args, "password_file", None)
    if file is not None:
        return _from_file(Path(file))
    from_environment = os.environ.get(PASSWORD_ENV)
    if from_environment:
        return from_environment
    if not sys.stdin or not sys.stdin.isatty():
        raise ValidationError(
            f"No password for '{name}': no terminal to ask it at. A scheduled job gives it with "
            f"--password-file PATH or {PASSWORD_ENV} (docs/security.md).", field="password")
    import getpass

    try:
        return getpass.getpass(f"Password for {name}: ")
    except EOFError:
        raise ValidationError(f"No password was given for '{name}'.", field="password") from None


def _from_file(file: Path) -> str:
    try:
        if str(file) == "-":
            text = sys.stdin.readline()
        else:
            _warn_if_others_can_read(file)
            text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(f"Password file not found: {file}", field="password_file") from None
    except UnicodeDecodeError:
        raise ValidationError(f"Password file is not UTF-8 text: {file}", field="password_file") from None
    except OSError as error:
        message = f"Password file cannot be read: {file} ({error.strerror or error})"
        raise ValidationError(message, field="password_file") from None
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise ValidationError(f"The password file {file} is empty: the password is its first line.",
                              field="password_file")
    return lines[0]


def _warn_if_others_can_read(file: Path) -> None:
    if os.name != "posix" or not file.is_file():
        return
    if file.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        print(f"acudesk: warning: other users can read the password file {file}; "
              f"make it private (chmod 600 {file}).", file=sys.stderr)


def sign_in(args: argparse.Namespace, database: Database) -> Actor:
    """Sign the ``--user`` in to ``database`` (audited; a wrong password counts towards the lock-out)."""
    from acudesk.services.auth import sign_in as service_sign_in

    name = username(args)
    return service_sign_in(database, name, password(args, name))


def open_signed_in(args: argparse.Namespace, target: str | Path, *, upgrade: bool = True) -> SignedIn:
    """Open the database at ``target`` and sign the ``--user`` in to it. An encrypted clinic file
    (docs/security.md, "Encryption at rest") opens only with the password, so it is asked for first; any
    other database is opened first and the password asked for after, as before."""
    from acudesk.services.encryption import SignedIn, encrypted_file
    from acudesk.services.encryption import open_signed_in as service_open_signed_in
    from acudesk.services.maintenance import open_database

    name = username(args)  # before opening anything
    if encrypted_file(target) is not None:
        return service_open_signed_in(target, name, password(args, name), upgrade=upgrade)
    database = open_database(target, upgrade=upgrade)
    try:
        return SignedIn(database, sign_in(args, database))
    except BaseException:
        database.dispose()
        raise


def sign_out(actor: Actor | None) -> None:
    """The command has finished: end its sign-in (audited) in the database that issued it, then close that
    database's connections. A failure to sign out is a warning: the command's own outcome stands."""
    credential = actor.credential if actor is not None else None
    if actor is None or credential is None:
        return
    from acudesk.services.auth import sign_out as service_sign_out

    try:
        service_sign_out(credential.database, actor)
    except AcuDeskError as error:
        print(f"acudesk: warning: your sign-in could not be ended ({error.message})", file=sys.stderr)
    finally:
        credential.database.dispose()


def release(actor: Actor) -> None:
    """Close the connections of the database ``actor`` signed in to, without signing out: after a restore
    replaced that file, the sign-in stays in the file kept aside, which is not written to again."""
    if actor.credential is not None:
        actor.credential.database.dispose()


def sign_in_to_file(args: argparse.Namespace, path: Path) -> Actor:
    """Sign in to the SQLite file at ``path``, opened as it is (not upgraded), then closed again: for
    commands that hand a path, not a database, to the service (restore, migrate-to). The services check the
    sign-in on that file (reopening it); end it with ``sign_out`` (or ``release`` after a restore)."""
    return sign_in_to_file_with_key(args, path)[0]


def sign_in_to_file_with_key(args: argparse.Namespace, path: Path) -> tuple[Actor, bytes | None]:
    """``sign_in_to_file``, and the database key when the file is an encrypted clinic (restore needs it)."""
    signed_in = open_signed_in(args, path, upgrade=False)
    signed_in.database.dispose()
    return signed_in.actor, signed_in.database.key
