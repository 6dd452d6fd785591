"""The change log: one row per committed write, so other workstations learn what changed.

Not clinical data: rows are pruned after a few minutes (persistence/change_feed.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from acudesk.persistence.models.base import Base, UTCDateTime


class ChangeLogEntry(Base):
    """What one write transaction changed, written in that transaction by ``Database.write()``.

    ``source`` names the writing ``Database`` (random per process), so a process skips its own rows.
    ``table_names`` and ``patient_ids`` are comma-separated; ``everything`` stands for "assume all
    data changed". AUTOINCREMENT on SQLite: ids are never reused after pruning, and a reader that
    remembers the last id it saw can tell a gap.
    """

    __tablename__ = "change_log"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    table_names: Mapped[str] = mapped_column(Text, default="")
    patient_ids: Mapped[str] = mapped_column(Text, default="")
    everything: Mapped[bool] = mapped_column(Boolean, default=False)
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime())
