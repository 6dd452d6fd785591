"""What every screen needs: the open database, who is acting, the clinic, the worker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from acudesk.persistence.database import Database
from acudesk.services.clinic import ClinicInfo
from acudesk.services.context import Actor
from acudesk.ui.tasks import TaskRunner


@dataclass
class AppContext:
    database: Database
    actor: Actor
    clinic: ClinicInfo
    runner: TaskRunner
    database_label: str = ""
    idle_lock_minutes: float = 10

    def today(self) -> date:
        return datetime.now(ZoneInfo(self.clinic.timezone)).date()
