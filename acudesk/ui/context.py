"""What every screen needs: the open database, who is acting, the clinic, the operations runner."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from acudesk.persistence.database import Database
from acudesk.services.clinic import ClinicInfo
from acudesk.services.context import Actor
from acudesk.ui.live_changes import LiveChanges
from acudesk.ui.operations import Operations
from acudesk.ui.tasks import TaskRunner


@dataclass
class AppContext:
    database: Database
    actor: Actor
    clinic: ClinicInfo
    runner: TaskRunner
    database_label: str = ""
    idle_lock_minutes: float = 10
    # The one way screens run work and hear what changed (ui/operations.py), over ``runner``.
    operations: Operations = field(init=False)
    # Other workstations' writes, broadcast on ``operations`` too (ui/live_changes.py); the main window starts it.
    live: LiveChanges = field(init=False)

    def __post_init__(self) -> None:
        self.operations = Operations(self.runner)
        self.live = LiveChanges(self.database, self.operations)

    def close_database(self) -> None:
        """Stop following other workstations and close the database's connections (before a restore)."""
        self.live.stop()
        self.database.dispose()

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.clinic.timezone)).date()
