"""What every screen needs: the open database, who is acting, the clinic, the operations runner."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from acudesk.domain import dates
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

    @property
    def zone(self) -> ZoneInfo:
        """The clinic's time zone: stored moments are shown in it, never in the computer's own zone."""
        return ZoneInfo(self.clinic.timezone)

    def local(self, moment: datetime) -> datetime:
        """A stored moment as the clinic's wall-clock time."""
        return dates.in_zone(moment, self.zone)

    def when(self, moment: datetime, *, weekday: bool = True) -> str:
        """A stored moment for a person: "Thu 3 Dec 2026 14:05", in the clinic's time."""
        return dates.day_and_time(moment, self.zone, weekday=weekday)

    def today(self) -> date:
        return datetime.now(self.zone).date()
