"""Who is acting. Every service call receives an ``Actor``; permissions and audit read it."""

from __future__ import annotations

from dataclasses import dataclass

ADMINISTRATOR = "administrator"
PRACTITIONER = "practitioner"
RECEPTIONIST = "receptionist"
ROLES = (ADMINISTRATOR, PRACTITIONER, RECEPTIONIST)


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    display_name: str
    roles: frozenset[str]

    def has_role(self, role: str) -> bool:
        return role in self.roles
