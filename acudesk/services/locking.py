"""Loading a record to change it, with optimistic locking.

Every editable record carries a ``version`` column (SQLAlchemy's ``version_id_col``). A screen
keeps the version it showed; saving checks it here first, so the second of two people editing the
same record is told, instead of silently overwriting the first. The database-level check
(``StaleDataError``) still guards the moment between this check and the write; ``persistence/database.py``
turns it into the same kind of ``ConflictError`` for every service.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from acudesk.domain.errors import ConflictError, NotFoundError


class _Versioned(Protocol):
    version: int


Row = TypeVar("Row", bound=_Versioned)


def load_for_change(
    tx: Session, model: type[Row], row_id: int, expected_version: int | None, *, what: str,
    conflict: str | None = None,
) -> Row:
    """The row to change, or ``NotFoundError``; ``ConflictError`` if it changed since it was shown.

    ``expected_version`` None skips the version check (for callers that just loaded the row).
    """
    row: Any = tx.get(model, row_id)
    if row is None:
        raise NotFoundError(f"There is no {what} no. {row_id}.")
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(conflict or f"Someone else saved this {what} while you were working on it. "
                                        "Reload it to see their changes; yours were not saved.")
    return row
