"""Typed errors whose message a receptionist or practitioner can read.

Technical detail belongs in the log, never in ``message``. The UI has one place that shows these
(``acudesk.ui.errors``); the CLI prints ``message`` on one line and exits with status 2.
"""

from __future__ import annotations


class AcuDeskError(Exception):
    """Base of every error that carries a human message."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(AcuDeskError):
    """Input that cannot be accepted as entered; ``field`` names the offending field."""


class ValidationErrors(AcuDeskError):
    """Several validation problems reported together, so a form can show all of them at once."""

    def __init__(self, errors: list[ValidationError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class NotFoundError(AcuDeskError):
    """The record asked for does not exist (or is not visible to this user)."""


class ConflictError(AcuDeskError):
    """Someone else changed the record since it was opened; reload and try again."""


class DuplicateError(AcuDeskError):
    """The record looks like one that already exists; the user must confirm.

    ``existing_id`` names that record, so a screen can offer to open it instead."""

    def __init__(self, message: str, *, existing_id: int | None = None, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.existing_id = existing_id


class PermissionDeniedError(AcuDeskError):
    """The acting user's role does not allow this operation."""


class DatabaseError(AcuDeskError):
    """The database cannot be opened, read or written (corrupt, locked, full disk, too new)."""


class ServerUnreachableError(DatabaseError):
    """The database server (PostgreSQL) does not answer: a restart or a network fault. The change
    feed reconnects by itself and every screen reloads once it answers again."""
