"""What each role may do. Services call ``require`` before any work; the UI only mirrors it.

``require`` also checks that the actor is signed in now (services/sign_ins.py): roles an ``Actor``
claims are not enough.

The matrix follows the front-desk/clinical split clinics expect: receptionists handle
demographics, schedules, receipts and handouts; practitioners see clinical content;
administrators manage users, settings, backups and the audit log.
"""

from __future__ import annotations

from enum import StrEnum

from acudesk.domain.errors import PermissionDeniedError
from acudesk.services.context import ADMINISTRATOR, PRACTITIONER, RECEPTIONIST, Actor
from acudesk.services.sign_ins import current_roles


class Permission(StrEnum):
    VIEW_PATIENTS = "view patients"
    EDIT_PATIENTS = "register and edit patients"
    ARCHIVE_PATIENTS = "archive patients"
    VIEW_SCHEDULE = "view the schedule"
    EDIT_SCHEDULE = "book and change appointments"
    VIEW_CLINICAL = "view clinical records"
    EDIT_CLINICAL = "write clinical records"
    PRINT_HANDOUTS = "print handouts and receipts"
    MANAGE_CLINIC = "manage clinic settings"
    MANAGE_USERS = "manage user accounts"
    MANAGE_BACKUPS = "manage backups"
    VIEW_AUDIT = "view the audit log"


_FRONT_DESK = {
    Permission.VIEW_PATIENTS,
    Permission.EDIT_PATIENTS,
    Permission.ARCHIVE_PATIENTS,
    Permission.VIEW_SCHEDULE,
    Permission.EDIT_SCHEDULE,
    Permission.PRINT_HANDOUTS,
}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    RECEPTIONIST: frozenset(_FRONT_DESK),
    PRACTITIONER: frozenset(_FRONT_DESK | {Permission.VIEW_CLINICAL, Permission.EDIT_CLINICAL}),
    ADMINISTRATOR: frozenset(
        {
            Permission.VIEW_PATIENTS,
            Permission.EDIT_PATIENTS,
            Permission.ARCHIVE_PATIENTS,
            Permission.VIEW_SCHEDULE,
            Permission.MANAGE_CLINIC,
            Permission.MANAGE_USERS,
            Permission.MANAGE_BACKUPS,
            Permission.VIEW_AUDIT,
        }
    ),
}


def _granted_by(roles: frozenset[str]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def permissions_of(actor: Actor) -> frozenset[Permission]:
    """What the actor's roles, as it claims them, allow (the UI greys out the rest)."""
    return _granted_by(actor.roles)


def allowed(actor: Actor, permission: Permission) -> bool:
    return permission in permissions_of(actor)


def require(actor: Actor, permission: Permission) -> None:
    """Refuse unless ``actor`` may do ``permission`` now.

    First the roles the actor claims, with no database work (a wrong role is refused before anything
    else: tests/services/test_role_matrix.py); then its sign-in, checked against the database in one
    query (services/sign_ins.py): the sign-in must be live, the user active, and the roles the user
    holds now must grant the permission. A hand-built ``Actor``, one whose roles were widened, a
    signed-out or replaced sign-in, a deactivated user or a reset password are refused."""
    if not allowed(actor, permission):
        raise PermissionDeniedError(_refusal(permission))
    if permission not in _granted_by(current_roles(actor)):
        raise PermissionDeniedError(_refusal(permission))


def require_signed_in(actor: Actor) -> None:
    """For what every signed-in user may do (their own password, the automatic backup's audit event):
    the actor's sign-in must be live (``SignInNotValidError`` otherwise)."""
    current_roles(actor)


def _refusal(permission: Permission) -> str:
    return f"Your role does not allow you to {permission.value}."
