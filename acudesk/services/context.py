"""Who is acting. Every service call receives an ``Actor``; permissions and audit read it.

An ``Actor`` is made by signing in (``services.auth.sign_in``, the first-run set-up, the demo
clinic, unlocking after the idle lock), which gives it a ``Credential``: a random token
whose SHA-256 is a row of ``sign_in_sessions``, and the database holding that row. The services
check the credential on every call (``permissions.require``), so an ``Actor(...)`` built by hand has
none and is refused, and one whose roles were widened with ``dataclasses.replace`` is held to the
roles the database gives the user now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from acudesk.persistence.database import Database

ADMINISTRATOR = "administrator"
PRACTITIONER = "practitioner"
RECEPTIONIST = "receptionist"
ROLES = (ADMINISTRATOR, PRACTITIONER, RECEPTIONIST)


@dataclass(frozen=True, eq=False)
class Credential:
    """A sign-in's proof: the token (kept in memory only; the database stores its SHA-256) and the
    database it was issued by. Compared by identity and never shown, so it cannot leak into a log."""

    token: str = field(repr=False)
    database: Database = field(repr=False)


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    display_name: str
    roles: frozenset[str]
    # Not part of equality or repr: two actors for the same person compare equal whatever their sign-in.
    credential: Credential | None = field(default=None, compare=False, repr=False)

    def has_role(self, role: str) -> bool:
        return role in self.roles
