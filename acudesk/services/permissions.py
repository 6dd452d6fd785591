"""What each role may do. Services call ``require`` before any work; the UI only mirrors it.

The matrix follows the front-desk/clinical split clinics expect: receptionists handle
demographics, schedules, receipts and handouts; practitioners see clinical content;
administrators manage users, settings, backups and the audit log.
"""

from __future__ import annotations

from enum import StrEnum

from acudesk.domain.errors import PermissionDeniedError
from acudesk.services.context import ADMINISTRATOR, PRACTITIONER, RECEPTIONIST, Actor


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


def permissions_of(actor: Actor) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in actor.roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def allowed(actor: Actor, permission: Permission) -> bool:
    return permission in permissions_of(actor)


def require(actor: Actor, permission: Permission) -> None:
    if not allowed(actor, permission):
        raise PermissionDeniedError(f"Your role does not allow you to {permission.value}.")
