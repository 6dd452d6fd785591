"""The clinic key: a secret kept outside the database that authenticates audit checkpoints.

Anyone who can write the database file can rewrite the audit chain and recompute its hashes: the
recipe is public. What they cannot do without this key is produce a checkpoint (the chain's length
and head) that verifies. The key is made on first use and kept, in this order of preference:

1. the operating system's credential store through ``keyring`` (Windows Credential Locker, macOS
   Keychain, the Secret Service on a Linux desktop), under the service name ``AcuDesk clinic key`` and
   the clinic's identity (``settings['clinic_id']``);
2. otherwise a key file readable by its owner only, ``<config>/AcuDesk/clinic-keys/<clinic id>.key``.

The checkpoint log (services/checkpoints.py) lives in the same folder. Copying both files to another
computer (``acudesk key export`` / ``import``) lets it verify and write checkpoints too.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from acudesk.domain.errors import DatabaseError

log = logging.getLogger(__name__)

KEYRING_SERVICE = "AcuDesk clinic key"
KEY_BYTES = 32


@dataclass(frozen=True)
class ClinicKey:
    clinic_id: str
    secret: bytes = b""

    @property
    def key_id(self) -> str:
        """A short public fingerprint naming the key (not the key)."""
        return hashlib.sha256(b"acudesk-key-id:" + self.secret).hexdigest()[:16]

    def mac(self, message: str) -> str:
        return hmac.new(self.secret, message.encode("utf-8"), hashlib.sha256).hexdigest()

    def verifies(self, message: str, mac: str) -> bool:
        return hmac.compare_digest(self.mac(message), mac)

    def __repr__(self) -> str:  # never print the secret
        return f"ClinicKey(clinic_id={self.clinic_id!r}, key_id={self.key_id!r})"


def key_folder() -> Path:
    from platformdirs import user_config_path

    return user_config_path("AcuDesk", "AcuDesk") / "clinic-keys"


def key_file(clinic_id: str) -> Path:
    return key_folder() / f"{_safe(clinic_id)}.key"


def _safe(clinic_id: str) -> str:
    if not clinic_id or not all(c.isalnum() or c == "-" for c in clinic_id):
        raise DatabaseError("The database's clinic identity is not valid; run 'acudesk check'.")
    return clinic_id


def _keyring() -> Any:
    """The operating system's credential store, or None where there is none (servers, CI)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return keyring


def load(clinic_id: str) -> ClinicKey | None:
    """This computer's copy of the clinic's key, or None when it holds none."""
    store = _keyring()
    if store is not None:
        try:
            stored = store.get_password(KEYRING_SERVICE, clinic_id)
        except Exception as error:  # a locked or broken store: fall back to the file
            log.warning("The credential store could not be read (%s); trying the key file", type(error).__name__)
            stored = None
        if stored:
            return ClinicKey(clinic_id, bytes.fromhex(stored))
    path = key_file(clinic_id)
    if not path.is_file():
        return None
    mode = path.stat().st_mode
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise DatabaseError(f"The clinic key file {path} can be read by other users of this computer; make it "
                            f"private first (chmod 600 '{path}').")
    try:
        return ClinicKey(clinic_id, bytes.fromhex(path.read_text(encoding="ascii").strip()))
    except ValueError:
        raise DatabaseError(f"The clinic key file {path} is damaged.") from None


def load_or_create(clinic_id: str) -> ClinicKey:
    """The clinic's key, made (and stored) on first use."""
    existing = load(clinic_id)
    if existing is not None:
        return existing
    key = ClinicKey(clinic_id, secrets.token_bytes(KEY_BYTES))
    store(key)
    log.info("A new clinic key was made (key id %s)", key.key_id)
    return key


def store(key: ClinicKey) -> None:
    """Keep ``key`` in the credential store, or else in a private key file."""
    keyring = _keyring()
    if keyring is not None:
        try:
            keyring.set_password(KEYRING_SERVICE, key.clinic_id, key.secret.hex())
            key_folder().mkdir(parents=True, exist_ok=True)
            return
        except Exception as error:
            log.warning("The credential store refused the clinic key (%s); using a key file", type(error).__name__)
    write_private(key_file(key.clinic_id), key.secret.hex() + "\n")


def write_private(path: Path, text: str, *, make_folder: bool = True) -> None:
    """Write ``text`` to ``path`` readable by its owner only, atomically (in a private folder made for it,
    with ``make_folder``)."""
    if make_folder:
        path.parent.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            os.chmod(path.parent, 0o700)
    temporary = path.with_name(path.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
