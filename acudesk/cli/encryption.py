"""``acudesk encrypt`` and ``acudesk decrypt``: encryption at rest of an SQLite clinic file (SQLCipher).

Both are for an administrator, who signs in with ``--user NAME``; the password also wraps the new
database key for them (``encrypt``). The clinic is written into a new file, checked, and swapped in; the
previous file is kept beside it and named. Close AcuDesk on every computer using the file first.
docs/security.md, "Encryption at rest".
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from acudesk.cli import signin
from acudesk.cli.common import database_target
from acudesk.domain.errors import DatabaseError

if TYPE_CHECKING:
    from acudesk.services.context import Actor
    from acudesk.services.encryption import Swapped


def register(subparsers: argparse._SubParsersAction) -> None:
    encrypt = subparsers.add_parser(
        "encrypt", help="encrypt the clinic's SQLite file (SQLCipher); only you can sign in until you reset "
                        "your colleagues' passwords")
    signin.add_command_options(encrypt)
    encrypt.set_defaults(handler=run_encrypt)
    decrypt = subparsers.add_parser("decrypt", help="turn an encrypted clinic file back into a plain SQLite file")
    signin.add_command_options(decrypt)
    decrypt.set_defaults(handler=run_decrypt)


def _sqlite_file(args: argparse.Namespace) -> str:
    target = database_target(args)
    if "://" in target and not target.startswith("sqlite"):
        raise DatabaseError("Only an SQLite clinic file is encrypted by AcuDesk; a PostgreSQL server's data is "
                            "protected by the server's disk encryption and TLS (docs/multi-seat.md).")
    return target


def _swapped(args: argparse.Namespace, *, encrypting: bool) -> tuple[Swapped, Actor]:
    """Sign in to the clinic file and encrypt or decrypt it (services/encryption.py); the sign-in ends in
    the new file, or, when refused before the swap, in the file still in use."""
    from acudesk.services.encryption import decrypt_clinic, encrypt_clinic, encrypted_file, open_signed_in

    target = _sqlite_file(args)
    if (encrypted_file(target) is not None) == encrypting:
        raise DatabaseError("This clinic database is " + ("encrypted already" if encrypting else "not encrypted")
                            + "; nothing was changed.")
    name = signin.username(args)
    password = signin.password(args, name)
    signed_in = open_signed_in(target, name, password)
    try:
        swapped = (encrypt_clinic if encrypting else decrypt_clinic)(signed_in.database, signed_in.actor, password)
    except BaseException:
        signin.sign_out(signed_in.actor)  # refused before the swap: the sign-in ends in the file still in use
        raise
    signin.release(signed_in.actor)  # it ended in the new file (services/encryption.py); the old one is kept
    return swapped, signed_in.actor


def run_encrypt(args: argparse.Namespace) -> int:
    swapped, actor = _swapped(args, encrypting=True)
    print(f"Encrypted {swapped.path}. Its database key is wrapped for '{actor.username}' only, in "
          f"{swapped.path.name}.keys.json beside it: keep that file with the database and its backups.")
    print("Every other user cannot sign in until an administrator resets their password (Administration → "
          "Users and roles).")
    print(f"The previous, UNENCRYPTED file was kept as {swapped.previous_kept_as}: anyone can read it. Once the "
          "clinic opens, delete it, and move the backups taken before now (not encrypted) off this computer.")
    return 0


def run_decrypt(args: argparse.Namespace) -> int:
    swapped, _actor = _swapped(args, encrypting=False)
    print(f"Decrypted {swapped.path}: it is a plain SQLite file again, readable by anyone who has it.")
    print(f"The encrypted file was kept as {swapped.previous_kept_as} (with its keys file).")
    return 0
